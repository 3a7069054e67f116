//! The home page and the language switch.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
use serde::Deserialize;

use crate::{
    AppState,
    context::{Ctx, lang_cookie},
    csrf::CsrfForm,
    entities::practice,
    error::AppResult,
    i18n::Lang,
    layout, practices,
};

pub async fn show_home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let practices = practices::active_practices(&state.db).await?;
    Ok(home_view(&ctx, &practices))
}

fn home_view(ctx: &Ctx, practices: &[practice::Model]) -> Markup {
    layout::page(
        ctx,
        &ctx.t("home.title"),
        html! {
            section.hero {
                h1 { (ctx.t("home.title")) }
                p.lead { (ctx.t("home.intro")) }
                p { (ctx.t("home.who")) }
            }
            section aria-labelledby="practices-title" {
                h2 #practices-title { (ctx.t("home.practices_title")) }
                p { (ctx.t("home.practices_intro")) }
                (practices::practice_cards(ctx, practices))
            }
            section.two-up {
                div.card {
                    h2 { (ctx.t("home.expert_title")) }
                    p { (ctx.t("home.expert_text")) }
                }
                div.card {
                    h2 { (ctx.t("home.join_title")) }
                    p { (ctx.t("home.join_text")) }
                    @if ctx.user.is_none() {
                        p { a.button href="/word-lid" { (ctx.t("home.join_button")) } }
                    }
                }
                div.card {
                    h2 { (ctx.t("home.follow_title")) }
                    p { (ctx.t("home.follow_text")) }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    next: String,
}

/// Remembers the choice in a cookie (and the profile, for a signed-in person) and goes back
/// to the page it came from.
pub async fn switch_language(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&form.lang).unwrap_or(ctx.lang);
    if let Some(user) = ctx.user.clone()
        && user.lang != lang.code()
    {
        let mut active = user.into_active_model();
        active.lang = Set(lang.code().into());
        active.update(&state.db).await?;
    }
    let cookie = lang_cookie(lang, state.settings.secure_cookies());
    Ok((jar.add(cookie), Redirect::to(&local_path(&form.next))).into_response())
}

/// Only paths on this site: `//evil.example` or `https://…` would be an open redirect.
pub fn local_path(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next.to_string()
    } else {
        "/".to_string()
    }
}
