use sea_orm::entity::prelude::*;

/// One saved text of a summary; every save makes a new one.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summary_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub summary_id: i32,
    pub editor_id: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// One reference a line: `author | year | title | link`.
    #[sea_orm(column_type = "Text")]
    pub references_text: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
