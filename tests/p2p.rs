//! The peer-to-peer swarm, end to end on loopback: a headless broadcaster
//! process and viewer processes (`plateau watch`), each with its own iroh
//! endpoint, no relay, no address lookup, nothing beyond 127.0.0.1 (but
//! for the local-network test, on a link between two namespaces of its own).

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
    broadcast_with(dir, seconds, &[])
}

fn broadcast_with(dir: &Path, seconds: u32, more: &[&str]) -> Broadcaster {
    broadcast_on(plateau(), "127.0.0.1:0", dir, seconds, more)
}

fn plateau() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plateau"))
}

/// A broadcaster run by `command` (plateau, or plateau in a namespace),
/// listening on `bind`.
fn broadcast_on(mut command: Command, bind: &str, dir: &Path, seconds: u32, more: &[&str]) -> Broadcaster {
    let (ticket_file, stats, log) =
        (dir.join("ticket"), dir.join("broadcaster.json"), dir.join("broadcaster.log"));
    let child = command
        .args(["--headless", "--p2p", "--p2p-bind", bind, "--video-kbps", "800"])
        .arg("--collection")
        .arg(collection_file(dir))
        .arg("--ticket-file")
        .arg(&ticket_file)
        .arg("--stats-json")
        .arg(&stats)
        .args(["--duration", &seconds.to_string()])
        .args(more)
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
    watch_with(dir, name, ticket, seconds, children, &[])
}

fn watch_with(dir: &Path, name: &str, ticket: &str, seconds: u32, children: u32, more: &[&str]) -> Watcher {
    watch_on(plateau(), "127.0.0.1:0", dir, (name, ticket), seconds, children, more)
}

/// A viewer run by `command` (plateau, or plateau in a namespace),
/// listening on `bind`.
fn watch_on(
    mut command: Command,
    bind: &str,
    dir: &Path,
    (name, ticket): (&str, &str),
    seconds: u32,
    children: u32,
    more: &[&str],
) -> Watcher {
    let (output, stats) = (dir.join(format!("{name}.ts")), dir.join(format!("{name}.json")));
    let relays_only = more.first() == Some(&"relay");
    if relays_only {
        command.args(["relay", ticket]);
    } else {
        command.args(["watch", ticket]).arg("--output").arg(&output).args(more);
    }
    let child = command
        .args(["--bind", bind, "--children", &children.to_string()])
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
    let log = std::fs::read_to_string(&show.log).unwrap();
    assert!(ratio <= 2.1, "the broadcaster sent {ratio:.2}x the stream: {log}");
    // The broadcaster's periodic report counted them all, and its upload
    // as QUIC put it on the wire: two copies and QUIC's own bytes.
    let mut ratios: Vec<f64> = log
        .lines()
        .filter_map(|l| l.strip_prefix("plateau: swarm: 20 viewers, upload "))
        .filter_map(|rest| rest.split_once('(')?.1.split_once('x')?.0.parse().ok())
        .collect();
    ratios.sort_by(f64::total_cmp);
    eprintln!("reported uploads, in copies of the stream: {ratios:?}");
    let median = ratios.get(ratios.len() / 2).copied();
    assert!(median.is_some_and(|m| (1.9..=2.4).contains(&m)), "{log}");
}

/// What a viewer received, checked whole: every chunk from its first, and
/// pictures a decoder reads.
fn received_whole_show(viewer: Watcher, name: &str) -> serde_json::Value {
    finish(viewer.child, name);
    let stats = json(&viewer.stats);
    let (first, last, received) =
        (number(&stats, "first_seq"), number(&stats, "last_seq"), number(&stats, "received"));
    assert!(received > 0 && received as f64 >= 0.995 * (last - first + 1) as f64, "{name}: {stats}");
    let (frames, seconds) = decoded_frames(&viewer.output);
    eprintln!("{name}: {received} chunks, {frames} pictures in {seconds:.1} s");
    assert!(
        seconds > 4.0 && frames as f64 >= seconds * 30.0 * 0.98,
        "{name}: {frames} pictures in {seconds} s"
    );
    stats
}

