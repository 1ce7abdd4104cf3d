//! The main window: the live program in the middle.

use std::cell::RefCell;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use gtk::{glib, CompositeTemplate};
use plateau::engine::{Event, Preview, Studio};
use plateau::model::SceneCollection;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/window.ui")]
    pub struct Window {
        #[template_child]
        pub program: TemplateChild<gtk::Picture>,
        #[template_child]
        pub status: TemplateChild<gtk::Label>,
        #[template_child]
        pub toasts: TemplateChild<adw::ToastOverlay>,
        #[template_child]
        pub title: TemplateChild<adw::WindowTitle>,
        pub studio: RefCell<Option<Studio>>,
        pub preview: RefCell<Option<Preview>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Window {
        const NAME: &'static str = "PlateauWindow";
        type Type = super::Window;
        type ParentType = adw::ApplicationWindow;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Window {}
    impl WidgetImpl for Window {}
    impl WindowImpl for Window {
        fn close_request(&self) -> glib::Propagation {
            self.preview.take();
            if let Some(studio) = self.studio.take() {
                studio.stop();
            }
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

    /// Starts the engine on `collection` and shows its program.
    pub fn start_studio(&self, collection: SceneCollection, scene: Option<&str>) {
        let imp = self.imp();
        imp.title.set_subtitle(&collection.name);
        let studio = match Studio::start(collection, scene) {
            Ok(s) => s,
            Err(e) => return self.show_error(&gettext("The program could not start"), &e.to_string()),
        };
        match self.attach_preview(&studio) {
            Ok(preview) => *imp.preview.borrow_mut() = Some(preview),
            Err(e) => self.show_error(&gettext("The program cannot be shown"), &e.to_string()),
        }
        self.listen(studio.events());
        *imp.studio.borrow_mut() = Some(studio);
    }

    fn attach_preview(&self, studio: &Studio) -> anyhow::Result<Preview> {
        let sink = gst::ElementFactory::make("gtk4paintablesink").build()?;
        let paintable = sink.property::<gtk::gdk::Paintable>("paintable");
        self.imp().program.set_paintable(Some(&paintable));
        Ok(Preview::start(studio, sink)?)
    }

    fn listen(&self, events: async_channel::Receiver<Event>) {
        let window = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(event) = events.recv().await {
                let Some(window) = window.upgrade() else { break };
                window.on_event(event);
            }
        });
    }

    fn on_event(&self, event: Event) {
        let imp = self.imp();
        match event {
            Event::Stats(stats) => imp.status.set_label(&format!(
                "{} {:.1} · {} {}",
                gettext("Frames per second:"),
                stats.fps,
                gettext("dropped:"),
                stats.dropped
            )),
            Event::SourceFailed { name, cause, .. } => {
                let toast = adw::Toast::new(&format!("{} “{name}”: {cause}", gettext("Source failed:")));
                imp.toasts.add_toast(toast);
            }
            Event::Error(message) => self.show_error(&gettext("Something went wrong"), &message),
            _ => {}
        }
    }

    fn show_error(&self, title: &str, detail: &str) {
        tracing::error!(%detail, "{title}");
        self.imp().toasts.add_toast(adw::Toast::new(&format!("{title}: {detail}")));
    }
}
