//! Mail about private messages: a participant who has not read new messages on the site
//! gets them by mail, with their text (they take part) and a link to answer on the site.
//!
//! - **Bundled**: one mail per conversation at most every [`BUNDLE_MINUTES`], with
//!   everything new; and not before the first new message is [`WAIT_MINUTES`] old, so that
//!   someone reading on the site meanwhile gets no mail at all.
//! - **Once**: a message is mailed at most once (`last_mailed_message_id` per participant),
//!   never after it was read on the site, never to its author, never to a disabled or
//!   deleted account, never from someone the recipient blocked (the visibility rule's
//!   [`Reader::admits_message`]), and only while the member wants it (`mail_messages`, and
//!   notification mail not switched off).
//! - **Durable**: the mails are queued in the outbox in the transaction that moves each
//!   participant's mark, the mark moving only from the value read, and keyed by the
//!   conversation and the newest message: two instances running at once queue each once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use maud::html;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::Expr,
};

use crate::{
    AppState,
    delivery::outbox,
    entities::{block, conversation, conversation_member, message, notification::MailKind, user},
    i18n::Lang,
    mail::{Email, Letter},
    notifications::mail::stop_url,
    visibility::Reader,
};

/// A message waits this long before it is mailed: read on the site by then, it is not.
pub const WAIT_MINUTES: i64 = 5;
/// At most one mail per conversation and person in this time.
pub const BUNDLE_MINUTES: i64 = 60;
/// Older unmailed messages are left alone (someone who switches mail on gets no flood).
const LOOKBACK_DAYS: i64 = 2;

/// One mail to compose: to whom, about which conversation, which messages.
struct Due<'a> {
    member: &'a conversation_member::Model,
    person: &'a user::Model,
    conversation: &'a conversation::Model,
    messages: Vec<&'a message::Model>,
}

/// Whether this person gets message mail at all.
fn wants_mail(person: &user::Model) -> bool {
    person.deleted_at.is_none()
        && !person.disabled
        && person.notify_email != user::NOTIFY_OFF
        && MailKind::Messages.wanted_by(person)
}

