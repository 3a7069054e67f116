use sea_orm::entity::prelude::*;

/// Something for one person to know: a reply in a watched thread, a mention, a quote.
/// `emailed_at` is for the mail that the digest feature sends.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub kind: String,
    pub thread_id: i32,
    pub post_id: i32,
    pub actor_id: i32,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    pub emailed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const REPLY: &str = "reply";
pub const MENTION: &str = "mention";
pub const QUOTE: &str = "quote";
