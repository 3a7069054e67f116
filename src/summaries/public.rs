//! Published summaries for everyone: the list (by practice), a page per summary with its
//! provenance, and Atom feeds. Experts reach drafts through the same page, with the
//! workflow buttons; nobody else sees anything unpublished.

use std::collections::HashMap;

use atom_syndication::{Entry, Feed, Link, Person, Text};
use axum::{
    extract::{Path, Query, State},
    http::header,
    response::Response,
};
use chrono::{DateTime, FixedOffset, Utc};
use maud::{Markup, html};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Deserialize;

use super::{
    edit::{self, Action},
    model::parse_references,
};
use crate::{
    AppState,
    context::Ctx,
    entities::{
        practice,
        summary::{self, RevisionStatus, SummaryStatus},
        summary_practice, summary_source, summary_version, thread,
    },
    error::{AppError, AppResult},
    forum::{self, Scope, views::when},
    i18n::Lang,
    layout,
    markdown::{Markdown, excerpt},
    page_cache::{self, Part},
    practices,
    visibility::published_summaries,
};

const FEED_SIZE: u64 = 20;

/// Published summaries, newest first, optionally only those about one practice.
async fn published(
    db: &impl ConnectionTrait,
    practice_id: Option<i32>,
    limit: Option<u64>,
) -> Result<Vec<summary::Model>, DbErr> {
    let mut query = published_summaries()
        .order_by_desc(summary::Column::PublishedAt)
        .order_by_desc(summary::Column::Id);
    if let Some(id) = practice_id {
        let ids: Vec<i32> = summary_practice::Entity::find()
            .filter(summary_practice::Column::PracticeId.eq(id))
            .all(db)
            .await?
            .into_iter()
            .map(|p| p.summary_id)
            .collect();
        query = query.filter(summary::Column::Id.is_in(ids));
    }
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    query.all(db).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    praktijk: String,
}

pub async fn list_published(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let all = practices::all_practices(&state.db).await?;
    let chosen = all.iter().find(|p| p.slug == q.praktijk);
    let list = published(&state.db, chosen.map(|p| p.id), None).await?;
    let title = ctx.t("summaries.title");
    let feed = match chosen {
        Some(p) => format!("/praktijken/{}/kennisbundels.atom", p.slug),
        None => "/kennisbundels.atom".to_string(),
    };
    Ok(page_cache::keep(
        layout::page(
            &ctx,
            &title,
            html! {
                h1 { (title) }
                p.lead { (ctx.t("summaries.intro")) }
                form.move-thread method="get" action="/kennisbundels" {
                    label for="praktijk" { (ctx.t("summaries.filter")) }
                    select #praktijk name="praktijk" {
                        option value="" { (ctx.t("summaries.all_practices")) }
                        @for p in &all {
                            option value=(p.slug) selected[chosen.is_some_and(|c| c.id == p.id)] { (p.name(ctx.lang)) }
                        }
                    }
                    button.secondary type="submit" { (ctx.t("summaries.show")) }
                }
                @if list.is_empty() {
                    p.empty { (ctx.t("summaries.none_published")) }
                } @else {
                    ol.threads {
                        @for s in &list {
                            li.thread {
                                h2 { a href={ "/kennisbundels/" (s.slug) } { (s.title) } }
                                @if let Some(at) = s.published_at { p.meta { (when(&ctx, at)) } }
                            }
                        }
                    }
                }
                p { a href=(feed) { (ctx.t("summaries.feed")) } }
            },
        ),
        [Part::Titles],
    ))
}

/// A source as a reader may see it: with title and link, or only what kind of discussion.
enum Shown<'a> {
    Open {
        thread: &'a thread::Model,
        practice: &'a practice::Model,
        post_id: Option<i32>,
    },
    Members,
    Experts,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShowQuery {
    /// Set when an approval found a newer version than the one its expert saw.
    nieuwer: Option<String>,
}

