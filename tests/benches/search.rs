//! The search benchmark: a site of 100,000 posts made by `erbij seed demo --scale`, then
//! - how long seeding and a full reindex take (texts per second);
//! - how big the index is next to the text it indexes;
//! - the latency (p50, p95, p99 over sequential runs) of `engine::find` for one-word,
//!   two-word, prefix and phrase queries and for queries with a practice, period or kind
//!   filter, for a visitor and for a member; and of the whole `/zoeken` page through the
//!   router, when the site has it.
//!
//! `cargo bench --bench search` (SQLite in a temporary folder); set
//! `ERBIJ_BENCH_DATABASE_URL=postgres://…/some_empty_database` for PostgreSQL,
//! `ERBIJ_BENCH_POSTS` for another number of posts and `ERBIJ_BENCH_RUNS` for another
//! number of runs per kind of query (default 500).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// tests and benches may stop at the first surprise

// The figures printed are the benchmark's report.
#![allow(clippy::print_stdout)]

use std::{
    collections::HashMap,
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, header},
};
use chrono::Utc;
use erbij::{
    Settings, app, demo,
    entities::{post, practice, thread, user},
    search::{
        engine::{self, Filters, Kind, Order},
        index,
        query::Query,
    },
    visibility::Reader,
};
use http_body_util::BodyExt;
use indicatif::ProgressBar;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, Statement,
};
use tower::ServiceExt;

/// Results on one page, as the search page shows them.
const PAGE: u64 = 20;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(run())
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run() -> anyhow::Result<()> {
    let n = env_number("ERBIJ_BENCH_POSTS", 100_000);
    let runs = env_number("ERBIJ_BENCH_RUNS", 500);
    // `ERBIJ_BENCH_DATA=folder` keeps the site there (or, with PostgreSQL, in the database)
    // and, when it is seeded already, skips seeding and rebuilding (to time searches again
    // after a change).
    let temp = tempfile::tempdir()?;
    let kept = std::env::var_os("ERBIJ_BENCH_DATA").map(std::path::PathBuf::from);
    let data_dir = kept.clone().unwrap_or_else(|| temp.path().to_path_buf());
    let keep = kept.is_some();
    let settings = Settings {
        data_dir,
        database_url: std::env::var("ERBIJ_BENCH_DATABASE_URL").unwrap_or_default(),
        base_url: "https://erbij.example.nl".into(),
        ..Settings::default()
    }
    .resolved();
    let state = app::prepare(settings).await?;
    let db = &state.db;
    let backend = db.get_database_backend();
    let name = if backend == DatabaseBackend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };

    let seeded_before = user::Entity::find()
        .filter(user::Column::Email.ends_with(format!("@{}", demo::DOMAIN)))
        .one(db)
        .await?
        .is_some();
    if !(keep && seeded_before) {
        build(db, backend, name, n).await?;
    }
    sizes(db, backend).await?;
    search(&state, runs).await
}

/// Seeds the site and times two rebuilds of its index.
async fn build(
    db: &sea_orm::DatabaseConnection,
    backend: DatabaseBackend,
    name: &str,
    n: usize,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let seeded = demo::seed_scaled(db, &ProgressBar::hidden(), n).await?;
    let seed = started.elapsed();
    println!(
        "{name}: seeded {} people, {} threads, {} posts, {} summaries (index built at the end) \
         in {:.1} s",
        seeded.people,
        seeded.threads,
        seeded.posts,
        seeded.summaries,
        seed.as_secs_f64()
    );

    let started = Instant::now();
    let indexed = index::reindex(db, &ProgressBar::hidden()).await?;
    let reindex = started.elapsed();
    println!(
        "reindex of the full database: {indexed} texts in {:.1} s = {:.0} texts/s",
        reindex.as_secs_f64(),
        indexed as f64 / reindex.as_secs_f64()
    );

    // The same with the index emptied first: what the rebuild costs without replacing
    // (deleting) an existing entry for every text.
    if backend == DatabaseBackend::Sqlite {
        db.execute_unprepared("INSERT INTO search_fts(search_fts) VALUES('delete-all')")
            .await?;
    }
    db.execute_unprepared("DELETE FROM search_docs").await?;
    let started = Instant::now();
    let indexed = index::reindex(db, &ProgressBar::hidden()).await?;
    let fresh = started.elapsed();
    println!(
        "reindex into an emptied index: {indexed} texts in {:.1} s = {:.0} texts/s",
        fresh.as_secs_f64(),
        indexed as f64 / fresh.as_secs_f64()
    );

    Ok(())
}

