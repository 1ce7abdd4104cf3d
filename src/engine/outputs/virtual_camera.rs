//! The program as a camera and its mix as a microphone, for other apps (a
//! video call, a browser) to pick: two PipeWire nodes called "Plateau"
//! (a `Video/Source` and an `Audio/Source`; they work inside Flatpak), and
//! a v4l2loopback device too when the system has one.
//!
//! ```text
//!  program ─(fanout)─> appsrc ! queue(leaky) ! videoconvert ! tee ─┬─ queue ! pipewiresink  (Video/Source "Plateau")
//!                                                                  └─ queue ! v4l2sink      (/dev/videoN, a loopback)
//!  mix ─────(fanout)─> appsrc ! queue ! audioconvert ! audioresample ! F32 48 kHz
//!                      ! audiobuffersplit (one quantum a buffer) ! pipewiresink      (Audio/Source "Plateau")
//! ```
//!
//! The pictures keep the canvas's size and rate; the sound is 48 kHz.

use std::path::{Path, PathBuf};

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;

/// What apps see the nodes as.
pub const VIRTUAL_DEVICE_NAME: &str = "Plateau";
/// The microphone's rate, and how many samples a cycle of PipeWire's
/// graph carries (its default quantum).
const MIC_RATE: u32 = 48_000;
const MIC_QUANTUM: u32 = 1024;
/// How long after its time a picture or sound is handed to PipeWire: the
/// program's own latency and the jitter of a busy machine fit in it.
const PACING: gst::ClockTime = gst::ClockTime::from_mseconds(100);
/// The PipeWire node names, for tools that target a node by name.
pub const CAMERA_NODE: &str = "plateau-camera";
pub const MICROPHONE_NODE: &str = "plateau-microphone";

/// The program as a camera and a microphone, while it lives.
pub struct VirtualCamera {
    _output: Output,
    loopback: Option<PathBuf>,
}

impl VirtualCamera {
    /// Opens the nodes (and `loopback`, a v4l2loopback device, if given).
    /// Fails with a clear message when PipeWire does not answer.
    pub fn start(feeds: impl AsRef<Feeds>, loopback: Option<PathBuf>) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let mut output = Output::new("virtual-camera");
        let video = output.video_input(feeds)?;
        let convert = make("videoconvert")?;
        let tee = make("tee")?;
        let to_pipewire = make("queue")?;
        let camera = pipewire_node(CAMERA_NODE, "Video/Source", "Camera")?;
        let elements = [&leaky_queue()?, &convert, &tee, &to_pipewire, &camera];
        output.pipeline.add_many(elements)?;
        gst::Element::link_many([&video, elements[0], &convert, &tee])?;
        gst::Element::link_many([&tee, &to_pipewire, &camera])?;
        if let Some(device) = &loopback {
            // Loopback devices take YUY2 or I420; browsers read YUY2 best.
            let queue = make("queue")?;
            let convert = make("videoconvert")?;
            let caps = make("capsfilter")?;
            caps.set_property("caps", gst::Caps::builder("video/x-raw").field("format", "YUY2").build());
            let sink = make("v4l2sink")?;
            sink.set_property("device", device);
            sink.set_property("sync", false);
            output.pipeline.add_many([&queue, &convert, &caps, &sink])?;
            gst::Element::link_many([&tee, &queue, &convert, &caps, &sink])?;
        }
        let audio = output.audio_input(feeds)?;
        let aconvert = make("audioconvert")?;
        let resample = make("audioresample")?;
        let format = make("capsfilter")?;
        format.set_property(
            "caps",
            gst::Caps::builder("audio/x-raw").field("format", "F32LE").field("rate", MIC_RATE as i32).build(),
        );
        // The node drives PipeWire's graph (provide mode): every buffer is a
        // cycle, so each must be one whole quantum, or the graph runs on
        // partly empty cycles (heard as gaps, and faster than time).
        let split = make("audiobuffersplit")?;
        split.set_property("output-buffer-duration", gst::Fraction::new(MIC_QUANTUM as i32, MIC_RATE as i32));
        let microphone = pipewire_node(MICROPHONE_NODE, "Audio/Source", "Microphone")?;
        let audio_queue = make("queue")?;
        output.pipeline.add_many([&audio_queue, &aconvert, &resample, &format, &split, &microphone])?;
        gst::Element::link_many([&audio, &audio_queue, &aconvert, &resample, &format, &split, &microphone])?;
        output.start().map_err(|e| match e {
            EngineError::Start { message, .. } => EngineError::Start {
                what: "the virtual camera".into(),
                message: format!("{message} (is PipeWire running?)"),
            },
            other => other,
        })?;
        tracing::info!(loopback = ?loopback, "virtual camera and microphone on");
        Ok(Self { _output: output, loopback })
    }

    /// The v4l2loopback device it also writes to, if any.
    pub fn loopback(&self) -> Option<&Path> {
        self.loopback.as_deref()
    }
}

