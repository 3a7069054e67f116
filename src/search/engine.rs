//! Asking the index: one search, the same on both databases. SQLite answers with FTS5,
//! PostgreSQL with a `tsquery`; both get the very same stems (see [`super::text`]) and the
//! same filters, and who may find what is always the visibility rule's answer
//! ([`Reader::threads`], [`Reader::readable_summary_ids`]), asked live. Nothing outside
//! this module writes SQL for search.
//!
//! A search never reads every match of a common word. Posts' documents are walked newest
//! first, a window at a time, and grouped by thread as they come (a document's id holds
//! its thread, see [`index::post_doc_id`]); the walk stops as soon as the page is full
//! and the count has reached [`COUNT_LIMIT`]. Titles and summaries are few (one document
//! per thread or summary) and are read whole.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, Order as SqlOrder, Query, SelectStatement},
};

use super::{index, query, text};
use crate::{
    entities::{search_doc, summary, summary_practice, thread},
    visibility::Reader,
};

/// What kind of text to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Threads,
    Summaries,
    Interventions,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    #[default]
    Relevance,
    Newest,
}

/// Narrowing a search; every field is optional.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// One practice (or the expert area): its threads and the summaries drawn from it.
    pub practice: Option<i32>,
    pub kind: Option<Kind>,
    /// Only texts written since.
    pub since: Option<DateTime<Utc>>,
    /// Only texts by these people (an empty list finds nothing).
    pub authors: Option<Vec<i32>>,
    /// Leave this thread out (the thread a "related" list is shown on).
    pub not_thread: Option<i32>,
}

/// What one result points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Thread(i32),
    Summary(i32),
    Intervention(i32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub target: Target,
    /// The engine's score (lists of similar threads only; 0 for a search).
    pub score: f64,
    /// For a thread found by a search: its newest post that matches, to take a snippet from.
    pub post: Option<i32>,
}

/// A page of results.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// How many results in all, counted up to [`COUNT_LIMIT`] (+1 meaning "more").
    pub total: u64,
    pub hits: Vec<Hit>,
}

/// Results are counted up to here; beyond it the page says "more than". Counting is what
/// makes a search walk further than its page, so the limit is what a person pages
/// through (ten pages), not more.
pub const COUNT_LIMIT: u64 = 200;

/// How the words of a query must be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    /// Every word (a search).
    All,
    /// Any word, the more the better (similar and related threads).
    Any,
}

/// A thread found by a search: its newest matching post's document.
#[derive(Clone, Copy, Debug)]
struct ThreadHit {
    thread: i32,
    newest: i64,
}

/// A summary or an intervention found by a search (few: read whole).
#[derive(Clone, Copy, Debug)]
struct SummaryHit {
    target: Target,
    date: DateTime<Utc>,
    /// Every part of the query is in its title.
    titled: bool,
}

/// A search for one page of results, best first.
///
/// By relevance: texts with every part of the query in their title come first, then the
/// others; among equals published summaries before threads, then the newest. By date:
/// the newest first. Both orders are the same on both databases.
pub async fn find(
    db: &impl ConnectionTrait,
    reader: Reader,
    query: &query::Query,
    filters: &Filters,
    order: Order,
    offset: u64,
    limit: u64,
) -> Result<Found, DbErr> {
    let backend = db.get_database_backend();
    let Some(matcher) = Matcher::new(backend, query, Join::All) else {
        return Ok(Found::default());
    };
    let wanted = usize::try_from(Ord::max(offset.saturating_add(limit), COUNT_LIMIT + 1))
        .unwrap_or(usize::MAX);
    let curated_only = matches!(filters.kind, Some(Kind::Summaries | Kind::Interventions));
    let summaries = if filters.kind == Some(Kind::Threads) || filters.not_thread.is_some() {
        Vec::new()
    } else {
        matcher.summaries(db, reader, filters).await?
    };
    let (mut titled, mut walked) = (Vec::new(), Vec::new());
    // Threads found: the titled ones, and those the walk met besides.
    let mut counted = 0;
    // Posts' documents from here up: all, or those of a period.
    let from = match filters.since {
        Some(since) => first_doc_since(db, since).await?,
        None => Some(0),
    };
    if let (Some(from), false) = (from, curated_only) {
        if order == Order::Relevance {
            titled = matcher.titled_threads(db, reader, filters, from).await?;
        }
        let title_set: HashSet<i32> = titled.iter().map(|t| t.thread).collect();
        counted = title_set.len();
        let mut walk = Walk::new(&matcher, reader, filters, from);
        let mut met: HashSet<i32> = HashSet::new();
        while summaries.len() + counted < wanted {
            let Some(found) = walk.next(db).await? else {
                break;
            };
            for hit in found {
                // A thread's posts may lie in several windows: its newest comes first.
                if met.insert(hit.thread) && !title_set.contains(&hit.thread) {
                    counted += 1;
                    walked.push(hit);
                }
            }
            walk.aim(wanted.saturating_sub(summaries.len() + counted), met.len());
        }
    }
    let total = summaries.len() + counted;
    let hits = arrange(db, order, &summaries, &titled, &walked, offset, limit).await?;
    Ok(Found {
        total: Ord::min(u64::try_from(total).unwrap_or(u64::MAX), COUNT_LIMIT + 1),
        hits,
    })
}

