//! Networks as the user manages them: create (subnet and bridge name choice), resolve by
//! name/ID/prefix, the pre-defined `host` and `none`, remove, prune, and the checks `create`
//! of a container makes against its network (`--ip`, `--ip6`, `-p`).

use std::collections::{BTreeMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::bridge::{
    activate_locked, deactivate_locked, foreign_routes, foreign_routes6, gateway_of, v6_of,
};
use super::*;
use crate::state::StateError;
use crate::state::networks::{self as rows, NetworkRow};
use crate::store::Store;
use ipam::{Subnet, Subnet6};
use link::Netlink;

const DEFAULT_MTU: u32 = 1500;

/// Docker's network name rules.
pub fn valid_name(n: &str) -> bool {
    let mut c = n.chars();
    c.next().is_some_and(|f| f.is_ascii_alphanumeric())
        && c.all(|ch| ch.is_ascii_alphanumeric() || "_.-".contains(ch))
        && n.len() <= 128
}

/// `network create`'s options.
#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub name: String,
    pub driver: String,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    /// Dual-stack: an IPv6 subnet too (`subnet6`, or a ULA /64 picked from the network's ID).
    pub ipv6: bool,
    pub subnet6: Option<String>,
    pub gateway6: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
}

pub(super) fn mtu_of(options: &BTreeMap<String, String>) -> Result<u32> {
    match options
        .get("com.docker.network.driver.mtu")
        .or(options.get("mtu"))
    {
        None => Ok(DEFAULT_MTU),
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|m| (68..=65535).contains(m))
            .ok_or_else(|| NetworkError::Invalid(format!("invalid MTU {v:?}"))),
    }
}

/// The IPv6 subnet and gateway of a new dual-stack network: the given subnet (checked against
/// other networks and the host's routes) or a ULA /64 derived from the network's ID.
pub(super) fn choose_v6(
    o: &CreateOptions,
    id: &str,
    existing: &[NetworkRow],
    routes: &[(Subnet6, String)],
) -> Result<(Subnet6, Ipv6Addr)> {
    let theirs = |n: &NetworkRow| n.subnet6.as_deref().and_then(|s| s.parse::<Subnet6>().ok());
    let subnet = match &o.subnet6 {
        Some(s) => {
            let s: Subnet6 = s.parse()?;
            if let Some(n) = existing
                .iter()
                .find(|n| theirs(n).is_some_and(|x| x.overlaps(&s)))
            {
                return Err(NetworkError::Invalid(format!(
                    "invalid pool request: subnet {s} overlaps network {} ({})",
                    n.name,
                    n.subnet6.as_deref().unwrap_or_default()
                )));
            }
            if let Some((r, dev)) = routes.iter().find(|(r, _)| r.overlaps(&s)) {
                return Err(NetworkError::Invalid(format!(
                    "subnet {s} overlaps the host's route to {r} on {dev}"
                )));
            }
            s
        }
        None => {
            let mut taken: Vec<Subnet6> = existing.iter().filter_map(theirs).collect();
            taken.extend(routes.iter().map(|(r, _)| *r));
            ipam::pick6(id, &taken).ok_or_else(|| {
                NetworkError::Invalid("no free IPv6 ULA subnet for this network".into())
            })?
        }
    };
    let gateway = gateway_in(&subnet, o.gateway6.as_deref(), "IPv6 ")?;
    Ok((subnet, gateway))
}

