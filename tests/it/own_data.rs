//! A member's own data: the export zip holds their words and nobody else's, its link works
//! once and only for them; and they see where they are signed in and can sign out elsewhere.

use std::io::Read;

use chrono::{Duration, Utc};
use erbij::entities::{audit_event, export, post, session};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};

use crate::helpers::TestApp;

const FIREFOX_WINDOWS: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME_ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

/// Every file of a zip, by name, as text (attachments lossily).
fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("an entry");
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("readable");
            (
                file.name().expect("a name").into_owned(),
                String::from_utf8_lossy(&content).into_owned(),
            )
        })
        .collect()
}

pub(crate) fn export_link(text: &str) -> String {
    let start = text
        .find("/profiel/gegevens/")
        .expect("the mail has the link");
    text[start..start + "/profiel/gegevens/".len() + 64].to_string()
}

async fn posts_with(app: &TestApp, marker: &str) -> post::Model {
    post::Entity::find()
        .filter(post::Column::Body.contains(marker))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("the post")
}

#[tokio::test]
async fn the_export_holds_my_words_and_nobody_elses_and_its_link_works_once_for_me() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("netwerkversterking").await;
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("netwerkversterking").await;

    // Marieke's thread, with a handout; she edits her text later.
    let pdf = crate::images::pdf_saying("MARIEKE-BIJLAGE-5521");
    let page = app
        .post_multipart(
            "/praktijken/netwerkversterking/nieuw",
            &[
                ("title", "MARIEKE-TITEL-1200"),
                ("body", "MARIEKE-VERSIE-1 over de buren."),
                ("visibility", "members"),
                ("action", "post"),
            ],
            &[("files", "handreiking.pdf", &pdf)],
        )
        .await;
    page.assert_status(303);
    let her_thread: i32 = page
        .location()
        .trim_start_matches("/onderwerpen/")
        .parse()
        .expect("thread id");
    let opening = posts_with(&app, "MARIEKE-VERSIE-1").await;
    app.post(
        &format!("/berichten/{}/bewerken", opening.id),
        &[
            ("body", "MARIEKE-NU-2 over de familie."),
            ("action", "post"),
        ],
    )
    .await
    .assert_status(303);

    // Kees replies in her thread, and starts his own, where she answers twice: one answer a
    // facilitator hides (still hers), one she removes herself (no text left).
    kees.reply_to(
        her_thread,
        "KEES-REACTIE-9090 van Kees Bos, kees@buurtkracht.nl",
    )
    .await
    .assert_status(303);
    let his_thread = kees
        .start_thread(
            "netwerkversterking",
            "KEES-TITEL-4040",
            "KEES-OPENING-4041",
            "members",
        )
        .await;
    app.reply_to(his_thread, "MARIEKE-ANTWOORD-3")
        .await
        .assert_status(303);
    app.reply_to(his_thread, "MARIEKE-VERBORGEN-4")
        .await
        .assert_status(303);
    app.reply_to(his_thread, "MARIEKE-WEG-5")
        .await
        .assert_status(303);
    let mut hidden = posts_with(&app, "MARIEKE-VERBORGEN-4")
        .await
        .into_active_model();
    hidden.hidden_at = Set(Some(Utc::now()));
    hidden.hidden_reason = Set(Some("AANJAGER-REDEN-77".into()));
    hidden.update(&app.state.db).await.expect("hide");
    let removed = posts_with(&app, "MARIEKE-WEG-5").await;
    app.post(&format!("/berichten/{}/verwijderen", removed.id), &[])
        .await
        .assert_status(303);

    // She asks; the profile says it is on its way; a mail brings the link.
    let asked = app.post("/profiel/gegevens", &[]).await;
    asked.assert_status(303);
    app.follow(asked)
        .await
        .assert_contains("We maken je bestand klaar.");
    let mail = app
        .mail("marieke@buurtkracht.nl", "Je gegevens staan klaar")
        .await;
    assert!(mail.text.contains("7 dagen en één keer"), "{}", mail.text);
    let link = export_link(&mail.text);
    assert_eq!(kees.settled_count("kees@buurtkracht.nl").await, 0);

    // The link alone opens nothing: a visitor is asked to sign in, Kees is refused.
    let mut visitor = app.second_browser();
    let page = visitor.get(&link).await;
    page.assert_status(303);
    assert!(
        page.location().starts_with("/inloggen?next="),
        "{}",
        page.location()
    );
    kees.get(&link)
        .await
        .assert_status(403)
        .assert_contains("Deze link is voor een ander account");

    // Marieke gets the zip.
    let (status, headers, bytes) = app.get_bytes(&link).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(headers["content-type"], "application/zip");
    let files = unzip(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "README.txt",
        "profiel.json",
        "sessies.json",
        "toestemming.json",
        "concepten.json",
    ] {
        assert!(names.contains(&expected), "{expected} missing: {names:?}");
    }
    assert!(
        names.contains(&format!("berichten/{}.html", opening.id).as_str()),
        "{names:?}"
    );
    let everything: String = files
        .iter()
        .map(|(name, content)| format!("== {name}\n{content}\n"))
        .collect();
    for mine in [
        "MARIEKE-TITEL-1200",
        "MARIEKE-NU-2",
        "MARIEKE-VERSIE-1",
        "MARIEKE-BIJLAGE-5521",
        "MARIEKE-ANTWOORD-3",
        "MARIEKE-VERBORGEN-4",
        "Marieke de Vries",
        "marieke@buurtkracht.nl",
    ] {
        assert!(
            everything.contains(mine),
            "{mine} is missing from the export"
        );
    }
    for theirs in [
        "KEES-REACTIE-9090",
        "KEES-TITEL-4040",
        "KEES-OPENING-4041",
        "Kees Bos",
        "kees@buurtkracht.nl",
        "AANJAGER-REDEN-77",
        "MARIEKE-WEG-5",
    ] {
        assert!(
            !everything.contains(theirs),
            "{theirs} must not be in the export:\n{everything}"
        );
    }

    // Once only; the file is gone from the server.
    app.get(&link)
        .await
        .assert_status(410)
        .assert_contains("Deze link is al gebruikt of verlopen")
        .assert_contains("Opnieuw aanvragen");
    let left: Vec<_> = std::fs::read_dir(app.dir.path().join("exports"))
        .expect("the exports folder")
        .flatten()
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test]
async fn asking_again_while_the_zip_is_being_made_says_so() {
    let mut app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    export::ActiveModel {
        user_id: Set(marieke.id),
        status: Set(export::BUILDING.into()),
        file_name: Set(None),
        requested_at: Set(Utc::now()),
        ready_at: Set(None),
        expires_at: Set(None),
    }
    .insert(&app.state.db)
    .await
    .expect("a build running");
    let asked = app.post("/profiel/gegevens", &[]).await;
    asked.assert_status(303);
    app.follow(asked)
        .await
        .assert_contains("We zijn je bestand al aan het maken.");
    // Without the form's token nothing is asked.
    app.post_raw("/profiel/gegevens", &[])
        .await
        .assert_status(403);
}

