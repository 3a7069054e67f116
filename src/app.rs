//! Building and running the application, shaped like zero-to-production's `startup.rs`:
//! `Application::build(settings)` gives the same app to the binary and to the tests.

use std::{net::SocketAddr, ops::Deref, sync::Arc, time::Duration};

use anyhow::Context as _;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use tokio::net::TcpListener;

use crate::{
    assets::Assets,
    config::Settings,
    db,
    entities::user,
    mail::{self, Email, Mailer},
    password, router,
    tokens::{self, Purpose},
};

/// Everything a handler may need, shared behind one `Arc`.
pub struct App {
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub mailer: Arc<Mailer>,
    pub assets: Assets,
    /// Wakes the mail loop at once (a new post may have notifications to mail).
    pub wake_mail: tokio::sync::Notify,
    /// Every password hash and check goes through this, a few at a time.
    pub passwords: password::Hashing,
    /// Every uploaded image and PDF is cleaned through this, a few at a time.
    pub media: crate::media::Jobs,
    /// Visitors' pages kept rendered, and what writes changed.
    pub pages: crate::page_cache::PageCache,
    /// Members' read positions, written behind.
    pub read_marks: crate::forum::read_marks::ReadMarks,
    /// Attachments and data exports: a local folder or an S3 bucket.
    pub storage: crate::storage::Storage,
    /// What the background work last did (for `/metrics` and the health page).
    pub vitals: crate::observability::Vitals,
    /// Set when the server stops: the background loops end at their next safe point.
    pub stopping: Stopping,
    /// Outbox rows this process is sending, handed back if a stop cuts a send short.
    pub outbox_claims: crate::delivery::outbox::Claims,
}

/// The stop, once begun: seen at once by whoever asks, and awaited by the loops and the
/// listeners.
pub struct Stopping(tokio::sync::watch::Sender<bool>);

impl Default for Stopping {
    fn default() -> Self {
        Stopping(tokio::sync::watch::channel(false).0)
    }
}

impl Stopping {
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// Returns once the stop has begun.
    pub async fn wait(&self) {
        let mut seen = self.0.subscribe();
        // The sender lives as long as the application: no error to expect.
        let _ = seen.wait_for(|stopping| *stopping).await;
    }
}

#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl AppState {
    pub fn send_later(&self, email: Email) {
        mail::send_later(self.mailer.clone(), self.settings.mail_from.clone(), email);
    }
}

pub struct Application {
    state: AppState,
    listener: TcpListener,
    /// `metrics_bind`'s listener, serving `/metrics` only.
    metrics_listener: Option<TcpListener>,
}

