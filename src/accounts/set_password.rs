//! Choosing a password from a mailed link: after approval, an invitation, or a reset.
//! A successful choice signs the person in and ends every other session.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, TransactionTrait};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{token, user},
    error::AppResult,
    forms::{self, FieldErrors},
    layout, session,
    tokens::{self, Purpose},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetPasswordForm {
    pub password: String,
    pub password_confirm: String,
}

async fn live_token(state: &AppState, secret: &str) -> AppResult<Option<token::Model>> {
    for purpose in [Purpose::SetPassword, Purpose::Reset] {
        if let Some(t) = tokens::peek(&state.db, purpose, secret).await? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

pub fn invalid_link(ctx: &Ctx) -> Response {
    let page = layout::page(
        ctx,
        &ctx.t("set_password.invalid_title"),
        html! {
            h1 { (ctx.t("set_password.invalid_title")) }
            p.lead { (ctx.t("set_password.invalid_text")) }
            p { a.button href="/wachtwoord-vergeten" { (ctx.t("sign_in.forgot")) } }
        },
    );
    (StatusCode::GONE, page).into_response()
}

fn view(ctx: &Ctx, secret: &str, person: &user::Model, errors: &FieldErrors) -> Markup {
    layout::page(
        ctx,
        &ctx.t("set_password.title"),
        html! {
            h1 { (ctx.t("set_password.title")) }
            p.lead { (rust_i18n::t!("set_password.intro", locale = ctx.lang.code(), email = &person.email)) }
            (forms::form(ctx, &format!("/wachtwoord-instellen/{secret}"), errors, &ctx.t("set_password.submit"),
                crate::accounts::new_password_fields(ctx, errors)))
        },
    )
}

pub async fn show_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    let Some(token) = live_token(&state, &secret).await? else {
        return Ok(invalid_link(&ctx));
    };
    let Some(person) = person_for(&state, &token).await? else {
        return Ok(invalid_link(&ctx));
    };
    Ok(view(&ctx, &secret, &person, &FieldErrors::default()).into_response())
}

async fn person_for(state: &AppState, token: &token::Model) -> AppResult<Option<user::Model>> {
    let Some(user_id) = token.user_id else {
        return Ok(None);
    };
    Ok(user::Entity::find_by_id(user_id)
        .one(&state.db)
        .await?
        .filter(|u| !u.disabled))
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    device: session::Device,
    Path(secret): Path<String>,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> AppResult<Response> {
    let Some(token) = live_token(&state, &secret).await? else {
        return Ok(invalid_link(&ctx));
    };
    let Some(person) = person_for(&state, &token).await? else {
        return Ok(invalid_link(&ctx));
    };
    let mut errors = FieldErrors::default();
    crate::accounts::check_new_password(
        &mut errors,
        &form.password,
        &form.password_confirm,
        &[&person.email, &person.name],
    );
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(&ctx, &secret, &person, &errors)));
    }
    let hash = state.passwords.hash(form.password).await?;
    let txn = state.db.begin().await?;
    let mut used = false;
    for purpose in [Purpose::SetPassword, Purpose::Reset] {
        if tokens::consume(&txn, purpose, &secret).await?.is_some() {
            used = true;
            break;
        }
    }
    if !used {
        // Someone used the link between showing and sending the form.
        return Ok(invalid_link(&ctx));
    }
    let user_id = person.id;
    let mut active = person.into_active_model();
    active.password_hash = Set(Some(hash));
    active.update(&txn).await?;
    session::end_all_for(&txn, user_id).await?;
    txn.commit().await?;
    tracing::info!(user_id, "password set from link");
    crate::accounts::sign_in_and_redirect(&state, jar, &device, user_id, "/welkom").await
}
