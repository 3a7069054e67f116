//! Asking the index: one search, the same on both databases. SQLite answers with FTS5 and
//! BM25, PostgreSQL with a `tsquery` and `ts_rank_cd`; both get the very same stems (see
//! [`super::text`]) and the same filters, and who may find what is always the visibility
//! rule's answer ([`Reader::readable_thread_ids`], [`Reader::readable_summary_ids`]), asked
//! live. Nothing outside this module writes SQL for search.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr,
    sea_query::{Alias, Expr, ExprTrait, Order as SqlOrder, Query, SelectStatement},
};

use super::{query, text};
use crate::{
    entities::{search_doc, summary_practice, thread},
    visibility::Reader,
};

/// What kind of text to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Threads,
    Summaries,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Thread(i32),
    Summary(i32),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub target: Target,
    pub score: f64,
}

/// A page of results.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// How many results in all, counted up to [`COUNT_LIMIT`] (+1 meaning "more").
    pub total: u64,
    pub hits: Vec<Hit>,
}

/// Results are counted up to here; beyond it the page says "more than".
pub const COUNT_LIMIT: u64 = 1_000;

/// How the words of a query must be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Join {
    /// Every word (a search).
    All,
    /// Any word, the more the better (similar and related threads).
    Any,
}

/// A search for one page of results, best first.
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
    let mut count = Query::select();
    count.expr(Expr::cust("COUNT(*)")).from_subquery(
        grouped(&matcher, reader, filters, false)
            .limit(COUNT_LIMIT + 1)
            .to_owned(),
        Alias::new("found"),
    );
    let total = match db.query_one(&count).await? {
        Some(row) => row.try_get_by_index::<i64>(0)?,
        None => 0,
    };
    let hits = page(
        db,
        grouped(&matcher, reader, filters, true),
        Join::All,
        order,
        offset,
        limit,
    )
    .await?;
    Ok(Found {
        total: u64::try_from(total).unwrap_or(0),
        hits,
    })
}

/// Threads (and summaries) sharing words with a text — a title being typed, or a thread's
/// own title — best first. Common words count for little (BM25 and cover density both
/// weigh rare words up), so no list of stop words is needed to keep "de" and "het" quiet;
/// they are left out anyway to keep the query small.
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
    page(
        db,
        grouped(&matcher, reader, filters, true),
        Join::Any,
        Order::Relevance,
        0,
        limit,
    )
    .await
}

/// For results already found: the post of each thread that matches best (to take a
/// snippet from), among the posts the index holds — those every reader of the thread
/// may read.
pub async fn best_posts(
    db: &impl ConnectionTrait,
    query: &query::Query,
    threads: &[i32],
) -> Result<HashMap<i32, i32>, DbErr> {
    let backend = db.get_database_backend();
    let Some(matcher) = Matcher::new(backend, query, Join::All) else {
        return Ok(HashMap::new());
    };
    let mut select = matcher.matching();
    select
        .column((search_doc::Entity, search_doc::Column::ThreadId))
        .column((search_doc::Entity, search_doc::Column::PostId))
        .expr(matcher.score())
        .and_where(
            Expr::col((search_doc::Entity, search_doc::Column::ThreadId))
                .is_in(threads.iter().copied()),
        );
    let mut best: HashMap<i32, (i32, f64)> = HashMap::new();
    for row in db.query_all(&select).await? {
        let (Some(thread), Some(post), score) = (
            row.try_get_by_index::<Option<i32>>(0)?,
            row.try_get_by_index::<Option<i32>>(1)?,
            row.try_get_by_index::<f64>(2)?,
        ) else {
            continue;
        };
        let entry = best.entry(thread).or_insert((post, score));
        if score > entry.1 || (score == entry.1 && post < entry.0) {
            *entry = (post, score);
        }
    }
    Ok(best.into_iter().map(|(t, (p, _))| (t, p)).collect())
}

