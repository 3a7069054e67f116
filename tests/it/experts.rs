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
    eva.get("/meldingen")
        .await
        .assert_contains("Ahmed Bakkali reageerde");
}