/// Times searches and search pages.
async fn search(state: &erbij::AppState, runs: usize) -> anyhow::Result<()> {
    let db = &state.db;
    let backend = db.get_database_backend();
    let member = member(db).await?;
    let queries = Queries::from_site(db).await?;
    let practices: Vec<practice::Model> = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .all(db)
        .await?;
    let mut cases = Vec::new();
    for (label, reader) in [
        ("visitor", Reader::Visitor),
        ("member", Reader::Member { id: member.id }),
    ] {
        let mut rng = StdRng::seed_from_u64(14);
        for case in Case::ALL {
            let items: Vec<Item> = (0..runs)
                .map(|_| case.item(&mut rng, &queries, &practices))
                .collect();
            cases.push((label, reader, *case, items));
        }
    }

    if backend == DatabaseBackend::Sqlite {
        parts(db, &queries).await?;
    }

    println!();
    println!(
        "engine::find, {runs} sequential runs each, page of {PAGE} (ms):\n\
         {:<8} {:<26} {:>7} {:>7} {:>7} {:>7} {:>9}",
        "reader", "query", "p50", "p95", "p99", "max", "avg hits"
    );
    for (label, reader, case, items) in &cases {
        let mut times = Vec::with_capacity(items.len());
        let mut hits = 0u64;
        for item in items {
            let query = Query::parse(&item.text);
            let started = Instant::now();
            let found =
                engine::find(db, *reader, &query, &item.filters, item.order, 0, PAGE).await?;
            times.push(started.elapsed());
            hits += found.total;
        }
        row(label, case.name(), &mut times, hits / items.len() as u64);
    }

    // The whole page, through the router, as a browser asks for it.
    let router = erbij::router::build(state.clone());
    let secret = erbij::session::create(db, member.id, 30, &Default::default()).await?;
    let probe = page(&router, "/zoeken?q=eenzaamheid", None).await?;
    if probe.0 == 404 {
        println!("\nGET /zoeken: not on this branch yet (404), no page figures.");
        return Ok(());
    }
    println!(
        "\nGET /zoeken through the router, {runs} sequential requests each (ms):\n\
         {:<8} {:<26} {:>7} {:>7} {:>7} {:>7} {:>9}",
        "reader", "query", "p50", "p95", "p99", "max", "KiB"
    );
    let slugs: HashMap<i32, String> = practices.iter().map(|p| (p.id, p.slug.clone())).collect();
    for (label, reader, case, items) in &cases {
        let cookie = match reader {
            Reader::Visitor => None,
            _ => Some(format!("{}={secret}", erbij::session::COOKIE)),
        };
        let mut times = Vec::with_capacity(items.len());
        let mut bytes = 0usize;
        for item in items {
            let url = item.url(&slugs);
            let started = Instant::now();
            let (status, size) = page(&router, &url, cookie.as_deref()).await?;
            times.push(started.elapsed());
            anyhow::ensure!(status == 200, "{url}: {status}");
            bytes += size;
        }
        row(
            label,
            case.name(),
            &mut times,
            (bytes / items.len() / 1024) as u64,
        );
    }
    Ok(())
}

fn row(reader: &str, case: &str, times: &mut [Duration], last: u64) {
    times.sort_unstable();
    let at = |p: usize| {
        let i = (times.len() * p / 100).min(times.len().saturating_sub(1));
        times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{reader:<8} {case:<26} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {last:>9}",
        at(50),
        at(95),
        at(99),
        at(100)
    );
}

async fn page(
    router: &axum::Router,
    url: &str,
    cookie: Option<&str>,
) -> anyhow::Result<(u16, usize)> {
    let mut req = Request::get(url).body(Body::empty())?;
    req.headers_mut()
        .insert(header::HOST, "erbij.example.nl".parse()?);
    if let Some(cookie) = cookie {
        req.headers_mut().insert(header::COOKIE, cookie.parse()?);
    }
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([192, 0, 2, 10], 50000))));
    let response = router.clone().oneshot(req).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body.len()))
}

/// A member who is no expert: reads public and members' threads, not the expert area.
async fn member(db: &sea_orm::DatabaseConnection) -> anyhow::Result<user::Model> {
    user::Entity::find()
        .filter(user::Column::Email.ends_with(format!("@{}", demo::DOMAIN)))
        .filter(user::Column::IsExpert.eq(false))
        .filter(user::Column::IsAdmin.eq(false))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo member"))
}

async fn scalar(db: &sea_orm::DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row: {sql}"))?;
    Ok(row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0))
}

