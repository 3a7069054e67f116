//! Running the site: metrics, readiness and liveness, the administrators' health page, and a
//! stop that lets requests finish and hands back the mails it was sending.

use std::time::Duration;

use erbij::{Application, delivery::outbox, entities::outbox_mail, mail::Email};
use sea_orm::{ConnectionTrait, EntityTrait};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

use crate::helpers::TestApp;

const TOKEN: &str = "metrics-token-0123456789";

async fn with_token() -> TestApp {
    TestApp::with_settings(|s| s.metrics_token = TOKEN.into()).await
}

/// `/metrics` as Prometheus asks for it, with the token.
async fn scrape(app: &mut TestApp) -> String {
    app.headers = vec![("authorization".into(), format!("Bearer {TOKEN}"))];
    let page = app.get("/metrics").await;
    app.headers.clear();
    page.assert_status(200);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    page.body
}

/// The sum of a series' samples whose labels include all of `labels` (0 when there is none):
/// counters are the process's, so tests compare before and after.
fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .filter(|(series, _)| {
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            metric == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, number)| number.parse::<f64>().unwrap())
        .sum()
}

fn email(to: &str) -> Email {
    Email {
        to: to.into(),
        subject: "Overzicht".into(),
        text: "Tekst".into(),
        html: maud::PreEscaped("<p>Tekst</p>".into()),
        headers: Vec::new(),
    }
}

async fn queue_mails(app: &TestApp, n: usize) {
    let rows = (0..n)
        .map(|i| {
            outbox::row(
                "erbij.test",
                email(&format!("lezer{i}@example.nl")),
                format!("weekly:2026-W{:02}", i + 1),
                None,
            )
        })
        .collect();
    outbox::queue_rows(&app.state.db, rows).await.unwrap();
}

