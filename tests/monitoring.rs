//! Monitoring: a source set to be monitored is heard on the monitoring
//! device — a PulseAudio server of the test's own with a null sink, read
//! back from that sink's monitor — and, monitored only, not in the program.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::pulse::Pulse;
use common::*;
use plateau::engine::{Event, Studio};
use plateau::model::{Monitor, Source, SourceId, SourceKind};

/// The tone's steady peak in the program (dBFS).
fn program_peak(studio: &Studio) -> f64 {
    let id = SourceId::new("tone");
    let events = studio.events();
    let (start, mut peak) = (Instant::now(), f64::NEG_INFINITY);
    while start.elapsed() < Duration::from_millis(1500) {
        if let Ok(Event::Levels { source: Some(s), levels }) = events.recv_blocking() {
            if s == id && start.elapsed() > Duration::from_millis(700) {
                peak = peak.max(levels.peak_db.first().copied().unwrap_or(f64::NEG_INFINITY));
            }
        }
    }
    peak
}

#[test]
fn a_monitored_source_is_heard_on_the_device_and_monitored_only_is_not_in_the_program() {
    init_tracing();
    let pulse = Pulse::start();
    // Only this test runs in this process: GStreamer's pulsesink finds the server here.
    std::env::set_var("PULSE_SERVER", pulse.server());
    let mut tone = Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 });
    tone.monitor = Monitor::Only;
    let mut c = collection();
    c.sources = vec![color_source("red", RED), tone.clone()];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let studio = Studio::start(c, None).expect("studio starts");
    std::thread::sleep(Duration::from_secs(1));

    let (heard, frequency) = pulse.listen(1.5);
    let program = program_peak(&studio);
    eprintln!("monitor only: the device {heard:.1} dB at {frequency:.0} Hz, the program {program:.1} dB");
    assert!(
        heard > -30.0 && (frequency - 440.0).abs() < 20.0,
        "the tone on the device: {heard} dB, {frequency} Hz"
    );
    assert!(program < -60.0, "monitored only, the program does not hear it: {program} dB");

    tone.monitor = Monitor::AndOutput;
    studio.update_source(tone.clone()).expect("edited");
    let (heard, frequency) = pulse.listen(1.5);
    let program = program_peak(&studio);
    eprintln!(
        "monitor and output: the device {heard:.1} dB at {frequency:.0} Hz, the program {program:.1} dB"
    );
    assert!(heard > -30.0 && (frequency - 440.0).abs() < 20.0, "the tone on the device: {heard} dB");
    assert!(program > -20.0, "and in the program: {program} dB");

    tone.monitor = Monitor::Off;
    studio.update_source(tone).expect("edited");
    std::thread::sleep(Duration::from_millis(300));
    let (heard, _) = pulse.listen(1.5);
    let program = program_peak(&studio);
    let playing = Command::new("pactl")
        .args(["list", "short", "sink-inputs"])
        .env("PULSE_SERVER", pulse.server())
        .output()
        .expect("pactl runs (install the package pulseaudio-utils)");
    let playing = String::from_utf8_lossy(&playing.stdout).into_owned();
    eprintln!("monitor off: the device {heard:.1} dB, the program {program:.1} dB, streams on the server: {playing:?}");
    assert!(heard < -60.0, "off, the device is silent: {heard} dB");
    assert!(playing.trim().is_empty(), "off, Plateau lets the device go: {playing}");
    assert!(program > -20.0, "the program still hears it: {program} dB");
}
