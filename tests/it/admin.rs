//! Administration: who may enter, and what administrators do there.

use erbij::entities::{membership, practice, user};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::TestApp;

const ADMIN_PAGES: &[&str] = &[
    "/beheer",
    "/beheer/aanmeldingen",
    "/beheer/uitnodigen",
    "/beheer/mensen",
    "/beheer/mensen/1",
    "/beheer/praktijken",
    "/beheer/praktijken/nieuw",
    "/beheer/praktijken/1",
    "/beheer/logboek",
    "/beheer/signaleringen",
    "/beheer/post",
];

const ADMIN_ACTIONS: &[&str] = &[
    "/beheer/aanmeldingen/1/goedkeuren",
    "/beheer/aanmeldingen/1/afwijzen",
    "/beheer/uitnodigen",
    "/beheer/mensen/1",
    "/beheer/praktijken/nieuw",
    "/beheer/praktijken/1",
    "/beheer/praktijken/1/verplaatsen",
    "/beheer/praktijken/1/archiveren",
];

async fn practice_id(app: &TestApp, slug: &str) -> i32 {
    practice::Entity::find()
        .filter(practice::Column::Slug.eq(slug))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("practice")
        .id
}

#[tokio::test]
async fn only_administrators_reach_administration() {
    let mut app = TestApp::new().await;
    let admin = app.admin("beheer@coalitie.nl").await;
    assert_eq!(admin.id, 1, "the admin pages above name person 1");
    let facilitator = app
        .person("aanjager@coalitie.nl", "Ans Aanjager", false, false)
        .await;
    app.person("expert@coalitie.nl", "Eva Expert", false, true)
        .await;
    app.member("lid@coalitie.nl").await;
    let jongeren = practice_id(&app, "jongeren").await;
    sea_orm::ActiveModelTrait::insert(
        membership::ActiveModel {
            user_id: sea_orm::ActiveValue::Set(facilitator.id),
            practice_id: sea_orm::ActiveValue::Set(jongeren),
            role: sea_orm::ActiveValue::Set(membership::Role::Facilitator),
            created_at: sea_orm::ActiveValue::Set(chrono::Utc::now()),
        },
        &app.state.db,
    )
    .await
    .expect("facilitator");

    // Visitors are sent to sign in.
    for path in ADMIN_PAGES {
        let page = app.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location().starts_with("/inloggen?next="), "{path}");
    }
    for path in ADMIN_ACTIONS {
        let page = app.post(path, &[]).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location().starts_with("/inloggen"), "{path}");
    }

    // Members, facilitators and experts are refused.
    for email in [
        "lid@coalitie.nl",
        "aanjager@coalitie.nl",
        "expert@coalitie.nl",
    ] {
        app.new_browser();
        app.login_as(email).await;
        app.get("/").await.assert_lacks(r#"href="/beheer""#);
        for path in ADMIN_PAGES {
            let page = app.get(path).await;
            assert_eq!(page.status, 403, "{email} {path}");
            page.assert_contains("Geen toegang");
        }
        for path in ADMIN_ACTIONS {
            assert_eq!(app.post(path, &[]).await.status, 403, "{email} {path}");
        }
    }

    // Administrators get in.
    app.new_browser();
    app.login_as("beheer@coalitie.nl").await;
    app.get("/").await.assert_contains(r#"href="/beheer""#);
    for path in ADMIN_PAGES {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn administrator_manages_practices() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    app.login_as("beheer@coalitie.nl").await;

    // Bad input comes back with messages and the typed values.
    let bad = app
        .post(
            "/beheer/praktijken/nieuw",
            &[
                ("slug", "Mantel Zorg!"),
                ("name_nl", "Mantelzorg"),
                ("name_en", ""),
                ("description_nl", "Over mantelzorgers die alleen staan."),
                ("description_en", "About carers who stand alone."),
                ("default_visibility", "geheim"),
            ],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("Gebruik alleen kleine letters")
        .assert_contains("Vul dit veld in.")
        .assert_contains("Maak een keuze.")
        .assert_contains(r#"value="Mantelzorg""#)
        .assert_contains("Over mantelzorgers die alleen staan.");
    let mut twice = vec![
        ("slug", "jongeren"),
        ("name_nl", "Nog eens jongeren"),
        ("name_en", "Youth again"),
        ("description_nl", "Dubbel."),
        ("description_en", "Double."),
        ("default_visibility", "public"),
    ];
    // Public as a practice's default only after the warning was ticked.
    app.post("/beheer/praktijken/nieuw", &twice)
        .await
        .assert_status(422)
        .assert_contains("Vink aan dat je begrijpt wat openbaar betekent");
    twice.push(("public_ok", "1"));
    app.post("/beheer/praktijken/nieuw", &twice)
        .await
        .assert_status(422)
        .assert_contains("Dit webadres is al in gebruik.");

    let created = app
        .post(
            "/beheer/praktijken/nieuw",
            &[
                ("slug", "mantelzorg"),
                ("name_nl", "Mantelzorg"),
                ("name_en", "Carers"),
                ("description_nl", "Over mantelzorgers die alleen staan."),
                ("description_en", "About carers who stand alone."),
                ("default_visibility", "members"),
            ],
        )
        .await;
    created.assert_status(303);
    app.get("/praktijken/mantelzorg")
        .await
        .assert_status(200)
        .assert_contains("Over mantelzorgers");
    app.get("/").await.assert_contains("Mantelzorg");

    // Rename.
    let id = practice_id(&app, "mantelzorg").await;
    app.get(&format!("/beheer/praktijken/{id}"))
        .await
        .assert_contains(r#"value="mantelzorg""#);
    app.post(
        &format!("/beheer/praktijken/{id}"),
        &[
            ("slug", "mantelzorgers"),
            ("name_nl", "Mantelzorgers"),
            ("name_en", "Carers"),
            ("description_nl", "Over mantelzorgers die alleen staan."),
            ("description_en", "About carers who stand alone."),
            ("default_visibility", "members"),
        ],
    )
    .await
    .assert_status(303);
    app.get("/praktijken/mantelzorg").await.assert_status(404);
    app.get("/praktijken/mantelzorgers")
        .await
        .assert_status(200);

    // Reorder: move it up one place, before Zingeving.
    app.post(
        &format!("/beheer/praktijken/{id}/verplaatsen"),
        &[("direction", "up")],
    )
    .await
    .assert_status(303);
    let order: Vec<String> = erbij::practices::active_practices(&app.state.db)
        .await
        .expect("query")
        .into_iter()
        .map(|p| p.slug)
        .collect();
    assert_eq!(
        order,
        [
            "migranten",
            "jongeren",
            "typologieen",
            "netwerkversterking",
            "mantelzorgers",
            "zingeving"
        ]
    );
    let home = app.get("/").await;
    let at = |slug: &str| {
        home.body
            .find(&format!("/praktijken/{slug}\""))
            .expect(slug)
    };
    assert!(at("mantelzorgers") < at("zingeving"));

    // Archive: readable, marked, off the home page; and back.
    app.post(&format!("/beheer/praktijken/{id}/archiveren"), &[])
        .await
        .assert_status(303);
    app.get("/praktijken/mantelzorgers")
        .await
        .assert_contains("Deze praktijk is afgesloten");
    app.get("/")
        .await
        .assert_lacks("/praktijken/mantelzorgers\"");
    app.post(&format!("/beheer/praktijken/{id}/archiveren"), &[])
        .await
        .assert_status(303);
    app.get("/")
        .await
        .assert_contains("/praktijken/mantelzorgers\"");

    let log = app.get("/beheer/logboek").await;
    for entry in [
        "Praktijk toegevoegd",
        "Praktijk gewijzigd",
        "Praktijk verplaatst",
        "Praktijk gearchiveerd",
        "Praktijk heropend",
    ] {
        log.assert_contains(entry);
    }
    log.assert_contains("Ahmed Bakkali");
}

#[tokio::test]
async fn administrator_assigns_roles_but_cannot_lock_themself_out() {
    let mut app = TestApp::new().await;
    let admin = app.admin("beheer@coalitie.nl").await;
    let member = app.member("lid@coalitie.nl").await;
    let jongeren = practice_id(&app, "jongeren").await;
    let zingeving = practice_id(&app, "zingeving").await;
    app.login_as("beheer@coalitie.nl").await;
    app.get("/beheer/mensen")
        .await
        .assert_contains("Marieke de Vries")
        .assert_contains("Beheerder");

    let (j, z) = (jongeren.to_string(), zingeving.to_string());
    app.post(
        &format!("/beheer/mensen/{}", member.id),
        &[("is_expert", "1"), ("member", &z), ("facilitator", &j)],
    )
    .await
    .assert_status(303);
    let stored = user::Entity::find_by_id(member.id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("user");
    assert!(stored.is_expert && !stored.is_admin);
    let roles: Vec<(i32, membership::Role)> = membership::Entity::find()
        .filter(membership::Column::UserId.eq(member.id))
        .order_by_asc(membership::Column::PracticeId)
        .all(&app.state.db)
        .await
        .expect("query")
        .into_iter()
        .map(|m| (m.practice_id, m.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            (jongeren, membership::Role::Facilitator),
            (zingeving, membership::Role::Member)
        ]
    );
    app.get("/beheer/mensen")
        .await
        .assert_contains("Lid, Aanjager, Expertgroep");
    app.get("/beheer/logboek")
        .await
        .assert_contains("Rollen gewijzigd");

    // Unknown practice ids are ignored, not stored.
    app.post(
        &format!("/beheer/mensen/{}", member.id),
        &[("member", "9999")],
    )
    .await
    .assert_status(303);

    // The administrator cannot drop their own rights or block themself.
    app.post(&format!("/beheer/mensen/{}", admin.id), &[])
        .await
        .assert_status(422)
        .assert_contains("Je kunt jezelf niet blokkeren");
    app.post(
        &format!("/beheer/mensen/{}", admin.id),
        &[("is_admin", "1"), ("disabled", "1")],
    )
    .await
    .assert_status(422);

    // Blocking a member signs them out everywhere.
    let mut other = app.second_browser();
    other.login_as("lid@coalitie.nl").await;
    app.post(
        &format!("/beheer/mensen/{}", member.id),
        &[("disabled", "1")],
    )
    .await
    .assert_status(303);
    other.get("/profiel").await.assert_status(303);
    other
        .post(
            "/inloggen",
            &[
                ("email", "lid@coalitie.nl"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .await
        .assert_status(422);
}

#[tokio::test]
async fn the_last_administrator_stays_an_administrator() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    let second = app
        .person("tweede@coalitie.nl", "Tweede Beheerder", true, false)
        .await;
    app.login_as("beheer@coalitie.nl").await;
    // With two administrators, one may step down...
    app.post(&format!("/beheer/mensen/{}", second.id), &[])
        .await
        .assert_status(303);
    // ...and it is then no longer possible to remove the last (here: via the other account).
    let mut other = app.second_browser();
    let first = user::Entity::find()
        .filter(user::Column::Email.eq("beheer@coalitie.nl"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("admin");
    sea_orm::ActiveModelTrait::update(
        user::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(second.id),
            is_admin: sea_orm::ActiveValue::Set(true),
            ..Default::default()
        },
        &app.state.db,
    )
    .await
    .expect("promote");
    other.login_as("tweede@coalitie.nl").await;
    other
        .post(&format!("/beheer/mensen/{}", first.id), &[])
        .await
        .assert_status(303);
    app.post(&format!("/beheer/mensen/{}", second.id), &[])
        .await
        .assert_status(403);
    other
        .post(
            &format!("/beheer/mensen/{}", first.id),
            &[("is_admin", "1")],
        )
        .await
        .assert_status(303);
}

#[tokio::test]
async fn administrator_invites_someone_by_email() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    app.member("lid@coalitie.nl").await;
    app.login_as("beheer@coalitie.nl").await;

    app.post(
        "/beheer/uitnodigen",
        &[
            ("name", "Lid"),
            ("email", "LID@coalitie.nl"),
            ("organisation", "X"),
            ("job", "Y"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Er bestaat al een account met dit e-mailadres.");
    let sent = app
        .post(
            "/beheer/uitnodigen",
            &[
                ("name", "Sam Rivera"),
                ("email", "sam@jongerenwerk.nl"),
                ("organisation", "Jongerenwerk"),
                ("job", "Jongerenwerker"),
                ("lang", "en"),
            ],
        )
        .await;
    app.follow(sent)
        .await
        .assert_contains("De uitnodiging is verstuurd.");
    let mail = app.mail("sam@jongerenwerk.nl", "Invitation to Erbij").await;
    assert!(mail.text.contains("Ahmed Bakkali invites you"));
    let path = mail.path(&app.base(), "/wachtwoord-instellen/");
    let mut sam = app.second_browser();
    sam.post(
        &path,
        &[
            ("password", "zomer-Avond-aan-de-Maas"),
            ("password_confirm", "zomer-Avond-aan-de-Maas"),
        ],
    )
    .await
    .assert_status(303);
    sam.get("/profiel")
        .await
        .assert_status(200)
        .assert_contains("Jongerenwerk");
    app.get("/beheer/logboek")
        .await
        .assert_contains("Uitgenodigd");
}

#[tokio::test]
async fn rejected_applicant_gets_a_polite_mail() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    app.headers.push(("accept-language".into(), "en".into()));
    app.post(
        "/word-lid",
        &[
            ("name", "Piet"),
            ("email", "piet@example.org"),
            ("organisation", "-"),
            ("job", "-"),
            ("motivation", "spam"),
        ],
    )
    .await
    .assert_status(200);
    app.headers.clear();
    let id = erbij::entities::application::Entity::find()
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("application")
        .id;
    app.login_as("beheer@coalitie.nl").await;
    app.post(&format!("/beheer/aanmeldingen/{id}/afwijzen"), &[])
        .await
        .assert_status(303);
    let mail = app.mail("piet@example.org", "About your application").await;
    assert!(mail.text.contains("unable to approve"));
    // Deciding twice is not possible.
    app.post(&format!("/beheer/aanmeldingen/{id}/goedkeuren"), &[])
        .await
        .assert_status(404);
    assert!(
        user::Entity::find()
            .filter(user::Column::Email.eq("piet@example.org"))
            .one(&app.state.db)
            .await
            .expect("q")
            .is_none()
    );
}
