//! Texts that change by themselves, seen in the program's pixels: each
//! moving text is compared with still texts of what it should show, drawn
//! by the same path (Pango, through textoverlay) beside it.

mod common;

use std::time::{Duration, Instant};

use common::*;
use plateau::engine::{Event, Frame, Studio, VideoTap};
use plateau::model::{CountdownTarget, Source, SourceKind, TextMotion};

const ROW: usize = 90;

fn text(id: &str, text: &str, motion: TextMotion) -> Source {
    Source::new(
        id,
        id,
        SourceKind::Text {
            text: text.into(),
            font: "DejaVu Sans Bold".into(),
            size: 48,
            color: plateau::model::Color::rgb(255, 255, 255),
            outline: false,
            shadow: false,
            width: 640,
            height: ROW as u32,
            motion,
        },
    )
}

fn still(id: &str, shown: &str) -> Source {
    text(id, shown, TextMotion::Still)
}

/// The sources in rows of 90 pixels over black, top to bottom.
/// One studio at a time: the countdown and the stopwatch are read against
/// the wall clock, and five studios starting at once on two cores starved
/// a text source for 0.4 s in CI (a second of the countdown lasted 1.40 s).
fn alone() -> std::sync::MutexGuard<'static, ()> {
    static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn rows(sources: Vec<Source>) -> (Studio, VideoTap) {
    init_tracing();
    let mut c = collection();
    let mut items = vec![item(1, "black", 0, 0, 640, 360)];
    for (n, s) in sources.iter().enumerate() {
        items.push(item(n as u64 + 2, s.id.as_str(), 0, (n * ROW) as i32, 640, ROW as u32));
    }
    c.sources = vec![color_source("black", [0, 0, 0])];
    c.sources.extend(sources);
    c.scenes = vec![scene("Main", items)];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    (studio, tap)
}

fn luma(f: &Frame, x: usize, y: usize) -> u8 {
    let p = f.pixel(x, y);
    ((u32::from(p[0]) * 3 + u32::from(p[1]) * 6 + u32::from(p[2])) / 10) as u8
}

/// How many pixels of row `n` are lit (text).
fn ink(f: &Frame, n: usize) -> usize {
    (n * ROW..(n + 1) * ROW)
        .flat_map(|y| (0..640).map(move |x| (x, y)))
        .filter(|&(x, y)| luma(f, x, y) > 128)
        .count()
}

/// Whether rows `a` and `b` show the same picture: few pixels differ.
fn same_row(f: &Frame, a: usize, b: usize) -> bool {
    let differ = (0..ROW)
        .flat_map(|y| (0..640).map(move |x| (x, y)))
        .filter(|&(x, y)| luma(f, x, a * ROW + y).abs_diff(luma(f, x, b * ROW + y)) > 60)
        .count();
    ink(f, a) > 100 && differ < 30
}

/// Which of the still rows `1..` row 0 matches, frame after frame for
/// `seconds`, with the time each match was first seen.
fn sequence(tap: &VideoTap, stills: usize, seconds: f64) -> Vec<(usize, f64)> {
    let start = Instant::now();
    let mut seen: Vec<(usize, f64)> = Vec::new();
    while start.elapsed().as_secs_f64() < seconds {
        let Some(f) = tap.next(Duration::from_secs(1)) else { continue };
        let t = f.clock_time as f64 / 1e9;
        if let Some(row) = (1..=stills).find(|&r| same_row(&f, 0, r)) {
            if seen.last().map(|(r, _)| *r) != Some(row) {
                seen.push((row, t));
            }
        }
    }
    seen
}

#[test]
fn a_countdown_shows_each_second_left_then_its_words_at_zero() {
    let _alone = alone();
    let countdown = TextMotion::Countdown { to: CountdownTarget::Seconds(2), at_zero: "Go!".into() };
    let (_studio, tap) = rows(vec![
        text("countdown", "%M:%S", countdown),
        still("two", "00:02"),
        still("one", "00:01"),
        still("zero", "Go!"),
    ]);
    ticks_in_order("the countdown (1: 00:02, 2: 00:01, 3: Go!)", &sequence(&tap, 3, 5.0));
}

/// Row 0 showed rows 1, 2, 3 in turn, a second apart.
fn ticks_in_order(what: &str, seen: &[(usize, f64)]) {
    eprintln!("{what}: {seen:?}");
    let order: Vec<usize> = seen.iter().map(|(r, _)| *r).collect();
    assert_eq!(order, [1, 2, 3], "{what} showed {seen:?}");
    for pair in seen.windows(2) {
        let step = pair[1].1 - pair[0].1;
        assert!((0.8..=1.25).contains(&step), "a second of {what} lasted {step:.2} s: {seen:?}");
    }
}

#[test]
fn a_stopwatch_counts_the_seconds_since_it_appeared() {
    let _alone = alone();
    let (_studio, tap) = rows(vec![
        text("stopwatch", "%H:%M:%S", TextMotion::Stopwatch),
        still("zero", "00:00:00"),
        still("one", "00:00:01"),
        still("two", "00:00:02"),
    ]);
    ticks_in_order("the stopwatch (1: 00:00:00, 2: 00:00:01, 3: 00:00:02)", &sequence(&tap, 3, 3.5));
}

