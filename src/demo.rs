//! `erbij seed demo`: a database full of believable Dutch conversations, for trying the
//! site and for benchmarks — members in every practice, hundreds of threads, one thread of
//! 500 replies. Deterministic (a fixed seed), so two runs give the same site.

use chrono::{Duration, Utc};
use indicatif::ProgressBar;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::{
    entities::{membership, post, practice, thread, user},
    password,
};

/// Demo people sign in with their address and this password.
pub const PASSWORD: &str = "demo-wachtwoord-erbij";
pub const DOMAIN: &str = "demo.erbij.nl";
/// Threads made besides the long one.
pub const THREADS: usize = 300;
pub const LONG_THREAD_REPLIES: usize = 500;

const FIRST: &[&str] = &[
    "Anouk", "Bram", "Carla", "Daan", "Esra", "Fatima", "Gerrit", "Hanneke", "Ilse", "Jeroen",
    "Karim", "Lotte", "Mohamed", "Nicole", "Olga", "Pieter", "Rachida", "Sanne", "Tim", "Ulla",
    "Vincent", "Wendy", "Yusuf", "Zeynep", "Joke", "Kees", "Marieke", "Henk", "Samira", "Ruud",
];
const LAST: &[&str] = &[
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "El Amrani",
    "Yilmaz",
    "Dekker",
    "van Dijk",
    "Kok",
    "Verbeek",
];
const ORGANISATIONS: &[(&str, &str)] = &[
    ("Wijkzorg Noord", "Wijkverpleegkundige"),
    ("Welzijn Rotterdam-Zuid", "Opbouwwerker"),
    (
        "Vrijwilligerscentrale Rotterdam",
        "Vrijwilligerscoördinator",
    ),
    ("Humanitas", "Coördinator maatjesproject"),
    ("Jongerenwerk Feijenoord", "Jongerenwerker"),
    ("Buurthuis De Ster", "Sociaal werker"),
    ("GGD Rotterdam-Rijnmond", "Preventiemedewerker"),
    ("Huisartsenpraktijk Kralingen", "Praktijkondersteuner"),
    ("Stichting Thuis in de Wijk", "Ouderenadviseur"),
];
const TOPICS: &[&str] = &[
    "Hoe begin je het gesprek over eenzaamheid?",
    "Ervaringen met een maatjesproject",
    "Wat neem je mee op huisbezoek?",
    "Signalen die we vaak missen",
    "Samenwerken met de huisarts",
    "Een buurtmaaltijd opzetten",
    "Taal als drempel",
    "Jongeren bereiken via school",
    "Levensverhalen als ingang",
    "Wat doe je als iemand niets wil?",
    "Mantelzorgers die zelf eenzaam zijn",
    "Vrijwilligers vasthouden",
    "Rouw en eenzaamheid",
    "Helpen digitale contacten?",
    "Het netwerk rond een oudere in kaart brengen",
];
/// Rotterdam's districts and neighbourhoods: each topic comes back once for each of them.
const PLACES: &[&str] = &[
    "Charlois",
    "Delfshaven",
    "Feijenoord",
    "IJsselmonde",
    "Kralingen",
    "Crooswijk",
    "Hillegersberg",
    "Schiebroek",
    "Overschie",
    "Prins Alexander",
    "Noord",
    "Centrum",
    "Hoogvliet",
    "Pernis",
    "Rozenburg",
    "Hoek van Holland",
    "Carnisse",
    "Tarwewijk",
    "Bloemhof",
    "Afrikaanderwijk",
];
const SENTENCES: &[&str] = &[
    "Bij ons in de wijk werkt een vast aanspreekpunt het best.",
    "Ik merk dat mensen pas na een paar bezoeken echt vertellen hoe het gaat.",
    "Wij vragen altijd eerst naar vroeger; dat opent veel.",
    "Een kop koffie aan de keukentafel doet meer dan een folder.",
    "De drempel om hulp te vragen is hoog, zeker bij mannen.",
    "Ons lukte het pas toen de buurvrouw mee ging.",
    "Heeft iemand ervaring met een vaste wandelgroep?",
    "Ik deel volgende week de handreiking die we gebruiken.",
    "Belangrijk is dat je terugkomt wanneer je dat belooft.",
    "Bij jongeren werkt een appgroep beter dan een bijeenkomst.",
    "Zingeving komt vaak vanzelf ter sprake als je de tijd neemt.",
    "We hebben goede ervaringen met tolken uit de eigen gemeenschap.",
    "Wat ik mis is een overzicht van activiteiten per wijk.",
    "Misschien kunnen we dit meenemen naar de volgende bijeenkomst?",
];

