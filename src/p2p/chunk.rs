//! One signed piece of the live stream, as it travels between peers.
//!
//! ```text
//!  0      4             20       28          36     37         41        41+n     41+n+64
//!  ┌──────┬─────────────┬────────┬───────────┬──────┬──────────┬─────────┬─────────┐
//!  │"PLC1"│ stream id   │ seq    │ capture µs│ flags│ length n │ payload │signature│
//!  └──────┴─────────────┴────────┴───────────┴──────┴──────────┴─────────┴─────────┘
//!           16 bytes      u64 BE   u64 BE      u8     u32 BE     n bytes   ed25519
//! ```
//!
//! The signature is the broadcaster's, over a domain tag and every byte
//! before it, so the stream id, header and payload are all covered. A chunk
//! is only played or passed on once [`Verifier::admit`] accepted it.

use std::collections::BTreeSet;

use ed25519_dalek::VerifyingKey;
use iroh::{PublicKey, SecretKey};

use super::StreamId;

const MAGIC: &[u8; 4] = b"PLC1";
const DOMAIN: &[u8] = b"plateau live chunk v1";
const HEADER: usize = 4 + 16 + 8 + 8 + 1 + 4;
const SIGNATURE: usize = 64;
/// The largest payload a chunk carries.
pub const MAX_PAYLOAD: usize = 32 * 1024;
/// The largest chunk on the wire.
pub const MAX_CHUNK: usize = HEADER + MAX_PAYLOAD + SIGNATURE;
/// How far behind the newest chunk seen an older one is still taken.
pub const WINDOW: u64 = 1024;
/// How far ahead of the newest chunk seen a new one may jump.
const AHEAD: u64 = 1 << 16;

/// `flags` bit: a viewer can start playing here (a keyframe begins).
pub const START: u8 = 1;
/// `flags` bit: the show has ended (the last chunk; it carries nothing).
pub const END: u8 = 2;
/// `flags` bit: a chat message the studio published (a `ChatLine`), not the stream.
pub const CHAT: u8 = 4;

/// The decoded header of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub stream: StreamId,
    pub seq: u64,
    /// When the broadcaster cut it: microseconds since the Unix epoch.
    pub capture_us: u64,
    pub flags: u8,
}

impl Header {
    pub fn is_start(&self) -> bool {
        self.flags & START != 0
    }

    pub fn is_end(&self) -> bool {
        self.flags & END != 0
    }

    pub fn is_chat(&self) -> bool {
        self.flags & CHAT != 0
    }
}

/// A chunk as bytes, its header read out (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub header: Header,
    bytes: bytes::Bytes,
}

/// Why a chunk was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("not a chunk")]
    Malformed,
    #[error("another stream's chunk")]
    ForeignStream,
    #[error("bad signature")]
    Forged,
    #[error("already seen")]
    Replayed,
    #[error("outside the playout window")]
    OutOfWindow,
}

impl Chunk {
    /// Cuts and signs a chunk. `payload` must be at most [`MAX_PAYLOAD`] long.
    pub fn sign(key: &SecretKey, header: Header, payload: &[u8]) -> Self {
        assert!(payload.len() <= MAX_PAYLOAD, "payload of {} bytes", payload.len());
        let mut out = Vec::with_capacity(HEADER + payload.len() + SIGNATURE);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&header.stream.0);
        out.extend_from_slice(&header.seq.to_be_bytes());
        out.extend_from_slice(&header.capture_us.to_be_bytes());
        out.push(header.flags);
        out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        out.extend_from_slice(payload);
        let signature = key.sign(&signed_message(&out));
        out.extend_from_slice(&signature.to_bytes());
        Self { header, bytes: out.into() }
    }

    /// Reads a chunk's framing; says nothing yet of who made it.
    pub fn parse(bytes: bytes::Bytes) -> Result<Self, Refused> {
        if bytes.len() < HEADER + SIGNATURE || bytes.len() > MAX_CHUNK || &bytes[..4] != MAGIC {
            return Err(Refused::Malformed);
        }
        let field = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let length = u32::from_be_bytes(bytes[37..41].try_into().expect("4 bytes")) as usize;
        if HEADER + length + SIGNATURE != bytes.len() {
            return Err(Refused::Malformed);
        }
        let header = Header {
            stream: StreamId(bytes[4..20].try_into().expect("16 bytes")),
            seq: field(20),
            capture_us: field(28),
            flags: bytes[36],
        };
        Ok(Self { header, bytes })
    }

    /// The stream bytes it carries.
    pub fn payload(&self) -> &[u8] {
        &self.bytes[HEADER..self.bytes.len() - SIGNATURE]
    }

    /// The whole chunk, as sent.
    pub fn bytes(&self) -> &bytes::Bytes {
        &self.bytes
    }

    fn signature_is_by(&self, key: &VerifyingKey) -> bool {
        let at = self.bytes.len() - SIGNATURE;
        let signature = ed25519_dalek::Signature::from_bytes(self.bytes[at..].try_into().expect("64 bytes"));
        key.verify_strict(&signed_message(&self.bytes[..at]), &signature).is_ok()
    }
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(DOMAIN.len() + body.len());
    message.extend_from_slice(DOMAIN);
    message.extend_from_slice(body);
    message
}

