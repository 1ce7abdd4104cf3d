//! The settings: where and how recordings are made, the canvas, and the
//! stream destinations with their keys (sent to the keyring, never shown
//! again nor written to a settings file).

use adw::prelude::*;
use gettextrs::gettext;
use plateau::model::{is_stream_server, PodcastFormat, RecordingFormat, Settings, VideoSettings, SERVICES};
use plateau::secrets::{KeyStore, SecretsError};

use super::window::Window;

const SIZES: [(u32, u32); 5] = [(1280, 720), (1920, 1080), (854, 480), (2560, 1440), (3840, 2160)];
const RATES: [u32; 5] = [24, 25, 30, 50, 60];

/// Shows the settings over `window`, on the page named `page` (the
/// first when none).
///
/// Realizing every page at once held the window up 70 ms (150 ms on a
/// busy machine): the window opens with the pages up to the one asked
/// for, and the others are added one per turn of the main loop after.
pub fn show(window: &Window, page: Option<&str>) -> adw::PreferencesWindow {
    let began = std::time::Instant::now();
    let dialog = adw::PreferencesWindow::builder()
        .title(gettext("Settings"))
        .modal(true)
        .transient_for(window)
        .default_width(640)
        .default_height(620)
        .search_enabled(false)
        .build();
    // Tied to the application, so that its `app.*` menu entries (add a
    // destination) are live in this window too.
    dialog.set_application(window.application().as_ref());
    let mut pages: std::collections::VecDeque<PageBuilder> =
        [recording_page, video_page, super::audio_page::page, streaming_page, super::remote_page::page]
            .into();
    let wanted = page.unwrap_or("recording");
    while let Some(build) = pages.pop_front() {
        let built = build(window, &dialog);
        dialog.add(&built);
        if built.name().as_deref() == Some(wanted) {
            break;
        }
    }
    dialog.set_visible_page_name(wanted);
    dialog.present();
    tracing::debug!(shown_ms = began.elapsed().as_millis() as u64, page = wanted, "settings opened");
    let (w, d) = (window.downgrade(), dialog.downgrade());
    glib::idle_add_local(move || match (w.upgrade(), d.upgrade(), pages.pop_front()) {
        (Some(w), Some(d), Some(build)) => {
            d.add(&build(&w, &d));
            glib::ControlFlow::Continue
        }
        _ => glib::ControlFlow::Break,
    });
    dialog
}

/// Builds one page of the settings.
type PageBuilder = fn(&Window, &adw::PreferencesWindow) -> adw::PreferencesPage;

fn spin_row(
    title: &str,
    subtitle: &str,
    value: u32,
    max: u32,
    on_change: impl Fn(u32) + 'static,
) -> adw::ActionRow {
    let row = adw::ActionRow::builder().title(title).subtitle(subtitle).build();
    let spin = gtk::SpinButton::with_range(0.0, f64::from(max), 1.0);
    spin.set_value(f64::from(value));
    spin.set_valign(gtk::Align::Center);
    spin.update_property(&[gtk::accessible::Property::Label(title)]);
    spin.connect_value_changed(move |s| on_change(s.value() as u32));
    row.add_suffix(&spin);
    row.set_activatable_widget(Some(&spin));
    row
}

