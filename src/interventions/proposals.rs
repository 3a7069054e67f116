//! Proposing and deciding: a member proposes a new intervention or a change; a facilitator
//! or an administrator publishes or declines it (the author hears which by mail); those who
//! publish, and an intervention's owner, confirm it is still current; those who publish can
//! take it out of the catalogue. Every decision is one conditional update, so two people
//! deciding at once decide once.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::Markup;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};
use serde::Deserialize;

use super::{Content, pages, views};
use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    delivery::outbox,
    entities::{
        intervention::{self, Status},
        intervention_version::{self, State as VersionState},
        user,
    },
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
    i18n::Lang,
    mail::Letter,
    search,
    visibility::Scope,
};

const DECISION_NOTE_MAX: usize = 2_000;

/// A version as one text, for comparing two of them.
pub fn as_text(v: &intervention_version::Model) -> String {
    format!(
        "{}\n\n{}\n\n{}: {}\n{}: {}\n\n{}\n\n{}\n{}\n{}\n\n{}\n\n{}\n",
        v.name,
        v.description,
        "doelgroep",
        v.target_groups.trim_matches(','),
        "wijken",
        v.districts.trim_matches(','),
        v.referral,
        v.contact,
        v.cost,
        v.languages,
        v.evidence,
        v.related,
    )
}

fn same_content(a: &intervention_version::Model, b: &intervention_version::ActiveModel) -> bool {
    let b = b.clone();
    let text = |v: &sea_orm::ActiveValue<String>| v.clone().unwrap();
    a.name == text(&b.name)
        && a.organisation_id == b.organisation_id.clone().unwrap()
        && a.description == text(&b.description)
        && a.target_groups == text(&b.target_groups)
        && a.districts == text(&b.districts)
        && a.referral == text(&b.referral)
        && a.contact == text(&b.contact)
        && a.cost == text(&b.cost)
        && a.languages == text(&b.languages)
        && a.evidence == text(&b.evidence)
        && a.related == text(&b.related)
}

/// `/interventies/nieuw`.
pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_user()?;
    let organisations = super::organisations(&state.db).await?;
    Ok(views::form(
        &ctx,
        &ctx.t("interventions.propose"),
        "/interventies/nieuw",
        &Content::default(),
        &FieldErrors::default(),
        &organisations,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(content): CsrfForm<Content>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let organisations = super::organisations(&state.db).await?;
    let (errors, organisation) = content.validate(&organisations);
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::form(
            &ctx,
            &ctx.t("interventions.propose"),
            "/interventies/nieuw",
            &content,
            &errors,
            &organisations,
        )));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let slug = super::free_slug(&txn, &crate::meetings::one_line(&content.name)).await?;
    let i = super::proposed(slug, person.id, now).insert(&txn).await?;
    let v = content
        .version(organisation, i.id, person.id, now)
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/interventies/voorstellen/{}", v.id)).into_response())
}

/// A published intervention and its published version, for a proposed change.
async fn published(
    db: &impl ConnectionTrait,
    slug: &str,
) -> AppResult<(intervention::Model, intervention_version::Model)> {
    let i = super::by_slug(db, slug)
        .await?
        .filter(|i| i.status == Status::Published)
        .ok_or(AppError::NotFound)?;
    let v = pages::shown_version(db, &i)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((i, v))
}

/// `/interventies/{slug}/wijzigen`: the published text to change.
pub async fn change_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    ctx.require_user()?;
    let (i, v) = published(&state.db, &slug).await?;
    let organisations = super::organisations(&state.db).await?;
    Ok(views::form(
        &ctx,
        &format!("{} — {}", ctx.t("interventions.propose_change"), v.name),
        &format!("/interventies/{}/wijzigen", i.slug),
        &Content::of(&v, &organisations),
        &FieldErrors::default(),
        &organisations,
    ))
}

pub async fn propose_change(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(content): CsrfForm<Content>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let (i, current) = published(&state.db, &slug).await?;
    let organisations = super::organisations(&state.db).await?;
    let (mut errors, organisation) = content.validate(&organisations);
    let proposed = content.version(organisation, i.id, person.id, Utc::now());
    if errors.is_empty() && same_content(&current, &proposed) {
        errors.add("note", "interventions.unchanged");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::form(
            &ctx,
            &format!(
                "{} — {}",
                ctx.t("interventions.propose_change"),
                current.name
            ),
            &format!("/interventies/{}/wijzigen", i.slug),
            &content,
            &errors,
            &organisations,
        )));
    }
    let v = proposed.insert(&state.db).await?;
    Ok(Redirect::to(&format!("/interventies/voorstellen/{}", v.id)).into_response())
}

