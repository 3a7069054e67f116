//! What a member has not read yet. A post is unread when it came after the member's
//! `read_from` (the day they were approved, or their last "alles gelezen"), lies beyond how
//! far they read in its thread (`read_positions`), is not their own, and is a post they may
//! read (a hidden post is not counted for those who cannot see it). Each question here is
//! one statement, however many threads it is about.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select,
    sea_query::{Expr, ExprTrait, Func, OnConflict, Query, SelectStatement},
};

use crate::{
    entities::{post, read_position, thread, user, watch},
    visibility::Reader,
};

/// The member's position in the thread of the post being looked at (0 when none).
fn read_position_here(user_id: i32) -> SelectStatement {
    Query::select()
        .column((read_position::Entity, read_position::Column::Position))
        .from(read_position::Entity)
        .and_where(read_position::Column::UserId.eq(user_id))
        .and_where(
            Expr::col((read_position::Entity, read_position::Column::ThreadId))
                .equals((post::Entity, post::Column::ThreadId)),
        )
        .to_owned()
}

/// The posts this member has not read yet, anywhere.
fn unread_posts(person: &user::Model) -> Select<post::Entity> {
    Reader::of(Some(person))
        .posts()
        .filter(post::Column::CreatedAt.gt(person.read_from))
        .filter(post::Column::AuthorId.ne(person.id))
        .filter(
            Expr::col((post::Entity, post::Column::Position)).gt(Func::coalesce([
                Expr::SubQuery(None, Box::new(read_position_here(person.id).into())),
                Expr::val(0),
            ])),
        )
}

/// Unread posts per thread, for these threads.
pub async fn per_thread(
    db: &impl ConnectionTrait,
    person: &user::Model,
    thread_ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, i64>, DbErr> {
    let ids: Vec<i32> = thread_ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(unread_posts(person)
        .filter(post::Column::ThreadId.is_in(ids))
        .select_only()
        .column(post::Column::ThreadId)
        .column_as(post::Column::Id.count(), "n")
        .group_by(post::Column::ThreadId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The first unread post's position in a thread, if any.
pub async fn first_in(
    db: &impl ConnectionTrait,
    person: &user::Model,
    thread_id: i32,
) -> Result<Option<i32>, DbErr> {
    unread_posts(person)
        .filter(post::Column::ThreadId.eq(thread_id))
        .select_only()
        .column(post::Column::Position)
        .order_by_asc(post::Column::Position)
        .limit(1)
        .into_tuple::<i32>()
        .one(db)
        .await
}

/// The threads with something unread, as a condition on `threads`.
fn has_unread(person: &user::Model) -> sea_orm::Condition {
    // A correlated EXISTS: each thread with activity since `read_from` is probed through the
    // posts' (thread, position) index and stops at its first unread post, instead of reading
    // every post written since `read_from` (which, for a member approved long ago, is all).
    sea_orm::Condition::all()
        .add(thread::Column::LastPostAt.gt(person.read_from))
        .add(Expr::exists(
            unread_posts(person)
                .select_only()
                .expr(Expr::val(1))
                .filter(
                    Expr::col((post::Entity, post::Column::ThreadId))
                        .equals((thread::Entity, thread::Column::Id)),
                )
                .limit(1)
                .into_query(),
        ))
}

/// The threads (that this member may read) with unread posts, per practice.
pub async fn threads_per_practice(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<HashMap<i32, i64>, DbErr> {
    Ok(Reader::of(Some(person))
        .threads()
        .filter(has_unread(person))
        .select_only()
        .column(thread::Column::PracticeId)
        .column_as(thread::Column::Id.count(), "n")
        .group_by(thread::Column::PracticeId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The threads with unread posts in the member's practices and the threads they follow
/// (not the ones they muted), newest first.
pub fn threads_for(person: &user::Model, practice_ids: &[i32]) -> Select<thread::Entity> {
    let watches = |muted: bool| {
        Query::select()
            .column(watch::Column::ThreadId)
            .from(watch::Entity)
            .and_where(watch::Column::UserId.eq(person.id))
            .and_where(watch::Column::Muted.eq(muted))
            .to_owned()
    };
    Reader::of(Some(person))
        .threads()
        .filter(
            sea_orm::Condition::any()
                .add(thread::Column::PracticeId.is_in(practice_ids.iter().copied()))
                .add(thread::Column::Id.in_subquery(watches(false))),
        )
        .filter(thread::Column::Id.not_in_subquery(watches(true)))
        .filter(has_unread(person))
        .order_by_desc(thread::Column::LastPostAt)
        .order_by_desc(thread::Column::Id)
}

/// "Alles gelezen" in one practice: every thread there read to its last post.
pub async fn mark_practice_read(
    db: &impl ConnectionTrait,
    user_id: i32,
    practice_id: i32,
) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert
        .into_table(read_position::Entity)
        .columns([
            read_position::Column::UserId,
            read_position::Column::ThreadId,
            read_position::Column::Position,
        ])
        .select_from(
            Query::select()
                .expr(Expr::val(user_id))
                .column(thread::Column::Id)
                .column(thread::Column::PostCount)
                .from(thread::Entity)
                .and_where(thread::Column::PracticeId.eq(practice_id))
                .to_owned(),
        )
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns([
                read_position::Column::UserId,
                read_position::Column::ThreadId,
            ])
            .update_column(read_position::Column::Position)
            .to_owned(),
        );
    db.execute(&insert).await?;
    Ok(())
}

/// "Alles gelezen" everywhere: everything written until now counts as read.
pub async fn mark_everything_read(db: &impl ConnectionTrait, user_id: i32) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::ReadFrom, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
