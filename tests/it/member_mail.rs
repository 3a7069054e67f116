//! Mail for members: the digest chosen on the profile (read with the member's eyes) and
//! notifications by email, at once or bundled daily — each sent once.

use chrono::{Duration, Utc};
use erbij::{
    delivery,
    digests::{Period, compose, render},
    entities::{notification, subscriber, user},
    notifications,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::TestApp;

async fn own_subscription(app: &TestApp, user_id: i32) -> subscriber::Model {
    subscriber::Entity::find()
        .filter(subscriber::Column::UserId.eq(user_id))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("the member's subscription")
}

async fn send_all(app: &TestApp) -> usize {
    delivery::deliver(&app.state, 1000, 0, &indicatif::ProgressBar::hidden())
        .await
        .expect("deliver")
        .sent
}

/// Saves the member's mail choices for all practices, as the form on /profiel/email does.
async fn choose_mail(app: &mut TestApp, digest: &str, notify: &str) {
    app.post(
        "/profiel/email",
        &[
            ("digest", digest),
            ("scope", "all"),
            ("notify", notify),
            ("kind", "antwoorden"),
            ("kind", "vermeldingen"),
        ],
    )
    .await
    .assert_status(303);
}

/// Marieke starts "Levensvragen" in Zingeving and asks for notification mail `notify` (no
/// digest); Kees, in a browser of his own, joins the practice to answer her.
async fn marieke_and_kees(
    app: &mut TestApp,
    notify: &str,
    visibility: &str,
) -> (user::Model, i32, TestApp) {
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    let thread = app
        .start_thread("zingeving", "Levensvragen", "Wat wij leerden.", visibility)
        .await;
    choose_mail(app, "off", notify).await;
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    (marieke, thread, kees)
}

#[tokio::test]
async fn a_member_takes_the_digest_from_the_profile_and_it_shows_members_only_threads() {
    let mut app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("migranten").await;
    app.start_thread("migranten", "Casus mevrouw K", "Vertrouwelijk.", "members")
        .await;
    app.start_thread("migranten", "Taalcafé in Delfshaven", "Koffie.", "public")
        .await;

    app.get("/profiel")
        .await
        .assert_contains("href=\"/profiel/email\"");
    let page = app.get("/profiel/email").await;
    page.assert_status(200)
        .assert_contains("Overzicht van nieuwe onderwerpen")
        .assert_contains("value=\"off\" id=\"d-off\" checked");

    // A choice that does not exist: the page says so and keeps the other choices.
    let page = app
        .post(
            "/profiel/email",
            &[
                ("digest", "daily-ish"),
                ("scope", "all"),
                ("notify", "daily"),
            ],
        )
        .await;
    page.assert_status(422)
        .assert_contains("Maak een keuze.")
        .assert_contains("value=\"daily\" id=\"n-daily\" checked");
    // Choosing "only these" without a practice is an error too.
    app.post(
        "/profiel/email",
        &[
            ("digest", "weekly"),
            ("scope", "chosen"),
            ("notify", "off"),
            ("kind", "antwoorden"),
            ("kind", "vermeldingen"),
        ],
    )
    .await
    .assert_status(422);

    let page = app
        .post(
            "/profiel/email",
            &[
                ("digest", "weekly"),
                ("scope", "all"),
                ("summaries", "1"),
                ("notify", "immediate"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.follow(page)
        .await
        .assert_contains("Je keuzes voor e-mail zijn opgeslagen.")
        .assert_contains("value=\"weekly\" id=\"d-weekly\" checked")
        .assert_contains("value=\"immediate\" id=\"n-immediate\" checked");

    let sub = own_subscription(&app, marieke.id).await;
    assert_eq!(sub.status, subscriber::ACTIVE, "no confirmation needed");
    assert_eq!(sub.email, "marieke@buurtkracht.nl");
    let period = Period::ending(Utc::now() + Duration::minutes(1), "weekly");
    let digest = compose(&app.state.db, &sub, period)
        .await
        .expect("compose")
        .expect("news");
    let mail = render(&app.state, &sub, &digest, period);
    assert!(mail.text.contains("Casus mevrouw K"), "{}", mail.text);
    assert!(mail.text.contains("Taalcafé in Delfshaven"));
    assert!(mail.subject.contains("2 nieuw"), "{}", mail.subject);

    // The same address subscribed as a visitor would see only the public thread — and a
    // blocked member's digest falls back to what a visitor sees.
    let mut blocked = erbij::entities::user::Entity::find_by_id(marieke.id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("user");
    blocked.disabled = true;
    {
        use sea_orm::{ActiveModelTrait, IntoActiveModel};
        let mut active = blocked.into_active_model();
        active.disabled = sea_orm::ActiveValue::Set(true);
        active.update(&app.state.db).await.expect("block");
    }
    let digest = compose(&app.state.db, &sub, period)
        .await
        .expect("compose")
        .expect("news");
    let mail = render(&app.state, &sub, &digest, period);
    assert!(!mail.text.contains("mevrouw K"), "{}", mail.text);
    assert!(mail.text.contains("Taalcafé in Delfshaven"));
}

#[tokio::test]
async fn the_digest_follows_the_members_language_and_can_be_switched_off() {
    let mut app = TestApp::new().await;
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("jongeren").await;
    app.start_thread("jongeren", "Jongeren op school", "Over mentoren.", "public")
        .await;
    choose_mail(&mut app, "monthly", "off").await;
    app.post(
        "/profiel",
        &[
            ("name", "Marieke de Vries"),
            ("organisation", "Buurtkracht"),
            ("job", "Wijkverpleegkundige"),
            ("lang", "en"),
        ],
    )
    .await
    .assert_status(303);
    let sub = own_subscription(&app, marieke.id).await;
    assert_eq!(sub.lang, "en");
    assert_eq!(sub.frequency, subscriber::MONTHLY);
    let period = Period::ending(Utc::now() + Duration::minutes(1), "monthly");
    let digest = compose(&app.state.db, &sub, period)
        .await
        .expect("compose")
        .expect("news");
    let mail = render(&app.state, &sub, &digest, period);
    assert!(mail.subject.contains("this month"), "{}", mail.subject);

    app.get("/profiel/email")
        .await
        .assert_contains("Email from Erbij");
    choose_mail(&mut app, "off", "off").await;
    assert_eq!(
        own_subscription(&app, marieke.id).await.status,
        subscriber::STOPPED
    );
}

#[tokio::test]
async fn an_earlier_visitor_subscription_becomes_the_members_own() {
    let mut app = TestApp::new().await;
    let mut visitor = app.second_browser();
    visitor
        .post(
            "/volgen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("scope", "all"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    let marieke = app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    choose_mail(&mut app, "weekly", "off").await;
    let all = subscriber::Entity::find()
        .all(&app.state.db)
        .await
        .expect("q");
    assert_eq!(all.len(), 1, "one subscription per address");
    assert_eq!(all[0].user_id, Some(marieke.id));
    assert_eq!(all[0].status, subscriber::ACTIVE);
}

#[tokio::test]
async fn notifications_are_mailed_at_once_exactly_once() {
    let mut app = TestApp::new().await;
    let (marieke, thread, mut kees) = marieke_and_kees(&mut app, "immediate", "members").await;
    kees.reply_to(thread, "Mooi verhaal, @marieke-de-vries — dank je.")
        .await
        .assert_status(303);

    assert_eq!(
        notifications::mail::enqueue_immediate(&app.state)
            .await
            .expect("q"),
        1
    );
    assert_eq!(
        notifications::mail::enqueue_immediate(&app.state)
            .await
            .expect("q"),
        0,
        "a notification is queued once"
    );
    assert_eq!(send_all(&app).await, 1);
    assert_eq!(send_all(&app).await, 0);
    let mail = app
        .mail("marieke@buurtkracht.nl", "Kees Bos noemde je")
        .await;
    assert!(mail.subject.contains("Levensvragen"), "{}", mail.subject);
    assert!(mail.text.contains("Mooi verhaal"), "{}", mail.text);
    assert!(mail.text.contains("http://erbij.test/meldingen/"));
    assert!(mail.text.contains("http://erbij.test/profiel/email"));
    assert!(mail.html.contains("Mooi verhaal"));

    // Kees chose no mail: Marieke's answer reaches him only under the bell.
    kees.post(
        "/profiel/email",
        &[("digest", "off"), ("scope", "all"), ("notify", "off")],
    )
    .await
    .assert_status(303);
    app.reply_to(thread, "Graag gedaan.")
        .await
        .assert_status(303);
    assert_eq!(
        notifications::mail::enqueue_immediate(&app.state)
            .await
            .expect("q"),
        0
    );

    // What was read on the site before the mail went is not mailed.
    kees.reply_to(thread, "Nog een vraag.")
        .await
        .assert_status(303);
    let unread = notification::Entity::find()
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::EmailedAt.is_null())
        .all(&app.state.db)
        .await
        .expect("q");
    let mine = unread
        .iter()
        .find(|n| n.user_id == marieke.id)
        .expect("a reply notification");
    app.get(&format!("/meldingen/{}", mine.id))
        .await
        .assert_status(303);
    assert_eq!(
        notifications::mail::enqueue_immediate(&app.state)
            .await
            .expect("q"),
        0
    );
}

#[tokio::test]
async fn a_daily_bundle_holds_the_days_notifications_and_nothing_hidden() {
    let mut app = TestApp::new().await;
    let (_, thread, mut kees) = marieke_and_kees(&mut app, "daily", "public").await;
    kees.reply_to(thread, "Eerste reactie.")
        .await
        .assert_status(303);
    kees.reply_to(thread, "Tweede reactie.")
        .await
        .assert_status(303);
    kees.reply_to(thread, "Derde, later verborgen.")
        .await
        .assert_status(303);
    // The third reply is hidden by a facilitator before the bundle goes.
    let hidden = erbij::entities::post::Entity::find()
        .filter(erbij::entities::post::Column::Body.eq("Derde, later verborgen."))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("post");
    {
        use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
        let mut active = hidden.into_active_model();
        active.hidden_at = Set(Some(Utc::now()));
        active.update(&app.state.db).await.expect("hide");
    }

    assert_eq!(
        notifications::mail::enqueue_immediate(&app.state)
            .await
            .expect("q"),
        0,
        "daily people get no immediate mail"
    );
    let today = Utc::now().date_naive();
    assert_eq!(
        notifications::mail::enqueue_daily(&app.state, today)
            .await
            .expect("q"),
        1
    );
    assert_eq!(
        notifications::mail::enqueue_daily(&app.state, today)
            .await
            .expect("q"),
        0
    );
    assert_eq!(send_all(&app).await, 1);
    let mail = app
        .mail("marieke@buurtkracht.nl", "Erbij: 2 nieuwe meldingen")
        .await;
    assert!(mail.text.contains("Eerste reactie."), "{}", mail.text);
    assert!(mail.text.contains("Tweede reactie."));
    assert!(
        !mail.text.contains("verborgen"),
        "hidden posts are not told"
    );
    assert!(!mail.html.contains("verborgen"));
    let person = user::Entity::find()
        .filter(user::Column::Email.eq("marieke@buurtkracht.nl"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("u");
    assert_eq!(person.notify_email, user::NOTIFY_DAILY);
}
