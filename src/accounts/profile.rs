//! A person's own profile: name, organisation, job, language, and changing the password;
//! below them the member's own data (download, where they are signed in) from `own_data`.

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait, sea_query::Expr,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::{Ctx, lang_cookie},
    csrf::CsrfForm,
    entities::{subscriber, user},
    error::AppResult,
    forms::{self, Field, FieldErrors},
    i18n::Lang,
    layout, names,
    own_data::{self, Overview},
    session,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub organisation: String,
    pub job: String,
    pub lang: String,
    /// A few lines about themselves, on their member page.
    pub bio: String,
}

/// How long the few lines about oneself may be.
pub const BIO_MAX: usize = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Flags {
    opgeslagen: Option<String>,
    wachtwoord: Option<String>,
    welkom: Option<String>,
    #[serde(rename = "e-mailadres")]
    email_changed: Option<String>,
    gegevens: Option<String>,
    sessies: Option<String>,
}

fn view(
    ctx: &Ctx,
    person: &user::Model,
    own: &Overview,
    form: &ProfileForm,
    errors: &FieldErrors,
    password_errors: &FieldErrors,
    notice: Option<&str>,
) -> Markup {
    layout::page(
        ctx,
        &ctx.t("profile.title"),
        html! {
            h1 { (ctx.t("profile.title")) }
            @if let Some(key) = notice { (layout::notice(&ctx.t(key))) }
            p { (ctx.t("field.email")) ": " strong { (person.email) } " " a href="/profiel/e-mailadres" { (ctx.t("email_change.title")) } }
            @if let Some(handle) = &person.handle {
                p {
                    (ctx.t("profile.handle")) " " strong { "@" (handle) } " · "
                    a href={ "/leden/" (handle) } { (ctx.t("profile.own_page")) }
                }
            }
            section aria-labelledby="profile-details" {
                h2 #profile-details { (ctx.t("profile.details")) }
                p.hint { a href="/privacy" { (ctx.t("privacy.link")) } }
                (forms::form(ctx, "/profiel", errors, &ctx.t("profile.save"), html! {
                    (forms::input(ctx, Field::new("name", &form.name).autocomplete("name"), errors))
                    (forms::input(ctx, Field::new("organisation", &form.organisation).autocomplete("organization"), errors))
                    (forms::input(ctx, Field::new("job", &form.job).autocomplete("organization-title"), errors))
                    (forms::textarea(ctx, Field::new("bio", &form.bio).hint("profile.bio_hint").optional(), errors))
                    div.field {
                        label for="lang" { (ctx.t("field.lang")) }
                        select #lang name="lang" {
                            @for lang in Lang::ALL {
                                option value=(lang.code()) selected[form.lang == lang.code()] { (lang.t("lang.self")) }
                            }
                        }
                    }
                }))
            }
            section aria-labelledby="profile-mail" {
                h2 #profile-mail { (ctx.t("member_mail.title")) }
                p { (ctx.t("member_mail.teaser")) }
                p { a.button href="/profiel/email" { (ctx.t("member_mail.change")) } }
            }
            section aria-labelledby="profile-directory" {
                h2 #profile-directory { (ctx.t("directory.own_title")) }
                p { (ctx.t("directory.profile_teaser")) }
                p { a.button href="/profiel/gids" { (ctx.t("directory.profile_link")) } }
            }
            section aria-labelledby="profile-meetings" {
                h2 #profile-meetings { (ctx.t("meetings.feed_title")) }
                p { (ctx.t("meetings.profile_teaser")) }
                p { a.button href="/profiel/agenda" { (ctx.t("meetings.profile_link")) } }
            }
            section aria-labelledby="profile-password" {
                h2 #profile-password { (ctx.t("profile.password_title")) }
                (forms::form(ctx, "/profiel/wachtwoord", password_errors, &ctx.t("profile.password_save"), html! {
                    (forms::input(ctx, Field::new("current_password", "").kind("password").autocomplete("current-password"), password_errors))
                    (crate::accounts::new_password_fields(ctx, password_errors))
                }))
            }
            section aria-labelledby="profile-leave" {
                h2 #profile-leave { (ctx.t("leave.title")) }
                p { (ctx.t("leave.teaser")) }
                p { a.button href="/profiel/verwijderen" { (ctx.t("leave.link")) } }
            }
            (own_data::sections(ctx, own))
        },
    )
}

