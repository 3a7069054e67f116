use sea_orm::entity::prelude::*;

/// One saved text of a summary; every save makes a new one. A version holds everything the
/// form proposes, so a revision of a published summary changes nothing public until it is
/// approved.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summary_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub summary_id: i32,
    pub editor_id: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// One reference a line: `author | year | title | link`.
    #[sea_orm(column_type = "Text")]
    pub references_text: String,
    /// The proposed language; `None` on versions saved before versions held it.
    pub lang: Option<String>,
    /// The proposed practices, ids separated by commas; `None` as for `lang`.
    #[sea_orm(column_type = "Text", nullable)]
    pub practice_ids: Option<String>,
    /// The proposed sources, one link a line as in the form (`/onderwerpen/12`,
    /// `/berichten/34`); `None` as for `lang`.
    #[sea_orm(column_type = "Text", nullable)]
    pub sources: Option<String>,
    pub created_at: DateTimeUtc,
    /// When this text was redacted: it is then empty, and only the marker shows.
    pub redacted_at: Option<DateTimeUtc>,
    pub redacted_by: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
