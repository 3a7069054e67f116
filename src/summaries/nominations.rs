//! Nominations: a member or facilitator puts a thread forward as "worth bundling"; experts
//! take it up, decline it with a note, or link it to a summary. The nominator hears back.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

use super::require_expert;
use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{nomination, notification, post, practice, summary, thread},
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    forum::{self, Scope, views},
    layout,
    notifications::{self, Target},
};

pub const REASON_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NominateForm {
    pub reason: String,
}

/// A practice thread this member may read (the expert area's own threads are not nominated).
async fn nominable(state: &AppState, ctx: &Ctx, id: i32) -> AppResult<thread::Model> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let thread = scope
        .thread(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let practice = scope
        .practice(thread.practice_id)
        .ok_or(AppError::NotFound)?;
    if practice.kind != practice::Kind::Practice {
        return Err(AppError::NotFound);
    }
    Ok(thread)
}

fn nominate_view(
    ctx: &Ctx,
    thread: &thread::Model,
    form: &NominateForm,
    errors: &FieldErrors,
) -> Markup {
    let title = ctx.t("nominations.title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/onderwerpen/" (thread.id) } { (thread.title) } }
            h1 { (title) }
            p.lead { (ctx.t("nominations.intro")) }
            (forms::form(ctx, &format!("/onderwerpen/{}/voordragen", thread.id), errors, &ctx.t("nominations.submit"), html! {
                (forms::textarea(ctx, Field::new("reason", &form.reason).hint("nominations.reason_hint"), errors))
            }))
        },
    )
}

pub async fn show_nominate_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let thread = nominable(&state, &ctx, id).await?;
    Ok(nominate_view(
        &ctx,
        &thread,
        &NominateForm::default(),
        &FieldErrors::default(),
    ))
}

