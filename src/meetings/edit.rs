//! Planning a meeting, changing it, cancelling it, and writing its report afterwards.
//!
//! A practice's facilitators (and administrators) plan its meetings; administrators plan
//! the whole community's. A meeting's organisers may change and cancel it. Every change
//! raises the calendar SEQUENCE; one that moves the time or the place, or changes the link,
//! is mailed to everyone registered or waiting.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionTrait,
};
use serde::Deserialize;

use super::{local, mails, places, state_now, views};
use crate::{
    AppState,
    context::Ctx,
    csrf::{CsrfForm, NoFields},
    entities::{
        meeting::{self, Kind, MeetingState},
        meeting_organiser, practice,
        thread::Visibility,
        user,
    },
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    forum::{BODY_MAX, Scope, TITLE_MAX, bodies, threads},
    layout,
    tokens::random_secret,
};

const PLACE_MAX: usize = 300;
const AGENDA_MAX: usize = 20_000;
const LINK_MAX: usize = 500;
const CAPACITY_MAX: i32 = 10_000;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    pub title: String,
    pub kind: String,
    pub visibility: String,
    pub public_ok: Option<String>,
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub place: String,
    pub room: String,
    pub accessibility: String,
    pub online_link: String,
    pub agenda: String,
    pub capacity: String,
    pub deadline: String,
    pub organisers: String,
}

/// A form that passed: what to store.
struct Valid {
    kind: Kind,
    visibility: Visibility,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: Option<i32>,
    deadline: Option<DateTime<Utc>>,
    organisers: Vec<user::Model>,
}

