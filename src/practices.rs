//! The learning practices: the list, a page per practice with its threads, joining and
//! leaving, and who takes part.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{membership, practice, thread},
    error::{AppError, AppResult},
    forms::FieldErrors,
    forum::{self, Scope, THREADS_PER_PAGE, views},
    layout,
    page_cache::Changes,
    page_cache::{self, Part},
};

/// The practices (not the expert area) in the administrator's order, archived ones last.
pub async fn all_practices(db: &impl ConnectionTrait) -> Result<Vec<practice::Model>, DbErr> {
    practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .order_by_asc(practice::Column::Archived)
        .order_by_asc(practice::Column::Position)
        .order_by_asc(practice::Column::Id)
        .all(db)
        .await
}

pub async fn active_practices(db: &impl ConnectionTrait) -> Result<Vec<practice::Model>, DbErr> {
    Ok(all_practices(db)
        .await?
        .into_iter()
        .filter(|p| !p.archived)
        .collect())
}

pub async fn list_practices(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let practices = all_practices(&state.db).await?;
    let unread = match &ctx.user {
        Some(person) => forum::unread::threads_per_practice(&state.db, person).await?,
        None => HashMap::new(),
    };
    Ok(page_cache::keep(
        layout::page(
            &ctx,
            &ctx.t("practices.title"),
            html! {
                h1 { (ctx.t("practices.title")) }
                p.lead { (ctx.t("practices.intro")) }
                (practice_cards(&ctx, &practices, &unread))
            },
        ),
        [Part::Activity, Part::Titles],
    ))
}

