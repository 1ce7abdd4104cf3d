//! A recording survives `kill -9` of the whole process.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

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
    common::playable_seconds(&path)
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
