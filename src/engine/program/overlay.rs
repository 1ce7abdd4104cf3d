//! Pictures with transparency laid over a finished 4:2:0 scene picture.
//!
//! A scene's opaque layers are composed in I420, the encoders' format, so
//! nothing is converted per frame; the layers with transparency on top of
//! them (a logo, a title) are blended afterwards, here, straight into that
//! picture. GStreamer's compositor can only blend pictures of its output
//! format, and the generic overlay blender (`gdkpixbufoverlay`) costs
//! 1.1 ms for a 400x300 logo per 720p frame on this machine; this one
//! visits only the rows and columns a picture covers and copies its opaque
//! pixels instead of mixing them.
//!
//! ```text
//!  layer: appsrc ! videocrop ! videoconvert ! videoscale ! AYUV(item size) ! appsink ─> Overlay (latest pictures)
//!  slot:  compositor ! I420 ! … ─(probe: blend every Overlay, bottom first)─> mixer
//! ```

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Pictures an overlay keeps, newest last: enough to pick the one that
/// belongs to a program frame composed a little after they arrived.
const KEPT: usize = 4;

/// An AYUV picture and, for each row, the columns that are not fully
/// transparent (found once, when the picture arrives).
pub(crate) struct Picture {
    data: gst::MappedBuffer<gst::buffer::Readable>,
    /// The running time it belongs to.
    at: Option<gst::ClockTime>,
    width: usize,
    height: usize,
    stride: usize,
    spans: Vec<Option<(usize, usize)>>,
}

impl Picture {
    /// Reads an AYUV buffer of `width` x `height` with rows `stride` bytes
    /// apart, shown from running time `at`.
    pub fn new(
        buffer: gst::Buffer,
        width: usize,
        height: usize,
        stride: usize,
        at: Option<gst::ClockTime>,
    ) -> Option<Self> {
        let data = buffer.into_mapped_buffer_readable().ok()?;
        if stride < width * 4 || data.len() < stride * height.saturating_sub(1) + width * 4 {
            return None;
        }
        let spans = (0..height).map(|row| row_span(&data[row * stride..row * stride + width * 4])).collect();
        Some(Self { data, at, width, height, stride, spans })
    }
}

/// The first and one-past-last pixel of an AYUV row whose alpha is not 0.
fn row_span(row: &[u8]) -> Option<(usize, usize)> {
    let shown = |p: &[u8]| p[0] != 0;
    let first = row.chunks_exact(4).position(shown)?;
    let last = row.chunks_exact(4).rposition(shown)?;
    Some((first, last + 1))
}

/// Where and how an overlay is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Placement {
    pub x: i32,
    pub y: i32,
    /// Opacity from 0 (hidden) to 1.
    pub alpha: f64,
    pub zorder: u32,
}

/// One layer with transparency over a slot's picture.
pub(crate) struct Overlay {
    pictures: Mutex<VecDeque<Picture>>,
    placement: Mutex<Placement>,
}

impl Overlay {
    pub fn new(placement: Placement) -> Arc<Self> {
        Arc::new(Self { pictures: Mutex::new(VecDeque::new()), placement: Mutex::new(placement) })
    }

    pub fn receive(&self, picture: Picture) {
        let mut pictures = self.pictures.lock().unwrap_or_else(|e| e.into_inner());
        if pictures.len() == KEPT {
            pictures.pop_front();
        }
        pictures.push_back(picture);
    }

    pub fn place(&self, placement: Placement) {
        *self.placement.lock().unwrap_or_else(|e| e.into_inner()) = placement;
    }

