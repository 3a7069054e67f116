//! The server's background mail job: what runs when. It joins the mail pipeline's parts
//! ([`delivery`] for digests and the outbox, [`notifications::mail`] for notification mails,
//! [`crate::messages::mail`] for private messages), so neither needs the other.
//!
//! Every instance runs it. Composing is done by one instance at a time ([`Lock::Mails`]):
//! what one gathered is queued and marked before the next gathers, and the outbox's unique
//! key keeps each mail once. Sending is shared: each row is leased by the worker sending it.

use chrono::{DateTime, Timelike, Utc};
use indicatif::ProgressBar;

use crate::{
    AppState,
    db::{self, Lock},
    delivery, notifications,
};

/// What this instance composed last: a digest moment, a day's bundle.
#[derive(Default)]
struct Composed {
    digests_for: Option<DateTime<Utc>>,
    bundled_for: Option<chrono::NaiveDate>,
}

/// The server's own schedule: at every turn, compose what is due (one instance at a time),
/// then send what is queued. A turn comes every minute, sooner when a new post wakes it, and
/// when a mail in the outbox comes due — a retry's time, or the end of a lease a stopped
/// instance left — at that moment. At a stop it ends after the turn under way (whose sending
/// stops after the mails under way).
pub async fn run_schedule(state: AppState) {
    let mut composed = Composed::default();
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    let mut come_back: Option<tokio::time::Instant> = None;
    loop {
        let due = async {
            match come_back {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = tick.tick() => {}
            () = state.wake_mail.notified() => {}
            () = due => {}
            () = state.stopping.wait() => return,
        }
        if let Err(err) =
            db::one_at_a_time(&state.db, Lock::Mails, compose(&state, &mut composed)).await
        {
            tracing::error!(error = %err, "composing mails failed");
        }
        let delivered = delivery::deliver(
            &state,
            500,
            state.settings.mail_per_second,
            &ProgressBar::hidden(),
        )
        .await;
        if let Err(err) = &delivered {
            tracing::error!(error = %err, "delivering digests failed");
        }
        // After a failed turn the minute's tick is soon enough; after a good one, what
        // comes due comes back at its time (a second apart at least).
        come_back = match (&delivered, delivery::next_due(&state.db).await) {
            (Ok(_), Ok(Some(at))) => {
                let wait = (at - Utc::now()).to_std().unwrap_or_default();
                Some(tokio::time::Instant::now() + wait.max(std::time::Duration::from_secs(1)))
            }
            (_, Err(err)) => {
                tracing::warn!(error = %err, "looking up the next mail due failed");
                None
            }
            _ => None,
        };
        state.vitals.mail_turn_done();
    }
}

/// Once per digest moment, compose what is due (idempotent across instances thanks to the
/// outbox's unique key); once a day at the digest hour, the daily notification mails; at
/// every turn, notifications, messages and reminders to mail at once.
async fn compose(state: &AppState, composed: &mut Composed) {
    match notifications::mail::enqueue_immediate(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "notification mails queued"),
        Err(err) => tracing::error!(error = %err, "queueing notification mails failed"),
    }
    match crate::messages::mail::queue_message_mails(state, Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "message mails queued"),
        Err(err) => tracing::error!(error = %err, "queueing message mails failed"),
    }
    match crate::meetings::mails::queue_reminders(state, Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "meeting reminders queued"),
        Err(err) => tracing::error!(error = %err, "queueing meeting reminders failed"),
    }
    match crate::interventions::stale::queue_reminders(state, Utc::now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(queued = n, "stale intervention reminders queued"),
        Err(err) => tracing::error!(error = %err, "queueing intervention reminders failed"),
    }
    let local = Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam);
    let today = local.date_naive();
    if local.hour() >= state.settings.digest_hour && composed.bundled_for != Some(today) {
        match notifications::mail::enqueue_daily(state, today).await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(queued = n, "daily notification mails queued");
                }
                composed.bundled_for = Some(today);
            }
            Err(err) => {
                tracing::error!(error = %err, "queueing daily notification mails failed")
            }
        }
    }
    let (slot, frequencies) = delivery::due_now(
        Utc::now(),
        state.settings.digest_weekday,
        state.settings.digest_hour,
    );
    if composed.digests_for != Some(slot) {
        match delivery::enqueue(state, slot, &frequencies, false, &ProgressBar::hidden()).await {
            Ok(n) => {
                if n.queued > 0 {
                    tracing::info!(queued = n.queued, "digests composed");
                }
                composed.digests_for = Some(slot);
            }
            Err(err) => tracing::error!(error = %err, "composing digests failed"),
        }
    }
}
