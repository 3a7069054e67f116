//! People: a page per member (for members only) with what they tell about themselves and
//! what they wrote that the viewer may read, and the suggestions behind typing `@mar`.

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    context::Ctx,
    entities::{membership, post, thread, user},
    error::{AppError, AppResult},
    forum::views,
    layout,
    markdown::excerpt,
    visibility::Scope,
};

/// How many threads and replies the page lists.
const RECENT: u64 = 10;
const EXCERPT: usize = 200;

/// The member with this handle, while their account is live.
async fn by_handle(state: &AppState, handle: &str) -> AppResult<Option<user::Model>> {
    if handle.len() > 64 {
        return Ok(None);
    }
    Ok(user::Entity::find()
        .filter(user::Column::Handle.eq(handle.to_ascii_lowercase()))
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .one(&state.db)
        .await?)
}

pub async fn show_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(handle): Path<String>,
) -> AppResult<Response> {
    let viewer = ctx.require_user()?;
    let Some(person) = by_handle(&state, &handle).await? else {
        return Ok((
            axum::http::StatusCode::NOT_FOUND,
            layout::page(
                &ctx,
                &ctx.t("members.unknown_title"),
                html! {
                    h1 { (ctx.t("members.unknown_title")) }
                    p.lead { (rust_i18n::t!("members.unknown_text", locale = ctx.lang.code(), handle = &handle)) }
                },
            ),
        )
            .into_response());
    };
    let scope = Scope::for_viewer(&state.db, Some(viewer)).await?;
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .all(&state.db)
        .await?;
    // Only what the viewer may read, and never a hidden or removed post.
    let threads = scope
        .threads()
        .filter(thread::Column::AuthorId.eq(person.id))
        .order_by_desc(thread::Column::CreatedAt)
        .limit(RECENT)
        .all(&state.db)
        .await?;
    let replies = scope
        .posts()
        .filter(post::Column::AuthorId.eq(person.id))
        .filter(post::Column::HiddenAt.is_null())
        .filter(post::Column::DeletedAt.is_null())
        .filter(post::Column::Position.gt(1))
        .order_by_desc(post::Column::CreatedAt)
        .limit(RECENT)
        .all(&state.db)
        .await?;
    let reply_threads: HashMap<i32, thread::Model> = scope
        .threads_by_id(&state.db, replies.iter().map(|p| p.thread_id))
        .await?;
    let mut practices: Vec<(&crate::entities::practice::Model, bool)> = memberships
        .iter()
        .filter_map(|m| {
            let p = scope.practice(m.practice_id)?;
            Some((p, m.role == membership::Role::Facilitator))
        })
        .filter(|(p, _)| !p.archived)
        .collect();
    practices.sort_by_key(|(p, _)| (p.position, p.id));
    let listed = crate::directory::entries(&state.db, vec![person.clone()]).await?;
    // Write to them, block or unblock them: on anyone's page but one's own.
    let blocked = if person.id == viewer.id {
        None
    } else {
        Some(crate::messages::pages::has_blocked(&state, viewer.id, person.id).await?)
    };
    Ok(view(
        &ctx,
        &scope,
        &person,
        listed.first(),
        blocked,
        &practices,
        Written {
            threads: &threads,
            replies: &replies,
            reply_threads: &reply_threads,
        },
    )
    .into_response())
}

/// What a member wrote that the viewer may read.
struct Written<'a> {
    threads: &'a [thread::Model],
    replies: &'a [post::Model],
    reply_threads: &'a HashMap<i32, thread::Model>,
}

fn view(
    ctx: &Ctx,
    scope: &Scope,
    person: &user::Model,
    listed: Option<&crate::directory::Entry>,
    blocked: Option<bool>,
    practices: &[(&crate::entities::practice::Model, bool)],
    written: Written,
) -> Markup {
    let Written {
        threads,
        replies,
        reply_threads,
    } = written;
    let role = if person.is_admin {
        Some("role.admin")
    } else if person.is_expert {
        Some("role.expert")
    } else {
        None
    };
    layout::page(
        ctx,
        &person.name,
        html! {
            h1 { (person.name) }
            p.lead {
                @if let Some(handle) = &person.handle { span.handle { "@" (handle) } }
                @if !person.job.is_empty() { " · " (person.job) }
                @if let Some(org) = person.shown_organisation() { " · " (org) }
                @if let Some(key) = role { " · " span.badge { (ctx.t(key)) } }
            }
            @if let Some(entry) = listed { (crate::directory::views::details(ctx, entry)) }
            @if let Some(blocked) = blocked { (crate::messages::views::member_actions(ctx, person, blocked)) }
            @if !person.bio.is_empty() {
                div.bio { @for line in person.bio.lines() { p { (line) } } }
            }
            section aria-labelledby="member-practices" {
                h2 #member-practices { (ctx.t("members.practices")) }
                @if practices.is_empty() {
                    p.empty { (ctx.t("members.no_practices")) }
                } @else {
                    ul {
                        @for (p, facilitates) in practices {
                            li {
                                a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) }
                                @if *facilitates { " " span.badge { (ctx.t("role.facilitator")) } }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="member-threads" {
                h2 #member-threads { (ctx.t("members.threads")) }
                @if threads.is_empty() {
                    p.empty { (ctx.t("members.no_threads")) }
                } @else {
                    ul.threads {
                        @for t in threads {
                            li {
                                a href={ "/onderwerpen/" (t.id) } { (t.title) }
                                @if let Some(p) = scope.practice(t.practice_id) { " · " span.meta { (p.name(ctx.lang)) } }
                                " · " span.meta { (views::when(ctx, t.created_at)) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="member-replies" {
                h2 #member-replies { (ctx.t("members.replies")) }
                @if replies.is_empty() {
                    p.empty { (ctx.t("members.no_replies")) }
                } @else {
                    ul.replies {
                        @for p in replies {
                            @if let Some(t) = reply_threads.get(&p.thread_id) {
                                li {
                                    a href=(views::post_url(t.id, p)) { (t.title) }
                                    " · " span.meta { (views::when(ctx, p.created_at)) }
                                    br;
                                    span.excerpt { (excerpt(&p.body, EXCERPT)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuggestQuery {
    q: String,
}

#[derive(Serialize)]
pub struct Suggestion {
    handle: String,
    name: String,
    organisation: String,
}

/// Members whose handle starts with, or whose name contains, what was typed after `@`
/// (for signed-in members: the directory is not public).
pub async fn suggest(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<SuggestQuery>,
) -> AppResult<Json<Vec<Suggestion>>> {
    if ctx.user.is_none() {
        return Err(AppError::NotFound);
    }
    let typed: String = query
        .q
        .trim()
        .trim_start_matches('@')
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ')
        .take(40)
        .collect::<String>()
        .to_lowercase();
    if typed.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let people = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::Handle.starts_with(&typed))
                .add(
                    Expr::expr(Func::lower(Expr::col(user::Column::Name)))
                        .like(format!("%{typed}%")),
                ),
        )
        .order_by_asc(user::Column::Name)
        .limit(8)
        .all(&state.db)
        .await?;
    Ok(Json(
        people
            .into_iter()
            .filter_map(|p| {
                let organisation = p.shown_organisation().unwrap_or_default().to_owned();
                Some(Suggestion {
                    handle: p.handle?,
                    name: p.name,
                    organisation,
                })
            })
            .collect(),
    ))
}
