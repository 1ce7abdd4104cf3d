//! The program pipeline: two scene slots blended by a transition mixer,
//! and the audio mix.
//!
//! ```text
//!  layer: appsrc ! videocrop ─────────┐
//!  layer: appsrc ! videocrop ─────────┼─ compositor(slot 0) ! I420|AYUV ! videoconvert ! I420 ─┐
//!                                      └─ compositor(slot 1) ! I420|AYUV ! videoconvert ! I420 ─┴─ compositor(mixer) ! I420 ! appsink(program video)
//!  overlay: appsrc ! videocrop ! videoconvert ! videoscale ! AYUV ! appsink ─> blended by a probe on its slot's I420 output
//!  luma wipe: a probe on the mixer's output mixes in the incoming slot's picture by a mask (see luma_wipe)
//!  stinger: its pictures blended over the mixer's output by the overlays' probe (see stinger)
//!                                      (a probe after that one feeds the studio-mode preview fanout)
//!
//!  channel: appsrc ! volume ! level ─┬─ audiomixer ! caps ! level(program) ! appsink(program audio)
//!  channel: appsrc ! volume ! level ─┘
//! ```
//!
//! A slot composes one scene over opaque black; the mixer shows the active
//! slot and, during a transition, blends or slides the incoming one over it,
//! so a fade is a true mix of two finished pictures. A slot exists only
//! while it holds a scene (slot 1 mostly during transitions and in studio
//! mode), so no empty picture is painted and converted every frame. Slot
//! pictures are opaque, so the mixer works in I420, the encoders' format:
//! it copies a picture of 1.5 bytes a pixel rather than 4, never paints a
//! background under a full-frame slot, and the encoder needs no conversion
//! of its own. A slot composes its opaque layers in I420 too (their sources
//! make I420), and the layers with transparency above the topmost opaque
//! one are blended over that picture as overlays ([`crate::engine::program::overlay`]); only
//! while a layer with transparency lies under an opaque one does the slot
//! compose in AYUV and convert its picture. Every aggregator is
//! forced live, so the program runs at the canvas rate whatever its inputs do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use gst::prelude::*;
use gst_app::AppSink;

use super::crop::LayerCrop;
use super::luma_wipe::Wipe;
use crate::engine::error::{make, make_named, EngineError};
use crate::engine::fanout::{running_time_on, Consumer, Fanout};
use crate::engine::program::overlay::{Overlay, Picture, Placement, Planes};
use crate::engine::sources::producer::{gst_audio_caps, Formats};
use crate::model::{SceneItem, SourceId};

/// How far an input's sound may stray from its timestamps before the
/// mixer puts it back in its place (less than a third of a frame at 30 fps).
const ALIGNMENT_THRESHOLD: gst::ClockTime = gst::ClockTime::from_mseconds(10);

/// How much sound the mix puts in each buffer. Every buffer crosses
/// several threads on its way to the encoders and the monitor, so the
/// default 10 ms made the sound the chattiest part of a running show
/// (about half the thread switches of a media scene).
const AUDIO_BUFFER: gst::ClockTime = gst::ClockTime::from_mseconds(20);

/// Latency allowed to every input: long enough for a buffer handed over
/// from a source pipeline to arrive before its frame is composed.
pub(crate) const INPUT_LATENCY: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// The overlays of one slot, blended in the order of their z-order.
pub(crate) type Overlays = Arc<std::sync::Mutex<Vec<Arc<Overlay>>>>;

/// A scene slot: `compositor ! I420|AYUV ! videoconvert ! I420`
/// into its own pad of the mixer, with its overlays blended on the way out.
/// It exists only while it holds a scene.
pub(crate) struct Slot {
    pub compositor: gst::Element,
    pub mixer_pad: gst::Pad,
    /// The caps of the compositor's output.
    composed: gst::Element,
    overlays: Overlays,
    elements: Vec<gst::Element>,
}

pub(crate) struct Program {
    pub pipeline: gst::Pipeline,
    pub slots: [Option<Slot>; 2],
    mixer: gst::Element,
    slot_caps: gst::Caps,
    program_caps: gst::Caps,
    pub audiomixer: gst::Element,
    pub video: Arc<Fanout>,
    pub audio: Arc<Fanout>,
    /// One slot's composed scene, for studio mode's preview.
    pub preview: Arc<Fanout>,
    /// The luma wipe drawn on the mixer's output, while one runs.
    pub wipe: Wipe,
    /// Pictures blended over the mixer's output (a stinger's).
    pub mixer_overlays: Overlays,
    pub frames: Arc<AtomicU64>,
    /// Buffers of the program's sound so far.
    pub sound_buffers: Arc<AtomicU64>,
    /// Frames missing from the program's timeline (steps between
    /// consecutive pictures longer than one frame).
    pub dropped: Arc<AtomicU64>,
}

