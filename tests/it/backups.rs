//! Backups (issue 19): a backup taken while members write holds every write acknowledged
//! before it began and restores into a site that serves; a damaged backup or a site that is
//! not empty is refused; a SQLite site moves to PostgreSQL whole.
//!
//! On PostgreSQL (`ERBIJ_TEST_DATABASE_URL`) the same stories run with `pg_dump` and
//! `pg_restore`, and the move to PostgreSQL is tested.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use erbij::{
    backup::{self, manifest::Manifest, to_postgres},
    entities::{post, thread},
};
use indicatif::ProgressBar;
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, QueryOrder, Statement,
};

use crate::{
    helpers::{Scratch, TestApp},
    images,
};

const MARIEKE: &str = "marieke@buurtkracht.nl";

/// A member of "jongeren" with a thread that has a photo (stored in several sizes).
async fn site_with_a_photo() -> (TestApp, i32) {
    let mut app = TestApp::new().await;
    app.member(MARIEKE).await;
    app.login_as(MARIEKE).await;
    app.join("jongeren").await;
    let thread = app
        .start_thread(
            "jongeren",
            "Schrijven tijdens een back-up",
            "Het eerste bericht.",
            "members",
        )
        .await;
    app.post_multipart(
        &format!("/onderwerpen/{thread}/reageren"),
        &[
            ("body", "Met een foto van de buurtkamer."),
            ("action", "post"),
        ],
        &[("files", "buurtkamer.jpg", &images::jpeg(640, 480))],
    )
    .await
    .assert_status(303);
    (app, thread)
}

/// Every stored file of a site, with its bytes, by key.
async fn stored_files(app: &TestApp) -> Vec<(String, Vec<u8>)> {
    let files = &app.state.storage.files;
    let mut keys = files.list().await.expect("list");
    keys.sort();
    let mut all = Vec::new();
    for (key, _) in keys {
        let bytes = files.get(&key).await.expect("read").expect("there");
        all.push((key, bytes.to_vec()));
    }
    all
}