/// `/interventies/voorstellen`: for those who publish, every proposal waiting; for others,
/// their own proposals (waiting or decided).
pub async fn queue(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let publishes = scope.publishes_interventions();
    let mut find = intervention_version::Entity::find();
    find = if publishes {
        find.filter(intervention_version::Column::State.eq(VersionState::Pending))
    } else {
        find.filter(intervention_version::Column::AuthorId.eq(person.id))
    };
    let versions = find
        .order_by_desc(intervention_version::Column::Id)
        .all(&state.db)
        .await?;
    let interventions: HashMap<i32, intervention::Model> = intervention::Entity::find()
        .filter(intervention::Column::Id.is_in(versions.iter().map(|v| v.intervention_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let authors = authors_of(&state.db, versions.iter().map(|v| v.author_id)).await?;
    let waiting: Vec<(intervention_version::Model, intervention::Model)> = versions
        .into_iter()
        .filter_map(|v| {
            let i = interventions.get(&v.intervention_id)?.clone();
            Some((v, i))
        })
        .collect();
    Ok(views::queue(&ctx, &waiting, &authors, publishes))
}

async fn authors_of(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i32>,
) -> Result<HashMap<i32, user::Model>, DbErr> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// A proposal this reader may see, with its intervention and the reader's scope.
async fn proposal(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(intervention_version::Model, intervention::Model, Scope)> {
    let person = ctx.require_user()?;
    let v = intervention_version::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    if !scope.admits_intervention_version(&v) {
        return Err(AppError::NotFound);
    }
    let i = intervention::Entity::find_by_id(v.intervention_id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((v, i, scope))
}

async fn review_page(
    state: &AppState,
    ctx: &Ctx,
    v: &intervention_version::Model,
    i: &intervention::Model,
    scope: &Scope,
    errors: FieldErrors,
    decision_note: String,
) -> AppResult<Markup> {
    let organisations = super::organisations(&state.db).await?;
    let related = pages::related_for(&state.db, ctx.reader(), &v.related).await?;
    let current = match i.published_version_id {
        Some(id) if id != v.id => {
            intervention_version::Entity::find_by_id(id)
                .one(&state.db)
                .await?
        }
        _ => None,
    };
    let diff = match current {
        Some(c) => crate::diff::compare_all(vec![(as_text(&c), as_text(v))])
            .await?
            .pop(),
        None => None,
    };
    let authors = authors_of(&state.db, std::iter::once(v.author_id)).await?;
    Ok(views::review(
        ctx,
        &views::ReviewPage {
            intervention: i,
            version: v,
            rendered: views::Rendered::of(v),
            organisations: &organisations,
            related,
            diff,
            authors,
            publishes: scope.publishes_interventions(),
            errors,
            decision_note,
        },
    ))
}

/// `/interventies/voorstellen/{id}`.
pub async fn review(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (v, i, scope) = proposal(&state, &ctx, id).await?;
    review_page(
        &state,
        &ctx,
        &v,
        &i,
        &scope,
        FieldErrors::default(),
        String::new(),
    )
    .await
}

/// Marks a pending version decided, once: `false` when someone else decided it first.
async fn decide(
    db: &impl ConnectionTrait,
    version: i32,
    to: VersionState,
    by: i32,
    note: &str,
) -> Result<bool, DbErr> {
    let done = intervention_version::Entity::update_many()
        .col_expr(intervention_version::Column::State, Expr::value(to))
        .col_expr(intervention_version::Column::DecidedBy, Expr::value(by))
        .col_expr(
            intervention_version::Column::DecidedAt,
            Expr::value(Utc::now()),
        )
        .col_expr(
            intervention_version::Column::DecisionNote,
            Expr::value(note.to_owned()),
        )
        .filter(intervention_version::Column::Id.eq(version))
        .filter(intervention_version::Column::State.eq(VersionState::Pending))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Tells a proposal's author what became of it (not when they decided it themselves), in
/// the caller's transaction.
async fn tell_author(
    state: &AppState,
    db: &impl ConnectionTrait,
    v: &intervention_version::Model,
    i: &intervention::Model,
    decider: i32,
    published: bool,
) -> Result<(), DbErr> {
    if v.author_id == decider {
        return Ok(());
    }
    let Some(author) = user::Entity::find_by_id(v.author_id)
        .one(db)
        .await?
        .filter(|u| !u.disabled && u.deleted_at.is_none())
    else {
        return Ok(());
    };
    let lang = Lang::parse(&author.lang).unwrap_or_default();
    let (subject, body, path) = if published {
        (
            "interventions.mail_published_subject",
            "interventions.mail_published_body",
            format!("/interventies/{}", i.slug),
        )
    } else {
        (
            "interventions.mail_declined_subject",
            "interventions.mail_declined_body",
            format!("/interventies/voorstellen/{}", v.id),
        )
    };
    let mut letter = Letter::new(lang, &author.email, subject)
        .greet(&author.name)
        .text(rust_i18n::t!(body, locale = lang.code(), name = v.name.as_str()).into_owned());
    if !published && !v.decision_note.is_empty() {
        letter = letter.text(v.decision_note.clone());
    }
    let email = letter
        .link("interventions.mail_open", state.settings.url(&path))
        .build();
    outbox::queue_rows(
        db,
        vec![outbox::row(
            state.settings.host(),
            email,
            format!("intervention-decision:{}", v.id),
            None,
        )],
    )
    .await?;
    state.wake_mail.notify_one();
    Ok(())
}

/// A proposal to publish or decline, and who decides: those who publish only.
async fn to_decide<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    id: i32,
) -> AppResult<(
    intervention_version::Model,
    intervention::Model,
    &'a user::Model,
)> {
    let (v, i, scope) = proposal(state, ctx, id).await?;
    if !scope.publishes_interventions() {
        return Err(AppError::Forbidden);
    }
    Ok((v, i, ctx.require_user()?))
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (v, i, person) = to_decide(&state, &ctx, id).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if !decide(&txn, v.id, VersionState::Published, person.id, "").await? {
        txn.rollback().await?;
        return Ok(Redirect::to(&format!("/interventies/voorstellen/{}", v.id)).into_response());
    }
    let mut active: intervention::ActiveModel = i.clone().into();
    active.status = Set(Status::Published);
    active.published_version_id = Set(Some(v.id));
    active.published_at = Set(Some(i.published_at.unwrap_or(now)));
    active.checked_at = Set(Some(now));
    active.reminded_at = Set(None);
    active.updated_at = Set(now);
    let i = active.update(&txn).await?;
    search::index::sync_intervention(&txn, i.id).await?;
    tell_author(&state, &txn, &v, &i, person.id, true).await?;
    crate::audit::record(
        &txn,
        Some(person.id),
        "intervention_published",
        &i.slug,
        &format!("version {}", v.id),
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/interventies/{}", i.slug)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeclineForm {
    pub decision_note: String,
}

pub async fn decline(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<DeclineForm>,
) -> AppResult<Response> {
    let (v, i, person) = to_decide(&state, &ctx, id).await?;
    let note = forms::multi_line(&form.decision_note);
    let mut errors = FieldErrors::default();
    errors.text("decision_note", &note, DECISION_NOTE_MAX);
    if !errors.is_empty() {
        let scope = Scope::for_viewer(&state.db, Some(person)).await?;
        return Ok(forms::unprocessable(
            review_page(&state, &ctx, &v, &i, &scope, errors, form.decision_note).await?,
        ));
    }
    let txn = state.db.begin().await?;
    if !decide(&txn, v.id, VersionState::Declined, person.id, &note).await? {
        txn.rollback().await?;
        return Ok(Redirect::to(&format!("/interventies/voorstellen/{}", v.id)).into_response());
    }
    if i.status == Status::Proposed {
        intervention::Entity::update_many()
            .col_expr(intervention::Column::Status, Expr::value(Status::Declined))
            .col_expr(intervention::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(intervention::Column::Id.eq(i.id))
            .filter(intervention::Column::Status.eq(Status::Proposed))
            .exec(&txn)
            .await?;
    }
    let decided = intervention_version::Model {
        decision_note: note,
        ..v
    };
    tell_author(&state, &txn, &decided, &i, person.id, false).await?;
    txn.commit().await?;
    Ok(Redirect::to("/interventies/voorstellen").into_response())
}

/// `/interventies/{slug}/gecontroleerd`: still current, as of today.
pub async fn confirm_current(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let (i, scope) = pages::admitted(&state, &ctx, &slug).await?;
    if !scope.may_confirm_intervention(&i) {
        return Err(AppError::Forbidden);
    }
    intervention::Entity::update_many()
        .col_expr(intervention::Column::CheckedAt, Expr::value(Utc::now()))
        .col_expr(
            intervention::Column::RemindedAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .filter(intervention::Column::Id.eq(i.id))
        .filter(intervention::Column::Status.eq(Status::Published))
        .exec(&state.db)
        .await?;
    Ok(Redirect::to(&format!("/interventies/{}", i.slug)).into_response())
}

/// `/interventies/{slug}/intrekken`: out of the catalogue, search and digests.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?;
    let (i, scope) = pages::admitted(&state, &ctx, &slug).await?;
    if !scope.publishes_interventions() {
        return Err(AppError::Forbidden);
    }
    let txn = state.db.begin().await?;
    intervention::Entity::update_many()
        .col_expr(intervention::Column::Status, Expr::value(Status::Withdrawn))
        .col_expr(intervention::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(intervention::Column::Id.eq(i.id))
        .exec(&txn)
        .await?;
    search::index::sync_intervention(&txn, i.id).await?;
    crate::audit::record(&txn, Some(person.id), "intervention_withdrawn", &i.slug, "").await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/interventies/{}", i.slug)).into_response())
}
