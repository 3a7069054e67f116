//! Leaving Erbij: a member deletes their account, or an administrator does it on their
//! request. The member chooses what happens to their posts: removed (their text erased,
//! threads only they wrote in deleted whole) or kept under "oud-lid" without a name.
//!
//! The `users` row stays as a nameless tombstone (same id, so posts and threads keep an
//! author) and everything personal goes in one transaction: name, address, organisation,
//! job, handle, password, sessions, tokens, watches, read positions, notifications,
//! memberships, flags, the member's digest, applications, queued mail, and their private
//! messages (emptied, "removed" in their place), conversations and blocks. The audit log keeps
//! an id ("lid #12"), not a name or address. A confirmation goes to the old address.

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, Query},
};
use serde::Deserialize;

use crate::{
    AppState, audit,
    context::Ctx,
    csrf::CsrfForm,
    entities::{
        application, audit_event, email_change, flag, membership, notification, outbox_mail, post,
        read_position, session as session_row, subscriber, subscriber_practice, thread, token,
        user, watch,
    },
    error::AppResult,
    forms::{self, Field, FieldErrors},
    forum::erase,
    i18n::Lang,
    layout,
    mail::{Email, Letter},
    session,
};

/// The name a deleted account keeps in the database; pages show it translated.
pub const FORMER_MEMBER: &str = "oud-lid";

/// What happens to the posts of the account being deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posts {
    /// Their text is erased; threads only they wrote in are deleted whole.
    Remove,
    /// They stay, under "oud-lid".
    Keep,
}

impl Posts {
    pub fn parse(value: &str) -> Option<Posts> {
        match value {
            "verwijderen" => Some(Posts::Remove),
            "bewaren" => Some(Posts::Keep),
            _ => None,
        }
    }

    fn detail(self) -> &'static str {
        match self {
            Posts::Remove => "posts=removed",
            Posts::Keep => "posts=kept",
        }
    }
}

/// The form on the confirmation page (the member's own, and the administrator's).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    pub posts: String,
    pub current_password: String,
}

/// How the audit log names a person once their account is gone.
pub fn audit_name(id: i32) -> String {
    format!("lid #{id}")
}

/// Why an account may not be deleted now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Deleting it would leave the site without an active administrator.
    LastAdmin,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::LastAdmin => "leave.last_admin",
        }
    }
}

/// Deletes the account of `person` in one transaction, then sends the confirmation to the
/// old address and removes files no one uses any more. `by_admin`: the administrator who
/// did it on the member's request.
pub async fn delete_account(
    state: &AppState,
    person: &user::Model,
    posts: Posts,
    by_admin: Option<i32>,
) -> AppResult<Result<(), Refusal>> {
    let id = person.id;
    // Built before the row is rewritten: the last mail to the old address.
    let lang = Lang::parse(&person.lang).unwrap_or_default();
    let letter = goodbye_letter(lang, person, posts);

    let txn = state.db.begin().await?;
    if person.is_admin && !person.disabled && other_active_admins(&txn, id).await? == 0 {
        return Ok(Err(Refusal::LastAdmin));
    }
    let own_posts: Vec<i32> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(post::Column::AuthorId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    // Files they uploaded but never posted go in either case.
    let mut files: Vec<String> = crate::entities::attachment::Entity::find()
        .select_only()
        .column(crate::entities::attachment::Column::Sha256)
        .filter(crate::entities::attachment::Column::UploaderId.eq(id))
        .filter(crate::entities::attachment::Column::PostId.is_null())
        .into_tuple()
        .all(&txn)
        .await?;
    crate::entities::attachment::Entity::delete_many()
        .filter(crate::entities::attachment::Column::UploaderId.eq(id))
        .filter(crate::entities::attachment::Column::PostId.is_null())
        .exec(&txn)
        .await?;
    if posts == Posts::Remove {
        files.extend(erase::stored_files(&txn, &own_posts).await?);
        erase::erase_posts(&txn, &own_posts).await?;
        // Threads they started where nobody else wrote go whole; the others keep their
        // place, with the opening post erased.
        let others_wrote = Query::select()
            .column(post::Column::ThreadId)
            .from(post::Entity)
            .and_where(post::Column::AuthorId.ne(id))
            .to_owned();
        thread::Entity::delete_many()
            .filter(thread::Column::AuthorId.eq(id))
            .filter(thread::Column::Id.not_in_subquery(others_wrote))
            .exec(&txn)
            .await?;
    }
    crate::meetings::joining::withdraw_member(state, &txn, id).await?;
    // Private messages go whatever was chosen for the posts: their text was for the
    // conversation's participants only.
    crate::messages::forget_member(&txn, id).await?;
    forget_person(&txn, person).await?;
    let (action, actor) = match by_admin {
        Some(admin) => ("account_deleted_by_admin", Some(admin)),
        None => ("account_deleted", Some(id)),
    };
    audit::record(&txn, actor, action, &audit_name(id), posts.detail()).await?;
    txn.commit().await?;

    state.send_later(letter);
    state.wake_mail.notify_one();
    erase::remove_unused_files(&state.db, &state.storage.files, &files).await?;
    crate::db::flush_erased(&state.db).await?;
    tracing::info!(user_id = id, ?posts, "account deleted");
    Ok(Ok(()))
}

async fn other_active_admins(db: &impl ConnectionTrait, id: i32) -> Result<u64, DbErr> {
    user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::Disabled.eq(false))
        .filter(user::Column::Id.ne(id))
        .count(db)
        .await
}

