//! Languages. Dutch is the default; English the second. The text itself lives in
//! `assets/locales/{nl,en}.yml`, read at compile time by rust-i18n.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The translation files as text. rust-i18n reads them at compile time but does not tell
/// cargo; including them here makes every edit rebuild the crate, and lets a test compare
/// their keys.
pub const SOURCES: [(&str, &str); 2] = [
    ("nl", include_str!("../assets/locales/nl.yml")),
    ("en", include_str!("../assets/locales/en.yml")),
];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nl,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Nl, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of our languages in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim().to_ascii_lowercase();
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q=").map(str::to_owned))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next()?;
                Lang::parse(primary).map(|lang| (q, lang))
            })
            .filter(|(q, _)| *q > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.first().map(|(_, lang)| *lang)
    }

    /// The text for `key` in this language.
    pub fn t(self, key: &str) -> Cow<'static, str> {
        Cow::Owned(rust_i18n::t!(key, locale = self.code()).into_owned())
    }

    /// A text with a count: `{key}.one` for exactly one, else `{key}.other` with `%{n}`.
    pub fn plural(self, key: &str, n: i64) -> String {
        let form = if n == 1 { "one" } else { "other" };
        rust_i18n::t!(&format!("{key}.{form}"), locale = self.code(), n = n).into_owned()
    }

    /// A day as people in Rotterdam read it (Amsterdam time).
    pub fn date(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
        match self {
            Lang::Nl => local.format("%d-%m-%Y").to_string(),
            Lang::En => local.format("%d/%m/%Y").to_string(),
        }
    }

    /// A moment as people in Rotterdam read it: Amsterdam time, in the language's own order.
    pub fn datetime(self, at: chrono::DateTime<chrono::Utc>) -> String {
        let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
        match self {
            Lang::Nl => local.format("%d-%m-%Y %H:%M").to_string(),
            Lang::En => local.format("%d/%m/%Y %H:%M").to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,nl;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de;q=1, nl;q=0.5, en;q=0.4"),
            Some(Lang::Nl)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0, nl;q=0.1"),
            Some(Lang::Nl)
        );
    }

    fn keys(source: &str) -> std::collections::BTreeSet<&str> {
        source
            .lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k))
            .filter(|k| !k.is_empty() && !k.starts_with(['#', ' ', '_']))
            .collect()
    }

    #[test]
    fn every_text_exists_in_both_languages() {
        let [(_, nl), (_, en)] = SOURCES;
        let (nl, en) = (keys(nl), keys(en));
        assert!(nl.len() > 100, "the Dutch file looks truncated");
        assert_eq!(
            nl.difference(&en).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "missing in en"
        );
        assert_eq!(
            en.difference(&nl).collect::<Vec<_>>(),
            Vec::<&&str>::new(),
            "missing in nl"
        );
    }

    #[test]
    fn texts_differ_per_language() {
        assert_eq!(Lang::Nl.t("nav.sign_in"), "Inloggen");
        assert_eq!(Lang::En.t("nav.sign_in"), "Sign in");
    }
}
