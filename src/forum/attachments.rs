//! Attachments: handouts and photos with a post. The type is decided by the file's content,
//! never its name; photos are encoded anew and PDFs cleaned of their metadata before they
//! are stored ([`crate::media`]), never the bytes as sent; files are stored once per
//! content hash, an image in three sizes; and a file is served only to someone who may
//! read the post it belongs to.

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder, sea_query::Expr,
};

use sha2::Digest as _;

use super::Scope;
use crate::{
    AppState,
    context::Ctx,
    csrf::Upload,
    entities::{attachment, post},
    error::{AppError, AppResult},
    media::{self, MediaError, Variant},
    storage::{Folder, attachment_key},
};

/// At most this many files per post.
pub const MAX_FILES: usize = 5;

/// The kinds of file a post may carry, by detected content type.
const ALLOWED: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
];

/// A name safe to show and to send back: no path, no control characters, not too long.
fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "bijlage".into()
    } else {
        cleaned
    }
}

/// What is kept of an upload once cleaned: the bytes to store (and, for an image, its
/// smaller sizes), under which type and name.
struct Cleaned {
    content_type: String,
    filename: String,
    full: Vec<u8>,
    image: Option<(media::Encoded, media::Encoded, (u32, u32))>,
}

/// Photos are encoded anew and PDFs lose their metadata, on the blocking pool; other
/// kinds are kept as sent (the form tells the uploader their metadata stays).
async fn clean(
    state: &AppState,
    kind: &str,
    upload: Upload,
) -> AppResult<Result<Cleaned, MediaError>> {
    let filename = clean_filename(&upload.filename);
    let bytes = upload.bytes;
    if kind.starts_with("image/") {
        let processed = state
            .media
            .run(move || media::process_image(&bytes, &media::Limits::default()))
            .await?;
        Ok(processed.map(|p| Cleaned {
            content_type: p.content_type.into(),
            filename: with_extension(&filename, p.extension()),
            image: Some((p.display, p.thumb, (p.full.width, p.full.height))),
            full: p.full.bytes,
        }))
    } else if kind == "application/pdf" {
        let stripped = state.media.run(move || media::strip_pdf(&bytes)).await?;
        Ok(stripped.map(|full| Cleaned {
            content_type: kind.into(),
            filename,
            full,
            image: None,
        }))
    } else {
        Ok(Ok(Cleaned {
            content_type: kind.into(),
            filename,
            full: bytes.to_vec(),
            image: None,
        }))
    }
}

/// "IMG_2041.HEIC.webp" stored as JPEG becomes "IMG_2041.HEIC.jpg": the name says what
/// the file now is.
fn with_extension(name: &str, extension: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.{extension}")
}

/// Whether this kind of file keeps its own metadata (author, company, edit history), as
/// every kind but images and PDFs does.
pub fn keeps_metadata(content_type: &str) -> bool {
    !(content_type.starts_with("image/") || content_type == "application/pdf")
}

fn pixels(n: u32) -> Option<i32> {
    i32::try_from(n).ok()
}

impl Cleaned {
    /// Width and height of the full, display and thumbnail sizes, for an image.
    fn sizes(&self) -> [Option<i32>; 6] {
        let Some((display, thumb, (w, h))) = &self.image else {
            return [None; 6];
        };
        [
            w,
            h,
            &display.width,
            &display.height,
            &thumb.width,
            &thumb.height,
        ]
        .map(|n| pixels(*n))
    }
}

/// Stores a cleaned file (and an image's smaller sizes) under its content hash, once.
/// Returns the hash.
async fn keep(files: &Folder, cleaned: &Cleaned) -> AppResult<String> {
    let sha = hex::encode(sha2::Sha256::digest(&cleaned.full));
    let key = |variant| {
        attachment_key(&sha, variant).ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad hash")))
    };
    // The full size is written last, so where it exists its smaller sizes do too.
    if files.size(&key(Variant::Full)?).await?.is_none() {
        if let Some((display, thumb, _)) = &cleaned.image {
            files
                .put(&key(Variant::Display)?, display.bytes.clone().into())
                .await?;
            files
                .put(&key(Variant::Thumb)?, thumb.bytes.clone().into())
                .await?;
        }
        files
            .put(&key(Variant::Full)?, cleaned.full.clone().into())
            .await?;
    }
    Ok(sha)
}

