//! The engine's face: a `Studio` handle with commands, and a stream of events.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;

use gst::prelude::*;

use super::encoder::{Encoder, EncoderSettings};
use super::error::EngineError;
use super::events::Event;
use super::fanout::Fanout;
use super::producer::Formats;
use super::program::Program;
use super::supervisor::{level_event, Message, Shared, Supervisor};
use crate::model::{EditError, ItemId, SceneCollection, SceneItem, Source, SourceId, Transition};

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
    ProgramScene,
    /// The size of the pictures a source delivers now (before crop).
    SourceSize(SourceId),
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
            Command::SetVolume { .. } => "set-volume",
            Command::RetrySource(_) => "retry-source",
            Command::AddScene(_) => "add-scene",
            Command::RenameScene { .. } => "rename-scene",
            Command::MoveScene { .. } => "move-scene",
            Command::PreviewScene(_) => "preview-scene",
            Command::TransitionToPreview(_) => "transition-to-preview",
            Command::RemoveScene(_) => "remove-scene",
            Command::Collection => "collection",
            Command::ProgramScene => "program-scene",
            Command::SourceSize(_) => "source-size",
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
            | Command::Collection
            | Command::ProgramScene
            | Command::SourceSize(_) => false,
            Command::Batch(commands) => commands.iter().any(Command::changes_collection),
            _ => true,
        }
    }
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
    Scene(Option<String>),
    Size(Option<(u32, u32)>),
}

/// A running studio: the program pipeline, its sources, and the thread
/// that owns them. Dropping it stops everything.
pub struct Studio {
    inbox: mpsc::Sender<Message>,
    events: async_channel::Receiver<Event>,
    thread: Mutex<Option<JoinHandle<()>>>,
    video: Arc<Fanout>,
    audio: Arc<Fanout>,
    pipeline: gst::Pipeline,
    canvas: crate::model::VideoSettings,
    audio_settings: crate::model::AudioSettings,
    emitter: async_channel::Sender<Event>,
    encoders: Mutex<HashMap<EncoderSettings, Weak<Encoder>>>,
    shared: Shared,
    preview: Arc<Fanout>,
}

impl Studio {
    /// Starts the program with `collection`, showing `scene` (or the first).
    pub fn start(collection: SceneCollection, scene: Option<&str>) -> Result<Self, EngineError> {
        super::init()?;
        collection.validate().map_err(EngineError::Invalid)?;
        let first = match scene {
            Some(name) => Some(
                collection
                    .scene(name)
                    .map(|s| s.name.clone())
                    .ok_or_else(|| EditError::NoSuchScene(name.into()))?,
            ),
            None => collection.scenes.first().map(|s| s.name.clone()),
        };
        let mut formats =
            Formats { canvas: collection.video, audio: collection.audio, frame_origin: gst::ClockTime::ZERO };
        let program = Program::build(&formats)?;
        let (events_tx, events) = async_channel::bounded(4096);
        let (inbox, receiver) = mpsc::channel();

        let level_events = events_tx.clone();
        let emitter = events_tx.clone();
        program.pipeline.bus().expect("a pipeline has a bus").set_sync_handler(move |_, msg| {
            if let Some(event) = level_event(msg) {
                let _ = level_events.try_send(event);
            } else if let gst::MessageView::Error(e) = msg.view() {
                let from = msg.src().map(|s| s.path_string().to_string()).unwrap_or_default();
                tracing::error!(error = %e.error(), debug = ?e.debug(), %from, "program pipeline error");
                let _ = level_events.try_send(Event::Error(format!("program: {} ({from})", e.error())));
            }
            gst::BusSyncReply::Drop
        });
        program
            .pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| EngineError::Start { what: "program".into(), message: e.to_string() })?;
        // Live, so it runs at once: its base time is known now.
        formats.frame_origin = program.pipeline.base_time().unwrap_or(gst::ClockTime::ZERO);

