//! Shows the program in a video sink given by the caller (the window's
//! `gtk4paintablesink`, say), without the engine knowing any toolkit.
//!
//! ```text
//!  program ─(fanout)─> appsrc ! queue(leaky) ! videoconvert ! <sink>
//! ```

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;

pub struct Preview {
    _output: Output,
}

impl Preview {
    /// Shows the program in `sink`.
    pub fn start(feeds: impl AsRef<Feeds>, sink: gst::Element) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        Self::build(feeds, sink, false)
    }

    /// Shows the studio-mode preview (the scene being prepared) in `sink`.
    pub fn start_studio_preview(feeds: impl AsRef<Feeds>, sink: gst::Element) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        Self::build(feeds, sink, true)
    }

    fn build(feeds: &Feeds, sink: gst::Element, studio_preview: bool) -> Result<Self, EngineError> {
        let mut output = Output::new(if studio_preview { "studio-preview" } else { "preview" });
        let src = if studio_preview { output.preview_input(feeds)? } else { output.video_input(feeds)? };
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
