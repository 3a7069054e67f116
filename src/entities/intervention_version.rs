use sea_orm::entity::prelude::*;

/// One proposed text of an intervention: a member's proposal (new, or a change), decided by
/// a facilitator or an administrator. The published ones, in order, are its public history.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intervention_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub intervention_id: i32,
    pub author_id: i32,
    pub created_at: DateTimeUtc,
    pub state: State,
    /// What the proposer says about the proposal (what changed, and why).
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTimeUtc>,
    /// Why a proposal was declined (told to its author).
    #[sea_orm(column_type = "Text")]
    pub decision_note: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub organisation_id: Option<i32>,
    /// What it does (Markdown).
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Target group slugs, stored `,ouderen,migranten,` (see `interventions::TARGET_GROUPS`).
    #[sea_orm(column_type = "Text")]
    pub target_groups: String,
    /// District slugs, stored as `directory::store_districts` does.
    #[sea_orm(column_type = "Text")]
    pub districts: String,
    /// How to refer someone: the steps (Markdown).
    #[sea_orm(column_type = "Text")]
    pub referral: String,
    /// Whom to contact for a referral (one line).
    #[sea_orm(column_type = "Text")]
    pub contact: String,
    #[sea_orm(column_type = "Text")]
    pub cost: String,
    #[sea_orm(column_type = "Text")]
    pub languages: String,
    /// Evidence and literature (Markdown).
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    /// Related summaries and threads: one site link a line (`/kennisbundels/…`,
    /// `/onderwerpen/12`); each is shown only to readers who may open it.
    #[sea_orm(column_type = "Text")]
    pub related: String,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum State {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "declined")]
    Declined,
}
