//! How far members have read, written behind: a thread page notes the member's new
//! position here, and the positions go to the database together, at most once a second,
//! coalesced per member and thread (reading page 1, 2 and 3 is one write), before any page
//! that counts unread for that member, and at a clean stop. A page that reads positions
//! takes the noted ones into account ([`ReadMarks::noted`]).

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};

use crate::page_cache::Part;

/// Positions noted and not yet written.
#[derive(Default)]
pub struct ReadMarks {
    pending: Mutex<HashMap<(i32, i32), i32>>,
}

impl ReadMarks {
    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<(i32, i32), i32>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `user` has read `thread` up to `position` (a lower position than noted is ignored).
    pub fn note(&self, user: i32, thread: i32, position: i32) {
        let mut pending = self.pending();
        let noted = pending.entry((user, thread)).or_insert(position);
        *noted = Ord::max(*noted, position);
    }

    /// The position noted for `user` in `thread` and not yet written.
    pub fn noted(&self, user: i32, thread: i32) -> Option<i32> {
        self.pending().get(&(user, thread)).copied()
    }

    /// Writes everything noted, in one transaction. What fails to be written is noted again.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<Vec<i32>, DbErr> {
        let taken: Vec<((i32, i32), i32)> = self.pending().drain().collect();
        self.write(db, taken).await
    }

    /// Writes what is noted for one member (before a page counts their unread posts).
    pub async fn flush_for(&self, db: &DatabaseConnection, user: i32) -> Result<Vec<i32>, DbErr> {
        let taken: Vec<((i32, i32), i32)> = {
            let mut pending = self.pending();
            let keys: Vec<(i32, i32)> = pending
                .keys()
                .filter(|(u, _)| *u == user)
                .copied()
                .collect();
            keys.into_iter()
                .filter_map(|k| pending.remove(&k).map(|p| (k, p)))
                .collect()
        };
        self.write(db, taken).await
    }

    async fn write(
        &self,
        db: &DatabaseConnection,
        taken: Vec<((i32, i32), i32)>,
    ) -> Result<Vec<i32>, DbErr> {
        if taken.is_empty() {
            return Ok(Vec::new());
        }
        let result = async {
            let txn = db.begin().await?;
            for ((user, thread), position) in &taken {
                super::threads::mark_read(&txn, *user, *thread, *position).await?;
            }
            txn.commit().await
        }
        .await;
        match result {
            Ok(()) => {
                let mut people: Vec<i32> = taken.iter().map(|((user, _), _)| *user).collect();
                people.sort_unstable();
                people.dedup();
                Ok(people)
            }
            Err(err) => {
                for ((user, thread), position) in taken {
                    self.note(user, thread, position);
                }
                Err(err)
            }
        }
    }
}

/// Writes the noted positions once a second, until the server stops (between two writes: a
/// write cut short would lose what it took; the stop writes what is left).
pub async fn keep_writing(state: crate::AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = state.stopping.wait() => return,
        }
        match state.read_marks.flush(&state.db).await {
            Ok(people) => tell_other_instances(&state, &people).await,
            Err(err) => tracing::warn!(error = %err, "writing read positions failed; trying again"),
        }
    }
}

/// On several instances: these members' positions are in the database now, so pages another
/// instance kept for them from before are stale. (Here they went stale when noted.)
pub async fn tell_other_instances(state: &crate::AppState, people: &[i32]) {
    if state.pages.hears_others() && !people.is_empty() {
        let parts: Vec<Part> = people.iter().copied().map(Part::Person).collect();
        state.pages.changed(&parts).await;
    }
}
