//! The forum: threads and replies inside the practices.
//!
//! The visibility rule lives here, in one place: every read of threads and posts starts
//! from a [`Scope`], built from the viewer, which limits the query to the practices and
//! visibilities that viewer may read. Nothing is filtered after loading.

pub mod attachments;
pub mod moderation;
pub mod posts;
pub mod threads;
pub mod views;

use std::collections::HashMap;

use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};

use crate::entities::{membership, post, practice, thread, user};

/// Posts per page of a thread.
pub const POSTS_PER_PAGE: u64 = 20;
/// Threads per page of a practice.
pub const THREADS_PER_PAGE: u64 = 25;

pub const TITLE_MAX: usize = 150;
/// About twenty pages of text: enough for any post, small enough to render fast.
pub const BODY_MAX: usize = 50_000;

/// What one viewer may read.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Every practice (and the expert area) the viewer may enter, by id.
    pub practices: HashMap<i32, practice::Model>,
    visibilities: Vec<&'static str>,
    pub viewer: Option<user::Model>,
}

impl Scope {
    /// Visitors read public threads in the practices; members read every practice thread;
    /// experts and administrators also read the expert area.
    pub async fn for_viewer(
        db: &impl ConnectionTrait,
        viewer: Option<&user::Model>,
    ) -> Result<Scope, DbErr> {
        let viewer = viewer.filter(|u| !u.disabled).cloned();
        let (kinds, visibilities) = match &viewer {
            None => (vec![practice::KIND_PRACTICE], vec![thread::PUBLIC]),
            Some(u) if u.is_expert || u.is_admin => (
                vec![practice::KIND_PRACTICE, practice::KIND_EXPERT],
                vec![thread::PUBLIC, thread::MEMBERS, thread::EXPERTS],
            ),
            Some(_) => (
                vec![practice::KIND_PRACTICE],
                vec![thread::PUBLIC, thread::MEMBERS],
            ),
        };
        let practices = practice::Entity::find()
            .filter(practice::Column::Kind.is_in(kinds))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(Scope {
            practices,
            visibilities,
            viewer,
        })
    }

    fn condition(&self) -> Condition {
        Condition::all()
            .add(thread::Column::PracticeId.is_in(self.practices.keys().copied()))
            .add(thread::Column::Visibility.is_in(self.visibilities.iter().copied()))
    }

    /// The threads this viewer may read; add filters and order as needed.
    pub fn threads(&self) -> Select<thread::Entity> {
        thread::Entity::find().filter(self.condition())
    }

    /// One thread, if this viewer may read it.
    pub async fn thread(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<thread::Model>, DbErr> {
        self.threads()
            .filter(thread::Column::Id.eq(id))
            .one(db)
            .await
    }

    /// One post with its thread, if this viewer may read the thread.
    pub async fn post(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<(post::Model, thread::Model)>, DbErr> {
        let Some(post) = post::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        Ok(self.thread(db, post.thread_id).await?.map(|t| (post, t)))
    }

    pub fn practice(&self, id: i32) -> Option<&practice::Model> {
        self.practices.get(&id)
    }

    pub fn practice_by_slug(&self, slug: &str) -> Option<&practice::Model> {
        self.practices.values().find(|p| p.slug == slug)
    }
}

/// A person's standing in one practice, from one query.
#[derive(Clone, Debug, Default)]
pub struct Standing {
    pub membership: Option<membership::Model>,
    /// May start threads and reply (see [`may_post`]).
    pub may_post: bool,
    /// Facilitator of this practice, or administrator.
    pub may_moderate: bool,
}

pub async fn standing(
    db: &impl ConnectionTrait,
    person: Option<&user::Model>,
    practice: &practice::Model,
) -> Result<Standing, DbErr> {
    let Some(person) = person.filter(|p| !p.disabled) else {
        return Ok(Standing::default());
    };
    let membership = membership_of(db, person.id, practice.id).await?;
    let facilitator = membership
        .as_ref()
        .is_some_and(|m| m.role == membership::ROLE_FACILITATOR);
    // The expert area has no joining: every expert (and administrator) takes part.
    let participant = match practice.kind.as_str() {
        practice::KIND_EXPERT => person.is_expert || person.is_admin,
        _ => person.is_admin || membership.is_some(),
    };
    Ok(Standing {
        may_post: !practice.archived && participant,
        may_moderate: person.is_admin || facilitator,
        membership,
    })
}

/// The visibility rule for one person and one thread, as [`Scope`] applies it to queries:
/// used where we choose recipients (notifications) rather than query for a viewer.
pub fn readable_by(
    person: &user::Model,
    thread: &thread::Model,
    practice: &practice::Model,
) -> bool {
    if person.disabled || practice.id != thread.practice_id {
        return false;
    }
    let privileged = person.is_expert || person.is_admin;
    let kind_ok = practice.kind == practice::KIND_PRACTICE || privileged;
    let visibility_ok = match thread.visibility.as_str() {
        thread::PUBLIC | thread::MEMBERS => true,
        _ => privileged,
    };
    kind_ok && visibility_ok
}

/// Whether `person` may start threads and reply in `practice`: an active member who joined
/// it (facilitators have joined too), or an administrator; never in an archived practice.
pub async fn may_post(
    db: &impl ConnectionTrait,
    person: Option<&user::Model>,
    practice: &practice::Model,
) -> Result<bool, DbErr> {
    Ok(standing(db, person, practice).await?.may_post)
}

pub async fn membership_of(
    db: &impl ConnectionTrait,
    user_id: i32,
    practice_id: i32,
) -> Result<Option<membership::Model>, DbErr> {
    membership::Entity::find_by_id((user_id, practice_id))
        .one(db)
        .await
}

/// The people behind a set of ids, in one query.
pub async fn people(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, user::Model>, DbErr> {
    let mut ids: Vec<i32> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// The page of a thread on which the post at `position` appears.
pub fn page_of(position: i32) -> u64 {
    u64::try_from(position.max(1) - 1).unwrap_or(0) / POSTS_PER_PAGE + 1
}
