//! Conversations in the practices: joining, starting threads, replying, quoting, editing
//! with history, reading positions — and the visibility rule on every route.

use erbij::entities::{post, thread};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};

use crate::helpers::{Page, TestApp};

impl TestApp {
    pub async fn join(&mut self, slug: &str) {
        let page = self
            .post(&format!("/praktijken/{slug}/deelnemen"), &[])
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
    }

    /// Starts a thread and returns its id.
    pub async fn start_thread(
        &mut self,
        slug: &str,
        title: &str,
        body: &str,
        visibility: &str,
    ) -> i32 {
        let page = self
            .post_multipart(
                &format!("/praktijken/{slug}/nieuw"),
                &[
                    ("title", title),
                    ("body", body),
                    ("visibility", visibility),
                    // The author read what public means (ignored for members-only).
                    ("public_ok", "1"),
                    ("action", "post"),
                ],
                &[],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        page.location()
            .trim_start_matches("/onderwerpen/")
            .parse()
            .expect("redirect to the new thread")
    }

    pub async fn reply_to(&mut self, thread_id: i32, body: &str) -> Page {
        self.post_multipart(
            &format!("/onderwerpen/{thread_id}/reageren"),
            &[("body", body), ("action", "post")],
            &[],
        )
        .await
    }
}

#[tokio::test]
async fn members_start_a_thread_and_reply() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;

