//! Notifications: replies in watched threads, @mentions and quotes; flags for facilitators,
//! a hidden post for its author and a handled flag for whoever flagged it; nominations and
//! summaries waiting for review for the expert group. They are created in the same
//! transaction as what they tell, only for people who may read it, once per person and
//! event, and shown behind the bell ("Meldingen") in the header; members get them by mail
//! too unless they switched a kind off ([`mail`]).
//!
//! This file holds the queries (who is notified, how many are unread), which the page shell
//! uses for the bell; the pages are in [`pages`], the mails in [`mail`].

pub mod mail;
pub mod pages;
pub mod stop;

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::{
    entities::{membership, notification, post, practice, summary, thread, user, watch},
    forum::{self, Scope},
    i18n::Lang,
    visibility::Reader,
};

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
/// quoted — each once, never the author, and only those who may read the thread. Returns
/// who was told (their bells changed).
pub async fn after_post(
    db: &impl ConnectionTrait,
    thread: &thread::Model,
    practice: &practice::Model,
    post: &post::Model,
    quoted_author: Option<i32>,
) -> Result<Vec<i32>, DbErr> {
    watch_thread(db, post.author_id, thread.id).await?;
    let handles = crate::mentions::handles(&post.body);
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
        return Ok(Vec::new());
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
            thread_id: Set(Some(thread.id)),
            post_id: Set(Some(post.id)),
            actor_id: Set(post.author_id),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    let told: Vec<i32> = rows
        .iter()
        .filter_map(|row| row.user_id.clone().take())
        .collect();
    if !rows.is_empty() {
        notification::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(told)
}

/// One notification as a person reads it, in the list and in mail.
pub struct Line {
    pub id: i32,
    pub kind: String,
    pub text: String,
    /// A second line: why a post was hidden.
    pub detail: Option<String>,
    pub at: chrono::DateTime<Utc>,
    pub unread: bool,
    /// What the line is about (a thread, or a summary), for bundling mail per thread.
    pub subject: Subject,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Thread(i32),
    Summary(i32),
}

/// The sentence for one notification: who did what, where.
pub fn sentence(lang: Lang, kind: &str, actor: &str, title: &str) -> String {
    rust_i18n::t!(
        &format!("notifications.kind.{kind}"),
        locale = lang.code(),
        name = actor,
        title = title
    )
    .into_owned()
}

/// The lines for notifications already put to the visibility rule (they came through
/// [`Reader::notifications`]): titles through the scope, so a thread moved out of reach
/// since shows nothing. A fixed number of queries, however many there are.
pub async fn lines(
    db: &impl ConnectionTrait,
    scope: &Scope,
    lang: Lang,
    items: &[notification::Model],
) -> Result<Vec<Line>, DbErr> {
    let threads = scope
        .threads_by_id(db, items.iter().filter_map(|n| n.thread_id))
        .await?;
    let summary_ids: Vec<i32> = items.iter().filter_map(|n| n.summary_id).collect();
    let summaries: HashMap<i32, summary::Model> = if summary_ids.is_empty() {
        HashMap::new()
    } else {
        scope
            .reader()
            .summaries()
            .filter(summary::Column::Id.is_in(summary_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let hidden: Vec<i32> = items
        .iter()
        .filter(|n| n.kind == notification::POST_HIDDEN)
        .filter_map(|n| n.post_id)
        .collect();
    let reasons: HashMap<i32, String> = if hidden.is_empty() {
        HashMap::new()
    } else {
        post::Entity::find()
            .filter(post::Column::Id.is_in(hidden))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.id, p.hidden_reason?)))
            .collect()
    };
    let actors = forum::people(db, items.iter().map(|n| n.actor_id)).await?;
    Ok(items
        .iter()
        .filter_map(|n| {
            let (title, subject) = match (n.thread_id, n.summary_id) {
                (Some(id), _) => (threads.get(&id)?.title.as_str(), Subject::Thread(id)),
                (None, Some(id)) => (summaries.get(&id)?.title.as_str(), Subject::Summary(id)),
                (None, None) => return None,
            };
            let actor = actors.get(&n.actor_id).map_or("—", |a| a.name.as_str());
            let detail = if n.kind == notification::POST_HIDDEN {
                // Restored since: nothing to explain any more.
                let reason = reasons.get(&n.post_id?)?;
                Some(format!("{}: {reason}", lang.t("moderation.reason")))
            } else {
                None
            };
            Some(Line {
                id: n.id,
                kind: n.kind.clone(),
                text: sentence(lang, &n.kind, actor, title),
                detail,
                at: n.created_at,
                unread: n.read_at.is_none(),
                subject,
            })
        })
        .collect())
}

/// Where opening a notification leads, for this reader (`None`: nothing there any more).
pub async fn target_path(
    db: &impl ConnectionTrait,
    scope: &Scope,
    n: &notification::Model,
) -> Result<Option<String>, DbErr> {
    if let Some(id) = n.summary_id {
        return Ok(scope
            .reader()
            .summaries()
            .filter(summary::Column::Id.eq(id))
            .one(db)
            .await?
            .map(|s| format!("/kennisbundels/{}", s.slug)));
    }
    let Some(thread_id) = n.thread_id else {
        return Ok(None);
    };
    let Some((thread, practice)) = scope.thread_in_practice(db, thread_id).await? else {
        return Ok(None);
    };
    Ok(Some(match n.kind.as_str() {
        notification::FLAG if scope.moderates(practice.id) => {
            format!("/praktijken/{}/signaleringen", practice.slug)
        }
        notification::FLAG => "/beheer/signaleringen".to_string(),
        notification::NOMINATED => "/expertgroep/voordrachten".to_string(),
        notification::FLAG_HANDLED => format!("/onderwerpen/{}", thread.id),
        _ => match n.post_id {
            Some(post_id) => match scope.readable_post(db, post_id).await? {
                Some((post, thread)) => forum::views::post_url(thread.id, &post),
                None => return Ok(None),
            },
            None => format!("/onderwerpen/{}", thread.id),
        },
    }))
}

/// The bell: unread notifications about what this reader may (still) read.
pub async fn unread_count(db: &impl ConnectionTrait, reader: Reader) -> Result<u64, DbErr> {
    reader
        .notifications()
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await
}

/// What one event is about: the post (and its thread), or a summary.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Post { thread_id: i32, post_id: i32 },
    Summary(i32),
}

