//! Monitoring: a source set to be monitored is heard on the monitoring
//! device — a PulseAudio server of the test's own with a null sink, read
//! back from that sink's monitor — and, monitored only, not in the program.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use plateau::engine::{Event, Studio};
use plateau::model::{Monitor, Source, SourceId, SourceKind};

/// A PulseAudio server with one null sink, `headphones`, on a socket of its own.
struct Pulse {
    child: Child,
    socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Pulse {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        let socket = dir.path().join("native");
        let child = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=false",
                "--disable-shm=yes",
            ])
            .arg("-L")
            .arg(format!("module-native-protocol-unix socket={} auth-anonymous=1", socket.display()))
            .args(["-L", "module-null-sink sink_name=headphones rate=48000 channels=2"])
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio runs (install the package pulseaudio)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "pulseaudio made no socket in 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, socket, _dir: dir }
    }

    fn server(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    /// What plays on `headphones` over `seconds`: its RMS (dBFS) and the
    /// frequency its zero crossings give, over the tenths of a second that
    /// sound (at least half a second of them; silence when nothing plays).
    fn listen(&self, seconds: f64) -> (f64, f64) {
        let mut parec = Command::new("parec")
            .args(["-d", "headphones.monitor", "--raw", "--format=float32le", "--rate=48000", "--channels=1"])
            .env("PULSE_SERVER", self.server())
            .stdout(Stdio::piped())
            .spawn()
            .expect("parec runs (install the package pulseaudio-utils)");
        let mut out = parec.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = std::io::Read::read_to_end(&mut out, &mut bytes);
            bytes
        });
        std::thread::sleep(Duration::from_secs_f64(seconds));
        let _ = parec.kill();
        let _ = parec.wait();
        let bytes = reader.join().expect("read");
        let samples: Vec<f32> =
            bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).skip(9600).collect();
        if samples.len() < 24_000 {
            // Nothing plays: the null sink gives its monitor little or nothing.
            return (f64::NEG_INFINITY, 0.0);
        }
        // In tenths of a second: a device that starts late or skips under
        // load leaves silent tenths, which say nothing of the frequency.
        let db = |block: &[f32]| {
            let rms = (block.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / block.len() as f64).sqrt();
            20.0 * rms.max(1e-10).log10()
        };
        let sounding: Vec<&[f32]> = samples.chunks_exact(4800).filter(|b| db(b) > -40.0).collect();
        if sounding.len() < 5 {
            return (db(&samples), 0.0);
        }
        // Each tenth's frequency; their median (a tenth with a skip in it,
        // under load, is an outlier).
        let mut frequencies: Vec<f64> = sounding
            .iter()
            .map(|b| b.windows(2).filter(|w| (w[0] < 0.0) != (w[1] < 0.0)).count() as f64 / 2.0 / 0.1)
            .collect();
        frequencies.sort_by(f64::total_cmp);
        let loud: Vec<f32> = sounding.concat();
        (db(&loud), frequencies[frequencies.len() / 2])
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
