//! A viewer's side of the swarm: asks the tracker for a parent, takes the
//! stream from it, verifies every chunk, hands it to the player and to its
//! own children, and finds another parent when this one goes quiet.
//!
//! ```text
//!  tracker session ──WantParent──> broadcaster ──Parent(P)──┐
//!                                                           ▼
//!  follow(P): Subscribe{from: next seq} ── chunks ──> Verifier ──> Relay (children)
//!        quiet for STALL, or bad chunks ──> exclude P, ask again  └──> on_chunk (player)
//! ```

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iroh::endpoint::Connection;
use iroh::{Endpoint, EndpointAddr, EndpointId, SecretKey};

use super::chat::{self, ChatLine, ChatRefused};
use tokio::sync::mpsc;

use super::chunk::{self, Chunk, Refused, Verifier};
use super::relay::{lock, Relay};
use super::runtime::PeerRuntime;
use super::wire::{self, Answer, Hello, Report, Steer};
use super::{endpoint, now_us, P2pError, PeerOptions, Ticket};

/// A parent that sends no new chunk for this long is left.
const STALL: Duration = Duration::from_millis(500);
/// A parent that says it is alive but has nothing to send (its own parent
/// went quiet, and it is finding another) is waited for this long after
/// its last chunk, rather than STALL: its children and theirs would all
/// leave at once otherwise, while it is back in a few hundred ms.
const HELD_AT_MOST: Duration = Duration::from_millis(1500);
/// Before the first chunk, the show may still be starting.
const FIRST_CHUNK: Duration = Duration::from_secs(5);
/// A parent whose chunks come this much later than the best this viewer
/// has seen, for a second, is left (it cannot carry the stream).
const BEHIND_MS: u64 = 1500;
/// A new parent first sends its last seconds: lateness counts after this.
const CATCH_UP: Duration = Duration::from_secs(3);
/// A parent that sends this many chunks that do not verify is left.
const BAD_CHUNKS: u32 = 16;
/// How long a parent that failed is not asked for again.
const SHUNNED: Duration = Duration::from_secs(10);
const REPORT_EVERY: Duration = Duration::from_millis(500);

/// What a viewer has seen so far.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ViewerStats {
    /// This viewer's node id.
    pub id: Option<EndpointId>,
    /// Chunks verified and played (or ready to be).
    pub received: u64,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// Chunks refused: malformed, forged, modified, foreign or out of window.
    pub rejected: u64,
    /// Chunks that came twice (a replay, or the overlap after a new parent).
    pub duplicates: u64,
    /// From capture at the broadcaster to arrival here, last chunk.
    pub latency_ms: Option<u32>,
    /// The longest wait between two new chunks, after the first.
    pub longest_gap_ms: u64,
    pub parents: u64,
    /// Parents left because they went quiet.
    pub stalls: u64,
    /// Parents left because their chunks fell behind.
    pub behind: u64,
    /// The broadcaster said the show has ended.
    pub ended: bool,
    pub parent: Option<EndpointId>,
    pub children: usize,
    /// The children its upload can carry now (at most `--children`).
    pub slots: usize,
    pub sent_bytes: u64,
    /// Chunks its children's full queues dropped.
    pub dropped: u64,
}

/// Where verified chunks go to be played.
type Player = Box<dyn FnMut(&Chunk) + Send>;

struct Shared {
    ticket: Ticket,
    relay: Arc<Relay>,
    verifier: Mutex<Verifier>,
    stats: Mutex<ViewerStats>,
    last_new: Mutex<Option<Instant>>,
    player: Mutex<Player>,
    playing: std::sync::atomic::AtomicBool,
    parent: Mutex<Option<EndpointId>>,
    /// The smallest (arrival - capture) seen, in µs: the clocks' offset plus
    /// the shortest path; lateness is measured against it.
    best_delay_us: Mutex<Option<i64>>,
    /// The chat the studio published.
    chat: async_channel::Sender<ChatLine>,
    /// When it began to join, and its id as logged: where a slow start
    /// went shows in its debug log.
    joined: Instant,
    me: String,
}

/// A viewer in the swarm. Dropping it leaves the swarm.
pub struct Viewer {
    runtime: PeerRuntime,
    endpoint: Endpoint,
    shared: Arc<Shared>,
    key: SecretKey,
    reports: mpsc::Sender<Report>,
    chat: async_channel::Receiver<ChatLine>,
}

