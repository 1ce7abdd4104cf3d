//! One pipeline per source, so that a source's failure stays its own.
//!
//! ```text
//!  test pattern  videotestsrc(live) ! I420 caps ! appsink(video)
//!  still pattern videotestsrc(one picture) ! I420 caps ! imagefreeze ! rate caps ! appsink(video, synced)
//!  colour        videotestsrc(one picture, solid) ! I420 caps ! imagefreeze ! rate caps ! appsink(video, synced)
//!  text          videotestsrc(one picture, transparent) ! AYUV caps ! textoverlay ! imagefreeze ! rate caps ! appsink(video, synced)
//!  animated GIF  see `gif`
//!  image         filesrc ! decoder ! videoconvert ! AYUV ! videoflip(upright) ! imagefreeze ! rate caps ! appsink(video)
//!  media         uridecodebin ─┬─ videoconvert ! I420 ! videoflip(upright) ! appsink(video)
//!                              └─ audioconvert ! audioresample ! F32 caps ! appsink(audio)
//!  X11 screen    ximagesrc ! rate caps ! videoconvert ! I420 ! appsink(video)
//!  webcam        v4l2src|pipewiresrc ! chosen caps ! [jpegdec] ! videoconvert ! I420 ! appsink(video)
//!  microphone    device source ! audioconvert ! audioresample ! F32 caps ! appsink(audio)
//!  desktop audio pulsesrc(@DEFAULT_MONITOR@) ! ... ! appsink(audio)
//!  tone          audiotestsrc(live) ! ... ! appsink(audio)
//!  placeholder   videotestsrc(one picture, grey) ! textoverlay("No signal") ! imagefreeze ! rate caps ! appsink(video, synced)
//! ```
//!
//! Pictures with transparency (text, images) leave as AYUV, so that alpha
//! is kept; all others as I420, the format scenes are composed in. Either
//! way the compositor converts nothing.

use std::path::Path;

use gst::prelude::*;
use gst_app::AppSink;

use crate::engine::error::{make, make_named, EngineError};
use crate::engine::sources::devices;
use crate::engine::sources::filters::FilterChain;
use crate::engine::sources::{gif, moving_text, slideshow};
use crate::model::{AudioSettings, FilterKind, Source, SourceKind, TestPattern, TextMotion, VideoSettings};

/// A built, not yet started, source pipeline.
pub(crate) struct Producer {
    pub pipeline: gst::Pipeline,
    pub video: Option<AppSink>,
    pub audio: Option<AppSink>,
    /// For a portal capture: the PipeWire source to point at the granted
    /// stream, and the restore token to ask with. The pipeline starts once
    /// the portal has answered.
    pub portal: Option<(gst::Element, Option<String>)>,
    /// Keeps the portal session open while this pipeline lives.
    pub portal_keeper: Option<crate::engine::sources::portal::Keeper>,
    /// The source's filters on its pictures and on its sound, whose
    /// settings can be changed while it runs.
    pub video_filters: Option<FilterChain>,
    pub audio_filters: Option<FilterChain>,
    /// Whether the picture filters are in the pipeline yet (the first
    /// builder step that can take them does).
    video_filters_placed: bool,
}

/// A `videoflip` that turns pictures upright as their file says (a phone's
/// video or photo taken sideways) and leaves the others alone: it passes
/// them through untouched until a tag asks for a turn. (Set to `auto`
/// from the start, it copied every picture of every file: 1 % of a core
/// for a 720p30 clip. Set to `identity`, GStreamer 1.22's still copies
/// every picture unless told to pass them through: 1.4 % of a media
/// scene's samples for its full-frame clip.)
pub(crate) fn upright() -> Result<gst::Element, EngineError> {
    let flip = make("videoflip")?;
    flip.set_property_from_str("video-direction", "identity");
    let passthrough = |flip: &gst::Element, on: bool| {
        if let Some(transform) = flip.downcast_ref::<gst_base::BaseTransform>() {
            gst_base::prelude::BaseTransformExt::set_passthrough(transform, on);
        }
    };
    passthrough(&flip, true);
    let weak = flip.downgrade();
    let pad = flip.static_pad("sink").expect("videoflip has a sink pad");
    pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
        let Some(gst::PadProbeData::Event(event)) = &info.data else { return gst::PadProbeReturn::Ok };
        let gst::EventView::Tag(tags) = event.view() else { return gst::PadProbeReturn::Ok };
        let turned = tags.tag().get::<gst::tags::ImageOrientation>().is_some_and(|o| o.get() != "rotate-0");
        if let (true, Some(flip)) = (turned, weak.upgrade()) {
            // It reads the tag on its way through, just after this.
            passthrough(&flip, false);
            flip.set_property_from_str("video-direction", "auto");
        }
        gst::PadProbeReturn::Ok
    });
    Ok(flip)
}

