//! Counting attempts in the database (so every instance sees the same counts): failed
//! sign-ins per account and per address, applications and reset requests per address.
//! Keys are hashed: the table holds no addresses.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
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
pub const RESET_ACCOUNT: Rule = Rule {
    bucket: "reset_account",
    limit: 3,
    window: Duration::hours(1),
};

impl Rule {
    pub async fn exceeded(&self, db: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
        let count = throttle::Entity::find()
            .filter(throttle::Column::Bucket.eq(self.bucket))
            .filter(throttle::Column::KeyHash.eq(sha256_hex(&key.to_lowercase())))
            .filter(throttle::Column::CreatedAt.gt(Utc::now() - self.window))
            .count(db)
            .await?;
        Ok(count >= self.limit)
    }

    pub async fn record(&self, db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
        throttle::ActiveModel {
            bucket: Set(self.bucket.into()),
            key_hash: Set(sha256_hex(&key.to_lowercase())),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Ok(())
    }

    pub async fn clear(&self, db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
        throttle::Entity::delete_many()
            .filter(throttle::Column::Bucket.eq(self.bucket))
            .filter(throttle::Column::KeyHash.eq(sha256_hex(&key.to_lowercase())))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// Forgets attempts older than a day; run now and then.
pub async fn purge_old(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let result = throttle::Entity::delete_many()
        .filter(throttle::Column::CreatedAt.lt(Utc::now() - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
