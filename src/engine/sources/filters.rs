//! A source's filters as GStreamer elements, spliced into its pipeline
//! before the appsink that hands its pictures or sound on:
//!
//! ```text
//!  pictures  … ! videoconvert ! alpha(chroma key) ! videoconvert ! videobalance ! gamma ! alpha(opacity)
//!              ! videoconvert ! ARGB64 ! identity(3D LUT, in place) ! videoconvert ! blur (scaled_blur)
//!              ! videoconvert ! gaussianblur(sharpen)
//!              ! videoconvert ! videoflip ! videoconvert ! identity(render delay) ! queue
//!              ! videoconvert ! AYUV ! identity(image mask | scroll, drawn in place)
//!              ! videoconvert ! (the source's caps) ! appsink
//!  sound     … ! audioconvert ! audioresample ! audiornnoise ! audioconvert ! audioresample
//!              ! audiodynamic(gate|compressor|limiter) ! … ! volume(gain) ! … ! equalizer-3bands
//!              ! audioconvert ! audioresample ! (F32 caps) ! appsink
//! ```
//!
//! Each filter is converted into and out of (`videoconvert` and
//! `audioconvert` pass buffers through untouched when the formats already
//! agree). A chain keeps its elements: settings edited later are set on
//! them while the source runs; only another list of filters (added,
//! removed, reordered, switched on or off) rebuilds the source.

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::sources::drawn_filters::{self, Shared};
use crate::engine::sources::lut::Lut;
use crate::engine::sources::scaled_blur;
use crate::model::{FilterKind, KeyColor};

/// The elements of one source's filters, in order.
pub(crate) struct FilterChain {
    /// Every element, converters included, to be linked in this order.
    elements: Vec<gst::Element>,
    /// Each filter's working elements and the settings they read, with
    /// the filter they were made for.
    parts: Vec<(FilterKind, Vec<gst::Element>, Shared)>,
}

impl FilterChain {
    /// The chain for `filters` on pictures (`audio` false) or sound.
    pub fn build(filters: &[&FilterKind], audio: bool) -> Result<Self, EngineError> {
        let convert = if audio { "audioconvert" } else { "videoconvert" };
        let mut chain = Self { elements: Vec::new(), parts: Vec::new() };
        // Into and out of 16 bits a channel (a LUT): the conversions are
        // the heavier half of its work, shared among the cores.
        let converter = |wide: bool| -> Result<gst::Element, EngineError> {
            let element = make(convert)?;
            if wide && !audio {
                element.set_property("n-threads", 0u32);
            }
            Ok(element)
        };
        let mut after_wide = false;
        for kind in filters {
            let shared = Shared::new((*kind).clone().into());
            let working = working_elements(kind, &shared)?;
            configure(kind, &working)?;
            let wide = matches!(kind, FilterKind::Lut { .. });
            chain.elements.push(converter(wide || after_wide)?);
            after_wide = wide;
            if audio {
                chain.elements.push(make("audioresample")?);
            }
            chain.elements.extend(working.iter().cloned());
            chain.parts.push(((*kind).clone(), working, shared));
        }
        if !chain.parts.is_empty() {
            chain.elements.push(converter(after_wide)?);
            if audio {
                chain.elements.push(make("audioresample")?);
            }
        }
        Ok(chain)
    }

    /// Whether a filter changes the picture over time (a scroll): a still
    /// picture must then be filtered at the canvas's rate.
    pub fn moves(&self) -> bool {
        self.parts.iter().any(|(kind, ..)| kind.moves())
    }

    pub fn elements(&self) -> &[gst::Element] {
        &self.elements
    }

    /// Sets `filters`' settings on the running elements; false when they
    /// are another list (or a LUT from another file): the source is then
    /// built again.
    pub fn apply(&self, filters: &[&FilterKind]) -> bool {
        if !same_shape(self.parts.iter().map(|(k, ..)| k), filters.iter().copied()) {
            return false;
        }
        self.parts.iter().zip(filters).all(|((_, working, shared), kind)| {
            *shared.lock().unwrap_or_else(|e| e.into_inner()) = (*kind).clone();
            configure(kind, working).is_ok()
        })
    }
}

/// Whether two lists of filters have the same filters in the same order
/// (settings aside), so that one's elements can take the other's settings.
pub(crate) fn same_shape<'a>(
    a: impl IntoIterator<Item = &'a FilterKind>,
    b: impl IntoIterator<Item = &'a FilterKind>,
) -> bool {
    let shape = |k: &FilterKind| match k {
        FilterKind::Lut { path } => format!("lut:{}", path.display()),
        FilterKind::ImageMask { path } => format!("mask:{}", path.display()),
        // Opacity below 1 needs pictures with alpha, a scroll on a still
        // picture its every frame: another shape.
        other => format!("{}{}{}", other.id(), other.makes_transparency(), other.moves()),
    };
    a.into_iter().map(shape).eq(b.into_iter().map(shape))
}

