//! Whether the server still acknowledges what a stream sends, read from the
//! kernel's table of this process's TCP connections (`/proc/self/net/tcp`).
//!
//! A cut network cable or a frozen server sends no reset: writes keep
//! succeeding into socket buffers that take many seconds to fill. What
//! stops at once is the acknowledgements, which this module lets a stream
//! watch. Linux only; elsewhere (or without /proc) nothing is found and the
//! stream falls back to noticing that it cannot write.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Mutex;

/// Connections already taken by a stream, so that two streams to one server
/// never watch the same one.
static CLAIMED: Mutex<Vec<u64>> = Mutex::new(Vec::new());

/// The server a stream URL connects to (`rtmp://host[:port]/…`).
pub(crate) fn server_of(url: &str) -> Option<Vec<SocketAddr>> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "rtmp" => 1935,
        "rtmps" => 443,
        _ => return None,
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && p.parse::<u16>().is_ok() => (h, p.parse().ok()?),
        _ => (authority, default_port),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port).to_socket_addrs().ok()?.collect())
}

/// The socket inodes of this process's established TCP connections to `server`.
pub(crate) fn connections_to(server: &[SocketAddr]) -> HashSet<u64> {
    let own = own_socket_inodes();
    table()
        .into_iter()
        .filter(|r| server.contains(&r.remote) && own.contains(&r.inode))
        .map(|r| r.inode)
        .collect()
}

/// One connection being watched; released when dropped.
pub(crate) struct TcpLink {
    inode: u64,
}

impl TcpLink {
    /// Takes the one connection in `now` that was not in `before` and no
    /// other stream has taken; none when that is not exactly one.
    pub fn claim_new(before: &HashSet<u64>, now: &HashSet<u64>) -> Option<Self> {
        let mut claimed = CLAIMED.lock().ok()?;
        let mut fresh = now.difference(before).filter(|i| !claimed.contains(i));
        let (inode, None) = (*fresh.next()?, fresh.next()) else { return None };
        claimed.push(inode);
        Some(Self { inode })
    }

    /// Bytes written but not yet acknowledged by the server; `None` once
    /// the connection is gone.
    pub fn unacknowledged(&self) -> Option<u64> {
        table().into_iter().find(|r| r.inode == self.inode).map(|r| r.tx_queue)
    }
}

impl Drop for TcpLink {
    fn drop(&mut self) {
        if let Ok(mut claimed) = CLAIMED.lock() {
            claimed.retain(|i| *i != self.inode);
        }
    }
}

struct Row {
    remote: SocketAddr,
    tx_queue: u64,
    inode: u64,
}

/// Established connections of this network namespace.
fn table() -> Vec<Row> {
    ["/proc/self/net/tcp", "/proc/self/net/tcp6"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|text| text.lines().skip(1).filter_map(parse_row).collect::<Vec<_>>())
        .collect()
}

/// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode …`
fn parse_row(line: &str) -> Option<Row> {
    let f: Vec<&str> = line.split_whitespace().collect();
    const ESTABLISHED: &str = "01";
    if f.len() < 10 || f[3] != ESTABLISHED {
        return None;
    }
    let remote = parse_address(f[2])?;
    let tx_queue = u64::from_str_radix(f[4].split(':').next()?, 16).ok()?;
    let inode = f[9].parse().ok()?;
    Some(Row { remote, tx_queue, inode })
}

/// `0100007F:1F90` (IPv4) or 32 hex digits and a port (IPv6), each 32-bit
/// word in the machine's byte order.
fn parse_address(field: &str) -> Option<SocketAddr> {
    let (addr, port) = field.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Option<Vec<u32>> = (0..addr.len() / 8)
        .map(|i| u32::from_str_radix(addr.get(i * 8..i * 8 + 8)?, 16).ok().map(u32::from_be))
        .collect();
    let bytes: Vec<u8> = words?.iter().flat_map(|w| w.to_be_bytes()).collect();
    let ip = match bytes.len() {
        4 => IpAddr::V4(Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        16 => {
            let v6 = Ipv6Addr::from(<[u8; 16]>::try_from(bytes.as_slice()).ok()?);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn own_socket_inodes() -> HashSet<u64> {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else { return HashSet::new() };
    dir.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_addresses_are_read_in_host_byte_order() {
        let v4 = parse_address("0100007F:1F90").expect("ipv4");
        assert_eq!(v4, "127.0.0.1:8080".parse().expect("addr"));
        let mapped = parse_address("0000000000000000FFFF00000100007F:0050").expect("mapped");
        assert_eq!(mapped, "127.0.0.1:80".parse().expect("addr"));
        let v6 = parse_address("00000000000000000000000001000000:0050").expect("ipv6");
        assert_eq!(v6, "[::1]:80".parse().expect("addr"));
        assert_eq!(parse_address("zz:1"), None);
    }

    #[test]
    fn server_addresses_come_from_the_url_with_default_ports() {
        let one = server_of("rtmp://127.0.0.1/live/key").expect("resolved");
        assert_eq!(one, vec!["127.0.0.1:1935".parse().expect("addr")]);
        let two = server_of("rtmps://127.0.0.1:4443/app/key?x=1").expect("resolved");
        assert_eq!(two, vec!["127.0.0.1:4443".parse().expect("addr")]);
        let v6 = server_of("rtmp://[::1]:1936/app").expect("resolved");
        assert_eq!(v6, vec!["[::1]:1936".parse().expect("addr")]);
        assert_eq!(server_of("srt://127.0.0.1:9000"), None);
    }

    #[test]
    fn an_open_connection_of_this_process_is_found_and_claimed_once() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let server = vec![listener.local_addr().expect("addr")];
        let before = connections_to(&server);
        let _client = std::net::TcpStream::connect(server[0]).expect("connect");
        let _accepted = listener.accept().expect("accept");
        let now = connections_to(&server);
        let link = TcpLink::claim_new(&before, &now).expect("the new connection is found");
        assert_eq!(link.unacknowledged(), Some(0), "nothing sent, nothing waiting");
        assert!(TcpLink::claim_new(&before, &now).is_none(), "a claimed connection is not handed out twice");
    }
}
