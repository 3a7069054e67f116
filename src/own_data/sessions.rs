//! "Waar je bent ingelogd": signing out one other browser, or all of them at once.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    error::{AppError, AppResult},
    session,
};

/// The secret of this browser's session (a signed-in page always has one).
fn current_secret(jar: &CookieJar) -> AppResult<String> {
    jar.get(session::COOKIE)
        .map(|c| c.value().to_owned())
        .ok_or(AppError::Forbidden)
}

/// POST /profiel/sessies/elders-uitloggen
pub async fn end_other_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let keep = current_secret(&jar)?;
    let ended = session::end_others(&state.db, person.id, &keep).await?;
    audit::record(
        &state.db,
        Some(person.id),
        "sessions_ended_elsewhere",
        &format!("#{}", person.id),
        &ended.to_string(),
    )
    .await?;
    Ok(Redirect::to("/profiel?sessies=uitgelogd#sessies").into_response())
}

/// POST /profiel/sessies/{id}/uitloggen, `id` being the session's public name.
pub async fn end_one_session(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(public): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let keep = current_secret(&jar)?;
    if session::end_other(&state.db, person.id, &public, &keep).await? {
        audit::record(
            &state.db,
            Some(person.id),
            "session_ended",
            &format!("#{}", person.id),
            "1",
        )
        .await?;
    }
    // Ended now or before (another tab): either way that browser is signed out.
    Ok(Redirect::to("/profiel?sessies=een#sessies").into_response())
}