/// A PipeWire node other apps can link to: `class` is its media class.
fn pipewire_node(name: &str, class: &str, role: &str) -> Result<gst::Element, EngineError> {
    let sink = make("pipewiresink")?;
    sink.set_property_from_str("mode", "provide");
    sink.set_property("client-name", VIRTUAL_DEVICE_NAME);
    let properties = gst::Structure::builder("properties")
        .field("media.class", class)
        .field("node.name", name)
        .field("node.description", VIRTUAL_DEVICE_NAME)
        .field("media.role", role);
    let properties = match class {
        "Audio/Source" => properties.field("node.latency", format!("{MIC_QUANTUM}/{MIC_RATE}")),
        _ => properties,
    };
    let properties = properties.build();
    sink.set_property("stream-properties", properties);
    // Each buffer is handed over at its time (plus PACING), one graph cycle
    // apart: handed over as they came (in bursts when the machine is busy),
    // two buffers back to back left a cycle of the microphone empty now
    // and then (a 21 ms gap heard by the app reading it).
    sink.set_property("sync", true);
    sink.set_property("ts-offset", PACING.nseconds() as i64);
    Ok(sink)
}

fn leaky_queue() -> Result<gst::Element, EngineError> {
    let queue = make("queue")?;
    queue.set_property_from_str("leaky", "downstream");
    queue.set_property("max-size-buffers", 4u32);
    queue.set_property("max-size-time", 0u64);
    queue.set_property("max-size-bytes", 0u32);
    Ok(queue)
}

/// The first v4l2loopback device under `sysfs` (`/sys/class/video4linux`),
/// known by the name the module gives its cards.
pub fn find_loopback_device(sysfs: &Path) -> Option<PathBuf> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(sysfs)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let card = std::fs::read_to_string(entry.path().join("name")).ok()?;
            let card = card.trim().to_ascii_lowercase();
            let loopback = card.contains("loopback") || card.starts_with("dummy video device");
            let node = entry.file_name().into_string().ok()?;
            loopback.then(|| (node.clone(), Path::new("/dev").join(node)))
        })
        .collect();
    found.sort();
    found.into_iter().next().map(|(_, device)| device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_device_is_known_by_its_card_name() {
        let sysfs = tempfile::tempdir().unwrap();
        let card = |node: &str, name: &str| {
            std::fs::create_dir(sysfs.path().join(node)).unwrap();
            std::fs::write(sysfs.path().join(node).join("name"), format!("{name}\n")).unwrap();
        };
        assert_eq!(find_loopback_device(sysfs.path()), None);
        card("video0", "Integrated Camera: Integrated C");
        assert_eq!(find_loopback_device(sysfs.path()), None);
        card("video4", "Dummy video device (0x0000)");
        card("video2", "OBS Virtual Camera (v4l2loopback)");
        assert_eq!(find_loopback_device(sysfs.path()), Some(PathBuf::from("/dev/video2")));
        assert_eq!(find_loopback_device(Path::new("/nonexistent/plateau")), None);
    }
}
