//! The image pipeline on a 12-megapixel phone photo: how long decoding, turning upright and
//! encoding the three stored sizes takes, and how much memory it needs at its peak.
//!
//! A 4,000 × 3,000 JPEG with structure and noise (≈ what a phone sends), with an EXIF block
//! (orientation 6, GPS), goes through `media::process_image` several times; the time of
//! each round is printed, and the process's peak resident memory (`VmHWM` in
//! `/proc/self/status`) before and after, which is the pipeline's peak since nothing else
//! runs. Also: the 30,000 × 30,000 PNG bomb, refused, and how long that takes.
//!
//! `cargo bench --bench images`; `ERBIJ_BENCH_ROUNDS` sets the number of rounds (5).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// tests and benches may stop at the first surprise

// The figures printed are the benchmark's report.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use erbij::media::{self, Limits};

#[path = "../common/images.rs"]
mod images;

/// Peak and current resident memory of this process, in MiB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn main() {
    let rounds: usize = std::env::var("ERBIJ_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let photo = images::with_metadata(&images::jpeg(4000, 3000), 6);
    let (peak_before, rss_before) = memory();
    println!(
        "input: 4000 × 3000 JPEG, {:.1} MB; before: peak {peak_before:.0} MiB, resident {rss_before:.0} MiB",
        photo.len() as f64 / 1e6
    );
    let mut times = Vec::new();
    for round in 1..=rounds {
        let started = Instant::now();
        let done = media::process_image(&photo, &Limits::default()).expect("processed");
        let took = started.elapsed();
        times.push(took.as_secs_f64());
        println!(
            "round {round}: {:.0} ms → full {}×{} {:.0} kB, display {}×{} {:.0} kB, thumb {}×{} {:.0} kB",
            took.as_secs_f64() * 1000.0,
            done.full.width,
            done.full.height,
            done.full.bytes.len() as f64 / 1e3,
            done.display.width,
            done.display.height,
            done.display.bytes.len() as f64 / 1e3,
            done.thumb.width,
            done.thumb.height,
            done.thumb.bytes.len() as f64 / 1e3,
        );
    }
    let (peak_after, rss_after) = memory();
    times.sort_by(f64::total_cmp);
    println!(
        "12 MP photo → 3 sizes: median {:.0} ms, fastest {:.0} ms, slowest {:.0} ms",
        times[times.len() / 2] * 1000.0,
        times[0] * 1000.0,
        times[times.len() - 1] * 1000.0
    );
    println!(
        "peak resident memory: {peak_after:.0} MiB (+{:.0} MiB over the {peak_before:.0} MiB before); resident after: {rss_after:.0} MiB",
        peak_after - peak_before
    );

    let bomb = images::png_bomb(30_000);
    let started = Instant::now();
    let refused = media::process_image(&bomb, &Limits::default());
    println!(
        "30000 × 30000 PNG bomb ({} bytes): {:?} in {:.2} ms; peak resident memory now {:.0} MiB",
        bomb.len(),
        refused.map(|_| ()),
        started.elapsed().as_secs_f64() * 1000.0,
        memory().0
    );
}
