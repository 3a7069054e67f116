//! Retention: personal data is kept only as long as it is needed, and this module is where
//! "as long as" is written down. The figures are constants used both by the purges and by
//! the privacy page (`privacy.rs`), so what the page promises is what the job does.
//!
//! The server runs [`run`] once a day (`app::housekeeping`); `erbij retention` runs it by
//! hand. Each purge returns how many rows it touched; a run logs the counts and writes one
//! audit entry with them (counts only, no personal data).

use chrono::{DateTime, Duration, Months, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, Query},
};

use crate::{
    audit,
    entities::{meeting, outbox_mail, registration, subscriber, token},
    session, subscriptions, throttle,
};

/// How often the server runs the retention job.
pub const RUN_EVERY_DAYS: i64 = 1;
/// Subscriptions not confirmed within this many days are deleted (the confirmation link
/// stops working at the same moment).
pub const UNCONFIRMED_DAYS: i64 = subscriptions::CONFIRM_DAYS;
/// A stopped subscription's consent record (with its IP address) is kept this many years
/// after stopping, as proof of the consent; then the whole row goes.
pub const CONSENT_KEEP_YEARS: u32 = 1;
/// The text of a sent digest is emptied after this many days (the row stays, for counts).
pub const DIGEST_BODY_DAYS: i64 = 30;
/// Other sent mails (notifications, account mails) carry what members wrote: their text
/// is emptied at the first run after sending, so within [`RUN_EVERY_DAYS`].
pub const NOTICE_BODY_DAYS: i64 = RUN_EVERY_DAYS;
/// A visitor's registration for a meeting (name, organisation, address) is deleted this
/// many days after the meeting, or once its confirmation link expired unused.
pub const MEETING_VISITOR_DAYS: i64 = 30;
/// Except that attendance of a training (name, organisation, that they came) is kept this
/// many days after it, for the certificate of attendance.
pub const TRAINING_ATTENDANCE_DAYS: i64 = 365;
/// Attempt counters (sign-in, sign-up, reset) are kept this long (see `throttle::purge_old`).
pub const THROTTLE_KEEP_DAYS: i64 = 1;

/// What one run removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub unconfirmed_subscriptions: u64,
    pub stopped_subscriptions: u64,
    pub digest_bodies: u64,
    pub notice_bodies: u64,
    pub tokens: u64,
    pub sessions: u64,
    pub throttle_counts: u64,
    /// Data exports nobody downloaded before their link expired.
    pub exports: u64,
    /// Texts kept for a sign-in that never came, and drafts untouched for half a year.
    pub drafts: u64,
    /// Visitors' registrations for meetings past their term.
    pub meeting_visitors: u64,
}

