//! The city's interventions against loneliness: a public catalogue that members keep up to
//! date. A member proposes a new intervention or a change; a facilitator (of any practice)
//! or an administrator publishes or declines it. Every proposal is a version of its own, so
//! nothing public changes before it is published and the published versions are the
//! intervention's history. An intervention not confirmed for a year is marked stale and its
//! owner reminded ([`stale`]).
//!
//! Who may see what is the visibility rule's ([`crate::visibility::Reader::interventions`],
//! [`crate::visibility::Scope::admits_intervention`]): search, digests, organisation pages
//! and the catalogue all read through it.

pub mod pages;
pub mod proposals;
pub mod stale;
pub mod views;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, Func},
};
use serde::Deserialize;

use crate::{
    directory,
    entities::{intervention, intervention_version, organisation},
    forms::{self, FieldErrors},
    meetings::one_line,
    visibility::Reader,
};

/// Whom an intervention is for. The label is `interventions.group.{slug}`.
pub const TARGET_GROUPS: [&str; 8] = [
    "ouderen",
    "jongeren",
    "migranten",
    "mantelzorgers",
    "nabestaanden",
    "beperking",
    "wijkbewoners",
    "professionals",
];

/// An intervention not confirmed for this long is stale.
pub const STALE_AFTER_DAYS: i64 = 365;

const NAME_MAX: usize = 150;
const LONG_MAX: usize = 10_000;
const LINE_MAX: usize = 300;
const NOTE_MAX: usize = 2_000;
/// Related summaries and threads, at most.
const RELATED_MAX: usize = 12;

/// Whether an intervention went stale: never confirmed, or not for a year.
pub fn is_stale(i: &intervention::Model, now: DateTime<Utc>) -> bool {
    i.status == intervention::Status::Published
        && i.checked_at
            .is_none_or(|at| at < now - Duration::days(STALE_AFTER_DAYS))
}

pub fn target_groups_of(stored: &str) -> Vec<&str> {
    stored
        .split(',')
        .filter(|s| TARGET_GROUPS.contains(s))
        .collect()
}

pub fn store_target_groups<'a>(chosen: impl IntoIterator<Item = &'a str>) -> String {
    let chosen: Vec<&str> = chosen.into_iter().collect();
    let kept: Vec<&str> = TARGET_GROUPS
        .iter()
        .copied()
        .filter(|g| chosen.contains(g))
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!(",{},", kept.join(","))
    }
}

/// A link to a related summary or thread, as stored (one a line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Related {
    Summary(String),
    Thread(i32),
}

impl Related {
    /// A site link (`/kennisbundels/slug`, `/onderwerpen/12`, with or without the site's
    /// address in front, a `#post-3` or `?page=2` after).
    pub fn parse(line: &str) -> Option<Related> {
        let line = line.trim();
        let path = match line.find("://") {
            Some(at) => {
                let rest = &line[at + 3..];
                &rest[rest.find('/')?..]
            }
            None => line,
        };
        let path = path.split(['#', '?']).next()?.trim_end_matches('/');
        if let Some(slug) = path.strip_prefix("/kennisbundels/") {
            return directory::plausible_slug(slug).then(|| Related::Summary(slug.to_owned()));
        }
        if let Some(id) = path.strip_prefix("/onderwerpen/") {
            return id
                .parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .map(Related::Thread);
        }
        None
    }

    pub fn path(&self) -> String {
        match self {
            Related::Summary(slug) => format!("/kennisbundels/{slug}"),
            Related::Thread(id) => format!("/onderwerpen/{id}"),
        }
    }

    pub fn all_of(stored: &str) -> Vec<Related> {
        stored.lines().filter_map(Related::parse).collect()
    }
}

/// What a proposal says: the form, and a version's content.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Content {
    pub name: String,
    pub organisation: String,
    pub description: String,
    pub group: Vec<String>,
    pub district: Vec<String>,
    pub referral: String,
    pub contact: String,
    pub cost: String,
    pub languages: String,
    pub evidence: String,
    pub related: String,
    /// What the proposer says about the proposal.
    pub note: String,
}

impl Content {
    pub fn of(v: &intervention_version::Model, organisations: &[organisation::Model]) -> Content {
        Content {
            name: v.name.clone(),
            organisation: v
                .organisation_id
                .and_then(|id| organisations.iter().find(|o| o.id == id))
                .map(|o| o.slug.clone())
                .unwrap_or_default(),
            description: v.description.clone(),
            group: target_groups_of(&v.target_groups)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            district: directory::districts_of(&v.districts)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            referral: v.referral.clone(),
            contact: v.contact.clone(),
            cost: v.cost.clone(),
            languages: v.languages.clone(),
            evidence: v.evidence.clone(),
            related: v.related.clone(),
            note: String::new(),
        }
    }

