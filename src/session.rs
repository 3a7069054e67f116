//! Sign-in sessions stored in the database, so any instance can serve any request.
//!
//! We keep this small store of our own rather than tower-sessions: the cookie holds a random
//! secret and the table only its SHA-256, sessions are indexed by person (a password reset
//! ends them all), and there is no second data model to keep in step with sea-orm.
//!
//! For "where am I signed in" a session also keeps a coarse device label ("Firefox op
//! Windows"; never the User-Agent itself, never an address) and when it was last used,
//! renewed at most once an hour so that reading a page rarely writes.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::{
    entities::{session, user},
    tokens::{random_secret, sha256_hex},
};

pub const COOKIE: &str = "erbij_session";

/// How stale `last_seen_at` may get before a request renews it.
const SEEN_GRANULARITY: Duration = Duration::hours(1);

/// The device a request comes from, reduced to a label such as `Firefox/Windows`
/// (browser and system; the page says "Firefox op Windows").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device(pub Option<String>);

impl Device {
    pub fn from_headers(headers: &HeaderMap) -> Device {
        Device(
            headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .and_then(device_label),
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Device {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Device::from_headers(&parts.headers))
    }
}

/// `Mozilla/5.0 (Windows NT 10.0; …) … Firefox/128.0` → `Firefox/Windows`. Unknown parts
/// are `?`; a User-Agent with nothing known gives no label at all.
pub fn device_label(user_agent: &str) -> Option<String> {
    let ua = user_agent;
    // Order matters: Edge and Opera say "Chrome", Chrome says "Safari", Android says
    // "Linux" and iOS says "like Mac OS X".
    let browser = if ua.contains("Edg/") || ua.contains("EdgA/") || ua.contains("EdgiOS/") {
        "Edge"
    } else if ua.contains("OPR/") || ua.contains("Opera") {
        "Opera"
    } else if ua.contains("SamsungBrowser/") {
        "Samsung Internet"
    } else if ua.contains("Firefox/") || ua.contains("FxiOS/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("CriOS/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "?"
    };
    let system = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("iPhone") || ua.contains("iPod") {
        "iPhone"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("CrOS") {
        "ChromeOS"
    } else if ua.contains("Macintosh") || ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "?"
    };
    (browser != "?" || system != "?").then(|| format!("{browser}/{system}"))
}

/// Starts a session for `user_id` and returns the secret for the cookie. A new secret on
/// every sign-in means a session id planted before sign-in is worthless after it.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i32,
    days: i64,
    device: &Device,
) -> Result<String, DbErr> {
    let secret = random_secret();
    let now = Utc::now();
    session::ActiveModel {
        id_hash: Set(sha256_hex(&secret)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
        device: Set(device.0.clone()),
        last_seen_at: Set(Some(now)),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// The live session behind a cookie secret and its person, if the account is active: one
/// query.
pub async fn lookup(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<(session::Model, user::Model)>, DbErr> {
    let found = session::Entity::find()
        .select_also(user::Entity)
        .join(
            JoinType::InnerJoin,
            session::Entity::belongs_to(user::Entity)
                .from(session::Column::UserId)
                .to(user::Column::Id)
                .into(),
        )
        .filter(session::Column::IdHash.eq(sha256_hex(secret)))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .filter(user::Column::Disabled.eq(false))
        .one(db)
        .await?;
    Ok(found.and_then(|(s, u)| u.map(|u| (s, u))))
}

/// The person behind a session secret, if the session is live and the account active.
pub async fn user_for(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<user::Model>, DbErr> {
    Ok(lookup(db, secret).await?.map(|(_, user)| user))
}

/// Whether a request should renew the session's "last used" (at most once an hour).
pub fn is_stale(session: &session::Model, now: DateTime<Utc>) -> bool {
    session
        .last_seen_at
        .is_none_or(|seen| now - seen >= SEEN_GRANULARITY)
}

/// Until when a session is live without asking the database again: its end, or the next
/// renewal of its "last used", whichever comes first (a member's kept pages last no longer).
pub fn known_live_until(session: &session::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    let renewal = session.last_seen_at.unwrap_or(now) + SEEN_GRANULARITY;
    Ord::min(session.expires_at, renewal)
}

/// Renews "last used"; a session from before labels were kept gets this device's label.
pub async fn touch(
    db: &impl ConnectionTrait,
    session: &session::Model,
    device: &Device,
) -> Result<(), DbErr> {
    let mut update = session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(Utc::now()))
        .filter(session::Column::IdHash.eq(session.id_hash.as_str()));
    if session.device.is_none() && device.0.is_some() {
        update = update.col_expr(session::Column::Device, Expr::value(device.0.clone()));
    }
    update.exec(db).await?;
    Ok(())
}

/// A person's live sessions, the most recently used first.
pub async fn list_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(session::Column::LastSeenAt)
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await
}

/// Whether `session` is the one whose cookie holds `secret`.
pub fn is_current(session: &session::Model, secret: &str) -> bool {
    session.id_hash == sha256_hex(secret)
}

/// The name a session goes by in forms: a hash of its hash, so a page never shows the key
/// the database looks sessions up by.
pub fn public_id(session: &session::Model) -> String {
    sha256_hex(&session.id_hash)[..16].to_string()
}

/// Ends every session of a person but the one with `keep_secret`; returns how many ended.
pub async fn end_others(
    db: &impl ConnectionTrait,
    user_id: i32,
    keep_secret: &str,
) -> Result<u64, DbErr> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::IdHash.ne(sha256_hex(keep_secret)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Ends one session of a person, named by its [`public_id`]; never the current one.
/// Returns whether one ended.
pub async fn end_other(
    db: &impl ConnectionTrait,
    user_id: i32,
    public: &str,
    keep_secret: &str,
) -> Result<bool, DbErr> {
    let Some(target) = list_for(db, user_id)
        .await?
        .into_iter()
        .find(|s| public_id(s) == public && !is_current(s, keep_secret))
    else {
        return Ok(false);
    };
    let result = session::Entity::delete_many()
        .filter(session::Column::IdHash.eq(target.id_hash))
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn end(db: &impl ConnectionTrait, secret: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::IdHash.eq(sha256_hex(secret)))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a person: after a password reset, or when an account is disabled.
pub async fn end_all_for(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let result = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_become_coarse_labels() {
        let cases = [
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
                Some("Chrome/Android"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                Some("Firefox/Windows"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
                Some("Safari/iPhone"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                Some("Edge/Windows"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                Some("Safari/macOS"),
            ),
            ("curl/8.5.0", None),
        ];
        for (ua, label) in cases {
            assert_eq!(device_label(ua).as_deref(), label, "{ua}");
        }
    }
}
