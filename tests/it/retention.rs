//! The retention job: each purge with rows just inside and just outside its limit — what
//! must stay stays — and one run that reports its counts in the log and the audit log.

use chrono::{DateTime, Duration, Months, Utc};
use erbij::{
    entities::{
        audit_event, outbox_mail, session, subscriber, subscriber_practice, throttle, token,
    },
    retention,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::TestApp;

/// A margin well above the time a test takes, well below any limit.
fn margin() -> Duration {
    Duration::hours(1)
}

async fn subscriber_row(
    app: &TestApp,
    email: &str,
    status: &str,
    created_at: DateTime<Utc>,
    unsubscribed_at: Option<DateTime<Utc>>,
) -> subscriber::Model {
    let s = subscriber::ActiveModel {
        email: Set(email.into()),
        status: Set(status.into()),
        lang: Set("nl".into()),
        frequency: Set(subscriber::WEEKLY.into()),
        all_practices: Set(true),
        summaries: Set(true),
        manage_token: Set(erbij::tokens::random_secret()),
        consent_text: Set("test".into()),
        consent_version: Set(erbij::subscriptions::CONSENT_VERSION.into()),
        consent_ip: Set("192.0.2.1".into()),
        consent_at: Set(created_at),
        bounces: Set(0),
        created_at: Set(created_at),
        unsubscribed_at: Set(unsubscribed_at),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("subscriber");
    if let Some(practice) = erbij::entities::practice::Entity::find()
        .one(&app.state.db)
        .await
        .expect("q")
    {
        subscriber_practice::ActiveModel {
            subscriber_id: Set(s.id),
            practice_id: Set(practice.id),
        }
        .insert(&app.state.db)
        .await
        .expect("choice");
    }
    s
}

async fn exists(app: &TestApp, email: &str) -> bool {
    subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .expect("q")
        .is_some()
}

#[tokio::test]
async fn unconfirmed_subscriptions_go_after_seven_days_and_no_sooner() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let limit = now - Duration::days(retention::UNCONFIRMED_DAYS);
    subscriber_row(
        &app,
        "binnen@voorbeeld.nl",
        subscriber::PENDING,
        limit + margin(),
        None,
    )
    .await;
    subscriber_row(
        &app,
        "buiten@voorbeeld.nl",
        subscriber::PENDING,
        limit - margin(),
        None,
    )
    .await;
    subscriber_row(
        &app,
        "bevestigd@voorbeeld.nl",
        subscriber::ACTIVE,
        limit - Duration::days(300),
        None,
    )
    .await;

    assert_eq!(
        retention::purge_unconfirmed(&app.state.db, now)
            .await
            .expect("purge"),
        1
    );
    assert!(exists(&app, "binnen@voorbeeld.nl").await);
    assert!(!exists(&app, "buiten@voorbeeld.nl").await);
    assert!(exists(&app, "bevestigd@voorbeeld.nl").await);
    assert_eq!(retention::UNCONFIRMED_DAYS, 7);
}

#[tokio::test]
async fn a_stopped_subscription_is_kept_a_year_after_stopping_then_erased() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let year_ago = now
        .checked_sub_months(Months::new(12 * retention::CONSENT_KEEP_YEARS))
        .expect("date");
    let old = now - Duration::days(800);
    subscriber_row(
        &app,
        "binnen@voorbeeld.nl",
        subscriber::STOPPED,
        old,
        Some(year_ago + margin()),
    )
    .await;
    let gone = subscriber_row(
        &app,
        "buiten@voorbeeld.nl",
        subscriber::STOPPED,
        old,
        Some(year_ago - margin()),
    )
    .await;
    let unstamped = subscriber_row(
        &app,
        "zonder-datum@voorbeeld.nl",
        subscriber::STOPPED,
        old,
        None,
    )
    .await;
    subscriber_row(&app, "actief@voorbeeld.nl", subscriber::ACTIVE, old, None).await;
    subscriber_row(
        &app,
        "gepauzeerd@voorbeeld.nl",
        subscriber::SUSPENDED,
        old,
        None,
    )
    .await;
    // A digest the erased subscriber got long ago: the row stays, the address goes.
    let sent = mail_row(
        &app,
        "buiten@voorbeeld.nl",
        Some(gone.id),
        outbox_mail::SENT,
        old,
        Some(old),
    )
    .await;

    assert_eq!(
        retention::purge_stopped(&app.state.db, now)
            .await
            .expect("purge"),
        1
    );
    assert!(
        exists(&app, "binnen@voorbeeld.nl").await,
        "inside the year: kept as proof"
    );
    assert!(!exists(&app, "buiten@voorbeeld.nl").await);
    assert!(exists(&app, "actief@voorbeeld.nl").await);
    assert!(exists(&app, "gepauzeerd@voorbeeld.nl").await);
    assert!(
        subscriber_practice::Entity::find()
            .filter(subscriber_practice::Column::SubscriberId.eq(gone.id))
            .all(&app.state.db)
            .await
            .expect("q")
            .is_empty()
    );
    let row = outbox_mail::Entity::find_by_id(sent)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("row kept");
    assert!(!row.recipient.contains("buiten"), "{}", row.recipient);
    assert!(row.text_body.is_empty());

    // Stopped before the stop time was recorded: kept, and from now on a full year.
    let stamped = subscriber::Entity::find_by_id(unstamped.id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("kept");
    let at = stamped.unsubscribed_at.expect("stamped");
    assert!((at - now).num_seconds().abs() < 5, "{at} vs {now}");
}

async fn mail_row(
    app: &TestApp,
    recipient: &str,
    subscriber_id: Option<i32>,
    status: &str,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
) -> i32 {
    outbox_mail::ActiveModel {
        recipient: Set(recipient.into()),
        period_key: Set(format!("test:{}", erbij::tokens::random_secret())),
        subscriber_id: Set(subscriber_id),
        subject: Set("Onderwerp".into()),
        text_body: Set("Mevrouw Jansen uit de Tarwewijk".into()),
        html_body: Set("<p>Mevrouw Jansen uit de Tarwewijk</p>".into()),
        headers: Set(String::new()),
        status: Set(status.into()),
        attempts: Set(1),
        next_attempt_at: Set(created_at),
        created_at: Set(created_at),
        sent_at: Set(sent_at),
        message_id: Set(Some("<test@erbij.test>".into())),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("mail")
    .id
}

async fn body_of(app: &TestApp, id: i32) -> (String, String, Option<String>) {
    let row = outbox_mail::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("the row itself always stays");
    (row.text_body, row.html_body, row.message_id)
}

#[tokio::test]
async fn sent_mail_text_is_emptied_after_thirty_days_for_digests_and_at_once_for_the_rest() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let s = subscriber_row(&app, "lezer@voorbeeld.nl", subscriber::ACTIVE, now, None).await;
    let limit = now - Duration::days(retention::DIGEST_BODY_DAYS);
    let digest_inside = mail_row(
        &app,
        "lezer@voorbeeld.nl",
        Some(s.id),
        outbox_mail::SENT,
        limit,
        Some(limit + margin()),
    )
    .await;
    let digest_outside = mail_row(
        &app,
        "lezer@voorbeeld.nl",
        Some(s.id),
        outbox_mail::SENT,
        limit,
        Some(limit - margin()),
    )
    .await;
    let digest_bounced = mail_row(
        &app,
        "lezer@voorbeeld.nl",
        Some(s.id),
        outbox_mail::BOUNCED,
        limit - margin(),
        None,
    )
    .await;
    let digest_waiting = mail_row(
        &app,
        "lezer@voorbeeld.nl",
        Some(s.id),
        outbox_mail::QUEUED,
        limit - Duration::days(5),
        None,
    )
    .await;
    let notice_sent = mail_row(
        &app,
        "lid@voorbeeld.nl",
        None,
        outbox_mail::SENT,
        now - margin(),
        Some(now - Duration::minutes(1)),
    )
    .await;
    let notice_failed = mail_row(
        &app,
        "lid@voorbeeld.nl",
        None,
        outbox_mail::FAILED,
        now - margin(),
        None,
    )
    .await;
    let notice_waiting = mail_row(
        &app,
        "lid@voorbeeld.nl",
        None,
        outbox_mail::QUEUED,
        now - Duration::days(3),
        None,
    )
    .await;
    let notice_sending = mail_row(
        &app,
        "lid@voorbeeld.nl",
        None,
        outbox_mail::SENDING,
        now - Duration::days(3),
        None,
    )
    .await;

    assert_eq!(
        retention::empty_digest_bodies(&app.state.db, now)
            .await
            .expect("purge"),
        2
    );
    assert_eq!(
        retention::empty_notice_bodies(&app.state.db, now)
            .await
            .expect("purge"),
        2
    );

    for kept in [
        digest_inside,
        digest_waiting,
        notice_waiting,
        notice_sending,
    ] {
        let (text, html, _) = body_of(&app, kept).await;
        assert!(
            text.contains("Mevrouw Jansen") && html.contains("Mevrouw Jansen"),
            "row {kept}"
        );
    }
    for emptied in [digest_outside, digest_bounced, notice_sent, notice_failed] {
        let (text, html, message_id) = body_of(&app, emptied).await;
        assert_eq!((text.as_str(), html.as_str()), ("", ""), "row {emptied}");
        assert_eq!(message_id.as_deref(), Some("<test@erbij.test>"));
    }
    // Nothing left to empty: a second pass counts nothing.
    assert_eq!(
        retention::empty_digest_bodies(&app.state.db, now)
            .await
            .expect("purge"),
        0
    );
    assert_eq!(
        retention::empty_notice_bodies(&app.state.db, now)
            .await
            .expect("purge"),
        0
    );
}

async fn token_row(
    app: &TestApp,
    expires_at: DateTime<Utc>,
    used_at: Option<DateTime<Utc>>,
) -> i32 {
    token::ActiveModel {
        token_hash: Set(erbij::tokens::random_secret()),
        purpose: Set("reset".into()),
        user_id: Set(None),
        expires_at: Set(expires_at),
        used_at: Set(used_at),
        created_at: Set(Utc::now() - Duration::hours(2)),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("token")
    .id
}

#[tokio::test]
async fn expired_or_used_tokens_expired_sessions_and_old_counters_go() {
    let app = TestApp::new().await;
    let now = Utc::now();
    let live = token_row(&app, now + margin(), None).await;
    let expired = token_row(&app, now - margin(), None).await;
    let used = token_row(&app, now + margin(), Some(now - Duration::minutes(5))).await;
    assert_eq!(
        retention::purge_tokens(&app.state.db, now)
            .await
            .expect("purge"),
        2
    );
    let left: Vec<i32> = token::Entity::find()
        .all(&app.state.db)
        .await
        .expect("q")
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(left.contains(&live));
    assert!(!left.contains(&expired) && !left.contains(&used));

    let member = app.member("lid@voorbeeld.nl").await;
    for (id, expires) in [("levend", now + margin()), ("verlopen", now - margin())] {
        session::ActiveModel {
            id_hash: Set(id.into()),
            user_id: Set(member.id),
            created_at: Set(now - Duration::days(2)),
            expires_at: Set(expires),
            device: Set(None),
            last_seen_at: Set(None),
        }
        .insert(&app.state.db)
        .await
        .expect("session");
    }
    let day = Duration::days(retention::THROTTLE_KEEP_DAYS);
    for (key, start) in [
        ("recent", now - day + margin()),
        ("oud", now - day - margin()),
    ] {
        throttle::ActiveModel {
            bucket: Set("login_address".into()),
            key_hash: Set(key.into()),
            window_start: Set(start.timestamp()),
            attempts: Set(3),
        }
        .insert(&app.state.db)
        .await
        .expect("counter");
    }

    let report = retention::run(&app.state.db, &app.state.storage)
        .await
        .expect("run");
    assert_eq!((report.sessions, report.throttle_counts), (1, 1));
    let sessions: Vec<String> = session::Entity::find()
        .all(&app.state.db)
        .await
        .expect("q")
        .into_iter()
        .map(|s| s.id_hash)
        .collect();
    assert!(sessions.contains(&"levend".to_string()));
    assert!(!sessions.contains(&"verlopen".to_string()));
    let counters: Vec<String> = throttle::Entity::find()
        .all(&app.state.db)
        .await
        .expect("q")
        .into_iter()
        .map(|t| t.key_hash)
        .collect();
    assert_eq!(counters, vec!["recent".to_string()]);
}

#[tokio::test]
async fn a_run_reports_its_counts_once_in_the_audit_log_without_personal_data() {
    let app = TestApp::new().await;
    let now = Utc::now();
    subscriber_row(
        &app,
        "vergeten@voorbeeld.nl",
        subscriber::PENDING,
        now - Duration::days(30),
        None,
    )
    .await;
    mail_row(
        &app,
        "lid@voorbeeld.nl",
        None,
        outbox_mail::SENT,
        now - margin(),
        Some(now - margin()),
    )
    .await;

    let report = retention::run(&app.state.db, &app.state.storage)
        .await
        .expect("run");
    assert_eq!(report.unconfirmed_subscriptions, 1);
    assert_eq!(report.notice_bodies, 1);
    let entries = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("retention_run"))
        .all(&app.state.db)
        .await
        .expect("q");
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0].detail.contains("unconfirmed_subscriptions=1"),
        "{}",
        entries[0].detail
    );
    assert!(
        entries[0].detail.contains("notice_bodies=1"),
        "{}",
        entries[0].detail
    );
    assert!(!entries[0].detail.contains('@') && !entries[0].subject.contains('@'));

    // The administrator reads it in plain words in the audit log.
    let mut admin = app;
    admin.admin("beheer@voorbeeld.nl").await;
    admin.login_as("beheer@voorbeeld.nl").await;
    admin
        .get("/beheer/logboek")
        .await
        .assert_status(200)
        .assert_contains("Bewaartermijnen toegepast");

    // Nothing left: the next run removes nothing and says so.
    let again = retention::run(&admin.state.db, &admin.state.storage)
        .await
        .expect("run");
    assert_eq!(again, retention::Report::default());
}

#[test]
fn the_command_runs_the_job_and_prints_the_counts() {
    let dir = tempfile::tempdir().expect("dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_erbij"))
        .arg("retention")
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .env_remove("SMTP_URL")
        .env("ERBIJ_DATA_DIR", dir.path().join("data"))
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    for name in [
        "unconfirmed_subscriptions: 0",
        "stopped_subscriptions: 0",
        "digest_bodies: 0",
        "notice_bodies: 0",
        "tokens: 0",
        "sessions: 0",
        "throttle_counts: 0",
    ] {
        assert!(printed.contains(name), "{name} in:\n{printed}");
    }
}
