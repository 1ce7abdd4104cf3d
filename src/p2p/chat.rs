//! Chat over the swarm. A viewer signs a short message with its node key
//! and sends it to the broadcaster over its tracker session; the
//! broadcaster checks the signature, the lengths and the sender's rate,
//! and hands it to the studio. What the studio accepts it publishes as a
//! chunk of the stream (flag `CHAT`), signed by the broadcaster, so the
//! audience verifies and passes it on like the pictures; a message the
//! studio does not publish (a blocked peer's) reaches nobody.

use std::time::{Duration, Instant};

use iroh::{EndpointId, PublicKey, SecretKey, Signature};
use serde::{Deserialize, Serialize};

use super::StreamId;

/// The longest message, in characters.
pub const MAX_TEXT: usize = 280;
/// The longest display name, in characters.
pub const MAX_NAME: usize = 32;
/// Messages a peer may send at once; then one every `REFILL`.
const BURST: f64 = 3.0;
const REFILL: Duration = Duration::from_secs(2);
/// Messages over its rate after which a peer is disconnected.
pub const FLOOD: u32 = 20;

const DOMAIN: &[u8] = b"plateau-chat-1";

/// A message as the studio receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub from: EndpointId,
    pub name: String,
    pub text: String,
}

/// A message as the audience receives it (in a `CHAT` chunk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatLine {
    pub from: EndpointId,
    pub name: String,
    pub text: String,
}

impl ChatLine {
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_stdvec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        postcard::from_bytes(bytes).ok()
    }
}

/// Why a message was not taken.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChatRefused {
    #[error("a message is 1 to {MAX_TEXT} characters, a name 1 to {MAX_NAME}")]
    Length,
    #[error("the signature is not the sender's")]
    Forged,
    #[error("too many messages at once")]
    TooFast,
}

fn message(stream: StreamId, name: &str, text: &str) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 16 + name.len() + text.len() + 2);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&stream.0);
    m.extend_from_slice(name.as_bytes());
    m.push(0);
    m.extend_from_slice(text.as_bytes());
    m
}

/// The signature of `name`'s `text` in the show `stream`, by `key`.
pub fn sign(key: &SecretKey, stream: StreamId, name: &str, text: &str) -> Vec<u8> {
    key.sign(&message(stream, name, text)).to_bytes().to_vec()
}

/// Checks a message received from `from`: lengths, then signature.
pub fn check(
    from: &PublicKey,
    stream: StreamId,
    name: &str,
    text: &str,
    signature: &[u8],
) -> Result<(), ChatRefused> {
    let (names, texts) = (name.trim().chars().count(), text.trim().chars().count());
    if !(1..=MAX_NAME).contains(&names) || !(1..=MAX_TEXT).contains(&texts) {
        return Err(ChatRefused::Length);
    }
    let signature: [u8; 64] = signature.try_into().map_err(|_| ChatRefused::Forged)?;
    from.verify(&message(stream, name, text), &Signature::from_bytes(&signature))
        .map_err(|_| ChatRefused::Forged)
}

/// One peer's rate of messages: `burst` at once, then one every `refill`.
/// By default a chat's: three at once, then one every two seconds.
#[derive(Debug)]
pub struct Rate {
    burst: f64,
    refill: Duration,
    tokens: f64,
    last: Instant,
    /// Messages refused for their rate.
    pub over: u32,
}

impl Default for Rate {
    fn default() -> Self {
        Self::new(BURST, REFILL)
    }
}

impl Rate {
    pub fn new(burst: f64, refill: Duration) -> Self {
        Self { burst, refill, tokens: burst, last: Instant::now(), over: 0 }
    }

    /// Whether one more message may go now.
    pub fn take(&mut self) -> Result<(), ChatRefused> {
        let now = Instant::now();
        let refilled = now.duration_since(self.last).as_secs_f64() / self.refill.as_secs_f64();
        self.tokens = (self.tokens + refilled).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            self.over += 1;
            Err(ChatRefused::TooFast)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_taken_only_signed_by_its_sender_within_its_lengths_and_rate() {
        let (key, other) = (SecretKey::generate(), SecretKey::generate());
        let stream = StreamId([3; 16]);
        let good = sign(&key, stream, "Alice", "Hello");
        assert_eq!(check(&key.public(), stream, "Alice", "Hello", &good), Ok(()));
        assert_eq!(check(&key.public(), stream, "Alice", "Hellò", &good), Err(ChatRefused::Forged));
        assert_eq!(check(&other.public(), stream, "Alice", "Hello", &good), Err(ChatRefused::Forged));
        assert_eq!(
            check(&key.public(), StreamId([4; 16]), "Alice", "Hello", &good),
            Err(ChatRefused::Forged)
        );
        assert_eq!(check(&key.public(), stream, "Alice", "Hello", &good[..10]), Err(ChatRefused::Forged));
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(
            check(&key.public(), stream, "Alice", &long, &sign(&key, stream, "Alice", &long)),
            Err(ChatRefused::Length)
        );
        assert_eq!(
            check(&key.public(), stream, " ", "Hi", &sign(&key, stream, " ", "Hi")),
            Err(ChatRefused::Length)
        );
        let mut rate = Rate::default();
        let taken = (0..10).filter(|_| rate.take().is_ok()).count();
        assert_eq!((taken, rate.over), (3, 7), "three at once, the rest refused");
        let line = ChatLine { from: key.public(), name: "Alice".into(), text: "Hello".into() };
        assert_eq!(ChatLine::from_bytes(&line.to_bytes()), Some(line));
        assert_eq!(ChatLine::from_bytes(&[0xff; 3]), None);
    }
}
