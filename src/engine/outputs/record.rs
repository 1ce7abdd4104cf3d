//! Crash-safe recording of the encoded program.
//!
//! ```text
//!  encoder h264 ─> appsrc ─┐
//!                          ├─ matroskamux | mp4mux(fragmented) ! filesink
//!  encoder aac ──> appsrc ─┘
//! ```
//!
//! No queue after the appsrcs: each has a thread and a queue of its own,
//! which waits while the muxer waits for the other track.
//!
//! Matroska is written cluster by cluster and fragmented MP4 fragment by
//! fragment (one second each), so a crash or `kill -9` leaves a file that
//! plays up to its last second; a syncer flushes the file to disk every two
//! seconds so that a power cut loses no more. The MP4 is the standard
//! fragmented kind (a moof and its mdat per track and second); a clean stop
//! adds the duration and an index for seeking (mfra).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::encoder::{check_writable_folder, link_to_mux, EncoderSettings};
use crate::engine::outputs::feeds::{EncoderUse, Feeds, Keyframes};
use crate::engine::outputs::output::Output;
use crate::engine::program::count_buffers;

/// The name recordings report under in `Event::Output`.
pub const RECORDING: &str = "Recording";

/// The file formats a recording can have, from the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Matroska,
    FragmentedMp4,
}

impl Container {
    pub fn from_path(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "mkv" => Some(Self::Matroska),
            "mp4" => Some(Self::FragmentedMp4),
            _ => None,
        }
    }
}

/// Encoder settings of a recording, and how it is split into files.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordSettings {
    pub encoder: EncoderSettings,
    /// Start a new file about every this many seconds (at a keyframe):
    /// `show.mkv` becomes `show-001.mkv`, `show-002.mkv`, …
    pub split_seconds: Option<u32>,
    /// Start a new file before one grows past this many bytes (at the
    /// keyframe before the limit; a file holds at least one keyframe
    /// interval). Combines with `split_seconds`: whichever comes first.
    pub split_bytes: Option<u64>,
}

impl RecordSettings {
    fn splits(&self) -> bool {
        self.split_seconds.is_some_and(|s| s > 0) || self.split_bytes.is_some_and(|b| b > 0)
    }
}

/// `show.mkv` → `show-%03d.mkv`, the pattern of split files (as shown to
/// people; the files themselves are named by `split_file`).
fn split_pattern(path: &Path) -> PathBuf {
    split_file_named(path, "%03d")
}

/// `show.mkv`, 2 → `show-002.mkv`: the name of a split recording's file.
/// Made here rather than by splitmuxsink, whose `location` is a printf
/// format: a `%` in a folder or file name crashed it.
pub fn split_file(path: &Path, index: u32) -> PathBuf {
    split_file_named(path, &format!("{index:03}"))
}

fn split_file_named(path: &Path, index: &str) -> PathBuf {
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!("{stem}-{index}.{ext}"))
}

pub struct Recorder {
    output: Output,
    path: PathBuf,
    /// The file made first (`show.mkv`, or `show-001.mkv` when split).
    first: PathBuf,
    _encoder: EncoderUse,
    syncing: Arc<AtomicBool>,
    /// Pictures that reached the muxer.
    pictures: Arc<AtomicU64>,
}

impl Recorder {
    pub fn start(
        feeds: impl AsRef<Feeds>,
        path: &Path,
        settings: RecordSettings,
    ) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let fail = |message: String| EngineError::Start {
            what: format!("recording to {}", path.display()),
            message,
        };
        let container = Container::from_path(path).ok_or_else(|| {
            fail("the file name must end in .mkv (Matroska) or .mp4 (fragmented MP4)".into())
        })?;
        check_writable_folder(path).map_err(fail)?;
        // A recording never replaces a file (a device or a named pipe is
        // written to as asked: that is what it is for).
        let first = if settings.splits() { split_file(path, 1) } else { path.to_owned() };
        if first.metadata().is_ok_and(|m| m.is_file()) {
            return Err(fail(format!(
                "{} exists already: Plateau never overwrites a recording, choose another name",
                first.display()
            )));
        }
        let encoder = feeds.encoder(settings.encoder, Keyframes::OrShorter)?;

