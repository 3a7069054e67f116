//! Reading pages, kept in memory. A visitor's page is the same for every visitor (no cookie,
//! no per-visitor token: see [`crate::context::CsrfToken`]), so once rendered it is served
//! from here until a write changes what it shows. A member's page is kept too, for that
//! session only (keyed by the request's cookies, never served to anyone else, `no-store` to
//! the browser), and also shows the member's own state ([`Part::Person`]: the bell, read
//! positions, drafts, watches); it is kept no longer than the session is known to be live.
//!
//! **Exact invalidation, never a guess by time.** A page says which [`Part`]s of the site it
//! shows (a thread, a practice's list, the site's activity, the titles that lists and
//! "related" read). A write names the parts it changes through [`Changes`]; a write that
//! names nothing changes [`everything`](PageCache::everything_changed) — so a forgotten name
//! costs speed, never freshness. Every change takes the next number of one counter; a page
//! remembers the counter's value from *before* it was rendered, and is fresh while none of
//! its parts changed after that. A write that commits while a page renders therefore makes
//! that page stale at once, whichever finishes first.
//!
//! Pages are served with an `ETag` and `Cache-Control: no-cache` (a browser or proxy asks
//! again every time and gets `304 Not Modified` while the page is unchanged, so a hidden
//! post never outlives its hiding), and in gzip and brotli when the browser takes them
//! (compressed once, on the blocking pool, the first time a kept page is asked for so).
//!
//! On PostgreSQL, several instances tell each other what changed (`NOTIFY erbij_pages`).

use std::{
    collections::HashMap,
    io::Write as _,
    sync::{
        Arc, Mutex, OnceLock, PoisonError, RwLock,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    body::{Body, Bytes},
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tracing::Instrument as _;

use crate::{AppState, session};

/// What a page shows, and what a write changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// A thread's page: its posts, title and state.
    Thread(i32),
    /// A practice's page: its list of threads.
    Practice(i32),
    /// The site's activity: the home page and the list of practices (counts, latest posts).
    Activity,
    /// Thread titles and summaries: what lists of summaries, feeds and "related" show.
    Titles,
    /// One member's own state: notifications, read positions, drafts, watches, language,
    /// sessions. Only that member's pages show it.
    Person(i32),
}

impl Part {
    fn encode(self) -> String {
        match self {
            Part::Thread(id) => format!("t{id}"),
            Part::Practice(id) => format!("p{id}"),
            Part::Activity => "a".into(),
            Part::Titles => "n".into(),
            Part::Person(id) => format!("u{id}"),
        }
    }

    fn decode(word: &str) -> Option<Part> {
        let number = |rest: &str| rest.parse().ok();
        match word.split_at_checked(1)? {
            ("t", id) => number(id).map(Part::Thread),
            ("p", id) => number(id).map(Part::Practice),
            ("a", "") => Some(Part::Activity),
            ("n", "") => Some(Part::Titles),
            ("u", id) => number(id).map(Part::Person),
            _ => None,
        }
    }
}

/// What a handler marks its page with when a copy may be kept: the parts it shows.
#[derive(Clone, Debug)]
pub struct Keep(pub Vec<Part>);

/// A page that may be kept, showing `parts` (and, for a member, that member's own state).
pub fn keep(page: impl IntoResponse, parts: impl Into<Vec<Part>>) -> Response {
    let mut response = page.into_response();
    response.extensions_mut().insert(Keep(parts.into()));
    response
}

/// What the page shell marks a signed-in member's page with: whose it is, and until when the
/// session behind it is known to be live without asking the database again (its end, or the
/// next renewal of its "last used").
#[derive(Clone, Copy, Debug)]
pub struct Member {
    pub id: i32,
    pub until: DateTime<Utc>,
}

/// What the page shell marks a page with when it shows relative times ("3 minutes ago"):
/// the first moment one of them reads differently. A kept page is fresh no longer.
#[derive(Clone, Copy, Debug)]
pub struct TrueUntil(pub DateTime<Utc>);

/// One kept page.
struct Page {
    /// The change counter before it was rendered.
    made_at: u64,
    parts: Vec<Part>,
    /// A member's page: served only for the same session, never stored by the browser.
    member: bool,
    /// Fresh no longer than this: a relative time on it changes, or a member's session is
    /// not known to be live after it.
    until: Option<DateTime<Utc>>,
    content_type: HeaderValue,
    etag: String,
    body: Bytes,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

impl Page {
    fn weight(&self) -> u32 {
        let compressed =
            self.gzip.get().map_or(0, Bytes::len) + self.brotli.get().map_or(0, Bytes::len);
        u32::try_from(self.body.len() + compressed + 256).unwrap_or(u32::MAX)
    }

    fn respond(&self, request: &HeaderMap) -> Response {
        let accepts = |coding: &str| {
            request
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .any(|c| {
                    let mut it = c.split(';');
                    it.next().is_some_and(|name| name.trim() == coding)
                        && it.all(|param| param.trim().replace(' ', "") != "q=0")
                })
        };
        let (body, encoding, etag) = match (self.brotli.get(), self.gzip.get()) {
            (Some(br), _) if accepts("br") => {
                (br.clone(), Some("br"), format!("\"{}-br\"", self.etag))
            }
            (_, Some(gz)) if accepts("gzip") => {
                (gz.clone(), Some("gzip"), format!("\"{}-gz\"", self.etag))
            }
            _ => (self.body.clone(), None, format!("\"{}\"", self.etag)),
        };
        let not_modified = request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|tag| tag.trim().trim_start_matches("W/") == etag);
        let mut response = if not_modified {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            Response::new(Body::from(body))
        };
        let headers = response.headers_mut();
        if !not_modified {
            headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        }
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        if let Ok(etag) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, etag);
        }
        // What a signed-in person saw is not kept by the browser (the Back button after
        // signing out on a shared computer); a visitor's page is asked for again each time.
        let policy = if self.member { "no-store" } else { "no-cache" };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Encoding, Accept-Language, Cookie"),
        );
        response
    }
}

