//! The stinger: a video file played over the whole program while the
//! scenes cut beneath it at its cut point (a wipe drawn in the file hides
//! the cut). Its transparency, if it has any, is kept.
//!
//! ```text
//!  filesrc ! decodebin ─ video ─> videoconvert ! videoscale ! AYUV(canvas) ! appsink(synced) ─> Overlay
//!                      ├ sound ─> audioconvert ! audioresample ! program's format ! appsink(synced) ─> Fanout
//!                      └ other ─> fakesink
//!  mixer ! I420 ─(probe: the program's overlays, the stinger among them)─> …
//!  Fanout ─> a channel of the program's audiomixer, while the stinger plays
//! ```
//!
//! The file is opened and its first picture decoded when the switch is
//! asked for; it plays on the program's clock from the transition's start,
//! so its pictures carry the program's running times and each program frame
//! gets the picture of its own time. Its sound (the first track) is mixed
//! into the program's for as long as it plays.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gst::prelude::*;
use gst_app::AppSink;

use crate::engine::error::{make, EngineError};
use crate::engine::fanout::Fanout;
use crate::engine::program::overlay::{Overlay, Picture, Placement};

use super::pipeline::Channel;

/// A stinger ready to play, or playing.
pub(crate) struct Stinger {
    pipeline: gst::Pipeline,
    pub overlay: Arc<Overlay>,
    /// How long the file plays, when it says.
    pub duration: Option<gst::ClockTime>,
    /// The program's running time its first picture belongs to.
    start: Arc<AtomicU64>,
    /// Its sound, if the file has some.
    sound: Option<Arc<Fanout>>,
    /// The program's channel its sound plays in, while it plays.
    pub channel: Option<Channel>,
}

impl Stinger {
    /// Opens `file` in `caps` (the canvas's AYUV) with its sound in
    /// `audio_caps` (the program's), on `clock`, and waits (5 s at most)
    /// for its first picture.
    pub fn open(
        file: &Path,
        caps: &gst::Caps,
        audio_caps: &gst::Caps,
        clock: &gst::Clock,
    ) -> Result<Self, EngineError> {
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
        let sound = SoundBranch::new(audio_caps)?;
        let weak = pipeline.downgrade();
        let heard = sound.clone();
        decode.connect_pad_added(move |_, pad| {
            let kind = pad.current_caps().and_then(|c| c.structure(0).map(|s| s.name().to_owned()));
            let kind = kind.as_deref().unwrap_or_default();
            if kind.starts_with("video/") && !video_in.is_linked() {
                let _ = pad.link(&video_in);
                return;
            }
            let Some(pipeline) = weak.upgrade() else { return };
            if kind.starts_with("audio/") && heard.plug(&pipeline, pad) {
                return;
            }
            // Other tracks are played to nowhere, in time.
            let Ok(sink) = make("fakesink") else { return };
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
        let sound = sound.is_plugged().then(|| sound.fanout.clone());
        tracing::debug!(file = %file.display(), ?duration, sound = sound.is_some(), "stinger ready");
        Ok(Self { pipeline, overlay, duration, start, sound, channel: None })
    }

    /// Its sound, if the file has some.
    pub fn sound(&self) -> Option<&Arc<Fanout>> {
        self.sound.as_ref()
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

/// The branch that takes the file's first sound track to the program's
/// format and hands it out.
#[derive(Clone)]
struct SoundBranch {
    elements: [gst::Element; 4],
    fanout: Arc<Fanout>,
    /// Whether a track plays through it.
    plugged: Arc<std::sync::Mutex<bool>>,
}

impl SoundBranch {
    fn new(caps: &gst::Caps) -> Result<Self, EngineError> {
        let format = make("capsfilter")?;
        format.set_property("caps", caps);
        let sink = AppSink::builder().caps(caps).sync(true).build();
        let fanout = Fanout::new();
        fanout.attach(&sink, 0);
        let elements = [make("audioconvert")?, make("audioresample")?, format, sink.upcast()];
        Ok(Self { elements, fanout, plugged: Arc::default() })
    }

    /// Plays `pad` through this branch, if it has no track yet.
    fn plug(&self, pipeline: &gst::Pipeline, pad: &gst::Pad) -> bool {
        let mut plugged = self.plugged.lock().unwrap_or_else(|e| e.into_inner());
        if *plugged || pipeline.add_many(&self.elements).is_err() {
            return false;
        }
        let linked = gst::Element::link_many(&self.elements).is_ok()
            && self.elements[0].static_pad("sink").is_some_and(|input| pad.link(&input).is_ok());
        if !linked {
            // An appsink left without input would keep the file from prerolling.
            tracing::warn!("the stinger's sound could not be played");
            let _ = pipeline.remove_many(&self.elements);
            return false;
        }
        for e in &self.elements {
            let _ = e.sync_state_with_parent();
        }
        *plugged = true;
        true
    }

    fn is_plugged(&self) -> bool {
        *self.plugged.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Stinger {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
