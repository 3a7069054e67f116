//! Private messages between members: conversations with their participants (how far each
//! read, and how far each was mailed), the messages, reports of a message to the
//! administrators, who blocked whom, and each member's choice to get messages by mail.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Conversations::Table)
                .if_not_exists()
                .col(pk_auto(Conversations::Id))
                .col(text(Conversations::Subject))
                .col(integer_null(Conversations::CreatedBy))
                .col(timestamp_with_time_zone(Conversations::CreatedAt))
                .col(timestamp_with_time_zone(Conversations::LastMessageAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Conversations::Table, Conversations::CreatedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_conversations_created_by")
                .table(Conversations::Table)
                .col(Conversations::CreatedBy)
                .col(Conversations::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ConversationMembers::Table)
                .if_not_exists()
                .col(integer(ConversationMembers::ConversationId))
                .col(integer(ConversationMembers::UserId))
                .col(timestamp_with_time_zone(ConversationMembers::JoinedAt))
                .col(integer(ConversationMembers::LastReadMessageId).default(0))
                .col(integer(ConversationMembers::LastMailedMessageId).default(0))
                .col(timestamp_with_time_zone_null(
                    ConversationMembers::LastMailedAt,
                ))
                .primary_key(
                    Index::create()
                        .col(ConversationMembers::ConversationId)
                        .col(ConversationMembers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            ConversationMembers::Table,
                            ConversationMembers::ConversationId,
                        )
                        .to(Conversations::Table, Conversations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ConversationMembers::Table, ConversationMembers::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_conversation_members_user")
                .table(ConversationMembers::Table)
                .col(ConversationMembers::UserId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Messages::Table)
                .if_not_exists()
                .col(pk_auto(Messages::Id))
                .col(integer(Messages::ConversationId))
                .col(integer_null(Messages::AuthorId))
                .col(text(Messages::Body))
                .col(text(Messages::BodyHtml))
                .col(integer(Messages::HtmlVersion).default(0))
                .col(timestamp_with_time_zone(Messages::CreatedAt))
                .col(timestamp_with_time_zone_null(Messages::RemovedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, Messages::ConversationId)
                        .to(Conversations::Table, Conversations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Messages::Table, Messages::AuthorId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_messages_conversation")
                .table(Messages::Table)
                .col(Messages::ConversationId)
                .col(Messages::Id)
                .to_owned(),
        )
        .await?;
        // The rate limits count a member's messages of the last hour; the mail job reads the
        // last days' messages.
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_messages_author")
                .table(Messages::Table)
                .col(Messages::AuthorId)
                .col(Messages::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_messages_created")
                .table(Messages::Table)
                .col(Messages::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MessageReports::Table)
                .if_not_exists()
                .col(pk_auto(MessageReports::Id))
                .col(integer(MessageReports::MessageId))
                .col(integer(MessageReports::ReporterId))
                .col(text(MessageReports::Reason))
                .col(timestamp_with_time_zone(MessageReports::CreatedAt))
                .col(timestamp_with_time_zone_null(MessageReports::HandledAt))
                .col(integer_null(MessageReports::HandledBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(MessageReports::Table, MessageReports::MessageId)
                        .to(Messages::Table, Messages::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MessageReports::Table, MessageReports::ReporterId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MessageReports::Table, MessageReports::HandledBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_message_reports_once")
                .table(MessageReports::Table)
                .col(MessageReports::MessageId)
                .col(MessageReports::ReporterId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Blocks::Table)
                .if_not_exists()
                .col(integer(Blocks::UserId))
                .col(integer(Blocks::BlockedId))
                .col(timestamp_with_time_zone(Blocks::CreatedAt))
                .primary_key(Index::create().col(Blocks::UserId).col(Blocks::BlockedId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Blocks::Table, Blocks::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Blocks::Table, Blocks::BlockedId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_blocks_blocked")
                .table(Blocks::Table)
                .col(Blocks::BlockedId)
                .to_owned(),
        )
        .await?;
        // SQLite alters one column a statement, and only with a constant default.
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(boolean(Users::MailMessages).default(true))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::MailMessages)
                .to_owned(),
        )
        .await?;
        for table in [
            Blocks::Table.into_iden(),
            MessageReports::Table.into_iden(),
            Messages::Table.into_iden(),
            ConversationMembers::Table.into_iden(),
            Conversations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    Subject,
    CreatedBy,
    CreatedAt,
    LastMessageAt,
}

#[derive(DeriveIden)]
enum ConversationMembers {
    Table,
    ConversationId,
    UserId,
    JoinedAt,
    LastReadMessageId,
    LastMailedMessageId,
    LastMailedAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    AuthorId,
    Body,
    BodyHtml,
    HtmlVersion,
    CreatedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum MessageReports {
    Table,
    Id,
    MessageId,
    ReporterId,
    Reason,
    CreatedAt,
    HandledAt,
    HandledBy,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    UserId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    MailMessages,
}