/// A thread's "related" list as one kind of reader sees it, and when it was made.
type Related = (u64, Vec<crate::search::results::Item>);

/// The kept pages and the change counter.
pub struct PageCache {
    pages: Option<moka::sync::Cache<String, Arc<Page>>>,
    /// Pages being rendered for a visitor, and how their waiters are woken.
    rendering: Arc<Mutex<HashMap<String, Arc<tokio::sync::Notify>>>>,
    /// Addresses whose pages are not kept (forms, errors): rendered by everyone at once.
    not_kept: moka::sync::Cache<String, ()>,
    /// One page is compressed at a time (a brotli encoder takes megabytes).
    compressing: Arc<tokio::sync::Semaphore>,
    /// Reading pages rendered at once; more wait their turn (a crowd of pages that are not
    /// kept costs a bounded amount of memory, not one rendering's worth per request).
    rendering_slots: tokio::sync::Semaphore,
    /// "Related" lists under threads, per thread, kind of reader and language: they hold
    /// only titles a kind of reader may find, so members share them; fresh until titles
    /// change ([`Part::Titles`]).
    related: moka::sync::Cache<(i32, u8, crate::i18n::Lang), Arc<Related>>,
    counter: AtomicU64,
    everything: AtomicU64,
    parts: RwLock<HashMap<Part, u64>>,
    /// Set on PostgreSQL: changes go to the other instances too.
    others: OnceLock<sea_orm::sqlx::PgPool>,
    /// This instance's name in those messages (it skips its own).
    instance: String,
    /// Reading pages served from here, and rendered because no fresh copy was kept.
    hits: AtomicU64,
    misses: AtomicU64,
}

/// How often a reading page was served from memory, and how often it was rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lookups {
    pub hits: u64,
    pub misses: u64,
}

