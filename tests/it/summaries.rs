//! Curated summaries: written and reviewed by experts, published for everyone, with their
//! sources shown only as far as each reader may see them.

use erbij::entities::{post, summary};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::helpers::TestApp;

struct Story {
    eva: TestApp,
    piet: TestApp,
    marieke: TestApp,
    visitor: TestApp,
    public_thread: i32,
    members_thread: i32,
    expert_thread: i32,
}

/// Two experts (Eva writes, Piet reviews), a member with a public and a members-only thread,
/// an expert-area thread, and a visitor.
async fn story() -> Story {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("migranten").await;
    let public_thread = marieke
        .start_thread(
            "migranten",
            "Taalmaatjes in Delfshaven",
            "Wij koppelen nieuwkomers aan buren.",
            "public",
        )
        .await;
    let members_thread = marieke
        .start_thread(
            "migranten",
            "Casus mevrouw K",
            "Vertrouwelijk verhaal over mevrouw K.",
            "members",
        )
        .await;
    let mut eva = marieke.second_browser();
    eva.person("eva@expert.nl", "Eva Expert", false, true).await;
    eva.login_as("eva@expert.nl").await;
    let expert_thread = eva
        .start_thread(
            "expertgroep",
            "Interne afweging",
            "Alleen voor ons.",
            "public",
        )
        .await;
    let mut piet = marieke.second_browser();
    piet.person("piet@expert.nl", "Piet Expert", false, true)
        .await;
    piet.login_as("piet@expert.nl").await;
    let visitor = marieke.second_browser();
    Story {
        eva,
        piet,
        marieke,
        visitor,
        public_thread,
        members_thread,
        expert_thread,
    }
}

async fn migranten_id(app: &TestApp) -> String {
    use erbij::entities::practice;
    practice::Entity::find()
        .filter(practice::Column::Slug.eq("migranten"))
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("practice")
        .id
        .to_string()
}

