//! The site (the real binary, a fresh data folder, the demo content) and the browser
//! (chromedriver + Debian's Chromium, headless, with flags that suit a closed network).

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::mail::Mail;

pub const PHONE: (u32, u32) = (360, 740);
pub const DESKTOP: (u32, u32) = (1280, 800);
pub const DEMO_PASSWORD: &str = "demo-wachtwoord-erbij";
const AXE: &str = include_str!("axe.min.js");
pub const ADMIN: &str = "beheer@erbij.test";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The real server on a loopback port, with the demo content and an administrator.
pub struct Site {
    pub base: String,
    dir: TempDir,
    server: Child,
    admin_link: String,
}

impl Site {
    pub fn start() -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut site = Site {
            base,
            dir,
            server: Command::new("true").spawn().expect("placeholder"),
            admin_link: String::new(),
        };
        site.run(&["seed", "demo"]);
        let out = site.run(&["admin", "create", "--email", ADMIN, "--name", "Beheerder"]);
        site.admin_link = out
            .split_whitespace()
            .find(|w| w.contains("/wachtwoord-instellen/"))
            .expect("a set-password link")
            .to_string();
        let log = std::fs::File::create(site.log_path()).expect("a log file");
        site.server = site
            .command(&["serve"])
            .env("ERBIJ_BIND", format!("127.0.0.1:{port}"))
            .stdout(log.try_clone().expect("the log file"))
            .stderr(log)
            .spawn()
            .expect("the server starts");
        wait_for_port(port, "erbij");
        site
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_erbij"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("SMTP_URL")
            .env("ERBIJ_DATA_DIR", self.dir.path().join("data"))
            .env("ERBIJ_BASE_URL", &self.base)
            .env("ERBIJ_MAIL_PER_SECOND", "0");
        command
    }

    /// Runs a command-line task against the same data; returns what it printed.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("erbij runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "erbij {args:?} failed:\n{text}");
        text
    }

    pub fn demo_member(&self) -> String {
        "anouk.de-vries@demo.erbij.nl".into()
    }

    /// The demo makes every tenth person from the fourth an expert: Daan Visser first.
    pub fn demo_expert(&self) -> String {
        "daan.visser@demo.erbij.nl".into()
    }

    fn mails(&self) -> Vec<Mail> {
        Mail::read_outbox(&self.dir.path().join("data").join("outbox"))
    }

    /// The mails sent to `to` so far whose subject holds `subject` (without waiting).
    pub fn mails_to(&self, to: &str, subject: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.to == to && m.subject.contains(subject))
            .collect()
    }

    pub async fn try_mail_to(&self, to: &str, subject: &str) -> Option<Mail> {
        for _ in 0..200 {
            if let Some(m) = self
                .mails()
                .into_iter()
                .find(|m| m.to == to && m.subject.contains(subject))
            {
                return Some(m);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    pub async fn mail_to(&self, to: &str, subject: &str) -> Mail {
        self.try_mail_to(to, subject)
            .await
            .unwrap_or_else(|| panic!("no mail to {to} about {subject}"))
    }
}

impl Drop for Site {
    /// Stops the server; when the test failed, shows what the server logged and keeps its
    /// data folder to look into.
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
            eprintln!("--- the server's log ---\n{log}");
            self.dir.disable_cleanup(true);
            eprintln!("(its data stays in {})", self.dir.path().display());
        }
    }
}

/// A headless Chromium session through chromedriver.
pub struct Browser {
    client: Client,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// A browser that asks for Dutch pages, as most of our visitors' browsers do.
    pub async fn start() -> Browser {
        Browser::start_accepting("nl").await
    }

