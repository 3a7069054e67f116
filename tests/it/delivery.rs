//! Delivery against a real SMTP server on loopback: the whole follow-by-email flow, the
//! list headers, a server that is down and comes back, permanent refusals, a `digest run`
//! killed halfway, and two instances sending from one outbox.

use std::{collections::HashMap, time::Duration as StdDuration};

use chrono::{Duration, Utc};
use erbij::{
    delivery,
    entities::{outbox_mail, subscriber},
};
use indicatif::ProgressBar;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, sea_query::Expr,
};

use crate::{helpers::TestApp, smtp::SmtpSink, subscriptions::stored};

/// A site that sends through `sink`, with one public and one members-only thread.
async fn site_with_news(sink: &SmtpSink) -> TestApp {
    let url = sink.url();
    let mut app = TestApp::with_settings(|s| s.smtp_url = url).await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    app.start_thread(
        "zingeving",
        "Levensvragen aan de keukentafel",
        "Wat wij leerden over **zingeving**.",
        "public",
    )
    .await;
    app.start_thread("zingeving", "Casus meneer P", "Vertrouwelijk.", "members")
        .await;
    app
}

/// `n` confirmed subscribers of everything, straight into the database.
async fn subscribers(app: &TestApp, n: usize) -> Vec<String> {
    let now = Utc::now();
    let mut addresses = Vec::new();
    for i in 0..n {
        let email = format!("lezer{i}@voorbeeld.nl");
        subscriber::ActiveModel {
            email: Set(email.clone()),
            status: Set(subscriber::ACTIVE.into()),
            lang: Set("nl".into()),
            frequency: Set(subscriber::WEEKLY.into()),
            all_practices: Set(true),
            summaries: Set(true),
            manage_token: Set(erbij::tokens::random_secret()),
            consent_text: Set("test".into()),
            consent_ip: Set("192.0.2.1".into()),
            consent_at: Set(now),
            confirmed_at: Set(Some(now)),
            bounces: Set(0),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .expect("subscriber");
        addresses.push(email);
    }
    addresses
}

async fn enqueue(app: &TestApp, end: chrono::DateTime<Utc>) -> delivery::Enqueued {
    delivery::enqueue(&app.state, end, &["weekly"], false, &ProgressBar::hidden())
        .await
        .expect("enqueue")
}

async fn deliver(app: &TestApp) -> delivery::Delivered {
    delivery::deliver(&app.state, 10_000, 0, &ProgressBar::hidden())
        .await
        .expect("deliver")
}

/// Time passes: every waiting row (backoff or lease) is due now.
async fn make_everything_due(app: &TestApp) {
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::NextAttemptAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .col_expr(
            outbox_mail::Column::LeaseUntil,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .exec(&app.state.db)
        .await
        .expect("time passes");
}

#[tokio::test]
async fn following_by_email_works_end_to_end_over_smtp() {
    let sink = SmtpSink::start();
    let mut app = site_with_news(&sink).await;
    let base = app.base();
    let mut visitor = app.second_browser();
    visitor
        .post(
            "/volgen",
            &[
                ("email", "lezer@voorbeeld.nl"),
                ("scope", "all"),
                ("summaries", "1"),
                ("frequency", "monthly"),
                ("lang", "en"),
            ],
        )
        .await
        .assert_status(200);
    let confirm = sink
        .mail("lezer@voorbeeld.nl", "Confirm that you want to follow")
        .await;
    assert!(!confirm.html.is_empty() && !confirm.text.is_empty());
    visitor
        .post(&confirm.path(&base, "/volgen/bevestigen/"), &[])
        .await
        .assert_status(200);

    // Preferences from the link in the mail: weekly, in Dutch.
    let manage = confirm.path(&base, "/volgen/beheer/");
    visitor
        .post(
            &manage,
            &[
                ("scope", "all"),
                ("summaries", "1"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200)
        .assert_contains("Je keuzes zijn opgeslagen.");

    let end = Utc::now() + Duration::minutes(1);
    assert_eq!(enqueue(&app, end).await.queued, 1);
    assert_eq!(deliver(&app).await.sent, 1);
    let digest = sink
        .mail("lezer@voorbeeld.nl", "Erbij deze week: 1 nieuw")
        .await;
    let sub = stored(&app, "lezer@voorbeeld.nl").await;
    assert_eq!(
        digest.list_header("List-Unsubscribe"),
        Some(format!("<{base}/volgen/uitschrijven/{}>", sub.manage_token).as_str())
    );
    assert_eq!(
        digest.list_header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        digest.list_header("List-Id"),
        Some("Erbij <volgen.erbij.test>")
    );
    assert!(
        digest.message_id.starts_with("outbox-"),
        "{}",
        digest.message_id
    );
    for part in [&digest.text, &digest.html] {
        assert!(part.contains("Levensvragen aan de keukentafel"), "{part}");
        assert!(part.contains("Wat wij leerden over zingeving."));
        assert!(part.contains(&format!("{base}/volgen/beheer/{}", sub.manage_token)));
        assert!(
            !part.contains("meneer P"),
            "members-only never reaches a subscriber"
        );
    }
    assert!(!digest.subject.contains("meneer P"));

    // The mail provider's one-click POST: no cookies, no token but the one in the URL.
    let stop = format!("/volgen/uitschrijven/{}", sub.manage_token);
    let mut provider = app.second_browser();
    for _ in 0..2 {
        provider
            .post_raw(&stop, &[("List-Unsubscribe", "One-Click")])
            .await
            .assert_status(200);
    }
    assert_eq!(stored(&app, "lezer@voorbeeld.nl").await.status, "stopped");
    app.start_thread("zingeving", "Nog een onderwerp", "Tekst.", "public")
        .await;
    let next = end + Duration::days(7);
    assert_eq!(
        enqueue(&app, next).await.queued,
        0,
        "nothing after stopping"
    );

    // Subscribing again sends a fresh confirmation, over SMTP too.
    visitor
        .post(
            "/volgen",
            &[
                ("email", "lezer@voorbeeld.nl"),
                ("scope", "all"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    sink.mail("lezer@voorbeeld.nl", "Bevestig dat je Erbij wilt volgen")
        .await;

    // Someone who never confirms is forgotten after a week, having had only the one mail.
    let mut stranger = app.second_browser();
    stranger
        .post(
            "/volgen",
            &[
                ("email", "onbevestigd@voorbeeld.nl"),
                ("scope", "all"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    sink.mail("onbevestigd@voorbeeld.nl", "Bevestig").await;
    let mut pending = stored(&app, "onbevestigd@voorbeeld.nl")
        .await
        .into_active_model();
    pending.created_at = Set(Utc::now() - Duration::days(8));
    pending.update(&app.state.db).await.expect("backdate");
    assert_eq!(
        erbij::retention::purge_unconfirmed(&app.state.db, Utc::now())
            .await
            .expect("purge"),
        1
    );
    let after = subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq("onbevestigd@voorbeeld.nl"))
        .count(&app.state.db)
        .await
        .expect("q");
    assert_eq!(after, 0);
    assert_eq!(
        sink.mails()
            .iter()
            .filter(|m| m.to == "onbevestigd@voorbeeld.nl")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_gets_everything_once_when_it_is_back() {
    let port = SmtpSink::unused_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut app = TestApp::with_settings(|s| s.smtp_url = url).await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    app.start_thread("zingeving", "Levensvragen", "Tekst.", "public")
        .await;
    let addresses = subscribers(&app, 5).await;
    enqueue(&app, Utc::now() + Duration::minutes(1)).await;

    let down = deliver(&app).await;
    assert_eq!(down.retrying, 5, "{down:?}");
    assert_eq!(down.sent, 0);
    let waiting = outbox_mail::Entity::find()
        .all(&app.state.db)
        .await
        .expect("q");
    for row in &waiting {
        assert_eq!(row.status, outbox_mail::QUEUED);
        assert_eq!(row.attempts, 1);
        assert!(
            row.next_attempt_at > Utc::now(),
            "backs off before retrying"
        );
        assert!(row.last_error.is_some());
    }
    assert_eq!(
        deliver(&app).await,
        delivery::Delivered::default(),
        "not due yet"
    );

    let sink = SmtpSink::start_on(port);
    make_everything_due(&app).await;
    assert_eq!(deliver(&app).await.sent, 5);
    make_everything_due(&app).await;
    assert_eq!(deliver(&app).await.sent, 0);
    let mut per_address: HashMap<String, usize> = HashMap::new();
    for mail in sink.mails() {
        *per_address.entry(mail.to).or_default() += 1;
    }
    for address in &addresses {
        assert_eq!(per_address.get(address), Some(&1), "{address}");
    }
}

/// A public thread written in the week before `end` (a later week, as time passes).
async fn news_in_week_ending(app: &TestApp, title: &str, end: chrono::DateTime<Utc>) {
    use erbij::entities::thread;
    let mut author = app.second_browser();
    author.login_as("marieke@buurtkracht.nl").await;
    let id = author
        .start_thread("zingeving", title, "Tekst.", "public")
        .await;
    let when = end - Duration::hours(1);
    thread::Entity::update_many()
        .col_expr(thread::Column::CreatedAt, Expr::value(when))
        .col_expr(thread::Column::LastPostAt, Expr::value(when))
        .filter(thread::Column::Id.eq(id))
        .exec(&app.state.db)
        .await
        .expect("backdate");
}

#[tokio::test]
async fn a_permanent_refusal_bounces_and_the_third_suspends() {
    let sink = SmtpSink::start();
    let app = site_with_news(&sink).await;
    subscribers(&app, 2).await;
    sink.refuse("lezer1@voorbeeld.nl");
    let mut end = Utc::now() + Duration::minutes(1);
    for week in 1..=3 {
        if week > 1 {
            news_in_week_ending(&app, &format!("Week {week}"), end).await;
        }
        enqueue(&app, end).await;
        let result = deliver(&app).await;
        assert_eq!(result.sent, 1, "week {week}: {result:?}");
        assert_eq!(result.bounced, 1, "week {week}: {result:?}");
        let refused = stored(&app, "lezer1@voorbeeld.nl").await;
        assert_eq!(refused.bounces, week);
        end += Duration::days(7);
    }
    assert_eq!(
        stored(&app, "lezer1@voorbeeld.nl").await.status,
        subscriber::SUSPENDED
    );
    let bounced = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::BOUNCED))
        .all(&app.state.db)
        .await
        .expect("q");
    assert_eq!(bounced.len(), 3);
    assert!(
        bounced
            .iter()
            .all(|r| r.last_error.as_deref().is_some_and(|e| e.contains("550")))
    );
    // A suspended address gets no more digests.
    news_in_week_ending(&app, "Week 4", end).await;
    let fourth = enqueue(&app, end).await;
    assert_eq!(fourth.queued, 1);
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_mail_once() {
    let sink = SmtpSink::start();
    let app = site_with_news(&sink).await;
    let addresses = subscribers(&app, 40).await;
    // A second instance: its own connection pool and mailer, the same database.
    let mut settings = app.state.settings.clone();
    settings.smtp_url = sink.url();
    let other = erbij::app::prepare(settings)
        .await
        .expect("second instance");
    let end = Utc::now() + Duration::minutes(1);
    let bar = ProgressBar::hidden();
    let (a, b) = tokio::join!(
        delivery::enqueue(&app.state, end, &["weekly"], false, &bar),
        delivery::enqueue(&other, end, &["weekly"], false, &bar)
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.queued + a.already, 40);
    assert_eq!(b.queued + b.already, 40);
    assert_eq!(
        outbox_mail::Entity::find()
            .count(&app.state.db)
            .await
            .expect("q"),
        40
    );
    let (a, b) = tokio::join!(
        delivery::deliver(&app.state, 10_000, 0, &bar),
        delivery::deliver(&other, 10_000, 0, &bar)
    );
    let (a, b) = (a.expect("a"), b.expect("b"));
    assert_eq!(a.sent + b.sent, 40, "{a:?} {b:?}");
    assert_eq!(sink.count(), 40);
    let mut per_address: HashMap<String, usize> = HashMap::new();
    for mail in sink.mails() {
        *per_address.entry(mail.to).or_default() += 1;
    }
    for address in &addresses {
        assert_eq!(per_address.get(address), Some(&1), "{address}");
    }
}

/// `erbij digest run` against the test's database and mail server.
fn digest_run(app: &TestApp, sink: &SmtpSink) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_erbij"));
    command
        .args(["digest", "run"])
        .env("DATABASE_URL", &app.state.settings.database_url)
        .env("SMTP_URL", sink.url())
        .env("ERBIJ_DATA_DIR", &app.state.settings.data_dir)
        .env("ERBIJ_BASE_URL", &app.state.settings.base_url)
        .env("ERBIJ_MAIL_PER_SECOND", "0");
    command
}

#[tokio::test]
async fn a_killed_digest_run_resumes_and_every_recipient_gets_one() {
    let sink = SmtpSink::start();
    sink.slow_down(StdDuration::from_millis(100));
    let app = site_with_news(&sink).await;
    const RECIPIENTS: usize = 60;
    let addresses = subscribers(&app, RECIPIENTS).await;
    enqueue(&app, Utc::now() + Duration::minutes(1)).await;

    // One mail at a time (a rate limit on), so a kill can repeat one mail only.
    let run = || {
        digest_run(&app, &sink)
            .env("ERBIJ_MAIL_PER_SECOND", "1000")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("erbij runs")
    };
    let mut first = run();
    let started = std::time::Instant::now();
    while sink.count() < 8 {
        assert!(
            started.elapsed() < StdDuration::from_secs(60),
            "the run sends"
        );
        tokio::time::sleep(StdDuration::from_millis(5)).await;
    }
    first.kill().expect("kill -9");
    first.wait().expect("reaped");
    let before = sink.count();
    assert!(before < RECIPIENTS, "killed halfway, after {before} mails");

    // The row that was being sent keeps its lease until it runs out.
    make_everything_due(&app).await;
    sink.slow_down(StdDuration::ZERO);
    let status = run().wait().expect("second run");
    assert!(status.success());
    // On a busy machine a mail can meet a passing SMTP error and wait for its retry; the
    // server's schedule runs again every minute, so here a run follows while any is left.
    for _ in 0..2 {
        let left = outbox_mail::Entity::find()
            .filter(outbox_mail::Column::Status.ne(outbox_mail::SENT))
            .count(&app.state.db)
            .await
            .expect("q");
        if left == 0 {
            break;
        }
        make_everything_due(&app).await;
        assert!(run().wait().expect("another run").success());
    }

    let mails = sink.mails();
    let mut ids: HashMap<String, Vec<String>> = HashMap::new();
    for mail in &mails {
        ids.entry(mail.to.clone())
            .or_default()
            .push(mail.message_id.clone());
    }
    for address in &addresses {
        let got = ids.get(address).cloned().unwrap_or_default();
        if got.is_empty() {
            let rows: Vec<_> = outbox_mail::Entity::find()
                .filter(outbox_mail::Column::Recipient.eq(address.as_str()))
                .all(&app.state.db)
                .await
                .expect("q")
                .into_iter()
                .map(|r| (r.status, r.attempts, r.last_error))
                .collect();
            panic!("{address} got nothing; its outbox rows: {rows:?}");
        }
        let mut distinct = got.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 1, "{address} got two different digests");
    }
    // Only the mail the server took in the moment of the kill can have arrived twice — with
    // the same Message-ID (checked above), so it is recognisable.
    assert!(
        mails.len() <= RECIPIENTS + 1,
        "{} mails for {RECIPIENTS} recipients",
        mails.len()
    );
    let sent = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::SENT))
        .count(&app.state.db)
        .await
        .expect("q");
    assert_eq!(sent, RECIPIENTS as u64);
}

#[tokio::test]
async fn a_kill_right_after_the_mail_server_took_a_mail_repeats_that_one_only_with_its_message_id()
{
    let sink = SmtpSink::start();
    let app = site_with_news(&sink).await;
    const RECIPIENTS: usize = 20;
    let addresses = subscribers(&app, RECIPIENTS).await;
    enqueue(&app, Utc::now() + Duration::minutes(1)).await;

    // The server keeps each mail at once but answers a second later; the sender is killed
    // while it waits for the answer to the fourth.
    sink.linger(StdDuration::from_secs(1));
    // With a rate limit (the default is 10 a second) one mail at a time is under way; with
    // the limit off, several go at once (and a crash may repeat as many).
    let mut first = digest_run(&app, &sink)
        .env("ERBIJ_MAIL_PER_SECOND", "1000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("erbij runs");
    let started = std::time::Instant::now();
    while sink.count() < 4 {
        assert!(
            started.elapsed() < StdDuration::from_secs(60),
            "the run sends"
        );
        tokio::time::sleep(StdDuration::from_millis(2)).await;
    }
    first.kill().expect("kill -9");
    first.wait().expect("reaped");
    sink.linger(StdDuration::ZERO);
    let taken = sink.count();
    assert!(taken < RECIPIENTS, "killed halfway, after {taken} mails");
    let leased = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.eq(outbox_mail::SENDING))
        .count(&app.state.db)
        .await
        .expect("q");
    assert_eq!(leased, 1, "one mail at a time is under way");

    // A run within the lease sends the rest and says what it must leave for later.
    let rerun = digest_run(&app, &sink).output().expect("second run");
    assert!(rerun.status.success());
    let said = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        said.contains("1 waiting on another run's lease until "),
        "the run tells about the leased mail: {said}"
    );
    assert_eq!(sink.count(), RECIPIENTS, "all but the leased one, once");

    // After the lease the mail goes out again: the one repeat.
    make_everything_due(&app).await;
    let last = digest_run(&app, &sink).output().expect("third run");
    assert!(last.status.success());
    assert!(!String::from_utf8_lossy(&last.stderr).contains("lease"));

    let mut ids: HashMap<String, Vec<String>> = HashMap::new();
    for mail in sink.mails() {
        ids.entry(mail.to).or_default().push(mail.message_id);
    }
    let repeated: Vec<_> = ids.iter().filter(|(_, got)| got.len() > 1).collect();
    assert_eq!(repeated.len(), 1, "{repeated:?}");
    let (_, got) = repeated[0];
    assert_eq!(got.len(), 2, "repeated once: {got:?}");
    assert_eq!(got[0], got[1], "a repeat carries the same Message-ID");
    for address in &addresses {
        assert!(ids.contains_key(address), "{address} got nothing");
    }
    assert_eq!(sink.count(), RECIPIENTS + 1);
}

#[tokio::test]
async fn a_passing_failure_is_tried_again_after_one_minute_then_two() {
    let port = SmtpSink::unused_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut app = TestApp::with_settings(|s| s.smtp_url = url).await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    app.start_thread("zingeving", "Levensvragen", "Tekst.", "public")
        .await;
    subscribers(&app, 1).await;
    enqueue(&app, Utc::now() + Duration::minutes(1)).await;

    for (attempt, minutes) in [(1, 1), (2, 2), (3, 4)] {
        let before = Utc::now();
        assert_eq!(deliver(&app).await.retrying, 1, "attempt {attempt}");
        let after = Utc::now();
        let row = outbox_mail::Entity::find()
            .one(&app.state.db)
            .await
            .expect("q")
            .expect("the row");
        assert_eq!(row.attempts, attempt);
        let wait = Duration::minutes(minutes);
        assert!(
            row.next_attempt_at >= before + wait && row.next_attempt_at <= after + wait,
            "attempt {attempt}: next at {} is not {minutes} min after {before}",
            row.next_attempt_at
        );
        make_everything_due(&app).await;
    }
}
