use sea_orm::entity::prelude::*;

/// "Worth bundling": a thread put forward for the expert group, and what became of it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nominations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub thread_id: i32,
    pub nominator_id: i32,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// `open`, `taken`, `declined` or `linked`.
    pub status: String,
    pub handler_id: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub summary_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub handled_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const OPEN: &str = "open";
pub const TAKEN: &str = "taken";
pub const DECLINED: &str = "declined";
pub const LINKED: &str = "linked";