fn aggregator(factory: &str, name: &str) -> Result<gst::Element, EngineError> {
    gst::ElementFactory::make(factory)
        .name(name)
        .property("force-live", true)
        .property("min-upstream-latency", INPUT_LATENCY.nseconds())
        .build()
        .map_err(|_| EngineError::MissingElement(factory.to_owned()))
}

fn capsfilter(caps: gst::Caps) -> Result<gst::Element, EngineError> {
    let f = make("capsfilter")?;
    f.set_property("caps", caps);
    Ok(f)
}

/// Gives `pipeline` and every element in it their base time (now) before
/// the pipeline first plays, and keeps it there (no start time: for a
/// pipeline that never pauses, like the program, the monitor and the
/// outputs).
///
/// On its way to PLAYING a pipeline hands its clock to every element at
/// once, but each element its base time only when the state change reaches
/// it. A live aggregator (the mixers) whose thread already runs and reads
/// the clock in between takes base time 0 for its origin, finds every
/// moment long past and makes sound as fast as it can until its base time
/// comes. Seen in CI (once in about 240 runs): the program's mix 17 s ahead
/// of the clock within half a second (926 buffers of 20 ms), so it had no
/// sound for 17 s and the recording or stream started meanwhile none at all.
pub(crate) fn pin_base_time(pipeline: &gst::Pipeline) {
    // The clock it will play on (the system clock for all of Plateau's).
    let base = pipeline.pipeline_clock().time();
    pipeline.set_start_time(gst::ClockTime::NONE);
    pipeline.set_base_time(base);
    for element in pipeline.iterate_recurse().into_iter().flatten() {
        element.set_base_time(base);
    }
}

/// Adds 100 live branches to `pipeline`, so that going to PLAYING takes
/// long (what made a live mixer read the clock before its base time).
#[cfg(test)]
pub(crate) fn slow_to_play(pipeline: &gst::Pipeline) {
    for n in 0..100 {
        let source = gst::ElementFactory::make("videotestsrc").name(format!("busy{n}")).build().unwrap();
        source.set_property("is-live", true);
        let sink = gst::ElementFactory::make("fakesink").property("async", false).build().unwrap();
        pipeline.add_many([&source, &sink]).unwrap();
        source.link(&sink).unwrap();
    }
}

fn program_sink(name: &str) -> AppSink {
    AppSink::builder().name(name).sync(false).max_buffers(4).drop(true).enable_last_sample(false).build()
}

