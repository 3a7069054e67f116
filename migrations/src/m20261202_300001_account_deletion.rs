//! Leaving and moving: `users.deleted_at` marks an account erased at its owner's (or an
//! administrator's) request, which stays as a nameless tombstone so posts keep their author;
//! `email_changes` holds the one new address a member asked for until its link is followed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(timestamp_with_time_zone_null(Users::DeletedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmailChanges::Table)
                .if_not_exists()
                .col(integer(EmailChanges::UserId).primary_key())
                .col(string(EmailChanges::NewEmail))
                .col(timestamp_with_time_zone(EmailChanges::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(EmailChanges::Table, EmailChanges::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(EmailChanges::Table)
                .if_exists()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::DeletedAt)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    DeletedAt,
}

#[derive(DeriveIden)]
enum EmailChanges {
    Table,
    UserId,
    NewEmail,
    CreatedAt,
}
