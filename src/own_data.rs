//! A member's own data, on their profile page: downloading everything about them as one
//! zip (`export`, written by `archive`), and seeing and ending where they are signed in
//! (`sessions`). The retention job calls [`purge_expired_exports`].

pub mod archive;
pub mod export;
pub mod sessions;

use maud::{Markup, html};
use sea_orm::{ConnectionTrait, DbErr};

pub use export::purge_expired_exports;

use crate::{
    context::Ctx,
    entities::{export as export_row, session as session_row},
    i18n::Lang,
    layout, session,
};

/// What the profile's two sections show.
pub struct Overview {
    pub sessions: Vec<SessionLine>,
    pub export: Option<export_row::Model>,
}

pub struct SessionLine {
    pub session: session_row::Model,
    pub public_id: String,
    pub current: bool,
}

pub async fn overview(
    db: &impl ConnectionTrait,
    user_id: i32,
    current_secret: Option<&str>,
) -> Result<Overview, DbErr> {
    let mut sessions: Vec<SessionLine> = session::list_for(db, user_id)
        .await?
        .into_iter()
        .map(|s| SessionLine {
            public_id: session::public_id(&s),
            current: current_secret.is_some_and(|secret| session::is_current(&s, secret)),
            session: s,
        })
        .collect();
    // This device first.
    sessions.sort_by_key(|line| !line.current);
    Ok(Overview {
        sessions,
        export: export::current(db, user_id).await?,
    })
}

/// `Firefox/Windows` → "Firefox op Windows".
fn device_text(lang: Lang, label: Option<&str>) -> String {
    let (browser, system) = label.and_then(|l| l.split_once('/')).unwrap_or(("?", "?"));
    let browser = if browser == "?" {
        lang.t("sessions.unknown_browser").into_owned()
    } else {
        browser.to_string()
    };
    let system = if system == "?" {
        lang.t("sessions.unknown_system").into_owned()
    } else {
        system.to_string()
    };
    rust_i18n::t!(
        "sessions.device",
        locale = lang.code(),
        browser = browser,
        system = system
    )
    .into_owned()
}

/// "Last used" to the hour at most, as it is kept.
fn coarse(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .date_naive();
    if local.date_naive() == today {
        lang.t("sessions.today").into_owned()
    } else {
        match lang {
            Lang::Nl => local.format("%d-%m-%Y").to_string(),
            Lang::En => local.format("%d/%m/%Y").to_string(),
        }
    }
}

/// The profile's sections "Mijn gegevens downloaden" and "Waar je bent ingelogd".
pub fn sections(ctx: &Ctx, overview: &Overview) -> Markup {
    let others = overview.sessions.iter().filter(|s| !s.current).count();
    html! {
        section aria-labelledby="mijn-gegevens" {
            h2 #mijn-gegevens { (ctx.t("export.title")) }
            p { (ctx.t("export.intro")) }
            @match &overview.export {
                Some(row) if export::is_building(row) => {
                    p { strong { (ctx.t("export.building")) } }
                }
                Some(row) if row.status == export_row::READY => {
                    @if let Some(until) = row.expires_at {
                        p { (rust_i18n::t!("export.ready", locale = ctx.lang.code(), until = ctx.lang.datetime(until))) }
                    }
                    (export_button(ctx, "export.ask_again"))
                }
                _ => { (export_button(ctx, "export.ask")) }
            }
        }
        section aria-labelledby="sessies" {
            h2 #sessies { (ctx.t("sessions.title")) }
            p { (ctx.t("sessions.intro")) }
            ul.sessions {
                @for line in &overview.sessions {
                    li {
                        strong { (device_text(ctx.lang, line.session.device.as_deref())) }
                        @if line.current { " — " em { (ctx.t("sessions.this_device")) } }
                        br;
                        (ctx.t("sessions.started")) " " (ctx.lang.datetime(line.session.created_at))
                        @if let Some(seen) = line.session.last_seen_at {
                            ". " (ctx.t("sessions.last_used")) " " (coarse(ctx.lang, seen))
                        }
                        "."
                        @if !line.current {
                            form method="post" action={ "/profiel/sessies/" (line.public_id) "/uitloggen" } {
                                (layout::csrf_field(ctx))
                                button.secondary type="submit" { (ctx.t("sessions.end_one")) }
                            }
                        }
                    }
                }
            }
            @if others > 0 {
                form method="post" action="/profiel/sessies/elders-uitloggen" {
                    (layout::csrf_field(ctx))
                    button type="submit" { (ctx.t("sessions.end_others")) }
                }
            }
        }
    }
}

fn export_button(ctx: &Ctx, label: &str) -> Markup {
    html! {
        form method="post" action="/profiel/gegevens" {
            (layout::csrf_field(ctx))
            button type="submit" { (ctx.t(label)) }
        }
    }
}
