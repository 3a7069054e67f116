//! Attachments and data exports on S3-compatible storage, against a real S3 server process
//! (`.ci/run` starts moto's server and sets `ERBIJ_TEST_S3_ENDPOINT`, with the usual
//! `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`): a file is stored in the bucket and not on
//! disk, read back only by those who may read its post, gone with its post; the local
//! folder moves to the bucket with `storage migrate`, checked and resumable.

use erbij::{
    Settings,
    media::Variant,
    storage::{Storage, attachment_key, migrate},
};
use indicatif::ProgressBar;
use sea_orm::EntityTrait;

use crate::{helpers::TestApp, images};

const BUCKET: &str = "erbij-test";

/// The test S3 server, with the bucket made; `None` (and a line saying so) without one.
async fn s3_endpoint() -> Option<String> {
    let Ok(endpoint) = std::env::var("ERBIJ_TEST_S3_ENDPOINT") else {
        eprintln!("no ERBIJ_TEST_S3_ENDPOINT: the S3 tests need an S3 server (.ci/run starts one)");
        return None;
    };
    // Creating a bucket that is there already is answered with an error; either way it is there.
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/{BUCKET}"))
        .send()
        .await
        .expect("the S3 test server answers");
    assert!(
        made.status().is_success() || made.status().as_u16() == 409,
        "{}",
        made.status()
    );
    Some(endpoint)
}

/// Settings for a site whose files are in the test bucket, under a folder of its own.
fn on_s3(settings: &mut Settings, endpoint: &str) {
    settings.storage = "s3".into();
    settings.s3_bucket = BUCKET.into();
    settings.s3_region = "us-east-1".into();
    settings.s3_endpoint = endpoint.into();
    settings.s3_prefix = format!("site-{}", &erbij::tokens::random_secret()[..12]);
}

/// Every file under the site's folder in the uploads folder on disk.
fn files_on_disk(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![app.state.settings.uploads_dir.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

async fn signed_in_member(app: &mut TestApp) {
    app.member("marieke@buurtkracht.nl").await;
    app.login_as("marieke@buurtkracht.nl").await;
    app.join("jongeren").await;
}

/// Starts a members-only thread in "jongeren" with these files; answers its address.
async fn thread_with(app: &mut TestApp, title: &str, files: &[(&str, &str, &[u8])]) -> String {
    let posted = app
        .post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", title),
                ("body", "Zie de bijlagen."),
                ("visibility", "members"),
                ("action", "post"),
            ],
            files,
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    posted.location().to_string()
}

/// The newest attachment row.
async fn last_attachment(app: &TestApp) -> erbij::entities::attachment::Model {
    use sea_orm::QueryOrder;
    erbij::entities::attachment::Entity::find()
        .order_by_desc(erbij::entities::attachment::Column::Id)
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("an attachment")
}

#[tokio::test]
async fn a_photo_lives_in_the_bucket_is_served_by_permission_and_leaves_with_its_post() {
    let Some(endpoint) = s3_endpoint().await else {
        return;
    };
    let mut app = TestApp::with_settings(|s| on_s3(s, &endpoint)).await;
    signed_in_member(&mut app).await;
    let photo = images::jpeg(1600, 1200);
    let thread = thread_with(
        &mut app,
        "Foto van de buurttafel",
        &[("files", "tafel.jpg", &photo)],
    )
    .await;
    let thread = app.get(&thread).await;
    thread.assert_contains("tafel.jpg");
    let file = last_attachment(&app).await;

    // In the bucket, in three sizes; nothing on this machine.
    let bucket = Storage::from_settings(&app.state.settings).expect("storage");
    for variant in Variant::ALL {
        let key = attachment_key(&file.sha256, variant).expect("key");
        assert!(
            bucket.files.size(&key).await.expect("head").is_some(),
            "{key} in the bucket"
        );
    }
    assert!(files_on_disk(&app).is_empty(), "{:?}", files_on_disk(&app));

    // The member reads it (streamed from the bucket), a visitor does not.
    let address = format!("/bijlagen/{}/tafel.jpg", file.id);
    let full = app.get(&address).await;
    full.assert_status(200);
    assert_eq!(full.headers["content-type"], "image/jpeg");
    assert_eq!(full.headers["cache-control"], "no-store");
    let stored = bucket
        .files
        .get(&attachment_key(&file.sha256, Variant::Full).expect("key"))
        .await
        .expect("get")
        .expect("there");
    assert_eq!(
        full.bytes,
        stored.as_ref(),
        "the same bytes as in the bucket"
    );
    let thumb = app.get(&format!("{address}?v=thumb")).await;
    thumb.assert_status(200);
    let decoded = image::load_from_memory(&thumb.bytes).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (320, 240));
    let mut visitor = app.second_browser();
    visitor.get(&address).await.assert_status(404);
    visitor
        .get(&format!("{address}?v=thumb"))
        .await
        .assert_status(404);

    // Removed with its post: gone from the bucket too.
    let post_id = file.post_id.expect("on a post");
    let removed = app
        .post(&format!("/berichten/{post_id}/verwijderen"), &[])
        .await;
    assert_eq!(removed.status, 303, "{}", removed.body);
    for variant in Variant::ALL {
        let key = attachment_key(&file.sha256, variant).expect("key");
        assert!(
            bucket.files.size(&key).await.expect("head").is_none(),
            "{key} left in the bucket"
        );
    }
    app.get(&address).await.assert_status(404);
}

