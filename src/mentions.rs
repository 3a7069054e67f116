//! `@handle` mentions: where they are in a text (the one scanner that notifications, the
//! Markdown renderer and the preview share), and whom they name.
//!
//! A mention is an `@` that does not sit inside a word (so `naam@example.nl` is an address,
//! not a mention), followed by letters, digits and hyphens; a trailing hyphen is not part
//! of it. Handles are lower case; `@Marieke-de-Vries` names `marieke-de-vries`.

use std::collections::BTreeSet;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::user;

/// A piece of text: plain, or a mention (as written, with its `@`) and its handle.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Mention { written: &'a str, handle: String },
}

/// The text cut into plain pieces and mentions, in order.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut previous: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let starts = c == '@' && !previous.is_some_and(char::is_alphanumeric);
        previous = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
            .map_or(rest.len(), |(j, _)| j);
        let name = rest[..len].trim_end_matches('-');
        if name.is_empty() {
            continue;
        }
        if plain_from < i {
            out.push(Piece::Text(&text[plain_from..i]));
        }
        let end = i + 1 + name.len();
        out.push(Piece::Mention {
            written: &text[i..end],
            handle: name.to_ascii_lowercase(),
        });
        plain_from = end;
        // Skip what the mention took.
        while iter.peek().is_some_and(|(j, _)| *j < end) {
            if let Some((_, c)) = iter.next() {
                previous = Some(c);
            }
        }
    }
    if plain_from < text.len() {
        out.push(Piece::Text(&text[plain_from..]));
    }
    out
}

/// The handles a text mentions.
pub fn handles(text: &str) -> BTreeSet<String> {
    pieces(text)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Mention { handle, .. } => Some(handle),
            Piece::Text(_) => None,
        })
        .collect()
}

/// A mention and the member it names, if any (for the preview).
#[derive(Debug)]
pub struct Resolved {
    pub handle: String,
    pub person: Option<user::Model>,
}

/// Whom each mention in a text names (one query), in the order of the handles.
pub async fn resolve(db: &impl ConnectionTrait, text: &str) -> Result<Vec<Resolved>, DbErr> {
    let handles = handles(text);
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    let people = user::Entity::find()
        .filter(user::Column::Handle.is_in(handles.iter().cloned()))
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .all(db)
        .await?;
    Ok(handles
        .into_iter()
        .map(|handle| Resolved {
            person: people
                .iter()
                .find(|p| p.handle.as_deref() == Some(handle.as_str()))
                .cloned(),
            handle,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions_but_not_addresses() {
        assert_eq!(
            handles("Hoi @Marieke-de-Vries, mail naar kees@example.nl of @piet-."),
            ["marieke-de-vries", "piet"]
                .into_iter()
                .map(String::from)
                .collect()
        );
        assert!(handles("@ alleen, @@, @-").is_empty());
    }

    #[test]
    fn pieces_keep_every_character() {
        for text in ["a @b c", "@x", "x@y @z-", "héé @ü @äb", "@a@b"] {
            let joined: String = pieces(text)
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t.to_string(),
                    Piece::Mention { written, .. } => written.to_string(),
                })
                .collect();
            assert_eq!(joined, text);
        }
    }
}
