//! Scene switches on the real program: cut, fade and slide, read back from
//! the program's pictures by their timestamps.

mod common;

use std::time::Duration;

use common::*;
use plateau::engine::{Event, Frame, Studio, VideoTap};
use plateau::model::{SceneCollection, Transition};

const FRAME_NS: u64 = 1_000_000_000 / 30;

fn two_scenes() -> SceneCollection {
    let mut c = collection();
    c.sources = vec![color_source("red", RED), color_source("blue", BLUE)];
    c.scenes = vec![
        scene("Red", vec![item(1, "red", 0, 0, 640, 360)]),
        scene("Blue", vec![item(1, "blue", 0, 0, 640, 360)]),
    ];
    c
}

/// Starts on the red scene and waits until the program shows it.
fn start_on_red() -> (Studio, VideoTap) {
    init_tracing();
    let studio = Studio::start(two_scenes(), Some("Red")).expect("studio starts");
    let tap = VideoTap::start(&studio, 256).expect("tap starts");
    frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(320, 180), RED, 24)).expect("red shows");
    (studio, tap)
}

fn transition_start(studio: &Studio) -> (u64, Duration) {
    match event_where(studio, Duration::from_secs(5), |e| matches!(e, Event::TransitionStarted { .. })) {
        Some(Event::TransitionStarted { clock_time, duration, .. }) => (clock_time, duration),
        other => panic!("no transition started: {other:?}"),
    }
}

/// Frames until `until` (absolute clock time) has passed by `extra`.
fn frames_until(tap: &VideoTap, until: u64) -> Vec<Frame> {
    let mut frames = Vec::new();
    while let Some(f) = tap.next(Duration::from_secs(3)) {
        let done = f.clock_time > until;
        frames.push(f);
        if done {
            break;
        }
    }
    frames
}

/// Asserts that the centre's blue never drops (within 6 levels) between
/// `from` and `to`, over about 30 frames a second.
fn blue_never_drops(frames: &[Frame], (from, to): (u64, u64), during: &str) {
    let within: Vec<&Frame> = frames.iter().filter(|f| f.clock_time >= from && f.clock_time <= to).collect();
    assert!(within.len() >= 25, "about 30 frames during a 1 s {during}, got {}", within.len());
    for pair in within.windows(2) {
        assert!(
            u16::from(pair[1].pixel(320, 180)[2]) + 6 >= u16::from(pair[0].pixel(320, 180)[2]),
            "blue never drops during the {during}"
        );
    }
}

#[test]
fn a_cut_changes_the_picture_within_one_frame() {
    let (studio, tap) = start_on_red();
    studio.switch_scene("Blue", Transition::CUT).expect("switch");
    let (at, _) = transition_start(&studio);
    let frames = frames_until(&tap, at + 10 * FRAME_NS);
    let after: Vec<&Frame> = frames.iter().filter(|f| f.clock_time >= at + FRAME_NS).collect();
    assert!(!after.is_empty(), "frames after the cut arrived");
    for f in &after {
        assert!(
            near(f.pixel(320, 180), BLUE, 24),
            "a frame one frame after the cut is not blue: {:?}",
            f.pixel(320, 180)
        );
    }
    let red_before = frames
        .iter()
        .filter(|f| f.clock_time + 3 * FRAME_NS < at && near(f.pixel(320, 180), RED, 24))
        .count();
    let blue_before = frames
        .iter()
        .filter(|f| f.clock_time + 3 * FRAME_NS < at && near(f.pixel(320, 180), BLUE, 24))
        .count();
    assert_eq!(blue_before, 0, "no blue frame before the cut");
    assert!(
        red_before > 0 || frames.first().is_some_and(|f| f.clock_time + 3 * FRAME_NS >= at),
        "red before the cut"
    );
    assert!(
        event_where(&studio, Duration::from_secs(2), |e| *e == Event::ProgramScene("Blue".into())).is_some(),
        "the engine reports the new program scene"
    );
}

