//! One audio source in the mixer: name, peak and RMS meters in dB with a
//! clip warning, a volume fader and a mute button.

use std::cell::RefCell;

use adw::subclass::prelude::*;
use gettextrs::gettext;
use gtk::prelude::*;
use gtk::{glib, CompositeTemplate};

/// The meters show -60 dBFS to 0 dBFS.
const FLOOR_DB: f64 = -60.0;

type Changed = Box<dyn Fn(f64, bool)>;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/mixer-strip.ui")]
    pub struct MixerStrip {
        #[template_child]
        pub name: TemplateChild<gtk::Label>,
        #[template_child]
        pub reading: TemplateChild<gtk::Label>,
        #[template_child]
        pub mute: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub peak: TemplateChild<gtk::LevelBar>,
        #[template_child]
        pub rms: TemplateChild<gtk::LevelBar>,
        #[template_child]
        pub volume: TemplateChild<gtk::Scale>,
        pub changed: RefCell<Option<Changed>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for MixerStrip {
        const NAME: &'static str = "PlateauMixerStrip";
        type Type = super::MixerStrip;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for MixerStrip {
        fn constructed(&self) {
            self.parent_constructed();
            for bar in [&*self.peak, &*self.rms] {
                bar.add_offset_value("clip", 0.999);
                bar.add_offset_value(gtk::LEVEL_BAR_OFFSET_HIGH, 0.9);
            }
            let obj = self.obj().downgrade();
            self.volume.connect_value_changed(move |_| {
                if let Some(o) = obj.upgrade() {
                    o.notify_changed();
                }
            });
            let obj = self.obj().downgrade();
            self.mute.connect_toggled(move |_| {
                if let Some(o) = obj.upgrade() {
                    o.notify_changed();
                }
            });
        }
    }
    impl WidgetImpl for MixerStrip {}
    impl BoxImpl for MixerStrip {}
}

glib::wrapper! {
    pub struct MixerStrip(ObjectSubclass<imp::MixerStrip>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

/// 0..1 on the meter for a level in dBFS.
fn meter(db: f64) -> f64 {
    if db.is_finite() {
        ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

impl MixerStrip {
    pub fn new(name: &str, volume: f64, muted: bool, changed: impl Fn(f64, bool) + 'static) -> Self {
        let strip: Self = glib::Object::new();
        let imp = strip.imp();
        imp.name.set_label(name);
        imp.volume.set_value(volume);
        imp.mute.set_active(muted);
        imp.volume.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {name}",
            gettext("Volume of")
        ))]);
        *imp.changed.borrow_mut() = Some(Box::new(changed));
        strip
    }

    fn notify_changed(&self) {
        let imp = self.imp();
        if let Some(f) = imp.changed.borrow().as_ref() {
            f(imp.volume.value(), imp.mute.is_active());
        }
    }

    /// Shows the loudest channel's peak and RMS, in dBFS.
    pub fn set_levels(&self, peak_db: &[f64], rms_db: &[f64]) {
        let loudest =
            |v: &[f64]| v.iter().copied().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
        let (peak, rms) = (loudest(peak_db), loudest(rms_db));
        let imp = self.imp();
        imp.peak.set_value(meter(peak));
        imp.rms.set_value(meter(rms));
        let clipping = peak >= -0.1;
        imp.reading.set_label(&if peak.is_finite() { format!("{peak:.1} dB") } else { "-∞ dB".into() });
        if clipping {
            imp.reading.add_css_class("error");
        } else {
            imp.reading.remove_css_class("error");
        }
    }
}
