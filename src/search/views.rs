//! What search looks like: the header's box, the results page, and the lists of similar and
//! related threads. Pure functions of what the handlers loaded.

use maud::{Markup, html};

use super::{
    engine::COUNT_LIMIT,
    pages::{Outcome, Params},
    results::Item,
    snippet::Piece,
};
use crate::{
    context::Ctx,
    entities::practice,
    forum::views::{pagination, person_link},
    layout,
};

/// The box in the header of every page: a plain GET form.
pub fn header_box(ctx: &Ctx) -> Markup {
    html! {
        form.site-search role="search" method="get" action="/zoeken" {
            label.visually-hidden for="site-search-q" { (ctx.t("search.label")) }
            input #site-search-q type="search" name="q" placeholder=(ctx.t("search.placeholder"))
                autocomplete="off" enterkeyhint="search" maxlength="200";
            button.secondary type="submit" { (ctx.t("search.button")) }
        }
    }
}

/// A search box bound to one practice (or the expert area), for its page.
pub fn practice_box(ctx: &Ctx, practice: &practice::Model) -> Markup {
    let label = rust_i18n::t!(
        "search.within",
        locale = ctx.lang.code(),
        place = practice.name(ctx.lang)
    );
    html! {
        form.practice-search role="search" method="get" action="/zoeken" {
            input type="hidden" name="praktijk" value=(practice.slug);
            label for="practice-search-q" { (label) }
            div.search-row {
                input #practice-search-q type="search" name="q" maxlength="200" enterkeyhint="search";
                button.secondary type="submit" { (ctx.t("search.button")) }
            }
        }
    }
}

pub fn search_page(
    ctx: &Ctx,
    params: &Params,
    practice: Option<&practice::Model>,
    practices: &[practice::Model],
    outcome: Option<&Outcome>,
) -> Markup {
    let title = match outcome {
        Some(_) => rust_i18n::t!(
            "search.title_for",
            locale = ctx.lang.code(),
            q = params.q.trim()
        )
        .into_owned(),
        None => ctx.t("search.title").into_owned(),
    };
    let option = |value: &str, current: &str, key: &str| {
        html! { option value=(value) selected[value == current] { (ctx.t(key)) } }
    };
    html! {
        (layout::page(ctx, &title, html! {
            h1 { (ctx.t("search.title")) }
            form.search-form role="search" method="get" action="/zoeken" {
                label for="q" { (ctx.t("search.label")) }
                div.search-row {
                    input #q type="search" name="q" value=(params.q) maxlength="200"
                        enterkeyhint="search" aria-describedby=[outcome.is_none().then_some("search-tips")];
                    button.primary type="submit" { (ctx.t("search.button")) }
                }
                // The tips before a search; after one, with "nothing found" only.
                @if outcome.is_none() { p.hint #search-tips { (ctx.t("search.tips")) } }
                details.filters open[params.narrowed() || practice.is_some()] {
                    summary { (ctx.t("search.refine")) }
                    div.filter-grid {
                        div.field {
                            label for="praktijk" { (ctx.t("search.practice")) }
                            select #praktijk name="praktijk" {
                                option value="" { (ctx.t("search.everywhere")) }
                                @for p in practices {
                                    option value=(p.slug) selected[practice.is_some_and(|c| c.id == p.id)] { (p.name(ctx.lang)) }
                                }
                            }
                        }
                        div.field {
                            label for="soort" { (ctx.t("search.kind")) }
                            select #soort name="soort" {
                                (option("", &params.kind, "search.kind_all"))
                                (option("onderwerpen", &params.kind, "search.kind_threads"))
                                (option("kennisbundels", &params.kind, "search.kind_summaries"))
                                (option("interventies", &params.kind, "search.kind_interventions"))
                            }
                        }
                        div.field {
                            label for="periode" { (ctx.t("search.period")) }
                            select #periode name="periode" {
                                (option("", &params.period, "search.period_all"))
                                (option("week", &params.period, "search.period_week"))
                                (option("maand", &params.period, "search.period_month"))
                                (option("jaar", &params.period, "search.period_year"))
                                (option("vijf-jaar", &params.period, "search.period_five_years"))
                            }
                        }
                        div.field {
                            label for="auteur" { (ctx.t("search.author")) }
                            input #auteur type="text" name="auteur" value=(params.author) maxlength="100" autocomplete="off";
                        }
                        div.field {
                            label for="sorteer" { (ctx.t("search.sort")) }
                            select #sorteer name="sorteer" {
                                (option("", &params.sort, "search.sort_relevance"))
                                (option("nieuw", &params.sort, "search.sort_newest"))
                            }
                        }
                    }
                    button.secondary type="submit" { (ctx.t("search.apply")) }
                }
            }
            @match outcome {
                None => {}
                Some(outcome) => (results(ctx, params, outcome)),
            }
        }))
    }
}

