//! The main window: scenes on the left, the live program in the middle,
//! the current scene's sources on the right, the audio mixer below.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::{gettext, ngettext};
use gtk::{glib, CompositeTemplate};
use plateau::engine::{
    Event, OutputStatus, Podcast, PodcastSettings, Preview, RecordSettings, Recorder, Reply, Studio,
};
use plateau::model::{
    CollectionStore, Color, CountdownTarget, ItemId, Scene, SceneCollection, SceneItem, Settings, Source,
    SourceId, SourceKind, TestPattern, TextMotion, Transition, TransitionKind, DEFAULT_TIME_FORMAT,
};

use plateau::remote::events;

use super::autosave::{self, Autosave};
use super::canvas::{CanvasEdit, ProgramCanvas};
use super::chat_panel::ChatPanel;
use super::document::Document;
use super::edits::Edits;
use super::frame_sink::frame_sink;
use super::menus::item_menu_model;
use super::mixer::Mixer;
use super::preview_paintable::PreviewPaintable;
use super::rundown_panel::RundownPanel;
use super::scene_list::SceneList;
use super::show::{Ended, Show};
use super::source_list::{kind_label, SourceList};

/// Told the name of a destination added through `app.add-destination`.
type DestinationListener = Box<dyn Fn(Option<&str>)>;

/// The luma wipe's and the stinger's places in the transition list.
const WIPE: u32 = 3;
const STINGER: u32 = 4;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/window.ui")]
    pub struct Window {
        #[template_child]
        pub program: TemplateChild<gtk::Picture>,
        #[template_child]
        pub canvas: TemplateChild<ProgramCanvas>,
        #[template_child]
        pub preview_box: TemplateChild<gtk::Box>,
        #[template_child]
        pub preview: TemplateChild<gtk::Picture>,
        #[template_child]
        pub preview_overlay: TemplateChild<gtk::Overlay>,
        #[template_child]
        pub program_overlay: TemplateChild<gtk::Overlay>,
        #[template_child]
        pub program_label: TemplateChild<gtk::Label>,
        #[template_child]
        pub transition_button: TemplateChild<gtk::Button>,
        /// Studio mode: the scene on the preview (the one edited).
        pub preview_scene: RefCell<Option<String>>,
        #[template_child]
        pub status: TemplateChild<gtk::Label>,
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub scene_list: TemplateChild<SceneList>,
        #[template_child]
        pub source_list: TemplateChild<SourceList>,
        #[template_child]
        pub mixer: TemplateChild<Mixer>,
        #[template_child]
        pub chat_panel: TemplateChild<ChatPanel>,
        #[template_child]
        pub rundown_panel: TemplateChild<RundownPanel>,
        /// Peers whose chat is shown and passed on no more.
        pub blocked: RefCell<std::collections::HashSet<String>>,
        /// The chat shown in the program's chat sources: (peer, line).
        pub chat_lines: RefCell<std::collections::VecDeque<(String, String)>>,
        #[template_child]
        pub transition_kind: TemplateChild<gtk::DropDown>,
        #[template_child]
        pub transition_file_button: TemplateChild<gtk::Button>,
        /// The luma wipe's picture, once chosen.
        pub wipe_picture: RefCell<Option<PathBuf>>,
        /// The stinger's video file, once chosen.
        pub stinger_file: RefCell<Option<PathBuf>>,
        /// The source whose filters were last edited, and when (undo steps).
        pub last_source_edit: RefCell<Option<(SourceId, std::time::Instant)>>,
        #[template_child]
        pub transition_ms: TemplateChild<gtk::SpinButton>,
        #[template_child]
        pub record_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub record_content: TemplateChild<adw::ButtonContent>,
        #[template_child]
        pub live_content: TemplateChild<adw::ButtonContent>,
        /// The band saying which destination is not connected, and why.
        #[template_child]
        pub live_problem: TemplateChild<gtk::Revealer>,
        #[template_child]
        pub live_problem_text: TemplateChild<gtk::Label>,
        #[template_child]
        pub main_menu_button: TemplateChild<gtk::MenuButton>,
        /// The "Scene Collections" submenu of the main menu.
        pub collections_menu: RefCell<Option<gio::Menu>>,
        #[template_child]
        pub live_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub camera_button: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub camera_content: TemplateChild<adw::ButtonContent>,
        /// The program as a camera and a microphone for other apps.
        pub virtual_camera: RefCell<Option<plateau::engine::VirtualCamera>>,
        /// The last seconds of the show on disk, while the replay buffer is on.
        pub replay: RefCell<Option<std::sync::Arc<plateau::engine::ReplayBuffer>>>,
        /// The last replay saved, for Play Replay.
        pub last_replay: RefCell<Option<PathBuf>>,
        pub studio: RefCell<Option<Studio>>,
        pub program_view: RefCell<Option<Preview>>,
        pub studio_view: RefCell<Option<Preview>>,
        pub studio_mode: Cell<bool>,
        /// The recording, the podcast, the streams, and what is being finished.
        pub show: Show,
        /// The window closes once every output is finished.
        pub closing: Cell<bool>,
        pub program_scene: RefCell<Option<String>>,
        pub settings: RefCell<Settings>,
        /// The collection shown, its store, autosave and undo.
        pub document: Document,
        pub settings_autosave: Autosave,
        pub watching_frames: Cell<bool>,
        /// Called when destinations are added from outside the settings dialog.
        pub destination_listeners: RefCell<Vec<DestinationListener>>,
        pub fps_text: RefCell<String>,
        pub cpu: RefCell<plateau::engine::CpuMeter>,
        pub cpu_text: RefCell<String>,
        /// When the recording, the podcast and the stream started.
        pub since: RefCell<HashMap<&'static str, std::time::Instant>>,
        /// How each streaming destination's link stands.
        pub destination_states: RefCell<std::collections::BTreeMap<String, crate::ui::live::LinkState>>,
        /// Each live destination's bitrate (and drops), from its statistics.
        pub destination_traffic: RefCell<std::collections::BTreeMap<String, String>>,
        /// The ticket of the show on the swarm, while it runs.
        pub swarm_ticket: RefCell<Option<String>>,
        /// Filters copied from a source, to paste onto another.
        pub copied_filters: RefCell<Option<Vec<plateau::model::Filter>>>,
        /// The swarm's audience as the status line says it.
        pub swarm_audience: RefCell<Option<String>>,
        /// The last file recorded, for its toast's Show in Files.
        pub last_recording: RefCell<Option<PathBuf>>,
        /// The last error shown: its title and its whole explanation.
        pub last_error: RefCell<Option<(String, String)>>,
        /// Go Live is waiting for the keyring to give the stream keys.
        pub keys_pending: Cell<bool>,
        /// A canvas gesture is under way (its start is already remembered).
        pub gesture_open: Cell<bool>,
        /// obs-websocket clients, while the settings allow them.
        pub remote: crate::ui::remote_control::RemoteControl,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Window {
        const NAME: &'static str = "PlateauWindow";
        type Type = super::Window;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            ProgramCanvas::ensure_type();
            SceneList::ensure_type();
            SourceList::ensure_type();
            Mixer::ensure_type();
            ChatPanel::ensure_type();
            RundownPanel::ensure_type();
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Window {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().follow_transition_choice();
            let obj = self.obj().downgrade();
            self.canvas.connect_edit(move |edit| {
                if let Some(w) = obj.upgrade() {
                    w.on_canvas_edit(edit);
                }
            });
            let obj = self.obj().downgrade();
            self.canvas.connect_context_menu(move |id, x, y| {
                if let Some(w) = obj.upgrade() {
                    w.show_item_menu(id, x, y);
                }
            });
            let obj = self.obj().downgrade();
            self.canvas.set_source_size(move |source| {
                let w = obj.upgrade()?;
                let studio = w.imp().studio.borrow();
                studio.as_ref()?.source_size(source).ok().flatten()
            });
            self.obj().offer_screen_capture();
            let obj = self.obj().downgrade();
            self.document.connect_save_failed(move |cause| {
                if let Some(w) = obj.upgrade() {
                    w.show_error(&gettext("The collection could not be saved"), cause);
                }
            });
            let obj = self.obj().downgrade();
            self.show.connect_finishing_notify(move |_| {
                if let Some(w) = obj.upgrade() {
                    w.update_status();
                }
            });
            // A text is always resized in proportion: its glyphs never stretch.
            let obj = self.obj().downgrade();
            self.canvas.set_keeps_aspect(move |source| {
                let Some(w) = obj.upgrade() else { return false };
                let collection = w.collection();
                collection.and_then(|c| c.source(source).map(|s| matches!(s.kind, SourceKind::Text { .. })))
                    == Some(true)
            });
            // Files dropped on the canvas become image or media sources.
            let drop = gtk::DropTarget::new(gtk::gdk::FileList::static_type(), gtk::gdk::DragAction::COPY);
            let obj = self.obj().downgrade();
            drop.connect_drop(move |_, value, x, y| {
                let (Some(w), Ok(files)) = (obj.upgrade(), value.get::<gtk::gdk::FileList>()) else {
                    return false;
                };
                let paths: Vec<PathBuf> = files.files().iter().filter_map(|f| f.path()).collect();
                for (n, path) in paths.iter().enumerate() {
                    w.add_file_at(path.clone(), Some((x + 20.0 * n as f64, y + 20.0 * n as f64)));
                }
                !paths.is_empty()
            });
            self.canvas.add_controller(drop);
            // An item clicked on the canvas is the one chosen in the list.
            let obj = self.obj().downgrade();
            self.canvas.connect_selected(move |id| {
                if let Some(w) = obj.upgrade() {
                    w.imp().source_list.select(id);
                }
            });
            self.obj().connect_lists();
            self.remote.attach(&self.obj());
        }
    }
    impl WidgetImpl for Window {}
    impl WindowImpl for Window {
        fn close_request(&self) -> glib::Propagation {
            let window = self.obj();
            if self.show.is_running() && !self.closing.get() {
                window.ask_to_stop_and_quit();
                return glib::Propagation::Stop;
            }
            if self.show.is_running() || self.show.is_finishing() {
                window.finish_and_close();
                return glib::Propagation::Stop;
            }
            window.shut_down();
            self.parent_close_request()
        }
    }
    impl ApplicationWindowImpl for Window {}
    impl AdwApplicationWindowImpl for Window {}
}

