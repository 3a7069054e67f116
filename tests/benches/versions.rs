//! The version-page benchmark: how long the version pages of the longest texts take, and
//! whether `/healthz` keeps answering while they render.
//!
//! A post at the body limit (50,000 characters) rewritten once, in paragraphs and as one
//! long paragraph, and a summary with two 100,000-character versions (rewritten, and
//! revised in every third paragraph). The server runs as in production, over HTTP on
//! loopback, with two worker threads; the four version pages are asked for at the same time,
//! several rounds, while another client asks for `/healthz` every 5 ms.
//!
//! `cargo bench --bench versions` (add `--profile dev` for a quicker build with slower
//! figures); `ERBIJ_BENCH_ROUNDS` sets the number of rounds (5).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// tests and benches may stop at the first surprise

// The figures printed are the benchmark's report.
#![allow(clippy::print_stdout)]

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use chrono::Utc;
use erbij::{
    Application, Settings,
    entities::{post, post_revision, practice, summary, summary_version, thread, user},
    forum::BODY_MAX,
    session,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const SUMMARY_MAX: usize = 100_000;

/// Dutch-looking prose of exactly `chars` characters, paragraphs of about 80 words when
/// `paragraphs`, from a small deterministic generator.
fn prose(seed: u64, chars: usize, paragraphs: bool) -> String {
    const WORDS: &[&str] = &[
        "buren",
        "eenzaamheid",
        "gesprek",
        "wijk",
        "koffie",
        "samen",
        "vrijwilliger",
        "bellen",
        "ouderen",
        "jongeren",
        "taalmaatje",
        "netwerk",
        "ontmoeting",
        "Charlois",
        "Kralingen",
        "huisbezoek",
        "luisteren",
        "vertrouwen",
        "de",
        "het",
        "een",
        "en",
        "met",
        "voor",
        "niet",
        "vaak",
        "soms",
        "eerst",
        "daarna",
        "want",
        "omdat",
        "wij",
        "zij",
        "helpen",
        "vragen",
    ];
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    let mut text = String::with_capacity(chars + 16);
    let mut in_paragraph = 0;
    while text.len() < chars {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        if !text.is_empty() {
            in_paragraph += 1;
            text.push_str(if paragraphs && in_paragraph % 80 == 0 {
                ".\n\n"
            } else {
                " "
            });
        }
        text.push_str(word);
    }
    text.truncate(chars);
    text
}

/// `text` with every third paragraph rewritten.
fn revised(text: &str) -> String {
    text.split("\n\n")
        .enumerate()
        .map(|(i, p)| {
            if i % 3 == 1 {
                prose(i as u64 + 1_000, p.len(), false)
            } else {
                p.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One GET over a fresh connection: status, body and how long it took.
async fn get(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
) -> anyhow::Result<(u16, String, Duration)> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await?;
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await?;
    let elapsed = started.elapsed();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, response, elapsed))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// What the measuring client needs: where the server is, a signed-in cookie, the pages.
struct Site {
    addr: SocketAddr,
    cookie: String,
    pages: Vec<(&'static str, String)>,
    _dir: tempfile::TempDir,
}

fn main() -> anyhow::Result<()> {
    let rounds: usize = std::env::var("ERBIJ_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    // The server on a runtime of its own, so a blocked server worker never delays the
    // client's clock; the client only waits on sockets.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let site = server.block_on(start())?;
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(measure(&site, rounds))
}

/// Starts the server and stores the texts.
async fn start() -> anyhow::Result<Site> {
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Settings::default()
    }
    .resolved();
    let app = Application::build(settings).await?;
    let addr = SocketAddr::from(([127, 0, 0, 1], app.port()));
    let db = app.state().db.clone();
    tokio::spawn(app.run_until_stopped());

    let now = Utc::now();
    let expert = user::ActiveModel {
        email: Set("eva@bench.erbij.nl".into()),
        name: Set("Eva Janssen".into()),
        organisation: Set("Hogeschool Rotterdam".into()),
        job: Set("Onderzoeker".into()),
        password_hash: Set(None),
        is_admin: Set(true),
        is_expert: Set(true),
        disabled: Set(false),
        lang: Set("nl".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    let cookie = format!(
        "{}={}",
        session::COOKIE,
        session::create(&db, expert.id, 1, &session::Device::default()).await?
    );
    let practice = practice::Entity::find()
        .filter(practice::Column::Slug.eq("netwerkversterking"))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the seeded practice is missing"))?;
    let topic = thread::ActiveModel {
        practice_id: Set(practice.id),
        author_id: Set(expert.id),
        title: Set("Lange verhalen".into()),
        visibility: Set(thread::Visibility::Public),
        pinned: Set(false),
        locked: Set(false),
        post_count: Set(2),
        last_post_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&db)
    .await?;

    let mut pages = Vec::new();
    for (position, paragraphs, label) in [
        (1, true, "post, 50,000 chars in paragraphs, rewritten"),
        (2, false, "post, 50,000 chars in one paragraph, rewritten"),
    ] {
        let old = prose(position as u64, BODY_MAX, paragraphs);
        let new = prose(position as u64 + 100, BODY_MAX, paragraphs);
        let p = post::ActiveModel {
            thread_id: Set(topic.id),
            author_id: Set(expert.id),
            position: Set(position),
            body: Set(new),
            created_at: Set(now),
            edited_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(&db)
        .await?;
        post_revision::ActiveModel {
            post_id: Set(p.id),
            editor_id: Set(expert.id),
            body: Set(old),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await?;
        pages.push((label, format!("/berichten/{}/versies", p.id)));
    }
    let first = prose(7, SUMMARY_MAX, true);
    for (slug, second, label) in [
        (
            "herschreven",
            prose(8, SUMMARY_MAX, true),
            "summary, two 100,000-char versions, rewritten",
        ),
        (
            "herzien",
            revised(&first),
            "summary, two 100,000-char versions, every third paragraph revised",
        ),
    ] {
        let s = summary::ActiveModel {
            slug: Set(slug.into()),
            status: Set(summary::SummaryStatus::Draft),
            lang: Set("nl".into()),
            title: Set(format!("Kennisbundel {slug}")),
            author_id: Set(expert.id),
            sources_changed: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&db)
        .await?;
        for body in [first.clone(), second] {
            summary_version::ActiveModel {
                summary_id: Set(s.id),
                editor_id: Set(expert.id),
                title: Set(format!("Kennisbundel {slug}")),
                body: Set(body),
                references_text: Set(String::new()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&db)
            .await?;
        }
        pages.push((label, format!("/kennisbundels/{slug}/versies")));
    }
    Ok(Site {
        addr,
        cookie,
        pages,
        _dir: dir,
    })
}

async fn measure(site: &Site, rounds: usize) -> anyhow::Result<()> {
    let Site {
        addr,
        cookie,
        pages,
        ..
    } = site;
    let addr = *addr;

    // Warm up (first connection, statement caches), and check every page answers.
    for (label, path) in pages {
        let (status, body, _) = get(addr, path, cookie).await?;
        anyhow::ensure!(
            status == 200 && body.contains("<del>") && body.contains("<ins>"),
            "{label}: {path} answered {status}"
        );
    }
    get(addr, "/healthz", "").await?;

    // /healthz every 5 ms, from before the first round until after the last.
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let probe = tokio::spawn(async move {
        let mut latencies = Vec::new();
        loop {
            if *stopped.borrow_and_update() {
                break;
            }
            if let Ok((200, _, took)) = get(addr, "/healthz", "").await {
                latencies.push(took);
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                _ = stopped.changed() => {}
            }
        }
        latencies
    });
    tokio::time::sleep(Duration::from_millis(50)).await;

    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); pages.len()];
    let started = Instant::now();
    for _ in 0..rounds {
        let requests = pages.iter().map(|(_, path)| {
            let (path, cookie) = (path.clone(), cookie.clone());
            tokio::spawn(async move { get(addr, &path, &cookie).await })
        });
        let answers = futures_util::future::join_all(requests).await;
        for (i, answer) in answers.into_iter().enumerate() {
            let (status, _, took) = answer??;
            anyhow::ensure!(status == 200, "{} answered {status}", pages[i].1);
            times[i].push(took);
        }
    }
    let total = started.elapsed();
    stop.send(true)?;
    let mut health = probe.await?;

    println!(
        "{rounds} rounds of the {} version pages at once, {} in all, 2 worker threads",
        pages.len(),
        ms(total)
    );
    for ((label, _), mut t) in pages.iter().zip(times) {
        t.sort();
        println!(
            "  {label}: median {}, slowest {}",
            ms(t[t.len() / 2]),
            ms(t[t.len() - 1])
        );
    }
    health.sort();
    match health.last() {
        Some(worst) => println!(
            "  /healthz meanwhile: {} answers, median {}, slowest {}",
            health.len(),
            ms(health[health.len() / 2]),
            ms(*worst)
        ),
        None => println!("  /healthz meanwhile: no answer at all"),
    }
    Ok(())
}
