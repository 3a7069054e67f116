//! Copies of a whole site (issue 19): a backup taken while the site serves
//! ([`create`]), restoring one into an empty site ([`restore`]), and moving a SQLite site
//! to PostgreSQL ([`to_postgres`]).
//!
//! A backup is a folder: the database (`erbij.db`, or `erbij.pgdump` from `pg_dump`), every
//! attachment under `files/<key>`, and `manifest.json` with each file's size and SHA-256.
//! The manifest is written last, so a folder without one is a backup that did not finish;
//! restore checks every checksum before it writes anything.
//!
//! The `*_command` functions are what `erbij backup …` and `erbij export --to postgres` run:
//! a progress bar on the terminal, one closing line.

use std::{
    path::{Path, PathBuf},
    time::Instant,
};

use anyhow::Context as _;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};

use crate::{Settings, app};

pub mod create;
pub mod manifest;
mod pg_tools;
pub mod restore;
pub mod to_postgres;

pub use create::create;
pub use restore::restore;

/// `erbij backup create [--to DIR]`.
pub async fn create_command(settings: Settings, to: Option<PathBuf>) -> anyhow::Result<()> {
    let to = to.unwrap_or_else(default_folder);
    let state = app::prepare(settings).await?;
    let started = Instant::now();
    let progress = bar("backing up")?;
    let made = create(&state, &to, &progress).await?;
    progress.finish_and_clear();
    eprintln!(
        "Backed up the database and {} ({} files, {}) to {} in {:.1} s",
        attachments(made.attachments),
        made.files,
        HumanBytes(made.bytes),
        to.display(),
        started.elapsed().as_secs_f64()
    );
    if !made.vanished.is_empty() {
        eprintln!(
            "{} attachments were deleted by the site while the backup ran and are not in it: {}",
            made.vanished.len(),
            made.vanished.join(", ")
        );
    }
    Ok(())
}

/// `erbij backup restore FROM`.
pub async fn restore_command(settings: Settings, from: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let progress = bar("restoring")?;
    let done = restore(&settings, from, &progress).await?;
    progress.finish_and_clear();
    eprintln!(
        "Restored the database and {} ({} files, {}) from {} in {:.1} s; the schema is up \
         to date",
        attachments(done.attachments),
        done.files,
        HumanBytes(done.bytes),
        from.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `erbij export --to postgres --url URL`.
pub async fn export_command(settings: Settings, url: &str) -> anyhow::Result<()> {
    anyhow::ensure!(
        settings.is_sqlite(),
        "this site already runs on PostgreSQL ({}); `export --to postgres` moves a SQLite site",
        pg_tools::without_password(&settings.database_url)
    );
    let started = Instant::now();
    let source = crate::db::connect(&settings)
        .await
        .context("cannot open the site's database")?;
    crate::db::migrate(&source)
        .await
        .context("migrating the site's database failed")?;
    let mut options = sea_orm::ConnectOptions::new(url.to_string());
    options.sqlx_logging(false);
    let target = sea_orm::Database::connect(options)
        .await
        .with_context(|| format!("cannot connect to {}", pg_tools::without_password(url)))?;
    let progress = bar("copying")?;
    let report = to_postgres::export(&source, &target, &progress).await?;
    progress.finish_and_clear();
    for table in &report.tables {
        eprintln!("{:<24} {:>9} rows", table.name, table.target);
    }
    eprintln!(
        "Copied {} rows of {} tables to {} (every count matches) and indexed {} texts for \
         search, in {:.1} s. Set DATABASE_URL to it and start Erbij.",
        report.rows,
        report.tables.len(),
        pg_tools::without_password(url),
        report.indexed,
        started.elapsed().as_secs_f64()
    );
    target.close().await?;
    source.close().await?;
    Ok(())
}

fn attachments(n: usize) -> String {
    match n {
        1 => "1 attachment".into(),
        n => format!("{n} attachments"),
    }
}

/// `./backups/erbij-YYYYMMDD-HHMMSS`, in local time.
fn default_folder() -> PathBuf {
    PathBuf::from("backups").join(format!(
        "erbij-{}",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    ))
}

fn bar(message: &'static str) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")?.progress_chars("=> "),
    );
    bar.set_message(message);
    Ok(bar)
}
