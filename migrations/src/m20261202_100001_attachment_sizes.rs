//! The pixel sizes of an image attachment's three stored variants (full at most 2,048 px,
//! display 1,024 px, thumbnail 320 px), so a page can give every `img` its width and height
//! and nothing shifts while photos load. Empty for files that are not images, and for
//! images stored before the variants existed (the application re-encodes those at start-up).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [Attachments; 6] = [
    Attachments::Width,
    Attachments::Height,
    Attachments::DisplayWidth,
    Attachments::DisplayHeight,
    Attachments::ThumbWidth,
    Attachments::ThumbHeight,
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for column in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .add_column(integer_null(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Attachments::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Attachments {
    Table,
    Width,
    Height,
    DisplayWidth,
    DisplayHeight,
    ThumbWidth,
    ThumbHeight,
}
