//! What a file holds, asked of GStreamer's discoverer: a picture's or a
//! clip's size, for whoever places it (the OBS import).

use std::path::Path;

use gst_pbutils::prelude::*;

use crate::engine::error::EngineError;

/// The width and height of the first picture stream in `path`, as shown
/// (sideways photos and clips turned upright).
pub fn picture_size(path: &Path) -> Result<(u32, u32), EngineError> {
    crate::engine::init()?;
    let invalid = |why: String| EngineError::Invalid(format!("{}: {why}", path.display()));
    let uri = glib::filename_to_uri(path, None).map_err(|e| invalid(e.to_string()))?;
    let discoverer =
        gst_pbutils::Discoverer::new(gst::ClockTime::from_seconds(10)).map_err(|e| invalid(e.to_string()))?;
    let info = discoverer.discover_uri(&uri).map_err(|e| invalid(e.to_string()))?;
    let video = info.video_streams().into_iter().next().ok_or_else(|| invalid("no picture in it".into()))?;
    let (w, h) = (video.width(), video.height());
    // A picture tagged as turned a quarter shows the other way round.
    let turned = video.tags().and_then(|t| t.get::<gst::tags::ImageOrientation>()).is_some_and(|o| {
        matches!(o.get(), "rotate-90" | "rotate-270" | "flip-rotate-90" | "flip-rotate-270")
    });
    Ok(if turned { (h, w) } else { (w, h) })
}
