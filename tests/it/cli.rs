//! The `erbij` command as an operator uses it.

use std::process::Command;

fn erbij(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_erbij"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SMTP_URL")
        .env("ERBIJ_DATA_DIR", dir.join("data"))
        .output()
        .expect("the binary runs")
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "admin"] {
        assert!(text.contains(command), "{command} in:\n{text}");
    }
}

#[test]
fn migrate_is_idempotent_and_admin_create_prints_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    for _ in 0..2 {
        let out = erbij(dir.path(), &["migrate"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("data/erbij.db").exists());

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "Beheer@Coalitie.nl"],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("beheer@coalitie.nl is an administrator"),
        "{said}"
    );
    assert!(
        said.contains("http://127.0.0.1:3000/wachtwoord-instellen/"),
        "{said}"
    );

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "not-an-address"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid email address"));
}

#[test]
fn seed_demo_fills_a_database_once() {
    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["seed", "demo"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Added 30 people, 301 threads"), "{said}");
    let again = erbij(dir.path(), &["seed", "demo"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("demo data already"));
}

#[tokio::test]
async fn the_demo_site_reads_well_including_its_longest_thread() {
    use erbij::entities::thread;
    use sea_orm::{EntityTrait, QueryOrder};

    let mut app = crate::helpers::TestApp::new().await;
    let progress = indicatif::ProgressBar::hidden();
    let summary = erbij::demo::seed(&app.state.db, &progress)
        .await
        .expect("demo");
    assert!(summary.posts > 2000);
    let longest = thread::Entity::find()
        .order_by_desc(thread::Column::PostCount)
        .one(&app.state.db)
        .await
        .expect("q")
        .expect("a thread");
    assert_eq!(longest.post_count, 501);
    app.post(
        "/inloggen",
        &[
            ("email", "anouk.de-vries@demo.erbij.nl"),
            ("password", erbij::demo::PASSWORD),
        ],
    )
    .await
    .assert_status(303);
    // Once, so that both counted views find the thread's "related" list kept.
    app.get(&format!("/onderwerpen/{}", longest.id)).await;
    let (last, queries_last) = app
        .get_counting(&format!("/onderwerpen/{}?pagina=26", longest.id))
        .await;
    last.assert_status(200);
    let (_, queries_first) = app
        .get_counting(&format!("/onderwerpen/{}", longest.id))
        .await;
    assert_eq!(queries_first, queries_last);
    app.get(&format!("/onderwerpen/{}?pagina=27", longest.id))
        .await
        .assert_status(404);
    app.get("/praktijken/migranten?pagina=2")
        .await
        .assert_status(200);
    the_demo_has_meetings(&mut app).await;
    the_demo_has_a_directory(&mut app).await;
    the_demo_has_interventions(&mut app).await;
}

/// The demo's catalogue: 30+ published interventions covering every district, some stale,
/// a change and a new proposal waiting; found by filter, on organisation pages and by search.
async fn the_demo_has_interventions(app: &mut crate::helpers::TestApp) {
    use erbij::entities::{
        intervention::{self, Status},
        intervention_version,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = &app.state.db;
    let published = intervention::Entity::find()
        .filter(intervention::Column::Status.eq(Status::Published))
        .all(db)
        .await
        .expect("q");
    assert!(published.len() >= 30, "{}", published.len());
    let stale = published
        .iter()
        .filter(|i| erbij::interventions::is_stale(i, chrono::Utc::now()))
        .count();
    assert!(stale >= 1 && stale < published.len() / 2, "{stale}");
    let versions = intervention_version::Entity::find()
        .filter(
            intervention_version::Column::Id
                .is_in(published.iter().filter_map(|i| i.published_version_id)),
        )
        .all(db)
        .await
        .expect("q");
    for (district, _) in erbij::directory::DISTRICTS {
        let here = versions
            .iter()
            .filter(|v| v.districts.contains(&format!(",{district},")))
            .count();
        assert!(here >= 1, "nothing in {district}");
    }
    let waiting = intervention_version::Entity::find()
        .filter(intervention_version::Column::State.eq(intervention_version::State::Pending))
        .all(db)
        .await
        .expect("q");
    assert_eq!(waiting.len(), 2);
    let mut visitor = app.second_browser();
    let list = visitor.get("/interventies").await;
    list.assert_status(200)
        .assert_contains("Niet recent gecontroleerd")
        .assert_lacks("Wandelmaatjes Hoogvliet");
    let charlois = visitor
        .get("/interventies?wijk=charlois&doelgroep=ouderen")
        .await;
    charlois.assert_status(200);
    assert!(charlois.body.matches("<li class=\"card\"").count() >= 2);
    visitor
        .get("/organisaties/humanitas")
        .await
        .assert_contains("/interventies/");
    // By its whole name (one of letters and spaces only, so it needs no escaping).
    let plain = versions
        .iter()
        .find(|v| {
            v.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ')
        })
        .expect("a plain name");
    visitor
        .get(&format!("/zoeken?q={}", plain.name.replace(' ', "+")))
        .await
        .assert_contains(&plain.name);
}

/// The demo's meetings: every open practice has one held (with attendance and its report
/// linked both ways) and two coming, one of them full with a waiting list; the demo member's
/// practice also held one a day or two ago whose report is still to be written; the
/// community and the expert group meet too; the demo member is coming to one; and every
/// meeting's count of places agrees with its registrations.
async fn the_demo_has_meetings(app: &mut crate::helpers::TestApp) {
    use erbij::entities::{
        meeting::{self, MeetingState},
        practice,
        registration::{self, Status},
        thread, user,
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = &app.state.db;
    let now = chrono::Utc::now();
    let meetings = meeting::Entity::find().all(db).await.expect("q");
    let registrations = registration::Entity::find().all(db).await.expect("q");
    let of = |m: &meeting::Model| {
        registrations
            .iter()
            .filter(|r| r.meeting_id == m.id)
            .collect::<Vec<_>>()
    };
    for m in &meetings {
        let holding = of(m)
            .iter()
            .filter(|r| r.status == Status::Registered)
            .count();
        assert_eq!(
            usize::try_from(m.registered).ok(),
            Some(holding),
            "{}",
            m.title
        );
        if let Some(capacity) = m.capacity {
            assert!(m.registered <= capacity, "{}", m.title);
        }
        assert!(m.ends_at > m.starts_at, "{}", m.title);
    }
    let uids: std::collections::HashSet<&str> = meetings.iter().map(|m| m.uid.as_str()).collect();
    assert_eq!(uids.len(), meetings.len());

    let practices = erbij::practices::active_practices(db).await.expect("q");
    assert!(!practices.is_empty());
    for p in &practices {
        let mine: Vec<&meeting::Model> = meetings
            .iter()
            .filter(|m| m.practice_id == Some(p.id))
            .collect();
        let held: Vec<&meeting::Model> = mine.iter().copied().filter(|m| m.ends_at < now).collect();
        assert!(!held.is_empty(), "{}: nothing held", p.slug);
        for m in &held {
            assert_eq!(m.state, MeetingState::Held, "{}", m.title);
            assert!(of(m).iter().any(|r| r.attended), "{}: attendance", m.title);
        }
        // Each has a report linked both ways; only the demo member's practice has one held
        // a day or two ago that still waits for its report.
        let reported: Vec<&meeting::Model> = held
            .iter()
            .copied()
            .filter(|m| m.report_thread_id.is_some())
            .collect();
        assert!(!reported.is_empty(), "{}: no report", p.slug);
        let unreported: Vec<&str> = held
            .iter()
            .filter(|m| m.report_thread_id.is_none())
            .map(|m| m.title.as_str())
            .collect();
        if p.slug == "migranten" {
            assert_eq!(unreported, [erbij::demo::RECENT_MEETING]);
            let recent = held
                .iter()
                .find(|m| m.title == erbij::demo::RECENT_MEETING)
                .expect("the recent meeting");
            assert!(recent.ends_at > now - chrono::Duration::days(4));
        } else {
            assert!(unreported.is_empty(), "{}: {unreported:?}", p.slug);
        }
        for m in reported {
            let report_id = m.report_thread_id.expect("a report");
            let report = thread::Entity::find_by_id(report_id)
                .one(db)
                .await
                .expect("q")
                .expect("the report thread");
            assert_eq!(report.practice_id, p.id);
            let back = erbij::meetings::edit::reported_by(db, report_id)
                .await
                .expect("q")
                .expect("the thread knows its meeting");
            assert_eq!(back.id, m.id);
        }
        let coming: Vec<&&meeting::Model> = mine.iter().filter(|m| m.starts_at > now).collect();
        assert!(coming.len() >= 2, "{}: {} coming", p.slug, coming.len());
        assert!(
            coming.iter().any(|m| {
                m.visibility == thread::Visibility::Public
                    && m.capacity == Some(m.registered)
                    && of(m).iter().any(|r| r.status == Status::Waiting)
            }),
            "{}: a full public meeting with a waiting list",
            p.slug
        );
        assert!(
            coming.iter().any(|m| {
                m.visibility == thread::Visibility::Members && !m.online_link.is_empty()
            }),
            "{}: a members' meeting online",
            p.slug
        );
    }
    let community = meetings
        .iter()
        .find(|m| m.practice_id.is_none() && m.kind == meeting::Kind::CommunityDay)
        .expect("a community day");
    assert!(community.starts_at > now);
    assert_eq!(community.visibility, thread::Visibility::Public);
    let area = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Expert))
        .one(db)
        .await
        .expect("q")
        .expect("the expert area");
    assert!(meetings.iter().any(|m| m.practice_id == Some(area.id)
        && m.visibility == thread::Visibility::Experts
        && m.starts_at > now));

    let anouk = user::Entity::find()
        .filter(user::Column::Email.eq("anouk.de-vries@demo.erbij.nl"))
        .one(db)
        .await
        .expect("q")
        .expect("Anouk");
    let hers = registrations
        .iter()
        .filter(|r| r.user_id == Some(anouk.id) && r.status == Status::Registered)
        .filter_map(|r| meetings.iter().find(|m| m.id == r.meeting_id))
        .find(|m| m.starts_at > now)
        .expect("Anouk comes to a meeting");
    // Signed in as Anouk (above): the meetings and hers show.
    app.get("/bijeenkomsten").await.assert_status(200);
    app.get(&format!("/bijeenkomsten/{}", hers.id))
        .await
        .assert_status(200)
        .assert_contains(&hers.title);
}

/// The demo's directory: the coalition's partners and a few more; every demo member names an
/// organisation and a district; the directory lists them for a member (signed in as Anouk,
/// above), and a district finds only those who show it; an organisation's page names its
/// members to members only.
async fn the_demo_has_a_directory(app: &mut crate::helpers::TestApp) {
    use erbij::{
        directory::districts_of,
        entities::{organisation, user, user_expertise, user_organisation},
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let db = &app.state.db;
    let organisations = organisation::Entity::find().all(db).await.expect("q");
    assert!(organisations.len() >= 8, "{}", organisations.len());
    for name in ["Humanitas", "Sensoor", "Gemeente Rotterdam"] {
        assert!(organisations.iter().any(|o| o.name == name), "{name}");
    }
    for o in &organisations {
        assert!(!districts_of(&o.districts).is_empty(), "{}", o.slug);
        assert!(
            o.website.starts_with("https://example.org/"),
            "{}",
            o.website
        );
    }
    let members = user::Entity::find()
        .filter(user::Column::Email.ends_with(format!("@{}", erbij::demo::DOMAIN)))
        .all(db)
        .await
        .expect("q");
    assert_eq!(members.len(), 30);
    let links = user_organisation::Entity::find().all(db).await.expect("q");
    let expertise = user_expertise::Entity::find().all(db).await.expect("q");
    for m in &members {
        let theirs: Vec<&organisation::Model> = links
            .iter()
            .filter(|l| l.user_id == m.id)
            .filter_map(|l| organisations.iter().find(|o| o.id == l.organisation_id))
            .collect();
        assert!((1..=2).contains(&theirs.len()), "{}", m.email);
        // The free-text organisation agrees with the first one they chose.
        assert!(
            theirs.iter().any(|o| o.name == m.organisation),
            "{}",
            m.email
        );
        assert!(
            (1..=3).contains(&districts_of(&m.districts).len()),
            "{}",
            m.email
        );
        let known = expertise.iter().filter(|e| e.user_id == m.id).count();
        assert!((1..=3).contains(&known), "{}: {known}", m.email);
    }
    assert!(members.iter().filter(|m| m.show_phone).count() >= 3);
    assert!(members.iter().any(|m| m.show_email));
    let anouk = members
        .iter()
        .find(|m| m.email == "anouk.de-vries@demo.erbij.nl")
        .expect("Anouk");
    assert!(anouk.show_organisation && anouk.show_districts);

    // Signed in as Anouk: everyone, with what they show.
    let page = app.get("/leden").await;
    page.assert_status(200).assert_contains("Humanitas");
    let found: u64 = page
        .body
        .split_once(" leden gevonden")
        .map(|(before, _)| {
            let digits: String = before
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.chars().rev().collect::<String>()
        })
        .and_then(|n| n.parse().ok())
        .expect("a count of members found");
    assert!(found >= 25, "{found}");
    let phone = members
        .iter()
        .find(|m| m.show_phone)
        .map(|m| m.phone.clone())
        .expect("a member who shows a phone number");
    page.assert_contains(&phone);
    for m in members
        .iter()
        .filter(|m| !m.show_phone && !m.phone.is_empty())
    {
        page.assert_lacks(&m.phone);
    }

    // By district: only those who show theirs; someone who works in Charlois but keeps it to
    // themselves is not found there.
    let page = app.get("/leden?wijk=charlois").await;
    page.assert_status(200);
    let link = |m: &user::Model| format!("href=\"/leden/{}\"", m.handle.as_deref().unwrap_or(""));
    let in_charlois = |m: &user::Model| districts_of(&m.districts).contains(&"charlois");
    assert!(
        members.iter().any(|m| !m.show_districts && in_charlois(m)),
        "someone who works in Charlois hides it"
    );
    let mut shown = 0;
    for m in &members {
        if m.show_districts && in_charlois(m) {
            page.assert_contains(&link(m));
            shown += 1;
        } else {
            page.assert_lacks(&link(m));
        }
    }
    assert!(shown >= 3, "{shown}");
    page.assert_contains(&format!("{shown} leden gevonden"));

    // An organisation's page is public; its members are for members.
    let humanitas = organisations
        .iter()
        .find(|o| o.slug == "humanitas")
        .expect("Humanitas");
    let theirs: Vec<&user::Model> = members
        .iter()
        .filter(|m| {
            links
                .iter()
                .any(|l| l.user_id == m.id && l.organisation_id == humanitas.id)
        })
        .collect();
    assert!(theirs.len() >= 2);
    let page = app.get("/organisaties/humanitas").await;
    page.assert_status(200);
    for m in &theirs {
        page.assert_contains(&link(m));
    }
    let mut visitor = app.second_browser();
    let page = visitor.get("/organisaties/humanitas").await;
    page.assert_status(200).assert_contains("Humanitas");
    for m in &theirs {
        page.assert_lacks(&m.name).assert_lacks(&link(m));
    }
    page.assert_lacks("/leden/");
}

#[tokio::test]
async fn search_reindex_indexes_posts_written_past_the_index_and_says_how_fast() {
    use chrono::Utc;
    use erbij::{
        entities::{post, practice, thread, user},
        search::{engine, query::Query},
        visibility::Reader,
    };
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = erbij::Settings {
        data_dir: dir.path().join("data"),
        database_url: String::new(),
        ..erbij::Settings::default()
    }
    .resolved();
    let state = erbij::app::prepare(settings).await.expect("the app starts");
    let db = &state.db;
    let practice = practice::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("a practice");
    let now = Utc::now();
    let author = user::ActiveModel {
        email: Set("wijk@voorbeeld.nl".into()),
        name: Set("Wijk Verpleging".into()),
        organisation: Set(String::new()),
        job: Set(String::new()),
        lang: Set("nl".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("user");
    let t = thread::ActiveModel {
        practice_id: Set(practice.id),
        author_id: Set(author.id),
        title: Set("Koffieochtend in Pernis".into()),
        visibility: Set(thread::Visibility::Public),
        pinned: Set(false),
        locked: Set(false),
        post_count: Set(3),
        last_poster_id: Set(Some(author.id)),
        last_post_at: Set(now),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("thread");
    for (position, body) in [
        "Wie komt er dinsdag naar de koffieochtend?",
        "De wijkverpleegkundige neemt de zilverlijnfolder mee.",
        "Fijn, tot dinsdag!",
    ]
    .iter()
    .enumerate()
    {
        // Straight into the table, past the index, as a restore or an old import would.
        post::ActiveModel {
            thread_id: Set(t.id),
            author_id: Set(author.id),
            position: Set(i32::try_from(position + 1).expect("small")),
            body: Set((*body).into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("post");
    }
    let search = || async {
        engine::find(
            db,
            Reader::Visitor,
            &Query::parse("zilverlijnfolder"),
            &engine::Filters::default(),
            engine::Order::Relevance,
            0,
            10,
        )
        .await
        .expect("search")
    };
    assert_eq!(search().await.total, 0, "not in the index yet");

    let out = erbij(dir.path(), &["search", "reindex"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Indexed 3 texts in "), "{said}");
    assert!(said.contains(" per second)"), "{said}");

    let found = search().await;
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].target, engine::Target::Thread(t.id));
}
