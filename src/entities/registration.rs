use sea_orm::entity::prelude::*;

/// Someone coming to a meeting: a member (`user_id`; name and address are the account's),
/// or a visitor of a public meeting with the name, organisation and address they gave,
/// confirmed by mail and managed from the link in it (`manage_token`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub meeting_id: i32,
    pub user_id: Option<i32>,
    pub status: Status,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub organisation: String,
    #[sea_orm(column_type = "Text")]
    pub email: String,
    pub lang: String,
    /// A visitor's key to their registration (shown, exported, cancelled, erased with it).
    #[sea_orm(unique)]
    pub manage_token: Option<String>,
    pub confirm_token_hash: Option<String>,
    pub confirm_expires_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub consent_text: String,
    pub consent_ip: String,
    pub attended: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Status {
    /// A visitor who has not yet confirmed their address.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Holds a place.
    #[sea_orm(string_value = "registered")]
    Registered,
    /// On the waiting list, in order of `id`.
    #[sea_orm(string_value = "waiting")]
    Waiting,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}
