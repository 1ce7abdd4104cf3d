//! Hands the buffers of one appsink to any number of appsrcs in other
//! pipelines, translating timestamps through the shared clock.
//!
//! ```text
//!  producer pipeline                    consumer pipelines
//!  ... ! appsink ──(Fanout)──┬──> appsrc ! ... (program layer)
//!                            ├──> appsrc ! ... (another layer)
//!                            └──> appsrc ! ... (recorder)
//! ```
//!
//! Every pipeline runs on the system clock, so a buffer's absolute clock
//! time (running time + base time) means the same in all of them. A consumer
//! that is slow drops its own oldest buffers (leaky appsrc) and never blocks
//! the producer or the other consumers; a failed producer is replaced by
//! bumping the generation, after which its late buffers are ignored.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The sound of every source that makes some, for outputs that record
/// sources apart (podcasts): id, name and the source's audio fan-out.
pub(crate) type AudioTaps = Arc<Mutex<Vec<(crate::model::SourceId, String, Arc<Fanout>)>>>;

use gst::prelude::*;
use gst_app::{AppSink, AppSrc};

/// The appsrc end of a fan-out, sitting in a consumer pipeline.
#[derive(Debug)]
pub(crate) struct Consumer {
    appsrc: AppSrc,
    caps: Mutex<Option<gst::Caps>>,
    pushed: AtomicU64,
    /// Buffers dropped because the queue was full (and, for compressed
    /// pictures, those skipped after it until the next keyframe).
    dropped: AtomicU64,
    /// Buffers that came while its pipeline was not playing.
    not_playing: AtomicU64,
    /// Buffers timed before its stream's start (before the pipeline's or,
    /// for encoded streams, before the first keyframe), and pictures
    /// waiting for a keyframe.
    before_start: AtomicU64,
    /// When it was made.
    made: std::time::Instant,
    /// Skipping to a keyframe after a full queue.
    skipping: AtomicBool,
    /// For encoded streams: nothing is passed on before the first keyframe.
    waits_for_keyframe: AtomicBool,
    /// Whether this consumer starts (and resumes) on a keyframe.
    starts_on_keyframe: bool,
    /// For encoded streams: the clock time that is running time zero for
    /// all inputs of one output, set by the first keyframe. Encoding takes
    /// time, so that keyframe was captured a little before the output
    /// started; its stream starts with it instead of dropping it.
    origin: Option<Origin>,
}

/// The timeline of an output's encoded inputs, shared by them: the clock
/// time that is running time zero, and whether (since when) it is paused.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    zero: Option<gst::ClockTime>,
    paused_at: Option<gst::ClockTime>,
}

impl Timeline {
    /// Stops passing buffers on from clock time `now`.
    pub fn pause(&mut self, now: gst::ClockTime) {
        if self.paused_at.is_none() {
            self.paused_at = Some(now);
        }
    }

    /// Passes buffers on again; the pause is cut out of the timeline, so
    /// the output's timestamps go on where they stopped.
    pub fn resume(&mut self, now: gst::ClockTime) {
        if let Some(at) = self.paused_at.take() {
            self.zero = self.zero.map(|z| z + now.saturating_sub(at));
        }
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }
}

pub(crate) type Origin = Arc<Mutex<Timeline>>;

impl Consumer {
    /// A live, time-format, leaky appsrc that keeps at most `max_buffers`.
    pub(crate) fn new(name: &str, max_buffers: u64, latency: gst::ClockTime) -> Arc<Self> {
        let appsrc = AppSrc::builder()
            .name(name)
            .is_live(true)
            .format(gst::Format::Time)
            .do_timestamp(false)
            .min_latency(latency.nseconds() as i64)
            .max_buffers(max_buffers)
            .max_bytes(0)
            .leaky_type(gst_app::AppLeakyType::Downstream)
            .build();
        Arc::new(Self {
            appsrc,
            caps: Mutex::new(None),
            pushed: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            not_playing: AtomicU64::new(0),
            before_start: AtomicU64::new(0),
            made: std::time::Instant::now(),
            skipping: AtomicBool::new(false),
            waits_for_keyframe: AtomicBool::new(false),
            starts_on_keyframe: false,
            origin: None,
        })
    }

