//! What every peer (the broadcaster too) does with verified chunks: keeps
//! the last few seconds and sends them on to its children, each through a
//! bounded queue of its own that drops the oldest chunk when full.
//!
//! ```text
//!  publish(chunk) ──┬──> recent (last RECENT chunks: a new child starts from here)
//!                   ├──> queue(child A) ──> task ──> QUIC stream to A
//!                   └──> queue(child B) ──> task ──> QUIC stream to B   (B frozen: only B's queue overflows)
//! ```
//!
//! A peer with nothing to pass on for [`HOLD_ON`] (its own parent went
//! quiet, or the program paused) sends its children an empty frame every
//! `HOLD_ON / 2` until chunks come again: "still here, finding the
//! stream", so they wait for it instead of all leaving at once.
//!
//! At every report [`Relay::adapt`] shows [`Uplink`] what each child's
//! connection delivered: when this peer's upload cannot carry a copy to
//! each, the children beyond the places it can carry are let go.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use iroh::endpoint::{Connection, RecvStream, SendStream};
use iroh::EndpointId;
use tokio::sync::Notify;

use super::chunk::Chunk;
use super::uplink::{Sending, Uplink};
use super::wire::{self, Answer};
use super::StreamId;

/// Chunks kept for children that join or come back.
const RECENT: usize = 600;
/// Chunks waiting for one child at most.
const QUEUE: usize = 256;
/// Nothing published for this long: the children are told to hold on.
pub const HOLD_ON: Duration = Duration::from_millis(200);

/// Counters of one peer's sending side.
#[derive(Debug, Default)]
pub struct SendCounters {
    pub bytes: AtomicU64,
    pub chunks: AtomicU64,
    /// Chunks a child's full queue dropped.
    pub dropped: AtomicU64,
}

pub struct Relay {
    stream: StreamId,
    recent: Mutex<VecDeque<Chunk>>,
    children: Mutex<HashMap<EndpointId, Child>>,
    max_children: AtomicUsize,
    uplink: Mutex<Uplink>,
    pub sent: SendCounters,
    /// Bytes of every chunk published, as framed on the wire.
    published: AtomicU64,
    /// What the children's connections put on the wire so far.
    wire: Mutex<WireCount>,
    /// When the last chunk was published.
    last_published: Mutex<Option<Instant>>,
}

/// Bytes QUIC sent to the children, summed over their connections as they
/// come and go (QUIC counts each connection's from its start).
#[derive(Default)]
struct WireCount {
    total: u64,
    /// Each connection's count when last read, by its stable id.
    last: HashMap<usize, u64>,
}

struct Child {
    queue: Arc<Queue>,
    connection: Connection,
}

struct Queue {
    items: Mutex<VecDeque<bytes::Bytes>>,
    ready: Notify,
    closed: AtomicBool,
}

impl Relay {
    pub fn new(stream: StreamId, max_children: usize) -> Arc<Self> {
        Arc::new(Self {
            stream,
            recent: Mutex::new(VecDeque::with_capacity(RECENT)),
            children: Mutex::new(HashMap::new()),
            max_children: AtomicUsize::new(max_children),
            uplink: Mutex::new(Uplink::new(max_children, Instant::now())),
            sent: SendCounters::default(),
            published: AtomicU64::new(0),
            wire: Mutex::default(),
            last_published: Mutex::default(),
        })
    }

    /// Keeps a verified chunk and queues it for every child.
    pub fn publish(&self, chunk: &Chunk) {
        self.published.fetch_add(chunk.bytes().len() as u64 + wire::FRAMING, Ordering::Relaxed);
        *lock(&self.last_published) = Some(Instant::now());
        {
            let mut recent = lock(&self.recent);
            if recent.len() == RECENT {
                recent.pop_front();
            }
            recent.push_back(chunk.clone());
        }
        for child in lock(&self.children).values() {
            child.queue.push(chunk.bytes().clone(), &self.sent.dropped);
        }
    }

    /// While `relay` has published nothing for [`HOLD_ON`], tells each of
    /// its children with nothing else waiting that it is still there (an
    /// empty frame), every `HOLD_ON / 2`. Ends with the relay.
    pub async fn hold_children(relay: Weak<Relay>) {
        loop {
            tokio::time::sleep(HOLD_ON / 2).await;
            let Some(relay) = relay.upgrade() else { return };
            let quiet = lock(&relay.last_published).is_some_and(|at| at.elapsed() >= HOLD_ON);
            if quiet {
                for child in lock(&relay.children).values() {
                    child.queue.hold_on();
                }
            }
        }
    }

    /// Bytes this peer's upload carried to its children so far, as QUIC
    /// put them on the wire (headers and packets sent again included): not
    /// what was written into QUIC's buffers, which a child's backlog fills
    /// at once when it comes (a second of 3.8 times a slow uplink's rate).
    /// A connection's last bytes before it closed since the previous call
    /// are not counted.
    pub fn wire_bytes(&self) -> u64 {
        let counts: Vec<(usize, u64)> = lock(&self.children)
            .values()
            .map(|c| (c.connection.stable_id(), c.connection.stats().sent_bytes))
            .collect();
        let mut wire = lock(&self.wire);
        let mut last = HashMap::with_capacity(counts.len());
        for (id, sent) in counts {
            wire.total += sent.saturating_sub(wire.last.get(&id).copied().unwrap_or(0));
            last.insert(id, sent);
        }
        wire.last = last;
        wire.total
    }

    /// One copy of the stream on the wire, so far.
    pub fn published_bytes(&self) -> u64 {
        self.published.load(Ordering::Relaxed)
    }

    pub fn stream(&self) -> StreamId {
        self.stream
    }

    pub fn children(&self) -> Vec<EndpointId> {
        lock(&self.children).keys().copied().collect()
    }