fn recording_page(window: &Window, _: &adw::PreferencesWindow) -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Recording"))
        .name("recording")
        .icon_name("media-record-symbolic")
        .build();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Recordings"))
        .description(gettext("In the file name, %Y-%m-%d is the date and %H-%M-%S the time of the start (as in the example below)."))
        .build();
    page.add(&group);
    let settings = window.settings();

    let folder = adw::ActionRow::builder()
        .title(gettext("Folder"))
        .subtitle(settings.recording_folder().display().to_string())
        .build();
    let choose = gtk::Button::builder().label(gettext("Choose…")).valign(gtk::Align::Center).build();
    let (w, row) = (window.downgrade(), folder.clone());
    choose.connect_clicked(move |button| {
        // Over the settings window, which is modal.
        let parent = button.root().and_downcast::<gtk::Window>();
        let (w, row) = (w.clone(), row.clone());
        super::file_dialog::ask(
            parent.as_ref(),
            &gettext("Recording Folder"),
            &gettext("_Select"),
            super::file_dialog::Choose::Folder,
            move |path| {
                if let Some(w) = w.upgrade() {
                    row.set_subtitle(&path.display().to_string());
                    w.update_settings(|s| s.recording_folder = Some(path));
                }
            },
        );
    });
    folder.add_suffix(&choose);
    group.add(&folder);

    let format = adw::ComboRow::builder()
        .title(gettext("Format"))
        .model(&gtk::StringList::new(&[&gettext("Matroska (.mkv)"), &gettext("MP4 (.mp4)")]))
        .selected(match settings.recording.format {
            RecordingFormat::Matroska => 0,
            RecordingFormat::Mp4 => 1,
        })
        .build();
    let w = window.downgrade();
    format.connect_selected_notify(move |row| {
        let chosen = if row.selected() == 1 { RecordingFormat::Mp4 } else { RecordingFormat::Matroska };
        if let Some(w) = w.upgrade() {
            w.update_settings(|s| s.recording.format = chosen);
        }
    });
    group.add(&format);

    let name = adw::EntryRow::builder()
        .title(gettext("File name"))
        .text(settings.recording.file_name.as_str())
        .build();
    // What the next recording will be called, rather than the codes alone.
    let example = adw::ActionRow::builder()
        .title(gettext("Next recording"))
        .subtitle(example_name(&settings.recording.file_name, settings.recording.format.extension()))
        .build();
    let (w, shown) = (window.downgrade(), example.clone());
    name.connect_changed(move |row| {
        let text = row.text().trim().to_owned();
        if let (Some(w), false) = (w.upgrade(), text.is_empty()) {
            shown.set_subtitle(&example_name(&text, w.settings().recording.format.extension()));
            w.update_settings(|s| s.recording.file_name = text);
        }
    });
    group.add(&name);
    group.add(&example);

    let w = window.downgrade();
    group.add(&spin_row(
        &gettext("New file every (minutes)"),
        &gettext("0: one file"),
        settings.recording.split_minutes,
        24 * 60,
        move |v| {
            if let Some(w) = w.upgrade() {
                w.update_settings(|s| s.recording.split_minutes = v);
            }
        },
    ));
    let w = window.downgrade();
    group.add(&spin_row(
        &gettext("New file before (MB)"),
        &gettext("0: no size limit"),
        settings.recording.split_megabytes,
        1_000_000,
        move |v| {
            if let Some(w) = w.upgrade() {
                w.update_settings(|s| s.recording.split_megabytes = v);
            }
        },
    ));
    let w = window.downgrade();
    group.add(&spin_row(
        &gettext("Replay buffer (seconds)"),
        &gettext("What Save Replay (Ctrl+Shift+S) writes: the last seconds of the show"),
        settings.recording.replay_seconds,
        3600,
        move |v| {
            if let Some(w) = w.upgrade() {
                w.update_settings(|s| s.recording.replay_seconds = v.max(1));
            }
        },
    ));
    page.add(&podcast_group(window, &settings));
    page
}

fn podcast_group(window: &Window, settings: &Settings) -> adw::PreferencesGroup {
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Podcasts"))
        .description(gettext("The mix and one track per speaker, with chapter marks."))
        .build();
    let formats = [PodcastFormat::Opus, PodcastFormat::Flac, PodcastFormat::Wav];
    let format = adw::ComboRow::builder()
        .title(gettext("Format"))
        .model(&gtk::StringList::new(&["Opus", "FLAC", "WAV"]))
        .selected(formats.iter().position(|f| *f == settings.podcast.format).unwrap_or(0) as u32)
        .build();
    let w = window.downgrade();
    format.connect_selected_notify(move |row| {
        let chosen = formats.get(row.selected() as usize).copied().unwrap_or_default();
        if let Some(w) = w.upgrade() {
            w.update_settings(|s| s.podcast.format = chosen);
        }
    });
    group.add(&format);
    let toggle = |title: String, subtitle: String, on: bool, set: fn(&mut Settings, bool)| {
        switch_row(window, &title, &subtitle, on, set)
    };
    group.add(&toggle(
        gettext("Even loudness"),
        gettext("Bring the mix to -16 LUFS (EBU R128) when the recording ends"),
        settings.podcast.normalize,
        |s, on| s.podcast.normalize = on,
    ));
    group.add(&toggle(
        gettext("One file per track"),
        gettext("In a folder, instead of one Matroska file"),
        settings.podcast.separate_files,
        |s, on| s.podcast.separate_files = on,
    ));
    group
}

