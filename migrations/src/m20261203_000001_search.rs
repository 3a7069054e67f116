//! The search index (issue 14). `search_docs` holds one row per searchable text — a post
//! whose text every reader of its thread may read, or a summary — with the ids the filters
//! need; the words themselves live in the backend's full-text structure:
//! - SQLite: an FTS5 table without stored content (`content=''`, deletable rows), its rowid
//!   the document's id, four columns of pre-stemmed words (title and body, each under the
//!   Dutch and the English stemmer);
//! - PostgreSQL: a `tsvector` column on `search_docs` with a GIN index.
//!
//! The application fills the index at start-up (and `erbij search reindex` rebuilds it):
//! stemming is Rust code, so a migration cannot do it. `search_meta` records which version
//! of the index's make-up the rows were built with.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SearchDocs::Table)
                .col(big_integer(SearchDocs::Id).primary_key())
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
                .name("search_docs_thread")
                .table(SearchDocs::Table)
                .col(SearchDocs::ThreadId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(SearchMeta::Table)
                .col(string(SearchMeta::Name).primary_key())
                .col(integer(SearchMeta::Value))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm::DatabaseBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE search_fts USING fts5(\
                     title_nl, title_en, body_nl, body_en, \
                     content='', contentless_delete=1, \
                     tokenize='unicode61 remove_diacritics 2')",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "ALTER TABLE search_docs ADD COLUMN terms tsvector NOT NULL DEFAULT ''",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX search_docs_terms ON search_docs USING GIN (terms)",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
            m.get_connection()
                .execute_unprepared("DROP TABLE search_fts")
                .await?;
        }
        m.drop_table(Table::drop().table(SearchMeta::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SearchDocs::Table).to_owned())
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

#[derive(DeriveIden)]
enum SearchMeta {
    Table,
    Name,
    Value,
}
