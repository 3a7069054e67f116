//! One integration test binary. Each test builds the same application the binary runs, on
//! a fresh database (SQLite in a temporary folder, or a new PostgreSQL database when
//! `ERBIJ_TEST_DATABASE_URL` is set), and drives it in-process like a browser would.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may stop at the first surprise

mod helpers;
#[path = "../common/images.rs"]
mod images;
#[path = "../common/mail.rs"]
mod mail;

mod accounts;
mod admin;
mod attachments;
mod backups;
mod cli;
mod delivery;
mod directory;
mod experts;
mod forum;
mod hearing_back;
mod instances;
mod interventions;
mod leaving;
mod long_texts;
mod meetings;
mod member_mail;
mod messages;
mod moderation;
mod object_storage;
mod operations;
mod own_data;
mod page_cache;
mod pages;
mod people;
mod privacy;
mod private_by_default;
mod read_marks;
mod retention;
mod search;
mod security;
mod smtp;
mod subscriber_data;
mod subscriptions;
mod summaries;
mod visibility;
