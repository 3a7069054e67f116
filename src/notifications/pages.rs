//! The notification pages: the list behind the bell, opening one, marking all read, and
//! following or muting a thread.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{notification, watch},
    error::{AppError, AppResult},
    forum::{Scope, views},
    layout,
    page_cache::Changes,
};

/// How many notifications the page lists.
const SHOWN: u64 = 50;

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
    let lines = super::lines(&state.db, &scope, ctx.lang, &items).await?;
    let title = ctx.t("notifications.title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("notifications.intro")) }
            @if items.iter().any(|n| n.read_at.is_none()) {
                form method="post" action="/meldingen/gelezen" {
                    (layout::csrf_field(&ctx))
                    button.secondary type="submit" { (ctx.t("notifications.mark_all")) }
                }
            }
            @if lines.is_empty() {
                p.empty { (ctx.t("notifications.empty")) }
            } @else {
                (line_list(&ctx, &lines, true))
            }
            p { a href="/profiel/email" { (ctx.t("notifications.mail_settings")) } }
        },
    ))
}

/// Notification lines as a list, for this page and the member's home; `mark_new`: say
/// "nieuw" beside the unread ones (the home lists only unread ones).
pub fn line_list(ctx: &Ctx, lines: &[super::Line], mark_new: bool) -> Markup {
    html! {
        ol.notifications {
            @for line in lines {
                li.unread[line.unread] {
                    a href={ "/meldingen/" (line.id) } { (line.text) }
                    " " span.meta { (views::when(ctx, line.at)) }
                    @if mark_new && line.unread { " " span.badge.new { (ctx.t("notifications.new")) } }
                    @if let Some(detail) = &line.detail { br; span.detail { (detail) } }
                }
            }
        }
    }
}

/// Opens a notification: marks it read and goes to what it is about.
pub async fn open_notification(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    // Read now: the bell on this member's pages counts one less.
    changes.personal(person.id);
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
    let target = super::target_path(&state.db, &scope, &found)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&target).into_response())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    changes.nothing_shown();
    let person = ctx.require_user()?;
    changes.personal(person.id);
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
    changes: Changes,
    CsrfForm(form): CsrfForm<WatchForm>,
) -> AppResult<Response> {
    changes.nothing_shown();
    let person = ctx.require_user()?;
    changes.personal(person.id);
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