/// One page in order, from the summaries, the threads with every part in their title and
/// the threads the walk found (newest first, the titled ones among them left out).
async fn arrange(
    db: &impl ConnectionTrait,
    order: Order,
    summaries: &[SummaryHit],
    titled: &[ThreadHit],
    walked: &[ThreadHit],
    offset: u64,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let (offset, limit) = (
        usize::try_from(offset).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(usize::MAX),
    );
    let summary = |s: &SummaryHit| Hit {
        target: s.target,
        score: 0.0,
        post: None,
    };
    let thread = |t: &ThreadHit| Hit {
        target: Target::Thread(t.thread),
        score: 0.0,
        post: i32::try_from(t.newest).ok(),
    };
    let mut summaries = summaries.to_vec();
    summaries.sort_by(|a, b| b.date.cmp(&a.date).then(a.target.cmp(&b.target)));
    let hits: Vec<Hit> = match order {
        Order::Relevance => {
            let mut titled = titled.to_vec();
            titled.sort_by_key(|t| std::cmp::Reverse(t.newest));
            let title_set: HashSet<i32> = titled.iter().map(|t| t.thread).collect();
            summaries
                .iter()
                .filter(|s| s.titled)
                .map(summary)
                .chain(titled.iter().map(thread))
                .chain(summaries.iter().filter(|s| !s.titled).map(summary))
                .chain(
                    walked
                        .iter()
                        .filter(|t| !title_set.contains(&t.thread))
                        .map(thread),
                )
                .skip(offset)
                .take(limit)
                .collect()
        }
        Order::Newest => {
            // Threads come newest first already; summaries go in among them by date.
            let reach = walked.len().min(offset.saturating_add(limit));
            let dates = if summaries.is_empty() {
                HashMap::new()
            } else {
                doc_dates(db, walked.iter().take(reach).map(|t| t.newest)).await?
            };
            let mut merged = Vec::new();
            let (mut s, mut t) = (
                summaries.iter().peekable(),
                walked.iter().take(reach).peekable(),
            );
            loop {
                let take_summary = match (s.peek(), t.peek()) {
                    (Some(a), Some(b)) => dates.get(&b.newest).is_none_or(|d| a.date >= *d),
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                if take_summary {
                    merged.extend(s.next().map(summary));
                } else {
                    merged.extend(t.next().map(thread));
                }
            }
            merged.into_iter().skip(offset).take(limit).collect()
        }
    };
    Ok(hits)
}

/// When these documents were written.
async fn doc_dates(
    db: &impl ConnectionTrait,
    docs: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, DateTime<Utc>>, DbErr> {
    let docs: Vec<i64> = docs.collect();
    if docs.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(search_doc::Entity::find()
        .select_only()
        .columns([search_doc::Column::Id, search_doc::Column::CreatedAt])
        .filter(search_doc::Column::Id.is_in(docs))
        .into_tuple::<(i64, DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Posts' documents that match, newest first, a window at a time: each window is grouped
/// by thread in the database, and each of its threads put to the visibility rule (and the
/// filters) there.
struct Walk<'a> {
    matcher: &'a Matcher,
    /// The query, within the practice filtered on.
    expression: String,
    reader: Reader,
    filters: &'a Filters,
    /// Documents from here up are looked at (a period's first post).
    from: i64,
    /// The next window lies below this document.
    below: i64,
    size: u64,
    done: bool,
    /// Documents walked so far.
    docs: u64,
}

/// The first window, how much the next grows when the first found nothing, and the
/// largest.
const FIRST_WINDOW: u64 = 512;
const WINDOW_GROWTH: u64 = 8;
const LARGEST_WINDOW: u64 = 32_768;

impl<'a> Walk<'a> {
    fn new(matcher: &'a Matcher, reader: Reader, filters: &'a Filters, from: i64) -> Walk<'a> {
        Walk {
            matcher,
            expression: matcher.within(filters.practice),
            reader,
            filters,
            from,
            below: index::POSTS_END,
            size: FIRST_WINDOW,
            docs: 0,
            done: filters.authors.as_ref().is_some_and(Vec::is_empty),
        }
    }

    /// Sizes the next window for `needed` more threads, from how many threads (`met`) the
    /// documents walked so far held: large enough to be the last, never much larger.
    fn aim(&mut self, needed: usize, met: usize) {
        let size = if met == 0 {
            self.size.saturating_mul(WINDOW_GROWTH)
        } else {
            let per_thread = self.docs as f64 / met as f64;
            (needed as f64 * per_thread * 1.5) as u64
        };
        // A window further back costs more to reach, so a next one is never small.
        self.size = size.clamp(FIRST_WINDOW * 4, LARGEST_WINDOW);
    }

    /// The next window's threads this reader finds, newest first; `None` at the end.
    async fn next(&mut self, db: &impl ConnectionTrait) -> Result<Option<Vec<ThreadHit>>, DbErr> {
        if self.done {
            return Ok(None);
        }
        let window = self.matcher.window(
            &self.expression,
            self.from,
            self.below,
            self.size,
            self.filters.authors.as_deref(),
        );
        // Each thread of the window is put to the visibility rule (and the filters) once.
        let mut readable = thread_ids(self.reader, self.filters);
        readable.and_where(
            Expr::col((thread::Entity, thread::Column::Id))
                .equals((Alias::new("g"), Alias::new("thread"))),
        );
        let mut select = Query::select();
        select
            .columns(["thread", "newest", "oldest", "n"].map(|c| (Alias::new("g"), Alias::new(c))))
            .expr(Expr::case(Expr::exists(readable), 1).finally(0))
            .from_subquery(window, Alias::new("g"));
        let mut groups = Vec::new();
        let mut seen = 0i64;
        for row in db.query_all(&select).await? {
            let thread: i32 = row.try_get_by_index(0)?;
            let newest: i64 = row.try_get_by_index(1)?;
            let oldest: i64 = row.try_get_by_index(2)?;
            let count: i64 = row.try_get_by_index(3)?;
            let readable: i32 = row.try_get_by_index(4)?;
            seen += count;
            self.below = Ord::min(self.below, oldest);
            if readable == 1 {
                groups.push(ThreadHit { thread, newest });
            }
        }
        if seen < i64::try_from(self.size).unwrap_or(i64::MAX) {
            self.done = true;
        }
        self.docs += u64::try_from(seen).unwrap_or(0);
        groups.sort_by_key(|g| std::cmp::Reverse(g.newest));
        Ok(Some(groups))
    }
}

/// The first post's document written at or after `since` (`None`: nothing since). Posts
/// get their ids in the order they are written, so every later post's document lies above.
async fn first_doc_since(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    search_doc::Entity::find()
        .select_only()
        .column(search_doc::Column::Id)
        .filter(search_doc::Column::CreatedAt.gte(since))
        .filter(search_doc::Column::Id.lt(index::POSTS_END))
        .order_by_asc(search_doc::Column::CreatedAt)
        .order_by_asc(search_doc::Column::Id)
        .limit(1)
        .into_tuple()
        .one(db)
        .await
}

/// Threads (and summaries) sharing words with a text — a title being typed, or a thread's
/// own title — best first, found among titles. Common words count for little (BM25 and
/// cover density both weigh rare words up), so no list of stop words is needed to keep
/// "de" and "het" quiet; they are left out anyway to keep the query small.
pub async fn similar(
    db: &impl ConnectionTrait,
    reader: Reader,
    text: &str,
    filters: &Filters,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let mut words: Vec<String> = text::words(text)
        .filter(|w| w.chars().count() >= 4)
        .collect();
    words.sort();
    words.dedup();
    words.truncate(query::MAX_TERMS);
    let query = query::Query {
        words,
        ..Default::default()
    };
    let Some(matcher) = Matcher::new(db.get_database_backend(), &query, Join::Any) else {
        return Ok(Vec::new());
    };
    let doc = |c: search_doc::Column| Expr::col((search_doc::Entity, c));
    let mut select = matcher.with_rows(matcher.matched(
        &matcher.title_any,
        index::TITLES,
        index::SUMMARIES_END,
        true,
    ));
    select
        .column((search_doc::Entity, search_doc::Column::ThreadId))
        .column((search_doc::Entity, search_doc::Column::SummaryId))
        .column((Alias::new("m"), Alias::new("score")))
        .cond_where(
            Condition::any()
                .add(doc(search_doc::Column::ThreadId).in_subquery(thread_ids(reader, filters)))
                .add(doc(search_doc::Column::SummaryId).in_subquery(summary_ids(reader, filters))),
        )
        .order_by(Alias::new("score"), SqlOrder::Desc)
        .order_by(
            (search_doc::Entity, search_doc::Column::CreatedAt),
            SqlOrder::Desc,
        )
        .order_by((search_doc::Entity, search_doc::Column::Id), SqlOrder::Asc)
        .limit(limit);
    match filters.kind {
        Some(Kind::Threads) => {
            select.and_where(doc(search_doc::Column::ThreadId).is_not_null());
        }
        Some(Kind::Summaries) => {
            select.and_where(doc(search_doc::Column::SummaryId).is_not_null());
        }
        Some(Kind::Interventions) => {
            select.and_where(doc(search_doc::Column::InterventionId).is_not_null());
        }
        None => {}
    }
    let mut hits = Vec::new();
    for row in db.query_all(&select).await? {
        let thread: Option<i32> = row.try_get_by_index(0)?;
        let summary: Option<i32> = row.try_get_by_index(1)?;
        let score: f64 = row.try_get_by_index(2)?;
        let target = match (thread, summary) {
            (Some(t), _) => Target::Thread(t),
            (None, Some(s)) => Target::Summary(s),
            (None, None) => continue,
        };
        hits.push(Hit {
            target,
            score,
            post: None,
        });
    }
    Ok(hits)
}

/// The threads a reader may find with these filters, as a subquery.
fn thread_ids(reader: Reader, filters: &Filters) -> SelectStatement {
    let mut threads = reader.threads().select_only().column(thread::Column::Id);
    if let Some(practice) = filters.practice {
        threads = threads.filter(thread::Column::PracticeId.eq(practice));
    }
    if let Some(not) = filters.not_thread {
        threads = threads.filter(thread::Column::Id.ne(not));
    }
    threads.into_query()
}

/// The summaries a reader may find with these filters, as a subquery.
fn summary_ids(reader: Reader, filters: &Filters) -> SelectStatement {
    let mut summaries = reader.readable_summary_ids();
    if let Some(practice) = filters.practice {
        summaries.and_where(
            Expr::col((summary::Entity, summary::Column::Id)).in_subquery(
                Query::select()
                    .column(summary_practice::Column::SummaryId)
                    .from(summary_practice::Entity)
                    .and_where(summary_practice::Column::PracticeId.eq(practice))
                    .to_owned(),
            ),
        );
    }
    summaries
}

/// A query in the backend's own full-text language.
struct Matcher {
    backend: DatabaseBackend,
    /// An FTS5 MATCH expression, or a `tsquery` literal.
    expression: String,
    /// The same, found in titles only: every part, and any part.
    title_all: String,
    title_any: String,
    /// The words left out, any of them, wherever they are (`None`: none).
    excluded: Option<String>,
}

/// Where words are looked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum In {
    Everything,
    Titles,
}

impl In {
    /// The SQLite index's column groups: a word's Dutch stems and its English stems.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            In::Everything => ("{title_nl body_nl}", "{title_en body_en}"),
            In::Titles => ("{title_nl}", "{title_en}"),
        }
    }

    /// PostgreSQL's weight label for titles.
    fn weight(self) -> &'static str {
        match self {
            In::Everything => "",
            In::Titles => "A",
        }
    }
}

