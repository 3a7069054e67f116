use sea_orm::entity::prelude::*;

/// A member who organises a meeting: sees its registrations and may change it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_organisers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub meeting_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
}

impl ActiveModelBehavior for ActiveModel {}
