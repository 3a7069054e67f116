//! Stories of people and their accounts: the first administrator, applying, approval,
//! signing in and out, passwords and the profile.

use chrono::{Duration, Utc};
use erbij::entities::{session, token, user};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn the_first_administrator_is_created_from_the_printed_link() {
    let mut app = TestApp::new().await;
    let link = erbij::app::first_admin_link(&app.state)
        .await
        .expect("query")
        .expect("a new site offers a link");
    let path = link.trim_start_matches(&app.base()).to_string();
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Eerste beheerder aanmaken");

    // A weak password is refused; what was typed stays (except the password).
    let weak = app
        .post(
            &path,
            &[
                ("name", "Fatima El Idrissi"),
                ("email", "fatima@coalitie.nl"),
                ("organisation", "Coalitie Erbij"),
                ("job", "Coördinator"),
                ("password", "wachtwoord"),
                ("password_confirm", "wachtwoord"),
            ],
        )
        .await;
    weak.assert_status(422)
        .assert_contains("minstens 12 tekens")
        .assert_contains(r#"value="Fatima El Idrissi""#)
        .assert_contains(r#"value="fatima@coalitie.nl""#)
        .assert_lacks(r#"value="wachtwoord""#)
        .assert_contains(r#"aria-describedby="password-hint password-error""#);

    let done = app
        .post(
            &path,
            &[
                ("name", "Fatima El Idrissi"),
                ("email", "Fatima@Coalitie.nl "),
                ("organisation", "Coalitie Erbij"),
                ("job", "Coördinator"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await;
    done.assert_status(303);
    assert_eq!(done.location(), "/beheer");
    app.get("/beheer")
        .await
        .assert_status(200)
        .assert_contains("Aanvragen die wachten: 0");

    // The link worked once, and the site no longer offers one.
    app.new_browser();
    app.get(&path).await.assert_status(410);
    assert!(
        erbij::app::first_admin_link(&app.state)
            .await
            .expect("query")
            .is_none()
    );
    app.login_as("fatima@coalitie.nl").await;
}

#[tokio::test]
async fn applicant_is_approved_sets_a_password_and_signs_in() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;

    app.get("/word-lid")
        .await
        .assert_status(200)
        .assert_contains("Waarom wil je meedoen?")
        .assert_contains("Welke praktijken passen bij je werk?");
    let slug_id = |slug: &'static str| {
        let db = app.state.db.clone();
        async move {
            erbij::entities::practice::Entity::find()
                .filter(erbij::entities::practice::Column::Slug.eq(slug))
                .one(&db)
                .await
                .expect("q")
                .expect("practice")
                .id
        }
    };
    let jongeren = slug_id("jongeren").await.to_string();
    let thanks = app
        .post(
            "/word-lid",
            &[
                ("name", "Joke Verbeek"),
                ("email", "joke@wijkzorg.nl"),
                ("organisation", "Wijkzorg Noord"),
                ("job", "Wijkverpleegkundige"),
                ("motivation", "Ik zie veel eenzame ouderen in mijn wijk."),
                ("practice", &jongeren),
            ],
        )
        .await;
    thanks
        .assert_status(200)
        .assert_contains("Bedankt voor je aanvraag");
    let received = app.mail("joke@wijkzorg.nl", "aanvraag ontvangen").await;
    assert!(received.text.contains("Beste Joke Verbeek"));
    assert!(received.html.contains("Beste Joke Verbeek"));
    app.mail("beheer@coalitie.nl", "Nieuwe aanvraag").await;

    // The administrator approves.
    let mut admin = app.second_browser();
    admin.login_as("beheer@coalitie.nl").await;
    let list = admin.get("/beheer/aanmeldingen").await;
    list.assert_contains("Joke Verbeek")
        .assert_contains("Ik zie veel eenzame ouderen in mijn wijk.");
    let id = erbij::entities::application::Entity::find()
        .one(&admin.state.db)
        .await
        .expect("query")
        .expect("the application")
        .id;
    admin
        .post(&format!("/beheer/aanmeldingen/{id}/goedkeuren"), &[])
        .await
        .assert_status(303);
    admin
        .get("/beheer/aanmeldingen")
        .await
        .assert_contains("goedgekeurd");
    admin
        .get("/beheer/logboek")
        .await
        .assert_contains("Aanvraag goedgekeurd");

    // The applicant follows the link in the mail.
    let welcome = admin.mail("joke@wijkzorg.nl", "Welkom").await;
    let path = welcome.path(&admin.base(), "/wachtwoord-instellen/");
    admin.new_browser();
    admin
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("joke@wijkzorg.nl");
    let mismatch = admin
        .post(
            &path,
            &[
                ("password", PASSWORD),
                ("password_confirm", "iets-anders-dan-dat-1"),
            ],
        )
        .await;
    mismatch.assert_status(422).assert_contains("niet gelijk");
    let set = admin
        .post(
            &path,
            &[("password", PASSWORD), ("password_confirm", PASSWORD)],
        )
        .await;
    set.assert_status(303);
    // A welcome: the practices she named are ticked, mail for replies and a weekly digest
    // are proposed; saving joins her and sets her mail.
    let welcome = admin.follow(set).await;
    welcome
        .assert_contains("Welkom bij Erbij, Joke Verbeek")
        .assert_contains(&format!("value=\"{jongeren}\" id=\"p-{jongeren}\" checked"))
        .assert_contains("Overslaan");
    admin
        .post(
            "/welkom",
            &[
                ("practice", &jongeren),
                ("replies", "on"),
                ("digest", "weekly"),
            ],
        )
        .await
        .assert_status(303);
    admin
        .get("/praktijken/jongeren")
        .await
        .assert_contains("Verlaat deze praktijk");
    let joke = erbij::entities::user::Entity::find()
        .filter(erbij::entities::user::Column::Email.eq("joke@wijkzorg.nl"))
        .one(&admin.state.db)
        .await
        .expect("q")
        .expect("joke");
    assert!(joke.mail_chosen && joke.mail_replies && joke.mail_mentions);
    let digest = erbij::entities::subscriber::Entity::find()
        .filter(erbij::entities::subscriber::Column::UserId.eq(joke.id))
        .one(&admin.state.db)
        .await
        .expect("q")
        .expect("a weekly digest");
    assert_eq!(digest.frequency, "weekly");
    admin
        .get("/profiel")
        .await
        .assert_contains("Wijkzorg Noord");

    // Signed out and back in with the new password.
    admin.post("/uitloggen", &[]).await.assert_status(303);
    admin.get("/profiel").await.assert_status(303);
    admin.login_as("joke@wijkzorg.nl").await;
    admin.get("/profiel").await.assert_status(200);
    // The link was single-use.
    admin.get(&path).await.assert_status(410);
}

#[tokio::test]
async fn every_application_field_is_checked_and_kept() {
    let mut app = TestApp::new().await;
    let page = app
        .post(
            "/word-lid",
            &[
                ("name", "  "),
                ("email", "niet-een-adres"),
                ("organisation", "Buurtwerk"),
                ("job", &"x".repeat(101)),
                ("motivation", ""),
            ],
        )
        .await;
    page.assert_status(422)
        .assert_contains("Controleer de volgende velden")
        .assert_contains(r##"href="#name""##)
        .assert_contains("Vul een geldig e-mailadres in")
        .assert_contains("Dit is te lang")
        .assert_contains(r#"value="niet-een-adres""#)
        .assert_contains(r#"value="Buurtwerk""#)
        .assert_contains(r#"id="motivation-error""#);
    assert_eq!(
        erbij::entities::application::Entity::find()
            .count(&app.state.db)
            .await
            .expect("query"),
        0
    );

    app.headers.push(("accept-language".into(), "en".into()));
    app.post("/word-lid", &[("email", "x@y")])
        .await
        .assert_status(422)
        .assert_contains("Please fill in this field.");
}

#[tokio::test]
async fn applying_with_a_members_address_looks_the_same_and_mails_a_reminder() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let fields = |email: &'static str| {
        vec![
            ("name", "Marieke"),
            ("email", email),
            ("organisation", "Buurtkracht"),
            ("job", "Coördinator"),
            ("motivation", "Graag meedoen."),
        ]
    };
    let known = app
        .post("/word-lid", &fields("marieke@buurtkracht.nl"))
        .await;
    let unknown = app.post("/word-lid", &fields("nieuw@buurtkracht.nl")).await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.body, unknown.body);
    let reminder = app.mail("marieke@buurtkracht.nl", "al een account").await;
    assert!(reminder.text.contains("/wachtwoord-vergeten"));
    app.mail("nieuw@buurtkracht.nl", "aanvraag ontvangen").await;
    assert_eq!(
        erbij::entities::application::Entity::find()
            .count(&app.state.db)
            .await
            .expect("query"),
        1,
        "only the unknown address became an application"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_address_get_the_same_answer() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let wrong = app
        .post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", "niet-het-goede-wachtwoord"),
            ],
        )
        .await;
    let unknown = app
        .post(
            "/inloggen",
            &[
                ("email", "niemand@buurtkracht.nl"),
                ("password", "niet-het-goede-wachtwoord"),
            ],
        )
        .await;
    wrong
        .assert_status(422)
        .assert_contains("Het e-mailadres of het wachtwoord klopt niet.");
    unknown
        .assert_status(422)
        .assert_contains("Het e-mailadres of het wachtwoord klopt niet.");
    assert_eq!(
        wrong.body.replace("marieke@buurtkracht.nl", "X"),
        unknown.body.replace("niemand@buurtkracht.nl", "X")
    );
    assert!(!app.cookies.contains_key("erbij_session"));
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let redirect = app.get("/profiel").await;
    redirect.assert_status(303);
    assert_eq!(redirect.location(), "/inloggen?next=%2Fprofiel");
    app.get("/inloggen?next=%2Fprofiel")
        .await
        .assert_contains(r#"name="next" value="/profiel""#);
    let done = app
        .post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", PASSWORD),
                ("next", "/profiel"),
            ],
        )
        .await;
    assert_eq!(done.location(), "/profiel");
    let evil = app
        .post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", PASSWORD),
                ("next", "//evil.example"),
            ],
        )
        .await;
    assert_eq!(evil.location(), "/");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    for _ in 0..5 {
        app.post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", "fout-fout-fout-fout"),
            ],
        )
        .await
        .assert_status(422);
    }
    // Now even the right password waits, and an unknown address is treated the same.
    app.post(
        "/inloggen",
        &[("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)],
    )
    .await
    .assert_status(429)
    .assert_contains("te veel pogingen");
    for _ in 0..5 {
        app.post(
            "/inloggen",
            &[
                ("email", "niemand@buurtkracht.nl"),
                ("password", "fout-fout-fout-fout"),
            ],
        )
        .await;
    }
    app.post(
        "/inloggen",
        &[
            ("email", "niemand@buurtkracht.nl"),
            ("password", "fout-fout-fout-fout"),
        ],
    )
    .await
    .assert_status(429);
    // Someone else, from another address, is not affected.
    app.member_other().await;
    app.client = "198.51.100.7:40000".parse().expect("address");
    app.login_as("kees@buurtkracht.nl").await;
}

#[tokio::test]
async fn many_failures_from_one_address_are_throttled_across_accounts() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    for i in 0..30 {
        let email = format!("iemand{i}@voorbeeld.nl");
        app.post(
            "/inloggen",
            &[("email", &email), ("password", "fout-fout-fout-fout")],
        )
        .await;
    }
    app.post(
        "/inloggen",
        &[("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)],
    )
    .await
    .assert_status(429);
    app.client = "198.51.100.8:40000".parse().expect("address");
    app.login_as("marieke@buurtkracht.nl").await;
}

#[tokio::test]
async fn password_reset_works_once_and_expires() {
    let mut app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;

    // An old session elsewhere, to see it ended by the reset.
    let mut laptop = app.second_browser();
    laptop.login_as("marieke@buurtkracht.nl").await;

    app.get("/wachtwoord-vergeten").await.assert_status(200);
    let known = app
        .post(
            "/wachtwoord-vergeten",
            &[("email", "Marieke@Buurtkracht.nl")],
        )
        .await;
    let unknown = app
        .post(
            "/wachtwoord-vergeten",
            &[("email", "niemand@buurtkracht.nl")],
        )
        .await;
    known.assert_status(200).assert_contains("Kijk in je mail");
    assert_eq!(known.body, unknown.body);
    let mail = app.mail("marieke@buurtkracht.nl", "nieuw wachtwoord").await;
    assert_eq!(app.settled_count("niemand@buurtkracht.nl").await, 0);
    let path = mail.path(&app.base(), "/wachtwoord-instellen/");

    app.post(
        &path,
        &[
            ("password", "nieuw-Wachtwoord-voor-2027"),
            ("password_confirm", "nieuw-Wachtwoord-voor-2027"),
        ],
    )
    .await
    .assert_status(303);
    app.get(&path)
        .await
        .assert_status(410)
        .assert_contains("Deze link werkt niet meer");
    app.post(
        &path,
        &[
            ("password", "nog-een-Wachtwoord-2028"),
            ("password_confirm", "nog-een-Wachtwoord-2028"),
        ],
    )
    .await
    .assert_status(410);

    // The old session is over; the old password no longer works, the new one does.
    assert_eq!(
        session::Entity::find()
            .filter(session::Column::UserId.eq(marieke.id))
            .count(&app.state.db)
            .await
            .expect("query"),
        1,
        "only the session the reset itself started"
    );
    app.new_browser();
    app.post(
        "/inloggen",
        &[("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)],
    )
    .await
    .assert_status(422);
    app.post(
        "/inloggen",
        &[
            ("email", "marieke@buurtkracht.nl"),
            ("password", "nieuw-Wachtwoord-voor-2027"),
        ],
    )
    .await
    .assert_status(303);

    // An expired link is refused.
    app.post(
        "/wachtwoord-vergeten",
        &[("email", "marieke@buurtkracht.nl")],
    )
    .await;
    let newest = app
        .at_least("marieke@buurtkracht.nl", 2)
        .await
        .into_iter()
        .map(|m| m.path(&app.base(), "/wachtwoord-instellen/"))
        .find(|p| p != &path)
        .expect("a second reset mail");
    token::Entity::update_many()
        .col_expr(
            token::Column::ExpiresAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(&app.state.db)
        .await
        .expect("expire");
    app.get(&newest).await.assert_status(410);
    app.get("/wachtwoord-instellen/not-a-token")
        .await
        .assert_status(410);
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    let stolen = app
        .cookies
        .get("erbij_session")
        .cloned()
        .expect("a session cookie");
    app.post("/uitloggen", &[]).await.assert_status(303);
    assert!(!app.cookies.contains_key("erbij_session"));
    app.cookies.insert("erbij_session".into(), stolen);
    app.get("/profiel").await.assert_status(303);
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.cookies.insert("erbij_session".into(), "a".repeat(64));
    let page = app.login_as("marieke@buurtkracht.nl").await;
    let set = page.headers["set-cookie"]
        .to_str()
        .unwrap_or("")
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let session_cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("erbij_session="))
        .expect("a session cookie")
        .to_string();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    assert!(!session_cookie.contains("Secure"), "plain http in tests");
    assert_ne!(app.cookies["erbij_session"], "a".repeat(64));
    // The database holds the hash, never the secret.
    let secret = app.cookies["erbij_session"].clone();
    let stored = session::Entity::find()
        .all(&app.state.db)
        .await
        .expect("query");
    assert!(stored.iter().all(|s| s.id_hash != secret));
}

#[tokio::test]
async fn profile_changes_name_and_language_and_password() {
    let mut app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.get("/profiel")
        .await
        .assert_contains(r#"value="Marieke de Vries""#);

    app.post(
        "/profiel",
        &[
            ("name", ""),
            ("organisation", "Buurtkracht"),
            ("job", "Coördinator"),
            ("lang", "en"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Vul dit veld in.")
    .assert_contains(r#"value="Buurtkracht""#);
    let saved = app
        .post(
            "/profiel",
            &[
                ("name", "Marieke Jansen"),
                ("organisation", "Buurtkracht"),
                ("job", "Coördinator"),
                ("lang", "en"),
            ],
        )
        .await;
    let page = app.follow(saved).await;
    page.assert_contains(r#"<html lang="en">"#)
        .assert_contains("Your details have been saved.")
        .assert_contains(r#"value="Marieke Jansen""#);
    let stored = user::Entity::find_by_id(marieke.id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("user");
    assert_eq!(stored.lang, "en");

    app.post(
        "/profiel/wachtwoord",
        &[
            ("current_password", "fout-fout-fout"),
            ("password", "een-Nieuw-wachtwoord-9"),
            ("password_confirm", "een-Nieuw-wachtwoord-9"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("This is not your current password.");
    let changed = app
        .post(
            "/profiel/wachtwoord",
            &[
                ("current_password", PASSWORD),
                ("password", "een-Nieuw-wachtwoord-9"),
                ("password_confirm", "een-Nieuw-wachtwoord-9"),
            ],
        )
        .await;
    app.follow(changed)
        .await
        .assert_contains("Your password has been changed.");
    app.get("/profiel").await.assert_status(200);
}

/// Fills in the application form with `name` and otherwise good answers.
async fn apply_as(app: &mut TestApp, name: &str, email: &str) -> crate::helpers::Page {
    app.post(
        "/word-lid",
        &[
            ("name", name),
            ("email", email),
            ("organisation", "Buurtwerk Noord"),
            ("job", "Buurtwerker"),
            ("motivation", "Ik wil leren van collega's."),
        ],
    )
    .await
}

#[tokio::test]
async fn a_name_that_passes_for_another_members_is_refused_with_the_text_kept() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await; // Marieke de Vries
    // A Cyrillic а instead of the Latin a.
    let page = apply_as(&mut app, "M\u{0430}rieke de Vries", "nep@example.nl").await;
    page.assert_status(422)
        .assert_contains("Een ander lid heeft al een naam die hierop lijkt")
        .assert_contains("value=\"M\u{0430}rieke de Vries\"");
    // Two spaces show as one, so they pass for it too.
    apply_as(&mut app, "Marieke  de Vries", "nep@example.nl")
        .await
        .assert_status(422);
    // A name of one's own is welcome.
    apply_as(&mut app, "Marieke de Vries-Bos", "mdvb@example.nl")
        .await
        .assert_status(200);

    // Renaming oneself to look like another member is refused the same way; keeping one's
    // own name is not.
    app.member_other().await; // Kees Bos
    app.login_as("kees@buurtkracht.nl").await;
    let profile = |name: &'static str| {
        [
            ("name", name),
            ("organisation", "Welzijn Rotterdam"),
            ("job", "Opbouwwerker"),
            ("lang", "nl"),
        ]
    };
    app.post("/profiel", &profile("Marieke de Vrie\u{0455}")) // Cyrillic ѕ
        .await
        .assert_status(422)
        .assert_contains("Een ander lid heeft al een naam die hierop lijkt");
    app.post("/profiel", &profile("Kees Bos"))
        .await
        .assert_status(303);
}

#[tokio::test]
async fn names_with_invisible_or_reversing_characters_are_refused() {
    let mut app = TestApp::new().await;
    for name in [
        "Marieke\u{200B} de Vries", // zero-width space
        "\u{202E}seirV ed ekeiraM", // right-to-left override
        "Marieke de Vries\u{2066}", // left-to-right isolate
        "Mar\u{00AD}ieke de Vries", // soft hyphen
        "Marieke\u{3164}de Vries",  // Hangul filler, a blank letter
    ] {
        let page = apply_as(&mut app, name, "iemand@example.nl").await;
        page.assert_status(422)
            .assert_contains("onzichtbare tekens");
    }
}

#[tokio::test]
async fn names_are_stored_composed() {
    let mut app = TestApp::new().await;
    let kees = app.member_other().await;
    app.login_as("kees@buurtkracht.nl").await;
    // "Zoë" typed as Z o e + combining diaeresis (NFD), as some keyboards send it.
    app.post(
        "/profiel",
        &[
            ("name", "Zoe\u{0308} Bos"),
            ("organisation", "Welzijn Rotterdam"),
            ("job", "Opbouwwerker"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);
    let stored = user::Entity::find_by_id(kees.id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("kees");
    assert_eq!(stored.name, "Zo\u{00EB} Bos");
    // And the composed and decomposed forms are one name to the lookalike check.
    apply_as(&mut app, "Zoe\u{0308} Bos", "zoe@example.nl")
        .await
        .assert_status(422);
}

#[tokio::test]
async fn people_from_before_name_skeletons_get_theirs_when_the_schema_is_brought_up() {
    let app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    user::Entity::update_many()
        .col_expr(
            user::Column::NameSkeleton,
            Expr::value(Option::<String>::None),
        )
        .exec(&app.state.db)
        .await
        .expect("forget");
    erbij::db::migrate(&app.state.db).await.expect("migrate");
    let stored = user::Entity::find_by_id(marieke.id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("marieke");
    assert_eq!(
        stored.name_skeleton.as_deref(),
        Some(erbij::names::skeleton("Marieke de Vries").as_str())
    );
}
