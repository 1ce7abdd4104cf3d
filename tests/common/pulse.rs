//! A PulseAudio server of a test's own, with one null sink, `headphones`,
//! whose monitor tells what plays on it.
//!
//! The monitor is recorded from the start to the end by one parec asking
//! for 20 ms of latency. Without such a listener the null sink renders
//! two seconds ahead at a time while idle and sleeps meanwhile (its
//! largest latency), so a stream that connects waits up to two seconds
//! before the sink takes anything from it: a property of the null sink
//! that made a program's monitor look slow to start (0.0-1.3 s here).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A PulseAudio server with one null sink, `headphones`, on a socket of its own.
pub struct Pulse {
    child: Child,
    socket: std::path::PathBuf,
    recording: Option<Recording>,
    _dir: Option<tempfile::TempDir>,
}

impl Pulse {
    /// In a folder of its own.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut pulse = Self::start_in(dir.path());
        pulse._dir = Some(dir);
        pulse
    }

    /// With its socket in `dir` (a server started again in the same
    /// folder is found at the same address).
    pub fn start_in(dir: &Path) -> Self {
        let runtime = dir.join("runtime");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        let socket = dir.join("native");
        // A server that was killed leaves its socket behind.
        let _ = std::fs::remove_file(&socket);
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
            .env("HOME", dir)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio runs (install the package pulseaudio)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "pulseaudio made no socket in 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut pulse = Self { child, socket, recording: None, _dir: None };
        let mut recording = pulse.record();
        // The sink renders in small steps once the recorder's first ones arrive.
        let deadline = Instant::now() + Duration::from_secs(5);
        while recording.samples_so_far() < 4800 {
            assert!(Instant::now() < deadline, "parec read nothing from the null sink's monitor in 5 s");
            if recording.parec.try_wait().is_ok_and(|ended| ended.is_some()) {
                // The server was not answering yet.
                recording = pulse.record();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        pulse.recording = Some(recording);
        pulse
    }

    /// How many samples of `headphones` have been recorded so far: a mark
    /// of the device's own time (48,000 a second).
    pub fn mark(&self) -> usize {
        self.recording.as_ref().expect("recording").samples_so_far()
    }

    /// The samples of `headphones` recorded since `mark`.
    pub fn since(&self, mark: usize) -> Vec<f32> {
        self.recording.as_ref().expect("recording").samples_from(mark)
    }

    pub fn server(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    fn record(&self) -> Recording {
        let mut parec = Command::new("parec")
            .args(["-d", "headphones.monitor", "--raw", "--format=float32le", "--rate=48000", "--channels=1"])
            .arg("--latency-msec=20")
            .env("PULSE_SERVER", self.server())
            .stdout(Stdio::piped())
            .spawn()
            .expect("parec runs (install the package pulseaudio-utils)");
        let mut out = parec.stdout.take().expect("stdout");
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let filled = bytes.clone();
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = std::io::Read::read(&mut out, &mut chunk) {
                filled.lock().expect("samples").extend_from_slice(&chunk[..n]);
            }
        });
        Recording { parec, reader: Some(reader), bytes }
    }

    /// What plays on `headphones` over `seconds`: its RMS (dBFS) and the
    /// frequency its zero crossings give, over the tenths of a second that
    /// sound (at least half a second of them; silence when nothing plays).
    pub fn listen(&self, seconds: f64) -> (f64, f64) {
        let mark = self.mark();
        std::thread::sleep(Duration::from_secs_f64(seconds));
        let samples = self.since(mark);
        if samples.len() < 24_000 {
            // The sound server fell behind: too little to say anything.
            return (f64::NEG_INFINITY, 0.0);
        }
        // In tenths of a second: a device that starts late or skips under
        // load leaves silent tenths, which say nothing of the frequency.
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

/// The RMS of `block` in dBFS.
pub fn db(block: &[f32]) -> f64 {
    let rms = (block.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / block.len().max(1) as f64).sqrt();
    20.0 * rms.max(1e-10).log10()
}

/// parec reading `headphones`' monitor for the server's life.
struct Recording {
    parec: Child,
    reader: Option<std::thread::JoinHandle<()>>,
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl Recording {
    fn samples_so_far(&self) -> usize {
        self.bytes.lock().expect("samples").len() / 4
    }

    fn samples_from(&self, mark: usize) -> Vec<f32> {
        let bytes = self.bytes.lock().expect("samples");
        bytes[(mark * 4).min(bytes.len())..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.parec.kill();
        let _ = self.parec.wait();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.recording.take();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
