//! Composing what to send: every active subscriber's digest for a period, queued in the
//! outbox once per (recipient, period). Subscribers with the same choices share one
//! composed digest; members read with their own eyes and are composed one by one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use indicatif::ProgressBar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::outbox::{self, queue_rows};
use crate::{
    AppState,
    digests::{self, Digest, Period},
    entities::{outbox_mail, subscriber, subscriber_practice},
    forum::Scope,
};

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
    let host = state.settings.host();
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
        rows.push(outbox::row(host, email, key, Some(sub.id)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn period_keys_name_the_week_or_month() {
        let end = Utc
            .with_ymd_and_hms(2026, 11, 23, 7, 0, 0)
            .single()
            .expect("a valid time");
        assert_eq!(period_key("weekly", end), "weekly:2026-W48");
        assert_eq!(period_key("monthly", end), "monthly:2026-11");
    }
}
