//! The catalogue of interventions: proposed by members, published (or declined) by
//! facilitators and administrators with a history, filtered, found by search, in digests,
//! on organisation pages, and marked and reminded when stale.

use chrono::{Duration, Utc};
use erbij::entities::{intervention, organisation};
use indicatif::ProgressBar;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::TestApp;

async fn organisation(app: &TestApp, slug: &str, name: &str) {
    let now = Utc::now();
    organisation::ActiveModel {
        slug: Set(slug.into()),
        name: Set(name.into()),
        kind: Set(organisation::Kind::Volunteer),
        description: Set("Vrijwilligers in de wijk.".into()),
        website: Set("https://example.org/".into()),
        districts: Set(",charlois,".into()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .unwrap();
}

/// The fields of a proposal, with these changes.
fn fields<'a>(name: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("name", name),
        ("organisation", "humanitas"),
        (
            "description",
            "Een vrijwilliger komt wekelijks op bezoek voor koffie en een wandeling.",
        ),
        ("group", "ouderen"),
        ("district", "charlois"),
        (
            "referral",
            "1. Bel de coördinator.\n2. Die maakt een kennismaking met de vrijwilliger.",
        ),
        ("contact", "Coördinator maatjes, 010-555 12 34"),
        ("cost", "Gratis"),
        ("languages", "Nederlands, Turks"),
        ("evidence", "Evaluatie 2024 (intern)."),
        ("related", ""),
        ("note", ""),
    ];
    for (k, v) in extra {
        match all.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v,
            None => all.push((k, v)),
        }
    }
    all
}

/// Proposes through the form; returns the proposal's id (from the redirect).
async fn propose(browser: &mut TestApp, fields: &[(&str, &str)]) -> i32 {
    let page = browser.post("/interventies/nieuw", fields).await;
    assert_eq!(page.status, 303, "{}", page.body);
    page.location()
        .trim_start_matches("/interventies/voorstellen/")
        .parse()
        .expect("to the proposal")
}

