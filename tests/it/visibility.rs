//! The visibility rule, stated once as a table and run against every surface that lists or
//! shows content: each kind of content carries a marker word, each role reads every
//! surface, and a marker may appear only where the table allows it.

use erbij::entities::{attachment, post, thread, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};

use crate::helpers::TestApp;

/// Who reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Visitor,
    /// A member who joined the practice and wrote nothing of this.
    Member,
    /// The member who wrote the hidden and removed replies and uploaded the files.
    Author,
    /// Facilitator of the practice.
    Facilitator,
    Expert,
    Admin,
    /// Was an expert when mentioned in the expert area, is a member now.
    DemotedExpert,
}

const ROLES: [Role; 7] = [
    Role::Visitor,
    Role::Member,
    Role::Author,
    Role::Facilitator,
    Role::Expert,
    Role::Admin,
    Role::DemotedExpert,
];

/// Kinds of content in their states, each with a word that appears nowhere else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Content {
    PublicThread,
    MembersThread,
    ExpertThread,
    HiddenPost,
    /// The earlier text of the hidden post (it was edited before it was hidden).
    HiddenPostRevision,
    RemovedPost,
    /// The earlier text of an ordinary reply (by the author) in the public thread.
    Revision,
    /// A file on the hidden post.
    HiddenPostFile,
    /// A file uploaded with a preview and never posted.
    PendingUpload,
    DraftSummary,
    SummaryInReview,
    PublishedSummary,
    WithdrawnSummary,
    /// An edit to the published summary, waiting for a second expert.
    SummaryRevision,
    /// A private message from the author to the member.
    PrivateMessage,
    /// An intervention the author proposed, not yet published.
    ProposedIntervention,
    /// An intervention in the public catalogue.
    PublishedIntervention,
}

impl Content {
    fn marker(self) -> &'static str {
        match self {
            Content::PublicThread => "Pelikaan7",
            Content::MembersThread => "Merel7",
            Content::ExpertThread => "Ekster7",
            Content::HiddenPost => "Havik7",
            Content::HiddenPostRevision => "Hopvogel7",
            Content::RemovedPost => "Reiger7",
            Content::Revision => "Roek7",
            Content::HiddenPostFile => "Fuut7",
            Content::PendingUpload => "Pimpelmees7",
            Content::DraftSummary => "Kolibrie7",
            Content::SummaryInReview => "Kievit7",
            Content::PublishedSummary => "Putter7",
            Content::WithdrawnSummary => "Wulp7",
            Content::SummaryRevision => "Patrijs7",
            Content::PrivateMessage => "Meeuw7",
            Content::ProposedIntervention => "Kwartel7",
            Content::PublishedIntervention => "Grutto7",
        }
    }
}

/// The rule: who may read what. Columns follow [`ROLES`]:
/// visitor, member, author, facilitator, expert, administrator, demoted expert.
const RULE: [(Content, [bool; 7]); 17] = [
    (
        Content::PublicThread,
        [true, true, true, true, true, true, true],
    ),
    (
        Content::MembersThread,
        [false, true, true, true, true, true, true],
    ),
    (
        Content::ExpertThread,
        [false, false, false, false, true, true, false],
    ),
    (
        Content::HiddenPost,
        [false, false, true, true, false, true, false],
    ),
    (
        Content::HiddenPostRevision,
        [false, false, true, true, false, true, false],
    ),
    (
        Content::RemovedPost,
        [false, false, false, false, false, false, false],
    ),
    // Earlier versions are for the author, the practice's facilitators and administrators
    // (issue 13): the text its author took out stays out for everyone else.
    (
        Content::Revision,
        [false, false, true, true, false, true, false],
    ),
    (
        Content::HiddenPostFile,
        [false, false, true, true, false, true, false],
    ),
    (
        Content::PendingUpload,
        [false, false, true, false, false, false, false],
    ),
    (
        Content::DraftSummary,
        [false, false, false, false, true, true, false],
    ),
    (
        Content::SummaryInReview,
        [false, false, false, false, true, true, false],
    ),
    (
        Content::PublishedSummary,
        [true, true, true, true, true, true, true],
    ),
    (
        Content::WithdrawnSummary,
        [false, false, false, false, true, true, false],
    ),
    (
        Content::SummaryRevision,
        [false, false, false, false, true, true, false],
    ),
    // Only its participants, whatever the others' roles (issue 18).
    (
        Content::PrivateMessage,
        [false, true, true, false, false, false, false],
    ),
    // Its proposer and those who publish: facilitators and administrators.
    (
        Content::ProposedIntervention,
        [false, false, true, true, false, true, false],
    ),
    (
        Content::PublishedIntervention,
        [true, true, true, true, true, true, true],
    ),
];

