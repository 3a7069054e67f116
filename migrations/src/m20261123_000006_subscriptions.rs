//! Following without joining: subscribers (an email address and what they chose), with
//! their consent on record.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Subscribers::Table)
                .if_not_exists()
                .col(pk_auto(Subscribers::Id))
                .col(string_uniq(Subscribers::Email))
                .col(string_len(Subscribers::Status, 16))
                .col(string_len(Subscribers::Lang, 2))
                .col(string_len(Subscribers::Frequency, 16))
                .col(boolean(Subscribers::AllPractices).default(true))
                .col(boolean(Subscribers::Summaries).default(true))
                .col(string_uniq(Subscribers::ManageToken))
                .col(string_null(Subscribers::ConfirmTokenHash))
                .col(timestamp_with_time_zone_null(Subscribers::ConfirmExpiresAt))
                .col(text(Subscribers::ConsentText))
                .col(string(Subscribers::ConsentIp))
                .col(timestamp_with_time_zone(Subscribers::ConsentAt))
                .col(timestamp_with_time_zone_null(Subscribers::ConfirmedAt))
                .col(integer(Subscribers::Bounces).default(0))
                .col(timestamp_with_time_zone(Subscribers::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SubscriberPractices::Table)
                .if_not_exists()
                .col(integer(SubscriberPractices::SubscriberId))
                .col(integer(SubscriberPractices::PracticeId))
                .primary_key(
                    Index::create()
                        .col(SubscriberPractices::SubscriberId)
                        .col(SubscriberPractices::PracticeId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            SubscriberPractices::Table,
                            SubscriberPractices::SubscriberId,
                        )
                        .to(Subscribers::Table, Subscribers::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(SubscriberPractices::Table, SubscriberPractices::PracticeId)
                        .to(Practices::Table, Practices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SubscriberPractices::Table.into_iden(),
            Subscribers::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Subscribers {
    Table,
    Id,
    Email,
    Status,
    Lang,
    Frequency,
    AllPractices,
    Summaries,
    ManageToken,
    ConfirmTokenHash,
    ConfirmExpiresAt,
    ConsentText,
    ConsentIp,
    ConsentAt,
    ConfirmedAt,
    Bounces,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SubscriberPractices {
    Table,
    SubscriberId,
    PracticeId,
}