#[test]
fn a_viewer_that_cannot_reach_the_studio_directly_gets_the_show_through_a_self_hosted_relay() {
    use iroh_relay::server::{RelayConfig, Server, ServerConfig};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut config = ServerConfig::default();
    config.relay = Some(RelayConfig::new((std::net::Ipv4Addr::LOCALHOST, 0)));
    let server = runtime.block_on(Server::spawn(config)).unwrap();
    let url = format!("http://{}", server.http_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast_with(dir.path(), 20, &["--p2p-relay", &url]);
    let ticket: plateau::p2p::Ticket = show.ticket.parse().unwrap();
    assert_eq!(
        ticket.relays.iter().map(|r| r.as_str().trim_end_matches('/')).collect::<Vec<_>>(),
        [url.as_str()]
    );
    assert!(!ticket.addrs.is_empty(), "the ticket should still carry the direct addresses");
    // Both viewers are handed no address of the studio: only one is told
    // of the relay.
    let relayed = plateau::p2p::Ticket { addrs: Vec::new(), ..ticket.clone() };
    let stranded = plateau::p2p::Ticket { addrs: Vec::new(), relays: Vec::new(), ..ticket };
    let through_relay = watch(dir.path(), "through-relay", &relayed.to_string(), 12, 4);
    let nowhere = watch(dir.path(), "nowhere", &stranded.to_string(), 12, 4);
    received_whole_show(through_relay, "the viewer told of the relay");
    let _ = nowhere.child.wait_with_output();
    let stats =
        std::fs::read(&nowhere.stats).ok().and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let got = stats.as_ref().map_or(0, |s| number(s, "received"));
    assert_eq!(got, 0, "a viewer with no address and no relay got the show: the test proves nothing");
    finish(show.child, "the broadcaster");
    runtime.block_on(server.shutdown()).unwrap();
}

#[test]
fn on_a_local_network_without_internet_a_viewer_finds_the_studio_by_mdns() {
    // Two machines on a link of their own, nothing else: the studio on
    // one, two viewers on the other, handed its ticket without any
    // address. Only the one that looks on the local network finds it.
    let lan = common::netns::Lan::create();
    let dir = tempfile::tempdir().unwrap();
    let studio = lan.command(0, env!("CARGO_BIN_EXE_plateau"));
    let show = broadcast_on(studio, "0.0.0.0:0", dir.path(), 25, &["--p2p-lan"]);
    let ticket: plateau::p2p::Ticket = show.ticket.parse().unwrap();
    assert!(
        ticket.addrs.iter().any(|a| a.ip().to_string() == lan.addresses[0]),
        "the studio's address on the link is in the ticket: {:?}",
        ticket.addrs
    );
    let no_address = plateau::p2p::Ticket { addrs: Vec::new(), ..ticket }.to_string();
    let viewer = |_: u8| lan.command(1, env!("CARGO_BIN_EXE_plateau"));
    let looking = watch_on(viewer(0), "0.0.0.0:0", dir.path(), ("looking", &no_address), 12, 4, &["--lan"]);
    let not_looking = watch_on(viewer(1), "0.0.0.0:0", dir.path(), ("not-looking", &no_address), 12, 4, &[]);
    received_whole_show(looking, "the viewer that looks on the local network");
    let _ = not_looking.child.wait_with_output();
    let stats = std::fs::read(&not_looking.stats)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let got = stats.as_ref().map_or(0, |s| number(s, "received"));
    assert_eq!(got, 0, "a viewer with no address that does not look got the show: the test proves nothing");
    finish(show.child, "the broadcaster");
}

#[test]
fn a_viewer_whose_uplink_carries_one_copy_keeps_one_child_it_can_serve() {
    // The studio has one place (its maximum upload), taken by a viewer
    // that sends at 540 kbit/s at most (about 1.5 copies of this small
    // picture's stream, 360 kbit/s on the wire) but offers four places.
    // Three viewers that relay to nobody can only be sent to it.
    let lan = common::netns::Lan::create();
    lan.shape_uplink(1, 540);
    let dir = tempfile::tempdir().unwrap();
    let studio = lan.command(0, env!("CARGO_BIN_EXE_plateau"));
    let show = broadcast_on(studio, "0.0.0.0:0", dir.path(), 40, &["--p2p-max-upload", "1100"]);
    let mut slow = lan.command(1, env!("CARGO_BIN_EXE_plateau"));
    slow.env("RUST_LOG", "plateau::p2p::relay=info");
    let mut slow = watch_on(slow, "0.0.0.0:0", dir.path(), ("slow", &show.ticket), 34, 4, &[]);
    std::thread::sleep(Duration::from_secs(4));
    let mut audience: Vec<Watcher> = (0..3)
        .map(|n| {
            std::thread::sleep(Duration::from_millis(300));
            let command = lan.command(0, env!("CARGO_BIN_EXE_plateau"));
            watch_on(command, "0.0.0.0:0", dir.path(), (&format!("viewer{n}"), &show.ticket), 26, 0, &[])
        })
        .collect();
    for viewer in audience.iter_mut().chain(std::iter::once(&mut slow)) {
        let _ = viewer.child.wait();
    }
    let log = std::fs::read_to_string(dir.path().join("slow.log")).unwrap_or_default();
    let decided: Vec<&str> = log.lines().filter(|l| l.contains("places") || l.contains("let go")).collect();
    eprintln!("the slow viewer decided:\n{}", decided.join("\n"));
    // What the audience got, printed (with one place for three, two of
    // them wait for the studio's or the slow viewer's one place).
    for (n, viewer) in audience.into_iter().enumerate() {
        let status = viewer.child.wait_with_output().map(|o| o.status);
        let stats = std::fs::read(&viewer.stats)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        let Some(stats) = stats else {
            eprintln!("viewer {n}: no figures ({status:?})");
            continue;
        };
        eprintln!(
            "viewer {n}: {} chunks, longest gap {} ms, {} parents, {} left for quiet, latency {} ms ({status:?})",
            stats["received"], stats["longest_gap_ms"], stats["parents"], stats["stalls"], stats["latency_ms"]
        );
    }
    let stats = received_whole_show(slow, "the viewer with the slow uplink");
    eprintln!("the slow viewer: {stats}");
    finish(show.child, "the broadcaster");
    assert_eq!(stats["slots"], 1, "the slow uplink carries one child: {stats}");
    assert!(number(&stats, "children") <= 1, "{stats}");
}

#[test]
fn the_maximum_upload_holds_the_studio_to_one_copy_of_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    // 800 + 128 kbit/s of stream (about 1,020 on the wire): 1,000 kbit/s
    // of upload is room for one viewer, where the default is two.
    let show = broadcast_with(dir.path(), 22, &["--p2p-max-upload", "1000"]);
    let viewers: Vec<Watcher> =
        (0..3).map(|n| watch(dir.path(), &format!("viewer{n}"), &show.ticket, 15, 4)).collect();
    let (mut watched, mut relayed_by_viewers) = (0, 0);
    for (n, viewer) in viewers.into_iter().enumerate() {
        let stats = received_whole_show(viewer, &format!("viewer {n}"));
        watched = watched.max(number(&stats, "received"));
        relayed_by_viewers += number(&stats, "sent_bytes");
    }
    finish(show.child, "the broadcaster");
    let stats = json(&show.stats);
    // Copies of the stream the studio sent while the audience watched (the
    // show ran longer than they did).
    let whole_run = number(&stats, "sent_bytes") as f64 / number(&stats, "stream_bytes") as f64;
    let copies = whole_run * number(&stats, "chunks") as f64 / watched as f64;
    eprintln!("broadcaster: {stats}\nupload: {copies:.2}x the stream for 3 viewers; viewers relayed {relayed_by_viewers} bytes");
    assert!((0.8..=1.15).contains(&copies), "the broadcaster sent {copies:.2}x the stream");
    assert!(relayed_by_viewers > 0, "nobody relayed: the other viewers cannot have had the show");
}

