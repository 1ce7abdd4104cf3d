//! One iroh endpoint per peer: QUIC, dialled by public key, no relay and no
//! address lookup service unless asked for (tests never reach outside).

use std::net::SocketAddr;

use iroh::endpoint::presets;
use iroh::{Endpoint, RelayMode, SecretKey};

use super::{wire, P2pError};

/// Binds an endpoint speaking Plateau's ALPN.
pub async fn bind(key: SecretKey, addr: SocketAddr) -> Result<Endpoint, P2pError> {
    let fail = |cause: String| P2pError::Bind { addr, cause };
    Endpoint::builder(presets::Minimal)
        .secret_key(key)
        .alpns(vec![wire::ALPN.to_vec()])
        .relay_mode(RelayMode::Disabled)
        .clear_ip_transports()
        .bind_addr(addr)
        .map_err(|e| fail(e.to_string()))?
        .bind()
        .await
        .map_err(|e| fail(e.to_string()))
}

/// The addresses others can reach this endpoint at.
pub fn reachable_addrs(endpoint: &Endpoint) -> Vec<SocketAddr> {
    let bound = endpoint.bound_sockets();
    if bound.iter().all(|a| !a.ip().is_unspecified()) {
        return bound;
    }
    endpoint.addr().ip_addrs().copied().collect()
}
