use sea_orm::entity::prelude::*;

/// A member's "download my data" zip: being built, or waiting under the data folder for its
/// one download. One row per member at most.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i32,
    /// [`BUILDING`] or [`READY`].
    pub status: String,
    /// The zip's name inside the exports folder, once it is written.
    pub file_name: Option<String>,
    pub requested_at: DateTimeUtc,
    pub ready_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const BUILDING: &str = "building";
pub const READY: &str = "ready";
