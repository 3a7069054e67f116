//! The stylesheet, built into the binary and served under a content-hashed name so browsers
//! may cache it for a year and still see every change.

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

use crate::{AppState, error::AppError, tokens::sha256_hex};

const STYLESHEET: &str = include_str!("../assets/style.css");

pub struct Assets {
    pub stylesheet_path: String,
}

impl Assets {
    pub fn load() -> Assets {
        let hash = sha256_hex(STYLESHEET);
        Assets {
            stylesheet_path: format!("/assets/style-{}.css", &hash[..12]),
        }
    }
}

pub async fn stylesheet(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    if format!("/assets/{file}") != state.assets.stylesheet_path {
        return Err(AppError::NotFound);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        STYLESHEET,
    )
        .into_response())
}
