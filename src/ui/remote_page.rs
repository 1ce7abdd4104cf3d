//! The Remote Control page of the settings: on or off, the address, the
//! password (shown on demand, copied, made anew), the QR code phone apps
//! scan, and the connected clients, each of which can be disconnected.

use adw::prelude::*;
use gettextrs::gettext;
use gtk::glib;

use super::remote_control::{connect_link, shown_password, RemoteControl};
use super::window::Window;

pub fn page(window: &Window, _: &adw::PreferencesWindow) -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Remote Control"))
        .name("remote")
        .icon_name("input-gaming-symbolic")
        .build();
    let prefs = window.settings().remote_control;
    let remote = window.remote();

    let group = adw::PreferencesGroup::builder()
        .title(gettext("Remote Control"))
        .description(gettext(
            "Stream Deck, Companion, Touch Portal, phone apps and scripts control Plateau as they control OBS (obs-websocket 5). They need the password below.",
        ))
        .build();
    page.add(&group);

    let switch_row = adw::ActionRow::builder().title(gettext("Allow remote control")).build();
    let switch = gtk::Switch::builder().active(prefs.enabled).valign(gtk::Align::Center).build();
    switch.update_property(&[gtk::accessible::Property::Label(&gettext("Allow remote control"))]);
    switch_row.add_suffix(&switch);
    switch_row.set_activatable_widget(Some(&switch));
    group.add(&switch_row);
    let w = window.downgrade();
    switch.connect_active_notify(move |s| {
        let on = s.is_active();
        if let Some(w) = w.upgrade() {
            w.update_settings(|settings| settings.remote_control.enabled = on);
            w.apply_remote_control();
        }
    });

    let bind = adw::EntryRow::builder()
        .title(gettext("Address and port (127.0.0.1: this computer only)"))
        .text(prefs.bind.as_str())
        .show_apply_button(true)
        .build();
    bind.connect_changed(|row| match row.text().trim().parse::<std::net::SocketAddr>() {
        Ok(_) => row.remove_css_class("error"),
        Err(_) => row.add_css_class("error"),
    });
    let w = window.downgrade();
    bind.connect_apply(move |row| {
        let text = row.text().trim().to_owned();
        if let (Some(w), true) = (w.upgrade(), text.parse::<std::net::SocketAddr>().is_ok()) {
            w.update_settings(|s| s.remote_control.bind = text);
            w.apply_remote_control();
        }
    });
    group.add(&bind);

    let state = adw::ActionRow::builder().title(gettext("State")).build();
    state.add_css_class("property");
    group.add(&state);

    let password_row =
        adw::ActionRow::builder().title(gettext("Password")).subtitle("••••••••••••••••").build();
    password_row.add_css_class("property");
    let reveal = button(&gettext("Show"));
    let copy = button(&gettext("Copy"));
    let renew = button(&gettext("New Password"));
    for b in [&reveal, &copy, &renew] {
        password_row.add_suffix(b);
    }
    group.add(&password_row);

    let qr =
        gtk::DrawingArea::builder().content_width(220).content_height(220).halign(gtk::Align::Center).build();
    qr.update_property(&[gtk::accessible::Property::Label(&gettext("QR code for phone apps"))]);
    qr.set_visible(false);
    let qr_group = adw::PreferencesGroup::builder()
        .title(gettext("Phone Apps"))
        .description(gettext("Scan this code with the app: it holds the address and the password."))
        .build();
    qr_group.add(&qr);
    qr_group.set_visible(false);
    page.add(&qr_group);

    let clients_group = adw::PreferencesGroup::builder().title(gettext("Connected Clients")).build();
    let clients =
        gtk::ListBox::builder().selection_mode(gtk::SelectionMode::None).css_classes(["boxed-list"]).build();
    clients_group.add(&clients);
    page.add(&clients_group);

    let (row, r) = (password_row.clone(), remote.clone());
    reveal.connect_clicked(move |_| {
        let (row, r) = (row.clone(), r.clone());
        glib::spawn_future_local(async move {
            match shown_password().await {
                Ok(p) => row.set_subtitle(&p),
                Err(e) => row.set_subtitle(&e),
            }
            drop(r);
        });
    });
    copy.connect_clicked(move |b| {
        let clipboard = b.clipboard();
        glib::spawn_future_local(async move {
            if let Ok(p) = shown_password().await {
                clipboard.set_text(&p);
            }
        });
    });
    let (w, row) = (window.downgrade(), password_row.clone());
    renew.connect_clicked(move |_| {
        if let Some(w) = w.upgrade() {
            row.set_subtitle("••••••••••••••••");
            w.remote().regenerate_password(w.settings().remote_control);
        }
    });

    // Follows the server: its state, the QR code, the clients.
    let refresh = {
        let (state, qr, qr_group, clients, remote) =
            (state.downgrade(), qr.downgrade(), qr_group.downgrade(), clients.downgrade(), remote.clone());
        move || {
            let (Some(state), Some(qr), Some(qr_group), Some(clients)) =
                (state.upgrade(), qr.upgrade(), qr_group.upgrade(), clients.upgrade())
            else {
                return glib::ControlFlow::Break;
            };
            show_state(&remote, &state, &qr, &qr_group);
            fill_clients(&remote, &clients);
            glib::ControlFlow::Continue
        }
    };
    refresh();
    let again = refresh.clone();
    remote.connect_changed(move || {
        again();
    });
    glib::timeout_add_local(std::time::Duration::from_secs(1), refresh);
    page
}

