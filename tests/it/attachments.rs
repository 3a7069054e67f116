//! Photos and files with a post keep only what readers need: a phone photo comes back
//! without its GPS position or any other metadata, upright and at most 2,048 px; a post
//! shows it at 1,024 px with its size set; a decompression bomb is refused; a PDF loses its
//! author; and whoever attaches an office file is told that its metadata stays.

use sea_orm::EntityTrait;

use crate::{
    helpers::{Page, TestApp},
    images::{self, MARKER, contains, has_metadata_segment},
};

impl TestApp {
    /// A member of "jongeren", signed in.
    async fn member_in_jongeren() -> TestApp {
        let mut app = TestApp::new().await;
        app.member("marieke@buurtkracht.nl").await;
        app.login_as("marieke@buurtkracht.nl").await;
        app.join("jongeren").await;
        app
    }

    /// Starts a members-only thread with one file.
    async fn post_file(&mut self, name: &str, bytes: &[u8]) -> Page {
        self.post_multipart(
            "/praktijken/jongeren/nieuw",
            &[
                ("title", "Bij mevrouw thuis"),
                ("body", "Zie de bijlage bij dit bericht."),
                ("visibility", "members"),
                ("action", "post"),
            ],
            &[("files", name, bytes)],
        )
        .await
    }

    /// Starts a thread with one file and returns the thread page.
    async fn thread_with_file(&mut self, name: &str, bytes: &[u8]) -> Page {
        let posted = self.post_file(name, bytes).await;
        assert_eq!(posted.status, 303, "{}", posted.body);
        self.get(posted.location()).await
    }
}

/// The value of the first `attr="…"` after `after` in `html`.
fn attribute(html: &str, after: &str, attr: &str) -> String {
    let start = html
        .find(after)
        .unwrap_or_else(|| panic!("{after} in page"));
    let rest = &html[start..];
    let value = rest
        .split(&format!("{attr}=\""))
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or_else(|| panic!("{attr} after {after}"));
    value.replace("&amp;", "&")
}

#[tokio::test]
async fn a_phone_photo_comes_back_without_exif_gps_or_marker_and_upright() {
    let mut app = TestApp::member_in_jongeren().await;
    // Taken on its side (EXIF orientation 6: turn 90° to view), with GPS, XMP and IPTC.
    let sent = images::with_metadata(&images::jpeg(400, 200), 6);
    assert!(contains(&sent, MARKER.as_bytes()) && has_metadata_segment(&sent));

    let thread = app.thread_with_file("IMG_2041.JPG", &sent).await;
    let full = attribute(&thread.body, "<ul class=\"attachments\"", "href");
    let display = attribute(&thread.body, "<ul class=\"attachments\"", "src");
    assert!(display.ends_with("?v=display"), "{display}");

    for address in [&full, &display] {
        let file = app.get(address).await;
        file.assert_status(200);
        assert_eq!(file.headers["content-type"], "image/jpeg");
        let bytes = &file.bytes;
        assert_eq!(&bytes[..2], [0xFF, 0xD8], "still a JPEG");
        assert!(!has_metadata_segment(bytes), "no APP1 (EXIF, XMP) or APP13");
        assert!(!contains(bytes, b"Exif"));
        assert!(!contains(bytes, MARKER.as_bytes()));
        // Upright: the 400 × 200 picture taken on its side is stored 200 × 400.
        let decoded = image::load_from_memory(bytes).expect("a valid JPEG");
        assert_eq!((decoded.width(), decoded.height()), (200, 400));
    }
    // Nothing with the marker is left on disk either: only the re-encoded files are kept.
    let mut stack = vec![app.state.settings.uploads_dir.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("uploads dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let stored = std::fs::read(&path).expect("file");
                assert!(!contains(&stored, MARKER.as_bytes()), "{}", path.display());
            }
        }
    }
}

