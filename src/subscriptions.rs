//! Following without joining: subscribe with only an email address, confirm (double
//! opt-in), change preferences or stop from the link in every mail, and one-click
//! unsubscribe (RFC 8058) that works without cookies or sign-in.
//!
//! Answers never reveal whether an address was known: subscribing again looks the same and
//! sends a fresh confirmation.

use std::collections::BTreeSet;

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::{Duration, Utc};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{notification::MailKind, practice, subscriber, subscriber_practice},
    error::AppResult,
    forms::{self, Field, FieldErrors},
    i18n::Lang,
    layout,
    mail::Letter,
    practices, throttle,
    tokens::{random_secret, sha256_hex},
};

pub mod own_data;

/// How long a confirmation link works; unconfirmed addresses are forgotten after it.
pub const CONFIRM_DAYS: i64 = 7;

/// The version of the consent texts (`subscriptions.consent`, `member_mail.consent`) stored
/// with each consent. Change it whenever either text changes: the record then says which
/// words someone agreed to. `2026-11` was the first text, without the IP address.
pub const CONSENT_VERSION: &str = "2026-12";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreferencesForm {
    pub email: String,
    /// `all` or `chosen`.
    pub scope: String,
    pub practice: Vec<i32>,
    pub summaries: Option<String>,
    pub frequency: String,
    pub lang: String,
}

impl PreferencesForm {
    pub fn defaults(lang: Lang) -> Self {
        PreferencesForm {
            scope: "all".into(),
            summaries: Some("1".into()),
            frequency: subscriber::WEEKLY.into(),
            lang: lang.code().into(),
            ..Default::default()
        }
    }

    fn of(s: &subscriber::Model, practice_ids: Vec<i32>) -> Self {
        PreferencesForm {
            email: s.email.clone(),
            scope: if s.all_practices {
                "all".into()
            } else if practice_ids.is_empty() {
                "none".into()
            } else {
                "chosen".into()
            },
            practice: practice_ids,
            summaries: s.summaries.then(|| "1".into()),
            frequency: s.frequency.clone(),
            lang: s.lang.clone(),
        }
    }

    /// Writes the choices onto a subscriber (the practices themselves go in their own table).
    fn apply(&self, active: &mut subscriber::ActiveModel, lang: Lang, chosen: &[i32]) {
        active.lang = Set(lang.code().into());
        active.frequency = Set(self.frequency.clone());
        active.all_practices =
            Set(self.scope == "all" || (self.scope != "none" && chosen.is_empty()));
        active.summaries = Set(self.summaries.is_some());
    }

    /// Checks the choices, in the form's order; returns the chosen practices (empty: all, or
    /// none with `scope` "none": only summaries).
    fn validate(&self, errors: &mut FieldErrors, known: &BTreeSet<i32>) -> Vec<i32> {
        let chosen: Vec<i32> = self
            .practice
            .iter()
            .copied()
            .filter(|id| known.contains(id))
            .collect();
        let chosen = match self.scope.as_str() {
            // Ticked practices under "all" are not silently dropped: the person says which.
            "all" if !chosen.is_empty() => {
                errors.add("practice", "subscriptions.all_and_chosen");
                chosen
            }
            "all" => Vec::new(),
            "chosen" if !chosen.is_empty() => chosen,
            "chosen" => {
                errors.add("practice", "subscriptions.choose_practice");
                Vec::new()
            }
            "none" if self.summaries.is_none() => {
                errors.add("practice", "subscriptions.nothing_chosen");
                Vec::new()
            }
            "none" => Vec::new(),
            _ => {
                errors.add("practice", "form.choose");
                Vec::new()
            }
        };
        if !matches!(
            self.frequency.as_str(),
            subscriber::WEEKLY | subscriber::MONTHLY
        ) {
            errors.add("frequency", "form.choose");
        }
        if Lang::parse(&self.lang).is_none() {
            errors.add("lang", "form.choose");
        }
        chosen
    }
}

