//! Several instances on one PostgreSQL database, as behind a load balancer: two real `erbij
//! serve` processes, each with its own port and folder (its page cache, its mail outbox),
//! one database. What one instance writes, the other shows at once; a sign-in on one is
//! valid on the other; the jobs both run do each thing once; and when one is killed in the
//! middle of sending, the other sends what it left.
//!
//! Only on PostgreSQL (SQLite is one instance per file): `.ci/run` runs the suite a second
//! time with `ERBIJ_TEST_DATABASE_URL` set.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration as StdDuration, Instant},
};

use chrono::{Duration, Utc};
use erbij::{
    delivery::{self, outbox},
    entities::{
        intervention, meeting, notification, outbox_mail, post, registration, subscriber, thread,
        user,
    },
    mail::Email,
};
use migrations::MigratorTrait;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};

use crate::{
    helpers::{Mail, PASSWORD, Scratch, TestApp},
    smtp::SmtpSink,
};

/// Two instances starting at the same moment on an empty database: one migrates and seeds,
/// the other waits for it; both come up.
#[tokio::test]
async fn two_instances_starting_at_once_migrate_and_seed_once() {
    if !on_postgresql() {
        return;
    }
    let scratch = Scratch::new().await;
    let url = scratch.database_url();
    let mut a = Instance::start("a", scratch.path(), &url, &[]);
    let mut b = Instance::start("b", scratch.path(), &url, &[]);
    tokio::join!(a.wait_until_up(), b.wait_until_up());

    let db = sea_orm::Database::connect(url.as_str()).await.unwrap();
    assert_eq!(
        count(&db, "SELECT count(*) FROM seaql_migrations").await,
        migrations::Migrator::migrations().len() as i64,
        "every migration ran once"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM practices").await, 7);
    assert_eq!(count(&db, "SELECT count(*) FROM expertise_tags").await, 10);
    for instance in [&a, &b] {
        instance.assert_no_errors();
    }
    db.close().await.ok();
}

/// The story of one site on two instances: a visitor's page kept on B shows a reply written
/// on A at once; Marieke signs in on A and is signed in on B; the start-up work and every
/// scheduled mail happen once between them, also when B restarts later the same day.
#[tokio::test]
async fn two_instances_serve_one_site_and_do_each_job_once() {
    if !on_postgresql() {
        return;
    }
    let site = TestApp::new().await;
    let t = site_with_work_due(&site).await;
    let url = site.state.settings.database_url.clone();
    // Digests at Monday 0:00, so the day's bundle is due whatever the hour of the run.
    let env = [("ERBIJ_DIGEST_HOUR", "0")];
    let mut a = Instance::start("a", site.dir.path(), &url, &env);
    let mut b = Instance::start("b", site.dir.path(), &url, &env);
    tokio::join!(a.wait_until_up(), b.wait_until_up());
    let db = &site.state.db;

    // The start-up work: done by one of them, waited for by the other.
    wait_for("the start-up work on both instances", || async {
        let logs = [a.log(), b.log()];
        logs.iter().any(|l| l.contains("search index built"))
            && logs
                .iter()
                .any(|l| l.contains("post bodies rendered again"))
            && logs.iter().all(|l| l.contains("retention run"))
    })
    .await;
    // (Each job then tells the page caches what it changed: a moment for that.)
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    let once = |needle: &str| {
        [a.log(), b.log()]
            .iter()
            .map(|log| log.matches(needle).count())
            .sum::<usize>()
    };
    assert_eq!(once("search index built"), 1, "the index is built once");
    assert_eq!(
        once("post bodies rendered again"),
        1,
        "bodies rendered once"
    );
    let stale = post::Entity::find()
        .filter(post::Column::HtmlVersion.lt(erbij::markdown::RENDERER_VERSION))
        .count(db)
        .await
        .unwrap();
    assert_eq!(stale, 0);
    for instance in [&a, &b] {
        assert!(!instance.log().contains("the retention job failed"));
    }
    let mut visitor = Browser::new();
    visitor
        .get(&b.url("/zoeken?q=keukentafel"))
        .await
        .assert_contains(&format!("href=\"/onderwerpen/{t}#"));

    // B keeps the visitor's page: a change behind its back (straight into the database) is
    // not seen, which shows the page comes from B's memory.
    let page = format!("/onderwerpen/{t}");
    visitor
        .get(&b.url(&page))
        .await
        .assert_contains("Levensvragen aan de keukentafel");
    thread::Entity::update_many()
        .col_expr(thread::Column::Title, Expr::value("Zin aan de keukentafel"))
        .filter(thread::Column::Id.eq(t))
        .exec(db)
        .await
        .unwrap();
    visitor
        .get(&b.url(&page))
        .await
        .assert_contains("Levensvragen aan de keukentafel");

    // Marieke signs in on A; her cookie is valid on B.
    let mut marieke = Browser::new();
    marieke.sign_in(&a, "marieke@buurtkracht.nl").await;
    marieke
        .get(&b.url(&page))
        .await
        .assert_contains("action=\"/uitloggen\"")
        .assert_contains(&format!("/onderwerpen/{t}/reageren"));

    // She replies on A; B's kept page is stale by the time she has her answer (give B's
    // listener the moment it takes to read the message).
    marieke
        .post_multipart(
            &a.url(&format!("/onderwerpen/{t}/reageren")),
            &[
                ("body", "De huiswerkklas in de Millinxbuurt werkt goed."),
                ("action", "post"),
            ],
        )
        .await
        .assert_status(303);
    let replied = Instant::now();
    for asked in 1.. {
        let seen = visitor.get(&b.url(&page)).await;
        if seen.body.contains("Millinxbuurt") {
            eprintln!(
                "the reply was on B's page at the {asked}. request, {:?} after A's answer",
                replied.elapsed()
            );
            seen.assert_contains("Zin aan de keukentafel");
            break;
        }
        assert!(
            replied.elapsed() < StdDuration::from_secs(1),
            "B still shows its kept page without the reply"
        );
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }

    // Every scheduled mail is queued once, between the two, and sent once.
    let keys = [
        ("lezer@voorbeeld.nl", "weekly:"),
        ("kees@buurtkracht.nl", "daily:"),
        ("marieke@buurtkracht.nl", "notice:"),
        ("marieke@buurtkracht.nl", "meeting-reminder:"),
        ("marieke@buurtkracht.nl", "intervention-stale:"),
    ];
    wait_for("every scheduled mail sent", || async {
        outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Status.eq(outbox_mail::SENT))
            .count(db)
            .await
            .unwrap()
            >= keys.len() as u64
    })
    .await;
    let queued = outbox_mail::Entity::find().all(db).await.unwrap();
    for (to, key) in keys {
        let rows: Vec<_> = queued
            .iter()
            .filter(|m| m.recipient == to && m.period_key.starts_with(key))
            .collect();
        assert_eq!(rows.len(), 1, "{key} mails to {to}: {rows:#?}");
        assert_eq!(rows[0].status, outbox_mail::SENT, "{rows:#?}");
    }
    assert_eq!(queued.len(), keys.len(), "nothing else: {queued:#?}");
    let sent = |to: &str| {
        [&a, &b]
            .iter()
            .flat_map(|i| Mail::read_outbox(&i.dir.join("outbox")))
            .filter(|m| m.to == to)
            .count()
    };
    assert_eq!(sent("lezer@voorbeeld.nl"), 1);
    assert_eq!(sent("kees@buurtkracht.nl"), 1);
    assert_eq!(sent("marieke@buurtkracht.nl"), 3);

    // Marieke's reply told Kees, who reads his news once a day: it waits for tomorrow's
    // bundle, also when B restarts today and bundles the day again (today's went out).
    let waiting = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id(db, "kees@buurtkracht.nl").await))
        .filter(notification::Column::EmailedAt.is_null())
        .all(db)
        .await
        .unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:#?}");
    b.kill();
    let mut b = Instance::start("b", site.dir.path(), &url, &env);
    b.wait_until_up().await;
    wait_for("the restarted B's start-up work", || async {
        b.log().matches("retention run").count() == 2
    })
    .await;
    tokio::time::sleep(StdDuration::from_secs(1)).await;
    let still = notification::Entity::find_by_id(waiting[0].id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        still.emailed_at, None,
        "not marked as mailed: no mail carries it"
    );
    assert_eq!(
        outbox_mail::Entity::find().count(db).await.unwrap(),
        keys.len() as u64,
        "a restart queues nothing again"
    );
    for instance in [&a, &b] {
        instance.assert_no_errors();
    }
}