impl PageCache {
    /// A cache of at most `megabytes` of pages (0: keep nothing).
    pub fn new(megabytes: u64) -> PageCache {
        let pages = (megabytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(megabytes.saturating_mul(1024 * 1024))
                .weigher(|_: &String, page: &Arc<Page>| page.weight())
                .build()
        });
        PageCache {
            pages,
            rendering: Arc::default(),
            not_kept: moka::sync::Cache::new(10_000),
            compressing: Arc::new(tokio::sync::Semaphore::new(1)),
            rendering_slots: tokio::sync::Semaphore::new(RENDERING_AT_ONCE),
            related: moka::sync::Cache::new(10_000),
            counter: AtomicU64::new(0),
            everything: AtomicU64::new(0),
            parts: RwLock::default(),
            others: OnceLock::new(),
            instance: crate::tokens::random_secret(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Pages served from memory and rendered, since the start.
    pub fn lookups(&self) -> Lookups {
        Lookups {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    /// The change counter now: take it before reading what a kept list will show.
    pub fn now(&self) -> u64 {
        self.counter.load(Ordering::SeqCst)
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// `parts` changed (call after the write is committed).
    pub async fn changed(&self, parts: &[Part]) {
        self.changed_here(parts);
        self.tell_others_about(parts).await;
    }

    async fn tell_others_about(&self, parts: &[Part]) {
        if self.others.get().is_none() {
            return;
        }
        // PostgreSQL takes a notification of less than 8,000 bytes: a reply that rings a
        // thousand bells goes out in several.
        let mut message = String::new();
        for part in parts {
            let word = part.encode();
            if !message.is_empty() && message.len() + word.len() >= NOTIFY_MAX {
                self.tell_others(&message).await;
                message.clear();
            }
            if !message.is_empty() {
                message.push(' ');
            }
            message.push_str(&word);
        }
        if !message.is_empty() {
            self.tell_others(&message).await;
        }
    }

    /// Anything may have changed (a write that named nothing, a job).
    pub async fn everything_changed(&self) {
        self.everything_changed_here();
        self.tell_others("*").await;
    }

    async fn tell_others(&self, message: &str) {
        let Some(pool) = self.others.get() else {
            return;
        };
        if let Err(err) = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(format!("{}|{message}", self.instance))
            .execute(pool)
            .await
        {
            tracing::warn!(error = %err, "telling the other instances about a change failed");
        }
    }

    fn changed_here(&self, parts: &[Part]) {
        if parts.is_empty() {
            return;
        }
        let mut versions = self.parts.write().unwrap_or_else(PoisonError::into_inner);
        let at = self.next();
        for part in parts {
            versions.insert(*part, at);
        }
    }

    fn everything_changed_here(&self) {
        let at = self.next();
        self.everything.store(at, Ordering::SeqCst);
        if let Some(pages) = &self.pages {
            pages.invalidate_all();
        }
    }

    /// Applies what another instance said changed.
    fn apply(&self, message: &str) {
        if message == "*" {
            self.everything_changed_here();
        } else {
            let parts: Vec<Part> = message.split(' ').filter_map(Part::decode).collect();
            self.changed_here(&parts);
        }
    }

    fn is_fresh(&self, page: &Page) -> bool {
        if self.everything.load(Ordering::SeqCst) > page.made_at
            || page.until.is_some_and(|until| until <= Utc::now())
        {
            return false;
        }
        let versions = self.parts.read().unwrap_or_else(PoisonError::into_inner);
        page.parts
            .iter()
            .all(|part| versions.get(part).is_none_or(|&at| at <= page.made_at))
    }

    fn fresh(&self, key: &str) -> Option<Arc<Page>> {
        let pages = self.pages.as_ref()?;
        let page = pages.get(key)?;
        if self.is_fresh(&page) {
            Some(page)
        } else {
            pages.invalidate(key);
            None
        }
    }

    /// Answers with a kept page; the first time a browser asks for it compressed, it is
    /// compressed (once, in the background, one page at a time, and only when no other is
    /// being compressed: a crowd of new addresses never queues work or memory).
    fn serve(&self, key: String, page: &Arc<Page>, asked: &HeaderMap) -> Response {
        self.hits.fetch_add(1, Ordering::Relaxed);
        let wants = asked.contains_key(header::ACCEPT_ENCODING);
        if wants
            && page.gzip.get().is_none()
            && let Some(pages) = self.pages.clone()
            && let Ok(turn) = self.compressing.clone().try_acquire_owned()
        {
            let page = page.clone();
            tokio::spawn(
                async move {
                    let page = tokio::task::spawn_blocking(move || {
                        compress(&page);
                        page
                    })
                    .await;
                    drop(turn);
                    // Counted again with its compressed forms, unless replaced meanwhile.
                    if let Ok(page) = page
                        && pages
                            .get(&key)
                            .is_some_and(|kept| Arc::ptr_eq(&kept, &page))
                    {
                        pages.insert(key, page);
                    }
                }
                .instrument(tracing::Span::current()),
            );
        }
        page.respond(asked)
    }

    /// The "related" list kept for this thread, kind of reader and language, if fresh.
    pub fn related(
        &self,
        thread: i32,
        reader: u8,
        lang: crate::i18n::Lang,
    ) -> Option<Vec<crate::search::results::Item>> {
        let kept = self.related.get(&(thread, reader, lang))?;
        let fresh = self.everything.load(Ordering::SeqCst) <= kept.0 && {
            let versions = self.parts.read().unwrap_or_else(PoisonError::into_inner);
            [Part::Titles, Part::Thread(thread)]
                .iter()
                .all(|part| versions.get(part).is_none_or(|&at| at <= kept.0))
        };
        fresh.then(|| kept.1.clone())
    }

    /// Keeps a "related" list made from what was read after `made_at` ([`PageCache::now`]).
    pub fn keep_related(
        &self,
        thread: i32,
        reader: u8,
        lang: crate::i18n::Lang,
        made_at: u64,
        items: Vec<crate::search::results::Item>,
    ) {
        self.related
            .insert((thread, reader, lang), Arc::new((made_at, items)));
    }

    /// This request renders `key`, or waits (once, and not long) for the one that does. A
    /// page known not to be kept (a form) is rendered at once by everyone.
    async fn render_or_wait(&self, key: &str) -> Turn {
        if self.not_kept.contains_key(key) {
            return Turn::Waited;
        }
        let done = {
            let mut rendering = self
                .rendering
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match rendering.get(key) {
                Some(done) => done.clone(),
                None => {
                    let done = Arc::new(tokio::sync::Notify::new());
                    rendering.insert(key.to_owned(), done.clone());
                    return Turn::Render(Rendering {
                        cache: self.rendering.clone(),
                        key: key.to_owned(),
                        done,
                    });
                }
            }
        };
        let notified = done.notified();
        tokio::pin!(notified);
        // Registered before looking again, so that a rendering that ends in between is seen.
        notified.as_mut().enable();
        let still_rendering = self
            .rendering
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .is_some_and(|d| Arc::ptr_eq(d, &done));
        if still_rendering {
            let _ = tokio::time::timeout(WAIT_MAX, notified).await;
        }
        Turn::Waited
    }

    /// `key` answered with a page that is not kept: nobody waits for it next time.
    fn not_kept(&self, key: &str) {
        self.not_kept.insert(key.to_owned(), ());
    }

    /// Whether this instance hears the others' changes (on PostgreSQL, once listening).
    pub fn hears_others(&self) -> bool {
        self.others.get().is_some()
    }

    /// Whether a fresh copy of this visitor's page is kept (for tests).
    pub fn holds(&self, lang: &str, path: &str) -> bool {
        self.fresh(&key(lang, path)).is_some()
    }

    /// Every kept visitor's page's text (for tests: what visitors are served from memory).
    pub fn texts(&self) -> Vec<String> {
        self.pages
            .iter()
            .flat_map(|pages| pages.iter())
            .filter(|(_, page)| !page.member)
            .map(|(_, page)| String::from_utf8_lossy(&page.body).into_owned())
            .collect()
    }

    /// The bytes kept (pages and their compressed forms), at most the configured size.
    pub fn kept_bytes(&self) -> u64 {
        self.pages.as_ref().map_or(0, |pages| {
            pages.run_pending_tasks();
            pages.weighted_size()
        })
    }

    /// How many members' pages are kept (for tests).
    pub fn members_pages(&self) -> usize {
        self.pages.as_ref().map_or(0, |pages| {
            pages.run_pending_tasks();
            pages.iter().filter(|(_, page)| page.member).count()
        })
    }
}

/// What a write changes, named by its handler ([`Changes::posts_in`] and the like). A write
/// whose handler names nothing changes everything.
#[derive(Clone, Default)]
pub struct Changes(Arc<Mutex<Option<Vec<Part>>>>);

impl Changes {
    fn name(&self, parts: &[Part]) {
        let mut named = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        named.get_or_insert_with(Vec::new).extend_from_slice(parts);
    }

    /// A reply or an edit: the thread, its practice's list and the site's activity.
    pub fn posts_in(&self, thread_id: i32, practice_id: i32) {
        self.name(&[
            Part::Thread(thread_id),
            Part::Practice(practice_id),
            Part::Activity,
        ]);
    }

    /// A new thread: as a reply, and the titles that lists and "related" show.
    pub fn new_thread(&self, thread_id: i32, practice_id: i32) {
        self.posts_in(thread_id, practice_id);
        self.titles();
    }

    /// A meeting's places or details: the "Binnenkort" lists of its practice and of the
    /// home page (`None`: a meeting of the whole community, on the home page only).
    pub fn meeting(&self, practice_id: Option<i32>) {
        self.name(&[Part::Activity]);
        if let Some(id) = practice_id {
            self.name(&[Part::Practice(id)]);
        }
    }

    /// Titles and summaries (what lists, feeds, "related" and summary pages show).
    pub fn titles(&self) {
        self.name(&[Part::Titles]);
    }

    /// Nothing any kept page shows (a sign-in: the new session has no pages yet).
    pub fn nothing_shown(&self) {
        self.name(&[]);
    }

    /// Only what this member's own pages show (a read mark, a draft, a watch, the bell, a
    /// setting, a session): pages of others and visitors' pages stay.
    pub fn personal(&self, user_id: i32) {
        self.name(&[Part::Person(user_id)]);
    }

    /// The bells of these members (they were told something).
    pub fn people(&self, ids: impl IntoIterator<Item = i32>) {
        let parts: Vec<Part> = ids.into_iter().map(Part::Person).collect();
        self.name(&parts);
    }

    fn named(&self) -> Option<Vec<Part>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Changes {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Changes>()
            .cloned()
            .unwrap_or_default())
    }
}

fn key(lang: &str, path: &str) -> String {
    format!("{lang} {path}")
}

/// A member's page's key: everything in the request that can change what it shows (its
/// cookies — the session, the form token, a kept draft's key — and languages), hashed, then
/// the address. A visitor's key has no such prefix, so the two never meet.
fn member_key(headers: &HeaderMap, path: &str) -> String {
    let mut hash = Sha256::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in headers.get_all(&name) {
            hash.update(value.as_bytes());
            hash.update([0]);
        }
        hash.update([1]);
    }
    format!("m{} {path}", hex::encode(&hash.finalize()[..16]))
}

/// The largest page kept.
const PAGE_MAX: usize = 2 * 1024 * 1024;

/// Serves reading pages from memory, keeps the ones handlers mark with [`Keep`], and after
/// every write applies what it changed.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut req = req;
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let changes = Changes::default();
    req.extensions_mut().insert(changes.clone());
    let mut pending = Pending {
        state: state.clone(),
        changes: changes.clone(),
        write,
        done: false,
    };
    let response = if write {
        next.run(req).await
    } else {
        read(&state, req, next).await
    };
    match changes.named() {
        // A write's handler named what it changed; a reading page that writes (a read
        // position, a draft taken over after signing in, the language) does too — also when
        // the answer is a refusal (a preview with errors still keeps the draft).
        Some(parts) => state.pages.changed(&parts).await,
        // A refused request (a bad token, a form with errors, a limit) wrote nothing a page
        // shows: it must not empty the cache either, or refused requests could keep the site
        // rendering. (A server error may come after a commit: it counts as a write.)
        None if write && !response.status().is_client_error() => {
            state.pages.everything_changed().await;
        }
        None => {}
    }
    pending.done = true;
    response
}

/// What a request has changed, applied even when it is dropped midway (the browser went away,
/// a time limit): what its handler named so far, and for a write that named nothing,
/// everything (what it committed is not known).
struct Pending {
    state: AppState,
    changes: Changes,
    write: bool,
    /// Applied in the ordinary way: nothing left to do.
    done: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let parts = match self.changes.named() {
            Some(parts) if !parts.is_empty() => {
                self.state.pages.changed_here(&parts);
                Some(parts)
            }
            None if self.write => {
                self.state.pages.everything_changed_here();
                None
            }
            _ => return,
        };
        if self.state.pages.hears_others()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let state = self.state.clone();
            runtime.spawn(
                async move {
                    match parts {
                        Some(parts) => state.pages.tell_others_about(&parts).await,
                        None => state.pages.tell_others("*").await,
                    }
                }
                .instrument(tracing::Span::current()),
            );
        }
    }
}

