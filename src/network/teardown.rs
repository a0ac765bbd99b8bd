//! Removing what `setup` made, from any process (the monitor, `rm`, the reconciler).

use super::*;
use crate::state::networks::{self as rows};
use crate::store::Store;
use firewall::PortRule;
use link::Netlink;

/// Removes what `setup` made for container `id`: port rules and rows, veths, the namespace,
/// the leases. Best effort, idempotent, callable from any process.
pub fn teardown(store: &mut Store, id: &str) {
    let conn = &store.db.conn;
    let port_rows = rows::ports_of(conn, id).unwrap_or_default();
    let eps = rows::endpoints_of(conn, id).unwrap_or_default();
    let ns = netns_path(store, id);
    if port_rows.is_empty()
        && eps
            .iter()
            .all(|e| e.host_ifname.is_none() && e.ip.is_none())
        && !ns.exists()
    {
        return;
    }
    if !port_rows.is_empty() {
        let mut rules = Vec::new();
        for p in &port_rows {
            let Ok(Some(n)) = rows::network(conn, &p.network_id) else {
                continue;
            };
            let (Ok(proto), Ok(cip)) = (p.proto.parse(), p.container_ip.parse()) else {
                continue;
            };
            rules.push(PortRule {
                bridge: n.bridge,
                proto,
                host_ip: p.host_ip.parse().ok(),
                host_port: p.host_port,
                container_ip: cip,
                container_port: p.container_port,
            });
        }
        match firewall::backend() {
            Ok(fw) => {
                if let Err(e) = fw.remove_ports(&rules) {
                    tracing::warn!("{e}");
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }
    // Removing the namespace (its last user, the container, is gone) makes the kernel delete
    // the veth pairs in it, in the background: deleting a veth ourselves waits for an RCU grace
    // period (20-30 ms here) on the container's exit path. Only when there was no namespace to
    // remove are leftover host ends deleted one by one.
    let ns_removed = ns.exists()
        && match netns::remove(&ns) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("removing {}: {e}", ns.display());
                false
            }
        };
    if !ns_removed && eps.iter().any(|e| e.host_ifname.is_some()) {
        match Netlink::here() {
            Ok(nl) => {
                for e in &eps {
                    if let Some(h) = &e.host_ifname
                        && let Err(err) = nl.delete(h)
                    {
                        tracing::warn!("deleting {h}: {err}");
                    }
                }
            }
            Err(e) => tracing::warn!("netlink: {e}"),
        }
    }
    if let Ok(tx) = store.db.write() {
        let _ = rows::delete_ports(&tx, id);
        for e in &eps {
            let _ = rows::set_lease(&tx, e, None, None, None, None);
        }
        let _ = tx.commit();
    }
}
