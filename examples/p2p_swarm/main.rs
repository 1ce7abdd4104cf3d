//! One live swarm in one process, measured: the demo program encoded by the
//! engine (x264 2500 kbit/s + AAC, 1280x720 at 30 fps, a keyframe a second)
//! and cut into signed chunks by a broadcaster, and VIEWERS viewers, each
//! with its own iroh endpoint on 127.0.0.1, taking it from each other.
//! Used by benches/p2p, which runs it for several audience sizes.
//!
//! With `wan`, every endpoint is on an emulated wide-area network instead of
//! UDP on loopback ([`wan`]): 40 ms round trip with ±5 ms jitter, 1 % loss,
//! the broadcaster's uplink 10 Mbit/s, each viewer's between 5 and 20 Mbit/s
//! (it relays to as many children as 80 % of its uplink carries).
//!
//! usage: p2p_swarm VIEWERS SECONDS [CHURN_PER_MINUTE_PERCENT] [wan]
//! Prints one JSON line of figures.

mod wan;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plateau::engine::{EncoderSettings, Keyframes, Studio, TsFeed};
use plateau::p2p::{Broadcaster, Network, PeerOptions, Ticket, Viewer};

/// What one viewer's player got.
#[derive(Default)]
struct Played {
    joined: Option<Instant>,
    first: Option<Instant>,
    latencies_ms: Vec<f64>,
    /// Those of the chunks that came 2 s or more after the first one: the
    /// steady state, without the catch-up from the parent's last keyframe.
    steady_ms: Vec<f64>,
    seqs: Vec<u64>,
}

struct Watching {
    viewer: Viewer,
    played: Arc<Mutex<Played>>,
    stayed: bool,
}

/// Chunks cut before the cut-off get the latency target for 95 % of the
/// chunks to arrive everywhere; one later than that counts as missing.
/// (With one second, the viewers of a parent running 1.2-1.8 s behind on
/// the emulated WAN counted their last chunks as missing.)
const GRACE: Duration = Duration::from_millis(2500);

/// The stream's rate on the wire, to size children by uplink.
const STREAM_BPS: f64 = 2.8e6;

/// Options for a peer: UDP on loopback, or the emulated WAN with this uplink.
fn options(wan: Option<&wan::Wan>, uplink_bps: f64, children: usize) -> PeerOptions {
    let network = wan.map(|wan| {
        let wan = wan.clone();
        Network(Arc::new(move |builder, id| wan.attach(builder, id, uplink_bps)))
    });
    PeerOptions { bind: "127.0.0.1:0".parse().unwrap(), children, network, ..PeerOptions::default() }
}

/// The runtime every viewer's tasks share: each on a machine of its own
/// would have its own cores, and here a hundred runtimes of two threads
/// each cost a fifth of the two cores in switching between them.
fn audience_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("audience")
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

fn join(ticket: &Ticket, wan: Option<&wan::Wan>) -> Watching {
    let played = Arc::new(Mutex::new(Played { joined: Some(Instant::now()), ..Played::default() }));
    let into = played.clone();
    let options = match wan {
        Some(_) => {
            let uplink = 5e6 + 15e6 * rand::random::<f64>();
            options(wan, uplink, ((0.8 * uplink / STREAM_BPS) as usize).max(1))
        }
        None => options(None, 0.0, 4),
    };
    let options = PeerOptions { runtime: Some(audience_runtime().handle().clone()), ..options };
    let viewer = Viewer::join(ticket, options, move |chunk| {
        let now_us =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as u64;
        let mut p = into.lock().unwrap();
        let first = *p.first.get_or_insert_with(Instant::now);
        let latency = now_us.saturating_sub(chunk.header.capture_us) as f64 / 1e3;
        p.latencies_ms.push(latency);
        if first.elapsed() >= Duration::from_secs(2) {
            p.steady_ms.push(latency);
        }
        p.seqs.push(chunk.header.seq);
    })
    .expect("a viewer joins");
    Watching { viewer, played, stayed: true }
}

