//! Erbij in a real browser: Debian's Chromium driven through WebDriver (chromedriver and
//! fantoccini) against the real `erbij` binary on a loopback port with a fresh database.
//!
//! These tests need `/usr/bin/chromium` and `/usr/bin/chromedriver`, so they are ignored by
//! a plain `cargo test`; `.ci/run` installs both and runs them with
//! `cargo test --test browser -- --ignored`.
//!
//! The accessibility audit injects axe-core (vendored: `tests/browser/axe.min.js`, MPL-2.0)
//! into every kind of page, in Dutch and English, at 360×740 and 1280×800.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod harness;
#[path = "../common/images.rs"]
mod images;
#[path = "../common/mail.rs"]
mod mail;

use fantoccini::key::Key;

use crate::harness::{Browser, DESKTOP, PHONE, Site};

/// Every kind of page a visitor, a member, an expert and an administrator meet; each is
/// audited in both languages at both sizes.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn every_page_passes_the_accessibility_audit_in_both_languages_and_sizes() {
    let site = Site::start();
    let practice = "/praktijken/zingeving";
    let browser = Browser::start().await;
    let thread = browser.first_thread(&site, practice).await;
    // The demo member takes part in Migranten, so can reply there.
    let own_thread = browser.first_thread(&site, "/praktijken/migranten").await;

    let visitor_pages: Vec<(&str, String)> = vec![
        ("home", "/".into()),
        ("practices", "/praktijken".into()),
        ("practice", practice.into()),
        ("thread", thread.clone()),
        ("summaries", "/kennisbundels".into()),
        ("subscribe", "/volgen".into()),
        ("apply", "/word-lid".into()),
        ("privacy", "/privacy".into()),
        ("organisations", "/organisaties".into()),
        ("an organisation", "/organisaties/humanitas".into()),
        ("search", "/zoeken?q=eenzaamheid".into()),
        (
            "search, nothing found",
            "/zoeken?q=xyzzy&soort=kennisbundels".into(),
        ),
        ("sign-in", "/inloggen".into()),
        ("interventions", "/interventies".into()),
        (
            "interventions filtered",
            "/interventies?doelgroep=ouderen&wijk=charlois".into(),
        ),
        (
            "interventions, none found",
            "/interventies?doelgroep=nabestaanden&organisatie=sensoor".into(),
        ),
        ("an intervention", "/interventies/koffie-op-de-hoek".into()),
        (
            "a stale intervention",
            "/interventies/mantelzorgcafe-online".into(),
        ),
        (
            "an intervention's history",
            "/interventies/koffie-op-de-hoek/geschiedenis".into(),
        ),
        (
            "search, interventions",
            "/zoeken?q=koffie&soort=interventies".into(),
        ),
        ("not-found", "/bestaat-niet".into()),
        ("expired link", "/wachtwoord-instellen/verlopen".into()),
    ];
    // The audit can fail: a page with an unlabelled image, a tiny button, small print and
    // no zooming is caught.
    browser
        .show_html(
            r#"<html><head><meta name="viewport" content="width=device-width, maximum-scale=1"></head>
            <body style="font-size:12px"><main><img src="x.png"><button style="height:10px">x</button>
            <p style="font-size:10px">klein</p></main></body></html>"#,
        )
        .await;
    let caught = browser.check("self-check", "nl").await.join("\n");
    for rule in [
        "image-alt",
        "html-has-lang",
        "h1 count 0",
        "small tap target",
        "zooming is blocked",
        "body text is 12 px",
        "small text (10 px): klein",
    ] {
        assert!(caught.contains(rule), "the audit missed {rule}:\n{caught}");
    }

    let mut problems = Vec::new();
    for lang in ["nl", "en"] {
        browser.set_language(&site, lang).await;
        for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
            browser.resize(w, h).await;
            for (name, path) in &visitor_pages {
                browser.open(&site, path).await;
                problems.extend(
                    browser
                        .check(&format!("{name} ({lang}, {size})"), lang)
                        .await,
                );
            }
            // Forms sent empty: the errors must be tied to their fields.
            for (name, path, button) in [
                (
                    "subscribe with errors",
                    "/volgen",
                    "main form button.primary",
                ),
                ("apply with errors", "/word-lid", "main form button.primary"),
                (
                    "sign-in with errors",
                    "/inloggen",
                    "main form button.primary",
                ),
            ] {
                browser.open(&site, path).await;
                browser.click(button).await;
                problems.extend(
                    browser
                        .check(&format!("{name} ({lang}, {size})"), lang)
                        .await,
                );
                browser.assert_errors_described().await;
            }
        }
    }

    // A member, then an expert, then an administrator.
    for (who, email, pages) in [
        (
            "member",
            site.demo_member(),
            vec![
                ("notifications", "/meldingen".to_string()),
                ("member home", "/".into()),
                ("welcome", "/welkom".into()),
                ("a member's page", "/leden/bram-jansen".into()),
                ("directory", "/leden".into()),
                (
                    "directory filtered",
                    "/leden?wijk=charlois&expertise=huisbezoeken".into(),
                ),
                ("own directory entry", "/profiel/gids".into()),
                (
                    "an organisation as member",
                    "/organisaties/humanitas".into(),
                ),
                ("practice list with news", "/praktijken".into()),
                ("profile", "/profiel".into()),
                ("mail settings", "/profiel/email".into()),
                ("new thread", "/praktijken/migranten/nieuw".into()),
                ("thread as member", thread.clone()),
                ("forbidden", "/beheer".into()),
                // The demo member facilitates Migranten, so publishes interventions.
                ("interventions as facilitator", "/interventies".into()),
                (
                    "an intervention with a change waiting",
                    "/interventies/jongeren-praatlijn".into(),
                ),
                (
                    "an intervention's history with a change waiting",
                    "/interventies/jongeren-praatlijn/geschiedenis".into(),
                ),
                ("proposals queue", "/interventies/voorstellen".into()),
                ("propose an intervention", "/interventies/nieuw".into()),
                (
                    "propose a change",
                    "/interventies/jongeren-praatlijn/wijzigen".into(),
                ),
                ("messages", "/berichten".into()),
                ("new message", "/berichten/nieuw".into()),
                ("blocked members", "/berichten/geblokkeerd".into()),
            ],
        ),
        (
            "expert",
            site.demo_expert(),
            vec![
                ("expert area", "/expertgroep".to_string()),
                ("nominations", "/expertgroep/voordrachten".into()),
                ("new summary", "/kennisbundels/nieuw".into()),
            ],
        ),
    ] {
        browser.sign_in(&site, &email).await;
        for lang in ["nl", "en"] {
            browser.set_language(&site, lang).await;
            for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
                browser.resize(w, h).await;
                for (name, path) in &pages {
                    browser.open(&site, path).await;
                    problems.extend(
                        browser
                            .check(&format!("{who}: {name} ({lang}, {size})"), lang)
                            .await,
                    );
                }
                if who == "member" {
                    // A new thread and a reply sent empty.
                    for (name, path) in [
                        ("new thread with errors", "/praktijken/migranten/nieuw"),
                        ("reply with errors", own_thread.as_str()),
                    ] {
                        browser.open(&site, path).await;
                        browser.click("button[value=post]").await;
                        problems.extend(
                            browser
                                .check(&format!("{who}: {name} ({lang}, {size})"), lang)
                                .await,
                        );
                        browser.assert_errors_described().await;
                    }
                    // The two proposals waiting in the demo: a new intervention and a
                    // change (its words compared).
                    for (name, proposal) in [
                        ("review a new proposal", "Wandelmaatjes Hoogvliet"),
                        ("review a change", "Jongeren Praatlijn"),
                    ] {
                        browser.open(&site, "/interventies/voorstellen").await;
                        let path = href_of(
                            &browser,
                            &format!("//main//h2/a[normalize-space()='{proposal}']"),
                        )
                        .await;
                        browser.open(&site, &path).await;
                        problems.extend(
                            browser
                                .check(&format!("{who}: {name} ({lang}, {size})"), lang)
                                .await,
                        );
                    }
                    // The proposal form sent empty: refused (422), every problem tied to
                    // its field, the target groups' too.
                    browser.open(&site, "/interventies/nieuw").await;
                    browser.click("main form button.primary").await;
                    assert_eq!(page_status(&browser).await, 422);
                    problems.extend(
                        browser
                            .check(
                                &format!("{who}: propose with errors ({lang}, {size})"),
                                lang,
                            )
                            .await,
                    );
                    browser.assert_errors_described().await;
                    browser
                        .assert_present("fieldset#group[aria-describedby='group-error']")
                        .await;
                    // A conversation of the demo, and a new message sent empty.
                    browser.open(&site, "/berichten").await;
                    let conversation = href_of(
                        &browser,
                        "//main//a[starts-with(@href, '/berichten/gesprek/')]",
                    )
                    .await;
                    browser.open(&site, &conversation).await;
                    problems.extend(
                        browser
                            .check(&format!("{who}: a conversation ({lang}, {size})"), lang)
                            .await,
                    );
                    browser.open(&site, "/berichten/nieuw").await;
                    browser.click("main form button.primary").await;
                    assert_eq!(page_status(&browser).await, 422);
                    problems.extend(
                        browser
                            .check(
                                &format!("{who}: new message with errors ({lang}, {size})"),
                                lang,
                            )
                            .await,
                    );
                    browser.assert_errors_described().await;
                }
            }
        }
        browser.sign_out(&site).await;
    }

    browser.become_admin(&site).await;
    let admin_pages = [
        ("dashboard", "/beheer"),
        ("applications", "/beheer/aanmeldingen"),
        ("people", "/beheer/mensen"),
        ("practices", "/beheer/praktijken"),
        ("audit log", "/beheer/logboek"),
        ("organisations", "/beheer/organisaties"),
        ("new organisation", "/beheer/organisaties/nieuw"),
        ("expertise", "/beheer/expertise"),
        ("outbox", "/beheer/post"),
        ("flags", "/beheer/signaleringen"),
        ("reported messages", "/beheer/berichten"),
    ];
    for lang in ["nl", "en"] {
        browser.set_language(&site, lang).await;
        for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
            browser.resize(w, h).await;
            for (name, path) in admin_pages {
                browser.open(&site, path).await;
                problems.extend(
                    browser
                        .check(&format!("admin: {name} ({lang}, {size})"), lang)
                        .await,
                );
            }
        }
    }
    browser.close().await;
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A visitor follows by email, confirms from the mail, changes the preferences and stops
/// with one click — with JavaScript switched off — and the screenshots of the README are
/// taken on the way.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_visitor_follows_by_email_without_javascript_and_the_readme_screenshots_are_taken() {
    let site = Site::start();
    let browser = Browser::start_without_javascript().await;
    let thread = browser.first_thread(&site, "/praktijken/zingeving").await;
    browser.set_language(&site, "nl").await;

    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        browser.resize(w, h).await;
        browser.open(&site, "/").await;
        browser.screenshot(&format!("home-{size}")).await;
        browser.open(&site, "/praktijken/zingeving").await;
        browser.screenshot(&format!("practice-{size}")).await;
        browser.open(&site, &thread.clone()).await;
        browser.screenshot(&format!("thread-{size}")).await;
        browser.open(&site, "/volgen").await;
        browser.screenshot(&format!("subscribe-{size}")).await;
        browser.open(&site, "/zoeken?q=huisbezoeken").await;
        browser.screenshot(&format!("search-{size}")).await;
        browser.open(&site, "/interventies?wijk=charlois").await;
        browser.assert_text("Koffie op de hoek").await;
        assert!(browser.fits_width().await, "the catalogue fits a {size}");
        browser.screenshot(&format!("interventions-{size}")).await;
        browser.open(&site, "/interventies/koffie-op-de-hoek").await;
        browser.assert_text("Zo verwijs je iemand door").await;
        assert!(browser.fits_width().await, "an intervention fits a {size}");
        browser.screenshot(&format!("intervention-{size}")).await;
    }

    browser.resize(PHONE.0, PHONE.1).await;
    browser.open(&site, "/volgen").await;
    browser.fill("#email", "lezer@voorbeeld.nl").await;
    browser.click("main form button.primary").await;
    browser.assert_text("Kijk in je mail").await;

    let mail = site.mail_to("lezer@voorbeeld.nl", "Bevestig").await;
    let confirm = mail.link(&site.base, "/volgen/bevestigen/");
    browser.goto(&confirm).await;
    browser.click("main form button.primary").await;
    browser.assert_text("Je volgt Erbij").await;

    // Preferences from the link in the mail: only two practices, in English.
    let manage = mail.link(&site.base, "/volgen/beheer/");
    browser.goto(&manage).await;
    browser.click("#scope-chosen").await;
    for practice in ["migranten", "zingeving"] {
        browser
            .click(&format!("input[name=practice][data-slug={practice}]"))
            .await;
    }
    browser.click("#l-en").await;
    browser.click("main form button.primary").await;
    browser.assert_text("Je keuzes zijn opgeslagen.").await;

    // The week's digest (the command line sends what is due), in English, and its HTML part
    // as a mail program shows it.
    site.run(&["digest", "run"]);
    let digest = site.mail_to("lezer@voorbeeld.nl", "Erbij this week").await;
    assert!(digest.text.contains("Migrants") || digest.text.contains("Meaning-making"));
    assert!(
        !digest.text.contains("Young people"),
        "a practice not chosen"
    );
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        browser.resize(w, h).await;
        browser.show_html(&digest.html).await;
        assert!(browser.fits_width().await, "the digest fits a {size}");
        browser.screenshot(&format!("digest-{size}")).await;
    }

    // Stop, with the link under the digest: it opens a page with one button (a GET never
    // unsubscribes; mail programs use the one-click POST of the List-Unsubscribe header).
    browser
        .assert_text(
            "You get this overview because you follow Erbij by email. Change your choices · Stop",
        )
        .await;
    browser.click_link("Stop").await;
    assert!(
        browser
            .current_path()
            .await
            .starts_with("/volgen/uitschrijven/"),
        "on the stop page"
    );
    browser.assert_text("Stoppen").await;
    browser.click("main form button").await;
    browser.assert_text("Je bent afgemeld").await;

    // What is stored, from the manage link, on a phone without JavaScript; then erase it all.
    browser.goto(&manage).await;
    browser.click_link("Bekijk wat we over je bewaren").await;
    browser
        .assert_text(&format!("versie {}", erbij::subscriptions::CONSENT_VERSION))
        .await;
    browser.assert_text("Gestopt op").await;
    browser.click_link("Alles over mij wissen").await;
    browser.assert_text("Dit kun je niet ongedaan maken.").await;
    browser.click("main form button.primary").await;
    browser.assert_text("Je gegevens zijn gewist").await;
    site.mail_to("lezer@voorbeeld.nl", "Your data at Erbij has been erased")
        .await;
    browser.goto(&manage).await;
    browser
        .assert_text("Bij deze link hoort geen aanmelding (meer)")
        .await;
    browser.assert_javascript_is_off().await;
    browser.close().await;

    // A member's own home, "Nieuw voor jou": the demo's members caught up a week ago.
    let member = Browser::start().await;
    member.set_language(&site, "nl").await;
    member.sign_in(&site, &site.demo_member()).await;
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        member.resize(w, h).await;
        member.open(&site, "/").await;
        member.assert_text("Nieuw voor jou").await;
        member.assert_present("ol.threads li.thread.unread").await;
        assert!(member.fits_width().await, "the member home fits a {size}");
        member.screenshot(&format!("member-home-{size}")).await;
    }
    // A conversation of the demo, its newest answer not read yet.
    member.open(&site, "/berichten").await;
    let conversation = href_of(
        &member,
        "//main//a[starts-with(@href, '/berichten/gesprek/')]",
    )
    .await;
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        member.resize(w, h).await;
        member.open(&site, &conversation).await;
        member.assert_present("div.messages article.post").await;
        assert!(member.fits_width().await, "a conversation fits a {size}");
        member.screenshot(&format!("messages-{size}")).await;
    }
    member.close().await;
}

