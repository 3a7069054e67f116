//! "Mijn gegevens downloaden": asking for the zip, building it in the background, the
//! one-time download, and forgetting files nobody fetched.
//!
//! The zip waits in the storage's exports folder (a local folder or the bucket, so any
//! instance can hand it out) under a random name. The mail's link is a one-time
//! token ([`tokens::Purpose::Export`], seven days) and works only for the member it was made
//! for, signed in: a forwarded or intercepted mail alone opens nothing. The file goes as
//! soon as it is downloaded, or when the link expires ([`purge_expired_exports`]).

use std::path::{Path, PathBuf};

use axum::{
    body::Body,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Duration, Utc};
use maud::html;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, SqlErr, sea_query::Expr,
};
use tracing::Instrument as _;

use super::archive;
use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::export,
    error::AppResult,
    i18n::Lang,
    layout,
    mail::Letter,
    media::Variant,
    storage::{Folder, attachment_key},
    tokens::{self, Purpose},
};

/// A build still "running" after this long has died with its server; it may be asked again.
const STALE_BUILD: Duration = Duration::hours(1);

/// Where a zip is put together before it goes to the storage.
fn work_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("exports-work")
}

/// The key of an export, if its stored name is one we made (random hex and `.zip`).
fn file_of(name: &str) -> Option<&str> {
    let stem = name.strip_suffix(".zip")?;
    let ours = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_hexdigit());
    ours.then_some(name)
}

async fn remove_file(exports: &Folder, name: Option<&str>) {
    if let Some(key) = name.and_then(file_of)
        && let Err(err) = exports.delete(key).await
    {
        tracing::warn!(error = %err, "removing an export file failed");
    }
}

/// The member's attachments as files on this machine, for the zip: the uploads folder
/// itself when it is local; otherwise a copy of just these files in `staging`.
async fn stage_attachments(
    files: &Folder,
    data: &archive::Gathered,
    staging: &Path,
) -> anyhow::Result<PathBuf> {
    if let Some(dir) = files.local_path("") {
        return Ok(dir);
    }
    for a in &data.attachments {
        let Some(key) = attachment_key(&a.sha256, Variant::Full) else {
            continue;
        };
        let to = staging.join(&key);
        if let Some(parent) = to.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        if !files.fetch_to(&key, &to).await? {
            tracing::warn!(
                attachment = a.id,
                "an attachment's file is missing; left out"
            );
        }
    }
    Ok(staging.to_path_buf())
}

