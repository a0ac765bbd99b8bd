//! `network connect` and `network disconnect`, of created and running containers.

use std::fs;
use std::os::fd::AsRawFd;
use std::path::Path;

use super::bridge::activate_locked;
use super::setup::{configure, wire};
use super::*;
use crate::state::StateError;
use crate::state::networks::{self as rows, EndpointRow, NetworkRow};
use crate::store::Store;
use link::Netlink;

/// A container as `connect` and `disconnect` see it (the caller resolves it).
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub name: String,
    /// Running (or paused, restarting): a connect plugs it in at once.
    pub active: bool,
    pub mode: NetworkMode,
}

/// What a `network connect` asks for the container's endpoint.
#[derive(Debug, Clone, Default)]
pub struct EndpointRequest<'a> {
    pub aliases: &'a [String],
    pub ip: Option<&'a str>,
    pub ip6: Option<&'a str>,
    /// `--mac-address`.
    pub mac: Option<&'a str>,
}

/// `network connect`: adds the container to a network; a running container gets its interface
/// at once (without a default route: its first network keeps that).
pub fn connect(store: &mut Store, c: &Member, n: &NetworkRow, r: &EndpointRequest) -> Result<()> {
    let EndpointRequest {
        aliases,
        ip,
        ip6,
        mac,
    } = *r;
    if is_pseudo(n) {
        return Err(NetworkError::Invalid(format!(
            "container cannot be disconnected from or connected to the {} network: use --network {} at create",
            n.name, n.name
        )));
    }
    if !c.mode.is_bridged() {
        return Err(NetworkError::Invalid(format!(
            "container {} cannot be connected to network {}: its network mode is {:?}",
            c.name,
            n.name,
            c.mode.shown()
        )));
    }
    let static_ip = ip.map(|ip| check_static_ip(n, ip)).transpose()?;
    let static_ip6 = ip6.map(|ip| check_static_ip6(n, ip)).transpose()?;
    let static_mac = mac.map(check_static_mac).transpose()?;
    let existing = rows::endpoints_of(&store.db.conn, &c.id)?;
    if existing.iter().any(|e| e.network_id == n.id) {
        return Err(NetworkError::Invalid(format!(
            "endpoint with name {} already exists in network {}",
            c.name, n.name
        )));
    }
    let e = EndpointRow {
        container_id: c.id.clone(),
        network_id: n.id.clone(),
        idx: existing.iter().map(|e| e.idx + 1).max().unwrap_or(0),
        aliases: aliases.to_vec(),
        static_ip,
        static_ip6,
        static_mac,
        ..Default::default()
    };
    {
        let tx = store.db.write()?;
        rows::insert_endpoint(&tx, &e)?;
        tx.commit().map_err(StateError::from)?;
    }
    let ns = netns_path(store, &c.id);
    if c.active
        && ns.exists()
        && let Err(err) = plug(store, &c.id, &e, n, &ns)
    {
        unplug(store, &e);
        let tx = store.db.write()?;
        rows::delete_endpoint(&tx, &c.id, &n.id)?;
        tx.commit().map_err(StateError::from)?;
        return Err(err);
    }
    super::networks::record_event(store, "connect", n, Some(&c.id));
    Ok(())
}

/// Gives a running container an interface on one more network.
pub(super) fn plug(
    store: &mut Store,
    id: &str,
    e: &EndpointRow,
    n: &NetworkRow,
    ns: &Path,
) -> Result<()> {
    let nl = Netlink::here().map_err(io_err("opening netlink"))?;
    let bridge_index = match nl.index(&n.bridge).map_err(io_err("netlink"))? {
        Some(i) => i,
        None => {
            let _lock = host_lock()?;
            activate_locked(&nl, n)?
        }
    };
    let ns_file = fs::File::open(ns).map_err(io_err("opening the network namespace"))?;
    let slot = e.idx as usize;
    let j = wire(
        store,
        &nl,
        id,
        e,
        n,
        slot,
        bridge_index,
        ns_file.as_raw_fd(),
    )?;
    let inside = Netlink::in_netns(ns).map_err(io_err("netlink in the container"))?;
    configure(&inside, &j, false)
}

/// Removes a running container's interface on one network and its lease.
pub(super) fn unplug(store: &mut Store, e: &EndpointRow) {
    let now = rows::endpoints_of(&store.db.conn, &e.container_id)
        .unwrap_or_default()
        .into_iter()
        .find(|x| x.network_id == e.network_id);
    if let Some(h) = now.as_ref().and_then(|x| x.host_ifname.clone())
        && let Ok(nl) = Netlink::here()
        && let Err(err) = nl.delete(&h)
    {
        tracing::warn!("deleting {h}: {err}");
    }
    if let Ok(tx) = store.db.write() {
        let _ = rows::set_lease(&tx, e, None, None, None, None);
        let _ = tx.commit();
    }
}

/// `network disconnect`: takes the container off a network (its interface goes at once).
pub fn disconnect(store: &mut Store, c: &Member, n: &NetworkRow) -> Result<()> {
    if is_pseudo(n) {
        return Err(NetworkError::Invalid(format!(
            "container cannot be disconnected from or connected to the {} network",
            n.name
        )));
    }
    let e = rows::endpoints_of(&store.db.conn, &c.id)?
        .into_iter()
        .find(|e| e.network_id == n.id)
        .ok_or_else(|| {
            NetworkError::Invalid(format!(
                "container {} is not connected to network {}",
                c.name, n.name
            ))
        })?;
    if rows::ports_of(&store.db.conn, &c.id)?
        .iter()
        .any(|p| p.network_id == n.id)
    {
        return Err(NetworkError::Invalid(format!(
            "container {} publishes ports on network {}: stop it before disconnecting",
            c.name, n.name
        )));
    }
    unplug(store, &e);
    let tx = store.db.write()?;
    rows::delete_endpoint(&tx, &c.id, &n.id)?;
    tx.commit().map_err(StateError::from)?;
    super::networks::record_event(store, "disconnect", n, Some(&c.id));
    Ok(())
}
