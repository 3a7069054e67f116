//! People: a member page for members only, showing only what the viewer may read; author
//! names and mentions link to it; the preview says whom each mention names; typing `@mar`
//! finds members, for members only.

use erbij::entities::user;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_member_page_shows_what_the_viewer_may_read_and_only_to_members() {
    let mut eva = TestApp::new().await;
    let person = eva
        .person("eva@expertgroep.nl", "Eva Smit", false, true)
        .await;
    let mut active = person.clone().into_active_model();
    active.bio = Set("Onderzoeker eenzaamheid bij ouderen.\nBel me gerust.".into());
    active.update(&eva.state.db).await.expect("bio");
    eva.login_as("eva@expertgroep.nl").await;
    eva.join("zingeving").await;
    eva.start_thread("zingeving", "Openbaar Zwaluw8", "Voor iedereen.", "public")
        .await;
    eva.start_thread(
        "zingeving",
        "Besloten Gierzwaluw8",
        "Voor leden.",
        "members",
    )
    .await;
    eva.start_thread(
        "expertgroep",
        "Intern Boomvalk8",
        "Alleen experts.",
        "experts",
    )
    .await;
    let handle = person.handle.clone().expect("handle");
    let page = format!("/leden/{handle}");

    let mut visitor = eva.second_browser();
    let refused = visitor.get(&page).await;
    refused.assert_status(303);
    assert!(refused.location().starts_with("/inloggen"));

    let mut kees = eva.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.get(&page)
        .await
        .assert_status(200)
        .assert_contains("Eva Smit")
        .assert_contains("Onderzoeker eenzaamheid bij ouderen.")
        .assert_contains("Zingeving")
        .assert_contains("Openbaar Zwaluw8")
        .assert_contains("Besloten Gierzwaluw8")
        .assert_lacks("Boomvalk8")
        .assert_lacks("Expertgroep</a>");
    // The expert group sees its own thread there.
    eva.get(&page).await.assert_contains("Intern Boomvalk8");
    // No such member: a page that says so.
    kees.get("/leden/niemand-hier")
        .await
        .assert_status(404)
        .assert_contains("Geen lid met deze naam");
}

#[tokio::test]
async fn mentions_link_to_members_and_the_preview_says_whom_they_name() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("zingeving").await;
    let kees: user::Model = marieke.member_other().await;
    let handle = kees.handle.clone().expect("handle");
    let thread = marieke
        .start_thread("zingeving", "Samen", "Eerste bericht.", "members")
        .await;
    let body = format!("Vraag aan @{handle} en @niemand-bekend, mail kees@voorbeeld.nl");
    let preview = marieke
        .post_multipart(
            &format!("/onderwerpen/{thread}/reageren"),
            &[("body", &body), ("action", "preview")],
            &[],
        )
        .await;
    preview
        .assert_status(200)
        .assert_contains("Wie je noemt")
        .assert_contains(&format!(
            "@{handle} → <a href=\"/leden/{handle}\">Kees Bos</a>"
        ))
        .assert_contains("<strong>@niemand-bekend</strong> — geen lid met deze naam");
    marieke.reply_to(thread, &body).await.assert_status(303);
    let page = marieke.get(&format!("/onderwerpen/{thread}")).await;
    page.assert_contains(&format!(
        "<a href=\"/leden/{handle}\" rel=\"nofollow ugc noopener\">@{handle}</a>"
    ))
    .assert_lacks("href=\"/leden/voorbeeld")
    // The author's name leads to their page.
    .assert_contains("<a href=\"/leden/marieke-de-vries\">Marieke de Vries</a>");
}

#[tokio::test]
async fn typing_a_mention_suggests_members_to_members_only() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.member_other().await;
    let mut visitor = marieke.second_browser();
    visitor.get("/leden/zoek?q=kee").await.assert_status(404);
    marieke.login_as("marieke@buurtkracht.nl").await;
    let found = marieke.get("/leden/zoek?q=kee").await;
    found
        .assert_status(200)
        .assert_contains("\"handle\":\"kees-bos\"");
    // By a part of the name too, and never a deleted account.
    marieke
        .get("/leden/zoek?q=bos")
        .await
        .assert_contains("Kees Bos");
    marieke
        .get("/leden/zoek?q=%25%25%25")
        .await
        .assert_status(200)
        .assert_lacks("Kees");
}
