use sea_orm::entity::prelude::*;

/// A participant's report of someone else's message to the administrators, with why. Only
/// a reported message is ever shown to an administrator (see `visibility`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub message_id: i32,
    pub reporter_id: i32,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub created_at: DateTimeUtc,
    pub handled_at: Option<DateTimeUtc>,
    pub handled_by: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
