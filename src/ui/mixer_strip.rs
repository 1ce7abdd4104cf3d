//! One audio source in the mixer: name, peak and RMS meters in dB (green
//! up to -20 dB, yellow to -6 dB, red above) over a dB scale, with a clip
//! warning, a volume fader with its gain in dB, and a mute button whose
//! icon says whether the source is muted.

use std::cell::RefCell;

use adw::subclass::prelude::*;
use gettextrs::gettext;
use gtk::prelude::*;
use gtk::{glib, CompositeTemplate};

/// The meters show -60 dBFS to 0 dBFS.
const FLOOR_DB: f64 = -60.0;
/// Where the meters turn yellow, then red (dBFS).
const LOUD_DB: f64 = -20.0;
const HOT_DB: f64 = -6.0;
/// The marks of the meter scale (dBFS).
const MARKS_DB: [f64; 7] = [-60.0, -50.0, -40.0, -30.0, -20.0, -6.0, 0.0];

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
        #[template_child]
        pub scale: TemplateChild<gtk::DrawingArea>,
        #[template_child]
        pub gain: TemplateChild<gtk::Label>,
        /// The source's name, for the mute button's label.
        pub source_name: RefCell<String>,
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
                // The filled part takes the name of the first mark above the level.
                for name in
                    [gtk::LEVEL_BAR_OFFSET_LOW, gtk::LEVEL_BAR_OFFSET_HIGH, gtk::LEVEL_BAR_OFFSET_FULL]
                {
                    bar.remove_offset_value(Some(name));
                }
                bar.add_offset_value("meter-safe", meter(LOUD_DB));
                bar.add_offset_value("meter-loud", meter(HOT_DB));
                bar.add_offset_value("meter-hot", 1.0);
            }
            self.scale.set_draw_func(draw_scale);
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
        *imp.source_name.borrow_mut() = name.to_owned();
        imp.volume.set_value(volume);
        imp.mute.set_active(muted);
        strip.show_volume();
        imp.volume.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {name}",
            gettext("Volume of")
        ))]);
        *imp.changed.borrow_mut() = Some(Box::new(changed));
        strip
    }

    fn notify_changed(&self) {
        let imp = self.imp();
        self.show_volume();
        if let Some(f) = imp.changed.borrow().as_ref() {
            f(imp.volume.value(), imp.mute.is_active());
        }
    }

    /// The fader's gain in dB, and the mute button as it stands.
    fn show_volume(&self) {
        let imp = self.imp();
        imp.gain.set_label(&gain_label(imp.volume.value()));
        let muted = imp.mute.is_active();
        imp.mute.set_icon_name(if muted {
            "audio-volume-muted-symbolic"
        } else {
            "audio-volume-high-symbolic"
        });
        let name = imp.source_name.borrow();
        let label = if muted {
            format!("{} {name}", gettext("Unmute"))
        } else {
            format!("{} {name}", gettext("Mute"))
        };
        imp.mute.set_tooltip_text(Some(&label));
        imp.mute.update_property(&[gtk::accessible::Property::Label(&label)]);
        if muted {
            imp.peak.set_value(0.0);
            imp.rms.set_value(0.0);
            imp.reading.set_label(&gettext("Muted"));
            imp.reading.remove_css_class("error");
        }
    }

    /// Shows the loudest channel's peak and RMS, in dBFS.
    pub fn set_levels(&self, peak_db: &[f64], rms_db: &[f64]) {
        let loudest =
            |v: &[f64]| v.iter().copied().filter(|x| x.is_finite()).fold(f64::NEG_INFINITY, f64::max);
        let (peak, rms) = (loudest(peak_db), loudest(rms_db));
        let imp = self.imp();
        if imp.mute.is_active() {
            return;
        }
        imp.peak.set_value(meter(peak));
        imp.rms.set_value(meter(rms));
        let clipping = peak >= -0.1;
        // Below the meter's floor is silence as far as anyone can hear.
        imp.reading.set_label(&if peak > FLOOR_DB - 20.0 {
            format!("{peak:.1} dB")
        } else {
            "-∞ dB".into()
        });
        if clipping {
            imp.reading.add_css_class("error");
        } else {
            imp.reading.remove_css_class("error");
        }
    }
}

/// A fader position (a linear factor, 1 = unchanged) as a gain in dB.
fn gain_label(volume: f64) -> String {
    if volume <= 0.001 {
        "-∞ dB".into()
    } else {
        format!("{:+.1} dB", 20.0 * volume.log10())
    }
}

/// The meters' scale: a tick and its figure at each mark.
fn draw_scale(area: &gtk::DrawingArea, cr: &gtk::cairo::Context, width: i32, height: i32) {
    #[allow(deprecated)] // GTK 4.8 has no Widget::color (4.10)
    let colour = area.style_context().color();
    cr.set_source_rgba(f64::from(colour.red()), f64::from(colour.green()), f64::from(colour.blue()), 0.6);
    cr.set_font_size(f64::from(height) * 0.75);
    for db in MARKS_DB {
        let x = meter(db) * f64::from(width - 1) + 0.5;
        cr.move_to(x, 0.0);
        cr.line_to(x, 3.0);
        let text = format!("{db:.0}");
        let extents = cr.text_extents(&text).ok();
        let w = extents.map_or(0.0, |e| e.width());
        let tx = (x - w / 2.0).clamp(0.0, f64::from(width) - w);
        cr.move_to(tx, f64::from(height) - 1.0);
        let _ = cr.show_text(&text);
    }
    cr.set_line_width(1.0);
    let _ = cr.stroke();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fader_reads_in_db() {
        assert_eq!(gain_label(1.0), "+0.0 dB");
        assert_eq!(gain_label(2.0), "+6.0 dB");
        assert_eq!(gain_label(0.5), "-6.0 dB");
        assert_eq!(gain_label(0.0), "-∞ dB");
    }
}
