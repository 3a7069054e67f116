//! The privacy page: in plain words, what is stored, why, for how long, who sees it, and
//! how to take it out or erase it. The figures come from `retention` (the constants the
//! purges use) and the settings, never from the texts, so the page says what the site does.

use axum::extract::State;
use maud::{Markup, html};

use crate::{AppState, context::Ctx, layout, retention};

/// The numbers the page states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub unconfirmed_days: i64,
    pub consent_keep_years: u32,
    pub digest_body_days: i64,
    pub notice_body_days: i64,
    pub run_every_days: i64,
    pub session_days: i64,
    pub meeting_visitor_days: i64,
    pub training_attendance_days: i64,
    /// Where to write to the administrators, if the site has such an address.
    pub contact_email: Option<String>,
}

impl Figures {
    pub fn of(state: &AppState) -> Figures {
        let contact = state.settings.contact_email.trim();
        Figures {
            unconfirmed_days: retention::UNCONFIRMED_DAYS,
            consent_keep_years: retention::CONSENT_KEEP_YEARS,
            digest_body_days: retention::DIGEST_BODY_DAYS,
            notice_body_days: retention::NOTICE_BODY_DAYS,
            run_every_days: retention::RUN_EVERY_DAYS,
            session_days: state.settings.session_days,
            meeting_visitor_days: retention::MEETING_VISITOR_DAYS,
            training_attendance_days: retention::TRAINING_ATTENDANCE_DAYS,
            contact_email: (!contact.is_empty()).then(|| contact.to_string()),
        }
    }
}

pub async fn show_privacy(State(state): State<AppState>, ctx: Ctx) -> Markup {
    privacy_view(&ctx, &Figures::of(&state))
}

fn with_days(ctx: &Ctx, key: &str, days: i64) -> String {
    rust_i18n::t!(key, locale = ctx.lang.code(), days = days).into_owned()
}

pub fn privacy_view(ctx: &Ctx, f: &Figures) -> Markup {
    let title = ctx.t("privacy.title");
    let lang = ctx.lang;
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("privacy.intro")) }

            h2 { (ctx.t("privacy.who_title")) }
            p { (ctx.t("privacy.who_text")) }

            h2 { (ctx.t("privacy.members_title")) }
            ul.plain {
                li { (ctx.t("privacy.members_profile")) }
                li { (ctx.t("privacy.members_posts")) }
                li { (ctx.t("privacy.members_photos")) }
                li { (with_days(ctx, "privacy.members_sessions", f.session_days)) }
                li { (ctx.t("privacy.members_mail")) }
                li { (ctx.t("privacy.members_drafts")) }
            }

            h2 { (ctx.t("privacy.subscribers_title")) }
            ul.plain {
                li { (ctx.t("privacy.subscribers_choices")) }
                li { (ctx.t("privacy.subscribers_consent")) }
            }

            h2 #bijeenkomsten { (ctx.t("privacy.meetings_title")) }
            ul.plain {
                li { (ctx.t("privacy.meetings_members")) }
                li { (with_days(ctx, "privacy.meetings_visitors", f.meeting_visitor_days)) }
                li { (with_days(ctx, "privacy.meetings_training", f.training_attendance_days)) }
                li { (ctx.t("privacy.meetings_yours")) }
            }

            h2 #berichten { (ctx.t("privacy.messages_title")) }
            ul.plain {
                li { (ctx.t("privacy.messages_who")) }
                li { (ctx.t("privacy.messages_blocks")) }
                li { (ctx.t("privacy.messages_reports")) }
                li { (ctx.t("privacy.messages_mail")) }
                li { (ctx.t("privacy.messages_deletion")) }
            }

            h2 #interventies { (ctx.t("privacy.interventions_title")) }
            p { (ctx.t("privacy.interventions_text")) }

            h2 { (ctx.t("privacy.why_title")) }
            p { (ctx.t("privacy.why_text")) }

            h2 { (ctx.t("privacy.how_long_title")) }
            ul.plain #retention {
                li { (with_days(ctx, "privacy.how_long_unconfirmed", f.unconfirmed_days)) }
                li { (lang.plural("privacy.how_long_stopped", i64::from(f.consent_keep_years))) }
                li { (with_days(ctx, "privacy.how_long_digest", f.digest_body_days)) }
                li { (lang.plural("privacy.how_long_notice", f.notice_body_days)) }
                li { (lang.plural("privacy.how_long_daily", f.run_every_days)) }
                li { (ctx.t("privacy.how_long_members")) }
            }

            h2 { (ctx.t("privacy.who_sees_title")) }
            ul.plain {
                li { (ctx.t("privacy.who_sees_public")) }
                li { (ctx.t("privacy.who_sees_members")) }
                li { (ctx.t("privacy.who_sees_experts")) }
                li { (ctx.t("privacy.who_sees_history")) }
                li { (ctx.t("privacy.who_sees_member_page")) }
                li { (ctx.t("privacy.who_sees_admins")) }
            }

            h2 { (ctx.t("privacy.yours_title")) }
            p { (ctx.t("privacy.yours_members")) }
            p { (ctx.t("privacy.yours_subscribers")) }

            h2 { (ctx.t("privacy.contact_title")) }
            @if let Some(address) = &f.contact_email {
                p { (ctx.t("privacy.contact_mail")) " " a href={ "mailto:" (address) } { (address) } }
            } @else {
                p { (ctx.t("privacy.contact_none")) }
            }
        },
    )
}
