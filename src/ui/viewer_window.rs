//! The viewer's window (`plateau watch TICKET` with a display): the show
//! as it comes from the swarm, its volume, fullscreen, how late it is, and
//! what is happening when there is no picture (joining, reconnecting, the
//! show has ended). It relays to others while it plays; closing it leaves
//! the swarm cleanly, off the interface thread.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use super::frame_sink::frame_sink;
use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use gtk::{glib, CompositeTemplate};
use plateau::engine::Playback;
use plateau::p2p::{PeerOptions, Ticket, Viewer};

/// How long without a new chunk before the window says it is reconnecting.
const QUIET: Duration = Duration::from_secs(2);
/// How often the window looks at the viewer's figures.
const LOOK_EVERY: Duration = Duration::from_millis(250);

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/viewer-window.ui")]
    pub struct ViewerWindow {
        #[template_child]
        pub title: TemplateChild<adw::WindowTitle>,
        #[template_child]
        pub fullscreen: TemplateChild<gtk::Button>,
        #[template_child]
        pub picture: TemplateChild<gtk::Picture>,
        #[template_child]
        pub state: TemplateChild<gtk::Label>,
        #[template_child]
        pub mute: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub volume: TemplateChild<gtk::Scale>,
        #[template_child]
        pub latency: TemplateChild<gtk::Label>,
        #[template_child]
        pub chat_pane: TemplateChild<gtk::Box>,
        #[template_child]
        pub chat_scroll: TemplateChild<gtk::ScrolledWindow>,
        #[template_child]
        pub chat_list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub chat_name: TemplateChild<gtk::Entry>,
        #[template_child]
        pub chat_entry: TemplateChild<gtk::Entry>,
        #[template_child]
        pub chat_problem: TemplateChild<gtk::Label>,
        pub viewer: RefCell<Option<Viewer>>,
        pub playback: RefCell<Option<Arc<Playback>>>,
        /// Chunks received at the last look, and how long that number has not moved.
        pub received: Cell<(u64, u32)>,
        pub leaving: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ViewerWindow {
        const NAME: &'static str = "PlateauViewerWindow";
        type Type = super::ViewerWindow;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            klass.add_binding(gtk::gdk::Key::F11, gtk::gdk::ModifierType::empty(), |w| {
                w.toggle_fullscreen();
                glib::Propagation::Stop
            });
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ViewerWindow {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj().downgrade();
            self.fullscreen.connect_clicked(move |_| {
                if let Some(w) = obj.upgrade() {
                    w.toggle_fullscreen();
                }
            });
            let obj = self.obj().downgrade();
            self.volume.connect_value_changed(move |_| {
                if let Some(w) = obj.upgrade() {
                    w.apply_volume();
                }
            });
            let obj = self.obj().downgrade();
            self.chat_entry.connect_activate(move |_| {
                if let Some(w) = obj.upgrade() {
                    w.say();
                }
            });
            let obj = self.obj().downgrade();
            self.chat_entry.connect_icon_release(move |_, _| {
                if let Some(w) = obj.upgrade() {
                    w.say();
                }
            });
            self.chat_name.set_text(&default_chat_name());
            let obj = self.obj().downgrade();
            self.mute.connect_toggled(move |b| {
                b.set_icon_name(match b.is_active() {
                    true => "audio-volume-muted-symbolic",
                    false => "audio-volume-high-symbolic",
                });
                if let Some(w) = obj.upgrade() {
                    w.apply_volume();
                }
            });
        }
    }
    impl WidgetImpl for ViewerWindow {}
    impl WindowImpl for ViewerWindow {
        fn close_request(&self) -> glib::Propagation {
            let Some(viewer) = self.viewer.take() else { return self.parent_close_request() };
            // Leaving takes up to two seconds: not on the interface thread.
            self.leaving.set(true);
            self.obj().set_visible(false);
            let obj = self.obj().downgrade();
            glib::spawn_future_local(async move {
                let _ = gio::spawn_blocking(move || viewer.stop()).await;
                if let Some(w) = obj.upgrade() {
                    w.imp().playback.take();
                    w.close();
                }
            });
            glib::Propagation::Stop
        }
    }
    impl ApplicationWindowImpl for ViewerWindow {}
    impl AdwApplicationWindowImpl for ViewerWindow {}
}

glib::wrapper! {
    pub struct ViewerWindow(ObjectSubclass<imp::ViewerWindow>)
        @extends adw::ApplicationWindow, gtk::ApplicationWindow, gtk::Window, gtk::Widget,
        @implements gio::ActionGroup, gio::ActionMap, gtk::Accessible, gtk::Buildable,
                    gtk::ConstraintTarget, gtk::Native, gtk::Root, gtk::ShortcutManager;
}

