//! A post's rendered, sanitised HTML is stored with it (issue 16): `body_html` is written by
//! the one function that writes a post's text, with `html_version`, the renderer's version
//! at that moment. Rows written before (version 0) and rows of an older renderer are
//! rendered again by a job at start-up, in the background; until then a page renders them
//! itself. The index finds those rows without reading the table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(text(Posts::BodyHtml).default(""))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Posts::Table)
                .add_column(integer(Posts::HtmlVersion).default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("posts_html_version")
                .table(Posts::Table)
                .col(Posts::HtmlVersion)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("posts_html_version")
                .table(Posts::Table)
                .to_owned(),
        )
        .await?;
        for column in [Posts::HtmlVersion, Posts::BodyHtml] {
            m.alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    BodyHtml,
    HtmlVersion,
}
