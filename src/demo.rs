//! `erbij seed demo`: a database full of believable Dutch conversations, for trying the
//! site and for benchmarks — members in every practice, hundreds of threads, one thread of
//! 500 replies, a dozen published summaries (kennisbundels) and two drafts. Deterministic
//! (a fixed seed), so two runs give the same site.
//!
//! `--scale N` makes about N posts instead, with varied text from [`text`] (a few thousand
//! distinct words, most of them rare), for search benchmarks: people, threads and posts go
//! in with multi-row inserts, and the search index is built once at the end.
//!
//! Both fill the directory too: the coalition's partner organisations (and a few more), and
//! for every demo person one or two organisations, the districts they work in and their
//! expertise, with a few who show their phone or address and a couple who keep their
//! districts to themselves.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use indicatif::ProgressBar;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::{
    entities::{
        expertise_tag,
        meeting::{self, MeetingState},
        meeting_organiser, membership,
        organisation::{self, Kind},
        post, practice,
        registration::{self, Status},
        summary, summary_practice, summary_version, thread, user, user_expertise,
        user_organisation,
    },
    password,
};

mod interventions;
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
/// A partner organisation in the demo's directory.
struct Partner {
    slug: &'static str,
    name: &'static str,
    kind: Kind,
    /// Where it works: slugs of `directory::DISTRICTS`.
    districts: &'static [&'static str],
    /// Dutch, Markdown.
    description: &'static str,
}

/// The coalition's partners as its public page names them, the municipality, and three
/// organisations made up for the demo (the last three). Of the real ones the demo says no
/// more than what anyone could say in a sentence; their addresses are placeholders.
const PARTNERS: [Partner; 10] = [
    Partner {
        slug: "gemeente-rotterdam",
        name: "Gemeente Rotterdam",
        kind: Kind::Government,
        districts: &[
            "centrum",
            "charlois",
            "delfshaven",
            "feijenoord",
            "hillegersberg-schiebroek",
            "hoek-van-holland",
            "hoogvliet",
            "ijsselmonde",
            "kralingen-crooswijk",
            "noord",
            "overschie",
            "pernis",
            "prins-alexander",
            "rozenburg",
        ],
        description: "De lokale overheid; in de coalitie betrokken bij het beleid rond \
                      eenzaamheid en sociaal isolement in alle gebieden van de stad.",
    },
    Partner {
        slug: "sensoor",
        name: "Sensoor",
        kind: Kind::Volunteer,
        districts: &["centrum", "delfshaven", "noord", "prins-alexander"],
        description: "Vrijwilligersorganisatie die een luisterend oor biedt aan wie behoefte \
                      heeft aan een gesprek; een van de ondertekenaars van de \
                      samenwerkingsovereenkomst van de **Coalitie Erbij**.",
    },
    Partner {
        slug: "humanitas",
        name: "Humanitas",
        kind: Kind::Volunteer,
        districts: &[
            "charlois",
            "feijenoord",
            "kralingen-crooswijk",
            "prins-alexander",
        ],
        description: "Vrijwilligersorganisatie; in Rotterdam onder meer maatjesprojecten en \
                      thuisadministratie.",
    },
    Partner {
        slug: "sol",
        name: "SOL",
        kind: Kind::Welfare,
        districts: &["charlois", "ijsselmonde", "feijenoord"],
        description: "Een van de organisaties die de samenwerkingsovereenkomst van de \
                      **Coalitie Erbij** tekenden.",
    },
    Partner {
        slug: "mdrplus",
        name: "MDRplus",
        kind: Kind::Welfare,
        districts: &["delfshaven", "centrum", "noord"],
        description: "Een van de organisaties die de samenwerkingsovereenkomst van de \
                      **Coalitie Erbij** tekenden.",
    },
    Partner {
        slug: "thermiek",
        name: "Thermiek",
        kind: Kind::Welfare,
        districts: &[
            "kralingen-crooswijk",
            "hillegersberg-schiebroek",
            "overschie",
        ],
        description: "Een van de organisaties die de samenwerkingsovereenkomst van de \
                      **Coalitie Erbij** tekenden.",
    },
    Partner {
        slug: "wmo-radar",
        name: "WMO Radar",
        kind: Kind::Other,
        districts: &["centrum", "feijenoord", "delfshaven"],
        description: "Een van de organisaties die de samenwerkingsovereenkomst van de \
                      **Coalitie Erbij** tekenden.",
    },
    Partner {
        slug: "wijkverpleging-rotte-en-schie",
        name: "Wijkverpleging Rotte en Schie",
        kind: Kind::Care,
        districts: &[
            "noord",
            "hillegersberg-schiebroek",
            "overschie",
            "kralingen-crooswijk",
        ],
        description: "Wijkverpleegkundigen die thuis zorg geven en onderweg **vroeg \
                      signaleren** wie er alleen voor staat.",
    },
    Partner {
        slug: "thuis-in-de-wijk",
        name: "Stichting Thuis in de Wijk",
        kind: Kind::Welfare,
        districts: &["charlois", "ijsselmonde", "hoogvliet", "pernis"],
        description: "Ouderenadviseurs en vrijwilligers die ouderen thuis opzoeken, met hen \
                      meedenken en hen in contact brengen met de buurt.",
    },
    Partner {
        slug: "jongerenwerk-op-zuid",
        name: "Jongerenwerk Op Zuid",
        kind: Kind::Welfare,
        districts: &["charlois", "feijenoord", "ijsselmonde"],
        description: "Jongerenwerkers op straat, op school en in de buurthuizen van Zuid, want \
                      ook jongeren kunnen eenzaam zijn.",
    },
];

fn partner(slug: &str) -> Option<&'static Partner> {
    PARTNERS.iter().find(|p| p.slug == slug)
}

/// What a demo person does: their (first) organisation, their job, and the expertise
/// (slugs of the tags `db::seed` makes) they may claim.
struct Role {
    organisation: &'static str,
    job: &'static str,
    expertise: &'static [&'static str],
}

const ROLES: [Role; 10] = [
    Role {
        organisation: "humanitas",
        job: "Coördinator maatjesproject",
        expertise: &[
            "netwerkversterking",
            "vrijwilligers",
            "signaleren",
            "huisbezoeken",
        ],
    },
    Role {
        organisation: "sol",
        job: "Opbouwwerker",
        expertise: &[
            "netwerkversterking",
            "signaleren",
            "migranten-en-taal",
            "geldzorgen",
        ],
    },
    Role {
        organisation: "wijkverpleging-rotte-en-schie",
        job: "Wijkverpleegkundige",
        expertise: &["huisbezoeken", "dementie", "mantelzorg", "signaleren"],
    },
    Role {
        organisation: "sensoor",
        job: "Vrijwilligerscoördinator",
        expertise: &["vrijwilligers", "zingeving", "signaleren"],
    },
    Role {
        organisation: "mdrplus",
        job: "Maatschappelijk werker",
        expertise: &[
            "geldzorgen",
            "huisbezoeken",
            "migranten-en-taal",
            "mantelzorg",
        ],
    },
    Role {
        organisation: "thuis-in-de-wijk",
        job: "Ouderenadviseur",
        expertise: &["huisbezoeken", "dementie", "mantelzorg", "zingeving"],
    },
    Role {
        organisation: "gemeente-rotterdam",
        job: "Beleidsadviseur sociaal domein",
        expertise: &["netwerkversterking", "signaleren", "jongeren"],
    },
    Role {
        organisation: "thermiek",
        job: "Sociaal werker",
        expertise: &["zingeving", "netwerkversterking", "huisbezoeken"],
    },
    Role {
        organisation: "jongerenwerk-op-zuid",
        job: "Jongerenwerker",
        expertise: &["jongeren", "migranten-en-taal", "signaleren"],
    },
    Role {
        organisation: "wmo-radar",
        job: "Adviseur",
        expertise: &["mantelzorg", "geldzorgen", "netwerkversterking"],
    },
];