impl Program {
    pub fn build(formats: &Formats) -> Result<Self, EngineError> {
        let pipeline = gst::Pipeline::with_name("program");
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        let canvas = (formats.canvas.width, formats.canvas.height);
        let canvas_caps = formats.video_caps_with_rate(true, Some(canvas));

        let mixer = aggregator("compositor", "mixer")?;
        mixer.set_property_from_str("background", "black");
        let mixer_caps = capsfilter(formats.program_caps())?;
        let video_sink = program_sink("program-video");
        pipeline.add_many([&mixer, &mixer_caps, video_sink.upcast_ref()])?;
        gst::Element::link_many([&mixer, &mixer_caps, video_sink.upcast_ref()])?;
        let wipe = Wipe::default();
        let mixer_overlays = Overlays::default();
        if let (Some(out), Ok(info)) =
            (mixer_caps.static_pad("src"), gst_video::VideoInfo::from_caps(&formats.program_caps()))
        {
            wipe.draw_on(&out, info);
            blend_overlays(&out, mixer_overlays.clone(), &formats.program_caps());
        }

        let preview = Fanout::new();

        let audiomixer = aggregator("audiomixer", "audiomixer")?;
        // Each input's sound is placed at its own timestamps. By default a
        // jump of up to 40 ms (a looping clip starting over, a source coming
        // back) is ignored and the sound simply follows on, so it drifted
        // from its picture by a few ms at every loop.
        audiomixer.set_property("alignment-threshold", ALIGNMENT_THRESHOLD.nseconds());
        audiomixer.set_property("discont-wait", 0u64);
        audiomixer.set_property("output-buffer-duration", AUDIO_BUFFER.nseconds());
        let audio_caps = capsfilter(formats.audio_caps())?;
        let level = make_named("level", "level-program")?;
        level.set_property("interval", 100_000_000u64);
        let audio_sink = program_sink("program-audio");
        pipeline.add_many([&audiomixer, &audio_caps, &level, audio_sink.upcast_ref()])?;
        gst::Element::link_many([&audiomixer, &audio_caps, &level, audio_sink.upcast_ref()])?;

        let video = Fanout::new();
        let audio = Fanout::new();
        for (fanout, sink) in [(&video, &video_sink), (&audio, &audio_sink)] {
            fanout.set_current(1);
            fanout.attach(sink, 1);
        }

        let sound_buffers = count_buffers(&audio_sink.static_pad("sink").expect("appsink has a sink pad"));
        let frames = Arc::new(AtomicU64::new(0));
        let dropped = Arc::new(AtomicU64::new(0));
        let (counter, missing) = (frames.clone(), dropped.clone());
        let gaps = std::sync::Mutex::new(FrameGaps::new(formats.canvas.fps));
        video_sink.static_pad("sink").expect("appsink has a sink pad").add_probe(
            gst::PadProbeType::BUFFER,
            move |_, info| {
                counter.fetch_add(1, Ordering::Relaxed);
                if let Some(pts) = info.buffer().and_then(|b| b.pts()) {
                    let mut gaps = gaps.lock().unwrap_or_else(|e| e.into_inner());
                    missing.fetch_add(gaps.record(pts.nseconds()), Ordering::Relaxed);
                }
                gst::PadProbeReturn::Ok
            },
        );

        let mut program = Self {
            pipeline,
            slots: [None, None],
            mixer,
            slot_caps: canvas_caps,
            program_caps: formats.program_caps(),
            audiomixer,
            video,
            audio,
            preview,
            wipe,
            mixer_overlays,
            frames,
            sound_buffers,
            dropped,
        };
        // The first slot is there before the program starts, so that the
        // mixer's latency allows for a slot's.
        program.open_slot(0)?;
        Ok(program)
    }

    /// Makes slot `index` ready to compose a scene (hidden on the mixer).
    /// It starts with its first picture, so an empty scene costs nothing.
    pub fn open_slot(&mut self, index: usize) -> Result<(), EngineError> {
        if self.slots[index].is_none() {
            self.slots[index] = Some(self.build_slot(index)?);
        }
        Ok(())
    }

    fn build_slot(&self, index: usize) -> Result<Slot, EngineError> {
        let compositor = aggregator("compositor", &format!("slot{index}"))?;
        compositor.set_property_from_str("background", "black");
        compositor.set_property_from_str("start-time-selection", "first");
        let composed = capsfilter(self.program_caps.clone())?;
        let finished = capsfilter(self.program_caps.clone())?;
        let elements = vec![compositor.clone(), composed.clone(), make("videoconvert")?, finished.clone()];
        self.pipeline.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        let out = finished.static_pad("src").expect("capsfilter has a src pad");
        let overlays = Overlays::default();
        blend_overlays(&out, overlays.clone(), &self.program_caps);
        // Generation n + 1 is slot n: the supervisor points the preview at a slot.
        self.preview.watch(&out, index as u64 + 1);
        let mixer_pad = self
            .mixer
            .request_pad_simple("sink_%u")
            .ok_or_else(|| EngineError::Build { what: "mixer".into(), message: "no pad".into() })?;
        let last = elements.last().expect("a slot has elements");
        last.static_pad("src")
            .expect("capsfilter has a src pad")
            .link(&mixer_pad)
            .map_err(|e| EngineError::Build { what: "mixer".into(), message: format!("{e:?}") })?;
        mixer_pad.set_property("zorder", index as u32);
        mixer_pad.set_property("alpha", 0.0f64);
        mixer_pad.set_property_from_str("operator", "over");
        for e in &elements {
            e.sync_state_with_parent()?;
        }
        tracing::debug!(slot = index, "slot opened");
        Ok(Slot { compositor, mixer_pad, composed, overlays, elements })
    }

