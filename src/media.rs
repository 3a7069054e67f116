//! What an uploaded photo or PDF keeps: only what a reader needs to see.
//!
//! A phone photo carries its GPS position, the phone's make and often the owner's name
//! (EXIF, XMP, IPTC); a PDF names its author and the program that made it. Images are
//! therefore decoded and encoded again from their pixels, which leaves every such block
//! behind, with the orientation applied so nothing depends on it; and they are stored in
//! three sizes so a phone never loads (or lays out) a 4,000-pixel photo. PDFs lose their
//! document information and XMP streams. Both are CPU work, so they run on the blocking
//! pool, a few at a time ([`Jobs`]).
//!
//! Decoding is bounded before it starts: the size in the file's header is checked, and the
//! decoder gets [`image::Limits`] on width, height and memory, so a 30,000 × 30,000 PNG of
//! a few hundred bytes (a "decompression bomb") is refused, not unpacked.

use std::{io::Cursor, sync::Arc, time::Duration};

use image::{
    DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageFormat, ImageReader,
    codecs::{
        jpeg::JpegEncoder,
        png::{CompressionType, FilterType, PngEncoder},
    },
    imageops,
};
use lopdf::{Document, Object};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// JPEG quality of stored photos: no visible loss on a phone, a fifth of the camera's size.
pub const JPEG_QUALITY: u8 = 82;

/// The stored sizes of an image, by their longest side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The largest kept, shown when someone opens the photo: 2,048 px.
    Full,
    /// In a post: 1,024 px, twice a phone's width for sharp screens.
    Display,
    /// In lists and forms: 320 px.
    Thumb,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Full, Variant::Display, Variant::Thumb];

    pub fn long_side(self) -> u32 {
        match self {
            Variant::Full => 2048,
            Variant::Display => 1024,
            Variant::Thumb => 320,
        }
    }

    /// The name in a URL (`?v=…`) and the suffix of the stored file (none for full).
    pub fn name(self) -> &'static str {
        match self {
            Variant::Full => "full",
            Variant::Display => "display",
            Variant::Thumb => "thumb",
        }
    }

    pub fn parse(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// How much an upload may ask of the decoder.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Widest and highest accepted, in pixels (a 48-megapixel phone photo is 8,000 wide).
    pub max_side: u32,
    /// The most memory one decoded image may take, in bytes.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_side: 12_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// One stored size of an image.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// An image ready to store: one content type for all three sizes.
#[derive(Clone, Debug)]
pub struct Processed {
    pub content_type: &'static str,
    pub full: Encoded,
    pub display: Encoded,
    pub thumb: Encoded,
}

impl Processed {
    pub fn extension(&self) -> &'static str {
        if self.content_type == "image/png" {
            "png"
        } else {
            "jpg"
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// Too many pixels to decode safely (or a header that claims so).
    #[error("image too large to decode")]
    TooManyPixels,
    /// Not an image we can decode (damaged, or a kind the decoder lacks).
    #[error("image unreadable: {0}")]
    UnreadableImage(String),
    #[error("pdf unreadable: {0}")]
    UnreadablePdf(String),
}

impl MediaError {
    /// The translation key of the message for the person who uploaded it.
    pub fn key(&self) -> &'static str {
        match self {
            MediaError::TooManyPixels => "attachments.too_many_pixels",
            MediaError::UnreadableImage(_) => "attachments.image_unreadable",
            MediaError::UnreadablePdf(_) => "attachments.pdf_unreadable",
        }
    }
}

fn from_image(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels,
        other => MediaError::UnreadableImage(other.to_string()),
    }
}

/// The size that fits `width` × `height` inside a square of `side`, never enlarged.
pub fn fit(width: u32, height: u32, side: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= side {
        return (width, height);
    }
    let scale = |n: u32| -> u32 {
        let scaled = (u64::from(n) * u64::from(side) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(side).max(1)
    };
    (scale(width), scale(height))
}

/// Decodes an image within `limits`, applies its orientation, and encodes it again in
/// three sizes: JPEG for photos, PNG for graphics (PNG and GIF, or anything with
/// transparency). An animated GIF keeps its first frame. Nothing of the sent file but its
/// pixels survives.
pub fn process_image(bytes: &[u8], limits: &Limits) -> Result<Processed, MediaError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::UnreadableImage(e.to_string()))?;
    let format = reader
        .format()
        .ok_or_else(|| MediaError::UnreadableImage("unknown format".into()))?;
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    decoder_limits.max_alloc = Some(limits.max_alloc);
    let mut reader = reader;
    reader.limits(decoder_limits.clone());
    // `into_decoder` reads only the header and checks its size against the limits.
    let mut decoder = reader.into_decoder().map_err(from_image)?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_side || height > limits.max_side {
        return Err(MediaError::TooManyPixels);
    }
    // The pixels themselves must fit in the memory allowed, before any is allocated.
    decoder_limits
        .reserve(decoder.total_bytes())
        .map_err(from_image)?;
    let orientation = decoder.orientation().map_err(from_image)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(from_image)?;
    image.apply_orientation(orientation);

    let graphic = matches!(format, ImageFormat::Png | ImageFormat::Gif) || image.has_alpha();
    let full = shrink(image, Variant::Full.long_side());
    let display = shrink_ref(&full, Variant::Display.long_side());
    let thumb = shrink_ref(&display, Variant::Thumb.long_side());
    let encode = |image: &DynamicImage| {
        if graphic {
            encode_png(image)
        } else {
            encode_jpeg(image)
        }
    };
    Ok(Processed {
        content_type: if graphic { "image/png" } else { "image/jpeg" },
        full: encode(&full)?,
        display: encode(&display)?,
        thumb: encode(&thumb)?,
    })
}

