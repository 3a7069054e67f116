//! Stale interventions: one not confirmed for [`super::STALE_AFTER_DAYS`] is marked on its
//! page and in lists, and its owner is reminded once by mail (again only after someone
//! confirms it and it goes stale anew). The mail job looks every turn; claiming the reminder
//! (`reminded_at`) and queueing the mail happen in one transaction, so two instances never
//! remind twice.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
    sea_query::Expr,
};

use crate::{
    AppState,
    delivery::outbox,
    entities::{intervention, intervention_version, user},
    i18n::Lang,
    mail::Letter,
};

/// Reminders queued per turn, at most (the rest come next turn).
const BATCH: u64 = 50;

pub async fn queue_reminders(state: &AppState, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let limit = now - Duration::days(super::STALE_AFTER_DAYS);
    let due = intervention::Entity::find()
        .filter(intervention::Column::Status.eq(intervention::Status::Published))
        .filter(intervention::Column::RemindedAt.is_null())
        .filter(
            Condition::any()
                .add(intervention::Column::CheckedAt.is_null())
                .add(intervention::Column::CheckedAt.lt(limit)),
        )
        .limit(BATCH)
        .all(&state.db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let names: std::collections::HashMap<i32, String> = intervention_version::Entity::find()
        .filter(
            intervention_version::Column::Id
                .is_in(due.iter().filter_map(|i| i.published_version_id)),
        )
        .all(&state.db)
        .await?
        .into_iter()
        .map(|v| (v.intervention_id, v.name))
        .collect();
    let owners: std::collections::HashMap<i32, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(due.iter().filter_map(|i| i.owner_id)))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::DeletedAt.is_null())
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut queued = 0;
    let txn = state.db.begin().await?;
    for i in &due {
        let claimed = intervention::Entity::update_many()
            .col_expr(intervention::Column::RemindedAt, Expr::value(now))
            .filter(intervention::Column::Id.eq(i.id))
            .filter(intervention::Column::RemindedAt.is_null())
            .exec(&txn)
            .await?;
        if claimed.rows_affected != 1 {
            continue;
        }
        let Some(owner) = i.owner_id.and_then(|id| owners.get(&id)) else {
            continue;
        };
        let lang = Lang::parse(&owner.lang).unwrap_or_default();
        let name = names.get(&i.id).map_or("", String::as_str);
        let email = Letter::new(lang, &owner.email, "interventions.mail_stale_subject")
            .greet(&owner.name)
            .text(
                rust_i18n::t!(
                    "interventions.mail_stale_body",
                    locale = lang.code(),
                    name = name
                )
                .into_owned(),
            )
            .link(
                "interventions.mail_open",
                state.settings.url(&format!("/interventies/{}", i.slug)),
            )
            .build();
        let since = i
            .checked_at
            .map_or_else(|| "never".to_owned(), |at| at.date_naive().to_string());
        outbox::queue_rows(
            &txn,
            vec![outbox::row(
                state.settings.host(),
                email,
                format!("intervention-stale:{}:{since}", i.id),
                None,
            )],
        )
        .await?;
        queued += 1;
    }
    txn.commit().await?;
    if queued > 0 {
        state.wake_mail.notify_one();
    }
    Ok(queued)
}