/// The elements that do a filter's work; those Plateau draws read
/// `shared` for their settings.
fn working_elements(kind: &FilterKind, shared: &Shared) -> Result<Vec<gst::Element>, EngineError> {
    Ok(match kind {
        FilterKind::ChromaKey { .. } => vec![make("alpha")?],
        FilterKind::ColorCorrection { .. } => {
            let mut v = vec![make("videobalance")?, make("gamma")?];
            if kind.makes_transparency() {
                v.push(make("alpha")?);
            }
            v
        }
        FilterKind::Lut { path } => {
            let lut = Lut::load(path).map_err(EngineError::Invalid)?;
            let rgb = make("capsfilter")?;
            let wide = gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Argb64).build();
            rgb.set_property("caps", wide);
            let apply = make("identity")?;
            lut.apply_on(&apply);
            vec![rgb, apply]
        }
        FilterKind::Blur { .. } => scaled_blur::elements(shared)?,
        FilterKind::Sharpen { .. } => vec![make("gaussianblur")?],
        FilterKind::ImageMask { path } => drawn_filters::image_mask(path)?,
        FilterKind::Scroll { .. } => drawn_filters::scroll(shared.clone())?,
        FilterKind::Flip { .. } | FilterKind::Rotate { .. } => vec![make("videoflip")?],
        // Held back in a queue, and stamped later by as much: the appsink
        // hands each buffer on when its new time comes.
        FilterKind::RenderDelay { .. } | FilterKind::SyncOffset { .. } => {
            let queue = make("queue")?;
            queue.set_property("max-size-buffers", 0u32);
            queue.set_property("max-size-bytes", 0u32);
            queue.set_property("max-size-time", gst::ClockTime::from_seconds(6).nseconds());
            let delay = make("identity")?;
            later_by_ts_offset(&delay);
            vec![delay, queue]
        }
        FilterKind::NoiseSuppression => {
            let rnnoise = make("audiornnoise")?;
            restamp(&rnnoise);
            vec![rnnoise]
        }
        FilterKind::NoiseGate { .. } | FilterKind::Compressor { .. } | FilterKind::Limiter { .. } => {
            vec![make("audiodynamic")?]
        }
        FilterKind::Gain { .. } => vec![make("volume")?],
        FilterKind::Equalizer { .. } => vec![make("equalizer-3bands")?],
    })
}

/// Gives every buffer leaving `element` its time: `audiornnoise` (0.15)
/// stamps only the buffers that begin where an input buffer began, and
/// the rest (14 of 15 here) would be dropped downstream as untimed. Each
/// untimed buffer follows the one before it, sample for sample.
fn restamp(element: &gst::Element) {
    let Some(pad) = element.static_pad("src") else { return };
    // The last time seen and the samples passed since.
    let last: std::sync::Mutex<Option<(gst::ClockTime, u64)>> = Default::default();
    pad.add_probe(gst::PadProbeType::BUFFER, move |pad, info| {
        let Some(gst::PadProbeData::Buffer(buffer)) = &mut info.data else { return gst::PadProbeReturn::Ok };
        let Some(audio) = pad.current_caps().and_then(|c| gst_audio::AudioInfo::from_caps(&c).ok()) else {
            return gst::PadProbeReturn::Ok;
        };
        let samples = buffer.size() as u64 / u64::from(audio.bpf().max(1));
        let time = |n: u64| gst::ClockTime::from_nseconds(n * 1_000_000_000 / u64::from(audio.rate().max(1)));
        let buffer = buffer.make_mut();
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        let pts = match (buffer.pts(), *last) {
            (Some(pts), _) => {
                *last = Some((pts, 0));
                pts
            }
            (None, Some((at, since))) => at + time(since),
            (None, None) => return gst::PadProbeReturn::Ok,
        };
        buffer.set_pts(pts);
        buffer.set_duration(time(samples));
        if let Some((_, since)) = last.as_mut() {
            *since += samples;
        }
        gst::PadProbeReturn::Ok
    });
}

