//! Creating the first administrator from the one-time link `serve` prints on a new site.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait, TryIntoModel,
};
use serde::Deserialize;

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::CsrfForm,
    entities::user,
    error::AppResult,
    forms::{self, Field, FieldErrors},
    layout, names,
    tokens::{self, Purpose},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FirstAdminForm {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub job: String,
    pub password: String,
    pub password_confirm: String,
}

async fn link_is_live(state: &AppState, secret: &str) -> AppResult<bool> {
    let admins = user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .count(&state.db)
        .await?;
    Ok(admins == 0
        && tokens::peek(&state.db, Purpose::FirstAdmin, secret)
            .await?
            .is_some())
}

fn view(ctx: &Ctx, secret: &str, form: &FirstAdminForm, errors: &FieldErrors) -> Markup {
    layout::page(
        ctx,
        &ctx.t("first_admin.title"),
        html! {
            h1 { (ctx.t("first_admin.title")) }
            p.lead { (ctx.t("first_admin.intro")) }
            (forms::form(ctx, &format!("/eerste-beheerder/{secret}"), errors, &ctx.t("first_admin.submit"), html! {
                (forms::input(ctx, Field::new("name", &form.name).autocomplete("name"), errors))
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email"), errors))
                (forms::input(ctx, Field::new("organisation", &form.organisation).autocomplete("organization"), errors))
                (forms::input(ctx, Field::new("job", &form.job).autocomplete("organization-title"), errors))
                (crate::accounts::new_password_fields(ctx, errors))
            }))
        },
    )
}

pub async fn show_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    if !link_is_live(&state, &secret).await? {
        return Ok(crate::accounts::set_password::invalid_link(&ctx));
    }
    Ok(view(
        &ctx,
        &secret,
        &FirstAdminForm::default(),
        &FieldErrors::default(),
    )
    .into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    device: crate::session::Device,
    Path(secret): Path<String>,
    CsrfForm(form): CsrfForm<FirstAdminForm>,
) -> AppResult<Response> {
    if !link_is_live(&state, &secret).await? {
        return Ok(crate::accounts::set_password::invalid_link(&ctx));
    }
    let mut errors = FieldErrors::default();
    // An address already known (from an application, say) becomes the administrator, and
    // may keep its own name.
    let email = forms::normalize_email(&form.email);
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    let me = existing.as_ref().map(|u| u.id);
    let name = names::check(&state.db, &mut errors, "name", &form.name, me).await?;
    errors.email("email", &form.email);
    errors.text("organisation", &form.organisation, 150);
    errors.text("job", &form.job, 100);
    crate::accounts::check_new_password(
        &mut errors,
        &form.password,
        &form.password_confirm,
        &[&form.email, &form.name],
    );
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(&ctx, &secret, &form, &errors)));
    }
    let hash = state.passwords.hash(form.password.clone()).await?;
    let txn = state.db.begin().await?;
    if tokens::consume(&txn, Purpose::FirstAdmin, &secret)
        .await?
        .is_none()
    {
        return Ok(crate::accounts::set_password::invalid_link(&ctx));
    }
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let mut admin: user::ActiveModel = match existing {
        Some(u) => u.into(),
        None => user::ActiveModel {
            email: Set(email),
            created_at: Set(Utc::now()),
            ..Default::default()
        },
    };
    admin.name = Set(name.clone());
    admin.organisation = Set(form.organisation.trim().into());
    admin.job = Set(form.job.trim().into());
    admin.password_hash = Set(Some(hash));
    admin.is_admin = Set(true);
    admin.disabled = Set(false);
    admin.lang = Set(ctx.lang.code().into());
    let admin_id = admin.save(&txn).await?.try_into_model()?.id;
    audit::record(&txn, Some(admin_id), "first_admin", &name, "").await?;
    txn.commit().await?;
    crate::accounts::sign_in_and_redirect(&state, jar, &device, admin_id, "/beheer").await
}
