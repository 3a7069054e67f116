//! A thread that stops being public leaves the digests not yet sent. Digests are composed
//! ahead of sending; each queued one that links to the thread is taken out of the outbox
//! and composed again for the same period, where the visibility rule now leaves the thread
//! out. A digest already being handed to the mail server (leased) is not touched.

use chrono::Utc;
use indicatif::ProgressBar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{enqueue, period_key, schedule};
use crate::{AppState, entities::outbox_mail};

/// Takes thread `thread_id` out of every queued digest; returns how many were composed
/// again.
pub async fn withdraw_thread(state: &AppState, thread_id: i32) -> anyhow::Result<usize> {
    // Every digest links each thread it names as `…/onderwerpen/{id}"` in its HTML part.
    let link = format!("%/onderwerpen/{thread_id}\"%");
    let queued = || {
        outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
            .filter(outbox_mail::Column::SubscriberId.is_not_null())
            .filter(outbox_mail::Column::HtmlBody.like(link.as_str()))
    };
    let keys: Vec<String> = queued()
        .select_only()
        .column(outbox_mail::Column::PeriodKey)
        .distinct()
        .into_tuple()
        .all(&state.db)
        .await?;
    if keys.is_empty() {
        return Ok(0);
    }
    outbox_mail::Entity::delete_many()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
        .filter(outbox_mail::Column::SubscriberId.is_not_null())
        .filter(outbox_mail::Column::HtmlBody.like(link.as_str()))
        .exec(&state.db)
        .await?;
    // Compose again what belongs to the current period; a digest of an older period still
    // waiting (rare: a long mail outage) is dropped rather than sent with the thread.
    let (slot, frequencies) = schedule::due_now(
        Utc::now(),
        state.settings.digest_weekday,
        state.settings.digest_hour,
    );
    let current: Vec<&str> = frequencies
        .into_iter()
        .filter(|f| keys.contains(&period_key(f, slot)))
        .collect();
    if keys.len() > current.len() {
        tracing::warn!(
            thread_id,
            "queued digests of an earlier period left out a thread that is no longer public"
        );
    }
    if current.is_empty() {
        return Ok(0);
    }
    let counts = enqueue(state, slot, &current, false, &ProgressBar::hidden()).await?;
    Ok(counts.queued)
}
