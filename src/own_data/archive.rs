//! What goes into a member's "my data" zip, and writing it.
//!
//! [`gather`] loads everything about one member in a fixed number of queries; [`write_zip`]
//! turns it into files (Markdown and HTML rendering, copying attachments, compressing) and
//! is blocking work, run on a blocking thread. Nothing written by someone else goes in:
//! only the member's own posts (not the replies around them), the titles of threads they
//! started themselves, and no other member's name, address or id — except their private
//! conversations, a correspondence they are party to: the subject, the participants' names
//! and every message they may read there (`priveberichten.json`), through the same rule
//! as the pages.

use std::{
    collections::HashMap,
    io::Write,
    path::{Path, PathBuf},
};

use maud::{DOCTYPE, PreEscaped, html};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::Query,
};
use serde_json::{Value, json};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use crate::{
    entities::{
        application, attachment, membership, notification, post, post_revision, practice, session,
        subscriber, subscriber_practice, thread, user, watch,
    },
    i18n::Lang,
    markdown,
};

/// Everything about one member, as loaded from the database.
pub struct Gathered {
    pub person: user::Model,
    /// Their posts that still have text (removed ones have none), oldest first.
    pub posts: Vec<post::Model>,
    /// The threads their posts are in; titles are used only of threads they started.
    pub threads: HashMap<i32, thread::Model>,
    pub practices: HashMap<i32, practice::Model>,
    /// Earlier texts of their own posts.
    pub revisions: Vec<post_revision::Model>,
    pub attachments: Vec<attachment::Model>,
    pub memberships: Vec<membership::Model>,
    pub watches: Vec<watch::Model>,
    pub notifications: Vec<notification::Model>,
    /// Texts they were still writing.
    pub drafts: Vec<crate::entities::draft::Model>,
    /// Their registrations for meetings, with the meeting.
    pub meetings: Vec<(
        crate::entities::registration::Model,
        Option<crate::entities::meeting::Model>,
    )>,
    /// The organisations and expertise they named in the directory (names).
    pub organisations: Vec<String>,
    pub expertise: Vec<String>,
    pub subscriber: Option<subscriber::Model>,
    pub subscriber_practices: Vec<i32>,
    pub applications: Vec<application::Model>,
    pub sessions: Vec<session::Model>,
    /// Their private conversations, with the messages they may read.
    pub conversations: Vec<crate::messages::Exported>,
    /// Their proposals for the interventions catalogue (new ones and changes).
    pub proposals: Vec<crate::entities::intervention_version::Model>,
}

