//! Several scene collections: the main menu lists them, and a presenter
//! creates, opens and removes them (with Undo). Each is saved in the
//! configuration folder through the model's store; the one open at the end
//! opens at the next start.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use plateau::model::{Scene, SceneCollection, VideoSettings};

use super::window::Window;

impl Window {
    /// Rebuilds the "Scene Collections" submenu, `open` marked.
    pub fn fill_collections_menu(&self, open: &str) {
        let imp = self.imp();
        let existing = imp.collections_menu.borrow().clone();
        let menu = existing.unwrap_or_else(|| {
            let menu = gio::Menu::new();
            if let Some(main) = imp.main_menu_button.menu_model().and_downcast::<gio::Menu>() {
                main.insert_submenu(0, Some(&gettext("Scene _Collections")), &menu);
            }
            *imp.collections_menu.borrow_mut() = Some(menu.clone());
            menu
        });
        menu.remove_all();
        let names = imp.document.store().and_then(|s| s.names().ok()).unwrap_or_default();
        let list = gio::Menu::new();
        for name in names.iter().chain((!names.iter().any(|n| n == open)).then_some(&open.to_owned())) {
            let label = if name == open { format!("✓ {name}") } else { name.clone() };
            let item = gio::MenuItem::new(Some(&label), None);
            item.set_action_and_target_value(Some("app.switch-collection"), Some(&name.to_variant()));
            list.append_item(&item);
        }
        menu.append_section(None, &list);
        let actions = gio::Menu::new();
        actions.append(Some(&gettext("_New Collection…")), Some("app.new-collection"));
        actions.append(Some(&gettext("_Import from OBS…")), Some("app.import-obs"));
        actions.append(Some(&gettext("_Remove This Collection")), Some("app.remove-collection"));
        menu.append_section(None, &actions);
    }

    fn name_of_open(&self) -> Option<String> {
        self.collection().map(|c| c.name.clone())
    }

    /// Whether the collection can change now; says why not.
    fn can_change_collection(&self) -> bool {
        if self.outputs_running() {
            self.show_error(
                &gettext("The collection cannot change now"),
                &gettext("Stop recording and streaming first."),
            );
            return false;
        }
        true
    }

    /// Opens the stored collection `name` in place of the current one
    /// (which is saved first).
    pub fn switch_collection(&self, name: &str) {
        if self.name_of_open().as_deref() == Some(name) || !self.can_change_collection() {
            return;
        }
        let Some(store) = self.imp().document.store() else { return };
        let collection = match store.load(name) {
            Ok(c) => c,
            Err(e) => return self.show_error(&gettext("The collection could not be opened"), &e.to_string()),
        };
        self.save_now();
        self.open_collection(collection);
    }

    fn open_collection(&self, collection: SceneCollection) {
        tracing::info!(collection = %collection.name, "collection opened");
        let name = collection.name.clone();
        self.update_settings(|s| s.collection = Some(name));
        self.restart_studio(collection, None);
    }

    /// Asks for a name and starts a new, empty collection at the current canvas.
    pub fn ask_new_collection(&self) {
        if !self.can_change_collection() {
            return;
        }
        self.ask_name(&gettext("New Collection"), &gettext("My show"), &gettext("_Create"), |w, name| {
            w.new_collection(&name)
        });
    }

    pub fn new_collection(&self, name: &str) {
        if !self.can_change_collection() {
            return;
        }
        let Some(store) = self.imp().document.store() else { return };
        if store.names().unwrap_or_default().iter().any(|n| n == name) {
            return self.show_error(&gettext("That name is taken"), &format!("“{name}”"));
        }
        let collection = empty_collection(name, self.canvas_settings().unwrap_or_default());
        if let Err(e) = store.save(&collection) {
            return self.show_error(&gettext("The collection could not be saved"), &e.to_string());
        }
        self.save_now();
        self.open_collection(collection);
    }