fn may_read(role: Role, content: Content) -> bool {
    let column = ROLES.iter().position(|r| *r == role).expect("role listed");
    RULE.iter()
        .find(|(c, _)| *c == content)
        .map(|(_, allowed)| allowed[column])
        .expect("content listed")
}

/// A PDF with `marker` on its page (PDFs are cleaned on upload, so it must be readable).
fn pdf(marker: &str) -> Vec<u8> {
    crate::images::pdf_saying(marker)
}

/// The site with every kind of content in place, and the paths that show it.
struct Fixture {
    app: TestApp,
    emails: Vec<(Role, &'static str)>,
    /// Where each kind of content lives when a reader may see it.
    home_of: Vec<(Content, String)>,
    /// Every surface that lists or shows content.
    surfaces: Vec<String>,
}

async fn post_with(app: &TestApp, thread_id: i32, marker: &str) -> post::Model {
    post::Entity::find()
        .filter(post::Column::ThreadId.eq(thread_id))
        .filter(post::Column::Body.contains(marker))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("the post")
}

async fn fixture() -> Fixture {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let app = TestApp::new().await;
    let emails = vec![
        (Role::Member, "kees@buurtkracht.nl"),
        (Role::Author, "anouk@buurtkracht.nl"),
        (Role::Facilitator, "fenna@buurtkracht.nl"),
        (Role::Expert, "eva@expertgroep.nl"),
        (Role::Admin, "aad@gemeente.nl"),
        (Role::DemotedExpert, "dirk@expertgroep.nl"),
    ];
    app.person("kees@buurtkracht.nl", "Kees Bos", false, false)
        .await;
    app.person("anouk@buurtkracht.nl", "Anouk de Vries", false, false)
        .await;
    let fenna = app
        .person("fenna@buurtkracht.nl", "Fenna Jansen", false, false)
        .await;
    app.person("eva@expertgroep.nl", "Eva Smit", false, true)
        .await;
    app.person("aad@gemeente.nl", "Aad Visser", true, false)
        .await;
    let dirk = app
        .person("dirk@expertgroep.nl", "Dirk Mulder", false, true)
        .await;

    let mut anouk = app.second_browser();
    anouk.login_as("anouk@buurtkracht.nl").await;
    anouk.join("zingeving").await;
    let public = anouk
        .start_thread(
            "zingeving",
            "Openbaar Pelikaan7",
            "Over Pelikaan7.",
            "public",
        )
        .await;
    let members = anouk
        .start_thread("zingeving", "Besloten Merel7", "Over Merel7.", "members")
        .await;
    anouk
        .reply_to(public, "Eerst Roek7.")
        .await
        .assert_status(303);
    let edited = post_with(&anouk, public, "Roek7").await;
    anouk
        .post(
            &format!("/berichten/{}/bewerken", edited.id),
            &[("body", "Later anders."), ("action", "post")],
        )
        .await
        .assert_status(303);
    anouk
        .post_multipart(
            &format!("/onderwerpen/{public}/reageren"),
            &[("body", "Eerst Hopvogel7."), ("action", "post")],
            &[("file", "verslag.pdf", &pdf("Fuut7"))],
        )
        .await
        .assert_status(303);
    let hidden = post_with(&anouk, public, "Hopvogel7").await;
    anouk
        .post(
            &format!("/berichten/{}/bewerken", hidden.id),
            &[("body", "Daarna Havik7."), ("action", "post")],
        )
        .await
        .assert_status(303);
    anouk
        .reply_to(public, "Dit is Reiger7.")
        .await
        .assert_status(303);
    let removed = post_with(&anouk, public, "Reiger7").await;
    // A file uploaded with a preview stays waiting for the post it belongs to.
    anouk
        .post_multipart(
            &format!("/onderwerpen/{public}/reageren"),
            &[("body", "Nog niet af."), ("action", "preview")],
            &[("file", "concept.pdf", &pdf("Pimpelmees7"))],
        )
        .await
        .assert_status(200);
    let files = attachment::Entity::find()
        .order_by_asc(attachment::Column::Id)
        .all(&app.state.db)
        .await
        .expect("files");
    let on_hidden = files
        .iter()
        .find(|f| f.post_id == Some(hidden.id))
        .expect("the hidden post's file");
    let pending = files
        .iter()
        .find(|f| f.post_id.is_none())
        .expect("the pending file");

    // Kees flags the replies that are about to be hidden and removed.
    let mut kees = app.second_browser();
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("zingeving").await;
    for id in [hidden.id, removed.id] {
        kees.post(
            &format!("/berichten/{id}/signaleren"),
            &[("reason", "Hier staat een naam in.")],
        )
        .await
        .assert_status(200);
    }
    anouk
        .post(&format!("/berichten/{}/verwijderen", removed.id), &[])
        .await
        .assert_status(303);
    app.make_facilitator(fenna.id, "zingeving").await;
    let mut facilitator = app.second_browser();
    facilitator.login_as("fenna@buurtkracht.nl").await;
    facilitator
        .post(
            &format!("/berichten/{}/verbergen", hidden.id),
            &[("reason", "Herleidbaar.")],
        )
        .await
        .assert_status(303);

    // In the expert area, Eva mentions Dirk while he is still an expert.
    let mut eva = app.second_browser();
    eva.login_as("eva@expertgroep.nl").await;
    let handle = dirk.handle.clone().expect("a handle");
    let expert = eva
        .start_thread(
            "expertgroep",
            "Intern Ekster7",
            &format!("@{handle} kijk je naar Ekster7?"),
            "experts",
        )
        .await;
    let mut dirk_browser = app.second_browser();
    dirk_browser.login_as("dirk@expertgroep.nl").await;
    dirk_browser
        .get("/")
        .await
        .assert_contains(r#"<span class="count" aria-hidden="true">1</span>"#);
    // Summaries in every state: Eva writes, Aad (an administrator) reviews.
    let mut aad = app.second_browser();
    aad.login_as("aad@gemeente.nl").await;
    let zingeving = erbij::entities::practice::Entity::find()
        .filter(erbij::entities::practice::Column::Slug.eq("zingeving"))
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("zingeving")
        .id
        .to_string();
    let mut summary = async |title: &str, steps: &[(&str, bool)]| -> String {
        let created = eva
            .post(
                "/kennisbundels/nieuw",
                &[
                    ("title", title),
                    ("body", &format!("Wat we leerden over {title}.")),
                    ("lang", "nl"),
                    ("practice", &zingeving),
                    ("sources", ""),
                    ("references", ""),
                ],
            )
            .await;
        created.assert_status(303);
        let path = created.location().to_string();
        for (action, by_reviewer) in steps {
            let who = if *by_reviewer { &mut aad } else { &mut eva };
            who.post(&format!("{path}/status"), &[("action", action)])
                .await
                .assert_status(303);
        }
        path
    };
    let draft = summary("Kolibrie7", &[]).await;
    let review = summary("Kievit7", &[("submit", false)]).await;
    let published = summary("Putter7", &[("submit", false), ("approve", true)]).await;
    let withdrawn = summary(
        "Wulp7",
        &[("submit", false), ("approve", true), ("withdraw", true)],
    )
    .await;
    eva.post(
        &format!("{published}/bewerken"),
        &[
            ("title", "Putter7"),
            ("body", "Nieuw inzicht: Patrijs7."),
            ("lang", "nl"),
            ("practice", &zingeving),
            ("sources", ""),
            ("references", ""),
        ],
    )
    .await
    .assert_status(303);
    eva.post(&format!("{published}/status"), &[("action", "submit")])
        .await
        .assert_status(303);

    // A private message from Anouk to Kees; an intervention Anouk proposed (waiting); one
    // Aad proposed and published.
    let sent = anouk
        .post(
            "/berichten/nieuw",
            &[
                ("recipients", "Kees Bos"),
                ("subject", "Een vraag"),
                ("body", "Meeuw7: kunnen we morgen bellen?"),
            ],
        )
        .await;
    sent.assert_status(303);
    let conversation = sent
        .location()
        .split('#')
        .next()
        .unwrap_or_default()
        .to_string();
    let intervention = |name: &'static str| {
        vec![
            ("name", name),
            ("description", "Wekelijks koffie in de buurtkamer."),
            ("group", "ouderen"),
            ("referral", "1. Bel de buurtkamer."),
        ]
    };
    let proposed = anouk
        .post("/interventies/nieuw", &intervention("Kwartel7 koffie"))
        .await;
    proposed.assert_status(303);
    let proposal = proposed.location().to_string();
    let offered = aad
        .post("/interventies/nieuw", &intervention("Grutto7 koffie"))
        .await;
    offered.assert_status(303);
    aad.post(&format!("{}/publiceren", offered.location()), &[])
        .await
        .assert_status(303);

    let mut demoted = dirk.into_active_model();
    demoted.is_expert = Set(false);
    demoted.update(&app.state.db).await.expect("demote");

    let base = |t: i32| format!("/onderwerpen/{t}");
    let home_of = vec![
        (Content::PublicThread, base(public)),
        (Content::MembersThread, base(members)),
        (Content::ExpertThread, base(expert)),
        (Content::HiddenPost, base(public)),
        (
            Content::HiddenPostRevision,
            format!("/berichten/{}/versies", hidden.id),
        ),
        (
            Content::Revision,
            format!("/berichten/{}/versies", edited.id),
        ),
        (
            Content::HiddenPostFile,
            format!("/bijlagen/{}/verslag.pdf", on_hidden.id),
        ),
        (
            Content::PendingUpload,
            format!("/bijlagen/{}/concept.pdf", pending.id),
        ),
        (Content::DraftSummary, draft.clone()),
        (Content::SummaryInReview, review.clone()),
        (Content::PublishedSummary, published.clone()),
        (Content::WithdrawnSummary, withdrawn.clone()),
        (Content::SummaryRevision, format!("{published}/versies")),
        (Content::PrivateMessage, conversation.clone()),
        (Content::ProposedIntervention, proposal.clone()),
        (
            Content::PublishedIntervention,
            "/interventies/grutto7-koffie".to_string(),
        ),
    ];
    let mut surfaces: Vec<String> = [
        "/",
        "/praktijken",
        "/praktijken/zingeving",
        "/expertgroep",
        "/meldingen",
        "/praktijken/zingeving/signaleringen",
        "/beheer/signaleringen",
        "/kennisbundels",
        "/kennisbundels.atom",
        "/praktijken/zingeving/kennisbundels.atom",
        "/expertgroep/kennisbundels",
        "/expertgroep/voordrachten",
        "/berichten",
        "/beheer/berichten",
        "/interventies",
        "/interventies?doelgroep=ouderen",
        "/interventies/voorstellen",
        "/interventies/kwartel7-koffie",
        "/interventies/kwartel7-koffie/geschiedenis",
        "/interventies/grutto7-koffie/geschiedenis",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    surfaces.extend(home_of.iter().map(|(_, path)| path.clone()));
    surfaces.extend(
        [&draft, &review, &published, &withdrawn]
            .iter()
            .map(|path| format!("{path}/versies")),
    );
    // Search, for every marker (in lower case, so that the query echoed in the box is not
    // taken for a find): results, snippets and counts, and the similar-threads list.
    for (content, _) in RULE {
        let word = content.marker().to_lowercase();
        surfaces.push(format!("/zoeken?q={word}"));
        surfaces.push(format!("/zoeken?q={word}&sorteer=nieuw&praktijk=zingeving"));
        surfaces.push(format!("/zoeken/vergelijkbaar?titel={word}"));
    }
    surfaces.extend([
        format!("/onderwerpen/{public}?citeer={}", hidden.id),
        format!("/onderwerpen/{public}?citeer={}", removed.id),
        format!("/berichten/{}/versies", removed.id),
        format!("/berichten/{}", hidden.id),
        format!("/onderwerpen/{public}/ongelezen"),
    ]);
    // Every member's page: what each wrote, as each role may read it.
    let handles: Vec<String> = user::Entity::find()
        .all(&app.state.db)
        .await
        .expect("people")
        .into_iter()
        .filter_map(|u| u.handle)
        .collect();
    surfaces.extend(handles.iter().map(|h| format!("/leden/{h}")));
    Fixture {
        app,
        emails,
        home_of,
        surfaces,
    }
}

impl Fixture {
    async fn browser(&self, role: Role) -> TestApp {
        let mut browser = self.app.second_browser();
        if let Some((_, email)) = self.emails.iter().find(|(r, _)| *r == role) {
            browser.login_as(email).await;
        }
        browser
    }
}

#[tokio::test]
async fn every_role_reads_every_surface_as_the_rule_says() {
    let fixture = fixture().await;
    for role in ROLES {
        let mut browser = fixture.browser(role).await;
        for path in &fixture.surfaces {
            let page = browser.get(path).await;
            assert!(
                page.status.as_u16() < 500,
                "{role:?} on {path}: {}",
                page.status
            );
            for (content, _) in RULE {
                if !may_read(role, content) {
                    assert!(
                        !page.body.contains(content.marker()),
                        "{role:?} must not read {content:?} on {path}:\n{}",
                        page.body
                    );
                }
            }
        }
        for (content, path) in &fixture.home_of {
            if may_read(role, *content) {
                let page = browser.get(path).await;
                assert!(
                    page.body.contains(content.marker()),
                    "{role:?} should read {content:?} on {path}; status {}:\n{}",
                    page.status,
                    page.body
                );
            }
        }
    }
    // Visitors were served from memory too: what is kept is only what a visitor may read.
    let visitor = fixture.browser(Role::Visitor).await;
    let kept = visitor.state.pages.texts();
    assert!(kept.len() >= 3, "visitors' pages are kept: {}", kept.len());
    for text in kept {
        for (content, _) in RULE {
            if !may_read(Role::Visitor, content) {
                assert!(
                    !text.contains(content.marker()),
                    "{content:?} kept for visitors"
                );
            }
        }
    }
}

/// Search finds, for each role, exactly what it may read: the marker in the results and
/// "1 resultaat", or nothing and "0 resultaten" (the count leaks nothing either).
#[tokio::test]
async fn search_finds_for_every_role_what_it_may_read() {
    let fixture = fixture().await;
    let findable = [
        Content::PublicThread,
        Content::MembersThread,
        Content::ExpertThread,
        Content::DraftSummary,
        Content::SummaryInReview,
        Content::PublishedSummary,
        Content::WithdrawnSummary,
        Content::PublishedIntervention,
    ];
    for role in ROLES {
        let mut browser = fixture.browser(role).await;
        for content in findable {
            let word = content.marker().to_lowercase();
            let page = browser.get(&format!("/zoeken?q={word}")).await;
            if may_read(role, content) {
                page.assert_contains(content.marker())
                    .assert_contains("1 resultaat");
            } else {
                page.assert_lacks(content.marker())
                    .assert_contains("0 resultaten");
            }
        }
        // Hidden and removed posts, earlier versions and files are found by nobody.
        for content in [
            Content::HiddenPost,
            Content::HiddenPostRevision,
            Content::RemovedPost,
            Content::Revision,
            Content::HiddenPostFile,
            Content::PendingUpload,
            Content::SummaryRevision,
            // Private messages are never in the index, not even for their participants;
            // a proposal only once it is published.
            Content::PrivateMessage,
            Content::ProposedIntervention,
        ] {
            let word = content.marker().to_lowercase();
            browser
                .get(&format!("/zoeken?q={word}"))
                .await
                .assert_contains("0 resultaten");
        }
    }
}

/// Digests: a subscriber reads as a visitor; a member's own digest with the member's eyes.
#[tokio::test]
async fn digests_hold_only_what_their_reader_may_read() {
    let fixture = fixture().await;
    let db = &fixture.app.state.db;
    let period =
        erbij::digests::Period::ending(chrono::Utc::now() + chrono::Duration::hours(1), "weekly");
    for role in ROLES {
        let person = match fixture.emails.iter().find(|(r, _)| *r == role) {
            Some((_, email)) => user::Entity::find()
                .filter(user::Column::Email.eq(*email))
                .one(db)
                .await
                .expect("query"),
            None => None,
        };
        let scope = erbij::forum::Scope::for_viewer(db, person.as_ref())
            .await
            .expect("scope");
        let digest = erbij::digests::compose_for(db, &scope, None, true, period)
            .await
            .expect("compose")
            .expect("something new");
        let text = format!("{digest:?}");
        assert!(
            text.contains(Content::PublishedSummary.marker()),
            "{role:?}: {text}"
        );
        assert!(
            text.contains(Content::PublicThread.marker()),
            "{role:?}: {text}"
        );
        for (content, _) in RULE {
            if !may_read(role, content) {
                assert!(
                    !text.contains(content.marker()),
                    "{role:?}'s digest holds {content:?}: {text}"
                );
            }
        }
        // Whoever reads it, a mail never carries a hidden or removed post.
        for content in [Content::HiddenPost, Content::RemovedPost] {
            assert!(!text.contains(content.marker()), "{role:?}: {text}");
        }
    }
}

#[tokio::test]
async fn a_demoted_experts_bell_no_longer_counts_the_expert_area() {
    let fixture = fixture().await;
    let mut dirk = fixture.browser(Role::DemotedExpert).await;
    let home = dirk.get("/").await;
    home.assert_lacks(r#"class="count""#);
    dirk.get("/meldingen")
        .await
        .assert_lacks(Content::ExpertThread.marker());
    // The notification itself still exists: it is the rule that keeps it out of reach.
    let stored = erbij::entities::notification::Entity::find()
        .all(&fixture.app.state.db)
        .await
        .expect("notifications");
    let dirk_id = user::Entity::find()
        .filter(user::Column::Email.eq("dirk@expertgroep.nl"))
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("dirk")
        .id;
    assert!(stored.iter().any(|n| n.user_id == dirk_id));
}

#[tokio::test]
async fn a_hidden_post_cannot_be_quoted_and_a_removed_one_has_no_versions() {
    let fixture = fixture().await;
    let hidden = post::Entity::find()
        .filter(post::Column::HiddenAt.is_not_null())
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("hidden post");
    let removed = post::Entity::find()
        .filter(post::Column::DeletedAt.is_not_null())
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("removed post");
    let thread = thread::Entity::find_by_id(hidden.thread_id)
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("thread");
    let mut kees = fixture.browser(Role::Member).await;
    let page = kees
        .get(&format!("/onderwerpen/{}?citeer={}", thread.id, hidden.id))
        .await;
    page.assert_status(200).assert_lacks("Havik7");
    kees.get(&format!("/berichten/{}/versies", hidden.id))
        .await
        .assert_status(404);
    // Not even its author reads a removed post's versions.
    let mut anouk = fixture.browser(Role::Author).await;
    anouk
        .get(&format!("/berichten/{}/versies", removed.id))
        .await
        .assert_status(404);
    // The facilitator's queue keeps the flag on the removed post but not its text; hiding
    // the other post settled the flag on it, and Kees, who flagged both, heard so.
    let mut fenna = fixture.browser(Role::Facilitator).await;
    fenna
        .get("/praktijken/zingeving/signaleringen")
        .await
        .assert_status(200)
        .assert_contains("Hier staat een naam in.")
        .assert_contains("verwijderd door de schrijver")
        .assert_lacks("Havik7")
        .assert_lacks("Reiger7");
    kees.get("/meldingen")
        .await
        .assert_contains("heeft je signalering over")
        .assert_lacks("Havik7");
}

#[tokio::test]
async fn a_post_names_its_author_with_a_handle_no_one_else_has() {
    let fixture = fixture().await;
    let anouk = user::Entity::find()
        .filter(user::Column::Email.eq("anouk@buurtkracht.nl"))
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("anouk");
    let public = thread::Entity::find()
        .filter(thread::Column::Title.contains("Pelikaan7"))
        .one(&fixture.app.state.db)
        .await
        .expect("query")
        .expect("thread");
    let mut visitor = fixture.browser(Role::Visitor).await;
    visitor
        .get(&format!("/onderwerpen/{}", public.id))
        .await
        .assert_contains(&format!(
            r#"<span class="handle muted">@{}</span>"#,
            anouk.handle.expect("handle")
        ));
}

/// The bell's rule in SQL (`Reader::notifications`) and the mail job's in memory
/// (`Reader::may_be_told`) agree on every notification of every person in the fixture —
/// mentions, flags, hidden posts, handled flags, nominations, reviews, a demoted expert's.
#[tokio::test]
async fn the_bell_and_the_mail_judge_every_notification_alike() {
    use erbij::{
        entities::{membership, notification, practice, summary},
        visibility::{Reader, Told},
    };
    let fixture = fixture().await;
    let db = &fixture.app.state.db;
    let all = notification::Entity::find().all(db).await.expect("q");
    assert!(
        all.iter().any(|n| n.kind == notification::FLAG_HANDLED)
            && all.iter().any(|n| n.kind == notification::POST_HIDDEN)
            && all.iter().any(|n| n.kind == notification::SUMMARY_REVIEW),
        "the fixture has the new kinds: {:?}",
        all.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>()
    );
    let posts = post::Entity::find().all(db).await.expect("q");
    let threads = thread::Entity::find().all(db).await.expect("q");
    let practices = practice::Entity::find().all(db).await.expect("q");
    let summaries = summary::Entity::find().all(db).await.expect("q");
    let facilitators = membership::Entity::find()
        .filter(membership::Column::Role.eq(membership::Role::Facilitator))
        .all(db)
        .await
        .expect("q");
    for person in user::Entity::find().all(db).await.expect("q") {
        let reader = Reader::of(Some(&person));
        let mut by_sql: Vec<i32> = reader
            .notifications()
            .all(db)
            .await
            .expect("q")
            .into_iter()
            .map(|n| n.id)
            .collect();
        by_sql.sort_unstable();
        let mut in_memory: Vec<i32> = all
            .iter()
            .filter(|n| n.user_id == person.id)
            .filter(|n| {
                if let Some(id) = n.summary_id {
                    let s = summaries.iter().find(|s| s.id == id).expect("summary");
                    return reader.may_be_told(&n.kind, Told::Summary(s), false);
                }
                let p = posts
                    .iter()
                    .find(|p| Some(p.id) == n.post_id)
                    .expect("post");
                let t = threads
                    .iter()
                    .find(|t| t.id == p.thread_id)
                    .expect("thread");
                let pr = practices
                    .iter()
                    .find(|pr| pr.id == t.practice_id)
                    .expect("practice");
                let facilitates = facilitators
                    .iter()
                    .any(|m| m.user_id == person.id && m.practice_id == pr.id);
                reader.may_be_told(&n.kind, Told::Post(p, t, pr), facilitates)
            })
            .map(|n| n.id)
            .collect();
        in_memory.sort_unstable();
        assert_eq!(by_sql, in_memory, "{}", person.email);
    }
}
