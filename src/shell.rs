//! The page shell's middleware: builds each request's [`Ctx`] once (one session query, the
//! bell's count) and turns bare error statuses into friendly pages in the visitor's
//! language, in the frame of [`layout`]. It sits above both, so neither depends on the
//! other's builder.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::{
    AppState,
    context::{CsrfToken, Ctx, LANG_COOKIE, LabelsUntil},
    csrf,
    entities::user,
    error::{AppError, ErrorKind},
    i18n::Lang,
    layout, notifications, page_cache, session,
    visibility::Reader,
};

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let jar = CookieJar::from_headers(&parts.headers);

    let now = chrono::Utc::now();
    let (user, live_until) = match jar.get(session::COOKIE) {
        Some(cookie) => match session::lookup(&state.db, cookie.value()).await {
            Ok(Some((mut live, user))) => {
                // "Last used" on the profile's list of sessions, renewed once an hour.
                if session::is_stale(&live, now) {
                    let device = session::Device::from_headers(&parts.headers);
                    match session::touch(&state.db, &live, &device).await {
                        Ok(()) => live.last_seen_at = Some(now),
                        Err(err) => {
                            tracing::warn!(error = %err, "renewing a session's last use failed");
                        }
                    }
                }
                (Some(user), Some(session::known_live_until(&live, now)))
            }
            Ok(None) => (None, None),
            Err(err) => return AppError::Db(err).into_response_with(&parts, &state),
        },
        None => (None, None),
    };
    // Read positions noted on thread pages are written before any other page of this member
    // counts what is unread (a thread page takes them into account itself).
    if let Some(person) = &user
        && !is_thread_page(parts.uri.path())
    {
        match state.read_marks.flush_for(&state.db, person.id).await {
            Ok(people) => {
                crate::forum::read_marks::tell_other_instances(&state, &people).await;
            }
            Err(err) => return AppError::Db(err).into_response_with(&parts, &state),
        }
    }
    let unread_notifications = match &user {
        Some(person) => {
            match notifications::unread_count(&state.db, Reader::of(Some(person))).await {
                Ok(n) => n,
                Err(err) => return AppError::Db(err).into_response_with(&parts, &state),
            }
        }
        None => 0,
    };
    let unread_messages = match &user {
        Some(person) => {
            match crate::messages::unread_count(&state.db, Reader::of(Some(person))).await {
                Ok(n) => n,
                Err(err) => return AppError::Db(err).into_response_with(&parts, &state),
            }
        }
        None => 0,
    };
    // Administrators see the site-wide queue of flags at a glance.
    let open_flags = match &user {
        Some(person) if Reader::of(Some(person)).is_admin() => {
            match crate::forum::moderation::open_flag_count(&state.db).await {
                Ok(n) => n,
                Err(err) => return AppError::Db(err).into_response_with(&parts, &state),
            }
        }
        _ => 0,
    };
    let lang = choose_lang(&jar, user.as_ref(), &parts.headers);
    let (csrf, fresh_csrf) = csrf::token_from(&jar);
    let ctx = Ctx {
        lang,
        user,
        csrf: CsrfToken::new(csrf.clone()),
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".into()),
        client_ip: client_ip(&parts, state.settings.trust_proxy),
        stylesheet: state.assets.stylesheet_path.clone(),
        script: state.assets.script_path.clone(),
        unread_notifications,
        unread_messages,
        open_flags,
        labels_until: LabelsUntil::default(),
    };

    if let Err(err) = csrf::check_origin(&parts) {
        return render_error(&ctx, err.into_response());
    }

    parts.extensions.insert(ctx.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let mut response = render_error(&ctx, response);
    // Pages differ per person, language and form token, so a browser asks again every time;
    // what a signed-in person saw is not kept at all, so after signing out on a shared
    // computer the Back button cannot bring members-only pages back.
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if ctx.user.is_some() {
            "no-store"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    // The cookie goes only with a page that embedded the token (a form).
    if fresh_csrf && ctx.csrf.was_used() {
        let cookie = Cookie::build((csrf::COOKIE, csrf))
            .path("/")
            .http_only(true)
            .secure(state.settings.secure_cookies())
            .same_site(SameSite::Lax)
            .build();
        if let Ok(value) = cookie.encoded().to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    // For the page cache: until when the page reads the same, and whose it is (a member's
    // page is kept for that session only).
    if let Some(until) = ctx.labels_until.first() {
        response
            .extensions_mut()
            .insert(page_cache::TrueUntil(until));
    }
    if let (Some(person), Some(until)) = (&ctx.user, live_until) {
        response.extensions_mut().insert(page_cache::Member {
            id: person.id,
            until,
        });
    }
    response
}

/// `/onderwerpen/12`: a thread's page, which reads noted positions itself.
fn is_thread_page(path: &str) -> bool {
    path.strip_prefix("/onderwerpen/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
}

trait IntoResponseWith {
    fn into_response_with(self, parts: &Parts, state: &AppState) -> Response;
}

impl IntoResponseWith for AppError {
    /// For failures before the context exists: a page in the browser's language.
    fn into_response_with(self, parts: &Parts, state: &AppState) -> Response {
        let jar = CookieJar::from_headers(&parts.headers);
        let ctx = Ctx {
            lang: choose_lang(&jar, None, &parts.headers),
            user: None,
            csrf: CsrfToken::default(),
            path: "/".into(),
            client_ip: String::new(),
            stylesheet: state.assets.stylesheet_path.clone(),
            script: state.assets.script_path.clone(),
            unread_notifications: 0,
            unread_messages: 0,
            open_flags: 0,
            labels_until: LabelsUntil::default(),
        };
        render_error(&ctx, self.into_response())
    }
}

/// The language cookie wins, then the profile, then the browser, then Dutch.
pub(crate) fn choose_lang(
    jar: &CookieJar,
    user: Option<&user::Model>,
    headers: &HeaderMap,
) -> Lang {
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| user.and_then(|u| Lang::parse(&u.lang)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default()
}

fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return forwarded.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Error statuses without a page of their own (ours, axum's rejections, the body limit)
/// get the friendly page; pages a handler rendered itself (a form with errors) pass.
fn render_error(ctx: &Ctx, response: Response) -> Response {
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let kind = response
        .extensions()
        .get::<ErrorKind>()
        .copied()
        .or_else(|| ErrorKind::from_status(status))
        .unwrap_or(ErrorKind::Internal);
    let status = if status == StatusCode::METHOD_NOT_ALLOWED {
        StatusCode::NOT_FOUND
    } else {
        status
    };
    // "Come back in a moment" keeps saying when.
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let mut page = (status, layout::error_page(ctx, kind)).into_response();
    if let Some(value) = retry_after {
        page.headers_mut().insert(header::RETRY_AFTER, value);
    }
    page
}
