//! Who's who: the member directory (members only), what each member shows in it, and
//! Rotterdam's districts. Organisations have their own module (`organisations`).
//!
//! A member decides what the directory shows of them: their organisations and districts
//! (shown unless they say no), their phone number and email address (hidden unless they say
//! yes). A choice to hide also hides them from the filter on it: nobody is found by a
//! district they did not want shown.

pub mod views;

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use maud::Markup;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait, Func, Query as SqlQuery},
};
use serde::Deserialize;

use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{
        expertise_tag, membership, organisation, practice, user, user_expertise, user_organisation,
    },
    error::{AppError, AppResult},
    forms::{self, FieldErrors},
};

/// Rotterdam's districts (gebieden), as the city names them.
pub const DISTRICTS: [(&str, &str); 14] = [
    ("centrum", "Centrum"),
    ("charlois", "Charlois"),
    ("delfshaven", "Delfshaven"),
    ("feijenoord", "Feijenoord"),
    ("hillegersberg-schiebroek", "Hillegersberg-Schiebroek"),
    ("hoek-van-holland", "Hoek van Holland"),
    ("hoogvliet", "Hoogvliet"),
    ("ijsselmonde", "IJsselmonde"),
    ("kralingen-crooswijk", "Kralingen-Crooswijk"),
    ("noord", "Noord"),
    ("overschie", "Overschie"),
    ("pernis", "Pernis"),
    ("prins-alexander", "Prins Alexander"),
    ("rozenburg", "Rozenburg"),
];

/// How many organisations a member may name.
pub const ORGANISATIONS_MAX: usize = 2;
const PER_PAGE: u64 = 30;
const PHONE_MAX: usize = 30;

/// A slug as it can be: lower-case letters, digits and hyphens, at most 80 (anything else
/// in a filter or address names nothing, and never reaches the database).
pub fn plausible_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 80
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn district_name(slug: &str) -> Option<&'static str> {
    DISTRICTS.iter().find(|(s, _)| *s == slug).map(|(_, n)| *n)
}

/// Districts as stored: known slugs only, in the city's order, between commas
/// (`,charlois,noord,`) so one can be found with `LIKE '%,noord,%'`.
pub fn store_districts<'a>(chosen: impl IntoIterator<Item = &'a str>) -> String {
    let chosen: Vec<&str> = chosen.into_iter().collect();
    let known: Vec<&str> = DISTRICTS
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| chosen.contains(s))
        .collect();
    if known.is_empty() {
        String::new()
    } else {
        format!(",{},", known.join(","))
    }
}

/// The district slugs of a stored list.
pub fn districts_of(stored: &str) -> Vec<&str> {
    stored
        .split(',')
        .filter(|s| district_name(s).is_some())
        .collect()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filters {
    pub q: String,
    pub praktijk: String,
    pub organisatie: String,
    pub wijk: String,
    pub expertise: String,
    pub pagina: Option<u64>,
}

/// One member as the directory shows them: only what they chose to show.
pub struct Entry {
    pub person: user::Model,
    pub organisations: Vec<organisation::Model>,
    pub districts: Vec<&'static str>,
    pub expertise: Vec<expertise_tag::Model>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// What the filters offer.
pub struct Choices {
    pub practices: Vec<practice::Model>,
    pub organisations: Vec<organisation::Model>,
    pub tags: Vec<expertise_tag::Model>,
}

fn like_escaped(text: &str) -> String {
    like_escaped_as_typed(&text.to_lowercase())
}

fn like_escaped_as_typed(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The members matching every filter (each one narrows), as a condition on `users`.
async fn condition(db: &impl ConnectionTrait, f: &Filters) -> Result<Option<Condition>, DbErr> {
    // Members who have started (an invitation not yet taken up lists nobody).
    let mut cond = Condition::all()
        .add(user::Column::DeletedAt.is_null())
        .add(user::Column::Disabled.eq(false))
        .add(user::Column::PasswordHash.is_not_null());
    let q: String = f.q.chars().filter(|c| !c.is_control()).take(100).collect();
    let q = q.trim();
    if !q.is_empty() {
        // Lower-cased on both sides; SQLite's `lower()` folds ASCII only, so the name as
        // typed is tried too ("Özdemir" finds "Özdemir" there).
        cond = cond.add(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(user::Column::Name))).like(
                    sea_orm::sea_query::LikeExpr::new(like_escaped(&q.to_lowercase())).escape('\\'),
                ))
                .add(Expr::col(user::Column::Name).like(
                    sea_orm::sea_query::LikeExpr::new(like_escaped_as_typed(q)).escape('\\'),
                )),
        );
    }
    for slug in [&f.praktijk, &f.organisatie, &f.wijk, &f.expertise] {
        if !slug.is_empty() && !plausible_slug(slug) {
            return Ok(None);
        }
    }
    if !f.praktijk.is_empty() {
        let Some(p) = practice::Entity::find()
            .filter(practice::Column::Slug.eq(&f.praktijk))
            .filter(practice::Column::Kind.eq(practice::Kind::Practice))
            .filter(practice::Column::Archived.eq(false))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        cond = cond.add(
            user::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(membership::Column::UserId)
                    .from(membership::Entity)
                    .and_where(membership::Column::PracticeId.eq(p.id))
                    .to_owned(),
            ),
        );
    }
    if !f.organisatie.is_empty() {
        let Some(o) = organisation::Entity::find()
            .filter(organisation::Column::Slug.eq(&f.organisatie))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        cond = cond.add(user::Column::ShowOrganisation.eq(true)).add(
            user::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(user_organisation::Column::UserId)
                    .from(user_organisation::Entity)
                    .and_where(user_organisation::Column::OrganisationId.eq(o.id))
                    .to_owned(),
            ),
        );
    }
    if !f.wijk.is_empty() {
        if district_name(&f.wijk).is_none() {
            return Ok(None);
        }
        cond = cond
            .add(user::Column::ShowDistricts.eq(true))
            .add(user::Column::Districts.like(format!("%,{},%", f.wijk)));
    }
    if !f.expertise.is_empty() {
        let Some(tag) = expertise_tag::Entity::find()
            .filter(expertise_tag::Column::Slug.eq(&f.expertise))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        cond = cond.add(
            user::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(user_expertise::Column::UserId)
                    .from(user_expertise::Entity)
                    .and_where(user_expertise::Column::TagId.eq(tag.id))
                    .to_owned(),
            ),
        );
    }
    Ok(Some(cond))
}

