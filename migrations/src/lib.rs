//! Schema migrations for Erbij. They hold only schema: seeding of the practices lives in the
//! application (`db::seed`) so that it can respect an administrator's later edits.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_foundation;
mod m20261123_000002_forum;
mod m20261123_000003_moderation_notifications;
mod m20261123_000004_attachments;
mod m20261123_000005_expert_group;
mod m20261123_000006_subscriptions;
mod m20261123_000007_mail_outbox;
mod m20261123_000008_member_mail;
mod m20261124_000001_outbox_message_id;
mod m20261130_000009_summary_revisions;
mod m20261201_100001_throttle_counts;
mod m20261201_100002_name_skeleton;
mod m20261202_000001_private_by_default;
mod m20261202_100001_attachment_sizes;
mod m20261202_200001_session_devices;
mod m20261202_200002_exports;
mod m20261202_300001_account_deletion;
mod m20261202_400001_subscriber_privacy;
mod m20261203_000001_search;
mod m20261204_000001_search_ids;
mod m20261205_000001_hearing_back;
mod m20261206_000001_post_html;
mod m20261207_000001_meetings;
mod m20261208_000001_directory;
mod m20261209_000001_interventions;
mod m20261209_000002_messages;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_foundation::Migration),
            Box::new(m20261123_000002_forum::Migration),
            Box::new(m20261123_000003_moderation_notifications::Migration),
            Box::new(m20261123_000004_attachments::Migration),
            Box::new(m20261123_000005_expert_group::Migration),
            Box::new(m20261123_000006_subscriptions::Migration),
            Box::new(m20261123_000007_mail_outbox::Migration),
            Box::new(m20261123_000008_member_mail::Migration),
            Box::new(m20261130_000009_summary_revisions::Migration),
            Box::new(m20261201_100001_throttle_counts::Migration),
            Box::new(m20261201_100002_name_skeleton::Migration),
            Box::new(m20261124_000001_outbox_message_id::Migration),
            Box::new(m20261202_000001_private_by_default::Migration),
            Box::new(m20261202_300001_account_deletion::Migration),
            Box::new(m20261202_400001_subscriber_privacy::Migration),
            Box::new(m20261202_200001_session_devices::Migration),
            Box::new(m20261202_200002_exports::Migration),
            Box::new(m20261202_100001_attachment_sizes::Migration),
            Box::new(m20261203_000001_search::Migration),
            Box::new(m20261204_000001_search_ids::Migration),
            Box::new(m20261205_000001_hearing_back::Migration),
            Box::new(m20261206_000001_post_html::Migration),
            Box::new(m20261207_000001_meetings::Migration),
            Box::new(m20261208_000001_directory::Migration),
            Box::new(m20261209_000001_interventions::Migration),
            Box::new(m20261209_000002_messages::Migration),
        ]
    }
}
