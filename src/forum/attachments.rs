//! Attachments: handouts and photos with a post. The type is decided by the file's content,
//! never its name; files are stored once per content hash; and a file is served only to
//! someone who may read the post it belongs to.

use std::path::PathBuf;

use axum::{
    extract::{Path, State},
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
    tokens::sha256_hex,
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

pub(crate) fn path_for(dir: &std::path::Path, sha: &str) -> PathBuf {
    dir.join(&sha[..2]).join(sha)
}

/// Checks and stores uploads as pending attachments of `uploader_id`. Returns what was
/// stored and, for what was refused, the translation key of the reason.
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
        let sha = hex::encode(sha2::Sha256::digest(&upload.bytes));
        let path = path_for(&state.settings.uploads_dir, &sha);
        if tokio::fs::metadata(&path).await.is_err() {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(anyhow::Error::from)?;
            let partial = dir.join(format!(
                ".{}.partial",
                &sha256_hex(&crate::tokens::random_secret())[..16]
            ));
            tokio::fs::write(&partial, &upload.bytes)
                .await
                .map_err(anyhow::Error::from)?;
            tokio::fs::rename(&partial, &path)
                .await
                .map_err(anyhow::Error::from)?;
        }
        let model = attachment::ActiveModel {
            uploader_id: Set(uploader_id),
            sha256: Set(sha),
            filename: Set(clean_filename(&upload.filename)),
            content_type: Set(kind.into()),
            size: Set(i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX)),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&state.db)
        .await?;
        stored.push(model);
    }
    Ok((stored, problem))
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

/// Serves a file, to those who may read its post (or, before posting, to its uploader).
pub async fn serve_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, _name)): Path<(i32, String)>,
) -> AppResult<Response> {
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
    let bytes = tokio::fs::read(path_for(&state.settings.uploads_dir, &found.sha256))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("attachment {id} unreadable: {e}")))?;
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
        ],
        bytes,
    )
        .into_response())
}
