//! Meetings (bijeenkomsten): the practices meet, and Erbij is where that is planned, joined
//! and remembered.
//!
//! - [`edit`]: planning, changing, cancelling a meeting and writing its report;
//! - [`pages`]: the meetings of a practice and of the whole community, one meeting's page,
//!   and the "Binnenkort" list on the practice and home pages;
//! - [`joining`]: registering and cancelling (members with one button, visitors of a public
//!   meeting with a confirmed address and a link of their own);
//! - [`places`]: the one place where places are given and freed, and the waiting list moves;
//! - [`organising`]: the registrations for organisers, as a list and CSV, attendance, and the
//!   certificate of attendance of a training;
//! - [`calendar`]: `.ics` files and feeds;
//! - [`mails`]: what is told by mail (a place came free, changed, cancelled, the reminder),
//!   all through the outbox.
//!
//! Who sees a meeting, and its online link, is the visibility rule's ([`crate::visibility`]).

pub mod calendar;
pub mod edit;
pub mod joining;
pub mod mails;
pub mod organising;
pub mod pages;
pub mod places;
pub mod views;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::{Europe::Amsterdam, Tz};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::{
    entities::{
        meeting::{self, MeetingState},
        meeting_organiser, practice, registration, user,
    },
    visibility::Reader,
};

/// Meetings happen in Rotterdam: every time is entered, shown and mailed in this zone.
pub const TIME_ZONE: Tz = Amsterdam;

/// How many meetings "Binnenkort" shows.
pub const SOON: u64 = 3;

/// A moment in Amsterdam time.
pub fn local(at: DateTime<Utc>) -> DateTime<Tz> {
    at.with_timezone(&TIME_ZONE)
}

/// A date and a time of day typed in a form, read as Amsterdam time. A time that does not
/// exist that day (the hour skipped when summer time starts) is an error; one that happens
/// twice (the hour repeated when it ends) is the first of the two.
pub fn from_local(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    TIME_ZONE
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .earliest()
        .map(|at| at.with_timezone(&Utc))
}

/// A line of text as it is stored (title, place, a visitor's name): NFC, without control
/// or format characters (which would break a calendar file or hide a name), trimmed.
pub fn one_line(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    input
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Where a meeting stands for people reading about it: a planned meeting whose end has
/// passed has been held.
pub fn state_now(meeting: &meeting::Model, now: DateTime<Utc>) -> MeetingState {
    match meeting.state {
        MeetingState::Planned if meeting.ends_at <= now => MeetingState::Held,
        state => state,
    }
}

/// Whether registering (or joining the waiting list) is still open.
pub fn open_for_registration(meeting: &meeting::Model, now: DateTime<Utc>) -> bool {
    meeting.state == MeetingState::Planned
        && meeting.starts_at > now
        && meeting.deadline.is_none_or(|d| d > now)
}

/// Which meetings of those a reader may see.
#[derive(Clone, Copy, Debug)]
pub enum Among {
    /// Everything the reader may see (the community page, the home page).
    All,
    /// One practice's (or the expert area's).
    Practice(i32),
}

/// The coming meetings (not cancelled) a reader may see, soonest first.
pub async fn upcoming(
    db: &impl ConnectionTrait,
    reader: Reader,
    among: Among,
    limit: u64,
) -> Result<Vec<meeting::Model>, DbErr> {
    among
        .filter(reader.meetings())
        .filter(meeting::Column::EndsAt.gt(Utc::now()))
        .filter(meeting::Column::State.ne(MeetingState::Cancelled))
        .order_by_asc(meeting::Column::StartsAt)
        .order_by_asc(meeting::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// Meetings that have been (or were cancelled), most recent first.
pub async fn past(
    db: &impl ConnectionTrait,
    reader: Reader,
    among: Among,
    limit: u64,
) -> Result<Vec<meeting::Model>, DbErr> {
    among
        .filter(reader.meetings())
        .filter(
            Condition::any()
                .add(meeting::Column::EndsAt.lte(Utc::now()))
                .add(meeting::Column::State.eq(MeetingState::Cancelled)),
        )
        .order_by_desc(meeting::Column::StartsAt)
        .order_by_desc(meeting::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

impl Among {
    fn filter(self, select: sea_orm::Select<meeting::Entity>) -> sea_orm::Select<meeting::Entity> {
        match self {
            Among::All => select,
            Among::Practice(id) => select.filter(meeting::Column::PracticeId.eq(id)),
        }
    }
}

/// One meeting, if this reader may see it.
pub async fn visible(
    db: &impl ConnectionTrait,
    reader: Reader,
    id: i32,
) -> Result<Option<meeting::Model>, DbErr> {
    reader
        .meetings()
        .filter(meeting::Column::Id.eq(id))
        .one(db)
        .await
}

/// The organisers of these meetings, by meeting id, in one query (names in a second).
pub async fn organisers(
    db: &impl ConnectionTrait,
    meeting_ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, Vec<user::Model>>, DbErr> {
    let rows = meeting_organiser::Entity::find()
        .filter(meeting_organiser::Column::MeetingId.is_in(meeting_ids))
        .all(db)
        .await?;
    let people = crate::forum::people(db, rows.iter().map(|r| r.user_id)).await?;
    let mut by_meeting: HashMap<i32, Vec<user::Model>> = HashMap::new();
    for row in rows {
        if let Some(person) = people.get(&row.user_id).filter(|p| p.deleted_at.is_none()) {
            by_meeting
                .entry(row.meeting_id)
                .or_default()
                .push(person.clone());
        }
    }
    for list in by_meeting.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(by_meeting)
}

/// Whether this person is one of the meeting's organisers.
pub async fn is_organiser(
    db: &impl ConnectionTrait,
    meeting_id: i32,
    user_id: i32,
) -> Result<bool, DbErr> {
    Ok(meeting_organiser::Entity::find_by_id((meeting_id, user_id))
        .one(db)
        .await?
        .is_some())
}

/// A member's registration for a meeting, whatever its status.
pub async fn registration_of(
    db: &impl ConnectionTrait,
    meeting_id: i32,
    user_id: i32,
) -> Result<Option<registration::Model>, DbErr> {
    registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting_id))
        .filter(registration::Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// The practices of these meetings, by id.
pub async fn practices_of(
    db: &impl ConnectionTrait,
    meetings: &[meeting::Model],
) -> Result<HashMap<i32, practice::Model>, DbErr> {
    let ids: Vec<i32> = meetings.iter().filter_map(|m| m.practice_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(practice::Entity::find()
        .filter(practice::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> Option<DateTime<Utc>> {
        from_local(
            NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
            NaiveTime::parse_from_str(time, "%H:%M").ok()?,
        )
    }

    #[test]
    fn amsterdam_time_follows_daylight_saving() {
        // Winter time is UTC+1, summer time UTC+2; the clocks moved on 28 March 2027.
        assert_eq!(
            at("2027-03-27", "10:00").map(|t| t.to_rfc3339()).as_deref(),
            Some("2027-03-27T09:00:00+00:00")
        );
        assert_eq!(
            at("2027-03-28", "10:00").map(|t| t.to_rfc3339()).as_deref(),
            Some("2027-03-28T08:00:00+00:00")
        );
        // 02:30 does not exist that night.
        assert_eq!(at("2027-03-28", "02:30"), None);
        // 02:30 happens twice on 31 October 2027: the first (still summer time) counts.
        assert_eq!(
            at("2027-10-31", "02:30").map(|t| t.to_rfc3339()).as_deref(),
            Some("2027-10-31T00:30:00+00:00")
        );
    }
}
