//! Places at a meeting: the one module that gives and frees them, so the count on the
//! meeting (`registered`) and the statuses of its registrations always agree, under any
//! number of people registering and cancelling at once, on any number of instances.
//!
//! A place is taken by one conditional UPDATE (`registered < capacity`): the database lets
//! exactly as many through as there are places. Whoever finds no place joins the waiting
//! list, ordered by registration id. A freed place goes to the first on the list, who is
//! moved up by another conditional UPDATE (`status = 'waiting'`), so two cancellations at
//! once never move up the same person twice.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};

use crate::entities::{
    meeting,
    registration::{self, Status},
};

/// Holds the meeting for the rest of the transaction: the first statement of every
/// transaction that gives or frees places. It is a write, so SQLite takes its write lock
/// at once (waiting its busy timeout for others) instead of failing to upgrade a read
/// later; PostgreSQL locks the meeting's row, so registrations for one meeting go one at a
/// time while other meetings are untouched.
pub async fn hold(db: &impl ConnectionTrait, meeting_id: i32) -> Result<(), DbErr> {
    meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Registered,
            Expr::col(meeting::Column::Registered),
        )
        .filter(meeting::Column::Id.eq(meeting_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Takes a free place if there is one: `true` when taken.
async fn take(db: &impl ConnectionTrait, meeting_id: i32) -> Result<bool, DbErr> {
    let taken = meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Registered,
            Expr::col(meeting::Column::Registered).add(1),
        )
        .filter(meeting::Column::Id.eq(meeting_id))
        .filter(
            Condition::any()
                .add(meeting::Column::Capacity.is_null())
                .add(
                    Expr::col(meeting::Column::Registered).lt(Expr::col(meeting::Column::Capacity)),
                ),
        )
        .exec(db)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// Gives a place back.
async fn give_back(db: &impl ConnectionTrait, meeting_id: i32) -> Result<(), DbErr> {
    meeting::Entity::update_many()
        .col_expr(
            meeting::Column::Registered,
            Expr::col(meeting::Column::Registered).sub(1),
        )
        .filter(meeting::Column::Id.eq(meeting_id))
        .filter(meeting::Column::Registered.gt(0))
        .exec(db)
        .await?;
    Ok(())
}

/// Sets a registration's status if it still has `from`: `true` when it changed.
async fn change_status(
    db: &impl ConnectionTrait,
    registration_id: i32,
    from: &[Status],
    to: Status,
) -> Result<bool, DbErr> {
    let changed = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::value(to))
        .col_expr(registration::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(registration::Column::Id.eq(registration_id))
        .filter(registration::Column::Status.is_in(from.iter().copied()))
        .exec(db)
        .await?;
    Ok(changed.rows_affected == 1)
}

/// Where a registration ended up, and who else moved up from the waiting list meanwhile
/// (to be told).
pub struct Placed {
    pub status: Status,
    pub moved_up: Vec<registration::Model>,
}

/// Places a registration that is pending or cancelled: a place if one is free, else the
/// waiting list. A registration already placed stays as it is.
pub async fn place(
    db: &impl ConnectionTrait,
    registration: &registration::Model,
) -> Result<Placed, DbErr> {
    let mut placed = Placed {
        status: registration.status,
        moved_up: Vec::new(),
    };
    if matches!(registration.status, Status::Registered | Status::Waiting) {
        return Ok(placed);
    }
    let from = [Status::Pending, Status::Cancelled];
    // Someone already waiting keeps their turn: a newcomer does not pass them.
    let queue = first_waiting(db, registration.meeting_id).await?.is_some();
    if !queue && take(db, registration.meeting_id).await? {
        if change_status(db, registration.id, &from, Status::Registered).await? {
            placed.status = Status::Registered;
            return Ok(placed);
        }
        // Placed at the same moment by another request: the place goes back.
        give_back(db, registration.meeting_id).await?;
    } else if change_status(db, registration.id, &from, Status::Waiting).await? {
        // A place may have come free between the two steps: the list moves on.
        let moved = fill(db, registration.meeting_id).await?;
        placed.status = if moved.iter().any(|r| r.id == registration.id) {
            Status::Registered
        } else {
            Status::Waiting
        };
        placed.moved_up = moved
            .into_iter()
            .filter(|r| r.id != registration.id)
            .collect();
        return Ok(placed);
    }
    placed.status = registration::Entity::find_by_id(registration.id)
        .one(db)
        .await?
        .map_or(Status::Cancelled, |r| r.status);
    Ok(placed)
}

/// Cancels a registration, freeing its place for the waiting list. Returns the
/// registrations moved up (to be told), empty when nothing moved.
pub async fn cancel(
    db: &impl ConnectionTrait,
    registration: &registration::Model,
) -> Result<Vec<registration::Model>, DbErr> {
    let held_place = change_status(
        db,
        registration.id,
        &[Status::Registered],
        Status::Cancelled,
    )
    .await?;
    if held_place {
        give_back(db, registration.meeting_id).await?;
        return fill(db, registration.meeting_id).await;
    }
    change_status(
        db,
        registration.id,
        &[Status::Waiting, Status::Pending],
        Status::Cancelled,
    )
    .await?;
    Ok(Vec::new())
}

async fn first_waiting(
    db: &impl ConnectionTrait,
    meeting_id: i32,
) -> Result<Option<registration::Model>, DbErr> {
    registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting_id))
        .filter(registration::Column::Status.eq(Status::Waiting))
        .order_by_asc(registration::Column::Id)
        .one(db)
        .await
}

/// Moves people up from the waiting list while there are free places (after a
/// cancellation, or when the capacity was raised). Returns those moved up.
pub async fn fill(
    db: &impl ConnectionTrait,
    meeting_id: i32,
) -> Result<Vec<registration::Model>, DbErr> {
    let mut moved = Vec::new();
    while let Some(next) = first_waiting(db, meeting_id).await? {
        if !take(db, meeting_id).await? {
            break;
        }
        if change_status(db, next.id, &[Status::Waiting], Status::Registered).await? {
            moved.push(registration::Model {
                status: Status::Registered,
                ..next
            });
        } else {
            // Someone else moved them up (or they cancelled) in the meantime.
            give_back(db, meeting_id).await?;
        }
    }
    Ok(moved)
}