impl Application {
    /// Connects, migrates, seeds and binds. Port 0 picks a free port (tests do this).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let state = prepare(settings).await?;
        let listener = TcpListener::bind(state.settings.bind)
            .await
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let metrics_listener = match state.settings.metrics_bind {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} for metrics"))?,
            ),
            None => None,
        };
        Ok(Application {
            state,
            listener,
            metrics_listener,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The port of `metrics_bind`'s listener, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        let listener = self.metrics_listener.as_ref()?;
        listener.local_addr().ok().map(|a| a.port())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until ctrl-c or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `signal`, then stops in order: no new connections; requests under way
    /// finish, for at most `shutdown_grace_seconds`; the background loops end at a safe point
    /// (the mail schedule after the mails under way); read positions noted are written; and
    /// outbox rows a send cut short still holds are handed back, for another instance to send
    /// at once.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state;
        let app = router::build(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        // These two stop at a safe point of their own; the others do work that is one-off or
        // safe to repeat, and are cut at their next await (a transaction cut short rolls back).
        let careful = [
            tokio::spawn(crate::jobs::run_schedule(state.clone())),
            tokio::spawn(crate::forum::read_marks::keep_writing(state.clone())),
        ];
        let cut = [
            tokio::spawn(housekeeping(state.clone())),
            tokio::spawn(clean_earlier_images(state.clone())),
            tokio::spawn(build_search_index(state.clone())),
            tokio::spawn(render_stale_bodies(state.clone())),
            tokio::spawn(crate::page_cache::listen_to_instances(state.clone())),
            tokio::spawn(crate::observability::keep_up()),
        ];
        let told = state.clone();
        tokio::spawn(async move {
            signal.await;
            tracing::info!("shutting down");
            told.stopping.begin();
        });
        let until_stopping = |state: &AppState| {
            let state = state.clone();
            async move { state.stopping.wait().await }
        };
        let metrics = self.metrics_listener.map(|listener| {
            let private = crate::observability::private_router(state.clone());
            tokio::spawn(
                axum::serve(listener, private)
                    .with_graceful_shutdown(until_stopping(&state))
                    .into_future(),
            )
        });
        let server = axum::serve(self.listener, app)
            .with_graceful_shutdown(until_stopping(&state))
            .into_future();
        tokio::pin!(server);
        let mut served = None;
        tokio::select! {
            result = &mut server => served = Some(result),
            () = state.stopping.wait() => {}
        }
        state.stopping.begin();
        let grace = Duration::from_secs(state.settings.shutdown_grace_seconds);
        let deadline = tokio::time::Instant::now() + grace;
        if served.is_none() {
            served = tokio::time::timeout_at(deadline, &mut server).await.ok();
            if served.is_none() {
                tracing::warn!(
                    seconds = grace.as_secs(),
                    "requests still under way after the grace period: stopping anyway"
                );
            }
        }
        for task in cut {
            task.abort();
        }
        // The careful loops get what is left of the grace period, and a moment at least.
        let until = deadline.max(tokio::time::Instant::now() + Duration::from_secs(1));
        for mut task in careful {
            if tokio::time::timeout_at(until, &mut task).await.is_err() {
                tracing::warn!("a background loop did not stop in time: cut short");
                task.abort();
                // Gone once this returns: nothing of it writes after the hand-back below.
                let _ = task.await;
            }
        }
        // Requests are done: nothing noted is lost on a clean stop.
        match state.read_marks.flush(&state.db).await {
            Ok(people) if people.is_empty() => {}
            Ok(people) => {
                crate::forum::read_marks::tell_other_instances(&state, &people).await;
                tracing::info!(members = people.len(), "read positions written at stop");
            }
            Err(err) => tracing::error!(error = %err, "writing read positions at stop failed"),
        }
        match crate::delivery::outbox::hand_back(&state).await {
            Ok(0) => {}
            Ok(mails) => tracing::info!(mails, "mails cut short handed back to the outbox"),
            Err(err) => tracing::error!(error = %err, "handing mails back to the outbox failed"),
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        tracing::info!("stopped");
        match served {
            Some(result) => Ok(result?),
            None => Ok(()),
        }
    }
}

/// The state without a listener: for the tests' in-process client and the CLI.
pub async fn prepare(settings: Settings) -> anyhow::Result<AppState> {
    prepare_with(settings, |_| {}).await
}

/// As [`prepare`], letting the caller adjust the connection first (tests count queries).
pub async fn prepare_with(
    settings: Settings,
    configure: impl FnOnce(&mut DatabaseConnection),
) -> anyhow::Result<AppState> {
    let mut db = db::connect(&settings)
        .await
        .context("cannot open the database")?;
    configure(&mut db);
    // Counters count from the start, also what migrating and seeding do.
    crate::observability::install();
    db::migrate(&db).await.context("migrations failed")?;
    db::seed(&db).await.context("seeding failed")?;
    let mailer = Arc::new(Mailer::from_settings(&settings)?);
    let pages = crate::page_cache::PageCache::new(settings.page_cache_mb);
    let storage = crate::storage::Storage::from_settings(&settings)?;
    Ok(AppState(Arc::new(App {
        settings,
        db,
        mailer,
        assets: Assets::load(),
        wake_mail: tokio::sync::Notify::new(),
        passwords: password::Hashing::default(),
        media: crate::media::Jobs::default(),
        pages,
        read_marks: Default::default(),
        storage,
        vitals: Default::default(),
        stopping: Default::default(),
        outbox_claims: Default::default(),
    })))
}

/// When there is no administrator yet, a one-time link to create the first one.
pub async fn first_admin_link(state: &AppState) -> anyhow::Result<Option<String>> {
    let admins = user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .count(&state.db)
        .await?;
    if admins > 0 {
        return Ok(None);
    }
    let secret = tokens::issue(&state.db, Purpose::FirstAdmin, None).await?;
    Ok(Some(
        state.settings.url(&format!("/eerste-beheerder/{secret}")),
    ))
}

/// The retention job (expired sessions and tokens, old throttle counts, unconfirmed and
/// long-stopped subscriptions, old mail text, data exports nobody fetched): at start-up,
/// then once a day.
async fn housekeeping(state: AppState) {
    let day = u64::try_from(crate::retention::RUN_EVERY_DAYS).unwrap_or(1) * 24 * 3600;
    let mut tick = tokio::time::interval(Duration::from_secs(day));
    loop {
        tick.tick().await;
        if let Err(err) = crate::retention::run(&state.db, &state.storage).await {
            tracing::warn!(error = %err, "the retention job failed");
        }
        // What it removes is not shown to visitors, but a job names no parts: to be sure.
        state.pages.everything_changed().await;
    }
}

/// Once at start-up: images uploaded before uploads were cleaned are cleaned now (by one
/// instance; the others wait and find them clean).
async fn clean_earlier_images(state: AppState) {
    let cleaned = db::one_at_a_time(
        &state.db,
        db::Lock::EarlierImages,
        crate::forum::attachments::clean_earlier_images(&state),
    )
    .await
    .map_err(crate::error::AppError::from)
    .and_then(|cleaned| cleaned);
    match cleaned {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(cleaned = n, "earlier images re-encoded without metadata");
            state.pages.everything_changed().await;
        }
        Err(err) => tracing::warn!(error = %err, "cleaning earlier images failed"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// The search index is built at the first start after search came (or after the index's
/// make-up changed), in the background: search finds more as it goes, the site serves.
async fn build_search_index(state: AppState) {
    if let Err(err) = crate::search::index::build_if_needed(&state.db).await {
        tracing::error!(error = %err, "building the search index failed");
    }
    // "Related" lists kept while the index was half built find more now.
    state
        .pages
        .changed(&[crate::page_cache::Part::Titles])
        .await;
}

/// Once at start-up: post bodies an older renderer made are rendered again; the threads they
/// are in are fresh in the page cache at once.
async fn render_stale_bodies(state: AppState) {
    match crate::forum::bodies::render_stale(&state.db).await {
        Ok(threads) if threads.is_empty() => {}
        Ok(threads) => {
            tracing::info!(threads = threads.len(), "post bodies rendered again");
            let parts: Vec<_> = threads
                .into_iter()
                .map(crate::page_cache::Part::Thread)
                .collect();
            state.pages.changed(&parts).await;
        }
        Err(err) => tracing::warn!(error = %err, "rendering post bodies again failed"),
    }
}
