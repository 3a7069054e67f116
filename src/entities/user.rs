use sea_orm::{ActiveValue, entity::prelude::*};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub organisation: String,
    pub job: String,
    pub password_hash: Option<String>,
    pub is_admin: bool,
    pub is_expert: bool,
    pub disabled: bool,
    pub lang: String,
    pub created_at: DateTimeUtc,
    /// The name to @mention someone by, such as `marieke-de-vries`.
    #[sea_orm(unique)]
    pub handle: Option<String>,
    /// Whether notifications also come by email: `off`, `immediate` or `daily`.
    pub notify_email: String,
    /// What the name looks like (`names::skeleton`), kept in step with `name` on every save.
    pub name_skeleton: Option<String>,
    /// Set when the account was deleted: the row stays, without name or address, so the
    /// posts kept under "oud-lid" still have an author.
    pub deleted_at: Option<DateTimeUtc>,
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    /// Every new person gets a free handle derived from their name.
    async fn before_save<C>(mut self, db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        let missing = match &self.handle {
            ActiveValue::Set(None) | ActiveValue::NotSet => true,
            ActiveValue::Set(Some(_)) | ActiveValue::Unchanged(_) => false,
        };
        // Written out rather than left to the column default, so the inserted row always
        // carries it.
        if insert && matches!(self.notify_email, ActiveValue::NotSet) {
            self.notify_email = ActiveValue::Set(NOTIFY_OFF.into());
        }
        if let ActiveValue::Set(name) = &self.name {
            self.name_skeleton = ActiveValue::Set(Some(crate::names::skeleton(name)));
        }
        if insert && missing {
            let name = match &self.name {
                ActiveValue::Set(n) | ActiveValue::Unchanged(n) => n.clone(),
                ActiveValue::NotSet => String::new(),
            };
            self.handle = ActiveValue::Set(Some(free_handle(db, &name).await?));
        }
        Ok(self)
    }
}

/// `Marieke de Vries` → `marieke-de-vries`, or `marieke-de-vries-2` when that is taken.
pub async fn free_handle(db: &impl ConnectionTrait, name: &str) -> Result<String, DbErr> {
    let mut base = slug::slugify(name);
    base.truncate(40);
    let base = base.trim_end_matches('-').to_string();
    let base = if base.is_empty() {
        "lid".to_string()
    } else {
        base
    };
    let taken: std::collections::HashSet<String> = Entity::find()
        .filter(Column::Handle.starts_with(&base))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.handle)
        .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base))
}

pub const NOTIFY_OFF: &str = "off";
pub const NOTIFY_IMMEDIATE: &str = "immediate";
pub const NOTIFY_DAILY: &str = "daily";
