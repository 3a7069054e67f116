//! People and roles: member (everyone approved), facilitator of a practice, expert,
//! administrator; disabling an account; inviting someone by email.

use std::collections::{BTreeSet, HashMap};

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Deserialize;

use crate::{
    AppState,
    accounts::leave,
    audit,
    context::Ctx,
    csrf::CsrfForm,
    entities::{membership, practice, user},
    error::{AppError, AppResult},
    forms::{self, Field, FieldErrors},
    i18n::Lang,
    layout,
    mail::Letter,
    names, practices, session,
    tokens::{self, Purpose},
};

use super::admin_page;

const PAGE_SIZE: u64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pagina: Option<u64>,
    /// Back from deleting an account.
    verwijderd: Option<String>,
}

impl PageQuery {
    pub fn page(&self) -> u64 {
        self.pagina.unwrap_or(1)
    }
}

pub async fn list_people(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<PageQuery>,
) -> AppResult<Markup> {
    ctx.require_admin()?;
    // Deleted accounts are tombstones without data: not people to manage.
    let paginator = user::Entity::find()
        .filter(user::Column::DeletedAt.is_null())
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .paginate(&state.db, PAGE_SIZE);
    let pages = paginator.num_pages().await?.max(1);
    let page = query.page().clamp(1, pages);
    let people = paginator.fetch_page(page - 1).await?;
    // One query for the facilitator roles of everyone on this page.
    let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
    let facilitations = membership::Entity::find()
        .filter(membership::Column::UserId.is_in(ids))
        .filter(membership::Column::Role.eq(membership::Role::Facilitator))
        .all(&state.db)
        .await?;
    let mut facilitator_of: HashMap<i32, usize> = HashMap::new();
    for m in &facilitations {
        *facilitator_of.entry(m.user_id).or_default() += 1;
    }
    Ok(admin_page(
        &ctx,
        &ctx.t("admin.people"),
        html! {
            @if query.verwijderd.is_some() { (layout::notice(&ctx.t("leave.admin_done"))) }
            p { a.button href="/beheer/uitnodigen" { (ctx.t("admin.invite")) } }
            div.table-scroll tabindex="0" role="region" aria-label=(ctx.t("layout.table_scroll")) {
                table {
                    caption.visually-hidden { (ctx.t("admin.people")) }
                    thead { tr {
                        th scope="col" { (ctx.t("field.name")) }
                        th scope="col" { (ctx.t("field.email")) }
                        th scope="col" { (ctx.t("field.organisation")) }
                        th scope="col" { (ctx.t("admin.roles")) }
                    } }
                    tbody {
                        @for p in &people {
                            tr {
                                td { a href={ "/beheer/mensen/" (p.id) } { (p.name) } }
                                td { (p.email) }
                                td { (p.organisation) }
                                td { (role_summary(&ctx, p, facilitator_of.get(&p.id).copied().unwrap_or(0))) }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pagination aria-label=(ctx.t("layout.pagination")) {
                    @for n in 1..=pages {
                        @if n == page {
                            span aria-current="page" { (n) }
                        } @else {
                            a href={ "/beheer/mensen?pagina=" (n) } { (n) }
                        }
                    }
                }
            }
        },
    ))
}

fn role_summary(ctx: &Ctx, p: &user::Model, facilitations: usize) -> String {
    let mut roles = vec![ctx.t("role.member").into_owned()];
    if facilitations > 0 {
        roles.push(ctx.t("role.facilitator").into_owned());
    }
    if p.is_expert {
        roles.push(ctx.t("role.expert").into_owned());
    }
    if p.is_admin {
        roles.push(ctx.t("role.admin").into_owned());
    }
    if p.disabled {
        roles.push(ctx.t("role.disabled").into_owned());
    }
    if p.password_hash.is_none() {
        roles.push(ctx.t("role.invited").into_owned());
    }
    roles.join(", ")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RolesForm {
    is_admin: Option<String>,
    is_expert: Option<String>,
    disabled: Option<String>,
    member: Vec<i32>,
    facilitator: Vec<i32>,
}

async fn load_person(state: &AppState, id: i32) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

fn person_view(
    ctx: &Ctx,
    person: &user::Model,
    all: &[practice::Model],
    roles: &HashMap<i32, membership::Role>,
    problem: Option<&str>,
) -> Markup {
    admin_page(
        ctx,
        &person.name,
        html! {
            (forms::problem(ctx, problem))
            dl {
                dt { (ctx.t("field.email")) } dd { (person.email) }
                dt { (ctx.t("field.organisation")) } dd { (person.organisation) }
                dt { (ctx.t("field.job")) } dd { (person.job) }
                dt { (ctx.t("admin.member_since")) } dd { (ctx.lang.datetime(person.created_at)) }
            }
            form.stacked method="post" action={ "/beheer/mensen/" (person.id) } {
                (layout::csrf_field(ctx))
                fieldset {
                    legend { (ctx.t("admin.roles")) }
                    div.check { input #is_expert type="checkbox" name="is_expert" value="1" checked[person.is_expert]; label for="is_expert" { (ctx.t("role.expert")) } }
                    div.check { input #is_admin type="checkbox" name="is_admin" value="1" checked[person.is_admin]; label for="is_admin" { (ctx.t("role.admin")) } }
                    div.check { input #disabled type="checkbox" name="disabled" value="1" checked[person.disabled]; label for="disabled" { (ctx.t("admin.disable")) } }
                }
                fieldset {
                    legend { (ctx.t("admin.practice_roles")) }
                    div.table-scroll tabindex="0" role="region" aria-label=(ctx.t("layout.table_scroll")) {
                        table {
                            thead { tr {
                                th scope="col" { (ctx.t("admin.practice")) }
                                th scope="col" { (ctx.t("role.member")) }
                                th scope="col" { (ctx.t("role.facilitator")) }
                            } }
                            tbody {
                                @for p in all {
                                    @let role = roles.get(&p.id).copied();
                                    tr {
                                        th scope="row" { (p.name(ctx.lang)) }
                                        td { input type="checkbox" name="member" value=(p.id) id={ "member-" (p.id) } checked[role.is_some()]
                                            aria-label={ (ctx.t("role.member")) ": " (p.name(ctx.lang)) }; }
                                        td { input type="checkbox" name="facilitator" value=(p.id) id={ "facilitator-" (p.id) } checked[role == Some(membership::Role::Facilitator)]
                                            aria-label={ (ctx.t("role.facilitator")) ": " (p.name(ctx.lang)) }; }
                                    }
                                }
                            }
                        }
                    }
                }
                button.primary type="submit" { (ctx.t("admin.save")) }
            }
            section aria-labelledby="delete-account" {
                h2 #delete-account { (ctx.t("leave.title")) }
                p { (ctx.t("leave.admin_teaser")) }
                p { a.button href={ "/beheer/mensen/" (person.id) "/verwijderen" } { (ctx.t("leave.admin_link")) } }
            }
        },
    )
}

/// What an administrator sees of a deleted account: that it was deleted, nothing more.
fn deleted_view(ctx: &Ctx, person: &user::Model) -> Markup {
    let title = rust_i18n::t!(
        "leave.deleted_account",
        locale = ctx.lang.code(),
        id = person.id
    );
    admin_page(
        ctx,
        &title,
        html! { p { (ctx.t("leave.deleted_account_text")) } },
    )
}

async fn roles_of(state: &AppState, user_id: i32) -> AppResult<HashMap<i32, membership::Role>> {
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|m| (m.practice_id, m.role))
        .collect())
}

pub async fn edit_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    ctx.require_admin()?;
    let person = load_person(&state, id).await?;
    if person.deleted_at.is_some() {
        return Ok(deleted_view(&ctx, &person));
    }
    let all = practices::all_practices(&state.db).await?;
    let roles = roles_of(&state, id).await?;
    Ok(person_view(&ctx, &person, &all, &roles, None))
}

pub async fn update_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<RolesForm>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let person = load_person(&state, id).await?;
    if person.deleted_at.is_some() {
        return Err(AppError::NotFound);
    }
    let all = practices::all_practices(&state.db).await?;
    let make_admin = form.is_admin.is_some();
    let disable = form.disabled.is_some();

    let problem = if person.id == admin.id && (!make_admin || disable) {
        Some("admin.not_yourself")
    } else if person.is_admin && (!make_admin || disable) && active_admins(&state).await? <= 1 {
        Some("admin.last_admin")
    } else {
        None
    };
    if let Some(key) = problem {
        let roles = roles_of(&state, id).await?;
        return Ok(forms::unprocessable(person_view(
            &ctx,
            &person,
            &all,
            &roles,
            Some(key),
        )));
    }

    let known: BTreeSet<i32> = all.iter().map(|p| p.id).collect();
    let facilitator: BTreeSet<i32> = form
        .facilitator
        .iter()
        .copied()
        .filter(|id| known.contains(id))
        .collect();
    // A facilitator is a member of the practice too.
    let member: BTreeSet<i32> = form
        .member
        .iter()
        .copied()
        .filter(|id| known.contains(id))
        .chain(facilitator.iter().copied())
        .collect();

    let txn = state.db.begin().await?;
    membership::Entity::delete_many()
        .filter(membership::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    let rows: Vec<membership::ActiveModel> = member
        .iter()
        .map(|&practice_id| membership::ActiveModel {
            user_id: Set(id),
            practice_id: Set(practice_id),
            role: Set(if facilitator.contains(&practice_id) {
                membership::Role::Facilitator
            } else {
                membership::Role::Member
            }),
            created_at: Set(now),
        })
        .collect();
    if !rows.is_empty() {
        membership::Entity::insert_many(rows).exec(&txn).await?;
    }
    let detail = format!(
        "admin={make_admin} expert={} disabled={disable} member={member:?} facilitator={facilitator:?}",
        form.is_expert.is_some()
    );
    let email = person.email.clone();
    let mut active = person.into_active_model();
    active.is_admin = Set(make_admin);
    active.is_expert = Set(form.is_expert.is_some());
    active.disabled = Set(disable);
    active.update(&txn).await?;
    if disable {
        session::end_all_for(&txn, id).await?;
    }
    audit::record(&txn, Some(admin.id), "roles_changed", &email, &detail).await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/beheer/mensen/{id}")).into_response())
}

fn delete_view(
    ctx: &Ctx,
    person: &user::Model,
    form: &leave::DeleteForm,
    errors: &FieldErrors,
    problem: Option<&str>,
) -> Markup {
    let title = rust_i18n::t!(
        "leave.admin_title",
        locale = ctx.lang.code(),
        name = &person.name
    );
    admin_page(
        ctx,
        &title,
        html! {
            p.lead { (ctx.t("leave.admin_intro")) }
            ul {
                li { (ctx.t("leave.what_goes")) }
                li { (ctx.t("leave.what_stays")) }
                li { (ctx.t("leave.mail")) }
            }
            (forms::problem(ctx, problem))
            (forms::error_summary(ctx, errors))
            form.stacked method="post" action={ "/beheer/mensen/" (person.id) "/verwijderen" } novalidate {
                (layout::csrf_field(ctx))
                (leave::confirm_fields(ctx, form, errors, "leave.admin_password_hint"))
                button.primary.danger type="submit" { (ctx.t("leave.submit")) }
            }
            p { a href={ "/beheer/mensen/" (person.id) } { (ctx.t("leave.cancel")) } }
        },
    )
}

/// An account that is still there to delete; one's own is deleted from the profile.
async fn deletable(state: &AppState, ctx: &Ctx, id: i32) -> AppResult<user::Model> {
    let admin = ctx.require_admin()?;
    let person = load_person(state, id).await?;
    if person.deleted_at.is_some() || person.id == admin.id {
        return Err(AppError::NotFound);
    }
    Ok(person)
}

/// `GET /beheer/mensen/{id}/verwijderen`: deleting an account on the member's request.
pub async fn show_delete_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let person = deletable(&state, &ctx, id).await?;
    Ok(delete_view(
        &ctx,
        &person,
        &leave::DeleteForm::default(),
        &FieldErrors::default(),
        None,
    ))
}

/// `POST /beheer/mensen/{id}/verwijderen`, confirmed with the administrator's own password.
pub async fn delete_person(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<leave::DeleteForm>,
) -> AppResult<Response> {
    let person = deletable(&state, &ctx, id).await?;
    let admin = ctx.require_admin()?;
    let (errors, posts) = leave::check_form(&state, &form, admin).await?;
    let Some(posts) = posts.filter(|_| errors.is_empty()) else {
        return Ok(forms::unprocessable(delete_view(
            &ctx, &person, &form, &errors, None,
        )));
    };
    if let Err(refusal) = leave::delete_account(&state, &person, posts, Some(admin.id)).await? {
        return Ok(forms::unprocessable(delete_view(
            &ctx,
            &person,
            &form,
            &errors,
            Some(refusal.key()),
        )));
    }
    Ok(Redirect::to("/beheer/mensen?verwijderd=1").into_response())
}

async fn active_admins(state: &AppState) -> AppResult<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .count(&state.db)
        .await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub job: String,
    pub lang: String,
}

fn invite_view(ctx: &Ctx, form: &InviteForm, errors: &FieldErrors, sent: bool) -> Markup {
    admin_page(
        ctx,
        &ctx.t("admin.invite"),
        html! {
            @if sent { (layout::notice(&ctx.t("admin.invite_sent"))) }
            p { (ctx.t("admin.invite_intro")) }
            (forms::form(ctx, "/beheer/uitnodigen", errors, &ctx.t("admin.invite_submit"), html! {
                (forms::input(ctx, Field::new("name", &form.name), errors))
                (forms::input(ctx, Field::new("email", &form.email).kind("email"), errors))
                (forms::input(ctx, Field::new("organisation", &form.organisation), errors))
                (forms::input(ctx, Field::new("job", &form.job), errors))
                div.field {
                    label for="lang" { (ctx.t("admin.invite_lang")) }
                    select #lang name="lang" {
                        @for lang in Lang::ALL {
                            option value=(lang.code()) selected[form.lang == lang.code()] { (lang.t("lang.self")) }
                        }
                    }
                }
            }))
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentQuery {
    verstuurd: Option<String>,
}

pub async fn show_invite(ctx: Ctx, Query(q): Query<SentQuery>) -> AppResult<Markup> {
    ctx.require_admin()?;
    let form = InviteForm {
        lang: ctx.lang.code().into(),
        ..Default::default()
    };
    Ok(invite_view(
        &ctx,
        &form,
        &FieldErrors::default(),
        q.verstuurd.is_some(),
    ))
}

pub async fn invite_person(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> AppResult<Response> {
    let admin = ctx.require_admin()?;
    let mut errors = FieldErrors::default();
    let name = names::check(&state.db, &mut errors, "name", &form.name, None).await?;
    errors.email("email", &form.email);
    errors.text("organisation", &form.organisation, 150);
    errors.text("job", &form.job, 100);
    let email = forms::normalize_email(&form.email);
    if errors.is_empty()
        && user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .count(&state.db)
            .await?
            > 0
    {
        errors.add("email", "admin.email_taken");
    }
    if !errors.is_empty() {
        return Ok(forms::unprocessable(invite_view(
            &ctx, &form, &errors, false,
        )));
    }
    let lang = Lang::parse(&form.lang).unwrap_or(ctx.lang);
    let txn = state.db.begin().await?;
    let person = user::ActiveModel {
        email: Set(email.clone()),
        name: Set(name),
        organisation: Set(form.organisation.trim().into()),
        job: Set(form.job.trim().into()),
        lang: Set(lang.code().into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let secret = tokens::issue(&txn, Purpose::SetPassword, Some(person.id)).await?;
    audit::record(&txn, Some(admin.id), "person_invited", &email, &person.name).await?;
    txn.commit().await?;
    state.send_later(
        Letter::new(lang, &email, "mail.invite.subject")
            .greet(&person.name)
            .text(rust_i18n::t!(
                "mail.invite.body",
                locale = lang.code(),
                inviter = &admin.name
            ))
            .para("mail.link_valid_week")
            .link(
                "mail.set_password_link",
                state
                    .settings
                    .url(&format!("/wachtwoord-instellen/{secret}")),
            )
            .build(),
    );
    Ok(Redirect::to("/beheer/uitnodigen?verstuurd=1").into_response())
}
