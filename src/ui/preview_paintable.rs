//! The picture of the program in the window: as big as the canvas for the
//! widgets around it, whatever size the engine draws it at.
//!
//! The engine scales the preview down to the size it is drawn at (see
//! `engine::Preview::fit`); the sink's own paintable then reports that
//! smaller size, and a `gtk::Picture` showing it directly would ask for
//! less room and move the canvas. This paintable reports the canvas's
//! size, draws the sink's paintable over the room it is given, and says
//! when that room changes in device pixels, so the window can ask the
//! engine for pictures of that size.

use std::cell::{Cell, RefCell};

use gtk::gdk;
use gtk::glib;
use gtk::prelude::*;
use gtk::subclass::prelude::*;

/// Told the size the picture is drawn at.
type DrawnSizeHandler = Box<dyn Fn((u32, u32))>;

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct PreviewPaintable {
        pub shown: RefCell<Option<gdk::Paintable>>,
        pub canvas: Cell<(u32, u32)>,
        pub scale_factor: Cell<i32>,
        pub drawn: Cell<Option<(u32, u32)>>,
        pub on_drawn_size: RefCell<Option<DrawnSizeHandler>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for PreviewPaintable {
        const NAME: &'static str = "PlateauPreviewPaintable";
        type Type = super::PreviewPaintable;
        type Interfaces = (gdk::Paintable,);
    }

    impl ObjectImpl for PreviewPaintable {}

    impl PaintableImpl for PreviewPaintable {
        fn intrinsic_width(&self) -> i32 {
            self.canvas.get().0 as i32
        }

        fn intrinsic_height(&self) -> i32 {
            self.canvas.get().1 as i32
        }

        fn intrinsic_aspect_ratio(&self) -> f64 {
            let (w, h) = self.canvas.get();
            if h == 0 {
                0.0
            } else {
                f64::from(w) / f64::from(h)
            }
        }

        fn snapshot(&self, snapshot: &gdk::Snapshot, width: f64, height: f64) {
            if let Some(shown) = self.shown.borrow().as_ref() {
                shown.snapshot(snapshot, width, height);
            }
            self.obj().note_drawn_size(width, height);
        }
    }
}

glib::wrapper! {
    pub struct PreviewPaintable(ObjectSubclass<imp::PreviewPaintable>)
        @implements gdk::Paintable;
}

impl PreviewPaintable {
    /// Shows `shown` (a video sink's paintable) as a picture of `canvas`'s
    /// size.
    pub fn new(shown: &gdk::Paintable, canvas: (u32, u32)) -> Self {
        let this: Self = glib::Object::new();
        let imp = this.imp();
        imp.canvas.set(canvas);
        imp.scale_factor.set(1);
        *imp.shown.borrow_mut() = Some(shown.clone());
        let weak = this.downgrade();
        shown.connect_invalidate_contents(move |_| {
            if let Some(this) = weak.upgrade() {
                this.invalidate_contents();
            }
        });
        this
    }

    /// The canvas the pictures are of.
    pub fn set_canvas(&self, canvas: (u32, u32)) {
        if self.imp().canvas.replace(canvas) != canvas {
            self.imp().drawn.set(None);
            self.invalidate_size();
        }
    }

    /// Device pixels per logical pixel where it is drawn.
    pub fn set_scale_factor(&self, factor: i32) {
        if self.imp().scale_factor.replace(factor.max(1)) != factor.max(1) {
            self.imp().drawn.set(None);
            self.invalidate_contents();
        }
    }

    /// Calls `f` with the size, in device pixels and never more than the
    /// canvas, that the picture is drawn at, whenever it changes.
    pub fn connect_drawn_size(&self, f: impl Fn((u32, u32)) + 'static) {
        *self.imp().on_drawn_size.borrow_mut() = Some(Box::new(f));
    }

    fn note_drawn_size(&self, width: f64, height: f64) {
        let imp = self.imp();
        let size = device_size((width, height), imp.scale_factor.get(), imp.canvas.get());
        if imp.drawn.replace(Some(size)) != Some(size) {
            if let Some(f) = imp.on_drawn_size.borrow().as_ref() {
                f(size);
            }
        }
    }
}

/// `logical` room in device pixels at `scale_factor`, rounded up to even
/// numbers (the colour formats that halve the chroma need them), and never
/// bigger than `canvas`.
fn device_size(logical: (f64, f64), scale_factor: i32, canvas: (u32, u32)) -> (u32, u32) {
    let even = |v: f64, most: u32| {
        let v = (v * f64::from(scale_factor)).ceil().max(2.0) as u32;
        (v + v % 2).min(most.max(2))
    };
    (even(logical.0, canvas.0), even(logical.1, canvas.1))
}

#[cfg(test)]
mod tests {
    use super::device_size;

    #[test]
    fn the_drawn_size_is_even_in_device_pixels_and_never_past_the_canvas() {
        assert_eq!(device_size((639.5, 359.2), 1, (1280, 720)), (640, 360));
        assert_eq!(device_size((321.0, 181.0), 2, (1280, 720)), (642, 362));
        assert_eq!(device_size((1000.0, 600.0), 2, (1280, 720)), (1280, 720));
        assert_eq!(device_size((0.0, 0.0), 1, (1280, 720)), (2, 2));
    }
}
