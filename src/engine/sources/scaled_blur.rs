//! The blur filter, drawn on a smaller picture and scaled back:
//!
//! ```text
//!  videoscale ! (w/f x h/f) ! gaussianblur(sigma / f) ! videoscale ! (w x h, the source's aspect)
//! ```
//!
//! `gaussianblur` works in floating point on every pixel (at 720p30 it
//! could not keep up with a radius of 3); a picture `f` times smaller each
//! way costs `f²` times less, and a blurred picture has no detail that the
//! scaling back could lose. `f` follows the radius, so the blur left on
//! the small picture is about one of its pixels; small radii (under 1.5)
//! are blurred at full size.
//!
//! The source's size is read from the caps that reach the filter (a file's
//! size is known only once it plays), and a new radius may change `f`:
//! both set the two capsfilters again, and the pictures in between are
//! renegotiated while the source runs.

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::sources::drawn_filters::Shared;
use crate::model::FilterKind;

/// How many times smaller (each way) a picture is blurred for `radius`.
pub(crate) fn factor(radius: f64) -> u32 {
    if radius < 1.5 {
        1
    } else {
        (radius.round() as u32).clamp(1, 8)
    }
}

/// The blur's working elements; they read the radius from `shared`.
pub(crate) fn elements(shared: &Shared) -> Result<Vec<gst::Element>, EngineError> {
    let elements = vec![
        make("videoscale")?,
        make("capsfilter")?,
        make("gaussianblur")?,
        make("videoscale")?,
        make("capsfilter")?,
    ];
    let input = elements[0]
        .static_pad("sink")
        .ok_or_else(|| EngineError::Invalid("videoscale has no input".into()))?;
    let weak: Vec<_> = elements.iter().map(|e| e.downgrade()).collect();
    let shared = shared.clone();
    input
        .add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
            let Some(gst::PadProbeData::Event(event)) = &info.data else { return gst::PadProbeReturn::Ok };
            let gst::EventView::Caps(caps) = event.view() else { return gst::PadProbeReturn::Ok };
            let Some(working) = weak.iter().map(|w| w.upgrade()).collect::<Option<Vec<_>>>() else {
                return gst::PadProbeReturn::Remove;
            };
            let kind = shared.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let FilterKind::Blur { radius } = kind {
                fit(radius, caps.caps(), &working);
            }
            gst::PadProbeReturn::Ok
        })
        .ok_or_else(|| EngineError::Invalid("the blur could not watch its input".into()))?;
    Ok(elements)
}

/// Sets `radius` on the working elements (and the sizes, once the source's
/// size is known).
pub(crate) fn configure(radius: f64, working: &[gst::Element]) {
    let caps = working.first().and_then(|e| e.static_pad("sink")).and_then(|p| p.current_caps());
    match caps {
        Some(caps) => fit(radius, &caps, working),
        None => {
            if let Some(blur) = working.get(2) {
                blur.set_property("sigma", radius / f64::from(factor(radius)));
            }
        }
    }
}

/// Sizes the small picture for `radius` from the source's `caps`.
fn fit(radius: f64, caps: &gst::CapsRef, working: &[gst::Element]) {
    let Some(s) = caps.structure(0) else { return };
    let (Ok(width), Ok(height)) = (s.get::<i32>("width"), s.get::<i32>("height")) else { return };
    let [_, small, blur, _, full] = working else { return };
    let f = factor(radius) as i32;
    let shrunk = |n: i32| ((n + f - 1) / f).max(1);
    set_caps(
        small,
        gst::Caps::builder("video/x-raw")
            .field("width", shrunk(width))
            .field("height", shrunk(height))
            .build(),
    );
    let mut same = gst::Caps::builder("video/x-raw").field("width", width).field("height", height);
    if let Ok(aspect) = s.get::<gst::Fraction>("pixel-aspect-ratio") {
        same = same.field("pixel-aspect-ratio", aspect);
    }
    set_caps(full, same.build());
    blur.set_property("sigma", radius / f64::from(f));
}

/// Sets a capsfilter's caps only when they change: new caps renegotiate
/// the pictures, and a radius dragged along a slider changes the sigma
/// many times for each change of size.
fn set_caps(filter: &gst::Element, caps: gst::Caps) {
    if filter.property::<Option<gst::Caps>>("caps").as_ref() != Some(&caps) {
        filter.set_property("caps", caps);
    }
}

#[cfg(test)]
mod tests {
    use super::factor;

    #[test]
    fn the_picture_shrinks_with_the_radius_down_to_an_eighth() {
        assert_eq!(factor(0.5), 1);
        assert_eq!(factor(1.4), 1);
        assert_eq!(factor(2.0), 2);
        assert_eq!(factor(3.0), 3);
        assert_eq!(factor(20.0), 8);
    }
}
