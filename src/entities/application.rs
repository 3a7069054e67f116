use sea_orm::entity::prelude::*;

/// A request to become a member ("Word lid").
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub email: String,
    pub name: String,
    pub organisation: String,
    pub job: String,
    #[sea_orm(column_type = "Text")]
    pub motivation: String,
    pub lang: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i32>,
    /// The practices the applicant would like to join, as ids separated by commas; the
    /// welcome page ticks them.
    pub interests: String,
}

impl ActiveModelBehavior for ActiveModel {}

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
