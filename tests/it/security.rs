//! Security properties every response and every form must have.

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let mut app = TestApp::new().await;
    for path in ["/", "/praktijken", "/inloggen", "/bestaat-niet", "/healthz"] {
        let page = app.get(path).await;
        let csp = page.headers["content-security-policy"]
            .to_str()
            .unwrap_or("");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(page.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(page.headers["referrer-policy"], "same-origin", "{path}");
        assert!(page.headers.contains_key("x-request-id"), "{path}");
    }
    let home = app.get("/").await;
    assert!(
        !home.body.contains("<script"),
        "no script at all, inline or not"
    );
    assert!(!home.body.contains("style=\""), "no inline styles either");
}

#[tokio::test]
async fn pages_are_asked_for_again_and_members_pages_are_not_kept() {
    let mut app = TestApp::new().await;
    for path in [
        "/",
        "/praktijken",
        "/bestaat-niet",
        "/wachtwoord-instellen/verlopen",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.headers["cache-control"], "no-cache", "{path}");
    }
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    for path in ["/", "/praktijken/migranten", "/meldingen", "/profiel"] {
        let page = app.get(path).await;
        assert_eq!(page.headers["cache-control"], "no-store", "{path}");
    }
    // The stylesheet keeps its long life: its name changes with its content.
    let home = app.get("/").await;
    let css = home
        .body
        .split('"')
        .find(|s| s.starts_with("/assets/style-"))
        .expect("a stylesheet link")
        .to_string();
    let sheet = app.get(&css).await;
    assert!(
        sheet.headers["cache-control"]
            .to_str()
            .is_ok_and(|v| v.contains("immutable"))
    );
}

#[tokio::test]
async fn forms_without_the_right_token_are_refused() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.get("/").await;
    let fields = [("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)];

    let missing = app.post_raw("/inloggen", &fields).await;
    missing
        .assert_status(403)
        .assert_contains("Het formulier is verlopen");
    let wrong = app
        .post_raw(
            "/inloggen",
            &[("csrf_token", &"0".repeat(64)), fields[0], fields[1]],
        )
        .await;
    wrong.assert_status(403);
    assert!(!app.cookies.contains_key("erbij_session"));

    // A cross-site request is refused even with a valid token.
    app.headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    app.post("/inloggen", &fields).await.assert_status(403);
    app.headers = vec![("origin".into(), "https://evil.example".into())];
    app.post("/inloggen", &fields).await.assert_status(403);
    app.headers = vec![
        ("origin".into(), "http://erbij.test".into()),
        ("sec-fetch-site".into(), "same-origin".into()),
    ];
    app.post("/inloggen", &fields).await.assert_status(303);

    // Signing out needs the token too, so another site cannot sign people out.
    app.headers.clear();
    app.post_raw("/uitloggen", &[]).await.assert_status(403);
    app.get("/profiel").await.assert_status(200);
}

#[tokio::test]
async fn bad_requests_get_clear_pages_not_errors() {
    let mut app = TestApp::new().await;
    app.admin("beheer@coalitie.nl").await;
    app.login_as("beheer@coalitie.nl").await;
    app.get("/beheer/mensen/abc")
        .await
        .assert_status(400)
        .assert_contains("Dat ging niet goed");
    app.get("/beheer/mensen/99999").await.assert_status(404);
    app.get("/beheer/mensen?pagina=-3").await.assert_status(400);
    app.get("/beheer/mensen?pagina=999")
        .await
        .assert_status(200);
    app.get("/beheer/logboek?pagina=0").await.assert_status(200);
    app.post("/beheer/praktijken/abc/archiveren", &[])
        .await
        .assert_status(400);

    // A form body that is far too large.
    let huge = "x".repeat(2 * 1024 * 1024);
    app.post("/word-lid", &[("name", "A"), ("motivation", &huge)])
        .await
        .assert_status(413)
        .assert_contains("Te groot");

    // Not a form at all.
    let req = axum::http::Request::post("/inloggen")
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .expect("request");
    app.send(req).await.assert_status(400);

    // Wrong method.
    app.get("/uitloggen").await.assert_status(404);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_and_long_ones_are_welcome() {
    let mut app = TestApp::new().await;
    let long =
        "Een heel lang wachtwoord als een zin over de Erasmusbrug bij zonsondergang in de herfst"
            .to_string();
    assert!(long.chars().count() > 64 && long.chars().count() < 128);
    app.admin("beheer@coalitie.nl").await;
    let link = erbij::app::first_admin_link(&app.state).await.expect("q");
    assert!(link.is_none(), "an administrator exists already");
    let member = app.member("m@b.nl").await;
    let hash = member.password_hash.clone().unwrap_or_default();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));

    app.login_as("m@b.nl").await;
    let page = app
        .post(
            "/profiel/wachtwoord",
            &[
                ("current_password", PASSWORD),
                ("password", &long),
                ("password_confirm", &long),
            ],
        )
        .await;
    page.assert_status(303);
    app.new_browser();
    app.post("/inloggen", &[("email", "m@b.nl"), ("password", &long)])
        .await
        .assert_status(303);
}