fn choices(
    ctx: &Ctx,
    form: &PreferencesForm,
    errors: &FieldErrors,
    all: &[practice::Model],
) -> Markup {
    html! {
        (practice_choices(ctx, form, errors, all))
        fieldset.field #frequency {
            legend { (ctx.t("subscriptions.frequency")) }
            @for value in [subscriber::WEEKLY, subscriber::MONTHLY] {
                div.check {
                    input type="radio" name="frequency" value=(value) id={ "f-" (value) } checked[form.frequency == value];
                    label for={ "f-" (value) } { (ctx.t(&format!("subscriptions.{value}"))) }
                }
            }
        }
        fieldset.field #lang {
            legend { (ctx.t("subscriptions.lang")) }
            @for lang in Lang::ALL {
                div.check {
                    input type="radio" name="lang" value=(lang.code()) id={ "l-" (lang.code()) } checked[form.lang == lang.code()];
                    label for={ "l-" (lang.code()) } lang=(lang.code()) { (lang.t("lang.self")) }
                }
            }
        }
    }
}

/// Which practices, and whether the expert group's summaries too.
fn practice_choices(
    ctx: &Ctx,
    form: &PreferencesForm,
    errors: &FieldErrors,
    all: &[practice::Model],
) -> Markup {
    html! {
        fieldset.field.has-error[errors.get("practice").is_some()] #practice {
            legend { (ctx.t("subscriptions.which")) }
            @if let Some(key) = errors.get("practice") { p.field-error { (ctx.t(key)) } }
            div.check {
                input type="radio" name="scope" value="all" id="scope-all" checked[form.scope != "chosen"];
                label for="scope-all" { (ctx.t("subscriptions.all_practices")) }
            }
            div.check {
                input type="radio" name="scope" value="chosen" id="scope-chosen" checked[form.scope == "chosen"];
                label for="scope-chosen" { (ctx.t("subscriptions.only_these")) }
            }
            div.indent {
                @for p in all {
                    div.check {
                        input type="checkbox" name="practice" value=(p.id) id={ "p-" (p.id) } data-slug=(p.slug) checked[form.practice.contains(&p.id)];
                        label for={ "p-" (p.id) } { (p.name(ctx.lang)) }
                    }
                }
            }
            div.check {
                input type="radio" name="scope" value="none" id="scope-none" checked[form.scope == "none"];
                label for="scope-none" { (ctx.t("subscriptions.no_practices")) }
            }
        }
        div.check.field {
            input type="checkbox" name="summaries" value="1" id="summaries" checked[form.summaries.is_some()];
            label for="summaries" { (ctx.t("subscriptions.summaries")) }
        }
    }
}

fn subscribe_view(
    ctx: &Ctx,
    form: &PreferencesForm,
    errors: &FieldErrors,
    all: &[practice::Model],
    problem: Option<&str>,
) -> Markup {
    let title = ctx.t("subscriptions.title");
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("subscriptions.intro")) }
            (forms::problem(ctx, problem))
            (forms::form(ctx, "/volgen", errors, &ctx.t("subscriptions.submit"), html! {
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email"), errors))
                (choices(ctx, form, errors, all))
                p.consent { (ctx.t("subscriptions.consent")) " " a href="/privacy" { (ctx.t("privacy.link")) } }
            }))
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowQuery {
    /// A practice's slug: "volg deze praktijk per mail" on its page ticks it.
    praktijk: String,
}

pub async fn show_subscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(query): axum::extract::Query<FollowQuery>,
) -> AppResult<Markup> {
    let all = practices::active_practices(&state.db).await?;
    let mut form = PreferencesForm::defaults(ctx.lang);
    if let Some(p) = all.iter().find(|p| p.slug == query.praktijk) {
        form.scope = "chosen".into();
        form.practice = vec![p.id];
    }
    Ok(subscribe_view(
        &ctx,
        &form,
        &FieldErrors::default(),
        &all,
        None,
    ))
}

