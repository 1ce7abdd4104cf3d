//! The engine's face: a `Studio` handle that takes [`Command`]s, and a
//! stream of events.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use gst::prelude::*;

use crate::engine::command::{Answer, Command, MediaAction, MediaStatus, Reply};
use crate::engine::error::EngineError;
use crate::engine::events::Event;
use crate::engine::outputs::feeds::Feeds;
use crate::engine::program::supervisor::{level_event, Message, Shared, Supervisor};
use crate::engine::program::{pin_base_time, Program};
use crate::engine::sources::producer::Formats;
use crate::model::{EditError, ItemId, SceneCollection, SceneItem, Source, SourceId, Transition};

/// A running studio: the program pipeline, its sources, and the thread
/// that owns them. Dropping it stops everything.
pub struct Studio {
    inbox: mpsc::Sender<Message>,
    events: async_channel::Receiver<Event>,
    thread: Mutex<Option<JoinHandle<()>>>,
    pipeline: gst::Pipeline,
    feeds: Feeds,
    shared: Shared,
}

/// Outputs are started with a studio (`Recorder::start(&studio, …)`) and
/// take only its feeds.
impl AsRef<Feeds> for Studio {
    fn as_ref(&self) -> &Feeds {
        &self.feeds
    }
}

/// How long the program may take to start playing before its first
/// scene is added anyway (it takes about 60 ms here).
const SETTLE: gst::ClockTime = gst::ClockTime::from_seconds(2);

/// Waits until the program plays, with nothing in it yet. Its two sinks
/// wait for their first buffers before it does (about 60 ms): a layer
/// added meanwhile made that start a race, and an error from one (a
/// picture refused while the scene was restacked, seen once in about 60
/// looped runs of the headless tests) left the whole program paused for
/// good — one picture, two sound buffers, a recording with nothing in it.
fn settle(pipeline: &gst::Pipeline) {
    let (result, state, _) = pipeline.state(SETTLE);
    if result.is_err() || state != gst::State::Playing {
        tracing::warn!(?result, ?state, "the program did not start playing in time; going on");
    }
}