/// Scales down with a Catmull-Rom filter (sharp, without the ringing of Lanczos); each
/// variant is made from the next larger one, so the big image is resampled only once.
fn shrink(image: DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = fit(image.width(), image.height(), side);
    if (w, h) == (image.width(), image.height()) {
        image
    } else {
        image.resize_exact(w, h, imageops::FilterType::CatmullRom)
    }
}

fn shrink_ref(image: &DynamicImage, side: u32) -> DynamicImage {
    let (w, h) = fit(image.width(), image.height(), side);
    if (w, h) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(w, h, imageops::FilterType::CatmullRom)
    }
}

fn encode_jpeg(image: &DynamicImage) -> Result<Encoded, MediaError> {
    let rgb = image.to_rgb8();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(from_image)?;
    Ok(Encoded {
        bytes: out,
        width: rgb.width(),
        height: rgb.height(),
    })
}

fn encode_png(image: &DynamicImage) -> Result<Encoded, MediaError> {
    let rgba = image.to_rgba8();
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
        .write_image(
            rgba.as_raw(),
            rgba.width(),
            rgba.height(),
            ExtendedColorType::Rgba8,
        )
        .map_err(from_image)?;
    Ok(Encoded {
        bytes: out,
        width: rgba.width(),
        height: rgba.height(),
    })
}

/// A PDF without its document information (author, creator, producer, title, subject,
/// keywords, dates) and without XMP metadata streams, written anew so no earlier revision
/// of the file stays inside. A PDF that cannot be read, or is encrypted, is refused: what
/// cannot be read cannot be cleaned.
pub fn strip_pdf(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut doc =
        Document::load_mem(bytes).map_err(|e| MediaError::UnreadablePdf(e.to_string()))?;
    if doc.is_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err(MediaError::UnreadablePdf("encrypted".into()));
    }
    doc.trailer.remove(b"Info");
    // XMP sits in a /Metadata stream of the catalog, and may sit on pages, images and
    // fonts too: every reference to one goes.
    for object in doc.objects.values_mut() {
        let dict = match object {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            _ => continue,
        };
        dict.remove(b"Metadata");
        dict.remove(b"PieceInfo");
    }
    // What nothing refers to any more (the information dictionary, the XMP streams) is
    // left out of the new file.
    doc.prune_objects();
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| MediaError::UnreadablePdf(e.to_string()))?;
    Ok(out)
}

/// How many images or PDFs are worked on at once. Decoding a big photo takes up to a few
/// hundred MiB for a moment, so a few at a time, the rest waiting briefly in line and
/// then answered "busy".
const MOST_AT_ONCE: usize = 2;
const WAIT_FOR_TURN: Duration = Duration::from_secs(10);

/// Every image and PDF of the process is processed through here: on the blocking pool,
/// never on the async executor, a few at a time.
#[derive(Clone, Debug)]
pub struct Jobs {
    turns: Arc<Semaphore>,
    wait: Duration,
}

impl Default for Jobs {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Jobs::with_turns(cores.min(MOST_AT_ONCE))
    }
}

impl Jobs {
    pub fn with_turns(at_once: usize) -> Self {
        Jobs {
            turns: Arc::new(Semaphore::new(at_once.max(1))),
            wait: WAIT_FOR_TURN,
        }
    }

    /// Runs `work` on the blocking pool once a turn is free. The turn goes along into the
    /// task, so it is given back when the work ends, even if the request was dropped.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let turn = tokio::time::timeout(self.wait, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(turn);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("media task failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_images::{self as images, MARKER, contains, has_metadata_segment};