glib::wrapper! {
    pub struct Window(ObjectSubclass<imp::Window>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Accessible, gtk::Buildable,
                    gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl Window {
    pub fn new(app: &adw::Application) -> Self {
        glib::Object::builder().property("application", app).build()
    }

    /// The + menu offers the screen capture the session supports: the
    /// desktop portal on Wayland, the X server's own capture on X11.
    fn offer_screen_capture(&self) {
        let wayland = gtk::gdk::Display::default().is_some_and(|d| d.type_().name().contains("Wayland"));
        let target = if wayland { "screen-portal" } else { "screen-x11" };
        let item = gio::MenuItem::new(Some(&gettext("Screen")), None);
        item.set_action_and_target_value(Some("app.add-source"), Some(&target.to_variant()));
        let menu = self.imp().source_list.add_menu();
        let section = menu.item_link(0, gio::MENU_LINK_SECTION).and_downcast::<gio::Menu>().unwrap_or(menu);
        // After the file entry.
        section.insert_item(4.min(section.n_items()), &item);
    }

    /// Starts the engine on `collection` and shows its program.
    pub fn start_studio(
        &self,
        collection: SceneCollection,
        scene: Option<&str>,
        settings: Settings,
        store: Option<CollectionStore>,
    ) {
        let imp = self.imp();
        imp.title.set_subtitle(&collection.name);
        self.set_transition(&settings.transition);
        *imp.settings.borrow_mut() = settings;
        self.fill_collections_menu(&collection.name);
        let epoch = imp.document.open(collection.clone(), store);
        let started = std::time::Instant::now();
        let studio = match Studio::start(collection, scene) {
            Ok(s) => s,
            Err(e) => return self.show_error(&gettext("The program could not start"), &e.to_string()),
        };
        match self.attach_view(&studio, &imp.program, false) {
            Ok(view) => *imp.program_view.borrow_mut() = Some(view),
            Err(e) => self.show_error(&gettext("The program cannot be shown"), &e.to_string()),
        }
        *imp.program_scene.borrow_mut() = studio.program_scene().ok().flatten();
        // Sent at once; their answers (an error is an event) are not awaited.
        if let Some(device) = imp.settings.borrow().monitor_device.clone() {
            drop(studio.request(plateau::engine::Command::MonitorDevice(Some(device))));
        }
        if imp.settings.borrow().monitor_program {
            drop(studio.request(plateau::engine::Command::MonitorProgram(true)));
        }
        self.listen(studio.events(), epoch);
        *imp.studio.borrow_mut() = Some(studio);
        self.refresh();
        self.report_first_frame(started);
        self.watch_frame_gaps();
    }

    /// Logs, every five seconds, the longest time between two frames the
    /// window drew: how long the interface was blocked at worst.
    fn watch_frame_gaps(&self) {
        if self.imp().watching_frames.replace(true) {
            return;
        }
        let state = std::rc::Rc::new(std::cell::Cell::new((None::<i64>, 0i64, std::time::Instant::now())));
        self.imp().canvas.add_tick_callback(move |_, clock| {
            let (last, longest, since) = state.get();
            let now = clock.frame_time();
            let longest = last.map_or(longest, |l| longest.max(now - l));
            if since.elapsed() >= std::time::Duration::from_secs(5) {
                tracing::info!(longest_ms = longest / 1000, "ui frames: longest gap over the last 5 s");
                state.set((Some(now), 0, std::time::Instant::now()));
            } else {
                state.set((Some(now), longest, since));
            }
            glib::ControlFlow::Continue
        });
    }

    /// Logs the time from start to the first program frame on the canvas.
    fn report_first_frame(&self, started: std::time::Instant) {
        let picture = self.imp().program.get();
        let Some(paintable) = picture.paintable() else { return };
        let handler: std::rc::Rc<RefCell<Option<glib::SignalHandlerId>>> = Default::default();
        let h = handler.clone();
        let id = paintable.connect_invalidate_contents(move |p| {
            if p.intrinsic_width() > 0 {
                tracing::info!(ms = started.elapsed().as_millis() as u64, "first live frame on the canvas");
                if let Some(id) = h.borrow_mut().take() {
                    p.disconnect(id);
                }
            }
        });
        *handler.borrow_mut() = Some(id);
    }

    /// Shows the program (or the studio-mode preview) in `picture`.
    fn attach_view(
        &self,
        studio: &Studio,
        picture: &gtk::Picture,
        studio_preview: bool,
    ) -> anyhow::Result<Preview> {
        let (sink, frames) = frame_sink();
        frames.follow_renderer_of(picture);
        let canvas = studio.canvas();
        let paintable = PreviewPaintable::new(frames.upcast_ref(), (canvas.width, canvas.height));
        let view = if studio_preview {
            Preview::start_studio_preview(studio, sink)?
        } else {
            Preview::start(studio, sink)?
        };
        let sizer = view.sizer();
        paintable.connect_drawn_size(move |size| sizer.fit(Some(size)));
        paintable.set_scale_factor(picture.scale_factor());
        picture.connect_scale_factor_notify(glib::clone!(
            #[weak]
            paintable,
            move |picture| paintable.set_scale_factor(picture.scale_factor())
        ));
        picture.set_paintable(Some(&paintable));
        Ok(view)
    }

    /// Turns studio mode on or off; returns whether it is on.
    pub fn set_studio_mode(&self, on: bool) -> bool {
        let imp = self.imp();
        if on == imp.studio_mode.get() {
            return on;
        }
        if on {
            let view = imp.studio.borrow().as_ref().map(|s| self.attach_view(s, &imp.preview, true));
            match view {
                Some(Ok(v)) => *imp.studio_view.borrow_mut() = Some(v),
                Some(Err(e)) => {
                    self.show_error(&gettext("The preview cannot be shown"), &e.to_string());
                    return false;
                }
                None => return false,
            }
            if let Some(scene) = imp.program_scene.borrow().clone() {
                self.edit(|s| s.preview_scene(&scene));
            }
        } else {
            imp.studio_view.take();
            imp.preview_scene.take();
        }
        imp.studio_mode.set(on);
        imp.preview_box.set_visible(on);
        imp.transition_button.set_visible(on);
        imp.program_label.set_visible(on);
        // The handles go where the edits land: the preview in studio mode.
        let canvas = imp.canvas.get();
        let (from, to) = match on {
            true => (&imp.program_overlay, &imp.preview_overlay),
            false => (&imp.preview_overlay, &imp.program_overlay),
        };
        if canvas.parent().as_ref() == Some(from.upcast_ref()) {
            from.remove_overlay(&canvas);
            to.add_overlay(&canvas);
        }
        self.refresh();
        on
    }

    /// The scene that edits change: the preview's in studio mode, else the program's.
    pub(super) fn edited_scene(&self) -> Option<String> {
        let imp = self.imp();
        let preview = imp.studio_mode.get().then(|| imp.preview_scene.borrow().clone()).flatten();
        preview.or_else(|| imp.program_scene.borrow().clone())
    }

    /// Studio mode: sends the preview to the program.
    pub fn transition_to_preview(&self) {
        if self.imp().studio_mode.get() {
            let transition = self.transition();
            self.edit(|s| s.transition_to_preview(transition));
        }
    }

    /// Follows the events of the engine started at `epoch`, while the
    /// document still belongs to it.
    fn listen(&self, events: async_channel::Receiver<Event>, epoch: u64) {
        let window = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                let Some(window) = window.upgrade() else { break };
                if window.imp().document.epoch() != epoch {
                    break;
                }
                window.on_event(event, epoch);
            }
        });
    }

    fn on_event(&self, event: Event, epoch: u64) {
        let imp = self.imp();
        imp.remote.observe(&event);
        match event {
            Event::Stats(stats) => {
                *imp.fps_text.borrow_mut() = format!(
                    "{} {:.1} · {} {}",
                    gettext("Frames per second:"),
                    stats.fps,
                    gettext("dropped:"),
                    stats.dropped
                );
                if let Some(percent) = imp.cpu.borrow_mut().sample() {
                    *imp.cpu_text.borrow_mut() = format!("{} {percent:.0} %", gettext("CPU"));
                }
                self.update_status();
            }
            Event::Levels { source: Some(id), levels } => {
                imp.mixer.set_levels(&id, &levels.peak_db, &levels.rms_db);
            }
            Event::ProgramScene(name) => {
                *imp.program_scene.borrow_mut() = Some(name);
                self.refresh();
            }
            Event::PreviewScene(name) => {
                *imp.preview_scene.borrow_mut() = Some(name);
                self.refresh();
            }
            Event::SourceFailed { source, name, cause } => {
                let kind = self.collection().and_then(|c| c.source(&source).map(|s| s.kind.clone()));
                let hint = kind.map(|k| failure_hint(&k)).unwrap_or_default();
                self.show_error(
                    &format!("{} “{name}”", gettext("Source failed:")),
                    &format!("{cause}. {hint}"),
                );
            }
            Event::SourceRecovered { name, .. } => {
                self.toast(&format!("{} “{name}”", gettext("Source is back:")))
            }
            Event::CollectionChanged { revision, collection } => {
                imp.document.take(epoch, revision, collection);
            }
            Event::Playout(status) => imp.rundown_panel.set_status(status),
            Event::Output { output, status } => match status {
                OutputStatus::Failed(cause) => {
                    // A recording that failed (a full disk, say) has stopped: say so and show it.
                    let stopped = imp.show.drop_failed(&output);
                    if stopped {
                        imp.record_button.set_active(imp.show.is_recording());
                        self.update_status();
                    }
                    self.show_error(&format!("{output} {}", gettext("stopped")), &cause);
                    if !stopped {
                        self.on_destination(output, OutputStatus::Failed(cause));
                    }
                }
                status => self.on_destination(output, status),
            },
            Event::OutputStats { output, kbps, dropped, .. } => {
                let mut text = format!("{output} {:.1} Mbit/s", kbps / 1000.0);
                if dropped > 0 {
                    text.push_str(&format!(" ({dropped} {})", gettext("frames dropped")));
                }
                imp.destination_traffic.borrow_mut().insert(output, text);
            }
            Event::Error(message) => self.show_error(&gettext("Something went wrong"), &message),
            _ => {}
        }
    }

    /// The status line: program rate, drops, CPU, and each running output
    /// with how long it has run (and destinations that are not live).
    pub(super) fn update_status(&self) {
        let imp = self.imp();
        let running = [
            ("recording", imp.show.is_recording()),
            ("podcast", imp.show.is_podcasting()),
            ("live", self.is_on_air()),
        ];
        let mut since = imp.since.borrow_mut();
        for (what, on) in running {
            match on {
                true => {
                    since.entry(what).or_insert_with(std::time::Instant::now);
                }
                false => {
                    since.remove(what);
                }
            }
        }
        let elapsed = |what: &str| {
            let s = since.get(what).map_or(0, |t| t.elapsed().as_secs());
            format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        };
        let mut parts = vec![imp.fps_text.borrow().clone(), imp.cpu_text.borrow().clone()];
        parts.retain(|p| !p.is_empty());
        let recording = running[0].1.then(|| elapsed("recording"));
        if let Some(time) = &recording {
            let label = if imp.show.is_paused() {
                gettext("❚❚ Recording paused")
            } else {
                gettext("● Recording")
            };
            parts.push(format!("{label} {time}"));
        }
        if running[1].1 {
            parts.push(format!("{} {}", gettext("● Podcast"), elapsed("podcast")));
        }
        let live = running[2].1.then(|| elapsed("live"));
        drop(since);
        self.show_record_button(recording.as_deref());
        parts.extend(self.live_status(live.as_deref()));
        let finishing = imp.show.finishing();
        if !finishing.is_empty() {
            parts.push(finishing);
        }
        imp.status.set_label(&parts.join(" · "));
    }

    /// The Record button says what it does now: start, or stop (red,
    /// with the time recorded so far).
    fn show_record_button(&self, recording: Option<&str>) {
        let imp = self.imp();
        let label = match recording {
            None => gettext("Record"),
            Some(time) if imp.show.is_paused() => format!("{} {time}", gettext("Paused")),
            Some(time) => format!("{} {time}", gettext("Stop Recording")),
        };
        imp.record_content.set_label(&label);
        if recording.is_some() {
            imp.record_button.add_css_class("destructive-action");
        } else {
            imp.record_button.remove_css_class("destructive-action");
        }
    }

    /// A toast whose Undo button activates `action`.
    pub fn toast_with_undo(&self, text: &str, action: &str) {
        let toast =
            adw::Toast::builder().title(text).button_label(gettext("_Undo")).action_name(action).build();
        self.imp().toasts.add_toast(toast);
    }

    /// Says a recording is done, with a button that shows it in its folder.
    fn toast_recorded(&self, path: &std::path::Path) {
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into());
        *self.imp().last_recording.borrow_mut() = Some(path.to_owned());
        let toast = adw::Toast::builder()
            .title(format!("{} {name}", gettext("Recorded")))
            .button_label(gettext("Show in Files"))
            .action_name("app.show-recording")
            .timeout(8)
            .build();
        self.imp().toasts.add_toast(toast);
    }

    /// Opens the folder of the last recording in the file manager, the
    /// recording chosen (FileManager1), or the folder alone where that
    /// service is missing.
    pub fn show_last_recording(&self) {
        let Some(path) = self.imp().last_recording.borrow().clone() else { return };
        let uri = glib::filename_to_uri(&path, None).map(|u| u.to_string()).unwrap_or_default();
        let folder = path.parent().map(|p| p.to_owned()).unwrap_or_default();
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let bus = gio::bus_get_future(gio::BusType::Session).await;
            let shown = match bus {
                Ok(bus) => bus
                    .call_future(
                        Some("org.freedesktop.FileManager1"),
                        "/org/freedesktop/FileManager1",
                        "org.freedesktop.FileManager1",
                        "ShowItems",
                        Some(&(vec![uri], "").to_variant()),
                        None,
                        gio::DBusCallFlags::NONE,
                        3000,
                    )
                    .await
                    .is_ok(),
                Err(_) => false,
            };
            if shown {
                return;
            }
            let folder_uri = glib::filename_to_uri(&folder, None).map(|u| u.to_string()).unwrap_or_default();
            if let Err(e) = gio::AppInfo::launch_default_for_uri(&folder_uri, None::<&gio::AppLaunchContext>)
            {
                if let Some(w) = w.upgrade() {
                    w.show_error(
                        &gettext("The folder could not be opened"),
                        &format!("{}: {e}", folder.display()),
                    );
                }
            }
        });
    }

    pub fn toast(&self, text: &str) {
        self.imp().toasts.add_toast(adw::Toast::new(text));
    }

    /// Says what went wrong: a toast with the title, whose Details button
    /// opens the whole explanation (cause and what to do).
    pub fn show_error(&self, title: &str, detail: &str) {
        tracing::error!(%detail, "{title}");
        *self.imp().last_error.borrow_mut() = Some((title.to_owned(), detail.to_owned()));
        let toast = adw::Toast::builder()
            .title(title)
            .button_label(gettext("_Details"))
            .action_name("app.error-details")
            .timeout(8)
            .build();
        self.imp().toasts.add_toast(toast);
    }

    /// The last error, whole, in a dialog.
    pub fn show_error_details(&self) {
        let Some((title, detail)) = self.imp().last_error.borrow().clone() else { return };
        let dialog = adw::MessageDialog::new(Some(self), Some(&title), Some(&detail));
        dialog.add_response("close", &gettext("_Close"));
        dialog.present();
    }

    /// The collection as the engine last told it (no waiting).
    pub fn collection(&self) -> Option<Arc<SceneCollection>> {
        self.imp().document.collection()
    }

    /// Rebuilds the scene list, the source list and the mixer from the engine.
    pub(super) fn refresh(&self) {
        let imp = self.imp();
        let Some(collection) = self.collection() else { return };
        let program = imp.program_scene.borrow().clone();
        let edited = self.edited_scene();
        imp.scene_list.show(collection.scenes.iter().map(|s| s.name.as_str()), edited.as_deref());
        let scenes: Vec<String> = collection.scenes.iter().map(|s| s.name.clone()).collect();
        imp.rundown_panel.show(&collection.rundown, &scenes);
        let scene = edited.as_deref().and_then(|p| collection.scene(p)).cloned();
        imp.canvas.set_scene(scene, (collection.video.width, collection.video.height));
        // The chosen row follows its item wherever it now stands.
        imp.source_list.show(&collection, edited.as_deref(), imp.canvas.selected());
        // The mixer is what is heard: the program's sound.
        imp.mixer.show(&collection, program.as_deref());
    }

    /// What a person does in the scene list, the source list and the mixer.
    fn connect_lists(&self) {
        let imp = self.imp();
        let w = self.downgrade();
        imp.rundown_panel.connect_edited(move |rundown| {
            if let Some(w) = w.upgrade() {
                w.edit_and_refresh(|e| e.set_rundown(rundown));
            }
        });
        let w = self.downgrade();
        imp.rundown_panel.connect_action(move |action| {
            if let Some(w) = w.upgrade() {
                w.edit_then(|e| e.playout(action), |_, _| {});
            }
        });
        let w = self.downgrade();
        imp.scene_list.connect_activated(move |name| {
            if let Some(w) = w.upgrade() {
                w.switch_scene(name);
            }
        });
        // A source chosen in the list (by mouse or keyboard) is selected
        // on the canvas, where the arrow keys then move it.
        let w = self.downgrade();
        imp.source_list.connect_item_selected(move |id| {
            if let Some(w) = w.upgrade() {
                w.imp().canvas.select_item(id);
            }
        });
        let w = self.downgrade();
        imp.source_list.connect_item_activated(move |source| {
            if let Some(w) = w.upgrade() {
                w.show_properties(source);
            }
        });
        let w = self.downgrade();
        imp.source_list.connect_visibility_toggled(move |id, shown| {
            let Some(w) = w.upgrade() else { return };
            w.edit_item(id, |item| item.visible = shown);
        });
        let w = self.downgrade();
        imp.source_list.connect_item_removed(move |id| {
            let Some((w, scene)) = w.upgrade().and_then(|w| Some((w.clone(), w.edited_scene()?))) else {
                return;
            };
            w.remember_scene();
            w.edit_and_refresh(|s| s.remove_item(&scene, id));
        });
        let w = self.downgrade();
        imp.source_list.connect_item_moved(move |id, index| {
            let Some((w, scene)) = w.upgrade().and_then(|w| Some((w.clone(), w.edited_scene()?))) else {
                return;
            };
            w.remember_scene();
            w.edit_and_refresh(|s| s.move_item(&scene, id, index));
        });
        let w = self.downgrade();
        imp.chat_panel.connect_blocked(move |from| {
            if let Some(w) = w.upgrade() {
                w.imp().blocked.borrow_mut().insert(from.to_owned());
                w.imp().chat_lines.borrow_mut().retain(|(peer, _)| peer != from);
                w.show_chat_in_program();
            }
        });
        let w = self.downgrade();
        imp.mixer.connect_volume_changed(move |id, volume, muted| {
            if let Some(w) = w.upgrade() {
                w.edit(|s| s.set_volume(id, volume, muted));
            }
        });
    }

    /// Changes item `id` of the edited scene with `change` (undoable).
    fn edit_item(&self, id: ItemId, change: impl FnOnce(&mut SceneItem)) {
        let Some(scene) = self.edited_scene() else { return };
        let item = self.collection().and_then(|c| c.scene(&scene)?.item(id).cloned());
        let Some(mut item) = item else { return };
        change(&mut item);
        self.remember_scene();
        self.edit(|s| s.update_item(&scene, item));
    }

    fn on_canvas_edit(&self, edit: CanvasEdit) {
        let Some(scene) = self.edited_scene() else { return };
        match edit {
            CanvasEdit::Item { item, done } => {
                // A gesture is remembered once, as it was before its first step.
                if !self.imp().gesture_open.replace(!done) {
                    self.remember_scene();
                }
                self.edit(|s| s.update_item(&scene, item))
            }
            CanvasEdit::Remove(id) => {
                self.remember_scene();
                self.edit_and_refresh(|s| s.remove_item(&scene, id));
            }
        }
    }

    /// The item's menu at a point of the canvas (a right click).
    fn show_item_menu(&self, id: ItemId, x: f64, y: f64) {
        let locked = self.collection().and_then(|c| {
            let scene = self.edited_scene()?;
            c.scene(&scene)?.item(id).map(|i| i.locked)
        });
        let menu = gtk::PopoverMenu::from_model(Some(&item_menu_model(id, locked.unwrap_or(false))));
        menu.set_parent(&*self.imp().canvas);
        menu.set_has_arrow(false);
        menu.set_pointing_to(Some(&gtk::gdk::Rectangle::new(x as i32, y as i32, 1, 1)));
        menu.connect_closed(|m| {
            // Unparent once the chosen action has run.
            let m = m.clone();
            glib::idle_add_local_once(move || m.unparent());
        });
        menu.popup();
    }

    /// Opens the properties of the source with id `id`; edits apply live.
    pub fn show_properties(&self, id: &str) {
        let Some(source) = self.collection().and_then(|c| c.source(&SourceId::new(id)).cloned()) else {
            return self.toast(&format!("{} `{id}`", gettext("No such source:")));
        };
        let dialog = super::source_properties::show(self, source, self.source_edits());
        // Names show in the lists: bring them up to date when the dialog closes.
        let w = self.downgrade();
        dialog.connect_close_request(move |_| {
            if let Some(w) = w.upgrade() {
                w.refresh();
            }
            glib::Propagation::Proceed
        });
    }

    /// Opens the filters of the source with id `id`; edits apply live.
    pub fn show_filters(&self, id: &str) {
        let Some(source) = self.collection().and_then(|c| c.source(&SourceId::new(id)).cloned()) else {
            return self.toast(&format!("{} `{id}`", gettext("No such source:")));
        };
        super::filters_dialog::show(self, source, self.source_edits());
    }

    /// Applies a dialog's edits of a source, each remembered for Undo (a
    /// run of changes to its settings as one step; a filter added, removed,
    /// moved or switched as a step of its own).
    fn source_edits(&self) -> super::source_properties::Apply {
        let w = self.downgrade();
        std::rc::Rc::new(move |edited: Source| {
            let Some(w) = w.upgrade() else { return };
            if let Some(before) = w.collection().and_then(|c| c.source(&edited.id).cloned()) {
                let shape =
                    |s: &Source| s.filters.iter().map(|f| (f.kind.id(), f.enabled)).collect::<Vec<_>>();
                w.remember_source(&before, shape(&before) != shape(&edited));
            }
            w.update_source(edited);
        })
    }

    /// Applies an edited source. A text's picture is sized to its text, and
    /// its items grow or shrink with it at their scale (its letters keep
    /// their height on the canvas).
    pub(super) fn update_source(&self, edited: Source) {
        self.update_source_then(edited, |_, _| {});
    }

    /// Like `update_source`; `then` runs once the engine applied it.
    pub(super) fn update_source_then(&self, mut edited: Source, then: impl FnOnce(&Self, &Reply) + 'static) {
        let Some(fitted) = super::text_fit::fitted_size(self, &edited.kind) else {
            return self.edit_then(|s| s.update_source(edited), then);
        };
        let collection = self.collection();
        let old = collection.as_ref().and_then(|c| c.source(&edited.id)).and_then(|s| match s.kind {
            SourceKind::Text { width, height, .. } => Some((width, height)),
            _ => None,
        });
        edited.kind = super::text_fit::with_size(&edited.kind, fitted);
        let items = match (collection, old) {
            (Some(c), Some(old)) if old != fitted => {
                super::text_fit::refitted_items(&c.scenes, &edited.id, old, fitted)
            }
            _ => Vec::new(),
        };
        let show_on_canvas = |w: &Self, reply: &Reply| {
            if let Some(collection) = w.collection() {
                let scene = w.edited_scene().and_then(|n| collection.scene(&n).cloned());
                w.imp().canvas.set_scene(scene, (collection.video.width, collection.video.height));
            }
            then(w, reply);
        };
        self.edit_then(
            |s| {
                s.update_source(edited);
                items.into_iter().for_each(|(scene, item)| s.update_item(&scene, item));
            },
            show_on_canvas,
        );
    }

    /// Sends the edits `f` gathers to the engine, without waiting; a
    /// failure is reported when the engine answers.
    pub(super) fn edit(&self, f: impl FnOnce(&mut Edits)) {
        self.edit_then(f, |_, _| {});
    }

    /// Like `edit`, and rebuilds the lists once the engine has applied them.
    pub(super) fn edit_and_refresh(&self, f: impl FnOnce(&mut Edits)) {
        self.edit_then(f, |w, _| w.refresh());
    }

    /// Like `edit`; `then` runs with the engine's reply once it applied them.
    pub(super) fn edit_then(&self, f: impl FnOnce(&mut Edits), then: impl FnOnce(&Self, &Reply) + 'static) {
        let mut edits = Edits::default();
        f(&mut edits);
        let Some(answer) = self.imp().studio.borrow().as_ref().and_then(|s| super::edits::send(s, edits))
        else {
            return;
        };
        let epoch = self.imp().document.epoch();
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let answer = answer.await;
            let Some(w) = w.upgrade() else { return };
            match answer {
                Ok(answer) => {
                    w.imp().document.take(epoch, answer.revision, answer.collection);
                    then(&w, &answer.reply);
                }
                Err(e) => {
                    w.show_error(&gettext("That change could not be made"), &e.to_string());
                    w.refresh();
                }
            }
        });
    }

    /// Saves the collection now, on this thread.
    pub fn save_now(&self) {
        if let Err(e) = self.imp().document.save_now() {
            self.show_error(&gettext("The collection could not be saved"), &e);
        }
    }

    /// The write of the settings as they are now.
    fn settings_snapshot(&self) -> autosave::Snapshot {
        let w = self.downgrade();
        std::rc::Rc::new(move || {
            let settings = w.upgrade()?.settings();
            let path = Settings::path().ok()?;
            Some(Box::new(move || settings.save(&path).map_err(|e| e.to_string())))
        })
    }

    /// Tells the window that saving the settings in the background failed.
    fn settings_save_failed(&self) -> autosave::Failed {
        let w = self.downgrade();
        std::rc::Rc::new(move |e| {
            if let Some(w) = w.upgrade() {
                w.show_error(&gettext("The settings could not be saved"), &e);
            }
        })
    }

    /// The transition chosen under the program; a luma wipe or a stinger
    /// whose file is not chosen yet fades. For a stinger, the number beside
    /// it is its cut point.
    pub fn transition(&self) -> Transition {
        let imp = self.imp();
        let ms = imp.transition_ms.value().clamp(0.0, 60_000.0) as u32;
        let file = self.transition_file(imp.transition_kind.selected()).and_then(|f| f.borrow().clone());
        let kind = match (imp.transition_kind.selected(), file) {
            (1, _) | (WIPE | STINGER, None) => TransitionKind::Fade,
            (2, _) => TransitionKind::Slide,
            (WIPE, Some(picture)) => TransitionKind::LumaWipe { picture },
            (STINGER, Some(file)) => TransitionKind::Stinger { file, cut_ms: ms },
            _ => TransitionKind::Cut,
        };
        Transition { kind, duration_ms: ms }
    }

    /// Where the file of the transition at `index` in the list is kept, for
    /// those that have one.
    fn transition_file(&self, index: u32) -> Option<&RefCell<Option<PathBuf>>> {
        match index {
            WIPE => Some(&self.imp().wipe_picture),
            STINGER => Some(&self.imp().stinger_file),
            _ => None,
        }
    }

    /// Shows `transition` as the one chosen.
    pub fn set_transition(&self, transition: &Transition) {
        let imp = self.imp();
        match &transition.kind {
            TransitionKind::LumaWipe { picture } => *imp.wipe_picture.borrow_mut() = Some(picture.clone()),
            TransitionKind::Stinger { file, .. } => *imp.stinger_file.borrow_mut() = Some(file.clone()),
            _ => {}
        }
        imp.transition_kind.set_selected(match transition.kind {
            TransitionKind::Cut => 0,
            TransitionKind::Fade => 1,
            TransitionKind::Slide => 2,
            TransitionKind::LumaWipe { .. } => WIPE,
            TransitionKind::Stinger { .. } => STINGER,
        });
        imp.transition_ms.set_value(f64::from(transition.duration_ms));
    }

    /// Follows the transition chosen: a luma wipe or a stinger shows the
    /// button of its file (and asks for one the first time); the choice is
    /// kept in the settings.
    fn follow_transition_choice(&self) {
        let imp = self.imp();
        let w = self.downgrade();
        imp.transition_kind.connect_selected_notify(move |kind| {
            let Some(w) = w.upgrade() else { return };
            let file = w.transition_file(kind.selected());
            w.imp().transition_file_button.set_visible(file.is_some());
            if file.is_some_and(|f| f.borrow().is_none()) {
                w.choose_transition_file();
            }
            w.remember_transition();
        });
        let w = self.downgrade();
        imp.transition_ms.connect_value_changed(move |_| {
            if let Some(w) = w.upgrade() {
                w.remember_transition();
            }
        });
        let w = self.downgrade();
        imp.transition_file_button.connect_clicked(move |_| {
            if let Some(w) = w.upgrade() {
                w.choose_transition_file();
            }
        });
    }

    fn remember_transition(&self) {
        let transition = self.transition();
        if self.imp().settings.borrow().transition != transition {
            self.update_settings(|s| s.transition = transition);
        }
    }

    /// Asks for the file of the transition chosen (the wipe's picture, the
    /// stinger's video).
    fn choose_transition_file(&self) {
        let index = self.imp().transition_kind.selected();
        let title = match index {
            STINGER => gettext("Choose the Stinger's Video"),
            _ => gettext("Choose the Wipe's Picture"),
        };
        let w = self.downgrade();
        super::file_dialog::ask(
            Some(self.upcast_ref::<gtk::Window>()),
            &title,
            &gettext("_Choose"),
            super::file_dialog::Choose::File,
            move |chosen| {
                let Some(w) = w.upgrade() else { return };
                if let Some(name) = chosen.file_name() {
                    w.imp().transition_file_button.set_tooltip_text(Some(&name.to_string_lossy()));
                }
                if let Some(file) = w.transition_file(index) {
                    *file.borrow_mut() = Some(chosen);
                }
                w.remember_transition();
            },
        );
    }

    /// Switches the program to `name`, or in studio mode prepares it on the preview.
    pub fn switch_scene(&self, name: &str) {
        if self.imp().studio_mode.get() {
            return self.edit(|s| s.preview_scene(name));
        }
        let transition = self.transition();
        self.edit(|s| s.switch_scene(name, transition));
    }

    /// Switches to the scene at `number` (1 = first).
    pub fn switch_scene_number(&self, number: usize) {
        let name =
            self.collection().and_then(|c| c.scenes.get(number.wrapping_sub(1)).map(|s| s.name.clone()));
        if let Some(name) = name {
            self.switch_scene(&name);
        }
    }

    /// Asks for the new scene's name, then adds it and chooses it (on the
    /// preview in studio mode), ready to be filled.
    pub fn add_scene(&self) {
        let Some(collection) = self.collection() else { return };
        let name = (1..)
            .map(|n| format!("{} {n}", gettext("Scene")))
            .find(|n| collection.scene(n).is_none())
            .unwrap_or_default();
        self.ask_name(&gettext("New Scene"), &name, &gettext("_Add"), |w, name| {
            let taken = w.collection().is_some_and(|c| c.scene(&name).is_some());
            if taken {
                return w.toast(&format!("{} “{name}”", gettext("There is a scene named so already:")));
            }
            w.edit(|s| s.add_scene(Scene::new(name.as_str())));
            // The lists follow when the program (or the preview) shows it.
            w.switch_scene(&name);
        });
    }

    pub fn remove_scene(&self) {
        let Some(name) = self.edited_scene() else { return };
        self.remove_scene_named(&name);
    }

    /// Removes a scene, with a toast that can bring it back.
    pub fn remove_scene_named(&self, name: &str) {
        let Some(collection) = self.collection() else { return };
        let Some(index) = collection.scenes.iter().position(|s| s.name == name) else { return };
        let scene = collection.scenes[index].clone();
        let removed = name.to_owned();
        self.edit_then(
            |s| s.remove_scene(name),
            move |w, _| {
                // The program moved on to another scene (or to black).
                if w.imp().program_scene.borrow().as_deref() == Some(removed.as_str()) {
                    *w.imp().program_scene.borrow_mut() = w.studio_program_scene();
                }
                w.refresh();
            },
        );
        self.imp().document.set_removed_scene(index, scene);
        self.toast_with_undo(&format!("{} “{name}”", gettext("Removed scene")), "app.undo-remove-scene");
    }

    /// Brings back the last removed scene where it was.
    pub fn undo_remove_scene(&self) {
        let Some((index, scene)) = self.imp().document.take_removed_scene() else { return };
        let name = scene.name.clone();
        self.edit_and_refresh(|s| {
            s.add_scene(scene);
            s.move_scene(&name, index);
        });
    }

    pub fn rename_scene(&self, from: &str, to: &str) {
        // Edits sent from now on name the scene by its new name (the engine
        // applies them after the renaming).
        let mut program = self.imp().program_scene.borrow_mut();
        if program.as_deref() == Some(from) {
            *program = Some(to.trim().to_owned());
        }
        drop(program);
        self.edit_and_refresh(|s| s.rename_scene(from, to));
    }

    /// Asks for a new name for a scene.
    pub fn ask_rename_scene(&self, from: &str) {
        let from_name = from.to_owned();
        self.ask_name(&gettext("Rename Scene"), from, &gettext("_Rename"), move |w, name| {
            w.rename_scene(&from_name, &name)
        });
    }

    /// Asks for a name (starting from `initial`); `accepted` gets it.
    pub fn ask_name(
        &self,
        heading: &str,
        initial: &str,
        accept: &str,
        accepted: impl Fn(&Window, String) + 'static,
    ) {
        let entry = gtk::Entry::builder().text(initial).activates_default(true).build();
        let dialog = adw::MessageDialog::builder()
            .transient_for(self)
            .modal(true)
            .heading(heading)
            .extra_child(&entry)
            .default_response("accept")
            .close_response("cancel")
            .build();
        dialog.add_responses(&[("cancel", &gettext("_Cancel")), ("accept", accept)]);
        dialog.set_response_appearance("accept", adw::ResponseAppearance::Suggested);
        let w = self.downgrade();
        dialog.connect_response(None, move |_, response| {
            let name = entry.text().trim().to_owned();
            if let (Some(w), "accept", false) = (w.upgrade(), response, name.is_empty()) {
                accepted(&w, name);
            }
        });
        dialog.present();
    }

    pub fn duplicate_scene(&self, name: &str) {
        let Some(collection) = self.collection() else { return };
        let Some(index) = collection.scenes.iter().position(|s| s.name == name) else { return };
        let mut copy = collection.scenes[index].clone();
        copy.name = (1..)
            .map(|n| {
                if n == 1 {
                    format!("{name} ({})", gettext("copy"))
                } else {
                    format!("{name} ({} {n})", gettext("copy"))
                }
            })
            .find(|n| collection.scene(n).is_none())
            .unwrap_or_default();
        let new = copy.name.clone();
        self.edit_and_refresh(|s| {
            s.add_scene(copy);
            s.move_scene(&new, index + 1);
        });
    }

    /// Moves a scene one place up (`-1`) or down (`1`) in the list.
    pub fn move_scene(&self, name: &str, by: isize) {
        let Some(collection) = self.collection() else { return };
        let Some(index) = collection.scenes.iter().position(|s| s.name == name) else { return };
        let to = index.saturating_add_signed(by);
        self.edit_and_refresh(|s| s.move_scene(name, to));
    }

    /// Changes an item of the program scene: `op` is raise, lower, fit or lock.
    pub fn item_action(&self, id: &str, op: &str) {
        let (Ok(id), Some(scene)) = (id.parse::<u64>(), self.edited_scene()) else {
            return;
        };
        let Some(collection) = self.collection() else { return };
        let Some(s) = collection.scene(&scene) else { return };
        let Some(index) = s.items.iter().position(|i| i.id.0 == id) else { return };
        let mut item = s.items[index].clone();
        self.remember_scene();
        match op {
            "raise" => self.edit_and_refresh(|st| st.move_item(&scene, item.id, index + 1)),
            "lower" => self.edit_and_refresh(|st| st.move_item(&scene, item.id, index.saturating_sub(1))),
            "fit" => {
                (item.x, item.y, item.width, item.height) =
                    (0, 0, collection.video.width, collection.video.height);
                self.edit_and_refresh(|st| st.update_item(&scene, item));
            }
            "lock" => {
                item.locked = !item.locked;
                self.edit_and_refresh(|st| st.update_item(&scene, item));
            }
            "reset" => {
                // The source's own size at the top-left corner, uncropped;
                // the whole canvas for sources without a size of their own.
                let size =
                    self.imp().studio.borrow().as_ref().and_then(|st| st.source_size(&item.source).ok());
                let (w, h) = size.flatten().unwrap_or((collection.video.width, collection.video.height));
                (item.x, item.y, item.width, item.height) = (0, 0, w, h);
                item.crop = plateau::model::Crop::default();
                self.edit_and_refresh(|st| st.update_item(&scene, item));
            }
            "remove" => self.edit_and_refresh(|st| st.remove_item(&scene, item.id)),
            "filters" => self.show_filters(item.source.as_str()),
            "copy-filters" => {
                let filters = collection.source(&item.source).map(|s| s.filters.clone()).unwrap_or_default();
                self.toast(&match filters.len() {
                    0 => gettext("This source has no filter to copy"),
                    n => ngettext("One filter copied", "{n} filters copied", n as u32)
                        .replace("{n}", &n.to_string()),
                });
                self.imp().copied_filters.replace(Some(filters));
            }
            "paste-filters" => {
                let copied = self.imp().copied_filters.borrow().clone();
                let source = collection.source(&item.source).cloned();
                match (copied, source) {
                    (Some(copied), Some(mut source)) => {
                        // Only the filters this source can use: a picture's on a picture.
                        let fits = |f: &&plateau::model::Filter| {
                            if f.kind.is_audio() {
                                source.kind.has_audio()
                            } else {
                                source.kind.has_video()
                            }
                        };
                        let pasted: Vec<_> = copied.iter().filter(fits).cloned().collect();
                        self.remember_source(&source, true);
                        source.filters.extend(pasted);
                        self.update_source(source);
                    }
                    _ => self.toast(&gettext("Copy a source's filters first")),
                }
            }
            _ => {}
        }
    }

    pub(super) fn studio_program_scene(&self) -> Option<String> {
        self.imp().studio.borrow().as_ref().and_then(|s| s.program_scene().ok().flatten())
    }

    /// Adds a new source of `kind` to the program scene, where it shows whole.
    pub fn add_source(&self, kind: &str) {
        if kind == "file" {
            return self.choose_file();
        }
        if kind == "slideshow" {
            return self.choose_slideshow_folder();
        }
        let Some(source_kind) = new_source_kind(kind) else { return };
        // A new source opens its properties, to be set up at once (as in OBS).
        self.add_source_at(source_kind, None, |w, id| w.show_properties(id.as_str()));
    }

    /// Adds a source and its item to the edited scene, in one command
    /// that the engine applies whole or not at all; with `at` (a point of
    /// the canvas view) the item is centred there, else on the canvas.
    /// `then` gets the new source's id once the engine has added it.
    fn add_source_at(
        &self,
        kind: SourceKind,
        at: Option<(f64, f64)>,
        then: impl FnOnce(&Self, SourceId) + 'static,
    ) {
        let Some(collection) = self.collection() else { return };
        let Some(scene) = self.edited_scene() else {
            return self.toast(&gettext("Add a scene first"));
        };
        // A picture or a clip is named after its file, as people know it.
        let name = match &kind {
            SourceKind::Image { path } | SourceKind::Media { path, .. } => {
                path.file_stem().map(|s| s.to_string_lossy().into_owned())
            }
            _ => None,
        };
        let name = name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| kind_label(&kind));
        let id = collection.unused_source_id(&name);
        let (w, h) = (collection.video.width, collection.video.height);
        let mut kind = kind;
        let (iw, ih) = match super::text_fit::fitted_size(self, &kind) {
            // A new text shows at its own size (smaller if the canvas is).
            Some((tw, th)) => {
                kind = super::text_fit::with_size(&kind, (tw, th));
                own_size_within((tw, th), (w, h))
            }
            None => match &kind {
                // A picture shows at its own size (smaller if the canvas is).
                SourceKind::Image { path } => match gtk::gdk_pixbuf::Pixbuf::file_info(path) {
                    Some((_, pw, ph)) if pw > 0 && ph > 0 => own_size_within((pw as u32, ph as u32), (w, h)),
                    _ => (w / 2, h / 2),
                },
                // A chat or a slideshow shows its box at its own size (smaller if the canvas is).
                SourceKind::Chat { width, height, .. } | SourceKind::Slideshow { width, height, .. } => {
                    own_size_within((*width, *height), (w, h))
                }
                kind if kind.has_video() => (w / 2, h / 2),
                _ => (0, 0),
            },
        };
        let (cx, cy) = match at {
            Some((vx, vy)) => {
                let view = (f64::from(self.imp().canvas.width()), f64::from(self.imp().canvas.height()));
                super::manipulation::Fit::inset((w, h), view).to_canvas(vx, vy)
            }
            None => (f64::from(w) / 2.0, f64::from(h) / 2.0),
        };
        let (x, y) = ((cx - f64::from(iw) / 2.0).round() as i32, (cy - f64::from(ih) / 2.0).round() as i32);
        let is_media = matches!(kind, SourceKind::Media { .. });
        let source = Source::new(id.0.clone(), name, kind);
        let item = SceneItem::new(ItemId(0), id.clone(), x, y, iw, ih);
        let edited = scene.clone();
        self.edit_then(
            |s| s.add_source_with_item(source, &scene, item),
            move |w, reply| {
                w.refresh();
                if let (true, Reply::Item(item)) = (is_media, reply) {
                    w.fit_to_own_size_when_known(edited, *item, id.clone(), (x, y, iw, ih));
                }
                then(w, id);
            },
        );
    }

    /// A clip's size is known once it plays: its new item then takes it
    /// (smaller if the canvas is), centred where it was, unless it was
    /// moved or resized meanwhile. Asked for five seconds at most.
    fn fit_to_own_size_when_known(
        &self,
        scene: String,
        id: ItemId,
        source: SourceId,
        placed: (i32, i32, u32, u32),
    ) {
        let (w, tries) = (self.downgrade(), std::cell::Cell::new(0));
        glib::timeout_add_local(std::time::Duration::from_millis(200), move || {
            tries.set(tries.get() + 1);
            let Some(w) = w.upgrade() else { return glib::ControlFlow::Break };
            // The size first (a small question); the collection only once it is known.
            let size = w.imp().studio.borrow().as_ref().and_then(|s| s.source_size(&source).ok().flatten());
            let Some(size) = size.filter(|(sw, sh)| *sw > 0 && *sh > 0) else {
                return if tries.get() < 25 { glib::ControlFlow::Continue } else { glib::ControlFlow::Break };
            };
            let Some(collection) = w.collection() else { return glib::ControlFlow::Break };
            let Some(item) = collection.scene(&scene).and_then(|s| s.item(id)).cloned() else {
                return glib::ControlFlow::Break;
            };
            if (item.x, item.y, item.width, item.height) != placed {
                return glib::ControlFlow::Break;
            }
            let (nw, nh) = own_size_within(size, (collection.video.width, collection.video.height));
            let centre = (item.x + item.width as i32 / 2, item.y + item.height as i32 / 2);
            let mut fitted = item;
            (fitted.x, fitted.y, fitted.width, fitted.height) =
                (centre.0 - nw as i32 / 2, centre.1 - nh as i32 / 2, nw, nh);
            w.edit_and_refresh(|s| s.update_item(&scene, fitted));
            glib::ControlFlow::Break
        });
    }

    fn choose_file(&self) {
        let w = self.downgrade();
        super::file_dialog::ask(
            Some(self),
            &gettext("Add an Image or Media File"),
            &gettext("_Add"),
            super::file_dialog::Choose::File,
            move |path| {
                if let Some(w) = w.upgrade() {
                    w.add_file(path);
                }
            },
        );
    }

    /// Asks for a folder of pictures and adds a slideshow of it.
    fn choose_slideshow_folder(&self) {
        let w = self.downgrade();
        super::file_dialog::ask(
            Some(self),
            &gettext("A Folder of Pictures for the Slideshow"),
            &gettext("_Add"),
            super::file_dialog::Choose::Folder,
            move |folder| {
                if let Some(w) = w.upgrade() {
                    let kind: Option<SourceKind> =
                        serde_json::from_value(serde_json::json!({ "kind": "slideshow", "folder": folder }))
                            .ok();
                    if let Some(kind) = kind {
                        w.add_source_at(kind, None, |w, id| w.show_properties(id.as_str()));
                    }
                }
            },
        );
    }

    /// Adds a file as an image (PNG, JPEG, SVG) or a looping media source.
    pub fn add_file(&self, path: PathBuf) {
        self.add_file_at(path, None);
    }

    /// Like `add_file`, centred at a point of the canvas view.
    pub fn add_file_at(&self, path: PathBuf, at: Option<(f64, f64)>) {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        let kind = if matches!(ext.as_str(), "png" | "jpg" | "jpeg" | "svg") {
            SourceKind::Image { path }
        } else {
            SourceKind::Media { path, looping: true }
        };
        self.add_source_at(kind, at, |_, _| {});
    }

    /// A new file in the recording folder, named from the settings'
    /// template and the date and time; never one that exists already.
    fn new_recording_path(&self, ext: &str) -> PathBuf {
        plateau::recordings::new_path(&self.imp().settings.borrow(), ext)
    }

    /// The settings as they are now.
    pub fn settings(&self) -> Settings {
        self.imp().settings.borrow().clone()
    }

    /// Hears the monitored sound on `device` (none: the default one), now
    /// and at the next start.
    pub fn set_monitoring_device(&self, device: Option<String>) {
        self.update_settings(|s| s.monitor_device = device.clone());
        if let Some(studio) = self.imp().studio.borrow().as_ref() {
            // Its answer (an error is an event) is not awaited.
            drop(studio.request(plateau::engine::Command::MonitorDevice(device)));
        }
    }

    /// Hears the program's mix on the monitoring device, or no longer.
    pub fn set_monitoring_program(&self, on: bool) {
        self.update_settings(|s| s.monitor_program = on);
        if let Some(studio) = self.imp().studio.borrow().as_ref() {
            drop(studio.request(plateau::engine::Command::MonitorProgram(on)));
        }
    }

    /// Changes the settings; they are saved half a second after the last
    /// change, off the interface thread.
    pub fn update_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut self.imp().settings.borrow_mut());
        self.imp().settings_autosave.schedule(self.settings_snapshot(), self.settings_save_failed());
    }

    /// Adds a destination for `service` ("YouTube", "Twitch", or anything
    /// else for a custom server to fill in); returns its name.
    pub fn add_destination(&self, service: &str) -> String {
        let server = plateau::model::SERVICES.iter().find(|(name, _)| *name == service).map(|(_, s)| *s);
        let base = if server.is_some() { service.to_owned() } else { gettext("Custom server") };
        let taken: Vec<String> = self.settings().destinations.into_iter().map(|d| d.name).collect();
        let name = (1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base} {n}") })
            .find(|n| !taken.contains(n))
            .unwrap_or(base);
        let destination = plateau::model::Destination {
            name: name.clone(),
            server: server.unwrap_or("rtmp://").to_owned(),
            enabled: server.is_some(),
        };
        self.update_settings(|s| s.destinations.push(destination));
        name
    }

    /// Calls `f` whenever a destination is added through `app.add-destination`.
    /// (`f` gets the new destination's name.)
    pub fn connect_destinations_changed(&self, f: impl Fn(Option<&str>) + 'static) {
        self.imp().destination_listeners.borrow_mut().push(Box::new(f));
    }

    pub fn destinations_changed(&self, added: Option<&str>) {
        for f in self.imp().destination_listeners.borrow().iter() {
            f(added);
        }
    }

    /// The canvas of the running program.
    pub fn canvas_settings(&self) -> Option<plateau::model::VideoSettings> {
        self.imp().studio.borrow().as_ref().map(|s| s.canvas())
    }

    /// What outputs are fed from, while the program runs (handed to the
    /// workers that start them).
    pub fn feeds(&self) -> Option<plateau::engine::Feeds> {
        self.imp().studio.borrow().as_ref().map(|s| s.as_ref().clone())
    }

    /// Whether a recording, a podcast or a stream runs.
    pub fn outputs_running(&self) -> bool {
        let imp = self.imp();
        imp.show.is_running() || imp.show.is_finishing()
    }

    /// Changes the canvas size and rate: the engine restarts on the
    /// collection at its new size (items keep their place), so only while
    /// nothing is recorded or streamed.
    pub fn change_canvas(&self, video: plateau::model::VideoSettings) -> bool {
        let imp = self.imp();
        let Some(mut collection) = self.collection().map(|c| (*c).clone()) else { return false };
        if collection.video == video {
            return true;
        }
        if self.outputs_running() {
            self.show_error(
                &gettext("The canvas cannot change now"),
                &gettext("Stop recording and streaming first: every output is made at the canvas size."),
            );
            return false;
        }
        collection.set_canvas(video);
        if let Err(e) = collection.validate() {
            self.show_error(&gettext("That canvas cannot be used"), &e);
            return false;
        }
        let scene = imp.program_scene.borrow().clone();
        tracing::info!(width = video.width, height = video.height, fps = video.fps, "canvas changed");
        self.restart_studio(collection, scene.as_deref());
        self.save_now();
        true
    }

    /// Stops the engine and starts it again on `collection` (studio mode
    /// off). Outputs must be stopped first.
    pub fn restart_studio(&self, collection: SceneCollection, scene: Option<&str>) {
        let imp = self.imp();
        if imp.studio_mode.get() {
            self.set_studio_mode(false);
            let action = self.application().and_then(|a| a.lookup_action("studio-mode"));
            if let Some(a) = action.and_downcast::<gio::SimpleAction>() {
                a.set_state(&false.to_variant());
            }
        }
        imp.program_view.take();
        // The virtual camera follows the new canvas: opened again below.
        let camera_on = imp.virtual_camera.take().is_some();
        let replay_on = self.replay_on();
        self.stop_replay_buffer();
        if let Some(old) = imp.studio.take() {
            old.stop();
        }
        // The store stays the one already open.
        self.start_studio(collection, scene, self.settings(), None);
        if camera_on {
            self.toggle_virtual_camera();
        }
        if replay_on {
            self.toggle_replay_buffer();
        }
    }

    /// Saves the settings now, on this thread (atomically, through the model).
    pub fn save_settings(&self) {
        if let Err(e) = self.imp().settings_autosave.flush(&self.settings_snapshot()) {
            self.show_error(&gettext("The settings could not be saved"), &e);
        }
    }

    /// Pauses or resumes the running recording; returns whether it is paused.
    pub fn toggle_pause(&self) -> bool {
        let paused = self.imp().show.toggle_pause();
        self.update_status();
        paused
    }

    /// Starts or stops the podcast recording (the mix and one track per
    /// source, one Matroska file), both in the background. Stopping
    /// finishes the file (measured and normalised).
    pub fn toggle_podcast(&self) {
        let imp = self.imp();
        if imp.show.is_podcasting() {
            self.end_in_background(
                |show| async move { show.stop_podcast().await },
                gettext("The podcast did not end cleanly"),
            );
        } else {
            let w = self.clone();
            glib::spawn_future_local(async move {
                let _ = w.start_podcast().await;
            });
        }
        self.update_status();
    }

    /// Starts the podcast off the interface thread; its path once it
    /// runs. A failure is also told in the window.
    pub async fn start_podcast(&self) -> Result<std::path::PathBuf, String> {
        let imp = self.imp();
        if let Some(path) = imp.show.podcast_path() {
            return Ok(path);
        }
        let feeds = self.feeds().ok_or_else(|| gettext("The program is not running"))?;
        let prefs = self.settings().podcast;
        let file = self.new_recording_path("mka");
        // A folder of one file per track is named like the file would be.
        let path = if prefs.separate_files { file.with_extension("") } else { file };
        let codec = match prefs.format {
            plateau::model::PodcastFormat::Opus => plateau::engine::PodcastCodec::Opus,
            plateau::model::PodcastFormat::Flac => plateau::engine::PodcastCodec::Flac,
            plateau::model::PodcastFormat::Wav => plateau::engine::PodcastCodec::Wav,
        };
        let settings = PodcastSettings { codec, loudness_target: prefs.normalize.then_some(-16.0) };
        let target = path.clone();
        let Some(starting) = imp.show.start_in_background(
            plateau::engine::PODCAST,
            gettext("Starting the podcast…"),
            move || Podcast::start(&feeds, &target, settings).map_err(|e| e.to_string()),
        ) else {
            return Err(gettext("The podcast is being started already"));
        };
        self.update_status();
        let started = starting.await.map(|podcast| imp.show.set_podcast(podcast));
        self.update_status();
        match started {
            Ok(()) => Ok(path),
            Err(e) => {
                self.show_error(&gettext("The podcast could not start"), &e);
                Err(e)
            }
        }
    }

    /// Ends an output with `stop` (given the show) off the interface
    /// thread, then says how it ended.
    fn end_in_background<F>(&self, stop: impl FnOnce(Show) -> F + 'static, failure: String)
    where
        F: std::future::Future<Output = Option<Ended>> + 'static,
    {
        let (w, show) = (self.downgrade(), self.imp().show.clone());
        glib::spawn_future_local(async move {
            let ended = stop(show).await;
            if let (Some(w), Some(ended)) = (w.upgrade(), ended) {
                w.say_ended(ended, &failure);
            }
        });
    }

    /// Says how an output ended: its toast, or what went wrong.
    fn say_ended(&self, ended: Ended, failure: &str) {
        match ended {
            Ok(path) => self.toast_recorded(&path),
            Err(e) => self.show_error(failure, &e),
        }
    }

    /// Marks a chapter in the running podcast.
    pub fn add_chapter(&self) {
        let chapter = gettext("Chapter");
        match self.imp().show.add_chapter(|n| format!("{chapter} {n}")) {
            Some((n, at)) => {
                self.toast(&format!("{chapter} {n} · {}:{:02}", at.seconds() / 60, at.seconds() % 60))
            }
            None => self.toast(&gettext("Chapters go into a podcast recording: start one first")),
        }
    }

    /// Starts or stops the recording. Both run in the background: the
    /// button follows at once, the file is there when the status says so.
    pub fn toggle_record(&self) {
        let imp = self.imp();
        if imp.show.is_recording() {
            let w = self.downgrade();
            glib::spawn_future_local(async move {
                let Some(window) = w.upgrade() else { return };
                if let Some(ended) = window.end_recording().await {
                    window.say_ended(ended, &gettext("The recording did not end cleanly"));
                }
            });
        } else {
            let w = self.clone();
            glib::spawn_future_local(async move {
                let _ = w.start_recording().await;
            });
        }
        self.show_recording();
    }

    /// Starts the recording off the interface thread; Ok once it runs
    /// (or is being started already). A failure is also told in the window.
    pub async fn start_recording(&self) -> Result<(), String> {
        let imp = self.imp();
        if imp.show.is_recording() {
            return Ok(());
        }
        let feeds = self.feeds().ok_or_else(|| gettext("The program is not running"))?;
        let prefs = imp.settings.borrow().recording.clone();
        let path = self.new_recording_path(prefs.format.extension());
        // While the show is on the swarm, the recording shares its encode
        // (a keyframe every second suits a file): see `Keyframes`.
        let settings = RecordSettings {
            split_seconds: Some(prefs.split_minutes.saturating_mul(60)).filter(|s| *s > 0),
            split_bytes: Some(u64::from(prefs.split_megabytes) * 1_000_000).filter(|b| *b > 0),
            ..RecordSettings::default()
        };
        let file = path.clone();
        let Some(starting) = imp.show.start_in_background(
            plateau::engine::RECORDING,
            gettext("Starting the recording…"),
            move || Recorder::start(&feeds, &file, settings).map_err(|e| e.to_string()),
        ) else {
            return Ok(());
        };
        self.show_recording();
        let started = starting.await.map(|recorder| {
            imp.show.set_recorder(recorder);
            imp.remote.emit(events::record_state(true, "OBS_WEBSOCKET_OUTPUT_STARTED", Some(&path)));
        });
        if let Err(e) = &started {
            self.show_error(&gettext("The recording could not start"), e);
        }
        self.show_recording();
        started
    }

    /// The Record button and the status line say whether a recording
    /// runs (or is being started).
    fn show_recording(&self) {
        let imp = self.imp();
        let on = imp.show.is_recording() || imp.show.is_starting(plateau::engine::RECORDING);
        imp.record_button.set_active(on);
        self.update_status();
    }

    /// Starts, moves or stops remote control as the settings say.
    pub fn apply_remote_control(&self) {
        let prefs = self.imp().settings.borrow().remote_control.clone();
        self.imp().remote.apply(&prefs);
    }

    /// The window's remote control.
    pub fn remote(&self) -> crate::ui::remote_control::RemoteControl {
        self.imp().remote.clone()
    }

    /// Ends the recording in the background and waits for its end (none
    /// when none runs); the button, the status line and remote clients
    /// follow.
    pub async fn end_recording(&self) -> Option<Ended> {
        let imp = self.imp();
        if !imp.show.is_recording() {
            return None;
        }
        imp.remote.emit(events::record_state(true, "OBS_WEBSOCKET_OUTPUT_STOPPING", None));
        let show = imp.show.clone();
        let stopping = show.stop_recording();
        imp.record_button.set_active(false);
        self.update_status();
        let ended = stopping.await?;
        let path = ended.as_ref().ok().cloned();
        imp.remote.emit(events::record_state(false, "OBS_WEBSOCKET_OUTPUT_STOPPED", path.as_deref()));
        Some(ended)
    }

    /// Closing while on air or recording: asks first.
    fn ask_to_stop_and_quit(&self) {
        let dialog = adw::MessageDialog::builder()
            .transient_for(self)
            .modal(true)
            .heading(gettext("Stop the Show and Quit?"))
            .body(gettext(
                "Recording and streaming stop. Every file is finished and kept before Plateau closes.",
            ))
            .build();
        dialog.add_responses(&[("keep", &gettext("_Keep Going")), ("quit", &gettext("_Stop and Quit"))]);
        dialog.set_response_appearance("quit", adw::ResponseAppearance::Destructive);
        dialog.set_default_response(Some("keep"));
        dialog.set_close_response("keep");
        let w = self.downgrade();
        dialog.connect_response(None, move |_, response| {
            if let (Some(w), "quit") = (w.upgrade(), response) {
                w.finish_and_close();
            }
        });
        dialog.present();
    }

    /// Stops every output, lets them finish in the background (the status
    /// line says so), then closes the window.
    fn finish_and_close(&self) {
        let imp = self.imp();
        if imp.closing.replace(true) {
            return;
        }
        imp.record_button.set_sensitive(false);
        imp.live_button.set_sensitive(false);
        let (w, show) = (self.downgrade(), imp.show.clone());
        glib::spawn_future_local(async move {
            // Outputs stopped earlier may still be finishing, and one being
            // started is stopped once it runs.
            loop {
                for ended in show.stop_all().await {
                    match ended {
                        Ok(path) => tracing::info!(path = %path.display(), "finished before closing"),
                        Err(e) => tracing::error!(%e, "an output did not finish cleanly before closing"),
                    }
                }
                if !show.is_finishing() && !show.is_running() {
                    break;
                }
                glib::timeout_future(std::time::Duration::from_millis(100)).await;
            }
            if let Some(w) = w.upgrade() {
                w.close();
            }
        });
    }

    /// Stops the engine; the collection, the settings and the window's
    /// state are saved first. Every output has been finished already.
    pub fn shut_down(&self) {
        let imp = self.imp();
        let (width, height) = self.default_size();
        let state = plateau::model::WindowState { width, height, maximized: self.is_maximized() };
        imp.settings.borrow_mut().window = Some(state);
        self.save_now();
        self.save_settings();
        imp.remote.close();
        imp.studio_view.take();
        imp.program_view.take();
        if let Some(studio) = imp.studio.take() {
            studio.stop();
        }
    }
}