impl Studio {
    /// Starts the program with `collection`, showing `scene` (or the first).
    pub fn start(collection: SceneCollection, scene: Option<&str>) -> Result<Self, EngineError> {
        crate::engine::init()?;
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
        let failures = Mutex::new(inbox.clone());
        program.pipeline.bus().expect("a pipeline has a bus").set_sync_handler(move |_, msg| {
            if let Some(event) = level_event(msg) {
                let _ = level_events.try_send(event);
            } else if let gst::MessageView::Error(e) = msg.view() {
                let from = msg.src().map(|s| s.path_string().to_string()).unwrap_or_default();
                tracing::error!(error = %e.error(), debug = ?e.debug(), %from, "program pipeline error");
                let _ = level_events.try_send(Event::Error(format!("program: {} ({from})", e.error())));
                if let Some(element) = msg.src() {
                    let failed = Message::Failed(element.name().to_string());
                    let _ = failures.lock().unwrap_or_else(|e| e.into_inner()).send(failed);
                }
            }
            gst::BusSyncReply::Drop
        });
        pin_base_time(&program.pipeline);
        program
            .pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| EngineError::Start { what: "program".into(), message: e.to_string() })?;
        settle(&program.pipeline);
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
        let feeds = Feeds {
            video,
            audio,
            preview,
            canvas,
            audio_settings,
            sources_audio: shared.audio.clone(),
            events: emitter,
            encoders: Default::default(),
        };
        Ok(Self { inbox, events, thread: Mutex::new(Some(thread)), pipeline, feeds, shared })
    }

    /// The events; every clone of the receiver takes its own share.
    pub fn events(&self) -> async_channel::Receiver<Event> {
        self.events.clone()
    }

    pub fn canvas(&self) -> crate::model::VideoSettings {
        self.feeds.canvas()
    }

    pub fn audio_settings(&self) -> crate::model::AudioSettings {
        self.feeds.audio_settings()
    }

    /// What outputs are fed from.
    pub fn feeds(&self) -> &Feeds {
        &self.feeds
    }

    /// Sends a command and waits for the engine to have applied it (for
    /// scripts and tests: a window uses `request`).
    pub fn send(&self, command: Command) -> Result<Reply, EngineError> {
        let (tx, rx) = mpsc::channel();
        let reply = Box::new(move |answer| drop(tx.send(answer)));
        self.inbox.send(Message::Command(Box::new(command), reply)).map_err(|_| EngineError::Stopped)?;
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
        let sent =
            self.inbox.send(Message::Command(Box::new(command), reply)).map_err(|_| EngineError::Stopped);
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

    /// Removes a source and every item that shows it.
    pub fn remove_source(&self, source: &SourceId) -> Result<(), EngineError> {
        self.send(Command::RemoveSource(source.clone())).map(drop)
    }

    /// Plays, pauses, stops, restarts or moves a media file that a scene shows.
    pub fn control_media(&self, source: &SourceId, action: MediaAction) -> Result<(), EngineError> {
        self.send(Command::Media { source: source.clone(), action }).map(drop)
    }

    pub fn media_status(&self, source: &SourceId) -> Result<MediaStatus, EngineError> {
        match self.send(Command::MediaStatus(source.clone()))? {
            Reply::Media(status) => Ok(status),
            other => Err(EngineError::Invalid(format!("unexpected reply {other:?}"))),
        }
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

    /// How many encoders run now.
    pub fn encoder_count(&self) -> usize {
        self.feeds.encoder_count()
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::engine::program::count_buffers;

    fn ball_scene() -> SceneCollection {
        serde_json::from_str(
            r#"{ "version": 1, "name": "Ball", "video": { "width": 320, "height": 180, "fps": 30 },
  "sources": [ { "id": "ball", "name": "Ball", "kind": "test-pattern", "pattern": "ball" } ],
  "scenes": [ { "name": "Show", "items": [
    { "id": 1, "source": "ball", "x": 0, "y": 0, "width": 320, "height": 180 } ] } ] }"#,
        )
        .expect("a collection")
    }

    /// The program's elements whose names start with `prefix`.
    fn named(studio: &Studio, prefix: &str) -> Vec<gst::Element> {
        studio
            .pipeline
            .iterate_elements()
            .into_iter()
            .flatten()
            .filter(|e| e.name().starts_with(prefix))
            .collect()
    }

    #[test]
    fn the_program_plays_before_its_first_scene_is_added() {
        let studio = Studio::start(ball_scene(), None).expect("the studio starts");
        let (_, state, pending) = studio.pipeline.state(gst::ClockTime::ZERO);
        assert_eq!((state, pending), (gst::State::Playing, gst::State::VoidPending));
        studio.stop();
    }

    /// Stops the program's element named `name` and has it say so, as a
    /// streaming thread does when a buffer is refused (as one was once when
    /// a scene was restacked at start); returns the element that replaced
    /// it, once buffers flow out of it into the program.
    fn replaced_after_failure(studio: &Studio, name: &str) -> gst::Element {
        let old = named(studio, name).pop().expect("the element is in the program");
        let _ = old.set_state(gst::State::Null);
        old.post_error_message(gst::error_msg!(
            gst::StreamError::Failed,
            ("Internal data stream error."),
            ["streaming stopped, reason not-negotiated (-4)"]
        ));
        let deadline = Instant::now() + Duration::from_secs(10);
        let new = loop {
            let found =
                named(studio, &name[..name.rfind('-').unwrap_or(name.len())]).into_iter().find(|e| *e != old);
            if let Some(new) = found.filter(|_| old.parent().is_none()) {
                break new;
            }
            assert!(Instant::now() < deadline, "{name} was not built again");
            std::thread::sleep(Duration::from_millis(20));
        };
        let buffers = count_buffers(&new.static_pad("src").expect("a src pad"));
        std::thread::sleep(Duration::from_secs(1));
        let buffers = buffers.load(Ordering::Relaxed);
        assert!(buffers >= 15, "{buffers} buffers from the new {} in 1 s", new.name());
        new
    }

    #[test]
    fn a_layer_or_channel_whose_elements_fail_is_built_again_and_plays_its_source() {
        let mut collection = ball_scene();
        collection.sources.push(
            serde_json::from_str(r#"{ "id": "tone", "name": "Tone", "kind": "tone", "frequency": 440 }"#)
                .expect("a source"),
        );
        collection.scenes[0].items.push(
            serde_json::from_str(r#"{ "id": 2, "source": "tone", "x": 0, "y": 0, "width": 0, "height": 0 }"#)
                .expect("an item"),
        );
        let studio = Studio::start(collection, None).expect("the studio starts");
        let layer = named(&studio, "layer-0-1-").pop().expect("the ball's layer");
        replaced_after_failure(&studio, &layer.name());
        replaced_after_failure(&studio, "channel-tone");

        let program = named(&studio, "program-audio").pop().expect("the program's sound");
        let sound = count_buffers(&program.static_pad("sink").expect("appsink has a sink pad"));
        std::thread::sleep(Duration::from_secs(1));
        let sound = sound.load(Ordering::Relaxed);
        assert!(sound >= 40, "{sound} buffers of the program's sound in 1 s (20 ms each)");
        studio.stop();
    }
}