/// A is killed while it holds a lease on the mail it is sending (its mail server is slow);
/// B sends everything else and, once A's lease runs out, the mail A was sending.
#[tokio::test]
async fn a_killed_instance_leaves_its_mails_to_the_other() {
    if !on_postgresql() {
        return;
    }
    const MAILS: usize = 20;
    let site = TestApp::new().await;
    let rows = (0..MAILS)
        .map(|i| {
            let email = Email {
                to: format!("lid{i}@voorbeeld.nl"),
                subject: format!("Bericht {i}"),
                text: format!("Bericht nummer {i}."),
                html: maud::html! { p { "Bericht nummer " (i) "." } },
                headers: Vec::new(),
            };
            outbox::row("erbij.test", email, format!("test:{i}"), None)
        })
        .collect();
    delivery::queue_rows(&site.state.db, rows).await.unwrap();
    let slow = SmtpSink::start();
    slow.slow_down(StdDuration::from_secs(1));
    let quick = SmtpSink::start();
    let url = site.state.settings.database_url.clone();
    let env = [
        ("ERBIJ_MAIL_PER_SECOND", "2"),
        ("ERBIJ_MAIL_LEASE_SECONDS", "3"),
    ];
    let with = |smtp: &SmtpSink| {
        let mut all: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
        all.push(("SMTP_URL", smtp.url()));
        all
    };
    // A starts first and sends a few; then B comes up beside it.
    let mut a = Instance::start_with("a", site.dir.path(), &url, &with(&slow));
    a.wait_until_up().await;
    wait_for("A's first mails", || async { slow.count() >= 2 }).await;
    let mut b = Instance::start_with("b", site.dir.path(), &url, &with(&quick));
    b.wait_until_up().await;
    let db = &site.state.db;

    // A row still being sent after 300 ms is A's: B's server answers at once, A's after a
    // second.
    let sending = || async {
        outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
            .all(db)
            .await
            .unwrap()
    };
    let started = Instant::now();
    let held = loop {
        let before = sending().await;
        tokio::time::sleep(StdDuration::from_millis(300)).await;
        let after = sending().await;
        if let Some(row) = after
            .into_iter()
            .find(|r| before.iter().any(|b| b.id == r.id))
        {
            break row;
        }
        assert!(
            started.elapsed() < StdDuration::from_secs(20),
            "A never held a lease"
        );
    };
    a.kill();
    let lease_end = held.lease_until.unwrap();

    wait_for("every mail sent", || async {
        outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Status.ne(outbox_mail::SENT))
            .count(db)
            .await
            .unwrap()
            == 0
    })
    .await;
    let taken_over = outbox_mail::Entity::find_by_id(held.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        taken_over.sent_at.unwrap() >= lease_end,
        "B took A's mail over when A's lease ran out, not before: {taken_over:#?}"
    );
    // Everyone has their mail. Only the one A was handing over when it died may have
    // reached its server too (the server took it, A could not record that): then it came
    // twice, with the same Message-ID, as the outbox promises.
    let mut got: HashMap<String, Vec<Mail>> = HashMap::new();
    for mail in slow.mails().into_iter().chain(quick.mails()) {
        got.entry(mail.to.clone()).or_default().push(mail);
    }
    for i in 0..MAILS {
        let to = format!("lid{i}@voorbeeld.nl");
        let mails = got.get(&to).cloned().unwrap_or_default();
        match mails.as_slice() {
            [_] => {}
            [first, second] if to == held.recipient => {
                assert_eq!(first.message_id, second.message_id)
            }
            _ => panic!("{to} got {} mails: {mails:#?}", mails.len()),
        }
    }
    assert!(
        quick.mails().iter().any(|m| m.to == held.recipient),
        "B sent the mail A held"
    );
    eprintln!(
        "A sent {} mails before it was killed, B {}",
        slow.count(),
        quick.count()
    );
    b.assert_no_errors();
}