/// The practices a subscriber picked (meaningful when not following all of them).
pub async fn chosen_practices(
    db: &impl ConnectionTrait,
    subscriber_id: i32,
) -> Result<Vec<i32>, DbErr> {
    Ok(subscriber_practice::Entity::find()
        .filter(subscriber_practice::Column::SubscriberId.eq(subscriber_id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.practice_id)
        .collect())
}

async fn set_practices(
    db: &impl ConnectionTrait,
    subscriber_id: i32,
    ids: &[i32],
) -> Result<(), DbErr> {
    subscriber_practice::Entity::delete_many()
        .filter(subscriber_practice::Column::SubscriberId.eq(subscriber_id))
        .exec(db)
        .await?;
    if !ids.is_empty() {
        subscriber_practice::Entity::insert_many(ids.iter().map(|&practice_id| {
            subscriber_practice::ActiveModel {
                subscriber_id: Set(subscriber_id),
                practice_id: Set(practice_id),
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// The headers and footer every mail to a subscriber carries; `why` says why it came (a
/// digest: they follow Erbij; the confirmation: someone gave this address).
pub fn with_manage_links(
    letter: Letter,
    state: &AppState,
    manage_token: &str,
    why: &str,
) -> Letter {
    let unsubscribe = state
        .settings
        .url(&format!("/volgen/uitschrijven/{manage_token}"));
    let host = state.settings.host();
    letter
        .header("List-Unsubscribe", format!("<{unsubscribe}>"))
        .header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into())
        .header("List-Id", format!("Erbij <volgen.{host}>"))
        .footer(
            why,
            &[
                (
                    "subscriptions.mail_footer_manage",
                    state
                        .settings
                        .url(&format!("/volgen/beheer/{manage_token}")),
                ),
                ("subscriptions.mail_footer_stop", unsubscribe),
            ],
        )
}

pub async fn subscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PreferencesForm>,
) -> AppResult<Response> {
    let all = practices::active_practices(&state.db).await?;
    let known: BTreeSet<i32> = all.iter().map(|p| p.id).collect();
    let mut errors = FieldErrors::default();
    errors.email("email", &form.email);
    let chosen = form.validate(&mut errors, &known);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(subscribe_view(
            &ctx, &form, &errors, &all, None,
        )));
    }
    if !throttle::SUBSCRIBE_ADDRESS
        .allow(&state.db, &ctx.client_ip)
        .await?
    {
        let page = subscribe_view(&ctx, &form, &errors, &all, Some("throttle.too_many"));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }

    let email = forms::normalize_email(&form.email);
    let lang = Lang::parse(&form.lang).unwrap_or(ctx.lang);
    let secret = random_secret();
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let existing = subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq(&email))
        .one(&txn)
        .await?;
    let consent = lang.t("subscriptions.consent").into_owned();
    let target = match existing {
        // A bounced address gets nothing more; the answer stays the same.
        Some(s) if s.status == subscriber::SUSPENDED => None,
        Some(s) => {
            let keeps_choices = s.status == subscriber::ACTIVE;
            let mut active = s.clone().into_active_model();
            active.confirm_token_hash = Set(Some(sha256_hex(&secret)));
            active.confirm_expires_at = Set(Some(now + Duration::days(CONFIRM_DAYS)));
            if !keeps_choices {
                form.apply(&mut active, lang, &chosen);
                active.consent_text = Set(consent.clone());
                active.consent_version = Set(CONSENT_VERSION.into());
                active.consent_ip = Set(ctx.client_ip.clone());
                active.consent_at = Set(now);
            }
            let s = active.update(&txn).await?;
            if !keeps_choices {
                set_practices(&txn, s.id, &chosen).await?;
            }
            Some(s)
        }
        None => {
            let mut active = subscriber::ActiveModel {
                email: Set(email.clone()),
                status: Set(subscriber::PENDING.into()),
                manage_token: Set(random_secret()),
                confirm_token_hash: Set(Some(sha256_hex(&secret))),
                confirm_expires_at: Set(Some(now + Duration::days(CONFIRM_DAYS))),
                consent_text: Set(consent),
                consent_version: Set(CONSENT_VERSION.into()),
                consent_ip: Set(ctx.client_ip.clone()),
                consent_at: Set(now),
                bounces: Set(0),
                created_at: Set(now),
                ..Default::default()
            };
            // The choices are written by the one function that writes them.
            form.apply(&mut active, lang, &chosen);
            let s = active.insert(&txn).await?;
            set_practices(&txn, s.id, &chosen).await?;
            Some(s)
        }
    };
    txn.commit().await?;
    if let Some(s) = target {
        let lang = Lang::parse(&s.lang).unwrap_or(lang);
        let letter = Letter::new(lang, &s.email, "subscriptions.confirm_subject")
            .para("subscriptions.confirm_body")
            .para("subscriptions.confirm_ignore")
            .link(
                "subscriptions.confirm_link",
                state.settings.url(&format!("/volgen/bevestigen/{secret}")),
            );
        state.send_later(
            with_manage_links(
                letter,
                &state,
                &s.manage_token,
                "subscriptions.confirm_footer",
            )
            .build(),
        );
    }
    Ok(layout::page(
        &ctx,
        &ctx.t("subscriptions.check_mail_title"),
        html! {
            h1 { (ctx.t("subscriptions.check_mail_title")) }
            p.lead { (ctx.t("subscriptions.check_mail_text")) }
        },
    )
    .into_response())
}

async fn by_confirm_token(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<subscriber::Model>, DbErr> {
    if secret.len() != 64 {
        return Ok(None);
    }
    subscriber::Entity::find()
        .filter(subscriber::Column::ConfirmTokenHash.eq(sha256_hex(secret)))
        .filter(subscriber::Column::ConfirmExpiresAt.gt(Utc::now()))
        .one(db)
        .await
}

async fn by_manage_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<subscriber::Model>, DbErr> {
    if token.len() != 64 {
        return Ok(None);
    }
    subscriber::Entity::find()
        .filter(subscriber::Column::ManageToken.eq(token))
        .one(db)
        .await
}

/// What an old manage or unsubscribe link shows once the subscription is gone (erased by
/// its owner, or forgotten by the retention job).
fn no_subscription(ctx: &Ctx) -> Response {
    let page = layout::link_gone(
        ctx,
        "subscriptions.invalid_title",
        "subscriptions.none_text",
        ("/volgen", "subscriptions.title"),
    );
    (StatusCode::GONE, page).into_response()
}

fn gone(ctx: &Ctx) -> Response {
    let page = layout::link_gone(
        ctx,
        "subscriptions.invalid_title",
        "subscriptions.invalid_text",
        ("/volgen", "subscriptions.title"),
    );
    (StatusCode::GONE, page).into_response()
}

/// The link in the confirmation mail shows a button: link checkers that open every link in
/// a mail must not subscribe anyone.
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
        "subscriptions.confirm_title",
        &format!("/volgen/bevestigen/{secret}"),
        "subscriptions.confirm_button",
    )
    .into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let Some(s) = by_confirm_token(&state.db, &secret).await? else {
        return Ok(gone(&ctx));
    };
    let token = s.manage_token.clone();
    let mut active = s.into_active_model();
    active.status = Set(subscriber::ACTIVE.into());
    active.confirmed_at = Set(Some(Utc::now()));
    active.unsubscribed_at = Set(None);
    active.confirm_token_hash = Set(None);
    active.confirm_expires_at = Set(None);
    active.update(&state.db).await?;
    Ok(layout::page(
        &ctx,
        &ctx.t("subscriptions.confirmed_title"),
        html! {
            h1 { (ctx.t("subscriptions.confirmed_title")) }
            p.lead { (ctx.t("subscriptions.confirmed_text")) }
            p { a href={ "/volgen/beheer/" (token) } { (ctx.t("subscriptions.manage_link")) } }
        },
    )
    .into_response())
}

fn manage_view(
    ctx: &Ctx,
    s: &subscriber::Model,
    form: &PreferencesForm,
    errors: &FieldErrors,
    all: &[practice::Model],
    saved: bool,
) -> Markup {
    let title = ctx.t("subscriptions.manage_title");
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            @if saved { (layout::notice(&ctx.t("subscriptions.saved"))) }
            p { (ctx.t("field.email")) ": " strong { (s.email) } }
            @if s.status == subscriber::STOPPED {
                (layout::notice(&ctx.t("subscriptions.stopped_notice")))
            }
            (forms::form(ctx, &format!("/volgen/beheer/{}", s.manage_token), errors, &ctx.t("subscriptions.save"), html! {
                (choices(ctx, form, errors, all))
            }))
            @if s.status != subscriber::STOPPED {
                h2 { (ctx.t("subscriptions.stop_title")) }
                form method="post" action={ "/volgen/uitschrijven/" (s.manage_token) } {
                    button.secondary type="submit" { (ctx.t("subscriptions.stop_button")) }
                }
            }
            (own_data::manage_section(ctx, s))
        },
    )
}