/// The demo member finds a colleague in the directory and writes to her from her page; the
/// colleague sees "Berichten" with a count when she signs in, reads it and answers; the demo
/// member sees the answer.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_member_writes_to_someone_found_in_the_directory_who_replies() {
    let site = Site::start();
    let anouk = Browser::start().await;
    anouk.set_language(&site, "nl").await;
    anouk.resize(DESKTOP.0, DESKTOP.1).await;
    anouk.sign_in(&site, &site.demo_member()).await;
    anouk.open(&site, "/").await;
    anouk.click_link("Ledengids").await;
    anouk.assert_text("Ledengids").await;
    anouk.fill("#q", "Carla").await;
    anouk.click("form.filters button.primary").await;
    anouk.click_link("Carla Bakker").await;
    assert_eq!(anouk.current_path().await, "/leden/carla-bakker");
    anouk.click_link("Stuur een bericht").await;
    let path = anouk.current_path().await;
    assert!(
        path.starts_with("/berichten/nieuw?aan="),
        "on the form: {path}"
    );
    let to = anouk
        .client()
        .find(fantoccini::Locator::Css("#recipients"))
        .await
        .expect("the to field")
        .prop("value")
        .await
        .expect("its value")
        .unwrap_or_default();
    assert!(
        to.contains("Carla Bakker"),
        "the to field names her: {to:?}"
    );
    anouk.fill("#subject", "Huisbezoeken in Charlois").await;
    anouk
        .fill(
            "#body",
            "Hoi Carla, ik zag in de ledengids dat je huisbezoeken doet in Charlois. \
             Mag ik je eens bellen over een bewoner daar?",
        )
        .await;
    anouk.click("main form button.primary").await;
    anouk
        .assert_text("Mag ik je eens bellen over een bewoner daar?")
        .await;
    let conversation = anouk.current_path().await;
    assert!(
        conversation.starts_with("/berichten/gesprek/"),
        "on the conversation: {conversation}"
    );

    // Carla, in a browser of her own.
    let carla = Browser::start().await;
    carla.set_language(&site, "nl").await;
    carla.resize(DESKTOP.0, DESKTOP.1).await;
    carla.sign_in(&site, "carla.bakker@demo.erbij.nl").await;
    carla
        .assert_present("a.messages-link[aria-label='Berichten, 1 ongelezen']")
        .await;
    assert_eq!(carla.text_of("nav.wide a.messages-link .count").await, "1");
    carla.click("a.messages-link").await;
    carla.click_link("Huisbezoeken in Charlois").await;
    carla
        .assert_text("Mag ik je eens bellen over een bewoner daar?")
        .await;
    carla
        .fill(
            "#body",
            "Natuurlijk, Anouk. Bel gerust morgenochtend, dan ben ik op kantoor.",
        )
        .await;
    carla.click("#antwoorden button.primary").await;
    carla.assert_text("dan ben ik op kantoor").await;
    carla.open(&site, "/berichten").await;
    carla.assert_absent("Berichten, 1 ongelezen").await;
    carla.close().await;

    // Anouk sees the answer.
    anouk.open(&site, "/berichten").await;
    anouk.click_link("Huisbezoeken in Charlois").await;
    assert_eq!(anouk.current_path().await, conversation);
    anouk.assert_text("Bel gerust morgenochtend").await;
    anouk.close().await;
}

