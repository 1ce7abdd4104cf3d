//! The peer-to-peer swarm, end to end on loopback: a headless broadcaster
//! process and viewer processes (`plateau watch`), each with its own iroh
//! endpoint, no relay, no address lookup, nothing beyond 127.0.0.1.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use plateau::model::{SourceKind, TestPattern};

/// A small moving picture with sound, so that frames differ and decode fast.
fn collection_file(dir: &Path) -> PathBuf {
    let mut c = common::collection();
    c.video.width = 320;
    c.video.height = 180;
    c.sources = vec![
        plateau::model::Source::new("ball", "Ball", SourceKind::TestPattern { pattern: TestPattern::Ball }),
        plateau::model::Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 }),
    ];
    c.scenes = vec![common::scene(
        "Show",
        vec![common::item(1, "ball", 0, 0, 320, 180), common::item(2, "tone", 0, 0, 1, 1)],
    )];
    let path = dir.join("show.json");
    plateau::model::save_collection(&c, &path).unwrap();
    path
}

struct Broadcaster {
    child: Child,
    ticket: String,
    stats: PathBuf,
    log: PathBuf,
}

fn broadcast(dir: &Path, seconds: u32) -> Broadcaster {
    let (ticket_file, stats, log) =
        (dir.join("ticket"), dir.join("broadcaster.json"), dir.join("broadcaster.log"));
    let child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--p2p", "--p2p-bind", "127.0.0.1:0", "--video-kbps", "800"])
        .arg("--collection")
        .arg(collection_file(dir))
        .arg("--ticket-file")
        .arg(&ticket_file)
        .arg("--stats-json")
        .arg(&stats)
        .args(["--duration", &seconds.to_string()])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let ticket = loop {
        if let Ok(t) = std::fs::read_to_string(&ticket_file) {
            break t;
        }
        assert!(
            Instant::now() < deadline,
            "no ticket: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    Broadcaster { child, ticket, stats, log }
}

struct Watcher {
    child: Child,
    output: PathBuf,
    stats: PathBuf,
}

fn watch(dir: &Path, name: &str, ticket: &str, seconds: u32, children: u32) -> Watcher {
    let (output, stats) = (dir.join(format!("{name}.ts")), dir.join(format!("{name}.json")));
    let child = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["watch", ticket, "--bind", "127.0.0.1:0", "--children", &children.to_string()])
        .arg("--output")
        .arg(&output)
        .arg("--stats-json")
        .arg(&stats)
        .args(["--duration", &seconds.to_string()])
        .stderr(std::fs::File::create(dir.join(format!("{name}.log"))).unwrap())
        .spawn()
        .unwrap();
    Watcher { child, output, stats }
}

fn finish(mut child: Child, what: &str) {
    let status = child.wait().unwrap();
    assert!(status.success(), "{what} exited with {status}");
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap()
}

fn number(v: &serde_json::Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// Pictures a real decoder (ffmpeg's) gets out of a file, and the file's length in seconds.
fn decoded_frames(path: &Path) -> (u64, f64) {
    let out = common::ffprobe(
        path,
        &[
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames:format=duration",
            "-of",
            "default=nw=1",
        ],
    );
    let field = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in {out}"))
            .to_owned()
    };
    (field("nb_read_frames=").parse().unwrap(), field("duration=").parse().unwrap())
}

#[test]
fn twenty_viewers_get_the_whole_show_and_the_broadcaster_sends_it_about_twice() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 36);
    let viewers: Vec<Watcher> = (0..20)
        .map(|n| {
            std::thread::sleep(Duration::from_millis(100));
            watch(dir.path(), &format!("viewer{n}"), &show.ticket, 30, 4)
        })
        .collect();
    for (n, viewer) in viewers.into_iter().enumerate() {
        finish(viewer.child, &format!("viewer {n}"));
        let stats = json(&viewer.stats);
        let (first, last, received) =
            (number(&stats, "first_seq"), number(&stats, "last_seq"), number(&stats, "received"));
        let share = received as f64 / (last - first + 1) as f64;
        eprintln!(
            "viewer {n}: {received} chunks of {}..={} ({:.2} %), {} refused, longest gap {} ms, parents {}",
            first,
            last,
            share * 100.0,
            number(&stats, "rejected"),
            number(&stats, "longest_gap_ms"),
            number(&stats, "parents")
        );
        assert!(share >= 0.995, "viewer {n} received {:.2} % of the chunks: {stats}", share * 100.0);
        assert_eq!(number(&stats, "rejected"), 0, "viewer {n}");
        let (frames, seconds) = decoded_frames(&viewer.output);
        eprintln!("viewer {n}: {frames} pictures decoded in {seconds:.1} s");
        assert!(seconds > 25.0, "viewer {n} saved {seconds} s");
        assert!(frames as f64 >= seconds * 30.0 * 0.98, "viewer {n}: {frames} pictures in {seconds} s");
    }
    finish(show.child, "the broadcaster");
    let stats = json(&show.stats);
    let ratio = number(&stats, "sent_bytes") as f64 / number(&stats, "stream_bytes") as f64;
    eprintln!("broadcaster: {stats}\nupload: {ratio:.2}x the stream for 20 viewers");
    assert!(
        ratio <= 2.1,
        "the broadcaster sent {ratio:.2}x the stream: {}",
        std::fs::read_to_string(&show.log).unwrap()
    );
}
