//! The experts' side of summaries: writing drafts (every save a new version), review by
//! another expert, publication, revision, withdrawal, and comparing versions.

use std::collections::{BTreeSet, HashMap};

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

use super::{
    model::{SourceRef, SummaryForm},
    require_expert,
};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::CsrfForm,
    entities::{practice, summary, summary_practice, summary_source, summary_version, user},
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    forum::{self, Scope, views::when},
    i18n::Lang,
    layout, practices,
};

/// A summary with its newest version, practices and sources.
pub struct Full {
    pub summary: summary::Model,
    pub version: summary_version::Model,
    pub practice_ids: Vec<i32>,
    pub sources: Vec<summary_source::Model>,
}

pub async fn load(
    db: &impl ConnectionTrait,
    summary: summary::Model,
) -> Result<Option<Full>, DbErr> {
    let Some(version) = summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.eq(summary.id))
        .order_by_desc(summary_version::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let practice_ids = summary_practice::Entity::find()
        .filter(summary_practice::Column::SummaryId.eq(summary.id))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.practice_id)
        .collect();
    let sources = summary_source::Entity::find()
        .filter(summary_source::Column::SummaryId.eq(summary.id))
        .order_by_asc(summary_source::Column::Id)
        .all(db)
        .await?;
    Ok(Some(Full {
        summary,
        version,
        practice_ids,
        sources,
    }))
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<summary::Model>, DbErr> {
    summary::Entity::find()
        .filter(summary::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// The experts' overview: every summary, in every state.
pub async fn list_all(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    require_expert(&ctx)?;
    let all = summary::Entity::find()
        .order_by_desc(summary::Column::UpdatedAt)
        .all(&state.db)
        .await?;
    let title = ctx.t("summaries.experts_title");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href="/expertgroep" { (ctx.t("nav.expert_area")) } }
            h1 { (title) }
            p { a.button href="/kennisbundels/nieuw" { (ctx.t("summaries.new")) } }
            @if all.is_empty() { p.empty { (ctx.t("summaries.none_yet")) } }
            ol.threads {
                @for s in &all {
                    li.thread {
                        h3 { a href={ "/kennisbundels/" (s.slug) } { (s.title) } }
                        p.meta {
                            span.badge { (ctx.t(&format!("summaries.status.{}", s.status))) }
                            @if s.sources_changed { " " span.badge.members { (ctx.t("summaries.sources_changed")) } }
                            " " (when(&ctx, s.updated_at))
                        }
                    }
                }
            }
        },
    ))
}

fn form_view(
    ctx: &Ctx,
    action: &str,
    title: &str,
    form: &SummaryForm,
    errors: &FieldErrors,
    all: &[practice::Model],
) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            p.breadcrumb { a href="/expertgroep/kennisbundels" { (ctx.t("summaries.experts_title")) } }
            h1 { (title) }
            (forms::form(ctx, action, errors, &ctx.t("summaries.save"), html! {
                (forms::input(ctx, Field::new("title", &form.title).max_length(super::model::TITLE_MAX), errors))
                (forms::textarea(ctx, Field::new("body", &form.body).hint("forum.markdown_hint"), errors))
                div.field {
                    label for="lang" { (ctx.t("summaries.lang")) }
                    select #lang name="lang" {
                        @for lang in Lang::ALL {
                            option value=(lang.code()) selected[form.lang == lang.code()] { (lang.t("lang.self")) }
                        }
                    }
                }
                fieldset.field {
                    legend { (ctx.t("summaries.practices")) }
                    @for p in all {
                        div.check {
                            input type="checkbox" name="practice" value=(p.id) id={ "practice-" (p.id) } checked[form.practice.contains(&p.id)];
                            label for={ "practice-" (p.id) } { (p.name(ctx.lang)) }
                        }
                    }
                }
                (forms::textarea(ctx, Field::new("sources", &form.sources).hint("summaries.sources_hint").optional(), errors))
                (forms::textarea(ctx, Field::new("references", &form.references).hint("summaries.references_hint").optional(), errors))
            }))
        },
    )
}

pub async fn new_summary(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    require_expert(&ctx)?;
    let all = practices::all_practices(&state.db).await?;
    let form = SummaryForm {
        lang: ctx.lang.code().into(),
        ..Default::default()
    };
    Ok(form_view(
        &ctx,
        "/kennisbundels/nieuw",
        &ctx.t("summaries.new"),
        &form,
        &FieldErrors::default(),
        &all,
    ))
}

/// Resolves the sources through the writer's own scope: a source they cannot read, or that
/// does not exist, is refused.
async fn resolve_sources(
    db: &impl ConnectionTrait,
    scope: &Scope,
    refs: &BTreeSet<SourceRef>,
) -> Result<Option<Vec<(i32, Option<i32>)>>, DbErr> {
    let mut resolved = Vec::new();
    for r in refs {
        match r {
            SourceRef::Thread(id) => match scope.thread(db, *id).await? {
                Some(t) => resolved.push((t.id, None)),
                None => return Ok(None),
            },
            SourceRef::Post(id) => match scope.post(db, *id).await? {
                Some((p, t)) => resolved.push((t.id, Some(p.id))),
                None => return Ok(None),
            },
        }
    }
    Ok(Some(resolved))
}

