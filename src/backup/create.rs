//! Taking a backup while the site serves: the database as one consistent moment, then every
//! attachment, then the manifest.

use std::path::Path;

use anyhow::Context as _;
use chrono::Utc;
use futures_util::StreamExt as _;
use indicatif::ProgressBar;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use super::{
    manifest::{self, DatabaseKind, Entry, Manifest},
    pg_tools,
};
use crate::{app::App, storage::Folder};

/// What a backup holds.
#[derive(Clone, Debug, Default)]
pub struct Made {
    /// The database's file and the attachments.
    pub files: usize,
    pub attachments: usize,
    pub bytes: u64,
    /// Attachments the site deleted between listing and copying them (the database copy,
    /// taken before, may still name them).
    pub vanished: Vec<String>,
}

/// Backs up the site into `to`, a folder that must not exist yet or be empty.
pub async fn create(state: &App, to: &Path, progress: &ProgressBar) -> anyhow::Result<Made> {
    refuse_unless_empty(to)?;
    let made = write(state, to, progress).await;
    if made.is_err() {
        // What an unfinished backup wrote is of no use (and the folder held nothing before).
        let _ = std::fs::remove_dir_all(to);
    }
    made
}

async fn write(state: &App, to: &Path, progress: &ProgressBar) -> anyhow::Result<Made> {
    std::fs::create_dir_all(to.join(manifest::FILES))
        .with_context(|| format!("cannot create {}", to.display()))?;
    let database = if state.settings.is_sqlite() {
        DatabaseKind::Sqlite
    } else {
        DatabaseKind::Postgres
    };
    let migration = latest_migration(&state.db).await?;
    progress.set_length(1);
    progress.set_message("database");
    let file = to.join(database.file());
    match database {
        DatabaseKind::Sqlite => vacuum_into(&state.db, &file).await?,
        DatabaseKind::Postgres => pg_tools::dump(&state.settings.database_url, &file).await?,
    }
    let mut entries = vec![checksummed(&file, database.file()).await?];
    progress.inc(1);

    progress.set_message("attachments");
    let mut keys = state.storage.files.list().await?;
    keys.sort();
    progress.inc_length(keys.len() as u64);
    let mut made = Made::default();
    for (key, _) in keys {
        match copy_attachment(&state.storage.files, &key, to).await? {
            Some(entry) => entries.push(entry),
            None => made.vanished.push(key),
        }
        progress.inc(1);
    }

    made.files = entries.len();
    made.attachments = entries.len() - 1;
    made.bytes = entries.iter().map(|e| e.size).sum();
    Manifest {
        format: manifest::FORMAT,
        erbij_version: env!("CARGO_PKG_VERSION").into(),
        created_at: Utc::now(),
        database,
        migration,
        files: entries,
    }
    .write(to)?;
    Ok(made)
}

/// A backup never overwrites: its folder is new, or empty.
fn refuse_unless_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => anyhow::ensure!(
            entries.next().is_none(),
            "{} is not empty: a backup goes into a new folder",
            dir.display()
        ),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
    }
    Ok(())
}

/// The name of the newest migration applied to the database.
pub(super) async fn latest_migration(db: &DatabaseConnection) -> anyhow::Result<String> {
    let applied = Migrator::get_applied_migrations(db).await?;
    applied
        .last()
        .map(|m| m.name().to_string())
        .context("the database has no migrations applied")
}

/// A copy of the SQLite database as of one moment, taken while others keep writing.
///
/// sqlx does not expose SQLite's online backup API; `VACUUM INTO` gives the same guarantee:
/// it reads the whole database in one read transaction (in WAL mode writers go on
/// meanwhile) and writes a new, compacted file that is transactionally consistent: every
/// transaction committed before it started, none after.
async fn vacuum_into(db: &DatabaseConnection, file: &Path) -> anyhow::Result<()> {
    let path = file
        .to_str()
        .with_context(|| format!("{} is not valid UTF-8", file.display()))?;
    anyhow::ensure!(!path.contains('\0'), "the backup folder's name holds a NUL");
    // A string literal in SQL: a quote inside is written twice.
    let literal = path.replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{literal}'"))
        .await
        .with_context(|| format!("cannot copy the database into {}", file.display()))?;
    Ok(())
}

/// The manifest entry of a file in the backup (hashed off the async threads).
async fn checksummed(file: &Path, relative: &str) -> anyhow::Result<Entry> {
    let path = file.to_path_buf();
    let (size, sha256) = tokio::task::spawn_blocking(move || manifest::checksum(&path))
        .await?
        .with_context(|| format!("cannot read {}", file.display()))?;
    Ok(Entry {
        path: relative.into(),
        size,
        sha256,
    })
}

/// Copies one attachment to `files/<key>`, hashing as it goes; `None` when it is gone.
async fn copy_attachment(files: &Folder, key: &str, to: &Path) -> anyhow::Result<Option<Entry>> {
    let Some(mut found) = files.stream(key).await? else {
        return Ok(None);
    };
    let relative = format!("{}/{key}", manifest::FILES);
    let path = manifest::local(to, &relative);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut out = tokio::fs::File::create(&path)
        .await
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut hash = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = found.body.next().await {
        let chunk = chunk.with_context(|| format!("cannot read the attachment {key}"))?;
        hash.update(&chunk);
        size += chunk.len() as u64;
        out.write_all(&chunk).await?;
    }
    out.flush().await?;
    out.sync_all().await?;
    Ok(Some(Entry {
        path: relative,
        size,
        sha256: hex::encode(hash.finalize()),
    }))
}