/// Where some people also volunteer or have a second post.
const SECOND_ORGANISATIONS: [&str; 4] = ["sensoor", "humanitas", "wmo-radar", "thuis-in-de-wijk"];

/// The `i`-th demo person's job and what the directory knows of them.
struct Listing {
    job: &'static str,
    organisations: Vec<&'static Partner>,
    districts: Vec<&'static str>,
    expertise: Vec<&'static str>,
    phone: String,
    show_districts: bool,
    show_phone: bool,
    show_email: bool,
}

/// Everyone has one organisation (every fourth person two), one to three of its districts
/// and one to three kinds of expertise. Two in seven have a phone number, half of them show
/// it; one in thirteen shows their address; one in fifteen hides their districts (Ilse, the
/// ninth, among them: she works in Charlois).
fn listing(i: usize) -> Listing {
    let role = &ROLES[i % ROLES.len()];
    let round = i / ROLES.len();
    let mut organisations: Vec<&'static Partner> = partner(role.organisation).into_iter().collect();
    if i % 4 == 1 {
        let k = i / 4;
        let second = (0..SECOND_ORGANISATIONS.len())
            .map(|d| SECOND_ORGANISATIONS[(k + d) % SECOND_ORGANISATIONS.len()])
            .find(|s| *s != role.organisation)
            .and_then(partner);
        organisations.extend(second);
    }
    let home = organisations
        .first()
        .map(|p| p.districts)
        .unwrap_or_default();
    let districts = (0..(1 + (2 * i + 1) % 3).min(home.len()))
        .map(|k| home[(round + k) % home.len()])
        .collect();
    let tags = role.expertise;
    let expertise = (0..(1 + (i + 1) % 3).min(tags.len()))
        .map(|k| tags[(round + k) % tags.len()])
        .collect();
    let phone = match i % 7 {
        2 | 5 if i.is_multiple_of(2) => format!("010 123 45 {:02}", i % 100),
        2 | 5 => format!("06 12 34 56 {:02}", i % 100),
        _ => String::new(),
    };
    Listing {
        job: role.job,
        organisations,
        districts,
        expertise,
        phone,
        show_districts: i % 15 != 8,
        show_phone: i % 7 == 2,
        show_email: i % 13 == 4,
    }
}