/// Stamps every buffer leaving `identity` later by its `ts-offset`
/// (which identity itself only uses to wait on the clock, and it does not
/// wait here): the delay is kept on the element, so that an edit takes.
fn later_by_ts_offset(identity: &gst::Element) {
    let Some(pad) = identity.static_pad("src") else { return };
    let element = identity.downgrade();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
        let Some(delay) = element.upgrade().map(|e| e.property::<i64>("ts-offset").max(0) as u64) else {
            return gst::PadProbeReturn::Ok;
        };
        if let (Some(gst::PadProbeData::Buffer(buffer)), true) = (&mut info.data, delay > 0) {
            let buffer = buffer.make_mut();
            let later = |t: Option<gst::ClockTime>| t.map(|t| t + gst::ClockTime::from_nseconds(delay));
            let (pts, dts) = (later(buffer.pts()), later(buffer.dts()));
            buffer.set_pts(pts);
            buffer.set_dts(dts);
        }
        gst::PadProbeReturn::Ok
    });
}

/// A level in dBFS as the linear amplitude `audiodynamic` takes.
fn amplitude(db: f64) -> f32 {
    10f64.powf(db / 20.0) as f32
}

/// Sets a filter's settings on its working elements.
fn configure(kind: &FilterKind, working: &[gst::Element]) -> Result<(), EngineError> {
    let mismatch = || EngineError::Invalid(format!("the {} filter's elements do not match it", kind.id()));
    let first = working.first().ok_or_else(mismatch)?;
    match kind {
        FilterKind::ChromaKey { key, similarity, smoothness } => {
            match key {
                KeyColor::Green => first.set_property_from_str("method", "green"),
                KeyColor::Blue => first.set_property_from_str("method", "blue"),
                KeyColor::Custom(c) => {
                    first.set_property_from_str("method", "custom");
                    first.set_property("target-r", u32::from(c.r));
                    first.set_property("target-g", u32::from(c.g));
                    first.set_property("target-b", u32::from(c.b));
                }
            }
            // The width of the cone of colours taken away, and of its soft edge.
            first.set_property("angle", (1.0 + similarity * 89.0) as f32);
            first.set_property("noise-level", (smoothness * 64.0) as f32);
        }
        FilterKind::ColorCorrection { brightness, contrast, saturation, hue, gamma, opacity } => {
            first.set_property("brightness", *brightness);
            first.set_property("contrast", *contrast);
            first.set_property("saturation", *saturation);
            first.set_property("hue", *hue);
            working.get(1).ok_or_else(mismatch)?.set_property("gamma", *gamma);
            if let Some(alpha) = working.get(2) {
                alpha.set_property_from_str("method", "set");
                alpha.set_property("alpha", *opacity);
            }
        }
        FilterKind::Lut { .. } | FilterKind::ImageMask { .. } | FilterKind::Scroll { .. } => {}
        FilterKind::Blur { radius } => scaled_blur::configure(*radius, working),
        FilterKind::Sharpen { amount } => first.set_property("sigma", -*amount),
        FilterKind::Flip { horizontal, vertical } => {
            let direction = match (horizontal, vertical) {
                (false, false) => "identity",
                (true, false) => "horiz",
                (false, true) => "vert",
                (true, true) => "180",
            };
            first.set_property_from_str("video-direction", direction);
        }
        FilterKind::Rotate { degrees } => {
            let direction = match degrees {
                90 => "90r",
                180 => "180",
                270 => "90l",
                other => return Err(EngineError::Invalid(format!("a rotation of {other} degrees"))),
            };
            first.set_property_from_str("video-direction", direction);
        }
        FilterKind::NoiseSuppression => {}
        FilterKind::RenderDelay { ms } | FilterKind::SyncOffset { ms } => {
            first.set_property("ts-offset", i64::from(*ms) * 1_000_000);
        }
        FilterKind::NoiseGate { threshold_db } => {
            // Below the threshold, the sound falls away ten times as fast.
            first.set_property_from_str("mode", "expander");
            first.set_property_from_str("characteristics", "hard-knee");
            first.set_property("threshold", amplitude(*threshold_db));
            first.set_property("ratio", 10.0f32);
        }
        FilterKind::Compressor { threshold_db, ratio } => {
            first.set_property_from_str("mode", "compressor");
            first.set_property_from_str("characteristics", "hard-knee");
            first.set_property("threshold", amplitude(*threshold_db));
            first.set_property("ratio", (1.0 / ratio) as f32);
        }
        FilterKind::Limiter { threshold_db } => {
            first.set_property_from_str("mode", "compressor");
            first.set_property_from_str("characteristics", "hard-knee");
            first.set_property("threshold", amplitude(*threshold_db));
            first.set_property("ratio", 0.0f32);
        }
        FilterKind::Gain { db } => first.set_property("volume", 10f64.powf(db / 20.0)),
        FilterKind::Equalizer { low_db, mid_db, high_db } => {
            first.set_property("band0", *low_db);
            first.set_property("band1", *mid_db);
            first.set_property("band2", *high_db);
        }
    }
    Ok(())
}
