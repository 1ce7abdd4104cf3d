//! obs-websocket authentication: the server sends a salt and a challenge,
//! the client answers `base64(sha256(base64(sha256(password + salt)) + challenge))`.
//! The password itself never crosses the wire.

use data_encoding::BASE64;
use rand::Rng;
use sha2::{Digest, Sha256};

/// A fresh salt and challenge for one connection.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub salt: String,
    pub challenge: String,
}

impl Challenge {
    pub fn new() -> Self {
        Self { salt: random_text(32), challenge: random_text(32) }
    }

    /// The answer a client that knows `password` gives.
    pub fn answer(&self, password: &str) -> String {
        let secret = BASE64.encode(&Sha256::digest(format!("{password}{}", self.salt)));
        BASE64.encode(&Sha256::digest(format!("{secret}{}", self.challenge)))
    }

    /// Whether `answer` proves the client knows `password` (compared in
    /// constant time).
    pub fn accepts(&self, password: &str, answer: &str) -> bool {
        let expected = self.answer(password);
        expected.len() == answer.len()
            && expected.bytes().zip(answer.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl Default for Challenge {
    fn default() -> Self {
        Self::new()
    }
}

/// A random password that is easy to type and to read aloud (no 0/O, 1/l):
/// 16 characters, about 90 bits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

fn random_text(bytes: usize) -> String {
    let mut raw = vec![0u8; bytes];
    rand::rng().fill(&mut raw[..]);
    BASE64.encode(&raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_the_one_of_the_protocols_example() {
        // The example of the obs-websocket 5 protocol reference.
        let c = Challenge {
            salt: "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=".into(),
            challenge: "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY=".into(),
        };
        assert_eq!(c.answer("supersecretpassword"), "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=");
        assert!(c.accepts("supersecretpassword", "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4="));
        assert!(!c.accepts("supersecretpassworD", &c.answer("supersecretpassword")[..43]));
    }

    #[test]
    fn passwords_differ_and_are_readable() {
        let (a, b) = (generate_password(), generate_password());
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() && !"0O1l".contains(c)));
    }
}
