//! The engine's single owner of state: it applies commands, reacts to the
//! sources' news and runs transitions, on one thread, so that nothing in the
//! pipelines is ever changed from two places at once.

mod playing;
mod rebuild;
mod sound_watch;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;

use super::luma_wipe::LumaMask;
use super::stinger::Stinger;
use crate::engine::command::{Answer, Command, Reply};
use crate::engine::error::EngineError;
use crate::engine::events::{Event, Levels, Stats, StudioState};
use crate::engine::fanout::{AudioTaps, Fanout};
use crate::engine::program::monitor::Monitor;
use crate::engine::program::stacking::Stacking;
use crate::engine::program::transition;
use crate::engine::program::{Channel, Layer, Program};
use crate::engine::sources::producer::Formats;
use crate::engine::sources::runner::{Health, NewsSink, ProducerNews, Runner};
use crate::model::{
    EditError, ItemId, SceneCollection, SceneItem, Source, SourceId, SourceKind, Transition, TransitionKind,
};

/// What the engine's thread publishes for others to read without asking
/// it (and so without waiting for it).
#[derive(Clone, Default)]
pub(crate) struct Shared {
    pub audio: AudioTaps,
    /// Every source's pictures, to read their size.
    pub video: Arc<Mutex<HashMap<SourceId, Arc<Fanout>>>>,
    pub program_scene: Arc<Mutex<Option<String>>>,
}

/// Told how a command went, on the engine's thread.
pub(crate) type Replier = Box<dyn FnOnce(Result<Answer, EngineError>) + Send>;

pub(crate) enum Message {
    Command(Box<Command>, Replier),
    News(ProducerNews),
    /// An element of the program failed (its pipeline said so): the
    /// layer or channel it belongs to, if any, is built again.
    Failed(String),
    Stop,
}

/// What one slot of the mixer holds.
#[derive(Default)]
struct SlotState {
    scene: Option<String>,
    layers: BTreeMap<ItemId, Layer>,
    channels: Vec<SourceId>,
    /// The split between compositor and overlays the layers were made for.
    stacking: Stacking,
    /// Layers replaced by one on the other side of that split, and when
    /// they go: kept until the new one's picture has surely reached the
    /// compositor, so the item never leaves the picture.
    retiring: Vec<(Layer, Instant)>,
}

/// How long a replaced layer stays beside its new one. The new one is
/// built with the picture the old one showed, which reached the compositor
/// up to two frames late (30 fps) in the tests: the item was missing from
/// those frames when the old one went at once.
const RETIRE_AFTER: Duration = Duration::from_millis(150);

struct Pending {
    scene: String,
    transition: Transition,
    slot: usize,
    deadline: Instant,
    /// A cut set up ahead for this running time (the playout's); none: now.
    at: Option<gst::ClockTime>,
}

struct Running {
    scene: String,
    slot: usize,
    end: gst::ClockTime,
}

/// The program's mix among the monitored sounds (no source has this id:
/// ids beginning with `@` are refused by the model's checks).
fn program_mix() -> SourceId {
    SourceId::new("@program")
}

/// How long after a failure the monitoring device is tried again.
const MONITOR_RETRY: Duration = Duration::from_secs(3);

pub(crate) struct Supervisor {
    pub collection: SceneCollection,
    pub formats: Formats,
    pub program: Program,
    runners: HashMap<SourceId, Runner>,
    slots: [SlotState; 2],
    channels: HashMap<SourceId, (Channel, usize)>,
    active: usize,
    pending: Option<Pending>,
    running: Option<Running>,
    events: async_channel::Sender<Event>,
    news: NewsSink,
    shared: Shared,
    /// Counts the collection's changes; `snapshot` is the collection as of the last one.
    revision: u64,
    snapshot: Arc<SceneCollection>,
    /// Events of a command being applied, told after the change of the
    /// collection it made (a new source's failure names a known source).
    held: std::cell::RefCell<Option<Vec<Event>>>,
    /// The audience's last chat messages, for chat sources.
    chat: Vec<String>,
    /// What the presenter hears of the monitored sources, and where.
    monitor: Option<Monitor>,
    monitor_device: Option<String>,
    /// Whether the program's mix is heard on the monitoring device.
    monitor_program: bool,
    /// When to try the monitoring device again after it failed (it is
    /// said once, then tried every `MONITOR_RETRY`, as sources are).
    monitor_retry: Option<Instant>,
    last_stats: (Instant, u64),
    last_care: Instant,
    /// Whether the program's sound still flows.
    sound_watch: sound_watch::SoundWatch,
    /// When each failed layer or channel was last built again.
    rebuilt: rebuild::Rebuilt,
    /// The rundown running by itself, when it does.
    playout: super::playout::Playout,
    /// Luma wipes' pictures, decoded once each at the canvas's size.
    wipe_masks: HashMap<std::path::PathBuf, Arc<LumaMask>>,
    /// The stinger of the pending or running transition.
    stinger: Option<Stinger>,
}

