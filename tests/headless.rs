//! The `plateau --headless` command, run as a user would, its file read by ffprobe.

mod common;

use std::path::Path;
use std::process::{Command, Output};

/// Held by the tests that must not share the machine: GStreamer's log at
/// level 6 (gigabytes of lines) starved a 6 s recording run beside it of
/// its first picture once in CI.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE.lock().unwrap_or_else(|e| e.into_inner())
}

fn plateau(args: &[&str]) -> Output {
    plateau_logging(args, "warn")
}

/// Runs plateau with `RUST_LOG` set to `log`.
fn plateau_logging(args: &[&str], log: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(args)
        .env_remove("DISPLAY")
        .env("RUST_LOG", log)
        .output()
        .expect("plateau runs")
}

fn ffprobe(path: &Path, entries: &str) -> String {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-show_entries", entries, "-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    assert!(out.status.success(), "ffprobe reads the file: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn field<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines().filter_map(|l| l.strip_prefix(&format!("{key}="))).collect()
}

#[test]
fn the_demo_recording_has_the_canvas_size_rate_sound_and_duration() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("demo.mkv");
    // What the engine did is printed if the file lacks a stream (once in
    // about 240 looped runs of this binary, the sound was missing).
    let run = plateau_logging(
        &["--headless", "--record", out.to_str().expect("utf-8"), "--duration", "6"],
        "warn,plateau=info",
    );
    assert!(run.status.success(), "plateau failed: {}", String::from_utf8_lossy(&run.stderr));

    let streams = ffprobe(&out, "stream=codec_type,codec_name,width,height,r_frame_rate,nb_read_frames");
    assert_eq!(
        field(&streams, "codec_type"),
        vec!["video", "audio"],
        "{streams}\nplateau said: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(field(&streams, "codec_name"), vec!["h264", "aac"]);
    assert_eq!(field(&streams, "width"), vec!["1280"]);
    assert_eq!(field(&streams, "height"), vec!["720"]);
    assert_eq!(field(&streams, "r_frame_rate")[0], "30/1");
    let frames: f64 = field(&streams, "nb_read_frames")[0].parse().expect("a frame count");
    assert!((frames - 180.0).abs() <= 9.0, "about 180 frames in 6 s, got {frames}");

    let format = ffprobe(&out, "format=duration");
    let duration: f64 = field(&format, "duration")[0].parse().expect("a duration");
    assert!((duration - 6.0).abs() <= 0.3, "duration {duration} s is within 5 % of 6 s");
}

#[test]
fn bad_input_gives_one_clear_line_and_a_failure_code() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("nowhere.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--headless", "--collection", missing.to_str().expect("utf-8"), "--duration", "1"],
            "nowhere.json",
        ),
        (vec!["--headless", "--scene", "No such scene", "--duration", "1"], "No such scene"),
        (vec!["--headless", "--duration", "-3"], "--duration"),
        (vec!["--headless", "--record", "/nonexistent-dir/x.mkv", "--duration", "1"], "/nonexistent-dir"),
        (vec!["--headless", "--record", "out.avi", "--duration", "1"], ".mkv"),
    ];
    for (args, expected) in cases {
        let run = plateau(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{args:?} should fail");
        assert!(stderr.contains("plateau: error:") && stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    }
    // A split size that would wrap when turned into bytes is refused by name.
    let huge = plateau(&["--headless", "--record", "x.mkv", "--split-megabytes", "18446744073709551615"]);
    let stderr = String::from_utf8_lossy(&huge.stderr);
    assert!(
        !huge.status.success() && stderr.contains("--split-megabytes") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn the_stream_key_never_reaches_the_logs() {
    // No server listens there: the stream fails and retries, logging as it goes.
    let key = "sk-plateau-4f9c2e7d1b";
    let url = format!("rtmp://127.0.0.1:9/live/{key}");
    let config = tempfile::tempdir().expect("temp dir");
    let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "8", "--stream", &url])
        .env_remove("DISPLAY")
        .env("RUST_LOG", "debug")
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("plateau runs");
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(log.contains("reconnecting"), "the failing stream was reported: {log}");
    assert!(!log.contains(key), "the key appeared in the log");
    let mut stack = vec![config.path().to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read(&path).unwrap_or_default();
                assert!(!String::from_utf8_lossy(&text).contains(key), "{} holds the key", path.display());
            }
        }
    }
}

