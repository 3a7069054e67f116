//! A real SMTP server on loopback for the tests (mailin-embedded: blocking, on its own
//! threads). It keeps every message it accepted, can refuse chosen addresses with a
//! permanent 550, and can be slowed down — before taking a message, or after taking it and
//! before saying so — so that a sending process can be killed mid-run.

#![allow(dead_code)]

use std::{
    collections::HashSet,
    net::{SocketAddr, TcpListener},
    sync::{Arc, Mutex},
    time::Duration,
};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

use crate::helpers::Mail;

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Vec<u8>>>,
    refused: Mutex<HashSet<String>>,
    delay: Mutex<Duration>,
    linger: Mutex<Duration>,
}

#[derive(Clone)]
struct Session {
    shared: Arc<Shared>,
    data: Vec<u8>,
}

impl Handler for Session {
    fn rcpt(&mut self, to: &str) -> Response {
        let address = to.trim_matches(['<', '>']).to_lowercase();
        if self.shared.refused.lock().expect("lock").contains(&address) {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _: &str, _: &str, _: bool, _: &[String]) -> Response {
        self.data.clear();
        response::START_DATA
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let delay = *self.shared.delay.lock().expect("lock");
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        self.shared
            .received
            .lock()
            .expect("lock")
            .push(std::mem::take(&mut self.data));
        // The message is ours now; the sender learns it only after the linger.
        let linger = *self.shared.linger.lock().expect("lock");
        if !linger.is_zero() {
            std::thread::sleep(linger);
        }
        response::OK
    }
}

pub struct SmtpSink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl SmtpSink {
    /// A server on a free loopback port.
    pub fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        SmtpSink::serve(listener)
    }

    /// A server on a port chosen before (to be "down" first and "up" later).
    pub fn start_on(port: u16) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
        SmtpSink::serve(listener)
    }

    /// A loopback port where nothing listens (yet).
    pub fn unused_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .expect("a free port")
            .local_addr()
            .expect("addr")
            .port()
    }

    fn serve(listener: TcpListener) -> SmtpSink {
        let addr = listener.local_addr().expect("addr");
        let shared = Arc::new(Shared::default());
        let mut server = Server::new(Session {
            shared: shared.clone(),
            data: Vec::new(),
        });
        server
            .with_name("sink.erbij.test")
            .with_ssl(SslConfig::None)
            .expect("no TLS on loopback")
            // Every connection holds a thread for its life, and lettre keeps pooled connections
            // open: plenty of threads, as a real server has.
            .with_num_threads(64)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(err) = server.serve() {
                eprintln!("SMTP sink stopped: {err}");
            }
        });
        SmtpSink { addr, shared }
    }

    /// `smtp://` URL for the app's `smtp_url` setting (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn refuse(&self, address: &str) {
        self.shared
            .refused
            .lock()
            .expect("lock")
            .insert(address.to_lowercase());
    }

    /// Each accepted message waits this long before its 250.
    pub fn slow_down(&self, delay: Duration) {
        *self.shared.delay.lock().expect("lock") = delay;
    }

    /// Each message is kept at once, but its 250 comes this long after: a sender killed in
    /// between had its mail accepted without learning it.
    pub fn linger(&self, delay: Duration) {
        *self.shared.linger.lock().expect("lock") = delay;
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.shared
            .received
            .lock()
            .expect("lock")
            .iter()
            .map(|bytes| Mail::parse(bytes))
            .collect()
    }

    pub fn count(&self) -> usize {
        self.shared.received.lock().expect("lock").len()
    }

    /// Waits up to ten seconds for a mail to `to` whose subject contains `subject`.
    pub async fn mail(&self, to: &str, subject: &str) -> Mail {
        for _ in 0..1000 {
            if let Some(m) = self
                .mails()
                .into_iter()
                .find(|m| m.to == to && m.subject.contains(subject))
            {
                return m;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no mail to {to} about {subject:?}: {:#?}", self.mails());
    }
}
