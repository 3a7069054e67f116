//! Comparing two versions of a text for the version pages (posts, summaries), with bounded
//! work whatever the texts are.
//!
//! A word diff of two whole texts costs (length × differences): a 50,000-character post
//! rewritten once took seconds and held an executor thread meanwhile. So the texts are
//! compared by lines first, and by words only inside a changed group of lines that is small
//! enough ([`WORD_DIFF_MAX`]); a larger group keeps its common start and end and shows the
//! rest as one removed and one added block. Every diff also has a deadline
//! ([`TIME_BUDGET`] for a whole page): when it passes, similar stops looking for the
//! smallest diff and what is left is shown as blocks. Handlers call [`compare_all`], which
//! runs off the async executor; views render the resulting [`Diff`].

use std::time::{Duration, Instant};

use maud::{Markup, Render, html};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use crate::error::AppError;

/// The largest changed region (old and new together, in bytes) compared word by word.
pub const WORD_DIFF_MAX: usize = 8_000;

/// The time one page's comparisons may take before the rest is shown as blocks.
pub const TIME_BUDGET: Duration = Duration::from_millis(40);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// A comparison of two texts: runs of unchanged, removed and added text, in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff(Vec<(Change, String)>);

impl Diff {
    pub fn parts(&self) -> &[(Change, String)] {
        &self.0
    }

    /// Adds text; unchanged text joins the unchanged run before it, while changes stay
    /// apart, word by word, as similar gives them (`<ins>echt</ins><ins> </ins>`).
    fn push(&mut self, change: Change, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some((Change::Same, run)) if change == Change::Same => run.push_str(text),
            _ => self.0.push((change, text.to_string())),
        }
    }
}

/// Removed text struck through, added text marked (`del` and `ins`), the rest as it was.
impl Render for Diff {
    fn render(&self) -> Markup {
        html! {
            div.diff {
                @for (change, text) in &self.0 {
                    @match change {
                        Change::Same => (text),
                        Change::Removed => del { (text) },
                        Change::Added => ins { (text) },
                    }
                }
            }
        }
    }
}

/// Compares each (old, new) pair on the blocking pool, sharing one [`TIME_BUDGET`].
pub async fn compare_all(pairs: Vec<(String, String)>) -> Result<Vec<Diff>, AppError> {
    tokio::task::spawn_blocking(move || {
        let deadline = Instant::now() + TIME_BUDGET;
        pairs
            .iter()
            .map(|(old, new)| compare(old, new, deadline))
            .collect()
    })
    .await
    .map_err(|err| AppError::Internal(anyhow::anyhow!("comparing versions failed: {err}")))
}

/// Compares two texts, lines first and words inside small changed groups; after
/// `deadline` it settles for a coarser (still correct) comparison.
pub fn compare(old: &str, new: &str, deadline: Instant) -> Diff {
    let mut diff = Diff::default();
    let lines = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .deadline(deadline)
        .diff_lines(old, new);
    let (olds, news) = (lines.old_slices(), lines.new_slices());
    for op in lines.ops() {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                diff.push(Change::Same, &olds[old_index..old_index + len].concat());
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => diff.push(
                Change::Removed,
                &olds[old_index..old_index + old_len].concat(),
            ),
            DiffOp::Insert {
                new_index, new_len, ..
            } => diff.push(
                Change::Added,
                &news[new_index..new_index + new_len].concat(),
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => compare_words(
                &mut diff,
                &olds[old_index..old_index + old_len].concat(),
                &news[new_index..new_index + new_len].concat(),
                deadline,
            ),
        }
    }
    diff
}

/// A changed group of lines: its common start and end as they were, the middle word by
/// word when it is small and time is left, else as one removed and one added block.
fn compare_words(diff: &mut Diff, old: &str, new: &str, deadline: Instant) {
    let start = common_start(old, new);
    let end = common_end(&old[start..], &new[start..]);
    let (old_mid, new_mid) = (&old[start..old.len() - end], &new[start..new.len() - end]);
    diff.push(Change::Same, &old[..start]);
    if old_mid.len() + new_mid.len() <= WORD_DIFF_MAX && Instant::now() < deadline {
        let words = TextDiff::configure()
            .algorithm(Algorithm::Myers)
            .deadline(deadline)
            .diff_words(old_mid, new_mid);
        for change in words.iter_all_changes() {
            let kind = match change.tag() {
                ChangeTag::Equal => Change::Same,
                ChangeTag::Delete => Change::Removed,
                ChangeTag::Insert => Change::Added,
            };
            diff.push(kind, change.value());
        }
    } else {
        diff.push(Change::Removed, old_mid);
        diff.push(Change::Added, new_mid);
    }
    diff.push(Change::Same, &old[old.len() - end..]);
}

