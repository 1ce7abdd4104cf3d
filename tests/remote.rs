//! Remote control: the obs-websocket 5 clients users have (obsws-python,
//! obs-websocket-js in its JSON and MessagePack forms) drive a headless
//! Plateau; what they do shows in the program's pixels and levels.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "remote-test-9f2c";

/// Red scene; blue scene with a green box; a tone heard in both.
const COLLECTION: &str = r##"{ "version": 1, "name": "Remote", "video": { "width": 640, "height": 360, "fps": 30 },
  "sources": [
    { "id": "red", "name": "Red", "kind": "color", "color": "#ff0000" },
    { "id": "blue", "name": "Blue", "kind": "color", "color": "#0000ff" },
    { "id": "box", "name": "Box", "kind": "color", "color": "#00ff00" },
    { "id": "tone", "name": "Tone", "kind": "tone", "frequency": 440 } ],
  "scenes": [
    { "name": "Red", "items": [
      { "id": 1, "source": "red", "x": 0, "y": 0, "width": 640, "height": 360 },
      { "id": 2, "source": "tone", "x": 0, "y": 0, "width": 0, "height": 0 } ] },
    { "name": "Blue", "items": [
      { "id": 1, "source": "blue", "x": 0, "y": 0, "width": 640, "height": 360 },
      { "id": 2, "source": "box", "x": 40, "y": 100, "width": 160, "height": 160 },
      { "id": 3, "source": "tone", "x": 0, "y": 0, "width": 0, "height": 0 } ] } ] }"##;

/// A headless Plateau with remote control on, and what it printed.
struct Remote {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
    dir: tempfile::TempDir,
}

impl Remote {
    fn start(bind: &str) -> Self {
        Self::start_with(bind, &[])
    }

    /// With more command-line arguments.
    fn start_with(bind: &str, more: &[&str]) -> Self {
        Self::start_on(COLLECTION, bind, more, tempfile::tempdir().expect("temp dir"))
    }

    /// On `collection`, in `dir`.
    fn start_on(collection: &str, bind: &str, more: &[&str], dir: tempfile::TempDir) -> Self {
        Self::start_in(collection, bind, more, dir, Vec::new())
    }

    /// With more variables in its environment (a PipeWire's).
    fn start_in(
        collection: &str,
        bind: &str,
        more: &[&str],
        dir: tempfile::TempDir,
        envs: Vec<(&'static str, String)>,
    ) -> Self {
        let config = dir.path().join("config");
        std::fs::create_dir_all(config.join("plateau")).expect("config dir");
        let settings = serde_json::json!({ "recording_folder": dir.path().join("recordings") });
        std::fs::write(config.join("plateau/settings.json"), settings.to_string()).expect("settings");
        std::fs::write(dir.path().join("collection.json"), collection).expect("collection");
        // The password file lies outside the config dir, as a server's secret would.
        std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).expect("password");
        let mut child = Command::new(env!("CARGO_BIN_EXE_plateau"))
            .args(["--headless", "--duration", "120", "--remote", bind, "--remote-password-file"])
            .arg(dir.path().join("password"))
            .arg("--collection")
            .arg(dir.path().join("collection.json"))
            .args(more)
            .env("XDG_CONFIG_HOME", &config)
            .env("RUST_LOG", "info")
            .env_remove("DISPLAY")
            .envs(envs)
            .stderr(Stdio::piped())
            .spawn()
            .expect("plateau runs");
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = BufReader::new(child.stderr.take().expect("stderr"));
        let kept = log.clone();
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                kept.lock().expect("log").push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        let port = loop {
            let found = log.lock().expect("log").iter().find_map(|l| {
                l.split_once("remote control (obs-websocket 5) on ws://")
                    .and_then(|(_, addr)| addr.trim().rsplit(':').next()?.parse::<u16>().ok())
            });
            if let Some(port) = found {
                break port;
            }
            assert!(Instant::now() < deadline, "no remote control announced: {:?}", log.lock().expect("log"));
            std::thread::sleep(Duration::from_millis(50));
        };
        Self { child, port, log, dir }
    }

    fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Stops Plateau as Ctrl+C would, and checks it ended well.
    fn stop(mut self) -> String {
        let _ = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status();
        let status = self.child.wait().expect("plateau ends");
        std::thread::sleep(Duration::from_millis(200));
        assert!(status.success(), "plateau ended badly: {}", self.log());
        self.log()
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a client and reads the JSON object it prints last.
fn run_client(mut cmd: Command, what: &str) -> serde_json::Value {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what} runs: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{what} failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{what} printed no JSON ({e}): {stdout}"))
}

/// The RGB pixel at (x, y) of the recording's picture at `seconds`.
fn pixel_at(file: &Path, seconds: f64, x: usize, y: usize) -> [u8; 3] {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{seconds:.2}"), "-i"])
        .arg(file)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs (install the package ffmpeg)");
    let i = (y * 640 + x) * 3;
    assert!(out.stdout.len() >= 640 * 360 * 3, "no picture at {seconds} s in {}", file.display());
    [out.stdout[i], out.stdout[i + 1], out.stdout[i + 2]]
}

fn near(p: [u8; 3], rgb: [u8; 3]) -> bool {
    p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 40)
}

#[test]
fn obsws_python_records_switches_scenes_and_moves_an_item_that_the_pixels_show() {
    let remote = Remote::start("127.0.0.1:0");
    let mut cmd = common::python_client("obsws_python_show.py");
    cmd.args([&remote.port.to_string(), PASSWORD]);
    let seen = run_client(cmd, "obsws-python");
    assert_eq!(seen["scenes"], serde_json::json!(["Blue", "Red"]), "OBS lists the last scene first");
    assert_eq!(seen["before"], serde_json::json!([40.0, 100.0]));
    assert_eq!(seen["after"], serde_json::json!([400.0, 100.0]));
    assert_eq!(seen["muted"], serde_json::json!(true));
    let events: Vec<String> = seen["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| format!("{}={}", e[0].as_str().unwrap_or(""), e[1]))
        .collect();
    for expected in [
        "RecordStateChanged=\"OBS_WEBSOCKET_OUTPUT_STARTED\"",
        "CurrentProgramSceneChanged=\"Blue\"",
        "SceneItemTransformChanged=400.0",
        "InputMuteStateChanged=true",
        "RecordStateChanged=\"OBS_WEBSOCKET_OUTPUT_STOPPED\"",
    ] {
        assert!(events.iter().any(|e| e == expected), "{expected} in {events:?}");
    }

    // The recording plays, and shows what the client did when it did it:
    // red, then blue with the box on the left, then the box on the right.
    let path = PathBuf::from(seen["path"].as_str().expect("the recording's path"));
    assert!(
        path.starts_with(remote.dir.path().join("recordings")),
        "{} in the recording folder",
        path.display()
    );
    let seconds = common::playable_seconds(&path);
    assert!((5.0..9.0).contains(&seconds), "{} plays {seconds} s", path.display());
    let (top, left_box, right_box) = ((320, 40), (120, 180), (480, 180));
    let at = |t: f64, (x, y): (usize, usize)| pixel_at(&path, t, x, y);
    assert!(near(at(1.0, top), [255, 0, 0]), "red first: {:?}", at(1.0, top));
    assert!(near(at(3.2, top), [0, 0, 255]), "blue after the switch: {:?}", at(3.2, top));
    assert!(near(at(3.2, left_box), [0, 255, 0]), "the box on the left: {:?}", at(3.2, left_box));
    assert!(near(at(3.2, right_box), [0, 0, 255]), "nothing on the right yet: {:?}", at(3.2, right_box));
    let end = seconds - 0.5;
    assert!(near(at(end, right_box), [0, 255, 0]), "the box moved right: {:?}", at(end, right_box));
    assert!(near(at(end, left_box), [0, 0, 255]), "and left the left: {:?}", at(end, left_box));
    remote.stop();
}

#[test]
fn obs_websocket_js_in_json_and_msgpack_meters_mutes_batches_and_is_refused_a_wrong_password() {
    let clients = common::remote_clients();
    for mode in ["json", "msgpack"] {
        let remote = Remote::start("127.0.0.1:0");
        let mut cmd = Command::new("node");
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/obs_websocket_js.cjs"))
            .args([mode, &remote.port.to_string(), PASSWORD])
            .env("PLATEAU_CLIENTS", &clients);
        let seen = run_client(cmd, &format!("obs-websocket-js ({mode})"));
        eprintln!("{mode}: {seen}");
        assert_eq!(seen["rpc"], 1, "{mode}");
        assert_eq!(seen["scenes"], serde_json::json!(["Blue", "Red"]), "{mode}");
        let rate = seen["metersPerSecond"].as_f64().expect("a rate");
        assert!((15.0..=25.0).contains(&rate), "{mode}: {rate} InputVolumeMeters a second (about 20)");
        let loud = seen["loud"].as_f64().expect("a level");
        assert!(loud > 0.05, "{mode}: the tone is heard: {loud}");
        let quiet = seen["quiet"].as_f64().expect("a level");
        assert!((0.0..0.001).contains(&quiet), "{mode}: muted, the tone's meter is silent: {quiet}");
        assert_eq!(seen["muteEvents"], serde_json::json!([true, false]), "{mode}");
        assert_eq!(seen["metersAfterUnsubscribing"], 0, "{mode}: meters stop when not subscribed");
        let batch = seen["batch"].as_array().expect("batch");
        assert_eq!(batch.len(), 50, "{mode}");
        for (i, pair) in batch.chunks(2).enumerate() {
            let volume = pair[1].as_f64().expect("a volume");
            assert_eq!(pair[0], 100, "{mode}: set {i} succeeded");
            assert!((volume - (i + 1) as f64 / 25.0).abs() < 1e-6, "{mode}: get {i} saw set {i}: {volume}");
        }
        assert_eq!(seen["programChanged"], "Blue", "{mode}");
        assert_eq!(seen["unknown"], 204, "{mode}: unknown requests get UnknownRequestType");
        assert_eq!(seen["wrongPassword"], 4009, "{mode}: AuthenticationFailed");
        let log = remote.stop();
        assert!(!log.contains(PASSWORD), "{mode}: the password is in Plateau's log");
    }
}

#[test]
fn remote_control_listens_on_the_chosen_address_only_and_needs_a_password() {
    let remote = Remote::start("127.0.0.1:0");
    // Another address of this machine, even another loopback one, finds nobody.
    let mut others = vec!["127.0.0.2".to_owned()];
    if let Ok(out) = Command::new("hostname").arg("-I").output() {
        others.extend(String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned));
    }
    for ip in others.iter().filter(|ip| !ip.contains(':')) {
        let reached = std::net::TcpStream::connect_timeout(
            &format!("{ip}:{}", remote.port).parse().expect("an address"),
            Duration::from_secs(2),
        );
        assert!(reached.is_err(), "{ip}:{} answered", remote.port);
    }
    assert!(std::net::TcpStream::connect(("127.0.0.1", remote.port)).is_ok(), "127.0.0.1 answers");
    // The password is in no file of the configuration.
    let mut stack = vec![remote.dir.path().join("config")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                let text = std::fs::read(e.path()).unwrap_or_default();
                assert!(
                    !String::from_utf8_lossy(&text).contains(PASSWORD),
                    "the password is in {}",
                    e.path().display()
                );
            }
        }
    }
    remote.stop();

    // A server cannot start without a password.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("empty"), "\n").expect("file");
    let out = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--duration", "1", "--remote", "127.0.0.1:0", "--remote-password-file"])
        .arg(dir.path().join("empty"))
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("DISPLAY")
        .output()
        .expect("plateau runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("empty"), "{stderr}");
}

