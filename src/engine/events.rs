use crate::model::SourceId;

/// Where the engine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StudioState {
    Starting,
    Running,
    Stopped,
}

/// Sound levels of one meter, per channel, in dBFS.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    pub peak_db: Vec<f64>,
    pub rms_db: Vec<f64>,
}

/// Program statistics over the last second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// Frames the program made in the last second.
    pub fps: f64,
    /// Frames made since the start.
    pub frames: u64,
    /// Frames the clock says should have been made but were not.
    pub dropped: u64,
}

/// Where an output (a stream destination, a recording) is.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputStatus {
    Connecting,
    Live,
    /// Lost or refused (`cause`, as the network or the server said it);
    /// the next attempt starts in this many seconds.
    Reconnecting {
        in_seconds: u32,
        cause: String,
    },
    Failed(String),
    Stopped,
}

/// What the engine tells whoever drives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    State(StudioState),
    /// A transition to `scene` starts at absolute clock time `clock_time`
    /// (nanoseconds of the system clock, as in `Frame::clock_time`).
    TransitionStarted {
        scene: String,
        clock_time: u64,
        duration: std::time::Duration,
    },
    /// Studio mode: the preview now shows this scene.
    PreviewScene(String),
    /// The program now shows this scene (at the end of its transition).
    ProgramScene(String),
    /// A source failed; its layers show a placeholder until it comes back.
    SourceFailed {
        source: SourceId,
        name: String,
        cause: String,
    },
    /// A failed source works again.
    SourceRecovered {
        source: SourceId,
        name: String,
    },
    /// Levels of one source (`Some`) or of the program mix (`None`).
    Levels {
        source: Option<SourceId>,
        levels: Levels,
    },
    Stats(Stats),
    /// The engine changed a source's settings (a screen capture got a new
    /// portal restore token): the collection should be saved.
    SourceChanged {
        source: SourceId,
    },
    /// The collection changed (an edit, or the engine's own change):
    /// here is the new one. `revision` grows with every change, so that a
    /// listener can tell the newest.
    CollectionChanged {
        revision: u64,
        collection: std::sync::Arc<crate::model::SceneCollection>,
    },
    /// An output changed state; `output` is its display name.
    Output {
        output: String,
        status: OutputStatus,
    },
    /// Bytes an output has sent, its bitrate over the last second, and the
    /// video frames it dropped because it could not send them in time.
    OutputStats {
        output: String,
        bytes: u64,
        kbps: f64,
        dropped: u64,
    },
    /// Something went wrong that is not tied to a source.
    Error(String),
}
