//! Search (issue 14, under way): the text side — how words are folded, stemmed and parsed
//! from what people type — is here and tested; the index, its upkeep in every write and the
//! pages come next.

pub mod query;
pub mod text;
