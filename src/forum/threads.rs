//! Starting threads, reading them, replying.

use std::collections::{HashMap, HashSet};

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::Markup;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde::Deserialize;

use axum_extra::extract::cookie::CookieJar;

use super::{
    BODY_MAX, POSTS_PER_PAGE, Scope, TITLE_MAX, attachments, bodies, drafts, page_of, people,
    views::{self, Files, PostForm, ThreadPage},
};
use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfMultipart,
    entities::{attachment, post, practice, read_position, thread, user, watch},
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
    notifications,
    page_cache::{self, Changes, Part},
    visibility::Text,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThreadForm {
    pub title: String,
    pub body: String,
    pub visibility: String,
    /// Ticked: the author read what public means.
    pub public_ok: Option<String>,
    /// `preview` re-renders the form with the text shown as it will look.
    pub action: String,
    /// Files uploaded with an earlier preview or failed attempt, kept for this post.
    pub attachment: Vec<i32>,
    /// The text came back after signing in again (the form says so).
    #[serde(skip)]
    pub restored: bool,
    /// Whom the text's mentions name, for the preview.
    #[serde(skip)]
    pub mentions: Vec<crate::mentions::Resolved>,
}

impl ThreadForm {
    fn validate(&self, practice: &practice::Model) -> FieldErrors {
        let mut errors = FieldErrors::default();
        errors.text("title", &self.title, TITLE_MAX);
        errors.markdown("body", &self.body, BODY_MAX);
        if practice.kind == practice::Kind::Practice {
            errors.visibility("visibility", &self.visibility, self.public_ok.is_some());
        }
        errors
    }

    /// Threads in the expert area are for experts, whatever the form says.
    fn visibility_in(&self, practice: &practice::Model) -> thread::Visibility {
        match practice.kind {
            practice::Kind::Expert => thread::Visibility::Experts,
            // Validated before; members-only is the safe side should it ever not be.
            practice::Kind::Practice => {
                thread::Visibility::choice(&self.visibility).unwrap_or(thread::Visibility::Members)
            }
        }
    }
}

async fn postable_practice(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> AppResult<crate::entities::practice::Model> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = scope
        .practice_by_slug(slug)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !scope.standing(&practice).may_post {
        return Err(AppError::Forbidden);
    }
    Ok(practice)
}

pub async fn new_thread(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    changes: Changes,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let practice = postable_practice(&state, &ctx, &slug).await?;
    let person = ctx.require_user()?;
    let restored =
        drafts::restore(&state.db, person.id, &jar, &drafts::thread_target(&slug)).await?;
    if restored.as_ref().is_some_and(|r| r.after_sign_in) {
        // The text kept while the session ran out became this member's draft.
        changes.personal(person.id);
    }
    let form = ThreadForm {
        visibility: practice.default_visibility.to_string(),
        restored: restored.as_ref().is_some_and(|r| r.after_sign_in),
        title: restored
            .as_ref()
            .map(|r| r.title.clone())
            .unwrap_or_default(),
        body: restored.map(|r| r.body).unwrap_or_default(),
        ..Default::default()
    };
    Ok(views::new_thread(
        &ctx,
        &practice,
        &form,
        &FieldErrors::default(),
        false,
        None,
        &Files {
            pending: &[],
            max_mb: state.settings.upload_max_mb,
        },
    ))
}

/// Stores new uploads and gathers every pending file of this form, checking the limits.
pub async fn gather_files(
    state: &AppState,
    person_id: i32,
    kept: &[i32],
    uploads: Vec<crate::csrf::Upload>,
    errors: &mut FieldErrors,
) -> AppResult<Vec<attachment::Model>> {
    let (stored, problem) = attachments::store(state, person_id, uploads).await?;
    let mut ids = kept.to_vec();
    ids.extend(stored.iter().map(|a| a.id));
    let pending = attachments::pending(&state.db, person_id, &ids).await?;
    if let Some(key) = problem {
        errors.add("files", key);
    }
    if pending.len() > attachments::MAX_FILES {
        errors.add("files", "attachments.too_many");
    }
    Ok(pending)
}