/// One row per thread or summary that matches, with its best score and newest text.
///
/// The documents are scored in a subquery and grouped outside it: FTS5's `bm25()` may only
/// be called where the full-text query is evaluated, not inside an aggregate.
fn grouped(matcher: &Matcher, reader: Reader, filters: &Filters, rank: bool) -> SelectStatement {
    let doc = |c: search_doc::Column| Expr::col((search_doc::Entity, c));
    let mut docs = matcher.matching();
    docs.expr_as(doc(search_doc::Column::ThreadId), Alias::new("thread_id"))
        .expr_as(doc(search_doc::Column::SummaryId), Alias::new("summary_id"));
    if rank {
        // The engine's score is costly (every matching document is scored) and orders only
        // lists of similar threads; a search ranks by where its words are (`tier`).
        let score = match matcher.join {
            Join::Any => matcher.score(),
            Join::All => Expr::val(0.0),
        };
        docs.expr_as(doc(search_doc::Column::CreatedAt), Alias::new("created_at"))
            .expr_as(score, Alias::new("score"))
            .expr_as(matcher.tier(), Alias::new("tier"));
    }
    docs
        // The one rule: what this reader may read, asked live.
        .cond_where(
            Condition::any()
                .add(doc(search_doc::Column::ThreadId).in_subquery(reader.readable_thread_ids()))
                .add(doc(search_doc::Column::SummaryId).in_subquery(reader.readable_summary_ids())),
        );
    if matcher.backend == DatabaseBackend::Sqlite {
        // A LIMIT keeps SQLite from folding this subquery into the grouping query.
        docs.limit(i64::MAX as u64);
    }
    if let Some(practice) = filters.practice {
        docs.cond_where(
            Condition::any()
                .add(
                    doc(search_doc::Column::ThreadId).in_subquery(
                        Query::select()
                            .column(thread::Column::Id)
                            .from(thread::Entity)
                            .and_where(thread::Column::PracticeId.eq(practice))
                            .to_owned(),
                    ),
                )
                .add(
                    doc(search_doc::Column::SummaryId).in_subquery(
                        Query::select()
                            .column(summary_practice::Column::SummaryId)
                            .from(summary_practice::Entity)
                            .and_where(summary_practice::Column::PracticeId.eq(practice))
                            .to_owned(),
                    ),
                ),
        );
    }
    match filters.kind {
        Some(Kind::Threads) => {
            docs.and_where(doc(search_doc::Column::ThreadId).is_not_null());
        }
        Some(Kind::Summaries) => {
            docs.and_where(doc(search_doc::Column::SummaryId).is_not_null());
        }
        None => {}
    }
    if let Some(since) = filters.since {
        docs.and_where(doc(search_doc::Column::CreatedAt).gte(since));
    }
    if let Some(authors) = &filters.authors {
        docs.and_where(doc(search_doc::Column::AuthorId).is_in(authors.iter().copied()));
    }
    if let Some(thread) = filters.not_thread {
        docs.cond_where(
            Condition::any()
                .add(doc(search_doc::Column::ThreadId).is_null())
                .add(doc(search_doc::Column::ThreadId).ne(thread)),
        );
    }
    let mut groups = Query::select();
    groups
        .column(Alias::new("thread_id"))
        .column(Alias::new("summary_id"));
    if rank {
        groups
            .expr_as(Expr::cust("MAX(\"score\")"), Alias::new("score"))
            .expr_as(Expr::cust("MAX(\"tier\")"), Alias::new("tier"))
            .expr_as(Expr::cust("MAX(\"created_at\")"), Alias::new("newest"));
    }
    groups
        .from_subquery(docs, Alias::new("docs"))
        .group_by_col(Alias::new("thread_id"))
        .group_by_col(Alias::new("summary_id"));
    groups
}