/// Creates a network: its row, then its bridge and rules. The subnet, when not given, is the
/// first of berth's pool that overlaps no route of the host and no other network.
pub fn create(store: &mut Store, o: &CreateOptions) -> Result<NetworkRow> {
    if !valid_name(&o.name) {
        return Err(NetworkError::Invalid(format!(
            "invalid network name {:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
            o.name
        )));
    }
    match o.driver.as_str() {
        "" | "bridge" => {}
        d => {
            return Err(NetworkError::Invalid(format!(
                "network driver {d:?} is not supported (bridge)"
            )));
        }
    }
    let mtu = mtu_of(&o.options)?;
    let given: Option<Subnet> = o.subnet.as_deref().map(str::parse).transpose()?;
    if !o.ipv6 && (o.subnet6.is_some() || o.gateway6.is_some()) {
        return Err(NetworkError::Invalid(
            "an IPv6 --subnet or --gateway needs --ipv6".into(),
        ));
    }
    if o.ipv6 && !Path::new("/proc/sys/net/ipv6").exists() {
        return Err(NetworkError::Invalid(
            "--ipv6: IPv6 is disabled on this host".into(),
        ));
    }
    let _lock = host_lock()?;
    if rows::network_by_name(&store.db.conn, &o.name)?.is_some() {
        return Err(NetworkError::Exists(o.name.clone()));
    }
    let existing = rows::networks(&store.db.conn)?;
    let own: HashSet<String> = existing.iter().map(|n| n.bridge.clone()).collect();
    let nl = Netlink::here().map_err(io_err("opening netlink"))?;
    let mut taken: Vec<Subnet> = existing
        .iter()
        .filter_map(|n| n.subnet.parse().ok())
        .collect();
    let routes = foreign_routes(&nl, &own)?;
    let subnet = match given {
        Some(s) => {
            if let Some(n) = existing
                .iter()
                .find(|n| n.subnet.parse::<Subnet>().is_ok_and(|x| x.overlaps(&s)))
            {
                return Err(NetworkError::Invalid(format!(
                    "invalid pool request: subnet {s} overlaps network {} ({})",
                    n.name, n.subnet
                )));
            }
            if let Some((r, dev)) = routes.iter().find(|(r, _)| r.overlaps(&s)) {
                return Err(NetworkError::Invalid(format!(
                    "subnet {s} overlaps the host's route to {r} on {dev}"
                )));
            }
            s
        }
        None => {
            taken.extend(routes.iter().map(|(r, _)| *r));
            ipam::pick(o.name == DEFAULT_NETWORK, &taken).ok_or_else(|| {
                NetworkError::Invalid("no free subnet left in berth's address pool".into())
            })?
        }
    };
    let gateway = gateway_in(&subnet, o.gateway.as_deref(), "")?;
    let id = crate::names::new_id();
    let v6 = if o.ipv6 {
        let routes6 = foreign_routes6(&nl, &own)?;
        Some(choose_v6(o, &id, &existing, &routes6)?)
    } else {
        None
    };
    let bridge = if o.name == DEFAULT_NETWORK {
        free_bridge_name(&nl, &own)?
    } else {
        format!("br-{}", &id[..12])
    };
    let row = NetworkRow {
        id,
        name: o.name.clone(),
        driver: "bridge".into(),
        subnet: subnet.to_string(),
        gateway: gateway.to_string(),
        bridge,
        internal: o.internal,
        mtu,
        labels: o.labels.clone(),
        options: o.options.clone(),
        created: crate::clock::now_nanos(),
        subnet6: v6.map(|(s, _)| s.to_string()),
        gateway6: v6.map(|(_, g)| g.to_string()),
    };
    insert_and_activate(store, &row, &|r| activate_locked(&nl, r).map(drop), &|r| {
        deactivate_locked(&nl, r)
    })?;
    // The default network is Docker's pre-defined `bridge`: no event.
    if row.name != DEFAULT_NETWORK {
        record_event(store, "create", &row, None);
    }
    Ok(row)
}

/// Records Docker's `connect` (or `disconnect`) of container `id` on each of its networks (its
/// start, its exit).
pub fn record_endpoints(store: &Store, id: &str, action: &str) {
    let Ok(endpoints) = rows::endpoints_of(&store.db.conn, id) else {
        return;
    };
    for e in endpoints {
        if let Ok(Some(n)) = rows::network(&store.db.conn, &e.network_id) {
            record_event(store, action, &n, Some(id));
        }
    }
}

/// Records Docker's network event `action` (`connect`/`disconnect` name the container).
pub(super) fn record_event(store: &Store, action: &str, n: &NetworkRow, container: Option<&str>) {
    let mut ev = crate::events::Event::new(crate::events::Type::Network, action, &n.id)
        .attr("name", &n.name)
        .attr("type", &n.driver);
    if let Some(c) = container {
        ev = ev.attr("container", c);
    }
    crate::events::record(&store.root, ev);
}

