use sea_orm::entity::prelude::*;

/// A participant of a conversation: how far they read it on the site, and up to which
/// message (and when) they were mailed about it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conversation_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub conversation_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    pub joined_at: DateTimeUtc,
    /// The newest message they saw on the site (0: none).
    pub last_read_message_id: i32,
    /// The newest message a mail to them was about (0: none): each is mailed once.
    pub last_mailed_message_id: i32,
    /// When they were last mailed about this conversation (at most one mail an hour).
    pub last_mailed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