/// A reading request: from memory when a fresh copy is kept, else rendered (and kept when
/// the handler marked it).
async fn read(state: &AppState, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || state.pages.pages.is_none() {
        return next.run(req).await;
    }
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let asked = req.headers().clone();
    let jar = CookieJar::from_headers(&asked);
    if jar.get(session::COOKIE).is_some() {
        // A member's own page: nobody else has these cookies, so nobody waits for it.
        let key = member_key(&asked, &path);
        if let Some(page) = state.pages.fresh(&key) {
            return state.pages.serve(key, &page, &asked);
        }
        let _slot = state.pages.rendering_slots.acquire().await;
        state.pages.misses.fetch_add(1, Ordering::Relaxed);
        let made_at = state.pages.now();
        let response = next.run(req).await;
        let Some(member) = response.extensions().get::<Member>().copied() else {
            return response;
        };
        return keep_page(state, key, made_at, Some(member), response, &asked).await;
    }
    let lang = crate::shell::choose_lang(&jar, None, &asked);
    let key = key(lang.code(), &path);
    if let Some(page) = state.pages.fresh(&key) {
        return state.pages.serve(key, &page, &asked);
    }
    // Many visitors asking for a page that is not kept (yet, or any more) wait for the one
    // who renders it, once, rather than all rendering it at the same moment.
    let rendering = match state.pages.render_or_wait(&key).await {
        Turn::Render(guard) => Some(guard),
        Turn::Waited => {
            if let Some(page) = state.pages.fresh(&key) {
                return state.pages.serve(key, &page, &asked);
            }
            None
        }
    };
    let _slot = state.pages.rendering_slots.acquire().await;
    state.pages.misses.fetch_add(1, Ordering::Relaxed);
    let made_at = state.pages.now();
    let response = next.run(req).await;
    if response.extensions().get::<Keep>().is_none() {
        if rendering.is_some() {
            state.pages.not_kept(&key);
        }
        return response;
    }
    let answer = keep_page(state, key, made_at, None, response, &asked).await;
    drop(rendering);
    answer
}

