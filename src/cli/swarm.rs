//! The command line's peer-to-peer parts: going live to the swarm from
//! `--headless --p2p`, and `plateau watch` / `plateau relay`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::engine::{EncoderSettings, Feeds, Keyframes, TsFeed};
use crate::gateway::Gateway;
use crate::p2p::{Broadcaster, PeerOptions, SwarmReport, Ticket, Viewer, BROADCASTER_CHILDREN};
use anyhow::Context;

/// `plateau watch TICKET` / `plateau relay TICKET`.
#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    /// The ticket the broadcaster printed (or its `plateau:` link).
    ticket: String,
    /// Write the live stream (MPEG-TS) into this file as it comes.
    #[arg(long, value_name = "FILE.ts")]
    output: Option<PathBuf>,
    /// The UDP address to take part in the swarm from.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:0")]
    bind: SocketAddr,
    /// How many viewers this one relays to at most.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(0..=64))]
    children: u16,
    /// Announce this viewer on the local network and find the studio and
    /// other viewers there (mDNS), for a show on a LAN without internet.
    #[arg(long)]
    lan: bool,
    /// Serve the live stream over HTTP at this address: /live.ts (MPEG-TS
    /// for VLC, mpv, ffplay), /live.m3u8 (HLS), and / (a page that plays it).
    #[arg(long, value_name = "ADDR")]
    serve: Option<SocketAddr>,
    /// At the end, write what this viewer saw into this file (JSON).
    #[arg(long, value_name = "FILE")]
    stats_json: Option<PathBuf>,
    /// The name this viewer chats under.
    #[arg(long, value_name = "NAME", default_value = "Viewer")]
    chat_name: String,
    /// Say this in the chat once the show plays (may be repeated).
    #[arg(long, value_name = "TEXT")]
    say: Vec<String>,
    /// Seconds between two messages given with --say.
    #[arg(long, value_name = "SECONDS", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=3600))]
    say_every: u64,
}

impl WatchArgs {
    /// Whether to watch in a window: a display is there and nothing asks
    /// for a file, a server or figures instead.
    pub fn wants_window(&self) -> bool {
        let display =
            ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
        display && self.output.is_none() && self.serve.is_none() && self.stats_json.is_none()
    }

    fn peer_options(&self) -> PeerOptions {
        PeerOptions {
            bind: self.bind,
            children: self.children as usize,
            lan: self.lan,
            ..PeerOptions::default()
        }
    }
}

/// The viewer's window, playing a show.
pub type WatchWindow = fn(Ticket, PeerOptions) -> anyhow::Result<()>;

/// `plateau watch TICKET` in the viewer's window.
pub fn watch_in_window(args: &WatchArgs, window: WatchWindow) -> anyhow::Result<()> {
    let ticket: Ticket = args.ticket.parse().context("this ticket cannot be used")?;
    window(ticket, args.peer_options())
}

/// `plateau plateau:TICKET` (a link opened from a browser or a chat): the
/// viewer's window, relaying as it plays.
pub fn watch_link(link: &str, window: WatchWindow) -> anyhow::Result<()> {
    let ticket: Ticket = link.parse().context("this link is not a Plateau show")?;
    window(ticket, PeerOptions::default())
}

/// How often the swarm's figures are printed at most.
const PRINT_EVERY: Duration = Duration::from_secs(2);

/// Joins a show and relays it (and, when `plays`, saves it) until the
/// duration is over or SIGINT/SIGTERM.
pub fn watch(args: &WatchArgs, duration: Option<f64>, plays: bool) -> anyhow::Result<()> {
    let duration = crate::cli::headless::duration_of(duration)?;
    if !plays && (args.serve.is_some() || args.output.is_some()) {
        anyhow::bail!("plateau relay only relays: --serve and --output are for plateau watch");
    }
    let ticket: Ticket = args.ticket.parse().context("this ticket cannot be used")?;
    let mut file = match (&args.output, plays) {
        (Some(path), true) => Some(
            std::fs::File::create_new(path)
                .with_context(|| format!("cannot write the stream into {}", path.display()))?,
        ),
        _ => None,
    };
    let gateway = match (args.serve, plays) {
        (Some(addr), true) => {
            let gateway =
                Gateway::start(addr).with_context(|| format!("cannot serve the stream on {addr}"))?;
            eprintln!(
                "plateau: serving http://{0}/ (the stream: http://{0}/live.ts, http://{0}/live.m3u8)",
                gateway.addr()
            );
            Some(gateway)
        }
        _ => None,
    };
    let viewer = Viewer::join(&ticket, args.peer_options(), move |chunk| {
        if let Some(g) = &gateway {
            g.push(chunk.payload(), chunk.header.is_start(), chunk.header.capture_us);
        }
        if let Some(f) = file.as_mut() {
            if let Err(e) = f.write_all(chunk.payload()) {
                eprintln!("plateau: cannot write the stream: {e}");
                file = None;
            }
        }
    })?;
    eprintln!("plateau: joining the show of {}", ticket.broadcaster.fmt_short());
    let chat = viewer.chat();
    std::thread::spawn(move || {
        while let Ok(line) = chat.recv_blocking() {
            eprintln!("plateau: chat: {}: {}", line.name, line.text);
        }
    });
    let mut to_say = args.say.iter();
    let mut said_at: Option<Instant> = None;
    let mut last_print = Instant::now();
    let stop = stop_signal(duration)?;
    while stop.recv_timeout(Duration::from_millis(500)).is_err() {
        let s = viewer.stats();
        if s.ended {
            eprintln!("plateau: the show has ended");
            break;
        }
        let due = said_at.is_none_or(|t| t.elapsed() >= Duration::from_secs(args.say_every));
        if s.received > 0 && due {
            if let Some(text) = to_say.next() {
                said_at = Some(Instant::now());
                match viewer.say(&args.chat_name, text) {
                    Ok(()) => eprintln!("plateau: said: {text}"),
                    Err(e) => eprintln!("plateau: the chat message was not sent: {e}"),
                }
            }
        }
        if last_print.elapsed() < PRINT_EVERY {
            continue;
        }
        last_print = Instant::now();
        eprintln!(
            "plateau: swarm: {} chunks, latency {} ms, {} refused, {} children of {} places, {:.0} kB relayed",
            s.received,
            s.latency_ms.map_or("-".into(), |l| l.to_string()),
            s.rejected,
            s.children,
            s.slots,
            s.sent_bytes as f64 / 1e3
        );
    }
    let stats = viewer.stats();
    viewer.stop();
    if let Some(path) = &args.stats_json {
        write_json(path, &stats)?;
    }
    Ok(())
}

