//! OBS Studio scene collections imported: a fixture written as OBS 30
//! writes `basic/scenes/NAME.json` (the layout of `obs_scene_save` in
//! libobs/obs-scene.c and of each source's `obs_data` settings), read into
//! a collection whose program is rendered by the real engine and checked
//! at the places OBS puts each item; and the command line's import.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use plateau::engine::{Frame, Studio, VideoTap};
use plateau::model::{FilterKind, SourceKind, VideoSettings};
use serde_json::{json, Value};

fn source(name: &str, id: &str, settings: Value) -> Value {
    json!({ "name": name, "id": id, "versioned_id": id, "uuid": format!("uuid-{name}"), "settings": settings,
            "mixers": 255, "sync": 0, "flags": 0, "volume": 1.0, "balance": 0.5, "enabled": true, "muted": false,
            "push-to-mute": false, "push-to-talk": false, "deinterlace_mode": 0, "monitoring_type": 0,
            "private_settings": {}, "prev_ver": 503316480, "filters": [] })
}

/// A scene item as OBS saves it; `extra` overrides its transform.
fn item(name: &str, id: u64, extra: Value) -> Value {
    let mut item = json!({ "name": name, "source_uuid": format!("uuid-{name}"), "visible": true, "locked": false,
        "rot": 0.0, "pos": { "x": 0.0, "y": 0.0 }, "scale": { "x": 1.0, "y": 1.0 }, "align": 5,
        "bounds_type": 0, "bounds_align": 0, "bounds_crop": false, "bounds": { "x": 0.0, "y": 0.0 },
        "crop_left": 0, "crop_top": 0, "crop_right": 0, "crop_bottom": 0, "id": id, "group_item_backup": false,
        "scale_filter": "disable", "blend_method": "default", "blend_type": "normal",
        "show_transition": { "duration": 0 }, "hide_transition": { "duration": 0 }, "private_settings": {} });
    for (k, v) in extra.as_object().expect("an object") {
        item[k] = v.clone();
    }
    item
}

fn scene(name: &str, items: Vec<Value>) -> Value {
    let mut s =
        source(name, "scene", json!({ "id_counter": items.len(), "custom_size": false, "items": items }));
    s["mixers"] = json!(0);
    s
}

/// Every kind Plateau maps, and some it does not.
fn fixture(dir: &Path) -> Value {
    let logo = dir.join("logo.png");
    let status = Command::new("convert")
        .args(["-size", "160x80", "xc:#ffff00"])
        .arg(&logo)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success());
    let clip = green_then_blue_clip(dir);
    let mut mic = source("Mic", "pulse_input_capture", json!({ "device_id": "default" }));
    mic["volume"] = json!(0.5);
    mic["muted"] = json!(true);
    mic["filters"] = json!([
        { "name": "Gain", "id": "gain_filter", "versioned_id": "gain_filter", "enabled": true, "settings": { "db": 6.0 } },
        { "name": "Noise", "id": "noise_suppress_filter_v2", "versioned_id": "noise_suppress_filter_v2", "enabled": false, "settings": {} },
    ]);
    let mut cam = source(
        "Cam",
        "v4l2_input",
        json!({ "device_id": "/dev/video-plateau-none", "resolution": (640 << 16) | 480 }),
    );
    cam["filters"] = json!([
        { "name": "Scroll", "id": "scroll_filter", "versioned_id": "scroll_filter", "enabled": true, "settings": { "speed_x": 10.0 } },
        { "name": "Key", "id": "chroma_key_filter_v2", "versioned_id": "chroma_key_filter_v2", "enabled": true,
          "settings": { "key_color_type": "blue", "similarity": 300, "smoothness": 50 } },
    ]);
    let main = scene(
        "Main",
        vec![
            item("Backdrop", 1, json!({})),
            // Centre-aligned at the canvas's middle, half size: 100x50.
            item(
                "Red box",
                2,
                json!({ "pos": { "x": 320.0, "y": 180.0 }, "scale": { "x": 0.5, "y": 0.5 }, "align": 0 }),
            ),
            // Bottom-right at the canvas's corner, 20 cropped on the left.
            item(
                "Blue box",
                3,
                json!({ "pos": { "x": 640.0, "y": 360.0 }, "align": 10, "crop_left": 20, "locked": true }),
            ),
            // Fitted in a 100x100 box at (20,20), centred in it: 100x50 at (20,45).
            item(
                "Logo",
                4,
                json!({ "pos": { "x": 20.0, "y": 20.0 }, "bounds_type": 2, "bounds": { "x": 100.0, "y": 100.0 } }),
            ),
            item("Clip", 5, json!({ "pos": { "x": 400.0, "y": 20.0 } })),
            item("Title", 6, json!({ "pos": { "x": 20.0, "y": 280.0 }, "visible": false })),
            item("A group", 7, json!({})),
            item("Tilted", 8, json!({ "pos": { "x": 600.0, "y": 10.0 }, "rot": 45.0 })),
        ],
    );
    let second = scene(
        "Second",
        vec![
            item("Cam", 1, json!({})),
            item("Screen", 2, json!({})),
            item("Portal", 3, json!({})),
            item("Mic", 4, json!({})),
            item("Desktop Audio", 5, json!({})),
            item("Web", 6, json!({})),
        ],
    );
    let mut group = source("A group", "group", json!({ "items": [] }));
    group["mixers"] = json!(0);
    json!({
        "current_scene": "Main", "current_program_scene": "Main", "name": "My OBS Show",
        "scene_order": [ { "name": "Main" }, { "name": "Second" } ],
        "sources": [
            second,
            source("Backdrop", "color_source_v3", json!({ "color": 0xff40_4040u32, "width": 640, "height": 360 })),
            source("Red box", "color_source_v3", json!({ "color": 0xff00_00ffu32, "width": 200, "height": 100 })),
            source("Blue box", "color_source_v3", json!({ "color": 0xffff_0000u32, "width": 100, "height": 100 })),
            source("Tilted", "color_source_v3", json!({ "color": 0xffff_ffffu32, "width": 10, "height": 10 })),
            source("Logo", "image_source", json!({ "file": logo })),
            source("Clip", "ffmpeg_source", json!({ "local_file": clip, "is_local_file": true, "looping": true })),
            source("Title", "text_ft2_source_v2", json!({ "text": "Hello", "outline": true,
                "font": { "face": "DejaVu Sans", "size": 48, "style": "Bold", "flags": 1 }, "color1": 0xffff_ffffu32 })),
            cam,
            source("Screen", "xshm_input", json!({ "screen": 0, "show_cursor": false })),
            source("Portal", "pipewire-desktop-capture-source", json!({ "RestoreToken": "abc" })),
            mic,
            source("Desktop Audio", "pulse_output_capture", json!({ "device_id": "default" })),
            source("Web", "browser_source", json!({ "url": "https://obsproject.com/browser-source" })),
            source("Slides", "slideshow", json!({ "files": [ { "value": dir, "hidden": false, "selected": false } ],
                "slide_time": 2000, "transition": "fade", "transition_speed": 500, "randomize": true })),
            group,
            main,
        ],
        "groups": [], "quick_transitions": [], "transitions": [], "saved_projectors": [],
        "current_transition": "Fade", "transition_duration": 300, "preview_locked": false, "scaling_enabled": false,
        "scaling_level": 0, "scaling_off_x": 0.0, "scaling_off_y": 0.0, "modules": {},
    })
}

