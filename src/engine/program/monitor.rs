//! Monitoring: the sound of the sources a presenter listens to, on a
//! device of their own (headphones), apart from the program.
//!
//! ```text
//!  audiotestsrc(live silence) ─────────┐
//!  fanout(source A) ─> appsrc ! volume ─┼─ audiomixer ! audioconvert ! audioresample ! pulsesink(device)
//!  fanout(source B) ─> appsrc ! volume ─┘
//! ```
//!
//! Its pipeline runs on the system clock like every other one and its
//! inputs are timed by when their sound was captured; pulsesink slaves the
//! device to that clock (it stretches or squeezes, never lets it drift), so
//! what the presenter hears stays with the program however long the show.

use std::collections::HashMap;
use std::sync::Arc;

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::fanout::{Consumer, Fanout};
use crate::engine::program::pin_base_time;
use crate::engine::sources::producer::gst_audio_caps;
use crate::model::SourceId;

/// Time for a monitored source's sound to reach the mixer.
const INPUT_LATENCY: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// One monitored source: its input and the mixer pad it feeds.
struct Input {
    consumer: Arc<Consumer>,
    volume: gst::Element,
    pad: gst::Pad,
}

pub(crate) struct Monitor {
    pipeline: gst::Pipeline,
    mixer: gst::Element,
    inputs: HashMap<SourceId, Input>,
    caps: gst::Caps,
}

impl Monitor {
    /// Starts monitoring on `device` (a PulseAudio or PipeWire sink's name;
    /// none: the default one). Fails when the device cannot be opened.
    pub fn start(device: Option<&str>, rate: u32, channels: u32) -> Result<Self, EngineError> {
        let pipeline = gst::Pipeline::with_name("monitor");
        pipeline.use_clock(Some(&gst::SystemClock::obtain()));
        let mixer = make("audiomixer")?;
        mixer.set_property("latency", INPUT_LATENCY.nseconds());
        let sink = make("pulsesink")?;
        if let Some(device) = device {
            sink.set_property("device", device);
        }
        sink.set_property("client-name", "Plateau (monitoring)");
        let caps = gst_audio_caps(rate, channels);
        let chain = [mixer.clone(), make("audioconvert")?, make("audioresample")?, sink];
        pipeline.add_many(&chain)?;
        gst::Element::link_many(&chain)?;
        // A live silence under the sources: the pipeline is playing (and
        // the device open) at once, and the sources come and go over it.
        let silence = make("audiotestsrc")?;
        silence.set_property_from_str("wave", "silence");
        silence.set_property("is-live", true);
        let silence_caps = make("capsfilter")?;
        silence_caps.set_property("caps", &caps);
        pipeline.add_many([&silence, &silence_caps])?;
        gst::Element::link_many([&silence, &silence_caps, &mixer])?;
        pin_base_time(&pipeline);
        if let Err(e) = pipeline.set_state(gst::State::Playing) {
            let _ = pipeline.set_state(gst::State::Null);
            return Err(EngineError::Start {
                what: format!("monitoring on {}", device.unwrap_or("the default sound device")),
                message: e.to_string(),
            });
        }
        tracing::info!(device = device.unwrap_or("default"), "monitoring started");
        Ok(Self { pipeline, mixer, inputs: HashMap::new(), caps })
    }

    /// The error that stopped it (its device went away: PulseAudio or
    /// PipeWire restarted, headphones unplugged), if one did.
    pub fn failure(&self) -> Option<String> {
        let bus = self.pipeline.bus()?;
        let message = bus.pop_filtered(&[gst::MessageType::Error])?;
        match message.view() {
            gst::MessageView::Error(e) => Some(e.error().to_string()),
            _ => None,
        }
    }

    /// The sources heard now.
    pub fn sources(&self) -> Vec<SourceId> {
        self.inputs.keys().cloned().collect()
    }

    /// Hears `source` (its sound from `fanout`) at `volume`.
    pub fn add(
        &mut self,
        source: &SourceId,
        fanout: &Arc<Fanout>,
        volume: f64,
        muted: bool,
    ) -> Result<(), EngineError> {
        if self.inputs.contains_key(source) {
            self.set_volume(source, volume, muted);
            return Ok(());
        }
        // Room for half a second of sound however it is cut (the program
        // mix comes in 10 ms buffers).
        let consumer = Consumer::new(&format!("monitor-{source}"), 64, INPUT_LATENCY);
        consumer.element().set_property("caps", &self.caps);
        let volume_element = make("volume")?;
        let elements = [consumer.element().clone(), volume_element.clone()];
        self.pipeline.add_many(&elements)?;
        gst::Element::link_many(&elements)?;
        let pad = self
            .mixer
            .request_pad_simple("sink_%u")
            .ok_or_else(|| EngineError::Build { what: "monitor".into(), message: "no mixer pad".into() })?;
        volume_element
            .static_pad("src")
            .expect("volume has a src pad")
            .link(&pad)
            .map_err(|e| EngineError::Build { what: "monitor".into(), message: format!("{e:?}") })?;
        for e in &elements {
            e.sync_state_with_parent()?;
        }
        fanout.add(consumer.clone());
        let input = Input { consumer, volume: volume_element, pad };
        self.inputs.insert(source.clone(), input);
        self.set_volume(source, volume, muted);
        tracing::info!(source = %source, "monitored");
        Ok(())
    }

    pub fn set_volume(&self, source: &SourceId, volume: f64, muted: bool) {
        if let Some(input) = self.inputs.get(source) {
            input.volume.set_property("volume", volume.clamp(0.0, 10.0));
            input.volume.set_property("mute", muted);
        }
    }

    /// No longer hears `source`.
    pub fn remove(&mut self, source: &SourceId, fanout: Option<&Arc<Fanout>>) {
        let Some(input) = self.inputs.remove(source) else { return };
        if let Some(fanout) = fanout {
            fanout.remove(&input.consumer);
        }
        for e in [input.consumer.element(), &input.volume] {
            let _ = e.set_state(gst::State::Null);
            let _ = self.pipeline.remove(e);
        }
        self.mixer.release_request_pad(&input.pad);
        tracing::info!(source = %source, "no longer monitored");
    }
}
impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}
