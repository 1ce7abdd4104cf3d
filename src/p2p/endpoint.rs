//! One iroh endpoint per peer: QUIC, dialled by public key; relay servers
//! only those the user gives (none by default: iroh's public relays are
//! never used), and no address lookup service but mDNS on the local
//! network when asked for (tests never reach outside).

use std::net::SocketAddr;

use std::sync::Arc;

use iroh::endpoint::{presets, QuicTransportConfig, VarInt};
use iroh::{Endpoint, RelayMap, RelayMode, SecretKey};
use iroh_mdns_address_lookup::MdnsAddressLookup;
use noq_proto::congestion::Bbr3Config;

use super::{wire, P2pError, PeerOptions};

/// The mDNS service Plateau's peers announce themselves under
/// (`<endpoint id>._plateau._udp.local`).
const MDNS_SERVICE: &str = "plateau";

/// Bytes in flight or buffered per connection: about 1.5 s of a 2.5 Mbit/s stream.
const SEND_WINDOW: u64 = 512 * 1024;

/// The round trip QUIC assumes before it has measured one (QUIC's default
/// is 333 ms, Chromium's 100 ms). A handshake packet lost before then is
/// sent again after about three times this, and a viewer makes two
/// handshakes before its first picture (the studio, then its parent). On
/// the emulated WAN (40 ms, 1 % loss), the slowest start of 25 viewers was
/// 1.2-1.8 s in 4 runs of 5 with 333 ms; of 50 viewers, over 1 s in 2
/// runs of 10 with 100 ms (0.65-1.23 s), 0.58-0.91 s in 7 runs with 50 ms.
/// Where the round trip is over about 150 ms, a connection's first packet
/// is sent again before its answer comes (1.2 kB).
const INITIAL_RTT: std::time::Duration = std::time::Duration::from_millis(50);

/// A connection that hears nothing from the other side for this long is
/// closed (QUIC's idle timeout), and each side says something at least
/// every `KEEP_ALIVE`. With QUIC's defaults (30 s, a path 15 s) a viewer
/// killed or cut off kept its place at its parent that long, and a viewer
/// in want of a parent waited for that place meanwhile.
const IDLE_MS: u32 = 4000;
const KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(1);

/// Binds an endpoint speaking Plateau's ALPN, on UDP at `options.bind`
/// or on the network the options give.
pub async fn bind(key: SecretKey, options: &PeerOptions) -> Result<Endpoint, P2pError> {
    let addr = options.bind;
    let fail = |cause: String| P2pError::Bind { addr, cause };
    let id = key.public();
    // BBR: a live stream must keep its rate through random loss, which
    // loss-based congestion control reads as congestion (at 1 % loss and
    // 40 ms, NewReno carries about the stream's own rate and no more).
    // A small send window: what a child's link cannot carry waits in the
    // child's queue, which drops the oldest, not in QUIC's buffers.
    let transport = QuicTransportConfig::builder()
        .congestion_controller_factory(Arc::new(Bbr3Config::default()))
        .send_window(SEND_WINDOW)
        .initial_rtt(INITIAL_RTT)
        .max_idle_timeout(Some(VarInt::from_u32(IDLE_MS).into()))
        .default_path_max_idle_timeout(std::time::Duration::from_millis(IDLE_MS.into()))
        .keep_alive_interval(KEEP_ALIVE)
        .default_path_keep_alive_interval(KEEP_ALIVE)
        .build();
    let builder = Endpoint::builder(presets::Minimal)
        .transport_config(transport)
        .secret_key(key)
        .alpns(vec![wire::ALPN.to_vec()])
        .relay_mode(relay_mode(&options.relays))
        .clear_ip_transports();
    let builder = match options.lan {
        true => builder.address_lookup(MdnsAddressLookup::builder().service_name(MDNS_SERVICE)),
        false => builder,
    };
    let builder = match &options.network {
        Some(network) => (network.0)(builder, id),
        None => builder.bind_addr(addr).map_err(|e| fail(e.to_string()))?,
    };
    builder.bind().await.map_err(|e| fail(e.to_string()))
}

fn relay_mode(relays: &[iroh::RelayUrl]) -> RelayMode {
    match relays {
        [] => RelayMode::Disabled,
        some => RelayMode::Custom(some.iter().cloned().collect::<RelayMap>()),
    }
}

/// The addresses others can reach this endpoint at.
pub fn reachable_addrs(endpoint: &Endpoint) -> Vec<SocketAddr> {
    let bound = endpoint.bound_sockets();
    if bound.iter().all(|a| !a.ip().is_unspecified()) {
        return bound;
    }
    endpoint.addr().ip_addrs().copied().collect()
}
