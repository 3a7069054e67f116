//! Practices are data: administrators add, rename, reorder and archive them here.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, SqlErr, TransactionTrait, TryIntoModel,
};
use serde::Deserialize;

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{practice, thread},
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    layout, practices,
};

use super::admin_page;

pub async fn list_practices(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let all = practices::all_practices(&state.db).await?;
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.practices"),
        html! {
            p { a.button href="/beheer/praktijken/nieuw" { (ctx.t("admin.practice_new")) } }
            ol.admin-list {
                @for (i, p) in all.iter().enumerate() {
                    li {
                        div {
                            a href={ "/beheer/praktijken/" (p.id) } { strong { (p.name(ctx.lang)) } }
                            " " span.muted { "/praktijken/" (p.slug) }
                            @if p.archived { " " span.badge { (ctx.t("practices.archived")) } }
                        }
                        div.actions {
                            @if !p.archived && i > 0 {
                                form.inline method="post" action={ "/beheer/praktijken/" (p.id) "/verplaatsen" } {
                                    (layout::csrf_field(&ctx))
                                    input type="hidden" name="direction" value="up";
                                    button.secondary type="submit" aria-label={ (ctx.t("admin.move_up")) ": " (p.name(ctx.lang)) } { (ctx.t("admin.move_up")) }
                                }
                            }
                            @if !p.archived && all.get(i + 1).is_some_and(|n| !n.archived) {
                                form.inline method="post" action={ "/beheer/praktijken/" (p.id) "/verplaatsen" } {
                                    (layout::csrf_field(&ctx))
                                    input type="hidden" name="direction" value="down";
                                    button.secondary type="submit" aria-label={ (ctx.t("admin.move_down")) ": " (p.name(ctx.lang)) } { (ctx.t("admin.move_down")) }
                                }
                            }
                            form.inline method="post" action={ "/beheer/praktijken/" (p.id) "/archiveren" } {
                                (layout::csrf_field(&ctx))
                                button.secondary type="submit" {
                                    @if p.archived { (ctx.t("admin.unarchive")) } @else { (ctx.t("admin.archive")) }
                                }
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
pub struct PracticeForm {
    pub slug: String,
    pub name_nl: String,
    pub name_en: String,
    pub description_nl: String,
    pub description_en: String,
    pub default_visibility: String,
    /// Ticked: the administrator read what public means.
    pub public_ok: Option<String>,
}

impl PracticeForm {
    fn of(p: &practice::Model) -> Self {
        PracticeForm {
            slug: p.slug.clone(),
            name_nl: p.name_nl.clone(),
            name_en: p.name_en.clone(),
            description_nl: p.description_nl.clone(),
            description_en: p.description_en.clone(),
            default_visibility: p.default_visibility.to_string(),
            // Already public: that choice was made after the warning.
            public_ok: Some("1".into()),
        }
    }

    fn validate(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        let slug = self.slug.trim();
        if slug.is_empty() {
            errors.add("slug", "form.required");
        } else if slug.len() > 60
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || slug.starts_with('-')
            || slug.ends_with('-')
        {
            errors.add("slug", "admin.slug_invalid");
        }
        errors.text("name_nl", &self.name_nl, 100);
        errors.text("name_en", &self.name_en, 100);
        errors.text("description_nl", &self.description_nl, 1000);
        errors.text("description_en", &self.description_en, 1000);
        errors.visibility(
            "default_visibility",
            &self.default_visibility,
            self.public_ok.is_some(),
        );
        errors
    }

    fn apply(&self, active: &mut practice::ActiveModel) {
        active.slug = Set(self.slug.trim().into());
        active.name_nl = Set(self.name_nl.trim().into());
        active.name_en = Set(self.name_en.trim().into());
        active.description_nl = Set(self.description_nl.trim().into());
        active.description_en = Set(self.description_en.trim().into());
        if let Some(visibility) = thread::Visibility::choice(&self.default_visibility) {
            active.default_visibility = Set(visibility);
        }
    }
}

fn form_view(
    ctx: &Ctx,
    action: &str,
    title: &str,
    form: &PracticeForm,
    errors: &FieldErrors,
) -> Markup {
    admin_page(
        ctx,
        title,
        html! {
            (forms::form(ctx, action, errors, &ctx.t("admin.save"), html! {
                (forms::input(ctx, Field::new("slug", &form.slug).hint("admin.slug_hint"), errors))
                (forms::input(ctx, Field::new("name_nl", &form.name_nl), errors))
                (forms::input(ctx, Field::new("name_en", &form.name_en), errors))
                (forms::textarea(ctx, Field::new("description_nl", &form.description_nl), errors))
                (forms::textarea(ctx, Field::new("description_en", &form.description_en), errors))
                (forms::visibility_field(ctx, "default_visibility", "field.default_visibility", &form.default_visibility, form.public_ok.is_some(), errors))
            }))
        },
    )
}

pub async fn new_practice(ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let form = PracticeForm {
        default_visibility: thread::Visibility::Members.to_string(),
        ..Default::default()
    };
    Ok(form_view(
        &ctx,
        "/beheer/praktijken/nieuw",
        &ctx.t("admin.practice_new"),
        &form,
        &FieldErrors::default(),
    ))
}

fn slug_taken(err: &sea_orm::DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

pub async fn create_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PracticeForm>,
) -> AppResult<Response> {
    ctx.require_admin()?;
    let last = practice::Entity::find()
        .order_by_desc(practice::Column::Position)
        .one(&state.db)
        .await?
        .map(|p| p.position)
        .unwrap_or(0);
    let active = practice::ActiveModel {
        kind: Set(practice::Kind::Practice),
        position: Set(last + 1),
        archived: Set(false),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    let title = ctx.t("admin.practice_new").into_owned();
    save(
        &state,
        &ctx,
        form,
        active,
        "/beheer/praktijken/nieuw",
        &title,
        "practice_created",
    )
    .await
}

/// Validates, then inserts or updates; a taken slug becomes a field error, not a failure.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    form: PracticeForm,
    mut active: practice::ActiveModel,
    action: &str,
    title: &str,
    audit_action: &str,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let mut errors = form.validate();
    if !errors.is_empty() {
        return Ok(forms::unprocessable(form_view(
            ctx, action, title, &form, &errors,
        )));
    }
    form.apply(&mut active);
    let txn = state.db.begin().await?;
    match active.save(&txn).await.and_then(|a| a.try_into_model()) {
        Ok(p) => {
            audit::record(&txn, Some(admin.id), audit_action, &p.slug, &p.name_nl).await?;
            txn.commit().await?;
            Ok(Redirect::to("/beheer/praktijken").into_response())
        }
        Err(err) if slug_taken(&err) => {
            errors.add("slug", "admin.slug_taken");
            Ok(forms::unprocessable(form_view(
                ctx, action, title, &form, &errors,
            )))
        }
        Err(err) => Err(err.into()),
    }
}

async fn load(state: &AppState, id: i32) -> AppResult<practice::Model> {
    practice::Entity::find_by_id(id)
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    ctx.require_admin()?;
    let p = load(&state, id).await?;
    Ok(form_view(
        &ctx,
        &format!("/beheer/praktijken/{id}"),
        p.name(ctx.lang),
        &PracticeForm::of(&p),
        &FieldErrors::default(),
    ))
}

pub async fn update_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<PracticeForm>,
) -> AppResult<Response> {
    ctx.require_admin()?;
    let p = load(&state, id).await?;
    let title = p.name(ctx.lang).to_owned();
    let action = format!("/beheer/praktijken/{id}");
    save(
        &state,
        &ctx,
        form,
        p.into_active_model(),
        &action,
        &title,
        "practice_updated",
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    direction: String,
}

/// Swaps a practice with its neighbour among the active ones.
pub async fn move_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let active: Vec<practice::Model> = practices::active_practices(&state.db).await?;
    let Some(index) = active.iter().position(|p| p.id == id) else {
        return Err(AppError::NotFound);
    };
    let other = match form.direction.as_str() {
        "up" if index > 0 => index - 1,
        "down" if index + 1 < active.len() => index + 1,
        _ => return Ok(Redirect::to("/beheer/praktijken").into_response()),
    };
    let txn = state.db.begin().await?;
    // Renumber the whole active list so equal positions (from old data) cannot stall a move.
    let mut order: Vec<&practice::Model> = active.iter().collect();
    order.swap(index, other);
    for (n, p) in order.iter().enumerate() {
        let position = i32::try_from(n).unwrap_or(i32::MAX) + 1;
        if p.position != position {
            let mut a = (*p).clone().into_active_model();
            a.position = Set(position);
            a.update(&txn).await?;
        }
    }
    audit::record(
        &txn,
        Some(admin.id),
        "practice_moved",
        &active[index].slug,
        &form.direction,
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to("/beheer/praktijken").into_response())
}

pub async fn toggle_archived(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let p = load(&state, id).await?;
    let archived = !p.archived;
    let slug = p.slug.clone();
    let txn = state.db.begin().await?;
    let mut a = p.into_active_model();
    a.archived = Set(archived);
    a.update(&txn).await?;
    let action = if archived {
        "practice_archived"
    } else {
        "practice_unarchived"
    };
    audit::record(&txn, Some(admin.id), action, &slug, "").await?;
    txn.commit().await?;
    Ok(Redirect::to("/beheer/praktijken").into_response())
}
