//! Filters on sources, through real pipelines: keys, colour, LUTs, flips,
//! rotation and blur seen in the program's pixels; gain, gate, compressor,
//! limiter and equaliser heard in the levels the engine measures.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use plateau::engine::{Event, Frame, Studio, VideoTap};
use plateau::model::{Filter, FilterKind, KeyColor, Source, SourceId, SourceKind, TestPattern};

fn convert(args: &[&str]) {
    let status =
        Command::new("convert").args(args).status().expect("convert runs (install the package imagemagick)");
    assert!(status.success(), "convert {args:?}");
}

/// An opaque PNG of `size` in `background`, with a `fill` rectangle.
fn picture(dir: &Path, name: &str, size: &str, background: &str, fill: &str, rectangle: &str) -> PathBuf {
    let path = dir.join(name);
    let p = path.to_str().expect("utf-8");
    let draw = format!("rectangle {rectangle}");
    convert(&[
        "-size",
        size,
        &format!("xc:{background}"),
        "-fill",
        fill,
        "-draw",
        &draw,
        "-type",
        "TrueColor",
        p,
    ]);
    path
}

/// 160x90: green, with a red box in its middle (60,30 to 100,60).
fn green_screen(dir: &Path) -> PathBuf {
    picture(dir, "green-screen.png", "160x90", "#00ff00", "#ff0000", "60,30 99,59")
}

/// 160x80: red on the left half, blue on the right.
fn red_left_blue_right(dir: &Path) -> PathBuf {
    picture(dir, "halves.png", "160x80", "#0000ff", "#ff0000", "0,0 79,79")
}

fn image(path: &Path, filters: Vec<FilterKind>) -> Source {
    let mut s = Source::new("shown", "Shown", SourceKind::Image { path: path.to_owned() });
    s.filters = filters.into_iter().map(Filter::new).collect();
    s
}

/// `shown` over a full-canvas colour `under`, both filling the 640x360 canvas.
fn over(under: [u8; 3], shown: Source) -> (Studio, VideoTap) {
    init_tracing();
    let mut c = collection();
    c.sources = vec![color_source("under", under), shown];
    c.scenes = vec![scene("Main", vec![item(1, "under", 0, 0, 640, 360), item(2, "shown", 0, 0, 640, 360)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    (studio, tap)
}

fn rgb(f: &Frame, x: usize, y: usize) -> [u8; 3] {
    let p = f.pixel(x, y);
    [p[0], p[1], p[2]]
}

fn first_frame(tap: &VideoTap, what: &str, test: impl Fn(&Frame) -> bool) -> Frame {
    frame_where(tap, Duration::from_secs(5), test).unwrap_or_else(|| {
        let last = tap.next(Duration::from_secs(1)).map(|f| (rgb(&f, 40, 40), rgb(&f, 320, 180)));
        panic!("{what}: never seen; the last frame at (40,40) and (320,180): {last:?}")
    })
}

#[test]
fn a_chroma_key_takes_the_green_away_and_keeps_the_red() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = FilterKind::ChromaKey { key: KeyColor::Green, similarity: 0.4, smoothness: 0.1 };
    let (_studio, tap) = over(BLUE, image(&green_screen(dir.path()), vec![key]));
    first_frame(&tap, "blue where the green was, red kept", |f| {
        near(f.pixel(40, 40), BLUE, 30)
            && near(f.pixel(600, 320), BLUE, 30)
            && near(f.pixel(320, 180), RED, 30)
    });
}

#[test]
fn a_custom_key_colour_is_taken_away_and_others_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Keyed on red: the box goes, the green stays.
    let red = plateau::model::Color::rgb(255, 0, 0);
    let key = FilterKind::ChromaKey { key: KeyColor::Custom(red), similarity: 0.3, smoothness: 0.05 };
    let (_studio, tap) = over(BLUE, image(&green_screen(dir.path()), vec![key]));
    first_frame(&tap, "blue where the red box was, green kept", |f| {
        near(f.pixel(320, 180), BLUE, 30) && near(f.pixel(40, 40), GREEN, 30)
    });
}

#[test]
fn colour_correction_greys_brightens_and_fades_and_follows_edits_live() {
    let mut red = color_source("shown", RED);
    let correction = |saturation: f64, brightness: f64, opacity: f64| FilterKind::ColorCorrection {
        brightness,
        contrast: 1.0,
        saturation,
        hue: 0.0,
        gamma: 1.0,
        opacity,
    };
    red.filters = vec![Filter::new(correction(0.0, 0.0, 1.0))];
    let (studio, tap) = over(BLUE, red.clone());
    let grey = first_frame(&tap, "a red without saturation is grey", |f| {
        let [r, g, b] = rgb(f, 320, 180);
        r.abs_diff(g) <= 12 && g.abs_diff(b) <= 12 && r > 40
    });
    let grey = rgb(&grey, 320, 180);

    // Edited while it runs: brighter, and the frames never stop.
    red.filters = vec![Filter::new(correction(0.0, 0.3, 1.0))];
    let edited = Instant::now();
    studio.update_source(red.clone()).expect("edited");
    let brighter = first_frame(&tap, "brighter after the edit", |f| rgb(f, 320, 180)[0] > grey[0] + 40);
    eprintln!("grey {grey:?}, brighter {:?} after {:?}", rgb(&brighter, 320, 180), edited.elapsed());

    // Half opaque: the blue shows through the red.
    red.filters = vec![Filter::new(correction(1.0, 0.0, 0.5))];
    studio.update_source(red).expect("edited");
    first_frame(&tap, "half red, half blue", |f| {
        let [r, g, b] = rgb(f, 320, 180);
        (90..170).contains(&r) && g < 40 && (90..170).contains(&b)
    });
    let fps = event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(s) if s.fps > 25.0));
    assert!(fps.is_some(), "the program kept its frame rate through the edits");
}

