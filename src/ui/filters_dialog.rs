//! The filters of one source: an ordered list (add, remove, move up and
//! down, on and off), each filter's settings edited live: every change is
//! sent to the engine at once, so the program shows it while the dialog
//! is open.

use std::cell::RefCell;
use std::rc::Rc;

use adw::prelude::*;
use gettextrs::gettext;
use gtk::{gio, glib};
use plateau::model::{Color, Filter, FilterKind, KeyColor, Source};

use super::source_properties::Apply;

/// The filters a source of this kind can take, picture ones first.
fn offered(source: &Source) -> Vec<&'static str> {
    let mut ids = Vec::new();
    if source.kind.has_video() {
        ids.extend(FilterKind::VIDEO);
    }
    if source.kind.has_audio() {
        ids.extend(FilterKind::AUDIO);
    }
    ids
}

/// A filter's name as the window shows it.
pub fn label(id: &str) -> String {
    match id {
        "chroma_key" => gettext("Chroma Key"),
        "color_correction" => gettext("Colour Correction"),
        "lut" => gettext("3D LUT"),
        "blur" => gettext("Blur"),
        "sharpen" => gettext("Sharpen"),
        "flip" => gettext("Mirror"),
        "rotate" => gettext("Rotate"),
        "render_delay" => gettext("Render Delay"),
        "image_mask" => gettext("Image Mask"),
        "scroll" => gettext("Scroll"),
        "sync_offset" => gettext("Sync Offset"),
        "noise_suppression" => gettext("Noise Suppression"),
        "noise_gate" => gettext("Noise Gate"),
        "compressor" => gettext("Compressor"),
        "limiter" => gettext("Limiter"),
        "gain" => gettext("Gain"),
        "equalizer" => gettext("Equaliser"),
        other => other.to_owned(),
    }
}

/// The dialog's state: the source as edited, and how to show it again.
struct Editor {
    source: RefCell<Source>,
    apply: Apply,
    group: adw::PreferencesGroup,
    rows: RefCell<Vec<gtk::Widget>>,
    window: glib::WeakRef<adw::PreferencesWindow>,
}

impl Editor {
    /// Changes the filters with `change`, applies them; the list is shown
    /// again when `reshape` (a filter added, removed, moved, switched).
    fn edit(self: &Rc<Self>, reshape: bool, change: impl FnOnce(&mut Vec<Filter>)) {
        let edited = {
            let mut source = self.source.borrow_mut();
            change(&mut source.filters);
            source.clone()
        };
        (self.apply)(edited);
        if reshape {
            self.show_list();
        }
    }

    /// Changes the settings of filter `index` (the list stays as it is).
    fn tune(self: &Rc<Self>, index: usize, change: impl FnOnce(&mut FilterKind)) {
        self.edit(false, |filters| {
            if let Some(f) = filters.get_mut(index) {
                change(&mut f.kind);
            }
        });
    }

    fn show_list(self: &Rc<Self>) {
        for row in self.rows.borrow_mut().drain(..) {
            self.group.remove(&row);
        }
        let filters = self.source.borrow().filters.clone();
        if filters.is_empty() {
            let none = adw::ActionRow::builder()
                .title(gettext("No filter yet"))
                .subtitle(gettext("Add one with the + button above."))
                .build();
            self.group.add(&none);
            self.rows.borrow_mut().push(none.upcast());
        }
        let count = filters.len();
        for (index, filter) in filters.iter().enumerate() {
            let row = self.filter_row(index, count, filter);
            self.group.add(&row);
            self.rows.borrow_mut().push(row.upcast());
        }
    }

