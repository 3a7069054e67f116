//! Texts at the limits: version pages of the longest posts and summaries still compare them
//! (their speed is measured by `cargo bench --bench versions`), and bodies nested too
//! deeply for rendering are refused with a clear message, the text kept.

use erbij::{entities::post, forum::BODY_MAX};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{Page, TestApp};

const SUMMARY_MAX: usize = 100_000;
const TOO_DEEP: &str = "Citaten en lijsten staan hier te diep in elkaar (meer dan 32 niveaus).";

/// `prefix0 prefix1 …`, exactly `chars` characters long, in paragraphs of 50 words or (with
/// `paragraphs` false) as one long paragraph.
fn words(prefix: &str, chars: usize, paragraphs: bool) -> String {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < chars + 20 {
        if i > 0 {
            text.push_str(if paragraphs && i % 50 == 0 {
                "\n\n"
            } else {
                " "
            });
        }
        text.push_str(&format!("{prefix}{i}"));
        i += 1;
    }
    text.truncate(chars);
    // No trailing space: the form would trim it and store a shorter text.
    while text.ends_with(char::is_whitespace) {
        text.pop();
        text.push('x');
    }
    text
}

async fn first_post(app: &TestApp, thread_id: i32) -> post::Model {
    post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("post")
}

async fn marieke_in_netwerkversterking() -> TestApp {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("netwerkversterking").await;
    app
}

#[tokio::test]
async fn a_post_at_the_body_limit_rewritten_once_shows_both_versions() {
    let mut app = marieke_in_netwerkversterking().await;
    // One long paragraph, as pasted from elsewhere.
    let old = words("woord", BODY_MAX, false);
    assert_eq!(old.chars().count(), BODY_MAX);
    let id = app
        .start_thread("netwerkversterking", "Een lang verhaal", &old, "public")
        .await;
    let post = first_post(&app, id).await;
    let new = words("ander", BODY_MAX, false);
    app.post(
        &format!("/berichten/{}/bewerken", post.id),
        &[("body", &new), ("action", "post")],
    )
    .await
    .assert_status(303);

    let page = app.get(&format!("/berichten/{}/versies", post.id)).await;
    page.assert_status(200)
        .assert_contains("Versie 2")
        // A rewrite this long is shown as one removed and one added block.
        .assert_contains("<del>woord0 woord1 woord2 ")
        .assert_contains("<ins>ander0 ander1 ander2 ");
    assert_eq!(page.body.matches("<del>").count(), 1, "one removed block");

    // One word changed in that long text is still marked word by word.
    let edited = new.replacen("ander4010 ", "anders ", 1);
    app.post(
        &format!("/berichten/{}/bewerken", post.id),
        &[("body", &edited), ("action", "post")],
    )
    .await
    .assert_status(303);
    app.get(&format!("/berichten/{}/versies", post.id))
        .await
        .assert_status(200)
        .assert_contains("Versie 3")
        .assert_contains("ander4009 <del>ander4010</del><ins>anders</ins> ander4011");
}

