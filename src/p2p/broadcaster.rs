//! The studio's side of the swarm: signs the program's pieces, sends each
//! to a couple of viewers, and steers the rest of the audience.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iroh::endpoint::Connection;
use iroh::{Endpoint, SecretKey};

use super::chat::{self, ChatLine, ChatMessage};
use super::chunk::{self, Chunk, Header};
use super::relay::{lock, Relay};
use super::runtime::PeerRuntime;
use super::tracker::Tracker;
use super::wire::{self, Hello, Report, Steer};
use super::{endpoint, now_us, P2pError, PeerOptions, StreamId, Ticket};

/// How many viewers the broadcaster sends the stream to itself, unless
/// told otherwise (its upload is then about twice the stream).
pub const BROADCASTER_CHILDREN: usize = 2;

/// A snapshot of the swarm, as the broadcaster sees it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct BroadcasterStats {
    pub viewers: usize,
    /// What the broadcaster sent to peers since it started.
    pub sent_bytes: u64,
    /// One copy of the stream on the wire (chunks with their headers and
    /// signatures) since it started: what each viewer receives.
    pub stream_bytes: u64,
    pub chunks: u64,
    /// Chunks that a child's full queue dropped.
    pub dropped: u64,
    pub median_latency_ms: Option<u32>,
}

/// What the studio shows of its audience, every [`REPORT_EVERY`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SwarmReport {
    pub viewers: usize,
    /// What the broadcaster's upload carried to its children over the last
    /// period, as QUIC put it on the wire (its headers and packets sent
    /// again included).
    pub upload_kbps: f64,
    /// What the program's stream carries, over the last period.
    pub stream_kbps: f64,
    /// The share of what the audience received that other viewers sent.
    pub offload_percent: f64,
    pub median_latency_ms: Option<u32>,
}

/// How long the last chunk is given to reach the audience before the
/// broadcaster leaves.
const END_SPREADS: Duration = Duration::from_millis(700);

/// A viewer's tracker messages (its status every half second, a parent
/// asked for now and then): this many at once, then one every
/// `REPORT_REFILL`; those over it are not read, and a peer more than
/// `REPORT_FLOOD` over it is disconnected (each asks the tracker to work).
const REPORT_BURST: f64 = 20.0;
const REPORT_REFILL: Duration = Duration::from_millis(50);
const REPORT_FLOOD: u32 = 200;

/// How often a [`SwarmReport`] comes.
pub const REPORT_EVERY: Duration = Duration::from_secs(1);

/// A live show on the swarm. Dropping it leaves the swarm.
pub struct Broadcaster {
    runtime: PeerRuntime,
    endpoint: Endpoint,
    key: SecretKey,
    ticket: Ticket,
    relay: Arc<Relay>,
    tracker: Arc<Mutex<Tracker>>,
    cutter: Mutex<Cutter>,
    reports: async_channel::Receiver<SwarmReport>,
    /// The newest report, for whoever asks rather than listens.
    latest: Arc<Mutex<Option<SwarmReport>>>,
    chat: async_channel::Receiver<ChatMessage>,
}

struct Cutter {
    seq: u64,
}