#[tokio::test]
async fn a_large_photo_is_stored_small_and_shown_at_its_set_size() {
    let mut app = TestApp::member_in_jongeren().await;
    let thread = app
        .thread_with_file("vakantie.jpg", &images::jpeg(3200, 2400))
        .await;
    thread
        .assert_contains(r#"width="1024" height="768""#)
        .assert_contains(r#"loading="lazy""#)
        .assert_contains("?v=display\"");
    let full = attribute(&thread.body, "<ul class=\"attachments\"", "href");
    assert!(
        !full.contains("?v="),
        "the link goes to the full size: {full}"
    );
    let big = app.get(&full).await;
    let decoded = image::load_from_memory(&big.bytes).expect("a valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (2048, 1536));
    let thumb = app.get(&format!("{full}?v=thumb")).await;
    let decoded = image::load_from_memory(&thumb.bytes).expect("a valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (320, 240));
    app.get(&format!("{full}?v=huge")).await.assert_status(404);

    // The smaller sizes pass the same check as the file: a visitor gets none of them.
    let display = attribute(&thread.body, "<ul class=\"attachments\"", "src");
    let mut visitor = app.second_browser();
    for address in [&full, &display, &format!("{full}?v=thumb")] {
        visitor.get(address).await.assert_status(404);
    }
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_and_the_text_kept() {
    let mut app = TestApp::member_in_jongeren().await;
    let bomb = images::png_bomb(30_000);
    assert!(bomb.len() < 100, "a tiny file claiming 900 megapixels");
    app.post_file("plaatje.png", &bomb)
        .await
        .assert_status(422)
        .assert_contains("Deze foto is te groot om te verwerken")
        .assert_contains("Zie de bijlage bij dit bericht.")
        .assert_contains(r#"value="Bij mevrouw thuis""#);
    let stored = erbij::entities::attachment::Entity::find()
        .all(&app.state.db)
        .await
        .expect("query");
    assert!(stored.is_empty());
}

#[tokio::test]
async fn a_pdf_comes_back_without_its_author_or_xmp() {
    let mut app = TestApp::member_in_jongeren().await;
    let sent = images::pdf_with_metadata();
    assert!(contains(&sent, b"Marker Author") && contains(&sent, b"/Metadata"));
    let thread = app.thread_with_file("handreiking.pdf", &sent).await;
    thread.assert_lacks("Let op: dit bestand gaat mee zoals het is.");
    let href = attribute(&thread.body, "<ul class=\"attachments\"", "href");
    let file = app.get(&href).await;
    file.assert_status(200);
    assert_eq!(file.headers["content-type"], "application/pdf");
    assert!(file.bytes.starts_with(b"%PDF"));
    for gone in [
        &b"Marker Author"[..],
        b"Marker Creator",
        b"Marker Producer",
        MARKER.as_bytes(),
        b"/Metadata",
    ] {
        assert!(
            !contains(&file.bytes, gone),
            "{}",
            String::from_utf8_lossy(gone)
        );
    }
    assert!(
        contains(&file.bytes, b"Handreiking"),
        "the page itself stays"
    );

    // A PDF that cannot be read cannot be cleaned: refused, the text kept.
    app.post_file("kapot.pdf", b"%PDF-1.4\nniet echt een pdf\n")
        .await
        .assert_status(422)
        .assert_contains("Dit pdf-bestand kunnen we niet lezen.")
        .assert_contains("Zie de bijlage bij dit bericht.");
}

/// The start of a .docx (a zip whose first entry is under `word/`): enough for the type.
pub(crate) fn docx() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0; 26]);
    bytes.extend_from_slice(b"word/document.xml");
    bytes.extend_from_slice(b"<w:document>Auteur: Marker Author</w:document>");
    bytes
}

#[tokio::test]
async fn an_office_file_is_kept_as_sent_and_its_uploader_told() {
    let mut app = TestApp::member_in_jongeren().await;
    // Next to the upload field, before anything is sent.
    app.get("/praktijken/jongeren/nieuw")
        .await
        .assert_contains("Van foto's en pdf's halen we verborgen gegevens weg");
    // After uploading: in the form (a preview) ...
    app.post_multipart(
        "/praktijken/jongeren/nieuw",
        &[
            ("title", "Verslag"),
            ("body", "Het verslag."),
            ("visibility", "members"),
            ("action", "preview"),
        ],
        &[("files", "verslag.docx", &docx())],
    )
    .await
    .assert_status(200)
    .assert_contains("verslag.docx")
    .assert_contains("Let op: dit bestand gaat mee zoals het is.")
    .assert_contains("Document inspecteren");
    // ... and under the post, for the uploader only.
    let thread = app.thread_with_file("verslag.docx", &docx()).await;
    thread.assert_contains("Let op: dit bestand gaat mee zoals het is.");
    let href = attribute(&thread.body, "<ul class=\"attachments\"", "href");
    assert_eq!(app.get(&href).await.bytes, docx(), "stored as sent");
    let mut kees = app.second_browser();
    kees.member_other().await;
    kees.login_as("kees@buurtkracht.nl").await;
    let thread_id = erbij::entities::thread::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("a thread")
        .id;
    kees.get(&format!("/onderwerpen/{thread_id}"))
        .await
        .assert_contains("verslag.docx")
        .assert_lacks("Let op: dit bestand gaat mee zoals het is.");
}

#[tokio::test]
async fn photos_stored_before_cleaning_are_cleaned_at_start_up() {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use sha2::Digest as _;

    let mut app = TestApp::member_in_jongeren().await;
    let me = erbij::entities::user::Entity::find()
        .one(&app.state.db)
        .await
        .expect("query")
        .expect("marieke")
        .id;
    // As the upload code stored it before: the bytes as sent, under their hash.
    let sent = images::with_metadata(&images::jpeg(300, 100), 6);
    let sha = hex::encode(sha2::Sha256::digest(&sent));
    let path = app.state.settings.uploads_dir.join(&sha[..2]).join(&sha);
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, &sent).expect("write");
    let row = erbij::entities::attachment::ActiveModel {
        uploader_id: Set(me),
        sha256: Set(sha),
        filename: Set("oud.jpg".into()),
        content_type: Set("image/jpeg".into()),
        size: Set(sent.len() as i64),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&app.state.db)
    .await
    .expect("insert");
    let before = app.get(&format!("/bijlagen/{}/oud.jpg", row.id)).await;
    assert!(contains(&before.bytes, MARKER.as_bytes()), "the old state");

    let cleaned = erbij::forum::attachments::clean_earlier_images(&app.state)
        .await
        .expect("cleaned");
    assert_eq!(cleaned, 1);
    let after = app.get(&format!("/bijlagen/{}/oud.jpg", row.id)).await;
    after.assert_status(200);
    assert!(!contains(&after.bytes, MARKER.as_bytes()));
    assert!(!has_metadata_segment(&after.bytes));
    let decoded = image::load_from_memory(&after.bytes).expect("a valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (100, 300));
    assert!(!path.exists(), "the file as sent is gone");
    app.get(&format!("/bijlagen/{}/oud.jpg?v=thumb", row.id))
        .await
        .assert_status(200);
    // Done once: nothing left to clean.
    assert_eq!(
        erbij::forum::attachments::clean_earlier_images(&app.state)
            .await
            .expect("cleaned"),
        0
    );
}
