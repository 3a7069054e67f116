use sea_orm::entity::prelude::*;

/// A learning practice, or (kind `expert`) the expert group's own area.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "practices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub kind: Kind,
    pub name_nl: String,
    pub name_en: String,
    #[sea_orm(column_type = "Text")]
    pub description_nl: String,
    #[sea_orm(column_type = "Text")]
    pub description_en: String,
    pub position: i32,
    pub archived: bool,
    pub default_visibility: super::thread::Visibility,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// A learning practice, or the expert group's private area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Kind {
    #[sea_orm(string_value = "practice")]
    Practice,
    #[sea_orm(string_value = "expert")]
    Expert,
}

impl Model {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Nl => &self.name_nl,
            crate::i18n::Lang::En => &self.name_en,
        }
    }

    pub fn description(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Nl => &self.description_nl,
            crate::i18n::Lang::En => &self.description_en,
        }
    }
}