#[test]
fn a_recording_made_in_the_swarm_shares_its_encode_and_keyframes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("show.mp4");
    let mut command = plateau();
    command.env("RUST_LOG", "plateau=info");
    let show = broadcast_on(command, "127.0.0.1:0", dir.path(), 8, &["--record", file.to_str().unwrap()]);
    let viewer = watch(dir.path(), "viewer", &show.ticket, 5, 4);
    received_whole_show(viewer, "the viewer");
    finish(show.child, "the broadcaster");
    let log = std::fs::read_to_string(&show.log).unwrap();
    let encodes: Vec<&str> = log.lines().filter(|l| l.contains("encoder started")).collect();
    assert_eq!(encodes.len(), 1, "the recording and the swarm did not share one encode: {encodes:?}");
    assert!(encodes[0].contains("keyframe_seconds=1"), "{}", encodes[0]);
    // The recording has the swarm's keyframe every second, and every picture.
    let keyframes: Vec<f64> = common::ffprobe(
        &file,
        &[
            "-skip_frame",
            "nokey",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=pts_time",
            "-of",
            "csv=p=0",
        ],
    )
    .lines()
    .filter_map(|l| l.trim().parse().ok())
    .collect();
    let gaps: Vec<f64> = keyframes.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        keyframes.len() >= 6 && gaps.iter().all(|g| (0.9..=1.1).contains(g)),
        "keyframes at {keyframes:?}"
    );
    let (frames, seconds) = decoded_frames(&file);
    assert!(frames as f64 >= seconds * 30.0 * 0.98, "{frames} pictures in {seconds} s");
}