/// Loads a member's data, or `None` when the account is gone.
pub async fn gather(db: &impl ConnectionTrait, user_id: i32) -> Result<Option<Gathered>, DbErr> {
    let Some(person) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    let posts = post::Entity::find()
        .filter(post::Column::AuthorId.eq(user_id))
        .filter(post::Column::DeletedAt.is_null())
        .order_by_asc(post::Column::CreatedAt)
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?;
    let own_posts = Query::select()
        .column(post::Column::Id)
        .from(post::Entity)
        .and_where(post::Column::AuthorId.eq(user_id))
        .and_where(post::Column::DeletedAt.is_null())
        .to_owned();
    let their_threads = Query::select()
        .column(post::Column::ThreadId)
        .from(post::Entity)
        .and_where(post::Column::AuthorId.eq(user_id))
        .to_owned();
    let threads: HashMap<i32, thread::Model> = thread::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(thread::Column::Id.in_subquery(their_threads))
                .add(thread::Column::AuthorId.eq(user_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let practices = practice::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let revisions = post_revision::Entity::find()
        .filter(post_revision::Column::PostId.in_subquery(own_posts))
        .order_by_asc(post_revision::Column::PostId)
        .order_by_asc(post_revision::Column::CreatedAt)
        .all(db)
        .await?;
    let attachments = attachment::Entity::find()
        .filter(attachment::Column::UploaderId.eq(user_id))
        .order_by_asc(attachment::Column::Id)
        .all(db)
        .await?;
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .all(db)
        .await?;
    let watches = watch::Entity::find()
        .filter(watch::Column::UserId.eq(user_id))
        .order_by_asc(watch::Column::ThreadId)
        .all(db)
        .await?;
    let notifications = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?;
    let drafts = crate::entities::draft::Entity::find()
        .filter(crate::entities::draft::Column::UserId.eq(user_id))
        .order_by_asc(crate::entities::draft::Column::UpdatedAt)
        .all(db)
        .await?;
    let registrations = crate::entities::registration::Entity::find()
        .filter(crate::entities::registration::Column::UserId.eq(user_id))
        .order_by_asc(crate::entities::registration::Column::CreatedAt)
        .all(db)
        .await?;
    // Only what they may see now: a meeting out of their reach is listed without its title.
    let mut of = crate::visibility::Reader::of(Some(&person))
        .meetings()
        .filter(
            crate::entities::meeting::Column::Id.is_in(registrations.iter().map(|r| r.meeting_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect::<HashMap<_, _>>();
    let meetings = registrations
        .into_iter()
        .map(|r| {
            let m = of.remove(&r.meeting_id);
            (r, m)
        })
        .collect();
    let organisations = crate::entities::organisation::Entity::find()
        .filter(
            crate::entities::organisation::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entities::user_organisation::Column::OrganisationId)
                    .from(crate::entities::user_organisation::Entity)
                    .and_where(crate::entities::user_organisation::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|o| o.name)
        .collect();
    let expertise = crate::entities::expertise_tag::Entity::find()
        .filter(
            crate::entities::expertise_tag::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(crate::entities::user_expertise::Column::TagId)
                    .from(crate::entities::user_expertise::Entity)
                    .and_where(crate::entities::user_expertise::Column::UserId.eq(user_id))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|t| t.name_nl)
        .collect();
    let subscriber = subscriber::Entity::find()
        .filter(subscriber::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    let subscriber_practices = match &subscriber {
        Some(s) => subscriber_practice::Entity::find()
            .filter(subscriber_practice::Column::SubscriberId.eq(s.id))
            .all(db)
            .await?
            .into_iter()
            .map(|sp| sp.practice_id)
            .collect(),
        None => Vec::new(),
    };
    // An application carries no account id; it is theirs by its address.
    let applications = application::Entity::find()
        .filter(application::Column::Email.eq(person.email.as_str()))
        .order_by_asc(application::Column::CreatedAt)
        .all(db)
        .await?;
    let sessions = crate::session::list_for(db, user_id).await?;
    let conversations = crate::messages::for_export(db, &person).await?;
    let proposals = crate::entities::intervention_version::Entity::find()
        .filter(crate::entities::intervention_version::Column::AuthorId.eq(user_id))
        .order_by_asc(crate::entities::intervention_version::Column::Id)
        .all(db)
        .await?;
    Ok(Some(Gathered {
        person,
        posts,
        threads,
        practices,
        revisions,
        attachments,
        memberships,
        watches,
        notifications,
        drafts,
        meetings,
        organisations,
        expertise,
        subscriber,
        subscriber_practices,
        applications,
        sessions,
        conversations,
        proposals,
    }))
}

/// Where a stored attachment lives in a local copy of the files (by content hash).
fn stored_file(uploads_dir: &Path, sha: &str) -> Option<PathBuf> {
    crate::storage::attachment_key(sha, crate::media::Variant::Full)
        .map(|key| uploads_dir.join(key))
}

/// A file name safe inside the zip: no folders, no control characters.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':') {
                '_'
            } else {
                c
            }
        })
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "bijlage".into()
    } else {
        cleaned
    }
}

/// Writes the zip to `out`. Blocking: call it from a blocking thread.
pub fn write_zip(
    data: &Gathered,
    lang: Lang,
    base_url: &str,
    uploads_dir: &Path,
    out: &Path,
) -> anyhow::Result<()> {
    let file = std::fs::File::create(out)?;
    let mut zip = ZipWriter::new(std::io::BufWriter::new(file));
    let text = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // Photos and PDFs are compressed already.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let me = data.person.id;
    let t = |key: &str| lang.t(key).into_owned();

    zip.start_file("README.txt", text)?;
    zip.write_all(readme(data, lang).as_bytes())?;

    let json_files: [(&str, Value); 13] = [
        ("profiel.json", profile_json(&data.person)),
        ("praktijken.json", memberships_json(data, lang)),
        ("volgen.json", watches_json(data, base_url)),
        ("meldingen.json", notifications_json(data, base_url)),
        ("mail.json", mail_json(data)),
        ("toestemming.json", consent_json(data)),
        ("sessies.json", sessions_json(data)),
        ("bijlagen.json", attachments_json(data)),
        ("concepten.json", drafts_json(data)),
        ("bijeenkomsten.json", meetings_json(data, base_url)),
        ("ledengids.json", directory_json(data)),
        ("priveberichten.json", conversations_json(data, base_url)),
        ("interventies.json", proposals_json(data, base_url)),
    ];
    for (name, value) in json_files {
        zip.start_file(name, text)?;
        serde_json::to_writer_pretty(&mut zip, &value)?;
    }

    for p in &data.posts {
        let thread = data.threads.get(&p.thread_id);
        let title = thread
            .filter(|th| th.author_id == me)
            .map(|th| th.title.as_str());
        let link = format!("{base_url}/berichten/{}", p.id);
        let mut header = vec![
            format!("{}: {link}", t("export.file.link")),
            format!(
                "{}: {}",
                t("export.file.posted"),
                lang.datetime(p.created_at)
            ),
        ];
        if let Some(title) = title {
            header.insert(0, format!("{}: {title}", t("export.file.thread")));
        }
        if let Some(at) = p.edited_at {
            header.push(format!(
                "{}: {}",
                t("export.file.edited"),
                lang.datetime(at)
            ));
        }
        if p.hidden_at.is_some() {
            header.push(t("export.file.hidden"));
        }
        zip.start_file(format!("berichten/{}.md", p.id), text)?;
        zip.write_all(markdown_file(&header, &p.body).as_bytes())?;
        zip.start_file(format!("berichten/{}.html", p.id), text)?;
        let heading = title.map_or_else(|| format!("#{}", p.id), str::to_owned);
        zip.write_all(html_file(lang, &heading, &header, &[&p.body]).as_bytes())?;
    }

    // Threads they started: the title and their own posts in it, in order.
    let mut started: Vec<&thread::Model> = data
        .threads
        .values()
        .filter(|th| th.author_id == me)
        .collect();
    started.sort_by_key(|th| th.id);
    for th in started {
        let mut own: Vec<&post::Model> =
            data.posts.iter().filter(|p| p.thread_id == th.id).collect();
        own.sort_by_key(|p| p.position);
        let header = vec![
            format!(
                "{}: {base_url}/onderwerpen/{}",
                t("export.file.link"),
                th.id
            ),
            format!(
                "{}: {}",
                t("export.file.posted"),
                lang.datetime(th.created_at)
            ),
            format!(
                "{}: {}",
                t("export.file.visibility"),
                t(&format!("export.visibility.{}", th.visibility.as_str()))
            ),
        ];
        let bodies: Vec<&str> = own.iter().map(|p| p.body.as_str()).collect();
        let mut md = format!("# {}\n\n", th.title);
        md.push_str(&markdown_file(&header, &bodies.join("\n\n---\n\n")));
        zip.start_file(format!("onderwerpen/{}.md", th.id), text)?;
        zip.write_all(md.as_bytes())?;
        zip.start_file(format!("onderwerpen/{}.html", th.id), text)?;
        zip.write_all(html_file(lang, &th.title, &header, &bodies).as_bytes())?;
    }

    for r in &data.revisions {
        let header = vec![
            format!(
                "{}: {base_url}/berichten/{}",
                t("export.file.link"),
                r.post_id
            ),
            format!(
                "{}: {}",
                t("export.file.version_of"),
                lang.datetime(r.created_at)
            ),
        ];
        zip.start_file(format!("versies/{}-{}.md", r.post_id, r.id), text)?;
        zip.write_all(markdown_file(&header, &r.body).as_bytes())?;
    }

    for a in &data.attachments {
        let Some(path) = stored_file(uploads_dir, &a.sha256) else {
            continue;
        };
        let Ok(mut source) = std::fs::File::open(&path) else {
            tracing::warn!(
                attachment = a.id,
                "an attachment's file is missing; left out"
            );
            continue;
        };
        zip.start_file(
            format!("bijlagen/{}-{}", a.id, safe_name(&a.filename)),
            stored,
        )?;
        std::io::copy(&mut source, &mut zip)?;
    }

    zip.finish()?.flush()?;
    Ok(())
}

fn markdown_file(header: &[String], body: &str) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str("> ");
        out.push_str(line);
        out.push_str("  \n");
    }
    out.push('\n');
    out.push_str(body);
    out.push('\n');
    out
}

