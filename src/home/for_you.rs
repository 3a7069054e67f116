//! "Nieuw voor jou": a signed-in member's home page. What is new in their practices and the
//! threads they follow, what happened for them (the bell's lines), and new summaries — each
//! with its count, newest first, with "alles gelezen" per practice and overall. Every list
//! goes through the visibility rule (`Reader`, `Scope`); the page costs the same number of
//! queries however much is new.

use std::collections::HashMap;

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{notification, practice, summary, thread, user},
    error::AppResult,
    forum::{self, Scope, unread, views},
    layout,
    notifications::{self, Line},
    page_cache::Changes,
    practices,
    visibility::published_summaries,
};

/// How many threads, notifications and summaries the page lists.
const THREADS: u64 = 20;
const NOTIFICATIONS: u64 = 8;
const SUMMARIES: u64 = 5;
/// Summaries count as new this long after publication (and only after `read_from`).
const SUMMARY_DAYS: i64 = 30;

/// Everything the page shows, loaded in a fixed number of queries.
pub struct ForYou {
    pub threads: Vec<thread::Model>,
    pub thread_count: u64,
    pub unread: HashMap<i32, i64>,
    pub posters: HashMap<i32, user::Model>,
    pub per_practice: HashMap<i32, i64>,
    pub lines: Vec<Line>,
    pub summaries: Vec<summary::Model>,
    pub practices: Vec<practice::Model>,
    pub joined: Vec<practice::Model>,
    pub scope: Scope,
}

pub async fn load(db: &impl ConnectionTrait, person: &user::Model) -> Result<ForYou, DbErr> {
    let scope = Scope::for_viewer(db, Some(person)).await?;
    let joined: Vec<practice::Model> = scope.joined_practices().into_iter().cloned().collect();
    let joined_ids: Vec<i32> = joined.iter().map(|p| p.id).collect();
    let new_threads = unread::threads_for(person, &joined_ids);
    let thread_count = new_threads.clone().count(db).await?;
    let threads = new_threads.limit(THREADS).all(db).await?;
    let unread = unread::per_thread(db, person, threads.iter().map(|t| t.id)).await?;
    let posters = forum::people(db, threads.iter().filter_map(|t| t.last_poster_id)).await?;
    let per_practice = unread::threads_per_practice(db, person).await?;
    let items = scope
        .reader()
        .notifications()
        .filter(notification::Column::ReadAt.is_null())
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(NOTIFICATIONS)
        .all(db)
        .await?;
    let lang = crate::i18n::Lang::parse(&person.lang).unwrap_or_default();
    let lines = notifications::lines(db, &scope, lang, &items).await?;
    let since = Ord::max(person.read_from, Utc::now() - Duration::days(SUMMARY_DAYS));
    let summaries = published_summaries()
        .filter(summary::Column::PublishedAt.gt(since))
        .order_by_desc(summary::Column::PublishedAt)
        .limit(SUMMARIES)
        .all(db)
        .await?;
    // The practice cards, from the practices the scope loaded already.
    let mut practices: Vec<practice::Model> = scope
        .practices()
        .filter(|p| p.kind == practice::Kind::Practice && !p.archived)
        .cloned()
        .collect();
    practices.sort_by_key(|p| (p.position, p.id));
    Ok(ForYou {
        threads,
        thread_count,
        unread,
        posters,
        per_practice,
        lines,
        summaries,
        practices,
        joined,
        scope,
    })
}

