//! Meetings: planned by facilitators, joined with one button (or, for visitors of a public
//! meeting, with a confirmed address), a waiting list that moves up by itself, calendars,
//! reminders, cancellation, attendance and the report — and the visibility rule over all of
//! it.

use chrono::{Duration, Utc};
use erbij::entities::{
    meeting::{self, MeetingState},
    outbox_mail,
    registration::{self, Status},
};
use futures_util::future::join_all;
use indicatif::ProgressBar;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};

use crate::helpers::TestApp;

const SLUG: &str = "migranten";

/// A date `days` from today, as the form takes it.
fn day(days: i64) -> String {
    (Utc::now() + Duration::days(days))
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .format("%Y-%m-%d")
        .to_string()
}

/// A site with a facilitator of [`SLUG`], signed in, in `app`.
async fn site() -> TestApp {
    let mut app = TestApp::new().await;
    let facilitator = app
        .person("fatima@wijkteam.nl", "Fatima El Amrani", false, false)
        .await;
    app.make_facilitator(facilitator.id, SLUG).await;
    app.login_as("fatima@wijkteam.nl").await;
    app
}

/// Plans a meeting in [`SLUG`] through the form, with `changes` over sensible defaults, and
/// returns its id.
async fn plan(app: &mut TestApp, changes: &[(&str, &str)]) -> i32 {
    let date = day(10);
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", "Kennisbijeenkomst taal en eenzaamheid"),
        ("kind", "knowledge"),
        ("visibility", "public"),
        ("public_ok", "1"),
        ("date", &date),
        ("starts", "14:00"),
        ("ends", "16:30"),
        ("place", "Wijkcentrum De Larenkamp, Rotterdam"),
        ("room", "Zaal 2"),
        ("online_link", ""),
        ("agenda", "1. Welkom\n2. **Casus** uit de wijk"),
        ("capacity", ""),
    ];
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    let page = app
        .post(&format!("/praktijken/{SLUG}/bijeenkomsten/nieuw"), &fields)
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location()
        .trim_start_matches("/bijeenkomsten/")
        .parse()
        .expect("the new meeting's address")
}

async fn meeting(app: &TestApp, id: i32) -> meeting::Model {
    meeting::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn statuses(app: &TestApp, id: i32) -> Vec<(Option<i32>, Status)> {
    let mut rows: Vec<(i32, Option<i32>, Status)> = registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(id))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.user_id, r.status))
        .collect();
    rows.sort_by_key(|(id, _, _)| *id);
    rows.into_iter().map(|(_, u, s)| (u, s)).collect()
}

async fn deliver(app: &TestApp) {
    erbij::delivery::deliver(&app.state, 10_000, 0, &ProgressBar::hidden())
        .await
        .expect("deliver");
}

/// A member, signed in, in a browser of their own.
async fn member_browser(app: &TestApp, email: &str, name: &str) -> (TestApp, i32) {
    let person = app.person(email, name, false, false).await;
    let mut browser = app.second_browser();
    browser.login_as(email).await;
    (browser, person.id)
}

/// One property of an event: name, value, parameters.
type Property = (String, Option<String>, Vec<(String, Vec<String>)>);

/// The VEVENT's properties of a calendar file, read by an independent parser (`ical`).
fn events(ics: &str) -> Vec<Vec<Property>> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let mut out = Vec::new();
    for calendar in reader {
        let calendar = calendar.expect("a calendar that parses");
        for event in calendar.events {
            out.push(
                event
                    .properties
                    .into_iter()
                    .map(|p| (p.name, p.value, p.params.unwrap_or_default()))
                    .collect(),
            );
        }
    }
    out
}

fn prop(event: &[Property], name: &str) -> String {
    event
        .iter()
        .find(|(n, _, _)| n == name)
        .and_then(|(_, v, _)| v.clone())
        .unwrap_or_else(|| panic!("no {name} in {event:?}"))
}

