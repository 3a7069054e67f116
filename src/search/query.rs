//! What someone typed, as a search: words, "phrases in quotes", `-word` to leave out and
//! `prefix*` while typing. Any other punctuation is text, control characters are dropped,
//! and the input is cut to a sensible size — so no query, however odd, is an error.

use super::text::words;

/// At most this many characters of a query are read.
pub const MAX_QUERY: usize = 200;
/// At most this many words count.
pub const MAX_TERMS: usize = 12;
/// A prefix needs at least this many letters (`e*` would match half the index).
pub const MIN_PREFIX: usize = 3;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    /// Each must be found (folded words).
    pub words: Vec<String>,
    /// Each must be found as the start of a word.
    pub prefixes: Vec<String>,
    /// Each must be found as these words in this order.
    pub phrases: Vec<Vec<String>>,
    /// None of these may be found.
    pub without: Vec<String>,
}

impl Query {
    pub fn parse(input: &str) -> Query {
        let mut cut: String = input
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_QUERY + 1)
            .collect();
        // Cut too long a query before its last whole word, never inside one.
        if cut.chars().count() > MAX_QUERY {
            let end = cut.rfind(char::is_whitespace).unwrap_or(0);
            cut.truncate(end);
        }
        let input = cut;
        let mut query = Query::default();
        // Outside quotes at even positions, inside at odd ones; an unclosed quote runs on
        // to the end.
        for (i, part) in input.split('"').enumerate() {
            if i % 2 == 1 {
                let phrase: Vec<String> = words(part).collect();
                match phrase.len() {
                    0 => {}
                    1 => query.words.extend(phrase),
                    _ => query.phrases.push(phrase),
                }
                continue;
            }
            for token in part.split_whitespace() {
                query.add_token(token);
            }
        }
        query.limit();
        query
    }

    fn add_token(&mut self, token: &str) {
        if let Some(rest) = token.strip_prefix('-')
            && rest.chars().next().is_some_and(char::is_alphanumeric)
        {
            self.without.extend(words(rest));
            return;
        }
        if let Some(stem) = token.strip_suffix('*') {
            let folded: Vec<String> = words(stem).collect();
            if let [one] = folded.as_slice()
                && one.chars().count() >= MIN_PREFIX
                && stem.chars().all(char::is_alphanumeric)
            {
                self.prefixes.push(one.clone());
                return;
            }
        }
        self.words.extend(words(token));
    }

    /// Keeps the first [`MAX_TERMS`] terms, in the order given.
    fn limit(&mut self) {
        let mut left = MAX_TERMS;
        for list in [&mut self.words, &mut self.prefixes, &mut self.without] {
            let mut seen = std::collections::HashSet::new();
            list.retain(|t| seen.insert(t.clone()));
            list.truncate(left);
            left -= list.len();
        }
        self.phrases.retain_mut(|p| {
            p.truncate(left);
            left -= p.len();
            p.len() > 1
        });
    }

    /// Nothing to look for (only punctuation, or only exclusions).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.prefixes.is_empty() && self.phrases.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn words_phrases_exclusions_and_prefixes() {
        let q = Query::parse(r#"Huisbezoek "eenzame ouderen" -corona eenza* Coördinator"#);
        assert_eq!(q.words, w(&["huisbezoek", "coordinator"]));
        assert_eq!(q.phrases, vec![w(&["eenzame", "ouderen"])]);
        assert_eq!(q.without, w(&["corona"]));
        assert_eq!(q.prefixes, w(&["eenza"]));
    }

    #[test]
    fn odd_input_is_text_or_nothing() {
        for odd in [
            "\"",
            "AND (",
            "*",
            "-",
            "--",
            "e*",
            "\u{0}\u{7}",
            "((((",
            "' OR 1=1 --",
        ] {
            let q = Query::parse(odd);
            assert!(
                q.words.iter().chain(&q.prefixes).all(|t| !t.is_empty()),
                "{odd}: {q:?}"
            );
        }
        assert!(Query::parse("\"").is_empty());
        assert!(Query::parse("*").is_empty());
        assert!(Query::parse("-corona").is_empty());
        assert_eq!(Query::parse("AND (").words, w(&["and"]));
        assert_eq!(Query::parse("e*").words, w(&["e"]));
        assert_eq!(Query::parse("\"eenzaam").words, w(&["eenzaam"]));
    }

    #[test]
    fn long_input_is_cut() {
        let q = Query::parse(&"woord ".repeat(10_000));
        assert_eq!(q.words, w(&["woord"]));
        let many: String = (0..50).map(|i| format!("w{i} ")).collect();
        let q = Query::parse(&many);
        assert_eq!(q.words.len(), MAX_TERMS);
    }
}
