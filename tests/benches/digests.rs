//! The digest benchmark: 10,000 subscribers over the demo database. It measures, separately,
//! composing and rendering every digest into the outbox, and delivering the outbox to an
//! SMTP server on loopback (an in-process sink that accepts and counts).
//!
//! `cargo bench --bench digests` (SQLite in a temporary folder); set
//! `ERBIJ_BENCH_DATABASE_URL=postgres://…/some_empty_database` for PostgreSQL and
//! `ERBIJ_BENCH_SUBSCRIBERS` for another number of subscribers.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// tests and benches may stop at the first surprise

// The figures printed are the benchmark's report.
#![allow(clippy::print_stdout)]

#[path = "resident.rs"]
mod resident;

/// The server's allocator, so that memory is measured as the server would use it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Instant,
};

use chrono::{Duration, Utc};
use erbij::{
    Settings, app, delivery, demo,
    entities::{practice, subscriber, subscriber_practice},
};
use indicatif::ProgressBar;
use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

#[derive(Clone)]
struct Counter(Arc<AtomicUsize>);

impl Handler for Counter {
    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::Relaxed);
        response::OK
    }
}

fn sink() -> anyhow::Result<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("smtp://{}", listener.local_addr()?);
    let count = Arc::new(AtomicUsize::new(0));
    let mut server = Server::new(Counter(count.clone()));
    server
        .with_name("sink.bench")
        .with_ssl(SslConfig::None)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_num_threads(64)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(err) = server.serve() {
            eprintln!("sink stopped: {err}");
        }
    });
    Ok((url, count))
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let n: usize = std::env::var("ERBIJ_BENCH_SUBSCRIBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir()?;
    let (smtp_url, received) = sink()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        database_url: std::env::var("ERBIJ_BENCH_DATABASE_URL").unwrap_or_default(),
        base_url: "https://erbij.example.nl".into(),
        smtp_url,
        mail_per_second: 0,
        ..Settings::default()
    }
    .resolved();
    let state = app::prepare(settings).await?;
    let seeded = demo::seed(&state.db, &ProgressBar::hidden()).await?;
    let practices: Vec<i32> = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();

    // Subscribers with the spread of choices people make: most follow everything weekly,
    // others one or two practices, some monthly, some in English, some without summaries.
    let mut rng = StdRng::seed_from_u64(48);
    let now = Utc::now();
    let mut chosen_rows = Vec::new();
    let mut rows = Vec::new();
    for i in 0..n {
        let all = rng.random_bool(0.6);
        rows.push(subscriber::ActiveModel {
            id: Set(i32::try_from(i + 1)?),
            email: Set(format!("lezer{i}@bench.erbij.nl")),
            status: Set(subscriber::ACTIVE.into()),
            lang: Set(if rng.random_bool(0.8) { "nl" } else { "en" }.into()),
            frequency: Set(if rng.random_bool(0.85) {
                subscriber::WEEKLY
            } else {
                subscriber::MONTHLY
            }
            .into()),
            all_practices: Set(all),
            summaries: Set(rng.random_bool(0.9)),
            manage_token: Set(erbij::tokens::random_secret()),
            consent_text: Set("bench".into()),
            consent_ip: Set("192.0.2.1".into()),
            consent_at: Set(now),
            confirmed_at: Set(Some(now)),
            bounces: Set(0),
            created_at: Set(now),
            ..Default::default()
        });
        if !all {
            let first = practices[rng.random_range(0..practices.len())];
            let second = practices[rng.random_range(0..practices.len())];
            for practice_id in std::collections::BTreeSet::from([first, second]) {
                chosen_rows.push(subscriber_practice::ActiveModel {
                    subscriber_id: Set(i32::try_from(i + 1)?),
                    practice_id: Set(practice_id),
                });
            }
        }
    }
    for chunk in rows.chunks(500) {
        subscriber::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    for chunk in chosen_rows.chunks(1000) {
        subscriber_practice::Entity::insert_many(chunk.to_vec())
            .exec(&state.db)
            .await?;
    }
    let backend = if state.settings.database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "{backend}: demo site ({} threads, {} posts), {n} subscribers",
        seeded.threads, seeded.posts
    );

    let end = Utc::now() + Duration::minutes(1);
    let started = Instant::now();
    let queued = delivery::enqueue(
        &state,
        end,
        &[subscriber::WEEKLY, subscriber::MONTHLY],
        false,
        &ProgressBar::hidden(),
    )
    .await?;
    let compose = started.elapsed();
    println!(
        "compose + render + queue: {} digests ({} with nothing new) in {:.2} s = {:.0} digests/s",
        queued.queued,
        queued.nothing_new,
        compose.as_secs_f64(),
        queued.queued as f64 / compose.as_secs_f64()
    );

    // Resident memory while delivering (this process: Erbij's delivery and the SMTP sink).
    let before = resident::kib("self");
    let peak = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(before));
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (peak.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(resident::kib("self"), Ordering::Relaxed);
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    let started = Instant::now();
    let sent = delivery::deliver(&state, u64::MAX, 0, &ProgressBar::hidden()).await?;
    let deliver = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    sampler.join().ok();
    println!(
        "resident memory of this process: {:.1} MB before delivering, {:.1} MB at the peak, {:.1} MB after",
        before as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        resident::kib("self") as f64 / 1024.0
    );
    println!(
        "deliver over SMTP: {} mails in {:.2} s = {:.0} mails/s ({} received by the sink, {} to retry)",
        sent.sent,
        deliver.as_secs_f64(),
        sent.sent as f64 / deliver.as_secs_f64(),
        received.load(Ordering::Relaxed),
        sent.retrying
    );
    Ok(())
}
