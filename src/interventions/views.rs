//! The catalogue's pages as HTML: the list with its filters, an intervention's page, its
//! history, the proposal form and the review of a proposal.

use chrono::Utc;
use maud::{Markup, PreEscaped, html};

use super::{Content, Entry, Filter, TARGET_GROUPS, is_stale, target_groups_of};
use crate::{
    context::Ctx,
    diff::Diff,
    directory::{self, DISTRICTS, views::filter_select},
    entities::{
        intervention::{self, Status},
        intervention_version::{self, State},
        organisation, user,
    },
    forms::{self, Field, FieldErrors},
    forum::views::person_link,
    layout,
};

pub fn group_name(ctx: &Ctx, slug: &str) -> String {
    ctx.t(&format!("interventions.group.{slug}")).into_owned()
}

fn groups_text(ctx: &Ctx, stored: &str) -> String {
    target_groups_of(stored)
        .into_iter()
        .map(|g| group_name(ctx, g))
        .collect::<Vec<_>>()
        .join(", ")
}

fn districts_text(ctx: &Ctx, stored: &str) -> String {
    let names: Vec<&str> = directory::districts_of(stored)
        .into_iter()
        .filter_map(directory::district_name)
        .collect();
    if names.is_empty() {
        ctx.t("interventions.whole_city").into_owned()
    } else {
        names.join(", ")
    }
}

fn organisation_of(
    organisations: &[organisation::Model],
    id: Option<i32>,
) -> Option<&organisation::Model> {
    id.and_then(|id| organisations.iter().find(|o| o.id == id))
}

fn query_of(f: &Filter, page: u64) -> String {
    let mut pairs: Vec<(&str, String)> = [
        ("doelgroep", f.group.clone()),
        ("wijk", f.district.clone()),
        ("organisatie", f.organisation.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    if page > 1 {
        pairs.push(("page", page.to_string()));
    }
    serde_html_form::to_string(pairs).unwrap_or_default()
}

/// One intervention in a list (the catalogue, an organisation's page).
pub fn card(ctx: &Ctx, e: &Entry, organisations: &[organisation::Model]) -> Markup {
    let v = &e.version;
    html! {
        li.card {
            h2 { a href={ "/interventies/" (e.intervention.slug) } { (v.name) } }
            p.meta {
                @if let Some(o) = organisation_of(organisations, v.organisation_id) { (o.name) " · " }
                (districts_text(ctx, &v.districts))
                @if is_stale(&e.intervention, Utc::now()) {
                    " " span.badge.warning { (ctx.t("interventions.stale_badge")) }
                }
            }
            p { (crate::markdown::excerpt(&v.description, 220)) }
            p.tags {
                @for g in target_groups_of(&v.target_groups) {
                    span.badge { (group_name(ctx, g)) } " "
                }
            }
        }
    }
}

pub struct ListPage<'a> {
    pub filter: &'a Filter,
    pub entries: &'a [Entry],
    pub total: usize,
    pub page: u64,
    pub pages: u64,
    pub organisations: &'a [organisation::Model],
    /// Proposals waiting, for those who publish (`None` for the others).
    pub waiting: Option<u64>,
    pub member: bool,
}

pub fn list(ctx: &Ctx, p: &ListPage) -> Markup {
    let title = ctx.t("interventions.title");
    let groups: Vec<(String, String)> = TARGET_GROUPS
        .iter()
        .map(|g| ((*g).to_owned(), group_name(ctx, g)))
        .collect();
    let districts: Vec<(String, String)> = DISTRICTS
        .iter()
        .map(|(s, n)| ((*s).to_owned(), (*n).to_owned()))
        .collect();
    let organisations: Vec<(String, String)> = p
        .organisations
        .iter()
        .map(|o| (o.slug.clone(), o.name.clone()))
        .collect();
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p.lead { (ctx.t("interventions.intro")) }
            @if p.member {
                p.actions {
                    a.button href="/interventies/nieuw" { (ctx.t("interventions.propose")) }
                    @if let Some(n) = p.waiting {
                        " " a href="/interventies/voorstellen" { (ctx.lang.plural("interventions.waiting", i64::try_from(n).unwrap_or(0))) }
                    }
                }
            }
            form.filters method="get" action="/interventies" role="search" {
                (filter_select(ctx, "doelgroep", &ctx.t("interventions.target_group"), &p.filter.group, &groups))
                (filter_select(ctx, "wijk", &ctx.t("directory.district"), &p.filter.district, &districts))
                (filter_select(ctx, "organisatie", &ctx.t("directory.organisation"), &p.filter.organisation, &organisations))
                button.primary type="submit" { (ctx.t("interventions.filter")) }
            }
            p.count { (ctx.lang.plural("interventions.found", i64::try_from(p.total).unwrap_or(i64::MAX))) }
            @if p.entries.is_empty() {
                p.empty { (ctx.t("interventions.none")) }
            } @else {
                ul.cards.interventions {
                    @for e in p.entries { (card(ctx, e, p.organisations)) }
                }
                @if p.pages > 1 {
                    nav.pagination aria-label=(ctx.t("layout.pagination")) {
                        @if p.page > 1 { a href={ "/interventies?" (query_of(p.filter, p.page - 1)) } rel="prev" { (ctx.t("directory.previous")) } }
                        " " (p.page) " / " (p.pages) " "
                        @if p.page < p.pages { a href={ "/interventies?" (query_of(p.filter, p.page + 1)) } rel="next" { (ctx.t("directory.next")) } }
                    }
                }
            }
        },
    )
}