fn hidden() -> ProgressBar {
    ProgressBar::hidden()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_members_write_holds_every_acknowledged_write() {
    let (app, thread) = site_with_a_photo().await;
    let originals = stored_files(&app).await;
    assert!(originals.len() >= 2, "the photo and its smaller sizes");

    // A member keeps replying; a reply counts once the site answered it.
    let mut writer = app.second_browser();
    writer.login_as(MARIEKE).await;
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writing = tokio::spawn({
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                writer
                    .reply_to(thread, &format!("Bericht {n} tijdens de back-up."))
                    .await
                    .assert_status(303);
                n += 1;
                acknowledged.store(n, Ordering::SeqCst);
            }
            n
        }
    });
    let wait_for = |n: usize| {
        let acknowledged = acknowledged.clone();
        async move {
            for _ in 0..3000 {
                if acknowledged.load(Ordering::SeqCst) >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("the writer made fewer than {n} replies in 30 s");
        }
    };
    wait_for(10).await;

    let backups = tempfile::tempdir().unwrap();
    let folder = backups.path().join("erbij-backup");
    let before = acknowledged.load(Ordering::SeqCst);
    let made = backup::create(&app.state, &folder, &hidden())
        .await
        .expect("the backup is made while the site serves");
    let after = acknowledged.load(Ordering::SeqCst);
    // The site kept serving writes after the backup, then the writer stops.
    wait_for(after + 3).await;
    stop.store(true, Ordering::SeqCst);
    let written = writing.await.unwrap();
    assert_eq!(made.attachments, originals.len());
    assert!(made.vanished.is_empty());

    let manifest = Manifest::read(&folder).unwrap();
    assert_eq!(manifest.files.len(), 1 + originals.len());
    assert_eq!(manifest.erbij_version, env!("CARGO_PKG_VERSION"));
    manifest
        .verify(&folder, &hidden())
        .expect("every checksum matches");

    // Into a new, empty site.
    let target = Scratch::new().await;
    let settings = target.settings().resolved();
    let restored = backup::restore(&settings, &folder, &hidden())
        .await
        .expect("the backup restores");
    assert_eq!(restored.attachments, originals.len());
    let mut site = TestApp::on(target, |_| {}).await;

    // Every reply acknowledged before the backup began is there, and what is there is the
    // site of one moment: the first n replies, without a gap.
    let replies: Vec<usize> = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread))
        .order_by_asc(post::Column::Position)
        .all(&site.state.db)
        .await
        .unwrap()
        .iter()
        .filter_map(|p| {
            p.body
                .strip_prefix("Bericht ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .collect();
    let n = replies.len();
    assert_eq!(replies, (0..n).collect::<Vec<_>>(), "one moment, no gaps");
    assert!(
        n >= before && n <= written,
        "{before} acknowledged before the backup, {n} restored, {written} written in all"
    );

    // The restored site serves, its files are the same bytes.
    assert_eq!(stored_files(&site).await, originals);
    site.login_as(MARIEKE).await;
    site.get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_status(200)
        .assert_contains("Het eerste bericht.")
        .assert_contains("Met een foto van de buurtkamer.")
        .assert_contains("Bericht 0 tijdens de back-up.");
    let found = thread::Entity::find_by_id(thread)
        .one(&site.state.db)
        .await
        .unwrap()
        .expect("the thread");
    assert_eq!(
        found.post_count as usize,
        2 + n,
        "counts kept with the rows"
    );
}

#[tokio::test]
async fn a_damaged_or_unfinished_backup_and_a_site_that_is_not_empty_are_refused() {
    let (app, _) = site_with_a_photo().await;
    let backups = tempfile::tempdir().unwrap();
    let good = backups.path().join("good");
    backup::create(&app.state, &good, &hidden()).await.unwrap();
    let again = backup::create(&app.state, &good, &hidden()).await;
    assert!(
        again.unwrap_err().to_string().contains("is not empty"),
        "a backup never overwrites"
    );

    // Restoring over the site itself: refused, nothing changed.
    let error = backup::restore(&app.state.settings, &good, &hidden())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("nothing was changed"), "{error}");

    // One byte of one attachment changed: refused, naming the file, before anything is
    // written.
    let damaged = backups.path().join("damaged");
    copy_folder(&good, &damaged);
    let manifest = Manifest::read(&damaged).unwrap();
    let photo = manifest
        .files
        .iter()
        .find(|e| e.attachment_key().is_some())
        .expect("an attachment");
    let path = erbij::backup::manifest::local(&damaged, &photo.path);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let target = Scratch::new().await;
    let settings = target.settings().resolved();
    let error = backup::restore(&settings, &damaged, &hidden())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&photo.path) && error.contains("damaged"),
        "{error}"
    );

    // Without its manifest a backup did not finish.
    let unfinished = backups.path().join("unfinished");
    copy_folder(&good, &unfinished);
    std::fs::remove_file(unfinished.join("manifest.json")).unwrap();
    let error = backup::restore(&settings, &unfinished, &hidden())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("did not finish"), "{error}");

    // The refusals wrote nothing: the good backup restores into the same place.
    backup::restore(&settings, &good, &hidden())
        .await
        .expect("the target is still empty");
    let site = TestApp::on(target, |_| {}).await;
    assert_eq!(stored_files(&site).await, stored_files(&app).await);
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The export refuses to start on a table or column it would leave behind, so every table
/// of the schema must be known to it (checked on SQLite, where CI runs without PostgreSQL).
#[tokio::test]
async fn the_move_to_postgres_knows_every_table() {
    let app = TestApp::new().await;
    to_postgres::check_source(&app.state.db)
        .await
        .expect("every table has its entity in backup::to_postgres::tables");
}

/// The commands as an operator types them (SQLite).
#[test]
fn backup_create_and_restore_through_the_command() {
    use std::process::Command;
    let dir = tempfile::tempdir().unwrap();
    let erbij = |data: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_erbij"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("ERBIJ_DATA_DIR", dir.path().join(data))
            .output()
            .expect("the binary runs");
        let said = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), said)
    };
    let (ok, said) = erbij("data", &["migrate"]);
    assert!(ok, "{said}");
    let (ok, said) = erbij("data", &["backup", "create", "--to", "nacht"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("Backed up the database and 0 attachments (1 files"),
        "{said}"
    );
    let (ok, said) = erbij("data", &["backup", "create"]);
    assert!(ok, "{said}");
    let folders: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        folders.len() == 1 && folders[0].starts_with("erbij-20"),
        "{folders:?}"
    );

    let (ok, said) = erbij("data", &["backup", "restore", "nacht"]);
    assert!(!ok && said.contains("is not empty"), "{said}");
    let (ok, said) = erbij("elders", &["backup", "restore", "nacht"]);
    assert!(ok, "{said}");
    assert!(said.contains("Restored the database"), "{said}");
    assert!(dir.path().join("elders/erbij.db").exists());
}

