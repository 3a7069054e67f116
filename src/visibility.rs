//! The visibility rule, in one place: who may read which threads, posts, revisions,
//! attachments and notifications.
//!
//! Every surface goes through here. Lists and counts take their query from a [`Reader`]
//! (or a [`Scope`]) so that what may not be read is never loaded; a single item already in
//! hand is judged by one check ([`Scope::admits_thread`], [`Scope::text`] …). Nothing else
//! in the code compares roles, visibilities or post states to decide what a person sees.
//!
//! The rule (PRODUCT.md, "Visibility"):
//! - a visitor reads public threads in the learning practices;
//! - a member also reads members-only threads;
//! - the expert group (and administrators) also read the expert area;
//! - a hidden post's text is for its author and the practice's facilitators (and
//!   administrators); a removed post's text is for nobody;
//! - a file waiting in a form is for its uploader only; a file of a post follows the post;
//! - a published summary is public; drafts, reviews, withdrawn summaries and a published
//!   one's pending revision are for the expert group;
//! - a disabled account reads what a visitor reads;
//! - a meeting follows the same rule as a thread (a community-wide meeting belongs to no
//!   practice); its online link is for those who registered and its organisers.
//! - a private conversation is for its participants only (whatever their role); an
//!   administrator sees a message of it only after a participant reported that message;
//!   who blocked a member does not see that member's messages.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    QueryTrait, Select,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};

use crate::entities::{
    attachment, intervention, meeting, membership, notification,
    post::{self, State},
    practice::{self, Kind},
    registration,
    summary::{self, SummaryStatus},
    thread::{self, Visibility},
    user,
};
use crate::entities::{block, conversation, conversation_member, message, message_report};

/// A reader's standing on the whole site. Facilitators are per practice: see [`Scope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Visitor,
    Member {
        id: i32,
    },
    /// A member of the expert group.
    Expert {
        id: i32,
    },
    /// Reads and moderates everything experts and facilitators do.
    Admin {
        id: i32,
    },
}

/// What of a post's text a reader gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// The text; `hidden` marks a hidden post shown to its author or a facilitator.
    Shown { hidden: bool },
    /// Only the notice that a facilitator hid it.
    Hidden,
    /// Only the notice that its author removed it.
    Removed,
}

impl Text {
    pub fn is_shown(self) -> bool {
        matches!(self, Text::Shown { .. })
    }
}

impl Reader {
    pub fn of(person: Option<&user::Model>) -> Reader {
        match person {
            None => Reader::Visitor,
            Some(p) if p.disabled => Reader::Visitor,
            Some(p) if p.is_admin => Reader::Admin { id: p.id },
            Some(p) if p.is_expert => Reader::Expert { id: p.id },
            Some(p) => Reader::Member { id: p.id },
        }
    }

    pub fn id(self) -> Option<i32> {
        match self {
            Reader::Visitor => None,
            Reader::Member { id } | Reader::Expert { id } | Reader::Admin { id } => Some(id),
        }
    }

    /// Experts, and administrators, who may do everything experts do.
    pub fn in_expert_group(self) -> bool {
        matches!(self, Reader::Expert { .. } | Reader::Admin { .. })
    }

    pub fn is_admin(self) -> bool {
        matches!(self, Reader::Admin { .. })
    }

    /// The kind of reader, without who: which threads and summaries a reader may find
    /// depends on this alone (lists that hold only those may be shared by readers of a kind).
    pub fn kind_of_reader(self) -> u8 {
        match self {
            Reader::Visitor => 0,
            Reader::Member { .. } => 1,
            Reader::Expert { .. } => 2,
            Reader::Admin { .. } => 3,
        }
    }