    /// Has slot `index` compose in AYUV (`with_alpha`: a layer with
    /// transparency lies under an opaque one) or in I420; the compositor
    /// changes its output at its next picture.
    pub fn compose_alpha(&self, index: usize, with_alpha: bool) {
        let Some(slot) = &self.slots[index] else { return };
        let caps = if with_alpha { &self.slot_caps } else { &self.program_caps };
        if slot.composed.property::<gst::Caps>("caps") != *caps {
            tracing::debug!(slot = index, with_alpha, "slot composes in a new format");
            slot.composed.set_property("caps", caps);
        }
    }

    /// Takes slot `index` out of the program once it holds no scene.
    pub fn close_slot(&mut self, index: usize) {
        if let Some(slot) = self.slots[index].take() {
            remove_branch(self, &slot.elements, Some(&slot.mixer_pad));
            tracing::debug!(slot = index, "slot closed");
        }
    }

    /// Shows slot `index` alone on the program (its picture copied, not blended).
    pub fn show_slot(&self, index: usize) {
        if let Some(slot) = &self.slots[index] {
            slot.mixer_pad.set_property("alpha", 1.0f64);
            slot.mixer_pad.set_property("xpos", 0i32);
            slot.mixer_pad.set_property_from_str("operator", "source");
        }
    }

    /// Shows an opaque black canvas on the studio-mode preview: the picture
    /// of a slot whose scene has nothing in it (that slot never composes).
    pub fn preview_black(&self) {
        let Ok(info) = gst_video::VideoInfo::from_caps(&self.slot_caps) else { return };
        // AYUV: opaque, video black, neutral chroma.
        let black = [255u8, 16, 128, 128].repeat(info.size() / 4);
        self.preview.push_now(&gst::Buffer::from_mut_slice(black), &self.slot_caps);
    }

    /// The mixer pad of slot `index`, while it is open.
    pub fn mixer_pad(&self, index: usize) -> Option<&gst::Pad> {
        self.slots[index].as_ref().map(|s| &s.mixer_pad)
    }

    /// The program's running time now.
    pub fn running_time(&self) -> gst::ClockTime {
        let now = self.pipeline.clock().map(|c| c.time()).unwrap_or_default();
        now.saturating_sub(self.pipeline.base_time().unwrap_or_default())
    }

    /// Absolute clock time of `running` on this pipeline.
    pub fn clock_time_of(&self, running: gst::ClockTime) -> gst::ClockTime {
        running + self.pipeline.base_time().unwrap_or_default()
    }
}

/// Counts the frames missing from a stream of picture timestamps.
struct FrameGaps {
    frame_ns: u64,
    last: Option<u64>,
    /// Pictures that repeated a timestamp since the last step forward.
    repeated: u64,
}

impl FrameGaps {
    fn new(fps: u32) -> Self {
        Self { frame_ns: 1_000_000_000 / u64::from(fps.max(1)), last: None, repeated: 0 }
    }

    /// The frames missing before the picture at `pts`. A step of more than
    /// one and a half frames misses at least one; a repeated timestamp (the
    /// compositor repeats its first one once when its caps settle) is a
    /// picture that fills the next frame's place.
    fn record(&mut self, pts: u64) -> u64 {
        let Some(last) = self.last else {
            self.last = Some(pts);
            return 0;
        };
        if pts <= last {
            self.repeated += 1;
            return 0;
        }
        self.last = Some(pts);
        let frames = (pts - last + self.frame_ns / 2) / self.frame_ns;
        frames.saturating_sub(1).saturating_sub(std::mem::take(&mut self.repeated))
    }
}

/// Where a layer's pictures go.
enum Target {
    /// A pad of the slot's compositor.
    Pad(gst::Pad),
    /// An overlay blended over the slot's picture: the sizes its pictures
    /// are scaled to.
    Overlay { overlay: Arc<Overlay>, size: gst::Element, overlays: Overlays },
}

/// A scene item on a slot: a compositor layer, or an overlay above them.
pub(crate) struct Layer {
    pub source: SourceId,
    pub consumer: Arc<Consumer>,
    /// Whether the source's pixels are all opaque.
    opaque: bool,
    elements: Vec<gst::Element>,
    crop: LayerCrop,
    target: Target,
}

impl Layer {
    /// Whether `element` (a name) is one of the layer's.
    pub fn owns(&self, element: &str) -> bool {
        self.elements.iter().any(|e| e.name() == element)
    }

