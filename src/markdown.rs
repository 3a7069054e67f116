//! Markdown for posts: CommonMark with tables, strikethrough and bare-URL links
//! (pulldown-cmark, linkify), then sanitized by ammonia with an explicit allow-list.
//!
//! Headings in posts are moved down two levels (`#` becomes `h3`), so a post never
//! outranks the page's own `h1` and `h2`. Links get `rel="nofollow ugc noopener"`; only
//! http, https and mailto links survive.
//!
//! Deeply nested block quotes and lists cost time quadratic in their depth (49,000 `>` took
//! 3.5 s). Forms refuse text nested deeper than [`MAX_NESTING`] (`FieldErrors::markdown`),
//! and text stored before that limit, or otherwise beyond it, is shown as plain escaped
//! paragraphs: [`nesting_depth`] reads that from the start of each line, in linear time.
//! Long bodies render through [`off_executor`], off the async executor.

use std::{collections::HashSet, sync::OnceLock};

use ammonia::Builder;
use maud::{Markup, PreEscaped, Render};
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// A post body rendered as safe HTML.
pub struct Markdown<'a>(pub &'a str);

/// Bodies longer than this (in bytes) render off the executor; shorter ones take well under
/// a millisecond, less than handing the worker over would cost.
const INLINE_MAX: usize = 2_000;

impl Render for Markdown<'_> {
    fn render(&self) -> Markup {
        if self.0.len() > INLINE_MAX {
            PreEscaped(off_executor(|| to_html(self.0)))
        } else {
            PreEscaped(to_html(self.0))
        }
    }
}

/// The deepest nesting of block quotes and lists a body may have.
pub const MAX_NESTING: usize = 32;

/// An upper bound on how deeply a text nests block quotes and list items: per line, the
/// container markers at its start (`>`, `-`, `+`, `*`, `1.`, `1)`) plus half the whitespace
/// columns among them (a nested list item is indented at least two columns deeper; the one
/// space a `>` may take is its own).
/// Linear in the text.
pub fn nesting_depth(source: &str) -> usize {
    source.lines().map(line_depth).max().unwrap_or(0)
}

fn line_depth(line: &str) -> usize {
    let bytes = line.as_bytes();
    let blank_after = |i: usize| matches!(bytes.get(i), None | Some(b' ' | b'\t'));
    let (mut i, mut markers, mut columns) = (0, 0, 0);
    loop {
        match bytes.get(i) {
            Some(b' ') => columns += 1,
            Some(b'\t') => columns += 4,
            Some(b'>') => {
                markers += 1;
                // One space after `>` belongs to the marker.
                if bytes.get(i + 1) == Some(&b' ') {
                    i += 1;
                }
            }
            Some(b'-' | b'+' | b'*') if blank_after(i + 1) => markers += 1,
            Some(b'0'..=b'9') => {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let end = i + digits;
                if digits > 9
                    || !matches!(bytes.get(end), Some(b'.' | b')'))
                    || !blank_after(end + 1)
                {
                    break;
                }
                markers += 1;
                i = end;
            }
            _ => break,
        }
        i += 1;
    }
    if markers == 0 {
        0
    } else {
        markers + columns / 2
    }
}

/// Text nested beyond [`MAX_NESTING`], shown as it was typed: escaped paragraphs.
fn plain_paragraphs(source: &str) -> String {
    maud::html! {
        @for paragraph in source.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { (paragraph) }
        }
    }
    .into_string()
}

/// Runs `render` (a long body) without holding up the async executor: on the server's
/// multi-threaded runtime this worker hands its other tasks to a fresh worker while it
/// renders (`block_in_place`), so `/healthz` and other requests go on. Elsewhere (a
/// single-threaded runtime, as in tests, or no runtime) it simply renders.
///
/// `block_in_place` rather than `spawn_blocking`: views borrow what their handler loaded and
/// render bodies deep inside a page; this way every page that shows Markdown (threads,
/// previews, flag queues, summaries, version pages) is covered without each handler
/// cloning its posts into a `'static` task. Once a post's HTML is stored with it, rendering
/// moves to the one function that writes a post, and this goes.
pub fn off_executor<R>(render: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(render),
        _ => render(),
    }
}