#[test]
fn a_headless_run_prints_the_program_and_output_statistics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("stats.mkv");
    // The program's statistics come every five seconds.
    let run = plateau(&["--headless", "--record", out.to_str().expect("utf-8"), "--duration", "6.5"]);
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{log}");
    let lines: Vec<&str> = log.lines().filter(|l| l.starts_with("plateau: program:")).collect();
    assert!(!lines.is_empty(), "a statistics line: {log}");
    assert!(lines.iter().any(|l| l.contains("fps") && l.contains(" 0 dropped")), "{lines:?}");
}

#[test]
fn a_headless_podcast_in_flac_tracks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("episode");
    let out = plateau(&[
        "--headless",
        "--podcast",
        folder.to_str().expect("utf-8 path"),
        "--podcast-format",
        "flac",
        "--no-normalize",
        "--duration",
        "3",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mix = folder.join("Mix.flac");
    let streams = ffprobe(&mix, "stream=codec_name");
    assert!(streams.contains("flac"), "{}: {streams}", mix.display());
}

/// Runs the program of a bars + ball + PNG + text + tone scene headless for
/// `seconds` with `GST_DEBUG` set to `debug`, and returns its log.
fn run_layers_program(debug: &str, seconds: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let png = dir.path().join("logo.png");
    convert(&["-size", "400x300", "xc:none", "-fill", "#2080ff", "-draw", "circle 200,150 200,60"], &png);
    let json = format!(
        r#"{{ "version": 1, "name": "Layers", "video": {{ "width": 1280, "height": 720, "fps": 30 }},
  "sources": [
    {{ "id": "bars", "name": "Bars", "kind": "test-pattern", "pattern": "bars" }},
    {{ "id": "ball", "name": "Ball", "kind": "test-pattern", "pattern": "ball" }},
    {{ "id": "logo", "name": "Logo", "kind": "image", "path": {png:?} }},
    {{ "id": "title", "name": "Title", "kind": "text", "text": "Plateau", "size": 40, "width": 1280, "height": 100 }},
    {{ "id": "tone", "name": "Tone", "kind": "tone", "frequency": 440 }} ],
  "scenes": [ {{ "name": "Layers", "items": [
    {{ "id": 1, "source": "bars", "x": 0, "y": 0, "width": 1280, "height": 720 }},
    {{ "id": 2, "source": "ball", "x": 920, "y": 40, "width": 320, "height": 180 }},
    {{ "id": 3, "source": "logo", "x": 40, "y": 40, "width": 400, "height": 300 }},
    {{ "id": 4, "source": "title", "x": 0, "y": 600, "width": 1280, "height": 100 }},
    {{ "id": 5, "source": "tone", "x": 0, "y": 0, "width": 0, "height": 0 }} ] }} ] }}"#
    );
    run_program(dir.path(), &json, &[("GST_DEBUG", debug)], seconds)
}

/// Makes a picture with ImageMagick's `convert`.
fn convert(args: &[&str], out: &std::path::Path) {
    let status = Command::new("convert")
        .args(args)
        .arg(out)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success(), "convert made {}", out.display());
}

/// Runs the collection `json` headless for `seconds` (recording into `dir`)
/// with `env` set, and returns what Plateau printed.
fn run_program(dir: &std::path::Path, json: &str, env: &[(&str, &str)], seconds: &str) -> String {
    let collection = dir.join("collection.json");
    std::fs::write(&collection, json).expect("collection written");
    // A recording never replaces a file: each run records anew.
    let _ = std::fs::remove_file(dir.join("program.mkv"));
    let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--collection"])
        .arg(&collection)
        .arg("--record")
        .arg(dir.join("program.mkv"))
        .args(["--duration", seconds])
        .env_remove("DISPLAY")
        .envs(env.iter().copied())
        .env("GST_DEBUG_NO_COLOR", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("plateau runs");
    let log = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "plateau failed: {log}");
    log
}

