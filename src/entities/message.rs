use sea_orm::entity::prelude::*;

/// One private message in a conversation. Its text is its author's; once their account is
/// deleted it is emptied, `author_id` cleared and `removed_at` set.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub conversation_id: i32,
    pub author_id: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `body` rendered and sanitised when it was written.
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    /// The renderer's version `body_html` was made with (0: not rendered).
    pub html_version: i32,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
