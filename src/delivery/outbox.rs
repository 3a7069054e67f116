//! The outbox: mails waiting in the database until they are sent.
//!
//! A worker claims a due row with a conditional UPDATE that sets a lease (safe on SQLite
//! and PostgreSQL alike), sends it, and records the mail server's answer at once, in its
//! own statement. A worker that dies leaves its lease to expire (`mail_lease_seconds`), and
//! another worker — on another instance, too — picks the row up the moment it does.
//!
//! What that guarantees: a mail is sent at least once, and a crash can repeat at most one
//! mail — the one the mail server accepted in the moment of the crash, before its
//! acceptance was recorded. To keep it at one, a worker has one mail at a time between
//! handing it over and recording the answer. A repeat carries the same Message-ID, given
//! when the mail was queued, so mail programs can recognise it.
//!
//! Passing failures retry with exponential backoff ([`retry_delay`]); a permanent rejection
//! marks the row bounced and, after three, suspends the subscriber.
//!
//! A server that stops claims no more rows, and hands back at once the rows it still holds (a
//! send cut short at the end of the grace period, see [`Claims`]) instead of leaving them to
//! their lease.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
};

use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use futures_util::StreamExt as _;
use indicatif::ProgressBar;
use maud::PreEscaped;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    AppState,
    entities::{outbox_mail, subscriber},
    mail::{self, Email},
};

/// After this many attempts a row is given up as failed: with [`retry_delay`], the last
/// comes about 16 hours after the first.
const MAX_ATTEMPTS: i32 = 12;
/// The longest wait between two attempts.
const MAX_RETRY_DELAY: i64 = 4 * 60;
/// Permanent rejections before an address is suspended.
const MAX_BOUNCES: i32 = 3;

/// A mail for the outbox, to `email.to`, once per `period_key` (a digest's period, a
/// notification, a day's bundle). Its Message-ID is chosen here and kept on every attempt.
pub fn row(
    host: &str,
    email: Email,
    period_key: String,
    subscriber_id: Option<i32>,
) -> outbox_mail::ActiveModel {
    let now = Utc::now();
    let message_id = format!(
        "<outbox-{}.{}@{host}>",
        period_key.replace([':', '#'], "."),
        &crate::tokens::random_secret()[..16]
    );
    outbox_mail::ActiveModel {
        recipient: Set(email.to),
        period_key: Set(period_key),
        subscriber_id: Set(subscriber_id),
        subject: Set(email.subject),
        text_body: Set(email.text),
        html_body: Set(email.html.into_string()),
        headers: Set(email
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n")),
        status: Set(outbox_mail::QUEUED.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now),
        message_id: Set(Some(message_id)),
        ..Default::default()
    }
}

/// Adds mails to the outbox in batches; a mail already queued for the same recipient and
/// period (key) is left as it is — with its Message-ID — which makes every enqueue safe to
/// repeat.
pub async fn queue_rows(
    db: &impl ConnectionTrait,
    rows: Vec<outbox_mail::ActiveModel>,
) -> Result<(), sea_orm::DbErr> {
    for chunk in rows.chunks(500) {
        outbox_mail::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([
                outbox_mail::Column::Recipient,
                outbox_mail::Column::PeriodKey,
            ])
            .exec(db)
            .await?;
    }
    Ok(())
}

/// How long to wait after the `attempts`-th attempt failed for a passing reason: 1, 2, 4 …
/// minutes, doubling up to four hours apart.
pub fn retry_delay(attempts: i32) -> Duration {
    let doubled = 1i64 << attempts.saturating_sub(1).clamp(0, 16);
    Duration::minutes(std::cmp::min(doubled, MAX_RETRY_DELAY))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    /// Failed for a passing reason; tried again after [`retry_delay`].
    pub retrying: usize,
    pub bounced: usize,
    /// Failed for a passing reason for the last time ([`MAX_ATTEMPTS`]): given up.
    pub failed: usize,
}

/// Rows another run holds: claimed, their lease not yet run out (a run that was killed
/// leaves its rows so until the lease ends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leased {
    pub count: u64,
    /// When the last of those leases runs out.
    pub until: DateTime<Utc>,
}