fn signal(child: &Child, signal: &str) {
    let status =
        Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success(), "kill -{signal}");
}

#[test]
fn a_frozen_viewer_stalls_nobody_else_for_more_than_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 40);
    // The first two take the stream from the broadcaster; the others
    // (two places each) partly from them.
    let first = watch(dir.path(), "first", &show.ticket, 34, 2);
    std::thread::sleep(Duration::from_millis(300));
    // A seeder (plateau relay) takes the other place beside the broadcaster.
    let second = watch_with(dir.path(), "second", &show.ticket, 34, 2, &["relay"]);
    std::thread::sleep(Duration::from_millis(1500));
    let others: Vec<Watcher> = (0..6)
        .map(|n| {
            std::thread::sleep(Duration::from_millis(200));
            watch(dir.path(), &format!("viewer{n}"), &show.ticket, 32, 2)
        })
        .collect();
    std::thread::sleep(Duration::from_secs(6));
    signal(&first.child, "STOP");
    std::thread::sleep(Duration::from_secs(20));
    signal(&first.child, "CONT");
    let mut stalls = 0;
    for (name, viewer) in std::iter::once(("second".to_string(), second))
        .chain(others.into_iter().enumerate().map(|(n, v)| (format!("viewer {n}"), v)))
    {
        finish(viewer.child, &name);
        let stats = json(&viewer.stats);
        let gap = number(&stats, "longest_gap_ms");
        eprintln!(
            "{name}: longest gap {gap} ms, {} parents, {} left for quiet",
            number(&stats, "parents"),
            number(&stats, "stalls")
        );
        assert!(gap <= 1000, "{name} waited {gap} ms for the stream: {stats}");
        let (first_seq, last, received) =
            (number(&stats, "first_seq"), number(&stats, "last_seq"), number(&stats, "received"));
        assert!(received as f64 >= 0.995 * (last - first_seq + 1) as f64, "{name}: {stats}");
        stalls += number(&stats, "stalls");
    }
    finish(first.child, "the frozen viewer");
    finish(show.child, "the broadcaster");
    assert!(stalls >= 1, "nobody was taking the stream from the frozen viewer: the test proves nothing");
}