/// How the studio takes part in the swarm: from its settings, or from the
/// command line.
#[derive(Debug, Clone, PartialEq)]
pub struct SwarmPlan {
    pub bind: SocketAddr,
    /// Self-hosted relay servers (`https://relay.example.org`), for viewers
    /// that cannot reach the studio directly. None: direct paths only.
    pub relays: Vec<iroh::RelayUrl>,
    /// The most the studio sends to the swarm, in kbit/s; 0: about twice
    /// the stream.
    pub max_upload_kbps: u32,
    /// Announced and found on the local network (mDNS).
    pub lan: bool,
}

impl SwarmPlan {
    /// The plan the settings describe, or what in them cannot be used.
    pub fn from_settings(prefs: &crate::model::PeerToPeer) -> anyhow::Result<Self> {
        let bind = prefs.bind.trim().parse().map_err(|_| {
            anyhow::anyhow!(
                "the peer-to-peer address “{}” is not an address and port, like 0.0.0.0:0",
                prefs.bind
            )
        })?;
        let relays = prefs.relays.iter().map(|r| relay_url(r)).collect::<anyhow::Result<_>>()?;
        Ok(Self { bind, relays, max_upload_kbps: prefs.max_upload_kbps, lan: prefs.lan })
    }

    /// How many viewers the studio sends the stream to itself, for a stream
    /// of `stream_kbps` (chunks carry about 10 % more: headers,
    /// signatures, MPEG-TS).
    pub fn children(&self, stream_kbps: u32) -> usize {
        match self.max_upload_kbps {
            0 => BROADCASTER_CHILDREN,
            most => {
                (f64::from(most) / (f64::from(stream_kbps.max(1)) * 1.1)).floor().clamp(1.0, 32.0) as usize
            }
        }
    }
}

/// A relay server's address, as a user types it.
pub fn relay_url(text: &str) -> anyhow::Result<iroh::RelayUrl> {
    let text = text.trim();
    let bad = || anyhow::anyhow!("“{text}” is not a relay server's address (http://… or https://…)");
    let url: iroh::RelayUrl = text.parse().map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(url)
}

/// The swarm's encode has a keyframe every second: a new viewer starts from
/// the last one, so it plays at most a second behind. A recording shares
/// the encode: started after the swarm it takes this interval, started
/// before it has this interval imposed on its encode while the swarm runs.
pub const KEYFRAME_SECONDS: u32 = 1;

/// A live show on the swarm, fed by the program's encode.
pub struct Live {
    feed: TsFeed,
    broadcaster: Arc<Broadcaster>,
    reporter: Option<std::thread::JoinHandle<()>>,
}

impl Live {
    /// Opens the studio's endpoint as `plan` says and feeds it the program.
    pub fn start(
        feeds: impl AsRef<Feeds>,
        encoder: EncoderSettings,
        plan: &SwarmPlan,
    ) -> anyhow::Result<Self> {
        let children = plan.children(encoder.video_kbps + encoder.audio_kbps);
        let options = PeerOptions {
            bind: plan.bind,
            children,
            relays: plan.relays.clone(),
            lan: plan.lan,
            ..PeerOptions::default()
        };
        tracing::info!(children, relays = plan.relays.len(), lan = plan.lan, "going to the swarm");
        let broadcaster = Arc::new(Broadcaster::start(options)?);
        let sender = broadcaster.clone();
        let encoder = EncoderSettings { keyframe_seconds: KEYFRAME_SECONDS, ..encoder };
        // A recording's encode already running takes the swarm's keyframes.
        let feed = TsFeed::start(feeds, "swarm", encoder, Keyframes::Imposed, move |piece| {
            sender.publish(&piece.bytes, piece.starts, piece.age)
        })?;
        Ok(Self { feed, broadcaster, reporter: None })
    }

