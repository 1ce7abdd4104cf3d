//! The viewer's window (`plateau watch TICKET` with a display): the show
//! as it comes from the swarm, its volume, fullscreen, how late it is, and
//! what is happening when there is no picture (joining, reconnecting, the
//! show has ended). It relays to others while it plays; closing it leaves
//! the swarm cleanly, off the interface thread.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

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
        let sink = gst::ElementFactory::make("gtk4paintablesink").build()?;
        let paintable = sink.property::<gtk::gdk::Paintable>("paintable");
        imp.picture.set_paintable(Some(&paintable));
        let playback = Arc::new(Playback::start(sink)?);
        let player = playback.clone();
        let viewer = Viewer::join(ticket, options, move |chunk| player.push(chunk.payload()))?;
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

    fn apply_volume(&self) {
        let imp = self.imp();
        if let Some(p) = imp.playback.borrow().as_ref() {
            p.set_volume(imp.volume.value(), imp.mute.is_active());
        }
    }

    fn toggle_fullscreen(&self) {
        let full = !self.is_fullscreen();
        self.set_fullscreened(full);
        self.imp().fullscreen.set_icon_name(match full {
            true => "view-restore-symbolic",
            false => "view-fullscreen-symbolic",
        });
    }
}
