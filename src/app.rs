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
}

impl Application {
    /// Connects, migrates, seeds and binds. Port 0 picks a free port (tests do this).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let state = prepare(settings).await?;
        let listener = TcpListener::bind(state.settings.bind)
            .await
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        Ok(Application { state, listener })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let app =
            router::build(self.state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(housekeeping(self.state.clone()));
        tokio::spawn(crate::jobs::run_schedule(self.state.clone()));
        tokio::spawn(clean_earlier_images(self.state.clone()));
        tokio::spawn(build_search_index(self.state.clone()));
        tokio::spawn(render_stale_bodies(self.state.clone()));
        tokio::spawn(crate::page_cache::listen_to_instances(self.state.clone()));
        tokio::spawn(crate::forum::read_marks::keep_writing(self.state.clone()));
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        // Requests are done: nothing noted is lost on a clean stop.
        match self.state.read_marks.flush(&self.state.db).await {
            Ok(people) if people.is_empty() => {}
            Ok(people) => {
                crate::forum::read_marks::tell_other_instances(&self.state, &people).await;
                tracing::info!(members = people.len(), "read positions written at stop");
            }
            Err(err) => tracing::error!(error = %err, "writing read positions at stop failed"),
        }
        tracing::info!("stopped");
        Ok(())
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
        if let Err(err) = crate::retention::run(&state.db, &state.settings.data_dir).await {
            tracing::warn!(error = %err, "the retention job failed");
        }
        // What it removes is not shown to visitors, but a job names no parts: to be sure.
        state.pages.everything_changed().await;
    }
}

/// Once at start-up: images uploaded before uploads were cleaned are cleaned now.
async fn clean_earlier_images(state: AppState) {
    match crate::forum::attachments::clean_earlier_images(&state).await {
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
    tracing::info!("shutting down");
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
