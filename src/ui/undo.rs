//! Undo of item and filter edits: the program scene is remembered before
//! each item edit (a canvas gesture once, at its start), a source before
//! each edit of its filters (a run of changes to one setting once); 100
//! steps at most. Ctrl+Z puts it back through the engine.

use adw::subclass::prelude::*;
use gettextrs::gettext;

use plateau::model::{Source, SourceId};

use super::document::UndoStep;
use super::window::Window;

/// Changes of one source's filters this close together are one undo step.
const RUN: std::time::Duration = std::time::Duration::from_secs(2);

impl Window {
    /// Remembers the program scene as it is now, for Undo.
    pub fn remember_scene(&self) {
        let Some(name) = self.edited_scene() else { return };
        let Some(scene) = self.collection().and_then(|c| c.scene(&name).cloned()) else { return };
        self.imp().document.remember(UndoStep::Scene(scene));
    }

    /// Remembers `source` as it is before an edit of its filters. A change
    /// of a setting right after another of the same filters (typing a
    /// number, dragging a value) is part of the same step.
    pub fn remember_source(&self, source: &Source, reshape: bool) {
        let imp = self.imp();
        let now = std::time::Instant::now();
        // A change of the list is a step of its own, and ends a run.
        let next = (!reshape).then(|| (source.id.clone(), now));
        let last = imp.last_source_edit.replace(next);
        let same_run = last.is_some_and(|(id, at)| id == source.id && now.duration_since(at) < RUN);
        if reshape || !same_run {
            imp.document.remember(UndoStep::Source(source.clone()));
        }
    }

    /// Undoes the last item edit (move, resize, crop, stacking, lock,
    /// visibility, removal) or filter edit; with none left, brings back a
    /// removed scene.
    pub fn undo(&self) {
        // Steps that changed nothing (a click without a drag) are skipped.
        let collection = self.collection();
        let current = |name: &str| collection.as_ref().and_then(|c| c.scene(name).cloned());
        let source_now = |id: &SourceId| collection.as_ref().and_then(|c| c.source(id).cloned());
        let step = loop {
            match self.imp().document.pop_undo() {
                None => break None,
                Some(UndoStep::Scene(before)) => {
                    if let Some(now) = current(&before.name).filter(|now| *now != before) {
                        break Some((before, now));
                    }
                }
                Some(UndoStep::Source(before)) => {
                    if source_now(&before.id).is_some_and(|now| now != before) {
                        self.imp().last_source_edit.take();
                        // As the dialog applied it (a text's items follow its
                        // size back); the lists show its name.
                        return self.update_source_then(before, |w, _| w.refresh());
                    }
                }
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
