//! Facilitators keep their practice safe; members flag what needs a look.

use erbij::entities::{flag, post, thread};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::TestApp;

async fn posts_of(app: &TestApp, thread_id: i32) -> Vec<post::Model> {
    post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .order_by_asc(post::Column::Position)
        .all(&app.state.db)
        .await
        .expect("query")
}

/// A practice with a facilitator (Fenna), a member (Marieke) and a thread with a reply.
async fn practice_with_thread() -> (TestApp, TestApp, TestApp, i32) {
    let mut fenna = TestApp::new().await;
    let facilitator = fenna
        .person("fenna@welzijn.nl", "Fenna Aanjager", false, false)
        .await;
    fenna.make_facilitator(facilitator.id, "jongeren").await;
    fenna.login_as("fenna@welzijn.nl").await;
    let mut marieke = fenna.second_browser();
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("jongeren").await;
    let id = marieke
        .start_thread(
            "jongeren",
            "Schoolmaatschappelijk werk",
            "Wie werkt er met scholen?",
            "public",
        )
        .await;
    let mut kees = fenna.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("jongeren").await;
    kees.reply_to(id, "Bel me maar: 06-12345678, ook voor andere zaken!")
        .await
        .assert_status(303);
    (fenna, marieke, kees, id)
}

#[tokio::test]
async fn facilitator_pins_locks_and_moves_a_thread() {
    let (mut fenna, mut marieke, _, id) = practice_with_thread().await;
    let page = fenna.get(&format!("/onderwerpen/{id}")).await;
    page.assert_contains("Gespreksleiding")
        .assert_contains("Vastzetten bovenaan");
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_lacks("Gespreksleiding");

    fenna
        .post(&format!("/onderwerpen/{id}/vastzetten"), &[])
        .await
        .assert_status(303);
    fenna
        .post(&format!("/onderwerpen/{id}/sluiten"), &[])
        .await
        .assert_status(303);
    let list = marieke.get("/praktijken/jongeren").await;
    list.assert_contains("Vastgezet")
        .assert_contains("Gesloten");
    marieke
        .reply_to(id, "Nog één ding.")
        .await
        .assert_status(403);
    fenna
        .post(&format!("/onderwerpen/{id}/sluiten"), &[])
        .await
        .assert_status(303);
    marieke
        .reply_to(id, "Nog één ding.")
        .await
        .assert_status(303);

    // Members may not moderate; visitors are asked to sign in.
    for path in ["vastzetten", "sluiten", "verplaatsen"] {
        marieke
            .post(
                &format!("/onderwerpen/{id}/{path}"),
                &[("practice", "zingeving")],
            )
            .await
            .assert_status(403);
    }
    let mut visitor = fenna.second_browser();
    visitor
        .post(&format!("/onderwerpen/{id}/sluiten"), &[])
        .await
        .assert_status(303);

    // Moving: not to an archived practice, yes to an open one.
    fenna
        .post(
            &format!("/onderwerpen/{id}/verplaatsen"),
            &[("practice", "huisbezoeken-75")],
        )
        .await
        .assert_status(400);
    fenna
        .post(
            &format!("/onderwerpen/{id}/verplaatsen"),
            &[("practice", "zingeving")],
        )
        .await
        .assert_status(303);
    marieke
        .get("/praktijken/zingeving")
        .await
        .assert_contains("Schoolmaatschappelijk werk");
    marieke
        .get("/praktijken/jongeren")
        .await
        .assert_lacks("Schoolmaatschappelijk werk");
    // Fenna facilitates Jongeren, not Zingeving: the thread is out of her hands now.
    fenna
        .post(&format!("/onderwerpen/{id}/vastzetten"), &[])
        .await
        .assert_status(403);

    let mut admin = fenna.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    let log = admin.get("/beheer/logboek").await;
    for entry in [
        "Onderwerp vastgezet",
        "Onderwerp gesloten",
        "Onderwerp heropend",
        "Onderwerp verplaatst",
        "jongeren → zingeving",
        "Fenna Aanjager",
    ] {
        log.assert_contains(entry);
    }
}

#[tokio::test]
async fn a_hidden_reply_stays_visible_to_its_author_and_facilitators_only() {
    let (mut fenna, mut marieke, mut kees, id) = practice_with_thread().await;
    let reply = posts_of(&fenna, id).await[1].clone();

    fenna
        .post(
            &format!("/berichten/{}/verbergen", reply.id),
            &[("reason", "")],
        )
        .await
        .assert_status(422);
    marieke
        .post(
            &format!("/berichten/{}/verbergen", reply.id),
            &[("reason", "Telefoonnummer")],
        )
        .await
        .assert_status(403);
    fenna
        .post(
            &format!("/berichten/{}/verbergen", reply.id),
            &[("reason", "Geen telefoonnummers in openbare onderwerpen")],
        )
        .await
        .assert_status(303);

    fenna
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("06-12345678")
        .assert_contains("Geen telefoonnummers in openbare onderwerpen")
        .assert_contains("Weer tonen");
    kees.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("06-12345678")
        .assert_contains("Verborgen door een aanjager");
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_lacks("06-12345678")
        .assert_contains("Dit bericht is verborgen door een aanjager.");
    let mut visitor = fenna.second_browser();
    visitor
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_lacks("06-12345678");

    fenna
        .post(&format!("/berichten/{}/herstellen", reply.id), &[])
        .await
        .assert_status(303);
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains("06-12345678");
}

