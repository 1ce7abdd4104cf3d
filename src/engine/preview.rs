//! Shows the program in a video sink given by the caller (the window's
//! `gtk4paintablesink`, say), without the engine knowing any toolkit.
//!
//! ```text
//!  program ─(fanout)─> appsrc ! queue(leaky) ! videoconvert ! <sink>
//! ```

use gst::prelude::*;

use super::error::{make, EngineError};
use super::output::Output;
use super::studio::Studio;

pub struct Preview {
    _output: Output,
}

impl Preview {
    /// Shows the program in `sink`.
    pub fn start(studio: &Studio, sink: gst::Element) -> Result<Self, EngineError> {
        Self::build(studio, sink, false)
    }

    /// Shows the studio-mode preview (the scene being prepared) in `sink`.
    pub fn start_studio_preview(studio: &Studio, sink: gst::Element) -> Result<Self, EngineError> {
        Self::build(studio, sink, true)
    }

    fn build(studio: &Studio, sink: gst::Element, studio_preview: bool) -> Result<Self, EngineError> {
        let mut output = Output::new(if studio_preview { "studio-preview" } else { "preview" });
        let src = if studio_preview { output.preview_input(studio)? } else { output.video_input(studio)? };
        let queue = make("queue")?;
        queue.set_property_from_str("leaky", "downstream");
        queue.set_property("max-size-buffers", 2u32);
        let convert = make("videoconvert")?;
        output.pipeline.add_many([&queue, &convert, &sink])?;
        gst::Element::link_many([&src, &queue, &convert, &sink])?;
        output.start()?;
        Ok(Self { _output: output })
    }
}