/// The formats every producer hands over.
pub(crate) struct Formats {
    pub canvas: VideoSettings,
    pub audio: AudioSettings,
    /// A clock time on the program's frame grid (its base time): program
    /// frames are made at this time plus whole frame durations.
    pub frame_origin: gst::ClockTime,
}

/// The rate of pictures that only change when edited: an edit shows within
/// a tenth of a second, and the compositor holds each picture meanwhile.
const STILL_FPS: u32 = 10;

/// The colorimetry of every picture in the program (HD television's).
pub(crate) const CANVAS_COLORIMETRY: &str = "bt709";
/// Where chroma samples sit in AYUV: all of them, as it has one per pixel.
pub(crate) const CANVAS_CHROMA_SITE: &str = "jpeg";
/// Where chroma samples sit in I420: as H.264 and MPEG-2 have them.
const PROGRAM_CHROMA_SITE: &str = "mpeg2";

impl Formats {
    /// The first clock time on the program's frame grid at or after `at`.
    /// A media file started there has its frames fall exactly on program
    /// frames, instead of up to a frame early (the compositor takes the
    /// picture that starts within each frame it makes), which put its sound
    /// out of step with its picture by a random 0-33 ms at every start.
    pub fn on_frame_grid(&self, at: gst::ClockTime) -> gst::ClockTime {
        let origin = self.frame_origin.nseconds();
        let at = at.nseconds();
        if at <= origin {
            return gst::ClockTime::from_nseconds(origin);
        }
        // Frame times are rounded the way the compositor rounds them.
        let fps = u64::from(self.canvas.fps.max(1));
        let frames = ((at - origin) * fps).div_ceil(gst::ClockTime::SECOND.nseconds());
        gst::ClockTime::from_nseconds(origin + frames * gst::ClockTime::SECOND.nseconds() / fps)
    }

    /// Pictures in the compositors' own formats, colorimetry and chroma
    /// siting: a picture that differs in any of them would be converted by
    /// the compositor again for every program frame, rather than once by
    /// its producer. Pictures with transparency (`alpha`) are AYUV; opaque
    /// ones are I420, the format slots compose and encoders take.
    pub fn video_caps(&self, alpha: bool, size: Option<(u32, u32)>) -> gst::Caps {
        let mut b = if alpha {
            gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::Ayuv)
                .field("colorimetry", CANVAS_COLORIMETRY)
                .field("chroma-site", CANVAS_CHROMA_SITE)
        } else {
            gst_video::VideoCapsBuilder::new()
                .format(gst_video::VideoFormat::I420)
                .field("colorimetry", CANVAS_COLORIMETRY)
                .field("chroma-site", PROGRAM_CHROMA_SITE)
        };
        if let Some((w, h)) = size {
            b = b.width(w as i32).height(h as i32);
        }
        b.build()
    }

    /// The finished program: opaque, so in the encoders' own 4:2:0 format.
    pub fn program_caps(&self) -> gst::Caps {
        self.video_caps_with_rate(false, Some((self.canvas.width, self.canvas.height)))
    }

    pub fn video_caps_with_rate(&self, alpha: bool, size: Option<(u32, u32)>) -> gst::Caps {
        self.video_caps_at(alpha, size, self.canvas.fps)
    }

    fn still_caps(&self, alpha: bool, size: Option<(u32, u32)>) -> gst::Caps {
        self.video_caps_at(alpha, size, STILL_FPS.min(self.canvas.fps))
    }

    fn video_caps_at(&self, alpha: bool, size: Option<(u32, u32)>, fps: u32) -> gst::Caps {
        let mut caps = self.video_caps(alpha, size);
        caps.make_mut().set("framerate", gst::Fraction::new(fps as i32, 1));
        caps
    }

    pub fn audio_caps(&self) -> gst::Caps {
        gst_audio_caps(self.audio.sample_rate, self.audio.channels)
    }
}

