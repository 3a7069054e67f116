//! Test files with metadata in them, made in the test: a phone-like JPEG with an EXIF block
//! (orientation, a GPS position and a marker text), XMP and IPTC; a PNG whose header claims
//! 30,000 × 30,000 pixels (a decompression bomb, a few dozen bytes); a PDF naming its author
//! in its document information and in XMP. Shared by the unit tests, the integration tests
//! and the benchmark.

#![allow(dead_code)]

use image::{ImageEncoder, RgbImage, codecs::jpeg::JpegEncoder};

/// The text hidden in every metadata block made here; it must never come back.
pub const MARKER: &str = "MARKER-Kralingen-52.0N";

/// A JPEG of `width` × `height` with some structure and noise (so it compresses like a
/// photo, not like a flat colour).
pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let image = RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 0x1f) as u8;
        image::Rgb([
            ((x * 255 / width.max(1)) as u8).saturating_add(noise),
            ((y * 255 / height.max(1)) as u8).saturating_add(noise),
            (((x + y) / 7 % 200) as u8).saturating_add(noise),
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(
            image.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        )
        .expect("jpeg encodes");
    out
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len() + 2).expect("segment fits");
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A little-endian TIFF structure as EXIF holds it: IFD0 with ImageDescription (the
/// marker), Orientation and a pointer to a GPS IFD with a latitude.
fn exif_tiff(orientation: u16) -> Vec<u8> {
    let text = format!("{MARKER}\0");
    // Layout: header 8, IFD0 at 8 (3 entries: 2 + 36 + 4 = 42), GPS IFD at 50
    // (2 entries: 30), rationals at 80 (24), text at 104.
    let (ifd0, gps, rationals, text_at) = (8u32, 50u32, 80u32, 104u32);
    let mut t = Vec::new();
    t.extend_from_slice(b"II");
    t.extend_from_slice(&42u16.to_le_bytes());
    t.extend_from_slice(&ifd0.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    };
    t.extend_from_slice(&3u16.to_le_bytes());
    entry(&mut t, 0x010E, 2, text.len() as u32, text_at.to_le_bytes());
    let o = orientation.to_le_bytes();
    entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
    entry(&mut t, 0x8825, 4, 1, gps.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), gps as usize);
    t.extend_from_slice(&2u16.to_le_bytes());
    entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut t, 0x0002, 5, 3, rationals.to_le_bytes());
    t.extend_from_slice(&0u32.to_le_bytes());
    assert_eq!(t.len(), rationals as usize);
    for (num, den) in [(52u32, 1u32), (22, 1), (1234, 100)] {
        t.extend_from_slice(&num.to_le_bytes());
        t.extend_from_slice(&den.to_le_bytes());
    }
    assert_eq!(t.len(), text_at as usize);
    t.extend_from_slice(text.as_bytes());
    t
}

/// `jpeg` with, right after its start marker, an APP1 EXIF block (orientation, GPS,
/// marker), an APP1 XMP packet and an APP13 IPTC block, each holding the marker.
pub fn with_metadata(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "a JPEG starts with SOI");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_tiff(orientation));
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    xmp.extend_from_slice(
        format!(
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
             <rdf:Description xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"{MARKER}\"/></rdf:RDF></x:xmpmeta>"
        )
        .as_bytes(),
    );
    let mut iptc = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
    let record = {
        let mut r = vec![0x1C, 0x02, 0x50];
        r.extend_from_slice(&(MARKER.len() as u16).to_be_bytes());
        r.extend_from_slice(MARKER.as_bytes());
        r
    };
    iptc.extend_from_slice(&(record.len() as u32).to_be_bytes());
    iptc.extend_from_slice(&record);
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, &xmp));
    out.extend(segment(0xED, &iptc));
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether a JPEG has any APP1 segment (EXIF or XMP) or APP13 (IPTC) before its image data.
pub fn has_metadata_segment(jpeg: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        if marker == 0xDA {
            return false;
        }
        if marker == 0xE1 || marker == 0xED {
            return true;
        }
        let len = u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]) as usize;
        at += 2 + len;
    }
    false
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A PNG of a few dozen bytes whose header claims `side` × `side` RGBA pixels (30,000
/// would unpack to 3.6 GB). Its one data chunk is a valid start of a zlib stream.
pub fn png_bomb(side: u32) -> Vec<u8> {
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x01, 0x00, 0x00, 0xFF, 0xFF]));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// A one-page PDF whose document information names "Marker Author" (and the marker as
/// title), with an XMP metadata stream naming them too.
pub fn pdf_with_metadata() -> Vec<u8> {
    pdf_saying("Handreiking")
}

/// As [`pdf_with_metadata`], with `text` (letters and digits) on its page.
pub fn pdf_saying(text: &str) -> Vec<u8> {
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = Stream::new(
        dictionary! {},
        format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET").into_bytes(),
    );
    let content_id = doc.add_object(content);
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
        }),
    );
    let xmp = format!(
        "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" dc:creator=\"Marker Author\" dc:title=\"{MARKER}\"/>\
         </rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
    );
    let metadata_id = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp.into_bytes(),
    ));
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog", "Pages" => pages_id, "Metadata" => metadata_id,
    });
    let info_id = doc.add_object(dictionary! {
        "Author" => Object::string_literal("Marker Author"),
        "Title" => Object::string_literal(MARKER),
        "Creator" => Object::string_literal("Marker Creator"),
        "Producer" => Object::string_literal("Marker Producer"),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf saves");
    out
}