    /// The ticket viewers join with.
    pub fn ticket(&self) -> String {
        self.broadcaster.ticket().to_string()
    }

    /// The audience, as the broadcaster sees it, every second.
    pub fn reports(&self) -> async_channel::Receiver<SwarmReport> {
        self.broadcaster.reports()
    }

    /// The audience's newest figures, if any came yet.
    pub fn latest_report(&self) -> Option<SwarmReport> {
        self.broadcaster.latest_report()
    }

    /// The audience's chat messages, checked.
    pub fn chat(&self) -> async_channel::Receiver<crate::p2p::ChatMessage> {
        self.broadcaster.chat()
    }

    /// Passes a chat message on to the whole audience.
    pub fn publish_chat(&self, message: &crate::p2p::ChatMessage) {
        self.broadcaster.publish_chat(message);
    }

    /// For the command line: prints the ticket (and writes it into
    /// `ticket_file`), then the audience every few seconds.
    pub fn announce(&mut self, ticket_file: Option<&PathBuf>) -> anyhow::Result<()> {
        let ticket = self.ticket();
        println!("{ticket}");
        let _ = std::io::stdout().flush();
        if let Some(path) = ticket_file {
            crate::model::write_atomically(path, |f| f.write_all(ticket.as_bytes()))
                .with_context(|| format!("cannot write the ticket into {}", path.display()))?;
        }
        let reports = self.reports();
        self.reporter = Some(std::thread::spawn(move || {
            let mut last = Instant::now() - PRINT_EVERY;
            while let Ok(r) = reports.recv_blocking() {
                if last.elapsed() >= PRINT_EVERY {
                    last = Instant::now();
                    eprintln!("plateau: swarm: {}", audience(&r));
                }
            }
        }));
        Ok(())
    }

    /// Leaves the swarm; `stats_json` gets the broadcaster's figures.
    pub fn stop(mut self, stats_json: Option<&PathBuf>) -> anyhow::Result<()> {
        self.feed.stop();
        let stats = self.broadcaster.stats();
        self.broadcaster.stop();
        if let Some(r) = self.reporter.take() {
            let _ = r.join();
        }
        match stats_json {
            Some(path) => write_json(path, &stats),
            None => Ok(()),
        }
    }
}

/// The audience in one line: viewers, upload, offload, latency.
pub fn audience(r: &SwarmReport) -> String {
    format!(
        "{} viewers, upload {:.0} kbit/s ({:.2}x the stream), offload {:.0} %, latency {} ms",
        r.viewers,
        r.upload_kbps,
        if r.stream_kbps > 0.0 { r.upload_kbps / r.stream_kbps } else { 0.0 },
        r.offload_percent,
        r.median_latency_ms.map_or("-".into(), |l| l.to_string()),
    )
}

fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(value)?;
    crate::model::write_atomically(path, |f| f.write_all(&json))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Receives once the duration is over or SIGINT/SIGTERM came.
pub fn stop_signal(duration: Option<Duration>) -> anyhow::Result<std::sync::mpsc::Receiver<()>> {
    let (stop, stopped) = std::sync::mpsc::channel();
    let mut signals =
        signal_hook::iterator::Signals::new([signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM])
            .context("could not listen for SIGINT and SIGTERM")?;
    let on_signal = stop.clone();
    std::thread::spawn(move || {
        if signals.forever().next().is_some() {
            let _ = on_signal.send(());
        }
    });
    if let Some(d) = duration {
        std::thread::spawn(move || {
            std::thread::sleep(d);
            let _ = stop.send(());
        });
    }
    Ok(stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_maximum_upload_sizes_the_studio_s_own_viewers_and_relays_must_be_web_addresses() {
        let plan = |max_upload_kbps| SwarmPlan {
            bind: "127.0.0.1:0".parse().unwrap(),
            relays: Vec::new(),
            max_upload_kbps,
            lan: false,
        };
        assert_eq!(plan(0).children(2628), BROADCASTER_CHILDREN);
        assert_eq!(plan(1000).children(2628), 1, "below one stream: still one viewer");
        assert_eq!(plan(6000).children(2628), 2);
        assert_eq!(plan(9000).children(2628), 3);
        assert_eq!(plan(1_000_000).children(100), 32);
        assert!(relay_url(" https://relay.example.org ").is_ok());
        assert!(relay_url("http://10.0.0.2:3340").is_ok());
        for bad in ["relay.example.org", "ftp://relay.example.org", "https://", ""] {
            let e = relay_url(bad).unwrap_err().to_string();
            assert!(e.contains("not a relay server's address"), "{bad}: {e}");
        }
    }
}
