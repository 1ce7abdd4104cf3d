//! Remote control from the window: the obs-websocket server runs while the
//! settings say so; clients' requests are answered on the interface
//! thread with the window's studio, scenes and outputs, so that what a
//! client changes shows in the window and what the window changes reaches
//! the clients.

use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use futures_util::future::LocalBoxFuture;
use futures_util::FutureExt;
use gettextrs::gettext;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use plateau::engine::{Answer, Command, EngineError, Event};
use plateau::model::{RemoteControlPrefs, SceneCollection, SourceId, Transition};
use plateau::remote::{
    self, events, protocol::status, protocol::Failure, Client, DestinationState, OutputState, Server,
    SwarmState, Translator,
};

use super::window::Window;

/// The window's remote control; cheap to clone.
#[derive(Clone, Default)]
pub struct RemoteControl(Rc<Inner>);

#[derive(Default)]
struct Inner {
    window: glib::WeakRef<Window>,
    server: RefCell<Option<Server>>,
    translator: RefCell<Translator>,
    stats: Cell<(f64, u64)>,
    /// Why the server is not running although asked to, if it is not.
    problem: RefCell<Option<String>>,
    /// Bumped by every (re)start, so that a late keyring answer is dropped.
    generation: Cell<u64>,
    listeners: RefCell<Vec<Box<dyn Fn()>>>,
}

impl RemoteControl {
    pub fn attach(&self, window: &Window) {
        self.0.window.set(Some(window));
    }

    /// Starts, stops or moves the server as `prefs` say. The password is
    /// read from the keyring off the interface thread.
    pub fn apply(&self, prefs: &RemoteControlPrefs) {
        let generation = self.0.generation.get() + 1;
        self.0.generation.set(generation);
        self.0.server.take();
        self.0.problem.take();
        if !prefs.enabled {
            return self.changed();
        }
        let bind: SocketAddr = match prefs.bind.trim().parse() {
            Ok(a) => a,
            Err(_) => return self.fail(format!("{}: {}", gettext("Not an address and port"), prefs.bind)),
        };
        let this = self.clone();
        glib::spawn_future_local(async move {
            let password =
                gio::spawn_blocking(|| password(false)).await.unwrap_or_else(|_| Err(String::new()));
            if this.0.generation.get() != generation {
                return;
            }
            match password {
                Ok(password) => this.serve(bind, password),
                Err(e) => this.fail(e),
            }
        });
    }

    fn serve(&self, bind: SocketAddr, password: String) {
        let Some(window) = self.0.window.upgrade() else { return };
        let (calls, asked) = async_channel::bounded(64);
        let fps = window.canvas_settings().map(|c| c.fps).unwrap_or(30);
        match Server::start(remote::Options { bind, password, fps }, calls) {
            Ok(server) => {
                tracing::info!(addr = %server.addr(), "remote control on");
                if let Some(c) = window.collection() {
                    self.0.translator.replace(Translator::new(c));
                }
                self.0.server.replace(Some(server));
                let host = Host { window: window.downgrade(), remote: self.clone() };
                glib::spawn_future_local(async move {
                    while let Ok(call) = asked.recv().await {
                        let host = host.clone();
                        glib::spawn_future_local(async move {
                            let result = remote::answer(&host, &call.request).await;
                            call.answer(result);
                        });
                    }
                });
                self.changed();
            }
            Err(e) => self.fail(e.to_string()),
        }
    }

    fn fail(&self, problem: String) {
        tracing::warn!(%problem, "remote control is off");
        self.0.problem.replace(Some(problem));
        self.changed();
    }

    /// Regenerates the password (off the interface thread), then restarts.
    pub fn regenerate_password(&self, prefs: RemoteControlPrefs) {
        let this = self.clone();
        glib::spawn_future_local(async move {
            let made = gio::spawn_blocking(|| password(true)).await.unwrap_or_else(|_| Err(String::new()));
            match made {
                Ok(_) => this.apply(&prefs),
                Err(e) => this.fail(e),
            }
        });
    }