    /// Adds `item` to slot `slot`, as an overlay when `overlay`.
    pub fn add(
        program: &Program,
        slot: usize,
        item: &SceneItem,
        zorder: u32,
        opaque: bool,
        overlay: bool,
    ) -> Result<Self, EngineError> {
        let slot_parts = program.slots[slot]
            .as_ref()
            .ok_or_else(|| EngineError::Invalid(format!("slot {slot} is not open")))?;
        // A layer rebuilt on the other side of the split lives for a moment
        // beside the one it replaces: names are never used twice.
        static BUILT: AtomicU64 = AtomicU64::new(0);
        let serial = BUILT.fetch_add(1, Ordering::Relaxed);
        let consumer = Consumer::new(&format!("layer-{slot}-{}-{serial}", item.id.0), 4, INPUT_LATENCY);
        let crop = LayerCrop::new(make("videocrop")?);
        let (elements, target) = if overlay {
            let size = capsfilter(overlay_caps(&program.slot_caps, item))?;
            // Not async: a sink that prerolls when added to the playing
            // program would have the whole program change state again.
            let sink = AppSink::builder()
                .sync(false)
                .async_(false)
                .max_buffers(2)
                .drop(true)
                .enable_last_sample(false)
                .build();
            let overlay = Overlay::new(placement(item, zorder));
            sink.set_callbacks(receive_pictures(&overlay));
            let elements = vec![
                consumer.element().clone(),
                crop.element().clone(),
                make("videoconvert")?,
                make("videoscale")?,
                size.clone(),
                sink.upcast(),
            ];
            program.pipeline.add_many(&elements)?;
            gst::Element::link_many(&elements)?;
            let overlays = slot_parts.overlays.clone();
            overlays.lock().unwrap_or_else(|e| e.into_inner()).push(overlay.clone());
            (elements, Target::Overlay { overlay, size, overlays })
        } else {
            // No queue of its own: the appsrc's thread carries the picture
            // into the compositor (one thread and one hand-over less per
            // picture), and the appsrc's own leaky queue takes up waits.
            let elements = vec![consumer.element().clone(), crop.element().clone()];
            program.pipeline.add_many(&elements)?;
            gst::Element::link_many(&elements)?;
            let pad = slot_parts.compositor.request_pad_simple("sink_%u").ok_or_else(|| {
                EngineError::Build { what: "layer".into(), message: "no compositor pad".into() }
            })?;
            crop.element()
                .static_pad("src")
                .expect("videocrop has a src pad")
                .link(&pad)
                .map_err(|e| EngineError::Build { what: "layer".into(), message: format!("{e:?}") })?;
            (elements, Target::Pad(pad))
        };
        let layer = Self { source: item.source.clone(), consumer, opaque, elements, crop, target };
        layer.apply(item, zorder);
        for e in &layer.elements {
            e.sync_state_with_parent()?;
        }
        Ok(layer)
    }

    /// Whether the layer is blended over its slot's composed picture.
    pub fn is_overlay(&self) -> bool {
        matches!(self.target, Target::Overlay { .. })
    }

    /// Whether the layer was made for opaque pictures.
    pub fn is_opaque(&self) -> bool {
        self.opaque
    }

    /// Applies position, size, crop, opacity, visibility and stacking.
    /// An opaque layer at full opacity is copied rather than blended: the
    /// result is the same and costs a fraction.
    pub fn apply(&self, item: &SceneItem, zorder: u32) {
        match &self.target {
            Target::Pad(pad) => {
                let alpha = placement(item, zorder).alpha;
                let operator = if self.opaque && alpha >= 1.0 { "source" } else { "over" };
                pad.set_property_from_str("operator", operator);
                pad.set_property("xpos", item.x);
                pad.set_property("ypos", item.y);
                pad.set_property("width", item.width.min(i32::MAX as u32) as i32);
                pad.set_property("height", item.height.min(i32::MAX as u32) as i32);
                pad.set_property("alpha", alpha);
                pad.set_property("zorder", zorder);
            }
            Target::Overlay { overlay, size, .. } => {
                overlay.place(placement(item, zorder));
                let caps = size.property::<gst::Caps>("caps");
                let wanted = overlay_caps(&caps, item);
                if caps != wanted {
                    size.set_property("caps", wanted);
                }
            }
        }
        self.crop.set(item.crop);
    }