/// Signing in, finding the practice and starting a thread with the keyboard alone: Tab to
/// move, typing, Enter to follow a link or send, Space to press a button.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_member_posts_with_the_keyboard_only_and_without_javascript() {
    let site = Site::start();
    let browser = Browser::start().await;
    browser.set_language(&site, "nl").await;
    browser.resize(DESKTOP.0, DESKTOP.1).await;
    browser.open(&site, "/").await;
    // From the top of the page: the skip link first, then on through the menu.
    browser.tab_until("a[href='/inloggen']").await;
    browser.press_enter().await;
    browser.tab_until("#email").await;
    browser.type_keys(&site.demo_member()).await;
    browser.tab_until("#password").await;
    browser.type_keys(harness::DEMO_PASSWORD).await;
    browser.press_enter().await;
    browser.assert_text("Uitloggen").await;

    browser.tab_until("header a[href='/praktijken']").await;
    browser.press_enter().await;
    browser
        .tab_until("main a[href='/praktijken/migranten']")
        .await;
    browser.press_enter().await;
    browser
        .tab_until("a[href='/praktijken/migranten/nieuw']")
        .await;
    browser.press_enter().await;
    browser.tab_until("#title").await;
    browser.type_keys("Met het toetsenbord geschreven").await;
    browser.tab_until("#body").await;
    browser
        .type_keys("Dit onderwerp is zonder muis gestart.")
        .await;
    browser.tab_until("button[value=preview]").await;
    browser.press_space().await;
    browser.assert_text("Zo ziet het eruit").await;
    browser.tab_until("button[value=post]").await;
    browser.press_enter().await;
    browser.assert_text("Met het toetsenbord geschreven").await;
    browser
        .assert_text("Dit onderwerp is zonder muis gestart.")
        .await;
    browser.close().await;

    // Then with the mouse and JavaScript switched off, previewing first and replying.
    let plain = Browser::start_without_javascript().await;
    plain.set_language(&site, "nl").await;
    plain.open(&site, "/inloggen").await;
    plain.fill("#email", &site.demo_member()).await;
    plain.fill("#password", harness::DEMO_PASSWORD).await;
    plain.click("main form button.primary").await;
    plain.open(&site, "/praktijken/migranten/nieuw").await;
    plain.fill("#title", "Zonder JavaScript").await;
    plain.fill("#body", "Ook zonder script werkt het.").await;
    plain.click("button[value=preview]").await;
    plain.assert_text("Ook zonder script werkt het.").await;
    plain.click("button[value=post]").await;
    plain.assert_text("Zonder JavaScript").await;
    plain.assert_present("article.post").await;
    plain.fill("#body", "En reageren ook.").await;
    plain.click_button("Reactie plaatsen").await;
    plain.assert_text("En reageren ook.").await;
    plain.assert_text("1 reactie").await;
    plain.assert_javascript_is_off().await;
    plain.close().await;
}

/// Whether the warning of what "public" means is on screen.
async fn public_warning_shown(browser: &Browser) -> bool {
    browser
        .client()
        .execute(
            "return getComputedStyle(document.querySelector('.public-warning')).display !== 'none'",
            vec![],
        )
        .await
        .expect("the script runs")
        .as_bool()
        .expect("a yes or no")
}

/// From application to conversation: a newcomer applies, an administrator approves, the
/// newcomer chooses a password from the mail, signs in, joins a practice, starts a thread
/// with a file (previewed first), and hears by notification and by mail that the
/// facilitator replied.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_newcomer_is_approved_joins_posts_a_file_and_hears_of_a_reply() {
    let site = Site::start();
    let newcomer = Browser::start().await;
    newcomer.set_language(&site, "nl").await;
    newcomer.resize(PHONE.0, PHONE.1).await;

    // Reading first, as a visitor: a practice and one of its public threads.
    newcomer.click_link("Lerende praktijken").await;
    newcomer.click_link("Migranten").await;
    newcomer
        .assert_text("Je ziet hier de openbare onderwerpen.")
        .await;
    newcomer.click("main a[href^='/onderwerpen/']").await;
    newcomer.assert_present("article.post").await;
    newcomer
        .assert_text("Inloggen om te reageren. Nog geen lid? Word lid")
        .await;

    // Applying, from the link under the thread.
    let email = "joke.brouwer@voorbeeld.nl";
    newcomer.click("#reageren a[href='/word-lid']").await;
    newcomer.fill("#name", "Joke Brouwer").await;
    newcomer.fill("#email", email).await;
    newcomer.fill("#organisation", "Wijkteam Delfshaven").await;
    newcomer.fill("#job", "Wijkverpleegkundige").await;
    newcomer
        .fill(
            "#motivation",
            "Ik bezoek veel oudere migranten en zoek ervaringen van collega's.",
        )
        .await;
    // The practices that fit her work, for the welcome after approval.
    newcomer.tick("Migranten").await;
    newcomer.click_button("Aanvraag versturen").await;
    newcomer.assert_text("Bedankt voor je aanvraag").await;
    site.mail_to(email, "We hebben je aanvraag ontvangen").await;

    // The administrator hears of it by mail and approves.
    let admin = Browser::start().await;
    admin.set_language(&site, "nl").await;
    admin.become_admin(&site).await;
    let notice = site
        .mail_to(harness::ADMIN, "Nieuwe aanvraag voor Erbij")
        .await;
    admin
        .goto(&notice.link(&site.base, "/beheer/aanmeldingen"))
        .await;
    admin.assert_text("Wijkteam Delfshaven").await;
    admin.click_near("Joke Brouwer", "Goedkeuren").await;
    admin
        .assert_text("Joke Brouwer (joke.brouwer@voorbeeld.nl) — goedgekeurd")
        .await;
    admin.close().await;

    // The welcome mail's link: choose a password, and be signed in.
    let welcome = site.mail_to(email, "Welkom bij Erbij").await;
    newcomer
        .goto(&welcome.link(&site.base, "/wachtwoord-instellen/"))
        .await;
    let password = "koffie-aan-de-keukentafel";
    newcomer.fill("#password", password).await;
    newcomer.fill("#password_confirm", password).await;
    newcomer.click_button("Wachtwoord opslaan").await;
    // One page of welcome: Migranten is ticked from the application; reply mail and the
    // weekly digest are proposed; she keeps them.
    newcomer.assert_text("Welkom bij Erbij, Joke Brouwer").await;
    let ticked: bool = newcomer
        .client()
        .execute(
            "return [...document.querySelectorAll('#practice input:checked')].map(i => i.labels[0].textContent).join('|').startsWith('Migranten');",
            vec![],
        )
        .await
        .expect("script")
        .as_bool()
        .unwrap_or(false);
    assert!(ticked, "the practice from the application is ticked");
    newcomer.click_button("Opslaan en beginnen").await;
    // Her home is her own, and everything from before her approval counts as read.
    newcomer.assert_text("Nieuw voor jou").await;
    newcomer.assert_text("Je bent helemaal bij").await;
    // On a phone the header stays small: name, bell, menu, search.
    let header: f64 = newcomer
        .client()
        .execute(
            "return document.querySelector('header.site-header').getBoundingClientRect().height;",
            vec![],
        )
        .await
        .expect("script")
        .as_f64()
        .unwrap_or(f64::MAX);
    assert!(header <= 120.0, "the header takes {header} px on a phone");
    newcomer.sign_out(&site).await;
    newcomer.sign_in_with(&site, email, password).await;

    // A member of the practice already, from the welcome.
    newcomer.click_link("Lerende praktijken").await;
    newcomer.click_link("Migranten").await;
    newcomer.assert_text("Verlaat deze praktijk").await;
    newcomer.click_link("Nieuw onderwerp").await;
    // Members-only is chosen already; what public means shows as soon as public is chosen.
    assert!(!public_warning_shown(&newcomer).await);
    newcomer.click("#visibility-public").await;
    assert!(public_warning_shown(&newcomer).await);
    newcomer.click("#visibility-members").await;
    assert!(!public_warning_shown(&newcomer).await);
    let title = "Huisbezoek bij oudere migranten";
    newcomer.fill("#title", title).await;
    newcomer
        .fill(
            "#body",
            "Wie heeft **ervaring** met een tolk bij het eerste bezoek? Onze handreiking zit erbij.",
        )
        .await;
    let files = tempfile::tempdir().expect("a folder");
    let pdf = files.path().join("handreiking-huisbezoek.pdf");
    std::fs::write(&pdf, images::pdf_with_metadata()).expect("write");
    newcomer.attach("#files", &pdf).await;
    newcomer.click_button("Voorbeeld bekijken").await;
    newcomer.assert_text("Zo ziet het eruit").await;
    newcomer.assert_present(".preview strong").await;
    // The file went along with the preview and stays chosen: it is not asked for again.
    newcomer.assert_text("handreiking-huisbezoek.pdf").await;
    newcomer.click_button("Onderwerp plaatsen").await;
    newcomer.assert_text(title).await;
    let thread = newcomer.current_path().await;
    assert!(
        thread.starts_with("/onderwerpen/"),
        "on the thread: {thread}"
    );
    newcomer.assert_present("ul.attachments a").await;
    let file: serde_json::Value = newcomer
        .client()
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const a = document.querySelector('ul.attachments a');
            fetch(a.href).then(r => r.text().then(t => done([a.textContent.trim(), r.status, r.headers.get('content-type'), r.headers.get('cache-control'), t.slice(0, 5)])));"#,
            vec![],
        )
        .await
        .expect("the file downloads");
    assert_eq!(
        file,
        serde_json::json!([
            "handreiking-huisbezoek.pdf",
            200,
            "application/pdf",
            "no-store",
            "%PDF-"
        ])
    );
    // (The thread is members-only, as every new thread starts: its file is never kept in the
    // browser's cache. A public thread's file may stay there for an hour.)

    // The facilitator of Migranten replies.
    let facilitator = Browser::start().await;
    facilitator.set_language(&site, "nl").await;
    facilitator.sign_in(&site, &site.demo_member()).await;
    facilitator.open(&site, &thread).await;
    facilitator
        .fill(
            "#body",
            "Welkom Joke! Wij werken met tolken uit de eigen gemeenschap.",
        )
        .await;
    facilitator.click_button("Reactie plaatsen").await;
    facilitator
        .assert_text("tolken uit de eigen gemeenschap")
        .await;
    facilitator.close().await;

    // By mail (on by default, never chosen), naming who replied where, with a one-click stop.
    let line = format!("Anouk de Vries reageerde in “{title}”");
    let mail = site.mail_to(email, &line).await;
    assert!(mail.text.contains("tolken uit de eigen gemeenschap"));
    assert!(mail.text.contains("Geen mail meer over reacties"));
    assert!(mail.list_header("List-Unsubscribe").is_some());
    // On the site: her home shows the thread with one new post, the bell counts it.
    newcomer.open(&site, "/").await;
    newcomer.assert_text("Nieuw voor jou").await;
    newcomer.assert_text(title).await;
    newcomer.assert_text("1 nieuw").await;
    newcomer
        .assert_present("a.bell-phone[aria-label='Meldingen: 1 nieuwe']")
        .await;
    newcomer.click("a.bell-phone").await;
    newcomer.assert_text(&line).await;
    // The mail's link leads to the reply, and then it counts as read.
    newcomer.goto(&mail.link(&site.base, "/meldingen/")).await;
    newcomer
        .assert_text("tolken uit de eigen gemeenschap")
        .await;
    assert!(
        newcomer.current_path().await.starts_with(&thread),
        "at the reply"
    );
    newcomer
        .assert_present("a[href='/meldingen']:not([aria-label])")
        .await;
    // Read: the home has nothing new any more.
    newcomer.open(&site, "/").await;
    newcomer.assert_text("Je bent helemaal bij").await;

    // She answers and mentions Anouk: typing "@anou" suggests her, Enter takes the name,
    // the preview says whom it names, and the post links to her page.
    newcomer.open(&site, &thread).await;
    newcomer.fill("#body", "Dank je @anou").await;
    newcomer
        .assert_present("#body-mentions li[data-handle='anouk-de-vries']")
        .await;
    newcomer.press_key_in("#body", Key::Down).await;
    newcomer.press_key_in("#body", Key::Enter).await;
    let typed: String = newcomer
        .client()
        .execute("return document.getElementById('body').value;", vec![])
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(typed, "Dank je @anouk-de-vries ");
    newcomer.click_button("Voorbeeld bekijken").await;
    newcomer.assert_text("Wie je noemt").await;
    newcomer
        .assert_present(".mentions a[href='/leden/anouk-de-vries']")
        .await;
    newcomer.click_button("Reactie plaatsen").await;
    newcomer
        .assert_present(".post-body a[href='/leden/anouk-de-vries']")
        .await;

    // Her session runs out while she writes; what she typed survives signing in again.
    newcomer.open(&site, &thread).await;
    newcomer
        .fill("#body", "Nog een lange gedachte over tolken.")
        .await;
    newcomer
        .client()
        .delete_cookie("erbij_session")
        .await
        .expect("the session ends");
    newcomer.click_button("Reactie plaatsen").await;
    newcomer.fill("#email", email).await;
    newcomer.fill("#password", password).await;
    newcomer.click_button("Inloggen").await;
    newcomer.assert_text("je tekst is bewaard").await;
    let kept: String = newcomer
        .client()
        .execute("return document.getElementById('body').value;", vec![])
        .await
        .expect("script")
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(kept, "Nog een lange gedachte over tolken.");
    newcomer.close().await;
}

