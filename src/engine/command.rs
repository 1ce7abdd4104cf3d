//! What the engine can be asked, and how it answers: the commands a
//! `Studio` sends to the supervisor's thread, applied there in order.

use std::sync::Arc;

use crate::model::{ItemId, SceneCollection, SceneItem, Source, SourceId, Transition};

/// What the engine is asked to do. Each command is applied on the engine's
/// thread, in order, to the running program.
#[derive(Debug, Clone)]
pub enum Command {
    SwitchScene {
        scene: String,
        transition: Transition,
    },
    UpdateItem {
        scene: String,
        item: SceneItem,
    },
    /// Adds an item; an id of 0 or one in use gets a fresh id (returned).
    AddItem {
        scene: String,
        item: SceneItem,
    },
    RemoveItem {
        scene: String,
        item: ItemId,
    },
    /// Moves an item to `index` in its scene's stacking order (0 = bottom).
    MoveItem {
        scene: String,
        item: ItemId,
        index: usize,
    },
    AddSource(Source),
    /// Adds a source and an item showing it in `scene`: both or neither
    /// (the item's source is the new one). Replies with the item's id.
    AddSourceWithItem {
        source: Source,
        scene: String,
        item: SceneItem,
    },
    UpdateSource(Source),
    /// Removes a source and every item showing it, in every scene.
    RemoveSource(SourceId),
    /// Plays, pauses, stops, restarts or seeks a media file source.
    Media {
        source: SourceId,
        action: MediaAction,
    },
    /// Where a media file source is (replied as `Reply::Media`).
    MediaStatus(SourceId),
    /// The device monitored sources are heard on (a PulseAudio or
    /// PipeWire sink's name; none: the default one).
    MonitorDevice(Option<String>),
    /// Whether the program's mix is heard on the monitoring device too.
    MonitorProgram(bool),
    SetVolume {
        source: SourceId,
        volume: Option<f64>,
        muted: Option<bool>,
    },
    RetrySource(SourceId),
    AddScene(crate::model::Scene),
    RenameScene {
        from: String,
        to: String,
    },
    /// Moves a scene to `index` in the list (0 = first).
    MoveScene {
        scene: String,
        index: usize,
    },
    /// Studio mode: prepares a scene on the preview without changing the program.
    PreviewScene(String),
    /// Studio mode: sends the preview to the program with this transition.
    TransitionToPreview(Transition),
    /// Removes a scene; if the program shows it, the program cuts to the
    /// first other scene (or to black when none is left).
    RemoveScene(String),
    Collection,
    /// The audience's chat as chat sources show it (oldest first).
    ShowChat(Vec<String>),
    /// Replaces the playout's rundown (checked against the scenes).
    SetRundown(crate::model::Rundown),
    /// Runs the rundown: start, pause, skip…
    Playout(PlayoutAction),
    /// Commands applied in order, up to the first that fails (whose error
    /// is the answer); otherwise the last one's reply. One change of the
    /// collection is told for the whole batch.
    Batch(Vec<Command>),
}

impl Command {
    /// Its name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Command::SwitchScene { .. } => "switch-scene",
            Command::UpdateItem { .. } => "update-item",
            Command::AddItem { .. } => "add-item",
            Command::RemoveItem { .. } => "remove-item",
            Command::MoveItem { .. } => "move-item",
            Command::AddSource(_) => "add-source",
            Command::AddSourceWithItem { .. } => "add-source-with-item",
            Command::UpdateSource(_) => "update-source",
            Command::RemoveSource(_) => "remove-source",
            Command::Media { .. } => "media",
            Command::MediaStatus(_) => "media-status",
            Command::MonitorDevice(_) => "monitor-device",
            Command::MonitorProgram(_) => "monitor-program",
            Command::SetVolume { .. } => "set-volume",
            Command::RetrySource(_) => "retry-source",
            Command::AddScene(_) => "add-scene",
            Command::RenameScene { .. } => "rename-scene",
            Command::MoveScene { .. } => "move-scene",
            Command::PreviewScene(_) => "preview-scene",
            Command::TransitionToPreview(_) => "transition-to-preview",
            Command::RemoveScene(_) => "remove-scene",
            Command::Collection => "collection",
            Command::ShowChat(_) => "show-chat",
            Command::SetRundown(_) => "set-rundown",
            Command::Playout(_) => "playout",
            Command::Batch(_) => "batch",
        }
    }

    /// Whether applying it may change the collection.
    pub fn changes_collection(&self) -> bool {
        match self {
            Command::SwitchScene { .. }
            | Command::PreviewScene(_)
            | Command::TransitionToPreview(_)
            | Command::RetrySource(_)
            | Command::Media { .. }
            | Command::MediaStatus(_)
            | Command::MonitorDevice(_)
            | Command::MonitorProgram(_)
            | Command::Collection
            | Command::ShowChat(_)
            | Command::Playout(_) => false,
            Command::Batch(commands) => commands.iter().any(Command::changes_collection),
            _ => true,
        }
    }
}

/// What the playout is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayoutAction {
    /// Puts entry `from` of the rundown on air now and runs on from it.
    Start {
        from: usize,
    },
    /// Holds the entry on air; its time left waits.
    Pause,
    Resume,
    /// Goes to the next entry now.
    Skip,
    /// Stops running: what is on air stays, nothing follows.
    Stop,
}

/// How a command went: its reply, and the collection as it is after it
/// (with its revision, as in `Event::CollectionChanged`).
#[derive(Debug)]
pub struct Answer {
    pub reply: Reply,
    pub revision: u64,
    pub collection: Arc<SceneCollection>,
}

#[derive(Debug)]
pub enum Reply {
    Done,
    Item(ItemId),
    Collection(Box<SceneCollection>),
    Media(MediaStatus),
}

/// What a presenter does to a media file source while it is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MediaAction {
    Play,
    Pause,
    /// Back to the start, paused.
    Stop,
    /// From the start, playing.
    Restart,
    /// To this place in the file, keeping playing or paused.
    Seek(std::time::Duration),
}

/// Where a media file source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MediaState {
    /// Not shown in the program or preview: nothing plays it.
    #[default]
    Idle,
    Playing,
    Paused,
    Stopped,
    /// At its end (a looping file never is).
    Ended,
    /// It failed to play; it is retried.
    Failed,
}

/// A media file source's state, place and length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaStatus {
    pub state: MediaState,
    pub position: Option<std::time::Duration>,
    pub duration: Option<std::time::Duration>,
}
