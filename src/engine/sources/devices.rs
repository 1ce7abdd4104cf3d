//! Cameras and sound inputs, as GStreamer's device monitor sees them.

use gst::prelude::*;

use crate::engine::error::{make, EngineError};

/// A device a source can open.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    pub name: String,
    /// `Video/Source` or `Audio/Source`.
    pub class: String,
    /// The device node (`/dev/video0`) or node name, when the provider says it.
    pub path: Option<String>,
}

fn probe(class: &str) -> Vec<gst::Device> {
    let monitor = gst::DeviceMonitor::new();
    monitor.add_filter(Some(class), None);
    if monitor.start().is_err() {
        return Vec::new();
    }
    let devices = monitor.devices().into_iter().collect();
    monitor.stop();
    devices
}

fn path_of(device: &gst::Device) -> Option<String> {
    // PulseAudio's devices: the name its sinks and sources are opened by.
    if device.has_property_with_type("internal-name", gst::glib::Type::STRING) {
        if let Some(name) = device.property::<Option<String>>("internal-name") {
            return Some(name);
        }
    }
    let props = device.properties()?;
    ["device.path", "api.v4l2.path", "object.path", "node.name", "device.name"]
        .iter()
        .find_map(|k| props.get::<String>(*k).ok())
}

/// The cameras (`Video/Source`), sound inputs (`Audio/Source`) or outputs
/// (`Audio/Sink`) present now.
pub fn list(class: &str) -> Vec<DeviceInfo> {
    probe(class)
        .iter()
        .map(|d| DeviceInfo {
            name: d.display_name().into(),
            class: d.device_class().into(),
            path: path_of(d),
        })
        .collect()
}

fn find(class: &str, wanted: Option<&str>) -> Result<gst::Device, EngineError> {
    let devices = probe(class);
    let kind = if class.starts_with("Video") { "camera" } else { "sound input" };
    let found = match wanted {
        None => devices.into_iter().next(),
        Some(w) => devices.into_iter().find(|d| d.display_name() == w || path_of(d).as_deref() == Some(w)),
    };
    found.ok_or_else(|| EngineError::Start {
        what: kind.into(),
        message: match wanted {
            Some(w) => format!("{kind} `{w}` is not connected"),
            None => format!("no {kind} is connected"),
        },
    })
}

/// An opened camera and the caps to ask it for.
pub(crate) struct Camera {
    pub element: gst::Element,
    pub caps: gst::Caps,
}

/// Opens a camera by path or name and picks the mode closest to the wanted
/// size and rate; raw modes win ties over MJPEG, which is decoded.
pub(crate) fn open_camera(
    wanted: Option<&str>,
    width: u32,
    height: u32,
    fps: u32,
) -> Result<Camera, EngineError> {
    // A device path is opened directly, so that a camera the monitor does not
    // list (or one behind a portal) still works.
    if let Some(path) = wanted.filter(|w| w.starts_with("/dev/")) {
        if !std::path::Path::new(path).exists() {
            return Err(EngineError::Start {
                what: "camera".into(),
                message: format!("{path} is not connected"),
            });
        }
        let element = make("v4l2src")?;
        element.set_property("device", path);
        let caps = best_mode(
            &element.static_pad("src").map(|p| p.query_caps(None)).unwrap_or_else(gst::Caps::new_any),
            width,
            height,
            fps,
        );
        return Ok(Camera { element, caps });
    }
    let device = find("Video/Source", wanted)?;
    let element = device
        .create_element(None)
        .map_err(|e| EngineError::Start { what: "camera".into(), message: e.to_string() })?;
    let caps = best_mode(&device.caps().unwrap_or_else(gst::Caps::new_any), width, height, fps);
    Ok(Camera { element, caps })
}

pub(crate) fn open_microphone(wanted: Option<&str>) -> Result<gst::Element, EngineError> {
    if wanted.is_none() {
        if let Ok(e) = make("pulsesrc") {
            return Ok(e);
        }
        return make("autoaudiosrc");
    }
    find("Audio/Source", wanted)?
        .create_element(None)
        .map_err(|e| EngineError::Start { what: "sound input".into(), message: e.to_string() })
}

/// The fixed caps among `offered` closest to the wanted mode.
pub fn best_mode(offered: &gst::Caps, width: u32, height: u32, fps: u32) -> gst::Caps {
    let mut best: Option<(u64, gst::Caps)> = None;
    for s in offered.iter() {
        let name = s.name().as_str();
        if name != "video/x-raw" && name != "image/jpeg" {
            continue;
        }
        let mut s = s.to_owned();
        s.fixate_field_nearest_int("width", width as i32);
        s.fixate_field_nearest_int("height", height as i32);
        s.fixate_field_nearest_fraction("framerate", gst::Fraction::new(fps as i32, 1));
        let w = s.get::<i32>("width").unwrap_or(0) as i64;
        let h = s.get::<i32>("height").unwrap_or(0) as i64;
        let f = s
            .get::<gst::Fraction>("framerate")
            .map(|f| f.numer() as i64 / f.denom().max(1) as i64)
            .unwrap_or(0);
        let mut cost = ((w - width as i64).abs() + (h - height as i64).abs()) as u64 * 100
            + (f - fps as i64).unsigned_abs() * 1000;
        if name == "image/jpeg" {
            cost += 1;
        }
        let mut caps = gst::Caps::new_empty();
        caps.make_mut().append_structure(s);
        caps.fixate();
        if best.as_ref().is_none_or(|(c, _)| cost < *c) {
            best = Some((cost, caps));
        }
    }
    best.map(|(_, c)| c).unwrap_or_else(|| gst::Caps::new_empty_simple("video/x-raw"))
}