fn new_source_kind(kind: &str) -> Option<SourceKind> {
    Some(match kind {
        "test-pattern" => SourceKind::TestPattern { pattern: TestPattern::Smpte },
        "color" => SourceKind::Color { color: Color::rgb(53, 132, 228) },
        "text" => SourceKind::Text {
            text: gettext("Your title"),
            font: "Sans Bold".into(),
            size: 64,
            color: Color::rgb(255, 255, 255),
            outline: true,
            shadow: true,
            width: 1280,
            height: 160,
            motion: TextMotion::Still,
        },
        "clock" => moving_text(DEFAULT_TIME_FORMAT.into(), TextMotion::Clock { time_zone: None }),
        "countdown" => moving_text(
            "%M:%S".into(),
            TextMotion::Countdown { to: CountdownTarget::Seconds(300), at_zero: gettext("On air") },
        ),
        "stopwatch" => moving_text(DEFAULT_TIME_FORMAT.into(), TextMotion::Stopwatch),
        "ticker" => moving_text(gettext("Your news, scrolling by"), TextMotion::Ticker { speed: 120 }),
        "screen-x11" => SourceKind::ScreenX11 { display: None, region: None, show_pointer: true },
        "screen-portal" => SourceKind::ScreenPortal { restore_token: None },
        "webcam" => SourceKind::Webcam { device: None, width: 1280, height: 720, fps: 30 },
        "microphone" => SourceKind::AudioInput { device: None },
        "desktop-audio" => SourceKind::DesktopAudio,
        "chat" => SourceKind::Chat {
            font: "Sans Bold".into(),
            size: 28,
            color: Color::rgb(255, 255, 255),
            outline: true,
            shadow: false,
            width: 640,
            height: 240,
            lines: 5,
        },
        _ => return None,
    })
}

