use sea_orm::entity::prelude::*;

/// A curated summary (kennisbundel). Its texts are its versions; `published_version_id`
/// names the one the public reads. `title` and `lang` mirror that live version once the
/// summary has been published (the newest draft before), for lists.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "summaries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub slug: String,
    pub status: SummaryStatus,
    pub lang: String,
    pub title: String,
    pub author_id: i32,
    pub reviewer_id: Option<i32>,
    /// A cited post changed after publication: the experts should look again.
    pub sources_changed: bool,
    pub published_at: Option<DateTimeUtc>,
    /// The approved version everyone reads while the summary is published; `None` until
    /// the first approval. Newer versions are a revision waiting for review.
    pub published_version_id: Option<i32>,
    /// Where a revision of a published summary stands; `None` when there is none.
    pub revision_status: Option<RevisionStatus>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// Whether, and how, a summary is public. Only `Published` is read by anyone but experts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SummaryStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "review")]
    Review,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// A revision of a published summary: being written, or offered to another expert. The
/// public keeps reading the published version meanwhile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RevisionStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "review")]
    Review,
}
