//! `erbij seed demo`: a database full of believable Dutch conversations, for trying the
//! site and for benchmarks — members in every practice, hundreds of threads, one thread of
//! 500 replies, a dozen published summaries (kennisbundels) and two drafts. Deterministic
//! (a fixed seed), so two runs give the same site.
//!
//! `--scale N` makes about N posts instead, with varied text from [`text`] (a few thousand
//! distinct words, most of them rare), for search benchmarks: people, threads and posts go
//! in with multi-row inserts, and the search index is built once at the end.

use chrono::{Duration, Utc};
use indicatif::ProgressBar;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::{
    entities::{
        membership, post, practice, summary, summary_practice, summary_version, thread, user,
    },
    password,
};

mod text;

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

/// Fills the database with the demo as it has always been. Refuses when demo people exist
/// already.
pub async fn seed(db: &DatabaseConnection, progress: &ProgressBar) -> anyhow::Result<DemoSummary> {
    seed_with(db, progress, None).await
}

/// Fills the database with about `posts` posts of varied text, for benchmarks. Refuses when
/// demo people exist already.
pub async fn seed_scaled(
    db: &DatabaseConnection,
    progress: &ProgressBar,
    posts: usize,
) -> anyhow::Result<DemoSummary> {
    seed_with(db, progress, Some(posts)).await
}

/// How many people a demo of `posts` posts gets: the 30 of the plain demo, then one per 200
/// posts, up to every pair of first and last name.
fn people_for(scale: Option<usize>) -> usize {
    match scale {
        None => FIRST.len(),
        Some(posts) => (posts / 200).clamp(FIRST.len(), FIRST.len() * LAST.len()),
    }
}

/// The `i`-th demo person's first and last name; every pair comes once. The first 30 are
/// those the plain demo has always had.
fn person_name(i: usize) -> (&'static str, &'static str) {
    let (round, k) = (i / FIRST.len(), i % FIRST.len());
    (FIRST[k], LAST[(round + k) % LAST.len()])
}

