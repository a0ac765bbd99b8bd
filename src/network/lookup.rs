//! The name lookup the DNS server uses: containers and aliases on a container's networks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;
use crate::state::networks::{self as rows};
use crate::store::Store;

/// The addresses `name` has on the networks of container `id` (the default network has no
/// names, as Docker's).
pub fn lookup(store: &Store, id: &str, name: &str) -> Option<Vec<IpAddr>> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let rows = rows::names_near(&store.db.conn, id, DEFAULT_NETWORK).ok()?;
    let ips: Vec<IpAddr> = rows
        .iter()
        .filter(|r| {
            r.name.to_ascii_lowercase() == name
                || (name.len() == 12 && r.id.starts_with(&name))
                || r.aliases.iter().any(|a| a.to_ascii_lowercase() == name)
        })
        .flat_map(|r| {
            let v4 = r.ip.parse::<Ipv4Addr>().ok().map(IpAddr::V4);
            let v6 = r
                .ip6
                .as_deref()
                .and_then(|s| s.parse::<Ipv6Addr>().ok())
                .map(IpAddr::V6);
            v4.into_iter().chain(v6)
        })
        .collect();
    (!ips.is_empty()).then_some(ips)
}