/// A row with a switch that changes one setting.
fn switch_row(
    window: &Window,
    title: &str,
    subtitle: &str,
    on: bool,
    set: fn(&mut Settings, bool),
) -> adw::ActionRow {
    let row = adw::ActionRow::builder().title(title).subtitle(subtitle).build();
    let switch = gtk::Switch::builder().active(on).valign(gtk::Align::Center).build();
    switch.update_property(&[gtk::accessible::Property::Label(title)]);
    let w = window.downgrade();
    switch.connect_active_notify(move |s| {
        let on = s.is_active();
        if let Some(w) = w.upgrade() {
            w.update_settings(|settings| set(settings, on));
        }
    });
    row.add_suffix(&switch);
    row.set_activatable_widget(Some(&switch));
    row
}

/// Going live to the swarm, beside the servers: on or off, and where from.
fn peer_to_peer_group(window: &Window) -> adw::PreferencesGroup {
    let prefs = window.settings().peer_to_peer;
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Peer-to-Peer"))
        .description(gettext(
            "Viewers relay the show to each other: your upload stays near twice the stream however many watch. Go Live shows the ticket to hand out.",
        ))
        .build();
    group.add(&switch_row(
        window,
        &gettext("Go live to the swarm"),
        &gettext("With Go Live, beside the servers above"),
        prefs.enabled,
        |s, on| s.peer_to_peer.enabled = on,
    ));
    let bind = adw::EntryRow::builder().title(gettext("Address and port")).text(prefs.bind.as_str()).build();
    let w = window.downgrade();
    bind.connect_changed(move |row| {
        let text = row.text().trim().to_owned();
        let valid = text.parse::<std::net::SocketAddr>().is_ok();
        match valid {
            true => row.remove_css_class("error"),
            false => row.add_css_class("error"),
        }
        if let (Some(w), true) = (w.upgrade(), valid) {
            w.update_settings(|s| s.peer_to_peer.bind = text);
        }
    });
    group.add(&bind);
    group.add(&switch_row(
        window,
        &gettext("Local network"),
        &gettext("Announce the show and find viewers on this network (mDNS), with or without internet"),
        prefs.lan,
        |s, on| s.peer_to_peer.lan = on,
    ));
    group.add(&relays_row(window, &prefs.relays));
    let w = window.downgrade();
    group.add(&spin_row(
        &gettext("Maximum upload (kbit/s)"),
        &gettext("What the studio sends to the swarm at most; 0: about twice the stream"),
        prefs.max_upload_kbps,
        1_000_000,
        move |kbps| {
            if let Some(w) = w.upgrade() {
                w.update_settings(|s| s.peer_to_peer.max_upload_kbps = kbps);
            }
        },
    ));
    group
}

/// Self-hosted relay servers, separated by spaces; kept once every one of
/// them reads as an address.
fn relays_row(window: &Window, relays: &[String]) -> adw::EntryRow {
    let row = adw::EntryRow::builder()
        .title(gettext("Relay servers (none: direct paths only)"))
        .text(relays.join(" "))
        .build();
    let w = window.downgrade();
    row.connect_changed(move |row| {
        let text = row.text();
        let relays: Vec<String> =
            text.split([' ', ',']).filter(|r| !r.is_empty()).map(str::to_owned).collect();
        let valid = relays.iter().all(|r| plateau::cli::swarm::relay_url(r).is_ok());
        match valid {
            true => row.remove_css_class("error"),
            false => row.add_css_class("error"),
        }
        if let (Some(w), true) = (w.upgrade(), valid) {
            w.update_settings(|s| s.peer_to_peer.relays = relays);
        }
    });
    row
}

/// A choice among `labels`, with the current value first when it is not one of them.
fn choice_row<T: PartialEq + Copy + 'static>(
    title: &str,
    current: T,
    known: &[T],
    label: impl Fn(T) -> String,
) -> (adw::ComboRow, Vec<T>) {
    let mut values: Vec<T> = known.to_vec();
    if !values.contains(&current) {
        values.insert(0, current);
    }
    let labels: Vec<String> = values.iter().map(|v| label(*v)).collect();
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    let row = adw::ComboRow::builder().title(title).model(&gtk::StringList::new(&refs)).build();
    row.set_selected(values.iter().position(|v| *v == current).unwrap_or(0) as u32);
    (row, values)
}

