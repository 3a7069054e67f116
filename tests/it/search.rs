//! Search: Dutch as people type it, every role finding exactly what it may read, the index
//! following every write at once, odd input never failing, and the page's filters, order,
//! pages, snippets, similar and related threads. (The rule table in `visibility.rs` also
//! reads every search surface as every role.)

use crate::helpers::TestApp;

/// Anouk (member of Zingeving and Jongeren), Fenna (facilitator of Zingeving) and a visitor.
async fn community() -> (TestApp, TestApp, TestApp) {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let mut anouk = TestApp::new().await;
    anouk
        .person("anouk@buurtkracht.nl", "Anouk de Vries", false, false)
        .await;
    anouk.login_as("anouk@buurtkracht.nl").await;
    anouk.join("zingeving").await;
    anouk.join("jongeren").await;
    let mut fenna = anouk.second_browser();
    let f = fenna
        .person("fenna@welzijn.nl", "Fenna Jansen", false, false)
        .await;
    fenna.login_as("fenna@welzijn.nl").await;
    fenna.make_facilitator(f.id, "zingeving").await;
    let visitor = anouk.second_browser();
    (anouk, fenna, visitor)
}

fn search(q: &str) -> String {
    format!("/zoeken?q={}", erbij::error::urlencode(q))
}

