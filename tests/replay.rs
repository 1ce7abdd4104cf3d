//! The replay buffer: the last 30 s of a show kept on disk from the shared
//! encode, saved into a file that plays, with nothing encoded twice.

mod common;

use std::time::Duration;

use common::*;
use plateau::engine::{EncoderSettings, RecordSettings, Recorder, ReplayBuffer, Studio};
use plateau::model::{Source, SourceKind, TestPattern};

#[test]
fn after_forty_seconds_a_thirty_second_buffer_saves_thirty_seconds_that_play() {
    init_tracing();
    let dir = tempfile::tempdir().unwrap();
    let mut c = collection();
    c.sources = vec![
        Source::new("ball", "Ball", SourceKind::TestPattern { pattern: TestPattern::Ball }),
        Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 }),
    ];
    c.scenes = vec![scene("Main", vec![item(1, "ball", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let settings =
        RecordSettings { encoder: EncoderSettings::default(), split_seconds: None, split_bytes: None };
    let pieces = dir.path().join("replay");
    let recorder =
        Recorder::start(&studio, &dir.path().join("show.mkv"), settings).expect("recording starts");
    // The processor time of the recording alone, then with the buffer.
    let mut meter = plateau::engine::CpuMeter::default();
    std::thread::sleep(Duration::from_secs(2));
    meter.sample();
    std::thread::sleep(Duration::from_secs(8));
    let alone = meter.sample().expect("/proc/self/stat");
    let buffer = ReplayBuffer::start(&studio, &pieces, Duration::from_secs(30), settings.encoder)
        .expect("the replay buffer starts");
    // One encode for both: the buffer keeps the recording's pictures, not its own.
    assert_eq!(studio.as_ref().encoder_count(), 1, "the replay buffer encoded the program again");
    std::thread::sleep(Duration::from_secs(2));
    meter.sample();
    std::thread::sleep(Duration::from_secs(8));
    let with_buffer = meter.sample().expect("/proc/self/stat");
    eprintln!("CPU: recording alone {alone:.1} % of a core, with the replay buffer {with_buffer:.1} %");
    assert!(
        with_buffer <= alone * 1.15 + 3.0,
        "the buffer costs as much as an encode: {alone:.1} % then {with_buffer:.1} %"
    );
    std::thread::sleep(Duration::from_secs(30));
    let saved = dir.path().join("replay.ts");
    let length = buffer.save(&saved).expect("the replay is saved");
    let on_disk = buffer.pieces_on_disk();
    eprintln!("saved {:.2} s; {on_disk} pieces on disk", length.as_secs_f64());
    assert!((29.0..=31.0).contains(&length.as_secs_f64()), "the replay holds {length:?}");
    // What a player sees in the file.
    let seconds: f64 = ffprobe(&saved, &["-show_entries", "format=duration", "-of", "csv=p=0"])
        .trim()
        .parse()
        .expect("a duration");
    // (MPEG-TS lists its streams under its program too: the first line.)
    let first_line = |text: String| {
        text.lines().map(|l| l.trim_matches(',').to_owned()).find(|l| !l.is_empty()).unwrap_or_default()
    };
    let frames: u64 = first_line(ffprobe(
        &saved,
        &[
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames",
            "-of",
            "csv=p=0",
        ],
    ))
    .parse()
    .expect("a number of frames");
    let audio = first_line(ffprobe(
        &saved,
        &["-select_streams", "a:0", "-show_entries", "stream=codec_name", "-of", "csv=p=0"],
    ));
    eprintln!("ffprobe: {seconds:.2} s, {frames} pictures, sound {audio}");
    assert!((29.0..=31.5).contains(&seconds), "the file plays {seconds} s");
    assert!(frames as f64 >= seconds * 30.0 * 0.97, "{frames} pictures in {seconds} s");
    assert_eq!(audio, "aac", "the replay has its sound");
    // The disk holds the buffer's length, not the whole show (2 s pieces).
    assert!(on_disk <= 30 / 2 + 3, "{on_disk} pieces kept for a 30 s buffer");
    buffer.stop();
    assert!(!pieces.exists(), "the buffer's folder was left behind");
    recorder.stop().expect("the recording ends");
}