#[test]
fn halfway_through_a_fade_the_picture_is_a_blend_of_both_scenes() {
    let (studio, tap) = start_on_red();
    studio.switch_scene("Blue", Transition::fade(1000)).expect("switch");
    let (at, duration) = transition_start(&studio);
    assert_eq!(duration, Duration::from_secs(1));
    let end = at + duration.as_nanos() as u64;
    let frames = frames_until(&tap, end + 5 * FRAME_NS);
    let halfway = at + duration.as_nanos() as u64 / 2;
    let middle = frames.iter().min_by_key(|f| f.clock_time.abs_diff(halfway)).expect("frames");
    assert!(middle.clock_time.abs_diff(halfway) <= FRAME_NS, "a frame near the halfway point arrived");
    let [r, g, b, _] = middle.pixel(320, 180);
    assert!(
        (100..=155).contains(&r) && (100..=155).contains(&b) && g < 30,
        "halfway pixel {r},{g},{b} is not half red, half blue"
    );
    // Red fades down and blue up, monotonically within a small tolerance.
    blue_never_drops(&frames, (at, end), "fade");
    let last = frames.last().expect("frames");
    assert!(near(last.pixel(320, 180), BLUE, 24), "after the fade the picture is blue");
}

#[test]
fn a_slide_pushes_the_old_scene_out_to_the_left() {
    let (studio, tap) = start_on_red();
    studio.switch_scene("Blue", Transition::slide(1000)).expect("switch");
    let (at, duration) = transition_start(&studio);
    let end = at + duration.as_nanos() as u64;
    let frames = frames_until(&tap, end + 5 * FRAME_NS);
    let halfway = at + duration.as_nanos() as u64 / 2;
    let middle = frames.iter().min_by_key(|f| f.clock_time.abs_diff(halfway)).expect("frames");
    // Halfway, the left half is still red and the right half already blue.
    assert!(near(middle.pixel(100, 180), RED, 24), "left half red: {:?}", middle.pixel(100, 180));
    assert!(near(middle.pixel(540, 180), BLUE, 24), "right half blue: {:?}", middle.pixel(540, 180));
    assert!(near(frames.last().expect("frames").pixel(100, 180), BLUE, 24), "blue at the end");
}

#[test]
fn switching_to_an_unknown_scene_is_an_error_and_changes_nothing() {
    let (studio, tap) = start_on_red();
    let err = studio.switch_scene("Nope", Transition::CUT).expect_err("unknown scene");
    assert!(err.to_string().contains("Nope"), "{err}");
    tap.drain();
    let f = tap.next(Duration::from_secs(2)).expect("still running");
    assert!(near(f.pixel(320, 180), RED, 24));
    assert_eq!(studio.program_scene().expect("engine answers"), Some("Red".into()));
}

#[test]
fn studio_mode_prepares_a_scene_on_the_preview_and_sends_it_to_the_program() {
    let (studio, program) = start_on_red();
    let preview = VideoTap::start_studio_preview(&studio, 64).expect("preview tap");
    studio.preview_scene("Blue").expect("preview");
    frame_where(&preview, Duration::from_secs(5), |f| near(f.pixel(320, 180), BLUE, 24))
        .expect("blue on the preview");
    program.drain();
    let f = program.next(Duration::from_secs(2)).expect("program frames");
    assert!(near(f.pixel(320, 180), RED, 24), "the program stays red while blue is prepared");
    studio.transition_to_preview(Transition::fade(300)).expect("transition");
    frame_where(&program, Duration::from_secs(5), |f| near(f.pixel(320, 180), BLUE, 24))
        .expect("blue on the program");
    assert!(
        event_where(&studio, Duration::from_secs(2), |e| *e == Event::ProgramScene("Blue".into())).is_some(),
        "the program scene is reported"
    );
    // After the transition the preview follows the program.
    preview.drain();
    frame_where(&preview, Duration::from_secs(3), |f| near(f.pixel(320, 180), BLUE, 24))
        .expect("preview follows");
    studio.preview_scene("Red").expect("preview red");
    frame_where(&preview, Duration::from_secs(5), |f| near(f.pixel(320, 180), RED, 24))
        .expect("red on the preview");
    assert!(studio.preview_scene("Nope").is_err());
}

/// The idle slot is built for each switch and taken down after it: scene
/// after scene, every cut lands within a frame and no program frame is lost.
#[test]
fn repeated_cuts_each_land_within_a_frame_and_lose_no_frame() {
    let (studio, tap) = start_on_red();
    for (round, (scene, color)) in [("Blue", BLUE), ("Red", RED)].iter().cycle().take(6).enumerate() {
        studio.switch_scene(scene, Transition::CUT).expect("switch");
        let (at, _) = transition_start(&studio);
        let frames = frames_until(&tap, at + 6 * FRAME_NS);
        let after: Vec<&Frame> = frames.iter().filter(|f| f.clock_time >= at + FRAME_NS).collect();
        assert!(!after.is_empty(), "round {round}: frames after the cut arrived");
        assert!(
            after.iter().all(|f| near(f.pixel(320, 180), *color, 24)),
            "round {round}: {scene} shows one frame after the cut"
        );
    }
    let stats = event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(_)));
    match stats {
        Some(Event::Stats(s)) => assert_eq!(s.dropped, 0, "no program frame lost: {s:?}"),
        other => panic!("no statistics: {other:?}"),
    }
}

