//! Coming to a meeting. A member registers and cancels with one button. A visitor of a
//! public meeting gives name, organisation and address, confirms from the mail (double
//! opt-in, as for subscriptions), and from then on manages the registration — sees, takes
//! along or erases their data, cancels — with the link in that mail, which is the only key.
//!
//! Answers to a visitor never tell whether an address was already registered.

use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};

use super::{
    mails, open_for_registration,
    pages::{self, Shown},
    places, views,
};
use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{
        meeting::{self, MeetingState},
        registration::{self, Status},
    },
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    forum::Scope,
    i18n::Lang,
    layout,
    mail::Letter,
    page_cache::Changes,
    throttle,
    tokens::{random_secret, sha256_hex},
    visibility::{Reader, shows_online_link},
};

/// How long the confirmation link in a visitor's mail works.
const CONFIRM_DAYS: i64 = 7;
const NAME_MAX: usize = 120;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisitorForm {
    pub name: String,
    pub organisation: String,
    pub email: String,
}

/// The part of a meeting's page about coming: the member's button and status, the
/// visitor's form, or why registering is closed.
pub fn join_section(
    ctx: &Ctx,
    meeting: &meeting::Model,
    shown: &Shown,
    open: bool,
    form: &VisitorForm,
    errors: &FieldErrors,
) -> Markup {
    let base = format!("/bijeenkomsten/{}", meeting.id);
    let started = meeting.starts_at <= Utc::now();
    html! {
        @if let Some(mine) = shown.mine.as_ref().filter(|r| r.status != Status::Cancelled) {
            p.status { strong { (ctx.t(&format!("meetings.status.{}", status_key(mine.status)))) } }
            @if mine.attended && meeting.kind == meeting::Kind::Training {
                p { a href={ (base) "/bewijs" } { (ctx.t("meetings.certificate_link")) } }
            }
            @if meeting.state == MeetingState::Planned && !started {
                form.inline method="post" action={ (base) "/afmelden" } {
                    (layout::csrf_field(ctx))
                    button.secondary type="submit" { (ctx.t("meetings.cancel_registration")) }
                }
            }
        } @else if !open {
            p { (ctx.t("meetings.closed")) }
        } @else if ctx.user.is_some() {
            @if meeting.capacity.is_some_and(|c| meeting.registered >= c) {
                p { (ctx.t("meetings.full_waiting_list")) }
            }
            form.inline method="post" action={ (base) "/aanmelden" } {
                (layout::csrf_field(ctx))
                button.primary type="submit" {
                    @if meeting.capacity.is_some_and(|c| meeting.registered >= c) {
                        (ctx.t("meetings.join_waiting_list"))
                    } @else {
                        (ctx.t("meetings.register"))
                    }
                }
            }
        } @else {
            @if meeting.capacity.is_some_and(|c| meeting.registered >= c) {
                p { (ctx.t("meetings.full_waiting_list")) }
            }
            p { (ctx.t("meetings.visitor_intro")) }
            (forms::form(ctx, &format!("{base}/aanmelden"), errors, &ctx.t("meetings.register"), html! {
                (forms::input(ctx, Field::new("name", &form.name).autocomplete("name").max_length(NAME_MAX), errors))
                (forms::input(ctx, Field::new("organisation", &form.organisation).autocomplete("organization").max_length(NAME_MAX).optional(), errors))
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email"), errors))
                p.hint { (ctx.t("meetings.consent")) " " a href="/privacy#bijeenkomsten" { (ctx.t("meetings.privacy_link")) } }
            }))
        }
    }
}

pub fn status_key(status: Status) -> &'static str {
    match status {
        Status::Pending => "pending",
        Status::Registered => "registered",
        Status::Waiting => "waiting",
        Status::Cancelled => "cancelled",
    }
}

/// `POST /bijeenkomsten/{id}/aanmelden`: a member's button, or a visitor's form.
pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    changes: Changes,
    CsrfForm(form): CsrfForm<VisitorForm>,
) -> AppResult<Response> {
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let Some(meeting) = super::visible(&state.db, scope.reader(), id).await? else {
        return Err(pages::hidden(&ctx));
    };
    if !open_for_registration(&meeting, Utc::now()) {
        return Err(AppError::Forbidden);
    }
    changes.meeting(meeting.practice_id);
    match &ctx.user {
        Some(person) => {
            register_member(&state, &meeting, person.id).await?;
            Ok(Redirect::to(&format!("/bijeenkomsten/{}", meeting.id)).into_response())
        }
        None => register_visitor(&state, &ctx, &scope, &meeting, form).await,
    }
}