pub(crate) fn gst_audio_caps(rate: u32, channels: u32) -> gst::Caps {
    gst::Caps::builder("audio/x-raw")
        .field("format", "F32LE")
        .field("layout", "interleaved")
        .field("rate", rate as i32)
        .field("channels", channels as i32)
        .build()
}

impl Producer {
    fn new(name: &str) -> Self {
        let pipeline = gst::Pipeline::with_name(name);
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        Self {
            pipeline,
            video: None,
            audio: None,
            portal: None,
            portal_keeper: None,
            video_filters: None,
            audio_filters: None,
            video_filters_placed: false,
        }
    }

    /// Builds the pipeline of `source`. Nothing is started; problems found
    /// now (a missing file, a missing plugin, no such device) are errors.
    /// Generated pictures are made at `size` (the largest item showing
    /// them), so that nothing is drawn only to be scaled down. An image
    /// keeps its alpha when `transparent` (else it is handed over in I420).
    pub fn build(
        source: &Source,
        formats: &Formats,
        size: (u32, u32),
        transparent: bool,
    ) -> Result<Self, EngineError> {
        let mut p = Producer::new(&format!("source-{}", source.id));
        let chain = |audio: bool| -> Result<Option<FilterChain>, EngineError> {
            let filters: Vec<_> = source.active_filters(audio).collect();
            (!filters.is_empty()).then(|| FilterChain::build(&filters, audio)).transpose()
        };
        p.video_filters = chain(false)?;
        p.audio_filters = chain(true)?;
        let canvas = (size.0.max(1), size.1.max(1));
        // A chat is drawn as a text (the supervisor gives it its messages).
        let drawn = source.kind.chat_as_text(&[]);
        match drawn.as_ref().unwrap_or(&source.kind) {
            SourceKind::TestPattern { pattern } => {
                let src = make("videotestsrc")?;
                src.set_property_from_str("pattern", pattern_nick(*pattern));
                if pattern.is_still() {
                    p.frozen_chain(src, &[], formats, canvas, transparent)?;
                } else {
                    src.set_property("is-live", true);
                    p.video_chain(src, formats.video_caps_with_rate(transparent, Some(canvas)), &[], true)?;
                }
            }
            SourceKind::Color { color } => {
                let src = solid(color.argb())?;
                p.frozen_chain(src, &[], formats, canvas, transparent)?;
            }
            SourceKind::Text { text, font, size, color, outline, shadow, width, height, motion } => {
                let src = solid(0)?;
                let overlay = make("textoverlay")?;
                overlay.set_property("text", text);
                overlay.set_property("font-desc", format!("{font} {size}px"));
                overlay.set_property("color", color.argb());
                overlay.set_property("draw-outline", *outline);
                overlay.set_property("draw-shadow", *shadow);
                overlay.set_property("auto-resize", false);
                overlay.set_property_from_str("valignment", "center");
                overlay.set_property_from_str("halignment", "center");
                overlay.set_property_from_str("wrap-mode", "wordchar");
                let size = (*width.max(&1), *height.max(&1));
                if motion.is_still() {
                    p.frozen_chain(src, std::slice::from_ref(&overlay), formats, size, true)?;
                } else {
                    // Drawn again for every frame: a ticker moves at the
                    // canvas's rate, the others change at most ten times a second.
                    moving_text::drive(&overlay, motion, text, size.0)?;
                    src.set_property("is-live", true);
                    let caps = match motion {
                        TextMotion::Ticker { .. } => formats.video_caps_with_rate(true, Some(size)),
                        _ => formats.still_caps(true, Some(size)),
                    };
                    p.video_chain(src, caps, std::slice::from_ref(&overlay), true)?;
                }
            }
            SourceKind::Image { path } => {
                check_file(path)?;
                if let Some(animation) = gif::Animation::load(path)? {
                    let convert = make("videoconvert")?;
                    let src = animation.source(formats.canvas.fps)?;
                    p.video_chain(src, formats.video_caps(transparent, None), &[convert], false)?;
                    if let Some(sink) = &p.video {
                        sink.set_sync(true);
                    }
                    return Ok(p);
                }
                let src = make("filesrc")?;
                src.set_property("location", path);
                let mut chain = image_decoder(path)?;
                chain.extend(p.decoded_video_chain(formats, true, transparent)?);
                p.video_chain(src, formats.video_caps(transparent, None), &chain, false)?;
                // Still pictures are paced by the clock like any file.
                if let Some(sink) = &p.video {
                    sink.set_sync(true);
                }
            }
            SourceKind::Slideshow { folder, files, seconds, order, fade_ms, width, height } => {
                let slides = slideshow::Slides {
                    folder: folder.clone(),
                    files: files.clone(),
                    seconds: *seconds,
                    order: *order,
                    fade: std::time::Duration::from_millis(u64::from(*fade_ms)),
                    size: ((*width).max(16), (*height).max(16)),
                };
                if let Some(folder) = folder.as_deref().filter(|f| !f.is_dir()) {
                    return Err(EngineError::Invalid(format!("{}: no such folder", folder.display())));
                }
                // A fade is drawn at the canvas's rate; cuts need no more than a still's.
                let fps = if *fade_ms > 0 { formats.canvas.fps } else { STILL_FPS.min(formats.canvas.fps) };
                let src = slideshow::source(slides, fps)?;
                let convert = make("videoconvert")?;
                p.video_chain(src, formats.video_caps(transparent, None), &[convert], false)?;
                if let Some(sink) = &p.video {
                    sink.set_sync(true);
                }
            }
            SourceKind::Media { path, .. } => {
                check_file(path)?;
                let decode = make("uridecodebin")?;
                let uri = glib::filename_to_uri(path, None)
                    .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))?;
                decode.set_property("uri", uri.as_str());
                p.pipeline.add(&decode)?;
                let vsink = appsink("video", true);
                let asink = appsink("audio", true);
                let video = p.decoded_video_chain(formats, false, transparent)?;
                let audio = p.audio_chain(formats)?;
                p.video = Some(vsink.clone());
                p.audio = Some(asink.clone());
                p.link_decoded(&decode, Some(video), Some(audio), vsink, Some(asink));
            }
            SourceKind::ScreenX11 { display, region, show_pointer } => {
                let src = make("ximagesrc")?;
                if let Some(display) = display {
                    src.set_property("display-name", display);
                }
                if let Some(r) = region {
                    src.set_property("startx", r.x);
                    src.set_property("starty", r.y);
                    src.set_property("endx", r.x + r.width.max(1) - 1);
                    src.set_property("endy", r.y + r.height.max(1) - 1);
                }
                src.set_property("show-pointer", *show_pointer);
                src.set_property("use-damage", false);
                let rate = gst::Caps::builder("video/x-raw")
                    .field("framerate", gst::Fraction::new(formats.canvas.fps as i32, 1))
                    .build();
                let rate = capsfilter(&rate)?;
                let convert = make("videoconvert")?;
                p.video_chain(src, formats.video_caps(transparent, None), &[rate, convert], false)?;
            }
            SourceKind::ScreenPortal { restore_token } => {
                let src = make("pipewiresrc")?;
                src.set_property("always-copy", true);
                let convert = make("videoconvert")?;
                p.video_chain(src.clone(), formats.video_caps(transparent, None), &[convert], false)?;
                p.portal = Some((src, restore_token.clone()));
            }
            SourceKind::Webcam { device, width, height, fps } => {
                let cam = devices::open_camera(device.as_deref(), *width, *height, *fps)?;
                let mut chain = vec![capsfilter(&cam.caps)?];
                if cam.caps.structure(0).is_some_and(|s| s.name() == "image/jpeg") {
                    chain.push(make("jpegdec")?);
                }
                chain.push(make("videoconvert")?);
                p.video_chain(cam.element, formats.video_caps(transparent, None), &chain, false)?;
            }
            SourceKind::AudioInput { device } => {
                let src = devices::open_microphone(device.as_deref())?;
                p.audio_only(src, formats)?;
            }
            SourceKind::DesktopAudio => {
                let src = make("pulsesrc")?;
                src.set_property("device", "@DEFAULT_MONITOR@");
                p.audio_only(src, formats)?;
            }
            // Never here: `chat_as_text` drew it as a text above.
            SourceKind::Chat { .. } => return Err(EngineError::Invalid("a chat is drawn as a text".into())),
            SourceKind::Tone { frequency } => {
                let src = make("audiotestsrc")?;
                src.set_property("is-live", true);
                src.set_property("freq", *frequency);
                src.set_property("volume", 0.2f64);
                p.audio_only(src, formats)?;
            }
        }
        // A delay holds buffers back until their later time: only a sink
        // that waits for each buffer's time hands them on then.
        let delayed = |audio| {
            source
                .active_filters(audio)
                .any(|f| matches!(f, FilterKind::RenderDelay { .. } | FilterKind::SyncOffset { .. }))
        };
        for (sink, audio) in [(&p.video, false), (&p.audio, true)] {
            if let (Some(sink), true) = (sink, delayed(audio)) {
                sink.set_sync(true);
            }
        }
        Ok(p)
    }

    /// The "no signal" picture shown in place of a failed source.
    pub fn placeholder(name: &str, formats: &Formats) -> Result<Self, EngineError> {
        let mut p = Producer::new("placeholder");
        let src = solid(0xff30_3030)?;
        let overlay = make("textoverlay")?;
        overlay.set_property("text", format!("No signal\n{name}"));
        overlay.set_property("font-desc", "Sans Bold 28px");
        overlay.set_property_from_str("valignment", "center");
        overlay.set_property_from_str("halignment", "center");
        overlay.set_property("auto-resize", false);
        p.frozen_chain(src, &[overlay], formats, (640, 360), false)?;
        Ok(p)
    }

    /// `src ! chain… ! caps ! appsink(video)`, all static.
    fn video_chain(
        &mut self,
        src: gst::Element,
        caps: gst::Caps,
        after_caps: &[gst::Element],
        live_generated: bool,
    ) -> Result<(), EngineError> {
        let sink = appsink("video", false);
        let filter = capsfilter(&caps)?;
        // Generated pictures are made at the caps; captured ones are
        // converted first, so the caps go last.
        let filters = self.take_video_filters(any_size(&caps))?;
        let mut elements = vec![src];
        if live_generated {
            elements.push(filter);
            elements.extend(after_caps.iter().cloned());
            elements.extend(filters);
        } else {
            elements.extend(after_caps.iter().cloned());
            elements.extend(filters);
            elements.push(filter);
        }
        elements.push(sink.clone().upcast());
        self.pipeline.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        self.video = Some(sink);
        Ok(())
    }

    /// A picture drawn once by `src` and handed on again and again, paced
    /// by the clock, like an image file: nothing is drawn or copied per frame.
    /// `drawn` elements (a text renderer) work on that one picture only.
    fn frozen_chain(
        &mut self,
        src: gst::Element,
        drawn: &[gst::Element],
        formats: &Formats,
        size: (u32, u32),
        alpha: bool,
    ) -> Result<(), EngineError> {
        src.set_property("num-buffers", 1i32);
        let mut after = drawn.to_vec();
        after.extend(self.freeze(formats, alpha)?);
        self.video_chain(src, formats.still_caps(alpha, Some(size)), &after, true)?;
        if let Some(sink) = &self.video {
            sink.set_sync(true);
        }
        Ok(())
    }

    fn audio_only(&mut self, src: gst::Element, formats: &Formats) -> Result<(), EngineError> {
        let sink = appsink("audio", false);
        let mut elements = vec![src];
        elements.extend(self.audio_chain(formats)?);
        elements.push(sink.clone().upcast());
        self.pipeline.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        self.audio = Some(sink);
        Ok(())
    }

    /// The conversion after a decoder; images are frozen into a stream.
    /// The conversion after a decoder (to AYUV when `alpha`); a `still`
    /// picture is frozen into a stream.
    fn decoded_video_chain(
        &mut self,
        formats: &Formats,
        still: bool,
        alpha: bool,
    ) -> Result<Vec<gst::Element>, EngineError> {
        let upright = upright()?;
        // After the conversion: videoflip takes 8-bit formats only (a 16-bit PNG would not negotiate).
        let mut chain = vec![make("videoconvert")?, capsfilter(&formats.video_caps(alpha, None))?, upright];
        if still {
            chain.extend(self.freeze(formats, alpha)?);
        } else {
            chain.extend(self.take_video_filters(formats.video_caps(alpha, None))?);
        }
        Ok(chain)
    }

    /// A still picture frozen into a stream, with its filters: they work
    /// on the one picture before it is frozen, at a still's low rate;
    /// filters that move (a scroll) work on every picture after, at the
    /// canvas's rate.
    fn freeze(&mut self, formats: &Formats, alpha: bool) -> Result<Vec<gst::Element>, EngineError> {
        let moving = self.video_filters.as_ref().is_some_and(|f| f.moves());
        let fps = if moving { formats.canvas.fps } else { STILL_FPS.min(formats.canvas.fps) };
        let rate =
            gst::Caps::builder("video/x-raw").field("framerate", gst::Fraction::new(fps as i32, 1)).build();
        let frozen = [make("imagefreeze")?, capsfilter(&rate)?];
        let filters = self.take_video_filters(formats.video_caps(alpha, None))?;
        Ok(if moving {
            frozen.into_iter().chain(filters).collect()
        } else {
            filters.into_iter().chain(frozen).collect()
        })
    }

    /// The picture filters and a return to the source's `format` (at any
    /// size: a rotation turns it), the first time it is asked; nothing after.
    fn take_video_filters(&mut self, format: gst::Caps) -> Result<Vec<gst::Element>, EngineError> {
        match (&self.video_filters, self.video_filters_placed) {
            (Some(chain), false) => {
                self.video_filters_placed = true;
                let mut elements = chain.elements().to_vec();
                elements.push(capsfilter(&format)?);
                Ok(elements)
            }
            _ => Ok(Vec::new()),
        }
    }

    /// Sound to the mixer's format, through the source's sound filters.
    fn audio_chain(&self, formats: &Formats) -> Result<Vec<gst::Element>, EngineError> {
        let caps = formats.audio_caps();
        let mut chain = vec![make("audioconvert")?, make("audioresample")?, capsfilter(&caps)?];
        if let Some(filters) = &self.audio_filters {
            chain.extend(filters.elements().iter().cloned());
            chain.push(capsfilter(&caps)?);
        }
        Ok(chain)
    }

    /// Adds each branch when the decoder finds a stream of its type, so that
    /// a file without sound does not wait for sound forever.
    fn link_decoded(
        &self,
        decode: &gst::Element,
        video: Option<Vec<gst::Element>>,
        audio: Option<Vec<gst::Element>>,
        video_sink: AppSink,
        audio_sink: Option<AppSink>,
    ) {
        let pipeline = self.pipeline.downgrade();
        let branches = std::sync::Mutex::new((
            video.map(|c| (c, video_sink)),
            audio.and_then(|c| audio_sink.map(|s| (c, s))),
        ));
        decode.connect_pad_added(move |_, pad| {
            let Some(pipeline) = pipeline.upgrade() else { return };
            let Some(caps) = pad.current_caps().or_else(|| Some(pad.query_caps(None))) else { return };
            let Some(kind) = caps.structure(0).map(|s| s.name().to_string()) else { return };
            let mut branches = branches.lock().unwrap_or_else(|e| e.into_inner());
            let branch = if kind.starts_with("video/") {
                branches.0.take()
            } else if kind.starts_with("audio/") {
                branches.1.take()
            } else {
                None
            };
            let Some((chain, sink)) = branch else { return };
            let mut elements = chain;
            elements.push(sink.upcast());
            let linked = pipeline
                .add_many(&elements)
                .and_then(|_| gst::Element::link_many(&elements))
                .and_then(|_| {
                    let first =
                        elements[0].static_pad("sink").ok_or_else(|| glib::bool_error!("no sink pad"))?;
                    pad.link(&first).map(|_| ()).map_err(|e| glib::bool_error!("{e:?}"))
                });
            if let Err(e) = linked {
                tracing::warn!(%e, "could not link a decoded stream");
                return;
            }
            for e in &elements {
                let _ = e.sync_state_with_parent();
            }
        });
    }
}