impl Broadcaster {
    /// Opens the endpoint and waits for viewers; it sends the stream to
    /// `options.children` of them itself.
    pub fn start(options: PeerOptions) -> Result<Self, P2pError> {
        let runtime = PeerRuntime::new(options.runtime.as_ref())?;
        let key = SecretKey::generate();
        let endpoint = runtime.block_on(endpoint::bind(key.clone(), &options))?;
        let stream = StreamId::random();
        let addrs = endpoint::reachable_addrs(&endpoint);
        let ticket =
            Ticket { broadcaster: key.public(), stream, addrs: addrs.clone(), relays: options.relays };
        let relay = Relay::new(stream, options.children.max(1));
        let tracker = Arc::new(Mutex::new(Tracker::new(key.public(), addrs)));
        let (said, chat) = async_channel::bounded(256);
        runtime.spawn(accept(endpoint.clone(), relay.clone(), tracker.clone(), said));
        runtime.spawn(Relay::hold_children(Arc::downgrade(&relay)));
        tracing::info!(ticket = %ticket, "live on the swarm");
        let cutter = Mutex::new(Cutter { seq: 0 });
        let (outbox, reports) = async_channel::bounded(8);
        let latest = Arc::new(Mutex::new(None));
        let newest = latest.clone();
        let broadcaster =
            Self { runtime, endpoint, key, ticket, relay, tracker, cutter, reports, latest, chat };
        let (relay, tracker) = (broadcaster.relay.clone(), broadcaster.tracker.clone());
        broadcaster.runtime.spawn(async move {
            let mut last = (0u64, 0u64, Instant::now());
            loop {
                tokio::time::sleep(REPORT_EVERY).await;
                let sent = relay.wire_bytes();
                let stream = relay.published_bytes();
                let seconds = last.2.elapsed().as_secs_f64().max(1e-3);
                let (sent_now, stream_now) = ((sent - last.0) as f64, (stream - last.1) as f64);
                last = (sent, stream, Instant::now());
                let (viewers, median_latency_ms) = {
                    let tracker = lock(&tracker);
                    (tracker.viewers(), tracker.median_latency_ms())
                };
                let received = stream_now * viewers as f64;
                let offload_percent =
                    if received > 0.0 { 100.0 * (1.0 - sent_now / received).max(0.0) } else { 0.0 };
                let report = SwarmReport {
                    viewers,
                    upload_kbps: sent_now * 8.0 / 1e3 / seconds,
                    stream_kbps: stream_now * 8.0 / 1e3 / seconds,
                    offload_percent,
                    median_latency_ms,
                };
                *lock(&newest) = Some(report.clone());
                // The newest report replaces the oldest one nobody read.
                let _ = outbox.force_send(report);
            }
        });
        Ok(broadcaster)
    }

    /// The swarm's figures, every [`REPORT_EVERY`] (for the window, the
    /// remote API, the command line). Reports nobody reads are dropped.
    pub fn reports(&self) -> async_channel::Receiver<SwarmReport> {
        self.reports.clone()
    }

    /// The newest report, if one came yet.
    pub fn latest_report(&self) -> Option<SwarmReport> {
        lock(&self.latest).clone()
    }

    /// The audience's chat messages, checked (signature, lengths, rate):
    /// for the studio to show and, if it will, to `publish_chat`.
    pub fn chat(&self) -> async_channel::Receiver<ChatMessage> {
        self.chat.clone()
    }

    /// Sends a chat message to the whole audience, signed like the stream.
    pub fn publish_chat(&self, message: &ChatMessage) {
        let line = ChatLine { from: message.from, name: message.name.clone(), text: message.text.clone() };
        let mut cutter = lock(&self.cutter);
        let header =
            Header { stream: self.ticket.stream, seq: cutter.seq, capture_us: now_us(), flags: chunk::CHAT };
        cutter.seq += 1;
        drop(cutter);
        self.relay.publish(&Chunk::sign(&self.key, header, &line.to_bytes()));
    }

    pub fn ticket(&self) -> &Ticket {
        &self.ticket
    }

    /// Signs a piece of the program, captured `age` ago, and sends it out; a
    /// piece larger than a chunk is cut in several (only the first can be a
    /// start).
    pub fn publish(&self, bytes: &[u8], starts: bool, age: Duration) {
        let capture_us = now_us().saturating_sub(age.as_micros() as u64);
        let mut cutter = lock(&self.cutter);
        for (n, part) in bytes.chunks(chunk::MAX_PAYLOAD).enumerate() {
            let flags = if starts && n == 0 { chunk::START } else { 0 };
            let header = Header { stream: self.ticket.stream, seq: cutter.seq, capture_us, flags };
            cutter.seq += 1;
            self.relay.publish(&Chunk::sign(&self.key, header, part));
        }
    }

    pub fn stats(&self) -> BroadcasterStats {
        let tracker = lock(&self.tracker);
        let cutter = lock(&self.cutter);
        BroadcasterStats {
            viewers: tracker.viewers(),
            sent_bytes: self.relay.sent.bytes.load(Ordering::Relaxed),
            stream_bytes: self.relay.published_bytes(),
            chunks: cutter.seq,
            dropped: self.relay.sent.dropped.load(Ordering::Relaxed),
            median_latency_ms: tracker.median_latency_ms(),
        }
    }

