//! The expert group's work: nominations of threads worth bundling, and curated summaries
//! (kennisbundels) with every version kept, the practices they concern and their sources.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Summaries::Table)
                .if_not_exists()
                .col(pk_auto(Summaries::Id))
                .col(string_uniq(Summaries::Slug))
                .col(string_len(Summaries::Status, 16))
                .col(string_len(Summaries::Lang, 2))
                .col(string(Summaries::Title))
                .col(integer(Summaries::AuthorId))
                .col(integer_null(Summaries::ReviewerId))
                .col(boolean(Summaries::SourcesChanged).default(false))
                .col(timestamp_with_time_zone_null(Summaries::PublishedAt))
                .col(timestamp_with_time_zone(Summaries::CreatedAt))
                .col(timestamp_with_time_zone(Summaries::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Summaries::Table, Summaries::AuthorId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Summaries::Table, Summaries::ReviewerId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SummaryVersions::Table)
                .if_not_exists()
                .col(pk_auto(SummaryVersions::Id))
                .col(integer(SummaryVersions::SummaryId))
                .col(integer(SummaryVersions::EditorId))
                .col(string(SummaryVersions::Title))
                .col(text(SummaryVersions::Body))
                .col(text(SummaryVersions::ReferencesText))
                .col(timestamp_with_time_zone(SummaryVersions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(SummaryVersions::Table, SummaryVersions::SummaryId)
                        .to(Summaries::Table, Summaries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SummaryVersions::Table, SummaryVersions::EditorId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_summary_versions_summary")
                .table(SummaryVersions::Table)
                .col(SummaryVersions::SummaryId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SummaryPractices::Table)
                .if_not_exists()
                .col(integer(SummaryPractices::SummaryId))
                .col(integer(SummaryPractices::PracticeId))
                .primary_key(
                    Index::create()
                        .col(SummaryPractices::SummaryId)
                        .col(SummaryPractices::PracticeId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SummaryPractices::Table, SummaryPractices::SummaryId)
                        .to(Summaries::Table, Summaries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SummaryPractices::Table, SummaryPractices::PracticeId)
                        .to(Practices::Table, Practices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SummarySources::Table)
                .if_not_exists()
                .col(pk_auto(SummarySources::Id))
                .col(integer(SummarySources::SummaryId))
                .col(integer(SummarySources::ThreadId))
                .col(integer_null(SummarySources::PostId))
                .foreign_key(
                    ForeignKey::create()
                        .from(SummarySources::Table, SummarySources::SummaryId)
                        .to(Summaries::Table, Summaries::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SummarySources::Table, SummarySources::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_summary_sources_thread")
                .table(SummarySources::Table)
                .col(SummarySources::ThreadId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Nominations::Table)
                .if_not_exists()
                .col(pk_auto(Nominations::Id))
                .col(integer(Nominations::ThreadId))
                .col(integer(Nominations::NominatorId))
                .col(text(Nominations::Reason))
                .col(string_len(Nominations::Status, 16))
                .col(integer_null(Nominations::HandlerId))
                .col(text_null(Nominations::Note))
                .col(integer_null(Nominations::SummaryId))
                .col(timestamp_with_time_zone(Nominations::CreatedAt))
                .col(timestamp_with_time_zone_null(Nominations::HandledAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::NominatorId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Nominations::Table, Nominations::SummaryId)
                        .to(Summaries::Table, Summaries::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Nominations::Table.into_iden(),
            SummarySources::Table.into_iden(),
            SummaryPractices::Table.into_iden(),
            SummaryVersions::Table.into_iden(),
            Summaries::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Threads {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Summaries {
    Table,
    Id,
    Slug,
    Status,
    Lang,
    Title,
    AuthorId,
    ReviewerId,
    SourcesChanged,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SummaryVersions {
    Table,
    Id,
    SummaryId,
    EditorId,
    Title,
    Body,
    ReferencesText,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SummaryPractices {
    Table,
    SummaryId,
    PracticeId,
}

#[derive(DeriveIden)]
enum SummarySources {
    Table,
    Id,
    SummaryId,
    ThreadId,
    PostId,
}

#[derive(DeriveIden)]
enum Nominations {
    Table,
    Id,
    ThreadId,
    NominatorId,
    Reason,
    Status,
    HandlerId,
    Note,
    SummaryId,
    CreatedAt,
    HandledAt,
}
