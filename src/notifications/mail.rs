//! Notifications by email. Members get them unless they switched mail off or stopped a kind
//! (replies, mentions, moderation, expert group — each with a one-click link in every mail):
//! bundled per thread, at most one mail per thread an hour, or all of a day's in one mail.
//! Mails go through the same outbox as the digests, so each is queued once however many
//! instances run — a bundle is keyed by its first notification, a daily one by its day —
//! and sent as the outbox promises. A notification is mailed at most once (`emailed_at`),
//! never after it was read on the site, and only while what it tells is still visible to
//! the person — a thread moved out of their reach sends nothing.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use maud::html;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, Query},
};

use super::{Subject, sentence};
use crate::{
    AppState,
    delivery::outbox,
    entities::{
        membership, notification,
        notification::{About, MailKind},
        outbox_mail, post, practice, summary, thread, user,
    },
    forum,
    i18n::Lang,
    mail::{Email, Letter},
    markdown::excerpt,
    visibility::{Reader, Text, Told as ToldAbout},
};

/// Older unmailed notifications are left alone (someone who switches mail on does not get
/// a flood of old news).
const LOOKBACK_DAYS: i64 = 2;
const EXCERPT: usize = 300;
/// At most one mail per thread (or summary) and person in this time.
pub const BUNDLE_MINUTES: i64 = 60;

/// One notification, resolved and checked, ready to be told.
struct Told {
    notification: notification::Model,
    subject: Subject,
    title: String,
    line: String,
    excerpt: Option<String>,
    url: String,
}

/// Everything the unmailed, unread notifications of people whose choice is `mode` need,
/// loaded in a fixed number of queries.
struct Gathered {
    people: HashMap<i32, user::Model>,
    told: BTreeMap<i32, Vec<Told>>,
    /// Every notification looked at and not waiting: told now, or never to be told (no
    /// longer visible, or a kind the person stopped).
    settled: Vec<i32>,
}