/// A background picture that cannot be transparent (a JPEG, a PNG without
/// alpha or whose alpha is opaque everywhere) under a camera is composed as
/// an opaque layer, in I420; a PNG with transparent pixels there makes its
/// scene compose in AYUV to keep them.
#[test]
fn only_a_picture_that_can_be_transparent_keeps_a_scene_in_alpha() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scene_over = |background: &std::path::Path| {
        format!(
            r#"{{ "version": 1, "name": "Background", "video": {{ "width": 640, "height": 360, "fps": 30 }},
  "sources": [
    {{ "id": "background", "name": "Background", "kind": "image", "path": {background:?} }},
    {{ "id": "camera", "name": "Camera", "kind": "test-pattern", "pattern": "ball" }} ],
  "scenes": [ {{ "name": "Show", "items": [
    {{ "id": 1, "source": "background", "x": 0, "y": 0, "width": 640, "height": 360 }},
    {{ "id": 2, "source": "camera", "x": 320, "y": 180, "width": 320, "height": 180 }} ] }} ] }}"#
        )
    };
    let mut composed_in_alpha = Vec::new();
    for (name, args) in [
        ("back.jpg", &["-size", "64x36", "xc:#336699"][..]),
        ("back-rgb.png", &["-size", "64x36", "xc:#336699", "-type", "TrueColor", "PNG24:"][..]),
        ("back-rgba-opaque.png", &["-size", "64x36", "xc:#336699", "PNG32:"][..]),
        ("back-rgba.png", &["-size", "64x36", "xc:#33669980", "PNG32:"][..]),
    ] {
        let file = dir.path().join(name);
        let mut args = args.to_vec();
        // ImageMagick takes a format prefix on the output name.
        let prefix = args.last().filter(|a| a.ends_with(':')).copied();
        if prefix.is_some() {
            args.pop();
        }
        let target = match prefix {
            Some(p) => std::path::PathBuf::from(format!("{p}{}", file.display())),
            None => file.clone(),
        };
        convert(&args, &target);
        let log = run_program(dir.path(), &scene_over(&file), &[("RUST_LOG", "plateau=debug")], "2");
        // The split is looked at again once the source has started (and
        // its picture been decoded): the last word counts.
        let last = log.lines().rfind(|l| l.contains("slot composes in a new format slot=0"));
        composed_in_alpha.push(last.is_some_and(|l| l.contains("with_alpha=true")));
    }
    assert_eq!(composed_in_alpha, [false, false, false, true], "JPEG, RGB PNG, opaque RGBA PNG, RGBA PNG");
}

/// Every picture reaches the compositors in their own format, colorimetry
/// and chroma siting, so they never convert a layer per program frame
/// (before this was pinned, the full-frame pattern and a PNG were each
/// converted again for every frame: a fifth of the program's CPU).
#[test]
fn no_layer_is_converted_by_the_compositors() {
    let log = run_layers_program("videoaggregator:6", "2");
    let plain = log.lines().filter(|l| l.contains("will not need conversion")).count();
    let converted: Vec<&str> = log.lines().filter(|l| l.contains("will be converted")).collect();
    // The bars and the ball on the scene's compositor, the scene on the
    // mixer (the PNG and the title are blended over the scene's picture).
    assert!(plain >= 3, "the log shows each compositor pad's decision ({plain} seen)");
    assert!(converted.is_empty(), "pads converted per frame:\n{}", converted.join("\n"));
}

/// A live source's pictures go back to its buffer pool once the program is
/// done with them: the pool stops allocating. (Before, consumers shared the
/// pictures' memory, the pool threw each returned buffer away, and the 30 fps
/// pattern allocated a new picture for every frame: 150 in 5 s.)
#[test]
fn a_live_source_reuses_its_pictures() {
    let log = run_layers_program("videopool:5", "5");
    // The moving 320x180 pattern's I420 pictures are 86400 bytes.
    let allocations =
        log.lines().filter(|l| l.contains("video_buffer_pool_alloc") && l.ends_with("alloc 86400")).count();
    assert!(allocations >= 1, "the log shows the pattern's pool allocating");
    assert!(allocations <= 30, "{allocations} pictures allocated for about 150 frames");
}

