//! Networks: bridge networks (the default `bridge` and user-defined ones), a container's
//! wiring into them, published ports and the per-container DNS server.
//!
//! ```text
//! network row (SQLite)  →  bridge device + gateway address + firewall rules  (activate)
//! endpoint rows         →  netns file + veth pair + address + routes          (setup, at start)
//! ports rows            →  reserved host sockets + DNAT rules                 (setup, at start)
//! ```
//!
//! A network's bridge and rules exist while the network does (made again on first use after a
//! reboot); a container's namespace, veths, leases, ports and rules exist while it runs, and
//! `teardown` removes them from any process (the monitor, `rm`, the reconciler). Changes to
//! host-wide state (bridges, routes, firewall chains) are serialized across every berth on the
//! host by one lock file.

pub mod dns;
pub mod firewall;
pub mod ipam;
pub mod link;
pub mod netns;
pub mod ports;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::state::StateError;
use crate::state::networks::{self as rows, EndpointRow, NetworkRow, PortRow};
use crate::store::Store;
use firewall::{NetworkRules, PortRule};
use ipam::{Subnet, Subnet6};
use link::Netlink;

/// The default network's name (Docker's).
pub const DEFAULT_NETWORK: &str = "bridge";
const DEFAULT_MTU: u32 = 1500;
/// The host-wide lock for bridges, routes and firewall chains.
const LOCK_PATH: &str = "/run/lock/berth-network.lock";

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error("network {0} not found")]
    NotFound(String),
    #[error("network with name {0} already exists")]
    Exists(String),
    #[error("network ID prefix {0:?} is ambiguous: it matches several networks")]
    Ambiguous(String),
    #[error("error while removing network: network {name} has active endpoints ({containers})")]
    InUse { name: String, containers: String },
    #[error("{0} is a pre-defined network and cannot be removed")]
    Predefined(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Subnet(#[from] ipam::SubnetError),
    #[error(transparent)]
    Subnet6(#[from] ipam::Subnet6Error),
    #[error(transparent)]
    Port(#[from] ports::PortError),
    #[error(transparent)]
    Firewall(#[from] firewall::FirewallError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
}

impl From<rusqlite::Error> for NetworkError {
    fn from(e: rusqlite::Error) -> Self {
        NetworkError::State(StateError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, NetworkError>;

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> NetworkError {
    let what = what.into();
    move |source| NetworkError::Io { what, source }
}

/// Holds the host-wide network lock while alive.
fn host_lock() -> Result<crate::lock::Lock> {
    let path = Path::new(LOCK_PATH);
    if let Some(d) = path.parent() {
        let _ = fs::create_dir_all(d);
    }
    crate::lock::Lock::file(path, crate::lock::Mode::Exclusive)
        .map_err(io_err(format!("locking {LOCK_PATH}")))
}

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

fn mtu_of(options: &BTreeMap<String, String>) -> Result<u32> {
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

/// Host routes that are not berth's own bridges'.
fn foreign_routes(nl: &Netlink, own_bridges: &HashSet<String>) -> Result<Vec<(Subnet, String)>> {
    Ok(nl
        .routes()
        .map_err(io_err("reading the host's routes"))?
        .into_iter()
        .filter(|(_, dev)| !own_bridges.contains(dev))
        .collect())
}

/// Host IPv6 routes that are not berth's own bridges'.
fn foreign_routes6(nl: &Netlink, own_bridges: &HashSet<String>) -> Result<Vec<(Subnet6, String)>> {
    Ok(nl
        .routes6()
        .map_err(io_err("reading the host's IPv6 routes"))?
        .into_iter()
        .filter(|(_, dev)| !own_bridges.contains(dev))
        .collect())
}

/// The IPv6 subnet and gateway of a new dual-stack network: the given subnet (checked against
/// other networks and the host's routes) or a ULA /64 derived from the network's ID.
fn choose_v6(
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
    {
        let tx = store.db.write()?;
        rows::insert_network(&tx, &row)?;
        tx.commit().map_err(StateError::from)?;
    }
    if let Err(e) = activate_locked(&nl, &row) {
        deactivate_locked(&nl, &row);
        let tx = store.db.write()?;
        rows::delete_network(&tx, &row.id)?;
        tx.commit().map_err(StateError::from)?;
        return Err(e);
    }
    Ok(row)
}

/// `--gateway` checked against its subnet, or the subnet's first address.
fn gateway_in<S: ipam::Hosts>(subnet: &S, given: Option<&str>, family: &str) -> Result<S::Addr> {
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
fn free_bridge_name(nl: &Netlink, own: &HashSet<String>) -> Result<String> {
    for i in 0..1000 {
        let name = format!("berth{i}");
        if !own.contains(&name) && nl.index(&name).map_err(io_err("netlink"))?.is_none() {
            return Ok(name);
        }
    }
    Err(NetworkError::Invalid("no free bridge name".into()))
}

fn rules_of(n: &NetworkRow) -> Result<NetworkRules> {
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
fn v6_of(n: &NetworkRow) -> Result<Option<(Ipv6Addr, Subnet6)>> {
    let Some(s) = subnet6_of(n)? else {
        return Ok(None);
    };
    let gw = match n.gateway6.as_deref().map(str::parse::<Ipv6Addr>) {
        Some(Ok(g)) => g,
        _ => s.first_host(),
    };
    Ok(Some((gw, s)))
}

fn gateway_of(n: &NetworkRow) -> Result<Ipv4Addr> {
    n.gateway.parse().map_err(|_| {
        NetworkError::Invalid(format!("network {}: bad gateway {}", n.name, n.gateway))
    })
}

/// Makes a network's bridge, address and rules (the lock is held). A bridge already there
/// means the network is active.
fn activate_locked(nl: &Netlink, n: &NetworkRow) -> Result<u32> {
    if let Some(i) = nl.index(&n.bridge).map_err(io_err("netlink"))? {
        return Ok(i);
    }
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
    firewall::backend()?.add_network(&rules_of(n)?)?;
    Ok(index)
}

/// Removes a network's rules and bridge (the lock is held). Best effort.
fn deactivate_locked(nl: &Netlink, n: &NetworkRow) {
    if let Ok(r) = rules_of(n)
        && let Ok(fw) = firewall::backend()
        && let Err(e) = fw.remove_network(&r)
    {
        tracing::warn!("{e}");
    }
    if let Err(e) = nl.delete(&n.bridge) {
        tracing::warn!("deleting bridge {}: {e}", n.bridge);
    }
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
fn member_names(store: &Store, n: &NetworkRow) -> Result<Vec<String>> {
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

fn remove_any(store: &mut Store, n: &NetworkRow) -> Result<()> {
    let _lock = host_lock()?;
    let members = member_names(store, n)?;
    if !members.is_empty() {
        return Err(NetworkError::InUse {
            name: n.name.clone(),
            containers: members.join(", "),
        });
    }
    let nl = Netlink::here().map_err(io_err("opening netlink"))?;
    deactivate_locked(&nl, n);
    let tx = store.db.write()?;
    rows::delete_network(&tx, &n.id)?;
    tx.commit().map_err(StateError::from)?;
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
pub fn bridge_network_of(store: &mut Store, mode: &str) -> Result<Option<NetworkRow>> {
    match mode {
        "" | "none" | "host" => Ok(None),
        m if m.starts_with("container:") => Ok(None),
        "default" | DEFAULT_NETWORK => ensure_default(store).map(Some),
        name => resolve(store, name).map(Some),
    }
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

/// Where a container's network namespace is bound while it runs.
pub fn netns_path(store: &Store, id: &str) -> PathBuf {
    store.runroot.join("netns").join(id)
}

/// One network a running container is on.
#[derive(Debug, Clone)]
pub struct Joined {
    pub network: NetworkRow,
    pub ip: Ipv4Addr,
    /// The IPv6 address on a dual-stack network.
    pub ip6: Option<Ipv6Addr>,
    pub mac: String,
    pub ifname: String,
}

/// What `setup` made for a starting container.
#[derive(Default)]
pub struct Attached {
    /// The namespace the runtime joins (None: the runtime makes one with only loopback, or the
    /// host's is used).
    pub netns: Option<PathBuf>,
    pub joined: Vec<Joined>,
    pub ports: Vec<ports::Reserved>,
    pub dns: Option<dns::Server>,
}

impl Attached {
    pub fn primary(&self) -> Option<&Joined> {
        self.joined.first()
    }
}

/// What a container asks of the network at start (from its settings).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub mode: String,
    pub publish: Vec<ports::Binding>,
    /// Name servers for the DNS relay (`--dns`); empty: the host's.
    pub dns_servers: Vec<String>,
}

/// Wires a starting container: namespace, veths and addresses on each of its bridge networks,
/// published ports and the DNS server. On failure nothing is left behind.
pub fn setup(store: &mut Store, id: &str, req: &Request) -> Result<Attached> {
    if let Some(other) = req.mode.strip_prefix("container:") {
        let c = crate::containers::resolve(store, other)
            .map_err(|e| NetworkError::Invalid(e.to_string()))?;
        if !c.status.is_active() || c.pid <= 0 {
            return Err(NetworkError::Invalid(format!(
                "cannot join the network of container {}: it is not running",
                c.name
            )));
        }
        return Ok(Attached {
            netns: Some(PathBuf::from(format!("/proc/{}/ns/net", c.pid))),
            ..Default::default()
        });
    }
    let eps = rows::endpoints_of(&store.db.conn, id)?;
    if eps.is_empty() {
        if !req.publish.is_empty() && req.mode != "host" {
            tracing::warn!("container {id}: published ports need a bridge network; ignored");
        }
        return Ok(Attached::default());
    }
    match setup_inner(store, id, req, &eps) {
        Ok(a) => Ok(a),
        Err(e) => {
            teardown(store, id);
            Err(e)
        }
    }
}

fn setup_inner(
    store: &mut Store,
    id: &str,
    req: &Request,
    eps: &[EndpointRow],
) -> Result<Attached> {
    let mut nets = Vec::new();
    for e in eps {
        let n = rows::network(&store.db.conn, &e.network_id)?
            .ok_or_else(|| NetworkError::NotFound(e.network_id.clone()))?;
        nets.push(n);
    }
    let nl = Netlink::here().map_err(io_err("opening netlink"))?;
    let mut bridge_index = Vec::new();
    {
        // Bridges are made (again) under the host lock; an active one is one netlink query.
        let mut lock = None;
        for n in &nets {
            let idx = match nl.index(&n.bridge).map_err(io_err("netlink"))? {
                Some(i) => i,
                None => {
                    if lock.is_none() {
                        lock = Some(host_lock()?);
                    }
                    let own: HashSet<String> = rows::networks(&store.db.conn)?
                        .into_iter()
                        .map(|n| n.bridge)
                        .collect();
                    let subnet: Subnet = n.subnet.parse()?;
                    if let Some((r, dev)) = foreign_routes(&nl, &own)?
                        .iter()
                        .find(|(r, _)| r.overlaps(&subnet))
                    {
                        return Err(NetworkError::Invalid(format!(
                            "network {}: subnet {subnet} now overlaps the host's route to {r} on {dev}",
                            n.name
                        )));
                    }
                    if let Some(s6) = subnet6_of(n)?
                        && let Some((r, dev)) = foreign_routes6(&nl, &own)?
                            .iter()
                            .find(|(r, _)| r.overlaps(&s6))
                    {
                        return Err(NetworkError::Invalid(format!(
                            "network {}: subnet {s6} now overlaps the host's route to {r} on {dev}",
                            n.name
                        )));
                    }
                    activate_locked(&nl, n)?
                }
            };
            bridge_index.push(idx);
        }
    }
    let ns = netns_path(store, id);
    netns::create(&ns).map_err(io_err("creating the network namespace"))?;
    let ns_file = fs::File::open(&ns).map_err(io_err("opening the network namespace"))?;
    let mut joined = Vec::new();
    for (i, (e, n)) in eps.iter().zip(&nets).enumerate() {
        joined.push(wire(
            store,
            &nl,
            id,
            e,
            n,
            i,
            bridge_index[i],
            ns_file.as_raw_fd(),
        )?);
    }
    let inside = Netlink::in_netns(&ns).map_err(io_err("netlink in the container"))?;
    for (i, j) in joined.iter().enumerate() {
        configure(&inside, j, i == 0)?;
    }
    drop(inside);
    let mut attached = Attached {
        netns: Some(ns.clone()),
        joined,
        ..Default::default()
    };
    publish(store, id, req, &mut attached)?;
    attached.dns = Some(dns_server(&ns, req)?);
    Ok(attached)
}

/// Leases the addresses of endpoint `e` on network `n` and creates its veth pair: the host end
/// on the bridge (`bridge_index`), the peer as `eth{slot}` directly in the namespace `ns_fd`.
#[allow(clippy::too_many_arguments)]
fn wire(
    store: &mut Store,
    nl: &Netlink,
    id: &str,
    e: &EndpointRow,
    n: &NetworkRow,
    slot: usize,
    bridge_index: u32,
    ns_fd: std::os::fd::RawFd,
) -> Result<Joined> {
    let ip = lease(store, e, n)?;
    let ip6 = lease6(store, e, n)?;
    let ifname = format!("eth{slot}");
    let host_if = format!("veth{}{}", &id[..9], slot);
    let mac = link::mac_for(ip);
    {
        let tx = store.db.write()?;
        rows::set_lease(
            &tx,
            e,
            Some(&ip.to_string()),
            Some(&link::mac_string(mac)),
            Some(&ifname),
            Some(&host_if),
        )?;
        tx.commit().map_err(StateError::from)?;
    }
    let _ = nl.delete(&host_if);
    nl.add_veth(&host_if, bridge_index, &ifname, ns_fd, mac, n.mtu)
        .map_err(io_err(format!("creating veth {host_if}")))?;
    hairpin(&host_if)?;
    Ok(Joined {
        network: n.clone(),
        ip,
        ip6,
        mac: link::mac_string(mac),
        ifname,
    })
}

/// Configures a joined network's interface inside the container's namespace (through
/// `inside`); the `primary` network also gets the default routes (unless it is internal).
fn configure(inside: &Netlink, j: &Joined, primary: bool) -> Result<()> {
    let subnet: Subnet = j.network.subnet.parse()?;
    let routed = primary && !j.network.internal;
    let gw = routed.then(|| gateway_of(&j.network)).transpose()?;
    let v6 = match (j.ip6, v6_of(&j.network)?) {
        (Some(ip), Some((gw6, s6))) => Some(link::Inside6 {
            ip,
            prefix: s6.prefix,
            gateway: routed.then_some(gw6),
        }),
        _ => None,
    };
    inside
        .configure_inside(&j.ifname, j.ip, subnet.prefix, gw, v6)
        .map_err(io_err(format!("configuring {} in the container", j.ifname)))
}

/// Lets the bridge send a frame back out of the port it came in on: a container reaching its
/// own published port is translated back to itself, and when bridged traffic passes through
/// iptables (br_netfilter) that frame goes out of its own port.
fn hairpin(host_if: &str) -> Result<()> {
    fs::write(format!("/sys/class/net/{host_if}/brport/hairpin_mode"), "1")
        .map_err(io_err(format!("enabling hairpin mode on {host_if}")))
}

/// Leases an address on a network: the container's `--ip`, or the lowest free one.
fn lease(store: &mut Store, e: &EndpointRow, n: &NetworkRow) -> Result<Ipv4Addr> {
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
fn lease6(store: &mut Store, e: &EndpointRow, n: &NetworkRow) -> Result<Option<Ipv6Addr>> {
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

/// Reserves the published ports and installs their DNAT rules (on the first network).
fn publish(store: &mut Store, id: &str, req: &Request, a: &mut Attached) -> Result<()> {
    if req.publish.is_empty() {
        return Ok(());
    }
    let Some(primary) = a.joined.first().cloned() else {
        return Ok(());
    };
    if primary.network.internal {
        tracing::warn!(
            "container {id}: ports are not published on internal network {}",
            primary.network.name
        );
        return Ok(());
    }
    check_publish(&primary.network, &req.publish)?;
    let reserved = ports::reserve(&req.publish, primary.ip6.is_some())?;
    let target = |r: &ports::Reserved| -> IpAddr {
        match (r.is_v6(), primary.ip6) {
            (true, Some(ip6)) => ip6.into(),
            _ => primary.ip.into(),
        }
    };
    let rules: Vec<PortRule> = reserved
        .iter()
        .map(|r| PortRule {
            bridge: primary.network.bridge.clone(),
            proto: r.proto,
            host_ip: r.host_ip,
            host_port: r.host_port,
            container_ip: target(r),
            container_port: r.container_port,
        })
        .collect();
    {
        let tx = store.db.write()?;
        for r in &reserved {
            rows::insert_port(
                &tx,
                &PortRow {
                    container_id: id.to_string(),
                    proto: r.proto.to_string(),
                    host_ip: r.host_ip.map(|i| i.to_string()).unwrap_or_default(),
                    host_port: r.host_port,
                    container_port: r.container_port,
                    container_ip: target(r).to_string(),
                    network_id: primary.network.id.clone(),
                },
            )?;
        }
        tx.commit().map_err(StateError::from)?;
    }
    firewall::backend()?.add_ports(&rules)?;
    a.ports = reserved;
    Ok(())
}

/// The DNS server socket on 127.0.0.11:53 inside the namespace.
fn dns_server(ns: &Path, req: &Request) -> Result<dns::Server> {
    let socket = netns::enter(ns, || std::net::UdpSocket::bind((dns::ADDRESS, 53)))
        .map_err(io_err("binding the DNS server in the container"))?;
    let upstream = if req.dns_servers.is_empty() {
        dns::host_servers(&fs::read_to_string("/etc/resolv.conf").unwrap_or_default())
    } else {
        dns::host_servers(
            &req.dns_servers
                .iter()
                .map(|s| format!("nameserver {s}\n"))
                .collect::<String>(),
        )
    };
    dns::Server::new(socket, upstream).map_err(io_err("starting the DNS server"))
}

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

/// `network connect`: adds the container to a network; a running container gets its interface
/// at once (without a default route: its first network keeps that).
pub fn connect(
    store: &mut Store,
    c: &crate::state::containers::ContainerRow,
    n: &NetworkRow,
    aliases: &[String],
    ip: Option<&str>,
    ip6: Option<&str>,
) -> Result<()> {
    let s: crate::containers::Settings = serde_json::from_str(&c.config).unwrap_or_default();
    if is_pseudo(n) {
        return Err(NetworkError::Invalid(format!(
            "container cannot be disconnected from or connected to the {} network: use --network {} at create",
            n.name, n.name
        )));
    }
    if matches!(s.network.as_str(), "" | "none" | "host") || s.network.starts_with("container:") {
        return Err(NetworkError::Invalid(format!(
            "container {} cannot be connected to network {}: its network mode is {:?}",
            c.name,
            n.name,
            if s.network.is_empty() {
                "none"
            } else {
                &s.network
            }
        )));
    }
    let static_ip = ip.map(|ip| check_static_ip(n, ip)).transpose()?;
    let static_ip6 = ip6.map(|ip| check_static_ip6(n, ip)).transpose()?;
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
        ..Default::default()
    };
    {
        let tx = store.db.write()?;
        rows::insert_endpoint(&tx, &e)?;
        tx.commit().map_err(StateError::from)?;
    }
    let ns = netns_path(store, &c.id);
    if !c.status.is_active() || !ns.exists() {
        return Ok(());
    }
    if let Err(err) = plug(store, &c.id, &e, n, &ns) {
        unplug(store, &e);
        let tx = store.db.write()?;
        rows::delete_endpoint(&tx, &c.id, &n.id)?;
        tx.commit().map_err(StateError::from)?;
        return Err(err);
    }
    Ok(())
}

/// Gives a running container an interface on one more network.
fn plug(store: &mut Store, id: &str, e: &EndpointRow, n: &NetworkRow, ns: &Path) -> Result<()> {
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
fn unplug(store: &mut Store, e: &EndpointRow) {
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
pub fn disconnect(
    store: &mut Store,
    c: &crate::state::containers::ContainerRow,
    n: &NetworkRow,
) -> Result<()> {
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
    Ok(())
}