/// A `.cube` file of `size` points a side mapping each colour by `f`.
fn cube(dir: &Path, name: &str, size: usize, f: impl Fn([f64; 3]) -> [f64; 3]) -> PathBuf {
    let mut text = format!("TITLE \"{name}\"\nLUT_3D_SIZE {size}\n");
    let step = 1.0 / (size - 1) as f64;
    for b in 0..size {
        for g in 0..size {
            for r in 0..size {
                let [x, y, z] = f([r as f64 * step, g as f64 * step, b as f64 * step]);
                text.push_str(&format!("{x:.6} {y:.6} {z:.6}\n"));
            }
        }
    }
    let path = dir.join(format!("{name}.cube"));
    std::fs::write(&path, text).expect("cube written");
    path
}

#[test]
fn a_lut_maps_colours_as_its_cube_says_and_an_identity_cube_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let colour = [200, 120, 40];
    let plain = {
        let (_studio, tap) = over(BLUE, color_source("shown", colour));
        rgb(&first_frame(&tap, "the colour", |f| near(f.pixel(320, 180), colour, 20)), 320, 180)
    };
    let identity = cube(dir.path(), "identity", 17, |c| c);
    let mut shown = color_source("shown", colour);
    shown.filters = vec![Filter::new(FilterKind::Lut { path: identity })];
    let through_identity = {
        let (_studio, tap) = over(BLUE, shown);
        rgb(
            &first_frame(&tap, "the colour through an identity cube", |f| {
                near(f.pixel(320, 180), colour, 20)
            }),
            320,
            180,
        )
    };
    eprintln!("plain {plain:?}, through an identity cube {through_identity:?}");
    assert!(
        plain.iter().zip(through_identity).all(|(a, b)| a.abs_diff(b) <= 1),
        "an identity cube moved {plain:?} to {through_identity:?}"
    );

    let invert = cube(dir.path(), "invert", 2, |[r, g, b]| [1.0 - r, 1.0 - g, 1.0 - b]);
    let mut shown = color_source("shown", colour);
    shown.filters = vec![Filter::new(FilterKind::Lut { path: invert })];
    let (_studio, tap) = over(BLUE, shown);
    let inverted = [255 - plain[0], 255 - plain[1], 255 - plain[2]];
    first_frame(&tap, "the colour inverted", |f| near(f.pixel(320, 180), inverted, 6));
}