async fn register_member(
    state: &AppState,
    meeting: &meeting::Model,
    user_id: i32,
) -> Result<places::Placed, DbErr> {
    let txn = state.db.begin().await?;
    places::hold(&txn, meeting.id).await?;
    let existing = super::registration_of(&txn, meeting.id, user_id).await?;
    let row = match existing {
        Some(r) => r,
        None => {
            let now = Utc::now();
            let inserted = registration::ActiveModel {
                meeting_id: Set(meeting.id),
                user_id: Set(Some(user_id)),
                status: Set(Status::Pending),
                name: Set(String::new()),
                organisation: Set(String::new()),
                email: Set(String::new()),
                lang: Set(String::new()),
                consent_text: Set(String::new()),
                consent_ip: Set(String::new()),
                attended: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(r) => r,
                // A double click: the first one registered.
                Err(err)
                    if matches!(
                        err.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
                {
                    txn.rollback().await?;
                    return Ok(places::Placed {
                        status: Status::Registered,
                        moved_up: Vec::new(),
                    });
                }
                Err(err) => return Err(err),
            }
        }
    };
    let placed = places::place(&txn, &row).await?;
    mails::moved_up(state, &txn, meeting, &placed.moved_up).await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(placed)
}

async fn register_visitor(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    meeting: &meeting::Model,
    form: VisitorForm,
) -> AppResult<Response> {
    // Only a public meeting takes visitors (the check above let a visitor see it, so it is).
    if !Reader::Visitor.may_see_meeting(
        meeting,
        meeting.practice_id.and_then(|id| scope.practice(id)),
    ) {
        return Err(AppError::NotFound);
    }
    let mut errors = FieldErrors::default();
    errors.text("name", &form.name, NAME_MAX);
    if form.organisation.trim().chars().count() > NAME_MAX {
        errors.add("organisation", "form.too_long");
    }
    errors.email("email", &form.email);
    if !errors.is_empty()
        || !throttle::REGISTER_ADDRESS
            .allow(&state.db, &ctx.client_ip)
            .await?
    {
        let too_many = errors.is_empty();
        let shown = pages::load(state, scope, ctx, meeting).await?;
        let mut page = pages::page(ctx, meeting, &shown, &form, &errors).into_response();
        *page.status_mut() = if too_many {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(page);
    }
    let email = forms::normalize_email(&form.email);
    let check_mail = layout::page(
        ctx,
        &ctx.t("subscriptions.check_mail_title"),
        html! {
            h1 { (ctx.t("subscriptions.check_mail_title")) }
            p.lead { (ctx.t("meetings.check_mail")) }
            p { a href={ "/bijeenkomsten/" (meeting.id) } { (meeting.title) } }
        },
    )
    .into_response();
    // Per address too: nobody's inbox is filled from many places. The answer stays the same.
    if !throttle::REGISTER_ADDRESS
        .allow(&state.db, &format!("to:{email}"))
        .await?
    {
        return Ok(check_mail);
    }
    let (name, organisation) = (
        super::one_line(&form.name),
        super::one_line(&form.organisation),
    );
    let now = Utc::now();
    let secret = random_secret();
    let txn = state.db.begin().await?;
    places::hold(&txn, meeting.id).await?;
    let existing = registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting.id))
        .filter(registration::Column::UserId.is_null())
        .filter(registration::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let consent = ctx.t("meetings.consent").into_owned();
    let letter = match existing {
        // Already coming (or waiting): the link to their registration, again.
        Some(r) if matches!(r.status, Status::Registered | Status::Waiting) => {
            let lang = Lang::parse(&r.lang).unwrap_or(ctx.lang);
            Letter::new(lang, &email, "meetings.mail_already_subject")
                .greet(&r.name)
                .text(
                    rust_i18n::t!(
                        "meetings.mail_already_body",
                        locale = lang.code(),
                        title = meeting.title.as_str()
                    )
                    .into_owned(),
                )
                .link("meetings.mail_manage", manage_url(state, &r))
        }
        existing => {
            let mut active = match existing {
                Some(r) => r.into_active_model(),
                None => registration::ActiveModel {
                    meeting_id: Set(meeting.id),
                    user_id: Set(None),
                    email: Set(email.clone()),
                    manage_token: Set(Some(random_secret())),
                    attended: Set(false),
                    created_at: Set(now),
                    ..Default::default()
                },
            };
            active.status = Set(Status::Pending);
            active.name = Set(name.clone());
            active.organisation = Set(organisation);
            active.lang = Set(ctx.lang.code().to_owned());
            active.confirm_token_hash = Set(Some(sha256_hex(&secret)));
            active.confirm_expires_at = Set(Some(now + Duration::days(CONFIRM_DAYS)));
            active.consent_text = Set(consent);
            active.consent_ip = Set(ctx.client_ip.chars().take(64).collect());
            active.updated_at = Set(now);
            active.save(&txn).await?;
            Letter::new(ctx.lang, &email, "meetings.mail_confirm_subject")
                .greet(&name)
                .text(
                    rust_i18n::t!(
                        "meetings.mail_confirm_body",
                        locale = ctx.lang.code(),
                        title = meeting.title.as_str(),
                        when = views::when_text(ctx.lang, meeting)
                    )
                    .into_owned(),
                )
                .para("meetings.mail_confirm_ignore")
                .link(
                    "meetings.mail_confirm_link",
                    state
                        .settings
                        .url(&format!("/bijeenkomsten/bevestigen/{secret}")),
                )
        }
    };
    txn.commit().await?;
    state.send_later(letter.footer("meetings.mail_footer_visitor", &[]).build());
    Ok(check_mail)
}

fn manage_url(state: &AppState, r: &registration::Model) -> String {
    state.settings.url(&format!(
        "/bijeenkomsten/inschrijving/{}",
        r.manage_token.as_deref().unwrap_or_default()
    ))
}

/// `POST /bijeenkomsten/{id}/afmelden`: a member cancels. Their own registration, even
/// for a meeting they may no longer see (nothing of it is shown).
pub async fn cancel_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    if let Some(mine) = super::registration_of(&state.db, id, person.id).await? {
        let meeting = cancel(&state, &mine, false).await?;
        changes.meeting(meeting.and_then(|m| m.practice_id));
    } else {
        changes.nothing_shown();
    }
    Ok(Redirect::to(&format!("/bijeenkomsten/{id}")).into_response())
}