/// One page of grouped results in order. By relevance, a search ranks by where its words
/// are (every part in the title, some part, only the text — [`Matcher::tier`]), then
/// published summaries before threads, then the newest: the same order on both databases.
/// The engines' own scores (BM25, cover density) weigh text matches on different scales,
/// so they only order the lists of similar threads, where any word may match.
async fn page(
    db: &impl ConnectionTrait,
    groups: SelectStatement,
    join: Join,
    order: Order,
    offset: u64,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let mut ranked = Query::select();
    ranked
        .columns([
            Alias::new("thread_id"),
            Alias::new("summary_id"),
            Alias::new("score"),
        ])
        .from_subquery(groups, Alias::new("groups"));
    let newest = Expr::col(Alias::new("newest"));
    let score = Expr::col(Alias::new("score"));
    let is_summary = Expr::col(Alias::new("summary_id")).is_not_null();
    match order {
        Order::Relevance if join == Join::Any => ranked
            .order_by(Alias::new("tier"), SqlOrder::Desc)
            .order_by_expr(score, SqlOrder::Desc)
            .order_by_expr(newest, SqlOrder::Desc),
        Order::Relevance => ranked
            .order_by(Alias::new("tier"), SqlOrder::Desc)
            .order_by_expr(is_summary, SqlOrder::Desc)
            .order_by_expr(newest, SqlOrder::Desc),
        Order::Newest => ranked
            .order_by_expr(newest, SqlOrder::Desc)
            .order_by_expr(score, SqlOrder::Desc),
    };
    // Last, something unique, so that pages never overlap.
    ranked
        .order_by(Alias::new("thread_id"), SqlOrder::Asc)
        .order_by(Alias::new("summary_id"), SqlOrder::Asc)
        .limit(limit)
        .offset(offset);
    let mut hits = Vec::new();
    for row in db.query_all(&ranked).await? {
        let thread: Option<i32> = row.try_get("", "thread_id")?;
        let summary: Option<i32> = row.try_get("", "summary_id")?;
        let score: f64 = row.try_get("", "score")?;
        let target = match (thread, summary) {
            (Some(t), _) => Target::Thread(t),
            (None, Some(s)) => Target::Summary(s),
            (None, None) => continue,
        };
        hits.push(Hit { target, score });
    }
    Ok(hits)
}

/// A query in the backend's own full-text language, with how to score a match.
struct Matcher {
    backend: DatabaseBackend,
    /// An FTS5 MATCH expression, or a `tsquery` literal.
    expression: String,
    /// The same, found in titles only: every part, and any part.
    title_all: String,
    title_any: String,
    join: Join,
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
            join,
        })
    }

    /// How a document's words meet the query, the same on both databases: 2 when every
    /// part of it is in the title, 1 when some part is, 0 when only the text has them.
    fn tier(&self) -> Expr {
        match self.backend {
            DatabaseBackend::Sqlite => Expr::cust_with_values(
                "CASE WHEN \"search_docs\".\"id\" IN \
                 (SELECT \"rowid\" FROM \"search_fts\" WHERE \"search_fts\" MATCH ?) THEN 2 \
                 WHEN \"search_docs\".\"id\" IN \
                 (SELECT \"rowid\" FROM \"search_fts\" WHERE \"search_fts\" MATCH ?) THEN 1 \
                 ELSE 0 END",
                [self.title_all.clone(), self.title_any.clone()],
            ),
            _ => Expr::cust_with_values(
                "CASE WHEN \"search_docs\".\"terms\" @@ CAST($1 AS tsquery) THEN 2 \
                 WHEN \"search_docs\".\"terms\" @@ CAST($2 AS tsquery) THEN 1 ELSE 0 END",
                [self.title_all.clone(), self.title_any.clone()],
            ),
        }
    }

    /// The documents that match, joined to their rows; select what you need.
    fn matching(&self) -> SelectStatement {
        let mut select = Query::select();
        match self.backend {
            DatabaseBackend::Sqlite => {
                select
                    .from(Alias::new("search_fts"))
                    .inner_join(
                        search_doc::Entity,
                        Expr::cust("\"search_docs\".\"id\" = \"search_fts\".\"rowid\""),
                    )
                    .and_where(Expr::cust_with_values(
                        "\"search_fts\" MATCH ?",
                        [self.expression.clone()],
                    ));
            }
            _ => {
                select
                    .from(search_doc::Entity)
                    .and_where(Expr::cust_with_values(
                        "\"search_docs\".\"terms\" @@ CAST($1 AS tsquery)",
                        [self.expression.clone()],
                    ));
            }
        }
        select
    }

    /// A document's score, higher is better: title words weigh ten times body words.
    fn score(&self) -> Expr {
        match self.backend {
            DatabaseBackend::Sqlite => Expr::cust("-bm25(\"search_fts\", 10.0, 10.0, 1.0, 1.0)"),
            _ => Expr::cust_with_values(
                "CAST(ts_rank_cd('{0.1, 0.1, 0.1, 1.0}', \"search_docs\".\"terms\", \
                 CAST($1 AS tsquery), 1) AS DOUBLE PRECISION)",
                [self.expression.clone()],
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
        let part = |p: &Part| -> String {
            match p {
                Part::Word { dutch, english } => format!(
                    "({dutch_columns} : {} OR {english_columns} : {})",
                    quoted(dutch),
                    quoted(english)
                ),
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
