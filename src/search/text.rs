//! Words as search sees them: split on anything that is not a letter or digit, folded
//! (lower case, diacritics removed: "coördinator" is "coordinator") and stemmed with the
//! Snowball stemmers for Dutch and English (posts carry no language, so every word is
//! indexed under both stems). The same functions make the index and read the query, so
//! both sides always agree — on SQLite and PostgreSQL alike.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Longer "words" (a pasted hash, a URL without separators) are cut here.
pub const MAX_WORD: usize = 40;

static DUTCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Dutch));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Lower case without diacritics.
pub fn fold(word: &str) -> String {
    // Most words are plain ASCII: nothing to decompose.
    if word.is_ascii() {
        let mut folded = word[..word.len().min(MAX_WORD)].to_string();
        folded.make_ascii_lowercase();
        return folded;
    }
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .take(MAX_WORD)
        .collect()
}

/// The folded words of a text, in order.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(text).map(fold)
}

/// The words of a text as written.
fn raw_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The forms a folded word is found by: itself, its Dutch stem and its English stem,
/// without repeats.
pub fn forms(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_string()];
    for stem in [DUTCH.stem(word), ENGLISH.stem(word)] {
        if !forms.iter().any(|f| *f == stem) {
            forms.push(stem.into_owned());
        }
    }
    forms
}

/// A folded word's Dutch stem.
pub fn dutch(word: &str) -> String {
    DUTCH.stem(word).into_owned()
}

/// A folded word's English stem.
pub fn english(word: &str) -> String {
    ENGLISH.stem(word).into_owned()
}

/// At most this many words of one text are indexed (a 100,000-character post has about
/// 15,000); what comes after is still shown, just not found.
pub const MAX_INDEXED_WORDS: usize = 20_000;

/// What the index stores for a text: its words in order, once as Dutch stems and once as
/// English stems, so that word positions (for phrases) are the same in both.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stems {
    pub dutch: Vec<String>,
    pub english: Vec<String>,
}

impl Stems {
    pub fn of(text: &str) -> Stems {
        let mut stems = Stems::default();
        for word in words(text).take(MAX_INDEXED_WORDS) {
            stems.dutch.push(dutch(&word));
            stems.english.push(english(&word));
        }
        stems
    }
}

/// Stems for many texts at once: a word's stems are worked out once (folding included)
/// and then looked up as written, since most words of a text are words it (or the text
/// before it) used already.
#[derive(Default)]
pub struct Cache {
    known: std::collections::HashMap<String, (String, String)>,
}

impl Cache {
    /// The same as [`Stems::of`].
    pub fn stems(&mut self, text: &str) -> Stems {
        let mut stems = Stems::default();
        for word in raw_words(text).take(MAX_INDEXED_WORDS) {
            let (nl, en) = match self.known.get(word) {
                Some(known) => known.clone(),
                None => {
                    let folded = fold(word);
                    let both = (dutch(&folded), english(&folded));
                    if self.known.len() < 100_000 {
                        self.known.insert(word.to_string(), both.clone());
                    }
                    both
                }
            };
            stems.dutch.push(nl);
            stems.english.push(en);
        }
        stems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares_a_form(a: &str, b: &str) -> bool {
        let (a, b) = (forms(&fold(a)), forms(&fold(b)));
        a.iter().any(|f| b.contains(f))
    }

    #[test]
    fn dutch_inflections_meet() {
        for (a, b) in [
            ("huisbezoek", "huisbezoeken"),
            ("vrijwilliger", "vrijwilligers"),
            ("buurtbewoner", "buurtbewoners"),
            ("eenzaam", "eenzame"),
            ("eenzaam", "eenzaamheid"),
        ] {
            assert!(
                shares_a_form(a, b),
                "{a} ~ {b}: {:?} {:?}",
                forms(a),
                forms(b)
            );
        }
    }

    #[test]
    fn english_inflections_meet() {
        for (a, b) in [("volunteer", "volunteers"), ("visit", "visiting")] {
            assert!(shares_a_form(a, b), "{a} ~ {b}");
        }
    }

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(fold("Coördinator"), "coordinator");
        assert_eq!(fold("financiële"), "financiele");
        assert_eq!(fold("ÉÉN"), "een");
        assert!(shares_a_form("coördinator", "coordinator"));
    }

    #[test]
    fn anything_else_separates_words_and_long_ones_are_cut() {
        let found: Vec<String> = words("Huis-bezoek, (2019)! <b>x</b>").collect();
        assert_eq!(found, ["huis", "bezoek", "2019", "b", "x", "b"]);
        let long = "a".repeat(10_000);
        assert_eq!(words(&long).next().map(|w| w.len()), Some(MAX_WORD));
    }

    #[test]
    fn the_index_holds_each_word_under_both_stems_in_order() {
        let stems = Stems::of("Huisbezoeken bij eenzame ouderen");
        assert_eq!(stems.dutch, ["huisbezoek", "bij", "eenzam", "ouder"]);
        assert_eq!(stems.english.len(), 4);
        assert_eq!(
            Stems::of(&"woord ".repeat(30_000)).dutch.len(),
            MAX_INDEXED_WORDS
        );
    }

    #[test]
    fn the_cache_stems_as_the_stemmers_do() {
        let mut cache = Cache::default();
        for text in [
            "Huisbezoeken bij eenzame ouderen",
            "eenzame HUISBEZOEKEN, visiting Coördinator coordinator",
        ] {
            assert_eq!(cache.stems(text), Stems::of(text));
        }
    }
}
