//! A text source's picture is as big as its text: measured with Pango (the
//! fonts textoverlay draws with), with room around it for the outline and
//! the shadow. Its items keep their scale when the text changes, so typing
//! a longer title makes its box longer, never its letters thinner.

use gtk::prelude::*;
use plateau::model::{Scene, SceneItem, SourceId, SourceKind, TextMotion};

/// The picture size that holds `kind`'s text whole (for a text; `None`
/// for any other kind).
pub fn fitted_size(widget: &impl IsA<gtk::Widget>, kind: &SourceKind) -> Option<(u32, u32)> {
    let SourceKind::Text { text, font, size, motion, width: box_width, .. } = kind else { return None };
    let layout = widget.create_pango_layout(Some(text));
    let description = gtk::pango::FontDescription::from_string(&format!("{font} {size}px"));
    layout.set_font_description(Some(&description));
    let (width, height) = layout.pixel_size();
    // Outline and shadow reach past the glyphs by about a tenth of the size;
    // a little more across, so that rounding never wraps the last word.
    let pad = (*size / 8).max(4) as i32;
    let width = match motion {
        // A ticker's text passes through its box, as wide as it was made.
        TextMotion::Ticker { .. } => *box_width,
        _ => (width.max(1) + 2 * pad + pad / 2) as u32,
    };
    let height = (height.max(1) + 2 * pad) as u32;
    Some((width.min(8192), height.min(8192)))
}

/// With its text's picture sized `new` instead of `old`, `kind` gets the
/// new size.
pub fn with_size(kind: &SourceKind, new: (u32, u32)) -> SourceKind {
    let mut kind = kind.clone();
    if let SourceKind::Text { width, height, .. } = &mut kind {
        (*width, *height) = new;
    }
    kind
}

/// The items of `scenes` that show `source`, resized for its picture going
/// from `old` to `new` at the scale each shows it now, each keeping its
/// top-left corner.
pub fn refitted_items(
    scenes: &[Scene],
    source: &SourceId,
    old: (u32, u32),
    new: (u32, u32),
) -> Vec<(String, SceneItem)> {
    let mut changed = Vec::new();
    for scene in scenes {
        for item in scene.items.iter().filter(|i| &i.source == source && i.height > 0 && old.1 > 0) {
            let scale = f64::from(item.height) / f64::from(old.1);
            let mut item = item.clone();
            item.width = (f64::from(new.0) * scale).round().max(1.0) as u32;
            item.height = (f64::from(new.1) * scale).round().max(1.0) as u32;
            changed.push((scene.name.clone(), item));
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use plateau::model::ItemId;

    #[test]
    fn items_keep_their_scale_and_corner_when_the_text_grows() {
        let mut scene = Scene::new("Main");
        let source = SourceId::new("title");
        scene.items.push(SceneItem::new(ItemId(1), source.clone(), 10, 20, 200, 50));
        scene.items.push(SceneItem::new(ItemId(2), SourceId::new("other"), 0, 0, 640, 360));
        // The picture was 400x100, shown at half size; it grows to 600x100.
        let changed = refitted_items(&[scene], &source, (400, 100), (600, 100));
        assert_eq!(changed.len(), 1);
        let (name, item) = &changed[0];
        assert_eq!(name, "Main");
        assert_eq!((item.x, item.y, item.width, item.height), (10, 20, 300, 50));
    }
}