#[tokio::test]
async fn over_https_cookies_are_secure_and_browsers_are_told_to_stay() {
    let mut app = TestApp::with_settings(|s| s.base_url = "https://erbij.example.nl".into()).await;
    app.member("m@b.nl").await;
    let home = app.get("/inloggen").await;
    assert_eq!(
        home.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
    assert!(
        home.headers["set-cookie"]
            .to_str()
            .unwrap_or("")
            .contains("Secure")
    );
    let page = app.login_as("m@b.nl").await;
    let session = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("erbij_session="))
        .expect("a session cookie")
        .to_string();
    assert!(session.contains("Secure"), "{session}");

    let mut plain = TestApp::new().await;
    assert!(
        !plain
            .get("/")
            .await
            .headers
            .contains_key("strict-transport-security")
    );
}

#[tokio::test]
async fn a_lost_database_gets_a_calm_page_without_internals() {
    let mut app = TestApp::new().await;
    app.member("m@b.nl").await;
    app.login_as("m@b.nl").await;
    app.state.db.clone().close().await.expect("close the pool");
    let page = app.get("/praktijken").await;
    page.assert_status(503)
        .assert_contains("Even niet bereikbaar")
        .assert_lacks("sqlx")
        .assert_lacks("pool");
    // Not ready, but alive: a database away for a moment is no reason to restart the server.
    app.get("/readyz").await.assert_status(503);
    app.get("/healthz").await.assert_status(200);
}

