//! What a headless run gives remote control: its studio, its recording
//! and its streams, all on the main loop's thread.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use crate::engine::{
    Answer, Command, EncoderSettings, EngineError, Event, OutputStatus, Podcast, PodcastSettings,
    RecordSettings, Recorder, Stream, StreamSettings, Studio,
};
use crate::model::{SceneCollection, Settings, SourceId, Transition};
use crate::remote::{
    self, events, protocol::Failure, DestinationState, OutputState, Server, SwarmState, Translator,
};
use futures_util::future::LocalBoxFuture;
use futures_util::FutureExt;

use crate::cli::swarm::Live;

/// The actions a control surface can trigger by name.
const HOTKEYS: &[&str] = &["plateau.record", "plateau.go-live", "plateau.podcast", "plateau.chapter"];

pub struct HeadlessHost {
    studio: Rc<Studio>,
    settings: Settings,
    collection: RefCell<Arc<SceneCollection>>,
    program: RefCell<Option<String>>,
    preview: RefCell<Option<String>>,
    studio_mode: Cell<bool>,
    transition: std::cell::RefCell<Transition>,
    stats: Cell<(f64, u64)>,
    /// The file `--record` named, used by the first recording only.
    first_recording: RefCell<Option<PathBuf>>,
    record_settings: RecordSettings,
    recorder: RefCell<Option<(Recorder, Instant)>>,
    paused: Cell<bool>,
    /// Where streams go (display name, address), and their encoder.
    targets: Vec<(String, String)>,
    encoder: EncoderSettings,
    streams: RefCell<Vec<Stream>>,
    streaming_since: Cell<Option<Instant>>,
    sent: RefCell<HashMap<String, u64>>,
    translator: RefCell<Translator>,
    server: RefCell<Option<Server>>,
    /// How each stream's link stands, by display name.
    links: RefCell<HashMap<String, String>>,
    /// The podcast `--podcast` named (used first), and how podcasts are made.
    first_podcast: RefCell<Option<PathBuf>>,
    podcast_settings: PodcastSettings,
    podcast: RefCell<Option<(Podcast, Instant)>>,
    swarm_plan: crate::cli::swarm::SwarmPlan,
    swarm: RefCell<Option<Live>>,
    virtual_camera: RefCell<Option<crate::engine::VirtualCamera>>,
    replay: RefCell<Option<std::sync::Arc<crate::engine::ReplayBuffer>>>,
    replay_seconds: u32,
    last_replay: RefCell<Option<PathBuf>>,
    this: std::rc::Weak<Self>,
}

/// What a headless run was asked to make, for the host to make again
/// when a client asks.
pub struct Plans {
    pub record: (Option<PathBuf>, RecordSettings),
    pub podcast: (Option<PathBuf>, PodcastSettings),
    pub targets: Vec<(String, String)>,
    pub encoder: EncoderSettings,
    pub swarm: crate::cli::swarm::SwarmPlan,
    /// How long the replay buffer is, when it runs.
    pub replay_seconds: u32,
}

impl HeadlessHost {
    pub fn new(studio: Rc<Studio>, settings: Settings, plans: Plans) -> anyhow::Result<Rc<Self>> {
        let collection = Arc::new(studio.collection()?);
        let program = studio.program_scene()?;
        Ok(Rc::new_cyclic(|this| Self {
            transition: std::cell::RefCell::new(settings.transition.clone()),
            settings,
            collection: RefCell::new(collection.clone()),
            program: RefCell::new(program),
            preview: RefCell::new(None),
            studio_mode: Cell::new(false),
            stats: Cell::new((0.0, 0)),
            first_recording: RefCell::new(plans.record.0),
            record_settings: plans.record.1,
            recorder: RefCell::new(None),
            paused: Cell::new(false),
            targets: plans.targets,
            encoder: plans.encoder,
            streams: RefCell::new(Vec::new()),
            streaming_since: Cell::new(None),
            sent: RefCell::new(HashMap::new()),
            translator: RefCell::new(Translator::new(collection)),
            server: RefCell::new(None),
            links: RefCell::new(HashMap::new()),
            first_podcast: RefCell::new(plans.podcast.0),
            podcast_settings: plans.podcast.1,
            podcast: RefCell::new(None),
            swarm_plan: plans.swarm,
            swarm: RefCell::new(None),
            virtual_camera: RefCell::new(None),
            replay: RefCell::new(None),
            replay_seconds: plans.replay_seconds,
            last_replay: RefCell::new(None),
            this: this.clone(),
            studio,
        }))
    }

