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
