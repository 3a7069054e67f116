//! Where files live: attachments (and an image's smaller sizes) and members' data exports.
//!
//! One [`Storage`] with two backends, chosen by configuration like the mailer: a folder on
//! this machine (the default) or S3-compatible object storage (any provider: bucket, region,
//! endpoint; credentials from the environment as every AWS tool reads them). Both go
//! through `object_store`, so a file is written whole or not at all on either, and every
//! caller is the same code whatever the backend. Files never leave by a bucket URL: Erbij
//! checks who asks, then streams the bytes ([`Folder::stream`]).

use std::{path::PathBuf, sync::Arc};

use anyhow::Context as _;
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _, stream::BoxStream};
use object_store::{
    ObjectStore, ObjectStoreExt as _, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem,
    path::Path as Key, prefix::PrefixStore,
};
use tokio::io::AsyncWriteExt as _;

use crate::{config::Settings, media::Variant};

pub mod migrate;

/// Which backend keeps the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A folder on this machine.
    Local,
    /// An S3-compatible bucket.
    S3,
}

/// The two kinds of file Erbij keeps, each in a folder of its own.
pub struct Storage {
    pub backend: Backend,
    /// Attachments under their content hash: `ab/abcdef…`, an image's smaller sizes beside
    /// it (`ab/abcdef…-display`).
    pub files: Folder,
    /// Members' data exports (zips), under a random name, until fetched or expired.
    pub exports: Folder,
    /// Said in logs and on the admin page: "folder ./data/uploads", "S3 bucket erbij".
    pub description: String,
}

impl Storage {
    /// The backend the settings name: `storage = "local"` (the default) or `"s3"`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Storage> {
        match settings.storage.as_str() {
            "" | "local" => Storage::local(settings),
            "s3" => Storage::s3(settings),
            other => anyhow::bail!("storage must be \"local\" or \"s3\", not \"{other}\""),
        }
    }

    /// Files in `uploads_dir`, exports in `data_dir/exports`.
    pub fn local(settings: &Settings) -> anyhow::Result<Storage> {
        let files = Folder::on_disk(&settings.uploads_dir)?;
        let exports = Folder::on_disk(&settings.data_dir.join("exports"))?;
        Ok(Storage {
            backend: Backend::Local,
            files,
            exports,
            description: format!("folder {}", settings.uploads_dir.display()),
        })
    }

    /// Files under `attachments/` and exports under `exports/` in the bucket
    /// `s3_bucket` (with `s3_prefix` before both, when set).
    pub fn s3(settings: &Settings) -> anyhow::Result<Storage> {
        anyhow::ensure!(
            !settings.s3_bucket.is_empty(),
            "storage = \"s3\" needs s3_bucket (ERBIJ_S3_BUCKET)"
        );
        // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION,
        // AWS_ENDPOINT … as every AWS tool reads them; the settings win where set.
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&settings.s3_bucket);
        if !settings.s3_region.is_empty() {
            builder = builder.with_region(&settings.s3_region);
        }
        if !settings.s3_endpoint.is_empty() {
            builder = builder
                .with_endpoint(&settings.s3_endpoint)
                .with_allow_http(settings.s3_endpoint.starts_with("http://"));
        }
        let bucket: Arc<dyn ObjectStore> = Arc::new(
            builder
                .build()
                .context("the S3 settings are not complete")?,
        );
        let prefix = settings.s3_prefix.trim_matches('/');
        let under = |area: &str| -> Folder {
            let path = if prefix.is_empty() {
                area.to_string()
            } else {
                format!("{prefix}/{area}")
            };
            Folder {
                store: Arc::new(PrefixStore::new(bucket.clone(), path)),
                local: None,
            }
        };
        Ok(Storage {
            backend: Backend::S3,
            files: under("attachments"),
            exports: under("exports"),
            description: format!("S3 bucket {}", settings.s3_bucket),
        })
    }
}

/// The key of a stored size of an attachment: the full size under its hash, the smaller
/// ones beside it with a suffix. `None` for anything that is not a SHA-256 in hex (a key
/// never comes from outside unchecked).
pub fn attachment_key(sha: &str, variant: Variant) -> Option<String> {
    let valid = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return None;
    }
    Some(match variant {
        Variant::Full => format!("{}/{sha}", &sha[..2]),
        other => format!("{}/{sha}-{}", &sha[..2], other.name()),
    })
}

/// A stored file on its way out: its size and its bytes, a chunk at a time.
pub struct Streamed {
    pub size: u64,
    pub body: BoxStream<'static, std::io::Result<Bytes>>,
}

/// A file in a listing.
pub struct Stored {
    pub key: String,
    pub size: u64,
    pub modified: chrono::DateTime<chrono::Utc>,
}

