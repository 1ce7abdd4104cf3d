//! A simple program recorder: H.264 and AAC in Matroska.
//!
//! ```text
//!  program video ─> appsrc ! queue ! videoconvert ! I420 ! x264enc ! h264parse ─┐
//!                                                                               ├─ matroskamux ! filesink
//!  program audio ─> appsrc ! queue ! audioconvert ! avenc_aac ! aacparse ───────┘
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use gst::prelude::*;

use super::error::{make, EngineError};
use super::output::Output;
use super::studio::Studio;

/// Encoder settings of a recording.
#[derive(Debug, Clone, Copy)]
pub struct RecordSettings {
    pub video_kbps: u32,
    pub audio_kbps: u32,
}

impl Default for RecordSettings {
    fn default() -> Self {
        Self { video_kbps: 2500, audio_kbps: 128 }
    }
}

pub struct Recorder {
    output: Output,
    path: PathBuf,
}

impl Recorder {
    pub fn start(studio: &Studio, path: &Path, settings: RecordSettings) -> Result<Self, EngineError> {
        let fail = |message: String| EngineError::Start {
            what: format!("recording to {}", path.display()),
            message,
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("mkv") => {}
            _ => return Err(fail("the file name must end in .mkv".into())),
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(fail(format!("folder {} does not exist", dir.display())));
        }
        let mut output = Output::new("recorder");
        let fps = studio.canvas().fps;

        let vsrc = output.video_input(studio)?;
        let vqueue = make("queue")?;
        let vconvert = make("videoconvert")?;
        let i420 = make("capsfilter")?;
        i420.set_property(
            "caps",
            gst_video::VideoCapsBuilder::new().format(gst_video::VideoFormat::I420).build(),
        );
        let x264 = make("x264enc")?;
        x264.set_property_from_str("speed-preset", "veryfast");
        x264.set_property_from_str("tune", "zerolatency");
        x264.set_property("bitrate", settings.video_kbps);
        x264.set_property("key-int-max", fps * 2);
        let h264parse = make("h264parse")?;

        let asrc = output.audio_input(studio)?;
        let aqueue = make("queue")?;
        let aconvert = make("audioconvert")?;
        let aac = make("avenc_aac")?;
        aac.set_property("bitrate", (settings.audio_kbps.min(512) * 1000) as i32);
        let aacparse = make("aacparse")?;

        let mux = make("matroskamux")?;
        let sink = make("filesink")?;
        sink.set_property("location", path);

        let video = [&vsrc, &vqueue, &vconvert, &i420, &x264, &h264parse];
        let audio = [&asrc, &aqueue, &aconvert, &aac, &aacparse];
        output.pipeline.add_many(video[1..].iter().copied())?;
        output.pipeline.add_many(audio[1..].iter().copied())?;
        output.pipeline.add_many([&mux, &sink])?;
        gst::Element::link_many(video)?;
        gst::Element::link_many(audio)?;
        h264parse.link(&mux)?;
        aacparse.link(&mux)?;
        mux.link(&sink)?;
        output.start().map_err(|e| fail(e.to_string()))?;
        tracing::info!(path = %path.display(), "recording started");
        Ok(Self { output, path: path.to_owned() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error the recording met, if any (a full disk, say).
    pub fn error(&self) -> Option<String> {
        self.output.error()
    }

    /// Ends the file cleanly.
    pub fn stop(mut self) -> Result<PathBuf, EngineError> {
        self.output.finish(Duration::from_secs(10))?;
        tracing::info!(path = %self.path.display(), "recording finished");
        Ok(self.path.clone())
    }
}
