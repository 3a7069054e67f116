//! The forum's pages and partials: pure functions of the data they are given.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::{TITLE_MAX, page_of};
use crate::mentions::Resolved;
use crate::{
    context::Ctx,
    diff::Diff,
    entities::{attachment, post, post_revision, practice, thread, user},
    forms::{self, Field, FieldErrors},
    layout,
    markdown::Markdown,
    media::Variant,
    visibility::Text,
};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub body: String,
    pub action: String,
    /// The post being quoted, so its author can be told.
    pub quote: String,
    /// Files uploaded with an earlier preview or failed attempt, kept for this post.
    pub attachment: Vec<i32>,
    /// The text came back after signing in again (the form says so).
    #[serde(skip)]
    pub restored: bool,
    /// Whom the text's mentions name, for the preview.
    #[serde(skip)]
    pub mentions: Vec<Resolved>,
}

/// The files of a form being written, and the size limit to tell people about.
pub struct Files<'a> {
    pub pending: &'a [attachment::Model],
    pub max_mb: u64,
}

/// 1536 → "1,5 kB" in Dutch, "1.5 kB" in English.
pub fn file_size(ctx: &Ctx, bytes: i64) -> String {
    let (value, unit) = if bytes >= 1024 * 1024 {
        (bytes as f64 / (1024.0 * 1024.0), "MB")
    } else {
        ((bytes as f64 / 1024.0).max(0.1), "kB")
    };
    let text = format!("{value:.1} {unit}");
    match ctx.lang {
        crate::i18n::Lang::Nl => text.replace('.', ","),
        crate::i18n::Lang::En => text,
    }
}

const ACCEPT: &str = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.rtf,image/jpeg,image/png,image/gif,image/webp";

fn files_field(ctx: &Ctx, errors: &FieldErrors, files: &Files) -> Markup {
    let error = errors.get("files");
    html! {
        div.field.has-error[error.is_some()] {
            label for="files" { (ctx.t("field.files")) }
            p.hint #files-hint {
                (rust_i18n::t!("attachments.hint", locale = ctx.lang.code(), mb = files.max_mb, n = super::attachments::MAX_FILES))
                " " (ctx.t("attachments.cleaned_hint"))
            }
            @if let Some(key) = error { p.field-error #files-error { (ctx.t(key)) } }
            @if !files.pending.is_empty() {
                fieldset.pending-files {
                    legend { (ctx.t("attachments.pending")) }
                    @for a in files.pending {
                        div.check {
                            input type="checkbox" name="attachment" value=(a.id) id={ "bijlage-" (a.id) } checked;
                            @if let Some((src, w, h)) = super::attachments::variant(a, Variant::Thumb) {
                                img src=(src) width=(w) height=(h) alt="";
                            }
                            label for={ "bijlage-" (a.id) } { (a.filename) " (" (file_size(ctx, a.size)) ")" }
                        }
                        @if super::attachments::keeps_metadata(&a.content_type) {
                            p.keeps-metadata { (ctx.t("attachments.keeps_metadata")) }
                        }
                    }
                }
            }
            input #files type="file" name="files" multiple accept=(ACCEPT)
                aria-describedby={ "files-hint" @if error.is_some() { " files-error" } };
        }
    }
}

/// The files of a post. A photo shows in its display size, with its width and height so
/// nothing shifts while it loads, and links to its full size. This is the one place a
/// post's images are drawn.
fn attachment_list(ctx: &Ctx, list: &[attachment::Model]) -> Markup {
    let me = ctx.user.as_ref().map(|u| u.id);
    html! {
        ul.attachments aria-label=(ctx.t("field.files")) {
            @for a in list {
                li {
                    a href=(super::attachments::url(a)) {
                        @if let Some((src, w, h)) = super::attachments::variant(a, Variant::Display) {
                            img src=(src) width=(w) height=(h) alt=(a.filename) loading="lazy" decoding="async";
                        } @else if a.content_type.starts_with("image/") {
                            img src=(super::attachments::url(a)) alt=(a.filename) loading="lazy";
                        }
                        span { (a.filename) }
                    }
                    " " span.muted { "(" (file_size(ctx, a.size)) ")" }
                    @if me == Some(a.uploader_id) && super::attachments::keeps_metadata(&a.content_type) {
                        p.keeps-metadata { (ctx.t("attachments.keeps_metadata")) }
                    }
                }
            }
        }
    }
}