/// Markdown fields rendered (off the executor, by the caller).
pub struct Rendered {
    pub description: String,
    pub referral: String,
    pub evidence: String,
}

impl Rendered {
    pub fn of(v: &intervention_version::Model) -> Rendered {
        crate::markdown::off_executor(|| Rendered {
            description: crate::markdown::to_html(&v.description),
            referral: crate::markdown::to_html(&v.referral),
            evidence: crate::markdown::to_html(&v.evidence),
        })
    }
}

/// The facts of one version: what the page shows, and what a proposal's review shows.
pub fn facts(
    ctx: &Ctx,
    v: &intervention_version::Model,
    rendered: &Rendered,
    organisations: &[organisation::Model],
    related: &[(String, String)],
) -> Markup {
    html! {
        div.post-body { (PreEscaped(&rendered.description)) }
        dl.meeting-facts {
            @if let Some(o) = organisation_of(organisations, v.organisation_id) {
                dt { (ctx.t("directory.organisation")) }
                dd { a href={ "/organisaties/" (o.slug) } { (o.name) } }
            }
            dt { (ctx.t("interventions.target_group")) } dd { (groups_text(ctx, &v.target_groups)) }
            dt { (ctx.t("directory.district")) } dd { (districts_text(ctx, &v.districts)) }
            @if !v.cost.is_empty() { dt { (ctx.t("field.cost")) } dd { (v.cost) } }
            @if !v.languages.is_empty() { dt { (ctx.t("field.languages")) } dd { (v.languages) } }
        }
        section aria-labelledby="referral" {
            h2 #referral { (ctx.t("interventions.how_to_refer")) }
            div.post-body { (PreEscaped(&rendered.referral)) }
            @if !v.contact.is_empty() {
                p { strong { (ctx.t("field.contact")) ": " } (v.contact) }
            }
        }
        @if !v.evidence.is_empty() {
            section aria-labelledby="evidence" {
                h2 #evidence { (ctx.t("field.evidence")) }
                div.post-body { (PreEscaped(&rendered.evidence)) }
            }
        }
        @if !related.is_empty() {
            section aria-labelledby="related" {
                h2 #related { (ctx.t("interventions.related")) }
                ul { @for (path, title) in related { li { a href=(path) { (title) } } } }
            }
        }
    }
}

