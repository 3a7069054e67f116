//! A subscriber's own data, from the manage link in every mail: see everything we keep
//! about them, take it with them as a JSON file, or erase it all. The manage token in the
//! path is the only key (subscribers have no account), as for changing choices.
//!
//! Erasing removes the subscriber, their practice choices and every mail still waiting for
//! them; mails already sent keep their row (the counts per period stay true) but lose the
//! address and the text. A last mail, sent directly and not through the outbox, confirms it.

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::Expr,
};
use serde::Serialize;

use super::{by_manage_token, chosen_practices, no_subscription};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{outbox_mail, practice, subscriber, subscriber_practice},
    error::AppResult,
    i18n::Lang,
    layout,
    mail::Letter,
};

/// Everything stored about one subscriber, as it is shown and downloaded.
#[derive(Debug, Serialize)]
pub struct StoredData {
    pub email: String,
    pub status: String,
    pub lang: String,
    pub frequency: String,
    pub all_practices: bool,
    /// The chosen practices' names (empty when following all of them).
    pub practices: Vec<String>,
    pub summaries: bool,
    pub consent: Consent,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    /// How often a mail to the address came back undeliverable.
    pub bounces: i32,
}

#[derive(Debug, Serialize)]
pub struct Consent {
    pub at: DateTime<Utc>,
    pub version: String,
    pub text: String,
    pub ip_address: String,
}

/// Reads what is stored about `s`: the row and the names of the chosen practices.
pub async fn stored_data(
    db: &impl ConnectionTrait,
    s: &subscriber::Model,
    lang: Lang,
) -> Result<StoredData, DbErr> {
    let ids = chosen_practices(db, s.id).await?;
    let practices = if ids.is_empty() {
        Vec::new()
    } else {
        practice::Entity::find()
            .filter(practice::Column::Id.is_in(ids))
            .order_by_asc(practice::Column::Position)
            .all(db)
            .await?
            .iter()
            .map(|p| p.name(lang).to_string())
            .collect()
    };
    Ok(StoredData {
        email: s.email.clone(),
        status: s.status.clone(),
        lang: s.lang.clone(),
        frequency: s.frequency.clone(),
        all_practices: s.all_practices,
        practices,
        summaries: s.summaries,
        consent: Consent {
            at: s.consent_at,
            version: s.consent_version.clone(),
            text: s.consent_text.clone(),
            ip_address: s.consent_ip.clone(),
        },
        created_at: s.created_at,
        confirmed_at: s.confirmed_at,
        unsubscribed_at: s.unsubscribed_at,
        bounces: s.bounces,
    })
}

/// The part of the manage page that leads here.
pub fn manage_section(ctx: &Ctx, s: &subscriber::Model) -> Markup {
    html! {
        section aria-labelledby="own-data" {
            h2 #own-data { (ctx.t("subscriber_data.title")) }
            p { (ctx.t("subscriber_data.teaser")) }
            p { a href={ "/volgen/beheer/" (s.manage_token) "/gegevens" } { (ctx.t("subscriber_data.show_link")) } }
            p { a href="/privacy" { (ctx.t("privacy.link")) } }
        }
    }
}

fn when(ctx: &Ctx, at: Option<DateTime<Utc>>) -> String {
    at.map(|at| ctx.lang.datetime(at))
        .unwrap_or_else(|| ctx.t("subscriber_data.never").into_owned())
}

fn yes_no(ctx: &Ctx, value: bool) -> std::borrow::Cow<'static, str> {
    ctx.t(if value {
        "subscriber_data.yes"
    } else {
        "subscriber_data.no"
    })
}

