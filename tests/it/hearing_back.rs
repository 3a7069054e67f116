//! Coming back and hearing back: a new member starts with everything read, counts go up
//! when someone writes and back to zero once read; reply mail is on by default, bundled per
//! thread, and each kind stops with one click from the mail; facilitators hear of flags,
//! authors why their post was hidden, flaggers that it was handled; the expert group hears
//! of a nomination once.

use erbij::{
    delivery,
    entities::{notification, post, user},
    notifications,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::helpers::TestApp;

async fn send_all(app: &TestApp) -> usize {
    delivery::deliver(&app.state, 1000, 0, &indicatif::ProgressBar::hidden())
        .await
        .expect("deliver")
        .sent
}

#[tokio::test]
async fn a_new_member_starts_with_everything_read_and_sees_what_comes_after() {
    let mut anouk = TestApp::new().await;
    anouk
        .person("anouk@buurtkracht.nl", "Anouk de Vries", false, false)
        .await;
    anouk.login_as("anouk@buurtkracht.nl").await;
    anouk.join("zingeving").await;
    let old = anouk
        .start_thread("zingeving", "Oude kwestie", "Van voor Marieke.", "members")
        .await;
    for i in 0..3 {
        anouk
            .reply_to(old, &format!("Oud antwoord {i}."))
            .await
            .assert_status(303);
    }
    // Marieke is approved after all of that: her home has nothing new for her.
    let mut marieke = anouk.second_browser();
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    marieke
        .get("/")
        .await
        .assert_status(200)
        .assert_contains("Nieuw voor jou")
        .assert_contains("Je bent helemaal bij")
        .assert_lacks("Oude kwestie");
    marieke
        .get("/praktijken/zingeving")
        .await
        .assert_contains("Oude kwestie")
        .assert_lacks("nieuw</a>");

    // Anouk answers in the old thread and starts a new one: both are new for Marieke.
    anouk
        .reply_to(old, "Nieuw antwoord.")
        .await
        .assert_status(303);
    let fresh = anouk
        .start_thread("zingeving", "Verse vraag", "Wie weet raad?", "members")
        .await;
    marieke
        .get("/")
        .await
        .assert_contains("Oude kwestie")
        .assert_contains("Verse vraag")
        .assert_contains("2 onderwerpen met nieuwe berichten")
        .assert_contains("1 nieuw");
    marieke
        .get("/praktijken")
        .await
        .assert_contains("2 onderwerpen met nieuwe berichten");
    // The jump lands on the first post she has not read: the new answer, not the history.
    let jump = marieke.get(&format!("/onderwerpen/{old}/ongelezen")).await;
    jump.assert_status(303);
    let newest = post::Entity::find()
        .filter(post::Column::ThreadId.eq(old))
        .filter(post::Column::Position.eq(5))
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("the new answer");
    assert!(
        jump.location()
            .ends_with(&format!("#bericht-{}", newest.id)),
        "{}",
        jump.location()
    );
    marieke
        .get(&format!("/onderwerpen/{old}"))
        .await
        .assert_status(200);
    marieke
        .get("/")
        .await
        .assert_contains("1 onderwerp met nieuwe berichten")
        .assert_contains("Verse vraag");
    // "Alles gelezen" in the practice: nothing new any more.
    marieke
        .post("/praktijken/zingeving/gelezen", &[("next", "/")])
        .await
        .assert_status(303);
    marieke
        .get("/")
        .await
        .assert_contains("Je bent helemaal bij")
        .assert_lacks("Verse vraag");
    // And everything at once, after more news.
    anouk.reply_to(fresh, "Nog iets.").await.assert_status(303);
    marieke.get("/").await.assert_contains("Verse vraag");
    marieke.post("/gelezen", &[]).await.assert_status(303);
    marieke
        .get("/")
        .await
        .assert_contains("Je bent helemaal bij");
}

#[tokio::test]
async fn the_member_home_costs_the_same_queries_for_one_item_or_many() {
    let mut anouk = TestApp::new().await;
    anouk
        .person("anouk@buurtkracht.nl", "Anouk de Vries", false, false)
        .await;
    anouk.login_as("anouk@buurtkracht.nl").await;
    anouk.join("zingeving").await;
    let mut marieke = anouk.second_browser();
    let person = marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let handle = person.handle.clone().expect("handle");
    let first = anouk
        .start_thread("zingeving", "Eerste", &format!("Hoi @{handle}."), "members")
        .await;
    let (page, one) = marieke.get_counting("/").await;
    page.assert_contains("Eerste").assert_contains("noemde je");
    for i in 0..12 {
        let t = anouk
            .start_thread(
                "zingeving",
                &format!("Onderwerp {i}"),
                &format!("@{handle} kijk"),
                "members",
            )
            .await;
        anouk.reply_to(t, "Meer.").await.assert_status(303);
    }
    anouk.reply_to(first, "Nog meer.").await.assert_status(303);
    let (page, many) = marieke.get_counting("/").await;
    page.assert_contains("Onderwerp 11").assert_contains("13");
    assert_eq!(one, many, "queries for one new thread vs thirteen");
}

/// Marieke starts a thread; Kees, a new member who never chose, replies twice.
async fn marieke_and_kees() -> (TestApp, TestApp, i32, user::Model) {
    let mut marieke = TestApp::new().await;
    let person = marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let thread = marieke
        .start_thread("zingeving", "Levensvragen", "Wat wij leerden.", "members")
        .await;
    let mut kees = marieke.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    (marieke, kees, thread, person)
}

#[tokio::test]
async fn reply_mail_is_on_by_default_bundled_per_thread_and_stops_with_one_click() {
    let (marieke, mut kees, thread, person) = marieke_and_kees().await;
    assert!(!person.mail_chosen && person.mail_replies && person.mail_mentions);
    kees.reply_to(thread, "Eerste reactie.")
        .await
        .assert_status(303);
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .expect("q"),
        1
    );
    assert_eq!(send_all(&marieke).await, 1);
    let mail = marieke
        .mail("marieke@buurtkracht.nl", "Kees Bos reageerde")
        .await;
    assert!(mail.text.contains("Eerste reactie."), "{}", mail.text);
    // A second and third reply within the hour wait, and then come as one mail.
    kees.reply_to(thread, "Tweede reactie.")
        .await
        .assert_status(303);
    kees.reply_to(thread, "Derde reactie.")
        .await
        .assert_status(303);
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .expect("q"),
        0
    );
    let waiting = notification::Entity::find()
        .filter(notification::Column::UserId.eq(person.id))
        .filter(notification::Column::EmailedAt.is_null())
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(waiting, 2, "the hour's news waits, it is not dropped");
    // An hour later (the earlier mail moved back in time), they go out together.
    notification::Entity::update_many()
        .col_expr(
            notification::Column::EmailedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(61)),
        )
        .filter(notification::Column::EmailedAt.is_not_null())
        .exec(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .expect("q"),
        1
    );
    send_all(&marieke).await;
    let bundle = marieke
        .mail(
            "marieke@buurtkracht.nl",
            "2 nieuwe meldingen over “Levensvragen”",
        )
        .await;
    assert!(bundle.text.contains("Tweede reactie.") && bundle.text.contains("Derde reactie."));
    // Every mail names its kind's one-click stop, as a link and as List-Unsubscribe.
    let stop = bundle.link("http://erbij.test", "/mail/uit/");
    assert!(stop.ends_with("/antwoorden"), "{stop}");
    assert_eq!(
        bundle.list_header("List-Unsubscribe"),
        Some(format!("<{stop}>").as_str())
    );
    assert_eq!(
        bundle.list_header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(bundle.html.contains("Geen mail meer over reacties"));
    // Opening the link changes nothing (a link checker may follow it); the mail program's
    // POST, without a session or form token, stops replies — and only replies.
    let path = stop.trim_start_matches("http://erbij.test");
    let mut stranger = marieke.second_browser();
    stranger
        .get(path)
        .await
        .assert_status(200)
        .assert_contains("Ja, stop deze e-mail");
    let me = user::Entity::find_by_id(person.id)
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("me");
    assert!(me.mail_replies);
    stranger
        .post_raw(path, &[("List-Unsubscribe", "One-Click")])
        .await
        .assert_status(200)
        .assert_contains("Gestopt");
    let me = user::Entity::find_by_id(person.id)
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("me");
    assert!(!me.mail_replies && me.mail_mentions && me.mail_chosen);
    // A made-up token stops nothing and says so.
    stranger
        .post_raw(
            "/mail/uit/00000000000000000000000000000000000000/antwoorden",
            &[],
        )
        .await
        .assert_status(404);
    kees.reply_to(thread, "Vierde reactie.")
        .await
        .assert_status(303);
    notification::Entity::update_many()
        .col_expr(
            notification::Column::EmailedAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(61)),
        )
        .filter(notification::Column::EmailedAt.is_not_null())
        .exec(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(
        notifications::mail::enqueue_immediate(&marieke.state)
            .await
            .expect("q"),
        0
    );
    // The bell still has it.
    let mut marieke = marieke;
    marieke
        .get("/meldingen")
        .await
        .assert_contains("Kees Bos reageerde");
}

