//! Each outbox mail keeps the Message-ID it was given when queued, so every attempt to send
//! it — after a crash, a lease that ran out, a passing failure — carries the same one and a
//! repeat is recognisable as the same mail. Rows queued before have none: the outbox derives
//! one from the row, as it did before.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(MailOutbox::Table)
                .add_column(string_null(MailOutbox::MessageId))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(MailOutbox::Table)
                .drop_column(MailOutbox::MessageId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum MailOutbox {
    Table,
    MessageId,
}