impl MeetingForm {
    fn of(meeting: &meeting::Model, organisers: &[user::Model]) -> MeetingForm {
        MeetingForm {
            title: meeting.title.clone(),
            kind: meeting.kind.as_str().into(),
            visibility: meeting.visibility.as_str().into(),
            public_ok: (meeting.visibility == Visibility::Public).then(|| "1".into()),
            date: local(meeting.starts_at).format("%Y-%m-%d").to_string(),
            starts: local(meeting.starts_at).format("%H:%M").to_string(),
            ends: local(meeting.ends_at).format("%H:%M").to_string(),
            place: meeting.place.clone(),
            room: meeting.room.clone(),
            accessibility: meeting.accessibility.clone(),
            online_link: meeting.online_link.clone(),
            agenda: meeting.agenda.clone(),
            capacity: meeting.capacity.map(|c| c.to_string()).unwrap_or_default(),
            deadline: meeting
                .deadline
                .map(|d| local(d).format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            organisers: organisers
                .iter()
                .filter_map(|u| u.handle.as_ref().map(|h| format!("@{h}")))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// `current`: the meeting being changed (`None` for a new one).
    async fn validate(
        &self,
        db: &impl sea_orm::ConnectionTrait,
        practice: Option<&practice::Model>,
        current: Option<&meeting::Model>,
    ) -> Result<(FieldErrors, Option<Valid>), sea_orm::DbErr> {
        let new = current.is_none();
        let mut errors = FieldErrors::default();
        errors.text("title", &self.title, TITLE_MAX);
        let kind = Kind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "form.choose");
        }
        let visibility = match practice.map(|p| p.kind) {
            Some(practice::Kind::Expert) => Some(Visibility::Experts),
            _ => errors.visibility("visibility", &self.visibility, self.public_ok.is_some()),
        };
        // A meeting is planned within five years, and changed within a year of when it was.
        let today = local(Utc::now()).date_naive();
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| {
                (today - chrono::Days::new(366)..=today + chrono::Days::new(5 * 366)).contains(d)
            });
        if date.is_none() {
            errors.add("date", "meetings.date_invalid");
        }
        let time = |value: &str| NaiveTime::parse_from_str(value.trim(), "%H:%M").ok();
        let (starts, ends) = (time(&self.starts), time(&self.ends));
        if starts.is_none() {
            errors.add("starts", "meetings.time_invalid");
        }
        if ends.is_none() {
            errors.add("ends", "meetings.time_invalid");
        }
        let mut starts_at = None;
        let mut ends_at = None;
        if let (Some(date), Some(starts), Some(ends)) = (date, starts, ends) {
            starts_at = super::from_local(date, starts);
            ends_at = super::from_local(date, ends);
            if starts_at.is_none() {
                errors.add("starts", "meetings.time_skipped");
            }
            if ends_at.is_none() {
                errors.add("ends", "meetings.time_skipped");
            }
            if let (Some(s), Some(e)) = (starts_at, ends_at) {
                if e <= s {
                    errors.add("ends", "meetings.ends_before_start");
                }
                if new && s <= Utc::now() {
                    errors.add("date", "meetings.in_past");
                }
            }
        }
        for (field, value) in [
            ("place", &self.place),
            ("room", &self.room),
            ("accessibility", &self.accessibility),
        ] {
            if value.trim().chars().count() > PLACE_MAX {
                errors.add(field, "form.too_long");
            }
        }
        let link = self.online_link.trim();
        if !link.is_empty() {
            let ok = link.len() <= LINK_MAX
                && url::Url::parse(link)
                    .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
            if !ok {
                errors.add("online_link", "meetings.link_invalid");
            }
        }
        if self.place.trim().is_empty() && link.is_empty() {
            errors.add("place", "meetings.place_or_link");
        }
        if !self.agenda.trim().is_empty() {
            errors.markdown("agenda", &self.agenda, AGENDA_MAX);
        }
        let capacity = match self.capacity.trim() {
            "" => None,
            value => match value.parse::<i32>() {
                Ok(n) if (1..=CAPACITY_MAX).contains(&n) => Some(n),
                _ => {
                    errors.add("capacity", "meetings.capacity_invalid");
                    None
                }
            },
        };
        let deadline = match self.deadline.trim() {
            "" => None,
            value => match NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(23, 59, 0))
                .and_then(|end| super::from_local(end.date(), end.time()))
            {
                Some(d) => {
                    if date.is_some_and(|start| local(d).date_naive() > start) {
                        errors.add("deadline", "meetings.deadline_after");
                    }
                    // Registration closes at the end of that day, or at the start.
                    Some(starts_at.map_or(d, |s| d.min(s)))
                }
                None => {
                    errors.add("deadline", "meetings.date_invalid");
                    None
                }
            },
        };
        if let (Some(cap), Some(m)) = (capacity, current)
            && cap < m.registered
        {
            errors.add("capacity", "meetings.capacity_below_registered");
        }
        // Visitors who registered for a public meeting would be left out of a narrower one.
        if let (Some(v), Some(m)) = (visibility, current)
            && m.visibility == Visibility::Public
            && v != Visibility::Public
            && visitors_registered(db, m.id).await?
        {
            errors.add("visibility", "meetings.visitors_registered");
        }
        let organisers = organisers_named(db, &self.organisers, &mut errors).await?;
        let valid = match (kind, visibility, starts_at, ends_at) {
            (Some(kind), Some(visibility), Some(starts_at), Some(ends_at)) if errors.is_empty() => {
                Some(Valid {
                    kind,
                    visibility,
                    starts_at,
                    ends_at,
                    capacity,
                    deadline,
                    organisers,
                })
            }
            _ => None,
        };
        Ok((errors, valid))
    }
}

/// Whether visitors (not members) hold or wait for a place.
async fn visitors_registered(
    db: &impl sea_orm::ConnectionTrait,
    meeting_id: i32,
) -> Result<bool, sea_orm::DbErr> {
    use crate::entities::registration::{self, Status};
    use sea_orm::PaginatorTrait;
    Ok(registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting_id))
        .filter(registration::Column::UserId.is_null())
        .filter(registration::Column::Status.is_in([
            Status::Registered,
            Status::Waiting,
            Status::Pending,
        ]))
        .count(db)
        .await?
        > 0)
}

