//! The search index's second make-up (issue 14, for speed). Ids say what a document is, so
//! that a search can walk posts newest first and read titles and summaries apart:
//! - a post: its own id (ids are handed out in the order posts are written);
//! - a thread's title, one per thread: `1 << 32 | thread id`;
//! - a summary: `1 << 33 | summary id`.
//!
//! A post's practice is in the index too (SQLite: a `place` column; PostgreSQL: a lexeme
//! `p-3`), so a search within a practice never walks the others' posts.
//!
//! Rows in the old make-up cannot be read this way, so the index is emptied here and the
//! application rebuilds it at start-up (as after any change of `search::index::VERSION`).
//! `search_docs` is made again with its id as SQLite's row id (one lookup per document
//! instead of two); `search_docs_thread_newest` holds the thread and the id (a thread's
//! newest document without reading the table); `search_docs_created` finds the first text
//! of a period.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let sqlite = m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite;
        if sqlite {
            // A fifth column, `place`, holds a post's practice as one token (`p-3`) that no
            // word can be, so that a search within a practice is one lookup in the index.
            db.execute_unprepared("DROP TABLE search_fts").await?;
            db.execute_unprepared(
                "CREATE VIRTUAL TABLE search_fts USING fts5(\
                 title_nl, title_en, body_nl, body_en, place, \
                 content='', contentless_delete=1, \
                 tokenize='unicode61 remove_diacritics 2 tokenchars ''-''')",
            )
            .await?;
        }
        db.execute_unprepared("DELETE FROM search_meta").await?;
        m.drop_table(Table::drop().table(SearchDocs::Table).to_owned())
            .await?;
        // On SQLite only a column declared `INTEGER PRIMARY KEY` is the row id.
        let mut id = if sqlite {
            integer(SearchDocs::Id)
        } else {
            big_integer(SearchDocs::Id)
        };
        id.primary_key();
        m.create_table(
            Table::create()
                .table(SearchDocs::Table)
                .col(id)
                .col(integer_null(SearchDocs::PostId).unique_key())
                .col(integer_null(SearchDocs::ThreadId))
                .col(integer_null(SearchDocs::SummaryId).unique_key())
                .col(integer(SearchDocs::AuthorId))
                .col(timestamp_with_time_zone(SearchDocs::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("search_docs_thread_newest")
                .table(SearchDocs::Table)
                .col(SearchDocs::ThreadId)
                .col(SearchDocs::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("search_docs_created")
                .table(SearchDocs::Table)
                .col(SearchDocs::CreatedAt)
                .to_owned(),
        )
        .await?;
        if !sqlite {
            db.execute_unprepared(
                "ALTER TABLE search_docs ADD COLUMN terms tsvector NOT NULL DEFAULT ''",
            )
            .await?;
            db.execute_unprepared(
                "CREATE INDEX search_docs_terms ON search_docs USING GIN (terms)",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("search_docs_created")
                .table(SearchDocs::Table)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum SearchDocs {
    Table,
    Id,
    PostId,
    ThreadId,
    SummaryId,
    AuthorId,
    CreatedAt,
}
