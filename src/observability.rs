//! Seeing what the server does: Prometheus metrics at `/metrics`, readiness at `/readyz`, and
//! the figures behind the administrators' health page.
//!
//! Counters and the request histogram go to the `metrics` crate's recorder, installed once per
//! process (tests build many applications in one). Figures that are a state rather than an
//! event — the database pool, the outbox, the mail schedule's lag, this instance's page cache —
//! are read when `/metrics` is asked for, so they are never stale and cost nothing between
//! scrapes.
//!
//! `/metrics` on the site's own address answers only with the bearer token of
//! `metrics_token`, and is the site's ordinary 404 page otherwise: it says how busy the site
//! is and which routes exist. A second listener (`metrics_bind`) serves it without a token,
//! for a private network. Routes are labelled with their pattern (`/onderwerpen/{id}`),
//! never the path asked for: some paths carry secrets, and every distinct path would be a
//! series of its own.

use std::{
    sync::{
        Mutex, OnceLock, PoisonError,
        atomic::{AtomicI64, Ordering},
    },
    time::Instant,
};

use axum::{
    Router,
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::{DateTime, Utc};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr};
use sha2::{Digest, Sha256};

use crate::{AppState, delivery::outbox, error::AppError};

pub const HTTP_REQUESTS: &str = "erbij_http_requests_total";
pub const HTTP_SECONDS: &str = "erbij_http_request_duration_seconds";
pub const DB_POOL_SIZE: &str = "erbij_db_pool_connections";
pub const DB_POOL_IDLE: &str = "erbij_db_pool_idle_connections";
pub const DB_POOL_MAX: &str = "erbij_db_pool_max_connections";
pub const DB_UP: &str = "erbij_db_up";
pub const PAGE_CACHE_HITS: &str = "erbij_page_cache_hits_total";
pub const PAGE_CACHE_MISSES: &str = "erbij_page_cache_misses_total";
pub const OUTBOX_UNSENT: &str = "erbij_outbox_unsent";
pub const OUTBOX_DUE: &str = "erbij_outbox_due";
pub const OUTBOX_OLDEST_UNSENT: &str = "erbij_outbox_oldest_unsent_age_seconds";
pub const OUTBOX_OLDEST_DUE: &str = "erbij_outbox_oldest_due_age_seconds";
pub const MAILS_SENT: &str = "erbij_mails_sent_total";
pub const MAILS_FAILED: &str = "erbij_mails_failed_total";
pub const MAIL_SCHEDULE_LAG: &str = "erbij_mail_schedule_lag_seconds";
pub const SIGN_IN_FAILURES: &str = "erbij_sign_in_failures_total";

/// Request durations, in seconds: a page takes milliseconds, a slow one a second or more, and
/// the server gives up at 30.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The process's recorder, installed the first time an application is prepared.
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_SECONDS.into()), BUCKETS)
            .map_or_else(
                |_| PrometheusBuilder::new().build_recorder(),
                PrometheusBuilder::build_recorder,
            );
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!(
                "another metrics recorder is installed; /metrics shows scrape-time figures only"
            );
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Requests answered, by route pattern, method and status."
    );
    describe_histogram!(
        HTTP_SECONDS,
        metrics::Unit::Seconds,
        "Time to answer a request."
    );
    describe_gauge!(DB_POOL_SIZE, "Database connections open in the pool.");
    describe_gauge!(DB_POOL_IDLE, "Open database connections not in use.");
    describe_gauge!(DB_POOL_MAX, "The most connections the pool opens.");
    describe_gauge!(
        DB_UP,
        "1 when the database answered the last scrape, else 0."
    );
    describe_counter!(PAGE_CACHE_HITS, "Pages served from the page cache.");
    describe_counter!(
        PAGE_CACHE_MISSES,
        "Reading pages rendered because no fresh copy was kept."
    );
    describe_gauge!(
        OUTBOX_UNSENT,
        "Mails in the outbox not yet sent (queued or being sent)."
    );
    describe_gauge!(OUTBOX_DUE, "Mails in the outbox due to be sent now.");
    describe_gauge!(OUTBOX_OLDEST_UNSENT, "Age of the oldest mail not yet sent.");
    describe_gauge!(
        OUTBOX_OLDEST_DUE,
        "How long the longest-waiting due mail has been due."
    );
    describe_counter!(MAILS_SENT, "Mails the mail server accepted.");
    describe_counter!(
        MAILS_FAILED,
        "Mails that failed: passing (retried), given_up or bounced."
    );
    describe_gauge!(
        MAIL_SCHEDULE_LAG,
        "Seconds since the mail schedule last finished a turn."
    );
    describe_counter!(
        SIGN_IN_FAILURES,
        "Sign-ins refused: wrong password or too many tries."
    );
}

