//! Administration: applications, people and roles, practices, the audit log, the site's
//! health. Every handler starts with `ctx.require_admin()`; every change writes an audit
//! record in the same transaction as the change itself.

pub mod applications;
pub mod audit_log;
pub mod expertise;
pub mod health;
pub mod outbox;
pub mod people;
pub mod practices;

use axum::extract::State;
use maud::{Markup, html};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    AppState,
    context::Ctx,
    entities::{application, user},
    error::AppResult,
    layout,
};

/// The admin pages' own navigation, above their content.
pub fn admin_page(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            nav.subnav aria-label=(ctx.t("admin.nav_label")) {
                ul {
                    li { a href="/beheer" { (ctx.t("admin.title")) } }
                    li { a href="/beheer/aanmeldingen" { (ctx.t("admin.applications")) } }
                    li { a href="/beheer/mensen" { (ctx.t("admin.people")) } }
                    li { a href="/beheer/uitnodigen" { (ctx.t("admin.invite")) } }
                    li { a href="/beheer/praktijken" { (ctx.t("admin.practices")) } }
                    li { a href="/beheer/organisaties" { (ctx.t("organisations.title")) } }
                    li { a href="/beheer/expertise" { (ctx.t("directory.expertise")) } }
                    li { a href="/beheer/signaleringen" { (ctx.t("admin.flags")) } @if ctx.open_flags > 0 { " " span.badge.new { (ctx.open_flags) } } }
                    li { a href="/beheer/berichten" { (ctx.t("messages.admin_nav")) } }
                    li { a href="/beheer/post" { (ctx.t("admin.outbox")) } }
                    li { a href="/beheer/gezondheid" { (ctx.t("health.title")) } }
                    li { a href="/beheer/logboek" { (ctx.t("admin.audit_log")) } }
                }
            }
            h1 { (title) }
            (body)
        },
    )
}

pub async fn show_dashboard(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let pending = application::Entity::find()
        .filter(application::Column::Status.eq(application::PENDING))
        .count(&state.db)
        .await?;
    let people = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .count(&state.db)
        .await?;
    let lang = ctx.lang.code();
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.title"),
        html! {
            ul.cards {
                li.card {
                    h2 { a href="/beheer/aanmeldingen" { (ctx.t("admin.applications")) } }
                    p { (rust_i18n::t!("admin.pending_count", locale = lang, count = pending)) }
                }
                li.card {
                    h2 { a href="/beheer/mensen" { (ctx.t("admin.people")) } }
                    p { (rust_i18n::t!("admin.people_count", locale = lang, count = people)) }
                }
                li.card {
                    h2 { a href="/beheer/praktijken" { (ctx.t("admin.practices")) } }
                    p { (ctx.t("admin.practices_text")) }
                }
                li.card {
                    h2 { a href="/beheer/organisaties" { (ctx.t("organisations.title")) } }
                    p { (ctx.t("organisations.admin_text")) }
                }
                li.card {
                    h2 { a href="/beheer/logboek" { (ctx.t("admin.audit_log")) } }
                    p { (ctx.t("admin.audit_text")) }
                }
                li.card {
                    h2 { a href="/beheer/gezondheid" { (ctx.t("health.title")) } }
                    p { (ctx.t("health.text")) }
                }
            }
        },
    ))
}
