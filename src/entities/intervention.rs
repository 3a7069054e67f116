use sea_orm::entity::prelude::*;

/// An intervention against loneliness in the public catalogue. What it says lives in its
/// versions; `published_version_id` names the one everybody reads. A proposal for a new
/// intervention is an intervention in state `Proposed` with one pending version.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interventions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub status: Status,
    pub published_version_id: Option<i32>,
    /// Who keeps it up to date (the member who proposed it, at first): reminded when it
    /// goes stale.
    pub owner_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// When a facilitator, an administrator or its owner last confirmed it is still true.
    pub checked_at: Option<DateTimeUtc>,
    /// When its owner was last reminded that it went stale.
    pub reminded_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    /// Proposed, never published yet: only the proposer and those who publish see it.
    #[sea_orm(string_value = "proposed")]
    Proposed,
    #[sea_orm(string_value = "published")]
    Published,
    /// A proposal that was declined before it was ever published.
    #[sea_orm(string_value = "declined")]
    Declined,
    /// Taken out of the catalogue (it stopped, or was wrong).
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}
