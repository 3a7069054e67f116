//! Private messages: a member writes to one or a few other members (a conversation with a
//! subject), they answer on the site, and get a bundled mail for what they have not read.
//!
//! Who reads what is the visibility rule's ([`Reader::conversations`], [`Reader::messages`]):
//! the participants and nobody else, whatever their role. An administrator sees one message
//! only after a participant reported it ([`reports`]). A member may block another: the
//! blocked member's messages no longer reach them (page, count, mail), and the blocked
//! member is not told.
//!
//! This file holds what the pages, the mail job, account deletion and the export share:
//! the limits, the queries (unread, participants, names typed in the "to" field), writing
//! a conversation or a message, blocking, reporting, forgetting a deleted member. The pages
//! are in [`pages`] and [`views`], the mails in [`mail`], the administrators' page in
//! [`reports`].

pub mod mail;
pub mod pages;
pub mod reports;
pub mod views;

use std::collections::{HashMap, HashSet};

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Select, TransactionTrait,
    sea_query::{Expr, ExprTrait, Func, Query, SelectStatement},
};

use crate::{
    entities::{
        block, conversation, conversation_member, message, message_report, outbox_mail, user,
    },
    error::AppError,
    forum::bodies::Body,
    markdown::RENDERER_VERSION,
    visibility::Reader,
};

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// The longest message, in characters: several pages of text.
pub const BODY_MAX: usize = 20_000;
/// How many others a member may write to at once.
pub const OTHERS_MAX: usize = 5;
/// The longest reason for a report, in characters.
pub const REASON_MAX: usize = 500;
/// Conversations per page of `/berichten`.
pub const CONVERSATIONS_PER_PAGE: u64 = 25;
/// Messages per page of a conversation (the newest page opens).
pub const MESSAGES_PER_PAGE: u64 = 50;
/// At most this many names are looked up from the "to" field.
const NAMES_MAX: usize = 20;

/// How much a member may write: new conversations a day, messages an hour.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub conversations_per_day: u64,
    pub messages_per_hour: u64,
}

/// An account younger than [`NEW_ACCOUNT_DAYS`]: a stolen or fake new account cannot send
/// much before someone notices.
pub const NEW_ACCOUNT: Limits = Limits {
    conversations_per_day: 3,
    messages_per_hour: 20,
};
pub const EVERYONE: Limits = Limits {
    conversations_per_day: 10,
    messages_per_hour: 30,
};
pub const NEW_ACCOUNT_DAYS: i64 = 7;

/// Which limit a member reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Conversations,
    Messages,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Conversations => "messages.limit_conversations",
            Refusal::Messages => "messages.limit_messages",
        }
    }
}

pub fn limits_for(person: &user::Model, now: DateTime<Utc>) -> Limits {
    if now - person.created_at < Duration::days(NEW_ACCOUNT_DAYS) {
        NEW_ACCOUNT
    } else {
        EVERYONE
    }
}

/// Whether `person` may write one more message now (`starting`: one that starts a new
/// conversation). Counted from the rows themselves, so every instance sees the same.
pub async fn limit_reached(
    db: &impl ConnectionTrait,
    person: &user::Model,
    now: DateTime<Utc>,
    starting: bool,
) -> Result<Option<Refusal>, DbErr> {
    let limits = limits_for(person, now);
    if starting {
        let started = conversation::Entity::find()
            .filter(conversation::Column::CreatedBy.eq(person.id))
            .filter(conversation::Column::CreatedAt.gt(now - Duration::days(1)))
            .count(db)
            .await?;
        if started >= limits.conversations_per_day {
            return Ok(Some(Refusal::Conversations));
        }
    }
    let written = message::Entity::find()
        .filter(message::Column::AuthorId.eq(person.id))
        .filter(message::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(db)
        .await?;
    Ok((written >= limits.messages_per_hour).then_some(Refusal::Messages))
}

/// An id in an address: a plain positive number, or nothing at all (anything else is
/// answered 404 before the database is asked).
pub fn parse_id(raw: &str) -> Option<i32> {
    if raw.is_empty() || raw.len() > 9 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok().filter(|n| *n > 0)
}

/// The one id in this address (`/berichten/gesprek/{id}`).
pub struct PathId(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        parse_id(&raw).map(PathId).ok_or(AppError::NotFound)
    }
}

