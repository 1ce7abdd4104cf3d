//! Monitoring through a sound server that goes away mid-show (PulseAudio
//! restarted, say): it is said once, and monitoring comes back by itself
//! when the server does. (A process of its own: PULSE_SERVER is set here.)

mod common;

use std::time::{Duration, Instant};

use common::pulse::Pulse;
use common::*;
use plateau::engine::{Event, Studio};
use plateau::model::{Monitor, Source, SourceKind};

#[test]
fn monitoring_comes_back_by_itself_when_the_sound_server_does() {
    init_tracing();
    let dir = tempfile::tempdir().unwrap();
    let pulse = Pulse::start_in(dir.path());
    std::env::set_var("PULSE_SERVER", pulse.server());
    let mut tone = Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 });
    tone.monitor = Monitor::Only;
    let mut c = collection();
    c.sources = vec![color_source("red", RED), tone];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let studio = Studio::start(c, None).expect("studio starts");
    std::thread::sleep(Duration::from_secs(1));
    let (before, _) = pulse.listen(1.5);
    assert!(before > -30.0, "the tone on the device first: {before} dB");
    // The server goes away: said once.
    drop(pulse);
    let said = event_where(
        &studio,
        Duration::from_secs(10),
        |e| matches!(e, Event::Error(m) if m.contains("monitoring stopped")),
    );
    eprintln!("told: {said:?}");
    assert!(said.is_some(), "nobody was told monitoring stopped");
    // It comes back, at the same address: monitoring follows by itself.
    std::thread::sleep(Duration::from_secs(2));
    let pulse = Pulse::start_in(dir.path());
    let back = Instant::now();
    let (mut heard, mut frequency) = (f64::NEG_INFINITY, 0.0);
    while back.elapsed() < Duration::from_secs(15) && heard <= -30.0 {
        (heard, frequency) = pulse.listen(1.5);
    }
    eprintln!(
        "after the restart: {heard:.1} dB at {frequency:.0} Hz, {:.1} s after the server came back",
        back.elapsed().as_secs_f64()
    );
    assert!(
        heard > -30.0 && (frequency - 440.0).abs() < 20.0,
        "monitoring did not come back: {heard} dB, {frequency} Hz"
    );
    // Told once, not at every try.
    let again = event_where(
        &studio,
        Duration::from_millis(500),
        |e| matches!(e, Event::Error(m) if m.contains("monitoring")),
    );
    assert!(again.is_none(), "told again: {again:?}");
}