#[tokio::test]
async fn two_summary_versions_of_100_000_characters_are_compared() {
    let mut eva = TestApp::new().await;
    eva.person("eva@expert.nl", "Eva Expert", false, true).await;
    eva.login_as("eva@expert.nl").await;
    let first = words("kennis", SUMMARY_MAX, true);
    let created = eva
        .post(
            "/kennisbundels/nieuw",
            &[
                ("title", "Lange kennisbundel"),
                ("body", &first),
                ("lang", "nl"),
            ],
        )
        .await;
    created.assert_status(303);
    let path = created.location().to_string();
    // The second version rewrites the first half and keeps the rest, with one word changed.
    let second = words("inzicht", SUMMARY_MAX / 2, true)
        + &first[SUMMARY_MAX / 2..].replacen("kennis9010 ", "ervaringen ", 1);
    assert_eq!(second.chars().count(), SUMMARY_MAX);
    eva.post(
        &format!("{path}/bewerken"),
        &[
            ("title", "Lange kennisbundel"),
            ("body", &second),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);

    // Word by word, or (when the page's time budget runs out on a busy machine) in blocks:
    // either way the rewritten start is struck and added, and the unchanged end stays.
    let page = eva.get(&format!("{path}/versies")).await;
    page.assert_status(200)
        .assert_contains("Versie 2")
        .assert_contains("<del>kennis0")
        .assert_contains("<ins>inzicht0")
        .assert_contains("ervaringen")
        .assert_contains(&format!("{}</div>", &first[SUMMARY_MAX - 40..]));
}

/// The form came back with the nesting message on the body, and the text as typed.
#[track_caller]
fn refused_with_text_kept(page: &Page, typed: &str) {
    page.assert_status(422).assert_contains(TOO_DEEP);
    let escaped = typed.replace('>', "&gt;");
    assert!(
        page.body.contains(&format!("{escaped}</textarea>")),
        "the text typed is kept in the form"
    );
}

#[tokio::test]
async fn bodies_nested_too_deeply_are_refused_in_every_form_with_the_text_kept() {
    let quotes = ">".repeat(49_000);
    let quoted_lists = "> - ".repeat(12_500).trim_end().to_string();
    let mut app = marieke_in_netwerkversterking().await;

    for body in [&quotes, &quoted_lists] {
        let page = app
            .post_multipart(
                "/praktijken/netwerkversterking/nieuw",
                &[
                    ("title", "Diep"),
                    ("body", body),
                    ("visibility", "public"),
                    ("public_ok", "1"),
                    ("action", "post"),
                ],
                &[],
            )
            .await;
        refused_with_text_kept(&page, body);
    }

    let id = app
        .start_thread(
            "netwerkversterking",
            "Gewoon",
            "> een citaat\n> - met een lijst",
            "public",
        )
        .await;
    refused_with_text_kept(&app.reply_to(id, &quoted_lists).await, &quoted_lists);
    let post = first_post(&app, id).await;
    refused_with_text_kept(
        &app.post(
            &format!("/berichten/{}/bewerken", post.id),
            &[("body", &quotes), ("action", "post")],
        )
        .await,
        &quotes,
    );
    // Within the limit, quotes and lists are fine.
    let fine = "> ".repeat(20) + "diep maar leesbaar";
    app.reply_to(id, &fine).await.assert_status(303);

    let mut eva = app.second_browser();
    eva.person("eva@expert.nl", "Eva Expert", false, true).await;
    eva.login_as("eva@expert.nl").await;
    let page = eva
        .post(
            "/kennisbundels/nieuw",
            &[("title", "Diep"), ("body", &quoted_lists), ("lang", "nl")],
        )
        .await;
    refused_with_text_kept(&page, &quoted_lists);

    // English readers get the message in English.
    app.get(&format!(
        "/taal/en?{}",
        serde_html_form::to_string([("terug", "/")]).unwrap()
    ))
    .await;
    app.post_multipart(
        "/praktijken/netwerkversterking/nieuw",
        &[
            ("title", "Deep"),
            ("body", &quotes),
            ("visibility", "public"),
            ("public_ok", "1"),
            ("action", "post"),
        ],
        &[],
    )
    .await
    .assert_status(422)
    .assert_contains("Quotes and lists are nested too deeply here (more than 32 levels).");
}

#[tokio::test]
async fn deeply_nested_text_stored_before_the_limit_is_shown_as_typed() {
    let mut app = marieke_in_netwerkversterking().await;
    let id = app
        .start_thread(
            "netwerkversterking",
            "Oud bericht",
            "Eerst gewoon.",
            "public",
        )
        .await;
    let mut stored: post::ActiveModel = first_post(&app, id).await.into();
    // Written before HTML was stored with a post: the page renders it.
    stored.body = Set(">".repeat(49_000) + " <b>oud</b>");
    stored.html_version = Set(0);
    stored.update(&app.state.db).await.expect("update");

    let page = app.get(&format!("/onderwerpen/{id}")).await;
    page.assert_status(200)
        .assert_contains("&gt;&gt;&gt;&gt; &lt;b&gt;oud&lt;/b&gt;</p>")
        .assert_lacks("<blockquote>");
}
