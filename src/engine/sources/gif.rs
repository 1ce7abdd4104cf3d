//! Animated GIFs, played: GStreamer 1.22's `avdec_gif` gives every frame
//! of an animation the time 0 and `gdkpixbufdec` gives none, so an
//! animation showed its first picture only. The `gif` crate decodes the
//! frames; they are composed here as the format says (each frame drawn
//! over the last, then disposed of), and an appsrc hands them on at their
//! own delays, over and over:
//!
//! ```text
//!  appsrc(RGBA frames, timed by their delays, looping) ! videoconvert ! AYUV ! appsink(video, synced)
//! ```

use std::path::Path;
use std::sync::Arc;

use gst::prelude::*;

use crate::engine::error::EngineError;

/// The most memory an animation's composed frames may take.
const LARGEST: usize = 256 * 1024 * 1024;
/// The shortest delay honoured: browsers show a GIF asking for less at 10 fps.
const SHORTEST_DELAY_MS: u64 = 20;
const DEFAULT_DELAY_MS: u64 = 100;

/// The composed pictures of an animation and how long each shows.
pub(crate) struct Animation {
    pub width: u32,
    pub height: u32,
    frames: Vec<(Vec<u8>, gst::ClockTime)>,
}

impl Animation {
    /// The animation in `path`; `None` when the file is a GIF of one
    /// picture (shown as a still image) or no GIF at all.
    pub fn load(path: &Path) -> Result<Option<Self>, EngineError> {
        let named = |e: String| EngineError::Invalid(format!("{}: {e}", path.display()));
        let mut head = [0u8; 6];
        let mut file = std::fs::File::open(path).map_err(|e| named(e.to_string()))?;
        if std::io::Read::read_exact(&mut file, &mut head).is_err() || !head.starts_with(b"GIF8") {
            return Ok(None);
        }
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let file = std::fs::File::open(path).map_err(|e| named(e.to_string()))?;
        let mut decoder =
            options.read_info(std::io::BufReader::new(file)).map_err(|e| named(e.to_string()))?;
        let (width, height) = (usize::from(decoder.width()), usize::from(decoder.height()));
        if width == 0 || height == 0 {
            return Err(named("a GIF of no size".into()));
        }
        let mut canvas = vec![0u8; width * height * 4];
        let mut frames = Vec::new();
        while let Some(frame) = decoder.read_next_frame().map_err(|e| named(e.to_string()))? {
            if (frames.len() + 1) * canvas.len() > LARGEST {
                return Err(named(format!("an animation of more than {} MB", LARGEST / 1024 / 1024)));
            }
            let before = (frame.dispose == gif::DisposalMethod::Previous).then(|| canvas.clone());
            draw(&mut canvas, width, frame);
            let delay = match u64::from(frame.delay) * 10 {
                0 => DEFAULT_DELAY_MS,
                ms => ms.max(SHORTEST_DELAY_MS),
            };
            frames.push((canvas.clone(), gst::ClockTime::from_mseconds(delay)));
            match (frame.dispose, before) {
                (gif::DisposalMethod::Background, _) => clear(&mut canvas, width, frame),
                (gif::DisposalMethod::Previous, Some(before)) => canvas = before,
                _ => {}
            }
        }
        Ok((frames.len() > 1).then_some(Self { width: width as u32, height: height as u32, frames }))
    }

    /// An appsrc playing the animation over and over. Its caps say `fps`
    /// (the program's rate: the layers downstream want a fixed rate, and
    /// a variable one would not negotiate), its buffers their own times.
    pub fn source(self, fps: u32) -> Result<gst::Element, EngineError> {
        let src = super::rgba_appsrc(self.width, self.height, fps);
        let frames: Arc<Vec<(gst::Buffer, gst::ClockTime)>> = Arc::new(
            self.frames
                .into_iter()
                .map(|(pixels, delay)| (gst::Buffer::from_mut_slice(pixels), delay))
                .collect(),
        );
        // The next frame to hand on, and the time it starts.
        let next = std::sync::Mutex::new((0usize, gst::ClockTime::ZERO));
        src.set_callbacks(
            gst_app::AppSrcCallbacks::builder()
                .need_data(move |src, _| {
                    let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                    let (index, at) = *next;
                    let (pixels, delay) = &frames[index % frames.len()];
                    let mut buffer = pixels.clone();
                    {
                        let buffer = buffer.make_mut();
                        buffer.set_pts(at);
                        buffer.set_duration(*delay);
                    }
                    *next = ((index + 1) % frames.len(), at + *delay);
                    let _ = src.push_buffer(buffer);
                })
                .build(),
        );
        Ok(src.upcast())
    }
}

/// Draws `frame` over `canvas` (its transparent pixels leave what is under).
fn draw(canvas: &mut [u8], width: usize, frame: &gif::Frame) {
    let (left, top, w) = (usize::from(frame.left), usize::from(frame.top), usize::from(frame.width));
    for (row, line) in frame.buffer.chunks_exact(w.max(1) * 4).enumerate() {
        let y = top + row;
        if y * width * 4 >= canvas.len() {
            break;
        }
        for (col, px) in line.chunks_exact(4).enumerate() {
            let x = left + col;
            if x >= width || px[3] == 0 {
                continue;
            }
            let at = (y * width + x) * 4;
            canvas[at..at + 4].copy_from_slice(px);
        }
    }
}

/// Clears `frame`'s rectangle of `canvas` to transparent.
fn clear(canvas: &mut [u8], width: usize, frame: &gif::Frame) {
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    for y in top..top + usize::from(frame.height) {
        for x in left..(left + usize::from(frame.width)).min(width) {
            let at = (y * width + x) * 4;
            if let Some(px) = canvas.get_mut(at..at + 4) {
                px.fill(0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GIF of `colours`, each a whole 8x4 picture shown `delay` hundredths.
    fn write_gif(path: &Path, colours: &[[u8; 3]], delay: u16) {
        let file = std::fs::File::create(path).expect("created");
        let mut encoder = gif::Encoder::new(file, 8, 4, &[]).expect("encoder");
        for rgb in colours {
            let mut pixels: Vec<u8> =
                std::iter::repeat_n([rgb[0], rgb[1], rgb[2], 255], 32).flatten().collect();
            let mut frame = gif::Frame::from_rgba(8, 4, &mut pixels);
            frame.delay = delay;
            encoder.write_frame(&frame).expect("frame written");
        }
    }

    #[test]
    fn an_animation_keeps_each_picture_and_its_delay() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.gif");
        write_gif(&path, &[[255, 0, 0], [0, 0, 255]], 25);
        let animation = Animation::load(&path).expect("read").expect("an animation");
        assert_eq!((animation.width, animation.height), (8, 4));
        let firsts: Vec<(&[u8], u64)> =
            animation.frames.iter().map(|(pixels, delay)| (&pixels[..4], delay.mseconds())).collect();
        assert_eq!(firsts, [(&[255, 0, 0, 255][..], 250), (&[0, 0, 255, 255][..], 250)]);
    }

    #[test]
    fn one_picture_is_no_animation_and_a_broken_file_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let one = dir.path().join("one.gif");
        write_gif(&one, &[[0, 255, 0]], 0);
        assert!(Animation::load(&one).expect("read").is_none());
        let broken = dir.path().join("broken.gif");
        std::fs::write(&broken, b"GIF89a\x08\x00").expect("written");
        let e = Animation::load(&broken).err().expect("refused");
        assert!(e.to_string().contains("broken.gif"), "{e}");
    }
}
