//! `erbij storage migrate --to s3`: copies every stored attachment from one backend to the
//! other, checks each copy, and can be stopped and started again.
//!
//! Each file is read back from where it went and its SHA-256 compared with the original's
//! before it counts as moved. What is moved is written to a journal (one key a line,
//! appended and flushed per file), so a second run after an interruption skips what was
//! checked and copies the rest. Exports are not moved: they live a week at most.

use std::{collections::HashSet, path::Path};

use anyhow::Context as _;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use indicatif::ProgressBar;
use sha2::Digest as _;
use tokio::io::AsyncWriteExt as _;

use super::Folder;

/// Files copied at once: enough to hide a bucket's latency, few enough for a small machine.
const AT_ONCE: usize = 8;

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Copied and checked in this run.
    pub copied: u64,
    /// Checked in an earlier run (in the journal).
    pub skipped: u64,
    /// Bytes copied in this run.
    pub bytes: u64,
}

/// Copies every file of `from` to `to`, checking each, journalled in `journal`.
pub async fn migrate(
    from: &Folder,
    to: &Folder,
    journal: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<Migrated> {
    let done: HashSet<String> = match tokio::fs::read_to_string(journal).await {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
        Err(e) => return Err(e).context("cannot read the journal"),
    };
    let mut files = from.list().await?;
    files.sort();
    progress.set_length(files.len() as u64);
    let mut report = Migrated::default();
    let (todo, skipped): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|(key, _)| !done.contains(key));
    report.skipped = skipped.len() as u64;
    progress.inc(report.skipped);
    let mut log = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(journal)
        .await
        .context("cannot write the journal")?;
    let mut copies = stream::iter(todo)
        .map(|(key, _)| copy_one(from, to, key))
        .buffer_unordered(AT_ONCE);
    while let Some((key, size)) = copies.try_next().await? {
        log.write_all(format!("{key}\n").as_bytes()).await?;
        log.flush().await?;
        report.copied += 1;
        report.bytes += size;
        progress.inc(1);
    }
    log.sync_all().await?;
    progress.finish();
    Ok(report)
}

/// Copies one file and reads it back; an error names the file.
async fn copy_one(from: &Folder, to: &Folder, key: String) -> anyhow::Result<(String, u64)> {
    let bytes = from
        .get(&key)
        .await?
        .with_context(|| format!("{key} disappeared while copying"))?;
    let original = sha2::Sha256::digest(&bytes);
    let size = bytes.len() as u64;
    to.put(&key, bytes).await?;
    let back = to
        .get(&key)
        .await?
        .with_context(|| format!("{key} is not there after copying"))?;
    anyhow::ensure!(
        sha2::Sha256::digest(&back) == original,
        "{key}: the copy differs from the original (checksum)"
    );
    Ok((key, size))
}
