//! Files attached to posts. The bytes live on disk by content hash; this table holds who
//! uploaded what, under which name, and to which post it belongs (none yet while the post
//! is still being written).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .if_not_exists()
                .col(pk_auto(Attachments::Id))
                .col(integer_null(Attachments::PostId))
                .col(integer(Attachments::UploaderId))
                .col(string_len(Attachments::Sha256, 64))
                .col(string(Attachments::Filename))
                .col(string_len(Attachments::ContentType, 128))
                .col(big_integer(Attachments::Size))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Attachments::Table, Attachments::PostId)
                        .to(Posts::Table, Posts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Attachments::Table, Attachments::UploaderId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_attachments_post")
                .table(Attachments::Table)
                .col(Attachments::PostId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Attachments::Table)
                .if_exists()
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    PostId,
    UploaderId,
    Sha256,
    Filename,
    ContentType,
    Size,
    CreatedAt,
}
