//! The few words shown under a result: a window of the text around the first place a
//! query's word is found, with the found words marked. It is cut from text the reader may
//! read (the caller loads it through the visibility rule), never from the index, and it is
//! data — pieces of plain text — so the view escapes every character and the marking can
//! never become markup.

use super::{query::Query, text};

/// Words shown before the first match.
const BEFORE: usize = 8;
/// Words in a snippet at most.
const LENGTH: usize = 36;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// What a word of the text is matched against: the query's stems and prefixes.
struct Wanted {
    stems: Vec<String>,
    prefixes: Vec<String>,
}

impl Wanted {
    fn of(query: &Query) -> Wanted {
        let mut stems = Vec::new();
        let words = query.words.iter().chain(query.phrases.iter().flatten());
        for word in words {
            stems.push(text::dutch(word));
            stems.push(text::english(word));
        }
        Wanted {
            stems,
            prefixes: query.prefixes.clone(),
        }
    }

    fn matches(&self, word: &str) -> bool {
        let folded = text::fold(word);
        if folded.is_empty() {
            return false;
        }
        self.prefixes.iter().any(|p| folded.starts_with(p.as_str()))
            || self.stems.contains(&text::dutch(&folded))
            || self.stems.contains(&text::english(&folded))
    }
}

/// A short text (a title) whole, with the query's words marked.
pub fn marked(plain: &str, query: &Query) -> Vec<Piece> {
    window(plain, query, usize::MAX)
}

/// A snippet of `plain` (text without markup) for this query.
pub fn of(plain: &str, query: &Query) -> Vec<Piece> {
    window(plain, query, LENGTH)
}

fn window(plain: &str, query: &Query, length: usize) -> Vec<Piece> {
    let wanted = Wanted::of(query);
    // Tokens that keep their punctuation, so the snippet reads as written.
    let tokens: Vec<&str> = plain.split_whitespace().collect();
    let is_match = |token: &str| {
        token
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| wanted.matches(w))
    };
    let first = tokens.iter().position(|t| is_match(t)).unwrap_or(0);
    let start = if tokens.len() <= length {
        0
    } else {
        first.saturating_sub(BEFORE)
    };
    let end = start.saturating_add(length).min(tokens.len());
    let mut pieces: Vec<Piece> = Vec::new();
    if start > 0 {
        pieces.push(Piece {
            text: "… ".into(),
            marked: false,
        });
    }
    for (i, token) in tokens[start..end].iter().enumerate() {
        let marked = is_match(token);
        let space = if i + 1 < end - start { " " } else { "" };
        match pieces.last_mut() {
            Some(last) if !last.marked && !marked => {
                last.text.push_str(token);
                last.text.push_str(space);
            }
            _ => {
                pieces.push(Piece {
                    text: (*token).to_string(),
                    marked,
                });
                if !space.is_empty() {
                    pieces.push(Piece {
                        text: space.into(),
                        marked: false,
                    });
                }
            }
        }
    }
    if end < tokens.len() {
        pieces.push(Piece {
            text: " …".into(),
            marked: false,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(pieces: &[Piece]) -> Vec<&str> {
        pieces
            .iter()
            .filter(|p| p.marked)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn inflections_and_diacritics_are_marked_where_they_are() {
        let text = "Op huisbezoek bij een eenzame coördinator: huisbezoeken helpen.";
        let q = Query::parse("Huisbezoeken eenzaam coordinator");
        assert_eq!(
            marked(&of(text, &q)),
            ["huisbezoek", "eenzame", "coördinator:", "huisbezoeken"]
        );
    }

    #[test]
    fn a_long_text_is_cut_around_the_first_match() {
        let text = format!(
            "{} wandelgroep {}",
            "woord ".repeat(100),
            "rest ".repeat(100)
        );
        let pieces = of(&text, &Query::parse("wandelgroep"));
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(joined.starts_with("… woord"));
        assert!(joined.ends_with(" …"));
        assert_eq!(joined.split_whitespace().count(), LENGTH + 2);
        assert_eq!(marked(&pieces), ["wandelgroep"]);
    }

    #[test]
    fn markup_in_the_text_stays_text() {
        let pieces = of("<b>eenzaam</b> & zo", &Query::parse("eenzaam"));
        assert_eq!(marked(&pieces), ["<b>eenzaam</b>"]);
    }
}
