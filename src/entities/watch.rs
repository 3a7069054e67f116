use sea_orm::entity::prelude::*;

/// A person following a thread (or, muted, explicitly not).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "watches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub thread_id: i32,
    pub muted: bool,
}

impl ActiveModelBehavior for ActiveModel {}
