//! People's own accounts: applying for membership, signing in and out, passwords, profile.

pub mod apply;
pub mod email_change;
pub mod first_admin;
pub mod leave;
pub mod profile;
pub mod reset;
pub mod set_password;
pub mod sign_in;
pub mod welcome;

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::{AppState, error::AppResult, session};

/// Starts a fresh session for `user_id` on this device and redirects to `to`.
pub async fn sign_in_and_redirect(
    state: &AppState,
    jar: CookieJar,
    device: &session::Device,
    user_id: i32,
    to: &str,
) -> AppResult<Response> {
    if let Some(old) = jar.get(session::COOKIE) {
        session::end(&state.db, old.value()).await?;
    }
    let secret = session::create(&state.db, user_id, state.settings.session_days, device).await?;
    let cookie = Cookie::build((session::COOKIE, secret))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::days(state.settings.session_days))
        .build();
    Ok((jar.add(cookie), Redirect::to(to)).into_response())
}

/// Checks a new password and its confirmation; problems go on the `password` field.
pub fn check_new_password(
    errors: &mut crate::forms::FieldErrors,
    password: &str,
    confirm: &str,
    personal: &[&str],
) {
    if password.is_empty() {
        errors.add("password", "form.required");
    } else if let Err(problem) = crate::password::check(password, personal) {
        errors.add("password", problem.key());
    } else if password != confirm {
        errors.add("password_confirm", "password.mismatch");
    }
}

/// The two fields for choosing a password, with the rules spelled out.
pub fn new_password_fields(
    ctx: &crate::context::Ctx,
    errors: &crate::forms::FieldErrors,
) -> maud::Markup {
    use crate::forms::{Field, input};
    maud::html! {
        (input(ctx, Field::new("password", "").kind("password").autocomplete("new-password").hint("password.rules"), errors))
        (input(ctx, Field::new("password_confirm", "").kind("password").autocomplete("new-password"), errors))
    }
}
