//! The properties of one source, edited live: every change is sent to the
//! engine at once, so the program shows it while the dialog is open.

use std::cell::RefCell;
use std::rc::Rc;

use adw::prelude::*;
use gettextrs::gettext;
use gtk::gdk;
use plateau::engine::devices;
use plateau::model::{Color, Monitor, SlideOrder, Source, SourceKind, TestPattern};

/// Applies an edited source; the window sends it to the engine.
pub type Apply = Rc<dyn Fn(Source)>;

/// Changes the current settings with the given edit and applies them.
pub(super) type Edit = Rc<dyn Fn(&dyn Fn(&mut Source))>;

fn rgba(c: Color) -> gdk::RGBA {
    gdk::RGBA::new(
        f32::from(c.r) / 255.0,
        f32::from(c.g) / 255.0,
        f32::from(c.b) / 255.0,
        f32::from(c.a) / 255.0,
    )
}

fn color(c: &gdk::RGBA) -> Color {
    let byte = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    Color { r: byte(c.red()), g: byte(c.green()), b: byte(c.blue()), a: byte(c.alpha()) }
}

/// Shows the dialog for `source` over `parent`.
pub fn show(parent: &impl IsA<gtk::Window>, source: Source, apply: Apply) -> adw::PreferencesWindow {
    let window = adw::PreferencesWindow::builder()
        .title(format!("{} — {}", gettext("Properties"), source.name))
        .modal(true)
        .transient_for(parent)
        .default_width(520)
        .search_enabled(false)
        .build();
    let page = adw::PreferencesPage::new();
    let group = adw::PreferencesGroup::new();
    page.add(&group);
    window.add(&page);
    let current = Rc::new(RefCell::new(source.clone()));
    // Every change goes through here: edit the current settings, apply them.
    let edit: Edit = {
        let (current, apply) = (current.clone(), apply.clone());
        Rc::new(move |f: &dyn Fn(&mut Source)| {
            let mut s = current.borrow_mut();
            f(&mut s);
            apply(s.clone());
        })
    };

    let name = adw::EntryRow::builder().title(gettext("Name")).text(source.name.as_str()).build();
    let e = edit.clone();
    name.connect_changed(move |row| {
        let text = row.text().to_string();
        if !text.trim().is_empty() {
            e(&|s| s.name = text.clone());
        }
    });
    group.add(&name);

    match &source.kind {
        SourceKind::Text { text, font, size, color: c, outline, shadow, motion, .. } => {
            let text_row = adw::EntryRow::builder()
                .title(super::text_motion_rows::text_title(motion))
                .text(text.as_str())
                .build();
            let e = edit.clone();
            text_row.connect_changed(move |row| {
                let value = row.text().to_string();
                e(&|s| {
                    if let SourceKind::Text { text, .. } = &mut s.kind {
                        *text = value.clone();
                    }
                })
            });
            group.add(&text_row);
            super::text_motion_rows::add(&group, motion, edit.clone());
            // The family and style; the size has its own row.
            let font_row = adw::ActionRow::builder().title(gettext("Font")).build();
            let font_button = gtk::FontButton::builder()
                .font(format!("{font} {size}").as_str())
                .use_size(false)
                .valign(gtk::Align::Center)
                .build();
            font_button.set_level(gtk::FontChooserLevel::FAMILY | gtk::FontChooserLevel::STYLE);
            font_button.update_property(&[gtk::accessible::Property::Label(&gettext("Font"))]);
            let e = edit.clone();
            font_button.connect_font_set(move |b| {
                let Some(desc) = b.font_desc() else { return };
                let mut desc = desc.clone();
                desc.unset_fields(gtk::pango::FontMask::SIZE);
                let chosen = desc.to_string();
                e(&|s| {
                    if let SourceKind::Text { font, .. } = &mut s.kind {
                        font.clone_from(&chosen);
                    }
                })
            });
            font_row.add_suffix(&font_button);
            font_row.set_activatable_widget(Some(&font_button));
            group.add(&font_row);
            let size_row = adw::ActionRow::builder().title(gettext("Size")).build();
            let spin = gtk::SpinButton::with_range(8.0, 400.0, 1.0);
            spin.set_value(f64::from(*size));
            spin.set_valign(gtk::Align::Center);
            let e = edit.clone();
            spin.connect_value_changed(move |b| {
                let v = b.value() as u32;
                e(&|s| {
                    if let SourceKind::Text { size, .. } = &mut s.kind {
                        *size = v;
                    }
                })
            });
            size_row.add_suffix(&spin);
            group.add(&size_row);
            group.add(&color_row(&gettext("Colour"), *c, edit.clone(), |s, v| {
                if let SourceKind::Text { color, .. } = &mut s.kind {
                    *color = v;
                }
            }));
            group.add(&switch_row(&gettext("Outline"), *outline, edit.clone(), |s, v| {
                if let SourceKind::Text { outline, .. } = &mut s.kind {
                    *outline = v;
                }
            }));
            group.add(&switch_row(&gettext("Shadow"), *shadow, edit.clone(), |s, v| {
                if let SourceKind::Text { shadow, .. } = &mut s.kind {
                    *shadow = v;
                }
            }));
            text_row.grab_focus();
        }
        SourceKind::Slideshow { folder, seconds, order, fade_ms, .. } => {
            if let Some(folder) = folder {
                group.add(
                    &adw::ActionRow::builder()
                        .title(gettext("Folder"))
                        .subtitle(folder.display().to_string())
                        .build(),
                );
            }
            group.add(&number_row(
                &gettext("Seconds each"),
                *seconds,
                (0.5, 3600.0, 0.5),
                edit.clone(),
                |s, v| {
                    if let SourceKind::Slideshow { seconds, fade_ms, .. } = &mut s.kind {
                        *seconds = v;
                        *fade_ms = (*fade_ms).min((v * 500.0) as u32);
                    }
                },
            ));
            group.add(&number_row(
                &gettext("Fade (ms)"),
                f64::from(*fade_ms),
                (0.0, 5000.0, 50.0),
                edit.clone(),
                |s, v| {
                    if let SourceKind::Slideshow { seconds, fade_ms, .. } = &mut s.kind {
                        *fade_ms = (v as u32).min((*seconds * 500.0) as u32);
                    }
                },
            ));
            let orders = [SlideOrder::InTurn, SlideOrder::Random];
            let names = [gettext("In turn"), gettext("At random")];
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let row = adw::ComboRow::builder()
                .title(gettext("Order"))
                .model(&gtk::StringList::new(&names))
                .selected(orders.iter().position(|o| o == order).unwrap_or(0) as u32)
                .build();
            let e = edit.clone();
            row.connect_selected_notify(move |row| {
                let chosen = orders.get(row.selected() as usize).copied().unwrap_or_default();
                e(&|s| {
                    if let SourceKind::Slideshow { order, .. } = &mut s.kind {
                        *order = chosen;
                    }
                })
            });
            group.add(&row);
        }
        SourceKind::Color { color: c } => {
            group.add(&color_row(&gettext("Colour"), *c, edit.clone(), |s, v| {
                if let SourceKind::Color { color } = &mut s.kind {
                    *color = v;
                }
            }));
        }
        SourceKind::TestPattern { pattern } => {
            let patterns = [
                (TestPattern::Smpte, gettext("Colour bars")),
                (TestPattern::Bars, gettext("Plain colour bars")),
                (TestPattern::Ball, gettext("Moving ball")),
                (TestPattern::Checkers, gettext("Checkers")),
                (TestPattern::Snow, gettext("Snow")),
                (TestPattern::Gradient, gettext("Gradient")),
                (TestPattern::Circular, gettext("Circles")),
            ];
            let names: Vec<&str> = patterns.iter().map(|(_, n)| n.as_str()).collect();
            let row = adw::ComboRow::builder()
                .title(gettext("Pattern"))
                .model(&gtk::StringList::new(&names))
                .build();
            row.set_selected(patterns.iter().position(|(p, _)| p == pattern).unwrap_or(0) as u32);
            let e = edit.clone();
            row.connect_selected_notify(move |r| {
                let chosen = patterns.get(r.selected() as usize).map(|(p, _)| *p).unwrap_or_default();
                e(&|s| s.kind = SourceKind::TestPattern { pattern: chosen })
            });
            group.add(&row);
        }
        SourceKind::Image { path } | SourceKind::Media { path, .. } => {
            let row =
                adw::ActionRow::builder().title(gettext("File")).subtitle(path.display().to_string()).build();
            let choose = gtk::Button::builder().label(gettext("Choose…")).valign(gtk::Align::Center).build();
            let (e, w, r) = (edit.clone(), window.downgrade(), row.clone());
            choose.connect_clicked(move |_| {
                let (e, r) = (e.clone(), r.clone());
                super::file_dialog::ask(
                    w.upgrade().as_ref(),
                    &gettext("Choose a File"),
                    &gettext("_Choose"),
                    super::file_dialog::Choose::File,
                    move |new| {
                        r.set_subtitle(&new.display().to_string());
                        e(&|s| match &mut s.kind {
                            SourceKind::Image { path } | SourceKind::Media { path, .. } => {
                                *path = new.clone()
                            }
                            _ => {}
                        });
                    },
                );
            });
            row.add_suffix(&choose);
            group.add(&row);
            if let SourceKind::Media { looping, .. } = &source.kind {
                group.add(&switch_row(&gettext("Loop"), *looping, edit.clone(), |s, v| {
                    if let SourceKind::Media { looping, .. } = &mut s.kind {
                        *looping = v;
                    }
                }));
            }
        }
        SourceKind::Webcam { device, .. } | SourceKind::AudioInput { device } => {
            let class = if matches!(source.kind, SourceKind::Webcam { .. }) {
                "Video/Source"
            } else {
                "Audio/Source"
            };
            // The device monitor can take a while: the list is filled when it answers.
            let row = adw::ComboRow::builder()
                .title(gettext("Device"))
                .model(&gtk::StringList::new(&[&gettext("Default")]))
                .subtitle(gettext("Looking for devices…"))
                .build();
            let found: std::rc::Rc<RefCell<Vec<devices::DeviceInfo>>> = Default::default();
            let filling = std::rc::Rc::new(std::cell::Cell::new(true));
            let (f, busy) = (found.clone(), filling.clone());
            let e = edit.clone();
            row.connect_selected_notify(move |r| {
                if busy.get() {
                    return;
                }
                let chosen = (r.selected() as usize)
                    .checked_sub(1)
                    .and_then(|i| f.borrow().get(i).map(|d| d.name.clone()));
                e(&|s| match &mut s.kind {
                    SourceKind::Webcam { device, .. } | SourceKind::AudioInput { device } => {
                        *device = chosen.clone()
                    }
                    _ => {}
                })
            });
            let (class, device, weak_row) = (class.to_owned(), device.clone(), row.downgrade());
            glib::spawn_future_local(async move {
                let listed = gio::spawn_blocking(move || devices::list(&class)).await.unwrap_or_default();
                let Some(row) = weak_row.upgrade() else { return };
                let mut names = vec![gettext("Default")];
                names.extend(listed.iter().map(|d| d.name.clone()));
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                row.set_model(Some(&gtk::StringList::new(&refs)));
                row.set_subtitle(&match listed.is_empty() {
                    true => gettext("No device is connected"),
                    false => String::new(),
                });
                let selected = device
                    .as_ref()
                    .and_then(|d| listed.iter().position(|f| &f.name == d || f.path.as_ref() == Some(d)));
                *found.borrow_mut() = listed;
                row.set_selected(selected.map_or(0, |i| i as u32 + 1));
                filling.set(false);
            });
            group.add(&row);
        }
        _ => {}
    }
    if source.kind.has_audio() {
        group.add(&monitor_row(source.monitor, edit.clone()));
    }
    window.present();
    window
}

