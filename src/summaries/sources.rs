//! Choosing a summary's sources: the threads nominated to the expert group and the threads a
//! search finds, as a list to tick (links to single posts can still be pasted). Choosing a
//! nominated thread links its nomination to the summary when the summary is saved.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::model::{SourceRef, SummaryForm, parse_source};
use crate::{
    context::Ctx,
    entities::{nomination, thread},
    i18n::Lang,
    visibility::Scope,
};

/// How many nominations and search results the list shows.
const NOMINATIONS: u64 = 50;
const FOUND: u64 = 10;

/// A thread that may be ticked as a source.
pub struct Candidate {
    pub thread_id: i32,
    pub title: String,
    /// Why it was nominated, when it was.
    pub nominated: Option<String>,
}

/// The list to tick: nominated threads, what the search found, and what is ticked already.
#[derive(Default)]
pub struct Picker {
    pub nominated: Vec<Candidate>,
    pub found: Vec<Candidate>,
    pub chosen: Vec<Candidate>,
    pub searched: bool,
}

pub async fn picker(
    db: &impl ConnectionTrait,
    scope: &Scope,
    lang: Lang,
    form: &SummaryForm,
) -> Result<Picker, DbErr> {
    let open = nomination::Entity::find()
        .filter(nomination::Column::Status.is_in([nomination::OPEN, nomination::TAKEN]))
        .order_by_desc(nomination::Column::CreatedAt)
        .limit(NOMINATIONS)
        .all(db)
        .await?;
    let query: String = form.bronzoek.trim().chars().take(200).collect();
    let query = query.as_str();
    let found_ids: Vec<i32> = if query.is_empty() {
        Vec::new()
    } else {
        crate::search::results::similar(db, scope, lang, query, None, FOUND)
            .await?
            .into_iter()
            .filter_map(|item| match parse_source(&item.url) {
                Some(SourceRef::Thread(id)) => Some(id),
                _ => None,
            })
            .collect()
    };
    let wanted = open
        .iter()
        .map(|n| n.thread_id)
        .chain(found_ids.iter().copied())
        .chain(form.source.iter().copied());
    // Titles through the writer's scope: a thread out of their reach is not offered.
    let threads: HashMap<i32, thread::Model> = scope.threads_by_id(db, wanted).await?;
    let candidate = |id: i32, nominated: Option<String>| {
        threads.get(&id).map(|t| Candidate {
            thread_id: id,
            title: t.title.clone(),
            nominated,
        })
    };
    let mut seen = BTreeSet::new();
    let nominated: Vec<Candidate> = open
        .iter()
        .filter(|n| seen.insert(n.thread_id))
        .filter_map(|n| candidate(n.thread_id, Some(n.reason.clone())))
        .collect();
    let found: Vec<Candidate> = found_ids
        .iter()
        .filter(|id| seen.insert(**id))
        .filter_map(|id| candidate(*id, None))
        .collect();
    let chosen: Vec<Candidate> = form
        .source
        .iter()
        .filter(|id| seen.insert(**id))
        .filter_map(|id| candidate(*id, None))
        .collect();
    Ok(Picker {
        nominated,
        found,
        chosen,
        searched: !query.is_empty(),
    })
}

fn boxes(ctx: &Ctx, list: &[Candidate], ticked: &[i32]) -> Markup {
    html! {
        @for c in list {
            div.check {
                input type="checkbox" name="source" value=(c.thread_id) id={ "source-" (c.thread_id) } checked[ticked.contains(&c.thread_id)];
                label for={ "source-" (c.thread_id) } {
                    (c.title)
                    @if let Some(reason) = &c.nominated { br; span.hint { (ctx.t("summaries.nominated_because")) " " (reason) } }
                }
            }
        }
    }
}

pub fn view(ctx: &Ctx, picker: &Picker, form: &SummaryForm) -> Markup {
    html! {
        fieldset.field #source {
            legend { (ctx.t("summaries.sources_title")) }
            p.hint { (ctx.t("summaries.sources_pick_hint")) }
            @if !picker.chosen.is_empty() {
                h3 { (ctx.t("summaries.sources_chosen")) }
                (boxes(ctx, &picker.chosen, &form.source))
            }
            h3 { (ctx.t("summaries.sources_nominated")) }
            @if picker.nominated.is_empty() {
                p.empty { (ctx.t("summaries.sources_no_nominations")) }
            } @else {
                (boxes(ctx, &picker.nominated, &form.source))
            }
            h3 { (ctx.t("summaries.sources_search")) }
            div.search-row {
                label.visually-hidden for="bronzoek" { (ctx.t("summaries.sources_search")) }
                input #bronzoek type="search" name="bronzoek" value=(form.bronzoek) maxlength="200";
                button.secondary type="submit" name="action" value="find" formnovalidate { (ctx.t("summaries.sources_find")) }
            }
            @if picker.searched {
                @if picker.found.is_empty() {
                    p.empty { (ctx.t("summaries.sources_none_found")) }
                } @else {
                    (boxes(ctx, &picker.found, &form.source))
                }
            }
        }
    }
}

/// The nominations of the ticked threads that are still open or taken become linked to the
/// summary, and their nominators hear of it. Returns the nominations linked.
pub async fn link_nominations(
    db: &impl ConnectionTrait,
    summary_id: i32,
    thread_ids: &BTreeSet<i32>,
    expert_id: i32,
) -> Result<Vec<nomination::Model>, DbErr> {
    if thread_ids.is_empty() {
        return Ok(Vec::new());
    }
    let open = nomination::Entity::find()
        .filter(nomination::Column::ThreadId.is_in(thread_ids.iter().copied()))
        .filter(nomination::Column::Status.is_in([nomination::OPEN, nomination::TAKEN]))
        .all(db)
        .await?;
    if open.is_empty() {
        return Ok(open);
    }
    nomination::Entity::update_many()
        .col_expr(
            nomination::Column::Status,
            sea_orm::sea_query::Expr::value(nomination::LINKED),
        )
        .col_expr(
            nomination::Column::SummaryId,
            sea_orm::sea_query::Expr::value(summary_id),
        )
        .col_expr(
            nomination::Column::HandlerId,
            sea_orm::sea_query::Expr::value(expert_id),
        )
        .col_expr(
            nomination::Column::HandledAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(nomination::Column::Id.is_in(open.iter().map(|n| n.id)))
        .exec(db)
        .await?;
    Ok(open)
}