#[test]
fn plateaus_own_requests_run_the_swarm_the_podcast_and_its_chapters_and_hotkeys_record() {
    let nginx = common::nginx::Nginx::start();
    let url = nginx.url("live", "vendor-key-51b3");
    let remote = Remote::start_with("127.0.0.1:0", &["--p2p-bind", "127.0.0.1:0", "--stream", &url]);
    let mut cmd = common::python_client("obsws_python_vendor.py");
    cmd.args([&remote.port.to_string(), PASSWORD]).stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut client = cmd.spawn().expect("python runs");
    let mut lines = BufReader::new(client.stdout.take().expect("stdout")).lines();
    let first: serde_json::Value =
        serde_json::from_str(&lines.next().and_then(Result::ok).unwrap_or_default())
            .expect("the ticket line");
    let ticket = first["ticket"].as_str().expect("a ticket").to_owned();
    assert!(ticket.starts_with("plateau1"), "{ticket}");
    // A viewer joins the swarm with the ticket the client was given.
    let mut viewer = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["relay", &ticket, "--bind", "127.0.0.1:0", "--duration", "60"])
        .stderr(Stdio::null())
        .spawn()
        .expect("plateau relay runs");
    std::io::Write::write_all(&mut client.stdin.take().expect("stdin"), b"joined\n").expect("told");
    let second = lines.next().and_then(Result::ok).unwrap_or_default();
    let status = client.wait().expect("python ends");
    let _ = viewer.kill();
    let _ = viewer.wait();
    assert!(status.success(), "the client failed: {second}");
    let seen: serde_json::Value = serde_json::from_str(&second).expect("the client's findings");
    eprintln!("{seen}");

    assert_eq!(seen["swarmBefore"]["active"], false);
    assert_eq!(seen["swarm"]["active"], true);
    assert_eq!(seen["swarm"]["viewers"], 1, "the viewer is counted");
    assert_eq!(seen["swarmAfter"]["active"], false);

    let podcast = PathBuf::from(seen["podcast"].as_str().expect("a podcast path"));
    assert_eq!(seen["podcastStart"], seen["podcast"]);
    assert_eq!(seen["chapter"]["chapterNumber"], 1);
    let chapters = common::ffprobe(&podcast, &["-show_chapters", "-of", "csv=p=0"]);
    assert!(chapters.contains("Questions"), "the chapter is in {}: {chapters}", podcast.display());
    assert_eq!(seen["chapterWithoutPodcast"], 501, "OutputNotRunning");

    let destinations = seen["destinations"].as_array().expect("destinations");
    assert_eq!(destinations.len(), 1);
    assert_eq!(destinations[0]["state"], "live", "{destinations:?}");
    assert!(!destinations[0].to_string().contains("vendor-key-51b3"), "the stream key reached a client");

    let hotkeys: Vec<&str> =
        seen["hotkeys"].as_array().expect("hotkeys").iter().filter_map(|h| h.as_str()).collect();
    assert!(hotkeys.contains(&"plateau.record"), "{hotkeys:?}");
    assert_eq!(seen["recordingAfterHotkey"], true);
    assert_eq!(seen["recordingAfterSecondPress"], false);
    assert_eq!(seen["unknownHotkey"], 600, "ResourceNotFound");
    assert_eq!(seen["otherVendor"], 600, "ResourceNotFound");
    let recorded: Vec<PathBuf> = std::fs::read_dir(remote.dir.path().join("recordings"))
        .expect("the recording folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mkv"))
        .collect();
    assert_eq!(recorded.len(), 1, "one recording from the hotkey: {recorded:?}");
    assert!(common::playable_seconds(&recorded[0]) > 0.5, "{} plays", recorded[0].display());
    remote.stop();
}