    // Not joined yet: reading is fine, starting a thread is not.
    app.get("/praktijken/jongeren")
        .await
        .assert_contains("Doe mee met deze praktijk")
        .assert_lacks("/praktijken/jongeren/nieuw\"");
    app.get("/praktijken/jongeren/nieuw")
        .await
        .assert_status(403);
    app.join("jongeren").await;
    app.get("/praktijken/jongeren")
        .await
        .assert_contains(r#"href="/praktijken/jongeren/nieuw""#)
        .assert_contains("Verlaat deze praktijk");

    // Empty title: the text typed stays.
    app.post_multipart(
        "/praktijken/jongeren/nieuw",
        &[
            ("title", " "),
            ("body", "Hoe begin je het gesprek?"),
            ("visibility", "public"),
            ("public_ok", "1"),
        ],
        &[],
    )
    .await
    .assert_status(422)
    .assert_contains("Vul dit veld in.")
    .assert_contains("Hoe begin je het gesprek?");

    // Preview renders the Markdown and creates nothing.
    let preview = app
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Eenzaamheid bespreekbaar maken"),
                ("body", "Wat **werkt** bij jullie?"),
                ("visibility", "public"),
                ("public_ok", "1"),
                ("action", "preview"),
            ],
            &[],
        )
        .await;
    preview
        .assert_status(200)
        .assert_contains("Zo ziet het eruit")
        .assert_contains("<strong>werkt</strong>")
        .assert_contains(r#"value="Eenzaamheid bespreekbaar maken""#);
    assert_eq!(
        thread::Entity::find()
            .all(&app.state.db)
            .await
            .expect("q")
            .len(),
        0
    );

    let id = app
        .start_thread(
            "jongeren",
            "Eenzaamheid bespreekbaar maken",
            "Wat **werkt** bij jullie?",
            "public",
        )
        .await;
    let page = app.get(&format!("/onderwerpen/{id}")).await;
    page.assert_status(200)
        .assert_contains("<h1>Eenzaamheid bespreekbaar maken</h1>")
        .assert_contains("Marieke de Vries")
        .assert_contains("Welzijn Rotterdam")
        .assert_contains("<strong>werkt</strong>")
        .assert_contains(r#"id="reageren""#);
    assert!(page.title().starts_with("Eenzaamheid bespreekbaar maken"));

    // A second member reads along, joins, and replies.
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("Doe dan eerst mee");
    kees.reply_to(id, "Gewoon vragen.").await.assert_status(403);
    kees.join("jongeren").await;
    kees.reply_to(id, "   ")
        .await
        .assert_status(422)
        .assert_contains("Vul dit veld in.");
    let replied = kees
        .reply_to(id, "Gewoon **vragen**, zonder oordeel.")
        .await;
    replied.assert_status(303);
    assert!(
        replied
            .location()
            .starts_with(&format!("/onderwerpen/{id}#bericht-")),
        "{}",
        replied.location()
    );

    let list = app.get("/praktijken/jongeren").await;
    list.assert_contains("Eenzaamheid bespreekbaar maken")
        .assert_contains("1 reactie")
        .assert_contains("laatst door <a href=\"/leden/kees-bos\">Kees Bos</a>,");
    // Kees's reply is new for Marieke: her home says so.
    app.get("/")
        .await
        .assert_contains("Nieuw voor jou")
        .assert_contains("Eenzaamheid bespreekbaar maken");

    // The new reply is unread for Marieke until she opens the thread.
    list.assert_contains(">1 nieuw<");
    let jump = app.get(&format!("/onderwerpen/{id}/ongelezen")).await;
    assert!(jump.location().contains("#bericht-"), "{}", jump.location());
    app.get(&format!("/onderwerpen/{id}")).await;
    app.get("/praktijken/jongeren")
        .await
        .assert_lacks(">1 nieuw<");
}

#[tokio::test]
async fn members_only_threads_never_reach_visitors() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("migranten").await;
    let public = app
        .start_thread(
            "migranten",
            "Taalcafé als ingang",
            "Open voor iedereen.",
            "public",
        )
        .await;
    let secret = app
        .start_thread(
            "migranten",
            "Casus mevrouw K uit Delfshaven",
            "Vertrouwelijk: haar buurvrouw belt niet meer.",
            "members",
        )
        .await;
    app.reply_to(secret, "Geheim antwoord over mevrouw K.")
        .await
        .assert_status(303);
    let secret_post = post::Entity::find()
        .filter(post::Column::ThreadId.eq(secret))
        .all(&app.state.db)
        .await
        .expect("q");

    // A member sees both, marked, on the practice page.
    app.get("/praktijken/migranten")
        .await
        .assert_contains("Casus mevrouw K")
        .assert_contains("Alleen leden");

    // A visitor sees the public one and nothing of the other, by any route.
    let mut visitor = app.second_browser();
    let list = visitor.get("/praktijken/migranten").await;
    list.assert_contains("Taalcafé als ingang")
        .assert_lacks("mevrouw K")
        .assert_lacks("Alleen leden");
    let home = visitor.get("/").await;
    home.assert_contains("Taalcafé als ingang")
        .assert_lacks("mevrouw K");
    for path in [
        format!("/onderwerpen/{secret}"),
        format!("/onderwerpen/{secret}?pagina=1"),
        format!("/onderwerpen/{secret}/ongelezen"),
        format!("/berichten/{}", secret_post[0].id),
        format!("/berichten/{}", secret_post[1].id),
        format!("/berichten/{}/versies", secret_post[0].id),
    ] {
        let page = visitor.get(&path).await;
        assert!(
            page.status == 404 || page.status == 303,
            "{path}: {}",
            page.status
        );
        page.assert_lacks("mevrouw K").assert_lacks("Delfshaven");
        assert!(!page.title().contains("mevrouw"));
    }
    visitor
        .get(&format!("/onderwerpen/{public}"))
        .await
        .assert_status(200)
        .assert_contains("Open voor iedereen.");
    // The reply count of the visible thread does not include hidden ones either.
    list.assert_contains("0 reacties");
}

#[tokio::test]
async fn archived_practices_and_locked_threads_take_no_new_posts() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    app.login_as("beheer@coalitie.nl").await;
    let page = app.get("/praktijken/huisbezoeken-75").await;
    page.assert_lacks("/nieuw\"")
        .assert_lacks("Doe mee met deze praktijk");
    app.post_multipart(
        "/praktijken/huisbezoeken-75/nieuw",
        &[("title", "x"), ("body", "y"), ("visibility", "public")],
        &[],
    )
    .await
    .assert_status(403);
    app.post("/praktijken/huisbezoeken-75/deelnemen", &[])
        .await
        .assert_status(403);

    let id = app
        .start_thread("zingeving", "Wat geeft zin?", "Een vraag.", "public")
        .await;
    let mut t = thread::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("t")
        .into_active_model();
    t.locked = Set(true);
    t.update(&app.state.db).await.expect("lock");
    app.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("Dit onderwerp is gesloten")
        .assert_lacks("<textarea");
    app.reply_to(id, "Toch nog iets.").await.assert_status(403);
}