/// The member's export, if one is being built or waiting.
pub async fn current(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<export::Model>, DbErr> {
    export::Entity::find_by_id(user_id).one(db).await
}

pub fn is_building(row: &export::Model) -> bool {
    row.status == export::BUILDING && Utc::now() - row.requested_at < STALE_BUILD
}

enum Claim {
    /// This request starts the build; an earlier zip (its file name) is replaced.
    Started { replaced: Option<String> },
    /// A build is already running.
    Busy,
}

/// Marks a build as running for the member, unless one already is. The member's id is the
/// table's key and the update is conditional, so two requests at once start one build.
async fn claim(db: &impl ConnectionTrait, user_id: i32) -> Result<Claim, DbErr> {
    let now = Utc::now();
    match current(db, user_id).await? {
        None => {
            let inserted = export::ActiveModel {
                user_id: Set(user_id),
                status: Set(export::BUILDING.into()),
                file_name: Set(None),
                requested_at: Set(now),
                ready_at: Set(None),
                expires_at: Set(None),
            }
            .insert(db)
            .await;
            match inserted {
                Ok(_) => Ok(Claim::Started { replaced: None }),
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    Ok(Claim::Busy)
                }
                Err(err) => Err(err),
            }
        }
        Some(row) if is_building(&row) => Ok(Claim::Busy),
        Some(row) => {
            let updated = export::Entity::update_many()
                .col_expr(export::Column::Status, Expr::value(export::BUILDING))
                .col_expr(export::Column::RequestedAt, Expr::value(now))
                .col_expr(
                    export::Column::FileName,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    export::Column::ReadyAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .col_expr(
                    export::Column::ExpiresAt,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .filter(export::Column::UserId.eq(user_id))
                .filter(export::Column::Status.eq(row.status.as_str()))
                .filter(export::Column::RequestedAt.eq(row.requested_at))
                .exec(db)
                .await?;
            if updated.rows_affected == 1 {
                Ok(Claim::Started {
                    replaced: row.file_name,
                })
            } else {
                Ok(Claim::Busy)
            }
        }
    }
}

/// POST /profiel/gegevens: starts building the zip, unless one is being built.
pub async fn request_export(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    match claim(&state.db, person.id).await? {
        Claim::Busy => Ok(Redirect::to("/profiel?gegevens=bezig#mijn-gegevens").into_response()),
        Claim::Started { replaced } => {
            // A new zip replaces the old one, and the old link stops working.
            tokens::revoke(&state.db, Purpose::Export, person.id).await?;
            remove_file(&state.storage.exports, replaced.as_deref()).await;
            // In the request's span: its log lines carry the request's id.
            tokio::spawn(
                build_and_mail(state.clone(), person.id).instrument(tracing::Span::current()),
            );
            Ok(Redirect::to("/profiel?gegevens=gevraagd#mijn-gegevens").into_response())
        }
    }
}

/// The background job: gather, write the zip on a blocking thread, then mail the link.
/// On failure the request is forgotten, so the member can simply ask again.
async fn build_and_mail(state: AppState, user_id: i32) {
    if let Err(err) = build(&state, user_id).await {
        tracing::error!(error = %err, user_id, "building a data export failed");
        if let Err(err) = export::Entity::delete_by_id(user_id).exec(&state.db).await {
            tracing::error!(error = %err, "forgetting a failed data export failed");
        }
    }
}

async fn build(state: &AppState, user_id: i32) -> anyhow::Result<()> {
    let Some(data) = archive::gather(&state.db, user_id).await? else {
        export::Entity::delete_by_id(user_id)
            .exec(&state.db)
            .await?;
        return Ok(());
    };
    let lang = Lang::parse(&data.person.lang).unwrap_or_default();
    let name = format!("{}.zip", &tokens::random_secret()[..32]);
    let work = work_dir(&state.settings.data_dir).join(&name[..32]);
    tokio::fs::create_dir_all(&work).await?;
    let written = write_and_store(state, data, lang, &name, &work).await;
    if let Err(err) = tokio::fs::remove_dir_all(&work).await {
        tracing::warn!(error = %err, "removing an export's work folder failed");
    }
    let data = written?;

    let now = Utc::now();
    let expires = now + Purpose::Export.lifetime();
    let updated = export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value(export::READY))
        .col_expr(export::Column::FileName, Expr::value(name.clone()))
        .col_expr(export::Column::ReadyAt, Expr::value(now))
        .col_expr(export::Column::ExpiresAt, Expr::value(expires))
        .filter(export::Column::UserId.eq(user_id))
        .filter(export::Column::Status.eq(export::BUILDING))
        .exec(&state.db)
        .await?;
    if updated.rows_affected != 1 {
        // The account went meanwhile.
        remove_file(&state.storage.exports, Some(&name)).await;
        return Ok(());
    }
    let secret = tokens::issue(&state.db, Purpose::Export, Some(user_id)).await?;
    let person = &data.person;
    state.send_later(
        Letter::new(lang, &person.email, "mail.export.subject")
            .greet(&person.name)
            .para("mail.export.body")
            .para("mail.export.once")
            .link(
                "mail.export.link",
                state.settings.url(&format!("/profiel/gegevens/{secret}")),
            )
            .para("mail.export.not_you")
            .build(),
    );
    Ok(())
}

/// Writes the zip in `work` (on a blocking thread) and puts it in the storage as `name`.
async fn write_and_store(
    state: &AppState,
    data: archive::Gathered,
    lang: Lang,
    name: &str,
    work: &Path,
) -> anyhow::Result<archive::Gathered> {
    let uploads = stage_attachments(&state.storage.files, &data, &work.join("files")).await?;
    let zip = work.join(name);
    let base_url = state.settings.base_url.clone();
    let out = zip.clone();
    let (data, written) = tokio::task::spawn_blocking(move || {
        let written = archive::write_zip(&data, lang, &base_url, &uploads, &out);
        (data, written)
    })
    .await?;
    written?;
    state.storage.exports.put_file(name, &zip).await?;
    Ok(data)
}

/// GET /profiel/gegevens/{token}: the zip, once, to the member it was made for.
pub async fn download_export(
    State(state): State<AppState>,
    ctx: Ctx,
    UrlPath(secret): UrlPath<String>,
) -> AppResult<Response> {
    // Signing in comes first, so a link checker that opens the mail's link uses nothing up.
    let person = ctx.require_user()?;
    let Some(token) = tokens::peek(&state.db, Purpose::Export, &secret).await? else {
        return Ok(gone(&ctx));
    };
    if token.user_id != Some(person.id) {
        return Ok(not_yours(&ctx));
    }
    let row = current(&state.db, person.id).await?;
    let Some((row, key)) = row.filter(|r| r.status == export::READY).and_then(|r| {
        let key = r.file_name.as_deref().and_then(file_of)?.to_string();
        Some((r, key))
    }) else {
        return Ok(gone(&ctx));
    };
    if tokens::consume(&state.db, Purpose::Export, &secret)
        .await?
        .is_none()
    {
        return Ok(gone(&ctx));
    }
    let opened = state.storage.exports.stream(&key).await;
    // Downloaded (or lost): the row and the file go now. A file being read stays readable
    // after it is deleted (on disk and in a bucket), so the download streams on.
    export::Entity::delete_many()
        .filter(export::Column::UserId.eq(person.id))
        .filter(export::Column::RequestedAt.eq(row.requested_at))
        .exec(&state.db)
        .await?;
    remove_file(&state.storage.exports, row.file_name.as_deref()).await;
    let Ok(Some(file)) = opened else {
        tracing::error!(
            user_id = person.id,
            "a finished data export's file is missing"
        );
        return Ok(gone(&ctx));
    };
    let filename = format!("erbij-gegevens-{}.zip", Utc::now().format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(file.body),
    )
        .into_response())
}

