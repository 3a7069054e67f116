//! `/beheer/berichten`: the private messages participants reported, for administrators.
//! Each shows the reported message alone (author, date, text) with who reported it and why,
//! never the conversation around it; an administrator marks it handled. Facilitators who
//! are not administrators do not see it: a conversation belongs to no practice.

use std::collections::HashMap;

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::Markup;
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
    sea_query::Expr,
};

use super::{PathId, views};
use crate::{
    AppState, audit,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{message, message_report},
    error::AppResult,
    page_cache::Changes,
};

/// How many handled reports stay listed under the open ones.
const HANDLED_SHOWN: u64 = 50;

pub async fn list_reported(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let open = message_report::Entity::find()
        .filter(message_report::Column::HandledAt.is_null())
        .order_by_asc(message_report::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let handled = message_report::Entity::find()
        .filter(message_report::Column::HandledAt.is_not_null())
        .order_by_desc(message_report::Column::HandledAt)
        .limit(HANDLED_SHOWN)
        .all(&state.db)
        .await?;
    // The messages come through the visibility rule: only reported ones, for administrators.
    let messages: HashMap<i32, message::Model> = ctx
        .reader()
        .reported_messages()
        .filter(
            message::Column::Id.is_in(
                open.iter()
                    .chain(handled.iter())
                    .map(|r| r.message_id)
                    .collect::<Vec<_>>(),
            ),
        )
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut items: Vec<views::Reported> = Vec::new();
    for report in open.into_iter().chain(handled) {
        match items.iter_mut().find(|i| i.message.id == report.message_id) {
            Some(item) => item.reports.push(report),
            None => {
                if let Some(m) = messages.get(&report.message_id) {
                    items.push(views::Reported {
                        message: m.clone(),
                        reports: vec![report],
                    });
                }
            }
        }
    }
    let mut ids: Vec<i32> = Vec::new();
    for item in &items {
        ids.extend(item.message.author_id);
        for r in &item.reports {
            ids.push(r.reporter_id);
            ids.extend(r.handled_by);
        }
    }
    let people = crate::forum::people(&state.db, ids).await?;
    Ok(views::reported(&ctx, &items, &people))
}

/// `POST /beheer/berichten/{message}/afgehandeld`: every open report of the message is
/// settled, and the audit log says by whom.
pub async fn mark_handled(
    State(state): State<AppState>,
    ctx: Ctx,
    changes: Changes,
    PathId(message_id): PathId,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?.clone();
    changes.nothing_shown();
    let txn = state.db.begin().await?;
    let updated = message_report::Entity::update_many()
        .col_expr(message_report::Column::HandledAt, Expr::value(Utc::now()))
        .col_expr(message_report::Column::HandledBy, Expr::value(admin.id))
        .filter(message_report::Column::MessageId.eq(message_id))
        .filter(message_report::Column::HandledAt.is_null())
        .exec(&txn)
        .await?;
    // A second click (or a second administrator) finds nothing open: harmless.
    if updated.rows_affected > 0 {
        audit::record(
            &txn,
            Some(admin.id),
            "message_report_handled",
            &format!("bericht #{message_id}"),
            "",
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Redirect::to("/beheer/berichten").into_response())
}