/// The PNG colour type of pictures with three colours and no alpha.
const PNG_RGB: u8 = 2;

/// The decoder for a still picture, chosen from its first bytes, so that the
/// pipeline is built whole before it starts (no dynamic pads to race with).
fn image_decoder(path: &Path) -> Result<Vec<gst::Element>, EngineError> {
    use std::io::Read;
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))?;
    let head = &head[..n];
    let text = String::from_utf8_lossy(head);
    if head.starts_with(b"\x89PNG") {
        // pngdec (GStreamer 1.22) hands 16-bit RGB pictures over as ARGB64
        // with their bytes in another order: the colours come out wrong (a
        // red picture shows yellow). gdk-pixbuf reads them right.
        let (bit_depth, colour_type) = (head.get(24), head.get(25));
        if bit_depth == Some(&16) && colour_type == Some(&PNG_RGB) {
            Ok(vec![make("gdkpixbufdec")?])
        } else {
            Ok(vec![make("pngdec")?])
        }
    } else if head.starts_with(&[0xff, 0xd8, 0xff]) {
        Ok(vec![make("jpegparse")?, make("jpegdec")?])
    } else if text.contains("<svg") || text.trim_start().starts_with("<?xml") {
        Ok(vec![make("rsvgdec")?])
    } else {
        Err(EngineError::Invalid(format!("{} is not a PNG, JPEG or SVG picture", path.display())))
    }
}