    pub fn remove(self, program: &Program) {
        match &self.target {
            Target::Pad(pad) => remove_branch(program, &self.elements, Some(pad)),
            Target::Overlay { overlay, overlays, .. } => {
                overlays.lock().unwrap_or_else(|e| e.into_inner()).retain(|o| !Arc::ptr_eq(o, overlay));
                remove_branch(program, &self.elements, None);
            }
        }
    }
}

/// Where an item shows as an overlay; a hidden item has opacity 0.
fn placement(item: &SceneItem, zorder: u32) -> Placement {
    let alpha = if item.visible { item.opacity.clamp(0.0, 1.0) } else { 0.0 };
    Placement { x: item.x, y: item.y, alpha, zorder }
}

/// `caps` (pictures with transparency) at the item's size.
fn overlay_caps(caps: &gst::Caps, item: &SceneItem) -> gst::Caps {
    let mut caps = caps.clone();
    if let Some(s) = caps.make_mut().structure_mut(0) {
        s.set("width", item.width.clamp(1, i32::MAX as u32) as i32);
        s.set("height", item.height.clamp(1, i32::MAX as u32) as i32);
        s.remove_field("framerate");
    }
    caps
}

/// Keeps the pictures an overlay's appsink receives.
fn receive_pictures(overlay: &Arc<Overlay>) -> gst_app::AppSinkCallbacks {
    let overlay = Arc::downgrade(overlay);
    gst_app::AppSinkCallbacks::builder()
        .new_sample(move |sink| {
            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
            let Some(overlay) = overlay.upgrade() else { return Err(gst::FlowError::Eos) };
            let info = sample.caps().and_then(|c| gst_video::VideoInfo::from_caps(c).ok());
            if let (Some(info), Some(buffer)) = (info, sample.buffer_owned()) {
                let (w, h) = (info.width() as usize, info.height() as usize);
                let segment = sample.segment().and_then(|s| s.downcast_ref::<gst::ClockTime>());
                let at = segment.and_then(|s| s.to_running_time(buffer.pts()));
                match Picture::new(buffer, w, h, info.stride()[0].max(0) as usize, at) {
                    Some(picture) => overlay.receive(picture),
                    None => tracing::warn!(width = w, height = h, "an overlay picture was too short"),
                }
            }
            Ok(gst::FlowSuccess::Ok)
        })
        .build()
}

/// Blends `overlays`, bottom first, into every I420 picture (of `caps`)
/// that leaves `pad`.
fn blend_overlays(pad: &gst::Pad, overlays: Overlays, caps: &gst::Caps) {
    let Ok(info) = gst_video::VideoInfo::from_caps(caps) else { return };
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, probe| {
        let mut list: Vec<Arc<Overlay>> = overlays.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if list.is_empty() {
            return gst::PadProbeReturn::Ok;
        }
        list.sort_by_key(|o| o.placement().zorder);
        let Some(buffer) = probe.buffer_mut() else { return gst::PadProbeReturn::Ok };
        // Pictures and frames are matched by running time: the slot's
        // timestamps start where its first picture did.
        let at = running_time_on(pad, buffer);
        let Ok(mut frame) = gst_video::VideoFrameRef::from_buffer_ref_writable(buffer.make_mut(), &info)
        else {
            return gst::PadProbeReturn::Ok;
        };
        // The strides of this picture (from its video meta, if it has one).
        let stride: Vec<i32> = gst_video::VideoFrameExt::plane_stride(&frame).to_vec();
        let [y, u, v, _] = frame.planes_data_mut();
        let mut planes = Planes {
            width: info.width() as usize,
            height: info.height() as usize,
            y,
            y_stride: stride[0].max(0) as usize,
            u,
            v,
            chroma_stride: stride[1].max(0) as usize,
        };
        for overlay in &list {
            overlay.blend_into(&mut planes, at);
        }
        gst::PadProbeReturn::Ok
    });
}

/// A source's sound in the mix.
pub(crate) struct Channel {
    pub consumer: Arc<Consumer>,
    elements: [gst::Element; 3],
    pad: gst::Pad,
}

impl Channel {
    /// Whether `element` (a name) is one of the channel's.
    pub fn owns(&self, element: &str) -> bool {
        self.elements.iter().any(|e| e.name() == element)
    }