    fn kinds(self) -> &'static [Kind] {
        if self.in_expert_group() {
            &[Kind::Practice, Kind::Expert]
        } else {
            &[Kind::Practice]
        }
    }

    fn visibilities(self) -> &'static [Visibility] {
        match self {
            Reader::Visitor => &[Visibility::Public],
            Reader::Member { .. } => &[Visibility::Public, Visibility::Members],
            Reader::Expert { .. } | Reader::Admin { .. } => {
                &[Visibility::Public, Visibility::Members, Visibility::Experts]
            }
        }
    }

    /// May this reader enter a practice (or the expert area) of this kind at all?
    pub fn may_enter(self, kind: Kind) -> bool {
        self.kinds().contains(&kind)
    }

    /// The check for one thread, given its practice.
    pub fn may_read(self, thread: &thread::Model, practice: &practice::Model) -> bool {
        practice.id == thread.practice_id
            && self.may_enter(practice.kind)
            && self.visibilities().contains(&thread.visibility)
    }

    /// The check for one post's text. `moderates`: this reader facilitates the thread's
    /// practice. Mail, which is read later and elsewhere, passes `false`.
    pub fn text(
        self,
        post: &post::Model,
        thread: &thread::Model,
        practice: &practice::Model,
        moderates: bool,
    ) -> Option<Text> {
        if post.thread_id != thread.id || !self.may_read(thread, practice) {
            return None;
        }
        let own = self.id() == Some(post.author_id);
        Some(match post.state() {
            State::Visible => Text::Shown { hidden: false },
            State::Hidden if own || moderates || self.is_admin() => Text::Shown { hidden: true },
            State::Hidden => Text::Hidden,
            State::Removed => Text::Removed,
        })
    }

    /// Threads this reader may read, as a condition on `threads`.
    fn thread_condition(self) -> Condition {
        Condition::all()
            .add(
                thread::Column::PracticeId.in_subquery(
                    Query::select()
                        .column(practice::Column::Id)
                        .from(practice::Entity)
                        .and_where(practice::Column::Kind.is_in(self.kinds().iter().copied()))
                        .to_owned(),
                ),
            )
            .add(thread::Column::Visibility.is_in(self.visibilities().iter().copied()))
    }

    /// The ids of the threads this reader may read.
    fn thread_ids(self) -> SelectStatement {
        Query::select()
            .column(thread::Column::Id)
            .from(thread::Entity)
            .cond_where(self.thread_condition())
            .to_owned()
    }

    /// Meetings this reader may see, as a condition on `meetings`: those of the whole
    /// community or of a practice (or area) they may enter, with a visibility they read.
    fn meeting_condition(self) -> Condition {
        Condition::all()
            .add(
                Condition::any()
                    .add(meeting::Column::PracticeId.is_null())
                    .add(
                        meeting::Column::PracticeId.in_subquery(
                            Query::select()
                                .column(practice::Column::Id)
                                .from(practice::Entity)
                                .and_where(
                                    practice::Column::Kind.is_in(self.kinds().iter().copied()),
                                )
                                .to_owned(),
                        ),
                    ),
            )
            .add(meeting::Column::Visibility.is_in(self.visibilities().iter().copied()))
    }

    /// The meetings this reader may see; add filters and order as needed. Every list,
    /// count, calendar feed and digest of meetings starts here.
    pub fn meetings(self) -> Select<meeting::Entity> {
        meeting::Entity::find().filter(self.meeting_condition())
    }

    /// The check for one meeting, given its practice (`None`: the whole community's).
    pub fn may_see_meeting(
        self,
        meeting: &meeting::Model,
        practice: Option<&practice::Model>,
    ) -> bool {
        let place = match (meeting.practice_id, practice) {
            (None, _) => true,
            (Some(id), Some(p)) => p.id == id && self.may_enter(p.kind),
            (Some(_), None) => false,
        };
        place && self.visibilities().contains(&meeting.visibility)
    }

    /// The ids of the summaries this reader may open, as a subquery (for search).
    pub fn readable_summary_ids(self) -> SelectStatement {
        self.summaries()
            .select_only()
            .column(summary::Column::Id)
            .into_query()
    }

    /// The threads this reader may read; add filters and order as needed.
    pub fn threads(self) -> Select<thread::Entity> {
        thread::Entity::find().filter(self.thread_condition())
    }

    /// Posts whose text this reader may read, as a condition on `posts`.
    fn post_condition(self) -> Condition {
        let readable = Condition::all()
            .add(post::Column::ThreadId.in_subquery(self.thread_ids()))
            .add(post::Column::DeletedAt.is_null());
        match self {
            Reader::Visitor => readable.add(post::Column::HiddenAt.is_null()),
            Reader::Admin { .. } => readable,
            Reader::Member { id } | Reader::Expert { id } => readable.add(
                Condition::any()
                    .add(post::Column::HiddenAt.is_null())
                    .add(post::Column::AuthorId.eq(id))
                    .add(post::Column::ThreadId.in_subquery(moderated_thread_ids(id))),
            ),
        }
    }

    /// The posts whose text this reader may read.
    pub fn posts(self) -> Select<post::Entity> {
        post::Entity::find().filter(self.post_condition())
    }

    /// Posts whose text may go into a mail to this reader (a digest, a notice): readable,
    /// and never a hidden one, whoever the reader is, since a mail is read later and
    /// elsewhere and cannot be taken back.
    pub fn posts_for_mail(self) -> Select<post::Entity> {
        post::Entity::find()
            .filter(post::Column::ThreadId.in_subquery(self.thread_ids()))
            .filter(post::Column::DeletedAt.is_null())
            .filter(post::Column::HiddenAt.is_null())
    }

    /// The summaries this reader may open: published ones for everyone; drafts, those in
    /// review and withdrawn ones for the expert group only.
    pub fn summaries(self) -> Select<summary::Entity> {
        if self.in_expert_group() {
            summary::Entity::find()
        } else {
            published_summaries()
        }
    }

    /// The interventions of the public catalogue: published ones, the same for every
    /// reader (a proposal is read through [`Scope::admits_intervention`]).
    pub fn interventions(self) -> Select<intervention::Entity> {
        intervention::Entity::find()
            .filter(intervention::Column::Status.eq(intervention::Status::Published))
    }

    /// The ids of the interventions this reader may find, as a subquery (for search).
    pub fn readable_intervention_ids(self) -> SelectStatement {
        self.interventions()
            .select_only()
            .column(intervention::Column::Id)
            .into_query()
    }

    /// The check for one summary.
    pub fn admits_summary(self, summary: &summary::Model) -> bool {
        summary.status == SummaryStatus::Published || self.in_expert_group()
    }

    /// This reader's notifications about what they may (still) read: a post hidden or
    /// removed since, or a thread or area out of reach since (a demoted expert), drops out
    /// of the list and the bell. What each kind needs is [`notification::about`]: the post's
    /// text, the thread, or the summary.
    pub fn notifications(self) -> Select<notification::Entity> {
        let Some(id) = self.id() else {
            // A visitor has none.
            return notification::Entity::find().filter(Expr::val(1).eq(0));
        };
        let post_readable = notification::Column::PostId.in_subquery(
            Query::select()
                .column(post::Column::Id)
                .from(post::Entity)
                .cond_where(self.post_condition())
                .to_owned(),
        );
        let special: Vec<&str> = notification::ABOUT_THREAD
            .iter()
            .chain(notification::ABOUT_SUMMARY.iter())
            .chain(notification::FOR_EXPERT_GROUP.iter())
            .chain(notification::FOR_FACILITATORS.iter())
            .copied()
            .collect();
        let mut shown = Condition::any()
            .add(
                Condition::all()
                    .add(notification::Column::Kind.is_not_in(special))
                    .add(post_readable.clone()),
            )
            .add(
                Condition::all()
                    .add(notification::Column::Kind.is_in(notification::ABOUT_THREAD))
                    .add(notification::Column::ThreadId.in_subquery(self.thread_ids())),
            );
        // A flag, while this reader facilitates the practice (administrators everywhere).
        let facilitates = if self.is_admin() {
            Condition::all()
        } else {
            Condition::all()
                .add(notification::Column::ThreadId.in_subquery(moderated_thread_ids(id)))
        };
        shown = shown.add(
            Condition::all()
                .add(notification::Column::Kind.is_in(notification::FOR_FACILITATORS))
                .add(post_readable.clone())
                .add(facilitates),
        );
        // The expert group's own, while this reader is in it.
        if self.in_expert_group() {
            shown = shown
                .add(
                    Condition::all()
                        .add(notification::Column::Kind.eq(notification::NOMINATED))
                        .add(post_readable),
                )
                .add(
                    Condition::all()
                        .add(notification::Column::Kind.is_in(notification::ABOUT_SUMMARY))
                        .add(
                            notification::Column::SummaryId
                                .in_subquery(self.readable_summary_ids()),
                        ),
                );
        }
        notification::Entity::find()
            .filter(notification::Column::UserId.eq(id))
            .filter(shown)
    }
}

