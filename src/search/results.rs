//! From hits to what a page shows: titles, places, authors, dates and snippets, loaded in
//! a fixed number of queries whatever the number of hits, and each through the visibility
//! rule again (a thread, post or summary the reader may not read is simply left out).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::{
    engine::{self, Filters, Hit, Target},
    query::Query,
    snippet::{self, Piece},
};
use crate::{
    entities::{
        intervention, intervention_version, post,
        practice::Kind as PracticeKind,
        summary::{self, SummaryStatus},
        summary_practice, summary_version, user,
    },
    forum::views::post_url,
    i18n::Lang,
    markdown,
    visibility::Scope,
};

/// What a result is, as the page names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A thread in a learning practice.
    Thread,
    /// A thread in the expert area.
    ExpertThread,
    /// A published summary.
    Summary,
    /// A summary not (or no longer) published: for the expert group.
    Draft,
    /// An intervention of the catalogue.
    Intervention,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Thread => "search.kind_thread",
            Kind::ExpertThread => "search.kind_expert",
            Kind::Summary => "search.kind_summary",
            Kind::Draft => "search.kind_draft",
            Kind::Intervention => "search.kind_intervention",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    pub title: String,
    /// The title with the query's words marked (empty when there is no query).
    pub marked_title: Vec<Piece>,
    pub url: String,
    /// The practice (or practices) it belongs to.
    pub places: Vec<String>,
    pub author: Option<user::Model>,
    pub date: DateTime<Utc>,
    pub snippet: Vec<Piece>,
}

/// The longest text a snippet is cut from.
const SNIPPET_SOURCE: usize = 20_000;