/// A scene with nothing in it previews as black, not as the scene previewed
/// before it.
#[test]
fn an_empty_scene_previews_black() {
    init_tracing();
    let mut c = two_scenes();
    c.scenes.push(scene("Empty", vec![]));
    let studio = Studio::start(c, Some("Red")).expect("studio starts");
    let preview = VideoTap::start_studio_preview(&studio, 64).expect("preview tap");
    studio.preview_scene("Blue").expect("preview blue");
    frame_where(&preview, Duration::from_secs(5), |f| near(f.pixel(320, 180), BLUE, 24))
        .expect("blue on the preview");
    studio.preview_scene("Empty").expect("preview the empty scene");
    frame_where(&preview, Duration::from_secs(3), |f| near(f.pixel(320, 180), [0, 0, 0], 24))
        .expect("black on the preview");
}

#[test]
fn a_luma_wipe_brings_the_scene_in_where_its_picture_is_darkest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Black on the left to white on the right: the wipe goes left to right.
    let picture = dir.path().join("wipe.png");
    let status = std::process::Command::new("convert")
        .args(["-size", "360x640", "gradient:white-black", "-rotate", "90"])
        .arg(&picture)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success(), "the wipe's picture is made");
    let (studio, tap) = start_on_red();
    studio.switch_scene("Blue", Transition::luma_wipe(&picture, 1000)).expect("switch");
    let (at, duration) = transition_start(&studio);
    let end = at + duration.as_nanos() as u64;
    let frames = frames_until(&tap, end + 5 * FRAME_NS);
    let when = |share: f64| {
        let t = at + (duration.as_nanos() as f64 * share) as u64;
        frames.iter().min_by_key(|f| f.clock_time.abs_diff(t)).expect("frames")
    };
    let (quarter, half) = (when(0.25), when(0.5));
    eprintln!(
        "a quarter in: {:?} {:?}; half way: {:?} {:?} {:?}",
        quarter.pixel(40, 180),
        quarter.pixel(320, 180),
        half.pixel(100, 180),
        half.pixel(320, 180),
        half.pixel(540, 180)
    );
    assert!(near(quarter.pixel(40, 180), BLUE, 30), "a quarter in, the dark left is blue");
    assert!(near(quarter.pixel(320, 180), RED, 30), "a quarter in, the middle is still red");
    assert!(near(half.pixel(100, 180), BLUE, 30), "half way, the left is blue");
    assert!(near(half.pixel(540, 180), RED, 30), "half way, the bright right is still red");
    // Each place turns blue once, and stays so.
    blue_never_drops(&frames, (at, end), "wipe");
    let last = frames.last().expect("frames");
    assert!(near(last.pixel(600, 180), BLUE, 24), "after the wipe the picture is blue");

    let gone = dir.path().join("gone.png");
    a_missing_file_is_named_and_the_scenes_fade(&studio, &tap, Transition::luma_wipe(&gone, 300), "gone.png");
}

