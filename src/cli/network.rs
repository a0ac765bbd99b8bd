//! `berth network …` and `berth port`, and the network parts of `ps` and `inspect`.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::GlobalOpts;
use super::format;
use crate::containers::{self, Settings};
use crate::network::{self, CreateOptions};
use crate::state::containers::ContainerRow;
use crate::state::networks::{self as rows, NetworkRow, PortRow};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Create a network
    Create(CreateArgs),
    /// List networks
    #[command(alias = "list")]
    Ls(LsArgs),
    /// Display detailed information on one or more networks
    Inspect(InspectArgs),
    /// Remove one or more networks
    #[command(alias = "remove")]
    Rm(RmArgs),
    /// Remove all unused networks
    Prune(PruneArgs),
    /// Connect a container to a network
    Connect(ConnectArgs),
    /// Disconnect a container from a network
    Disconnect(DisconnectArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Driver to manage the network (bridge)
    #[arg(short, long, default_value = "bridge")]
    pub driver: String,
    /// Subnet in CIDR format (e.g. 10.90.0.0/24); once per family (fd12:3456:789a::/64 with --ipv6)
    #[arg(long)]
    pub subnet: Vec<String>,
    /// Gateway for the subnet (IPv4 or, with --ipv6, IPv6); once per family
    #[arg(long)]
    pub gateway: Vec<String>,
    /// Enable IPv6 (dual stack; a ULA /64 unless an IPv6 --subnet is given)
    #[arg(long)]
    pub ipv6: bool,
    /// Restrict external access to the network
    #[arg(long)]
    pub internal: bool,
    /// Set metadata on the network (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Driver specific options (com.docker.network.driver.mtu=N)
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub opt: Vec<String>,
    pub name: String,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Only display network IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,
    /// Filter output (name=, id=, driver=, label=KEY[=VALUE])
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Format output using a Go template
    #[arg(short, long)]
    pub format: Option<String>,
    #[arg(required = true)]
    pub networks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Do not error if the network does not exist
    #[arg(short, long)]
    pub force: bool,
    #[arg(required = true)]
    pub networks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (label=KEY[=VALUE])
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// Add network-scoped alias for the container
    #[arg(long)]
    pub alias: Vec<String>,
    /// IPv4 address
    #[arg(long)]
    pub ip: Option<String>,
    /// IPv6 address (dual-stack networks)
    #[arg(long)]
    pub ip6: Option<String>,
    pub network: String,
    pub container: String,
}

#[derive(Debug, Args)]
pub struct DisconnectArgs {
    /// Force the container to disconnect from a network
    #[arg(short, long)]
    pub force: bool,
    pub network: String,
    pub container: String,
}

#[derive(Debug, Args)]
pub struct PortArgs {
    pub container: String,
    /// PRIVATE_PORT[/PROTO]
    pub port: Option<String>,
}

