//! `TestApp`: a cookie-keeping, form-submitting client for the in-process application, plus
//! story helpers (`login_as`, `member`, `admin`) and the mail outbox.

#![allow(dead_code)]

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Request, StatusCode, header},
};
use chrono::Utc;
use erbij::{AppState, Settings, app, entities::user};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database};
use tempfile::TempDir;
use tower::ServiceExt;

pub use crate::mail::Mail;

pub const PASSWORD: &str = "lantaarn-fiets-Kralingen-42";

pub struct TestApp {
    pub state: AppState,
    router: Router,
    pub cookies: HashMap<String, String>,
    pub dir: Arc<Scratch>,
    pub outbox: PathBuf,
    pub client: SocketAddr,
    pub headers: Vec<(String, String)>,
    /// Statements sent to the database since the start.
    pub queries: Arc<AtomicUsize>,
}

#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for files that are not text.
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Self {
        assert!(
            self.body.contains(text),
            "expected the page to contain {text:?}; status {}, body:\n{}",
            self.status,
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, text: &str) -> &Self {
        assert!(
            !self.body.contains(text),
            "expected the page not to contain {text:?}:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body:\n{}", self.body);
        self
    }

    /// The text between `<title>` and `</title>`.
    pub fn title(&self) -> &str {
        self.body
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(t, _)| t)
            .unwrap_or("")
    }
}

/// What one test site keeps on the machine: its folder (SQLite file, outbox, uploads) and, on
/// PostgreSQL, its own database. Both go when the last browser on the site is dropped, so that
/// thousands of test runs do not fill the PostgreSQL server's disk.
pub struct Scratch {
    folder: TempDir,
    /// The server's admin URL and the test database's name.
    database: Option<(String, String)>,
}

