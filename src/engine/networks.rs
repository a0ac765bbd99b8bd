//! Network operations: create, list, inspect, remove, prune, connect, disconnect, and the
//! published ports of a container (`port`, `ps`).

use std::collections::BTreeMap;

use super::{Engine, Error, Result};
use crate::containers::{self, Settings};
use crate::network::{self, CreateOptions, NetworkError};
use crate::state::networks::{self as rows, NetworkRow, PortRow};
use crate::store::Store;

/// A published or exposed port of a container (Docker's API `Port`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSummary {
    /// The host address ("" for every IPv4 address), for a published port.
    pub host_ip: Option<String>,
    /// The host port, for a published port (`None`: exposed only).
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub proto: String,
}

/// `network create`'s options (Docker's flags; `--subnet`/`--gateway` at most once per
/// address family).
#[derive(Debug, Clone, Default)]
pub struct NetworkCreateOptions {
    pub name: String,
    pub driver: String,
    pub subnets: Vec<String>,
    pub gateways: Vec<String>,
    pub ipv6: bool,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
}

/// The filter keys `network_list` knows.
pub const LIST_FILTERS: &[&str] = &["dangling", "driver", "id", "label", "name", "scope", "type"];

/// `network connect`'s options.
#[derive(Debug, Clone, Default)]
pub struct NetworkConnectOptions {
    pub aliases: Vec<String>,
    pub ip: Option<String>,
    pub ip6: Option<String>,
    /// The container's MAC address on the network.
    pub mac_address: Option<String>,
}

/// Splits repeated `--subnet`/`--gateway` values into the IPv4 one and the IPv6 one.
fn one_per_family(flag: &str, values: &[String]) -> Result<(Option<String>, Option<String>)> {
    let (mut v4, mut v6) = (None, None);
    for v in values {
        let slot = if network::ipam::is_v6(v) {
            &mut v6
        } else {
            &mut v4
        };
        if slot.replace(v.clone()).is_some() {
            return Err(Error::invalid(format!(
                "{flag} may be given once per address family (IPv4, IPv6)"
            )));
        }
    }
    Ok((v4, v6))
}

/// Does a `label=KEY[=VALUE]` filter value match these labels?
pub use crate::filters::label_matches;

impl Engine {
    /// `network create`: the new network.
    pub fn network_create(&self, o: &NetworkCreateOptions) -> Result<NetworkRow> {
        let (subnet, subnet6) = one_per_family("--subnet", &o.subnets)?;
        let (gateway, gateway6) = one_per_family("--gateway", &o.gateways)?;
        let mut store = self.store()?;
        Ok(network::create(
            &mut store,
            &CreateOptions {
                name: o.name.clone(),
                driver: o.driver.clone(),
                subnet,
                gateway,
                ipv6: o.ipv6,
                subnet6,
                gateway6,
                internal: o.internal,
                labels: o.labels.clone(),
                options: o.options.clone(),
            },
        )?)
    }

    /// `network ls`: berth's networks (the default `bridge` always among them) and Docker's
    /// pre-defined `host` and `none`, filtered.
    pub fn network_list(&self, filters: &[(String, String)]) -> Result<Vec<NetworkRow>> {
        let f = crate::filters::Filters::new(filters);
        let invalid = |e: crate::filters::FilterError| Error::invalid(e.0);
        f.validate(LIST_FILTERS).map_err(invalid)?;
        let dangling = f.boolean("dangling").map_err(invalid)?;
        f.check_values("type", |v| matches!(v, "custom" | "builtin"))
            .map_err(invalid)?;
        f.check_values("scope", |v| matches!(v, "local" | "swarm" | "global"))
            .map_err(invalid)?;
        let mut store = self.store()?;
        // Docker always lists its pre-defined `bridge`: its row is made here if no container
        // has made it yet.
        network::ensure_default(&mut store)?;
        let all = rows::networks(&store.db.conn)?
            .into_iter()
            .chain(network::pseudo_networks(&store));
        let builtin = |n: &NetworkRow| matches!(n.name.as_str(), "bridge" | "host" | "none");
        let mut out = Vec::new();
        for n in all {
            let keep = f.regex("name", &[&n.name])
                && f.regex("id", &[&n.id])
                && f.any("driver", |v| n.driver == v)
                && f.labels("label", &n.labels)
                && f.any("scope", |v| v == "local")
                && f.any("type", |v| (v == "builtin") == builtin(&n));
            if !keep {
                continue;
            }
            if let Some(d) = dangling {
                let unused = !builtin(&n) && rows::endpoints_in(&store.db.conn, &n.id)?.is_empty();
                if unused != d {
                    continue;
                }
            }
            out.push(n);
        }
        Ok(out)
    }

