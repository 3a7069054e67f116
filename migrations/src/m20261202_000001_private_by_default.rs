//! Privacy by default: every practice starts new threads members-only (until a facilitator
//! chooses otherwise, after a warning), and an earlier version of a post or summary can be
//! redacted: its text is emptied and the row says when and by whom.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "UPDATE practices SET default_visibility = 'members' \
                 WHERE default_visibility = 'public'",
            )
            .await?;
        // SQLite alters one column a statement.
        for table in [Tables::PostRevisions, Tables::SummaryVersions] {
            for column in [
                timestamp_with_time_zone_null(Redaction::RedactedAt),
                integer_null(Redaction::RedactedBy),
            ] {
                m.alter_table(Table::alter().table(table).add_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [Tables::PostRevisions, Tables::SummaryVersions] {
            for column in [Redaction::RedactedBy, Redaction::RedactedAt] {
                m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                    .await?;
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Tables {
    PostRevisions,
    SummaryVersions,
}

#[derive(DeriveIden)]
enum Redaction {
    RedactedAt,
    RedactedBy,
}
