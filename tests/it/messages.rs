//! Private messages: a member writes to a few others, they answer on the site and get a
//! bundled mail; nobody else (whatever their role) sees anything of it; a reported message
//! reaches the administrators alone; a blocked member is not heard and not told; limits for
//! new accounts; a deleted account's messages are removed; odd input never breaks a page.

use std::io::Read;

use chrono::{Duration, Utc};
use erbij::entities::{message, message_report, user};
use indicatif::ProgressBar;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};

use crate::helpers::{PASSWORD, Page, TestApp};

/// A member with a name of their own, signed in in a browser of their own.
async fn signed_in(app: &TestApp, email: &str, name: &str) -> (user::Model, TestApp) {
    let person = app.person(email, name, false, false).await;
    let mut browser = app.second_browser();
    browser.login_as(email).await;
    (person, browser)
}

/// Starts a conversation through the form; returns its id.
async fn write(browser: &mut TestApp, to: &str, subject: &str, body: &str) -> i32 {
    let page = browser
        .post(
            "/berichten/nieuw",
            &[("recipients", to), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location()
        .trim_start_matches("/berichten/gesprek/")
        .parse()
        .expect("a redirect to the new conversation")
}

/// Submits the new-message form as typed, whatever comes back.
async fn post_new(browser: &mut TestApp, to: &str, subject: &str, body: &str) -> Page {
    browser
        .post(
            "/berichten/nieuw",
            &[("recipients", to), ("subject", subject), ("body", body)],
        )
        .await
}

async fn answer(browser: &mut TestApp, id: i32, body: &str) -> Page {
    browser
        .post(
            &format!("/berichten/gesprek/{id}/antwoorden"),
            &[("body", body)],
        )
        .await
}

fn page_of(id: i32) -> String {
    format!("/berichten/gesprek/{id}")
}

/// The message job as the server runs it, `minutes` from now, then the outbox sent.
async fn mail_round(app: &TestApp, minutes: i64) -> usize {
    let queued = erbij::messages::mail::queue_message_mails(
        &app.state,
        Utc::now() + Duration::minutes(minutes),
    )
    .await
    .expect("queue message mails");
    erbij::delivery::deliver(&app.state, 10_000, 0, &ProgressBar::hidden())
        .await
        .expect("deliver");
    queued
}

/// The header's "Berichten" count, as a screen reader announces it ("" when none).
fn header_count(page: &Page) -> &str {
    page.body
        .split("class=\"messages-link\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .map(|(tag, _)| tag.trim())
        .unwrap_or("")
}

/// Every file of the member's data export, asked for and downloaded as they would.
pub(crate) async fn export_of(browser: &mut TestApp, email: &str) -> String {
    browser
        .post("/profiel/gegevens", &[])
        .await
        .assert_status(303);
    let mail = browser.mail(email, "Je gegevens staan klaar").await;
    let start = mail
        .text
        .find("/profiel/gegevens/")
        .expect("the mail has the link");
    let link = mail.text[start..start + "/profiel/gegevens/".len() + 64].to_string();
    let (status, _, bytes) = browser.get_bytes(&link).await;
    assert_eq!(status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut everything = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("an entry");
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("readable");
        everything.push_str(&format!(
            "== {}\n{}\n",
            file.name().unwrap_or_default(),
            String::from_utf8_lossy(&content)
        ));
    }
    everything
}

async fn make_old(app: &TestApp, person: &user::Model, days: i64) {
    let mut active = person.clone().into_active_model();
    active.created_at = Set(Utc::now() - Duration::days(days));
    active.update(&app.state.db).await.unwrap();
}

#[tokio::test]
async fn only_the_participants_read_a_conversation_and_nobody_else_sees_anything_of_it() {
    let app = TestApp::new().await;
    let (_anna, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (bram_model, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    let (_cor, mut cor) = signed_in(&app, "cor@wijk.nl", "Cor de Wit").await;
    let (_dirk, mut dirk) = signed_in(&app, "dirk@wijk.nl", "Dirk Smit").await;
    let fatima = app
        .person("fatima@wijk.nl", "Fatima El Amrani", false, false)
        .await;
    app.make_facilitator(fatima.id, "zingeving").await;
    let mut facilitator = app.second_browser();
    facilitator.login_as("fatima@wijk.nl").await;
    app.person("eva@wijk.nl", "Eva Expert", false, true).await;
    let mut expert = app.second_browser();
    expert.login_as("eva@wijk.nl").await;
    app.admin("beheer@wijk.nl").await;
    let mut admin = app.second_browser();
    admin.login_as("beheer@wijk.nl").await;

    // Anna finds Bram's page, and the link there fills him in.
    let member_page = anna.get("/leden/bram-visser").await;
    member_page
        .assert_status(200)
        .assert_contains(&format!("href=\"/berichten/nieuw?aan={}\"", bram_model.id))
        .assert_contains("Stuur een bericht");
    anna.get("/leden")
        .await
        .assert_contains(&format!("href=\"/berichten/nieuw?aan={}\"", bram_model.id));
    anna.get(&format!("/berichten/nieuw?aan={}", bram_model.id))
        .await
        .assert_status(200)
        .assert_contains("value=\"Bram Visser (@bram-visser)\"");

    // Bram's home page is kept for him; it must show the count once Anna wrote.
    let before = bram.get("/").await;
    assert_eq!(header_count(&before), "href=\"/berichten\"");

    let id = write(
        &mut anna,
        "Bram Visser (@bram-visser), Cor de Wit",
        "Zorg om meneer Kraanvogel",
        "Ik maak me zorgen. Het woord zeldzaamgeheim7 staat hierin.",
    )
    .await;
    let home = bram.get("/").await;
    assert!(
        header_count(&home).contains("Berichten, 1 ongelezen"),
        "{}",
        header_count(&home)
    );
    let list = bram.get("/berichten").await;
    list.assert_status(200)
        .assert_contains("Zorg om meneer Kraanvogel")
        .assert_contains("1 nieuw")
        .assert_contains("Anna Jansen, Cor de Wit");
    let page = bram.get(&page_of(id)).await;
    page.assert_status(200)
        .assert_contains("zeldzaamgeheim7")
        .assert_contains("Anna Jansen");
    // Read now: the count is gone, on this page and the next.
    assert!(!header_count(&page).contains("ongelezen"));
    assert!(!header_count(&bram.get("/").await).contains("ongelezen"));

    // Bram answers from the site; Cor reads both, oldest first.
    let answered = answer(&mut bram, id, "Ik ga morgen langs, antwoordwoord9.").await;
    answered.assert_status(303);
    let page = cor.get(&page_of(id)).await;
    page.assert_status(200);
    let first = page.body.find("zeldzaamgeheim7").expect("Anna's message");
    let second = page.body.find("antwoordwoord9").expect("Bram's answer");
    assert!(first < second, "oldest first");
    anna.get(&page_of(id))
        .await
        .assert_contains("antwoordwoord9");

    // Anyone else: another member, a facilitator, an expert, an administrator.
    for (who, browser) in [
        ("member", &mut dirk),
        ("facilitator", &mut facilitator),
        ("expert", &mut expert),
        ("administrator", &mut admin),
    ] {
        let page = browser.get(&page_of(id)).await;
        assert_eq!(page.status, 404, "{who}");
        page.assert_lacks("Kraanvogel")
            .assert_lacks("zeldzaamgeheim7");
        let list = browser.get("/berichten").await;
        list.assert_status(200)
            .assert_lacks("Kraanvogel")
            .assert_contains("Je hebt nog geen berichten");
        assert!(!header_count(&list).contains("ongelezen"), "{who}");
        browser
            .get(&format!("{}/melden/1", page_of(id)))
            .await
            .assert_status(404);
        let refused = browser
            .post(
                &format!("{}/antwoorden", page_of(id)),
                &[("body", "Ik lees mee.")],
            )
            .await;
        assert_eq!(refused.status, 404, "{who} cannot write into it");
        let found = browser.get("/zoeken?q=zeldzaamgeheim7").await;
        found
            .assert_contains("Niets gevonden.")
            .assert_lacks("Kraanvogel");
        browser
            .get("/beheer/berichten")
            .await
            .assert_lacks("zeldzaamgeheim7");
    }
    // Messages are never in the search index, not even for those who take part.
    anna.get("/zoeken?q=antwoordwoord9")
        .await
        .assert_contains("Niets gevonden.");

    // A visitor is asked to sign in.
    let mut visitor = app.second_browser();
    for path in [page_of(id), "/berichten".to_string()] {
        let page = visitor.get(&path).await;
        assert_eq!(page.status, 303, "{path}");
        assert!(page.location().starts_with("/inloggen"), "{path}");
    }

    // Mail: nobody outside is told, whatever runs.
    assert_eq!(
        mail_round(&app, 90).await,
        0,
        "everyone read it on the site"
    );
    for outsider in [
        "dirk@wijk.nl",
        "fatima@wijk.nl",
        "eva@wijk.nl",
        "beheer@wijk.nl",
    ] {
        for mail in app.mails_to(outsider) {
            assert!(!mail.text.contains("Kraanvogel"), "{outsider}");
            assert!(!mail.text.contains("zeldzaamgeheim7"), "{outsider}");
        }
    }

    // Exports: Anna's holds the conversation, Dirk's nothing of it.
    let hers = export_of(&mut anna, "anna@wijk.nl").await;
    for expected in [
        "priveberichten.json",
        "Zorg om meneer Kraanvogel",
        "zeldzaamgeheim7",
        "antwoordwoord9",
        "Bram Visser",
        "Cor de Wit",
    ] {
        assert!(
            hers.contains(expected),
            "{expected} missing from Anna's export"
        );
    }
    for (email, browser) in [
        ("dirk@wijk.nl", &mut dirk),
        ("fatima@wijk.nl", &mut facilitator),
        ("eva@wijk.nl", &mut expert),
        ("beheer@wijk.nl", &mut admin),
    ] {
        let theirs = export_of(browser, email).await;
        assert!(theirs.contains("priveberichten.json"), "{email}");
        for absent in [
            "Kraanvogel",
            "zeldzaamgeheim7",
            "antwoordwoord9",
            "Anna Jansen",
        ] {
            assert!(
                !theirs.contains(absent),
                "{absent} in the export of {email}"
            );
        }
    }
}

#[tokio::test]
async fn unread_messages_come_in_one_mail_in_the_readers_language_and_can_be_stopped() {
    let app = TestApp::new().await;
    let (_anna, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let bram_model = app
        .person("bram@wijk.nl", "Bram Visser", false, false)
        .await;
    let mut english = bram_model.clone().into_active_model();
    english.lang = Set("en".into());
    english.update(&app.state.db).await.unwrap();
    let mut bram = app.second_browser();
    bram.login_as("bram@wijk.nl").await;

    // On by default, with the other kinds of mail.
    bram.get("/profiel/email")
        .await
        .assert_contains("value=\"berichten\" id=\"k-berichten\" checked");

    let id = write(
        &mut anna,
        "Bram Visser",
        "Koffie bij de buurvrouw",
        "Eerste bericht: koffie13.",
    )
    .await;
    answer(&mut anna, id, "Tweede bericht: thee14.")
        .await
        .assert_status(303);
    // Someone reading on the site meanwhile gets no mail: nothing in the first minutes.
    assert_eq!(mail_round(&app, 0).await, 0);
    assert!(app.mails_to("bram@wijk.nl").is_empty());

    // Two instances' jobs at the same moment queue it once.
    let later = Utc::now() + Duration::minutes(10);
    let (one, other) = tokio::join!(
        erbij::messages::mail::queue_message_mails(&app.state, later),
        erbij::messages::mail::queue_message_mails(&app.state, later),
    );
    assert_eq!(one.unwrap() + other.unwrap(), 1);
    assert_eq!(mail_round(&app, 11).await, 0);
    let mails = app.mails_to("bram@wijk.nl");
    assert_eq!(mails.len(), 1, "one mail for two quick messages");
    let mail = &mails[0];
    assert_eq!(mail.subject, "2 new messages in ‘Koffie bij de buurvrouw’");
    assert!(mail.text.contains("koffie13"), "{}", mail.text);
    assert!(mail.text.contains("thee14"), "{}", mail.text);
    assert!(mail.text.contains("Anna Jansen"), "{}", mail.text);
    assert!(mail.text.contains("Reply on Erbij"), "{}", mail.text);
    assert!(
        mail.text
            .contains(&format!("http://erbij.test/berichten/gesprek/{id}")),
        "{}",
        mail.text
    );
    assert!(mail.html.contains("koffie13"));
    assert!(mail.list_header("List-Unsubscribe").is_some());
    // Never to the author; each message once.
    assert!(app.mails_to("anna@wijk.nl").is_empty());
    assert_eq!(mail_round(&app, 12).await, 0);

    // A third message within the hour waits for the hour to pass, then comes alone.
    answer(&mut anna, id, "Derde bericht: koek15.")
        .await
        .assert_status(303);
    assert_eq!(mail_round(&app, 20).await, 0);
    assert_eq!(mail_round(&app, 75).await, 1);
    let mails = app.mails_to("bram@wijk.nl");
    assert_eq!(mails.len(), 2);
    let third = mails
        .iter()
        .find(|m| m.text.contains("koek15"))
        .expect("the third message's mail");
    assert_eq!(
        third.subject,
        "Anna Jansen sent you a message: Koffie bij de buurvrouw"
    );
    assert!(!third.text.contains("koffie13"), "mailed once only");

    // Read on the site before the mail would go: no mail.
    answer(&mut anna, id, "Vierde bericht: taart16.")
        .await
        .assert_status(303);
    bram.get(&page_of(id)).await.assert_contains("taart16");
    assert_eq!(mail_round(&app, 200).await, 0);
    assert_eq!(app.mails_to("bram@wijk.nl").len(), 2);

    // The one-click stop link in the mail: a page with a button, then no more.
    let stop = third.path("http://erbij.test", "/mail/uit/");
    assert!(stop.ends_with("/berichten"), "{stop}");
    let mut mail_program = app.second_browser();
    mail_program.get(&stop).await.assert_status(200);
    mail_program
        .post_raw(&stop, &[])
        .await
        .assert_status(200)
        .assert_contains("onder Berichten bovenaan");
    let stored = user::Entity::find_by_id(bram_model.id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.mail_messages);
    assert!(stored.mail_replies, "only this kind stops");
    answer(&mut anna, id, "Vijfde bericht: soep17.")
        .await
        .assert_status(303);
    assert_eq!(mail_round(&app, 400).await, 0);
    assert_eq!(app.mails_to("bram@wijk.nl").len(), 2);
    bram.get("/profiel/email")
        .await
        .assert_lacks("value=\"berichten\" id=\"k-berichten\" checked");
    // On the site it is there, with the count.
    let page = bram.get("/").await;
    assert!(header_count(&page).contains("Messages, 1 unread"));
}

#[tokio::test]
async fn a_reported_message_reaches_the_administrators_alone() {
    let app = TestApp::new().await;
    let (_anna, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (_bram, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    app.admin("beheer@wijk.nl").await;
    let mut admin = app.second_browser();
    admin.login_as("beheer@wijk.nl").await;
    let fatima = app
        .person("fatima@wijk.nl", "Fatima El Amrani", false, false)
        .await;
    app.make_facilitator(fatima.id, "zingeving").await;
    let mut facilitator = app.second_browser();
    facilitator.login_as("fatima@wijk.nl").await;

    let id = write(
        &mut anna,
        "Bram Visser",
        "Over de buurthuisavond",
        "Bericht één: onaardig55.",
    )
    .await;
    answer(&mut anna, id, "Bericht twee: vriendelijk66.")
        .await
        .assert_status(303);
    let bad = message::Entity::find()
        .filter(message::Column::Body.contains("onaardig55"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let own = message::Entity::find()
        .filter(message::Column::Body.contains("vriendelijk66"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();

    // Before any report the administrators see nothing of it.
    admin
        .get("/beheer/berichten")
        .await
        .assert_status(200)
        .assert_contains("Er zijn geen gemelde berichten.")
        .assert_lacks("onaardig55");
    admin.get(&page_of(id)).await.assert_status(404);

    // Bram reports the first message; a report needs a reason, and what he typed stays.
    let report = format!("{}/melden/{}", page_of(id), bad.id);
    bram.get(&report)
        .await
        .assert_status(200)
        .assert_contains("onaardig55")
        .assert_contains("Bericht melden");
    bram.post(&report, &[("reason", "  ")])
        .await
        .assert_status(422)
        .assert_contains("Vul dit veld in.");
    let long = format!("Te lang {}", "x".repeat(600));
    bram.post(&report, &[("reason", &long)])
        .await
        .assert_status(422)
        .assert_contains(&long);
    let done = bram
        .post(&report, &[("reason", "Dit is kwetsend voor mij.")])
        .await;
    done.assert_status(303);
    bram.follow(done)
        .await
        .assert_contains("De beheerders kijken naar het bericht")
        .assert_contains("Gemeld");
    // Twice is harmless; one's own message is not reported.
    bram.post(&report, &[("reason", "Nog een keer.")])
        .await
        .assert_status(303);
    assert_eq!(
        message_report::Entity::find()
            .count(&app.state.db)
            .await
            .unwrap(),
        1
    );
    anna.post(
        &format!("{}/melden/{}", page_of(id), own.id),
        &[("reason", "Eigen bericht.")],
    )
    .await
    .assert_status(404);

    // The administrator sees that message — author, text, reason, reporter — and nothing
    // else of the conversation.
    let page = admin.get("/beheer/berichten").await;
    page.assert_status(200)
        .assert_contains("onaardig55")
        .assert_contains("Dit is kwetsend voor mij.")
        .assert_contains("Anna Jansen")
        .assert_contains("Bram Visser")
        .assert_lacks("vriendelijk66")
        .assert_lacks("Over de buurthuisavond")
        .assert_lacks("Nog een keer.");
    admin.get(&page_of(id)).await.assert_status(404);
    // A facilitator who is no administrator does not.
    facilitator
        .get("/beheer/berichten")
        .await
        .assert_status(403)
        .assert_lacks("onaardig55");
    facilitator
        .post(&format!("/beheer/berichten/{}/afgehandeld", bad.id), &[])
        .await
        .assert_status(403);

    // Handled: marked so, and the button gone.
    admin
        .post(&format!("/beheer/berichten/{}/afgehandeld", bad.id), &[])
        .await
        .assert_status(303);
    admin
        .get("/beheer/berichten")
        .await
        .assert_contains("afgehandeld door Ahmed Bakkali")
        .assert_lacks("Markeer als afgehandeld");
    admin
        .post(&format!("/beheer/berichten/{}/afgehandeld", bad.id), &[])
        .await
        .assert_status(303);
}

#[tokio::test]
async fn a_blocked_member_is_not_heard_and_not_told() {
    let app = TestApp::new().await;
    let (anna_model, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (_bram, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    let (_cor, mut cor) = signed_in(&app, "cor@wijk.nl", "Cor de Wit").await;

    let group = write(
        &mut anna,
        "Bram Visser, Cor de Wit",
        "Het buurtfeest",
        "Eerste: hallo77.",
    )
    .await;
    bram.get(&page_of(group)).await.assert_contains("hallo77");

    // Bram blocks Anna from her page.
    let her_page = bram.get("/leden/anna-jansen").await;
    her_page.assert_contains("Blokkeren");
    bram.post(
        "/berichten/blokkeren",
        &[
            ("person", &anna_model.id.to_string()),
            ("next", "/leden/anna-jansen"),
        ],
    )
    .await
    .assert_status(303);
    bram.get("/leden/anna-jansen")
        .await
        .assert_contains("Niet meer blokkeren");

    // Anna writes on: to her, everything looks sent.
    answer(&mut anna, group, "Na de blokkade: geheim88.")
        .await
        .assert_status(303);
    let alone = write(
        &mut anna,
        "Bram Visser",
        "Alleen voor Bram 99",
        "Privé: nieuw99.",
    )
    .await;
    answer(&mut cor, group, "Cor zegt: prima44.")
        .await
        .assert_status(303);
    for path in [
        page_of(group),
        page_of(alone),
        "/berichten".into(),
        "/".into(),
        "/leden/bram-visser".into(),
    ] {
        let page = anna.get(&path).await;
        page.assert_status(200);
        let lower = page.body.to_lowercase();
        for telling in ["geblokkeerd", "blokkeerde", "blocked"] {
            assert!(!lower.contains(telling), "{telling} on Anna's {path}");
        }
    }
    anna.get(&page_of(group))
        .await
        .assert_contains("geheim88")
        .assert_contains("prima44");
    anna.get("/berichten")
        .await
        .assert_contains("Alleen voor Bram 99");
    cor.get(&page_of(group)).await.assert_contains("geheim88");

    // Bram hears nothing of her: no mail (only Cor's message is mailed to him), no
    // message, no count, no conversation.
    assert_eq!(mail_round(&app, 10).await, 1);
    let mails = app.mails_to("bram@wijk.nl");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].text.contains("prima44"), "{}", mails[0].text);
    for hidden in ["geheim88", "nieuw99", "Alleen voor Bram", "hallo77"] {
        assert!(!mails[0].text.contains(hidden), "{hidden} mailed to Bram");
    }
    let page = bram.get(&page_of(group)).await;
    page.assert_status(200)
        .assert_contains("prima44")
        .assert_lacks("geheim88")
        .assert_lacks("hallo77");
    bram.get(&page_of(alone)).await.assert_status(404);
    let list = bram.get("/berichten").await;
    list.assert_lacks("Alleen voor Bram 99")
        .assert_lacks("nieuw99")
        .assert_contains("Het buurtfeest");
    assert!(!header_count(&list).contains("ongelezen"));

    // Unblocking: what she writes from now on reaches him again.
    bram.get("/berichten/geblokkeerd")
        .await
        .assert_contains("Anna Jansen")
        .assert_contains("Niet meer blokkeren");
    bram.post(
        "/berichten/deblokkeren",
        &[
            ("person", &anna_model.id.to_string()),
            ("next", "/berichten/geblokkeerd"),
        ],
    )
    .await
    .assert_status(303);
    bram.get("/berichten/geblokkeerd")
        .await
        .assert_contains("Je hebt niemand geblokkeerd.");
    answer(&mut anna, group, "Weer te zien: terug22.")
        .await
        .assert_status(303);
    let list = bram.get("/berichten").await;
    assert!(header_count(&list).contains("ongelezen"));
    list.assert_contains("Alleen voor Bram 99");
    bram.get(&page_of(group)).await.assert_contains("terug22");
}

#[tokio::test]
async fn a_new_account_starts_at_most_three_conversations_a_day() {
    let app = TestApp::new().await;
    let (anna_model, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    make_old(&app, &anna_model, 1).await;
    let (bram_model, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    make_old(&app, &bram_model, 30).await;
    app.person("cor@wijk.nl", "Cor de Wit", false, false).await;

    let mut last = 0;
    for n in 1..=3 {
        last = write(&mut anna, "Cor de Wit", &format!("Vraag {n}"), "Hoi Cor.").await;
    }
    let refused = anna
        .post(
            "/berichten/nieuw",
            &[
                ("recipients", "Cor de Wit"),
                ("subject", "Vraag vier over de wijk"),
                ("body", "Deze tekst mag niet verloren gaan: tekst4444."),
            ],
        )
        .await;
    refused
        .assert_status(429)
        .assert_contains("Je hebt vandaag al veel nieuwe gesprekken begonnen")
        .assert_contains("Vraag vier over de wijk")
        .assert_contains("tekst4444")
        .assert_contains("Cor de Wit");

    // Answering goes on, up to twenty messages an hour (three were the openings).
    for n in 4..=20 {
        answer(&mut anna, last, &format!("Bericht {n}"))
            .await
            .assert_status(303);
    }
    answer(&mut anna, last, "Eenentwintig: tekst2121.")
        .await
        .assert_status(429)
        .assert_contains("Je hebt het afgelopen uur al veel berichten gestuurd")
        .assert_contains("tekst2121");

    // An account of a month starts a fourth.
    for n in 1..=4 {
        write(&mut bram, "Cor de Wit", &format!("Idee {n}"), "Hoi.").await;
    }
}

#[tokio::test]
async fn a_deleted_members_messages_are_removed_for_the_others() {
    let app = TestApp::new().await;
    let (anna_model, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (_bram, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    let id = write(
        &mut anna,
        "Bram Visser",
        "Ons project",
        "Van Anna: verdwijnwoord31.",
    )
    .await;
    answer(&mut bram, id, "Van Bram: blijfwoord32.")
        .await
        .assert_status(303);
    // Bram blocks her too: that goes with her account.
    bram.post(
        "/berichten/blokkeren",
        &[
            ("person", &anna_model.id.to_string()),
            ("next", "/berichten"),
        ],
    )
    .await
    .assert_status(303);
    bram.post(
        "/berichten/deblokkeren",
        &[
            ("person", &anna_model.id.to_string()),
            ("next", "/berichten"),
        ],
    )
    .await
    .assert_status(303);

    anna.post(
        "/profiel/verwijderen",
        &[("posts", "bewaren"), ("current_password", PASSWORD)],
    )
    .await
    .assert_status(200)
    .assert_contains("Je account is verwijderd");

    let page = bram.get(&page_of(id)).await;
    page.assert_status(200)
        .assert_contains("Bericht van een voormalig lid verwijderd")
        .assert_contains("blijfwoord32")
        .assert_lacks("verdwijnwoord31")
        .assert_lacks("Anna Jansen");
    bram.get("/berichten")
        .await
        .assert_contains("Ons project")
        .assert_lacks("verdwijnwoord31");
    let stored = message::Entity::find()
        .filter(message::Column::AuthorId.is_null())
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("her message, without author");
    assert_eq!(stored.body, "");
    assert!(stored.removed_at.is_some());

    let export = export_of(&mut bram, "bram@wijk.nl").await;
    assert!(export.contains("blijfwoord32"));
    assert!(!export.contains("verdwijnwoord31"));
    assert!(!export.contains("Anna Jansen"));
    // The English reader reads it in English.
    bram.get("/taal/en").await;
    bram.get(&page_of(id))
        .await
        .assert_contains("Message of a former member removed");
}

#[tokio::test]
async fn odd_input_is_answered_with_the_form_or_404_never_a_server_error() {
    let app = TestApp::new().await;
    let (anna_model, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (bram_model, _bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    make_old(&app, &anna_model, 60).await;

    // A body of 100,000 characters: the form again, every character kept.
    let long = "lang".repeat(25_000);
    let page = post_new(&mut anna, "Bram Visser", "Een lang verhaal", &long).await;
    page.assert_status(422)
        .assert_contains("Dit is te lang")
        .assert_contains("Een lang verhaal");
    assert!(page.body.contains(&long), "the long text is kept");

    // Empty or too long subject; no recipients; only oneself; unknown names.
    post_new(&mut anna, "Bram Visser", "", "Tekst blijft: bewaard1.")
        .await
        .assert_status(422)
        .assert_contains("bewaard1");
    post_new(&mut anna, "Bram Visser", &"o".repeat(201), "Tekst.")
        .await
        .assert_status(422)
        .assert_contains("Dit is te lang");
    post_new(&mut anna, "", "Onderwerp", "Tekst blijft: bewaard2.")
        .await
        .assert_status(422)
        .assert_contains("bewaard2");
    post_new(
        &mut anna,
        "Anna Jansen",
        "Aan mezelf",
        "Tekst blijft: bewaard3.",
    )
    .await
    .assert_status(422)
    .assert_contains("aan jezelf schrijven kan niet")
    .assert_contains("bewaard3");
    post_new(
        &mut anna,
        "Bram Visser, Niemand Bestaatniet",
        "Onderwerp",
        "Tekst blijft: bewaard4.",
    )
    .await
    .assert_status(422)
    .assert_contains("Geen lid gevonden met deze naam: Niemand Bestaatniet")
    .assert_contains("Bram Visser, Niemand Bestaatniet")
    .assert_contains("bewaard4");
    // Two members with one name: the handle tells them apart.
    app.person("sam1@wijk.nl", "Sam de Boer", false, false)
        .await;
    let second_sam = app
        .person("sam2@wijk.nl", "Sam de Boer", false, false)
        .await;
    post_new(
        &mut anna,
        "sam de boer",
        "Onderwerp",
        "Tekst blijft: bewaard5.",
    )
    .await
    .assert_status(422)
    .assert_contains("Meer leden heten zo")
    .assert_contains("bewaard5");
    let handle = second_sam.handle.clone().unwrap();
    let page = post_new(
        &mut anna,
        &format!("Sam de Boer (@{handle})"),
        "Voor de tweede Sam",
        "Hallo Sam.",
    )
    .await;
    page.assert_status(303);
    // Six others are too many.
    for n in 1..=5 {
        app.person(
            &format!("p{n}@wijk.nl"),
            &format!("Persoon {n}"),
            false,
            false,
        )
        .await;
    }
    post_new(
        &mut anna,
        "Persoon 1, Persoon 2, Persoon 3, Persoon 4, Persoon 5, Bram Visser",
        "Met velen",
        "Tekst blijft: bewaard6.",
    )
    .await
    .assert_status(422)
    .assert_contains("hoogstens 5")
    .assert_contains("bewaard6");

    // Control characters and bidirectional overrides leave the subject.
    let id = write(
        &mut anna,
        "Bram Visser",
        "Over\u{202E}lah\u{0007} het\u{200F} plan\u{0}",
        "Tekst met een NUL\u{0} en regels\r\nzoals deze.",
    )
    .await;
    let stored = erbij::entities::conversation::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !stored
            .subject
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{202E}' | '\u{200F}')),
        "{:?}",
        stored.subject
    );
    assert!(
        stored.subject.starts_with("Overlah"),
        "{:?}",
        stored.subject
    );
    anna.get(&page_of(id))
        .await
        .assert_status(200)
        .assert_lacks("\u{202E}");

    // Replies: empty, too long (kept), and to nothing.
    answer(&mut anna, id, "   ")
        .await
        .assert_status(422)
        .assert_contains("Vul dit veld in.");
    let too_long = "woord ".repeat(4_000);
    let page = answer(&mut anna, id, &too_long).await;
    page.assert_status(422);
    assert!(page.body.contains(too_long.trim_end()));

    // Addresses that name no conversation: 404, never a server error.
    for path in [
        "/berichten/gesprek/999999",
        "/berichten/gesprek/abc",
        "/berichten/gesprek/-1",
        "/berichten/gesprek/0",
        "/berichten/gesprek/99999999999999999999",
        "/berichten/gesprek/1%00",
        "/berichten/gesprek/999999/melden/1",
        "/berichten/gesprek/abc/melden/xyz",
    ] {
        anna.get(path).await.assert_status(404);
    }
    anna.get(&format!("{}?pagina=0", page_of(id)))
        .await
        .assert_status(404);
    anna.get(&format!("{}?pagina=99", page_of(id)))
        .await
        .assert_status(404);
    assert!(
        anna.get(&format!("{}?pagina=abc", page_of(id)))
            .await
            .status
            .is_client_error()
    );
    anna.get("/berichten?pagina=5").await.assert_status(404);
    anna.get("/berichten/nieuw?aan=abc")
        .await
        .assert_status(200)
        .assert_contains("value=\"\"");
    anna.get(&format!("/berichten/nieuw?aan={}", anna_model.id))
        .await
        .assert_status(200)
        .assert_lacks("(@anna-jansen)");
    answer(&mut anna, 999_999, "Hallo?")
        .await
        .assert_status(404);
    anna.post("/berichten/blokkeren", &[("person", "abc")])
        .await
        .assert_status(404);
    anna.post(
        "/berichten/blokkeren",
        &[("person", &anna_model.id.to_string())],
    )
    .await
    .assert_status(404);

    // Without the form's token nothing is written.
    let before = message::Entity::find().count(&app.state.db).await.unwrap();
    anna.post_raw(
        "/berichten/nieuw",
        &[
            ("recipients", "Bram Visser"),
            ("subject", "Zonder token"),
            ("body", "Hallo."),
        ],
    )
    .await
    .assert_status(403);
    anna.post_raw(
        &format!("{}/antwoorden", page_of(id)),
        &[("body", "Zonder token.")],
    )
    .await
    .assert_status(403);
    anna.post_raw(
        "/berichten/blokkeren",
        &[("person", &bram_model.id.to_string())],
    )
    .await
    .assert_status(403);
    assert_eq!(
        message::Entity::find().count(&app.state.db).await.unwrap(),
        before
    );
}

#[tokio::test]
async fn a_conversation_page_costs_the_same_queries_for_three_messages_or_forty() {
    let app = TestApp::new().await;
    let (anna_model, mut anna) = signed_in(&app, "anna@wijk.nl", "Anna Jansen").await;
    let (bram_model, mut bram) = signed_in(&app, "bram@wijk.nl", "Bram Visser").await;
    make_old(&app, &anna_model, 60).await;
    make_old(&app, &bram_model, 60).await;

    let short = write(&mut anna, "Bram Visser", "Kort", "Een.").await;
    answer(&mut bram, short, "Twee.").await.assert_status(303);
    answer(&mut anna, short, "Drie.").await.assert_status(303);
    let long = write(&mut anna, "Bram Visser", "Lang", "Een.").await;
    for n in 0..20 {
        answer(&mut bram, long, &format!("Bram {n}."))
            .await
            .assert_status(303);
    }
    for n in 0..19 {
        answer(&mut anna, long, &format!("Anna {n}."))
            .await
            .assert_status(303);
    }
    // Both have something unread for Bram (a read mark is written on each).
    let (page, three) = bram.get_counting(&page_of(short)).await;
    page.assert_contains("Drie.");
    let (page, forty) = bram.get_counting(&page_of(long)).await;
    page.assert_contains("Anna 18.");
    assert_eq!(three, forty, "a conversation of 3 and of 40 messages");

    let (_, few) = bram.get_counting("/berichten").await;
    for n in 0..6 {
        write(&mut anna, "Bram Visser", &format!("Nog een {n}"), "Hoi.").await;
    }
    let (list, many) = bram.get_counting("/berichten").await;
    list.assert_contains("Nog een 5");
    assert_eq!(few, many, "the list with 2 conversations and with 8");
}
