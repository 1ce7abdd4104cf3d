//! Plays a live MPEG-TS stream that arrives in pieces (a swarm viewer's
//! chunks) into a video sink given by the caller (the viewer window's
//! frame sink), with its sound at a volume.
//!
//! ```text
//!  push(bytes) ─> appsrc(live, bytes) ! decodebin ─┬─ video ─> queue ! videoconvert ! <video sink>
//!                                                  └─ audio ─> queue ! audioconvert ! audioresample ! volume ! autoaudiosink
//! ```
//!
//! The stream is paced by its arrival (it is live at the broadcaster), so
//! the sinks play what comes as it comes (`sync` off): no extra buffering
//! delay on top of the swarm's.

use gst::prelude::*;
use gst_app::AppSrc;

use crate::engine::error::{make, EngineError};

pub struct Playback {
    pipeline: gst::Pipeline,
    src: AppSrc,
    volume: gst::Element,
}

impl Playback {
    /// Starts playing whatever `push` is given into `video_sink`.
    pub fn start(video_sink: gst::Element) -> Result<Self, EngineError> {
        crate::engine::init()?;
        let pipeline = gst::Pipeline::with_name("playback");
        let src = AppSrc::builder()
            .is_live(true)
            .format(gst::Format::Bytes)
            .caps(&gst::Caps::builder("video/mpegts").field("systemstream", true).build())
            .max_bytes(4_000_000)
            .build();
        let decode = make("decodebin")?;
        let volume = make("volume")?;
        let video = [make("queue")?, make("videoconvert")?, video_sink];
        let audio = [
            make("queue")?,
            make("audioconvert")?,
            make("audioresample")?,
            volume.clone(),
            make("autoaudiosink")?,
        ];
        for sink in [&video[2], &audio[4]] {
            unsynced(sink);
        }
        pipeline.add_many([src.upcast_ref(), &decode])?;
        pipeline.add_many(&video)?;
        pipeline.add_many(&audio)?;
        src.link(&decode)?;
        gst::Element::link_many(&video)?;
        gst::Element::link_many(&audio)?;
        let (video_in, audio_in) = (video[0].clone(), audio[0].clone());
        decode.connect_pad_added(move |_, pad| {
            let caps = pad.current_caps().or_else(|| Some(pad.query_caps(None)));
            let kind = caps.and_then(|c| c.structure(0).map(|s| s.name().to_string())).unwrap_or_default();
            let target = match kind.split('/').next() {
                Some("video") => &video_in,
                Some("audio") => &audio_in,
                _ => return,
            };
            if let Some(sink) = target.static_pad("sink").filter(|p| !p.is_linked()) {
                if let Err(e) = pad.link(&sink) {
                    tracing::warn!(?e, %kind, "a stream of the show cannot be played");
                }
            }
        });
        if let Some(bus) = pipeline.bus() {
            bus.set_sync_handler(|_, msg| {
                if let gst::MessageView::Error(e) = msg.view() {
                    tracing::warn!(error = %e.error(), debug = ?e.debug(), "playback");
                }
                gst::BusSyncReply::Drop
            });
        }
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| EngineError::Start { what: "playback".into(), message: e.to_string() })?;
        Ok(Self { pipeline, src, volume })
    }

    /// Plays these bytes of the stream next.
    pub fn push(&self, bytes: &[u8]) {
        let _ = self.src.push_buffer(gst::Buffer::from_slice(bytes.to_vec()));
    }

    /// The sound's volume (1.0: as sent) and whether it is muted.
    pub fn set_volume(&self, volume: f64, muted: bool) {
        self.volume.set_property("volume", volume.clamp(0.0, 4.0));
        self.volume.set_property("mute", muted);
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

/// Lets `sink` (or the sinks inside it, when it is a bin of its own) show
/// what comes as it comes.
fn unsynced(sink: &gst::Element) {
    if sink.has_property("sync") {
        sink.set_property("sync", false);
    } else if let Some(bin) = sink.downcast_ref::<gst::Bin>() {
        for inner in bin.iterate_sinks().into_iter().flatten() {
            unsynced(&inner);
        }
    }
}
