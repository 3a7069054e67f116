//! The per-request context every page needs: language, the signed-in person, the CSRF token,
//! the client address. The middleware in `shell.rs` builds it once per request; this file
//! holds only what a page reads, so the page frame (`layout.rs`) can use it without
//! depending on what builds it.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicI64, Ordering},
};

use chrono::{DateTime, Utc};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::{entities::user, error::AppError, i18n::Lang, visibility::Reader};

pub const LANG_COOKIE: &str = "erbij_lang";

/// This request's CSRF token. A page that embeds it (a form) says so by reading it, and only
/// then is the cookie set: a reading page carries no per-visitor token and sets no cookie, so
/// it is the same for every visitor and can be kept in the page cache.
#[derive(Clone, Debug, Default)]
pub struct CsrfToken {
    value: String,
    used: Arc<AtomicBool>,
}

impl CsrfToken {
    pub fn new(value: String) -> CsrfToken {
        CsrfToken {
            value,
            used: Arc::default(),
        }
    }

    /// The token, for a form; the page now differs per visitor.
    pub fn for_form(&self) -> &str {
        self.used.store(true, Ordering::Relaxed);
        &self.value
    }

    /// Whether a page embedded the token.
    pub fn was_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }
}

/// When the first "3 minutes ago" on this page will read differently: a kept page is fresh no
/// longer than that (the labels are exact, the page stays true).
#[derive(Clone, Debug)]
pub struct LabelsUntil(Arc<AtomicI64>);

impl Default for LabelsUntil {
    fn default() -> Self {
        LabelsUntil(Arc::new(AtomicI64::new(i64::MAX)))
    }
}

impl LabelsUntil {
    /// A label on this page reads differently from `at` (Unix milliseconds are kept).
    pub fn changes_at(&self, at: DateTime<Utc>) {
        self.0.fetch_min(at.timestamp_millis(), Ordering::Relaxed);
    }

    /// The first moment a label on this page changes, if any does.
    pub fn first(&self) -> Option<DateTime<Utc>> {
        match self.0.load(Ordering::Relaxed) {
            i64::MAX => None,
            millis => DateTime::from_timestamp_millis(millis),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<user::Model>,
    pub csrf: CsrfToken,
    /// Path and query of this request, to come back to after switching language.
    pub path: String,
    pub client_ip: String,
    pub stylesheet: String,
    pub script: String,
    /// For the bell in the header.
    pub unread_notifications: u64,
    /// For "Berichten" in the header: private messages not read yet.
    pub unread_messages: u64,
    /// For administrators: flags waiting anywhere on the site (next to "Beheer").
    pub open_flags: u64,
    /// When a relative time shown on this page ("3 minutes ago") changes.
    pub labels_until: LabelsUntil,
}

impl Ctx {
    pub fn t(&self, key: &str) -> std::borrow::Cow<'static, str> {
        self.lang.t(key)
    }

    pub fn is_admin(&self) -> bool {
        self.reader().is_admin()
    }

    /// The visibility rule's view of this person.
    pub fn reader(&self) -> Reader {
        Reader::of(self.user.as_ref())
    }

    /// The signed-in person, or a redirect to sign in that comes back here.
    pub fn require_user(&self) -> Result<&user::Model, AppError> {
        self.user.as_ref().ok_or_else(|| AppError::SignInRequired {
            next: self.path.clone(),
        })
    }

    pub fn require_admin(&self) -> Result<&user::Model, AppError> {
        let user = self.require_user()?;
        if self.reader().is_admin() {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Experts, and administrators, who may do everything experts do.
    pub fn require_expert(&self) -> Result<&user::Model, AppError> {
        let user = self.require_user()?;
        if self.reader().in_expert_group() {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("context middleware missing")))
    }
}

/// The cookie that remembers a language choice for a year.
pub fn lang_cookie(lang: Lang, secure: bool) -> Cookie<'static> {
    Cookie::build((LANG_COOKIE, lang.code()))
        .path("/")
        .max_age(time::Duration::days(365))
        .same_site(SameSite::Lax)
        .http_only(true)
        .secure(secure)
        .build()
}
