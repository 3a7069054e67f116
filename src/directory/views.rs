//! The directory's pages: the list with its filters, and the member's own listing form.

use maud::{Markup, html};

use super::{Choices, DISTRICTS, Entry, Filters, ListingForm, ORGANISATIONS_MAX};
use crate::{
    context::Ctx,
    forms::{self, FieldErrors},
    forum::views::person_link,
    layout,
};

pub(crate) fn filter_select(
    ctx: &Ctx,
    name: &str,
    label: &str,
    current: &str,
    options: &[(String, String)],
) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" { (ctx.t("directory.any")) }
                @for (value, text) in options {
                    option value=(value) selected[current == value] { (text) }
                }
            }
        }
    }
}

fn query_of(f: &Filters, page: u64) -> String {
    let mut pairs: Vec<(&str, String)> = [
        ("q", f.q.clone()),
        ("praktijk", f.praktijk.clone()),
        ("organisatie", f.organisatie.clone()),
        ("wijk", f.wijk.clone()),
        ("expertise", f.expertise.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    if page > 1 {
        pairs.push(("pagina", page.to_string()));
    }
    serde_html_form::to_string(pairs).unwrap_or_default()
}

pub fn directory(
    ctx: &Ctx,
    f: &Filters,
    choices: &Choices,
    entries: &[Entry],
    total: u64,
    page: u64,
    pages: u64,
) -> Markup {
    let title = ctx.t("directory.title");
    let practices: Vec<(String, String)> = choices
        .practices
        .iter()
        .map(|p| (p.slug.clone(), p.name(ctx.lang).to_owned()))
        .collect();
    let organisations: Vec<(String, String)> = choices
        .organisations
        .iter()
        .map(|o| (o.slug.clone(), o.name.clone()))
        .collect();
    let districts: Vec<(String, String)> = DISTRICTS
        .iter()
        .map(|(s, n)| ((*s).to_owned(), (*n).to_owned()))
        .collect();
    let tags: Vec<(String, String)> = choices
        .tags
        .iter()
        .map(|t| (t.slug.clone(), t.name(ctx.lang).to_owned()))
        .collect();
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("directory.intro")) " " a href="/profiel/gids" { (ctx.t("directory.own_link")) } }
            form.filters method="get" action="/leden" role="search" {
                div.field {
                    label for="q" { (ctx.t("directory.name")) }
                    input #q type="search" name="q" value=(f.q) maxlength="100";
                }
                (filter_select(ctx, "praktijk", &ctx.t("directory.practice"), &f.praktijk, &practices))
                (filter_select(ctx, "organisatie", &ctx.t("directory.organisation"), &f.organisatie, &organisations))
                (filter_select(ctx, "wijk", &ctx.t("directory.district"), &f.wijk, &districts))
                (filter_select(ctx, "expertise", &ctx.t("directory.expertise"), &f.expertise, &tags))
                button.primary type="submit" { (ctx.t("directory.search")) }
            }
            p.count { (ctx.lang.plural("directory.found", i64::try_from(total).unwrap_or(i64::MAX))) }
            @if entries.is_empty() {
                p.empty { (ctx.t("directory.none")) }
            } @else {
                ul.people.directory {
                    @for e in entries {
                        li.card {
                            h2 { (person_link(ctx, Some(&e.person))) }
                            @if !e.person.job.is_empty() { p.meta { (e.person.job) } }
                            (details(ctx, e))
                            @if ctx.user.as_ref().is_some_and(|me| me.id != e.person.id) {
                                (crate::messages::views::write_link(ctx, &e.person))
                            }
                        }
                    }
                }
                @if pages > 1 {
                    nav.pagination aria-label=(ctx.t("layout.pagination")) {
                        @if page > 1 { a href={ "/leden?" (query_of(f, page - 1)) } rel="prev" { (ctx.t("directory.previous")) } }
                        " " (page) " / " (pages) " "
                        @if page < pages { a href={ "/leden?" (query_of(f, page + 1)) } rel="next" { (ctx.t("directory.next")) } }
                    }
                }
            }
        },
    )
}

