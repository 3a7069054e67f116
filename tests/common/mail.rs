//! A mail as the tests read it — from the outbox folder or from the test SMTP server — shared
//! by the in-process suite (`tests/it`) and the browser suite (`tests/browser`).

#![allow(dead_code)]

#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    /// `List-Unsubscribe`, `List-Unsubscribe-Post` and `List-Id`, when present.
    pub list_headers: Vec<(String, String)>,
}

impl Mail {
    pub fn parse(bytes: &[u8]) -> Mail {
        let message = mail_parser::MessageParser::default()
            .parse(bytes)
            .expect("a parseable mail");
        let to = message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_string();
        let list_headers = ["List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"]
            .into_iter()
            .filter_map(|name| {
                message
                    .header_raw(name)
                    .map(|v| (name.to_string(), v.trim().to_string()))
            })
            .collect();
        Mail {
            to,
            subject: message.subject().unwrap_or("").to_string(),
            text: message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            html: message
                .body_html(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            message_id: message.message_id().unwrap_or("").to_string(),
            list_headers,
        }
    }

    /// Every `.eml` file in an outbox folder (none when the folder is not there yet).
    pub fn read_outbox(dir: &std::path::Path) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|entry| entry.path().extension().is_some_and(|e| e == "eml"))
            .map(|entry| Mail::parse(&std::fs::read(entry.path()).expect("a readable mail")))
            .collect()
    }

    pub fn list_header(&self, name: &str) -> Option<&str> {
        self.list_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first link in the plain-text part to `base` followed by `prefix`.
    pub fn link(&self, base: &str, prefix: &str) -> String {
        let start = format!("{base}{prefix}");
        self.text
            .split_whitespace()
            .find(|w| w.starts_with(&start))
            .unwrap_or_else(|| panic!("no link starting with {start} in:\n{}", self.text))
            .to_string()
    }

    /// That link as a path on the site.
    pub fn path(&self, base: &str, prefix: &str) -> String {
        self.link(base, prefix).trim_start_matches(base).to_string()
    }
}