/// The items for these hits, in the hits' order. With `query`, each gets a snippet of the
/// best-matching text; without (a list of similar threads), none.
pub async fn load(
    db: &impl ConnectionTrait,
    scope: &Scope,
    lang: Lang,
    query: Option<&Query>,
    hits: &[Hit],
) -> Result<Vec<Item>, DbErr> {
    let thread_ids: Vec<i32> = hits
        .iter()
        .filter_map(|h| match h.target {
            Target::Thread(id) => Some(id),
            Target::Summary(_) | Target::Intervention(_) => None,
        })
        .collect();
    let summary_ids: Vec<i32> = hits
        .iter()
        .filter_map(|h| match h.target {
            Target::Summary(id) => Some(id),
            Target::Thread(_) | Target::Intervention(_) => None,
        })
        .collect();
    let intervention_ids: Vec<i32> = hits
        .iter()
        .filter_map(|h| match h.target {
            Target::Intervention(id) => Some(id),
            Target::Thread(_) | Target::Summary(_) => None,
        })
        .collect();
    // Through the rule (published only), with the version everybody reads.
    let interventions: HashMap<i32, crate::interventions::Entry> = if intervention_ids.is_empty() {
        HashMap::new()
    } else {
        let published = scope
            .reader()
            .interventions()
            .filter(intervention::Column::Id.is_in(intervention_ids.iter().copied()))
            .all(db)
            .await?;
        let versions = intervention_version::Entity::find()
            .filter(
                intervention_version::Column::Id
                    .is_in(published.iter().filter_map(|i| i.published_version_id)),
            )
            .all(db)
            .await?;
        crate::interventions::entries(db, versions)
            .await?
            .into_iter()
            .filter(|e| published.iter().any(|i| i.id == e.intervention.id))
            .map(|e| (e.intervention.id, e))
            .collect()
    };

    let threads = if thread_ids.is_empty() {
        HashMap::new()
    } else {
        scope.threads_by_id(db, thread_ids.iter().copied()).await?
    };
    // The post each thread's snippet is taken from: the newest that matched.
    let best: HashMap<i32, i32> = match query {
        Some(_) => hits
            .iter()
            .filter_map(|h| match (h.target, h.post) {
                (Target::Thread(t), Some(p)) => Some((t, p)),
                _ => None,
            })
            .collect(),
        None => HashMap::new(),
    };
    let posts: HashMap<i32, post::Model> = if best.is_empty() {
        HashMap::new()
    } else {
        scope
            .posts()
            .filter(post::Column::Id.is_in(best.values().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };

    let summaries: HashMap<i32, summary::Model> = if summary_ids.is_empty() {
        HashMap::new()
    } else {
        scope
            .reader()
            .summaries()
            .filter(summary::Column::Id.is_in(summary_ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect()
    };
    let versions = shown_versions(db, summaries.values()).await?;
    let mut summary_places: HashMap<i32, Vec<String>> = HashMap::new();
    if !summaries.is_empty() {
        for link in summary_practice::Entity::find()
            .filter(summary_practice::Column::SummaryId.is_in(summaries.keys().copied()))
            .all(db)
            .await?
        {
            if let Some(p) = scope.practice(link.practice_id) {
                summary_places
                    .entry(link.summary_id)
                    .or_default()
                    .push(p.name(lang).to_string());
            }
        }
    }

    let author_ids: HashSet<i32> = posts
        .values()
        .map(|p| p.author_id)
        .chain(threads.values().map(|t| t.author_id))
        .chain(summaries.values().map(|s| s.author_id))
        .collect();
    // Lists of similar threads (no query) show no authors.
    let authors: HashMap<i32, user::Model> = if author_ids.is_empty() || query.is_none() {
        HashMap::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(author_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect()
    };

    let items = markdown::off_executor(|| {
        hits.iter()
            .filter_map(|hit| match hit.target {
                Target::Thread(id) => {
                    let thread = threads.get(&id)?;
                    let practice = scope.practice(thread.practice_id)?;
                    let post = best.get(&id).and_then(|p| posts.get(p));
                    let snippet = match (query, post) {
                        (Some(q), Some(post)) => {
                            snippet::of(&markdown::plain(&post.body, SNIPPET_SOURCE), q)
                        }
                        _ => Vec::new(),
                    };
                    Some(Item {
                        kind: match practice.kind {
                            PracticeKind::Expert => Kind::ExpertThread,
                            PracticeKind::Practice => Kind::Thread,
                        },
                        title: thread.title.clone(),
                        marked_title: query
                            .map(|q| snippet::marked(&thread.title, q))
                            .unwrap_or_default(),
                        url: match post {
                            Some(post) => post_url(thread.id, post),
                            None => format!("/onderwerpen/{}", thread.id),
                        },
                        places: vec![practice.name(lang).to_string()],
                        author: authors
                            .get(&post.map_or(thread.author_id, |p| p.author_id))
                            .cloned(),
                        date: post.map_or(thread.created_at, |p| p.created_at),
                        snippet,
                    })
                }
                Target::Summary(id) => {
                    let summary = summaries.get(&id)?;
                    let version = versions.get(&id);
                    let snippet = match (query, version) {
                        (Some(q), Some(v)) => {
                            snippet::of(&markdown::plain(&v.body, SNIPPET_SOURCE), q)
                        }
                        _ => Vec::new(),
                    };
                    Some(Item {
                        kind: if summary.status == SummaryStatus::Published {
                            Kind::Summary
                        } else {
                            Kind::Draft
                        },
                        title: version.map_or_else(|| summary.title.clone(), |v| v.title.clone()),
                        marked_title: match (query, version) {
                            (Some(q), Some(v)) => snippet::marked(&v.title, q),
                            (Some(q), None) => snippet::marked(&summary.title, q),
                            (None, _) => Vec::new(),
                        },
                        url: format!("/kennisbundels/{}", summary.slug),
                        places: summary_places.get(&id).cloned().unwrap_or_default(),
                        author: authors.get(&summary.author_id).cloned(),
                        date: summary.published_at.unwrap_or(summary.updated_at),
                        snippet,
                    })
                }
                Target::Intervention(id) => {
                    let e = interventions.get(&id)?;
                    let v = &e.version;
                    Some(Item {
                        kind: Kind::Intervention,
                        title: v.name.clone(),
                        marked_title: query
                            .map(|q| snippet::marked(&v.name, q))
                            .unwrap_or_default(),
                        url: format!("/interventies/{}", e.intervention.slug),
                        places: Vec::new(),
                        author: None,
                        date: e
                            .intervention
                            .published_at
                            .unwrap_or(e.intervention.updated_at),
                        snippet: match query {
                            Some(q) => snippet::of(
                                &markdown::plain(
                                    &format!("{}\n\n{}", v.description, v.referral),
                                    SNIPPET_SOURCE,
                                ),
                                q,
                            ),
                            None => Vec::new(),
                        },
                    })
                }
            })
            .collect()
    });
    Ok(items)
}

/// The version of each summary the index holds: the published one, or, for a summary not
/// published, its newest. One query.
async fn shown_versions<'a>(
    db: &impl ConnectionTrait,
    summaries: impl Iterator<Item = &'a summary::Model>,
) -> Result<HashMap<i32, summary_version::Model>, DbErr> {
    let mut published = Vec::new();
    let mut unpublished = Vec::new();
    for s in summaries {
        match (s.status, s.published_version_id) {
            (SummaryStatus::Published, Some(v)) => published.push(v),
            _ => unpublished.push(s.id),
        }
    }
    if published.is_empty() && unpublished.is_empty() {
        return Ok(HashMap::new());
    }
    let mut shown: HashMap<i32, summary_version::Model> = HashMap::new();
    for v in summary_version::Entity::find()
        .filter(
            Condition::any()
                .add(summary_version::Column::Id.is_in(published.iter().copied()))
                .add(summary_version::Column::SummaryId.is_in(unpublished.iter().copied())),
        )
        .all(db)
        .await?
    {
        let keep = published.contains(&v.id)
            || shown
                .get(&v.summary_id)
                .is_none_or(|current| current.id < v.id);
        if keep {
            shown.insert(v.summary_id, v);
        }
    }
    Ok(shown)
}

/// Threads and summaries like this text (a title being typed, a thread's own title), for
/// "similar threads" and "related": titles and places, no snippets.
pub async fn similar(
    db: &impl ConnectionTrait,
    scope: &Scope,
    lang: Lang,
    text: &str,
    not_thread: Option<i32>,
    limit: u64,
) -> Result<Vec<Item>, DbErr> {
    let filters = Filters {
        not_thread,
        ..Default::default()
    };
    let hits = engine::similar(db, scope.reader(), text, &filters, limit).await?;
    load(db, scope, lang, None, &hits).await
}