#[test]
fn a_split_recording_whose_name_holds_percent_signs_is_written_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("100% live");
    std::fs::create_dir_all(&folder).expect("folder");
    let out = folder.join("show%s%d%%.mkv");
    let run = plateau(&[
        "--headless",
        "--record",
        out.to_str().expect("utf-8"),
        "--split-seconds",
        "1",
        "--duration",
        "4",
    ]);
    assert!(run.status.success(), "plateau failed: {}", String::from_utf8_lossy(&run.stderr));
    for n in 1..=2 {
        let part = folder.join(format!("show%s%d%%-{n:03}.mkv"));
        let streams = ffprobe(&part, "stream=codec_name");
        assert_eq!(
            field(&streams, "codec_name"),
            vec!["h264", "aac"],
            "{}: {streams}\nplateau said: {}",
            part.display(),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn recording_onto_an_existing_file_is_refused_and_the_file_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("yesterday.mkv");
    std::fs::write(&out, b"last night's show").expect("an existing file");
    let run = plateau(&["--headless", "--record", out.to_str().expect("utf-8"), "--duration", "1"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "plateau refused");
    assert!(stderr.contains("exists already"), "the reason is given: {stderr}");
    assert_eq!(std::fs::read(&out).expect("still there"), b"last night's show", "the old file is intact");
}

#[test]
fn a_collection_that_is_no_file_or_too_big_is_refused_at_once_and_causes_are_said_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge).and_then(|f| f.set_len(64 * 1024 * 1024)).expect("a 64 MB file");
    let missing = dir.path().join("missing.json");
    for (path, expected) in [
        ("/dev/zero".to_owned(), "not a regular file".to_owned()),
        (huge.display().to_string(), "more than the".to_owned()),
        (missing.display().to_string(), "No such file or directory".to_owned()),
    ] {
        let started = std::time::Instant::now();
        let run = plateau(&["--headless", "--collection", &path, "--duration", "1"]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{path} refused");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{path} refused at once");
        assert_eq!(stderr.matches(&expected).count(), 1, "{path}: `{expected}` said once: {stderr}");
    }
}

#[test]
fn the_stream_key_reaches_no_line_of_gstreamers_log_at_level_6() {
    let _alone = alone();
    let nginx = common::nginx::Nginx::start();
    let key = "sk-gstlog-8c1f3a9e";
    let url = nginx.url("live", key);
    let config = tempfile::tempdir().expect("temp dir");
    let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "3", "--stream", &url])
        .env_remove("DISPLAY")
        .env("GST_DEBUG", "*:6")
        .env("GST_DEBUG_NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", config.path())
        .output()
        .expect("plateau runs");
    let log = String::from_utf8_lossy(&run.stderr);
    let lines = log.lines().count();
    // The log is on (and at its level 6), and rtmp2sink spoke of its address.
    assert!(lines > 10_000 && log.contains(" LOG "), "{lines} lines: GStreamer's log was not on");
    assert!(log.contains("rtmp2sink") && log.contains("rtmp://127.0.0.1:"), "rtmp2sink logged no address");
    let leaks: Vec<&str> = log.lines().filter(|l| l.contains(key)).take(3).collect();
    assert!(leaks.is_empty(), "the key is in {} log lines, e.g. {leaks:?}", log.matches(key).count());
    eprintln!("{lines} lines of GStreamer's log at level 6, the key in none");
}

