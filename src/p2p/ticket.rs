//! The string a broadcaster hands to its audience: who signs the stream,
//! which stream, and where to knock first.
//!
//! ```text
//!  "plateau1" + base32( version=1 | broadcaster key (32) | stream id (16)
//!                       | n | n × (4|6, IP bytes, port u16 BE)
//!                       [ | m | m × (length u8, relay URL) ] )
//! ```
//!
//! The relay part is there only when the broadcaster uses relay servers,
//! so a ticket without relays reads the same as before they existed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use data_encoding::BASE32_NOPAD;
use iroh::{EndpointAddr, PublicKey, RelayUrl};

use super::StreamId;

const PREFIX: &str = "plateau1";
const VERSION: u8 = 1;
/// More addresses than anybody has: a ticket stays short.
const MAX_ADDRS: usize = 16;
/// Relay servers a ticket names at most.
const MAX_RELAYS: usize = 8;

/// What a viewer needs to join a live show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub broadcaster: PublicKey,
    pub stream: StreamId,
    pub addrs: Vec<SocketAddr>,
    /// Relay servers the broadcaster is reachable through (and that its
    /// audience uses to reach each other).
    pub relays: Vec<RelayUrl>,
}

/// Why a ticket could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("not a Plateau ticket (a ticket starts with `{PREFIX}`)")]
    Foreign,
    #[error("the ticket is damaged: {0}")]
    Damaged(&'static str),
    #[error("the ticket is from a newer Plateau (format {0})")]
    NewerVersion(u8),
}

impl Ticket {
    /// Where to dial the broadcaster.
    pub fn endpoint_addr(&self) -> EndpointAddr {
        let direct = self.addrs.iter().fold(EndpointAddr::new(self.broadcaster), |a, s| a.with_ip_addr(*s));
        self.with_relays(direct)
    }

    /// `addr`, also reachable through this show's relay servers.
    pub fn with_relays(&self, addr: EndpointAddr) -> EndpointAddr {
        self.relays.iter().fold(addr, |a, r| a.with_relay_url(r.clone()))
    }
}

impl std::fmt::Display for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut bytes = vec![VERSION];
        bytes.extend_from_slice(self.broadcaster.as_bytes());
        bytes.extend_from_slice(&self.stream.0);
        let addrs = &self.addrs[..self.addrs.len().min(MAX_ADDRS)];
        bytes.push(addrs.len() as u8);
        for addr in addrs {
            match addr.ip() {
                IpAddr::V4(ip) => {
                    bytes.push(4);
                    bytes.extend_from_slice(&ip.octets());
                }
                IpAddr::V6(ip) => {
                    bytes.push(6);
                    bytes.extend_from_slice(&ip.octets());
                }
            }
            bytes.extend_from_slice(&addr.port().to_be_bytes());
        }
        let relays: Vec<&str> =
            self.relays.iter().map(|r| r.as_str()).filter(|r| r.len() <= 255).take(MAX_RELAYS).collect();
        if !relays.is_empty() {
            bytes.push(relays.len() as u8);
            for relay in relays {
                bytes.push(relay.len() as u8);
                bytes.extend_from_slice(relay.as_bytes());
            }
        }
        write!(f, "{PREFIX}{}", BASE32_NOPAD.encode(&bytes).to_ascii_lowercase())
    }
}

impl FromStr for Ticket {
    type Err = TicketError;

    fn from_str(text: &str) -> Result<Self, TicketError> {
        let text = text.trim();
        let text = text.strip_prefix("plateau:").unwrap_or(text);
        let body = text.strip_prefix(PREFIX).ok_or(TicketError::Foreign)?;
        let bytes = BASE32_NOPAD
            .decode(body.to_ascii_uppercase().as_bytes())
            .map_err(|_| TicketError::Damaged("not base32"))?;
        let mut reader = Reader(&bytes);
        match reader.take(1)?[0] {
            VERSION => {}
            newer => return Err(TicketError::NewerVersion(newer)),
        }
        let key: [u8; 32] = reader.take(32)?.try_into().expect("32 bytes");
        let broadcaster = PublicKey::from_bytes(&key).map_err(|_| TicketError::Damaged("bad key"))?;
        let stream = StreamId(reader.take(16)?.try_into().expect("16 bytes"));
        let count = reader.take(1)?[0] as usize;
        if count > MAX_ADDRS {
            return Err(TicketError::Damaged("too many addresses"));
        }
        let mut addrs = Vec::with_capacity(count);
        for _ in 0..count {
            let ip = match reader.take(1)?[0] {
                4 => IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(reader.take(4)?).expect("4 bytes"))),
                6 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(reader.take(16)?).expect("16 bytes"))),
                _ => return Err(TicketError::Damaged("bad address")),
            };
            let port = u16::from_be_bytes(reader.take(2)?.try_into().expect("2 bytes"));
            addrs.push(SocketAddr::new(ip, port));
        }
        let mut relays = Vec::new();
        if !reader.0.is_empty() {
            let count = reader.take(1)?[0] as usize;
            if count == 0 || count > MAX_RELAYS {
                return Err(TicketError::Damaged("bad relay list"));
            }
            for _ in 0..count {
                let length = reader.take(1)?[0] as usize;
                let url = std::str::from_utf8(reader.take(length)?)
                    .map_err(|_| TicketError::Damaged("bad relay"))?;
                relays.push(url.parse().map_err(|_| TicketError::Damaged("bad relay"))?);
            }
        }
        if !reader.0.is_empty() {
            return Err(TicketError::Damaged("trailing bytes"));
        }
        Ok(Self { broadcaster, stream, addrs, relays })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TicketError> {
        if self.0.len() < n {
            return Err(TicketError::Damaged("too short"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_reads_back_and_bad_ones_say_why() {
        let ticket = Ticket {
            broadcaster: iroh::SecretKey::generate().public(),
            stream: StreamId([3; 16]),
            addrs: vec!["127.0.0.1:4000".parse().unwrap(), "[::1]:5000".parse().unwrap()],
            relays: Vec::new(),
        };
        let text = ticket.to_string();
        assert_eq!(text.parse::<Ticket>(), Ok(ticket.clone()));
        let relayed = Ticket {
            relays: vec![
                "https://relay.example.org./".parse().unwrap(),
                "http://10.0.0.2:3340".parse().unwrap(),
            ],
            ..ticket.clone()
        };
        let long = relayed.to_string();
        assert!(long.len() > text.len() && long.starts_with(&text[..60]));
        assert_eq!(long.parse::<Ticket>(), Ok(relayed));
        assert_eq!(format!("plateau:{text}\n").parse::<Ticket>(), Ok(ticket));
        assert_eq!("hello".parse::<Ticket>(), Err(TicketError::Foreign));
        assert_eq!("plateau1!!".parse::<Ticket>(), Err(TicketError::Damaged("not base32")));
        assert_eq!(text[..text.len() - 8].parse::<Ticket>().unwrap_err(), TicketError::Damaged("too short"));
    }
}
