//! Visitors' pages from memory (issue 16): a reading page sets no cookie and carries no
//! token, so it is kept; every write that changes it makes it fresh at once; a browser
//! revalidates with its ETag; what is kept is only ever what a visitor may read.

use erbij::entities::post;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder};

use crate::helpers::TestApp;

/// Marieke (member of Jongeren) opened a public thread; Fenna facilitates Jongeren.
async fn thread_with_visitor() -> (TestApp, TestApp, TestApp, i32) {
    let mut fenna = TestApp::new().await;
    let facilitator = fenna
        .person("fenna@welzijn.nl", "Fenna Aanjager", false, false)
        .await;
    fenna.make_facilitator(facilitator.id, "jongeren").await;
    fenna.login_as("fenna@welzijn.nl").await;
    let mut marieke = fenna.second_browser();
    let id = marieke_asks(&mut marieke, "Wie kent een **huiswerkklas** die werkt?").await;
    let visitor = fenna.second_browser();
    (fenna, marieke, visitor, id)
}

/// Marieke signs in, joins Jongeren and asks in a public thread; its id.
async fn marieke_asks(marieke: &mut TestApp, question: &str) -> i32 {
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("jongeren").await;
    marieke
        .start_thread("jongeren", "Huiswerkklas in Charlois", question, "public")
        .await
}

const READING_PAGES: [&str; 5] = [
    "/",
    "/praktijken",
    "/praktijken/jongeren",
    "/kennisbundels",
    "/kennisbundels.atom",
];

#[tokio::test]
async fn a_visitors_reading_pages_set_no_cookie_and_are_kept() {
    let (_fenna, _marieke, mut visitor, id) = thread_with_visitor().await;
    let thread = format!("/onderwerpen/{id}");
    for path in READING_PAGES.iter().copied().chain([thread.as_str()]) {
        let page = visitor.get(path).await;
        page.assert_status(200).assert_lacks("csrf_token");
        assert!(
            page.headers.get("set-cookie").is_none(),
            "{path} set a cookie: {:?}",
            page.headers.get("set-cookie")
        );
        assert_eq!(page.headers["cache-control"], "no-cache", "{path}");
        assert!(
            visitor.state.pages.holds("nl", path),
            "{path} is kept for the next visitor"
        );
        // The second visitor gets the same bytes from memory.
        let again = visitor.get(path).await;
        assert_eq!(again.body, page.body, "{path}");
        assert_eq!(again.headers["etag"], page.headers["etag"], "{path}");
    }
    assert!(visitor.cookies.is_empty(), "{:?}", visitor.cookies);

    // Forms a visitor submits keep their token, on their own pages, which are not kept.
    for path in ["/inloggen", "/word-lid", "/volgen"] {
        let page = visitor.get(path).await;
        page.assert_status(200).assert_contains("csrf_token");
        assert!(!visitor.state.pages.holds("nl", path), "{path}");
    }
    assert!(visitor.cookies.contains_key("erbij_csrf"));
}

