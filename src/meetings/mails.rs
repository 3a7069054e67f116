//! What is told about a meeting by mail: a place came free for you, the meeting changed,
//! it was cancelled, and the reminder the day before. All of it goes through the outbox,
//! once per person and occasion (the outbox's unique key), so it is exactly as durable as
//! the digests: a crash loses nothing and repeats nothing but the mail being handed over.
//!
//! Each mail is judged by the visibility rule for its reader: a member reads it with their
//! own eyes, a visitor only while the meeting is public; the online link is in it only for
//! someone holding a place.

use chrono::{DateTime, Duration, Utc};
use maud::html;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::views;
use crate::{
    AppState,
    delivery::outbox,
    entities::{
        meeting::{self, MeetingState},
        outbox_mail, practice,
        registration::{self, Status},
    },
    i18n::Lang,
    mail::Letter,
    visibility::{Reader, shows_online_link},
};

/// One person to tell, with what they may read.
struct Recipient {
    email: String,
    lang: Lang,
    name: String,
    registration: registration::Model,
}

/// The people of these registrations who may still read about the meeting.
async fn recipients(
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
    registrations: Vec<registration::Model>,
) -> Result<Vec<Recipient>, DbErr> {
    let practice = match meeting.practice_id {
        Some(id) => practice::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let people = crate::forum::people(db, registrations.iter().filter_map(|r| r.user_id)).await?;
    Ok(registrations
        .into_iter()
        .filter_map(|r| {
            let (email, lang, name, reader) = match r.user_id {
                Some(id) => {
                    let person = people
                        .get(&id)
                        .filter(|p| p.deleted_at.is_none() && !p.disabled)?;
                    (
                        person.email.clone(),
                        Lang::parse(&person.lang).unwrap_or_default(),
                        person.name.clone(),
                        Reader::of(Some(person)),
                    )
                }
                None => (
                    r.email.clone(),
                    Lang::parse(&r.lang).unwrap_or_default(),
                    r.name.clone(),
                    Reader::Visitor,
                ),
            };
            (!email.is_empty() && reader.may_see_meeting(meeting, practice.as_ref())).then_some(
                Recipient {
                    email,
                    lang,
                    name,
                    registration: r,
                },
            )
        })
        .collect())
}

async fn registrations_with(
    db: &impl ConnectionTrait,
    meeting_id: i32,
    statuses: &[Status],
) -> Result<Vec<registration::Model>, DbErr> {
    registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting_id))
        .filter(registration::Column::Status.is_in(statuses.iter().copied()))
        .all(db)
        .await
}

/// When, where and (for someone with a place) the online link, in both forms.
fn details(lang: Lang, meeting: &meeting::Model, link: bool) -> (String, maud::Markup) {
    let when = views::when_text(lang, meeting);
    let place = views::place_line(meeting);
    let online =
        (link && !meeting.online_link.trim().is_empty()).then_some(meeting.online_link.trim());
    let (when_label, where_label, online_label) = (
        lang.t("meetings.when"),
        lang.t("field.place"),
        lang.t("field.online_link"),
    );
    let mut text = format!("{}\n{when_label}: {when}\n", meeting.title);
    if !place.is_empty() {
        text.push_str(&format!("{where_label}: {place}\n"));
    }
    if let Some(url) = online {
        text.push_str(&format!("{online_label}: {url}\n"));
    }
    text.push('\n');
    let html = html! {
        table style="border-collapse:collapse;margin:0 0 16px" {
            tr { th colspan="2" style="text-align:left;padding:4px 0;font-size:18px" { (meeting.title) } }
            tr { td style="padding:2px 12px 2px 0;color:#4a403a" { (when_label) } td { strong { (when) } } }
            @if !place.is_empty() {
                tr { td style="padding:2px 12px 2px 0;color:#4a403a" { (where_label) } td { (place) } }
            }
            @if let Some(url) = online {
                tr { td style="padding:2px 12px 2px 0;color:#4a403a" { (online_label) } td { a href=(url) style="color:#7a2e0e" { (url) } } }
            }
        }
    };
    (text, html)
}

/// The mail to one person about a meeting: `subject_key` and `intro_key` take `%{title}`.
fn letter(
    state: &AppState,
    meeting: &meeting::Model,
    r: &Recipient,
    subject_key: &str,
    intro_key: &str,
) -> Letter {
    let lang = r.lang;
    let subject = rust_i18n::t!(
        subject_key,
        locale = lang.code(),
        title = meeting.title.as_str()
    );
    let intro = rust_i18n::t!(
        intro_key,
        locale = lang.code(),
        title = meeting.title.as_str()
    );
    let link =
        meeting.state == MeetingState::Planned && shows_online_link(Some(&r.registration), false);
    let (text, html) = details(lang, meeting, link);
    let (page, why) = match (&r.registration.user_id, &r.registration.manage_token) {
        (None, Some(token)) => (
            state
                .settings
                .url(&format!("/bijeenkomsten/inschrijving/{token}")),
            "meetings.mail_footer_visitor",
        ),
        _ => (
            state
                .settings
                .url(&format!("/bijeenkomsten/{}", meeting.id)),
            "meetings.mail_footer_member",
        ),
    };
    Letter::new(lang, &r.email, subject_key)
        .subject(subject.into_owned())
        .greet(&r.name)
        .text(intro.into_owned())
        .block(text, html)
        .link("meetings.mail_open", page)
        .footer(why, &[])
}