/// What a loaded notification is about, for [`Reader::may_be_told`].
#[derive(Clone, Copy, Debug)]
pub enum Told<'a> {
    Post(&'a post::Model, &'a thread::Model, &'a practice::Model),
    Summary(&'a summary::Model),
}

impl Reader {
    /// The rule of [`Reader::notifications`] for one notification already loaded (the mail
    /// job judges many people's at once): may this reader still be told of it? `facilitates`:
    /// the reader facilitates the thread's practice. Keep the two in step.
    pub fn may_be_told(self, kind: &str, about: Told<'_>, facilitates: bool) -> bool {
        if notification::FOR_EXPERT_GROUP.contains(&kind) && !self.in_expert_group() {
            return false;
        }
        match about {
            Told::Summary(s) => {
                notification::ABOUT_SUMMARY.contains(&kind) && self.admits_summary(s)
            }
            Told::Post(post, thread, practice) => {
                if notification::ABOUT_SUMMARY.contains(&kind) {
                    return false;
                }
                if notification::ABOUT_THREAD.contains(&kind) {
                    return self.may_read(thread, practice);
                }
                if notification::FOR_FACILITATORS.contains(&kind)
                    && !(facilitates || self.is_admin())
                {
                    return false;
                }
                self.text(post, thread, practice, facilitates)
                    .is_some_and(Text::is_shown)
            }
        }
    }
}

// Private messages. A conversation is for its participants and nobody else: not a
// facilitator (a conversation belongs to no practice), not an expert, not an administrator.
// The one exception is a message a participant reported: that message alone (not the rest of
// its conversation) is shown to administrators. A member who blocked another no longer sees
// that member's messages anywhere, nor a conversation holding nothing else for them.
impl Reader {
    /// The conversations this reader takes part in, as a subquery of ids.
    fn own_conversation_ids(id: i32) -> SelectStatement {
        Query::select()
            .column(conversation_member::Column::ConversationId)
            .from(conversation_member::Entity)
            .and_where(conversation_member::Column::UserId.eq(id))
            .to_owned()
    }

    /// The members this reader blocked, as a subquery of ids.
    fn blocked_ids(id: i32) -> SelectStatement {
        Query::select()
            .column(block::Column::BlockedId)
            .from(block::Entity)
            .and_where(block::Column::UserId.eq(id))
            .to_owned()
    }

    /// Messages this reader may read, as a condition on `messages`: in a conversation they
    /// take part in, and not by someone they blocked. (A removed message stays, without its
    /// text: the page says a former member's message was removed.)
    fn message_condition(self) -> Condition {
        let Some(id) = self.id() else {
            return Condition::all().add(Expr::val(1).eq(0));
        };
        Condition::all()
            .add(message::Column::ConversationId.in_subquery(Self::own_conversation_ids(id)))
            .add(
                Condition::any()
                    .add(message::Column::AuthorId.is_null())
                    .add(message::Column::AuthorId.not_in_subquery(Self::blocked_ids(id))),
            )
    }

    /// The messages this reader may read; add filters and order as needed. Every page,
    /// count, mail and export of private messages starts here.
    pub fn messages(self) -> Select<message::Entity> {
        message::Entity::find().filter(self.message_condition())
    }

    /// The messages of one conversation that this reader may read (none when they do not
    /// take part in it).
    pub fn messages_in(self, conversation_id: i32) -> Select<message::Entity> {
        self.messages()
            .filter(message::Column::ConversationId.eq(conversation_id))
    }

    /// The conversations this reader takes part in and has something to read in: one that
    /// holds only messages of someone they blocked (a blocked member writing to them alone)
    /// is not there for them — not in their list, not by its address.
    pub fn conversations(self) -> Select<conversation::Entity> {
        let readable = Query::select()
            .column(message::Column::ConversationId)
            .from(message::Entity)
            .cond_where(self.message_condition())
            .to_owned();
        conversation::Entity::find().filter(conversation::Column::Id.in_subquery(readable))
    }

    /// The rule of [`Reader::messages`] for a message already loaded (the mail job judges
    /// many people's at once): `takes_part` in its conversation, and `blocked` its author.
    /// Keep the two in step.
    pub fn admits_message(self, message: &message::Model, takes_part: bool, blocked: bool) -> bool {
        self.id().is_some() && takes_part && (message.author_id.is_none() || !blocked)
    }

    /// Messages a participant reported, for administrators only: each such message alone,
    /// never the conversation around it.
    pub fn reported_messages(self) -> Select<message::Entity> {
        if !self.is_admin() {
            return message::Entity::find().filter(Expr::val(1).eq(0));
        }
        message::Entity::find().filter(
            message::Column::Id.in_subquery(
                Query::select()
                    .column(message_report::Column::MessageId)
                    .from(message_report::Entity)
                    .to_owned(),
            ),
        )
    }
}

/// Whether a post's text may be in the search index, which every reader of its thread
/// searches: only while it is neither hidden nor removed. (Its author and the practice's
/// facilitators still read a hidden post on its page; they do not find it by searching.)
pub fn indexable(post: &post::Model) -> bool {
    post.state() == State::Visible
}

/// Whether a meeting's online link may be given: to someone holding a place (registered,
/// not waiting), and to its organisers — on the page, in their `.ics` and personal feed;
/// never in a list, a practice's public feed, a digest or a reminder to anyone else.
pub fn shows_online_link(registration: Option<&registration::Model>, organises: bool) -> bool {
    organises || registration.is_some_and(|r| r.status == registration::Status::Registered)
}

/// Published summaries: what public lists, feeds, thread pages and digests show, whoever
/// reads them (an expert's own lists take [`Reader::summaries`]). Their text is the
/// published version, never a revision waiting for review.
pub fn published_summaries() -> Select<summary::Entity> {
    summary::Entity::find().filter(summary::Column::Status.eq(SummaryStatus::Published))
}

/// The threads in the practices this person facilitates.
fn moderated_thread_ids(user_id: i32) -> SelectStatement {
    Query::select()
        .column(thread::Column::Id)
        .from(thread::Entity)
        .and_where(
            thread::Column::PracticeId.in_subquery(
                Query::select()
                    .column(membership::Column::PracticeId)
                    .from(membership::Entity)
                    .and_where(membership::Column::UserId.eq(user_id))
                    .and_where(membership::Column::Role.eq(membership::Role::Facilitator))
                    .to_owned(),
            ),
        )
        .to_owned()
}

/// What one reader may read, with the practices they may enter loaded, for pages that
/// judge single items (a thread, a post, a file) or need the practices by slug.
#[derive(Clone, Debug)]
pub struct Scope {
    reader: Reader,
    /// Every practice (and the expert area) the reader may enter, by id.
    practices: HashMap<i32, practice::Model>,
    /// The reader's memberships, by practice id.
    memberships: HashMap<i32, membership::Model>,
}

/// A person's standing in one practice: what they may do there (reading is the rule above).
#[derive(Clone, Debug, Default)]
pub struct Standing {
    pub membership: Option<membership::Model>,
    /// May start threads and reply: a member who joined the practice (facilitators have
    /// joined too), any expert in the expert area, or an administrator; never in an
    /// archived practice.
    pub may_post: bool,
    /// Facilitator of this practice, or administrator.
    pub may_moderate: bool,
}

impl Scope {
    /// Two queries: the practices, and the reader's memberships.
    pub async fn for_viewer(
        db: &impl ConnectionTrait,
        viewer: Option<&user::Model>,
    ) -> Result<Scope, DbErr> {
        let reader = Reader::of(viewer);
        let practices: HashMap<i32, practice::Model> = practice::Entity::find()
            .filter(practice::Column::Kind.is_in(reader.kinds().iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let memberships = match reader.id() {
            None => HashMap::new(),
            Some(id) => membership::Entity::find()
                .filter(membership::Column::UserId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|m| (m.practice_id, m))
                .collect(),
        };
        Ok(Scope {
            reader,
            practices,
            memberships,
        })
    }

    pub fn reader(&self) -> Reader {
        self.reader
    }

    /// The threads this reader may read; add filters and order as needed.
    pub fn threads(&self) -> Select<thread::Entity> {
        self.reader.threads()
    }

    /// The posts whose text this reader may read.
    pub fn posts(&self) -> Select<post::Entity> {
        self.reader.posts()
    }

    /// One thread, if this reader may read it.
    pub async fn thread(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<thread::Model>, DbErr> {
        self.threads()
            .filter(thread::Column::Id.eq(id))
            .one(db)
            .await
    }

    /// One thread with its practice, if this reader may read it: what most thread
    /// handlers start from.
    pub async fn thread_in_practice(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<(thread::Model, practice::Model)>, DbErr> {
        Ok(self.thread(db, id).await?.and_then(|thread| {
            let practice = self.practice(thread.practice_id)?.clone();
            Some((thread, practice))
        }))
    }

    /// Those of these threads this reader may read, by id, in one query: a thread out of
    /// reach is simply absent.
    pub async fn threads_by_id(
        &self,
        db: &impl ConnectionTrait,
        ids: impl IntoIterator<Item = i32>,
    ) -> Result<HashMap<i32, thread::Model>, DbErr> {
        Ok(self
            .threads()
            .filter(thread::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }

    /// One post's place (permalink, moderation) with its thread, if this reader may read
    /// the thread. Whether its text may be shown is [`Scope::text`]'s answer.
    pub async fn post(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<(post::Model, thread::Model)>, DbErr> {
        let Some(post) = post::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        Ok(self.thread(db, post.thread_id).await?.map(|t| (post, t)))
    }

    /// One post with its thread, if this reader may read its text.
    pub async fn readable_post(
        &self,
        db: &impl ConnectionTrait,
        id: i32,
    ) -> Result<Option<(post::Model, thread::Model)>, DbErr> {
        Ok(self
            .post(db, id)
            .await?
            .filter(|(p, t)| self.admits_post(p, t)))
    }

    pub fn admits_thread(&self, thread: &thread::Model) -> bool {
        self.practice(thread.practice_id)
            .is_some_and(|p| self.reader.may_read(thread, p))
    }

    /// Whether this reader publishes interventions: a facilitator of any practice, or an
    /// administrator.
    pub fn publishes_interventions(&self) -> bool {
        self.reader.is_admin()
            || self
                .memberships
                .values()
                .any(|m| m.role == membership::Role::Facilitator)
    }

    /// May this reader open this intervention: a published one, anyone; a proposal, a
    /// declined or a withdrawn one, those who publish and its owner.
    pub fn admits_intervention(&self, intervention: &intervention::Model) -> bool {
        intervention.status == intervention::Status::Published
            || self.may_confirm_intervention(intervention)
    }

    /// May this reader confirm an intervention is still current: those who publish, and
    /// its owner.
    pub fn may_confirm_intervention(&self, intervention: &intervention::Model) -> bool {
        self.publishes_interventions()
            || (self.reader.id().is_some() && self.reader.id() == intervention.owner_id)
    }

    /// May this reader see one proposed version: its author, and those who publish.
    pub fn admits_intervention_version(
        &self,
        version: &crate::entities::intervention_version::Model,
    ) -> bool {
        version.state == crate::entities::intervention_version::State::Published
            || self.publishes_interventions()
            || self.reader.id() == Some(version.author_id)
    }

    /// Whether this reader facilitates the practice (administrators facilitate all).
    pub fn moderates(&self, practice_id: i32) -> bool {
        self.reader.is_admin()
            || self
                .memberships
                .get(&practice_id)
                .is_some_and(|m| m.role == membership::Role::Facilitator)
    }

    /// What this reader may do in a practice they may enter.
    pub fn standing(&self, practice: &practice::Model) -> Standing {
        let membership = self.memberships.get(&practice.id).cloned();
        // The expert area has no joining: every expert (and administrator) takes part.
        let participant = match practice.kind {
            Kind::Expert => self.reader.in_expert_group(),
            Kind::Practice => self.reader.is_admin() || membership.is_some(),
        };
        Standing {
            may_post: self.reader.id().is_some()
                && self.may_enter(practice)
                && !practice.archived
                && participant,
            may_moderate: self.reader.id().is_some()
                && self.may_enter(practice)
                && self.moderates(practice.id),
            membership,
        }
    }

    fn may_enter(&self, practice: &practice::Model) -> bool {
        self.practices.contains_key(&practice.id)
    }

    /// What of this post's text the reader gets; `None` when the thread is out of reach.
    pub fn text(&self, post: &post::Model, thread: &thread::Model) -> Option<Text> {
        let practice = self.practice(thread.practice_id)?;
        self.reader
            .text(post, thread, practice, self.moderates(practice.id))
    }

    /// Whether this reader may read the post's text.
    pub fn admits_post(&self, post: &post::Model, thread: &thread::Model) -> bool {
        self.text(post, thread).is_some_and(Text::is_shown)
    }

    /// Whether a visitor may read this post's text too (so a copy may be cached).
    pub fn is_public(&self, post: &post::Model, thread: &thread::Model) -> bool {
        self.practice(thread.practice_id).is_some_and(|practice| {
            Reader::Visitor.text(post, thread, practice, false)
                == Some(Text::Shown { hidden: false })
        })
    }

    /// Earlier versions of a post — which may hold what its author took out on purpose —
    /// are for its author, the practice's facilitators and administrators; they may also
    /// redact one. Everyone else sees only that, and when, it was edited.
    pub fn admits_revisions(&self, post: &post::Model, thread: &thread::Model) -> bool {
        self.reader.id().is_some_and(|id| {
            self.admits_post(post, thread)
                && (id == post.author_id || self.moderates(thread.practice_id))
        })
    }

    /// Who may change who reads a thread of a learning practice: its author (while still
    /// taking part there) and the practice's facilitators. Threads of the expert area stay
    /// the area's own.
    pub fn may_change_visibility(
        &self,
        thread: &thread::Model,
        practice: &practice::Model,
    ) -> bool {
        let Some(id) = self.reader.id() else {
            return false;
        };
        practice.kind == Kind::Practice
            && self.admits_thread(thread)
            && ((id == thread.author_id && self.standing(practice).may_post)
                || self.standing(practice).may_moderate)
    }

    /// One meeting, judged with the practices already loaded.
    pub fn admits_meeting(&self, meeting: &meeting::Model) -> bool {
        let practice = meeting.practice_id.and_then(|id| self.practice(id));
        self.reader.may_see_meeting(meeting, practice)
    }

    /// Who may plan, change and cancel a meeting, see its registrations and mark who came:
    /// the facilitators of its practice (or area), its organisers while they still take part
    /// there, and administrators; a meeting of the whole community is the administrators'
    /// (and its organisers').
    pub fn organises(&self, meeting: &meeting::Model, organiser: bool) -> bool {
        let takes_part = match meeting.practice_id.and_then(|id| self.practice(id)) {
            None => meeting.practice_id.is_none(),
            Some(p) => self.standing(p).may_post,
        };
        self.reader.id().is_some()
            && self.admits_meeting(meeting)
            && ((organiser && takes_part)
                || self.reader.is_admin()
                || meeting.practice_id.is_some_and(|id| self.moderates(id)))
    }

    /// Who may plan a new meeting in a practice (`None`: for the whole community).
    pub fn may_plan_meeting(&self, practice: Option<&practice::Model>) -> bool {
        match practice {
            None => self.reader.is_admin(),
            Some(p) => {
                self.reader.id().is_some()
                    && self.may_enter(p)
                    && !p.archived
                    && self.moderates(p.id)
            }
        }
    }

    /// A file: one waiting in a form is its uploader's; one on a post follows the post.
    pub fn admits_attachment(
        &self,
        file: &attachment::Model,
        on: Option<(&post::Model, &thread::Model)>,
    ) -> bool {
        match (file.post_id, on) {
            (None, _) => self.reader.id() == Some(file.uploader_id),
            (Some(post_id), Some((post, thread))) => {
                post.id == post_id && self.admits_post(post, thread)
            }
            (Some(_), None) => false,
        }
    }

    /// The practices this reader takes part in, in the administrator's order.
    pub fn joined_practices(&self) -> Vec<&practice::Model> {
        let mut joined: Vec<&practice::Model> = self
            .memberships
            .keys()
            .filter_map(|id| self.practices.get(id))
            .filter(|p| !p.archived)
            .collect();
        joined.sort_by_key(|p| (p.position, p.id));
        joined
    }

    pub fn practice(&self, id: i32) -> Option<&practice::Model> {
        self.practices.get(&id)
    }

    pub fn practice_by_slug(&self, slug: &str) -> Option<&practice::Model> {
        self.practices.values().find(|p| p.slug == slug)
    }

    /// The practices (and expert area) this reader may enter, in no particular order.
    pub fn practices(&self) -> impl Iterator<Item = &practice::Model> {
        self.practices.values()
    }
}