/// Posts in the long thread of [`site_with_work_due`].
const LONG_THREAD: i32 = 800;

/// Everything the site's jobs will find due when the instances start, and the thread.
async fn site_with_work_due(site: &TestApp) -> i32 {
    let db = &site.state.db;
    site.member("marieke@buurtkracht.nl").await;
    site.member_other().await;
    let mut marieke = site.second_browser();
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let t = marieke
        .start_thread(
            "zingeving",
            "Levensvragen aan de keukentafel",
            "Wat wij leerden over zingeving in het buurthuis.",
            "public",
        )
        .await;
    // Kees replies (Marieke is told, at once) and reads his news once a day; Marieke
    // answers (Kees is told, in the day's bundle).
    let mut kees = site.second_browser();
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    kees.reply_to(t, "Bij ons werkt een vaste tafel goed.")
        .await
        .assert_status(303);
    user::Entity::update_many()
        .col_expr(user::Column::NotifyEmail, Expr::value(user::NOTIFY_DAILY))
        .filter(user::Column::Email.eq("kees@buurtkracht.nl"))
        .exec(db)
        .await
        .unwrap();
    marieke
        .reply_to(t, "Dank je, Kees: dat proberen we.")
        .await
        .assert_status(303);
    // The thread was written before this week's digest moment (Monday 0:00, as the
    // instances are told), and a visitor follows everything weekly.
    let (slot, _) = delivery::due_now(Utc::now(), 1, 0);
    thread::Entity::update_many()
        .col_expr(
            thread::Column::CreatedAt,
            Expr::value(slot - Duration::hours(1)),
        )
        .col_expr(
            thread::Column::LastPostAt,
            Expr::value(slot - Duration::hours(1)),
        )
        .exec(db)
        .await
        .unwrap();
    post::Entity::update_many()
        .col_expr(
            post::Column::CreatedAt,
            Expr::value(slot - Duration::hours(1)),
        )
        .exec(db)
        .await
        .unwrap();
    let now = Utc::now();
    subscriber::ActiveModel {
        email: Set("lezer@voorbeeld.nl".into()),
        status: Set(subscriber::ACTIVE.into()),
        lang: Set("nl".into()),
        frequency: Set(subscriber::WEEKLY.into()),
        all_practices: Set(true),
        summaries: Set(true),
        manage_token: Set(erbij::tokens::random_secret()),
        consent_text: Set("Ja, stuur mij het overzicht.".into()),
        consent_version: Set("1".into()),
        consent_ip: Set("192.0.2.10".into()),
        consent_at: Set(now),
        confirmed_at: Set(Some(now)),
        bounces: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    // A meeting tomorrow morning with Marieke registered: a reminder is due.
    let marieke_id = user_id(db, "marieke@buurtkracht.nl").await;
    let starts = now + Duration::hours(12);
    let meeting = meeting::ActiveModel {
        uid: Set(format!(
            "{}@erbij.test",
            &erbij::tokens::random_secret()[..16]
        )),
        practice_id: Set(None),
        kind: Set(meeting::Kind::Knowledge),
        visibility: Set(thread::Visibility::Members),
        state: Set(meeting::MeetingState::Planned),
        title: Set("Kennisbijeenkomst zingeving".into()),
        starts_at: Set(starts),
        ends_at: Set(starts + Duration::hours(2)),
        place: Set("Buurthuis De Kuip".into()),
        room: Set(String::new()),
        accessibility: Set(String::new()),
        online_link: Set(String::new()),
        agenda: Set(String::new()),
        capacity: Set(None),
        deadline: Set(None),
        registered: Set(1),
        sequence: Set(0),
        report_thread_id: Set(None),
        created_by: Set(marieke_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    registration::ActiveModel {
        meeting_id: Set(meeting.id),
        user_id: Set(Some(marieke_id)),
        status: Set(registration::Status::Registered),
        name: Set("Marieke de Vries".into()),
        organisation: Set("Welzijn Rotterdam".into()),
        email: Set("marieke@buurtkracht.nl".into()),
        lang: Set("nl".into()),
        consent_text: Set(String::new()),
        consent_ip: Set(String::new()),
        attended: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    // Her intervention, not confirmed for more than a year: a reminder is due.
    intervention::ActiveModel {
        slug: Set("buurtkamer-oud-charlois".into()),
        status: Set(intervention::Status::Published),
        owner_id: Set(Some(marieke_id)),
        created_at: Set(now - Duration::days(400)),
        updated_at: Set(now - Duration::days(400)),
        published_at: Set(Some(now - Duration::days(400))),
        checked_at: Set(Some(now - Duration::days(400))),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    // A long thread, and bodies an older renderer made, and an index of another make-up:
    // the start-up work has a few seconds' worth to do (time for the two to meet).
    let long = kees
        .start_thread(
            "zingeving",
            "Wandelgroep in Charlois",
            "Elke dinsdag.",
            "public",
        )
        .await;
    let kees_id = user_id(db, "kees@buurtkracht.nl").await;
    let replies: Vec<post::ActiveModel> = (2..=LONG_THREAD)
        .map(|position| post::ActiveModel {
            thread_id: Set(long),
            author_id: Set(kees_id),
            position: Set(position),
            body: Set(format!(
                "Week {position}: we liepen **langs de Maas** en dronken koffie bij de buren."
            )),
            body_html: Set(String::new()),
            html_version: Set(0),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in replies.chunks(200) {
        post::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    thread::Entity::update_many()
        .col_expr(thread::Column::PostCount, Expr::value(LONG_THREAD))
        .filter(thread::Column::Id.eq(long))
        .exec(db)
        .await
        .unwrap();
    post::Entity::update_many()
        .col_expr(post::Column::HtmlVersion, Expr::value(0))
        .exec(db)
        .await
        .unwrap();
    db.execute_unprepared("DELETE FROM search_meta")
        .await
        .unwrap();
    // What the in-process site mailed (sign-ups and the like) is not the instances' work.
    outbox_mail::Entity::delete_many().exec(db).await.unwrap();
    t
}

fn on_postgresql() -> bool {
    let set = std::env::var("ERBIJ_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    if !set {
        eprintln!("the instances tests need PostgreSQL (ERBIJ_TEST_DATABASE_URL): skipped");
    }
    set
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn user_id(db: &DatabaseConnection, email: &str) -> i32 {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Waits (up to 20 seconds) until `done` says so.
async fn wait_for<F: std::future::Future<Output = bool>>(what: &str, done: impl Fn() -> F) {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < StdDuration::from_secs(20),
            "waited in vain for {what}"
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

/// A real `erbij serve` process with its own port and folder, killed when dropped.
struct Instance {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Instance {
    fn start(name: &str, root: &Path, database_url: &str, env: &[(&str, &str)]) -> Instance {
        let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.to_string())).collect();
        Instance::start_with(name, root, database_url, &env)
    }

    fn start_with(name: &str, root: &Path, database_url: &str, env: &[(&str, String)]) -> Instance {
        let dir = root.join(format!("instance-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_erbij"))
            .arg("serve")
            .current_dir(&dir)
            .env_remove("SMTP_URL")
            .env_remove("RUST_LOG")
            .env("DATABASE_URL", database_url)
            .env("ERBIJ_DATA_DIR", &dir)
            .env("ERBIJ_BIND", format!("127.0.0.1:{port}"))
            .env("ERBIJ_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("ERBIJ_LOG_FORMAT", "json")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(log.try_clone().map(Stdio::from).unwrap())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("the binary starts");
        Instance { child, port, dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What it logged (both its runs, when restarted in the same folder).
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    fn assert_no_errors(&self) {
        let log = self.log();
        let errors: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("\"level\":\"ERROR\""))
            .collect();
        assert!(errors.is_empty(), "errors logged:\n{}", errors.join("\n"));
    }

    async fn wait_until_up(&mut self) {
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(answer) = http.get(self.url("/healthz")).send().await
                && answer.status() == 200
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the instance stopped ({status}):\n{}", self.log());
            }
            assert!(
                started.elapsed() < StdDuration::from_secs(30),
                "the instance did not come up:\n{}",
                self.log()
            );
            tokio::time::sleep(StdDuration::from_millis(20)).await;
        }
    }

    /// `kill -9`: no shutdown, leases and all left as they are.
    fn kill(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A browser over real HTTP: keeps its cookies (both instances are one site to it, as
/// behind a load balancer) and sends forms with the form token.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
}

struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    #[track_caller]
    fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected {text:?}; status {}, body:\n{}",
            self.status,
            self.body
        );
        self
    }

    #[track_caller]
    fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "body:\n{}", self.body);
        self
    }
}

impl Browser {
    fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
        }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let answer = request.send().await.unwrap();
        for set in answer.headers().get_all("set-cookie") {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap_or("");
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if value.is_empty() || set.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        Answer {
            status: answer.status().as_u16(),
            body: answer.text().await.unwrap(),
        }
    }

    async fn get(&mut self, url: &str) -> Answer {
        let request = self.http.get(url);
        self.send(request).await
    }

    async fn token(&mut self, instance_url: &str) -> String {
        if !self.cookies.contains_key("erbij_csrf") {
            self.get(instance_url).await;
        }
        self.cookies["erbij_csrf"].clone()
    }

    async fn post_form(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        let origin = url.split("/").take(3).collect::<Vec<_>>().join("/");
        let token = self.token(&format!("{origin}/inloggen")).await;
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        let request = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_html_form::to_string(&all).unwrap());
        self.send(request).await
    }

    async fn post_multipart(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        let origin = url.split("/").take(3).collect::<Vec<_>>().join("/");
        let token = self.token(&format!("{origin}/inloggen")).await;
        let boundary = "erbij-instances-boundary";
        let mut body = String::new();
        for (name, value) in [("csrf_token", token.as_str())].iter().chain(fields) {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!("--{boundary}--\r\n"));
        let request = self
            .http
            .post(url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        self.send(request).await
    }

    async fn sign_in(&mut self, on: &Instance, email: &str) {
        self.post_form(
            &on.url("/inloggen"),
            &[("email", email), ("password", PASSWORD)],
        )
        .await
        .assert_status(303);
        assert!(self.cookies.contains_key("erbij_session"));
    }
}