async fn slug_of(app: &TestApp, name: &str) -> String {
    let v = erbij::entities::intervention_version::Entity::find()
        .filter(erbij::entities::intervention_version::Column::Name.eq(name))
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("a version");
    intervention::Entity::find_by_id(v.intervention_id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
        .slug
}

async fn deliver(app: &TestApp) {
    erbij::delivery::deliver(&app.state, 10_000, 0, &ProgressBar::hidden())
        .await
        .expect("deliver");
}

#[tokio::test]
async fn an_intervention_moves_from_proposal_to_published_with_history() {
    let mut visitor = TestApp::new().await;
    organisation(&visitor, "humanitas", "Humanitas").await;
    visitor.member("marieke@wijk.nl").await;
    let kees = visitor.member_other().await;
    let fenna = visitor
        .person("fenna@wijk.nl", "Fenna Facilitator", false, false)
        .await;
    visitor.make_facilitator(fenna.id, "migranten").await;
    let mut marieke = visitor.second_browser();
    marieke.login_as("marieke@wijk.nl").await;
    let mut kees_browser = visitor.second_browser();
    kees_browser.login_as(&kees.email).await;
    let mut fenna_browser = visitor.second_browser();
    fenna_browser.login_as("fenna@wijk.nl").await;

    let name = "Koffiemaatjes Tarwewijk";
    let proposal = propose(
        &mut marieke,
        &fields(
            name,
            &[("description", "Wekelijks bezoek met zeldzaamwoord koffie.")],
        ),
    )
    .await;
    let slug = slug_of(&visitor, name).await;
    // A proposal is nobody's but the proposer's and those who publish.
    marieke
        .get(&format!("/interventies/voorstellen/{proposal}"))
        .await
        .assert_status(200)
        .assert_contains(name)
        .assert_contains("wacht op besluit")
        .assert_lacks("Publiceren");
    visitor.get("/interventies").await.assert_lacks(name);
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_status(404);
    kees_browser
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_status(404);
    kees_browser
        .get(&format!("/interventies/voorstellen/{proposal}"))
        .await
        .assert_status(404);
    visitor
        .get("/zoeken?q=zeldzaamwoord")
        .await
        .assert_lacks(name);
    // The proposer cannot publish her own.
    marieke
        .post(
            &format!("/interventies/voorstellen/{proposal}/publiceren"),
            &[],
        )
        .await
        .assert_status(403);

    fenna_browser
        .get("/interventies/voorstellen")
        .await
        .assert_contains(name)
        .assert_contains("Nieuwe interventie");
    let published = fenna_browser
        .post(
            &format!("/interventies/voorstellen/{proposal}/publiceren"),
            &[],
        )
        .await;
    published.assert_status(303);
    assert_eq!(published.location(), format!("/interventies/{slug}"));
    // Publishing twice (a double click) publishes once.
    fenna_browser
        .post(
            &format!("/interventies/voorstellen/{proposal}/publiceren"),
            &[],
        )
        .await
        .assert_status(303);

    visitor
        .get("/interventies")
        .await
        .assert_contains(name)
        .assert_contains("Humanitas");
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_status(200)
        .assert_contains("Bel de coördinator")
        .assert_contains("Gratis")
        .assert_contains("Charlois")
        .assert_contains("Ouderen")
        .assert_lacks("Wijziging voorstellen");
    visitor
        .get("/organisaties/humanitas")
        .await
        .assert_contains(name);
    visitor
        .get("/zoeken?q=zeldzaamwoord")
        .await
        .assert_contains(name)
        .assert_contains("Interventie");
    visitor
        .get("/zoeken?q=zeldzaamwoord&soort=interventies")
        .await
        .assert_contains(name);
    visitor
        .get("/zoeken?q=zeldzaamwoord&soort=kennisbundels")
        .await
        .assert_lacks(name);
    deliver(&visitor).await;
    let mail = visitor
        .mail("marieke@wijk.nl", "Je voorstel staat in de catalogus")
        .await;
    assert!(mail.text.contains(name), "{}", mail.text);

    // Kees proposes a change: nothing public changes until it is published.
    kees_browser
        .get(&format!("/interventies/{slug}/wijzigen"))
        .await
        .assert_status(200)
        .assert_contains("Gratis");
    let same = kees_browser
        .post(
            &format!("/interventies/{slug}/wijzigen"),
            &fields(
                name,
                &[("description", "Wekelijks bezoek met zeldzaamwoord koffie.")],
            ),
        )
        .await;
    same.assert_status(422)
        .assert_contains("gelijk aan wat er nu staat");
    let change = kees_browser
        .post(
            &format!("/interventies/{slug}/wijzigen"),
            &fields(
                name,
                &[
                    ("description", "Wekelijks bezoek met zeldzaamwoord koffie."),
                    ("cost", "€ 2,50 per keer"),
                    ("note", "Sinds januari vragen ze een bijdrage."),
                ],
            ),
        )
        .await;
    change.assert_status(303);
    let change_id: i32 = change
        .location()
        .trim_start_matches("/interventies/voorstellen/")
        .parse()
        .unwrap();
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_contains("Gratis")
        .assert_lacks("2,50");
    fenna_browser
        .get(&format!("/interventies/voorstellen/{change_id}"))
        .await
        .assert_contains("Wat verandert er")
        .assert_contains("<del>Gratis</del>")
        .assert_contains("Sinds januari vragen ze een bijdrage.");
    fenna_browser
        .post(
            &format!("/interventies/voorstellen/{change_id}/publiceren"),
            &[],
        )
        .await
        .assert_status(303);
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_contains("€ 2,50 per keer")
        .assert_lacks("Gratis");
    let history = visitor
        .get(&format!("/interventies/{slug}/geschiedenis"))
        .await;
    history
        .assert_status(200)
        .assert_contains("<del>Gratis</del>")
        .assert_contains("Kees Bos")
        .assert_contains("Marieke de Vries");

    // A change declined: the reason is required, then mailed; nothing public changes.
    let third = kees_browser
        .post(
            &format!("/interventies/{slug}/wijzigen"),
            &fields(
                name,
                &[
                    ("description", "Wekelijks bezoek met zeldzaamwoord koffie."),
                    ("cost", "€ 100"),
                ],
            ),
        )
        .await;
    let third_id: i32 = third
        .location()
        .trim_start_matches("/interventies/voorstellen/")
        .parse()
        .unwrap();
    fenna_browser
        .post(
            &format!("/interventies/voorstellen/{third_id}/afwijzen"),
            &[("decision_note", "")],
        )
        .await
        .assert_status(422)
        .assert_contains("decision_note-error");
    fenna_browser
        .post(
            &format!("/interventies/voorstellen/{third_id}/afwijzen"),
            &[(
                "decision_note",
                "Dat bedrag klopt niet, ik heb het nagevraagd.",
            )],
        )
        .await
        .assert_status(303);
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_lacks("€ 100");
    deliver(&visitor).await;
    let declined = visitor
        .mail(&kees.email, "Je voorstel is niet gepubliceerd")
        .await;
    assert!(declined.text.contains("Dat bedrag klopt niet"));
    // The declined one is in the history only for its author and those who publish.
    visitor
        .get(&format!("/interventies/{slug}/geschiedenis"))
        .await
        .assert_lacks("afgewezen");
    kees_browser
        .get(&format!("/interventies/{slug}/geschiedenis"))
        .await
        .assert_contains("afgewezen");

    // Each proposer's export holds their own proposals, and nobody else's.
    let kees_export = crate::messages::export_of(&mut kees_browser, &kees.email).await;
    assert!(kees_export.contains("== interventies.json"));
    assert!(kees_export.contains("Sinds januari vragen ze een bijdrage."));
    assert!(kees_export.contains("Dat bedrag klopt niet"));
    let marieke_export = crate::messages::export_of(&mut marieke, "marieke@wijk.nl").await;
    assert!(marieke_export.contains("zeldzaamwoord"));
    assert!(!marieke_export.contains("Sinds januari vragen ze een bijdrage."));

    // A new intervention is news in a visitor's digest.
    let scope = erbij::forum::Scope::for_viewer(&visitor.state.db, None)
        .await
        .unwrap();
    let now = Utc::now();
    let period = erbij::digests::Period {
        start: now - Duration::days(7),
        end: now + Duration::minutes(1),
    };
    let digest = erbij::digests::compose_for(&visitor.state.db, &scope, None, false, period)
        .await
        .unwrap()
        .expect("a new intervention is news");
    let titles: Vec<&str> = digest
        .interventions
        .iter()
        .map(|i| i.title.as_str())
        .collect();
    assert_eq!(titles, [name]);

    // Taken out of the catalogue: gone from the list, search and the organisation's page.
    fenna_browser
        .post(&format!("/interventies/{slug}/intrekken"), &[])
        .await
        .assert_status(303);
    visitor.get("/interventies").await.assert_lacks(name);
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_status(404);
    visitor
        .get("/zoeken?q=zeldzaamwoord")
        .await
        .assert_lacks(name);
    visitor
        .get("/organisaties/humanitas")
        .await
        .assert_lacks(name);
}

/// Publishes a proposal as an administrator (who may publish their own).
async fn published(admin: &mut TestApp, fields: &[(&str, &str)]) {
    let id = propose(admin, fields).await;
    admin
        .post(&format!("/interventies/voorstellen/{id}/publiceren"), &[])
        .await
        .assert_status(303);
}

#[tokio::test]
async fn filters_combine_and_odd_input_is_answered_with_the_form() {
    let mut admin = TestApp::new().await;
    organisation(&admin, "humanitas", "Humanitas").await;
    organisation(&admin, "sol", "SOL").await;
    admin.admin("beheer@erbij.nl").await;
    admin.login_as("beheer@erbij.nl").await;
    published(&mut admin, &fields("Alfa ouderen Charlois", &[])).await;
    published(
        &mut admin,
        &fields(
            "Bravo jongeren Charlois",
            &[("group", "jongeren"), ("organisation", "sol")],
        ),
    )
    .await;
    published(
        &mut admin,
        &fields(
            "Charlie ouderen Noord",
            &[("district", "noord"), ("organisation", "sol")],
        ),
    )
    .await;
    published(
        &mut admin,
        &fields(
            "Delta heel de stad",
            &[
                ("district", ""),
                ("organisation", ""),
                ("group", "mantelzorgers"),
            ],
        ),
    )
    .await;
    let mut visitor = admin.second_browser();
    // The list and a page cost the same number of queries however many there are.
    let (_, few) = visitor.get_counting("/interventies").await;
    let (_, one_page) = visitor
        .get_counting("/interventies/alfa-ouderen-charlois")
        .await;
    for n in 0..6 {
        published(&mut admin, &fields(&format!("Extra {n}"), &[])).await;
    }
    let (_, more) = visitor.get_counting("/interventies").await;
    assert_eq!(few, more, "the list's queries grow with its length");
    assert!(few <= 4, "{few} queries for the list");
    assert!(one_page <= 6, "{one_page} queries for an intervention");
    let names = |page: &crate::helpers::Page| -> Vec<&str> {
        ["Alfa", "Bravo", "Charlie", "Delta"]
            .into_iter()
            .filter(|n| page.body.contains(&format!("{n} ")))
            .collect()
    };
    let all = visitor.get("/interventies").await;
    assert_eq!(names(&all), ["Alfa", "Bravo", "Charlie", "Delta"]);
    all.assert_contains("10 interventies");
    let page = visitor.get("/interventies?doelgroep=ouderen").await;
    assert_eq!(names(&page), ["Alfa", "Charlie"]);
    // A whole-city intervention is there in every district.
    let page = visitor.get("/interventies?wijk=charlois").await;
    assert_eq!(names(&page), ["Alfa", "Bravo", "Delta"]);
    let page = visitor
        .get("/interventies?doelgroep=ouderen&wijk=charlois")
        .await;
    assert_eq!(names(&page), ["Alfa"]);
    let page = visitor
        .get("/interventies?doelgroep=ouderen&organisatie=sol")
        .await;
    assert_eq!(names(&page), ["Charlie"]);
    for odd in [
        "/interventies?wijk=atlantis",
        "/interventies?doelgroep=%00",
        "/interventies?organisatie=%E2%80%AEsol",
        "/interventies?doelgroep=ouderen&wijk=noord&organisatie=humanitas",
    ] {
        let page = visitor.get(odd).await;
        page.assert_status(200);
        assert!(names(&page).is_empty(), "{odd}");
    }
    for odd in [
        "/interventies/%00",
        "/interventies/bestaat-niet",
        "/interventies/voorstellen/999999",
        "/interventies/voorstellen/abc",
    ] {
        let status = visitor.get(odd).await.status;
        assert!(
            status == 404 || status == 400 || status == 303,
            "{odd}: {status}"
        );
    }

    // Visitors cannot propose.
    let refused = visitor
        .post("/interventies/nieuw", &fields("Echo", &[]))
        .await;
    assert_eq!(refused.status, 303);
    assert!(refused.location().starts_with("/inloggen"));

    // Problems come back with the form and the text kept.
    let long = "lang ".repeat(20_000);
    let page = admin
        .post(
            "/interventies/nieuw",
            &fields(
                "Foxtrot",
                &[
                    ("description", &long),
                    ("group", ""),
                    (
                        "related",
                        "https://elders.example/kennisbundels/x\n/leden/3",
                    ),
                    ("note", "mijn toelichting blijft staan"),
                ],
            ),
        )
        .await;
    page.assert_status(422)
        .assert_contains("Kies minstens één doelgroep")
        .assert_contains("Elke regel moet een link")
        .assert_contains("mijn toelichting blijft staan")
        .assert_contains("lang lang lang");
    // Control and bidi characters do not reach the name.
    published(&mut admin, &fields("Golf\u{202e}\u{0007} buurtkamer", &[])).await;
    let page = visitor.get("/interventies").await;
    page.assert_contains("/interventies/golf-buurtkamer");
    assert!(!page.body.contains('\u{202e}') && !page.body.contains('\u{7}'));
}

#[tokio::test]
async fn related_knowledge_is_shown_only_to_who_may_read_it() {
    let mut admin = TestApp::new().await;
    organisation(&admin, "humanitas", "Humanitas").await;
    admin.admin("beheer@erbij.nl").await;
    admin.login_as("beheer@erbij.nl").await;
    admin.join("migranten").await;
    let hidden = admin
        .start_thread(
            "migranten",
            "Alleen voor leden: ervaringen met maatjes",
            "Wat werkt er?",
            "members",
        )
        .await;
    let open = admin
        .start_thread(
            "migranten",
            "Openbaar: maatjes in Charlois",
            "Wat werkt er?",
            "public",
        )
        .await;
    let related =
        format!("/onderwerpen/{hidden}\nhttps://erbij.example/onderwerpen/{open}#bericht-1");
    published(
        &mut admin,
        &fields("Maatjes met verband", &[("related", &related)]),
    )
    .await;
    let slug = slug_of(&admin, "Maatjes met verband").await;
    let mut visitor = admin.second_browser();
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_contains("Openbaar: maatjes in Charlois")
        .assert_lacks("Alleen voor leden");
    admin.member("lid@wijk.nl").await;
    let mut member = admin.second_browser();
    member.login_as("lid@wijk.nl").await;
    member
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_contains("Openbaar: maatjes in Charlois")
        .assert_contains("Alleen voor leden: ervaringen met maatjes");
}

#[tokio::test]
async fn a_stale_intervention_is_marked_and_its_owner_reminded_once() {
    let mut admin = TestApp::new().await;
    organisation(&admin, "humanitas", "Humanitas").await;
    admin.admin("beheer@erbij.nl").await;
    admin.member("eigenaar@wijk.nl").await;
    admin.member_other().await;
    let mut owner = admin.second_browser();
    owner.login_as("eigenaar@wijk.nl").await;
    admin.login_as("beheer@erbij.nl").await;
    let id = propose(&mut owner, &fields("Buurtkamer Oud-Charlois", &[])).await;
    admin
        .post(&format!("/interventies/voorstellen/{id}/publiceren"), &[])
        .await
        .assert_status(303);
    let slug = slug_of(&admin, "Buurtkamer Oud-Charlois").await;
    let mut visitor = admin.second_browser();
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_lacks("meer dan een jaar niet gecontroleerd");
    // A year and a bit later.
    let i = intervention::Entity::find()
        .filter(intervention::Column::Slug.eq(&slug))
        .one(&admin.state.db)
        .await
        .unwrap()
        .unwrap();
    let mut old: intervention::ActiveModel = i.into();
    old.checked_at = Set(Some(Utc::now() - Duration::days(400)));
    old.update(&admin.state.db).await.unwrap();
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_contains("meer dan een jaar niet gecontroleerd");
    visitor
        .get("/interventies")
        .await
        .assert_contains("Niet recent gecontroleerd");
    let now = Utc::now();
    let first = erbij::interventions::stale::queue_reminders(&admin.state, now)
        .await
        .unwrap();
    let again = erbij::interventions::stale::queue_reminders(&admin.state, now)
        .await
        .unwrap();
    assert_eq!((first, again), (1, 0));
    deliver(&admin).await;
    let mail = admin
        .mail("eigenaar@wijk.nl", "Klopt deze interventie nog?")
        .await;
    assert!(mail.text.contains("Buurtkamer Oud-Charlois"));
    assert!(mail.text.contains(&format!("/interventies/{slug}")));
    assert_eq!(
        admin.mails_to("eigenaar@wijk.nl").len(),
        2,
        "published + reminder"
    );

    // Another member may not confirm it; its owner may.
    let mut kees = admin.second_browser();
    kees.login_as("kees@buurtkracht.nl").await;
    kees.post(&format!("/interventies/{slug}/gecontroleerd"), &[])
        .await
        .assert_status(403);
    owner
        .post(&format!("/interventies/{slug}/gecontroleerd"), &[])
        .await
        .assert_status(303);
    visitor
        .get(&format!("/interventies/{slug}"))
        .await
        .assert_lacks("meer dan een jaar niet gecontroleerd");
}
