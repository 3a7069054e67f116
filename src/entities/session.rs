use sea_orm::entity::prelude::*;

/// A signed-in browser. The cookie holds the secret; the table holds only its hash.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: i32,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// A coarse label such as "Firefox op Windows"; never the full User-Agent.
    pub device: Option<String>,
    /// When the session was last used, renewed at most once an hour.
    pub last_seen_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
