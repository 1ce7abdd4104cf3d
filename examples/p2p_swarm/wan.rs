//! An emulated wide-area network for the swarm benchmark, in process
//! (this kernel has no netem): every endpoint gets an iroh custom
//! transport whose packets wait for their sender's uplink (a rate, and a
//! queue that drops at its tail when full), then a one-way delay with
//! jitter, and are lost at random.
//!
//! ```text
//!  endpoint A ──poll_send──> uplink(A): rate, tail-drop queue ──> loss ──> delay ± jitter ──> inbox(B) ──poll_recv──> endpoint B
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io;
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use iroh::address_lookup::MemoryLookup;
use iroh::endpoint::transports::{CustomEndpoint, CustomSender, CustomTransport, RecvInfo, Transmit};
use iroh::{EndpointAddr, EndpointId, TransportAddr};
use iroh_base::CustomAddr;
use tokio::sync::mpsc;

/// This transport's id among iroh's custom transports (any unused number).
const WAN_ID: u64 = 0x504c; // "PL"

/// How the network behaves.
#[derive(Debug, Clone, Copy)]
pub struct Conditions {
    /// One way: half the round trip.
    pub delay: Duration,
    /// Each packet's delay varies by up to this much either way.
    pub jitter: Duration,
    /// Share of packets lost, 0 to 1.
    pub loss: f64,
    /// How long a packet may wait for its sender's uplink before it is dropped.
    pub queue: Duration,
}

/// An endpoint's id as bytes: reading them back into a key would cost a
/// curve point decompression per packet (15 % of the 100-viewer run's CPU).
type Id = [u8; 32];

struct Packet {
    from: CustomAddr,
    to: Id,
    data: Bytes,
}

struct Node {
    inbox: mpsc::UnboundedSender<(CustomAddr, Bytes)>,
    uplink_bps: f64,
    /// When the uplink is free again.
    free_at: Instant,
}

struct State {
    nodes: HashMap<Id, Node>,
    /// Packets in flight, by arrival time.
    flying: BinaryHeap<Reverse<(Instant, u64)>>,
    packets: HashMap<u64, Packet>,
    next: u64,
    dropped: u64,
    sent: u64,
}

/// The network every emulated endpoint is on.
#[derive(Clone)]
pub struct Wan {
    conditions: Conditions,
    state: Arc<(Mutex<State>, Condvar)>,
    lookup: MemoryLookup,
}

impl Wan {
    pub fn new(conditions: Conditions) -> Self {
        let state = Arc::new((
            Mutex::new(State {
                nodes: HashMap::new(),
                flying: BinaryHeap::new(),
                packets: HashMap::new(),
                next: 0,
                dropped: 0,
                sent: 0,
            }),
            Condvar::new(),
        ));
        let deliverer = state.clone();
        std::thread::Builder::new().name("wan".into()).spawn(move || deliver(&deliverer)).expect("a thread");
        Self { conditions, state, lookup: MemoryLookup::new() }
    }

    /// Adds endpoint `id` with an uplink of `uplink_bps`; returns what the
    /// endpoint's builder needs.
    pub fn attach(
        &self,
        builder: iroh::endpoint::Builder,
        id: EndpointId,
        uplink_bps: f64,
    ) -> iroh::endpoint::Builder {
        let (inbox, outbox) = mpsc::unbounded_channel();
        let addr = custom_addr(id);
        lock(&self.state.0).nodes.insert(*id.as_bytes(), Node { inbox, uplink_bps, free_at: Instant::now() });
        self.lookup.add_endpoint_info(EndpointAddr::from_parts(id, [TransportAddr::Custom(addr.clone())]));
        let transport = Arc::new(Transport { wan: self.clone(), addr, inbox: Arc::new(Mutex::new(outbox)) });
        builder.add_custom_transport(transport).address_lookup(self.lookup.clone())
    }

    /// Packets sent, and those the uplink queues or the loss dropped.
    pub fn counts(&self) -> (u64, u64) {
        let state = lock(&self.state.0);
        (state.sent, state.dropped)
    }

    fn send(&self, from: &CustomAddr, to: Id, data: Bytes) {
        let sender = endpoint_of(from);
        let now = Instant::now();
        let (state, wake) = &*self.state;
        let mut state = lock(state);
        state.sent += 1;
        let Some(node) = sender.and_then(|s| state.nodes.get_mut(&s)) else { return };
        let start = node.free_at.max(now);
        if start.duration_since(now) > self.conditions.queue {
            state.dropped += 1;
            return;
        }
        let done = start + Duration::from_secs_f64(data.len() as f64 * 8.0 / node.uplink_bps);
        node.free_at = done;
        if rand::random::<f64>() < self.conditions.loss {
            state.dropped += 1;
            return;
        }
        let jitter = self.conditions.jitter.as_secs_f64() * (2.0 * rand::random::<f64>() - 1.0);
        let arrival = done + Duration::from_secs_f64((self.conditions.delay.as_secs_f64() + jitter).max(0.0));
        let n = state.next;
        state.next += 1;
        state.packets.insert(n, Packet { from: from.clone(), to, data });
        // The deliverer sleeps until the earliest arrival: wake it only
        // when this packet comes before that one.
        let sooner = state.flying.peek().is_none_or(|Reverse((first, _))| arrival < *first);
        state.flying.push(Reverse((arrival, n)));
        if sooner {
            wake.notify_one();
        }
    }
}