pub struct ShowPage<'a> {
    pub intervention: &'a intervention::Model,
    pub version: &'a intervention_version::Model,
    pub rendered: Rendered,
    pub organisations: &'a [organisation::Model],
    pub related: Vec<(String, String)>,
    pub member: bool,
    /// Publishes interventions, or owns this one: may confirm it is still current.
    pub may_check: bool,
    pub publishes: bool,
    /// Proposals waiting for this intervention that this reader may see.
    pub proposals: Vec<intervention_version::Model>,
}

pub fn show(ctx: &Ctx, p: &ShowPage) -> Markup {
    let i = p.intervention;
    let now = Utc::now();
    html! {
        p.breadcrumb { a href="/interventies" { (ctx.t("interventions.title")) } }
        h1 { (p.version.name) }
        @if i.status != Status::Published {
            div.notice.warning { p { (ctx.t(&format!("interventions.status.{}", status_slug(i.status)))) } }
        } @else if is_stale(i, now) {
            div.notice.warning {
                p { (ctx.t("interventions.stale_notice")) }
            }
        }
        p.tags {
            @for g in target_groups_of(&p.version.target_groups) { span.badge { (group_name(ctx, g)) } " " }
        }
        (facts(ctx, p.version, &p.rendered, p.organisations, &p.related))
        p.meta {
            (ctx.t("interventions.checked")) ": "
            @match i.checked_at { Some(at) => (ctx.lang.date(at)), None => (ctx.t("interventions.never_checked")) }
            " · " a href={ "/interventies/" (i.slug) "/geschiedenis" } { (ctx.t("interventions.history")) }
        }
        @if p.member {
            section.actions aria-label=(ctx.t("interventions.actions")) {
                @if i.status == Status::Published {
                    a.button href={ "/interventies/" (i.slug) "/wijzigen" } { (ctx.t("interventions.propose_change")) }
                }
                @if p.may_check && i.status == Status::Published {
                    form.inline method="post" action={ "/interventies/" (i.slug) "/gecontroleerd" } {
                        (layout::csrf_field(ctx))
                        button type="submit" { (ctx.t("interventions.confirm_current")) }
                    }
                }
                @if p.publishes && i.status == Status::Published {
                    form.inline method="post" action={ "/interventies/" (i.slug) "/intrekken" } {
                        (layout::csrf_field(ctx))
                        button type="submit" { (ctx.t("interventions.withdraw")) }
                    }
                }
            }
        }
        @if !p.proposals.is_empty() {
            section aria-labelledby="proposals" {
                h2 #proposals { (ctx.t("interventions.proposals")) }
                ul {
                    @for v in &p.proposals {
                        li { a href={ "/interventies/voorstellen/" (v.id) } { (v.name) } " · " (ctx.lang.datetime(v.created_at)) }
                    }
                }
            }
        }
    }
}

pub fn status_slug(status: Status) -> &'static str {
    match status {
        Status::Proposed => "proposed",
        Status::Published => "published",
        Status::Declined => "declined",
        Status::Withdrawn => "withdrawn",
    }
}

pub fn state_slug(state: State) -> &'static str {
    match state {
        State::Pending => "pending",
        State::Published => "published",
        State::Declined => "declined",
    }
}

