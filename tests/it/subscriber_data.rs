//! A subscriber's own data, from the manage link: see what is stored, download it, erase it
//! (with a confirmation page before and a last mail after), and an old link that then says
//! plainly that the subscription is gone.

use chrono::{Duration, Utc};
use erbij::entities::{audit_event, outbox_mail, practice, subscriber, subscriber_practice};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::{helpers::TestApp, subscriptions::stored};

const ADDRESS: &str = "volger@voorbeeld.nl";

/// A confirmed subscriber of one practice (Jongeren), through the site's own forms.
async fn confirmed_subscriber(app: &mut TestApp) -> subscriber::Model {
    let jongeren = practice::Entity::find()
        .filter(practice::Column::Slug.eq("jongeren"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("jongeren");
    let id = jongeren.id.to_string();
    app.post(
        "/volgen",
        &[
            ("email", ADDRESS),
            ("scope", "chosen"),
            ("practice", &id),
            ("frequency", "monthly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(200);
    let mail = app.mail(ADDRESS, "Bevestig").await;
    let confirm = mail.path(&app.base(), "/volgen/bevestigen/");
    app.post(&confirm, &[]).await.assert_status(200);
    stored(app, ADDRESS).await
}

/// A mail row for the subscriber, in the given state.
async fn outbox_row(app: &TestApp, s: &subscriber::Model, period: &str, status: &str) -> i32 {
    let now = Utc::now();
    outbox_mail::ActiveModel {
        recipient: Set(s.email.clone()),
        period_key: Set(period.into()),
        subscriber_id: Set(Some(s.id)),
        subject: Set("Nieuws van Erbij".into()),
        text_body: Set(format!("Beste lezer {}", s.email)),
        html_body: Set(format!("<p>Beste lezer {}</p>", s.email)),
        headers: Set(String::new()),
        status: Set(status.into()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        created_at: Set(now - Duration::days(2)),
        sent_at: Set((status == outbox_mail::SENT).then_some(now - Duration::days(1))),
        message_id: Set(Some(format!("<{period}@erbij.test>"))),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("outbox row")
    .id
}

#[tokio::test]
async fn a_subscriber_sees_downloads_and_erases_everything_stored_about_them() {
    let mut app = TestApp::new().await;
    let s = confirmed_subscriber(&mut app).await;
    assert_eq!(s.consent_version, erbij::subscriptions::CONSENT_VERSION);
    let manage = format!("/volgen/beheer/{}", s.manage_token);

    // The manage page leads to the data; the data page shows all of it.
    app.get(&manage)
        .await
        .assert_status(200)
        .assert_contains(&format!(r#"href="{manage}/gegevens""#))
        .assert_contains(r#"href="/privacy""#);
    app.get(&format!("{manage}/gegevens"))
        .await
        .assert_status(200)
        .assert_contains(ADDRESS)
        .assert_contains("Nederlands")
        .assert_contains("Eén keer per maand")
        .assert_contains("Jongeren")
        .assert_contains("Je volgt Erbij")
        .assert_contains(&format!("versie {}", erbij::subscriptions::CONSENT_VERSION))
        .assert_contains("het IP-adres van waaraf je dat deed")
        .assert_contains("192.0.2.10")
        .assert_contains(&format!("{manage}/download"))
        .assert_contains("Alles over mij wissen");

    // The download is a JSON file with the same facts.
    let file = app.get(&format!("{manage}/download")).await;
    file.assert_status(200);
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .expect("header")
            .starts_with("attachment")
    );
    let json: serde_json::Value = serde_json::from_str(&file.body).expect("json");
    assert_eq!(json["email"], ADDRESS);
    assert_eq!(json["frequency"], "monthly");
    assert_eq!(json["practices"], serde_json::json!(["Jongeren"]));
    assert_eq!(json["consent"]["ip_address"], "192.0.2.10");
    assert_eq!(
        json["consent"]["version"],
        erbij::subscriptions::CONSENT_VERSION
    );
    assert!(json["consent"]["at"].is_string());
    assert!(json["confirmed_at"].is_string());

    // A digest waiting to go, and one already sent.
    let queued = outbox_row(&app, &s, "weekly:2026-12-07", outbox_mail::QUEUED).await;
    let sent = outbox_row(&app, &s, "weekly:2026-11-30", outbox_mail::SENT).await;

    // Opening the erase link only asks; a post without the form's token erases nothing.
    app.get(&format!("{manage}/wissen"))
        .await
        .assert_status(200)
        .assert_contains(ADDRESS)
        .assert_contains("Ja, wis alles over mij");
    app.post_raw(&format!("{manage}/wissen"), &[]).await;
    assert_eq!(stored(&app, ADDRESS).await.id, s.id);

    app.post(&format!("{manage}/wissen"), &[])
        .await
        .assert_status(200)
        .assert_contains("Je gegevens zijn gewist");
    let db = &app.state.db;
    assert!(
        subscriber::Entity::find_by_id(s.id)
            .one(db)
            .await
            .expect("q")
            .is_none()
    );
    assert!(
        subscriber_practice::Entity::find()
            .filter(subscriber_practice::Column::SubscriberId.eq(s.id))
            .all(db)
            .await
            .expect("q")
            .is_empty()
    );
    assert!(
        outbox_mail::Entity::find_by_id(queued)
            .one(db)
            .await
            .expect("q")
            .is_none(),
        "the waiting digest is not sent"
    );
    let kept = outbox_mail::Entity::find_by_id(sent)
        .one(db)
        .await
        .expect("q")
        .expect("the sent row stays for the counts");
    assert!(!kept.recipient.contains("voorbeeld"), "{}", kept.recipient);
    assert!(kept.text_body.is_empty() && kept.html_body.is_empty());
    assert_eq!(kept.status, outbox_mail::SENT);
    let audit = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("subscriber_erased"))
        .one(db)
        .await
        .expect("q")
        .expect("audited");
    assert!(!format!("{audit:?}").contains("voorbeeld"), "{audit:?}");

    // A last mail says it is done, without links to a subscription that no longer exists.
    let last = app.mail(ADDRESS, "Je gegevens bij Erbij zijn gewist").await;
    assert!(!last.text.contains("/volgen/beheer/"), "{}", last.text);

    // The old links now say plainly that the subscription is gone.
    for path in [
        manage.clone(),
        format!("{manage}/gegevens"),
        format!("{manage}/download"),
        format!("{manage}/wissen"),
        format!("/volgen/uitschrijven/{}", s.manage_token),
    ] {
        app.get(&path)
            .await
            .assert_status(410)
            .assert_contains("Bij deze link hoort geen aanmelding (meer)")
            .assert_lacks(ADDRESS);
    }
    app.post(&format!("{manage}/wissen"), &[])
        .await
        .assert_status(410);
}

#[tokio::test]
async fn a_consent_from_before_the_version_was_recorded_shows_the_first_version() {
    let mut app = TestApp::new().await;
    let now = Utc::now();
    // As rows from before the migration are: no version given, so the column's default.
    let old = subscriber::ActiveModel {
        email: Set("oud@voorbeeld.nl".into()),
        status: Set(subscriber::ACTIVE.into()),
        lang: Set("en".into()),
        frequency: Set(subscriber::WEEKLY.into()),
        all_practices: Set(true),
        summaries: Set(false),
        manage_token: Set(erbij::tokens::random_secret()),
        consent_text: Set("We keep your address".into()),
        consent_ip: Set("198.51.100.7".into()),
        consent_at: Set(now),
        bounces: Set(0),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("subscriber");
    assert_eq!(old.consent_version, "2026-11");
    app.headers.push(("accept-language".into(), "en".into()));
    app.get(&format!("/volgen/beheer/{}/gegevens", old.manage_token))
        .await
        .assert_status(200)
        .assert_contains("version 2026-11")
        .assert_contains("All practices")
        .assert_contains("198.51.100.7")
        .assert_contains("Not yet");
}

#[tokio::test]
async fn stopping_keeps_the_consent_and_records_when() {
    let mut app = TestApp::new().await;
    let s = confirmed_subscriber(&mut app).await;
    assert!(s.unsubscribed_at.is_none());
    app.post(&format!("/volgen/uitschrijven/{}", s.manage_token), &[])
        .await
        .assert_status(200);
    let stopped = stored(&app, ADDRESS).await;
    assert_eq!(stopped.status, subscriber::STOPPED);
    assert!(stopped.unsubscribed_at.is_some());
    assert_eq!(stopped.consent_ip, s.consent_ip);
    assert_eq!(stopped.consent_at, s.consent_at);
    app.get(&format!("/volgen/beheer/{}/gegevens", s.manage_token))
        .await
        .assert_contains("Gestopt op")
        .assert_contains("192.0.2.10");

    // Subscribing again and confirming starts afresh: no stop time any more.
    app.post(
        "/volgen",
        &[
            ("email", ADDRESS),
            ("scope", "all"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await;
    let mails = app.at_least(ADDRESS, 2).await;
    let all: Vec<String> = mails
        .iter()
        .filter(|m| m.subject.contains("Bevestig"))
        .map(|m| m.path(&app.base(), "/volgen/bevestigen/"))
        .collect();
    // The first link was used up; the fresh one confirms.
    for path in all {
        app.post(&path, &[]).await;
    }
    let again = stored(&app, ADDRESS).await;
    assert_eq!(again.status, subscriber::ACTIVE);
    assert!(again.unsubscribed_at.is_none());
}

#[tokio::test]
async fn a_member_who_turns_the_digest_off_is_stopped_from_that_moment() {
    let mut app = TestApp::new().await;
    let member = app.member("lid@voorbeeld.nl").await;
    app.login_as("lid@voorbeeld.nl").await;
    let choose = |digest: &'static str| {
        [
            ("digest", digest),
            ("scope", "all"),
            ("notify", "daily"),
            ("kind", "antwoorden"),
            ("kind", "vermeldingen"),
        ]
    };
    app.post("/profiel/email", &choose("weekly")).await;
    let db = app.state.db.clone();
    let own = || async {
        subscriber::Entity::find()
            .filter(subscriber::Column::UserId.eq(member.id))
            .one(&db)
            .await
            .expect("q")
            .expect("the member's subscription")
    };
    let on = own().await;
    assert_eq!(on.status, subscriber::ACTIVE);
    assert_eq!(on.consent_version, erbij::subscriptions::CONSENT_VERSION);
    assert!(on.unsubscribed_at.is_none());

    app.post("/profiel/email", &choose("off")).await;
    let off = own().await;
    assert_eq!(off.status, subscriber::STOPPED);
    let stopped_at = off.unsubscribed_at.expect("the moment is recorded");

    // Saving again while off does not move the moment (the year runs from the first stop).
    app.post("/profiel/email", &choose("off")).await;
    assert_eq!(own().await.unsubscribed_at, Some(stopped_at));

    app.post("/profiel/email", &choose("monthly")).await;
    assert!(own().await.unsubscribed_at.is_none());
}
