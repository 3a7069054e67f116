//! Calendars (RFC 5545), made with the `icalendar` crate: one meeting's `.ics`, a member's
//! own feed (secret address, revocable) and a practice's public feed.
//!
//! Times are written in Amsterdam time with its VTIMEZONE, so a calendar shows them right
//! on either side of a daylight-saving change. The UID is the meeting's own, for its whole
//! life; SEQUENCE is raised on every change, and a cancelled meeting's file says
//! `METHOD:CANCEL` (a feed, which has no method, marks it `STATUS:CANCELLED`).

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, sea_query::Query,
};

use super::{TIME_ZONE, joining, local};
use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{
        meeting::{self, MeetingState},
        membership, practice,
        registration::{self, Status},
        user,
    },
    error::{AppError, AppResult},
    forum::Scope,
    layout, markdown,
    page_cache::Changes,
    tokens::random_secret,
    visibility::{Reader, shows_online_link},
};

/// Europe/Amsterdam as RFC 5545 describes a time zone: CET in winter, CEST from the last
/// Sunday of March to the last Sunday of October (the rules since 1996).
const AMSTERDAM: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Amsterdam\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\nEND:VCALENDAR\r\n";

/// How far back a feed reaches: meetings of the last 90 days stay in it.
const FEED_PAST_DAYS: i64 = 90;

/// A calendar with our product id and the Amsterdam time zone, ready for events.
fn calendar(name: &str) -> Calendar {
    let mut calendar: Calendar = AMSTERDAM.parse().unwrap_or_else(|_| Calendar::empty());
    calendar.properties.clear();
    calendar.append_property(("VERSION", "2.0"));
    calendar.append_property(("PRODID", "-//Erbij//Bijeenkomsten//NL"));
    calendar.append_property(("CALSCALE", "GREGORIAN"));
    calendar.name(name);
    calendar
}

/// One meeting as an event; `link`: whether this reader gets the online link.
fn event(state: &AppState, meeting: &meeting::Model, link: bool) -> Event {
    let url = state
        .settings
        .url(&format!("/bijeenkomsten/{}", meeting.id));
    let mut description = markdown::plain(&meeting.agenda, 4_000);
    if link && !meeting.online_link.trim().is_empty() {
        description = format!("{}\n\n{description}", meeting.online_link.trim());
    }
    let location = super::views::place_line(meeting);
    let mut event = Event::new();
    event
        .uid(&format!("{}@{}", meeting.uid, state.settings.host()))
        .summary(&meeting.title)
        .description(description.trim())
        .url(&url)
        .sequence(u32::try_from(meeting.sequence).unwrap_or_default())
        .timestamp(meeting.updated_at)
        .last_modified(meeting.updated_at)
        .created(meeting.created_at)
        .starts(zoned(meeting.starts_at))
        .ends(zoned(meeting.ends_at))
        .status(if meeting.state == MeetingState::Cancelled {
            EventStatus::Cancelled
        } else {
            EventStatus::Confirmed
        });
    if !location.is_empty() {
        event.location(&location);
    } else if link && !meeting.online_link.trim().is_empty() {
        event.location(meeting.online_link.trim());
    }
    event.done()
}

fn zoned(at: chrono::DateTime<Utc>) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: local(at).naive_local(),
        tzid: TIME_ZONE.name().to_owned(),
    }
}

