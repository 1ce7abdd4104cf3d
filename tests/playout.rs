//! Playout: the rundown of a collection runs headless, and the recording
//! shows each scene for its time, to the frame; an entry that lasts until
//! its media ends gives way when the clip ends.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use plateau::model::{EntryLength, Rundown, RundownEntry, SceneCollection, Source, SourceKind};

fn entry(scene: &str, length: EntryLength) -> RundownEntry {
    RundownEntry { scene: scene.into(), length, at: None }
}

/// Runs `collection` headless with `--playout`, recording; the recording.
fn play(dir: &Path, collection: SceneCollection, seconds: &str) -> PathBuf {
    let file = dir.join("show.json");
    plateau::model::save_collection(&collection, &file).unwrap();
    let recording = dir.join("playout.mkv");
    let out = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--playout", "--duration", seconds, "--collection"])
        .arg(&file)
        .arg("--record")
        .arg(&recording)
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    eprintln!("{log}");
    assert!(log.contains("playout: entry 1 on air"), "{log}");
    recording
}

/// Each frame of a recording (decoded as it was coded) named by its colour:
/// r, g, b, k (black) or ? (anything else), then the runs of one colour.
fn colour_runs(path: &Path) -> Vec<(char, usize)> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-map",
            "0:v:0",
            "-fps_mode",
            "passthrough",
            "-vf",
            "scale=8:8",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut runs: Vec<(char, usize)> = Vec::new();
    for frame in out.stdout.chunks_exact(8 * 8 * 3) {
        let p = &frame[(4 * 8 + 4) * 3..][..3];
        let colour = match (p[0] > 180, p[1] > 180, p[2] > 180, p.iter().all(|c| *c < 40)) {
            (true, false, false, _) => 'r',
            (false, true, false, _) => 'g',
            (false, false, true, _) => 'b',
            (_, _, _, true) => 'k',
            _ => '?',
        };
        match runs.last_mut() {
            Some((c, n)) if *c == colour => *n += 1,
            _ => runs.push((colour, 1)),
        }
    }
    runs
}

#[test]
fn three_scenes_of_two_seconds_each_are_on_air_for_sixty_frames_each() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = collection();
    c.sources = vec![
        color_source("red", [255, 0, 0]),
        color_source("green", [0, 255, 0]),
        color_source("blue", [0, 0, 255]),
    ];
    c.scenes = ["red", "green", "blue"]
        .iter()
        .map(|s| scene(&s.to_uppercase(), vec![item(1, s, 0, 0, 640, 360)]))
        .collect();
    // Red first, but the playout begins with green: its start is seen.
    c.rundown = Rundown {
        entries: vec![
            entry("GREEN", EntryLength::seconds(2.0)),
            entry("BLUE", EntryLength::seconds(2.0)),
            entry("RED", EntryLength::seconds(2.0)),
        ],
        looping: true,
    };
    let runs = colour_runs(&play(dir.path(), c, "9"));
    eprintln!("runs: {runs:?}");
    // The recording begins and ends anywhere in a run: the whole runs in
    // between are checked, each 60 frames ±1, in the rundown's turn.
    assert!(runs.len() >= 5, "fewer than three whole runs: {runs:?}");
    let whole = &runs[1..runs.len() - 1];
    let turn = ['g', 'b', 'r'];
    let first = turn.iter().position(|c| *c == whole[0].0).expect("a scene's colour");
    for (n, (colour, frames)) in whole.iter().enumerate() {
        assert_eq!(*colour, turn[(first + n) % 3], "run {n} of {runs:?}");
        assert!((59..=61).contains(frames), "{colour} was on air {frames} frames, not 60 ±1: {runs:?}");
    }
    assert!(!whole.iter().any(|(c, _)| *c == '?' || *c == 'k'), "a frame of no scene's colour: {runs:?}");
}

#[test]
fn an_entry_until_its_media_ends_gives_way_when_the_clip_ends() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("green-3s.mkv");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x00ff00:s=320x180:r=30:d=3"])
        .args(["-f", "lavfi", "-i", "sine=f=440:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-g", "15"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(&clip)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(made.success());
    let mut c = collection();
    c.sources = vec![
        color_source("red", [255, 0, 0]),
        color_source("blue", [0, 0, 255]),
        Source::new("clip", "Clip", SourceKind::Media { path: clip, looping: false }),
    ];
    c.scenes = vec![
        scene("BLUE", vec![item(1, "blue", 0, 0, 640, 360)]),
        scene("CLIP", vec![item(1, "red", 0, 0, 640, 360), item(2, "clip", 0, 0, 640, 360)]),
        scene("RED", vec![item(1, "red", 0, 0, 640, 360)]),
    ];
    c.rundown = Rundown {
        entries: vec![
            entry("BLUE", EntryLength::seconds(1.0)),
            entry("CLIP", EntryLength::UNTIL_MEDIA_ENDS),
            entry("RED", EntryLength::seconds(30.0)),
        ],
        looping: false,
    };
    let runs = colour_runs(&play(dir.path(), c, "7"));
    eprintln!("runs: {runs:?}");
    let green = runs.iter().find(|(c, _)| *c == 'g').map(|(_, n)| *n).unwrap_or(0);
    // The clip plays whole (90 frames; it starts when it goes on air) and
    // the red scene follows it within a few frames of its end.
    assert!((87..=96).contains(&green), "the clip was on air {green} frames, not about 90: {runs:?}");
    let after: Vec<char> = runs.iter().map(|(c, _)| *c).skip_while(|c| *c != 'g').collect();
    assert_eq!(after.get(1), Some(&'r'), "after the clip: {runs:?}");
    let red_after = runs.iter().skip_while(|(c, _)| *c != 'g').nth(1).map(|(_, n)| *n).unwrap_or(0);
    assert!(red_after >= 30, "the red scene did not stay on air: {runs:?}");
}