/// Keeps a rendered page the handler marked with [`Keep`] (a member's with that member's
/// own state as one more part), and answers with it.
async fn keep_page(
    state: &AppState,
    key: String,
    made_at: u64,
    member: Option<Member>,
    response: Response,
    asked: &HeaderMap,
) -> Response {
    let Some(Keep(mut parts)) = response.extensions().get::<Keep>().cloned() else {
        return response;
    };
    if response.status() != StatusCode::OK
        || response.headers().contains_key(header::SET_COOKIE)
        || response.headers().contains_key(header::CONTENT_ENCODING)
    {
        return response;
    }
    let Some(pages) = &state.pages.pages else {
        return response;
    };
    if let Some(member) = member {
        parts.push(Part::Person(member.id));
    }
    let until = [
        member.map(|m| m.until),
        response.extensions().get::<TrueUntil>().map(|t| t.0),
    ]
    .into_iter()
    .flatten()
    .min();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("text/html; charset=utf-8"));
    let Ok(rendered) = axum::body::to_bytes(response.into_body(), PAGE_MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // Kept in a buffer of its own size: the rendering's grew by doubling, and kept as it is
    // a page would hold up to twice its bytes.
    let body = Bytes::copy_from_slice(&rendered);
    drop(rendered);
    let page = Arc::new(Page {
        made_at,
        parts,
        member: member.is_some(),
        until,
        content_type,
        etag: hex::encode(&Sha256::digest(&body)[..12]),
        body,
        gzip: OnceLock::new(),
        brotli: OnceLock::new(),
    });
    let answer = page.respond(asked);
    pages.insert(key.clone(), page);
    state.pages.not_kept.invalidate(&key);
    answer
}

