//! Peer-to-peer live: the audience carries the stream.
//!
//! ```text
//!                 TsFeed pieces
//!                      │ sign (ed25519, the broadcaster's iroh key)
//!                      ▼
//!               ┌─────────────┐  tracker: who takes the stream from whom
//!               │ Broadcaster │◄──────────────────────────────┐
//!               └──┬───────┬──┘                               │
//!         chunks   │       │   (2 children: upload ≈ 2x)      │ Join / Report / WantParent
//!                  ▼       ▼                                  │
//!               viewer   viewer ──► viewer ──► viewer ...  ───┘
//!               verify, keep, forward to its own children (bounded queues)
//! ```
//!
//! Everything travels over one iroh endpoint per peer (QUIC, dialled by
//! public key) on Plateau's ALPN ([`wire::ALPN`]). Every chunk is verified
//! before it is played or passed on ([`chunk::Verifier`]); every child has
//! its own bounded queue that drops the oldest, so a slow peer slows
//! nobody else; a child whose parent goes quiet asks the tracker for
//! another one and takes the stream up where it left it.

mod broadcaster;
pub mod chat;
pub mod chunk;
mod endpoint;
mod relay;
mod runtime;
mod ticket;
mod tracker;
mod uplink;
mod viewer;
pub mod wire;

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

pub use broadcaster::{Broadcaster, BroadcasterStats, SwarmReport, BROADCASTER_CHILDREN, REPORT_EVERY};
pub use chat::{ChatLine, ChatMessage};
pub use chunk::{Chunk, Refused};
pub use ticket::{Ticket, TicketError};
pub use viewer::{Viewer, ViewerStats};

/// Names one live show; fresh at every Go Live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StreamId(pub [u8; 16]);

impl StreamId {
    pub fn random() -> Self {
        Self(rand::random())
    }
}

/// How a peer takes part in the swarm.
#[derive(Debug, Clone)]
pub struct PeerOptions {
    /// The UDP address to listen on (`127.0.0.1:0` in tests).
    pub bind: SocketAddr,
    /// How many peers this one sends the stream to at most.
    pub children: usize,
    /// Relay servers to be reachable through when a direct path fails
    /// (none: direct addresses only). A viewer adds the ticket's.
    pub relays: Vec<iroh::RelayUrl>,
    /// Another network than UDP: the endpoint is built without IP
    /// transports and handed to this (benchmarks emulate a WAN this way).
    pub network: Option<Network>,
    /// Announce this peer on the local network and find others there
    /// (mDNS): a show on a LAN without internet keeps working when the
    /// ticket's addresses are out of date or missing. Off by default: it
    /// speaks on every interface.
    pub lan: bool,
    /// Run on this runtime instead of one of the peer's own: for a process
    /// that runs many peers (benchmarks). The peer's own tasks end when it
    /// goes; those serving a connection, when `stop` has closed it.
    pub runtime: Option<tokio::runtime::Handle>,
}

impl Default for PeerOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            children: 4,
            relays: Vec::new(),
            network: None,
            lan: false,
            runtime: None,
        }
    }
}

/// Adds a transport (and how peers are found on it) to an endpoint of the
/// given id.
#[derive(Clone)]
pub struct Network(
    pub  std::sync::Arc<
        dyn Fn(iroh::endpoint::Builder, iroh::EndpointId) -> iroh::endpoint::Builder + Send + Sync,
    >,
);

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Network(..)")
    }
}

/// Why the swarm could not start.
#[derive(Debug, thiserror::Error)]
pub enum P2pError {
    #[error("could not open the network endpoint on {addr}: {cause}")]
    Bind { addr: SocketAddr, cause: String },
    #[error("could not start the network runtime: {0}")]
    Runtime(String),
}

/// Microseconds since the Unix epoch, now.
pub(crate) fn now_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}
