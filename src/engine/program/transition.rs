//! Transitions on the mixer's two slot pads, driven by GStreamer control
//! bindings so that every frame gets the exact value for its timestamp.

use gst::prelude::*;
use gst_controller::prelude::*;

use crate::model::{Transition, TransitionKind};

/// Animates `property` of `pad` linearly from `from` to `to` between two
/// stream times (the mixer's output times).
fn ramp(pad: &gst::Pad, property: &str, from: f64, to: f64, start: gst::ClockTime, end: gst::ClockTime) {
    let control = gst_controller::InterpolationControlSource::new();
    control.set_mode(gst_controller::InterpolationMode::Linear);
    control.set(start, from);
    control.set(end, to);
    let binding = gst_controller::DirectControlBinding::new_absolute(pad, property, &control);
    if let Err(e) = pad.add_control_binding(&binding) {
        tracing::warn!(%e, property, "could not animate the transition; it will cut");
    }
}

fn clear(pad: &gst::Pad) {
    for property in ["alpha", "xpos"] {
        if let Some(binding) = pad.control_binding(property) {
            let _ = pad.remove_control_binding(&binding);
        }
    }
}

/// Starts `transition` from the `outgoing` pad to the `incoming` one at
/// running time `start` (either may be missing: a slot with no scene).
/// Returns when it ends.
pub(crate) fn begin(
    transition: &Transition,
    outgoing: Option<&gst::Pad>,
    incoming: Option<&gst::Pad>,
    canvas_width: u32,
    start: gst::ClockTime,
) -> gst::ClockTime {
    let duration = gst::ClockTime::from_mseconds(transition.duration_ms.into());
    let end = start + duration;
    let kind = if duration.is_zero() { &TransitionKind::Cut } else { &transition.kind };
    if let Some(outgoing) = outgoing {
        clear(outgoing);
        outgoing.set_property("zorder", 0u32);
        // Slot pictures are opaque: the bottom one is copied, the top one blended.
        outgoing.set_property_from_str("operator", "source");
        if *kind == TransitionKind::Slide {
            ramp(outgoing, "xpos", 0.0, -f64::from(canvas_width), start, end);
        }
    }
    if let Some(incoming) = incoming {
        clear(incoming);
        incoming.set_property("zorder", 1u32);
        incoming.set_property_from_str("operator", "over");
        match kind {
            TransitionKind::Cut => {
                incoming.set_property("xpos", 0i32);
                incoming.set_property("alpha", 1.0f64);
            }
            TransitionKind::Fade => {
                incoming.set_property("xpos", 0i32);
                ramp(incoming, "alpha", 0.0, 1.0, start, end);
            }
            TransitionKind::Slide => {
                incoming.set_property("alpha", 1.0f64);
                ramp(incoming, "xpos", f64::from(canvas_width), 0.0, start, end);
            }
            // Hidden on the mixer: the wipe draws it in on the mixer's
            // output (`luma_wipe`), until `finish` shows it.
            TransitionKind::LumaWipe { .. } => {
                incoming.set_property("xpos", 0i32);
                incoming.set_property("alpha", 0.0f64);
            }
            // The supervisor cuts beneath the stinger with `cut_at`.
            TransitionKind::Stinger { .. } => {
                incoming.set_property("xpos", 0i32);
                incoming.set_property("alpha", 1.0f64);
            }
        }
    }
    if *kind == TransitionKind::Cut {
        start
    } else {
        end
    }
}

/// A cut set up ahead: `incoming` shows over `outgoing` from running time
/// `at` exactly (the frame at `at` is the first of it). Returns `at`.
pub(crate) fn cut_at(
    outgoing: Option<&gst::Pad>,
    incoming: Option<&gst::Pad>,
    at: gst::ClockTime,
) -> gst::ClockTime {
    if let Some(outgoing) = outgoing {
        clear(outgoing);
        outgoing.set_property("zorder", 0u32);
        outgoing.set_property_from_str("operator", "source");
    }
    if let Some(incoming) = incoming {
        clear(incoming);
        incoming.set_property("zorder", 1u32);
        incoming.set_property_from_str("operator", "over");
        incoming.set_property("xpos", 0i32);
        ramp(incoming, "alpha", 0.0, 1.0, at.saturating_sub(gst::ClockTime::NSECOND), at);
    }
    at
}

/// Leaves the incoming pad showing alone and the outgoing one hidden.
pub(crate) fn finish(outgoing: Option<&gst::Pad>, incoming: Option<&gst::Pad>) {
    if let Some(incoming) = incoming {
        clear(incoming);
        incoming.set_property("alpha", 1.0f64);
        incoming.set_property("xpos", 0i32);
        incoming.set_property_from_str("operator", "source");
    }
    if let Some(outgoing) = outgoing {
        clear(outgoing);
        outgoing.set_property("alpha", 0.0f64);
        outgoing.set_property("xpos", 0i32);
    }
}