impl Supervisor {
    pub fn new(
        collection: SceneCollection,
        formats: Formats,
        program: Program,
        events: async_channel::Sender<Event>,
        news: NewsSink,
        shared: Shared,
    ) -> Self {
        let runners: HashMap<SourceId, Runner> = collection
            .sources
            .iter()
            .map(|s| (s.id.clone(), Runner::new(as_drawn(s, &[]), size_hint(&collection, &s.id))))
            .collect();
        let supervisor_taps: Vec<_> = collection
            .sources
            .iter()
            .filter(|s| s.kind.has_audio())
            .filter_map(|s| runners_tap(&runners, s))
            .collect();
        *shared.audio.lock().unwrap_or_else(|e| e.into_inner()) = supervisor_taps;
        *shared.video.lock().unwrap_or_else(|e| e.into_inner()) =
            runners.iter().map(|(id, r)| (id.clone(), r.video.clone())).collect();
        let snapshot = Arc::new(collection.clone());
        Self {
            collection,
            formats,
            program,
            runners,
            slots: Default::default(),
            channels: HashMap::new(),
            active: 0,
            pending: None,
            running: None,
            events,
            news,
            shared,
            revision: 0,
            snapshot,
            held: Default::default(),
            chat: Vec::new(),
            monitor: None,
            monitor_device: None,
            monitor_program: false,
            monitor_retry: None,
            last_stats: (Instant::now(), 0),
            last_care: Instant::now(),
            sound_watch: Default::default(),
            rebuilt: Default::default(),
            playout: Default::default(),
            wipe_masks: HashMap::new(),
            stinger: None,
        }
    }

    pub fn emit(&self, event: Event) {
        if let Some(held) = self.held.borrow_mut().as_mut() {
            return held.push(event);
        }
        // A full queue means nobody reads: drop rather than grow.
        let _ = self.events.try_send(event);
    }

    fn report(&self, id: &SourceId, health: Option<Health>) {
        let Some(health) = health else { return };
        let name = self.collection.source(id).map(|s| s.name.clone()).unwrap_or_default();
        self.emit(match health {
            Health::Failed(cause) => Event::SourceFailed { source: id.clone(), name, cause },
            Health::Recovered => Event::SourceRecovered { source: id.clone(), name },
        });
    }

    /// Shows `scene` in the active slot at once (at start).
    pub fn show_first(&mut self, scene: &str) -> Result<(), EngineError> {
        self.load_slot(self.active, scene)?;
        self.emit(Event::ProgramScene(scene.to_owned()));
        self.publish_program_scene();
        Ok(())
    }

