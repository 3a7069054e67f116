//! Who may read: a thread's audience, changed later by its author or a facilitator, and a
//! practice's default for new threads, set by its facilitators. Public is only ever chosen
//! after the plain warning of what it means; going back to members-only takes the thread
//! off every public surface at once (pages and feeds read the rule live; digests not yet
//! sent are composed again without it). Every change is in the audit log.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, TransactionTrait};
use serde::Deserialize;

use super::{Scope, views};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::CsrfForm,
    delivery,
    entities::{practice, thread::Visibility},
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisibilityForm {
    visibility: String,
    /// Ticked: the person read what public means.
    public_ok: Option<String>,
}

impl VisibilityForm {
    fn chosen(&self) -> Result<Visibility, FieldErrors> {
        let mut errors = FieldErrors::default();
        errors
            .visibility("visibility", &self.visibility, self.public_ok.is_some())
            .ok_or(errors)
    }
}

/// The author or a facilitator changes who may read a thread, in either direction.
pub async fn set_thread_visibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<VisibilityForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let (thread, practice) = scope
        .thread_in_practice(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !scope.may_change_visibility(&thread, &practice) {
        return Err(AppError::Forbidden);
    }
    let back = format!("/onderwerpen/{id}");
    let visibility = match form.chosen() {
        Ok(visibility) => visibility,
        Err(errors) => {
            return Ok(forms::unprocessable(views::visibility_page(
                &ctx,
                "visibility.change_title",
                (&back, &thread.title),
                &format!("{back}/zichtbaarheid"),
                &form.visibility,
                &errors,
            )));
        }
    };
    if visibility == thread.visibility {
        return Ok(Redirect::to(&back).into_response());
    }
    let narrowed = thread.visibility == Visibility::Public;
    let detail = format!("{} → {}", thread.visibility, visibility);
    let title = thread.title.clone();
    let txn = state.db.begin().await?;
    let mut active = thread.into_active_model();
    active.visibility = Set(visibility);
    active.update(&txn).await?;
    audit::record(&txn, Some(person.id), "thread_visibility", &title, &detail).await?;
    txn.commit().await?;
    if narrowed {
        delivery::withdraw_thread(&state, id).await?;
    }
    Ok(Redirect::to(&back).into_response())
}

/// Facilitators choose whether new threads in their practice start members-only (the
/// default) or public.
pub async fn set_default_visibility(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<VisibilityForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope
        .practice_by_slug(&slug)
        .filter(|p| p.kind == practice::Kind::Practice)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !scope.standing(&practice).may_moderate {
        return Err(AppError::Forbidden);
    }
    let back = format!("/praktijken/{}", practice.slug);
    let visibility = match form.chosen() {
        Ok(visibility) => visibility,
        Err(errors) => {
            return Ok(forms::unprocessable(views::visibility_page(
                &ctx,
                "visibility.default_title",
                (&back, practice.name(ctx.lang)),
                &format!("{back}/standaard-zichtbaarheid"),
                &form.visibility,
                &errors,
            )));
        }
    };
    let txn = state.db.begin().await?;
    let mut active = practice.clone().into_active_model();
    active.default_visibility = Set(visibility);
    active.update(&txn).await?;
    audit::record(
        &txn,
        Some(person.id),
        "practice_default_visibility",
        &practice.slug,
        visibility.as_str(),
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&back).into_response())
}