fn video_page(window: &Window, _: &adw::PreferencesWindow) -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Video"))
        .name("video")
        .icon_name("video-display-symbolic")
        .build();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Canvas"))
        .description(gettext("Every scene is composed at this size and rate; items keep their place when it changes. It can change while nothing is recorded or streamed."))
        .build();
    page.add(&group);
    let canvas = window.canvas_settings().unwrap_or_default();
    let (size, sizes) =
        choice_row(&gettext("Size"), (canvas.width, canvas.height), &SIZES, |(w, h)| format!("{w} × {h}"));
    let (rate, rates) = choice_row(&gettext("Frame rate"), canvas.fps, &RATES, |f| format!("{f} fps"));
    let apply = {
        let (w, size, rate) = (window.downgrade(), size.clone(), rate.clone());
        move || {
            let Some(w) = w.upgrade() else { return };
            let (width, height) = sizes[size.selected() as usize % sizes.len()];
            let fps = rates[rate.selected() as usize % rates.len()];
            if !w.change_canvas(VideoSettings { width, height, fps }) {
                // Not applied: show what is in use again.
                let now = w.canvas_settings().unwrap_or_default();
                if let Some(i) = sizes.iter().position(|s| *s == (now.width, now.height)) {
                    size.set_selected(i as u32);
                }
                if let Some(i) = rates.iter().position(|r| *r == now.fps) {
                    rate.set_selected(i as u32);
                }
            }
        }
    };
    let apply = std::rc::Rc::new(apply);
    let a = apply.clone();
    size.connect_selected_notify(move |_| a());
    rate.connect_selected_notify(move |_| apply());
    group.add(&size);
    group.add(&rate);
    page
}

fn streaming_page(window: &Window, dialog: &adw::PreferencesWindow) -> adw::PreferencesPage {
    let page = adw::PreferencesPage::builder()
        .title(gettext("Streaming"))
        .name("streaming")
        .icon_name("network-transmit-symbolic")
        .build();
    let group = adw::PreferencesGroup::builder()
        .title(gettext("Destinations"))
        .description(gettext(
            "Go Live streams to every enabled destination at once. Stream keys are kept in the keyring.",
        ))
        .build();
    // Below the list, where it covers nothing (beside the group's title it
    // overlapped the description).
    let add = gtk::MenuButton::builder()
        .child(
            &adw::ButtonContent::builder()
                .icon_name("list-add-symbolic")
                .label(gettext("Add a Destination"))
                .build(),
        )
        .halign(gtk::Align::Start)
        .margin_top(12)
        .build();
    add.update_property(&[gtk::accessible::Property::Label(&gettext("Add a Destination"))]);
    let menu = gtk::gio::Menu::new();
    for (service, _) in SERVICES {
        menu.append(Some(service), Some(&format!("app.add-destination('{service}')")));
    }
    menu.append(Some(&gettext("Custom server")), Some("app.add-destination('custom')"));
    add.set_menu_model(Some(&menu));
    // The destinations' own list, so that refilling it touches nothing else.
    let list =
        gtk::ListBox::builder().selection_mode(gtk::SelectionMode::None).css_classes(["boxed-list"]).build();
    group.add(&list);
    group.add(&add);
    page.add(&group);
    page.add(&peer_to_peer_group(window));
    fill_destinations(window, &list, dialog);
    // Rebuilt when a destination is added (through the app action).
    let (list, d, w) = (list.downgrade(), dialog.downgrade(), window.downgrade());
    window.connect_destinations_changed(move |added| {
        if let (Some(w), Some(d), Some(list)) = (w.upgrade(), d.upgrade(), list.upgrade()) {
            fill_destinations_opening(&w, &list, &d, added);
        }
    });
    page
}

/// One expander row per destination: its switch turns it on or off, and
/// it opens (on or off) to change its name, server and key. A destination
/// just added (`added`) opens at once.
fn fill_destinations(window: &Window, list: &gtk::ListBox, dialog: &adw::PreferencesWindow) {
    fill_destinations_opening(window, list, dialog, None);
}