    /// A consumer of an encoded stream: it starts with a keyframe when
    /// `keyframe` and times its buffers from the shared `origin`.
    pub(crate) fn encoded(name: &str, max_buffers: u64, keyframe: bool, origin: Origin) -> Arc<Self> {
        let mut consumer = Arc::into_inner(Self::new(name, max_buffers, gst::ClockTime::ZERO))
            .expect("a new consumer has one owner");
        consumer.waits_for_keyframe = AtomicBool::new(keyframe);
        consumer.starts_on_keyframe = keyframe;
        consumer.origin = Some(origin);
        Arc::new(consumer)
    }

    pub(crate) fn element(&self) -> &gst::Element {
        self.appsrc.upcast_ref()
    }

    /// The width and height of the pictures it passes on, once it has one.
    pub(crate) fn frame_size(&self) -> Option<(u32, u32)> {
        let caps = self.caps.lock().unwrap_or_else(|e| e.into_inner()).clone()?;
        let s = caps.structure(0)?;
        Some((s.get::<i32>("width").ok()?.try_into().ok()?, s.get::<i32>("height").ok()?.try_into().ok()?))
    }

    /// How many buffers its full queue dropped (the oldest go first).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// How many buffers reached this consumer.
    pub(crate) fn pushed(&self) -> u64 {
        self.pushed.load(Ordering::Relaxed)
    }

    /// Buffers it left out because its pipeline was not playing, and
    /// because they came before its stream's start.
    fn left_out(&self) -> (u64, u64) {
        (self.not_playing.load(Ordering::Relaxed), self.before_start.load(Ordering::Relaxed))
    }

    /// Logs what became of the buffers handed to it; an input that passed
    /// nothing on in two seconds or more is a warning (a recording without
    /// its sound, say).
    pub(crate) fn say_counts(&self) {
        let (pushed, dropped) = (self.pushed(), self.dropped());
        let (not_playing, before_start) = self.left_out();
        let name = self.appsrc.name();
        if pushed == 0 && self.made.elapsed() >= std::time::Duration::from_secs(2) {
            tracing::warn!(consumer = %name, dropped, not_playing, before_start, "an output's input passed nothing on");
        } else {
            tracing::debug!(consumer = %name, pushed, dropped, not_playing, before_start, "an output's input ends");
        }
    }