fn html_file(lang: Lang, title: &str, header: &[String], bodies: &[&str]) -> String {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body {
                h1 { (title) }
                ul { @for line in header { li { (line) } } }
                @for body in bodies {
                    article { (PreEscaped(markdown::to_html(body))) }
                }
            }
        }
    }
    .into_string()
}

fn readme(data: &Gathered, lang: Lang) -> String {
    let mut out = rust_i18n::t!(
        "export.readme.intro",
        locale = lang.code(),
        name = data.person.name.as_str()
    )
    .into_owned();
    out.push_str("\n\n");
    for (file, key) in [
        ("profiel.json", "export.readme.profile"),
        ("berichten/", "export.readme.posts"),
        ("onderwerpen/", "export.readme.threads"),
        ("versies/", "export.readme.revisions"),
        ("bijlagen/", "export.readme.attachments"),
        ("bijlagen.json", "export.readme.attachments_list"),
        ("praktijken.json", "export.readme.practices"),
        ("volgen.json", "export.readme.watches"),
        ("meldingen.json", "export.readme.notifications"),
        ("mail.json", "export.readme.mail"),
        ("toestemming.json", "export.readme.consent"),
        ("sessies.json", "export.readme.sessions"),
        ("concepten.json", "export.readme.drafts"),
        ("bijeenkomsten.json", "export.readme.meetings"),
        ("ledengids.json", "export.readme.directory"),
        ("priveberichten.json", "export.readme.messages"),
        ("interventies.json", "export.readme.interventions"),
    ] {
        out.push_str(&format!("{file}\n    {}\n", lang.t(key)));
    }
    out.push('\n');
    out.push_str(&lang.t("export.readme.others"));
    out.push('\n');
    out
}