fn kv(list: &[String], what: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for s in list {
        let (k, v) = s.split_once('=').unwrap_or((s.as_str(), ""));
        if k.is_empty() {
            bail!("invalid {what} {s:?}: expected KEY=VALUE");
        }
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

/// Splits repeated `--subnet`/`--gateway` values into the IPv4 one and the IPv6 one.
fn one_per_family(
    flag: &str,
    values: &[String],
) -> anyhow::Result<(Option<String>, Option<String>)> {
    let (mut v4, mut v6) = (None, None);
    for v in values {
        let slot = if network::ipam::is_v6(v) {
            &mut v6
        } else {
            &mut v4
        };
        if slot.replace(v.clone()).is_some() {
            bail!("{flag} may be given once per address family (IPv4, IPv6)");
        }
    }
    Ok((v4, v6))
}

pub fn network_command(g: &GlobalOpts, c: NetworkCommand) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    match c {
        NetworkCommand::Create(a) => {
            let (subnet, subnet6) = one_per_family("--subnet", &a.subnet)?;
            let (gateway, gateway6) = one_per_family("--gateway", &a.gateway)?;
            let n = network::create(
                &mut store,
                &CreateOptions {
                    name: a.name,
                    driver: a.driver,
                    subnet,
                    gateway,
                    ipv6: a.ipv6,
                    subnet6,
                    gateway6,
                    internal: a.internal,
                    labels: kv(&a.label, "label")?,
                    options: kv(&a.opt, "option")?,
                },
            )?;
            println!("{}", n.id);
        }
        NetworkCommand::Ls(a) => ls(&mut store, a)?,
        NetworkCommand::Inspect(a) => {
            let mut out = Vec::new();
            let mut missing = None;
            for name in &a.networks {
                match network::resolve(&store, name) {
                    Ok(n) => out.push(inspect_json(&store, &n)?),
                    Err(e) => {
                        eprintln!("berth: error: {e}");
                        missing = Some(e);
                    }
                }
            }
            format::print_inspected(a.format.as_deref(), out);
            if missing.is_some() {
                return Ok(1);
            }
        }
        NetworkCommand::Rm(a) => {
            let mut failed = false;
            for name in &a.networks {
                let r =
                    network::resolve(&store, name).and_then(|n| network::remove(&mut store, &n));
                match r {
                    Ok(()) => println!("{name}"),
                    Err(network::NetworkError::NotFound(_)) if a.force => {}
                    Err(e) => {
                        eprintln!("berth: error: {e}");
                        failed = true;
                    }
                }
            }
            if failed {
                return Ok(1);
            }
        }
        NetworkCommand::Prune(a) => {
            let filters = kv(&a.filter, "filter")?;
            let labels: Vec<(String, Option<String>)> = filters
                .iter()
                .map(|(k, v)| match k.as_str() {
                    "label" => Ok(match v.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (v.clone(), None),
                    }),
                    other => bail!("invalid filter {other:?} (label)"),
                })
                .collect::<anyhow::Result<_>>()?;
            let keep = |n: &NetworkRow| {
                !labels.iter().all(|(k, v)| match (n.labels.get(k), v) {
                    (Some(x), Some(v)) => x == v,
                    (Some(_), None) => true,
                    _ => false,
                })
            };
            let removed = network::prune(&mut store, &keep)?;
            if !removed.is_empty() {
                println!("Deleted Networks:");
                for n in removed {
                    println!("{n}");
                }
            }
        }
        NetworkCommand::Connect(a) => {
            let n = network::resolve(&store, &a.network)?;
            let c = member(&store, &a.container)?;
            network::connect(
                &mut store,
                &c,
                &n,
                &a.alias,
                a.ip.as_deref(),
                a.ip6.as_deref(),
            )?;
        }
        NetworkCommand::Disconnect(a) => {
            let n = network::resolve(&store, &a.network)?;
            let c = member(&store, &a.container)?;
            network::disconnect(&mut store, &c, &n)?;
        }
    }
    Ok(0)
}

/// The container `network connect`/`disconnect` name, as the network code needs it.
fn member(store: &Store, name: &str) -> anyhow::Result<network::Member> {
    let c = containers::resolve(store, name)?;
    let s: Settings = serde_json::from_str(&c.config)
        .with_context(|| format!("container {}: stored settings do not parse", c.name))?;
    Ok(network::Member {
        id: c.id,
        name: c.name,
        active: c.status.is_active(),
        mode: s.network,
    })
}

