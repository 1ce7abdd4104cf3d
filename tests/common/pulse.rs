//! A PulseAudio server of a test's own, with one null sink, `headphones`,
//! whose monitor tells what plays on it.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A PulseAudio server with one null sink, `headphones`, on a socket of its own.
pub struct Pulse {
    child: Child,
    socket: std::path::PathBuf,
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
        Self { child, socket, _dir: None }
    }

    pub fn server(&self) -> String {
        format!("unix:{}", self.socket.display())
    }

    /// What plays on `headphones` over `seconds`: its RMS (dBFS) and the
    /// frequency its zero crossings give, over the tenths of a second that
    /// sound (at least half a second of them; silence when nothing plays).
    pub fn listen(&self, seconds: f64) -> (f64, f64) {
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