    pub fn placement(&self) -> Placement {
        *self.placement.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blends the picture that belongs to the frame at running time `at`
    /// (the newest one not after it, else the oldest) into `frame`.
    pub fn blend_into(&self, frame: &mut Planes<'_>, at: Option<gst::ClockTime>) {
        let placement = self.placement();
        if placement.alpha <= 0.0 {
            return;
        }
        let pictures = self.pictures.lock().unwrap_or_else(|e| e.into_inner());
        let chosen = match at {
            Some(at) => pictures.iter().rev().find(|p| p.at.is_none_or(|p| p <= at)),
            None => pictures.back(),
        };
        if let Some(picture) = chosen.or_else(|| pictures.front()) {
            blend(frame, picture, placement.x, placement.y, placement.alpha);
        }
    }
}

/// The three planes of an I420 picture, to blend into.
pub(crate) struct Planes<'a> {
    pub width: usize,
    pub height: usize,
    pub y: &'a mut [u8],
    pub y_stride: usize,
    pub u: &'a mut [u8],
    pub v: &'a mut [u8],
    pub chroma_stride: usize,
}

/// `a * b / 255`, rounded, for values up to 255 * 255.
fn div255(x: u32) -> u32 {
    (x + 128 + ((x + 128) >> 8)) >> 8
}