/// The name shown for a person. A deleted account shows as "oud-lid" in the reader's
/// language, whatever is stored; an unknown one as a dash.
pub fn person_name<'a>(ctx: &Ctx, person: Option<&'a user::Model>) -> std::borrow::Cow<'a, str> {
    match person {
        Some(p) if p.deleted_at.is_some() => ctx.t("account.former_member"),
        Some(p) => std::borrow::Cow::Borrowed(p.name.as_str()),
        None => std::borrow::Cow::Borrowed("—"),
    }
}

/// A person's name, linking to their member page for those who may open it (members); a
/// visitor, or a former member, gets the name alone.
pub fn person_link(ctx: &Ctx, person: Option<&user::Model>) -> Markup {
    let name = person_name(ctx, person);
    match person
        .filter(|p| p.deleted_at.is_none() && ctx.user.is_some())
        .and_then(|p| p.handle.as_deref())
    {
        Some(handle) => html! { a href={ "/leden/" (handle) } { (name) } },
        None => html! { (name) },
    }
}

/// "last by <name>," with the name linking to the member's page.
pub fn last_by(ctx: &Ctx, person: &user::Model) -> Markup {
    html! { (ctx.t("forum.last_by_prefix")) " " (person_link(ctx, Some(person))) ", " }
}

/// Where a post lives: its thread's page, at its anchor.
pub fn post_url(thread_id: i32, post: &post::Model) -> String {
    match page_of(post.position) {
        1 => format!("/onderwerpen/{thread_id}#bericht-{}", post.id),
        page => format!("/onderwerpen/{thread_id}?pagina={page}#bericht-{}", post.id),
    }
}

/// "3 minutes ago", with the exact time for screen readers and on hover. The page notes when
/// the label will read differently (a kept page is fresh until then).
pub fn when(ctx: &Ctx, at: DateTime<Utc>) -> Markup {
    let seconds = (Utc::now() - at).num_seconds().max(0);
    // The label counts in units of `step` seconds: it changes at the next whole step.
    let (relative, step) = match seconds {
        0..60 => (ctx.t("time.just_now").into_owned(), 60),
        60..3600 => (ctx.lang.plural("time.minutes", seconds / 60), 60),
        3600..86_400 => (ctx.lang.plural("time.hours", seconds / 3600), 3600),
        86_400..2_592_000 => (ctx.lang.plural("time.days", seconds / 86_400), 86_400),
        _ => (ctx.lang.datetime(at), 0),
    };
    if step > 0 {
        let next = (seconds / step + 1) * step;
        ctx.labels_until
            .changes_at(at + chrono::Duration::seconds(next));
    }
    let exact = ctx.lang.datetime(at);
    html! { time datetime=(at.to_rfc3339()) title=(exact) { (relative) } }
}

pub fn visibility_badge(ctx: &Ctx, visibility: thread::Visibility) -> Markup {
    html! {
        @if visibility != thread::Visibility::Public {
            span.badge.members { (ctx.t(&format!("visibility.badge.{visibility}"))) }
        }
    }
}

/// One row of a practice's thread list.
pub struct ThreadRow<'a> {
    pub thread: &'a thread::Model,
    pub last_poster: Option<&'a user::Model>,
    /// `None` for visitors; for members, how many posts they have not seen.
    pub unread: Option<i64>,
}

pub fn thread_list(ctx: &Ctx, rows: &[ThreadRow]) -> Markup {
    html! {
        ol.threads {
            @for row in rows {
                @let t = row.thread;
                li.thread.unread[row.unread.is_some_and(|n| n > 0)] {
                    h3 {
                        a href={ "/onderwerpen/" (t.id) } { (t.title) }
                    }
                    p.meta {
                        @if t.pinned { span.badge { (ctx.t("forum.pinned")) } " " }
                        @if t.locked { span.badge { (ctx.t("forum.locked")) } " " }
                        (visibility_badge(ctx, t.visibility))
                        @if let Some(n) = row.unread.filter(|n| *n > 0) {
                            " " a.badge.new href={ "/onderwerpen/" (t.id) "/ongelezen" } {
                                (rust_i18n::t!("forum.unread", locale = ctx.lang.code(), n = n))
                            }
                        }
                        " " span { (ctx.lang.plural("forum.replies", i64::from(t.post_count - 1))) }
                        " · "
                        @if let Some(person) = row.last_poster {
                            (last_by(ctx, person))
                        }
                        (when(ctx, t.last_post_at))
                    }
                }
            }
        }
    }
}