#[test]
fn bad_frames_and_wrong_passwords_get_the_protocols_close_codes_and_change_nothing() {
    let remote = Remote::start("127.0.0.1:0");
    let mut cmd = common::python_client("raw_frames.py");
    cmd.args([&remote.port.to_string(), PASSWORD]);
    let seen = run_client(cmd, "websocket-client");
    eprintln!("{seen}");
    let code =
        |case: &str| seen[case][0].as_u64().unwrap_or_else(|| panic!("{case}: no close code in {seen}"));
    assert_eq!(code("requestBeforeIdentify"), 4007, "NotIdentified");
    assert_eq!(code("notJson"), 4002, "MessageDecodeError");
    assert_eq!(code("unknownOp"), 4006, "UnknownOpCode");
    assert_eq!(code("identifyTwice"), 4008, "AlreadyIdentified");
    assert_eq!(code("rpcVersion2"), 4010, "UnsupportedRpcVersion");
    assert_eq!(code("binaryOnJson"), 4002, "MessageDecodeError");
    assert_eq!(code("huge"), 1009, "a 2 MiB frame: Message Too Big");
    assert_eq!(seen["helloAfterwards"], 0, "the server still greets new clients");
    assert_eq!(code("wrongPassword"), 4009, "AuthenticationFailed");
    assert_eq!(code("rightPasswordTooSoon"), 4009, "refused while waiting after a wrong password");
    assert!(seen["rightPasswordTooSoon"][1].as_str().unwrap_or("").contains("too many"), "{seen}");
    assert_eq!(seen["rightPasswordLater"], 2, "Identified after the wait");
    assert_eq!(seen["badVolume"], 401, "InvalidRequestFieldType");
    assert_eq!(seen["outOfRange"], 402, "RequestFieldOutOfRange");
    assert_eq!(seen["noSuchInput"], 600, "ResourceNotFound");
    assert_eq!(seen["missingField"], 300, "MissingRequestField");
    assert_eq!(seen["volumeAfter"], 1.0, "nothing changed");
    assert_eq!(seen["programAfter"], "Red", "nothing changed");
    let log = remote.stop();
    assert!(!log.contains("panicked"), "{log}");
}