/// Signs in from `n` browsers at once (all from the test's one address), one email each
/// from `emails`, and counts the answers by status.
async fn parallel_sign_ins(
    app: &TestApp,
    emails: &[String],
    password: &str,
) -> std::collections::BTreeMap<u16, usize> {
    let mut browsers = Vec::new();
    for _ in emails {
        let mut browser = app.second_browser();
        browser.csrf_token().await;
        browsers.push(browser);
    }
    let answers = futures_util::future::join_all(browsers.iter_mut().zip(emails).map(
        |(browser, email)| async move {
            browser
                .post(
                    "/inloggen",
                    &[("email", email.as_str()), ("password", password)],
                )
                .await
                .status
                .as_u16()
        },
    ))
    .await;
    let mut counts = std::collections::BTreeMap::new();
    for status in answers {
        *counts.entry(status).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn parallel_wrong_sign_ins_cannot_pass_the_limit_together() {
    let app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let same_account = vec!["marieke@buurtkracht.nl".to_string(); 20];
    let counts = parallel_sign_ins(&app, &same_account, "wrong-wrong-wrong").await;
    // 422: the password was checked and found wrong; 429: refused before checking.
    let checked = counts.get(&422).copied().unwrap_or(0);
    assert!(
        checked <= 5,
        "at most 5 reach the password check: {counts:?}"
    );
    assert_eq!(
        checked + counts.get(&429).copied().unwrap_or(0),
        20,
        "{counts:?}"
    );

    // The right password is refused too while the account is held back.
    let mut browser = app.second_browser();
    browser
        .post(
            "/inloggen",
            &[("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)],
        )
        .await
        .assert_status(429);
}

#[tokio::test]
async fn parallel_sign_ins_from_one_address_cannot_pass_its_limit_together() {
    let app = TestApp::new().await;
    let many: Vec<String> = (0..40).map(|i| format!("iemand{i}@example.nl")).collect();
    let counts = parallel_sign_ins(&app, &many, "wrong-wrong-wrong").await;
    // 503 (too many checks at once) still means the attempt got past the throttle.
    let past_throttle =
        counts.get(&422).copied().unwrap_or(0) + counts.get(&503).copied().unwrap_or(0);
    assert!(
        past_throttle <= 30,
        "at most 30 get past the throttle: {counts:?}"
    );
    assert_eq!(
        counts.get(&429).copied().unwrap_or(0),
        40 - past_throttle,
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_right_sign_in_does_not_count_against_the_address() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    for _ in 0..35 {
        app.login_as("marieke@buurtkracht.nl").await;
        app.new_browser();
    }
}

#[tokio::test]
async fn an_empty_csrf_cookie_and_no_token_is_refused() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let fields = [("email", "marieke@buurtkracht.nl"), ("password", PASSWORD)];
    // No Origin or Sec-Fetch-Site header: only the token stands in the way.
    app.cookies.insert("erbij_csrf".into(), String::new());
    app.post_raw("/inloggen", &fields)
        .await
        .assert_status(403)
        .assert_contains("Het formulier is verlopen");
    app.cookies.insert("erbij_csrf".into(), String::new());
    app.post_raw("/inloggen", &[("csrf_token", ""), fields[0], fields[1]])
        .await
        .assert_status(403);
    // A made-up short cookie with the same value in the form is no token either.
    app.cookies.insert("erbij_csrf".into(), "abc".into());
    app.post_raw("/inloggen", &[("csrf_token", "abc"), fields[0], fields[1]])
        .await
        .assert_status(403);
    // Same-site, with the origin saying so: still the token decides.
    app.headers = vec![
        ("origin".into(), "http://erbij.test".into()),
        ("sec-fetch-site".into(), "same-origin".into()),
    ];
    app.cookies.insert("erbij_csrf".into(), String::new());
    app.post_raw("/inloggen", &fields).await.assert_status(403);
    assert!(!app.cookies.contains_key("erbij_session"));
    // The page's own token works.
    app.cookies.clear();
    app.post("/inloggen", &fields).await.assert_status(303);
}

#[tokio::test]
async fn next_never_leads_off_the_site_nor_to_an_error() {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    let hostile = [
        "/%09/evil.example/",
        "//evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "/%0a",
        "/%0d%0a",
        "/%7f",
        "/%0d%0aSet-Cookie:%20x=y",
        "/praktijken%0a",
    ];
    // Signing in through the form carries `next` along.
    let page = app
        .post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", PASSWORD),
                ("next", "/\t/evil.example/"),
            ],
        )
        .await;
    page.assert_status(303);
    assert_eq!(page.location(), "/");
    // Signed in, the sign-in page sends straight on to `next`.
    for next in hostile {
        let page = app.get(&format!("/inloggen?next={next}")).await;
        assert_eq!(page.status.as_u16(), 303, "{next}: {}", page.body);
        assert_eq!(page.location(), "/", "{next}");
    }
    let page = app.get("/inloggen?next=/praktijken/migranten").await;
    assert_eq!(page.location(), "/praktijken/migranten");

    for next in [
        "/\n",
        "/\r\n",
        "/\u{7f}",
        "/\t/evil.example/",
        "//evil.example",
        "/\\evil.example",
    ] {
        let page = app
            .get(&format!(
                "/taal/en?{}",
                serde_html_form::to_string([("terug", next)]).unwrap()
            ))
            .await;
        assert_eq!(page.status.as_u16(), 303, "{next:?}: {}", page.body);
        assert_eq!(page.location(), "/", "{next:?}");
    }
    let page = app
        .get(&format!(
            "/taal/nl?{}",
            serde_html_form::to_string([("terug", "/praktijken")]).unwrap()
        ))
        .await;
    assert_eq!(page.location(), "/praktijken");
}

/// The real `erbij` binary, serving on a free port until dropped.
struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Server {
    fn start(data_dir: &std::path::Path, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_erbij"))
            .arg("serve")
            .current_dir(data_dir)
            .env_remove("DATABASE_URL")
            .env_remove("SMTP_URL")
            .env("ERBIJ_DATA_DIR", data_dir)
            .env("ERBIJ_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(
                std::fs::File::create(data_dir.join("server.out"))
                    .map(std::process::Stdio::from)
                    .unwrap_or_else(|_| std::process::Stdio::null()),
            )
            .stderr(
                std::fs::File::create(data_dir.join("server.log"))
                    .map(std::process::Stdio::from)
                    .unwrap_or_else(|_| std::process::Stdio::null()),
            )
            .spawn()
            .expect("the binary starts");
        Server { child, port }
    }

    /// A kibibyte figure from `/proc/<pid>/status`, such as `VmHWM` (peak resident memory).
    fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server is running");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in:\n{status}"))
    }

    /// One plain HTTP/1.1 request; the status and the raw head of the answer.
    async fn request(&self, head: &str, body: &str) -> std::io::Result<(u16, String)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
        let request = format!(
            "{head}\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).await?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await?;
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let head = answer.split("\r\n\r\n").next().unwrap_or("").to_string();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, head))
    }

    async fn wait_until_up(&self) {
        for _ in 0..600 {
            if let Ok((200, _)) = self.request("GET /healthz HTTP/1.1", "").await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server did not come up");
    }
}

