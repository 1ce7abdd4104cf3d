//! Program pictures as RGBA frames in memory: for thumbnails, checks and tests.
//!
//! ```text
//!  program ─(fanout)─> appsrc ! videoconvert ! RGBA caps ! appsink ─> channel of Frame
//! ```

use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use gst::prelude::*;
use gst_app::AppSink;
use gst_video::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;

/// One program picture.
#[derive(Debug, Clone)]
pub struct Frame {
    /// Absolute system clock time of the picture, in nanoseconds.
    pub clock_time: u64,
    pub width: usize,
    pub height: usize,
    /// Tightly packed RGBA rows.
    pub data: Vec<u8>,
}

impl Frame {
    /// Red, green, blue and alpha at (x, y).
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 4] {
        let i = (y.min(self.height - 1) * self.width + x.min(self.width - 1)) * 4;
        [self.data[i], self.data[i + 1], self.data[i + 2], self.data[i + 3]]
    }
}

/// A running tap; frames arrive on `frames` until it is dropped.
pub struct VideoTap {
    output: Output,
    pub frames: Receiver<Frame>,
}

impl VideoTap {
    /// Taps the program; at most `depth` frames wait unread, newer ones are dropped.
    pub fn start(feeds: impl AsRef<Feeds>, depth: usize) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        Self::build(feeds, depth, false)
    }

    /// Taps the studio-mode preview instead of the program.
    pub fn start_studio_preview(feeds: impl AsRef<Feeds>, depth: usize) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        Self::build(feeds, depth, true)
    }

    fn build(feeds: &Feeds, depth: usize, studio_preview: bool) -> Result<Self, EngineError> {
        let mut output = Output::new("tap");
        let src = if studio_preview { output.preview_input(feeds)? } else { output.video_input(feeds)? };
        let convert = make("videoconvert")?;
        let caps = gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::Rgba).build();
        let sink = AppSink::builder().caps(&caps).sync(false).enable_last_sample(false).build();
        output.pipeline.add_many([&convert, sink.upcast_ref()])?;
        gst::Element::link_many([&src, &convert, sink.upcast_ref()])?;
        let (tx, frames) = mpsc::sync_channel(depth);
        sink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Flushing)?;
                    if let Some(frame) = to_frame(sink, &sample) {
                        let _ = tx.try_send(frame);
                    }
                    Ok(gst::FlowSuccess::Ok)
                })
                .build(),
        );
        output.start()?;
        Ok(Self { output, frames })
    }

    /// The next frame, or `None` after `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<Frame> {
        self.frames.recv_timeout(timeout).ok()
    }

    /// Drops the frames waiting now, so the next one is fresh.
    pub fn drain(&self) {
        while self.frames.try_recv().is_ok() {}
    }

    pub fn error(&self) -> Option<String> {
        self.output.error()
    }
}

fn to_frame(sink: &AppSink, sample: &gst::Sample) -> Option<Frame> {
    let buffer = sample.buffer()?;
    let info = gst_video::VideoInfo::from_caps(sample.caps()?).ok()?;
    let frame = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info).ok()?;
    let (width, height) = (info.width() as usize, info.height() as usize);
    let stride = frame.plane_stride()[0] as usize;
    let plane = frame.plane_data(0).ok()?;
    let mut data = Vec::with_capacity(width * height * 4);
    for row in 0..height {
        data.extend_from_slice(&plane[row * stride..row * stride + width * 4]);
    }
    let clock_time = buffer.pts()?.nseconds() + sink.base_time()?.nseconds();
    Some(Frame { clock_time, width, height, data })
}