    /// Serves remote control with `server`; `calls` are its requests.
    pub fn serve(self: &Rc<Self>, server: Server, calls: async_channel::Receiver<remote::Call>) {
        self.server.replace(Some(server));
        let host = self.clone();
        glib::spawn_future_local(async move {
            while let Ok(call) = calls.recv().await {
                let host = host.clone();
                glib::spawn_future_local(async move {
                    let result = remote::answer(&*host, &call.request).await;
                    call.answer(result);
                });
            }
        });
    }

    /// Follows an engine event.
    pub fn observe(&self, event: &Event) {
        match event {
            Event::CollectionChanged { collection, .. } => *self.collection.borrow_mut() = collection.clone(),
            Event::ProgramScene(scene) => *self.program.borrow_mut() = Some(scene.clone()),
            Event::PreviewScene(scene) => *self.preview.borrow_mut() = Some(scene.clone()),
            Event::Stats(s) => self.stats.set((s.fps, s.frames)),
            Event::OutputStats { output, bytes, .. } => {
                self.sent.borrow_mut().insert(output.clone(), *bytes);
            }
            Event::Output { output, status } => {
                let state = match status {
                    OutputStatus::Connecting => "connecting",
                    OutputStatus::Live => "live",
                    OutputStatus::Reconnecting { .. } => "reconnecting",
                    OutputStatus::Failed(_) => "failed",
                    OutputStatus::Stopped => "off",
                };
                self.links.borrow_mut().insert(output.clone(), state.into());
            }
            _ => {}
        }
        let Some(server) = &*self.server.borrow() else { return };
        for e in self.translator.borrow_mut().take(event) {
            server.emit(e.kind, e.intent, e.data);
        }
        if matches!(event, Event::Levels { source: Some(_), .. }) {
            server.set_meters(self.translator.borrow().meters());
        }
    }

    fn emit(&self, e: remote::ObsEvent) {
        if let Some(server) = &*self.server.borrow() {
            server.emit(e.kind, e.intent, e.data);
        }
    }

    /// Starts the recording (`--record`'s file first, then new files in
    /// the recording folder).
    /// Starts (or stops) keeping the last seconds of the show on disk.
    pub fn run_replay_buffer(&self, on: bool) -> anyhow::Result<()> {
        if !on {
            if let Some(buffer) = self.replay.take() {
                if let Ok(buffer) = std::sync::Arc::try_unwrap(buffer) {
                    buffer.stop();
                }
            }
            return Ok(());
        }
        if self.replay.borrow().is_none() {
            let dir = crate::model::cache_dir()?.join(format!("replay-{}", std::process::id()));
            let length = std::time::Duration::from_secs(u64::from(self.replay_seconds.clamp(1, 3600)));
            let buffer = crate::engine::ReplayBuffer::start(&*self.studio, &dir, length, self.encoder)?;
            eprintln!("plateau: replay buffer on: the last {} s", length.as_secs());
            self.replay.replace(Some(std::sync::Arc::new(buffer)));
        }
        Ok(())
    }

    /// Opens (or closes) the program as a camera and a microphone named
    /// "Plateau", and a v4l2loopback device too when there is one.
    pub fn open_virtual_camera(&self, on: bool) -> anyhow::Result<()> {
        if !on {
            self.virtual_camera.take();
            return Ok(());
        }
        if self.virtual_camera.borrow().is_none() {
            let loopback =
                crate::engine::find_loopback_device(std::path::Path::new("/sys/class/video4linux"));
            let camera = crate::engine::VirtualCamera::start(&*self.studio, loopback)?;
            eprintln!(
                "plateau: virtual camera and microphone “{}” open (PipeWire nodes {} and {}{})",
                crate::engine::VIRTUAL_DEVICE_NAME,
                crate::engine::CAMERA_NODE,
                crate::engine::MICROPHONE_NODE,
                camera.loopback().map(|d| format!(", and {}", d.display())).unwrap_or_default()
            );
            self.virtual_camera.replace(Some(camera));
        }
        Ok(())
    }

    pub fn record(&self) -> anyhow::Result<PathBuf> {
        let path =
            self.first_recording.take().unwrap_or_else(|| crate::recordings::new_path(&self.settings, "mkv"));
        self.emit(events::record_state(false, "OBS_WEBSOCKET_OUTPUT_STARTING", None));
        let recorder = Recorder::start(&*self.studio, &path, self.record_settings)?;
        self.emit(events::record_state(true, "OBS_WEBSOCKET_OUTPUT_STARTED", Some(&path)));
        self.recorder.replace(Some((recorder, Instant::now())));
        self.paused.set(false);
        Ok(path)
    }