    /// `network inspect`: Docker's data.
    pub fn network_inspect(&self, name: &str) -> Result<bollard_stubs::models::Network> {
        let mut store = self.store()?;
        if name == network::DEFAULT_NETWORK {
            network::ensure_default(&mut store)?;
        }
        let n = network::resolve(&store, name)?;
        super::inspect::network(&store, &n)
    }

    /// `network exists`.
    pub fn network_exists(&self, name: &str) -> Result<bool> {
        let store = self.store()?;
        super::found(network::resolve(&store, name).map_err(Into::into))
    }

    /// `network rm`.
    pub fn network_remove(&self, name: &str) -> Result<()> {
        let mut store = self.store()?;
        if name == network::DEFAULT_NETWORK {
            return Err(network::NetworkError::Predefined(name.into()).into());
        }
        let n = network::resolve(&store, name)?;
        Ok(network::remove(&mut store, &n)?)
    }

    /// `network prune`: removes the unused networks matching every `label` filter; their names.
    pub fn network_prune(&self, filters: &[(String, String)]) -> Result<Vec<String>> {
        let f = crate::filters::Filters::new(filters);
        let invalid = |e: crate::filters::FilterError| Error::invalid(e.0);
        f.validate(&["label", "label!", "until"]).map_err(invalid)?;
        let until = f.until(crate::clock::now_nanos()).map_err(invalid)?;
        let mut store = self.store()?;
        let keep = |n: &NetworkRow| {
            !(f.labels("label", &n.labels)
                && f.not_labels("label!", &n.labels)
                && until.is_none_or(|u| n.created < u))
        };
        Ok(network::prune(&mut store, &keep)?)
    }

    /// `network connect`.
    pub fn network_connect(
        &self,
        network_name: &str,
        container: &str,
        o: &NetworkConnectOptions,
    ) -> Result<()> {
        let mut store = self.store()?;
        let n = network::resolve(&store, network_name)?;
        let c = member(&store, container)?;
        let r = network::EndpointRequest {
            aliases: &o.aliases,
            ip: o.ip.as_deref(),
            ip6: o.ip6.as_deref(),
            mac: o.mac_address.as_deref(),
        };
        Ok(network::connect(&mut store, &c, &n, &r)?)
    }

    /// `network disconnect`.
    pub fn network_disconnect(&self, network_name: &str, container: &str) -> Result<()> {
        let mut store = self.store()?;
        let n = network::resolve(&store, network_name)?;
        let c = member(&store, container)?;
        Ok(network::disconnect(&mut store, &c, &n)?)
    }

    /// `port`: the container's published ports (none unless it runs), and its name.
    pub fn container_ports(&self, name: &str) -> Result<(String, Vec<PortRow>)> {
        let mut store = self.store()?;
        let c = containers::resolve(&store, name)?;
        let c = containers::reconcile(&mut store, c)?;
        let ports = if c.status.is_active() {
            rows::ports_of(&store.db.conn, &c.id)?
        } else {
            Vec::new()
        };
        Ok((c.name, ports))
    }
}

/// The container `network connect`/`disconnect` name, as the network code needs it.
fn member(store: &Store, name: &str) -> Result<network::Member> {
    let c = containers::resolve(store, name)?;
    let s = Settings::of(&c)?;
    Ok(network::Member {
        id: c.id,
        name: c.name,
        active: c.status.is_active(),
        mode: s.network,
    })
}

/// A running container's published ports, then its exposed ports (`exposed`: Docker's
/// `Config.ExposedPorts` keys) that are not published.
pub(super) fn port_summaries(
    store: &Store,
    id: &str,
    exposed: &[String],
) -> Result<Vec<PortSummary>> {
    let published = rows::ports_of(&store.db.conn, id)?;
    let mut out: Vec<PortSummary> = published
        .iter()
        .map(|p| PortSummary {
            host_ip: Some(p.host_ip.clone()),
            host_port: Some(p.host_port),
            container_port: p.container_port,
            proto: p.proto.clone(),
        })
        .collect();
    for k in exposed {
        let (port, proto) = k.split_once('/').unwrap_or((k, "tcp"));
        let Ok(port) = port.parse::<u16>() else {
            continue;
        };
        let is_published = published
            .iter()
            .any(|p| p.container_port == port && p.proto == proto);
        if !is_published {
            out.push(PortSummary {
                host_ip: None,
                host_port: None,
                container_port: port,
                proto: proto.to_string(),
            });
        }
    }
    Ok(out)
}

/// A stable endpoint ID for a container on a network (Docker shows one; berth has no separate
/// endpoint object).
pub(super) fn endpoint_id(container: &str, network: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{container}/{network}")))
}

/// `network rm -f` ignores networks that do not exist.
pub fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Network(NetworkError::NotFound(_)))
}
