//! Restoring a backup into the configured site, which must be empty: nothing is ever
//! overwritten. Every checksum is checked before anything is written; then the attachments
//! go into the configured storage (a folder or S3, whatever the backup came from), the
//! database into place, and the migrations bring a backup of an older Erbij up to date.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use indicatif::ProgressBar;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use super::{
    manifest::{self, DatabaseKind, Manifest},
    pg_tools,
};
use crate::{Settings, db, storage::Storage};

/// What was restored.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    /// The database's file and the attachments.
    pub files: usize,
    pub attachments: usize,
    pub bytes: u64,
}

pub async fn restore(
    settings: &Settings,
    from: &Path,
    progress: &ProgressBar,
) -> anyhow::Result<Restored> {
    let manifest = Manifest::read(from)?;
    let here = if settings.is_sqlite() {
        DatabaseKind::Sqlite
    } else {
        DatabaseKind::Postgres
    };
    anyhow::ensure!(
        manifest.database == here,
        "this is a backup of a {} site and this site is configured for {}: restore it into a \
         site on {} (a SQLite site moves to PostgreSQL with `erbij export --to postgres`)",
        manifest.database.name(),
        here.name(),
        manifest.database.name()
    );
    anyhow::ensure!(
        Migrator::migrations()
            .iter()
            .any(|m| m.name() == manifest.migration),
        "the backup was made by a newer Erbij ({}, migration {}): restore it with that \
         version or a newer one",
        manifest.erbij_version,
        manifest.migration
    );
    progress.set_length(manifest.files.len() as u64);
    progress.set_message("checking");
    {
        let manifest = manifest.clone();
        let from = from.to_path_buf();
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || manifest.verify(&from, &progress)).await??;
    }

    let database = database_file(settings)?;
    refuse_unless_empty(settings, database.as_deref()).await?;
    let storage = Storage::from_settings(settings)?;
    let existing = storage.files.list().await?;
    anyhow::ensure!(
        existing.is_empty(),
        "the attachments' storage ({}) already holds {} files: restore into an empty site",
        storage.description,
        existing.len()
    );

    progress.set_position(0);
    progress.set_message("restoring");
    let mut restored = Restored::default();
    for entry in &manifest.files {
        let Some(key) = entry.attachment_key() else {
            continue;
        };
        let path = manifest::local(from, &entry.path);
        let bytes = tokio::fs::read(&path)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        storage
            .files
            .put(key, bytes.into())
            .await
            .with_context(|| stopped_part_way(&storage))?;
        restored.attachments += 1;
        progress.inc(1);
    }

    let dump = from.join(manifest.database.file());
    match &database {
        Some(file) => copy_into_place(&dump, file)
            .await
            .with_context(|| stopped_part_way(&storage))?,
        None => pg_tools::restore(&settings.database_url, &dump)
            .await
            .with_context(|| stopped_part_way(&storage))?,
    }
    progress.inc(1);

    progress.set_message("migrating");
    let db = db::connect(settings)
        .await
        .context("cannot open the restored database")?;
    db::migrate(&db)
        .await
        .context("migrating the restored database failed")?;
    db.close().await?;
    restored.files = manifest.files.len();
    restored.bytes = manifest.files.iter().map(|e| e.size).sum();
    Ok(restored)
}

fn stopped_part_way(storage: &Storage) -> String {
    format!(
        "the restore stopped part way: empty the attachments' storage ({}) and the database \
         before trying again",
        storage.description
    )
}

/// The SQLite file the settings name (`None` for PostgreSQL).
fn database_file(settings: &Settings) -> anyhow::Result<Option<PathBuf>> {
    if !settings.is_sqlite() {
        return Ok(None);
    }
    let url = &settings.database_url;
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or("");
    anyhow::ensure!(
        !path.is_empty() && !path.starts_with(':'),
        "the database URL {url} names no file to restore into"
    );
    Ok(Some(PathBuf::from(path)))
}

/// The site must be empty: for SQLite its data folder (or at least the database file) and
/// for PostgreSQL the database (no tables).
async fn refuse_unless_empty(settings: &Settings, database: Option<&Path>) -> anyhow::Result<()> {
    match database {
        Some(file) => {
            let dir = &settings.data_dir;
            anyhow::ensure!(
                !holds_files(dir)?,
                "the data folder {} is not empty: restore into a new, empty one (set \
                 ERBIJ_DATA_DIR); nothing was changed",
                dir.display()
            );
            anyhow::ensure!(
                !file.exists(),
                "{} exists: restore into a site without a database; nothing was changed",
                file.display()
            );
        }
        None => {
            let db = Database::connect(settings.database_url.as_str())
                .await
                .with_context(|| {
                    format!(
                        "cannot connect to {}",
                        pg_tools::without_password(&settings.database_url)
                    )
                })?;
            let tables = db
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
                ))
                .await?
                .map(|row| row.try_get_by_index::<i64>(0))
                .transpose()?
                .unwrap_or(0);
            db.close().await?;
            anyhow::ensure!(
                tables == 0,
                "the database {} already has {tables} tables: restore into a new, empty \
                 database (createdb); nothing was changed",
                pg_tools::without_password(&settings.database_url)
            );
        }
    }
    Ok(())
}

/// Whether a folder (or one inside it) holds a file: empty folders, such as those a restore
/// stopped early made, hold nothing to overwrite.
fn holds_files(dir: &Path) -> anyhow::Result<bool> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", dir.display())),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() || holds_files(&entry.path())? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Copies the SQLite file under a temporary name and renames it: a half-copied file is never
/// taken for the database.
async fn copy_into_place(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let part = to.with_extension("db.restoring");
    tokio::fs::copy(from, &part)
        .await
        .with_context(|| format!("cannot copy the database to {}", part.display()))?;
    tokio::fs::File::open(&part).await?.sync_all().await?;
    tokio::fs::rename(&part, to)
        .await
        .with_context(|| format!("cannot put the database at {}", to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_folders_hold_nothing_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!holds_files(&dir.path().join("absent")).unwrap());
        std::fs::create_dir_all(dir.path().join("uploads/ab")).unwrap();
        std::fs::create_dir_all(dir.path().join("exports")).unwrap();
        assert!(!holds_files(dir.path()).unwrap());
        std::fs::write(dir.path().join("uploads/ab/abc"), b"x").unwrap();
        assert!(holds_files(dir.path()).unwrap());
    }

    #[test]
    fn the_sqlite_file_comes_from_the_url() {
        let with = |url: &str| Settings {
            database_url: url.into(),
            ..Settings::default()
        };
        assert_eq!(
            database_file(&with("sqlite://./data/erbij.db?mode=rwc")).unwrap(),
            Some(PathBuf::from("./data/erbij.db"))
        );
        assert_eq!(
            database_file(&with("sqlite:/srv/erbij.db")).unwrap(),
            Some(PathBuf::from("/srv/erbij.db"))
        );
        assert!(database_file(&with("sqlite::memory:")).is_err());
        assert_eq!(database_file(&with("postgres://db/erbij")).unwrap(), None);
    }
}
