//! Go Live from the window: the keys are read from the keyring off the
//! interface thread, then every enabled destination streams on its own.
//! The window says "connecting" until a server takes the stream, and says
//! which destination is not connected and why, with Retry and Stop.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use plateau::engine::{OutputStatus, Stream, StreamSettings};

use super::window::Window;

/// What the show calls the streams and the swarm while they start.
const STREAMS: &str = "streams";
const SWARM: &str = "swarm";

impl Window {
    /// Starts or stops streaming to every enabled destination. The keys
    /// are read from the keyring off the interface thread (it may ask to
    /// be unlocked); the streams start when they are there.
    pub fn toggle_live(&self) {
        let imp = self.imp();
        if imp.show.is_streaming() {
            let (w, show) = (self.downgrade(), imp.show.clone());
            glib::spawn_future_local(async move {
                show.stop_streams().await;
                if let Some(w) = w.upgrade() {
                    w.show_live();
                }
            });
            return self.show_live();
        }
        if imp.keys_pending.get() {
            // A second press while the keyring answers must not start every stream twice.
            return self.toast(&gettext("Still getting the stream keys from the keyring…"));
        }
        if self.going_live() {
            return self.toast(&gettext("Still going live…"));
        }
        let settings = self.settings();
        let servers = settings.destinations.iter().any(|d| d.enabled);
        if !servers && !settings.peer_to_peer.enabled {
            self.show_live();
            self.toast(&gettext("No stream destination yet: add one in Settings, Streaming"));
            super::settings_dialog::show(self, Some("streaming"));
            return;
        }
        if settings.peer_to_peer.enabled {
            let (w, prefs) = (self.clone(), settings.peer_to_peer.clone());
            glib::spawn_future_local(async move {
                let _ = w.start_swarm(prefs).await;
            });
        }
        if !servers {
            return self.show_live();
        }
        let keyed = gio::spawn_blocking(move || {
            plateau::cli::destinations::live_destinations(&settings).map_err(|e| e.to_string())
        });
        imp.keys_pending.set(true);
        // The keyring may wait for its password: say so if it takes a while.
        let w = self.downgrade();
        glib::timeout_add_local_once(std::time::Duration::from_secs(1), move || {
            if let Some(w) = w.upgrade().filter(|w| w.imp().keys_pending.get()) {
                w.toast(&gettext(
                    "Waiting for the keyring to give the stream keys (it may ask for its password)…",
                ));
            }
        });
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let result = keyed.await;
            let Some(w) = w.upgrade() else { return };
            w.imp().keys_pending.set(false);
            let destinations = match result {
                Ok(Ok(d)) => d,
                Ok(Err(e)) => {
                    w.show_error(&gettext("The stream keys could not be read"), &e);
                    Vec::new()
                }
                Err(_) => {
                    w.show_error(
                        &gettext("The stream keys could not be read"),
                        &gettext("The keyring task failed."),
                    );
                    Vec::new()
                }
            };
            w.start_streams(destinations);
        });
    }

    /// Starts a stream to each destination, all on one worker (the
    /// first starts the shared encoder); each failure is told by name.
    fn start_streams(&self, destinations: Vec<(String, String)>) {
        let Some(feeds) = self.feeds() else { return };
        let starting = self.imp().show.start_in_background(STREAMS, gettext("Connecting…"), move || {
            Ok(destinations
                .into_iter()
                .map(|(name, url)| {
                    let settings = StreamSettings { name: name.clone(), url, encoder: Default::default() };
                    (name, Stream::start(&feeds, settings).map_err(|e| e.to_string()))
                })
                .collect::<Vec<_>>())
        });
        let Some(starting) = starting else { return };
        self.show_live();
        let w = self.clone();
        glib::spawn_future_local(async move {
            match starting.await {
                Ok(streams) => {
                    for (name, started) in streams {
                        match started {
                            Ok(stream) => w.imp().show.add_stream(stream),
                            Err(e) => w.show_error(&name, &e),
                        }
                    }
                }
                // The worker itself failed: said, never silent.
                Err(e) => w.show_error(&gettext("The streams could not start"), &e),
            }
            w.show_live();
        });
    }

    /// Goes live to the peer-to-peer swarm off the interface thread and
    /// shows the ticket to hand out; the ticket once live.
    async fn start_swarm(&self, prefs: plateau::model::PeerToPeer) -> Result<String, String> {
        let imp = self.imp();
        let plan = plateau::cli::swarm::SwarmPlan::from_settings(&prefs).map_err(|e| {
            let e = format!("{e:#}");
            self.show_error(&gettext("The peer-to-peer settings cannot be used"), &e);
            e
        })?;
        let feeds = self.feeds().ok_or_else(|| gettext("The program is not running"))?;
        let encoder = plateau::engine::EncoderSettings::default();
        let Some(starting) =
            imp.show.start_in_background(SWARM, gettext("Going to the swarm…"), move || {
                plateau::cli::swarm::Live::start(&feeds, encoder, &plan).map_err(|e| format!("{e:#}"))
            })
        else {
            return Err(gettext("The show is going to the swarm already"));
        };
        self.show_live();
        let live = match starting.await {
            Ok(live) => live,
            Err(e) => {
                self.show_error(&gettext("The show could not go to the swarm"), &e);
                self.show_live();
                return Err(e);
            }
        };
        let ticket = live.ticket();
        tracing::info!(%ticket, "live on the swarm");
        self.follow_swarm(live.reports());
        self.follow_chat(live.chat());
        imp.show.set_swarm(live);
        *imp.swarm_ticket.borrow_mut() = Some(ticket.clone());
        self.show_live();
        self.show_ticket();
        Ok(ticket)
    }

    /// Goes live to the swarm alone (remote control), as the settings
    /// say; the ticket.
    pub async fn go_to_swarm(&self) -> Result<String, String> {
        if let Some(ticket) =
            self.imp().swarm_ticket.borrow().clone().filter(|_| self.imp().show.is_swarming())
        {
            return Ok(ticket);
        }
        let prefs = self.settings().peer_to_peer;
        self.start_swarm(prefs).await
    }

    /// Leaves the swarm; the servers stay live.
    pub async fn leave_swarm(&self) {
        let show = self.imp().show.clone();
        show.stop_swarm().await;
        self.imp().swarm_ticket.take();
        self.show_live();
    }

    /// Shows the ticket of the show on the swarm.
    pub fn show_ticket(&self) {
        let ticket = self.imp().swarm_ticket.borrow().clone();
        match ticket.filter(|_| self.imp().show.is_swarming()) {
            Some(ticket) => drop(super::ticket_dialog::TicketDialog::show(self, &ticket)),
            None => {
                self.toast(&gettext("Go live with peer-to-peer on (Settings, Streaming) to get a ticket"))
            }
        }
    }

    /// Asks for a ticket (or a `plateau:` link) and watches that show in
    /// a viewer's window of its own (a process of its own: the studio goes on).
    pub fn ask_for_ticket(&self) {
        self.ask_name(&gettext("Watch a Show"), "", &gettext("_Watch"), |w, text| {
            if let Err(e) = text.parse::<plateau::p2p::Ticket>() {
                return w.show_error(&gettext("That ticket cannot be used"), &e.to_string());
            }
            let spawned = std::env::current_exe()
                .and_then(|exe| std::process::Command::new(exe).args(["watch", &text]).spawn());
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) => return w.show_error(&gettext("The viewer could not start"), &e.to_string()),
            };
            // Reaped when it ends (never a zombie); a failure is said here.
            let w = w.downgrade();
            glib::spawn_future_local(async move {
                let ended = gio::spawn_blocking(move || child.wait()).await;
                let failed = !matches!(ended, Ok(Ok(status)) if status.success());
                if let (true, Some(w)) = (failed, w.upgrade()) {
                    w.show_error(
                        &gettext("The viewer could not play the show"),
                        &gettext("Start it from a terminal with plateau watch TICKET to read why."),
                    );
                }
            });
        });
    }

    /// Shows the audience's chat, and passes on what nobody blocked.
    fn follow_chat(&self, chat: async_channel::Receiver<plateau::p2p::ChatMessage>) {
        let imp = self.imp();
        imp.chat_panel.set_visible(true);
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(message) = chat.recv().await {
                let Some(w) = w.upgrade() else { return };
                let imp = w.imp();
                if imp.blocked.borrow().contains(&message.from.to_string()) {
                    tracing::debug!(from = %message.from.fmt_short(), "a blocked peer's message");
                    continue;
                }
                imp.chat_panel.add(&message);
                imp.show.publish_chat(&message);
                let mut lines = imp.chat_lines.borrow_mut();
                lines.push_back((message.from.to_string(), format!("{}: {}", message.name, message.text)));
                while lines.len() > 50 {
                    lines.pop_front();
                }
                drop(lines);
                w.show_chat_in_program();
            }
            if let Some(w) = w.upgrade() {
                w.imp().chat_panel.set_visible(false);
            }
        });
    }

    /// Gives the program's chat sources the messages shown now.
    pub(super) fn show_chat_in_program(&self) {
        let lines: Vec<String> = self.imp().chat_lines.borrow().iter().map(|(_, l)| l.clone()).collect();
        if let Some(studio) = self.imp().studio.borrow().as_ref() {
            // Nothing to wait for: the answer only says it was applied.
            drop(studio.request(plateau::engine::Command::ShowChat(lines)));
        }
    }

    /// Keeps the status line's audience up to date while the swarm runs.
    fn follow_swarm(&self, reports: async_channel::Receiver<plateau::p2p::SwarmReport>) {
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(report) = reports.recv().await {
                let Some(w) = w.upgrade() else { return };
                *w.imp().swarm_audience.borrow_mut() = Some(audience(&report));
                w.update_status();
            }
            if let Some(w) = w.upgrade() {
                w.imp().swarm_audience.take();
                w.update_status();
            }
        });
    }

    /// Stops every stream and starts them again at once (the Retry button).
    pub fn retry_live(&self) {
        let imp = self.imp();
        if !imp.show.is_streaming() {
            return;
        }
        let (w, show) = (self.downgrade(), imp.show.clone());
        glib::spawn_future_local(async move {
            show.stop_streams().await;
            if let Some(w) = w.upgrade() {
                w.toggle_live();
            }
        });
        self.show_live();
    }

    /// A destination's link changed.
    pub(super) fn on_destination(&self, name: String, status: OutputStatus) {
        let imp = self.imp();
        let state = match status {
            OutputStatus::Connecting => LinkState::Connecting,
            OutputStatus::Live => LinkState::Live,
            OutputStatus::Reconnecting { in_seconds, cause } => {
                LinkState::Down { cause, retry_in: Some(in_seconds) }
            }
            OutputStatus::Failed(cause) => LinkState::Down { cause, retry_in: None },
            OutputStatus::Stopped => {
                imp.destination_states.borrow_mut().remove(&name);
                imp.destination_traffic.borrow_mut().remove(&name);
                return self.show_live();
            }
        };
        if state != LinkState::Live {
            imp.destination_traffic.borrow_mut().remove(&name);
        }
        imp.destination_states.borrow_mut().insert(name, state);
        self.show_live();
    }

    /// Whether a server takes the stream now.
    pub(super) fn is_on_air(&self) -> bool {
        let imp = self.imp();
        imp.show.is_swarming()
            || imp.show.is_streaming()
                && imp.destination_states.borrow().values().any(|s| *s == LinkState::Live)
    }

    /// Whether streams or the swarm are being started.
    fn going_live(&self) -> bool {
        let show = &self.imp().show;
        show.is_starting(STREAMS) || show.is_starting(SWARM)
    }

    /// Go Live's button and the band of problems follow the links.
    pub(super) fn show_live(&self) {
        let imp = self.imp();
        let streaming = imp.show.is_streaming() || self.going_live();
        if !streaming {
            imp.destination_states.borrow_mut().clear();
            imp.destination_traffic.borrow_mut().clear();
        }
        imp.live_button.set_active(streaming);
        let states = imp.destination_states.borrow();
        let all_down = !states.is_empty() && states.values().all(|s| matches!(s, LinkState::Down { .. }));
        let label = match (streaming, self.is_on_air(), all_down) {
            (false, _, _) => gettext("Go Live"),
            (true, true, _) => gettext("Stop Streaming"),
            (true, false, true) => gettext("Not Connected"),
            (true, false, false) => gettext("Connecting…"),
        };
        imp.live_content.set_label(&label);
        if streaming {
            imp.live_button.remove_css_class("suggested-action");
            imp.live_button.add_css_class("destructive-action");
        } else {
            imp.live_button.remove_css_class("destructive-action");
            imp.live_button.add_css_class("suggested-action");
        }
        let problems: Vec<String> = states
            .iter()
            .filter_map(|(name, state)| match state {
                LinkState::Down { cause, retry_in } => Some(match retry_in {
                    Some(s) => format!(
                        "{name}: {} — {cause}. {} {s} s.",
                        gettext("not connected"),
                        gettext("Trying again in")
                    ),
                    None => format!("{name}: {} — {cause}.", gettext("not connected")),
                }),
                _ => None,
            })
            .collect();
        imp.live_problem_text.set_label(&problems.join("\n"));
        imp.live_problem.set_reveal_child(streaming && !problems.is_empty());
        drop(states);
        self.update_status();
    }

    /// The status line's part for streaming: on air since when, or
    /// connecting; then each destination's traffic or state.
    pub(super) fn live_status(&self, on_air_for: Option<&str>) -> Vec<String> {
        let imp = self.imp();
        if !imp.show.is_streaming() {
            return Vec::new();
        }
        let states = imp.destination_states.borrow();
        let traffic = imp.destination_traffic.borrow();
        let any_down = states.values().any(|s| matches!(s, LinkState::Down { .. }));
        let audience = imp.swarm_audience.borrow().clone().filter(|_| imp.show.is_swarming());
        let mut parts = vec![match on_air_for {
            Some(time) => format!("{} {time}", gettext("● Live")),
            None if any_down => gettext("Not connected"),
            None => gettext("Connecting…"),
        }];
        parts.extend(states.iter().filter_map(|(name, state)| match state {
            LinkState::Live => traffic.get(name).cloned(),
            LinkState::Connecting => Some(format!("{name}: {}", gettext("connecting"))),
            LinkState::Down { cause, .. } => Some(format!("{name}: {} ({cause})", gettext("not connected"))),
        }));
        parts.extend(audience);
        parts
    }

    /// Puts the window back as it was left (size, maximised).
    pub fn restore_state(&self) {
        if let Some(state) = self.settings().window {
            self.set_default_size(state.width.clamp(640, 7680), state.height.clamp(480, 4320));
            if state.maximized {
                self.maximize();
            }
        }
    }
}

/// How a destination's link stands, as the window shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkState {
    Connecting,
    /// The server takes the stream.
    Live,
    /// Refused or lost: why, and in how many seconds the next attempt
    /// starts (none: it will not).
    Down {
        cause: String,
        retry_in: Option<u32>,
    },
}

/// The audience on the swarm as the status line says it.
fn audience(r: &plateau::p2p::SwarmReport) -> String {
    let viewers = match r.viewers {
        1 => gettext("1 viewer"),
        n => format!("{n} {}", gettext("viewers")),
    };
    let ratio = if r.stream_kbps > 0.0 { r.upload_kbps / r.stream_kbps } else { 0.0 };
    let mut text = format!(
        "{}: {viewers}, {} {:.0} kbit/s ({ratio:.1}×), {} {:.0} %",
        gettext("Swarm"),
        gettext("upload"),
        r.upload_kbps,
        gettext("offload"),
        r.offload_percent
    );
    if let Some(ms) = r.median_latency_ms {
        text.push_str(&format!(", {} {ms} ms", gettext("latency")));
    }
    text
}