/// Checks, cleans and stores uploads as pending attachments of `uploader_id`. Returns what
/// was stored and, for what was refused, the translation key of the reason.
pub async fn store(
    state: &AppState,
    uploader_id: i32,
    uploads: Vec<Upload>,
) -> AppResult<(Vec<attachment::Model>, Option<&'static str>)> {
    let mut stored = Vec::new();
    let mut problem = None;
    let max = state.settings.upload_max_bytes();
    for upload in uploads {
        if upload.bytes.len() > max {
            problem = Some("attachments.too_large");
            continue;
        }
        let Some(kind) = infer::get(&upload.bytes)
            .map(|k| k.mime_type())
            .filter(|m| ALLOWED.contains(m))
        else {
            problem = Some("attachments.wrong_type");
            continue;
        };
        let cleaned = match clean(state, kind, upload).await? {
            Ok(cleaned) => cleaned,
            Err(refused) => {
                tracing::info!(reason = %refused, "upload refused");
                problem = Some(refused.key());
                continue;
            }
        };
        let sha = keep(&state.storage.files, &cleaned).await?;
        let [
            width,
            height,
            display_width,
            display_height,
            thumb_width,
            thumb_height,
        ] = cleaned.sizes();
        let model = attachment::ActiveModel {
            uploader_id: Set(uploader_id),
            sha256: Set(sha),
            filename: Set(cleaned.filename),
            content_type: Set(cleaned.content_type),
            size: Set(i64::try_from(cleaned.full.len()).unwrap_or(i64::MAX)),
            created_at: Set(Utc::now()),
            width: Set(width),
            height: Set(height),
            display_width: Set(display_width),
            display_height: Set(display_height),
            thumb_width: Set(thumb_width),
            thumb_height: Set(thumb_height),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        stored.push(model);
    }
    Ok((stored, problem))
}

/// Images stored before uploads were cleaned still hold what the phone put in them (GPS
/// position and all). Once at start-up, each is cleaned like a new upload, its row pointed
/// at the cleaned files, and the file as sent deleted when no other row uses it. One that
/// cannot be cleaned stays as it is, and is logged. Returns how many were cleaned.
pub async fn clean_earlier_images(state: &AppState) -> AppResult<usize> {
    let earlier = attachment::Entity::find()
        .filter(attachment::Column::ContentType.starts_with("image/"))
        .filter(attachment::Column::Width.is_null())
        .order_by_asc(attachment::Column::Id)
        .all(&state.db)
        .await?;
    let files = &state.storage.files;
    let mut done = 0;
    for file in earlier {
        let Some(old) = attachment_key(&file.sha256, Variant::Full) else {
            continue;
        };
        let Some(bytes) = files.get(&old).await? else {
            tracing::warn!(attachment = file.id, "earlier image missing in storage");
            continue;
        };
        let upload = Upload {
            filename: file.filename.clone(),
            bytes,
        };
        let cleaned = match clean(state, &file.content_type, upload).await? {
            Ok(cleaned) => cleaned,
            Err(refused) => {
                tracing::warn!(attachment = file.id, reason = %refused, "earlier image left as it was");
                continue;
            }
        };
        let sha = keep(files, &cleaned).await?;
        let [
            width,
            height,
            display_width,
            display_height,
            thumb_width,
            thumb_height,
        ] = cleaned.sizes();
        let old_sha = file.sha256.clone();
        let mut row: attachment::ActiveModel = file.into();
        row.sha256 = Set(sha.clone());
        row.filename = Set(cleaned.filename);
        row.content_type = Set(cleaned.content_type);
        row.size = Set(i64::try_from(cleaned.full.len()).unwrap_or(i64::MAX));
        row.width = Set(width);
        row.height = Set(height);
        row.display_width = Set(display_width);
        row.display_height = Set(display_height);
        row.thumb_width = Set(thumb_width);
        row.thumb_height = Set(thumb_height);
        row.update(&state.db).await?;
        let still_used = attachment::Entity::find()
            .filter(attachment::Column::Sha256.eq(old_sha.as_str()))
            .one(&state.db)
            .await?
            .is_some();
        if old_sha != sha
            && !still_used
            && let Err(e) = files.delete(&old).await
        {
            tracing::warn!(error = %e, "could not delete an earlier image as sent");
        }
        done += 1;
    }
    Ok(done)
}

/// The pending attachments among `ids` that really are this person's and not yet posted.
pub async fn pending(
    db: &impl ConnectionTrait,
    uploader_id: i32,
    ids: &[i32],
) -> Result<Vec<attachment::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids.iter().copied()))
        .filter(attachment::Column::UploaderId.eq(uploader_id))
        .filter(attachment::Column::PostId.is_null())
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await
}

