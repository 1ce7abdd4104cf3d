//! The filters Plateau draws itself, in place on AYUV pictures, where
//! GStreamer has no element for the job: the image mask and the scroll.
//!
//! ```text
//!  … ! videoconvert ! AYUV ! identity ─(a probe changes each picture)─> …
//! ```
//!
//! Their settings are shared with the probe, so that an edit takes at the
//! next picture without rebuilding the source.

use std::path::Path;
use std::sync::{Arc, Mutex};

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::model::FilterKind;

/// A filter's settings as the probe drawing it reads them.
pub(crate) type Shared = Arc<Mutex<FilterKind>>;

/// `capsfilter(AYUV) ! identity`, the identity's pictures changed by `draw`.
fn drawn(
    draw: impl FnMut(&mut gst::BufferRef, &gst_video::VideoInfo) + Send + 'static,
) -> Result<Vec<gst::Element>, EngineError> {
    let ayuv = make("capsfilter")?;
    ayuv.set_property(
        "caps",
        gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Ayuv).build(),
    );
    let identity = make("identity")?;
    let pad =
        identity.static_pad("src").ok_or_else(|| EngineError::Invalid("identity has no src pad".into()))?;
    // One streaming thread calls it; the lock only makes it shareable.
    let draw = Mutex::new(draw);
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        let Some(caps) = pad.current_caps() else { return gst::PadProbeReturn::Ok };
        let (Some(gst::PadProbeData::Buffer(buffer)), Ok(video)) =
            (&mut info.data, gst_video::VideoInfo::from_caps(&caps))
        else {
            return gst::PadProbeReturn::Ok;
        };
        (draw.lock().unwrap_or_else(|e| e.into_inner()))(buffer.make_mut(), &video);
        gst::PadProbeReturn::Ok
    });
    Ok(vec![ayuv, identity])
}

/// Rows of an AYUV picture, each `width * 4` bytes of it.
fn rows(data: &mut [u8], stride: usize, width: usize, height: usize) -> impl Iterator<Item = &mut [u8]> {
    data.chunks_mut(stride.max(1)).take(height).map(move |row| {
        let end = (width * 4).min(row.len());
        &mut row[..end]
    })
}

// --- image mask ----------------------------------------------------------

/// How much of each pixel shows (0 to 255), from a picture: its
/// brightness times its own opacity, so a white-on-black picture and a
/// transparent PNG both work.
struct Mask {
    coverage: Vec<u8>,
    size: (usize, usize),
}

impl Mask {
    fn load(path: &Path) -> Result<Self, EngineError> {
        if path.as_os_str().is_empty() {
            return Err(EngineError::Invalid("the image mask has no picture chosen".into()));
        }
        if !path.is_file() {
            return Err(EngineError::Invalid(format!("the mask picture {} cannot be found", path.display())));
        }
        let (pixels, (width, height)) = super::slideshow::decode(path, None, true)?;
        let map = pixels.map_readable().map_err(|e| EngineError::Invalid(e.to_string()))?;
        let (width, height) = (width as usize, height as usize);
        let coverage = map
            .chunks_exact(4)
            .take(width * height)
            .map(|p| {
                // Rec. 709 brightness, in 1/65536ths.
                let luma = (13933 * u32::from(p[0]) + 46871 * u32::from(p[1]) + 4732 * u32::from(p[2])) >> 16;
                ((luma * u32::from(p[3]) + 127) / 255) as u8
            })
            .collect::<Vec<u8>>();
        if coverage.len() != width * height {
            return Err(EngineError::Invalid(format!("the mask picture {} is cut short", path.display())));
        }
        Ok(Self { coverage, size: (width, height) })
    }

    /// The coverage stretched over a picture of `size` (nearest pixel).
    fn stretched(&self, size: (usize, usize)) -> Vec<u8> {
        let (w, h) = size;
        let (mw, mh) = self.size;
        let columns: Vec<usize> = (0..w).map(|x| (x * mw / w.max(1)).min(mw - 1)).collect();
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            let row = &self.coverage[(y * mh / h.max(1)).min(mh - 1) * mw..][..mw];
            out.extend(columns.iter().map(|&x| row[x]));
        }
        out
    }
}

/// The image mask: each pixel's opacity multiplied by the picture's
/// coverage at the same place, the picture stretched over the source.
pub(crate) fn image_mask(path: &Path) -> Result<Vec<gst::Element>, EngineError> {
    let mask = Mask::load(path)?;
    let mut fitted: Option<((usize, usize), Vec<u8>)> = None;
    drawn(move |buffer, video| {
        let size = (video.width() as usize, video.height() as usize);
        if fitted.as_ref().map(|(s, _)| *s) != Some(size) {
            fitted = Some((size, mask.stretched(size)));
        }
        let Some((_, coverage)) = &fitted else { return };
        let stride = video.stride()[0] as usize;
        let Ok(mut map) = buffer.map_writable() else { return };
        for (row, cover) in rows(&mut map, stride, size.0, size.1).zip(coverage.chunks_exact(size.0)) {
            for (pixel, &c) in row.chunks_exact_mut(4).zip(cover) {
                pixel[0] = ((u32::from(pixel[0]) * u32::from(c) + 127) / 255) as u8;
            }
        }
    })
}

// --- scroll --------------------------------------------------------------

/// The scroll: the picture slides by its speeds (pixels a second, right
/// and down when positive) and comes round again at the other side.
pub(crate) fn scroll(settings: Shared) -> Result<Vec<gst::Element>, EngineError> {
    // How far it has slid, and the time of the last picture.
    let mut travelled = (0.0f64, 0.0f64);
    let mut last: Option<gst::ClockTime> = None;
    drawn(move |buffer, video| {
        let (speed_x, speed_y) = match *settings.lock().unwrap_or_else(|e| e.into_inner()) {
            FilterKind::Scroll { horizontal, vertical } => (horizontal, vertical),
            _ => return,
        };
        let Some(pts) = buffer.pts() else { return };
        let seconds = last.map_or(0.0, |l| pts.saturating_sub(l).nseconds() as f64 / 1e9);
        last = Some(pts);
        let (width, height) = (video.width() as usize, video.height() as usize);
        if width == 0 || height == 0 {
            return;
        }
        travelled.0 = (travelled.0 + seconds * speed_x).rem_euclid(width as f64);
        travelled.1 = (travelled.1 + seconds * speed_y).rem_euclid(height as f64);
        let (dx, dy) = (travelled.0 as usize % width, travelled.1 as usize % height);
        let stride = video.stride()[0] as usize;
        let Ok(mut map) = buffer.map_writable() else { return };
        if dx > 0 {
            for row in rows(&mut map, stride, width, height) {
                row.rotate_right(dx * 4);
            }
        }
        if dy > 0 {
            if let Some(plane) = map.get_mut(..stride * height) {
                plane.rotate_right(dy * stride);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Mask;

    #[test]
    fn a_mask_is_stretched_over_the_picture_by_the_nearest_pixel() {
        let mask = Mask { coverage: vec![0, 255, 10, 20], size: (2, 2) };
        assert_eq!(mask.stretched((4, 2)), vec![0, 0, 255, 255, 10, 10, 20, 20]);
        assert_eq!(mask.stretched((1, 1)), vec![0]);
        assert_eq!(mask.stretched((2, 4)), vec![0, 255, 0, 255, 10, 20, 10, 20]);
    }
}
