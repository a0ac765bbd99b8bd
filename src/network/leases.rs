//! Address leases: the lowest free address of a network's subnet (or the container's `--ip`,
//! `--ip6`), recorded in `endpoints.ip`/`ip6` (a unique index per network refuses duplicates).

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::bridge::{gateway_of, v6_of};
use super::*;
use crate::state::StateError;
use crate::state::networks::{self as rows, EndpointRow, NetworkRow};
use crate::store::Store;
use ipam::Subnet;

/// Leases an address on a network: the container's `--ip`, or the lowest free one.
pub(super) fn lease(store: &mut Store, e: &EndpointRow, n: &NetworkRow) -> Result<Ipv4Addr> {
    let subnet: Subnet = n.subnet.parse()?;
    let gw = gateway_of(n)?;
    if let Some(ip) = &e.static_ip {
        let ip: Ipv4Addr = ip
            .parse()
            .map_err(|_| NetworkError::Invalid(format!("bad address {ip}")))?;
        let tx = store.db.write()?;
        let taken = rows::endpoints_in(&tx, &n.id)?
            .iter()
            .any(|o| o.container_id != e.container_id && o.ip.as_deref() == Some(&ip.to_string()));
        if taken {
            return Err(NetworkError::Invalid(format!(
                "Address already in use: {ip} on network {}",
                n.name
            )));
        }
        return Ok(ip);
    }
    let tx = store.db.write()?;
    let used: HashSet<Ipv4Addr> = rows::used_ips(&tx, &n.id)?
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let ip = subnet.first_free(gw, &used).ok_or_else(|| {
        NetworkError::Invalid(format!(
            "no address left in network {} ({})",
            n.name, n.subnet
        ))
    })?;
    // The lease is written by the caller; holding the write transaction until then is not
    // needed: the unique index refuses a duplicate, and the caller's write is the next step.
    rows::set_lease(&tx, e, Some(&ip.to_string()), None, None, None)?;
    tx.commit().map_err(StateError::from)?;
    Ok(ip)
}

/// Leases an IPv6 address on a dual-stack network (None on an IPv4-only one): the lowest free.
pub(super) fn lease6(
    store: &mut Store,
    e: &EndpointRow,
    n: &NetworkRow,
) -> Result<Option<Ipv6Addr>> {
    let Some((gw, subnet)) = v6_of(n)? else {
        return Ok(None);
    };
    if let Some(ip) = &e.static_ip6 {
        let ip: Ipv6Addr = ip
            .parse()
            .map_err(|_| NetworkError::Invalid(format!("bad address {ip}")))?;
        let tx = store.db.write()?;
        let taken = rows::endpoints_in(&tx, &n.id)?
            .iter()
            .any(|o| o.container_id != e.container_id && o.ip6.as_deref() == Some(&ip.to_string()));
        if taken {
            return Err(NetworkError::Invalid(format!(
                "Address already in use: {ip} on network {}",
                n.name
            )));
        }
        rows::set_lease6(&tx, e, Some(&ip.to_string()))?;
        tx.commit().map_err(StateError::from)?;
        return Ok(Some(ip));
    }
    let tx = store.db.write()?;
    let used: HashSet<Ipv6Addr> = rows::used_ips6(&tx, &n.id)?
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    let ip = subnet.first_free(gw, &used).ok_or_else(|| {
        NetworkError::Invalid(format!(
            "no IPv6 address left in network {} ({subnet})",
            n.name
        ))
    })?;
    rows::set_lease6(&tx, e, Some(&ip.to_string()))?;
    tx.commit().map_err(StateError::from)?;
    Ok(Some(ip))
}