    /// Tells the audience the show has ended (a signed last chunk, passed
    /// on like the others), gives it a moment to spread, and leaves the
    /// swarm cleanly.
    pub fn stop(&self) {
        let mut cutter = lock(&self.cutter);
        let header =
            Header { stream: self.ticket.stream, seq: cutter.seq, capture_us: now_us(), flags: chunk::END };
        cutter.seq += 1;
        drop(cutter);
        self.relay.publish(&Chunk::sign(&self.key, header, &[]));
        std::thread::sleep(END_SPREADS);
        self.reports.close();
        let endpoint = self.endpoint.clone();
        let _ = self.runtime.block_on(async move {
            tokio::time::timeout(std::time::Duration::from_secs(2), endpoint.close()).await
        });
    }
}

async fn accept(
    endpoint: Endpoint,
    relay: Arc<Relay>,
    tracker: Arc<Mutex<Tracker>>,
    said: async_channel::Sender<ChatMessage>,
) {
    while let Some(incoming) = endpoint.accept().await {
        let (relay, tracker, said) = (relay.clone(), tracker.clone(), said.clone());
        tokio::spawn(async move {
            let Ok(accepting) = incoming.accept() else { return };
            let Ok(connection) = accepting.await else { return };
            serve(connection, relay, tracker, said).await;
        });
    }
}

/// One viewer's connection: a tracker session, data subscriptions, or both.
async fn serve(
    connection: Connection,
    relay: Arc<Relay>,
    tracker: Arc<Mutex<Tracker>>,
    said: async_channel::Sender<ChatMessage>,
) {
    let peer = connection.remote_id();
    while let Ok((mut send, mut recv)) = connection.accept_bi().await {
        let Ok(hello) = wire::read_message::<Hello>(&mut recv).await else {
            tracing::debug!(peer = %peer.fmt_short(), "garbled hello");
            connection.close(1u32.into(), b"garbled");
            return;
        };
        match hello {
            Hello::Subscribe { stream, from } => {
                tokio::spawn(relay.clone().serve(connection.clone(), stream, from, send, recv));
            }
            Hello::Join { stream, addrs, slots } => {
                if stream != relay.stream() {
                    let _ = wire::send_message(&mut send, &Steer::UnknownStream).await;
                    continue;
                }
                lock(&tracker).join(peer, addrs, slots.min(64) as usize);
                let (relay, tracker, said) = (relay.clone(), tracker.clone(), said.clone());
                let connection = connection.clone();
                tokio::spawn(async move {
                    let mut rate = chat::Rate::default();
                    let mut reports = chat::Rate::new(REPORT_BURST, REPORT_REFILL);
                    while let Ok(report) = wire::read_message::<Report>(&mut recv).await {
                        let is_chat = matches!(report, Report::Chat { .. });
                        if !is_chat && reports.take().is_err() {
                            // Over its rate: not read. A peer far over it floods.
                            if reports.over > REPORT_FLOOD {
                                tracing::info!(peer = %peer.fmt_short(), "a peer floods the tracker: disconnected");
                                connection.close(2u32.into(), b"flood");
                                break;
                            }
                            continue;
                        }
                        let answer = match report {
                            Report::Status { parent, children, latency_ms, slots } => {
                                lock(&tracker).report(
                                    peer,
                                    parent,
                                    children,
                                    latency_ms,
                                    slots.min(64) as usize,
                                );
                                None
                            }
                            Report::WantParent { exclude } => {
                                let mine = relay.children();
                                Some(lock(&tracker).steer(peer, &exclude, &mine, relay.max_children()))
                            }
                            Report::Chat { name, text, signature } => {
                                let taken = chat::check(&peer, stream, &name, &text, &signature)
                                    .and_then(|()| rate.take());
                                match taken {
                                    Ok(()) => {
                                        let message = ChatMessage { from: peer, name, text };
                                        let _ = said.force_send(message);
                                    }
                                    Err(e) => {
                                        tracing::debug!(peer = %peer.fmt_short(), %e, "chat message refused")
                                    }
                                }
                                if rate.over > chat::FLOOD {
                                    tracing::info!(peer = %peer.fmt_short(), "a peer floods the chat: disconnected");
                                    connection.close(2u32.into(), b"flood");
                                    break;
                                }
                                None
                            }
                        };
                        if let Some(answer) = answer {
                            if wire::send_message(&mut send, &answer).await.is_err() {
                                break;
                            }
                        }
                    }
                    lock(&tracker).leave(&peer);
                });
            }
        }
    }
}
