//! Sending mail. Like crates.io's, the backend is an enum: SMTP when configured, otherwise
//! `.eml` files in the outbox folder, which is also what the tests read.
//!
//! The folder variant writes each file under a temporary name and renames it into place
//! (lettre's file transport writes in place), so a reader never sees half a mail.

mod relay;

use std::{path::PathBuf, sync::Arc};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox, MultiPart,
        header::{HeaderName, HeaderValue},
    },
};
use maud::Markup;
use tracing::Instrument as _;

use crate::{config::Settings, i18n::Lang};

pub enum Mailer {
    /// A plain relay, over our own connections (see [`relay`]).
    Relay(relay::Relay),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// A mail ready to go: both parts carry the same content.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Markup,
    /// Extra headers, such as `List-Unsubscribe`.
    pub headers: Vec<(&'static str, String)>,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Mailer> {
        if settings.smtp_url.is_empty() {
            std::fs::create_dir_all(&settings.outbox_dir)?;
            Ok(Mailer::Folder(settings.outbox_dir.clone()))
        } else if let Some(relay) = relay::Relay::from_url(&settings.smtp_url) {
            Ok(Mailer::Relay(relay))
        } else {
            let transport =
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)?.build();
            Ok(Mailer::Smtp(transport))
        }
    }

    pub async fn send(&self, from: &str, email: Email) -> anyhow::Result<()> {
        let message = build_message(from, email, None)?;
        self.deliver(message)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))
    }

    /// Hands a finished message to the transport, saying whether a failure is permanent
    /// (the server rejected the address) or worth another try.
    pub async fn deliver(&self, message: Message) -> Result<(), DeliveryError> {
        match self {
            Mailer::Relay(relay) => relay.send(&message).await,
            Mailer::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| DeliveryError {
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                }),
            Mailer::Folder(dir) => {
                let name = crate::tokens::random_secret();
                let partial = dir.join(format!(".{name}.partial"));
                let written = async {
                    tokio::fs::write(&partial, message.formatted()).await?;
                    tokio::fs::rename(&partial, dir.join(format!("{name}.eml"))).await
                };
                written.await.map_err(|e| DeliveryError {
                    permanent: false,
                    message: e.to_string(),
                })
            }
        }
    }
}

#[derive(Debug)]
pub struct DeliveryError {
    pub permanent: bool,
    pub message: String,
}

/// A multipart (text + HTML) message with its extra headers and, for outbox mail, a
/// Message-ID derived from the outbox row so a resend is recognisable as the same mail.
pub fn build_message(
    from: &str,
    email: Email,
    message_id: Option<String>,
) -> anyhow::Result<Message> {
    let from: Mailbox = from.parse()?;
    let to: Mailbox = email.to.parse()?;
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject)
        .message_id(message_id);
    for (name, value) in email.headers {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(name),
            value,
        ));
    }
    Ok(builder.multipart(MultiPart::alternative_plain_html(
        email.text,
        email.html.into_string(),
    ))?)
}

/// Sends in the background: the answer to the person does not wait for (or reveal, by its
/// timing) whether a mail went out. Failures are logged without the address, in the span of
/// the request that sent it (its id).
pub fn send_later(mailer: Arc<Mailer>, from: String, email: Email) {
    tokio::spawn(
        async move {
            let subject = email.subject.clone();
            match mailer.send(&from, email).await {
                Ok(()) => crate::observability::mail_sent("direct"),
                Err(err) => {
                    crate::observability::mail_failed("direct", "given_up");
                    tracing::error!(%subject, error = %err, "mail not sent");
                }
            }
        }
        .instrument(tracing::Span::current()),
    );
}

/// A plain letter: greeting, paragraphs and at most one button link, in the recipient's
/// language. Every mail we send is built here, so all share one look and always carry the
/// same content in the HTML and the text part.
pub struct Letter {
    lang: Lang,
    to: String,
    subject: String,
    paragraphs: Vec<String>,
    /// A ready-made part of the letter, as text and as HTML (a digest's lists).
    block: Option<(String, Markup)>,
    link: Option<(String, String)>,
    headers: Vec<(&'static str, String)>,
    footer: Option<Footer>,
}

/// The small print under a letter: why it came, and links to change or stop it.
struct Footer {
    text: String,
    links: Vec<(String, String)>,
}

impl Letter {
    pub fn new(lang: Lang, to: &str, subject_key: &str) -> Letter {
        Letter {
            lang,
            to: to.to_string(),
            subject: lang.t(subject_key).into_owned(),
            paragraphs: Vec::new(),
            block: None,
            link: None,
            headers: Vec::new(),
            footer: None,
        }
    }

