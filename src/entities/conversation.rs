use sea_orm::entity::prelude::*;

/// A private conversation between a few members: a subject, and its messages
/// (`message`), read only by its participants (`conversation_member`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(column_type = "Text")]
    pub subject: String,
    /// Who started it (`None` once their account is deleted).
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    /// When its latest message was written.
    pub last_message_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
