//! One encode of the program, shared by every output with the same settings.
//!
//! ```text
//!  program video ─> appsrc ! videoconvert ! I420 ! x264enc|vah264enc ! h264parse ! avc caps ! appsink ─(fanout)─> outputs
//!  program audio ─> appsrc ! audioconvert ! avenc_aac|opusenc ! aacparse|opusparse ! appsink ──(fanout)─> outputs
//! ```
//!
//! Outputs take the encoded streams through their own appsrcs (starting at
//! a keyframe), so a recording and several streams cost one encode, and
//! each can stop or fail alone.

use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_app::AppSink;

use crate::engine::error::{make, EngineError};
use crate::engine::fanout::{running_time_on, Fanout};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;

/// How the program is encoded. Outputs with equal settings share an encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EncoderSettings {
    pub video_kbps: u32,
    pub audio_kbps: u32,
    /// Seconds between keyframes.
    pub keyframe_seconds: u32,
    /// Use a hardware H.264 encoder when the machine has one.
    pub hardware: bool,
    /// x264's speed/quality trade-off (hardware encoders have their own).
    pub speed: Speed,
    pub audio: AudioCodec,
}

impl Default for EncoderSettings {
    fn default() -> Self {
        Self {
            video_kbps: 2500,
            audio_kbps: 128,
            keyframe_seconds: 2,
            hardware: true,
            speed: Speed::Veryfast,
            audio: AudioCodec::Aac,
        }
    }
}

/// x264 presets, fastest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speed {
    Ultrafast,
    Superfast,
    Veryfast,
    Faster,
    Fast,
    Medium,
}

impl Speed {
    pub const ALL: [Speed; 6] =
        [Self::Ultrafast, Self::Superfast, Self::Veryfast, Self::Faster, Self::Fast, Self::Medium];

    pub fn name(self) -> &'static str {
        match self {
            Self::Ultrafast => "ultrafast",
            Self::Superfast => "superfast",
            Self::Veryfast => "veryfast",
            Self::Faster => "faster",
            Self::Fast => "fast",
            Self::Medium => "medium",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The sound codec: AAC goes everywhere (RTMP needs it); Opus is smaller
/// at equal quality, for Matroska recordings and SRT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    Aac,
    Opus,
}

pub(crate) struct Encoder {
    _output: Output,
    video_encoder: gst::Element,
    pub video: Arc<Fanout>,
    pub audio: Arc<Fanout>,
    /// The H.264 encoder in use (`x264enc` or a hardware one).
    pub codec: String,
    pub settings: EncoderSettings,
    /// Outputs that need exactly its own keyframe interval (streams).
    pub strict_users: AtomicUsize,
    /// A shorter keyframe interval imposed while an output needs it (the
    /// swarm joining a recording's encode), in seconds; 0 for none.
    pace: Arc<AtomicU32>,
}

/// A VA-API render node and the element to use it, when both exist.
fn hardware_encoder() -> Option<gst::Element> {
    let has_node = std::fs::read_dir("/dev/dri")
        .ok()?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().starts_with("renderD"));
    if !has_node {
        return None;
    }
    ["vah264enc", "vaapih264enc", "nvh264enc"].iter().find_map(|f| gst::ElementFactory::make(f).build().ok())
}

fn x264(settings: &EncoderSettings, fps: u32) -> Result<gst::Element, EngineError> {
    let x264 = make("x264enc")?;
    x264.set_property_from_str("speed-preset", settings.speed.name());
    x264.set_property_from_str("tune", "zerolatency");
    x264.set_property("bitrate", settings.video_kbps);
    x264.set_property("key-int-max", fps * settings.keyframe_seconds.max(1));
    Ok(x264)
}

