//! A failing source stays its own: the program keeps its frame rate, the
//! layer shows the placeholder, an event names the source and the cause.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use plateau::engine::{Event, Studio, VideoTap};
use plateau::model::{Source, SourceKind};

/// The placeholder is dark grey with light text.
fn is_placeholder(p: [u8; 4]) -> bool {
    p[0] < 90 && p[1] < 90 && p[2] < 90 && p[0].abs_diff(p[2]) < 12
}

fn media_source(path: &Path) -> Source {
    Source::new("clip", "Clip", SourceKind::Media { path: path.to_owned(), looping: true })
}

/// A real 10 s H.264 file made with GStreamer: a green picture and a tone.
fn make_clip(dir: &Path) -> PathBuf {
    let path = dir.join("clip.mkv");
    let status = Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "num-buffers=300", "pattern=green", "!"])
        .args([
            "video/x-raw,width=320,height=180,framerate=30/1",
            "!",
            "x264enc",
            "speed-preset=ultrafast",
            "!",
        ])
        .args(["matroskamux", "name=m", "!", "filesink"])
        .arg(format!("location={}", path.display()))
        .args(["audiotestsrc", "num-buffers=470", "!", "audioconvert", "!", "vorbisenc", "!", "m."])
        .status()
        .expect("gst-launch-1.0 runs (package gstreamer1.0-tools)");
    assert!(status.success(), "the test clip was made");
    path
}

/// Counts the program frames whose timestamps fall in a `span` after the
/// next frame, and checks that no frame is missing between them.
fn count_frames(tap: &VideoTap, span: Duration) -> usize {
    tap.drain();
    let first = tap.next(Duration::from_secs(2)).expect("frames come").clock_time;
    let end = first + span.as_nanos() as u64;
    let (mut n, mut last) = (1, first);
    while let Some(f) = tap.next(Duration::from_secs(2)) {
        if f.clock_time >= end {
            break;
        }
        assert!(
            f.clock_time - last < 1_000_000_000 / 20,
            "a gap of {} ms in the program",
            (f.clock_time - last) / 1_000_000
        );
        last = f.clock_time;
        n += 1;
    }
    n
}

fn scene_with_clip(path: &Path) -> plateau::model::SceneCollection {
    let mut c = collection();
    c.sources = vec![color_source("red", RED), media_source(path)];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "clip", 320, 0, 320, 180)])];
    c
}

#[test]
fn a_missing_file_shows_the_placeholder_and_the_program_keeps_its_rate() {
    init_tracing();
    let dir = tempfile::tempdir().expect("temp dir");
    let studio =
        Studio::start(scene_with_clip(&dir.path().join("missing.mkv")), None).expect("studio starts");
    let tap = VideoTap::start(&studio, 256).expect("tap");
    let event = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }))
        .expect("a failure event");
    let Event::SourceFailed { source, name, cause } = event else { unreachable!() };
    assert_eq!((source.as_str(), name.as_str()), ("clip", "Clip"));
    assert!(cause.contains("missing.mkv"), "the cause names the file: {cause}");
    let f = frame_where(&tap, Duration::from_secs(5), |f| is_placeholder(f.pixel(330, 10)))
        .expect("the layer shows the placeholder");
    assert!(near(f.pixel(100, 100), RED, 24), "the rest of the program is untouched");
    let frames = count_frames(&tap, Duration::from_secs(3));
    assert!((89..=91).contains(&frames), "90 frames in 3 s at 30 fps, got {frames}");
}

#[test]
fn a_file_deleted_while_playing_is_reported_and_replaced_without_losing_frames() {
    init_tracing();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = make_clip(dir.path());
    let studio = Studio::start(scene_with_clip(&clip), None).expect("studio starts");
    let tap = VideoTap::start(&studio, 256).expect("tap");
    frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(480, 90), GREEN, 40)).expect("the clip plays");

    std::fs::remove_file(&clip).expect("delete the clip");
    let deleted = Instant::now();
    let event = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }))
        .expect("a failure event");
    let Event::SourceFailed { name, cause, .. } = event else { unreachable!() };
    assert_eq!(name, "Clip");
    assert!(cause.contains("deleted"), "{cause}");
    assert!(deleted.elapsed() < Duration::from_secs(2), "noticed within 2 s");
    frame_where(&tap, Duration::from_secs(5), |f| is_placeholder(f.pixel(330, 10)))
        .expect("placeholder shows");
    let frames = count_frames(&tap, Duration::from_secs(3));
    assert!((89..=91).contains(&frames), "90 frames in 3 s at 30 fps, got {frames}");
}

#[test]
fn a_failed_source_comes_back_by_itself_when_its_file_returns() {
    init_tracing();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = make_clip(dir.path());
    let hidden = dir.path().join("elsewhere.mkv");
    std::fs::rename(&clip, &hidden).expect("hide the clip");
    let studio = Studio::start(scene_with_clip(&clip), None).expect("studio starts");
    let tap = VideoTap::start(&studio, 256).expect("tap");
    event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }))
        .expect("failed");
    std::fs::rename(&hidden, &clip).expect("bring the clip back");
    event_where(&studio, Duration::from_secs(10), |e| matches!(e, Event::SourceRecovered { .. }))
        .expect("the source recovers on its own");
    frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(480, 90), GREEN, 40))
        .expect("the clip plays again");
}

#[test]
fn a_camera_that_is_not_there_fails_like_any_source() {
    init_tracing();
    let mut c = collection();
    c.sources = vec![
        color_source("red", RED),
        Source::new(
            "cam",
            "Camera",
            SourceKind::Webcam {
                device: Some("/dev/video-plateau-test".into()),
                width: 1280,
                height: 720,
                fps: 30,
            },
        ),
    ];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "cam", 0, 0, 320, 180)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 256).expect("tap");
    let event = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }))
        .expect("a failure event");
    let Event::SourceFailed { cause, .. } = event else { unreachable!() };
    assert!(cause.contains("/dev/video-plateau-test"), "{cause}");
    frame_where(&tap, Duration::from_secs(5), |f| {
        is_placeholder(f.pixel(10, 10)) && near(f.pixel(400, 300), RED, 24)
    })
    .expect("placeholder in the camera's place, red around it");
}
