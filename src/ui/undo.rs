//! Undo of item edits: the program scene is remembered before each edit
//! (a canvas gesture once, at its start; 100 steps at most), and Ctrl+Z
//! puts it back through the engine.

use adw::subclass::prelude::*;
use gettextrs::gettext;

use super::window::Window;

impl Window {
    /// Remembers the program scene as it is now, for Undo.
    pub fn remember_scene(&self) {
        let Some(name) = self.edited_scene() else { return };
        let Some(scene) = self.collection().and_then(|c| c.scene(&name).cloned()) else { return };
        self.imp().document.remember(scene);
    }

    /// Undoes the last item edit (move, resize, crop, stacking, lock,
    /// visibility, removal); with none left, brings back a removed scene.
    pub fn undo(&self) {
        // Steps that changed nothing (a click without a drag) are skipped.
        let collection = self.collection();
        let current = |name: &str| collection.as_ref().and_then(|c| c.scene(name).cloned());
        let step = loop {
            let Some(before) = self.imp().document.pop_undo() else { break None };
            if let Some(now) = current(&before.name).filter(|now| *now != before) {
                break Some((before, now));
            }
        };
        let Some((before, now)) = step else {
            if self.imp().document.has_removed_scene() {
                return self.undo_remove_scene();
            }
            return self.toast(&gettext("Nothing to undo"));
        };
        let name = before.name.clone();
        self.edit_and_refresh(|s| {
            for item in now.items.iter().filter(|i| before.item(i.id).is_none()) {
                s.remove_item(&name, item.id);
            }
            for item in &before.items {
                match now.item(item.id) {
                    Some(_) => s.update_item(&name, item.clone()),
                    None => s.add_item(&name, item.clone()),
                }
            }
            for (index, item) in before.items.iter().enumerate() {
                s.move_item(&name, item.id, index);
            }
        });
    }
}
