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
    /// How notifications come by email: `off`, `immediate` (bundled per thread, at most one
    /// mail an hour) or `daily`.
    pub notify_email: String,
    /// What the name looks like (`names::skeleton`), kept in step with `name` on every save.
    pub name_skeleton: Option<String>,
    /// Set when the account was deleted: the row stays, without name or address, so the
    /// posts kept under "oud-lid" still have an author.
    pub deleted_at: Option<DateTimeUtc>,
    /// Posts written before this moment count as read (the day of approval, or the last
    /// "alles gelezen").
    pub read_from: DateTimeUtc,
    /// A few lines about themselves, on their member page.
    pub bio: String,
    /// Which notifications also come by mail (each can be stopped with one click).
    pub mail_replies: bool,
    pub mail_mentions: bool,
    pub mail_moderation: bool,
    pub mail_experts: bool,
    /// Private messages from other members, bundled per conversation.
    pub mail_messages: bool,
    /// Whether the member chose their mail settings themselves (else the defaults hold).
    pub mail_chosen: bool,
    /// Show the one-time notice that notification mail was switched on for them.
    pub mail_notice: bool,
    /// The secret in one-click unsubscribe links of notification mails.
    pub mail_token: Option<String>,
    /// The secret in the address of the member's own calendar feed (`None` until they ask
    /// for one, and again after they revoke it).
    pub calendar_token: Option<String>,
    /// The districts they work in, for the directory (`,charlois,noord,`; see
    /// `directory::DISTRICTS`).
    pub districts: String,
    pub phone: String,
    /// What the directory shows of them: organisations and districts unless they say no,
    /// phone and address only if they say yes.
    pub show_organisation: bool,
    pub show_districts: bool,
    pub show_phone: bool,
    pub show_email: bool,
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
            self.notify_email = ActiveValue::Set(NOTIFY_IMMEDIATE.into());
        }
        if insert && matches!(self.read_from, ActiveValue::NotSet) {
            self.read_from = ActiveValue::Set(chrono::Utc::now());
        }
        if insert
            && matches!(
                self.mail_token,
                ActiveValue::NotSet | ActiveValue::Set(None)
            )
        {
            self.mail_token = ActiveValue::Set(Some(crate::tokens::random_secret()));
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
    let mut taken: std::collections::HashSet<String> = Entity::find()
        .filter(Column::Handle.starts_with(&base))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|u| u.handle)
        .collect();
    // `/leden/zoek` is the suggestions, not a member.
    taken.insert("zoek".into());
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

impl Model {
    /// The organisation they name on their profile, where they chose to show it (the
    /// directory's choice holds for every place their name appears).
    pub fn shown_organisation(&self) -> Option<&str> {
        Some(self.organisation.as_str()).filter(|o| self.show_organisation && !o.is_empty())
    }
}