/// Queues one mail per recipient under `key` (with the recipient's registration id, so two
/// people sharing an address are each told), in `db`: the caller's transaction, so the mail
/// is queued if and only if what it tells of happened.
async fn queue(
    state: &AppState,
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
    recipients: &[Recipient],
    key: &str,
    subject_key: &str,
    intro_key: &str,
) -> Result<usize, DbErr> {
    let keys: Vec<String> = recipients
        .iter()
        .map(|r| format!("{key}#{}", r.registration.id))
        .collect();
    // Already queued (the reminder is looked for at every turn): not composed again.
    let done: std::collections::HashSet<String> = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::PeriodKey)
        .filter(outbox_mail::Column::PeriodKey.is_in(keys))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows: Vec<outbox_mail::ActiveModel> = recipients
        .iter()
        .filter(|r| !done.contains(&format!("{key}#{}", r.registration.id)))
        .map(|r| {
            outbox::row(
                state.settings.host(),
                letter(state, meeting, r, subject_key, intro_key).build(),
                format!("{key}#{}", r.registration.id),
                None,
            )
        })
        .collect();
    let n = rows.len();
    if n > 0 {
        outbox::queue_rows(db, rows).await?;
        state.wake_mail.notify_one();
    }
    Ok(n)
}

/// Tells those who moved up from the waiting list that they have a place now (each time
/// they do: the key carries the moment).
pub async fn moved_up(
    state: &AppState,
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
    moved: &[registration::Model],
) -> Result<(), DbErr> {
    if moved.is_empty() {
        return Ok(());
    }
    let people = recipients(db, meeting, moved.to_vec()).await?;
    queue(
        state,
        db,
        meeting,
        &people,
        &format!(
            "meeting-place:{}:{}",
            meeting.id,
            Utc::now().timestamp_millis()
        ),
        "meetings.mail_place_subject",
        "meetings.mail_place_body",
    )
    .await
    .map(|_| ())
}

/// Tells everyone registered or waiting that the meeting changed (once per version).
pub async fn changed(
    state: &AppState,
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
) -> Result<usize, DbErr> {
    tell_all(
        state,
        db,
        meeting,
        &format!("meeting-change:{}:{}", meeting.id, meeting.sequence),
        "meetings.mail_changed_subject",
        "meetings.mail_changed_body",
    )
    .await
}

/// Tells everyone registered or waiting that the meeting will not take place.
pub async fn cancelled(
    state: &AppState,
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
) -> Result<usize, DbErr> {
    tell_all(
        state,
        db,
        meeting,
        &format!("meeting-cancel:{}", meeting.id),
        "meetings.mail_cancelled_subject",
        "meetings.mail_cancelled_body",
    )
    .await
}

/// One mail to everyone registered or waiting.
async fn tell_all(
    state: &AppState,
    db: &impl ConnectionTrait,
    meeting: &meeting::Model,
    key: &str,
    subject_key: &str,
    intro_key: &str,
) -> Result<usize, DbErr> {
    let rows = registrations_with(db, meeting.id, &[Status::Registered, Status::Waiting]).await?;
    let people = recipients(db, meeting, rows).await?;
    queue(state, db, meeting, &people, key, subject_key, intro_key).await
}

/// Queues the reminder for every meeting starting within a day, to everyone with a place.
/// Run at every turn of the mail job; the outbox's key makes it once per person and day of
/// the meeting (a meeting moved to another day reminds again, for the new day; another
/// hour the same day does not).
pub async fn queue_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let soon = meeting::Entity::find()
        .filter(meeting::Column::State.eq(MeetingState::Planned))
        .filter(meeting::Column::StartsAt.gt(now))
        .filter(meeting::Column::StartsAt.lte(now + Duration::days(1)))
        .all(&state.db)
        .await?;
    let mut queued = 0;
    let today = super::local(now).date_naive();
    for meeting in &soon {
        let rows = registrations_with(&state.db, meeting.id, &[Status::Registered]).await?;
        let people = recipients(&state.db, meeting, rows).await?;
        // "Tomorrow", or "today" for one later the same day (planned at short notice).
        let (subject_key, body_key) = if super::local(meeting.starts_at).date_naive() == today {
            (
                "meetings.mail_reminder_today_subject",
                "meetings.mail_reminder_today_body",
            )
        } else {
            (
                "meetings.mail_reminder_subject",
                "meetings.mail_reminder_body",
            )
        };
        queued += queue(
            state,
            &state.db,
            meeting,
            &people,
            &format!(
                "meeting-reminder:{}:{}",
                meeting.id,
                super::local(meeting.starts_at).date_naive()
            ),
            subject_key,
            body_key,
        )
        .await?;
    }
    Ok(queued)
}
