//! Each person's name skeleton (Unicode TS #39, what the name looks like), indexed, so that a
//! name that passes for another member's is found with one indexed query. Existing rows
//! are filled in by the application at start-up (`names::backfill_skeletons`), since the
//! skeleton needs Unicode tables the database does not have.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_null(Users::NameSkeleton))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_users_name_skeleton")
                .table(Users::Table)
                .col(Users::NameSkeleton)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_users_name_skeleton")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::NameSkeleton)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    NameSkeleton,
}
