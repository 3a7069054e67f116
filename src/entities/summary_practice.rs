use sea_orm::entity::prelude::*;

/// A practice a summary concerns.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summary_practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub summary_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i32,
}

impl ActiveModelBehavior for ActiveModel {}
