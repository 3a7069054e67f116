//! Reading the audit log, newest first, a page at a time.

use std::collections::HashMap;

use axum::extract::{Query, State};
use maud::{Markup, html};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::{
    AppState,
    context::Ctx,
    entities::{audit_event, user},
    error::AppResult,
};

use super::{admin_page, people::PageQuery};

const PAGE_SIZE: u64 = 50;

pub async fn show_audit_log(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> AppResult<Markup> {
    ctx.require_admin()?;
    let paginator = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id)
        .paginate(&state.db, PAGE_SIZE);
    let pages = paginator.num_pages().await?.max(1);
    let page = query.page().clamp(1, pages);
    let events = paginator.fetch_page(page - 1).await?;
    let actor_ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
    let actors: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(actor_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.audit_log"),
        html! {
            @if events.is_empty() {
                p.empty { (ctx.t("admin.audit_empty")) }
            } @else {
                div.table-scroll tabindex="0" role="region" aria-label=(ctx.t("layout.table_scroll")) {
                    table {
                        thead { tr {
                            th scope="col" { (ctx.t("admin.when")) }
                            th scope="col" { (ctx.t("admin.who")) }
                            th scope="col" { (ctx.t("admin.what")) }
                            th scope="col" { (ctx.t("admin.subject")) }
                            th scope="col" { (ctx.t("admin.detail")) }
                        } }
                        tbody {
                            @for e in &events {
                                tr {
                                    td { (ctx.lang.datetime(e.created_at)) }
                                    td { (e.actor_id.and_then(|id| actors.get(&id)).map(String::as_str).unwrap_or("—")) }
                                    td { (ctx.t(&format!("audit.{}", e.action))) }
                                    td { (e.subject) }
                                    td.detail { (e.detail) }
                                }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pagination aria-label=(ctx.t("layout.pagination")) {
                    @for n in 1..=pages {
                        @if n == page { span aria-current="page" { (n) } }
                        @else { a href={ "/beheer/logboek?pagina=" (n) } { (n) } }
                    }
                }
            }
        },
    ))
}