fn fill_destinations_opening(
    window: &Window,
    list: &gtk::ListBox,
    dialog: &adw::PreferencesWindow,
    added: Option<&str>,
) {
    while let Some(row) = list.row_at_index(0) {
        list.remove(&row);
    }
    let destinations = window.settings().destinations;
    if destinations.is_empty() {
        let row = adw::ActionRow::builder()
            .title(gettext("No destination yet"))
            .subtitle(gettext("Add YouTube, Twitch or your own server below."))
            .build();
        list.append(&row);
    }
    for d in destinations {
        let row = adw::ExpanderRow::builder()
            .title(d.name.as_str())
            .subtitle(d.server.as_str())
            .expanded(added == Some(d.name.as_str()))
            .build();
        let enabled = gtk::Switch::builder().active(d.enabled).valign(gtk::Align::Center).build();
        enabled.update_property(&[gtk::accessible::Property::Label(&format!(
            "{} {}",
            gettext("Stream to"),
            d.name
        ))]);
        let (w, name) = (window.downgrade(), d.name.clone());
        enabled.connect_active_notify(move |switch| {
            let on = switch.is_active();
            if let Some(w) = w.upgrade() {
                w.update_settings(|s| set_enabled(s, &name, on));
            }
        });
        row.add_action(&enabled);

        let name_row = adw::EntryRow::builder()
            .title(gettext("Name"))
            .text(d.name.as_str())
            .show_apply_button(true)
            .build();
        let (w, from, l, dlg) = (window.downgrade(), d.name.clone(), list.downgrade(), dialog.downgrade());
        name_row.connect_apply(move |entry| {
            let (Some(w), Some(l), Some(dlg)) = (w.upgrade(), l.upgrade(), dlg.upgrade()) else { return };
            let to = entry.text().trim().to_owned();
            if to == from {
                return;
            }
            if to.is_empty() || w.settings().destinations.iter().any(|d| d.name == to) {
                entry.add_css_class("error");
                w.toast(&gettext("Each destination needs a name of its own"));
                return;
            }
            w.update_settings(|s| {
                if let Some(d) = s.destinations.iter_mut().find(|d| d.name == from) {
                    d.name = to.clone();
                }
            });
            move_key(&w, from.clone(), to.clone());
            fill_destinations_opening(&w, &l, &dlg, Some(&to));
        });
        row.add_row(&name_row);

        let server = adw::EntryRow::builder().title(gettext("Server")).text(d.server.as_str()).build();
        let (w, name, r, switch) = (window.downgrade(), d.name.clone(), row.clone(), enabled.clone());
        server.connect_changed(move |entry| {
            let text = entry.text().trim().to_owned();
            if !is_stream_server(&text) {
                entry.add_css_class("error");
                // Red alone says nothing: the row says what a server looks like.
                if !text.is_empty() {
                    r.set_subtitle(&gettext(
                        "Not a server address yet: it starts with rtmp://, rtmps:// or srt:// (the key goes below)",
                    ));
                }
                return;
            }
            entry.remove_css_class("error");
            r.set_subtitle(&text);
            let Some(w) = w.upgrade() else { return };
            // A server typed in whole for the first time: this destination is wanted.
            let was_usable =
                w.settings().destinations.iter().any(|d| d.name == name && is_stream_server(&d.server));
            w.update_settings(|s| {
                if let Some(d) = s.destinations.iter_mut().find(|d| d.name == name) {
                    d.server = text;
                }
            });
            if !was_usable {
                switch.set_active(true);
            }
        });
        row.add_row(&server);

        let key =
            adw::PasswordEntryRow::builder().title(gettext("Stream key")).show_apply_button(true).build();
        let (w, name) = (window.downgrade(), d.name.clone());
        key.connect_apply(move |entry| {
            let secret = entry.text().trim().to_owned();
            if let (Some(w), false) = (w.upgrade(), secret.is_empty()) {
                entry.set_text("");
                let settings_window = entry.root().and_downcast::<adw::PreferencesWindow>();
                save_key(&w, settings_window, name.clone(), secret);
            }
        });
        row.add_row(&key);

        let remove = gtk::Button::builder()
            .label(gettext("Remove"))
            .halign(gtk::Align::End)
            .valign(gtk::Align::Center)
            .css_classes(["destructive-action"])
            .margin_top(6)
            .margin_bottom(6)
            .margin_end(6)
            .build();
        let (w, name, l, dlg) = (window.downgrade(), d.name.clone(), list.downgrade(), dialog.downgrade());
        remove.connect_clicked(move |_| {
            let (Some(w), Some(dlg), Some(l)) = (w.upgrade(), dlg.upgrade(), l.upgrade()) else { return };
            w.update_settings(|s| s.destinations.retain(|d| d.name != name));
            forget_key(&w, name.clone());
            fill_destinations(&w, &l, &dlg);
        });
        let remove_row = adw::ActionRow::new();
        remove_row.add_suffix(&remove);
        row.add_row(&remove_row);
        list.append(&row);
    }
}

