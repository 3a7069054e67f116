//! The experts' side of summaries: writing drafts (every save a new version), review by
//! another expert, publication, revision, withdrawal, and comparing versions.
//!
//! Nothing an expert writes reaches the public without a second expert: a summary is public
//! only as its published version (`published_version_id`), with the practices and sources
//! stored beside it. Saving a published summary adds a version that is a *revision*: it is
//! offered for review and approved (never by one who wrote it) or sent back like a first
//! draft, and only approval makes its title, text, references, language, practices and
//! sources public.

use std::collections::{BTreeSet, HashMap};

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

use super::{
    model::{SourceRef, SummaryForm, parse_source},
    require_expert,
};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::CsrfForm,
    entities::{
        post, practice,
        summary::{self, RevisionStatus, SummaryStatus},
        summary_practice, summary_source, summary_version, user,
    },
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    forum::{self, Scope, views::when},
    i18n::Lang,
    layout, practices,
};

/// A summary with the text its page shows, the practices and sources shown with it, and a
/// revision waiting for review.
pub struct Full {
    pub summary: summary::Model,
    /// The published version while the summary is published; before that (and once
    /// withdrawn) the newest draft, which only experts see.
    pub version: summary_version::Model,
    /// A newer version of a published summary: the revision under way, for experts only.
    pub revision: Option<summary_version::Model>,
    pub practice_ids: Vec<i32>,
    pub sources: Vec<summary_source::Model>,
}

async fn newest_version(
    db: &impl ConnectionTrait,
    summary_id: i32,
) -> Result<Option<summary_version::Model>, DbErr> {
    summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.eq(summary_id))
        .order_by_desc(summary_version::Column::Id)
        .one(db)
        .await
}

pub async fn load(
    db: &impl ConnectionTrait,
    summary: summary::Model,
) -> Result<Option<Full>, DbErr> {
    let Some(newest) = newest_version(db, summary.id).await? else {
        return Ok(None);
    };
    let (version, revision) = if summary.status == SummaryStatus::Published {
        let Some(id) = summary.published_version_id else {
            return Ok(None);
        };
        if newest.id == id {
            (newest, None)
        } else {
            let Some(live) = summary_version::Entity::find_by_id(id).one(db).await? else {
                return Ok(None);
            };
            (live, Some(newest))
        }
    } else {
        (newest, None)
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
        revision,
        practice_ids,
        sources,
    }))
}

/// Who wrote what is up for approval: the editors of every version after the published
/// one (all versions before the first publication). A withdrawn summary offered again
/// unchanged is its author's. None of them may approve it.
pub async fn writers_under_review(
    db: &impl ConnectionTrait,
    s: &summary::Model,
) -> Result<BTreeSet<i32>, DbErr> {
    let mut writers: BTreeSet<i32> = summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.eq(s.id))
        .filter(summary_version::Column::Id.gt(s.published_version_id.unwrap_or(0)))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.editor_id)
        .collect();
    if writers.is_empty() {
        writers.insert(s.author_id);
    }
    Ok(writers)
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
    let all = ctx
        .reader()
        .summaries()
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
                            span.badge { (ctx.t(&format!("summaries.status.{}", s.status.to_value()))) }
                            @if let Some(revision) = s.revision_status { " " span.badge.members { (ctx.t(&format!("summaries.revision.{}", revision.to_value()))) } }
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
    picker: &super::sources::Picker,
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
                (super::sources::view(ctx, picker, form))
                (forms::textarea(ctx, Field::new("sources", &form.sources).hint("summaries.sources_hint").optional(), errors))
                (forms::textarea(ctx, Field::new("references", &form.references).hint("summaries.references_hint").optional(), errors))
            }))
        },
    )
}

