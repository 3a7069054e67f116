//! What facilitators do to keep a practice safe: pin, lock, move, hide and restore posts,
//! and handle the posts members flag. Administrators may do all of it everywhere. Every
//! action is written to the audit log with the change itself.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};
use serde::Deserialize;

use super::{Scope, Standing, people, views};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{flag, membership, notification, post, practice, thread},
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    layout,
    notifications::{self, Target},
    visibility::Text,
};

pub const REASON_MAX: usize = 500;

/// Flags nobody has handled yet, on posts that still exist, anywhere on the site.
pub async fn open_flag_count(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    use sea_orm::PaginatorTrait;
    flag::Entity::find()
        .filter(flag::Column::ResolvedAt.is_null())
        .count(db)
        .await
}

/// The thread and its practice, when `ctx`'s person may moderate there.
async fn moderated_thread(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(thread::Model, practice::Model)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (thread, practice) = scope
        .thread_in_practice(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !scope.standing(&practice).may_moderate {
        return Err(AppError::Forbidden);
    }
    Ok((thread, practice))
}

async fn moderated_post(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(post::Model, thread::Model, practice::Model, Standing)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (post, thread) = scope.post(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let practice = scope
        .practice(thread.practice_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let standing = scope.standing(&practice);
    if !standing.may_moderate {
        return Err(AppError::Forbidden);
    }
    Ok((post, thread, practice, standing))
}

/// The two on/off switches of a thread.
#[derive(Clone, Copy)]
enum Switch {
    Pinned,
    Locked,
}

async fn toggle(state: &AppState, ctx: &Ctx, id: i32, switch: Switch) -> AppResult<Response> {
    let (thread, _) = moderated_thread(state, ctx, id).await?;
    let title = thread.title.clone();
    let mut active = thread.clone().into_active_model();
    let action = match switch {
        Switch::Pinned => {
            active.pinned = Set(!thread.pinned);
            if thread.pinned {
                "thread_unpinned"
            } else {
                "thread_pinned"
            }
        }
        Switch::Locked => {
            active.locked = Set(!thread.locked);
            if thread.locked {
                "thread_unlocked"
            } else {
                "thread_locked"
            }
        }
    };
    let txn = state.db.begin().await?;
    active.update(&txn).await?;
    audit::record(&txn, ctx.user.as_ref().map(|u| u.id), action, &title, "").await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/onderwerpen/{id}")).into_response())
}

pub async fn toggle_pin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    toggle(&state, &ctx, id, Switch::Pinned).await
}

pub async fn toggle_lock(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    toggle(&state, &ctx, id, Switch::Locked).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    practice: String,
}

pub async fn move_thread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> AppResult<Response> {
    let (thread, from) = moderated_thread(&state, &ctx, id).await?;
    // Threads of the expert area stay there: their visibility is the area's own.
    if from.kind != practice::Kind::Practice {
        return Err(AppError::Forbidden);
    }
    let target = practice::Entity::find()
        .filter(practice::Column::Slug.eq(&form.practice))
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .filter(practice::Column::Archived.eq(false))
        .one(&state.db)
        .await?
        .ok_or(AppError::BadRequest)?;
    let detail = format!("{} → {}", from.slug, target.slug);
    let title = thread.title.clone();
    let txn = state.db.begin().await?;
    let mut active = thread.into_active_model();
    active.practice_id = Set(target.id);
    active.update(&txn).await?;
    // The index knows each post's practice (a search within one is a lookup there).
    let posts: Vec<i32> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(post::Column::ThreadId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    crate::search::index::sync_posts(&txn, &posts).await?;
    audit::record(
        &txn,
        ctx.user.as_ref().map(|u| u.id),
        "thread_moved",
        &title,
        &detail,
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/onderwerpen/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    pub reason: String,
}

/// Hides a post with a reason; its author and the facilitators still see it, marked.
pub async fn hide_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> AppResult<Response> {
    let (post, thread, _, _) = moderated_post(&state, &ctx, id).await?;
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Ok(forms::unprocessable(layout::page(
            &ctx,
            &ctx.t("moderation.hide_title"),
            html! {
                h1 { (ctx.t("moderation.hide_title")) }
                (forms::problem(&ctx, Some("moderation.reason_needed")))
                p { a href=(views::post_url(thread.id, &post)) { (ctx.t("moderation.back")) } }
            },
        )));
    }
    let txn = state.db.begin().await?;
    hide(&txn, &ctx, post.clone(), reason).await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

async fn hide(
    txn: &impl ConnectionTrait,
    ctx: &Ctx,
    post: post::Model,
    reason: &str,
) -> AppResult<()> {
    let actor = ctx.user.as_ref().map(|u| u.id);
    let subject = format!("#{}", post.id);
    let mut active = post.into_active_model();
    active.hidden_at = Set(Some(Utc::now()));
    active.hidden_by = Set(actor);
    active.hidden_reason = Set(Some(reason.to_string()));
    let post = active.update(txn).await?;
    crate::search::index::sync_posts(txn, &[post.id]).await?;
    audit::record(txn, actor, "post_hidden", &subject, reason).await?;
    let actor = actor.unwrap_or(post.author_id);
    let target = Target::Post {
        thread_id: post.thread_id,
        post_id: post.id,
    };
    // The author is told why; every open flag on it is settled by this, and whoever
    // flagged it hears that it was handled.
    notifications::tell(
        txn,
        [post.author_id],
        notification::POST_HIDDEN,
        target,
        actor,
    )
    .await?;
    let open = flag::Entity::find()
        .filter(flag::Column::PostId.eq(post.id))
        .filter(flag::Column::ResolvedAt.is_null())
        .all(txn)
        .await?;
    if !open.is_empty() {
        flag::Entity::update_many()
            .col_expr(flag::Column::ResolvedAt, Expr::value(Utc::now()))
            .col_expr(flag::Column::ResolvedBy, Expr::value(actor))
            .col_expr(flag::Column::Outcome, Expr::value("hidden"))
            .filter(flag::Column::Id.is_in(open.iter().map(|f| f.id)))
            .exec(txn)
            .await?;
        let flaggers = open.iter().map(|f| f.reporter_id);
        notifications::tell(txn, flaggers, notification::FLAG_HANDLED, target, actor).await?;
    }
    Ok(())
}

pub async fn restore_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (post, thread, _, _) = moderated_post(&state, &ctx, id).await?;
    let txn = state.db.begin().await?;
    let mut active = post.clone().into_active_model();
    active.hidden_at = Set(None);
    active.hidden_by = Set(None);
    active.hidden_reason = Set(None);
    active.update(&txn).await?;
    crate::search::index::sync_posts(&txn, &[post.id]).await?;
    let subject = format!("#{}", post.id);
    audit::record(
        &txn,
        ctx.user.as_ref().map(|u| u.id),
        "post_restored",
        &subject,
        "",
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

fn flag_view(
    ctx: &Ctx,
    thread: &thread::Model,
    post: &post::Model,
    form: &ReasonForm,
    errors: &FieldErrors,
) -> Markup {
    let title = ctx.t("moderation.flag_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href=(views::post_url(thread.id, post)) { (thread.title) } }
            h1 { (title) }
            p.lead { (ctx.t("moderation.flag_intro")) }
            (forms::form(ctx, &format!("/berichten/{}/signaleren", post.id), errors, &ctx.t("moderation.flag_submit"), html! {
                (forms::textarea(ctx, Field::new("reason", &form.reason), errors))
            }))
        },
    )
}

/// The post, when a signed-in member may read it (and so may flag it).
async fn flaggable(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(post::Model, thread::Model)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (post, thread) = scope.post(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if post.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    Ok((post, thread))
}

pub async fn show_flag_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (post, thread) = flaggable(&state, &ctx, id).await?;
    Ok(flag_view(
        &ctx,
        &thread,
        &post,
        &ReasonForm::default(),
        &FieldErrors::default(),
    ))
}

pub async fn flag_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> AppResult<Response> {
    let (post, thread) = flaggable(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    let mut errors = FieldErrors::default();
    errors.text("reason", &form.reason, REASON_MAX);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(flag_view(
            &ctx, &thread, &post, &form, &errors,
        )));
    }
    let txn = state.db.begin().await?;
    flag::ActiveModel {
        post_id: Set(post.id),
        reporter_id: Set(person.id),
        reason: Set(form.reason.trim().into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    notifications::flagged(&txn, &post, thread.practice_id, person.id).await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(layout::page(
        &ctx,
        &ctx.t("moderation.flag_thanks_title"),
        html! {
            h1 { (ctx.t("moderation.flag_thanks_title")) }
            p.lead { (ctx.t("moderation.flag_thanks_text")) }
            p { a href=(views::post_url(thread.id, &post)) { (ctx.t("moderation.back")) } }
        },
    )
    .into_response())
}

/// Open flags: per practice for its facilitators, or everywhere for administrators.
pub async fn show_flags(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope
        .practice_by_slug(&slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !scope.standing(&practice).may_moderate {
        return Err(AppError::Forbidden);
    }
    flag_queue(&state, &ctx, &scope, Some(&practice)).await
}

pub async fn show_all_flags(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = ctx.require_admin()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    flag_queue(&state, &ctx, &scope, None).await
}

async fn flag_queue(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    practice: Option<&practice::Model>,
) -> AppResult<Markup> {
    let flags = flag::Entity::find()
        .filter(flag::Column::ResolvedAt.is_null())
        .order_by_asc(flag::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let posts: std::collections::HashMap<i32, post::Model> = post::Entity::find()
        .filter(post::Column::Id.is_in(flags.iter().map(|f| f.post_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut threads = scope.threads();
    if let Some(p) = practice {
        threads = threads.filter(thread::Column::PracticeId.eq(p.id));
    }
    let threads: std::collections::HashMap<i32, thread::Model> = threads
        .filter(thread::Column::Id.is_in(posts.values().map(|p| p.thread_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let names = people(
        &state.db,
        flags
            .iter()
            .map(|f| f.reporter_id)
            .chain(posts.values().map(|p| p.author_id)),
    )
    .await?;
    // The flagged text as the rule gives it to this moderator: a removed post's text is gone
    // for everyone, here too.
    let open: Vec<(&flag::Model, &post::Model, &thread::Model, Text)> = flags
        .iter()
        .filter_map(|f| {
            let post = posts.get(&f.post_id)?;
            let thread = threads.get(&post.thread_id)?;
            Some((f, post, thread, scope.text(post, thread)?))
        })
        .collect();
    let title = match practice {
        Some(p) => rust_i18n::t!(
            "moderation.queue_of",
            locale = ctx.lang.code(),
            name = p.name(ctx.lang)
        )
        .into_owned(),
        None => ctx.t("moderation.queue_all").into_owned(),
    };
    let name = |id: i32| names.get(&id).map(|u| u.name.as_str()).unwrap_or("—");
    Ok(layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            @if open.is_empty() {
                p.empty { (ctx.t("moderation.queue_empty")) }
            }
            @for (f, post, thread, text) in &open {
                article.card.flag {
                    h2 { a href=(views::post_url(thread.id, post)) { (thread.title) } }
                    p.meta {
                        (rust_i18n::t!("moderation.flagged_by", locale = ctx.lang.code(), name = name(f.reporter_id)))
                        " · " (views::when(ctx, f.created_at))
                    }
                    p { strong { (ctx.t("moderation.reason")) ": " } (f.reason) }
                    blockquote.flagged-post {
                        p.meta { (name(post.author_id)) }
                        @match text {
                            Text::Shown { .. } => (super::bodies::html(post)),
                            Text::Removed => p.removed { (ctx.t("forum.removed_by_author")) },
                            Text::Hidden => p.removed { (ctx.t("moderation.hidden_notice")) },
                        }
                    }
                    form.stacked method="post" action={ "/signaleringen/" (f.id) "/afhandelen" } {
                        (layout::csrf_field(ctx))
                        div.field {
                            label for={ "note-" (f.id) } { (ctx.t("moderation.note")) }
                            input type="text" id={ "note-" (f.id) } name="note" maxlength=(REASON_MAX);
                        }
                        div.actions {
                            button.primary type="submit" name="outcome" value="hidden" { (ctx.t("moderation.outcome_hide")) }
                            button.secondary type="submit" name="outcome" value="dismissed" { (ctx.t("moderation.outcome_dismiss")) }
                        }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolveForm {
    outcome: String,
    note: String,
}

pub async fn resolve_flag(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let found = flag::Entity::find_by_id(id)
        .filter(flag::Column::ResolvedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (post, thread, practice, standing) = moderated_post(&state, &ctx, found.post_id).await?;
    if !matches!(form.outcome.as_str(), "hidden" | "dismissed") {
        return Err(AppError::BadRequest);
    }
    let note: String = form.note.trim().chars().take(REASON_MAX).collect();
    // The author of a hidden post is told why, in the facilitator's words (never in the
    // words of whoever flagged it).
    if form.outcome == "hidden" && post.hidden_at.is_none() && note.is_empty() {
        return Ok(forms::unprocessable(layout::page(
            &ctx,
            &ctx.t("moderation.hide_title"),
            html! {
                h1 { (ctx.t("moderation.hide_title")) }
                (forms::problem(&ctx, Some("moderation.reason_needed")))
                p { a href={ "/praktijken/" (practice.slug) "/signaleringen" } { (ctx.t("moderation.back_to_queue")) } }
            },
        )));
    }
    let txn = state.db.begin().await?;
    let hides = form.outcome == "hidden" && post.hidden_at.is_none();
    if hides {
        // Settles every open flag on the post and tells each flagger.
        hide(&txn, &ctx, post.clone(), &note).await?;
    }
    let reporter = found.reporter_id;
    let mut active = found.into_active_model();
    active.resolved_at = Set(Some(Utc::now()));
    active.resolved_by = Set(Some(person.id));
    active.outcome = Set(Some(form.outcome.clone()));
    active.note = Set((!note.is_empty()).then_some(note.clone()));
    active.update(&txn).await?;
    if !hides {
        let target = Target::Post {
            thread_id: post.thread_id,
            post_id: post.id,
        };
        notifications::tell(
            &txn,
            [reporter],
            notification::FLAG_HANDLED,
            target,
            person.id,
        )
        .await?;
    }
    let subject = format!("#{} ({})", post.id, thread.title);
    audit::record(
        &txn,
        Some(person.id),
        &format!("flag_{}", form.outcome),
        &subject,
        &note,
    )
    .await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    let facilitator = standing
        .membership
        .is_some_and(|m| m.role == membership::Role::Facilitator);
    let back = if ctx.is_admin() && !facilitator {
        "/beheer/signaleringen".to_string()
    } else {
        format!("/praktijken/{}/signaleringen", practice.slug)
    };
    Ok(Redirect::to(&back).into_response())
}