    /// The address clients reach, while the server runs.
    pub fn address(&self) -> Option<SocketAddr> {
        self.0.server.borrow().as_ref().map(Server::addr)
    }

    pub fn problem(&self) -> Option<String> {
        self.0.problem.borrow().clone()
    }

    pub fn clients(&self) -> Vec<Client> {
        self.0.server.borrow().as_ref().map(Server::clients).unwrap_or_default()
    }

    pub fn disconnect(&self, id: u64) {
        if let Some(server) = &*self.0.server.borrow() {
            server.disconnect(id);
        }
    }

    /// Called when the server starts, stops or fails.
    pub fn connect_changed(&self, f: impl Fn() + 'static) {
        self.0.listeners.borrow_mut().push(Box::new(f));
    }

    fn changed(&self) {
        for f in self.0.listeners.borrow().iter() {
            f();
        }
    }

    /// Follows an engine event: the clients hear what changed.
    pub fn observe(&self, event: &Event) {
        if let Event::Stats(s) = event {
            self.0.stats.set((s.fps, s.frames));
        }
        let Some(server) = &*self.0.server.borrow() else { return };
        for e in self.0.translator.borrow_mut().take(event) {
            server.emit(e.kind, e.intent, e.data);
        }
        if matches!(event, Event::Levels { source: Some(_), .. }) {
            server.set_meters(self.0.translator.borrow().meters());
        }
    }

    /// Tells the clients something the window did (a recording started…).
    pub fn emit(&self, e: remote::ObsEvent) {
        if let Some(server) = &*self.0.server.borrow() {
            server.emit(e.kind, e.intent, e.data);
        }
    }

    /// Plateau is closing: the clients are told, then the server stops.
    pub fn close(&self) {
        self.emit(events::exit_started());
        self.0.server.take();
    }
}

/// The keyring's remote-control password (made there the first time).
fn password(regenerate: bool) -> Result<String, String> {
    plateau::secrets::KeyStore::keyring()
        .and_then(|k| k.remote_password(regenerate))
        .map_err(|e| format!("{}: {e}", gettext("Remote control keeps its password in the keyring")))
}

/// The password as phone apps scan it: `obsws://host:port/password`.
pub fn connect_link(addr: SocketAddr, password: &str) -> String {
    format!("obsws://{}:{}/{password}", addr.ip(), addr.port())
}

/// Reads the password for showing it (off the interface thread).
pub async fn shown_password() -> Result<String, String> {
    gio::spawn_blocking(|| password(false)).await.unwrap_or_else(|_| Err(String::new()))
}

/// What the requests see of the window.
#[derive(Clone)]
struct Host {
    window: glib::WeakRef<Window>,
    remote: RemoteControl,
}

fn closed() -> Failure {
    Failure::new(status::REQUEST_PROCESSING_FAILED, "the window is closing")
}

impl Host {
    fn window(&self) -> Option<Window> {
        self.window.upgrade()
    }
}

/// Plateau's actions a control surface can trigger by name (each is the
/// `app.*` action of the same name).
const HOTKEYS: &[&str] = &[
    "record",
    "pause",
    "go-live",
    "podcast",
    "chapter",
    "studio-mode",
    "transition",
    "scene-1",
    "scene-2",
    "scene-3",
    "scene-4",
    "scene-5",
    "scene-6",
    "scene-7",
    "scene-8",
    "scene-9",
];

impl remote::Host for Host {
    fn podcast(&self) -> OutputState {
        let Some(w) = self.window().filter(|w| w.imp().show.is_podcasting()) else {
            return OutputState::default();
        };
        let since = w.imp().since.borrow().get("podcast").copied();
        OutputState {
            active: true,
            duration_ms: since.map_or(0, |s| s.elapsed().as_millis() as u64),
            ..Default::default()
        }
    }