/// Waits until `viewer` writes the show to its file (it has a parent).
fn wait_playing(viewer: &Watcher, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while std::fs::metadata(&viewer.output).map_or(true, |m| m.len() == 0) {
        assert!(Instant::now() < deadline, "{name} got nothing to play in 15 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_viewer_whose_parent_is_finding_a_new_parent_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 24);
    // A chain: broadcaster -> first -> middle -> last. `second` holds the
    // broadcaster's other place while the chain forms, then leaves it free.
    // Each is placed (plays) before the next comes.
    let mut first = watch(dir.path(), "first", &show.ticket, 20, 1);
    wait_playing(&first, "first");
    let second = watch(dir.path(), "second", &show.ticket, 6, 0);
    wait_playing(&second, "second");
    let middle = watch(dir.path(), "middle", &show.ticket, 20, 1);
    wait_playing(&middle, "middle");
    let last = watch(dir.path(), "last", &show.ticket, 18, 0);
    wait_playing(&last, "last");
    finish(second.child, "second");
    std::thread::sleep(Duration::from_secs(2));
    // `first` dies without a word: `middle` hears nothing for half a second
    // and takes the broadcaster's free place; `last` hears from `middle`
    // that it is still there meanwhile.
    signal(&first.child, "KILL");
    let _ = first.child.wait();
    let (middle_stats, last_stats) = (middle.stats.clone(), last.stats.clone());
    finish(middle.child, "middle");
    finish(last.child, "last");
    finish(show.child, "the broadcaster");
    let (middle, last) = (json(&middle_stats), json(&last_stats));
    eprintln!("middle: {middle}\nlast: {last}");
    assert!(
        number(&middle, "stalls") >= 1,
        "middle never lost its parent: the test proves nothing: {middle}"
    );
    assert_eq!(number(&last, "parents"), 1, "last left its parent while it found a new one: {last}");
    assert_eq!(number(&last, "stalls"), 0, "{last}");
    for (name, stats) in [("middle", &middle), ("last", &last)] {
        let gap = number(stats, "longest_gap_ms");
        assert!(gap <= 1000, "{name} waited {gap} ms: {stats}");
        let (first_seq, last_seq, received) =
            (number(stats, "first_seq"), number(stats, "last_seq"), number(stats, "received"));
        assert!(received as f64 >= 0.995 * (last_seq - first_seq + 1) as f64, "{name}: {stats}");
    }
}

#[test]
fn a_viewer_killed_without_a_word_frees_its_place_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 20);
    // Both of the broadcaster's places taken by viewers that relay nothing.
    let mut first = watch(dir.path(), "first", &show.ticket, 16, 0);
    let second = watch(dir.path(), "second", &show.ticket, 16, 0);
    wait_playing(&first, "first");
    wait_playing(&second, "second");
    std::thread::sleep(Duration::from_secs(2));
    signal(&first.child, "KILL");
    let _ = first.child.wait();
    std::thread::sleep(Duration::from_secs(1));
    // The only place the newcomer can have is the killed viewer's.
    let third = watch(dir.path(), "third", &show.ticket, 11, 0);
    finish(third.child, "third");
    finish(second.child, "second");
    finish(show.child, "the broadcaster");
    let stats = json(&third.stats);
    eprintln!("third: {stats}");
    // Alive 11 s from 1 s after the kill; the place is free 4 s after it
    // at most: 8 s of the show, about 28 chunks a second at 800 kbit/s.
    // (With QUIC's default idle timeouts, 15-30 s, it got nothing.)
    let received = number(&stats, "received");
    assert!(received >= 50, "{received} chunks: the killed viewer's place stayed taken: {stats}");
}

