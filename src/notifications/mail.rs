//! Notifications by email, for people who asked for it on their profile: each one at once,
//! or all of a day's in one mail. Mails go through the same outbox as the digests, so each is
//! queued once however many instances run — an immediate mail is keyed by its
//! notification, a daily bundle by its day — and sent as the outbox promises. A notification is mailed at most once
//! (`emailed_at`), never after it was read on the site, and only while its post is still
//! visible to the person — a thread moved out of their reach sends nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use maud::html;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, Query},
};

use crate::{
    AppState,
    delivery::outbox,
    entities::{notification, outbox_mail, post, practice, thread, user},
    forum,
    i18n::Lang,
    mail::{Email, Letter},
    markdown::excerpt,
    visibility::{Reader, Text},
};

/// Older unmailed notifications are left alone (someone who switches mail on does not get
/// a flood of old news).
const LOOKBACK_DAYS: i64 = 2;
const EXCERPT: usize = 300;

/// One notification, resolved and checked, ready to be told.
struct Told {
    notification: notification::Model,
    line: String,
    excerpt: String,
    url: String,
}

/// The unmailed, unread notifications of people whose choice is `mode`, with what is needed
/// to tell them. Returns the people, their tellable notifications, and every id looked at
/// (the ones no longer visible are marked too, so they are not looked at again).
async fn gather(
    db: &impl ConnectionTrait,
    state: &AppState,
    mode: &str,
    since: DateTime<Utc>,
) -> Result<
    (
        HashMap<i32, user::Model>,
        BTreeMap<i32, Vec<Told>>,
        Vec<i32>,
    ),
    sea_orm::DbErr,