    /// One filter: its name, on/off, up, down, remove, and its settings inside.
    fn filter_row(self: &Rc<Self>, index: usize, count: usize, filter: &Filter) -> adw::ExpanderRow {
        let name = label(filter.kind.id());
        let row = adw::ExpanderRow::builder()
            .title(name.as_str())
            .subtitle(if filter.enabled { gettext("On") } else { gettext("Off") })
            .expanded(true)
            .build();
        let switch = gtk::Switch::builder().active(filter.enabled).valign(gtk::Align::Center).build();
        switch.update_property(&[gtk::accessible::Property::Label(&format!("{} {name}", gettext("Use")))]);
        let me = Rc::downgrade(self);
        switch.connect_active_notify(move |s| {
            let on = s.is_active();
            if let Some(me) = me.upgrade() {
                me.edit(true, |filters| filters[index].enabled = on);
            }
        });
        row.add_action(&switch);
        let button = |icon: &str, what: String, active: bool| {
            let b = gtk::Button::builder()
                .icon_name(icon)
                .valign(gtk::Align::Center)
                .css_classes(["flat"])
                .tooltip_text(what.as_str())
                .sensitive(active)
                .build();
            b.update_property(&[gtk::accessible::Property::Label(&format!("{what}: {name}"))]);
            b
        };
        let up = button("go-up-symbolic", gettext("Move Up"), index > 0);
        let down = button("go-down-symbolic", gettext("Move Down"), index + 1 < count);
        let remove = button("user-trash-symbolic", gettext("Remove"), true);
        for (b, step) in [(&up, -1isize), (&down, 1), (&remove, 0)] {
            let me = Rc::downgrade(self);
            b.connect_clicked(move |_| {
                let Some(me) = me.upgrade() else { return };
                me.edit(true, |filters| match step {
                    0 => drop(filters.remove(index)),
                    _ => filters.swap(index, index.saturating_add_signed(step)),
                });
            });
            row.add_action(b);
        }
        for setting in self.settings(index, &filter.kind) {
            row.add_row(&setting);
        }
        row
    }

