use sea_orm::entity::prelude::*;

use super::thread::Visibility;

/// A meeting (bijeenkomst) of a practice, of the expert group (its area's practice id), or
/// of the whole community (`practice_id` empty). Times are stored in UTC and shown in
/// Amsterdam time. `registered` counts the registrations holding a place, kept in step
/// by the one function that gives and frees places.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The calendar UID, the same in every `.ics` for the meeting's whole life.
    #[sea_orm(unique)]
    pub uid: String,
    pub practice_id: Option<i32>,
    pub kind: Kind,
    pub visibility: Visibility,
    pub state: MeetingState,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub place: String,
    #[sea_orm(column_type = "Text")]
    pub room: String,
    #[sea_orm(column_type = "Text")]
    pub accessibility: String,
    /// For registered people only (and the organisers).
    #[sea_orm(column_type = "Text")]
    pub online_link: String,
    /// Markdown.
    #[sea_orm(column_type = "Text")]
    pub agenda: String,
    pub capacity: Option<i32>,
    pub deadline: Option<DateTimeUtc>,
    pub registered: i32,
    /// The iCalendar SEQUENCE: raised on every change people in the calendar should see.
    pub sequence: i32,
    pub report_thread_id: Option<i32>,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "knowledge")]
    Knowledge,
    #[sea_orm(string_value = "training")]
    Training,
    #[sea_orm(string_value = "intervision")]
    Intervision,
    #[sea_orm(string_value = "community")]
    CommunityDay,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Knowledge,
        Kind::Training,
        Kind::Intervision,
        Kind::CommunityDay,
    ];

    /// The value in forms and translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Knowledge => "knowledge",
            Kind::Training => "training",
            Kind::Intervision => "intervision",
            Kind::CommunityDay => "community",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MeetingState {
    #[sea_orm(string_value = "planned")]
    Planned,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// Took place; may have a report.
    #[sea_orm(string_value = "held")]
    Held,
}