/// Everything personal about `person`, except their posts: gone, and the row a tombstone.
async fn forget_person(db: &impl ConnectionTrait, person: &user::Model) -> Result<(), DbErr> {
    let id = person.id;
    session_row::Entity::delete_many()
        .filter(session_row::Column::UserId.eq(id))
        .exec(db)
        .await?;
    token::Entity::delete_many()
        .filter(token::Column::UserId.eq(id))
        .exec(db)
        .await?;
    email_change::Entity::delete_many()
        .filter(email_change::Column::UserId.eq(id))
        .exec(db)
        .await?;
    watch::Entity::delete_many()
        .filter(watch::Column::UserId.eq(id))
        .exec(db)
        .await?;
    read_position::Entity::delete_many()
        .filter(read_position::Column::UserId.eq(id))
        .exec(db)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::UserId.eq(id))
        .exec(db)
        .await?;
    // Texts they were still writing.
    crate::entities::draft::Entity::delete_many()
        .filter(crate::entities::draft::Column::UserId.eq(id))
        .exec(db)
        .await?;
    membership::Entity::delete_many()
        .filter(membership::Column::UserId.eq(id))
        .exec(db)
        .await?;
    // What the directory said of them.
    crate::entities::user_organisation::Entity::delete_many()
        .filter(crate::entities::user_organisation::Column::UserId.eq(id))
        .exec(db)
        .await?;
    crate::entities::user_expertise::Entity::delete_many()
        .filter(crate::entities::user_expertise::Column::UserId.eq(id))
        .exec(db)
        .await?;
    flag::Entity::delete_many()
        .filter(flag::Column::ReporterId.eq(id))
        .exec(db)
        .await?;
    let digests: Vec<i32> = subscriber::Entity::find()
        .select_only()
        .column(subscriber::Column::Id)
        .filter(subscriber::Column::UserId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    if !digests.is_empty() {
        subscriber_practice::Entity::delete_many()
            .filter(subscriber_practice::Column::SubscriberId.is_in(digests.iter().copied()))
            .exec(db)
            .await?;
        subscriber::Entity::delete_many()
            .filter(subscriber::Column::Id.is_in(digests.iter().copied()))
            .exec(db)
            .await?;
    }
    // Mail not yet sent to them, and the record of what was: their address is in it.
    outbox_mail::Entity::delete_many()
        .filter(outbox_mail::Column::Recipient.eq(&person.email))
        .exec(db)
        .await?;
    application::Entity::delete_many()
        .filter(application::Column::Email.eq(&person.email))
        .exec(db)
        .await?;
    anonymise_audit_log(db, person).await?;
    user::Entity::update_many()
        .col_expr(user::Column::Name, Expr::value(FORMER_MEMBER))
        .col_expr(
            user::Column::Email,
            Expr::value(format!("verwijderd-{id}@erbij.invalid")),
        )
        .col_expr(user::Column::Organisation, Expr::value(""))
        .col_expr(user::Column::Job, Expr::value(""))
        .col_expr(user::Column::Handle, Expr::value(Option::<String>::None))
        .col_expr(
            user::Column::CalendarToken,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::Districts, Expr::value(""))
        .col_expr(user::Column::Phone, Expr::value(""))
        .col_expr(
            user::Column::NameSkeleton,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::PasswordHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(user::Column::Disabled, Expr::value(true))
        .col_expr(user::Column::IsAdmin, Expr::value(false))
        .col_expr(user::Column::IsExpert, Expr::value(false))
        .col_expr(user::Column::NotifyEmail, Expr::value(user::NOTIFY_OFF))
        .col_expr(user::Column::Bio, Expr::value(""))
        .col_expr(user::Column::MailToken, Expr::value(Option::<String>::None))
        .col_expr(user::Column::MailNotice, Expr::value(false))
        .col_expr(user::Column::DeletedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Entries that name the person by address or name now say "lid #id". Only the few entries
/// that match are loaded and rewritten.
async fn anonymise_audit_log(db: &impl ConnectionTrait, person: &user::Model) -> Result<(), DbErr> {
    let replacement = audit_name(person.id);
    let mut needles: Vec<&str> = vec![person.email.as_str()];
    if !person.name.trim().is_empty() {
        needles.push(person.name.as_str());
    }
    let mut matching = sea_orm::Condition::any();
    for needle in &needles {
        matching = matching
            .add(audit_event::Column::Subject.contains(*needle))
            .add(audit_event::Column::Detail.contains(*needle));
    }
    let events = audit_event::Entity::find().filter(matching).all(db).await?;
    for event in events {
        let rewrite = |text: &str| {
            needles.iter().fold(text.to_string(), |t, n| {
                replace_ignoring_case(&t, n, &replacement)
            })
        };
        let (subject, detail) = (rewrite(&event.subject), rewrite(&event.detail));
        if subject == event.subject && detail == event.detail {
            continue;
        }
        audit_event::Entity::update_many()
            .col_expr(audit_event::Column::Subject, Expr::value(subject))
            .col_expr(audit_event::Column::Detail, Expr::value(detail))
            .filter(audit_event::Column::Id.eq(event.id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Replaces every occurrence of `needle` in `text`, whatever its capitals (an address typed
/// as `Marieke@…` in an application is the same address).
fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    if needle.is_empty() {
        return text.to_string();
    }
    let lower_text = text.to_lowercase();
    let lower_needle = needle.to_lowercase();
    // Lower-casing can change lengths outside ASCII; then only exact matches are replaced.
    if lower_text.len() != text.len() || lower_needle.len() != needle.len() {
        return text.replace(needle, with);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower_text.match_indices(&lower_needle) {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(with);
        rest = at + needle.len();
    }
    out.push_str(&text[rest..]);
    out
}

fn goodbye_letter(lang: Lang, person: &user::Model, posts: Posts) -> Email {
    Letter::new(lang, &person.email, "mail.leave.subject")
        .greet(&person.name)
        .para("mail.leave.body")
        .para(match posts {
            Posts::Remove => "mail.leave.posts_removed",
            Posts::Keep => "mail.leave.posts_kept",
        })
        .para("mail.leave.not_you")
        .build()
}

/// The choice between removing and keeping the posts, and the password to confirm.
pub fn confirm_fields(
    ctx: &Ctx,
    form: &DeleteForm,
    errors: &FieldErrors,
    password_hint: &'static str,
) -> Markup {
    let error = errors.get("posts");
    html! {
        fieldset.field.has-error[error.is_some()] {
            legend { (ctx.t("field.posts")) }
            @if let Some(key) = error { p.field-error #posts-error { (ctx.t(key)) } }
            @for (value, key) in [("verwijderen", "leave.posts_remove"), ("bewaren", "leave.posts_keep")] {
                div.check {
                    input type="radio" name="posts" value=(value) id={ "posts-" (value) }
                        checked[form.posts == value] required;
                    label for={ "posts-" (value) } { (ctx.t(key)) }
                }
            }
        }
        (forms::input(ctx, Field::new("current_password", "").kind("password").autocomplete("current-password").hint(password_hint), errors))
    }
}

fn view(ctx: &Ctx, form: &DeleteForm, errors: &FieldErrors, problem: Option<&str>) -> Markup {
    layout::page(
        ctx,
        &ctx.t("leave.title"),
        html! {
            p.breadcrumb { a href="/profiel" { (ctx.t("profile.title")) } }
            h1 { (ctx.t("leave.title")) }
            p.lead { (ctx.t("leave.intro")) }
            ul {
                li { (ctx.t("leave.what_goes")) }
                li { (ctx.t("leave.what_stays")) }
                li { (ctx.t("leave.mail")) }
            }
            p { a href="/privacy" { (ctx.t("leave.privacy_link")) } }
            (forms::problem(ctx, problem))
            (forms::error_summary(ctx, errors))
            form.stacked method="post" action="/profiel/verwijderen" novalidate {
                (layout::csrf_field(ctx))
                (confirm_fields(ctx, form, errors, "leave.password_hint"))
                button.primary.danger type="submit" { (ctx.t("leave.submit")) }
            }
            p { a href="/profiel" { (ctx.t("leave.cancel")) } }
        },
    )
}

/// Checks the form: a choice for the posts and the right password of `checker`.
pub async fn check_form(
    state: &AppState,
    form: &DeleteForm,
    checker: &user::Model,
) -> AppResult<(FieldErrors, Option<Posts>)> {
    let mut errors = FieldErrors::default();
    let posts = Posts::parse(&form.posts);
    if posts.is_none() {
        errors.add("posts", "form.choose");
    }
    if form.current_password.is_empty() {
        errors.add("current_password", "form.required");
    } else if !state
        .passwords
        .verify(form.current_password.clone(), checker.password_hash.clone())
        .await?
    {
        errors.add("current_password", "profile.current_wrong");
    }
    Ok((errors, posts))
}

/// `GET /profiel/verwijderen`: what deleting means, and the choice.
pub async fn show_delete_account(ctx: Ctx) -> AppResult<Markup> {
    ctx.require_user()?;
    Ok(view(
        &ctx,
        &DeleteForm::default(),
        &FieldErrors::default(),
        None,
    ))
}

/// `POST /profiel/verwijderen`: deletes the account, signs out, says goodbye.
pub async fn delete_own_account(
    State(state): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> AppResult<Response> {
    let person = ctx.require_user()?.clone();
    let (errors, posts) = check_form(&state, &form, &person).await?;
    let Some(posts) = posts.filter(|_| errors.is_empty()) else {
        return Ok(forms::unprocessable(view(&ctx, &form, &errors, None)));
    };
    if let Err(refusal) = delete_account(&state, &person, posts, None).await? {
        return Ok(forms::unprocessable(view(
            &ctx,
            &form,
            &errors,
            Some(refusal.key()),
        )));
    }
    let jar = jar.remove(Cookie::build(session::COOKIE).path("/"));
    let signed_out = Ctx { user: None, ..ctx };
    let page = layout::page(
        &signed_out,
        &signed_out.t("leave.done_title"),
        html! {
            h1 { (signed_out.t("leave.done_title")) }
            p.lead { (signed_out.t("leave.done_text")) }
            p { a href="/" { (signed_out.t("error.home_link")) } }
        },
    );
    Ok((jar, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whatever_the_capitals() {
        assert_eq!(
            replace_ignoring_case("Marieke@Wijk.nl approved", "marieke@wijk.nl", "lid #3"),
            "lid #3 approved"
        );
        assert_eq!(
            replace_ignoring_case("name=Jan, Jan", "jan", "lid #4"),
            "name=lid #4, lid #4"
        );
        assert_eq!(replace_ignoring_case("nothing", "x@y.nl", "z"), "nothing");
    }
}
