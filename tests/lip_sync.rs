//! Sound and picture stay together: a clip with a white flash and a beep
//! at the start of every second loops as a media source while Plateau
//! records headless for five minutes; each flash in the file is paired
//! with its beep. `PLATEAU_SYNC_SECONDS` shortens the run for a quick look.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use plateau::model::{Source, SourceKind};

/// A 10 s clip: black, with a white picture and a 1 kHz beep during the
/// first frame (and 50 ms) of every second; H.264 + AAC in MP4.
fn flash_and_beep_clip(path: &Path) {
    let video = "color=c=black:s=320x180:r=30:d=10[b];color=c=white:s=320x180:r=30:d=10[w];\
                 [b][w]overlay=enable='lt(mod(t\\,1)\\,0.033)'";
    let audio = "aevalsrc='if(lt(mod(t\\,1)\\,0.05)\\,0.8*sin(2*PI*1000*t)\\,0)':s=48000:d=10";
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio])
        .args(["-c:v", "libx264", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest"])
        .arg(path)
        .status()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert!(status.success(), "the clip is made");
}

/// When each flash starts in `file` (seconds), from its pictures' brightness.
fn flashes(file: &Path) -> Vec<f64> {
    let graph = format!("movie={},signalstats", file.display());
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-f", "lavfi", "-i", &graph])
        .args(["-show_entries", "frame=pts_time:frame_tags=lavfi.signalstats.YAVG", "-of", "csv=p=0"])
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut times = Vec::new();
    let mut was_bright = false;
    for line in text.lines() {
        let mut fields = line.split(',').map(|f| f.trim().parse::<f64>());
        let (Some(Ok(t)), Some(Ok(luma))) = (fields.next(), fields.next()) else { continue };
        let bright = luma > 128.0;
        if bright && !was_bright {
            times.push(t);
        }
        was_bright = bright;
    }
    times
}

/// When each beep starts in `file` (seconds): the first loud sample after
/// half a second of quiet, on the audio stream's own timeline. Its samples
/// are placed at their timestamps (a hole in the track is filled with
/// silence), as a player places them.
fn beeps(file: &Path) -> Vec<f64> {
    let start: f64 =
        ffprobe(file, &["-select_streams", "a:0", "-show_entries", "stream=start_time", "-of", "csv=p=0"])
            .trim()
            .parse()
            .unwrap_or(0.0);
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-map", "0:a:0", "-af", "aresample=async=1:min_hard_comp=0.001"])
        .args(["-ac", "1", "-ar", "48000", "-f", "s16le", "-"])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    let mut times = Vec::new();
    let mut quiet = 0usize;
    for (i, pair) in out.stdout.chunks_exact(2).enumerate() {
        let sample = i16::from_le_bytes([pair[0], pair[1]]);
        if sample.unsigned_abs() > 3000 {
            if quiet > 24_000 {
                times.push(start + i as f64 / 48_000.0);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    times
}

/// The holes in `file`'s sound: where a packet starts more than a
/// few milliseconds after the previous one ends (Matroska keeps times to
/// the millisecond; seconds, length in ms).
fn sound_holes(file: &Path) -> Vec<(f64, f64)> {
    let packets = ffprobe(
        file,
        &["-select_streams", "a:0", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0"],
    );
    let mut holes = Vec::new();
    let mut end: Option<f64> = None;
    for line in packets.lines() {
        let mut fields = line.split(',').map(|f| f.trim().parse::<f64>());
        let (Some(Ok(pts)), Some(Ok(duration))) = (fields.next(), fields.next()) else { continue };
        if let Some(end) = end.filter(|end| pts - end > 0.004) {
            holes.push((end, (pts - end) * 1000.0));
        }
        end = Some(pts + duration);
    }
    holes
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[test]
fn sound_stays_with_its_picture_through_a_long_recording_of_a_looping_clip() {
    let seconds: u64 = std::env::var("PLATEAU_SYNC_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = dir.path().join("flash-and-beep.mp4");
    flash_and_beep_clip(&clip);
    let mut c = collection();
    c.sources = vec![Source::new("clip", "Clip", SourceKind::Media { path: clip, looping: true })];
    c.scenes = vec![scene("Main", vec![item(1, "clip", 0, 0, 640, 360)])];
    let show = dir.path().join("show.json");
    plateau::model::save_collection(&c, &show).expect("collection written");
    let recording = dir.path().join("sync.mkv");
    let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .arg("--headless")
        .arg("--collection")
        .arg(&show)
        .arg("--record")
        .arg(&recording)
        .args(["--duration", &seconds.to_string()])
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("plateau runs");
    assert!(run.status.success(), "plateau failed: {}", String::from_utf8_lossy(&run.stderr));

    let (flashes, beeps) = (flashes(&recording), beeps(&recording));
    // Sound lost on the way (an output that could not keep up) is not a
    // sync fault: it is measured on the timestamps above, and shown here.
    let holes = sound_holes(&recording);
    if !holes.is_empty() {
        eprintln!(
            "holes in the sound (at s, ms): {holes:.3?}\nplateau said: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    // Each flash with the beep nearest to it (never more than 0.4 s away).
    let pairs: Vec<(f64, f64)> = flashes
        .iter()
        .filter_map(|&flash| {
            let beep =
                beeps.iter().copied().min_by(|a, b| (a - flash).abs().total_cmp(&(b - flash).abs()))?;
            ((beep - flash).abs() < 0.4).then_some((flash, (beep - flash) * 1000.0))
        })
        .collect();
    // One flash a second, less the start and each loop's restart (a file
    // starts over on the next program frame after a 40 ms margin).
    let expected = seconds as usize * 9 / 10;
    assert!(
        pairs.len() >= expected,
        "{} of {} flashes and {} beeps paired in {seconds} s (at least {expected} expected)",
        pairs.len(),
        flashes.len(),
        beeps.len()
    );
    let mut all: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let (first_at, last_at) = (pairs[0].0, pairs[pairs.len() - 1].0);
    let minute = 60.0_f64.min(seconds as f64 / 3.0);
    let mut first: Vec<f64> = pairs.iter().filter(|p| p.0 < first_at + minute).map(|p| p.1).collect();
    let mut last: Vec<f64> = pairs.iter().filter(|p| p.0 > last_at - minute).map(|p| p.1).collect();
    let (overall, early, late) = (median(&mut all), median(&mut first), median(&mut last));
    eprintln!(
        "sound after picture over {seconds} s ({} pairs): median {overall:.1} ms; first minute {early:.1} ms, last minute {late:.1} ms; range {:.1}..{:.1} ms",
        pairs.len(),
        all[0],
        all[all.len() - 1]
    );
    assert!(overall.abs() <= 20.0, "the sound is {overall:.1} ms after the picture (median)");
    assert!((late - early).abs() < 10.0, "the sound moved from {early:.1} to {late:.1} ms after the picture");
}