pub async fn show_manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let all = practices::active_practices(&state.db).await?;
    let ids = chosen_practices(&state.db, s.id).await?;
    Ok(manage_view(
        &ctx,
        &s,
        &PreferencesForm::of(&s, ids),
        &FieldErrors::default(),
        &all,
        false,
    )
    .into_response())
}

pub async fn update_manage(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<PreferencesForm>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    let all = practices::active_practices(&state.db).await?;
    let known: BTreeSet<i32> = all.iter().map(|p| p.id).collect();
    let mut errors = FieldErrors::default();
    let chosen = form.validate(&mut errors, &known);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(manage_view(
            &ctx, &s, &form, &errors, &all, false,
        )));
    }
    let txn = state.db.begin().await?;
    let mut active = s.into_active_model();
    form.apply(
        &mut active,
        Lang::parse(&form.lang).unwrap_or(ctx.lang),
        &chosen,
    );
    let s = active.update(&txn).await?;
    set_practices(&txn, s.id, &chosen).await?;
    txn.commit().await?;
    let ids = chosen;
    Ok(manage_view(
        &ctx,
        &s,
        &PreferencesForm::of(&s, ids),
        &FieldErrors::default(),
        &all,
        true,
    )
    .into_response())
}

/// GET on the unsubscribe link: a button, never an action.
pub async fn show_unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    Ok(layout::page(
        &ctx,
        &ctx.t("subscriptions.stop_title"),
        html! {
            h1 { (ctx.t("subscriptions.stop_title")) }
            p { (ctx.t("field.email")) ": " strong { (s.email) } }
            form method="post" action={ "/volgen/uitschrijven/" (s.manage_token) } {
                button.primary type="submit" { (ctx.t("subscriptions.stop_button")) }
            }
        },
    )
    .into_response())
}

