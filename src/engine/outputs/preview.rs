//! Shows the program in a video sink given by the caller (the window's
//! frame sink, say), without the engine knowing any toolkit.
//!
//! ```text
//!  program ─(fanout)─> appsrc ! queue(leaky) ! videoconvertscale ! capsfilter ! <sink>
//!                                                                  └ the size it is shown at
//! ```
//!
//! A preview is drawn smaller than the canvas most of the time. Scaling it
//! here, before the picture is converted to the toolkit's colours, makes
//! that conversion, the copy into the toolkit and its drawing work on the
//! pixels that show instead of the whole canvas (on the software renderer
//! they cost the window more than the program itself).

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;

pub struct Preview {
    sizer: PreviewSizer,
    _output: Output,
}

/// Sets the size a preview's pictures are scaled to; it holds nothing
/// running (a preview stopped meanwhile ignores it).
#[derive(Clone, Debug)]
pub struct PreviewSizer(gst::Element);

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

    /// What sets the size its pictures are shown at.
    pub fn sizer(&self) -> PreviewSizer {
        self.sizer.clone()
    }

    fn build(feeds: &Feeds, sink: gst::Element, studio_preview: bool) -> Result<Self, EngineError> {
        let mut output = Output::new(if studio_preview { "studio-preview" } else { "preview" });
        let src = if studio_preview { output.preview_input(feeds)? } else { output.video_input(feeds)? };
        let queue = make("queue")?;
        queue.set_property_from_str("leaky", "downstream");
        queue.set_property("max-size-buffers", 2u32);
        let convert = make("videoconvertscale")?;
        // The program's chroma (half its size) is about the preview's size
        // already: filtering it up first costs 40 % of the conversion
        // (1280x720 I420 to 676x380 BGRA, gst-launch: 1.5 → 0.95 ms a
        // picture) for a difference no one sees at that size.
        convert.set_property_from_str("chroma-mode", "none");
        let size = make("capsfilter")?;
        output.pipeline.add_many([&queue, &convert, &size, &sink])?;
        gst::Element::link_many([&src, &queue, &convert, &size, &sink])?;
        output.start()?;
        Ok(Self { sizer: PreviewSizer(size), _output: output })
    }
}

impl PreviewSizer {
    /// Scales the pictures to `width` x `height` before they reach the
    /// sink; `None` shows them at the canvas's size.
    pub fn fit(&self, size: Option<(u32, u32)>) {
        let caps = match size {
            Some((width, height)) => gst::Caps::builder("video/x-raw")
                .field("width", width.max(2) as i32)
                .field("height", height.max(2) as i32)
                .field("pixel-aspect-ratio", gst::Fraction::new(1, 1))
                .build(),
            None => gst::Caps::new_any(),
        };
        tracing::debug!(?size, "preview size");
        self.0.set_property("caps", caps);
    }
}
