//! The side-by-side load benchmark (issue 16): Erbij on the scaled demo site next to the peer
//! harness in `../shared/bench/` (Spirit, and nginx serving page bytes from a file), in one
//! run on one machine.
//!
//! ```text
//! PEER_HOME=/some/writable/folder cargo bench --bench peer
//! ```
//!
//! It builds the demo site once (`erbij seed demo --scale 40000`, under
//! `target/bench-site`, or `ERBIJ_BENCH_DIR`), starts the release binary on 127.0.0.1:8003,
//! signs in the demo member, saves Erbij's own thread and practice pages for nginx to serve
//! from a file, and runs the harness with these targets next to Spirit's topic page and
//! nginx serving Spirit's bytes:
//!
//! | target | what |
//! |---|---|
//! | `erbij-topic` / `nginx-erbij-topic` | a visitor's page 1 of the 200-post thread / the same bytes from nginx |
//! | `erbij-practice` / `nginx-erbij-practice` | a visitor's practice page / the same bytes from nginx |
//! | `member-topic`, `member-practice` | the same pages for a signed-in member (unread marks, bell) |
//!
//! Start-up time, idle memory and the peak and final resident memory of the Erbij process
//! under the load are printed after the harness's table. Without `PEER_HOME` it says how to
//! run it and stops. `TARGETS`, `DURATION`, `RUNS` … pass through to the harness.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The figures printed are the benchmark's report.
#![allow(clippy::print_stdout)]

#[path = "resident.rs"]
mod resident;

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use erbij::entities::{practice, thread};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

const PORT: u16 = 8003;

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; a filter that is not ours means another bench was asked.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && a != "peer")
    {
        return Ok(());
    }
    let Ok(peer_home) = std::env::var("PEER_HOME") else {
        println!("peer: set PEER_HOME to a writable folder to run the side-by-side benchmark");
        return Ok(());
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let harness = std::env::var("PEER_HARNESS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("../shared/bench"));
    let site = std::env::var("ERBIJ_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root.join("target/bench-site"));
    let scale: usize = std::env::var("ERBIJ_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40_000);
    let exe = env!("CARGO_BIN_EXE_erbij");

    Command::new("bash")
        .arg(harness.join("peer-setup.sh"))
        .env("PEER_HOME", &peer_home)
        .status()?;

    if !site.join("erbij.db").exists() {
        println!(
            "peer: building the demo site with {scale} posts in {}",
            site.display()
        );
        let status = Command::new(exe)
            .args(["seed", "demo", "--scale", &scale.to_string()])
            .env("ERBIJ_DATA_DIR", &site)
            .status()?;
        anyhow::ensure!(status.success(), "seeding failed");
    }
    let (topic, practice) = paths(&site)?;

    let started = Instant::now();
    let mut server = Server(
        Command::new(exe)
            .env("ERBIJ_DATA_DIR", &site)
            .env("ERBIJ_BIND", format!("127.0.0.1:{PORT}"))
            .env("ERBIJ_MAIL_PER_SECOND", "0")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{PORT}");
    while curl(&["-sf", "-o", "/dev/null", &format!("{base}/healthz")]).is_err() {
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "Erbij did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let startup = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let idle = rss_kib(server.0.id());

    let cookie = sign_in(&base, &site)?;
    let www = Path::new(&peer_home).join("peer-data/nginx/www");
    std::fs::create_dir_all(&www)?;
    for (name, path) in [
        ("erbij-topic.html", &topic),
        ("erbij-practice.html", &practice),
    ] {
        curl(&[
            "-sf",
            "-o",
            www.join(name).to_str().unwrap(),
            &format!("{base}{path}"),
        ])?;
    }

    // Resident memory sampled every 100 ms while the harness runs.
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done, pid) = (peak.clone(), done.clone(), server.0.id());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let nginx = "http://127.0.0.1:8002";
    let extra = format!(
        "erbij-topic={base}{topic} nginx-erbij-topic={nginx}/erbij-topic.html \
         erbij-practice={base}{practice} nginx-erbij-practice={nginx}/erbij-practice.html \
         member-topic={base}{topic} member-practice={base}{practice}"
    );
    let targets =
        std::env::var("TARGETS").unwrap_or_else(|_| "spirit-topic nginx-topic".to_string());
    let status = Command::new("bash")
        .arg(harness.join("peer-run.sh"))
        .env("PEER_HOME", &peer_home)
        .env("TARGETS", targets)
        .env("EXTRA_TARGETS", extra)
        .env("MEMBER_COOKIE", &cookie)
        .status()?;
    let peak_harness = peak.swap(rss_kib(server.0.id()), Ordering::Relaxed);
    // A member's pages that are not kept: every request asks for a new address (`?n=…`, which
    // the pages ignore), so each one is rendered — what a member's first view costs.
    let duration = std::env::var("DURATION").unwrap_or_else(|_| "15s".into());
    let script = Path::new(&site).join("unique.lua");
    std::fs::write(
        &script,
        "local n = 0\nrequest = function()\n  n = n + 1\n  return wrk.format(nil, wrk.path .. \"?n=\" .. n .. \"-\" .. math.random(1000000000))\nend\n",
    )?;
    let mut not_kept = Vec::new();
    for (name, path) in [
        ("member-topic-not-kept", &topic),
        ("member-practice-not-kept", &practice),
    ] {
        let out = Command::new("wrk")
            .args(["-t2", "-c32", &format!("-d{duration}"), "--latency"])
            .arg("-s")
            .arg(&script)
            .args(["-H", &format!("Cookie: {cookie}")])
            .arg(format!("{base}{path}"))
            .output()?;
        not_kept.push((name, String::from_utf8_lossy(&out.stdout).into_owned()));
    }
    done.store(true, Ordering::Relaxed);
    sampler.join().ok();
    // Our own table from the harness's raw wrk output, with each Erbij page next to nginx
    // serving the same bytes.
    table(&Path::new(&peer_home).join("peer-data/results"))?;
    for (name, text) in &not_kept {
        row(name, "1", text);
    }
    std::thread::sleep(Duration::from_secs(2));
    let after = rss_kib(server.0.id());
    println!();
    println!("| Erbij process | value |");
    println!("|---|---:|");
    println!(
        "| start-up to first answer (existing database) | {} ms |",
        startup.as_millis()
    );
    println!("| resident memory, idle after start | {:.1} MB |", mb(idle));
    println!(
        "| resident memory, peak under the harness's load (pages kept) | {:.1} MB |",
        mb(peak_harness)
    );
    println!(
        "| resident memory, peak under a member's pages not kept | {:.1} MB |",
        mb(peak.load(Ordering::Relaxed))
    );
    println!(
        "| resident memory, 2 s after the load | {:.1} MB |",
        mb(after)
    );
    println!("| thread page measured | `{topic}` |");
    drop(server.0.kill());
    if !status.success() {
        println!("(the harness's own summary failed; the table above is read from its raw output)");
    }
    Ok(())
}

/// One line per target and run: req/s, p50 and p99, from the newest results folder.
fn table(results: &Path) -> anyhow::Result<()> {
    let newest = std::fs::read_dir(results)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .max()
        .ok_or_else(|| anyhow::anyhow!("no results"))?;
    let mut runs: Vec<PathBuf> = std::fs::read_dir(&newest)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".run"))
        .collect();
    runs.sort();
    println!();
    println!("| target | run | req/s | p50 ms | p99 ms |");
    println!("|---|---|---:|---:|---:|");
    for run in runs {
        let text = std::fs::read_to_string(&run)?;
        let name = run.file_name().unwrap().to_string_lossy().into_owned();
        let (target, n) = name
            .trim_end_matches(".txt")
            .rsplit_once(".run")
            .unwrap_or((&name, "?"));
        row(target, n, &text);
    }
    Ok(())
}

/// One line of the table from wrk's output (`--latency`).
fn row(target: &str, run: &str, text: &str) {
    let field = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_string()
    };
    println!(
        "| {target} | {run} | {} | {} | {} |",
        field("Requests/sec:"),
        millis(&field("50%")),
        millis(&field("99%"))
    );
}

/// wrk's `812.00us`, `3.91ms`, `1.05s` in milliseconds.
fn millis(value: &str) -> String {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        _ => return value.to_string(),
    };
    number
        .parse::<f64>()
        .map_or_else(|_| value.to_string(), |n| format!("{:.2}", n * factor))
}

