//! Erbij: the forum of a learning community against loneliness.
//!
//! Shared plumbing sits in small files (`config`, `db`, `error`, `i18n`, `context`, `csrf`,
//! `session`, `mail`, `password`, `tokens`, `throttle`, `audit`, `layout`, `forms`); each
//! capability owns its handlers and views (`home`, `practices`, `accounts`, `admin`).

rust_i18n::i18n!("assets/locales", fallback = "nl");

pub mod accounts;
pub mod admin;
pub mod app;
pub mod assets;
pub mod audit;
pub mod backup;
pub mod config;
pub mod context;
pub mod csrf;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod diff;
pub mod digests;
pub mod directory;
pub mod entities;
pub mod error;
pub mod forms;
pub mod forum;
pub mod home;
pub mod i18n;
pub mod interventions;
pub mod jobs;
pub mod layout;
pub mod mail;
pub mod markdown;
pub mod media;
pub mod meetings;
pub mod members;
pub mod mentions;
pub mod messages;
pub mod names;
pub mod notifications;
pub mod observability;
pub mod organisations;
pub mod own_data;
pub mod page_cache;
pub mod password;
pub mod practices;
pub mod privacy;
pub mod retention;
pub mod router;
pub mod search;
pub mod session;
pub mod shell;
pub mod storage;
pub mod subscriptions;
pub mod summaries;
pub mod throttle;
pub mod tokens;
pub mod visibility;

/// Test files with metadata in them, shared with the integration tests and benchmarks.
#[cfg(test)]
#[path = "../tests/common/images.rs"]
mod test_images;

pub use app::{AppState, Application};
pub use config::Settings;
