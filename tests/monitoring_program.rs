//! The program's mix on the monitoring device: a tone that is only in the
//! program (not monitored itself) is heard on the device once the program
//! is monitored, and no longer after — a PulseAudio server of the test's
//! own with a null sink, read back from that sink's monitor.

mod common;

use std::time::Duration;

use common::pulse::{db, Pulse};
use common::*;
use plateau::engine::{Command, Studio};
use plateau::model::{Monitor, Source, SourceKind};

#[test]
fn the_program_mix_is_heard_on_the_monitoring_device_when_asked_for() {
    init_tracing();
    let pulse = Pulse::start();
    // Only this test runs in this process: GStreamer's pulsesink finds the server here.
    std::env::set_var("PULSE_SERVER", pulse.server());
    let tone = Source::new("tone", "Tone", SourceKind::Tone { frequency: 660.0 });
    assert_eq!(tone.monitor, Monitor::Off, "the tone itself is not monitored");
    let mut c = collection();
    c.sources = vec![color_source("red", RED), tone];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let studio = Studio::start(c, None).expect("studio starts");
    std::thread::sleep(Duration::from_secs(1));
    let (before, _) = pulse.listen(1.0);

    // How long the program takes to sound on the device, counted in the
    // device's own samples from when it is asked for.
    let asked = pulse.mark();
    studio.send(Command::MonitorProgram(true)).expect("sent");
    std::thread::sleep(Duration::from_secs(2));
    let first_sound = pulse.since(asked).chunks_exact(480).position(|b| db(b) > -30.0);
    let starts_after = first_sound.map(|hundredths| hundredths as f64 * 0.01);
    eprintln!("the program sounds on the device {starts_after:?} s after it is asked for");
    let (heard, frequency) = pulse.listen(1.5);

    studio.send(Command::MonitorProgram(false)).expect("sent");
    std::thread::sleep(Duration::from_millis(500));
    let (after, _) = pulse.listen(1.0);
    eprintln!("the device: {before:.1} dB before, {heard:.1} dB at {frequency:.0} Hz with the program, {after:.1} dB after");
    assert!(before < -60.0, "nothing monitored: the device is silent ({before} dB)");
    let starts_after =
        starts_after.expect("the program's tone never sounded in the 2 s after it was asked for");
    assert!(starts_after < 0.5, "the program took {starts_after} s to sound on the device");
    assert!(
        heard > -30.0 && (frequency - 660.0).abs() < 20.0,
        "the program's tone on the device: {heard} dB, {frequency} Hz"
    );
    assert!(after < -60.0, "the program no longer monitored: silent again ({after} dB)");
}
