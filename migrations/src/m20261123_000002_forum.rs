//! The forum: threads and their posts, the edit history of posts, read positions, and
//! which threads people watch.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Threads::Table)
                .if_not_exists()
                .col(pk_auto(Threads::Id))
                .col(integer(Threads::PracticeId))
                .col(integer(Threads::AuthorId))
                .col(string(Threads::Title))
                .col(string_len(Threads::Visibility, 16))
                .col(boolean(Threads::Pinned).default(false))
                .col(boolean(Threads::Locked).default(false))
                .col(integer(Threads::PostCount).default(0))
                .col(integer_null(Threads::LastPosterId))
                .col(timestamp_with_time_zone(Threads::LastPostAt))
                .col(timestamp_with_time_zone(Threads::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Threads::Table, Threads::PracticeId)
                        .to(Practices::Table, Practices::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Threads::Table, Threads::AuthorId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Threads::Table, Threads::LastPosterId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_threads_practice_activity")
                .table(Threads::Table)
                .col(Threads::PracticeId)
                .col(Threads::Pinned)
                .col(Threads::LastPostAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_threads_activity")
                .table(Threads::Table)
                .col(Threads::LastPostAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Posts::Table)
                .if_not_exists()
                .col(pk_auto(Posts::Id))
                .col(integer(Posts::ThreadId))
                .col(integer(Posts::AuthorId))
                .col(integer(Posts::Position))
                .col(text(Posts::Body))
                .col(timestamp_with_time_zone(Posts::CreatedAt))
                .col(timestamp_with_time_zone_null(Posts::EditedAt))
                .col(timestamp_with_time_zone_null(Posts::DeletedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Posts::Table, Posts::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Posts::Table, Posts::AuthorId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_posts_thread_position")
                .table(Posts::Table)
                .col(Posts::ThreadId)
                .col(Posts::Position)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PostRevisions::Table)
                .if_not_exists()
                .col(pk_auto(PostRevisions::Id))
                .col(integer(PostRevisions::PostId))
                .col(integer(PostRevisions::EditorId))
                .col(text(PostRevisions::Body))
                .col(timestamp_with_time_zone(PostRevisions::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PostRevisions::Table, PostRevisions::PostId)
                        .to(Posts::Table, Posts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PostRevisions::Table, PostRevisions::EditorId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_revisions_post")
                .table(PostRevisions::Table)
                .col(PostRevisions::PostId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ReadPositions::Table)
                .if_not_exists()
                .col(integer(ReadPositions::UserId))
                .col(integer(ReadPositions::ThreadId))
                .col(integer(ReadPositions::Position))
                .primary_key(
                    Index::create()
                        .col(ReadPositions::UserId)
                        .col(ReadPositions::ThreadId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ReadPositions::Table, ReadPositions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ReadPositions::Table, ReadPositions::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReadPositions::Table.into_iden(),
            PostRevisions::Table.into_iden(),
            Posts::Table.into_iden(),
            Threads::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Threads {
    Table,
    Id,
    PracticeId,
    AuthorId,
    Title,
    Visibility,
    Pinned,
    Locked,
    PostCount,
    LastPosterId,
    LastPostAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    ThreadId,
    AuthorId,
    Position,
    Body,
    CreatedAt,
    EditedAt,
    DeletedAt,
}

#[derive(DeriveIden)]
enum PostRevisions {
    Table,
    Id,
    PostId,
    EditorId,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReadPositions {
    Table,
    UserId,
    ThreadId,
    Position,
}