/// The summary as the public reads it (its published version); experts also reach drafts
/// here, and see a revision under way beside the published text.
pub async fn show_summary(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let s = edit::by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_expert = ctx.reader().in_expert_group();
    if !ctx.reader().admits_summary(&s) {
        return Err(AppError::NotFound);
    }
    let full = edit::load(&state.db, s).await?.ok_or(AppError::NotFound)?;
    let writers = if is_expert {
        edit::writers_under_review(&state.db, &full.summary).await?
    } else {
        Default::default()
    };
    let all = practices::all_practices(&state.db).await?;
    let concerned: Vec<&practice::Model> = all
        .iter()
        .filter(|p| full.practice_ids.contains(&p.id))
        .collect();
    // Sources: what this reader may open is linked; the rest is named by kind only.
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let readable: HashMap<i32, thread::Model> = scope
        .threads_by_id(&state.db, full.sources.iter().map(|s| s.thread_id))
        .await?;
    let hidden_kinds: HashMap<i32, bool> = thread::Entity::find()
        .filter(
            thread::Column::Id.is_in(
                full.sources
                    .iter()
                    .map(|s| s.thread_id)
                    .filter(|id| !readable.contains_key(id)),
            ),
        )
        .all(&state.db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.visibility == thread::Visibility::Experts))
        .collect();
    let shown: Vec<Shown> = full
        .sources
        .iter()
        .filter_map(|src| match readable.get(&src.thread_id) {
            Some(t) => scope.practice(t.practice_id).map(|p| Shown::Open {
                thread: t,
                practice: p,
                post_id: src.post_id,
            }),
            None => hidden_kinds.get(&src.thread_id).map(|experts| {
                if *experts {
                    Shown::Experts
                } else {
                    Shown::Members
                }
            }),
        })
        .collect();
    let references = parse_references(&full.version.references_text).unwrap_or_default();
    let people = forum::people(
        &state.db,
        [full.summary.author_id]
            .into_iter()
            .chain(full.summary.reviewer_id),
    )
    .await?;
    let summary = &full.summary;
    Ok(page_cache::keep(
        layout::page(
            &ctx,
            &full.version.title,
            html! {
                p.breadcrumb { a href="/kennisbundels" { (ctx.t("summaries.title")) } }
                article.summary lang=(summary.lang) {
                    h1 { (full.version.title) }
                    p.meta {
                        @if let Some(at) = summary.published_at { (ctx.t("summaries.published")) " " (when(&ctx, at)) " · " }
                        (ctx.t("summaries.by_expert_group"))
                        @for p in &concerned { " · " a href={ "/kennisbundels?praktijk=" (p.slug) } { (p.name(ctx.lang)) } }
                    }
                    div.post-body { (Markdown(&full.version.body)) }
                    @if !shown.is_empty() {
                        section aria-labelledby="sources-title" {
                            h2 #sources-title { (ctx.t("summaries.sources")) }
                            ul {
                                @for src in &shown {
                                    li {
                                        @match src {
                                            Shown::Open { thread, practice, post_id } => {
                                                a href=(match post_id { Some(p) => format!("/berichten/{p}"), None => format!("/onderwerpen/{}", thread.id) }) { (thread.title) }
                                                " (" (practice.name(ctx.lang)) ")"
                                            },
                                            Shown::Members => { (ctx.t("summaries.members_discussion")) },
                                            Shown::Experts => { (ctx.t("summaries.experts_discussion")) },
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if !references.is_empty() {
                        section aria-labelledby="references-title" {
                            h2 #references-title { (ctx.t("summaries.references")) }
                            ul.references {
                                @for r in &references {
                                    li {
                                        (r.author) " (" (r.year) "). "
                                        @if let Some(link) = &r.link { a href=(link) rel="nofollow noopener" { em { (r.title) } } } @else { em { (r.title) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if is_expert {
                    (expert_controls(&ctx, &full, &people, ExpertView {
                        own: ctx.user.as_ref().is_some_and(|u| writers.contains(&u.id)),
                        newer: q.nieuwer.is_some(),
                    }))
                }
            },
        ),
        [Part::Titles],
    ))
}

/// What the workflow card needs beyond the summary itself.
struct ExpertView {
    /// The viewer wrote what is up for approval.
    own: bool,
    /// Their approval found a newer version than the one they saw.
    newer: bool,
}

fn expert_controls(
    ctx: &Ctx,
    full: &edit::Full,
    people: &HashMap<i32, crate::entities::user::Model>,
    view: ExpertView,
) -> Markup {
    let s = &full.summary;
    let name = |id: i32| people.get(&id).map(|u| u.name.as_str()).unwrap_or("—");
    // What an approval would make public: the revision, or the draft the page shows.
    let up_for_review = full.revision.as_ref().unwrap_or(&full.version);
    let in_review =
        s.status == SummaryStatus::Review || s.revision_status == Some(RevisionStatus::Review);
    html! {
        section.card.expert-controls aria-labelledby="workflow-title" {
            h2 #workflow-title { (ctx.t("summaries.workflow")) }
            p {
                span.badge { (ctx.t(&format!("summaries.status.{}", s.status.to_value()))) }
                " " (rust_i18n::t!("summaries.written_by", locale = ctx.lang.code(), name = name(s.author_id)))
                @if let Some(r) = s.reviewer_id { " · " (rust_i18n::t!("summaries.reviewed_by", locale = ctx.lang.code(), name = name(r))) }
            }
            @if view.newer {
                p.hidden-marker role="status" { (ctx.t("summaries.newer_version")) }
            }
            @if s.sources_changed {
                p.hidden-marker { (ctx.t("summaries.sources_changed_notice")) }
            }
            @if let Some(revision) = &full.revision {
                (revision_view(ctx, s, revision))
            }
            div.actions {
                @if s.status != SummaryStatus::Withdrawn {
                    a.button href={ "/kennisbundels/" (s.slug) "/bewerken" } { (ctx.t("summaries.edit")) }
                }
                a href={ "/kennisbundels/" (s.slug) "/versies" } { (ctx.t("summaries.versions")) }
                @for action in Action::ALL {
                    @if edit::allows(s, action)
                        && !(action == Action::Approve && view.own)
                        && (action != Action::Checked || s.sources_changed) {
                        form.inline method="post" action={ "/kennisbundels/" (s.slug) "/status" } {
                            (layout::csrf_field(ctx))
                            input type="hidden" name="action" value=(action.name());
                            @if action == Action::Approve {
                                input type="hidden" name="version" value=(up_for_review.id);
                            }
                            button.secondary type="submit" { (ctx.t(&format!("summaries.{}", action.name()))) }
                        }
                    }
                }
            }
            @if in_review && view.own {
                p.hint { (ctx.t("summaries.not_own_review")) }
            }
        }
    }
}

/// A revision of a published summary: where it stands, how it differs, and its text.
fn revision_view(ctx: &Ctx, s: &summary::Model, revision: &summary_version::Model) -> Markup {
    let state = s.revision_status.unwrap_or(RevisionStatus::Draft);
    html! {
        div.revision {
            p.hidden-marker {
                strong { (ctx.t(&format!("summaries.revision.{}", state.to_value()))) }
                " " (ctx.t("summaries.revision_notice"))
            }
            p { a href={ "/kennisbundels/" (s.slug) "/versies" } { (ctx.t("summaries.revision_compare")) } }
            details {
                summary { (ctx.t("summaries.revision_preview")) }
                h3 { (revision.title) }
                div.post-body { (Markdown(&revision.body)) }
            }
        }
    }
}

fn to_fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

async fn feed_response(
    state: &AppState,
    title: String,
    self_path: &str,
    practice_id: Option<i32>,
) -> AppResult<Response> {
    let list = published(&state.db, practice_id, Some(FEED_SIZE)).await?;
    let versions = edit::live_versions(&state.db, &list).await?;
    let base = &state.settings.base_url;
    // Only the published version speaks here: its title and text, and the time it was
    // written (not the time of a revision still under review).
    let entries: Vec<Entry> = list
        .iter()
        .filter_map(|s| versions.get(&s.id).map(|v| (s, v)))
        .map(|(s, v)| {
            let url = format!("{base}/kennisbundels/{}", s.slug);
            let updated = s.published_at.map_or(v.created_at, |p| p.max(v.created_at));
            let mut entry = Entry::default();
            entry.set_id(url.clone());
            entry.set_title(Text::plain(v.title.clone()));
            entry.set_updated(to_fixed(updated));
            entry.set_published(s.published_at.map(to_fixed));
            entry.set_links(vec![Link {
                href: url,
                rel: "alternate".into(),
                ..Default::default()
            }]);
            entry.set_summary(Some(Text::plain(excerpt(&v.body, 300))));
            entry.set_authors(vec![Person {
                name: Lang::Nl.t("summaries.feed_author").into_owned(),
                ..Default::default()
            }]);
            entry
        })
        .collect();
    let updated = entries
        .iter()
        .map(|e| *e.updated())
        .max()
        .unwrap_or_else(|| to_fixed(Utc::now()));
    let mut feed = Feed::default();
    feed.set_id(format!("{base}{self_path}"));
    feed.set_title(Text::plain(title));
    feed.set_updated(updated);
    feed.set_links(vec![
        Link {
            href: format!("{base}{self_path}"),
            rel: "self".into(),
            ..Default::default()
        },
        Link {
            href: format!("{base}/kennisbundels"),
            rel: "alternate".into(),
            ..Default::default()
        },
    ]);
    feed.set_entries(entries);
    Ok(page_cache::keep(
        (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            feed.to_string(),
        ),
        [Part::Titles],
    ))
}

pub async fn feed_all(State(state): State<AppState>) -> AppResult<Response> {
    feed_response(
        &state,
        Lang::Nl.t("summaries.feed_title").into_owned(),
        "/kennisbundels.atom",
        None,
    )
    .await
}

pub async fn feed_practice(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let practice = practices::all_practices(&state.db)
        .await?
        .into_iter()
        .find(|p| p.slug == slug)
        .ok_or(AppError::NotFound)?;
    let path = format!("/praktijken/{}/kennisbundels.atom", practice.slug);
    feed_response(
        &state,
        rust_i18n::t!(
            "summaries.feed_title_practice",
            locale = "nl",
            name = &practice.name_nl
        )
        .into_owned(),
        &path,
        Some(practice.id),
    )
    .await
}

/// Published summaries that cite a thread, for its "used in" line (one query).
pub async fn citing(
    db: &impl ConnectionTrait,
    thread_id: i32,
) -> Result<Vec<summary::Model>, DbErr> {
    let citing = sea_orm::sea_query::Query::select()
        .column(summary_source::Column::SummaryId)
        .from(summary_source::Entity)
        .and_where(summary_source::Column::ThreadId.eq(thread_id))
        .to_owned();
    published_summaries()
        .filter(summary::Column::Id.in_subquery(citing))
        .order_by_asc(summary::Column::Title)
        .all(db)
        .await
}

/// A cited post changed: published summaries drawing on it (or its thread) need a look.
/// Returns whether any summary was marked (the expert group's view of it changed).
pub async fn mark_sources_changed(
    db: &impl ConnectionTrait,
    thread_id: i32,
    post_id: i32,
) -> Result<bool, DbErr> {
    let ids: Vec<i32> = summary_source::Entity::find()
        .filter(summary_source::Column::ThreadId.eq(thread_id))
        .filter(
            sea_orm::Condition::any()
                .add(summary_source::Column::PostId.is_null())
                .add(summary_source::Column::PostId.eq(post_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.summary_id)
        .collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let marked = summary::Entity::update_many()
        .col_expr(
            summary::Column::SourcesChanged,
            sea_orm::sea_query::Expr::value(true),
        )
        .filter(summary::Column::Id.is_in(ids))
        .filter(summary::Column::Status.eq(SummaryStatus::Published))
        .exec(db)
        .await?;
    Ok(marked.rows_affected > 0)
}
