use sea_orm::entity::prelude::*;

/// Something for one person to know: a reply in a watched thread, a mention, a quote, a
/// post flagged in a practice they facilitate, their post hidden, their flag handled, a
/// nomination or a summary waiting for the expert group. `emailed_at` is set once the mail
/// job has looked at it (mailed, or not to be mailed).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub kind: String,
    /// The thread and post it is about; empty for a summary.
    pub thread_id: Option<i32>,
    pub post_id: Option<i32>,
    /// The summary it is about (a review the expert group is asked for).
    pub summary_id: Option<i32>,
    pub actor_id: i32,
    pub created_at: DateTimeUtc,
    pub read_at: Option<DateTimeUtc>,
    pub emailed_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

pub const REPLY: &str = "reply";
pub const MENTION: &str = "mention";
pub const QUOTE: &str = "quote";
/// To a practice's facilitators: a post there was flagged.
pub const FLAG: &str = "flag";
/// To an author: a facilitator hid their post (the reason is the post's `hidden_reason`).
pub const POST_HIDDEN: &str = "post_hidden";
/// To whoever flagged a post: a facilitator handled it.
pub const FLAG_HANDLED: &str = "flag_handled";
/// To the expert group: a thread was nominated.
pub const NOMINATED: &str = "nominated";
/// To the expert group: a summary (or a revision of one) waits for review.
pub const SUMMARY_REVIEW: &str = "summary_review";
/// To a nominator: what became of their nomination (`nomination_taken`, …).
pub const NOMINATION_PREFIX: &str = "nomination_";

/// What a notification is about, which decides who may still see it: a post's text, only a
/// thread's title, or a summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum About {
    Post,
    Thread,
    Summary,
}

/// The kinds that only name a thread: the member who flagged a post learns it was handled,
/// even when the post is hidden from them since.
pub const ABOUT_THREAD: [&str; 1] = [FLAG_HANDLED];
/// The kinds about a summary.
pub const ABOUT_SUMMARY: [&str; 1] = [SUMMARY_REVIEW];

/// The kinds only the expert group is told of (and sees while in it).
pub const FOR_EXPERT_GROUP: [&str; 2] = [NOMINATED, SUMMARY_REVIEW];
/// The kinds only a practice's facilitators are told of (and see while they facilitate).
pub const FOR_FACILITATORS: [&str; 1] = [FLAG];

pub fn about(kind: &str) -> About {
    if ABOUT_THREAD.contains(&kind) {
        About::Thread
    } else if ABOUT_SUMMARY.contains(&kind) {
        About::Summary
    } else {
        About::Post
    }
}

/// The kinds of mail a member can switch off one by one (each notification mail says which
/// it is and has a one-click link to stop it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MailKind {
    /// Replies and quotes in your threads and the threads you follow.
    Replies,
    Mentions,
    /// Flags for facilitators; a hidden post or a handled flag for the member concerned.
    Moderation,
    /// Nominations and summaries for the expert group; a nomination's outcome.
    Experts,
    /// Private messages from other members (mailed by `messages::mail`, not from
    /// notifications).
    Messages,
}

impl MailKind {
    pub const ALL: [MailKind; 5] = [
        MailKind::Replies,
        MailKind::Mentions,
        MailKind::Moderation,
        MailKind::Experts,
        MailKind::Messages,
    ];

    pub fn of(kind: &str) -> MailKind {
        match kind {
            MENTION => MailKind::Mentions,
            FLAG | POST_HIDDEN | FLAG_HANDLED => MailKind::Moderation,
            NOMINATED | SUMMARY_REVIEW => MailKind::Experts,
            k if k.starts_with(NOMINATION_PREFIX) => MailKind::Experts,
            _ => MailKind::Replies,
        }
    }

    /// The word in links (`/mail/uit/{token}/{slug}`).
    pub fn slug(self) -> &'static str {
        match self {
            MailKind::Replies => "antwoorden",
            MailKind::Mentions => "vermeldingen",
            MailKind::Moderation => "signaleringen",
            MailKind::Experts => "expertgroep",
            MailKind::Messages => "berichten",
        }
    }

    pub fn from_slug(slug: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Whether this person wants this kind by mail.
    pub fn wanted_by(self, person: &super::user::Model) -> bool {
        match self {
            MailKind::Replies => person.mail_replies,
            MailKind::Mentions => person.mail_mentions,
            MailKind::Moderation => person.mail_moderation,
            MailKind::Experts => person.mail_experts,
            MailKind::Messages => person.mail_messages,
        }
    }
}