#[test]
fn a_missing_or_broken_lut_fails_its_source_only_and_says_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let broken = dir.path().join("broken.cube");
    std::fs::write(&broken, "LUT_3D_SIZE 2\n0 0 0\n").expect("written");
    for (path, expected) in
        [(dir.path().join("missing.cube"), "missing.cube"), (broken, "1 colours for a size of 2")]
    {
        let mut shown = color_source("shown", RED);
        shown.filters = vec![Filter::new(FilterKind::Lut { path })];
        let (studio, tap) = over(BLUE, shown);
        let failed =
            event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }));
        let Some(Event::SourceFailed { cause, .. }) = failed else {
            panic!("no failure told for {expected}")
        };
        assert!(cause.contains(expected), "the cause names the problem ({expected}): {cause}");
        // The program goes on, the blue under it kept.
        first_frame(&tap, "the program goes on", |f| {
            near(f.pixel(20, 20), BLUE, 30) || near(f.pixel(20, 20), [48, 48, 48], 30)
        });
        let fps =
            event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(s) if s.fps > 25.0));
        assert!(fps.is_some(), "the program kept its frame rate");
    }
}

#[test]
fn a_flip_mirrors_and_a_rotation_turns_the_picture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let halves = red_left_blue_right(dir.path());
    let flip = FilterKind::Flip { horizontal: true, vertical: false };
    let (_studio, tap) = over(GREEN, image(&halves, vec![flip]));
    first_frame(&tap, "mirrored: blue left, red right", |f| {
        near(f.pixel(80, 180), BLUE, 30) && near(f.pixel(560, 180), RED, 30)
    });
    // Turned clockwise, the left half is on top.
    let (_studio, tap) = over(GREEN, image(&halves, vec![FilterKind::Rotate { degrees: 90 }]));
    first_frame(&tap, "turned: red on top, blue below", |f| {
        near(f.pixel(320, 40), RED, 30) && near(f.pixel(320, 320), BLUE, 30)
    });
    let (_studio, tap) = over(GREEN, image(&halves, vec![FilterKind::Rotate { degrees: 270 }]));
    first_frame(&tap, "turned back: blue on top, red below", |f| {
        near(f.pixel(320, 40), BLUE, 30) && near(f.pixel(320, 320), RED, 30)
    });
}

#[test]
fn a_blur_softens_the_edge_between_two_colours() {
    let dir = tempfile::tempdir().expect("temp dir");
    let halves = red_left_blue_right(dir.path());
    // Each picture pixel is 4 canvas pixels: the edge is at x = 320.
    let edge = |f: &Frame| (rgb(f, 312, 180), rgb(f, 328, 180));
    let sharp = {
        let (_studio, tap) = over(GREEN, image(&halves, vec![]));
        edge(&first_frame(&tap, "the halves", |f| near(f.pixel(80, 180), RED, 30)))
    };
    let mut blurred = image(&halves, vec![FilterKind::Blur { radius: 6.0 }]);
    let (studio, tap) = over(GREEN, blurred.clone());
    let soft = edge(&first_frame(&tap, "the blurred halves", |f| near(f.pixel(40, 180), RED, 30)));
    eprintln!("beside the edge: sharp {sharp:?}, blurred {soft:?}");
    assert!(near([sharp.0[0], sharp.0[1], sharp.0[2], 255], RED, 30), "sharp: red left of the edge");
    assert!(soft.0[2] > 40 && soft.1[0] > 40, "blurred: each side takes some of the other: {soft:?}");
    // The radius made small while it runs: the picture is blurred at its
    // own size again (it was blurred six times smaller), the edge nearly sharp.
    blurred.filters = vec![Filter::new(FilterKind::Blur { radius: 1.0 })];
    studio.update_source(blurred).expect("edited");
    let slight = first_frame(&tap, "slightly blurred halves", |f| {
        let (left, right) = edge(f);
        left[2] < 45 && right[0] < 45 && near(f.pixel(40, 180), RED, 30) && near(f.pixel(600, 180), BLUE, 30)
    });
    eprintln!("radius 1: {:?}", edge(&slight));
}

