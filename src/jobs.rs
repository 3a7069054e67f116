//! The server's background mail job: what runs when. It joins the mail pipeline's parts
//! ([`delivery`] for digests and the outbox, [`notifications::mail`] for notification mails,
//! [`crate::messages::mail`] for private messages), so neither needs the other.

use chrono::{DateTime, Timelike, Utc};
use indicatif::ProgressBar;

use crate::{AppState, delivery, notifications};

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
        match notifications::mail::enqueue_immediate(&state).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "notification mails queued"),
            Err(err) => tracing::error!(error = %err, "queueing notification mails failed"),
        }
        match crate::messages::mail::queue_message_mails(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "message mails queued"),
            Err(err) => tracing::error!(error = %err, "queueing message mails failed"),
        }
        match crate::meetings::mails::queue_reminders(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "meeting reminders queued"),
            Err(err) => tracing::error!(error = %err, "queueing meeting reminders failed"),
        }
        match crate::interventions::stale::queue_reminders(&state, Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(queued = n, "stale intervention reminders queued"),
            Err(err) => tracing::error!(error = %err, "queueing intervention reminders failed"),
        }
        let local = Utc::now().with_timezone(&chrono_tz::Europe::Amsterdam);
        let today = local.date_naive();
        if local.hour() >= state.settings.digest_hour && bundled_for != Some(today) {
            match notifications::mail::enqueue_daily(&state, today).await {
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
        let (slot, frequencies) = delivery::due_now(
            Utc::now(),
            state.settings.digest_weekday,
            state.settings.digest_hour,
        );
        if composed_for != Some(slot) {
            match delivery::enqueue(&state, slot, &frequencies, false, &ProgressBar::hidden()).await
            {
                Ok(n) => {
                    if n.queued > 0 {
                        tracing::info!(queued = n.queued, "digests composed");
                    }
                    composed_for = Some(slot);
                }
                Err(err) => tracing::error!(error = %err, "composing digests failed"),
            }
        }
        if let Err(err) = delivery::deliver(
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
