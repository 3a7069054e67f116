//! One error type for handlers. It carries no language, so it renders as a bare status with
//! an [`ErrorKind`] marker; the context middleware turns that into a localized page. Internal
//! causes are logged here and never shown.

use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("forbidden")]
    Forbidden,
    #[error("the form's security token was missing or wrong")]
    Csrf,
    #[error("bad request")]
    BadRequest,
    #[error("request body too large")]
    TooLarge,
    /// Too many passwords being checked at once: come back in a moment.
    #[error("busy")]
    Busy,
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// What a busy answer asks the browser to wait, in seconds.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// Which friendly page to show; read by `context::render_error_page`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Forbidden,
    Csrf,
    BadRequest,
    TooLarge,
    Unavailable,
    Internal,
}

impl ErrorKind {
    pub fn from_status(status: StatusCode) -> Option<ErrorKind> {
        Some(match status {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => ErrorKind::NotFound,
            StatusCode::FORBIDDEN => ErrorKind::Forbidden,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::TooLarge,
            StatusCode::SERVICE_UNAVAILABLE => ErrorKind::Unavailable,
            s if s.is_server_error() => ErrorKind::Internal,
            s if s.is_client_error() => ErrorKind::BadRequest,
            _ => return None,
        })
    }

    /// The translation key prefix of this page's title and text.
    pub fn key(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "error.not_found",
            ErrorKind::Forbidden => "error.forbidden",
            ErrorKind::Csrf => "error.csrf",
            ErrorKind::BadRequest => "error.bad_request",
            ErrorKind::TooLarge => "error.too_large",
            ErrorKind::Unavailable => "error.unavailable",
            ErrorKind::Internal => "error.internal",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, kind) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, ErrorKind::NotFound),
            AppError::SignInRequired { next } => {
                let target = format!("/inloggen?next={}", urlencode(next));
                return Redirect::to(&target).into_response();
            }
            AppError::Forbidden => (StatusCode::FORBIDDEN, ErrorKind::Forbidden),
            AppError::Csrf => (StatusCode::FORBIDDEN, ErrorKind::Csrf),
            AppError::BadRequest => (StatusCode::BAD_REQUEST, ErrorKind::BadRequest),
            AppError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorKind::TooLarge),
            AppError::Busy => {
                tracing::warn!("every password or media turn taken; asked to come back");
                let mut response = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, RETRY_AFTER_SECONDS)],
                )
                    .into_response();
                response.extensions_mut().insert(ErrorKind::Unavailable);
                return response;
            }
            AppError::Db(err) => {
                tracing::error!(error = %err, "database error");
                if is_unavailable(err) {
                    (StatusCode::SERVICE_UNAVAILABLE, ErrorKind::Unavailable)
                } else {
                    (StatusCode::INTERNAL_SERVER_ERROR, ErrorKind::Internal)
                }
            }
            AppError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorKind::Internal)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(kind);
        response
    }
}

fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    matches!(
        err,
        sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_)
    )
}

pub fn urlencode(s: &str) -> String {
    serde_html_form::to_string([("", s)])
        .map(|pair| pair.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