fn rgb(f: &Frame, x: usize, y: usize) -> [u8; 3] {
    let p = f.pixel(x, y);
    [p[0], p[1], p[2]]
}

#[test]
fn an_obs_collection_renders_each_item_where_obs_puts_it_and_says_what_it_left_out() {
    init_tracing();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("My OBS Show.json");
    std::fs::write(&file, fixture(dir.path()).to_string()).unwrap();
    let imported =
        plateau::import::import_obs_file(&file, VideoSettings { width: 640, height: 360, fps: 30 })
            .expect("imported");
    let c = &imported.collection;
    for line in &imported.skipped {
        eprintln!("skipped: {line}");
    }
    assert_eq!(c.name, "My OBS Show");
    assert_eq!(c.scenes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Main", "Second"]);
    // What was left out is said, each once.
    let said = |what: &str| imported.skipped.iter().filter(|l| l.contains(what)).count();
    assert_eq!(
        said("“Web” (browser_source): browser sources are not supported"),
        1,
        "{:?}",
        imported.skipped
    );
    assert_eq!(said("“A group” (group)"), 1, "{:?}", imported.skipped);
    assert_eq!(
        said("filter “Scroll” on “Cam”: this kind of filter (scroll_filter)"),
        1,
        "{:?}",
        imported.skipped
    );
    assert_eq!(said("“Tilted” in scene “Main”: rotated items show unrotated"), 1, "{:?}", imported.skipped);
    assert_eq!(imported.skipped.len(), 4, "{:?}", imported.skipped);
    // Kinds, settings, sound and filters carried over.
    let kind =
        |name: &str| &c.sources.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no {name}")).kind;
    assert!(
        matches!(kind("Cam"), SourceKind::Webcam { device: Some(d), width: 640, height: 480, .. } if d == "/dev/video-plateau-none")
    );
    assert!(matches!(kind("Screen"), SourceKind::ScreenX11 { show_pointer: false, .. }));
    assert!(matches!(kind("Portal"), SourceKind::ScreenPortal { .. }));
    assert!(matches!(kind("Mic"), SourceKind::AudioInput { device: None }));
    assert!(matches!(kind("Desktop Audio"), SourceKind::DesktopAudio));
    assert!(matches!(kind("Clip"), SourceKind::Media { looping: true, .. }));
    assert!(
        matches!(kind("Slides"), SourceKind::Slideshow { folder: Some(f), seconds, order: plateau::model::SlideOrder::Random, fade_ms: 500, .. }
        if f == dir.path() && *seconds == 2.0)
    );
    assert!(
        matches!(kind("Title"), SourceKind::Text { font, size: 48, outline: true, .. } if font == "DejaVu Sans Bold")
    );
    let mic = c.sources.iter().find(|s| s.name == "Mic").unwrap();
    assert_eq!((mic.volume, mic.muted), (0.5, true));
    assert_eq!(mic.filters.len(), 2);
    assert!(matches!(mic.filters[0].kind, FilterKind::Gain { db } if db == 6.0) && mic.filters[0].enabled);
    assert!(matches!(mic.filters[1].kind, FilterKind::NoiseSuppression) && !mic.filters[1].enabled);
    let cam = c.sources.iter().find(|s| s.name == "Cam").unwrap();
    assert!(
        matches!(cam.filters[..], [plateau::model::Filter { kind: FilterKind::ChromaKey { similarity, .. }, .. }] if similarity == 0.3)
    );
    let main = &c.scenes[0];
    let by_name = |name: &str| {
        let id = &c.sources.iter().find(|s| s.name == name).unwrap().id;
        main.items.iter().find(|i| &i.source == id).unwrap_or_else(|| panic!("no item for {name}"))
    };
    assert!(!by_name("Title").visible && by_name("Blue box").locked);
    let placed = |name: &str| {
        let i = by_name(name);
        (i.x, i.y, i.width, i.height)
    };
    assert_eq!(placed("Red box"), (270, 155, 100, 50));
    assert_eq!(placed("Blue box"), (560, 260, 80, 100));
    assert_eq!(placed("Logo"), (20, 45, 100, 50));
    assert_eq!(placed("Clip"), (400, 20, 160, 90), "the clip's size comes from the file");

    // The program, rendered: each colour at its place.
    let studio = Studio::start(imported.collection.clone(), Some("Main")).expect("studio starts");
    let tap = VideoTap::start(&studio, 32).expect("tap");
    let grey = [0x40, 0x40, 0x40];
    let checks: [(&str, (usize, usize), [u8; 3]); 9] = [
        ("backdrop", (5, 5), grey),
        ("red box middle", (320, 180), [255, 0, 0]),
        ("red box's left edge, inside", (273, 158), [255, 0, 0]),
        ("left of the red box", (265, 180), grey),
        ("blue box", (600, 300), [0, 0, 255]),
        ("left of the blue box", (555, 300), grey),
        ("logo", (70, 70), [255, 255, 0]),
        ("above the logo, inside its bounds", (70, 40), grey),
        ("clip", (480, 65), [0, 255, 0]),
    ];
    let seen = frame_where(&tap, Duration::from_secs(8), |f| {
        checks.iter().all(|(_, (x, y), want)| near(f.pixel(*x, *y), *want, 40))
    });
    if seen.is_none() {
        let f = tap.next(Duration::from_secs(1)).expect("a frame");
        let wrong: Vec<_> = checks
            .iter()
            .filter(|(_, (x, y), want)| !near(f.pixel(*x, *y), *want, 40))
            .map(|(what, at, want)| format!("{what} at {at:?}: {:?}, not {want:?}", rgb(&f, at.0, at.1)))
            .collect();
        panic!("the program is not laid out as OBS lays it out: {wrong:?}");
    }
    studio.stop();
}

#[test]
fn the_command_line_imports_into_the_collections_and_refuses_what_is_not_obs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("show.json");
    std::fs::write(&file, fixture(dir.path()).to_string()).unwrap();
    let config = dir.path().join("config");
    let run = |file: &Path| {
        Command::new(env!("CARGO_BIN_EXE_plateau"))
            .arg("--import-obs")
            .arg(file)
            .args(["--canvas", "640x360"])
            .env("XDG_CONFIG_HOME", &config)
            .output()
            .unwrap()
    };
    for expected in ["My OBS Show", "My OBS Show 2"] {
        let out = run(&file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let saved = config.join(format!("plateau/collections/{expected}.json"));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), saved.display().to_string());
        let c = plateau::model::load_collection(&saved).expect("the saved collection loads");
        assert_eq!((c.name.as_str(), c.video.width, c.scenes.len()), (expected, 640, 2));
        assert!(stderr.contains("not carried over: “Web” (browser_source)"), "{stderr}");
    }
    // Not OBS: one line, a failure, nothing written.
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"version": 1, "name": "x"}"#).unwrap();
    let out = run(&other);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("not an OBS scene collection"), "{stderr}");
    let out = run(&dir.path().join("missing.json"));
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("missing.json"));
    let kept: Vec<_> = std::fs::read_dir(config.join("plateau/collections")).unwrap().collect();
    assert_eq!(kept.len(), 2, "a refused import wrote something");
}