    pub fn add(
        program: &Program,
        source: &SourceId,
        volume: f64,
        muted: bool,
        rate: u32,
        channels: u32,
    ) -> Result<Self, EngineError> {
        let consumer = Consumer::new(&format!("channel-{source}"), 16, INPUT_LATENCY);
        consumer.element().set_property("caps", gst_audio_caps(rate, channels));
        let volume_element = make("volume")?;
        let level = make_named("level", &format!("level-{source}"))?;
        level.set_property("interval", 100_000_000u64);
        let elements = [consumer.element().clone(), volume_element, level];
        program.pipeline.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        let pad = program
            .audiomixer
            .request_pad_simple("sink_%u")
            .ok_or_else(|| EngineError::Build { what: "channel".into(), message: "no mixer pad".into() })?;
        elements[2]
            .static_pad("src")
            .expect("level has a src pad")
            .link(&pad)
            .map_err(|e| EngineError::Build { what: "channel".into(), message: format!("{e:?}") })?;
        let channel = Self { consumer, elements, pad };
        channel.set_volume(volume, muted);
        for e in &channel.elements {
            e.sync_state_with_parent()?;
        }
        Ok(channel)
    }

    pub fn set_volume(&self, volume: f64, muted: bool) {
        self.elements[1].set_property("volume", volume.clamp(0.0, 10.0));
        self.elements[1].set_property("mute", muted);
    }

    pub fn remove(self, program: &Program) {
        remove_branch(program, &self.elements, Some(&self.pad));
    }
}

/// Stops a branch's elements, then unlinks it and gives its aggregator pad
/// (if it has one) back; the aggregator goes on with its other pads.
fn remove_branch(program: &Program, elements: &[gst::Element], pad: Option<&gst::Pad>) {
    for e in elements {
        // Locked, so that a state change of the whole program meanwhile
        // cannot start the branch again before it is out.
        e.set_locked_state(true);
        let _ = e.set_state(gst::State::Null);
    }
    if let Some(pad) = pad {
        if let Some(last) = elements.last().and_then(|e| e.static_pad("src")) {
            let _ = last.unlink(pad);
        }
        if let Some(parent) = pad.parent_element() {
            parent.release_request_pad(pad);
        }
    }
    let _ = program.pipeline.remove_many(elements);
}

/// A count of the buffers that pass `pad` from now on.
pub(crate) fn count_buffers(pad: &gst::Pad) -> Arc<AtomicU64> {
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        counter.fetch_add(1, Ordering::Relaxed);
        gst::PadProbeReturn::Ok
    });
    count
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::{pin_base_time, slow_to_play, FrameGaps, Program};
    use crate::engine::sources::producer::Formats;
    use gst::prelude::*;
    use std::sync::atomic::Ordering;

    /// The program's sound over its first half second, when it starts in a
    /// pipeline of many elements (the state change reaches the mixer late,
    /// as in a full show). Without [`pin_base_time`], 4-12 runs in 40-60 ran
    /// ahead here (up to 3,734 buffers of 20 ms in half a second).
    #[test]
    fn the_program_sound_starts_on_the_clock_however_long_the_pipeline_takes_to_play() {
        crate::engine::init().expect("GStreamer");
        for run in 0..10 {
            let formats = Formats {
                canvas: Default::default(),
                audio: Default::default(),
                frame_origin: gst::ClockTime::ZERO,
            };
            let program = Program::build(&formats).expect("a program");
            slow_to_play(&program.pipeline);
            pin_base_time(&program.pipeline);
            program.pipeline.set_state(gst::State::Playing).expect("playing");
            std::thread::sleep(std::time::Duration::from_millis(500));
            let buffers = program.sound_buffers.load(Ordering::Relaxed);
            program.pipeline.set_state(gst::State::Null).expect("stopped");
            // 20 ms buffers: 25 in half a second, a few more for the latency.
            assert!(buffers <= 40, "run {run}: {buffers} buffers of sound in half a second");
        }
    }

    fn missing(pts: &[u64]) -> u64 {
        let mut gaps = FrameGaps::new(30);
        pts.iter().map(|&p| gaps.record(p * 33_333_333)).sum()
    }

    #[test]
    fn steps_longer_than_a_frame_count_the_frames_missing() {
        assert_eq!(missing(&[0, 1, 2, 3]), 0);
        assert_eq!(missing(&[0, 2]), 1);
        assert_eq!(missing(&[1, 5, 6]), 3);
        assert_eq!(missing(&[0, 0, 2, 3]), 0, "a repeated timestamp fills the next place");
        assert_eq!(missing(&[0, 0, 1, 2, 4]), 1, "and only that one");
    }
}