/// The member's home page; `soon`: the coming meetings they may see.
pub fn view(ctx: &Ctx, person: &user::Model, data: &ForYou, soon: Markup) -> Markup {
    let title = ctx.t("for_you.title");
    let anything_new = data.thread_count > 0;
    html! {
        section.for-you aria-labelledby="for-you-title" {
            h1 #for-you-title { (title) }
            p.lead { (rust_i18n::t!("for_you.greeting", locale = ctx.lang.code(), name = &person.name)) }
            @if anything_new {
                form.inline method="post" action="/gelezen" {
                    (layout::csrf_field(ctx))
                    button.secondary type="submit" { (ctx.t("for_you.all_read")) }
                }
            }
        }
        (soon)
        section aria-labelledby="new-threads-title" {
            h2 #new-threads-title {
                (ctx.t("for_you.threads_title")) " "
                span.count-badge { (data.thread_count) }
            }
            @if data.threads.is_empty() {
                p.empty {
                    @if data.joined.is_empty() {
                        (ctx.t("for_you.no_practices")) " "
                        a href="/praktijken" { (ctx.t("for_you.choose_practices")) }
                    } @else {
                        (ctx.t("for_you.nothing_new"))
                    }
                }
            } @else {
                ol.threads {
                    @for t in &data.threads {
                        @let n = data.unread.get(&t.id).copied().unwrap_or(0);
                        li.thread.unread {
                            h3 { a href={ "/onderwerpen/" (t.id) "/ongelezen" } { (t.title) } }
                            p.meta {
                                @if let Some(p) = data.scope.practice(t.practice_id) {
                                    a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) } " "
                                }
                                (views::visibility_badge(ctx, t.visibility))
                                @if n > 0 {
                                    " " span.badge.new { (rust_i18n::t!("forum.unread", locale = ctx.lang.code(), n = n)) }
                                }
                                " · "
                                @if let Some(poster) = t.last_poster_id.and_then(|id| data.posters.get(&id)) {
                                    (views::last_by(ctx, poster))
                                }
                                (views::when(ctx, t.last_post_at))
                            }
                        }
                    }
                }
            }
            @if !data.joined.is_empty() {
                h3 { (ctx.t("for_you.your_practices")) }
                ul.practice-unread {
                    @for p in &data.joined {
                        @let n = data.per_practice.get(&p.id).copied().unwrap_or(0);
                        li {
                            a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) }
                            " "
                            @if n > 0 {
                                span.badge.new { (ctx.lang.plural("practices.unread_threads", n)) }
                                " "
                                form.inline method="post" action={ "/praktijken/" (p.slug) "/gelezen" } {
                                    (layout::csrf_field(ctx))
                                    input type="hidden" name="next" value="/";
                                    button.linklike type="submit" aria-label={ (ctx.t("for_you.practice_read")) ": " (p.name(ctx.lang)) } { (ctx.t("for_you.practice_read")) }
                                }
                            } @else {
                                span.muted { (ctx.t("for_you.practice_done")) }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="for-you-notes-title" {
            h2 #for-you-notes-title {
                (ctx.t("for_you.notes_title")) " "
                span.count-badge { (ctx.unread_notifications) }
            }
            @if data.lines.is_empty() {
                p.empty { (ctx.t("for_you.no_notes")) }
            } @else {
                (notifications::pages::line_list(ctx, &data.lines, false))
            }
            p { a href="/meldingen" { (ctx.t("for_you.all_notes")) } }
        }
        section aria-labelledby="for-you-summaries-title" {
            h2 #for-you-summaries-title {
                (ctx.t("for_you.summaries_title")) " "
                span.count-badge { (data.summaries.len()) }
            }
            @if data.summaries.is_empty() {
                p.empty { (ctx.t("for_you.no_summaries")) }
            } @else {
                ul.summaries {
                    @for s in &data.summaries {
                        li {
                            a href={ "/kennisbundels/" (s.slug) } { (s.title) }
                            @if let Some(at) = s.published_at { " " span.meta { (views::when(ctx, at)) } }
                        }
                    }
                }
            }
            p { a href="/kennisbundels" { (ctx.t("home.expert_link")) } }
        }
        section aria-labelledby="practices-title" {
            h2 #practices-title { (ctx.t("home.practices_title")) }
            (practices::practice_cards(ctx, &data.practices, &data.per_practice))
        }
    }
}

/// "Alles gelezen" everywhere.
pub async fn mark_everything_read(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    changes.nothing_shown();
    let person = ctx.require_user()?;
    changes.personal(person.id);
    unread::mark_everything_read(&state.db, person.id).await?;
    Ok(Redirect::to("/").into_response())
}