/// The partner organisations' ids by slug: those the site has already (an administrator
/// may have added one), and the others added.
async fn partner_organisations(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<HashMap<&'static str, i32>, DbErr> {
    let existing = organisation::Entity::find()
        .filter(organisation::Column::Slug.is_in(PARTNERS.iter().map(|p| p.slug)))
        .all(db)
        .await?;
    let mut ids = HashMap::new();
    for p in &PARTNERS {
        let id = match existing.iter().find(|o| o.slug == p.slug) {
            Some(o) => o.id,
            None => {
                organisation::ActiveModel {
                    slug: Set(p.slug.into()),
                    name: Set(p.name.into()),
                    kind: Set(p.kind),
                    description: Set(p.description.into()),
                    website: Set(format!("https://example.org/{}", p.slug)),
                    districts: Set(crate::directory::store_districts(
                        p.districts.iter().copied(),
                    )),
                    created_at: Set(now - Duration::days(210)),
                    updated_at: Set(now - Duration::days(210)),
                    ..Default::default()
                }
                .insert(db)
                .await?
                .id
            }
        };
        ids.insert(p.slug, id);
    }
    Ok(ids)
}

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
    // Each is in the directory with their organisations, districts and expertise.
    let txn = db.begin().await?;
    let organisations = partner_organisations(&txn, now).await?;
    let tags: HashMap<String, i32> = expertise_tag::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| (t.slug, t.id))
        .collect();
    let mut people = Vec::new();
    let mut works_at = Vec::new();
    let mut knows = Vec::new();
    for i in 0..people_for(scale) {
        let (first, last) = person_name(i);
        let listing = listing(i);
        let email = format!("{}.{}@{DOMAIN}", first.to_lowercase(), slug::slugify(last));
        let person = user::ActiveModel {
            email: Set(email),
            name: Set(format!("{first} {last}")),
            organisation: Set(listing
                .organisations
                .first()
                .map(|p| p.name)
                .unwrap_or_default()
                .into()),
            job: Set(listing.job.into()),
            password_hash: Set(Some(hash.clone())),
            is_expert: Set(i % 10 == 3),
            lang: Set("nl".into()),
            created_at: Set(now - Duration::days(200)),
            // As if they last caught up a week ago: their home shows the week's news.
            read_from: Set(now - Duration::days(7)),
            districts: Set(crate::directory::store_districts(
                listing.districts.iter().copied(),
            )),
            phone: Set(listing.phone),
            show_organisation: Set(true),
            show_districts: Set(listing.show_districts),
            show_phone: Set(listing.show_phone),
            show_email: Set(listing.show_email),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        works_at.extend(
            listing
                .organisations
                .iter()
                .filter_map(|p| organisations.get(p.slug))
                .map(|&id| user_organisation::ActiveModel {
                    user_id: Set(person.id),
                    organisation_id: Set(id),
                }),
        );
        knows.extend(
            listing
                .expertise
                .iter()
                .filter_map(|slug| tags.get(*slug))
                .map(|&id| user_expertise::ActiveModel {
                    user_id: Set(person.id),
                    tag_id: Set(id),
                }),
        );
        people.push(person);
    }
    for chunk in works_at.chunks(500) {
        user_organisation::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    for chunk in knows.chunks(500) {
        user_expertise::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
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
    let (meetings, reports) = meetings(db, &practices, &members_of, &people, &experts).await?;
    let facilitators: Vec<i32> = members_of
        .iter()
        .filter_map(|m| m.first().copied())
        .collect();
    let interventions = interventions(db, &organisations, &people, &facilitators, now).await?;
    conversations(db, &people, &facilitators, now).await?;

    // Everything above went in past the index, so it is built once, now.
    progress.set_message("search index");
    progress.set_position(0);
    let indexed = crate::search::index::reindex(db, progress).await?;
    Ok(DemoSummary {
        people: people.len(),
        threads,
        posts,
        summaries,
        meetings,
        reports,
        interventions,
        indexed,
    })
}

/// Private messages of the demo member: a facilitator asks about one of her threads (its
/// last answer not read yet, so her menu counts one), and she asks two others how to refer
/// a client to an intervention. All a few days old: the mail job leaves them alone.
async fn conversations(
    db: &DatabaseConnection,
    people: &[user::Model],
    facilitators: &[i32],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use crate::{forum::bodies::Body, messages};
    let Some(anouk) = people.first() else {
        return Ok(());
    };
    let person = |id: i32| people.iter().find(|p| p.id == id);
    let first_name = |p: &user::Model| p.name.split(' ').next().unwrap_or_default().to_owned();
    let at = |days: i64, hour: i64| now - Duration::days(days) - Duration::hours(hour);

    // Written in the order they happened: the list of conversations goes by the newest
    // message's id.
    // Three people about referring a client; the last word is hers, so all is read.
    let intervention = interventions::INTERVENTIONS[0].name;
    let owner = &people[3 % people.len()];
    let colleague = &people[5 % people.len()];
    if owner.id != anouk.id && colleague.id != anouk.id && owner.id != colleague.id {
        let id = messages::start(
            db,
            anouk,
            &[owner.clone(), colleague.clone()],
            &format!("Aanmelden bij {intervention}"),
            Body::render(&format!(
                "Hoi {} en {},\n\nIk spreek een mevrouw van 82 die sinds het overlijden van haar \
                 man weinig mensen meer ziet. Ze gaf aan dat ze het fijn zou vinden om af en toe \
                 gebeld te worden. Ik dacht aan {intervention}.\n\nHoe melden jullie iemand \
                 aan? En is er op dit moment een wachtlijst?\n\nAnouk",
                first_name(owner),
                first_name(colleague)
            ))
            .await,
            at(10, 4),
        )
        .await?;
        messages::add_message(
            db,
            id,
            owner.id,
            Body::render(
                "Wat goed dat je aan ons denkt. Aanmelden kan met het formulier op de \
                 catalogus-pagina, of je belt even. Er is nu een wachttijd van ongeveer twee \
                 weken; we bellen haar eerst zelf voor een kennismaking.",
            )
            .await,
            at(9, 7),
        )
        .await?;
        messages::add_message(
            db,
            id,
            colleague.id,
            Body::render(
                "Ik heb vorige maand iemand aangemeld en dat ging heel soepel. Tip: vraag \
                 vooraf of ze liever 's ochtends of 's middags gebeld wordt, dat vragen ze bij \
                 de intake.",
            )
            .await,
            at(9, 2),
        )
        .await?;
        messages::add_message(
            db,
            id,
            anouk.id,
            Body::render(
                "Dank jullie wel! Ik heb het met haar besproken en haar vandaag aangemeld. \
                 Ze liet weten dat ze 's ochtends het best bereikbaar is.",
            )
            .await,
            at(8, 5),
        )
        .await?;
    }

    // A facilitator about a thread she started.
    if let Some(facilitator) = facilitators
        .iter()
        .filter(|&&f| f != anouk.id)
        .find_map(|&f| person(f))
    {
        let title = thread::Entity::find()
            .filter(thread::Column::AuthorId.eq(anouk.id))
            .order_by_asc(thread::Column::Id)
            .one(db)
            .await?
            .map(|t| t.title)
            .unwrap_or_else(|| "je vraag in de praktijk".into());
        let id = messages::start(
            db,
            facilitator,
            std::slice::from_ref(anouk),
            &format!("Je draad „{title}”"),
            Body::render(&format!(
                "Hoi Anouk,\n\nDank je voor je draad „{title}”. Er kwamen mooie antwoorden op, \
                 en ik denk dat meer mensen er iets aan hebben.\n\nVind je het goed als ik hem \
                 volgende week in het praktijkoverleg noem? Dan kunnen we samen kijken wat we \
                 ermee doen.\n\nGroet,\n{}",
                first_name(facilitator)
            ))
            .await,
            at(6, 3),
        )
        .await?;
        messages::add_message(
            db,
            id,
            anouk.id,
            Body::render(
                "Ja, graag! Ik kan zelf helaas niet bij het overleg zijn, want ik heb dan \
                 spreekuur. Wil je me laten weten wat eruit komt?",
            )
            .await,
            at(5, 6),
        )
        .await?;
        messages::add_message(
            db,
            id,
            facilitator.id,
            Body::render(&format!(
                "Doe ik. We hebben hem besproken: twee collega's willen een korte opzet \
                 maken voor een **vast inloopmoment**. Ik zet het verslag in de praktijk zodra \
                 het klaar is.\n\nFijn dat je het aankaartte!\n\n{}",
                first_name(facilitator)
            ))
            .await,
            at(3, 2),
        )
        .await?;
    }
    Ok(())
}

/// The catalogue: every demo intervention published (proposed by a member, published by a
/// facilitator, checked some months ago — four over a year ago, so stale), one with a change
/// waiting and one new proposal waiting, so the queue has work.
async fn interventions(
    db: &DatabaseConnection,
    organisations: &HashMap<&'static str, i32>,
    people: &[user::Model],
    facilitators: &[i32],
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    use crate::entities::{
        intervention::{self, Status},
        intervention_version::{self, State},
    };
    use interventions::INTERVENTIONS;
    let txn = db.begin().await?;
    let version = |d: &interventions::DemoIntervention,
                   id: i32,
                   author: i32,
                   at: DateTime<Utc>,
                   state: State| intervention_version::ActiveModel {
        intervention_id: Set(id),
        author_id: Set(author),
        created_at: Set(at),
        state: Set(state),
        note: Set(String::new()),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        name: Set(d.name.into()),
        organisation_id: Set(organisations.get(d.organisation).copied()),
        description: Set(d.description.into()),
        target_groups: Set(crate::interventions::store_target_groups(
            d.groups.iter().copied(),
        )),
        districts: Set(crate::directory::store_districts(
            d.districts.iter().copied(),
        )),
        referral: Set(d.referral.into()),
        contact: Set(d.contact.into()),
        cost: Set(d.cost.into()),
        languages: Set(d.languages.into()),
        evidence: Set(d.evidence.into()),
        related: Set(String::new()),
        ..Default::default()
    };
    let mut made = 0;
    for (n, d) in INTERVENTIONS.iter().enumerate() {
        let owner = people[(n * 7 + 3) % people.len()].id;
        let publisher = facilitators[n % facilitators.len().max(1)];
        let checked = now - Duration::days(i64::from(d.checked_months_ago) * 30 + 2);
        let published = checked - Duration::days(40 + (n as i64 % 5) * 30);
        let slug = crate::interventions::free_slug(&txn, d.name).await?;
        let mut i = crate::interventions::proposed(slug, owner, published - Duration::days(3));
        i.updated_at = Set(checked);
        i.published_at = Set(Some(published));
        i.checked_at = Set(Some(checked));
        let i = i.insert(&txn).await?;
        let mut first = version(
            d,
            i.id,
            owner,
            published - Duration::days(3),
            State::Published,
        );
        first.decided_by = Set(Some(publisher));
        first.decided_at = Set(Some(published));
        let first = first.insert(&txn).await?;
        intervention::Entity::update_many()
            .col_expr(
                intervention::Column::Status,
                sea_orm::sea_query::Expr::value(Status::Published),
            )
            .col_expr(
                intervention::Column::PublishedVersionId,
                sea_orm::sea_query::Expr::value(first.id),
            )
            .filter(intervention::Column::Id.eq(i.id))
            .exec(&txn)
            .await?;
        // The second one has a change waiting: a new phone line and one more language.
        if n == 1 {
            let mut change = version(
                d,
                i.id,
                people[5].id,
                now - Duration::days(2),
                State::Pending,
            );
            change.languages = Set(format!("{}, Pools", d.languages));
            change.note = Set("Ze hebben nu ook een vrijwilliger die Pools spreekt.".into());
            change.insert(&txn).await?;
        }
        made += 1;
    }
    // A new proposal, waiting.
    let proposer = people[8].id;
    let i = crate::interventions::proposed(
        crate::interventions::free_slug(&txn, "Wandelmaatjes Hoogvliet").await?,
        proposer,
        now - Duration::days(1),
    )
    .insert(&txn)
    .await?;
    let template = &INTERVENTIONS[0];
    let mut proposal = version(
        template,
        i.id,
        proposer,
        now - Duration::days(1),
        State::Pending,
    );
    proposal.name = Set("Wandelmaatjes Hoogvliet".into());
    proposal.organisation_id = Set(organisations.get("humanitas").copied());
    proposal.description = Set(
        "Twee keer per week een rustige wandeling van een uur door het Tuinenhof, \
         met koffie na afloop. Een vrijwilliger haalt wie dat wil thuis op."
            .into(),
    );
    proposal.target_groups = Set(",ouderen,wijkbewoners,".into());
    proposal.districts = Set(",hoogvliet,".into());
    proposal.note = Set("Loopt sinds september; de eerste groep is vol.".into());
    proposal.insert(&txn).await?;
    txn.commit().await?;
    Ok(made)
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

/// Where a demo meeting takes place: a community centre somewhere in Rotterdam.
struct Venue {
    place: &'static str,
    room: &'static str,
    accessibility: &'static str,
}

const VENUES: &[Venue] = &[
    Venue {
        place: "Huis van de Wijk De Lantaarn, Schiedamseweg 87, Rotterdam-Delfshaven",
        room: "Grote zaal, begane grond",
        accessibility: "Rolstoeltoegankelijk, aangepast toilet aanwezig. De tramhalte is op \
                        twee minuten lopen.",
    },
    Venue {
        place: "Wijkcentrum De Kade, Beijerlandselaan 118, Rotterdam-Feijenoord",
        room: "Zaal 2, eerste verdieping",
        accessibility: "Rolstoeltoegankelijk, lift aanwezig. Zaal 2 heeft een ringleiding.",
    },
    Venue {
        place: "Huis van de Wijk Het Anker, Zwart Janstraat 52, Rotterdam-Noord",
        room: "Ontmoetingsruimte",
        accessibility: "Drempelvrije ingang, toilet op dezelfde verdieping. \
                        Fietsenstalling naast de deur.",
    },
    Venue {
        place: "Buurthuis De Ster, Oudedijk 190, Rotterdam-Kralingen",
        room: "De Serre",
        accessibility: "Rolstoeltoegankelijk via de zij-ingang, lift aanwezig.",
    },
    Venue {
        place: "Wijkcentrum De Waterkant, Boergoensevliet 40, Rotterdam-Charlois",
        room: "Vergaderzaal 1",
        accessibility: "Rolstoeltoegankelijk, lift aanwezig. \
                        Gehandicaptenparkeerplaats voor de deur.",
    },
];

const COMMUNITY_VENUE: Venue = Venue {
    place: "Stadhuis Rotterdam, Coolsingel 40",
    room: "Burgerzaal",
    accessibility: "Rolstoeltoegankelijk via de hoofdingang, liften aanwezig. Ringleiding in \
                    de zaal. Metrostation Stadhuis ligt om de hoek.",
};

const EXPERT_VENUE: Venue = Venue {
    place: "Erasmus Universiteit Rotterdam, Campus Woudestein, Burgemeester Oudlaan 50",
    room: "Mandeville-gebouw, vergaderzaal op de derde verdieping",
    accessibility: "Rolstoeltoegankelijk, liften aanwezig. Wie liever thuis blijft, sluit \
                    online aan.",
};

/// What one practice meets about in the demo: a meeting held a few weeks ago (with its
/// report), an open knowledge session coming up, and a session for members only.
struct Theme {
    slug: &'static str,
    held_kind: meeting::Kind,
    held_title: &'static str,
    held_items: [&'static str; 3],
    /// The report of the meeting held, in Markdown.
    report: &'static str,
    knowledge_title: &'static str,
    knowledge_items: [&'static str; 3],
    /// A training (in a centre, and online) or an intervision (online only).
    session_kind: meeting::Kind,
    session_title: &'static str,
    session_items: [&'static str; 3],
}

const THEMES: &[Theme] = &[
    Theme {
        slug: "migranten",
        held_kind: meeting::Kind::Knowledge,
        held_title: "Sleutelfiguren als brug naar oudere migranten",
        held_items: [
            "Twee sleutelfiguren uit Delfshaven over hoe zij ouderen thuis bereiken",
            "In groepjes: welke drempels zie jij in je eigen wijk?",
            "Wat nemen we mee naar de volgende keer?",
        ],
        report: "## Wat we bespraken\n\n\
                 Twee sleutelfiguren uit Delfshaven vertelden hoe zij ouderen uit hun eigen \
                 gemeenschap opzoeken. Ze komen meestal binnen via familie of via de moskee en \
                 praten eerst over gezondheid. Over alleen zijn gaat het pas later, soms bij \
                 het derde bezoek.\n\n\
                 ## Wat we meenemen\n\n\
                 - Neem bij een eerste huisbezoek een sleutelfiguur mee.\n\
                 - Begin niet over eenzaamheid; vraag wie er langskomt en wie er belt.\n\
                 - Zorg voor uitleg in het Turks, Arabisch en Papiaments, niet alleen in het \
                 Nederlands.\n\n\
                 ## Vervolg\n\n\
                 Volgende keer oefenen we een gesprek met een tolk erbij. Heb je een casus? \
                 Zet hem (zonder namen) in deze draad.",
        knowledge_title: "Eenzaamheid bespreken in de eigen taal",
        knowledge_items: [
            "Wat weten we over eenzaamheid onder oudere Rotterdammers met een migratieachtergrond?",
            "Ervaringen van het meertalige taalcafé in Feijenoord",
            "Gesprek: hoe maken we samen een meertalige sociale kaart van de wijk?",
        ],
        session_kind: meeting::Kind::Training,
        session_title: "Werken met een tolk uit de eigen gemeenschap",
        session_items: [
            "Wat doet een tolk wel, en wat niet?",
            "Oefenen in drietallen: professional, tolk en oudere",
            "Nabespreken en afspraken voor de praktijk",
        ],
    },
    Theme {
        slug: "jongeren",
        held_kind: meeting::Kind::Training,
        held_title: "Eenzaamheid herkennen in het jongerenwerk",
        held_items: [
            "Signalen: terugtrekken, veel online zijn, weinig vrienden op school",
            "Oefenen met een trainingsacteur: het eerste gesprek",
            "Wat bied je aan na dat gesprek?",
        ],
        report: "## Wat we deden\n\n\
                 Met een trainingsacteur oefenden we het eerste gesprek met een jongere die \
                 zich terugtrekt. Wie meteen met een oplossing kwam, hoorde minder dan wie \
                 eerst doorvroeg naar een gewone schooldag.\n\n\
                 ## Wat we meenemen\n\n\
                 - Begin over school, sport of gamen, niet over gevoelens.\n\
                 - Spreek af wanneer je elkaar weer ziet, en kom die afspraak na.\n\
                 - Jongeren willen meedoen: bied een taak aan in plaats van hulp.\n\n\
                 ## Vervolg\n\n\
                 De oefenkaarten van de trainer delen we in deze draad. Wie aanwezig was, \
                 vindt het bewijs van deelname op de pagina van de bijeenkomst.",
        knowledge_title: "Jongeren en eenzaamheid: wat werkt op school?",
        knowledge_items: [
            "Een mentor uit IJsselmonde over eenzaamheid bespreken in de klas",
            "Jongeren aan het woord: wat had mij geholpen?",
            "Samen verder: afspraken tussen school en jongerenwerk",
        ],
        session_kind: meeting::Kind::Intervision,
        session_title: "Jongerenwerk: contacten die vastlopen",
        session_items: [
            "Rondje: wat houdt je bezig?",
            "Een casus inbrengen volgens de incidentmethode",
            "Wat neem je mee naar je werk?",
        ],
    },
    Theme {
        slug: "typologieen",
        held_kind: meeting::Kind::Intervision,
        held_title: "Welke vorm van eenzaamheid zie ik?",
        held_items: [
            "Een casus van een wijkverpleegkundige uit Charlois",
            "Samen de casus naast de typologieën leggen",
            "Wat betekent dat voor wat je aanbiedt?",
        ],
        report: "## Wat we deden\n\n\
                 Een wijkverpleegkundige bracht de casus in van een man van 68 die na zijn \
                 pensioen steeds minder buiten kwam. We legden zijn verhaal naast de \
                 typologieën: mist hij mensen om zich heen, of vooral één persoon om alles mee \
                 te delen?\n\n\
                 ## Wat we meenemen\n\n\
                 - Dezelfde klacht kan om een heel ander aanbod vragen.\n\
                 - Vraag naar wat iemand vroeger deed; daar ligt vaak de ingang.\n\
                 - Een activiteit helpt weinig bij het gemis van één vertrouwd persoon.\n\n\
                 De casus is zonder namen besproken; deel ook in deze draad geen namen of \
                 adressen.",
        knowledge_title: "De vele gezichten van eenzaamheid",
        knowledge_items: [
            "Korte inleiding: sociale en emotionele eenzaamheid",
            "Vier portretten uit de Rotterdamse praktijk",
            "Oefenen: welk aanbod past bij wie?",
        ],
        session_kind: meeting::Kind::Training,
        session_title: "Eenzaamheid eerder herkennen met de typologieën",
        session_items: [
            "De typologieën opgefrist aan de hand van korte filmpjes",
            "Oefenen met eigen casussen in tweetallen",
            "Een korte checklist voor het huisbezoek",
        ],
    },
    Theme {
        slug: "netwerkversterking",
        held_kind: meeting::Kind::Knowledge,
        held_title: "Buren als deel van het netwerk",
        held_items: [
            "Opbouwwerkers uit Crooswijk over hun burenproject",
            "Een netwerkkaart maken: zo gaat dat aan de keukentafel",
            "Vrijwilligers en mantelzorgers: wie doet wat?",
        ],
        report: "## Wat we bespraken\n\n\
                 Opbouwwerkers uit Crooswijk lieten zien hoe zij buren vragen een oogje in \
                 het zeil te houden bij een oudere die alleen woont. Kleine dingen, zoals \
                 samen de krant lezen of een boodschap meenemen, houden mensen vaak langer vol \
                 dan een vast maatjescontact.\n\n\
                 ## Wat we meenemen\n\n\
                 - Teken de netwerkkaart samen met de oudere, niet over hem of haar.\n\
                 - Vraag buren om iets kleins en concreets.\n\
                 - Houd contact met de mantelzorger: die ziet veranderingen als eerste.\n\n\
                 ## Vervolg\n\n\
                 Volgende keer bekijken we ingevulde netwerkkaarten, zonder namen. Zet je \
                 vragen alvast in deze draad.",
        knowledge_title: "Het netwerk rond een oudere versterken",
        knowledge_items: [
            "Wat maakt een netwerk sterk: veel mensen, of de juiste?",
            "Twee vrijwilligers over hun contact met een buurtgenoot",
            "In gesprek: hoe betrek je familie die ver weg woont?",
        ],
        session_kind: meeting::Kind::Intervision,
        session_title: "Als iemand geen bezoek meer wil",
        session_items: [
            "Rondje: wat speelt er bij jou?",
            "Casus: een oudere die de deur dichthoudt",
            "Wat kun je nog doen, en wanneer stop je?",
        ],
    },
    Theme {
        slug: "zingeving",
        held_kind: meeting::Kind::Training,
        held_title: "In gesprek over levensvragen",
        held_items: [
            "Wat is zingeving, en waarom hoort het bij ons werk?",
            "Oefenen met open vragen over vroeger, nu en later",
            "Wanneer verwijs je naar een geestelijk verzorger?",
        ],
        report: "## Wat we deden\n\n\
                 We oefenden met vragen die ruimte geven aan wat iemand belangrijk vindt. Een \
                 geestelijk verzorger vertelde hoe zij zulke gesprekken thuis voert, en \
                 wanneer zij juist even niets zegt.\n\n\
                 ## Wat we meenemen\n\n\
                 - Vraag waar iemand trots op is; dat opent meer dan een vragenlijst.\n\
                 - Stilte is geen probleem: geef het gesprek de tijd.\n\
                 - Geestelijke verzorging thuis is er niet alleen voor gelovigen; zoek uit \
                 wie dat in jouw wijk biedt.\n\n\
                 Wie aanwezig was, vindt het bewijs van deelname op de pagina van de \
                 bijeenkomst.",
        knowledge_title: "Zingeving, de vergeten kant van eenzaamheid",
        knowledge_items: [
            "Inleiding: waarom weinig zin ervaren eenzaam maakt",
            "Een levensverhalenproject in Hillegersberg vertelt",
            "Gesprek: hoe geef je zingeving een plek in je werk?",
        ],
        session_kind: meeting::Kind::Intervision,
        session_title: "Gesprekken die je bijblijven",
        session_items: [
            "Rondje: welk gesprek ging deze maand met je mee naar huis?",
            "Een casus uitdiepen met de methode van de reflecterende vragen",
            "Wat heb je zelf nodig om zulke gesprekken te blijven voeren?",
        ],
    },
];

/// A meeting of the demo member's practice held a day or two ago, whose report nobody has
/// written yet: signed in as Anouk, you (or a browser test) can write it.
pub const RECENT_MEETING: &str = "Terugblik: de eerste huisbezoeken met een sleutelfiguur";
const RECENT_ITEMS: [&str; 3] = [
    "Rondje: hoe gingen de eerste huisbezoeken samen met een sleutelfiguur?",
    "Een casus: een oudere die pas bij het derde bezoek de deur opendeed",
    "Wat schrijven we op voor de collega's in de praktijk?",
];

/// Visitors of the public meetings (no account): name and organisation.
const VISITORS: &[(&str, &str)] = &[
    ("Marloes Kuiper", "Bibliotheek, afdeling informatiepunt"),
    ("Hamza Ouali", "Stichting voor buurtinitiatieven"),
    ("Ineke Brouwer", "Diaconie, bezoekwerk"),
    ("Priya Ramdin", "Steunpunt mantelzorg"),
    ("Tessa van Leeuwen", "Hogeschool, student social work"),
    ("Ahmed Bouzid", "Moskeevereniging, ouderengroep"),
    ("Gerda Wolters", "Ouderenvereniging, vrijwilliger"),
    ("Lucas Tromp", "Woningcorporatie, wijkbeheer"),
    ("Nadia Chaouch", "Wijkteam"),
    ("Jan-Willem Prins", "Buurtsportcoach"),
    ("Sevda Kaya", "Apotheek, farmaceutisch consulent"),
    ("Roel Hoogendoorn", "Wijkagent"),
    ("Ellen Mertens", "Buurtbibliotheek, leesclub"),
    ("Kofi Mensah", "Vereniging van Ghanese ouderen"),
    ("Anita Ramkisoen", "Thuiszorg, verzorgende"),
    ("Wim de Graaf", "Oud-huisarts, vrijwilliger"),
];

/// Someone at a demo meeting, in the order they registered.
#[derive(Clone, Copy)]
enum Who {
    Member(i32),
    /// One of [`VISITORS`].
    Visitor(usize),
}

#[derive(Clone, Copy)]
struct Comer {
    who: Who,
    status: Status,
    attended: bool,
}

impl Comer {
    fn new(who: Who, status: Status) -> Comer {
        Comer {
            who,
            status,
            attended: false,
        }
    }
}

/// A demo meeting before it is stored.
struct Plan<'a> {
    practice_id: Option<i32>,
    kind: meeting::Kind,
    visibility: thread::Visibility,
    title: String,
    day: NaiveDate,
    from: NaiveTime,
    until: NaiveTime,
    venue: Option<&'a Venue>,
    online_link: String,
    agenda: String,
    capacity: Option<i32>,
    /// Registration closes at the end of the day before.
    deadline: bool,
}

/// A time of day (the demo's are all valid; midnight otherwise).
fn clock_at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

/// An Amsterdam date and time in UTC (a time skipped by summer time counts as UTC, which
/// the demo's afternoon times never are).
fn amsterdam(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    crate::meetings::from_local(day, time).unwrap_or_else(|| day.and_time(time).and_utc())
}

/// The day itself if it is a working day, else the next one: the practices meet neither in
/// the weekend nor on Christmas, New Year's Day or King's Day.
fn workday(day: NaiveDate) -> NaiveDate {
    const HOLIDAYS: [(u32, u32); 6] = [(12, 24), (12, 25), (12, 26), (12, 31), (1, 1), (4, 27)];
    let mut day = day;
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        || HOLIDAYS.contains(&(day.month(), day.day()))
    {
        day += Duration::days(1);
    }
    day
}

/// A meeting's programme in Markdown: what it is, then three parts with a break, from
/// `start` over two and a half hours.
fn agenda(intro: &str, start: NaiveTime, online: bool, items: &[&str; 3]) -> String {
    let at = |minutes: i64| (start + Duration::minutes(minutes)).format("%H:%M");
    let arrival = if online {
        "Inloggen en even bijpraten"
    } else {
        "Inloop met koffie en thee"
    };
    format!(
        "{intro}\n\n## Programma\n\n\
         - **{}** {arrival}\n\
         - **{}** {}\n\
         - **{}** {}\n\
         - **{}** Pauze\n\
         - **{}** {}\n\
         - **{}** Afspraken en afsluiting",
        at(0),
        at(15),
        items[0],
        at(50),
        items[1],
        at(90),
        at(105),
        items[2],
        at(140),
    )
}

fn intro(kind: meeting::Kind, practice: &str) -> String {
    match kind {
        meeting::Kind::Knowledge => format!(
            "Een open bijeenkomst van de praktijk {practice}. Iedereen die met dit thema werkt \
             is welkom, ook wie (nog) geen lid is."
        ),
        meeting::Kind::Training => format!(
            "Een training voor de leden van de praktijk {practice}, in het wijkcentrum of \
             online. Wie erbij was, krijgt een bewijs van deelname."
        ),
        meeting::Kind::Intervision => format!(
            "Intervisie in een kleine groep van de praktijk {practice}, online. Wat we hier \
             bespreken, blijft in de groep."
        ),
        meeting::Kind::CommunityDay => "Een dag voor de hele lerende gemeenschap.".to_string(),
    }
}

fn online_link(name: &str) -> String {
    format!(
        "https://meet.jit.si/erbij-{name}-{}",
        &crate::tokens::random_secret()[..10]
    )
}

/// Stores a meeting with its organisers and registrations; `registered` is the number of
/// those holding a place, as [`crate::meetings::places`] keeps it.
async fn store_meeting(
    db: &impl ConnectionTrait,
    plan: Plan<'_>,
    organisers: &[i32],
    comers: &[Comer],
    now: DateTime<Utc>,
) -> Result<meeting::Model, DbErr> {
    let starts_at = amsterdam(plan.day, plan.from);
    let ends_at = amsterdam(plan.day, plan.until);
    let created_at = (starts_at - Duration::days(30)).min(now - Duration::days(2));
    let held = ends_at <= now;
    let registered = comers
        .iter()
        .filter(|c| c.status == Status::Registered)
        .count();
    let creator = organisers.first().copied().unwrap_or_default();
    let (place, room, accessibility) = match plan.venue {
        Some(v) => (v.place, v.room, v.accessibility),
        None => ("", "", ""),
    };
    let deadline = plan
        .deadline
        .then(|| amsterdam(plan.day - Duration::days(1), clock_at(23, 59)));
    let saved = meeting::ActiveModel {
        uid: Set(format!(
            "bijeenkomst-{}",
            &crate::tokens::random_secret()[..24]
        )),
        practice_id: Set(plan.practice_id),
        kind: Set(plan.kind),
        visibility: Set(plan.visibility),
        state: Set(if held {
            MeetingState::Held
        } else {
            MeetingState::Planned
        }),
        title: Set(plan.title),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        place: Set(place.into()),
        room: Set(room.into()),
        accessibility: Set(accessibility.into()),
        online_link: Set(plan.online_link),
        agenda: Set(plan.agenda),
        capacity: Set(plan.capacity),
        deadline: Set(deadline),
        registered: Set(i32::try_from(registered).unwrap_or(i32::MAX)),
        sequence: Set(0),
        report_thread_id: Set(None),
        created_by: Set(creator),
        created_at: Set(created_at),
        updated_at: Set(created_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut ids = organisers.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if !ids.is_empty() {
        meeting_organiser::Entity::insert_many(ids.into_iter().map(|user_id| {
            meeting_organiser::ActiveModel {
                meeting_id: Set(saved.id),
                user_id: Set(user_id),
            }
        }))
        .exec(db)
        .await?;
    }
    if comers.is_empty() {
        return Ok(saved);
    }
    let consent = rust_i18n::t!("meetings.consent", locale = "nl").into_owned();
    let open_until = starts_at.min(now);
    let rows = comers.iter().enumerate().map(|(k, comer)| {
        let hours = i64::try_from(k).unwrap_or(0) * 5 + 2;
        let at = (created_at + Duration::hours(hours)).min(open_until);
        let updated = if comer.attended { ends_at } else { at };
        let mut row = registration::ActiveModel {
            meeting_id: Set(saved.id),
            status: Set(comer.status),
            attended: Set(comer.attended),
            confirm_token_hash: Set(None),
            confirm_expires_at: Set(None),
            created_at: Set(at),
            updated_at: Set(updated),
            ..Default::default()
        };
        match comer.who {
            Who::Member(id) => {
                row.user_id = Set(Some(id));
                row.name = Set(String::new());
                row.organisation = Set(String::new());
                row.email = Set(String::new());
                row.lang = Set(String::new());
                row.manage_token = Set(None);
                row.consent_text = Set(String::new());
                row.consent_ip = Set(String::new());
            }
            Who::Visitor(v) => {
                let (name, organisation) = VISITORS[v % VISITORS.len()];
                row.user_id = Set(None);
                row.name = Set(name.into());
                row.organisation = Set(organisation.into());
                row.email = Set(format!("{}@{DOMAIN}", slug::slugify(name)));
                row.lang = Set("nl".into());
                row.manage_token = Set(Some(crate::tokens::random_secret()));
                row.consent_text = Set(consent.clone());
                row.consent_ip = Set("198.51.100.23".into());
            }
        }
        row
    });
    registration::Entity::insert_many(rows).exec(db).await?;
    Ok(saved)
}

/// The demo's meetings: in every open practice one held a few weeks ago (with attendance
/// and a report thread, linked both ways), an open knowledge session coming up that is full
/// and has a waiting list, and a training or intervision for members with an online link;
/// besides these a community day for everyone and a meeting of the expert group. The first
/// demo person (Anouk, whom screenshots sign in as) comes to the community day and waits
/// for a place at a knowledge session; in the practice she facilitates, an intervision was
/// held a day or two ago ([`RECENT_MEETING`]), with attendance but no report yet. Returns
/// how many meetings and reports were made.
async fn meetings(
    db: &DatabaseConnection,
    practices: &[practice::Model],
    members_of: &[Vec<i32>],
    people: &[user::Model],
    experts: &[i32],
) -> anyhow::Result<(usize, usize)> {
    let Some(demo_member) = people.first().map(|p| p.id) else {
        return Ok((0, 0));
    };
    let now = Utc::now();
    let today = crate::meetings::local(now).date_naive();
    let facilitators = membership::Entity::find()
        .filter(membership::Column::Role.eq(membership::Role::Facilitator))
        .order_by_asc(membership::Column::UserId)
        .all(db)
        .await?;
    let admin = user::Entity::find()
        .filter(user::Column::IsAdmin.eq(true))
        .filter(user::Column::DeletedAt.is_null())
        .filter(user::Column::Disabled.eq(false))
        .order_by_asc(user::Column::Id)
        .one(db)
        .await?
        .map(|a| a.id);
    let expert_area = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Expert))
        .order_by_asc(practice::Column::Id)
        .one(db)
        .await?;

    let (mut made, mut reports) = (0usize, 0usize);
    let mut demo_member_waits = false;
    let mut recent_made = false;
    let mut next_visitor = 0usize;
    let txn = db.begin().await?;
    for (i, practice) in practices.iter().enumerate() {
        let theme = THEMES
            .iter()
            .find(|t| t.slug == practice.slug)
            .unwrap_or(&THEMES[i % THEMES.len()]);
        let members = members_of.get(i).map(Vec::as_slice).unwrap_or_default();
        let mut organisers: Vec<i32> = facilitators
            .iter()
            .filter(|f| f.practice_id == practice.id)
            .map(|f| f.user_id)
            .collect();
        if organisers.is_empty() {
            organisers.extend(admin.or(members.first().copied()));
        }
        if organisers.is_empty() {
            organisers.push(demo_member);
        }
        let others: Vec<i32> = members
            .iter()
            .copied()
            .filter(|id| !organisers.contains(id))
            .collect();
        let name = practice.name_nl.as_str();
        let step = i64::try_from(i % 5).unwrap_or(0);
        let afternoon = (clock_at(14, 0), clock_at(16, 30));

        // Held a few weeks ago: most who came are marked present, one cancelled.
        let held_online = theme.held_kind == meeting::Kind::Intervision;
        let held_visibility = if theme.held_kind == meeting::Kind::Knowledge {
            thread::Visibility::Public
        } else {
            thread::Visibility::Members
        };
        let mut comers: Vec<Comer> = others
            .iter()
            .take(10)
            .enumerate()
            .map(|(k, &id)| Comer {
                who: Who::Member(id),
                status: if k == 6 {
                    Status::Cancelled
                } else {
                    Status::Registered
                },
                attended: k != 6 && k % 4 != 3,
            })
            .collect();
        if held_visibility == thread::Visibility::Public {
            for _ in 0..2 {
                comers.push(Comer {
                    who: Who::Visitor(next_visitor),
                    status: Status::Registered,
                    attended: true,
                });
                next_visitor += 1;
            }
        }
        let held_day = workday(today - Duration::days(12 + 6 * step));
        let held = store_meeting(
            &txn,
            Plan {
                practice_id: Some(practice.id),
                kind: theme.held_kind,
                visibility: held_visibility,
                title: theme.held_title.into(),
                day: held_day,
                from: afternoon.0,
                until: afternoon.1,
                venue: (!held_online).then(|| &VENUES[i % VENUES.len()]),
                online_link: if held_online {
                    online_link(&practice.slug)
                } else {
                    String::new()
                },
                agenda: agenda(
                    &intro(theme.held_kind, name),
                    afternoon.0,
                    held_online,
                    &theme.held_items,
                ),
                capacity: Some(20),
                deadline: false,
            },
            &organisers,
            &comers,
            now,
        )
        .await?;
        let present = comers.iter().filter(|c| c.attended).count();
        let body = format!(
            "{}\n\n*Verslag van de bijeenkomst van {}, met {present} aanwezigen. Het programma \
             staat op de [pagina van de bijeenkomst](/bijeenkomsten/{}).*",
            theme.report,
            crate::meetings::views::long_date(crate::i18n::Lang::Nl, held.starts_at),
            held.id
        );
        let started = crate::forum::threads::start(
            &txn,
            practice,
            organisers[0],
            &format!("Verslag: {}", theme.held_title),
            held_visibility,
            crate::forum::bodies::Body::render(&body).await,
            &[],
        )
        .await?;
        let mut linked: meeting::ActiveModel = held.into();
        linked.report_thread_id = Set(Some(started.thread.id));
        linked.updated_at = Set(now);
        linked.update(&txn).await?;
        made += 1;
        reports += 1;

        // In the demo member's own practice, once: an intervision held a day or two ago (the
        // last working day), online, with attendance and no report yet.
        if !recent_made && organisers.contains(&demo_member) {
            recent_made = true;
            let day = (1..=3)
                .map(|d| today - Duration::days(d))
                .find(|&d| workday(d) == d)
                .unwrap_or(today - Duration::days(1));
            let from = clock_at(9, 30);
            let comers: Vec<Comer> = others
                .iter()
                .take(6)
                .enumerate()
                .map(|(k, &id)| Comer {
                    who: Who::Member(id),
                    status: if k == 5 {
                        Status::Cancelled
                    } else {
                        Status::Registered
                    },
                    attended: k != 2 && k != 5,
                })
                .collect();
            store_meeting(
                &txn,
                Plan {
                    practice_id: Some(practice.id),
                    kind: meeting::Kind::Intervision,
                    visibility: thread::Visibility::Members,
                    title: RECENT_MEETING.into(),
                    day,
                    from,
                    until: from + Duration::minutes(150),
                    venue: None,
                    online_link: online_link(&practice.slug),
                    agenda: agenda(
                        &intro(meeting::Kind::Intervision, name),
                        from,
                        true,
                        &RECENT_ITEMS,
                    ),
                    capacity: Some(8),
                    deadline: false,
                },
                &organisers,
                &comers,
                now,
            )
            .await?;
            made += 1;
        }

        // An open knowledge session, full, with a waiting list.
        let capacity = 12usize;
        let mut comers: Vec<Comer> = others
            .iter()
            .filter(|&&id| id != demo_member)
            .take(capacity - 3)
            .map(|&id| Comer::new(Who::Member(id), Status::Registered))
            .collect();
        while comers.len() < capacity {
            comers.push(Comer::new(Who::Visitor(next_visitor), Status::Registered));
            next_visitor += 1;
        }
        if !demo_member_waits && !organisers.contains(&demo_member) {
            comers.push(Comer::new(Who::Member(demo_member), Status::Waiting));
            demo_member_waits = true;
        } else if let Some(&member) = others
            .iter()
            .filter(|&&id| id != demo_member)
            .nth(capacity - 3)
        {
            comers.push(Comer::new(Who::Member(member), Status::Waiting));
        }
        while comers.len() < capacity + 2 {
            comers.push(Comer::new(Who::Visitor(next_visitor), Status::Waiting));
            next_visitor += 1;
        }
        store_meeting(
            &txn,
            Plan {
                practice_id: Some(practice.id),
                kind: meeting::Kind::Knowledge,
                visibility: thread::Visibility::Public,
                title: theme.knowledge_title.into(),
                day: workday(today + Duration::days(3 + 2 * step)),
                from: afternoon.0,
                until: afternoon.1,
                venue: Some(&VENUES[(i + 2) % VENUES.len()]),
                online_link: String::new(),
                agenda: agenda(
                    &intro(meeting::Kind::Knowledge, name),
                    afternoon.0,
                    false,
                    &theme.knowledge_items,
                ),
                capacity: Some(i32::try_from(capacity).unwrap_or(i32::MAX)),
                deadline: true,
            },
            &organisers,
            &comers,
            now,
        )
        .await?;
        made += 1;

        // For members: a training (in a centre and online) or an intervision (online).
        let training = theme.session_kind == meeting::Kind::Training;
        let from = if training {
            afternoon.0
        } else {
            clock_at(9, 30)
        };
        let comers: Vec<Comer> = others
            .iter()
            .rev()
            .take(if training { 8 } else { 5 })
            .map(|&id| Comer::new(Who::Member(id), Status::Registered))
            .collect();
        store_meeting(
            &txn,
            Plan {
                practice_id: Some(practice.id),
                kind: theme.session_kind,
                visibility: thread::Visibility::Members,
                title: theme.session_title.into(),
                day: workday(today + Duration::days(10 + 3 * step)),
                from,
                until: from + Duration::minutes(150),
                venue: training.then(|| &VENUES[(i + 1) % VENUES.len()]),
                online_link: online_link(&practice.slug),
                agenda: agenda(
                    &intro(theme.session_kind, name),
                    from,
                    !training,
                    &theme.session_items,
                ),
                capacity: Some(if training { 16 } else { 8 }),
                deadline: false,
            },
            &organisers,
            &comers,
            now,
        )
        .await?;
        made += 1;
    }

    // The community day: organised by facilitators of two practices (or an administrator),
    // with people from everywhere, the demo member among them, and a few visitors.
    let mut hosts: Vec<i32> = Vec::new();
    hosts.extend(admin);
    for f in &facilitators {
        if hosts.len() < 2 && f.user_id != demo_member && !hosts.contains(&f.user_id) {
            hosts.push(f.user_id);
        }
    }
    if hosts.is_empty() {
        hosts.push(demo_member);
    }
    let mut comers: Vec<Comer> = Vec::new();
    if !hosts.contains(&demo_member) {
        comers.push(Comer::new(Who::Member(demo_member), Status::Registered));
    }
    comers.extend(
        people
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|p| !hosts.contains(&p.id))
            .take(40)
            .map(|p| Comer::new(Who::Member(p.id), Status::Registered)),
    );
    comers.extend((0..5).map(|v| Comer::new(Who::Visitor(v + 8), Status::Registered)));
    let names: Vec<&str> = practices.iter().map(|p| p.name_nl.as_str()).collect();
    let day_agenda = format!(
        "Eén dag voor iedereen in Rotterdam die werkt aan eenzaamheid en sociaal isolement: de \
         leden van alle praktijken, de expertgroep, en wie nieuwsgierig is naar wat werkt.\n\n\
         ## Programma\n\n\
         - **10:00** Ontvangst met koffie\n\
         - **10:30** Opening: wat hebben de praktijken dit jaar geleerd?\n\
         - **11:00** Rondes per praktijk ({}): elke praktijk laat zien wat werkt\n\
         - **12:30** Lunch\n\
         - **13:30** Werkplaatsen: een netwerkkaart maken, praten over zingeving, jongeren \
         bereiken\n\
         - **15:00** De expertgroep over de nieuwste kennisbundels\n\
         - **15:45** Afsluiting en een drankje\n\n\
         Neem gerust een collega mee; aanmelden kan ook zonder account.",
        names.join(", ")
    );
    store_meeting(
        &txn,
        Plan {
            practice_id: None,
            kind: meeting::Kind::CommunityDay,
            visibility: thread::Visibility::Public,
            title: "Erbij-dag: de lerende gemeenschap komt samen".into(),
            day: workday(today + Duration::days(24)),
            from: clock_at(10, 0),
            until: clock_at(16, 0),
            venue: Some(&COMMUNITY_VENUE),
            online_link: String::new(),
            agenda: day_agenda,
            capacity: Some(150),
            deadline: true,
        },
        &hosts,
        &comers,
        now,
    )
    .await?;
    made += 1;

    // The expert group meets in its own area, among experts only.
    let expert_host = experts.first().copied().or(admin);
    if let (Some(area), Some(host)) = (expert_area, expert_host) {
        let comers: Vec<Comer> = experts
            .iter()
            .skip(1)
            .map(|&id| Comer::new(Who::Member(id), Status::Registered))
            .collect();
        store_meeting(
            &txn,
            Plan {
                practice_id: Some(area.id),
                kind: meeting::Kind::Knowledge,
                visibility: thread::Visibility::Experts,
                title: "De kennisbundels van dit kwartaal".into(),
                day: workday(today + Duration::days(9)),
                from: clock_at(15, 0),
                until: clock_at(17, 0),
                venue: Some(&EXPERT_VENUE),
                online_link: online_link("expertgroep"),
                agenda: "We bundelen wat de praktijken de afgelopen maanden aandroegen en \
                         kiezen wat we breder verspreiden.\n\n\
                         ## Programma\n\n\
                         - **15:00** Welkom en stand van zaken\n\
                         - **15:10** Voorgedragen onderwerpen uit de praktijken\n\
                         - **15:45** Twee concepten bespreken: levensverhalen als ingang, en \
                         wandelgroepen en beweegmaatjes\n\
                         - **16:30** Wat verspreiden we, en via wie?\n\
                         - **16:55** Afsluiting"
                    .into(),
                capacity: None,
                deadline: false,
            },
            &[host],
            &comers,
            now,
        )
        .await?;
        made += 1;
    }
    txn.commit().await?;
    Ok((made, reports))
}

pub struct DemoSummary {
    pub people: usize,
    pub threads: usize,
    pub posts: usize,
    pub summaries: usize,
    /// Meetings planned and held, and the reports (threads) of those held.
    pub meetings: usize,
    pub reports: usize,
    /// Interventions in the catalogue.
    pub interventions: usize,
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

    #[test]
    fn the_demo_directory_names_the_partners_and_shows_the_choices_at_work() {
        for name in [
            "Sensoor",
            "Humanitas",
            "SOL",
            "MDRplus",
            "Thermiek",
            "WMO Radar",
            "Gemeente Rotterdam",
        ] {
            assert!(PARTNERS.iter().any(|p| p.name == name), "{name}");
        }
        let slugs: HashSet<&str> = PARTNERS.iter().map(|p| p.slug).collect();
        assert_eq!(slugs.len(), PARTNERS.len());
        for p in &PARTNERS {
            let stored = crate::directory::store_districts(p.districts.iter().copied());
            assert_eq!(
                crate::directory::districts_of(&stored).len(),
                p.districts.len(),
                "{}",
                p.slug
            );
            assert!(!p.description.contains("  "), "{}", p.slug);
        }
        for role in &ROLES {
            assert!(
                partner(role.organisation).is_some(),
                "{}",
                role.organisation
            );
        }
        for slug in SECOND_ORGANISATIONS {
            assert!(partner(slug).is_some(), "{slug}");
        }
        let all: Vec<Listing> = (0..people_for(None)).map(listing).collect();
        for (i, l) in all.iter().enumerate() {
            assert!((1..=2).contains(&l.organisations.len()), "{i}");
            assert_ne!(
                l.organisations.first().map(|p| p.slug),
                l.organisations.get(1).map(|p| p.slug),
                "{i}"
            );
            assert!((1..=3).contains(&l.districts.len()), "{i}");
            assert!((1..=3).contains(&l.expertise.len()), "{i}");
            let unique: HashSet<&&str> = l.expertise.iter().collect();
            assert_eq!(unique.len(), l.expertise.len(), "{i}");
            assert!(!l.show_phone || !l.phone.is_empty(), "{i}");
        }
        // Anouk, whom screenshots sign in as, shows it all.
        assert_eq!(all[0].organisations[0].name, "Humanitas");
        assert!(all[0].show_districts && !all[0].expertise.is_empty());
        assert!(all.iter().filter(|l| l.show_phone).count() >= 3);
        assert!(all.iter().any(|l| !l.phone.is_empty() && !l.show_phone));
        assert!((1..=2).contains(&all.iter().filter(|l| l.show_email).count()));
        assert!(all.iter().filter(|l| l.organisations.len() == 2).count() >= 5);
        let charlois = |l: &Listing| l.districts.contains(&"charlois");
        let shown = all.iter().filter(|l| l.show_districts && charlois(l));
        assert!(shown.count() >= 3);
        assert!(all.iter().any(|l| !l.show_districts && charlois(l)));
        for p in &PARTNERS {
            assert!(
                all.iter().any(|l| l.organisations[0].slug == p.slug),
                "{}",
                p.slug
            );
        }
    }

    #[test]
    fn demo_meetings_fall_on_working_days_and_agendas_keep_time() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(workday(day("2026-12-02")), day("2026-12-02"));
        assert_eq!(workday(day("2026-12-05")), day("2026-12-07"));
        // Christmas Eve is a Thursday: past Christmas and the weekend.
        assert_eq!(workday(day("2026-12-24")), day("2026-12-28"));
        let text = agenda("Open.", clock_at(9, 30), true, &["a", "b", "c"]);
        assert!(text.contains("- **09:30** Inloggen"), "{text}");
        assert!(text.contains("- **11:50** Afspraken"), "{text}");
        for theme in THEMES {
            assert_ne!(theme.held_kind, theme.session_kind, "{}", theme.slug);
            assert_ne!(
                theme.session_kind,
                meeting::Kind::Knowledge,
                "{}",
                theme.slug
            );
        }
    }
}