/// A facilitator keeps a practice pleasant: a member flags a hurtful reply, the facilitator
/// handles the flag from the practice's queue, and hides another reply that shares a phone
/// number. Visitors see neither; the facilitator sees both, marked.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_big_phone_photo_fits_a_phone_screen_without_sideways_scrolling() {
    let site = Site::start();
    let member = Browser::start().await;
    member.set_language(&site, "nl").await;
    member.resize(PHONE.0, PHONE.1).await;
    member.sign_in(&site, &site.demo_member()).await;
    member.open(&site, "/praktijken/migranten/nieuw").await;
    member.fill("#title", "De buurttuin in het voorjaar").await;
    member
        .fill("#body", "Zo ziet de tuin er nu uit, na de werkdag.")
        .await;
    let files = tempfile::tempdir().expect("a folder");
    let photo = files.path().join("IMG_2041.jpg");
    std::fs::write(&photo, images::with_metadata(&images::jpeg(3200, 2400), 1)).expect("write");
    member.attach("#files", &photo).await;
    member.click_button("Onderwerp plaatsen").await;
    member.assert_text("De buurttuin in het voorjaar").await;
    member.assert_present("ul.attachments img").await;
    // Scrolled to (it loads lazily) and loaded, then measured.
    let measured: serde_json::Value = member
        .client()
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const img = document.querySelector('ul.attachments img');
            img.scrollIntoView();
            const check = () => (img.complete && img.naturalWidth > 0)
                ? done({
                    scroll: document.scrollingElement.scrollWidth,
                    inner: window.innerWidth,
                    shown: Math.round(img.getBoundingClientRect().width),
                    natural: img.naturalWidth,
                    width: img.getAttribute('width'),
                    height: img.getAttribute('height'),
                  })
                : setTimeout(check, 50);
            check();"#,
            vec![],
        )
        .await
        .expect("the photo loads");
    let number = |key: &str| measured[key].as_i64().unwrap_or(i64::MAX);
    assert!(
        number("scroll") <= number("inner"),
        "no sideways scrolling at 360 px: {measured}"
    );
    assert!(number("shown") < 360, "{measured}");
    assert_eq!(
        number("natural"),
        1024,
        "the display size is shown: {measured}"
    );
    assert_eq!(measured["width"], "1024");
    assert_eq!(measured["height"], "768");
    member.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_facilitator_handles_a_flag_and_hides_a_reply() {
    let site = Site::start();
    let private = "Mijn privénummer is 06-12345678, bel gerust.";
    let hurtful = "Die folder is onzin en wie hem gebruikt ook.";

    let bram = Browser::start().await;
    bram.set_language(&site, "nl").await;
    let thread = bram.first_thread(&site, "/praktijken/migranten").await;
    bram.sign_in(&site, "bram.jansen@demo.erbij.nl").await;
    for text in [private, hurtful] {
        bram.open(&site, &thread).await;
        bram.fill("#body", text).await;
        bram.click_button("Reactie plaatsen").await;
        bram.assert_text(text).await;
    }
    let last_page = bram.current_path().await;
    bram.close().await;

    // Another member flags the hurtful one.
    let fatima = Browser::start().await;
    fatima.set_language(&site, "nl").await;
    fatima.sign_in(&site, "fatima.meijer@demo.erbij.nl").await;
    fatima.open(&site, &last_page).await;
    fatima.click_near(hurtful, "Signaleren").await;
    fatima
        .fill(
            "#reason",
            "Dit is kwetsend voor collega's die de folder maken.",
        )
        .await;
    fatima.click_button("Signalering versturen").await;
    fatima
        .assert_text("De aanjagers kijken naar het bericht.")
        .await;
    fatima.close().await;

    // The facilitator finds it in the practice's queue and hides it from there.
    let mut problems = Vec::new();
    let anouk = Browser::start().await;
    anouk.set_language(&site, "nl").await;
    anouk.sign_in(&site, &site.demo_member()).await;
    // She heard of it at once, behind the bell.
    anouk.open(&site, "/meldingen").await;
    anouk
        .assert_text("Fatima Meijer signaleerde een bericht in")
        .await;
    anouk.click_link("Lerende praktijken").await;
    anouk.click_link("Migranten").await;
    anouk.click_link("Gesignaleerde berichten").await;
    anouk.assert_text("Gesignaleerd door Fatima Meijer").await;
    anouk.assert_text("kwetsend voor collega's").await;
    anouk.assert_text(hurtful).await;
    let queue = anouk.current_path().await;
    problems.extend(audit_everywhere(&anouk, &site, &queue, "flag queue with a flag").await);
    anouk.fill("input[name=note]", "Besproken met Bram.").await;
    anouk.click_button("Bericht verbergen").await;
    anouk.assert_text("Er wacht niets. Mooi zo.").await;

    // And hides the other reply straight from the thread, with a reason.
    anouk.open(&site, &last_page).await;
    anouk.click_near(private, "Verbergen").await;
    anouk
        .fill(
            "details.hide-post[open] input[name=reason]",
            "Persoonlijke gegevens",
        )
        .await;
    anouk.click("details.hide-post[open] button").await;
    anouk
        .assert_text("Verborgen door een aanjager. Reden: Persoonlijke gegevens")
        .await;
    anouk.assert_text(private).await;
    anouk.assert_text(hurtful).await;
    problems
        .extend(audit_everywhere(&anouk, &site, &last_page, "thread with hidden replies").await);
    anouk.close().await;

    // A visitor sees that something was hidden, and nothing of what.
    let visitor = Browser::start().await;
    visitor.set_language(&site, "nl").await;
    visitor.open(&site, &last_page).await;
    visitor
        .assert_text("Dit bericht is verborgen door een aanjager.")
        .await;
    visitor.assert_absent(private).await;
    visitor.assert_absent("06-12345678").await;
    visitor.assert_absent(hurtful).await;
    visitor.close().await;

    // Bram reads why his post was hidden; Fatima, that her flag was handled.
    let bram = Browser::start().await;
    bram.set_language(&site, "nl").await;
    bram.sign_in(&site, "bram.jansen@demo.erbij.nl").await;
    bram.open(&site, "/meldingen").await;
    bram.assert_text("Anouk de Vries verborg je bericht in")
        .await;
    bram.assert_text("Reden: Besproken met Bram.").await;
    bram.close().await;
    let fatima = Browser::start().await;
    fatima.set_language(&site, "nl").await;
    fatima.sign_in(&site, "fatima.meijer@demo.erbij.nl").await;
    fatima.open(&site, "/meldingen").await;
    fatima
        .assert_text("Anouk de Vries heeft je signalering over")
        .await;
    fatima.assert_absent(hurtful).await;
    fatima.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// From a good conversation to published knowledge: an expert nominates a thread, another
/// takes the nomination, drafts a summary and offers it for review, a second expert approves
/// it, and then a visitor reads it — audited and photographed in both sizes and languages.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn experts_turn_a_nominated_thread_into_a_published_summary() {
    let site = Site::start();
    let title = "Tolken uit de eigen gemeenschap";
    let lesson = "Een vertrouwde tolk uit de eigen gemeenschap opent gesprekken";

    // An expert who takes part in Migranten nominates a thread from it (members can too).
    let zeynep = Browser::start().await;
    zeynep.set_language(&site, "nl").await;
    let thread = zeynep.first_thread(&site, "/praktijken/migranten").await;
    zeynep.sign_in(&site, "zeynep.meijer@demo.erbij.nl").await;
    zeynep.open(&site, &thread).await;
    let thread_title = zeynep.text_of("h1").await;
    zeynep.click_link("Voordragen voor een kennisbundel").await;
    zeynep
        .fill(
            "#reason",
            "Veel praktische tips over tolken die anderen ook kunnen gebruiken.",
        )
        .await;
    zeynep.click_button("Voordragen").await;
    zeynep.assert_text("Bedankt voor je voordracht").await;

    // An expert takes it up and drafts a summary from it.
    let daan = Browser::start().await;
    daan.set_language(&site, "nl").await;
    daan.sign_in(&site, &site.demo_expert()).await;
    daan.click_link("Expertgroep").await;
    daan.click_link("Voordrachten").await;
    daan.assert_text("Veel praktische tips over tolken").await;
    daan.click_near("Veel praktische tips over tolken", "Oppakken")
        .await;
    daan.assert_text("opgepakt door Daan Visser").await;
    daan.click_link("Expertgroep").await;
    daan.click_link("Kennisbundels van de expertgroep").await;
    daan.click_link("Nieuwe kennisbundel").await;
    daan.fill("#title", title).await;
    daan.fill(
        "#body",
        &format!("{lesson}, ook als het gesprek over eenzaamheid gaat.\n\n- Vraag vooraf wie de tolk is.\n- Plan een tweede bezoek."),
    )
    .await;
    daan.tick("Migranten").await;
    daan.fill("#sources", &thread).await;
    daan.fill(
        "#references",
        "Movisie | 2023 | Eenzaamheid onder migranten",
    )
    .await;
    daan.click_button("Versie opslaan").await;
    daan.assert_text("Concept").await;
    let summary = daan.current_path().await;
    assert!(
        summary.starts_with("/kennisbundels/"),
        "on the summary: {summary}"
    );
    daan.click_button("Ter beoordeling aanbieden").await;
    daan.assert_text("Ter beoordeling").await;
    // Nobody approves their own work.
    daan.assert_text("je eigen werk keur je niet zelf").await;
    assert!(
        !daan.page().await.0.contains("Goedkeuren en publiceren"),
        "the writer cannot approve"
    );
    daan.close().await;

    // Not yet public.
    let visitor = Browser::start().await;
    visitor.set_language(&site, "nl").await;
    visitor.open(&site, &summary).await;
    visitor.assert_text("Deze pagina bestaat niet").await;
    visitor.assert_absent(lesson).await;
    visitor.open(&site, "/kennisbundels").await;
    visitor.assert_absent(title).await;

    // A second expert approves and publishes.
    let nicole = Browser::start().await;
    nicole.set_language(&site, "nl").await;
    nicole.sign_in(&site, "nicole.yilmaz@demo.erbij.nl").await;
    nicole.click_link("Expertgroep").await;
    nicole.click_link("Kennisbundels van de expertgroep").await;
    nicole.click_link(title).await;
    nicole.click_button("Goedkeuren en publiceren").await;
    nicole.assert_text("Gepubliceerd").await;
    nicole.assert_text("beoordeeld door Nicole Yilmaz").await;
    nicole.close().await;

    // The visitor finds it, with where the knowledge came from; the thread points to it.
    visitor.click_link("Kennisbundels").await;
    visitor.click_link(title).await;
    visitor.assert_text(lesson).await;
    visitor.assert_text("Waar deze kennis vandaan komt").await;
    visitor.assert_text("Eenzaamheid onder migranten").await;
    let problems = audit_everywhere(&visitor, &site, &summary, "summary").await;
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        visitor.resize(w, h).await;
        visitor.open(&site, &summary).await;
        visitor.screenshot(&format!("summary-{size}")).await;
    }
    visitor.set_language(&site, "nl").await;
    visitor.open(&site, &thread).await;
    visitor.assert_text("Gebruikt in de kennisbundel:").await;
    visitor.click_link(title).await;
    visitor.assert_text(lesson).await;
    visitor.close().await;

    // The one who nominated hears what became of it.
    zeynep.click("a[href='/meldingen']").await;
    zeynep
        .assert_text(&format!(
            "Daan Visser pakte je voordracht “{thread_title}” op"
        ))
        .await;
    zeynep.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The catalogue of interventions, kept up by members: a member (no facilitator) filters
