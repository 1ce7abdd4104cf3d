//! Recording and streaming against real servers: nginx with the RTMP module
//! on 127.0.0.1, ffprobe reading back what arrived.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::nginx::{probe, Nginx};
use common::*;
use plateau::engine::{
    AudioCodec, EncoderSettings, Event, Keyframes, OutputStatus, RecordSettings, Recorder, Speed, Stream,
    StreamSettings, Studio, TsFeed,
};
use plateau::model::demo_collection;

fn stream(studio: &Studio, name: &str, url: String) -> Stream {
    Stream::start(studio, StreamSettings { name: name.into(), url, encoder: Default::default() })
        .expect("stream starts")
}

fn wait_live(studio: &Studio, name: &str, within: Duration) -> Option<Instant> {
    event_where(
        studio,
        within,
        |e| matches!(e, Event::Output { output, status: OutputStatus::Live } if output == name),
    )
    .map(|_| Instant::now())
}

/// The demo streamed live (as `name`) to nginx in a network namespace,
/// whose cable can be cut or slowed.
fn live_across_a_cable(name: &str) -> (common::netns::NetNs, Nginx, Studio, Stream) {
    init_tracing();
    let net = common::netns::NetNs::create();
    let nginx = Nginx::start_in(&net);
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let s = stream(&studio, name, nginx.url("live", name));
    assert!(wait_live(&studio, name, Duration::from_secs(10)).is_some(), "{name} goes live");
    (net, nginx, studio, s)
}

/// A local RTMP server, the demo program and a folder for recordings.
fn demo_with_nginx() -> (Nginx, Studio, tempfile::TempDir) {
    init_tracing();
    let nginx = Nginx::start();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    (nginx, studio, tempfile::tempdir().expect("temp dir"))
}

/// A red picture and a tone: nothing in it makes the encoder add a
/// keyframe of its own (the demo's moving pictures do, about every second).
fn red_and_tone() -> plateau::model::SceneCollection {
    let mut c = collection();
    c.sources = vec![
        color_source("red", RED),
        plateau::model::Source::new("tone", "Tone", plateau::model::SourceKind::Tone { frequency: 440.0 }),
    ];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "tone", 0, 0, 0, 0)])];
    c
}

/// How long, from now, until the destination `name` starts reconnecting (30 s at most).
fn time_to_reconnecting(studio: &Studio, name: &str) -> Option<Duration> {
    let start = Instant::now();
    event_where(
        studio,
        Duration::from_secs(30),
        |e| matches!(e, Event::Output { output, status: OutputStatus::Reconnecting { .. } } if output == name),
    )
    .map(|_| start.elapsed())
}

