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
    pub role: Role,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// A person's role in one practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    #[sea_orm(string_value = "member")]
    Member,
    /// Pins, closes, moves and hides; handles flags; sees hidden posts of the practice.
    #[sea_orm(string_value = "facilitator")]
    Facilitator,
}
