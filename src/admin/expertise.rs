//! The expertise tags members choose from, kept by administrators (`/beheer/expertise`).

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::expertise_tag,
    error::AppResult,
    forms::{self, Field, FieldErrors},
    layout,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TagForm {
    pub name_nl: String,
    pub name_en: String,
}

fn view(ctx: &Ctx, tags: &[expertise_tag::Model], form: &TagForm, errors: &FieldErrors) -> Markup {
    let title = ctx.t("expertise.admin_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/beheer" { (ctx.t("nav.admin")) } }
            h1 { (title) }
            p.lead { (ctx.t("expertise.admin_intro")) }
            ul {
                @for t in tags { li { (t.name_nl) " / " (t.name_en) } }
            }
            h2 { (ctx.t("expertise.add")) }
            (forms::form(ctx, "/beheer/expertise", errors, &ctx.t("expertise.add"), html! {
                (forms::input(ctx, Field::new("name_nl", &form.name_nl).max_length(80), errors))
                (forms::input(ctx, Field::new("name_en", &form.name_en).max_length(80), errors))
            }))
        },
    )
}

async fn all(state: &AppState) -> Result<Vec<expertise_tag::Model>, sea_orm::DbErr> {
    expertise_tag::Entity::find()
        .order_by_asc(expertise_tag::Column::Position)
        .order_by_asc(expertise_tag::Column::Id)
        .all(&state.db)
        .await
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    Ok(view(
        &ctx,
        &all(&state).await?,
        &TagForm::default(),
        &FieldErrors::default(),
    ))
}

pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TagForm>,
) -> AppResult<Response> {
    ctx.require_admin()?;
    let mut errors = FieldErrors::default();
    errors.text("name_nl", &form.name_nl, 80);
    errors.text("name_en", &form.name_en, 80);
    // At most 80 bytes (the column), cut on a character and without a trailing hyphen.
    let mut slug = slug::slugify(form.name_nl.trim());
    while slug.len() > 80 {
        slug.pop();
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if errors.is_empty()
        && (slug.is_empty()
            || expertise_tag::Entity::find()
                .filter(expertise_tag::Column::Slug.eq(&slug))
                .count(&state.db)
                .await?
                > 0)
    {
        errors.add("name_nl", "expertise.exists");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(
            &ctx,
            &all(&state).await?,
            &form,
            &errors,
        )));
    }
    let position = i32::try_from(all(&state).await?.len()).unwrap_or(i32::MAX);
    let added = expertise_tag::ActiveModel {
        slug: Set(slug),
        name_nl: Set(crate::meetings::one_line(&form.name_nl)),
        name_en: Set(crate::meetings::one_line(&form.name_en)),
        position: Set(position),
        ..Default::default()
    }
    .insert(&state.db)
    .await;
    match added {
        Ok(_) => Ok(Redirect::to("/beheer/expertise").into_response()),
        // The same name twice at once: the second is told it exists.
        Err(err)
            if matches!(
                err.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            errors.add("name_nl", "expertise.exists");
            Ok(forms::unprocessable(view(
                &ctx,
                &all(&state).await?,
                &form,
                &errors,
            )))
        }
        Err(err) => Err(err.into()),
    }
}
