//! The virtual camera and microphone, read by other processes: the test
//! runs a PipeWire daemon and its session manager of its own (on a D-Bus
//! and a runtime folder of its own), a headless Plateau with
//! `--virtual-camera`, then GStreamer's `pipewiresrc` and `pw-record`
//! read the "Plateau" nodes: the program's colour, and its tone.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::app::poll;
use common::pipewire::PipeWire;
use common::*;
use plateau::model::{Source, SourceKind};

fn show(dir: &Path) -> PathBuf {
    let mut c = collection();
    c.sources = vec![
        color_source("red", [255, 0, 0]),
        Source::new("tone", "Tone", SourceKind::Tone { frequency: 660.0 }),
    ];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let path = dir.join("show.json");
    plateau::model::save_collection(&c, &path).unwrap();
    path
}

#[test]
fn other_programs_see_the_program_s_colour_and_hear_its_tone_through_the_plateau_nodes() {
    let pw = PipeWire::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("plateau.log");
    let mut plateau = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--virtual-camera", "--duration", "30", "--collection"])
        .arg(show(dir.path()))
        .envs(pw.env())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let nodes = poll(Duration::from_secs(15), Duration::from_millis(300), || {
        let nodes = pw.plateau_nodes();
        match nodes.len() == 2 {
            true => Ok(nodes),
            false => Err(format!(
                "the nodes called Plateau: {nodes:?}; log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )),
        }
    });
    eprintln!("nodes: {nodes:?}");
    assert!(nodes.contains(&(plateau::engine::CAMERA_NODE.into(), "Video/Source".into())), "{nodes:?}");
    assert!(nodes.contains(&(plateau::engine::MICROPHONE_NODE.into(), "Audio/Source".into())), "{nodes:?}");

    // Another process takes ten pictures from the camera.
    let bytes = pw.read_pictures(plateau::engine::CAMERA_NODE, &dir.path().join("camera.rgb"));
    let picture = 640 * 360 * 3;
    assert_eq!(bytes.len(), 10 * picture, "ten pictures of the canvas's size");
    for (n, frame) in bytes.chunks(picture).enumerate() {
        let middle = &frame[(180 * 640 + 320) * 3..][..3];
        assert!(
            middle[0] > 200 && middle[1] < 50 && middle[2] < 50,
            "picture {n} is not the red program: {middle:?}"
        );
    }

    // And records three seconds from the microphone.
    let sound = dir.path().join("microphone.wav");
    let _ = Command::new("timeout")
        .args(["-s", "INT", "4", "pw-record", "--target", plateau::engine::MICROPHONE_NODE])
        .arg(&sound)
        .envs(pw.env())
        .status()
        .expect("pw-record runs (install the package pipewire-bin)");
    let samples = mono_samples(&sound);
    let tail = &samples[samples.len().saturating_sub(48_000)..];
    let crossings = tail.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    let rms = (tail.iter().map(|s| s * s).sum::<f32>() / tail.len().max(1) as f32).sqrt();
    eprintln!("microphone: {} samples, last second {crossings} Hz, rms {rms:.3}", samples.len());
    assert!(tail.len() == 48_000, "less than a second of sound came: {}", samples.len());
    // As much sound as time passed (the node drives PipeWire's graph: a
    // partly empty cycle would run it faster than time), and no gap.
    assert!(samples.len() <= 4 * 48_000 + 4096, "{} samples in at most 4 s", samples.len());
    let gaps = silences(tail);
    let told = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        gaps.is_empty(),
        "the last second of the microphone has gaps (start ms, length in samples): {gaps:?}; \
         pw-record saw {} samples in all; Plateau said:\n{told}",
        samples.len()
    );
    assert!(
        (640..=680).contains(&crossings) && rms > 0.05,
        "not the program's 660 Hz tone: {crossings} Hz, rms {rms}"
    );
    let _ = plateau.kill();
    let _ = plateau.wait();
}

#[test]
fn without_pipewire_the_virtual_camera_says_so_and_the_show_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--virtual-camera", "--duration", "5", "--collection"])
        .arg(show(dir.path()))
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env_remove("PIPEWIRE_REMOTE")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "it ran without PipeWire: {stderr}");
    assert!(stderr.contains("virtual camera") && stderr.contains("is PipeWire running?"), "{stderr}");
}

/// The runs of at least 64 silent samples in `samples` (a 660 Hz tone
/// crosses zero every 36): where each starts (ms) and how long it is.
fn silences(samples: &[f32]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (n, s) in samples.iter().chain([&1.0]).enumerate() {
        match (s.abs() < 1e-6, start) {
            (true, None) => start = Some(n),
            (false, Some(from)) => {
                if n - from >= 64 {
                    runs.push((from * 1000 / 48_000, n - from));
                }
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// The first channel of a sound file, as ffmpeg decodes it.
fn mono_samples(path: &Path) -> Vec<f32> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-ac", "1", "-ar", "48000", "-f", "f32le", "-"])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    out.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}