/// The members named in the organisers field (`@handle`, comma or space apart).
async fn organisers_named(
    db: &impl sea_orm::ConnectionTrait,
    text: &str,
    errors: &mut FieldErrors,
) -> Result<Vec<user::Model>, sea_orm::DbErr> {
    let handles: Vec<String> = text
        .split([',', ' ', ';', '\n'])
        .map(|h| h.trim().trim_start_matches('@').to_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    if handles.len() > 20 {
        errors.add("organisers", "form.too_long");
        return Ok(Vec::new());
    }
    let people = user::Entity::find()
        .filter(user::Column::Handle.is_in(handles.iter().cloned()))
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .all(db)
        .await?;
    if handles.iter().any(|h| {
        !people
            .iter()
            .any(|p| p.handle.as_deref() == Some(h.as_str()))
    }) {
        errors.add("organisers", "meetings.unknown_organiser");
    }
    Ok(people)
}

fn form_view(
    ctx: &Ctx,
    title: &str,
    action: &str,
    practice: Option<&practice::Model>,
    form: &MeetingForm,
    errors: &FieldErrors,
) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            p.breadcrumb { (views::belongs_to(ctx, practice)) }
            h1 { (title) }
            (forms::form(ctx, action, errors, &ctx.t("meetings.save"), html! {
                (forms::input(ctx, Field::new("title", &form.title).max_length(TITLE_MAX), errors))
                div.field.has-error[errors.get("kind").is_some()] {
                    label for="kind" { (ctx.t("field.kind")) }
                    @if let Some(key) = errors.get("kind") { p.field-error id="kind-error" { (ctx.t(key)) } }
                    select #kind name="kind" {
                        @for k in Kind::ALL {
                            option value=(k.as_str()) selected[form.kind == k.as_str()] { (views::kind_label(ctx, k)) }
                        }
                    }
                }
                @if practice.is_none_or(|p| p.kind == practice::Kind::Practice) {
                    (forms::visibility_field(ctx, "visibility", "meetings.who_sees", &form.visibility, form.public_ok.is_some(), errors))
                }
                (forms::input(ctx, Field::new("date", &form.date).kind("date").hint("meetings.time_hint"), errors))
                (forms::input(ctx, Field::new("starts", &form.starts).kind("time"), errors))
                (forms::input(ctx, Field::new("ends", &form.ends).kind("time"), errors))
                (forms::input(ctx, Field::new("place", &form.place).autocomplete("street-address").hint("meetings.place_hint").optional().max_length(PLACE_MAX), errors))
                (forms::input(ctx, Field::new("room", &form.room).optional().max_length(PLACE_MAX), errors))
                (forms::input(ctx, Field::new("accessibility", &form.accessibility).hint("meetings.accessibility_hint").optional().max_length(PLACE_MAX), errors))
                (forms::input(ctx, Field::new("online_link", &form.online_link).kind("url").hint("meetings.link_hint").optional().max_length(LINK_MAX), errors))
                (forms::textarea(ctx, Field::new("agenda", &form.agenda).hint("meetings.agenda_hint").optional(), errors))
                (forms::input(ctx, Field::new("capacity", &form.capacity).kind("number").hint("meetings.capacity_hint").optional(), errors))
                (forms::input(ctx, Field::new("deadline", &form.deadline).kind("date").hint("meetings.deadline_hint").optional(), errors))
                (forms::input(ctx, Field::new("organisers", &form.organisers).hint("meetings.organisers_hint").optional(), errors))
            }))
        },
    )
}