fn button(label: &str) -> gtk::Button {
    gtk::Button::builder().label(label).valign(gtk::Align::Center).build()
}

fn show_state(
    remote: &RemoteControl,
    state: &adw::ActionRow,
    qr: &gtk::DrawingArea,
    qr_group: &adw::PreferencesGroup,
) {
    let (text, addr) = match (remote.address(), remote.problem()) {
        (Some(addr), _) => (format!("{} ws://{addr}", gettext("Listening on")), Some(addr)),
        (None, Some(problem)) => (problem, None),
        (None, None) => (gettext("Off"), None),
    };
    if state.subtitle().as_deref() != Some(text.as_str()) {
        state.set_subtitle(&text);
    }
    let shown = qr_group.is_visible();
    match addr {
        Some(addr) if !shown => {
            let (qr, group) = (qr.clone(), qr_group.clone());
            glib::spawn_future_local(async move {
                if let Ok(p) = shown_password().await {
                    super::ticket_dialog::show_qr(&qr, &connect_link(addr, &p));
                    group.set_visible(true);
                }
            });
        }
        None if shown => qr_group.set_visible(false),
        _ => {}
    }
}

fn fill_clients(remote: &RemoteControl, list: &gtk::ListBox) {
    let clients = remote.clients();
    let key: String = match clients.is_empty() {
        true => "none".into(),
        false => clients.iter().map(|c| format!("{}{} ", c.id, c.identified)).collect(),
    };
    if list.widget_name() == key.as_str() {
        return;
    }
    list.set_widget_name(&key);
    while let Some(child) = list.first_child() {
        list.remove(&child);
    }
    if clients.is_empty() {
        list.append(&adw::ActionRow::builder().title(gettext("No client is connected")).build());
    }
    for client in clients {
        let format = if client.msgpack { "MessagePack" } else { "JSON" };
        let state = if client.identified { gettext("connected") } else { gettext("signing in") };
        let row = adw::ActionRow::builder()
            .title(client.addr.to_string())
            .subtitle(format!("{state} · {format}"))
            .build();
        let disconnect = button(&gettext("Disconnect"));
        let (r, id) = (remote.clone(), client.id);
        disconnect.connect_clicked(move |_| r.disconnect(id));
        row.add_suffix(&disconnect);
        list.append(&row);
    }
}