    pub fn run(mut self, inbox: Receiver<Message>) {
        self.emit(Event::State(StudioState::Running));
        loop {
            let retiring = self.slots.iter().any(|s| !s.retiring.is_empty());
            let busy =
                self.pending.is_some() || self.running.is_some() || self.playout.is_running() || retiring;
            let wait = if busy { Duration::from_millis(5) } else { Duration::from_millis(100) };
            match inbox.recv_timeout(wait) {
                Ok(Message::Command(command, reply)) => {
                    let (changes, what, started) =
                        (command.changes_collection(), command.name(), Instant::now());
                    self.held.replace(Some(Vec::new()));
                    let result = self.apply(*command);
                    let ms = started.elapsed().as_millis() as u64;
                    if ms >= 20 {
                        tracing::info!(command = what, ms, "a command took long to apply");
                    }
                    let held = self.held.take().unwrap_or_default();
                    if changes {
                        self.collection_changed();
                    }
                    held.into_iter().for_each(|e| self.emit(e));
                    self.publish_program_scene();
                    let (revision, collection) = (self.revision, self.snapshot.clone());
                    reply(result.map(|reply| Answer { reply, revision, collection }));
                }
                Ok(Message::News(news)) => {
                    let id = match &news {
                        ProducerNews::Failed { source, .. }
                        | ProducerNews::Ended { source, .. }
                        | ProducerNews::PassEnded { source, .. }
                        | ProducerNews::Prerolled { source, .. }
                        | ProducerNews::RestoreToken { source, .. } => source.clone(),
                    };
                    if let ProducerNews::RestoreToken { token, .. } = &news {
                        self.keep_restore_token(&id, token.clone());
                    }
                    let ended = matches!(news, ProducerNews::Ended { .. });
                    let health = self.runners.get_mut(&id).and_then(|r| r.on_news(news, &self.formats));
                    self.report(&id, health);
                    if ended {
                        self.media_ended(&id);
                    }
                }
                Ok(Message::Failed(element)) => self.rebuild_failed(&element),
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.step_playout();
            self.step_transition();
            self.drop_retired();
            self.care();
            self.restack_if_split_changed();
            self.publish_program_scene();
        }
        self.shutdown();
    }

    /// Tells everyone the collection changed, with the new one.
    fn collection_changed(&mut self) {
        self.playout.set_rundown(self.collection.rundown.clone());
        self.revision += 1;
        self.snapshot = Arc::new(self.collection.clone());
        self.emit(Event::CollectionChanged { revision: self.revision, collection: self.snapshot.clone() });
    }

    fn publish_program_scene(&self) {
        let now = &self.slots[self.active].scene;
        let mut shared = self.shared.program_scene.lock().unwrap_or_else(|e| e.into_inner());
        if shared.as_ref() != now.as_ref() {
            shared.clone_from(now);
        }
    }

    fn shutdown(&mut self) {
        let _ = self.program.pipeline.set_state(gst::State::Null);
        for slot in 0..2 {
            self.clear_slot(slot);
        }
        for runner in self.runners.values_mut() {
            runner.stop();
        }
        self.emit(Event::State(StudioState::Stopped));
        self.events.close();
    }

    /// Source retries and file checks twice a second, statistics every second.
    fn care(&mut self) {
        if self.last_care.elapsed() >= Duration::from_millis(500) {
            self.last_care = Instant::now();
            self.watch_sound();
            self.care_for_monitor();
            let ids: Vec<SourceId> = self.runners.keys().cloned().collect();
            for id in ids {
                let health = self.runners.get_mut(&id).and_then(|r| r.tick(&self.formats, &self.news));
                self.report(&id, health);
            }
        }
        let (since, frames_then) = self.last_stats;
        let elapsed = since.elapsed();
        if elapsed >= Duration::from_secs(1) {
            let frames = self.program.frames.load(Ordering::Relaxed);
            let fps = (frames - frames_then) as f64 / elapsed.as_secs_f64();
            let dropped = self.program.dropped.load(Ordering::Relaxed);
            self.last_stats = (Instant::now(), frames);
            self.emit(Event::Stats(Stats { fps, frames, dropped }));
        }
    }

    fn apply(&mut self, command: Command) -> Result<Reply, EngineError> {
        match command {
            Command::SwitchScene { scene, transition } => self.switch_scene(scene, transition),
            Command::UpdateItem { scene, item } => self.update_item(&scene, item),
            Command::AddItem { scene, item } => self.add_item(&scene, item),
            Command::RemoveItem { scene, item } => self.remove_item(&scene, item),
            Command::MoveItem { scene, item, index } => self.move_item(&scene, item, index),
            Command::UpdateSource(source) => self.update_source(source),
            Command::AddSource(source) => self.add_source(source),
            Command::RemoveSource(id) => self.remove_source(&id),
            Command::MonitorDevice(device) => {
                self.monitor = None;
                self.monitor_retry = None;
                self.monitor_device = device;
                self.refresh_monitor();
                Ok(Reply::Done)
            }
            Command::MonitorProgram(on) => {
                self.monitor_program = on;
                self.refresh_monitor();
                Ok(Reply::Done)
            }
            Command::Media { source, action } => {
                let runner = self.runners.get_mut(&source).ok_or(EditError::NoSuchSource(source.clone()))?;
                runner.control_media(action, &self.formats)?;
                Ok(Reply::Done)
            }
            Command::MediaStatus(source) => {
                let runner = self.runners.get(&source).ok_or(EditError::NoSuchSource(source.clone()))?;
                Ok(Reply::Media(runner.media_status()))
            }
            Command::SetVolume { source, volume, muted } => self.set_volume(&source, volume, muted),
            Command::RetrySource(id) => {
                let runner = self.runners.get_mut(&id).ok_or(EditError::NoSuchSource(id.clone()))?;
                let health = runner.retry(&self.formats, &self.news);
                self.report(&id, health);
                Ok(Reply::Done)
            }
            Command::AddScene(scene) => Ok(self.collection.add_scene(scene).map(|()| Reply::Done)?),
            Command::RemoveScene(name) => self.remove_scene(&name),
            Command::RenameScene { from, to } => self.rename_scene(&from, &to),
            Command::MoveScene { scene, index } => {
                Ok(self.collection.move_scene(&scene, index).map(|()| Reply::Done)?)
            }
            Command::AddSourceWithItem { source, scene, item } => {
                self.add_source_with_item(source, &scene, item)
            }
            Command::ShowChat(lines) => self.show_chat(lines),
            Command::SetRundown(rundown) => self.set_rundown(rundown),
            Command::Playout(action) => self.playout_action(action),
            Command::Batch(commands) => {
                let mut reply = Reply::Done;
                for command in commands {
                    reply = self.apply(command)?;
                }
                Ok(reply)
            }
            Command::PreviewScene(name) => self.preview_scene(&name),
            Command::TransitionToPreview(transition) => self.transition_to_preview(transition),
            Command::Collection => Ok(Reply::Collection(Box::new(self.collection.clone()))),
        }
    }

    /// Saves a portal restore token in the collection, so that the next
    /// start does not ask the user again.
    fn keep_restore_token(&mut self, id: &SourceId, token: Option<String>) {
        let Some(source) = self.collection.source_mut(id) else { return };
        if let crate::model::SourceKind::ScreenPortal { restore_token } = &mut source.kind {
            if *restore_token != token {
                *restore_token = token;
                self.emit(Event::SourceChanged { source: id.clone() });
                self.collection_changed();
            }
        }
    }

    // --- scenes in slots -------------------------------------------------

    fn load_slot(&mut self, slot: usize, name: &str) -> Result<(), EngineError> {
        let scene = self.collection.scene(name).ok_or_else(|| EditError::NoSuchScene(name.into()))?.clone();
        self.program.open_slot(slot)?;
        if slot == self.active {
            self.program.show_slot(slot);
        }
        self.slots[slot].scene = Some(name.to_owned());
        let stacking = self.stacking(&scene);
        self.program.compose_alpha(slot, stacking.compose_alpha);
        for (index, item) in scene.items.iter().enumerate() {
            self.add_layer(slot, item, index as u32, stacking.overlays.contains(&item.id));
        }
        self.slots[slot].stacking = stacking;
        Ok(())
    }

    /// Which of `scene`'s layers are overlays (by their sources' pictures).
    fn stacking(&self, scene: &crate::model::Scene) -> Stacking {
        Stacking::of(scene, |id| {
            let runner = self.runners.get(id)?;
            runner.source.kind.has_video().then_some(!runner.transparent)
        })
    }

    /// Restacks the scenes whose split between compositor and overlays
    /// changed since it was made: a source restarted with pictures that
    /// can now (or can no longer) be transparent, an image file replaced.
    fn restack_if_split_changed(&mut self) {
        for slot in 0..2 {
            let Some(name) = self.slots[slot].scene.clone() else { continue };
            let Some(scene) = self.collection.scene(&name) else { continue };
            if self.stacking(scene) != self.slots[slot].stacking {
                tracing::debug!(scene = %name, "a source's transparency changed: restacking");
                self.restack(&name);
            }
        }
    }

    fn clear_slot(&mut self, slot: usize) {
        let state = std::mem::take(&mut self.slots[slot]);
        for layer in state.layers.into_values().chain(state.retiring.into_iter().map(|(l, _)| l)) {
            self.drop_layer(layer);
        }
        for id in state.channels {
            self.release_channel(&id);
        }
        self.program.close_slot(slot);
    }

    fn slot_of(&self, scene: &str) -> Vec<usize> {
        (0..2).filter(|&s| self.slots[s].scene.as_deref() == Some(scene)).collect()
    }

    /// Adds an item's picture and sound to a slot; a failing source still
    /// gets its layer, which shows the placeholder.
    fn add_layer(&mut self, slot: usize, item: &SceneItem, zorder: u32, overlay: bool) {
        let Some(runner) = self.runners.get_mut(&item.source) else { return };
        let kind = runner.source.kind.clone();
        if kind.has_video() && item.width > 0 && item.height > 0 {
            match Layer::add(&self.program, slot, item, zorder, !runner.transparent, overlay) {
                Ok(layer) => {
                    runner.video.add(layer.consumer.clone());
                    let health = runner.acquire(&self.formats, &self.news);
                    self.slots[slot].layers.insert(item.id, layer);
                    self.report(&item.source, health);
                }
                Err(e) => self.emit(Event::Error(e.to_string())),
            }
        }
        if kind.has_audio() && !self.slots[slot].channels.contains(&item.source) {
            self.slots[slot].channels.push(item.source.clone());
            self.acquire_channel(&item.source);
        }
    }

    /// Drops `layer`, replaced in `slot`, once [`RETIRE_AFTER`] has passed.
    fn retire(&mut self, slot: usize, layer: Layer) {
        self.slots[slot].retiring.push((layer, Instant::now() + RETIRE_AFTER));
    }

    fn drop_retired(&mut self) {
        let now = Instant::now();
        for slot in 0..2 {
            let (due, kept): (Vec<_>, Vec<_>) =
                std::mem::take(&mut self.slots[slot].retiring).into_iter().partition(|(_, at)| *at <= now);
            self.slots[slot].retiring = kept;
            for (layer, _) in due {
                self.drop_layer(layer);
            }
        }
    }

    fn drop_layer(&mut self, layer: Layer) {
        if let Some(runner) = self.runners.get_mut(&layer.source) {
            runner.video.remove(&layer.consumer);
            runner.release();
        }
        layer.remove(&self.program);
    }

    fn acquire_channel(&mut self, id: &SourceId) {
        if let Some((_, users)) = self.channels.get_mut(id) {
            *users += 1;
            return;
        }
        let Some(runner) = self.runners.get_mut(id) else { return };
        let audio = self.collection.audio;
        let (volume, muted) =
            (runner.source.volume, runner.source.muted || !runner.source.monitor.in_program());
        match Channel::add(&self.program, id, volume, muted, audio.sample_rate, audio.channels) {
            Ok(channel) => {
                runner.audio.add(channel.consumer.clone());
                let health = runner.acquire(&self.formats, &self.news);
                self.channels.insert(id.clone(), (channel, 1));
                self.report(id, health);
                self.refresh_monitor();
            }
            Err(e) => self.emit(Event::Error(e.to_string())),
        }
    }

    fn release_channel(&mut self, id: &SourceId) {
        let Some((_, users)) = self.channels.get_mut(id) else { return };
        *users -= 1;
        if *users > 0 {
            return;
        }
        let Some((channel, _)) = self.channels.remove(id) else { return };
        if let Some(runner) = self.runners.get_mut(id) {
            runner.audio.remove(&channel.consumer);
            runner.release();
        }
        channel.remove(&self.program);
        self.refresh_monitor();
    }

    /// A monitoring device that went away mid-show is let go (said once)
    /// and tried again until it comes back.
    fn care_for_monitor(&mut self) {
        if let Some(failure) = self.monitor.as_ref().and_then(Monitor::failure) {
            tracing::warn!(%failure, "the monitoring device went away");
            self.monitor = None;
            if self.monitor_retry.is_none() {
                self.emit(Event::Error(format!("monitoring stopped: {failure}")));
            }
            self.monitor_retry = Some(Instant::now() + MONITOR_RETRY);
        }
        if self.monitor.is_none() && self.monitor_retry.is_some_and(|at| Instant::now() >= at) {
            self.refresh_monitor();
        }
    }

    /// Hears on the monitoring device the sources that are monitored and
    /// in the program or the preview now, and the program's mix when it is
    /// asked for (then the sources already in it are not heard twice);
    /// none: the device is let go.
    fn refresh_monitor(&mut self) {
        let program = self.monitor_program;
        let mut wanted: Vec<(SourceId, f64, bool)> = self
            .channels
            .keys()
            .filter_map(|id| self.collection.source(id))
            .filter(|s| !s.monitor.is_off())
            // Heard in the program's mix already, when that is monitored.
            .filter(|s| !(program && s.monitor.in_program()))
            .map(|s| (s.id.clone(), s.volume, s.muted))
            .collect();
        if program {
            wanted.push((program_mix(), 1.0, false));
        }
        if wanted.is_empty() {
            self.monitor = None;
            return;
        }
        let due = self.monitor_retry.is_none_or(|at| Instant::now() >= at);
        if self.monitor.is_none() && due {
            let audio = self.collection.audio;
            match Monitor::start(self.monitor_device.as_deref(), audio.sample_rate, audio.channels) {
                Ok(monitor) => {
                    if self.monitor_retry.take().is_some() {
                        tracing::info!("monitoring is back");
                    }
                    self.monitor = Some(monitor);
                }
                Err(e) => {
                    // Said the first time; tried again quietly after that.
                    if self.monitor_retry.is_none() {
                        self.emit(Event::Error(e.to_string()));
                    }
                    self.monitor_retry = Some(Instant::now() + MONITOR_RETRY);
                }
            }
        }
        let Some(monitor) = self.monitor.as_mut() else { return };
        let mut problems = Vec::new();
        let mix = program_mix();
        let fanout_of = |id: &SourceId| match *id == mix {
            true => Some(&self.program.audio),
            false => self.runners.get(id).map(|r| &r.audio),
        };
        for id in monitor.sources() {
            if !wanted.iter().any(|(w, ..)| *w == id) {
                monitor.remove(&id, fanout_of(&id));
            }
        }
        for (id, volume, muted) in &wanted {
            if let Some(fanout) = fanout_of(id) {
                if let Err(e) = monitor.add(id, fanout, *volume, *muted) {
                    problems.push(e.to_string());
                }
            }
        }
        for problem in problems {
            self.emit(Event::Error(problem));
        }
    }

    // --- transitions -----------------------------------------------------

    fn switch_scene(&mut self, scene: String, transition: Transition) -> Result<Reply, EngineError> {
        if self.collection.scene(&scene).is_none() {
            return Err(EditError::NoSuchScene(scene).into());
        }
        self.complete_transition();
        if self.slots[self.active].scene.as_deref() == Some(scene.as_str()) {
            return Ok(Reply::Done);
        }
        let slot = 1 - self.active;
        // In studio mode the scene may be waiting in the idle slot already.
        if self.slots[slot].scene.as_deref() != Some(scene.as_str()) {
            self.load_idle_slot(&scene)?;
        }
        let transition = self.with_wipe_mask(transition);
        let transition = self.with_stinger(transition);
        let deadline = Instant::now() + Duration::from_secs(1);
        self.pending = Some(Pending { scene, transition, slot, deadline, at: None });
        Ok(Reply::Done)
    }

    /// `transition`, its stinger opened (its first picture decoded); a
    /// file that cannot be played is told, and the program fades instead.
    fn with_stinger(&mut self, transition: Transition) -> Transition {
        self.drop_stinger();
        let TransitionKind::Stinger { file, .. } = &transition.kind else { return transition };
        let canvas = (self.formats.canvas.width, self.formats.canvas.height);
        let mut caps = self.formats.video_caps(true, Some(canvas));
        caps.make_mut().set("pixel-aspect-ratio", gst::Fraction::new(1, 1));
        let clock = self.program.pipeline.clock().unwrap_or_else(gst::SystemClock::obtain);
        match Stinger::open(file, &caps, &self.formats.audio_caps(), &clock) {
            Ok(stinger) => {
                self.stinger = Some(stinger);
                transition
            }
            Err(e) => {
                tracing::warn!(%e, "stinger");
                self.emit(Event::Error(format!("{e}; the scenes fade instead")));
                Transition::fade(transition.duration_ms.max(300))
            }
        }
    }

    /// `transition`, its luma wipe's picture decoded (once per picture); a
    /// picture that cannot be read is told, and the program fades instead.
    fn with_wipe_mask(&mut self, transition: Transition) -> Transition {
        let TransitionKind::LumaWipe { picture } = &transition.kind else { return transition };
        if self.wipe_masks.contains_key(picture) {
            return transition;
        }
        let canvas = (self.formats.canvas.width, self.formats.canvas.height);
        match LumaMask::load(picture, canvas) {
            Ok(mask) => {
                self.wipe_masks.insert(picture.clone(), Arc::new(mask));
                transition
            }
            Err(e) => {
                tracing::warn!(%e, "luma wipe picture");
                self.emit(Event::Error(format!("{e}; the scenes fade instead")));
                Transition::fade(transition.duration_ms)
            }
        }
    }

    /// Loads `scene` into the slot the program does not show.
    fn load_idle_slot(&mut self, scene: &str) -> Result<(), EngineError> {
        let slot = 1 - self.active;
        self.clear_slot(slot);
        self.load_slot(slot, scene)
    }

    /// Studio mode: composes `scene` in the idle slot and shows it on the
    /// preview, without touching the program.
    fn preview_scene(&mut self, scene: &str) -> Result<Reply, EngineError> {
        if self.collection.scene(scene).is_none() {
            return Err(EditError::NoSuchScene(scene.into()).into());
        }
        self.complete_transition();
        let slot = if self.slots[self.active].scene.as_deref() == Some(scene) {
            self.active
        } else {
            if self.slots[1 - self.active].scene.as_deref() != Some(scene) {
                self.load_idle_slot(scene)?;
            }
            1 - self.active
        };
        self.program.preview.set_current(slot as u64 + 1);
        if self.slots[slot].layers.is_empty() {
            self.program.preview_black();
        }
        self.emit(Event::PreviewScene(scene.to_owned()));
        Ok(Reply::Done)
    }

    /// Studio mode: sends the previewed scene to the program.
    fn transition_to_preview(&mut self, transition: Transition) -> Result<Reply, EngineError> {
        self.complete_transition();
        match self.slots[1 - self.active].scene.clone() {
            Some(scene) => self.switch_scene(scene, transition),
            None => Err(EngineError::Invalid("nothing is in the preview".into())),
        }
    }

    /// Starts a pending transition once every incoming layer has a picture
    /// (or after a second), and ends a running one when its time is over.
    fn step_transition(&mut self) {
        if let Some(p) = &self.pending {
            let ready = self.slots[p.slot].layers.values().all(|l| l.consumer.pushed() > 0);
            if ready || Instant::now() >= p.deadline {
                let Some(p) = self.pending.take() else { return };
                let now = self.program.running_time();
                let outgoing = self.program.mixer_pad(self.active);
                let incoming = self.program.mixer_pad(p.slot);
                let (start, end) = match p.at.filter(|at| *at > now) {
                    Some(at) => (at, transition::cut_at(outgoing, incoming, at)),
                    None if matches!(p.transition.kind, TransitionKind::Stinger { .. }) => {
                        (now, self.play_stinger(&p.transition, p.slot, now))
                    }
                    None => {
                        let end = transition::begin(
                            &p.transition,
                            outgoing,
                            incoming,
                            self.formats.canvas.width,
                            now,
                        );
                        if let (TransitionKind::LumaWipe { picture }, Some(incoming)) =
                            (&p.transition.kind, incoming)
                        {
                            if let (Some(mask), true) = (self.wipe_masks.get(picture), end > now) {
                                self.program.wipe.start(mask.clone(), incoming, now, end);
                            }
                        }
                        (now, end)
                    }
                };
                let duration = match p.transition.kind {
                    TransitionKind::Stinger { .. } => Duration::from_nanos((end - start).nseconds()),
                    _ => Duration::from_millis(p.transition.duration_ms.into()),
                };
                self.emit(Event::TransitionStarted {
                    scene: p.scene.clone(),
                    clock_time: self.program.clock_time_of(start).nseconds(),
                    duration,
                });
                tracing::info!(scene = %p.scene, kind = ?p.transition.kind, "transition started");
                self.running = Some(Running { scene: p.scene, slot: p.slot, end });
            }
        }
        // A stinger that breaks while it plays would leave its last
        // picture over the program until its planned end: it ends now.
        if let (Some(_), Some(failure)) = (&self.running, self.stinger.as_ref().and_then(Stinger::failure)) {
            tracing::warn!(%failure, "the stinger stopped");
            self.emit(Event::Error(format!("the stinger stopped: {failure}")));
            self.complete_transition();
        }
        // Leave time for the frames of the transition's last moment to be composed.
        let margin = gst::ClockTime::from_mseconds(150);
        if self.running.as_ref().is_some_and(|r| self.program.running_time() >= r.end + margin) {
            self.complete_transition();
        }
    }

    /// Plays the stinger over the program from `start` and sets the cut
    /// beneath it; returns when it ends (the file's end, or the cut point
    /// when the file does not say how long it is).
    fn play_stinger(
        &mut self,
        transition: &Transition,
        incoming: usize,
        start: gst::ClockTime,
    ) -> gst::ClockTime {
        let TransitionKind::Stinger { cut_ms, .. } = transition.kind else { return start };
        let cut = start + gst::ClockTime::from_mseconds(cut_ms.into());
        let outgoing = self.program.mixer_pad(self.active);
        transition::cut_at(outgoing, self.program.mixer_pad(incoming), cut);
        let audio = self.collection.audio;
        let Some(stinger) = &mut self.stinger else { return cut };
        if let Some(sound) = stinger.sound() {
            // Heard in the program while it plays (an id no source can have).
            let id = SourceId::new("@stinger");
            match Channel::add(&self.program, &id, 1.0, false, audio.sample_rate, audio.channels) {
                Ok(channel) => {
                    sound.add(channel.consumer.clone());
                    stinger.channel = Some(channel);
                }
                Err(e) => tracing::warn!(%e, "the stinger's sound"),
            }
        }
        stinger.play(self.program.pipeline.base_time().unwrap_or_default(), start);
        self.program.mixer_overlays.lock().unwrap_or_else(|e| e.into_inner()).push(stinger.overlay.clone());
        stinger.duration.map_or(cut, |d| (start + d).max(cut))
    }

    /// Takes the stinger's picture and sound out of the program, if one is there.
    fn drop_stinger(&mut self) {
        let Some(mut stinger) = self.stinger.take() else { return };
        let mut shown = self.program.mixer_overlays.lock().unwrap_or_else(|e| e.into_inner());
        shown.retain(|o| !Arc::ptr_eq(o, &stinger.overlay));
        drop(shown);
        if let (Some(channel), Some(sound)) = (stinger.channel.take(), stinger.sound()) {
            sound.remove(&channel.consumer);
            channel.remove(&self.program);
        }
    }

    /// Ends the pending or running transition at once.
    fn complete_transition(&mut self) {
        if let Some(p) = self.pending.take() {
            let start = self.program.running_time();
            let outgoing = self.program.mixer_pad(self.active);
            let incoming = self.program.mixer_pad(p.slot);
            transition::begin(&Transition::CUT, outgoing, incoming, self.formats.canvas.width, start);
            self.running = Some(Running { scene: p.scene, slot: p.slot, end: start });
        }
        self.drop_stinger();
        let Some(r) = self.running.take() else { return };
        let outgoing = self.active;
        self.program.wipe.stop();
        transition::finish(self.program.mixer_pad(outgoing), self.program.mixer_pad(r.slot));
        self.clear_slot(outgoing);
        self.active = r.slot;
        // The preview (studio mode) now shows what the program shows.
        if self.program.preview.current() != 0 {
            self.program.preview.set_current(self.active as u64 + 1);
        }
        self.emit(Event::ProgramScene(r.scene));
    }

    fn rename_scene(&mut self, from: &str, to: &str) -> Result<Reply, EngineError> {
        let to = self.collection.rename_scene(from, to)?;
        for slot in &mut self.slots {
            if slot.scene.as_deref() == Some(from) {
                slot.scene = Some(to.clone());
            }
        }
        for name in [self.pending.as_mut().map(|p| &mut p.scene), self.running.as_mut().map(|r| &mut r.scene)]
            .into_iter()
            .flatten()
        {
            if name == from {
                *name = to.clone();
            }
        }
        Ok(Reply::Done)
    }

    fn remove_scene(&mut self, name: &str) -> Result<Reply, EngineError> {
        if self.collection.scene(name).is_none() {
            return Err(EditError::NoSuchScene(name.into()).into());
        }
        self.complete_transition();
        if self.slots[self.active].scene.as_deref() == Some(name) {
            let next = self.collection.scenes.iter().map(|s| s.name.clone()).find(|n| n != name);
            match next {
                Some(next) => {
                    self.switch_scene(next, Transition::CUT)?;
                    self.complete_transition();
                }
                None => self.clear_slot(self.active),
            }
        }
        self.collection.remove_scene(name)?;
        Ok(Reply::Done)
    }

    // --- live edits ------------------------------------------------------

    fn update_item(&mut self, scene: &str, item: SceneItem) -> Result<Reply, EngineError> {
        let old = self.collection.update_item(scene, item.clone())?;
        if old.source != item.source || (old.width == 0) != (item.width == 0) {
            for slot in self.slot_of(scene) {
                if let Some(layer) = self.slots[slot].layers.remove(&item.id) {
                    self.drop_layer(layer);
                }
            }
        }
        self.restack(scene);
        Ok(Reply::Done)
    }

    fn add_item(&mut self, scene: &str, item: SceneItem) -> Result<Reply, EngineError> {
        let source = item.source.clone();
        let id = self.collection.add_item(scene, item)?;
        self.item_added(scene, &source);
        Ok(Reply::Item(id))
    }

    /// The pipelines' side of a new item: its source's picture size, its layers.
    fn item_added(&mut self, scene: &str, source: &SourceId) {
        let size = size_hint(&self.collection, source);
        if let Some(runner) = self.runners.get_mut(source) {
            runner.size = size;
        }
        // Restacking gives the new item its layers.
        self.restack(scene);
    }

    fn remove_item(&mut self, scene: &str, id: ItemId) -> Result<Reply, EngineError> {
        let item = self.collection.remove_item(scene, id)?;
        let still_uses_source =
            self.collection.scene(scene).is_some_and(|s| s.items.iter().any(|i| i.source == item.source));
        for slot in self.slot_of(scene) {
            if let Some(layer) = self.slots[slot].layers.remove(&id) {
                self.drop_layer(layer);
            }
            if !still_uses_source && self.slots[slot].channels.contains(&item.source) {
                self.slots[slot].channels.retain(|c| c != &item.source);
                self.release_channel(&item.source);
            }
        }
        self.restack(scene);
        Ok(Reply::Done)
    }

    fn move_item(&mut self, scene: &str, id: ItemId, index: usize) -> Result<Reply, EngineError> {
        self.collection.move_item(scene, id, index)?;
        self.restack(scene);
        Ok(Reply::Done)
    }

    /// Gives every layer of `scene` the stacking of its item's index, and
    /// its side of the split between compositor and overlays: a layer that
    /// changes sides (or whose pictures became transparent or opaque) is
    /// built anew, then the old one goes (the source keeps running). Items
    /// without a layer get one.
    fn restack(&mut self, scene: &str) {
        let Some(s) = self.collection.scene(scene).cloned() else { return };
        let stacking = self.stacking(&s);
        for slot in self.slot_of(scene) {
            self.program.compose_alpha(slot, stacking.compose_alpha);
            for (index, item) in s.items.iter().enumerate() {
                let (zorder, overlay) = (index as u32, stacking.overlays.contains(&item.id));
                let opaque = self.runners.get(&item.source).is_some_and(|r| !r.transparent);
                match self.slots[slot].layers.remove(&item.id) {
                    Some(layer) if layer.is_overlay() == overlay && layer.is_opaque() == opaque => {
                        layer.apply(item, zorder);
                        self.slots[slot].layers.insert(item.id, layer);
                    }
                    Some(layer) => {
                        self.add_layer(slot, item, zorder, overlay);
                        self.retire(slot, layer);
                    }
                    None => self.add_layer(slot, item, zorder, overlay),
                }
            }
            self.slots[slot].stacking = stacking.clone();
        }
    }

    fn add_source(&mut self, source: Source) -> Result<Reply, EngineError> {
        self.collection.add_source(source.clone())?;
        self.source_added(source);
        Ok(Reply::Done)
    }

    /// A source and its item, both or neither.
    fn add_source_with_item(
        &mut self,
        source: Source,
        scene: &str,
        item: SceneItem,
    ) -> Result<Reply, EngineError> {
        let id = self.collection.add_source_with_item(source.clone(), scene, item)?;
        let source_id = source.id.clone();
        self.source_added(source);
        self.item_added(scene, &source_id);
        Ok(Reply::Item(id))
    }

    /// The pipelines' side of a new source: its runner and its sound's tap.
    fn source_added(&mut self, source: Source) {
        let size = size_hint(&self.collection, &source.id);
        let runner = Runner::new(as_drawn(&source, &self.chat), size);
        if source.kind.has_audio() {
            let tap = (source.id.clone(), source.name.clone(), runner.audio.clone());
            self.shared.audio.lock().unwrap_or_else(|e| e.into_inner()).push(tap);
        }
        self.shared
            .video
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(source.id.clone(), runner.video.clone());
        self.runners.insert(source.id.clone(), runner);
    }

    /// Removes every item showing the source, then the source itself: its
    /// pipeline stops and its sound leaves the meters and podcasts' list.
    fn remove_source(&mut self, id: &SourceId) -> Result<Reply, EngineError> {
        if self.collection.source(id).is_none() {
            return Err(EditError::NoSuchSource(id.clone()).into());
        }
        let showing: Vec<(String, ItemId)> = self
            .collection
            .scenes
            .iter()
            .flat_map(|s| s.items.iter().filter(|i| &i.source == id).map(|i| (s.name.clone(), i.id)))
            .collect();
        for (scene, item) in showing {
            self.remove_item(&scene, item)?;
        }
        self.collection.remove_source(id)?;
        if let Some(mut runner) = self.runners.remove(id) {
            runner.stop();
        }
        self.shared.audio.lock().unwrap_or_else(|e| e.into_inner()).retain(|(tap, ..)| tap != id);
        self.shared.video.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        tracing::info!(source = %id, "source removed");
        Ok(Reply::Done)
    }

    fn update_source(&mut self, source: Source) -> Result<Reply, EngineError> {
        let id = source.id.clone();
        self.collection.update_source(source.clone())?;
        if let Some((channel, _)) = self.channels.get(&id) {
            channel.set_volume(source.volume, source.muted || !source.monitor.in_program());
        }
        let runner = self.runners.get_mut(&id).ok_or_else(|| EditError::NoSuchSource(id.clone()))?;
        let was_transparent = runner.transparent;
        let health = runner.update(as_drawn(&source, &self.chat), &self.formats, &self.news);
        let restack = runner.transparent != was_transparent;
        self.report(&id, health);
        self.refresh_monitor();
        if restack {
            // Its layers blend (or stop blending) its pictures' alpha.
            let scenes: Vec<String> = (0..2).filter_map(|s| self.slots[s].scene.clone()).collect();
            for scene in scenes {
                self.restack(&scene);
            }
        }
        Ok(Reply::Done)
    }

    /// The audience's chat changed: every chat source draws it.
    fn show_chat(&mut self, lines: Vec<String>) -> Result<Reply, EngineError> {
        let kept = lines.len().saturating_sub(CHAT_KEPT);
        self.chat = lines[kept..].to_vec();
        let chats: Vec<Source> = self
            .collection
            .sources
            .iter()
            .filter(|s| matches!(s.kind, SourceKind::Chat { .. }))
            .cloned()
            .collect();
        for source in chats {
            if let Some(runner) = self.runners.get_mut(&source.id) {
                let health = runner.update(as_drawn(&source, &self.chat), &self.formats, &self.news);
                self.report(&source.id, health);
            }
        }
        Ok(Reply::Done)
    }

    fn set_volume(
        &mut self,
        id: &SourceId,
        volume: Option<f64>,
        muted: Option<bool>,
    ) -> Result<Reply, EngineError> {
        let mut source =
            self.collection.source(id).ok_or_else(|| EditError::NoSuchSource(id.clone()))?.clone();
        if let Some(v) = volume {
            if !v.is_finite() || v < 0.0 {
                return Err(EngineError::Invalid(format!("volume {v} is not a level from 0 up")));
            }
            source.volume = v;
        }
        if let Some(m) = muted {
            source.muted = m;
        }
        self.update_source(source)
    }
}

/// The most chat messages kept for chat sources.
const CHAT_KEPT: usize = 50;

/// A source as its runner draws it: a chat is the text of its messages.
fn as_drawn(source: &Source, chat: &[String]) -> Source {
    match source.kind.chat_as_text(chat) {
        Some(kind) => Source { kind, ..source.clone() },
        None => source.clone(),
    }
}

fn runners_tap(
    runners: &HashMap<SourceId, Runner>,
    source: &Source,
) -> Option<(SourceId, String, Arc<Fanout>)> {
    let runner = runners.get(&source.id)?;
    Some((source.id.clone(), source.name.clone(), runner.audio.clone()))
}

/// The largest size any item shows `source` at, within the canvas: the size
/// generated pictures are made at (one picture pixel per canvas pixel, the
/// cropped-off part included).
fn size_hint(collection: &SceneCollection, source: &SourceId) -> (u32, u32) {
    let canvas = (collection.video.width, collection.video.height);
    let largest = collection.scenes.iter().flat_map(|s| &s.items).filter(|i| &i.source == source).fold(
        (0, 0),
        |(w, h), i| {
            let (c, shown) = (i.crop, i.width > 0 && i.height > 0);
            let whole = (i.width + c.left + c.right, i.height + c.top + c.bottom);
            if shown {
                (w.max(whole.0), h.max(whole.1))
            } else {
                (w, h)
            }
        },
    );
    match largest {
        (0, _) | (_, 0) => canvas,
        (w, h) => (w.min(canvas.0), h.min(canvas.1)),
    }
}

/// Turns a `level` element message into an event.
pub(crate) fn level_event(msg: &gst::MessageRef) -> Option<Event> {
    let s = msg.structure()?;
    if s.name() != "level" {
        return None;
    }
    let name = msg.src()?.name();
    let name = name.strip_prefix("level-")?;
    let source = (name != "program").then(|| SourceId::new(name));
    let list = |field: &str| -> Vec<f64> {
        s.get::<glib::ValueArray>(field)
            .map(|a| a.iter().filter_map(|v| v.get::<f64>().ok()).collect())
            .unwrap_or_default()
    };
    Some(Event::Levels { source, levels: Levels { peak_db: list("peak"), rms_db: list("rms") } })
}