/// What the server said, on stdout and stderr, for a failing test's message.
fn server_log(dir: &std::path::Path) -> String {
    ["server.out", "server.log"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_hundred_parallel_sign_ins_keep_the_real_server_under_200_mb() {
    use erbij::entities::user;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, Database, TransactionTrait};

    let dir = tempfile::tempdir().expect("dir");
    let migrated = std::process::Command::new(env!("CARGO_BIN_EXE_erbij"))
        .arg("migrate")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env("ERBIJ_DATA_DIR", dir.path())
        .output()
        .expect("migrate runs");
    assert!(migrated.status.success(), "{migrated:?}");

    // A hundred members, one password (hashed once: this test is about the server's memory).
    let db = Database::connect(format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("erbij.db").display()
    ))
    .await
    .expect("the database opens");
    let hash = erbij::password::Hashing::default()
        .hash(PASSWORD.into())
        .await
        .expect("hash");
    let txn = db.begin().await.expect("begin");
    for i in 0..100 {
        user::ActiveModel {
            email: Set(format!("lid{i}@buurtkracht.nl")),
            name: Set(format!("Lid {i}")),
            organisation: Set("Welzijn Rotterdam".into()),
            job: Set("Opbouwwerker".into()),
            password_hash: Set(Some(hash.clone())),
            is_admin: Set(false),
            is_expert: Set(false),
            disabled: Set(false),
            lang: Set("nl".into()),
            created_at: Set(chrono::Utc::now()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .expect("insert member");
    }
    txn.commit().await.expect("commit");
    db.close().await.ok();

    // Behind a proxy that says who is asking, so each sign-in comes from its own address and
    // no throttle is what keeps the memory down.
    let server = Server::start(dir.path(), &[("ERBIJ_TRUST_PROXY", "true")]);
    server.wait_until_up().await;
    let at_rest = server.memory_kib("VmRSS");

    let token = "ab".repeat(32);
    let answers = futures_util::future::join_all((0..100).map(|i| {
        let server = &server;
        let token = token.clone();
        async move {
            let password = if i % 2 == 0 { PASSWORD } else { "wrong-wrong-wrong" };
            let body = serde_html_form::to_string([
                ("csrf_token", token.as_str()),
                ("email", &format!("lid{i}@buurtkracht.nl")),
                ("password", password),
            ])
            .expect("form");
            let head = format!(
                "POST /inloggen HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nCookie: erbij_csrf={token}\r\nX-Forwarded-For: 10.1.{}.{}",
                i / 250,
                i % 250 + 1
            );
            server.request(&head, &body).await.expect("an answer")
        }
    }))
    .await;
    let peak = server.memory_kib("VmHWM");

    let mut counts = std::collections::BTreeMap::new();
    for (status, head) in &answers {
        *counts.entry(*status).or_insert(0) += 1;
        if *status == 503 {
            assert!(
                head.to_ascii_lowercase().contains("retry-after:"),
                "a busy answer says when to come back:\n{head}"
            );
        }
    }
    eprintln!(
        "100 parallel sign-ins: answers {counts:?}; resident {} MiB at rest, peak {} MiB",
        at_rest / 1024,
        peak / 1024
    );
    assert!(
        counts.keys().all(|s| [303, 422, 429, 503].contains(s)),
        "only 303/422/429/503: {counts:?}; server log:\n{}",
        server_log(dir.path())
    );
    assert!(
        peak < 200 * 1024,
        "peak resident memory {} MiB (at rest {} MiB); answers {counts:?}; server log:\n{}",
        peak / 1024,
        at_rest / 1024,
        server_log(dir.path())
    );
}