/// The practice (or area) of `slug`, if this person may plan its meetings.
async fn plannable(
    state: &AppState,
    ctx: &Ctx,
    slug: Option<&str>,
) -> AppResult<(Scope, Option<practice::Model>)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let practice = match slug {
        Some(slug) => Some(
            scope
                .practice_by_slug(slug)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    if !scope.may_plan_meeting(practice.as_ref()) {
        return Err(AppError::Forbidden);
    }
    Ok((scope, practice))
}

fn new_action(practice: Option<&practice::Model>) -> String {
    match practice {
        Some(p) => format!("/praktijken/{}/bijeenkomsten/nieuw", p.slug),
        None => "/bijeenkomsten/nieuw".into(),
    }
}

async fn show_new(state: AppState, ctx: Ctx, slug: Option<String>) -> AppResult<Markup> {
    let (_, practice) = plannable(&state, &ctx, slug.as_deref()).await?;
    let person = ctx.require_user()?;
    let form = MeetingForm {
        kind: Kind::Knowledge.as_str().into(),
        visibility: practice
            .as_ref()
            .map_or(Visibility::Members, |p| p.default_visibility)
            .as_str()
            .into(),
        organisers: person
            .handle
            .as_ref()
            .map(|h| format!("@{h}"))
            .unwrap_or_default(),
        ..Default::default()
    };
    Ok(form_view(
        &ctx,
        &ctx.t("meetings.plan"),
        &new_action(practice.as_ref()),
        practice.as_ref(),
        &form,
        &FieldErrors::default(),
    ))
}

pub async fn new_in_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Markup> {
    show_new(state, ctx, Some(slug)).await
}

pub async fn new_for_community(State(state): State<AppState>, ctx: Ctx) -> AppResult<Markup> {
    show_new(state, ctx, None).await
}

async fn create(
    state: AppState,
    ctx: Ctx,
    slug: Option<String>,
    form: MeetingForm,
) -> AppResult<Response> {
    let (_, practice) = plannable(&state, &ctx, slug.as_deref()).await?;
    let person = ctx.require_user()?;
    let (errors, valid) = form.validate(&state.db, practice.as_ref(), None).await?;
    let Some(valid) = valid else {
        return Ok(forms::unprocessable(form_view(
            &ctx,
            &ctx.t("meetings.plan"),
            &new_action(practice.as_ref()),
            practice.as_ref(),
            &form,
            &errors,
        )));
    };
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let meeting = meeting::ActiveModel {
        uid: Set(format!("bijeenkomst-{}", &random_secret()[..24])),
        practice_id: Set(practice.as_ref().map(|p| p.id)),
        state: Set(MeetingState::Planned),
        registered: Set(0),
        sequence: Set(0),
        report_thread_id: Set(None),
        created_by: Set(person.id),
        created_at: Set(now),
        ..fields(&form, &valid, now)
    }
    .insert(&txn)
    .await?;
    set_organisers(&txn, meeting.id, person.id, &valid.organisers).await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/bijeenkomsten/{}", meeting.id)).into_response())
}

/// The form's fields on a meeting (everything a change may touch).
fn fields(form: &MeetingForm, valid: &Valid, now: DateTime<Utc>) -> meeting::ActiveModel {
    meeting::ActiveModel {
        kind: Set(valid.kind),
        visibility: Set(valid.visibility),
        title: Set(super::one_line(&form.title)),
        starts_at: Set(valid.starts_at),
        ends_at: Set(valid.ends_at),
        place: Set(super::one_line(&form.place)),
        room: Set(super::one_line(&form.room)),
        accessibility: Set(super::one_line(&form.accessibility)),
        online_link: Set(super::one_line(&form.online_link)),
        agenda: Set(form.agenda.trim().to_owned()),
        capacity: Set(valid.capacity),
        deadline: Set(valid.deadline),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn set_organisers(
    db: &impl sea_orm::ConnectionTrait,
    meeting_id: i32,
    creator: i32,
    named: &[user::Model],
) -> Result<(), sea_orm::DbErr> {
    meeting_organiser::Entity::delete_many()
        .filter(meeting_organiser::Column::MeetingId.eq(meeting_id))
        .exec(db)
        .await?;
    let mut ids: Vec<i32> = named.iter().map(|u| u.id).collect();
    if ids.is_empty() {
        ids.push(creator);
    }
    ids.sort_unstable();
    ids.dedup();
    meeting_organiser::Entity::insert_many(ids.into_iter().map(|user_id| {
        meeting_organiser::ActiveModel {
            meeting_id: Set(meeting_id),
            user_id: Set(user_id),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

pub async fn create_in_practice(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> AppResult<Response> {
    create(state, ctx, Some(slug), form).await
}

pub async fn create_for_community(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> AppResult<Response> {
    create(state, ctx, None, form).await
}

/// A meeting this person may change, with its practice.
async fn changeable(
    state: &AppState,
    ctx: &Ctx,
    id: i32,
) -> AppResult<(meeting::Model, Option<practice::Model>)> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let meeting = super::visible(&state.db, scope.reader(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser = super::is_organiser(&state.db, meeting.id, person.id).await?;
    if !scope.organises(&meeting, organiser) {
        return Err(AppError::Forbidden);
    }
    let practice = meeting
        .practice_id
        .and_then(|id| scope.practice(id))
        .cloned();
    Ok((meeting, practice))
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (meeting, practice) = changeable(&state, &ctx, id).await?;
    let organisers = super::organisers(&state.db, [meeting.id])
        .await?
        .remove(&meeting.id)
        .unwrap_or_default();
    let form = MeetingForm::of(&meeting, &organisers);
    Ok(form_view(
        &ctx,
        &ctx.t("meetings.edit"),
        &format!("/bijeenkomsten/{id}/bewerken"),
        practice.as_ref(),
        &form,
        &FieldErrors::default(),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> AppResult<Response> {
    let (meeting, practice) = changeable(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    if state_now(&meeting, Utc::now()) != MeetingState::Planned {
        return Err(AppError::Forbidden);
    }
    let (errors, valid) = form
        .validate(&state.db, practice.as_ref(), Some(&meeting))
        .await?;
    let Some(valid) = valid else {
        return Ok(forms::unprocessable(form_view(
            &ctx,
            &ctx.t("meetings.edit"),
            &format!("/bijeenkomsten/{id}/bewerken"),
            practice.as_ref(),
            &form,
            &errors,
        )));
    };
    let told = valid.starts_at != meeting.starts_at
        || valid.ends_at != meeting.ends_at
        || super::one_line(&form.place) != meeting.place
        || super::one_line(&form.room) != meeting.room
        || super::one_line(&form.online_link) != meeting.online_link
        || super::one_line(&form.title) != meeting.title;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    places::hold(&txn, meeting.id).await?;
    let mut active = fields(&form, &valid, now);
    active.id = sea_orm::ActiveValue::Unchanged(meeting.id);
    active.sequence = Set(meeting.sequence + 1);
    let updated = active.update(&txn).await?;
    set_organisers(&txn, meeting.id, person.id, &valid.organisers).await?;
    // More places: the waiting list moves up.
    let moved = places::fill(&txn, meeting.id).await?;
    mails::moved_up(&state, &txn, &updated, &moved).await?;
    if told {
        mails::changed(&state, &txn, &updated).await?;
    }
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/bijeenkomsten/{id}")).into_response())
}

/// Asks before cancelling: everyone registered will be told.
pub async fn cancel_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (meeting, _) = changeable(&state, &ctx, id).await?;
    let title = ctx.t("meetings.cancel_meeting");
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/bijeenkomsten/" (meeting.id) } { (meeting.title) } }
            h1 { (title) }
            p.lead { (ctx.lang.plural("meetings.cancel_tells", i64::from(meeting.registered))) }
            form method="post" action={ "/bijeenkomsten/" (meeting.id) "/annuleren" } {
                (layout::csrf_field(&ctx))
                button.danger type="submit" { (ctx.t("meetings.cancel_confirm")) }
            }
        },
    ))
}

pub async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> AppResult<Response> {
    let (meeting, _) = changeable(&state, &ctx, id).await?;
    let txn = state.db.begin().await?;
    places::hold(&txn, meeting.id).await?;
    // As it is now, under the hold: a meeting that took place is not cancelled afterwards.
    if let Some(meeting) = meeting::Entity::find_by_id(meeting.id)
        .one(&txn)
        .await?
        .filter(|m| state_now(m, Utc::now()) == MeetingState::Planned)
    {
        let mut active = meeting.clone().into_active_model();
        active.state = Set(MeetingState::Cancelled);
        active.sequence = Set(meeting.sequence + 1);
        active.updated_at = Set(Utc::now());
        let cancelled = active.update(&txn).await?;
        mails::cancelled(&state, &txn, &cancelled).await?;
    }
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/bijeenkomsten/{id}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub title: String,
    pub body: String,
    pub practice: String,
}

/// Where a report may go: the meeting's own practice, or (for a community meeting) a
/// practice the writer takes part in.
fn report_places(scope: &Scope, meeting: &meeting::Model) -> Vec<practice::Model> {
    let mut places: Vec<practice::Model> = match meeting.practice_id {
        Some(id) => scope.practice(id).cloned().into_iter().collect(),
        None => scope
            .practices()
            .filter(|p| p.kind == practice::Kind::Practice && scope.standing(p).may_post)
            .cloned()
            .collect(),
    };
    places.sort_by_key(|p| (p.position, p.id));
    places
}

fn report_view(
    ctx: &Ctx,
    meeting: &meeting::Model,
    places: &[practice::Model],
    form: &ReportForm,
    errors: &FieldErrors,
) -> Markup {
    let title = ctx.t("meetings.write_report");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/bijeenkomsten/" (meeting.id) } { (meeting.title) } }
            h1 { (title) }
            p.lead { (ctx.t("meetings.report_intro")) }
            (forms::form(ctx, &format!("/bijeenkomsten/{}/verslag", meeting.id), errors, &ctx.t("meetings.publish_report"), html! {
                @if places.len() > 1 {
                    div.field {
                        label for="practice" { (ctx.t("field.practice")) }
                        select #practice name="practice" {
                            @for p in places {
                                option value=(p.slug) selected[form.practice == p.slug] { (p.name(ctx.lang)) }
                            }
                        }
                    }
                }
                (forms::input(ctx, Field::new("title", &form.title).max_length(TITLE_MAX), errors))
                (forms::textarea(ctx, Field::new("body", &form.body).hint("meetings.report_hint"), errors))
            }))
        },
    )
}

/// The report may be written once the meeting has ended, and only once.
async fn reportable(state: &AppState, ctx: &Ctx, id: i32) -> AppResult<(meeting::Model, Scope)> {
    let (meeting, _) = changeable(state, ctx, id).await?;
    if state_now(&meeting, Utc::now()) != MeetingState::Held || meeting.report_thread_id.is_some() {
        return Err(AppError::Forbidden);
    }
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    Ok((meeting, scope))
}

pub async fn report_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let (meeting, scope) = reportable(&state, &ctx, id).await?;
    let form = ReportForm {
        title: rust_i18n::t!(
            "meetings.report_title",
            locale = ctx.lang.code(),
            title = meeting.title.as_str()
        )
        .into_owned(),
        ..Default::default()
    };
    Ok(report_view(
        &ctx,
        &meeting,
        &report_places(&scope, &meeting),
        &form,
        &FieldErrors::default(),
    ))
}

pub async fn write_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<ReportForm>,
) -> AppResult<Response> {
    let (meeting, scope) = reportable(&state, &ctx, id).await?;
    let person = ctx.require_user()?;
    let places = report_places(&scope, &meeting);
    let mut errors = FieldErrors::default();
    errors.text("title", &form.title, TITLE_MAX);
    errors.markdown("body", &form.body, BODY_MAX);
    let practice = places
        .iter()
        .find(|p| places.len() == 1 || p.slug == form.practice)
        .cloned();
    if practice.is_none() {
        errors.add("practice", "form.choose");
    }
    let Some(practice) = practice.filter(|_| errors.is_empty()) else {
        return Ok(forms::unprocessable(report_view(
            &ctx, &meeting, &places, &form, &errors,
        )));
    };
    // Like every new text, the report starts members-only (the expert group's own in its
    // area); its author may make it public on the thread, as any thread.
    let visibility = match practice.kind {
        practice::Kind::Expert => Visibility::Experts,
        practice::Kind::Practice => Visibility::Members,
    };
    let body = bodies::Body::render(&form.body).await;
    let txn = state.db.begin().await?;
    let started = threads::start(
        &txn,
        &practice,
        person.id,
        form.title.trim(),
        visibility,
        body,
        &[],
    )
    .await?;
    let mut active = meeting.into_active_model();
    active.report_thread_id = Set(Some(started.thread.id));
    active.state = Set(MeetingState::Held);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    txn.commit().await?;
    state.wake_mail.notify_one();
    Ok(Redirect::to(&format!("/onderwerpen/{}", started.thread.id)).into_response())
}

/// The meeting a thread reports on, if any (for the thread's page: linked both ways).
pub async fn reported_by(
    db: &impl sea_orm::ConnectionTrait,
    thread_id: i32,
) -> Result<Option<meeting::Model>, sea_orm::DbErr> {
    meeting::Entity::find()
        .filter(meeting::Column::ReportThreadId.eq(thread_id))
        .one(db)
        .await
}
