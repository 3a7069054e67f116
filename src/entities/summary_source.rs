use sea_orm::entity::prelude::*;

/// A conversation a summary draws on: a thread, or one post in it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summary_sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub summary_id: i32,
    pub thread_id: i32,
    pub post_id: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
