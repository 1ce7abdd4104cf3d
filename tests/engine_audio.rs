//! Sound: levels per source and for the program, volume and mute, media sound in the mix.

mod common;

use std::time::Duration;

use common::*;
use plateau::engine::{Event, Levels, Studio};
use plateau::model::{Source, SourceId, SourceKind};

/// The next levels reported for `source` (None: the program mix).
fn levels(studio: &Studio, source: Option<&str>) -> Levels {
    let want = source.map(SourceId::new);
    match event_where(
        studio,
        Duration::from_secs(5),
        |e| matches!(e, Event::Levels { source, .. } if *source == want),
    ) {
        Some(Event::Levels { levels, .. }) => levels,
        other => panic!("no levels for {source:?}: {other:?}"),
    }
}

/// Levels after a change settled: skip a few reports, then take one.
fn settled(studio: &Studio, source: Option<&str>) -> Levels {
    for _ in 0..4 {
        levels(studio, source);
    }
    levels(studio, source)
}

fn tone_studio() -> Studio {
    init_tracing();
    let mut c = collection();
    c.sources =
        vec![color_source("red", RED), Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 })];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    Studio::start(c, None).expect("studio starts")
}

#[test]
fn a_tone_is_metered_per_source_and_in_the_mix() {
    let studio = tone_studio();
    // The tone is a sine at amplitude 0.2: a peak of 20·log10(0.2) = -14 dBFS, RMS 3 dB lower.
    let source = settled(&studio, Some("tone"));
    assert_eq!(source.peak_db.len(), 2, "two channels");
    for (peak, rms) in source.peak_db.iter().zip(&source.rms_db) {
        assert!((peak + 14.0).abs() < 1.0, "peak {peak} dB");
        assert!((rms + 17.0).abs() < 1.0, "rms {rms} dB");
    }
    let program = settled(&studio, None);
    assert!((program.peak_db[0] + 14.0).abs() < 1.0, "program peak {} dB", program.peak_db[0]);
}

#[test]
fn volume_and_mute_change_the_mix() {
    let studio = tone_studio();
    let id = SourceId::new("tone");
    studio.set_volume(&id, 0.5).expect("volume");
    let half = settled(&studio, None);
    assert!((half.peak_db[0] + 20.0).abs() < 1.0, "half volume is 6 dB lower: {} dB", half.peak_db[0]);
    studio.set_muted(&id, true).expect("mute");
    let muted = settled(&studio, None);
    assert!(muted.peak_db[0] < -60.0, "muted: {} dB", muted.peak_db[0]);
    assert!(studio.set_volume(&id, f64::NAN).is_err(), "NaN is refused");
    assert!(studio.set_volume(&SourceId::new("nope"), 1.0).is_err(), "an unknown source is refused");
    let saved = studio.collection().expect("collection");
    let tone = saved.source(&id).expect("tone");
    assert_eq!((tone.volume, tone.muted), (0.5, true));
}

#[test]
fn a_sound_input_that_cannot_be_opened_fails_the_source_only() {
    init_tracing();
    let mut c = collection();
    c.sources = vec![
        color_source("red", RED),
        Source::new(
            "mic",
            "Microphone",
            SourceKind::AudioInput { device: Some("No Such Microphone".into()) },
        ),
        Source::new("desk", "Desktop", SourceKind::DesktopAudio),
        Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 }),
    ];
    c.scenes = vec![scene(
        "Main",
        vec![
            item(1, "red", 0, 0, 640, 360),
            item(2, "mic", 0, 0, 0, 0),
            item(3, "desk", 0, 0, 0, 0),
            item(4, "tone", 0, 0, 0, 0),
        ],
    )];
    let studio = Studio::start(c, None).expect("studio starts");
    let failed = event_where(
        &studio,
        Duration::from_secs(5),
        |e| matches!(e, Event::SourceFailed { source, cause, .. } if source.as_str() == "mic" && cause.contains("No Such Microphone")),
    );
    assert!(failed.is_some(), "the missing microphone is reported by name");
    // The tone still reaches the mix at its level, whatever the desktop audio does here.
    let program = settled(&studio, None);
    assert!((program.peak_db[0] + 14.0).abs() < 1.5, "program peak {} dB", program.peak_db[0]);
}

#[test]
fn statistics_report_the_program_rate_and_no_drops() {
    let studio = tone_studio();
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match event_where(&studio, Duration::from_secs(3), |e| matches!(e, Event::Stats(_))) {
            Some(Event::Stats(s)) => seen.push(s),
            other => panic!("no statistics: {other:?}"),
        }
    }
    let last = seen.last().expect("stats");
    assert!((last.fps - 30.0).abs() < 1.5, "{last:?}");
    assert_eq!(last.dropped, 0, "{last:?}");
    assert!(seen.windows(2).all(|w| w[1].frames > w[0].frames), "the frame count grows: {seen:?}");
}