/// Records a new network, then activates it; on failure, deactivates it (whatever part was
/// made) and removes its row. The lock is held.
pub(super) fn insert_and_activate(
    store: &mut Store,
    row: &NetworkRow,
    activate: &dyn Fn(&NetworkRow) -> Result<()>,
    deactivate: &dyn Fn(&NetworkRow),
) -> Result<()> {
    {
        let tx = store.db.write()?;
        rows::insert_network(&tx, row)?;
        tx.commit().map_err(StateError::from)?;
    }
    if let Err(e) = activate(row) {
        deactivate(row);
        let tx = store.db.write()?;
        rows::delete_network(&tx, &row.id)?;
        tx.commit().map_err(StateError::from)?;
        return Err(e);
    }
    Ok(())
}

/// `--gateway` checked against its subnet, or the subnet's first address.
pub(super) fn gateway_in<S: ipam::Hosts>(
    subnet: &S,
    given: Option<&str>,
    family: &str,
) -> Result<S::Addr> {
    let Some(g) = given else {
        return Ok(subnet.first_host());
    };
    let ip: S::Addr = g
        .parse()
        .map_err(|_| NetworkError::Invalid(format!("invalid {family}gateway {g:?}")))?;
    if !subnet.is_host(ip) {
        return Err(NetworkError::Invalid(format!(
            "gateway {ip} is not a usable address of subnet {subnet}"
        )));
    }
    Ok(ip)
}

/// `berth0`, or the next free `berthN` (several berth roots may share a host).
pub(super) fn free_bridge_name(nl: &Netlink, own: &HashSet<String>) -> Result<String> {
    for i in 0..1000 {
        let name = format!("berth{i}");
        if !own.contains(&name) && nl.index(&name).map_err(io_err("netlink"))?.is_none() {
            return Ok(name);
        }
    }
    Err(NetworkError::Invalid("no free bridge name".into()))
}

/// The environment variable that makes the default network dual-stack when it is created:
/// `1`/`true` (a ULA /64 derived from its ID) or an IPv6 subnet (e.g. `fd00:be:27::/64`).
pub const DEFAULT_IPV6_ENV: &str = "BERTH_DEFAULT_IPV6";

/// The default network, created on first use (IPv4 only, as Docker's, unless
/// `BERTH_DEFAULT_IPV6` says otherwise).
pub fn ensure_default(store: &mut Store) -> Result<NetworkRow> {
    if let Some(n) = rows::network_by_name(&store.db.conn, DEFAULT_NETWORK)? {
        return Ok(n);
    }
    let (ipv6, subnet6) = match std::env::var(DEFAULT_IPV6_ENV).ok().as_deref() {
        None | Some("") | Some("0") | Some("false") => (false, None),
        Some("1") | Some("true") => (true, None),
        Some(s) => (true, Some(s.to_string())),
    };
    match create(
        store,
        &CreateOptions {
            name: DEFAULT_NETWORK.into(),
            driver: "bridge".into(),
            ipv6,
            subnet6,
            ..Default::default()
        },
    ) {
        Err(NetworkError::Exists(_)) => rows::network_by_name(&store.db.conn, DEFAULT_NETWORK)?
            .ok_or_else(|| NetworkError::NotFound(DEFAULT_NETWORK.into())),
        other => other,
    }
}

/// Finds a network by name, full ID or unique ID prefix.
pub fn resolve(store: &Store, name: &str) -> Result<NetworkRow> {
    let conn = &store.db.conn;
    if let Some(n) = rows::network_by_name(conn, name)? {
        return Ok(n);
    }
    if let Some(n) = rows::network(conn, name)? {
        return Ok(n);
    }
    if !name.is_empty() && name.bytes().all(|c| c.is_ascii_hexdigit()) {
        let all: Vec<NetworkRow> = rows::networks(conn)?
            .into_iter()
            .filter(|n| n.id.starts_with(&name.to_ascii_lowercase()))
            .collect();
        match all.len() {
            1 => return Ok(all.into_iter().next().expect("one")),
            n if n > 1 => return Err(NetworkError::Ambiguous(name.into())),
            _ => {}
        }
    }
    if let Some(n) = pseudo_networks(store)
        .into_iter()
        .find(|n| n.name == name || (name.len() >= 3 && n.id.starts_with(name)))
    {
        return Ok(n);
    }
    Err(NetworkError::NotFound(name.into()))
}

