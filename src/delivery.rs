//! Durable mail delivery, in three jobs:
//!
//! - [`enqueue`] composes what to send: this period's digests, one outbox row per
//!   (recipient, period) under a unique constraint, so running it twice — or on two
//!   instances — queues nothing twice;
//! - [`outbox`] sends what is queued: it leases rows, sends them one at a time, records each
//!   acceptance at once, retries passing failures with backoff and counts bounces (its
//!   documentation says what a crash can do: repeat at most one mail, with the same
//!   Message-ID);
//! - [`schedule`] says when a digest period is due;
//! - [`withdraw`] takes a thread that stopped being public out of the digests not yet sent.
//!
//! The loop that runs them on the server is in `jobs.rs`; notification mails are
//! composed by `notifications/mail.rs` and go through the same outbox.

pub mod enqueue;
pub mod outbox;
pub mod schedule;
pub mod withdraw;

pub use enqueue::{Enqueued, enqueue, period_key};
pub use outbox::{Delivered, Leased, deliver, leased_elsewhere, next_due, queue_rows};
pub use schedule::{due_now, last_slot};
pub use withdraw::withdraw_thread;
