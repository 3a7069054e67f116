//! A post's text is written here and nowhere else: the Markdown as typed, the HTML it
//! renders to (sanitised), and the renderer's version, always together. Pages show the
//! stored HTML and never parse Markdown; a job at start-up renders again the rows that an
//! older renderer made (or that were written before HTML was stored), in small batches in
//! the background, and tells the page cache which threads changed.

use maud::{Markup, PreEscaped};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait, sea_query::Expr,
};

use crate::{
    entities::post,
    markdown::{self, RENDERER_VERSION},
};

/// Texts longer than this (bytes) are rendered on the blocking pool.
const INLINE_MAX: usize = 2_000;
/// Rows rendered again per batch by the start-up job.
const BATCH: u64 = 200;

/// A post's text ready to be stored.
pub struct Body {
    markdown: String,
    html: String,
}

impl Body {
    /// Renders `markdown` (trailing whitespace dropped), off the async executor when long.
    pub async fn render(markdown: &str) -> Body {
        let markdown = markdown.trim_end().to_owned();
        if markdown.len() <= INLINE_MAX {
            let html = markdown::to_html(&markdown);
            return Body { markdown, html };
        }
        let source = markdown.clone();
        match tokio::task::spawn_blocking(move || {
            let html = markdown::to_html(&markdown);
            Body { markdown, html }
        })
        .await
        {
            Ok(body) => body,
            // The blocking pool is shutting down: render here rather than store no text.
            Err(_) => {
                let html = markdown::to_html(&source);
                Body {
                    markdown: source,
                    html,
                }
            }
        }
    }

    /// No text at all: an erased post.
    pub fn empty() -> Body {
        Body {
            markdown: String::new(),
            html: String::new(),
        }
    }

    pub fn markdown(&self) -> &str {
        &self.markdown
    }

    /// The HTML it renders to (private messages store it beside their own text).
    pub fn rendered_html(&self) -> &str {
        &self.html
    }

    /// Puts the text, its HTML and the renderer's version into a post about to be saved.
    pub fn write_to(self, active: &mut post::ActiveModel) {
        active.body = Set(self.markdown);
        active.body_html = Set(self.html);
        active.html_version = Set(RENDERER_VERSION);
    }

    /// The same for many posts at once (erasing a member's posts): the columns to set.
    pub fn columns(self) -> [(post::Column, Expr); 3] {
        [
            (post::Column::Body, Expr::value(self.markdown)),
            (post::Column::BodyHtml, Expr::value(self.html)),
            (post::Column::HtmlVersion, Expr::value(RENDERER_VERSION)),
        ]
    }
}

/// A post's text as HTML, for a page: what was stored, or, for a row the start-up job has
/// not reached yet, rendered now.
pub fn html(post: &post::Model) -> Markup {
    if post.html_version > 0 {
        PreEscaped(post.body_html.clone())
    } else {
        maud::Render::render(&markdown::Markdown(&post.body))
    }
}

/// Renders again every post whose HTML an older renderer made, a batch at a time; returns
/// the threads whose posts changed. A post written meanwhile already has the new version
/// and is left alone. Instances starting together do it once: one renders, the others wait
/// and find nothing left ([`Lock::StaleBodies`](crate::db::Lock::StaleBodies)).
pub async fn render_stale(db: &DatabaseConnection) -> Result<Vec<i32>, DbErr> {
    crate::db::one_at_a_time(db, crate::db::Lock::StaleBodies, render_stale_here(db)).await?
}

async fn render_stale_here(db: &DatabaseConnection) -> Result<Vec<i32>, DbErr> {
    let mut threads = Vec::new();
    let mut after = 0;
    loop {
        let rows: Vec<(i32, i32, String)> = post::Entity::find()
            .select_only()
            .columns([post::Column::Id, post::Column::ThreadId, post::Column::Body])
            .filter(post::Column::HtmlVersion.lt(RENDERER_VERSION))
            .filter(post::Column::Id.gt(after))
            .order_by_asc(post::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let rendered = tokio::task::spawn_blocking(move || {
            rows.into_iter()
                .map(|(id, thread, body)| (id, thread, markdown::to_html(&body)))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
        let txn = db.begin().await?;
        for (id, thread, html) in rendered {
            let updated = post::Entity::update_many()
                .col_expr(post::Column::BodyHtml, Expr::value(html))
                .col_expr(post::Column::HtmlVersion, Expr::value(RENDERER_VERSION))
                .filter(post::Column::Id.eq(id))
                .filter(post::Column::HtmlVersion.lt(RENDERER_VERSION))
                .exec(&txn)
                .await?;
            // Written anew meanwhile (an edit): that thread's pages changed already.
            if updated.rows_affected > 0 {
                threads.push(thread);
            }
        }
        txn.commit().await?;
    }
    threads.sort_unstable();
    threads.dedup();
    Ok(threads)
}
