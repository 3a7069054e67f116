//! Notifications: replies in watched threads, @mentions and quotes. They are created in the
//! same transaction as the post, only for people who may read the thread, and shown behind
//! the bell in the header. (Mail for them arrives with the digests; `emailed_at` waits.)

use std::collections::{BTreeSet, HashMap};

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, OnConflict},
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{notification, post, practice, thread, user, watch},
    error::{AppError, AppResult},
    forum::{self, Scope, views},
    layout,
    visibility::Reader,
};

/// How many notifications the page lists.
const SHOWN: u64 = 50;

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

pub async fn show_notifications(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let items = scope
        .reader()
        .notifications()
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(SHOWN)
        .all(&state.db)
        .await?;
    // Titles through the scope: a thread moved out of reach shows no title.
    let threads: HashMap<i32, thread::Model> = scope
        .threads()
        .filter(thread::Column::Id.is_in(items.iter().map(|n| n.thread_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let actors = forum::people(&state.db, items.iter().map(|n| n.actor_id)).await?;
    let title = ctx.t("notifications.title");
    let lang = ctx.lang.code();
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            @if items.iter().any(|n| n.read_at.is_none()) {
                form method="post" action="/meldingen/gelezen" {
                    (layout::csrf_field(&ctx))
                    button.secondary type="submit" { (ctx.t("notifications.mark_all")) }
                }
            }
            @if items.is_empty() {
                p.empty { (ctx.t("notifications.empty")) }
            } @else {
                ol.notifications {
                    @for n in &items {
                        @if let Some(t) = threads.get(&n.thread_id) {
                            li.unread[n.read_at.is_none()] {
                                a href={ "/meldingen/" (n.id) } {
                                    (rust_i18n::t!(
                                        &format!("notifications.kind.{}", n.kind),
                                        locale = lang,
                                        name = actors.get(&n.actor_id).map(|a| a.name.as_str()).unwrap_or("—"),
                                        title = &t.title
                                    ))
                                }
                                " " span.meta { (views::when(&ctx, n.created_at)) }
                                @if n.read_at.is_none() { " " span.badge.new { (ctx.t("notifications.new")) } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Opens a notification: marks it read and goes to the post.
pub async fn open_notification(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let found = ctx
        .reader()
        .notifications()
        .filter(notification::Column::Id.eq(id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::Id.eq(found.id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (post, thread) = scope
        .readable_post(&state.db, found.post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(person.id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&state.db)
        .await?;
    Ok(Redirect::to("/meldingen").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WatchForm {
    mode: String,
}

/// Follow a thread, or mute it (no notifications for replies, even after posting in it).
pub async fn set_watch(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<WatchForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let thread = scope
        .thread(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let muted = match form.mode.as_str() {
        "watch" => false,
        "mute" => true,
        _ => return Err(AppError::BadRequest),
    };
    watch::Entity::insert(watch::ActiveModel {
        user_id: Set(person.id),
        thread_id: Set(thread.id),
        muted: Set(muted),
    })
    .on_conflict(
        OnConflict::columns([watch::Column::UserId, watch::Column::ThreadId])
            .update_column(watch::Column::Muted)
            .to_owned(),
    )
    .exec(&state.db)
    .await?;
    Ok(Redirect::to(&format!("/onderwerpen/{}", thread.id)).into_response())
}
