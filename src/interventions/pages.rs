//! Reading the catalogue: the list with its filters, an intervention's page, its history.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use maud::Markup;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Filter, Related, views};
use crate::{
    AppState,
    context::Ctx,
    entities::{
        intervention,
        intervention_version::{self, State as VersionState},
        summary, thread, user,
    },
    error::{AppError, AppResult},
    layout,
    visibility::{Reader, Scope},
};

const PER_PAGE: usize = 20;

/// `/interventies`: public; filters by target group, district and organisation combine.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filter): Query<Filter>,
) -> AppResult<Markup> {
    let organisations = super::organisations(&state.db).await?;
    let all = super::catalogue(&state.db, ctx.reader(), &filter, &organisations).await?;
    let pages = all.len().div_ceil(PER_PAGE).max(1) as u64;
    let page = filter.page.unwrap_or(1).clamp(1, pages);
    let shown: Vec<super::Entry> = all
        .iter()
        .skip((page as usize - 1) * PER_PAGE)
        .take(PER_PAGE)
        .cloned()
        .collect();
    let waiting = match &ctx.user {
        Some(_) => {
            let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
            if scope.publishes_interventions() {
                Some(
                    sea_orm::PaginatorTrait::count(
                        intervention_version::Entity::find()
                            .filter(intervention_version::Column::State.eq(VersionState::Pending)),
                        &state.db,
                    )
                    .await?,
                )
            } else {
                None
            }
        }
        None => None,
    };
    Ok(views::list(
        &ctx,
        &views::ListPage {
            filter: &filter,
            entries: &shown,
            total: all.len(),
            page,
            pages,
            organisations: &organisations,
            waiting,
            member: ctx.user.is_some(),
        },
    ))
}

/// The related summaries and threads this reader may open, as (link, title): two queries.
pub async fn related_for(
    db: &impl ConnectionTrait,
    reader: Reader,
    stored: &str,
) -> Result<Vec<(String, String)>, DbErr> {
    let links = Related::all_of(stored);
    let slugs: Vec<&str> = links
        .iter()
        .filter_map(|r| match r {
            Related::Summary(s) => Some(s.as_str()),
            Related::Thread(_) => None,
        })
        .collect();
    let ids: Vec<i32> = links
        .iter()
        .filter_map(|r| match r {
            Related::Thread(id) => Some(*id),
            Related::Summary(_) => None,
        })
        .collect();
    let summaries: HashMap<String, String> = if slugs.is_empty() {
        HashMap::new()
    } else {
        let found = reader
            .summaries()
            .filter(summary::Column::Slug.is_in(slugs))
            .all(db)
            .await?;
        let versions = crate::summaries::edit::live_versions(db, &found).await?;
        found
            .into_iter()
            .map(|s| {
                let title = versions
                    .get(&s.id)
                    .map_or_else(|| s.title.clone(), |v| v.title.clone());
                (s.slug, title)
            })
            .collect()
    };
    let threads: HashMap<i32, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        reader
            .threads()
            .filter(thread::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.title))
            .collect()
    };
    Ok(links
        .iter()
        .filter_map(|r| {
            let title = match r {
                Related::Summary(slug) => summaries.get(slug)?.clone(),
                Related::Thread(id) => threads.get(id)?.clone(),
            };
            Some((r.path(), title))
        })
        .collect())
}

/// An intervention this reader may open, with its scope.
pub(super) async fn admitted(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> AppResult<(intervention::Model, Scope)> {
    let i = super::by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    if !scope.admits_intervention(&i) {
        return Err(AppError::NotFound);
    }
    Ok((i, scope))
}

/// The version a reader sees on the page: the published one, or (for a proposal) the newest.
pub(super) async fn shown_version(
    db: &impl ConnectionTrait,
    i: &intervention::Model,
) -> Result<Option<intervention_version::Model>, DbErr> {
    match i.published_version_id {
        Some(id) => intervention_version::Entity::find_by_id(id).one(db).await,
        None => {
            intervention_version::Entity::find()
                .filter(intervention_version::Column::InterventionId.eq(i.id))
                .order_by_desc(intervention_version::Column::Id)
                .one(db)
                .await
        }
    }
}

/// `/interventies/{slug}`.
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let (i, scope) = admitted(&state, &ctx, &slug).await?;
    let version = shown_version(&state.db, &i)
        .await?
        .ok_or(AppError::NotFound)?;
    let organisations = super::organisations(&state.db).await?;
    let related = related_for(&state.db, ctx.reader(), &version.related).await?;
    let proposals: Vec<intervention_version::Model> = if ctx.user.is_some() {
        intervention_version::Entity::find()
            .filter(intervention_version::Column::InterventionId.eq(i.id))
            .filter(intervention_version::Column::State.eq(VersionState::Pending))
            .order_by_asc(intervention_version::Column::Id)
            .all(&state.db)
            .await?
            .into_iter()
            .filter(|v| scope.admits_intervention_version(v))
            .collect()
    } else {
        Vec::new()
    };
    let publishes = scope.publishes_interventions();
    let rendered = views::Rendered::of(&version);
    Ok(layout::page(
        &ctx,
        &version.name,
        views::show(
            &ctx,
            &views::ShowPage {
                intervention: &i,
                version: &version,
                rendered,
                organisations: &organisations,
                related,
                member: ctx.user.is_some(),
                may_check: scope.may_confirm_intervention(&i),
                publishes,
                proposals,
            },
        ),
    ))
}

/// `/interventies/{slug}/geschiedenis`: the published versions, newest first, each compared
/// with the one before; proposals waiting or declined for those who may see them.
pub async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let (i, scope) = admitted(&state, &ctx, &slug).await?;
    let all: Vec<intervention_version::Model> = intervention_version::Entity::find()
        .filter(intervention_version::Column::InterventionId.eq(i.id))
        .order_by_asc(intervention_version::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .filter(|v| scope.admits_intervention_version(v))
        .collect();
    let name = shown_version(&state.db, &i)
        .await?
        .map(|v| v.name)
        .unwrap_or_default();
    // Each version against the published one before it (the first against nothing).
    let mut pairs = Vec::new();
    let mut last_published: Option<&intervention_version::Model> = None;
    for v in &all {
        let before = last_published
            .map(super::proposals::as_text)
            .unwrap_or_default();
        pairs.push((before, super::proposals::as_text(v)));
        if v.state == VersionState::Published {
            last_published = Some(v);
        }
    }
    let diffs = crate::diff::compare_all(pairs).await?;
    let authors: HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(all.iter().map(|v| v.author_id)))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut versions: Vec<(intervention_version::Model, Option<crate::diff::Diff>)> =
        all.into_iter().zip(diffs.into_iter().map(Some)).collect();
    versions.reverse();
    Ok(views::history(
        &ctx,
        &views::HistoryPage {
            intervention: &i,
            name: &name,
            versions,
            authors,
        },
    ))
}
