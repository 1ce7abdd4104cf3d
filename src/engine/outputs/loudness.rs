//! Loudness normalisation of a finished podcast's mix: measure its
//! integrated loudness and true peak (EBU R128), then the gain that brings
//! it to the target without passing -1 dBTP.
//!
//! ```text
//!  filesrc ! decodebin ─(first sound)─> audioconvert ! audioresample ! F32 48k ! appsink → EBU R128 meter
//! ```
//!
//! A static gain keeps the speakers' dynamics as they were; it is applied
//! when the file is copied once more at the end (see `podcast.rs`).

use std::path::Path;

use gst::prelude::*;
use gst_app::AppSink;

use crate::engine::error::{make, EngineError};
use crate::engine::sources::producer::gst_audio_caps;

/// The loudest true peak a normalised mix may reach, in dBTP.
const PEAK_CEILING_DB: f64 = -1.0;

/// Integrated loudness (LUFS) and true peak (dBTP) of the first sound of
/// `path`; `progress` is told how much of it has been read (0 to 1).
pub(crate) fn measure(path: &Path, progress: &dyn Fn(f64)) -> Result<(f64, f64), EngineError> {
    let fail =
        |message: String| EngineError::Start { what: format!("loudness of {}", path.display()), message };
    let pipeline = gst::Pipeline::new();
    crate::engine::background::streaming_threads_of(&pipeline);
    let src = make("filesrc")?;
    src.set_property("location", path);
    let decode = make("decodebin")?;
    let sink = AppSink::builder().caps(&gst_audio_caps(48_000, 2)).sync(false).build();
    let chain = [make("audioconvert")?, make("audioresample")?, sink.clone().upcast()];
    pipeline.add_many([&src, &decode])?;
    pipeline.add_many(&chain)?;
    src.link(&decode)?;
    gst::Element::link_many(&chain)?;
    let (first, pipeline_weak) = (chain[0].clone(), pipeline.downgrade());
    decode.connect_pad_added(move |_, pad| {
        let is_audio = pad
            .current_caps()
            .and_then(|c| c.structure(0).map(|s| s.name().starts_with("audio/")))
            .unwrap_or(false);
        let target = first.static_pad("sink").filter(|p| !p.is_linked() && is_audio);
        match target {
            Some(sink_pad) => {
                let _ = pad.link(&sink_pad);
            }
            None => {
                // Other tracks are not measured.
                let (Some(pipeline), Ok(fake)) = (pipeline_weak.upgrade(), make("fakesink")) else { return };
                if pipeline.add(&fake).is_ok() {
                    let _ = fake.sync_state_with_parent();
                    if let Some(p) = fake.static_pad("sink") {
                        let _ = pad.link(&p);
                    }
                }
            }
        }
    });
    let mut meter = ebur128::EbuR128::new(2, 48_000, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK)
        .map_err(|e| fail(e.to_string()))?;
    pipeline.set_state(gst::State::Playing).map_err(|e| fail(e.to_string()))?;
    progress(0.0);
    let mut told = std::time::Instant::now();
    while let Ok(sample) = sink.pull_sample() {
        if told.elapsed() >= std::time::Duration::from_millis(250) {
            told = std::time::Instant::now();
            if let Some(f) = crate::engine::outputs::podcast::fraction(&pipeline) {
                progress(f);
            }
        }
        let Some(buffer) = sample.buffer() else { continue };
        let Ok(map) = buffer.map_readable() else { continue };
        let samples: Vec<f32> =
            map.as_slice().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        meter.add_frames_f32(&samples).map_err(|e| fail(e.to_string()))?;
    }
    let error = pipeline.bus().and_then(|b| b.pop_filtered(&[gst::MessageType::Error]));
    let _ = pipeline.set_state(gst::State::Null);
    if let Some(msg) = error {
        if let gst::MessageView::Error(e) = msg.view() {
            return Err(fail(e.error().to_string()));
        }
    }
    progress(1.0);
    let loudness = meter.loudness_global().map_err(|e| fail(e.to_string()))?;
    let peak = (0..2).filter_map(|c| meter.true_peak(c).ok()).fold(0.0, f64::max);
    Ok((loudness, 20.0 * peak.max(1e-9).log10()))
}

/// The gain in dB that brings `loudness` to `target` without the true peak
/// passing the ceiling; `None` for silence (nothing to measure).
pub(crate) fn gain_db(target: f64, loudness: f64, peak_db: f64) -> Option<f64> {
    if !loudness.is_finite() || loudness < -70.0 {
        return None;
    }
    Some((target - loudness).min(PEAK_CEILING_DB - peak_db))
}

#[cfg(test)]
mod tests {
    use super::gain_db;

    #[test]
    fn the_gain_reaches_the_target_unless_the_peak_forbids_it() {
        assert_eq!(gain_db(-16.0, -20.0, -10.0), Some(4.0));
        assert_eq!(gain_db(-16.0, -20.0, -3.0), Some(2.0), "limited by the -1 dBTP ceiling");
        assert_eq!(gain_db(-16.0, -10.0, -1.0), Some(-6.0));
        assert_eq!(gain_db(-16.0, f64::NEG_INFINITY, -100.0), None, "silence is left alone");
    }
}
