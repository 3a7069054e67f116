//! The learning practices: the list and a page per practice. Threads arrive with the forum.

use axum::extract::{Path, State};
use maud::{Markup, html};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    AppState,
    context::Ctx,
    entities::practice,
    error::{AppError, AppResult},
    layout,
};

/// The practices (not the expert area) in the administrator's order, archived ones last.
pub async fn all_practices(db: &impl ConnectionTrait) -> Result<Vec<practice::Model>, DbErr> {
    practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::KIND_PRACTICE))
        .order_by_asc(practice::Column::Archived)
        .order_by_asc(practice::Column::Position)
        .order_by_asc(practice::Column::Id)
        .all(db)
        .await
}

pub async fn active_practices(db: &impl ConnectionTrait) -> Result<Vec<practice::Model>, DbErr> {
    Ok(all_practices(db)
        .await?
        .into_iter()
        .filter(|p| !p.archived)
        .collect())
}

pub async fn list_practices(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    let practices = all_practices(&state.db).await?;
    Ok(layout::page(
        &ctx,
        &ctx.t("practices.title"),
        html! {
            h1 { (ctx.t("practices.title")) }
            p.lead { (ctx.t("practices.intro")) }
            (practice_cards(&ctx, &practices))
        },
    ))
}

pub fn practice_cards(ctx: &Ctx, practices: &[practice::Model]) -> Markup {
    html! {
        ul.cards {
            @for p in practices {
                li.card.archived[p.archived] {
                    h3 { a href={ "/praktijken/" (p.slug) } { (p.name(ctx.lang)) } }
                    @if p.archived {
                        p.badge { (ctx.t("practices.archived")) }
                    }
                    p { (p.description(ctx.lang)) }
                }
            }
        }
    }
}

pub async fn show_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    let practice = practice::Entity::find()
        .filter(practice::Column::Slug.eq(slug))
        .filter(practice::Column::Kind.eq(practice::KIND_PRACTICE))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(layout::page(
        &ctx,
        practice.name(ctx.lang),
        html! {
            p.breadcrumb { a href="/praktijken" { (ctx.t("practices.title")) } }
            h1 { (practice.name(ctx.lang)) }
            @if practice.archived {
                div.notice role="note" { p { (ctx.t("practices.archived_notice")) } }
            }
            p.lead { (practice.description(ctx.lang)) }
            section aria-labelledby="threads-title" {
                h2 #threads-title { (ctx.t("practices.threads_title")) }
                p.empty { (ctx.t("practices.no_threads")) }
            }
        },
    ))
}
