//! Members' read positions are written behind (issue 16): a thread page notes them, and
//! they reach the database together, before any other page of that member counts unread.

use erbij::entities::read_position;
use sea_orm::EntityTrait;

use crate::helpers::TestApp;

async fn stored(app: &TestApp, user: i32, thread: i32) -> Option<i32> {
    read_position::Entity::find_by_id((user, thread))
        .one(&app.state.db)
        .await
        .unwrap()
        .map(|r| r.position)
}

#[tokio::test]
async fn a_read_position_is_noted_then_written_before_another_page_counts_unread() {
    let mut marieke = TestApp::new().await;
    marieke.member("marieke@buurtkracht.nl").await;
    marieke.login_as("marieke@buurtkracht.nl").await;
    marieke.join("jongeren").await;
    let id = marieke
        .start_thread("jongeren", "Stagebank", "Wie zoekt een stagiair?", "public")
        .await;
    let mut kees = marieke.second_browser();
    let kees_model = kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    kees.join("jongeren").await;
    marieke
        .reply_to(id, "Het buurthuis zoekt er twee.")
        .await
        .assert_status(303);
    marieke
        .reply_to(id, "En de bibliotheek één.")
        .await
        .assert_status(303);

    // Reading the thread notes the position; nothing is written yet.
    kees.get("/").await.assert_contains("Stagebank");
    kees.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_status(200);
    assert_eq!(stored(&kees, kees_model.id, id).await, None);
    assert_eq!(kees.state.read_marks.noted(kees_model.id, id), Some(3));
    // Reading it again writes nothing more and notes nothing new.
    kees.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_status(200);

    // His home page counts unread: the position is written first, the thread is read.
    let home = kees.get("/").await;
    assert_eq!(stored(&kees, kees_model.id, id).await, Some(3));
    assert_eq!(kees.state.read_marks.noted(kees_model.id, id), None);
    home.assert_lacks("Stagebank");

    // The once-a-second writer takes whatever is noted, for everyone, in one go.
    marieke
        .reply_to(id, "Ook de kinderboerderij.")
        .await
        .assert_status(303);
    kees.get(&format!("/onderwerpen/{id}"))
        .await
        .assert_status(200);
    assert_eq!(
        kees.state.read_marks.flush(&kees.state.db).await.unwrap(),
        vec![kees_model.id]
    );
    assert_eq!(stored(&kees, kees_model.id, id).await, Some(4));
}