    fn decode(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    #[test]
    fn a_photo_loses_exif_gps_xmp_and_iptc_and_is_turned_upright() {
        let sent = images::with_metadata(&images::jpeg(400, 200), 6);
        assert!(contains(&sent, MARKER.as_bytes()) && has_metadata_segment(&sent));
        let done = process_image(&sent, &Limits::default()).unwrap();
        assert_eq!(done.content_type, "image/jpeg");
        for variant in [&done.full, &done.display, &done.thumb] {
            assert!(!contains(&variant.bytes, MARKER.as_bytes()));
            assert!(!contains(&variant.bytes, b"Exif\0\0"));
            assert!(!has_metadata_segment(&variant.bytes));
        }
        // Orientation 6: the camera was held upright, so the stored photo is tall.
        assert_eq!((done.full.width, done.full.height), (200, 400));
        assert_eq!(decode(&done.full.bytes).height(), 400);
        assert_eq!((done.thumb.width, done.thumb.height), (160, 320));
    }

    #[test]
    fn large_photos_are_stored_in_three_sizes() {
        let done = process_image(&images::jpeg(3200, 1800), &Limits::default()).unwrap();
        assert_eq!((done.full.width, done.full.height), (2048, 1152));
        assert_eq!((done.display.width, done.display.height), (1024, 576));
        assert_eq!((done.thumb.width, done.thumb.height), (320, 180));
        let display = decode(&done.display.bytes);
        assert_eq!((display.width(), display.height()), (1024, 576));
    }

    #[test]
    fn graphics_stay_png_and_keep_transparency() {
        let mut png = Vec::new();
        let image = image::RgbaImage::from_pixel(30, 20, image::Rgba([10, 20, 30, 0]));
        PngEncoder::new(&mut png)
            .write_image(image.as_raw(), 30, 20, ExtendedColorType::Rgba8)
            .unwrap();
        let done = process_image(&png, &Limits::default()).unwrap();
        assert_eq!(done.content_type, "image/png");
        assert_eq!(done.extension(), "png");
        assert!(decode(&done.full.bytes).has_alpha());
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let bomb = images::png_bomb(30_000);
        assert!(bomb.len() < 100);
        assert_eq!(
            process_image(&bomb, &Limits::default()).unwrap_err(),
            MediaError::TooManyPixels
        );
        // Within the side limit but more pixels than the memory allows.
        let limits = Limits {
            max_side: 12_000,
            max_alloc: 64 * 1024 * 1024,
        };
        assert_eq!(
            process_image(&images::png_bomb(8_000), &limits).unwrap_err(),
            MediaError::TooManyPixels
        );
    }

    #[test]
    fn damaged_images_are_refused_not_crashed_on() {
        let mut broken = images::jpeg(64, 64);
        broken.truncate(200);
        assert!(matches!(
            process_image(&broken, &Limits::default()),
            Err(MediaError::UnreadableImage(_))
        ));
    }

    #[test]
    fn fit_keeps_the_proportions_and_never_enlarges() {
        assert_eq!(fit(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit(3000, 4000, 1024), (768, 1024));
        assert_eq!(fit(100, 50, 320), (100, 50));
        assert_eq!(fit(10_000, 1, 320), (320, 1));
    }

    #[test]
    fn a_pdf_loses_its_author_and_xmp() {
        let sent = images::pdf_with_metadata();
        assert!(contains(&sent, b"Marker Author") && contains(&sent, MARKER.as_bytes()));
        let clean = strip_pdf(&sent).unwrap();
        for gone in [
            &b"Marker Author"[..],
            MARKER.as_bytes(),
            b"Marker Creator",
            b"Marker Producer",
            b"/Metadata",
        ] {
            assert!(!contains(&clean, gone), "{}", String::from_utf8_lossy(gone));
        }
        // Still a PDF with its page and text.
        let doc = Document::load_mem(&clean).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        assert!(contains(&clean, b"Handreiking"));
    }

    #[test]
    fn an_unreadable_pdf_is_refused() {
        assert!(matches!(
            strip_pdf(b"%PDF-1.4\nnot really\n"),
            Err(MediaError::UnreadablePdf(_))
        ));
    }

    #[tokio::test]
    async fn with_every_turn_taken_the_answer_is_busy_after_a_wait() {
        let jobs = Jobs {
            turns: Arc::new(Semaphore::new(1)),
            wait: Duration::from_millis(50),
        };
        let taken = jobs.turns.clone().acquire_owned().await;
        let answer = jobs.run(|| 1).await;
        assert!(matches!(answer, Err(AppError::Busy)), "{answer:?}");
        drop(taken);
        assert_eq!(jobs.run(|| 1).await.unwrap(), 1);
    }
}