/// the catalogue, proposes an intervention through the form and sees it wait; a visitor
/// does not find it; the facilitator publishes it from the queue and the member is told by
/// mail; the visitor then finds it with the filters and with the header's search. The
/// member proposes a change of its cost, the facilitator sees the words that change and
/// publishes, and the history shows both versions.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_member_proposes_an_intervention_and_a_facilitator_publishes_it() {
    let site = Site::start();
    let name = "Rouwcafé IJsselmonde";
    let page = "/interventies/rouwcafe-ijsselmonde";
    let published = "Je voorstel staat in de catalogus";
    // Karim facilitates no practice (the demo's first people do), so publishes nothing.
    let karim = "karim.peters@demo.erbij.nl";
    let filtered = "/interventies?doelgroep=nabestaanden&wijk=ijsselmonde";
    let mut problems = Vec::new();

    // The member looks for something for the bereaved in IJsselmonde: one, for the whole
    // city.
    let member = Browser::start().await;
    member.set_language(&site, "nl").await;
    member.sign_in(&site, karim).await;
    member.click_link("Interventies").await;
    assert_eq!(member.current_path().await, "/interventies");
    assert_eq!(member.text_of("main p.count").await, "32 interventies");
    choose(&member, "#wijk", "IJsselmonde").await;
    choose(&member, "#doelgroep", "Nabestaanden").await;
    member.click_button("Toon").await;
    let path = member.current_path().await;
    assert!(path.starts_with(filtered), "{path}");
    assert_eq!(member.text_of("main p.count").await, "1 interventie");
    member.assert_text("Rouwmaatje").await;

    // So the member proposes the one that is missing.
    member.click_link("Interventie voorstellen").await;
    assert_eq!(member.current_path().await, "/interventies/nieuw");
    member.fill("#name", name).await;
    choose(&member, "#organisation", "Humanitas").await;
    member
        .fill(
            "#description",
            "Elke eerste dinsdag van de maand een **rouwcafé** in de bibliotheek: koffie, \
             een verhaal en lotgenoten. Wie wil, praat; wie wil, luistert.",
        )
        .await;
    member.tick("Nabestaanden").await;
    member.tick("IJsselmonde").await;
    member
        .fill(
            "#referral",
            "1. Vertel over het rouwcafé en geef de datum mee.\n\
             2. Bel de coördinator; die belt de nabestaande zelf op.\n\
             3. Wie de eerste keer niet alleen wil komen, wordt opgehaald.",
        )
        .await;
    member
        .fill("#contact", "Humanitas IJsselmonde, 010-555 41 20")
        .await;
    member.fill("#cost", "€ 2 per keer").await;
    member.click_button("Voorstel insturen").await;
    let proposal = member.current_path().await;
    assert!(
        proposal.starts_with("/interventies/voorstellen/"),
        "on the proposal: {proposal}"
    );
    member.assert_text(&format!("Voorstel — {name}")).await;
    member.assert_text("wacht op besluit").await;
    member.assert_text("lotgenoten").await;
    let (seen, _) = member.page().await;
    assert!(!seen.contains("Publiceren"), "the member cannot publish");
    problems.extend(audit_everywhere(&member, &site, &proposal, "own proposal").await);
    member.open(&site, "/interventies/voorstellen").await;
    member
        .assert_text("Je eigen voorstellen, en wat ermee gebeurd is.")
        .await;
    member.assert_text(name).await;

    // Not yet in the catalogue: a visitor finds neither it nor its page.
    let visitor = Browser::start().await;
    visitor.set_language(&site, "nl").await;
    visitor.open(&site, "/interventies").await;
    assert_eq!(visitor.text_of("main p.count").await, "32 interventies");
    visitor.assert_absent(name).await;
    visitor.open(&site, filtered).await;
    visitor.assert_absent(name).await;
    visitor.open(&site, page).await;
    visitor.assert_text("Deze pagina bestaat niet").await;
    visitor.assert_absent(name).await;

    // The facilitator finds it among the proposals waiting and publishes it.
    let anouk = Browser::start().await;
    anouk.set_language(&site, "nl").await;
    anouk.sign_in(&site, &site.demo_member()).await;
    anouk.click_link("Interventies").await;
    anouk
        .click_link("3 voorstellen wachten op een besluit")
        .await;
    assert_eq!(anouk.current_path().await, "/interventies/voorstellen");
    anouk.assert_text("Wandelmaatjes Hoogvliet").await;
    anouk.click_link(name).await;
    assert_eq!(anouk.current_path().await, proposal);
    anouk.assert_text("De voorgestelde tekst").await;
    anouk
        .assert_text("Humanitas IJsselmonde, 010-555 41 20")
        .await;
    anouk.click_button("Publiceren").await;
    assert_eq!(anouk.current_path().await, page);
    anouk.assert_text("Zo verwijs je iemand door").await;

    // The member hears of it, with the link to its page.
    let told = site.mail_to(karim, published).await;
    assert!(told.text.contains(name), "{}", told.text);
    assert_eq!(told.path(&site.base, "/interventies/"), page);

    // Now the visitor finds it with the filters, and with the search in the header.
    visitor.click_link("Interventies").await;
    assert_eq!(visitor.text_of("main p.count").await, "33 interventies");
    choose(&visitor, "#wijk", "IJsselmonde").await;
    choose(&visitor, "#doelgroep", "Nabestaanden").await;
    visitor.click_button("Toon").await;
    assert_eq!(visitor.text_of("main p.count").await, "2 interventies");
    visitor.click_link(name).await;
    assert_eq!(visitor.current_path().await, page);
    visitor.assert_text("lotgenoten").await;
    visitor.assert_text("€ 2 per keer").await;
    visitor.open(&site, "/").await;
    visitor.fill("#site-search-q", "rouwcafé").await;
    visitor.press_enter().await;
    let path = visitor.current_path().await;
    assert!(path.starts_with("/zoeken?q="), "{path}");
    visitor
        .click(&format!("main li.result h3 a[href='{page}']"))
        .await;
    assert_eq!(visitor.current_path().await, page);

    // The member proposes a change: it is free now.
    member.open(&site, page).await;
    member.click_link("Wijziging voorstellen").await;
    assert_eq!(member.current_path().await, format!("{page}/wijzigen"));
    let cost = member
        .client()
        .find(fantoccini::Locator::Css("#cost"))
        .await
        .expect("the cost field")
        .prop("value")
        .await
        .expect("its value");
    assert_eq!(
        cost.as_deref(),
        Some("€ 2 per keer"),
        "the form holds the text"
    );
    member.fill("#cost", "Gratis").await;
    member
        .fill("#note", "De bibliotheek betaalt de koffie nu.")
        .await;
    member.click_button("Voorstel insturen").await;
    let change = member.current_path().await;
    assert!(
        change.starts_with("/interventies/voorstellen/") && change != proposal,
        "on the change: {change}"
    );
    member.assert_text("Wat verandert er").await;
    member.close().await;

    // The facilitator sees what changes, word by word, and publishes.
    anouk.click_link("Interventies").await;
    anouk
        .click_link("3 voorstellen wachten op een besluit")
        .await;
    anouk.click_link(name).await;
    assert_eq!(anouk.current_path().await, change);
    anouk
        .assert_text("De bibliotheek betaalt de koffie nu.")
        .await;
    let removed = texts_of(&anouk, "section[aria-labelledby=changes] .diff del").await;
    let added = texts_of(&anouk, "section[aria-labelledby=changes] .diff ins").await;
    assert!(removed.contains("2 per keer"), "struck through: {removed}");
    assert!(added.contains("Gratis"), "marked as new: {added}");
    assert!(
        !removed.contains("lotgenoten"),
        "only the change: {removed}"
    );
    anouk.click_button("Publiceren").await;
    assert_eq!(anouk.current_path().await, page);
    anouk.assert_text("Gratis").await;
    anouk.close().await;
    for _ in 0..100 {
        if site.mails_to(karim, published).len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(site.mails_to(karim, published).len(), 2, "told twice");

    // The visitor reads the new cost, and in the history both versions.
    visitor.open(&site, page).await;
    visitor.assert_text("Gratis").await;
    visitor.click_link("Geschiedenis").await;
    let history = format!("{page}/geschiedenis");
    assert_eq!(visitor.current_path().await, history);
    let versions = visitor
        .client()
        .execute(
            "return [...document.querySelectorAll('ol.versions > li')].map(li => li.innerText);",
            vec![],
        )
        .await
        .expect("the script runs");
    let versions: Vec<String> = versions
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(
        versions[0].starts_with("Nu zichtbaar") && versions[0].contains("Gratis"),
        "the newest first: {}",
        versions[0]
    );
    assert!(
        versions[0].contains("De bibliotheek betaalt de koffie nu."),
        "{}",
        versions[0]
    );
    assert!(
        versions[1].contains("€ 2 per keer") && !versions[1].contains("Nu zichtbaar"),
        "the first version: {}",
        versions[1]
    );
    for v in &versions {
        assert!(
            v.contains("Karim Peters") && v.contains("gepubliceerd"),
            "{v}"
        );
    }
    problems.extend(audit_everywhere(&visitor, &site, &history, "history of two versions").await);
    visitor.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Dutch and English: the browser's language is the first guess, the footer's switch keeps
/// the reader on the same page, and a member's choice follows them to another device.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn the_language_switch_keeps_the_page_and_follows_a_member() {
    let site = Site::start();

    // A browser set to English gets English from the first page on.
    let english = Browser::start_accepting("en-GB,en").await;
    english.open(&site, "/").await;
    english.assert_text("Learning practices").await;
    english.assert_present("html[lang=en]").await;
    english.close().await;

    // A Dutch visitor switches on a thread, stays on it, and switches back.
    let browser = Browser::start().await;
    let thread = browser.first_thread(&site, "/praktijken/zingeving").await;
    browser.open(&site, &thread).await;
    browser.assert_present("html[lang=nl]").await;
    browser.assert_text("Inloggen om te reageren.").await;
    browser.click_link("English").await;
    assert_eq!(browser.current_path().await, thread, "still on the thread");
    browser.assert_present("html[lang=en]").await;
    browser
        .assert_text("Sign in to reply. Not a member yet? Become a member")
        .await;
    browser.click_link("Follow us").await;
    browser.assert_text("Follow us by email").await;
    browser.click_link("Nederlands").await;
    assert_eq!(browser.current_path().await, "/volgen", "still on the page");
    browser.assert_present("html[lang=nl]").await;
    browser.assert_text("Volg ons per e-mail").await;

    // A member chooses English; signing in elsewhere later, the site is in English again.
    browser.sign_in(&site, &site.demo_member()).await;
    browser.click_link("English").await;
    browser.assert_text("My profile").await;
    browser.close().await;
    let elsewhere = Browser::start().await;
    elsewhere.open(&site, "/").await;
    elsewhere.assert_text("Lerende praktijken").await;
    elsewhere.sign_in(&site, &site.demo_member()).await;
    elsewhere.assert_present("html[lang=en]").await;
    elsewhere.assert_text("Notifications").await;
    elsewhere.close().await;
}