/// The length of the longest common start of `a` and `b` that ends at a word boundary
/// (after whitespace), so no word is split between kept and changed text.
fn common_start(a: &str, b: &str) -> usize {
    let mut boundary = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            return boundary;
        }
        if x.is_whitespace() {
            boundary = i + x.len_utf8();
        }
    }
    // One text is the start of the other: the shorter one ends at a boundary if the longer
    // one goes on with whitespace (or not at all).
    let shorter = a.len().min(b.len());
    let longer = if a.len() > b.len() { a } else { b };
    match longer[shorter..].chars().next() {
        None => shorter,
        Some(c) if c.is_whitespace() => shorter,
        Some(_) => boundary,
    }
}

/// The length of the longest common end of `a` and `b` that starts at a word boundary
/// (before whitespace).
fn common_end(a: &str, b: &str) -> usize {
    let mut boundary = 0;
    let mut len = 0;
    for (x, y) in a.chars().rev().zip(b.chars().rev()) {
        if x != y {
            return boundary;
        }
        len += x.len_utf8();
        if x.is_whitespace() {
            boundary = len - x.len_utf8();
        }
    }
    let shorter = a.len().min(b.len());
    let longer = if a.len() > b.len() { a } else { b };
    match longer[..longer.len() - shorter].chars().next_back() {
        None => shorter,
        Some(c) if c.is_whitespace() => shorter,
        Some(_) => boundary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(diff: &Diff) -> Vec<(Change, &str)> {
        diff.parts().iter().map(|(c, t)| (*c, t.as_str())).collect()
    }

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    /// The old text is the unchanged and removed parts, the new text the unchanged and added.
    fn assert_faithful(old: &str, new: &str, diff: &Diff) {
        let side = |keep: Change| -> String {
            diff.parts()
                .iter()
                .filter(|(c, _)| *c == Change::Same || *c == keep)
                .map(|(_, t)| t.as_str())
                .collect()
        };
        assert_eq!(side(Change::Removed), old);
        assert_eq!(side(Change::Added), new);
    }

    #[test]
    fn changed_words_are_marked_inside_changed_lines() {
        let old = "Wij bellen eerst de buren.\nDan de wijkagent.\n";
        let new = "Wij bellen eerst de familie.\nDan de wijkagent.\n";
        let diff = compare(old, new, later());
        assert_faithful(old, new, &diff);
        assert_eq!(
            parts(&diff),
            [
                (Change::Same, "Wij bellen eerst de "),
                (Change::Removed, "buren."),
                (Change::Added, "familie."),
                (Change::Same, "\nDan de wijkagent.\n"),
            ]
        );
        let html = diff.render().into_string();
        assert!(
            html.contains("<del>buren.</del><ins>familie.</ins>"),
            "{html}"
        );
    }

    #[test]
    fn added_and_removed_lines_and_unicode_stay_whole() {
        for (old, new) in [
            ("één\ntwee\n", "één\ntwee\ndrie\n"),
            ("één\ntwee\ndrie", "één\ndrie"),
            ("", "nieuw"),
            ("oud", ""),
            ("café au lait", "café noir"),
            ("naïef ", "naïef"),
            ("ab", "abc"),
            ("x ab", "y ab"),
        ] {
            assert_faithful(old, new, &compare(old, new, later()));
        }
    }

    #[test]
    fn a_large_rewrite_becomes_blocks_quickly() {
        let old: String = (0..9_000).map(|i| format!("w{i} ")).collect();
        let new: String = (0..9_000).map(|i| format!("v{i} ")).collect();
        let started = Instant::now();
        let diff = compare(&old, &new, later());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_faithful(&old, &new, &diff);
        assert_eq!(diff.parts().len(), 2, "one removed and one added block");
    }

    #[test]
    fn one_changed_word_in_a_long_line_is_found() {
        let words: Vec<String> = (0..10_000).map(|i| format!("woord{i}")).collect();
        let old = words.join(" ");
        let mut changed = words.clone();
        changed[5_000] = "anders".into();
        let new = changed.join(" ");
        let diff = compare(&old, &new, later());
        assert_faithful(&old, &new, &diff);
        let marked: Vec<_> = parts(&diff)
            .into_iter()
            .filter(|(c, _)| *c != Change::Same)
            .collect();
        assert_eq!(
            marked,
            [(Change::Removed, "woord5000"), (Change::Added, "anders")]
        );
    }

    #[test]
    fn a_passed_deadline_still_gives_a_faithful_diff() {
        let old = "a b c\nd e f\n".repeat(500);
        let new = "a x c\nd e g\n".repeat(500);
        let diff = compare(&old, &new, Instant::now());
        assert_faithful(&old, &new, &diff);
    }
}