    /// The rows of a filter's settings.
    fn settings(self: &Rc<Self>, index: usize, kind: &FilterKind) -> Vec<gtk::Widget> {
        let number = |title: String, value: f64, range: (f64, f64, f64), set: fn(&mut FilterKind, f64)| {
            self.number_row(index, &title, value, range, set).upcast::<gtk::Widget>()
        };
        match kind {
            FilterKind::ChromaKey { key, similarity, smoothness } => vec![
                self.key_row(index, *key),
                number(gettext("Similarity"), *similarity, (0.0, 1.0, 0.01), |k, v| {
                    if let FilterKind::ChromaKey { similarity, .. } = k {
                        *similarity = v;
                    }
                }),
                number(gettext("Smoothness"), *smoothness, (0.0, 1.0, 0.01), |k, v| {
                    if let FilterKind::ChromaKey { smoothness, .. } = k {
                        *smoothness = v;
                    }
                }),
            ],
            FilterKind::ColorCorrection { brightness, contrast, saturation, hue, gamma, opacity } => {
                macro_rules! field {
                    ($title:expr, $value:expr, $range:expr, $field:ident) => {
                        number($title, $value, $range, |k, v| {
                            if let FilterKind::ColorCorrection { $field, .. } = k {
                                *$field = v;
                            }
                        })
                    };
                }
                vec![
                    field!(gettext("Brightness"), *brightness, (-1.0, 1.0, 0.01), brightness),
                    field!(gettext("Contrast"), *contrast, (0.0, 2.0, 0.01), contrast),
                    field!(gettext("Saturation"), *saturation, (0.0, 2.0, 0.01), saturation),
                    field!(gettext("Hue"), *hue, (-1.0, 1.0, 0.01), hue),
                    field!(gettext("Gamma"), *gamma, (0.1, 10.0, 0.01), gamma),
                    field!(gettext("Opacity"), *opacity, (0.0, 1.0, 0.01), opacity),
                ]
            }
            FilterKind::Lut { path } => vec![self.file_row(
                index,
                path,
                &gettext("LUT File (.cube)"),
                &gettext("Choose a LUT"),
                |k, chosen| {
                    if let FilterKind::Lut { path } = k {
                        *path = chosen;
                    }
                },
            )],
            FilterKind::ImageMask { path } => vec![self.file_row(
                index,
                path,
                &gettext("Mask Picture"),
                &gettext("Choose a Mask Picture"),
                |k, chosen| {
                    if let FilterKind::ImageMask { path } = k {
                        *path = chosen;
                    }
                },
            )],
            FilterKind::Scroll { horizontal, vertical } => vec![
                number(gettext("Across (pixels/s)"), *horizontal, (-2000.0, 2000.0, 10.0), |k, v| {
                    if let FilterKind::Scroll { horizontal, .. } = k {
                        *horizontal = v;
                    }
                }),
                number(gettext("Down (pixels/s)"), *vertical, (-2000.0, 2000.0, 10.0), |k, v| {
                    if let FilterKind::Scroll { vertical, .. } = k {
                        *vertical = v;
                    }
                }),
            ],
            FilterKind::Blur { radius } => {
                vec![number(gettext("Radius"), *radius, (0.1, 20.0, 0.1), |k, v| {
                    if let FilterKind::Blur { radius } = k {
                        *radius = v;
                    }
                })]
            }
            FilterKind::Sharpen { amount } => {
                vec![number(gettext("Amount"), *amount, (0.1, 5.0, 0.1), |k, v| {
                    if let FilterKind::Sharpen { amount } = k {
                        *amount = v;
                    }
                })]
            }
            FilterKind::Flip { horizontal, vertical } => vec![
                self.switch_row(index, &gettext("Left to Right"), *horizontal, |k, on| {
                    if let FilterKind::Flip { horizontal, .. } = k {
                        *horizontal = on;
                    }
                }),
                self.switch_row(index, &gettext("Upside Down"), *vertical, |k, on| {
                    if let FilterKind::Flip { vertical, .. } = k {
                        *vertical = on;
                    }
                }),
            ],
            FilterKind::Rotate { degrees } => {
                vec![number(
                    gettext("Degrees Clockwise"),
                    f64::from(*degrees),
                    (90.0, 270.0, 90.0),
                    |k, v| {
                        if let FilterKind::Rotate { degrees } = k {
                            *degrees = v as u32;
                        }
                    },
                )]
            }
            FilterKind::NoiseSuppression => Vec::new(),
            FilterKind::RenderDelay { ms } | FilterKind::SyncOffset { ms } => {
                vec![number(gettext("Delay (ms)"), f64::from(*ms), (0.0, 5000.0, 10.0), |k, v| match k {
                    FilterKind::RenderDelay { ms } | FilterKind::SyncOffset { ms } => *ms = v as u32,
                    _ => {}
                })]
            }
            FilterKind::NoiseGate { threshold_db } => {
                vec![number(gettext("Threshold (dB)"), *threshold_db, (-96.0, 0.0, 1.0), |k, v| {
                    if let FilterKind::NoiseGate { threshold_db } = k {
                        *threshold_db = v;
                    }
                })]
            }
            FilterKind::Limiter { threshold_db } => {
                vec![number(gettext("Threshold (dB)"), *threshold_db, (-60.0, 0.0, 1.0), |k, v| {
                    if let FilterKind::Limiter { threshold_db } = k {
                        *threshold_db = v;
                    }
                })]
            }
            FilterKind::Compressor { threshold_db, ratio } => vec![
                number(gettext("Threshold (dB)"), *threshold_db, (-60.0, 0.0, 1.0), |k, v| {
                    if let FilterKind::Compressor { threshold_db, .. } = k {
                        *threshold_db = v;
                    }
                }),
                number(gettext("Ratio"), *ratio, (1.0, 32.0, 0.5), |k, v| {
                    if let FilterKind::Compressor { ratio, .. } = k {
                        *ratio = v;
                    }
                }),
            ],
            FilterKind::Gain { db } => vec![number(gettext("Gain (dB)"), *db, (-30.0, 30.0, 0.5), |k, v| {
                if let FilterKind::Gain { db } = k {
                    *db = v;
                }
            })],
            FilterKind::Equalizer { low_db, mid_db, high_db } => {
                macro_rules! band {
                    ($title:expr, $value:expr, $field:ident) => {
                        number($title, $value, (-24.0, 12.0, 0.5), |k, v| {
                            if let FilterKind::Equalizer { $field, .. } = k {
                                *$field = v;
                            }
                        })
                    };
                }
                vec![
                    band!(gettext("Low (dB)"), *low_db, low_db),
                    band!(gettext("Middle (dB)"), *mid_db, mid_db),
                    band!(gettext("High (dB)"), *high_db, high_db),
                ]
            }
        }
    }