pub fn pagination(ctx: &Ctx, base: &str, page: u64, pages: u64) -> Markup {
    let link = |n: u64| {
        if n == 1 {
            base.to_string()
        } else if base.contains('?') {
            format!("{base}&pagina={n}")
        } else {
            format!("{base}?pagina={n}")
        }
    };
    // First, last, and the pages around this one.
    let shown: Vec<u64> = (1..=pages)
        .filter(|n| *n == 1 || *n == pages || n.abs_diff(page) <= 2)
        .collect();
    html! {
        @if pages > 1 {
            nav.pagination aria-label=(ctx.t("layout.pagination")) {
                @if page > 1 {
                    a href=(link(page - 1)) rel="prev" { (ctx.t("forum.previous")) }
                }
                @for (i, n) in shown.iter().enumerate() {
                    @if i > 0 && shown[i - 1] + 1 < *n { span.gap aria-hidden="true" { "…" } }
                    @if *n == page {
                        span aria-current="page" { (n) }
                    } @else {
                        a href=(link(*n)) aria-label=(rust_i18n::t!("forum.page_n", locale = ctx.lang.code(), n = n)) { (n) }
                    }
                }
                @if page < pages {
                    a href=(link(page + 1)) rel="next" { (ctx.t("forum.next")) }
                }
            }
        }
    }
}

fn body_field(ctx: &Ctx, form: &PostForm, errors: &FieldErrors, label_key: &'static str) -> Markup {
    let error = errors.get("body");
    html! {
        div.field.has-error[error.is_some()] {
            label for="body" { (ctx.t(label_key)) }
            p.hint #body-hint { (ctx.t("forum.markdown_hint")) " " (ctx.t("mentions.hint")) }
            @if let Some(key) = error { p.field-error #body-error { (ctx.t(key)) } }
            textarea #body name="body" rows="10" required
                data-mentions="/leden/zoek" data-mentions-label=(ctx.t("mentions.suggestions"))
                aria-invalid=[error.map(|_| "true")]
                aria-describedby={ "body-hint" @if error.is_some() { " body-error" } } { (form.body) }
        }
        // Mention suggestions, and similar threads while a title is typed.
        script src=(ctx.script) defer {}
    }
}

fn preview_box(ctx: &Ctx, body: &str, mentions: &[Resolved]) -> Markup {
    html! {
        section.preview aria-labelledby="preview-title" {
            h2 #preview-title { (ctx.t("forum.preview_title")) }
            div.post-body { (Markdown(body)) }
            @if !mentions.is_empty() {
                div.mentions {
                    h3 { (ctx.t("mentions.title")) }
                    ul {
                        @for m in mentions {
                            @match &m.person {
                                Some(p) => li { "@" (m.handle) " → " a href={ "/leden/" (m.handle) } { (p.name) } @if let Some(org) = p.shown_organisation() { ", " (org) } },
                                None => li.unresolved { strong { "@" (m.handle) } " — " (ctx.t("mentions.unknown")) },
                            }
                        }
                    }
                }
            }
        }
    }
}

fn submit_buttons(ctx: &Ctx, submit_key: &str) -> Markup {
    html! {
        div.actions {
            button.primary type="submit" name="action" value="post" { (ctx.t(submit_key)) }
            button.secondary type="submit" name="action" value="preview" { (ctx.t("forum.preview")) }
        }
    }
}

pub fn new_thread(
    ctx: &Ctx,
    practice: &practice::Model,
    form: &super::threads::ThreadForm,
    errors: &FieldErrors,
    preview: bool,
    similar: Option<&[crate::search::results::Item]>,
    files: &Files,
) -> Markup {
    let title = ctx.t("forum.new_thread");
    let post_form = PostForm {
        body: form.body.clone(),
        ..Default::default()
    };
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href={ "/praktijken/" (practice.slug) } { (practice.name(ctx.lang)) } }
            h1 { (title) }
            @if preview { (preview_box(ctx, &form.body, &form.mentions)) }
            (forms::error_summary(ctx, errors))
            @if form.restored { (layout::notice(&ctx.t("forum.text_kept"))) }
            form.stacked.wide method="post" action={ "/praktijken/" (practice.slug) "/nieuw" } enctype="multipart/form-data" novalidate data-draft={ "thread:" (practice.slug) } {
                (layout::csrf_field(ctx))
                (forms::input(ctx, Field::new("title", &form.title).max_length(TITLE_MAX), errors))
                div.similar-threads data-similar-for="title" data-similar-url="/zoeken/vergelijkbaar" {
                    button.secondary type="submit" name="action" value="similar" formnovalidate { (ctx.t("search.similar_button")) }
                    (crate::search::views::similar_list(ctx, similar.unwrap_or_default(), similar.is_some()))
                }
                (body_field(ctx, &post_form, errors, "field.body"))
                (files_field(ctx, errors, files))
                @if practice.kind == practice::Kind::Expert {
                    p.notice { (ctx.t("expert.thread_notice")) }
                } @else {
                    (forms::visibility_field(ctx, "visibility", "field.visibility", &form.visibility, form.public_ok.is_some(), errors))
                }
                (submit_buttons(ctx, "forum.post_thread"))
            }
        },
    )
}