/// Blends `picture` at (`x`, `y`) with opacity `alpha` into `frame`.
/// Luma is mixed pixel by pixel; each chroma sample by the alpha-weighted
/// mean of the (up to four) picture pixels it stands for, so that a
/// picture's edge is as soft in colour as in brightness.
pub(crate) fn blend(frame: &mut Planes<'_>, picture: &Picture, x: i32, y: i32, alpha: f64) {
    let global = (alpha.clamp(0.0, 1.0) * 256.0).round() as u32;
    if global == 0 {
        return;
    }
    let (fw, fh) = (frame.width as i64, frame.height as i64);
    let (x, y) = (i64::from(x), i64::from(y));
    // The frame rows and columns the picture covers.
    let cols = (x.max(0), (x + picture.width as i64).min(fw));
    let rows = (y.max(0), (y + picture.height as i64).min(fh));
    if cols.0 >= cols.1 || rows.0 >= rows.1 {
        return;
    }
    let pixel = |px: usize, py: usize| -> &[u8] {
        let at = py * picture.stride + px * 4;
        &picture.data[at..at + 4]
    };
    // A picture pixel's alpha with the layer's opacity, 0..=255.
    let weight = |a: u8| (u32::from(a) * global) >> 8;

    for fy in rows.0..rows.1 {
        let py = (fy - y) as usize;
        let Some((s0, s1)) = picture.spans[py] else { continue };
        let from = cols.0.max(x + s0 as i64);
        let to = cols.1.min(x + s1 as i64);
        if from >= to {
            continue;
        }
        let line = &mut frame.y[fy as usize * frame.y_stride..][from as usize..to as usize];
        let src = &picture.data[py * picture.stride..][(from - x) as usize * 4..(to - x) as usize * 4];
        for (d, p) in line.iter_mut().zip(src.chunks_exact(4)) {
            *d = match weight(p[0]) {
                0 => *d,
                255 => p[1],
                a => div255(u32::from(p[1]) * a + u32::from(*d) * (255 - a)) as u8,
            };
        }
    }

    for cy in rows.0 / 2..(rows.1 + 1) / 2 {
        // The picture columns either luma row of this chroma row shows.
        let mut span: Option<(i64, i64)> = None;
        for fy in [2 * cy, 2 * cy + 1] {
            if fy < rows.0 || fy >= rows.1 {
                continue;
            }
            if let Some((s0, s1)) = picture.spans[(fy - y) as usize] {
                let (a, b) = (x + s0 as i64, x + s1 as i64);
                span = Some(span.map_or((a, b), |(p, q)| (p.min(a), q.max(b))));
            }
        }
        let Some((from, to)) = span else { continue };
        let (from, to) = (from.max(cols.0), to.min(cols.1));
        if from >= to {
            continue;
        }
        let row_at = cy as usize * frame.chroma_stride;
        // Both picture rows, when the whole 2x2 block lies in the picture.
        let whole_rows = (2 * cy >= rows.0 && 2 * cy + 1 < rows.1).then(|| {
            let at = (2 * cy - y) as usize * picture.stride;
            (&picture.data[at..], &picture.data[at + picture.stride..])
        });
        for cx in from / 2..(to + 1) / 2 {
            let (mut sum_a, mut sum_u, mut sum_v, mut places) = (0u32, 0u32, 0u32, 0u32);
            let mut add = |p: &[u8]| {
                let a = weight(p[0]);
                sum_a += a;
                sum_u += a * u32::from(p[2]);
                sum_v += a * u32::from(p[3]);
            };
            let inside = 2 * cx >= cols.0 && 2 * cx + 1 < cols.1;
            if let (Some((upper, lower)), true) = (whole_rows, inside) {
                // The usual case, straight from both rows.
                // Four calls, not an iterator: a chained iterator here was
                // left out of line in some builds and cost 1.4 % of a media
                // scene's samples.
                let at = (2 * cx - x) as usize * 4;
                let (upper, lower) = (&upper[at..at + 8], &lower[at..at + 8]);
                add(&upper[..4]);
                add(&upper[4..]);
                add(&lower[..4]);
                add(&lower[4..]);
                places = 4;
            } else {
                // At the picture's or the frame's edge: the block's places
                // outside the picture count as transparent.
                for fy in [2 * cy, 2 * cy + 1] {
                    for fx in [2 * cx, 2 * cx + 1] {
                        if fy >= fh || fx >= fw {
                            continue;
                        }
                        places += 1;
                        if fy >= rows.0 && fy < rows.1 && fx >= cols.0 && fx < cols.1 {
                            add(pixel((fx - x) as usize, (fy - y) as usize));
                        }
                    }
                }
            }
            if sum_a == 0 {
                continue;
            }
            let whole = places * 255;
            let keep = whole - sum_a;
            let at = row_at + cx as usize;
            for (plane, sum) in [(&mut *frame.u, sum_u), (&mut *frame.v, sum_v)] {
                let d = &mut plane[at];
                *d = ((sum + u32::from(*d) * keep + whole / 2) / whole) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AYUV picture of `w` x `h` filled by `pixel(x, y)`.
    fn picture(w: usize, h: usize, pixel: impl Fn(usize, usize) -> [u8; 4]) -> Picture {
        gst::init().expect("GStreamer initialises");
        let mut data = Vec::with_capacity(w * h * 4);
        for y in 0..h {
            for x in 0..w {
                data.extend_from_slice(&pixel(x, y));
            }
        }
        Picture::new(gst::Buffer::from_mut_slice(data), w, h, w * 4, None).expect("a whole picture")
    }

    struct Frame {
        w: usize,
        h: usize,
        y: Vec<u8>,
        u: Vec<u8>,
        v: Vec<u8>,
    }

    impl Frame {
        fn new(w: usize, h: usize, yuv: [u8; 3]) -> Self {
            let c = w.div_ceil(2) * h.div_ceil(2);
            Self { w, h, y: vec![yuv[0]; w * h], u: vec![yuv[1]; c], v: vec![yuv[2]; c] }
        }

        fn blend(&mut self, p: &Picture, x: i32, y: i32, alpha: f64) {
            let mut planes = Planes {
                width: self.w,
                height: self.h,
                y: &mut self.y,
                y_stride: self.w,
                u: &mut self.u,
                v: &mut self.v,
                chroma_stride: self.w.div_ceil(2),
            };
            blend(&mut planes, p, x, y, alpha);
        }

        fn luma(&self, x: usize, y: usize) -> u8 {
            self.y[y * self.w + x]
        }

        fn chroma(&self, x: usize, y: usize) -> (u8, u8) {
            let at = (y / 2) * self.w.div_ceil(2) + x / 2;
            (self.u[at], self.v[at])
        }
    }

    const RED: [u8; 3] = [63, 102, 240];

    #[test]
    fn an_opaque_picture_replaces_what_it_covers_and_nothing_else() {
        let mut f = Frame::new(16, 12, [16, 128, 128]);
        f.blend(&picture(4, 4, |_, _| [255, RED[0], RED[1], RED[2]]), 6, 4, 1.0);
        for y in 0..12 {
            for x in 0..16 {
                let inside = (6..10).contains(&x) && (4..8).contains(&y);
                let want = if inside { RED } else { [16, 128, 128] };
                assert_eq!((f.luma(x, y), f.chroma(x, y)), (want[0], (want[1], want[2])), "at {x},{y}");
            }
        }
    }

    #[test]
    fn transparency_and_opacity_mix_in_proportion() {
        let mut f = Frame::new(8, 8, [16, 128, 128]);
        // Half-transparent white over black, then a quarter-opaque layer.
        f.blend(&picture(8, 4, |_, _| [128, 235, 128, 128]), 0, 0, 1.0);
        f.blend(&picture(8, 4, |_, _| [255, 235, 128, 128]), 0, 4, 0.25);
        let half = 16.0 + (235.0 - 16.0) * 128.0 / 255.0;
        let quarter = 16.0 + (235.0 - 16.0) * 0.25;
        assert!((f64::from(f.luma(3, 1)) - half).abs() <= 1.0, "{} vs {half}", f.luma(3, 1));
        assert!((f64::from(f.luma(3, 6)) - quarter).abs() <= 1.0, "{} vs {quarter}", f.luma(3, 6));
    }

    #[test]
    fn a_transparent_picture_changes_nothing() {
        let mut f = Frame::new(8, 8, [80, 90, 100]);
        f.blend(&picture(8, 8, |_, _| [0, 235, 16, 240]), 0, 0, 1.0);
        assert!(
            f.y.iter().all(|&v| v == 80) && f.u.iter().all(|&v| v == 90) && f.v.iter().all(|&v| v == 100)
        );
    }

    #[test]
    fn a_picture_half_off_the_frame_is_clipped() {
        let mut f = Frame::new(8, 8, [16, 128, 128]);
        f.blend(&picture(4, 4, |_, _| [255, 200, 60, 70]), -2, 6, 1.0);
        assert_eq!(f.luma(0, 6), 200);
        assert_eq!(f.luma(1, 7), 200);
        assert_eq!(f.luma(2, 6), 16, "right of the picture");
        assert_eq!(f.luma(0, 5), 16, "above the picture");
        assert_eq!(f.chroma(0, 6), (60, 70));
        f.blend(&picture(4, 4, |_, _| [255, 200, 60, 70]), 8, 0, 1.0);
        f.blend(&picture(4, 4, |_, _| [255, 200, 60, 70]), -4, -4, 1.0);
        assert_eq!(f.y.iter().filter(|&&v| v == 200).count(), 4, "pictures outside leave no trace");
    }

    #[test]
    fn a_chroma_sample_half_covered_takes_half_the_colour() {
        // A one-pixel-wide opaque column at x = 3: the chroma sample of
        // columns 2-3 is half covered.
        let mut f = Frame::new(8, 2, [16, 128, 128]);
        f.blend(&picture(1, 2, |_, _| [255, 100, 28, 228]), 3, 0, 1.0);
        assert_eq!(f.chroma(2, 0), (78, 178));
        assert_eq!(f.chroma(0, 0), (128, 128));
        assert_eq!(f.luma(2, 0), 16);
        assert_eq!(f.luma(3, 1), 100);
    }

    /// Blends pixel by pixel with nothing skipped: what `blend` must give.
    fn reference(f: &mut Frame, p: &Picture, x: i64, y: i64, global: u32) {
        let at = |px: i64, py: i64| {
            let inside = px >= 0 && py >= 0 && (px as usize) < p.width && (py as usize) < p.height;
            inside.then(|| &p.data[py as usize * p.stride + px as usize * 4..][..4])
        };
        let (w, h) = (f.w as i64, f.h as i64);
        for fy in 0..h {
            for fx in 0..w {
                if let Some(px) = at(fx - x, fy - y) {
                    let a = (u32::from(px[0]) * global) >> 8;
                    let d = &mut f.y[(fy * w + fx) as usize];
                    *d = div255(u32::from(px[1]) * a + u32::from(*d) * (255 - a)) as u8;
                }
            }
        }
        for cy in 0..(h + 1) / 2 {
            for cx in 0..(w + 1) / 2 {
                let (mut sa, mut su, mut sv, mut places) = (0, 0, 0, 0);
                for (fx, fy) in
                    [(2 * cx, 2 * cy), (2 * cx + 1, 2 * cy), (2 * cx, 2 * cy + 1), (2 * cx + 1, 2 * cy + 1)]
                {
                    if fx >= w || fy >= h {
                        continue;
                    }
                    places += 1;
                    if let Some(px) = at(fx - x, fy - y) {
                        let a = (u32::from(px[0]) * global) >> 8;
                        (sa, su, sv) = (sa + a, su + a * u32::from(px[2]), sv + a * u32::from(px[3]));
                    }
                }
                if sa == 0 {
                    continue;
                }
                let (whole, i) = (places * 255, (cy * ((w + 1) / 2) + cx) as usize);
                f.u[i] = ((su + u32::from(f.u[i]) * (whole - sa) + whole / 2) / whole) as u8;
                f.v[i] = ((sv + u32::from(f.v[i]) * (whole - sa) + whole / 2) / whole) as u8;
            }
        }
    }

    #[test]
    fn blending_matches_a_pixel_by_pixel_reference_anywhere() {
        // A 13x9 picture of varied alpha (transparent rows and columns
        // included) at odd, even and clipped places in a 21x15 frame.
        let mut seed = 7u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (seed >> 16) as u8
        };
        let values: Vec<[u8; 4]> = (0..13 * 9).map(|_| [next(), next(), next(), next()]).collect();
        let p = picture(13, 9, |x, y| {
            let mut v = values[y * 13 + x];
            if y == 0 || x == 12 || v[0] < 40 {
                v[0] = 0;
            } else if v[0] > 200 {
                v[0] = 255;
            }
            v
        });
        for (x, y, alpha) in
            [(0, 0, 1.0), (3, 2, 1.0), (4, 5, 0.6), (-5, -3, 1.0), (15, 11, 0.3), (8, -4, 1.0)]
        {
            let background = |i: usize| (i * 37 % 200 + 20) as u8;
            let mut got = Frame::new(21, 15, [0, 0, 0]);
            for (i, v) in got.y.iter_mut().enumerate() {
                *v = background(i);
            }
            for (i, v) in got.u.iter_mut().chain(got.v.iter_mut()).enumerate() {
                *v = background(i + 5);
            }
            let mut want = Frame { w: 21, h: 15, y: got.y.clone(), u: got.u.clone(), v: got.v.clone() };
            got.blend(&p, x, y, alpha);
            reference(&mut want, &p, i64::from(x), i64::from(y), (alpha * 256.0).round() as u32);
            assert!(got.y == want.y && got.u == want.u && got.v == want.v, "at ({x}, {y}) x {alpha}");
        }
    }

    #[test]
    fn the_picture_of_a_frame_is_the_newest_not_after_it() {
        let overlay = Overlay::new(Placement { x: 0, y: 0, alpha: 1.0, zorder: 0 });
        for (luma, ms) in [(50u8, 0u64), (100, 100), (150, 200)] {
            let mut p = picture(2, 2, |_, _| [255, luma, 128, 128]);
            p.at = Some(gst::ClockTime::from_mseconds(ms));
            overlay.receive(p);
        }
        let shown = |ms: u64| {
            let mut f = Frame::new(2, 2, [16, 128, 128]);
            let mut planes = Planes {
                width: 2,
                height: 2,
                y: &mut f.y,
                y_stride: 2,
                u: &mut f.u,
                v: &mut f.v,
                chroma_stride: 1,
            };
            overlay.blend_into(&mut planes, Some(gst::ClockTime::from_mseconds(ms)));
            f.y[0]
        };
        assert_eq!(shown(150), 100);
        assert_eq!(shown(250), 150);
        assert_eq!(shown(0), 50);
    }
}
