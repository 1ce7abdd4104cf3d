//! Every number of every source kind, item and canvas set to its limits
//! and beyond: each collection either loads and runs a second with the
//! program making frames, or is refused with a message naming the field.
//! Never a panic, never an abort. (Table-driven; the engine really runs.)

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use plateau::engine::{Event, Studio};
use serde_json::{json, Value};

/// A small show with a source of every kind that has numbers.
fn base() -> Value {
    json!({ "version": 1, "name": "Limits", "video": { "width": 320, "height": 180, "fps": 30 },
      "audio": { "sample_rate": 48000, "channels": 2 },
      "sources": [
        { "id": "tone", "name": "Tone", "kind": "tone", "frequency": 440, "volume": 1.0, "filters": [
          { "filter": "noise_gate", "threshold_db": -60 }, { "filter": "compressor", "threshold_db": -20, "ratio": 4 },
          { "filter": "gain", "db": 0 }, { "filter": "equalizer", "low_db": 0 } ] },
        { "id": "text", "name": "Text", "kind": "text", "text": "Limits", "size": 20, "width": 200, "height": 40, "filters": [
          { "filter": "chroma_key", "similarity": 0.4, "smoothness": 0.1 }, { "filter": "color_correction", "gamma": 1 },
          { "filter": "blur", "radius": 1 }, { "filter": "rotate", "degrees": 180 } ] },
        { "id": "chat", "name": "Chat", "kind": "chat", "size": 20, "width": 200, "height": 60, "lines": 3 },
        { "id": "cam", "name": "Cam", "kind": "webcam", "device": "/dev/plateau-no-such-camera", "width": 640, "height": 360, "fps": 30 },
        { "id": "screen", "name": "Screen", "kind": "screen-x11", "display": ":plateau-none", "region": { "x": 0, "y": 0, "width": 100, "height": 100 } },
        { "id": "red", "name": "Red", "kind": "color", "color": "#ff0000" },
        { "id": "ticker", "name": "Ticker", "kind": "text", "text": "News", "size": 20, "width": 200, "height": 40,
          "motion": { "kind": "ticker", "speed": 100 } },
        { "id": "countdown", "name": "Countdown", "kind": "text", "text": "%M:%S", "size": 20, "width": 200, "height": 40,
          "motion": { "kind": "countdown", "to": { "seconds": 60 }, "at_zero": "Go" } } ],
      "scenes": [ { "name": "Main", "items": [
        { "id": 1, "source": "red", "x": 0, "y": 0, "width": 320, "height": 180, "crop": { "left": 1, "top": 1, "right": 1, "bottom": 1 }, "opacity": 1.0 },
        { "id": 2, "source": "text", "x": 10, "y": 10, "width": 200, "height": 40, "crop": { "left": 1, "top": 0, "right": 0, "bottom": 0 } },
        { "id": 3, "source": "chat", "x": 10, "y": 60, "width": 200, "height": 60 },
        { "id": 4, "source": "tone", "x": 0, "y": 0, "width": 0, "height": 0 },
        { "id": 5, "source": "ticker", "x": 10, "y": 130, "width": 200, "height": 40 },
        { "id": 6, "source": "countdown", "x": 110, "y": 130, "width": 200, "height": 40 } ] } ] })
}

/// Where each number lives (a JSON pointer) and the name its message must give.
const FIELDS: &[(&str, &str)] = &[
    ("/video/width", "width"),
    ("/video/height", "height"),
    ("/video/fps", "fps"),
    ("/audio/sample_rate", "sample_rate"),
    ("/audio/channels", "channels"),
    ("/sources/0/frequency", "frequency"),
    ("/sources/0/volume", "volume"),
    ("/sources/1/size", "size"),
    ("/sources/1/width", "width"),
    ("/sources/1/height", "height"),
    ("/sources/2/size", "size"),
    ("/sources/2/lines", "lines"),
    ("/sources/3/width", "width"),
    ("/sources/3/height", "height"),
    ("/sources/3/fps", "fps"),
    ("/sources/4/region/x", "x"),
    ("/sources/4/region/width", "width"),
    ("/sources/6/motion/speed", "motion.speed"),
    ("/sources/7/motion/to/seconds", "motion.to.seconds"),
    ("/sources/0/filters/0/threshold_db", "threshold_db"),
    ("/sources/0/filters/1/ratio", "ratio"),
    ("/sources/0/filters/2/db", "db"),
    ("/sources/0/filters/3/low_db", "low_db"),
    ("/sources/1/filters/0/similarity", "similarity"),
    ("/sources/1/filters/1/gamma", "gamma"),
    ("/sources/1/filters/2/radius", "radius"),
    ("/sources/1/filters/3/degrees", "degrees"),
    ("/scenes/0/items/1/crop/left", "left"),
    ("/scenes/0/items/0/x", "x"),
    ("/scenes/0/items/0/y", "y"),
    ("/scenes/0/items/0/width", "width"),
    ("/scenes/0/items/0/height", "height"),
    ("/scenes/0/items/0/crop/left", "left"),
    ("/scenes/0/items/0/crop/bottom", "bottom"),
    ("/scenes/0/items/0/opacity", "opacity"),
];

/// The values every field is tried with: limits of the JSON types and of
/// the machine, and a few ordinary ones.
fn values() -> Vec<Value> {
    vec![
        json!(-1),
        json!(0),
        json!(0.5),
        json!(1),
        json!(16_384),
        json!(65_536),
        json!(2_147_483_648u64),
        json!(4_294_967_296u64),
        json!(1e300),
        json!(-1e300),
        json!("12"),
        json!(null),
    ]
}

/// Runs a collection for a second: the frames the program made.
fn run_a_second(c: plateau::model::SceneCollection) -> (u64, f64) {
    let studio = Studio::start(c, None).expect("a collection that loads starts");
    let events = studio.events();
    let end = Instant::now() + Duration::from_millis(1300);
    let (mut frames, mut fps) = (0, 0.0);
    while Instant::now() < end {
        match events.try_recv() {
            Ok(Event::Stats(s)) => (frames, fps) = (s.frames, s.fps),
            Ok(_) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    studio.stop();
    (frames, fps)
}

#[test]
fn every_number_at_its_limits_runs_or_is_refused_by_name() {
    common::init_tracing();
    let (mut refused, mut ran) = (0, 0);
    let mut slow = Vec::new();
    for (pointer, name) in FIELDS {
        for value in values() {
            let mut doc = base();
            *doc.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer} is in the base")) = value.clone();
            let what = format!("{pointer} = {value}");
            match plateau::model::collection_from_text(&doc.to_string(), Path::new("limits.json")) {
                Err(e) => {
                    refused += 1;
                    let message = e.to_string();
                    assert!(message.contains(name), "{what}: refused without naming `{name}`: {message}");
                }
                Ok(c) => {
                    ran += 1;
                    let rate = f64::from(c.video.fps);
                    let (frames, fps) = run_a_second(c);
                    assert!(frames > 0, "{what}: loaded, but the program made no frame");
                    // Full rate: the canvas's own rate (a 1 fps canvas makes 1 a second).
                    if fps < 0.8 * rate {
                        slow.push(format!("{what}: {fps:.1} of {rate} fps"));
                    }
                }
            }
        }
    }
    eprintln!("{} cases: {refused} refused by name, {ran} ran a second", refused + ran);
    eprintln!("below 80 % of the canvas's rate: {slow:?}");
    assert!(ran > 0 && refused > 0);
    assert!(slow.is_empty(), "the program was slow with: {slow:?}");
}
