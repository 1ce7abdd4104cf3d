//! An output: a pipeline of its own fed with the program through appsrcs,
//! so that it can start, stop and fail without touching the program.

use std::sync::Arc;
use std::time::Duration;

use gst::prelude::*;

use crate::engine::error::EngineError;
use crate::engine::events::{Event, OutputStatus};
use crate::engine::fanout::{Consumer, Fanout, Origin};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::program::pin_base_time;

pub(crate) struct Output {
    pub pipeline: gst::Pipeline,
    inputs: Vec<(Arc<Fanout>, Arc<Consumer>)>,
    name: String,
    origin: Origin,
}

impl Output {
    pub fn new(name: &str) -> Self {
        let pipeline = gst::Pipeline::with_name(name);
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        Self { pipeline, inputs: Vec::new(), name: name.to_owned(), origin: Origin::default() }
    }

    /// An appsrc carrying the program's pictures, added to this pipeline.
    pub fn video_input(&mut self, feeds: &Feeds) -> Result<gst::Element, EngineError> {
        self.input(feeds.program_video().clone(), "video", 8)
    }

    /// An appsrc carrying the studio-mode preview's pictures.
    pub fn preview_input(&mut self, feeds: &Feeds) -> Result<gst::Element, EngineError> {
        self.input(feeds.preview_video().clone(), "video", 8)
    }

    /// An appsrc carrying the program's sound, added to this pipeline.
    pub fn audio_input(&mut self, feeds: &Feeds) -> Result<gst::Element, EngineError> {
        self.input(feeds.program_audio().clone(), "audio", 64)
    }

    /// An appsrc carrying what `fanout` hands out.
    pub fn input(
        &mut self,
        fanout: Arc<Fanout>,
        kind: &str,
        depth: u64,
    ) -> Result<gst::Element, EngineError> {
        let consumer = Consumer::new(&format!("{}-{kind}", self.name), depth, gst::ClockTime::ZERO);
        self.add_input(fanout, consumer)
    }

    /// An appsrc carrying an encoder's stream: video waits for a keyframe,
    /// and every encoded input of this output shares its time origin.
    pub fn encoded_input(&mut self, fanout: Arc<Fanout>, kind: &str) -> Result<gst::Element, EngineError> {
        let name = format!("{}-{kind}", self.name);
        let consumer = Consumer::encoded(&name, 256, kind == "video", self.origin.clone());
        self.add_input(fanout, consumer)
    }

    /// Video frames its inputs dropped because the output could not keep up.
    pub fn dropped_frames(&self) -> u64 {
        self.inputs
            .iter()
            .filter(|(_, c)| c.element().name().ends_with("-video"))
            .map(|(_, c)| c.dropped())
            .sum()
    }

    fn add_input(
        &mut self,
        fanout: Arc<Fanout>,
        consumer: Arc<Consumer>,
    ) -> Result<gst::Element, EngineError> {
        self.pipeline.add(consumer.element())?;
        let element = consumer.element().clone();
        self.inputs.push((fanout, consumer));
        Ok(element)
    }