/// Their private conversations: subject, who takes part, and each message they may read
/// (a former member's removed message without text).
fn conversations_json(data: &Gathered, base_url: &str) -> Value {
    Value::Array(
        data.conversations
            .iter()
            .map(|c| {
                json!({
                    "subject": c.subject,
                    "link": format!("{base_url}/berichten/gesprek/{}", c.id),
                    "started_at": c.started_at,
                    "participants": c.participants,
                    "messages": c.messages.iter().map(|m| json!({
                        "from": m.author,
                        "at": m.at,
                        "text": m.text,
                        "removed": m.text.is_none(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The meetings they registered for: which, when, and whether they came.
/// Their proposals for the interventions catalogue, each with what it said and what became
/// of it.
fn proposals_json(data: &Gathered, base_url: &str) -> Value {
    Value::Array(
        data.proposals
            .iter()
            .map(|v| {
                json!({
                    "name": v.name,
                    "written": v.created_at.to_rfc3339(),
                    "state": crate::interventions::views::state_slug(v.state),
                    "note": v.note,
                    "decision_note": v.decision_note,
                    "description": v.description,
                    "referral": v.referral,
                    "contact": v.contact,
                    "cost": v.cost,
                    "languages": v.languages,
                    "evidence": v.evidence,
                    "link": format!("{base_url}/interventies/voorstellen/{}", v.id),
                })
            })
            .collect(),
    )
}

fn meetings_json(data: &Gathered, base_url: &str) -> Value {
    Value::Array(
        data.meetings
            .iter()
            .map(|(r, m)| {
                json!({
                    "meeting": m.as_ref().map(|m| m.title.clone()),
                    "link": m.as_ref().map(|m| format!("{base_url}/bijeenkomsten/{}", m.id)),
                    "starts_at": m.as_ref().map(|m| m.starts_at),
                    "status": crate::meetings::joining::status_key(r.status),
                    "attended": r.attended,
                    "registered_at": r.created_at,
                })
            })
            .collect(),
    )
}

/// Texts not posted yet: where they were being written, and what.
fn drafts_json(data: &Gathered) -> Value {
    Value::Array(
        data.drafts
            .iter()
            .map(|d| {
                json!({
                    "for": d.target,
                    "title": d.title,
                    "text": d.body,
                    "saved_at": d.updated_at,
                })
            })
            .collect(),
    )
}

fn profile_json(p: &user::Model) -> Value {
    json!({
        "name": p.name,
        "email": p.email,
        "handle": p.handle,
        "organisation": p.organisation,
        "job": p.job,
        "about": p.bio,
        "language": p.lang,
        "administrator": p.is_admin,
        "expert_group": p.is_expert,
        "member_since": p.created_at,
        "read_everything_before": p.read_from,
    })
}

/// Their entry in the member directory: everything they filled in, and what they show.
fn directory_json(data: &Gathered) -> Value {
    let p = &data.person;
    json!({
        "organisations": data.organisations,
        "districts": crate::directory::districts_of(&p.districts),
        "expertise": data.expertise,
        "phone": p.phone,
        "show_organisation": p.show_organisation,
        "show_districts": p.show_districts,
        "show_phone": p.show_phone,
        "show_email": p.show_email,
    })
}

fn memberships_json(data: &Gathered, lang: Lang) -> Value {
    Value::Array(
        data.memberships
            .iter()
            .map(|m| {
                let practice = data.practices.get(&m.practice_id);
                json!({
                    "practice": practice.map(|p| p.name(lang)),
                    "slug": practice.map(|p| p.slug.as_str()),
                    "role": match m.role {
                        membership::Role::Member => "member",
                        membership::Role::Facilitator => "facilitator",
                    },
                    "since": m.created_at,
                })
            })
            .collect(),
    )
}

/// Threads are named by their link; a title only when the member started the thread.
fn own_title(data: &Gathered, thread_id: i32) -> Option<&str> {
    data.threads
        .get(&thread_id)
        .filter(|t| t.author_id == data.person.id)
        .map(|t| t.title.as_str())
}

fn watches_json(data: &Gathered, base_url: &str) -> Value {
    Value::Array(
        data.watches
            .iter()
            .map(|w| {
                json!({
                    "thread": format!("{base_url}/onderwerpen/{}", w.thread_id),
                    "title": own_title(data, w.thread_id),
                    "muted": w.muted,
                })
            })
            .collect(),
    )
}

/// Who caused a notification is another member: only what happened, where and when.
fn notifications_json(data: &Gathered, base_url: &str) -> Value {
    Value::Array(
        data.notifications
            .iter()
            .map(|n| {
                json!({
                    "kind": n.kind,
                    "post": n.post_id.map(|id| format!("{base_url}/berichten/{id}")),
                    "thread": n.thread_id.map(|id| format!("{base_url}/onderwerpen/{id}")),
                    "created_at": n.created_at,
                    "read_at": n.read_at,
                    "emailed_at": n.emailed_at,
                })
            })
            .collect(),
    )
}

fn mail_json(data: &Gathered) -> Value {
    let practices: Vec<&str> = data
        .subscriber_practices
        .iter()
        .filter_map(|id| data.practices.get(id))
        .map(|p| p.slug.as_str())
        .collect();
    json!({
        "notifications_by_email": data.person.notify_email,
        "notification_mail_kinds": {
            "replies": data.person.mail_replies,
            "mentions": data.person.mail_mentions,
            "flags_and_hidden_posts": data.person.mail_moderation,
            "expert_group": data.person.mail_experts,
            "private_messages": data.person.mail_messages,
        },
        "chosen_by_you": data.person.mail_chosen,
        "digest": data.subscriber.as_ref().map(|s| json!({
            "email": s.email,
            "status": s.status,
            "language": s.lang,
            "frequency": s.frequency,
            "all_practices": s.all_practices,
            "practices": practices,
            "summaries": s.summaries,
            "created_at": s.created_at,
            "confirmed_at": s.confirmed_at,
        })),
    })
}

fn consent_json(data: &Gathered) -> Value {
    json!({
        "digest_consent": data.subscriber.as_ref().map(|s| json!({
            "text": s.consent_text,
            "at": s.consent_at,
            "ip_address": s.consent_ip,
        })),
        "membership_applications": data.applications.iter().map(|a| json!({
            "email": a.email,
            "name": a.name,
            "organisation": a.organisation,
            "job": a.job,
            "motivation": a.motivation,
            "practices_of_interest": a.interests,
            "language": a.lang,
            "status": a.status,
            "created_at": a.created_at,
            "decided_at": a.decided_at,
        })).collect::<Vec<_>>(),
    })
}

fn sessions_json(data: &Gathered) -> Value {
    Value::Array(
        data.sessions
            .iter()
            .map(|s| {
                json!({
                    "device": s.device,
                    "started_at": s.created_at,
                    "last_used_at": s.last_seen_at,
                    "expires_at": s.expires_at,
                })
            })
            .collect(),
    )
}

fn attachments_json(data: &Gathered) -> Value {
    Value::Array(
        data.attachments
            .iter()
            .map(|a| {
                json!({
                    "file": format!("bijlagen/{}-{}", a.id, safe_name(&a.filename)),
                    "name": a.filename,
                    "type": a.content_type,
                    "size": a.size,
                    "post": a.post_id,
                    "uploaded_at": a.created_at,
                })
            })
            .collect(),
    )
}
