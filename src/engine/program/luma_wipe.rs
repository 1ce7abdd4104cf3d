//! The luma wipe: the incoming scene shows first where a greyscale picture
//! is darkest and last where it is brightest, with a soft edge.
//!
//! ```text
//!  slot (incoming) ─> mixer pad (hidden: alpha 0) ──┐     a probe keeps its last pictures
//!  slot (outgoing) ─> mixer pad ────────────────────┴─ compositor(mixer) ─> I420 ─> …
//!                                                     └ a probe on its output mixes in the
//!                                                       incoming picture of the same time,
//!                                                       pixel by pixel, by the mask
//! ```
//!
//! The mixer's compositor works in I420, which carries no alpha per pixel,
//! so the wipe is drawn on the mixer's output: each program frame gets the
//! incoming slot's picture of the same running time, let through where the
//! mask is below the transition's progress.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

use gst::prelude::*;
use gst_video::prelude::*;

use crate::engine::error::EngineError;
use crate::engine::fanout::running_time_on;

/// How soft the wipe's edge is: the share of the mask's range over which a
/// pixel goes from the outgoing scene to the incoming one.
const SOFTNESS: f64 = 0.1;

/// Pictures of the incoming slot kept to find the one of each frame's time.
const KEPT: usize = 6;

/// The wipe's picture: one brightness per canvas pixel.
#[derive(Debug)]
pub(crate) struct LumaMask {
    luma: Vec<u8>,
    width: usize,
    height: usize,
}

impl LumaMask {
    /// Decodes `path` stretched over the canvas.
    pub fn load(path: &Path, canvas: (u32, u32)) -> Result<Self, EngineError> {
        if !path.is_file() {
            return Err(EngineError::Invalid(format!(
                "the luma wipe's picture {} cannot be found",
                path.display()
            )));
        }
        let (pixels, (width, height)) = crate::engine::sources::slideshow::decode(path, Some(canvas), false)?;
        let map = pixels.map_readable().map_err(|e| EngineError::Invalid(e.to_string()))?;
        let (width, height) = (width as usize, height as usize);
        let luma: Vec<u8> = map
            .chunks_exact(4)
            .take(width * height)
            .map(|p| {
                ((13933 * u32::from(p[0]) + 46871 * u32::from(p[1]) + 4732 * u32::from(p[2])) >> 16) as u8
            })
            .collect();
        if luma.len() != width * height {
            return Err(EngineError::Invalid(format!(
                "the luma wipe's picture {} is cut short",
                path.display()
            )));
        }
        Ok(Self { luma, width, height })
    }
}

/// How much of the incoming picture shows (0 to 256) over each mask value,
/// at `progress` (0 to 1).
fn weights(progress: f64) -> [u16; 256] {
    let threshold = progress.clamp(0.0, 1.0) * (1.0 + SOFTNESS);
    std::array::from_fn(|m| {
        let a = ((threshold - m as f64 / 255.0) / SOFTNESS).clamp(0.0, 1.0);
        (a * 256.0).round() as u16
    })
}

/// A wipe under way, shared by the supervisor and the two probes.
struct Running {
    mask: Arc<LumaMask>,
    start: gst::ClockTime,
    end: gst::ClockTime,
    /// The incoming slot's latest pictures, with their running times.
    incoming: VecDeque<(gst::ClockTime, gst::Buffer)>,
}

/// The wipe of a program: none most of the time.
#[derive(Clone, Default)]
pub(crate) struct Wipe {
    running: Arc<Mutex<Option<Running>>>,
    /// The incoming pad and its probe, while a wipe runs.
    watched: Arc<Mutex<Option<(gst::Pad, gst::PadProbeId)>>>,
}

impl Wipe {
    /// Draws wipes on every I420 picture of `info` leaving `mixer_out`.
    pub fn draw_on(&self, mixer_out: &gst::Pad, info: gst_video::VideoInfo) {
        let running = self.running.clone();
        mixer_out.add_probe(gst::PadProbeType::BUFFER, move |pad, probe| {
            let mut guard = running.lock().unwrap_or_else(|e| e.into_inner());
            let Some(wipe) = guard.as_mut() else { return gst::PadProbeReturn::Ok };
            let Some(buffer) = probe.buffer_mut() else { return gst::PadProbeReturn::Ok };
            let Some(at) = running_time_on(pad, buffer) else { return gst::PadProbeReturn::Ok };
            // The newest incoming picture not after this frame.
            let Some((_, incoming)) = wipe.incoming.iter().rev().find(|(t, _)| *t <= at) else {
                return gst::PadProbeReturn::Ok;
            };
            let span = wipe.end.saturating_sub(wipe.start).nseconds().max(1) as f64;
            let progress = at.saturating_sub(wipe.start).nseconds() as f64 / span;
            let (Ok(from), Ok(mut into)) = (
                gst_video::VideoFrameRef::from_buffer_ref_readable(incoming.as_ref(), &info),
                gst_video::VideoFrameRef::from_buffer_ref_writable(buffer.make_mut(), &info),
            ) else {
                return gst::PadProbeReturn::Ok;
            };
            mix(&mut into, &from, &wipe.mask, &weights(progress));
            gst::PadProbeReturn::Ok
        });
    }