    /// Reports the pipeline's first error (a full disk, a file that cannot
    /// be written) as `Event::Output { output: display_name, status: Failed }`
    /// the moment it happens; the message stays on the bus for `finish`.
    pub fn report_failures(&self, events: async_channel::Sender<Event>, display_name: &str) {
        let Some(bus) = self.pipeline.bus() else { return };
        let (name, reported) = (display_name.to_owned(), std::sync::atomic::AtomicBool::new(false));
        bus.set_sync_handler(move |_, msg| {
            if let gst::MessageView::Error(e) = msg.view() {
                if !reported.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    tracing::error!(output = %name, error = %e.error(), "output failed");
                    let status = OutputStatus::Failed(e.error().to_string());
                    let _ = events.try_send(Event::Output { output: name.clone(), status });
                }
            }
            gst::BusSyncReply::Pass
        });
    }

    /// Logs the pipeline's errors and warnings with the element that
    /// posted them: a pipeline that reports to nobody (a shared encoder)
    /// would otherwise fail unseen, its outputs receiving nothing.
    pub fn log_failures(&self) {
        let Some(bus) = self.pipeline.bus() else { return };
        let name = self.name.clone();
        bus.set_sync_handler(move |_, msg| {
            let element = msg.src().map(|s| s.name().to_string()).unwrap_or_default();
            match msg.view() {
                gst::MessageView::Error(e) => {
                    tracing::error!(pipeline = %name, %element, error = %e.error(), debug = ?e.debug(), "pipeline failed")
                }
                gst::MessageView::Warning(w) => {
                    tracing::warn!(pipeline = %name, %element, warning = %w.error(), debug = ?w.debug(), "pipeline warning")
                }
                _ => {}
            }
            gst::BusSyncReply::Pass
        });
    }

    /// Stops passing the encoded inputs on, without ending the file.
    pub fn pause(&self) {
        let now = gst::SystemClock::obtain().time();
        self.origin.lock().unwrap_or_else(|e| e.into_inner()).pause(now);
        for (_, consumer) in &self.inputs {
            consumer.wait_for_keyframe();
        }
    }

    /// Passes the encoded inputs on again, from the next keyframe; the
    /// pause leaves no gap in the timestamps.
    pub fn resume(&self) {
        let now = gst::SystemClock::obtain().time();
        self.origin.lock().unwrap_or_else(|e| e.into_inner()).resume(now);
    }

    /// Plays the pipeline and connects it to the program.
    pub fn start(&self) -> Result<(), EngineError> {
        // It never pauses (a pause goes through the time origin), and its
        // live mixers (a podcast track's silence filler) must not read the
        // clock before their base time: see `pin_base_time`.
        pin_base_time(&self.pipeline);
        self.pipeline.set_state(gst::State::Playing).map_err(|e| {
            let _ = self.pipeline.set_state(gst::State::Null);
            EngineError::Start { what: self.name.clone(), message: self.bus_error().unwrap_or(e.to_string()) }
        })?;
        for (fanout, consumer) in &self.inputs {
            fanout.add(consumer.clone());
        }
        Ok(())
    }

    fn bus_error(&self) -> Option<String> {
        let bus = self.pipeline.bus()?;
        let msg = bus.pop_filtered(&[gst::MessageType::Error])?;
        match msg.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }

    /// Disconnects from the program, lets the pipeline drain (so files are
    /// finalised) for at most `timeout`, and stops it.
    pub fn finish(&mut self, timeout: Duration) -> Result<(), EngineError> {
        for (fanout, consumer) in &self.inputs {
            fanout.remove(consumer);
            consumer.end_of_stream();
            consumer.say_counts();
        }
        let result = match self.pipeline.bus() {
            Some(bus) => {
                let msg = bus.timed_pop_filtered(
                    gst::ClockTime::from_nseconds(timeout.as_nanos() as u64),
                    &[gst::MessageType::Eos, gst::MessageType::Error],
                );
                match msg.as_ref().map(|m| m.view()) {
                    Some(gst::MessageView::Eos(_)) => Ok(()),
                    Some(gst::MessageView::Error(e)) => {
                        Err(EngineError::Finish { what: self.name.clone(), message: e.error().to_string() })
                    }
                    _ => Err(EngineError::Finish {
                        what: self.name.clone(),
                        message: format!("did not finish within {} s", timeout.as_secs()),
                    }),
                }
            }
            None => Ok(()),
        };
        let _ = self.pipeline.set_state(gst::State::Null);
        self.inputs.clear();
        result
    }

    /// The first error the pipeline reported, if any, without waiting.
    pub fn error(&self) -> Option<String> {
        self.bus_error()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        for (fanout, consumer) in &self.inputs {
            fanout.remove(consumer);
            consumer.say_counts();
        }
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

#[cfg(test)]
mod tests {
    use super::Output;
    use gst::prelude::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// A podcast track's silence filler (a live audiomixer) in an output
    /// whose pipeline takes long to play (100 more live branches): the
    /// sound it has made by any moment is no more than the time gone by.
    /// Without the pin in `Output::start`, the fifth run here made 6.5 s of
    /// sound in half a second.
    #[test]
    fn an_outputs_live_mixer_makes_no_sound_ahead_of_the_clock_however_long_it_takes_to_play() {
        crate::engine::init().expect("GStreamer");
        for run in 0..10 {
            let output = Output::new("filler");
            let source = gst::ElementFactory::make("audiotestsrc").property("is-live", true).build().unwrap();
            let filler = gst::ElementFactory::make("audiomixer").build().unwrap();
            let made = Arc::new(AtomicU64::new(0));
            let counted = made.clone();
            let sink = gst_app::AppSink::builder()
                .sync(false)
                .callbacks(
                    gst_app::AppSinkCallbacks::builder()
                        .new_sample(move |sink| {
                            let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                            let duration = sample.buffer().and_then(|b| b.duration()).unwrap_or_default();
                            counted.fetch_add(duration.nseconds(), Ordering::Relaxed);
                            Ok(gst::FlowSuccess::Ok)
                        })
                        .build(),
                )
                .build();
            output.pipeline.add_many([&source, &filler, sink.upcast_ref()]).unwrap();
            gst::Element::link_many([&source, &filler, sink.upcast_ref()]).unwrap();
            crate::engine::program::slow_to_play(&output.pipeline);
            let started = Instant::now();
            output.start().expect("the output plays");
            std::thread::sleep(Duration::from_millis(500));
            let (made, elapsed) = (made.load(Ordering::Relaxed), started.elapsed());
            output.pipeline.set_state(gst::State::Null).expect("stopped");
            assert!(made > 0, "run {run}: the filler made sound");
            // Never more sound than time, give or take what a live source
            // pushes ahead and catches up on a loaded machine (640 ms in
            // 538 once in CI; the program's test allows as much): the hazard
            // runs seconds ahead.
            let allowed = elapsed + Duration::from_millis(300);
            assert!(
                made <= allowed.as_nanos() as u64,
                "run {run}: {} ms of sound in {} ms",
                made / 1_000_000,
                elapsed.as_millis()
            );
        }
    }
}