impl Report {
    /// `name=count` pairs, in a fixed order: the audit entry and the command's output.
    pub fn counts(&self) -> [(&'static str, u64); 10] {
        [
            ("unconfirmed_subscriptions", self.unconfirmed_subscriptions),
            ("stopped_subscriptions", self.stopped_subscriptions),
            ("digest_bodies", self.digest_bodies),
            ("notice_bodies", self.notice_bodies),
            ("tokens", self.tokens),
            ("sessions", self.sessions),
            ("throttle_counts", self.throttle_counts),
            ("exports", self.exports),
            ("drafts", self.drafts),
            ("meeting_visitors", self.meeting_visitors),
        ]
    }

    pub fn summary(&self) -> String {
        self.counts()
            .iter()
            .map(|(name, n)| format!("{name}={n}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Runs every purge, logs the counts and records them in the audit log.
pub async fn run(
    db: &DatabaseConnection,
    storage: &crate::storage::Storage,
) -> anyhow::Result<Report> {
    let now = Utc::now();
    let report = Report {
        unconfirmed_subscriptions: purge_unconfirmed(db, now).await?,
        stopped_subscriptions: purge_stopped(db, now).await?,
        digest_bodies: empty_digest_bodies(db, now).await?,
        notice_bodies: empty_notice_bodies(db, now).await?,
        tokens: purge_tokens(db, now).await?,
        sessions: session::purge_expired(db).await?,
        throttle_counts: throttle::purge_old(db).await?,
        exports: crate::own_data::purge_expired_exports(db, &storage.exports).await?,
        drafts: crate::forum::drafts::purge(db, now).await?,
        meeting_visitors: purge_meeting_visitors(db, now).await?,
    };
    tracing::info!(
        unconfirmed_subscriptions = report.unconfirmed_subscriptions,
        stopped_subscriptions = report.stopped_subscriptions,
        digest_bodies = report.digest_bodies,
        notice_bodies = report.notice_bodies,
        tokens = report.tokens,
        sessions = report.sessions,
        throttle_counts = report.throttle_counts,
        exports = report.exports,
        drafts = report.drafts,
        meeting_visitors = report.meeting_visitors,
        "retention run"
    );
    audit::record(db, None, "retention_run", "", &report.summary()).await?;
    Ok(report)
}

/// Deletes subscriptions never confirmed within [`UNCONFIRMED_DAYS`] (their practice
/// choices go with them: the foreign key cascades).
pub async fn purge_unconfirmed(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = subscriber::Entity::delete_many()
        .filter(subscriber::Column::Status.eq(subscriber::PENDING))
        .filter(subscriber::Column::CreatedAt.lt(now - Duration::days(UNCONFIRMED_DAYS)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes stopped subscriptions [`CONSENT_KEEP_YEARS`] after they stopped, as their owner
/// could (see `subscriptions::own_data::erase_subscriber`). A stopped row without a stop
/// time (stopped before it was recorded) gets `now`: it is kept a full term from today.
pub async fn purge_stopped(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    subscriber::Entity::update_many()
        .col_expr(subscriber::Column::UnsubscribedAt, Expr::value(now))
        .filter(subscriber::Column::Status.eq(subscriber::STOPPED))
        .filter(subscriber::Column::UnsubscribedAt.is_null())
        .exec(db)
        .await?;
    let cutoff = now
        .checked_sub_months(Months::new(12 * CONSENT_KEEP_YEARS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let ids: Vec<i32> = subscriber::Entity::find()
        .select_only()
        .column(subscriber::Column::Id)
        .filter(subscriber::Column::Status.eq(subscriber::STOPPED))
        .filter(subscriber::Column::UnsubscribedAt.lt(cutoff))
        .into_tuple()
        .all(db)
        .await?;
    for &id in &ids {
        let txn = db.begin().await?;
        subscriptions::own_data::erase_subscriber(&txn, id).await?;
        txn.commit().await?;
    }
    Ok(u64::try_from(ids.len()).unwrap_or(u64::MAX))
}

/// Mails that are done with: sent, or given up on (failed, bounced). `since` is the moment
/// they were sent, or queued for the ones never sent.
fn finished_before(since: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.eq(outbox_mail::SENT))
                .add(outbox_mail::Column::SentAt.lt(since)),
        )
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.is_in([outbox_mail::FAILED, outbox_mail::BOUNCED]))
                .add(outbox_mail::Column::CreatedAt.lt(since)),
        )
}

async fn empty_bodies(db: &impl ConnectionTrait, which: Condition) -> Result<u64, DbErr> {
    let result = outbox_mail::Entity::update_many()
        .col_expr(outbox_mail::Column::TextBody, Expr::value(""))
        .col_expr(outbox_mail::Column::HtmlBody, Expr::value(""))
        .filter(which)
        .filter(
            Condition::any()
                .add(outbox_mail::Column::TextBody.ne(""))
                .add(outbox_mail::Column::HtmlBody.ne("")),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Empties the text of digests finished more than [`DIGEST_BODY_DAYS`] ago.
pub async fn empty_digest_bodies(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    empty_bodies(
        db,
        Condition::all()
            .add(outbox_mail::Column::SubscriberId.is_not_null())
            .add(finished_before(now - Duration::days(DIGEST_BODY_DAYS))),
    )
    .await
}

/// Empties the text of every finished mail that is not a digest (notifications and account
/// mails, which quote members): the daily run makes that within [`NOTICE_BODY_DAYS`].
pub async fn empty_notice_bodies(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    empty_bodies(
        db,
        Condition::all()
            .add(outbox_mail::Column::SubscriberId.is_null())
            .add(finished_before(now)),
    )
    .await
}

/// Deletes visitors' registrations for meetings [`MEETING_VISITOR_DAYS`] after the meeting
/// (a training's attendees after [`TRAINING_ATTENDANCE_DAYS`]), and those never confirmed
/// once their link expired. Members' registrations are part of their account.
pub async fn purge_meeting_visitors(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let ended_before = |days: i64, training: Option<bool>| {
        let mut q = Query::select();
        q.column(meeting::Column::Id)
            .from(meeting::Entity)
            .and_where(meeting::Column::EndsAt.lt(now - Duration::days(days)));
        match training {
            Some(true) => {
                q.and_where(meeting::Column::Kind.eq(meeting::Kind::Training));
            }
            Some(false) => {
                q.and_where(meeting::Column::Kind.ne(meeting::Kind::Training));
            }
            None => {}
        }
        q.to_owned()
    };
    let result = registration::Entity::delete_many()
        .filter(registration::Column::UserId.is_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(registration::Column::Status.eq(registration::Status::Pending))
                        .add(registration::Column::ConfirmExpiresAt.lt(now)),
                )
                .add(
                    registration::Column::MeetingId
                        .in_subquery(ended_before(MEETING_VISITOR_DAYS, Some(false))),
                )
                .add(
                    Condition::all()
                        .add(
                            registration::Column::MeetingId
                                .in_subquery(ended_before(MEETING_VISITOR_DAYS, Some(true))),
                        )
                        .add(registration::Column::Attended.eq(false)),
                )
                .add(
                    registration::Column::MeetingId
                        .in_subquery(ended_before(TRAINING_ATTENDANCE_DAYS, None)),
                ),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes one-time tokens that expired or were used: neither can open anything again.
pub async fn purge_tokens(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = token::Entity::delete_many()
        .filter(
            Condition::any()
                .add(token::Column::ExpiresAt.lte(now))
                .add(token::Column::UsedAt.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
