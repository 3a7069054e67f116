//! Keeping the index in step with what is written. Every write that changes what a text
//! says or who may find it calls one of these inside its own transaction, so there is no
//! moment at which the index and the text disagree.
//!
//! What goes in: a post only while every reader of its thread may read it
//! ([`visibility::indexable`]: not hidden, not removed); a summary's published version, or,
//! while it is not published, its newest version (the visibility rule lets only the expert
//! group find those). Who may read the thread or summary is not stored here at all: every
//! search asks the visibility rule live, so moving a thread or changing its audience needs
//! no change of the index.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use indicatif::ProgressBar;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::text::{self, Stems};
use crate::{
    entities::{
        intervention::{self, Status},
        intervention_version, post, search_doc, summary,
        summary::SummaryStatus,
        summary_version, thread,
    },
    visibility,
};

/// The make-up of the index: raise it when what is stored changes, and every instance
/// rebuilds its index at the next start.
pub const VERSION: i32 = 3;

/// Posts' documents lie below this id (a post's document has the post's id).
pub(super) const POSTS_END: i64 = 1 << 31;
/// Threads' titles lie from here, summaries from [`SUMMARIES`].
pub(super) const TITLES: i64 = 1 << 32;
pub(super) const SUMMARIES: i64 = 1 << 33;
pub(super) const SUMMARIES_END: i64 = 1 << 34;
/// Interventions' documents lie from here (right after the summaries').
pub(super) const INTERVENTIONS: i64 = SUMMARIES_END;
pub(super) const INTERVENTIONS_END: i64 = 1 << 35;

/// One id space says what a document is: a post's document has the post's id (ids are
/// handed out in the order posts are written, so a larger id is a newer post), a thread's
/// title and a summary theirs above a kind's bit. Small ids keep the full-text index
/// small: it stores the gaps between them.
pub(super) fn post_doc_id(post: i32) -> i64 {
    i64::from(post)
}

pub(super) fn title_doc_id(thread: i32) -> i64 {
    TITLES | i64::from(thread)
}

pub(super) fn summary_doc_id(summary: i32) -> i64 {
    SUMMARIES | i64::from(summary)
}

pub(super) fn intervention_doc_id(intervention: i32) -> i64 {
    INTERVENTIONS | i64::from(intervention)
}

/// One text as the index keeps it.
struct Doc {
    id: i64,
    post_id: Option<i32>,
    thread_id: Option<i32>,
    summary_id: Option<i32>,
    intervention_id: Option<i32>,
    author_id: i32,
    created_at: DateTime<Utc>,
    title: Stems,
    body: Stems,
    /// A post's practice, as the token a search within it looks for.
    place: Option<String>,
}

/// The token that says a post's thread is in this practice. Words never hold a `-`, so no
/// query can look for it by chance.
pub(super) fn place_token(practice: i32) -> String {
    format!("p-{practice}")
}

