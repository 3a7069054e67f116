//! The foundation: people, practices, applications, one-time tokens, sessions, throttling and
//! the audit log. Written with the schema builder so SQLite and PostgreSQL get the same schema.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .if_not_exists()
                .col(pk_auto(Users::Id))
                .col(string_uniq(Users::Email))
                .col(string(Users::Name))
                .col(string(Users::Organisation))
                .col(string(Users::Job))
                .col(string_null(Users::PasswordHash))
                .col(boolean(Users::IsAdmin).default(false))
                .col(boolean(Users::IsExpert).default(false))
                .col(boolean(Users::Disabled).default(false))
                .col(string_len(Users::Lang, 2).default("nl"))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Practices::Table)
                .if_not_exists()
                .col(pk_auto(Practices::Id))
                .col(string_uniq(Practices::Slug))
                .col(string_len(Practices::Kind, 16).default("practice"))
                .col(string(Practices::NameNl))
                .col(string(Practices::NameEn))
                .col(text(Practices::DescriptionNl))
                .col(text(Practices::DescriptionEn))
                .col(integer(Practices::Position).default(0))
                .col(boolean(Practices::Archived).default(false))
                .col(string_len(Practices::DefaultVisibility, 16).default("public"))
                .col(timestamp_with_time_zone(Practices::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .if_not_exists()
                .col(integer(Memberships::UserId))
                .col(integer(Memberships::PracticeId))
                .col(string_len(Memberships::Role, 16).default("member"))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(Memberships::UserId)
                        .col(Memberships::PracticeId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::PracticeId)
                        .to(Practices::Table, Practices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Applications::Table)
                .if_not_exists()
                .col(pk_auto(Applications::Id))
                .col(string(Applications::Email))
                .col(string(Applications::Name))
                .col(string(Applications::Organisation))
                .col(string(Applications::Job))
                .col(text(Applications::Motivation))
                .col(string_len(Applications::Lang, 2).default("nl"))
                .col(string_len(Applications::Status, 16).default("pending"))
                .col(timestamp_with_time_zone(Applications::CreatedAt))
                .col(timestamp_with_time_zone_null(Applications::DecidedAt))
                .col(integer_null(Applications::DecidedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(Applications::Table, Applications::DecidedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_applications_status")
                .table(Applications::Table)
                .col(Applications::Status)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Tokens::Table)
                .if_not_exists()
                .col(pk_auto(Tokens::Id))
                .col(string_uniq(Tokens::TokenHash))
                .col(string_len(Tokens::Purpose, 32))
                .col(integer_null(Tokens::UserId))
                .col(timestamp_with_time_zone(Tokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(Tokens::UsedAt))
                .col(timestamp_with_time_zone(Tokens::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Tokens::Table, Tokens::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .if_not_exists()
                .col(string(Sessions::IdHash).primary_key())
                .col(integer(Sessions::UserId))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_sessions_user")
                .table(Sessions::Table)
                .col(Sessions::UserId)
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
        .await?;

        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .if_not_exists()
                .col(pk_auto(AuditLog::Id))
                .col(integer_null(AuditLog::ActorId))
                .col(string_len(AuditLog::Action, 64))
                .col(string(AuditLog::Subject))
                .col(text(AuditLog::Detail))
                .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(AuditLog::Table, AuditLog::ActorId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_audit_created")
                .table(AuditLog::Table)
                .col(AuditLog::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Throttle::Table.into_iden(),
            Sessions::Table.into_iden(),
            Tokens::Table.into_iden(),
            Applications::Table.into_iden(),
            Memberships::Table.into_iden(),
            Practices::Table.into_iden(),
            Users::Table.into_iden(),
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
    Email,
    Name,
    Organisation,
    Job,
    PasswordHash,
    IsAdmin,
    IsExpert,
    Disabled,
    Lang,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Practices {
    Table,
    Id,
    Slug,
    Kind,
    NameNl,
    NameEn,
    DescriptionNl,
    DescriptionEn,
    Position,
    Archived,
    DefaultVisibility,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    UserId,
    PracticeId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    Email,
    Name,
    Organisation,
    Job,
    Motivation,
    Lang,
    Status,
    CreatedAt,
    DecidedAt,
    DecidedBy,
}

#[derive(DeriveIden)]
enum Tokens {
    Table,
    Id,
    TokenHash,
    Purpose,
    UserId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    CreatedAt,
    ExpiresAt,
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
enum AuditLog {
    Table,
    Id,
    ActorId,
    Action,
    Subject,
    Detail,
    CreatedAt,
}
