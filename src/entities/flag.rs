use sea_orm::entity::prelude::*;

/// A member's signal that a post needs a facilitator's eye, and what became of it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "flags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    pub reporter_id: i32,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub created_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<i32>,
    /// `hidden` (the post was hidden) or `dismissed` (nothing needed doing).
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
