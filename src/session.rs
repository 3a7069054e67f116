//! Sign-in sessions stored in the database, so any instance can serve any request.
//!
//! We keep this small store of our own rather than tower-sessions: the cookie holds a random
//! secret and the table only its SHA-256, sessions are indexed by person (a password reset
//! ends them all), and there is no second data model to keep in step with sea-orm.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, sea_query::Query,
};

use crate::{
    entities::{session, user},
    tokens::{random_secret, sha256_hex},
};

pub const COOKIE: &str = "erbij_session";

/// Starts a session for `user_id` and returns the secret for the cookie. A new secret on
/// every sign-in means a session id planted before sign-in is worthless after it.
pub async fn create(db: &impl ConnectionTrait, user_id: i32, days: i64) -> Result<String, DbErr> {
    let secret = random_secret();
    let now = Utc::now();
    session::ActiveModel {
        id_hash: Set(sha256_hex(&secret)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(now + Duration::days(days)),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// The person behind a session secret, if the session is live and the account active.
pub async fn user_for(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<user::Model>, DbErr> {
    let live_session = Query::select()
        .column(session::Column::UserId)
        .from(session::Entity)
        .and_where(session::Column::IdHash.eq(sha256_hex(secret)))
        .and_where(session::Column::ExpiresAt.gt(Utc::now()))
        .to_owned();
    user::Entity::find()
        .filter(user::Column::Id.in_subquery(live_session))
        .filter(user::Column::Disabled.eq(false))
        .one(db)
        .await
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
