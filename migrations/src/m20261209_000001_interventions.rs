//! The city's interventions against loneliness: a public catalogue kept like the summaries.
//! An intervention names the version the public reads (`published_version_id`); every
//! proposal — a new intervention or a change — is a version of its own, waiting until a
//! facilitator or an administrator publishes or declines it, so the history is the list of
//! versions. `checked_at` is when someone last confirmed it is still true; a year later it
//! is marked stale and its owner reminded (`reminded_at`).
//!
//! Interventions are found by search: `search_docs` gets an `intervention_id` (documents
//! from `1 << 34`), read the way summaries are.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Interventions::Table)
                .if_not_exists()
                .col(pk_auto(Interventions::Id))
                .col(string_len(Interventions::Slug, 80).unique_key())
                .col(string_len(Interventions::Status, 16))
                .col(integer_null(Interventions::PublishedVersionId))
                .col(integer_null(Interventions::OwnerId))
                .col(timestamp_with_time_zone(Interventions::CreatedAt))
                .col(timestamp_with_time_zone(Interventions::UpdatedAt))
                .col(timestamp_with_time_zone_null(Interventions::PublishedAt))
                .col(timestamp_with_time_zone_null(Interventions::CheckedAt))
                .col(timestamp_with_time_zone_null(Interventions::RemindedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Interventions::Table, Interventions::OwnerId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_interventions_status")
                .table(Interventions::Table)
                .col(Interventions::Status)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(InterventionVersions::Table)
                .if_not_exists()
                .col(pk_auto(InterventionVersions::Id))
                .col(integer(InterventionVersions::InterventionId))
                .col(integer(InterventionVersions::AuthorId))
                .col(timestamp_with_time_zone(InterventionVersions::CreatedAt))
                .col(string_len(InterventionVersions::State, 16))
                .col(text(InterventionVersions::Note))
                .col(integer_null(InterventionVersions::DecidedBy))
                .col(timestamp_with_time_zone_null(
                    InterventionVersions::DecidedAt,
                ))
                .col(text(InterventionVersions::DecisionNote))
                .col(text(InterventionVersions::Name))
                .col(integer_null(InterventionVersions::OrganisationId))
                .col(text(InterventionVersions::Description))
                .col(text(InterventionVersions::TargetGroups))
                .col(text(InterventionVersions::Districts))
                .col(text(InterventionVersions::Referral))
                .col(text(InterventionVersions::Contact))
                .col(text(InterventionVersions::Cost))
                .col(text(InterventionVersions::Languages))
                .col(text(InterventionVersions::Evidence))
                .col(text(InterventionVersions::Related))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            InterventionVersions::Table,
                            InterventionVersions::InterventionId,
                        )
                        .to(Interventions::Table, Interventions::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            InterventionVersions::Table,
                            InterventionVersions::OrganisationId,
                        )
                        .to(Organisations::Table, Organisations::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_intervention_versions_intervention")
                .table(InterventionVersions::Table)
                .col(InterventionVersions::InterventionId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_intervention_versions_state")
                .table(InterventionVersions::Table)
                .col(InterventionVersions::State)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(SearchDocs::Table)
                .add_column(integer_null(SearchDocs::InterventionId))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(SearchDocs::Table)
                .drop_column(SearchDocs::InterventionId)
                .to_owned(),
        )
        .await?;
        for table in [
            InterventionVersions::Table.into_iden(),
            Interventions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Interventions {
    Table,
    Id,
    Slug,
    Status,
    PublishedVersionId,
    OwnerId,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    CheckedAt,
    RemindedAt,
}

#[derive(DeriveIden)]
enum InterventionVersions {
    Table,
    Id,
    InterventionId,
    AuthorId,
    CreatedAt,
    State,
    Note,
    DecidedBy,
    DecidedAt,
    DecisionNote,
    Name,
    OrganisationId,
    Description,
    TargetGroups,
    Districts,
    Referral,
    Contact,
    Cost,
    Languages,
    Evidence,
    Related,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SearchDocs {
    Table,
    InterventionId,
}