/// The proposal form: a new intervention, or a change of one.
pub fn form(
    ctx: &Ctx,
    title: &str,
    action: &str,
    content: &Content,
    errors: &FieldErrors,
    organisations: &[organisation::Model],
) -> Markup {
    let options: Vec<(String, String)> = organisations
        .iter()
        .map(|o| (o.slug.clone(), o.name.clone()))
        .collect();
    layout::page(
        ctx,
        title,
        html! {
            p.breadcrumb { a href="/interventies" { (ctx.t("interventions.title")) } }
            h1 { (title) }
            p.lead { (ctx.t("interventions.form_intro")) }
            (forms::form(ctx, action, errors, &ctx.t("interventions.send_proposal"), html! {
                (forms::input(ctx, Field::new("name", &content.name).max_length(super::NAME_MAX), errors))
                div.field.has-error[errors.get("organisation").is_some()] {
                    label for="organisation" { (ctx.t("directory.organisation")) }
                    @if let Some(key) = errors.get("organisation") { p.field-error id="organisation-error" { (ctx.t(key)) } }
                    select #organisation name="organisation"
                        aria-invalid=[errors.get("organisation").map(|_| "true")]
                        aria-describedby=[errors.get("organisation").map(|_| "organisation-error")] {
                        option value="" { (ctx.t("interventions.no_organisation")) }
                        @for (value, text) in &options {
                            option value=(value) selected[content.organisation == *value] { (text) }
                        }
                    }
                }
                (forms::textarea(ctx, Field::new("description", &content.description).hint("interventions.description_hint"), errors))
                fieldset.field.has-error[errors.get("group").is_some()] id="group"
                    aria-describedby=[errors.get("group").map(|_| "group-error")] {
                    legend { (ctx.t("interventions.target_group")) }
                    @if let Some(key) = errors.get("group") { p.field-error id="group-error" { (ctx.t(key)) } }
                    @for g in TARGET_GROUPS {
                        div.check {
                            input type="checkbox" name="group" value=(g) id={ "group-" (g) }
                                checked[content.group.iter().any(|c| c == g)];
                            label for={ "group-" (g) } { (group_name(ctx, g)) }
                        }
                    }
                }
                fieldset.field {
                    legend { (ctx.t("interventions.districts_legend")) }
                    @for (slug, name) in DISTRICTS {
                        div.check {
                            input type="checkbox" name="district" value=(slug) id={ "district-" (slug) }
                                checked[content.district.iter().any(|d| d == slug)];
                            label for={ "district-" (slug) } { (name) }
                        }
                    }
                }
                (forms::textarea(ctx, Field::new("referral", &content.referral).hint("interventions.referral_hint"), errors))
                (forms::input(ctx, Field::new("contact", &content.contact).optional().max_length(super::LINE_MAX), errors))
                (forms::input(ctx, Field::new("cost", &content.cost).optional().max_length(super::LINE_MAX), errors))
                (forms::input(ctx, Field::new("languages", &content.languages).optional().max_length(super::LINE_MAX), errors))
                (forms::textarea(ctx, Field::new("evidence", &content.evidence).optional().hint("interventions.evidence_hint"), errors))
                (forms::textarea(ctx, Field::new("related", &content.related).optional().hint("interventions.related_hint"), errors))
                (forms::textarea(ctx, Field::new("note", &content.note).optional().hint("interventions.note_hint"), errors))
            }))
        },
    )
}

/// A line of the history or the queue: what, who, when, and how it was decided.
pub fn version_line(
    ctx: &Ctx,
    v: &intervention_version::Model,
    authors: &std::collections::HashMap<i32, user::Model>,
) -> Markup {
    html! {
        (ctx.lang.datetime(v.created_at)) " · " (person_link(ctx, authors.get(&v.author_id)))
        " · " span.badge { (ctx.t(&format!("interventions.state.{}", state_slug(v.state)))) }
        @if !v.note.is_empty() { br; span.meta { (v.note) } }
        @if !v.decision_note.is_empty() { br; span.meta { (ctx.t("interventions.decision_note")) ": " (v.decision_note) } }
    }
}

pub struct HistoryPage<'a> {
    pub intervention: &'a intervention::Model,
    pub name: &'a str,
    /// Newest first, with the comparison to the version published before it.
    pub versions: Vec<(intervention_version::Model, Option<Diff>)>,
    pub authors: std::collections::HashMap<i32, user::Model>,
}

