//! Following without joining: subscribe, confirm, change, stop — with nothing sent before
//! confirmation, nothing revealed about known addresses, and one-click unsubscribe.

use chrono::{Duration, Utc};
use erbij::entities::subscriber;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::helpers::TestApp;

/// The stored subscription of `email`.
pub async fn stored(app: &TestApp, email: &str) -> subscriber::Model {
    subscriber::Entity::find()
        .filter(subscriber::Column::Email.eq(email))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("subscriber")
}

#[tokio::test]
async fn a_visitor_subscribes_confirms_changes_and_stops() {
    let mut app = TestApp::new().await;
    let form = app.get("/volgen").await;
    form.assert_status(200)
        .assert_contains("Volg ons per e-mail")
        .assert_contains(r#"value="weekly" id="f-weekly" checked"#)
        .assert_contains(r#"id="summaries" checked"#)
        .assert_contains("We bewaren je adres");

    // Bad input: a clear message, the rest kept.
    app.post(
        "/volgen",
        &[
            ("email", "geen-adres"),
            ("scope", "chosen"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Vul een geldig e-mailadres in")
    .assert_contains("Kies minstens één praktijk")
    .assert_contains(r#"value="geen-adres""#);
    let long = format!("{}@voorbeeld.nl", "a".repeat(300));
    app.post(
        "/volgen",
        &[
            ("email", &long),
            ("scope", "all"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(422);

    let done = app
        .post(
            "/volgen",
            &[
                ("email", "Lezer@Voorbeeld.nl"),
                ("scope", "all"),
                ("summaries", "1"),
                ("frequency", "monthly"),
                ("lang", "en"),
            ],
        )
        .await;
    done.assert_status(200).assert_contains("Kijk in je mail");
    let s = stored(&app, "lezer@voorbeeld.nl").await;
    assert_eq!(
        (s.status.as_str(), s.frequency.as_str(), s.lang.as_str()),
        ("pending", "monthly", "en")
    );
    assert!(s.consent_text.contains("We keep your address"));
    assert_eq!(s.consent_ip, "192.0.2.10");

    // The confirmation mail, in English, with the list headers and a manage link.
    let mail = app
        .mail(
            "lezer@voorbeeld.nl",
            "Confirm that you want to follow Erbij",
        )
        .await;
    assert!(mail.html.contains("Yes, I want to follow Erbij"));
    assert!(mail.text.contains(&format!(
        "http://erbij.test/volgen/beheer/{}",
        s.manage_token
    )));
    let raw = std::fs::read_dir(&app.outbox)
        .expect("outbox")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect::<String>();
    assert!(raw.contains(&format!(
        "List-Unsubscribe: <http://erbij.test/volgen/uitschrijven/{}>",
        s.manage_token
    )));
    assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(raw.contains("List-Id: Erbij <volgen.erbij.test>"));

    // Opening the link only shows a button; the POST confirms.
    let confirm = mail.path(&app.base(), "/volgen/bevestigen/");
    app.get(&confirm)
        .await
        .assert_status(200)
        .assert_contains("Bevestigen");
    assert_eq!(stored(&app, "lezer@voorbeeld.nl").await.status, "pending");
    app.post(&confirm, &[])
        .await
        .assert_status(200)
        .assert_contains("Je volgt Erbij");
    assert_eq!(stored(&app, "lezer@voorbeeld.nl").await.status, "active");
    app.post(&confirm, &[]).await.assert_status(410);

    // Preferences, from the link, without signing in.
    let manage = format!("/volgen/beheer/{}", s.manage_token);
    let mut other_browser = app.second_browser();
    other_browser
        .get(&manage)
        .await
        .assert_status(200)
        .assert_contains("lezer@voorbeeld.nl");
    let jongeren = {
        use erbij::entities::practice;
        practice::Entity::find()
            .filter(practice::Column::Slug.eq("jongeren"))
            .one(&app.state.db)
            .await
            .expect("q")
            .expect("p")
            .id
            .to_string()
    };
    other_browser
        .post(
            &manage,
            &[
                ("scope", "chosen"),
                ("practice", &jongeren),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200)
        .assert_contains("Je keuzes zijn opgeslagen.");
    let s2 = stored(&app, "lezer@voorbeeld.nl").await;
    assert!(!s2.all_practices && !s2.summaries && s2.frequency == "weekly");

    // GET on the unsubscribe link never unsubscribes; the POST does, also without cookies.
    let stop = format!("/volgen/uitschrijven/{}", s.manage_token);
    app.get(&stop).await.assert_status(200);
    assert_eq!(stored(&app, "lezer@voorbeeld.nl").await.status, "active");
    let mut mail_provider = app.second_browser();
    let one_click = mail_provider
        .post_raw(&stop, &[("List-Unsubscribe", "One-Click")])
        .await;
    one_click
        .assert_status(200)
        .assert_contains("Je bent afgemeld");
    assert!(!mail_provider.cookies.contains_key("erbij_session"));
    assert_eq!(stored(&app, "lezer@voorbeeld.nl").await.status, "stopped");
    mail_provider
        .post_raw(&stop, &[("List-Unsubscribe", "One-Click")])
        .await
        .assert_status(200);

    // Unknown or tampered tokens get a clear page, never an error.
    for path in [
        "/volgen/beheer/abc",
        "/volgen/uitschrijven/0000",
        &format!("/volgen/beheer/{}", "f".repeat(64)),
        "/volgen/bevestigen/x",
    ] {
        app.get(path)
            .await
            .assert_status(410)
            .assert_contains("Deze link werkt niet");
    }
    app.post_raw(&format!("/volgen/uitschrijven/{}", "e".repeat(64)), &[])
        .await
        .assert_status(410);
}

#[tokio::test]
async fn subscribing_again_reveals_nothing_and_sends_a_fresh_confirmation() {
    let mut app = TestApp::new().await;
    let fields = [
        ("email", "lezer@voorbeeld.nl"),
        ("scope", "all"),
        ("frequency", "weekly"),
        ("lang", "nl"),
    ];
    let first = app.post("/volgen", &fields).await;
    let again = app.post("/volgen", &fields).await;
    let stranger = app
        .post(
            "/volgen",
            &[
                ("email", "ander@voorbeeld.nl"),
                ("scope", "all"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await;
    assert_eq!(first.body, again.body);
    assert_eq!(first.body, stranger.body);
    let links: Vec<String> = app
        .at_least("lezer@voorbeeld.nl", 2)
        .await
        .iter()
        .map(|m| m.path(&app.base(), "/volgen/bevestigen/"))
        .collect();
    assert_eq!(links.len(), 2);
    // Only the newest link works: one of the two answers, the other is spent.
    let mut statuses = vec![
        app.get(&links[0]).await.status.as_u16(),
        app.get(&links[1]).await.status.as_u16(),
    ];
    statuses.sort_unstable();
    assert_eq!(statuses, vec![200, 410]);
}

#[tokio::test]
async fn unconfirmed_addresses_are_forgotten_after_a_week_and_nothing_else_is_sent() {
    let mut app = TestApp::new().await;
    app.post(
        "/volgen",
        &[
            ("email", "oud@voorbeeld.nl"),
            ("scope", "all"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await;
    app.post(
        "/volgen",
        &[
            ("email", "nieuw@voorbeeld.nl"),
            ("scope", "all"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await;
    subscriber::Entity::update_many()
        .col_expr(
            subscriber::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(8)),
        )
        .filter(subscriber::Column::Email.eq("oud@voorbeeld.nl"))
        .exec(&app.state.db)
        .await
        .expect("age");
    let purged = erbij::retention::purge_unconfirmed(&app.state.db, Utc::now())
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    assert!(
        subscriber::Entity::find()
            .filter(subscriber::Column::Email.eq("oud@voorbeeld.nl"))
            .one(&app.state.db)
            .await
            .expect("q")
            .is_none()
    );
    assert_eq!(stored(&app, "nieuw@voorbeeld.nl").await.status, "pending");
    assert_eq!(
        app.settled_count("nieuw@voorbeeld.nl").await,
        1,
        "only the confirmation"
    );
}

#[tokio::test]
async fn subscribing_is_rate_limited_per_address() {
    let mut app = TestApp::new().await;
    for i in 0..10 {
        let email = format!("lezer{i}@voorbeeld.nl");
        app.post(
            "/volgen",
            &[
                ("email", &email),
                ("scope", "all"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    }
    app.post(
        "/volgen",
        &[
            ("email", "nog-een@voorbeeld.nl"),
            ("scope", "all"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(429)
    .assert_contains("te veel pogingen")
    .assert_contains(r#"value="nog-een@voorbeeld.nl""#);
}

#[tokio::test]
async fn a_subscribers_digest_holds_public_news_only() {
    use erbij::digests::{Period, compose, render};

    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("migranten").await;
    marieke.join("jongeren").await;
    marieke
        .start_thread(
            "migranten",
            "Taalcafé in Delfshaven",
            "Elke dinsdag **koffie** en taal.",
            "public",
        )
        .await;
    marieke
        .start_thread("migranten", "Casus mevrouw K", "Vertrouwelijk.", "members")
        .await;
    marieke
        .start_thread("jongeren", "Jongeren op school", "Over mentoren.", "public")
        .await;

    let mut reader = marieke.second_browser();
    let migranten = {
        use erbij::entities::practice;
        practice::Entity::find()
            .filter(practice::Column::Slug.eq("migranten"))
            .one(&marieke.state.db)
            .await
            .expect("q")
            .expect("p")
            .id
            .to_string()
    };
    reader
        .post(
            "/volgen",
            &[
                ("email", "lezer@voorbeeld.nl"),
                ("scope", "chosen"),
                ("practice", &migranten),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await
        .assert_status(200);
    let sub = stored(&reader, "lezer@voorbeeld.nl").await;

    let period = Period::ending(Utc::now() + Duration::minutes(1), "weekly");
    let digest = compose(&marieke.state.db, &sub, period)
        .await
        .expect("compose")
        .expect("something new");
    assert_eq!(
        digest.count(),
        1,
        "one public thread in the followed practice"
    );
    let mail = render(&marieke.state, &sub, &digest, period);
    assert!(mail.subject.contains("1 nieuw"), "{}", mail.subject);
    for part in [&mail.text, &mail.html.clone().into_string()] {
        assert!(part.contains("Taalcafé in Delfshaven"));
        assert!(part.contains("Elke dinsdag koffie en taal."));
        assert!(part.contains("http://erbij.test/onderwerpen/"));
        assert!(part.contains(&format!(
            "http://erbij.test/volgen/beheer/{}",
            sub.manage_token
        )));
        assert!(
            !part.contains("mevrouw K"),
            "members-only never reaches a subscriber"
        );
        assert!(
            !part.contains("Jongeren op school"),
            "a practice not followed"
        );
    }
    assert!(
        mail.headers
            .iter()
            .any(|(name, value)| *name == "List-Unsubscribe-Post"
                && value == "List-Unsubscribe=One-Click")
    );

    // A later period with nothing new: no digest at all.
    let later = Period {
        start: Utc::now() + Duration::days(1),
        end: Utc::now() + Duration::days(8),
    };
    assert!(
        compose(&marieke.state.db, &sub, later)
            .await
            .expect("compose")
            .is_none()
    );
}

#[test]
fn digest_preview_on_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_erbij"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env("ERBIJ_DATA_DIR", dir.path().join("data"))
            .output()
            .expect("runs")
    };
    let out = run(&["digest", "preview", "--email", "niemand@voorbeeld.nl"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no subscriber with the address"));
}

/// A confirmed subscriber of everything, and a public thread for their digest.
async fn subscriber_with_news() -> (TestApp, subscriber::Model) {
    let mut app = TestApp::new().await;
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("zingeving").await;
    app.start_thread(
        "zingeving",
        "Levensvragen aan de keukentafel",
        "Wat wij leerden.",
        "public",
    )
    .await;
    let mut reader = app.second_browser();
    reader
        .post(
            "/volgen",
            &[
                ("email", "lezer@voorbeeld.nl"),
                ("scope", "all"),
                ("summaries", "1"),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await;
    let mail = reader.mail("lezer@voorbeeld.nl", "Bevestig").await;
    reader
        .post(&mail.path(&reader.base(), "/volgen/bevestigen/"), &[])
        .await
        .assert_status(200);
    let sub = stored(&app, "lezer@voorbeeld.nl").await;
    (app, sub)
}

#[tokio::test]
async fn each_digest_is_queued_once_and_sent_once() {
    use erbij::{delivery, entities::outbox_mail};
    let (app, _) = subscriber_with_news().await;
    let bar = indicatif::ProgressBar::hidden();
    let end = Utc::now() + Duration::minutes(1);

    let dry = delivery::enqueue(&app.state, end, &["weekly"], true, &bar)
        .await
        .expect("dry run");
    assert_eq!(dry.queued, 1);
    assert!(
        outbox_mail::Entity::find()
            .all(&app.state.db)
            .await
            .expect("q")
            .is_empty(),
        "a dry run queues nothing"
    );

    // Composing the same period twice (or on two instances) queues one mail.
    let (a, b) = tokio::join!(
        delivery::enqueue(&app.state, end, &["weekly"], false, &bar),
        delivery::enqueue(&app.state, end, &["weekly"], false, &bar)
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert!(
        a.queued + b.queued >= 1,
        "at least one run composed the digest"
    );
    assert_eq!(
        outbox_mail::Entity::find()
            .all(&app.state.db)
            .await
            .expect("q")
            .len(),
        1
    );
    let again = delivery::enqueue(&app.state, end, &["weekly"], false, &bar)
        .await
        .expect("third");
    assert_eq!(again.already, 1);

    // Two workers drain it: one mail leaves.
    let (x, y) = tokio::join!(
        delivery::deliver(&app.state, 100, 0, &bar),
        delivery::deliver(&app.state, 100, 0, &bar)
    );
    assert_eq!(x.expect("x").sent + y.expect("y").sent, 1);
    assert_eq!(
        delivery::deliver(&app.state, 100, 0, &bar)
            .await
            .expect("z")
            .sent,
        0
    );
    let digests: Vec<_> = app
        .mails_to("lezer@voorbeeld.nl")
        .into_iter()
        .filter(|m| m.subject.contains("deze week"))
        .collect();
    assert_eq!(digests.len(), 1);
    assert!(digests[0].text.contains("Levensvragen aan de keukentafel"));
    let row = outbox_mail::Entity::find()
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("row");
    assert_eq!(row.status, "sent");
    let raw: String = std::fs::read_dir(&app.outbox)
        .expect("outbox")
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    let message_id = row.message_id.expect("chosen when queued");
    assert!(message_id.starts_with("<outbox-weekly."), "{message_id}");
    assert!(
        raw.contains(&format!("Message-ID: {message_id}")),
        "the mail carries the Message-ID kept on its outbox row"
    );

    // Administrators see the outbox per period.
    let mut admin = app.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    let page = admin.get("/beheer/post").await;
    page.assert_status(200)
        .assert_contains(&row.period_key)
        .assert_contains("<td>1</td>");
}

#[tokio::test]
async fn a_worker_that_died_mid_send_leaves_its_mail_to_the_next() {
    use erbij::{delivery, entities::outbox_mail};
    let (app, _) = subscriber_with_news().await;
    let bar = indicatif::ProgressBar::hidden();
    delivery::enqueue(
        &app.state,
        Utc::now() + Duration::minutes(1),
        &["weekly"],
        false,
        &bar,
    )
    .await
    .expect("enqueue");
    // A worker claimed the row and crashed: its lease is still running, so nobody sends.
    outbox_mail::Entity::update_many()
        .col_expr(outbox_mail::Column::Status, Expr::value("sending"))
        .col_expr(
            outbox_mail::Column::LeaseUntil,
            Expr::value(Utc::now() + Duration::minutes(4)),
        )
        .exec(&app.state.db)
        .await
        .expect("claim");
    assert_eq!(
        delivery::deliver(&app.state, 100, 0, &bar)
            .await
            .expect("d")
            .sent,
        0
    );
    // Once the lease has run out, the next run delivers it.
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::LeaseUntil,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .exec(&app.state.db)
        .await
        .expect("expire");
    assert_eq!(
        delivery::deliver(&app.state, 100, 0, &bar)
            .await
            .expect("d")
            .sent,
        1
    );
    assert_eq!(
        delivery::deliver(&app.state, 100, 0, &bar)
            .await
            .expect("d")
            .sent,
        0
    );
}

#[tokio::test]
async fn following_says_what_it_will_do_with_the_choices_it_was_given() {
    let mut app = TestApp::new().await;
    let jongeren = erbij::entities::practice::Entity::find()
        .filter(erbij::entities::practice::Column::Slug.eq("jongeren"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("jongeren");
    let id = jongeren.id.to_string();
    // From a practice's page, its box is ticked already.
    app.get("/praktijken/jongeren")
        .await
        .assert_contains("href=\"/volgen?praktijk=jongeren\"");
    app.get("/volgen?praktijk=jongeren")
        .await
        .assert_contains(r#"value="chosen" id="scope-chosen" checked"#)
        .assert_contains(&format!(
            r#"value="{id}" id="p-{id}" data-slug="jongeren" checked"#
        ));
    // "All practices" with a practice ticked is not silently all: the person says which,
    // in words (never a raw key), with the form as they left it, fields in form order.
    let page = app
        .post(
            "/volgen",
            &[
                ("email", "geen-adres"),
                ("scope", "all"),
                ("practice", &id),
                ("frequency", "weekly"),
                ("lang", "nl"),
            ],
        )
        .await;
    page.assert_status(422)
        .assert_contains("Je koos ‘alle praktijken’ én vinkte praktijken aan")
        .assert_contains(&format!(
            r#"value="{id}" id="p-{id}" data-slug="jongeren" checked"#
        ))
        .assert_lacks("field.");
    let summary = page
        .body
        .split_once("error-summary")
        .map(|(_, rest)| rest)
        .expect("a summary");
    assert!(
        summary.find("E-mailadres").expect("email listed")
            < summary.find("Praktijken").expect("practices listed"),
        "the summary follows the form's order"
    );
    // Only summaries: no practice at all.
    app.post(
        "/volgen",
        &[
            ("email", "bundels@voorbeeld.nl"),
            ("scope", "none"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Kies iets om te volgen");
    app.post(
        "/volgen",
        &[
            ("email", "bundels@voorbeeld.nl"),
            ("scope", "none"),
            ("summaries", "1"),
            ("frequency", "weekly"),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(200);
    let s = stored(&app, "bundels@voorbeeld.nl").await;
    assert!(!s.all_practices && s.summaries);
    // The confirmation mail does not claim they follow already.
    let mail = app.mail("bundels@voorbeeld.nl", "Bevestig").await;
    assert!(
        mail.text.contains("iemand dit adres opgaf"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains("omdat je Erbij per e-mail volgt"));
}
