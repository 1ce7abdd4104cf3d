//! Whether a source's pictures can have transparent pixels: those that
//! cannot are handed over in I420 and composed as opaque layers (see
//! [`crate::engine::program::stacking`]), which costs far less than blending.

use std::io::Read;
use std::path::Path;

use gst::prelude::*;

use crate::engine::error::make;
use crate::model::SourceKind;

/// Whether `kind`'s pictures may be (partly) transparent. Texts always may;
/// an image only when its file can hold transparency (SVG, or a PNG with an
/// alpha channel or a transparent colour that some pixel uses), not a JPEG
/// or an opaque PNG.
/// With `decode`, a PNG whose header allows transparency is decoded to see
/// whether any pixel uses it (a few milliseconds for a large picture);
/// without, the header decides.
pub(crate) fn may_be_transparent(kind: &SourceKind, decode: bool) -> bool {
    match kind {
        SourceKind::Text { .. } | SourceKind::Chat { .. } => true,
        SourceKind::Image { path } => image_may_be_transparent(path, decode),
        other => !other.is_opaque() && other.has_video(),
    }
}

/// Whether `source`'s pictures may be transparent: by its kind, or
/// because a filter (a key, an opacity) makes them so.
pub(crate) fn source_may_be_transparent(source: &crate::model::Source, decode: bool) -> bool {
    source.active_filters(false).any(|f| f.makes_transparency()) || may_be_transparent(&source.kind, decode)
}

fn image_may_be_transparent(path: &Path, decode: bool) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else { return true };
    let mut head = [0u8; 8];
    if file.read_exact(&mut head[..3]).is_err() {
        return true;
    }
    if head[..3] == [0xff, 0xd8, 0xff] {
        return false; // JPEG has no alpha.
    }
    if file.read_exact(&mut head[3..]).is_err() || head != *b"\x89PNG\r\n\x1a\n" {
        return true;
    }
    // Many PNGs carry an alpha channel without using it (exported from
    // design tools): their decoded pixels tell.
    png_may_be_transparent(file).unwrap_or(true) && !(decode && decoded_is_opaque(path).unwrap_or(false))
}

/// Decodes the picture at `path` and looks at every pixel's alpha.
fn decoded_is_opaque(path: &Path) -> Option<bool> {
    let pipeline = gst::Pipeline::new();
    let src = make("filesrc").ok()?;
    src.set_property("location", path);
    let caps = gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Ayuv).build();
    let filter = make("capsfilter").ok()?;
    filter.set_property("caps", caps);
    let sink = gst_app::AppSink::builder().sync(false).max_buffers(1).build();
    let elements = [src, make("pngdec").ok()?, make("videoconvert").ok()?, filter, sink.clone().upcast()];
    pipeline.add_many(&elements).ok()?;
    gst::Element::link_many(&elements).ok()?;
    pipeline.set_state(gst::State::Playing).ok()?;
    let sample = sink.try_pull_sample(gst::ClockTime::from_seconds(2));
    let _ = pipeline.set_state(gst::State::Null);
    let sample = sample?;
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let map = sample.buffer()?.map_readable().ok()?;
    let (width, stride) = (info.width() as usize, info.stride()[0] as usize);
    Some((0..info.height() as usize).all(|row| {
        map.get(row * stride..row * stride + width * 4)
            .is_some_and(|r| r.chunks_exact(4).all(|p| p[0] == 255))
    }))
}

