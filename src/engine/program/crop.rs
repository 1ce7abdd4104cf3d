//! A layer's crop, kept within its pictures: `videocrop` refuses to
//! negotiate a crop that leaves nothing (a crop of 16384 on a 200-pixel
//! picture), and a layer that fails to negotiate stalls the whole program
//! (it made one frame a second). The crop asked for is kept; what is set
//! on the element leaves at least one pixel each way, measured again at
//! every change of the pictures' size.

use std::sync::{Arc, Mutex};

use gst::prelude::*;

use crate::model::Crop;

/// The crop asked for, and the size of the pictures, once known.
type Wanted = Arc<Mutex<(Crop, Option<(u32, u32)>)>>;

/// The `videocrop` of one layer.
pub(crate) struct LayerCrop {
    element: gst::Element,
    state: Wanted,
}

impl LayerCrop {
    pub fn new(element: gst::Element) -> Self {
        let state: Wanted = Arc::default();
        if let Some(pad) = element.static_pad("sink") {
            let (kept, cropper) = (state.clone(), element.downgrade());
            pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
                let Some(gst::PadProbeData::Event(event)) = &info.data else {
                    return gst::PadProbeReturn::Ok;
                };
                let gst::EventView::Caps(caps) = event.view() else { return gst::PadProbeReturn::Ok };
                let size = caps.caps().structure(0).and_then(|s| {
                    Some((
                        s.get::<i32>("width").ok()?.max(1) as u32,
                        s.get::<i32>("height").ok()?.max(1) as u32,
                    ))
                });
                let mut state = kept.lock().unwrap_or_else(|e| e.into_inner());
                state.1 = size;
                if let Some(element) = cropper.upgrade() {
                    apply(&element, within(state.0, state.1));
                }
                gst::PadProbeReturn::Ok
            });
        }
        Self { element, state }
    }

    pub fn element(&self) -> &gst::Element {
        &self.element
    }

    /// Crops by `crop`, as far as the pictures allow.
    pub fn set(&self, crop: Crop) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = crop;
        apply(&self.element, within(crop, state.1));
    }
}

/// `crop`, leaving at least one pixel of a picture of `size` each way.
fn within(crop: Crop, size: Option<(u32, u32)>) -> Crop {
    let Some((w, h)) = size else { return crop };
    let (left, top) = (crop.left.min(w - 1), crop.top.min(h - 1));
    let (right, bottom) = (crop.right.min(w - 1 - left), crop.bottom.min(h - 1 - top));
    Crop { left, top, right, bottom }
}

fn apply(element: &gst::Element, crop: Crop) {
    for (name, value) in
        [("left", crop.left), ("top", crop.top), ("right", crop.right), ("bottom", crop.bottom)]
    {
        let value = value.min(i32::MAX as u32) as i32;
        if element.property::<i32>(name) != value {
            element.set_property(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crop_always_leaves_a_pixel() {
        let c = |left, top, right, bottom| Crop { left, top, right, bottom };
        assert_eq!(within(c(16384, 0, 16384, 5), Some((200, 40))), c(199, 0, 0, 5));
        assert_eq!(within(c(10, 10, 10, 10), Some((200, 40))), c(10, 10, 10, 10));
        assert_eq!(within(c(1, 1, 1, 1), Some((1, 1))), c(0, 0, 0, 0));
        assert_eq!(within(c(7, 0, 0, 0), None), c(7, 0, 0, 0));
    }
}