/// Validates and saves: a new summary or a new version of an existing one.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    form: SummaryForm,
    existing: Option<summary::Model>,
) -> AppResult<Response> {
    let person = require_expert(ctx)?.clone();
    let all = practices::all_practices(&state.db).await?;
    let mut errors = FieldErrors::default();
    let refs = form.validate(&mut errors);
    let scope = Scope::for_viewer(&state.db, Some(&person)).await?;
    let sources = resolve_sources(&state.db, &scope, &refs).await?;
    if sources.is_none() {
        errors.add("sources", "summaries.source_unknown");
    }
    let known: BTreeSet<i32> = all.iter().map(|p| p.id).collect();
    let chosen: BTreeSet<i32> = form
        .practice
        .iter()
        .copied()
        .filter(|id| known.contains(id))
        .collect();
    let (action, title) = match &existing {
        Some(s) => (
            format!("/kennisbundels/{}/bewerken", s.slug),
            s.title.clone(),
        ),
        None => (
            "/kennisbundels/nieuw".to_string(),
            ctx.t("summaries.new").into_owned(),
        ),
    };
    if !errors.is_empty() {
        return Ok(forms::unprocessable(form_view(
            ctx, &action, &title, &form, &errors, &all,
        )));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let saved = match existing {
        Some(s) => {
            let mut active = s.into_active_model();
            active.title = Set(form.title.trim().into());
            active.lang = Set(form.lang.clone());
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            let slug = free_slug(&txn, &form.title).await?;
            summary::ActiveModel {
                slug: Set(slug),
                status: Set(summary::DRAFT.into()),
                lang: Set(form.lang.clone()),
                title: Set(form.title.trim().into()),
                author_id: Set(person.id),
                sources_changed: Set(false),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
        }
    };
    summary_version::ActiveModel {
        summary_id: Set(saved.id),
        editor_id: Set(person.id),
        title: Set(form.title.trim().into()),
        body: Set(form.body.trim_end().into()),
        references_text: Set(form.references.trim().into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    summary_practice::Entity::delete_many()
        .filter(summary_practice::Column::SummaryId.eq(saved.id))
        .exec(&txn)
        .await?;
    if !chosen.is_empty() {
        summary_practice::Entity::insert_many(chosen.iter().map(|&practice_id| {
            summary_practice::ActiveModel {
                summary_id: Set(saved.id),
                practice_id: Set(practice_id),
            }
        }))
        .exec(&txn)
        .await?;
    }
    summary_source::Entity::delete_many()
        .filter(summary_source::Column::SummaryId.eq(saved.id))
        .exec(&txn)
        .await?;
    let sources = sources.unwrap_or_default();
    if !sources.is_empty() {
        summary_source::Entity::insert_many(sources.iter().map(|(thread_id, post_id)| {
            summary_source::ActiveModel {
                summary_id: Set(saved.id),
                thread_id: Set(*thread_id),
                post_id: Set(*post_id),
                ..Default::default()
            }
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(Redirect::to(&format!("/kennisbundels/{}", saved.slug)).into_response())
}

async fn free_slug(db: &impl ConnectionTrait, title: &str) -> Result<String, DbErr> {
    let mut base = slug::slugify(title);
    base.truncate(60);
    let base = base.trim_end_matches('-').to_string();
    let base = if base.is_empty() {
        "kennisbundel".to_string()
    } else {
        base
    };
    let taken: BTreeSet<String> = summary::Entity::find()
        .filter(summary::Column::Slug.starts_with(&base))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    Ok((1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|c| !taken.contains(c) && c != "nieuw")
        .unwrap_or(base))
}

pub async fn create_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<SummaryForm>,
) -> AppResult<Response> {
    save(&state, &ctx, form, None).await
}

pub async fn edit_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    require_expert(&ctx)?;
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let full = load(&state.db, s).await?.ok_or(AppError::NotFound)?;
    let form = SummaryForm {
        title: full.version.title.clone(),
        body: full.version.body.clone(),
        lang: full.summary.lang.clone(),
        practice: full.practice_ids.clone(),
        sources: full
            .sources
            .iter()
            .map(|s| match s.post_id {
                Some(p) => format!("/berichten/{p}"),
                None => format!("/onderwerpen/{}", s.thread_id),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        references: full.version.references_text.clone(),
    };
    let all = practices::all_practices(&state.db).await?;
    Ok(form_view(
        &ctx,
        &format!("/kennisbundels/{slug}/bewerken"),
        &full.summary.title,
        &form,
        &FieldErrors::default(),
        &all,
    ))
}

pub async fn update_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<SummaryForm>,
) -> AppResult<Response> {
    require_expert(&ctx)?;
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    if s.status == summary::WITHDRAWN {
        return Err(AppError::Forbidden);
    }
    save(&state, &ctx, form, Some(s)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    action: String,
}

/// Moves a summary along: submit for review, approve (never one's own), send back,
/// withdraw, or offer a withdrawn one for review again.
pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let person = require_expert(&ctx)?.clone();
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let next = match (s.status.as_str(), form.action.as_str()) {
        (summary::DRAFT, "submit") => summary::REVIEW,
        (summary::REVIEW, "approve") if s.author_id != person.id => summary::PUBLISHED,
        (summary::REVIEW, "approve") => return Err(AppError::Forbidden),
        (summary::REVIEW, "return") => summary::DRAFT,
        (summary::PUBLISHED, "withdraw") => summary::WITHDRAWN,
        (summary::WITHDRAWN, "submit") => summary::REVIEW,
        (summary::PUBLISHED, "checked") => summary::PUBLISHED,
        _ => return Err(AppError::BadRequest),
    };
    let txn = state.db.begin().await?;
    let mut active = s.clone().into_active_model();
    active.status = Set(next.into());
    active.updated_at = Set(Utc::now());
    if next == summary::PUBLISHED && s.status == summary::REVIEW {
        active.reviewer_id = Set(Some(person.id));
        active.published_at = Set(Some(s.published_at.unwrap_or_else(Utc::now)));
    }
    if form.action == "checked" {
        active.sources_changed = Set(false);
    }
    active.update(&txn).await?;
    audit::record(
        &txn,
        Some(person.id),
        &format!("summary_{}", form.action),
        &s.slug,
        next,
    )
    .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/kennisbundels/{slug}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompareQuery {
    van: Option<i32>,
    naar: Option<i32>,
}

/// Every version, and a readable comparison of any two (by default the last two).
pub async fn show_versions(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<CompareQuery>,
) -> AppResult<Markup> {
    require_expert(&ctx)?;
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let versions = summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.eq(s.id))
        .order_by_asc(summary_version::Column::Id)
        .all(&state.db)
        .await?;
    let editors = forum::people(&state.db, versions.iter().map(|v| v.editor_id)).await?;
    let numbered: HashMap<i32, usize> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id, i + 1))
        .collect();
    let to = q
        .naar
        .and_then(|id| versions.iter().find(|v| v.id == id))
        .or(versions.last());
    let from = q
        .van
        .and_then(|id| versions.iter().find(|v| v.id == id))
        .or_else(|| to.and_then(|t| versions.iter().rev().find(|v| v.id < t.id)));
    let name = |id: i32| {
        editors
            .get(&id)
            .map(|u: &user::Model| u.name.as_str())
            .unwrap_or("—")
    };
    let diffs = match (from, to) {
        (Some(a), Some(b)) => {
            crate::diff::compare_all(vec![
                (a.title.clone(), b.title.clone()),
                (a.body.clone(), b.body.clone()),
                (a.references_text.clone(), b.references_text.clone()),
            ])
            .await?
        }
        _ => Vec::new(),
    };
    let title = ctx.t("summaries.versions");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/kennisbundels/" (s.slug) } { (s.title) } }
            h1 { (title) }
            form.move-thread method="get" action={ "/kennisbundels/" (s.slug) "/versies" } {
                label for="van" { (ctx.t("summaries.compare_from")) }
                select #van name="van" {
                    @for v in &versions {
                        option value=(v.id) selected[from.is_some_and(|f| f.id == v.id)] {
                            (rust_i18n::t!("forum.version_n", locale = ctx.lang.code(), n = numbered[&v.id])) " · " (name(v.editor_id))
                        }
                    }
                }
                label for="naar" { (ctx.t("summaries.compare_to")) }
                select #naar name="naar" {
                    @for v in &versions {
                        option value=(v.id) selected[to.is_some_and(|t| t.id == v.id)] {
                            (rust_i18n::t!("forum.version_n", locale = ctx.lang.code(), n = numbered[&v.id])) " · " (name(v.editor_id))
                        }
                    }
                }
                button.secondary type="submit" { (ctx.t("summaries.compare")) }
            }
            @if let [title_diff, body_diff, references_diff] = diffs.as_slice() {
                p.hint { (ctx.t("forum.diff_hint")) }
                h2 { (ctx.t("field.title")) }
                (title_diff)
                h2 { (ctx.t("field.body")) }
                (body_diff)
                h2 { (ctx.t("field.references")) }
                (references_diff)
            } @else {
                p.empty { (ctx.t("summaries.one_version")) }
            }
        },
    ))
}

/// The newest version of each of these summaries, in one query.
pub async fn latest_versions(
    db: &impl ConnectionTrait,
    ids: Vec<i32>,
) -> Result<HashMap<i32, summary_version::Model>, DbErr> {
    let mut latest: HashMap<i32, summary_version::Model> = HashMap::new();
    if ids.is_empty() {
        return Ok(latest);
    }
    for v in summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.is_in(ids))
        .order_by_asc(summary_version::Column::Id)
        .all(db)
        .await?
    {
        latest.insert(v.summary_id, v);
    }
    Ok(latest)
}