/// Whether a request renders a page itself or waited for another that did.
enum Turn {
    Render(Rendering),
    Waited,
}

/// Held while a page is rendered; others asking for it wait until it is dropped.
struct Rendering {
    cache: Arc<Mutex<HashMap<String, Arc<tokio::sync::Notify>>>>,
    key: String,
    done: Arc<tokio::sync::Notify>,
}

impl Drop for Rendering {
    fn drop(&mut self) {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
        self.done.notify_waiters();
    }
}

/// Reading pages rendered at the same moment, at most (twice SQLite's pool: the database, not
/// this number, is what limits how many are done a second).
const RENDERING_AT_ONCE: usize = 8;

/// How long a visitor waits for another's rendering before rendering the page too.
const WAIT_MAX: std::time::Duration = std::time::Duration::from_secs(2);

fn compress(page: &Page) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    if gz.write_all(&page.body).is_ok()
        && let Ok(bytes) = gz.finish()
    {
        let _ = page.gzip.set(Bytes::copy_from_slice(&bytes));
    }
    let mut br = Vec::new();
    // A window of 256 kB covers any page kept; the encoder's memory follows the window.
    let params = brotli::enc::BrotliEncoderParams {
        quality: 6,
        lgwin: 18,
        ..Default::default()
    };
    if brotli::BrotliCompress(&mut page.body.as_ref(), &mut br, &params).is_ok() {
        let _ = page.brotli.set(Bytes::copy_from_slice(&br));
    }
}