    /// Pushes `buffer`, captured at absolute clock time `abs`, retimed to the
    /// consumer pipeline's running time. Buffers older than the consumer's
    /// start are dropped.
    fn push(&self, buffer: &gst::Buffer, abs: gst::ClockTime, caps: &gst::CapsRef) {
        let base = self.appsrc.base_time();
        let Some(base) = base.filter(|_| self.appsrc.current_state() == gst::State::Playing) else {
            self.not_playing.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let Some(zero) = self.zero(buffer, abs, base) else {
            if self.skipping.load(Ordering::Relaxed) {
                self.count_drop();
            } else {
                self.before_start.fetch_add(1, Ordering::Relaxed);
            }
            return;
        };
        self.skipping.store(false, Ordering::Relaxed);
        {
            let mut current = self.caps.lock().unwrap_or_else(|e| e.into_inner());
            if current.as_ref().map(|c| c.as_ref()) != Some(caps) {
                let caps = caps.to_owned();
                self.appsrc.set_caps(Some(&caps));
                *current = Some(caps);
            }
        }
        let pts = abs - zero;
        let mut out = hand_over(buffer);
        {
            let out = out.make_mut();
            // Encoded streams here have no B-frames: decoding order is
            // presentation order.
            out.set_pts(pts);
            out.set_dts(buffer.dts().map(|_| pts));
        }
        if self.appsrc.current_level_buffers() >= self.appsrc.max_buffers() {
            self.count_drop();
            if self.starts_on_keyframe {
                // A compressed picture cannot lose frames in its middle and
                // stay decodable: skip to the next keyframe instead (the
                // queue drains meanwhile).
                self.waits_for_keyframe.store(true, Ordering::SeqCst);
                self.skipping.store(true, Ordering::Relaxed);
                return;
            }
        }
        if self.appsrc.push_buffer(out).is_ok() && self.pushed.fetch_add(1, Ordering::Relaxed) == 0 {
            self.say_late_start(pts);
        }
    }

    /// Says when an output's sound begins well after its time origin (its
    /// first picture): a recording whose sound starts late has a first
    /// stretch, or a first split file, without sound. (Its pictures begin
    /// the timeline, waiting for a keyframe if need be.)
    fn say_late_start(&self, pts: gst::ClockTime) {
        if self.origin.is_some() && !self.starts_on_keyframe && pts > LATE_START {
            tracing::warn!(consumer = %self.appsrc.name(), starts_ms = pts.mseconds(), "an output's stream starts late");
        }
    }

    /// Counts one buffer lost to a full queue, and says so in the log at
    /// the 1st, 2nd, 4th, 8th… (a sound output that loses buffers has
    /// holes in its sound; a picture one repeats or skips frames).
    fn count_drop(&self) {
        let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
        if !dropped.is_power_of_two() {
            return;
        }
        // From the 16th on (half a second of pictures), say what its
        // pipeline is doing: slow, or stopped somewhere.
        let pipeline = (dropped >= 16).then(|| top_level(self.element())).flatten();
        match pipeline {
            Some(pipeline) => tracing::warn!(
                consumer = %self.appsrc.name(),
                dropped,
                pipeline = %crate::engine::diagnose::describe(&pipeline),
                "a consumer that could not keep up dropped buffers"
            ),
            None => {
                tracing::warn!(consumer = %self.appsrc.name(), dropped, "a consumer that could not keep up dropped buffers")
            }
        }
    }

    /// The clock time of this buffer's running time zero, or `None` to drop it.
    fn zero(
        &self,
        buffer: &gst::BufferRef,
        abs: gst::ClockTime,
        base: gst::ClockTime,
    ) -> Option<gst::ClockTime> {
        let Some(origin) = &self.origin else { return (abs >= base).then_some(base) };
        let mut timeline = origin.lock().unwrap_or_else(|e| e.into_inner());
        if timeline.is_paused() {
            return None;
        }
        if self.waits_for_keyframe.load(Ordering::SeqCst) {
            if buffer.flags().contains(gst::BufferFlags::DELTA_UNIT) {
                return None;
            }
            self.waits_for_keyframe.store(false, Ordering::SeqCst);
            if timeline.zero.is_none() {
                timeline.zero = Some(abs.min(base));
            }
        }
        timeline.zero.filter(|zero| abs >= *zero)
    }

    /// An encoded consumer that waits for a keyframe again (after a pause).
    pub(crate) fn wait_for_keyframe(&self) {
        if self.starts_on_keyframe {
            self.waits_for_keyframe.store(true, Ordering::SeqCst);
        }
    }

    pub(crate) fn end_of_stream(&self) {
        let _ = self.appsrc.end_of_stream();
    }
}

/// How long after its output's first picture a stream may begin before
/// that is said.
const LATE_START: gst::ClockTime = gst::ClockTime::from_mseconds(500);

/// How old a replayed picture may be made to look: about the compositors'
/// latency, so that the frame composed next takes it.
const REPLAY_AGE: gst::ClockTime = gst::ClockTime::from_mseconds(100);

/// One producer output (video or audio) shared by many consumers.
#[derive(Debug, Default)]
pub(crate) struct Fanout {
    consumers: Mutex<Vec<Arc<Consumer>>>,
    /// The generation whose buffers are passed on.
    current: AtomicU64,
    /// A generation that becomes current with its first buffer, so that a
    /// placeholder keeps showing until a restarted source really delivers.
    pending: AtomicU64,
    /// Whether a consumer added later gets the last buffer at once.
    replays: bool,
    /// The last buffer passed on (when `replays`).
    last: Mutex<Option<(gst::Buffer, gst::Caps, gst::ClockTime)>>,
    /// Whether a prerolled picture is passed on as if captured now: a
    /// paused file moved to another place shows that place at once.
    prerolls: std::sync::atomic::AtomicBool,
}

impl Fanout {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A fan-out of pictures that hands its last one to each new consumer
    /// as if captured now: a still source repeats its picture only ten
    /// times a second, and a layer added while it runs (a scene loaded for
    /// a cut, a layer rebuilt on a restack) would show nothing until then.
    pub(crate) fn replaying() -> Arc<Self> {
        Arc::new(Self { replays: true, ..Self::default() })
    }

