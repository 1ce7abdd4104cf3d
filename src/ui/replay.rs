//! The replay buffer in the window: Replay Buffer (main menu) keeps the
//! last seconds of the show on disk, Save Replay (Ctrl+Shift+S) writes them into the
//! recordings folder, Play Replay (Ctrl+Shift+P) puts the last one saved on top of
//! the program, as a media source (instant replay).

use std::path::PathBuf;
use std::sync::Arc;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use plateau::engine::{EncoderSettings, MediaAction, ReplayBuffer};
use plateau::model::{ItemId, SceneItem, Source, SourceId, SourceKind};

use super::window::Window;

/// The source Play Replay shows the replay with.
const REPLAY_SOURCE: &str = "replay";

/// What the show calls the replay buffer while it starts.
const REPLAY_BUFFER: &str = "replay-buffer";

impl Window {
    pub fn replay_on(&self) -> bool {
        self.imp().replay.borrow().is_some()
    }

    /// Starts or stops keeping the last seconds (the settings say how
    /// many), off the interface thread. A failure is also told.
    pub async fn set_replay_buffer(&self, on: bool) -> Result<(), String> {
        let imp = self.imp();
        let mut started = Ok(());
        if !on {
            self.stop_replay_buffer();
        } else if !self.replay_on() {
            let seconds = self.settings().recording.replay_seconds.clamp(1, 3600);
            let dir = plateau::model::cache_dir()
                .map(|d| d.join(format!("replay-{}", std::process::id())))
                .unwrap_or_else(|_| std::env::temp_dir().join("plateau-replay"));
            let feeds = self.feeds().ok_or_else(|| gettext("The program is not running"))?;
            let length = std::time::Duration::from_secs(u64::from(seconds));
            let Some(starting) = imp.show.start_in_background(
                REPLAY_BUFFER,
                gettext("Starting the replay buffer…"),
                move || {
                    ReplayBuffer::start(&feeds, &dir, length, EncoderSettings::default())
                        .map_err(|e| e.to_string())
                },
            ) else {
                return Ok(());
            };
            started = starting.await.map(|buffer| drop(imp.replay.replace(Some(Arc::new(buffer)))));
            match &started {
                Ok(()) => self.toast(&format!("{} ({seconds} s)", gettext("Replay buffer on"))),
                Err(e) => self.show_error(&gettext("The replay buffer could not start"), e),
            }
        }
        self.show_replay_state();
        started
    }

    /// Stops the replay buffer (on a worker: its last piece is written out).
    pub fn stop_replay_buffer(&self) {
        if let Some(buffer) = self.imp().replay.take() {
            gio::spawn_blocking(move || {
                if let Ok(buffer) = Arc::try_unwrap(buffer) {
                    buffer.stop();
                }
            });
        }
        self.show_replay_state();
    }

    /// Opens or closes the replay buffer in the background (its menu item).
    pub fn toggle_replay_buffer(&self) {
        let (w, on) = (self.clone(), !self.replay_on());
        glib::spawn_future_local(async move {
            let _ = w.set_replay_buffer(on).await;
        });
    }

    /// The menu's check mark follows the buffer.
    fn show_replay_state(&self) {
        if let Some(action) = self.application().and_then(|a| a.lookup_action("replay-buffer")) {
            if let Some(action) = action.downcast_ref::<gio::SimpleAction>() {
                action.set_state(&self.replay_on().to_variant());
            }
        }
    }

    /// Writes the buffer into the recordings folder, off the interface
    /// thread, and says so.
    pub fn save_replay(&self) {
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let Some(w) = w.upgrade() else { return };
            if let Err(e) = w.save_replay_now().await {
                w.show_error(&gettext("The replay could not be saved"), &e);
            }
        });
    }

    /// Writes the buffer into the recordings folder; the file's path.
    pub async fn save_replay_now(&self) -> Result<PathBuf, String> {
        let Some(buffer) = self.imp().replay.borrow().clone() else {
            return Err(gettext("Turn the replay buffer on first (main menu)"));
        };
        let path = plateau::recordings::new_path(&self.settings(), "ts");
        let path = path.with_file_name(format!(
            "{} {}",
            gettext("Replay"),
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
        ));
        let to = path.clone();
        tracing::info!(path = %path.display(), "saving the replay");
        let saved = gio::spawn_blocking(move || buffer.save(&to)).await;
        match saved {
            Ok(Ok(length)) => {
                self.imp().last_replay.replace(Some(path.clone()));
                self.toast(&format!("{} {:.0} s", gettext("Replay saved:"), length.as_secs_f64()));
                Ok(path)
            }
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(gettext("The replay could not be saved")),
        }
    }

    /// Shows the last saved replay on top of the program scene, once.
    pub fn play_replay(&self) {
        let Some(path) = self.imp().last_replay.borrow().clone() else {
            return self.toast(&gettext("Save a replay first (Ctrl+Shift+S)"));
        };
        self.show_replay(path);
    }

    fn show_replay(&self, path: PathBuf) {
        let (Some(collection), Some(scene)) = (self.collection(), self.studio_program_scene()) else {
            return;
        };
        let id = SourceId::new(REPLAY_SOURCE);
        let kind = SourceKind::Media { path, looping: false };
        let (w, h) = (collection.video.width, collection.video.height);
        let shown = collection.scene(&scene).is_some_and(|s| s.items.iter().any(|i| i.source == id));
        let existing = collection.source(&id).map(|s| s.kind.clone());
        let item = SceneItem::new(ItemId(0), id.clone(), 0, 0, w, h);
        let source = Source::new(REPLAY_SOURCE, gettext("Replay"), kind.clone());
        self.edit_and_refresh(|e| match existing {
            None => e.add_source_with_item(source, &scene, item),
            Some(old) => {
                if old == kind {
                    // The same replay again: from its start.
                    e.media(&id, MediaAction::Restart);
                } else {
                    e.update_source(source);
                }
                if !shown {
                    e.add_item(&scene, item);
                }
            }
        });
    }
}