#[test]
fn a_client_pauses_moves_and_plays_a_media_file_then_removes_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clip = common::green_then_blue_clip(dir.path());
    let collection = serde_json::json!({ "version": 1, "name": "Media", "video": { "width": 640, "height": 360, "fps": 30 },
      "sources": [
        { "id": "red", "name": "Red", "kind": "color", "color": "#ff0000" },
        { "id": "clip", "name": "Clip", "kind": "media", "path": clip } ],
      "scenes": [ { "name": "Red", "items": [
        { "id": 1, "source": "red", "x": 0, "y": 0, "width": 640, "height": 360 },
        { "id": 2, "source": "clip", "x": 0, "y": 0, "width": 320, "height": 180 } ] } ] });
    let remote = Remote::start_on(&collection.to_string(), "127.0.0.1:0", &[], dir);
    let mut cmd = common::python_client("obsws_python_media.py");
    cmd.args([&remote.port.to_string(), PASSWORD]);
    let seen = run_client(cmd, "obsws-python");
    eprintln!("{seen:#}");
    let status = |key: &str| -> (String, f64, f64) {
        let s = &seen[key];
        let state = s[0].as_str().unwrap_or_default().to_owned();
        (state, s[1].as_f64().unwrap_or(-1.0), s[2].as_f64().unwrap_or(-1.0))
    };
    let (state, at, length) = status("playing");
    assert_eq!(state, "OBS_MEDIA_STATE_PLAYING");
    assert!((5800.0..6200.0).contains(&length), "the clip lasts 6 s: {length} ms");
    assert!((500.0..5000.0).contains(&at), "it plays on: {at} ms");
    let (state, paused, _) = status("paused");
    assert_eq!(state, "OBS_MEDIA_STATE_PAUSED");
    let (_, later, _) = status("paused_later");
    assert!((later - paused).abs() <= 40.0, "paused, it stays at {paused} ms: {later} ms a second later");
    let (state, moved, _) = status("moved");
    assert_eq!(state, "OBS_MEDIA_STATE_PAUSED", "moved while paused, it stays paused");
    assert!((moved - 4000.0).abs() <= 100.0, "moved to 4000 ms: {moved}");
    let (_, offset, _) = status("offset");
    assert!((offset - 3000.0).abs() <= 100.0, "moved back 1000 ms: {offset}");
    let (state, played_on, _) = status("played_on");
    assert_eq!(state, "OBS_MEDIA_STATE_PLAYING");
    assert!((3500.0..4600.0).contains(&played_on), "played on from 3000 ms for a second: {played_on}");
    assert_eq!(seen["next"], 703, "a file has no next item: the protocol's CannotAct");
    assert_eq!(seen["not_media"], 605, "a colour is no media input: InvalidInputKind");
    assert_eq!(seen["inputs"], serde_json::json!(["Red"]), "the clip is no longer an input");
    assert_eq!(seen["items"], serde_json::json!(["Red"]), "nor in its scene");
    assert_eq!(seen["removed_again"], 600, "removed twice: ResourceNotFound");
    assert_eq!(seen["events"], serde_json::json!([["InputRemoved", "Clip"]]));
    remote.stop();
}

