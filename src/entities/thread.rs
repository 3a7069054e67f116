use sea_orm::entity::prelude::*;

/// A conversation in a practice (or the expert area). `post_count`, `last_poster_id` and
/// `last_post_at` are kept up to date when posts are added, so lists need no aggregation.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "threads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub practice_id: i32,
    pub author_id: i32,
    pub title: String,
    pub visibility: Visibility,
    pub pinned: bool,
    pub locked: bool,
    pub post_count: i32,
    pub last_poster_id: Option<i32>,
    pub last_post_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// Who may read a thread; the rule itself lives in [`crate::visibility`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone: visitors, feeds, digests, search engines.
    #[sea_orm(string_value = "public")]
    Public,
    /// Signed-in members only.
    #[sea_orm(string_value = "members")]
    Members,
    /// The expert group (and administrators) only.
    #[sea_orm(string_value = "experts")]
    Experts,
}

impl Visibility {
    /// The value in forms, URLs and translation keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Members => "members",
            Visibility::Experts => "experts",
        }
    }

    /// What an author or facilitator may choose for a thread in a learning practice,
    /// the safe one first.
    pub const CHOICES: [Visibility; 2] = [Visibility::Members, Visibility::Public];

    /// One of [`Visibility::CHOICES`] from a form; anything else is `None`.
    pub fn choice(value: &str) -> Option<Visibility> {
        Self::CHOICES.into_iter().find(|v| v.as_str() == value)
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
