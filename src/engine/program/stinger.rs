//! The stinger: a video file played over the whole program while the
//! scenes cut beneath it at its cut point (a wipe drawn in the file hides
//! the cut). Its transparency, if it has any, is kept.
//!
//! ```text
//!  filesrc ! decodebin ─ video ─> videoconvert ! videoscale ! AYUV(canvas) ! appsink(synced) ─> Overlay
//!                      └ other ─> fakesink
//!  mixer ! I420 ─(probe: the program's overlays, the stinger among them)─> …
//! ```
//!
//! The file is opened and its first picture decoded when the switch is
//! asked for; it plays on the program's clock from the transition's start,
//! so its pictures carry the program's running times and each program frame
//! gets the picture of its own time.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gst::prelude::*;
use gst_app::AppSink;

use crate::engine::error::{make, EngineError};
use crate::engine::program::overlay::{Overlay, Picture, Placement};

/// A stinger ready to play, or playing.
pub(crate) struct Stinger {
    pipeline: gst::Pipeline,
    pub overlay: Arc<Overlay>,
    /// How long the file plays, when it says.
    pub duration: Option<gst::ClockTime>,
    /// The program's running time its first picture belongs to.
    start: Arc<AtomicU64>,
}

impl Stinger {
    /// Opens `file` in `caps` (the canvas's AYUV), on `clock`, and waits
    /// (5 s at most) for its first picture.
    pub fn open(file: &Path, caps: &gst::Caps, clock: &gst::Clock) -> Result<Self, EngineError> {
        let named = |e: String| EngineError::Invalid(format!("the stinger {}: {e}", file.display()));
        if !file.is_file() {
            return Err(named("cannot be found".into()));
        }
        let pipeline = gst::Pipeline::with_name("stinger");
        pipeline.use_clock(Some(clock));
        pipeline.set_start_time(gst::ClockTime::NONE);
        let src = make("filesrc")?;
        src.set_property("location", file);
        let decode = make("decodebin")?;
        let sink = AppSink::builder().caps(caps).sync(true).max_buffers(2).build();
        let (convert, scale) = (make("videoconvert")?, make("videoscale")?);
        scale.set_property("add-borders", false);
        pipeline.add_many([&src, &decode, &convert, &scale, sink.upcast_ref()])?;
        src.link(&decode)?;
        gst::Element::link_many([&convert, &scale, sink.upcast_ref()])?;
        let video_in = convert.static_pad("sink").ok_or_else(|| named("no pad".into()))?;
        let weak = pipeline.downgrade();
        decode.connect_pad_added(move |_, pad| {
            let video =
                pad.current_caps().and_then(|c| c.structure(0).map(|s| s.name().starts_with("video/")));
            if video.unwrap_or(false) && !video_in.is_linked() {
                let _ = pad.link(&video_in);
                return;
            }
            // Sound and a second picture stream are played to nowhere, in time.
            let (Some(pipeline), Ok(sink)) = (weak.upgrade(), make("fakesink")) else { return };
            if pipeline.add(&sink).is_ok() {
                let _ = sink.sync_state_with_parent();
                if let Some(input) = sink.static_pad("sink") {
                    let _ = pad.link(&input);
                }
            }
        });
        let overlay = Overlay::new(Placement { x: 0, y: 0, alpha: 1.0, zorder: u32::MAX });
        let start = Arc::new(AtomicU64::new(0));
        let (shown, since) = (overlay.clone(), start.clone());
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                    let info = sample.caps().and_then(|c| gst_video::VideoInfo::from_caps(c).ok());
                    let segment = sample.segment().and_then(|s| s.downcast_ref::<gst::ClockTime>());
                    if let (Some(info), Some(buffer)) = (info, sample.buffer_owned()) {
                        let own = segment.and_then(|s| s.to_running_time(buffer.pts())).unwrap_or_default();
                        let at = gst::ClockTime::from_nseconds(since.load(Ordering::Relaxed)) + own;
                        let (w, h, stride) =
                            (info.width() as usize, info.height() as usize, info.stride()[0]);
                        if let Some(picture) = Picture::new(buffer, w, h, stride.max(0) as usize, Some(at)) {
                            shown.receive(picture);
                        }
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        pipeline.set_state(gst::State::Paused).map_err(|e| named(e.to_string()))?;
        let (ready, _, _) = pipeline.state(gst::ClockTime::from_seconds(5));
        if ready.is_err() {
            let _ = pipeline.set_state(gst::State::Null);
            return Err(named("could not be played as a video".into()));
        }
        let duration = pipeline.query_duration::<gst::ClockTime>();
        tracing::debug!(file = %file.display(), ?duration, "stinger ready");
        Ok(Self { pipeline, overlay, duration, start })
    }

    /// The error that stopped it mid-way (a file broken after its start),
    /// if one did.
    pub fn failure(&self) -> Option<String> {
        let message = self.pipeline.bus()?.pop_filtered(&[gst::MessageType::Error])?;
        match message.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }

    /// Plays it from the program's running time `start`, on a pipeline
    /// whose base time is `base`.
    pub fn play(&self, base: gst::ClockTime, start: gst::ClockTime) {
        self.start.store(start.nseconds(), Ordering::Relaxed);
        self.pipeline.set_base_time(base + start);
        if let Err(e) = self.pipeline.set_state(gst::State::Playing) {
            tracing::warn!(%e, "the stinger could not play");
        }
    }
}

impl Drop for Stinger {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