/// The practices as cards; for a member, each says how many of its threads have posts they
/// have not read (`unread`, by practice id).
pub fn practice_cards(
    ctx: &Ctx,
    practices: &[practice::Model],
    unread: &HashMap<i32, i64>,
) -> Markup {
    html! {
        ul.cards {
            @for p in practices {
                li.card.archived[p.archived] {
                    h3 { a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) } }
                    @if p.archived {
                        p.badge { (ctx.t("practices.archived")) }
                    }
                    @if let Some(n) = unread.get(&p.id).filter(|n| **n > 0) {
                        p { a.badge.new href={ "/praktijken/" (p.slug) } { (ctx.lang.plural("practices.unread_threads", *n)) } }
                    }
                    p { (p.description(ctx.lang)) }
                }
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextForm {
    next: String,
}

/// "Alles gelezen" in one practice.
pub async fn mark_read(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    changes: Changes,
    CsrfForm(form): CsrfForm<NextForm>,
) -> AppResult<Response> {
    changes.nothing_shown();
    let person = ctx.require_user()?;
    changes.personal(person.id);
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope.practice_by_slug(&slug).ok_or(AppError::NotFound)?;
    forum::unread::mark_practice_read(&state.db, person.id, practice.id).await?;
    Ok(Redirect::to(&crate::home::local_path(&form.next)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pagina: Option<u64>,
}

pub async fn show_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    // The expert area is in the scope of experts and administrators only.
    let practice = scope
        .practice_by_slug(&slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let is_practice = practice.kind == practice::Kind::Practice;
    let threads = scope
        .threads()
        .filter(thread::Column::PracticeId.eq(practice.id))
        .order_by_desc(thread::Column::Pinned)
        .order_by_desc(thread::Column::LastPostAt)
        .order_by_desc(thread::Column::Id)
        .paginate(&state.db, THREADS_PER_PAGE);
    let pages = threads.num_pages().await?.max(1);
    let page = query.pagina.unwrap_or(1);
    if page == 0 || page > pages {
        return Err(AppError::NotFound);
    }
    let threads = threads.fetch_page(page - 1).await?;
    let posters = forum::people(&state.db, threads.iter().filter_map(|t| t.last_poster_id)).await?;
    let standing = scope.standing(&practice);
    let membership = standing.membership.clone();
    let unread = match &ctx.user {
        Some(person) => {
            Some(forum::unread::per_thread(&state.db, person, threads.iter().map(|t| t.id)).await?)
        }
        None => None,
    };
    let (may_post, may_moderate) = (standing.may_post, standing.may_moderate);
    let rows: Vec<views::ThreadRow> = threads
        .iter()
        .map(|t| views::ThreadRow {
            thread: t,
            last_poster: t.last_poster_id.and_then(|id| posters.get(&id)),
            unread: unread.as_ref().map(|u| u.get(&t.id).copied().unwrap_or(0)),
        })
        .collect();
    let soon = crate::meetings::upcoming(
        &state.db,
        scope.reader(),
        crate::meetings::Among::Practice(practice.id),
        crate::meetings::SOON,
    )
    .await?;
    let base = format!("/praktijken/{}", practice.slug);
    Ok(page_cache::keep(
        layout::page(
            &ctx,
            practice.name(ctx.lang),
            html! {
                @if is_practice {
                    p.breadcrumb { a href="/praktijken" { (ctx.t("practices.title")) } }
                } @else {
                    div.notice role="note" { p { (ctx.t("expert.private_notice")) } }
                }
                h1 { (practice.name(ctx.lang)) }
                @if practice.archived {
                    div.notice role="note" { p { (ctx.t("practices.archived_notice")) } }
                }
                p.lead { (practice.description(ctx.lang)) }
                (crate::search::views::practice_box(&ctx, &practice))
                div.actions {
                    @if may_post {
                        a.button href={ (base) "/nieuw" } { (ctx.t("forum.new_thread")) }
                    }
                    @if ctx.user.is_some() && !practice.archived && is_practice {
                        @if let Some(m) = &membership {
                            @if m.role == membership::Role::Facilitator {
                                span.badge { (ctx.t("role.facilitator")) }
                            }
                            form.inline method="post" action={ (base) "/verlaten" } {
                                (layout::csrf_field(&ctx))
                                button.secondary type="submit" { (ctx.t("practices.leave")) }
                            }
                        } @else {
                            form.inline method="post" action={ (base) "/deelnemen" } {
                                (layout::csrf_field(&ctx))
                                button.primary type="submit" { (ctx.t("practices.join")) }
                            }
                        }
                    }
                    @if ctx.user.is_some() && is_practice {
                        a href={ (base) "/deelnemers" } { (ctx.t("practices.participants")) }
                    }
                    @if !is_practice {
                        a href="/expertgroep/voordrachten" { (ctx.t("nominations.queue_title")) }
                        a href="/expertgroep/kennisbundels" { (ctx.t("summaries.experts_title")) }
                    }
                    @if may_moderate {
                        a href={ (base) "/signaleringen" } { (ctx.t("moderation.queue_link")) }
                    }
                }
                @if may_moderate && !practice.archived && is_practice {
                    details.visibility-default {
                        summary { (ctx.t("field.default_visibility")) }
                        (views::visibility_form(&ctx, &format!("{base}/standaard-zichtbaarheid"), practice.default_visibility.as_str(), false, &FieldErrors::default()))
                    }
                }
                (crate::meetings::views::soon(&ctx, &soon, &HashMap::new(), &format!("{base}/bijeenkomsten"), false))
                section aria-labelledby="threads-title" {
                    h2 #threads-title { (ctx.t("practices.threads_title")) }
                    @if rows.is_empty() {
                        p.empty { (ctx.t("practices.no_threads")) }
                    } @else {
                        (views::thread_list(&ctx, &rows))
                        (views::pagination(&ctx, &base, page, pages))
                    }
                    @if ctx.user.is_none() {
                        p.muted { (ctx.t("practices.visitor_hint")) }
                    }
                    @if is_practice {
                        p { a href={ "/volgen?praktijk=" (practice.slug) } { (ctx.t("practices.follow_by_mail")) } }
                    }
                }
            },
        ),
        [Part::Practice(practice.id), Part::Titles],
    ))
}

async fn joinable(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> AppResult<(practice::Model, forum::Standing)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope
        .practice_by_slug(slug)
        .filter(|p| p.kind == practice::Kind::Practice)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if practice.archived {
        return Err(AppError::Forbidden);
    }
    let standing = scope.standing(&practice);
    Ok((practice, standing))
}

pub async fn join_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (practice, standing) = joinable(&state, &ctx, &slug).await?;
    let person = ctx.require_user()?;
    if standing.membership.is_none() {
        let joined = membership::ActiveModel {
            user_id: Set(person.id),
            practice_id: Set(practice.id),
            role: Set(membership::Role::Member),
            created_at: Set(Utc::now()),
        }
        .insert(&state.db)
        .await;
        // A double click races to the same row; the first one wins, which is what we want.
        if let Err(err) = joined
            && !matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            )
        {
            return Err(err.into());
        }
    }
    Ok(Redirect::to(&format!("/praktijken/{}", practice.slug)).into_response())
}

pub async fn leave_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (practice, _) = joinable(&state, &ctx, &slug).await?;
    let person = ctx.require_user()?;
    membership::Entity::delete_by_id((person.id, practice.id))
        .exec(&state.db)
        .await?;
    Ok(Redirect::to(&format!("/praktijken/{}", practice.slug)).into_response())
}

/// Who takes part in a practice, facilitators first. For signed-in members only: names and
/// organisations of professionals are not for the open web.
pub async fn show_participants(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope
        .practice_by_slug(&slug)
        .filter(|p| p.kind == practice::Kind::Practice)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let memberships = membership::Entity::find()
        .filter(membership::Column::PracticeId.eq(practice.id))
        .all(&state.db)
        .await?;
    let people = forum::people(&state.db, memberships.iter().map(|m| m.user_id)).await?;
    let mut listed: Vec<(&membership::Model, &crate::entities::user::Model)> = memberships
        .iter()
        .filter_map(|m| {
            people
                .get(&m.user_id)
                .filter(|u| !u.disabled)
                .map(|u| (m, u))
        })
        .collect();
    listed.sort_by(|a, b| {
        (a.0.role != membership::Role::Facilitator, &a.1.name)
            .cmp(&(b.0.role != membership::Role::Facilitator, &b.1.name))
    });
    let title = rust_i18n::t!(
        "practices.participants_of",
        locale = ctx.lang.code(),
        name = practice.name(ctx.lang)
    );
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/praktijken/" (practice.slug) } { (practice.name(ctx.lang)) } }
            h1 { (title) }
            @if listed.is_empty() {
                p.empty { (ctx.t("practices.no_participants")) }
            } @else {
                ul.people {
                    @for (m, u) in &listed {
                        li {
                            strong { (views::person_link(&ctx, Some(u))) }
                            @if let Some(org) = u.shown_organisation() { ", " (org) }
                            @if !u.job.is_empty() { " (" (u.job) ")" }
                            @if m.role == membership::Role::Facilitator {
                                " " span.badge { (ctx.t("role.facilitator")) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// `/expertgroep`: the expert area, wherever an administrator renamed it to.
pub async fn expert_area(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    match scope.practices().find(|p| p.kind == practice::Kind::Expert) {
        Some(area) => Ok(Redirect::to(&format!("/praktijken/{}", area.slug)).into_response()),
        None if ctx.user.is_none() => Err(AppError::SignInRequired {
            next: "/expertgroep".into(),
        }),
        None => Err(AppError::NotFound),
    }
}
