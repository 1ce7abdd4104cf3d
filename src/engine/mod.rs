//! All of Plateau's GStreamer: sources, the program, transitions, outputs,
//! levels and statistics. No GTK here: other code drives the engine with
//! [`Command`]s through a [`Studio`] and listens to its [`Event`]s.
//!
//! Grouped by what each part does:
//! - `sources/`: one pipeline per source (`producer`), run, replaced by a
//!   placeholder and retried by a `runner`; devices and the screen portal.
//! - `program/`: the program pipeline (compositor and audio mixer, two
//!   slots for transitions), overlays, and the `supervisor` thread that
//!   owns it all and applies commands.
//! - `outputs/`: everything fed from the program through a [`Feeds`]
//!   handle (never the studio itself): shared encoders, recordings,
//!   podcasts, streams, the swarm's MPEG-TS, previews and taps.
//! - here: the `Studio` handle, events, errors, the `fanout` that hands
//!   one pipeline's buffers to others, and `playback` of a show received
//!   from the swarm.

mod background;
mod command;
mod cpu;
mod diagnose;
mod error;
mod events;
mod fanout;
pub mod logs;
mod outputs;
mod playback;
mod program;
mod sources;
mod studio;

pub use command::{Answer, Command, MediaAction, MediaState, MediaStatus, PlayoutAction, Reply};
pub use cpu::CpuMeter;
pub use error::EngineError;
pub use events::{Event, Levels, OutputStatus, PlayoutStatus, Stats, StudioState};
pub use outputs::encoder::{AudioCodec, EncoderSettings, Speed};
pub use outputs::feeds::{Feeds, Keyframes};
pub use outputs::podcast::{Finishing, Podcast, PodcastCodec, PodcastSettings, PODCAST};
pub use outputs::preview::{Preview, PreviewSizer};
pub use outputs::record::{split_file, Container, RecordSettings, Recorder, RECORDING};
pub use outputs::replay::{ReplayBuffer, LONGEST_REPLAY, REPLAY_BUFFER};
pub use outputs::stream::{check_stream_url, redact, Stream, StreamSettings};
pub use outputs::tap::{Frame, VideoTap};
pub use outputs::ts_feed::{TsFeed, TsPiece};
pub use outputs::virtual_camera::{
    find_loopback_device, VirtualCamera, CAMERA_NODE, MICROPHONE_NODE, VIRTUAL_DEVICE_NAME,
};
pub use playback::Playback;
pub use sources::devices;
pub use sources::probe::picture_size;
pub use studio::Studio;

/// Initialises GStreamer once; cheap to call again.
pub fn init() -> Result<(), EngineError> {
    gst::init().map_err(|e| EngineError::Start { what: "GStreamer".into(), message: e.to_string() })?;
    logs::install();
    // Noise suppression (audiornnoise) comes with Plateau, not the system.
    static AUDIOFX: std::sync::Once = std::sync::Once::new();
    AUDIOFX.call_once(|| {
        if let Err(e) = gstrsaudiofx::plugin_register_static() {
            tracing::warn!(%e, "the audio effects plugin did not register: no noise suppression");
        }
    });
    Ok(())
}
