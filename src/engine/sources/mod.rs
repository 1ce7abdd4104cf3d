//! The sources: one pipeline each, so that a source's failure stays its own.

pub(crate) mod alpha;
pub mod devices;
pub(crate) mod drawn_filters;
pub(crate) mod filters;
pub(crate) mod gif;
pub(crate) mod lut;
pub(crate) mod media;
pub(crate) mod moving_text;
pub(crate) mod portal;
pub(crate) mod probe;
pub(crate) mod producer;
pub(crate) mod runner;
pub(crate) mod scaled_blur;
pub(crate) mod slideshow;

/// An appsrc of RGBA pictures of `width` x `height` at `fps`, timed by
/// whoever pushes them (an animation's frames, a slideshow's pictures).
pub(crate) fn rgba_appsrc(width: u32, height: u32, fps: u32) -> gst_app::AppSrc {
    let caps = gst_video::VideoCapsBuilder::new()
        .format(gst_video::VideoFormat::Rgba)
        .width(width as i32)
        .height(height as i32)
        .framerate(gst::Fraction::new(fps.max(1) as i32, 1))
        .build();
    gst_app::AppSrc::builder()
        .caps(&caps)
        .format(gst::Format::Time)
        .is_live(false)
        .max_buffers(2)
        .block(false)
        .build()
}