/// The PostgreSQL test server, when this run has one.
fn postgres() -> Option<String> {
    std::env::var("ERBIJ_TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

#[tokio::test]
async fn a_sqlite_site_moves_to_postgres_whole_and_keeps_working() {
    if postgres().is_none() {
        return;
    }
    // The demo site on SQLite (in the scratch folder; its PostgreSQL database stays unused).
    let mut sqlite = TestApp::with_settings(|s| {
        s.database_url = format!(
            "sqlite://{}?mode=rwc",
            s.data_dir.join("erbij.db").display()
        );
    })
    .await;
    erbij::demo::seed(&sqlite.state.db, &hidden())
        .await
        .expect("demo");

    let target = Scratch::new().await;
    let db = Database::connect(target.database_url().as_str())
        .await
        .unwrap();
    // The schema has no cycle of references today; two columns go the way one would (NULL
    // first, filled in after) to show that path works.
    let deferred = [("threads", "last_poster_id"), ("interventions", "owner_id")];
    let report = to_postgres::export_deferring(&sqlite.state.db, &db, &deferred, &hidden())
        .await
        .expect("the export");
    assert!(report.rows > 3000 && report.indexed > 2000, "{report:?}");
    assert_eq!(
        report.deferred,
        ["threads.last_poster_id", "interventions.owner_id"]
    );
    for (table, column) in deferred {
        let sql = format!("SELECT id, {column} FROM {table} ORDER BY id");
        let values = |db: &sea_orm::DatabaseConnection| {
            let statement = Statement::from_string(db.get_database_backend(), sql.clone());
            let db = db.clone();
            async move {
                db.query_all_raw(statement)
                    .await
                    .unwrap()
                    .iter()
                    .map(|row| {
                        let pair: (i32, Option<i32>) = (
                            row.try_get_by_index(0).unwrap(),
                            row.try_get_by_index(1).unwrap(),
                        );
                        pair
                    })
                    .collect::<Vec<_>>()
            }
        };
        let kept = values(&sqlite.state.db).await;
        assert!(kept.iter().any(|(_, v)| v.is_some()), "{table}.{column}");
        assert_eq!(values(&db).await, kept, "{table}.{column}");
    }
    let again = to_postgres::export(&sqlite.state.db, &db, &hidden()).await;
    assert!(
        again.unwrap_err().to_string().contains("already has rows"),
        "a target with rows is refused"
    );

    // Every table, counted apart from the export's own report.
    let tables = sqlite
        .state
        .db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'search_fts%' AND name <> 'seaql_migrations'",
        ))
        .await
        .unwrap();
    for row in tables {
        let name: String = row.try_get_by_index(0).unwrap();
        assert_eq!(
            rows(&sqlite.state.db, &name).await,
            rows(&db, &name).await,
            "{name}"
        );
    }
    db.close().await.unwrap();

    // A page of the longest thread reads the same on the site started on PostgreSQL.
    let mut moved = TestApp::on(target, |_| {}).await;
    let longest = thread::Entity::find()
        .order_by_desc(thread::Column::PostCount)
        .one(&moved.state.db)
        .await
        .unwrap()
        .expect("a thread");
    let anouk = "anouk.de-vries@demo.erbij.nl";
    for site in [&mut sqlite, &mut moved] {
        site.post(
            "/inloggen",
            &[("email", anouk), ("password", erbij::demo::PASSWORD)],
        )
        .await
        .assert_status(303);
    }
    let path = format!("/onderwerpen/{}?pagina=2", longest.id);
    let before = sqlite.get(&path).await;
    let after = moved.get(&path).await;
    after.assert_status(200);
    assert_eq!(comparable(&after.body), comparable(&before.body));

    // New rows get new ids: the sequences were moved past the copied rows.
    let posted = moved
        .reply_to(longest.id, "De eerste reactie na de verhuizing.")
        .await;
    posted.assert_status(303);
    let at = posted.location().split('#').next().unwrap().to_string();
    moved
        .get(&at)
        .await
        .assert_contains("De eerste reactie na de verhuizing.");
    moved.member("nieuw@buurtkracht.nl").await;
}

async fn rows(db: &sea_orm::DatabaseConnection, table: &str) -> i64 {
    let statement = Statement::from_string(
        db.get_database_backend(),
        format!("SELECT COUNT(*) FROM \"{table}\""),
    );
    let row = db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// The part of a thread's page the move must keep as it was: without the form token (one
/// per browser), the machine-readable times (SQLite keeps nanoseconds, PostgreSQL
/// microseconds; the times shown are the same) and the "related" list (each database's
/// full-text search ranks in its own way).
fn comparable(page: &str) -> String {
    let page = page
        .split("<aside class=\"related\"")
        .next()
        .unwrap_or(page);
    ["name=\"csrf_token\" value=\"", "datetime=\""].iter().fold(
        page.to_string(),
        |page, attribute| {
            page.split(attribute)
                .enumerate()
                .map(|(i, part)| match (i, part.split_once('"')) {
                    (0, _) | (_, None) => part,
                    (_, Some((_, rest))) => rest,
                })
                .collect()
        },
    )
}