/// Stops the server when the benchmark ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn rss_kib(pid: u32) -> u64 {
    resident::kib(&pid.to_string())
}

fn curl(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("curl").args(args).output()?;
    anyhow::ensure!(out.status.success(), "curl {args:?} failed");
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Page 1 of the longest public thread, and its practice's page.
fn paths(site: &Path) -> anyhow::Result<(String, String)> {
    let url = format!("sqlite://{}?mode=ro", site.join("erbij.db").display());
    tokio::runtime::Runtime::new()?.block_on(async {
        let db = sea_orm::Database::connect(url).await?;
        let long = thread::Entity::find()
            .filter(thread::Column::Visibility.eq(thread::Visibility::Public))
            .order_by_desc(thread::Column::PostCount)
            .one(&db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no public thread"))?;
        let place = practice::Entity::find_by_id(long.practice_id)
            .one(&db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no practice"))?;
        Ok((
            format!("/onderwerpen/{}", long.id),
            format!("/praktijken/{}", place.slug),
        ))
    })
}

/// Signs in the demo member through the form; returns the Cookie header's value.
fn sign_in(base: &str, site: &Path) -> anyhow::Result<String> {
    let jar = site.join("bench-cookies.txt");
    let jar = jar.to_str().unwrap();
    let form = curl(&["-sf", "-c", jar, &format!("{base}/inloggen")])?;
    let token = form
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("no token on the sign-in page"))?
        .to_string();
    curl(&[
        "-s",
        "-o",
        "/dev/null",
        "-b",
        jar,
        "-c",
        jar,
        "--data-urlencode",
        &format!("csrf_token={token}"),
        "--data-urlencode",
        "email=anouk.de-vries@demo.erbij.nl",
        "--data-urlencode",
        &format!("password={}", erbij::demo::PASSWORD),
        &format!("{base}/inloggen"),
    ])?;
    let cookies: Vec<String> = std::fs::read_to_string(jar)?
        .lines()
        .filter(|l| !l.starts_with('#') || l.starts_with("#HttpOnly_"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 7).then(|| format!("{}={}", f[5], f[6]))
        })
        .collect();
    anyhow::ensure!(
        cookies.iter().any(|c| c.starts_with("erbij_session=")),
        "signing in the demo member failed"
    );
    Ok(cookies.join("; "))
}