    fn number_row(
        self: &Rc<Self>,
        index: usize,
        title: &str,
        value: f64,
        (min, max, step): (f64, f64, f64),
        set: fn(&mut FilterKind, f64),
    ) -> adw::ActionRow {
        let row = adw::ActionRow::builder().title(title).build();
        let spin = gtk::SpinButton::with_range(min, max, step);
        spin.set_digits(if step < 1.0 { 2 } else { 0 });
        spin.set_value(value);
        spin.set_valign(gtk::Align::Center);
        spin.update_property(&[gtk::accessible::Property::Label(title)]);
        let me = Rc::downgrade(self);
        spin.connect_value_changed(move |s| {
            let v = s.value();
            if let Some(me) = me.upgrade() {
                me.tune(index, |k| set(k, v));
            }
        });
        row.add_suffix(&spin);
        row.set_activatable_widget(Some(&spin));
        row
    }

    fn switch_row(
        self: &Rc<Self>,
        index: usize,
        title: &str,
        value: bool,
        set: fn(&mut FilterKind, bool),
    ) -> gtk::Widget {
        let row = adw::ActionRow::builder().title(title).build();
        let switch = gtk::Switch::builder().active(value).valign(gtk::Align::Center).build();
        switch.update_property(&[gtk::accessible::Property::Label(title)]);
        let me = Rc::downgrade(self);
        switch.connect_active_notify(move |s| {
            let on = s.is_active();
            if let Some(me) = me.upgrade() {
                me.tune(index, |k| set(k, on));
            }
        });
        row.add_suffix(&switch);
        row.set_activatable_widget(Some(&switch));
        row.upcast()
    }

    /// The key colour: green, blue, or one picked.
    fn key_row(self: &Rc<Self>, index: usize, key: KeyColor) -> gtk::Widget {
        let names = [gettext("Green"), gettext("Blue"), gettext("Custom")];
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let choice = gtk::DropDown::from_strings(&names);
        choice.set_valign(gtk::Align::Center);
        choice.update_property(&[gtk::accessible::Property::Label(&gettext("Key Colour"))]);
        let custom = match key {
            KeyColor::Custom(c) => c,
            _ => Color::rgb(255, 0, 255),
        };
        let picker = gtk::ColorButton::with_rgba(&gtk::gdk::RGBA::new(
            f32::from(custom.r) / 255.0,
            f32::from(custom.g) / 255.0,
            f32::from(custom.b) / 255.0,
            1.0,
        ));
        picker.set_valign(gtk::Align::Center);
        picker.update_property(&[gtk::accessible::Property::Label(&gettext("Custom Key Colour"))]);
        choice.set_selected(match key {
            KeyColor::Green => 0,
            KeyColor::Blue => 1,
            KeyColor::Custom(_) => 2,
        });
        picker.set_visible(matches!(key, KeyColor::Custom(_)));
        let chosen = {
            let (choice, picker, me) = (choice.downgrade(), picker.downgrade(), Rc::downgrade(self));
            move || {
                let (Some(choice), Some(picker), Some(me)) =
                    (choice.upgrade(), picker.upgrade(), me.upgrade())
                else {
                    return;
                };
                let rgba = picker.rgba();
                let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                let key = match choice.selected() {
                    0 => KeyColor::Green,
                    1 => KeyColor::Blue,
                    _ => {
                        KeyColor::Custom(Color::rgb(byte(rgba.red()), byte(rgba.green()), byte(rgba.blue())))
                    }
                };
                picker.set_visible(matches!(key, KeyColor::Custom(_)));
                me.tune(index, |k| {
                    if let FilterKind::ChromaKey { key: k, .. } = k {
                        *k = key;
                    }
                });
            }
        };
        let again = chosen.clone();
        choice.connect_selected_notify(move |_| again());
        picker.connect_color_set(move |_| chosen());
        let row = adw::ActionRow::builder().title(gettext("Key Colour")).build();
        row.add_suffix(&picker);
        row.add_suffix(&choice);
        row.upcast()
    }