#[test]
fn obsws_python_starts_and_stops_the_virtual_camera_that_pipewire_then_lists() {
    let pw = common::pipewire::PipeWire::start();
    let remote =
        Remote::start_in(COLLECTION, "127.0.0.1:0", &[], tempfile::tempdir().expect("temp dir"), pw.env());
    let mut cmd = common::python_client("obsws_python_virtualcam.py");
    cmd.args([&remote.port.to_string(), PASSWORD]).envs(pw.env());
    let seen = run_client(cmd, "obsws-python");
    eprintln!("{seen:#}");
    assert_eq!(seen["before"], false);
    assert_eq!(seen["after_start"], true);
    assert_eq!(seen["start_again"], 500, "started twice: OutputRunning");
    assert_eq!(seen["after_toggle"], false);
    assert_eq!(seen["stop_again"], 501, "stopped twice: OutputNotRunning");
    assert_eq!(
        seen["nodes_while_on"], 2,
        "PipeWire listed {} nodes called Plateau while it was on",
        seen["nodes_while_on"]
    );
    assert_eq!(seen["nodes_after"], 0, "nodes left after it stopped");
    remote.stop();
}

#[test]
fn obsws_python_saves_the_replay_buffer_of_a_headless_studio() {
    let remote = Remote::start_with("127.0.0.1:0", &["--replay-buffer", "4"]);
    let mut cmd = common::python_client("obsws_python_replay.py");
    cmd.args([&remote.port.to_string(), PASSWORD]);
    let seen = run_client(cmd, "obsws-python");
    eprintln!("{seen:#}");
    assert_eq!(seen["active"], true);
    assert_eq!(seen["start_again"], 500, "started twice: OutputRunning");
    assert_eq!(seen["active_after_stop"], false);
    assert_eq!(seen["save_when_off"], 501, "saved while off: OutputNotRunning");
    let saved = std::path::PathBuf::from(seen["saved"].as_str().expect("a path"));
    assert!(
        saved.starts_with(remote.dir.path().join("recordings")),
        "saved in the recordings folder: {saved:?}"
    );
    let seconds: f64 = common::ffprobe(&saved, &["-show_entries", "format=duration", "-of", "csv=p=0"])
        .trim()
        .parse()
        .expect("a duration");
    eprintln!("replay: {seconds:.2} s");
    assert!((3.0..=5.0).contains(&seconds), "a 4 s buffer saved {seconds} s");
    remote.stop();
}
