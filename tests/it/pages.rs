//! What a visitor sees: home, practices, languages, friendly errors.

use crate::helpers::TestApp;

#[tokio::test]
async fn visitor_finds_the_community_and_its_practices_in_dutch() {
    let mut app = TestApp::new().await;
    let home = app.get("/").await;
    home.assert_status(200)
        .assert_contains(r#"<html lang="nl">"#)
        .assert_contains("Samen leren over eenzaamheid")
        .assert_contains(r#"href="/praktijken/migranten""#)
        .assert_contains(r#"href="/praktijken/zingeving""#)
        .assert_contains(r#"href="/word-lid""#)
        // The archived practice is history, not an invitation.
        .assert_lacks("Huisbezoeken 75+");
    for landmark in ["<header", "<main", "<footer", "<nav", r##"href="#main""##] {
        home.assert_contains(landmark);
    }
    assert_eq!(home.body.matches("<h1").count(), 1);

    let list = app.get("/praktijken").await;
    list.assert_status(200)
        .assert_contains("Huisbezoeken 75+")
        .assert_contains("Archief")
        .assert_contains("Informele netwerkversterking")
        .assert_lacks("Expertgroep</a>");

    let archived = app.get("/praktijken/huisbezoeken-75").await;
    archived
        .assert_status(200)
        .assert_contains("Deze praktijk is afgesloten");
    assert!(archived.title().starts_with("Huisbezoeken 75+"));

    let jongeren = app.get("/praktijken/jongeren").await;
    jongeren
        .assert_status(200)
        .assert_contains("Er zijn hier nog geen onderwerpen")
        .assert_lacks("Deze praktijk is afgesloten");
}

#[tokio::test]
async fn the_expert_area_is_not_a_public_practice() {
    let mut app = TestApp::new().await;
    app.get("/praktijken/expertgroep").await.assert_status(404);
}

#[tokio::test]
async fn unknown_pages_get_a_friendly_page_in_the_visitors_language() {
    let mut app = TestApp::new().await;
    let page = app.get("/bestaat-niet").await;
    page.assert_status(404)
        .assert_contains("Deze pagina bestaat niet")
        .assert_contains(r#"href="/""#);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html")
    );

    app.headers
        .push(("accept-language".into(), "en-GB,en;q=0.9".into()));
    let page = app.get("/praktijken/onbekend").await;
    page.assert_status(404)
        .assert_contains(r#"<html lang="en">"#)
        .assert_contains("This page does not exist");
}

#[tokio::test]
async fn language_follows_the_browser_then_the_visitors_choice() {
    let mut app = TestApp::new().await;
    app.headers
        .push(("accept-language".into(), "en-US,en;q=0.8".into()));
    app.get("/")
        .await
        .assert_contains(r#"<html lang="en">"#)
        .assert_contains("Learning together about loneliness");

    let switched = app
        .get(&format!(
            "/taal/nl?{}",
            serde_html_form::to_string([("terug", "/praktijken")]).unwrap()
        ))
        .await;
    switched.assert_status(303);
    assert_eq!(switched.location(), "/praktijken");
    app.get("/praktijken")
        .await
        .assert_contains(r#"<html lang="nl">"#)
        .assert_contains("Lerende praktijken");

    app.get(&format!(
        "/taal/en?{}",
        serde_html_form::to_string([("terug", "/")]).unwrap()
    ))
    .await;
    app.get("/").await.assert_contains("Become a member");
}

#[tokio::test]
async fn the_language_switch_never_redirects_off_the_site() {
    let mut app = TestApp::new().await;
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "",
    ] {
        let page = app
            .get(&format!(
                "/taal/en?{}",
                serde_html_form::to_string([("terug", next)]).unwrap()
            ))
            .await;
        assert_eq!(page.location(), "/", "next={next}");
    }
}

#[tokio::test]
async fn the_stylesheet_is_cached_for_a_year_under_its_hash() {
    let mut app = TestApp::new().await;
    let home = app.get("/").await;
    let href = home
        .body
        .split(r#"rel="stylesheet" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet link")
        .to_string();
    assert!(
        href.starts_with("/assets/style-") && href.ends_with(".css"),
        "{href}"
    );
    let css = app.get(&href).await;
    css.assert_status(200).assert_contains(":focus-visible");
    assert_eq!(
        css.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    app.get("/assets/style-000000000000.css")
        .await
        .assert_status(404);
}

#[tokio::test]
async fn health_check_answers_when_the_database_does() {
    let mut app = TestApp::new().await;
    let page = app.get("/healthz").await;
    page.assert_status(200);
    assert_eq!(page.body, "ok");
}

#[tokio::test]
async fn seeding_adds_what_is_absent_and_keeps_administrators_edits() {
    use erbij::entities::practice;
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    };

    let mut app = TestApp::new().await;
    let db = &app.state.db;
    let jongeren = practice::Entity::find()
        .filter(practice::Column::Slug.eq("jongeren"))
        .one(db)
        .await
        .expect("query")
        .expect("seeded");
    let mut edit = jongeren.into_active_model();
    edit.name_nl = Set("Jongeren en eenzaamheid".into());
    edit.update(db).await.expect("update");

    erbij::db::seed(db).await.expect("seeding again works");
    erbij::db::migrate(db).await.expect("migrating again works");

    let practices = practice::Entity::find().all(db).await.expect("query");
    assert_eq!(
        practices.len(),
        7,
        "six practices and the expert group, once each"
    );
    assert_eq!(
        practices
            .iter()
            .filter(|p| p.kind == practice::Kind::Expert)
            .count(),
        1
    );
    app.get("/")
        .await
        .assert_contains("Jongeren en eenzaamheid");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let app = TestApp::new().await;
    if app.state.db.get_database_backend() != DatabaseBackend::Sqlite {
        return; // This property is SQLite's own; PostgreSQL needs no such settings.
    }
    let pragma = |sql: &str| Statement::from_string(DatabaseBackend::Sqlite, sql.to_owned());
    let mode = app
        .state
        .db
        .query_one_raw(pragma("PRAGMA journal_mode"))
        .await
        .expect("q")
        .expect("row");
    assert_eq!(mode.try_get_by_index::<String>(0).expect("text"), "wal");
    let fk = app
        .state
        .db
        .query_one_raw(pragma("PRAGMA foreign_keys"))
        .await
        .expect("q")
        .expect("row");
    assert_eq!(fk.try_get_by_index::<i32>(0).expect("int"), 1);
}