fn paragraph(rng: &mut StdRng) -> String {
    let n = rng.random_range(1..=4);
    (0..n)
        .filter_map(|_| SENTENCES.choose(rng).copied())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The title of a practice's `k`-th thread, such as "Charlois: hoe begin je het gesprek over
/// eenzaamheid?". A practice goes through every topic before a topic comes back from another
/// place, and each practice starts at a topic and a place of its own.
fn local_title(practice: usize, k: usize) -> String {
    let topic = TOPICS[(k + practice) % TOPICS.len()];
    let place = PLACES[(k / TOPICS.len() + 7 * practice) % PLACES.len()];
    let mut letters = topic.chars();
    let first = letters.next().map(|c| c.to_lowercase().to_string());
    format!("{place}: {}{}", first.unwrap_or_default(), letters.as_str())
}

/// Fills the database. Refuses when demo people exist already.
pub async fn seed(db: &DatabaseConnection, progress: &ProgressBar) -> anyhow::Result<DemoSummary> {
    let existing = user::Entity::find()
        .filter(user::Column::Email.ends_with(format!("@{DOMAIN}")))
        .count(db)
        .await?;
    if existing > 0 {
        anyhow::bail!("this database has demo data already");
    }
    let mut rng = StdRng::seed_from_u64(2015);
    let practices: Vec<practice::Model> = crate::practices::active_practices(db).await?;
    if practices.is_empty() {
        anyhow::bail!("there are no open practices to fill");
    }
    let hash = password::Hashing::default().hash(PASSWORD.into()).await?;
    let now = Utc::now();

    // People: everyone joins two or three practices; the first in each is its facilitator.
    let txn = db.begin().await?;
    let mut people = Vec::new();
    for (i, first) in FIRST.iter().enumerate() {
        let last = LAST[i % LAST.len()];
        let (organisation, job) = ORGANISATIONS[i % ORGANISATIONS.len()];
        let email = format!("{}.{}@{DOMAIN}", first.to_lowercase(), slug::slugify(last));
        let person = user::ActiveModel {
            email: Set(email),
            name: Set(format!("{first} {last}")),
            organisation: Set(organisation.into()),
            job: Set(job.into()),
            password_hash: Set(Some(hash.clone())),
            is_expert: Set(i % 10 == 3),
            lang: Set("nl".into()),
            created_at: Set(now - Duration::days(200)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        people.push(person);
    }
    let mut members_of: Vec<Vec<i32>> = vec![Vec::new(); practices.len()];
    for (i, person) in people.iter().enumerate() {
        for k in 0..(2 + i % 2) {
            let p = (i + k * 2) % practices.len();
            let role = if members_of[p].is_empty() {
                membership::Role::Facilitator
            } else {
                membership::Role::Member
            };
            membership::ActiveModel {
                user_id: Set(person.id),
                practice_id: Set(practices[p].id),
                role: Set(role),
                created_at: Set(now - Duration::days(190)),
            }
            .insert(&txn)
            .await?;
            members_of[p].push(person.id);
        }
    }
    txn.commit().await?;

    progress.set_length(u64::try_from(THREADS + 1).unwrap_or(u64::MAX));
    let mut posts_made = 0usize;
    for n in 0..=THREADS {
        let p = n % practices.len();
        let members = &members_of[p];
        let replies = if n == THREADS {
            LONG_THREAD_REPLIES
        } else {
            rng.random_range(0..15)
        };
        let title = if n == THREADS {
            "Lange draad: wat werkt tegen eenzaamheid in jouw wijk?".to_string()
        } else {
            local_title(p, n / practices.len())
        };
        let visibility = if rng.random_bool(0.25) {
            thread::Visibility::Members
        } else {
            thread::Visibility::Public
        };
        let started = now - Duration::minutes(rng.random_range(60 * 24..60 * 24 * 180));
        let mut at = started;
        let mut rows = Vec::with_capacity(replies + 1);
        let mut last_poster = 0;
        for position in 1..=replies + 1 {
            let author = *members.choose(&mut rng).unwrap_or(&people[0].id);
            last_poster = author;
            rows.push((position, author, at, paragraph(&mut rng)));
            at += Duration::minutes(rng.random_range(5..600));
        }
        let at = rows.last().map(|r| r.2).unwrap_or(started);
        let txn = db.begin().await?;
        let t = thread::ActiveModel {
            practice_id: Set(practices[p].id),
            author_id: Set(rows[0].1),
            title: Set(title),
            visibility: Set(visibility),
            pinned: Set(n < 2),
            locked: Set(false),
            post_count: Set(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
            last_poster_id: Set(Some(last_poster)),
            last_post_at: Set(at.min(now)),
            created_at: Set(started),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for chunk in rows.chunks(500) {
            let models = chunk
                .iter()
                .map(|(position, author, created, body)| post::ActiveModel {
                    thread_id: Set(t.id),
                    author_id: Set(*author),
                    position: Set(i32::try_from(*position).unwrap_or(i32::MAX)),
                    body: Set(body.clone()),
                    created_at: Set((*created).min(now)),
                    ..Default::default()
                });
            post::Entity::insert_many(models).exec(&txn).await?;
        }
        txn.commit().await?;
        posts_made += rows.len();
        progress.inc(1);
    }
    progress.finish();
    Ok(DemoSummary {
        people: people.len(),
        threads: THREADS + 1,
        posts: posts_made,
    })
}

pub struct DemoSummary {
    pub people: usize,
    pub threads: usize,
    pub posts: usize,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn the_threads_of_a_practice_have_titles_of_their_own_that_read_as_local_questions() {
        assert_eq!(
            local_title(0, 0),
            "Charlois: hoe begin je het gesprek over eenzaamheid?"
        );
        assert_eq!(
            local_title(0, 1),
            "Charlois: ervaringen met een maatjesproject"
        );
        assert_eq!(
            local_title(1, TOPICS.len()),
            "Overschie: ervaringen met een maatjesproject"
        );
        for practices in 1..=8 {
            for practice in 0..practices {
                let count = THREADS.div_ceil(practices);
                let titles: HashSet<String> =
                    (0..count).map(|k| local_title(practice, k)).collect();
                assert_eq!(titles.len(), count, "a title comes back in a practice");
            }
        }
    }
}