> {
    let list = notification::Entity::find()
        .filter(notification::Column::EmailedAt.is_null())
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::CreatedAt.gte(since))
        .filter(
            notification::Column::UserId.in_subquery(
                Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .and_where(user::Column::NotifyEmail.eq(mode))
                    .and_where(user::Column::Disabled.eq(false))
                    .to_owned(),
            ),
        )
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = list.iter().map(|n| n.id).collect();
    if list.is_empty() {
        return Ok((HashMap::new(), BTreeMap::new(), ids));
    }
    let threads: HashMap<i32, thread::Model> = thread::Entity::find()
        .filter(thread::Column::Id.is_in(list.iter().map(|n| n.thread_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let posts: HashMap<i32, post::Model> = post::Entity::find()
        .filter(post::Column::Id.is_in(list.iter().map(|n| n.post_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let practices: HashMap<i32, practice::Model> = practice::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let people = forum::people(db, list.iter().flat_map(|n| [n.user_id, n.actor_id])).await?;
    let mut told: BTreeMap<i32, Vec<Told>> = BTreeMap::new();
    for n in list {
        let (Some(person), Some(t), Some(p)) = (
            people.get(&n.user_id),
            threads.get(&n.thread_id),
            posts.get(&n.post_id),
        ) else {
            continue;
        };
        // A mail is read later and elsewhere: it carries only text every reader of the
        // thread may see (never a hidden post, even to its facilitators).
        let visible = practices.get(&t.practice_id).is_some_and(|pr| {
            Reader::of(Some(person)).text(p, t, pr, false) == Some(Text::Shown { hidden: false })
        });
        if !visible {
            continue;
        }
        let lang = Lang::parse(&person.lang).unwrap_or_default();
        let line = rust_i18n::t!(
            &format!("notifications.kind.{}", n.kind),
            locale = lang.code(),
            name = people
                .get(&n.actor_id)
                .map(|a| a.name.as_str())
                .unwrap_or("—"),
            title = &t.title
        )
        .into_owned();
        told.entry(n.user_id).or_default().push(Told {
            url: state.settings.url(&format!("/meldingen/{}", n.id)),
            excerpt: excerpt(&p.body, EXCERPT),
            line,
            notification: n,
        });
    }
    Ok((people, told, ids))
}

fn footer(letter: Letter, state: &AppState) -> Letter {
    letter.footer(
        "notices.footer",
        &[("notices.footer_link", state.settings.url("/profiel/email"))],
    )
}

fn one(state: &AppState, person: &user::Model, item: &Told) -> Email {
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let letter = Letter::new(lang, &person.email, "notices.subject")
        .subject(item.line.clone())
        .greet(&person.name)
        .text(item.line.clone())
        .text(item.excerpt.clone())
        .link("notices.open", item.url.clone());
    footer(letter, state).build()
}

fn bundle(state: &AppState, person: &user::Model, items: &[Told]) -> Email {
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let subject = lang.plural(
        "notices.daily_subject",
        i64::try_from(items.len()).unwrap_or(i64::MAX),
    );
    let mut text = String::new();
    for item in items {
        text.push_str(&format!(
            "* {}\n  {}\n  {}\n\n",
            item.line, item.excerpt, item.url
        ));
    }
    let html = html! {
        @for item in items {
            p { a href=(item.url) style="color:#7a2e0e;font-weight:bold" { (item.line) } br; (item.excerpt) }
        }
    };
    let letter = Letter::new(lang, &person.email, "notices.subject")
        .subject(subject)
        .greet(&person.name)
        .para("notices.daily_intro")
        .block(text, html);
    footer(letter, state).build()
}

fn row(state: &AppState, email: Email, period_key: String) -> outbox_mail::ActiveModel {
    outbox::row(state.settings.host(), email, period_key, None)
}

/// Queues the rows and marks the notifications mailed, together.
async fn queue(
    state: &AppState,
    rows: Vec<outbox_mail::ActiveModel>,
    looked_at: Vec<i32>,
) -> Result<(), sea_orm::DbErr> {
    let txn = state.db.begin().await?;
    outbox::queue_rows(&txn, rows).await?;
    for chunk in looked_at.chunks(500) {
        notification::Entity::update_many()
            .col_expr(notification::Column::EmailedAt, Expr::value(Utc::now()))
            .filter(notification::Column::Id.is_in(chunk.iter().copied()))
            .filter(notification::Column::EmailedAt.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// Queues one mail per new notification for people who want them at once. Returns how
/// many were queued.
pub async fn enqueue_immediate(state: &AppState) -> Result<usize, sea_orm::DbErr> {
    let since = Utc::now() - Duration::days(LOOKBACK_DAYS);
    let (people, told, looked_at) = gather(&state.db, state, user::NOTIFY_IMMEDIATE, since).await?;
    if looked_at.is_empty() {
        return Ok(0);
    }
    let mut rows = Vec::new();
    for (user_id, items) in &told {
        let Some(person) = people.get(user_id) else {
            continue;
        };
        for item in items {
            let day = item.notification.created_at.format("%Y-%m-%d");
            rows.push(row(
                state,
                one(state, person, item),
                format!("notice:{day}#{}", item.notification.id),
            ));
        }
    }
    let queued = rows.len();
    queue(state, rows, looked_at).await?;
    Ok(queued)
}

/// Queues one mail per person who wants a daily bundle, with what they have not read yet;
/// `day` names the bundle, so it goes out once per day.
pub async fn enqueue_daily(state: &AppState, day: NaiveDate) -> Result<usize, sea_orm::DbErr> {
    let since = Utc::now() - Duration::days(LOOKBACK_DAYS);
    let (people, told, looked_at) = gather(&state.db, state, user::NOTIFY_DAILY, since).await?;
    if looked_at.is_empty() {
        return Ok(0);
    }
    let rows: Vec<_> = told
        .iter()
        .filter_map(|(user_id, items)| {
            let person = people.get(user_id)?;
            Some(row(
                state,
                bundle(state, person, items),
                format!("daily:{}", day.format("%Y-%m-%d")),
            ))
        })
        .collect();
    let queued = rows.len();
    queue(state, rows, looked_at).await?;
    Ok(queued)
}

/// Posts whose text changed on purpose (a version redacted, a post removed): queued mails
/// that may carry their old words are taken out of the outbox, and the notifications they
/// told — of these posts or bundled with them — are mailed again at the next turn, with the
/// text as it is now (or not at all, when nothing may be told any more). Sent notification
/// mails keep no body (the outbox empties it once accepted).
pub async fn forget_posts(
    db: &impl ConnectionTrait,
    post_ids: &[i32],
) -> Result<(), sea_orm::DbErr> {
    if post_ids.is_empty() {
        return Ok(());
    }
    let told: Vec<notification::Model> = notification::Entity::find()
        .filter(notification::Column::PostId.is_in(post_ids.iter().copied()))
        .filter(notification::Column::EmailedAt.is_not_null())
        .all(db)
        .await?;
    if told.is_empty() {
        return Ok(());
    }
    // Every notification mail, single or a day's bundle, links each notification it tells
    // (`…/meldingen/{id}"`): the waiting ones are read and matched here, so however many
    // notifications a removal touches, the query stays one plain filter.
    let told: std::collections::HashSet<i32> = told.iter().map(|n| n.id).collect();
    let queued: Vec<outbox_mail::Model> = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
        .filter(outbox_mail::Column::SubscriberId.is_null())
        .all(db)
        .await?
        .into_iter()
        .filter(|m| {
            notification_ids(&m.html_body)
                .iter()
                .any(|id| told.contains(id))
        })
        .collect();
    if queued.is_empty() {
        return Ok(());
    }
    let again: Vec<i32> = queued
        .iter()
        .flat_map(|m| notification_ids(&m.html_body))
        .collect();
    for chunk in queued.chunks(500) {
        outbox_mail::Entity::delete_many()
            .filter(outbox_mail::Column::Id.is_in(chunk.iter().map(|m| m.id)))
            .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
            .exec(db)
            .await?;
    }
    for chunk in again.chunks(500) {
        notification::Entity::update_many()
            .col_expr(
                notification::Column::EmailedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(notification::Column::Id.is_in(chunk.iter().copied()))
            .filter(notification::Column::ReadAt.is_null())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The notifications a composed mail links to (`…/meldingen/{id}"`).
fn notification_ids(html: &str) -> Vec<i32> {
    html.split("/meldingen/")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest[digits.len()..]
                .starts_with('"')
                .then(|| digits.parse().ok())
                .flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::notification_ids;

    #[test]
    fn finds_the_notifications_a_mail_links_to() {
        let html = r#"<a href="https://x.nl/meldingen/12">a</a> <a href="https://x.nl/meldingen/7">b</a> /meldingen/9 text"#;
        assert_eq!(notification_ids(html), [12, 7]);
    }
}
