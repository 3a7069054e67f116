//! The welcome after approval: one page, skippable. Join the practices that fit (those the
//! application named are ticked), choose mail (replies and mentions on, a weekly digest), and
//! learn where Meldingen and search are. Everything here can be changed later on the profile.

use std::collections::HashSet;

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{application, membership, practice, user},
    error::AppResult,
    i18n::Lang,
    layout, practices,
    subscriptions::{PreferencesForm, save_member_digest},
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WelcomeForm {
    pub practice: Vec<i32>,
    /// `on` when reply and mention mail is wanted.
    pub replies: Option<String>,
    pub digest: Option<String>,
}

/// The practices the person's application named, else the ones they are in.
async fn preselected(state: &AppState, person: &user::Model) -> AppResult<HashSet<i32>> {
    let mut chosen: HashSet<i32> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(person.id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| m.practice_id)
        .collect();
    if let Some(app) = application::Entity::find()
        .filter(application::Column::Email.eq(&person.email))
        .filter(application::Column::Status.eq(application::APPROVED))
        .order_by_desc(application::Column::Id)
        .one(&state.db)
        .await?
    {
        chosen.extend(
            app.interests
                .split(',')
                .filter_map(|id| id.parse::<i32>().ok()),
        );
    }
    Ok(chosen)
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let all = practices::active_practices(&state.db).await?;
    let chosen = preselected(&state, person).await?;
    Ok(view(&ctx, person, &all, &chosen))
}

fn view(ctx: &Ctx, person: &user::Model, all: &[practice::Model], chosen: &HashSet<i32>) -> Markup {
    let title = ctx.t("welcome.title");
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (rust_i18n::t!("welcome.heading", locale = ctx.lang.code(), name = &person.name)) }
            p.lead { (ctx.t("welcome.intro")) }
            form.stacked method="post" action="/welkom" {
                (layout::csrf_field(ctx))
                fieldset.field #practice {
                    legend { h2 { (ctx.t("welcome.practices")) } }
                    p.hint { (ctx.t("welcome.practices_hint")) }
                    @for p in all {
                        div.check {
                            input type="checkbox" name="practice" value=(p.id) id={ "p-" (p.id) } checked[chosen.contains(&p.id)];
                            label for={ "p-" (p.id) } { strong { (p.name(ctx.lang)) } " — " (p.description(ctx.lang)) }
                        }
                    }
                }
                fieldset.field #mail {
                    legend { h2 { (ctx.t("welcome.mail")) } }
                    p.hint { (rust_i18n::t!("welcome.mail_hint", locale = ctx.lang.code(), email = &person.email)) }
                    div.check {
                        input type="checkbox" name="replies" value="on" id="replies" checked;
                        label for="replies" { (ctx.t("welcome.mail_replies")) }
                    }
                    div.check {
                        input type="checkbox" name="digest" value="weekly" id="digest" checked;
                        label for="digest" { (ctx.t("welcome.mail_digest")) }
                    }
                }
                section.card aria-labelledby="welcome-find" {
                    h2 #welcome-find { (ctx.t("welcome.find")) }
                    p { (ctx.t("welcome.find_bell")) }
                    p { (ctx.t("welcome.find_search")) }
                    p { (ctx.t("welcome.find_home")) }
                }
                div.actions {
                    button.primary type="submit" { (ctx.t("welcome.save")) }
                    a href="/" { (ctx.t("welcome.skip")) }
                }
            }
        },
    )
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<WelcomeForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let all = practices::active_practices(&state.db).await?;
    let lang = Lang::parse(&person.lang).unwrap_or(ctx.lang);
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Joining only: whoever is in a practice already stays (and keeps their role).
    let joining: Vec<membership::ActiveModel> = all
        .iter()
        .filter(|p| form.practice.contains(&p.id))
        .map(|p| membership::ActiveModel {
            user_id: Set(person.id),
            practice_id: Set(p.id),
            role: Set(membership::Role::Member),
            created_at: Set(now),
        })
        .collect();
    if !joining.is_empty() {
        membership::Entity::insert_many(joining)
            .on_conflict_do_nothing_on([membership::Column::UserId, membership::Column::PracticeId])
            .exec(&txn)
            .await?;
    }
    let digest = form
        .digest
        .is_some()
        .then(|| PreferencesForm::defaults(lang));
    save_member_digest(
        &txn,
        &person,
        &ctx.client_ip,
        digest.as_ref().map(|prefs| (prefs, &[][..])),
        lang,
    )
    .await?;
    let replies = form.replies.is_some();
    let mut active = person.into_active_model();
    active.mail_replies = Set(replies);
    active.mail_mentions = Set(replies);
    active.notify_email = Set(if replies {
        user::NOTIFY_IMMEDIATE.into()
    } else {
        user::NOTIFY_OFF.into()
    });
    active.mail_chosen = Set(true);
    active.mail_notice = Set(false);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(Redirect::to("/").into_response())
}