impl Viewer {
    /// Joins the show of `ticket`; `player` gets every verified chunk in
    /// order, from the first one a player can start at.
    pub fn join(
        ticket: &Ticket,
        options: PeerOptions,
        player: impl FnMut(&Chunk) + Send + 'static,
    ) -> Result<Self, P2pError> {
        let joined = Instant::now();
        let runtime = PeerRuntime::new(options.runtime.as_ref())?;
        let key = SecretKey::generate();
        let mut options = options;
        for relay in &ticket.relays {
            if !options.relays.contains(relay) {
                options.relays.push(relay.clone());
            }
        }
        let endpoint = runtime.block_on(endpoint::bind(key.clone(), &options))?;
        let (said, chat) = async_channel::bounded(256);
        let shared = Arc::new(Shared {
            ticket: ticket.clone(),
            relay: Relay::new(ticket.stream, options.children),
            verifier: Mutex::new(Verifier::new(ticket.stream, ticket.broadcaster)),
            stats: Mutex::new(ViewerStats::default()),
            last_new: Mutex::new(None),
            player: Mutex::new(Box::new(player)),
            playing: Default::default(),
            parent: Mutex::new(None),
            best_delay_us: Mutex::new(None),
            chat: said,
            joined,
            me: key.public().fmt_short().to_string(),
        });
        let (reports, outbox) = mpsc::channel(16);
        let (steers, inbox) = mpsc::channel(4);
        let addrs = endpoint::reachable_addrs(&endpoint);
        runtime.spawn(accept(endpoint.clone(), shared.clone()));
        runtime.spawn(Relay::hold_children(Arc::downgrade(&shared.relay)));
        runtime.spawn(tracker_session(endpoint.clone(), shared.clone(), addrs, outbox, steers));
        runtime.spawn(report(shared.clone(), reports.clone()));
        runtime.spawn(follow_parents(endpoint.clone(), shared.clone(), reports.clone(), inbox));
        Ok(Self { runtime, endpoint, shared, key, reports, chat })
    }

    /// The chat as the studio publishes it.
    pub fn chat(&self) -> async_channel::Receiver<ChatLine> {
        self.chat.clone()
    }

    /// Sends a chat message to the studio, signed with this viewer's key.
    pub fn say(&self, name: &str, text: &str) -> Result<(), ChatRefused> {
        let stream = self.shared.ticket.stream;
        let signature = chat::sign(&self.key, stream, name, text);
        chat::check(&self.key.public(), stream, name, text, &signature)?;
        let message = Report::Chat { name: name.to_owned(), text: text.to_owned(), signature };
        self.reports.try_send(message).map_err(|_| ChatRefused::TooFast)
    }

    pub fn id(&self) -> EndpointId {
        self.endpoint.id()
    }

    pub fn stats(&self) -> ViewerStats {
        let mut stats = lock(&self.shared.stats).clone();
        stats.id = Some(self.endpoint.id());
        stats.parent = *lock(&self.shared.parent);
        stats.children = self.shared.relay.children().len();
        stats.slots = self.shared.relay.max_children();
        stats.sent_bytes = self.shared.relay.sent.bytes.load(Ordering::Relaxed);
        stats.dropped = self.shared.relay.sent.dropped.load(Ordering::Relaxed);
        stats
    }

    /// Leaves the swarm cleanly.
    pub fn stop(self) {
        let endpoint = self.endpoint.clone();
        let _ = self
            .runtime
            .block_on(async move { tokio::time::timeout(Duration::from_secs(2), endpoint.close()).await });
    }
}

impl Shared {
    /// Takes one frame from the parent: verified, it is played and passed
    /// on; says how late it came (ms) against the best this viewer has seen.
    fn take(&self, frame: bytes::Bytes) -> Result<u64, Refused> {
        let admitted = lock(&self.verifier).admit(frame);
        let mut stats = lock(&self.stats);
        let chunk = match admitted {
            Ok(chunk) => chunk,
            Err(Refused::Replayed) => {
                stats.duplicates += 1;
                return Err(Refused::Replayed);
            }
            Err(e) => {
                stats.rejected += 1;
                return Err(e);
            }
        };
        let seq = chunk.header.seq;
        stats.received += 1;
        stats.first_seq = Some(stats.first_seq.map_or(seq, |s| s.min(seq)));
        stats.last_seq = Some(stats.last_seq.map_or(seq, |s| s.max(seq)));
        let arrived_us = now_us();
        stats.latency_ms = Some((arrived_us.saturating_sub(chunk.header.capture_us) / 1000) as u32);
        let delay = arrived_us as i64 - chunk.header.capture_us as i64;
        let best = {
            let mut best = lock(&self.best_delay_us);
            *best = Some(best.map_or(delay, |b| b.min(delay)));
            best.unwrap_or(delay)
        };
        let lateness_ms = (delay - best) as u64 / 1000;
        let now = Instant::now();
        if let Some(last) = lock(&self.last_new).replace(now) {
            stats.longest_gap_ms = stats.longest_gap_ms.max(now.duration_since(last).as_millis() as u64);
        }
        if chunk.header.is_end() {
            stats.ended = true;
        }
        drop(stats);
        self.relay.publish(&chunk);
        if chunk.header.is_end() {
            tracing::info!("the broadcaster ended the show");
            return Ok(lateness_ms);
        }
        if chunk.header.is_chat() {
            if let Some(line) = ChatLine::from_bytes(chunk.payload()) {
                let _ = self.chat.force_send(line);
            }
            return Ok(lateness_ms);
        }
        if chunk.header.is_start() {
            if !self.playing.load(Ordering::SeqCst) {
                tracing::debug!(viewer = %self.me, ms = self.since_joining(), "a chunk to start playing from");
            }
            self.playing.store(true, Ordering::SeqCst);
        }
        if self.playing.load(Ordering::SeqCst) {
            (lock(&self.player))(&chunk);
        }
        Ok(lateness_ms)
    }

