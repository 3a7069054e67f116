//! Revisions of published summaries wait for review: the summary names the version the
//! public reads (`published_version_id`) and where a pending revision stands
//! (`revision_status`); a version holds everything its form proposed (language, practices,
//! sources), so approving it can make all of it public at once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column a statement.
        for column in [
            integer_null(Summaries::PublishedVersionId),
            string_len_null(Summaries::RevisionStatus, 16),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Summaries::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            string_len_null(SummaryVersions::Lang, 2),
            text_null(SummaryVersions::PracticeIds),
            text_null(SummaryVersions::Sources),
        ] {
            m.alter_table(
                Table::alter()
                    .table(SummaryVersions::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        // Until now every save went live at once: the newest version is what the public
        // read (and, for a withdrawn summary, what it would read again).
        m.get_connection()
            .execute_unprepared(
                "UPDATE summaries SET published_version_id = \
                 (SELECT MAX(v.id) FROM summary_versions v WHERE v.summary_id = summaries.id) \
                 WHERE status IN ('published', 'withdrawn') OR published_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            SummaryVersions::Sources,
            SummaryVersions::PracticeIds,
            SummaryVersions::Lang,
        ] {
            m.alter_table(
                Table::alter()
                    .table(SummaryVersions::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [Summaries::RevisionStatus, Summaries::PublishedVersionId] {
            m.alter_table(
                Table::alter()
                    .table(Summaries::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Summaries {
    Table,
    PublishedVersionId,
    RevisionStatus,
}

#[derive(DeriveIden)]
enum SummaryVersions {
    Table,
    Lang,
    PracticeIds,
    Sources,
}