/// On PostgreSQL: applies the other instances' changes, heard over `LISTEN erbij_pages`
/// (this instance's own go out in [`PageCache::changed`] before the write's answer does).
pub async fn listen_to_instances(state: AppState) {
    if state.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
        return;
    }
    let pool = state.db.get_postgres_connection_pool().clone();
    let mut listener = match sea_orm::sqlx::postgres::PgListener::connect_with(&pool).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(error = %err, "cannot listen for other instances' page changes");
            return;
        }
    };
    if let Err(err) = listener.listen(CHANNEL).await {
        tracing::error!(error = %err, "cannot listen for other instances' page changes");
        return;
    }
    // Pages kept before now (the server answers before it listens) may miss a change another
    // instance announced meanwhile.
    state.pages.everything_changed_here();
    let _ = state.pages.others.set(pool);
    loop {
        // `try_recv`, not `recv`: `recv` reconnects without a word, and what the others said
        // while the connection was down would be lost unnoticed.
        match listener.try_recv().await {
            Ok(Some(n)) => {
                if let Some((from, message)) = n.payload().split_once('|')
                    && from != state.pages.instance
                {
                    state.pages.apply(message);
                }
            }
            Ok(None) => {
                // The connection dropped and came back: what changed meanwhile is unknown.
                tracing::warn!("listening for page changes was interrupted");
                state.pages.everything_changed_here();
            }
            Err(err) => {
                tracing::warn!(error = %err, "listening for page changes failed; trying again");
                state.pages.everything_changed_here();
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

const CHANNEL: &str = "erbij_pages";

/// The longest list of parts in one notification (PostgreSQL's limit is 8,000 bytes, with the
/// instance's name in front).
const NOTIFY_MAX: usize = 7_000;
