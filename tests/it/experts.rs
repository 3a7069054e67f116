//! The expert group's private area: its own threads, seen by experts and administrators only.

use erbij::entities::post;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::TestApp;

#[tokio::test]
async fn the_expert_area_is_for_experts_and_administrators_only() {
    let mut eva = TestApp::new().await;
    eva.person("eva@expert.nl", "Eva Expert", false, true).await;
    eva.login_as("eva@expert.nl").await;
    let area = eva.get("/expertgroep").await;
    assert_eq!(area.location(), "/praktijken/expertgroep");
    eva.get("/").await.assert_contains(r#"href="/expertgroep""#);
    eva.get("/praktijken/expertgroep")
        .await
        .assert_status(200)
        .assert_contains("Besloten")
        .assert_lacks("Doe mee met deze praktijk");
    let id = eva
        .start_thread(
            "expertgroep",
            "Concept kennisbundel migranten",
            "Eerste opzet, @marieke-de-vries kijk je mee?",
            "public",
        )
        .await;
    let thread = eva.get(&format!("/onderwerpen/{id}")).await;
    thread
        .assert_contains("Alleen expertgroep")
        .assert_contains("Eerste opzet");
    let first = post::Entity::find()
        .filter(post::Column::ThreadId.eq(id))
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("post");

    // A member (even one mentioned by name), and a visitor, find nothing by any route.
    let mut marieke = eva.second_browser();
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    let mut visitor = eva.second_browser();
    for browser in [&mut marieke, &mut visitor] {
        for path in [
            "/praktijken/expertgroep".to_string(),
            "/praktijken/expertgroep/nieuw".to_string(),
            format!("/onderwerpen/{id}"),
            format!("/onderwerpen/{id}/ongelezen"),
            format!("/berichten/{}", first.id),
            format!("/berichten/{}/versies", first.id),
            format!("/berichten/{}/signaleren", first.id),
        ] {
            let page = browser.get(&path).await;
            assert!(
                matches!(page.status.as_u16(), 303 | 404),
                "{path}: {}",
                page.status
            );
            page.assert_lacks("Concept kennisbundel")
                .assert_lacks("Eerste opzet");
        }
        let home = browser.get("/").await;
        home.assert_lacks("Concept kennisbundel")
            .assert_lacks(r#"href="/expertgroep""#);
        browser
            .get("/praktijken")
            .await
            .assert_lacks("Expertgroep</a>");
        browser
            .get("/meldingen")
            .await
            .assert_lacks("Concept kennisbundel");
    }
    marieke.get("/expertgroep").await.assert_status(404);
    assert!(
        erbij::entities::notification::Entity::find()
            .all(&eva.state.db)
            .await
            .expect("q")
            .is_empty(),
        "the mentioned member is not told about an expert thread"
    );
    marieke
        .reply_to(id, "Mag ik meelezen?")
        .await
        .assert_status(404);

    // Administrators take part too.
    let mut admin = eva.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    admin
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_status(200);
    admin.reply_to(id, "Goed begin.").await.assert_status(303);
    // Its threads stay in the area: they cannot be moved into a practice.
    admin
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_lacks("Verplaatsen naar");
    admin
        .post(
            &format!("/onderwerpen/{id}/verplaatsen"),
            &[("practice", "jongeren")],
        )
        .await
        .assert_status(403);
    eva.get("/meldingen")
        .await
        .assert_contains("Ahmed Bakkali reageerde");
}

#[tokio::test]
async fn members_nominate_threads_and_hear_what_the_experts_decide() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("netwerkversterking").await;
    let id = marieke
        .start_thread(
            "netwerkversterking",
            "Buurtnetwerk in Charlois",
            "Zo pakten wij het aan.",
            "public",
        )
        .await;
    marieke
        .get(&format!("/onderwerpen/{id}"))
        .await
        .assert_contains(&format!("/onderwerpen/{id}/voordragen"));
    marieke
        .post(&format!("/onderwerpen/{id}/voordragen"), &[("reason", " ")])
        .await
        .assert_status(422);
    marieke
        .post(
            &format!("/onderwerpen/{id}/voordragen"),
            &[("reason", "Werkt ook in andere wijken")],
        )
        .await
        .assert_status(200)
        .assert_contains("Bedankt voor je voordracht");
    // Visitors cannot nominate, members cannot see the queue.
    let mut visitor = marieke.second_browser();
    visitor
        .get(&format!("/onderwerpen/{id}/voordragen"))
        .await
        .assert_status(303);
    marieke
        .get("/expertgroep/voordrachten")
        .await
        .assert_status(403);

    let mut eva = marieke.second_browser();
    eva.person("eva@expert.nl", "Eva Expert", false, true).await;
    eva.login_as("eva@expert.nl").await;
    let queue = eva.get("/expertgroep/voordrachten").await;
    queue
        .assert_contains("Buurtnetwerk in Charlois")
        .assert_contains("Werkt ook in andere wijken")
        .assert_contains("Voorgedragen door Marieke de Vries");
    let nomination = erbij::entities::nomination::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("nomination");
    marieke
        .post(
            &format!("/voordrachten/{}/afhandelen", nomination.id),
            &[("outcome", "taken")],
        )
        .await
        .assert_status(403);
    eva.post(
        &format!("/voordrachten/{}/afhandelen", nomination.id),
        &[("outcome", "taken")],
    )
    .await
    .assert_status(303);
    eva.get("/expertgroep/voordrachten")
        .await
        .assert_contains("opgepakt door Eva Expert");
    marieke
        .get("/meldingen")
        .await
        .assert_contains("Eva Expert pakte je voordracht “Buurtnetwerk in Charlois” op");
    eva.post(
        &format!("/voordrachten/{}/afhandelen", nomination.id),
        &[("outcome", "declined"), ("note", "Al gebundeld in 2025")],
    )
    .await
    .assert_status(303);
    marieke
        .get("/meldingen")
        .await
        .assert_contains("wees je voordracht");
    eva.get("/expertgroep/voordrachten")
        .await
        .assert_contains("Er liggen geen voordrachten.");
    eva.post(
        &format!("/voordrachten/{}/afhandelen", nomination.id),
        &[("outcome", "taken")],
    )
    .await
    .assert_status(404);
}