/// Docker's pre-defined `host` and `none` networks, which `network ls` and `inspect` show: not
/// rows (nothing to create), with IDs stable per store.
pub fn pseudo_networks(store: &Store) -> Vec<NetworkRow> {
    use sha2::{Digest, Sha256};
    [("host", "host"), ("none", "null")]
        .into_iter()
        .map(|(name, driver)| NetworkRow {
            id: hex::encode(Sha256::digest(format!("{}/{name}", store.root.display()))),
            name: name.into(),
            driver: driver.into(),
            ..Default::default()
        })
        .collect()
}

/// Is `n` one of the pre-defined pseudo networks (`host`, `none`)?
pub fn is_pseudo(n: &NetworkRow) -> bool {
    n.driver != "bridge"
}

/// Names of the containers attached to a network.
pub(super) fn member_names(store: &Store, n: &NetworkRow) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for e in rows::endpoints_in(&store.db.conn, &n.id)? {
        if let Some(c) = crate::state::containers::get(&store.db.conn, &e.container_id)? {
            names.push(c.name);
        }
    }
    Ok(names)
}

/// `network rm`: refused while containers are attached and for the default network.
pub fn remove(store: &mut Store, n: &NetworkRow) -> Result<()> {
    if n.name == DEFAULT_NETWORK || is_pseudo(n) {
        return Err(NetworkError::Predefined(n.name.clone()));
    }
    remove_any(store, n)
}

pub(super) fn remove_any(store: &mut Store, n: &NetworkRow) -> Result<()> {
    let _lock = host_lock()?;
    remove_locked(store, n, &|n| {
        let nl = Netlink::here().map_err(io_err("opening netlink"))?;
        deactivate_locked(&nl, n);
        Ok(())
    })
}

/// Removes a network without containers: its bridge and rules (`deactivate`), then its row.
/// The lock is held.
pub(super) fn remove_locked(
    store: &mut Store,
    n: &NetworkRow,
    deactivate: &dyn Fn(&NetworkRow) -> Result<()>,
) -> Result<()> {
    let members = member_names(store, n)?;
    if !members.is_empty() {
        return Err(NetworkError::InUse {
            name: n.name.clone(),
            containers: members.join(", "),
        });
    }
    deactivate(n)?;
    let tx = store.db.write()?;
    rows::delete_network(&tx, &n.id)?;
    tx.commit().map_err(StateError::from)?;
    record_event(store, "destroy", n, None);
    Ok(())
}

/// Removes every network of this root, the default one included (`system reset`); containers
/// must be gone first.
pub fn remove_all(store: &mut Store) -> Result<()> {
    for n in rows::networks(&store.db.conn)? {
        remove_any(store, &n)?;
    }
    Ok(())
}

/// `network prune`: user-defined networks without containers. Returns their names.
pub fn prune(store: &mut Store, keep: &dyn Fn(&NetworkRow) -> bool) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for n in rows::networks(&store.db.conn)? {
        if n.name == DEFAULT_NETWORK || keep(&n) {
            continue;
        }
        if !rows::endpoints_in(&store.db.conn, &n.id)?.is_empty() {
            continue;
        }
        remove_any(store, &n)?;
        out.push(n.name);
    }
    Ok(out)
}

/// The network a container's `--network` names, if it is a bridge network (None for none,
/// host and container:NAME).
pub fn bridge_network_of(store: &mut Store, mode: &NetworkMode) -> Result<Option<NetworkRow>> {
    match mode {
        NetworkMode::None | NetworkMode::Host | NetworkMode::Container(_) => Ok(None),
        NetworkMode::Bridge { .. } => ensure_default(store).map(Some),
        NetworkMode::Named(name) => resolve(store, name).map(Some),
    }
}

/// Checks a container's MAC address on a bridge network (at create and connect), Docker's
/// daemon's words; returns its canonical form. A multicast address passes, as with dockerd:
/// the interface cannot have it, which each start (or the connect of a running container)
/// reports (`setup::wire`).
pub fn check_static_mac(mac: &str) -> Result<String> {
    let m = super::link::parse_mac(mac)
        .ok_or_else(|| NetworkError::Invalid(format!("invalid MAC address {mac}")))?;
    Ok(super::link::mac_string(m))
}