        let mut output = Output::new("recorder");
        let vsrc = output.encoded_input(encoder.video.clone(), "video")?;
        let asrc = output.encoded_input(encoder.audio.clone(), "audio")?;
        let mux = match container {
            Container::Matroska => make("matroskamux")?,
            Container::FragmentedMp4 => {
                let mux = make("mp4mux")?;
                // Not `first-moov-then-finalise` (rewritten into a regular MP4
                // at a clean stop): GStreamer's mp4mux (1.22, and its sources
                // today) writes those fragments interleaved, one `trun` per run
                // of samples, and a run that starts after the fragment's
                // defaults were dropped, but matches their old values, gets no
                // size nor duration. A killed recording then did not open at
                // all (1 run in 10 here). The standard mode writes each
                // track's fragment as one run.
                mux.set_property("fragment-duration", 1000u32);
                mux
            }
        };
        let pictures = count_buffers(&vsrc.static_pad("src").expect("an appsrc has a src pad"));
        if settings.splits() {
            // splitmuxsink closes each file at a keyframe and opens the next.
            let split = make("splitmuxsink")?;
            split.set_property("muxer", &mux);
            let named = path.to_owned();
            split.connect("format-location", false, move |args| {
                let index = args.get(1).and_then(|v| v.get::<u32>().ok()).unwrap_or(0);
                Some(split_file(&named, index).to_string_lossy().into_owned().to_value())
            });
            let seconds = settings.split_seconds.unwrap_or(0);
            split.set_property("max-size-time", u64::from(seconds).saturating_mul(1_000_000_000));
            split.set_property("max-size-bytes", settings.split_bytes.unwrap_or(0));
            split.set_property("start-index", 1i32);
            output.pipeline.add(&split)?;
            link_to_mux(&vsrc, &split, "video")?;
            link_to_mux(&asrc, &split, "audio_%u")?;
        } else {
            let sink = make("filesink")?;
            sink.set_property("location", path);
            output.pipeline.add_many([&mux, &sink])?;
            link_to_mux(&vsrc, &mux, "video_%u")?;
            link_to_mux(&asrc, &mux, "audio_%u")?;
            mux.link(&sink)?;
        }
        output.report_failures(feeds.emitter(), RECORDING);
        output.start().map_err(|e| fail(e.to_string()))?;
        encoder.request_keyframe();
        let syncing = Arc::new(AtomicBool::new(true));
        let synced = if settings.splits() { path.parent().map(Path::to_owned) } else { None };
        sync_periodically(synced.unwrap_or_else(|| path.to_owned()), syncing.clone());
        tracing::info!(path = %path.display(), ?container, codec = %encoder.codec, "recording started");
        // Split recordings are named by their pattern (`show-%03d.mkv`).
        let path = if settings.splits() { split_pattern(path) } else { path.to_owned() };
        Ok(Self { output, path, first, _encoder: encoder, syncing, pictures })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Pauses the recording: nothing is written until `resume`, and the
    /// file plays on without a gap where the pause was.
    pub fn pause(&self) {
        self.output.pause();
        tracing::info!(path = %self.path.display(), "recording paused");
    }

    pub fn resume(&self) {
        self.output.resume();
        self._encoder.request_keyframe();
        tracing::info!(path = %self.path.display(), "recording resumed");
    }

    /// An error the recording met, if any (a full disk, say).
    pub fn error(&self) -> Option<String> {
        self.output.error()
    }

    /// Ends the file cleanly. A recording stopped before its first picture
    /// (which waits for a keyframe) leaves no file: a muxer given nothing
    /// writes headers that no player can read.
    pub fn stop(mut self) -> Result<PathBuf, EngineError> {
        self.syncing.store(false, Ordering::SeqCst);
        self.output.finish(Duration::from_secs(10))?;
        let pictures = self.pictures.load(Ordering::SeqCst);
        if pictures == 0 {
            if self.first.metadata().is_ok_and(|m| m.is_file()) {
                let _ = std::fs::remove_file(&self.first);
            }
            tracing::warn!(path = %self.path.display(), "recording stopped before its first picture");
            return Err(EngineError::Finish {
                what: format!("recording to {}", self.path.display()),
                message: "it stopped before its first picture: nothing was recorded and no file was left"
                    .into(),
            });
        }
        tracing::info!(path = %self.path.display(), pictures, "recording finished");
        Ok(self.path.clone())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.syncing.store(false, Ordering::SeqCst);
    }
}

/// Flushes the file's written data to disk every two seconds while
/// recording; given a folder (split recordings), its newest file.
fn sync_periodically(path: PathBuf, running: Arc<AtomicBool>) {
    let newest = |dir: &Path| {
        std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .filter(|(_, p)| p.is_file())
            .max()
            .map(|(_, p)| p)
    };
    let spawned = std::thread::Builder::new().name("plateau-sync".into()).spawn(move || {
        while running.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_secs(2));
            let file = if path.is_dir() { newest(&path) } else { Some(path.clone()) };
            if let Some(Ok(file)) = file.map(std::fs::File::open) {
                let _ = file.sync_data();
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(%e, "no disk syncer for the recording");
    }
}
