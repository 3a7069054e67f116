//! The stylesheet and the one small script (similar threads while a title is typed), built
//! into the binary and served under content-hashed names so browsers may cache them for a
//! year and still see every change.

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

use crate::{AppState, error::AppError, tokens::sha256_hex};

const STYLESHEET: &str = include_str!("../assets/style.css");
const SCRIPT: &str = include_str!("../assets/search.js");

pub struct Assets {
    pub stylesheet_path: String,
    pub script_path: String,
}

impl Assets {
    pub fn load() -> Assets {
        Assets {
            stylesheet_path: format!("/assets/style-{}.css", &sha256_hex(STYLESHEET)[..12]),
            script_path: format!("/assets/search-{}.js", &sha256_hex(SCRIPT)[..12]),
        }
    }
}

pub async fn file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let path = format!("/assets/{file}");
    let (content_type, body) = if path == state.assets.stylesheet_path {
        ("text/css; charset=utf-8", STYLESHEET)
    } else if path == state.assets.script_path {
        ("text/javascript; charset=utf-8", SCRIPT)
    } else {
        return Err(AppError::NotFound);
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response())
}
