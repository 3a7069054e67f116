use sea_orm::entity::prelude::*;

/// How many attempts (sign-ins, applications, reset requests) one hashed key made in the
/// window that started at `window_start` (seconds since 1970). One row per bucket and key,
/// so counting an attempt is one statement (an upsert) that parallel requests cannot race.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "throttle_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bucket: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_hash: String,
    pub window_start: i64,
    pub attempts: i32,
}

impl ActiveModelBehavior for ActiveModel {}