/// How many chunks a player lacks between the first and the last it got.
fn missing_between(seqs: &[u64]) -> u64 {
    let got: std::collections::BTreeSet<u64> = seqs.iter().copied().collect();
    match (got.first(), got.last()) {
        (Some(first), Some(last)) => last - first + 1 - got.len() as u64,
        _ => 0,
    }
}

/// Which chunks from `first` to `end` (not included) a player lacks.
fn describe_gaps(seqs: &[u64], first: u64, end: u64) -> String {
    let got: std::collections::BTreeSet<u64> = seqs.iter().copied().collect();
    let mut gaps = Vec::new();
    let mut s = first;
    while s < end {
        if got.contains(&s) {
            s += 1;
            continue;
        }
        let from = s;
        while s < end && !got.contains(&s) {
            s += 1;
        }
        gaps.push(format!("{from}..{s}"));
    }
    format!("first {first}, end {end}, missing {}", gaps.join(" "))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() -> anyhow::Result<()> {
    // Warnings (the studio's, the peers') go to stderr with the short
    // viewers: a run that goes wrong says why (benches/p2p keeps them).
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().collect();
    let viewers: usize = args.get(1).map_or(Ok(10), |a| a.parse())?;
    let seconds: u64 = args.get(2).map_or(Ok(20), |a| a.parse())?;
    let churn_percent: f64 = args.get(3).map_or(Ok(0.0), |a| a.parse())?;
    let wan = (args.get(4).map(String::as_str) == Some("wan")).then(|| {
        wan::Wan::new(wan::Conditions {
            delay: Duration::from_millis(20),
            jitter: Duration::from_millis(5),
            loss: 0.01,
            queue: Duration::from_millis(200),
        })
    });
    plateau::engine::init()?;
    let studio = Studio::start(plateau::model::demo_collection(false), None)?;
    let broadcaster = Arc::new(Broadcaster::start(options(wan.as_ref(), 10e6, 2))?);
    let sender = broadcaster.clone();
    // When the program's first keyframe reached the swarm: a show that
    // starts late makes every viewer's start late.
    let feed_started = Instant::now();
    let first_keyframe = Arc::new(std::sync::OnceLock::<Duration>::new());
    let keyframe_seen = first_keyframe.clone();
    let feed = TsFeed::start(
        &studio,
        "swarm",
        EncoderSettings { keyframe_seconds: 1, ..EncoderSettings::default() },
        Keyframes::Imposed,
        move |piece| {
            if piece.starts && keyframe_seen.set(feed_started.elapsed()).is_ok() {
                let ms = feed_started.elapsed().as_millis();
                if ms > 1500 {
                    eprintln!("the program's first keyframe came {ms} ms after the feed started");
                }
            }
            sender.publish(&piece.bytes, piece.starts, piece.age)
        },
    )?;
    let ticket = broadcaster.ticket().clone();
    std::thread::sleep(Duration::from_secs(2));

    let mut audience: Vec<Watching> = (0..viewers)
        .map(|_| {
            std::thread::sleep(Duration::from_millis(20));
            join(&ticket, wan.as_ref())
        })
        .collect();
    // Let everybody settle before measuring the broadcaster's upload.
    std::thread::sleep(Duration::from_secs(3));
    let before = broadcaster.stats();
    let started = Instant::now();
    let churn_every = (churn_percent > 0.0)
        .then(|| Duration::from_secs_f64(60.0 / (viewers as f64 * churn_percent / 100.0)));
    let mut next_churn = churn_every.map(|d| started + d);
    let (mut left, mut churned) = (Vec::new(), 0usize);
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(100));
        if let (Some(at), Some(every)) = (next_churn, churn_every) {
            if Instant::now() >= at {
                // The one who has watched longest leaves; somebody new joins.
                let leaving = audience.iter().position(|w| w.stayed).unwrap_or(0);
                let gone = audience.remove(leaving);
                left.push(gone.viewer.stats().received);
                gone.viewer.stop();
                let mut newcomer = join(&ticket, wan.as_ref());
                newcomer.stayed = false;
                audience.push(newcomer);
                churned += 1;
                next_churn = Some(at + every);
            }
        }
    }
    let after = broadcaster.stats();
    std::thread::sleep(GRACE);
    let upload =
        (after.sent_bytes - before.sent_bytes) as f64 / (after.stream_bytes - before.stream_bytes) as f64;
    let offload = 100.0 * (1.0 - upload / audience.len() as f64);

    let (mut latencies, mut steady, mut startups, mut continuity, mut duplicates, mut received) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::<f64>::new(), 0u64, 0u64);
    let (mut switches, mut stalls, mut relay_dropped) = (0u64, 0u64, after.dropped);
    // Chunks a player never got although it got a later one: lost, not late.
    let mut holes = 0u64;
    for w in &audience {
        let stats = w.viewer.stats();
        let p = w.played.lock().unwrap();
        latencies.extend(p.latencies_ms.iter().copied());
        steady.extend(p.steady_ms.iter().copied());
        switches += stats.parents.saturating_sub(1);
        relay_dropped += stats.dropped;
        stalls += stats.stalls + stats.behind;
        if let (Some(joined), Some(first)) = (p.joined, p.first) {
            startups.push(first.duration_since(joined).as_secs_f64() * 1e3);
        }
        // Of the chunks cut from the first this player got to the cut-off,
        // how many it got.
        match p.seqs.first() {
            Some(&first) if first < after.chunks => {
                let got = p.seqs.iter().filter(|s| **s < after.chunks).count();
                continuity.push(100.0 * got as f64 / (after.chunks - first) as f64);
                holes += missing_between(&p.seqs);
                if got < (after.chunks - first) as usize {
                    eprintln!("short viewer: {}", describe_gaps(&p.seqs, first, after.chunks));
                    eprintln!("  its stats: {stats:?}");
                }
            }
            first => {
                // Nothing cut before the cut-off came. A newcomer that joined
                // less than the startup target (1 s) before it has nothing
                // to count yet; anyone else failed to start in time.
                let joined = p.joined.map_or(f64::NAN, |j| j.elapsed().as_secs_f64());
                let counted = joined >= GRACE.as_secs_f64() + 1.0;
                eprintln!(
                    "viewer without a chunk cut before the cut-off ({}): joined {joined:.1} s ago, first chunk {first:?}{}",
                    after.chunks,
                    if counted { "" } else { ": too new to count" }
                );
                eprintln!("  its stats: {stats:?}");
                if counted {
                    continuity.push(0.0);
                }
            }
        }
        duplicates += stats.duplicates;
        received += stats.received;
    }
    for v in [&mut latencies, &mut steady, &mut startups, &mut continuity] {
        v.sort_by(f64::total_cmp);
    }
    println!(
        "{}",
        serde_json::json!({
            "viewers": audience.len(),
            "seconds": seconds,
            "churned": churned,
            "chunks_of_those_who_left": left.iter().sum::<u64>(),
            "upload_x": upload,
            "offload_percent": offload,
            "latency_ms": [percentile(&latencies, 0.5), percentile(&latencies, 0.95), percentile(&latencies, 0.99)],
            "steady_latency_ms": [percentile(&steady, 0.5), percentile(&steady, 0.95), percentile(&steady, 0.99)],
            "parent_switches": switches,
            "stalls": stalls,
            "startup_ms": [percentile(&startups, 0.5), percentile(&startups, 1.0)],
            "continuity_percent": [percentile(&continuity, 0.0), percentile(&continuity, 0.5)],
            "holes": holes,
            "duplicates_percent": 100.0 * duplicates as f64 / received.max(1) as f64,
            "stream_kbps": (after.stream_bytes - before.stream_bytes) as f64 * 8.0 / 1e3 / started.elapsed().as_secs_f64(),
            "dropped_by_queues": relay_dropped,
            "network": if wan.is_some() { "wan" } else { "loopback" },
            "first_keyframe_ms": first_keyframe.get().map(|d| d.as_millis() as u64),
            "wan_packets_sent_dropped": wan.as_ref().map(|w| w.counts()),
        })
    );
    for w in audience {
        w.viewer.stop();
    }
    feed.stop();
    broadcaster.stop();
    studio.stop();
    Ok(())
}
