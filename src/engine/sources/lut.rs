//! 3D colour look-up tables from `.cube` files (the format colourists and
//! camera makers publish), applied in place to pictures in ARGB64: with 8
//! bits a channel, the way from YUV to RGB and back alone moved colours by
//! 3 levels; with 16, an identity table leaves them exactly as they were.

use std::path::Path;
use std::sync::Arc;

use gst::prelude::*;

/// The largest table read: 129 points a side (published LUTs use 17 to 65).
const LARGEST: usize = 129;
/// The largest `.cube` file read.
const LARGEST_FILE: u64 = 64 * 1024 * 1024;

/// A cube of `size`³ output colours, red varying fastest, each 0 to 1.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lut {
    size: usize,
    table: Vec<[f32; 3]>,
}

impl Lut {
    /// Reads a `.cube` file; the message says what is wrong with it, and where.
    pub fn load(path: &Path) -> Result<Self, String> {
        let named = |e: String| format!("LUT {}: {e}", path.display());
        let len = std::fs::metadata(path).map_err(|e| named(e.to_string()))?.len();
        if len > LARGEST_FILE {
            return Err(named(format!("{len} bytes is too large for a .cube file")));
        }
        let text = std::fs::read_to_string(path).map_err(|e| named(e.to_string()))?;
        Self::parse(&text).map_err(named)
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let (mut size, mut table) = (None, Vec::new());
        let (mut min, mut max) = ([0f32; 3], [1f32; 3]);
        for (n, line) in text.lines().enumerate() {
            let at = |e: &str| format!("line {}: {e}", n + 1);
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let first = words.next().unwrap_or_default();
            let numbers = |words: std::str::SplitWhitespace| -> Result<[f32; 3], String> {
                let v: Vec<f32> =
                    words.map(str::parse).collect::<Result<_, _>>().map_err(|_| at("not a number"))?;
                match v.as_slice() {
                    [a, b, c] if v.iter().all(|x| x.is_finite()) => Ok([*a, *b, *c]),
                    _ => Err(at("three numbers were expected")),
                }
            };
            match first {
                "TITLE" => {}
                "LUT_1D_SIZE" => return Err(at("a 1D LUT: Plateau takes 3D LUTs (LUT_3D_SIZE)")),
                "LUT_3D_SIZE" => {
                    let n: usize = words.next().and_then(|w| w.parse().ok()).ok_or_else(|| at("no size"))?;
                    if !(2..=LARGEST).contains(&n) {
                        return Err(at(&format!("a size of {n}: it must be 2 to {LARGEST}")));
                    }
                    size = Some(n);
                    table.reserve(n * n * n);
                }
                "DOMAIN_MIN" => min = numbers(words)?,
                "DOMAIN_MAX" => max = numbers(words)?,
                word if word.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') => {
                    let n = size.ok_or_else(|| at("colours before LUT_3D_SIZE"))?;
                    if table.len() == n * n * n {
                        return Err(at(&format!("more than {} colours", n * n * n)));
                    }
                    table.push(numbers(line.split_whitespace())?);
                }
                other => return Err(at(&format!("unknown keyword {other}"))),
            }
        }
        let size = size.ok_or("no LUT_3D_SIZE line")?;
        if table.len() != size * size * size {
            return Err(format!(
                "{} colours for a size of {size}: {} were expected",
                table.len(),
                size.pow(3)
            ));
        }
        if (0..3).any(|c| max[c] <= min[c]) {
            return Err("DOMAIN_MAX must be above DOMAIN_MIN".into());
        }
        // Outputs are scaled into 0-1 by the domain.
        for colour in &mut table {
            for c in 0..3 {
                colour[c] = ((colour[c] - min[c]) / (max[c] - min[c])).clamp(0.0, 1.0);
            }
        }
        Ok(Self { size, table })
    }

    /// The colour `rgb` (0-255 each) becomes.
    #[cfg(test)]
    pub fn map(&self, rgb: [u8; 3]) -> [u8; 3] {
        let wide = self.map16(rgb.map(|v| u16::from(v) * 257));
        wide.map(|v| ((u32::from(v) + 128) / 257) as u8)
    }

    /// The colour `rgb` (0-65535 each) becomes, interpolated between the
    /// four points of the cube's tetrahedron around it (exact for a table
    /// that is linear, like an identity; half the reads of trilinear).
    pub fn map16(&self, rgb: [u16; 3]) -> [u16; 3] {
        let last = (self.size - 1) as f32;
        let mut low = [0usize; 3];
        let mut f = [0f32; 3];
        for c in 0..3 {
            let x = f32::from(rgb[c]) * (last / 65535.0);
            low[c] = (x as usize).min(self.size - 2);
            f[c] = x - low[c] as f32;
        }
        let n = self.size;
        let base = (low[2] * n + low[1]) * n + low[0];
        let (dr, dg, db) = (1, n, n * n);
        let at = |offset: usize| self.table[base + offset];
        let [fr, fg, fb] = f;
        // The tetrahedron: the order of the three fractions picks the path
        // from the low corner to the high one along the cube's edges.
        let (w, path) = if fr > fg {
            if fg > fb {
                ([fr, fg, fb], [dr, dr + dg, dr + dg + db])
            } else if fr > fb {
                ([fr, fb, fg], [dr, dr + db, dr + dg + db])
            } else {
                ([fb, fr, fg], [db, dr + db, dr + dg + db])
            }
        } else if fb > fg {
            ([fb, fg, fr], [db, dg + db, dr + dg + db])
        } else if fb > fr {
            ([fg, fb, fr], [dg, dg + db, dr + dg + db])
        } else {
            ([fg, fr, fb], [dg, dr + dg, dr + dg + db])
        };
        let (c0, c1, c2, c3) = (at(0), at(path[0]), at(path[1]), at(path[2]));
        let mut out = [0u16; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let v = c0[c] + w[0] * (c1[c] - c0[c]) + w[1] * (c2[c] - c1[c]) + w[2] * (c3[c] - c2[c]);
            *o = (v * 65535.0 + 0.5).clamp(0.0, 65535.0) as u16;
        }
        out
    }

    /// Maps every ARGB64 picture passing `element`'s source pad, its rows
    /// shared among the machine's cores (a 1080p picture is 2 million
    /// look-ups).
    pub fn apply_on(self, element: &gst::Element) {
        let lut = Arc::new(self);
        let Some(pad) = element.static_pad("src") else { return };
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            if let Some(gst::PadProbeData::Buffer(buffer)) = &mut info.data {
                let buffer = buffer.make_mut();
                if let Ok(mut map) = buffer.map_writable() {
                    let pixels = map.as_mut_slice();
                    // Whole pixels (8 bytes) to each worker.
                    let share = pixels.len().div_ceil(8 * workers) * 8;
                    std::thread::scope(|scope| {
                        let mut parts = pixels.chunks_mut(share.max(8));
                        let mine = parts.next();
                        for part in parts {
                            let lut = &lut;
                            scope.spawn(move || lut.map_pixels(part));
                        }
                        if let Some(part) = mine {
                            lut.map_pixels(part);
                        }
                    });
                }
            }
            gst::PadProbeReturn::Ok
        });
    }

    /// Maps ARGB64 pixels in place: alpha, red, green, blue, 16 bits each,
    /// native order.
    fn map_pixels(&self, pixels: &mut [u8]) {
        for px in pixels.chunks_exact_mut(8) {
            let channel = |i: usize| u16::from_ne_bytes([px[i], px[i + 1]]);
            let mapped = self.map16([channel(2), channel(4), channel(6)]);
            for (c, v) in mapped.into_iter().enumerate() {
                px[2 + 2 * c..4 + 2 * c].copy_from_slice(&v.to_ne_bytes());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cube(size: usize, f: impl Fn([f32; 3]) -> [f32; 3]) -> String {
        let mut text = format!("TITLE \"test\"\nLUT_3D_SIZE {size}\n");
        let step = 1.0 / (size - 1) as f32;
        for b in 0..size {
            for g in 0..size {
                for r in 0..size {
                    let [x, y, z] = f([r as f32 * step, g as f32 * step, b as f32 * step]);
                    text.push_str(&format!("{x} {y} {z}\n"));
                }
            }
        }
        text
    }

    #[test]
    fn an_identity_cube_keeps_every_colour_within_a_level() {
        let lut = Lut::parse(&cube(17, |c| c)).expect("parses");
        for rgb in [[0, 0, 0], [255, 255, 255], [12, 200, 99], [128, 64, 250]] {
            let out = lut.map(rgb);
            assert!(out.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 1), "{rgb:?} -> {out:?}");
        }
    }

    #[test]
    fn an_inverting_cube_inverts() {
        let lut = Lut::parse(&cube(2, |[r, g, b]| [1.0 - r, 1.0 - g, 1.0 - b])).expect("parses");
        assert_eq!(lut.map([255, 0, 0]), [0, 255, 255]);
        assert_eq!(lut.map([10, 100, 200]), [245, 155, 55]);
    }

    #[test]
    fn a_broken_cube_says_what_is_wrong() {
        for (text, expected) in [
            ("LUT_3D_SIZE 2\n0 0 0\n", "1 colours for a size of 2"),
            ("0 0 0\n", "before LUT_3D_SIZE"),
            ("LUT_3D_SIZE 1000\n", "2 to 129"),
            ("LUT_1D_SIZE 16\n", "1D LUT"),
            ("LUT_3D_SIZE 2\n0 0 x\n", "line 2: not a number"),
            ("LUT_3D_SIZE 2\n0 0\n", "three numbers"),
            ("", "no LUT_3D_SIZE"),
            ("FOO 1\n", "unknown keyword FOO"),
        ] {
            let e = Lut::parse(text).expect_err(text);
            assert!(e.contains(expected), "{text:?}: {e}");
        }
    }
}
