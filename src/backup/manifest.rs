//! `manifest.json`: what a backup holds, and the size and SHA-256 of each of its files, so
//! that a damaged or unfinished backup is refused before anything is restored from it.

use std::{
    io::Read as _,
    path::{Path, PathBuf},
};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// The manifest's file name in the backup folder.
pub const FILE: &str = "manifest.json";
/// The layout of a backup folder; a later Erbij that changes it raises this.
pub const FORMAT: u32 = 1;
/// Where the attachments are in a backup folder: `files/<key>`.
pub const FILES: &str = "files";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DatabaseKind {
    /// `erbij.db`, a copy of the SQLite file.
    Sqlite,
    /// `erbij.pgdump`, made by `pg_dump --format=custom`.
    Postgres,
}

impl DatabaseKind {
    /// The database's file in the backup folder.
    pub fn file(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "erbij.db",
            DatabaseKind::Postgres => "erbij.pgdump",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DatabaseKind::Sqlite => "SQLite",
            DatabaseKind::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The Erbij that made it.
    pub erbij_version: String,
    pub created_at: DateTime<Utc>,
    pub database: DatabaseKind,
    /// The newest migration applied to the database when it was copied.
    pub migration: String,
    /// The database's file first, then every attachment.
    pub files: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the backup folder, with `/` between parts.
    pub path: String,
    pub size: u64,
    /// In lower-case hex.
    pub sha256: String,
}

impl Entry {
    /// The attachment's storage key, for an entry under `files/`.
    pub fn attachment_key(&self) -> Option<&str> {
        self.path.strip_prefix(FILES)?.strip_prefix('/')
    }
}

impl Manifest {
    /// Writes the manifest beside the files, whole or not at all: a folder with a manifest
    /// is a finished backup.
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(self)?;
        let part = dir.join(format!("{FILE}.part"));
        std::fs::write(&part, json).with_context(|| format!("cannot write {}", part.display()))?;
        std::fs::rename(&part, dir.join(FILE))
            .with_context(|| format!("cannot write the manifest in {}", dir.display()))?;
        Ok(())
    }

    /// Reads a backup's manifest; a folder without one is refused as unfinished.
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(FILE);
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "{} has no {FILE}: it is not a backup, or one that did not finish",
                dir.display()
            ),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        let manifest: Manifest = serde_json::from_slice(&text)
            .with_context(|| format!("{} is damaged", path.display()))?;
        anyhow::ensure!(
            manifest.format <= FORMAT,
            "the backup is in format {} from Erbij {}; this Erbij reads format {FORMAT} and \
             older: restore it with that version or a newer one",
            manifest.format,
            manifest.erbij_version
        );
        for entry in &manifest.files {
            anyhow::ensure!(
                is_plain_relative(&entry.path),
                "{FILE} names a file outside the backup ({}): refused",
                entry.path
            );
        }
        anyhow::ensure!(
            manifest
                .files
                .iter()
                .any(|e| e.path == manifest.database.file()),
            "{FILE} lists no {}: the backup is incomplete",
            manifest.database.file()
        );
        Ok(manifest)
    }

    /// Checks every file's size and checksum, naming the first that differs.
    pub fn verify(&self, dir: &Path, progress: &indicatif::ProgressBar) -> anyhow::Result<()> {
        for entry in &self.files {
            let path = local(dir, &entry.path);
            let (size, sha256) = match checksum(&path) {
                Ok(found) => found,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    anyhow::bail!(
                        "the backup is incomplete: {} is missing (from {})",
                        entry.path,
                        dir.display()
                    )
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("cannot read {}", path.display()));
                }
            };
            anyhow::ensure!(
                size == entry.size && sha256 == entry.sha256,
                "the backup is damaged: {} does not match its checksum in {FILE} ({size} bytes, \
                 SHA-256 {sha256}; expected {} bytes, SHA-256 {}); nothing was restored",
                entry.path,
                entry.size,
                entry.sha256
            );
            progress.inc(1);
        }
        Ok(())
    }
}

/// A manifest path as a path on this machine.
pub fn local(dir: &Path, relative: &str) -> PathBuf {
    relative
        .split('/')
        .fold(dir.to_path_buf(), |p, s| p.join(s))
}

/// Size and SHA-256 (hex) of a file, read in blocks.
pub fn checksum(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hash = Sha256::new();
    let mut block = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut block)?;
        if n == 0 {
            break;
        }
        hash.update(&block[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hash.finalize())))
}

/// Parts that are names, not `..`, `.`, empty, absolute or with a backslash.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
        && !path.contains(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_backup_are_read() {
        assert!(is_plain_relative("erbij.db"));
        assert!(is_plain_relative("files/ab/abcdef-display"));
        for bad in [
            "",
            "/etc/passwd",
            "files/../../x",
            "files//x",
            "./x",
            "a\\b",
            "C:x",
        ] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn an_entry_under_files_names_its_key() {
        let entry = |path: &str| Entry {
            path: path.into(),
            size: 0,
            sha256: String::new(),
        };
        assert_eq!(entry("files/ab/abc").attachment_key(), Some("ab/abc"));
        assert_eq!(entry("erbij.db").attachment_key(), None);
        assert_eq!(entry("filesx/ab").attachment_key(), None);
    }
}
