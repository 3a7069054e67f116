use sea_orm::entity::prelude::*;

/// A conversation in a practice (or the expert area). `post_count`, `last_poster_id` and
/// `last_post_at` are kept up to date when posts are added, so lists need no aggregation.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "threads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub practice_id: i32,
    pub author_id: i32,
    pub title: String,
    pub visibility: String,
    pub pinned: bool,
    pub locked: bool,
    pub post_count: i32,
    pub last_poster_id: Option<i32>,
    pub last_post_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

pub const PUBLIC: &str = "public";
pub const MEMBERS: &str = "members";
pub const EXPERTS: &str = "experts";
