//! A video sink whose pictures GTK draws without converting them.
//!
//! ```text
//!  … ! videoconvert(scale) ! appsink(BGRA) ─(newest picture)─> main loop ─> FramePaintable
//!                                                         ├ software renderer: a cairo image of the buffer
//!                                                         └ OpenGL: a texture of the buffer
//! ```
//!
//! `gtk4paintablesink` hands GTK 4.8 its pictures as textures, and the
//! software renderer converts every texture to its own format pixel by
//! pixel, through floats, every frame: even one already in that format
//! (10 % of the window's samples in a profile of the preview). On that renderer
//! this sink draws the buffer as a cairo image instead, which cairo copies
//! as it is; on OpenGL it makes a texture of the buffer, uploaded as it is.
//! Our pictures are opaque, so they are the same premultiplied or not. The
//! buffer is mapped, not copied, into the image or the texture.

use std::cell::{Cell, RefCell};
use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gtk::prelude::*;
use gtk::subclass::prelude::*;
use gtk::{cairo, gdk, glib, graphene};

/// A picture waiting for the main loop: its pixels and its layout.
struct Frame {
    pixels: gst::MappedBuffer<gst::buffer::Writable>,
    width: i32,
    height: i32,
    stride: usize,
}

/// A picture as the renderer takes it.
enum Shown {
    Image(cairo::ImageSurface),
    Texture(gdk::Texture),
}

impl Shown {
    fn size(&self) -> (i32, i32) {
        match self {
            Shown::Image(image) => (image.width(), image.height()),
            Shown::Texture(texture) => (texture.width(), texture.height()),
        }
    }
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct FramePaintable {
        pub(super) shown: RefCell<Option<Shown>>,
        pub software: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for FramePaintable {
        const NAME: &'static str = "PlateauFramePaintable";
        type Type = super::FramePaintable;
        type Interfaces = (gdk::Paintable,);
    }

    impl ObjectImpl for FramePaintable {}

    impl PaintableImpl for FramePaintable {
        fn intrinsic_width(&self) -> i32 {
            self.shown.borrow().as_ref().map_or(0, |s| s.size().0)
        }

        fn intrinsic_height(&self) -> i32 {
            self.shown.borrow().as_ref().map_or(0, |s| s.size().1)
        }

        fn snapshot(&self, snapshot: &gdk::Snapshot, width: f64, height: f64) {
            match self.shown.borrow().as_ref() {
                Some(Shown::Texture(texture)) => texture.snapshot(snapshot, width, height),
                Some(Shown::Image(image)) => {
                    let Some(snapshot) = snapshot.downcast_ref::<gtk::Snapshot>() else { return };
                    let bounds = graphene::Rect::new(0.0, 0.0, width as f32, height as f32);
                    let cr = snapshot.append_cairo(&bounds);
                    draw_image(&cr, image, width, height);
                }
                None => {}
            }
        }
    }
}

glib::wrapper! {
    /// The newest picture of a [`frame_sink`].
    pub struct FramePaintable(ObjectSubclass<imp::FramePaintable>)
        @implements gdk::Paintable;
}

impl FramePaintable {
    /// Draws for the renderer of the window `widget` is in (known once
    /// the widget is realized).
    pub fn follow_renderer_of(&self, widget: &impl IsA<gtk::Widget>) {
        self.imp().software.set(draws_in_software(widget));
        widget.connect_realize(glib::clone!(
            #[weak(rename_to = this)]
            self,
            move |widget| this.imp().software.set(draws_in_software(widget))
        ));
    }