/// Audits one page in both languages at both sizes; leaves the browser on it, in Dutch on a
/// desktop.
async fn audit_everywhere(browser: &Browser, site: &Site, path: &str, name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for lang in ["nl", "en"] {
        browser.set_language(site, lang).await;
        for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
            browser.resize(w, h).await;
            browser.open(site, path).await;
            problems.extend(
                browser
                    .check(&format!("{name} ({lang}, {size})"), lang)
                    .await,
            );
        }
    }
    browser.set_language(site, "nl").await;
    browser.resize(DESKTOP.0, DESKTOP.1).await;
    browser.open(site, path).await;
    problems
}

/// On a shared computer: after a member signs out, the Back button does not bring a
/// members-only page back from the browser's memory.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn after_signing_out_back_does_not_show_members_only_pages() {
    let site = Site::start();
    let browser = Browser::start().await;
    browser.set_language(&site, "nl").await;
    browser.sign_in(&site, &site.demo_member()).await;
    browser.open(&site, "/praktijken/migranten").await;
    let members_only =
        "//li[.//*[normalize-space()='Alleen leden']]//a[starts-with(@href, '/onderwerpen/')]";
    let title = browser.text_at(members_only).await;
    browser.click_xpath(members_only).await;
    browser.assert_text(&title).await;
    browser.click_button("Uitloggen").await;
    browser.assert_text("Inloggen").await;
    browser.back().await;
    browser.assert_text("Deze pagina bestaat niet").await;
    browser.assert_absent(&title).await;
    browser.close().await;
}

/// On a phone, a member searches from the box in the header, finds inflected words marked
/// in the results, opens one, sees related threads under it, and — starting a thread of
/// her own — sees similar threads appear while she types the title.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_member_searches_from_the_header_on_a_phone_and_sees_similar_threads_while_typing() {
    let site = Site::start();
    let browser = Browser::start().await;
    browser.resize(PHONE.0, PHONE.1).await;
    browser.sign_in(&site, &site.demo_member()).await;
    browser.open(&site, "/").await;
    browser.fill("#site-search-q", "huisbezoeken").await;
    browser.press_enter().await;
    assert!(
        browser
            .current_path()
            .await
            .starts_with("/zoeken?q=huisbezoeken"),
        "{}",
        browser.current_path().await
    );
    browser.assert_text("resultaten").await;
    // "huisbezoek" in a title, marked in a snippet or not: the result is there, and the
    // page fits the phone's width.
    // Summaries come first on equal footing; the thread results follow.
    let marked = browser
        .text_of("main li.result h3 a[href^='/onderwerpen/']")
        .await;
    assert!(marked.to_lowercase().contains("huisbezoek"), "{marked}");
    assert!(
        browser.fits_width().await,
        "the results page scrolls sideways"
    );
    browser
        .click("main li.result h3 a[href^='/onderwerpen/']")
        .await;
    assert!(browser.current_path().await.starts_with("/onderwerpen/"));
    browser.assert_text("Gerelateerd").await;

    browser.open(&site, "/praktijken/migranten/nieuw").await;
    browser
        .fill("#title", "Huisbezoek bij eenzame ouderen")
        .await;
    browser.assert_text("Hier is al over gepraat").await;
    browser
        .assert_present("#similar-results a[href^='/onderwerpen/']")
        .await;
    browser.close().await;
}

/// Sets a field's value as its picker would (a date or time field takes keys in the order of
/// the browser's own locale, which is not the page's).
async fn set_value(browser: &Browser, selector: &str, value: &str) {
    let set = browser
        .client()
        .execute(
            "const f = document.querySelector(arguments[0]); f.value = arguments[1]; return f.value;",
            vec![serde_json::json!(selector), serde_json::json!(value)],
        )
        .await
        .expect("the script runs");
    assert_eq!(set, serde_json::json!(value), "{selector} took {value}");
}

