//! The audio mixer: a strip per source heard in the program (meters,
//! fader, mute). A scene without sound keeps the mixer's height with a
//! line saying so, so the canvas never jumps. A fader or mute change emits
//! `volume-changed` with the source's id, its volume and whether it is muted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use adw::subclass::prelude::*;
use gettextrs::gettext;
use glib::subclass::Signal;
use gtk::prelude::*;
use gtk::{glib, CompositeTemplate};
use plateau::model::{SceneCollection, SourceId};

use super::mixer_strip::MixerStrip;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/mixer.ui")]
    pub struct Mixer {
        pub strips: RefCell<HashMap<SourceId, MixerStrip>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Mixer {
        const NAME: &'static str = "PlateauMixer";
        type Type = super::Mixer;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for Mixer {
        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![Signal::builder("volume-changed")
                    .param_types([String::static_type(), f64::static_type(), bool::static_type()])
                    .build()]
            })
        }
    }
    impl WidgetImpl for Mixer {}
    impl BoxImpl for Mixer {}
}

glib::wrapper! {
    pub struct Mixer(ObjectSubclass<imp::Mixer>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl Mixer {
    /// Shows a strip for every source with sound in `scene` (what is heard).
    pub fn show(&self, collection: &SceneCollection, scene: Option<&str>) {
        while let Some(child) = self.first_child() {
            self.remove(&child);
        }
        let mut strips = HashMap::new();
        let in_scene = |id: &SourceId| {
            scene.and_then(|s| collection.scene(s)).is_some_and(|s| s.items.iter().any(|i| &i.source == id))
        };
        for source in collection.sources.iter().filter(|s| s.kind.has_audio() && in_scene(&s.id)) {
            let (mixer, id) = (self.downgrade(), source.id.clone());
            let strip = MixerStrip::new(&source.name, source.volume, source.muted, move |volume, muted| {
                if let Some(m) = mixer.upgrade() {
                    m.emit_by_name::<()>("volume-changed", &[&id.as_str(), &volume, &muted]);
                }
            });
            self.append(&strip);
            strips.insert(source.id.clone(), strip);
        }
        if strips.is_empty() {
            let (_, strip_height, _, _) =
                MixerStrip::new("", 1.0, false, |_, _| {}).measure(gtk::Orientation::Vertical, -1);
            let empty = gtk::Label::builder()
                .label(gettext("No sound in this scene: add a microphone, desktop audio or a media file."))
                .hexpand(true)
                .height_request(strip_height)
                .css_classes(["dim-label"])
                .build();
            self.append(&empty);
        }
        *self.imp().strips.borrow_mut() = strips;
    }

    /// A source's levels, in dBFS per channel.
    pub fn set_levels(&self, source: &SourceId, peak_db: &[f64], rms_db: &[f64]) {
        if let Some(strip) = self.imp().strips.borrow().get(source) {
            strip.set_levels(peak_db, rms_db);
        }
    }

    /// Calls `f` with a source, its volume and whether it is muted, when a
    /// person changes them.
    pub fn connect_volume_changed(&self, f: impl Fn(&SourceId, f64, bool) + 'static) {
        self.connect_closure(
            "volume-changed",
            false,
            glib::closure_local!(move |_: &Mixer, id: String, volume: f64, muted: bool| {
                f(&SourceId::new(id), volume, muted)
            }),
        );
    }
}
