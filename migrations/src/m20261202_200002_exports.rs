//! "Download my data": one row per member for the zip being built or waiting to be
//! downloaded. The member's id is the key, so a second request while one is being built
//! cannot start a second build, even when two arrive at once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Exports::Table)
                .if_not_exists()
                .col(integer(Exports::UserId).primary_key())
                .col(string_len(Exports::Status, 16))
                .col(string_len_null(Exports::FileName, 80))
                .col(timestamp_with_time_zone(Exports::RequestedAt))
                .col(timestamp_with_time_zone_null(Exports::ReadyAt))
                .col(timestamp_with_time_zone_null(Exports::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Exports::Table, Exports::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_exports_expires")
                .table(Exports::Table)
                .col(Exports::ExpiresAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Exports::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Exports {
    Table,
    UserId,
    Status,
    FileName,
    RequestedAt,
    ReadyAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
