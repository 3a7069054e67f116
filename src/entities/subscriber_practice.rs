use sea_orm::entity::prelude::*;

/// A practice a subscriber follows (when not following all).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriber_practices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subscriber_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub practice_id: i32,
}

impl ActiveModelBehavior for ActiveModel {}