    /// Asks for an OBS scene collection (`~/.config/obs-studio/basic/scenes/`),
    /// imports it at the current canvas and opens it, saying what could
    /// not come along.
    pub fn ask_import_obs(&self) {
        if !self.can_change_collection() {
            return;
        }
        let w = self.downgrade();
        super::file_dialog::ask(
            Some(self),
            &gettext("Import an OBS Scene Collection"),
            &gettext("_Import"),
            super::file_dialog::Choose::File,
            move |path| {
                if let Some(w) = w.upgrade() {
                    w.import_obs(path);
                }
            },
        );
    }

    /// Imports the OBS scene collection at `path`: read (pictures and clips
    /// probed for their sizes) on a worker thread, then saved under a name
    /// of its own and opened.
    pub fn import_obs(&self, path: std::path::PathBuf) {
        let video = self.canvas_settings().unwrap_or_default();
        let w = self.downgrade();
        glib::spawn_future_local(async move {
            let read = gio::spawn_blocking(move || plateau::import::import_obs_file(&path, video)).await;
            let Some(w) = w.upgrade() else { return };
            let mut imported = match read {
                Ok(Ok(imported)) => imported,
                Ok(Err(e)) => {
                    return w.show_error(&gettext("The OBS collection could not be imported"), &e.to_string())
                }
                Err(_) => return w.show_error(&gettext("The OBS collection could not be imported"), ""),
            };
            if !w.can_change_collection() {
                return;
            }
            let Some(store) = w.imp().document.store() else { return };
            let named = store.unused_name(&imported.collection.name);
            let saved = named.and_then(|name| {
                imported.collection.name = name;
                store.save(&imported.collection)
            });
            if let Err(e) = saved {
                return w.show_error(&gettext("The collection could not be saved"), &e.to_string());
            }
            w.save_now();
            let name = imported.collection.name.clone();
            w.open_collection(imported.collection);
            w.report_import(&name, &imported.skipped);
        });
    }

    /// Says what an import could not carry over, or that it carried all.
    fn report_import(&self, name: &str, skipped: &[String]) {
        if skipped.is_empty() {
            return self.toast(&format!("{} “{name}”", gettext("Imported from OBS, all of it:")));
        }
        let heading = format!("{} “{name}”", gettext("Imported from OBS:"));
        let body = format!("{}\n\n• {}", gettext("Not carried over:"), skipped.join("\n• "));
        let dialog = adw::MessageDialog::new(Some(self), Some(&heading), Some(&body));
        dialog.add_response("close", &gettext("_Close"));
        dialog.present();
    }

    /// Removes the open collection (Undo brings it back) and opens another
    /// one, or a new empty one when it was the last.
    pub fn remove_collection(&self) {
        if !self.can_change_collection() {
            return;
        }
        let (Some(store), Some(current)) = (self.imp().document.store(), self.collection()) else {
            return;
        };
        if let Err(e) = store.remove(&current.name) {
            return self.show_error(&gettext("The collection could not be removed"), &e.to_string());
        }
        let next = store.names().unwrap_or_default().into_iter().find_map(|n| store.load(&n).ok());
        let next = next.unwrap_or_else(|| empty_collection(&gettext("My show"), current.video));
        let removed = current.name.clone();
        self.imp().document.set_removed_collection((*current).clone());
        self.open_collection(next);
        self.save_now();
        self.toast_with_undo(
            &format!("{} “{removed}”", gettext("Collection removed:")),
            "app.undo-remove-collection",
        );
    }

    /// Brings the last removed collection back (it is not opened).
    pub fn undo_remove_collection(&self) {
        let Some(collection) = self.imp().document.take_removed_collection() else { return };
        let Some(store) = self.imp().document.store() else { return };
        match store.save(&collection) {
            Ok(_) => {
                let open = self.name_of_open().unwrap_or_default();
                self.fill_collections_menu(&open);
            }
            Err(e) => self.show_error(&gettext("The collection could not be saved"), &e.to_string()),
        }
    }
}

/// A collection with one empty scene, at `video`.
fn empty_collection(name: &str, video: VideoSettings) -> SceneCollection {
    let mut collection = SceneCollection::new(name);
    collection.video = video;
    collection.scenes.push(Scene { name: gettext("Scene"), items: Vec::new() });
    collection
}