#[test]
fn a_stinger_plays_over_the_switch_and_the_new_scene_is_beneath_it_from_its_cut_point() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 1 s: green on the left half, transparent on the right (PNG in MOV).
    let file = dir.path().join("stinger.mov");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i"])
        .arg("color=c=0x00ff00:s=320x360:r=30:d=1,format=rgba,pad=640:360:0:0:color=0x00000000")
        .args(["-c:v", "png", "-pix_fmt", "rgba"])
        .arg(&file)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(status.success(), "the stinger is made");
    let (studio, tap) = start_on_red();
    studio.switch_scene("Blue", Transition::stinger(&file, 500)).expect("switch");
    let (at, duration) = transition_start(&studio);
    eprintln!("the stinger lasts {duration:?}");
    assert!(duration.abs_diff(Duration::from_secs(1)) <= Duration::from_millis(40), "as long as its file");
    let end = at + duration.as_nanos() as u64;
    let cut = at + 500_000_000;
    let frames = frames_until(&tap, end + 10 * FRAME_NS);
    let during = |f: &&Frame| f.clock_time >= at + FRAME_NS && f.clock_time + FRAME_NS < end;
    let shown: Vec<&Frame> = frames.iter().filter(during).collect();
    assert!(shown.len() >= 25, "about 30 frames under the stinger, got {}", shown.len());
    let lefts: Vec<_> =
        shown.iter().map(|f| ((f.clock_time - at) / 1_000_000, f.pixel(160, 180)[1])).collect();
    eprintln!("left (ms, green): {lefts:?}");
    for f in &shown {
        assert!(near(f.pixel(160, 180), GREEN, 30), "the stinger covers the left: {:?}", f.pixel(160, 180));
        let right = f.pixel(480, 180);
        if f.clock_time + FRAME_NS <= cut {
            assert!(near(right, RED, 30), "before its cut point the old scene shows: {right:?}");
        } else if f.clock_time >= cut {
            assert!(near(right, BLUE, 30), "from its cut point the new scene shows: {right:?}");
        }
    }
    let last = frames.last().expect("frames");
    assert!(near(last.pixel(160, 180), BLUE, 24), "after the stinger, the new scene alone");

    let gone = dir.path().join("gone.mov");
    a_missing_file_is_named_and_the_scenes_fade(&studio, &tap, Transition::stinger(&gone, 300), "gone.mov");
}

/// Switches back to red with `transition`, whose file `name` is missing:
/// the missing file is told, and the program goes to red all the same.
fn a_missing_file_is_named_and_the_scenes_fade(
    studio: &Studio,
    tap: &VideoTap,
    transition: Transition,
    name: &str,
) {
    studio.switch_scene("Red", transition).expect("switch");
    let told =
        event_where(studio, Duration::from_secs(5), |e| matches!(e, Event::Error(m) if m.contains(name)));
    assert!(told.is_some(), "the missing file is named");
    frame_where(tap, Duration::from_secs(5), |f| near(f.pixel(320, 90), RED, 24)).expect("red again");
}

/// The program mix's loudest channel (RMS, dB), as reported next.
fn program_rms(studio: &Studio) -> f64 {
    match event_where(studio, Duration::from_secs(2), |e| matches!(e, Event::Levels { source: None, .. })) {
        Some(Event::Levels { levels, .. }) => levels.rms_db.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        other => panic!("no program levels: {other:?}"),
    }
}

#[test]
fn a_stinger_s_sound_is_heard_in_the_program_while_it_plays_and_not_after() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 1.5 s of green with an 880 Hz tone at -9 dB RMS (H.264 + AAC in MP4).
    let file = dir.path().join("whoosh.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", "lavfi", "-i", "color=c=0x00ff00:s=640x360:r=30:d=1.5"])
        .args(["-f", "lavfi", "-i", "aevalsrc=0.5*sin(2*PI*880*t):s=48000:d=1.5"])
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&file)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(status.success(), "the stinger is made");
    let (studio, _tap) = start_on_red();
    let before = program_rms(&studio);
    studio.switch_scene("Blue", Transition::stinger(&file, 700)).expect("switch");
    let (_, duration) = transition_start(&studio);
    let started = std::time::Instant::now();
    assert!(duration.abs_diff(Duration::from_millis(1500)) <= Duration::from_millis(60), "{duration:?}");
    let mut during = Vec::new();
    while started.elapsed() < duration - Duration::from_millis(200) {
        let rms = program_rms(&studio);
        if started.elapsed() > Duration::from_millis(300) {
            during.push(rms);
        }
    }
    let mut tail = Vec::new();
    while started.elapsed() < duration + Duration::from_millis(600) {
        tail.push((started.elapsed().as_millis(), program_rms(&studio)));
    }
    eprintln!("around its end (ms, dB): {tail:?}");
    let after: Vec<f64> = (0..5).map(|_| program_rms(&studio)).collect();
    eprintln!("program RMS (dB): {before:.1} before, {during:.1?} during the stinger, {after:.1?} after");
    assert!(before < -60.0, "the scenes are silent: {before}");
    assert!(during.len() >= 5, "levels came while it played: {during:?}");
    assert!(during.iter().all(|&rms| rms > -15.0), "the stinger's tone is in the program: {during:?}");
    assert!(after.iter().all(|&rms| rms < -60.0), "and leaves with it: {after:?}");
}
