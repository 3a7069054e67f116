//! Nothing typed is lost. A reply or new thread sent after the session expired is kept on the
//! server under a one-time key (its hash in `drafts`, the key in an HttpOnly cookie, never in
//! a URL); signing in leads back to the form, which finds the text again. A member's preview
//! keeps the text as a draft too, until it is posted.

use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, sea_query::OnConflict,
};

use crate::{
    AppState,
    entities::draft,
    error::AppResult,
    page_cache::Changes,
    tokens::{random_secret, sha256_hex},
};

/// The cookie that holds the key to a text kept for sign-in.
pub const COOKIE: &str = "erbij_bewaard";
/// How long a kept text waits for its writer to sign in.
const KEPT_HOURS: i64 = 24;
/// Bodies longer than a post may be are not kept (the form says what the limit is).
const MAX_CHARS: usize = 100_000;
/// A member's drafts kept at most (the newest): one per form, but a member could open
/// every form on the site.
const MAX_PER_MEMBER: u64 = 50;

pub fn reply_target(thread_id: i32) -> String {
    format!("reply:{thread_id}")
}

/// A new thread in the practice with this slug (cut short: the slug came from the path).
pub fn thread_target(slug: &str) -> String {
    format!("thread:{}", slug.chars().take(48).collect::<String>())
}

/// A text restored into a form, and whether it came back from an expired session.
pub struct Restored {
    pub title: String,
    pub body: String,
    pub after_sign_in: bool,
}