/// Checks `--ip` against a network (at create: the address must be in the subnet).
pub fn check_static_ip(n: &NetworkRow, ip: &str) -> Result<String> {
    let addr: Ipv4Addr = ip
        .parse()
        .map_err(|_| NetworkError::Invalid(format!("invalid IPv4 address {ip:?}")))?;
    let subnet: Subnet = n.subnet.parse()?;
    if !subnet.is_host(addr) || addr == gateway_of(n)? {
        return Err(NetworkError::Invalid(format!(
            "invalid address {ip}: it does not belong to any of network {}'s subnets ({})",
            n.name, n.subnet
        )));
    }
    Ok(addr.to_string())
}

/// Checks `--ip6` against a network (at create): the network must be dual-stack and the
/// address in its IPv6 subnet.
pub fn check_static_ip6(n: &NetworkRow, ip: &str) -> Result<String> {
    let addr: Ipv6Addr = ip
        .parse()
        .map_err(|_| NetworkError::Invalid(format!("invalid IPv6 address {ip:?}")))?;
    let Some((gw, subnet)) = v6_of(n)? else {
        return Err(NetworkError::Invalid(format!(
            "--ip6 {ip}: network {} has no IPv6 subnet: create it with --ipv6",
            n.name
        )));
    };
    if !subnet.is_host(addr) || addr == gw {
        return Err(NetworkError::Invalid(format!(
            "invalid address {ip}: it does not belong to any of network {}'s subnets ({subnet})",
            n.name
        )));
    }
    Ok(addr.to_string())
}