/// One area of the storage: keys relative to it.
#[derive(Clone)]
pub struct Folder {
    store: Arc<dyn ObjectStore>,
    /// Set for a folder on this machine.
    local: Option<PathBuf>,
}

impl Folder {
    pub fn on_disk(dir: &std::path::Path) -> anyhow::Result<Folder> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("cannot use the folder {}", dir.display()))?;
        Ok(Folder {
            store: Arc::new(store),
            local: Some(dir.to_path_buf()),
        })
    }

    /// Where a key lives on this machine, for a local folder.
    pub fn local_path(&self, key: &str) -> Option<PathBuf> {
        self.local.as_ref().map(|dir| dir.join(key))
    }

    /// Writes a file whole or not at all (replacing one of the same key).
    pub async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        self.store
            .put(&Key::from(key), PutPayload::from_bytes(bytes))
            .await
            .with_context(|| format!("cannot store {key}"))?;
        Ok(())
    }

    /// Copies a file from this machine in parts (a large export never sits in memory).
    pub async fn put_file(&self, key: &str, from: &std::path::Path) -> anyhow::Result<()> {
        let mut source = tokio::fs::File::open(from).await?;
        let mut writer = object_store::buffered::BufWriter::new(self.store.clone(), Key::from(key));
        tokio::io::copy(&mut source, &mut writer)
            .await
            .with_context(|| format!("cannot store {key}"))?;
        writer.shutdown().await?;
        Ok(())
    }

    /// Whether a file is there, and its size.
    pub async fn size(&self, key: &str) -> anyhow::Result<Option<u64>> {
        match self.store.head(&Key::from(key)).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot look up {key}")),
        }
    }

    /// A whole file, or `None` when there is none.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&Key::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {key}")),
        }
    }

    /// A file to send on as it arrives, or `None` when there is none.
    pub async fn stream(&self, key: &str) -> anyhow::Result<Option<Streamed>> {
        match self.store.get(&Key::from(key)).await {
            Ok(found) => Ok(Some(Streamed {
                size: found.meta.size,
                body: found.into_stream().map_err(std::io::Error::other).boxed(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {key}")),
        }
    }

    /// Copies a file to this machine (for work that needs a file, such as a zip).
    /// Returns false when there is no such file.
    pub async fn fetch_to(&self, key: &str, to: &std::path::Path) -> anyhow::Result<bool> {
        let Some(mut found) = self.stream(key).await? else {
            return Ok(false);
        };
        let mut out = tokio::fs::File::create(to).await?;
        while let Some(chunk) = found.body.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
        Ok(true)
    }

    /// Deletes a file; one that is not there is no error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<bool> {
        match self.store.delete(&Key::from(key)).await {
            Ok(()) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot delete {key}")),
        }
    }

    /// Every file (key and size), in no particular order.
    pub async fn list(&self) -> anyhow::Result<Vec<(String, u64)>> {
        Ok(self
            .list_dated()
            .await?
            .into_iter()
            .map(|s| (s.key, s.size))
            .collect())
    }

    /// Every file with its size and when it was written, in no particular order.
    pub async fn list_dated(&self) -> anyhow::Result<Vec<Stored>> {
        let mut all = Vec::new();
        let mut listing = self.store.list(None);
        while let Some(meta) = listing.next().await {
            let meta = meta.context("cannot list the stored files")?;
            all.push(Stored {
                key: meta.location.to_string(),
                size: meta.size,
                modified: meta.last_modified,
            });
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_hash_makes_a_key() {
        let sha = "ab".repeat(32);
        assert_eq!(
            attachment_key(&sha, Variant::Full).as_deref(),
            Some(format!("ab/{sha}").as_str())
        );
        assert_eq!(
            attachment_key(&sha, Variant::Thumb).as_deref(),
            Some(format!("ab/{sha}-thumb").as_str())
        );
        assert_eq!(attachment_key("../../etc/passwd", Variant::Full), None);
        assert_eq!(attachment_key(&"zz".repeat(32), Variant::Full), None);
    }

    #[tokio::test]
    async fn a_local_folder_keeps_reads_lists_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Folder::on_disk(dir.path()).unwrap();
        folder
            .put("ab/one", Bytes::from_static(b"hello"))
            .await
            .unwrap();
        assert_eq!(folder.size("ab/one").await.unwrap(), Some(5));
        assert_eq!(
            folder.get("ab/one").await.unwrap().unwrap().as_ref(),
            b"hello"
        );
        assert!(
            dir.path().join("ab/one").exists(),
            "the layout on disk is the key"
        );
        assert_eq!(
            folder.list().await.unwrap(),
            vec![("ab/one".to_string(), 5)]
        );
        assert!(folder.delete("ab/one").await.unwrap());
        assert!(!folder.delete("ab/one").await.unwrap());
        assert!(folder.get("ab/one").await.unwrap().is_none());
    }
}
