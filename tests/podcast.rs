//! Podcast recording: the mix and one track per speaker, loudness of the mix,
//! chapter marks; read back with ffprobe and ffmpeg's EBU R128 meter.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;
use plateau::engine::{Finishing, Podcast, PodcastCodec, PodcastSettings, Studio};
use plateau::model::{SceneCollection, Source, SourceKind};

fn two_speakers() -> SceneCollection {
    let mut c = collection();
    c.sources = vec![
        color_source("red", RED),
        Source::new("alice", "Alice", SourceKind::Tone { frequency: 330.0 }),
        Source::new("bob", "Bob", SourceKind::Tone { frequency: 550.0 }),
    ];
    c.scenes = vec![scene(
        "Main",
        vec![item(1, "red", 0, 0, 640, 360), item(2, "alice", 0, 0, 0, 0), item(3, "bob", 0, 0, 0, 0)],
    )];
    c
}

/// Integrated loudness of audio stream `index`, from ffmpeg's ebur128 filter.
fn integrated_lufs(path: &Path, index: usize) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-i"])
        .arg(path)
        .args(["-map", &format!("0:a:{index}"), "-af", "ebur128", "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    let log = String::from_utf8_lossy(&out.stderr);
    let summary = log.rsplit("Summary:").next().unwrap_or_default();
    summary
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("I:").and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok())
        })
        .unwrap_or_else(|| panic!("no integrated loudness in: {log}"))
}

/// The nice value in a thread's `stat` file (none once it has ended).
fn nice_in(stat: &Path) -> Option<i64> {
    let stat = std::fs::read_to_string(stat).ok()?;
    stat.rsplit_once(") ")?.1.split_whitespace().nth(16)?.parse().ok()
}

/// Each thread of this process: its name and nice value.
fn threads() -> Vec<(String, i64)> {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .flatten()
        .filter_map(|t| {
            let name = std::fs::read_to_string(t.path().join("comm")).ok()?;
            Some((name.trim().to_owned(), nice_in(&t.path().join("stat"))?))
        })
        .collect()
}

/// Seconds of audio stream `index` that decode.
fn decoded_seconds(path: &Path, index: usize) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-map", &format!("0:a:{index}"), "-f", "s16le", "-ac", "1", "-ar", "8000", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success(), "track {index} decodes: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout.len() as f64 / 2.0 / 8000.0
}

