//! The privacy page: public, in Dutch and English, linked from every page's footer and from
//! every form that asks for personal data, and stating the figures the retention job uses.

use erbij::retention;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_privacy_page_states_the_retention_figures_the_job_uses_in_dutch() {
    let mut app = TestApp::new().await;
    let page = app.get("/privacy").await;
    page.assert_status(200)
        .assert_contains("Privacy: wat we bewaren en waarom")
        .assert_contains("de beheerders")
        .assert_contains("IP-adres")
        .assert_contains("zonder de plek waar ze zijn gemaakt")
        .assert_contains("Mijn gegevens downloaden")
        .assert_contains("Account verwijderen")
        .assert_contains("Alles over mij wissen")
        .assert_contains(&format!(
            "wissen we je adres na {} dagen",
            retention::UNCONFIRMED_DAYS
        ))
        .assert_contains(&format!(
            "nog {} jaar als bewijs",
            retention::CONSENT_KEEP_YEARS
        ))
        .assert_contains(&format!(
            "verstuurd overzicht wissen we na {} dagen",
            retention::DIGEST_BODY_DAYS
        ))
        .assert_contains(&format!(
            "binnen {} dag na het versturen",
            retention::NOTICE_BODY_DAYS
        ))
        .assert_contains("wissen we elke dag")
        .assert_contains(&format!(
            "Een inlog werkt {} dagen",
            app.state.settings.session_days
        ))
        // No contact address configured: no made-up one.
        .assert_lacks("mailto:");
    // The figures are the ones the job was built with (the issue's promise).
    assert_eq!(
        (
            retention::UNCONFIRMED_DAYS,
            retention::CONSENT_KEEP_YEARS,
            retention::DIGEST_BODY_DAYS,
            retention::NOTICE_BODY_DAYS,
            retention::RUN_EVERY_DAYS
        ),
        (7, 1, 30, 1, 1)
    );
}

#[tokio::test]
async fn the_privacy_page_speaks_english_and_names_the_contact_address() {
    let mut app =
        TestApp::with_settings(|s| s.contact_email = "privacy@erbij.example.nl".into()).await;
    app.headers.push(("accept-language".into(), "en".into()));
    app.get("/privacy")
        .await
        .assert_status(200)
        .assert_contains(r#"<html lang="en""#)
        .assert_contains("Privacy: what we keep and why")
        .assert_contains(&format!(
            "erase your address after {} days",
            retention::UNCONFIRMED_DAYS
        ))
        .assert_contains(&format!(
            "for {} more year as proof",
            retention::CONSENT_KEEP_YEARS
        ))
        .assert_contains(&format!(
            "text of a sent overview after {} days",
            retention::DIGEST_BODY_DAYS
        ))
        .assert_contains(&format!(
            "within {} day of sending",
            retention::NOTICE_BODY_DAYS
        ))
        .assert_contains(r#"href="mailto:privacy@erbij.example.nl""#);
}

#[tokio::test]
async fn every_page_and_every_form_for_personal_data_links_to_the_privacy_page() {
    let mut app = TestApp::new().await;
    let link = r#"href="/privacy""#;
    app.get("/").await.assert_status(200).assert_contains(link);
    for form in ["/volgen", "/word-lid"] {
        let page = app.get(form).await;
        page.assert_status(200);
        let main = page
            .body
            .split_once("<main")
            .and_then(|(_, rest)| rest.split_once("</main>"))
            .map(|(main, _)| main)
            .expect("main");
        assert!(main.contains(link), "{form} links to /privacy in the form");
    }
    app.member("lid@voorbeeld.nl").await;
    app.login_as("lid@voorbeeld.nl").await;
    let profile = app.get("/profiel").await;
    profile.assert_status(200);
    let main = profile
        .body
        .split_once("<main")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map(|(main, _)| main)
        .expect("main");
    assert!(main.contains(link), "the profile links to /privacy");
}