#[tokio::test]
async fn times_are_amsterdam_time_on_both_sides_of_a_daylight_saving_change() {
    let mut app = site().await;
    // The clocks go forward in the night of 27 to 28 March 2027.
    let before = plan(
        &mut app,
        &[
            ("date", "2027-03-27"),
            ("starts", "10:00"),
            ("ends", "12:00"),
        ],
    )
    .await;
    let after = plan(
        &mut app,
        &[
            ("date", "2027-03-28"),
            ("starts", "10:00"),
            ("ends", "12:00"),
        ],
    )
    .await;
    assert_eq!(
        meeting(&app, before).await.starts_at.to_rfc3339(),
        "2027-03-27T09:00:00+00:00"
    );
    assert_eq!(
        meeting(&app, after).await.starts_at.to_rfc3339(),
        "2027-03-28T08:00:00+00:00"
    );
    // People read the time they would see on a clock in Rotterdam, with the weekday.
    app.get(&format!("/bijeenkomsten/{after}"))
        .await
        .assert_status(200)
        .assert_contains("zondag 28 maart 2027, 10:00–12:00");
    app.get(&format!("/bijeenkomsten/{before}"))
        .await
        .assert_contains("zaterdag 27 maart 2027, 10:00–12:00");
    // Calendars get the same wall-clock time with its zone, and the zone's rules.
    let ics = app.get(&format!("/bijeenkomsten/{after}/agenda.ics")).await;
    assert_eq!(ics.headers["content-type"], "text/calendar; charset=utf-8");
    assert!(ics.body.contains("BEGIN:VTIMEZONE"), "{}", ics.body);
    let events = events(&ics.body);
    assert_eq!(events.len(), 1);
    assert_eq!(prop(&events[0], "DTSTART"), "20270328T100000");
    let (_, _, params) = events[0].iter().find(|(n, _, _)| n == "DTSTART").unwrap();
    assert!(
        params
            .iter()
            .any(|(k, v)| k == "TZID" && v == &["Europe/Amsterdam".to_string()]),
        "{params:?}"
    );
    // A time that does not exist that night is refused, and the form keeps what was typed.
    let page = app
        .post(
            &format!("/praktijken/{SLUG}/bijeenkomsten/nieuw"),
            &[
                ("title", "Nachtelijke intervisie"),
                ("kind", "intervision"),
                ("visibility", "members"),
                ("date", "2027-03-28"),
                ("starts", "02:30"),
                ("ends", "03:30"),
                ("place", "Online"),
            ],
        )
        .await;
    page.assert_status(422)
        .assert_contains("Die tijd bestaat die nacht niet")
        .assert_contains("Nachtelijke intervisie");
}