#[tokio::test]
async fn long_threads_are_paginated_and_permalinks_find_their_page() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("typologieen").await;
    let id = app
        .start_thread("typologieen", "Veel reacties", "Begin.", "public")
        .await;
    for i in 2..=45 {
        app.reply_to(id, &format!("Reactie nummer {i}."))
            .await
            .assert_status(303);
    }
    let first = app.get(&format!("/onderwerpen/{id}")).await;
    first
        .assert_contains("Reactie nummer 20.")
        .assert_lacks("Reactie nummer 21.")
        .assert_contains(r#"aria-current="page""#);
    app.get(&format!("/onderwerpen/{id}?pagina=3"))
        .await
        .assert_contains("Reactie nummer 45.")
        .assert_lacks("Reactie nummer 40.");
    app.get(&format!("/onderwerpen/{id}?pagina=4"))
        .await
        .assert_status(404);
    app.get(&format!("/onderwerpen/{id}?pagina=0"))
        .await
        .assert_status(404);
    app.get(&format!("/onderwerpen/{id}?pagina=twee"))
        .await
        .assert_status(400);
    app.get("/onderwerpen/abc").await.assert_status(400);
    app.get("/onderwerpen/999999").await.assert_status(404);

    let last = post::Entity::find()
        .filter(post::Column::ThreadId.eq(id))
        .filter(post::Column::Position.eq(45))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("post 45");
    let permalink = app.get(&format!("/berichten/{}", last.id)).await;
    assert_eq!(
        permalink.location(),
        format!("/onderwerpen/{id}?pagina=3#bericht-{}", last.id)
    );
}

#[tokio::test]
async fn thread_and_practice_pages_cost_a_fixed_number_of_queries() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    let short = app
        .start_thread("zingeving", "Kort", "Een.", "public")
        .await;
    let long = app
        .start_thread("zingeving", "Lang", "Een.", "public")
        .await;
    for i in 0..19 {
        app.reply_to(long, &format!("Nog {i}")).await;
    }
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    for i in 0..19 {
        kees.reply_to(long, &format!("Ook {i}")).await;
    }
    let (_, one) = app.get_counting(&format!("/onderwerpen/{short}")).await;
    let (_, many) = app.get_counting(&format!("/onderwerpen/{long}")).await;
    assert_eq!(one, many, "a thread page with 1 post and with 20 posts");
    // Session, bell, scope, thread, posts, authors, attachments, read position (read and
    // write), standing, watch, citing summaries, and the related threads (the search and
    // their threads; three more when summaries are among them), and the meeting it may
    // report on: at most fifteen here, whatever the thread's length.
    assert!(many <= 15, "{many} queries for a thread page");

    let (_, few) = app.get_counting("/praktijken/zingeving").await;
    for i in 0..30 {
        app.start_thread("zingeving", &format!("Onderwerp {i}"), "Tekst.", "public")
            .await;
    }
    let (_, full) = app.get_counting("/praktijken/zingeving").await;
    assert_eq!(
        few, full,
        "a practice page with 2 threads and with a full page"
    );
    // A member's home ("Nieuw voor jou"): session, bell, scope (2), new threads (count and
    // page), their unread counts, last posters, unread per practice, the bell's lines
    // (notifications, titles, actors), new summaries, the coming meetings (and their
    // practices, when there are any). Constant: `hearing_back`.
    let (_, home) = app.get_counting("/").await;
    assert!(home <= 15, "{home} queries for a member's home page");
    let mut visitor = app.second_browser();
    let (_, home) = visitor.get_counting("/").await;
    assert!(home <= 8, "{home} queries for a visitor's home page");
}