    /// Ends the recording, if one runs; off the main loop's thread.
    pub async fn end_recording(&self) -> Option<Result<PathBuf, String>> {
        let (recorder, _) = self.recorder.take()?;
        self.emit(events::record_state(true, "OBS_WEBSOCKET_OUTPUT_STOPPING", None));
        let failed = Err("finishing the recording failed".to_owned());
        let ended = off_thread(failed, move || recorder.stop().map_err(|e| e.to_string())).await;
        let path = ended.as_ref().ok().cloned();
        self.emit(events::record_state(false, "OBS_WEBSOCKET_OUTPUT_STOPPED", path.as_deref()));
        Some(ended)
    }

    /// Starts a stream to every target.
    pub fn go_live(&self) -> anyhow::Result<()> {
        if self.targets.is_empty() {
            anyhow::bail!("no stream destination: give --stream URL or set destinations up");
        }
        self.emit(events::stream_state(false, "OBS_WEBSOCKET_OUTPUT_STARTING"));
        let mut streams = Vec::new();
        for (name, url) in &self.targets {
            let settings = StreamSettings { name: name.clone(), url: url.clone(), encoder: self.encoder };
            streams.push(Stream::start(&*self.studio, settings)?);
        }
        self.streams.replace(streams);
        self.streaming_since.set(Some(Instant::now()));
        self.emit(events::stream_state(true, "OBS_WEBSOCKET_OUTPUT_STARTED"));
        Ok(())
    }

    /// Ends every stream, off the main loop's thread.
    pub async fn end_streams(&self) {
        let streams = self.streams.take();
        if streams.is_empty() {
            return;
        }
        self.emit(events::stream_state(true, "OBS_WEBSOCKET_OUTPUT_STOPPING"));
        off_thread((), move || streams.into_iter().for_each(Stream::stop)).await;
        self.streaming_since.set(None);
        self.emit(events::stream_state(false, "OBS_WEBSOCKET_OUTPUT_STOPPED"));
    }

    /// Starts the podcast (`--podcast`'s path first, then new files in the
    /// recording folder).
    pub fn record_podcast(&self) -> anyhow::Result<PathBuf> {
        let path =
            self.first_podcast.take().unwrap_or_else(|| crate::recordings::new_path(&self.settings, "mka"));
        let podcast = Podcast::start(&*self.studio, &path, self.podcast_settings.clone())?;
        self.podcast.replace(Some((podcast, Instant::now())));
        Ok(path)
    }

    /// Ends the podcast, if one runs (measured and normalised), off the
    /// main loop's thread.
    pub async fn end_podcast(&self) -> Option<Result<PathBuf, String>> {
        let (podcast, _) = self.podcast.take()?;
        let failed = Err("finishing the podcast failed".to_owned());
        Some(off_thread(failed, move || podcast.stop().map_err(|e| e.to_string())).await)
    }

    /// Goes live to the swarm; `announce` prints the ticket and the
    /// audience (the command line's `--p2p`).
    pub fn go_to_swarm(&self, announce: Option<Option<&PathBuf>>) -> anyhow::Result<String> {
        let mut live = Live::start(&*self.studio, self.encoder, &self.swarm_plan)?;
        if let Some(ticket_file) = announce {
            live.announce(ticket_file)?;
        }
        let ticket = live.ticket();
        self.follow_chat(live.chat());
        self.swarm.replace(Some(live));
        Ok(ticket)
    }

    /// Without a window nobody moderates: every message is printed, passed
    /// on to the audience and shown by the program's chat sources.
    fn follow_chat(&self, chat: async_channel::Receiver<crate::p2p::ChatMessage>) {
        let this = self.this.clone();
        glib::spawn_future_local(async move {
            let mut lines: std::collections::VecDeque<String> = Default::default();
            while let Ok(message) = chat.recv().await {
                let Some(host) = this.upgrade() else { return };
                eprintln!("plateau: chat: {}: {}", message.name, message.text);
                if let Some(live) = &*host.swarm.borrow() {
                    live.publish_chat(&message);
                }
                lines.push_back(format!("{}: {}", message.name, message.text));
                if lines.len() > 50 {
                    lines.pop_front();
                }
                drop(host.studio.request(Command::ShowChat(lines.iter().cloned().collect())));
            }
        });
    }