/// Keeps a text sent without a (live) session and sends the writer to sign in; afterwards
/// they land on `back`, the form, with the text in it.
pub async fn keep_and_sign_in(
    state: &AppState,
    ctx: &crate::context::Ctx,
    jar: CookieJar,
    target: String,
    title: &str,
    body: &str,
    back: &str,
) -> AppResult<Response> {
    let sign_in = Redirect::to(&format!("/inloggen?next={}", crate::error::urlencode(back)));
    if body.trim().is_empty() && title.trim().is_empty() {
        return Ok(sign_in.into_response());
    }
    // Anyone can send a form without a session: a few texts an hour per address are kept,
    // so the table cannot be filled from outside.
    if !crate::throttle::KEEP_TEXT_ADDRESS
        .allow(&state.db, &ctx.client_ip)
        .await?
    {
        return Ok(sign_in.into_response());
    }
    let key = random_secret();
    draft::ActiveModel {
        user_id: Set(None),
        kept_hash: Set(Some(sha256_hex(&key))),
        target: Set(target),
        title: Set(title.chars().take(MAX_CHARS).collect()),
        body: Set(body.chars().take(MAX_CHARS).collect()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&state.db)
    .await?;
    let cookie = Cookie::build((COOKIE, key))
        .path("/")
        .http_only(true)
        .secure(state.settings.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(time::Duration::hours(KEPT_HOURS))
        .build();
    Ok((jar.add(cookie), sign_in).into_response())
}

/// Saves a member's draft for a target (on preview).
pub async fn save(
    db: &impl ConnectionTrait,
    user_id: i32,
    target: String,
    title: &str,
    body: &str,
) -> Result<(), DbErr> {
    draft::Entity::insert(draft::ActiveModel {
        user_id: Set(Some(user_id)),
        kept_hash: Set(None),
        target: Set(target),
        title: Set(title.chars().take(MAX_CHARS).collect()),
        body: Set(body.chars().take(MAX_CHARS).collect()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([draft::Column::UserId, draft::Column::Target])
            .update_columns([
                draft::Column::Title,
                draft::Column::Body,
                draft::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    let newest: Vec<i32> = draft::Entity::find()
        .filter(draft::Column::UserId.eq(user_id))
        .order_by_desc(draft::Column::UpdatedAt)
        .order_by_desc(draft::Column::Id)
        .limit(MAX_PER_MEMBER)
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    draft::Entity::delete_many()
        .filter(draft::Column::UserId.eq(user_id))
        .filter(draft::Column::Id.is_not_in(newest))
        .exec(db)
        .await?;
    Ok(())
}

/// The text to put back into a member's form: one kept from an expired session (taken over
/// as their draft), else their saved draft.
pub async fn restore(
    db: &impl ConnectionTrait,
    user_id: i32,
    jar: &CookieJar,
    target: &str,
) -> Result<Option<Restored>, DbErr> {
    if let Some(key) = jar.get(COOKIE) {
        let kept = draft::Entity::find()
            .filter(draft::Column::KeptHash.eq(sha256_hex(key.value())))
            .filter(draft::Column::Target.eq(target))
            .filter(draft::Column::UpdatedAt.gt(Utc::now() - Duration::hours(KEPT_HOURS)))
            .one(db)
            .await?;
        if let Some(kept) = kept {
            // It becomes this member's draft (replacing an older one for the same form).
            discard(db, user_id, target).await?;
            let restored = Restored {
                title: kept.title.clone(),
                body: kept.body.clone(),
                after_sign_in: true,
            };
            let mut active = kept.into_active_model();
            active.user_id = Set(Some(user_id));
            active.kept_hash = Set(None);
            active.update(db).await?;
            return Ok(Some(restored));
        }
    }
    Ok(draft::Entity::find()
        .filter(draft::Column::UserId.eq(user_id))
        .filter(draft::Column::Target.eq(target))
        .one(db)
        .await?
        .map(|d| Restored {
            title: d.title,
            body: d.body,
            after_sign_in: false,
        }))
}

/// The text was posted (or thrown away): its draft goes.
pub async fn discard(db: &impl ConnectionTrait, user_id: i32, target: &str) -> Result<(), DbErr> {
    draft::Entity::delete_many()
        .filter(draft::Column::UserId.eq(user_id))
        .filter(draft::Column::Target.eq(target))
        .exec(db)
        .await?;
    Ok(())
}

/// Kept texts nobody signed in for, and drafts untouched for half a year.
pub async fn purge(db: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> Result<u64, DbErr> {
    let kept = draft::Entity::delete_many()
        .filter(draft::Column::UserId.is_null())
        .filter(draft::Column::UpdatedAt.lt(now - Duration::hours(KEPT_HOURS)))
        .exec(db)
        .await?;
    let old = draft::Entity::delete_many()
        .filter(draft::Column::UpdatedAt.lt(now - Duration::days(183)))
        .exec(db)
        .await?;
    Ok(kept.rows_affected + old.rows_affected)
}

/// What the page's script sends every 30 seconds while a reply or a new thread is written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AutosaveForm {
    /// `reply:{thread}` or `thread:{practice slug}`.
    pub target: String,
    pub title: String,
    pub body: String,
}

/// Keeps the text of a form being written (the script's autosave). Only for a form the
/// member may use: a reply in a thread they may post in, a new thread in a practice they
/// may post in. Answers 204, or 404 for anything else.
pub async fn autosave(
    axum::extract::State(state): axum::extract::State<AppState>,
    ctx: crate::context::Ctx,
    changes: Changes,
    crate::csrf::CsrfForm(form): crate::csrf::CsrfForm<AutosaveForm>,
) -> AppResult<Response> {
    changes.nothing_shown();
    use crate::error::AppError;
    let person = ctx.require_user()?;
    changes.personal(person.id);
    let scope = super::Scope::for_viewer(&state.db, Some(person)).await?;
    let target = if let Some(id) = form.target.strip_prefix("reply:") {
        let id: i32 = id.parse().map_err(|_| AppError::NotFound)?;
        let (thread, practice) = scope
            .thread_in_practice(&state.db, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !scope.standing(&practice).may_post || thread.locked {
            return Err(AppError::NotFound);
        }
        reply_target(thread.id)
    } else if let Some(slug) = form.target.strip_prefix("thread:") {
        let practice = scope.practice_by_slug(slug).ok_or(AppError::NotFound)?;
        if !scope.standing(practice).may_post {
            return Err(AppError::NotFound);
        }
        thread_target(&practice.slug)
    } else {
        return Err(AppError::NotFound);
    };
    if form.body.trim().is_empty() && form.title.trim().is_empty() {
        discard(&state.db, person.id, &target).await?;
    } else {
        save(&state.db, person.id, target, &form.title, &form.body).await?;
    }
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