/// The index next to the text it holds. Every post is indexed with its thread's title, so
/// the text is given both with each title once and with each title once per post.
async fn sizes(db: &sea_orm::DatabaseConnection, backend: DatabaseBackend) -> anyhow::Result<()> {
    let bodies = scalar(db, "SELECT CAST(SUM(LENGTH(body)) AS BIGINT) FROM posts").await?;
    let titles = scalar(db, "SELECT CAST(SUM(LENGTH(title)) AS BIGINT) FROM threads").await?;
    let titles_per_post = scalar(
        db,
        "SELECT CAST(SUM(LENGTH(t.title)) AS BIGINT) FROM posts p JOIN threads t ON t.id = p.thread_id",
    )
    .await?;
    let text = bodies + titles;
    let index = if backend == DatabaseBackend::Sqlite {
        let parts = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT name, SUM(pgsize) FROM dbstat \
                 WHERE name LIKE 'search%' OR name LIKE 'sqlite_autoindex_search%' \
                 GROUP BY name ORDER BY 2 DESC",
            ))
            .await?;
        let mut total = 0i64;
        for part in parts {
            let name: String = part.try_get_by_index(0)?;
            let size: i64 = part.try_get_by_index(1)?;
            println!("  {name:<36} {:>8.1} MB", mb(size));
            total += size;
        }
        total
    } else {
        for table in ["search_docs", "posts", "threads"] {
            let size = scalar(
                db,
                &format!("SELECT pg_total_relation_size('{table}')::bigint"),
            )
            .await?;
            println!("  {table:<36} {:>8.1} MB (with its indexes)", mb(size));
        }
        scalar(db, "SELECT pg_total_relation_size('search_docs')::bigint").await?
    };
    println!(
        "index {:.1} MB; text {:.1} MB (bodies {:.1} + titles {:.1}; {:.1} with the title \
         once per post): index = {:.2}× text ({:.2}× with titles per post)",
        mb(index),
        mb(text),
        mb(bodies),
        mb(titles),
        mb(bodies + titles_per_post),
        index as f64 / text as f64,
        index as f64 / (bodies + titles_per_post) as f64
    );
    Ok(())
}

/// The most common words on SQLite: how long merely counting their matches takes, next to
/// a whole `engine::find`, timed as the median of 5 runs.
async fn parts(db: &sea_orm::DatabaseConnection, queries: &Queries) -> anyhow::Result<()> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in &queries.common {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let mut common: Vec<(&str, usize)> = counts.into_iter().collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut words: Vec<&str> = common.iter().take(3).map(|(w, _)| *w).collect();
    words.push("huisbezoek");
    // Counting every match is the least a search that reads all matches would cost; the
    // engine walks the newest matches only.
    let steps = [(
        "count all matches",
        "SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH ?".to_string(),
    )];
    println!("\nwhere a one-word search spends its time (SQLite, visitor, median of 5, ms):");
    print!("{:<16} {:>8}", "word", "docs");
    for (name, _) in &steps {
        print!(" {name:>26}");
    }
    println!(" {:>14}", "engine::find");
    for word in words {
        let expression = format!(
            "({{title_nl body_nl}} : \"{}\" OR {{title_en body_en}} : \"{}\")",
            erbij::search::text::dutch(word),
            erbij::search::text::english(word)
        );
        let docs = db
            .query_one_raw(Statement::from_sql_and_values(
                DatabaseBackend::Sqlite,
                steps[0].1.clone(),
                [expression.clone().into()],
            ))
            .await?
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        print!("{word:<16} {docs:>8}");
        for (_, sql) in &steps {
            let mut times = Vec::new();
            for _ in 0..5 {
                let started = Instant::now();
                db.query_all_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Sqlite,
                    sql.clone(),
                    [expression.clone().into()],
                ))
                .await?;
                times.push(started.elapsed());
            }
            times.sort_unstable();
            print!(" {:>26.1}", times[2].as_secs_f64() * 1000.0);
        }
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            engine::find(
                db,
                Reader::Visitor,
                &Query::parse(word),
                &Filters::default(),
                Order::Relevance,
                0,
                PAGE,
            )
            .await?;
            times.push(started.elapsed());
        }
        times.sort_unstable();
        println!(" {:>14.1}", times[2].as_secs_f64() * 1000.0);
    }
    Ok(())
}