/// The steady peak (dBFS, first channel) of `source` over a second.
fn steady_peak(studio: &Studio, source: &str) -> f64 {
    let id = SourceId::new(source);
    let events = studio.events();
    let deadline = Instant::now() + Duration::from_secs(6);
    let settle = Instant::now() + Duration::from_millis(1500);
    let mut peaks = Vec::new();
    while Instant::now() < deadline && peaks.len() < 10 {
        match events.recv_blocking() {
            Ok(Event::Levels { source: Some(s), levels }) if s == id && Instant::now() > settle => {
                peaks.push(levels.peak_db.first().copied().unwrap_or(f64::NEG_INFINITY))
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(!peaks.is_empty(), "no levels for {source}");
    peaks.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// The steady peak of a tone of `frequency` through `filters`.
fn tone_peak(frequency: f64, filters: Vec<FilterKind>) -> f64 {
    init_tracing();
    let mut tone = Source::new("tone", "Tone", SourceKind::Tone { frequency });
    tone.filters = filters.into_iter().map(Filter::new).collect();
    let mut c = collection();
    c.sources = vec![color_source("red", RED), tone];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let studio = Studio::start(c, None).expect("studio starts");
    steady_peak(&studio, "tone")
}

#[test]
fn gain_gate_compressor_limiter_and_equaliser_change_the_level_as_set() {
    let plain = tone_peak(440.0, vec![]);
    let gained = tone_peak(440.0, vec![FilterKind::Gain { db: -20.0 }]);
    let gated = tone_peak(440.0, vec![FilterKind::NoiseGate { threshold_db: plain + 6.0 }]);
    let open_gate = tone_peak(440.0, vec![FilterKind::NoiseGate { threshold_db: plain - 10.0 }]);
    let compressed =
        tone_peak(440.0, vec![FilterKind::Compressor { threshold_db: plain - 16.0, ratio: 4.0 }]);
    let limited = tone_peak(440.0, vec![FilterKind::Limiter { threshold_db: plain - 10.0 }]);
    let high = tone_peak(11_000.0, vec![]);
    let high_cut =
        tone_peak(11_000.0, vec![FilterKind::Equalizer { low_db: 0.0, mid_db: 0.0, high_db: -24.0 }]);
    eprintln!("| filter | peak dBFS |\n|---|---|\n| none | {plain:.1} |\n| gain -20 dB | {gained:.1} |\n| gate {:.1} | {gated:.1} |\n| gate {:.1} | {open_gate:.1} |\n| compressor {:.1} 4:1 | {compressed:.1} |\n| limiter {:.1} | {limited:.1} |\n| 11 kHz | {high:.1} |\n| 11 kHz, high band -24 dB | {high_cut:.1} |",
        plain + 6.0, plain - 10.0, plain - 16.0, plain - 10.0);
    assert!((plain - -14.0).abs() <= 1.0, "the tone's own peak: {plain}");
    assert!((gained - (plain - 20.0)).abs() <= 1.0, "20 dB less: {gained}");
    assert!(gated < plain - 40.0, "quieter than the gate's threshold, it is gone: {gated}");
    assert!((open_gate - plain).abs() <= 1.0, "louder than the threshold, it passes: {open_gate}");
    // 16 dB over the threshold at 4:1: 4 dB over it (the threshold is on amplitude).
    assert!((plain - 14.0..=plain - 8.0).contains(&compressed), "compressed: {compressed}");
    assert!(limited <= plain - 9.0 && limited > plain - 12.0, "limited to its threshold: {limited}");
    // GStreamer's 3-band equaliser lowers its band's centre by about half the setting.
    assert!(high_cut < high - 10.0, "the high band lowered: {high} -> {high_cut}");
}

#[test]
fn filters_survive_saving_and_loading_and_bad_values_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut c = collection();
    let mut s = color_source("shown", RED);
    s.filters = vec![
        Filter::new(FilterKind::ChromaKey {
            key: KeyColor::Custom(plateau::model::Color::rgb(1, 2, 3)),
            similarity: 0.2,
            smoothness: 0.3,
        }),
        Filter { enabled: false, ..Filter::new(FilterKind::Blur { radius: 2.5 }) },
        Filter::new(FilterKind::Rotate { degrees: 270 }),
        Filter::new(FilterKind::Compressor { threshold_db: -20.0, ratio: 3.0 }),
    ];
    c.sources = vec![s];
    let path = dir.path().join("c.json");
    plateau::model::save_collection(&c, &path).expect("saved");
    let back = plateau::model::load_collection(&path).expect("loaded");
    assert_eq!(back.sources[0].filters, c.sources[0].filters, "every filter, setting and order kept");

    let text = std::fs::read_to_string(&path).expect("read");
    let bad = text.replace("\"radius\": 2.5", "\"radius\": 99.0");
    assert_ne!(bad, text, "the blur's radius is in the file: {text}");
    let e = plateau::model::collection_from_text(&bad, &path).expect_err("a radius of 99 is refused");
    assert!(e.to_string().contains("filters[1] (blur).radius"), "the field is named: {e}");
}

/// Speech by espeak-ng twice, with 1.5 s of pause between, under steady
/// white noise (about -39 dBFS RMS), as a 48 kHz FLAC file.
fn noisy_speech(dir: &Path) -> PathBuf {
    let speech = dir.join("speech.wav");
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(&speech)
        .arg("Good evening, and welcome to the show. Tonight we talk about free software.")
        .status()
        .expect("espeak-ng runs (install the package espeak-ng)");
    assert!(status.success(), "espeak-ng spoke");
    let noisy = dir.join("noisy-speech.flac");
    let graph = "[0]apad=pad_dur=1.5[a];[a][1]concat=n=2:v=0:a=1,aresample=48000[s];\
                 anoisesrc=a=0.02:c=white:r=48000:d=20[n];[s][n]amix=inputs=2:duration=first:normalize=0[out]";
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&speech)
        .arg("-i")
        .arg(&speech)
        .args(["-filter_complex", graph, "-map", "[out]", "-c:a", "flac"])
        .arg(&noisy)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(status.success(), "ffmpeg mixed the noise in");
    noisy
}

/// The RMS levels (dBFS, first channel) of `source` over `span`, after
/// a second to settle.
fn rms_levels(studio: &Studio, source: &str, span: Duration) -> Vec<f64> {
    let id = SourceId::new(source);
    let events = studio.events();
    let settle = Instant::now() + Duration::from_secs(1);
    let end = settle + span;
    let mut rms = Vec::new();
    while Instant::now() < end {
        match events.recv_blocking() {
            Ok(Event::Levels { source: Some(s), levels }) if s == id && Instant::now() > settle => {
                rms.extend(levels.rms_db.first().copied())
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    rms.sort_by(f64::total_cmp);
    rms
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
fn noise_suppression_lowers_the_noise_between_words_and_keeps_the_voice() {
    init_tracing();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = noisy_speech(dir.path());
    let measure = |filters: Vec<FilterKind>| {
        let mut voice =
            Source::new("voice", "Voice", SourceKind::Media { path: file.clone(), looping: true });
        voice.filters = filters.into_iter().map(Filter::new).collect();
        let mut c = collection();
        c.sources = vec![color_source("red", RED), voice];
        c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "voice", 0, 0, 0, 0)])];
        let studio = Studio::start(c, None).expect("studio starts");
        let rms = rms_levels(&studio, "voice", Duration::from_secs(9));
        assert!(rms.len() >= 30, "levels were measured: {}", rms.len());
        // The quietest tenth is the noise alone; the loudest tenth, the voice.
        (percentile(&rms, 0.1), percentile(&rms, 0.9))
    };
    let (noise, voice) = measure(vec![]);
    let (noise_after, voice_after) = measure(vec![FilterKind::NoiseSuppression]);
    eprintln!(
        "| RNNoise | noise floor (10th percentile RMS) | voice (90th percentile RMS) |\n|---|---|---|\n| off | {noise:.1} dB | {voice:.1} dB |\n| on | {noise_after:.1} dB | {voice_after:.1} dB |"
    );
    assert!(noise_after <= noise - 15.0, "the noise floor fell by {:.1} dB only", noise - noise_after);
    assert!((voice_after - voice).abs() <= 3.0, "the voice moved by {:.1} dB", voice_after - voice);
}

#[test]
fn a_render_delay_shows_the_same_clip_later_by_as_much() {
    init_tracing();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = green_then_blue_clip(dir.path());
    let media = |id: &str, filters: Vec<FilterKind>| {
        let mut s = Source::new(id, id, SourceKind::Media { path: clip.clone(), looping: false });
        s.filters = filters.into_iter().map(Filter::new).collect();
        s
    };
    let mut c = collection();
    c.sources = vec![media("early", vec![]), media("late", vec![FilterKind::RenderDelay { ms: 500 }])];
    c.scenes = vec![scene("Main", vec![item(1, "early", 0, 0, 320, 180), item(2, "late", 320, 0, 320, 180)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 512).expect("tap");
    // The clip turns from green to blue at 3 s: when does each side?
    let (mut early, mut late) = (None, None);
    let deadline = Instant::now() + Duration::from_secs(8);
    while (early.is_none() || late.is_none()) && Instant::now() < deadline {
        let f = tap.next(Duration::from_secs(1)).expect("frames");
        if early.is_none() && near(f.pixel(160, 90), BLUE, 40) {
            early = Some(f.clock_time);
        }
        if late.is_none() && near(f.pixel(480, 90), BLUE, 40) {
            late = Some(f.clock_time);
        }
    }
    let (Some(early), Some(late)) = (early, late) else {
        panic!("both sides turned blue: {early:?} {late:?}")
    };
    let delay_ms = (late as f64 - early as f64) / 1e6;
    eprintln!("the delayed side turned blue {delay_ms:.0} ms after the other");
    assert!(
        (430.0..=570.0).contains(&delay_ms),
        "500 ms later (a frame either way, and each file's start): {delay_ms}"
    );
}

#[test]
fn a_sync_offset_plays_the_sound_later_by_as_much() {
    init_tracing();
    let tone = |id: &str, filters: Vec<FilterKind>| {
        let mut s = Source::new(id, id, SourceKind::Tone { frequency: 440.0 });
        s.filters = filters.into_iter().map(Filter::new).collect();
        s
    };
    let mut c = collection();
    c.sources = vec![
        color_source("red", RED),
        tone("early", vec![]),
        tone("late", vec![FilterKind::SyncOffset { ms: 400 }]),
    ];
    c.scenes = vec![scene(
        "Main",
        vec![item(1, "red", 0, 0, 640, 360), item(2, "early", 0, 0, 0, 0), item(3, "late", 0, 0, 0, 0)],
    )];
    let studio = Studio::start(c, None).expect("studio starts");
    let events = studio.events();
    let started = Instant::now();
    let (mut early, mut late) = (None, None);
    while (early.is_none() || late.is_none()) && started.elapsed() < Duration::from_secs(5) {
        let Ok(Event::Levels { source: Some(s), levels }) = events.recv_blocking() else { continue };
        let sounding = levels.peak_db.first().is_some_and(|p| *p > -30.0);
        match s.as_str() {
            "early" if sounding && early.is_none() => early = Some(started.elapsed()),
            "late" if sounding && late.is_none() => late = Some(started.elapsed()),
            _ => {}
        }
    }
    let (Some(early), Some(late)) = (early, late) else {
        panic!("both tones were heard: {early:?} {late:?}")
    };
    let offset_ms = late.as_secs_f64() * 1e3 - early.as_secs_f64() * 1e3;
    eprintln!("the offset tone was first heard {offset_ms:.0} ms after the other (levels every 100 ms)");
    assert!((250.0..=550.0).contains(&offset_ms), "about 400 ms later: {offset_ms}");
}

#[test]
fn an_image_mask_hides_the_picture_where_the_mask_is_dark_and_a_missing_mask_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Black on the left, white on the right: the red shows on the right only.
    let mask = picture(dir.path(), "mask.png", "160x90", "black", "white", "80,0 159,89");
    let mut shown = color_source("shown", RED);
    shown.filters = vec![Filter::new(FilterKind::ImageMask { path: mask })];
    let (_studio, tap) = over(BLUE, shown);
    let f = first_frame(&tap, "masked: blue left, red right", |f| {
        near(f.pixel(80, 180), BLUE, 30) && near(f.pixel(560, 180), RED, 30)
    });
    eprintln!("masked: {:?} | {:?}", rgb(&f, 80, 180), rgb(&f, 560, 180));

    // A file that is no picture is told at once, not after a decoder's timeout.
    let not_a_picture = dir.path().join("notes.png");
    std::fs::write(&not_a_picture, "not a picture").expect("written");
    let mut shown = color_source("shown", RED);
    shown.filters = vec![Filter::new(FilterKind::ImageMask { path: not_a_picture })];
    let started = Instant::now();
    let (studio, _tap) = over(BLUE, shown);
    let failed = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }));
    let Some(Event::SourceFailed { cause, .. }) = failed else {
        panic!("no failure told for a text as a mask")
    };
    let told = started.elapsed();
    eprintln!("a text as a mask: told {told:?} after the studio was asked to start: {cause}");
    assert!(cause.contains("notes.png"), "the cause names the file: {cause}");
    assert!(told < Duration::from_secs(5), "told at once, not after a timeout: {told:?}");
    drop(studio);

    let mut shown = color_source("shown", RED);
    shown.filters = vec![Filter::new(FilterKind::ImageMask { path: dir.path().join("gone.png") })];
    let (studio, tap) = over(BLUE, shown);
    let failed = event_where(&studio, Duration::from_secs(5), |e| matches!(e, Event::SourceFailed { .. }));
    let Some(Event::SourceFailed { cause, .. }) = failed else {
        panic!("no failure told for a missing mask")
    };
    assert!(cause.contains("gone.png"), "the cause names the file: {cause}");
    // The program goes on: the blue, or the failed source's "No signal" over it.
    first_frame(&tap, "the program goes on", |f| {
        near(f.pixel(20, 20), BLUE, 30) || near(f.pixel(20, 20), [48, 48, 48], 30)
    });
    let fps = event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(s) if s.fps > 25.0));
    assert!(fps.is_some(), "the program kept its frame rate");
}

