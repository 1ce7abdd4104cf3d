//! The engine's single owner of state: it applies commands, reacts to the
//! sources' news and runs transitions, on one thread, so that nothing in the
//! pipelines is ever changed from two places at once.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gst::prelude::*;

use super::error::EngineError;
use super::events::{Event, Levels, Stats, StudioState};
use super::fanout::Fanout;
use super::producer::Formats;
use super::program::{Channel, Layer, Program};
use super::runner::{Health, NewsSink, ProducerNews, Runner};
use super::stacking::Stacking;
use super::transition;
use super::{Command, Reply};
use crate::model::{ItemId, SceneCollection, SceneItem, Source, SourceId, Transition};

/// The sound of every source that makes some, for outputs that record
/// sources apart (podcasts): id, name and the source's audio fan-out.
pub(crate) type AudioTaps = Arc<Mutex<Vec<(SourceId, String, Arc<Fanout>)>>>;

pub(crate) enum Message {
    Command(Command, std::sync::mpsc::Sender<Result<Reply, EngineError>>),
    News(ProducerNews),
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
}

struct Pending {
    scene: String,
    transition: Transition,
    slot: usize,
    deadline: Instant,
}

struct Running {
    scene: String,
    slot: usize,
    end: gst::ClockTime,
}

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
    taps: AudioTaps,
    last_stats: (Instant, u64),
    last_care: Instant,
}

