//! The pages of private messages: the list of conversations, one conversation with its
//! reply form, the form for a new one, reporting a message, the blocked members, and the
//! administrators' reported messages. Pure functions of what the handlers loaded.

use std::collections::{HashMap, HashSet};

use maud::{Markup, PreEscaped, Render, html};

use crate::{
    context::Ctx,
    entities::{conversation, conversation_member, message, message_report, user},
    forms::{self, Field, FieldErrors},
    forum::views::{pagination, person_link, person_name, when},
    layout,
    markdown::{Markdown, RENDERER_VERSION, excerpt},
};

const EXCERPT: usize = 140;

/// A message's text as HTML: as stored, or rendered now when an older renderer made it.
pub fn message_html(m: &message::Model) -> Markup {
    if m.html_version == RENDERER_VERSION {
        PreEscaped(m.body_html.clone())
    } else {
        Markdown(&m.body).render()
    }
}

/// The names of the others in a conversation, for lines like "with Kees Bos, Sanne Smit".
fn others_names(
    ctx: &Ctx,
    me: i32,
    members: &[conversation_member::Model],
    people: &HashMap<i32, user::Model>,
) -> String {
    let names: Vec<String> = members
        .iter()
        .filter(|m| m.user_id != me)
        .map(|m| person_name(ctx, people.get(&m.user_id)).into_owned())
        .collect();
    if names.is_empty() {
        ctx.t("messages.nobody_else").into_owned()
    } else {
        names.join(", ")
    }
}

/// One line of the list of conversations.
pub struct Row {
    pub conversation: conversation::Model,
    pub members: Vec<conversation_member::Model>,
    /// The newest message this member may read in it.
    pub last: Option<message::Model>,
    pub unread: i64,
}

pub fn list(
    ctx: &Ctx,
    me: i32,
    rows: &[Row],
    people: &HashMap<i32, user::Model>,
    page: u64,
    pages: u64,
    has_blocked: bool,
) -> Markup {
    let title = ctx.t("messages.title");
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("messages.intro")) }
            p { a.button href="/berichten/nieuw" { (ctx.t("messages.new")) } }
            @if rows.is_empty() {
                p.empty { (ctx.t("messages.none")) }
            } @else {
                ol.threads.conversations {
                    @for row in rows {
                        li.thread.unread[row.unread > 0] {
                            h2 {
                                a href={ "/berichten/gesprek/" (row.conversation.id) } { (row.conversation.subject) }
                                @if row.unread > 0 {
                                    " " span.badge.new { (ctx.lang.plural("messages.unread_badge", row.unread)) }
                                }
                            }
                            p.meta {
                                (ctx.t("messages.with")) " " (others_names(ctx, me, &row.members, people))
                                @if let Some(last) = &row.last {
                                    " · " (when(ctx, last.created_at))
                                }
                            }
                            @if let Some(last) = &row.last {
                                p.excerpt {
                                    @if last.removed_at.is_some() {
                                        span.removed { (ctx.t("messages.removed")) }
                                    } @else {
                                        (person_name(ctx, last.author_id.and_then(|id| people.get(&id)))) ": "
                                        (excerpt(&last.body, EXCERPT))
                                    }
                                }
                            }
                        }
                    }
                }
                (pagination(ctx, "/berichten", page, pages))
            }
            @if has_blocked {
                p { a href="/berichten/geblokkeerd" { (ctx.t("messages.blocked_link")) } }
            }
            p { a href="/profiel/email" { (ctx.t("messages.mail_settings")) } }
        },
    )
}

/// Everything one conversation's page shows.
pub struct ConversationPage<'a> {
    pub conversation: &'a conversation::Model,
    pub members: &'a [conversation_member::Model],
    pub messages: &'a [message::Model],
    pub people: &'a HashMap<i32, user::Model>,
    /// The members the reader blocked.
    pub blocked: &'a HashSet<i32>,
    /// The messages the reader reported.
    pub reported: &'a HashSet<i32>,
    /// Messages after this one were new to the reader when the page opened.
    pub read_before: i32,
    pub page: u64,
    pub pages: u64,
}

/// The reply form's state: what was typed, what is wrong with it, and a problem with the
/// whole (a limit reached).
pub struct ReplyForm<'a> {
    pub body: &'a str,
    pub errors: &'a FieldErrors,
    pub problem: Option<&'a str>,
    /// Say "reported, thank you" on top.
    pub reported: bool,
}