    /// Milliseconds since this viewer began to join (for its log).
    fn since_joining(&self) -> u64 {
        self.joined.elapsed().as_millis() as u64
    }

    /// The sequence number to ask a new parent for.
    fn next_seq(&self) -> Option<u64> {
        lock(&self.stats).last_seq.map(|s| s + 1)
    }
}

/// Children subscribing to this viewer.
async fn accept(endpoint: Endpoint, shared: Arc<Shared>) {
    while let Some(incoming) = endpoint.accept().await {
        let relay = shared.relay.clone();
        tokio::spawn(async move {
            let Ok(accepting) = incoming.accept() else { return };
            let Ok(connection) = accepting.await else { return };
            while let Ok((send, mut recv)) = connection.accept_bi().await {
                match wire::read_message::<Hello>(&mut recv).await {
                    Ok(Hello::Subscribe { stream, from }) => {
                        tokio::spawn(relay.clone().serve(connection.clone(), stream, from, send, recv));
                    }
                    _ => {
                        connection.close(1u32.into(), b"not here");
                        return;
                    }
                }
            }
        });
    }
}

/// Keeps a session with the tracker open: forwards reports, hands steers back.
async fn tracker_session(
    endpoint: Endpoint,
    shared: Arc<Shared>,
    addrs: Vec<SocketAddr>,
    mut outbox: mpsc::Receiver<Report>,
    steers: mpsc::Sender<Steer>,
) {
    let broadcaster = shared.ticket.endpoint_addr();
    loop {
        match open(&endpoint, broadcaster.clone()).await {
            Ok((connection, mut send, mut recv)) => {
                tracing::debug!(viewer = %shared.me, ms = shared.since_joining(), "reached the studio");
                let join = Hello::Join {
                    stream: shared.ticket.stream,
                    addrs: addrs.clone(),
                    slots: shared.relay.max_children() as u32,
                };
                if wire::send_message(&mut send, &join).await.is_ok() {
                    let steers = steers.clone();
                    let reader = async move {
                        while let Ok(steer) = wire::read_message::<Steer>(&mut recv).await {
                            if steers.send(steer).await.is_err() {
                                return;
                            }
                        }
                    };
                    let writer = async {
                        while let Some(report) = outbox.recv().await {
                            if wire::send_message(&mut send, &report).await.is_err() {
                                return;
                            }
                        }
                    };
                    tokio::select! { _ = reader => {}, _ = writer => {} }
                }
                connection.close(0u32.into(), b"bye");
                tracing::info!("lost the tracker; joining again");
            }
            Err(cause) => tracing::info!(%cause, "cannot reach the broadcaster"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Tells the tracker where this viewer stands, twice a second.
async fn report(shared: Arc<Shared>, reports: mpsc::Sender<Report>) {
    loop {
        shared.relay.adapt();
        let status = Report::Status {
            parent: *lock(&shared.parent),
            children: shared.relay.children(),
            latency_ms: lock(&shared.stats).latency_ms,
            slots: shared.relay.max_children() as u32,
        };
        let _ = reports.try_send(status);
        tokio::time::sleep(REPORT_EVERY).await;
    }
}

/// Asks for a parent, follows it until it fails, and again.
async fn follow_parents(
    endpoint: Endpoint,
    shared: Arc<Shared>,
    reports: mpsc::Sender<Report>,
    mut inbox: mpsc::Receiver<Steer>,
) {
    let mut shunned: Vec<(EndpointId, Instant)> = Vec::new();
    loop {
        shunned.retain(|(_, at)| at.elapsed() < SHUNNED);
        let exclude = shunned.iter().map(|(id, _)| *id).collect();
        if reports.send(Report::WantParent { exclude }).await.is_err() {
            return;
        }
        let steer = match tokio::time::timeout(Duration::from_secs(2), inbox.recv()).await {
            Ok(Some(steer)) => steer,
            Ok(None) => return,
            Err(_) => continue,
        };
        match steer {
            Steer::Parent { id, addrs } => {
                tracing::debug!(viewer = %shared.me, ms = shared.since_joining(), parent = %id.fmt_short(), "given a parent");
                *lock(&shared.parent) = Some(id);
                lock(&shared.stats).parents += 1;
                let outcome =
                    follow(&endpoint, shared.ticket.with_relays(Steer::parent_addr(id, &addrs)), &shared)
                        .await;
                *lock(&shared.parent) = None;
                if let Err(cause) = outcome {
                    tracing::info!(parent = %id.fmt_short(), %cause, "leaving parent");
                    shunned.push((id, Instant::now()));
                }
            }
            Steer::Wait => tokio::time::sleep(Duration::from_millis(200)).await,
            Steer::UnknownStream => {
                tracing::warn!("the broadcaster does not know this show: it has ended");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn open(
    endpoint: &Endpoint,
    addr: EndpointAddr,
) -> Result<(Connection, iroh::endpoint::SendStream, iroh::endpoint::RecvStream), String> {
    let connecting = endpoint.connect(addr, wire::ALPN);
    let connection = tokio::time::timeout(Duration::from_secs(3), connecting)
        .await
        .map_err(|_| "no answer within 3 s".to_string())?
        .map_err(|e| e.to_string())?;
    let_handshake_land(&connection).await;
    let (send, recv) = connection.open_bi().await.map_err(|e| e.to_string())?;
    Ok((connection, send, recv))
}

/// Gives the handshake's last packet a head start on the first message.
///
/// QUIC as iroh 1.4 has it (noq) drops a packet of a connection's data
/// that reaches the other side before the last packet of the handshake (it
/// does not keep it for later), and sends it again only when its loss
/// timer fires, three to four round trips later. The first message follows
/// that packet within a millisecond, so on a path whose jitter reorders
/// packets it was often lost: on the emulated WAN (40 ms, ±5 ms), a third
/// of the viewers' joins reached the studio 80-450 ms late. A quarter of
/// the round trip later (11 ms there, nothing on a LAN) it comes after.
async fn let_handshake_land(connection: &Connection) {
    if let Some(rtt) = connection.rtt(iroh::endpoint::PathId::ZERO) {
        tokio::time::sleep(rtt / 4).await;
    }
}

/// Takes the stream from one parent until it goes quiet or misbehaves.
async fn follow(endpoint: &Endpoint, parent: EndpointAddr, shared: &Shared) -> Result<(), String> {
    let (connection, mut send, mut recv) = open(endpoint, parent).await?;
    let result = async {
        let subscribe = Hello::Subscribe { stream: shared.ticket.stream, from: shared.next_seq() };
        wire::send_message(&mut send, &subscribe).await.map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(Duration::from_secs(2), wire::read_message::<Answer>(&mut recv))
            .await
            .map_err(|_| "no answer".to_string())?
            .map_err(|e| e.to_string())?;
        if answer != Answer::Welcome {
            return Err(format!("{answer:?}"));
        }
        tracing::debug!(viewer = %shared.me, ms = shared.since_joining(), "welcomed by the parent");
        let (mut last_good, mut last_heard) = (Instant::now(), Instant::now());
        let (joined, mut late_since) = (Instant::now(), None::<Instant>);
        let mut bad = 0;
        loop {
            let deadline = match shared.next_seq() {
                Some(_) => (last_heard + STALL).min(last_good + HELD_AT_MOST),
                None => last_good + FIRST_CHUNK,
            };
            let read = wire::read_frame(&mut recv, chunk::MAX_CHUNK);
            let frame = match tokio::time::timeout_at(deadline.into(), read).await {
                Err(_) => {
                    lock(&shared.stats).stalls += 1;
                    return Err(format!("quiet for {} ms", last_good.elapsed().as_millis()));
                }
                Ok(Err(e)) => return Err(e.to_string()),
                Ok(Ok(frame)) => frame,
            };
            if frame.is_empty() {
                last_heard = Instant::now();
                continue;
            }
            match shared.take(frame) {
                Ok(lateness_ms) => {
                    last_good = Instant::now();
                    last_heard = last_good;
                    if lateness_ms < BEHIND_MS || joined.elapsed() < CATCH_UP {
                        late_since = None;
                    } else if late_since.get_or_insert(last_good).elapsed() >= Duration::from_secs(1) {
                        lock(&shared.stats).behind += 1;
                        return Err(format!("{lateness_ms} ms behind"));
                    }
                }
                Err(Refused::Replayed) => {}
                Err(refused) => {
                    bad += 1;
                    tracing::debug!(%refused, "refused a chunk");
                    if bad >= BAD_CHUNKS {
                        return Err(format!("{bad} chunks refused"));
                    }
                }
            }
        }
    }
    .await;
    connection.close(0u32.into(), b"bye");
    result
}