    fn show(&self, frame: Frame) {
        let (width, height, stride) = (frame.width, frame.height, frame.stride);
        let shown = if self.imp().software.get() {
            match cairo::ImageSurface::create_for_data(
                frame.pixels,
                cairo::Format::Rgb24,
                width,
                height,
                stride as i32,
            ) {
                Ok(image) => Shown::Image(image),
                Err(e) => {
                    tracing::warn!(error = %e, "a preview picture was left out");
                    return;
                }
            }
        } else {
            Shown::Texture(
                gdk::MemoryTexture::new(
                    width,
                    height,
                    gdk::MemoryFormat::B8g8r8a8Premultiplied,
                    &glib::Bytes::from_owned(frame.pixels),
                    stride,
                )
                .upcast(),
            )
        };
        let resized = self.imp().shown.replace(Some(shown)).is_none_or(|old| old.size() != (width, height));
        if resized {
            self.invalidate_size();
        }
        self.invalidate_contents();
    }
}

/// Paints `image` over `width` x `height` of `cr`. When the image is that
/// size or less than two pixels larger (the preview's size is rounded up to
/// whole, even pixels: 676x380 for 675x379.7), it is painted pixel for pixel
/// on whole pixels, which cairo copies (what does not fit is left out; a
/// smaller image is scaled, so no strip is left undrawn). Resampling it
/// instead, to stretch it by a fraction of a pixel, cost the window's main
/// thread 20 % more (its ticks over 10 s, 3 alternating runs: 82-86 → 72-77).
fn draw_image(cr: &cairo::Context, image: &cairo::ImageSurface, width: f64, height: f64) {
    let (own_width, own_height) = (f64::from(image.width().max(1)), f64::from(image.height().max(1)));
    let m = cr.matrix();
    let unscaled = m.xx() == 1.0 && m.yy() == 1.0 && m.xy() == 0.0 && m.yx() == 0.0;
    let about = |own: f64, asked: f64| (0.0..2.0).contains(&(own - asked));
    if unscaled && about(own_width, width) && about(own_height, height) {
        let (x, y) = cr.user_to_device(0.0, 0.0);
        cr.translate(x.round() - x, y.round() - y);
    } else {
        cr.scale(width / own_width, height / own_height);
    }
    if cr.set_source_surface(image, 0.0, 0.0).is_ok() {
        cr.source().set_filter(cairo::Filter::Good);
        if let Err(e) = cr.paint() {
            tracing::warn!(error = %e, "a preview picture was not drawn");
        }
    }
}

/// Whether `widget` is drawn by GTK's software renderer (cairo).
fn draws_in_software(widget: &impl IsA<gtk::Widget>) -> bool {
    widget.native().and_then(|n| n.renderer()).is_some_and(|r| r.is::<gtk::gsk::CairoRenderer>())
}

/// A sink for opaque BGRA pictures and the paintable that shows them.
/// Pictures the main loop has not drawn yet are replaced by newer ones,
/// never queued.
///
/// It converts nothing itself: the converter before it (the preview's
/// scaler, the playback's `videoconvert`) makes BGRA in the same pass as
/// its scaling.
pub fn frame_sink() -> (gst::Element, FramePaintable) {
    let paintable: FramePaintable = glib::Object::new();
    let sink = gst_app::AppSink::builder()
        .caps(&gst::Caps::builder("video/x-raw").field("format", "BGRA").build())
        .max_buffers(1)
        .drop(true)
        .enable_last_sample(false)
        .build();
    let waiting: Arc<Mutex<Option<Frame>>> = Arc::default();
    let context = glib::MainContext::default();
    let shown = glib::SendWeakRef::from(paintable.downgrade());
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let Some(frame) = frame_of(sample) else {
                    tracing::warn!("a preview picture without its layout was left out");
                    return Ok(gst::FlowSuccess::Ok);
                };
                // Only the first picture since the last one drawn asks the
                // main loop to draw; the later ones take its place.
                if waiting.lock().unwrap_or_else(|e| e.into_inner()).replace(frame).is_none() {
                    let waiting = waiting.clone();
                    let shown = shown.clone();
                    context.invoke(move || {
                        let frame = waiting.lock().unwrap_or_else(|e| e.into_inner()).take();
                        if let (Some(frame), Some(paintable)) = (frame, shown.upgrade()) {
                            paintable.show(frame);
                        }
                    });
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    (sink.upcast(), paintable)
}

/// The sample's picture, mapped for cairo (which wants its pixels
/// writable: the buffer is copied only if somebody else holds it).
fn frame_of(sample: gst::Sample) -> Option<Frame> {
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let mut buffer = sample.buffer_owned()?;
    drop(sample);
    buffer.make_mut();
    let (stride, offset) = match buffer.meta::<gst_video::VideoMeta>() {
        Some(meta) => (meta.stride()[0], meta.offset()[0]),
        None => (info.stride()[0], info.offset()[0]),
    };
    let (width, height) = (info.width() as i32, info.height() as i32);
    if offset != 0 || stride < width * 4 || buffer.size() < stride as usize * height as usize {
        return None;
    }
    Some(Frame { pixels: buffer.into_mapped_buffer_writable().ok()?, width, height, stride: stride as usize })
}
