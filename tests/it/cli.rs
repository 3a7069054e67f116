//! The `erbij` command as an operator uses it.

use std::process::Command;

fn erbij(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_erbij"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SMTP_URL")
        .env("ERBIJ_DATA_DIR", dir.join("data"))
        .output()
        .expect("the binary runs")
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "admin"] {
        assert!(text.contains(command), "{command} in:\n{text}");
    }
}

#[test]
fn migrate_is_idempotent_and_admin_create_prints_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    for _ in 0..2 {
        let out = erbij(dir.path(), &["migrate"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("data/erbij.db").exists());

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "Beheer@Coalitie.nl"],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("beheer@coalitie.nl is an administrator"),
        "{said}"
    );
    assert!(
        said.contains("http://127.0.0.1:3000/wachtwoord-instellen/"),
        "{said}"
    );

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "not-an-address"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid email address"));
}

#[test]
fn seed_demo_fills_a_database_once() {
    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["seed", "demo"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Added 30 people, 301 threads"), "{said}");
    let again = erbij(dir.path(), &["seed", "demo"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("demo data already"));
}

#[tokio::test]
async fn the_demo_site_reads_well_including_its_longest_thread() {
    use erbij::entities::thread;
    use sea_orm::{EntityTrait, QueryOrder};

    let mut app = crate::helpers::TestApp::new().await;
    let progress = indicatif::ProgressBar::hidden();
    let summary = erbij::demo::seed(&app.state.db, &progress)
        .await
        .expect("demo");
    assert!(summary.posts > 2000);
    let longest = thread::Entity::find()
        .order_by_desc(thread::Column::PostCount)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("a thread");
    assert_eq!(longest.post_count, 501);
    app.post(
        "/inloggen",
        &[
            ("email", "anouk.de-vries@demo.erbij.nl"),
            ("password", erbij::demo::PASSWORD),
        ],
    )
    .await
    .assert_status(303);
    // Once, so that both counted views find the thread's "related" list kept.
    app.get(&format!("/onderwerpen/{}", longest.id)).await;
    let (last, queries_last) = app
        .get_counting(&format!("/onderwerpen/{}?pagina=26", longest.id))
        .await;
    last.assert_status(200);
    let (_, queries_first) = app
        .get_counting(&format!("/onderwerpen/{}", longest.id))
        .await;
    assert_eq!(queries_first, queries_last);
    app.get(&format!("/onderwerpen/{}?pagina=27", longest.id))
        .await
        .assert_status(404);
    app.get("/praktijken/migranten?pagina=2")
        .await
        .assert_status(200);
}

#[tokio::test]
async fn search_reindex_indexes_posts_written_past_the_index_and_says_how_fast() {
    use chrono::Utc;
    use erbij::{
        entities::{post, practice, thread, user},
        search::{engine, query::Query},
        visibility::Reader,
    };
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = erbij::Settings {
        data_dir: dir.path().join("data"),
        database_url: String::new(),
        ..erbij::Settings::default()
    }
    .resolved();
    let state = erbij::app::prepare(settings).await.expect("the app starts");
    let db = &state.db;
    let practice = practice::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("a practice");
    let now = Utc::now();
    let author = user::ActiveModel {
        email: Set("wijk@voorbeeld.nl".into()),
        name: Set("Wijk Verpleging".into()),
        organisation: Set(String::new()),
        job: Set(String::new()),
        lang: Set("nl".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("user");
    let t = thread::ActiveModel {
        practice_id: Set(practice.id),
        author_id: Set(author.id),
        title: Set("Koffieochtend in Pernis".into()),
        visibility: Set(thread::Visibility::Public),
        pinned: Set(false),
        locked: Set(false),
        post_count: Set(3),
        last_poster_id: Set(Some(author.id)),
        last_post_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("thread");
    for (position, body) in [
        "Wie komt er dinsdag naar de koffieochtend?",
        "De wijkverpleegkundige neemt de zilverlijnfolder mee.",
        "Fijn, tot dinsdag!",
    ]
    .iter()
    .enumerate()
    {
        // Straight into the table, past the index, as a restore or an old import would.
        post::ActiveModel {
            thread_id: Set(t.id),
            author_id: Set(author.id),
            position: Set(i32::try_from(position + 1).expect("small")),
            body: Set((*body).into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("post");
    }
    let search = || async {
        engine::find(
            db,
            Reader::Visitor,
            &Query::parse("zilverlijnfolder"),
            &engine::Filters::default(),
            engine::Order::Relevance,
            0,
            10,
        )
        .await
        .expect("search")
    };
    assert_eq!(search().await.total, 0, "not in the index yet");

    let out = erbij(dir.path(), &["search", "reindex"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Indexed 3 texts in "), "{said}");
    assert!(said.contains(" per second)"), "{said}");

    let found = search().await;
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].target, engine::Target::Thread(t.id));
}
