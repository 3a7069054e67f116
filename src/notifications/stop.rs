//! Stopping notification mail without signing in: every notification mail links, per kind it
//! tells of, to `/mail/uit/{token}/{kind}`, and names that address as its RFC 8058 one-click
//! `List-Unsubscribe` target. Opening the link shows one button (a link checker that follows
//! it changes nothing); the mail program's POST, or the button, stops that kind. And the
//! one-time notice for members whose mail was switched on by the new default.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{notification::MailKind, user},
    error::{AppError, AppResult},
    home::local_path,
    layout,
};

async fn person_and_kind(
    state: &AppState,
    token: &str,
    kind: &str,
) -> AppResult<Option<(user::Model, MailKind)>> {
    let Some(kind) = MailKind::from_slug(kind) else {
        return Ok(None);
    };
    if token.len() < 32 {
        return Ok(None);
    }
    let person = user::Entity::find()
        .filter(user::Column::MailToken.eq(token))
        .filter(user::Column::DeletedAt.is_null())
        .one(&state.db)
        .await?;
    Ok(person.map(|p| (p, kind)))
}

fn unknown_link(ctx: &Ctx) -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        layout::page(
            ctx,
            &ctx.t("notices.stop_unknown_title"),
            html! {
                h1 { (ctx.t("notices.stop_unknown_title")) }
                p.lead { (ctx.t("notices.stop_unknown_text")) }
                p { a href="/profiel/email" { (ctx.t("notices.footer_link")) } }
            },
        ),
    )
        .into_response()
}

pub async fn show_stop(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some((person, kind)) = person_and_kind(&state, &token, &kind).await? else {
        return Ok(unknown_link(&ctx));
    };
    let what = ctx.t(&format!("member_mail.kind_{}", kind.slug()));
    Ok(layout::page(
        &ctx,
        &ctx.t("notices.stop_title"),
        html! {
            h1 { (ctx.t("notices.stop_title")) }
            p { (ctx.t("field.email")) ": " strong { (person.email) } }
            p.lead { (ctx.t("notices.stop_question")) " " strong { (what) } }
            form method="post" action={ "/mail/uit/" (token) "/" (kind.slug()) } {
                button.primary type="submit" { (ctx.t("notices.stop_button")) }
            }
        },
    )
    .into_response())
}

/// Stops one kind. Repeating it is harmless; it needs no session (the token is the key).
pub async fn stop(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, kind)): Path<(String, String)>,
) -> AppResult<Response> {
    let Some((person, kind)) = person_and_kind(&state, &token, &kind).await? else {
        return Ok(unknown_link(&ctx));
    };
    let mut active = person.into_active_model();
    match kind {
        MailKind::Replies => active.mail_replies = Set(false),
        MailKind::Mentions => active.mail_mentions = Set(false),
        MailKind::Moderation => active.mail_moderation = Set(false),
        MailKind::Experts => active.mail_experts = Set(false),
        MailKind::Messages => active.mail_messages = Set(false),
    }
    active.mail_chosen = Set(true);
    active.mail_notice = Set(false);
    active.update(&state.db).await?;
    let what = ctx.t(&format!("member_mail.kind_{}", kind.slug()));
    // Messages are read under "Berichten", the rest under "Meldingen".
    let site = if kind == MailKind::Messages {
        "messages.stopped_site"
    } else {
        "notices.stopped_site"
    };
    Ok(stopped_page(&ctx, &what, site).into_response())
}

fn stopped_page(ctx: &Ctx, what: &str, site_key: &str) -> Markup {
    layout::page(
        ctx,
        &ctx.t("notices.stopped_title"),
        html! {
            h1 { (ctx.t("notices.stopped_title")) }
            p.lead { (ctx.t("notices.stopped_text")) " " strong { (what) } }
            p { (ctx.t(site_key)) }
            p { a href="/profiel/email" { (ctx.t("notices.stopped_back")) } }
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeForm {
    /// `keep` (fine as it is) or `off` (no notification mail).
    choice: String,
    next: String,
}

/// The answer to the one-time notice that notification mail is now on.
pub async fn answer_notice(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<NoticeForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let off = match form.choice.as_str() {
        "keep" => false,
        "off" => true,
        _ => return Err(AppError::BadRequest),
    };
    let mut active = person.into_active_model();
    if off {
        active.notify_email = Set(user::NOTIFY_OFF.into());
    }
    active.mail_chosen = Set(true);
    active.mail_notice = Set(false);
    active.update(&state.db).await?;
    let next = if off {
        "/profiel/email?opgeslagen=1".to_string()
    } else {
        local_path(&form.next)
    };
    Ok(Redirect::to(&next).into_response())
}

/// The notice itself, under the header on every page until answered.
pub fn notice(ctx: &Ctx) -> Markup {
    html! {
        div.notice.mail-notice role="region" aria-label=(ctx.t("notices.default_title")) {
            p { strong { (ctx.t("notices.default_title")) } " " (ctx.t("notices.default_text")) }
            form.inline method="post" action="/profiel/email/melding" {
                (layout::csrf_field(ctx))
                input type="hidden" name="next" value=(ctx.path);
                button.primary type="submit" name="choice" value="keep" { (ctx.t("notices.default_keep")) }
                " "
                button.secondary type="submit" name="choice" value="off" { (ctx.t("notices.default_off")) }
                " "
                a href="/profiel/email" { (ctx.t("notices.default_choose")) }
            }
        }
    }
}
