//! A starting container's network: namespace, veth pairs and addresses on each of its
//! bridge networks, published ports and the DNS server (`setup`); on failure nothing is left.

use std::collections::HashSet;
use std::fs;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::bridge::{
    activate_locked, foreign_routes, foreign_routes6, gateway_of, subnet6_of, v6_of,
};
use super::leases::{lease, lease6};
use super::*;
use crate::state::StateError;
use crate::state::networks::{self as rows, EndpointRow, NetworkRow, PortRow};
use crate::store::Store;
use firewall::PortRule;
use ipam::Subnet;
use link::Netlink;

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

/// The other container of `--network container:NAME`, as the caller resolved it.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    pub name: String,
    /// Its init's pid while it runs (None: not running).
    pub pid: Option<i64>,
}

/// What a container asks of the network at start (from its settings, resolved by the caller).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub mode: NetworkMode,
    /// `container:NAME`: that container.
    pub peer: Option<Peer>,
    pub publish: Vec<ports::Binding>,
    /// Name servers for the DNS relay (`--dns`); empty: the host's.
    pub dns_servers: Vec<String>,
}

/// Wires a starting container: namespace, veths and addresses on each of its bridge networks,
/// published ports and the DNS server. On failure nothing is left behind.
pub fn setup(store: &mut Store, id: &str, req: &Request) -> Result<Attached> {
    if let Some(other) = req.mode.container() {
        let peer = req
            .peer
            .as_ref()
            .ok_or_else(|| NetworkError::Invalid(format!("container {other}: not resolved")))?;
        let Some(pid) = peer.pid.filter(|p| *p > 0) else {
            return Err(NetworkError::Invalid(format!(
                "cannot join the network of container {}: it is not running",
                peer.name
            )));
        };
        return Ok(Attached {
            netns: Some(PathBuf::from(format!("/proc/{pid}/ns/net"))),
            ..Default::default()
        });
    }
    let eps = rows::endpoints_of(&store.db.conn, id)?;
    if eps.is_empty() {
        if !req.publish.is_empty() && !req.mode.is_host() {
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

pub(super) fn setup_inner(
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
    publish(store, id, req, &mut attached, &firewall::backend)?;
    attached.dns = Some(dns_server(&ns, req)?);
    Ok(attached)
}

/// Leases the addresses of endpoint `e` on network `n` and creates its veth pair: the host end
/// on the bridge (`bridge_index`), the peer as `eth{slot}` directly in the namespace `ns_fd`.
#[allow(clippy::too_many_arguments)]
pub(super) fn wire(
    store: &mut Store,
    nl: &Netlink,
    id: &str,
    e: &EndpointRow,
    n: &NetworkRow,
    slot: usize,
    bridge_index: u32,
    ns_fd: std::os::fd::RawFd,
) -> Result<Joined> {
    let ifname = format!("eth{slot}");
    let host_if = format!("veth{}{}", &id[..9], slot);
    if let Some(m) = e.static_mac.as_deref().and_then(link::parse_mac)
        && m[0] & 1 == 1
    {
        // The kernel's EADDRNOTAVAIL for a multicast address, in dockerd's words.
        return Err(NetworkError::Io {
            what: format!(
                "failed to add interface {host_if} to sandbox: error setting interface \"{host_if}\" MAC to \"{}\"",
                link::mac_string(m)
            ),
            source: std::io::Error::new(
                std::io::ErrorKind::AddrNotAvailable,
                "cannot assign requested address",
            ),
        });
    }
    let ip = lease(store, e, n)?;
    let ip6 = lease6(store, e, n)?;
    let mac = e
        .static_mac
        .as_deref()
        .and_then(link::parse_mac)
        .unwrap_or_else(|| link::mac_for(ip));
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
pub(super) fn configure(inside: &Netlink, j: &Joined, primary: bool) -> Result<()> {
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
pub(super) fn hairpin(host_if: &str) -> Result<()> {
    fs::write(format!("/sys/class/net/{host_if}/brport/hairpin_mode"), "1")
        .map_err(io_err(format!("enabling hairpin mode on {host_if}")))
}

/// Reserves the published ports and installs their DNAT rules (on the first network).
pub(super) fn publish(
    store: &mut Store,
    id: &str,
    req: &Request,
    a: &mut Attached,
    firewall: firewall::Backend,
) -> Result<()> {
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
    firewall()?.add_ports(&rules)?;
    a.ports = reserved;
    Ok(())
}

/// The DNS server socket on 127.0.0.11:53 inside the namespace.
pub(super) fn dns_server(ns: &Path, req: &Request) -> Result<dns::Server> {
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