    pub fn max_children(&self) -> usize {
        self.max_children.load(Ordering::Relaxed)
    }

    /// Learns what this peer's upload carries from what reaches its
    /// children (at every report): fewer places when it cannot deliver a
    /// copy to each, one more after a long calm; children beyond the
    /// places are let go, those that got least first (they find another
    /// parent).
    pub fn adapt(&self) {
        let mut children = lock(&self.children);
        let delivered = children
            .iter()
            .map(|(id, child)| {
                let stats = child.connection.stats();
                (*id, stats.sent_bytes.saturating_sub(stats.lost_bytes))
            })
            .collect();
        let sending = Sending { delivered, published: self.published_bytes(), now: Instant::now() };
        let Some(change) = lock(&self.uplink).tick(&sending) else { return };
        let before = self.max_children.swap(change.places, Ordering::Relaxed);
        tracing::info!(
            places = change.places,
            before,
            copies = format!("{:.2}", change.copies),
            children = children.len(),
            "the uplink's places changed"
        );
        for id in change.let_go {
            if let Some(child) = children.remove(&id) {
                child.queue.close();
                tracing::info!(child = %id.fmt_short(), "child let go: the uplink cannot carry it");
            }
        }
    }

    /// Serves one child that subscribed, until it leaves or fails.
    pub async fn serve(
        self: Arc<Self>,
        connection: Connection,
        stream: StreamId,
        from: Option<u64>,
        mut send: SendStream,
        recv: RecvStream,
    ) {
        let child = connection.remote_id();
        if stream != self.stream {
            let _ = wire::send_message(&mut send, &Answer::UnknownStream).await;
            return;
        }
        let queue = {
            let mut children = lock(&self.children);
            if children.len() >= self.max_children() && !children.contains_key(&child) {
                None
            } else {
                let queue = Arc::new(Queue::new(self.backlog(from)));
                if let Some(old) = children.insert(child, Child { queue: queue.clone(), connection }) {
                    old.queue.close();
                }
                Some(queue)
            }
        };
        let Some(queue) = queue else {
            let _ = wire::send_message(&mut send, &Answer::Full).await;
            return;
        };
        tracing::debug!(child = %child.fmt_short(), "child joined");
        if wire::send_message(&mut send, &Answer::Welcome).await.is_ok() {
            tokio::select! {
                _ = self.pump(&queue, &mut send) => {}
                _ = wait_closed(recv) => {}
            }
        }
        let mut children = lock(&self.children);
        if children.get(&child).is_some_and(|c| Arc::ptr_eq(&c.queue, &queue)) {
            children.remove(&child);
            // It left on its own (this peer did not let it go).
            if let Some(change) = lock(&self.uplink).child_left(Instant::now()) {
                self.max_children.store(change.places, Ordering::Relaxed);
                tracing::info!(
                    places = change.places,
                    copies = format!("{:.2}", change.copies),
                    "a child left an uplink that was short: fewer places"
                );
            }
        }
        tracing::debug!(child = %child.fmt_short(), "child left");
    }

    /// The chunks a new child starts with: from `from` on, or from the
    /// last point a player can start at.
    fn backlog(&self, from: Option<u64>) -> VecDeque<bytes::Bytes> {
        let recent = lock(&self.recent);
        let start = match from {
            Some(from) => recent.iter().position(|c| c.header.seq >= from).unwrap_or(recent.len()),
            None => recent.iter().rposition(|c| c.header.is_start()).unwrap_or(recent.len()),
        };
        // No more than a queue's worth: the newest of them.
        let start = start.max(recent.len().saturating_sub(QUEUE));
        recent.iter().skip(start).map(|c| c.bytes().clone()).collect()
    }

    async fn pump(&self, queue: &Queue, send: &mut SendStream) {
        loop {
            let next = lock(&queue.items).pop_front();
            match next {
                Some(bytes) => {
                    if wire::write_frame(send, &bytes).await.is_err() {
                        return;
                    }
                    self.sent.bytes.fetch_add(bytes.len() as u64 + wire::FRAMING, Ordering::Relaxed);
                    if !bytes.is_empty() {
                        self.sent.chunks.fetch_add(1, Ordering::Relaxed);
                    }
                }
                None if queue.closed.load(Ordering::SeqCst) => return,
                None => queue.ready.notified().await,
            }
        }
    }
}

impl Queue {
    fn new(backlog: VecDeque<bytes::Bytes>) -> Self {
        Self { items: Mutex::new(backlog), ready: Notify::new(), closed: AtomicBool::new(false) }
    }

    fn push(&self, bytes: bytes::Bytes, dropped: &AtomicU64) {
        let mut items = lock(&self.items);
        if items.len() >= QUEUE {
            items.pop_front();
            dropped.fetch_add(1, Ordering::Relaxed);
        }
        items.push_back(bytes);
        drop(items);
        self.ready.notify_one();
    }

    /// Queues an empty frame ("hold on") unless something else waits: a
    /// child with chunks coming needs none, and it must not push one out.
    fn hold_on(&self) {
        let mut items = lock(&self.items);
        if items.is_empty() {
            items.push_back(bytes::Bytes::new());
            drop(items);
            self.ready.notify_one();
        }
    }

    /// Ends this queue: what it held is not sent.
    fn close(&self) {
        lock(&self.items).clear();
        self.closed.store(true, Ordering::SeqCst);
        self.ready.notify_one();
    }
}

/// Returns when the child closes its side, or sends anything at all: after
/// its subscription a child has nothing more to say.
async fn wait_closed(mut recv: RecvStream) {
    let mut sink = [0u8; 64];
    if let Ok(Some(n)) = recv.read(&mut sink).await {
        tracing::debug!(bytes = n, "a child spoke out of turn; dropping it");
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
