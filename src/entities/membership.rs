use sea_orm::entity::prelude::*;

/// A person's place in a practice: `member` or `facilitator`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i32,
    pub role: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

pub const ROLE_MEMBER: &str = "member";
pub const ROLE_FACILITATOR: &str = "facilitator";