    /// The problems, in the form's order, and the organisation chosen.
    pub fn validate(&self, organisations: &[organisation::Model]) -> (FieldErrors, Option<i32>) {
        let mut errors = FieldErrors::default();
        errors.text("name", &one_line(&self.name), NAME_MAX);
        let organisation = match self.organisation.trim() {
            "" => None,
            slug => match organisations.iter().find(|o| o.slug == slug) {
                Some(o) => Some(o.id),
                None => {
                    errors.add("organisation", "form.choose");
                    None
                }
            },
        };
        errors.markdown("description", &self.description, LONG_MAX);
        if self
            .group
            .iter()
            .all(|g| !TARGET_GROUPS.contains(&g.as_str()))
        {
            errors.add("group", "interventions.choose_group");
        }
        errors.markdown("referral", &self.referral, LONG_MAX);
        for (field, value) in [
            ("contact", &self.contact),
            ("cost", &self.cost),
            ("languages", &self.languages),
        ] {
            if value.chars().count() > LINE_MAX {
                errors.add(field, "form.too_long");
            }
        }
        if self.evidence.chars().count() > LONG_MAX {
            errors.add("evidence", "form.too_long");
        } else if crate::markdown::nesting_depth(&self.evidence) > crate::markdown::MAX_NESTING {
            errors.add("evidence", "form.too_deeply_nested");
        }
        let lines: Vec<&str> = self
            .related
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.len() > RELATED_MAX || lines.iter().any(|l| l.len() > 500) {
            errors.add("related", "form.too_long");
        } else if lines.iter().any(|l| Related::parse(l).is_none()) {
            errors.add("related", "interventions.related_invalid");
        }
        if self.note.chars().count() > NOTE_MAX {
            errors.add("note", "form.too_long");
        }
        (errors, organisation)
    }

    /// The version this content makes (not yet saved).
    pub fn version(
        &self,
        organisation: Option<i32>,
        intervention_id: i32,
        author_id: i32,
        now: DateTime<Utc>,
    ) -> intervention_version::ActiveModel {
        use sea_orm::ActiveValue::Set;
        let related: Vec<String> = self
            .related
            .lines()
            .filter_map(Related::parse)
            .map(|r| r.path())
            .collect();
        intervention_version::ActiveModel {
            intervention_id: Set(intervention_id),
            author_id: Set(author_id),
            created_at: Set(now),
            state: Set(intervention_version::State::Pending),
            note: Set(forms::multi_line(&self.note)),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_note: Set(String::new()),
            name: Set(one_line(&self.name)),
            organisation_id: Set(organisation),
            description: Set(forms::multi_line(&self.description)),
            target_groups: Set(store_target_groups(self.group.iter().map(String::as_str))),
            districts: Set(directory::store_districts(
                self.district.iter().map(String::as_str),
            )),
            referral: Set(forms::multi_line(&self.referral)),
            contact: Set(one_line(&self.contact)),
            cost: Set(one_line(&self.cost)),
            languages: Set(one_line(&self.languages)),
            evidence: Set(forms::multi_line(&self.evidence)),
            related: Set(related.join("\n")),
            ..Default::default()
        }
    }
}

/// Narrowing the catalogue; each filter narrows further.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    #[serde(rename = "doelgroep")]
    pub group: String,
    #[serde(rename = "wijk")]
    pub district: String,
    #[serde(rename = "organisatie")]
    pub organisation: String,
    pub page: Option<u64>,
}

/// A published intervention with the version everybody reads.
#[derive(Clone, Debug)]
pub struct Entry {
    pub intervention: intervention::Model,
    pub version: intervention_version::Model,
}

/// The published interventions that pass the filters, by name: two queries whatever the
/// number. An unknown filter value finds nothing.
pub async fn catalogue(
    db: &impl ConnectionTrait,
    reader: Reader,
    filter: &Filter,
    organisations: &[organisation::Model],
) -> Result<Vec<Entry>, DbErr> {
    let mut condition = Condition::all().add(
        intervention_version::Column::Id.in_subquery(
            reader
                .interventions()
                .select_only()
                .column(intervention::Column::PublishedVersionId)
                .into_query(),
        ),
    );
    let nothing = Expr::val(1).eq(0);
    let group = filter.group.trim();
    if !group.is_empty() {
        condition = if TARGET_GROUPS.contains(&group) {
            condition.add(intervention_version::Column::TargetGroups.contains(format!(",{group},")))
        } else {
            condition.add(nothing.clone())
        };
    }
    let district = filter.district.trim();
    if !district.is_empty() {
        condition = if directory::district_name(district).is_some() {
            // One for the whole city is there in every district.
            condition.add(
                Condition::any()
                    .add(intervention_version::Column::Districts.contains(format!(",{district},")))
                    .add(intervention_version::Column::Districts.eq("")),
            )
        } else {
            condition.add(nothing.clone())
        };
    }
    let org = filter.organisation.trim();
    if !org.is_empty() {
        condition = match organisations.iter().find(|o| o.slug == org) {
            Some(o) => condition.add(intervention_version::Column::OrganisationId.eq(o.id)),
            None => condition.add(nothing),
        };
    }
    let versions = intervention_version::Entity::find()
        .filter(condition)
        .order_by_asc(Expr::expr(Func::lower(Expr::col(
            intervention_version::Column::Name,
        ))))
        .order_by_asc(intervention_version::Column::Id)
        .all(db)
        .await?;
    entries(db, versions).await
}

