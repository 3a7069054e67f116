//! Who's who: the member directory (members only, as each member chooses) and the partner
//! organisations.

use erbij::entities::{organisation, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::TestApp;

async fn organisation(app: &TestApp, slug: &str, name: &str) -> organisation::Model {
    let now = chrono::Utc::now();
    organisation::ActiveModel {
        slug: Set(slug.into()),
        name: Set(name.into()),
        kind: Set(organisation::Kind::Volunteer),
        description: Set("Maatjes en huisbezoeken in de wijk.".into()),
        website: Set("https://example.org/".into()),
        districts: Set(",charlois,feijenoord,".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap()
}

/// A member in their own browser, with a listing saved through the form.
async fn listed(app: &TestApp, email: &str, name: &str, fields: &[(&str, &str)]) -> TestApp {
    app.person(email, name, false, false).await;
    let mut browser = app.second_browser();
    browser.login_as(email).await;
    browser
        .post("/profiel/gids", fields)
        .await
        .assert_status(303);
    browser
}

#[tokio::test]
async fn the_directory_is_for_members_and_shows_what_each_chose() {
    let app = TestApp::new().await;
    organisation(&app, "humanitas", "Humanitas").await;
    organisation(&app, "sol", "SOL").await;
    let mut sanne = listed(
        &app,
        "sanne@wijk.nl",
        "Sanne Smit",
        &[
            ("organisation", "humanitas"),
            ("show_organisation", "1"),
            ("district", "charlois"),
            ("district", "noord"),
            ("show_districts", "1"),
            ("expertise", "mantelzorg"),
            ("phone", "010 123 45 67"),
            ("show_phone", "1"),
        ],
    )
    .await;
    // Kees keeps his districts, phone and address to himself.
    let kees = listed(
        &app,
        "kees@wijk.nl",
        "Kees Bos",
        &[
            ("organisation", "sol"),
            ("show_organisation", "1"),
            ("district", "charlois"),
            ("phone", "06 98765432"),
        ],
    )
    .await;
    drop(kees);
    let page = sanne.get("/leden").await;
    page.assert_status(200)
        .assert_contains("Sanne Smit")
        .assert_contains("Kees Bos")
        .assert_contains("Humanitas")
        .assert_contains("010 123 45 67")
        .assert_contains("Mantelzorg")
        .assert_lacks("06 98765432")
        .assert_lacks("kees@wijk.nl")
        .assert_lacks("sanne@wijk.nl");
    // Hidden districts are not shown, and not found by.
    let charlois = sanne.get("/leden?wijk=charlois").await;
    charlois
        .assert_contains("Sanne Smit")
        .assert_lacks("Kees Bos");
    // Filters combine: each narrows.
    sanne
        .get("/leden?wijk=charlois&organisatie=sol")
        .await
        .assert_contains("Niemand gevonden");
    sanne
        .get("/leden?q=kee&organisatie=sol")
        .await
        .assert_contains("Kees Bos")
        .assert_lacks("Sanne Smit");
    sanne
        .get("/leden?expertise=mantelzorg")
        .await
        .assert_contains("Sanne Smit")
        .assert_lacks("Kees Bos");
    sanne
        .get("/leden?q=%25")
        .await
        .assert_status(200)
        .assert_contains("Niemand gevonden");
    // Unknown filter values find nobody rather than everybody.
    sanne
        .get("/leden?wijk=atlantis")
        .await
        .assert_contains("Niemand gevonden");
    // Not for visitors: they are asked to sign in, and see no name.
    let mut visitor = app.second_browser();
    let page = visitor.get("/leden").await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/inloggen"));
    // At most two organisations; a bad phone number comes back with the form.
    organisation(&app, "sensoor", "Sensoor").await;
    sanne
        .post(
            "/profiel/gids",
            &[
                ("organisation", "humanitas"),
                ("organisation", "sol"),
                ("organisation", "sensoor"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("Kies hoogstens twee organisaties.");
    sanne
        .post("/profiel/gids", &[("phone", "=cmd|' /C calc'!A0")])
        .await
        .assert_status(422);
    let stored = user::Entity::find()
        .filter(user::Column::Email.eq("sanne@wijk.nl"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.phone, "010 123 45 67",
        "a refused form changes nothing"
    );
}

#[tokio::test]
async fn an_organisation_page_is_public_and_its_members_are_for_members() {
    let app = TestApp::new().await;
    organisation(&app, "humanitas", "Humanitas").await;
    let mut sanne = listed(
        &app,
        "sanne@wijk.nl",
        "Sanne Smit",
        &[("organisation", "humanitas"), ("show_organisation", "1")],
    )
    .await;
    // One who belongs to it but hides it is not named.
    listed(
        &app,
        "kees@wijk.nl",
        "Kees Bos",
        &[("organisation", "humanitas")],
    )
    .await;
    let mut visitor = app.second_browser();
    visitor
        .get("/organisaties")
        .await
        .assert_status(200)
        .assert_contains("Humanitas");
    visitor
        .get("/organisaties/humanitas")
        .await
        .assert_status(200)
        .assert_contains("Maatjes en huisbezoeken")
        .assert_contains("Charlois, Feijenoord")
        .assert_lacks("Sanne Smit");
    sanne
        .get("/organisaties/humanitas")
        .await
        .assert_contains("Sanne Smit")
        .assert_lacks("Kees Bos");
    visitor
        .get("/organisaties/bestaat-niet")
        .await
        .assert_status(404);
}

#[tokio::test]
async fn administrators_keep_the_organisations_and_the_expertise_list() {
    let mut app = TestApp::new().await;
    app.admin("beheer@erbij.nl").await;
    app.login_as("beheer@erbij.nl").await;
    let page = app
        .post(
            "/beheer/organisaties/nieuw",
            &[
                ("name", "Buurtkracht Charlois"),
                ("slug", "buurtkracht-charlois"),
                ("kind", "welfare"),
                ("description", "Welzijn in **Charlois**."),
                ("website", "https://example.org/buurtkracht"),
                ("district", "charlois"),
            ],
        )
        .await;
    page.assert_status(303);
    app.get("/organisaties/buurtkracht-charlois")
        .await
        .assert_status(200)
        .assert_contains("<strong>Charlois</strong>");
    // The same address twice, or a bad one, comes back with the form.
    app.post(
        "/beheer/organisaties/nieuw",
        &[
            ("name", "Dubbel"),
            ("slug", "buurtkracht-charlois"),
            ("kind", "welfare"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Dit webadres is al in gebruik.");
    app.post(
        "/beheer/organisaties/nieuw",
        &[
            ("name", "Raar"),
            ("slug", "Raar Adres!"),
            ("kind", "welfare"),
            ("website", "javascript:alert(1)"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Raar Adres!");
    app.post(
        "/beheer/expertise",
        &[
            ("name_nl", "Ouderenmishandeling"),
            ("name_en", "Elder abuse"),
        ],
    )
    .await
    .assert_status(303);
    app.get("/profiel/gids")
        .await
        .assert_contains("Ouderenmishandeling");
    // Members cannot.
    let mut member = app.second_browser();
    member.member("m@wijk.nl").await;
    member.login_as("m@wijk.nl").await;
    member.get("/beheer/organisaties").await.assert_status(403);
    member
        .post("/beheer/expertise", &[("name_nl", "X"), ("name_en", "X")])
        .await
        .assert_status(403);
}

#[tokio::test]
async fn a_members_page_shows_the_same_choices_as_the_directory() {
    let app = TestApp::new().await;
    organisation(&app, "humanitas", "Humanitas").await;
    let mut sanne = listed(
        &app,
        "sanne@wijk.nl",
        "Sanne Smit",
        &[
            ("organisation", "humanitas"),
            ("show_organisation", "1"),
            ("district", "delfshaven"),
            ("expertise", "dementie"),
            ("phone", "010 765 43 21"),
            ("show_email", "1"),
        ],
    )
    .await;
    let handle = user::Entity::find()
        .filter(user::Column::Email.eq("sanne@wijk.nl"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .handle
        .unwrap();
    sanne
        .get(&format!("/leden/{handle}"))
        .await
        .assert_status(200)
        .assert_contains("/organisaties/humanitas")
        .assert_contains("Dementie")
        .assert_contains("mailto:sanne@wijk.nl")
        .assert_lacks("Delfshaven")
        .assert_lacks("010 765 43 21");
}

#[tokio::test]
async fn hiding_ones_organisation_holds_everywhere_and_odd_input_finds_nothing() {
    let app = TestApp::new().await;
    organisation(&app, "humanitas", "Humanitas").await;
    // Kees works at "Buurtzorg Geheim" (the profile's text) and hides his organisation.
    let mut kees = listed(
        &app,
        "kees@wijk.nl",
        "Kees Bos",
        &[("organisation", "humanitas")],
    )
    .await;
    let mut row = user::Entity::find()
        .filter(user::Column::Email.eq("kees@wijk.nl"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let handle = row.handle.clone().unwrap();
    row.organisation = "Buurtzorg Geheim".into();
    let mut active: user::ActiveModel = row.into();
    active.organisation = Set("Buurtzorg Geheim".into());
    active.update(&app.state.db).await.unwrap();
    kees.post("/praktijken/zingeving/deelnemen", &[])
        .await
        .assert_status(303);
    for path in [
        format!("/leden/{handle}"),
        "/leden".to_string(),
        "/leden/zoek?q=kee".into(),
        "/praktijken/zingeving/deelnemers".into(),
    ] {
        kees.get(&path)
            .await
            .assert_status(200)
            .assert_lacks("Buurtzorg Geheim");
    }
    // A NUL or other odd bytes in a filter or address find nothing, without an error.
    for path in [
        "/leden?organisatie=%00",
        "/leden?expertise=%C3%28",
        "/leden?praktijk=ZINGEVING",
    ] {
        kees.get(path)
            .await
            .assert_status(200)
            .assert_contains("Niemand gevonden");
    }
    // A name search of control characters is no search: everyone is listed.
    kees.get("/leden?q=%00")
        .await
        .assert_status(200)
        .assert_contains("Kees Bos");
    kees.get("/organisaties/%00").await.assert_status(404);
}
