//! The playout's rundown: the scenes in the order they go on air, each for
//! its seconds or until its media ends, some at a time of day; the entry on
//! air with its time left, and when each of the next ones starts. Start,
//! Pause, Next and Loop run it. Edits are handed to whoever listens
//! (`connect_edited`), actions likewise (`connect_action`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use gst::prelude::ClockExt;
use gtk::{gio, glib, CompositeTemplate};
use plateau::engine::{PlayoutAction, PlayoutStatus};

use super::chat_panel::flat_button;
use plateau::model::{CountdownTarget, EntryLength, Rundown, RundownEntry};

type Edited = Rc<dyn Fn(Rundown)>;
type Acted = Rc<dyn Fn(PlayoutAction)>;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/rundown-panel.ui")]
    pub struct RundownPanel {
        #[template_child]
        pub list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub start: TemplateChild<gtk::Button>,
        #[template_child]
        pub pause: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub skip: TemplateChild<gtk::Button>,
        #[template_child]
        pub looping: TemplateChild<gtk::ToggleButton>,
        #[template_child]
        pub add: TemplateChild<gtk::MenuButton>,
        #[template_child]
        pub state: TemplateChild<gtk::Label>,
        pub rundown: RefCell<Rundown>,
        pub scenes: RefCell<Vec<String>>,
        pub status: RefCell<Option<PlayoutStatus>>,
        /// The labels saying when each entry starts or how long it has left.
        pub times: RefCell<Vec<gtk::Label>>,
        pub edited: RefCell<Option<Edited>>,
        pub acted: RefCell<Option<Acted>>,
        /// Set while the widgets are being made to show the rundown.
        pub showing: std::cell::Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for RundownPanel {
        const NAME: &'static str = "PlateauRundownPanel";
        type Type = super::RundownPanel;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for RundownPanel {
        fn constructed(&self) {
            self.parent_constructed();
            self.obj().set_up();
        }
    }
    impl WidgetImpl for RundownPanel {}
    impl BoxImpl for RundownPanel {}
}

glib::wrapper! {
    pub struct RundownPanel(ObjectSubclass<imp::RundownPanel>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl RundownPanel {
    pub fn connect_edited(&self, f: impl Fn(Rundown) + 'static) {
        self.imp().edited.replace(Some(Rc::new(f)));
    }

    pub fn connect_action(&self, f: impl Fn(PlayoutAction) + 'static) {
        self.imp().acted.replace(Some(Rc::new(f)));
    }

    fn set_up(&self) {
        let imp = self.imp();
        let label =
            |w: &gtk::Widget, text: String| w.update_property(&[gtk::accessible::Property::Label(&text)]);
        label(imp.start.upcast_ref(), gettext("Start Playout"));
        label(imp.pause.upcast_ref(), gettext("Pause Playout"));
        label(imp.skip.upcast_ref(), gettext("Next Entry"));
        label(imp.looping.upcast_ref(), gettext("Loop the Rundown"));
        label(imp.add.upcast_ref(), gettext("Add a Scene to the Rundown"));
        let p = self.downgrade();
        imp.start.connect_clicked(move |_| {
            if let Some(p) = p.upgrade() {
                p.act(PlayoutAction::Start { from: 0 });
            }
        });
        let p = self.downgrade();
        imp.pause.connect_toggled(move |b| {
            if let Some(p) = p.upgrade().filter(|p| !p.imp().showing.get()) {
                p.act(if b.is_active() { PlayoutAction::Pause } else { PlayoutAction::Resume });
            }
        });
        let p = self.downgrade();
        imp.skip.connect_clicked(move |_| {
            if let Some(p) = p.upgrade() {
                p.act(PlayoutAction::Skip);
            }
        });
        let p = self.downgrade();
        imp.looping.connect_toggled(move |b| {
            if let Some(p) = p.upgrade().filter(|p| !p.imp().showing.get()) {
                let on = b.is_active();
                p.edit(|r| r.looping = on);
            }
        });
        // + lists the scenes; one chosen joins the end of the rundown.
        let actions = gio::SimpleActionGroup::new();
        let add = gio::SimpleAction::new("add", Some(glib::VariantTy::STRING));
        let p = self.downgrade();
        add.connect_activate(move |_, scene| {
            let (Some(p), Some(scene)) = (p.upgrade(), scene.and_then(|s| s.str().map(str::to_owned))) else {
                return;
            };
            p.edit(|r| {
                r.entries.push(RundownEntry {
                    scene: scene.clone(),
                    length: EntryLength::seconds(10.0),
                    at: None,
                })
            });
        });
        actions.add_action(&add);
        self.insert_action_group("rundown", Some(&actions));
        // The times move on by themselves.
        let p = self.downgrade();
        glib::timeout_add_local(Duration::from_millis(500), move || match p.upgrade() {
            Some(p) => {
                p.show_times();
                glib::ControlFlow::Continue
            }
            None => glib::ControlFlow::Break,
        });
        self.show_state();
    }

    fn act(&self, action: PlayoutAction) {
        let acted = self.imp().acted.borrow().clone();
        if let Some(f) = acted {
            f(action);
        }
    }

    /// Changes the rundown as `f` says and hands it on.
    fn edit(&self, f: impl FnOnce(&mut Rundown)) {
        let mut rundown = self.imp().rundown.borrow().clone();
        f(&mut rundown);
        // Kept at once: the next edit (before the engine's answer) builds on it.
        self.imp().rundown.replace(rundown.clone());
        let edited = self.imp().edited.borrow().clone();
        if let Some(edited) = edited {
            edited(rundown);
        }
    }

    /// Shows `rundown` (the collection's), and `scenes` to add from.
    pub fn show(&self, rundown: &Rundown, scenes: &[String]) {
        let imp = self.imp();
        if *imp.scenes.borrow() != scenes {
            let menu = gio::Menu::new();
            for scene in scenes {
                let item = gio::MenuItem::new(Some(scene), None);
                item.set_action_and_target_value(Some("rundown.add"), Some(&scene.to_variant()));
                menu.append_item(&item);
            }
            imp.add.set_menu_model(Some(&menu));
            imp.scenes.replace(scenes.to_vec());
        }
        let same_rows = {
            let shown = imp.rundown.borrow();
            let scenes = |r: &Rundown| r.entries.iter().map(|e| e.scene.clone()).collect::<Vec<_>>();
            let kinds =
                |r: &Rundown| r.entries.iter().map(|e| e.length.as_seconds().is_some()).collect::<Vec<_>>();
            scenes(&shown) == scenes(rundown)
                && kinds(&shown) == kinds(rundown)
                && imp.times.borrow().len() == rundown.entries.len()
        };
        imp.rundown.replace(rundown.clone());
        imp.showing.set(true);
        imp.looping.set_active(rundown.looping);
        imp.showing.set(false);
        // The same entries: the rows stay (a person may be typing in one).
        if same_rows {
            let mut row = imp.list.first_child();
            for entry in &rundown.entries {
                if let Some(r) = row.as_ref().and_then(|r| r.downcast_ref::<adw::ExpanderRow>()) {
                    r.set_subtitle(&length_text(entry));
                }
                row = row.and_then(|r| r.next_sibling());
            }
            self.show_times();
            self.show_state();
            return;
        }
        while let Some(row) = imp.list.first_child() {
            imp.list.remove(&row);
        }
        let mut times = Vec::new();
        for (n, entry) in rundown.entries.iter().enumerate() {
            let (row, time) = self.entry_row(n, entry);
            imp.list.append(&row);
            times.push(time);
        }
        imp.times.replace(times);
        self.show_times();
        self.show_state();
    }

    /// Where the playout stands (the engine's news).
    pub fn set_status(&self, status: PlayoutStatus) {
        let imp = self.imp();
        imp.showing.set(true);
        imp.pause.set_active(status.paused);
        imp.showing.set(false);
        imp.status.replace(Some(status));
        self.show_times();
        self.show_state();
    }

    fn show_state(&self) {
        let imp = self.imp();
        let status = imp.status.borrow().clone();
        let empty = imp.rundown.borrow().entries.is_empty();
        let running = status.as_ref().is_some_and(|s| s.running);
        imp.start.set_sensitive(!empty);
        imp.pause.set_sensitive(running);
        imp.skip.set_sensitive(running);
        imp.state.set_label(&match (&status, empty) {
            (_, true) => gettext("Add scenes with + to run them by themselves."),
            (Some(s), _) if s.running && s.paused => gettext("Paused"),
            (Some(s), _) if s.running => gettext("On air by itself"),
            _ => gettext("Stopped"),
        });
    }

    /// One entry: its scene, how long it stays and its times in its
    /// header; opened, its seconds (or until its media ends), the time of
    /// day it is due at, Earlier and Remove. And the label of its times.
    fn entry_row(&self, n: usize, entry: &RundownEntry) -> (adw::ExpanderRow, gtk::Label) {
        let row = adw::ExpanderRow::builder()
            .title(format!("{}. {}", n + 1, entry.scene))
            .subtitle(length_text(entry))
            .build();
        let time =
            gtk::Label::builder().css_classes(["caption", "numeric"]).valign(gtk::Align::Center).build();
        row.add_action(&time);
        let seconds = gtk::Entry::builder()
            .text(entry.length.as_seconds().map(|s| format!("{s}")).unwrap_or_default())
            .width_chars(6)
            .input_purpose(gtk::InputPurpose::Number)
            .valign(gtk::Align::Center)
            .sensitive(entry.length.as_seconds().is_some())
            .build();
        seconds.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {}",
            gettext("Seconds on air of"),
            entry.scene
        ))]);
        let p = self.downgrade();
        seconds.connect_changed(move |e| {
            let value = e
                .text()
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| (0.1..=86_400.0).contains(v));
            match value {
                Some(_) => e.remove_css_class("error"),
                None => e.add_css_class("error"),
            }
            if let (Some(p), Some(v)) = (p.upgrade().filter(|p| !p.imp().showing.get()), value) {
                p.edit(|r| r.entries[n].length = EntryLength::seconds(v));
            }
        });
        let until_end = gtk::Switch::builder()
            .active(entry.length.as_seconds().is_none())
            .valign(gtk::Align::Center)
            .build();
        until_end.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {}",
            gettext("Until the media ends:"),
            entry.scene
        ))]);
        let p = self.downgrade();
        until_end.connect_active_notify(move |b| {
            let on = b.is_active();
            if let Some(p) = p.upgrade() {
                p.edit(|r| {
                    let e = &mut r.entries[n];
                    e.length = match on {
                        true => EntryLength::UNTIL_MEDIA_ENDS,
                        false => EntryLength::seconds(e.length.as_seconds().unwrap_or(10.0)),
                    };
                });
            }
        });
        let length = adw::ActionRow::builder().title(gettext("Seconds on air")).build();
        length.add_suffix(&seconds);
        row.add_row(&length);
        let until = adw::ActionRow::builder().title(gettext("Until its media ends")).build();
        until.add_suffix(&until_end);
        until.set_activatable_widget(Some(&until_end));
        row.add_row(&until);
        let at = gtk::Entry::builder()
            .placeholder_text(gettext("hh:mm"))
            .text(entry.at.as_deref().unwrap_or(""))
            .width_chars(6)
            .valign(gtk::Align::Center)
            .build();
        at.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {}",
            gettext("Time of day of"),
            entry.scene
        ))]);
        let p = self.downgrade();
        at.connect_changed(move |e| {
            let text = e.text().trim().to_owned();
            let valid = text.is_empty() || CountdownTarget::time_of_day(&text).is_ok();
            match valid {
                true => e.remove_css_class("error"),
                false => e.add_css_class("error"),
            }
            if let (Some(p), true) = (p.upgrade().filter(|p| !p.imp().showing.get()), valid) {
                p.edit(|r| r.entries[n].at = (!text.is_empty()).then(|| text.clone()));
            }
        });
        let due = adw::ActionRow::builder()
            .title(gettext("At a time of day"))
            .subtitle(gettext("It goes on air then, whatever is on"))
            .build();
        due.add_suffix(&at);
        row.add_row(&due);
        let moves = adw::ActionRow::new();
        let up = flat_button("go-up-symbolic", &format!("{} {}", gettext("Earlier:"), entry.scene));
        up.set_sensitive(n > 0);
        let p = self.downgrade();
        up.connect_clicked(move |_| {
            if let Some(p) = p.upgrade() {
                p.edit(|r| r.entries.swap(n - 1, n));
            }
        });
        moves.add_suffix(&up);
        let remove = flat_button(
            "user-trash-symbolic",
            &format!("{} {}", gettext("Out of the rundown:"), entry.scene),
        );
        let p = self.downgrade();
        remove.connect_clicked(move |_| {
            if let Some(p) = p.upgrade() {
                p.edit(|r| {
                    r.entries.remove(n);
                });
            }
        });
        moves.add_suffix(&remove);
        row.add_row(&moves);
        (row, time)
    }

    /// The entry on air: its time left; the next ones: when they start.
    fn show_times(&self) {
        let imp = self.imp();
        let rundown = imp.rundown.borrow();
        let status = imp.status.borrow();
        let times = imp.times.borrow();
        let Some(s) = status.as_ref().filter(|s| s.running) else {
            for (label, entry) in times.iter().zip(&rundown.entries) {
                label.set_label(
                    &entry.at.as_deref().map(|t| format!("{} {t}", gettext("at"))).unwrap_or_default(),
                );
            }
            return;
        };
        let now_clock = gst::SystemClock::obtain().time().nseconds();
        let elapsed = match s.paused_after {
            Some(after) => after,
            None => Duration::from_nanos(now_clock.saturating_sub(s.since_clock_time)),
        };
        let on_air = s.entry.unwrap_or(0);
        // Seconds from now until each entry starts, while lengths are known.
        let mut starts_in = s.length.map(|l| l.saturating_sub(elapsed).as_secs_f64());
        let wall = glib::DateTime::now_local().ok();
        for (n, (label, entry)) in times.iter().zip(&rundown.entries).enumerate() {
            let text = if n == on_air {
                match s.length {
                    Some(l) => {
                        format!("● {} {}", clock(l.saturating_sub(elapsed).as_secs_f64()), gettext("left"))
                    }
                    None => format!("● {}", gettext("until its media ends")),
                }
            } else if n > on_air {
                let text = match (starts_in, &wall) {
                    (Some(secs), Some(wall)) => wall
                        .add_seconds(secs)
                        .ok()
                        .and_then(|t| t.format("%H:%M:%S").ok())
                        .map(|t| t.to_string())
                        .unwrap_or_default(),
                    _ => "—".to_owned(),
                };
                starts_in = starts_in.zip(entry.length.as_seconds()).map(|(a, b)| a + b);
                text
            } else {
                String::new()
            };
            label.set_label(&text);
        }
    }
}

/// "2 s", "until its media ends", with "· at 20:00" when it is due then.
fn length_text(entry: &RundownEntry) -> String {
    let length = match entry.length.as_seconds() {
        Some(s) => format!("{s} s"),
        None => gettext("until its media ends"),
    };
    match &entry.at {
        Some(at) => format!("{length} · {} {at}", gettext("at")),
        None => length,
    }
}

/// `75.2` → `1:15`.
fn clock(seconds: f64) -> String {
    let s = seconds.ceil().max(0.0) as u64;
    match s >= 3600 {
        true => format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60),
        false => format!("{}:{:02}", s / 60, s % 60),
    }
}
