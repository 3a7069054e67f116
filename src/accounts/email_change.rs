//! Changing one's email address (a member who changes employer keeps their account).
//!
//! The member types the new address and their password. The new address gets a one-time
//! link (24 hours); the old one gets a notice ("not you? change your password"). The
//! change happens only when the link is followed. The page never tells whether an address
//! is taken: a taken one gets a mail saying so instead of a link, and nothing changes.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionTrait, sea_query::Expr, sea_query::OnConflict,
};
use serde::Deserialize;

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{audit_event, email_change, subscriber, user},
    error::AppResult,
    forms::{self, Field, FieldErrors},
    i18n::Lang,
    layout,
    mail::Letter,
    session, throttle,
    tokens::{self, Purpose},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeEmailForm {
    pub email: String,
    pub current_password: String,
}

fn view(ctx: &Ctx, form: &ChangeEmailForm, errors: &FieldErrors, problem: Option<&str>) -> Markup {
    let current = ctx.user.as_ref().map(|u| u.email.as_str()).unwrap_or("");
    layout::page(
        ctx,
        &ctx.t("email_change.title"),
        html! {
            p.breadcrumb { a href="/profiel" { (ctx.t("profile.title")) } }
            h1 { (ctx.t("email_change.title")) }
            p { (ctx.t("email_change.current")) " " strong { (current) } }
            p.lead { (ctx.t("email_change.intro")) }
            p { a href="/privacy" { (ctx.t("leave.privacy_link")) } }
            (forms::problem(ctx, problem))
            (forms::form(ctx, "/profiel/e-mailadres", errors, &ctx.t("email_change.submit"), html! {
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email").hint("email_change.email_hint"), errors))
                (forms::input(ctx, Field::new("current_password", "").kind("password").autocomplete("current-password"), errors))
            }))
        },
    )
}

/// `GET /profiel/e-mailadres`.
pub async fn show_change_email(ctx: Ctx) -> AppResult<Markup> {
    ctx.require_user()?;
    Ok(view(
        &ctx,
        &ChangeEmailForm::default(),
        &FieldErrors::default(),
        None,
    ))
}