pub async fn new_summary(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let person = require_expert(&ctx)?;
    let all = practices::all_practices(&state.db).await?;
    let form = SummaryForm {
        lang: ctx.lang.code().into(),
        ..Default::default()
    };
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let picker = super::sources::picker(&state.db, &scope, ctx.lang, &form).await?;
    Ok(form_view(
        &ctx,
        "/kennisbundels/nieuw",
        &ctx.t("summaries.new"),
        &form,
        &FieldErrors::default(),
        &all,
        &picker,
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

/// The form's sources as the lines a version keeps (and the form shows again).
fn sources_text(refs: &BTreeSet<SourceRef>) -> String {
    refs.iter()
        .map(|r| match r {
            SourceRef::Thread(id) => format!("/onderwerpen/{id}"),
            SourceRef::Post(id) => format!("/berichten/{id}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn practice_ids_text(ids: &BTreeSet<i32>) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn parse_practice_ids(text: &str) -> BTreeSet<i32> {
    text.split(',')
        .filter_map(|id| id.trim().parse().ok())
        .collect()
}

/// Makes these practices and sources the ones shown with the summary.
async fn replace_practices_and_sources(
    db: &impl ConnectionTrait,
    summary_id: i32,
    practice_ids: &BTreeSet<i32>,
    sources: &[(i32, Option<i32>)],
) -> Result<(), DbErr> {
    summary_practice::Entity::delete_many()
        .filter(summary_practice::Column::SummaryId.eq(summary_id))
        .exec(db)
        .await?;
    if !practice_ids.is_empty() {
        summary_practice::Entity::insert_many(practice_ids.iter().map(|&practice_id| {
            summary_practice::ActiveModel {
                summary_id: Set(summary_id),
                practice_id: Set(practice_id),
            }
        }))
        .exec(db)
        .await?;
    }
    summary_source::Entity::delete_many()
        .filter(summary_source::Column::SummaryId.eq(summary_id))
        .exec(db)
        .await?;
    if !sources.is_empty() {
        summary_source::Entity::insert_many(sources.iter().map(|(thread_id, post_id)| {
            summary_source::ActiveModel {
                summary_id: Set(summary_id),
                thread_id: Set(*thread_id),
                post_id: Set(*post_id),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// Validates and saves: a new summary or a new version of an existing one. While the
/// summary is published, the new version is a revision and nothing public changes.
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
    if form.action == "find" {
        // Looking for sources: the form again, with what the search found, nothing saved.
        let picker = super::sources::picker(&state.db, &scope, ctx.lang, &form).await?;
        let none = FieldErrors::default();
        return Ok(form_view(ctx, &action, &title, &form, &none, &all, &picker).into_response());
    }
    if !errors.is_empty() {
        let picker = super::sources::picker(&state.db, &scope, ctx.lang, &form).await?;
        return Ok(forms::unprocessable(form_view(
            ctx, &action, &title, &form, &errors, &all, &picker,
        )));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let published = existing
        .as_ref()
        .is_some_and(|s| s.status == SummaryStatus::Published);
    let saved = match existing {
        Some(s) if published => {
            let revision = s.revision_status.unwrap_or(RevisionStatus::Draft);
            let mut active = s.into_active_model();
            active.revision_status = Set(Some(revision));
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
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
                status: Set(SummaryStatus::Draft),
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
        lang: Set(Some(form.lang.clone())),
        practice_ids: Set(Some(practice_ids_text(&chosen))),
        sources: Set(Some(sources_text(&refs))),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    if !published {
        let sources = sources.unwrap_or_default();
        replace_practices_and_sources(&txn, saved.id, &chosen, &sources).await?;
    }
    // A nominated thread chosen as a source: its nomination is linked, its nominator told.
    let ticked: BTreeSet<i32> = refs
        .iter()
        .filter_map(|r| match r {
            SourceRef::Thread(id) => Some(*id),
            SourceRef::Post(_) => None,
        })
        .collect();
    for n in super::sources::link_nominations(&txn, saved.id, &ticked, person.id).await? {
        super::nominations::tell_nominator(
            &txn,
            n.nominator_id,
            n.thread_id,
            person.id,
            crate::entities::nomination::LINKED,
        )
        .await?;
    }
    crate::search::index::sync_summary(&txn, saved.id).await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/kennisbundels/{}", saved.slug)).into_response())
}

/// Approval: `version` becomes what the public reads, with the title, language,
/// practices and sources it proposed. Sources were checked against its writer's scope
/// when it was saved; here a post is only placed in its thread again.
async fn make_public(
    db: &impl ConnectionTrait,
    s: &summary::Model,
    version: &summary_version::Model,
    reviewer_id: i32,
) -> Result<(), DbErr> {
    if let Some(ids) = &version.practice_ids {
        let practice_ids = parse_practice_ids(ids);
        let sources = match &version.sources {
            Some(lines) => {
                let refs: Vec<SourceRef> = lines.lines().filter_map(parse_source).collect();
                let post_ids = refs.iter().filter_map(|r| match r {
                    SourceRef::Post(id) => Some(*id),
                    SourceRef::Thread(_) => None,
                });
                let threads_of: HashMap<i32, i32> = post::Entity::find()
                    .filter(post::Column::Id.is_in(post_ids))
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|p| (p.id, p.thread_id))
                    .collect();
                refs.iter()
                    .filter_map(|r| match r {
                        SourceRef::Thread(id) => Some((*id, None)),
                        SourceRef::Post(id) => threads_of.get(id).map(|t| (*t, Some(*id))),
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        replace_practices_and_sources(db, s.id, &practice_ids, &sources).await?;
    }
    let now = Utc::now();
    let mut active = s.clone().into_active_model();
    active.status = Set(SummaryStatus::Published);
    active.revision_status = Set(None);
    active.published_version_id = Set(Some(version.id));
    active.title = Set(version.title.clone());
    if let Some(lang) = &version.lang {
        active.lang = Set(lang.clone());
    }
    active.reviewer_id = Set(Some(reviewer_id));
    active.published_at = Set(Some(s.published_at.unwrap_or(now)));
    active.updated_at = Set(now);
    active.update(db).await?;
    Ok(())
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

/// The form holds the newest version: a revision under way is edited further.
pub async fn edit_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let person = require_expert(&ctx)?;
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let full = load(&state.db, s).await?.ok_or(AppError::NotFound)?;
    let newest = full.revision.as_ref().unwrap_or(&full.version);
    let form = SummaryForm {
        title: newest.title.clone(),
        body: newest.body.clone(),
        lang: newest
            .lang
            .clone()
            .unwrap_or_else(|| full.summary.lang.clone()),
        practice: match &newest.practice_ids {
            Some(ids) => parse_practice_ids(ids).into_iter().collect(),
            None => full.practice_ids.clone(),
        },
        sources: String::new(),
        references: newest.references_text.clone(),
        ..Default::default()
    };
    // Threads show as ticked boxes; links to single posts stay in the text field.
    let lines: Vec<String> = match &newest.sources {
        Some(lines) => lines.lines().map(String::from).collect(),
        None => full
            .sources
            .iter()
            .map(|s| match s.post_id {
                Some(p) => format!("/berichten/{p}"),
                None => format!("/onderwerpen/{}", s.thread_id),
            })
            .collect(),
    };
    let mut form = form;
    for line in lines {
        match parse_source(&line) {
            Some(SourceRef::Thread(id)) => form.source.push(id),
            _ => {
                form.sources.push_str(&line);
                form.sources.push('\n');
            }
        }
    }
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let picker = super::sources::picker(&state.db, &scope, ctx.lang, &form).await?;
    let all = practices::all_practices(&state.db).await?;
    Ok(form_view(
        &ctx,
        &format!("/kennisbundels/{slug}/bewerken"),
        &full.summary.title,
        &form,
        &FieldErrors::default(),
        &all,
        &picker,
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
    if s.status == SummaryStatus::Withdrawn {
        return Err(AppError::Forbidden);
    }
    save(&state, &ctx, form, Some(s)).await
}

/// What an expert does with a summary on its page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Submit,
    Approve,
    Return,
    Withdraw,
    Checked,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Submit,
        Action::Approve,
        Action::Return,
        Action::Withdraw,
        Action::Checked,
    ];

    fn parse(text: &str) -> Option<Action> {
        Some(match text {
            "submit" => Action::Submit,
            "approve" => Action::Approve,
            "return" => Action::Return,
            "withdraw" => Action::Withdraw,
            "checked" => Action::Checked,
            _ => return None,
        })
    }

    /// Its name in the form and in the audit log (`audit.summary_…`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Withdraw => "withdraw",
            Action::Checked => "checked",
        }
    }
}

/// Where a summary goes: its status and the state of its revision, or approval.
enum Step {
    To(SummaryStatus, Option<RevisionStatus>),
    Approve,
}

/// The workflow, for a first draft and for a revision of a published summary alike:
/// submit → approve (by another expert) or return; published ones can be withdrawn, and a
/// withdrawn one offered again.
fn step(s: &summary::Model, action: Action) -> Option<Step> {
    use RevisionStatus as R;
    use SummaryStatus as S;
    Some(match (s.status, s.revision_status, action) {
        (S::Draft, _, Action::Submit) | (S::Withdrawn, _, Action::Submit) => {
            Step::To(S::Review, None)
        }
        (S::Review, _, Action::Approve) => Step::Approve,
        (S::Review, _, Action::Return) => Step::To(S::Draft, None),
        (S::Published, Some(R::Draft), Action::Submit) => Step::To(S::Published, Some(R::Review)),
        (S::Published, Some(R::Review), Action::Approve) => Step::Approve,
        (S::Published, Some(R::Review), Action::Return) => Step::To(S::Published, Some(R::Draft)),
        (S::Published, _, Action::Withdraw) => Step::To(S::Withdrawn, None),
        (S::Published, revision, Action::Checked) => Step::To(S::Published, revision),
        _ => return None,
    })
}

/// Whether `action` leads anywhere from where `s` stands (the page offers only these).
pub fn allows(s: &summary::Model, action: Action) -> bool {
    step(s, action).is_some()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    action: String,
    /// The version the expert saw when approving; approval waits if a newer one came.
    version: Option<i32>,
}

/// Moves a summary, or its revision, along: submit for review, approve (never one's own),
/// send back, withdraw, or offer a withdrawn one for review again.
pub async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> AppResult<Response> {
    let person = require_expert(&ctx)?.clone();
    let action = Action::parse(&form.action).ok_or(AppError::BadRequest)?;
    let txn = state.db.begin().await?;
    let s = by_slug(&txn, &slug).await?.ok_or(AppError::NotFound)?;
    let next = step(&s, action).ok_or(AppError::BadRequest)?;
    let detail = match next {
        Step::Approve => {
            if writers_under_review(&txn, &s).await?.contains(&person.id) {
                return Err(AppError::Forbidden);
            }
            let newest = newest_version(&txn, s.id)
                .await?
                .ok_or(AppError::NotFound)?;
            if form.version.is_some_and(|seen| seen != newest.id) {
                // Someone saved again since the reviewer looked: they look again.
                return Ok(
                    Redirect::to(&format!("/kennisbundels/{slug}?nieuwer=1")).into_response()
                );
            }
            make_public(&txn, &s, &newest, person.id).await?;
            format!("{} {}", SummaryStatus::Published.to_value(), newest.id)
        }
        Step::To(status, revision) => {
            let mut active = s.clone().into_active_model();
            active.status = Set(status);
            active.revision_status = Set(revision);
            active.updated_at = Set(Utc::now());
            if action == Action::Checked {
                active.sources_changed = Set(false);
            }
            active.update(&txn).await?;
            match revision {
                Some(r) => format!("{} revision {}", status.to_value(), r.to_value()),
                None => status.to_value(),
            }
        }
    };
    crate::search::index::sync_summary(&txn, s.id).await?;
    if action == Action::Submit {
        // The expert group is asked to review it (once, until they have looked).
        let experts = crate::notifications::experts(&txn).await?;
        crate::notifications::tell(
            &txn,
            experts,
            crate::entities::notification::SUMMARY_REVIEW,
            crate::notifications::Target::Summary(s.id),
            person.id,
        )
        .await?;
    }
    audit::record(
        &txn,
        Some(person.id),
        &format!("summary_{}", action.name()),
        &s.slug,
        &detail,
    )
    .await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
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
    // A revision under way is compared with what the public reads now.
    let live = s
        .published_version_id
        .filter(|_| s.status == SummaryStatus::Published);
    let from = q
        .van
        .and_then(|id| versions.iter().find(|v| v.id == id))
        .or_else(|| {
            let to = to?;
            live.filter(|id| *id < to.id)
                .and_then(|id| versions.iter().find(|v| v.id == id))
                .or_else(|| versions.iter().rev().find(|v| v.id < to.id))
        });
    let name = |id: i32| {
        editors
            .get(&id)
            .map(|u: &user::Model| u.name.as_str())
            .unwrap_or("—")
    };
    let diffs = match (from, to) {
        // A redacted version has no text left to compare.
        (Some(a), Some(b)) if a.redacted_at.is_none() && b.redacted_at.is_none() => {
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
                            @if live == Some(v.id) { " · " (ctx.t("summaries.live_version")) }
                        }
                    }
                }
                label for="naar" { (ctx.t("summaries.compare_to")) }
                select #naar name="naar" {
                    @for v in &versions {
                        option value=(v.id) selected[to.is_some_and(|t| t.id == v.id)] {
                            (rust_i18n::t!("forum.version_n", locale = ctx.lang.code(), n = numbered[&v.id])) " · " (name(v.editor_id))
                            @if live == Some(v.id) { " · " (ctx.t("summaries.live_version")) }
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
            } @else if [from, to].into_iter().flatten().any(|v| v.redacted_at.is_some()) {
                p.removed { (ctx.t("summaries.compare_redacted")) }
            } @else {
                p.empty { (ctx.t("summaries.one_version")) }
            }
            h2 { (ctx.t("summaries.all_versions")) }
            p.hint { (ctx.t("summaries.redact_explain")) }
            ol.versions {
                @for v in &versions {
                    li {
                        (rust_i18n::t!("forum.version_n", locale = ctx.lang.code(), n = numbered[&v.id]))
                        " · " (name(v.editor_id)) " · " (when(&ctx, v.created_at))
                        @if live == Some(v.id) { " · " (ctx.t("summaries.live_version")) }
                        @if let Some(at) = v.redacted_at {
                            " · " span.removed { (ctx.t("forum.version_redacted")) " " (when(&ctx, at)) }
                        } @else if redactable(&s, &versions, v) {
                            form.inline method="post" action={ "/kennisbundels/" (s.slug) "/versies/" (v.id) "/wissen" } {
                                (layout::csrf_field(&ctx))
                                " " button.linklike type="submit" { (ctx.t("forum.redact")) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// An earlier version may be redacted; not the one the public reads, nor the newest (the
/// text being worked on).
fn redactable(
    s: &summary::Model,
    versions: &[summary_version::Model],
    v: &summary_version::Model,
) -> bool {
    v.redacted_at.is_none()
        && s.published_version_id != Some(v.id)
        && versions.last().is_some_and(|newest| newest.id != v.id)
}

/// An expert redacts an earlier version of a summary: its title, text and literature are
/// emptied in the database (and, with SQLite's `secure_delete` and a checkpoint, in the
/// file); the list of versions keeps a marker with the time.
pub async fn redact_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, version_id)): Path<(String, i32)>,
    CsrfForm(_): CsrfForm<crate::csrf::NoFields>,
) -> AppResult<Response> {
    let person = require_expert(&ctx)?;
    let s = by_slug(&state.db, &slug).await?.ok_or(AppError::NotFound)?;
    let versions = summary_version::Entity::find()
        .filter(summary_version::Column::SummaryId.eq(s.id))
        .order_by_asc(summary_version::Column::Id)
        .all(&state.db)
        .await?;
    let version = versions
        .iter()
        .find(|v| v.id == version_id)
        .ok_or(AppError::NotFound)?;
    let back = format!("/kennisbundels/{}/versies", s.slug);
    if version.redacted_at.is_some() {
        return Ok(Redirect::to(&back).into_response());
    }
    if !redactable(&s, &versions, version) {
        return Err(AppError::Forbidden);
    }
    let txn = state.db.begin().await?;
    let mut active = version.clone().into_active_model();
    active.title = Set(String::new());
    active.body = Set(String::new());
    active.references_text = Set(String::new());
    active.sources = Set(None);
    active.redacted_at = Set(Some(Utc::now()));
    active.redacted_by = Set(Some(person.id));
    active.update(&txn).await?;
    crate::search::index::sync_summary(&txn, s.id).await?;
    audit::record(
        &txn,
        Some(person.id),
        "summary_version_redacted",
        &s.slug,
        &format!("#{}", version.id),
    )
    .await?;
    txn.commit().await?;
    crate::db::flush_erased(&state.db).await?;
    Ok(Redirect::to(&back).into_response())
}

/// The published version of each of these published summaries, in one query: what lists,
/// feeds and digests show. A summary without one is left out.
pub async fn live_versions(
    db: &impl ConnectionTrait,
    summaries: &[summary::Model],
) -> Result<HashMap<i32, summary_version::Model>, DbErr> {
    let ids: Vec<i32> = summaries
        .iter()
        .filter(|s| s.status == SummaryStatus::Published)
        .filter_map(|s| s.published_version_id)
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(summary_version::Entity::find()
        .filter(summary_version::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.summary_id, v))
        .collect())
}
