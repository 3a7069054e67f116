use sea_orm::entity::prelude::*;

/// One searchable text: a post (with its thread) or a summary. Its words are in the
/// backend's full-text structure (see `crate::search`), keyed by this id.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "search_docs")]
pub struct Model {
    /// A post's id, or a summary's id with the summary bit set (see `search::index`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub post_id: Option<i32>,
    pub thread_id: Option<i32>,
    pub summary_id: Option<i32>,
    pub intervention_id: Option<i32>,
    pub author_id: i32,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
