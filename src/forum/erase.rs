//! Erasing what people wrote: the one place a post's text leaves the database. The author's
//! "verwijderen" and the deletion of an account both come here, so "removed" means the same
//! everywhere: the body is emptied, every earlier revision is deleted, the files go, and the
//! post keeps its place in the thread (shown as a "verwijderd" marker).
//!
//! Everything is done per batch of ids, never per post, so erasing a long-standing member's
//! thousand posts costs a handful of statements.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::entities::{attachment, post, post_revision};

/// Ids per statement: far below the bind-parameter limits of SQLite and PostgreSQL.
const BATCH: usize = 500;

/// Erases the posts: deletes their revisions and attachment rows, empties their bodies,
/// clears a facilitator's hiding reason (it may quote the text) and marks them removed
/// (an earlier removal time is kept); queued notification mails that may quote them are
/// composed again. Returns how many posts were erased. After the commit, the caller calls
/// [`crate::db::flush_erased`] so the old text is gone from the database file too.
///
/// The stored files are not touched here, since this runs inside the caller's transaction:
/// take [`stored_files`] before and call [`remove_unused_files`] after the commit.
pub async fn erase_posts(db: &impl ConnectionTrait, post_ids: &[i32]) -> Result<u64, DbErr> {
    let mut erased = 0;
    let now = Utc::now();
    for ids in post_ids.chunks(BATCH) {
        post_revision::Entity::delete_many()
            .filter(post_revision::Column::PostId.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
        attachment::Entity::delete_many()
            .filter(attachment::Column::PostId.is_in(ids.iter().copied()))
            .exec(db)
            .await?;
        post::Entity::update_many()
            .col_expr(post::Column::DeletedAt, Expr::value(now))
            .filter(post::Column::Id.is_in(ids.iter().copied()))
            .filter(post::Column::DeletedAt.is_null())
            .exec(db)
            .await?;
        let mut erase = post::Entity::update_many();
        for (column, value) in super::bodies::Body::empty().columns() {
            erase = erase.col_expr(column, value);
        }
        erased += erase
            .col_expr(
                post::Column::HiddenReason,
                Expr::value(Option::<String>::None),
            )
            .filter(post::Column::Id.is_in(ids.iter().copied()))
            .exec(db)
            .await?
            .rows_affected;
        crate::notifications::mail::forget_posts(db, ids).await?;
        crate::search::index::sync_posts(db, ids).await?;
    }
    Ok(erased)
}

/// The stored files (content hashes) attached to these posts.
pub async fn stored_files(
    db: &impl ConnectionTrait,
    post_ids: &[i32],
) -> Result<Vec<String>, DbErr> {
    let mut files = Vec::new();
    for ids in post_ids.chunks(BATCH) {
        let found: Vec<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Sha256)
            .filter(attachment::Column::PostId.is_in(ids.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        files.extend(found);
    }
    files.sort_unstable();
    files.dedup();
    Ok(files)
}

/// Deletes from disk each of these files that no attachment row uses any more (the same
/// photo may hang under someone else's post too). Call after the erasing transaction has
/// committed. A file that cannot be deleted is logged, not fatal: its row is gone already.
pub async fn remove_unused_files(
    db: &impl ConnectionTrait,
    storage: &crate::storage::Folder,
    files: &[String],
) -> Result<u64, DbErr> {
    let mut removed = 0;
    for batch in files.chunks(BATCH) {
        let still_used: std::collections::HashSet<String> = attachment::Entity::find()
            .select_only()
            .column(attachment::Column::Sha256)
            .filter(attachment::Column::Sha256.is_in(batch.iter().cloned()))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for sha in batch
            .iter()
            .filter(|s| s.len() == 64 && !still_used.contains(*s))
        {
            // The file and, for a photo, its smaller sizes beside it.
            for variant in crate::media::Variant::ALL {
                let Some(key) = crate::storage::attachment_key(sha, variant) else {
                    continue;
                };
                match storage.delete(&key).await {
                    Ok(true) if variant == crate::media::Variant::Full => removed += 1,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(file = %sha, error = %e, "erased file not removed"),
                }
            }
        }
    }
    Ok(removed)
}