/// A member leaves for good (their account is deleted), in the caller's transaction: their
/// places go to the waiting lists (those who move up are told), and their registrations
/// and organiser roles go. Meetings are held in order of id, so two leaving at once cannot
/// wait for each other.
pub async fn withdraw_member(
    state: &AppState,
    txn: &impl ConnectionTrait,
    user_id: i32,
) -> Result<(), DbErr> {
    let mine = registration::Entity::find()
        .filter(registration::Column::UserId.eq(user_id))
        .order_by_asc(registration::Column::MeetingId)
        .all(txn)
        .await?;
    for row in &mine {
        places::hold(txn, row.meeting_id).await?;
        let moved = places::cancel(txn, row).await?;
        if !moved.is_empty()
            && let Some(m) = meeting::Entity::find_by_id(row.meeting_id).one(txn).await?
        {
            mails::moved_up(state, txn, &m, &moved).await?;
        }
    }
    registration::Entity::delete_many()
        .filter(registration::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    crate::entities::meeting_organiser::Entity::delete_many()
        .filter(crate::entities::meeting_organiser::Column::UserId.eq(user_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Cancels a registration (and with `erase`, deletes it) in one transaction that holds
/// the meeting: the place goes to the waiting list and whoever moves up is told. Returns
/// the meeting.
async fn cancel(
    state: &AppState,
    registration: &registration::Model,
    erase: bool,
) -> Result<Option<meeting::Model>, DbErr> {
    let txn = state.db.begin().await?;
    places::hold(&txn, registration.meeting_id).await?;
    // Read again under the hold: what another request did meanwhile counts.
    let fresh = registration::Entity::find_by_id(registration.id)
        .one(&txn)
        .await?;
    let meeting = meeting::Entity::find_by_id(registration.meeting_id)
        .one(&txn)
        .await?;
    if let (Some(fresh), Some(m)) = (&fresh, &meeting) {
        let moved = places::cancel(&txn, fresh).await?;
        mails::moved_up(state, &txn, m, &moved).await?;
    }
    if erase {
        registration::Entity::delete_by_id(registration.id)
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(meeting)
}

async fn by_confirm_token(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<registration::Model>, DbErr> {
    if secret.len() != 64 {
        return Ok(None);
    }
    registration::Entity::find()
        .filter(registration::Column::ConfirmTokenHash.eq(sha256_hex(secret)))
        .filter(registration::Column::ConfirmExpiresAt.gt(Utc::now()))
        .filter(registration::Column::Status.eq(Status::Pending))
        .one(db)
        .await
}

pub async fn by_manage_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<registration::Model>, DbErr> {
    if token.len() != 64 {
        return Ok(None);
    }
    registration::Entity::find()
        .filter(registration::Column::ManageToken.eq(token))
        .filter(registration::Column::UserId.is_null())
        .one(db)
        .await
}

fn gone(ctx: &Ctx) -> Response {
    let page = layout::link_gone(
        ctx,
        "meetings.link_gone_title",
        "meetings.link_gone_text",
        ("/bijeenkomsten", "meetings.title"),
    );
    (StatusCode::GONE, page).into_response()
}

/// The link in the confirmation mail shows a button: link checkers must not register.
pub async fn show_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    if by_confirm_token(&state.db, &secret).await?.is_none() {
        return Ok(gone(&ctx));
    }
    Ok(layout::one_button(
        &ctx,
        "meetings.confirm_title",
        &format!("/bijeenkomsten/bevestigen/{secret}"),
        "meetings.confirm_button",
    )
    .into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let Some(row) = by_confirm_token(&state.db, &secret).await? else {
        return Ok(gone(&ctx));
    };
    let txn = state.db.begin().await?;
    places::hold(&txn, row.meeting_id).await?;
    // The link works once: claimed by one conditional update under the hold, so a second
    // press, or a cancellation in between, finds nothing to confirm.
    let claimed = registration::Entity::update_many()
        .col_expr(
            registration::Column::ConfirmTokenHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            registration::Column::ConfirmExpiresAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(registration::Column::Id.eq(row.id))
        .filter(registration::Column::Status.eq(Status::Pending))
        .filter(registration::Column::ConfirmTokenHash.eq(sha256_hex(&secret)))
        .exec(&txn)
        .await?;
    let fresh = registration::Entity::find_by_id(row.id).one(&txn).await?;
    let meeting = meeting::Entity::find_by_id(row.meeting_id)
        .one(&txn)
        .await?;
    let (Some(fresh), Some(meeting)) = (fresh.filter(|_| claimed.rows_affected == 1), meeting)
    else {
        txn.rollback().await?;
        return Ok(gone(&ctx));
    };
    // Still public and open now (not when the mail went): else no place is given.
    let practice = match meeting.practice_id {
        Some(id) => {
            crate::entities::practice::Entity::find_by_id(id)
                .one(&txn)
                .await?
        }
        None => None,
    };
    if Reader::Visitor.may_see_meeting(&meeting, practice.as_ref())
        && open_for_registration(&meeting, Utc::now())
    {
        let placed = places::place(&txn, &fresh).await?;
        mails::moved_up(&state, &txn, &meeting, &placed.moved_up).await?;
    } else {
        places::cancel(&txn, &fresh).await?;
    }
    txn.commit().await?;
    state.wake_mail.notify_one();
    changes.meeting(meeting.practice_id);
    let token = fresh.manage_token.clone().unwrap_or_default();
    Ok(Redirect::to(&format!("/bijeenkomsten/inschrijving/{token}")).into_response())
}

/// A visitor's own registration, from the link in their mail.
pub async fn show_manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(row) = by_manage_token(&state.db, &token).await? else {
        return Ok(gone(&ctx));
    };
    let meeting = public_meeting(&state, &row).await?;
    let title = ctx.t("meetings.manage_title");
    let base = format!("/bijeenkomsten/inschrijving/{token}");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            @match &meeting {
                Some(m) => {
                    h2 { a href={ "/bijeenkomsten/" (m.id) } { (m.title) } }
                    p { (views::when_text(ctx.lang, m)) }
                    @let place = views::where_text(ctx.lang, m);
                    @if !place.is_empty() { p { (place) } }
                    @if m.state == MeetingState::Cancelled {
                        div.notice.warning role="note" { p { (ctx.t("meetings.cancelled_notice")) } }
                    }
                    p.status { strong { (ctx.t(&format!("meetings.status.{}", status_key(row.status)))) } }
                    @if !m.online_link.trim().is_empty() && shows_online_link(Some(&row), false) && m.state == MeetingState::Planned {
                        p { (ctx.t("field.online_link")) ": " a href=(m.online_link) rel="noopener noreferrer" { (m.online_link) } }
                    }
                    @if row.status != Status::Cancelled {
                        p { a href={ (base) "/agenda.ics" } { (ctx.t("meetings.add_to_calendar")) } }
                    }
                    @if row.attended && m.kind == meeting::Kind::Training {
                        p { a href={ (base) "/bewijs" } { (ctx.t("meetings.certificate_link")) } }
                    }
                    @if matches!(row.status, Status::Registered | Status::Waiting | Status::Pending) && m.state == MeetingState::Planned && m.starts_at > Utc::now() {
                        form method="post" action={ (base) "/afmelden" } {
                            (layout::csrf_field(&ctx))
                            button.secondary type="submit" { (ctx.t("meetings.cancel_registration")) }
                        }
                    }
                }
                None => p { (ctx.t("meetings.no_longer_public")) },
            }
            h2 { (ctx.t("meetings.your_data")) }
            dl {
                dt { (ctx.t("field.name")) } dd { (row.name) }
                dt { (ctx.t("field.organisation")) } dd { (row.organisation) }
                dt { (ctx.t("field.email")) } dd { (row.email) }
                dt { (ctx.t("meetings.registered_at")) } dd { (ctx.lang.datetime(row.created_at)) }
                dt { (ctx.t("meetings.consent_given")) } dd { (row.consent_text) }
            }
            p { (ctx.t("meetings.data_kept")) }
            p { a href={ (base) "/gegevens.json" } { (ctx.t("meetings.download_data")) } }
            form method="post" action={ (base) "/wissen" } {
                (layout::csrf_field(&ctx))
                button.danger type="submit" { (ctx.t("meetings.erase")) }
            }
        },
    )
    .into_response())
}

/// The meeting of a visitor's registration, while it is public (a visitor sees nothing of
/// a meeting that became members-only, only their own data).
pub async fn public_meeting(
    state: &AppState,
    row: &registration::Model,
) -> Result<Option<meeting::Model>, DbErr> {
    super::visible(&state.db, Reader::Visitor, row.meeting_id).await
}

pub async fn cancel_visitor(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let Some(row) = by_manage_token(&state.db, &token).await? else {
        return Ok(gone(&ctx));
    };
    let meeting = cancel(&state, &row, false).await?;
    changes.meeting(meeting.and_then(|m| m.practice_id));
    Ok(Redirect::to(&format!("/bijeenkomsten/inschrijving/{token}")).into_response())
}

/// Everything kept about a visitor's registration, as shown and downloaded.
#[derive(Serialize)]
struct StoredRegistration {
    meeting: Option<String>,
    meeting_starts_at: Option<String>,
    name: String,
    organisation: String,
    email: String,
    status: &'static str,
    attended: bool,
    registered_at: String,
    consent_text: String,
    consent_ip: String,
}

pub async fn download_data(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(row) = by_manage_token(&state.db, &token).await? else {
        return Ok(gone(&ctx));
    };
    let meeting = public_meeting(&state, &row).await?;
    let data = StoredRegistration {
        meeting: meeting.as_ref().map(|m| m.title.clone()),
        meeting_starts_at: meeting.as_ref().map(|m| m.starts_at.to_rfc3339()),
        name: row.name,
        organisation: row.organisation,
        email: row.email,
        status: status_key(row.status),
        attended: row.attended,
        registered_at: row.created_at.to_rfc3339(),
        consent_text: row.consent_text,
        consent_ip: row.consent_ip,
    };
    let json = serde_json::to_string_pretty(&data).map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"erbij-aanmelding.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
        .into_response())
}

/// Erases a visitor's registration: the place goes to the waiting list first.
pub async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    changes: Changes,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let Some(row) = by_manage_token(&state.db, &token).await? else {
        return Ok(gone(&ctx));
    };
    let meeting = cancel(&state, &row, true).await?;
    changes.meeting(meeting.and_then(|m| m.practice_id));
    Ok(layout::page(
        &ctx,
        &ctx.t("meetings.erased_title"),
        html! {
            h1 { (ctx.t("meetings.erased_title")) }
            p.lead { (ctx.t("meetings.erased_text")) }
        },
    )
    .into_response())
}
