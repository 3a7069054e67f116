//! Durable digest delivery.
//!
//! Composing a period inserts one outbox row per (recipient, period) under a unique
//! constraint, so running it twice — or on two instances — queues nothing twice. Workers
//! claim due rows one by one with a conditional UPDATE that sets a lease (safe on SQLite and
//! PostgreSQL alike); a worker that dies leaves its lease to expire and the row is picked up
//! again. Each mail carries a Message-ID derived from its row, so a resend after an
//! ambiguous failure is recognisable as the same mail. Transient failures retry with
//! exponential backoff; a permanent rejection marks the row bounced and, after three,
//! suspends the subscriber.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
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
    digests::{self, Digest, Period},
    entities::{outbox_mail, subscriber, subscriber_practice},
    forum::Scope,
    mail::{self, Email},
};

/// How long a claimed row is a worker's own.
const LEASE: i64 = 5;
/// After this many attempts a row is given up as failed.
const MAX_ATTEMPTS: i32 = 8;
/// Permanent rejections before an address is suspended.
const MAX_BOUNCES: i32 = 3;

/// `weekly:2026-W48` or `monthly:2026-11`: which digest a row is.
pub fn period_key(frequency: &str, end: DateTime<Utc>) -> String {
    if frequency == subscriber::MONTHLY {
        format!("monthly:{}-{:02}", end.year(), end.month())
    } else {
        let week = end.iso_week();
        format!("weekly:{}-W{:02}", week.year(), week.week())
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    pub queued: usize,
    pub nothing_new: usize,
    pub already: usize,
}

/// Composes the digests of every active subscriber of `frequencies` for the period ending
/// at `end`, and queues them. With `dry_run`, only counts.
pub async fn enqueue(
    state: &AppState,
    end: DateTime<Utc>,
    frequencies: &[&str],
    dry_run: bool,
    progress: &ProgressBar,
) -> anyhow::Result<Enqueued> {
    let subscribers = subscriber::Entity::find()
        .filter(subscriber::Column::Status.eq(subscriber::ACTIVE))
        .filter(subscriber::Column::Frequency.is_in(frequencies.iter().copied()))
        .order_by_asc(subscriber::Column::Id)
        .all(&state.db)
        .await?;
    let keys: HashSet<String> = frequencies.iter().map(|f| period_key(f, end)).collect();
    // Everyone's chosen practices in one query; visitors with the same choices share one
    // composed digest (members read with their own eyes and are composed one by one).
    let mut chosen: HashMap<i32, Vec<i32>> = HashMap::new();
    for row in subscriber_practice::Entity::find()
        .order_by_asc(subscriber_practice::Column::PracticeId)
        .all(&state.db)
        .await?
    {
        chosen
            .entry(row.subscriber_id)
            .or_default()
            .push(row.practice_id);
    }
    let visitor = Scope::for_viewer(&state.db, None).await?;
    type Choices = (String, bool, Option<Vec<i32>>);
    let mut composed: HashMap<Choices, Option<Digest>> = HashMap::new();
    let existing: HashSet<(String, String)> = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::PeriodKey.is_in(keys.iter().cloned()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.recipient, m.period_key))
        .collect();
    progress.set_length(u64::try_from(subscribers.len()).unwrap_or(u64::MAX));
    let mut counts = Enqueued::default();
    let mut rows = Vec::new();
    for sub in &subscribers {
        progress.inc(1);
        let key = period_key(&sub.frequency, end);
        if existing.contains(&(sub.email.clone(), key.clone())) {
            counts.already += 1;
            continue;
        }
        let period = Period::ending(end, &sub.frequency);
        let digest = if sub.user_id.is_some() {
            digests::compose(&state.db, sub, period).await?
        } else {
            let practices =
                (!sub.all_practices).then(|| chosen.get(&sub.id).cloned().unwrap_or_default());
            let key = (sub.frequency.clone(), sub.summaries, practices);
            match composed.get(&key) {
                Some(digest) => digest.clone(),
                None => {
                    let digest = digests::compose_for(
                        &state.db,
                        &visitor,
                        key.2.as_deref(),
                        sub.summaries,
                        period,
                    )
                    .await?;
                    composed.insert(key, digest.clone());
                    digest
                }
            }
        };
        let Some(digest) = digest else {
            counts.nothing_new += 1;
            continue;
        };
        counts.queued += 1;
        if dry_run {
            continue;
        }
        let email = digests::render(state, sub, &digest, period);
        let now = Utc::now();
        rows.push(outbox_mail::ActiveModel {
            recipient: Set(sub.email.clone()),
            period_key: Set(key),
            subscriber_id: Set(Some(sub.id)),
            subject: Set(email.subject.clone()),
            text_body: Set(email.text.clone()),
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
            ..Default::default()
        });
    }
    progress.finish();
    if !rows.is_empty() {
        // One transaction; the unique (recipient, period) makes a concurrent run harmless.
        let txn = state.db.begin().await?;
        queue_rows(&txn, rows).await?;
        txn.commit().await?;
    }
    Ok(counts)
}

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

