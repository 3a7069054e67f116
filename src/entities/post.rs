use sea_orm::entity::prelude::*;

/// One message in a thread; `position` counts from 1 (the opening post) and fixes the page
/// a post is on. A removed post keeps its place so the thread stays coherent.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub thread_id: i32,
    pub author_id: i32,
    pub position: i32,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `body` rendered and sanitised by [`crate::forum::bodies`], the one writer of both.
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    /// The renderer's version `body_html` was made with (0: not yet rendered).
    pub html_version: i32,
    pub created_at: DateTimeUtc,
    pub edited_at: Option<DateTimeUtc>,
    pub deleted_at: Option<DateTimeUtc>,
    pub hidden_at: Option<DateTimeUtc>,
    pub hidden_by: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub hidden_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Where a post stands; whether its text reaches a reader is decided in [`crate::visibility`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Readable by everyone who may read the thread.
    Visible,
    /// Hidden by a facilitator: its author and the practice's facilitators still read it.
    Hidden,
    /// Removed by its author: gone for everyone.
    Removed,
}

impl Model {
    pub fn state(&self) -> State {
        if self.deleted_at.is_some() {
            State::Removed
        } else if self.hidden_at.is_some() {
            State::Hidden
        } else {
            State::Visible
        }
    }
}