#[test]
fn a_damaged_or_foreign_ticket_is_one_line_and_a_failure() {
    let good = plateau::p2p::Ticket {
        broadcaster: iroh::SecretKey::generate().public(),
        stream: plateau::p2p::StreamId([1; 16]),
        addrs: vec!["127.0.0.1:9".parse().unwrap()],
        relays: Vec::new(),
    }
    .to_string();
    for (ticket, says) in [
        ("hello", "not a Plateau ticket"),
        (&good[..good.len() - 8], "damaged"),
        (&format!("{}0", &good[..good.len() - 1]), "damaged"),
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_plateau"))
            .args(["watch", ticket, "--duration", "5"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "{ticket} was taken");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{ticket}: {stderr}");
    }
}

/// A peer that joins like a viewer, takes the real stream, and sends its
/// children forged, modified and replayed chunks instead.
mod evil {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use iroh::endpoint::presets;
    use iroh::{Endpoint, EndpointId, RelayMode, SecretKey};
    use plateau::p2p::chunk::{self, Chunk, Header};
    use plateau::p2p::wire::{self, Answer, Hello, Report, Steer};
    use plateau::p2p::Ticket;

    pub const MARK: &[u8] = b"FORGED-BY-EVIL!!";

    #[derive(Default)]
    pub struct Seen {
        pub genuine: Vec<Chunk>,
        pub children: Vec<EndpointId>,
        pub sent: u64,
    }

    async fn endpoint() -> Endpoint {
        Endpoint::builder(presets::Minimal)
            .alpns(vec![wire::ALPN.to_vec()])
            .relay_mode(RelayMode::Disabled)
            .clear_ip_transports()
            .bind_addr("127.0.0.1:0")
            .unwrap()
            .bind()
            .await
            .unwrap()
    }

    /// Joins the show and asks the tracker for a parent as fast as it can,
    /// for at most `limit`: how many it asked, and why its connection ended.
    pub async fn flood_tracker(ticket: Ticket, limit: Duration) -> (u64, Option<String>) {
        let endpoint = endpoint().await;
        let tracker = endpoint.connect(ticket.endpoint_addr(), wire::ALPN).await.unwrap();
        let (mut send, mut recv) = tracker.open_bi().await.unwrap();
        let join = Hello::Join { stream: ticket.stream, addrs: endpoint.bound_sockets(), slots: 16 };
        wire::send_message(&mut send, &join).await.unwrap();
        // Its answers are read, so that the tracker never waits to send them.
        tokio::spawn(async move { while wire::read_message::<Steer>(&mut recv).await.is_ok() {} });
        let (start, mut asked) = (Instant::now(), 0);
        while start.elapsed() < limit && tracker.close_reason().is_none() {
            if wire::send_message(&mut send, &Report::WantParent { exclude: vec![] }).await.is_err() {
                break;
            }
            asked += 1;
            if asked % 64 == 0 {
                tokio::task::yield_now().await;
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), tracker.closed()).await;
        let reason = tracker.close_reason().map(|r| r.to_string());
        endpoint.close().await;
        (asked, reason)
    }

    /// Runs for `seconds`; says whom it served and what it sent.
    pub async fn run(ticket: Ticket, seconds: u64) -> Arc<Mutex<Seen>> {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let endpoint = endpoint().await;
        let tracker = endpoint.connect(ticket.endpoint_addr(), wire::ALPN).await.unwrap();
        let (mut to_tracker, mut from_tracker) = tracker.open_bi().await.unwrap();
        let join = Hello::Join { stream: ticket.stream, addrs: endpoint.bound_sockets(), slots: 16 };
        wire::send_message(&mut to_tracker, &join).await.unwrap();
        wire::send_message(&mut to_tracker, &Report::WantParent { exclude: vec![] }).await.unwrap();
        let Steer::Parent { id: parent, addrs } = wire::read_message(&mut from_tracker).await.unwrap() else {
            panic!("the evil peer got no parent")
        };
        assert_eq!(parent, ticket.broadcaster, "the evil peer should come first");
        // The genuine stream, to copy from.
        let upstream = endpoint.connect(Steer::parent_addr(parent, &addrs), wire::ALPN).await.unwrap();
        let (mut send, mut recv) = upstream.open_bi().await.unwrap();
        wire::send_message(&mut send, &Hello::Subscribe { stream: ticket.stream, from: None }).await.unwrap();
        assert_eq!(wire::read_message::<Answer>(&mut recv).await.unwrap(), Answer::Welcome);
        let keep = seen.clone();
        tokio::spawn(async move {
            let _send = send;
            while let Ok(frame) = wire::read_frame(&mut recv, chunk::MAX_CHUNK).await {
                keep.lock().unwrap().genuine.push(Chunk::parse(frame).unwrap());
            }
        });
        // Reports that make it look like a good parent.
        let reporting = seen.clone();
        tokio::spawn(async move {
            loop {
                let children = reporting.lock().unwrap().children.clone();
                let status =
                    Report::Status { parent: Some(parent), children, latency_ms: Some(1), slots: 16 };
                if wire::send_message(&mut to_tracker, &status).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
        let serving = seen.clone();
        let key = SecretKey::generate();
        let accepting = endpoint.clone();
        tokio::spawn(async move {
            while let Some(incoming) = accepting.accept().await {
                let (seen, key) = (serving.clone(), key.clone());
                tokio::spawn(async move {
                    let Ok(connection) = incoming.await else { return };
                    let Ok((mut send, mut recv)) = connection.accept_bi().await else { return };
                    let Ok(Hello::Subscribe { .. }) = wire::read_message::<Hello>(&mut recv).await else {
                        return;
                    };
                    seen.lock().unwrap().children.push(connection.remote_id());
                    if wire::send_message(&mut send, &Answer::Welcome).await.is_err() {
                        return;
                    }
                    for round in 0u64.. {
                        let (newest, old) = {
                            let seen = seen.lock().unwrap();
                            let n = seen.genuine.len();
                            (seen.genuine.last().cloned(), seen.genuine.get(n.saturating_sub(40)).cloned())
                        };
                        let Some(newest) = newest else {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        };
                        let payload = MARK.repeat(newest.payload().len() / MARK.len() + 1);
                        let next = Header { seq: newest.header.seq + 1 + round % 3, ..newest.header };
                        // Forged: its own key.
                        let forged = Chunk::sign(
                            &key,
                            next,
                            &payload[..newest.payload().len().min(chunk::MAX_PAYLOAD)],
                        );
                        // Modified: the broadcaster's signature over other bytes.
                        let mut modified = newest.bytes().to_vec();
                        let at = modified.len() - 64 - MARK.len();
                        modified[at..at + MARK.len()].copy_from_slice(MARK);
                        let mut frames = vec![forged.bytes().to_vec(), modified];
                        // Replayed: a genuine chunk again and again.
                        if let Some(old) = old {
                            frames.push(old.bytes().to_vec());
                        }
                        for frame in frames {
                            if wire::write_frame(&mut send, &frame).await.is_err() {
                                return;
                            }
                            seen.lock().unwrap().sent += 1;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                });
            }
        });
        let end = Instant::now() + Duration::from_secs(seconds);
        tokio::time::sleep_until(end.into()).await;
        endpoint.close().await;
        seen
    }
}

#[test]
fn a_peer_that_floods_the_tracker_is_disconnected_and_the_audience_plays_on() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 20);
    let ticket: plateau::p2p::Ticket = show.ticket.parse().unwrap();
    let viewer = watch(dir.path(), "viewer", &show.ticket, 12, 4);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let (asked, reason) = runtime.block_on(evil::flood_tracker(ticket, Duration::from_secs(8)));
    eprintln!(
        "the flooder asked for a parent {asked} times in {:?}; its connection: {reason:?}",
        started.elapsed()
    );
    let reason = reason.unwrap_or_default();
    assert!(reason.contains("flood"), "the flooder was not disconnected for flooding: {reason:?}");
    assert!(asked > 220, "it was disconnected before it flooded: {asked} requests");
    received_whole_show(viewer, "the viewer beside the flooder");
    finish(show.child, "the broadcaster");
}

#[test]
fn forged_modified_and_replayed_chunks_are_never_played_nor_passed_on() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 30);
    let ticket: plateau::p2p::Ticket = show.ticket.parse().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let attack = runtime.spawn(evil::run(ticket, 24));
    std::thread::sleep(Duration::from_secs(2));
    let viewers: Vec<Watcher> = (0..8)
        .map(|n| {
            std::thread::sleep(Duration::from_millis(200));
            watch(dir.path(), &format!("viewer{n}"), &show.ticket, 20, 2)
        })
        .collect();
    let seen = runtime.block_on(attack).unwrap();
    let seen = seen.lock().unwrap();
    eprintln!("the evil peer served {} children and sent them {} bad chunks", seen.children.len(), seen.sent);
    assert!(seen.sent > 0 && !seen.children.is_empty(), "the attack reached nobody: the test proves nothing");
    let mut refused_by_its_children = 0;
    for (n, viewer) in viewers.into_iter().enumerate() {
        finish(viewer.child, &format!("viewer {n}"));
        let stats = json(&viewer.stats);
        let id: iroh::EndpointId = serde_json::from_value(stats["id"].clone()).unwrap();
        let (refused, duplicates) = (number(&stats, "rejected"), number(&stats, "duplicates"));
        let neighbour = seen.children.contains(&id);
        eprintln!("viewer {n}: neighbour of the evil peer: {neighbour}, {refused} refused, {duplicates} duplicates, {} chunks", number(&stats, "received"));
        let played = std::fs::read(&viewer.output).unwrap();
        assert!(
            !played.windows(evil::MARK.len()).any(|w| w == evil::MARK),
            "viewer {n} played a forged chunk"
        );
        let (frames, _) = decoded_frames(&viewer.output);
        assert!(frames > 100, "viewer {n} decoded {frames} pictures");
        if neighbour {
            refused_by_its_children += refused;
        } else {
            assert_eq!(
                (refused, duplicates),
                (0, 0),
                "viewer {n} got bad chunks without being the evil peer's neighbour"
            );
        }
    }
    assert!(refused_by_its_children > 0, "no neighbour refused anything");
    finish(show.child, "the broadcaster");
}

/// The address a `plateau watch --serve 127.0.0.1:0` says it serves at.
fn served_at(log: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(at) = text.lines().find_map(|l| l.strip_prefix("plateau: serving http://")) {
            return at.split('/').next().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "the viewer serves nothing: {text}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Two screenshots of `url`, a second apart, after `wait` of real time:
/// Chromium (headless) driven over its DevTools protocol by a small Node
/// script, so that the page plays as it would for a person.
fn browser_screenshots(url: &str, wait: Duration, out: [&Path; 2]) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let profile = out[0].with_extension("profile");
    let mut chromium = Command::new("chromium")
        .args(["--headless=new", "--no-sandbox", "--disable-audio-output", "--window-size=640,400"])
        // Kept off the test session's buses (no keyring prompt, nothing on
        // the accessibility bus the window tests read) and off its display.
        .arg("--password-store=basic")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("AT_SPI_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .arg("--autoplay-policy=no-user-gesture-required")
        .arg(format!("--remote-debugging-port={port}"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium runs (install the package chromium)");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/browser_shots.js");
    let run = Command::new("timeout")
        .args(["-s", "KILL", "60", "node", "--experimental-websocket"])
        .arg(&script)
        .args([&port.to_string(), url, &wait.as_millis().to_string()])
        .args(out)
        .output()
        .expect("node runs (install the package nodejs)");
    let _ = chromium.kill();
    let _ = chromium.wait();
    eprintln!("{}", String::from_utf8_lossy(&run.stdout));
    assert!(run.status.success(), "no screenshots: {}", String::from_utf8_lossy(&run.stderr));
}

/// ImageMagick's answer about the part of a screenshot the picture fills
/// (the 320x180 canvas is shown at 640x360 from y=20; the player's
/// controls cover the bottom, left out).
fn magick(args: &[&str]) -> String {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .expect("ImageMagick runs (install the package imagemagick)");
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn a_viewer_serves_the_show_to_players_and_to_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let show = broadcast(dir.path(), 60);
    let viewer = watch_with(dir.path(), "gateway", &show.ticket, 50, 4, &["--serve", "127.0.0.1:0"]);
    let at = served_at(&dir.path().join("gateway.log"));
    std::thread::sleep(Duration::from_secs(6));
    let probe = Command::new("timeout")
        .args(["-s", "KILL", "20", "ffprobe", "-v", "error", "-rw_timeout", "5000000"])
        .args(["-show_entries", "stream=codec_name,width,height,r_frame_rate", "-of", "compact"])
        .arg(format!("http://{at}/live.ts"))
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    let streams = String::from_utf8_lossy(&probe.stdout);
    eprintln!("/live.ts: {streams}");
    assert!(streams.contains("codec_name=h264|width=320|height=180|r_frame_rate=30/1"), "{streams}");
    assert!(streams.contains("codec_name=aac"), "{streams}");
    let hls = Command::new("timeout")
        .args([
            "-s",
            "KILL",
            "20",
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "compact",
        ])
        .arg(format!("http://{at}/live.m3u8"))
        .output()
        .unwrap();
    let hls = String::from_utf8_lossy(&hls.stdout);
    assert!(hls.contains("codec_name=h264") && hls.contains("codec_name=aac"), "/live.m3u8: {hls}");

    let shots: Vec<PathBuf> = (0..2).map(|n| dir.path().join(format!("page{n}.png"))).collect();
    browser_screenshots(&format!("http://{at}/"), Duration::from_secs(5), [&shots[0], &shots[1]]);
    let crop = "620x280+0+20";
    for shot in &shots {
        let brightest =
            magick(&["convert", shot.to_str().unwrap(), "-crop", crop, "-format", "%[fx:maxima]", "info:"]);
        eprintln!("{}: brightest {brightest}", shot.display());
        assert!(brightest.trim().parse::<f64>().unwrap() > 0.8, "no picture in the page: {}", shot.display());
    }
    let (a, b) = (format!("{}[{crop}]", shots[0].display()), format!("{}[{crop}]", shots[1].display()));
    let differ = magick(&["compare", "-metric", "AE", &a, &b, "null:"]);
    eprintln!("pixels that differ inside the picture: {differ}");
    assert!(differ.trim().parse::<f64>().unwrap_or(0.0) > 100.0, "the page shows a still picture: {differ}");
    // Both stop cleanly when asked, the viewer even with a player still
    // reading /live.ts from it.
    let mut reader = Command::new("curl")
        .args(["-s", "-o", "/dev/null", &format!("http://{at}/live.ts")])
        .spawn()
        .expect("curl runs (install the package curl)");
    std::thread::sleep(Duration::from_secs(1));
    let (asked, mut viewer) = (Instant::now(), viewer.child);
    signal(&viewer, "INT");
    let status = loop {
        if let Some(status) = viewer.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > Duration::from_secs(10) {
            let _ = viewer.kill();
            panic!("the viewer did not stop within 10 s while a player read /live.ts");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!("the viewer stopped in {:?} with a player reading", asked.elapsed());
    assert!(status.success(), "the viewer exited with {status}");
    let _ = reader.kill();
    let _ = reader.wait();
    signal(&show.child, "INT");
    finish(show.child, "the broadcaster");
}
