//! The page frame every page shares: skip link, header with navigation, main landmark,
//! footer with the language switch. Views are pure functions of data; this is the outermost.

use maud::{DOCTYPE, Markup, html};

use crate::{context::Ctx, csrf, error::ErrorKind, i18n::Lang};

pub fn page(ctx: &Ctx, title: &str, body: Markup) -> Markup {
    let site = ctx.t("site.name");
    html! {
        (DOCTYPE)
        html lang=(ctx.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (site) }
                meta name="description" content=(ctx.t("site.tagline"));
                link rel="stylesheet" href=(ctx.stylesheet);
                link rel="search" type="application/opensearchdescription+xml" href="/opensearch.xml" title=(site);
            }
            body {
                a.skip-link href="#main" { (ctx.t("layout.skip")) }
                header.site-header {
                    div.wrap {
                        a.brand href="/" {
                            span.brand-name { (site) }
                            span.brand-tagline { (ctx.t("site.tagline")) }
                        }
                        // On a phone: the bell and a menu that folds (no script needed); the
                        // full navigation from tablet width up.
                        @if ctx.user.is_some() {
                            (bell_link(ctx, "bell-phone"))
                            // Unread messages show beside the bell too, not only in the menu.
                            @if ctx.unread_messages > 0 { (messages_link(ctx, "bell-phone messages-phone")) }
                        }
                        details.menu {
                            summary { (ctx.t("layout.menu")) }
                            nav aria-label=(ctx.t("layout.nav_label")) { (nav_items(ctx)) }
                        }
                        // The search page has its own box.
                        @if !ctx.path.starts_with("/zoeken") { (crate::search::views::header_box(ctx)) }
                        nav.wide aria-label=(ctx.t("layout.nav_label")) { (nav_items(ctx)) }
                    }
                }
                main #main.wrap tabindex="-1" {
                    @if ctx.user.as_ref().is_some_and(|u| u.mail_notice) {
                        (crate::notifications::stop::notice(ctx))
                    }
                    (body)
                }
                footer.site-footer {
                    div.wrap {
                        p { (ctx.t("footer.about")) }
                        p { a href="/privacy" { (ctx.t("footer.privacy")) } }
                        // Plain links: switching language changes only a preference, and a
                        // page with a form on it could not be the same for every visitor.
                        nav.lang-switch aria-labelledby="lang-label" {
                            span #lang-label { (ctx.t("footer.language")) }
                            @let back = back_query(&ctx.path);
                            @for lang in Lang::ALL {
                                @let name = lang.t("lang.self");
                                @if lang == ctx.lang {
                                    a href={ "/taal/" (lang.code()) "?" (back) } aria-current="true" lang=(lang.code()) hreflang=(lang.code()) { (name) }
                                } @else {
                                    a href={ "/taal/" (lang.code()) "?" (back) } lang=(lang.code()) hreflang=(lang.code()) { (name) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The site's links, for the wide navigation and the phone's menu alike.
fn nav_items(ctx: &Ctx) -> Markup {
    html! {
        ul.nav {
            li { a href="/praktijken" { (ctx.t("nav.practices")) } }
            li { a href="/bijeenkomsten" { (ctx.t("nav.meetings")) } }
            li { a href="/kennisbundels" { (ctx.t("nav.summaries")) } }
            li { a href="/interventies" { (ctx.t("nav.interventions")) } }
            li { a href="/volgen" { (ctx.t("nav.follow")) } }
            @if ctx.user.is_some() {
                @if ctx.reader().in_expert_group() {
                    li { a href="/expertgroep" { (ctx.t("nav.expert_area")) } }
                }
                @if ctx.is_admin() {
                    li {
                        a href="/beheer" aria-label=[(ctx.open_flags > 0).then(|| ctx.lang.plural("nav.admin_flags", i64::try_from(ctx.open_flags).unwrap_or(i64::MAX)))] {
                            (ctx.t("nav.admin"))
                            @if ctx.open_flags > 0 {
                                " " span.count aria-hidden="true" { (ctx.open_flags) }
                            }
                        }
                    }
                }
                li { a href="/leden" { (ctx.t("nav.directory")) } }
                li { (messages_link(ctx, "messages-link")) }
                li { (bell_link(ctx, "bell")) }
                li { a href="/profiel" { (ctx.t("nav.profile")) } }
                li {
                    form.inline method="post" action="/uitloggen" {
                        (csrf_field(ctx))
                        button.linklike type="submit" { (ctx.t("nav.sign_out")) }
                    }
                }
            } @else {
                li { a href="/word-lid" { (ctx.t("nav.apply")) } }
                li { a href="/inloggen" { (ctx.t("nav.sign_in")) } }
            }
        }
    }
}

/// "Meldingen" with the bell and the count of unread ones.
fn bell_link(ctx: &Ctx, class: &str) -> Markup {
    html! {
        a class=(class) href="/meldingen" aria-label=[(ctx.unread_notifications > 0).then(|| ctx.lang.plural("nav.notifications_count", i64::try_from(ctx.unread_notifications).unwrap_or(i64::MAX)))] {
            (bell())
            span.bell-word { (ctx.t("nav.notifications")) }
            @if ctx.unread_notifications > 0 {
                " " span.count aria-hidden="true" { (ctx.unread_notifications) }
            }
        }
    }
}

/// "Berichten" (private messages) with the count of unread ones.
fn messages_link(ctx: &Ctx, class: &str) -> Markup {
    html! {
        a class=(class) href="/berichten" aria-label=[(ctx.unread_messages > 0).then(|| ctx.lang.plural("nav.messages_count", i64::try_from(ctx.unread_messages).unwrap_or(i64::MAX)))] {
            (ctx.t("nav.messages"))
            @if ctx.unread_messages > 0 {
                " " span.count aria-hidden="true" { (ctx.unread_messages) }
            }
        }
    }
}

/// The bell before "Meldingen": a drawing, so it needs no font and says nothing to a screen
/// reader (the link's words do).
fn bell() -> Markup {
    maud::PreEscaped(
        r#"<svg class="icon" aria-hidden="true" focusable="false" viewBox="0 0 24 24" width="18" height="18"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg> "#.into(),
    )
}

/// `terug=<this page>`, for the language links.
fn back_query(path: &str) -> String {
    serde_html_form::to_string([("terug", path)]).unwrap_or_default()
}

pub fn csrf_field(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(ctx.csrf.for_form()); }
}

/// A short confirmation or notice in a calm box.
pub fn notice(text: &str) -> Markup {
    html! { div.notice role="status" { p { (text) } } }
}

/// The page a link from a mail opens when it acts (confirm, stop, erase): a title and one
/// button, so that link checkers that open every link in a mail change nothing.
pub fn one_button(ctx: &Ctx, title_key: &str, action: &str, button_key: &str) -> Markup {
    let title = ctx.t(title_key);
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            form method="post" action=(action) {
                (csrf_field(ctx))
                button.primary type="submit" { (ctx.t(button_key)) }
            }
        },
    )
}

/// What a link from a mail shows once it no longer works (410): why, and where to go on.
pub fn link_gone(ctx: &Ctx, title_key: &str, text_key: &str, next: (&str, &str)) -> Markup {
    let title = ctx.t(title_key);
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t(text_key)) }
            p { a.button href=(next.0) { (ctx.t(next.1)) } }
        },
    )
}

pub fn error_page(ctx: &Ctx, kind: ErrorKind) -> Markup {
    let key = kind.key();
    let title = ctx.t(&format!("{key}.title"));
    page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t(&format!("{key}.text"))) }
            p { a href="/" { (ctx.t("error.home_link")) } }
        },
    )
}