#[tokio::test]
async fn members_flag_and_facilitators_resolve() {
    let (mut fenna, mut marieke, _, id) = practice_with_thread().await;
    let reply = posts_of(&fenna, id).await[1].clone();

    marieke
        .get(&format!("/berichten/{}/signaleren", reply.id))
        .await
        .assert_status(200)
        .assert_contains("aanjagers");
    marieke
        .post(
            &format!("/berichten/{}/signaleren", reply.id),
            &[("reason", "")],
        )
        .await
        .assert_status(422)
        .assert_contains("Vul dit veld in.");
    marieke
        .post(
            &format!("/berichten/{}/signaleren", reply.id),
            &[("reason", "Privégegevens in een openbaar onderwerp")],
        )
        .await
        .assert_status(200)
        .assert_contains("De aanjagers kijken naar het bericht.");

    // The queue of Jongeren shows it to its facilitator, not to members or other facilitators.
    let queue = fenna.get("/praktijken/jongeren/signaleringen").await;
    queue
        .assert_contains("Privégegevens in een openbaar onderwerp")
        .assert_contains("Gesignaleerd door Marieke de Vries");
    marieke
        .get("/praktijken/jongeren/signaleringen")
        .await
        .assert_status(403);
    let mut other = fenna.second_browser();
    let other_facilitator = other
        .person("otto@welzijn.nl", "Otto Aanjager", false, false)
        .await;
    other
        .make_facilitator(other_facilitator.id, "zingeving")
        .await;
    other.login_as("otto@welzijn.nl").await;
    other
        .get("/praktijken/zingeving/signaleringen")
        .await
        .assert_lacks("Privégegevens");
    let open = flag::Entity::find()
        .one(&fenna.state.db)
        .await
        .expect("q")
        .expect("flag");
    other
        .post(
            &format!("/signaleringen/{}/afhandelen", open.id),
            &[("outcome", "dismissed")],
        )
        .await
        .assert_status(403);

    fenna
        .post(
            &format!("/signaleringen/{}/afhandelen", open.id),
            &[
                ("outcome", "hidden"),
                ("note", "Nummer verwijderd uit zicht"),
            ],
        )
        .await
        .assert_status(303);
    let handled = flag::Entity::find_by_id(open.id)
        .one(&fenna.state.db)
        .await
        .expect("q")
        .expect("flag");
    assert_eq!(handled.outcome.as_deref(), Some("hidden"));
    assert!(handled.resolved_by.is_some());
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_lacks("06-12345678");
    fenna
        .get("/praktijken/jongeren/signaleringen")
        .await
        .assert_contains("Er wacht niets.");
    fenna
        .post(
            &format!("/signaleringen/{}/afhandelen", open.id),
            &[("outcome", "hidden")],
        )
        .await
        .assert_status(404);

    let mut admin = fenna.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    admin
        .get("/beheer/logboek")
        .await
        .assert_contains("Signalering afgehandeld: verborgen");
    admin.get("/beheer/signaleringen").await.assert_status(200);
}

#[tokio::test]
async fn nobody_flags_what_they_cannot_read() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("migranten").await;
    let id = app
        .start_thread(
            "migranten",
            "Vertrouwelijke casus",
            "Over mevrouw K.",
            "members",
        )
        .await;
    let first = posts_of(&app, id).await[0].clone();
    let mut visitor = app.second_browser();
    visitor
        .get(&format!("/berichten/{}/signaleren", first.id))
        .await
        .assert_status(303);
    assert!(
        thread::Entity::find_by_id(id)
            .one(&app.state.db)
            .await
            .expect("q")
            .is_some()
    );
}

#[tokio::test]
async fn facilitators_choose_how_new_threads_start() {
    let (mut fenna, mut marieke, _, _) = practice_with_thread().await;
    // Members-only is where every practice starts.
    let form = marieke.get("/praktijken/jongeren/nieuw").await;
    form.assert_contains(r#"value="members" id="visibility-members" checked"#);
    marieke
        .post(
            "/praktijken/jongeren/standaard-zichtbaarheid",
            &[("visibility", "public"), ("public_ok", "1")],
        )
        .await
        .assert_status(403);
    fenna
        .post(
            "/praktijken/jongeren/standaard-zichtbaarheid",
            &[("visibility", "geheim")],
        )
        .await
        .assert_status(422)
        .assert_contains("Maak een keuze.");
    // Public only after the warning was read and ticked.
    fenna
        .post(
            "/praktijken/jongeren/standaard-zichtbaarheid",
            &[("visibility", "public")],
        )
        .await
        .assert_status(422)
        .assert_contains("Vink aan dat je begrijpt wat openbaar betekent")
        .assert_contains("Zoekmachines zoals Google");
    let form = marieke.get("/praktijken/jongeren/nieuw").await;
    form.assert_contains(r#"value="members" id="visibility-members" checked"#);
    fenna
        .post(
            "/praktijken/jongeren/standaard-zichtbaarheid",
            &[("visibility", "public"), ("public_ok", "1")],
        )
        .await
        .assert_status(303);
    let form = marieke.get("/praktijken/jongeren/nieuw").await;
    form.assert_contains(r#"value="public" id="visibility-public" checked"#);
}

#[tokio::test]
async fn megabytes_of_text_get_a_message_and_are_kept() {
    let (_, mut marieke, _, id) = practice_with_thread().await;
    let long = "woord ".repeat(20_000);
    let page = marieke.reply_to(id, &long).await;
    page.assert_status(422).assert_contains("Dit is te lang");
    assert!(page.body.contains(&long[..5_000]), "the text comes back");
}