/// "This link was used or has expired", with a button to ask again.
fn gone(ctx: &Ctx) -> Response {
    let page = layout::page(
        ctx,
        &ctx.t("export.gone_title"),
        html! {
            h1 { (ctx.t("export.gone_title")) }
            p.lead { (ctx.t("export.gone_text")) }
            form method="post" action="/profiel/gegevens" {
                (layout::csrf_field(ctx))
                button type="submit" { (ctx.t("export.ask_again")) }
            }
        },
    );
    (StatusCode::GONE, page).into_response()
}

fn not_yours(ctx: &Ctx) -> Response {
    let page = layout::page(
        ctx,
        &ctx.t("export.not_yours_title"),
        html! {
            h1 { (ctx.t("export.not_yours_title")) }
            p.lead { (ctx.t("export.not_yours_text")) }
        },
    );
    (StatusCode::FORBIDDEN, page).into_response()
}

/// Forgets zips whose link expired, builds that died with their server, and stray files
/// (a download whose file could not be removed). Returns how many exports it removed.
/// The retention job calls this daily; the hourly housekeeping does too.
pub async fn purge_expired_exports(
    db: &impl ConnectionTrait,
    exports: &Folder,
) -> anyhow::Result<u64> {
    let now = Utc::now();
    let expired = export::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(
                    sea_orm::Condition::all()
                        .add(export::Column::Status.eq(export::READY))
                        .add(export::Column::ExpiresAt.lte(now)),
                )
                .add(
                    sea_orm::Condition::all()
                        .add(export::Column::Status.eq(export::BUILDING))
                        .add(export::Column::RequestedAt.lte(now - Duration::days(1))),
                ),
        )
        .all(db)
        .await?;
    let mut removed = 0;
    for row in &expired {
        let deleted = export::Entity::delete_many()
            .filter(export::Column::UserId.eq(row.user_id))
            .filter(export::Column::RequestedAt.eq(row.requested_at))
            .exec(db)
            .await?;
        remove_file(exports, row.file_name.as_deref()).await;
        removed += deleted.rows_affected;
    }
    // Files no row knows of, older than the longest a link lives.
    let known: std::collections::HashSet<String> = export::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|r| r.file_name)
        .collect();
    let oldest = now - Purpose::Export.lifetime() - Duration::days(1);
    for stored in exports.list_dated().await? {
        if stored.modified < oldest && !known.contains(&stored.key) {
            exports.delete(&stored.key).await?;
            removed += 1;
        }
    }
    Ok(removed)
}
