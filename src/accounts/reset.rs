//! "Forgot password": the same answer for every address; a mail only for known ones.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::{Markup, html};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::user,
    error::AppResult,
    forms::{self, Field, FieldErrors},
    i18n::Lang,
    layout,
    mail::Letter,
    throttle,
    tokens::{self, Purpose},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub email: String,
}

pub async fn show_form(ctx: Ctx) -> Markup {
    view(&ctx, &ResetForm::default(), &FieldErrors::default(), None)
}

fn view(ctx: &Ctx, form: &ResetForm, errors: &FieldErrors, problem: Option<&str>) -> Markup {
    layout::page(
        ctx,
        &ctx.t("reset.title"),
        html! {
            h1 { (ctx.t("reset.title")) }
            p.lead { (ctx.t("reset.intro")) }
            (forms::problem(ctx, problem))
            (forms::form(ctx, "/wachtwoord-vergeten", errors, &ctx.t("reset.submit"), html! {
                (forms::input(ctx, Field::new("email", &form.email).kind("email").autocomplete("email"), errors))
            }))
        },
    )
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    errors.email("email", &form.email);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(view(&ctx, &form, &errors, None)));
    }
    if !throttle::RESET_ADDRESS
        .allow(&state.db, &ctx.client_ip)
        .await?
    {
        let page = view(&ctx, &form, &errors, Some("throttle.too_many"));
        return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
    }
    let email = forms::normalize_email(&form.email);
    // Per account, quietly: the page must not tell whether a mail went out.
    if throttle::RESET_ACCOUNT.allow(&state.db, &email).await? {
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .filter(user::Column::Disabled.eq(false))
            .one(&state.db)
            .await?;
        if let Some(user) = found {
            tokens::revoke(&state.db, Purpose::Reset, user.id).await?;
            let secret = tokens::issue(&state.db, Purpose::Reset, Some(user.id)).await?;
            let lang = Lang::parse(&user.lang).unwrap_or(ctx.lang);
            state.send_later(
                Letter::new(lang, &user.email, "mail.reset.subject")
                    .greet(&user.name)
                    .para("mail.reset.body")
                    .para("mail.reset.ignore")
                    .link(
                        "mail.reset.link",
                        state
                            .settings
                            .url(&format!("/wachtwoord-instellen/{secret}")),
                    )
                    .build(),
            );
        }
    }
    Ok(layout::page(
        &ctx,
        &ctx.t("reset.sent_title"),
        html! {
            h1 { (ctx.t("reset.sent_title")) }
            p.lead { (ctx.t("reset.sent_text")) }
        },
    )
    .into_response())
}
