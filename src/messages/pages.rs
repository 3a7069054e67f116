//! The handlers of private messages: list, conversation, new, reply, report, block.
//! Every read goes through [`Reader::conversations`] and [`Reader::messages`]; a
//! conversation someone does not take part in answers 404, as one that does not exist.

use std::collections::HashSet;

use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::Markup;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::Deserialize;

use super::{
    PathId, PathIds,
    views::{self, ConversationPage, NewForm, ReplyForm, Row},
};
use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{conversation, message, message_report, user},
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
    forum::bodies::Body,
    page_cache::Changes,
    visibility::Reader,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pagina: Option<u64>,
    gemeld: Option<String>,
}

/// `/berichten`: my conversations, the newest activity (that I may read) first.
pub async fn list_conversations(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> AppResult<Markup> {
    let me = ctx.require_user()?;
    let reader = Reader::of(Some(me));
    // The newest message each member may read orders the list: a blocked member's messages
    // move nothing.
    let newest = reader
        .messages()
        .select_only()
        .expr(Expr::col((message::Entity, message::Column::Id)).max())
        .filter(
            Expr::col((message::Entity, message::Column::ConversationId))
                .equals((conversation::Entity, conversation::Column::Id)),
        )
        .into_query();
    let found = reader
        .conversations()
        .order_by_desc(Expr::SubQuery(None, Box::new(newest.into())))
        .order_by_desc(conversation::Column::Id)
        .paginate(&state.db, super::CONVERSATIONS_PER_PAGE);
    let counts = found.num_items_and_pages().await?;
    let pages = Ord::max(counts.number_of_pages, 1);
    let page = Ord::max(query.pagina.unwrap_or(1), 1);
    if page > pages {
        return Err(AppError::NotFound);
    }
    let conversations = found.fetch_page(page - 1).await?;
    let ids: Vec<i32> = conversations.iter().map(|c| c.id).collect();
    let mut members = super::participants(&state.db, ids.iter().copied()).await?;
    let (last, unread) = if ids.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let last_ids: Vec<Option<i32>> = reader
            .messages()
            .filter(message::Column::ConversationId.is_in(ids.iter().copied()))
            .select_only()
            .column_as(message::Column::Id.max(), "last")
            .group_by(message::Column::ConversationId)
            .into_tuple()
            .all(&state.db)
            .await?;
        let last = reader
            .messages()
            .filter(message::Column::Id.is_in(last_ids.into_iter().flatten()))
            .all(&state.db)
            .await?;
        let unread: Vec<(i32, i64)> = super::unread(reader)
            .filter(message::Column::ConversationId.is_in(ids.iter().copied()))
            .select_only()
            .column(message::Column::ConversationId)
            .column_as(message::Column::Id.count(), "n")
            .group_by(message::Column::ConversationId)
            .into_tuple()
            .all(&state.db)
            .await?;
        (last, unread)
    };
    let people = crate::forum::people(
        &state.db,
        members
            .values()
            .flatten()
            .map(|m| m.user_id)
            .chain(last.iter().filter_map(|m| m.author_id)),
    )
    .await?;
    let has_blocked = !super::blocked_by(&state.db, me.id).await?.is_empty();
    let rows: Vec<Row> = conversations
        .into_iter()
        .map(|c| Row {
            members: members.remove(&c.id).unwrap_or_default(),
            last: last.iter().find(|m| m.conversation_id == c.id).cloned(),
            unread: unread
                .iter()
                .find(|(id, _)| *id == c.id)
                .map_or(0, |(_, n)| *n),
            conversation: c,
        })
        .collect();
    Ok(views::list(
        &ctx,
        me.id,
        &rows,
        &people,
        page,
        pages,
        has_blocked,
    ))
}

/// What a conversation's page needs, loaded in a fixed number of queries; `None` when the
/// reader does not take part in it (or it does not exist).
struct Loaded {
    conversation: conversation::Model,
    members: Vec<crate::entities::conversation_member::Model>,
    messages: Vec<message::Model>,
    people: std::collections::HashMap<i32, user::Model>,
    blocked: HashSet<i32>,
    reported: HashSet<i32>,
    read_before: i32,
    page: u64,
    pages: u64,
}

