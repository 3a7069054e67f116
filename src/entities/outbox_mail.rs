use sea_orm::entity::prelude::*;

/// One mail waiting in, or sent from, the outbox. `(recipient, period_key)` is unique:
/// composing a period twice cannot queue a second mail.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub recipient: String,
    pub period_key: String,
    pub subscriber_id: Option<i32>,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub text_body: String,
    #[sea_orm(column_type = "Text")]
    pub html_body: String,
    /// Extra headers, one `Name: value` a line.
    #[sea_orm(column_type = "Text")]
    pub headers: String,
    /// `queued`, `sending` (leased), `sent`, `failed` or `bounced`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub lease_until: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// Given when queued and sent on every attempt (`None` on rows queued before it was
    /// stored: those derive theirs from the row).
    pub message_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const BOUNCED: &str = "bounced";