#[tokio::test]
async fn a_data_export_waits_in_the_bucket_and_holds_the_members_file() {
    let Some(endpoint) = s3_endpoint().await else {
        return;
    };
    let mut app = TestApp::with_settings(|s| on_s3(s, &endpoint)).await;
    signed_in_member(&mut app).await;
    let docx = crate::attachments::docx();
    thread_with(
        &mut app,
        "Werkblad voor het huisbezoek",
        &[("files", "werkblad.docx", &docx)],
    )
    .await;

    app.post("/profiel/gegevens", &[]).await.assert_status(303);
    let mail = app
        .mail("marieke@buurtkracht.nl", "Je gegevens staan klaar")
        .await;
    let link = crate::own_data::export_link(&mail.text);
    let bucket = Storage::from_settings(&app.state.settings).expect("storage");
    let waiting = bucket.exports.list().await.expect("list");
    assert_eq!(waiting.len(), 1, "the zip waits in the bucket: {waiting:?}");
    assert!(
        !app.state.settings.data_dir.join("exports").exists()
            || std::fs::read_dir(app.state.settings.data_dir.join("exports"))
                .expect("dir")
                .next()
                .is_none(),
        "and not on this machine"
    );

    let zip = app.get(&link).await;
    zip.assert_status(200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes.clone())).expect("a zip");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a name").into_owned())
        .collect();
    let attached = names
        .iter()
        .find(|n| n.starts_with("bijlagen/") && n.ends_with("werkblad.docx"))
        .unwrap_or_else(|| panic!("the file in the zip: {names:?}"))
        .clone();
    let mut inside = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name(&attached).expect("entry"), &mut inside)
        .expect("read");
    assert_eq!(inside, docx, "the member's file, as stored");
    // Fetched once: gone from the bucket.
    assert!(bucket.exports.list().await.expect("list").is_empty());
}

#[tokio::test]
async fn storage_migrate_copies_checks_and_resumes_and_the_site_serves_from_the_bucket() {
    let Some(endpoint) = s3_endpoint().await else {
        return;
    };
    // A site on the local folder with a photo and a document.
    let mut app = TestApp::new().await;
    signed_in_member(&mut app).await;
    let docx = crate::attachments::docx();
    thread_with(
        &mut app,
        "Twee bestanden",
        &[
            ("files", "foto.jpg", &images::jpeg(800, 600)),
            ("files", "werkblad.docx", &docx),
        ],
    )
    .await;
    let on_disk = files_on_disk(&app).len();
    assert_eq!(on_disk, 4, "a photo in three sizes and a document");

    let mut settings = app.state.settings.clone();
    on_s3(&mut settings, &endpoint);
    let local = Storage::local(&settings).expect("local");
    let bucket = Storage::s3(&settings).expect("s3");
    let journal = settings.data_dir.join("migrate.journal");
    let first = migrate::migrate(
        &local.files,
        &bucket.files,
        &journal,
        &ProgressBar::hidden(),
    )
    .await
    .expect("migrated");
    assert_eq!((first.copied, first.skipped), (4, 0));
    let mut in_bucket = bucket.files.list().await.expect("list");
    let mut locally = local.files.list().await.expect("list");
    in_bucket.sort();
    locally.sort();
    assert_eq!(in_bucket, locally, "the same keys and sizes");

    // Interrupted after all but one: that one is missing from the journal and was left
    // half-done in the bucket. The second run copies just it, and checks it.
    let text = std::fs::read_to_string(&journal).expect("journal");
    let (last, rest) = text
        .lines()
        .collect::<Vec<_>>()
        .split_last()
        .map(|(l, r)| (l.to_string(), r.join("\n") + "\n"))
        .expect("lines");
    std::fs::write(&journal, rest).expect("write journal");
    bucket
        .files
        .put(&last, bytes::Bytes::from_static(b"half"))
        .await
        .expect("put");
    let second = migrate::migrate(
        &local.files,
        &bucket.files,
        &journal,
        &ProgressBar::hidden(),
    )
    .await
    .expect("resumed");
    assert_eq!((second.copied, second.skipped), (1, 3));
    assert_eq!(
        bucket.files.get(&last).await.expect("get").expect("there"),
        local.files.get(&last).await.expect("get").expect("there"),
    );

    // The site switched to the bucket serves the same files, with the local folder gone.
    std::fs::remove_dir_all(&settings.uploads_dir).expect("remove the folder");
    let mut moved = TestApp::with_settings(|s| *s = settings.clone()).await;
    moved.login_as("marieke@buurtkracht.nl").await;
    let file = last_attachment(&moved).await;
    let served = moved
        .get(&format!("/bijlagen/{}/{}", file.id, file.filename))
        .await;
    served.assert_status(200);
    assert_eq!(served.bytes, docx);
}
