//! A plain SMTP relay (`smtp://host:port`, no TLS, no login: a mail server on this machine or
//! the local network), over connections this module opens itself with `TCP_NODELAY`.
//!
//! lettre 0.11 leaves Nagle's algorithm on: a message's last small write waits for the
//! server's delayed ACK (≈ 40 ms), so one connection carries ≈ 22 mails a second. lettre
//! accepts a connection opened by someone else ([`AsyncSmtpConnection::connect_with_transport`]),
//! so the socket option is set here and lettre speaks SMTP over it. Idle connections are
//! kept for the next mail; one that the server closed meanwhile is replaced once.
//! Relays with TLS or a login go through lettre's own pooled transport.

use std::sync::{Mutex, PoisonError};

use lettre::{
    Message,
    transport::smtp::{client::AsyncSmtpConnection, extension::ClientId, response::Response},
};
use tokio::net::TcpStream;

use super::DeliveryError;

/// Connections kept open between mails (as many as mails may be under way at once).
const IDLE_MAX: usize = 16;

pub struct Relay {
    host: String,
    port: u16,
    hello: ClientId,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

impl Relay {
    /// A relay for `smtp://host[:port]` without `tls=` or a user; `None` for anything else.
    pub fn from_url(url: &str) -> Option<Relay> {
        let url = url::Url::parse(url).ok()?;
        let plain = url.scheme() == "smtp"
            && url.username().is_empty()
            && url.password().is_none()
            && url.query_pairs().all(|(k, _)| k != "tls");
        if !plain {
            return None;
        }
        Some(Relay {
            host: url.host_str()?.trim_matches(['[', ']']).to_string(),
            port: url.port().unwrap_or(25),
            hello: ClientId::default(),
            idle: Mutex::default(),
        })
    }

    pub async fn send(&self, message: &Message) -> Result<(), DeliveryError> {
        let formatted = message.formatted();
        let reused = self.idle().pop();
        let was_reused = reused.is_some();
        let mut connection = match reused {
            Some(c) => c,
            None => self.connect().await?,
        };
        let mut answer = connection.send(message.envelope(), &formatted).await;
        // A kept connection the server closed meanwhile: once more on a fresh one.
        if was_reused && answer.as_ref().is_err_and(|e| !e.is_permanent()) {
            connection = self.connect().await?;
            answer = connection.send(message.envelope(), &formatted).await;
        }
        self.keep(connection);
        answer.map(|_: Response| ()).map_err(|e| DeliveryError {
            permanent: e.is_permanent(),
            message: e.to_string(),
        })
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<AsyncSmtpConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        if connection.has_broken() {
            return;
        }
        let mut idle = self.idle();
        if idle.len() < IDLE_MAX {
            idle.push(connection);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let failed = |message: String| DeliveryError {
            permanent: false,
            message,
        };
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| failed(format!("cannot reach {}:{}: {e}", self.host, self.port)))?;
        stream
            .set_nodelay(true)
            .map_err(|e| failed(e.to_string()))?;
        AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
            .await
            .map_err(|e| failed(e.to_string()))
    }
}
