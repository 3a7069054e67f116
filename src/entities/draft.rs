use sea_orm::entity::prelude::*;

/// The text of a reply or a new thread not sent yet. A member's draft is theirs per target
/// (`reply:{thread}`, `thread:{practice slug}`); a text sent after the session expired has no
/// owner yet, only the hash of a one-time key in the browser's cookie, until sign-in.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "drafts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: Option<i32>,
    pub kept_hash: Option<String>,
    pub target: String,
    pub title: String,
    pub body: String,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