#[tokio::test]
async fn authors_edit_with_history_and_remove_their_own_posts() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("netwerkversterking").await;
    let id = app
        .start_thread(
            "netwerkversterking",
            "Buren betrekken",
            "Wij bellen eerst de buren.",
            "public",
        )
        .await;
    let first = post::Entity::find()
        .filter(post::Column::ThreadId.eq(id))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("post");

    app.get(&format!("/berichten/{}/bewerken", first.id))
        .await
        .assert_contains("Wij bellen eerst de buren.");
    app.post(
        &format!("/berichten/{}/bewerken", first.id),
        &[("body", ""), ("action", "post")],
    )
    .await
    .assert_status(422);
    app.post(
        &format!("/berichten/{}/bewerken", first.id),
        &[("body", "Wij bellen eerst de familie."), ("action", "post")],
    )
    .await
    .assert_status(303);
    let page = app.get(&format!("/onderwerpen/{id}")).await;
    page.assert_contains("Wij bellen eerst de familie.")
        .assert_contains("bewerkt");
    let history = app.get(&format!("/berichten/{}/versies", first.id)).await;
    history
        .assert_status(200)
        .assert_contains("Versie 2")
        .assert_contains("<del>buren.</del>")
        .assert_contains("<ins>familie.</ins>");

    // Someone else may quote it, but not edit or remove it.
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("netwerkversterking").await;
    kees.get(&format!("/onderwerpen/{id}?citeer={}", first.id))
        .await
        .assert_contains("&gt; **Marieke de Vries:**")
        .assert_contains("&gt; Wij bellen eerst de familie.");
    kees.get(&format!("/berichten/{}/bewerken", first.id))
        .await
        .assert_status(403);
    kees.post(
        &format!("/berichten/{}/bewerken", first.id),
        &[("body", "Overgenomen!"), ("action", "post")],
    )
    .await
    .assert_status(403);
    kees.post(&format!("/berichten/{}/verwijderen", first.id), &[])
        .await
        .assert_status(403);

    app.post(&format!("/berichten/{}/verwijderen", first.id), &[])
        .await
        .assert_status(303);
    app.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("Dit bericht is verwijderd door de schrijver.")
        .assert_lacks("Wij bellen eerst de familie.");
    app.get(&format!("/berichten/{}/versies", first.id))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn script_in_a_post_is_shown_as_text() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("jongeren").await;
    let id = app
        .start_thread(
            "jongeren",
            "<script>alert('titel')</script>",
            "<img src=x onerror=alert(1)> [klik](javascript:alert(2))",
            "public",
        )
        .await;
    let page = app.get(&format!("/onderwerpen/{id}")).await;
    page.assert_lacks("<script>alert")
        .assert_lacks("<img")
        .assert_lacks("javascript:")
        .assert_contains("<h1>&lt;script&gt;alert('titel')&lt;/script&gt;</h1>");
}

#[tokio::test]
async fn participants_are_listed_for_members_only() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    app.get("/praktijken/zingeving/deelnemers")
        .await
        .assert_contains("Marieke de Vries");
    let mut visitor = app.second_browser();
    visitor
        .get("/praktijken/zingeving/deelnemers")
        .await
        .assert_status(303);
    app.post("/praktijken/zingeving/verlaten", &[])
        .await
        .assert_status(303);
    app.get("/praktijken/zingeving/deelnemers")
        .await
        .assert_contains("Er doet nog niemand mee.");
}