/// Stops a subscription. This is also the RFC 8058 one-click target: mail providers POST
/// `List-Unsubscribe=One-Click` without cookies, so the token in the path is all it needs.
/// Repeating it is harmless.
pub async fn unsubscribe(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let Some(s) = by_manage_token(&state.db, &token).await? else {
        return Ok(no_subscription(&ctx));
    };
    if s.status != subscriber::STOPPED && s.status != subscriber::SUSPENDED {
        let mut active = s.clone().into_active_model();
        active.status = Set(subscriber::STOPPED.into());
        active.unsubscribed_at = Set(Some(Utc::now()));
        active.update(&state.db).await?;
    }
    Ok(layout::page(
        &ctx,
        &ctx.t("subscriptions.stopped_title"),
        html! {
            h1 { (ctx.t("subscriptions.stopped_title")) }
            p.lead { (ctx.t("subscriptions.stopped_text")) }
            p { a href={ "/volgen/beheer/" (s.manage_token) } { (ctx.t("subscriptions.manage_link")) } }
        },
    )
    .into_response())
}

/// A member's mail choices on their profile: the digest (the same one subscribers get, but
/// read with the member's eyes) and notifications by email.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberMailForm {
    /// `off`, `weekly` or `monthly`.
    pub digest: String,
    pub scope: String,
    pub practice: Vec<i32>,
    pub summaries: Option<String>,
    /// `off`, `immediate` or `daily`.
    pub notify: String,
    /// The kinds of notification wanted by mail (`MailKind::slug`s).
    pub kind: Vec<String>,
}

impl MemberMailForm {
    fn preferences(&self, lang: &str) -> PreferencesForm {
        PreferencesForm {
            email: String::new(),
            scope: self.scope.clone(),
            practice: self.practice.clone(),
            summaries: self.summaries.clone(),
            frequency: self.digest.clone(),
            lang: lang.into(),
        }
    }
}

const DIGEST_CHOICES: [&str; 3] = ["off", subscriber::WEEKLY, subscriber::MONTHLY];
const NOTIFY_CHOICES: [&str; 3] = [
    crate::entities::user::NOTIFY_OFF,
    crate::entities::user::NOTIFY_IMMEDIATE,
    crate::entities::user::NOTIFY_DAILY,
];

