//! Counting attempts in the database (so every instance sees the same counts): sign-ins per
//! account and per address, applications, subscriptions and reset requests per address.
//! Keys are hashed: the table holds no addresses.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{entities::throttle, tokens::sha256_hex};

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub bucket: &'static str,
    pub limit: u64,
    pub window: Duration,
}

pub const LOGIN_ACCOUNT: Rule = Rule {
    bucket: "login_account",
    limit: 5,
    window: Duration::minutes(15),
};
pub const LOGIN_ADDRESS: Rule = Rule {
    bucket: "login_address",
    limit: 30,
    window: Duration::minutes(15),
};
pub const APPLY_ADDRESS: Rule = Rule {
    bucket: "apply_address",
    limit: 5,
    window: Duration::hours(1),
};
pub const RESET_ADDRESS: Rule = Rule {
    bucket: "reset_address",
    limit: 10,
    window: Duration::hours(1),
};
pub const SUBSCRIBE_ADDRESS: Rule = Rule {
    bucket: "subscribe_address",
    limit: 10,
    window: Duration::hours(1),
};
/// Visitors registering for meetings, per address: each sends a mail.
pub const REGISTER_ADDRESS: Rule = Rule {
    bucket: "register_address",
    limit: 10,
    window: Duration::hours(1),
};
/// Requests to change an account's address, per account: each sends two mails.
pub const EMAIL_CHANGE_ACCOUNT: Rule = Rule {
    bucket: "email_change_account",
    limit: 5,
    window: Duration::hours(1),
};
/// Texts kept through an expired session, per address: each is a row until sign-in.
pub const KEEP_TEXT_ADDRESS: Rule = Rule {
    bucket: "keep_text_address",
    limit: 10,
    window: Duration::hours(1),
};
pub const RESET_ACCOUNT: Rule = Rule {
    bucket: "reset_account",
    limit: 3,
    window: Duration::hours(1),
};

impl Rule {
    /// Counts one attempt under `key` and says whether it is within the limit. Counting and
    /// reading the count are one statement (an upsert returning the new count), so parallel
    /// requests cannot all read a count below the limit before any of them is counted. A
    /// window starts with the first attempt after the previous one ended.
    pub async fn allow(&self, db: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
        let now = Utc::now().timestamp();
        let ended = Expr::col((throttle::Entity, throttle::Column::WindowStart))
            .lte(now - self.window.num_seconds());
        let counted = throttle::Entity::insert(throttle::ActiveModel {
            bucket: Set(self.bucket.into()),
            key_hash: Set(key_hash(key)),
            window_start: Set(now),
            attempts: Set(1),
        })
        .on_conflict(
            OnConflict::columns([throttle::Column::Bucket, throttle::Column::KeyHash])
                .value(
                    throttle::Column::Attempts,
                    Expr::case(ended.clone(), Expr::val(1))
                        .finally(Expr::col((throttle::Entity, throttle::Column::Attempts)).add(1)),
                )
                .value(
                    throttle::Column::WindowStart,
                    Expr::case(ended, Expr::val(now))
                        .finally(Expr::col((throttle::Entity, throttle::Column::WindowStart))),
                )
                .to_owned(),
        )
        .exec_with_returning(db)
        .await?;
        Ok(u64::try_from(counted.attempts).unwrap_or(u64::MAX) <= self.limit)
    }

    /// Takes back one counted attempt (a sign-in that turned out right is no failure).
    pub async fn forgive(&self, db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
        throttle::Entity::update_many()
            .col_expr(
                throttle::Column::Attempts,
                Expr::col(throttle::Column::Attempts).sub(1),
            )
            .filter(throttle::Column::Bucket.eq(self.bucket))
            .filter(throttle::Column::KeyHash.eq(key_hash(key)))
            .filter(throttle::Column::Attempts.gt(0))
            .exec(db)
            .await?;
        Ok(())
    }

    pub async fn clear(&self, db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
        throttle::Entity::delete_many()
            .filter(throttle::Column::Bucket.eq(self.bucket))
            .filter(throttle::Column::KeyHash.eq(key_hash(key)))
            .exec(db)
            .await?;
        Ok(())
    }
}

fn key_hash(key: &str) -> String {
    sha256_hex(&key.to_lowercase())
}

/// Forgets counts whose window started more than a day ago; run now and then.
pub async fn purge_old(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let result =
        throttle::Entity::delete_many()
            .filter(throttle::Column::WindowStart.lt(
                (Utc::now() - Duration::days(crate::retention::THROTTLE_KEEP_DAYS)).timestamp(),
            ))
            .exec(db)
            .await?;
    Ok(result.rows_affected)
}