/// `POST /profiel/e-mailadres`: checks, then mails the new and the old address.
pub async fn request_change_email(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ChangeEmailForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let mut errors = FieldErrors::default();
    errors.email("email", &form.email);
    let new_email = forms::normalize_email(&form.email);
    if errors.is_empty() && new_email == person.email {
        errors.add("email", "email_change.same");
    }
    if form.current_password.is_empty() {
        errors.add("current_password", "form.required");
    } else if !state
        .passwords
        .verify(form.current_password.clone(), person.password_hash.clone())
        .await?
    {
        errors.add("current_password", "profile.current_wrong");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(&ctx, &form, &errors, None)));
    }
    if !throttle::EMAIL_CHANGE_ACCOUNT
        .allow(&state.db, &format!("user:{}", person.id))
        .await?
    {
        let page = view(&ctx, &form, &errors, Some("throttle.too_many"));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let lang = Lang::parse(&person.lang).unwrap_or(ctx.lang);
    let taken = address_taken(&state.db, &new_email).await?;
    if taken {
        // Told to the owner of the new address only; the page says the same as always.
        state.send_later(
            Letter::new(lang, &new_email, "mail.email_change.taken_subject")
                .para("mail.email_change.taken_body")
                .para("mail.email_change.taken_ignore")
                .build(),
        );
    } else {
        let txn = state.db.begin().await?;
        tokens::revoke(&txn, Purpose::EmailChange, person.id).await?;
        let secret = tokens::issue(&txn, Purpose::EmailChange, Some(person.id)).await?;
        email_change::Entity::insert(email_change::ActiveModel {
            user_id: Set(person.id),
            new_email: Set(new_email.clone()),
            created_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(email_change::Column::UserId)
                .update_columns([
                    email_change::Column::NewEmail,
                    email_change::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        txn.commit().await?;
        state.send_later(
            Letter::new(lang, &new_email, "mail.email_change.confirm_subject")
                .greet(&person.name)
                .para("mail.email_change.confirm_body")
                .para("mail.email_change.confirm_ignore")
                .link(
                    "mail.email_change.confirm_link",
                    state
                        .settings
                        .url(&format!("/profiel/e-mailadres/bevestigen/{secret}")),
                )
                .build(),
        );
    }
    state.send_later(
        Letter::new(lang, &person.email, "mail.email_change.notice_subject")
            .greet(&person.name)
            .para("mail.email_change.notice_body")
            .para("mail.email_change.notice_not_you")
            .link(
                "mail.email_change.notice_link",
                state.settings.url("/wachtwoord-vergeten"),
            )
            .build(),
    );
    Ok(layout::page(
        &ctx,
        &ctx.t("email_change.sent_title"),
        html! {
            h1 { (ctx.t("email_change.sent_title")) }
            p.lead { (ctx.t("email_change.sent_text")) }
            p { a href="/profiel" { (ctx.t("profile.title")) } }
        },
    )
    .into_response())
}

/// Whether an account (or a deleted account's tombstone) has this address already.
async fn address_taken(db: &impl ConnectionTrait, email: &str) -> Result<bool, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .count(db)
        .await?
        > 0)
}

fn invalid_link(ctx: &Ctx) -> Response {
    let page = layout::page(
        ctx,
        &ctx.t("email_change.invalid_title"),
        html! {
            h1 { (ctx.t("email_change.invalid_title")) }
            p.lead { (ctx.t("email_change.invalid_text")) }
            p { a.button href="/profiel/e-mailadres" { (ctx.t("email_change.title")) } }
        },
    );
    (StatusCode::GONE, page).into_response()
}

/// `GET /profiel/e-mailadres/bevestigen/{token}`: a button, so that a mail program that
/// opens links to check them does not make the change.
pub async fn show_confirm_email(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> AppResult<Response> {
    let Some(token) = tokens::peek(&state.db, Purpose::EmailChange, &secret).await? else {
        return Ok(invalid_link(&ctx));
    };
    let pending = match token.user_id {
        Some(id) => email_change::Entity::find_by_id(id).one(&state.db).await?,
        None => None,
    };
    let Some(pending) = pending else {
        return Ok(invalid_link(&ctx));
    };
    Ok(layout::page(
        &ctx,
        &ctx.t("email_change.confirm_title"),
        html! {
            h1 { (ctx.t("email_change.confirm_title")) }
            p.lead { (ctx.t("email_change.confirm_intro")) " " strong { (pending.new_email) } }
            form.stacked method="post" action={ "/profiel/e-mailadres/bevestigen/" (secret) } {
                (layout::csrf_field(&ctx))
                button.primary type="submit" { (ctx.t("email_change.confirm_submit")) }
            }
        },
    )
    .into_response())
}

/// `POST /profiel/e-mailadres/bevestigen/{token}`: the change, and every session ends.
pub async fn confirm_email(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    device: session::Device,
    Path(secret): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let txn = state.db.begin().await?;
    let Some(token) = tokens::consume(&txn, Purpose::EmailChange, &secret).await? else {
        return Ok(invalid_link(&ctx));
    };
    let Some(user_id) = token.user_id else {
        return Ok(invalid_link(&ctx));
    };
    let pending = email_change::Entity::find_by_id(user_id).one(&txn).await?;
    let person = user::Entity::find_by_id(user_id)
        .filter(user::Column::DeletedAt.is_null())
        .one(&txn)
        .await?;
    let (Some(pending), Some(person)) = (pending, person) else {
        return Ok(invalid_link(&ctx));
    };
    // Taken since the link was sent: nothing changes.
    if address_taken(&txn, &pending.new_email).await? {
        email_change::Entity::delete_by_id(user_id)
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(invalid_link(&ctx));
    }
    change_address(&txn, &person, &pending.new_email).await?;
    email_change::Entity::delete_by_id(user_id)
        .exec(&txn)
        .await?;
    session::end_all_for(&txn, user_id).await?;
    audit::record(
        &txn,
        Some(user_id),
        "email_changed",
        &crate::accounts::leave::audit_name(user_id),
        "",
    )
    .await?;
    txn.commit().await?;
    tracing::info!(user_id, "email address changed");
    // The browser that confirmed stays signed in when it was this member's; every other is
    // signed out.
    if ctx.user.as_ref().is_some_and(|u| u.id == user_id) {
        return crate::accounts::sign_in_and_redirect(
            &state,
            jar,
            &device,
            user_id,
            "/profiel?e-mailadres=1",
        )
        .await;
    }
    Ok(layout::page(
        &ctx,
        &ctx.t("email_change.done_title"),
        html! {
            h1 { (ctx.t("email_change.done_title")) }
            p.lead { (ctx.t("email_change.done_text")) }
            p { a.button href="/inloggen" { (ctx.t("nav.sign_in")) } }
        },
    )
    .into_response())
}

/// The account's address, the member's own digest, and the audit entries that named the
/// old address (so that deleting the account later finds them under the current one).
async fn change_address(
    db: &impl ConnectionTrait,
    person: &user::Model,
    new_email: &str,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(new_email))
        .filter(user::Column::Id.eq(person.id))
        .exec(db)
        .await?;
    // A digest someone already took at the new address without an account is the same
    // mailbox's: the member's own digest takes its place.
    subscriber::Entity::delete_many()
        .filter(subscriber::Column::Email.eq(new_email))
        .filter(subscriber::Column::UserId.is_null())
        .exec(db)
        .await?;
    subscriber::Entity::update_many()
        .col_expr(subscriber::Column::Email, Expr::value(new_email))
        .filter(subscriber::Column::UserId.eq(person.id))
        .exec(db)
        .await?;
    let named = audit_event::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(audit_event::Column::Subject.contains(&person.email))
                .add(audit_event::Column::Detail.contains(&person.email)),
        )
        .all(db)
        .await?;
    for event in named {
        audit_event::Entity::update_many()
            .col_expr(
                audit_event::Column::Subject,
                Expr::value(event.subject.replace(&person.email, new_email)),
            )
            .col_expr(
                audit_event::Column::Detail,
                Expr::value(event.detail.replace(&person.email, new_email)),
            )
            .filter(audit_event::Column::Id.eq(event.id))
            .exec(db)
            .await?;
    }
    Ok(())
}
