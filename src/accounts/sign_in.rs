//! Signing in and out. A wrong address and a wrong password get the same answer in the same
//! time; failures are counted per account and per client address.

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use maud::{Markup, html};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::user,
    error::AppResult,
    forms::{self, Field, FieldErrors},
    home::local_path,
    layout,
    page_cache::Changes,
    session, throttle,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

pub async fn show_form(ctx: Ctx, Query(query): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to(&local_path(&query.next)).into_response();
    }
    let form = SignInForm {
        next: local_path(&query.next),
        ..Default::default()
    };
    view(&ctx, &form, &FieldErrors::default(), None).into_response()
}

fn view(ctx: &Ctx, form: &SignInForm, errors: &FieldErrors, problem: Option<&str>) -> Markup {
    layout::page(
        ctx,
        &ctx.t("sign_in.title"),
        html! {
            h1 { (ctx.t("sign_in.title")) }
            (forms::problem(ctx, problem))
            (forms::error_summary(ctx, errors))
            form.stacked method="post" action="/inloggen" novalidate {
                (layout::csrf_field(ctx))
                input type="hidden" name="next" value=(form.next);
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("username"), errors))
                (forms::input(ctx, Field::new("password", "").kind("password").autocomplete("current-password"), errors))
                button.primary type="submit" { (ctx.t("sign_in.submit")) }
            }
            p { a href="/wachtwoord-vergeten" { (ctx.t("sign_in.forgot")) } }
            p { (ctx.t("sign_in.no_account")) " " a href="/word-lid" { (ctx.t("nav.apply")) } }
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    device: session::Device,
    changes: Changes,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> AppResult<Response> {
    changes.nothing_shown();
    let mut errors = FieldErrors::default();
    errors.email("email", &form.email);
    if form.password.is_empty() {
        errors.add("password", "form.required");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(&ctx, &form, &errors, None)));
    }
    let email = forms::normalize_email(&form.email);
    // Every attempt is counted before the password is checked (a right one is forgiven
    // after), so parallel attempts cannot slip past the limit together.
    let account_ok = throttle::LOGIN_ACCOUNT.allow(&state.db, &email).await?;
    let address_ok = throttle::LOGIN_ADDRESS
        .allow(&state.db, &ctx.client_ip)
        .await?;
    if !(account_ok && address_ok) {
        crate::observability::sign_in_failed("throttled");
        let page = view(&ctx, &form, &errors, Some("throttle.too_many"));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .filter(user::Column::Disabled.eq(false))
        .one(&state.db)
        .await?;
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = state
        .passwords
        .verify(form.password.clone(), stored)
        .await?;
    match found {
        Some(user) if password_ok => {
            throttle::LOGIN_ACCOUNT.clear(&state.db, &email).await?;
            throttle::LOGIN_ADDRESS
                .forgive(&state.db, &ctx.client_ip)
                .await?;
            tracing::info!(user_id = user.id, "signed in");
            changes.personal(user.id);
            // A session of someone else on this browser ends: its kept pages go with it.
            if let Some(previous) = &ctx.user {
                changes.personal(previous.id);
            }
            super::sign_in_and_redirect(&state, jar, &device, user.id, &local_path(&form.next))
                .await
        }
        _ => {
            crate::observability::sign_in_failed("password");
            Ok(forms::unprocessable(view(
                &ctx,
                &form,
                &errors,
                Some("sign_in.failed"),
            )))
        }
    }
}

pub async fn sign_out(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    // The pages kept for this session go with it.
    changes.nothing_shown();
    if let Some(person) = &ctx.user {
        changes.personal(person.id);
    }
    if let Some(cookie) = jar.get(session::COOKIE) {
        session::end(&state.db, cookie.value()).await?;
    }
    let jar = jar.remove(Cookie::build(session::COOKIE).path("/"));
    Ok((jar, Redirect::to("/")).into_response())
}