fn ls(store: &mut Store, a: LsArgs) -> anyhow::Result<()> {
    let filters: Vec<(String, String)> = a
        .filter
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .with_context(|| format!("invalid filter {f:?}: expected KEY=VALUE"))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut objs = Vec::new();
    let all = rows::networks(&store.db.conn)?
        .into_iter()
        .chain(network::pseudo_networks(store));
    for n in all {
        let ok = filters.iter().all(|(k, v)| match k.as_str() {
            "name" => n.name.contains(v.as_str()),
            "id" => n.id.starts_with(v.as_str()),
            "driver" => n.driver == *v,
            "label" => match v.split_once('=') {
                Some((k, v)) => n.labels.get(k).is_some_and(|x| x == v),
                None => n.labels.contains_key(v),
            },
            _ => false,
        });
        if let Some((k, _)) = filters
            .iter()
            .find(|(k, _)| !["name", "id", "driver", "label"].contains(&k.as_str()))
        {
            bail!("invalid filter {k:?} (name, id, driver, label)");
        }
        if !ok {
            continue;
        }
        if a.quiet {
            println!("{}", if a.no_trunc { &n.id[..] } else { &n.id[..12] });
            continue;
        }
        let mut m = Map::new();
        m.insert(
            "ID".into(),
            json!(if a.no_trunc {
                n.id.clone()
            } else {
                n.id[..12].to_string()
            }),
        );
        m.insert("Name".into(), json!(n.name));
        m.insert("Driver".into(), json!(n.driver));
        m.insert("Scope".into(), json!("local"));
        m.insert("IPv6".into(), json!(n.subnet6.is_some().to_string()));
        m.insert("Internal".into(), json!(n.internal.to_string()));
        m.insert(
            "Labels".into(),
            json!(
                n.labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        );
        m.insert(
            "CreatedAt".into(),
            json!(format::docker_time(n.created / 1_000_000_000)),
        );
        objs.push(m);
    }
    if a.quiet {
        return Ok(());
    }
    format::print_objects(
        a.format.as_deref(),
        objs,
        &[
            ("ID", "NETWORK ID"),
            ("Name", "NAME"),
            ("Driver", "DRIVER"),
            ("Scope", "SCOPE"),
            ("IPv6", "IPV6"),
            ("Internal", "INTERNAL"),
            ("Labels", "LABELS"),
            ("CreatedAt", "CREATED AT"),
        ],
        &["ID", "Name", "Driver", "Scope"],
    );
    Ok(())
}

/// Docker's `network inspect` object.
pub fn inspect_json(store: &Store, n: &NetworkRow) -> anyhow::Result<Value> {
    let prefix = n.subnet.rsplit('/').next().unwrap_or("");
    let prefix6 = n
        .subnet6
        .as_deref()
        .and_then(|s| s.rsplit('/').next())
        .unwrap_or("");
    let mut members = Map::new();
    if network::is_pseudo(n) {
        // host/none: the running containers in that mode (no endpoints, no addresses).
        for c in crate::state::containers::list(&store.db.conn)? {
            let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
            if s.network.shown() == n.name && c.status.is_active() {
                members.insert(
                    c.id.clone(),
                    json!({
                        "Name": c.name,
                        "EndpointID": endpoint_id(&c.id, &n.id),
                        "MacAddress": "",
                        "IPv4Address": "",
                        "IPv6Address": "",
                    }),
                );
            }
        }
    }
    for e in rows::endpoints_in(&store.db.conn, &n.id)? {
        let Some(ip) = &e.ip else { continue };
        let Some(c) = crate::state::containers::get(&store.db.conn, &e.container_id)? else {
            continue;
        };
        members.insert(
            c.id.clone(),
            json!({
                "Name": c.name,
                "EndpointID": endpoint_id(&c.id, &n.id),
                "MacAddress": e.mac.clone().unwrap_or_default(),
                "IPv4Address": format!("{ip}/{prefix}"),
                "IPv6Address": e.ip6.as_ref().map(|ip6| format!("{ip6}/{prefix6}")).unwrap_or_default(),
            }),
        );
    }
    let mut options = n.options.clone();
    let mut ipam_config = Vec::new();
    if !network::is_pseudo(n) {
        options.insert("com.docker.network.bridge.name".into(), n.bridge.clone());
        ipam_config.push(json!({ "Subnet": n.subnet, "Gateway": n.gateway }));
    }
    if let Some(s6) = &n.subnet6 {
        ipam_config
            .push(json!({ "Subnet": s6, "Gateway": n.gateway6.clone().unwrap_or_default() }));
    }
    Ok(json!({
        "Name": n.name,
        "Id": n.id,
        "Created": crate::clock::rfc3339_nanos(n.created),
        "Scope": "local",
        "Driver": n.driver,
        "EnableIPv6": n.subnet6.is_some(),
        "IPAM": {
            "Driver": "default",
            "Options": {},
            "Config": ipam_config,
        },
        "Internal": n.internal,
        "Attachable": false,
        "Ingress": false,
        "ConfigFrom": { "Network": "" },
        "ConfigOnly": false,
        "Containers": members,
        "Options": options,
        "Labels": n.labels,
    }))
}

/// A stable endpoint ID for a container on a network (Docker shows one; berth has no separate
/// endpoint object).
fn endpoint_id(container: &str, network: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(format!("{container}/{network}")))
}