impl Matcher {
    /// `None` when nothing in the query can be looked for (only exclusions, only
    /// punctuation).
    fn new(backend: DatabaseBackend, query: &query::Query, join: Join) -> Option<Matcher> {
        let terms = Terms::of(query);
        if terms.positive.is_empty() {
            return None;
        }
        let write = |join: Join, within: In| match backend {
            DatabaseBackend::Sqlite => terms.fts5(join, within),
            _ => terms.tsquery(join, within),
        };
        Some(Matcher {
            backend,
            expression: write(join, In::Everything),
            title_all: write(Join::All, In::Titles),
            title_any: write(Join::Any, In::Titles),
            excluded: terms.excluded(backend),
        })
    }

    /// The query's expression, for posts in this practice only (when given).
    fn within(&self, practice: Option<i32>) -> String {
        let Some(practice) = practice else {
            return self.expression.clone();
        };
        let place = index::place_token(practice);
        match self.backend {
            DatabaseBackend::Sqlite => format!("({}) AND \"{place}\"", self.expression),
            _ => format!("({}) & '{place}'", self.expression),
        }
    }

    /// A document's id in the full-text structure.
    fn doc_id(&self) -> Expr {
        match self.backend {
            DatabaseBackend::Sqlite => Expr::col((Alias::new("search_fts"), Alias::new("rowid"))),
            _ => Expr::col((search_doc::Entity, search_doc::Column::Id)),
        }
    }

