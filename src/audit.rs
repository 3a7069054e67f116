//! The audit log: who did what to whom, for administrators to read.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

use crate::entities::audit_event;

pub async fn record(
    db: &impl ConnectionTrait,
    actor_id: Option<i32>,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), DbErr> {
    audit_event::ActiveModel {
        actor_id: Set(actor_id),
        action: Set(action.into()),
        subject: Set(subject.into()),
        detail: Set(detail.into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