/// Mails sent directly (`send_later`) or through the outbox.
pub fn mail_sent(via: &'static str) {
    metrics::counter!(MAILS_SENT, "via" => via).increment(1);
}

/// A mail that was not delivered: `passing` (tried again later), `given_up` or `bounced`.
pub fn mail_failed(via: &'static str, kind: &'static str) {
    metrics::counter!(MAILS_FAILED, "via" => via, "kind" => kind).increment(1);
}

/// A refused sign-in: `password` (wrong, or no such account) or `throttled`.
pub fn sign_in_failed(reason: &'static str) {
    metrics::counter!(SIGN_IN_FAILURES, "reason" => reason).increment(1);
}

/// What this instance's background work last did.
pub struct Vitals {
    started_at: i64,
    /// When the mail schedule last finished a turn (Unix seconds; 0: not yet).
    mail_turn_at: AtomicI64,
}

impl Default for Vitals {
    fn default() -> Self {
        Vitals {
            started_at: Utc::now().timestamp(),
            mail_turn_at: AtomicI64::new(0),
        }
    }
}

impl Vitals {
    /// The mail schedule finished a turn.
    pub fn mail_turn_done(&self) {
        self.mail_turn_at
            .store(Utc::now().timestamp(), Ordering::Relaxed);
    }

    pub fn last_mail_turn(&self) -> Option<DateTime<Utc>> {
        match self.mail_turn_at.load(Ordering::Relaxed) {
            0 => None,
            at => DateTime::from_timestamp(at, 0),
        }
    }

    /// Seconds since the last turn, or since the start when there was none yet (a schedule
    /// that never finishes a turn lags more and more).
    pub fn mail_lag_seconds(&self) -> i64 {
        let since = match self.mail_turn_at.load(Ordering::Relaxed) {
            0 => self.started_at,
            at => at,
        };
        (Utc::now().timestamp() - since).max(0)
    }
}

/// Counts and times every request by its route's pattern (outermost layer, so the time is
/// the whole answer's).
pub async fn track_requests(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(req.method());
    let started = Instant::now();
    let response = next.run(req).await;
    let labels = [
        ("route", route),
        ("method", method.to_owned()),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_SECONDS, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// Methods the site knows; anything else is `other` (a made-up method per request must not
/// make a series per request).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// GET /metrics on the site's address: with the token, else the site's 404.
pub async fn show_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if !token_matches(&state.settings.metrics_token, &headers) {
        return AppError::NotFound.into_response();
    }
    scrape(&state).await
}

/// The second listener's router: `/metrics` only, without a token (a private network).
pub fn private_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { scrape(&state).await }),
        )
        .with_state(state)
}

