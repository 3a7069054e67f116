use sea_orm::entity::prelude::*;

/// An earlier text of a post, kept at every edit.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub post_id: i32,
    pub editor_id: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub created_at: DateTimeUtc,
    /// When this text was redacted: it is then empty, and only the marker shows.
    pub redacted_at: Option<DateTimeUtc>,
    pub redacted_by: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
