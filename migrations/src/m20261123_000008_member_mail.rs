//! Mail for members: a member's digest is a subscription tied to their account, and each
//! person chooses whether notifications also come by email (never, at once, or daily).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Subscribers::Table)
                .add_column(integer_null(Subscribers::UserId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_subscribers_user")
                .table(Subscribers::Table)
                .col(Subscribers::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_len(Users::NotifyEmail, 16).default("off"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_notifications_unmailed")
                .table(Notifications::Table)
                .col(Notifications::EmailedAt)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_notifications_unmailed")
                .table(Notifications::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::NotifyEmail)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_subscribers_user")
                .table(Subscribers::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Subscribers::Table)
                .drop_column(Subscribers::UserId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Subscribers {
    Table,
    UserId,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    NotifyEmail,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    EmailedAt,
    CreatedAt,
}
