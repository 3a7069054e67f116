//! The outbox as administrators see it: per period, how many mails are queued, sent,
//! failed or bounced, and the most recent problems.

use axum::extract::State;
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use super::admin_page;
use crate::{AppState, context::Ctx, entities::outbox_mail, error::AppResult, forum::views::when};

pub async fn show_outbox(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let counts: Vec<(String, String, i64)> = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::PeriodKey)
        .column(outbox_mail::Column::Status)
        .column_as(Expr::col(outbox_mail::Column::Id).count(), "n")
        .group_by(outbox_mail::Column::PeriodKey)
        .group_by(outbox_mail::Column::Status)
        .order_by_desc(outbox_mail::Column::PeriodKey)
        .into_tuple()
        .all(&state.db)
        .await?;
    // Notification mails are keyed `notice:DAY#id`: shown together per day.
    let mut merged: Vec<(String, String, i64)> = Vec::new();
    for (period, status, n) in counts {
        let period = period.split('#').next().unwrap_or_default().to_string();
        match merged
            .iter_mut()
            .find(|(p, s, _)| *p == period && *s == status)
        {
            Some(row) => row.2 += n,
            None => merged.push((period, status, n)),
        }
    }
    let counts = merged;
    let mut periods: Vec<&str> = counts.iter().map(|(p, _, _)| p.as_str()).collect();
    periods.dedup();
    let problems = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.is_in([
            outbox_mail::FAILED,
            outbox_mail::BOUNCED,
            outbox_mail::QUEUED,
        ]))
        .filter(outbox_mail::Column::LastError.is_not_null())
        .order_by_desc(outbox_mail::Column::Id)
        .limit(50)
        .all(&state.db)
        .await?;
    let count = |period: &str, status: &str| {
        counts
            .iter()
            .find(|(p, s, _)| p == period && s == status)
            .map(|(_, _, n)| *n)
            .unwrap_or(0)
    };
    const STATUSES: [&str; 5] = [
        outbox_mail::QUEUED,
        outbox_mail::SENDING,
        outbox_mail::SENT,
        outbox_mail::FAILED,
        outbox_mail::BOUNCED,
    ];
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.outbox"),
        html! {
            @if periods.is_empty() {
                p.empty { (ctx.t("admin.outbox_empty")) }
            } @else {
                div.table-scroll tabindex="0" role="region" aria-label=(ctx.t("layout.table_scroll")) {
                    table {
                        thead { tr {
                            th scope="col" { (ctx.t("admin.period")) }
                            @for s in STATUSES { th scope="col" { (ctx.t(&format!("outbox.{s}"))) } }
                        } }
                        tbody {
                            @for p in &periods {
                                tr {
                                    th scope="row" { (p) }
                                    @for s in STATUSES { td { (count(p, s)) } }
                                }
                            }
                        }
                    }
                }
            }
            @if !problems.is_empty() {
                h2 { (ctx.t("admin.outbox_problems")) }
                ul.plain {
                    @for m in &problems {
                        li {
                            (m.recipient) " · " (m.period_key) " · " (ctx.t(&format!("outbox.{}", m.status)))
                            " · " (when(&ctx, m.next_attempt_at))
                            @if let Some(e) = &m.last_error { br; span.muted { (e) } }
                        }
                    }
                }
            }
        },
    ))
}