#[tokio::test]
async fn zips_nobody_downloaded_are_deleted_when_their_link_expires() {
    let app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    let dir = app.dir.path().join("exports");
    std::fs::create_dir_all(&dir).expect("folder");
    let name = "0123456789abcdef0123456789abcdef.zip";
    std::fs::write(dir.join(name), b"zip").expect("file");
    export::ActiveModel {
        user_id: Set(marieke.id),
        status: Set(export::READY.into()),
        file_name: Set(Some(name.into())),
        requested_at: Set(Utc::now() - Duration::days(8)),
        ready_at: Set(Some(Utc::now() - Duration::days(8))),
        expires_at: Set(Some(Utc::now() - Duration::days(1))),
    }
    .insert(&app.state.db)
    .await
    .expect("an old export");
    let purged = erbij::own_data::purge_expired_exports(&app.state.db, &app.state.storage.exports)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert!(!dir.join(name).exists());
    assert!(
        export::Entity::find()
            .all(&app.state.db)
            .await
            .expect("q")
            .is_empty()
    );
}

#[tokio::test]
async fn a_member_sees_where_they_are_signed_in_and_signs_out_elsewhere() {
    let mut laptop = TestApp::new().await;
    laptop.member("marieke@buurtkracht.nl").await;
    laptop
        .headers
        .push(("user-agent".into(), FIREFOX_WINDOWS.into()));
    laptop.login_as("marieke@buurtkracht.nl").await;
    let mut phone = laptop.second_browser();
    phone
        .headers
        .push(("user-agent".into(), CHROME_ANDROID.into()));
    phone.login_as("marieke@buurtkracht.nl").await;
    let mut tablet = laptop.second_browser();
    tablet.login_as("marieke@buurtkracht.nl").await;

    let profile = laptop.get("/profiel").await;
    profile
        .assert_status(200)
        .assert_contains("Waar je bent ingelogd")
        .assert_contains("Firefox op Windows")
        .assert_contains("dit apparaat")
        .assert_contains("Chrome op Android")
        .assert_contains("Overal elders uitloggen")
        .assert_lacks(FIREFOX_WINDOWS);
    assert_eq!(profile.body.matches("dit apparaat").count(), 1);
    // Only the label is stored, never the User-Agent itself.
    let mut devices: Vec<Option<String>> = session::Entity::find()
        .all(&laptop.state.db)
        .await
        .expect("q")
        .into_iter()
        .map(|s| s.device)
        .collect();
    devices.sort();
    assert_eq!(
        devices,
        [
            None,
            Some("Chrome/Android".into()),
            Some("Firefox/Windows".into())
        ]
    );
    let per_session: Vec<String> = profile
        .body
        .split("action=\"/profiel/sessies/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or("").to_string())
        .filter(|action| action != "elders-uitloggen")
        .collect();
    assert_eq!(
        per_session.len(),
        2,
        "a sign-out button for each other session"
    );
    let one_other = &per_session[0];
    // Which one it is does not matter here; end one, then the rest.
    laptop
        .post(&format!("/profiel/sessies/{one_other}"), &[])
        .await
        .assert_status(303);
    let signed_in = [
        phone.get("/profiel").await.status == 200,
        tablet.get("/profiel").await.status == 200,
    ];
    assert_eq!(
        signed_in.iter().filter(|s| **s).count(),
        1,
        "exactly one other session ended"
    );

    // Without the form's token nothing ends.
    laptop
        .post_raw("/profiel/sessies/elders-uitloggen", &[])
        .await
        .assert_status(403);
    assert!(
        phone.get("/profiel").await.status == 200 || tablet.get("/profiel").await.status == 200
    );

    let done = laptop.post("/profiel/sessies/elders-uitloggen", &[]).await;
    done.assert_status(303);
    laptop
        .follow(done)
        .await
        .assert_contains("Je bent op alle andere apparaten uitgelogd.")
        .assert_lacks("Chrome op Android");
    for other in [&mut phone, &mut tablet] {
        let page = other.get("/profiel").await;
        page.assert_status(303);
        assert!(
            page.location().starts_with("/inloggen"),
            "{}",
            page.location()
        );
    }
    laptop.get("/profiel").await.assert_status(200);
    let logged = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("sessions_ended_elsewhere"))
        .count(&laptop.state.db)
        .await
        .expect("q");
    assert_eq!(logged, 1);
}