pub fn conversation(ctx: &Ctx, me: i32, p: &ConversationPage, form: &ReplyForm) -> Markup {
    let id = p.conversation.id;
    let base = format!("/berichten/gesprek/{id}");
    let others: Vec<&conversation_member::Model> =
        p.members.iter().filter(|m| m.user_id != me).collect();
    layout::page(
        ctx,
        &p.conversation.subject,
        html! {
            p.breadcrumb { a href="/berichten" { (ctx.t("messages.title")) } }
            h1 { (p.conversation.subject) }
            p.meta { (ctx.t("messages.with")) " " (others_names(ctx, me, p.members, p.people)) }
            @if form.reported { (layout::notice(&ctx.t("messages.reported_thanks"))) }
            (pagination(ctx, &base, p.page, p.pages))
            div.posts.messages {
                @for m in p.messages {
                    @let author = m.author_id.and_then(|a| p.people.get(&a));
                    @let mine = m.author_id == Some(me);
                    article.post.unread[m.id > p.read_before && !mine] id={ "pm-" (m.id) } {
                        @if m.removed_at.is_some() {
                            p.removed { (ctx.t("messages.removed")) }
                        } @else {
                            div.post-header {
                                strong { (person_link(ctx, author)) }
                                " · " (when(ctx, m.created_at))
                            }
                            div.post-body { (message_html(m)) }
                            @if !mine {
                                div.post-actions {
                                    @if p.reported.contains(&m.id) {
                                        span.meta { (ctx.t("messages.reported")) }
                                    } @else {
                                        a href={ (base) "/melden/" (m.id) } { (ctx.t("messages.report")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(ctx, &base, p.page, p.pages))
            section #antwoorden aria-labelledby="reply-title" {
                h2 #reply-title { (ctx.t("messages.reply_title")) }
                (forms::problem(ctx, form.problem))
                (forms::form(ctx, &format!("{base}/antwoorden"), form.errors, &ctx.t("messages.send"), html! {
                    (forms::textarea(ctx, Field::new("body", form.body).hint("messages.body_hint"), form.errors))
                }))
            }
            @if !others.is_empty() {
                section aria-labelledby="participants-title" {
                    h2 #participants-title { (ctx.t("messages.participants")) }
                    ul.people {
                        @for m in others {
                            @if let Some(person) = p.people.get(&m.user_id) {
                                li {
                                    (person_link(ctx, Some(person)))
                                    " "
                                    (block_button(ctx, person, p.blocked.contains(&m.user_id), &base))
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// "Blokkeren" or "Niet meer blokkeren" for one member (named for screen readers),
/// coming back to `back`.
pub fn block_button(ctx: &Ctx, person: &user::Model, blocked: bool, back: &str) -> Markup {
    let (action, label, named) = if blocked {
        (
            "/berichten/deblokkeren",
            "messages.unblock",
            "messages.unblock_named",
        )
    } else {
        (
            "/berichten/blokkeren",
            "messages.block",
            "messages.block_named",
        )
    };
    let name = person_name(ctx, Some(person));
    html! {
        form.inline method="post" action=(action) {
            (layout::csrf_field(ctx))
            input type="hidden" name="person" value=(person.id);
            input type="hidden" name="next" value=(back);
            button.linklike type="submit" aria-label=(rust_i18n::t!(named, locale = ctx.lang.code(), name = name.as_ref())) { (ctx.t(label)) }
        }
    }
}

/// The new conversation's form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewForm {
    pub recipients: String,
    pub subject: String,
    pub body: String,
}

pub fn new_conversation(
    ctx: &Ctx,
    form: &NewForm,
    errors: &FieldErrors,
    not_found: &[String],
    ambiguous: &[String],
    problem: Option<&str>,
) -> Markup {
    let title = ctx.t("messages.new");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/berichten" { (ctx.t("messages.title")) } }
            h1 { (title) }
            p.lead { (ctx.t("messages.new_intro")) }
            (forms::problem(ctx, problem))
            (forms::form(ctx, "/berichten/nieuw", errors, &ctx.t("messages.send"), html! {
                (forms::input(ctx, Field::new("recipients", &form.recipients).hint("messages.recipients_hint"), errors))
                @if !not_found.is_empty() {
                    p.field-error { (ctx.t("messages.not_found")) " " (not_found.join(", ")) }
                }
                @if !ambiguous.is_empty() {
                    p.field-error { (ctx.t("messages.ambiguous")) " " (ambiguous.join(", ")) }
                }
                (forms::input(ctx, Field::new("subject", &form.subject).max_length(crate::messages::SUBJECT_MAX), errors))
                (forms::textarea(ctx, Field::new("body", &form.body).hint("messages.body_hint"), errors))
            }))
        },
    )
}

pub fn report_form(
    ctx: &Ctx,
    conversation: &conversation::Model,
    m: &message::Model,
    author: Option<&user::Model>,
    reason: &str,
    errors: &FieldErrors,
) -> Markup {
    let title = ctx.t("messages.report_title");
    let back = format!("/berichten/gesprek/{}", conversation.id);
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href=(back) { (conversation.subject) } }
            h1 { (title) }
            p.lead { (ctx.t("messages.report_intro")) }
            article.post {
                div.post-header { strong { (person_link(ctx, author)) } " · " (when(ctx, m.created_at)) }
                div.post-body { (message_html(m)) }
            }
            (forms::form(ctx, &format!("{back}/melden/{}", m.id), errors, &ctx.t("messages.report"), html! {
                (forms::textarea(ctx, Field::new("reason", reason).hint("messages.reason_hint"), errors))
            }))
            p { a href=(back) { (ctx.t("messages.back")) } }
        },
    )
}

pub fn blocked_list(ctx: &Ctx, people: &[user::Model]) -> Markup {
    let title = ctx.t("messages.blocked_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/berichten" { (ctx.t("messages.title")) } }
            h1 { (title) }
            p.lead { (ctx.t("messages.blocked_intro")) }
            @if people.is_empty() {
                p.empty { (ctx.t("messages.blocked_none")) }
            } @else {
                ul.people {
                    @for person in people {
                        li {
                            (person_link(ctx, Some(person))) " "
                            (block_button(ctx, person, true, "/berichten/geblokkeerd"))
                        }
                    }
                }
            }
        },
    )
}

/// One reported message for the administrators: the message alone, and its reports.
pub struct Reported {
    pub message: message::Model,
    pub reports: Vec<message_report::Model>,
}

pub fn reported(ctx: &Ctx, items: &[Reported], people: &HashMap<i32, user::Model>) -> Markup {
    let title = ctx.t("messages.admin_title");
    crate::admin::admin_page(
        ctx,
        &title,
        html! {
            p.lead { (ctx.t("messages.admin_intro")) }
            @if items.is_empty() {
                p.empty { (ctx.t("messages.admin_none")) }
            }
            @for item in items {
                @let m = &item.message;
                @let open = item.reports.iter().any(|r| r.handled_at.is_none());
                article.post id={ "pm-" (m.id) } {
                    div.post-header {
                        strong { (person_link(ctx, m.author_id.and_then(|a| people.get(&a)))) }
                        " · " (ctx.lang.datetime(m.created_at))
                        @if !open { " " span.badge { (ctx.t("messages.handled")) } }
                    }
                    @if m.removed_at.is_some() {
                        p.removed { (ctx.t("messages.removed")) }
                    } @else {
                        div.post-body { (message_html(m)) }
                    }
                    h2 { (ctx.t("messages.reports")) }
                    ul {
                        @for r in &item.reports {
                            li {
                                (person_name(ctx, people.get(&r.reporter_id))) ", " (ctx.lang.datetime(r.created_at)) ": "
                                q { (r.reason) }
                                @if let Some(at) = r.handled_at {
                                    " · " span.meta { (ctx.t("messages.handled_by")) " " (person_name(ctx, r.handled_by.and_then(|h| people.get(&h)))) ", " (ctx.lang.datetime(at)) }
                                }
                            }
                        }
                    }
                    @if open {
                        form.inline method="post" action={ "/beheer/berichten/" (m.id) "/afgehandeld" } {
                            (layout::csrf_field(ctx))
                            button.secondary type="submit" { (ctx.t("messages.mark_handled")) }
                        }
                    }
                }
            }
        },
    )
}

/// On a member's page: write to them, and block or unblock them.
pub fn member_actions(ctx: &Ctx, person: &user::Model, blocked: bool) -> Markup {
    let back = person
        .handle
        .as_deref()
        .map_or_else(|| "/leden".to_owned(), |h| format!("/leden/{h}"));
    html! {
        p.member-actions {
            a.button href={ "/berichten/nieuw?aan=" (person.id) } { (ctx.t("messages.write_to")) }
            " "
            (block_button(ctx, person, blocked, &back))
        }
    }
}

/// In a directory entry: a link to write to them.
pub fn write_link(ctx: &Ctx, person: &user::Model) -> Markup {
    html! {
        p { a href={ "/berichten/nieuw?aan=" (person.id) } { (ctx.t("messages.write_to")) } }
    }
}