/// What a member shows of themselves (organisations, districts, expertise, phone, email):
/// the same on the directory and on their page, and only what they chose.
pub fn details(ctx: &Ctx, e: &Entry) -> Markup {
    html! {
        @if !e.organisations.is_empty() {
            p {
                @for (i, o) in e.organisations.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/organisaties/" (o.slug) } { (o.name) }
                }
            }
        }
        @if !e.districts.is_empty() {
            p.meta { (ctx.t("directory.works_in")) " " (e.districts.join(", ")) }
        }
        @if !e.expertise.is_empty() {
            p {
                @for t in &e.expertise {
                    span.badge { (t.name(ctx.lang)) } " "
                }
            }
        }
        @if let Some(phone) = &e.phone {
            p { (ctx.t("directory.phone")) ": " a href={ "tel:" (phone.replace(' ', "")) } { (phone) } }
        }
        @if let Some(email) = &e.email {
            p { (ctx.t("field.email")) ": " a href={ "mailto:" (email) } { (email) } }
        }
    }
}

fn checkbox(name: &str, value: &str, id: &str, checked: bool, label: &str) -> Markup {
    html! {
        div.check {
            input type="checkbox" name=(name) value=(value) id=(id) checked[checked];
            label for=(id) { (label) }
        }
    }
}

pub fn listing_form(
    ctx: &Ctx,
    choices: &Choices,
    form: &ListingForm,
    errors: &FieldErrors,
    saved: bool,
) -> Markup {
    let title = ctx.t("directory.own_title");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/profiel" { (ctx.t("nav.profile")) } " › " a href="/leden" { (ctx.t("directory.title")) } }
            h1 { (title) }
            @if saved { (layout::notice(&ctx.t("directory.saved"))) }
            p.lead { (ctx.t("directory.own_intro")) }
            (forms::form(ctx, "/profiel/gids", errors, &ctx.t("directory.save"), html! {
                fieldset.field.has-error[errors.get("organisation").is_some()] #organisation {
                    legend { (rust_i18n::t!("directory.your_organisations", locale = ctx.lang.code(), n = ORGANISATIONS_MAX)) }
                    @if let Some(key) = errors.get("organisation") { p.field-error { (ctx.t(key)) } }
                    @for o in &choices.organisations {
                        (checkbox("organisation", &o.slug, &format!("org-{}", o.slug), form.organisation.contains(&o.slug), &o.name))
                    }
                    (checkbox("show_organisation", "1", "show-organisation", form.show_organisation.is_some(), &ctx.t("directory.show_organisation")))
                }
                fieldset.field #district {
                    legend { (ctx.t("directory.your_districts")) }
                    @for (slug, name) in DISTRICTS {
                        (checkbox("district", slug, &format!("district-{slug}"), form.district.iter().any(|d| d == slug), name))
                    }
                    (checkbox("show_districts", "1", "show-districts", form.show_districts.is_some(), &ctx.t("directory.show_districts")))
                }
                fieldset.field #expertise {
                    legend { (ctx.t("directory.your_expertise")) }
                    @for t in &choices.tags {
                        (checkbox("expertise", &t.slug, &format!("tag-{}", t.slug), form.expertise.contains(&t.slug), t.name(ctx.lang)))
                    }
                }
                (forms::input(ctx, forms::Field::new("phone", &form.phone).kind("tel").autocomplete("tel").optional(), errors))
                fieldset.field {
                    legend { (ctx.t("directory.contact")) }
                    (checkbox("show_phone", "1", "show-phone", form.show_phone.is_some(), &ctx.t("directory.show_phone")))
                    (checkbox("show_email", "1", "show-email", form.show_email.is_some(), &ctx.t("directory.show_email")))
                }
            }))
        },
    )
}