fn form_of(person: &user::Model) -> ProfileForm {
    ProfileForm {
        name: person.name.clone(),
        organisation: person.organisation.clone(),
        job: person.job.clone(),
        lang: person.lang.clone(),
        bio: person.bio.clone(),
    }
}

/// The profile page's own-data sections, for this browser's session.
async fn own_overview(state: &AppState, jar: &CookieJar, user_id: i32) -> AppResult<Overview> {
    let secret = jar.get(session::COOKIE).map(|c| c.value());
    Ok(own_data::overview(&state.db, user_id, secret).await?)
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Query(flags): Query<Flags>,
) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let own = own_overview(&state, &jar, person.id).await?;
    let notice = match (flags.gegevens.as_deref(), flags.sessies.as_deref()) {
        (Some("gevraagd"), _) => Some("export.requested"),
        (Some("bezig"), _) => Some("export.busy"),
        (_, Some("uitgelogd")) => Some("sessions.ended_others"),
        (_, Some("een")) => Some("sessions.ended_one"),
        _ => None,
    };
    let notice = if notice.is_some() {
        notice
    } else if flags.welkom.is_some() {
        Some("profile.welcome")
    } else if flags.email_changed.is_some() {
        Some("email_change.done_text")
    } else if flags.wachtwoord.is_some() {
        Some("profile.password_changed")
    } else if flags.opgeslagen.is_some() {
        Some("profile.saved")
    } else {
        None
    };
    let none = FieldErrors::default();
    Ok(view(
        &ctx,
        person,
        &own,
        &form_of(person),
        &none,
        &none,
        notice,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let mut errors = FieldErrors::default();
    let name = names::check(&state.db, &mut errors, "name", &form.name, Some(person.id)).await?;
    errors.text("organisation", &form.organisation, 150);
    errors.text("job", &form.job, 100);
    if form.bio.trim().chars().count() > BIO_MAX {
        errors.add("bio", "form.too_long");
    }
    let lang = Lang::parse(&form.lang);
    if lang.is_none() {
        errors.add("lang", "form.choose");
    }
    if !errors.is_empty() {
        let none = FieldErrors::default();
        let own = own_overview(&state, &jar, person.id).await?;
        return Ok(forms::unprocessable(view(
            &ctx, &person, &own, &form, &errors, &none, None,
        )));
    }
    let lang = lang.unwrap_or_default();
    let mut active = person.into_active_model();
    active.name = Set(name);
    active.organisation = Set(form.organisation.trim().into());
    active.job = Set(form.job.trim().into());
    active.bio = Set(form.bio.trim().into());
    active.lang = Set(lang.code().into());
    let txn = state.db.begin().await?;
    let person = active.update(&txn).await?;
    // The member's own digest speaks the member's language.
    subscriber::Entity::update_many()
        .col_expr(subscriber::Column::Lang, Expr::value(lang.code()))
        .filter(subscriber::Column::UserId.eq(person.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let cookie = lang_cookie(lang, state.settings.secure_cookies());
    Ok((jar.add(cookie), Redirect::to("/profiel?opgeslagen=1")).into_response())
}

pub async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    device: session::Device,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let mut errors = FieldErrors::default();
    if form.current_password.is_empty() {
        errors.add("current_password", "form.required");
    } else if !state
        .passwords
        .verify(form.current_password.clone(), person.password_hash.clone())
        .await?
    {
        errors.add("current_password", "profile.current_wrong");
    }
    crate::accounts::check_new_password(
        &mut errors,
        &form.password,
        &form.password_confirm,
        &[&person.email, &person.name],
    );
    if !errors.is_empty() {
        let none = FieldErrors::default();
        let own = own_overview(&state, &jar, person.id).await?;
        return Ok(forms::unprocessable(view(
            &ctx,
            &person,
            &own,
            &form_of(&person),
            &none,
            &errors,
            None,
        )));
    }
    let hash = state.passwords.hash(form.password).await?;
    let user_id = person.id;
    let txn = state.db.begin().await?;
    let mut active = person.into_active_model();
    active.password_hash = Set(Some(hash));
    active.update(&txn).await?;
    // Every other browser signed in with the old password is signed out.
    session::end_all_for(&txn, user_id).await?;
    txn.commit().await?;
    crate::accounts::sign_in_and_redirect(&state, jar, &device, user_id, "/profiel?wachtwoord=1")
        .await
}
