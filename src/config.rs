//! Typed settings. Defaults run out of the box (SQLite under `./data`, mail to
//! `./data/outbox`); an optional `erbij.toml` and environment variables override them.

use std::{net::SocketAddr, path::PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    /// Where the SQLite database, the mail outbox and (later) uploads live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means the SQLite file in `data_dir`.
    pub database_url: String,
    /// Maximum pool size; SQLite defaults lower because it has a single writer.
    pub database_max_connections: Option<u32>,
    pub bind: SocketAddr,
    /// The address people use to reach the site; links in mails are built from it.
    pub base_url: String,
    /// `smtp://user:pass@host:587` or `smtps://…`; empty writes `.eml` files instead.
    pub smtp_url: String,
    /// Where `.eml` files go when no SMTP server is set; empty means `data_dir/outbox`.
    pub outbox_dir: PathBuf,
    pub mail_from: String,
    /// Where people can write to the administrators (shown on the privacy page); empty: none.
    pub contact_email: String,
    /// Where attached files are kept, by content hash; empty means `data_dir/uploads`.
    pub uploads_dir: PathBuf,
    /// The largest file that may be attached, in megabytes.
    pub upload_max_mb: u64,
    /// How long a sign-in lasts without being renewed.
    pub session_days: i64,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// `pretty` or `json` log lines.
    pub log_format: String,
    /// When digests go out: ISO weekday (1 = Monday … 7 = Sunday) and hour, Amsterdam time.
    /// Monthly digests go out at the first such moment of each month.
    pub digest_weekday: u32,
    pub digest_hour: u32,
    /// At most this many mails a second leave for the mail server (0: no limit).
    pub mail_per_second: u32,
    /// How long a mail being handed to the mail server stays the sending instance's own, in
    /// seconds: a worker that dies mid-send leaves it to the others when this runs out. Longer
    /// than one mail can take (lettre gives up on a silent server after a minute).
    pub mail_lease_seconds: u64,
    /// Memory for visitors' pages kept rendered, in megabytes (0: keep none).
    pub page_cache_mb: u64,
    /// Where attachments and data exports are kept: `local` (the folders above) or `s3`.
    pub storage: String,
    /// The S3 bucket, its region and (for a provider other than AWS) its endpoint, such as
    /// `https://s3.nl-ams.scw.cloud`; credentials come from `AWS_ACCESS_KEY_ID` and
    /// `AWS_SECRET_ACCESS_KEY`.
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_endpoint: String,
    /// A folder inside the bucket for everything of this site (empty: the bucket's root).
    pub s3_prefix: String,
    /// The bearer token `/metrics` asks for (`Authorization: Bearer …`); empty: `/metrics` is
    /// not served on the site's own address.
    pub metrics_token: String,
    /// A second address serving only `/metrics`, without a token, for a private network
    /// (empty: none).
    #[serde(default, deserialize_with = "empty_is_none")]
    pub metrics_bind: Option<SocketAddr>,
    /// At a stop, how long requests under way may take to finish before the server stops
    /// anyway.
    pub shutdown_grace_seconds: u64,
}

/// An address that may be left empty (`ERBIJ_METRICS_BIND=`) to mean none.
fn empty_is_none<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SocketAddr>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        Some(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            database_max_connections: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            base_url: String::new(),
            smtp_url: String::new(),
            outbox_dir: PathBuf::new(),
            mail_from: "Erbij <noreply@erbij.localhost>".into(),
            contact_email: String::new(),
            uploads_dir: PathBuf::new(),
            upload_max_mb: 10,
            session_days: 30,
            trust_proxy: false,
            log_format: "pretty".into(),
            digest_weekday: 1,
            digest_hour: 8,
            mail_per_second: 10,
            mail_lease_seconds: 300,
            page_cache_mb: 12,
            storage: "local".into(),
            s3_bucket: String::new(),
            s3_region: String::new(),
            s3_endpoint: String::new(),
            s3_prefix: String::new(),
            metrics_token: String::new(),
            metrics_bind: None,
            shutdown_grace_seconds: 20,
        }
    }
}