fn mb(bytes: i64) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Words to ask for, taken from the site itself: `common` as they occur in running text (so
/// frequent words come up often), `rare` evenly from the distinct words (so most are rare).
struct Queries {
    common: Vec<String>,
    rare: Vec<String>,
    /// Two words that follow each other in some post.
    pairs: Vec<(String, String)>,
}

impl Queries {
    async fn from_site(db: &sea_orm::DatabaseConnection) -> anyhow::Result<Queries> {
        let bodies: Vec<String> = post::Entity::find()
            .select_only()
            .column(post::Column::Body)
            .filter(post::Column::Id.lte(3_000))
            .into_tuple()
            .all(db)
            .await?;
        let titles: Vec<String> = thread::Entity::find()
            .select_only()
            .column(thread::Column::Title)
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        let mut common = Vec::new();
        let mut pairs = Vec::new();
        let mut distinct = std::collections::BTreeSet::new();
        for text in bodies.iter().chain(&titles) {
            let words: Vec<String> = text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 4)
                .map(str::to_lowercase)
                .collect();
            for pair in words.windows(2) {
                pairs.push((pair[0].clone(), pair[1].clone()));
            }
            distinct.extend(words.iter().cloned());
            common.extend(words);
        }
        Ok(Queries {
            common,
            rare: distinct.into_iter().collect(),
            pairs,
        })
    }

    /// One word: half of them as common as running text makes them, half rare.
    fn word(&self, rng: &mut StdRng) -> String {
        let list = if rng.random_bool(0.5) {
            &self.common
        } else {
            &self.rare
        };
        list.choose(rng).cloned().unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
enum Case {
    OneWord,
    TwoWords,
    Prefix,
    Phrase,
    Practice,
    Period,
    Kind,
}

impl Case {
    const ALL: &[Case] = &[
        Case::OneWord,
        Case::TwoWords,
        Case::Prefix,
        Case::Phrase,
        Case::Practice,
        Case::Period,
        Case::Kind,
    ];

    fn name(self) -> &'static str {
        match self {
            Case::OneWord => "1 word",
            Case::TwoWords => "2 words",
            Case::Prefix => "prefix (4 letters*)",
            Case::Phrase => "\"phrase of 2\"",
            Case::Practice => "1-2 words + practice",
            Case::Period => "1-2 words + period",
            Case::Kind => "1-2 words + kind",
        }
    }

    fn item(self, rng: &mut StdRng, q: &Queries, practices: &[practice::Model]) -> Item {
        let one_or_two = |rng: &mut StdRng| {
            if rng.random_bool(0.5) {
                q.word(rng)
            } else {
                format!("{} {}", q.word(rng), q.word(rng))
            }
        };
        let mut item = Item {
            text: String::new(),
            filters: Filters::default(),
            period: None,
            order: Order::Relevance,
        };
        match self {
            Case::OneWord => item.text = q.word(rng),
            Case::TwoWords => item.text = format!("{} {}", q.word(rng), q.word(rng)),
            Case::Prefix => {
                let word = q.word(rng);
                item.text = format!("{}*", word.chars().take(4).collect::<String>());
            }
            Case::Phrase => {
                let (a, b) = q.pairs.choose(rng).cloned().unwrap_or_default();
                item.text = format!("\"{a} {b}\"");
            }
            Case::Practice => {
                item.text = one_or_two(rng);
                item.filters.practice = practices.choose(rng).map(|p| p.id);
            }
            Case::Period => {
                item.text = one_or_two(rng);
                let (name, days) = *[("week", 7), ("maand", 30), ("jaar", 365)]
                    .choose(rng)
                    .unwrap_or(&("jaar", 365));
                item.period = Some(name);
                item.filters.since = Some(Utc::now() - chrono::Duration::days(days));
            }
            Case::Kind => {
                item.text = one_or_two(rng);
                item.filters.kind = Some(if rng.random_bool(0.5) {
                    Kind::Threads
                } else {
                    Kind::Summaries
                });
            }
        }
        item
    }
}

/// One search as the engine and as the page get it.
struct Item {
    text: String,
    filters: Filters,
    period: Option<&'static str>,
    order: Order,
}

impl Item {
    fn url(&self, slugs: &HashMap<i32, String>) -> String {
        let mut url = format!(
            "/zoeken?q={}",
            url::form_urlencoded::byte_serialize(self.text.as_bytes()).collect::<String>()
        );
        if let Some(slug) = self.filters.practice.and_then(|id| slugs.get(&id)) {
            url.push_str(&format!("&praktijk={slug}"));
        }
        match self.filters.kind {
            Some(Kind::Threads) => url.push_str("&soort=onderwerpen"),
            Some(Kind::Summaries) => url.push_str("&soort=kennisbundels"),
            Some(Kind::Interventions) => url.push_str("&soort=interventies"),
            None => {}
        }
        if let Some(period) = self.period {
            url.push_str(&format!("&periode={period}"));
        }
        if self.order == Order::Newest {
            url.push_str("&sorteer=nieuw");
        }
        url
    }
}
