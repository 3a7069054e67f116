//! Digests: what a subscriber gets for a period — the new published summaries first, then
//! per followed practice the new and the active public threads, each with a short excerpt
//! and an absolute link. Subscribers read as visitors: the visitor's [`Scope`] chooses the
//! threads, so nothing members-only can get in. A member's own digest (chosen on their
//! profile) reads through the member's scope instead. Nothing new means no digest.
//!
//! Composing is here; `delivery` queues and sends it through the outbox.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use maud::html;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::{
    AppState,
    entities::{
        intervention, intervention_version, meeting, post, practice, subscriber, summary, thread,
        user,
    },
    forum::Scope,
    i18n::Lang,
    mail::{Email, Letter},
    markdown::excerpt,
    subscriptions,
};

/// Characters of plain text shown under each title.
const EXCERPT: usize = 220;
/// A digest lists the meetings of the coming six weeks, at most ten.
const MEETINGS_AHEAD_DAYS: i64 = 42;
const MEETINGS_LISTED: u64 = 10;

#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// The period a subscriber's next digest covers, ending at `end`.
    pub fn ending(end: DateTime<Utc>, frequency: &str) -> Period {
        let days = if frequency == subscriber::MONTHLY {
            30
        } else {
            7
        };
        Period {
            start: end - Duration::days(days),
            end,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Item {
    pub title: String,
    pub path: String,
    pub excerpt: String,
}

#[derive(Clone, Debug)]
pub struct Section {
    pub practice: practice::Model,
    pub new: Vec<Item>,
    pub active: Vec<Item>,
}

#[derive(Clone, Debug)]
pub struct Digest {
    pub summaries: Vec<Item>,
    /// Interventions that came into the catalogue in the period (public for everyone).
    pub interventions: Vec<Item>,
    /// Coming meetings of the followed practices and of the whole community.
    pub meetings: Vec<meeting::Model>,
    /// How many of them were announced in this period (only news makes a digest go).
    pub new_meetings: usize,
    pub sections: Vec<Section>,
}

impl Digest {
    pub fn count(&self) -> usize {
        self.summaries.len()
            + self.interventions.len()
            + self.new_meetings
            + self
                .sections
                .iter()
                .map(|s| s.new.len() + s.active.len())
                .sum::<usize>()
    }
}

/// What `sub` should get for `period`, or `None` when nothing is new.
pub async fn compose(
    db: &impl ConnectionTrait,
    sub: &subscriber::Model,
    period: Period,
) -> Result<Option<Digest>, DbErr> {
    // A member's own digest reads with the member's eyes; everyone else reads as a visitor.
    let member = match sub.user_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let scope = Scope::for_viewer(db, member.as_ref()).await?;
    let chosen: Option<Vec<i32>> = if sub.all_practices {
        None
    } else {
        Some(crate::subscriptions::chosen_practices(db, sub.id).await?)
    };
    compose_for(db, &scope, chosen.as_deref(), sub.summaries, period).await
}

/// The digest for one set of choices, read through `scope`: `chosen` practices (`None`:
/// all of them) and whether the new summaries come first. Subscribers with the same
/// choices get the same digest, so a run composes each set of choices once.
pub async fn compose_for(
    db: &impl ConnectionTrait,
    scope: &Scope,
    chosen: Option<&[i32]>,
    with_summaries: bool,
    period: Period,
) -> Result<Option<Digest>, DbErr> {
    let followed: Vec<i32> = match chosen {
        None => scope
            .practices()
            .filter(|p| p.kind == practice::Kind::Practice && !p.archived)
            .map(|p| p.id)
            .collect(),
        Some(ids) => ids.to_vec(),
    };
    let summaries = if with_summaries {
        let list = crate::visibility::published_summaries()
            .filter(summary::Column::PublishedAt.gte(period.start))
            .filter(summary::Column::PublishedAt.lt(period.end))
            .order_by_asc(summary::Column::PublishedAt)
            .all(db)
            .await?;
        // The published version only: a revision under review is not news yet.
        let versions = crate::summaries::edit::live_versions(db, &list).await?;
        list.iter()
            .filter_map(|s| {
                let v = versions.get(&s.id)?;
                Some(Item {
                    title: v.title.clone(),
                    path: format!("/kennisbundels/{}", s.slug),
                    excerpt: excerpt(&v.body, EXCERPT),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let new_interventions = scope
        .reader()
        .interventions()
        .filter(intervention::Column::PublishedAt.gte(period.start))
        .filter(intervention::Column::PublishedAt.lt(period.end))
        .all(db)
        .await?;
    let interventions: Vec<Item> = if new_interventions.is_empty() {
        Vec::new()
    } else {
        let versions = intervention_version::Entity::find()
            .filter(
                intervention_version::Column::Id.is_in(
                    new_interventions
                        .iter()
                        .filter_map(|i| i.published_version_id),
                ),
            )
            .all(db)
            .await?;
        crate::interventions::entries(db, versions)
            .await?
            .into_iter()
            .map(|e| Item {
                title: e.version.name.clone(),
                path: format!("/interventies/{}", e.intervention.slug),
                excerpt: excerpt(&e.version.description, EXCERPT),
            })
            .collect()
    };
    // Read with the same eyes as the threads: a visitor's digest holds public meetings only.
    let meetings = scope
        .reader()
        .meetings()
        .filter(
            sea_orm::Condition::any()
                .add(meeting::Column::PracticeId.is_in(followed.iter().copied()))
                .add(meeting::Column::PracticeId.is_null()),
        )
        .filter(meeting::Column::State.eq(meeting::MeetingState::Planned))
        .filter(meeting::Column::StartsAt.gte(period.end))
        .filter(meeting::Column::StartsAt.lt(period.end + Duration::days(MEETINGS_AHEAD_DAYS)))
        .order_by_asc(meeting::Column::StartsAt)
        .limit(MEETINGS_LISTED)
        .all(db)
        .await?;
    let new_meetings = meetings
        .iter()
        .filter(|m| m.created_at >= period.start && m.created_at < period.end)
        .count();
    let threads = scope
        .threads()
        .filter(thread::Column::PracticeId.is_in(followed.iter().copied()))
        .filter(thread::Column::LastPostAt.gte(period.start))
        .filter(thread::Column::CreatedAt.lt(period.end))
        .order_by_desc(thread::Column::LastPostAt)
        .all(db)
        .await?;
    let openings: HashMap<i32, String> = scope
        .reader()
        .posts_for_mail()
        .filter(post::Column::ThreadId.is_in(threads.iter().map(|t| t.id)))
        .filter(post::Column::Position.eq(1))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.thread_id, excerpt(&p.body, EXCERPT)))
        .collect();
    let mut sections: Vec<Section> = Vec::new();
    let mut practices: Vec<&practice::Model> = followed
        .iter()
        .filter_map(|id| scope.practice(*id))
        .collect();
    practices.sort_by_key(|p| (p.position, p.id));
    for p in practices {
        let item = |t: &thread::Model| Item {
            title: t.title.clone(),
            path: format!("/onderwerpen/{}", t.id),
            excerpt: openings.get(&t.id).cloned().unwrap_or_default(),
        };
        let mine = threads.iter().filter(|t| t.practice_id == p.id);
        let new: Vec<Item> = mine
            .clone()
            .filter(|t| t.created_at >= period.start)
            .map(item)
            .collect();
        let active: Vec<Item> = mine
            .filter(|t| t.created_at < period.start)
            .map(item)
            .collect();
        if !new.is_empty() || !active.is_empty() {
            sections.push(Section {
                practice: p.clone(),
                new,
                active,
            });
        }
    }
    let digest = Digest {
        summaries,
        interventions,
        meetings,
        new_meetings,
        sections,
    };
    Ok((digest.count() > 0).then_some(digest))
}

/// The mail: HTML and text with the same content, absolute links, and the manage and
/// one-click unsubscribe links of the subscriber.
pub fn render(state: &AppState, sub: &subscriber::Model, digest: &Digest, period: Period) -> Email {
    let lang = Lang::parse(&sub.lang).unwrap_or_default();
    let url = |path: &str| state.settings.url(path);
    let subject_key = if sub.frequency == subscriber::MONTHLY {
        "digest.subject_monthly"
    } else {
        "digest.subject_weekly"
    };
    let subject = rust_i18n::t!(
        subject_key,
        locale = lang.code(),
        n = digest.count(),
        date = lang
            .datetime(period.end)
            .split(' ')
            .next()
            .unwrap_or_default()
    )
    .into_owned();
    let mut letter = Letter::new(lang, &sub.email, "digest.title").subject(subject);
    let mut text = String::new();
    // New summaries and new interventions: a heading and the list, when there are any.
    let curated = [
        ("digest.summaries", &digest.summaries),
        ("digest.interventions", &digest.interventions),
    ];
    for (key, items) in curated {
        if items.is_empty() {
            continue;
        }
        text.push_str(&format!("{}\n\n", lang.t(key)));
        for item in items.iter() {
            text.push_str(&format!(
                "* {}\n  {}\n  {}\n\n",
                item.title,
                item.excerpt,
                url(&item.path)
            ));
        }
    }
    if !digest.meetings.is_empty() {
        text.push_str(&format!("{}\n\n", lang.t("meetings.soon")));
        for m in &digest.meetings {
            text.push_str(&format!(
                "* {}\n  {}\n  {}\n\n",
                m.title,
                meeting_line(lang, m),
                url(&format!("/bijeenkomsten/{}", m.id))
            ));
        }
    }
    for section in &digest.sections {
        text.push_str(&format!("{}\n\n", section.practice.name(lang)));
        for (key, items) in [
            ("digest.new", &section.new),
            ("digest.active", &section.active),
        ] {
            if items.is_empty() {
                continue;
            }
            text.push_str(&format!("{}:\n", lang.t(key)));
            for item in items.iter() {
                text.push_str(&format!(
                    "* {}\n  {}\n  {}\n\n",
                    item.title,
                    item.excerpt,
                    url(&item.path)
                ));
            }
        }
    }
    let html = html! {
        @for (key, items) in curated {
            @if !items.is_empty() {
                h2 style="font-size:19px;color:#7a2e0e" { (lang.t(key)) }
                @for item in items.iter() {
                    p { a href=(url(&item.path)) style="color:#7a2e0e;font-weight:bold" { (item.title) } br; (item.excerpt) }
                }
            }
        }
        @if !digest.meetings.is_empty() {
            h2 style="font-size:19px;color:#7a2e0e" { (lang.t("meetings.soon")) }
            @for m in &digest.meetings {
                p { a href=(url(&format!("/bijeenkomsten/{}", m.id))) style="color:#7a2e0e;font-weight:bold" { (m.title) } br; (meeting_line(lang, m)) }
            }
        }
        @for section in &digest.sections {
            h2 style="font-size:19px;color:#7a2e0e" { (section.practice.name(lang)) }
            @for (key, items) in [("digest.new", &section.new), ("digest.active", &section.active)] {
                @if !items.is_empty() {
                    p style="font-weight:bold;margin-bottom:4px" { (lang.t(key)) }
                    @for item in items.iter() {
                        p { a href=(url(&item.path)) style="color:#7a2e0e" { (item.title) } br; (item.excerpt) }
                    }
                }
            }
        }
    };
    letter = letter.para("digest.intro").block(text, html);
    subscriptions::with_manage_links(
        letter,
        state,
        &sub.manage_token,
        "subscriptions.mail_footer",
    )
    .build()
}

/// When and where a meeting is, in one line (never its online link).
fn meeting_line(lang: Lang, m: &meeting::Model) -> String {
    let place = crate::meetings::views::where_text(lang, m);
    let when = crate::meetings::views::when_text(lang, m);
    if place.is_empty() {
        when
    } else {
        format!("{when} · {place}")
    }
}
