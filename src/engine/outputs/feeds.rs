//! What an output is fed from, and nothing more: the program's pictures and
//! sound, the studio-mode preview, each source's own sound, and the running
//! encoders (outputs that agree on settings share one encode). A `Studio`
//! hands out its `Feeds`; an output never holds the studio itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use crate::engine::error::EngineError;
use crate::engine::events::Event;
use crate::engine::fanout::{AudioTaps, Fanout};
use crate::engine::outputs::encoder::{Encoder, EncoderSettings};
use crate::model::{AudioSettings, SourceId, VideoSettings};

#[derive(Clone)]
pub struct Feeds {
    pub(crate) video: Arc<Fanout>,
    pub(crate) audio: Arc<Fanout>,
    pub(crate) preview: Arc<Fanout>,
    pub(crate) canvas: VideoSettings,
    pub(crate) audio_settings: AudioSettings,
    pub(crate) sources_audio: AudioTaps,
    pub(crate) events: async_channel::Sender<Event>,
    pub(crate) encoders: Arc<Mutex<HashMap<EncoderSettings, Weak<Encoder>>>>,
}

impl AsRef<Feeds> for Feeds {
    fn as_ref(&self) -> &Feeds {
        self
    }
}

impl Feeds {
    pub fn canvas(&self) -> VideoSettings {
        self.canvas
    }

    pub fn audio_settings(&self) -> AudioSettings {
        self.audio_settings
    }

    pub(crate) fn program_video(&self) -> &Arc<Fanout> {
        &self.video
    }

    pub(crate) fn program_audio(&self) -> &Arc<Fanout> {
        &self.audio
    }

    pub(crate) fn preview_video(&self) -> &Arc<Fanout> {
        &self.preview
    }

    /// Every source that makes sound: id, name, and its sound as captured
    /// (before volume and mute), flowing while the source is in the program.
    pub(crate) fn audio_sources(&self) -> Vec<(SourceId, String, Arc<Fanout>)> {
        self.sources_audio.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends events to whoever listens (outputs report through this).
    pub(crate) fn emitter(&self) -> async_channel::Sender<Event> {
        self.events.clone()
    }

    /// The running encoder with `settings`, or a new one: outputs that
    /// agree on settings share one encode.
    pub(crate) fn encoder(&self, settings: EncoderSettings) -> Result<Arc<Encoder>, EngineError> {
        let mut encoders = self.encoders.lock().unwrap_or_else(|e| e.into_inner());
        encoders.retain(|_, e| e.strong_count() > 0);
        if let Some(encoder) = encoders.get(&settings).and_then(Weak::upgrade) {
            return Ok(encoder);
        }
        let encoder = Arc::new(Encoder::start(self, settings)?);
        encoders.insert(settings, Arc::downgrade(&encoder));
        Ok(encoder)
    }

    /// How many encoders run now.
    pub fn encoder_count(&self) -> usize {
        let encoders = self.encoders.lock().unwrap_or_else(|e| e.into_inner());
        encoders.values().filter(|e| e.strong_count() > 0).count()
    }
}