/// The status, content type and text of a link on the page, fetched as the browser would.
async fn fetch_link(browser: &Browser, selector: &str) -> (u64, String, String) {
    let got = browser
        .client()
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            fetch(document.querySelector(arguments[0]).href)
              .then(r => r.text().then(t => done([r.status, r.headers.get('content-type'), t])))
              .catch(e => done([0, String(e), '']));"#,
            vec![serde_json::json!(selector)],
        )
        .await
        .expect("the link answers");
    (
        got[0].as_u64().unwrap_or_default(),
        got[1].as_str().unwrap_or_default().to_string(),
        got[2].as_str().unwrap_or_default().to_string(),
    )
}

/// Where the link the XPath `path` finds leads (its path on the site).
async fn href_of(browser: &Browser, path: &str) -> String {
    browser
        .client()
        .find(fantoccini::Locator::XPath(path))
        .await
        .unwrap_or_else(|e| panic!("no {path}: {e}"))
        .attr("href")
        .await
        .expect("its href")
        .unwrap_or_else(|| panic!("{path} has no href"))
}

/// The HTTP status of the page shown (as the browser's navigation timing has it).
async fn page_status(browser: &Browser) -> u64 {
    browser
        .client()
        .execute(
            "return performance.getEntriesByType('navigation')[0].responseStatus;",
            vec![],
        )
        .await
        .expect("the script runs")
        .as_u64()
        .expect("a status")
}

/// The text of every element `selector` (CSS) finds, joined.
async fn texts_of(browser: &Browser, selector: &str) -> String {
    browser
        .client()
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent).join('');",
            vec![serde_json::json!(selector)],
        )
        .await
        .expect("the script runs")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Chooses the option that reads `label` in the list `selector` finds, as a person would.