#[tokio::test]
async fn dutch_words_are_found_inflected_without_accents_and_in_any_case() {
    let (mut anouk, _, mut visitor) = community().await;
    let thread = anouk
        .start_thread(
            "zingeving",
            "Huisbezoeken bij eenzame ouderen",
            "De coördinator van de vrijwilligers regelt financiële steun. \
             We volunteered at the visiting service.",
            "public",
        )
        .await;
    for q in [
        "huisbezoek",
        "HUISBEZOEKEN",
        "eenzaamheid",
        "eenzaam",
        "coordinator",
        "financiele",
        "vrijwilliger",
        "volunteer",
        "visit",
        "eenza*",
        "\"eenzame ouderen\"",
    ] {
        let page = visitor.get(&search(q)).await;
        page.assert_status(200)
            .assert_contains("1 resultaat")
            .assert_contains(&format!(r#"<a href="/onderwerpen/{thread}#bericht-"#));
    }
    // The words are marked where they stand, in the title too, accents and all.
    visitor
        .get(&search("huisbezoek"))
        .await
        .assert_contains("<mark>Huisbezoeken</mark> bij eenzame ouderen");
    visitor
        .get(&search("coordinator financiele"))
        .await
        .assert_contains("<mark>coördinator</mark>")
        .assert_contains("<mark>financiële</mark>");
    // A phrase must be those words in that order; an excluded word leaves a result out.
    visitor
        .get(&search("\"ouderen eenzame\""))
        .await
        .assert_contains("0 resultaten");
    visitor
        .get(&search("huisbezoek -coordinator"))
        .await
        .assert_contains("0 resultaten");
    visitor
        .get(&search("huisbezoek -jongeren"))
        .await
        .assert_contains("1 resultaat");
}

#[tokio::test]
async fn titles_rank_above_text_and_summaries_above_threads_then_the_newest() {
    let (mut anouk, _, mut visitor) = community().await;
    let in_title = anouk
        .start_thread(
            "zingeving",
            "Tolken in de wijk",
            "Hoe regel je dat?",
            "public",
        )
        .await;
    let in_text = anouk
        .start_thread("zingeving", "Vraag", "Wie kent goede tolken?", "public")
        .await;
    let newer_in_title = anouk
        .start_thread("jongeren", "Tolken voor jongeren", "Ook hier.", "public")
        .await;
    let page = visitor.get(&search("tolk")).await;
    page.assert_contains("3 resultaten");
    let at = |id: i32| {
        page.body
            .find(&format!("/onderwerpen/{id}#"))
            .unwrap_or_else(|| panic!("thread {id} in {}", page.body))
    };
    assert!(
        at(newer_in_title) < at(in_title),
        "newest first among titles"
    );
    assert!(at(in_title) < at(in_text), "a title above the text");
}

#[tokio::test]
async fn hiding_restoring_moving_and_changing_the_audience_show_in_search_at_once() {
    let (mut anouk, mut fenna, mut visitor) = community().await;
    let thread = anouk
        .start_thread("zingeving", "Wandelgroep", "Over de Kraanvogel8.", "public")
        .await;
    anouk
        .reply_to(thread, "Mijn buurman Stern8 woont alleen.")
        .await
        .assert_status(303);
    visitor
        .get(&search("stern8"))
        .await
        .assert_contains("1 resultaat")
        .assert_contains("<mark>Stern8</mark>");
    let reply = erbij_post_with(&anouk, "Stern8").await;

    // Hidden: nobody finds it any more, not even its author or the facilitator (search
    // shows what every reader of the thread may read); the count says so too.
    fenna
        .post(
            &format!("/berichten/{reply}/verbergen"),
            &[("reason", "Herleidbaar.")],
        )
        .await
        .assert_status(303);
    for who in [&mut visitor, &mut anouk, &mut fenna] {
        who.get(&search("stern8"))
            .await
            .assert_contains("0 resultaten")
            .assert_lacks("Stern8");
    }
    fenna
        .post(&format!("/berichten/{reply}/herstellen"), &[])
        .await
        .assert_status(303);
    visitor
        .get(&search("stern8"))
        .await
        .assert_contains("1 resultaat");

    // Members only: gone for visitors, there for members.
    anouk
        .post(
            &format!("/onderwerpen/{thread}/zichtbaarheid"),
            &[("visibility", "members")],
        )
        .await
        .assert_status(303);
    visitor
        .get(&search("kraanvogel8"))
        .await
        .assert_contains("0 resultaten")
        .assert_lacks("Wandelgroep");
    anouk
        .get(&search("kraanvogel8"))
        .await
        .assert_contains("1 resultaat");

    // Moved to Jongeren: found there, no longer in Zingeving.
    fenna
        .post(
            &format!("/onderwerpen/{thread}/verplaatsen"),
            &[("practice", "jongeren")],
        )
        .await
        .assert_status(303);
    anouk
        .get("/zoeken?q=kraanvogel8&praktijk=jongeren")
        .await
        .assert_contains("1 resultaat")
        .assert_contains("Jongeren");
    anouk
        .get("/zoeken?q=kraanvogel8&praktijk=zingeving")
        .await
        .assert_contains("0 resultaten");

    // Removed by its author: found by nobody, and the edit before it left no trace.
    anouk
        .post(
            &format!("/berichten/{reply}/bewerken"),
            &[("body", "Nu over Zwaluw8."), ("action", "post")],
        )
        .await
        .assert_status(303);
    anouk
        .get(&search("stern8"))
        .await
        .assert_contains("0 resultaten");
    anouk
        .get(&search("zwaluw8"))
        .await
        .assert_contains("1 resultaat");
    anouk
        .post(&format!("/berichten/{reply}/verwijderen"), &[])
        .await
        .assert_status(303);
    anouk
        .get(&search("zwaluw8"))
        .await
        .assert_contains("0 resultaten");
}

async fn erbij_post_with(app: &TestApp, marker: &str) -> i32 {
    use erbij::entities::post;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    post::Entity::find()
        .filter(post::Column::Body.contains(marker))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("the post")
        .id
}

#[tokio::test]
async fn no_query_however_odd_gives_an_error_page() {
    let (mut anouk, _, mut visitor) = community().await;
    anouk
        .start_thread("zingeving", "Koffie", "Koffie en een praatje.", "public")
        .await;
    let long = "koffie ".repeat(1_500);
    let odd = [
        "\"",
        "AND (",
        "*",
        "-",
        "--koffie",
        "koffie NOT",
        "NEAR(koffie praatje)",
        "title_nl:koffie",
        "{title_nl}: koffie",
        "'; DROP TABLE posts; --",
        "\\",
        "%_%",
        "koffie\u{0}\u{1}\u{7f}",
        "\u{202e}eiffok",
        "☕ koffie 😀",
        "k*",
        "\"koffie",
        "(((((",
        "a:b:c ^ ~ @ # $ & | !",
        long.as_str(),
    ];
    for q in odd {
        let page = visitor.get(&search(q)).await;
        assert_eq!(page.status.as_u16(), 200, "{q:.40}: {}", page.body);
    }
    // Exclusions only, or punctuation only: a clear message, no error.
    visitor
        .get(&search("-koffie"))
        .await
        .assert_contains("Typ een of meer woorden");
    // Odd parameters are ignored, not refused.
    for path in [
        "/zoeken?q=koffie&pagina=-1",
        "/zoeken?q=koffie&pagina=99999999999999999999999",
        "/zoeken?q=koffie&q=praatje&soort=%FF&periode[]=x",
        "/zoeken?q=%E2%80%AEkoffie&praktijk=bestaat-niet&sorteer=x",
        "/zoeken?q=koffie&auteur=%25",
        "/zoeken?%ZZ",
        "/zoeken/vergelijkbaar?titel=%00%22AND%20(",
    ] {
        let page = visitor.get(path).await;
        assert_eq!(page.status.as_u16(), 200, "{path}: {}", page.body);
    }
    // The query is kept in the box, escaped.
    visitor
        .get(&search("<b>koffie</b>"))
        .await
        .assert_contains(r#"value="&lt;b&gt;koffie&lt;/b&gt;""#)
        .assert_lacks("<b>koffie</b>");
}

#[tokio::test]
async fn a_highlight_never_becomes_markup() {
    let (mut anouk, _, mut visitor) = community().await;
    anouk
        .start_thread(
            "zingeving",
            "Opmaak",
            "Let op: <img src=x onerror=alert(1)> `<mark>eenzaam</mark>` en <script>x</script> eenzaam.",
            "public",
        )
        .await;
    let page = visitor.get(&search("eenzaam")).await;
    page.assert_contains("1 resultaat")
        .assert_lacks("<img src=x")
        .assert_lacks("<script>x")
        .assert_contains("&lt;mark&gt;eenzaam&lt;/mark&gt;");
}

#[tokio::test]
async fn filters_order_and_pages() {
    let (mut anouk, _, mut visitor) = community().await;
    for n in 1..=23 {
        let practice = if n % 2 == 0 { "jongeren" } else { "zingeving" };
        anouk
            .start_thread(
                practice,
                &format!("Buurtmaaltijd {n}"),
                &format!("Aflevering {n} van de buurtmaaltijd."),
                "public",
            )
            .await;
    }
    let first = visitor.get("/zoeken?q=buurtmaaltijd").await;
    first
        .assert_contains("23 resultaten")
        .assert_contains(r#"rel="next""#);
    assert_eq!(first.body.matches(r#"<li class="result">"#).count(), 20);
    let second = visitor.get("/zoeken?q=buurtmaaltijd&pagina=2").await;
    assert_eq!(second.body.matches(r#"<li class="result">"#).count(), 3);
    // Newest first: the last one written leads.
    let newest = visitor.get("/zoeken?q=buurtmaaltijd&sorteer=nieuw").await;
    let at = |page: &str, needle: &str| page.find(needle).expect(needle);
    assert!(at(&newest.body, "</mark> 23<") < at(&newest.body, "</mark> 22<"));
    // One practice, one kind, one author, one period.
    visitor
        .get("/zoeken?q=buurtmaaltijd&praktijk=jongeren")
        .await
        .assert_contains("11 resultaten");
    visitor
        .get("/zoeken?q=buurtmaaltijd&soort=kennisbundels")
        .await
        .assert_contains("0 resultaten");
    visitor
        .get("/zoeken?q=buurtmaaltijd&auteur=anouk")
        .await
        .assert_contains("23 resultaten");
    visitor
        .get("/zoeken?q=buurtmaaltijd&auteur=fenna")
        .await
        .assert_contains("0 resultaten");
    visitor
        .get("/zoeken?q=buurtmaaltijd&periode=week")
        .await
        .assert_contains("23 resultaten");
    // The filters stay set on the next page.
    first.assert_contains("/zoeken?q=buurtmaaltijd&amp;pagina=2");
}

#[tokio::test]
async fn a_search_page_costs_the_same_number_of_queries_for_one_result_or_twenty() {
    let (mut anouk, _, _) = community().await;
    anouk
        .start_thread("zingeving", "Eenling", "Alleen Mus9.", "public")
        .await;
    for n in 0..25 {
        anouk
            .start_thread("jongeren", &format!("Veel {n}"), "Over Vink9.", "public")
            .await;
    }
    let (one, few) = anouk.get_counting("/zoeken?q=mus9").await;
    one.assert_contains("1 resultaat");
    let (many, lots) = anouk.get_counting("/zoeken?q=vink9").await;
    many.assert_contains("25 resultaten");
    assert_eq!(few, lots, "queries for 1 result vs 20 on a page");
}

#[tokio::test]
async fn similar_threads_while_starting_one_and_related_threads_under_one() {
    let (mut anouk, _, mut visitor) = community().await;
    let first = anouk
        .start_thread(
            "zingeving",
            "Eenzaamheid bij mantelzorgers",
            "Mantelzorgers raken vaak zelf alleen.",
            "public",
        )
        .await;
    anouk
        .start_thread(
            "jongeren",
            "Mantelzorgers onder jongeren",
            "Jonge mantelzorgers zien we te laat.",
            "members",
        )
        .await;
    // Without JavaScript: the button shows the list and keeps what was typed.
    let form = anouk
        .post_multipart(
            "/praktijken/zingeving/nieuw",
            &[
                ("title", "Hoe help je eenzame mantelzorgers?"),
                ("body", "Mijn halve tekst"),
                ("visibility", "members"),
                ("action", "similar"),
            ],
            &[],
        )
        .await;
    form.assert_status(200)
        .assert_contains("Hier is al over gepraat")
        .assert_contains("Eenzaamheid bij mantelzorgers")
        .assert_contains("Mantelzorgers onder jongeren")
        .assert_contains("Mijn halve tekst")
        .assert_contains(r#"value="Hoe help je eenzame mantelzorgers?""#);
    // The fragment a script fetches, as a visitor: only what a visitor may read.
    visitor
        .get("/zoeken/vergelijkbaar?titel=mantelzorgers")
        .await
        .assert_contains("Eenzaamheid bij mantelzorgers")
        .assert_lacks("Mantelzorgers onder jongeren");
    // Related under a thread: others like it, never itself, never what the reader may not read.
    let page = visitor.get(&format!("/onderwerpen/{first}")).await;
    page.assert_lacks("Gerelateerd");
    let page = anouk.get(&format!("/onderwerpen/{first}")).await;
    page.assert_contains("Gerelateerd")
        .assert_contains("Mantelzorgers onder jongeren");
    assert_eq!(
        page.body.matches("Eenzaamheid bij mantelzorgers").count(),
        2
    );
}

#[tokio::test]
async fn every_page_has_a_search_box_and_browsers_can_add_erbij() {
    let (mut anouk, _, mut visitor) = community().await;
    for path in [
        "/",
        "/praktijken",
        "/kennisbundels",
        "/privacy",
        "/onbekend",
    ] {
        visitor
            .get(path)
            .await
            .assert_contains(
                r#"<form class="site-search" role="search" method="get" action="/zoeken">"#,
            )
            .assert_contains(r#"rel="search" type="application/opensearchdescription+xml""#);
    }
    anouk
        .get("/praktijken/zingeving")
        .await
        .assert_contains(r#"name="praktijk" value="zingeving""#);
    let (status, headers, body) = visitor.get_bytes("/opensearch.xml").await;
    assert_eq!(status.as_u16(), 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/opensearchdescription+xml")
    );
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("/zoeken?q={searchTerms}"), "{body}");
    // The script that lists similar threads while a title is typed: one file of our own,
    // cached for a year under its content's name (the CSP allows no inline script).
    let form = anouk.get("/praktijken/zingeving/nieuw").await;
    form.assert_contains(r#"data-similar-for="title" data-similar-url="/zoeken/vergelijkbaar""#);
    let script = form
        .body
        .split(r#"<script src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a script")
        .to_string();
    assert!(
        script.starts_with("/assets/search-") && script.ends_with(".js"),
        "{script}"
    );
    let (status, headers, body) = visitor.get_bytes(&script).await;
    assert_eq!(status.as_u16(), 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("data-similar-url")
    );
    // In English too.
    visitor
        .get(&format!(
            "/taal/en?{}",
            serde_html_form::to_string([("terug", "/")]).unwrap()
        ))
        .await;
    visitor
        .get("/zoeken?q=niets")
        .await
        .assert_contains("0 results")
        .assert_contains("Search Erbij");
}

#[tokio::test]
async fn a_site_from_before_search_gets_its_index_built_at_start() {
    use erbij::entities::search_doc;
    use sea_orm::EntityTrait;
    let (mut anouk, _, mut visitor) = community().await;
    anouk
        .start_thread("zingeving", "Oud onderwerp", "Over de Grutto8.", "public")
        .await;
    // As before search existed: no entries, and no record of a build.
    let db = &anouk.state.db;
    search_doc::Entity::delete_many().exec(db).await.unwrap();
    if sea_orm::ConnectionTrait::get_database_backend(db) == sea_orm::DatabaseBackend::Sqlite {
        sea_orm::ConnectionTrait::execute_unprepared(
            db,
            "INSERT INTO search_fts(search_fts) VALUES('delete-all')",
        )
        .await
        .unwrap();
    }
    sea_orm::ConnectionTrait::execute_unprepared(db, "DELETE FROM search_meta")
        .await
        .unwrap();
    visitor
        .get(&search("grutto8"))
        .await
        .assert_contains("0 resultaten");
    erbij::search::index::build_if_needed(db).await.unwrap();
    visitor
        .get(&search("grutto8"))
        .await
        .assert_contains("1 resultaat");
    assert_eq!(
        erbij::search::index::built_version(db).await.unwrap(),
        Some(erbij::search::index::VERSION)
    );
}

/// Ten Dutch queries over the demo site: their first three results, as a visitor finds them.
async fn first_three(app: &TestApp) -> Vec<(&'static str, Vec<erbij::search::engine::Target>)> {
    use erbij::search::{engine, query::Query};
    const QUERIES: [&str; 10] = [
        "huisbezoek",
        "maatjesproject",
        "eenzaamheid",
        "vrijwilligers vasthouden",
        "mantelzorgers",
        "samenwerken huisarts",
        "buurtmaaltijd",
        "wandelgroep",
        "\"digitale contacten\"",
        "jongeren -school",
    ];
    let db = &app.state.db;
    erbij::demo::seed(db, &indicatif::ProgressBar::hidden())
        .await
        .expect("demo");
    erbij::search::index::reindex(db, &indicatif::ProgressBar::hidden())
        .await
        .expect("reindex");
    let mut tops = Vec::new();
    for q in QUERIES {
        let found = engine::find(
            db,
            erbij::visibility::Reader::Visitor,
            &Query::parse(q),
            &engine::Filters::default(),
            engine::Order::Relevance,
            0,
            3,
        )
        .await
        .expect("search");
        assert_eq!(found.hits.len(), 3, "{q}: {found:?}");
        tops.push((q, found.hits.iter().map(|h| h.target).collect()));
    }
    tops
}

/// Both databases rank alike: the same first three for ten Dutch queries over the demo
/// site. `.ci/run` runs this with PostgreSQL (ERBIJ_TEST_DATABASE_URL set) and compares it
/// with SQLite; a run on SQLite alone checks the queries find at least three each.
#[tokio::test]
async fn sqlite_and_postgresql_rank_ten_dutch_queries_alike() {
    let sqlite = TestApp::with_settings(|s| {
        s.database_url = format!(
            "sqlite://{}?mode=rwc",
            s.data_dir.join("ranking.db").display()
        );
    })
    .await;
    assert_eq!(
        sqlite.state.db.get_database_backend(),
        sea_orm::DatabaseBackend::Sqlite
    );
    let on_sqlite = first_three(&sqlite).await;
    if std::env::var("ERBIJ_TEST_DATABASE_URL").is_ok() {
        let postgres = TestApp::new().await;
        assert_eq!(
            postgres.state.db.get_database_backend(),
            sea_orm::DatabaseBackend::Postgres
        );
        let on_postgres = first_three(&postgres).await;
        for ((q, a), (_, b)) in on_sqlite.iter().zip(&on_postgres) {
            assert_eq!(a, b, "{q}: SQLite {a:?}, PostgreSQL {b:?}");
        }
    }
}

/// Leaving with one's posts removed takes them out of search in the same step; leaving
/// with them kept leaves them findable, under "oud-lid" and not under the old name.
#[tokio::test]
async fn a_deleted_account_is_found_as_it_chose() {
    let (mut anouk, mut fenna, mut visitor) = community().await;
    anouk
        .start_thread("zingeving", "Anouks vraag", "Over de Tureluur8.", "public")
        .await;
    fenna.join("zingeving").await;
    fenna
        .start_thread("zingeving", "Fenna's vraag", "Over de Kluut8.", "public")
        .await;
    visitor
        .get("/zoeken?q=tureluur8&auteur=anouk")
        .await
        .assert_contains("1 resultaat");
    for (who, choice) in [(&mut anouk, "verwijderen"), (&mut fenna, "bewaren")] {
        who.post(
            "/profiel/verwijderen",
            &[
                ("posts", choice),
                ("current_password", crate::helpers::PASSWORD),
            ],
        )
        .await
        .assert_status(200)
        .assert_contains("Je account is verwijderd");
    }
    visitor
        .get(&search("tureluur8"))
        .await
        .assert_contains("0 resultaten");
    visitor
        .get(&search("kluut8"))
        .await
        .assert_contains("1 resultaat")
        .assert_contains("oud-lid")
        .assert_lacks("Fenna Jansen");
    visitor
        .get("/zoeken?q=kluut8&auteur=fenna")
        .await
        .assert_contains("0 resultaten");
}
