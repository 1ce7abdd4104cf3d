//! What comes off the network or the command line never panics the
//! swarm's readers: 120 000 generated cases in all (proptest).

use plateau::p2p::chunk::{Chunk, Header, Verifier, START};
use plateau::p2p::wire::{self, Answer, Hello, Report, Steer};
use plateau::p2p::{StreamId, Ticket};
use proptest::prelude::*;

const STREAM: StreamId = StreamId([9; 16]);

fn key() -> &'static iroh::SecretKey {
    static KEY: std::sync::OnceLock<iroh::SecretKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| iroh::SecretKey::from_bytes(&[7; 32]))
}

fn genuine(seq: u64, payload: &[u8]) -> Vec<u8> {
    Chunk::sign(key(), Header { stream: STREAM, seq, capture_us: 1, flags: START }, payload).bytes().to_vec()
}

/// A genuine chunk changed in one of the ways the network changes things.
fn damaged() -> impl Strategy<Value = Vec<u8>> {
    (
        0u64..5000,
        prop::collection::vec(any::<u8>(), 0..300),
        any::<prop::sample::Index>(),
        any::<u8>(),
        0u8..4,
    )
        .prop_map(|(seq, payload, at, byte, how)| {
            let mut bytes = genuine(seq, &payload);
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] ^= byte | 1,
                1 => bytes.truncate(i),
                2 => bytes.insert(i, byte),
                _ => bytes[i] = byte,
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_are_refused_without_a_panic(tail in prop::collection::vec(any::<u8>(), 0..400), framed in any::<bool>()) {
        // Half of them look like a chunk's start, to get past the first check.
        let bytes = if framed { [b"PLC1".as_slice(), &tail].concat() } else { tail };
        let mut verifier = Verifier::new(STREAM, key().public());
        prop_assert!(verifier.admit(bytes.into()).is_err());
    }

    #[test]
    fn a_damaged_chunk_is_never_admitted(bytes in damaged()) {
        let mut verifier = Verifier::new(STREAM, key().public());
        // A change that leaves the bytes as they were is the only way in.
        let untouched = Chunk::parse(bytes.clone().into()).ok().is_some_and(|c| c.bytes().as_ref() == genuine(c.header.seq, c.payload()).as_slice());
        prop_assert_eq!(verifier.admit(bytes.into()).is_ok(), untouched);
    }

    #[test]
    fn control_messages_and_tickets_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200), text in ".{0,160}") {
        let _ = wire::decode::<Hello>(&bytes);
        let _ = wire::decode::<Report>(&bytes);
        let _ = wire::decode::<Steer>(&bytes);
        let _ = wire::decode::<Answer>(&bytes);
        let _ = text.parse::<Ticket>();
        let _ = format!("plateau1{}", text.to_lowercase()).parse::<Ticket>();
    }
}