/// Binds pending attachments to the post they were written with.
pub async fn attach(
    db: &impl ConnectionTrait,
    attachments: &[attachment::Model],
    post_id: i32,
) -> Result<(), DbErr> {
    if attachments.is_empty() {
        return Ok(());
    }
    attachment::Entity::update_many()
        .col_expr(attachment::Column::PostId, Expr::value(post_id))
        .filter(attachment::Column::Id.is_in(attachments.iter().map(|a| a.id)))
        .filter(attachment::Column::PostId.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// The attachments of the posts on a page, in one query.
pub async fn of_posts(
    db: &impl ConnectionTrait,
    posts: &[post::Model],
) -> Result<std::collections::HashMap<i32, Vec<attachment::Model>>, DbErr> {
    let mut by_post: std::collections::HashMap<i32, Vec<attachment::Model>> = Default::default();
    if posts.is_empty() {
        return Ok(by_post);
    }
    for a in attachment::Entity::find()
        .filter(attachment::Column::PostId.is_in(posts.iter().map(|p| p.id)))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?
    {
        if let Some(post_id) = a.post_id {
            by_post.entry(post_id).or_default().push(a);
        }
    }
    Ok(by_post)
}

pub fn url(a: &attachment::Model) -> String {
    format!(
        "/bijlagen/{}/{}",
        a.id,
        crate::error::urlencode(&a.filename)
    )
}

/// A stored size of an image: its address and its size in pixels. `None` for a file that
/// is not an image, or an image stored before there were sizes.
pub fn variant(a: &attachment::Model, variant: Variant) -> Option<(String, i32, i32)> {
    let (w, h) = match variant {
        Variant::Full => (a.width?, a.height?),
        Variant::Display => (a.display_width?, a.display_height?),
        Variant::Thumb => (a.thumb_width?, a.thumb_height?),
    };
    let address = match variant {
        Variant::Full => url(a),
        other => format!("{}?v={}", url(a), other.name()),
    };
    Some((address, w, h))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VariantQuery {
    v: String,
}

/// Serves a file, to those who may read its post (or, before posting, to its uploader).
pub async fn serve_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, _name)): Path<(i32, String)>,
    Query(query): Query<VariantQuery>,
) -> AppResult<Response> {
    // No size named: the full one. A smaller size only of an image that has them.
    let variant = match query.v.as_str() {
        "" => Variant::Full,
        name => Variant::parse(name).ok_or(AppError::NotFound)?,
    };
    let found = attachment::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let on = match found.post_id {
        Some(post_id) => scope.post(&state.db, post_id).await?,
        None => None,
    };
    let on = on.as_ref().map(|(post, thread)| (post, thread));
    if !scope.admits_attachment(&found, on) {
        return Err(AppError::NotFound);
    }
    // A file anyone may read may stay in the browser for an hour; anything else is not kept
    // at all, so it cannot be found in the cache after signing out.
    let cache = match on {
        Some((post, thread)) if scope.is_public(post, thread) => "private, max-age=3600",
        _ => "no-store",
    };
    if variant != Variant::Full && found.display_width.is_none() {
        return Err(AppError::NotFound);
    }
    let key = attachment_key(&found.sha256, variant).ok_or(AppError::NotFound)?;
    // Streamed as it comes from the folder or the bucket: a large file never sits in memory.
    let file =
        state.storage.files.stream(&key).await?.ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("attachment {id} missing in storage"))
        })?;
    let inline = found.content_type.starts_with("image/");
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        crate::error::urlencode(&found.filename).replace('+', "%20")
    );
    Ok((
        [
            (header::CONTENT_TYPE, found.content_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, cache.to_string()),
            // Whatever a file holds, it never runs as a page of this site.
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
            (header::CONTENT_LENGTH, file.size.to_string()),
        ],
        axum::body::Body::from_stream(file.body),
    )
        .into_response())
}