impl Encoder {
    pub fn start(feeds: impl AsRef<Feeds>, settings: EncoderSettings) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let fps = feeds.canvas().fps;
        if settings.hardware {
            if let Some(hw) = hardware_encoder() {
                let name = hw.factory().map(|f| f.name().to_string()).unwrap_or_default();
                if hw.has_property("bitrate") {
                    hw.set_property_from_str("bitrate", &settings.video_kbps.to_string());
                }
                match Self::with_video_encoder(feeds, settings, hw, &name) {
                    Ok(e) => return Ok(e),
                    Err(e) => tracing::warn!(encoder = %name, %e, "hardware encoder failed; using x264"),
                }
            }
        }
        Self::with_video_encoder(feeds, settings, x264(&settings, fps)?, "x264enc")
    }

    fn with_video_encoder(
        feeds: &Feeds,
        settings: EncoderSettings,
        encoder: gst::Element,
        codec: &str,
    ) -> Result<Self, EngineError> {
        let mut output = Output::new("encoder");
        let vsrc = output.video_input(feeds)?;
        let convert = make("videoconvert")?;
        let i420 = make("capsfilter")?;
        i420.set_property(
            "caps",
            gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::I420).build(),
        );
        let parse = make("h264parse")?;
        parse.set_property("config-interval", -1i32);
        let avc = make("capsfilter")?;
        avc.set_property(
            "caps",
            gst::Caps::builder("video/x-h264").field("stream-format", "avc").field("alignment", "au").build(),
        );
        let vsink = encoded_sink("h264");

        let asrc = output.audio_input(feeds)?;
        let aconvert = make("audioconvert")?;
        let bits = (settings.audio_kbps.clamp(16, 512) * 1000) as i32;
        let (audio_encoder, audio_parse) = match settings.audio {
            AudioCodec::Aac => {
                let aac = make("avenc_aac")?;
                aac.set_property("bitrate", bits);
                let parse = make("aacparse")?;
                skip_aac_priming(&parse);
                (aac, parse)
            }
            AudioCodec::Opus => {
                let opus = make("opusenc")?;
                opus.set_property("bitrate", bits);
                (opus, make("opusparse")?)
            }
        };
        let asink = encoded_sink("audio");

        // No queue after the appsrcs: each has a thread and a leaky queue of
        // its own, which carries its buffers into the encoder.
        let video: [&gst::Element; 7] = [&vsrc, &convert, &i420, &encoder, &parse, &avc, vsink.upcast_ref()];
        let audio: [&gst::Element; 5] = [&asrc, &aconvert, &audio_encoder, &audio_parse, asink.upcast_ref()];
        output.pipeline.add_many(&video[1..])?;
        output.pipeline.add_many(&audio[1..])?;
        gst::Element::link_many(video)?;
        gst::Element::link_many(audio)?;

        let (vfan, afan) = (Fanout::new(), Fanout::new());
        for (fanout, sink) in [(&vfan, &vsink), (&afan, &asink)] {
            fanout.set_current(1);
            fanout.attach(sink, 1);
        }
        let pace = Arc::new(AtomicU32::new(0));
        keep_pace(&encoder, pace.clone(), feeds.canvas().fps);
        output.log_failures();
        output.start()?;
        tracing::info!(
            codec,
            kbps = settings.video_kbps,
            keyframe_seconds = settings.keyframe_seconds,
            "encoder started"
        );
        Ok(Self {
            _output: output,
            video_encoder: encoder,
            video: vfan,
            audio: afan,
            codec: codec.to_owned(),
            settings,
            strict_users: AtomicUsize::new(0),
            pace,
        })
    }

    /// The keyframe interval it keeps now, in seconds.
    pub fn keyframe_seconds(&self) -> u32 {
        match self.pace.load(Ordering::SeqCst) {
            0 => self.settings.keyframe_seconds,
            paced => paced.min(self.settings.keyframe_seconds),
        }
    }

    /// Whether a shorter keyframe interval is imposed on it now.
    pub fn is_paced(&self) -> bool {
        self.pace.load(Ordering::SeqCst) != 0
    }

    /// Makes it put a keyframe at least every `seconds` (0: its own
    /// interval again), by asking for one when that much time has passed
    /// since the last; the encoder counts its interval from there.
    pub fn set_pace(&self, seconds: u32) {
        self.pace.store(seconds, Ordering::SeqCst);
        tracing::info!(codec = %self.codec, pace = seconds, "encoder keyframe pace");
    }

    /// Asks for a keyframe now, so that an output that just joined (and
    /// waits for one) starts at once instead of at the next scheduled one.
    pub fn request_keyframe(&self) {
        let event = gst_video::UpstreamForceKeyUnitEvent::builder().all_headers(true).build();
        if let Some(pad) = self.video_encoder.static_pad("src") {
            pad.send_event(event);
        }
    }
}

