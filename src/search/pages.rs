//! The search pages: `/zoeken` (results, filters, pages), `/zoeken/vergelijkbaar` (the
//! list of similar threads a new-thread form fetches while a title is typed) and
//! `/opensearch.xml` (so a browser can add Erbij as a search engine).

use axum::{
    extract::{RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{Duration, Utc};
use maud::Markup;
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};

use super::{
    engine::{self, Filters, Kind, Order},
    query::Query,
    results, views,
};
use crate::{
    AppState, context::Ctx, entities::user, error::AppResult, i18n::Lang, visibility::Scope,
};

/// Results per page.
pub const PER_PAGE: u64 = 20;
/// Pages beyond this are not offered: the count stops at [`engine::COUNT_LIMIT`] ("more
/// than 200"), and whoever needs more narrows the search.
pub const MAX_PAGE: u64 = engine::COUNT_LIMIT / PER_PAGE;
/// An author filter matches at most this many people.
const MAX_AUTHORS: u64 = 100;
/// Similar threads shown.
pub const SIMILAR: u64 = 5;

/// What the address asks for. Every field is text as typed; anything odd means "not set".
#[derive(Clone, Debug, Default)]
pub struct Params {
    pub q: String,
    pub practice: String,
    pub kind: String,
    pub period: String,
    pub author: String,
    pub sort: String,
    pub page: u64,
}

/// A query string read leniently: unreadable input is no pairs, and each value loses its
/// control characters and is cut to 500 characters. Nothing in it can fail a request.
fn lenient_pairs(raw: Option<&str>) -> impl Iterator<Item = (String, String)> {
    let pairs: Vec<(String, String)> =
        serde_html_form::from_str(raw.unwrap_or_default()).unwrap_or_default();
    pairs.into_iter().map(|(key, value)| {
        let value = value
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect();
        (key, value)
    })
}

impl Params {
    /// Reads a query string leniently: unknown keys are ignored, and a repeated key keeps
    /// its last value.
    pub fn parse(raw: Option<&str>) -> Params {
        let mut params = Params {
            page: 1,
            ..Default::default()
        };
        for (key, value) in lenient_pairs(raw) {
            match key.as_str() {
                "q" => params.q = value,
                "praktijk" => params.practice = value,
                "soort" => params.kind = value,
                "periode" => params.period = value,
                "auteur" => params.author = value,
                "sorteer" => params.sort = value,
                "pagina" => params.page = value.trim().parse().unwrap_or(1),
                _ => {}
            }
        }
        params.page = params.page.clamp(1, MAX_PAGE);
        params
    }

    pub fn kind(&self) -> Option<Kind> {
        match self.kind.as_str() {
            "onderwerpen" => Some(Kind::Threads),
            "kennisbundels" => Some(Kind::Summaries),
            "interventies" => Some(Kind::Interventions),
            _ => None,
        }
    }

    pub fn period(&self) -> Option<Duration> {
        match self.period.as_str() {
            "week" => Some(Duration::weeks(1)),
            "maand" => Some(Duration::days(31)),
            "jaar" => Some(Duration::days(366)),
            "vijf-jaar" => Some(Duration::days(5 * 366)),
            _ => None,
        }
    }

    pub fn order(&self) -> Order {
        match self.sort.as_str() {
            "nieuw" => Order::Newest,
            _ => Order::Relevance,
        }
    }

    /// Whether a filter besides the words is set (the filters then show unfolded).
    pub fn narrowed(&self) -> bool {
        self.kind().is_some()
            || self.period().is_some()
            || !self.author.trim().is_empty()
            || self.order() != Order::Relevance
    }

    /// This search's address, on another page.
    pub fn url(&self, page: u64) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("q", self.q.clone())];
        for (key, value) in [
            ("praktijk", &self.practice),
            ("soort", &self.kind),
            ("periode", &self.period),
            ("auteur", &self.author),
            ("sorteer", &self.sort),
        ] {
            if !value.is_empty() {
                pairs.push((key, value.clone()));
            }
        }
        if page > 1 {
            pairs.push(("pagina", page.to_string()));
        }
        format!(
            "/zoeken?{}",
            serde_html_form::to_string(&pairs).unwrap_or_default()
        )
    }
}

/// What the results page shows.
pub struct Outcome {
    pub query: Query,
    pub total: u64,
    pub items: Vec<results::Item>,
    pub pages: u64,
}

