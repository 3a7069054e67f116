//! Meetings (bijeenkomsten): a practice's, the expert group's or the whole community's,
//! who organises them, who registered (members, and visitors with a confirmed address), and
//! each member's secret calendar address.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Meetings::Table)
                .if_not_exists()
                .col(pk_auto(Meetings::Id))
                .col(string_len(Meetings::Uid, 64).unique_key())
                .col(integer_null(Meetings::PracticeId))
                .col(string_len(Meetings::Kind, 16))
                .col(string_len(Meetings::Visibility, 16))
                .col(string_len(Meetings::State, 16))
                .col(text(Meetings::Title))
                .col(timestamp_with_time_zone(Meetings::StartsAt))
                .col(timestamp_with_time_zone(Meetings::EndsAt))
                .col(text(Meetings::Place))
                .col(text(Meetings::Room))
                .col(text(Meetings::Accessibility))
                .col(text(Meetings::OnlineLink))
                .col(text(Meetings::Agenda))
                .col(integer_null(Meetings::Capacity))
                .col(timestamp_with_time_zone_null(Meetings::Deadline))
                .col(integer(Meetings::Registered).default(0))
                .col(integer(Meetings::Sequence).default(0))
                .col(integer_null(Meetings::ReportThreadId))
                .col(integer(Meetings::CreatedBy))
                .col(timestamp_with_time_zone(Meetings::CreatedAt))
                .col(timestamp_with_time_zone(Meetings::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Meetings::Table, Meetings::PracticeId)
                        .to(Practices::Table, Practices::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Meetings::Table, Meetings::ReportThreadId)
                        .to(Threads::Table, Threads::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_meetings_starts")
                .table(Meetings::Table)
                .col(Meetings::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_meetings_practice")
                .table(Meetings::Table)
                .col(Meetings::PracticeId)
                .col(Meetings::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_meetings_report")
                .table(Meetings::Table)
                .col(Meetings::ReportThreadId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(MeetingOrganisers::Table)
                .if_not_exists()
                .col(integer(MeetingOrganisers::MeetingId))
                .col(integer(MeetingOrganisers::UserId))
                .primary_key(
                    Index::create()
                        .col(MeetingOrganisers::MeetingId)
                        .col(MeetingOrganisers::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MeetingOrganisers::Table, MeetingOrganisers::MeetingId)
                        .to(Meetings::Table, Meetings::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(MeetingOrganisers::Table, MeetingOrganisers::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Registrations::Table)
                .if_not_exists()
                .col(pk_auto(Registrations::Id))
                .col(integer(Registrations::MeetingId))
                .col(integer_null(Registrations::UserId))
                .col(string_len(Registrations::Status, 16))
                .col(text(Registrations::Name))
                .col(text(Registrations::Organisation))
                .col(text(Registrations::Email))
                .col(string_len(Registrations::Lang, 8))
                .col(string_len_null(Registrations::ManageToken, 64).unique_key())
                .col(string_len_null(Registrations::ConfirmTokenHash, 64))
                .col(timestamp_with_time_zone_null(
                    Registrations::ConfirmExpiresAt,
                ))
                .col(text(Registrations::ConsentText))
                .col(string_len(Registrations::ConsentIp, 64))
                .col(boolean(Registrations::Attended).default(false))
                .col(timestamp_with_time_zone(Registrations::CreatedAt))
                .col(timestamp_with_time_zone(Registrations::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Registrations::Table, Registrations::MeetingId)
                        .to(Meetings::Table, Meetings::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Registrations::Table, Registrations::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One registration per member, and per address, a meeting.
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_registrations_member")
                .table(Registrations::Table)
                .col(Registrations::MeetingId)
                .col(Registrations::UserId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_registrations_email")
                .table(Registrations::Table)
                .col(Registrations::MeetingId)
                .col(Registrations::Email)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_registrations_user")
                .table(Registrations::Table)
                .col(Registrations::UserId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_registrations_confirm")
                .table(Registrations::Table)
                .col(Registrations::ConfirmTokenHash)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(string_len_null(Users::CalendarToken, 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_users_calendar_token")
                .table(Users::Table)
                .col(Users::CalendarToken)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_users_calendar_token")
                .table(Users::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .drop_column(Users::CalendarToken)
                .to_owned(),
        )
        .await?;
        for table in [
            Registrations::Table.into_iden(),
            MeetingOrganisers::Table.into_iden(),
            Meetings::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Meetings {
    Table,
    Id,
    Uid,
    PracticeId,
    Kind,
    Visibility,
    State,
    Title,
    StartsAt,
    EndsAt,
    Place,
    Room,
    Accessibility,
    OnlineLink,
    Agenda,
    Capacity,
    Deadline,
    Registered,
    Sequence,
    ReportThreadId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MeetingOrganisers {
    Table,
    MeetingId,
    UserId,
}

#[derive(DeriveIden)]
enum Registrations {
    Table,
    Id,
    MeetingId,
    UserId,
    Status,
    Name,
    Organisation,
    Email,
    Lang,
    ManageToken,
    ConfirmTokenHash,
    ConfirmExpiresAt,
    ConsentText,
    ConsentIp,
    Attended,
    CreatedAt,
    UpdatedAt,
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
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    CalendarToken,
}
