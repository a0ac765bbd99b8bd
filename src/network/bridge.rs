//! A network's bridge and firewall rules on the host: made on first use (`activate_locked`),
//! removed with the network (`deactivate_locked`), both under the host-wide lock.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;
use crate::state::networks::NetworkRow;
use firewall::{Backend, NetworkRules};
use ipam::{Subnet, Subnet6};
use link::Netlink;

/// Host routes that are not berth's own bridges'.
pub(super) fn foreign_routes(
    nl: &Netlink,
    own_bridges: &HashSet<String>,
) -> Result<Vec<(Subnet, String)>> {
    Ok(nl
        .routes()
        .map_err(io_err("reading the host's routes"))?
        .into_iter()
        .filter(|(_, dev)| !own_bridges.contains(dev))
        .collect())
}

/// Host IPv6 routes that are not berth's own bridges'.
pub(super) fn foreign_routes6(
    nl: &Netlink,
    own_bridges: &HashSet<String>,
) -> Result<Vec<(Subnet6, String)>> {
    Ok(nl
        .routes6()
        .map_err(io_err("reading the host's IPv6 routes"))?
        .into_iter()
        .filter(|(_, dev)| !own_bridges.contains(dev))
        .collect())
}

pub(super) fn rules_of(n: &NetworkRow) -> Result<NetworkRules> {
    Ok(NetworkRules {
        bridge: n.bridge.clone(),
        subnet: n.subnet.parse()?,
        subnet6: subnet6_of(n)?,
        internal: n.internal,
    })
}

/// A dual-stack network's IPv6 subnet (None: IPv4 only).
pub fn subnet6_of(n: &NetworkRow) -> Result<Option<Subnet6>> {
    Ok(n.subnet6.as_deref().map(str::parse).transpose()?)
}

/// A dual-stack network's IPv6 subnet and gateway.
pub(super) fn v6_of(n: &NetworkRow) -> Result<Option<(Ipv6Addr, Subnet6)>> {
    let Some(s) = subnet6_of(n)? else {
        return Ok(None);
    };
    let gw = match n.gateway6.as_deref().map(str::parse::<Ipv6Addr>) {
        Some(Ok(g)) => g,
        _ => s.first_host(),
    };
    Ok(Some((gw, s)))
}

pub(super) fn gateway_of(n: &NetworkRow) -> Result<Ipv4Addr> {
    n.gateway.parse().map_err(|_| {
        NetworkError::Invalid(format!("network {}: bad gateway {}", n.name, n.gateway))
    })
}

/// Makes a network's bridge, address and rules (the lock is held). A bridge already there
/// means the network is active.
pub(super) fn activate_locked(nl: &Netlink, n: &NetworkRow) -> Result<u32> {
    activate_with(nl, n, &firewall::backend)
}

/// `activate_locked` with the given firewall.
pub(super) fn activate_with(nl: &Netlink, n: &NetworkRow, firewall: Backend) -> Result<u32> {
    if let Some(i) = nl.index(&n.bridge).map_err(io_err("netlink"))? {
        return Ok(i);
    }
    let index = make_bridge(nl, n)?;
    add_rules(n, firewall)?;
    Ok(index)
}

/// The link half of activation: the bridge, its addresses and the sysctls it needs.
fn make_bridge(nl: &Netlink, n: &NetworkRow) -> Result<u32> {
    let subnet: Subnet = n.subnet.parse()?;
    let what = format!("creating bridge {} for network {}", n.bridge, n.name);
    let index = nl
        .ensure_bridge(&n.bridge, gateway_of(n)?, subnet, v6_of(n)?, n.mtu)
        .map_err(io_err(what))?;
    // Published ports on 127.0.0.1 are translated to the container's address with their
    // loopback source: the bridge must route such packets (they are masqueraded on the way).
    link::sysctl(&format!("ipv4/conf/{}/route_localnet", n.bridge), "1")
        .map_err(io_err("enabling route_localnet on the bridge"))?;
    if !n.internal {
        link::sysctl("ipv4/ip_forward", "1").map_err(io_err("enabling IPv4 forwarding"))?;
        if n.subnet6.is_some() {
            link::sysctl("ipv6/conf/all/forwarding", "1")
                .map_err(io_err("enabling IPv6 forwarding"))?;
        }
    }
    Ok(index)
}

/// The firewall half of activation: the network's rules.
pub(super) fn add_rules(n: &NetworkRow, firewall: Backend) -> Result<()> {
    firewall()?.add_network(&rules_of(n)?)?;
    Ok(())
}

/// Removes a network's rules and bridge (the lock is held). Best effort.
pub(super) fn deactivate_locked(nl: &Netlink, n: &NetworkRow) {
    deactivate_with(nl, n, &firewall::backend)
}

/// `deactivate_locked` with the given firewall.
pub(super) fn deactivate_with(nl: &Netlink, n: &NetworkRow, firewall: Backend) {
    remove_rules(n, firewall);
    if let Err(e) = nl.delete(&n.bridge) {
        tracing::warn!("deleting bridge {}: {e}", n.bridge);
    }
}

/// The firewall half of deactivation: the network's rules (and, with the last of them,
/// berth's chains: the backend's business). Best effort.
pub(super) fn remove_rules(n: &NetworkRow, firewall: Backend) {
    if let Ok(r) = rules_of(n)
        && let Ok(fw) = firewall()
        && let Err(e) = fw.remove_network(&r)
    {
        tracing::warn!("{e}");
    }
}
