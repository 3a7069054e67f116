//! The home page and the language switch. A visitor's home introduces the community; a
//! member's is their own ([`for_you`]).

pub mod for_you;

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel, QueryOrder, QuerySelect};
use serde::Deserialize;

use crate::{
    AppState,
    context::{Ctx, lang_cookie},
    entities::{practice, thread, user},
    error::AppResult,
    forum::{self, Scope, views},
    i18n::Lang,
    layout,
    page_cache::{self, Changes, Part},
    practices,
};

/// How many recently active threads the home page shows.
const ACTIVITY: u64 = 8;

pub async fn show_home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let soon = crate::meetings::upcoming(
        &state.db,
        ctx.reader(),
        crate::meetings::Among::All,
        crate::meetings::SOON,
    )
    .await?;
    let soon_practices = crate::meetings::practices_of(&state.db, &soon).await?;
    let soon = crate::meetings::views::soon(&ctx, &soon, &soon_practices, "/bijeenkomsten", true);
    if let Some(person) = &ctx.user {
        let data = for_you::load(&state.db, person).await?;
        let title = ctx.t("for_you.title");
        return Ok(
            layout::page(&ctx, &title, for_you::view(&ctx, person, &data, soon)).into_response(),
        );
    }
    let practices = practices::active_practices(&state.db).await?;
    // Recent activity through the viewer's scope: visitors see public threads only.
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let recent = scope
        .threads()
        .order_by_desc(thread::Column::LastPostAt)
        .order_by_desc(thread::Column::Id)
        .limit(ACTIVITY)
        .all(&state.db)
        .await?;
    let posters = forum::people(&state.db, recent.iter().filter_map(|t| t.last_poster_id)).await?;
    let activity: Vec<Activity> = recent
        .iter()
        .filter_map(|t| {
            Some(Activity {
                thread: t,
                practice: scope.practice(t.practice_id)?,
                last_poster: t.last_poster_id.and_then(|id| posters.get(&id)),
            })
        })
        .collect();
    Ok(page_cache::keep(
        home_view(&ctx, &practices, &activity, soon),
        [Part::Activity, Part::Titles],
    ))
}

struct Activity<'a> {
    thread: &'a thread::Model,
    practice: &'a practice::Model,
    last_poster: Option<&'a user::Model>,
}

fn activity_list(ctx: &Ctx, activity: &[Activity]) -> Markup {
    html! {
        @if activity.is_empty() {
            p.empty { (ctx.t("home.no_activity")) }
        } @else {
            ol.threads {
                @for a in activity {
                    li.thread {
                        h3 { a href={ "/onderwerpen/" (a.thread.id) } { (a.thread.title) } }
                        p.meta {
                            a href={ "/praktijken/" (a.practice.slug) } { (a.practice.name(ctx.lang)) }
                            " " (views::visibility_badge(ctx, a.thread.visibility))
                            " · "
                            @if let Some(person) = a.last_poster {
                                (views::last_by(ctx, person))
                            }
                            (views::when(ctx, a.thread.last_post_at))
                        }
                    }
                }
            }
        }
    }
}

fn home_view(
    ctx: &Ctx,
    practices: &[practice::Model],
    activity: &[Activity],
    soon: Markup,
) -> Markup {
    layout::page(
        ctx,
        &ctx.t("home.title"),
        html! {
            section.hero {
                h1 { (ctx.t("home.title")) }
                p.lead { (ctx.t("home.intro")) }
                p { (ctx.t("home.who")) }
            }
            (soon)
            section aria-labelledby="activity-title" {
                h2 #activity-title { (ctx.t("home.activity_title")) }
                (activity_list(ctx, activity))
            }
            section aria-labelledby="practices-title" {
                h2 #practices-title { (ctx.t("home.practices_title")) }
                p { (ctx.t("home.practices_intro")) }
                (practices::practice_cards(ctx, practices, &std::collections::HashMap::new()))
            }
            section.two-up {
                div.card {
                    h2 { (ctx.t("home.expert_title")) }
                    p { (ctx.t("home.expert_text")) }
                    p { a href="/kennisbundels" { (ctx.t("home.expert_link")) } }
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
                    p { a.button href="/volgen" { (ctx.t("nav.follow")) } }
                }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    terug: String,
}

/// `/taal/{code}?terug=<path>`, a plain link (the choice is only a preference): remembers
/// the language in a cookie (and the profile, for a signed-in person) and goes back to the
/// page it came from.
pub async fn switch_language(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    changes: Changes,
    Path(code): Path<String>,
    Query(form): Query<LanguageForm>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).unwrap_or(ctx.lang);
    if let Some(user) = ctx.user.clone()
        && user.lang != lang.code()
    {
        // The member's pages on their other devices follow the profile's language.
        changes.personal(user.id);
        let mut active = user.into_active_model();
        active.lang = Set(lang.code().into());
        active.update(&state.db).await?;
    }
    let cookie = lang_cookie(lang, state.settings.secure_cookies());
    Ok((jar.add(cookie), Redirect::to(&local_path(&form.terug))).into_response())
}

/// The one check of a redirect target the browser gave us (`next`): a path on this site,
/// else `/`. A path starts with one `/` not followed by `/` or `\` (`//evil.example` and
/// `/\evil.example` are other sites to a browser), holds no control character anywhere
/// (browsers drop tabs and newlines, so `/\t/evil.example` is `//evil.example`; and a
/// newline cannot go in a `Location` header), and so has no scheme either. Anything else
/// becomes `/`.
pub fn local_path(next: &str) -> String {
    let mut chars = next.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !next.chars().any(char::is_control);
    if local {
        next.to_string()
    } else {
        "/".to_string()
    }
}
