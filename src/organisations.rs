//! The coalition's partner organisations: a public list and a page each (with, for
//! members, the members who name it and chose to show it), kept by administrators.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    directory::{self, DISTRICTS},
    entities::{
        organisation::{self, Kind},
        user, user_organisation,
    },
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    layout,
};

const NAME_MAX: usize = 150;
const DESCRIPTION_MAX: usize = 5_000;

/// A unique key already taken (two quick submits of the same form).
fn key_taken(err: &sea_orm::DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

pub fn kind_label(ctx: &Ctx, kind: Kind) -> String {
    ctx.t(&format!("organisations.kind.{}", kind.as_str()))
        .into_owned()
}

fn district_names(stored: &str) -> String {
    directory::districts_of(stored)
        .into_iter()
        .filter_map(directory::district_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/organisaties`.
pub async fn list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let all = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(&state.db)
        .await?;
    let title = ctx.t("organisations.title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("organisations.intro")) }
            @if all.is_empty() {
                p.empty { (ctx.t("organisations.none")) }
            } @else {
                ul.cards {
                    @for o in &all {
                        li.card {
                            h2 { a href={ "/organisaties/" (o.slug) } { (o.name) } }
                            p.meta { span.badge { (kind_label(&ctx, o.kind)) }
                                @let d = district_names(&o.districts);
                                @if !d.is_empty() { " · " (d) } }
                            p { (crate::markdown::excerpt(&o.description, 200)) }
                        }
                    }
                }
            }
        },
    ))
}

/// `/organisaties/{slug}`: public; its members only for signed-in members.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    if !directory::plausible_slug(&slug) {
        return Err(AppError::NotFound);
    }
    let o = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(&slug))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    // As the directory lists them: live accounts that show this organisation.
    let members = match &ctx.user {
        None => Vec::new(),
        Some(_) => {
            user::Entity::find()
                .filter(
                    user::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(user_organisation::Column::UserId)
                            .from(user_organisation::Entity)
                            .and_where(user_organisation::Column::OrganisationId.eq(o.id))
                            .to_owned(),
                    ),
                )
                .filter(user::Column::ShowOrganisation.eq(true))
                .filter(user::Column::DeletedAt.is_null())
                .filter(user::Column::Disabled.eq(false))
                .filter(user::Column::PasswordHash.is_not_null())
                .order_by_asc(user::Column::Name)
                .all(&state.db)
                .await?
        }
    };
    let districts = district_names(&o.districts);
    let interventions = crate::interventions::of_organisation(&state.db, ctx.reader(), &o).await?;
    let listed = std::slice::from_ref(&o);
    Ok(layout::page(
        &ctx,
        &o.name,
        html! {
            p.breadcrumb { a href="/organisaties" { (ctx.t("organisations.title")) } }
            h1 { (o.name) }
            p.meta { span.badge { (kind_label(&ctx, o.kind)) } }
            @if !o.description.trim().is_empty() {
                div.post-body { (maud::PreEscaped(crate::markdown::off_executor(|| crate::markdown::to_html(&o.description)))) }
            }
            dl.meeting-facts {
                @if !districts.is_empty() {
                    dt { (ctx.t("organisations.districts")) } dd { (districts) }
                }
                @if !o.website.is_empty() {
                    dt { (ctx.t("field.website")) } dd { a href=(o.website) rel="noopener noreferrer" { (o.website) } }
                }
            }
            section aria-labelledby="org-interventions" {
                h2 #org-interventions { (ctx.t("interventions.title")) }
                @if interventions.is_empty() {
                    p.empty { (ctx.t("interventions.none_here")) }
                } @else {
                    ul.cards.interventions {
                        @for e in &interventions { (crate::interventions::views::card(&ctx, e, listed)) }
                    }
                }
            }
            @if ctx.user.is_some() {
                section aria-labelledby="org-members" {
                    h2 #org-members { (ctx.t("organisations.members")) }
                    @if members.is_empty() {
                        p.empty { (ctx.t("organisations.no_members")) }
                    } @else {
                        ul.people {
                            @for m in &members {
                                li { (crate::forum::views::person_link(&ctx, Some(m)))
                                    @if !m.job.is_empty() { " (" (m.job) ")" } }
                            }
                        }
                    }
                    p { a href={ "/leden?organisatie=" (o.slug) } { (ctx.t("organisations.in_directory")) } }
                }
            }
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrganisationForm {
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub description: String,
    pub website: String,
    pub district: Vec<String>,
}

impl OrganisationForm {
    fn of(o: &organisation::Model) -> OrganisationForm {
        OrganisationForm {
            name: o.name.clone(),
            slug: o.slug.clone(),
            kind: o.kind.as_str().into(),
            description: o.description.clone(),
            website: o.website.clone(),
            district: directory::districts_of(&o.districts)
                .into_iter()
                .map(str::to_owned)
                .collect(),
        }
    }

    fn validate(&self) -> (FieldErrors, Option<Kind>) {
        let mut errors = FieldErrors::default();
        errors.text("name", &self.name, NAME_MAX);
        let slug = self.slug.trim();
        if slug.is_empty()
            || slug.len() > 80
            || !slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            errors.add("slug", "organisations.slug_invalid");
        }
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "form.choose");
        }
        if self.description.chars().count() > DESCRIPTION_MAX {
            errors.add("description", "form.too_long");
        }
        let site = self.website.trim();
        let valid_site = site.len() <= 300
            && url::Url::parse(site).is_ok_and(|u| matches!(u.scheme(), "https" | "http"));
        if !site.is_empty() && !valid_site {
            errors.add("website", "meetings.link_invalid");
        }
        (errors, kind)
    }
}

fn form_view(ctx: &Ctx, action: &str, form: &OrganisationForm, errors: &FieldErrors) -> Markup {
    let title = ctx.t("organisations.admin_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/beheer" { (ctx.t("nav.admin")) } " › " a href="/beheer/organisaties" { (title) } }
            h1 { (title) }
            (forms::form(ctx, action, errors, &ctx.t("meetings.save"), html! {
                (forms::input(ctx, Field::new("name", &form.name).max_length(NAME_MAX), errors))
                (forms::input(ctx, Field::new("slug", &form.slug).max_length(80), errors))
                div.field {
                    label for="kind" { (ctx.t("field.kind_of_organisation")) }
                    select #kind name="kind" {
                        @for k in Kind::ALL {
                            option value=(k.as_str()) selected[form.kind == k.as_str()] { (kind_label(ctx, k)) }
                        }
                    }
                }
                (forms::textarea(ctx, Field::new("description", &form.description).optional(), errors))
                (forms::input(ctx, Field::new("website", &form.website).kind("url").optional(), errors))
                fieldset.field {
                    legend { (ctx.t("organisations.districts")) }
                    @for (slug, name) in DISTRICTS {
                        div.check {
                            input type="checkbox" name="district" value=(slug) id={ "district-" (slug) }
                                checked[form.district.iter().any(|d| d == slug)];
                            label for={ "district-" (slug) } { (name) }
                        }
                    }
                }
            }))
        },
    )
}

/// `/beheer/organisaties`: the list, and a form for a new one.
pub async fn admin_list(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let all = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(&state.db)
        .await?;
    let title = ctx.t("organisations.admin_title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href="/beheer" { (ctx.t("nav.admin")) } }
            h1 { (title) }
            p { a.button href="/beheer/organisaties/nieuw" { (ctx.t("organisations.add")) } }
            ul {
                @for o in &all {
                    li { a href={ "/beheer/organisaties/" (o.id) } { (o.name) } " · " (kind_label(&ctx, o.kind)) }
                }
            }
        },
    ))
}

pub async fn admin_new(ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let form = OrganisationForm {
        kind: Kind::Welfare.as_str().into(),
        ..Default::default()
    };
    Ok(form_view(
        &ctx,
        "/beheer/organisaties/nieuw",
        &form,
        &FieldErrors::default(),
    ))
}

pub async fn admin_create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<OrganisationForm>,
) -> AppResult<Response> {
    ctx.require_admin()?;
    let (mut errors, kind) = form.validate();
    let taken = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(form.slug.trim()))
        .one(&state.db)
        .await?
        .is_some();
    if taken {
        errors.add("slug", "organisations.slug_taken");
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Ok(forms::unprocessable(form_view(
            &ctx,
            "/beheer/organisaties/nieuw",
            &form,
            &errors,
        )));
    };
    let now = Utc::now();
    let inserted = organisation::ActiveModel {
        slug: Set(form.slug.trim().to_owned()),
        name: Set(crate::meetings::one_line(&form.name)),
        kind: Set(kind),
        description: Set(forms::multi_line(&form.description)),
        website: Set(crate::meetings::one_line(&form.website)),
        districts: Set(directory::store_districts(
            form.district.iter().map(String::as_str),
        )),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&state.db)
    .await;
    match inserted {
        Ok(_) => Ok(Redirect::to("/beheer/organisaties").into_response()),
        Err(err) if key_taken(&err) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", "organisations.slug_taken");
            Ok(forms::unprocessable(form_view(
                &ctx,
                "/beheer/organisaties/nieuw",
                &form,
                &errors,
            )))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn admin_edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    ctx.require_admin()?;
    let o = organisation::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(form_view(
        &ctx,
        &format!("/beheer/organisaties/{id}"),
        &OrganisationForm::of(&o),
        &FieldErrors::default(),
    ))
}

pub async fn admin_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<OrganisationForm>,
) -> AppResult<Response> {
    ctx.require_admin()?;
    let o = organisation::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let (mut errors, kind) = form.validate();
    let taken = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(form.slug.trim()))
        .filter(organisation::Column::Id.ne(id))
        .one(&state.db)
        .await?
        .is_some();
    if taken {
        errors.add("slug", "organisations.slug_taken");
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else {
        return Ok(forms::unprocessable(form_view(
            &ctx,
            &format!("/beheer/organisaties/{id}"),
            &form,
            &errors,
        )));
    };
    let mut active = o.into_active_model();
    active.slug = Set(form.slug.trim().to_owned());
    active.name = Set(crate::meetings::one_line(&form.name));
    active.kind = Set(kind);
    active.description = Set(forms::multi_line(&form.description));
    active.website = Set(crate::meetings::one_line(&form.website));
    active.districts = Set(directory::store_districts(
        form.district.iter().map(String::as_str),
    ));
    active.updated_at = Set(Utc::now());
    match active.update(&state.db).await {
        Ok(_) => Ok(Redirect::to("/beheer/organisaties").into_response()),
        Err(err) if key_taken(&err) => {
            let mut errors = FieldErrors::default();
            errors.add("slug", "organisations.slug_taken");
            Ok(forms::unprocessable(form_view(
                &ctx,
                &format!("/beheer/organisaties/{id}"),
                &form,
                &errors,
            )))
        }
        Err(err) => Err(err.into()),
    }
}