    /// Leaves the swarm (the figures into `stats_json`), off the main loop's thread.
    pub async fn leave_swarm(&self, stats_json: Option<PathBuf>) -> Option<anyhow::Result<()>> {
        let live = self.swarm.take()?;
        let failed = Err(anyhow::anyhow!("leaving the swarm failed"));
        Some(off_thread(failed, move || live.stop(stats_json.as_ref())).await)
    }

    /// Tells the clients Plateau is ending, and closes them.
    pub fn close_remote(&self) {
        self.emit(events::exit_started());
        if let Some(server) = self.server.take() {
            // Give the event a moment to leave before the sessions close.
            std::thread::sleep(std::time::Duration::from_millis(100));
            drop(server);
        }
    }
}

/// Runs `work` on a thread of its own; the main loop goes on meanwhile.
/// A worker that panics (or cannot start) gives `failed` instead of
/// taking the run down with it.
async fn off_thread<T: Send + 'static>(failed: T, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = async_channel::bounded(1);
    let started = std::thread::Builder::new().name("plateau-finish".into()).spawn(move || {
        let _ = tx.send_blocking(work());
    });
    match started {
        Ok(_) => rx.recv().await.unwrap_or(failed),
        Err(_) => failed,
    }
}

impl remote::Host for HeadlessHost {
    fn podcast(&self) -> OutputState {
        match &*self.podcast.borrow() {
            Some((_, since)) => OutputState {
                active: true,
                duration_ms: since.elapsed().as_millis() as u64,
                ..Default::default()
            },
            None => OutputState::default(),
        }
    }

