//! Throttle counts become one row per bucket and key, counted up by a single upsert, instead
//! of a row per attempt that was counted and recorded in two steps (parallel requests all
//! passed the count before any was recorded). The old rows are short-lived counts; they go.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Throttle::Table).if_exists().to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table(ThrottleCounts::Table)
                .if_not_exists()
                .col(string_len(ThrottleCounts::Bucket, 32))
                .col(string_len(ThrottleCounts::KeyHash, 64))
                .col(big_integer(ThrottleCounts::WindowStart))
                .col(integer(ThrottleCounts::Attempts))
                .primary_key(
                    Index::create()
                        .col(ThrottleCounts::Bucket)
                        .col(ThrottleCounts::KeyHash),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_throttle_counts_window")
                .table(ThrottleCounts::Table)
                .col(ThrottleCounts::WindowStart)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(ThrottleCounts::Table)
                .if_exists()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Throttle::Table)
                .if_not_exists()
                .col(pk_auto(Throttle::Id))
                .col(string_len(Throttle::Bucket, 32))
                .col(string(Throttle::KeyHash))
                .col(timestamp_with_time_zone(Throttle::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_throttle_lookup")
                .table(Throttle::Table)
                .col(Throttle::Bucket)
                .col(Throttle::KeyHash)
                .col(Throttle::CreatedAt)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Throttle {
    Table,
    Id,
    Bucket,
    KeyHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ThrottleCounts {
    Table,
    Bucket,
    KeyHash,
    WindowStart,
    Attempts,
}
