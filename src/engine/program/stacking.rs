//! How a scene's layers are split between a slot's compositor and the
//! overlays blended over its picture (see [`crate::engine::program::overlay`]).
//!
//! ```text
//!  top     title (text)      ─┐ overlays: transparent layers above
//!          logo (image)      ─┘ the topmost opaque one
//!          camera (opaque)   ─┐
//!          lower third (PNG)  │ compositor: AYUV only when a transparent
//!  bottom  bars (opaque)     ─┘ layer is among these, else I420
//!
//! With no opaque layer at all, the bottom layer is the compositor's.
//! ```
//!
//! The split follows the stacking order only, not where items are, so that
//! moving or resizing an item never moves it from one side to the other.

use std::collections::HashSet;

use crate::model::{ItemId, Scene, SourceId};

/// The split of one scene.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Stacking {
    /// Items blended over the composed picture.
    pub overlays: HashSet<ItemId>,
    /// Whether the compositor must keep alpha (compose in AYUV).
    pub compose_alpha: bool,
}

impl Stacking {
    /// Splits `scene`; `opaque` tells, for a source, whether it has a
    /// picture at all and whether that picture is opaque.
    pub fn of(scene: &Scene, opaque: impl Fn(&SourceId) -> Option<bool>) -> Self {
        let shown: Vec<(ItemId, bool)> = scene
            .items
            .iter()
            .filter(|i| i.width > 0 && i.height > 0)
            .filter_map(|i| opaque(&i.source).map(|o| (i.id, o)))
            .collect();
        // With no opaque layer, the bottom one is composed all the same: a
        // compositor without a layer makes no picture to blend overlays into
        // (a scene of a lone logo or text showed black).
        let top_opaque = shown.iter().rposition(|&(_, o)| o);
        let above = top_opaque.map_or(shown.len().min(1), |t| t + 1);
        Self {
            overlays: shown[above..].iter().map(|&(id, _)| id).collect(),
            compose_alpha: shown[..above].iter().any(|&(_, o)| !o),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SceneItem;

    /// A scene of items on sources named "opaque…", "alpha…" or "sound…".
    fn scene(sources: &[&str]) -> Scene {
        let items = sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut item = SceneItem::new(ItemId(i as u64 + 1), SourceId::new(*s), 0, 0, 100, 100);
                if s.starts_with("sound") {
                    item.width = 0;
                }
                item
            })
            .collect();
        Scene { name: "S".into(), items }
    }

    fn split(sources: &[&str]) -> (Vec<u64>, bool) {
        let s = Stacking::of(&scene(sources), |id| match id.as_str() {
            s if s.starts_with("opaque") => Some(true),
            s if s.starts_with("alpha") => Some(false),
            _ => None,
        });
        let mut ids: Vec<u64> = s.overlays.iter().map(|i| i.0).collect();
        ids.sort();
        (ids, s.compose_alpha)
    }

    #[test]
    fn transparent_layers_above_every_opaque_one_are_overlays() {
        assert_eq!(split(&["opaque", "opaque2", "alpha", "alpha2"]), (vec![3, 4], false));
        assert_eq!(split(&["alpha", "alpha2"]), (vec![2], true), "the bottom one composed");
        assert_eq!(split(&["alpha"]), (vec![], true));
        assert_eq!(split(&["opaque", "opaque2"]), (vec![], false));
        assert_eq!(split(&[]), (vec![], false));
    }

    #[test]
    fn a_transparent_layer_under_an_opaque_one_keeps_the_compositor_in_alpha() {
        assert_eq!(split(&["opaque", "alpha", "opaque2", "alpha2"]), (vec![4], true));
        assert_eq!(split(&["alpha", "opaque"]), (vec![], true));
    }

    #[test]
    fn sound_only_items_take_no_side() {
        assert_eq!(split(&["opaque", "alpha", "sound"]), (vec![2], false));
        assert_eq!(split(&["alpha", "sound", "opaque"]), (vec![], true));
    }
}
