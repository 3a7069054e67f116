//! One-time tokens for links in mails (set password, reset, first administrator, new
//! address, data export). The link
//! carries a random secret; the database keeps only its hash, an expiry and whether it was
//! used. Consuming is one conditional UPDATE, so a token works once even under races.

use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, sea_query::Expr,
};
use sha2::{Digest, Sha256};

use crate::entities::token;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// After approval, an invitation or `erbij admin create`: choose a first password.
    SetPassword,
    /// "Forgot password".
    Reset,
    /// Printed at start-up while the site has no administrator.
    FirstAdmin,
    /// Sent to a member's new address: following it makes the change.
    EmailChange,
    /// Downloads a member's "my data" zip, once, signed in as that member.
    Export,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SetPassword => "set_password",
            Purpose::Reset => "reset",
            Purpose::FirstAdmin => "first_admin",
            Purpose::EmailChange => "email_change",
            Purpose::Export => "export",
        }
    }

    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::SetPassword => Duration::days(7),
            Purpose::Reset => Duration::hours(1),
            Purpose::FirstAdmin => Duration::days(1),
            Purpose::EmailChange => Duration::hours(24),
            Purpose::Export => Duration::days(7),
        }
    }
}

/// 32 random bytes, hex-encoded: safe in URLs and cookies.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

pub async fn issue(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: Option<i32>,
) -> Result<String, DbErr> {
    let secret = random_secret();
    let now = Utc::now();
    token::ActiveModel {
        token_hash: Set(sha256_hex(&secret)),
        purpose: Set(purpose.as_str().into()),
        user_id: Set(user_id),
        expires_at: Set(now + purpose.lifetime()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(secret)
}

fn live(purpose: Purpose, secret: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(token::Column::TokenHash.eq(sha256_hex(secret)))
        .add(token::Column::Purpose.eq(purpose.as_str()))
        .add(token::Column::UsedAt.is_null())
        .add(token::Column::ExpiresAt.gt(Utc::now()))
}

/// The token, if it is valid now, without using it up (to show the form it guards).
pub async fn peek(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    secret: &str,
) -> Result<Option<token::Model>, DbErr> {
    if !looks_like_secret(secret) {
        return Ok(None);
    }
    token::Entity::find()
        .filter(live(purpose, secret))
        .one(db)
        .await
}

/// Uses the token up. Returns it only to the one caller that flipped it from unused to used.
pub async fn consume(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    secret: &str,
) -> Result<Option<token::Model>, DbErr> {
    if !looks_like_secret(secret) {
        return Ok(None);
    }
    let updated = token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(live(purpose, secret))
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    token::Entity::find()
        .filter(token::Column::TokenHash.eq(sha256_hex(secret)))
        .one(db)
        .await
}

/// Withdraws the unused tokens of a person for a purpose (a new reset link replaces the old).
pub async fn revoke(
    db: &impl ConnectionTrait,
    purpose: Purpose,
    user_id: i32,
) -> Result<(), DbErr> {
    token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(token::Column::Purpose.eq(purpose.as_str()))
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

fn looks_like_secret(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}