/// The two ids in this address (`/berichten/gesprek/{id}/melden/{message}`).
pub struct PathIds(pub i32, pub i32);

impl<S: Send + Sync> FromRequestParts<S> for PathIds {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((a, b)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        match (parse_id(&a), parse_id(&b)) {
            (Some(a), Some(b)) => Ok(PathIds(a, b)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// How far this person read, in the conversation of the message being looked at.
fn last_read_here(user_id: i32) -> SelectStatement {
    Query::select()
        .column((
            conversation_member::Entity,
            conversation_member::Column::LastReadMessageId,
        ))
        .from(conversation_member::Entity)
        .and_where(conversation_member::Column::UserId.eq(user_id))
        .and_where(
            Expr::col((
                conversation_member::Entity,
                conversation_member::Column::ConversationId,
            ))
            .equals((message::Entity, message::Column::ConversationId)),
        )
        .to_owned()
}

/// The messages this reader has not read yet: readable to them, not their own, not
/// removed, and after the last one they saw in that conversation.
pub fn unread(reader: Reader) -> Select<message::Entity> {
    let id = reader.id().unwrap_or(0);
    reader
        .messages()
        .filter(message::Column::AuthorId.ne(id))
        .filter(message::Column::RemovedAt.is_null())
        .filter(
            Expr::col((message::Entity, message::Column::Id)).gt(Func::coalesce([
                Expr::SubQuery(None, Box::new(last_read_here(id).into())),
                Expr::val(0),
            ])),
        )
}

/// The count beside "Berichten" in the header: one statement.
pub async fn unread_count(db: &impl ConnectionTrait, reader: Reader) -> Result<u64, DbErr> {
    if reader.id().is_none() {
        return Ok(0);
    }
    unread(reader).count(db).await
}

/// A member who can be written to: started, not disabled, not deleted.
fn active() -> Condition {
    Condition::all()
        .add(user::Column::DeletedAt.is_null())
        .add(user::Column::Disabled.eq(false))
        .add(user::Column::PasswordHash.is_not_null())
}

/// One active member by id.
pub async fn active_member(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(active())
        .filter(user::Column::Id.eq(id))
        .one(db)
        .await
}

/// How a recipient is written in the "to" field: the name and the handle, which makes it
/// unambiguous ("Kees Bos (@kees-bos)").
pub fn recipient_label(person: &user::Model) -> String {
    match &person.handle {
        Some(handle) => format!("{} (@{handle})", person.name),
        None => person.name.clone(),
    }
}

/// What was typed in the "to" field, resolved.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Everyone found, in the order typed (once each).
    pub people: Vec<user::Model>,
    /// Names that match nobody.
    pub unknown: Vec<String>,
    /// Names that match more than one member.
    pub ambiguous: Vec<String>,
    /// More names than are looked up.
    pub too_many: bool,
}

/// A name as compared: NFC, spaces made one, lower case.
fn name_key(name: &str) -> String {
    crate::names::normalize(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One entry of the "to" field: a handle (`@kees-bos`, or a name followed by it, as the
/// form fills it in) or a name.
enum Typed {
    Handle(String),
    Name(String),
}

fn typed_entries(field: &str) -> Vec<(String, Typed)> {
    let mut seen = HashSet::new();
    field
        .split([',', ';', '\n'])
        .map(crate::meetings::one_line)
        .filter(|entry| !entry.is_empty())
        .filter(|entry| seen.insert(entry.to_lowercase()))
        .map(|entry| {
            let typed = match entry.rsplit_once('@') {
                Some((_, handle)) => {
                    Typed::Handle(handle.trim().trim_end_matches(')').trim().to_lowercase())
                }
                None => Typed::Name(name_key(&entry)),
            };
            (entry, typed)
        })
        .collect()
}

/// Looks up the members named in the "to" field (names as the directory shows them, or
/// handles), in one query. Disabled and deleted accounts are nobody.
pub async fn resolve_recipients(db: &impl ConnectionTrait, field: &str) -> Result<Resolved, DbErr> {
    let mut entries = typed_entries(field);
    let mut resolved = Resolved::default();
    if entries.len() > NAMES_MAX {
        entries.truncate(NAMES_MAX);
        resolved.too_many = true;
    }
    if entries.is_empty() {
        return Ok(resolved);
    }
    let mut handles = Vec::new();
    let mut names = Vec::new();
    let mut skeletons = Vec::new();
    for (entry, typed) in &entries {
        match typed {
            Typed::Handle(h) => handles.push(h.clone()),
            Typed::Name(key) => {
                names.push(crate::names::normalize(entry));
                names.push(key.clone());
                skeletons.push(crate::names::skeleton(entry));
            }
        }
    }
    // Lower-cased on both sides (SQLite's `lower()` folds ASCII only, so names as typed and
    // what they look like are asked for too); the exact comparison is made below.
    let candidates = user::Entity::find()
        .filter(active())
        .filter(
            Condition::any()
                .add(user::Column::Handle.is_in(handles))
                .add(user::Column::Name.is_in(names.clone()))
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Name))).is_in(names))
                .add(user::Column::NameSkeleton.is_in(skeletons)),
        )
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let mut taken = HashSet::new();
    for (entry, typed) in entries {
        let found: Vec<&user::Model> = match &typed {
            Typed::Handle(h) => candidates
                .iter()
                .filter(|c| c.handle.as_deref() == Some(h.as_str()))
                .collect(),
            Typed::Name(key) => {
                let same: Vec<&user::Model> = candidates
                    .iter()
                    .filter(|c| name_key(&c.name) == *key)
                    .collect();
                if same.is_empty() {
                    let look = crate::names::skeleton(&entry);
                    candidates
                        .iter()
                        .filter(|c| c.name_skeleton.as_deref() == Some(look.as_str()))
                        .collect()
                } else {
                    same
                }
            }
        };
        match found.as_slice() {
            [] => resolved.unknown.push(entry),
            [one] => {
                if taken.insert(one.id) {
                    resolved.people.push((*one).clone());
                }
            }
            _ => resolved.ambiguous.push(entry),
        }
    }
    Ok(resolved)
}

/// The participants of these conversations, by conversation.
pub async fn participants(
    db: &impl ConnectionTrait,
    conversation_ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, Vec<conversation_member::Model>>, DbErr> {
    let ids: Vec<i32> = conversation_ids.into_iter().collect();
    let mut by_conversation: HashMap<i32, Vec<conversation_member::Model>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_conversation);
    }
    for row in conversation_member::Entity::find()
        .filter(conversation_member::Column::ConversationId.is_in(ids))
        .order_by_asc(conversation_member::Column::JoinedAt)
        .order_by_asc(conversation_member::Column::UserId)
        .all(db)
        .await?
    {
        by_conversation
            .entry(row.conversation_id)
            .or_default()
            .push(row);
    }
    Ok(by_conversation)
}

/// The members this person blocked.
pub async fn blocked_by(db: &impl ConnectionTrait, user_id: i32) -> Result<HashSet<i32>, DbErr> {
    Ok(block::Entity::find()
        .filter(block::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|b| b.blocked_id)
        .collect())
}

/// Starts a conversation: the subject, the participants and the first message, together.
/// Returns the conversation's id.
pub async fn start(
    db: &DatabaseConnection,
    author: &user::Model,
    others: &[user::Model],
    subject: &str,
    body: Body,
    now: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let txn = db.begin().await?;
    let conversation = conversation::ActiveModel {
        subject: Set(subject.to_owned()),
        created_by: Set(Some(author.id)),
        created_at: Set(now),
        last_message_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let first = insert_message(&txn, conversation.id, author.id, body, now).await?;
    let mut rows = vec![conversation_member::ActiveModel {
        conversation_id: Set(conversation.id),
        user_id: Set(author.id),
        joined_at: Set(now),
        last_read_message_id: Set(first.id),
        last_mailed_message_id: Set(0),
        last_mailed_at: Set(None),
    }];
    rows.extend(others.iter().map(|p| conversation_member::ActiveModel {
        conversation_id: Set(conversation.id),
        user_id: Set(p.id),
        joined_at: Set(now),
        last_read_message_id: Set(0),
        last_mailed_message_id: Set(0),
        last_mailed_at: Set(None),
    }));
    conversation_member::Entity::insert_many(rows)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(conversation.id)
}

async fn insert_message(
    db: &impl ConnectionTrait,
    conversation_id: i32,
    author_id: i32,
    body: Body,
    now: DateTime<Utc>,
) -> Result<message::Model, DbErr> {
    message::ActiveModel {
        conversation_id: Set(conversation_id),
        author_id: Set(Some(author_id)),
        body_html: Set(body.rendered_html().to_owned()),
        body: Set(body.markdown().to_owned()),
        html_version: Set(RENDERER_VERSION),
        created_at: Set(now),
        removed_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// Adds a message to a conversation its author takes part in; it counts as read for them.
pub async fn add_message(
    db: &DatabaseConnection,
    conversation_id: i32,
    author_id: i32,
    body: Body,
    now: DateTime<Utc>,
) -> Result<message::Model, DbErr> {
    let txn = db.begin().await?;
    let written = insert_message(&txn, conversation_id, author_id, body, now).await?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::LastMessageAt, Expr::value(now))
        .filter(conversation::Column::Id.eq(conversation_id))
        .exec(&txn)
        .await?;
    mark_read(&txn, conversation_id, author_id, written.id).await?;
    txn.commit().await?;
    Ok(written)
}

/// Notes that this person saw the conversation up to `message_id` (never backwards).
pub async fn mark_read(
    db: &impl ConnectionTrait,
    conversation_id: i32,
    user_id: i32,
    message_id: i32,
) -> Result<(), DbErr> {
    conversation_member::Entity::update_many()
        .col_expr(
            conversation_member::Column::LastReadMessageId,
            Expr::value(message_id),
        )
        .filter(conversation_member::Column::ConversationId.eq(conversation_id))
        .filter(conversation_member::Column::UserId.eq(user_id))
        .filter(conversation_member::Column::LastReadMessageId.lt(message_id))
        .exec(db)
        .await?;
    Ok(())
}

/// `user_id` no longer sees messages of `blocked_id`. Repeating it is harmless.
pub async fn block(db: &impl ConnectionTrait, user_id: i32, blocked_id: i32) -> Result<(), DbErr> {
    block::Entity::insert(block::ActiveModel {
        user_id: Set(user_id),
        blocked_id: Set(blocked_id),
        created_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([block::Column::UserId, block::Column::BlockedId])
    .exec(db)
    .await?;
    Ok(())
}

pub async fn unblock(
    db: &impl ConnectionTrait,
    user_id: i32,
    blocked_id: i32,
) -> Result<(), DbErr> {
    block::Entity::delete_many()
        .filter(block::Column::UserId.eq(user_id))
        .filter(block::Column::BlockedId.eq(blocked_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A participant reports someone else's message; reporting it again is harmless (the first
/// reason stays).
pub async fn report(
    db: &impl ConnectionTrait,
    reporter_id: i32,
    message_id: i32,
    reason: &str,
) -> Result<(), DbErr> {
    message_report::Entity::insert(message_report::ActiveModel {
        message_id: Set(message_id),
        reporter_id: Set(reporter_id),
        reason: Set(reason.to_owned()),
        created_at: Set(Utc::now()),
        handled_at: Set(None),
        handled_by: Set(None),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        message_report::Column::MessageId,
        message_report::Column::ReporterId,
    ])
    .exec(db)
    .await?;
    Ok(())
}

/// The key of a message mail in the outbox: per conversation and the newest message it
/// tells of (so two instances compose it once).
pub fn mail_key(conversation_id: i32, message_id: i32) -> String {
    format!("bericht:{conversation_id}#{message_id}")
}

/// Part of deleting an account, in its transaction: the member's messages lose their text
/// and author (the others read "message of a former member removed" in their place), and
/// their participations, blocks (both ways) and reports go. Mails still waiting to tell
/// others of their messages are taken out of the outbox.
pub async fn forget_member(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    let now = Utc::now();
    let theirs: Vec<i32> = conversation_member::Entity::find()
        .filter(conversation_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.conversation_id)
        .collect();
    message::Entity::update_many()
        .col_expr(message::Column::Body, Expr::value(""))
        .col_expr(message::Column::BodyHtml, Expr::value(""))
        .col_expr(message::Column::RemovedAt, Expr::value(now))
        .col_expr(message::Column::AuthorId, Expr::value(Option::<i32>::None))
        .filter(message::Column::AuthorId.eq(user_id))
        .exec(db)
        .await?;
    message_report::Entity::delete_many()
        .filter(message_report::Column::ReporterId.eq(user_id))
        .exec(db)
        .await?;
    conversation_member::Entity::delete_many()
        .filter(conversation_member::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    block::Entity::delete_many()
        .filter(
            Condition::any()
                .add(block::Column::UserId.eq(user_id))
                .add(block::Column::BlockedId.eq(user_id)),
        )
        .exec(db)
        .await?;
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::CreatedBy,
            Expr::value(Option::<i32>::None),
        )
        .filter(conversation::Column::CreatedBy.eq(user_id))
        .exec(db)
        .await?;
    for id in theirs {
        outbox_mail::Entity::delete_many()
            .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
            .filter(outbox_mail::Column::SubscriberId.is_null())
            .filter(outbox_mail::Column::PeriodKey.starts_with(format!("bericht:{id}#")))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// One conversation as a member's export holds it.
#[derive(Clone, Debug)]
pub struct Exported {
    pub id: i32,
    pub subject: String,
    pub started_at: DateTime<Utc>,
    /// The names of everyone taking part now (the member too).
    pub participants: Vec<String>,
    pub messages: Vec<ExportedMessage>,
}

#[derive(Clone, Debug)]
pub struct ExportedMessage {
    /// `None`: a former member's message, removed with their account.
    pub author: Option<String>,
    pub at: DateTime<Utc>,
    /// `None` when removed.
    pub text: Option<String>,
}

/// The conversations this person takes part in, with every message they may read, for
/// their export: through the visibility rule, in a fixed number of queries.
pub async fn for_export(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<Vec<Exported>, DbErr> {
    let reader = Reader::of(Some(person));
    let conversations = reader
        .conversations()
        .order_by_asc(conversation::Column::Id)
        .all(db)
        .await?;
    if conversations.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = conversations.iter().map(|c| c.id).collect();
    let messages = reader
        .messages()
        .filter(message::Column::ConversationId.is_in(ids.iter().copied()))
        .order_by_asc(message::Column::Id)
        .all(db)
        .await?;
    let members = participants(db, ids.iter().copied()).await?;
    let people = crate::forum::people(
        db,
        members
            .values()
            .flatten()
            .map(|m| m.user_id)
            .chain(messages.iter().filter_map(|m| m.author_id)),
    )
    .await?;
    let name = |id: i32| people.get(&id).map(|p| p.name.clone());
    Ok(conversations
        .into_iter()
        .map(|c| Exported {
            id: c.id,
            participants: members
                .get(&c.id)
                .into_iter()
                .flatten()
                .filter_map(|m| name(m.user_id))
                .collect(),
            messages: messages
                .iter()
                .filter(|m| m.conversation_id == c.id)
                .map(|m| ExportedMessage {
                    author: m.author_id.and_then(name),
                    at: m.created_at,
                    text: m.removed_at.is_none().then(|| m.body.clone()),
                })
                .collect(),
            subject: c.subject,
            started_at: c.created_at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_addresses_are_plain_positive_numbers() {
        assert_eq!(parse_id("12"), Some(12));
        for bad in ["", "0", "-1", "abc", "1e3", "99999999999", " 1", "１２"] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_to_field_takes_names_and_handles() {
        let entries =
            typed_entries("Kees Bos, Marieke de Vries (@marieke-2);\n  @Sanne ,, kees bos");
        let shown: Vec<String> = entries
            .iter()
            .map(|(_, t)| match t {
                Typed::Handle(h) => format!("@{h}"),
                Typed::Name(n) => n.clone(),
            })
            .collect();
        assert_eq!(shown, ["kees bos", "@marieke-2", "@sanne"]);
    }

    #[test]
    fn stored_text_keeps_lines_and_loses_control_characters() {
        assert_eq!(crate::forms::multi_line(" a\r\nb\u{0}c\td \n"), "a\nbc\td");
    }
}
