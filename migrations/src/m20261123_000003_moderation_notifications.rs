//! Keeping the forum safe and people informed: hidden posts, flags for facilitators,
//! watched threads, notifications, and a handle per person for @mentions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column at a time.
        for column in [
            timestamp_with_time_zone_null(Posts::HiddenAt),
            integer_null(Posts::HiddenBy),
            text_null(Posts::HiddenReason),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_null(Users::Handle))
                .to_owned(),
        )
        .await?;
        // People who exist already get a plain handle they can change later.
        m.get_connection()
            .execute_unprepared("UPDATE users SET handle = 'lid-' || id WHERE handle IS NULL")
            .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_users_handle")
                .table(Users::Table)
                .col(Users::Handle)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Flags::Table)
                .if_not_exists()
                .col(pk_auto(Flags::Id))
                .col(integer(Flags::PostId))
                .col(integer(Flags::ReporterId))
                .col(text(Flags::Reason))
                .col(timestamp_with_time_zone(Flags::CreatedAt))
                .col(timestamp_with_time_zone_null(Flags::ResolvedAt))
                .col(integer_null(Flags::ResolvedBy))
                .col(string_len_null(Flags::Outcome, 16))
                .col(text_null(Flags::Note))
                .foreign_key(
                    ForeignKey::create()
                        .from(Flags::Table, Flags::PostId)
                        .to(Posts::Table, Posts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Flags::Table, Flags::ReporterId)
                        .to(Users::Table, Users::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Flags::Table, Flags::ResolvedBy)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_flags_open")
                .table(Flags::Table)
                .col(Flags::ResolvedAt)
                .col(Flags::PostId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Watches::Table)
                .if_not_exists()
                .col(integer(Watches::UserId))
                .col(integer(Watches::ThreadId))
                .col(boolean(Watches::Muted).default(false))
                .primary_key(Index::create().col(Watches::UserId).col(Watches::ThreadId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Watches::Table, Watches::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Watches::Table, Watches::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_watches_thread")
                .table(Watches::Table)
                .col(Watches::ThreadId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .if_not_exists()
                .col(pk_auto(Notifications::Id))
                .col(integer(Notifications::UserId))
                .col(string_len(Notifications::Kind, 32))
                .col(integer(Notifications::ThreadId))
                .col(integer(Notifications::PostId))
                .col(integer(Notifications::ActorId))
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .col(timestamp_with_time_zone_null(Notifications::ReadAt))
                .col(timestamp_with_time_zone_null(Notifications::EmailedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::ThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::PostId)
                        .to(Posts::Table, Posts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Notifications::Table, Notifications::ActorId)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_notifications_user")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::ReadAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            Watches::Table.into_iden(),
            Flags::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        m.drop_index(
            Index::drop()
                .name("idx_users_handle")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            (Users::Table.into_iden(), Users::Handle.into_iden()),
            (Posts::Table.into_iden(), Posts::HiddenAt.into_iden()),
            (Posts::Table.into_iden(), Posts::HiddenBy.into_iden()),
            (Posts::Table.into_iden(), Posts::HiddenReason.into_iden()),
        ] {
            m.alter_table(
                Table::alter()
                    .table(column.0)
                    .drop_column(column.1)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Handle,
}

#[derive(DeriveIden)]
enum Threads {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    HiddenAt,
    HiddenBy,
    HiddenReason,
}

#[derive(DeriveIden)]
enum Flags {
    Table,
    Id,
    PostId,
    ReporterId,
    Reason,
    CreatedAt,
    ResolvedAt,
    ResolvedBy,
    Outcome,
    Note,
}

#[derive(DeriveIden)]
enum Watches {
    Table,
    UserId,
    ThreadId,
    Muted,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    ThreadId,
    PostId,
    ActorId,
    CreatedAt,
    ReadAt,
    EmailedAt,
}