fn sanitizer() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&str> = [
            "p",
            "br",
            "hr",
            "h3",
            "h4",
            "h5",
            "h6",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
        ]
        .into_iter()
        .collect();
        let mut builder = Builder::empty();
        builder
            .tags(tags)
            .add_tag_attributes("a", ["href"])
            .add_tag_attributes("ol", ["start"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("td", ["align"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(Some("nofollow ugc noopener"))
            .strip_comments(true);
        builder
    })
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Turns bare URLs in plain text into links.
fn linkify_text<'a>(text: CowStr<'a>, out: &mut Vec<Event<'a>>) {
    let finder = linkify::LinkFinder::new();
    let mut found = false;
    for span in finder.spans(&text) {
        match span.kind() {
            Some(linkify::LinkKind::Url) => {
                found = true;
                let url = CowStr::from(span.as_str().to_string());
                out.push(Event::Start(Tag::Link {
                    link_type: LinkType::Autolink,
                    dest_url: url.clone(),
                    title: CowStr::from(""),
                    id: CowStr::from(""),
                }));
                out.push(Event::Text(url));
                out.push(Event::End(TagEnd::Link));
            }
            _ => {
                // A mention links to the member's page (which says so when no member has
                // that name; whom it names is shown in the preview).
                for piece in crate::mentions::pieces(span.as_str()) {
                    match piece {
                        crate::mentions::Piece::Text(t) => {
                            out.push(Event::Text(CowStr::from(t.to_string())));
                        }
                        crate::mentions::Piece::Mention { written, handle } => {
                            found = true;
                            out.push(Event::Start(Tag::Link {
                                link_type: LinkType::Inline,
                                dest_url: CowStr::from(format!("/leden/{handle}")),
                                title: CowStr::from(""),
                                id: CowStr::from(""),
                            }));
                            out.push(Event::Text(CowStr::from(written.to_string())));
                            out.push(Event::End(TagEnd::Link));
                        }
                    }
                }
            }
        }
    }
    if !found && out.is_empty() {
        out.push(Event::Text(text));
    }
}

/// The version of [`to_html`]'s output. Raise it whenever a change to this file changes the
/// HTML of a text: stored post bodies of an older version are rendered again at start-up.
pub const RENDERER_VERSION: i32 = 1;

pub fn to_html(source: &str) -> String {
    if nesting_depth(source) > MAX_NESTING {
        return plain_paragraphs(source);
    }
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut events = Vec::new();
    let mut in_link = 0usize;
    let mut in_code = 0usize;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                events.push(Event::Start(Tag::Heading {
                    level: demote(level),
                    id,
                    classes,
                    attrs,
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(demote(level))))
            }
            Event::Start(Tag::Link { .. }) => {
                in_link += 1;
                events.push(event);
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                events.push(event);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code += 1;
                events.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = in_code.saturating_sub(1);
                events.push(event);
            }
            // Raw HTML is shown as text, never interpreted.
            Event::Html(html) | Event::InlineHtml(html) => events.push(Event::Text(html)),
            Event::Text(text) if in_link == 0 && in_code == 0 => {
                let mut pieces = Vec::new();
                linkify_text(text, &mut pieces);
                events.extend(pieces);
            }
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitizer().clean(&html).to_string()
}

/// A short plain-text excerpt (for lists and mails): Markdown syntax removed.
pub fn excerpt(source: &str, max_chars: usize) -> String {
    let joined = plain(source, max_chars * 4);
    if joined.chars().count() <= max_chars {
        joined
    } else {
        let cut: String = joined.chars().take(max_chars).collect();
        let cut = cut.rsplit_once(' ').map(|(head, _)| head).unwrap_or(&cut);
        format!("{cut}…")
    }
}

/// The text of some Markdown without its syntax, whitespace collapsed, read up to about
/// `max_bytes` (for excerpts and search snippets).
pub fn plain(source: &str, max_bytes: usize) -> String {
    let mut text = String::new();
    // Too deeply nested to parse cheaply: the text as typed.
    let parsed = (nesting_depth(source) <= MAX_NESTING).then(|| Parser::new(source));
    if parsed.is_none() {
        text = source.chars().take(max_bytes).collect();
    }
    for event in parsed.into_iter().flatten() {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => text.push(' '),
            _ => {}
        }
        if text.len() > max_bytes {
            break;
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commonmark_with_tables_strikethrough_and_links() {
        let html = to_html(
            "# Titel\n\n**vet** ~~weg~~ zie https://www.rotterdam.nl/eenzaamheid\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        );
        assert!(html.contains("<h3>Titel</h3>"), "{html}");
        assert!(html.contains("<strong>vet</strong>"));
        assert!(html.contains("<del>weg</del>"));
        assert!(
            html.contains(
                r#"<a href="https://www.rotterdam.nl/eenzaamheid" rel="nofollow ugc noopener">"#
            ),
            "{html}"
        );
        assert!(html.contains("<table>") && html.contains("<td>1</td>"));
    }

    #[test]
    fn headings_never_outrank_the_page() {
        for level in 1..=6 {
            let html = to_html(&format!("{} Kop", "#".repeat(level)));
            assert!(!html.contains("<h1") && !html.contains("<h2"), "{html}");
        }
    }

    #[test]
    fn known_xss_payloads_lose_their_teeth() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">klik</a>",
            "[klik](javascript:alert(1))",
            "[klik](JaVaScRiPt:alert(1))",
            "[klik](  javascript:alert(1))",
            "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[klik](vbscript:msgbox(1))",
            "![x](javascript:alert(1))",
            "<svg onload=alert(1)><circle r=10 /></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<div style=\"background:url(javascript:alert(1))\">x</div>",
            "<p style=\"width: expression(alert(1))\">x</p>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<object data=\"x.swf\"></object>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<a href=\"#\" onclick=\"alert(1)\">x</a>",
            "<body onload=alert(1)>",
            "<form action=\"https://evil.example\"><input name=x></form>",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"https://evil.example/\">",
            "<link rel=stylesheet href=https://evil.example/x.css>",
            "[x](https://example.org \"\\\" onmouseover=\\\"alert(1)\")",
            "<<script>script>alert(1)<</script>/script>",
        ];
        for payload in payloads {
            let html = to_html(payload);
            assert_inert(payload, &html);
        }
    }

    /// Every real tag in `html` (text `<` is escaped) is on the allow-list, carries only
    /// harmless attributes, and links only to http(s) or mailto.
    fn assert_inert(payload: &str, html: &str) {
        const TAGS: &[&str] = &[
            "p",
            "br",
            "hr",
            "h3",
            "h4",
            "h5",
            "h6",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
        ];
        for tag in html.split('<').skip(1) {
            let inside = tag.split('>').next().unwrap_or("").trim_start_matches('/');
            let (name, mut rest) = inside.split_once(' ').unwrap_or((inside, ""));
            assert!(
                TAGS.contains(&name),
                "{payload:?} gave tag {name:?} in {html:?}"
            );
            // Attributes: key="value" pairs; ammonia always quotes values.
            while let Some((key, after)) = rest.trim_start().split_once("=\"") {
                let (value, remainder) = after.split_once('"').unwrap_or((after, ""));
                assert!(
                    ["href", "rel", "start", "align", "title", "lang"].contains(&key),
                    "{payload:?} gave attribute {key:?} in {html:?}"
                );
                if key == "href" {
                    let url = value.to_lowercase();
                    assert!(
                        url.starts_with("http://")
                            || url.starts_with("https://")
                            || url.starts_with("mailto:"),
                        "{payload:?} gave link {url:?}"
                    );
                }
                rest = remainder;
            }
            assert!(
                rest.trim().is_empty(),
                "{payload:?} left {rest:?} in a tag of {html:?}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "gave tag")]
    fn the_inertness_check_catches_a_script_tag() {
        assert_inert("x", "<p>hoi</p><script>alert(1)</script>");
    }

    #[test]
    #[should_panic(expected = "gave attribute")]
    fn the_inertness_check_catches_an_event_handler() {
        assert_inert("x", "<a href=\"https://x.nl\" onclick=\"alert(1)\">x</a>");
    }

    #[test]
    #[should_panic(expected = "gave link")]
    fn the_inertness_check_catches_a_script_link() {
        assert_inert("x", "<a href=\"javascript:alert(1)\">x</a>");
    }

    #[test]
    fn raw_html_is_shown_not_run() {
        let html = to_html("<b>vet?</b>");
        assert!(html.contains("&lt;b&gt;vet?&lt;/b&gt;"), "{html}");
    }

    #[test]
    fn pathological_input_stays_cheap() {
        let nested = ">".repeat(20_000) + " diep";
        let html = to_html(&nested);
        assert!(html.contains("diep"));
        let stars = "*a ".repeat(20_000);
        assert!(!to_html(&stars).is_empty());
    }

    #[test]
    fn nesting_depth_counts_quotes_and_lists_at_line_starts() {
        assert_eq!(nesting_depth("Gewoon een zin.\n\n-- groet"), 0);
        assert_eq!(nesting_depth("> citaat\n> > dieper"), 2);
        assert_eq!(nesting_depth("- a\n  - b\n    - c"), 3);
        assert_eq!(nesting_depth("1. een\n   2) twee"), 3);
        assert_eq!(nesting_depth("2024. Een jaar"), 1);
        assert_eq!(nesting_depth("*nadruk* en -5 graden"), 0);
        // "> - " repeated: two markers and one column of indentation per repeat.
        assert_eq!(nesting_depth(&"> - ".repeat(10)), 25);
        assert_eq!(nesting_depth(&"> ".repeat(MAX_NESTING)), MAX_NESTING);
        assert!(nesting_depth(&">".repeat(49_000)) > MAX_NESTING);
        assert!(nesting_depth(&"> - ".repeat(12_500)) > MAX_NESTING);
    }

    #[test]
    fn the_refusal_names_the_limit() {
        for locale in ["nl", "en"] {
            let text = rust_i18n::t!("form.too_deeply_nested", locale = locale);
            assert!(text.contains(&MAX_NESTING.to_string()), "{text}");
        }
    }

    #[test]
    fn text_nested_beyond_the_limit_is_shown_as_typed() {
        let source = ">".repeat(49_000) + " <b>diep</b>\n\ntweede";
        let html = to_html(&source);
        assert!(html.starts_with("<p>&gt;&gt;&gt;"), "{}", &html[..40]);
        assert!(html.contains("&lt;b&gt;diep&lt;/b&gt;</p><p>tweede</p>"));
        assert!(excerpt(&source, 20).ends_with('…'));
        // Within the limit it is still Markdown.
        let ok = "> ".repeat(MAX_NESTING) + "diep";
        assert!(to_html(&ok).contains("<blockquote>"));
    }

    #[test]
    fn nested_text_at_the_body_limit_renders_fast() {
        // Timing printed, not asserted: run with --nocapture to see it.
        for source in [
            ">".repeat(49_000),
            "> - ".repeat(12_500),
            "> ".repeat(MAX_NESTING) + &"woord ".repeat(8_000),
            "- a\n".repeat(12_000),
            "[".repeat(50_000),
            "**a ".repeat(12_500),
        ] {
            let started = std::time::Instant::now();
            to_html(&source);
            excerpt(&source, 200);
            eprintln!("{:?}…: {:?}", &source[..8], started.elapsed());
        }
    }

    #[test]
    fn excerpts_are_plain_and_short() {
        let e = excerpt(
            "## Kop\n\nDit is **belangrijk**: [een link](https://x.nl) en meer woorden hier.",
            30,
        );
        assert_eq!(e, "Kop Dit is belangrijk: een…");
        assert!(!excerpt("<script>x</script> tekst", 100).contains("<"));
    }
}