/// Where the presenter hears the source: the program only, the monitoring
/// device only (to cue a clip), or both.
fn monitor_row(value: Monitor, edit: Edit) -> adw::ComboRow {
    let choices = [Monitor::Off, Monitor::Only, Monitor::AndOutput];
    let names = [gettext("Off"), gettext("Monitor Only (mute output)"), gettext("Monitor and Output")];
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let row = adw::ComboRow::builder()
        .title(gettext("Monitoring"))
        .subtitle(gettext("Heard on the monitoring device"))
        .model(&gtk::StringList::new(&names))
        .selected(choices.iter().position(|c| *c == value).unwrap_or(0) as u32)
        .build();
    row.connect_selected_notify(move |row| {
        let chosen = choices.get(row.selected() as usize).copied().unwrap_or_default();
        edit(&|s| s.monitor = chosen);
    });
    row
}

fn color_row(title: &str, value: Color, edit: Edit, set: fn(&mut Source, Color)) -> adw::ActionRow {
    let row = adw::ActionRow::builder().title(title).build();
    let button = gtk::ColorButton::with_rgba(&rgba(value));
    button.set_use_alpha(true);
    button.set_valign(gtk::Align::Center);
    button.connect_color_set(move |b| {
        let c = color(&b.rgba());
        edit(&|s| set(s, c))
    });
    row.add_suffix(&button);
    row
}

/// A number in `range` (min, max, step) with a spin button.
fn number_row(
    title: &str,
    value: f64,
    range: (f64, f64, f64),
    edit: Edit,
    set: fn(&mut Source, f64),
) -> adw::ActionRow {
    let row = adw::ActionRow::builder().title(title).build();
    let spin = gtk::SpinButton::with_range(range.0, range.1, range.2);
    spin.set_digits(if range.2 < 1.0 { 1 } else { 0 });
    spin.set_value(value);
    spin.set_valign(gtk::Align::Center);
    spin.update_property(&[gtk::accessible::Property::Label(title)]);
    spin.connect_value_changed(move |b| {
        let v = b.value();
        edit(&|s| set(s, v))
    });
    row.add_suffix(&spin);
    row
}

fn switch_row(title: &str, value: bool, edit: Edit, set: fn(&mut Source, bool)) -> adw::ActionRow {
    let row = adw::ActionRow::builder().title(title).build();
    let switch = gtk::Switch::builder().active(value).valign(gtk::Align::Center).build();
    switch.connect_active_notify(move |sw| {
        let v = sw.is_active();
        edit(&|s| set(s, v))
    });
    row.add_suffix(&switch);
    row.set_activatable_widget(Some(&switch));
    row
}
