//! Builds again a layer or a channel of the program whose elements failed.
//! An element that stops with an error (a picture its compositor refused
//! while the scene was restacked, say) stops its branch for good: the
//! layer would show nothing, or the channel be silent, for the rest of the
//! show. The supervisor replaces the branch with a new one, fed by the
//! same source; one that fails again within `AGAIN_AFTER` is left as it is
//! (and said), so a branch that can never work does not spin.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::Supervisor;
use crate::model::{ItemId, SourceId};

/// How soon the same layer or channel may be built again.
const AGAIN_AFTER: Duration = Duration::from_secs(2);

/// When each layer ("layer SLOT ITEM") or channel ("channel SOURCE") was
/// last built again.
pub(super) type Rebuilt = HashMap<String, Instant>;

impl Supervisor {
    /// Rebuilds the layer or channel `element` (a name) belongs to.
    pub(super) fn rebuild_failed(&mut self, element: &str) {
        for slot in 0..2 {
            let layer = self.slots[slot].layers.iter().find(|(_, l)| l.owns(element)).map(|(id, _)| *id);
            if let Some(id) = layer {
                return self.rebuild_layer(slot, id);
            }
        }
        let channel = self.channels.iter().find(|(_, (c, _))| c.owns(element)).map(|(id, _)| id.clone());
        if let Some(id) = channel {
            self.rebuild_channel(&id);
        }
    }

    /// Whether `branch` may be built again now (and notes that it is).
    fn may_rebuild(&mut self, branch: String) -> bool {
        let now = Instant::now();
        if self.rebuilt.get(&branch).is_some_and(|at| now.duration_since(*at) < AGAIN_AFTER) {
            tracing::warn!(%branch, "a branch of the program failed again at once: left as it is");
            return false;
        }
        self.rebuilt.insert(branch, now);
        true
    }

    fn rebuild_layer(&mut self, slot: usize, id: ItemId) {
        let scene = self.slots[slot].scene.as_deref().and_then(|name| self.collection.scene(name)).cloned();
        let Some((index, item)) =
            scene.iter().flat_map(|s| s.items.iter().enumerate()).find(|(_, i)| i.id == id)
        else {
            return;
        };
        if !self.may_rebuild(format!("layer {slot} {}", id.0)) {
            return;
        }
        let Some(old) = self.slots[slot].layers.remove(&id) else { return };
        let overlay = self.slots[slot].stacking.overlays.contains(&id);
        tracing::warn!(slot, item = id.0, source = %item.source, "a layer of the program failed: building it again");
        // The new one first, so that the source keeps running.
        self.add_layer(slot, item, index as u32, overlay);
        self.drop_layer(old);
    }

    fn rebuild_channel(&mut self, id: &SourceId) {
        if !self.may_rebuild(format!("channel {id}")) {
            return;
        }
        let Some((old, users)) = self.channels.remove(id) else { return };
        tracing::warn!(source = %id, "a channel of the program failed: building it again");
        // The old one out first (the new one takes its elements' names);
        // the source is let go only after the new one holds it.
        if let Some(runner) = self.runners.get_mut(id) {
            runner.audio.remove(&old.consumer);
        }
        old.remove(&self.program);
        self.acquire_channel(id);
        if let Some((_, now)) = self.channels.get_mut(id) {
            *now = users;
        }
        if let Some(runner) = self.runners.get_mut(id) {
            runner.release();
        }
        self.refresh_monitor();
    }
}
