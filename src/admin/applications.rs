//! Membership applications: approve (the applicant gets a link to choose a password) or
//! reject (a polite mail).

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{application, user},
    error::{AppError, AppResult},
    i18n::Lang,
    layout,
    mail::Letter,
    tokens::{self, Purpose},
};

use super::admin_page;

pub async fn list_applications(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let pending = application::Entity::find()
        .filter(application::Column::Status.eq(application::PENDING))
        .order_by_asc(application::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let decided = application::Entity::find()
        .filter(application::Column::Status.ne(application::PENDING))
        .order_by_desc(application::Column::DecidedAt)
        .limit(20)
        .all(&state.db)
        .await?;
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.applications"),
        html! {
            @if pending.is_empty() {
                p.empty { (ctx.t("admin.no_pending")) }
            }
            @for app in &pending {
                article.card.application {
                    h2 { (app.name) }
                    dl {
                        dt { (ctx.t("field.email")) } dd { (app.email) }
                        dt { (ctx.t("field.organisation")) } dd { (app.organisation) }
                        dt { (ctx.t("field.job")) } dd { (app.job) }
                        dt { (ctx.t("field.motivation")) } dd.prewrap { (app.motivation) }
                        dt { (ctx.t("admin.applied_at")) } dd { (ctx.lang.datetime(app.created_at)) }
                    }
                    div.actions {
                        form.inline method="post" action={ "/beheer/aanmeldingen/" (app.id) "/goedkeuren" } {
                            (layout::csrf_field(&ctx))
                            button.primary type="submit" { (ctx.t("admin.approve")) }
                        }
                        form.inline method="post" action={ "/beheer/aanmeldingen/" (app.id) "/afwijzen" } {
                            (layout::csrf_field(&ctx))
                            button.secondary type="submit" { (ctx.t("admin.reject")) }
                        }
                    }
                }
            }
            @if !decided.is_empty() {
                h2 { (ctx.t("admin.decided")) }
                ul.plain {
                    @for app in &decided {
                        li { (app.name) " (" (app.email) ") — " (ctx.t(&format!("admin.status.{}", app.status))) }
                    }
                }
            }
        },
    ))
}

/// Marks a pending application decided, with its audit record, inside `txn`.
async fn decide(
    txn: &DatabaseTransaction,
    admin_id: i32,
    id: i32,
    status: &str,
) -> AppResult<application::Model> {
    let app = application::Entity::find_by_id(id)
        .filter(application::Column::Status.eq(application::PENDING))
        .one(txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active = app.clone().into_active_model();
    active.status = Set(status.into());
    active.decided_at = Set(Some(Utc::now()));
    active.decided_by = Set(Some(admin_id));
    active.update(txn).await?;
    let action = format!("application_{status}");
    audit::record(txn, Some(admin_id), &action, &app.email, &app.name).await?;
    Ok(app)
}

pub async fn approve_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let txn = state.db.begin().await?;
    let app = decide(&txn, admin.id, id, application::APPROVED).await?;
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&app.email))
        .one(&txn)
        .await?;
    let person = match existing {
        Some(person) => person,
        None => {
            user::ActiveModel {
                email: Set(app.email.clone()),
                name: Set(app.name.clone()),
                organisation: Set(app.organisation.clone()),
                job: Set(app.job.clone()),
                lang: Set(app.lang.clone()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    let secret = tokens::issue(&txn, Purpose::SetPassword, Some(person.id)).await?;
    txn.commit().await?;

    let lang = Lang::parse(&app.lang).unwrap_or_default();
    state.send_later(
        Letter::new(lang, &app.email, "mail.approved.subject")
            .greet(&app.name)
            .para("mail.approved.body")
            .para("mail.link_valid_week")
            .link(
                "mail.set_password_link",
                state
                    .settings
                    .url(&format!("/wachtwoord-instellen/{secret}")),
            )
            .build(),
    );
    Ok(Redirect::to("/beheer/aanmeldingen").into_response())
}

pub async fn reject_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let txn = state.db.begin().await?;
    let app = decide(&txn, admin.id, id, application::REJECTED).await?;
    txn.commit().await?;

    let lang = Lang::parse(&app.lang).unwrap_or_default();
    state.send_later(
        Letter::new(lang, &app.email, "mail.rejected.subject")
            .greet(&app.name)
            .para("mail.rejected.body")
            .build(),
    );
    Ok(Redirect::to("/beheer/aanmeldingen").into_response())
}
