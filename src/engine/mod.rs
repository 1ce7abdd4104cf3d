//! All of Plateau's GStreamer: sources, the program, transitions, outputs,
//! levels and statistics. No GTK here: other code drives the engine with
//! [`Command`]s through a [`Studio`] and listens to its [`Event`]s.

mod alpha;
mod cpu;
pub mod devices;
mod encoder;
mod error;
mod events;
mod fanout;
mod loudness;
mod output;
mod overlay;
mod podcast;
mod portal;
mod preview;
mod producer;
mod program;
mod record;
mod runner;
mod stacking;
mod stream;
mod studio;
mod supervisor;
mod tap;
mod tcp_link;
mod transition;
mod ts_feed;

pub use cpu::CpuMeter;
pub use encoder::{AudioCodec, EncoderSettings, Speed};
pub use error::EngineError;
pub use events::{Event, Levels, OutputStatus, Stats, StudioState};
pub use podcast::{Finishing, Podcast, PodcastCodec, PodcastSettings, PODCAST};
pub use preview::Preview;
pub use record::{split_file, Container, RecordSettings, Recorder, RECORDING};
pub use stream::{redact, Stream, StreamSettings};
pub use studio::{Answer, Command, Reply, Studio};
pub use tap::{Frame, VideoTap};
pub use ts_feed::{TsFeed, TsPiece};

/// Initialises GStreamer once; cheap to call again.
pub fn init() -> Result<(), EngineError> {
    gst::init().map_err(|e| EngineError::Start { what: "GStreamer".into(), message: e.to_string() })?;
    Ok(())
}