pub struct ThreadPage<'a> {
    pub thread: &'a thread::Model,
    pub practice: &'a practice::Model,
    pub posts: &'a [post::Model],
    /// What of each post's text this reader gets, by post id (from the visibility rule).
    pub texts: &'a HashMap<i32, Text>,
    /// The posts whose earlier versions this reader may see (author, facilitators, admins).
    pub history: &'a HashSet<i32>,
    pub authors: &'a HashMap<i32, user::Model>,
    pub page: u64,
    pub pages: u64,
    /// The furthest position this member had read before this visit.
    pub read_before: Option<i32>,
    pub can_post: bool,
    /// Facilitator of this practice, or administrator.
    pub can_moderate: bool,
    /// The thread's author or a facilitator: may change who may read it.
    pub can_change_visibility: bool,
    /// Where a moderator may move this thread.
    pub move_targets: Vec<&'a practice::Model>,
    /// `None`: not following; `Some(false)`: following; `Some(true)`: muted.
    pub watching: Option<bool>,
    /// The files of the posts on this page, by post id.
    pub attachments: &'a HashMap<i32, Vec<attachment::Model>>,
    /// Published summaries that draw on this thread.
    pub used_in: &'a [crate::entities::summary::Model],
    /// Threads and summaries like this one (search's "related").
    pub related: &'a [crate::search::results::Item],
    /// The meeting this thread is the report of, when the reader may see it.
    pub report_of: Option<&'a crate::entities::meeting::Model>,
}