/// `berth port CONTAINER [PORT[/PROTO]]`
pub fn port(g: &GlobalOpts, a: PortArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    let c = containers::resolve(&store, &a.container)?;
    let c = containers::reconcile(&mut store, c)?;
    let ports = if c.status.is_active() {
        rows::ports_of(&store.db.conn, &c.id)?
    } else {
        Vec::new()
    };
    let want = a
        .port
        .as_deref()
        .map(|p| {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            port.parse::<u16>()
                .map(|n| (n, proto.to_string()))
                .with_context(|| format!("invalid port {p:?}"))
        })
        .transpose()?;
    let mut found = false;
    for p in &ports {
        if let Some((n, proto)) = &want {
            if p.container_port != *n || p.proto != *proto {
                continue;
            }
            println!("{}", host_addr(p));
        } else {
            println!("{}/{} -> {}", p.container_port, p.proto, host_addr(p));
        }
        found = true;
    }
    if !found && let Some(p) = &a.port {
        bail!("No public port '{p}' published for {}", c.name);
    }
    Ok(0)
}

fn host_addr(p: &PortRow) -> String {
    format!("{}:{}", host_ip_text(&p.host_ip), p.host_port)
}

/// A published port's host address as `port` and `ps` print it: `0.0.0.0` for every IPv4
/// address, IPv6 ones in brackets (`[::]`, `[fd00::2]`).
fn host_ip_text(ip: &str) -> String {
    if ip.is_empty() {
        "0.0.0.0".into()
    } else if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

/// `ps`'s PORTS column: published ports (consecutive ones as ranges), then the image's exposed
/// ports that are not published.
pub fn ports_column(store: &Store, c: &ContainerRow, image_config: Option<&Value>) -> String {
    if !c.status.is_active() {
        return String::new();
    }
    let mut published = rows::ports_of(&store.db.conn, &c.id).unwrap_or_default();
    // IPv4 addresses first, then IPv6 ones (Docker's `0.0.0.0:80->80/tcp, [::]:80->80/tcp`),
    // each address's ports in order, so that ranges stay together.
    published.sort_by(|a, b| {
        (
            a.host_ip.contains(':'),
            &a.host_ip,
            a.container_port,
            &a.proto,
        )
            .cmp(&(
                b.host_ip.contains(':'),
                &b.host_ip,
                b.container_port,
                &b.proto,
            ))
    });
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < published.len() {
        let p = &published[i];
        let mut j = i;
        while j + 1 < published.len() {
            let q = &published[j + 1];
            let prev = &published[j];
            if q.proto == p.proto
                && q.host_ip == p.host_ip
                && q.container_port == prev.container_port + 1
                && q.host_port == prev.host_port + 1
            {
                j += 1;
            } else {
                break;
            }
        }
        let last = &published[j];
        let ip = host_ip_text(&p.host_ip);
        if j == i {
            parts.push(format!(
                "{ip}:{}->{}/{}",
                p.host_port, p.container_port, p.proto
            ));
        } else {
            parts.push(format!(
                "{ip}:{}-{}->{}-{}/{}",
                p.host_port, last.host_port, p.container_port, last.container_port, p.proto
            ));
        }
        i = j + 1;
    }
    if let Some(exposed) = image_config
        .and_then(|v| v.pointer("/config/ExposedPorts"))
        .and_then(|v| v.as_object())
    {
        for k in exposed.keys() {
            let (port, proto) = k.split_once('/').unwrap_or((k, "tcp"));
            let published = published
                .iter()
                .any(|p| p.container_port.to_string() == port && p.proto == proto);
            if !published {
                parts.push(format!("{port}/{proto}"));
            }
        }
    }
    parts.join(", ")
}

/// Docker's `HostConfig.PortBindings` from the `-p` flags.
pub fn port_bindings(s: &Settings) -> Value {
    let mut m: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for spec in &s.publish {
        for b in network::ports::parse(spec).unwrap_or_default() {
            let host_port = match b.host_ports {
                (0, 0) => String::new(),
                (a, z) if a == z => a.to_string(),
                (a, z) => format!("{a}-{z}"),
            };
            m.entry(format!("{}/{}", b.container_port, b.proto))
                .or_default()
                .push(json!({
                    "HostIp": b.host_ip.map(|i| i.to_string()).unwrap_or_default(),
                    "HostPort": host_port,
                }));
        }
    }
    json!(m)
}

/// Docker's `NetworkSettings` of a container.
pub fn network_settings(store: &Store, c: &ContainerRow, s: &Settings) -> Value {
    let conn = &store.db.conn;
    let running = c.status.is_active();
    let mut ports: BTreeMap<String, Value> = BTreeMap::new();
    if running {
        for p in rows::ports_of(conn, &c.id).unwrap_or_default() {
            let key = format!("{}/{}", p.container_port, p.proto);
            let entry = ports.entry(key).or_insert_with(|| json!([]));
            if let Some(arr) = entry.as_array_mut() {
                arr.push(json!({
                    "HostIp": if p.host_ip.is_empty() { "0.0.0.0".to_string() } else { p.host_ip.clone() },
                    "HostPort": p.host_port.to_string(),
                }));
            }
        }
    }
    let mut networks = Map::new();
    let mut primary: Option<Value> = None;
    for e in rows::endpoints_of(conn, &c.id).unwrap_or_default() {
        let Ok(Some(n)) = rows::network(conn, &e.network_id) else {
            continue;
        };
        let prefix: u64 = n
            .subnet
            .rsplit('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let live = running && e.ip.is_some();
        let prefix6: u64 = n
            .subnet6
            .as_deref()
            .and_then(|s| s.rsplit('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let ip6 = e.ip6.clone().filter(|_| live);
        let v = json!({
            "IPAMConfig": (e.static_ip.is_some() || e.static_ip6.is_some()).then(|| {
                let mut m = Map::new();
                if let Some(ip) = &e.static_ip {
                    m.insert("IPv4Address".into(), json!(ip));
                }
                if let Some(ip) = &e.static_ip6 {
                    m.insert("IPv6Address".into(), json!(ip));
                }
                Value::Object(m)
            }),
            "Links": null,
            "Aliases": e.aliases,
            "NetworkID": n.id,
            "EndpointID": if live { endpoint_id(&c.id, &n.id) } else { String::new() },
            "Gateway": if live { n.gateway.clone() } else { String::new() },
            "IPAddress": if live { e.ip.clone().unwrap_or_default() } else { String::new() },
            "IPPrefixLen": if live { prefix } else { 0 },
            "IPv6Gateway": if ip6.is_some() { n.gateway6.clone().unwrap_or_default() } else { String::new() },
            "GlobalIPv6Address": ip6.clone().unwrap_or_default(),
            "GlobalIPv6PrefixLen": if ip6.is_some() { prefix6 } else { 0 },
            "MacAddress": if live { e.mac.clone().unwrap_or_default() } else { String::new() },
        });
        if primary.is_none() {
            primary = Some(v.clone());
        }
        networks.insert(n.name.clone(), v);
    }
    if networks.is_empty() {
        networks.insert(s.network.shown(), json!({}));
    }
    let p = primary.unwrap_or_else(|| json!({}));
    let field = |k: &str| p.get(k).cloned().unwrap_or(json!(""));
    json!({
        "Bridge": "",
        "SandboxKey": if running && !rows::endpoints_of(conn, &c.id).unwrap_or_default().is_empty() {
            network::netns_path(store, &c.id).display().to_string()
        } else {
            String::new()
        },
        "Ports": ports,
        "Gateway": field("Gateway"),
        "IPAddress": field("IPAddress"),
        "IPPrefixLen": p.get("IPPrefixLen").cloned().unwrap_or(json!(0)),
        "IPv6Gateway": field("IPv6Gateway"),
        "GlobalIPv6Address": field("GlobalIPv6Address"),
        "GlobalIPv6PrefixLen": p.get("GlobalIPv6PrefixLen").cloned().unwrap_or(json!(0)),
        "MacAddress": field("MacAddress"),
        "Networks": networks,
    })
}