#[test]
fn a_key_read_from_a_file_reaches_the_server_and_never_the_process_arguments() {
    let nginx = common::nginx::Nginx::start();
    let key = "sk-file-41d9e07b";
    let server = format!("rtmp://127.0.0.1:{}/live", nginx.port);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("key.txt");
    std::fs::write(&file, format!("{key}\n")).expect("key written");
    let child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "8", "--stream", &server, "--stream-key-file"])
        .arg(&file)
        .env_remove("DISPLAY")
        .env("XDG_CONFIG_HOME", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("plateau runs");
    std::thread::sleep(std::time::Duration::from_secs(3));
    // What other users see of the process.
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id())).expect("its arguments");
    let streams = common::nginx::probe(&format!("{server}/{key}"));
    let out = child.wait_with_output().expect("plateau ends");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        streams.contains("codec_name=h264"),
        "the server got the stream under its key: {streams}\n{said}"
    );
    assert!(!String::from_utf8_lossy(&cmdline).contains(key), "the key is in the process's arguments");
    assert!(!said.contains(key), "the key was printed: {said}");

    // More key files than addresses, or an empty one: one clear line.
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "\n").expect("written");
    for (args, expected) in [
        (vec!["--stream-key-file", file.to_str().expect("utf-8")], "1 key files for 0 --stream"),
        (
            vec!["--stream", server.as_str(), "--stream-key-file", empty.to_str().expect("utf-8")],
            "holds no key",
        ),
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
            .args(["--headless", "--duration", "1"])
            .args(&args)
            .env_remove("DISPLAY")
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .expect("plateau runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success() && stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// The colour of the first picture of `file`, averaged over the frame.
fn first_picture(file: &Path) -> [u8; 3] {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(file)
        .args(["-frames:v", "1", "-vf", "scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    assert_eq!(out.stdout.len(), 3, "one RGB pixel: {}", String::from_utf8_lossy(&out.stderr));
    [out.stdout[0], out.stdout[1], out.stdout[2]]
}

#[test]
fn a_recording_started_with_the_program_begins_with_the_scene_not_black() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = common::green_then_blue_clip(dir.path());
    let mut c = common::collection();
    c.sources = vec![plateau::model::Source::new(
        "clip",
        "Clip",
        plateau::model::SourceKind::Media { path: clip, looping: true },
    )];
    c.scenes = vec![common::scene("Main", vec![common::item(1, "clip", 0, 0, 640, 360)])];
    let show = dir.path().join("show.json");
    plateau::model::save_collection(&c, &show).expect("collection written");
    let out = dir.path().join("start.mkv");
    let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "2", "--collection"])
        .arg(&show)
        .arg("--record")
        .arg(&out)
        .env_remove("DISPLAY")
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .expect("plateau runs");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let first = first_picture(&out);
    assert!(
        common::near([first[0], first[1], first[2], 255], [0, 255, 0], 40),
        "first picture {first:?}, not green"
    );
}

/// The libraries of GTK and libadwaita that `pid` has mapped.
fn gtk_libraries_mapped(pid: u32) -> Vec<String> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).expect("the process's maps are readable");
    let mut found: Vec<String> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|path| path.contains("libgtk-4") || path.contains("libadwaita-1"))
        .map(str::to_owned)
        .collect();
    found.dedup();
    found
}

#[test]
fn a_headless_show_runs_without_gtk_in_the_same_process_and_the_window_binary_has_it() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("show.mkv");
    let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--record", out.to_str().expect("utf-8"), "--duration", "4"])
        .env_remove("DISPLAY")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("plateau runs");
    std::thread::sleep(std::time::Duration::from_secs(2));
    let pid = child.id();
    let mapped_while_live = gtk_libraries_mapped(pid);
    let cmdline =
        std::fs::read(format!("/proc/{pid}/cmdline")).expect("the process's arguments are readable");
    let status = child.wait().expect("plateau ends");
    assert!(status.success(), "the headless show failed");
    assert_eq!(mapped_while_live, Vec::<String>::new(), "a headless show maps no GTK library");
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).filter(|a| !a.is_empty()).collect();
    assert_eq!(
        args[0],
        env!("CARGO_BIN_EXE_plateau").as_bytes(),
        "the process keeps the name it was started by"
    );
    assert_eq!(&args[1..3], [b"--headless".as_slice(), b"--record".as_slice()]);
    let frames: u32 =
        field(&ffprobe(&out, "stream=nb_read_frames"), "nb_read_frames")[0].parse().expect("a count");
    assert!(frames >= 60, "the show was recorded: {frames} frames in 4 s");

    // The same names are there in what the window's binary loads, so the
    // check above looks for the right ones.
    let ldd =
        Command::new("ldd").arg(env!("CARGO_BIN_EXE_plateau")).output().expect("ldd runs (package libc-bin)");
    let needed = String::from_utf8_lossy(&ldd.stdout);
    assert!(
        needed.contains("libgtk-4") && needed.contains("libadwaita-1"),
        "the window binary loads GTK: {needed}"
    );
}