#[tokio::test]
async fn the_waiting_list_moves_up_when_someone_cancels_and_they_are_told() {
    let mut app = site().await;
    let id = plan(
        &mut app,
        &[
            ("capacity", "2"),
            ("online_link", "https://meet.example/taal-42"),
        ],
    )
    .await;
    let (mut a, a_id) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    let (mut b, _) = member_browser(&app, "b@wijk.nl", "Bram Visser").await;
    let (mut c, c_id) = member_browser(&app, "c@wijk.nl", "Cor de Wit").await;
    for browser in [&mut a, &mut b] {
        browser
            .post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
            .await
            .assert_status(303);
    }
    // Full: the third sees so, and joins the waiting list with the same button.
    c.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Alle plaatsen zijn bezet")
        .assert_contains("Op de wachtlijst")
        .assert_lacks("https://meet.example/taal-42");
    c.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    c.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Je staat op de wachtlijst.")
        .assert_lacks("https://meet.example/taal-42");
    // Someone with a place sees the online link.
    a.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Je bent aangemeld.")
        .assert_contains("https://meet.example/taal-42");
    assert_eq!(meeting(&app, id).await.registered, 2);
    // Clicking twice changes nothing.
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    assert_eq!(meeting(&app, id).await.registered, 2);

    a.post(&format!("/bijeenkomsten/{id}/afmelden"), &[])
        .await
        .assert_status(303);
    let now = statuses(&app, id).await;
    assert!(now.contains(&(Some(a_id), Status::Cancelled)), "{now:?}");
    assert!(now.contains(&(Some(c_id), Status::Registered)), "{now:?}");
    assert_eq!(meeting(&app, id).await.registered, 2);
    c.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Je bent aangemeld.")
        .assert_contains("https://meet.example/taal-42");
    deliver(&app).await;
    let mail = app.mail("c@wijk.nl", "Er is een plaats vrij").await;
    assert!(
        mail.text.contains("Kennisbijeenkomst taal en eenzaamheid"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("https://meet.example/taal-42"),
        "a place brings the link: {}",
        mail.text
    );
    assert!(
        mail.text
            .contains(&format!("http://erbij.test/bijeenkomsten/{id}"))
    );
    // Told once.
    deliver(&app).await;
    assert_eq!(app.mails_to("c@wijk.nl").len(), 1);
    assert!(app.mails_to("b@wijk.nl").is_empty());
}

#[tokio::test]
async fn a_crowd_registering_and_cancelling_at_once_never_overbooks() {
    let mut app = site().await;
    let id = plan(&mut app, &[("capacity", "5")]).await;
    let mut crowd = Vec::new();
    for i in 0..30 {
        crowd.push(
            member_browser(&app, &format!("lid{i}@wijk.nl"), &format!("Lid {i}"))
                .await
                .0,
        );
    }
    let answers = join_all(crowd.iter_mut().map(|b| {
        let path = format!("/bijeenkomsten/{id}/aanmelden");
        async move { b.post(&path, &[]).await.status }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 303), "{answers:?}");
    let all = statuses(&app, id).await;
    let placed = all.iter().filter(|(_, s)| *s == Status::Registered).count();
    let waiting = all.iter().filter(|(_, s)| *s == Status::Waiting).count();
    assert_eq!((placed, waiting), (5, 25));
    assert_eq!(meeting(&app, id).await.registered, 5);
    // Everyone with a place cancels at once: five move up, never more.
    let mut with_place = Vec::new();
    for b in crowd.iter_mut() {
        if b.get(&format!("/bijeenkomsten/{id}"))
            .await
            .body
            .contains("Je bent aangemeld.")
        {
            with_place.push(b);
        }
    }
    assert_eq!(with_place.len(), 5);
    join_all(with_place.into_iter().map(|b| {
        let path = format!("/bijeenkomsten/{id}/afmelden");
        async move { b.post(&path, &[]).await.assert_status(303).status }
    }))
    .await;
    let all = statuses(&app, id).await;
    let placed = all.iter().filter(|(_, s)| *s == Status::Registered).count();
    let waiting = all.iter().filter(|(_, s)| *s == Status::Waiting).count();
    assert_eq!((placed, waiting), (5, 20));
    assert_eq!(meeting(&app, id).await.registered, 5);
}

#[tokio::test]
async fn a_reminder_goes_once_the_day_before_and_a_cancellation_tells_everyone() {
    let mut app = site().await;
    // Tomorrow at this hour (Amsterdam), plus a little: within a day from now.
    let start = (Utc::now() + Duration::hours(20)).with_timezone(&chrono_tz::Europe::Amsterdam);
    let end = start + Duration::hours(1);
    let (date, starts, ends) = (
        start.format("%Y-%m-%d").to_string(),
        start.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
    );
    let ends = if end.date_naive() != start.date_naive() {
        "23:59".to_string()
    } else {
        ends
    };
    let id = plan(
        &mut app,
        &[
            ("date", &date),
            ("starts", &starts),
            ("ends", &ends),
            ("capacity", "1"),
        ],
    )
    .await;
    let (mut a, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    let (mut b, _) = member_browser(&app, "b@wijk.nl", "Bram Visser").await;
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    b.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    // The job looks every minute: the reminder is queued once, only for who has a place.
    for _ in 0..3 {
        erbij::meetings::mails::queue_reminders(&app.state, Utc::now())
            .await
            .unwrap();
    }
    let reminders = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::PeriodKey.starts_with("meeting-reminder:"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(reminders, 1);
    deliver(&app).await;
    // "Morgen", or "Vandaag" when twenty hours ahead is still today (a run at night).
    let starts_at = meeting(&app, id).await.starts_at;
    let amsterdam =
        |t: chrono::DateTime<Utc>| t.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive();
    let word = if amsterdam(starts_at) == amsterdam(Utc::now()) {
        "Vandaag"
    } else {
        "Morgen"
    };
    let reminder = app
        .mail("a@wijk.nl", &format!("{word}: Kennisbijeenkomst"))
        .await;
    let weekday =
        erbij::meetings::views::long_date(erbij::i18n::Lang::Nl, meeting(&app, id).await.starts_at);
    assert!(
        reminder.text.contains(&weekday),
        "weekday and date in Amsterdam time: {}",
        reminder.text
    );
    assert!(reminder.text.contains(&starts), "{}", reminder.text);
    assert!(
        app.mails_to("b@wijk.nl").is_empty(),
        "the waiting list gets no reminder"
    );
    // A visitor's page never shows what to cancel; an organiser cancels after a question.
    let uid_before = prop(
        &events(
            &app.get(&format!("/bijeenkomsten/{id}/agenda.ics"))
                .await
                .body,
        )[0],
        "UID",
    );
    app.get(&format!("/bijeenkomsten/{id}/annuleren"))
        .await
        .assert_contains("Weet je het zeker?");
    app.post(&format!("/bijeenkomsten/{id}/annuleren"), &[])
        .await
        .assert_status(303);
    assert_eq!(meeting(&app, id).await.state, MeetingState::Cancelled);
    deliver(&app).await;
    app.mail("a@wijk.nl", "Gaat niet door: Kennisbijeenkomst")
        .await;
    app.mail("b@wijk.nl", "Gaat niet door: Kennisbijeenkomst")
        .await;
    // No reminder after a cancellation, and the calendar file cancels the same event.
    erbij::meetings::mails::queue_reminders(&app.state, Utc::now())
        .await
        .unwrap();
    deliver(&app).await;
    assert_eq!(app.mails_to("a@wijk.nl").len(), 2);
    let ics = app.get(&format!("/bijeenkomsten/{id}/agenda.ics")).await;
    assert!(ics.body.contains("METHOD:CANCEL"), "{}", ics.body);
    let event = &events(&ics.body)[0];
    assert_eq!(prop(event, "UID"), uid_before);
    assert_eq!(prop(event, "STATUS"), "CANCELLED");
    assert_eq!(prop(event, "SEQUENCE"), "1");
    app.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Deze bijeenkomst gaat niet door.");
}

#[tokio::test]
async fn a_change_keeps_the_uid_raises_the_sequence_and_is_mailed() {
    let mut app = site().await;
    let id = plan(&mut app, &[]).await;
    let (mut a, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    let first = events(
        &app.get(&format!("/bijeenkomsten/{id}/agenda.ics"))
            .await
            .body,
    );
    assert_eq!(prop(&first[0], "SEQUENCE"), "0");
    let form = app.get(&format!("/bijeenkomsten/{id}/bewerken")).await;
    form.assert_status(200)
        .assert_contains("Kennisbijeenkomst taal en eenzaamheid");
    let date = day(11);
    let page = app
        .post(
            &format!("/bijeenkomsten/{id}/bewerken"),
            &[
                ("title", "Kennisbijeenkomst taal en eenzaamheid"),
                ("kind", "knowledge"),
                ("visibility", "public"),
                ("public_ok", "1"),
                ("date", &date),
                ("starts", "15:00"),
                ("ends", "17:00"),
                ("place", "Wijkcentrum De Larenkamp, Rotterdam"),
                ("room", "Zaal 3"),
            ],
        )
        .await;
    page.assert_status(303);
    let second = events(
        &app.get(&format!("/bijeenkomsten/{id}/agenda.ics"))
            .await
            .body,
    );
    assert_eq!(prop(&second[0], "UID"), prop(&first[0], "UID"));
    assert_eq!(prop(&second[0], "SEQUENCE"), "1");
    assert!(prop(&second[0], "DTSTART").ends_with("T150000"));
    deliver(&app).await;
    let mail = app.mail("a@wijk.nl", "Gewijzigd: Kennisbijeenkomst").await;
    assert!(mail.text.contains("15:00–17:00"), "{}", mail.text);
    assert!(mail.text.contains("Zaal 3"), "{}", mail.text);
    // A 100,000-character title is refused with the form back, not a crash.
    let long = "x".repeat(100_000);
    app.post(
        &format!("/bijeenkomsten/{id}/bewerken"),
        &[
            ("title", &long),
            ("kind", "knowledge"),
            ("visibility", "members"),
            ("date", &date),
            ("starts", "15:00"),
            ("ends", "17:00"),
            ("place", "Rotterdam"),
        ],
    )
    .await
    .assert_status(422);
}

#[tokio::test]
async fn a_members_only_meeting_never_reaches_a_visitor_a_feed_a_digest_or_a_stranger() {
    let mut app = site().await;
    let secret = plan(
        &mut app,
        &[
            ("title", "Intervisie Zeldzaamheid"),
            ("visibility", "members"),
            ("kind", "intervision"),
        ],
    )
    .await;
    let public = plan(
        &mut app,
        &[
            ("title", "Open middag Buurtkracht"),
            ("online_link", "https://meet.example/open-77"),
        ],
    )
    .await;
    let mut visitor = app.second_browser();
    for path in [
        "/".to_string(),
        "/bijeenkomsten".into(),
        format!("/praktijken/{SLUG}"),
        format!("/praktijken/{SLUG}/bijeenkomsten"),
        "/bijeenkomsten.ics".into(),
        format!("/praktijken/{SLUG}/bijeenkomsten.ics"),
    ] {
        let page = visitor.get(&path).await;
        page.assert_status(200)
            .assert_lacks("Zeldzaamheid")
            .assert_lacks("open-77");
        if path.contains("bijeenkomsten") {
            page.assert_contains("Open middag Buurtkracht");
        }
    }
    for path in [
        format!("/bijeenkomsten/{secret}"),
        format!("/bijeenkomsten/{secret}/agenda.ics"),
    ] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location().starts_with("/inloggen"), "{path}");
        page.assert_lacks("Zeldzaamheid");
    }
    visitor
        .post(
            &format!("/bijeenkomsten/{secret}/aanmelden"),
            &[("name", "X"), ("email", "x@example.nl")],
        )
        .await
        .assert_lacks("Zeldzaamheid");
    assert!(app.mails_to("x@example.nl").is_empty());
    visitor
        .get(&format!("/bijeenkomsten/{public}"))
        .await
        .assert_contains("Open middag Buurtkracht")
        .assert_lacks("open-77")
        .assert_contains("Je krijgt de link als je bent aangemeld.");
    // A member sees it; the link only once registered.
    let (mut member, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    member
        .get(&format!("/bijeenkomsten/{secret}"))
        .await
        .assert_status(200)
        .assert_contains("Zeldzaamheid");
    member
        .get("/bijeenkomsten")
        .await
        .assert_contains("Zeldzaamheid");
    member
        .get(&format!("/bijeenkomsten/{public}"))
        .await
        .assert_lacks("open-77");
    // A subscriber's digest lists the coming public meeting, never the members-only one.
    let scope = erbij::forum::Scope::for_viewer(&app.state.db, None)
        .await
        .unwrap();
    let now = Utc::now();
    let period = erbij::digests::Period {
        start: now - Duration::days(7),
        end: now,
    };
    let digest = erbij::digests::compose_for(&app.state.db, &scope, None, false, period)
        .await
        .unwrap()
        .expect("a new public meeting is news");
    let titles: Vec<&str> = digest.meetings.iter().map(|m| m.title.as_str()).collect();
    assert_eq!(titles, ["Open middag Buurtkracht"]);
    // The personal feed: the member's practices' meetings, the link only with a place.
    member
        .post(&format!("/praktijken/{SLUG}/deelnemen"), &[])
        .await;
    member
        .post("/profiel/agenda", &[("action", "renew")])
        .await
        .assert_status(303);
    let feed_page = member.get("/profiel/agenda").await;
    let url = feed_page
        .body
        .split("value=\"")
        .find_map(|s| s.split('"').next().filter(|u| u.contains("/agenda/")))
        .expect("the feed address")
        .to_string();
    let path = url.trim_start_matches("http://erbij.test").to_string();
    let mut calendar_app = app.second_browser();
    let feed = calendar_app.get(&path).await;
    feed.assert_status(200)
        .assert_contains("Zeldzaamheid")
        .assert_lacks("open-77");
    member
        .post(&format!("/bijeenkomsten/{public}/aanmelden"), &[])
        .await
        .assert_status(303);
    calendar_app
        .get(&path)
        .await
        .assert_contains("https://meet.example/open-77");
    // Renewing the address switches the old one off.
    member.post("/profiel/agenda", &[("action", "renew")]).await;
    calendar_app.get(&path).await.assert_status(404);
    member.post("/profiel/agenda", &[("action", "off")]).await;
    member
        .get("/profiel/agenda")
        .await
        .assert_contains("Maak een agenda-adres");
}

#[tokio::test]
async fn a_visitor_registers_with_double_opt_in_and_keeps_their_data_in_hand() {
    let mut app = site().await;
    let id = plan(
        &mut app,
        &[
            ("capacity", "1"),
            ("online_link", "https://meet.example/gast-9"),
        ],
    )
    .await;
    let mut visitor = app.second_browser();
    // A form with a problem comes back with the text kept.
    visitor
        .post(
            &format!("/bijeenkomsten/{id}/aanmelden"),
            &[
                ("name", ""),
                ("organisation", "Buurtwerk"),
                ("email", "noor@buurtwerk.nl"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("noor@buurtwerk.nl")
        .assert_contains("Buurtwerk");
    let answer = visitor
        .post(
            &format!("/bijeenkomsten/{id}/aanmelden"),
            &[
                ("name", "Noor Haddou"),
                ("organisation", "Buurtwerk"),
                ("email", "Noor@Buurtwerk.nl"),
            ],
        )
        .await;
    answer
        .assert_status(200)
        .assert_contains("We hebben je een e-mail gestuurd");
    // Nothing is placed before the address is confirmed.
    assert_eq!(statuses(&app, id).await, [(None, Status::Pending)]);
    let mail = app
        .mail("noor@buurtwerk.nl", "Bevestig je aanmelding")
        .await;
    let link = mail.path("http://erbij.test", "/bijeenkomsten/bevestigen/");
    visitor
        .get(&link)
        .await
        .assert_status(200)
        .assert_contains("Ja, ik meld me aan");
    assert_eq!(
        meeting(&app, id).await.registered,
        0,
        "opening the link does nothing by itself"
    );
    let done = visitor.post(&link, &[]).await;
    done.assert_status(303);
    let manage = done.location().to_string();
    assert!(
        manage.starts_with("/bijeenkomsten/inschrijving/"),
        "{manage}"
    );
    visitor
        .get(&manage)
        .await
        .assert_contains("Je bent aangemeld.")
        .assert_contains("https://meet.example/gast-9")
        .assert_contains("Noor Haddou");
    assert_eq!(meeting(&app, id).await.registered, 1);
    // Registering again looks the same, and sends the link to the registration.
    let again = visitor
        .post(
            &format!("/bijeenkomsten/{id}/aanmelden"),
            &[("name", "Noor Haddou"), ("email", "noor@buurtwerk.nl")],
        )
        .await;
    again
        .assert_status(200)
        .assert_contains("We hebben je een e-mail gestuurd");
    app.mail("noor@buurtwerk.nl", "Je bent al aangemeld").await;
    // Their own calendar file has the link; their data comes as JSON.
    let ics = visitor.get(&format!("{manage}/agenda.ics")).await;
    assert!(ics.body.contains("meet.example/gast-9"), "{}", ics.body);
    let data = visitor.get(&format!("{manage}/gegevens.json")).await;
    let json: serde_json::Value = serde_json::from_str(&data.body).unwrap();
    assert_eq!(json["email"], "noor@buurtwerk.nl");
    assert_eq!(json["status"], "registered");
    // Cancelling frees the place; erasing removes every trace, and the link stops working.
    visitor
        .post(&format!("{manage}/afmelden"), &[])
        .await
        .assert_status(303);
    assert_eq!(meeting(&app, id).await.registered, 0);
    visitor
        .post(&format!("{manage}/wissen"), &[])
        .await
        .assert_status(200)
        .assert_contains("gewist");
    assert!(statuses(&app, id).await.is_empty());
    visitor.get(&manage).await.assert_status(410);
}

#[tokio::test]
async fn visitors_data_goes_thirty_days_after_but_training_attendance_stays_a_year() {
    let mut app = site().await;
    let talk = plan(&mut app, &[]).await;
    let training = plan(
        &mut app,
        &[("kind", "training"), ("title", "Training gespreksvoering")],
    )
    .await;
    let now = Utc::now();
    for (id, email, attended) in [
        (talk, "a@gast.nl", true),
        (training, "b@gast.nl", true),
        (training, "c@gast.nl", false),
    ] {
        registration::ActiveModel {
            meeting_id: Set(id),
            user_id: Set(None),
            status: Set(Status::Registered),
            name: Set("Gast".into()),
            organisation: Set(String::new()),
            email: Set(email.into()),
            lang: Set("nl".into()),
            manage_token: Set(Some(erbij::tokens::random_secret())),
            consent_text: Set("test".into()),
            consent_ip: Set("192.0.2.1".into()),
            attended: Set(attended),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&app.state.db)
        .await
        .unwrap();
    }
    // The meetings were 31 days ago.
    for id in [talk, training] {
        let mut m = meeting(&app, id).await.into_active_model();
        m.starts_at = Set(now - Duration::days(31) - Duration::hours(2));
        m.ends_at = Set(now - Duration::days(31));
        m.update(&app.state.db).await.unwrap();
    }
    let removed = erbij::retention::purge_meeting_visitors(&app.state.db, now)
        .await
        .unwrap();
    assert_eq!(removed, 2);
    let left: Vec<String> = registration::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.email)
        .collect();
    assert_eq!(left, ["b@gast.nl"]);
    let removed =
        erbij::retention::purge_meeting_visitors(&app.state.db, now + Duration::days(340))
            .await
            .unwrap();
    assert_eq!(removed, 1);
    // The privacy page says so, with the same figures.
    app.get("/privacy")
        .await
        .assert_contains("30 dagen na de bijeenkomst")
        .assert_contains("365 dagen");
}

#[tokio::test]
async fn organisers_get_the_list_as_csv_mark_who_came_and_a_member_gets_a_certificate() {
    let mut app = site().await;
    let id = plan(
        &mut app,
        &[("kind", "training"), ("title", "Training signaleren")],
    )
    .await;
    let (mut a, a_id) = member_browser(&app, "a@wijk.nl", "=HYPERLINK(\"x\")").await;
    let (mut b, _) = member_browser(&app, "b@wijk.nl", "Bram Visser").await;
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    b.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    // Not for members who do not organise.
    b.get(&format!("/bijeenkomsten/{id}/aanmeldingen"))
        .await
        .assert_status(403);
    b.get(&format!("/bijeenkomsten/{id}/aanmeldingen.csv"))
        .await
        .assert_status(403);
    app.get(&format!("/bijeenkomsten/{id}/aanmeldingen"))
        .await
        .assert_status(200)
        .assert_contains("Bram Visser")
        .assert_contains("2 aanmeldingen");
    let csv = app
        .get(&format!("/bijeenkomsten/{id}/aanmeldingen.csv"))
        .await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.body.contains("Bram Visser"), "{}", csv.body);
    assert!(csv.body.contains("b@wijk.nl"));
    assert!(
        !csv.body.contains(",=HYPERLINK") && csv.body.contains("'=HYPERLINK"),
        "{}",
        csv.body
    );
    // Who came: only Anna. Then only she has a certificate.
    let a_registration = registration::Entity::find()
        .filter(registration::Column::UserId.eq(a_id))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    app.post(
        &format!("/bijeenkomsten/{id}/aanwezigheid"),
        &[("present", &a_registration.id.to_string())],
    )
    .await
    .assert_status(303);
    a.get(&format!("/bijeenkomsten/{id}/bewijs"))
        .await
        .assert_status(200)
        .assert_contains("Bewijs van deelname")
        .assert_contains("Training signaleren");
    let (status, headers, pdf) = a
        .get_bytes(&format!("/bijeenkomsten/{id}/bewijs.pdf"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.windows(b"Training signaleren".len())
            .any(|w| w == b"Training signaleren")
    );
    b.get(&format!("/bijeenkomsten/{id}/bewijs"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn the_report_is_a_thread_linked_both_ways() {
    let mut app = site().await;
    let id = plan(&mut app, &[("title", "Kennisbijeenkomst zingeving")]).await;
    // Before the meeting there is nothing to report.
    app.get(&format!("/bijeenkomsten/{id}/verslag"))
        .await
        .assert_status(403);
    let now = Utc::now();
    let mut m = meeting(&app, id).await.into_active_model();
    m.starts_at = Set(now - Duration::hours(3));
    m.ends_at = Set(now - Duration::hours(1));
    m.update(&app.state.db).await.unwrap();
    app.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("Deze bijeenkomst is geweest.")
        .assert_contains("Verslag schrijven");
    let form = app.get(&format!("/bijeenkomsten/{id}/verslag")).await;
    form.assert_status(200)
        .assert_contains("Verslag: Kennisbijeenkomst zingeving");
    let page = app
        .post(
            &format!("/bijeenkomsten/{id}/verslag"),
            &[
                ("title", "Verslag: Kennisbijeenkomst zingeving"),
                (
                    "body",
                    "We spraken over **betekenis** in het dagelijks leven.",
                ),
            ],
        )
        .await;
    page.assert_status(303);
    let thread = page.location().to_string();
    assert!(thread.starts_with("/onderwerpen/"), "{thread}");
    app.get(&thread)
        .await
        .assert_contains("Verslag van de bijeenkomst")
        .assert_contains(&format!("/bijeenkomsten/{id}"));
    app.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains(&format!("href=\"{thread}\""));
    assert_eq!(meeting(&app, id).await.state, MeetingState::Held);
    // Once is enough.
    app.get(&format!("/bijeenkomsten/{id}/verslag"))
        .await
        .assert_status(403);
    // The report starts members-only, like every new text: a visitor does not read it.
    let mut visitor = app.second_browser();
    visitor
        .get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_lacks("Verslag: Kennisbijeenkomst");
}

#[tokio::test]
async fn only_facilitators_and_administrators_plan_meetings() {
    let app = site().await;
    let (mut member, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    member
        .get(&format!("/praktijken/{SLUG}/bijeenkomsten/nieuw"))
        .await
        .assert_status(403);
    let date = day(5);
    member
        .post(
            &format!("/praktijken/{SLUG}/bijeenkomsten/nieuw"),
            &[
                ("title", "Eigen plan"),
                ("kind", "knowledge"),
                ("visibility", "members"),
                ("date", &date),
                ("starts", "10:00"),
                ("ends", "11:00"),
                ("place", "Rotterdam"),
            ],
        )
        .await
        .assert_status(403);
    member.get("/bijeenkomsten/nieuw").await.assert_status(403);
    assert_eq!(
        meeting::Entity::find().count(&app.state.db).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn a_member_who_leaves_gives_their_place_to_the_waiting_list() {
    let mut app = site().await;
    let id = plan(&mut app, &[("capacity", "1")]).await;
    let (mut a, a_id) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    let (mut b, b_id) = member_browser(&app, "b@wijk.nl", "Bram Visser").await;
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    b.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    a.post(
        "/profiel/verwijderen",
        &[
            ("posts", "bewaren"),
            ("current_password", crate::helpers::PASSWORD),
        ],
    )
    .await
    .assert_status(200);
    let left = statuses(&app, id).await;
    assert_eq!(
        left,
        [(Some(b_id), Status::Registered)],
        "nothing of {a_id} stays"
    );
    assert_eq!(meeting(&app, id).await.registered, 1);
    deliver(&app).await;
    app.mail("b@wijk.nl", "Er is een plaats vrij").await;
}

#[tokio::test]
async fn what_changed_meanwhile_counts_when_a_visitor_confirms_or_an_organiser_edits() {
    let mut app = site().await;
    let id = plan(&mut app, &[("capacity", "2")]).await;
    let mut visitor = app.second_browser();
    visitor
        .post(
            &format!("/bijeenkomsten/{id}/aanmelden"),
            &[
                ("name", "Noor\r\nHaddou\u{202e}"),
                ("email", "noor@buurtwerk.nl"),
            ],
        )
        .await
        .assert_status(200);
    let link = app
        .mail("noor@buurtwerk.nl", "Bevestig je aanmelding")
        .await
        .path("http://erbij.test", "/bijeenkomsten/bevestigen/");
    // A name is one line of plain text, whatever was typed.
    let stored = registration::Entity::find()
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.name, "Noor  Haddou");
    // While a guest is registered the meeting stays public.
    let date = day(10);
    let narrower = [
        ("title", "Kennisbijeenkomst taal en eenzaamheid"),
        ("kind", "knowledge"),
        ("visibility", "members"),
        ("date", date.as_str()),
        ("starts", "14:00"),
        ("ends", "16:30"),
        ("place", "Wijkcentrum De Larenkamp, Rotterdam"),
        ("capacity", "2"),
    ];
    app.post(&format!("/bijeenkomsten/{id}/bewerken"), &narrower)
        .await
        .assert_status(422)
        .assert_contains("Er hebben zich gasten (geen leden) aangemeld");
    // Fewer places than people registered is refused too.
    let (mut a, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    let (mut b, _) = member_browser(&app, "b@wijk.nl", "Bram Visser").await;
    a.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    b.post(&format!("/bijeenkomsten/{id}/aanmelden"), &[])
        .await
        .assert_status(303);
    let mut fewer = narrower;
    fewer[2] = ("visibility", "public");
    fewer[7] = ("capacity", "1");
    let mut fewer = fewer.to_vec();
    fewer.push(("public_ok", "1"));
    app.post(&format!("/bijeenkomsten/{id}/bewerken"), &fewer)
        .await
        .assert_status(422)
        .assert_contains("Kies minstens zoveel plaatsen");
    // The organiser cancels; the guest confirms afterwards and gets no place.
    app.post(&format!("/bijeenkomsten/{id}/annuleren"), &[])
        .await
        .assert_status(303);
    visitor.post(&link, &[]).await.assert_status(303);
    let guest = registration::Entity::find()
        .filter(registration::Column::UserId.is_null())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(guest.status, Status::Cancelled);
    assert_eq!(meeting(&app, id).await.registered, 2);
    // The link worked once.
    visitor.post(&link, &[]).await.assert_status(410);
}

#[tokio::test]
async fn organisers_who_left_the_practice_and_blocked_accounts_lose_what_they_had() {
    let mut app = site().await;
    let (mut kees, kees_id) = member_browser(&app, "kees@wijk.nl", "Kees Bos").await;
    kees.post(&format!("/praktijken/{SLUG}/deelnemen"), &[])
        .await
        .assert_status(303);
    let handle = erbij::entities::user::Entity::find_by_id(kees_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .handle
        .unwrap();
    let organisers = format!("@{handle}");
    let id = plan(
        &mut app,
        &[
            ("organisers", &organisers),
            ("online_link", "https://meet.example/k-1"),
        ],
    )
    .await;
    kees.get(&format!("/bijeenkomsten/{id}/aanmeldingen"))
        .await
        .assert_status(200);
    kees.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_contains("https://meet.example/k-1");
    kees.post(&format!("/praktijken/{SLUG}/verlaten"), &[])
        .await
        .assert_status(303);
    kees.get(&format!("/bijeenkomsten/{id}/aanmeldingen"))
        .await
        .assert_status(403);
    kees.get(&format!("/bijeenkomsten/{id}"))
        .await
        .assert_lacks("https://meet.example/k-1");
    // A blocked account's calendar address stops working.
    kees.post("/profiel/agenda", &[("action", "renew")])
        .await
        .assert_status(303);
    let token = erbij::entities::user::Entity::find_by_id(kees_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .calendar_token
        .unwrap();
    let mut calendar = app.second_browser();
    calendar
        .get(&format!("/agenda/{token}.ics"))
        .await
        .assert_status(200);
    let mut blocked = erbij::entities::user::Entity::find_by_id(kees_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    blocked.disabled = Set(true);
    blocked.update(&app.state.db).await.unwrap();
    calendar
        .get(&format!("/agenda/{token}.ics"))
        .await
        .assert_status(404);
}

#[tokio::test]
async fn the_reminder_says_tomorrow_or_today_as_the_meeting_falls() {
    let mut app = site().await;
    let morning = plan(
        &mut app,
        &[
            ("title", "Ochtendoverleg"),
            ("starts", "09:00"),
            ("ends", "10:00"),
        ],
    )
    .await;
    let (mut a, _) = member_browser(&app, "a@wijk.nl", "Anna Jansen").await;
    a.post(&format!("/bijeenkomsten/{morning}/aanmelden"), &[])
        .await
        .assert_status(303);
    let starts = meeting(&app, morning).await.starts_at;
    // The job looking the evening before, and (for a second meeting) the same morning.
    erbij::meetings::mails::queue_reminders(&app.state, starts - Duration::hours(15))
        .await
        .unwrap();
    let evening = plan(
        &mut app,
        &[
            ("title", "Avondoverleg"),
            ("starts", "19:00"),
            ("ends", "20:00"),
        ],
    )
    .await;
    a.post(&format!("/bijeenkomsten/{evening}/aanmelden"), &[])
        .await
        .assert_status(303);
    erbij::meetings::mails::queue_reminders(&app.state, starts - Duration::hours(1))
        .await
        .unwrap();
    deliver(&app).await;
    let subjects: Vec<String> = app
        .mails_to("a@wijk.nl")
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(
        subjects.contains(&"Morgen: Ochtendoverleg".to_string()),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Vandaag: Avondoverleg".to_string()),
        "{subjects:?}"
    );
    assert_eq!(subjects.len(), 2, "{subjects:?}");
}
