//! What meetings look like wherever they show: their time in words, a list of them, and
//! the "Binnenkort" section of the practice and home pages.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use maud::{Markup, html};

use super::{local, state_now};
use crate::{
    context::Ctx,
    entities::{
        meeting::{self, MeetingState},
        practice,
    },
    forum::views::visibility_badge,
    i18n::Lang,
};

const DAYS_NL: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];
const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_NL: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "dinsdag 8 december 2026" / "Tuesday 8 December 2026", in Amsterdam time.
pub fn long_date(lang: Lang, at: DateTime<Utc>) -> String {
    let local = local(at);
    let day = local.weekday().num_days_from_monday() as usize;
    let month = local.month0() as usize;
    let (days, months) = match lang {
        Lang::Nl => (DAYS_NL, MONTHS_NL),
        Lang::En => (DAYS_EN, MONTHS_EN),
    };
    format!(
        "{} {} {} {}",
        days[day],
        local.day(),
        months[month],
        local.year()
    )
}

/// "14:00", in Amsterdam time.
pub fn clock(at: DateTime<Utc>) -> String {
    local(at).format("%H:%M").to_string()
}

/// When a meeting is, in words: "dinsdag 8 december 2026, 14:00–16:00" (both dates when it
/// ends on another day).
pub fn when_text(lang: Lang, meeting: &meeting::Model) -> String {
    let (start, end) = (meeting.starts_at, meeting.ends_at);
    if local(start).date_naive() == local(end).date_naive() {
        format!(
            "{}, {}–{}",
            long_date(lang, start),
            clock(start),
            clock(end)
        )
    } else {
        format!(
            "{}, {} – {}, {}",
            long_date(lang, start),
            clock(start),
            long_date(lang, end),
            clock(end)
        )
    }
}

/// The address and room, in one line (empty for a meeting online only).
pub fn place_line(meeting: &meeting::Model) -> String {
    [meeting.place.trim(), meeting.room.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where, in one line: the place and room, and "online" when there is a link (never the
/// link itself).
pub fn where_text(lang: Lang, meeting: &meeting::Model) -> String {
    let place = place_line(meeting);
    match (place.is_empty(), meeting.online_link.trim().is_empty()) {
        (_, true) => place,
        (true, false) => lang.t("meetings.online").into_owned(),
        (false, false) => format!("{place}, {}", lang.t("meetings.online")),
    }
}

pub fn kind_label(ctx: &Ctx, kind: meeting::Kind) -> String {
    ctx.t(&format!("meetings.kind.{}", kind.as_str()))
        .into_owned()
}

/// Where a meeting belongs, linked: its practice, or the whole community.
pub fn belongs_to(ctx: &Ctx, practice: Option<&practice::Model>) -> Markup {
    html! {
        @match practice {
            Some(p) => a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) },
            None => a href="/bijeenkomsten" { (ctx.t("meetings.community")) },
        }
    }
}

/// Meetings as a list of cards: date, title, kind, where, and whether it is full.
pub fn meeting_list(
    ctx: &Ctx,
    meetings: &[meeting::Model],
    practices: &HashMap<i32, practice::Model>,
    show_practice: bool,
) -> Markup {
    let now = Utc::now();
    html! {
        ol.meetings {
            @for m in meetings {
                @let state = state_now(m, now);
                li.meeting.cancelled[state == MeetingState::Cancelled] {
                    p.meeting-date {
                        time datetime=(m.starts_at.to_rfc3339()) { (when_text(ctx.lang, m)) }
                    }
                    h3 { a href={ "/bijeenkomsten/" (m.id) } { (m.title) } }
                    p.meta {
                        span.badge { (kind_label(ctx, m.kind)) }
                        " " (visibility_badge(ctx, m.visibility))
                        @if state == MeetingState::Cancelled {
                            " " span.badge.warning { (ctx.t("meetings.state.cancelled")) }
                        }
                        @if show_practice {
                            " · " (belongs_to(ctx, m.practice_id.and_then(|id| practices.get(&id))))
                        }
                        @let place = where_text(ctx.lang, m);
                        @if !place.is_empty() { " · " (place) }
                        @if state == MeetingState::Planned {
                            @if let Some(cap) = m.capacity.filter(|c| m.registered >= *c) {
                                " · " span.badge { (ctx.t("meetings.full")) }
                                span.visually-hidden { " (" (cap) ")" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "Binnenkort": the next meetings, with a link to all of them. A kept page holding it is
/// fresh until the first of them ends (and so leaves the list).
pub fn soon(
    ctx: &Ctx,
    meetings: &[meeting::Model],
    practices: &HashMap<i32, practice::Model>,
    all_link: &str,
    show_practice: bool,
) -> Markup {
    if let Some(first) = meetings.iter().map(|m| m.ends_at).min() {
        ctx.labels_until.changes_at(first);
    }
    html! {
        section.soon aria-labelledby="soon-title" {
            h2 #soon-title { (ctx.t("meetings.soon")) }
            @if meetings.is_empty() {
                p.empty { (ctx.t("meetings.none_soon")) }
            } @else {
                (meeting_list(ctx, meetings, practices, show_practice))
            }
            p { a href=(all_link) { (ctx.t("meetings.all_link")) } }
        }
    }
}
