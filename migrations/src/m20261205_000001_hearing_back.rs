//! Coming back and hearing back: where a member's unread starts (`read_from`), a short bio
//! for the member page, mail per kind of notification (on by default, with a record of
//! whether the member chose), a token for one-click unsubscribing, the practices an applicant
//! is interested in, and notifications that may be about a summary instead of a post.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // SQLite alters one column a statement, and only with a constant default.
        for column in [
            timestamp_with_time_zone(Users::ReadFrom)
                .default("1970-01-01 00:00:00+00:00")
                .to_owned(),
            text(Users::Bio).default("").to_owned(),
            boolean(Users::MailReplies).default(true).to_owned(),
            boolean(Users::MailMentions).default(true).to_owned(),
            boolean(Users::MailModeration).default(true).to_owned(),
            boolean(Users::MailExperts).default(true).to_owned(),
            boolean(Users::MailChosen).default(false).to_owned(),
            boolean(Users::MailNotice).default(false).to_owned(),
            string_len_null(Users::MailToken, 64),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        // Everything written before a member was approved counts as read.
        db.execute_unprepared("UPDATE users SET read_from = created_at")
            .await?;
        // A stored "off" cannot be told from a chosen one: whoever has mail on chose it;
        // the others get the new default and are told once, with a way back.
        db.execute_unprepared("UPDATE users SET mail_chosen = (notify_email <> 'off')")
            .await?;
        db.execute_unprepared(
            "UPDATE users SET notify_email = 'immediate', mail_notice = (deleted_at IS NULL) \
             WHERE notify_email = 'off'",
        )
        .await?;
        let token = match m.get_database_backend() {
            DatabaseBackend::Postgres => {
                "md5(random()::text || clock_timestamp()::text || id::text) || \
                 md5(random()::text || id::text)"
            }
            _ => "lower(hex(randomblob(32)))",
        };
        db.execute_unprepared(&format!("UPDATE users SET mail_token = {token}"))
            .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_users_mail_token")
                .table(Users::Table)
                .col(Users::MailToken)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .add_column(text(Applications::Interests).default(""))
                .to_owned(),
        )
        .await?;

        // Drafts: the text of a reply or new thread not sent yet, per member and target; a
        // text sent after the session expired is kept under a one-time key until sign-in.
        m.create_table(
            Table::create()
                .table(Drafts::Table)
                .if_not_exists()
                .col(pk_auto(Drafts::Id))
                .col(integer_null(Drafts::UserId))
                .col(string_len_null(Drafts::KeptHash, 64))
                .col(string_len(Drafts::Target, 64))
                .col(text(Drafts::Title))
                .col(text(Drafts::Body))
                .col(timestamp_with_time_zone(Drafts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Drafts::Table, Drafts::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_drafts_owner")
                .table(Drafts::Table)
                .col(Drafts::UserId)
                .col(Drafts::Target)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_drafts_kept")
                .table(Drafts::Table)
                .col(Drafts::KeptHash)
                .to_owned(),
        )
        .await?;
        // Notifications about a summary have no thread or post: the table is rebuilt with
        // those columns nullable (SQLite cannot alter a column).
        rebuild_notifications(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        m.drop_table(Table::drop().table(Drafts::Table).if_exists().to_owned())
            .await?;
        db.execute_unprepared(
            "DELETE FROM notifications WHERE thread_id IS NULL OR post_id IS NULL",
        )
        .await?;
        rebuild_notifications(m, false).await?;
        db.execute_unprepared("UPDATE users SET notify_email = 'off' WHERE NOT mail_chosen")
            .await?;
        m.drop_index(
            Index::drop()
                .name("idx_users_mail_token")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Users::ReadFrom,
            Users::Bio,
            Users::MailReplies,
            Users::MailMentions,
            Users::MailModeration,
            Users::MailExperts,
            Users::MailChosen,
            Users::MailNotice,
            Users::MailToken,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(Applications::Table)
                .drop_column(Applications::Interests)
                .to_owned(),
        )
        .await
    }
}

/// Rebuilds `notifications` with the rows it has: with `about_summaries`, thread and post
/// may be empty and a summary may be named; without, as before this migration.
async fn rebuild_notifications(m: &SchemaManager<'_>, about_summaries: bool) -> Result<(), DbErr> {
    let db = m.get_connection();
    // Index names are the schema's, not the table's: the old ones go first.
    for name in [
        "idx_notifications_user",
        "idx_notifications_unmailed",
        "idx_notifications_post",
        "idx_notifications_summary",
    ] {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    db.execute_unprepared("ALTER TABLE notifications RENAME TO notifications_old")
        .await?;
    let mut table = Table::create();
    table
        .table(Notifications::Table)
        .col(pk_auto(Notifications::Id))
        .col(integer(Notifications::UserId))
        .col(string_len(Notifications::Kind, 32));
    if about_summaries {
        table
            .col(integer_null(Notifications::ThreadId))
            .col(integer_null(Notifications::PostId))
            .col(integer_null(Notifications::SummaryId))
            .foreign_key(
                ForeignKey::create()
                    .from(Notifications::Table, Notifications::SummaryId)
                    .to(Summaries::Table, Summaries::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
    } else {
        table
            .col(integer(Notifications::ThreadId))
            .col(integer(Notifications::PostId));
    }
    table
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
        );
    m.create_table(table.to_owned()).await?;
    db.execute_unprepared(
        "INSERT INTO notifications \
         (id, user_id, kind, thread_id, post_id, actor_id, created_at, read_at, emailed_at) \
         SELECT id, user_id, kind, thread_id, post_id, actor_id, created_at, read_at, emailed_at \
         FROM notifications_old",
    )
    .await?;
    db.execute_unprepared("DROP TABLE notifications_old")
        .await?;
    if m.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('notifications', 'id'), \
             COALESCE((SELECT MAX(id) FROM notifications), 0) + 1, false)",
        )
        .await?;
    }
    let mut indexes = vec![
        (
            "idx_notifications_user",
            vec![Notifications::UserId, Notifications::ReadAt],
        ),
        (
            "idx_notifications_unmailed",
            vec![Notifications::EmailedAt, Notifications::CreatedAt],
        ),
    ];
    if about_summaries {
        indexes.push(("idx_notifications_post", vec![Notifications::PostId]));
        indexes.push(("idx_notifications_summary", vec![Notifications::SummaryId]));
    }
    for (name, columns) in indexes {
        let mut index = Index::create();
        index.name(name).table(Notifications::Table);
        for column in columns {
            index.col(column);
        }
        m.create_index(index.to_owned()).await?;
    }
    Ok(())
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    ReadFrom,
    Bio,
    MailReplies,
    MailMentions,
    MailModeration,
    MailExperts,
    MailChosen,
    MailNotice,
    MailToken,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Interests,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    UserId,
    Kind,
    ThreadId,
    PostId,
    SummaryId,
    ActorId,
    CreatedAt,
    ReadAt,
    EmailedAt,
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
}

#[derive(DeriveIden)]
enum Summaries {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Drafts {
    Table,
    Id,
    UserId,
    KeptHash,
    Target,
    Title,
    Body,
    UpdatedAt,
}
