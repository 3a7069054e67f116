//! Privacy by default: threads start members-only, public is chosen only after a plain
//! warning, who reads a thread can change later (and members-only takes it off every public
//! surface at once), earlier versions are for the author and facilitators, and a redacted
//! version is gone from the database — file included — and from queued mails.

use chrono::{Duration, Utc};
use erbij::{
    delivery,
    entities::{outbox_mail, post, post_revision, thread},
    notifications,
};
use indicatif::ProgressBar;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};

use crate::helpers::TestApp;

/// Marieke (member, Zingeving), Fenna (facilitator there), Kees (member) and a visitor.
async fn zingeving() -> (TestApp, TestApp, TestApp, TestApp) {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let mut fenna = marieke.second_browser();
    let f = fenna
        .person("fenna@welzijn.nl", "Fenna Aanjager", false, false)
        .await;
    fenna.login_as("fenna@welzijn.nl").await;
    fenna.make_facilitator(f.id, "zingeving").await;
    let mut kees = marieke.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    let visitor = marieke.second_browser();
    (marieke, fenna, kees, visitor)
}

#[tokio::test]
async fn a_new_thread_is_members_only_unless_the_author_reads_what_public_means() {
    let (mut marieke, _, _, mut visitor) = zingeving().await;
    let form = marieke.get("/praktijken/zingeving/nieuw").await;
    form.assert_status(200)
        .assert_contains(r#"value="members" id="visibility-members" checked"#)
        .assert_lacks(r#"id="visibility-public" checked"#)
        .assert_contains("Zoekmachines zoals Google");

    // Public without ticking the warning: the form comes back, nothing is lost or posted.
    let refused = marieke
        .post_multipart(
            "/praktijken/zingeving/nieuw",
            &[
                ("title", "Bankje voor het buurthuis"),
                ("body", "Wie weet een goede plek?"),
                ("visibility", "public"),
                ("action", "post"),
            ],
            &[],
        )
        .await;
    refused
        .assert_status(422)
        .assert_contains("Vink aan dat je begrijpt wat openbaar betekent")
        .assert_contains(r#"value="Bankje voor het buurthuis""#)
        .assert_contains("Wie weet een goede plek?")
        .assert_contains(r#"id="visibility-public" checked"#);
    visitor
        .get("/praktijken/zingeving")
        .await
        .assert_lacks("Bankje voor het buurthuis");

    // Members-only needs no warning: the default is the safe side.
    let members = marieke
        .start_thread("zingeving", "Casus meneer P", "Vertrouwelijk.", "members")
        .await;
    visitor
        .get(&format!("/onderwerpen/{members}"))
        .await
        .assert_status(404);
    let public = marieke
        .start_thread("zingeving", "Bankje voor het buurthuis", "Plek?", "public")
        .await;
    visitor
        .get(&format!("/onderwerpen/{public}"))
        .await
        .assert_status(200);
}

#[tokio::test]
async fn the_author_and_facilitators_change_who_reads_a_thread_and_it_is_logged() {
    let (mut marieke, mut fenna, mut kees, mut visitor) = zingeving().await;
    let id = marieke
        .start_thread("zingeving", "Koffie-ochtend", "Elke dinsdag.", "members")
        .await;
    let path = format!("/onderwerpen/{id}");
    let change = format!("{path}/zichtbaarheid");
    marieke
        .get(&path)
        .await
        .assert_contains("Wie mag dit onderwerp lezen?");
    // Another member may read it but not open it up.
    kees.get(&path)
        .await
        .assert_status(200)
        .assert_lacks("Wie mag dit onderwerp lezen?");
    kees.post(&change, &[("visibility", "public"), ("public_ok", "1")])
        .await
        .assert_status(403);
    visitor.post(&change, &[("visibility", "public")]).await;
    visitor.get(&path).await.assert_status(404);

    // Members → public asks first.
    marieke
        .post(&change, &[("visibility", "public")])
        .await
        .assert_status(422)
        .assert_contains("Vink aan dat je begrijpt wat openbaar betekent")
        .assert_contains("Zoekmachines zoals Google");
    visitor.get(&path).await.assert_status(404);
    marieke
        .post(&change, &[("visibility", "public"), ("public_ok", "1")])
        .await
        .assert_status(303);
    visitor
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("Elke dinsdag.");
    visitor
        .get("/praktijken/zingeving")
        .await
        .assert_contains("Koffie-ochtend");

    // A facilitator takes it back: gone for visitors at once, page and list.
    fenna
        .post(&change, &[("visibility", "members")])
        .await
        .assert_status(303);
    visitor.get(&path).await.assert_status(404);
    visitor
        .get("/praktijken/zingeving")
        .await
        .assert_lacks("Koffie-ochtend");
    kees.get(&path).await.assert_status(200);

    let mut admin = marieke.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    let log = admin.get("/beheer/logboek").await;
    log.assert_contains("Zichtbaarheid van onderwerp gewijzigd")
        .assert_contains("members → public")
        .assert_contains("public → members");
}

/// Threads written before the last digest moment (digests tell what happened in a period).
async fn backdate(app: &TestApp, to: chrono::DateTime<Utc>) {
    thread::Entity::update_many()
        .col_expr(thread::Column::CreatedAt, Expr::value(to))
        .col_expr(thread::Column::LastPostAt, Expr::value(to))
        .exec(&app.state.db)
        .await
        .unwrap();
    post::Entity::update_many()
        .col_expr(post::Column::CreatedAt, Expr::value(to))
        .exec(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_thread_made_members_only_leaves_the_digests_not_yet_sent() {
    let (mut marieke, _, _, mut visitor) = zingeving().await;
    let leaving = marieke
        .start_thread("zingeving", "Levensvragen", "Over zin.", "public")
        .await;
    marieke
        .start_thread("zingeving", "Wandelgroep", "Elke week.", "public")
        .await;
    visitor
        .post(
            "/volgen",
            &[
                ("email", "lezer@voorbeeld.nl"),
                ("scope", "all"),
                ("summaries", "1"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    let confirm = marieke.mail("lezer@voorbeeld.nl", "Bevestig").await;
    visitor
        .post(&confirm.path(&marieke.base(), "/volgen/bevestigen/"), &[])
        .await
        .assert_status(200);
    let settings = &marieke.state.settings;
    let (slot, frequencies) =
        delivery::due_now(Utc::now(), settings.digest_weekday, settings.digest_hour);
    backdate(&marieke, slot - Duration::hours(1)).await;
    delivery::enqueue(
        &marieke.state,
        slot,
        &frequencies,
        false,
        &ProgressBar::hidden(),
    )
    .await
    .unwrap();
    let db = marieke.state.db.clone();
    let queued = || async {
        outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Recipient.eq("lezer@voorbeeld.nl"))
            .filter(outbox_mail::Column::Status.eq(outbox_mail::QUEUED))
            .all(&db)
            .await
            .unwrap()
    };
    let before = queued().await;
    assert_eq!(before.len(), 1);
    assert!(before[0].html_body.contains("Levensvragen"));

    marieke
        .post(
            &format!("/onderwerpen/{leaving}/zichtbaarheid"),
            &[("visibility", "members")],
        )
        .await
        .assert_status(303);
    let after = queued().await;
    assert_eq!(after.len(), 1, "the digest is composed again, not lost");
    for body in [&after[0].html_body, &after[0].text_body] {
        assert!(!body.contains("Levensvragen"), "{body}");
        assert!(body.contains("Wandelgroep"), "{body}");
    }
}

/// Marieke's thread whose opening post she edited: the first text named a client.
async fn edited_thread(marieke: &mut TestApp, visibility: &str) -> (i32, i32) {
    let id = marieke
        .start_thread(
            "zingeving",
            "Huisbezoek",
            "Mevrouw Jansen van de Dorpsstraat-4471 zit veel alleen.",
            visibility,
        )
        .await;
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(id))
        .one(&marieke.state.db)
        .await
        .unwrap()
        .unwrap();
    marieke
        .post(
            &format!("/berichten/{}/bewerken", opening.id),
            &[
                ("body", "Een oudere dame in de wijk zit veel alleen."),
                ("action", "post"),
            ],
        )
        .await
        .assert_status(303);
    (id, opening.id)
}

#[tokio::test]
async fn earlier_versions_are_for_the_author_facilitators_and_administrators() {
    let (mut marieke, mut fenna, mut kees, mut visitor) = zingeving().await;
    let (thread_id, post_id) = edited_thread(&mut marieke, "public").await;
    let path = format!("/onderwerpen/{thread_id}");
    let history = format!("/berichten/{post_id}/versies");

    for reader in [&mut kees, &mut visitor] {
        let page = reader.get(&path).await;
        page.assert_status(200)
            .assert_contains("bewerkt")
            .assert_lacks(&history)
            .assert_lacks("Dorpsstraat-4471");
        let status = reader.get(&history).await.status.as_u16();
        assert!(status == 404 || status == 303, "history answered {status}");
    }
    let mut admin = marieke.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    for reader in [&mut marieke, &mut fenna, &mut admin] {
        reader.get(&path).await.assert_contains(&history);
        reader
            .get(&history)
            .await
            .assert_status(200)
            .assert_contains("Dorpsstraat-4471");
    }
}

/// Every byte of the SQLite database, its write-ahead log included.
fn database_bytes(app: &TestApp) -> Option<Vec<u8>> {
    if !app.state.settings.is_sqlite() {
        return None;
    }
    let mut bytes = Vec::new();
    for name in ["erbij.db", "erbij.db-wal"] {
        if let Ok(more) = std::fs::read(app.dir.path().join(name)) {
            bytes.extend(more);
        }
    }
    assert!(
        !bytes.is_empty(),
        "the database file is where the test expects"
    );
    Some(bytes)
}

fn holds(bytes: &[u8], text: &str) -> bool {
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

#[tokio::test]
async fn a_redacted_version_is_gone_from_the_database_file_and_from_queued_mail() {
    let (mut marieke, mut fenna, mut kees, _) = zingeving().await;
    let (thread_id, _) = edited_thread(&mut marieke, "members").await;
    // Kees asks for notification mail at once; Marieke names him in a reply with the
    // client's street, then edits it away. The mail about it is still waiting.
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
    marieke
        .reply_to(
            thread_id,
            "@kees-bos ken jij de Kerkstraat-8812? Daar woont ze.",
        )
        .await
        .assert_status(303);
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .unwrap(),
        1
    );
    let reply = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .order_by_desc(post::Column::Id)
        .one(&marieke.state.db)
        .await
        .unwrap()
        .unwrap();
    marieke
        .post(
            &format!("/berichten/{}/bewerken", reply.id),
            &[
                ("body", "@kees-bos ken jij die straat? Daar woont ze."),
                ("action", "post"),
            ],
        )
        .await
        .assert_status(303);
    let db = marieke.state.db.clone();
    let revisions = |post_id: i32| {
        let db = db.clone();
        async move {
            post_revision::Entity::find()
                .filter(post_revision::Column::PostId.eq(post_id))
                .all(&db)
                .await
                .unwrap()
        }
    };
    let [street] = revisions(reply.id).await.try_into().unwrap();
    let history = format!("/berichten/{}/versies", reply.id);
    let redact = format!("{history}/{}/wissen", street.id);

    // Only those who may see the history may redact.
    kees.post(&redact, &[]).await.assert_status(404);
    marieke.post(&redact, &[]).await.assert_status(303);
    marieke
        .get(&history)
        .await
        .assert_contains("De tekst van deze versie is gewist op")
        .assert_lacks("Kerkstraat-8812");
    let [gone] = revisions(reply.id).await.try_into().unwrap();
    assert!(gone.body.is_empty() && gone.redacted_at.is_some());

    // A facilitator redacts the opening post's first version.
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .order_by_asc(post::Column::Id)
        .one(&marieke.state.db)
        .await
        .unwrap()
        .unwrap();
    let [first] = revisions(opening.id).await.try_into().unwrap();
    fenna
        .post(
            &format!("/berichten/{}/versies/{}/wissen", opening.id, first.id),
            &[],
        )
        .await
        .assert_status(303);

    // The queued mail that quoted the street was composed again from today's text.
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .unwrap(),
        1
    );
    if let Some(bytes) = database_bytes(&marieke) {
        assert!(
            !holds(&bytes, "Kerkstraat-8812"),
            "the street is in the file"
        );
        assert!(
            !holds(&bytes, "Dorpsstraat-4471"),
            "the client is in the file"
        );
    }
    let sent = delivery::deliver(&marieke.state, 100, 0, &ProgressBar::hidden())
        .await
        .unwrap();
    assert_eq!(sent.sent, 1);
    let mail = marieke.mail("kees@buurtkracht.nl", "noemde je").await;
    assert!(!mail.text.contains("Kerkstraat-8812"), "{}", mail.text);
    assert!(mail.text.contains("ken jij die straat"), "{}", mail.text);
    // A sent notification mail keeps no body in the outbox.
    let rows = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Recipient.eq("kees@buurtkracht.nl"))
        .all(&marieke.state.db)
        .await
        .unwrap();
    assert!(
        rows.iter().all(|r| r.status == outbox_mail::SENT
            && r.text_body.is_empty()
            && r.html_body.is_empty()),
        "{rows:?}"
    );
    let mut admin = marieke.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    admin
        .get("/beheer/logboek")
        .await
        .assert_contains("Eerdere versie van een bericht gewist");
}

#[tokio::test]
async fn a_removed_post_takes_its_text_and_every_version_out_of_the_database() {
    let (mut marieke, _, mut kees, _) = zingeving().await;
    let (thread_id, _) = edited_thread(&mut marieke, "members").await;
    marieke
        .reply_to(thread_id, "Haar dochter woont op de Lijnbaan-3307.")
        .await
        .assert_status(303);
    let reply = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .order_by_desc(post::Column::Id)
        .one(&marieke.state.db)
        .await
        .unwrap()
        .unwrap();
    marieke
        .post(
            &format!("/berichten/{}/bewerken", reply.id),
            &[
                ("body", "Haar dochter woont dichtbij: Lijnbaan-3307."),
                ("action", "post"),
            ],
        )
        .await
        .assert_status(303);
    kees.reply_to(thread_id, "Dank, ik ga langs.")
        .await
        .assert_status(303);
    marieke
        .post(&format!("/berichten/{}/verwijderen", reply.id), &[])
        .await
        .assert_status(303);
    let gone = post::Entity::find_by_id(reply.id)
        .one(&marieke.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(gone.body.is_empty() && gone.deleted_at.is_some());
    let versions = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.eq(reply.id))
        .all(&marieke.state.db)
        .await
        .unwrap();
    assert!(versions.is_empty(), "{versions:?}");
    // The thread keeps the place, marked; the reply after it stays.
    kees.get(&format!("/onderwerpen/{thread_id}"))
        .await
        .assert_contains("verwijderd")
        .assert_contains("Dank, ik ga langs.")
        .assert_lacks("Lijnbaan-3307");
    if let Some(bytes) = database_bytes(&marieke) {
        assert!(
            !holds(&bytes, "Lijnbaan-3307"),
            "the address is in the file"
        );
    }
}
