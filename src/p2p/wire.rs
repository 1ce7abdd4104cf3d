//! Framing and the small control messages peers exchange over Plateau's
//! ALPN, beside the chunks themselves.
//!
//! ```text
//!  every frame: length u32 BE | bytes (postcard message, or a chunk)
//!
//!  viewer ──Hello::Join──────────> broadcaster   (tracker session, kept open)
//!         <─Steer::Parent(peer)───
//!         ──Report / WantParent──>   (every half second / when a parent fails)
//!
//!  child ──Hello::Subscribe{from}─> parent        (data session)
//!        <─Answer::Welcome | Full──
//!        <─chunk, chunk, chunk…────
//! ```

use std::net::SocketAddr;

use iroh::endpoint::{RecvStream, SendStream};
use iroh::{EndpointAddr, EndpointId};
use serde::{Deserialize, Serialize};

use super::StreamId;

/// Plateau's protocol on the iroh endpoint.
pub const ALPN: &[u8] = b"plateau/swarm/1";
/// Bytes a frame adds to what it carries (its length).
pub const FRAMING: u64 = 4;
/// The largest control message.
pub const MAX_MESSAGE: usize = 16 * 1024;

/// The first message on a new stream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Hello {
    /// To the broadcaster: "I watch; tell me whom to take the stream from".
    Join { stream: StreamId, addrs: Vec<SocketAddr>, slots: u32 },
    /// To a parent: "send me the stream from this sequence number on".
    Subscribe { stream: StreamId, from: Option<u64> },
}

/// The parent's answer to a subscription.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Answer {
    Welcome,
    Full,
    UnknownStream,
}

/// A viewer's news for the tracker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Report {
    /// Where it stands, every half second.
    /// `slots`: the children its upload can carry now.
    Status { parent: Option<EndpointId>, children: Vec<EndpointId>, latency_ms: Option<u32>, slots: u32 },
    /// Its parent failed it (or it has none): give it another, not these.
    WantParent { exclude: Vec<EndpointId> },
    /// A chat message, signed by the viewer's node key (see `chat`).
    Chat { name: String, text: String, signature: Vec<u8> },
}

/// The tracker's word to a viewer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum Steer {
    /// Take the stream from this peer.
    Parent {
        id: EndpointId,
        addrs: Vec<SocketAddr>,
    },
    /// Nobody can take you now; ask again later.
    Wait,
    UnknownStream,
}

impl Steer {
    pub fn parent_addr(id: EndpointId, addrs: &[SocketAddr]) -> EndpointAddr {
        addrs.iter().fold(EndpointAddr::new(id), |a, s| a.with_ip_addr(*s))
    }
}

/// Why a frame could not be read.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("the peer went away: {0}")]
    Closed(String),
    #[error("a frame of {0} bytes is larger than allowed")]
    TooLarge(usize),
    #[error("a message that does not parse")]
    Garbled,
}

/// Writes one frame.
pub async fn write_frame(send: &mut SendStream, bytes: &[u8]) -> Result<(), WireError> {
    let length = u32::try_from(bytes.len()).map_err(|_| WireError::TooLarge(bytes.len()))?;
    send.write_all(&length.to_be_bytes()).await.map_err(|e| WireError::Closed(e.to_string()))?;
    send.write_all(bytes).await.map_err(|e| WireError::Closed(e.to_string()))
}

/// Reads one frame of at most `limit` bytes.
pub async fn read_frame(recv: &mut RecvStream, limit: usize) -> Result<bytes::Bytes, WireError> {
    let mut length = [0u8; 4];
    recv.read_exact(&mut length).await.map_err(|e| WireError::Closed(e.to_string()))?;
    let length = u32::from_be_bytes(length) as usize;
    if length > limit {
        return Err(WireError::TooLarge(length));
    }
    let mut body = vec![0u8; length];
    recv.read_exact(&mut body).await.map_err(|e| WireError::Closed(e.to_string()))?;
    Ok(body.into())
}

/// Writes one control message.
pub async fn send_message<T: Serialize>(send: &mut SendStream, message: &T) -> Result<(), WireError> {
    let bytes = postcard::to_stdvec(message).map_err(|_| WireError::Garbled)?;
    write_frame(send, &bytes).await
}

/// Reads one control message.
pub async fn read_message<T: for<'de> Deserialize<'de>>(recv: &mut RecvStream) -> Result<T, WireError> {
    let bytes = read_frame(recv, MAX_MESSAGE).await?;
    decode(&bytes)
}

/// Decodes a control message; anything but exactly one message is refused.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, WireError> {
    match postcard::take_from_bytes(bytes) {
        Ok((message, [])) => Ok(message),
        _ => Err(WireError::Garbled),
    }
}