#[test]
fn a_scroll_slides_the_picture_right_and_brings_it_round_from_the_left() {
    let dir = tempfile::tempdir().expect("temp dir");
    let halves = red_left_blue_right(dir.path());
    // 40 picture pixels a second (160 canvas pixels): about a second in,
    // the picture has moved a quarter of its width to the right, and the
    // blue that left on the right comes back on the left.
    let scroll = FilterKind::Scroll { horizontal: 40.0, vertical: 0.0 };
    let (_studio, tap) = over(GREEN, image(&halves, vec![scroll]));
    let f = first_frame(&tap, "slid right: blue, red, blue", |f| {
        near(f.pixel(40, 180), BLUE, 30)
            && near(f.pixel(320, 180), RED, 30)
            && near(f.pixel(560, 180), BLUE, 30)
    });
    eprintln!("slid: {:?} {:?} {:?}", rgb(&f, 40, 180), rgb(&f, 320, 180), rgb(&f, 560, 180));
    // Still sliding: later, the left quarter turns blue further in.
    first_frame(&tap, "slid further", |f| {
        near(f.pixel(200, 180), BLUE, 30) && near(f.pixel(600, 180), RED, 30)
    });
}

/// How much neighbouring pixels of row 180 differ, on average (red).
fn roughness(f: &Frame) -> f64 {
    let diffs: Vec<f64> =
        (100..540).map(|x| f64::from(f.pixel(x, 180)[0].abs_diff(f.pixel(x + 1, 180)[0]))).collect();
    diffs.iter().sum::<f64>() / diffs.len() as f64
}

