//! Erbij in a real browser: Debian's Chromium driven through WebDriver (chromedriver and
//! fantoccini) against the real `erbij` binary on a loopback port with a fresh database.
//!
//! These tests need `/usr/bin/chromium` and `/usr/bin/chromedriver`, so they are ignored by
//! a plain `cargo test`; `.ci/run` installs both and runs them with
//! `cargo test --test browser -- --ignored`.
//!
//! The accessibility audit injects axe-core (vendored: `tests/browser/axe.min.js`, MPL-2.0)
//! into every kind of page, in Dutch and English, at 360×740 and 1280×800.

mod harness;

use fantoccini::Locator;

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

    let visitor_pages: Vec<(&str, String)> = vec![
        ("home", "/".into()),
        ("practices", "/praktijken".into()),
        ("practice", practice.into()),
        ("thread", thread.clone()),
        ("summaries", "/kennisbundels".into()),
        ("subscribe", "/volgen".into()),
        ("apply", "/word-lid".into()),
        ("sign-in", "/inloggen".into()),
        ("not-found", "/bestaat-niet".into()),
    ];
    // The audit can fail: a page with an unlabelled image and a tiny button is caught.
    browser
        .show_html(
            r#"<html><body><img src="x.png"><button style="height:10px">x</button></body></html>"#,
        )
        .await;
    let caught = browser.check("self-check", "nl").await.join("\n");
    for rule in [
        "image-alt",
        "html-has-lang",
        "h1 count 0",
        "small tap target",
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
                ("profile", "/profiel".into()),
                ("mail settings", "/profiel/email".into()),
                ("new thread", "/praktijken/migranten/nieuw".into()),
                ("thread as member", thread.clone()),
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
        ("outbox", "/beheer/post"),
        ("flags", "/beheer/signaleringen"),
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
/// with one click — and the screenshots of the README are taken on the way.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_visitor_follows_by_email_and_the_readme_screenshots_are_taken() {
    let site = Site::start();
    let browser = Browser::start().await;
    let thread = browser.first_thread(&site, "/praktijken/zingeving").await;
    browser.set_language(&site, "nl").await;

    for (size, (w, h)) in [("phone", PHONE), ("desktop", DESKTOP)] {
        browser.resize(w, h).await;
        browser.open(&site, "/").await;
        browser.screenshot(&format!("home-{size}")).await;
        browser.open(&site, &thread.clone()).await;
        browser.screenshot(&format!("thread-{size}")).await;
        browser.open(&site, "/volgen").await;
        browser.screenshot(&format!("subscribe-{size}")).await;
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
        let wide: serde_json::Value = browser
            .client()
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(wide, serde_json::json!(true), "the digest fits a {size}");
        browser.screenshot(&format!("digest-{size}")).await;
    }

    // Stop, from the page the one-click link opens: a button, never a GET.
    let stop = mail.link(&site.base, "/volgen/uitschrijven/");
    browser.goto(&stop).await;
    browser.assert_text("Stoppen").await;
    browser.click("main form button").await;
    browser.assert_text("Je bent afgemeld").await;
    browser.close().await;
}

/// Signing in and starting a thread with the keyboard alone: Tab to move, typing, Enter to
/// send, Space to tick.
#[tokio::test]
#[ignore = "needs Chromium and chromedriver (run by .ci/run)"]
async fn a_member_signs_in_and_posts_with_the_keyboard_only() {
    let site = Site::start();
    let browser = Browser::start().await;
    browser.set_language(&site, "nl").await;
    browser.resize(DESKTOP.0, DESKTOP.1).await;
    browser.open(&site, "/inloggen").await;
    // From the top of the page: the skip link first, then on to the e-mail field.
    browser.tab_until("#email").await;
    browser.type_keys(&site.demo_member()).await;
    browser.tab_until("#password").await;
    browser.type_keys(harness::DEMO_PASSWORD).await;
    browser.press_enter().await;
    browser.assert_text("Uitloggen").await;

    browser.open(&site, "/praktijken/migranten/nieuw").await;
    browser.tab_until("#title").await;
    browser.type_keys("Met het toetsenbord geschreven").await;
    browser.tab_until("#body").await;
    browser
        .type_keys("Dit onderwerp is zonder muis gestart.")
        .await;
    browser.tab_until("button[value=post]").await;
    browser.press_enter().await;
    browser.assert_text("Met het toetsenbord geschreven").await;
    browser.close().await;

    // Then with the mouse, previewing first. The site ships no script at all (every audited
    // page is checked for it and the CSP forbids it), so these are the no-JavaScript
    // journeys too. (chromedriver cannot drive a Chromium with script switched off: its own
    // element commands run as script in the page.)
    let plain = Browser::start().await;
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
    let _ = plain
        .client()
        .find(Locator::Css("article"))
        .await
        .expect("the new thread shows its post");
    plain.close().await;
}
