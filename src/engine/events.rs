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
    /// Where the playout stands: told when an entry goes on air, and when
    /// it is paused, resumed or stopped.
    Playout(PlayoutStatus),
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

/// The playout, as its rundown panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayoutStatus {
    pub running: bool,
    pub paused: bool,
    /// The entry on air (an index into the rundown), if any.
    pub entry: Option<usize>,
    /// When it went on air (system clock, nanoseconds, as `Frame::clock_time`).
    pub since_clock_time: u64,
    /// How long it stays, when that is known (none: until its media ends).
    pub length: Option<std::time::Duration>,
    /// How long it had been on air when paused.
    pub paused_after: Option<std::time::Duration>,
}