impl Supervisor {
    pub fn new(
        collection: SceneCollection,
        formats: Formats,
        program: Program,
        events: async_channel::Sender<Event>,
        news: NewsSink,
        taps: AudioTaps,
    ) -> Self {
        let runners: HashMap<SourceId, Runner> = collection
            .sources
            .iter()
            .map(|s| (s.id.clone(), Runner::new(s.clone(), size_hint(&collection, &s.id))))
            .collect();
        let supervisor_taps: Vec<_> = collection
            .sources
            .iter()
            .filter(|s| s.kind.has_audio())
            .filter_map(|s| runners_tap(&runners, s))
            .collect();
        *taps.lock().unwrap_or_else(|e| e.into_inner()) = supervisor_taps;
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
            taps,
            last_stats: (Instant::now(), 0),
            last_care: Instant::now(),
        }
    }

    pub fn emit(&self, event: Event) {
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
        Ok(())
    }

    pub fn run(mut self, inbox: Receiver<Message>) {
        self.emit(Event::State(StudioState::Running));
        loop {
            let busy = self.pending.is_some() || self.running.is_some();
            let wait = if busy { Duration::from_millis(5) } else { Duration::from_millis(100) };
            match inbox.recv_timeout(wait) {
                Ok(Message::Command(command, reply)) => {
                    let result = self.apply(command);
                    let _ = reply.send(result);
                }
                Ok(Message::News(news)) => {
                    let id = match &news {
                        ProducerNews::Failed { source, .. }
                        | ProducerNews::Ended { source, .. }
                        | ProducerNews::RestoreToken { source, .. } => source.clone(),
                    };
                    if let ProducerNews::RestoreToken { token, .. } = &news {
                        self.keep_restore_token(&id, token.clone());
                    }
                    let health = self.runners.get_mut(&id).and_then(|r| r.on_news(news, &self.formats));
                    self.report(&id, health);
                }
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.step_transition();
            self.care();
            self.restack_if_split_changed();
        }
        self.shutdown();
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
            Command::SetVolume { source, volume, muted } => self.set_volume(&source, volume, muted),
            Command::RetrySource(id) => {
                let runner = self.runners.get_mut(&id).ok_or(EngineError::NoSuchSource(id.clone()))?;
                let health = runner.retry(&self.formats, &self.news);
                self.report(&id, health);
                Ok(Reply::Done)
            }
            Command::AddScene(scene) => {
                if scene.name.trim().is_empty() || self.collection.scene(&scene.name).is_some() {
                    return Err(EngineError::Invalid(format!(
                        "a scene needs a new, non-empty name (`{}`)",
                        scene.name
                    )));
                }
                if let Some(item) = scene.items.iter().find(|i| self.collection.source(&i.source).is_none()) {
                    return Err(EngineError::NoSuchSource(item.source.clone()));
                }
                self.collection.scenes.push(scene);
                Ok(Reply::Done)
            }
            Command::RemoveScene(name) => self.remove_scene(&name),
            Command::RenameScene { from, to } => self.rename_scene(&from, to),
            Command::MoveScene { scene, index } => {
                let from = self
                    .collection
                    .scenes
                    .iter()
                    .position(|s| s.name == scene)
                    .ok_or(EngineError::NoSuchScene(scene))?;
                let moved = self.collection.scenes.remove(from);
                let to = index.min(self.collection.scenes.len());
                self.collection.scenes.insert(to, moved);
                Ok(Reply::Done)
            }
            Command::PreviewScene(name) => self.preview_scene(&name),
            Command::TransitionToPreview(transition) => self.transition_to_preview(transition),
            Command::Collection => Ok(Reply::Collection(Box::new(self.collection.clone()))),
            Command::ProgramScene => Ok(Reply::Scene(self.slots[self.active].scene.clone())),
            Command::SourceSize(id) => {
                Ok(Reply::Size(self.runners.get(&id).and_then(|r| r.video.frame_size())))
            }
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
            }
        }
    }

    // --- scenes in slots -------------------------------------------------

    fn load_slot(&mut self, slot: usize, name: &str) -> Result<(), EngineError> {
        let scene = self.collection.scene(name).ok_or_else(|| EngineError::NoSuchScene(name.into()))?.clone();
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
        for (_, layer) in state.layers {
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
        let (volume, muted) = (runner.source.volume, runner.source.muted);
        match Channel::add(&self.program, id, volume, muted, audio.sample_rate, audio.channels) {
            Ok(channel) => {
                runner.audio.add(channel.consumer.clone());
                let health = runner.acquire(&self.formats, &self.news);
                self.channels.insert(id.clone(), (channel, 1));
                self.report(id, health);
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
    }

    // --- transitions -----------------------------------------------------

    fn switch_scene(&mut self, scene: String, transition: Transition) -> Result<Reply, EngineError> {
        if self.collection.scene(&scene).is_none() {
            return Err(EngineError::NoSuchScene(scene));
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
        let deadline = Instant::now() + Duration::from_secs(1);
        self.pending = Some(Pending { scene, transition, slot, deadline });
        Ok(Reply::Done)
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
            return Err(EngineError::NoSuchScene(scene.into()));
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
                let start = self.program.running_time();
                let outgoing = self.program.mixer_pad(self.active);
                let incoming = self.program.mixer_pad(p.slot);
                let end =
                    transition::begin(p.transition, outgoing, incoming, self.formats.canvas.width, start);
                self.emit(Event::TransitionStarted {
                    scene: p.scene.clone(),
                    clock_time: self.program.clock_time_of(start).nseconds(),
                    duration: Duration::from_millis(p.transition.duration_ms.into()),
                });
                tracing::info!(scene = %p.scene, kind = ?p.transition.kind, "transition started");
                self.running = Some(Running { scene: p.scene, slot: p.slot, end });
            }
        }
        // Leave time for the frames of the transition's last moment to be composed.
        let margin = gst::ClockTime::from_mseconds(150);
        if self.running.as_ref().is_some_and(|r| self.program.running_time() >= r.end + margin) {
            self.complete_transition();
        }
    }

    /// Ends the pending or running transition at once.
    fn complete_transition(&mut self) {
        if let Some(p) = self.pending.take() {
            let start = self.program.running_time();
            let outgoing = self.program.mixer_pad(self.active);
            let incoming = self.program.mixer_pad(p.slot);
            transition::begin(Transition::CUT, outgoing, incoming, self.formats.canvas.width, start);
            self.running = Some(Running { scene: p.scene, slot: p.slot, end: start });
        }
        let Some(r) = self.running.take() else { return };
        let outgoing = self.active;
        transition::finish(self.program.mixer_pad(outgoing), self.program.mixer_pad(r.slot));
        self.clear_slot(outgoing);
        self.active = r.slot;
        // The preview (studio mode) now shows what the program shows.
        if self.program.preview.current() != 0 {
            self.program.preview.set_current(self.active as u64 + 1);
        }
        self.emit(Event::ProgramScene(r.scene));
    }

    fn rename_scene(&mut self, from: &str, to: String) -> Result<Reply, EngineError> {
        let to = to.trim().to_owned();
        if to.is_empty() || (to != from && self.collection.scene(&to).is_some()) {
            return Err(EngineError::Invalid(format!("a scene needs a new, non-empty name (`{to}`)")));
        }
        self.scene_mut(from)?.name = to.clone();
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
            return Err(EngineError::NoSuchScene(name.into()));
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
        self.collection.scenes.retain(|s| s.name != name);
        Ok(Reply::Done)
    }

    // --- live edits ------------------------------------------------------

    fn scene_mut(&mut self, scene: &str) -> Result<&mut crate::model::Scene, EngineError> {
        self.collection.scene_mut(scene).ok_or_else(|| EngineError::NoSuchScene(scene.into()))
    }

    fn update_item(&mut self, scene: &str, item: SceneItem) -> Result<Reply, EngineError> {
        let s = self.scene_mut(scene)?;
        let index = s
            .items
            .iter()
            .position(|i| i.id == item.id)
            .ok_or(EngineError::NoSuchItem { scene: scene.into(), item: item.id.0 })?;
        let old = std::mem::replace(&mut s.items[index], item.clone());
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

    fn add_item(&mut self, scene: &str, mut item: SceneItem) -> Result<Reply, EngineError> {
        if self.collection.source(&item.source).is_none() {
            return Err(EngineError::NoSuchSource(item.source));
        }
        let s = self.scene_mut(scene)?;
        if item.id.0 == 0 || s.item(item.id).is_some() {
            item.id = s.next_item_id();
        }
        s.items.push(item.clone());
        let size = size_hint(&self.collection, &item.source);
        if let Some(runner) = self.runners.get_mut(&item.source) {
            runner.size = size;
        }
        // Restacking gives the new item its layers.
        self.restack(scene);
        Ok(Reply::Item(item.id))
    }

    fn remove_item(&mut self, scene: &str, id: ItemId) -> Result<Reply, EngineError> {
        let s = self.scene_mut(scene)?;
        let index = s
            .items
            .iter()
            .position(|i| i.id == id)
            .ok_or(EngineError::NoSuchItem { scene: scene.into(), item: id.0 })?;
        let item = s.items.remove(index);
        let still_uses_source = s.items.iter().any(|i| i.source == item.source);
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
        let s = self.scene_mut(scene)?;
        let from = s
            .items
            .iter()
            .position(|i| i.id == id)
            .ok_or(EngineError::NoSuchItem { scene: scene.into(), item: id.0 })?;
        let item = s.items.remove(from);
        let to = index.min(s.items.len());
        s.items.insert(to, item);
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
                        self.drop_layer(layer);
                    }
                    None => self.add_layer(slot, item, zorder, overlay),
                }
            }
            self.slots[slot].stacking = stacking.clone();
        }
    }

    fn add_source(&mut self, source: Source) -> Result<Reply, EngineError> {
        if self.collection.source(&source.id).is_some() {
            return Err(EngineError::Invalid(format!("a source with id `{}` exists already", source.id)));
        }
        self.collection.sources.push(source.clone());
        let size = size_hint(&self.collection, &source.id);
        let runner = Runner::new(source.clone(), size);
        if source.kind.has_audio() {
            let tap = (source.id.clone(), source.name.clone(), runner.audio.clone());
            self.taps.lock().unwrap_or_else(|e| e.into_inner()).push(tap);
        }
        self.runners.insert(source.id.clone(), runner);
        Ok(Reply::Done)
    }

    fn update_source(&mut self, source: Source) -> Result<Reply, EngineError> {
        let id = source.id.clone();
        let slot = self.collection.source_mut(&id).ok_or_else(|| EngineError::NoSuchSource(id.clone()))?;
        *slot = source.clone();
        if let Some((channel, _)) = self.channels.get(&id) {
            channel.set_volume(source.volume, source.muted);
        }
        let runner = self.runners.get_mut(&id).ok_or_else(|| EngineError::NoSuchSource(id.clone()))?;
        let health = runner.update(source, &self.formats, &self.news);
        self.report(&id, health);
        Ok(Reply::Done)
    }

    fn set_volume(
        &mut self,
        id: &SourceId,
        volume: Option<f64>,
        muted: Option<bool>,
    ) -> Result<Reply, EngineError> {
        let mut source =
            self.collection.source(id).ok_or_else(|| EngineError::NoSuchSource(id.clone()))?.clone();
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
