//! Search: find what the community already wrote, in Dutch or English, without ever
//! showing what the reader may not read.
//!
//! - [`text`] and [`query`]: how words are folded and stemmed, and what a typed query means;
//! - [`index`]: keeping the index in step with every write, in the write's transaction;
//! - [`engine`]: asking the index (SQLite FTS5 or PostgreSQL full-text search), always
//!   through the visibility rule;
//! - [`snippet`]: the few words shown under a result, taken from text the reader may read;
//! - the pages: `/zoeken`, the similar-threads list, OpenSearch.

pub mod engine;
pub mod index;
pub mod pages;
pub mod query;
pub mod results;
pub mod snippet;
pub mod text;
pub mod views;