fn data_view(ctx: &Ctx, token: &str, data: &StoredData) -> Markup {
    let title = ctx.t("subscriber_data.title");
    let practices = if data.all_practices {
        ctx.t("subscriptions.all_practices").into_owned()
    } else {
        data.practices.join(", ")
    };
    let lang = Lang::parse(&data.lang).map(|l| l.t("lang.self").into_owned());
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/volgen/beheer/" (token) } { (ctx.t("subscriptions.manage_title")) } }
            h1 { (title) }
            p.lead { (ctx.t("subscriber_data.intro")) }
            dl.own-data {
                dt { (ctx.t("field.email")) } dd { (data.email) }
                dt { (ctx.t("subscriber_data.status")) } dd { (ctx.t(&format!("subscriber_data.status_{}", data.status))) }
                dt { (ctx.t("subscriptions.lang")) } dd { (lang.unwrap_or_else(|| data.lang.clone())) }
                dt { (ctx.t("subscriptions.frequency")) } dd { (ctx.t(&format!("subscriptions.{}", data.frequency))) }
                dt { (ctx.t("subscriptions.which")) } dd { (practices) }
                dt { (ctx.t("subscriptions.summaries")) } dd { (yes_no(ctx, data.summaries)) }
                dt { (ctx.t("subscriber_data.created")) } dd { (when(ctx, Some(data.created_at))) }
                dt { (ctx.t("subscriber_data.confirmed")) } dd { (when(ctx, data.confirmed_at)) }
                @if let Some(at) = data.unsubscribed_at {
                    dt { (ctx.t("subscriber_data.unsubscribed")) } dd { (ctx.lang.datetime(at)) }
                }
                dt { (ctx.t("subscriber_data.consent_at")) } dd { (ctx.lang.datetime(data.consent.at)) }
                dt { (ctx.t("subscriber_data.consent_version")) } dd { (ctx.t("subscriber_data.version")) " " (data.consent.version) }
                dt { (ctx.t("subscriber_data.consent_text")) } dd { (data.consent.text) }
                dt { (ctx.t("subscriber_data.consent_ip")) } dd { (data.consent.ip_address) }
                dt { (ctx.t("subscriber_data.bounces")) } dd { (data.bounces) }
            }
            p.hint { (ctx.t("subscriber_data.kept")) " " a href="/privacy" { (ctx.t("privacy.link")) } }
            h2 { (ctx.t("subscriber_data.download_title")) }
            p { a.button href={ "/volgen/beheer/" (token) "/download" } download="erbij-gegevens.json" { (ctx.t("subscriber_data.download")) } }
            h2 { (ctx.t("subscriber_data.erase_title")) }
            p { (ctx.t("subscriber_data.erase_intro")) }
            p { a.button href={ "/volgen/beheer/" (token) "/wissen" } { (ctx.t("subscriber_data.erase_button")) } }
        },
    )
}

pub async fn show_data(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let data = stored_data(&state.db, &s, ctx.lang).await?;
    Ok(data_view(&ctx, &s.manage_token, &data).into_response())
}

/// The same data as a JSON file.
pub async fn download_data(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let data = stored_data(&state.db, &s, ctx.lang).await?;
    let json = serde_json::to_string_pretty(&data).map_err(anyhow::Error::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"erbij-gegevens.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
        .into_response())
}

/// Asks before erasing: a link in a mail must never erase anything by being opened.
pub async fn show_erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let title = ctx.t("subscriber_data.erase_title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p { (ctx.t("field.email")) ": " strong { (s.email) } }
            p.lead { (ctx.t("subscriber_data.erase_what")) }
            p { (ctx.t("subscriber_data.erase_final")) }
            form method="post" action={ "/volgen/beheer/" (s.manage_token) "/wissen" } {
                (layout::csrf_field(&ctx))
                button.primary type="submit" { (ctx.t("subscriber_data.erase_confirm")) }
            }
            p { a href={ "/volgen/beheer/" (s.manage_token) } { (ctx.t("subscriber_data.erase_cancel")) } }
        },
    )
    .into_response())
}

pub async fn erase(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let txn = state.db.begin().await?;
    erase_subscriber(&txn, s.id).await?;
    audit::record(&txn, None, "subscriber_erased", &format!("#{}", s.id), "").await?;
    txn.commit().await?;

    let lang = Lang::parse(&s.lang).unwrap_or(ctx.lang);
    let letter = Letter::new(lang, &s.email, "subscriber_data.erased_subject")
        .para("subscriber_data.erased_body")
        .para("subscriber_data.erased_again");
    state.send_later(letter.build());

    let title = ctx.t("subscriber_data.erased_title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("subscriber_data.erased_text")) }
            p { a href="/" { (ctx.t("error.home_link")) } }
        },
    )
    .into_response())
}

/// Removes a subscriber and everything that names them: their practice choices, the mails
/// still waiting for them, and the address and text of the mails already sent to them.
pub async fn erase_subscriber(db: &impl ConnectionTrait, subscriber_id: i32) -> Result<(), DbErr> {
    let done = [outbox_mail::SENT, outbox_mail::BOUNCED];
    outbox_mail::Entity::delete_many()
        .filter(outbox_mail::Column::SubscriberId.eq(subscriber_id))
        .filter(outbox_mail::Column::Status.is_not_in(done))
        .exec(db)
        .await?;
    // The row stays for the counts per period; `recipient` must stay unique per period,
    // so it becomes a marker made of the row's own id.
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::Recipient,
            Expr::cust("'erased-' || CAST(id AS TEXT)"),
        )
        .col_expr(outbox_mail::Column::TextBody, Expr::value(""))
        .col_expr(outbox_mail::Column::HtmlBody, Expr::value(""))
        .col_expr(outbox_mail::Column::Headers, Expr::value(""))
        .col_expr(
            outbox_mail::Column::SubscriberId,
            Expr::value(Option::<i32>::None),
        )
        .filter(outbox_mail::Column::SubscriberId.eq(subscriber_id))
        .exec(db)
        .await?;
    subscriber_practice::Entity::delete_many()
        .filter(subscriber_practice::Column::SubscriberId.eq(subscriber_id))
        .exec(db)
        .await?;
    subscriber::Entity::delete_by_id(subscriber_id)
        .exec(db)
        .await?;
    Ok(())
}