#[test]
fn the_demo_goes_to_two_applications_at_once_with_one_encode() {
    let (nginx, studio, dir) = demo_with_nginx();
    let recorder =
        Recorder::start(&studio, &dir.path().join("show.mkv"), RecordSettings::default()).expect("recording");
    let a = stream(&studio, "A", nginx.url("live", "key-a"));
    let b = stream(&studio, "B", nginx.url("show", "key-b"));
    // Both go live, in whichever order.
    let events = studio.events();
    let mut live = std::collections::HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    while live.len() < 2 && Instant::now() < deadline {
        if let Ok(Event::Output { output, status: OutputStatus::Live }) = events.try_recv() {
            live.insert(output);
        } else {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert_eq!(live.len(), 2, "both destinations go live: {live:?}");
    assert_eq!(studio.encoder_count(), 1, "the recording and both streams share one encode");
    for url in [nginx.url("live", "key-a"), nginx.url("show", "key-b")] {
        let streams = probe(&url);
        let video = streams.lines().find(|l| l.contains("codec_type=video")).unwrap_or_default();
        for field in ["codec_name=h264", "width=1280", "height=720"] {
            assert!(video.contains(field), "{url}: {field} in {streams}");
        }
        // FLV times are in milliseconds: ffprobe reads 30/1, or 1000/33
        // when its first frames came 33 ms apart.
        let rate = video
            .split('|')
            .find_map(|f| f.strip_prefix("avg_frame_rate="))
            .and_then(|r| r.split_once('/'))
            .and_then(|(n, d)| Some(n.parse::<f64>().ok()? / d.parse::<f64>().ok()?));
        assert!(rate.is_some_and(|r| (29.5..30.5).contains(&r)), "{url}: 30 pictures a second in {streams}");
        assert!(streams.contains("codec_name=aac|codec_type=audio"), "{url}: {streams}");
    }
    a.stop();
    b.stop();
    recorder.stop().expect("the recording ends cleanly");
}

#[test]
fn a_server_that_goes_away_is_reconnected_and_nothing_else_is_touched() {
    init_tracing();
    let mut first = Nginx::start();
    let second = Nginx::start();
    let studio = Studio::start(red_and_tone(), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("beside.mkv");
    let recorder = Recorder::start(&studio, &path, RecordSettings::default()).expect("recording");
    let events = studio.events();
    let _a = stream(&studio, "first", first.url("live", "one"));
    let _b = stream(&studio, "second", second.url("live", "two"));
    assert!(wait_live(&studio, "first", Duration::from_secs(10)).is_some());

    first.stop();
    let down = Instant::now();
    assert!(
        event_where(&studio, Duration::from_secs(8), |e| matches!(e, Event::Output { output, status: OutputStatus::Reconnecting { .. } } if output == "first")).is_some(),
        "the loss is noticed"
    );
    std::thread::sleep(Duration::from_secs(10).saturating_sub(down.elapsed()));
    first.restart();
    let back = Instant::now();
    let live_again = wait_live(&studio, "first", Duration::from_secs(15)).expect("the stream comes back");
    let took = live_again - back;
    assert!(took <= Duration::from_secs(5), "back {took:?} after the server returned");
    let streams = probe(&first.url("live", "one"));
    assert!(
        streams.contains("codec_name=h264|codec_type=video|width=640|height=360"),
        "the returned stream plays: {streams}"
    );

    // The other destination never left, the recording has no hole.
    let mut second_troubled = false;
    while let Ok(e) = events.try_recv() {
        if let Event::Output { output, status } = e {
            second_troubled |=
                output == "second" && !matches!(status, OutputStatus::Live | OutputStatus::Connecting);
        }
    }
    assert!(!second_troubled, "the second destination was never reconnecting or failed");
    let recorded_for = down.elapsed().as_secs_f64();
    recorder.stop().expect("recording ends");
    let times = video_packet_times(&path);
    let gaps = times.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    assert!(gaps < 0.1, "largest gap between recorded frames: {gaps:.3} s");
    assert!(
        times.len() as f64 >= recorded_for * 30.0,
        "{} frames for more than {recorded_for:.1} s",
        times.len()
    );
}

#[test]
fn a_bad_address_or_folder_is_a_clear_error_and_the_program_goes_on() {
    init_tracing();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let err = Stream::start(
        &studio,
        StreamSettings {
            name: "x".into(),
            url: "http://example/live/secret".into(),
            encoder: Default::default(),
        },
    )
    .err()
    .expect("http is not a stream address");
    assert!(err.to_string().contains("rtmp://") && !err.to_string().contains("secret"), "{err}");
    let err = Recorder::start(&studio, Path::new("/proc/plateau-test.mkv"), RecordSettings::default())
        .err()
        .expect("no writing in /proc");
    assert!(err.to_string().contains("/proc"), "{err}");
    let err = Recorder::start(&studio, Path::new("/tmp/x.avi"), RecordSettings::default())
        .err()
        .expect("avi refused");
    assert!(err.to_string().contains(".mkv"), "{err}");
    let tap = plateau::engine::VideoTap::start(&studio, 8).expect("tap");
    assert!(tap.next(Duration::from_secs(2)).is_some(), "the program goes on");
}

/// Video packet times of an RTMP pull during `seconds`.
fn pulled_packet_times(url: &str, seconds: u32) -> Vec<f64> {
    let out = Command::new("timeout")
        .args(["-s", "KILL", &(seconds + 10).to_string(), "ffprobe", "-v", "error", "-rw_timeout", "5000000"])
        .args(["-read_intervals", &format!("%+{seconds}"), "-select_streams", "v:0"])
        .args(["-show_entries", "packet=pts_time", "-of", "csv=p=0", url])
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect()
}

#[test]
fn starting_and_stopping_a_recording_leaves_the_stream_untouched() {
    init_tracing();
    let nginx = Nginx::start();
    let studio = std::sync::Arc::new(Studio::start(demo_collection(false), None).expect("studio starts"));
    let _live = stream(&studio, "live", nginx.url("live", "steady"));
    assert!(wait_live(&studio, "live", Duration::from_secs(10)).is_some());
    let dir = tempfile::tempdir().expect("temp dir");
    let toggler = {
        let studio = studio.clone();
        let dir = dir.path().to_owned();
        std::thread::spawn(move || {
            for n in 0..3 {
                std::thread::sleep(Duration::from_millis(1200));
                let r = Recorder::start(
                    studio.feeds(),
                    &dir.join(format!("take-{n}.mkv")),
                    RecordSettings::default(),
                )
                .expect("recording starts");
                std::thread::sleep(Duration::from_millis(1200));
                r.stop().expect("recording stops");
            }
        })
    };
    let times = pulled_packet_times(&nginx.url("live", "steady"), 8);
    toggler.join().expect("toggler");
    assert!(times.len() >= 200, "about 240 frames pulled in 8 s, got {}", times.len());
    for w in times.windows(2) {
        let step = w[1] - w[0];
        assert!((0.0..0.1).contains(&step), "a timestamp step of {step:.3} s in the stream");
    }
    for n in 0..3 {
        let frames = video_packet_times(&dir.path().join(format!("take-{n}.mkv"))).len();
        assert!(frames > 20, "take {n} was recorded: {frames} frames");
    }
}

#[test]
fn a_dead_link_without_a_reset_is_noticed_and_the_stream_comes_back() {
    init_tracing();
    let nginx = Nginx::start();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let _s = stream(&studio, "frozen", nginx.url("live", "frozen"));
    assert!(wait_live(&studio, "frozen", Duration::from_secs(10)).is_some());
    // A frozen server keeps the connection open and reads nothing: no reset, no error.
    let pid = nginx.pid().expect("nginx runs");
    assert!(Command::new("kill").args(["-STOP", &pid.to_string()]).status().expect("kill").success());
    let noticed = time_to_reconnecting(&studio, "frozen");
    assert!(Command::new("kill").args(["-CONT", &pid.to_string()]).status().expect("kill").success());
    let after = noticed.expect("the dead link was noticed");
    eprintln!("dead link noticed after {after:?}");
    assert!(after < Duration::from_secs(8), "noticed after {after:?}");
    assert!(
        wait_live(&studio, "frozen", Duration::from_secs(20)).is_some(),
        "live again once the server thaws"
    );
}

#[test]
fn a_paused_recording_plays_on_without_the_pause_and_without_a_gap() {
    init_tracing();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("paused.mkv");
    let recorder = Recorder::start(&studio, &path, RecordSettings::default()).expect("recording");
    std::thread::sleep(Duration::from_secs(2));
    recorder.pause();
    std::thread::sleep(Duration::from_secs(3));
    recorder.resume();
    std::thread::sleep(Duration::from_secs(2));
    recorder.stop().expect("ends");
    let times = video_packet_times(&path);
    let length = times.last().copied().unwrap_or_default();
    assert!((3.6..=4.6).contains(&length), "2 s + 2 s recorded, the 3 s pause left out: {length:.2} s");
    let gap = times.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    assert!(gap < 0.2, "largest step between frames: {gap:.3} s");
}

#[test]
fn a_recording_stopped_at_once_is_readable_or_absent_never_broken() {
    // A muxer stopped before its first picture (a recording waits for a
    // keyframe) wrote 336 bytes of headers that ffprobe could not read.
    init_tracing();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut refused = 0;
    for (n, wait_ms) in [0u64, 0, 30, 80, 150, 300, 600].into_iter().enumerate() {
        let path = dir.path().join(format!("short-{n}.mkv"));
        let recorder = Recorder::start(&studio, &path, RecordSettings::default()).expect("recording");
        std::thread::sleep(Duration::from_millis(wait_ms));
        match recorder.stop() {
            Ok(_) => {
                let frames = video_packet_times(&path).len();
                assert!(frames >= 1, "after {wait_ms} ms: a file without a picture was kept");
            }
            Err(e) => {
                refused += 1;
                assert!(e.to_string().contains("before its first picture"), "after {wait_ms} ms: {e}");
                assert!(!path.exists(), "after {wait_ms} ms: the unreadable file was left");
            }
        }
    }
    // Stopped the moment it started, a recording cannot have a picture yet.
    assert!(refused >= 2, "the immediate stops were refused, {refused} in all");
    // The studio records normally afterwards.
    let path = dir.path().join("after.mkv");
    let recorder = Recorder::start(&studio, &path, RecordSettings::default()).expect("recording");
    std::thread::sleep(Duration::from_secs(2));
    recorder.stop().expect("ends");
    assert!(video_packet_times(&path).len() >= 45, "two seconds recorded after the short ones");
}

#[test]
fn a_recording_split_by_duration_loses_no_frame_between_files() {
    let settings = RecordSettings { split_seconds: Some(3), ..RecordSettings::default() };
    // Files end at the first keyframe after 3 s (one every 2 s): at 4 s and
    // 8 s of the recording. 11 s leave the third file room to start even
    // when a loaded machine starts the recording a second or two late.
    let (_dir, files) = split_recording("show.mkv", settings, 11);
    let names: Vec<String> =
        files.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    assert!(names.len() >= 3 && names[0] == "show-001.mkv", "files: {names:?}");
    for f in &files {
        assert!(common::playable_seconds(f) > 0.5, "{} plays", f.display());
    }
    assert_about_seconds_of_frames(&files, 11);
}

/// Records the demo for `seconds` into `name` (split by `settings`);
/// returns the folder and its files, sorted.
fn split_recording(
    name: &str,
    settings: RecordSettings,
    seconds: u64,
) -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    init_tracing();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let recorder = Recorder::start(&studio, &dir.path().join(name), settings).expect("recording");
    std::thread::sleep(Duration::from_secs(seconds));
    recorder.stop().expect("ends");
    let mut files: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.path()).collect();
    files.sort();
    (dir, files)
}

/// About 30 frames a second of `seconds` across `files`, none lost between them.
fn assert_about_seconds_of_frames(files: &[std::path::PathBuf], seconds: usize) {
    let frames: usize = files.iter().map(|f| video_packet_times(f).len()).sum();
    let expected = seconds * 30;
    assert!(
        (expected - 15..=expected + 5).contains(&frames),
        "about {expected} frames in {seconds} s across the files, got {frames}"
    );
}

#[test]
fn a_recording_split_by_size_keeps_every_file_near_the_limit() {
    const LIMIT: u64 = 1_000_000;
    let settings = RecordSettings { split_bytes: Some(LIMIT), ..RecordSettings::default() };
    let (_dir, files) = split_recording("show.mp4", settings, 9);
    let sizes: Vec<u64> = files.iter().map(|f| std::fs::metadata(f).expect("size").len()).collect();
    let total: u64 = sizes.iter().sum();
    // About 3.4 Mbit/s for 9 s: at least three files of at most 1 MB each.
    assert!(files.len() as u64 >= total / LIMIT && files.len() >= 3, "{files:?} {sizes:?}");
    for (f, size) in files.iter().zip(&sizes) {
        assert!(*size <= LIMIT, "{} is {size} bytes", f.display());
        assert!(common::playable_seconds(f) > 0.5, "{} plays", f.display());
    }
    assert_about_seconds_of_frames(&files, 9);
}

#[test]
fn a_full_disk_stops_the_recording_with_a_clear_error_and_the_program_goes_on() {
    init_tracing();
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    // Every write to /dev/full fails with "no space left on device".
    let path = dir.path().join("full.mkv");
    std::os::unix::fs::symlink("/dev/full", &path).expect("symlink");
    let recorder = Recorder::start(&studio, &path, RecordSettings::default()).expect("the recording starts");
    let failed = event_where(
        &studio,
        Duration::from_secs(10),
        |e| matches!(e, Event::Output { output, status: OutputStatus::Failed(_) } if output == plateau::engine::RECORDING),
    );
    let Some(Event::Output { status: OutputStatus::Failed(cause), .. }) = failed else {
        panic!("no failure reported for a full disk")
    };
    assert!(cause.to_lowercase().contains("space") || cause.to_lowercase().contains("write"), "{cause}");
    assert!(recorder.error().is_some(), "the recorder knows it failed");
    let tap = plateau::engine::VideoTap::start(&studio, 8).expect("tap");
    assert!(tap.next(Duration::from_secs(2)).is_some(), "the program goes on");
    drop(recorder);
}

#[test]
fn srt_carries_h264_and_aac_that_a_listener_can_decode_from_any_keyframe() {
    init_tracing();
    let port = common::nginx::free_port();
    // ffprobe listens (as an SRT receiver would) and reports what it reads.
    let listener = Command::new("timeout")
        .args(["-s", "KILL", "30", "ffprobe", "-v", "error"])
        .args(["-show_entries", "stream=codec_name,codec_type,width,height", "-of", "compact=p=0"])
        .arg(format!("srt://127.0.0.1:{port}?mode=listener"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ffprobe runs (install the package ffmpeg)");
    std::thread::sleep(Duration::from_millis(500));
    let studio = Studio::start(demo_collection(false), None).expect("studio starts");
    let s = stream(&studio, "SRT", format!("srt://127.0.0.1:{port}?mode=caller"));
    assert!(wait_live(&studio, "SRT", Duration::from_secs(15)).is_some(), "the SRT destination goes live");
    let out = listener.wait_with_output().expect("ffprobe ends");
    s.stop();
    let streams = String::from_utf8_lossy(&out.stdout);
    let video = streams.lines().find(|l| l.contains("codec_type=video")).unwrap_or_default();
    for field in ["codec_name=h264", "width=1280", "height=720"] {
        assert!(
            video.contains(field),
            "{field} in {streams}; ffprobe said: {}",
            String::from_utf8_lossy(&out.stderr).lines().take(5).collect::<Vec<_>>().join(" / ")
        );
    }
    assert!(streams.contains("codec_name=aac|codec_type=audio"), "{streams}");
}

#[test]
fn a_cut_cable_is_noticed_within_seconds_and_the_stream_resumes_when_it_is_back() {
    let (net, nginx, studio, _s) = live_across_a_cable("far");
    std::thread::sleep(Duration::from_secs(2));
    // The far end goes down: no reset, no error, packets just vanish.
    net.cut();
    let after = time_to_reconnecting(&studio, "far").expect("the cut was noticed");
    eprintln!("cut cable noticed after {after:?}");
    assert!(after < Duration::from_secs(6), "noticed after {after:?}");
    std::thread::sleep(Duration::from_secs(3));
    net.restore();
    let back = Instant::now();
    assert!(wait_live(&studio, "far", Duration::from_secs(20)).is_some(), "live again with the cable back");
    eprintln!("live again {:?} after the cable came back", back.elapsed());
    let streams = probe(&nginx.url("live", "far"));
    assert!(streams.contains("codec_name=h264|codec_type=video|width=1280|height=720"), "{streams}");
}

#[test]
fn a_recording_with_other_settings_gets_its_own_encoder_and_rtmp_refuses_opus() {
    let (nginx, studio, dir) = demo_with_nginx();
    let path = dir.path().join("opus.mkv");
    let encoder =
        EncoderSettings { audio: AudioCodec::Opus, speed: Speed::Ultrafast, ..EncoderSettings::default() };
    let recorder = Recorder::start(&studio, &path, RecordSettings { encoder, ..RecordSettings::default() })
        .expect("recording");
    let _live = stream(&studio, "aac", nginx.url("live", "aac"));
    assert!(wait_live(&studio, "aac", Duration::from_secs(10)).is_some());
    assert_eq!(studio.encoder_count(), 2, "the Opus recording and the AAC stream cannot share an encode");
    let streams = probe(&nginx.url("live", "aac"));
    assert!(streams.contains("codec_name=aac|codec_type=audio"), "{streams}");
    let refused =
        Stream::start(&studio, StreamSettings { name: "x".into(), url: nginx.url("live", "opus"), encoder });
    assert!(refused.err().is_some_and(|e| e.to_string().contains("AAC")), "RTMP with Opus is refused");
    std::thread::sleep(Duration::from_secs(2));
    recorder.stop().expect("ends");
    let codecs = common::ffprobe(&path, &["-show_entries", "stream=codec_name", "-of", "csv=p=0"]);
    assert_eq!(codecs.split_whitespace().collect::<Vec<_>>(), ["h264", "opus"], "{codecs}");
}

#[test]
fn a_link_slower_than_the_stream_stays_up_and_counts_the_frames_it_drops() {
    let (net, _nginx, studio, _s) = live_across_a_cable("slow");
    let events = studio.events();
    // About 3.4 Mbit/s go out; the link carries 1 Mbit/s from now on.
    net.shape(1000);
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut dropped = 0;
    while dropped == 0 && Instant::now() < deadline {
        match events.recv_blocking() {
            Ok(Event::OutputStats { output, dropped: d, .. }) if output == "slow" => dropped = d,
            Ok(Event::Output { output, status }) if output == "slow" => {
                assert!(
                    !matches!(status, OutputStatus::Reconnecting { .. } | OutputStatus::Failed(_)),
                    "a slow but working link is not dropped: {status:?}"
                );
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    eprintln!("dropped {dropped} frames on a 1 Mbit/s link");
    assert!(dropped > 0, "frames that cannot be sent are counted");
}

/// The times of `path`'s video keyframes, in seconds.
fn keyframe_times(path: &Path) -> Vec<f64> {
    let args = ["-select_streams", "v:0", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0"];
    let mut times: Vec<f64> = ffprobe(path, &args)
        .lines()
        .filter_map(|l| l.split_once(','))
        .filter(|(_, flags)| flags.starts_with('K'))
        .filter_map(|(t, _)| t.trim().parse().ok())
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

#[test]
fn the_swarm_joining_a_recording_shares_its_encode_and_keyframes_only_while_it_runs() {
    init_tracing();
    let nginx = Nginx::start();
    let studio = Studio::start(red_and_tone(), None).expect("studio starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("show.mkv");
    let recorder = Recorder::start(&studio, &file, RecordSettings::default()).expect("recording");
    std::thread::sleep(Duration::from_millis(4500));
    let pieces = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = pieces.clone();
    let swarm = EncoderSettings { keyframe_seconds: 1, ..EncoderSettings::default() };
    let feed = TsFeed::start(&studio, "swarm", swarm, Keyframes::Imposed, move |_| {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    })
    .expect("the swarm's feed");
    assert_eq!(studio.encoder_count(), 1, "the swarm did not join the recording's encode");
    // A stream needs its own two seconds exactly: not the swarm's pace.
    let s = stream(&studio, "A", nginx.url("live", "paced"));
    assert_eq!(studio.encoder_count(), 2, "a stream took the encode the swarm paces");
    s.stop();
    std::thread::sleep(Duration::from_millis(5000));
    feed.stop();
    assert!(pieces.load(std::sync::atomic::Ordering::SeqCst) > 0, "the swarm's feed got nothing");
    std::thread::sleep(Duration::from_millis(5000));
    recorder.stop().expect("the recording ends");

    let keys = keyframe_times(&file);
    let gaps: Vec<f64> = keys.windows(2).map(|w| w[1] - w[0]).collect();
    let second = |g: &f64| (0.9..=1.1).contains(g);
    let two = |g: &f64| (1.9..=2.1).contains(g);
    let first_second = gaps.iter().position(second);
    let last_second = gaps.iter().rposition(second);
    let (Some(first), Some(last)) = (first_second, last_second) else {
        panic!("no keyframe a second apart while the swarm ran: {keys:?}")
    };
    assert!(last - first >= 3 && gaps[first..=last].iter().all(second), "the swarm's pace: {keys:?}");
    assert!(gaps[..first].iter().any(two), "two seconds before the swarm: {keys:?}");
    assert!(gaps[last + 1..].iter().filter(|g| two(g)).count() >= 2, "two seconds after it: {keys:?}");
    assert!(gaps.iter().all(|g| *g <= 2.1), "no keyframe missing: {keys:?}");
    let pictures = video_packet_times(&file).len();
    assert!(pictures >= 14 * 30 * 98 / 100, "{pictures} pictures in about 14.5 s");
}