    pub fn greet(mut self, name: &str) -> Letter {
        let greeting = rust_i18n::t!("mail.greeting", locale = self.lang.code(), name = name);
        self.paragraphs.push(greeting.into_owned());
        self
    }

    /// A paragraph from the translation files.
    pub fn para(mut self, key: &str) -> Letter {
        self.paragraphs.push(self.lang.t(key).into_owned());
        self
    }

    /// A paragraph already translated (one with values filled in).
    pub fn text(mut self, text: impl Into<String>) -> Letter {
        self.paragraphs.push(text.into());
        self
    }

    pub fn link(mut self, label_key: &str, url: String) -> Letter {
        self.link = Some((self.lang.t(label_key).into_owned(), url));
        self
    }

    /// Replaces the subject (one with values filled in).
    pub fn subject(mut self, subject: String) -> Letter {
        self.subject = subject;
        self
    }

    /// Adds content prepared in both forms, after the paragraphs.
    pub fn block(mut self, text: String, html: Markup) -> Letter {
        self.block = Some((text, html));
        self
    }

    /// A header on the message (`List-Unsubscribe` and friends).
    pub fn header(mut self, name: &'static str, value: String) -> Letter {
        self.headers.push((name, value));
        self
    }

    /// The small print under the letter: why it came (from the translation files), and
    /// links (label key, address) such as where to change or stop a subscription.
    pub fn footer(mut self, text_key: &str, links: &[(&str, String)]) -> Letter {
        self.footer = Some(Footer {
            text: self.lang.t(text_key).into_owned(),
            links: links
                .iter()
                .map(|(key, url)| (self.lang.t(key).into_owned(), url.clone()))
                .collect(),
        });
        self
    }

    pub fn build(self) -> Email {
        use maud::html;
        let Letter {
            lang,
            to,
            subject,
            paragraphs,
            block,
            link,
            headers,
            footer,
        } = self;
        let site = lang.t("site.name");
        let mut text = String::new();
        for p in &paragraphs {
            text.push_str(p);
            text.push_str("\n\n");
        }
        if let Some((block_text, _)) = &block {
            text.push_str(block_text);
        }
        if let Some((label, url)) = &link {
            text.push_str(&format!("{label}:\n{url}\n\n"));
        }
        text.push_str(&format!("-- \n{site}\n"));
        if let Some(footer) = &footer {
            text.push_str(&footer.text);
            text.push('\n');
            for (label, url) in &footer.links {
                text.push_str(&format!("{label}: {url}\n"));
            }
        }
        let html = html! {
            (maud::DOCTYPE)
            html lang=(lang.code()) {
                head { meta charset="utf-8"; title { (subject) } }
                body style="margin:0;padding:24px;background:#fbf7f0;font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:1.5;color:#1f1a17" {
                    div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;border-radius:8px" {
                        p style="font-size:20px;font-weight:bold;color:#7a2e0e;margin-top:0" { (site) }
                        @for p in &paragraphs { p { (p) } }
                        @if let Some((_, block_html)) = &block { (block_html) }
                        @if let Some((label, url)) = &link {
                            p { a href=(url) style="display:inline-block;background:#7a2e0e;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold" { (label) } }
                            p style="font-size:14px;color:#4a403a;overflow-wrap:anywhere;word-break:break-all" { (url) }
                        }
                        @if let Some(footer) = &footer {
                            p style="font-size:14px;color:#4a403a;border-top:1px solid #d9cbbb;padding-top:8px" {
                                (footer.text)
                                @for (i, (label, url)) in footer.links.iter().enumerate() {
                                    @if i > 0 { " · " } @else { " " }
                                    a href=(url) style="color:#7a2e0e" { (label) }
                                }
                            }
                        }
                    }
                }
            }
        };
        Email {
            to,
            subject,
            text,
            html,
            headers,
        }
    }
}