#[test]
fn one_file_holds_the_mix_and_each_speaker_with_chapters_and_the_mix_at_minus_16_lufs() {
    init_tracing();
    let studio = Studio::start(two_speakers(), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("episode.mka");
    let mut podcast = Podcast::start(&studio, &path, PodcastSettings::default()).expect("podcast starts");
    std::thread::sleep(Duration::from_secs(2));
    podcast.add_chapter("Intro");
    std::thread::sleep(Duration::from_secs(6));
    podcast.add_chapter("Interview");
    std::thread::sleep(Duration::from_secs(6));
    let steps = std::sync::Mutex::new(Vec::new());
    // Where the work was done: the nice value of the thread telling the
    // progress, and of the streaming threads of the finishing pipelines.
    let (telling, streaming) = (std::sync::Mutex::new(Vec::new()), std::sync::Mutex::new(Vec::new()));
    podcast
        .stop_with_progress(|step| {
            steps.lock().unwrap().push(step);
            telling.lock().unwrap().push(nice_in(Path::new("/proc/thread-self/stat")));
            // GStreamer names its streaming threads after their pads.
            let lowered =
                threads().into_iter().filter(|(name, nice)| *nice != 0 && name != "plateau-backgro");
            streaming.lock().unwrap().extend(lowered);
        })
        .expect("podcast ends cleanly");
    let (telling, streaming) = (telling.into_inner().unwrap(), streaming.into_inner().unwrap());
    eprintln!("finished at nice {telling:?}; streaming threads seen at {streaming:?}");
    assert!(telling.iter().all(|n| *n == Some(10)), "the finishing ran at background priority: {telling:?}");
    assert!(
        streaming.iter().any(|(name, _)| name.starts_with("matroskademux")),
        "the finishing pipelines streamed at background priority: {streaming:?}"
    );
    assert!(streaming.iter().all(|(_, nice)| *nice == 10), "{streaming:?}");
    // No lowered thread is left for the live show to be handed later.
    let lowered: Vec<_> = threads().into_iter().filter(|(_, nice)| *nice != 0).collect();
    assert!(lowered.is_empty(), "threads left at a lower priority: {lowered:?}");
    // Measuring, then rewriting, each told from 0 to 1 without going back.
    let steps = steps.into_inner().unwrap();
    for stage in [0, 1] {
        let fractions: Vec<f64> = steps
            .iter()
            .filter_map(|s| match (stage, s) {
                (0, Finishing::Measuring(f)) | (1, Finishing::Rewriting(f)) => Some(*f),
                _ => None,
            })
            .collect();
        assert!(
            fractions.first() == Some(&0.0) && fractions.last() == Some(&1.0),
            "stage {stage}: {steps:?}"
        );
        assert!(fractions.windows(2).all(|w| w[0] <= w[1]), "stage {stage} went back: {steps:?}");
    }
    let measured_first = steps.iter().position(|s| matches!(s, Finishing::Rewriting(_)))
        > steps.iter().rposition(|s| matches!(s, Finishing::Measuring(_)));
    assert!(measured_first, "measured, then rewritten: {steps:?}");

    let streams = ffprobe(
        &path,
        &["-show_entries", "stream=codec_name,codec_type:stream_tags=title", "-of", "compact=p=0"],
    );
    let lines: Vec<&str> = streams.lines().collect();
    assert_eq!(lines.len(), 3, "mix + two speakers: {streams}");
    for (line, title) in lines.iter().zip(["Mix", "Alice", "Bob"]) {
        // Matroska spells the tag TITLE.
        let line = line.replace("tag:TITLE=", "tag:title=");
        assert!(
            line.contains("codec_name=opus") && line.contains(&format!("tag:title={title}")),
            "{streams}"
        );
    }
    for index in 0..3 {
        let seconds = decoded_seconds(&path, index);
        assert!(seconds > 12.0, "track {index} holds {seconds:.1} s");
    }
    let lufs = integrated_lufs(&path, 0);
    eprintln!("mix integrated loudness: {lufs} LUFS");
    assert!((lufs + 16.0).abs() <= 1.0, "the mix measures {lufs} LUFS");
    let chapters =
        ffprobe(&path, &["-show_entries", "chapter=start_time:chapter_tags=title", "-of", "compact=p=0"]);
    let chapters = chapters.replace("tag:TITLE=", "tag:title=");
    let titles: Vec<&str> = chapters.lines().filter_map(|l| l.split("tag:title=").nth(1)).collect();
    assert_eq!(titles, vec!["Intro", "Interview"], "{chapters}");
    let side = std::fs::read_to_string(dir.path().join("episode.chapters.txt")).expect("side file");
    assert!(side.lines().count() == 2 && side.contains(" Intro") && side.starts_with("00:00:0"), "{side}");
}

/// Records 3 s of `collection`'s program as separate `codec` files in a
/// folder, checks no encoder error came, and returns the folder.
fn three_seconds_in_a_folder(
    collection: SceneCollection,
    codec: PodcastCodec,
) -> (tempfile::TempDir, std::path::PathBuf) {
    init_tracing();
    let studio = Studio::start(collection, None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("episode");
    let settings = PodcastSettings { codec, loudness_target: None };
    let podcast = Podcast::start(&studio, &folder, settings).expect("podcast starts");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(podcast.error(), None, "no encoder error");
    podcast.stop().expect("ends");
    (dir, folder)
}

#[test]
fn separate_flac_files_one_per_track() {
    let (_dir, folder) = three_seconds_in_a_folder(two_speakers(), PodcastCodec::Flac);
    for name in ["Mix.flac", "Alice.flac", "Bob.flac"] {
        let seconds = decoded_seconds(&folder.join(name), 0);
        assert!(seconds > 2.5, "{name}: {seconds:.2} s");
    }
}

#[test]
fn a_flac_podcast_of_a_program_without_sound_sources_is_silence() {
    let mut c = collection();
    c.sources = vec![color_source("red", RED)];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360)])];
    let (_dir, folder) = three_seconds_in_a_folder(c, PodcastCodec::Flac);
    let seconds = decoded_seconds(&folder.join("Mix.flac"), 0);
    assert!(seconds > 2.5, "the mix: {seconds:.2} s");
}

#[test]
fn separate_wav_files_one_per_track() {
    let (_dir, folder) = three_seconds_in_a_folder(two_speakers(), PodcastCodec::Wav);
    // WAV files carry no timestamps: the tracks line up only if they all
    // start at the same instant, so they must be (nearly) the same length.
    let lengths: Vec<f64> =
        ["Mix.wav", "Alice.wav", "Bob.wav"].iter().map(|n| decoded_seconds(&folder.join(n), 0)).collect();
    for (name, seconds) in ["Mix", "Alice", "Bob"].iter().zip(&lengths) {
        assert!(*seconds > 2.5, "{name}: {seconds:.2} s");
    }
    let spread =
        lengths.iter().cloned().fold(0.0, f64::max) - lengths.iter().cloned().fold(f64::MAX, f64::min);
    assert!(spread < 0.1, "the tracks are aligned: {lengths:?}");
}

#[test]
fn speakers_named_alike_or_mix_each_get_a_file_of_their_own() {
    let mut c = two_speakers();
    c.sources = vec![
        color_source("red", RED),
        Source::new("alice", "Guest", SourceKind::Tone { frequency: 330.0 }),
        Source::new("bob", "Guest", SourceKind::Tone { frequency: 550.0 }),
        Source::new("carol", "Mix", SourceKind::Tone { frequency: 770.0 }),
    ];
    c.scenes[0].items.push(item(4, "carol", 0, 0, 0, 0));
    let (_dir, folder) = three_seconds_in_a_folder(c, PodcastCodec::Flac);
    for name in ["Mix.flac", "Guest.flac", "Guest-2.flac", "Mix-2.flac"] {
        let seconds = decoded_seconds(&folder.join(name), 0);
        assert!(seconds > 2.5, "{name}: {seconds:.2} s");
    }
}