        let news_inbox = Mutex::new(inbox.clone());
        let news = Arc::new(move |n| {
            let _ = news_inbox.lock().unwrap_or_else(|e| e.into_inner()).send(Message::News(n));
        });
        let (video, audio, pipeline) =
            (program.video.clone(), program.audio.clone(), program.pipeline.clone());
        let preview = program.preview.clone();
        let (canvas, audio_settings) = (collection.video, collection.audio);
        let shared = Shared::default();
        let mut supervisor = Supervisor::new(collection, formats, program, events_tx, news, shared.clone());
        if let Some(first) = first {
            supervisor.show_first(&first)?;
        }
        let thread = std::thread::Builder::new()
            .name("plateau-engine".into())
            .spawn(move || supervisor.run(receiver))
            .map_err(|e| EngineError::Start { what: "engine thread".into(), message: e.to_string() })?;
        tracing::info!(width = canvas.width, height = canvas.height, fps = canvas.fps, "studio started");
        Ok(Self {
            inbox,
            events,
            thread: Mutex::new(Some(thread)),
            video,
            audio,
            pipeline,
            canvas,
            audio_settings,
            emitter,
            encoders: Mutex::new(HashMap::new()),
            shared,
            preview,
        })
    }

    /// The events; every clone of the receiver takes its own share.
    pub fn events(&self) -> async_channel::Receiver<Event> {
        self.events.clone()
    }

    pub fn canvas(&self) -> crate::model::VideoSettings {
        self.canvas
    }

    pub fn audio_settings(&self) -> crate::model::AudioSettings {
        self.audio_settings
    }

    /// Sends a command and waits for the engine to have applied it (for
    /// scripts and tests: a window uses `request`).
    pub fn send(&self, command: Command) -> Result<Reply, EngineError> {
        let (tx, rx) = mpsc::channel();
        let reply = Box::new(move |answer| drop(tx.send(answer)));
        self.inbox.send(Message::Command(command, reply)).map_err(|_| EngineError::Stopped)?;
        rx.recv().map_err(|_| EngineError::Stopped)?.map(|a: Answer| a.reply)
    }

    /// Sends a command without waiting: the engine applies it in turn
    /// (commands keep their order) and the future gives its answer.
    pub fn request(
        &self,
        command: Command,
    ) -> impl std::future::Future<Output = Result<Answer, EngineError>> + 'static {
        let (tx, rx) = async_channel::bounded(1);
        let reply = Box::new(move |answer| drop(tx.try_send(answer)));
        let sent = self.inbox.send(Message::Command(command, reply)).map_err(|_| EngineError::Stopped);
        async move {
            sent?;
            rx.recv().await.map_err(|_| EngineError::Stopped)?
        }
    }

    pub fn switch_scene(&self, scene: &str, transition: Transition) -> Result<(), EngineError> {
        self.send(Command::SwitchScene { scene: scene.into(), transition }).map(drop)
    }

    pub fn update_item(&self, scene: &str, item: SceneItem) -> Result<(), EngineError> {
        self.send(Command::UpdateItem { scene: scene.into(), item }).map(drop)
    }

    pub fn add_item(&self, scene: &str, item: SceneItem) -> Result<ItemId, EngineError> {
        match self.send(Command::AddItem { scene: scene.into(), item })? {
            Reply::Item(id) => Ok(id),
            other => Err(EngineError::Invalid(format!("unexpected reply {other:?}"))),
        }
    }

    pub fn remove_item(&self, scene: &str, item: ItemId) -> Result<(), EngineError> {
        self.send(Command::RemoveItem { scene: scene.into(), item }).map(drop)
    }

    pub fn move_item(&self, scene: &str, item: ItemId, index: usize) -> Result<(), EngineError> {
        self.send(Command::MoveItem { scene: scene.into(), item, index }).map(drop)
    }

    pub fn add_source(&self, source: Source) -> Result<(), EngineError> {
        self.send(Command::AddSource(source)).map(drop)
    }

    /// Changes a source's settings; a text is edited in place while live.
    pub fn update_source(&self, source: Source) -> Result<(), EngineError> {
        self.send(Command::UpdateSource(source)).map(drop)
    }

    pub fn set_volume(&self, source: &SourceId, volume: f64) -> Result<(), EngineError> {
        self.send(Command::SetVolume { source: source.clone(), volume: Some(volume), muted: None }).map(drop)
    }

    pub fn set_muted(&self, source: &SourceId, muted: bool) -> Result<(), EngineError> {
        self.send(Command::SetVolume { source: source.clone(), volume: None, muted: Some(muted) }).map(drop)
    }

    /// Tries a failed source again now instead of at its next retry.
    pub fn retry_source(&self, source: &SourceId) -> Result<(), EngineError> {
        self.send(Command::RetrySource(source.clone())).map(drop)
    }

    pub fn preview_scene(&self, scene: &str) -> Result<(), EngineError> {
        self.send(Command::PreviewScene(scene.into())).map(drop)
    }

    pub fn transition_to_preview(&self, transition: Transition) -> Result<(), EngineError> {
        self.send(Command::TransitionToPreview(transition)).map(drop)
    }

    pub fn add_scene(&self, scene: crate::model::Scene) -> Result<(), EngineError> {
        self.send(Command::AddScene(scene)).map(drop)
    }

    pub fn rename_scene(&self, from: &str, to: &str) -> Result<(), EngineError> {
        self.send(Command::RenameScene { from: from.into(), to: to.into() }).map(drop)
    }

    pub fn move_scene(&self, scene: &str, index: usize) -> Result<(), EngineError> {
        self.send(Command::MoveScene { scene: scene.into(), index }).map(drop)
    }

    pub fn remove_scene(&self, name: &str) -> Result<(), EngineError> {
        self.send(Command::RemoveScene(name.into())).map(drop)
    }

    pub fn collection(&self) -> Result<SceneCollection, EngineError> {
        match self.send(Command::Collection)? {
            Reply::Collection(c) => Ok(*c),
            other => Err(EngineError::Invalid(format!("unexpected reply {other:?}"))),
        }
    }

    /// The width and height of the pictures `source` delivers now, before
    /// any crop; none while it has not delivered one (or has no picture).
    /// Read at once, without asking the engine's thread.
    pub fn source_size(&self, source: &SourceId) -> Result<Option<(u32, u32)>, EngineError> {
        let video = self.shared.video.lock().unwrap_or_else(|e| e.into_inner());
        let fanout = video.get(source).ok_or_else(|| EditError::NoSuchSource(source.clone()))?;
        Ok(fanout.frame_size())
    }

    /// The scene the program shows (the outgoing one during a
    /// transition), as the engine's thread last published it.
    pub fn program_scene(&self) -> Result<Option<String>, EngineError> {
        Ok(self.shared.program_scene.lock().unwrap_or_else(|e| e.into_inner()).clone())
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
        self.encoders
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|e| e.strong_count() > 0)
            .count()
    }

    /// Every source that makes sound: id, name, and its sound as captured
    /// (before volume and mute), flowing while the source is in the program.
    pub(crate) fn audio_sources(&self) -> Vec<(SourceId, String, Arc<Fanout>)> {
        self.shared.audio.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Sends events to whoever listens (outputs report through this).
    pub(crate) fn emitter(&self) -> async_channel::Sender<Event> {
        self.emitter.clone()
    }

    pub(crate) fn preview_video(&self) -> &Arc<Fanout> {
        &self.preview
    }

    pub(crate) fn program_video(&self) -> &Arc<Fanout> {
        &self.video
    }

    pub(crate) fn program_audio(&self) -> &Arc<Fanout> {
        &self.audio
    }

    /// The program's running time now.
    pub fn running_time(&self) -> gst::ClockTime {
        let now = self.pipeline.clock().map(|c| c.time()).unwrap_or_default();
        now.saturating_sub(self.pipeline.base_time().unwrap_or_default())
    }

    /// The system clock's time now, in the same nanoseconds as
    /// `Frame::clock_time` and `Event::TransitionStarted`.
    pub fn clock_time(&self) -> u64 {
        gst::SystemClock::obtain().time().nseconds()
    }

    /// Stops the program and every source, and waits for the engine thread.
    pub fn stop(&self) {
        let _ = self.inbox.send(Message::Stop);
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Studio {
    fn drop(&mut self) {
        self.stop();
    }
}
