//! X11 screen capture on a real X server (Xvfb) with a window of a known colour.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::desktop::{start_xvfb, Guard};

use common::*;
use plateau::engine::{Studio, VideoTap};
use plateau::model::{Region, Source, SourceKind};

/// Opens a 320x240 window filled with green at the top-left corner.
fn green_window(display: &str) -> Guard {
    let child = Command::new("gst-launch-1.0")
        .env("DISPLAY", display)
        .args([
            "-q",
            "videotestsrc",
            "pattern=green",
            "is-live=true",
            "!",
            "video/x-raw,width=320,height=240",
        ])
        .args(["!", "ximagesink", &format!("display={display}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gst-launch-1.0 runs (install the package gstreamer1.0-tools)");
    Guard(child)
}

fn capture(display: &str, region: Option<Region>) -> plateau::model::SceneCollection {
    let mut c = collection();
    c.sources = vec![Source::new(
        "screen",
        "Screen",
        SourceKind::ScreenX11 { display: Some(display.into()), region, show_pointer: false },
    )];
    c.scenes = vec![scene("Main", vec![item(1, "screen", 0, 0, 640, 360)])];
    c
}

#[test]
fn a_window_of_a_known_colour_appears_in_the_captured_layer() {
    init_tracing();
    let (_xvfb, display) = start_xvfb("1280x720x24");
    let _window = green_window(&display);

    let studio = Studio::start(capture(&display, None), None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    // The 1280x720 screen is scaled to the 640x360 canvas: the window covers
    // (0,0)-(160,120) there.
    let f = frame_where(&tap, Duration::from_secs(10), |f| near(f.pixel(80, 60), GREEN, 40))
        .expect("the green window shows in the program");
    assert!(near(f.pixel(150, 110), GREEN, 40), "{:?}", f.pixel(150, 110));
    assert!(!near(f.pixel(400, 250), GREEN, 80), "outside the window is not green");

    // A region capture of the window alone fills the whole layer.
    drop(tap);
    studio.stop();
    let region = Region { x: 0, y: 0, width: 320, height: 240 };
    let studio = Studio::start(capture(&display, Some(region)), None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    let f = frame_where(&tap, Duration::from_secs(10), |f| near(f.pixel(320, 180), GREEN, 40))
        .expect("the region shows");
    assert!(near(f.pixel(600, 340), GREEN, 40), "the region fills the canvas: {:?}", f.pixel(600, 340));
}

#[test]
fn a_display_that_cannot_be_opened_fails_the_source_only() {
    init_tracing();
    let studio = Studio::start(capture(":987", None), None).expect("studio starts");
    let event = event_where(&studio, Duration::from_secs(5), |e| {
        matches!(e, plateau::engine::Event::SourceFailed { .. })
    })
    .expect("the capture fails with an event");
    let plateau::engine::Event::SourceFailed { name, .. } = event else { unreachable!() };
    assert_eq!(name, "Screen");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    assert!(tap.next(Duration::from_secs(2)).is_some(), "the program goes on");
}

#[test]
fn without_a_desktop_portal_the_wayland_capture_fails_with_a_clear_cause() {
    init_tracing();
    // This machine runs no xdg-desktop-portal: the request goes out on the
    // session bus (or finds none) and must come back as a source failure.
    let mut c = collection();
    c.sources = vec![Source::new(
        "wayland",
        "Wayland screen",
        SourceKind::ScreenPortal { restore_token: Some("old-token".into()) },
    )];
    c.scenes = vec![scene("Main", vec![item(1, "wayland", 0, 0, 640, 360)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let event = event_where(&studio, Duration::from_secs(30), |e| {
        matches!(e, plateau::engine::Event::SourceFailed { .. })
    })
    .expect("the capture fails with an event");
    let plateau::engine::Event::SourceFailed { name, cause, .. } = event else { unreachable!() };
    assert_eq!(name, "Wayland screen");
    assert!(cause.contains("portal"), "the cause names the portal: {cause}");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    let f = frame_where(&tap, Duration::from_secs(5), |f| f.pixel(10, 10)[0] < 90 && f.pixel(10, 10)[0] > 20)
        .expect("the placeholder shows");
    assert!(f.width == 640);
    let saved = studio.collection().expect("collection");
    assert_eq!(
        saved.sources[0].kind,
        SourceKind::ScreenPortal { restore_token: Some("old-token".into()) },
        "a refused request keeps the token it had"
    );
}