async fn choose(browser: &Browser, selector: &str, label: &str) {
    browser
        .client()
        .find(fantoccini::Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no {selector}: {e}"))
        .select_by_label(label)
        .await
        .unwrap_or_else(|e| panic!("no {label} in {selector}: {e}"));
}

/// Fills in the meeting form that is open (public, two weeks ahead) and saves it; returns
/// the new meeting's address.
async fn plan_meeting(
    browser: &Browser,
    title: &str,
    kind: &str,
    capacity: &str,
    place: &str,
    link: &str,
) -> String {
    let day = (chrono::Utc::now() + chrono::Duration::days(14))
        .format("%Y-%m-%d")
        .to_string();
    let when = (day.as_str(), "14:00", "16:00");
    plan_meeting_on(browser, title, kind, capacity, place, link, when).await
}

/// As [`plan_meeting`], on this day (`YYYY-MM-DD`) from this time until that (`HH:MM`).
async fn plan_meeting_on(
    browser: &Browser,
    title: &str,
    kind: &str,
    capacity: &str,
    place: &str,
    link: &str,
    (day, starts, ends): (&str, &str, &str),
) -> String {
    browser.fill("#title", title).await;
    set_value(browser, "#kind", kind).await;
    browser.click("#visibility-public").await;
    assert!(public_warning_shown(browser).await);
    browser.tick("Ik begrijp dat iedereen dit kan lezen").await;
    set_value(browser, "#date", day).await;
    set_value(browser, "#starts", starts).await;
    set_value(browser, "#ends", ends).await;
    browser.fill("#place", place).await;
    browser
        .fill("#accessibility", "Rolstoeltoegankelijk, met lift")
        .await;
    if !link.is_empty() {
        browser.fill("#online_link", link).await;
    }
    browser
        .fill(
            "#agenda",
            "We koken samen en praten over **eenzaamheid** in de wijk.",
        )
        .await;
    if !capacity.is_empty() {
        browser.fill("#capacity", capacity).await;
    }
    browser.click_button("Opslaan").await;
    browser.assert_text(title).await;
    let path = browser.current_path().await;
    assert!(
        path.starts_with("/bijeenkomsten/")
            && path["/bijeenkomsten/".len()..].parse::<i32>().is_ok(),
        "on the new meeting: {path}"
    );
    path
}

/// Meetings from planning to cancelling: a facilitator plans a public meeting with one
/// place and an online link through the form; one member takes the place, another joins
/// the waiting list and moves up (and is told by mail) when the first cancels; only someone
/// with a place sees the link; a visitor registers with a confirmed address and lands on the
/// waiting list; the facilitator cancels and everyone still coming is told. The pages are
/// audited in both languages and sizes, and the README's screenshots are taken on the way.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn meetings_are_planned_joined_moved_up_and_cancelled_in_the_browser() {
    let site = Site::start();
    let practice = "/praktijken/migranten";
    let title = "Samen koken tegen eenzaamheid";
    let link = "https://meet.example.org/erbij-samen-koken";
    let (bram, fatima) = ("bram.jansen@demo.erbij.nl", "fatima.meijer@demo.erbij.nl");
    let guest = "joke.bakker@voorbeeld.nl";
    let mut problems = Vec::new();

    // The facilitator of Migranten finds the practice's meetings and plans one.
    let anouk = Browser::start().await;
    anouk.set_language(&site, "nl").await;
    anouk.sign_in(&site, &site.demo_member()).await;
    anouk.open(&site, practice).await;
    anouk.assert_text("Binnenkort").await;
    anouk.click_link("Alle bijeenkomsten").await;
    assert_eq!(
        anouk.current_path().await,
        format!("{practice}/bijeenkomsten")
    );
    anouk.click_link("Bijeenkomst plannen").await;
    let new = format!("{practice}/bijeenkomsten/nieuw");
    assert_eq!(anouk.current_path().await, new);
    problems.extend(audit_everywhere(&anouk, &site, &new, "meeting form").await);
    // Sent empty, every problem is tied to its field.
    anouk.click_button("Opslaan").await;
    anouk.assert_present(".error-summary").await;
    problems.extend(
        anouk
            .check("meeting form with errors (nl, desktop)", "nl")
            .await,
    );
    anouk.assert_errors_described().await;
    anouk.open(&site, &new).await;
    let meeting = plan_meeting(
        &anouk,
        title,
        "knowledge",
        "1",
        "Wijkcentrum De Larenkamp, Larenkamp 2, Rotterdam",
        link,
    )
    .await;
    anouk.assert_text("0 van de 1 plaatsen bezet").await;
    anouk.assert_present(&format!("a[href='{link}']")).await;
    // A second one, so the lists show more than one.
    anouk.open(&site, &new).await;
    plan_meeting(
        &anouk,
        "Training: het eerste huisbezoek",
        "training",
        "",
        "Buurthuis Het Klooster, Rotterdam",
        "",
    )
    .await;
    problems.extend(
        audit_everywhere(
            &anouk,
            &site,
            &format!("{practice}/bijeenkomsten"),
            "practice meetings",
        )
        .await,
    );
    problems.extend(audit_everywhere(&anouk, &site, &meeting, "meeting, organiser").await);

    // Bram takes the only place.
    let a = Browser::start().await;
    a.set_language(&site, "nl").await;
    a.sign_in(&site, bram).await;
    a.open(&site, &meeting).await;
    a.click_button("Aanmelden").await;
    a.assert_text("Je bent aangemeld.").await;
    a.assert_present(&format!("a[href='{link}']")).await;

    // Fatima finds it full and joins the waiting list; she does not get the link.
    let b = Browser::start().await;
    b.set_language(&site, "nl").await;
    b.sign_in(&site, fatima).await;
    b.open(&site, &format!("{practice}/bijeenkomsten")).await;
    let card = format!("//li[contains(@class, 'meeting')][.//a[normalize-space()='{title}']]");
    let listed = b.text_at(&card).await;
    assert!(listed.contains("vol"), "shown as full: {listed}");
    b.open(&site, &meeting).await;
    b.assert_text("Alle plaatsen zijn bezet.").await;
    b.click_button("Op de wachtlijst").await;
    b.assert_text("Je staat op de wachtlijst.").await;
    b.assert_text("Je krijgt de link als je bent aangemeld.")
        .await;
    b.assert_absent(link).await;

    // Bram cancels: the place goes to Fatima, who is told by mail.
    a.click_button("Afmelden").await;
    a.assert_text("Alle plaatsen zijn bezet.").await;
    a.assert_absent(link).await;
    a.close().await;
    let moved = site.mail_to(fatima, "Er is een plaats vrij").await;
    assert!(
        moved.subject.starts_with("Er is een plaats vrij"),
        "{}",
        moved.subject
    );
    assert!(moved.subject.contains(title), "{}", moved.subject);
    b.open(&site, &meeting).await;
    b.assert_text("Je bent aangemeld.").await;
    b.assert_present(&format!("dl.meeting-facts a[href='{link}']"))
        .await;
    // Her calendar file is a calendar, with the link in it.
    let (status, kind, ics) = fetch_link(&b, "section.join a[href$='/agenda.ics']").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
    assert!(ics.contains(&format!("SUMMARY:{title}")), "{ics}");
    assert!(ics.contains(link), "the link is in her file:\n{ics}");
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        b.resize(w, h).await;
        b.open(&site, &meeting).await;
        assert!(b.fits_width().await, "the meeting fits a {size}");
        b.screenshot(&format!("meeting-{size}")).await;
    }
    problems.extend(audit_everywhere(&b, &site, &meeting, "meeting, registered").await);

    // A visitor sees the public meeting but not its link, also not in the calendar file.
    let visitor = Browser::start().await;
    visitor.set_language(&site, "nl").await;
    visitor.open(&site, "/bijeenkomsten").await;
    visitor.assert_text(title).await;
    visitor.assert_text("Training: het eerste huisbezoek").await;
    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        visitor.resize(w, h).await;
        visitor.open(&site, "/bijeenkomsten").await;
        assert!(visitor.fits_width().await, "the meetings fit a {size}");
        visitor.screenshot(&format!("meetings-{size}")).await;
    }
    problems
        .extend(audit_everywhere(&visitor, &site, "/bijeenkomsten", "community meetings").await);
    problems.extend(audit_everywhere(&visitor, &site, &meeting, "meeting, visitor").await);
    visitor.open(&site, &meeting).await;
    visitor
        .assert_text("Je krijgt de link als je bent aangemeld.")
        .await;
    visitor.assert_absent(link).await;
    let (status, kind, ics) = fetch_link(&visitor, "section.join a[href$='/agenda.ics']").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/calendar"), "{kind}");
    assert!(!ics.contains(link), "the link is not in a visitor's file");

    // The visitor registers with name, organisation and address, and confirms from the mail:
    // the meeting is full, so to the waiting list.
    visitor.assert_text("Alle plaatsen zijn bezet.").await;
    visitor.fill("#name", "Joke Bakker").await;
    visitor.fill("#organisation", "Buurtzorg Kralingen").await;
    visitor.fill("#email", guest).await;
    visitor.click_button("Aanmelden").await;
    visitor.assert_text("Kijk in je mail").await;
    let confirm = site.mail_to(guest, "Bevestig je aanmelding").await;
    assert!(confirm.text.contains(title), "{}", confirm.text);
    visitor
        .goto(&confirm.link(&site.base, "/bijeenkomsten/bevestigen/"))
        .await;
    visitor.click_button("Ja, ik meld me aan").await;
    let own = visitor.current_path().await;
    assert!(
        own.starts_with("/bijeenkomsten/inschrijving/"),
        "on her own registration: {own}"
    );
    visitor.assert_text("Je staat op de wachtlijst.").await;
    visitor.assert_text("Buurtzorg Kralingen").await;
    visitor.assert_absent(link).await;
    problems.extend(audit_everywhere(&visitor, &site, &own, "own registration").await);

    // The facilitator cancels, after a question; whoever was coming or waiting is told.
    anouk.open(&site, &meeting).await;
    anouk.click_link("Bijeenkomst afzeggen").await;
    anouk.assert_text("Weet je het zeker?").await;
    anouk.click_button("Ja, zeg de bijeenkomst af").await;
    assert_eq!(anouk.current_path().await, meeting);
    anouk.assert_text("Deze bijeenkomst gaat niet door.").await;
    let gone = site
        .mail_to(fatima, &format!("Gaat niet door: {title}"))
        .await;
    assert!(gone.text.contains("gaat niet door"), "{}", gone.text);
    site.mail_to(guest, &format!("Gaat niet door: {title}"))
        .await;
    anouk
        .open(&site, &format!("{practice}/bijeenkomsten"))
        .await;
    let cancelled = anouk
        .text_at(&format!(
            "//li[contains(@class, 'cancelled')][.//a[normalize-space()='{title}']]"
        ))
        .await;
    assert!(cancelled.contains("Gaat niet door"), "{cancelled}");
    anouk.close().await;
    b.open(&site, &meeting).await;
    b.assert_text("Deze bijeenkomst gaat niet door.").await;
    b.close().await;
    visitor.goto(&format!("{}{own}", site.base)).await;
    visitor
        .assert_text("Deze bijeenkomst gaat niet door.")
        .await;
    visitor.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A meeting about twenty hours from now (so within the reminder's day), as the form takes
/// it in Amsterdam time: its start in UTC, and the day, start and end to type. It lasts an
/// hour and ends the same day whatever the hour now: a start after 22:00 becomes 21:00 that
/// day (then it is two to four in the night now, so still most of a day ahead), and a start
/// in the hour skipped when summer time begins moves an hour on.
fn about_twenty_hours_ahead() -> (chrono::DateTime<chrono::Utc>, String, String, String) {
    use chrono::{Duration, NaiveTime, Timelike};
    let now = chrono::Utc::now();
    let at = (now + Duration::hours(20))
        .with_timezone(&chrono_tz::Europe::Amsterdam)
        .naive_local();
    let day = at.date();
    let mut start = NaiveTime::from_hms_opt(at.hour(), at.minute() / 5 * 5, 0).expect("a time");
    if start > NaiveTime::from_hms_opt(22, 0, 0).expect("a time") {
        start = NaiveTime::from_hms_opt(21, 0, 0).expect("a time");
    }
    let starts_at = match erbij::meetings::from_local(day, start) {
        Some(at) => at,
        None => {
            start += Duration::hours(1);
            erbij::meetings::from_local(day, start).expect("a time that exists")
        }
    };
    assert!(
        starts_at > now + Duration::hours(2) && starts_at <= now + Duration::hours(23),
        "{starts_at} is not within a day from {now}"
    );
    let end = start + Duration::hours(1);
    assert!(end > start, "ends the same day");
    (
        starts_at,
        day.format("%Y-%m-%d").to_string(),
        start.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
    )
}

/// The end of the flow, in the browser and in mail: a member coming tomorrow is reminded
/// once (however often the mail job looks), and the facilitator writes the report of a
/// meeting held a few days ago, which the meeting and the report thread then link both ways.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_reminder_goes_once_and_the_report_of_a_held_meeting_is_linked_both_ways() {
    let site = Site::start();
    let practice = "/praktijken/migranten";
    let title = "Buurtlunch voor nieuwe Rotterdammers";
    // "Morgen: …", or "Vandaag: …" when twenty hours ahead is still today (a night run).
    let subject = title.to_string();
    let (bram, fatima) = ("bram.jansen@demo.erbij.nl", "fatima.meijer@demo.erbij.nl");
    let mut problems = Vec::new();

    // The facilitator of Migranten plans a meeting for tomorrow, about twenty hours ahead.
    let (starts_at, day, starts, ends) = about_twenty_hours_ahead();
    let anouk = Browser::start().await;
    anouk.set_language(&site, "nl").await;
    anouk.sign_in(&site, &site.demo_member()).await;
    anouk
        .open(&site, &format!("{practice}/bijeenkomsten/nieuw"))
        .await;
    let meeting = plan_meeting_on(
        &anouk,
        title,
        "knowledge",
        "",
        "Huis van de Wijk De Lantaarn, Schiedamseweg 87, Rotterdam",
        "",
        (&day, &starts, &ends),
    )
    .await;

    // Bram registers in his browser; the mail job, woken, reminds him at once.
    let b = Browser::start().await;
    b.set_language(&site, "nl").await;
    b.sign_in(&site, bram).await;
    b.open(&site, &meeting).await;
    b.click_button("Aanmelden").await;
    b.assert_text("Je bent aangemeld.").await;
    b.close().await;
    let reminder = site.mail_to(bram, &subject).await;
    let amsterdam = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Europe::Amsterdam).date_naive()
    };
    let word = if amsterdam(starts_at) == amsterdam(chrono::Utc::now()) {
        "Vandaag"
    } else {
        "Morgen"
    };
    assert_eq!(reminder.subject, format!("{word}: {title}"));
    let date = erbij::meetings::views::long_date(erbij::i18n::Lang::Nl, starts_at);
    assert!(
        reminder.text.contains(&format!("{date}, {starts}–{ends}")),
        "weekday, date and hours in Dutch ({date}):\n{}",
        reminder.text
    );
    assert!(reminder.text.contains(&meeting), "{}", reminder.text);

    // Fatima registers too, which wakes the job again: her reminder comes, Bram's does not
    // come a second time.
    let f = Browser::start().await;
    f.set_language(&site, "nl").await;
    f.sign_in(&site, fatima).await;
    f.open(&site, &meeting).await;
    f.click_button("Aanmelden").await;
    f.assert_text("Je bent aangemeld.").await;
    f.close().await;
    site.mail_to(fatima, &subject).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        site.mails_to(bram, &subject).len(),
        1,
        "Bram is reminded once"
    );
    assert_eq!(site.mails_to(fatima, &subject).len(), 1);
    assert!(
        site.mails_to(&site.demo_member(), &subject).is_empty(),
        "an organiser without a place is not reminded"
    );

    // The meeting held a few days ago waits for its report among the earlier ones.
    let recent = erbij::demo::RECENT_MEETING;
    anouk
        .open(&site, &format!("{practice}/bijeenkomsten"))
        .await;
    anouk
        .click_xpath(&format!(
            "//section[h2[normalize-space()='Eerdere bijeenkomsten']]\
             //a[normalize-space()='{recent}']"
        ))
        .await;
    let held = anouk.current_path().await;
    assert!(
        held.starts_with("/bijeenkomsten/"),
        "on the meeting: {held}"
    );
    anouk.assert_text("Deze bijeenkomst is geweest.").await;
    anouk.click_link("Verslag schrijven").await;
    let form = format!("{held}/verslag");
    assert_eq!(anouk.current_path().await, form);
    problems.extend(audit_everywhere(&anouk, &site, &form, "report form").await);
    let report_title = format!("Verslag: {recent}");
    let filled = anouk
        .client()
        .find(fantoccini::Locator::Css("#title"))
        .await
        .expect("the title field")
        .prop("value")
        .await
        .expect("its value");
    assert_eq!(filled.as_deref(), Some(report_title.as_str()));
    anouk
        .fill(
            "#body",
            "## Wat we bespraken\n\nDe eerste huisbezoeken met een sleutelfiguur gingen \
             goed: de deur ging sneller open.\n\n- Spreek vooraf samen af wie wat vraagt.",
        )
        .await;
    anouk.click_button("Verslag plaatsen").await;
    let thread = anouk.current_path().await;
    assert!(
        thread.starts_with("/onderwerpen/"),
        "on the report: {thread}"
    );
    anouk.assert_text(&report_title).await;
    anouk.assert_text("Wat we bespraken").await;
    let back = anouk.text_of("p.report-of").await;
    assert!(
        back.starts_with("Verslag van de bijeenkomst") && back.contains(recent),
        "{back}"
    );
    anouk.click("p.report-of a").await;
    assert_eq!(anouk.current_path().await, held);
    let linked = anouk.text_at("//section[@id='verslag']//a").await;
    assert_eq!(linked, report_title);
    anouk.assert_absent("Verslag schrijven").await;
    problems.extend(
        anouk
            .check("meeting with its report (nl, desktop)", "nl")
            .await,
    );
    anouk.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