/// The interventions of these published versions, in the versions' order.
pub async fn entries(
    db: &impl ConnectionTrait,
    versions: Vec<intervention_version::Model>,
) -> Result<Vec<Entry>, DbErr> {
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let mut interventions: HashMap<i32, intervention::Model> = intervention::Entity::find()
        .filter(intervention::Column::Id.is_in(versions.iter().map(|v| v.intervention_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    Ok(versions
        .into_iter()
        .filter_map(|version| {
            let intervention = interventions.remove(&version.intervention_id)?;
            (intervention.published_version_id == Some(version.id)).then_some(Entry {
                intervention,
                version,
            })
        })
        .collect())
}

/// The published interventions of one organisation, by name.
pub async fn of_organisation(
    db: &impl ConnectionTrait,
    reader: Reader,
    organisation: &organisation::Model,
) -> Result<Vec<Entry>, DbErr> {
    let filter = Filter {
        organisation: organisation.slug.clone(),
        ..Default::default()
    };
    catalogue(db, reader, &filter, std::slice::from_ref(organisation)).await
}

pub async fn organisations(db: &impl ConnectionTrait) -> Result<Vec<organisation::Model>, DbErr> {
    organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<intervention::Model>, DbErr> {
    if !directory::plausible_slug(slug) {
        return Ok(None);
    }
    intervention::Entity::find()
        .filter(intervention::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// A new intervention, proposed by `owner` (not saved yet; its text is its first version).
pub fn proposed(slug: String, owner: i32, now: DateTime<Utc>) -> intervention::ActiveModel {
    use sea_orm::ActiveValue::Set;
    intervention::ActiveModel {
        slug: Set(slug),
        status: Set(intervention::Status::Proposed),
        published_version_id: Set(None),
        owner_id: Set(Some(owner)),
        created_at: Set(now),
        updated_at: Set(now),
        published_at: Set(None),
        checked_at: Set(None),
        reminded_at: Set(None),
        ..Default::default()
    }
}

/// A slug no other intervention has, from its name.
pub async fn free_slug(db: &impl ConnectionTrait, name: &str) -> Result<String, DbErr> {
    let mut base: String = slug::slugify(name).chars().take(60).collect();
    base = base.trim_end_matches('-').to_owned();
    if base.is_empty() {
        base = "interventie".into();
    }
    let taken: Vec<String> = intervention::Entity::find()
        .filter(intervention::Column::Slug.starts_with(&base))
        .all(db)
        .await?
        .into_iter()
        .map(|i| i.slug)
        .collect();
    if !taken.contains(&base) {
        return Ok(base);
    }
    Ok((2..)
        .map(|n| format!("{base}-{n}"))
        .find(|s| !taken.contains(s))
        .unwrap_or(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_links_are_read_from_paths_and_full_addresses() {
        assert_eq!(
            Related::parse("https://erbij.example/kennisbundels/huisbezoek#bron"),
            Some(Related::Summary("huisbezoek".into()))
        );
        assert_eq!(
            Related::parse(" /onderwerpen/12?pagina=2 "),
            Some(Related::Thread(12))
        );
        assert_eq!(Related::parse("/onderwerpen/-3"), None);
        assert_eq!(Related::parse("/leden/4"), None);
        assert_eq!(Related::parse("https://elders.example"), None);
        assert_eq!(Related::parse("/kennisbundels/Über\u{0}"), None);
    }

    #[test]
    fn target_groups_keep_only_known_ones_in_order() {
        assert_eq!(
            store_target_groups(["migranten", "onzin", "ouderen"]),
            ",ouderen,migranten,"
        );
        assert_eq!(store_target_groups([]), "");
        assert_eq!(target_groups_of(",ouderen,x,"), vec!["ouderen"]);
    }
}
