//! Helpers shared by the integration tests: collections built in code,
//! colour checks with a tolerance, and waiting for engine events.
#![allow(dead_code)]

pub mod app;
pub mod desktop;
pub mod netns;
pub mod nginx;
pub mod pipewire;
pub mod pulse;

use std::time::{Duration, Instant};

use plateau::engine::{Event, Frame, Studio, VideoTap};
use plateau::model::{Color, ItemId, Scene, SceneCollection, SceneItem, Source, SourceKind};

pub const RED: [u8; 3] = [255, 0, 0];
pub const BLUE: [u8; 3] = [0, 0, 255];
pub const GREEN: [u8; 3] = [0, 255, 0];

/// A small canvas keeps the tests light.
pub fn collection() -> SceneCollection {
    let mut c = SceneCollection::new("Test");
    c.video.width = 640;
    c.video.height = 360;
    c.video.fps = 30;
    c
}

pub fn color_source(id: &str, rgb: [u8; 3]) -> Source {
    Source::new(id, id, SourceKind::Color { color: Color::rgb(rgb[0], rgb[1], rgb[2]) })
}

pub fn item(id: u64, source: &str, x: i32, y: i32, w: u32, h: u32) -> SceneItem {
    SceneItem::new(ItemId(id), source.into(), x, y, w, h)
}

pub fn scene(name: &str, items: Vec<SceneItem>) -> Scene {
    let mut s = Scene::new(name);
    s.items = items;
    s
}

/// Whether `pixel` is `rgb` within `tolerance` per channel.
pub fn near(pixel: [u8; 4], rgb: [u8; 3], tolerance: u8) -> bool {
    pixel.iter().zip(rgb.iter()).all(|(a, b)| a.abs_diff(*b) <= tolerance)
}

/// The next frame for which `test` holds, within `timeout`.
pub fn frame_where(tap: &VideoTap, timeout: Duration, test: impl Fn(&Frame) -> bool) -> Option<Frame> {
    let deadline = Instant::now() + timeout;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        let frame = tap.next(left)?;
        if test(&frame) {
            return Some(frame);
        }
    }
    None
}

/// The next event for which `test` holds, within `timeout`.
pub fn event_where(studio: &Studio, timeout: Duration, test: impl Fn(&Event) -> bool) -> Option<Event> {
    let events = studio.events();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        match events.try_recv() {
            Ok(e) if test(&e) => return Some(e),
            Ok(_) => {}
            Err(async_channel::TryRecvError::Empty) => std::thread::sleep(Duration::from_millis(5)),
            Err(async_channel::TryRecvError::Closed) => return None,
        }
    }
    None
}

/// What ffprobe prints for `args` (e.g. `-show_entries …`) about a file.
pub fn ffprobe(path: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("ffprobe")
        .args(["-v", "error"])
        .args(args)
        .arg(path)
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Timestamps (seconds) of the video packets of a file, sorted.
pub fn video_packet_times(path: &std::path::Path) -> Vec<f64> {
    let out =
        ffprobe(path, &["-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0"]);
    let mut t: Vec<f64> = out.lines().filter_map(|l| l.trim().parse().ok()).collect();
    t.sort_by(f64::total_cmp);
    t
}

/// How far into a file its video plays, in seconds.
pub fn playable_seconds(path: &std::path::Path) -> f64 {
    video_packet_times(path).last().copied().unwrap_or(0.0)
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

/// Where the remote-control clients users use (obsws-python in a venv,
/// obs-websocket-js in node_modules) were installed by scripts/install-deps.
pub fn remote_clients() -> std::path::PathBuf {
    let dir = std::env::var_os("PLATEAU_CLIENTS").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/plateau-clients")
    });
    for needed in ["venv/bin/python", "node_modules/obs-websocket-js/package.json"] {
        assert!(
            dir.join(needed).exists(),
            "{} is missing: run scripts/install-deps (it installs python3-venv and npm, then obsws-python and obs-websocket-js)",
            dir.join(needed).display()
        );
    }
    dir
}

/// The Python of the clients' venv, running `script` from tests/clients.
pub fn python_client(script: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(remote_clients().join("venv/bin/python"));
    cmd.arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients").join(script));
    cmd
}

/// A 6 s clip made by ffmpeg: 160x90 at 30 fps, green for 3 s then blue
/// for 3 s, a keyframe every half second, and a 440 Hz tone.
pub fn green_then_blue_clip(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("green-then-blue.mkv");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(["-f", "lavfi", "-i", "color=c=0x00ff00:s=160x90:r=30:d=3"])
        .args(["-f", "lavfi", "-i", "color=c=0x0000ff:s=160x90:r=30:d=3"])
        .args(["-f", "lavfi", "-i", "sine=f=440:d=6"])
        .args(["-filter_complex", "[0][1]concat=n=2:v=1:a=0[v]", "-map", "[v]", "-map", "2"])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p", "-c:a", "aac"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(status.success(), "ffmpeg made no clip");
    path
}
