//! The Audio page of the settings: where monitored sound is heard (the
//! default device or a chosen output), and whether the program's mix is
//! heard there too. The outputs are listed off the interface thread.

use adw::prelude::*;
use gettextrs::gettext;
use gtk::{gio, glib};

use super::window::Window;

pub fn page(window: &Window, _: &adw::PreferencesWindow) -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Audio"))
        .name("audio")
        .icon_name("audio-headphones-symbolic")
        .build();
    let settings = window.settings();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Monitoring"))
        .description(gettext(
            "What you hear in your headphones: the sources set to be monitored, and the program if you wish. It stays in time with the program.",
        ))
        .build();
    page.add(&group);

    // The outputs: the default one first, the chosen one kept even while
    // it is not connected; the others once listed.
    let names = gtk::StringList::new(&[&gettext("Default")]);
    let mut devices: Vec<Option<String>> = vec![None];
    if let Some(current) = &settings.monitor_device {
        names.append(current);
        devices.push(Some(current.clone()));
    }
    let device = adw::ComboRow::builder().title(gettext("Monitoring Device")).model(&names).build();
    device.set_selected(if settings.monitor_device.is_some() { 1 } else { 0 });
    let devices = std::rc::Rc::new(std::cell::RefCell::new(devices));
    let (w, known) = (window.downgrade(), devices.clone());
    device.connect_selected_notify(move |row| {
        let chosen = known.borrow().get(row.selected() as usize).cloned().flatten();
        if let Some(w) = w.upgrade() {
            if w.settings().monitor_device != chosen {
                w.set_monitoring_device(chosen);
            }
        }
    });
    group.add(&device);
    let (list, row) = (names.downgrade(), device.downgrade());
    glib::spawn_future_local(async move {
        let Ok(found) = gio::spawn_blocking(|| plateau::engine::devices::list("Audio/Sink")).await else {
            return;
        };
        let (Some(list), Some(_row)) = (list.upgrade(), row.upgrade()) else { return };
        for output in found {
            let id = output.path.clone().unwrap_or_else(|| output.name.clone());
            if devices.borrow().contains(&Some(id.clone())) {
                continue;
            }
            list.append(&output.name);
            devices.borrow_mut().push(Some(id));
        }
    });

    let hear = adw::ActionRow::builder()
        .title(gettext("Hear the Program"))
        .subtitle(gettext("The program's mix in your headphones, with the sources monitored only"))
        .build();
    let switch = gtk::Switch::builder().active(settings.monitor_program).valign(gtk::Align::Center).build();
    switch.update_property(&[gtk::accessible::Property::Label(&gettext("Hear the Program"))]);
    let w = window.downgrade();
    switch.connect_active_notify(move |s| {
        if let Some(w) = w.upgrade() {
            w.set_monitoring_program(s.is_active());
        }
    });
    hear.add_suffix(&switch);
    hear.set_activatable_widget(Some(&switch));
    group.add(&hear);
    page
}
