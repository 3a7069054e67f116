//! Leaving and moving: a member deletes their account (posts removed, or kept under
//! "oud-lid"), an administrator does it on request, and a member changes their address.
//! After deletion the name and address are on no page, in no mail, in no audit entry.

use erbij::{
    delivery,
    entities::{post, post_revision, practice, session, subscriber, thread, user},
    notifications,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{PASSWORD, TestApp};

const NAME: &str = "Marieke de Vries";
const EMAIL: &str = "marieke@buurtkracht.nl";
const ALONE: &str = "Geheim verhaal over mevrouw Jansen";
const OPENING: &str = "Wat wij leerden over meneer Pietersen";

struct Scene {
    marieke: user::Model,
    kees: TestApp,
    admin: TestApp,
    /// A thread only Marieke wrote in.
    alone: i32,
    /// Marieke's thread with a reply of Kees, then hers.
    shared: i32,
}

async fn send_all(app: &TestApp) -> usize {
    delivery::deliver(&app.state, 1000, 0, &indicatif::ProgressBar::hidden())
        .await
        .expect("deliver")
        .sent
}

/// Marieke writes two public threads in Zingeving (one edited, so it has a revision), takes
/// the digest, and is given the expert role by the administrator (an audit entry with her
/// address). Kees replies in one of them and wants notification mails at once.
async fn scene(app: &mut TestApp) -> Scene {
    let marieke = app.member(EMAIL).await;
    app.login_as(EMAIL).await;
    app.join("zingeving").await;
    let alone = app
        .start_thread("zingeving", "Alleen ik", ALONE, "public")
        .await;
    let shared = app
        .start_thread("zingeving", "Levensvragen", "Eerste versie.", "public")
        .await;
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(shared))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    app.post(
        &format!("/berichten/{}/bewerken", opening.id),
        &[("body", OPENING), ("action", "post")],
    )
    .await
    .assert_status(303);
    app.post(
        "/profiel/email",
        &[
            ("digest", "weekly"),
            ("scope", "all"),
            ("notify", "off"),
            ("kind", "antwoorden"),
            ("kind", "vermeldingen"),
        ],
    )
    .await
    .assert_status(303);

    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    kees.post(
        "/profiel/email",
        &[
            ("digest", "off"),
            ("scope", "all"),
            ("notify", "immediate"),
            ("kind", "antwoorden"),
            ("kind", "vermeldingen"),
        ],
    )
    .await
    .assert_status(303);
    kees.reply_to(shared, "Dank je, heel herkenbaar.")
        .await
        .assert_status(303);
    app.reply_to(shared, "Graag gedaan, Kees.")
        .await
        .assert_status(303);

    let mut admin = app.second_browser();
    admin.admin("ahmed@erbij.nl").await;
    admin.login_as("ahmed@erbij.nl").await;
    let zingeving = practice::Entity::find()
        .filter(practice::Column::Slug.eq("zingeving"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    admin
        .post(
            &format!("/beheer/mensen/{}", marieke.id),
            &[("is_expert", "1"), ("member", &zingeving.id.to_string())],
        )
        .await
        .assert_status(303);
    admin.get("/beheer/logboek").await.assert_contains(EMAIL);

    Scene {
        marieke,
        kees,
        admin,
        alone,
        shared,
    }
}

/// Marieke deletes her own account, choosing `posts`; returns a browser still holding her
/// old session cookie.
async fn delete_own(app: &mut TestApp, posts: &str) -> TestApp {
    let mut old = app.second_browser();
    old.cookies = app.cookies.clone();
    app.get("/profiel")
        .await
        .assert_contains("href=\"/profiel/verwijderen\"");
    app.get("/profiel/verwijderen")
        .await
        .assert_status(200)
        .assert_contains("oud-lid");
    // The wrong password, or no choice: nothing happens, the page says why.
    app.post(
        "/profiel/verwijderen",
        &[
            ("posts", posts),
            ("current_password", "niet-mijn-wachtwoord"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Dit is niet je huidige wachtwoord.");
    app.post("/profiel/verwijderen", &[("current_password", PASSWORD)])
        .await
        .assert_status(422)
        .assert_contains("Maak een keuze.");
    let page = app
        .post(
            "/profiel/verwijderen",
            &[("posts", posts), ("current_password", PASSWORD)],
        )
        .await;
    page.assert_status(200)
        .assert_contains("Je account is verwijderd");
    old
}

/// What must hold after either choice: no way in, and the name and address nowhere.
async fn gone_everywhere(app: &mut TestApp, scene: &mut Scene, mut old: TestApp) {
    // The old session is signed out, the old password opens nothing.
    let page = old.get("/profiel").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(
        page.location().starts_with("/inloggen"),
        "{}",
        page.location()
    );
    app.new_browser();
    app.post("/inloggen", &[("email", EMAIL), ("password", PASSWORD)])
        .await
        .assert_status(422)
        .assert_contains("Het e-mailadres of het wachtwoord klopt niet.");

    let confirmation = app.mail(EMAIL, "Je account bij Erbij is verwijderd").await;
    assert!(confirmation.text.contains(NAME), "{}", confirmation.text);

    // The tombstone keeps its id and nothing else.
    let row = user::Entity::find_by_id(scene.marieke.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.name, "oud-lid");
    assert_eq!(row.email, format!("verwijderd-{}@erbij.invalid", row.id));
    assert!(row.handle.is_none() && row.password_hash.is_none() && row.disabled);
    assert!(row.deleted_at.is_some() && row.organisation.is_empty());
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(row.id))
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(sessions.is_empty());
    let digest = subscriber::Entity::find()
        .filter(subscriber::Column::UserId.eq(row.id))
        .one(&app.state.db)
        .await
        .unwrap();
    assert!(digest.is_none(), "the member's digest is gone");

    for path in [
        format!("/onderwerpen/{}", scene.shared),
        "/praktijken/zingeving".to_string(),
        "/praktijken/zingeving/deelnemers".to_string(),
        "/meldingen".to_string(),
        "/kennisbundels.atom".to_string(),
        "/praktijken/zingeving/kennisbundels.atom".to_string(),
    ] {
        let page = scene.kees.get(&path).await;
        assert!(page.status.as_u16() < 400, "{path}: {}", page.status);
        page.assert_lacks(NAME)
            .assert_lacks(EMAIL)
            .assert_lacks("marieke-de-vries");
    }
    for path in [
        "/beheer/mensen",
        "/beheer/logboek",
        "/beheer/aanmeldingen",
        "/beheer",
    ] {
        let page = scene.admin.get(path).await;
        page.assert_status(200)
            .assert_lacks(NAME)
            .assert_lacks(EMAIL);
    }
    scene
        .admin
        .get("/beheer/logboek")
        .await
        .assert_contains(&format!("lid #{}", scene.marieke.id));
    scene
        .admin
        .get(&format!("/beheer/mensen/{}", scene.marieke.id))
        .await
        .assert_status(200)
        .assert_contains(&format!("Verwijderd account #{}", scene.marieke.id))
        .assert_lacks(NAME);

    // Kees's notification of her reply, mailed only now, and a new reply in her thread.
    scene
        .kees
        .reply_to(scene.shared, "Nog een gedachte.")
        .await
        .assert_status(303);
    notifications::mail::enqueue_immediate(&app.state)
        .await
        .unwrap();
    send_all(app).await;
    for mail in app.mails() {
        if mail.to == EMAIL {
            continue; // the confirmation, sent before
        }
        assert!(
            !mail.text.contains(NAME) && !mail.html.contains(NAME),
            "a mail after deletion names her: {mail:#?}"
        );
    }
    assert_eq!(app.mails_to(EMAIL).len(), 1, "{:#?}", app.mails_to(EMAIL));
}

#[tokio::test]
async fn deleting_the_account_with_its_posts_erases_the_text_and_keeps_others_replies() {
    let mut app = TestApp::new().await;
    let mut scene = scene(&mut app).await;
    let old = delete_own(&mut app, "verwijderen").await;

    // The thread only she wrote in is gone whole.
    app.get(&format!("/onderwerpen/{}", scene.alone))
        .await
        .assert_status(404);
    assert!(
        thread::Entity::find_by_id(scene.alone)
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    // The shared thread keeps its places: her posts are markers, Kees's reply is second.
    let page = scene
        .kees
        .get(&format!("/onderwerpen/{}", scene.shared))
        .await;
    page.assert_status(200)
        .assert_contains("Dit bericht is verwijderd door de schrijver.")
        .assert_contains("Dank je, heel herkenbaar.")
        .assert_lacks(OPENING)
        .assert_lacks("Graag gedaan");
    let posts = post::Entity::find()
        .filter(post::Column::ThreadId.eq(scene.shared))
        .all(&app.state.db)
        .await
        .unwrap();
    let kees = posts
        .iter()
        .find(|p| p.body.contains("herkenbaar"))
        .unwrap();
    assert_eq!(kees.position, 2);
    for p in posts.iter().filter(|p| p.author_id == scene.marieke.id) {
        assert_eq!(p.body, "", "the text is gone from the database");
        assert!(p.deleted_at.is_some());
    }
    let revisions = post_revision::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        revisions.iter().all(|r| !r.body.contains("Eerste versie")),
        "no earlier version is left: {revisions:?}"
    );
    gone_everywhere(&mut app, &mut scene, old).await;
}

#[tokio::test]
async fn deleting_the_account_but_keeping_the_posts_shows_them_under_oud_lid() {
    let mut app = TestApp::new().await;
    let mut scene = scene(&mut app).await;
    let old = delete_own(&mut app, "bewaren").await;

    let page = scene
        .kees
        .get(&format!("/onderwerpen/{}", scene.shared))
        .await;
    page.assert_status(200)
        .assert_contains(OPENING)
        .assert_contains("<strong>oud-lid</strong>");
    let mut visitor = app.second_browser();
    visitor
        .get(&format!("/onderwerpen/{}", scene.alone))
        .await
        .assert_status(200)
        .assert_contains(ALONE)
        .assert_contains("<strong>oud-lid</strong>");
    // In English the byline says so in English.
    visitor
        .get(&format!(
            "/taal/en?{}",
            serde_html_form::to_string([("terug", "/")]).unwrap()
        ))
        .await;
    visitor
        .get(&format!("/onderwerpen/{}", scene.alone))
        .await
        .assert_contains("<strong>former member</strong>");
    gone_everywhere(&mut app, &mut scene, old).await;
    // The mail about her reply, sent after the deletion, names "oud-lid".
    let mail = app.mail("kees@buurtkracht.nl", "oud-lid reageerde").await;
    assert!(mail.text.contains("Graag gedaan"), "{}", mail.text);
}

#[tokio::test]
async fn an_administrator_deletes_an_account_on_request_but_never_the_last_administrator() {
    let mut app = TestApp::new().await;
    let mut scene = scene(&mut app).await;
    let id = scene.marieke.id;

    scene
        .admin
        .get(&format!("/beheer/mensen/{id}"))
        .await
        .assert_contains(&format!("href=\"/beheer/mensen/{id}/verwijderen\""));
    scene
        .admin
        .post(
            &format!("/beheer/mensen/{id}/verwijderen"),
            &[("posts", "bewaren"), ("current_password", "fout")],
        )
        .await
        .assert_status(422)
        .assert_contains("Dit is niet je huidige wachtwoord.");
    let page = scene
        .admin
        .post(
            &format!("/beheer/mensen/{id}/verwijderen"),
            &[("posts", "bewaren"), ("current_password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    scene
        .admin
        .follow(page)
        .await
        .assert_contains("Het account is verwijderd.")
        .assert_lacks(NAME);
    scene
        .admin
        .get("/beheer/logboek")
        .await
        .assert_contains("Account verwijderd op verzoek van het lid")
        .assert_contains(&format!("lid #{id}"))
        .assert_lacks(EMAIL);
    app.mail(EMAIL, "Je account bij Erbij is verwijderd").await;
    app.new_browser();
    app.post("/inloggen", &[("email", EMAIL), ("password", PASSWORD)])
        .await
        .assert_status(422);

    // The only administrator cannot delete their own account.
    let page = scene
        .admin
        .post(
            "/profiel/verwijderen",
            &[("posts", "bewaren"), ("current_password", PASSWORD)],
        )
        .await;
    page.assert_status(422)
        .assert_contains("Dit is de laatste beheerder.");
    scene.admin.get("/beheer").await.assert_status(200);
}

#[tokio::test]
async fn a_member_changes_their_address_with_a_link_sent_to_the_new_one() {
    let mut app = TestApp::new().await;
    let marieke = app.member(EMAIL).await;
    app.member_other().await;
    app.login_as(EMAIL).await;
    let mut elsewhere = app.second_browser();
    elsewhere.login_as(EMAIL).await;

    app.get("/profiel")
        .await
        .assert_contains("href=\"/profiel/e-mailadres\"");
    // A wrong address: the field says so and the text stays.
    app.post(
        "/profiel/e-mailadres",
        &[("email", "marieke@@nieuw"), ("current_password", PASSWORD)],
    )
    .await
    .assert_status(422)
    .assert_contains("Vul een geldig e-mailadres in")
    .assert_contains("value=\"marieke@@nieuw\"");

    // An address someone has: the same answer, a mail saying so, nothing changes.
    let taken = app
        .post(
            "/profiel/e-mailadres",
            &[
                ("email", "kees@buurtkracht.nl"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    taken
        .assert_status(200)
        .assert_contains("Kijk in je nieuwe mailbox");
    let mail = app
        .mail("kees@buurtkracht.nl", "al in gebruik bij Erbij")
        .await;
    assert!(!mail.text.contains("/profiel/e-mailadres/bevestigen/"));
    app.mail(EMAIL, "wordt gewijzigd").await;

    let sent = app
        .post(
            "/profiel/e-mailadres",
            &[
                ("email", "M.de.Vries@Nieuwwerk.nl "),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    sent.assert_status(200);
    assert_eq!(
        sent.body
            .replace("kees@buurtkracht.nl", "")
            .replace("m.de.vries@nieuwwerk.nl", ""),
        taken
            .body
            .replace("kees@buurtkracht.nl", "")
            .replace("m.de.vries@nieuwwerk.nl", ""),
        "a taken address gets the same page"
    );
    let mail = app
        .mail("m.de.vries@nieuwwerk.nl", "Bevestig je nieuwe e-mailadres")
        .await;
    let path = mail.path(&app.base(), "/profiel/e-mailadres/bevestigen/");
    app.at_least(EMAIL, 2).await; // the old address is told both times
    // Until the link is followed, nothing changes.
    let row = user::Entity::find_by_id(marieke.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.email, EMAIL);

    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("m.de.vries@nieuwwerk.nl");
    let page = app.post(&path, &[]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.follow(page)
        .await
        .assert_contains("m.de.vries@nieuwwerk.nl")
        .assert_contains("Je e-mailadres is gewijzigd.");
    // The link works once; the other browser is signed out.
    app.post(&path, &[]).await.assert_status(410);
    let page = elsewhere.get("/profiel").await;
    assert!(
        page.location().starts_with("/inloggen"),
        "{}",
        page.location()
    );

    let mut fresh = app.second_browser();
    fresh
        .post("/inloggen", &[("email", EMAIL), ("password", PASSWORD)])
        .await
        .assert_status(422);
    fresh.login_as("m.de.vries@nieuwwerk.nl").await;
    app.get("/beheer/logboek").await.assert_status(403);
    let audit = erbij::entities::audit_event::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "email_changed" && e.subject == format!("lid #{}", marieke.id)),
        "{audit:?}"
    );
}

#[tokio::test]
async fn erased_posts_lose_their_files_unless_someone_else_posted_the_same_file() {
    use erbij::entities::attachment;
    let photo = crate::images::jpeg(1600, 1200);
    let handout = crate::images::pdf_saying("Handout huisbezoek");
    let mut app = TestApp::new().await;
    app.member(EMAIL).await;
    app.login_as(EMAIL).await;
    app.join("jongeren").await;
    let thread = app
        .start_thread("jongeren", "Foto's", "Kijk eens.", "members")
        .await;
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("jongeren").await;
    kees.post_multipart(
        &format!("/onderwerpen/{thread}/reageren"),
        &[("body", "Dezelfde foto."), ("action", "post")],
        &[("files", "foto.jpg", &photo)],
    )
    .await
    .assert_status(303);
    app.post_multipart(
        &format!("/onderwerpen/{thread}/reageren"),
        &[("body", "Met handout."), ("action", "post")],
        &[
            ("files", "foto.jpg", &photo),
            ("files", "handout.pdf", &handout),
        ],
    )
    .await
    .assert_status(303);
    let uploads = app.state.settings.uploads_dir.clone();
    let stored = attachment::Entity::find().all(&app.state.db).await.unwrap();
    let sha_of = |name: &str| {
        stored
            .iter()
            .find(|a| a.filename == name)
            .map(|a| a.sha256.clone())
            .unwrap()
    };
    let file = |sha: &str, suffix: &str| uploads.join(&sha[..2]).join(format!("{sha}{suffix}"));
    let (pdf, jpg) = (sha_of("handout.pdf"), sha_of("foto.jpg"));
    assert!(file(&pdf, "").exists() && file(&jpg, "").exists());
    assert!(file(&jpg, "-display").exists() && file(&jpg, "-thumb").exists());

    delete_own(&mut app, "verwijderen").await;
    let left = attachment::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(left.len(), 1, "only Kees's file row is left: {left:?}");
    assert!(!file(&pdf, "").exists(), "her handout is gone from disk");
    for suffix in ["", "-display", "-thumb"] {
        assert!(
            file(&jpg, suffix).exists(),
            "Kees's copy of the photo stays"
        );
    }

    // Kees removes his reply too: the photo goes in every size.
    let reply = erbij::entities::post::Entity::find()
        .filter(erbij::entities::post::Column::Body.eq("Dezelfde foto."))
        .one(&kees.state.db)
        .await
        .unwrap()
        .unwrap();
    kees.post(&format!("/berichten/{}/verwijderen", reply.id), &[])
        .await
        .assert_status(303);
    for suffix in ["", "-display", "-thumb"] {
        assert!(!file(&jpg, suffix).exists(), "the photo{suffix} is gone");
    }
    kees.get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_lacks("Dezelfde foto.")
        .assert_lacks("Met handout.")
        .assert_lacks("handout.pdf");
}