/// Checks `-p` IPv6 host addresses against a container's network (at create): a network
/// without an IPv6 subnet cannot publish on one.
pub fn check_publish(n: &NetworkRow, bindings: &[ports::Binding]) -> Result<()> {
    if n.subnet6.is_none()
        && let Some(ip) = bindings
            .iter()
            .find_map(|b| b.host_ip.filter(|i| i.is_ipv6()))
    {
        return Err(NetworkError::Invalid(format!(
            "cannot publish on [{ip}]: network {} has no IPv6 subnet: create it with --ipv6",
            n.name
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::bridge::{add_rules, remove_rules};
    use crate::network::firewall::NetworkRules;
    use crate::network::firewall::fake::{Call, Recording};
    use crate::state::containers::{self as crows, ContainerRow};
    use crate::state::networks::EndpointRow;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("root"), &dir.path().join("run")).unwrap();
        (dir, store)
    }

    fn row(n: u8) -> NetworkRow {
        NetworkRow {
            id: format!("{n:02x}").repeat(32),
            name: format!("net{n}"),
            driver: "bridge".into(),
            subnet: format!("10.99.{n}.0/24"),
            gateway: format!("10.99.{n}.1"),
            bridge: format!("br-test{n}"),
            mtu: 1500,
            ..Default::default()
        }
    }

    fn rules(r: &NetworkRow) -> NetworkRules {
        NetworkRules {
            bridge: r.bridge.clone(),
            subnet: r.subnet.parse().unwrap(),
            subnet6: r.subnet6.as_deref().map(|s| s.parse().unwrap()),
            internal: r.internal,
        }
    }

    /// Activates (with the firewall half only: the link half needs the host) through the
    /// same path `create` takes.
    fn activate(store: &mut Store, r: &NetworkRow, fw: &Recording) -> Result<()> {
        let backend = || fw.boxed();
        insert_and_activate(store, r, &|r| add_rules(r, &backend), &|r| {
            remove_rules(r, &backend)
        })
    }

    fn stored(store: &Store, r: &NetworkRow) -> bool {
        rows::network(&store.db.conn, &r.id).unwrap().is_some()
    }

    /// A new network gets its rules: bridged, `--internal` and dual-stack ones, each with what
    /// its rules depend on, and its row.
    #[test]
    fn new_networks_get_their_rules() {
        let (_dir, mut store) = store();
        let bridged = row(1);
        let internal = NetworkRow {
            internal: true,
            ..row(2)
        };
        let dual = NetworkRow {
            subnet6: Some("fd11:2233:4455::/64".into()),
            gateway6: Some("fd11:2233:4455::1".into()),
            ..row(3)
        };
        for r in [&bridged, &internal, &dual] {
            let fw = Recording::default();
            activate(&mut store, r, &fw).unwrap();
            assert_eq!(fw.calls(), vec![Call::AddNetwork(rules(r))]);
            assert!(stored(&store, r));
        }
        let subnet6 = |r: &NetworkRow| rules(r).subnet6;
        assert!(rules(&internal).internal && subnet6(&internal).is_none());
        assert!(!rules(&dual).internal && subnet6(&dual).is_some());
    }

    /// A firewall that fails while a network is activated: what was added is removed again,
    /// and no row is left.
    #[test]
    fn failed_activation_leaves_no_rule_and_no_row() {
        let (_dir, mut store) = store();
        let r = row(1);
        let fw = Recording::failing_at(0);
        let e = activate(&mut store, &r, &fw).unwrap_err();
        assert!(matches!(e, NetworkError::Firewall(_)), "{e:?}");
        assert_eq!(
            fw.calls(),
            vec![Call::AddNetwork(rules(&r)), Call::RemoveNetwork(rules(&r))]
        );
        assert!(!stored(&store, &r));
        // Rules added, then a later step fails: the same undo.
        let fw = Recording::default();
        let backend = || fw.boxed();
        let e = insert_and_activate(
            &mut store,
            &r,
            &|r| {
                add_rules(r, &backend)?;
                Err(NetworkError::Invalid("a later step failed".into()))
            },
            &|r| remove_rules(r, &backend),
        )
        .unwrap_err();
        assert!(matches!(e, NetworkError::Invalid(_)), "{e:?}");
        assert_eq!(
            fw.calls(),
            vec![Call::AddNetwork(rules(&r)), Call::RemoveNetwork(rules(&r))]
        );
        assert!(!stored(&store, &r));
        // Nothing was left behind: the network can be made again.
        activate(&mut store, &r, &Recording::default()).unwrap();
        assert!(stored(&store, &r));
    }

    /// Removing a network removes exactly its rules and its row; the others keep theirs.
    #[test]
    fn removal_removes_exactly_its_rules() {
        let (_dir, mut store) = store();
        let (a, b) = (row(1), row(2));
        let fw = Recording::default();
        activate(&mut store, &a, &fw).unwrap();
        activate(&mut store, &b, &fw).unwrap();
        let gone = Recording::default();
        let backend = || gone.boxed();
        remove_locked(&mut store, &a, &|n| {
            remove_rules(n, &backend);
            Ok(())
        })
        .unwrap();
        assert_eq!(gone.calls(), vec![Call::RemoveNetwork(rules(&a))]);
        assert!(!stored(&store, &a));
        assert!(stored(&store, &b));
    }

    /// A firewall that fails to remove the rules does not keep the row (removal is best
    /// effort, as before).
    #[test]
    fn removal_clears_the_row_when_the_firewall_fails() {
        let (_dir, mut store) = store();
        let r = row(1);
        activate(&mut store, &r, &Recording::default()).unwrap();
        let failing = Recording::failing_at(0);
        let backend = || failing.boxed();
        remove_locked(&mut store, &r, &|n| {
            remove_rules(n, &backend);
            Ok(())
        })
        .unwrap();
        assert_eq!(failing.calls(), vec![Call::RemoveNetwork(rules(&r))]);
        assert!(!stored(&store, &r));
    }

    /// A network with containers is refused: its rules and row stay.
    #[test]
    fn in_use_network_keeps_its_rules() {
        let (_dir, mut store) = store();
        let r = row(1);
        activate(&mut store, &r, &Recording::default()).unwrap();
        store
            .db
            .conn
            .execute_batch("PRAGMA foreign_keys=OFF")
            .unwrap();
        let id = "c0ffee".repeat(10) + "0001";
        let tx = store.db.write().unwrap();
        crows::insert(
            &tx,
            &ContainerRow {
                id: id.clone(),
                name: "web".into(),
                config: "{}".into(),
                ..Default::default()
            },
        )
        .unwrap();
        rows::insert_endpoint(
            &tx,
            &EndpointRow {
                container_id: id,
                network_id: r.id.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        tx.commit().unwrap();
        let fw = Recording::default();
        let backend = || fw.boxed();
        let e = remove_locked(&mut store, &r, &|n| {
            remove_rules(n, &backend);
            Ok(())
        })
        .unwrap_err();
        assert!(
            matches!(&e, NetworkError::InUse { containers, .. } if containers == "web"),
            "{e:?}"
        );
        assert_eq!(fw.calls(), vec![]);
        assert!(stored(&store, &r));
    }
}