    /// A browser whose language setting (`Accept-Language`) is `languages`.
    pub async fn start_accepting(languages: &str) -> Browser {
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (apt install chromium-driver)");
        wait_for_port(port, "chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let prefs = json!({ "intl.accept_languages": languages });
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,800",
                ],
                "prefs": prefs,
            }
        });
        let Value::Object(caps) = caps else {
            unreachable!("a JSON object")
        };
        // fantoccini's client speaks rustls; more than one crypto backend is compiled in,
        // so name one (the WebDriver itself is plain HTTP on loopback).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("TLS roots")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a browser session");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn close(self) {
        let Browser {
            client, mut driver, ..
        } = self;
        let _ = client.close().await;
        let _ = driver.kill();
        let _ = driver.wait();
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn open(&self, site: &Site, path: &str) {
        self.goto(&format!("{}{path}", site.base)).await;
    }

    /// Clicks what `selector` finds (CSS).
    pub async fn click(&self, selector: &str) {
        self.activate(Locator::Css(selector), selector).await;
    }

    /// Clicks the link that reads `text`, as a person picks it out.
    pub async fn click_link(&self, text: &str) {
        let path = format!("//a[normalize-space()='{text}']");
        self.activate(Locator::XPath(&path), text).await;
    }

    /// Clicks the button that reads `text`.
    pub async fn click_button(&self, text: &str) {
        let path = format!("//button[normalize-space()='{text}']");
        self.activate(Locator::XPath(&path), text).await;
    }

    /// Clicks what the XPath `path` finds.
    pub async fn click_xpath(&self, path: &str) {
        self.activate(Locator::XPath(path), path).await;
    }

    /// The browser's Back button; waits for the page it shows.
    pub async fn back(&self) {
        self.mark_page().await;
        self.client.back().await.expect("back");
        self.wait_for_new_page("Back").await;
    }

    /// Ticks (or unticks) the checkbox or radio button labelled `label`, by its label.
    pub async fn tick(&self, label: &str) {
        let path = format!("//label[normalize-space()='{label}']");
        self.activate(Locator::XPath(&path), label).await;
    }

    /// Clicks the control that reads `text` (a button, a link or a disclosure) inside the
    /// innermost card or post that shows `near`.
    pub async fn click_near(&self, near: &str, text: &str) {
        let path = format!(
            "//article[contains(., '{near}') and not(.//article[contains(., '{near}')])]\
             //*[self::button or self::a or self::summary][normalize-space()='{text}']"
        );
        self.activate(Locator::XPath(&path), &format!("{text} near {near}"))
            .await;
    }

    /// A button submits its form and a link leaves the page, so then this waits for the
    /// next page to load (otherwise the next step could race the navigation).
    async fn activate(&self, locator: Locator<'_>, what: &str) {
        let element = match self.visible(locator).await {
            Some(element) => element,
            None => {
                // On a phone the site's links are in the folded menu: open it, as a person
                // would, and look again.
                if let Ok(menu) = self
                    .client
                    .find(Locator::Css("details.menu:not([open]) > summary"))
                    .await
                    && menu.is_displayed().await.unwrap_or(false)
                {
                    menu.click().await.expect("open the menu");
                }
                self.visible(locator)
                    .await
                    .unwrap_or_else(|| panic!("no visible {what}"))
            }
        };
        let navigates = match element.tag_name().await.as_deref() {
            Ok("button") => true,
            Ok("a") => element
                .attr("href")
                .await
                .ok()
                .flatten()
                .is_some_and(|h| !h.starts_with('#')),
            _ => false,
        };
        if navigates {
            self.mark_page().await;
        }
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {what}: {e}"));
        if navigates {
            self.wait_for_new_page(what).await;
        }
    }

    /// The first element `locator` finds that a person can see (the same link may be in the
    /// wide navigation and in the phone's menu; only one of them shows).
    async fn visible(&self, locator: Locator<'_>) -> Option<fantoccini::elements::Element> {
        let found = self.client.find_all(locator).await.ok()?;
        for element in found {
            if element.is_displayed().await.unwrap_or(false) {
                return Some(element);
            }
        }
        None
    }

    /// Chooses a file for a file field, as the file chooser would.
    pub async fn attach(&self, selector: &str, file: &std::path::Path) {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .send_keys(&file.display().to_string())
            .await
            .expect("choose the file");
    }

    /// The text of the first element `selector` (CSS) finds.
    /// Whether the page fits the window's width (nothing scrolls sideways).
    pub async fn fits_width(&self) -> bool {
        self.client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1;",
                vec![],
            )
            .await
            .expect("script")
            == serde_json::Value::Bool(true)
    }

    pub async fn text_of(&self, selector: &str) -> String {
        self.text(Locator::Css(selector), selector).await
    }

    /// The text of the first element the XPath `path` finds.
    pub async fn text_at(&self, path: &str) -> String {
        self.text(Locator::XPath(path), path).await
    }

    async fn text(&self, locator: Locator<'_>, what: &str) -> String {
        self.client
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("no {what}: {e}"))
            .text()
            .await
            .expect("its text")
    }

    /// What the page says, and the HTML behind it.
    pub async fn page(&self) -> (String, String) {
        let text = self.text_of("body").await;
        let html = self.client.source().await.expect("the page source");
        (text, html)
    }

    /// Neither on the page nor anywhere in its HTML (titles, attributes, metadata).
    pub async fn assert_absent(&self, text: &str) {
        let (seen, html) = self.page().await;
        assert!(!seen.contains(text), "{text:?} is shown:\n{seen}");
        assert!(!html.contains(text), "{text:?} is in the HTML:\n{html}");
    }

    pub async fn current_path(&self) -> String {
        let url = self.client.current_url().await.expect("an address");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Marks the page shown, so that `wait_for_new_page` can tell when another replaced it.
    async fn mark_page(&self) {
        self.client
            .execute("window.__erbijOld = true;", vec![])
            .await
            .expect("mark the page");
    }

    async fn wait_for_new_page(&self, after: &str) {
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return !window.__erbijOld && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page after clicking {after}");
    }

    /// Presses Enter on the focused link or control and waits for the page it leads to.
    pub async fn press_enter(&self) {
        self.press_for_new_page(Key::Enter.into(), "Enter").await;
    }

    /// Presses a key in a field (an arrow or Enter in a list of suggestions), staying on the
    /// page.
    pub async fn press_key_in(&self, selector: &str, key: Key) {
        let field = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"));
        field
            .send_keys(&char::from(key).to_string())
            .await
            .expect("key press");
    }

    /// Presses Space on the focused button and waits for the page it submits to.
    pub async fn press_space(&self) {
        self.press_for_new_page(' ', "Space").await;
    }

    async fn press_for_new_page(&self, key: char, name: &str) {
        self.mark_page().await;
        self.press(key).await;
        self.wait_for_new_page(name).await;
    }

    pub async fn fill(&self, selector: &str, text: &str) {
        let field = self
            .client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"));
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Waits (up to ten seconds: a click may still be loading the next page) for `text`.
    pub async fn assert_text(&self, text: &str) {
        let mut body = String::new();
        for _ in 0..100 {
            if let Ok(element) = self.client.find(Locator::Css("body")).await
                && let Ok(seen) = element.text().await
            {
                if seen.contains(text) {
                    return;
                }
                body = seen;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {text:?} on the page:\n{body}");
    }

    /// The footer's language buttons, as a person would use them.
    pub async fn set_language(&self, site: &Site, lang: &str) {
        self.open(site, "/").await;
        self.click(&format!(".lang-switch a[lang={lang}]")).await;
    }

    pub async fn sign_in(&self, site: &Site, email: &str) {
        self.sign_in_with(site, email, DEMO_PASSWORD).await;
    }

    pub async fn sign_in_with(&self, site: &Site, email: &str, password: &str) {
        self.open(site, "/inloggen").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.click("main form button.primary").await;
        self.assert_present("form[action='/uitloggen']").await;
    }

    /// Waits (up to ten seconds) for an element.
    pub async fn assert_present(&self, selector: &str) {
        for _ in 0..100 {
            if self.client.find(Locator::Css(selector)).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no {selector} on the page");
    }

    pub async fn sign_out(&self, site: &Site) {
        self.open(site, "/").await;
        self.click("header form button.linklike").await;
    }

    /// Opens the administrator's set-password link and chooses a password.
    pub async fn become_admin(&self, site: &Site) {
        self.goto(&site.admin_link).await;
        self.fill("#password", "lantaarn-fiets-Kralingen-42").await;
        self.fill("#password_confirm", "lantaarn-fiets-Kralingen-42")
            .await;
        self.click("main form button.primary").await;
    }

    /// Presses Tab until `selector` has the focus; every control passed on the way must show
    /// that it has the focus (an outline or a shadow that is not there without it).
    pub async fn tab_until(&self, selector: &str) {
        for _ in 0..60 {
            let focused: Value = self
                .client
                .execute(
                    r#"const el = document.activeElement;
                    if (!el || el === document.body) return [false, true, ''];
                    const style = getComputedStyle(el);
                    const shown = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
                        || style.boxShadow !== 'none';
                    return [el.matches(arguments[0]), shown, el.outerHTML.slice(0, 120)];"#,
                    vec![json!(selector)],
                )
                .await
                .expect("script");
            assert_eq!(
                focused[1],
                json!(true),
                "no visible focus on {}",
                focused[2]
            );
            if focused[0] == json!(true) {
                return;
            }
            self.press(Key::Tab.into()).await;
        }
        panic!("Tab never reached {selector}");
    }

    /// Keys as a keyboard sends them, to whatever has the focus.
    pub async fn type_keys(&self, text: &str) {
        for c in text.chars() {
            self.press(c).await;
        }
    }

    async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.expect("key press");
    }

    /// Shows a mail's HTML part as a page.
    pub async fn show_html(&self, html: &str) {
        let path = self._profile.path().join("mail.html");
        std::fs::write(&path, html).expect("write the mail");
        self.goto(&format!("file://{}", path.display())).await;
    }

    /// The first thread listed on a practice page.
    pub async fn first_thread(&self, site: &Site, practice: &str) -> String {
        self.open(site, practice).await;
        self.client
            .find(Locator::Css("main a[href^='/onderwerpen/']"))
            .await
            .expect("a thread link")
            .attr("href")
            .await
            .expect("href")
            .expect("an address")
    }

    /// Saves the viewport as `assets/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("assets/screenshots")
            .join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
    }

    /// Every field marked invalid points at its error text.
    pub async fn assert_errors_described(&self) {
        let bad: Value = self
            .client
            .execute(
                r#"return [...document.querySelectorAll('[aria-invalid="true"]')]
                    .filter(f => !(f.getAttribute('aria-describedby') || '').split(' ')
                        .some(id => document.getElementById(id)?.classList.contains('field-error')))
                    .map(f => f.id || f.name);"#,
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(bad, json!([]), "fields without their error text");
    }

    /// axe-core (WCAG 2.0/2.1 A and AA) and our own rules: one h1, the page's language,
    /// landmarks, no script, a phone viewport that allows zooming, body text of 16 px and
    /// nothing under 14 px, no sideways scrolling, tap targets of 44 px. Returns what is
    /// wrong.
    pub async fn check(&self, label: &str, lang: &str) -> Vec<String> {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe loads");
        let violations: Value = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                  .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' — ' +
                      v.nodes.map(n => n.target.join(' ')).join(', '))))
                  .catch(e => done(['axe failed: ' + e]));"#,
                vec![],
            )
            .await
            .expect("axe runs");
        let ours: Value = self
            .client
            .execute(
                r#"const lang = arguments[0], out = [];
                const h1 = document.querySelectorAll('h1').length;
                if (h1 !== 1) out.push('h1 count ' + h1);
                // Only our one file may come, on the one page that uses it (new thread).
                if (document.querySelector('script:not([src^="/assets/search-"])'))
                  out.push('the page carries a script');
                const viewport = document.querySelector('meta[name=viewport]')?.content || '';
                if (!/width=device-width/.test(viewport)) out.push('no phone viewport');
                if (/user-scalable=no|maximum-scale/.test(viewport)) out.push('zooming is blocked');
                const base = parseFloat(getComputedStyle(document.body).fontSize);
                if (base < 16) out.push('body text is ' + base + ' px');
                for (const el of document.querySelectorAll('body *')) {
                  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
                  const size = parseFloat(getComputedStyle(el).fontSize);
                  if (own && el.getClientRects().length && size < 14)
                    out.push('small text (' + size + ' px): ' + el.textContent.trim().slice(0, 30));
                }
                if (document.documentElement.lang !== lang) out.push('lang is ' + document.documentElement.lang);
                for (const l of ['header', 'nav', 'main', 'footer'])
                  if (!document.querySelector(l)) out.push('no ' + l);
                if (document.documentElement.scrollWidth > window.innerWidth + 1)
                  out.push('scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
                const targets = 'button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, nav a, a.button, .check';
                for (const t of document.querySelectorAll(targets)) {
                  const r = t.getBoundingClientRect();
                  if (r.width > 0 && r.height > 0 && r.height < 44 && !t.closest('.check'))
                    out.push('small tap target (' + Math.round(r.height) + ' px): ' + (t.id || t.className || t.tagName) + ' ' + (t.textContent || '').trim().slice(0, 30));
                  else if (r.width > 0 && t.matches('.check') && r.height < 44)
                    out.push('small choice (' + Math.round(r.height) + ' px): ' + (t.textContent || '').trim().slice(0, 30));
                }
                return out;"#,
                vec![json!(lang)],
            )
            .await
            .expect("checks run");
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        violations
            .as_array()
            .into_iter()
            .flatten()
            .chain(ours.as_array().into_iter().flatten())
            .map(|v| format!("{label} {url}: {}", v.as_str().unwrap_or_default()))
            .collect()
    }
}

/// A Chrome DevTools command, sent through chromedriver.
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params }).to_string();
        (axum::http::Method::POST, Some(body))
    }
}

impl Browser {
    /// A browser with JavaScript switched off (as the DevTools "Disable JavaScript" switch
    /// does; WebDriver's own commands still work). Proven first: a page's script must not run.
    pub async fn start_without_javascript() -> Browser {
        let browser = Browser::start().await;
        browser
            .client
            .issue_cmd(DevTools {
                cmd: "Emulation.setScriptExecutionDisabled",
                params: json!({ "value": true }),
            })
            .await
            .expect("script switched off");
        browser.assert_javascript_is_off().await;
        browser
    }

    /// A page whose script would change its text keeps the text: no script runs, however
    /// much was navigated since JavaScript was switched off.
    pub async fn assert_javascript_is_off(&self) {
        self.show_html(
            "<html><body><p id=x>still</p><script>x.textContent = 'ran'</script></body></html>",
        )
        .await;
        let text = self.text_of("#x").await;
        assert_eq!(text, "still", "JavaScript is switched on");
    }
}