pub async fn nominate_thread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<NominateForm>,
) -> AppResult<Response> {
    let thread = nominable(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    let mut errors = FieldErrors::default();
    errors.text("reason", &form.reason, REASON_MAX);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(nominate_view(
            &ctx, &thread, &form, &errors,
        )));
    }
    let txn = state.db.begin().await?;
    nomination::ActiveModel {
        thread_id: Set(thread.id),
        nominator_id: Set(person.id),
        reason: Set(form.reason.trim().into()),
        status: Set(nomination::OPEN.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    // The expert group hears of it once, however many times the thread is nominated
    // before they look.
    if let Some(opening) = opening_post(&txn, thread.id).await? {
        let experts = notifications::experts(&txn).await?;
        let target = Target::Post {
            thread_id: thread.id,
            post_id: opening.id,
        };
        notifications::tell(&txn, experts, notification::NOMINATED, target, person.id).await?;
    }
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(layout::page(
        &ctx,
        &ctx.t("nominations.thanks_title"),
        html! {
            h1 { (ctx.t("nominations.thanks_title")) }
            p.lead { (ctx.t("nominations.thanks_text")) }
            p { a href={ "/onderwerpen/" (thread.id) } { (ctx.t("nominations.back")) } }
        },
    )
    .into_response())
}

/// The curation queue: open and taken nominations, oldest first.
pub async fn show_queue(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = require_expert(&ctx)?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let open = nomination::Entity::find()
        .filter(nomination::Column::Status.is_in([nomination::OPEN, nomination::TAKEN]))
        .order_by_asc(nomination::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let threads: HashMap<i32, thread::Model> = scope
        .threads_by_id(&state.db, open.iter().map(|n| n.thread_id))
        .await?;
    let people = forum::people(
        &state.db,
        open.iter()
            .map(|n| n.nominator_id)
            .chain(open.iter().filter_map(|n| n.handler_id)),
    )
    .await?;
    let summaries = ctx
        .reader()
        .summaries()
        .filter(summary::Column::Status.ne(summary::SummaryStatus::Withdrawn))
        .order_by_asc(summary::Column::Title)
        .all(&state.db)
        .await?;
    let name = |id: i32| people.get(&id).map(|u| u.name.as_str()).unwrap_or("—");
    let title = ctx.t("nominations.queue_title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href="/expertgroep" { (ctx.t("nav.expert_area")) } }
            h1 { (title) }
            @if open.is_empty() { p.empty { (ctx.t("nominations.queue_empty")) } }
            @for n in &open {
                @if let Some(t) = threads.get(&n.thread_id) {
                    article.card.nomination {
                        h2 { a href={ "/onderwerpen/" (t.id) } { (t.title) } }
                        p.meta {
                            (rust_i18n::t!("nominations.by", locale = ctx.lang.code(), name = name(n.nominator_id)))
                            " · " (views::when(&ctx, n.created_at))
                            @if let Some(handler) = n.handler_id {
                                " · " (rust_i18n::t!("nominations.taken_by", locale = ctx.lang.code(), name = name(handler)))
                            }
                        }
                        p { strong { (ctx.t("nominations.reason")) ": " } (n.reason) }
                        div.actions {
                            @if n.status == nomination::OPEN {
                                form.inline method="post" action={ "/voordrachten/" (n.id) "/afhandelen" } {
                                    (layout::csrf_field(&ctx))
                                    input type="hidden" name="outcome" value="taken";
                                    button.primary type="submit" { (ctx.t("nominations.take")) }
                                }
                            }
                        }
                        details.hide-post {
                            summary { (ctx.t("nominations.decline")) }
                            form method="post" action={ "/voordrachten/" (n.id) "/afhandelen" } {
                                (layout::csrf_field(&ctx))
                                input type="hidden" name="outcome" value="declined";
                                label for={ "note-" (n.id) } { (ctx.t("nominations.note")) }
                                input type="text" id={ "note-" (n.id) } name="note" maxlength="1000";
                                button.secondary type="submit" { (ctx.t("nominations.decline")) }
                            }
                        }
                        @if !summaries.is_empty() {
                            form.move-thread method="post" action={ "/voordrachten/" (n.id) "/afhandelen" } {
                                (layout::csrf_field(&ctx))
                                input type="hidden" name="outcome" value="linked";
                                label for={ "summary-" (n.id) } { (ctx.t("nominations.link_to")) }
                                select id={ "summary-" (n.id) } name="summary" {
                                    @for s in &summaries { option value=(s.id) { (s.title) } }
                                }
                                button.secondary type="submit" { (ctx.t("nominations.link")) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandleForm {
    outcome: String,
    note: String,
    summary: Option<i32>,
}

pub async fn handle_nomination(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<HandleForm>,
) -> AppResult<Response> {
    let person = require_expert(&ctx)?.clone();
    let found = nomination::Entity::find_by_id(id)
        .filter(nomination::Column::Status.is_in([nomination::OPEN, nomination::TAKEN]))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = match form.outcome.as_str() {
        "taken" => nomination::TAKEN,
        "declined" => nomination::DECLINED,
        "linked" => nomination::LINKED,
        _ => return Err(AppError::BadRequest),
    };
    let summary_id = if status == nomination::LINKED {
        let id = form.summary.ok_or(AppError::BadRequest)?;
        summary::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .ok_or(AppError::BadRequest)?;
        Some(id)
    } else {
        None
    };
    let note: String = form.note.trim().chars().take(REASON_MAX).collect();
    let txn = state.db.begin().await?;
    let nominator = found.nominator_id;
    let thread_id = found.thread_id;
    let mut active = found.into_active_model();
    active.status = Set(status.into());
    active.handler_id = Set(Some(person.id));
    active.handled_at = Set(Some(Utc::now()));
    if !note.is_empty() {
        active.note = Set(Some(note));
    }
    if summary_id.is_some() {
        active.summary_id = Set(summary_id);
    }
    active.update(&txn).await?;
    tell_nominator(&txn, nominator, thread_id, person.id, status).await?;
    txn.commit().await?;
    Ok(Redirect::to("/expertgroep/voordrachten").into_response())
}

/// The thread's opening post, which notifications about a thread point at.
async fn opening_post(
    db: &impl ConnectionTrait,
    thread_id: i32,
) -> Result<Option<post::Model>, DbErr> {
    post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .filter(post::Column::Position.eq(1))
        .one(db)
        .await
}

/// The nominator learns what became of their nomination, through a notification on the
/// thread's opening post.
pub(crate) async fn tell_nominator(
    db: &impl ConnectionTrait,
    nominator: i32,
    thread_id: i32,
    actor: i32,
    status: &str,
) -> Result<(), DbErr> {
    let Some(opening) = opening_post(db, thread_id).await? else {
        return Ok(());
    };
    let target = Target::Post {
        thread_id,
        post_id: opening.id,
    };
    let kind = format!("{}{status}", notification::NOMINATION_PREFIX);
    notifications::tell(db, [nominator], &kind, target, actor).await
}