#[test]
fn a_clock_shows_the_time_in_its_time_zone_and_an_unknown_zone_is_an_error() {
    let _alone = alone();
    let now_in = |zone: &str| {
        let zone = glib::TimeZone::from_identifier(Some(zone))
            .expect("tzdata knows it (install the package tzdata)");
        glib::DateTime::now(&zone).unwrap().format("%Y %z").unwrap().to_string()
    };
    let (kathmandu, los_angeles) = (now_in("Asia/Kathmandu"), now_in("America/Los_Angeles"));
    let clock = |zone: &str| TextMotion::Clock { time_zone: Some(zone.into()) };
    let (studio, tap) = rows(vec![
        text("kathmandu", "%Y %z", clock("Asia/Kathmandu")),
        still("expected-kathmandu", &kathmandu),
        text("los-angeles", "%Y %z", clock("America/Los_Angeles")),
        still("expected-los-angeles", &los_angeles),
    ]);
    let frame = frame_where(&tap, Duration::from_secs(5), |f| same_row(f, 0, 1) && same_row(f, 2, 3));
    assert!(frame.is_some(), "the clocks never showed {kathmandu} and {los_angeles}");
    let f = frame.unwrap();
    assert!(!same_row(&f, 0, 2), "both time zones drew the same text: the test proves nothing");
    // A zone nobody knows: the source says so, the others go on.
    let mut mars = text("mars", "%H:%M", clock("Mars/Olympus_Mons"));
    mars.name = "Mars".into();
    let shown = item(9, "mars", 0, 270, 640, ROW as u32);
    studio
        .send(plateau::engine::Command::AddSourceWithItem { source: mars, scene: "Main".into(), item: shown })
        .expect("added");
    let failed = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }));
    match failed {
        Some(Event::SourceFailed { name, cause, .. }) => {
            assert_eq!(name, "Mars");
            assert!(cause.contains("“Mars/Olympus_Mons” is not a time zone"), "{cause}");
        }
        other => panic!("no failure told for an unknown time zone: {other:?}"),
    }
}

#[test]
fn a_ticker_scrolls_from_right_to_left_at_its_speed() {
    let _alone = alone();
    let (_studio, tap) = rows(vec![text("ticker", "NEWS", TextMotion::Ticker { speed: 200 })]);
    let left_edge = |f: &Frame| (0..640).find(|&x| (0..ROW).any(|y| luma(f, x, y) > 128));
    let mut marks: Vec<(f64, usize)> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        if let Some(f) = tap.next(Duration::from_secs(1)) {
            if let Some(x) = left_edge(&f) {
                marks.push((f.clock_time as f64 / 1e9, x));
            }
        }
    }
    // The text comes in at the right edge and moves left by about 200 px a
    // second while it is whole in the box.
    let whole: Vec<&(f64, usize)> = marks.iter().filter(|(_, x)| (40..450).contains(x)).collect();
    assert!(whole.len() >= 20, "the ticker was seen whole in {} frames: {marks:?}", whole.len());
    let (first, last) = (whole[0], whole[whole.len() - 1]);
    let speed = (first.1 as f64 - last.1 as f64) / (last.0 - first.0);
    eprintln!("ticker: {} positions, {:.0} px/s", marks.len(), speed);
    assert!((170.0..=230.0).contains(&speed), "the ticker moved {speed:.0} px a second");
    assert!(whole.windows(2).all(|w| w[1].1 <= w[0].1), "the ticker went back: {whole:?}");
}

/// The columns of row `n` that hold ink, in runs separated by 20 empty columns.
fn ink_runs(f: &Frame, n: usize) -> Vec<(usize, usize)> {
    let lit: Vec<usize> =
        (0..640).filter(|&x| (n * ROW..(n + 1) * ROW).any(|y| luma(f, x, y) > 128)).collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for x in lit {
        match runs.last_mut() {
            Some((_, end)) if x <= *end + 20 => *end = x,
            _ => runs.push((x, x)),
        }
    }
    runs
}

#[test]
fn hebrew_is_drawn_right_to_left_and_latin_left_to_right() {
    let _alone = alone();
    // One letter, a wide space, four letters: the lone letter is the first.
    let gap = "\u{2003}\u{2003}\u{2003}";
    let (_studio, tap) =
        rows(vec![still("hebrew", &format!("ש{gap}שששש")), still("latin", &format!("W{gap}WWWW"))]);
    let frame =
        frame_where(&tap, Duration::from_secs(5), |f| ink_runs(f, 0).len() == 2 && ink_runs(f, 1).len() == 2)
            .expect("both rows drawn as two runs of letters");
    let width = |r: (usize, usize)| r.1 - r.0;
    let (hebrew, latin) = (ink_runs(&frame, 0), ink_runs(&frame, 1));
    eprintln!("hebrew runs {hebrew:?}, latin runs {latin:?}");
    // The first letter (the narrow run) is on the right in Hebrew...
    assert!(
        width(hebrew[1]) < width(hebrew[0]),
        "Hebrew: the lone first letter is not on the right: {hebrew:?}"
    );
    // ...and on the left in Latin.
    assert!(width(latin[0]) < width(latin[1]), "Latin: the lone first letter is not on the left: {latin:?}");
}