fn post_article(ctx: &Ctx, tp: &ThreadPage, post: &post::Model) -> Markup {
    let author = tp.authors.get(&post.author_id);
    let own = ctx.user.as_ref().is_some_and(|u| u.id == post.author_id);
    let unread = tp.read_before.is_some_and(|r| post.position > r);
    let text = tp.texts.get(&post.id).copied().unwrap_or(Text::Removed);
    let hidden = post.hidden_at.is_some();
    html! {
        article.post.unread[unread].hidden-post[hidden] id={ "bericht-" (post.id) } aria-labelledby={ "bericht-" (post.id) "-kop" } {
            header.post-header id={ "bericht-" (post.id) "-kop" } {
                strong { (person_link(ctx, author)) }
                // The handle is unique and stable: two names that look alike stay apart.
                @if let Some(handle) = author.and_then(|a| a.handle.as_deref()) {
                    " " span.handle.muted { "@" (handle) }
                }
                @if let Some(org) = author.and_then(|a| a.shown_organisation()) {
                    span.muted { ", " (org) }
                }
                " · " a.permalink href={ "/berichten/" (post.id) } { (when(ctx, post.created_at)) }
                @if let Some(edited) = post.edited_at.filter(|_| text.is_shown()) {
                    " · "
                    // Earlier versions are for the author and facilitators; others see
                    // only that, and when, the post was edited.
                    @if tp.history.contains(&post.id) {
                        a href={ "/berichten/" (post.id) "/versies" } { (ctx.t("forum.edited")) }
                    } @else {
                        span.edited { (ctx.t("forum.edited")) " " (when(ctx, edited)) }
                    }
                }
            }
            @if text == Text::Removed {
                p.removed { (ctx.t("forum.removed_by_author")) }
            } @else if text == Text::Hidden {
                p.removed { (ctx.t("moderation.hidden_notice")) }
            } @else {
                @if hidden {
                    p.hidden-marker {
                        strong { (ctx.t("moderation.hidden_marker")) }
                        @if let Some(reason) = &post.hidden_reason { " " (reason) }
                    }
                }
                div.post-body { (super::bodies::html(post)) }
                @if let Some(list) = tp.attachments.get(&post.id) { (attachment_list(ctx, list)) }
                @if ctx.user.is_some() {
                    div.post-actions {
                        @if tp.can_post && !hidden {
                            a href={ "/onderwerpen/" (tp.thread.id) "?citeer=" (post.id) "#reageren" } { (ctx.t("forum.quote")) }
                        }
                        @if own && tp.can_post {
                            a href={ "/berichten/" (post.id) "/bewerken" } { (ctx.t("forum.edit")) }
                            form.inline method="post" action={ "/berichten/" (post.id) "/verwijderen" } {
                                (layout::csrf_field(ctx))
                                button.linklike type="submit" { (ctx.t("forum.delete")) }
                            }
                        }
                        @if !own {
                            a href={ "/berichten/" (post.id) "/signaleren" } { (ctx.t("moderation.flag")) }
                        }
                        @if tp.can_moderate {
                            @if hidden {
                                form.inline method="post" action={ "/berichten/" (post.id) "/herstellen" } {
                                    (layout::csrf_field(ctx))
                                    button.linklike type="submit" { (ctx.t("moderation.restore")) }
                                }
                            } @else {
                                details.hide-post {
                                    summary { (ctx.t("moderation.hide")) }
                                    form method="post" action={ "/berichten/" (post.id) "/verbergen" } {
                                        (layout::csrf_field(ctx))
                                        label for={ "reden-" (post.id) } { (ctx.t("moderation.reason")) }
                                        input type="text" id={ "reden-" (post.id) } name="reason" required maxlength="500";
                                        button.secondary type="submit" { (ctx.t("moderation.hide")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn watch_form(ctx: &Ctx, tp: &ThreadPage) -> Markup {
    let (state_key, mode, button_key) = match tp.watching {
        Some(false) => ("watch.watching", "mute", "watch.mute"),
        Some(true) => ("watch.muted", "watch", "watch.watch"),
        None => ("watch.not_watching", "watch", "watch.watch"),
    };
    html! {
        form.watch method="post" action={ "/onderwerpen/" (tp.thread.id) "/volgen" } {
            (layout::csrf_field(ctx))
            span { (ctx.t(state_key)) } " "
            input type="hidden" name="mode" value=(mode);
            button.secondary type="submit" { (ctx.t(button_key)) }
        }
    }
}

fn moderation_panel(ctx: &Ctx, tp: &ThreadPage) -> Markup {
    let t = tp.thread;
    html! {
        details.moderation {
            summary { (ctx.t("moderation.panel")) }
            div.actions {
                form.inline method="post" action={ "/onderwerpen/" (t.id) "/vastzetten" } {
                    (layout::csrf_field(ctx))
                    button.secondary type="submit" {
                        @if t.pinned { (ctx.t("moderation.unpin")) } @else { (ctx.t("moderation.pin")) }
                    }
                }
                form.inline method="post" action={ "/onderwerpen/" (t.id) "/sluiten" } {
                    (layout::csrf_field(ctx))
                    button.secondary type="submit" {
                        @if t.locked { (ctx.t("moderation.unlock")) } @else { (ctx.t("moderation.lock")) }
                    }
                }
            }
            @if !tp.move_targets.is_empty() {
                form.move-thread method="post" action={ "/onderwerpen/" (t.id) "/verplaatsen" } {
                    (layout::csrf_field(ctx))
                    label for="move-practice" { (ctx.t("moderation.move_to")) }
                    select #move-practice name="practice" {
                        @for p in &tp.move_targets {
                            option value=(p.slug) { (p.name(ctx.lang)) }
                        }
                    }
                    button.secondary type="submit" { (ctx.t("moderation.move")) }
                }
            }
            p { a href={ "/praktijken/" (tp.practice.slug) "/signaleringen" } { (ctx.t("moderation.queue_link")) } }
        }
    }
}

/// The choice of who may read a thread, or a practice's new threads, with its warning.
pub fn visibility_form(
    ctx: &Ctx,
    action: &str,
    current: &str,
    public_ok: bool,
    errors: &FieldErrors,
) -> Markup {
    html! {
        form.stacked method="post" action=(action) novalidate {
            (layout::csrf_field(ctx))
            (forms::visibility_field(ctx, "visibility", "field.visibility", current, public_ok, errors))
            button.secondary type="submit" { (ctx.t("visibility.change_button")) }
        }
    }
}

/// The same choice on a page of its own, when it came back with a problem (public without
/// the box ticked).
pub fn visibility_page(
    ctx: &Ctx,
    title_key: &str,
    back: (&str, &str),
    action: &str,
    current: &str,
    errors: &FieldErrors,
) -> Markup {
    let title = ctx.t(title_key);
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href=(back.0) { (back.1) } }
            h1 { (title) }
            (forms::error_summary(ctx, errors))
            (visibility_form(ctx, action, current, false, errors))
        },
    )
}

pub fn thread_page(
    ctx: &Ctx,
    tp: &ThreadPage,
    form: &PostForm,
    errors: &FieldErrors,
    preview: bool,
    files: &Files,
) -> Markup {
    let t = tp.thread;
    let base = format!("/onderwerpen/{}", t.id);
    let first_unread = tp
        .read_before
        .filter(|r| *r < t.post_count)
        .map(|_| format!("{base}/ongelezen"));
    layout::page(
        ctx,
        &t.title,
        html! {
            p.breadcrumb {
                a href="/praktijken" { (ctx.t("practices.title")) } " › "
                a href={ "/praktijken/" (tp.practice.slug) } { (tp.practice.name(ctx.lang)) }
            }
            h1 { (t.title) }
            p.meta {
                @if t.pinned { span.badge { (ctx.t("forum.pinned")) } " " }
                @if t.locked { span.badge { (ctx.t("forum.locked")) } " " }
                (visibility_badge(ctx, t.visibility))
                " " (ctx.lang.plural("forum.replies", i64::from(t.post_count - 1)))
            }
            nav.thread-jumps aria-label=(ctx.t("forum.jump_label")) {
                @if let Some(href) = &first_unread { a href=(href) { (ctx.t("forum.first_unread")) } }
                @if tp.pages > 1 && tp.page != tp.pages {
                    a href={ (base) "?pagina=" (tp.pages) } { (ctx.t("forum.last_page")) }
                }
                @if tp.page == tp.pages && (tp.can_post) { a href="#reageren" { (ctx.t("forum.to_reply")) } }
            }
            @if let Some(m) = tp.report_of {
                p.report-of {
                    (ctx.t("meetings.report_of")) " "
                    a href={ "/bijeenkomsten/" (m.id) } { (m.title) }
                    " (" (crate::meetings::views::long_date(ctx.lang, m.starts_at)) ")"
                }
            }
            @if !tp.used_in.is_empty() {
                p.used-in {
                    (ctx.t("summaries.used_in")) " "
                    @for (i, s) in tp.used_in.iter().enumerate() {
                        @if i > 0 { ", " }
                        a href={ "/kennisbundels/" (s.slug) } { (s.title) }
                    }
                }
            }
            @if ctx.user.is_some() {
                (watch_form(ctx, tp))
                @if tp.practice.kind == practice::Kind::Practice {
                    p.nominate { a href={ "/onderwerpen/" (t.id) "/voordragen" } { (ctx.t("nominations.link_on_thread")) } }
                }
            }
            @if tp.can_moderate { (moderation_panel(ctx, tp)) }
            @if tp.can_change_visibility {
                details.visibility-change {
                    summary { (ctx.t("visibility.change_title")) }
                    p.hint { (ctx.t("visibility.change_intro")) }
                    (visibility_form(ctx, &format!("{base}/zichtbaarheid"), t.visibility.as_str(), false, &FieldErrors::default()))
                }
            }
            (pagination(ctx, &base, tp.page, tp.pages))
            div.posts {
                @for post in tp.posts {
                    (post_article(ctx, tp, post))
                }
            }
            (pagination(ctx, &base, tp.page, tp.pages))
            section #reageren aria-labelledby="reply-title" {
                h2 #reply-title { (ctx.t("forum.reply_title")) }
                @if tp.can_post {
                    @if form.restored { (layout::notice(&ctx.t("forum.text_kept"))) }
                    @if preview { (preview_box(ctx, &form.body, &form.mentions)) }
                    (forms::error_summary(ctx, errors))
                    form.stacked.wide method="post" action={ (base) "/reageren" } enctype="multipart/form-data" novalidate data-draft={ "reply:" (t.id) } {
                        (layout::csrf_field(ctx))
                        @if !form.quote.is_empty() { input type="hidden" name="quote" value=(form.quote); }
                        (body_field(ctx, form, errors, "field.reply"))
                        (files_field(ctx, errors, files))
                        (submit_buttons(ctx, "forum.post_reply"))
                    }
                } @else if t.locked {
                    p { (ctx.t("forum.locked_notice")) }
                } @else if tp.practice.archived {
                    p { (ctx.t("practices.archived_notice")) }
                } @else if ctx.user.is_some() {
                    p { (ctx.t("forum.join_to_reply")) " " a href={ "/praktijken/" (tp.practice.slug) } { (tp.practice.name(ctx.lang)) } }
                } @else {
                    p { a href={ "/inloggen?next=" (crate::error::urlencode(&base)) } { (ctx.t("nav.sign_in")) } " " (ctx.t("forum.sign_in_to_reply"))
                        " " (ctx.t("forum.not_member_yet")) " " a href="/word-lid" { (ctx.t("nav.apply")) } }
                }
            }
            (crate::search::views::related(ctx, tp.related))
        },
    )
}

pub fn edit_post(
    ctx: &Ctx,
    thread: &thread::Model,
    post: &post::Model,
    form: &PostForm,
    errors: &FieldErrors,
    preview: bool,
) -> Markup {
    let title = ctx.t("forum.edit_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href=(post_url(thread.id, post)) { (thread.title) } }
            h1 { (title) }
            @if preview { (preview_box(ctx, &form.body, &form.mentions)) }
            (forms::error_summary(ctx, errors))
            form.stacked.wide method="post" action={ "/berichten/" (post.id) "/bewerken" } novalidate {
                (layout::csrf_field(ctx))
                (body_field(ctx, form, errors, "field.body"))
                (submit_buttons(ctx, "forum.save_edit"))
            }
            p.hint { (ctx.t("forum.edit_history_hint")) }
        },
    )
}

/// Every version of a post, newest first; `diffs[i]` compares version `i + 1` with the one
/// before it (made by [`crate::diff::compare_all`]).
pub fn post_history(
    ctx: &Ctx,
    thread: &thread::Model,
    post: &post::Model,
    revisions: &[post_revision::Model],
    authors: &HashMap<i32, user::Model>,
    diffs: &[Diff],
) -> Markup {
    let title = ctx.t("forum.history_title");
    // Versions oldest first: the earlier texts (with their redaction, if any), then the
    // current one.
    let mut versions: Vec<(Option<&post_revision::Model>, &str, DateTime<Utc>)> = revisions
        .iter()
        .map(|r| (Some(r), r.body.as_str(), r.created_at))
        .collect();
    versions.push((None, &post.body, post.edited_at.unwrap_or(post.created_at)));
    let author = person_name(ctx, authors.get(&post.author_id));
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href=(post_url(thread.id, post)) { (thread.title) } }
            h1 { (title) }
            p { (rust_i18n::t!("forum.history_intro", locale = ctx.lang.code(), name = &*author)) }
            p.hint { (ctx.t("forum.history_who")) }
            ol.versions reversed {
                @for (i, (revision, body, at)) in versions.iter().enumerate().rev() {
                    @let redacted = revision.and_then(|r| r.redacted_at);
                    @let previous_redacted = i > 0 && versions[i - 1].0.is_some_and(|r| r.redacted_at.is_some());
                    li {
                        h2 {
                            (rust_i18n::t!("forum.version_n", locale = ctx.lang.code(), n = i + 1))
                            " · " (when(ctx, *at))
                        }
                        @if let Some(redacted_at) = redacted {
                            p.removed { (ctx.t("forum.version_redacted")) " " (when(ctx, redacted_at)) }
                        } @else if i == 0 || previous_redacted {
                            div.post-body { (Markdown(body)) }
                        } @else {
                            p.hint { (ctx.t("forum.diff_hint")) }
                            @if let Some(diff) = diffs.get(i - 1) { (diff) }
                        }
                        @if let Some(r) = revision.filter(|r| r.redacted_at.is_none()) {
                            details.redact {
                                summary { (ctx.t("forum.redact")) }
                                p { (ctx.t("forum.redact_explain")) }
                                form.inline method="post" action={ "/berichten/" (post.id) "/versies/" (r.id) "/wissen" } {
                                    (layout::csrf_field(ctx))
                                    button.secondary type="submit" { (ctx.t("forum.redact_confirm")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