/// A member's own digest: started or changed (`Some`: the choices and the practices
/// chosen), or stopped (`None`). Their consent is the profile's (or the welcome page's)
/// form, so it needs no confirmation mail.
pub async fn save_member_digest(
    db: &impl ConnectionTrait,
    person: &crate::entities::user::Model,
    client_ip: &str,
    digest: Option<(&PreferencesForm, &[i32])>,
    lang: Lang,
) -> Result<(), DbErr> {
    let now = Utc::now();
    match (member_subscription(db, person).await?, digest) {
        (Some(s), Some((prefs, chosen))) => {
            let mut active = s.into_active_model();
            prefs.apply(&mut active, lang, chosen);
            active.user_id = Set(Some(person.id));
            active.email = Set(person.email.clone());
            active.status = Set(subscriber::ACTIVE.into());
            active.bounces = Set(0);
            active.confirm_token_hash = Set(None);
            active.confirm_expires_at = Set(None);
            active.confirmed_at = Set(Some(now));
            active.consent_text = Set(lang.t("member_mail.consent").into_owned());
            active.consent_version = Set(CONSENT_VERSION.into());
            active.unsubscribed_at = Set(None);
            active.consent_ip = Set(client_ip.to_string());
            active.consent_at = Set(now);
            let s = active.update(db).await?;
            set_practices(db, s.id, chosen).await?;
        }
        (Some(s), None) => {
            let mut active = s.clone().into_active_model();
            active.user_id = Set(Some(person.id));
            if s.status != subscriber::SUSPENDED && s.status != subscriber::STOPPED {
                active.status = Set(subscriber::STOPPED.into());
                active.unsubscribed_at = Set(Some(now));
            }
            active.update(db).await?;
        }
        (None, Some((prefs, chosen))) => {
            let mut active = subscriber::ActiveModel {
                email: Set(person.email.clone()),
                status: Set(subscriber::ACTIVE.into()),
                manage_token: Set(random_secret()),
                consent_text: Set(lang.t("member_mail.consent").into_owned()),
                consent_version: Set(CONSENT_VERSION.into()),
                consent_ip: Set(client_ip.to_string()),
                consent_at: Set(now),
                confirmed_at: Set(Some(now)),
                bounces: Set(0),
                created_at: Set(now),
                user_id: Set(Some(person.id)),
                ..Default::default()
            };
            prefs.apply(&mut active, lang, chosen);
            let s = active.insert(db).await?;
            set_practices(db, s.id, chosen).await?;
        }
        (None, None) => {}
    }
    Ok(())
}

/// The kinds of notification this person gets by mail, as the form's values.
fn wanted_kinds(person: &crate::entities::user::Model) -> Vec<String> {
    MailKind::ALL
        .into_iter()
        .filter(|k| k.wanted_by(person))
        .map(|k| k.slug().to_string())
        .collect()
}

/// The member's own subscription: tied to the account, or (from before they joined) one
/// with the same address.
async fn member_subscription(
    db: &impl ConnectionTrait,
    person: &crate::entities::user::Model,
) -> Result<Option<subscriber::Model>, DbErr> {
    if let Some(s) = subscriber::Entity::find()
        .filter(subscriber::Column::UserId.eq(person.id))
        .one(db)
        .await?
    {
        return Ok(Some(s));
    }
    subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq(&person.email))
        .filter(subscriber::Column::UserId.is_null())
        .one(db)
        .await
}

fn member_view(
    ctx: &Ctx,
    person: &crate::entities::user::Model,
    form: &MemberMailForm,
    errors: &FieldErrors,
    all: &[practice::Model],
    saved: bool,
) -> Markup {
    let title = ctx.t("member_mail.title");
    let prefs = form.preferences(&person.lang);
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/profiel" { (ctx.t("profile.title")) } }
            h1 { (title) }
            @if saved { (layout::notice(&ctx.t("member_mail.saved"))) }
            p { (ctx.t("member_mail.address")) " " strong { (person.email) } }
            (forms::form(ctx, "/profiel/email", errors, &ctx.t("member_mail.save"), html! {
                fieldset.field.has-error[errors.get("digest").is_some()] #digest {
                    legend { (ctx.t("member_mail.digest")) }
                    p.hint { (ctx.t("member_mail.digest_hint")) }
                    @if let Some(key) = errors.get("digest") { p.field-error { (ctx.t(key)) } }
                    @for value in DIGEST_CHOICES {
                        div.check {
                            input type="radio" name="digest" value=(value) id={ "d-" (value) } checked[form.digest == value];
                            label for={ "d-" (value) } { (ctx.t(&format!("member_mail.digest_{value}"))) }
                        }
                    }
                }
                (practice_choices(ctx, &prefs, errors, all))
                fieldset.field.has-error[errors.get("notify").is_some()] #notify {
                    legend { (ctx.t("member_mail.notify")) }
                    p.hint { (ctx.t("member_mail.notify_hint")) }
                    @if let Some(key) = errors.get("notify") { p.field-error { (ctx.t(key)) } }
                    @for value in NOTIFY_CHOICES {
                        div.check {
                            input type="radio" name="notify" value=(value) id={ "n-" (value) } checked[form.notify == value];
                            label for={ "n-" (value) } { (ctx.t(&format!("member_mail.notify_{value}"))) }
                        }
                    }
                }
                fieldset.field #kind {
                    legend { (ctx.t("member_mail.kinds")) }
                    p.hint { (ctx.t("member_mail.kinds_hint")) }
                    @for kind in MailKind::ALL {
                        @if kind != MailKind::Experts || ctx.reader().in_expert_group() {
                            div.check {
                                input type="checkbox" name="kind" value=(kind.slug()) id={ "k-" (kind.slug()) } checked[form.kind.iter().any(|k| k == kind.slug())];
                                label for={ "k-" (kind.slug()) } { (ctx.t(&format!("member_mail.kind_{}", kind.slug()))) }
                            }
                        }
                    }
                }
            }))
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedFlag {
    opgeslagen: Option<String>,
}

