//! CSRF protection, two layers deep:
//! 1. every state-changing request from another site is refused by its `Sec-Fetch-Site` or
//!    `Origin` header (modern browsers send them), and
//! 2. every form carries a token that must match the `erbij_csrf` cookie (a double-submit
//!    token), which also covers browsers and proxies that drop those headers.
//!
//! The token is checked by the [`CsrfForm`] extractor, so a handler cannot read a form
//! without it being checked.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{Method, StatusCode, header, request::Parts},
};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, de::DeserializeOwned};

use crate::{error::AppError, tokens::random_secret};

pub const COOKIE: &str = "erbij_csrf";
pub const FIELD: &str = "csrf_token";

/// The browser's token, or a new one (and whether it must be set as a cookie).
pub fn token_from(jar: &CookieJar) -> (String, bool) {
    match jar.get(COOKIE).map(|c| c.value()) {
        Some(v) if is_token(v) => (v.to_owned(), false),
        _ => (random_secret(), true),
    }
}

/// A token as we hand them out: 64 hex digits. Nothing else (an empty cookie least of all)
/// is a token.
fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The form's token matches the cookie's, and the cookie holds a token we could have given:
/// an empty or absent value never matches, not even an empty one.
fn tokens_match(cookie: Option<&str>, given: Option<&str>) -> bool {
    match (cookie, given) {
        (Some(cookie), Some(given)) => {
            is_token(cookie) && constant_time_eq(cookie.as_bytes(), given.as_bytes())
        }
        _ => false,
    }
}

/// Refuses a state-changing request that a browser tells us came from another site.
pub fn check_origin(parts: &Parts) -> Result<(), AppError> {
    if matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site") == Some("cross-site") {
        return Err(AppError::Csrf);
    }
    if let (Some(origin), Some(host)) = (header("origin"), header(header::HOST.as_str())) {
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest)
            .unwrap_or(origin);
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Err(AppError::Csrf);
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct TokenField {
    #[serde(rename = "csrf_token")]
    token: Option<String>,
}

/// The form of a button that carries nothing but its token.
#[derive(Deserialize)]
pub struct NoFields {}

/// A URL-encoded form whose CSRF token has been checked.
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(req.headers());
        let expected = jar.get(COOKIE).map(|c| c.value().to_owned());
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest
            }
        })?;
        let given: TokenField = serde_html_form::from_bytes(&bytes).map_err(|_| AppError::Csrf)?;
        if !tokens_match(expected.as_deref(), given.token.as_deref()) {
            return Err(AppError::Csrf);
        }
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| AppError::BadRequest)
    }
}

/// A file from a multipart form.
#[derive(Debug)]
pub struct Upload {
    pub filename: String,
    pub bytes: Bytes,
}

/// A `multipart/form-data` form (one with file inputs) whose CSRF token has been checked:
/// the text fields deserialized into `T`, the files alongside.
pub struct CsrfMultipart<T> {
    pub form: T,
    pub uploads: Vec<Upload>,
}

impl<S, T> FromRequest<S> for CsrfMultipart<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(req.headers());
        let expected = jar.get(COOKIE).map(|c| c.value().to_owned());
        let mut multipart = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest)?;
        let too_large = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest
            }
        };
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut uploads = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(too_large)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(filename) => {
                    let bytes = field.bytes().await.map_err(too_large)?;
                    // An empty file input still sends a part; it is not an upload.
                    if !bytes.is_empty() {
                        uploads.push(Upload { filename, bytes });
                    }
                }
                None => fields.push((name, field.text().await.map_err(too_large)?)),
            }
        }
        let given = fields
            .iter()
            .find(|(k, _)| k == FIELD)
            .map(|(_, v)| v.as_str());
        if !tokens_match(expected.as_deref(), given) {
            return Err(AppError::Csrf);
        }
        let encoded = serde_html_form::to_string(&fields).map_err(|_| AppError::BadRequest)?;
        let form = serde_html_form::from_str(&encoded).map_err(|_| AppError::BadRequest)?;
        Ok(CsrfMultipart { form, uploads })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
