//! A slideshow: pictures one after the other, each fitted into the
//! source's box, faded or cut into the next. A loader thread decodes the
//! next picture while the current one shows, so that a picture of many
//! megapixels never holds up the program; a folder is read again before
//! each picture, so new files join the show.
//!
//! ```text
//!  loader thread: filesrc ! decodebin ! videoconvert ! videoscale(borders) ! RGBA w x h ! appsink
//!        │ (the next picture, ready ahead)
//!        ▼
//!  appsrc(RGBA, timed: a picture for `seconds`, blended with the next over `fade`) ! videoconvert ! … appsink
//! ```

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::model::SlideOrder;

/// What a slideshow shows, and how.
#[derive(Debug, Clone)]
pub(crate) struct Slides {
    pub folder: Option<PathBuf>,
    pub files: Vec<PathBuf>,
    pub seconds: f64,
    pub order: SlideOrder,
    pub fade: Duration,
    pub size: (u32, u32),
}

/// Picture files a folder holds, by name.
pub(crate) fn pictures_in(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    found.retain(|p| {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "webp" | "bmp" | "gif" | "tif" | "tiff")
    });
    found.sort();
    found
}

impl Slides {
    /// The pictures there are now.
    fn list(&self) -> Vec<PathBuf> {
        let mut all = self.files.clone();
        if let Some(folder) = &self.folder {
            all.extend(pictures_in(folder));
        }
        all
    }

    /// The picture after `shown` (none at the start).
    fn next_after(&self, shown: Option<&Path>) -> Option<PathBuf> {
        let all = self.list();
        if all.is_empty() {
            return None;
        }
        let at = shown.and_then(|s| all.iter().position(|p| p == s));
        let index = match (self.order, at) {
            (SlideOrder::InTurn, Some(i)) => (i + 1) % all.len(),
            (SlideOrder::InTurn, None) => 0,
            (SlideOrder::Random, at) if all.len() > 1 => {
                let others: Vec<usize> = (0..all.len()).filter(|i| Some(*i) != at).collect();
                others[rand::random_range(0..others.len())]
            }
            (SlideOrder::Random, _) => 0,
        };
        Some(all[index].clone())
    }
}

/// One picture, fitted into the box (RGBA).
struct Picture {
    path: PathBuf,
    pixels: gst::Buffer,
}

/// Decodes `path` into RGBA of `size`, its proportions kept (bordered)
/// when `keep_proportions`, else stretched; at its own size without one.
/// Returns the pixels and their size.
pub(crate) fn decode(
    path: &Path,
    size: Option<(u32, u32)>,
    keep_proportions: bool,
) -> Result<(gst::Buffer, (u32, u32)), EngineError> {
    let named = |e: String| EngineError::Invalid(format!("{}: {e}", path.display()));
    let pipeline = gst::Pipeline::new();
    let src = make("filesrc")?;
    src.set_property("location", path);
    let decode = make("decodebin")?;
    let convert = make("videoconvert")?;
    let upright = crate::engine::sources::producer::upright()?;
    let scale = make("videoscale")?;
    scale.set_property("add-borders", keep_proportions);
    let mut caps = gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Rgba);
    if let Some((width, height)) = size {
        caps = caps.width(width as i32).height(height as i32).pixel_aspect_ratio(gst::Fraction::new(1, 1));
    }
    let sink = gst_app::AppSink::builder().caps(&caps.build()).build();
    let convert2 = make("videoconvert")?;
    pipeline.add_many([&src, &decode, &convert, &upright, &convert2, &scale, sink.upcast_ref()])?;
    src.link(&decode)?;
    gst::Element::link_many([&convert, &upright, &convert2, &scale, sink.upcast_ref()])?;
    let first = convert.static_pad("sink").ok_or_else(|| named("no pad".into()))?;
    decode.connect_pad_added(move |_, pad| {
        let video = pad.current_caps().and_then(|c| c.structure(0).map(|s| s.name().starts_with("video/")));
        if video.unwrap_or(false) && !first.is_linked() {
            let _ = pad.link(&first);
        }
    });
    pipeline.set_state(gst::State::Paused).map_err(|e| named(e.to_string()))?;
    let sample = first_picture(&pipeline, &sink);
    let _ = pipeline.set_state(gst::State::Null);
    let sample = sample.map_err(named)?;
    let info = sample.caps().and_then(|c| gst_video::VideoInfo::from_caps(c).ok());
    let info = info.ok_or_else(|| named("no picture size".into()))?;
    let pixels = sample.buffer_owned().ok_or_else(|| named("no picture in it".into()))?;
    Ok((pixels, (info.width(), info.height())))
}

/// The first picture `sink` gets, or why there is none: a file that is not
/// a picture fails as soon as the pipeline says so (not after a timeout),
/// a huge one has 30 s.
fn first_picture(pipeline: &gst::Pipeline, sink: &gst_app::AppSink) -> Result<gst::Sample, String> {
    let bus = pipeline.bus().ok_or("no bus")?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if let Some(sample) = sink.try_pull_preroll(gst::ClockTime::from_mseconds(50)) {
            return Ok(sample);
        }
        if let Some(message) = bus.pop_filtered(&[gst::MessageType::Error]) {
            if let gst::MessageView::Error(e) = message.view() {
                return Err(format!("could not be decoded as a picture ({})", e.error()));
            }
        }
        if sink.is_eos() {
            break;
        }
    }
    Err("could not be decoded as a picture".into())
}