/// A text that changes by itself, white with an outline.
fn moving_text(text: String, motion: TextMotion) -> SourceKind {
    SourceKind::Text {
        text,
        font: "Sans Bold".into(),
        size: 64,
        color: Color::rgb(255, 255, 255),
        outline: true,
        shadow: false,
        width: 1280,
        height: 100,
        motion,
    }
}

/// What a presenter can do when a source of this kind fails.
fn failure_hint(kind: &SourceKind) -> String {
    match kind {
        SourceKind::Image { .. } | SourceKind::Media { .. } => {
            gettext("Check that the file is still there, or choose another one in the source's properties.")
        }
        SourceKind::Webcam { .. } | SourceKind::AudioInput { .. } => {
            gettext("Check that the device is plugged in: Plateau tries again by itself when it comes back.")
        }
        SourceKind::ScreenPortal { .. } => {
            gettext("Allow the screen to be shared when the system asks; Plateau asks again in a moment.")
        }
        SourceKind::ScreenX11 { .. } => {
            gettext("Screen capture needs an X11 session (or the Wayland screen source).")
        }
        _ => gettext("Plateau tries again by itself; its place shows “No signal” meanwhile."),
    }
}

/// A picture of `size` at its own size on a `canvas`, scaled down to fit
/// when it is bigger.
fn own_size_within(size: (u32, u32), canvas: (u32, u32)) -> (u32, u32) {
    let (sw, sh) = (f64::from(size.0.max(1)), f64::from(size.1.max(1)));
    let scale = (f64::from(canvas.0) / sw).min(f64::from(canvas.1) / sh).min(1.0);
    ((sw * scale).round() as u32, (sh * scale).round() as u32)
}