async fn load(
    state: &AppState,
    me: &user::Model,
    id: i32,
    page: Option<u64>,
) -> AppResult<Option<Loaded>> {
    let reader = Reader::of(Some(me));
    let Some(conversation) = reader
        .conversations()
        .filter(conversation::Column::Id.eq(id))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let found = reader
        .messages_in(id)
        .order_by_asc(message::Column::Id)
        .paginate(&state.db, super::MESSAGES_PER_PAGE);
    let counts = found.num_items_and_pages().await?;
    let pages = Ord::max(counts.number_of_pages, 1);
    // The newest page opens; an earlier one on request.
    let page = page.unwrap_or(pages);
    if page == 0 || page > pages {
        return Ok(None);
    }
    let messages = found.fetch_page(page - 1).await?;
    let members = super::participants(&state.db, [id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let read_before = members
        .iter()
        .find(|m| m.user_id == me.id)
        .map_or(0, |m| m.last_read_message_id);
    let people = crate::forum::people(
        &state.db,
        members
            .iter()
            .map(|m| m.user_id)
            .chain(messages.iter().filter_map(|m| m.author_id)),
    )
    .await?;
    let blocked = super::blocked_by(&state.db, me.id).await?;
    let reported: HashSet<i32> = message_report::Entity::find()
        .filter(message_report::Column::ReporterId.eq(me.id))
        .filter(message_report::Column::MessageId.is_in(messages.iter().map(|m| m.id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| r.message_id)
        .collect();
    Ok(Some(Loaded {
        conversation,
        members,
        messages,
        people,
        blocked,
        reported,
        read_before,
        page,
        pages,
    }))
}

fn render(ctx: &Ctx, me: &user::Model, loaded: &Loaded, form: &ReplyForm) -> Markup {
    views::conversation(
        ctx,
        me.id,
        &ConversationPage {
            conversation: &loaded.conversation,
            members: &loaded.members,
            messages: &loaded.messages,
            people: &loaded.people,
            blocked: &loaded.blocked,
            reported: &loaded.reported,
            read_before: loaded.read_before,
            page: loaded.page,
            pages: loaded.pages,
        },
        form,
    )
}

/// `/berichten/gesprek/{id}`: the messages, oldest first, and the reply form. Opening it
/// marks what it shows as read.
pub async fn show_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    PathId(id): PathId,
    Query(query): Query<PageQuery>,
) -> AppResult<Markup> {
    let me = ctx.require_user()?.clone();
    let loaded = load(&state, &me, id, query.pagina)
        .await?
        .ok_or(AppError::NotFound)?;
    let newly_read: Vec<&message::Model> = loaded
        .messages
        .iter()
        .filter(|m| {
            m.id > loaded.read_before && m.author_id != Some(me.id) && m.removed_at.is_none()
        })
        .collect();
    let mut ctx = ctx;
    if let Some(newest) = loaded.messages.iter().map(|m| m.id).max()
        && newest > loaded.read_before
    {
        changes.personal(me.id);
        super::mark_read(&state.db, id, me.id, newest).await?;
        // The header was counted before this page was read.
        ctx.unread_messages = ctx
            .unread_messages
            .saturating_sub(u64::try_from(newly_read.len()).unwrap_or(0));
    }
    Ok(render(
        &ctx,
        &me,
        &loaded,
        &ReplyForm {
            body: "",
            errors: &FieldErrors::default(),
            problem: None,
            reported: query.gemeld.is_some(),
        },
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyFields {
    body: String,
}

/// `POST /berichten/gesprek/{id}/antwoorden`: a reply from the site.
pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    PathId(id): PathId,
    CsrfForm(form): CsrfForm<ReplyFields>,
) -> AppResult<Response> {
    let me = ctx.require_user()?.clone();
    let loaded = load(&state, &me, id, None)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = crate::forms::multi_line(&form.body);
    let mut errors = FieldErrors::default();
    errors.markdown("body", &body, super::BODY_MAX);
    let again = |errors: &FieldErrors, problem: Option<&str>, status: StatusCode| {
        (
            status,
            render(
                &ctx,
                &me,
                &loaded,
                &ReplyForm {
                    body: &form.body,
                    errors,
                    problem,
                    reported: false,
                },
            ),
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(again(&errors, None, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = Utc::now();
    if let Some(refusal) = super::limit_reached(&state.db, &me, now, false).await? {
        return Ok(again(
            &errors,
            Some(refusal.key()),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let written = super::add_message(&state.db, id, me.id, Body::render(&body).await, now).await?;
    changes.people(loaded.members.iter().map(|m| m.user_id));
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/berichten/gesprek/{id}#pm-{}", written.id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    aan: String,
}

/// `/berichten/nieuw`: the form, with the member from `?aan={id}` filled in.
pub async fn new_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<NewQuery>,
) -> AppResult<Markup> {
    let me = ctx.require_user()?;
    let mut form = NewForm::default();
    if let Some(id) = super::parse_id(&query.aan).filter(|id| *id != me.id)
        && let Some(person) = super::active_member(&state.db, id).await?
    {
        form.recipients = super::recipient_label(&person);
    }
    Ok(views::new_conversation(
        &ctx,
        &form,
        &FieldErrors::default(),
        &[],
        &[],
        None,
    ))
}

/// `POST /berichten/nieuw`: starts the conversation, or shows the form again with what was
/// typed and what needs attention.
pub async fn create_conversation(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(form): CsrfForm<NewForm>,
) -> AppResult<Response> {
    let me = ctx.require_user()?.clone();
    let mut errors = FieldErrors::default();
    let resolved = super::resolve_recipients(&state.db, &form.recipients).await?;
    let others: Vec<user::Model> = resolved
        .people
        .iter()
        .filter(|p| p.id != me.id)
        .cloned()
        .collect();
    if form.recipients.trim().is_empty() {
        errors.add("recipients", "form.required");
    } else if !resolved.unknown.is_empty() || !resolved.ambiguous.is_empty() {
        errors.add("recipients", "messages.recipients_unknown");
    } else if resolved.too_many || others.len() > super::OTHERS_MAX {
        errors.add("recipients", "messages.too_many");
    } else if others.is_empty() {
        errors.add("recipients", "messages.only_yourself");
    }
    let subject = crate::meetings::one_line(&form.subject);
    errors.text("subject", &subject, super::SUBJECT_MAX);
    let body = crate::forms::multi_line(&form.body);
    errors.markdown("body", &body, super::BODY_MAX);
    let again = |errors: &FieldErrors, problem: Option<&str>, status: StatusCode| {
        let shown = NewForm {
            recipients: form.recipients.clone(),
            subject: subject.clone(),
            body: form.body.clone(),
        };
        (
            status,
            views::new_conversation(
                &ctx,
                &shown,
                errors,
                &resolved.unknown,
                &resolved.ambiguous,
                problem,
            ),
        )
            .into_response()
    };
    if !errors.is_empty() {
        return Ok(again(&errors, None, StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = Utc::now();
    if let Some(refusal) = super::limit_reached(&state.db, &me, now, true).await? {
        return Ok(again(
            &errors,
            Some(refusal.key()),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let id = super::start(
        &state.db,
        &me,
        &others,
        &subject,
        Body::render(&body).await,
        now,
    )
    .await?;
    changes.people(others.iter().map(|p| p.id).chain([me.id]));
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/berichten/gesprek/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportFields {
    reason: String,
}

/// The message to report: someone else's, in a conversation the reader takes part in.
async fn reportable(
    state: &AppState,
    me: &user::Model,
    conversation_id: i32,
    message_id: i32,
) -> AppResult<(conversation::Model, message::Model, Option<user::Model>)> {
    let reader = Reader::of(Some(me));
    let conversation = reader
        .conversations()
        .filter(conversation::Column::Id.eq(conversation_id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let found = reader
        .messages_in(conversation_id)
        .filter(message::Column::Id.eq(message_id))
        .filter(message::Column::RemovedAt.is_null())
        .one(&state.db)
        .await?
        .filter(|m| m.author_id.is_some() && m.author_id != Some(me.id))
        .ok_or(AppError::NotFound)?;
    let author = match found.author_id {
        Some(a) => user::Entity::find_by_id(a).one(&state.db).await?,
        None => None,
    };
    Ok((conversation, found, author))
}

pub async fn show_report_form(
    State(state): State<AppState>,
    ctx: Ctx,
    PathIds(conversation_id, message_id): PathIds,
) -> AppResult<Markup> {
    let me = ctx.require_user()?.clone();
    let (conversation, found, author) =
        reportable(&state, &me, conversation_id, message_id).await?;
    Ok(views::report_form(
        &ctx,
        &conversation,
        &found,
        author.as_ref(),
        "",
        &FieldErrors::default(),
    ))
}

/// `POST …/melden/{message}`: the message goes to the administrators, with the reason.
pub async fn report_message(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    PathIds(conversation_id, message_id): PathIds,
    CsrfForm(form): CsrfForm<ReportFields>,
) -> AppResult<Response> {
    let me = ctx.require_user()?.clone();
    let (conversation, found, author) =
        reportable(&state, &me, conversation_id, message_id).await?;
    let reason = crate::forms::multi_line(&form.reason);
    let mut errors = FieldErrors::default();
    errors.text("reason", &reason, super::REASON_MAX);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::report_form(
            &ctx,
            &conversation,
            &found,
            author.as_ref(),
            &form.reason,
            &errors,
        )));
    }
    changes.nothing_shown();
    super::report(&state.db, me.id, found.id, &reason).await?;
    Ok(Redirect::to(&format!("/berichten/gesprek/{conversation_id}?gemeld=1")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BlockFields {
    person: String,
    next: String,
}

/// `POST /berichten/blokkeren`: the reader no longer sees this member's messages.
pub async fn block_member(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(form): CsrfForm<BlockFields>,
) -> AppResult<Response> {
    let me = ctx.require_user()?;
    let person = super::parse_id(&form.person)
        .filter(|id| *id != me.id)
        .ok_or(AppError::NotFound)?;
    // Anyone with an account, also one disabled since; never oneself.
    user::Entity::find_by_id(person)
        .filter(user::Column::DeletedAt.is_null())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    changes.personal(me.id);
    super::block(&state.db, me.id, person).await?;
    Ok(Redirect::to(&crate::home::local_path(&form.next)).into_response())
}

pub async fn unblock_member(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    CsrfForm(form): CsrfForm<BlockFields>,
) -> AppResult<Response> {
    let me = ctx.require_user()?;
    let person = super::parse_id(&form.person).ok_or(AppError::NotFound)?;
    changes.personal(me.id);
    super::unblock(&state.db, me.id, person).await?;
    Ok(Redirect::to(&crate::home::local_path(&form.next)).into_response())
}

/// `/berichten/geblokkeerd`: whom the reader blocked, to unblock them.
pub async fn list_blocked(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let me = ctx.require_user()?;
    let blocked = super::blocked_by(&state.db, me.id).await?;
    let mut people: Vec<user::Model> = crate::forum::people(&state.db, blocked)
        .await?
        .into_values()
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    Ok(views::blocked_list(&ctx, &people))
}

/// Whether the reader blocked this member (for the member's page).
pub async fn has_blocked(state: &AppState, me: i32, person: i32) -> Result<bool, sea_orm::DbErr> {
    Ok(crate::entities::block::Entity::find()
        .filter(crate::entities::block::Column::UserId.eq(me))
        .filter(crate::entities::block::Column::BlockedId.eq(person))
        .count(&state.db)
        .await?
        > 0)
}