#[tokio::test]
async fn members_who_never_chose_are_told_once_and_can_switch_off_in_one_click() {
    let (mut marieke, _kees, _thread, person) = marieke_and_kees().await;
    // As the migration leaves a member who had mail "off" without having chosen it.
    let mut active: user::ActiveModel = person.clone().into();
    active.mail_notice = sea_orm::ActiveValue::Set(true);
    sea_orm::ActiveModelTrait::update(active, &marieke.state.db)
        .await
        .expect("update");
    marieke
        .get("/praktijken")
        .await
        .assert_contains("Je krijgt nu e-mail als iemand reageert.");
    marieke
        .post(
            "/profiel/email/melding",
            &[("choice", "off"), ("next", "/praktijken")],
        )
        .await
        .assert_status(303);
    let me = user::Entity::find_by_id(person.id)
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("me");
    assert_eq!(me.notify_email, user::NOTIFY_OFF);
    assert!(me.mail_chosen && !me.mail_notice);
    marieke
        .get("/praktijken")
        .await
        .assert_lacks("Je krijgt nu e-mail als iemand reageert.");
}

#[tokio::test]
async fn a_flag_reaches_the_facilitator_and_hiding_tells_author_and_flagger() {
    let (mut marieke, mut kees, thread, _) = marieke_and_kees().await;
    let fenna = marieke
        .person("fenna@buurtkracht.nl", "Fenna Jansen", false, false)
        .await;
    marieke.make_facilitator(fenna.id, "zingeving").await;
    let mut facilitator = marieke.second_browser();
    facilitator.login_as("fenna@buurtkracht.nl").await;
    marieke
        .reply_to(thread, "Mevrouw Sneeuwuil7 uit de Tarwewijk.")
        .await
        .assert_status(303);
    let reply = post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread))
        .filter(post::Column::Position.eq(2))
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("reply");
    // Two flags on one post: one line in the facilitator's bell, one mail.
    for _ in 0..2 {
        kees.post(
            &format!("/berichten/{}/signaleren", reply.id),
            &[("reason", "Er staat een naam in.")],
        )
        .await
        .assert_status(200);
    }
    facilitator
        .get("/meldingen")
        .await
        .assert_contains("Kees Bos signaleerde een bericht in “Levensvragen”")
        .assert_contains(r#"aria-label="Meldingen: 1 nieuwe""#);
    // Administrators see the site-wide queue next to "Beheer".
    marieke.admin("beheer@coalitie.nl").await;
    let mut admin = marieke.second_browser();
    admin.login_as("beheer@coalitie.nl").await;
    admin
        .get("/praktijken")
        .await
        .assert_contains(r#"aria-label="Beheer: 2 signaleringen wachten""#);
    notifications::mail::enqueue_immediate(&marieke.state)
        .await
        .expect("q");
    send_all(&marieke).await;
    let mail = marieke
        .mail("fenna@buurtkracht.nl", "signaleerde een bericht")
        .await;
    assert!(
        mail.text.contains("Geen mail meer over signaleringen"),
        "{}",
        mail.text
    );
    assert!(
        !mail.text.contains("Sneeuwuil7"),
        "a flag mail carries no post text"
    );

    // Hiding asks the facilitator for a reason for the author (not the flagger's words).
    let queue = facilitator.get("/praktijken/zingeving/signaleringen").await;
    queue.assert_contains("Sneeuwuil7");
    let flag_id: String = queue
        .body
        .split("/signaleringen/")
        .nth(1)
        .expect("a flag")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    facilitator
        .post(
            &format!("/signaleringen/{flag_id}/afhandelen"),
            &[("outcome", "hidden"), ("note", "")],
        )
        .await
        .assert_status(422)
        .assert_contains("Geef een korte reden op");
    facilitator
        .post(
            &format!("/signaleringen/{flag_id}/afhandelen"),
            &[
                ("outcome", "hidden"),
                ("note", "Een naam van een cliënt hoort hier niet."),
            ],
        )
        .await
        .assert_status(303);
    // Both flags are settled; the author reads why, the flagger that it was handled.
    facilitator
        .get("/praktijken/zingeving/signaleringen")
        .await
        .assert_lacks("Sneeuwuil7");
    admin
        .get("/praktijken")
        .await
        .assert_lacks("signaleringen wachten");
    marieke
        .get("/meldingen")
        .await
        .assert_contains("Fenna Jansen verborg je bericht in “Levensvragen”")
        .assert_contains("Een naam van een cliënt hoort hier niet.");
    kees.get("/meldingen")
        .await
        .assert_contains("Fenna Jansen heeft je signalering over “Levensvragen” afgehandeld")
        .assert_lacks("Sneeuwuil7")
        .assert_lacks("Een naam van een cliënt");
    notifications::mail::enqueue_immediate(&marieke.state)
        .await
        .expect("q");
    send_all(&marieke).await;
    let told = marieke
        .mail("marieke@buurtkracht.nl", "verborg je bericht")
        .await;
    assert!(
        told.text
            .contains("Een naam van een cliënt hoort hier niet.")
    );
    assert!(
        !told.text.contains("Sneeuwuil7"),
        "a mail never carries a hidden post"
    );
    let handled = marieke.mail("kees@buurtkracht.nl", "afgehandeld").await;
    assert!(!handled.text.contains("Sneeuwuil7"));
}

#[tokio::test]
async fn the_expert_group_hears_of_a_nomination_once() {
    let (mut marieke, mut kees, thread, _) = marieke_and_kees().await;
    let eva = marieke
        .person("eva@expertgroep.nl", "Eva Smit", false, true)
        .await;
    for browser in [&mut marieke, &mut kees] {
        browser
            .post(
                &format!("/onderwerpen/{thread}/voordragen"),
                &[("reason", "Goed voor een bundel.")],
            )
            .await
            .assert_status(200);
    }
    let told = notification::Entity::find()
        .filter(notification::Column::UserId.eq(eva.id))
        .filter(notification::Column::Kind.eq(notification::NOMINATED))
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(told, 1, "two nominations of one thread, one line");
    let mut eva_browser = marieke.second_browser();
    eva_browser.login_as("eva@expertgroep.nl").await;
    eva_browser
        .get("/meldingen")
        .await
        .assert_contains("droeg “Levensvragen” voor bij de expertgroep");
    // Members do not get the expert group's lines.
    let others = notification::Entity::find()
        .filter(notification::Column::Kind.eq(notification::NOMINATED))
        .filter(notification::Column::UserId.ne(eva.id))
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(others, 0);
}

#[tokio::test]
async fn a_reply_sent_after_the_session_expired_is_kept_through_signing_in() {
    let (mut marieke, _kees, thread, person) = marieke_and_kees().await;
    // The session runs out while Marieke writes.
    erbij::entities::session::Entity::delete_many()
        .filter(erbij::entities::session::Column::UserId.eq(person.id))
        .exec(&marieke.state.db)
        .await
        .expect("q");
    let text = "Een lang en zorgvuldig antwoord over Kraanvogel7.";
    let sent = marieke.reply_to(thread, text).await;
    sent.assert_status(303);
    let back = format!("/onderwerpen/{thread}/reageren");
    assert!(
        sent.location().starts_with("/inloggen?next="),
        "{}",
        sent.location()
    );
    assert!(
        !sent.location().contains("Kraanvogel7"),
        "the text never travels in a URL"
    );
    let signed_in = marieke
        .post(
            "/inloggen",
            &[
                ("email", "marieke@buurtkracht.nl"),
                ("password", crate::helpers::PASSWORD),
                ("next", &back),
            ],
        )
        .await;
    signed_in.assert_status(303);
    assert_eq!(signed_in.location(), back);
    // The form's own address is a page, not a 404: the thread, at the form, text in it.
    let form = marieke.get(&back).await;
    form.assert_status(303);
    assert_eq!(form.location(), format!("/onderwerpen/{thread}#reageren"));
    marieke
        .get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_contains("je tekst is bewaard")
        .assert_contains("Kraanvogel7");
    marieke.reply_to(thread, text).await.assert_status(303);
    // Posted: the draft is gone, and the form is empty again.
    let drafts = erbij::entities::draft::Entity::find()
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(drafts, 0);
    let page = marieke.get(&format!("/onderwerpen/{thread}")).await;
    assert_eq!(
        page.body.matches("Kraanvogel7").count(),
        1,
        "once, as the post"
    );
    // Someone else's browser with no key finds nothing of it.
    let mut other = marieke.second_browser();
    other.login_as("kees@buurtkracht.nl").await;
    other
        .get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_lacks("je tekst is bewaard");
}

#[tokio::test]
async fn a_previewed_reply_is_kept_as_a_draft_until_posted() {
    let (mut marieke, _kees, thread, _) = marieke_and_kees().await;
    marieke
        .post_multipart(
            &format!("/onderwerpen/{thread}/reageren"),
            &[("body", "Half af: Roerdomp7"), ("action", "preview")],
            &[],
        )
        .await
        .assert_status(200);
    marieke
        .get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_contains("Half af: Roerdomp7")
        .assert_lacks("je tekst is bewaard");
}

#[tokio::test]
async fn the_script_keeps_a_draft_only_for_a_form_the_member_may_use() {
    let (mut marieke, mut kees, thread, _) = marieke_and_kees().await;
    let target = format!("reply:{thread}");
    kees.post(
        "/concepten",
        &[("target", &target), ("body", "Halverwege: Tureluur7")],
    )
    .await
    .assert_status(204);
    kees.get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_contains("Halverwege: Tureluur7");
    // Not Marieke's: her form stays empty.
    marieke
        .get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_lacks("Tureluur7");
    // Without the form's token, nothing; for a place he may not write, nothing.
    kees.post_raw(
        "/concepten",
        &[("target", &target), ("body", "Zonder sleutel")],
    )
    .await
    .assert_status(403);
    for target in [
        "thread:expertgroep",
        "reply:999999",
        "iets:anders",
        "thread:",
    ] {
        kees.post("/concepten", &[("target", target), ("body", "x")])
            .await
            .assert_status(404);
    }
    // Emptied: the draft goes.
    kees.post("/concepten", &[("target", &target), ("body", "  ")])
        .await
        .assert_status(204);
    kees.get(&format!("/onderwerpen/{thread}"))
        .await
        .assert_lacks("Tureluur7");
}

#[tokio::test]
async fn texts_sent_without_a_session_are_kept_only_a_few_times_an_hour_per_address() {
    let (marieke, _kees, thread, _) = marieke_and_kees().await;
    let mut stranger = marieke.second_browser();
    for i in 0..15 {
        stranger
            .reply_to(thread, &format!("Vulsel {i}"))
            .await
            .assert_status(303);
    }
    let kept = erbij::entities::draft::Entity::find()
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(kept, 10, "the rest is not kept");
}

#[tokio::test]
async fn a_member_keeps_at_most_fifty_drafts_the_newest() {
    let (mut marieke, _kees, _thread, person) = marieke_and_kees().await;
    let mut threads = Vec::new();
    for i in 0..52 {
        threads.push(
            marieke
                .start_thread("zingeving", &format!("Draad {i}"), "Tekst.", "members")
                .await,
        );
    }
    for t in &threads {
        marieke
            .post(
                "/concepten",
                &[("target", &format!("reply:{t}")), ("body", "Half af.")],
            )
            .await
            .assert_status(204);
    }
    let kept = erbij::entities::draft::Entity::find()
        .filter(erbij::entities::draft::Column::UserId.eq(person.id))
        .count(&marieke.state.db)
        .await
        .expect("q");
    assert_eq!(kept, 50);
    marieke
        .get(&format!("/onderwerpen/{}", threads[51]))
        .await
        .assert_contains("Half af.");
}