async fn gather(
    db: &impl ConnectionTrait,
    state: &AppState,
    mode: &str,
    since: DateTime<Utc>,
) -> Result<Gathered, sea_orm::DbErr> {
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
                    .and_where(user::Column::DeletedAt.is_null())
                    .to_owned(),
            ),
        )
        .order_by_asc(notification::Column::Id)
        .all(db)
        .await?;
    let settled: Vec<i32> = list.iter().map(|n| n.id).collect();
    if list.is_empty() {
        return Ok(Gathered {
            people: HashMap::new(),
            told: BTreeMap::new(),
            settled,
        });
    }
    let threads: HashMap<i32, thread::Model> = thread::Entity::find()
        .filter(thread::Column::Id.is_in(list.iter().filter_map(|n| n.thread_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let posts: HashMap<i32, post::Model> = post::Entity::find()
        .filter(post::Column::Id.is_in(list.iter().filter_map(|n| n.post_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let summaries: HashMap<i32, summary::Model> = summary::Entity::find()
        .filter(summary::Column::Id.is_in(list.iter().filter_map(|n| n.summary_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let practices: HashMap<i32, practice::Model> = practice::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    // Facilitators are told of flags only while they facilitate there.
    let facilitating: HashSet<(i32, i32)> = membership::Entity::find()
        .filter(membership::Column::UserId.is_in(list.iter().map(|n| n.user_id)))
        .filter(membership::Column::Role.eq(membership::Role::Facilitator))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.practice_id))
        .collect();
    let people = forum::people(db, list.iter().flat_map(|n| [n.user_id, n.actor_id])).await?;
    let mut told: BTreeMap<i32, Vec<Told>> = BTreeMap::new();
    for n in list {
        let Some(person) = people.get(&n.user_id) else {
            continue;
        };
        if !MailKind::of(&n.kind).wanted_by(person) {
            continue;
        }
        let reader = Reader::of(Some(person));
        let lang = Lang::parse(&person.lang).unwrap_or_default();
        let actor = people.get(&n.actor_id).map_or("—", |a| a.name.as_str());
        // Whether they may still be told at all is the visibility rule's
        // (`Reader::may_be_told`, the same as the bell's). A mail is read later and
        // elsewhere, so beyond that it carries only text every reader of the thread may see
        // (never a hidden post, even to its facilitators), and for moderation and the
        // expert group only the sentence and the reason.
        let (subject, title, excerpt) = match notification::about(&n.kind) {
            About::Summary => {
                let Some(s) = n.summary_id.and_then(|id| summaries.get(&id)) else {
                    continue;
                };
                if !reader.may_be_told(&n.kind, ToldAbout::Summary(s), false) {
                    continue;
                }
                (Subject::Summary(s.id), s.title.clone(), None)
            }
            About::Thread | About::Post => {
                let (Some(t), Some(p)) = (
                    n.thread_id.and_then(|id| threads.get(&id)),
                    n.post_id.and_then(|id| posts.get(&id)),
                ) else {
                    continue;
                };
                let Some(pr) = practices.get(&t.practice_id) else {
                    continue;
                };
                let facilitates = facilitating.contains(&(person.id, pr.id));
                if !reader.may_be_told(&n.kind, ToldAbout::Post(p, t, pr), facilitates) {
                    continue;
                }
                let excerpt = match n.kind.as_str() {
                    notification::FLAG_HANDLED | notification::NOMINATED | notification::FLAG => {
                        None
                    }
                    k if k.starts_with(notification::NOMINATION_PREFIX) => None,
                    notification::POST_HIDDEN => {
                        // Restored since: nothing to explain any more.
                        let Some(reason) = &p.hidden_reason else {
                            continue;
                        };
                        Some(format!("{}: {reason}", lang.t("moderation.reason")))
                    }
                    _ => {
                        if reader.text(p, t, pr, false) != Some(Text::Shown { hidden: false }) {
                            continue;
                        }
                        Some(excerpt(&p.body, EXCERPT))
                    }
                };
                (Subject::Thread(t.id), t.title.clone(), excerpt)
            }
        };
        told.entry(n.user_id).or_default().push(Told {
            url: state.settings.url(&format!("/meldingen/{}", n.id)),
            line: sentence(lang, &n.kind, actor, &title),
            subject,
            title,
            excerpt,
            notification: n,
        });
    }
    Ok(Gathered {
        people,
        told,
        settled,
    })
}

/// The one-click address that stops one kind of notification mail for this person.
pub fn stop_url(state: &AppState, person: &user::Model, kind: MailKind) -> String {
    state.settings.url(&format!(
        "/mail/uit/{}/{}",
        person.mail_token.as_deref().unwrap_or("-"),
        kind.slug()
    ))
}

/// The footer and headers: where to change the settings, and one stop link per kind this
/// mail tells of; the first is the `List-Unsubscribe` target (RFC 8058 one-click).
fn with_stop_links(
    letter: Letter,
    state: &AppState,
    person: &user::Model,
    items: &[&Told],
) -> Letter {
    let mut kinds: Vec<MailKind> = items
        .iter()
        .map(|t| MailKind::of(&t.notification.kind))
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut links: Vec<(String, String)> = vec![(
        "notices.footer_link".into(),
        state.settings.url("/profiel/email"),
    )];
    for kind in &kinds {
        links.push((
            format!("notices.stop.{}", kind.slug()),
            stop_url(state, person, *kind),
        ));
    }
    let links: Vec<(&str, String)> = links.iter().map(|(k, u)| (k.as_str(), u.clone())).collect();
    let mut letter = letter.footer("notices.footer", &links);
    if let Some(kind) = kinds.first() {
        letter = letter
            .header(
                "List-Unsubscribe",
                format!("<{}>", stop_url(state, person, *kind)),
            )
            .header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into());
    }
    letter
}

/// The items as a list, in text and HTML.
fn listing(items: &[&Told]) -> (String, maud::Markup) {
    let mut text = String::new();
    for item in items {
        text.push_str(&format!("* {}\n", item.line));
        if let Some(excerpt) = &item.excerpt {
            text.push_str(&format!("  {excerpt}\n"));
        }
        text.push_str(&format!("  {}\n\n", item.url));
    }
    let html = html! {
        @for item in items {
            p {
                a href=(item.url) style="color:#7a2e0e;font-weight:bold" { (item.line) }
                @if let Some(excerpt) = &item.excerpt { br; (excerpt) }
            }
        }
    };
    (text, html)
}

/// A mail about one thread (or summary): one notification, or the hour's bundle.
fn about_one_subject(state: &AppState, person: &user::Model, items: &[&Told]) -> Option<Email> {
    let first = items.first()?;
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let letter = Letter::new(lang, &person.email, "notices.subject").greet(&person.name);
    let letter = if let [item] = items {
        let mut letter = letter.subject(item.line.clone()).text(item.line.clone());
        if let Some(excerpt) = &item.excerpt {
            letter = letter.text(excerpt.clone());
        }
        letter.link("notices.open", item.url.clone())
    } else {
        let count = i64::try_from(items.len()).unwrap_or(i64::MAX);
        let subject = lang
            .plural("notices.thread_subject", count)
            .replace("%{title}", &first.title);
        let (text, html) = listing(items);
        letter.subject(subject).block(text, html)
    };
    Some(with_stop_links(letter, state, person, items).build())
}

fn daily(state: &AppState, person: &user::Model, items: &[&Told]) -> Email {
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let subject = lang.plural(
        "notices.daily_subject",
        i64::try_from(items.len()).unwrap_or(i64::MAX),
    );
    let (text, html) = listing(items);
    let letter = Letter::new(lang, &person.email, "notices.subject")
        .subject(subject)
        .greet(&person.name)
        .para("notices.daily_intro")
        .block(text, html);
    with_stop_links(letter, state, person, items).build()
}

fn row(state: &AppState, email: Email, period_key: String) -> outbox_mail::ActiveModel {
    outbox::row(state.settings.host(), email, period_key, None)
}

/// Queues the rows and marks the settled notifications, together.
async fn queue(
    state: &AppState,
    rows: Vec<outbox_mail::ActiveModel>,
    settled: Vec<i32>,
) -> Result<(), sea_orm::DbErr> {
    let txn = state.db.begin().await?;
    outbox::queue_rows(&txn, rows).await?;
    for chunk in settled.chunks(500) {
        notification::Entity::update_many()
            .col_expr(notification::Column::EmailedAt, Expr::value(Utc::now()))
            .filter(notification::Column::Id.is_in(chunk.iter().copied()))
            .filter(notification::Column::EmailedAt.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// The (person, thread or summary) pairs that had a mail in the last hour: their news
/// waits for the next hour, so a busy thread sends one mail an hour, not one per reply.
async fn mailed_lately(
    db: &impl ConnectionTrait,
    people: impl IntoIterator<Item = i32>,
    now: DateTime<Utc>,
) -> Result<HashSet<(i32, Subject)>, sea_orm::DbErr> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.is_in(people))
        .filter(notification::Column::EmailedAt.gt(now - Duration::minutes(BUNDLE_MINUTES)))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|n| {
            let subject = match (n.thread_id, n.summary_id) {
                (Some(id), _) => Subject::Thread(id),
                (None, Some(id)) => Subject::Summary(id),
                (None, None) => return None,
            };
            Some((n.user_id, subject))
        })
        .collect())
}

/// Queues the mails of people who want them as they come: one per thread (or summary) with
/// everything new there, unless that thread had a mail for them in the last hour; then it
/// waits. Returns how many were queued.
pub async fn enqueue_immediate(state: &AppState) -> Result<usize, sea_orm::DbErr> {
    let now = Utc::now();
    let since = now - Duration::days(LOOKBACK_DAYS);
    let Gathered {
        people,
        told,
        settled,
    } = gather(&state.db, state, user::NOTIFY_IMMEDIATE, since).await?;
    if settled.is_empty() {
        return Ok(0);
    }
    let lately = mailed_lately(&state.db, told.keys().copied(), now).await?;
    let mut waiting: HashSet<i32> = HashSet::new();
    let mut rows = Vec::new();
    for (user_id, items) in &told {
        let Some(person) = people.get(user_id) else {
            continue;
        };
        let mut by_subject: BTreeMap<Subject, Vec<&Told>> = BTreeMap::new();
        for item in items {
            by_subject.entry(item.subject).or_default().push(item);
        }
        for (subject, items) in by_subject {
            if lately.contains(&(*user_id, subject)) {
                waiting.extend(items.iter().map(|t| t.notification.id));
                continue;
            }
            let Some(first) = items.first() else { continue };
            let day = first.notification.created_at.format("%Y-%m-%d");
            if let Some(email) = about_one_subject(state, person, &items) {
                rows.push(row(
                    state,
                    email,
                    format!("notice:{day}#{}", first.notification.id),
                ));
            }
        }
    }
    let settled: Vec<i32> = settled
        .into_iter()
        .filter(|id| !waiting.contains(id))
        .collect();
    let queued = rows.len();
    if !settled.is_empty() {
        queue(state, rows, settled).await?;
    }
    Ok(queued)
}

/// Queues one mail per person who wants a daily bundle, with what they have not read yet;
/// `day` names the bundle, so it goes out once per day. Someone whose bundle for `day` is
/// queued already (by another instance, or before a restart) is left alone: what came for
/// them since waits for the next day's bundle, instead of being marked as mailed in a mail
/// the outbox's key keeps out.
pub async fn enqueue_daily(state: &AppState, day: NaiveDate) -> Result<usize, sea_orm::DbErr> {
    let since = Utc::now() - Duration::days(LOOKBACK_DAYS);
    let Gathered {
        people,
        told,
        mut settled,
    } = gather(&state.db, state, user::NOTIFY_DAILY, since).await?;
    let key = format!("daily:{}", day.format("%Y-%m-%d"));
    let bundled: HashSet<String> = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::Recipient)
        .filter(outbox_mail::Column::PeriodKey.eq(key.as_str()))
        .into_tuple()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::new();
    let mut waiting: HashSet<i32> = HashSet::new();
    for (user_id, items) in &told {
        let Some(person) = people.get(user_id) else {
            continue;
        };
        if bundled.contains(&person.email) {
            waiting.extend(items.iter().map(|t| t.notification.id));
            continue;
        }
        let items: Vec<&Told> = items.iter().collect();
        rows.push(row(state, daily(state, person, &items), key.clone()));
    }
    settled.retain(|id| !waiting.contains(id));
    if settled.is_empty() {
        return Ok(0);
    }
    let queued = rows.len();
    queue(state, rows, settled).await?;
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
