use sea_orm::entity::prelude::*;

/// A kind of expertise members may say they have, from the list administrators keep.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expertise_tags")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub name_nl: String,
    #[sea_orm(column_type = "Text")]
    pub name_en: String,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn name(&self, lang: crate::i18n::Lang) -> &str {
        match lang {
            crate::i18n::Lang::Nl => &self.name_nl,
            crate::i18n::Lang::En => &self.name_en,
        }
    }
}
