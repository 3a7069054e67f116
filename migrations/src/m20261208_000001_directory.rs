//! Who's who: partner organisations, the expertise tags administrators keep, and what each
//! member tells the directory (organisations, districts, expertise, phone) with their
//! choices of what is shown.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .if_not_exists()
                .col(pk_auto(Organisations::Id))
                .col(string_len(Organisations::Slug, 80).unique_key())
                .col(text(Organisations::Name))
                .col(string_len(Organisations::Kind, 16))
                .col(text(Organisations::Description))
                .col(text(Organisations::Website))
                .col(text(Organisations::Districts))
                .col(timestamp_with_time_zone(Organisations::CreatedAt))
                .col(timestamp_with_time_zone(Organisations::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserOrganisations::Table)
                .if_not_exists()
                .col(integer(UserOrganisations::UserId))
                .col(integer(UserOrganisations::OrganisationId))
                .primary_key(
                    Index::create()
                        .col(UserOrganisations::UserId)
                        .col(UserOrganisations::OrganisationId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserOrganisations::Table, UserOrganisations::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserOrganisations::Table, UserOrganisations::OrganisationId)
                        .to(Organisations::Table, Organisations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_user_organisations_organisation")
                .table(UserOrganisations::Table)
                .col(UserOrganisations::OrganisationId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ExpertiseTags::Table)
                .if_not_exists()
                .col(pk_auto(ExpertiseTags::Id))
                .col(string_len(ExpertiseTags::Slug, 80).unique_key())
                .col(text(ExpertiseTags::NameNl))
                .col(text(ExpertiseTags::NameEn))
                .col(integer(ExpertiseTags::Position).default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserExpertise::Table)
                .if_not_exists()
                .col(integer(UserExpertise::UserId))
                .col(integer(UserExpertise::TagId))
                .primary_key(
                    Index::create()
                        .col(UserExpertise::UserId)
                        .col(UserExpertise::TagId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserExpertise::Table, UserExpertise::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserExpertise::Table, UserExpertise::TagId)
                        .to(ExpertiseTags::Table, ExpertiseTags::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_user_expertise_tag")
                .table(UserExpertise::Table)
                .col(UserExpertise::TagId)
                .to_owned(),
        )
        .await?;
        // SQLite alters one column a statement, and only with a constant default.
        for column in [
            text(Users::Districts).default("").to_owned(),
            text(Users::Phone).default("").to_owned(),
            boolean(Users::ShowOrganisation).default(true).to_owned(),
            boolean(Users::ShowDistricts).default(true).to_owned(),
            boolean(Users::ShowPhone).default(false).to_owned(),
            boolean(Users::ShowEmail).default(false).to_owned(),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Users::Districts,
            Users::Phone,
            Users::ShowOrganisation,
            Users::ShowDistricts,
            Users::ShowPhone,
            Users::ShowEmail,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for table in [
            UserExpertise::Table.into_iden(),
            ExpertiseTags::Table.into_iden(),
            UserOrganisations::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    Description,
    Website,
    Districts,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserOrganisations {
    Table,
    UserId,
    OrganisationId,
}

#[derive(DeriveIden)]
enum ExpertiseTags {
    Table,
    Id,
    Slug,
    NameNl,
    NameEn,
    Position,
}

#[derive(DeriveIden)]
enum UserExpertise {
    Table,
    UserId,
    TagId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Districts,
    Phone,
    ShowOrganisation,
    ShowDistricts,
    ShowPhone,
    ShowEmail,
}