pub async fn create_thread(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(slug): Path<String>,
    changes: Changes,
    CsrfMultipart { mut form, uploads }: CsrfMultipart<ThreadForm>,
) -> AppResult<Response> {
    if ctx.user.is_none() {
        // The session ran out while writing: keep the text, sign in, come back to it.
        return drafts::keep_and_sign_in(
            &state,
            &ctx,
            jar,
            drafts::thread_target(&slug),
            &form.title,
            &form.body,
            &format!("/praktijken/{slug}/nieuw"),
        )
        .await;
    }
    let practice = postable_practice(&state, &ctx, &slug).await?;
    let person = ctx.require_user()?;
    let mut errors = form.validate(&practice);
    let pending = gather_files(&state, person.id, &form.attachment, uploads, &mut errors).await?;
    let files = Files {
        pending: &pending,
        max_mb: state.settings.upload_max_mb,
    };
    if form.action == "similar" {
        // "Has this been discussed?": the form again, text kept, with what is like it.
        let scope = Scope::for_viewer(&state.db, Some(person)).await?;
        let similar = crate::search::results::similar(
            &state.db,
            &scope,
            ctx.lang,
            &form.title,
            None,
            crate::search::pages::SIMILAR,
        )
        .await?;
        let none = FieldErrors::default();
        return Ok(
            views::new_thread(&ctx, &practice, &form, &none, false, Some(&similar), &files)
                .into_response(),
        );
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::new_thread(
            &ctx, &practice, &form, &errors, false, None, &files,
        )));
    }
    if form.action == "preview" {
        drafts::save(
            &state.db,
            person.id,
            drafts::thread_target(&slug),
            &form.title,
            &form.body,
        )
        .await?;
        changes.personal(person.id);
        form.mentions = crate::mentions::resolve(&state.db, &form.body).await?;
        return Ok(
            views::new_thread(&ctx, &practice, &form, &errors, true, None, &files).into_response(),
        );
    }
    let body = bodies::Body::render(&form.body).await;
    let txn = state.db.begin().await?;
    let started = start(
        &txn,
        &practice,
        person.id,
        form.title.trim(),
        form.visibility_in(&practice),
        body,
        &pending,
    )
    .await?;
    let (thread, told) = (started.thread, started.told);
    drafts::discard(&txn, person.id, &drafts::thread_target(&slug)).await?;
    txn.commit().await?;
    changes.new_thread(thread.id, practice.id);
    changes.personal(person.id);
    changes.people(told);
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/onderwerpen/{}", thread.id)).into_response())
}

/// A thread just started, and whom its opening post notified.
pub struct Started {
    pub thread: thread::Model,
    pub told: Vec<i32>,
}