pub async fn show_member(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Query(flag): axum::extract::Query<SavedFlag>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let all = practices::active_practices(&state.db).await?;
    let form = match member_subscription(&state.db, person).await? {
        Some(s) => {
            let ids = chosen_practices(&state.db, s.id).await?;
            let prefs = PreferencesForm::of(&s, ids);
            MemberMailForm {
                digest: if s.status == subscriber::ACTIVE {
                    s.frequency.clone()
                } else {
                    "off".into()
                },
                scope: prefs.scope,
                practice: prefs.practice,
                summaries: prefs.summaries,
                notify: person.notify_email.clone(),
                kind: wanted_kinds(person),
            }
        }
        None => MemberMailForm {
            digest: "off".into(),
            scope: "all".into(),
            summaries: Some("1".into()),
            notify: person.notify_email.clone(),
            kind: wanted_kinds(person),
            ..Default::default()
        },
    };
    Ok(member_view(
        &ctx,
        person,
        &form,
        &FieldErrors::default(),
        &all,
        flag.opgeslagen.is_some(),
    )
    .into_response())
}

pub async fn update_member(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<MemberMailForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let all = practices::active_practices(&state.db).await?;
    let known: BTreeSet<i32> = all.iter().map(|p| p.id).collect();
    let mut errors = FieldErrors::default();
    if !DIGEST_CHOICES.contains(&form.digest.as_str()) {
        errors.add("digest", "form.choose");
    }
    if !NOTIFY_CHOICES.contains(&form.notify.as_str()) {
        errors.add("notify", "form.choose");
    }
    let wants_digest = form.digest != "off";
    let prefs = form.preferences(&person.lang);
    let chosen = if wants_digest {
        let mut digest_errors = FieldErrors::default();
        let chosen = prefs.validate(&mut digest_errors, &known);
        if let Some(key) = digest_errors.get("practice") {
            errors.add("practice", key);
        }
        chosen
    } else {
        Vec::new()
    };
    if !errors.is_empty() {
        return Ok(forms::unprocessable(member_view(
            &ctx, &person, &form, &errors, &all, false,
        )));
    }
    let lang = Lang::parse(&person.lang).unwrap_or(ctx.lang);
    let txn = state.db.begin().await?;
    save_member_digest(
        &txn,
        &person,
        &ctx.client_ip,
        wants_digest.then_some((&prefs, chosen.as_slice())),
        lang,
    )
    .await?;
    let notify = form.notify.clone();
    let wants = |kind: MailKind| form.kind.iter().any(|k| k == kind.slug());
    // The expert group's kind is only on the form for the expert group.
    let experts = if ctx.reader().in_expert_group() {
        wants(MailKind::Experts)
    } else {
        person.mail_experts
    };
    let mut active = person.into_active_model();
    active.notify_email = Set(notify);
    active.mail_replies = Set(wants(MailKind::Replies));
    active.mail_mentions = Set(wants(MailKind::Mentions));
    active.mail_moderation = Set(wants(MailKind::Moderation));
    active.mail_experts = Set(experts);
    active.mail_messages = Set(wants(MailKind::Messages));
    active.mail_chosen = Set(true);
    active.mail_notice = Set(false);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(axum::response::Redirect::to("/profiel/email?opgeslagen=1").into_response())
}