/// Asks `encoder` for a keyframe whenever a picture comes `pace` seconds
/// (less half a picture) after the last keyframe it made, while `pace` is
/// not 0. Its own interval goes on from each keyframe, forced or not.
fn keep_pace(encoder: &gst::Element, pace: Arc<AtomicU32>, fps: u32) {
    let (Some(sink), Some(src)) = (encoder.static_pad("sink"), encoder.static_pad("src")) else { return };
    // The last keyframe's running time (encoders shift their timestamps,
    // not running times), and whether one was asked for since.
    let last: Arc<Mutex<(Option<gst::ClockTime>, bool)>> = Arc::default();
    let seen = last.clone();
    src.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        if let Some(gst::PadProbeData::Buffer(buffer)) = &info.data {
            if !buffer.flags().contains(gst::BufferFlags::DELTA_UNIT) {
                *seen.lock().unwrap_or_else(|e| e.into_inner()) = (running_time_on(pad, buffer), false);
            }
        }
        gst::PadProbeReturn::Ok
    });
    let half_a_picture = gst::ClockTime::SECOND / u64::from(fps.max(1) * 2);
    let src = src.downgrade();
    sink.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        let seconds = pace.load(Ordering::SeqCst);
        let Some(gst::PadProbeData::Buffer(buffer)) = &info.data else { return gst::PadProbeReturn::Ok };
        if seconds == 0 {
            return gst::PadProbeReturn::Ok;
        }
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let running_time = running_time_on(pad, buffer);
        let due = match (last.0, running_time) {
            (Some(key), Some(now)) => {
                now + half_a_picture >= key + gst::ClockTime::from_seconds(seconds.into())
            }
            _ => false,
        };
        if let (true, false, Some(running_time), Some(src)) = (due, last.1, running_time, src.upgrade()) {
            last.1 = true;
            // Timed for this picture: GStreamer's encoders ignore a second
            // untimed request while an earlier one is in their books.
            let event = gst_video::UpstreamForceKeyUnitEvent::builder()
                .running_time(running_time)
                .all_headers(true)
                .build();
            src.send_event(event);
        }
        gst::PadProbeReturn::Ok
    });
}

/// Not async: the pipeline goes to playing at once instead of waiting for
/// both sinks to hold a first buffer, so that the pictures never wait for
/// the sound. With async sinks, the first encoded picture waited in its
/// sink, and every picture after it, until the first sound was encoded.
fn encoded_sink(name: &str) -> AppSink {
    AppSink::builder()
        .name(name)
        .sync(false)
        .async_(false)
        .max_buffers(64)
        .drop(false)
        .enable_last_sample(false)
        .build()
}

/// Links `upstream` to a new pad of `mux` from `template` (the muxers'
/// request pads are typed: a plain link could give sound a video pad).
pub(crate) fn link_to_mux(
    upstream: &gst::Element,
    mux: &gst::Element,
    template: &str,
) -> Result<(), EngineError> {
    let pad = mux
        .request_pad_simple(template)
        .ok_or_else(|| EngineError::Build { what: "muxer".into(), message: format!("no {template} pad") })?;
    let src = upstream
        .static_pad("src")
        .ok_or_else(|| EngineError::Build { what: "muxer".into(), message: "no src pad".into() })?;
    src.link(&pad)
        .map(drop)
        .map_err(|e| EngineError::Build { what: "muxer".into(), message: format!("{e:?}") })
}

/// Checks that `path`'s folder exists and can be written, before a file is opened there.
pub(crate) fn check_writable_folder(path: &Path) -> Result<(), String> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(format!("folder {} does not exist", dir.display()));
    }
    let probe = dir.join(format!(".plateau-write-test-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("folder {} cannot be written: {e}", dir.display())),
    }
}

/// Samples of silence the AAC encoder puts before the sound it is given
/// (libavcodec's `initial_padding`).
const AAC_PRIMING_SAMPLES: u64 = 1024;

/// Moves AAC packets earlier by the encoder's priming, so that the sound
/// they decode to lines up with its picture again. avenc_aac stamps its
/// first packet (priming only) with the time of the first sample, and no
/// container here marks the priming to be skipped: every player heard the
/// sound 21 ms late at 48 kHz. The priming packet itself is dropped.
fn skip_aac_priming(parse: &gst::Element) {
    let Some(pad) = parse.static_pad("src") else { return };
    pad.add_probe(gst::PadProbeType::BUFFER, |pad, info| {
        let rate = pad
            .current_caps()
            .and_then(|c| c.structure(0).and_then(|s| s.get::<i32>("rate").ok()))
            .filter(|r| *r > 0);
        let (Some(rate), Some(gst::PadProbeData::Buffer(buffer))) = (rate, &mut info.data) else {
            return gst::PadProbeReturn::Ok;
        };
        let priming = gst::ClockTime::from_nseconds(
            AAC_PRIMING_SAMPLES * gst::ClockTime::SECOND.nseconds() / rate as u64,
        );
        let Some(pts) = buffer.pts() else { return gst::PadProbeReturn::Ok };
        let Some(moved) = pts.checked_sub(priming) else { return gst::PadProbeReturn::Drop };
        let buffer = buffer.make_mut();
        buffer.set_pts(moved);
        if let Some(dts) = buffer.dts() {
            buffer.set_dts(dts.saturating_sub(priming));
        }
        gst::PadProbeReturn::Ok
    });
}
