//! Database entities: plain data, one module per table. Behaviour lives in the capability
//! modules (`accounts`, `practices`, `admin`), not here.

pub mod application;
pub mod attachment;
pub mod audit_event;
pub mod draft;
pub mod email_change;
pub mod expertise_tag;
pub mod export;
pub mod flag;
pub mod meeting;
pub mod meeting_organiser;
pub mod membership;
pub mod nomination;
pub mod notification;
pub mod organisation;
pub mod outbox_mail;
pub mod post;
pub mod post_revision;
pub mod practice;
pub mod read_position;
pub mod registration;
pub mod search_doc;
pub mod session;
pub mod subscriber;
pub mod subscriber_practice;
pub mod summary;
pub mod summary_practice;
pub mod summary_source;
pub mod summary_version;
pub mod thread;
pub mod throttle;
pub mod token;
pub mod user;
pub mod user_expertise;
pub mod user_organisation;
pub mod watch;
