//! Reading and checking a summary's form: sources as links to threads or posts, literature
//! references one a line, the practices it concerns.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::forms::FieldErrors;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 100_000;
/// The sources a summary may name (each is checked against the writer's reading rights).
pub const SOURCES_MAX: usize = 50;

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct SummaryForm {
    pub title: String,
    pub body: String,
    pub lang: String,
    pub practice: Vec<i32>,
    /// One source a line: a link to a thread (`/onderwerpen/12`) or a post (`/berichten/34`).
    pub sources: String,
    /// One reference a line: `author | year | title | link` (the link may be left out).
    pub references: String,
    /// Threads ticked as sources (from the nominations or a search).
    pub source: Vec<i32>,
    /// What to search for among the threads, to tick.
    pub bronzoek: String,
    /// `find`: search for sources and show the form again, saving nothing.
    pub action: String,
}

/// A cited conversation, as parsed from a line of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceRef {
    Thread(i32),
    Post(i32),
}

/// Finds `/onderwerpen/N` or `/berichten/N` in a line (a full address works too).
pub fn parse_source(line: &str) -> Option<SourceRef> {
    let line = line.trim();
    for (marker, make) in [
        ("/onderwerpen/", SourceRef::Thread as fn(i32) -> SourceRef),
        ("/berichten/", SourceRef::Post as fn(i32) -> SourceRef),
    ] {
        if let Some((_, rest)) = line.split_once(marker) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok().map(make);
        }
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub author: String,
    pub year: String,
    pub title: String,
    pub link: Option<String>,
}

pub fn parse_references(text: &str) -> Result<Vec<Reference>, usize> {
    let mut refs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let ok_year = |y: &str| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit());
        match parts.as_slice() {
            [author, year, title] | [author, year, title, ""]
                if !author.is_empty() && ok_year(year) && !title.is_empty() =>
            {
                refs.push(Reference {
                    author: (*author).into(),
                    year: (*year).into(),
                    title: (*title).into(),
                    link: None,
                });
            }
            [author, year, title, link]
                if !author.is_empty()
                    && ok_year(year)
                    && !title.is_empty()
                    && (link.starts_with("https://") || link.starts_with("http://")) =>
            {
                refs.push(Reference {
                    author: (*author).into(),
                    year: (*year).into(),
                    title: (*title).into(),
                    link: Some((*link).into()),
                });
            }
            _ => return Err(i + 1),
        }
    }
    Ok(refs)
}

impl SummaryForm {
    /// Checks what can be checked without the database; returns the parsed sources.
    pub fn validate(&self, errors: &mut FieldErrors) -> BTreeSet<SourceRef> {
        errors.text("title", &self.title, TITLE_MAX);
        errors.markdown("body", &self.body, BODY_MAX);
        if !matches!(self.lang.as_str(), "nl" | "en") {
            errors.add("lang", "form.choose");
        }
        if parse_references(&self.references).is_err() {
            errors.add("references", "summaries.references_invalid");
        }
        let mut sources: BTreeSet<SourceRef> = self
            .source
            .iter()
            .map(|id| SourceRef::Thread(*id))
            .collect();
        for line in self.sources.lines().filter(|l| !l.trim().is_empty()) {
            match parse_source(line) {
                Some(source) => {
                    sources.insert(source);
                }
                None => errors.add("sources", "summaries.source_invalid"),
            }
        }
        if sources.len() > SOURCES_MAX {
            errors.add("sources", "summaries.too_many_sources");
            sources = sources.into_iter().take(SOURCES_MAX).collect();
        }
        sources
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_links_to_threads_or_posts() {
        assert_eq!(
            parse_source("https://erbij.nl/onderwerpen/12?pagina=2"),
            Some(SourceRef::Thread(12))
        );
        assert_eq!(parse_source(" /berichten/34#x "), Some(SourceRef::Post(34)));
        assert_eq!(parse_source("onderwerp twaalf"), None);
        assert_eq!(parse_source("/onderwerpen/abc"), None);
    }

    #[test]
    fn references_need_author_year_title_and_a_web_link() {
        let refs = parse_references("Machielse, A. | 2015 | Afgesneden. Over sociaal isolement | https://example.org/boek\n\nJong Gierveld, J. | 2011 | Eenzaamheid onder ouderen").expect("valid");
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1].link, None);
        assert_eq!(parse_references("Iemand | vorig jaar | Titel"), Err(1));
        assert_eq!(
            parse_references("A | 2020 | T\nB | 2021 | T | javascript:alert(1)"),
            Err(2)
        );
    }
}