/// Hands packets over when they arrive.
fn deliver(state: &(Mutex<State>, Condvar)) {
    let (state, wake) = state;
    let mut guard = lock(state);
    loop {
        let now = Instant::now();
        while let Some(Reverse((at, n))) = guard.flying.peek().copied() {
            if at > now {
                break;
            }
            guard.flying.pop();
            if let Some(p) = guard.packets.remove(&n) {
                if let Some(node) = guard.nodes.get(&p.to) {
                    let _ = node.inbox.send((p.from, p.data));
                }
            }
        }
        let wait = guard
            .flying
            .peek()
            .map_or(Duration::from_millis(50), |Reverse((at, _))| at.saturating_duration_since(now));
        guard = wake.wait_timeout(guard, wait).unwrap_or_else(|e| e.into_inner()).0;
    }
}

fn custom_addr(id: EndpointId) -> CustomAddr {
    CustomAddr::from_parts(WAN_ID, id.as_bytes())
}

fn endpoint_of(addr: &CustomAddr) -> Option<Id> {
    let bytes: Id = addr.data().try_into().ok()?;
    (addr.id() == WAN_ID).then_some(bytes)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Transport {
    wan: Wan,
    addr: CustomAddr,
    inbox: Arc<Mutex<mpsc::UnboundedReceiver<(CustomAddr, Bytes)>>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WanTransport")
    }
}

impl CustomTransport for Transport {
    fn bind(&self) -> io::Result<Box<dyn CustomEndpoint>> {
        Ok(Box::new(Bound {
            wan: self.wan.clone(),
            addr: self.addr.clone(),
            addrs: n0_watcher::Watchable::new(vec![self.addr.clone()]),
            inbox: self.inbox.clone(),
        }))
    }
}

struct Bound {
    wan: Wan,
    addr: CustomAddr,
    addrs: n0_watcher::Watchable<Vec<CustomAddr>>,
    inbox: Arc<Mutex<mpsc::UnboundedReceiver<(CustomAddr, Bytes)>>>,
}

impl std::fmt::Debug for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WanEndpoint")
    }
}

impl CustomEndpoint for Bound {
    fn watch_local_addrs(&self) -> n0_watcher::Direct<Vec<CustomAddr>> {
        self.addrs.watch()
    }

    fn create_sender(&self) -> Arc<dyn CustomSender> {
        Arc::new(Sender { wan: self.wan.clone(), addr: self.addr.clone() })
    }

    fn poll_recv(
        &mut self,
        cx: &mut Context,
        bufs: &mut [io::IoSliceMut<'_>],
        metas: &mut [noq_udp::RecvMeta],
        recv_infos: &mut [RecvInfo],
    ) -> Poll<io::Result<usize>> {
        let mut inbox = lock(&self.inbox);
        let mut filled = 0;
        while filled < bufs.len() {
            match inbox.poll_recv(cx) {
                Poll::Ready(Some((from, data))) => {
                    if bufs[filled].len() < data.len() {
                        continue;
                    }
                    bufs[filled][..data.len()].copy_from_slice(&data);
                    metas[filled].len = data.len();
                    metas[filled].stride = data.len();
                    recv_infos[filled] = RecvInfo::new(from, Some(self.addr.clone()));
                    filled += 1;
                }
                Poll::Ready(None) => return Poll::Ready(Err(io::Error::other("the network is gone"))),
                Poll::Pending => break,
            }
        }
        if filled > 0 {
            Poll::Ready(Ok(filled))
        } else {
            Poll::Pending
        }
    }
}

#[derive(Debug)]
struct Sender {
    wan: Wan,
    addr: CustomAddr,
}

impl std::fmt::Debug for Wan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wan")
    }
}

impl CustomSender for Sender {
    fn is_valid_send_addr(&self, addr: &CustomAddr) -> bool {
        addr.id() == WAN_ID
    }

    fn poll_send(
        &self,
        _cx: &mut Context,
        dst: &CustomAddr,
        _src: Option<&CustomAddr>,
        transmit: &Transmit<'_>,
    ) -> Poll<io::Result<()>> {
        let Some(to) = endpoint_of(dst) else {
            return Poll::Ready(Err(io::Error::other("not a WAN address")));
        };
        let size = transmit.segment_size.unwrap_or(transmit.contents.len()).max(1);
        for datagram in transmit.contents.chunks(size) {
            self.wan.send(&self.addr, to, Bytes::copy_from_slice(datagram));
        }
        Poll::Ready(Ok(()))
    }
}