/// The mails waiting on another run's lease, if any: a run reports them, since it cannot
/// send them before `until`.
pub async fn leased_elsewhere(db: &impl ConnectionTrait) -> Result<Option<Leased>, sea_orm::DbErr> {
    let (count, until): (i64, Option<DateTime<Utc>>) = outbox_mail::Entity::find()
        .select_only()
        .column_as(outbox_mail::Column::Id.count(), "count")
        .column_as(outbox_mail::Column::LeaseUntil.max(), "until")
        .filter(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
        .filter(outbox_mail::Column::LeaseUntil.gte(Utc::now()))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    Ok(until.filter(|_| count > 0).map(|until| Leased {
        count: count.unsigned_abs(),
        until,
    }))
}

/// How long a claimed row is a worker's own (the setting `mail_lease_seconds`).
fn lease(state: &AppState) -> Duration {
    // At most a year: a larger figure is a mistake, not a wish to never take a row over.
    let seconds = Ord::min(state.settings.mail_lease_seconds, 365 * 24 * 3600);
    Duration::seconds(i64::try_from(seconds).unwrap_or(0))
}

/// The first moment a row waiting in the outbox is due: a retry's time, or the end of a lease
/// another worker holds (one that died leaves it so). `None` when nothing waits. The server's
/// schedule comes back then, rather than at its next minute.
pub async fn next_due(db: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
    let first = |status: &'static str, column: outbox_mail::Column| {
        outbox_mail::Entity::find()
            .select_only()
            .column_as(column.min(), "at")
            .filter(outbox_mail::Column::Status.eq(status))
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(db)
    };
    let retry = first(outbox_mail::QUEUED, outbox_mail::Column::NextAttemptAt).await?;
    let lease_end = first(outbox_mail::SENDING, outbox_mail::Column::LeaseUntil).await?;
    Ok([retry.flatten(), lease_end.flatten()]
        .into_iter()
        .flatten()
        .min())
}

/// What waits in the outbox now.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Not sent yet: queued (due or waiting for a retry) or being sent.
    pub unsent: u64,
    /// Of those, due now (what [`deliver`] would take).
    pub due: u64,
    /// When the oldest unsent mail was queued.
    pub oldest_unsent: Option<DateTime<Utc>>,
    /// Since when the longest-waiting due mail has been due.
    pub due_since: Option<DateTime<Utc>>,
}

