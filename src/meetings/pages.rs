//! The meetings pages: the whole community's, a practice's, and one meeting's.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use maud::{Markup, PreEscaped, html};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    Among, joining, open_for_registration, organisers, past, practices_of, state_now, upcoming,
    views,
};
use crate::{
    AppState,
    context::Ctx,
    entities::{
        meeting::{self, MeetingState},
        practice, registration, thread,
    },
    error::{AppError, AppResult},
    forms::FieldErrors,
    forum::{Scope, views::person_link},
    layout, markdown,
    visibility::shows_online_link,
};

/// How many meetings a meetings page lists, each way.
const LISTED: u64 = 100;

/// `/bijeenkomsten`: every meeting this reader may see, coming and past.
pub async fn community(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let coming = upcoming(&state.db, scope.reader(), Among::All, LISTED).await?;
    let been = past(&state.db, scope.reader(), Among::All, LISTED).await?;
    let mut all = coming.clone();
    all.extend(been.iter().cloned());
    let practices = practices_of(&state.db, &all).await?;
    let title = ctx.t("meetings.title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("meetings.intro")) }
            div.actions {
                @if scope.may_plan_meeting(None) {
                    a.button href="/bijeenkomsten/nieuw" { (ctx.t("meetings.plan_community")) }
                }
                a href="/bijeenkomsten.ics" { (ctx.t("meetings.public_feed")) }
                @if ctx.user.is_some() {
                    a href="/profiel/agenda" { (ctx.t("meetings.own_feed")) }
                }
            }
            (lists(&ctx, &coming, &been, &practices, true))
        },
    ))
}

fn lists(
    ctx: &Ctx,
    coming: &[meeting::Model],
    been: &[meeting::Model],
    practices: &std::collections::HashMap<i32, practice::Model>,
    show_practice: bool,
) -> Markup {
    html! {
        section aria-labelledby="coming-title" {
            h2 #coming-title { (ctx.t("meetings.coming")) }
            @if coming.is_empty() {
                p.empty { (ctx.t("meetings.none_coming")) }
            } @else {
                (views::meeting_list(ctx, coming, practices, show_practice))
            }
        }
        section aria-labelledby="past-title" {
            h2 #past-title { (ctx.t("meetings.past")) }
            @if been.is_empty() {
                p.empty { (ctx.t("meetings.none_past")) }
            } @else {
                (views::meeting_list(ctx, been, practices, show_practice))
            }
        }
    }
}

/// `/praktijken/{slug}/bijeenkomsten`: one practice's (or the expert area's) meetings.
pub async fn of_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let practice = scope
        .practice_by_slug(&slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let among = Among::Practice(practice.id);
    let coming = upcoming(&state.db, scope.reader(), among, LISTED).await?;
    let been = past(&state.db, scope.reader(), among, LISTED).await?;
    let title = rust_i18n::t!(
        "meetings.of_practice",
        locale = ctx.lang.code(),
        name = practice.name(ctx.lang)
    );
    let base = format!("/praktijken/{}", practice.slug);
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href=(base) { (practice.name(ctx.lang)) } }
            h1 { (title) }
            div.actions {
                @if scope.may_plan_meeting(Some(&practice)) {
                    a.button href={ (base) "/bijeenkomsten/nieuw" } { (ctx.t("meetings.plan")) }
                }
                @if practice.kind == practice::Kind::Practice {
                    a href={ (base) "/bijeenkomsten.ics" } { (ctx.t("meetings.public_feed")) }
                }
                a href="/bijeenkomsten" { (ctx.t("meetings.all_link")) }
            }
            (lists(&ctx, &coming, &been, &std::collections::HashMap::new(), false))
        },
    ))
}

/// What one meeting's page needs besides the meeting.
pub struct Shown {
    pub practice: Option<practice::Model>,
    pub organisers: Vec<crate::entities::user::Model>,
    /// The reader's own registration (members).
    pub mine: Option<registration::Model>,
    pub organises: bool,
    pub waiting: u64,
    pub report: Option<thread::Model>,
}

/// `/bijeenkomsten/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let Some(meeting) = super::visible(&state.db, scope.reader(), id).await? else {
        return Err(hidden(&ctx));
    };
    let shown = load(&state, &scope, &ctx, &meeting).await?;
    let form = joining::VisitorForm::default();
    Ok(page(&ctx, &meeting, &shown, &form, &FieldErrors::default()).into_response())
}

/// A meeting out of reach: a visitor is asked to sign in (which tells nothing of what is
/// behind it), a member gets "not found".
pub fn hidden(ctx: &Ctx) -> AppError {
    match ctx.user {
        None => AppError::SignInRequired {
            next: ctx.path.clone(),
        },
        Some(_) => AppError::NotFound,
    }
}

pub async fn load(
    state: &AppState,
    scope: &Scope,
    ctx: &Ctx,
    meeting: &meeting::Model,
) -> AppResult<Shown> {
    let practice = meeting
        .practice_id
        .and_then(|id| scope.practice(id))
        .cloned();
    let organisers = organisers(&state.db, [meeting.id])
        .await?
        .remove(&meeting.id)
        .unwrap_or_default();
    let mine = match &ctx.user {
        Some(person) => super::registration_of(&state.db, meeting.id, person.id).await?,
        None => None,
    };
    let is_organiser = ctx
        .user
        .as_ref()
        .is_some_and(|p| organisers.iter().any(|o| o.id == p.id));
    let organises = scope.organises(meeting, is_organiser);
    let waiting = {
        use sea_orm::PaginatorTrait;
        registration::Entity::find()
            .filter(registration::Column::MeetingId.eq(meeting.id))
            .filter(registration::Column::Status.eq(registration::Status::Waiting))
            .count(&state.db)
            .await?
    };
    let report = match meeting.report_thread_id {
        Some(id) => scope.thread(&state.db, id).await?,
        None => None,
    };
    Ok(Shown {
        practice,
        organisers,
        mine,
        organises,
        waiting,
        report,
    })
}

