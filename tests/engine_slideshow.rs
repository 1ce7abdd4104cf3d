//! Slideshows, seen in the program's pixels: the pictures of a folder in
//! turn, a picture dropped into the folder joining them, and a
//! 24-megapixel JPEG loaded without the program missing a frame.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use plateau::engine::{Event, Studio, VideoTap};
use plateau::model::{Source, SourceKind};

fn convert(args: &[&str], out: &Path) {
    let status = Command::new("convert")
        .args(args)
        .arg(out)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success(), "convert {args:?}");
}

fn slideshow_of(folder: &Path, seconds: f64) -> (Studio, VideoTap) {
    slideshow_fading(folder, seconds, 0)
}

fn slideshow_fading(folder: &Path, seconds: f64, fade_ms: u32) -> (Studio, VideoTap) {
    init_tracing();
    let kind: SourceKind = serde_json::from_value(serde_json::json!({ "kind": "slideshow", "folder": folder,
        "seconds": seconds, "fade_ms": fade_ms, "width": 640, "height": 360 }))
    .unwrap();
    let mut c = collection();
    c.sources = vec![Source::new("slides", "Slides", kind)];
    c.scenes = vec![scene("Main", vec![item(1, "slides", 0, 0, 640, 360)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    (studio, tap)
}

/// The colours the program's centre shows for `seconds`, each with when it
/// came (seconds since the first frame).
fn colours(tap: &VideoTap, seconds: f64) -> Vec<(char, f64)> {
    let start = Instant::now();
    let mut seen: Vec<(char, f64)> = Vec::new();
    let mut first = None;
    while start.elapsed().as_secs_f64() < seconds {
        let Some(f) = tap.next(Duration::from_secs(1)) else { continue };
        let t = f.clock_time as f64 / 1e9;
        let t0 = *first.get_or_insert(t);
        let p = f.pixel(320, 180);
        let c = match (p[0] > 200, p[1] > 200, p[2] > 200) {
            (true, false, false) => 'r',
            (false, true, false) => 'g',
            (false, false, true) => 'b',
            (true, true, true) => 'w',
            _ => '.',
        };
        if seen.last().map(|(l, _)| *l) != Some(c) {
            seen.push((c, t - t0));
        }
    }
    seen
}

#[test]
fn a_folder_s_pictures_come_in_turn_and_a_new_one_joins_them() {
    let dir = tempfile::tempdir().unwrap();
    for (name, colour) in [("a-red.png", "#ff0000"), ("b-green.png", "#00ff00"), ("c-blue.png", "#0000ff")] {
        convert(&["-size", "160x90", &format!("xc:{colour}")], &dir.path().join(name));
    }
    let (_studio, tap) = slideshow_of(dir.path(), 1.0);
    let seen = colours(&tap, 4.5);
    eprintln!("slideshow: {seen:?}");
    let order: String = seen.iter().map(|(c, _)| *c).filter(|c| *c != '.').collect();
    assert!(order.starts_with("rgbr"), "the pictures came as {order} ({seen:?})");
    let shown: Vec<&(char, f64)> = seen.iter().filter(|(c, _)| *c != '.').collect();
    for pair in shown.windows(2).take(3) {
        let lasted = pair[1].1 - pair[0].1;
        assert!((0.85..=1.2).contains(&lasted), "a picture lasted {lasted:.2} s: {seen:?}");
    }
    // A fourth picture dropped into the folder (written aside, then moved in).
    let aside = tempfile::tempdir_in(dir.path().parent().unwrap()).unwrap();
    convert(&["-size", "160x90", "xc:#ffffff"], &aside.path().join("d-white.png"));
    std::fs::rename(aside.path().join("d-white.png"), dir.path().join("d-white.png")).unwrap();
    let later = colours(&tap, 5.0);
    eprintln!("with a fourth: {later:?}");
    let order: String = later.iter().map(|(c, _)| *c).filter(|c| *c != '.').collect();
    assert!(order.contains("bwr"), "the new picture did not come after the blue one: {order}");
}

#[test]
fn a_24_megapixel_jpeg_loads_while_the_program_keeps_every_frame() {
    let dir = tempfile::tempdir().unwrap();
    convert(&["-size", "6000x4000", "plasma:red-red", "-quality", "92"], &dir.path().join("a-big.jpg"));
    convert(&["-size", "160x90", "xc:#00ff00"], &dir.path().join("b-green.png"));
    let (studio, tap) = slideshow_of(dir.path(), 1.0);
    let started = Instant::now();
    let mut stats = Vec::new();
    while started.elapsed() < Duration::from_secs(7) {
        if let Some(Event::Stats(s)) =
            event_where(&studio, Duration::from_secs(2), |e| matches!(e, Event::Stats(_)))
        {
            stats.push(s);
        }
    }
    let seen = colours(&tap, 3.0);
    eprintln!("stats: {stats:?}\nshown: {seen:?}");
    let order: String = seen.iter().map(|(c, _)| *c).collect();
    assert!(order.contains('g') && order.contains('r'), "both pictures were not shown: {order}");
    let dropped = stats.last().map(|s| s.dropped).unwrap_or(u64::MAX);
    assert_eq!(dropped, 0, "the program dropped frames while the big picture loaded: {stats:?}");
    assert!(stats.iter().skip(1).all(|s| s.fps >= 29.0), "the program slowed down: {stats:?}");
}

#[test]
fn a_fade_shows_both_pictures_mixed_between_them() {
    let dir = tempfile::tempdir().unwrap();
    convert(&["-size", "160x90", "xc:#ff0000"], &dir.path().join("a-red.png"));
    convert(&["-size", "160x90", "xc:#00ff00"], &dir.path().join("b-green.png"));
    let (_studio, tap) = slideshow_fading(dir.path(), 1.0, 500);
    let started = Instant::now();
    let (mut mixed, mut red, mut green) = (0, 0, 0);
    while started.elapsed() < Duration::from_secs(4) {
        let Some(f) = tap.next(Duration::from_secs(1)) else { continue };
        let p = f.pixel(320, 180);
        match (p[0], p[1]) {
            (r, g) if r > 220 && g < 30 => red += 1,
            (r, g) if g > 220 && r < 30 => green += 1,
            (r, g) if (60..200).contains(&r) && (60..200).contains(&g) => mixed += 1,
            _ => {}
        }
    }
    eprintln!("frames: {red} red, {green} green, {mixed} of both mixed");
    assert!(red > 10 && green > 10, "both pictures show whole: {red} red, {green} green");
    // Half a second of fade at 30 fps, about three times in four seconds.
    assert!(mixed >= 15, "only {mixed} frames mixed the two pictures");
}