impl Scratch {
    pub async fn new() -> Scratch {
        let folder = tempfile::tempdir().expect("temp dir");
        let database = match std::env::var("ERBIJ_TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("erbij_test_{}", &erbij::tokens::random_secret()[..16]);
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .expect("the PostgreSQL test server answers");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("a test database can be created");
                admin.close().await.ok();
                Some((admin_url, name))
            }
            _ => None,
        };
        Scratch { folder, database }
    }

    pub fn path(&self) -> &std::path::Path {
        self.folder.path()
    }

    /// The settings of a site in this folder and database (before `resolved`).
    pub fn settings(&self) -> Settings {
        Settings {
            data_dir: self.path().to_path_buf(),
            database_url: self.database_url(),
            base_url: "http://erbij.test".into(),
            ..Settings::default()
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database {
            Some((admin_url, name)) => {
                let (base, _) = admin_url.rsplit_once('/').expect("URL has a database part");
                format!("{base}/{name}")
            }
            None => format!(
                "sqlite://{}?mode=rwc",
                self.folder.path().join("erbij.db").display()
            ),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.database.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread of its own
        // with a small runtime does the work. FORCE closes the site's pooled connections.
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .map_err(|e| e.to_string())?;
                let result = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
                result.map(drop).map_err(|e| format!("drop {name}: {e}"))
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("test database left behind: {e}"),
            Err(_) => eprintln!("test database left behind: the dropping thread panicked"),
        }
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_settings(|_| {}).await
    }

    /// A fresh site with some settings changed.
    pub async fn with_settings(change: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::on(Scratch::new().await, change).await
    }

    /// A site in a folder (and, on PostgreSQL, a database) made beforehand, such as one a
    /// backup was restored into.
    pub async fn on(dir: Scratch, change: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = dir.settings();
        change(&mut settings);
        let settings = settings.resolved();
        let outbox = settings.outbox_dir.clone();
        let queries = Arc::new(AtomicUsize::new(0));
        let counter = queries.clone();
        let state = app::prepare_with(settings, move |db| {
            db.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            })
        })
        .await
        .expect("the app starts");
        let router = erbij::router::build(state.clone());
        TestApp {
            state,
            router,
            cookies: HashMap::new(),
            dir: Arc::new(dir),
            outbox,
            client: SocketAddr::from(([192, 0, 2, 10], 50000)),
            headers: Vec::new(),
            queries,
        }
    }

    pub fn base(&self) -> String {
        self.state.settings.base_url.clone()
    }

    /// Another browser on the same site: same database and outbox, its own cookies.
    pub fn second_browser(&self) -> TestApp {
        TestApp {
            state: self.state.clone(),
            router: self.router.clone(),
            cookies: HashMap::new(),
            dir: self.dir.clone(),
            outbox: self.outbox.clone(),
            client: self.client,
            headers: Vec::new(),
            queries: self.queries.clone(),
        }
    }

    /// A browser on a second instance of the site: the same database, its own process state
    /// (page cache, mailer, pools), as a second server behind a load balancer would have.
    pub async fn other_instance(&self) -> TestApp {
        let state = app::prepare(self.state.settings.clone())
            .await
            .expect("the second instance starts");
        TestApp {
            router: erbij::router::build(state.clone()),
            state,
            ..self.second_browser()
        }
    }

    /// Forget every cookie: a new browser.
    pub fn new_browser(&mut self) {
        self.cookies.clear();
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: Request<Body>) -> Page {
        let (status, headers, bytes) = self.send_raw(req).await;
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// A GET whose body is kept as it came (a download).
    pub async fn get_bytes(&mut self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let req = Request::get(path).body(Body::empty()).expect("request");
        self.send_raw(req).await
    }

    /// Sends a request with this browser's cookies and headers, and keeps the cookies set.
    pub async fn send_raw(&mut self, mut req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        if !self.cookies.is_empty() {
            let value = self.cookie_header();
            req.headers_mut()
                .insert(header::COOKIE, value.parse().expect("cookie header"));
        }
        req.headers_mut()
            .insert(header::HOST, "erbij.test".parse().expect("host"));
        for (k, v) in &self.headers {
            req.headers_mut().insert(
                header::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
                v.parse().expect("header value"),
            );
        }
        req.extensions_mut().insert(ConnectInfo(self.client));
        let response = self.router.clone().oneshot(req).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().unwrap_or("");
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let expired = set.contains("Max-Age=0") || value.is_empty();
            if expired {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// A GET, and how many database statements it cost.
    pub async fn get_counting(&mut self, path: &str) -> (Page, usize) {
        let before = self.queries.load(Ordering::SeqCst);
        let page = self.get(path).await;
        (page, self.queries.load(Ordering::SeqCst) - before)
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = Request::get(path).body(Body::empty()).expect("request");
        self.send(req).await
    }

    /// Follows redirects of GETs, like a browser.
    pub async fn follow(&mut self, mut page: Page) -> Page {
        for _ in 0..5 {
            if !page.status.is_redirection() {
                break;
            }
            let to = page.location().to_string();
            page = self.get(&to).await;
        }
        page
    }

    pub async fn csrf_token(&mut self) -> String {
        if !self.cookies.contains_key("erbij_csrf") {
            // A page with a form hands out the token; reading pages set no cookie.
            self.get("/inloggen").await;
        }
        self.cookies.get("erbij_csrf").cloned().unwrap_or_default()
    }

    /// Submits a form as the browser would, with the CSRF token of the page.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Submits a `multipart/form-data` form (one with file inputs), with the CSRF token.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Page {
        let token = self.csrf_token().await;
        let boundary = "erbij-test-boundary-7d3f";
        let mut body: Vec<u8> = Vec::new();
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        for (name, value) in all {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, filename, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = Request::post(path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Submits exactly these fields (no token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_html_form::to_string(fields).expect("form encodes");
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    pub fn mails(&self) -> Vec<Mail> {
        Mail::read_outbox(&self.outbox)
    }

    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        self.mails().into_iter().filter(|m| m.to == to).collect()
    }

    /// Waits (up to ten seconds, for a loaded CI machine) for a mail to `to` whose subject
    /// contains `subject`.
    pub async fn mail(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..1000 {
            if let Some(m) = self
                .mails_to(to)
                .into_iter()
                .find(|m| m.subject.contains(subject))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no mail to {to} about {subject:?}; outbox: {:#?}",
            self.mails()
        );
    }

    /// Gives background sending time to settle (waiting for a first mail, up to two
    /// seconds), then says how many mails `to` got.
    pub async fn settled_count(&self, to: &str) -> usize {
        for _ in 0..200 {
            if !self.mails_to(to).is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.mails_to(to).len()
    }

    /// Waits (up to ten seconds) until `to` has at least `n` mails, and returns them.
    pub async fn at_least(&self, to: &str, n: usize) -> Vec<Mail> {
        for _ in 0..1000 {
            let mails = self.mails_to(to);
            if mails.len() >= n {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("fewer than {n} mails to {to}: {:#?}", self.mails());
    }

    /// A person with a password, straight into the database.
    pub async fn person(&self, email: &str, name: &str, admin: bool, expert: bool) -> user::Model {
        let hash = self
            .state
            .passwords
            .hash(PASSWORD.into())
            .await
            .expect("hash");
        user::ActiveModel {
            email: Set(email.into()),
            name: Set(name.into()),
            organisation: Set("Welzijn Rotterdam".into()),
            job: Set("Opbouwwerker".into()),
            password_hash: Set(Some(hash)),
            is_admin: Set(admin),
            is_expert: Set(expert),
            disabled: Set(false),
            lang: Set("nl".into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.state.db)
        .await
        .expect("insert person")
    }

    pub async fn member(&self, email: &str) -> user::Model {
        self.person(email, "Marieke de Vries", false, false).await
    }

    pub async fn member_other(&self) -> user::Model {
        self.person("kees@buurtkracht.nl", "Kees Bos", false, false)
            .await
    }

    pub async fn admin(&self, email: &str) -> user::Model {
        self.person(email, "Ahmed Bakkali", true, false).await
    }

    /// Makes a person facilitator of the practice with this slug.
    pub async fn make_facilitator(&self, user_id: i32, slug: &str) {
        use erbij::entities::{membership, practice};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let practice = practice::Entity::find()
            .filter(practice::Column::Slug.eq(slug))
            .one(&self.state.db)
            .await
            .expect("query")
            .expect("practice");
        membership::ActiveModel {
            user_id: Set(user_id),
            practice_id: Set(practice.id),
            role: Set(membership::Role::Facilitator),
            created_at: Set(Utc::now()),
        }
        .insert(&self.state.db)
        .await
        .expect("facilitator");
    }

    /// Signs in through the form, in this browser.
    pub async fn login_as(&mut self, email: &str) -> Page {
        let page = self
            .post("/inloggen", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in failed:\n{}",
            page.body
        );
        page
    }
}