#[test]
fn a_blur_on_moving_pictures_changes_its_radius_while_they_play() {
    let mut snow = Source::new("shown", "Snow", SourceKind::TestPattern { pattern: TestPattern::Snow });
    snow.filters = vec![Filter::new(FilterKind::Blur { radius: 6.0 })];
    let (studio, tap) = over(GREEN, snow.clone());
    let heavy = first_frame(&tap, "snow blurred away", |f| roughness(f) < 2.0);
    // From a picture blurred six times smaller to one blurred at full size:
    // the pictures between are sized again while the source plays.
    snow.filters = vec![Filter::new(FilterKind::Blur { radius: 1.2 })];
    studio.update_source(snow.clone()).expect("edited");
    let light = first_frame(&tap, "snow lightly blurred", |f| roughness(f) > 5.0);
    snow.filters = vec![Filter::new(FilterKind::Blur { radius: 3.0 })];
    studio.update_source(snow).expect("edited");
    let back = first_frame(&tap, "snow blurred again", |f| roughness(f) < 4.0);
    eprintln!(
        "roughness: {:.1} at radius 6, {:.1} at 1.2, {:.1} at 3",
        roughness(&heavy),
        roughness(&light),
        roughness(&back)
    );
    let fps = event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(s) if s.fps > 25.0));
    assert!(fps.is_some(), "the program kept its frame rate through the edits");
    let error = event_where(&studio, Duration::from_millis(500), |e| matches!(e, Event::Error(_)));
    assert!(error.is_none(), "no error: {error:?}");
}