/// What a peer lets through: the broadcaster's chunks of this stream, each
/// once, within the playout window.
#[derive(Debug)]
pub struct Verifier {
    stream: StreamId,
    /// The broadcaster's key, its curve point read once (an iroh key is a
    /// valid point: `None` cannot happen, and would refuse everything).
    broadcaster: Option<VerifyingKey>,
    newest: Option<u64>,
    seen: BTreeSet<u64>,
}

impl Verifier {
    pub fn new(stream: StreamId, broadcaster: PublicKey) -> Self {
        let broadcaster = VerifyingKey::from_bytes(broadcaster.as_bytes()).ok();
        Self { stream, broadcaster, newest: None, seen: BTreeSet::new() }
    }

    /// Parses and checks one message from the network.
    pub fn admit(&mut self, bytes: bytes::Bytes) -> Result<Chunk, Refused> {
        let chunk = Chunk::parse(bytes)?;
        let seq = chunk.header.seq;
        if chunk.header.stream != self.stream {
            return Err(Refused::ForeignStream);
        }
        if let Some(newest) = self.newest {
            if seq + WINDOW < newest || seq > newest.saturating_add(AHEAD) {
                return Err(Refused::OutOfWindow);
            }
        }
        if self.seen.contains(&seq) {
            return Err(Refused::Replayed);
        }
        if !self.broadcaster.is_some_and(|key| chunk.signature_is_by(&key)) {
            return Err(Refused::Forged);
        }
        self.seen.insert(seq);
        let newest = self.newest.map_or(seq, |n| n.max(seq));
        self.newest = Some(newest);
        let floor = newest.saturating_sub(WINDOW);
        self.seen = self.seen.split_off(&floor);
        Ok(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: u64) -> Header {
        Header { stream: StreamId([7; 16]), seq, capture_us: 1_000 + seq, flags: START }
    }

    #[test]
    fn a_signed_chunk_reads_back() {
        let key = SecretKey::generate();
        let chunk = Chunk::sign(&key, header(5), b"payload");
        let back = Verifier::new(StreamId([7; 16]), key.public()).admit(chunk.bytes().clone()).unwrap();
        assert_eq!(back.header, header(5));
        assert_eq!(back.payload(), b"payload");
        assert!(back.header.is_start());
    }

    #[test]
    fn forged_modified_replayed_and_foreign_chunks_are_refused() {
        let key = SecretKey::generate();
        let mut verifier = Verifier::new(StreamId([7; 16]), key.public());
        let good = Chunk::sign(&key, header(1), b"abc");
        assert!(verifier.admit(good.bytes().clone()).is_ok());
        assert_eq!(verifier.admit(good.bytes().clone()), Err(Refused::Replayed));
        let forged = Chunk::sign(&SecretKey::generate(), header(2), b"abc");
        assert_eq!(verifier.admit(forged.bytes().clone()), Err(Refused::Forged));
        let mut modified = Chunk::sign(&key, header(3), b"abc").bytes().to_vec();
        modified[HEADER] ^= 1;
        assert_eq!(verifier.admit(modified.into()), Err(Refused::Forged));
        let mut moved = Chunk::sign(&key, header(4), b"abc").bytes().to_vec();
        moved[27] ^= 1; // the sequence number
        assert_eq!(verifier.admit(moved.into()), Err(Refused::Forged));
        let foreign = Chunk::sign(&key, Header { stream: StreamId([8; 16]), ..header(5) }, b"abc");
        assert_eq!(verifier.admit(foreign.bytes().clone()), Err(Refused::ForeignStream));
        let newer = Chunk::sign(&key, header(2 * WINDOW), b"abc");
        assert!(verifier.admit(newer.bytes().clone()).is_ok());
        let stale = Chunk::sign(&key, header(6), b"abc");
        assert_eq!(verifier.admit(stale.bytes().clone()), Err(Refused::OutOfWindow));
        assert_eq!(verifier.admit(bytes::Bytes::from_static(b"PLC1")), Err(Refused::Malformed));
    }
}