    fn start_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        let started = self.record_podcast().map_err(|e| format!("{e:#}"));
        async move { started }.boxed_local()
    }

    fn stop_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move { self.end_podcast().await.unwrap_or_else(|| Err("no podcast is recorded".into())) }
            .boxed_local()
    }

    fn add_chapter(&self, title: Option<String>) -> Result<(usize, f64), String> {
        let mut podcast = self.podcast.borrow_mut();
        let (p, _) = podcast.as_mut().ok_or("no podcast is recorded")?;
        let n = p.chapter_count() + 1;
        let at = p.add_chapter(&title.unwrap_or_else(|| format!("Chapter {n}")));
        Ok((n, at.nseconds() as f64 / 1e9))
    }

    fn replay_buffer(&self) -> bool {
        self.replay.borrow().is_some()
    }

    fn set_replay_buffer(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>> {
        let done = self.run_replay_buffer(on).map_err(|e| format!("{e:#}"));
        async move { done }.boxed_local()
    }

    fn save_replay(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move {
            let buffer = self.replay.borrow().clone().ok_or("the replay buffer is off")?;
            let path = crate::recordings::new_path(&self.settings, "ts");
            let path = path.with_file_name(format!(
                "Replay {}",
                path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            ));
            let to = path.clone();
            let failed = Err("saving the replay failed".to_owned());
            off_thread(failed, move || buffer.save(&to).map(|_| ()).map_err(|e| e.to_string())).await?;
            eprintln!("plateau: replay saved: {}", path.display());
            self.last_replay.replace(Some(path.clone()));
            Ok(path)
        }
        .boxed_local()
    }

    fn last_replay(&self) -> Option<PathBuf> {
        self.last_replay.borrow().clone()
    }

    fn virtual_camera(&self) -> bool {
        self.virtual_camera.borrow().is_some()
    }

    fn set_virtual_camera(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>> {
        let done = self.open_virtual_camera(on).map_err(|e| format!("{e:#}"));
        async move { done }.boxed_local()
    }

    fn swarm(&self) -> Option<SwarmState> {
        let swarm = self.swarm.borrow();
        let live = swarm.as_ref()?;
        Some(SwarmState { ticket: live.ticket(), report: live.latest_report() })
    }

    fn start_swarm(&self) -> LocalBoxFuture<'_, Result<String, String>> {
        let started = self.go_to_swarm(None).map_err(|e| format!("{e:#}"));
        async move { started }.boxed_local()
    }

    fn stop_swarm(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        async move {
            match self.leave_swarm(None).await {
                Some(result) => result.map_err(|e| format!("{e:#}")),
                None => Err("not on the swarm".into()),
            }
        }
        .boxed_local()
    }

    fn destinations(&self) -> Vec<DestinationState> {
        let running = !self.streams.borrow().is_empty();
        let links = self.links.borrow();
        self.targets
            .iter()
            .map(|(name, url)| DestinationState {
                name: name.clone(),
                server: crate::engine::redact(url),
                enabled: true,
                state: match running {
                    true => links.get(name).cloned().unwrap_or_else(|| "connecting".into()),
                    false => "off".into(),
                },
            })
            .collect()
    }

    fn hotkeys(&self) -> Vec<String> {
        HOTKEYS.iter().map(|h| h.to_string()).collect()
    }

    fn trigger_hotkey(&self, name: &str) -> Result<(), String> {
        let this = self.this.upgrade().ok_or("Plateau is stopping")?;
        match name {
            "plateau.record" if self.recorder.borrow().is_some() => {
                glib::spawn_future_local(async move {
                    this.end_recording().await;
                });
            }
            "plateau.record" => drop(self.record().map_err(|e| format!("{e:#}"))?),
            "plateau.go-live" if !self.streams.borrow().is_empty() => {
                glib::spawn_future_local(async move { this.end_streams().await });
            }
            "plateau.go-live" => self.go_live().map_err(|e| format!("{e:#}"))?,
            "plateau.podcast" if self.podcast.borrow().is_some() => {
                glib::spawn_future_local(async move {
                    this.end_podcast().await;
                });
            }
            "plateau.podcast" => drop(self.record_podcast().map_err(|e| format!("{e:#}"))?),
            "plateau.chapter" => drop(remote::Host::add_chapter(self, None)?),
            other => return Err(format!("no hotkey named {other}")),
        }
        Ok(())
    }

    fn collection(&self) -> Option<Arc<SceneCollection>> {
        Some(self.collection.borrow().clone())
    }

    fn program_scene(&self) -> Option<String> {
        self.program.borrow().clone()
    }

    fn preview_scene(&self) -> Option<String> {
        self.studio_mode.get().then(|| self.preview.borrow().clone()).flatten()
    }

    fn studio_mode(&self) -> bool {
        self.studio_mode.get()
    }

    fn set_studio_mode(&self, on: bool) -> Result<(), Failure> {
        if self.studio_mode.replace(on) != on {
            if on {
                *self.preview.borrow_mut() = self.program.borrow().clone();
            }
            self.emit(events::studio_mode(on));
        }
        Ok(())
    }

    fn transition(&self) -> Transition {
        self.transition.borrow().clone()
    }

    fn set_transition(&self, transition: Transition) {
        *self.transition.borrow_mut() = transition;
    }

    fn source_size(&self, source: &SourceId) -> Option<(u32, u32)> {
        self.studio.source_size(source).ok().flatten()
    }

    fn command(&self, command: Command) -> LocalBoxFuture<'static, Result<Answer, EngineError>> {
        self.studio.request(command).boxed_local()
    }

    fn program_stats(&self) -> (f64, u64) {
        self.stats.get()
    }

    fn recording(&self) -> OutputState {
        let recorder = self.recorder.borrow();
        let Some((r, since)) = recorder.as_ref() else { return OutputState::default() };
        let bytes = std::fs::metadata(r.path()).map(|m| m.len()).unwrap_or(0);
        OutputState {
            active: true,
            paused: self.paused.get(),
            duration_ms: since.elapsed().as_millis() as u64,
            bytes,
            ..Default::default()
        }
    }

    fn start_recording(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        let started = self.record().map(|_| ()).map_err(|e| format!("{e:#}"));
        async move { started }.boxed_local()
    }

    fn stop_recording(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move { self.end_recording().await.unwrap_or_else(|| Err("not recording".into())) }.boxed_local()
    }

    fn pause_recording(&self, paused: bool) -> Result<(), String> {
        let recorder = self.recorder.borrow();
        let (r, _) = recorder.as_ref().ok_or("not recording")?;
        if paused {
            r.pause();
        } else {
            r.resume();
        }
        self.paused.set(paused);
        Ok(())
    }

    fn streaming(&self) -> OutputState {
        let Some(since) = self.streaming_since.get() else { return OutputState::default() };
        OutputState {
            active: true,
            duration_ms: since.elapsed().as_millis() as u64,
            bytes: self.sent.borrow().values().sum(),
            ..Default::default()
        }
    }

    fn start_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        let started = self.go_live().map_err(|e| format!("{e:#}"));
        async move { started }.boxed_local()
    }

    fn stop_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        async move {
            self.end_streams().await;
            Ok(())
        }
        .boxed_local()
    }
}