    /// Starts a wipe from running time `start` to `end`, the incoming scene
    /// coming in through `incoming` (its mixer pad, which the mixer itself
    /// keeps hidden meanwhile).
    pub fn start(
        &self,
        mask: Arc<LumaMask>,
        incoming: &gst::Pad,
        start: gst::ClockTime,
        end: gst::ClockTime,
    ) {
        self.stop();
        *self.running.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Running { mask, start, end, incoming: VecDeque::with_capacity(KEPT + 1) });
        let running = self.running.clone();
        let id = incoming.add_probe(gst::PadProbeType::BUFFER, move |pad, probe| {
            let mut guard = running.lock().unwrap_or_else(|e| e.into_inner());
            let (Some(buffer), Some(wipe)) = (probe.buffer(), guard.as_mut()) else {
                return gst::PadProbeReturn::Ok;
            };
            if let Some(at) = running_time_on(pad, buffer) {
                if wipe.incoming.len() == KEPT {
                    wipe.incoming.pop_front();
                }
                wipe.incoming.push_back((at, buffer.to_owned()));
            }
            gst::PadProbeReturn::Ok
        });
        if let Some(id) = id {
            *self.watched.lock().unwrap_or_else(|e| e.into_inner()) = Some((incoming.clone(), id));
        }
    }

    /// Ends the wipe, if one runs (the mixer then shows the incoming pad).
    pub fn stop(&self) {
        if let Some((pad, id)) = self.watched.lock().unwrap_or_else(|e| e.into_inner()).take() {
            pad.remove_probe(id);
        }
        self.running.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// Mixes `from` into `into` (both I420 of the canvas) by `weights` of the
/// mask's value at each pixel (a chroma sample by its top-left pixel's).
fn mix(
    into: &mut gst_video::VideoFrameRef<&mut gst::BufferRef>,
    from: &gst_video::VideoFrameRef<&gst::BufferRef>,
    mask: &LumaMask,
    weights: &[u16; 256],
) {
    let (width, height) = (into.width() as usize, into.height() as usize);
    if (width, height) != (mask.width, mask.height)
        || (from.width(), from.height()) != (into.width(), into.height())
    {
        return;
    }
    let strides_from: Vec<usize> = from.plane_stride().iter().map(|s| (*s).max(0) as usize).collect();
    let strides_into: Vec<usize> = into.plane_stride().iter().map(|s| (*s).max(0) as usize).collect();
    for plane in 0..3u32 {
        let (Ok(source), step) = (from.plane_data(plane), if plane == 0 { 1 } else { 2 }) else { return };
        let (w, h) = (width.div_ceil(step), height.div_ceil(step));
        let (s_from, s_into) = (strides_from[plane as usize], strides_into[plane as usize]);
        let Ok(target) = into.plane_data_mut(plane) else { return };
        for row in 0..h {
            let mask_row = &mask.luma[(row * step).min(height - 1) * width..][..width];
            let (Some(src), Some(dst)) =
                (source.get(row * s_from..row * s_from + w), target.get_mut(row * s_into..row * s_into + w))
            else {
                return;
            };
            for (x, (d, s)) in dst.iter_mut().zip(src).enumerate() {
                let a = u32::from(weights[mask_row[(x * step).min(width - 1)] as usize]);
                *d = ((u32::from(*d) * (256 - a) + u32::from(*s) * a + 128) >> 8) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wipe_lets_the_darkest_through_first_and_everything_at_its_end() {
        let start = weights(0.0);
        assert!(start.iter().all(|&a| a == 0), "nothing shows at the start");
        let end = weights(1.0);
        assert!(end.iter().all(|&a| a == 256), "everything shows at the end");
        let half = weights(0.5);
        assert_eq!(half[0], 256, "black is through by half way");
        assert_eq!(half[255], 0, "white is not");
        assert!(half.windows(2).all(|w| w[0] >= w[1]), "darker shows first");
    }
}