/// The most recent digest moment at or before `now`: the configured weekday and hour in
/// Amsterdam time.
pub fn last_slot(now: DateTime<Utc>, weekday: u32, hour: u32) -> DateTime<Utc> {
    use chrono::{NaiveTime, TimeZone};
    let tz = chrono_tz::Europe::Amsterdam;
    let local = now.with_timezone(&tz);
    let weekday = weekday.clamp(1, 7);
    let back = (local.weekday().number_from_monday() + 7 - weekday) % 7;
    let time = NaiveTime::from_hms_opt(std::cmp::min(hour, 23), 0, 0).unwrap_or(NaiveTime::MIN);
    for extra in [0, 7] {
        let day = local.date_naive() - Duration::days(i64::from(back) + extra);
        if let Some(slot) = tz.from_local_datetime(&day.and_time(time)).earliest() {
            let slot = slot.with_timezone(&Utc);
            if slot <= now {
                return slot;
            }
        }
    }
    now
}

/// The digest moment that is due at `now`, and which frequencies it serves: weekly always,
/// monthly at the first moment of a month. The server's schedule and `erbij digest run`
/// both use it, so they compose the same periods.
pub fn due_now(now: DateTime<Utc>, weekday: u32, hour: u32) -> (DateTime<Utc>, Vec<&'static str>) {
    let slot = last_slot(now, weekday, hour);
    let mut frequencies = vec![subscriber::WEEKLY];
    if slot.with_timezone(&chrono_tz::Europe::Amsterdam).day() <= 7 {
        frequencies.push(subscriber::MONTHLY);
    }
    (slot, frequencies)
}

/// The server's own schedule: once per digest moment, compose what is due (idempotent
/// across instances thanks to the outbox's unique key); once a day at the digest hour, the
/// daily notification mails; at every turn, notifications to mail at once; then send what
/// is queued. A turn comes every minute, or sooner when a new post wakes it.
pub async fn run_schedule(state: AppState) {
    let mut composed_for: Option<DateTime<Utc>> = None;
    let mut bundled_for: Option<chrono::NaiveDate> = None;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = state.wake_mail.notified() => {}
        }
        match crate::notices::enqueue_immediate(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "notification mails queued"),
            Err(err) => tracing::error!(error = %err, "queueing notification mails failed"),
        }
        let local = Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam);
        let today = local.date_naive();
        if local.hour() >= state.settings.digest_hour && bundled_for != Some(today) {
            match crate::notices::enqueue_daily(&state, today).await {
                Ok(n) => {
                    if n > 0 {
                        tracing::info!(queued = n, "daily notification mails queued");
                    }
                    bundled_for = Some(today);
                }
                Err(err) => {
                    tracing::error!(error = %err, "queueing daily notification mails failed")
                }
            }
        }
        let (slot, frequencies) = due_now(
            Utc::now(),
            state.settings.digest_weekday,
            state.settings.digest_hour,
        );
        if composed_for != Some(slot) {
            match enqueue(&state, slot, &frequencies, false, &ProgressBar::hidden()).await {
                Ok(n) => {
                    if n.queued > 0 {
                        tracing::info!(queued = n.queued, "digests composed");
                    }
                    composed_for = Some(slot);
                }
                Err(err) => tracing::error!(error = %err, "composing digests failed"),
            }
        }
        if let Err(err) = deliver(
            &state,
            500,
            state.settings.mail_per_second,
            &ProgressBar::hidden(),
        )
        .await
        {
            tracing::error!(error = %err, "delivering digests failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, minute, 0)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn the_digest_moment_is_monday_eight_in_amsterdam() {
        // Wednesday 25 November 2026, 12:00 UTC → Monday 23 November, 08:00 CET = 07:00 UTC.
        let now = utc(2026, 11, 25, 12, 0);
        assert_eq!(last_slot(now, 1, 8), utc(2026, 11, 23, 7, 0));
        // Monday 06:30 UTC is before the moment: the week before counts.
        let early = utc(2026, 11, 23, 6, 30);
        assert_eq!(last_slot(early, 1, 8), utc(2026, 11, 16, 7, 0));
        // Summer time: 08:00 CEST = 06:00 UTC.
        let summer = utc(2026, 7, 1, 12, 0);
        assert_eq!(last_slot(summer, 1, 8), utc(2026, 6, 29, 6, 0));
    }

    #[test]
    fn period_keys_name_the_week_or_month() {
        let end = utc(2026, 11, 23, 7, 0);
        assert_eq!(period_key("weekly", end), "weekly:2026-W48");
        assert_eq!(period_key("monthly", end), "monthly:2026-11");
    }
}