#[tokio::test]
async fn metrics_are_a_404_without_the_right_token() {
    let mut app = with_token().await;
    app.get("/metrics").await.assert_status(404);
    for wrong in [
        "Bearer metrics-token-012345678",
        "Bearer metrics-token-01234567890",
        "Basic metrics-token-0123456789",
        "metrics-token-0123456789",
    ] {
        app.headers = vec![("authorization".into(), wrong.into())];
        app.get("/metrics")
            .await
            .assert_status(404)
            .assert_lacks("erbij_");
    }
    // The same page as any address that does not exist.
    app.headers.clear();
    let missing = app.get("/bestaat-niet").await;
    let refused = app.get("/metrics").await;
    assert_eq!(refused.title(), missing.title());

    // Without a token set, nothing opens it, not even an empty token.
    let mut closed = TestApp::new().await;
    closed.headers = vec![("authorization".into(), "Bearer ".into())];
    closed.get("/metrics").await.assert_status(404);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_show_the_outbox() {
    let mut app = with_token().await;
    let route = [
        ("route", "/praktijken/{slug}"),
        ("method", "GET"),
        ("status", "200"),
    ];
    let before = value(&scrape(&mut app).await, "erbij_http_requests_total", &route);
    app.get("/praktijken/migranten").await.assert_status(200);
    app.get("/praktijken/migranten").await.assert_status(200);
    queue_mails(&app, 2).await;

    let text = scrape(&mut app).await;
    assert!(value(&text, "erbij_http_requests_total", &route) >= before + 2.0);
    assert!(value(&text, "erbij_http_request_duration_seconds_count", &route) >= before + 2.0);
    assert!(text.contains("erbij_http_request_duration_seconds_bucket{"));
    assert!(!text.contains("/praktijken/migranten"));
    assert_eq!(value(&text, "erbij_outbox_unsent", &[]), 2.0);
    assert_eq!(value(&text, "erbij_outbox_due", &[]), 2.0);
    assert_eq!(value(&text, "erbij_db_up", &[]), 1.0);
    assert!(value(&text, "erbij_db_pool_max_connections", &[]) >= 1.0);
    // The second visit came from memory.
    assert!(value(&text, "erbij_page_cache_hits_total", &[]) >= 1.0);
    assert!(value(&text, "erbij_page_cache_misses_total", &[]) >= 1.0);
}

#[tokio::test]
async fn a_secret_in_a_path_never_reaches_the_metrics() {
    let mut app = with_token().await;
    let secret = "0123456789abcdef".repeat(4);
    app.get(&format!("/volgen/beheer/{secret}")).await;
    app.get(&format!("/agenda/{secret}.ics")).await;
    app.get(&format!("/bestaat-niet/{secret}")).await;
    let text = scrape(&mut app).await;
    assert!(!text.contains(&secret));
    assert!(text.contains(r#"route="/volgen/beheer/{token}""#));
    assert!(text.contains(r#"route="/agenda/{file}""#));
    assert!(text.contains(r#"route="unmatched""#));
}

#[tokio::test]
async fn a_refused_sign_in_is_counted() {
    let mut app = with_token().await;
    app.member("marieke@buurtkracht.nl").await;
    let failures = [("reason", "password")];
    let before = value(
        &scrape(&mut app).await,
        "erbij_sign_in_failures_total",
        &failures,
    );
    app.post(
        "/inloggen",
        &[
            ("email", "marieke@buurtkracht.nl"),
            ("password", "verkeerd"),
        ],
    )
    .await
    .assert_status(422);
    let after = value(
        &scrape(&mut app).await,
        "erbij_sign_in_failures_total",
        &failures,
    );
    assert!(after >= before + 1.0, "{before} → {after}");
}

#[tokio::test]
async fn healthz_is_alive_and_readyz_asks_the_database_and_its_schema() {
    let mut app = TestApp::new().await;
    let alive = app.get("/healthz").await;
    alive.assert_status(200);
    assert_eq!(alive.body, "ok");
    let ready = app.get("/readyz").await;
    ready.assert_status(200);
    assert_eq!(ready.body, "ready");

    // A migration that has not run: not ready, and it says why.
    let db = app.state.db.clone();
    db.execute_unprepared(
        "DELETE FROM seaql_migrations WHERE version = 'm20261209_000002_messages'",
    )
    .await
    .unwrap();
    app.get("/readyz")
        .await
        .assert_status(503)
        .assert_contains("1 migrations pending");
    // One that a newer version ran (a rolling update): this version keeps serving.
    db.execute_unprepared(
        "INSERT INTO seaql_migrations (version, applied_at) \
         VALUES ('m20261209_000002_messages', 0), ('m20991231_000001_later', 0)",
    )
    .await
    .unwrap();
    app.get("/readyz").await.assert_status(200);

    // Without a database: alive still, not ready.
    app.state.db.clone().close().await.unwrap();
    app.get("/healthz").await.assert_status(200);
    app.get("/readyz")
        .await
        .assert_status(503)
        .assert_contains("database unavailable");
}

#[tokio::test]
async fn the_health_page_is_for_administrators_and_shows_the_outbox() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.admin("ahmed@erbij.nl").await;
    queue_mails(&app, 3).await;

    let visitor = app.get("/beheer/gezondheid").await;
    assert!(visitor.status.is_redirection());
    app.login_as("marieke@buurtkracht.nl").await;
    app.get("/beheer/gezondheid")
        .await
        .assert_status(403)
        .assert_lacks("outbox-unsent");

    let mut admin = app.second_browser();
    admin.login_as("ahmed@erbij.nl").await;
    admin
        .get("/beheer")
        .await
        .assert_contains(r#"href="/beheer/gezondheid""#);
    admin
        .get("/beheer/gezondheid")
        .await
        .assert_status(200)
        .assert_contains("Gezondheid")
        .assert_contains("Nog niet verstuurd")
        .assert_contains(r#"<dd id="outbox-unsent">3</dd>"#)
        .assert_contains("weekly:2026-W03")
        .assert_contains("Bijgewerkt (")
        .assert_contains("folder ");
    admin.get("/taal/en").await;
    admin
        .get("/beheer/gezondheid")
        .await
        .assert_status(200)
        .assert_contains("Health")
        .assert_contains("Not sent yet")
        .assert_contains(r#"<dd id="outbox-unsent">3</dd>"#)
        .assert_contains("Up to date (");
}

/// The status of a raw HTTP/1.1 answer.
fn status_of(answer: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

async fn get_raw(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: erbij.test\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    (
        status_of(&answer),
        String::from_utf8_lossy(&answer).into_owned(),
    )
}

/// The same site served over TCP as the binary serves it, stopped when `stop` is sent.
async fn serve(
    app: &TestApp,
    change: impl FnOnce(&mut erbij::Settings),
) -> (
    Application,
    tokio::sync::oneshot::Sender<()>,
    tokio::sync::oneshot::Receiver<()>,
) {
    let mut settings = app.state.settings.clone();
    settings.bind = "127.0.0.1:0".parse().unwrap();
    change(&mut settings);
    let server = Application::build(settings).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel();
    (server, stop, stopped)
}

#[tokio::test]
async fn the_private_metrics_address_needs_no_token() {
    let app = with_token().await;
    let (server, stop, stopped) = serve(&app, |s| {
        s.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let port = server.port();
    let private = server.metrics_port().unwrap();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let (status, text) = get_raw(private, "/metrics").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("erbij_mail_schedule_lag_seconds"));
    // Only /metrics there; and on the site's address it still asks for the token.
    assert_eq!(get_raw(private, "/").await.0, 404);
    assert_eq!(get_raw(port, "/metrics").await.0, 404);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_request_under_way_finishes_when_the_server_stops() {
    let app = TestApp::new().await;
    let (server, stop, stopped) = serve(&app, |_| {}).await;
    let port = server.port();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    // A sign-in whose form is still on its way: its handler is waiting for the rest.
    let token = "ab".repeat(32);
    let body = format!("csrf_token={token}&email=niemand%40example.nl&password=verkeerd");
    let (first, rest) = body.split_at(20);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    stream
        .write_all(
            format!(
                "POST /inloggen HTTP/1.1\r\nHost: erbij.test\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\
                 Cookie: erbij_csrf={token}\r\nContent-Length: {}\r\n\r\n{first}",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Stopping: no new connections, but the one under way is still served.
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    assert!(!running.is_finished());
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .unwrap()
        .unwrap();
    // The whole sign-in ran: the password was checked and refused.
    assert_eq!(
        status_of(&answer),
        422,
        "{}",
        String::from_utf8_lossy(&answer)
    );
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_stop_waits_no_longer_than_the_grace_and_hands_back_the_mail_it_was_sending() {
    let app = TestApp::new().await;
    // A mail server that takes connections and never says a word.
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp = silent.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut connections = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            connections.push(connection);
        }
    });
    let (server, stop, stopped) = serve(&app, |s| {
        s.smtp_url = format!("smtp://127.0.0.1:{smtp}");
        s.shutdown_grace_seconds = 1;
    })
    .await;
    queue_mails(&app, 1).await;
    let port = server.port();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let status = || async {
        outbox_mail::Entity::find()
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap()
    };
    for _ in 0..500 {
        if status().await.status == outbox_mail::SENDING {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status().await.status, outbox_mail::SENDING);

    // A request that never finishes (its body never comes) does not hold the stop up.
    let mut hanging = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    hanging
        .write_all(
            b"POST /inloggen HTTP/1.1\r\nHost: erbij.test\r\n\
              Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nab",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = std::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    // The grace (1 s) for the request, and what is left of it for the mail loop.
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    let mail = status().await;
    assert_eq!(mail.status, outbox_mail::QUEUED);
    assert_eq!(mail.lease_until, None);
    held.abort();
}
