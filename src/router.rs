//! Every route in one place, so one screen shows the whole surface of the site.

use std::time::Duration;

use axum::{
    Router,
    extract::DefaultBodyLimit,
    http::{HeaderName, HeaderValue, Request, StatusCode, header},
    middleware,
    routing::{get, post},
};
use tower::ServiceBuilder;
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};

use crate::{
    AppState, accounts, admin, assets, directory, forum, home, interventions, meetings, members,
    messages, notifications, observability, organisations, own_data, page_cache, practices,
    privacy, search, shell, subscriptions, summaries,
};

/// Forms are small; uploads (later) get their own, larger limit on their own routes.
const BODY_LIMIT: usize = 256 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
                   base-uri 'none'; object-src 'none'";

pub fn build(state: AppState) -> Router {
    // Forms with files may carry the largest allowed file, several times, plus the text.
    let upload_limit = DefaultBodyLimit::max(
        state
            .settings
            .upload_max_bytes()
            .saturating_mul(forum::attachments::MAX_FILES)
            .saturating_add(BODY_LIMIT),
    );
    // Browsers remember to use https only once the site is served over https.
    let hsts = state
        .settings
        .secure_cookies()
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    let pages = Router::new()
        .route("/", get(home::show_home))
        .route("/taal/{lang}", get(home::switch_language))
        .route("/gelezen", post(home::for_you::mark_everything_read))
        .route(
            "/welkom",
            get(accounts::welcome::show).post(accounts::welcome::save),
        )
        .route("/praktijken/{slug}/gelezen", post(practices::mark_read))
        .route("/praktijken", get(practices::list_practices))
        .route("/expertgroep", get(practices::expert_area))
        .route("/praktijken/{slug}", get(practices::show_practice))
        .route(
            "/praktijken/{slug}/bijeenkomsten",
            get(meetings::pages::of_practice),
        )
        .route(
            "/praktijken/{slug}/bijeenkomsten/nieuw",
            get(meetings::edit::new_in_practice).post(meetings::edit::create_in_practice),
        )
        .route("/bijeenkomsten", get(meetings::pages::community))
        .route(
            "/bijeenkomsten/nieuw",
            get(meetings::edit::new_for_community).post(meetings::edit::create_for_community),
        )
        .route("/bijeenkomsten/{id}", get(meetings::pages::show))
        .route(
            "/bijeenkomsten/{id}/bewerken",
            get(meetings::edit::edit_form).post(meetings::edit::update),
        )
        .route(
            "/bijeenkomsten/{id}/annuleren",
            get(meetings::edit::cancel_form).post(meetings::edit::cancel),
        )
        .route(
            "/bijeenkomsten/{id}/verslag",
            get(meetings::edit::report_form).post(meetings::edit::write_report),
        )
        .route(
            "/bijeenkomsten/{id}/aanmelden",
            post(meetings::joining::register),
        )
        .route(
            "/bijeenkomsten/{id}/afmelden",
            post(meetings::joining::cancel_member),
        )
        .route(
            "/bijeenkomsten/{id}/aanmeldingen",
            get(meetings::organising::list),
        )
        .route(
            "/bijeenkomsten/{id}/aanmeldingen.csv",
            get(meetings::organising::csv),
        )
        .route(
            "/bijeenkomsten/{id}/aanwezigheid",
            post(meetings::organising::save_attendance),
        )
        .route(
            "/bijeenkomsten/{id}/bewijs",
            get(meetings::organising::member_page),
        )
        .route(
            "/bijeenkomsten/{id}/bewijs.pdf",
            get(meetings::organising::member_pdf),
        )
        .route(
            "/bijeenkomsten/{id}/agenda.ics",
            get(meetings::calendar::meeting_file),
        )
        .route(
            "/bijeenkomsten/bevestigen/{secret}",
            get(meetings::joining::show_confirm).post(meetings::joining::confirm),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}",
            get(meetings::joining::show_manage),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/afmelden",
            post(meetings::joining::cancel_visitor),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/wissen",
            post(meetings::joining::erase),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/gegevens.json",
            get(meetings::joining::download_data),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/agenda.ics",
            get(meetings::calendar::visitor_file),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/bewijs",
            get(meetings::organising::visitor_page),
        )
        .route(
            "/bijeenkomsten/inschrijving/{token}/bewijs.pdf",
            get(meetings::organising::visitor_pdf),
        )
        .route(
            "/profiel/agenda",
            get(meetings::calendar::show_own_feed).post(meetings::calendar::change_own_feed),
        )
        .route(
            "/praktijken/{slug}/nieuw",
            get(forum::threads::new_thread)
                .post(forum::threads::create_thread)
                .layer(upload_limit),
        )
        .route(
            "/praktijken/{slug}/deelnemen",
            post(practices::join_practice),
        )
        .route(
            "/praktijken/{slug}/verlaten",
            post(practices::leave_practice),
        )
        .route(
            "/praktijken/{slug}/deelnemers",
            get(practices::show_participants),
        )
        .route("/onderwerpen/{id}", get(forum::threads::show_thread))
        .route(
            "/onderwerpen/{id}/reageren",
            post(forum::threads::reply)
                .layer(upload_limit)
                .get(forum::threads::reply_form),
        )
        .route(
            "/bijlagen/{id}/{name}",
            get(forum::attachments::serve_attachment),
        )
        .route(
            "/onderwerpen/{id}/ongelezen",
            get(forum::threads::first_unread),
        )
        .route("/berichten/{id}", get(forum::posts::show_post))
        .route(
            "/berichten/{id}/bewerken",
            get(forum::posts::edit_post).post(forum::posts::update_post),
        )
        .route("/berichten/{id}/versies", get(forum::posts::post_history))
        .route(
            "/berichten/{id}/versies/{revision}/wissen",
            post(forum::posts::redact_revision),
        )
        .route(
            "/berichten/{id}/verwijderen",
            post(forum::posts::delete_post),
        )
        .route(
            "/onderwerpen/{id}/vastzetten",
            post(forum::moderation::toggle_pin),
        )
        .route(
            "/onderwerpen/{id}/sluiten",
            post(forum::moderation::toggle_lock),
        )
        .route(
            "/onderwerpen/{id}/verplaatsen",
            post(forum::moderation::move_thread),
        )
        .route(
            "/berichten/{id}/verbergen",
            post(forum::moderation::hide_post),
        )
        .route(
            "/berichten/{id}/herstellen",
            post(forum::moderation::restore_post),
        )
        .route(
            "/berichten/{id}/signaleren",
            get(forum::moderation::show_flag_form).post(forum::moderation::flag_post),
        )
        .route(
            "/praktijken/{slug}/signaleringen",
            get(forum::moderation::show_flags),
        )
        .route(
            "/signaleringen/{id}/afhandelen",
            post(forum::moderation::resolve_flag),
        )
        .route(
            "/beheer/signaleringen",
            get(forum::moderation::show_all_flags),
        )
        .route(
            "/onderwerpen/{id}/volgen",
            post(notifications::pages::set_watch),
        )
        .route(
            "/praktijken/{slug}/standaard-zichtbaarheid",
            post(forum::audience::set_default_visibility),
        )
        .route(
            "/onderwerpen/{id}/zichtbaarheid",
            post(forum::audience::set_thread_visibility),
        )
        .route(
            "/onderwerpen/{id}/voordragen",
            get(summaries::nominations::show_nominate_form)
                .post(summaries::nominations::nominate_thread),
        )
        .route(
            "/expertgroep/voordrachten",
            get(summaries::nominations::show_queue),
        )
        .route(
            "/voordrachten/{id}/afhandelen",
            post(summaries::nominations::handle_nomination),
        )
        .route("/kennisbundels", get(summaries::public::list_published))
        .route("/kennisbundels.atom", get(summaries::public::feed_all))
        .route(
            "/kennisbundels/nieuw",
            get(summaries::edit::new_summary).post(summaries::edit::create_summary),
        )
        .route(
            "/kennisbundels/{slug}",
            get(summaries::public::show_summary),
        )
        .route(
            "/kennisbundels/{slug}/bewerken",
            get(summaries::edit::edit_summary).post(summaries::edit::update_summary),
        )
        .route(
            "/kennisbundels/{slug}/status",
            post(summaries::edit::change_status),
        )
        .route(
            "/kennisbundels/{slug}/versies",
            get(summaries::edit::show_versions),
        )
        .route(
            "/kennisbundels/{slug}/versies/{version}/wissen",
            post(summaries::edit::redact_version),
        )
        .route("/expertgroep/kennisbundels", get(summaries::edit::list_all))
        .route(
            "/praktijken/{slug}/kennisbundels.atom",
            get(summaries::public::feed_practice),
        )
        .route(
            "/volgen",
            get(subscriptions::show_subscribe).post(subscriptions::subscribe),
        )
        .route(
            "/volgen/bevestigen/{token}",
            get(subscriptions::show_confirm).post(subscriptions::confirm),
        )
        .route(
            "/volgen/beheer/{token}",
            get(subscriptions::show_manage).post(subscriptions::update_manage),
        )
        .route(
            "/volgen/beheer/{token}/gegevens",
            get(subscriptions::own_data::show_data),
        )
        .route(
            "/volgen/beheer/{token}/download",
            get(subscriptions::own_data::download_data),
        )
        .route(
            "/volgen/beheer/{token}/wissen",
            get(subscriptions::own_data::show_erase).post(subscriptions::own_data::erase),
        )
        .route("/privacy", get(privacy::show_privacy))
        .route(
            "/volgen/uitschrijven/{token}",
            get(subscriptions::show_unsubscribe).post(subscriptions::unsubscribe),
        )
        .route("/meldingen", get(notifications::pages::show_notifications))
        .route("/berichten", get(messages::pages::list_conversations))
        .route(
            "/berichten/nieuw",
            get(messages::pages::new_conversation).post(messages::pages::create_conversation),
        )
        .route("/berichten/geblokkeerd", get(messages::pages::list_blocked))
        .route("/berichten/blokkeren", post(messages::pages::block_member))
        .route(
            "/berichten/deblokkeren",
            post(messages::pages::unblock_member),
        )
        .route(
            "/berichten/gesprek/{id}",
            get(messages::pages::show_conversation),
        )
        .route(
            "/berichten/gesprek/{id}/antwoorden",
            post(messages::pages::reply),
        )
        .route(
            "/berichten/gesprek/{id}/melden/{message}",
            get(messages::pages::show_report_form).post(messages::pages::report_message),
        )
        .route("/beheer/berichten", get(messages::reports::list_reported))
        .route(
            "/beheer/berichten/{id}/afgehandeld",
            post(messages::reports::mark_handled),
        )
        .route("/leden/zoek", get(members::suggest))
        .route("/leden", get(directory::directory))
        .route(
            "/profiel/gids",
            get(directory::show_listing).post(directory::save_listing),
        )
        .route("/interventies", get(interventions::pages::list))
        .route(
            "/interventies/nieuw",
            get(interventions::proposals::new_form).post(interventions::proposals::create),
        )
        .route(
            "/interventies/voorstellen",
            get(interventions::proposals::queue),
        )
        .route(
            "/interventies/voorstellen/{id}",
            get(interventions::proposals::review),
        )
        .route(
            "/interventies/voorstellen/{id}/publiceren",
            post(interventions::proposals::publish),
        )
        .route(
            "/interventies/voorstellen/{id}/afwijzen",
            post(interventions::proposals::decline),
        )
        .route("/interventies/{slug}", get(interventions::pages::show))
        .route(
            "/interventies/{slug}/geschiedenis",
            get(interventions::pages::history),
        )
        .route(
            "/interventies/{slug}/wijzigen",
            get(interventions::proposals::change_form)
                .post(interventions::proposals::propose_change),
        )
        .route(
            "/interventies/{slug}/gecontroleerd",
            post(interventions::proposals::confirm_current),
        )
        .route(
            "/interventies/{slug}/intrekken",
            post(interventions::proposals::withdraw),
        )
        .route("/organisaties", get(organisations::list))
        .route("/organisaties/{slug}", get(organisations::show))
        .route("/beheer/organisaties", get(organisations::admin_list))
        .route(
            "/beheer/organisaties/nieuw",
            get(organisations::admin_new).post(organisations::admin_create),
        )
        .route(
            "/beheer/organisaties/{id}",
            get(organisations::admin_edit).post(organisations::admin_update),
        )
        .route(
            "/beheer/expertise",
            get(admin::expertise::show).post(admin::expertise::add),
        )
        .route("/concepten", post(forum::drafts::autosave))
        .route("/leden/{handle}", get(members::show_member))
        .route(
            "/mail/uit/{token}/{kind}",
            get(notifications::stop::show_stop).post(notifications::stop::stop),
        )
        .route(
            "/profiel/email/melding",
            post(notifications::stop::answer_notice),
        )
        .route(
            "/meldingen/gelezen",
            post(notifications::pages::mark_all_read),
        )
        .route(
            "/meldingen/{id}",
            get(notifications::pages::open_notification),
        )
        .route(
            "/word-lid",
            get(accounts::apply::show_form).post(accounts::apply::submit),
        )
        .route(
            "/inloggen",
            get(accounts::sign_in::show_form).post(accounts::sign_in::submit),
        )
        .route("/uitloggen", post(accounts::sign_in::sign_out))
        .route(
            "/wachtwoord-vergeten",
            get(accounts::reset::show_form).post(accounts::reset::submit),
        )
        .route(
            "/wachtwoord-instellen/{token}",
            get(accounts::set_password::show_form).post(accounts::set_password::submit),
        )
        .route(
            "/eerste-beheerder/{token}",
            get(accounts::first_admin::show_form).post(accounts::first_admin::submit),
        )
        .route(
            "/profiel",
            get(accounts::profile::show).post(accounts::profile::update),
        )
        .route(
            "/profiel/email",
            get(subscriptions::show_member).post(subscriptions::update_member),
        )
        .route(
            "/profiel/wachtwoord",
            post(accounts::profile::change_password),
        )
        .route(
            "/profiel/e-mailadres",
            get(accounts::email_change::show_change_email)
                .post(accounts::email_change::request_change_email),
        )
        .route(
            "/profiel/e-mailadres/bevestigen/{token}",
            get(accounts::email_change::show_confirm_email)
                .post(accounts::email_change::confirm_email),
        )
        .route(
            "/profiel/verwijderen",
            get(accounts::leave::show_delete_account).post(accounts::leave::delete_own_account),
        )
        .route("/profiel/gegevens", post(own_data::export::request_export))
        .route(
            "/profiel/gegevens/{token}",
            get(own_data::export::download_export),
        )
        .route(
            "/profiel/sessies/elders-uitloggen",
            post(own_data::sessions::end_other_sessions),
        )
        .route(
            "/profiel/sessies/{id}/uitloggen",
            post(own_data::sessions::end_one_session),
        )
        .route("/beheer", get(admin::show_dashboard))
        .route(
            "/beheer/aanmeldingen",
            get(admin::applications::list_applications),
        )
        .route(
            "/beheer/aanmeldingen/{id}/goedkeuren",
            post(admin::applications::approve_application),
        )
        .route(
            "/beheer/aanmeldingen/{id}/afwijzen",
            post(admin::applications::reject_application),
        )
        .route(
            "/beheer/uitnodigen",
            get(admin::people::show_invite).post(admin::people::invite_person),
        )
        .route("/beheer/mensen", get(admin::people::list_people))
        .route(
            "/beheer/mensen/{id}",
            get(admin::people::edit_person).post(admin::people::update_person),
        )
        .route(
            "/beheer/mensen/{id}/verwijderen",
            get(admin::people::show_delete_person).post(admin::people::delete_person),
        )
        .route("/beheer/praktijken", get(admin::practices::list_practices))
        .route(
            "/beheer/praktijken/nieuw",
            get(admin::practices::new_practice).post(admin::practices::create_practice),
        )
        .route(
            "/beheer/praktijken/{id}",
            get(admin::practices::edit_practice).post(admin::practices::update_practice),
        )
        .route(
            "/beheer/praktijken/{id}/verplaatsen",
            post(admin::practices::move_practice),
        )
        .route(
            "/beheer/praktijken/{id}/archiveren",
            post(admin::practices::toggle_archived),
        )
        .route("/zoeken", get(search::pages::search_page))
        .route(
            "/zoeken/vergelijkbaar",
            get(search::pages::similar_fragment),
        )
        .route("/beheer/logboek", get(admin::audit_log::show_audit_log))
        .route("/beheer/post", get(admin::outbox::show_outbox))
        .route("/beheer/gezondheid", get(admin::health::show_health))
        // Among the pages: without the token it is the site's own 404 page.
        .route("/metrics", get(observability::show_metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            shell::middleware,
        ))
        // Outside the shell: a kept page is served without building a page context.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::middleware,
        ));

    Router::new()
        .route("/healthz", get(observability::healthz))
        .route("/readyz", get(observability::readyz))
        .route("/assets/{file}", get(assets::file))
        .route("/opensearch.xml", get(search::pages::opensearch))
        // Calendar feeds are read by calendar programs, without cookies or a page around them.
        .route("/bijeenkomsten.ics", get(meetings::calendar::public_feed))
        .route(
            "/praktijken/{slug}/bijeenkomsten.ics",
            get(meetings::calendar::practice_feed),
        )
        .route("/agenda/{file}", get(meetings::calendar::personal_feed))
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                // Outermost: the time counted is the whole answer's.
                .layer(middleware::from_fn(observability::track_requests))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request<_>| {
                            let id = req
                                .headers()
                                .get("x-request-id")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            // The path only (query strings may carry tokens), with the secrets
                            // some paths carry (calendar feeds, mail links) left out.
                            let path = loggable_path(req.uri().path());
                            tracing::info_span!("request", id, method = %req.method(), path = %path)
                        })
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                ))
                .layer(DefaultBodyLimit::max(BODY_LIMIT))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::STRICT_TRANSPORT_SECURITY,
                    move |_: &axum::response::Response| hsts.clone(),
                ))
                .layer(security_header(header::CONTENT_SECURITY_POLICY, CSP))
                .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .layer(security_header(header::REFERRER_POLICY, "same-origin"))
                .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
                .layer(security_header(
                    HeaderName::from_static("permissions-policy"),
                    "camera=(), microphone=(), geolocation=()",
                ))
                .layer(security_header(
                    HeaderName::from_static("cross-origin-opener-policy"),
                    "same-origin",
                )),
        )
        .with_state(state)
}

/// A path as it may be logged: a segment that is a secret (64 hexadecimal characters, as
/// [`crate::tokens::random_secret`] makes them, with or without an extension) becomes `…`.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    let secret = |segment: &str| {
        let stem = segment.split('.').next().unwrap_or(segment);
        stem.len() >= 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())
    };
    if !path.split('/').any(secret) {
        return std::borrow::Cow::Borrowed(path);
    }
    std::borrow::Cow::Owned(
        path.split('/')
            .map(|s| if secret(s) { "…" } else { s })
            .collect::<Vec<_>>()
            .join("/"),
    )
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

async fn not_found() -> crate::error::AppError {
    crate::error::AppError::NotFound
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_paths_are_not_logged() {
        let token = "0123456789abcdef".repeat(4);
        assert_eq!(
            super::loggable_path(&format!("/agenda/{token}.ics")),
            "/agenda/…"
        );
        assert_eq!(
            super::loggable_path(&format!("/bijeenkomsten/inschrijving/{token}/afmelden")),
            "/bijeenkomsten/inschrijving/…/afmelden"
        );
        assert_eq!(super::loggable_path("/onderwerpen/12"), "/onderwerpen/12");
    }
}
