//! Removing what `setup` made, from any process (the monitor, `rm`, the reconciler).

use super::*;
use crate::state::networks::{self as rows};
use crate::store::Store;
use firewall::PortRule;
use link::Netlink;

/// Removes what `setup` made for container `id`: port rules and rows, veths, the namespace,
/// the leases. Best effort, idempotent, callable from any process.
pub fn teardown(store: &mut Store, id: &str) {
    teardown_with(store, id, &firewall::backend)
}

/// `teardown` with the given firewall.
pub(crate) fn teardown_with(store: &mut Store, id: &str, firewall: firewall::Backend) {
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
        match firewall() {
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

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;
    use crate::network::firewall::fake::{Call, Recording};
    use crate::network::setup::{Joined, Request, publish};
    use crate::state::containers::{self as crows, ContainerRow};
    use crate::state::networks::NetworkRow;

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Store,
        net: NetworkRow,
    }

    const ID: &str = "c0ffee0000000000000000000000000000000000000000000000000000000001";

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("root"), &dir.path().join("run")).unwrap();
        let net = NetworkRow {
            id: "1e7".repeat(21) + "0",
            name: "front".into(),
            driver: "bridge".into(),
            subnet: "10.99.0.0/24".into(),
            gateway: "10.99.0.1".into(),
            bridge: "br-test".into(),
            mtu: 1500,
            ..Default::default()
        };
        // The container row stands alone: no image row behind it.
        store
            .db
            .conn
            .execute_batch("PRAGMA foreign_keys=OFF")
            .unwrap();
        let tx = store.db.write().unwrap();
        rows::insert_network(&tx, &net).unwrap();
        crows::insert(
            &tx,
            &ContainerRow {
                id: ID.into(),
                name: "web".into(),
                image_id: String::new(),
                image_name: String::new(),
                created: 0,
                config: "{}".into(),
                ..Default::default()
            },
        )
        .unwrap();
        tx.commit().unwrap();
        Fixture {
            _dir: dir,
            store,
            net,
        }
    }

    fn attached(net: &NetworkRow) -> Attached {
        Attached {
            joined: vec![Joined {
                network: net.clone(),
                ip: Ipv4Addr::new(10, 99, 0, 2),
                ip6: None,
                mac: String::new(),
                ifname: "eth0".into(),
            }],
            ..Default::default()
        }
    }

    fn request(specs: &[&str]) -> Request {
        Request {
            publish: specs
                .iter()
                .flat_map(|s| ports::parse(s).unwrap())
                .collect(),
            ..Default::default()
        }
    }

    fn sorted(v: &[PortRule]) -> Vec<PortRule> {
        let mut v = v.to_vec();
        v.sort_by_key(|r| (r.host_port, r.container_port));
        v
    }

    /// Published ports: one rule per port on the container's first network, and teardown
    /// removes exactly the rules that were added, and the rows.
    #[test]
    fn teardown_removes_every_port_rule_it_added() {
        let mut f = fixture();
        let fw = Recording::default();
        let backend = || fw.boxed();
        let mut a = attached(&f.net);
        let req = request(&["127.0.0.1::80", "127.0.0.1::53/udp"]);
        publish(&mut f.store, ID, &req, &mut a, &backend).unwrap();
        let calls = fw.calls();
        let [Call::AddPorts(added)] = calls.as_slice() else {
            panic!("{calls:?}")
        };
        assert_eq!(added.len(), 2);
        for (r, (proto, port)) in added.iter().zip([("tcp", 80), ("udp", 53)]) {
            assert_eq!(r.bridge, "br-test");
            assert_eq!(r.proto.to_string(), proto);
            assert_eq!(r.container_port, port);
            assert_eq!(r.container_ip, IpAddr::V4(Ipv4Addr::new(10, 99, 0, 2)));
            assert_eq!(r.host_ip, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
            assert_ne!(r.host_port, 0, "a host port was chosen");
        }
        assert_eq!(rows::ports_of(&f.store.db.conn, ID).unwrap().len(), 2);
        drop(a); // the monitor's reservations close

        teardown_with(&mut f.store, ID, &backend);
        let calls = fw.calls();
        let [_, Call::RemovePorts(removed)] = calls.as_slice() else {
            panic!("{calls:?}")
        };
        assert_eq!(sorted(removed), sorted(added));
        assert!(rows::ports_of(&f.store.db.conn, ID).unwrap().is_empty());
        // Idempotent: nothing left, nothing asked of the firewall.
        teardown_with(&mut f.store, ID, &backend);
        assert_eq!(fw.calls().len(), 2);
    }

    /// A firewall that fails to add the rules fails the publication; the teardown that follows
    /// a failed setup still removes the rules and the rows.
    #[test]
    fn a_failed_publication_is_undone_by_teardown() {
        let mut f = fixture();
        let fw = Recording::failing_at(0);
        let backend = || fw.boxed();
        let mut a = attached(&f.net);
        let err = publish(
            &mut f.store,
            ID,
            &request(&["127.0.0.1::8080"]),
            &mut a,
            &backend,
        )
        .unwrap_err();
        assert!(err.to_string().contains("failed (as told)"), "{err}");
        teardown_with(&mut f.store, ID, &backend);
        let calls = fw.calls();
        let [Call::AddPorts(added), Call::RemovePorts(removed)] = calls.as_slice() else {
            panic!("{calls:?}")
        };
        assert_eq!(sorted(removed), sorted(added));
        assert!(rows::ports_of(&f.store.db.conn, ID).unwrap().is_empty());
    }

    /// A firewall that fails during teardown does not keep the rows: teardown is best effort
    /// and must leave the container startable again.
    #[test]
    fn teardown_clears_rows_when_the_firewall_fails() {
        let mut f = fixture();
        let ok = Recording::default();
        let mut a = attached(&f.net);
        publish(
            &mut f.store,
            ID,
            &request(&["127.0.0.1::9000"]),
            &mut a,
            &|| ok.boxed(),
        )
        .unwrap();
        let failing = Recording::failing_at(0);
        teardown_with(&mut f.store, ID, &|| failing.boxed());
        assert!(matches!(failing.calls().as_slice(), [Call::RemovePorts(r)] if r.len() == 1));
        assert!(rows::ports_of(&f.store.db.conn, ID).unwrap().is_empty());
    }

    /// Internal networks publish nothing: the firewall is not asked.
    #[test]
    fn internal_networks_publish_nothing() {
        let mut f = fixture();
        f.net.internal = true;
        let fw = Recording::default();
        let mut a = attached(&f.net);
        publish(
            &mut f.store,
            ID,
            &request(&["127.0.0.1::80"]),
            &mut a,
            &|| fw.boxed(),
        )
        .unwrap();
        assert!(fw.calls().is_empty());
        assert!(rows::ports_of(&f.store.db.conn, ID).unwrap().is_empty());
    }
}
