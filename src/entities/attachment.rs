use sea_orm::entity::prelude::*;

/// A file attached to a post (or, with no post yet, waiting in a form being written).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attachments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: Option<i32>,
    pub uploader_id: i32,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: DateTimeUtc,
    /// Pixel sizes of an image's stored variants (see `crate::media`); empty otherwise.
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub display_width: Option<i32>,
    pub display_height: Option<i32>,
    pub thumb_width: Option<i32>,
    pub thumb_height: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