#[tokio::test]
async fn replies_mentions_and_quotes_notify_the_right_people() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let id = marieke
        .start_thread(
            "zingeving",
            "Zingevingsgesprekken",
            "Wie heeft ervaring?",
            "members",
        )
        .await;

    let mut kees = marieke.second_browser();
    let kees_model = kees.member_other().await;
    assert_eq!(kees_model.handle.as_deref(), Some("kees-bos"));
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    // Another person named Kees Bos gets a handle of their own.
    let twin = kees
        .person("kees2@buurtkracht.nl", "Kees Bos", false, false)
        .await;
    assert_eq!(twin.handle.as_deref(), Some("kees-bos-2"));

    // A reply in her thread notifies Marieke (she follows what she started).
    kees.reply_to(id, "Ja, wij werken met levensverhalen.")
        .await
        .assert_status(303);
    let home = marieke.get("/").await;
    home.assert_contains("Meldingen: 1 nieuwe");
    let list = marieke.get("/meldingen").await;
    list.assert_contains("Kees Bos reageerde in “Zingevingsgesprekken”");

    // Marieke quotes Kees and mentions the other Kees: each learns it once.
    let first_reply = post::Entity::find()
        .filter(post::Column::ThreadId.eq(id))
        .filter(post::Column::Position.eq(2))
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("reply");
    let form = marieke
        .get(&format!("/onderwerpen/{id}?citeer={}", first_reply.id))
        .await;
    form.assert_contains(&format!(r#"name="quote" value="{}""#, first_reply.id));
    marieke
        .post_multipart(&format!("/onderwerpen/{id}/reageren"), &[
            ("body", "> Ja, wij werken met levensverhalen.\n\nMooi! @kees-bos-2 doe jij dat ook? Mail naar iemand@kees-bos.nl"),
            ("quote", &first_reply.id.to_string()),
            ("action", "post"),
        ], &[])
        .await
        .assert_status(303);
    let kees_list = kees.get("/meldingen").await;
    kees_list.assert_contains("Marieke de Vries citeerde je");
    assert_eq!(
        kees_list.body.matches("Marieke de Vries").count(),
        1,
        "one notification, not a reply one too"
    );
    // The other Kees is not a member of the practice, but members read members-only
    // threads, so the mention reaches them.
    let mut twin_browser = marieke.second_browser();
    twin_browser.login_as("kees2@buurtkracht.nl").await;
    twin_browser
        .get("/meldingen")
        .await
        .assert_contains("Marieke de Vries noemde je in “Zingevingsgesprekken”");

    // Opening a notification leads to the post and marks it read.
    let open = kees_list
        .body
        .split("href=\"/meldingen/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a notification link")
        .to_string();
    let jump = kees.get(&format!("/meldingen/{open}")).await;
    assert!(
        jump.location().starts_with(&format!("/onderwerpen/{id}")),
        "{}",
        jump.location()
    );
    kees.get("/").await.assert_lacks("Meldingen: 1 nieuwe");

    // Muting stops reply notifications; "mark all" clears the bell.
    marieke
        .post(&format!("/onderwerpen/{id}/volgen"), &[("mode", "mute")])
        .await
        .assert_status(303);
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("Je krijgt geen meldingen over dit onderwerp.");
    marieke
        .post("/meldingen/gelezen", &[])
        .await
        .assert_status(303);
    kees.reply_to(id, "Nog een reactie.")
        .await
        .assert_status(303);
    marieke.get("/").await.assert_lacks("nieuwe\"");
    assert_eq!(
        erbij::entities::notification::Entity::find()
            .filter(erbij::entities::notification::Column::ReadAt.is_null())
            .filter(erbij::entities::notification::Column::UserId.eq(1))
            .all(&marieke.state.db)
            .await
            .expect("q")
            .len(),
        0
    );
    // Nobody can open someone else's notification.
    marieke
        .get(&format!("/meldingen/{open}"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn mentions_never_leak_a_members_thread_to_someone_who_cannot_read_it() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let blocked = app
        .person("weg@buurtkracht.nl", "Geblokkeerd Lid", false, false)
        .await;
    let mut active = blocked.into_active_model();
    active.disabled = Set(true);
    active.update(&app.state.db).await.expect("block");
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("jongeren").await;
    app.start_thread(
        "jongeren",
        "Casus",
        "Hallo @geblokkeerd-lid, kijk even mee.",
        "members",
    )
    .await;
    assert!(
        erbij::entities::notification::Entity::find()
            .all(&app.state.db)
            .await
            .expect("q")
            .is_empty(),
        "a blocked account is told nothing"
    );
}

#[test]
fn handles_are_found_in_text_but_not_in_addresses() {
    let found = erbij::mentions::handles(
        "Hoi @Marieke-de-Vries en @kees-bos-2, mail iemand@voorbeeld.nl of @- niemand",
    );
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        vec!["kees-bos-2".to_string(), "marieke-de-vries".to_string()]
    );
}

/// The smallest real files of each kind, as a browser would send them.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[tokio::test]
async fn a_handout_travels_with_a_post_and_only_to_its_readers() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("jongeren").await;
    let form = app.get("/praktijken/jongeren/nieuw").await;
    form.assert_contains(r#"enctype="multipart/form-data""#)
        .assert_contains(r#"type="file""#);

    // A real PDF (one that can be read, so cleaned of its metadata) for the steps below.
    let pdf = crate::images::pdf_with_metadata();
    // A script disguised as a PDF is refused by its content; the text stays.
    let disguised = app
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Handreiking"),
                ("body", "Zie de bijlage."),
                ("visibility", "members"),
                ("action", "post"),
            ],
            &[("files", "handreiking.pdf", b"<script>alert(1)</script>")],
        )
        .await;
    disguised
        .assert_status(422)
        .assert_contains("Dit soort bestand kan niet mee.")
        .assert_contains(r#"value="Handreiking""#)
        .assert_contains("Zie de bijlage.");

    // Preview with a real PDF keeps the file for the final post.
    let preview = app
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Handreiking"),
                ("body", "Zie de bijlage."),
                ("visibility", "members"),
                ("action", "preview"),
            ],
            &[
                ("files", "../../Handreiking gesprekken.pdf", &pdf),
                ("files", "foto.png", PNG),
            ],
        )
        .await;
    preview
        .assert_status(200)
        .assert_contains("Handreiking gesprekken.pdf")
        .assert_lacks("../");
    let kept: Vec<String> = preview
        .body
        .split(r#"name="attachment" value=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect();
    assert_eq!(kept.len(), 2);
    let mut fields = vec![
        ("title", "Handreiking"),
        ("body", "Zie de bijlage."),
        ("visibility", "members"),
        ("action", "post"),
    ];
    for id in &kept {
        fields.push(("attachment", id.as_str()));
    }
    let posted = app
        .post_multipart("/praktijken/jongeren/nieuw", &fields, &[])
        .await;
    posted.assert_status(303);
    let thread = app.get(posted.location()).await;
    let href = thread
        .body
        .split(r#"href="/bijlagen/"#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|rest| format!("/bijlagen/{rest}"))
        .expect("a link to the handout");
    thread
        .assert_contains("Handreiking gesprekken.pdf")
        .assert_contains("<img src=\"/bijlagen/");

    let file = app.get(&href).await;
    file.assert_status(200);
    assert_eq!(file.headers["content-type"], "application/pdf");
    let disposition = file.headers["content-disposition"].to_str().unwrap_or("");
    assert!(
        disposition.starts_with("attachment; filename*=UTF-8''Handreiking%20gesprekken.pdf"),
        "{disposition}"
    );
    assert!(
        file.headers["content-security-policy"]
            .to_str()
            .unwrap_or("")
            .contains("sandbox")
    );
    assert!(file.body.starts_with("%PDF"));
    // A members-only file is not kept in the browser's cache.
    assert_eq!(file.headers["cache-control"], "no-store");

    // The thread is for members: a visitor who guesses the address gets nothing.
    let mut visitor = app.second_browser();
    visitor.get(&href).await.assert_status(404);
    // Someone else's pending upload cannot be claimed either.
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.get(&href).await.assert_status(200);
    kees.join("jongeren").await;
    let stolen = kees
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Mijn bestand"),
                ("body", "Echt."),
                ("visibility", "public"),
                ("public_ok", "1"),
                ("action", "post"),
                ("attachment", &kept[0]),
            ],
            &[],
        )
        .await;
    stolen.assert_status(303);
    let mine = kees.get(stolen.location()).await;
    mine.assert_lacks("Handreiking gesprekken.pdf");

    // Too large: a clear message, text kept.
    let mut small = TestApp::with_settings(|s| s.upload_max_mb = 0).await;
    small.member("marieke@buurtkracht.nl").await;
    small.login_as("marieke@buurtkracht.nl").await;
    small.join("jongeren").await;
    small
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Groot"),
                ("body", "Te groot bestand."),
                ("visibility", "public"),
                ("public_ok", "1"),
                ("action", "post"),
            ],
            &[("files", "groot.pdf", &pdf)],
        )
        .await
        .assert_status(422)
        .assert_contains("Een bestand is te groot.")
        .assert_contains("Te groot bestand.");
}
