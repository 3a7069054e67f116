//! "Word lid": applying for membership. The answer is the same whether or not the address
//! is known; what differs (a reminder to a member, a new application) goes by mail.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{application, practice, user},
    error::AppResult,
    forms::{self, Field, FieldErrors},
    layout,
    mail::Letter,
    names, practices, throttle,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyForm {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub job: String,
    pub motivation: String,
    /// The practices that fit their work (the welcome page after approval ticks them).
    pub practice: Vec<i32>,
}

impl ApplyForm {
    /// The fields after the name, in the form's order.
    fn validate(&self, errors: &mut FieldErrors) {
        errors.email("email", &self.email);
        errors.text("organisation", &self.organisation, 150);
        errors.text("job", &self.job, 100);
        errors.text("motivation", &self.motivation, 2000);
    }
}

pub async fn show_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let practices = practices::active_practices(&state.db).await?;
    Ok(view(
        &ctx,
        &ApplyForm::default(),
        &FieldErrors::default(),
        None,
        &practices,
    ))
}

fn view(
    ctx: &Ctx,
    form: &ApplyForm,
    errors: &FieldErrors,
    notice: Option<&str>,
    practices: &[practice::Model],
) -> Markup {
    layout::page(
        ctx,
        &ctx.t("apply.title"),
        html! {
            h1 { (ctx.t("apply.title")) }
            p.lead { (ctx.t("apply.intro")) }
            (forms::problem(ctx, notice))
            (forms::form(ctx, "/word-lid", errors, &ctx.t("apply.submit"), html! {
                (forms::input(ctx, Field::new("name", &form.name).autocomplete("name"), errors))
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email"), errors))
                (forms::input(ctx, Field::new("organisation", &form.organisation).autocomplete("organization"), errors))
                (forms::input(ctx, Field::new("job", &form.job).autocomplete("organization-title"), errors))
                (forms::textarea(ctx, Field::new("motivation", &form.motivation).hint("apply.motivation_hint"), errors))
                fieldset.field #practice {
                    legend { (ctx.t("apply.practices")) }
                    p.hint { (ctx.t("apply.practices_hint")) }
                    @for p in practices {
                        div.check {
                            input type="checkbox" name="practice" value=(p.id) id={ "p-" (p.id) } checked[form.practice.contains(&p.id)];
                            label for={ "p-" (p.id) } { (p.name(ctx.lang)) }
                        }
                    }
                }
                p.hint { a href="/privacy" { (ctx.t("privacy.link")) } }
            }))
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ApplyForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let name = names::check(&state.db, &mut errors, "name", &form.name, None).await?;
    form.validate(&mut errors);
    let practices = practices::active_practices(&state.db).await?;
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(
            &ctx, &form, &errors, None, &practices,
        )));
    }
    if !throttle::APPLY_ADDRESS
        .allow(&state.db, &ctx.client_ip)
        .await?
    {
        let page = view(&ctx, &form, &errors, Some("throttle.too_many"), &practices);
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }

    let email = forms::normalize_email(&form.email);
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    let lang = ctx.lang;
    if existing.is_some() {
        state.send_later(
            Letter::new(lang, &email, "mail.already_member.subject")
                .greet(form.name.trim())
                .para("mail.already_member.body")
                .link(
                    "mail.already_member.link",
                    state.settings.url("/wachtwoord-vergeten"),
                )
                .build(),
        );
    } else {
        let pending = application::Entity::find()
            .filter(application::Column::Email.eq(&email))
            .filter(application::Column::Status.eq(application::PENDING))
            .one(&state.db)
            .await?;
        if pending.is_none() {
            application::ActiveModel {
                email: Set(email.clone()),
                name: Set(name.clone()),
                organisation: Set(form.organisation.trim().into()),
                job: Set(form.job.trim().into()),
                motivation: Set(form.motivation.trim().into()),
                interests: Set(practices
                    .iter()
                    .filter(|p| form.practice.contains(&p.id))
                    .map(|p| p.id.to_string())
                    .collect::<Vec<_>>()
                    .join(",")),
                lang: Set(lang.code().into()),
                status: Set(application::PENDING.into()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&state.db)
            .await?;
            notify_admins(&state, &name).await?;
        }
        state.send_later(
            Letter::new(lang, &email, "mail.application_received.subject")
                .greet(form.name.trim())
                .para("mail.application_received.body")
                .build(),
        );
    }
    Ok(layout::page(
        &ctx,
        &ctx.t("apply.thanks_title"),
        html! {
            h1 { (ctx.t("apply.thanks_title")) }
            p.lead { (ctx.t("apply.thanks_text")) }
            p { a href="/" { (ctx.t("error.home_link")) } }
        },
    )
    .into_response())
}

/// Tells the administrators, each in their own language, that someone applied.
async fn notify_admins(state: &AppState, applicant: &str) -> AppResult<()> {
    let admins = user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .all(&state.db)
        .await?;
    for admin in admins {
        let lang = crate::i18n::Lang::parse(&admin.lang).unwrap_or_default();
        state.send_later(
            Letter::new(lang, &admin.email, "mail.new_application.subject")
                .text(rust_i18n::t!(
                    "mail.new_application.body",
                    locale = lang.code(),
                    name = applicant
                ))
                .link(
                    "mail.new_application.link",
                    state.settings.url("/beheer/aanmeldingen"),
                )
                .build(),
        );
    }
    Ok(())
}
