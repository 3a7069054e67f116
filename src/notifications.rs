//! Notifications: replies in watched threads, @mentions and quotes. They are created in the
//! same transaction as the post, only for people who may read the thread, and shown behind
//! the bell in the header; people who asked for it also get them by mail.
//!
//! This file holds the queries (who is notified, how many are unread), which the page shell
//! uses for the bell; the pages are in [`pages`], the mails in [`mail`].

pub mod mail;
pub mod pages;

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::{
    entities::{notification, post, practice, thread, user, watch},
    forum,
    visibility::Reader,
};

/// The `@handle`s in a text: letters, digits and hyphens after an `@` that does not sit
/// inside a word (so e-mail addresses are not mentions).
pub fn mentioned_handles(body: &str) -> BTreeSet<String> {
    let mut handles = BTreeSet::new();
    let chars: Vec<char> = body.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '@' || (i > 0 && chars[i - 1].is_alphanumeric()) {
            continue;
        }
        let handle: String = chars[i + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == '-')
            .collect::<String>()
            .trim_end_matches('-')
            .to_lowercase();
        if !handle.is_empty() {
            handles.insert(handle);
        }
    }
    handles
}

/// The author follows their own thread, unless they muted it before.
pub async fn watch_thread(
    db: &impl ConnectionTrait,
    user_id: i32,
    thread_id: i32,
) -> Result<(), DbErr> {
    watch::Entity::insert(watch::ActiveModel {
        user_id: Set(user_id),
        thread_id: Set(thread_id),
        muted: Set(false),
    })
    .on_conflict_do_nothing_on([watch::Column::UserId, watch::Column::ThreadId])
    .exec(db)
    .await?;
    Ok(())
}

/// After a post is written: watch for its author, and notify watchers, the mentioned and the
/// quoted — each once, never the author, and only those who may read the thread.
pub async fn after_post(
    db: &impl ConnectionTrait,
    thread: &thread::Model,
    practice: &practice::Model,
    post: &post::Model,
    quoted_author: Option<i32>,
) -> Result<(), DbErr> {
    watch_thread(db, post.author_id, thread.id).await?;
    let handles = mentioned_handles(&post.body);
    let mentioned: Vec<user::Model> = if handles.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Handle.is_in(handles))
            .all(db)
            .await?
    };
    let watchers: Vec<i32> = watch::Entity::find()
        .filter(watch::Column::ThreadId.eq(thread.id))
        .filter(watch::Column::Muted.eq(false))
        .all(db)
        .await?
        .into_iter()
        .map(|w| w.user_id)
        .collect();

    // Strongest reason first: a mention beats a quote beats a reply.
    let mut kinds: HashMap<i32, &'static str> = HashMap::new();
    for id in watchers {
        kinds.insert(id, notification::REPLY);
    }
    if let Some(id) = quoted_author {
        kinds.insert(id, notification::QUOTE);
    }
    for person in &mentioned {
        kinds.insert(person.id, notification::MENTION);
    }
    kinds.remove(&post.author_id);
    if kinds.is_empty() {
        return Ok(());
    }
    let people = forum::people(db, kinds.keys().copied()).await?;
    let now = Utc::now();
    let rows: Vec<notification::ActiveModel> = kinds
        .into_iter()
        .filter(|(id, _)| {
            people
                .get(id)
                .is_some_and(|person| Reader::of(Some(person)).may_read(thread, practice))
        })
        .map(|(user_id, kind)| notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.into()),
            thread_id: Set(thread.id),
            post_id: Set(post.id),
            actor_id: Set(post.author_id),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    if !rows.is_empty() {
        notification::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// The bell: unread notifications about what this reader may (still) read.
pub async fn unread_count(db: &impl ConnectionTrait, reader: Reader) -> Result<u64, DbErr> {
    reader
        .notifications()
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await
}