/// The outbox's backlog, in three small aggregate queries.
pub async fn backlog(db: &impl ConnectionTrait) -> Result<Backlog, sea_orm::DbErr> {
    let now = Utc::now();
    let (unsent, oldest_unsent): (i64, Option<DateTime<Utc>>) = outbox_mail::Entity::find()
        .select_only()
        .column_as(outbox_mail::Column::Id.count(), "count")
        .column_as(outbox_mail::Column::CreatedAt.min(), "oldest")
        .filter(outbox_mail::Column::Status.is_in([outbox_mail::QUEUED, outbox_mail::SENDING]))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    // A queued mail is due from its next attempt on; a claimed one whose lease ran out, from
    // the end of its lease.
    let (queued_due, queued_since): (i64, Option<DateTime<Utc>>) = outbox_mail::Entity::find()
        .select_only()
        .column_as(outbox_mail::Column::Id.count(), "count")
        .column_as(outbox_mail::Column::NextAttemptAt.min(), "since")
        .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
        .filter(outbox_mail::Column::NextAttemptAt.lte(now))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    let (lapsed, lapsed_since): (i64, Option<DateTime<Utc>>) = outbox_mail::Entity::find()
        .select_only()
        .column_as(outbox_mail::Column::Id.count(), "count")
        .column_as(outbox_mail::Column::LeaseUntil.min(), "since")
        .filter(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
        .filter(outbox_mail::Column::LeaseUntil.lt(now))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    Ok(Backlog {
        unsent: unsent.unsigned_abs(),
        due: (queued_due + lapsed).unsigned_abs(),
        oldest_unsent: oldest_unsent.filter(|_| unsent > 0),
        due_since: [
            queued_since.filter(|_| queued_due > 0),
            lapsed_since.filter(|_| lapsed > 0),
        ]
        .into_iter()
        .flatten()
        .min(),
    })
}

/// The rows this process has claimed and not yet recorded an answer for, each with the lease
/// it set. At a stop, rows still here (a send cut short) are handed back at once
/// ([`hand_back`]); the lease's value leaves alone a row another worker took over after the
/// lease ran out.
#[derive(Default)]
pub struct Claims(Mutex<HashMap<i32, DateTime<Utc>>>);

impl Claims {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<i32, DateTime<Utc>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Gives the rows this process still holds back to the outbox, due at once (another instance
/// sends them without waiting out the lease). Returns how many.
pub async fn hand_back(state: &AppState) -> Result<u64, sea_orm::DbErr> {
    let held: Vec<(i32, DateTime<Utc>)> = state.outbox_claims.held().drain().collect();
    let mut handed = 0;
    for (id, lease) in held {
        handed += outbox_mail::Entity::update_many()
            .col_expr(
                outbox_mail::Column::Status,
                Expr::value(outbox_mail::QUEUED),
            )
            .col_expr(
                outbox_mail::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(outbox_mail::Column::Id.eq(id))
            .filter(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
            .filter(outbox_mail::Column::LeaseUntil.eq(lease))
            .exec(&state.db)
            .await?
            .rows_affected;
    }
    Ok(handed)
}

fn due() -> Condition {
    let now = Utc::now();
    Condition::any()
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
                .add(outbox_mail::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
                .add(outbox_mail::Column::LeaseUntil.lt(now)),
        )
}

/// Claims one row for sending (with a lease) and returns it as claimed, in one statement;
/// `None` when it is not due (sent, or leased by another worker).
async fn claim(state: &AppState, id: i32) -> anyhow::Result<Option<outbox_mail::Model>> {
    // Whole seconds: the value is compared again when the row is handed back.
    let lease_until = (Utc::now() + lease(state)).trunc_subsecs(0);
    let claimed = outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::Status,
            Expr::value(outbox_mail::SENDING),
        )
        .col_expr(outbox_mail::Column::LeaseUntil, Expr::value(lease_until))
        .col_expr(
            outbox_mail::Column::Attempts,
            Expr::col(outbox_mail::Column::Attempts).add(1),
        )
        .filter(outbox_mail::Column::Id.eq(id))
        .filter(due())
        .exec_with_returning(&state.db)
        .await?;
    let claimed = claimed.into_iter().next();
    if let Some(row) = &claimed {
        state.outbox_claims.held().insert(row.id, lease_until);
    }
    Ok(claimed)
}

fn email_of(row: &outbox_mail::Model) -> Email {
    const KNOWN: [&str; 3] = ["List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"];
    let headers = row
        .headers
        .lines()
        .filter_map(|line| line.split_once(": "))
        .filter_map(|(k, v)| KNOWN.iter().find(|n| **n == k).map(|n| (*n, v.to_string())))
        .collect();
    Email {
        to: row.recipient.clone(),
        subject: row.subject.clone(),
        text: row.text_body.clone(),
        html: PreEscaped(row.html_body.clone()),
        headers,
    }
}

enum Outcome {
    Sent,
    Retrying,
    Bounced,
    Failed,
}

/// Sends what is due, up to `limit` mails, at most `per_second` a second (0: no limit).
///
/// One mail at a time: between handing a mail to the mail server and recording its answer
/// nothing else is under way, so a crash can leave at most that one mail accepted but not
/// recorded (see the module's documentation). The claim comes right before the send, so a
/// lease is never spent waiting.
/// Mails on their way at once when no rate limit applies (the SMTP pool holds as many
/// connections).
pub const SENDERS: usize = 8;

pub async fn deliver(
    state: &AppState,
    limit: u64,
    per_second: u32,
    progress: &ProgressBar,
) -> anyhow::Result<Delivered> {
    let host = state.settings.host();
    let mut pace = (per_second > 0).then(|| {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs_f64(
            1.0 / f64::from(per_second),
        ));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        interval
    });
    let due_rows: Vec<i32> = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::Id)
        .filter(due())
        .order_by_asc(outbox_mail::Column::Id)
        // The databases take a signed limit: "everything" must stay within it.
        .limit(std::cmp::min(limit, i64::MAX.unsigned_abs()))
        .into_tuple()
        .all(&state.db)
        .await?;
    progress.set_length(u64::try_from(due_rows.len()).unwrap_or(u64::MAX));
    let mut counts = Delivered::default();
    let mut count = |outcome: Option<Outcome>| {
        match outcome {
            Some(Outcome::Sent) => counts.sent += 1,
            Some(Outcome::Retrying) => counts.retrying += 1,
            Some(Outcome::Bounced) => counts.bounced += 1,
            Some(Outcome::Failed) => counts.failed += 1,
            None => {}
        }
        progress.inc(1);
    };
    // A server that stops claims no more: the mails under way finish, the rest wait for the
    // next run (here or on another instance).
    let going_on = || !state.stopping.is_set();
    if let Some(pace) = &mut pace {
        for id in due_rows {
            pace.tick().await;
            if !going_on() {
                break;
            }
            count(deliver_one(state, id, host).await?);
        }
    } else {
        // Without a limit, several mails are on their way at once, each over its own
        // connection from the transport's pool: one mail's round trips no longer wait on
        // another's.
        let mut sending = futures_util::stream::iter(due_rows)
            .take_while(|_| std::future::ready(going_on()))
            .map(|id| deliver_one(state, id, host))
            .buffer_unordered(SENDERS);
        while let Some(outcome) = sending.next().await {
            count(outcome?);
        }
    }
    progress.finish();
    Ok(counts)
}

/// Claims one row, sends it and records the answer; `None` when another worker had it
/// first.
async fn deliver_one(state: &AppState, id: i32, host: &str) -> anyhow::Result<Option<Outcome>> {
    let Some(row) = claim(state, id).await? else {
        return Ok(None);
    };
    let outcome = send_and_record(state, &row, host).await;
    // Recorded, or failed to be (the lease then runs out as after a crash): no longer ours to
    // hand back. A send cut short never comes here, and stays in the claims.
    state.outbox_claims.held().remove(&row.id);
    let via = "outbox";
    match &outcome {
        Ok(Outcome::Sent) => crate::observability::mail_sent(via),
        Ok(Outcome::Retrying) => crate::observability::mail_failed(via, "passing"),
        Ok(Outcome::Bounced) => crate::observability::mail_failed(via, "bounced"),
        Ok(Outcome::Failed) => crate::observability::mail_failed(via, "given_up"),
        Err(_) => {}
    }
    outcome.map(Some)
}

/// Sends a claimed row and records the mail server's answer.
async fn send_and_record(
    state: &AppState,
    row: &outbox_mail::Model,
    host: &str,
) -> anyhow::Result<Outcome> {
    // Rows queued before Message-IDs were stored derive theirs from the row, as then.
    let message_id = row.message_id.clone().unwrap_or_else(|| {
        format!(
            "<outbox-{}.{}@{host}>",
            row.id,
            row.period_key.replace([':', '#'], ".")
        )
    });
    let outcome =
        match mail::build_message(&state.settings.mail_from, email_of(row), Some(message_id)) {
            Ok(message) => state.mailer.deliver(message).await,
            Err(e) => Err(mail::DeliveryError {
                permanent: true,
                message: e.to_string(),
            }),
        };
    // Recorded the moment the answer is in, each in its own short statement or transaction.
    match outcome {
        Ok(()) => {
            let mut update = outbox_mail::Entity::update_many()
                .col_expr(outbox_mail::Column::Status, Expr::value(outbox_mail::SENT))
                .col_expr(outbox_mail::Column::SentAt, Expr::value(Utc::now()))
                .col_expr(
                    outbox_mail::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                );
            // A notification mail quotes members' posts: once accepted, its body is not
            // kept (a redacted or removed text must not live on in a copy).
            if row.subscriber_id.is_none() {
                update = update
                    .col_expr(outbox_mail::Column::TextBody, Expr::value(""))
                    .col_expr(outbox_mail::Column::HtmlBody, Expr::value(""));
            }
            update
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            Ok(Outcome::Sent)
        }
        Err(err) if err.permanent => {
            let txn = state.db.begin().await?;
            outbox_mail::Entity::update_many()
                .col_expr(
                    outbox_mail::Column::Status,
                    Expr::value(outbox_mail::BOUNCED),
                )
                .col_expr(
                    outbox_mail::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    outbox_mail::Column::LastError,
                    Expr::value(err.message.clone()),
                )
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
            if let Some(sub_id) = row.subscriber_id {
                subscriber::Entity::update_many()
                    .col_expr(
                        subscriber::Column::Bounces,
                        Expr::col(subscriber::Column::Bounces).add(1),
                    )
                    .filter(subscriber::Column::Id.eq(sub_id))
                    .exec(&txn)
                    .await?;
                subscriber::Entity::update_many()
                    .col_expr(
                        subscriber::Column::Status,
                        Expr::value(subscriber::SUSPENDED),
                    )
                    .filter(subscriber::Column::Id.eq(sub_id))
                    .filter(subscriber::Column::Bounces.gte(MAX_BOUNCES))
                    .exec(&txn)
                    .await?;
            }
            txn.commit().await?;
            Ok(Outcome::Bounced)
        }
        Err(err) => {
            let given_up = row.attempts >= MAX_ATTEMPTS;
            let status = if given_up {
                outbox_mail::FAILED
            } else {
                outbox_mail::QUEUED
            };
            outbox_mail::Entity::update_many()
                .col_expr(outbox_mail::Column::Status, Expr::value(status))
                .col_expr(
                    outbox_mail::Column::NextAttemptAt,
                    Expr::value(Utc::now() + retry_delay(row.attempts)),
                )
                .col_expr(
                    outbox_mail::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    outbox_mail::Column::LastError,
                    Expr::value(err.message.clone()),
                )
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            if given_up {
                tracing::error!(outbox_id = row.id, error = %err.message, attempts = row.attempts, "mail not delivered; given up");
                Ok(Outcome::Failed)
            } else {
                tracing::warn!(outbox_id = row.id, error = %err.message, "mail not delivered; will retry");
                Ok(Outcome::Retrying)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_one_minute_then_double_up_to_four_hours() {
        let minutes: Vec<i64> = (1..=MAX_ATTEMPTS)
            .map(|attempt| retry_delay(attempt).num_minutes())
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 240, 240, 240, 240]);
        // From the first attempt to the last (the twelfth): about 16 hours.
        let span: i64 = minutes[..MAX_ATTEMPTS as usize - 1].iter().sum();
        assert_eq!(span, 975);
    }
}
