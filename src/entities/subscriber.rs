use sea_orm::entity::prelude::*;

/// Someone following by email, without an account.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscribers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    /// `pending` (not confirmed), `active`, `stopped` or `suspended` (bounced).
    pub status: String,
    pub lang: String,
    /// `weekly` or `monthly`.
    pub frequency: String,
    pub all_practices: bool,
    pub summaries: bool,
    /// The capability in every mail's "manage" and "unsubscribe" links. It grants only the
    /// management of this one subscription, and must be sendable again with every digest,
    /// so it is kept as it is (unlike sign-in tokens, which are kept as hashes).
    #[sea_orm(unique)]
    pub manage_token: String,
    pub confirm_token_hash: Option<String>,
    pub confirm_expires_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub consent_text: String,
    /// Which version of the consent text that was (see `subscriptions::CONSENT_VERSION`).
    pub consent_version: String,
    pub consent_ip: String,
    pub consent_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub bounces: i32,
    pub created_at: DateTimeUtc,
    /// Set when this is a member's own digest, chosen on their profile: it reads with the
    /// member's eyes (members-only threads included) and needs no confirmation.
    #[sea_orm(unique)]
    pub user_id: Option<i32>,
    /// When they stopped: the consent record is kept one year after this, as proof.
    pub unsubscribed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const PENDING: &str = "pending";
pub const ACTIVE: &str = "active";
pub const STOPPED: &str = "stopped";
pub const SUSPENDED: &str = "suspended";
pub const WEEKLY: &str = "weekly";
pub const MONTHLY: &str = "monthly";
