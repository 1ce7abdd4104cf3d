//! What an output is fed from, and nothing more: the program's pictures and
//! sound, the studio-mode preview, each source's own sound, and the running
//! encoders (outputs that agree on settings share one encode). A `Studio`
//! hands out its `Feeds`; an output never holds the studio itself.

use std::sync::atomic::Ordering;
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
    pub(crate) encoders: Arc<Mutex<Vec<Weak<Encoder>>>>,
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

    /// A running encoder that suits `settings` and `keyframes`, or a new
    /// one: outputs that agree on settings share one encode.
    pub(crate) fn encoder(
        &self,
        settings: EncoderSettings,
        keyframes: Keyframes,
    ) -> Result<EncoderUse, EngineError> {
        let mut encoders = self.encoders.lock().unwrap_or_else(|e| e.into_inner());
        encoders.retain(|e| e.strong_count() > 0);
        let running: Vec<Arc<Encoder>> = encoders.iter().filter_map(Weak::upgrade).collect();
        let alike = |e: &&Arc<Encoder>| same_but_keyframes(&e.settings, &settings);
        let asked = settings.keyframe_seconds;
        // Its own interval, when nothing is imposed on it.
        let own = |e: &&Arc<Encoder>| (!e.is_paced()).then_some(e.settings.keyframe_seconds);
        let found = match keyframes {
            Keyframes::Exact => running.iter().filter(alike).find(|e| own(e) == Some(asked)).cloned(),
            // The longest interval not longer than asked (the fewest
            // keyframes), whether imposed on it for a while or not.
            Keyframes::OrShorter => running
                .iter()
                .filter(alike)
                .filter(|e| e.settings.keyframe_seconds <= asked)
                .max_by_key(|e| e.keyframe_seconds())
                .cloned(),
            Keyframes::Imposed => running
                .iter()
                .filter(alike)
                .find(|e| own(e) == Some(asked))
                .or_else(|| {
                    let flexible = |e: &&Arc<Encoder>| e.strict_users.load(Ordering::SeqCst) == 0;
                    running.iter().filter(alike).filter(flexible).find(|e| own(e).is_some_and(|k| k > asked))
                })
                .cloned(),
        };
        let encoder = match found {
            Some(encoder) => encoder,
            None => {
                let encoder = Arc::new(Encoder::start(self, settings)?);
                encoders.push(Arc::downgrade(&encoder));
                encoder
            }
        };
        let imposes = keyframes == Keyframes::Imposed && encoder.keyframe_seconds() > asked;
        if imposes {
            encoder.set_pace(asked);
        }
        if keyframes == Keyframes::Exact {
            encoder.strict_users.fetch_add(1, Ordering::SeqCst);
        }
        Ok(EncoderUse { encoder, keyframes, imposes })
    }

    /// How many encoders run now.
    pub fn encoder_count(&self) -> usize {
        let encoders = self.encoders.lock().unwrap_or_else(|e| e.into_inner());
        encoders.iter().filter(|e| e.strong_count() > 0).count()
    }
}

/// What an output needs of a shared encode's keyframe interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyframes {
    /// Exactly the interval asked for: streaming services check it.
    Exact,
    /// The interval asked for or a shorter one: a file or a replay buffer
    /// only needs a keyframe often enough to cut and seek.
    OrShorter,
    /// The interval asked for, imposed on a running encode whose outputs
    /// all take shorter ones, so that it is shared (the swarm joining a
    /// recording): it puts keyframes that often until this output ends.
    Imposed,
}

/// An output's share of an encoder; dropping it gives the share back (and
/// an imposed keyframe interval with it).
pub(crate) struct EncoderUse {
    encoder: Arc<Encoder>,
    keyframes: Keyframes,
    imposes: bool,
}

impl std::ops::Deref for EncoderUse {
    type Target = Encoder;

    fn deref(&self) -> &Encoder {
        &self.encoder
    }
}

impl Drop for EncoderUse {
    fn drop(&mut self) {
        if self.imposes {
            self.encoder.set_pace(0);
        }
        if self.keyframes == Keyframes::Exact {
            self.encoder.strict_users.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Whether two encodes differ at most in their keyframe interval.
fn same_but_keyframes(a: &EncoderSettings, b: &EncoderSettings) -> bool {
    EncoderSettings { keyframe_seconds: 0, ..*a } == EncoderSettings { keyframe_seconds: 0, ..*b }
}
