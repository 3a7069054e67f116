//! One post: its permalink, editing (every earlier text kept), the history with a readable
//! diff — for its author, facilitators and administrators, who may also redact an earlier
//! version — and removal by its author.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::Markup;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, TransactionTrait,
};

use super::{
    BODY_MAX, Scope, bodies, people,
    views::{self, PostForm},
};
use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{post, post_revision, practice, thread},
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
    page_cache::Changes,
};

/// `/berichten/{id}` lands on the right page of the thread, at the post.
pub async fn show_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let (post, thread) = scope.post(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

/// The post, its thread and practice, when `ctx`'s person wrote it and may still post there.
async fn own_post(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(post::Model, thread::Model, practice::Model)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (post, thread) = scope.post(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let practice = scope
        .practice(thread.practice_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if post.author_id != person.id || post.deleted_at.is_some() {
        return Err(AppError::Forbidden);
    }
    if thread.locked || !scope.standing(&practice).may_post {
        return Err(AppError::Forbidden);
    }
    Ok((post, thread, practice))
}

pub async fn edit_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (post, thread, _) = own_post(&state, &ctx, id).await?;
    let form = PostForm {
        body: post.body.clone(),
        ..Default::default()
    };
    Ok(views::edit_post(
        &ctx,
        &thread,
        &post,
        &form,
        &FieldErrors::default(),
        false,
    ))
}

pub async fn update_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    changes: Changes,
    CsrfForm(mut form): CsrfForm<PostForm>,
) -> AppResult<Response> {
    let (post, thread, _) = own_post(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    let mut errors = FieldErrors::default();
    errors.markdown("body", &form.body, BODY_MAX);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::edit_post(
            &ctx, &thread, &post, &form, &errors, false,
        )));
    }
    if form.action == "preview" {
        form.mentions = crate::mentions::resolve(&state.db, &form.body).await?;
        return Ok(views::edit_post(&ctx, &thread, &post, &form, &errors, true).into_response());
    }
    let body = bodies::Body::render(&form.body).await;
    if body.markdown() != post.body {
        let txn = state.db.begin().await?;
        post_revision::ActiveModel {
            post_id: Set(post.id),
            editor_id: Set(person.id),
            body: Set(post.body.clone()),
            created_at: Set(post.edited_at.unwrap_or(post.created_at)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let mut active = post.clone().into_active_model();
        body.write_to(&mut active);
        active.edited_at = Set(Some(Utc::now()));
        active.update(&txn).await?;
        crate::search::index::sync_posts(&txn, &[post.id]).await?;
        if crate::summaries::public::mark_sources_changed(&txn, thread.id, post.id).await? {
            // The expert group's summary pages say a source changed.
            changes.titles();
        }
        txn.commit().await?;
    }
    changes.posts_in(thread.id, thread.practice_id);
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

/// The post and its thread, when `ctx`'s person may see (and redact) its earlier versions.
async fn post_with_history(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(post::Model, thread::Model)> {
    ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    scope
        .post(&state.db, id)
        .await?
        .filter(|(p, t)| scope.admits_revisions(p, t))
        .ok_or(AppError::NotFound)
}

/// Every version of a post, oldest first, each compared with the one before (a redacted
/// version has no text left to compare).
pub async fn post_history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (post, thread) = post_with_history(&state, &ctx, id).await?;
    let revisions = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(post.id))
        .order_by_asc(post_revision::Column::Id)
        .all(&state.db)
        .await?;
    let authors = people(&state.db, [post.author_id]).await?;
    let bodies: Vec<Option<&str>> = revisions
        .iter()
        .map(|r| r.redacted_at.is_none().then_some(r.body.as_str()))
        .chain([Some(post.body.as_str())])
        .collect();
    // A redacted version is compared with nothing: an empty pair makes an empty diff.
    let pairs = bodies
        .windows(2)
        .map(|w| match (w[0], w[1]) {
            (Some(a), Some(b)) => (a.to_string(), b.to_string()),
            _ => (String::new(), String::new()),
        })
        .collect();
    let diffs = crate::diff::compare_all(pairs).await?;
    Ok(views::post_history(
        &ctx, &thread, &post, &revisions, &authors, &diffs,
    ))
}

/// Redacts an earlier version of a post: its text is emptied in the database (and, with
/// SQLite's `secure_delete` and a checkpoint, in the file), queued notification mails that
/// may quote it are composed again, and the history shows a marker with when and by whom.
pub async fn redact_revision(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, revision_id)): Path<(i32, i32)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (post, thread) = post_with_history(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    let revision = post_revision::Entity::find_by_id(revision_id)
        .filter(post_revision::Column::PostId.eq(post.id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = format!("/berichten/{}/versies", post.id);
    if revision.redacted_at.is_some() {
        return Ok(Redirect::to(&back).into_response());
    }
    let txn = state.db.begin().await?;
    let mut active = revision.into_active_model();
    active.body = Set(String::new());
    active.redacted_at = Set(Some(Utc::now()));
    active.redacted_by = Set(Some(person.id));
    active.update(&txn).await?;
    crate::notifications::mail::forget_posts(&txn, &[post.id]).await?;
    crate::audit::record(
        &txn,
        Some(person.id),
        "revision_redacted",
        &thread.title,
        &format!("#{}", post.id),
    )
    .await?;
    txn.commit().await?;
    crate::db::flush_erased(&state.db).await?;
    Ok(Redirect::to(&back).into_response())
}

/// Removal by the author: the text, its earlier versions and its files go (from the
/// database file too); the place in the thread stays, marked "removed".
pub async fn delete_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (post, thread, _) = own_post(&state, &ctx, id).await?;
    let files = super::erase::stored_files(&state.db, &[post.id]).await?;
    let txn = state.db.begin().await?;
    super::erase::erase_posts(&txn, &[post.id]).await?;
    crate::summaries::public::mark_sources_changed(&txn, thread.id, post.id).await?;
    txn.commit().await?;
    super::erase::remove_unused_files(&state.db, &state.storage.files, &files).await?;
    crate::db::flush_erased(&state.db).await?;
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}
