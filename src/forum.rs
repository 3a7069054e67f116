//! The forum: threads and replies inside the practices. What a viewer may read is decided
//! by [`crate::visibility`]; every read here starts from its [`Scope`].

pub mod attachments;
pub mod audience;
pub mod bodies;
pub mod drafts;
pub mod erase;
pub mod moderation;
pub mod posts;
pub mod read_marks;
pub mod threads;
pub mod unread;
pub mod views;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::user;
pub use crate::visibility::{Scope, Standing};

/// Posts per page of a thread.
pub const POSTS_PER_PAGE: u64 = 20;
/// Threads per page of a practice.
pub const THREADS_PER_PAGE: u64 = 25;

pub const TITLE_MAX: usize = 150;
/// About twenty pages of text: enough for any post, small enough to render fast.
pub const BODY_MAX: usize = 50_000;

/// The people behind a set of ids, in one query.
pub async fn people(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, user::Model>, DbErr> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// The page of a thread on which the post at `position` appears.
pub fn page_of(position: i32) -> u64 {
    u64::try_from(position.max(1) - 1).unwrap_or(0) / POSTS_PER_PAGE + 1
}