    /// The documents with ids in `from..below` that match `expression`, as a statement
    /// yielding `doc` (and with `scored`, `score`). On SQLite a LIMIT makes it a fence:
    /// the full-text index is read first and once, never looked up again per row of the
    /// query around it.
    fn matched(&self, expression: &str, from: i64, below: i64, scored: bool) -> SelectStatement {
        let mut select = Query::select();
        match self.backend {
            DatabaseBackend::Sqlite => {
                select
                    .from(Alias::new("search_fts"))
                    .and_where(Expr::cust_with_values(
                        "\"search_fts\" MATCH ?",
                        [expression.to_owned()],
                    ))
                    .limit(i64::MAX as u64);
            }
            _ => {
                select
                    .from(search_doc::Entity)
                    .and_where(Expr::cust_with_values(
                        "\"search_docs\".\"terms\" @@ CAST($1 AS tsquery)",
                        [expression.to_owned()],
                    ));
            }
        }
        select
            .expr_as(self.doc_id(), Alias::new("doc"))
            .and_where(self.doc_id().gte(from))
            .and_where(self.doc_id().lt(below));
        if scored {
            select.expr_as(self.score(expression), Alias::new("score"));
        }
        select
    }

    /// Matched documents (as `m`) with their `search_docs` rows; select what you need.
    fn with_rows(&self, matched: SelectStatement) -> SelectStatement {
        Query::select()
            .from_subquery(matched, Alias::new("m"))
            .inner_join(
                search_doc::Entity,
                Expr::col((search_doc::Entity, search_doc::Column::Id))
                    .equals((Alias::new("m"), Alias::new("doc"))),
            )
            .to_owned()
    }