fn results(ctx: &Ctx, params: &Params, outcome: &Outcome) -> Markup {
    let lookable = !outcome.query.words.is_empty()
        || !outcome.query.prefixes.is_empty()
        || !outcome.query.phrases.is_empty();
    let count = if outcome.total > COUNT_LIMIT {
        rust_i18n::t!(
            "search.more_than",
            locale = ctx.lang.code(),
            n = COUNT_LIMIT
        )
        .into_owned()
    } else {
        ctx.lang.plural(
            "search.count",
            i64::try_from(outcome.total).unwrap_or(i64::MAX),
        )
    };
    html! {
        section.search-results aria-labelledby="results-heading" {
            @if !lookable {
                h2 #results-heading { (ctx.t("search.nothing_to_find")) }
                p { (ctx.t("search.tips")) }
            } @else {
                h2 #results-heading role="status" { (count) }
                @if outcome.items.is_empty() {
                    p.empty { (ctx.t("search.none")) }
                    p { (ctx.t("search.none_tips")) }
                } @else {
                    ol.results start=(((params.page - 1) * super::pages::PER_PAGE) + 1) {
                        @for item in &outcome.items {
                            li.result { (result(ctx, item)) }
                        }
                    }
                    (pagination(ctx, &params.url(1), params.page, outcome.pages))
                }
            }
        }
    }
}

fn result(ctx: &Ctx, item: &Item) -> Markup {
    html! {
        h3 {
            a href=(item.url) {
                @if item.marked_title.is_empty() { (item.title) } @else { (snippet(&item.marked_title)) }
            }
        }
        p.meta {
            span.badge.kind { (ctx.t(item.kind.key())) }
            " "
            @if !item.places.is_empty() { (item.places.join(", ")) " · " }
            (person_link(ctx, item.author.as_ref())) " · "
            time datetime=(item.date.to_rfc3339()) { (ctx.lang.datetime(item.date)) }
        }
        @if !item.snippet.is_empty() {
            p.snippet { (snippet(&item.snippet)) }
        }
    }
}

/// Plain text with the found words in `mark`: every piece is escaped text.
fn snippet(pieces: &[Piece]) -> Markup {
    html! {
        @for piece in pieces {
            @if piece.marked { mark { (piece.text) } } @else { (piece.text) }
        }
    }
}

/// Threads and summaries like the one being written (on the new-thread form; also the
/// fragment its script fetches). `asked`: a title was given.
pub fn similar_list(ctx: &Ctx, items: &[Item], asked: bool) -> Markup {
    html! {
        div #similar-results aria-live="polite" {
            @if !items.is_empty() {
                p { (ctx.t("search.similar_intro")) }
                (item_links(ctx, items))
            } @else if asked {
                p.muted { (ctx.t("search.similar_none")) }
            }
        }
    }
}

/// "Related" under a thread.
pub fn related(ctx: &Ctx, items: &[Item]) -> Markup {
    html! {
        @if !items.is_empty() {
            aside.related aria-labelledby="related-heading" {
                h2 #related-heading { (ctx.t("search.related")) }
                (item_links(ctx, items))
            }
        }
    }
}

fn item_links(ctx: &Ctx, items: &[Item]) -> Markup {
    html! {
        ul.similar {
            @for item in items {
                li {
                    a href=(item.url) { (item.title) }
                    span.meta {
                        " · " (ctx.t(item.kind.key()))
                        @if !item.places.is_empty() { " · " (item.places.join(", ")) }
                    }
                }
            }
        }
    }
}