#[tokio::test]
async fn a_summary_goes_from_draft_through_review_to_the_public() {
    let Story {
        mut eva,
        mut piet,
        mut marieke,
        mut visitor,
        public_thread,
        members_thread,
        expert_thread,
    } = story().await;
    let practice = migranten_id(&eva).await;
    let sources = format!(
        "/onderwerpen/{public_thread}\nhttps://erbij.test/onderwerpen/{members_thread}\n/onderwerpen/{expert_thread}"
    );

    // Members cannot write summaries.
    marieke.get("/kennisbundels/nieuw").await.assert_status(403);

    // Bad input: empty title, a source that does not exist, a malformed reference.
    let bad = eva
        .post(
            "/kennisbundels/nieuw",
            &[
                ("title", ""),
                ("body", "Tekst"),
                ("lang", "nl"),
                ("sources", "/onderwerpen/99999"),
                ("references", "Machielse | vorig jaar | Afgesneden"),
            ],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("Vul dit veld in.")
        .assert_contains("Een bron bestaat niet of is niet voor jou leesbaar.")
        .assert_contains("auteur | jaar | titel | link");

    let created = eva
        .post("/kennisbundels/nieuw", &[
            ("title", "Nieuwkomers en hun buren"),
            ("body", "Buren die **taalmaatje** worden, helpen tegen eenzaamheid."),
            ("lang", "nl"),
            ("practice", &practice),
            ("sources", &sources),
            ("references", "Machielse, A. | 2015 | Afgesneden. Over sociaal isolement | https://example.org/afgesneden"),
        ])
        .await;
    created.assert_status(303);
    let path = created.location().to_string();
    assert_eq!(path, "/kennisbundels/nieuwkomers-en-hun-buren");

    // A draft is for experts only.
    visitor.get(&path).await.assert_status(404);
    marieke.get(&path).await.assert_status(404);
    visitor
        .get("/kennisbundels")
        .await
        .assert_lacks("Nieuwkomers en hun buren");
    eva.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Concept");

    // Eva revises, then offers it for review; she may not approve her own work.
    eva.post(&format!("{path}/bewerken"), &[
        ("title", "Nieuwkomers en hun buren"),
        ("body", "Buren die **taalmaatje** worden, helpen echt tegen eenzaamheid."),
        ("lang", "nl"),
        ("practice", &practice),
        ("sources", &sources),
        ("references", "Machielse, A. | 2015 | Afgesneden. Over sociaal isolement | https://example.org/afgesneden"),
    ])
    .await
    .assert_status(303);
    let versions = eva.get(&format!("{path}/versies")).await;
    versions
        .assert_contains("Versie 2")
        .assert_contains("<ins>echt</ins>");
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);
    eva.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(403);
    eva.get(&path)
        .await
        .assert_contains("je eigen werk keur je niet zelf");
    marieke
        .post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(403);
    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(303);

    // Published: everyone reads it; sources are shown only as far as each reader may see.
    let page = visitor.get(&path).await;
    page.assert_status(200)
        .assert_contains("<strong>taalmaatje</strong>")
        .assert_contains("Taalmaatjes in Delfshaven")
        .assert_contains(&format!(r#"href="/onderwerpen/{public_thread}""#))
        .assert_contains("Een gesprek onder leden")
        .assert_contains("Een gesprek in de expertgroep")
        .assert_lacks("mevrouw K")
        .assert_lacks("Interne afweging")
        .assert_lacks(&format!("/onderwerpen/{members_thread}\""))
        .assert_contains("Afgesneden. Over sociaal isolement")
        .assert_lacks("Voor de expertgroep");
    marieke
        .get(&path)
        .await
        .assert_contains("Casus mevrouw K")
        .assert_lacks("Interne afweging");
    eva.get(&path).await.assert_contains("Interne afweging");

    let list = visitor.get("/kennisbundels?praktijk=migranten").await;
    list.assert_contains("Nieuwkomers en hun buren");
    visitor
        .get("/kennisbundels?praktijk=jongeren")
        .await
        .assert_lacks("Nieuwkomers en hun buren");
    visitor
        .get(&format!("/onderwerpen/{public_thread}"))
        .await
        .assert_contains("Gebruikt in de kennisbundel:")
        .assert_contains("Nieuwkomers en hun buren");

    // The feeds carry it, with an excerpt and absolute link, and nothing private.
    for feed in [
        "/kennisbundels.atom",
        "/praktijken/migranten/kennisbundels.atom",
    ] {
        let atom = visitor.get(feed).await;
        atom.assert_status(200)
            .assert_contains("<feed")
            .assert_contains("http://erbij.test/kennisbundels/nieuwkomers-en-hun-buren")
            .assert_contains("helpen echt tegen eenzaamheid")
            .assert_lacks("mevrouw K")
            .assert_lacks("Interne afweging");
        assert!(
            atom.headers["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("application/atom+xml")
        );
    }
    visitor
        .get("/praktijken/jongeren/kennisbundels.atom")
        .await
        .assert_lacks("Nieuwkomers");

    // A cited post is edited: the experts see "sources changed"; the public does not.
    let opening = post::Entity::find()
        .filter(post::Column::ThreadId.eq(public_thread))
        .one(&marieke.state.db)
        .await
        .expect("q")
        .expect("post");
    marieke
        .post(
            &format!("/berichten/{}/bewerken", opening.id),
            &[
                (
                    "body",
                    "Wij koppelen nieuwkomers aan buren en aan de bibliotheek.",
                ),
                ("action", "post"),
            ],
        )
        .await
        .assert_status(303);
    eva.get(&path)
        .await
        .assert_contains("Een bron is na publicatie bewerkt");
    eva.get("/expertgroep/kennisbundels")
        .await
        .assert_contains("Bronnen gewijzigd");
    visitor
        .get(&path)
        .await
        .assert_lacks("Bronnen gewijzigd")
        .assert_lacks("na publicatie bewerkt");
    eva.post(&format!("{path}/status"), &[("action", "checked")])
        .await
        .assert_status(303);
    eva.get(&path)
        .await
        .assert_lacks("Een bron is na publicatie bewerkt");

    // Withdrawn: gone from the public side again.
    piet.post(&format!("{path}/status"), &[("action", "withdraw")])
        .await
        .assert_status(303);
    visitor.get(&path).await.assert_status(404);
    visitor
        .get("/kennisbundels.atom")
        .await
        .assert_lacks("Nieuwkomers");
    let stored = summary::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("summary");
    assert_eq!(stored.status, summary::SummaryStatus::Withdrawn);
    assert!(stored.reviewer_id.is_some());

    let mut admin = eva.second_browser();
    admin.admin("beheer@coalitie.nl").await;
    admin.login_as("beheer@coalitie.nl").await;
    let log = admin.get("/beheer/logboek").await;
    for entry in [
        "Kennisbundel ter beoordeling aangeboden",
        "Kennisbundel goedgekeurd en gepubliceerd",
        "Kennisbundel ingetrokken",
    ] {
        log.assert_contains(entry);
    }
}

/// What a visitor's digest for everything would say about summaries right now.
async fn visitors_digest_summaries(app: &TestApp) -> String {
    use erbij::digests::{Period, compose_for};
    let db = &app.state.db;
    let scope = erbij::forum::Scope::for_viewer(db, None)
        .await
        .expect("scope");
    let now = chrono::Utc::now();
    let period = Period {
        start: now - chrono::Duration::days(7),
        end: now + chrono::Duration::minutes(1),
    };
    compose_for(db, &scope, None, true, period)
        .await
        .expect("compose")
        .map(|d| {
            d.summaries
                .iter()
                .map(|i| format!("{} {}\n", i.title, i.excerpt))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_edit_to_a_published_summary_waits_for_another_experts_review() {
    let Story {
        mut eva,
        mut piet,
        mut marieke,
        mut visitor,
        public_thread,
        members_thread,
        ..
    } = story().await;
    let practice = migranten_id(&eva).await;
    let first = [
        ("title", "Buren als taalmaatje"),
        (
            "body",
            "Buren die taalmaatje worden, helpen tegen eenzaamheid.",
        ),
        ("lang", "nl"),
        ("practice", practice.as_str()),
        ("references", "Machielse, A. | 2015 | Afgesneden"),
    ];
    let public_source = format!("/onderwerpen/{public_thread}");
    let mut fields = first.to_vec();
    fields.push(("sources", &public_source));
    let path = eva
        .post("/kennisbundels/nieuw", &fields)
        .await
        .location()
        .to_string();
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);
    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(303);
    visitor
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("helpen tegen eenzaamheid");

    // Eva revises the published summary: new title, text, reference, and a members-only
    // source. Nothing of it is public yet.
    let both_sources = format!("/onderwerpen/{public_thread}\n/onderwerpen/{members_thread}");
    eva.post(
        &format!("{path}/bewerken"),
        &[
            ("title", "Buren als taalmaatje en Zeekoeienplan"),
            (
                "body",
                "Buren die taalmaatje worden, helpen volgens het Zeekoeienplan tegen eenzaamheid.",
            ),
            ("lang", "nl"),
            ("practice", &practice),
            ("sources", &both_sources),
            (
                "references",
                "Machielse, A. | 2015 | Afgesneden\nZeekoe, B. | 2024 | Zeekoeienstudie",
            ),
        ],
    )
    .await
    .assert_status(303);
    let public_surfaces = [
        path.clone(),
        "/kennisbundels".to_string(),
        "/kennisbundels?praktijk=migranten".to_string(),
        "/kennisbundels.atom".to_string(),
        "/praktijken/migranten/kennisbundels.atom".to_string(),
        format!("/onderwerpen/{public_thread}"),
    ];
    for surface in &public_surfaces {
        visitor.get(surface).await.assert_lacks("Zeekoe");
        marieke.get(surface).await.assert_lacks("Zeekoe");
    }
    visitor
        .get(&path)
        .await
        .assert_contains("Buren als taalmaatje")
        .assert_contains("helpen tegen eenzaamheid")
        .assert_lacks("Een gesprek onder leden");
    let digest = visitors_digest_summaries(&eva).await;
    assert!(digest.contains("Buren als taalmaatje"), "{digest}");
    assert!(!digest.contains("Zeekoe"), "{digest}");

    // The experts see the revision for what it is.
    eva.get(&path)
        .await
        .assert_contains("Wijziging in bewerking")
        .assert_contains("Zeekoeienplan")
        .assert_contains("Ter beoordeling aanbieden");
    eva.get("/expertgroep/kennisbundels")
        .await
        .assert_contains("Wijziging in bewerking");
    // Not offered yet: nobody can approve it.
    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(400);
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);

    // The review queue lists it, and the reviewer gets the buttons of a first review.
    piet.get("/expertgroep/kennisbundels")
        .await
        .assert_contains("Buren als taalmaatje")
        .assert_contains("Wijziging wacht op beoordeling");
    piet.get(&path)
        .await
        .assert_contains("Wijziging wacht op beoordeling")
        .assert_contains("Goedkeuren en publiceren")
        .assert_contains("Terug naar concept");

    // The one who wrote it may not approve it; a member may not either.
    eva.get(&path)
        .await
        .assert_lacks("Goedkeuren en publiceren")
        .assert_contains("je eigen werk keur je niet zelf");
    eva.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(403);
    marieke
        .post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(403);

    // Sent back, it is a draft revision again; still nothing public.
    piet.post(&format!("{path}/status"), &[("action", "return")])
        .await
        .assert_status(303);
    piet.get(&path)
        .await
        .assert_contains("Wijziging in bewerking");
    visitor.get(&path).await.assert_lacks("Zeekoe");
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);

    // Approving what one saw: if a newer version came meanwhile, look again first.
    let stored = summary::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("summary");
    let published = stored.published_version_id.expect("published version");
    piet.post(
        &format!("{path}/status"),
        &[("action", "approve"), ("version", &published.to_string())],
    )
    .await
    .assert_status(303);
    piet.get(&format!("{path}?nieuwer=1"))
        .await
        .assert_contains("nieuwere versie");
    visitor.get(&path).await.assert_lacks("Zeekoe");

    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(303);

    // Approved: the revision replaces the public text everywhere, sources included.
    visitor
        .get(&path)
        .await
        .assert_contains("Buren als taalmaatje en Zeekoeienplan")
        .assert_contains("volgens het Zeekoeienplan")
        .assert_contains("Zeekoeienstudie")
        .assert_contains("Een gesprek onder leden");
    for surface in [
        "/kennisbundels",
        "/kennisbundels.atom",
        "/praktijken/migranten/kennisbundels.atom",
    ] {
        visitor.get(surface).await.assert_contains("Zeekoeienplan");
    }
    let digest = visitors_digest_summaries(&eva).await;
    assert!(digest.contains("Zeekoeienplan"), "{digest}");
    piet.get(&path)
        .await
        .assert_lacks("Wijziging wacht op beoordeling")
        .assert_contains("beoordeeld door Piet Expert");

    // Every version is kept, and the last change reads as a diff.
    eva.get(&format!("{path}/versies"))
        .await
        .assert_contains("Versie 2")
        .assert_contains("<ins>Zeekoeienplan</ins>");
    assert_eq!(
        erbij::entities::summary_version::Entity::find()
            .all(&eva.state.db)
            .await
            .expect("q")
            .len(),
        2
    );

    // A pending revision of a withdrawn summary does not bring it back.
    eva.post(
        &format!("{path}/bewerken"),
        &[
            ("title", "Walvissenplan"),
            ("body", "Walvissen."),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);
    piet.post(&format!("{path}/status"), &[("action", "withdraw")])
        .await
        .assert_status(303);
    visitor.get(&path).await.assert_status(404);
    visitor
        .get("/kennisbundels.atom")
        .await
        .assert_lacks("Walvis")
        .assert_lacks("Zeekoe");
    eva.post(&format!("{path}/bewerken"), &first)
        .await
        .assert_status(403);
}

#[tokio::test]
async fn an_expert_cannot_cite_what_they_cannot_read_nor_make_up_sources() {
    let Story { mut eva, .. } = story().await;
    for bad in ["/onderwerpen/424242", "/berichten/424242", "gewoon tekst"] {
        eva.post(
            "/kennisbundels/nieuw",
            &[
                ("title", "X"),
                ("body", "Y"),
                ("lang", "nl"),
                ("sources", bad),
            ],
        )
        .await
        .assert_status(422);
    }
    eva.post(
        "/kennisbundels/nieuw",
        &[("title", "X"), ("body", "Y"), ("lang", "de")],
    )
    .await
    .assert_status(422)
    .assert_contains("Maak een keuze.");
    assert!(
        summary::Entity::find()
            .all(&eva.state.db)
            .await
            .expect("q")
            .is_empty()
    );
}

#[tokio::test]
async fn nominations_can_be_linked_to_a_summary() {
    let Story {
        mut eva,
        mut marieke,
        public_thread,
        ..
    } = story().await;
    marieke
        .post(
            &format!("/onderwerpen/{public_thread}/voordragen"),
            &[("reason", "Mooi voorbeeld")],
        )
        .await
        .assert_status(200);
    eva.post(
        "/kennisbundels/nieuw",
        &[
            ("title", "Taal en buren"),
            ("body", "Tekst."),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);
    let s = summary::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("summary");
    let n = erbij::entities::nomination::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("nomination");
    eva.get("/expertgroep/voordrachten")
        .await
        .assert_contains("Koppelen aan kennisbundel");
    eva.post(
        &format!("/voordrachten/{}/afhandelen", n.id),
        &[("outcome", "linked"), ("summary", &s.id.to_string())],
    )
    .await
    .assert_status(303);
    marieke
        .get("/meldingen")
        .await
        .assert_contains("koppelde je voordracht");
    let linked = erbij::entities::nomination::Entity::find_by_id(n.id)
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("n");
    assert_eq!(linked.summary_id, Some(s.id));
}

#[tokio::test]
async fn summaries_published_before_revisions_existed_keep_their_public_text() {
    use migrations::{Migrator, MigratorTrait};
    let Story {
        mut eva,
        mut piet,
        mut visitor,
        ..
    } = story().await;
    let path = eva
        .post(
            "/kennisbundels/nieuw",
            &[
                ("title", "Vroeg gepubliceerd"),
                ("body", "Eerste tekst."),
                ("lang", "nl"),
            ],
        )
        .await
        .location()
        .to_string();
    eva.post(
        &format!("{path}/bewerken"),
        &[
            ("title", "Vroeg gepubliceerd"),
            ("body", "Tweede tekst."),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);
    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(303);
    eva.post(
        "/kennisbundels/nieuw",
        &[
            ("title", "Nog concept"),
            ("body", "Concepttekst."),
            ("lang", "nl"),
        ],
    )
    .await
    .assert_status(303);

    // Back to the schema before revisions, and forward again: the backfill names the newest
    // version of the published summary as its public text, and none for the draft.
    let db = &eva.state.db;
    let steps = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261130_000009_summary_revisions")
        .expect("the revisions migration")
        + 1;
    Migrator::down(db, Some(steps as u32)).await.expect("down");
    Migrator::up(db, None).await.expect("up");
    let all = summary::Entity::find().all(db).await.expect("q");
    let versions = erbij::entities::summary_version::Entity::find()
        .all(db)
        .await
        .expect("q");
    let newest_of = |id: i32| {
        versions
            .iter()
            .filter(|v| v.summary_id == id)
            .map(|v| v.id)
            .max()
    };
    for s in &all {
        match s.status {
            summary::SummaryStatus::Published => {
                assert_eq!(s.published_version_id, newest_of(s.id));
            }
            _ => assert_eq!(s.published_version_id, None),
        }
    }
    visitor
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("Tweede tekst.");
}

#[tokio::test]
async fn a_source_thread_made_members_only_leaves_the_public_summary_and_old_versions_can_be_erased()
 {
    let Story {
        mut eva,
        mut piet,
        mut marieke,
        mut visitor,
        public_thread,
        ..
    } = story().await;
    let practice = migranten_id(&eva).await;
    let source = format!("/onderwerpen/{public_thread}");
    let fields = |body: &'static str| {
        vec![
            ("title", "Buren als taalmaatje"),
            ("body", body),
            ("lang", "nl"),
            ("practice", practice.as_str()),
            ("sources", source.as_str()),
            ("references", ""),
        ]
    };
    let path = eva
        .post(
            "/kennisbundels/nieuw",
            &fields("Buren helpen tegen eenzaamheid."),
        )
        .await
        .location()
        .to_string();
    eva.post(&format!("{path}/status"), &[("action", "submit")])
        .await
        .assert_status(303);
    piet.post(&format!("{path}/status"), &[("action", "approve")])
        .await
        .assert_status(303);
    visitor
        .get(&path)
        .await
        .assert_status(200)
        .assert_contains("Taalmaatjes in Delfshaven")
        .assert_contains(&source);

    // Marieke takes her thread back to members: the public page no longer names or links it.
    marieke
        .post(
            &format!("{source}/zichtbaarheid"),
            &[("visibility", "members")],
        )
        .await
        .assert_status(303);
    visitor
        .get(&path)
        .await
        .assert_status(200)
        .assert_lacks("Taalmaatjes in Delfshaven")
        .assert_lacks(&format!("{source}\""));

    // Two revisions: the first named a client by mistake.
    eva.post(
        &format!("{path}/bewerken"),
        &fields("Buren helpen; vraag het mevrouw Zeehond-5120."),
    )
    .await
    .assert_status(303);
    eva.post(
        &format!("{path}/bewerken"),
        &fields("Buren helpen, ook in Delfshaven."),
    )
    .await
    .assert_status(303);
    use erbij::entities::summary_version;
    let versions = summary_version::Entity::find()
        .order_by_asc(summary_version::Column::Id)
        .all(&eva.state.db)
        .await
        .unwrap();
    let [live, named, newest] = versions.as_slice() else {
        panic!("three versions: {versions:?}");
    };
    let history = format!("{path}/versies");
    let page = eva.get(&history).await;
    page.assert_status(200)
        .assert_contains(&format!("{history}/{}/wissen", named.id))
        // The version the public reads and the one being worked on cannot be erased.
        .assert_lacks(&format!("{history}/{}/wissen", live.id))
        .assert_lacks(&format!("{history}/{}/wissen", newest.id));
    eva.post(&format!("{history}/{}/wissen", live.id), &[])
        .await
        .assert_status(403);
    marieke
        .post(&format!("{history}/{}/wissen", named.id), &[])
        .await
        .assert_status(403);
    piet.post(&format!("{history}/{}/wissen", named.id), &[])
        .await
        .assert_status(303);
    let erased = summary_version::Entity::find_by_id(named.id)
        .one(&eva.state.db)
        .await
        .unwrap()
        .unwrap();
    assert!(erased.body.is_empty() && erased.title.is_empty() && erased.redacted_at.is_some());
    eva.get(&format!("{history}?van={}&naar={}", named.id, newest.id))
        .await
        .assert_contains("Een van deze versies is gewist")
        .assert_lacks("Zeehond-5120");
    visitor
        .get(&path)
        .await
        .assert_contains("Buren helpen tegen eenzaamheid.");
}

#[tokio::test]
async fn sources_are_ticked_from_nominations_and_search_and_a_nomination_is_linked() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("migranten").await;
    let nominated = marieke
        .start_thread(
            "migranten",
            "Taalmaatjes in Delfshaven",
            "Wat werkt.",
            "members",
        )
        .await;
    let other = marieke
        .start_thread(
            "migranten",
            "Buurtkoken met nieuwkomers",
            "Samen eten.",
            "members",
        )
        .await;
    marieke
        .post(
            &format!("/onderwerpen/{nominated}/voordragen"),
            &[("reason", "Veel ervaringen, goed voor een bundel.")],
        )
        .await
        .assert_status(200);
    let mut eva = marieke.second_browser();
    eva.person("eva@expertgroep.nl", "Eva Smit", false, true)
        .await;
    eva.login_as("eva@expertgroep.nl").await;
    // The nominated thread is there to tick, with why it was nominated.
    eva.get("/kennisbundels/nieuw")
        .await
        .assert_contains("Taalmaatjes in Delfshaven")
        .assert_contains("Veel ervaringen, goed voor een bundel.")
        .assert_contains(&format!(r#"name="source" value="{nominated}""#));
    // A search finds another; the typed text stays, nothing is saved.
    let found = eva
        .post(
            "/kennisbundels/nieuw",
            &[
                ("title", "Eten en taal"),
                ("body", "Concept."),
                ("lang", "nl"),
                ("source", &nominated.to_string()),
                ("bronzoek", "buurtkoken"),
                ("action", "find"),
            ],
        )
        .await;
    found
        .assert_status(200)
        .assert_contains(&format!(r#"value="{other}" id="source-{other}""#))
        .assert_contains(&format!(
            r#"value="{nominated}" id="source-{nominated}" checked"#
        ))
        .assert_contains("Eten en taal");
    assert_eq!(
        summary::Entity::find()
            .count(&eva.state.db)
            .await
            .expect("q"),
        0
    );
    let saved = eva
        .post(
            "/kennisbundels/nieuw",
            &[
                ("title", "Eten en taal"),
                ("body", "Concept."),
                ("lang", "nl"),
                ("source", &nominated.to_string()),
                ("source", &other.to_string()),
            ],
        )
        .await;
    saved.assert_status(303);
    let s = summary::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("the summary");
    let n = erbij::entities::nomination::Entity::find()
        .one(&eva.state.db)
        .await
        .expect("q")
        .expect("the nomination");
    assert_eq!(n.status, "linked");
    assert_eq!(n.summary_id, Some(s.id));
    marieke
        .get("/meldingen")
        .await
        .assert_contains("koppelde je voordracht “Taalmaatjes in Delfshaven” aan een kennisbundel");
    // Editing shows both as ticked boxes, not as typed links.
    eva.get(&format!("/kennisbundels/{}/bewerken", s.slug))
        .await
        .assert_contains(&format!(
            r#"value="{nominated}" id="source-{nominated}" checked"#
        ))
        .assert_contains(&format!(r#"value="{other}" id="source-{other}" checked"#))
        .assert_lacks(&format!("/onderwerpen/{other}\n"));
}

#[tokio::test]
async fn a_summary_names_at_most_fifty_sources() {
    let mut eva = TestApp::new().await;
    eva.person("eva@expertgroep.nl", "Eva Smit", false, true)
        .await;
    eva.login_as("eva@expertgroep.nl").await;
    let many: String = (1..=60).map(|i| format!("/onderwerpen/{i}\n")).collect();
    eva.post(
        "/kennisbundels/nieuw",
        &[
            ("title", "Te veel"),
            ("body", "Tekst."),
            ("lang", "nl"),
            ("sources", &many),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Kies hoogstens 50 bronnen.");
}