    /// One window of the walk: the newest `size` posts' documents in `from..below` that
    /// match (written by `authors`, when given), grouped by thread — the thread, its newest
    /// and oldest document in the window, and how many.
    fn window(
        &self,
        expression: &str,
        from: i64,
        below: i64,
        size: u64,
        authors: Option<&[i32]>,
    ) -> SelectStatement {
        let mut docs = self.matched(expression, from, below, false);
        if let Some(authors) = authors {
            docs.and_where(
                self.doc_id().in_subquery(
                    Query::select()
                        .column(search_doc::Column::Id)
                        .from(search_doc::Entity)
                        .and_where(search_doc::Column::AuthorId.is_in(authors.iter().copied()))
                        .to_owned(),
                ),
            );
        }
        docs.order_by_expr(self.doc_id(), SqlOrder::Desc)
            .limit(size);
        let mut groups = self.with_rows(docs);
        groups
            .expr_as(
                Expr::col((search_doc::Entity, search_doc::Column::ThreadId)),
                Alias::new("thread"),
            )
            .expr_as(Expr::cust("MAX(\"m\".\"doc\")"), Alias::new("newest"))
            .expr_as(Expr::cust("MIN(\"m\".\"doc\")"), Alias::new("oldest"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .and_where(Expr::col((search_doc::Entity, search_doc::Column::ThreadId)).is_not_null())
            .group_by_col((search_doc::Entity, search_doc::Column::ThreadId));
        groups
    }

    /// Every summary and intervention that matches (those the filters allow), with whether
    /// its title holds every part.
    async fn summaries(
        &self,
        db: &impl ConnectionTrait,
        reader: Reader,
        filters: &Filters,
    ) -> Result<Vec<SummaryHit>, DbErr> {
        let doc = |c: search_doc::Column| Expr::col((search_doc::Entity, c));
        let mut readable = Condition::any();
        if filters.kind != Some(Kind::Interventions) {
            readable = readable
                .add(doc(search_doc::Column::SummaryId).in_subquery(summary_ids(reader, filters)));
        }
        // Interventions belong to no practice.
        if filters.kind != Some(Kind::Summaries) && filters.practice.is_none() {
            readable = readable.add(
                doc(search_doc::Column::InterventionId)
                    .in_subquery(reader.readable_intervention_ids()),
            );
        }
        if readable.is_empty() {
            return Ok(Vec::new());
        }
        let mut titled = self.matched(
            &self.title_all,
            index::SUMMARIES,
            index::INTERVENTIONS_END,
            false,
        );
        titled.clear_selects().expr(self.doc_id());
        let mut select = self.with_rows(self.matched(
            &self.expression,
            index::SUMMARIES,
            index::INTERVENTIONS_END,
            false,
        ));
        select
            .column((search_doc::Entity, search_doc::Column::SummaryId))
            .column((search_doc::Entity, search_doc::Column::InterventionId))
            .column((search_doc::Entity, search_doc::Column::CreatedAt))
            .expr(
                Expr::case(
                    Expr::col((Alias::new("m"), Alias::new("doc"))).in_subquery(titled),
                    1,
                )
                .finally(0),
            )
            .cond_where(readable);
        if let Some(since) = filters.since {
            select.and_where(doc(search_doc::Column::CreatedAt).gte(since));
        }
        if let Some(authors) = &filters.authors {
            select.and_where(doc(search_doc::Column::AuthorId).is_in(authors.iter().copied()));
        }
        let mut found = Vec::new();
        for row in db.query_all(&select).await? {
            let summary: Option<i32> = row.try_get_by_index(0)?;
            let intervention: Option<i32> = row.try_get_by_index(1)?;
            let target = match (summary, intervention) {
                (Some(s), _) => Target::Summary(s),
                (None, Some(i)) => Target::Intervention(i),
                (None, None) => continue,
            };
            found.push(SummaryHit {
                target,
                date: row.try_get_by_index(2)?,
                titled: row.try_get_by_index::<i32>(3)? == 1,
            });
        }
        Ok(found)
    }

    /// The threads whose title holds every part of the query, with their newest post that
    /// matches (from document `from` up, by the authors filtered on). Every post's
    /// document carries its thread's title, so each post of such a thread matches — but
    /// for the words left out, which are looked for in the posts.
    async fn titled_threads(
        &self,
        db: &impl ConnectionTrait,
        reader: Reader,
        filters: &Filters,
        from: i64,
    ) -> Result<Vec<ThreadHit>, DbErr> {
        let doc = |c: search_doc::Column| Expr::col((search_doc::Entity, c));
        // A title's document has its thread's id.
        let mut titles = self.matched(&self.title_all, index::TITLES, index::SUMMARIES, false);
        titles
            .clear_selects()
            .expr(self.doc_id().sub(index::TITLES));
        // Those this reader finds: checked thread by thread (not by listing every thread
        // the reader may read).
        let mut readable = thread_ids(reader, filters);
        readable.and_where(Expr::col((thread::Entity, thread::Column::Id)).in_subquery(titles));
        let mut select = Query::select();
        select
            .column(search_doc::Column::ThreadId)
            .expr(Expr::cust("MAX(\"search_docs\".\"id\")"))
            .from(search_doc::Entity)
            .and_where(doc(search_doc::Column::Id).gte(from))
            .and_where(doc(search_doc::Column::Id).lt(index::POSTS_END))
            .and_where(doc(search_doc::Column::ThreadId).in_subquery(readable))
            .group_by_col(search_doc::Column::ThreadId);
        if let Some(authors) = &filters.authors {
            select.and_where(doc(search_doc::Column::AuthorId).is_in(authors.iter().copied()));
        }
        if let Some(excluded) = &self.excluded {
            let mut with = self.matched(excluded, 0, index::POSTS_END, false);
            with.clear_selects().expr(self.doc_id());
            select.and_where(doc(search_doc::Column::Id).not_in_subquery(with));
        }
        let mut found = Vec::new();
        for row in db.query_all(&select).await? {
            let (Some(thread), newest) = (
                row.try_get_by_index::<Option<i32>>(0)?,
                row.try_get_by_index::<i64>(1)?,
            ) else {
                continue;
            };
            found.push(ThreadHit { thread, newest });
        }
        Ok(found)
    }

    /// A document's score for `expression`, higher is better: title words weigh ten times
    /// body words.
    fn score(&self, expression: &str) -> Expr {
        match self.backend {
            DatabaseBackend::Sqlite => Expr::cust("-bm25(\"search_fts\", 10.0, 10.0, 1.0, 1.0)"),
            _ => Expr::cust_with_values(
                "CAST(ts_rank_cd('{0.1, 0.1, 0.1, 1.0}', \"search_docs\".\"terms\", \
                 CAST($1 AS tsquery), 1) AS DOUBLE PRECISION)",
                [expression.to_owned()],
            ),
        }
    }
}

/// The parts, each written by `part`, joined by `glue`, in parentheses.
fn conjoined(parts: &[Part], part: impl Fn(&Part) -> String, glue: &str) -> String {
    let written: Vec<String> = parts.iter().map(part).collect();
    format!("({})", written.join(glue))
}

/// A query's parts as stems: what each backend's expression is written from.
struct Terms {
    /// Each must match (or, for `Join::Any`, any may): alternatives per part.
    positive: Vec<Part>,
    negative: Vec<Part>,
}

enum Part {
    /// One word: its Dutch stem and its English stem.
    Word { dutch: String, english: String },
    /// The start of a word: as typed, and as the start of a stem.
    Prefix {
        typed: String,
        dutch: String,
        english: String,
    },
    /// Words in this order.
    Phrase {
        dutch: Vec<String>,
        english: Vec<String>,
    },
}

impl Terms {
    fn of(query: &query::Query) -> Terms {
        let word = |w: &String| Part::Word {
            dutch: text::dutch(w),
            english: text::english(w),
        };
        let mut positive: Vec<Part> = query.words.iter().map(word).collect();
        positive.extend(query.prefixes.iter().map(|p| Part::Prefix {
            typed: p.clone(),
            dutch: text::dutch(p),
            english: text::english(p),
        }));
        positive.extend(query.phrases.iter().map(|words| Part::Phrase {
            dutch: words.iter().map(|w| text::dutch(w)).collect(),
            english: words.iter().map(|w| text::english(w)).collect(),
        }));
        Terms {
            positive,
            negative: query.without.iter().map(word).collect(),
        }
    }

    /// The FTS5 expression. Every token is quoted, so nothing typed is syntax.
    fn fts5(&self, join: Join, within: In) -> String {
        fn quoted(token: &str) -> String {
            format!("\"{}\"", token.replace('"', "\"\""))
        }
        let (dutch_columns, english_columns) = within.columns();
        // Where both stems agree and every column counts, no column filter is needed: the
        // word is simply looked for everywhere (twice as fast as two filtered lookups).
        let anywhere = within == In::Everything;
        let part = |p: &Part| -> String {
            match p {
                Part::Word { dutch, english } if anywhere && dutch == english => quoted(dutch),
                Part::Word { dutch, english } => format!(
                    "({dutch_columns} : {} OR {english_columns} : {})",
                    quoted(dutch),
                    quoted(english)
                ),
                Part::Prefix {
                    typed,
                    dutch,
                    english,
                } if anywhere && dutch == english => {
                    if typed == dutch {
                        format!("{} *", quoted(typed))
                    } else {
                        format!("({} * OR {} *)", quoted(typed), quoted(dutch))
                    }
                }
                Part::Phrase { dutch, english } if anywhere && dutch == english => {
                    quoted(&dutch.join(" "))
                }
                Part::Prefix {
                    typed,
                    dutch,
                    english,
                } => format!(
                    "({dutch_columns} : ({} * OR {} *) OR {english_columns} : ({} * OR {} *))",
                    quoted(typed),
                    quoted(dutch),
                    quoted(typed),
                    quoted(english)
                ),
                Part::Phrase { dutch, english } => format!(
                    "({dutch_columns} : {} OR {english_columns} : {})",
                    quoted(&dutch.join(" ")),
                    quoted(&english.join(" "))
                ),
            }
        };
        let glue = match join {
            Join::All => " AND ",
            Join::Any => " OR ",
        };
        let mut out = conjoined(&self.positive, part, glue);
        // Exclusions hold wherever the word is: a title query leaves out the same texts.
        let (dutch_columns, english_columns) = In::Everything.columns();
        for p in &self.negative {
            if let Part::Word { dutch, english } = p {
                out.push_str(&format!(
                    " NOT ({dutch_columns} : {} OR {english_columns} : {})",
                    quoted(dutch),
                    quoted(english)
                ));
            }
        }
        out
    }

    /// Any of the words left out, wherever they are, in the backend's language.
    fn excluded(&self, backend: DatabaseBackend) -> Option<String> {
        if self.negative.is_empty() {
            return None;
        }
        let any = Terms {
            positive: self
                .negative
                .iter()
                .filter_map(|p| match p {
                    Part::Word { dutch, english } => Some(Part::Word {
                        dutch: dutch.clone(),
                        english: english.clone(),
                    }),
                    _ => None,
                })
                .collect(),
            negative: Vec::new(),
        };
        Some(match backend {
            DatabaseBackend::Sqlite => any.fts5(Join::Any, In::Everything),
            _ => any.tsquery(Join::Any, In::Everything),
        })
    }

    /// The `tsquery` literal. Every lexeme is quoted, so nothing typed is syntax.
    fn tsquery(&self, join: Join, within: In) -> String {
        fn quoted(token: &str) -> String {
            format!("'{}'", token.replace('\\', "\\\\").replace('\'', "''"))
        }
        fn either(a: String, b: String) -> String {
            if a == b { a } else { format!("({a} | {b})") }
        }
        let weight = within.weight();
        let lexeme = |token: &str| {
            if weight.is_empty() {
                quoted(token)
            } else {
                format!("{}:{weight}", quoted(token))
            }
        };
        let part = |p: &Part| -> String {
            match p {
                Part::Word { dutch, english } => either(lexeme(dutch), lexeme(english)),
                Part::Prefix {
                    typed,
                    dutch,
                    english,
                } => {
                    let mut all = vec![typed, dutch, english];
                    all.sort();
                    all.dedup();
                    let list: Vec<String> = all
                        .into_iter()
                        .map(|t| format!("{}:*{weight}", quoted(t)))
                        .collect();
                    format!("({})", list.join(" | "))
                }
                Part::Phrase { dutch, english } => {
                    let run = |words: &Vec<String>| {
                        let list: Vec<String> = words.iter().map(|w| lexeme(w)).collect();
                        format!("({})", list.join(" <-> "))
                    };
                    either(run(dutch), run(english))
                }
            }
        };
        let glue = match join {
            Join::All => " & ",
            Join::Any => " | ",
        };
        let mut out = conjoined(&self.positive, part, glue);
        for p in &self.negative {
            if let Part::Word { dutch, english } = p {
                out.push_str(" & !");
                out.push_str(&either(quoted(dutch), quoted(english)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Terms {
        Terms::of(&query::Query::parse(q))
    }

    #[test]
    fn fts5_expressions_quote_every_token() {
        let t = terms("Huisbezoeken \"eenzame ouderen\" eenza* -jeugd");
        let fts = t.fts5(Join::All, In::Everything);
        assert!(fts.contains("{title_nl body_nl} : \"huisbezoek\""), "{fts}");
        assert!(fts.contains("\"eenzam ouder\""), "{fts}");
        assert!(fts.contains("\"eenza\" *"), "{fts}");
        assert!(
            fts.contains(" NOT ({title_nl body_nl} : \"jeugd\""),
            "{fts}"
        );
    }

    #[test]
    fn tsquery_literals_quote_every_lexeme() {
        let t = terms("huisbezoeken \"eenzame ouderen\" eenza* -jeugd");
        let tsq = t.tsquery(Join::All, In::Everything);
        assert!(tsq.contains("'huisbezoek'"), "{tsq}");
        assert!(tsq.contains("'eenzam' <-> 'ouder'"), "{tsq}");
        assert!(tsq.contains("'eenza':*"), "{tsq}");
        assert!(tsq.contains("& !'jeugd'"), "{tsq}");
    }

    #[test]
    fn title_queries_look_in_titles_only_and_keep_exclusions_everywhere() {
        let t = terms("huisbezoek eenza* -jeugd");
        let fts = t.fts5(Join::Any, In::Titles);
        assert!(
            fts.contains("({title_nl} : \"huisbezoek\" OR {title_en}"),
            "{fts}"
        );
        assert!(fts.contains(" OR ({title_nl} : (\"eenza\" *"), "{fts}");
        assert!(
            fts.contains(" NOT ({title_nl body_nl} : \"jeugd\""),
            "{fts}"
        );
        let tsq = t.tsquery(Join::All, In::Titles);
        assert!(tsq.contains("'huisbezoek':A"), "{tsq}");
        assert!(tsq.contains("'eenza':*A"), "{tsq}");
        assert!(tsq.ends_with("& !'jeugd'"), "{tsq}");
    }

    #[test]
    fn nothing_to_look_for_is_no_matcher() {
        for q in ["", "\"", "*", "-alleen", "!!! ???"] {
            assert!(
                Matcher::new(DatabaseBackend::Sqlite, &query::Query::parse(q), Join::All).is_none(),
                "{q}"
            );
        }
    }
}