impl Settings {
    /// Defaults, then `erbij.toml` (or `ERBIJ_CONFIG`), then `ERBIJ_*` variables, then the
    /// conventional `DATABASE_URL` and `SMTP_URL`.
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var("ERBIJ_CONFIG").unwrap_or_else(|_| "erbij.toml".into());
        let mut figment = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("ERBIJ_").ignore(&["metrics_token"]))
            .merge(Env::raw().only(&["DATABASE_URL", "SMTP_URL"]));
        // A token is the text as given, also when it is all digits (figment would read those
        // as a number, and drop leading zeros).
        if let Some(token) = Env::var("ERBIJ_METRICS_TOKEN") {
            figment = figment.merge(Serialized::default("metrics_token", token));
        }
        let settings: Settings = figment.extract().map_err(Box::new)?;
        Ok(settings.resolved())
    }

    /// Fills the settings that default to something derived from others.
    pub fn resolved(mut self) -> Self {
        if self.database_url.is_empty() {
            self.database_url = format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("erbij.db").display()
            );
        }
        if self.outbox_dir.as_os_str().is_empty() {
            self.outbox_dir = self.data_dir.join("outbox");
        }
        if self.uploads_dir.as_os_str().is_empty() {
            self.uploads_dir = self.data_dir.join("uploads");
        }
        if self.base_url.is_empty() {
            self.base_url = format!("http://{}", self.bind);
        }
        self.base_url = self.base_url.trim_end_matches('/').to_string();
        self
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// Cookies get `Secure` when the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn upload_max_bytes(&self) -> usize {
        usize::try_from(self.upload_max_mb.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The site's host name (for `List-Id` and Message-IDs): `erbij.example.nl`.
    pub fn host(&self) -> &str {
        self.base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split([':', '/']).next())
            .filter(|h| !h.is_empty())
            .unwrap_or("erbij.localhost")
    }
}

#[cfg(test)]
// figment's `Jail` closures return its own large error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_run_out_of_the_box() {
        figment::Jail::expect_with(|_jail| {
            let s = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(s.bind.to_string(), "127.0.0.1:3000");
            assert_eq!(s.database_url, "sqlite://./data/erbij.db?mode=rwc");
            assert_eq!(s.outbox_dir, PathBuf::from("./data/outbox"));
            assert_eq!(s.base_url, "http://127.0.0.1:3000");
            assert!(s.is_sqlite() && !s.secure_cookies());
            Ok(())
        });
    }

    #[test]
    fn file_then_environment_override_the_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "erbij.toml",
                r#"
                    bind = "0.0.0.0:8080"
                    base_url = "https://erbij.example.nl/"
                    mail_from = "Erbij <hallo@erbij.example.nl>"
                "#,
            )?;
            jail.set_env("ERBIJ_BIND", "127.0.0.1:9000");
            jail.set_env("DATABASE_URL", "postgres://erbij@db/erbij");
            jail.set_env("SMTP_URL", "smtps://user:secret@mail.example.nl");
            let s = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(s.bind.to_string(), "127.0.0.1:9000");
            assert_eq!(s.base_url, "https://erbij.example.nl");
            assert_eq!(s.database_url, "postgres://erbij@db/erbij");
            assert_eq!(s.smtp_url, "smtps://user:secret@mail.example.nl");
            assert_eq!(s.mail_from, "Erbij <hallo@erbij.example.nl>");
            assert!(!s.is_sqlite() && s.secure_cookies());
            Ok(())
        });
    }

    #[test]
    fn the_metrics_address_is_off_when_empty() {
        figment::Jail::expect_with(|jail| {
            let s = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(s.metrics_bind, None);
            assert!(s.metrics_token.is_empty());
            assert_eq!(s.shutdown_grace_seconds, 20);
            jail.set_env("ERBIJ_METRICS_BIND", "");
            assert_eq!(
                Settings::load().map_err(|e| e.to_string())?.metrics_bind,
                None
            );
            jail.set_env("ERBIJ_METRICS_BIND", "10.0.0.5:9100");
            // A token of digits only is still a text.
            jail.set_env("ERBIJ_METRICS_TOKEN", "0123456789");
            let s = Settings::load().map_err(|e| e.to_string())?;
            assert_eq!(
                s.metrics_bind,
                Some(SocketAddr::from(([10, 0, 0, 5], 9100)))
            );
            assert_eq!(s.metrics_token, "0123456789");
            jail.set_env("ERBIJ_METRICS_BIND", "nowhere");
            assert!(Settings::load().is_err());
            Ok(())
        });
    }

    #[test]
    fn a_bad_setting_is_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("ERBIJ_BIND", "not an address");
            assert!(Settings::load().is_err());
            Ok(())
        });
    }
}