impl ViewerWindow {
    /// Joins the show of `ticket` and plays it.
    pub fn watch(app: &adw::Application, ticket: &Ticket, options: PeerOptions) -> anyhow::Result<Self> {
        let window: Self = glib::Object::builder().property("application", app).build();
        let imp = window.imp();
        imp.title.set_subtitle(&format!("{} {}", gettext("A show by"), ticket.broadcaster.fmt_short()));
        let (sink, frames) = frame_sink();
        frames.follow_renderer_of(&*imp.picture);
        imp.picture.set_paintable(Some(&frames));
        let playback = Arc::new(Playback::start(sink)?);
        let player = playback.clone();
        let viewer = Viewer::join(ticket, options, move |chunk| player.push(chunk.payload()))?;
        window.follow_chat(viewer.chat());
        imp.playback.replace(Some(playback));
        imp.viewer.replace(Some(viewer));
        let w = window.downgrade();
        glib::timeout_add_local(LOOK_EVERY, move || match w.upgrade() {
            Some(w) if !w.imp().leaving.get() => w.look(),
            _ => glib::ControlFlow::Break,
        });
        Ok(window)
    }

    /// Shows where the show stands: playing (and how late), joining,
    /// reconnecting, or ended.
    fn look(&self) -> glib::ControlFlow {
        let imp = self.imp();
        let Some(stats) = imp.viewer.borrow().as_ref().map(Viewer::stats) else {
            return glib::ControlFlow::Break;
        };
        let (last, still) = imp.received.get();
        let still = if stats.received == last { still + 1 } else { 0 };
        imp.received.set((stats.received, still));
        let quiet = LOOK_EVERY * still >= QUIET;
        let state = match (stats.ended, stats.received, quiet) {
            (true, _, _) => Some(gettext("The show has ended")),
            (false, 0, _) => Some(gettext("Joining the show…")),
            (false, _, true) => Some(gettext("Reconnecting…")),
            _ => None,
        };
        imp.state.set_visible(state.is_some());
        if let Some(text) = &state {
            imp.state.set_label(text);
        }
        let latency = stats.latency_ms.filter(|_| state.is_none());
        imp.latency.set_label(
            &latency.map_or(String::new(), |ms| {
                format!("{} {:.1} s", gettext("Latency"), f64::from(ms) / 1000.0)
            }),
        );
        match stats.ended {
            true => glib::ControlFlow::Break,
            false => glib::ControlFlow::Continue,
        }
    }

    /// Lists the chat as the studio passes it on (the last 200 lines).
    fn follow_chat(&self, chat: async_channel::Receiver<plateau::p2p::ChatLine>) {
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(line) = chat.recv().await {
                let Some(w) = w.upgrade() else { return };
                let imp = w.imp();
                let label = gtk::Label::builder()
                    .label(format!("{}: {}", line.name, line.text))
                    .wrap(true)
                    .wrap_mode(gtk::pango::WrapMode::WordChar)
                    .xalign(0.0)
                    .margin_top(3)
                    .margin_bottom(3)
                    .build();
                imp.chat_list.append(&label);
                while imp.chat_list.observe_children().n_items() > 200 {
                    if let Some(first) = imp.chat_list.first_child() {
                        imp.chat_list.remove(&first);
                    }
                }
                // Keep the newest line in sight.
                let adjustment = imp.chat_scroll.vadjustment();
                glib::idle_add_local_once(move || adjustment.set_value(adjustment.upper()));
            }
        });
    }

    /// Sends what was typed, signed with this viewer's key.
    fn say(&self) {
        let imp = self.imp();
        let (name, text) = (imp.chat_name.text().trim().to_owned(), imp.chat_entry.text().trim().to_owned());
        if text.is_empty() {
            return;
        }
        let sent = match imp.viewer.borrow().as_ref() {
            Some(v) => v.say(&name, &text).map_err(|e| e.to_string()),
            None => Err(gettext("The show has ended")),
        };
        match sent {
            Ok(()) => {
                imp.chat_entry.set_text("");
                imp.chat_problem.set_visible(false);
            }
            Err(why) => {
                imp.chat_problem.set_label(&format!("{} {why}", gettext("Not sent:")));
                imp.chat_problem.set_visible(true);
            }
        }
    }

    fn apply_volume(&self) {
        let imp = self.imp();
        if let Some(p) = imp.playback.borrow().as_ref() {
            p.set_volume(imp.volume.value(), imp.mute.is_active());
        }
    }

    fn toggle_fullscreen(&self) {
        let full = !self.is_fullscreen();
        self.set_fullscreened(full);
        // Fullscreen is the picture alone.
        self.imp().chat_pane.set_visible(!full);
        self.imp().fullscreen.set_icon_name(match full {
            true => "view-restore-symbolic",
            false => "view-fullscreen-symbolic",
        });
    }
}

/// The name a viewer chats under unless they change it: their real name,
/// else their user name (cut to the chat's limit).
fn default_chat_name() -> String {
    let real = glib::real_name().to_string_lossy().trim().to_owned();
    let name = match real.is_empty() || real == "Unknown" {
        true => glib::user_name().to_string_lossy().into_owned(),
        false => real,
    };
    name.chars().take(plateau::p2p::chat::MAX_NAME).collect()
}
