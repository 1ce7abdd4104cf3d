//! A recording survives `kill -9` of the whole process.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn last_video_time(path: &Path) -> f64 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse::<f64>().ok())
        .fold(0.0, f64::max)
}

fn killed_after_ten_seconds(file: &str) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(file);
    let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "60", "--record"])
        .arg(&path)
        .env_remove("DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("plateau runs");
    std::thread::sleep(Duration::from_secs(10));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    last_video_time(&path)
}

#[test]
fn a_killed_matroska_recording_plays_up_to_its_last_seconds() {
    let seconds = killed_after_ten_seconds("killed.mkv");
    assert!(seconds >= 8.0, "the file holds {seconds:.2} s");
}

#[test]
fn a_killed_fragmented_mp4_recording_plays_up_to_its_last_seconds() {
    let seconds = killed_after_ten_seconds("killed.mp4");
    assert!(seconds >= 8.0, "the file holds {seconds:.2} s");
}
