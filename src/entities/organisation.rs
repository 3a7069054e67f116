use sea_orm::entity::prelude::*;

/// A partner of the coalition: local government, a volunteer organisation, a care or
/// welfare institution. Public: its page, its districts, its public interventions.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub name: String,
    pub kind: Kind,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub website: String,
    /// District slugs, comma-separated (see `directory::DISTRICTS`).
    #[sea_orm(column_type = "Text")]
    pub districts: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "government")]
    Government,
    #[sea_orm(string_value = "volunteer")]
    Volunteer,
    #[sea_orm(string_value = "care")]
    Care,
    #[sea_orm(string_value = "welfare")]
    Welfare,
    #[sea_orm(string_value = "other")]
    Other,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Government,
        Kind::Volunteer,
        Kind::Care,
        Kind::Welfare,
        Kind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Government => "government",
            Kind::Volunteer => "volunteer",
            Kind::Care => "care",
            Kind::Welfare => "welfare",
            Kind::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}