/// Queues the mails due at `now` (the server passes the clock; tests pass a later time).
/// Returns how many were queued.
pub async fn queue_message_mails(state: &AppState, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let since = now - Duration::days(LOOKBACK_DAYS);
    let recent = message::Entity::find()
        .filter(message::Column::CreatedAt.gte(since))
        .filter(message::Column::CreatedAt.lte(now))
        .filter(message::Column::RemovedAt.is_null())
        .filter(message::Column::AuthorId.is_not_null())
        .order_by_asc(message::Column::Id)
        .all(&state.db)
        .await?;
    if recent.is_empty() {
        return Ok(0);
    }
    let conversation_ids: HashSet<i32> = recent.iter().map(|m| m.conversation_id).collect();
    let members = conversation_member::Entity::find()
        .filter(conversation_member::Column::ConversationId.is_in(conversation_ids.iter().copied()))
        .all(&state.db)
        .await?;
    let conversations: HashMap<i32, conversation::Model> = conversation::Entity::find()
        .filter(conversation::Column::Id.is_in(conversation_ids.iter().copied()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let people = crate::forum::people(
        &state.db,
        members
            .iter()
            .map(|m| m.user_id)
            .chain(recent.iter().filter_map(|m| m.author_id)),
    )
    .await?;
    let blocked: HashSet<(i32, i32)> = block::Entity::find()
        .filter(block::Column::UserId.is_in(members.iter().map(|m| m.user_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|b| (b.user_id, b.blocked_id))
        .collect();

    let mut due = Vec::new();
    for member in &members {
        let (Some(person), Some(conversation)) = (
            people.get(&member.user_id),
            conversations.get(&member.conversation_id),
        ) else {
            continue;
        };
        if !wants_mail(person) {
            continue;
        }
        if member
            .last_mailed_at
            .is_some_and(|at| now - at < Duration::minutes(BUNDLE_MINUTES))
        {
            continue;
        }
        let reader = Reader::of(Some(person));
        let seen = Ord::max(member.last_read_message_id, member.last_mailed_message_id);
        let messages: Vec<&message::Model> = recent
            .iter()
            .filter(|m| m.conversation_id == member.conversation_id && m.id > seen)
            .filter(|m| m.author_id.is_some_and(|a| a != person.id))
            .filter(|m| {
                let blocks = m
                    .author_id
                    .is_some_and(|a| blocked.contains(&(person.id, a)));
                reader.admits_message(m, true, blocks)
            })
            .collect();
        let Some(first) = messages.first() else {
            continue;
        };
        if now - first.created_at < Duration::minutes(WAIT_MINUTES) {
            continue;
        }
        due.push(Due {
            member,
            person,
            conversation,
            messages,
        });
    }
    if due.is_empty() {
        return Ok(0);
    }

    let txn = state.db.begin().await?;
    let mut queued = 0;
    for d in &due {
        let Some(newest) = d.messages.last().map(|m| m.id) else {
            continue;
        };
        if !claim(&txn, d.member, newest, now).await? {
            continue;
        }
        let email = letter(state, d, &people);
        outbox::queue_rows(
            &txn,
            vec![outbox::row(
                state.settings.host(),
                email,
                super::mail_key(d.conversation.id, newest),
                None,
            )],
        )
        .await?;
        queued += 1;
    }
    txn.commit().await?;
    Ok(queued)
}

/// Moves one participant's mark from the value read to `newest`; false when another run
/// moved it first (it queued the mail).
async fn claim(
    db: &impl ConnectionTrait,
    member: &conversation_member::Model,
    newest: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let moved = conversation_member::Entity::update_many()
        .col_expr(
            conversation_member::Column::LastMailedMessageId,
            Expr::value(newest),
        )
        .col_expr(conversation_member::Column::LastMailedAt, Expr::value(now))
        .filter(conversation_member::Column::ConversationId.eq(member.conversation_id))
        .filter(conversation_member::Column::UserId.eq(member.user_id))
        .filter(conversation_member::Column::LastMailedMessageId.eq(member.last_mailed_message_id))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// The mail: who wrote what and when, in full, and the link to answer on the site.
fn letter(state: &AppState, d: &Due, people: &HashMap<i32, user::Model>) -> Email {
    let lang = Lang::parse(&d.person.lang).unwrap_or_default();
    let subject_text = d.conversation.subject.as_str();
    let author = |m: &message::Model| {
        m.author_id
            .and_then(|a| people.get(&a))
            .filter(|p| p.deleted_at.is_none())
            .map_or_else(
                || lang.t("account.former_member").into_owned(),
                |p| p.name.clone(),
            )
    };
    let subject = match d.messages.as_slice() {
        [one] => rust_i18n::t!(
            "messages.mail.subject_one",
            locale = lang.code(),
            name = author(one),
            subject = subject_text
        )
        .into_owned(),
        many => lang
            .plural(
                "messages.mail.subject_many",
                i64::try_from(many.len()).unwrap_or(i64::MAX),
            )
            .replace("%{subject}", subject_text),
    };
    let mut text = format!("{subject_text}\n\n");
    for m in &d.messages {
        text.push_str(&format!(
            "{} — {}\n{}\n\n",
            author(m),
            lang.datetime(m.created_at),
            m.body
        ));
    }
    let block = html! {
        p style="font-weight:bold;font-size:18px" { (subject_text) }
        @for m in &d.messages {
            div style="border-left:4px solid #e0d6c8;padding:4px 0 4px 12px;margin:0 0 16px" {
                p style="margin:0 0 8px;color:#4a403a" { strong { (author(m)) } " — " (lang.datetime(m.created_at)) }
                div { (super::views::message_html(m)) }
            }
        }
    };
    let stop = stop_url(state, d.person, MailKind::Messages);
    Letter::new(lang, &d.person.email, "messages.mail.subject_one")
        .subject(subject)
        .greet(&d.person.name)
        .para("messages.mail.intro")
        .block(text, block)
        .link(
            "messages.mail.reply",
            state
                .settings
                .url(&format!("/berichten/gesprek/{}", d.conversation.id)),
        )
        .footer(
            "messages.mail.footer",
            &[
                ("notices.footer_link", state.settings.url("/profiel/email")),
                ("notices.stop.berichten", stop.clone()),
            ],
        )
        .header("List-Unsubscribe", format!("<{stop}>"))
        .header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into())
        .build()
}