async fn seed_with(
    db: &DatabaseConnection,
    progress: &ProgressBar,
    scale: Option<usize>,
) -> anyhow::Result<DemoSummary> {
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
    // One hash for everyone: hashing is slow on purpose.
    let hash = password::Hashing::default().hash(PASSWORD.into()).await?;
    let now = Utc::now();

    // People: everyone joins two or three practices; the first in each is its facilitator.
    let txn = db.begin().await?;
    let mut people = Vec::new();
    for i in 0..people_for(scale) {
        let (first, last) = person_name(i);
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
            // As if they last caught up a week ago: their home shows the week's news.
            read_from: Set(now - Duration::days(7)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        people.push(person);
    }
    let mut members_of: Vec<Vec<i32>> = vec![Vec::new(); practices.len()];
    let mut memberships = Vec::new();
    for (i, person) in people.iter().enumerate() {
        for k in 0..(2 + i % 2) {
            let p = (i + k * 2) % practices.len();
            let role = if members_of[p].is_empty() {
                membership::Role::Facilitator
            } else {
                membership::Role::Member
            };
            memberships.push(membership::ActiveModel {
                user_id: Set(person.id),
                practice_id: Set(practices[p].id),
                role: Set(role),
                created_at: Set(now - Duration::days(190)),
            });
            members_of[p].push(person.id);
        }
    }
    for chunk in memberships.chunks(500) {
        membership::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;

    let (threads, posts) = match scale {
        None => plain_threads(db, &mut rng, &practices, &members_of, &people, progress).await?,
        Some(posts) => {
            scaled_threads(
                db,
                &mut rng,
                &practices,
                &members_of,
                &people,
                posts,
                progress,
            )
            .await?
        }
    };
    let experts: Vec<i32> = people
        .iter()
        .filter(|p| p.is_expert)
        .map(|p| p.id)
        .collect();
    let summaries = summaries(db, &experts, &practices).await?;

    // Everything above went in past the index, so it is built once, now.
    progress.set_message("search index");
    progress.set_position(0);
    let indexed = crate::search::index::reindex(db, progress).await?;
    Ok(DemoSummary {
        people: people.len(),
        threads,
        posts,
        summaries,
        indexed,
    })
}

/// The threads of the plain demo: the same ones on every run, and the same as before the
/// demo could scale (tests count on them).
async fn plain_threads(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    practices: &[practice::Model],
    members_of: &[Vec<i32>],
    people: &[user::Model],
    progress: &ProgressBar,
) -> anyhow::Result<(usize, usize)> {
    let now = Utc::now();
    progress.set_length(u64::try_from(THREADS + 1).unwrap_or(u64::MAX));
    let mut posts_made = 0usize;
    let mut written: Vec<(i32, Vec<Row>)> = Vec::new();
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
            let author = *members.choose(rng).unwrap_or(&people[0].id);
            last_poster = author;
            rows.push((position, author, at, paragraph(rng)));
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
        posts_made += rows.len();
        txn.commit().await?;
        written.push((t.id, rows));
        progress.inc(1);
    }
    // All posts at the end, oldest first: post ids follow the order of writing, as on a
    // real site (search's "newest first" and its period filter count on it).
    let txn = db.begin().await?;
    insert_posts(&txn, &written, now).await?;
    txn.commit().await?;
    Ok((THREADS + 1, posts_made))
}

/// One post as the demo writes it: position, author, time, text.
type Row = (usize, i32, chrono::DateTime<Utc>, String);

async fn insert_posts(
    db: &impl sea_orm::ConnectionTrait,
    threads: &[(i32, Vec<Row>)],
    now: chrono::DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    // Oldest first, so that ids follow the order of writing.
    let mut rows: Vec<(i32, &Row)> = threads
        .iter()
        .flat_map(|(thread_id, rows)| rows.iter().map(move |row| (*thread_id, row)))
        .collect();
    rows.sort_by_key(|(thread_id, row)| (row.2.min(now), *thread_id, row.0));
    let mut models: Vec<post::ActiveModel> = Vec::with_capacity(rows.len());
    for (thread_id, (position, author, created, body)) in rows {
        let mut model = post::ActiveModel {
            thread_id: Set(thread_id),
            author_id: Set(*author),
            position: Set(i32::try_from(*position).unwrap_or(i32::MAX)),
            created_at: Set((*created).min(now)),
            ..Default::default()
        };
        crate::forum::bodies::Body::render(body)
            .await
            .write_to(&mut model);
        models.push(model);
    }
    for chunk in models.chunks(500) {
        post::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    Ok(())
}

/// About `target` posts of varied text over two years, in threads of one to 25 posts,
/// written a few hundred threads per statement and transaction, oldest first.
async fn scaled_threads(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    practices: &[practice::Model],
    members_of: &[Vec<i32>],
    people: &[user::Model],
    target: usize,
    progress: &ProgressBar,
) -> anyhow::Result<(usize, usize)> {
    // About 200 threads a batch; each batch has its own stretch of the two years, so that
    // post ids follow the order of writing across batches too.
    const POSTS_PER_BATCH: usize = 2_600;
    let now = Utc::now();
    let span = Duration::days(730);
    let time_at = |posts: usize| {
        let share = posts as f64 / target.max(1) as f64;
        now - span + Duration::seconds((span.num_seconds() as f64 * share) as i64)
    };
    let names: Vec<&str> = FIRST.to_vec();
    let writer = text::Writer::new(rng, PLACES, &names);
    progress.set_length(u64::try_from(target).unwrap_or(u64::MAX));
    let (mut threads_made, mut posts_made) = (0usize, 0usize);
    while posts_made < target {
        let mut batch: Vec<(thread::ActiveModel, Vec<Row>)> = Vec::new();
        let mut in_batch = 0usize;
        let end = (posts_made + POSTS_PER_BATCH).min(target);
        let last_moment = (time_at(end) - Duration::seconds(1)).min(now);
        while posts_made + in_batch < end {
            let n = threads_made + batch.len();
            let p = n % practices.len();
            let members = &members_of[p];
            let left = end - posts_made - in_batch;
            // The first thread is a long one (200 posts, public): ten pages to read, the
            // page the load benchmark measures.
            let long = n == 0;
            let count = if long { 200 } else { rng.random_range(1..=25) }.min(left);
            let started = time_at(posts_made + in_batch).min(last_moment);
            let mut at = started;
            let mut rows = Vec::with_capacity(count);
            for position in 1..=count {
                let author = *members.choose(rng).unwrap_or(&people[0].id);
                rows.push((position, author, at.min(last_moment), writer.post(rng)));
                at += Duration::minutes(rng.random_range(5..600));
            }
            let visibility = if !long && rng.random_bool(0.25) {
                thread::Visibility::Members
            } else {
                thread::Visibility::Public
            };
            let last = rows
                .last()
                .map(|r| (r.1, r.2))
                .unwrap_or((people[0].id, started));
            let thread = thread::ActiveModel {
                practice_id: Set(practices[p].id),
                author_id: Set(rows.first().map(|r| r.1).unwrap_or(people[0].id)),
                title: Set(writer.title(rng, TOPICS, PLACES, n)),
                visibility: Set(visibility),
                pinned: Set(false),
                locked: Set(false),
                post_count: Set(i32::try_from(count).unwrap_or(i32::MAX)),
                last_poster_id: Set(Some(last.0)),
                last_post_at: Set(last.1),
                created_at: Set(started),
                ..Default::default()
            };
            in_batch += count;
            batch.push((thread, rows));
        }
        let txn = db.begin().await?;
        let mut ids: Vec<i32> = thread::Entity::insert_many(batch.iter().map(|(t, _)| t.clone()))
            .exec_with_returning_keys(&txn)
            .await?;
        // Keys come in the order the rows went in; sorted, to be sure.
        ids.sort_unstable();
        let with_ids: Vec<(i32, Vec<Row>)> = ids
            .into_iter()
            .zip(batch.into_iter().map(|(_, rows)| rows))
            .collect();
        insert_posts(&txn, &with_ids, now).await?;
        txn.commit().await?;
        threads_made += with_ids.len();
        posts_made += in_batch;
        progress.inc(u64::try_from(in_batch).unwrap_or(0));
    }
    Ok((threads_made, posts_made))
}

/// A summary of the demo: its title, its opening, and how many practices it draws on.
struct DemoSummaryText {
    title: &'static str,
    opening: &'static str,
    published: bool,
}

const SUMMARIES: &[DemoSummaryText] = &[
    DemoSummaryText {
        title: "Eenzaamheid bespreekbaar maken tijdens het huisbezoek",
        opening: "Tijdens een huisbezoek is er vaak ruimte om over eenzaamheid te praten, \
                  als je de tijd neemt en vraagt naar vroeger.",
        published: true,
    },
    DemoSummaryText {
        title: "Wat werkt in een maatjesproject",
        opening: "Een maatjesproject koppelt iemand die eenzaam is aan een vrijwilliger. \
                  De klik en de duur van het contact maken het verschil.",
        published: true,
    },
    DemoSummaryText {
        title: "Vrijwilligers werven en vasthouden",
        opening: "Vrijwilligers blijven als ze gezien worden: een vast aanspreekpunt, \
                  waardering en ruimte om te stoppen.",
        published: true,
    },
    DemoSummaryText {
        title: "Mantelzorgers die zelf eenzaam worden",
        opening: "Mantelzorgers zorgen voor een ander en raken zelf uit beeld. \
                  Vraag bij elk huisbezoek ook hoe het met de mantelzorger gaat.",
        published: true,
    },
    DemoSummaryText {
        title: "Signalen van eenzaamheid bij ouderen",
        opening: "Eenzaamheid zie je zelden direct. Let op een lege agenda, \
                  een verwaarloosd huis en verhalen die steeds over vroeger gaan.",
        published: true,
    },
    DemoSummaryText {
        title: "Samenwerken met de huisarts tegen eenzaamheid",
        opening: "De huisarts en de praktijkondersteuner zien veel eenzame mensen. \
                  Welzijn op Recept geeft een vaste route van spreekkamer naar buurthuis.",
        published: true,
    },
    DemoSummaryText {
        title: "Een buurtmaaltijd opzetten met vrijwilligers",
        opening: "Samen eten verlaagt de drempel. Een buurtmaaltijd vraagt een keuken, \
                  een paar vaste vrijwilligers en persoonlijke uitnodigingen.",
        published: true,
    },
    DemoSummaryText {
        title: "Taal als drempel: eenzaamheid bij migranten",
        opening: "Wie de taal niet spreekt, vraagt minder snel hulp. Tolken uit de eigen \
                  gemeenschap en een meertalig taalcafé openen deuren.",
        published: true,
    },
    DemoSummaryText {
        title: "Jongeren en eenzaamheid: bereik via school",
        opening: "Ook jongeren zijn eenzaam. Via school, het jongerenwerk en een appgroep \
                  bereik je ze beter dan met een bijeenkomst.",
        published: true,
    },
    DemoSummaryText {
        title: "Rouw en eenzaamheid na verlies van een partner",
        opening: "Na het overlijden van een partner valt het netwerk vaak weg. \
                  Een huisbezoek na drie maanden is een goed moment.",
        published: true,
    },
    DemoSummaryText {
        title: "Digitale contacten tegen eenzaamheid",
        opening: "Beeldbellen en een digicoach helpen sommige ouderen, \
                  maar vervangen geen huisbezoek of maatjesproject.",
        published: true,
    },
    DemoSummaryText {
        title: "Het netwerk rond een oudere in kaart brengen",
        opening: "Een netwerkkaart laat zien wie er nog is: familie, buren, mantelzorgers \
                  en vrijwilligers. Dat geeft houvast voor de volgende stap.",
        published: true,
    },
    DemoSummaryText {
        title: "Levensverhalen als ingang bij eenzaamheid (concept)",
        opening: "Vragen naar een levensverhaal opent het gesprek over eenzaamheid \
                  zonder dat het woord valt.",
        published: false,
    },
    DemoSummaryText {
        title: "Wandelgroepen en beweegmaatjes (concept)",
        opening: "Een vaste wandelgroep brengt mensen samen. Vrijwilligers als \
                  beweegmaatje halen wie niet alleen durft.",
        published: false,
    },
];

/// Sentences the rest of a summary's body is made of: what the threads taught.
const LESSONS: &[&str] = &[
    "Begin klein: één vaste dag, één vaste plek en één vast gezicht.",
    "Vrijwilligers hebben een eigen aanspreekpunt nodig en een moment om ervaringen te delen.",
    "Mantelzorgers komen zelden naar een bijeenkomst; ga bij hen langs.",
    "Een huisbezoek werkt het best als je terugkomt wanneer je dat belooft.",
    "In een maatjesproject is de eerste ontmoeting het spannendst; ga samen.",
    "Eenzaamheid is geen ziekte; praat erover als over het weer, gewoon en zonder oordeel.",
    "De huisarts verwijst sneller door als de route kort en bekend is.",
    "Tolken uit de eigen gemeenschap maken het gesprek veiliger.",
    "Een buurthuis met een open inloop verlaagt de drempel voor wie alleen woont.",
    "Meet niet alleen hoeveel mensen komen, maar ook wie er wegblijft.",
    "Jongeren willen meedoen, niet geholpen worden.",
    "Rouw maakt eenzaam; het netwerk verdwijnt vaak na de begrafenis.",
];

/// The demo's summaries: written by the experts, read by another, each linked to one or
/// two practices; the drafts only the expert group sees.
async fn summaries(
    db: &DatabaseConnection,
    experts: &[i32],
    practices: &[practice::Model],
) -> anyhow::Result<usize> {
    let Some(&first_expert) = experts.first() else {
        return Ok(0);
    };
    let open: Vec<i32> = practices
        .iter()
        .filter(|p| p.kind == practice::Kind::Practice)
        .map(|p| p.id)
        .collect();
    let mut rng = StdRng::seed_from_u64(1412);
    let now = Utc::now();
    let taken: std::collections::HashSet<String> = summary::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let txn = db.begin().await?;
    for (i, spec) in SUMMARIES.iter().enumerate() {
        let author = experts
            .get(i % experts.len())
            .copied()
            .unwrap_or(first_expert);
        let reviewer = experts
            .get((i + 1) % experts.len())
            .copied()
            .unwrap_or(first_expert);
        let mut slug = slug::slugify(spec.title);
        if taken.contains(&slug) {
            slug.push_str("-demo");
        }
        let chosen: Vec<i32> = if open.is_empty() {
            Vec::new()
        } else {
            let one = open[i % open.len()];
            let two = open[(i * 3 + 1) % open.len()];
            if i % 2 == 0 && one != two {
                vec![one, two]
            } else {
                vec![one]
            }
        };
        let lessons: Vec<&str> = LESSONS.choose_multiple(&mut rng, 5).copied().collect();
        let body = format!(
            "{}\n\n## Wat werkt\n\n{}\n\n## Waar je op let\n\n{}",
            spec.opening,
            lessons[..3]
                .iter()
                .map(|l| format!("- {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            lessons[3..].join(" ")
        );
        let references = format!(
            "Movisie | {} | Wat werkt bij eenzaamheid | https://www.movisie.nl/eenzaamheid\n\
             Erbij-praktijk | {} | Ervaringen uit de praktijken | /praktijken",
            2020 + i % 5,
            2024 + i % 2
        );
        let written = now - Duration::days(i64::try_from(120 - i * 7).unwrap_or(0));
        let status = if spec.published {
            summary::SummaryStatus::Published
        } else {
            summary::SummaryStatus::Draft
        };
        let saved = summary::ActiveModel {
            slug: Set(slug),
            status: Set(status),
            lang: Set("nl".into()),
            title: Set(spec.title.into()),
            author_id: Set(author),
            reviewer_id: Set(spec.published.then_some(reviewer)),
            sources_changed: Set(false),
            published_at: Set(spec.published.then_some(written)),
            created_at: Set(written),
            updated_at: Set(written),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let version = summary_version::ActiveModel {
            summary_id: Set(saved.id),
            editor_id: Set(author),
            title: Set(spec.title.into()),
            body: Set(body),
            references_text: Set(references),
            lang: Set(Some("nl".into())),
            practice_ids: Set(Some(
                chosen
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )),
            sources: Set(Some(String::new())),
            created_at: Set(written),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if spec.published {
            let mut active: summary::ActiveModel = saved.clone().into();
            active.published_version_id = Set(Some(version.id));
            active.update(&txn).await?;
        }
        if !chosen.is_empty() {
            summary_practice::Entity::insert_many(chosen.iter().map(|&practice_id| {
                summary_practice::ActiveModel {
                    summary_id: Set(saved.id),
                    practice_id: Set(practice_id),
                }
            }))
            .exec(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(SUMMARIES.len())
}

pub struct DemoSummary {
    pub people: usize,
    pub threads: usize,
    pub posts: usize,
    pub summaries: usize,
    /// Texts in the search index when the demo was done.
    pub indexed: u64,
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