/// The pictures shown and the one ready next, shared between the appsrc
/// and the loader.
#[derive(Default)]
struct Show {
    current: Option<Picture>,
    next: Option<Picture>,
    /// When the current picture gives way (appsrc time).
    until: gst::ClockTime,
}

/// The slideshow's source element: an appsrc handing on pictures at `fps`.
pub(crate) fn source(slides: Slides, fps: u32) -> Result<gst::Element, EngineError> {
    let (w, h) = slides.size;
    let src = super::rgba_appsrc(w, h, fps);
    let show = Arc::new(Mutex::new(Show::default()));
    let (ask, asked) = mpsc::channel::<Option<PathBuf>>();
    // The loader: decodes the picture after the one it is told, into `next`.
    let (loading, slides_for_loader) = (show.clone(), slides.clone());
    std::thread::Builder::new()
        .name("plateau-slides".into())
        .spawn(move || {
            while let Ok(mut after) = asked.recv() {
                // Until a picture is ready: an empty folder is looked at
                // again, a file that cannot be read is passed over.
                loop {
                    let Some(path) = slides_for_loader.next_after(after.as_deref()) else {
                        // The source is gone (its appsrc and sender dropped): stop looking.
                        if gone(&asked, Duration::from_millis(500)) {
                            return;
                        }
                        continue;
                    };
                    match decode(&path, Some(slides_for_loader.size), true).map(|(pixels, _)| pixels) {
                        Ok(pixels) => {
                            tracing::debug!(picture = %path.display(), "slide ready");
                            lock(&loading).next = Some(Picture { path, pixels });
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(%e, "a slide was left out");
                            after = Some(path);
                            if gone(&asked, Duration::from_millis(200)) {
                                return;
                            }
                        }
                    }
                }
            }
        })
        .map_err(|e| EngineError::Invalid(format!("cannot start the slideshow's loader: {e}")))?;
    let _ = ask.send(None);
    let frame = gst::ClockTime::from_nseconds(1_000_000_000 / u64::from(fps.max(1)));
    let length = gst::ClockTime::from_nseconds((slides.seconds * 1e9) as u64);
    let fade = gst::ClockTime::from_nseconds(slides.fade.as_nanos() as u64);
    let blank = gst::Buffer::from_mut_slice(vec![0u8; (w * h * 4) as usize]);
    let at = Mutex::new(gst::ClockTime::ZERO);
    let ask = Mutex::new(ask);
    src.set_callbacks(
        gst_app::AppSrcCallbacks::builder()
            .need_data(move |src, _| {
                let mut t = lock(&at);
                let now = *t;
                *t += frame;
                drop(t);
                let mut s = lock(&show);
                // The next picture takes over once its time came and it is ready.
                let due = s.current.is_none() || now >= s.until;
                if due && s.next.is_some() {
                    let shown = s.next.take();
                    s.current = shown;
                    s.until = now + length;
                    let after = s.current.as_ref().map(|p| p.path.clone());
                    let _ = lock(&ask).send(after);
                }
                let fading = s.next.as_ref().filter(|_| !fade.is_zero() && now + fade >= s.until);
                let mut buffer = match (&s.current, fading) {
                    (Some(current), Some(next)) => {
                        let share =
                            1.0 - (s.until.saturating_sub(now)).nseconds() as f64 / fade.nseconds() as f64;
                        blend(&current.pixels, &next.pixels, share.clamp(0.0, 1.0))
                    }
                    (Some(current), None) => current.pixels.clone(),
                    (None, _) => blank.clone(),
                };
                drop(s);
                {
                    let buffer = buffer.make_mut();
                    buffer.set_pts(now);
                    buffer.set_duration(frame);
                }
                let _ = src.push_buffer(buffer);
            })
            .build(),
    );
    Ok(src.upcast())
}

/// `a` turning into `b`: `share` of `b` (0 to 1).
fn blend(a: &gst::Buffer, b: &gst::Buffer, share: f64) -> gst::Buffer {
    let (Ok(a), Ok(b)) = (a.map_readable(), b.map_readable()) else { return a.clone() };
    let k = (share * 256.0) as u32;
    let mixed: Vec<u8> = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| ((u32::from(*x) * (256 - k) + u32::from(*y) * k) >> 8) as u8)
        .collect();
    gst::Buffer::from_mut_slice(mixed)
}

/// Waits `pause`; whether the slideshow was dropped meanwhile (nobody can
/// ask for a picture any more), so that its loader does not outlive it.
fn gone(asked: &mpsc::Receiver<Option<PathBuf>>, pause: Duration) -> bool {
    matches!(asked.recv_timeout(pause), Err(mpsc::RecvTimeoutError::Disconnected))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