pub fn history(ctx: &Ctx, p: &HistoryPage) -> Markup {
    let title = format!("{} — {}", ctx.t("interventions.history"), p.name);
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/interventies" { (ctx.t("interventions.title")) } " › " a href={ "/interventies/" (p.intervention.slug) } { (p.name) } }
            h1 { (ctx.t("interventions.history")) }
            ol.versions {
                @for (v, diff) in &p.versions {
                    li {
                        p { @if Some(v.id) == p.intervention.published_version_id { strong { (ctx.t("interventions.current")) } " · " } (version_line(ctx, v, &p.authors)) }
                        @if let Some(diff) = diff { (diff) }
                    }
                }
            }
        },
    )
}

pub struct ReviewPage<'a> {
    pub intervention: &'a intervention::Model,
    pub version: &'a intervention_version::Model,
    pub rendered: Rendered,
    pub organisations: &'a [organisation::Model],
    pub related: Vec<(String, String)>,
    /// The comparison with the published text, for a change.
    pub diff: Option<Diff>,
    pub authors: std::collections::HashMap<i32, user::Model>,
    pub publishes: bool,
    pub errors: FieldErrors,
    pub decision_note: String,
}

pub fn review(ctx: &Ctx, p: &ReviewPage) -> Markup {
    let title = format!("{} — {}", ctx.t("interventions.proposal"), p.version.name);
    let base = format!("/interventies/voorstellen/{}", p.version.id);
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/interventies" { (ctx.t("interventions.title")) } " › " a href="/interventies/voorstellen" { (ctx.t("interventions.proposals")) } }
            h1 { (title) }
            p { (version_line(ctx, p.version, &p.authors)) }
            @if p.intervention.status == Status::Published {
                p { a href={ "/interventies/" (p.intervention.slug) } { (ctx.t("interventions.see_current")) } }
            }
            @if let Some(diff) = &p.diff {
                section aria-labelledby="changes" {
                    h2 #changes { (ctx.t("interventions.changes")) }
                    (diff)
                }
            }
            section aria-labelledby="proposed" {
                h2 #proposed { (ctx.t("interventions.proposed_text")) }
                (facts(ctx, p.version, &p.rendered, p.organisations, &p.related))
            }
            @if p.publishes && p.version.state == State::Pending {
                section aria-labelledby="decide" {
                    h2 #decide { (ctx.t("interventions.decide")) }
                    form.inline method="post" action={ (base) "/publiceren" } {
                        (layout::csrf_field(ctx))
                        button.primary type="submit" { (ctx.t("interventions.publish")) }
                    }
                    (forms::form(ctx, &format!("{base}/afwijzen"), &p.errors, &ctx.t("interventions.decline"), html! {
                        (forms::textarea(ctx, Field::new("decision_note", &p.decision_note).hint("interventions.decline_hint"), &p.errors))
                    }))
                }
            }
        },
    )
}

pub fn queue(
    ctx: &Ctx,
    waiting: &[(intervention_version::Model, intervention::Model)],
    authors: &std::collections::HashMap<i32, user::Model>,
    publishes: bool,
) -> Markup {
    let title = ctx.t("interventions.proposals");
    layout::page(
        ctx,
        &title,
        html! {
            p.breadcrumb { a href="/interventies" { (ctx.t("interventions.title")) } }
            h1 { (title) }
            p.lead { (ctx.t(if publishes { "interventions.queue_intro" } else { "interventions.own_proposals_intro" })) }
            @if waiting.is_empty() {
                p.empty { (ctx.t("interventions.no_proposals")) }
            } @else {
                ul.cards {
                    @for (v, i) in waiting {
                        li.card {
                            h2 { a href={ "/interventies/voorstellen/" (v.id) } { (v.name) } }
                            p.meta {
                                (ctx.t(if i.status == Status::Published { "interventions.kind_change" } else { "interventions.kind_new" }))
                                " · " (version_line(ctx, v, authors))
                            }
                        }
                    }
                }
            }
        },
    )
}