pub async fn search_page(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> AppResult<Markup> {
    let params = Params::parse(raw.as_deref());
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let practice = scope.practice_by_slug(&params.practice).cloned();
    let outcome = if params.q.trim().is_empty() {
        None
    } else {
        let query = Query::parse(&params.q);
        let filters = Filters {
            practice: practice.as_ref().map(|p| p.id),
            kind: params.kind(),
            since: params.period().map(|d| Utc::now() - d),
            authors: authors(&state, &params.author).await?,
            not_thread: None,
        };
        let found = engine::find(
            &state.db,
            scope.reader(),
            &query,
            &filters,
            params.order(),
            (params.page - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await?;
        let items = results::load(&state.db, &scope, ctx.lang, Some(&query), &found.hits).await?;
        Some(Outcome {
            pages: found.total.div_ceil(PER_PAGE).clamp(1, MAX_PAGE),
            total: found.total,
            query,
            items,
        })
    };
    let mut practices: Vec<_> = scope.practices().cloned().collect();
    practices.sort_by_key(|p| {
        (
            p.kind != crate::entities::practice::Kind::Practice,
            p.position,
        )
    });
    Ok(views::search_page(
        &ctx,
        &params,
        practice.as_ref(),
        &practices,
        outcome.as_ref(),
    ))
}

/// The people an author filter names: those whose name holds the text typed (case aside).
/// `None` when no author filter is set; an empty list when nobody matches.
async fn authors(state: &AppState, typed: &str) -> AppResult<Option<Vec<i32>>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    let pattern = format!(
        "%{}%",
        typed
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let ids: Vec<i32> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::DeletedAt.is_null())
        .filter(
            Expr::expr(Func::lower(Expr::col(user::Column::Name)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        )
        .limit(MAX_AUTHORS)
        .into_tuple()
        .all(&state.db)
        .await?;
    Ok(Some(ids))
}

/// The similar-threads list for a title being typed, as a fragment the new-thread form puts
/// in place (`?titel=…`).
pub async fn similar_fragment(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(raw): RawQuery,
) -> AppResult<Markup> {
    let title: String = lenient_pairs(raw.as_deref())
        .filter(|(k, _)| k == "titel")
        .last()
        .map(|(_, v)| v)
        .unwrap_or_default();
    let scope = Scope::for_viewer(&state.db, ctx.user.as_ref()).await?;
    let items = results::similar(&state.db, &scope, ctx.lang, &title, None, SIMILAR).await?;
    Ok(views::similar_list(&ctx, &items, !title.trim().is_empty()))
}

/// The OpenSearch description: a browser offers Erbij as a search engine from it.
pub async fn opensearch(State(state): State<AppState>) -> Response {
    let base = state.settings.base_url.trim_end_matches('/');
    let lang = Lang::Nl;
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{name}</ShortName>
  <Description>{description}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>nl</Language>
  <Url type="text/html" method="get" template="{base}/zoeken?q={{searchTerms}}"/>
</OpenSearchDescription>
"#,
        name = maud::html!((lang.t("site.name"))).into_string(),
        description = maud::html!((lang.t("search.opensearch_description"))).into_string(),
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/opensearchdescription+xml; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_query_string_reads_as_params() {
        for raw in [
            "q=%ZZ&pagina=-3",
            "q=a&q=b&pagina=99999999999999999999",
            "&&==&q",
            "q=%00%01zoek%7F",
            "pagina=1e9&soort[]=x",
        ] {
            let p = Params::parse(Some(raw));
            assert!((1..=MAX_PAGE).contains(&p.page), "{raw}");
            assert!(!p.q.chars().any(char::is_control), "{raw}");
        }
        assert_eq!(Params::parse(Some("q=a&q=b")).q, "b");
        assert_eq!(Params::parse(Some("pagina=999")).page, MAX_PAGE);
    }

    #[test]
    fn a_search_keeps_its_filters_from_page_to_page() {
        let p = Params::parse(Some("q=eenzaam+%26+oud&soort=onderwerpen&pagina=2"));
        assert_eq!(
            p.url(3),
            "/zoeken?q=eenzaam+%26+oud&soort=onderwerpen&pagina=3"
        );
        assert_eq!(p.url(1), "/zoeken?q=eenzaam+%26+oud&soort=onderwerpen");
    }
}