/// The organisations and expertise of these members, each in one query.
pub async fn entries(
    db: &impl ConnectionTrait,
    people: Vec<user::Model>,
) -> Result<Vec<Entry>, DbErr> {
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    let links = user_organisation::Entity::find()
        .filter(user_organisation::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let orgs: HashMap<i32, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(links.iter().map(|l| l.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let tags_of = user_expertise::Entity::find()
        .filter(user_expertise::Column::UserId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let tags: HashMap<i32, expertise_tag::Model> = expertise_tag::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(people
        .into_iter()
        .map(|person| {
            let mut organisations: Vec<organisation::Model> = if person.show_organisation {
                links
                    .iter()
                    .filter(|l| l.user_id == person.id)
                    .filter_map(|l| orgs.get(&l.organisation_id).cloned())
                    .collect()
            } else {
                Vec::new()
            };
            organisations.sort_by(|a, b| a.name.cmp(&b.name));
            let districts = if person.show_districts {
                districts_of(&person.districts)
                    .into_iter()
                    .filter_map(district_name)
                    .collect()
            } else {
                Vec::new()
            };
            let mut expertise: Vec<expertise_tag::Model> = tags_of
                .iter()
                .filter(|t| t.user_id == person.id)
                .filter_map(|t| tags.get(&t.tag_id).cloned())
                .collect();
            expertise.sort_by_key(|t| (t.position, t.id));
            Entry {
                phone: (person.show_phone && !person.phone.trim().is_empty())
                    .then(|| person.phone.clone()),
                email: person.show_email.then(|| person.email.clone()),
                organisations,
                districts,
                expertise,
                person,
            }
        })
        .collect())
}

pub async fn choices(db: &impl ConnectionTrait) -> Result<Choices, DbErr> {
    Ok(Choices {
        practices: crate::practices::active_practices(db).await?,
        organisations: organisation::Entity::find()
            .order_by_asc(organisation::Column::Name)
            .all(db)
            .await?,
        tags: expertise_tag::Entity::find()
            .order_by_asc(expertise_tag::Column::Position)
            .order_by_asc(expertise_tag::Column::Id)
            .all(db)
            .await?,
    })
}

/// `/leden`: the member directory, for signed-in members.
pub async fn directory(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(filters): Query<Filters>,
) -> AppResult<Markup> {
    ctx.require_user()?;
    let choices = choices(&state.db).await?;
    let page = Ord::max(filters.pagina.unwrap_or(1), 1);
    let (entries, total, pages) = match condition(&state.db, &filters).await? {
        None => (Vec::new(), 0, 1),
        Some(cond) => {
            let found = user::Entity::find()
                .filter(cond)
                .order_by_asc(user::Column::Name)
                .order_by_asc(user::Column::Id)
                .paginate(&state.db, PER_PAGE);
            let counts = found.num_items_and_pages().await?;
            if page > Ord::max(counts.number_of_pages, 1) {
                return Err(AppError::NotFound);
            }
            let people = found.fetch_page(page - 1).await?;
            (
                entries(&state.db, people).await?,
                counts.number_of_items,
                Ord::max(counts.number_of_pages, 1),
            )
        }
    };
    Ok(views::directory(
        &ctx, &filters, &choices, &entries, total, page, pages,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListingForm {
    pub organisation: Vec<String>,
    pub district: Vec<String>,
    pub expertise: Vec<String>,
    pub phone: String,
    pub show_organisation: Option<String>,
    pub show_districts: Option<String>,
    pub show_phone: Option<String>,
    pub show_email: Option<String>,
}

/// What a member has in the directory now, as the form shows it.
pub async fn listing_of(
    db: &impl ConnectionTrait,
    person: &user::Model,
    choices: &Choices,
) -> Result<ListingForm, DbErr> {
    let orgs = user_organisation::Entity::find()
        .filter(user_organisation::Column::UserId.eq(person.id))
        .all(db)
        .await?;
    let tags = user_expertise::Entity::find()
        .filter(user_expertise::Column::UserId.eq(person.id))
        .all(db)
        .await?;
    let on = |b: bool| b.then(|| "1".to_string());
    Ok(ListingForm {
        organisation: choices
            .organisations
            .iter()
            .filter(|o| orgs.iter().any(|l| l.organisation_id == o.id))
            .map(|o| o.slug.clone())
            .collect(),
        district: districts_of(&person.districts)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        expertise: choices
            .tags
            .iter()
            .filter(|t| tags.iter().any(|u| u.tag_id == t.id))
            .map(|t| t.slug.clone())
            .collect(),
        phone: person.phone.clone(),
        show_organisation: on(person.show_organisation),
        show_districts: on(person.show_districts),
        show_phone: on(person.show_phone),
        show_email: on(person.show_email),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedFlag {
    opgeslagen: Option<String>,
}

/// `/profiel/gids`: what the member shows in the directory.
pub async fn show_listing(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(flag): Query<SavedFlag>,
) -> AppResult<Markup> {
    let person = ctx.require_user()?;
    let choices = choices(&state.db).await?;
    let form = listing_of(&state.db, person, &choices).await?;
    Ok(views::listing_form(
        &ctx,
        &choices,
        &form,
        &FieldErrors::default(),
        flag.opgeslagen.is_some(),
    ))
}

pub async fn save_listing(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ListingForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let choices = choices(&state.db).await?;
    let mut errors = FieldErrors::default();
    let orgs: Vec<&organisation::Model> = choices
        .organisations
        .iter()
        .filter(|o| form.organisation.contains(&o.slug))
        .collect();
    if orgs.len() > ORGANISATIONS_MAX {
        errors.add("organisation", "directory.two_at_most");
    }
    let phone = crate::meetings::one_line(&form.phone);
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !phone.is_empty()
        && (phone.chars().count() > PHONE_MAX
            || digits < 6
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c)))
    {
        errors.add("phone", "directory.phone_invalid");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(views::listing_form(
            &ctx, &choices, &form, &errors, false,
        )));
    }
    let tags: Vec<&expertise_tag::Model> = choices
        .tags
        .iter()
        .filter(|t| form.expertise.contains(&t.slug))
        .collect();
    let txn = state.db.begin().await?;
    user_organisation::Entity::delete_many()
        .filter(user_organisation::Column::UserId.eq(person.id))
        .exec(&txn)
        .await?;
    if !orgs.is_empty() {
        user_organisation::Entity::insert_many(orgs.iter().map(|o| {
            user_organisation::ActiveModel {
                user_id: Set(person.id),
                organisation_id: Set(o.id),
            }
        }))
        .on_conflict_do_nothing_on([
            user_organisation::Column::UserId,
            user_organisation::Column::OrganisationId,
        ])
        .exec(&txn)
        .await?;
    }
    user_expertise::Entity::delete_many()
        .filter(user_expertise::Column::UserId.eq(person.id))
        .exec(&txn)
        .await?;
    if !tags.is_empty() {
        user_expertise::Entity::insert_many(tags.iter().map(|t| user_expertise::ActiveModel {
            user_id: Set(person.id),
            tag_id: Set(t.id),
        }))
        .on_conflict_do_nothing_on([
            user_expertise::Column::UserId,
            user_expertise::Column::TagId,
        ])
        .exec(&txn)
        .await?;
    }
    let mut active = person.into_active_model();
    active.districts = Set(store_districts(form.district.iter().map(String::as_str)));
    active.phone = Set(phone);
    active.show_organisation = Set(form.show_organisation.is_some());
    active.show_districts = Set(form.show_districts.is_some());
    active.show_phone = Set(form.show_phone.is_some());
    active.show_email = Set(form.show_email.is_some());
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(Redirect::to("/profiel/gids?opgeslagen=1").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn districts_are_stored_in_the_citys_order_and_unknown_ones_dropped() {
        assert_eq!(
            store_districts(["noord", "charlois", "atlantis"]),
            ",charlois,noord,"
        );
        assert_eq!(store_districts([]), "");
        assert_eq!(districts_of(",charlois,noord,"), ["charlois", "noord"]);
    }

    #[test]
    fn a_search_for_percent_signs_is_literal() {
        assert_eq!(like_escaped("50%_a"), "%50\\%\\_a%");
    }
}
