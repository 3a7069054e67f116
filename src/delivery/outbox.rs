//! The outbox: mails waiting in the database until they are sent. Workers claim due rows
//! one by one with a conditional UPDATE that sets a lease (safe on SQLite and PostgreSQL
//! alike); a worker that dies leaves its lease to expire and the row is picked up again.
//! Each mail carries a Message-ID derived from its row, so a resend after an ambiguous
//! failure is recognisable as the same mail. Transient failures retry with exponential
//! backoff; a permanent rejection marks the row bounced and, after three, suspends the
//! subscriber.

use chrono::{DateTime, Duration, Utc};
use indicatif::ProgressBar;
use maud::PreEscaped;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    AppState,
    entities::{outbox_mail, subscriber},
    mail::{self, Email},
};

/// How long a claimed row is a worker's own.
const LEASE: i64 = 5;
/// After this many attempts a row is given up as failed.
const MAX_ATTEMPTS: i32 = 8;
/// Permanent rejections before an address is suspended.
const MAX_BOUNCES: i32 = 3;

/// Adds mails to the outbox in batches; a mail already queued for the same recipient and
/// period (key) is left as it is, which makes every enqueue safe to repeat.
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

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub retrying: usize,
    pub bounced: usize,
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

/// Takes a row for this worker, if nobody else did first.
async fn claim(state: &AppState, id: i32) -> anyhow::Result<bool> {
    let claimed = outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::Status,
            Expr::value(outbox_mail::SENDING),
        )
        .col_expr(
            outbox_mail::Column::LeaseUntil,
            Expr::value(Utc::now() + Duration::minutes(LEASE)),
        )
        .col_expr(
            outbox_mail::Column::Attempts,
            Expr::col(outbox_mail::Column::Attempts).add(1),
        )
        .filter(outbox_mail::Column::Id.eq(id))
        .filter(due())
        .exec(&state.db)
        .await?;
    Ok(claimed.rows_affected == 1)
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
}

/// How many mails are on their way at once: SMTP is a conversation of round trips, so a
/// few connections from lettre's pool keep the mail server busy.
pub const CONCURRENCY: usize = 8;

/// Sends what is due, up to `limit` mails, at most `per_second` a second (0: no limit),
/// several at a time.
pub async fn deliver(
    state: &AppState,
    limit: u64,
    per_second: u32,
    progress: &ProgressBar,
) -> anyhow::Result<Delivered> {
    use futures_util::StreamExt;

    let host = state.settings.host();
    let pace = (per_second > 0).then(|| {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs_f64(
            1.0 / f64::from(per_second),
        ));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::sync::Mutex::new(interval)
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
    let mut outcomes = futures_util::stream::iter(due_rows)
        .map(|id| {
            let (host, pace) = (&host, &pace);
            async move {
                if let Some(pace) = pace {
                    pace.lock().await.tick().await;
                }
                let outcome = deliver_one(state, id, host).await;
                progress.inc(1);
                outcome
            }
        })
        .buffer_unordered(CONCURRENCY);
    let mut counts = Delivered::default();
    while let Some(outcome) = outcomes.next().await {
        match outcome? {
            Some(Outcome::Sent) => counts.sent += 1,
            Some(Outcome::Retrying) => counts.retrying += 1,
            Some(Outcome::Bounced) => counts.bounced += 1,
            None => {}
        }
    }
    progress.finish();
    Ok(counts)
}

/// Claims one row and sends it; `None` when another worker had it first.
async fn deliver_one(state: &AppState, id: i32, host: &str) -> anyhow::Result<Option<Outcome>> {
    if !claim(state, id).await? {
        return Ok(None);
    }
    let Some(row) = outbox_mail::Entity::find_by_id(id).one(&state.db).await? else {
        return Ok(None);
    };
    let message_id = format!(
        "<outbox-{}.{}@{host}>",
        row.id,
        row.period_key.replace([':', '#'], ".")
    );
    let outcome =
        match mail::build_message(&state.settings.mail_from, email_of(&row), Some(message_id)) {
            Ok(message) => state.mailer.deliver(message).await,
            Err(e) => Err(mail::DeliveryError {
                permanent: true,
                message: e.to_string(),
            }),
        };
    match outcome {
        Ok(()) => {
            outbox_mail::Entity::update_many()
                .col_expr(outbox_mail::Column::Status, Expr::value(outbox_mail::SENT))
                .col_expr(outbox_mail::Column::SentAt, Expr::value(Utc::now()))
                .col_expr(
                    outbox_mail::Column::LeaseUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            Ok(Some(Outcome::Sent))
        }
        Err(err) if err.permanent => {
            outbox_mail::Entity::update_many()
                .col_expr(
                    outbox_mail::Column::Status,
                    Expr::value(outbox_mail::BOUNCED),
                )
                .col_expr(
                    outbox_mail::Column::LastError,
                    Expr::value(err.message.clone()),
                )
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            if let Some(sub_id) = row.subscriber_id {
                subscriber::Entity::update_many()
                    .col_expr(
                        subscriber::Column::Bounces,
                        Expr::col(subscriber::Column::Bounces).add(1),
                    )
                    .filter(subscriber::Column::Id.eq(sub_id))
                    .exec(&state.db)
                    .await?;
                subscriber::Entity::update_many()
                    .col_expr(
                        subscriber::Column::Status,
                        Expr::value(subscriber::SUSPENDED),
                    )
                    .filter(subscriber::Column::Id.eq(sub_id))
                    .filter(subscriber::Column::Bounces.gte(MAX_BOUNCES))
                    .exec(&state.db)
                    .await?;
            }
            Ok(Some(Outcome::Bounced))
        }
        Err(err) => {
            // 1, 2, 4 … minutes, capped at a few hours; then give up.
            let wait = Duration::minutes(1i64 << row.attempts.clamp(0, 8));
            let status = if row.attempts >= MAX_ATTEMPTS {
                outbox_mail::FAILED
            } else {
                outbox_mail::QUEUED
            };
            outbox_mail::Entity::update_many()
                .col_expr(outbox_mail::Column::Status, Expr::value(status))
                .col_expr(
                    outbox_mail::Column::NextAttemptAt,
                    Expr::value(Utc::now() + wait),
                )
                .col_expr(
                    outbox_mail::Column::LastError,
                    Expr::value(err.message.clone()),
                )
                .filter(outbox_mail::Column::Id.eq(row.id))
                .exec(&state.db)
                .await?;
            tracing::warn!(outbox_id = row.id, error = %err.message, "mail not delivered; will retry");
            Ok(Some(Outcome::Retrying))
        }
    }
}