/// Starts a thread with its opening post, in the caller's transaction: the one way a thread
/// comes to be (a new thread, a meeting's report), so its files, search entry, read position
/// and notifications are never forgotten.
pub async fn start(
    txn: &impl ConnectionTrait,
    practice: &practice::Model,
    author_id: i32,
    title: &str,
    visibility: thread::Visibility,
    body: bodies::Body,
    files: &[attachment::Model],
) -> Result<Started, DbErr> {
    let now = Utc::now();
    let thread = thread::ActiveModel {
        practice_id: Set(practice.id),
        author_id: Set(author_id),
        title: Set(title.into()),
        visibility: Set(visibility),
        pinned: Set(false),
        locked: Set(false),
        post_count: Set(1),
        last_poster_id: Set(Some(author_id)),
        last_post_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let mut opening = post::ActiveModel {
        thread_id: Set(thread.id),
        author_id: Set(author_id),
        position: Set(1),
        created_at: Set(now),
        ..Default::default()
    };
    body.write_to(&mut opening);
    let opening = opening.insert(txn).await?;
    attachments::attach(txn, files, opening.id).await?;
    crate::search::index::sync_posts(txn, &[opening.id]).await?;
    mark_read(txn, author_id, thread.id, 1).await?;
    let told = notifications::after_post(txn, &thread, practice, &opening, None).await?;
    Ok(Started { thread, told })
}

/// One page of a thread: its posts, their authors and their files, in three queries.
/// Every post keeps its place, but a text (and files) this reader may not have is dropped
/// here, so no view can show it.
async fn page_of_posts(
    db: &impl ConnectionTrait,
    scope: &Scope,
    thread: &thread::Model,
    page: u64,
) -> Result<PageOfPosts, DbErr> {
    let mut posts = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .order_by_asc(post::Column::Position)
        .paginate(db, POSTS_PER_PAGE)
        .fetch_page(page.saturating_sub(1))
        .await?;
    let mut texts = HashMap::new();
    let mut history = HashSet::new();
    for post in &mut posts {
        if post.edited_at.is_some() && scope.admits_revisions(post, thread) {
            history.insert(post.id);
        }
        let text = scope.text(post, thread).unwrap_or(Text::Removed);
        if !text.is_shown() {
            post.body.clear();
            post.hidden_reason = None;
        }
        texts.insert(post.id, text);
    }
    let authors = people(db, posts.iter().map(|p| p.author_id)).await?;
    let shown: Vec<post::Model> = posts
        .iter()
        .filter(|p| texts.get(&p.id).is_some_and(|t| t.is_shown()))
        .cloned()
        .collect();
    let files = attachments::of_posts(db, &shown).await?;
    Ok(PageOfPosts {
        posts,
        texts,
        history,
        authors,
        files,
    })
}

struct PageOfPosts {
    posts: Vec<post::Model>,
    texts: HashMap<i32, Text>,
    /// The posts whose earlier versions this reader may see.
    history: HashSet<i32>,
    authors: HashMap<i32, user::Model>,
    files: HashMap<i32, Vec<attachment::Model>>,
}

/// Remembers the furthest post a member has seen; never moves backwards.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i32,
    thread_id: i32,
    position: i32,
) -> Result<(), DbErr> {
    read_position::Entity::insert(read_position::ActiveModel {
        user_id: Set(user_id),
        thread_id: Set(thread_id),
        position: Set(position),
    })
    .on_conflict(
        OnConflict::columns([
            read_position::Column::UserId,
            read_position::Column::ThreadId,
        ])
        .value(
            read_position::Column::Position,
            Expr::cust(
                "CASE WHEN excluded.position > read_positions.position \
                     THEN excluded.position ELSE read_positions.position END",
            ),
        )
        .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ThreadQuery {
    pagina: Option<u64>,
    citeer: Option<i32>,
}

pub async fn show_thread(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    changes: Changes,
    Path(id): Path<i32>,
    Query(query): Query<ThreadQuery>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let (thread, practice) = scope
        .thread_in_practice(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pages = page_of(thread.post_count);
    let page = query.pagina.unwrap_or(1);
    if page == 0 || page > pages {
        return Err(AppError::NotFound);
    }
    let PageOfPosts {
        posts,
        texts,
        history,
        authors,
        files: files_by_post,
    } = page_of_posts(&state.db, &scope, &thread, page).await?;
    let mut read_before = None;
    if let Some(person) = &ctx.user {
        let stored = read_position::Entity::find_by_id((person.id, thread.id))
            .one(&state.db)
            .await?
            .map_or(0, |r| r.position);
        let position = Ord::max(
            stored,
            state.read_marks.noted(person.id, thread.id).unwrap_or(0),
        );
        // What was written before the member's `read_from` counts as read too.
        let before_horizon = posts
            .iter()
            .filter(|p| p.created_at <= person.read_from)
            .map(|p| p.position)
            .max()
            .unwrap_or(0);
        read_before = Some(Ord::max(position, before_horizon));
        // Written behind, and only when the member got further.
        if let Some(last) = posts.last().filter(|last| last.position > position) {
            state.read_marks.note(person.id, thread.id, last.position);
            changes.personal(person.id);
        }
    }
    let standing = scope.standing(&practice);
    let used_in = crate::summaries::public::citing(&state.db, thread.id).await?;
    let report_of = crate::meetings::edit::reported_by(&state.db, thread.id)
        .await?
        .filter(|m| scope.admits_meeting(m));
    // Shared by readers of a kind, until titles change.
    let kind = scope.reader().kind_of_reader();
    let related = match state.pages.related(thread.id, kind, ctx.lang) {
        Some(items) => items,
        None => {
            let made_at = state.pages.now();
            let items = crate::search::results::similar(
                &state.db,
                &scope,
                ctx.lang,
                &thread.title,
                Some(thread.id),
                crate::search::pages::SIMILAR,
            )
            .await?;
            state
                .pages
                .keep_related(thread.id, kind, ctx.lang, made_at, items.clone());
            items
        }
    };
    let can_post = standing.may_post && !thread.locked;
    let can_moderate = standing.may_moderate;
    let watching = match &ctx.user {
        Some(person) => watch::Entity::find_by_id((person.id, thread.id))
            .one(&state.db)
            .await?
            .map(|w| w.muted),
        None => None,
    };
    // Only a text this reader may read can be quoted (never a hidden or removed one).
    let quote = match query.citeer {
        Some(post_id) => scope
            .readable_post(&state.db, post_id)
            .await?
            .filter(|(p, t)| t.id == thread.id && p.state() == post::State::Visible)
            .map(|(p, _)| {
                let name = authors
                    .get(&p.author_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                quote_of(&name, &p.body)
            }),
        None => None,
    };
    // A quote starts a new text; else the member's draft (or the text kept while their
    // session ran out) comes back into the form.
    let restored = match (&ctx.user, &quote) {
        (Some(person), None) if can_post => {
            drafts::restore(&state.db, person.id, &jar, &drafts::reply_target(thread.id)).await?
        }
        _ => None,
    };
    if let (Some(person), Some(restored)) = (&ctx.user, &restored)
        && restored.after_sign_in
    {
        changes.personal(person.id);
    }
    let form = PostForm {
        quote: match (&quote, query.citeer) {
            (Some(_), Some(id)) => id.to_string(),
            _ => String::new(),
        },
        restored: restored.as_ref().is_some_and(|r| r.after_sign_in),
        body: quote.or(restored.map(|r| r.body)).unwrap_or_default(),
        ..Default::default()
    };
    let page = views::thread_page(
        &ctx,
        &ThreadPage {
            thread: &thread,
            practice: &practice,
            posts: &posts,
            texts: &texts,
            history: &history,
            authors: &authors,
            page,
            pages,
            read_before,
            can_post,
            can_moderate,
            can_change_visibility: scope.may_change_visibility(&thread, &practice),
            report_of: report_of.as_ref(),
            move_targets: move_targets(&scope, &practice, can_moderate),
            watching,
            attachments: &files_by_post,
            used_in: &used_in,
            related: &related,
        },
        &form,
        &FieldErrors::default(),
        false,
        &Files {
            pending: &[],
            max_mb: state.settings.upload_max_mb,
        },
    );
    Ok(page_cache::keep(
        page,
        [Part::Thread(thread.id), Part::Titles],
    ))
}

/// The reply form's own address (where signing in again leads): the thread's last page,
/// at the form.
pub async fn reply_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let thread = scope
        .thread(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = match page_of(thread.post_count) {
        1 => format!("/onderwerpen/{id}#reageren"),
        page => format!("/onderwerpen/{id}?pagina={page}#reageren"),
    };
    Ok(Redirect::to(&target).into_response())
}

/// Jumps to the first post this member has not seen yet.
pub async fn first_unread(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let thread = scope
        .thread(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The first post this member has not read; when everything is read, the last one.
    let first = match &ctx.user {
        Some(person) => super::unread::first_in(&state.db, person, thread.id).await?,
        None => None,
    };
    let target = first.unwrap_or(thread.post_count);
    let post = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread.id))
        .filter(post::Column::Position.eq(target))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}

/// The other open practices, in order, for a moderator's "move to".
fn move_targets<'a>(
    scope: &'a Scope,
    current: &practice::Model,
    can_moderate: bool,
) -> Vec<&'a practice::Model> {
    if !can_moderate || current.kind != practice::Kind::Practice {
        return Vec::new();
    }
    let mut targets: Vec<&practice::Model> = scope
        .practices()
        .filter(|p| p.kind == practice::Kind::Practice && !p.archived && p.id != current.id)
        .collect();
    targets.sort_by_key(|p| (p.position, p.id));
    targets
}

/// A Markdown quotation of a post, attributed, ready to reply under.
pub fn quote_of(name: &str, body: &str) -> String {
    let mut quoted = format!("> **{name}:**\n>\n");
    for line in body.lines() {
        quoted.push_str("> ");
        quoted.push_str(line);
        quoted.push('\n');
    }
    quoted.push('\n');
    quoted
}

pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(id): Path<i32>,
    changes: Changes,
    CsrfMultipart { mut form, uploads }: CsrfMultipart<PostForm>,
) -> AppResult<Response> {
    let Some(person) = ctx.user.clone() else {
        // The session ran out while writing: keep the text, sign in, come back to it.
        return drafts::keep_and_sign_in(
            &state,
            &ctx,
            jar,
            drafts::reply_target(id),
            "",
            &form.body,
            &format!("/onderwerpen/{id}/reageren"),
        )
        .await;
    };
    let scope = Scope::for_viewer(&state.db, Some(&person)).await?;
    let (thread, practice) = scope
        .thread_in_practice(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !scope.standing(&practice).may_post || thread.locked {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    errors.markdown("body", &form.body, BODY_MAX);
    let pending = gather_files(&state, person.id, &form.attachment, uploads, &mut errors).await?;
    if !errors.is_empty() || form.action == "preview" {
        if form.action == "preview" {
            drafts::save(
                &state.db,
                person.id,
                drafts::reply_target(id),
                "",
                &form.body,
            )
            .await?;
            // The thread's page shows the draft in its form.
            changes.personal(person.id);
            form.mentions = crate::mentions::resolve(&state.db, &form.body).await?;
        }
        // Show the last page with the form (and the preview) at the bottom.
        let pages = page_of(thread.post_count);
        let PageOfPosts {
            posts,
            texts,
            history,
            authors,
            files: files_by_post,
        } = page_of_posts(&state.db, &scope, &thread, pages).await?;
        let page = views::thread_page(
            &ctx,
            &ThreadPage {
                thread: &thread,
                practice: &practice,
                posts: &posts,
                texts: &texts,
                history: &history,
                authors: &authors,
                page: pages,
                pages,
                read_before: None,
                can_post: true,
                can_moderate: false,
                can_change_visibility: false,
                move_targets: Vec::new(),
                watching: None,
                attachments: &files_by_post,
                used_in: &[],
                related: &[],
                report_of: None,
            },
            &form,
            &errors,
            errors.is_empty(),
            &Files {
                pending: &pending,
                max_mb: state.settings.upload_max_mb,
            },
        );
        return Ok(if errors.is_empty() {
            page.into_response()
        } else {
            forms::unprocessable(page)
        });
    }

    let body = bodies::Body::render(&form.body).await;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Claim the next position by bumping the counter first: the row lock (PostgreSQL) or
    // the write lock (SQLite) makes concurrent replies queue instead of colliding.
    let bumped = thread::Entity::update_many()
        .col_expr(
            thread::Column::PostCount,
            Expr::col(thread::Column::PostCount).add(1),
        )
        .col_expr(thread::Column::LastPosterId, Expr::value(person.id))
        .col_expr(thread::Column::LastPostAt, Expr::value(now))
        .filter(thread::Column::Id.eq(thread.id))
        .filter(thread::Column::Locked.eq(false))
        .exec(&txn)
        .await?;
    if bumped.rows_affected != 1 {
        return Err(AppError::Forbidden);
    }
    let position = thread::Entity::find_by_id(thread.id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?
        .post_count;
    let mut post = post::ActiveModel {
        thread_id: Set(thread.id),
        author_id: Set(person.id),
        position: Set(position),
        created_at: Set(now),
        ..Default::default()
    };
    body.write_to(&mut post);
    let post = post.insert(&txn).await?;
    attachments::attach(&txn, &pending, post.id).await?;
    crate::search::index::sync_posts(&txn, &[post.id]).await?;
    mark_read(&txn, person.id, thread.id, position).await?;
    let quoted_author = match form.quote.parse::<i32>() {
        Ok(quoted) => post::Entity::find_by_id(quoted)
            .filter(post::Column::ThreadId.eq(thread.id))
            .filter(post::Column::DeletedAt.is_null())
            .one(&txn)
            .await?
            .map(|p| p.author_id),
        Err(_) => None,
    };
    let told = notifications::after_post(&txn, &thread, &practice, &post, quoted_author).await?;
    drafts::discard(&txn, person.id, &drafts::reply_target(thread.id)).await?;
    txn.commit().await?;
    changes.posts_in(thread.id, thread.practice_id);
    changes.personal(person.id);
    changes.people(told);
    state.wake_mail.notify_one();
    Ok(Redirect::to(&views::post_url(thread.id, &post)).into_response())
}