    /// The size of the pictures its consumers receive, once they have one.
    pub(crate) fn frame_size(&self) -> Option<(u32, u32)> {
        self.lock().iter().find_map(|c| c.frame_size())
    }

    pub(crate) fn add(&self, consumer: Arc<Consumer>) {
        let last = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some((buffer, caps, captured)) = last {
            // Timed when it was captured (or a little before now, for a
            // source that stopped since; never before the consumer started),
            // so that the frame being composed takes it: a picture timed now
            // would wait a latency for its turn.
            let now = gst::SystemClock::obtain().time();
            let start = consumer.element().base_time().unwrap_or(gst::ClockTime::ZERO);
            consumer.push(&buffer, captured.max(now.saturating_sub(REPLAY_AGE)).max(start), &caps);
        }
        self.lock().push(consumer);
    }

    /// Forgets the last buffer: it no longer shows what the source shows.
    pub(crate) fn forget_last(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub(crate) fn remove(&self, consumer: &Arc<Consumer>) {
        self.lock().retain(|c| !Arc::ptr_eq(c, consumer));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Consumer>>> {
        self.consumers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Passes on only the buffers of `generation` from now on.
    pub(crate) fn set_current(&self, generation: u64) {
        self.current.store(generation, Ordering::SeqCst);
        self.pending.store(0, Ordering::SeqCst);
        // The last buffer belongs to the generation that is over.
        self.forget_last();
    }

    /// Lets `generation` take over as soon as it delivers a buffer.
    pub(crate) fn set_pending(&self, generation: u64) {
        self.pending.store(generation, Ordering::SeqCst);
    }

    pub(crate) fn current(&self) -> u64 {
        self.current.load(Ordering::SeqCst)
    }

    fn admits(&self, generation: u64) -> bool {
        if self.current.load(Ordering::SeqCst) == generation {
            return true;
        }
        if generation != 0 && self.pending.load(Ordering::SeqCst) == generation {
            self.current.store(generation, Ordering::SeqCst);
            self.pending.store(0, Ordering::SeqCst);
            return true;
        }
        false
    }

    /// Passes on prerolled pictures (while its file is paused) or not.
    pub(crate) fn show_prerolls(&self, on: bool) {
        self.prerolls.store(on, Ordering::SeqCst);
    }

    /// Feeds this fan-out from `appsink` while `generation` is current.
    pub(crate) fn attach(self: &Arc<Self>, appsink: &AppSink, generation: u64) {
        let fanout = Arc::downgrade(self);
        let prerolled = fanout.clone();
        appsink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                    let Some(fanout) = fanout.upgrade() else { return Err(gst::FlowError::Eos) };
                    if !fanout.admits(generation) {
                        return Ok(gst::FlowSuccess::Ok);
                    }
                    fanout.distribute(sink, &sample);
                    Ok(gst::FlowSuccess::Ok)
                })
                .new_preroll(move |sink| {
                    let sample = sink.pull_preroll().map_err(|_| gst::FlowError::Flushing)?;
                    let Some(fanout) = prerolled.upgrade() else { return Err(gst::FlowError::Eos) };
                    if fanout.prerolls.load(Ordering::SeqCst) && fanout.admits(generation) {
                        if let (Some(buffer), Some(caps)) = (sample.buffer_owned(), sample.caps()) {
                            fanout.hold(buffer, caps);
                        }
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
    }

    /// Feeds this fan-out with the buffers passing `pad` (in a running
    /// pipeline) while `generation` is current; the pad's flow is untouched.
    pub(crate) fn watch(self: &Arc<Self>, pad: &gst::Pad, generation: u64) {
        let fanout = Arc::downgrade(self);
        pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
            let Some(fanout) = fanout.upgrade() else { return gst::PadProbeReturn::Remove };
            if fanout.current.load(Ordering::SeqCst) != generation || fanout.lock().is_empty() {
                return gst::PadProbeReturn::Ok;
            }
            let (Some(gst::PadProbeData::Buffer(buffer)), Some(caps)) = (&info.data, pad.current_caps())
            else {
                return gst::PadProbeReturn::Ok;
            };
            let running = running_time_on(pad, buffer);
            let base = pad.parent_element().and_then(|e| e.base_time());
            if let (Some(running), Some(base)) = (running, base) {
                for consumer in fanout.lock().iter() {
                    consumer.push(buffer, running + base, &caps);
                }
            }
            gst::PadProbeReturn::Ok
        });
    }

    /// Hands every consumer a picture to hold until the next one, timed
    /// for the frame being composed (a paused file moved to another place).
    /// Without a duration, the compositor keeps it rather than dropping it
    /// as past once its frame is over.
    fn hold(&self, mut buffer: gst::Buffer, caps: &gst::CapsRef) {
        buffer.make_mut().set_duration(gst::ClockTime::NONE);
        let now = gst::SystemClock::obtain().time();
        for consumer in self.lock().iter() {
            let start = consumer.element().base_time().unwrap_or(gst::ClockTime::ZERO);
            consumer.push(&buffer, now.saturating_sub(REPLAY_AGE).max(start), caps);
        }
        if self.replays {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((buffer, caps.to_owned(), now));
        }
    }

    /// Hands every consumer `buffer` as if captured now: a picture for
    /// consumers whose producer has nothing to show.
    pub(crate) fn push_now(&self, buffer: &gst::Buffer, caps: &gst::CapsRef) {
        let now = gst::SystemClock::obtain().time();
        for consumer in self.lock().iter() {
            consumer.push(buffer, now, caps);
        }
    }

    fn distribute(&self, sink: &AppSink, sample: &gst::Sample) {
        let (Some(buffer), Some(caps)) = (sample.buffer_owned(), sample.caps()) else { return };
        let Some(segment) = sample.segment().and_then(|s| s.downcast_ref::<gst::ClockTime>()) else {
            return;
        };
        let Some(running) = segment.to_running_time(buffer.pts()) else { return };
        let Some(base) = sink.base_time() else { return };
        let abs = running + base;
        for consumer in self.lock().iter() {
            consumer.push(&buffer, abs, caps);
        }
        if self.replays {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((buffer, caps.to_owned(), abs));
        }
    }
}

/// The pipeline `element` is in (its outermost bin).
fn top_level(element: &gst::Element) -> Option<gst::Element> {
    let mut top = element.parent()?.downcast::<gst::Element>().ok()?;
    while let Some(parent) = top.parent().and_then(|p| p.downcast::<gst::Element>().ok()) {
        top = parent;
    }
    Some(top)
}

/// The running time of `buffer` passing `pad` (by the pad's segment).
pub(crate) fn running_time_on(pad: &gst::Pad, buffer: &gst::BufferRef) -> Option<gst::ClockTime> {
    let segment = pad.sticky_event::<gst::event::Segment>(0)?;
    segment.segment().downcast_ref::<gst::ClockTime>()?.to_running_time(buffer.pts())
}

/// A buffer for one consumer, to be retimed: its own timestamps over the
/// producer's memory. The producer's buffer stays referenced (and mapped)
/// until this one is freed, so it goes back to its pool with its memory
/// unshared and is used again; a plain copy would share that memory, and the
/// pool would throw the buffer away and allocate a new one every frame.
fn hand_over(buffer: &gst::Buffer) -> gst::Buffer {
    if buffer.n_memory() != 1 {
        return buffer.copy();
    }
    let Ok(mapped) = buffer.clone().into_mapped_buffer_readable() else { return buffer.copy() };
    let mut out = gst::Buffer::from_slice(mapped);
    let flags = gst::BufferCopyFlags::FLAGS | gst::BufferCopyFlags::TIMESTAMPS | gst::BufferCopyFlags::META;
    match out.get_mut().map(|o| buffer.copy_into(o, flags, ..)) {
        Some(Ok(())) => out,
        _ => buffer.copy(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A playing pipeline around a new consumer.
    fn consumer_pipeline(name: &str) -> (gst::Pipeline, Arc<Consumer>) {
        let pipeline = gst::Pipeline::with_name(name);
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        let consumer = Consumer::new(name, 4, gst::ClockTime::ZERO);
        let sink = gst::ElementFactory::make("fakesink").build().expect("fakesink");
        pipeline.add_many([consumer.element(), &sink]).expect("added");
        consumer.element().link(&sink).expect("linked");
        pipeline.set_state(gst::State::Playing).expect("playing");
        (pipeline, consumer)
    }

    /// Hands one 8x8 picture to `fanout` (with no consumer yet) and ends.
    fn one_picture_into(fanout: &Arc<Fanout>) -> gst::Pipeline {
        let producer = gst::parse::launch(
            "videotestsrc num-buffers=1 ! video/x-raw,width=8,height=8 ! appsink name=sink",
        )
        .expect("producer")
        .downcast::<gst::Pipeline>()
        .expect("a pipeline");
        producer.use_clock(Some(&gst::SystemClock::obtain()));
        let sink = producer.by_name("sink").and_then(|s| s.downcast::<AppSink>().ok()).expect("appsink");
        fanout.set_current(1);
        fanout.attach(&sink, 1);
        producer.set_state(gst::State::Playing).expect("playing");
        let bus = producer.bus().expect("bus");
        bus.timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Eos])
            .expect("the picture went");
        producer
    }

    #[test]
    fn a_consumer_added_later_gets_the_last_picture_at_once() {
        gst::init().expect("GStreamer initialises");
        for (fanout, replays) in [(Fanout::replaying(), true), (Fanout::new(), false)] {
            let _producer = one_picture_into(&fanout);
            let (pipeline, consumer) = consumer_pipeline(&format!("late-{replays}"));
            fanout.add(consumer.clone());
            assert_eq!(consumer.pushed(), u64::from(replays), "replays: {replays}");
            // A forgotten picture, or one of an older generation (a
            // restarted source), is not handed on.
            fanout.forget_last();
            let (forgot, after_forget) = consumer_pipeline(&format!("forgot-{replays}"));
            fanout.add(after_forget.clone());
            assert_eq!(after_forget.pushed(), 0);
            let _producer = one_picture_into(&fanout);
            fanout.set_current(2);
            let (other, late) = consumer_pipeline(&format!("later-{replays}"));
            fanout.add(late.clone());
            assert_eq!(late.pushed(), 0);
            for p in [pipeline, forgot, other] {
                let _ = p.set_state(gst::State::Null);
            }
        }
    }

    #[test]
    fn a_consumer_counts_what_it_leaves_out_and_why() {
        gst::init().expect("GStreamer initialises");
        let caps = gst::Caps::builder("audio/x-raw").build();
        let buffer = gst::Buffer::with_size(4).expect("a buffer");
        let stopped = Consumer::new("stopped", 4, gst::ClockTime::ZERO);
        stopped.push(&buffer, gst::SystemClock::obtain().time(), &caps);
        assert_eq!((stopped.pushed(), stopped.left_out()), (0, (1, 0)), "its pipeline never played");
        let (pipeline, playing) = consumer_pipeline("playing");
        let start = playing.element().base_time().expect("a base time");
        playing.push(&buffer, start.saturating_sub(gst::ClockTime::from_seconds(1)), &caps);
        assert_eq!((playing.pushed(), playing.left_out()), (0, (0, 1)), "a buffer from before its start");
        playing.push(&buffer, gst::SystemClock::obtain().time(), &caps);
        assert_eq!((playing.pushed(), playing.left_out()), (1, (0, 1)), "a buffer of now");
        let _ = pipeline.set_state(gst::State::Null);
    }
}
