use sea_orm::entity::prelude::*;

/// A curated summary (kennisbundel). `title` mirrors the newest version, for lists.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summaries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    /// `draft`, `review`, `published` or `withdrawn`.
    pub status: String,
    pub lang: String,
    pub title: String,
    pub author_id: i32,
    pub reviewer_id: Option<i32>,
    /// A cited post changed after publication: the experts should look again.
    pub sources_changed: bool,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

pub const DRAFT: &str = "draft";
pub const REVIEW: &str = "review";
pub const PUBLISHED: &str = "published";
pub const WITHDRAWN: &str = "withdrawn";