/// Tells each person once about one event: someone with an unread notification of the same
/// kind about the same thing is not told again (five flags on one post make one line in a
/// facilitator's bell, not five), and the actor is never told about their own act.
pub async fn tell(
    db: &impl ConnectionTrait,
    people: impl IntoIterator<Item = i32>,
    kind: &str,
    target: Target,
    actor_id: i32,
) -> Result<(), DbErr> {
    let mut people: BTreeSet<i32> = people.into_iter().collect();
    people.remove(&actor_id);
    if people.is_empty() {
        return Ok(());
    }
    let told = notification::Entity::find()
        .filter(notification::Column::Kind.eq(kind))
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::UserId.is_in(people.iter().copied()));
    let told = match target {
        Target::Post { post_id, .. } => told.filter(notification::Column::PostId.eq(post_id)),
        Target::Summary(id) => told.filter(notification::Column::SummaryId.eq(id)),
    };
    for n in told.all(db).await? {
        people.remove(&n.user_id);
    }
    if people.is_empty() {
        return Ok(());
    }
    let (thread_id, post_id, summary_id) = match target {
        Target::Post { thread_id, post_id } => (Some(thread_id), Some(post_id), None),
        Target::Summary(id) => (None, None, Some(id)),
    };
    let now = Utc::now();
    notification::Entity::insert_many(people.into_iter().map(|user_id| {
        notification::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.into()),
            thread_id: Set(thread_id),
            post_id: Set(post_id),
            summary_id: Set(summary_id),
            actor_id: Set(actor_id),
            created_at: Set(now),
            ..Default::default()
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// A post was flagged: the practice's facilitators are told at once.
pub async fn flagged(
    db: &impl ConnectionTrait,
    post: &post::Model,
    practice_id: i32,
    flagger: i32,
) -> Result<(), DbErr> {
    let facilitators = membership::Entity::find()
        .filter(membership::Column::PracticeId.eq(practice_id))
        .filter(membership::Column::Role.eq(membership::Role::Facilitator))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id);
    tell(
        db,
        facilitators,
        notification::FLAG,
        Target::Post {
            thread_id: post.thread_id,
            post_id: post.id,
        },
        flagger,
    )
    .await
}

/// The members of the expert group (not administrators, who only may do what experts do).
pub async fn experts(db: &impl ConnectionTrait) -> Result<Vec<i32>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::IsExpert.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::DeletedAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}