/// Whether `Authorization: Bearer …` carries the token. Both are hashed before comparing, so
/// neither the time taken nor the lengths say how much of a guess was right.
fn token_matches(token: &str, headers: &HeaderMap) -> bool {
    if token.is_empty() {
        return false;
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, given)| given.trim());
    let (expected, given) = (
        Sha256::digest(token.as_bytes()),
        Sha256::digest(given.as_bytes()),
    );
    expected
        .iter()
        .zip(given.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

async fn scrape(state: &AppState) -> Response {
    let body = render(state).await;
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// The metrics text, with the figures read now set first.
pub async fn render(state: &AppState) -> String {
    let backlog = outbox::backlog(&state.db).await;
    if let Err(err) = &backlog {
        tracing::warn!(error = %err, "reading the outbox for /metrics failed");
    }
    let pool = PoolUse::of(&state.db);
    let pages = state.pages.lookups();
    let lag = state.vitals.mail_lag_seconds();
    let now = Utc::now();
    let age = |at: Option<DateTime<Utc>>| at.map_or(0.0, |at| seconds(now - at));
    // The recorder is the process's; the figures are this application's. Setting them and
    // rendering under one lock keeps another application's scrape (tests build many) from
    // mixing its figures into ours.
    static SCRAPING: Mutex<()> = Mutex::new(());
    let _turn = SCRAPING.lock().unwrap_or_else(PoisonError::into_inner);
    let gauge = |name: &'static str, value: f64| metrics::gauge!(name).set(value);
    gauge(DB_POOL_SIZE, f64::from(pool.size));
    gauge(DB_POOL_IDLE, f64::from(pool.idle));
    gauge(DB_POOL_MAX, f64::from(pool.max));
    gauge(DB_UP, if backlog.is_ok() { 1.0 } else { 0.0 });
    if let Ok(backlog) = &backlog {
        gauge(OUTBOX_UNSENT, backlog.unsent as f64);
        gauge(OUTBOX_DUE, backlog.due as f64);
        gauge(OUTBOX_OLDEST_UNSENT, age(backlog.oldest_unsent));
        gauge(OUTBOX_OLDEST_DUE, age(backlog.due_since));
    }
    gauge(MAIL_SCHEDULE_LAG, lag as f64);
    metrics::counter!(PAGE_CACHE_HITS).absolute(pages.hits);
    metrics::counter!(PAGE_CACHE_MISSES).absolute(pages.misses);
    let handle = install();
    handle.render()
}

fn seconds(span: chrono::TimeDelta) -> f64 {
    span.num_milliseconds().max(0) as f64 / 1000.0
}

/// The database pool's connections now.
#[derive(Clone, Copy, Debug)]
pub struct PoolUse {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

impl PoolUse {
    pub fn of(db: &DatabaseConnection) -> PoolUse {
        let (size, idle, max) = match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                let pool = db.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DatabaseBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => (0, 0, 0),
        };
        PoolUse {
            size,
            idle: u32::try_from(idle).unwrap_or(u32::MAX),
            max,
        }
    }
}

/// Whether the database's schema is what this version expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Current,
    /// This many migrations have not run.
    Behind(usize),
    /// The database has migrations this version does not know (a newer version ran them,
    /// as in a rolling update): this version keeps serving.
    Ahead,
}

/// Reads (never writes: no migration table is created) which migrations have run.
pub async fn schema(db: &DatabaseConnection) -> Result<Schema, DbErr> {
    match Migrator::get_pending_migrations_read_only(db).await {
        Ok(pending) if pending.is_empty() => Ok(Schema::Current),
        Ok(pending) => Ok(Schema::Behind(pending.len())),
        // The migrator's one error of its own: a migration ran that it has no file for.
        Err(DbErr::Custom(_)) => Ok(Schema::Ahead),
        Err(err) => Err(err),
    }
}

/// GET /readyz: 200 when the database answers and its schema is current, so a load balancer
/// sends people here; 503 with the reason otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    if let Err(err) = state.db.execute_unprepared("SELECT 1").await {
        tracing::error!(error = %err, "readiness: the database does not answer");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable".into(),
        );
    }
    match schema(&state.db).await {
        Ok(Schema::Current | Schema::Ahead) => (StatusCode::OK, "ready".into()),
        Ok(Schema::Behind(n)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{n} migrations pending"),
        ),
        Err(err) => {
            tracing::error!(error = %err, "readiness: reading the migrations failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable".into(),
            )
        }
    }
}

/// GET /healthz: the process is alive and answers (the database is /readyz's question: a
/// database that is away for a moment is no reason to restart the server).
pub async fn healthz() -> &'static str {
    "ok"
}

/// Keeps the recorder's histograms drained between scrapes (the `metrics` exporter's
/// upkeep), for as long as the server runs.
pub async fn keep_up() {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
    loop {
        tick.tick().await;
        install().run_upkeep();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_token_itself_opens_metrics() {
        assert!(token_matches("s3cret", &bearer("Bearer s3cret")));
        assert!(token_matches("s3cret", &bearer("bearer s3cret")));
        assert!(!token_matches("s3cret", &bearer("Bearer s3cre")));
        assert!(!token_matches("s3cret", &bearer("Bearer s3crett")));
        assert!(!token_matches("s3cret", &bearer("Basic s3cret")));
        assert!(!token_matches("s3cret", &bearer("s3cret")));
        assert!(!token_matches("s3cret", &HeaderMap::new()));
        // No token set: nobody gets in, also not with an empty one.
        assert!(!token_matches("", &bearer("Bearer ")));
        assert!(!token_matches("", &HeaderMap::new()));
    }

    #[test]
    fn made_up_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let odd = Method::from_bytes(b"FROBNICATE").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}
