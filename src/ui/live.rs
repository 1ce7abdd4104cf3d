//! Go Live from the window: the keys are read from the keyring off the
//! interface thread, then every enabled destination streams on its own.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use plateau::engine::{Stream, StreamSettings};

use super::window::Window;

impl Window {
    /// Starts or stops streaming to every enabled destination. The keys
    /// are read from the keyring off the interface thread (it may ask to
    /// be unlocked); the streams start when they are there.
    pub fn toggle_live(&self) {
        let imp = self.imp();
        if !imp.streams.borrow().is_empty() {
            for s in imp.streams.take() {
                s.stop();
            }
            return self.show_live();
        }
        if imp.keys_pending.get() {
            // A second press while the keyring answers must not start every stream twice.
            return self.toast(&gettext("Still getting the stream keys from the keyring…"));
        }
        let settings = self.settings();
        if !settings.destinations.iter().any(|d| d.enabled) {
            self.show_live();
            self.toast(&gettext("No stream destination yet: add one in Settings, Streaming"));
            super::settings_dialog::show(self).set_visible_page_name("streaming");
            return;
        }
        let keyed = gio::spawn_blocking(move || {
            crate::destinations::live_destinations(&settings).map_err(|e| e.to_string())
        });
        imp.keys_pending.set(true);
        // The keyring may wait for its password: say so if it takes a while.
        let w = self.downgrade();
        glib::timeout_add_local_once(std::time::Duration::from_secs(1), move || {
            if let Some(w) = w.upgrade().filter(|w| w.imp().keys_pending.get()) {
                w.toast(&gettext(
                    "Waiting for the keyring to give the stream keys (it may ask for its password)…",
                ));
            }
        });
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let result = keyed.await;
            let Some(w) = w.upgrade() else { return };
            w.imp().keys_pending.set(false);
            let destinations = match result {
                Ok(Ok(d)) => d,
                Ok(Err(e)) => {
                    w.show_error(&gettext("The stream keys could not be read"), &e);
                    Vec::new()
                }
                Err(_) => {
                    w.show_error(
                        &gettext("The stream keys could not be read"),
                        &gettext("The keyring task failed."),
                    );
                    Vec::new()
                }
            };
            w.start_streams(destinations);
        });
    }

    fn start_streams(&self, destinations: Vec<(String, String)>) {
        let imp = self.imp();
        for (name, url) in destinations {
            let settings = StreamSettings { name: name.clone(), url, encoder: Default::default() };
            let started = imp.studio.borrow().as_ref().map(|s| Stream::start(s, settings));
            match started {
                Some(Ok(s)) => imp.streams.borrow_mut().push(s),
                Some(Err(e)) => self.show_error(&name, &e.to_string()),
                None => {}
            }
        }
        self.show_live();
    }

    fn show_live(&self) {
        let imp = self.imp();
        imp.live_button.set_active(!imp.streams.borrow().is_empty());
        self.update_status();
    }

    /// Puts the window back as it was left (size, maximised).
    pub fn restore_state(&self) {
        if let Some(state) = self.settings().window {
            self.set_default_size(state.width.clamp(640, 7680), state.height.clamp(480, 4320));
            if state.maximized {
                self.maximize();
            }
        }
    }
}