/// Reads a PNG's chunks (after its signature) up to its pixel data: the
/// colour type in IHDR tells whether it has an alpha channel, a tRNS chunk
/// whether a colour or palette entry is transparent.
fn png_may_be_transparent(mut file: impl Read) -> Option<bool> {
    let mut alpha_channel = None;
    loop {
        let mut header = [0u8; 8];
        file.read_exact(&mut header).ok()?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as u64;
        match &header[4..] {
            b"IHDR" => {
                let mut ihdr = [0u8; 13];
                file.read_exact(&mut ihdr).ok()?;
                // Colour types 4 (grey + alpha) and 6 (RGB + alpha).
                alpha_channel = Some(matches!(ihdr[9], 4 | 6));
                std::io::copy(&mut (&mut file).take(length.checked_sub(13)? + 4), &mut std::io::sink())
                    .ok()?;
            }
            b"tRNS" => return Some(true),
            b"IDAT" | b"IEND" => return alpha_channel,
            _ => {
                std::io::copy(&mut (&mut file).take(length + 4), &mut std::io::sink()).ok()?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of `color_type` with the chunks between IHDR and IDAT named.
    fn png(color_type: u8, chunks: &[&[u8; 4]]) -> Vec<u8> {
        let mut data = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8; 4], body: &[u8]| {
            data.extend((body.len() as u32).to_be_bytes());
            data.extend(kind);
            data.extend(body);
            data.extend([0u8; 4]); // CRC, not checked
        };
        chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, color_type, 0, 0, 0]);
        for kind in chunks {
            chunk(kind, &[1, 2, 3]);
        }
        chunk(b"IDAT", &[]);
        data
    }

    fn transparent(bytes: &[u8]) -> Option<bool> {
        png_may_be_transparent(&bytes[8..])
    }

    #[test]
    fn a_png_is_transparent_by_its_alpha_channel_or_a_trns_chunk() {
        assert_eq!(transparent(&png(6, &[])), Some(true), "RGBA");
        assert_eq!(transparent(&png(4, &[])), Some(true), "grey + alpha");
        assert_eq!(transparent(&png(2, &[b"gAMA", b"pHYs"])), Some(false), "RGB");
        assert_eq!(transparent(&png(3, &[b"PLTE"])), Some(false), "palette");
        assert_eq!(transparent(&png(3, &[b"PLTE", b"tRNS"])), Some(true), "palette with a transparent entry");
        assert_eq!(transparent(&png(2, &[b"tRNS"])), Some(true), "RGB with a transparent colour");
    }

    #[test]
    fn a_cut_short_png_may_be_transparent() {
        gst::init().expect("GStreamer initialises");
        let whole = png(2, &[b"gAMA"]);
        assert_eq!(transparent(&whole[..30]), None);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("short.png");
        std::fs::write(&path, &whole[..30]).expect("written");
        assert!(image_may_be_transparent(&path, true));
        assert!(image_may_be_transparent(&dir.path().join("missing.png"), true));
    }

    #[test]
    fn a_png_whose_pixels_cannot_be_decoded_is_given_up_at_once() {
        gst::init().expect("GStreamer initialises");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("broken.png");
        // A whole RGBA header, then pixel data that is not zlib.
        let mut bytes = png(6, &[]);
        bytes.truncate(bytes.len() - 4);
        bytes.extend([0xde, 0xad, 0xbe, 0xef]);
        std::fs::write(&path, bytes).expect("written");
        let started = std::time::Instant::now();
        assert!(image_may_be_transparent(&path, true), "an undecodable picture may be transparent");
        assert!(started.elapsed() < std::time::Duration::from_millis(500), "took {:?}", started.elapsed());
    }

    #[test]
    fn jpeg_is_opaque_and_svg_may_be_transparent() {
        let dir = tempfile::tempdir().expect("temp dir");
        let jpeg = dir.path().join("a.jpg");
        std::fs::write(&jpeg, [0xff, 0xd8, 0xff, 0xe0, 0, 0]).expect("written");
        let svg = dir.path().join("a.svg");
        std::fs::write(&svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").expect("written");
        let rgb = dir.path().join("rgb.png");
        std::fs::write(&rgb, png(2, &[])).expect("written");
        let kind = |path: &std::path::PathBuf| SourceKind::Image { path: path.clone() };
        assert!(!may_be_transparent(&kind(&jpeg), false));
        assert!(may_be_transparent(&kind(&svg), true));
        assert!(!may_be_transparent(&kind(&rgb), false));
    }
}