#[tokio::test]
async fn a_browser_revalidates_and_gets_304_or_a_compressed_page() {
    let (_fenna, mut marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    let first = visitor.get(&path).await;
    let etag = first.headers["etag"].to_str().unwrap().to_string();

    visitor.headers.push(("if-none-match".into(), etag.clone()));
    let same = visitor.get(&path).await;
    same.assert_status(304);
    assert!(same.body.is_empty());

    // A reply changes the page: the old ETag no longer matches.
    marieke
        .reply_to(id, "Bij het buurthuis op woensdag.")
        .await
        .assert_status(303);
    let changed = visitor.get(&path).await;
    changed
        .assert_status(200)
        .assert_contains("Bij het buurthuis op woensdag.");
    assert_ne!(changed.headers["etag"].to_str().unwrap(), etag);
    visitor.headers.clear();

    // Compressed once in the background; then served as gzip or brotli on request.
    for (coding, name) in [("gzip", "gzip"), ("br", "br")] {
        visitor.headers.clear();
        visitor
            .headers
            .push(("accept-encoding".into(), coding.into()));
        let mut encoded = None;
        for _ in 0..100 {
            let (status, headers, bytes) = visitor.get_bytes(&path).await;
            assert_eq!(status.as_u16(), 200);
            if headers.get("content-encoding").is_some_and(|v| v == name) {
                encoded = Some(bytes);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let bytes = encoded.unwrap_or_else(|| panic!("never served as {name}"));
        let text = match name {
            "gzip" => {
                use std::io::Read;
                let mut out = String::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut out)
                    .unwrap();
                out
            }
            _ => {
                let mut out = Vec::new();
                brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
                String::from_utf8(out).unwrap()
            }
        };
        assert_eq!(text, changed.body, "{name} holds the same page");
    }
}

#[tokio::test]
async fn every_write_makes_the_kept_page_fresh_at_once() {
    let (mut fenna, mut marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    let practice = "/praktijken/jongeren";
    let see = |page: &crate::helpers::Page, text: &str| page.body.contains(text);
    visitor.get(&path).await.assert_contains("huiswerkklas");
    visitor
        .get(practice)
        .await
        .assert_contains("Huiswerkklas in Charlois");
    visitor
        .get("/")
        .await
        .assert_contains("Huiswerkklas in Charlois");

    // A reply: the thread, the practice's list and the home page.
    marieke
        .reply_to(id, "Vraag het buurtteam Tarwewijk.")
        .await
        .assert_status(303);
    assert!(see(&visitor.get(&path).await, "buurtteam Tarwewijk"));

    // An edit.
    let reply = post::Entity::find()
        .order_by_desc(post::Column::Id)
        .one(&visitor.state.db)
        .await
        .unwrap()
        .unwrap();
    marieke
        .post(
            &format!("/berichten/{}/bewerken", reply.id),
            &[
                ("body", "Vraag het buurtteam Oud-Charlois."),
                ("action", "save"),
            ],
        )
        .await
        .assert_status(303);
    let page = visitor.get(&path).await;
    assert!(
        see(&page, "Oud-Charlois") && !see(&page, "Tarwewijk"),
        "{}",
        page.body
    );

    // Hiding by a facilitator.
    fenna
        .post(
            &format!("/berichten/{}/verbergen", reply.id),
            &[("reason", "Namen van cliënten horen hier niet")],
        )
        .await
        .assert_status(303);
    visitor.get(&path).await.assert_lacks("Oud-Charlois");
    fenna
        .post(&format!("/berichten/{}/herstellen", reply.id), &[])
        .await
        .assert_status(303);
    visitor.get(&path).await.assert_contains("Oud-Charlois");

    // Members only: gone for visitors, everywhere they looked.
    marieke
        .post(
            &format!("/onderwerpen/{id}/zichtbaarheid"),
            &[("visibility", "members")],
        )
        .await
        .assert_status(303);
    assert_ne!(visitor.get(&path).await.status.as_u16(), 200);
    visitor
        .get(practice)
        .await
        .assert_lacks("Huiswerkklas in Charlois");
    visitor
        .get("/")
        .await
        .assert_lacks("Huiswerkklas in Charlois");
    marieke
        .post(
            &format!("/onderwerpen/{id}/zichtbaarheid"),
            &[("visibility", "public"), ("public_ok", "1")],
        )
        .await
        .assert_status(303);
    visitor
        .get(practice)
        .await
        .assert_contains("Huiswerkklas in Charlois");

    // Moved to another practice: both lists change.
    fenna
        .post(
            &format!("/onderwerpen/{id}/verplaatsen"),
            &[("practice", "zingeving")],
        )
        .await
        .assert_status(303);
    visitor
        .get(practice)
        .await
        .assert_lacks("Huiswerkklas in Charlois");
    visitor
        .get("/praktijken/zingeving")
        .await
        .assert_contains("Huiswerkklas in Charlois");

    // Another language is another page.
    let english = visitor
        .get(&format!(
            "/taal/en?{}",
            serde_html_form::to_string([("terug", "/")]).unwrap()
        ))
        .await;
    assert_eq!(english.location(), "/");
    visitor
        .get("/")
        .await
        .assert_contains(r#"<html lang="en">"#);
    assert!(visitor.state.pages.holds("en", "/"));
    assert!(visitor.state.pages.holds("nl", "/") || !visitor.state.pages.holds("en", "/nl"));
}

/// Views `path` until it comes from memory (the first view notes the read position, which
/// changes the page: nothing is new any more), and returns that page.
async fn kept_for(app: &mut TestApp, path: &str) -> crate::helpers::Page {
    for _ in 0..3 {
        let (page, spent) = app.get_counting(path).await;
        page.assert_status(200);
        if spent == 0 {
            return page;
        }
    }
    panic!("{path} is not kept for this session after three views");
}

#[tokio::test]
async fn a_members_page_is_kept_for_that_session_only() {
    let (_fenna, mut marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    visitor.get(&path).await;
    assert!(visitor.state.pages.holds("nl", &path));
    // Marieke's page is her own: the reply form with her token, served from memory without
    // a single statement, and never stored by her browser.
    let page = kept_for(&mut marieke, &path).await;
    page.assert_contains("csrf_token")
        .assert_contains("Uitloggen");
    assert_eq!(page.headers["cache-control"], "no-store");
    // A visitor still gets the visitor's page.
    visitor
        .get(&path)
        .await
        .assert_lacks("csrf_token")
        .assert_lacks("Uitloggen");
    // Her other device is another session: it renders its own.
    let mut phone = marieke.second_browser();
    phone.login_as("marieke@buurtkracht.nl").await;
    let (page, spent) = phone.get_counting(&path).await;
    page.assert_contains("Uitloggen");
    assert!(spent > 0, "another session never gets this session's page");

    let members_only = marieke
        .start_thread(
            "jongeren",
            "Intern overleg",
            "Alleen voor leden: sleutelwoord-zeven.",
            "members",
        )
        .await;
    kept_for(&mut marieke, &format!("/onderwerpen/{members_only}"))
        .await
        .assert_contains("sleutelwoord-zeven");
    kept_for(&mut marieke, "/praktijken/jongeren")
        .await
        .assert_contains("Intern overleg");
    assert!(marieke.state.pages.members_pages() >= 3);
    for text in visitor.state.pages.texts() {
        assert!(!text.contains("sleutelwoord-zeven") && !text.contains("Intern overleg"));
        assert!(!text.contains("csrf_token"), "no per-visitor token is kept");
    }
    visitor
        .get(&format!("/onderwerpen/{members_only}"))
        .await
        .assert_lacks("sleutelwoord-zeven");
    visitor
        .get("/praktijken/jongeren")
        .await
        .assert_lacks("Intern overleg");
    assert!(
        !visitor
            .state
            .pages
            .holds("nl", &format!("/onderwerpen/{members_only}"))
    );
}

/// What only a member's own pages show — the bell, a draft, being signed in — changes them
/// at once, also when someone else's write caused it.
#[tokio::test]
async fn a_members_kept_page_follows_their_own_state() {
    let (mut fenna, mut marieke, _visitor, id) = thread_with_visitor().await;
    let other = marieke
        .start_thread(
            "jongeren",
            "Taalcafé in Delfshaven",
            "Wie gaat er mee naar het taalcafé?",
            "public",
        )
        .await;
    let other_path = format!("/onderwerpen/{other}");
    kept_for(&mut marieke, &other_path)
        .await
        .assert_lacks(r#"<span class="count" aria-hidden="true">"#);

    // Fenna answers in the thread Marieke started (and so watches): Marieke's bell rings on
    // the other thread's page, which Fenna's reply did not touch.
    fenna
        .reply_to(id, "Ja, in de bibliotheek van Charlois.")
        .await;
    let (page, spent) = marieke.get_counting(&other_path).await;
    page.assert_contains(r#"<span class="count" aria-hidden="true">1</span>"#);
    assert!(spent > 0);

    // A draft she saves comes back in the form.
    kept_for(&mut marieke, &other_path).await;
    let target = format!("reply:{other}");
    marieke
        .post(
            "/concepten",
            &[
                ("target", &target),
                ("title", ""),
                ("body", "Halve gedachte over de bus"),
            ],
        )
        .await;
    marieke
        .get(&other_path)
        .await
        .assert_contains("Halve gedachte over de bus");

    // A preview refused for its length still keeps the text as her draft: the page shows it.
    kept_for(&mut marieke, &other_path).await;
    let too_long = "Te lange gedachte. ".repeat(3_000);
    marieke
        .post_multipart(
            &format!("/onderwerpen/{other}/reageren"),
            &[("body", &too_long), ("action", "preview")],
            &[],
        )
        .await
        .assert_status(422);
    marieke
        .get(&other_path)
        .await
        .assert_contains("Te lange gedachte.");

    // Signed out, the old cookie gets no member's page any more.
    kept_for(&mut marieke, &other_path).await;
    let cookies = marieke.cookies.clone();
    marieke.post("/uitloggen", &[]).await;
    marieke.cookies = cookies;
    marieke
        .get(&other_path)
        .await
        .assert_status(200)
        .assert_lacks("Uitloggen")
        .assert_lacks("Te lange gedachte");
}

#[tokio::test]
async fn post_bodies_are_stored_rendered_and_older_ones_rendered_again() {
    let (_fenna, _marieke, mut visitor, id) = thread_with_visitor().await;
    let opening = post::Entity::find()
        .order_by_asc(post::Column::Id)
        .one(&visitor.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        opening.body_html,
        "<p>Wie kent een <strong>huiswerkklas</strong> die werkt?</p>\n"
    );
    assert_eq!(opening.html_version, erbij::markdown::RENDERER_VERSION);

    // A row written before HTML was stored (version 0): the page renders it itself, the job
    // at start-up stores its HTML.
    let mut old: post::ActiveModel = opening.clone().into();
    old.body_html = Set(String::new());
    old.html_version = Set(0);
    old.update(&visitor.state.db).await.unwrap();
    let path = format!("/onderwerpen/{id}");
    visitor
        .get(&path)
        .await
        .assert_contains("<strong>huiswerkklas</strong>");
    let threads = erbij::forum::bodies::render_stale(&visitor.state.db)
        .await
        .unwrap();
    assert_eq!(threads, vec![id]);
    assert!(
        erbij::forum::bodies::render_stale(&visitor.state.db)
            .await
            .unwrap()
            .is_empty()
    );
    let again = post::Entity::find_by_id(opening.id)
        .one(&visitor.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.html_version, erbij::markdown::RENDERER_VERSION);
    assert_eq!(again.body_html, opening.body_html);
}

/// Two instances on one PostgreSQL database: a reply written through one is on the other's
/// kept page at once (`NOTIFY` before the reply's answer). `.ci/run` runs this with
/// PostgreSQL; on SQLite there is one instance per database file.
#[tokio::test]
async fn two_instances_on_postgresql_show_a_reply_on_both_at_once() {
    if std::env::var("ERBIJ_TEST_DATABASE_URL").is_err() {
        return;
    }
    let (_fenna, mut marieke, mut visitor_a, id) = thread_with_visitor().await;
    let mut visitor_b = visitor_a.other_instance().await;
    for state in [visitor_a.state.clone(), visitor_b.state.clone()] {
        tokio::spawn(erbij::page_cache::listen_to_instances(state));
    }
    while !(visitor_a.state.pages.hears_others() && visitor_b.state.pages.hears_others()) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let path = format!("/onderwerpen/{id}");
    for visitor in [&mut visitor_a, &mut visitor_b] {
        visitor.get(&path).await.assert_contains("huiswerkklas");
        assert!(visitor.state.pages.holds("nl", &path));
    }

    // Marieke writes through instance A; B's kept page is stale by the time she is answered
    // (allowing B's listener the moment it takes to read the message).
    marieke
        .reply_to(id, "De huiswerkklas in de Millinxbuurt werkt goed.")
        .await
        .assert_status(303);
    stale_within_a_second(&visitor_b, &path, "instance B never heard of the reply").await;
    visitor_b.get(&path).await.assert_contains("Millinxbuurt");
    visitor_a.get(&path).await.assert_contains("Millinxbuurt");

    // A write that names nothing on B empties A's pages too.
    visitor_a.get(&path).await;
    visitor_b.state.pages.everything_changed().await;
    stale_within_a_second(&visitor_a, &path, "A never heard that everything changed").await;

    // A reply that rings two thousand bells is more than one notification holds (PostgreSQL
    // takes under 8,000 bytes): the thread, named last, still reaches the other instance.
    visitor_a.get(&path).await;
    assert!(visitor_a.state.pages.holds("nl", &path));
    let mut parts: Vec<erbij::page_cache::Part> =
        (1..=2_000).map(erbij::page_cache::Part::Person).collect();
    parts.push(erbij::page_cache::Part::Thread(id));
    visitor_b.state.pages.changed(&parts).await;
    stale_within_a_second(
        &visitor_a,
        &path,
        "a long list of changes never reached the other instance",
    )
    .await;
}

/// Waits (a second at most, for the other instance's listener) until `app` no longer holds
/// a fresh copy of the visitor's page at `path`.
async fn stale_within_a_second(app: &TestApp, path: &str, failure: &str) {
    let started = std::time::Instant::now();
    while app.state.pages.holds("nl", path) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "{failure}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
}

/// A crowd asking for a page that is not kept (after a write) renders it once, not once
/// per visitor: the others wait for that one rendering.
#[tokio::test]
async fn a_crowd_of_visitors_renders_a_page_once() {
    let (_fenna, _marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    visitor.state.pages.everything_changed().await;
    let (_, one) = visitor.get_counting(&path).await;
    assert!(one > 0);

    visitor.state.pages.everything_changed().await;
    let before = visitor.queries.load(std::sync::atomic::Ordering::SeqCst);
    let crowd: Vec<_> = (0..50).map(|_| visitor.second_browser()).collect();
    let pages = futures_util::future::join_all(crowd.into_iter().map(|mut v| {
        let path = path.clone();
        async move { v.get(&path).await }
    }))
    .await;
    let spent = visitor.queries.load(std::sync::atomic::Ordering::SeqCst) - before;
    for page in &pages {
        page.assert_status(200).assert_contains("huiswerkklas");
    }
    assert!(
        spent <= 2 * one,
        "50 visitors cost {spent} statements; one rendering costs {one}"
    );
}

/// Refused writes (no token, a form with errors) keep the kept pages: refused requests
/// cannot keep the site rendering.
#[tokio::test]
async fn refused_writes_leave_kept_pages_alone() {
    let (_fenna, mut marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    visitor.get(&path).await;
    assert!(visitor.state.pages.holds("nl", &path));
    visitor
        .post_raw(&format!("/onderwerpen/{id}/reageren"), &[("body", "spam")])
        .await;
    let refused = marieke
        .post(
            &format!("/onderwerpen/{id}/zichtbaarheid"),
            &[("visibility", "geheim")],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(visitor.state.pages.holds("nl", &path));
    // An accepted one does not.
    marieke
        .reply_to(id, "Nog een tip: de speeltuinvereniging.")
        .await
        .assert_status(303);
    assert!(!visitor.state.pages.holds("nl", &path));
}

/// "zojuist" on a kept page becomes "1 minuut geleden" on time: a page is kept no longer than
/// its first relative time reads the same.
#[tokio::test]
async fn a_kept_page_is_true_to_the_minute() {
    let (_fenna, _marieke, mut visitor, id) = thread_with_visitor().await;
    let path = format!("/onderwerpen/{id}");
    let opening = post::Entity::find()
        .order_by_desc(post::Column::Id)
        .one(&visitor.state.db)
        .await
        .unwrap()
        .unwrap();
    let almost_a_minute = chrono::Utc::now() - chrono::Duration::milliseconds(58_500);
    let mut active: post::ActiveModel = opening.into();
    active.created_at = Set(almost_a_minute);
    active.update(&visitor.state.db).await.unwrap();
    visitor.state.pages.everything_changed().await;

    visitor.get(&path).await.assert_contains(">zojuist</time>");
    assert!(visitor.state.pages.holds("nl", &path));
    tokio::time::sleep(std::time::Duration::from_millis(1_800)).await;
    assert!(!visitor.state.pages.holds("nl", &path));
    visitor
        .get(&path)
        .await
        .assert_contains(">1 minuut geleden</time>")
        .assert_lacks(">zojuist</time>");
}

/// A crowd asking for ever new addresses (`?n=…`) cannot make the cache grow past its size,
/// and compressing never queues behind it.
#[tokio::test]
async fn a_crowd_of_new_addresses_stays_within_the_cache_size() {
    let mut marieke = TestApp::with_settings(|s| s.page_cache_mb = 1).await;
    let id = marieke_asks(
        &mut marieke,
        &"Wie kent een huiswerkklas die werkt? ".repeat(300),
    )
    .await;
    let path = format!("/onderwerpen/{id}");
    let one = marieke.second_browser().get(&path).await.body.len() as u64;
    let crowd = (0..300).map(|n| {
        let mut visitor = marieke.second_browser();
        visitor
            .headers
            .push(("accept-encoding".into(), "gzip, br".into()));
        let path = format!("{path}?n={n}");
        async move { visitor.get(&path).await.status }
    });
    for status in futures_util::future::join_all(crowd).await {
        assert_eq!(status.as_u16(), 200);
    }
    let kept = marieke.state.pages.kept_bytes();
    assert!(
        kept > 0 && kept <= 1024 * 1024 && 300 * one > 2 * 1024 * 1024,
        "{kept} bytes kept; 300 pages of {one} bytes were asked for"
    );
}