    fn start_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move { self.window().ok_or_else(|| closed().comment)?.start_podcast().await }.boxed_local()
    }

    fn stop_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move {
            let w = self.window().ok_or_else(|| closed().comment)?;
            let show = w.imp().show.clone();
            let ended = show.stop_podcast().await;
            w.update_status();
            ended.unwrap_or_else(|| Err("no podcast is recorded".into()))
        }
        .boxed_local()
    }

    fn add_chapter(&self, title: Option<String>) -> Result<(usize, f64), String> {
        let w = self.window().ok_or_else(|| closed().comment)?;
        let chapter = gettext("Chapter");
        let made = w.imp().show.add_chapter(|n| title.clone().unwrap_or_else(|| format!("{chapter} {n}")));
        let (n, at) = made.ok_or_else(|| gettext("Chapters go into a podcast recording: start one first"))?;
        Ok((n, at.nseconds() as f64 / 1e9))
    }

    fn swarm(&self) -> Option<SwarmState> {
        let w = self.window()?;
        let ticket = w.imp().swarm_ticket.borrow().clone()?;
        Some(SwarmState { ticket, report: w.imp().show.swarm_report() })
    }

    fn start_swarm(&self) -> LocalBoxFuture<'_, Result<String, String>> {
        async move { self.window().ok_or_else(|| closed().comment)?.go_to_swarm().await }.boxed_local()
    }

    fn stop_swarm(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        async move {
            let w = self.window().ok_or_else(|| closed().comment)?;
            w.leave_swarm().await;
            Ok(())
        }
        .boxed_local()
    }

    fn replay_buffer(&self) -> bool {
        self.window().is_some_and(|w| w.replay_on())
    }

    fn set_replay_buffer(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>> {
        async move { self.window().ok_or_else(|| closed().comment)?.set_replay_buffer(on).await }
            .boxed_local()
    }

    fn save_replay(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move {
            let w = self.window().ok_or_else(|| closed().comment)?;
            w.save_replay_now().await
        }
        .boxed_local()
    }

    fn last_replay(&self) -> Option<PathBuf> {
        self.window().and_then(|w| w.imp().last_replay.borrow().clone())
    }

    fn virtual_camera(&self) -> bool {
        self.window().is_some_and(|w| w.virtual_camera_on())
    }

    fn set_virtual_camera(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>> {
        async move { self.window().ok_or_else(|| closed().comment)?.set_virtual_camera(on).await }
            .boxed_local()
    }

    fn destinations(&self) -> Vec<DestinationState> {
        let Some(w) = self.window() else { return Vec::new() };
        let states = w.imp().destination_states.borrow();
        w.settings()
            .destinations
            .into_iter()
            .map(|d| {
                let state = match states.get(&d.name) {
                    Some(super::live::LinkState::Live) => "live",
                    Some(super::live::LinkState::Connecting) => "connecting",
                    Some(super::live::LinkState::Down { retry_in: Some(_), .. }) => "reconnecting",
                    Some(super::live::LinkState::Down { retry_in: None, .. }) => "failed",
                    None => "off",
                };
                DestinationState { server: d.server, enabled: d.enabled, state: state.into(), name: d.name }
            })
            .collect()
    }

    fn hotkeys(&self) -> Vec<String> {
        HOTKEYS.iter().map(|h| format!("plateau.{h}")).collect()
    }

    fn trigger_hotkey(&self, name: &str) -> Result<(), String> {
        let w = self.window().ok_or_else(|| closed().comment)?;
        let app = w.application().ok_or_else(|| closed().comment)?;
        let action = name.strip_prefix("plateau.").unwrap_or(name);
        match action.strip_prefix("scene-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => w.switch_scene_number(n),
            None if app.lookup_action(action).is_some_and(|a| a.is_enabled()) => {
                app.activate_action(action, None)
            }
            None => return Err(format!("{name} cannot be used now")),
        }
        Ok(())
    }

    fn collection(&self) -> Option<Arc<SceneCollection>> {
        self.window()?.collection()
    }

    fn program_scene(&self) -> Option<String> {
        self.window()?.imp().program_scene.borrow().clone()
    }

    fn preview_scene(&self) -> Option<String> {
        let w = self.window()?;
        let imp = w.imp();
        imp.studio_mode.get().then(|| imp.preview_scene.borrow().clone()).flatten()
    }

    fn studio_mode(&self) -> bool {
        self.window().is_some_and(|w| w.imp().studio_mode.get())
    }

    fn set_studio_mode(&self, on: bool) -> Result<(), Failure> {
        let w = self.window().ok_or_else(closed)?;
        if w.imp().studio_mode.get() != on {
            // Through the action, so that its menu and shortcut follow.
            let app = w.application().ok_or_else(closed)?;
            app.activate_action("studio-mode", None);
            if w.imp().studio_mode.get() != on {
                return Err(Failure::new(status::RESOURCE_ACTION_FAILED, "studio mode could not change"));
            }
            self.remote.emit(events::studio_mode(on));
        }
        Ok(())
    }

    fn transition(&self) -> Transition {
        self.window().map(|w| w.transition()).unwrap_or_default()
    }

    fn set_transition(&self, transition: Transition) {
        let Some(w) = self.window() else { return };
        w.set_transition(&transition);
    }

    fn source_size(&self, source: &SourceId) -> Option<(u32, u32)> {
        let w = self.window()?;
        let studio = w.imp().studio.borrow();
        studio.as_ref()?.source_size(source).ok().flatten()
    }

    fn command(&self, command: Command) -> LocalBoxFuture<'static, Result<Answer, EngineError>> {
        let w = self.window();
        let studio = w.as_ref().map(|w| w.imp().studio.borrow().as_ref().map(|s| s.request(command)));
        match studio.flatten() {
            Some(request) => request.boxed_local(),
            None => async { Err(EngineError::Stopped) }.boxed_local(),
        }
    }

    fn program_stats(&self) -> (f64, u64) {
        self.remote.0.stats.get()
    }

    fn recording(&self) -> OutputState {
        let Some(w) = self.window() else { return OutputState::default() };
        let imp = w.imp();
        if !imp.show.is_recording() {
            return OutputState::default();
        }
        let since = imp.since.borrow().get("recording").copied();
        let bytes = imp.show.recording_path().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len());
        OutputState {
            active: true,
            paused: imp.show.is_paused(),
            duration_ms: since.map(|s| s.elapsed().as_millis() as u64).unwrap_or(0),
            bytes: bytes.unwrap_or(0),
            ..Default::default()
        }
    }

    fn start_recording(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        async move { self.window().ok_or_else(|| closed().comment)?.start_recording().await }.boxed_local()
    }

    fn stop_recording(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>> {
        async move {
            let w = self.window().ok_or_else(|| closed().comment)?;
            w.end_recording().await.unwrap_or_else(|| Err("not recording".into()))
        }
        .boxed_local()
    }

    fn pause_recording(&self, paused: bool) -> Result<(), String> {
        let w = self.window().ok_or_else(|| closed().comment)?;
        if w.imp().show.is_paused() != paused {
            w.toggle_pause();
        }
        Ok(())
    }

    fn streaming(&self) -> OutputState {
        let Some(w) = self.window() else { return OutputState::default() };
        let imp = w.imp();
        if !imp.show.is_streaming() {
            return OutputState::default();
        }
        let since = imp.since.borrow().get("live").copied();
        OutputState {
            active: true,
            duration_ms: since.map(|s| s.elapsed().as_millis() as u64).unwrap_or(0),
            ..Default::default()
        }
    }

    fn start_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        let started = match self.window() {
            Some(w) if !w.imp().show.is_streaming() => {
                let s = w.settings();
                if !s.destinations.iter().any(|d| d.enabled) && !s.peer_to_peer.enabled {
                    Err(gettext("No stream destination yet: add one in Settings, Streaming"))
                } else {
                    w.toggle_live();
                    Ok(())
                }
            }
            Some(_) => Ok(()),
            None => Err(closed().comment),
        };
        async move { started }.boxed_local()
    }

    fn stop_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>> {
        if let Some(w) = self.window().filter(|w| w.imp().show.is_streaming()) {
            w.toggle_live();
        }
        async { Ok(()) }.boxed_local()
    }
}