pub fn page(
    ctx: &Ctx,
    meeting: &meeting::Model,
    shown: &Shown,
    form: &joining::VisitorForm,
    errors: &FieldErrors,
) -> Markup {
    let now = Utc::now();
    let state = state_now(meeting, now);
    let link = shows_online_link(shown.mine.as_ref(), shown.organises);
    let base = format!("/bijeenkomsten/{}", meeting.id);
    let agenda = markdown::off_executor(|| markdown::to_html(&meeting.agenda));
    layout::page(
        ctx,
        &meeting.title,
        html! {
            p.breadcrumb {
                (views::belongs_to(ctx, shown.practice.as_ref()))
                " › "
                @match &shown.practice {
                    Some(p) => a href={ "/praktijken/" (p.slug) "/bijeenkomsten" } { (ctx.t("meetings.title")) },
                    None => a href="/bijeenkomsten" { (ctx.t("meetings.title")) },
                }
            }
            h1 { (meeting.title) }
            p.meta {
                span.badge { (views::kind_label(ctx, meeting.kind)) }
                " " (crate::forum::views::visibility_badge(ctx, meeting.visibility))
            }
            @match state {
                MeetingState::Cancelled => div.notice.warning role="note" { p { (ctx.t("meetings.cancelled_notice")) } },
                MeetingState::Held => div.notice role="note" { p { (ctx.t("meetings.held_notice")) } },
                MeetingState::Planned => {},
            }
            dl.meeting-facts {
                dt { (ctx.t("meetings.when")) }
                dd { time datetime=(meeting.starts_at.to_rfc3339()) { (views::when_text(ctx.lang, meeting)) } }
                @if !meeting.place.trim().is_empty() {
                    dt { (ctx.t("field.place")) }
                    dd { (meeting.place) @if !meeting.room.trim().is_empty() { ", " (meeting.room) } }
                }
                @if !meeting.accessibility.trim().is_empty() {
                    dt { (ctx.t("field.accessibility")) }
                    dd { (meeting.accessibility) }
                }
                @if !meeting.online_link.trim().is_empty() {
                    dt { (ctx.t("field.online_link")) }
                    dd {
                        @if link {
                            a href=(meeting.online_link) rel="noopener noreferrer" { (meeting.online_link) }
                        } @else {
                            (ctx.t("meetings.link_after_registering"))
                        }
                    }
                }
                @if !shown.organisers.is_empty() {
                    dt { (ctx.t("field.organisers")) }
                    dd {
                        @for (i, o) in shown.organisers.iter().enumerate() {
                            @if i > 0 { ", " }
                            (person_link(ctx, Some(o)))
                        }
                    }
                }
                dt { (ctx.t("meetings.places")) }
                dd {
                    @match meeting.capacity {
                        Some(cap) => (rust_i18n::t!("meetings.places_taken", locale = ctx.lang.code(), n = meeting.registered, cap = cap)),
                        None => (ctx.lang.plural("meetings.registered_count", i64::from(meeting.registered))),
                    }
                    @if shown.waiting > 0 {
                        " · " (ctx.lang.plural("meetings.waiting_count", shown.waiting as i64))
                    }
                }
                @if let Some(deadline) = meeting.deadline {
                    dt { (ctx.t("meetings.deadline")) }
                    dd { (views::long_date(ctx.lang, deadline)) ", " (views::clock(deadline)) }
                }
            }
            @if !meeting.agenda.trim().is_empty() {
                section aria-labelledby="agenda-title" {
                    h2 #agenda-title { (ctx.t("field.agenda")) }
                    div.post-body { (PreEscaped(agenda)) }
                }
            }
            @if let Some(report) = &shown.report {
                section #verslag aria-labelledby="report-title" {
                    h2 #report-title { (ctx.t("meetings.report")) }
                    p { a href={ "/onderwerpen/" (report.id) } { (report.title) } }
                }
            }
            section.join aria-labelledby="join-title" {
                h2 #join-title { (ctx.t("meetings.join_title")) }
                (joining::join_section(ctx, meeting, shown, open_for_registration(meeting, now), form, errors))
                p { a href={ (base) "/agenda.ics" } { (ctx.t("meetings.add_to_calendar")) } }
            }
            @if shown.organises {
                section.organise aria-labelledby="organise-title" {
                    h2 #organise-title { (ctx.t("meetings.organise_title")) }
                    div.actions {
                        a href={ (base) "/aanmeldingen" } { (ctx.t("meetings.registrations")) }
                        @if state == MeetingState::Planned {
                            a href={ (base) "/bewerken" } { (ctx.t("meetings.edit")) }
                            a href={ (base) "/annuleren" } { (ctx.t("meetings.cancel_meeting")) }
                        }
                        @if state == MeetingState::Held && shown.report.is_none() && meeting.report_thread_id.is_none() {
                            a.button href={ (base) "/verslag" } { (ctx.t("meetings.write_report")) }
                        }
                    }
                }
            }
        },
    )
}