fn set_enabled(settings: &mut Settings, name: &str, on: bool) {
    if let Some(d) = settings.destinations.iter_mut().find(|d| d.name == name) {
        d.enabled = on;
    }
}

/// Stores the key off the interface thread (the keyring may take a while
/// or ask to be unlocked); without a keyring, asks before using a file.
/// What it did is told in the Settings window (`shown_in`) when open.
fn save_key(window: &Window, shown_in: Option<adw::PreferencesWindow>, destination: String, key: String) {
    let settings = window.settings();
    let Ok(file) = Settings::key_file() else { return };
    let (name, k) = (destination.clone(), key.clone());
    let saved = gtk::gio::spawn_blocking(move || {
        KeyStore::open(&file, settings.keys_in_file_allowed).and_then(|store| {
            store.save(&name, &k)?;
            Ok(matches!(store, KeyStore::Keyring { .. }))
        })
    });
    let w = window.downgrade();
    glib::spawn_future_local(async move {
        let Some(w) = w.upgrade() else { return };
        let toast = |text: String| match shown_in.as_ref().filter(|s| s.is_visible()) {
            Some(settings) => settings.add_toast(adw::Toast::new(&text)),
            None => w.toast(&text),
        };
        match saved.await {
            Ok(Ok(true)) => toast(format!("{} {destination}", gettext("Key kept in the keyring for"))),
            Ok(Ok(false)) => toast(format!("{} {destination}", gettext("Key kept in your private file for"))),
            Ok(Err(SecretsError::NoKeyring(why))) => ask_for_key_file(&w, shown_in, destination, key, &why),
            Ok(Err(e)) => w.show_error(&gettext("The key could not be kept"), &e.to_string()),
            Err(_) => {
                w.show_error(&gettext("The key could not be kept"), &gettext("The keyring task failed."))
            }
        }
    });
}

fn ask_for_key_file(
    window: &Window,
    shown_in: Option<adw::PreferencesWindow>,
    destination: String,
    key: String,
    why: &str,
) {
    let over: gtk::Window = match &shown_in {
        Some(settings) => settings.clone().upcast(),
        None => window.clone().upcast(),
    };
    let dialog = adw::MessageDialog::new(
        Some(&over),
        Some(&gettext("No keyring is available")),
        Some(&format!(
            "{} ({why})\n\n{}",
            gettext("Plateau keeps stream keys in the desktop keyring, and none answered."),
            gettext("Keep the keys in a file that only you can read instead?")
        )),
    );
    dialog.add_responses(&[("cancel", &gettext("_Cancel")), ("file", &gettext("_Keep in a File"))]);
    dialog.set_response_appearance("file", adw::ResponseAppearance::Suggested);
    let w = window.downgrade();
    dialog.connect_response(None, move |_, response| {
        if let (Some(w), "file") = (w.upgrade(), response) {
            w.update_settings(|s| s.keys_in_file_allowed = true);
            save_key(&w, shown_in.clone(), destination.clone(), key.clone());
        }
    });
    dialog.present();
}

fn forget_key(window: &Window, destination: String) {
    let allowed = window.settings().keys_in_file_allowed;
    let Ok(file) = Settings::key_file() else { return };
    // Nothing to tell when there was no key: forgetting is best effort.
    drop(gtk::gio::spawn_blocking(move || {
        if let Ok(store) = KeyStore::open(&file, allowed) {
            let _ = store.forget(&destination);
        }
    }));
}

/// Moves a destination's key to its new name, off the interface thread.
fn move_key(window: &Window, from: String, to: String) {
    let allowed = window.settings().keys_in_file_allowed;
    let Ok(file) = Settings::key_file() else { return };
    let moved = gtk::gio::spawn_blocking(move || {
        let store = KeyStore::open(&file, allowed)?;
        if let Some(key) = store.get(&from)? {
            store.save(&to, &key)?;
            store.forget(&from)?;
        }
        Ok::<(), SecretsError>(())
    });
    let w = window.downgrade();
    glib::spawn_future_local(async move {
        if let (Some(w), Ok(Err(e))) = (w.upgrade(), moved.await) {
            // No keyring and no file: there was no key to move.
            if !matches!(e, SecretsError::NoKeyring(_)) {
                w.show_error(&gettext("The key could not follow the new name"), &e.to_string());
            }
        }
    });
}

/// The name a recording started now would get from `template`.
fn example_name(template: &str, extension: &str) -> String {
    format!("{}.{extension}", plateau::recordings::recording_name(template))
}