fn check_file(path: &Path) -> Result<(), EngineError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(EngineError::Invalid(format!("{} is not a file", path.display()))),
        Err(e) => Err(EngineError::Invalid(format!("{}: {e}", path.display()))),
    }
}

fn appsink(name: &str, sync: bool) -> AppSink {
    AppSink::builder().name(name).sync(sync).max_buffers(2).drop(false).enable_last_sample(false).build()
}

fn capsfilter(caps: &gst::Caps) -> Result<gst::Element, EngineError> {
    let f = make("capsfilter")?;
    f.set_property("caps", caps);
    Ok(f)
}

fn solid(argb: u32) -> Result<gst::Element, EngineError> {
    let src = make_named("videotestsrc", "solid")?;
    src.set_property_from_str("pattern", "solid-color");
    src.set_property("foreground-color", argb);
    Ok(src)
}

/// `caps` without a size or a rate.
fn any_size(caps: &gst::Caps) -> gst::Caps {
    let mut caps = caps.clone();
    if let Some(s) = caps.make_mut().structure_mut(0) {
        s.remove_fields(["width", "height", "framerate"]);
    }
    caps
}

fn pattern_nick(p: TestPattern) -> &'static str {
    match p {
        TestPattern::Smpte => "smpte",
        TestPattern::Ball => "ball",
        TestPattern::Checkers => "checkers-8",
        TestPattern::Snow => "snow",
        TestPattern::Gradient => "gradient",
        TestPattern::Circular => "circular",
        TestPattern::Bars => "smpte100",
    }
}

impl Drop for Producer {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