fn ics_response(body: String, file: Option<&str>) -> Response {
    let mut headers = vec![
        (
            header::CONTENT_TYPE,
            "text/calendar; charset=utf-8".to_owned(),
        ),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    if let Some(file) = file {
        headers.push((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ));
    }
    let mut response = body.into_response();
    for (name, value) in headers {
        if let Ok(value) = value.parse() {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// One meeting's file, for someone who may see it.
fn single(state: &AppState, meeting: &meeting::Model, link: bool) -> String {
    let mut cal = calendar(&meeting.title);
    cal.append_property((
        "METHOD",
        if meeting.state == MeetingState::Cancelled {
            "CANCEL"
        } else {
            "PUBLISH"
        },
    ));
    cal.push(event(state, meeting, link));
    cal.to_string()
}

/// `GET /bijeenkomsten/{id}/agenda.ics`.
pub async fn meeting_file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let Some(meeting) = super::visible(&state.db, scope.reader(), id).await? else {
        return Err(super::pages::hidden(&ctx));
    };
    let mine = match &ctx.user {
        Some(p) => super::registration_of(&state.db, meeting.id, p.id).await?,
        None => None,
    };
    let organiser = match &ctx.user {
        Some(p) => super::is_organiser(&state.db, meeting.id, p.id).await?,
        None => false,
    };
    let link = shows_online_link(mine.as_ref(), scope.organises(&meeting, organiser));
    Ok(ics_response(
        single(&state, &meeting, link),
        Some(&format!("bijeenkomst-{}.ics", meeting.id)),
    ))
}

/// `GET /bijeenkomsten/inschrijving/{token}/agenda.ics`: a visitor's own file, with the
/// online link while they hold a place.
pub async fn visitor_file(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let row = joining::by_manage_token(&state.db, &token)
        .await?
        .ok_or(AppError::NotFound)?;
    let meeting = joining::public_meeting(&state, &row)
        .await?
        .ok_or(AppError::NotFound)?;
    let link = shows_online_link(Some(&row), false);
    Ok(ics_response(
        single(&state, &meeting, link),
        Some(&format!("bijeenkomst-{}.ics", meeting.id)),
    ))
}

/// A feed: these meetings, each with the link only where `links` says so.
fn feed(state: &AppState, name: &str, meetings: &[(meeting::Model, bool)]) -> String {
    let mut cal = calendar(name);
    for (meeting, link) in meetings {
        cal.push(event(state, meeting, *link));
    }
    cal.to_string()
}

fn since() -> chrono::DateTime<Utc> {
    Utc::now() - Duration::days(FEED_PAST_DAYS)
}

/// `GET /praktijken/{slug}/bijeenkomsten.ics`: a practice's public meetings, never a link.
pub async fn practice_feed(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let slug = slug.strip_suffix(".ics").unwrap_or(&slug).to_owned();
    let practice = practice::Entity::find()
        .filter(practice::Column::Slug.eq(&slug))
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let meetings = Reader::Visitor
        .meetings()
        .filter(meeting::Column::PracticeId.eq(practice.id))
        .filter(meeting::Column::EndsAt.gt(since()))
        .order_by_asc(meeting::Column::StartsAt)
        .all(&state.db)
        .await?;
    let name = format!("Erbij – {}", practice.name_nl);
    let listed: Vec<(meeting::Model, bool)> = meetings.into_iter().map(|m| (m, false)).collect();
    Ok(ics_response(feed(&state, &name, &listed), None))
}

/// `GET /bijeenkomsten.ics`: every public meeting of the community, never a link.
pub async fn public_feed(State(state): State<AppState>) -> AppResult<Response> {
    let meetings = Reader::Visitor
        .meetings()
        .filter(meeting::Column::EndsAt.gt(since()))
        .order_by_asc(meeting::Column::StartsAt)
        .all(&state.db)
        .await?;
    let listed: Vec<(meeting::Model, bool)> = meetings.into_iter().map(|m| (m, false)).collect();
    Ok(ics_response(feed(&state, "Erbij", &listed), None))
}

/// `GET /agenda/{token}.ics`: a member's own feed — the meetings they registered for and
/// those of their practices, as they may see them; the link where they hold a place.
pub async fn personal_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    if token.len() != 64 {
        return Err(AppError::NotFound);
    }
    let person = user::Entity::find()
        .filter(user::Column::CalendarToken.eq(token))
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let reader = Reader::of(Some(&person));
    let mine: std::collections::HashMap<i32, registration::Model> = registration::Entity::find()
        .filter(registration::Column::UserId.eq(person.id))
        .filter(registration::Column::Status.is_in([Status::Registered, Status::Waiting]))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.meeting_id, r))
        .collect();
    let practices = Query::select()
        .column(membership::Column::PracticeId)
        .from(membership::Entity)
        .and_where(membership::Column::UserId.eq(person.id))
        .to_owned();
    let mut near = Condition::any()
        .add(meeting::Column::Id.is_in(mine.keys().copied()))
        .add(meeting::Column::PracticeId.in_subquery(practices))
        .add(meeting::Column::PracticeId.is_null());
    if reader.in_expert_group() {
        near = near.add(
            meeting::Column::PracticeId.in_subquery(
                Query::select()
                    .column(practice::Column::Id)
                    .from(practice::Entity)
                    .and_where(practice::Column::Kind.eq(practice::Kind::Expert))
                    .to_owned(),
            ),
        );
    }
    let meetings = reader
        .meetings()
        .filter(near)
        .filter(meeting::Column::EndsAt.gt(since()))
        .order_by_asc(meeting::Column::StartsAt)
        .limit(500)
        .all(&state.db)
        .await?;
    let organised: std::collections::HashSet<i32> =
        crate::entities::meeting_organiser::Entity::find()
            .filter(crate::entities::meeting_organiser::Column::UserId.eq(person.id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|o| o.meeting_id)
            .collect();
    // The link as on the page: with a place, or as one who organises it.
    let scope = Scope::for_viewer(&state.db, Some(&person)).await?;
    let listed: Vec<(meeting::Model, bool)> = meetings
        .into_iter()
        .map(|m| {
            let organises = scope.organises(&m, organised.contains(&m.id));
            let link = shows_online_link(mine.get(&m.id), organises);
            (m, link)
        })
        .collect();
    Ok(ics_response(feed(&state, "Erbij", &listed), None))
}

/// `/profiel/agenda`: the member's own calendar address, to copy, renew or switch off.
pub async fn show_own_feed(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let title = ctx.t("meetings.feed_title");
    let url = person
        .calendar_token
        .as_ref()
        .map(|t| state.settings.url(&format!("/agenda/{t}.ics")));
    // The coming meetings they registered for (or wait for), as they may see them.
    let ids: Vec<i32> = registration::Entity::find()
        .filter(registration::Column::UserId.eq(person.id))
        .filter(registration::Column::Status.is_in([Status::Registered, Status::Waiting]))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| r.meeting_id)
        .collect();
    let mine = ctx
        .reader()
        .meetings()
        .filter(meeting::Column::Id.is_in(ids))
        .filter(meeting::Column::EndsAt.gt(Utc::now()))
        .order_by_asc(meeting::Column::StartsAt)
        .all(&state.db)
        .await?;
    let practices = super::practices_of(&state.db, &mine).await?;
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href="/profiel" { (ctx.t("nav.profile")) } }
            h1 { (title) }
            section aria-labelledby="yours-title" {
                h2 #yours-title { (ctx.t("meetings.yours")) }
                @if mine.is_empty() {
                    p.empty { (ctx.t("meetings.none_yours")) " " a href="/bijeenkomsten" { (ctx.t("meetings.all_link")) } }
                } @else {
                    (super::views::meeting_list(&ctx, &mine, &practices, true))
                }
            }
            h2 { (ctx.t("meetings.own_feed")) }
            p.lead { (ctx.t("meetings.feed_intro")) }
            @match &url {
                Some(url) => {
                    p { (ctx.t("meetings.feed_address")) }
                    p { input.copy readonly value=(url) aria-label=(ctx.t("meetings.feed_address")); }
                    p.hint { (ctx.t("meetings.feed_secret")) }
                    form.inline method="post" action="/profiel/agenda" {
                        (layout::csrf_field(&ctx))
                        input type="hidden" name="action" value="renew";
                        button.secondary type="submit" { (ctx.t("meetings.feed_renew")) }
                    }
                    form.inline method="post" action="/profiel/agenda" {
                        (layout::csrf_field(&ctx))
                        input type="hidden" name="action" value="off";
                        button.secondary type="submit" { (ctx.t("meetings.feed_off")) }
                    }
                }
                None => {
                    form method="post" action="/profiel/agenda" {
                        (layout::csrf_field(&ctx))
                        input type="hidden" name="action" value="renew";
                        button.primary type="submit" { (ctx.t("meetings.feed_on")) }
                    }
                }
            }
        },
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FeedForm {
    action: String,
}

/// Makes a new secret address (the old one stops working) or switches the feed off.
pub async fn change_own_feed(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(form): CsrfForm<FeedForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    changes.personal(person.id);
    let mut active = person.clone().into_active_model();
    active.calendar_token = Set(match form.action.as_str() {
        "off" => None,
        _ => Some(random_secret()),
    });
    active.update(&state.db).await?;
    Ok(Redirect::to("/profiel/agenda").into_response())
}
