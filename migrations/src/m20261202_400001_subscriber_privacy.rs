//! What a subscriber's consent record needs to stand as proof, and what retention needs:
//! the version of the consent text they agreed to (the text itself is kept too), and when
//! they stopped (the record is kept one year after that, then deleted). Rows from before
//! this migration agreed to the first text, version `2026-11`; rows stopped before it get
//! their `unsubscribed_at` from the retention job's first run (the database has no portable
//! "now" that compares with stored times), so they are kept a full year from then.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Subscribers::Table)
                .add_column(string_len(Subscribers::ConsentVersion, 16).default("2026-11"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Subscribers::Table)
                .add_column(timestamp_with_time_zone_null(Subscribers::UnsubscribedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Subscribers::UnsubscribedAt, Subscribers::ConsentVersion] {
            m.alter_table(
                Table::alter()
                    .table(Subscribers::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Subscribers {
    Table,
    ConsentVersion,
    UnsubscribedAt,
}