/// Brings these posts' entries up to date: (re)indexes those every reader of their thread
/// may read, drops the others, and keeps each thread's title in the index while the
/// thread has a post in it.
pub async fn sync_posts(db: &impl ConnectionTrait, post_ids: &[i32]) -> Result<(), DbErr> {
    for chunk in post_ids.chunks(1_000) {
        let posts = post::Entity::find()
            .filter(post::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        let old: Vec<(i64, Option<i32>)> = search_doc::Entity::find()
            .select_only()
            .columns([search_doc::Column::Id, search_doc::Column::ThreadId])
            .filter(search_doc::Column::PostId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        let mut thread_ids: Vec<i32> = posts
            .iter()
            .map(|p| p.thread_id)
            .chain(old.iter().filter_map(|(_, t)| *t))
            .collect();
        thread_ids.sort_unstable();
        thread_ids.dedup();
        let threads: HashMap<i32, thread::Model> = thread::Entity::find()
            .filter(thread::Column::Id.is_in(thread_ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let (docs, titles) = crate::markdown::off_executor(|| post_docs(&posts, &threads));
        forget(db, old.into_iter().map(|(id, _)| id)).await?;
        insert(db, docs).await?;
        sync_titles(db, &thread_ids, &threads, titles).await?;
    }
    Ok(())
}

/// The documents of the posts every reader may read, and each thread's title as stems.
/// Stemming is the costly part of indexing, so a large batch is shared among the cores.
fn post_docs(
    posts: &[post::Model],
    threads: &HashMap<i32, thread::Model>,
) -> (Vec<Doc>, HashMap<i32, Stems>) {
    let mut stemmer = text::Cache::default();
    let titles: HashMap<i32, Stems> = threads
        .values()
        .map(|t| (t.id, stemmer.stems(&t.title)))
        .collect();
    let readable: Vec<&post::Model> = posts
        .iter()
        .filter(|p| visibility::indexable(p) && titles.contains_key(&p.thread_id))
        .collect();
    let bodies = |part: &[&post::Model]| -> Vec<Stems> {
        let mut stemmer = text::Cache::default();
        part.iter().map(|p| stemmer.stems(&p.body)).collect()
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let stems: Vec<Stems> = if readable.len() < 200 || cores < 2 {
        bodies(&readable)
    } else {
        let size = readable.len().div_ceil(cores);
        std::thread::scope(|scope| {
            let parts: Vec<_> = readable
                .chunks(size)
                .map(|part| scope.spawn(move || bodies(part)))
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap_or_default())
                .collect()
        })
    };
    let docs = readable
        .iter()
        .zip(stems)
        .filter_map(|(p, body)| {
            Some(Doc {
                id: post_doc_id(p.id),
                post_id: Some(p.id),
                thread_id: Some(p.thread_id),
                summary_id: None,
                intervention_id: None,
                author_id: p.author_id,
                created_at: p.created_at,
                title: titles.get(&p.thread_id)?.clone(),
                body,
                place: threads
                    .get(&p.thread_id)
                    .map(|t| place_token(t.practice_id)),
            })
        })
        .collect();
    (docs, titles)
}

/// A thread's title is a document of its own (what ranks a search and what similar
/// threads are found by) while the thread has a post in the index, and none otherwise.
async fn sync_titles(
    db: &impl ConnectionTrait,
    thread_ids: &[i32],
    threads: &HashMap<i32, thread::Model>,
    mut titles: HashMap<i32, Stems>,
) -> Result<(), DbErr> {
    if thread_ids.is_empty() {
        return Ok(());
    }
    let with_posts: HashSet<i32> = search_doc::Entity::find()
        .select_only()
        .column(search_doc::Column::ThreadId)
        .distinct()
        .filter(search_doc::Column::ThreadId.is_in(thread_ids.iter().copied()))
        .filter(search_doc::Column::Id.lt(POSTS_END))
        .into_tuple::<Option<i32>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    forget(db, thread_ids.iter().map(|t| title_doc_id(*t))).await?;
    let docs = thread_ids
        .iter()
        .filter(|t| with_posts.contains(t))
        .filter_map(|t| {
            let thread = threads.get(t)?;
            Some(Doc {
                id: title_doc_id(thread.id),
                post_id: None,
                thread_id: Some(thread.id),
                summary_id: None,
                intervention_id: None,
                author_id: thread.author_id,
                created_at: thread.created_at,
                title: titles.remove(t)?,
                body: Stems::default(),
                place: None,
            })
        })
        .collect();
    insert(db, docs).await
}

/// Brings one summary's entry up to date.
pub async fn sync_summary(db: &impl ConnectionTrait, summary_id: i32) -> Result<(), DbErr> {
    forget(db, [summary_doc_id(summary_id)]).await?;
    let Some(summary) = summary::Entity::find_by_id(summary_id).one(db).await? else {
        return Ok(());
    };
    let version = match (summary.status, summary.published_version_id) {
        (SummaryStatus::Published, Some(id)) => {
            summary_version::Entity::find_by_id(id).one(db).await?
        }
        _ => {
            summary_version::Entity::find()
                .filter(summary_version::Column::SummaryId.eq(summary_id))
                .order_by_desc(summary_version::Column::Id)
                .one(db)
                .await?
        }
    };
    let Some(version) = version else {
        return Ok(());
    };
    let doc = crate::markdown::off_executor(|| Doc {
        id: summary_doc_id(summary.id),
        post_id: None,
        thread_id: None,
        summary_id: Some(summary.id),
        intervention_id: None,
        author_id: summary.author_id,
        created_at: summary.published_at.unwrap_or(summary.updated_at),
        title: Stems::of(&version.title),
        body: Stems::of(&format!("{}\n{}", version.body, version.references_text)),
        place: None,
    });
    insert(db, vec![doc]).await
}

/// Brings one intervention's entry up to date: its published version while it is in the
/// catalogue, nothing otherwise (a proposal is found by nobody).
pub async fn sync_intervention(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    forget(db, [intervention_doc_id(id)]).await?;
    let Some(i) = intervention::Entity::find_by_id(id).one(db).await? else {
        return Ok(());
    };
    let (Status::Published, Some(version)) = (i.status, i.published_version_id) else {
        return Ok(());
    };
    let Some(v) = intervention_version::Entity::find_by_id(version)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let doc = crate::markdown::off_executor(|| Doc {
        id: intervention_doc_id(i.id),
        post_id: None,
        thread_id: None,
        summary_id: None,
        intervention_id: Some(i.id),
        author_id: v.author_id,
        created_at: i.published_at.unwrap_or(i.updated_at),
        title: Stems::of(&v.name),
        body: Stems::of(&format!(
            "{}\n{}\n{}\n{}\n{}",
            v.description, v.referral, v.contact, v.languages, v.evidence
        )),
        place: None,
    });
    insert(db, vec![doc]).await
}

async fn forget(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(), DbErr> {
    let ids: Vec<i64> = ids.into_iter().collect();
    for chunk in ids.chunks(1_000) {
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            db.execute(
                Query::delete()
                    .from_table(Alias::new("search_fts"))
                    .and_where(Expr::col(Alias::new("rowid")).is_in(chunk.iter().copied())),
            )
            .await?;
        }
        search_doc::Entity::delete_many()
            .filter(search_doc::Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn insert(db: &impl ConnectionTrait, docs: Vec<Doc>) -> Result<(), DbErr> {
    // A few hundred rows per statement keeps under every backend's limit of bound values.
    for chunk in docs.chunks(200) {
        let backend = db.get_database_backend();
        let mut columns = vec![
            Alias::new("id"),
            Alias::new("post_id"),
            Alias::new("thread_id"),
            Alias::new("summary_id"),
            Alias::new("intervention_id"),
            Alias::new("author_id"),
            Alias::new("created_at"),
        ];
        if backend == DatabaseBackend::Postgres {
            columns.push(Alias::new("terms"));
        }
        let mut rows = Query::insert()
            .into_table(search_doc::Entity)
            .columns(columns)
            .to_owned();
        for doc in chunk {
            let mut values: Vec<Expr> = vec![
                Expr::val(doc.id),
                Expr::val(doc.post_id),
                Expr::val(doc.thread_id),
                Expr::val(doc.summary_id),
                Expr::val(doc.intervention_id),
                Expr::val(doc.author_id),
                Expr::val(doc.created_at),
            ];
            if backend == DatabaseBackend::Postgres {
                values.push(Expr::val(tsvector(doc)).cast_as(Alias::new("tsvector")));
            }
            rows.values(values)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        db.execute(&rows).await?;
        if backend == DatabaseBackend::Sqlite {
            let mut fts = Query::insert()
                .into_table(Alias::new("search_fts"))
                .columns(
                    [
                        "rowid", "title_nl", "title_en", "body_nl", "body_en", "place",
                    ]
                    .map(Alias::new),
                )
                .to_owned();
            for doc in chunk {
                fts.values([
                    Expr::val(doc.id),
                    Expr::val(doc.title.dutch.join(" ")),
                    Expr::val(doc.title.english.join(" ")),
                    Expr::val(doc.body.dutch.join(" ")),
                    Expr::val(doc.body.english.join(" ")),
                    Expr::val(doc.place.clone().unwrap_or_default()),
                ])
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            }
            db.execute(&fts).await?;
        }
    }
    Ok(())
}

/// PostgreSQL keeps at most this many positions of one word, and none past this one.
const PG_MAX_POSITIONS: usize = 256;
const PG_MAX_POSITION: usize = 16_383;

/// A document as a `tsvector` literal: the same stems SQLite gets, title words weighted A,
/// the four runs one after another so that a phrase never spans two of them. The literal is
/// written here rather than parsed by PostgreSQL so that both databases hold the very same
/// terms.
fn tsvector(doc: &Doc) -> String {
    let mut positions: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut at = 0usize;
    let runs = [
        (&doc.title.dutch, "A"),
        (&doc.title.english, "A"),
        (&doc.body.dutch, ""),
        (&doc.body.english, ""),
    ];
    for (words, weight) in runs {
        for word in words {
            at = (at + 1).min(PG_MAX_POSITION);
            let list = positions.entry(word.as_str()).or_default();
            if list.len() < PG_MAX_POSITIONS {
                list.push(format!("{at}{weight}"));
            }
        }
        // A gap, so the last word of one run and the first of the next are no phrase.
        at = (at + 1).min(PG_MAX_POSITION);
    }
    let mut out = String::new();
    if let Some(place) = &doc.place {
        out.push_str(&format!("'{place}'"));
    }
    for (word, list) in positions {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        out.push_str(&word.replace('\\', "\\\\").replace('\'', "''"));
        out.push_str("':");
        out.push_str(&list.join(","));
    }
    out
}

/// Rebuilds the whole index, a batch of posts at a time, each batch in its own transaction
/// so the site keeps serving (and writing) meanwhile. Returns the number of texts indexed.
pub async fn reindex(
    db: &sea_orm::DatabaseConnection,
    progress: &ProgressBar,
) -> Result<u64, DbErr> {
    const BATCH: u64 = 1_000;
    let posts: Vec<i32> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .order_by_asc(post::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let summaries: Vec<i32> = summary::Entity::find()
        .select_only()
        .column(summary::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let interventions: Vec<i32> = intervention::Entity::find()
        .select_only()
        .column(intervention::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    progress.set_length((posts.len() + summaries.len() + interventions.len()) as u64);
    // Entries of posts and summaries that no longer exist.
    let txn = db.begin().await?;
    let gone: Vec<i64> = search_doc::Entity::find()
        .select_only()
        .column(search_doc::Column::Id)
        .filter(
            Condition::any()
                .add(
                    search_doc::Column::PostId.not_in_subquery(
                        Query::select()
                            .column(post::Column::Id)
                            .from(post::Entity)
                            .to_owned(),
                    ),
                )
                .add(
                    search_doc::Column::ThreadId.not_in_subquery(
                        Query::select()
                            .column(thread::Column::Id)
                            .from(thread::Entity)
                            .to_owned(),
                    ),
                )
                .add(
                    search_doc::Column::SummaryId.not_in_subquery(
                        Query::select()
                            .column(summary::Column::Id)
                            .from(summary::Entity)
                            .to_owned(),
                    ),
                )
                .add(
                    search_doc::Column::InterventionId.not_in_subquery(
                        Query::select()
                            .column(intervention::Column::Id)
                            .from(intervention::Entity)
                            .to_owned(),
                    ),
                ),
        )
        .into_tuple()
        .all(&txn)
        .await?;
    forget(&txn, gone).await?;
    txn.commit().await?;
    for chunk in posts.chunks(BATCH as usize) {
        let txn = db.begin().await?;
        sync_posts(&txn, chunk).await?;
        txn.commit().await?;
        progress.inc(chunk.len() as u64);
    }
    for id in &summaries {
        let txn = db.begin().await?;
        sync_summary(&txn, *id).await?;
        txn.commit().await?;
        progress.inc(1);
    }
    for id in &interventions {
        let txn = db.begin().await?;
        sync_intervention(&txn, *id).await?;
        txn.commit().await?;
        progress.inc(1);
    }
    let txn = db.begin().await?;
    set_version(&txn, VERSION).await?;
    txn.commit().await?;
    progress.finish();
    Ok((posts.len() + summaries.len() + interventions.len()) as u64)
}

const META: &str = "search_meta";

/// The make-up version the index was last built with, if it was ever built.
pub async fn built_version(db: &impl ConnectionTrait) -> Result<Option<i32>, DbErr> {
    let row = db
        .query_one(
            Query::select()
                .column(Alias::new("value"))
                .from(Alias::new(META))
                .and_where(Expr::col(Alias::new("name")).eq("version")),
        )
        .await?;
    row.map(|r| r.try_get_by_index::<i32>(0)).transpose()
}

async fn set_version(db: &impl ConnectionTrait, version: i32) -> Result<(), DbErr> {
    db.execute(
        Query::delete()
            .from_table(Alias::new(META))
            .and_where(Expr::col(Alias::new("name")).eq("version")),
    )
    .await?;
    db.execute(
        Query::insert()
            .into_table(Alias::new(META))
            .columns([Alias::new("name"), Alias::new("value")])
            .values([Expr::val("version"), Expr::val(version)])
            .map_err(|e| DbErr::Custom(e.to_string()))?,
    )
    .await?;
    Ok(())
}

/// At start-up: rebuild the index when it was never built or built another way.
pub async fn build_if_needed(db: &sea_orm::DatabaseConnection) -> Result<(), DbErr> {
    if built_version(db).await? == Some(VERSION) {
        return Ok(());
    }
    // Instances starting together: one builds, the others wait for it and find it built.
    crate::db::one_at_a_time(db, crate::db::Lock::SearchIndex, async {
        if built_version(db).await? == Some(VERSION) {
            return Ok(());
        }
        tracing::info!("building the search index");
        let n = reindex(db, &ProgressBar::hidden()).await?;
        tracing::info!(texts = n, "search index built");
        Ok(())
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tsvector_literal_weights_titles_and_separates_runs() {
        let doc = Doc {
            id: 1,
            post_id: Some(1),
            thread_id: Some(1),
            summary_id: None,
            intervention_id: None,
            author_id: 1,
            created_at: Utc::now(),
            title: Stems::of("Huisbezoek"),
            body: Stems::of("huisbezoeken o'brien"),
            place: Some(place_token(3)),
        };
        let literal = tsvector(&doc);
        assert!(literal.starts_with("'p-3' 'brien'"), "{literal}");
        assert!(literal.contains("'huisbezoek':1A,3A,5"), "{literal}");
        let long = Doc {
            body: Stems::of(&"woord ".repeat(20_000)),
            ..doc
        };
        let literal = tsvector(&long);
        let woord = literal
            .split(' ')
            .find(|entry| entry.starts_with("'woord':"))
            .unwrap_or_default();
        assert_eq!(woord.matches(',').count(), PG_MAX_POSITIONS - 1);
    }
}