    /// A filter's file (a LUT, a mask), and a button to choose another.
    fn file_row(
        self: &Rc<Self>,
        index: usize,
        path: &std::path::Path,
        title: &str,
        dialog_title: &str,
        set: fn(&mut FilterKind, std::path::PathBuf),
    ) -> gtk::Widget {
        let shown =
            if path.as_os_str().is_empty() { gettext("No file chosen") } else { path.display().to_string() };
        let row = adw::ActionRow::builder().title(title).subtitle(shown.as_str()).build();
        let choose = gtk::Button::builder().label(gettext("Choose…")).valign(gtk::Align::Center).build();
        let (me, shown_row, dialog_title) = (Rc::downgrade(self), row.downgrade(), dialog_title.to_owned());
        choose.connect_clicked(move |_| {
            let Some(me) = me.upgrade() else { return };
            let window = me.window.upgrade();
            let (me, shown_row) = (Rc::downgrade(&me), shown_row.clone());
            super::file_dialog::ask(
                window.as_ref(),
                &dialog_title,
                &gettext("_Choose"),
                super::file_dialog::Choose::File,
                move |chosen| {
                    if let Some(row) = shown_row.upgrade() {
                        row.set_subtitle(&chosen.display().to_string());
                    }
                    if let Some(me) = me.upgrade() {
                        me.tune(index, |k| set(k, chosen.clone()));
                    }
                },
            );
        });
        row.add_suffix(&choose);
        row.upcast()
    }
}

/// Shows the filters of `source` over `parent`.
pub fn show(parent: &impl IsA<gtk::Window>, source: Source, apply: Apply) -> adw::PreferencesWindow {
    let window = adw::PreferencesWindow::builder()
        .title(format!("{} — {}", gettext("Filters"), source.name))
        .modal(true)
        .transient_for(parent)
        .default_width(560)
        .default_height(640)
        .search_enabled(false)
        .build();
    let page = adw::PreferencesPage::new();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Filters"))
        .description(gettext("Applied from top to bottom, live."))
        .build();
    page.add(&group);
    window.add(&page);

    // The + menu: the filters this source can take.
    let menu = gio::Menu::new();
    for id in offered(&source) {
        let item = gio::MenuItem::new(Some(&label(id)), None);
        item.set_action_and_target_value(Some("filters.add"), Some(&id.to_variant()));
        menu.append_item(&item);
    }
    let add = gtk::MenuButton::builder()
        .icon_name("list-add-symbolic")
        .menu_model(&menu)
        .tooltip_text(gettext("Add Filter"))
        .valign(gtk::Align::Center)
        .css_classes(["flat"])
        .build();
    add.update_property(&[gtk::accessible::Property::Label(&gettext("Add Filter"))]);
    group.set_header_suffix(Some(&add));

    let editor = Rc::new(Editor {
        source: RefCell::new(source),
        apply,
        group,
        rows: RefCell::default(),
        window: window.downgrade(),
    });
    let actions = gio::SimpleActionGroup::new();
    let adding = gio::SimpleAction::new("add", Some(glib::VariantTy::STRING));
    let me = Rc::downgrade(&editor);
    adding.connect_activate(move |_, id| {
        let (Some(me), Some(kind)) =
            (me.upgrade(), id.and_then(|v| v.str()).and_then(FilterKind::with_defaults))
        else {
            return;
        };
        me.edit(true, |filters| filters.push(Filter::new(kind)));
    });
    actions.add_action(&adding);
    window.insert_action_group("filters", Some(&actions));
    editor.show_list();
    // The editor lives as long as the window.
    let kept = RefCell::new(Some(editor));
    window.connect_close_request(move |_| {
        kept.take();
        glib::Propagation::Proceed
    });
    window.present();
    window
}
