//! The site's health as administrators see it: the database and its pool, whether the schema
//! is current, the outbox and what it sent, the mail schedule, the page cache and where files
//! are kept. The same figures as `/metrics`, in words, for someone without Prometheus.

use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use maud::{Markup, html};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, Condition, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::admin_page;
use crate::{
    AppState,
    context::Ctx,
    delivery::outbox::{self, Backlog},
    entities::outbox_mail,
    error::AppResult,
    forum::views::when,
    observability::{self, PoolUse, Schema},
    page_cache::Lookups,
};

/// What the page shows, gathered before it is drawn.
struct Health {
    database: &'static str,
    pool: PoolUse,
    schema: Schema,
    migrations: usize,
    backlog: Backlog,
    sent_last_day: u64,
    undelivered_last_day: u64,
    /// The period key and the moment of the last digest queued.
    last_digest: Option<(String, DateTime<Utc>)>,
    last_mail_turn: Option<DateTime<Utc>>,
    pages: Lookups,
    storage: String,
}

/// GET /beheer/gezondheid
pub async fn show_health(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    ctx.require_admin()?;
    let health = gather(&state).await?;
    Ok(admin_page(
        &ctx,
        &ctx.t("health.title"),
        view(&ctx, &health),
    ))
}

async fn gather(state: &AppState) -> Result<Health, sea_orm::DbErr> {
    let db = &state.db;
    let day_ago = Utc::now() - Duration::hours(24);
    let sent_last_day = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::SENT))
        .filter(outbox_mail::Column::SentAt.gte(day_ago))
        .count(db)
        .await?;
    // A failure's moment is not stored: counted among the mails queued in the last day.
    let undelivered_last_day = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.is_in([outbox_mail::FAILED, outbox_mail::BOUNCED]))
        .filter(outbox_mail::Column::CreatedAt.gte(day_ago))
        .count(db)
        .await?;
    // Digests are keyed by their period (`weekly:…`, `monthly:…`, see `delivery::period_key`).
    let last_digest = outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::PeriodKey)
        .column(outbox_mail::Column::CreatedAt)
        .filter(
            Condition::any()
                .add(outbox_mail::Column::PeriodKey.starts_with("weekly:"))
                .add(outbox_mail::Column::PeriodKey.starts_with("monthly:")),
        )
        .order_by_desc(outbox_mail::Column::Id)
        .into_tuple()
        .one(db)
        .await?;
    Ok(Health {
        database: match db.get_database_backend() {
            DatabaseBackend::Postgres => "PostgreSQL",
            DatabaseBackend::Sqlite => "SQLite",
            _ => "?",
        },
        pool: PoolUse::of(db),
        schema: observability::schema(db).await?,
        migrations: Migrator::migrations().len(),
        backlog: outbox::backlog(db).await?,
        sent_last_day,
        undelivered_last_day,
        last_digest,
        last_mail_turn: state.vitals.last_mail_turn(),
        pages: state.pages.lookups(),
        storage: state.storage.description.clone(),
    })
}

fn view(ctx: &Ctx, h: &Health) -> Markup {
    let lang = ctx.lang.code();
    let moment = |at: Option<DateTime<Utc>>| match at {
        Some(at) => when(ctx, at),
        None => html! { (ctx.t("health.none")) },
    };
    let schema = match h.schema {
        Schema::Current => {
            rust_i18n::t!("health.schema_current", locale = lang, count = h.migrations).into_owned()
        }
        Schema::Behind(n) => {
            rust_i18n::t!("health.schema_behind", locale = lang, count = n).into_owned()
        }
        Schema::Ahead => ctx.t("health.schema_ahead").into_owned(),
    };
    html! {
        h2 { (ctx.t("health.database")) }
        dl {
            dt { (ctx.t("health.database_kind")) }
            dd { (h.database) }
            dt { (ctx.t("health.pool")) }
            dd {
                (rust_i18n::t!("health.pool_use", locale = lang, size = h.pool.size,
                    idle = h.pool.idle, max = h.pool.max))
            }
            dt { (ctx.t("health.schema")) }
            dd {
                @if matches!(h.schema, Schema::Behind(_)) { strong { (schema) } } @else { (schema) }
            }
        }
        h2 { (ctx.t("health.mail")) }
        dl {
            dt { (ctx.t("health.unsent")) }
            dd #outbox-unsent { (h.backlog.unsent) }
            dt { (ctx.t("health.due")) }
            dd { (h.backlog.due) }
            dt { (ctx.t("health.oldest_unsent")) }
            dd { (moment(h.backlog.oldest_unsent)) }
            dt { (ctx.t("health.due_since")) }
            dd { (moment(h.backlog.due_since)) }
            dt { (ctx.t("health.sent_last_day")) }
            dd { (h.sent_last_day) }
            dt { (ctx.t("health.undelivered_last_day")) }
            dd { (h.undelivered_last_day) }
            dt { (ctx.t("health.last_digest")) }
            dd {
                @match &h.last_digest {
                    Some((period, at)) => { (period) " · " (when(ctx, *at)) },
                    None => (ctx.t("health.none")),
                }
            }
        }
        p { a href="/beheer/post" { (ctx.t("health.outbox_link")) } }
        h2 { (ctx.t("health.this_server")) }
        dl {
            dt { (ctx.t("health.last_mail_turn")) }
            dd {
                @match h.last_mail_turn {
                    Some(at) => (when(ctx, at)),
                    None => (ctx.t("health.not_yet")),
                }
            }
            dt { (ctx.t("health.page_cache")) }
            dd {
                (rust_i18n::t!("health.page_cache_use", locale = lang, hits = h.pages.hits,
                    misses = h.pages.misses))
            }
            dt { (ctx.t("health.storage")) }
            dd { (h.storage) }
        }
    }
}
