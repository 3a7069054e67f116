use sea_orm::entity::prelude::*;

/// How far a member has read in a thread (the highest post position seen).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "read_positions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub thread_id: i32,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}
