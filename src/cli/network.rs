//! `berth network …` and `berth port`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::flags::kv_list;
use super::{GlobalOpts, format, report};
use crate::engine::networks::is_not_found;
use crate::engine::{Engine, NetworkConnectOptions, NetworkCreateOptions};
use crate::state::networks::PortRow;

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
    /// Exit 0 if the network exists, 1 if not
    Exists(super::container::ExistsArgs),
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
    /// Filter output (dangling=, driver=, id=, label=KEY[=VALUE], name=, scope=,
    /// type=custom|builtin)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Print no header row (podman's spelling)
    #[arg(long, alias = "noheading")]
    pub no_heading: bool,
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
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)
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
    /// MAC address of the container on this network
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
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

/// `KEY=VALUE` filters as a list (a key may repeat).
fn filter_list(filters: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    Ok(crate::filters::Filters::parse_cli(filters)?)
}

pub fn network_command(g: &GlobalOpts, c: NetworkCommand) -> anyhow::Result<i32> {
    let engine = g.engine();
    match c {
        NetworkCommand::Exists(a) => {
            return Ok(if engine.network_exists(&a.name)? {
                0
            } else {
                1
            });
        }
        NetworkCommand::Create(a) => {
            let n = engine.network_create(&NetworkCreateOptions {
                labels: kv_list(&a.label, "label")?,
                options: kv_list(&a.opt, "option")?,
                name: a.name,
                driver: a.driver,
                subnets: a.subnet,
                gateways: a.gateway,
                ipv6: a.ipv6,
                internal: a.internal,
            })?;
            println!("{}", n.id);
        }
        NetworkCommand::Ls(a) => ls(&engine, a)?,
        NetworkCommand::Inspect(a) => {
            let mut out = Vec::new();
            let mut failed = false;
            for name in &a.networks {
                match engine.network_inspect(name) {
                    Ok(v) => out.push(v),
                    Err(e) => {
                        report(&e.into());
                        failed = true;
                    }
                }
            }
            format::print_inspected(a.format.as_deref(), out)?;
            if failed {
                return Ok(1);
            }
        }
        NetworkCommand::Rm(a) => {
            let mut failed = false;
            for name in &a.networks {
                match engine.network_remove(name) {
                    Ok(()) => println!("{name}"),
                    Err(e) if a.force && is_not_found(&e) => {}
                    Err(e) => {
                        report(&e.into());
                        failed = true;
                    }
                }
            }
            if failed {
                return Ok(1);
            }
        }
        NetworkCommand::Prune(a) => {
            let removed = engine.network_prune(&filter_list(&a.filter)?)?;
            if !removed.is_empty() {
                println!("Deleted Networks:");
                for n in removed {
                    println!("{n}");
                }
            }
        }
        NetworkCommand::Connect(a) => {
            let o = NetworkConnectOptions {
                aliases: a.alias,
                ip: a.ip,
                ip6: a.ip6,
                mac_address: a.mac_address.filter(|m| !m.is_empty()),
            };
            engine.network_connect(&a.network, &a.container, &o)?;
        }
        NetworkCommand::Disconnect(a) => {
            engine.network_disconnect(&a.network, &a.container)?;
        }
    }
    Ok(0)
}

fn ls(engine: &Engine, a: LsArgs) -> anyhow::Result<()> {
    let list = engine.network_list(&filter_list(&a.filter)?)?;
    let id = |id: &str| format::object_id(id, a.no_trunc);
    if a.quiet {
        for n in &list {
            println!("{}", id(&n.id));
        }
        return Ok(());
    }
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(|n| {
            let labels: Vec<String> = n.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut m = Map::new();
            m.insert("ID".into(), json!(id(&n.id)));
            m.insert("Name".into(), json!(n.name));
            m.insert("Driver".into(), json!(n.driver));
            m.insert("Scope".into(), json!("local"));
            m.insert("IPv6".into(), json!(n.subnet6.is_some().to_string()));
            m.insert("Internal".into(), json!(n.internal.to_string()));
            m.insert("Labels".into(), json!(labels.join(",")));
            m.insert(
                "CreatedAt".into(),
                json!(format::docker_time(n.created / 1_000_000_000)),
            );
            m
        })
        .collect();
    format::print_list(
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
        &format::ListOptions {
            subject: format::Subject::Typed("*formatter.networkContext"),
            no_heading: a.no_heading,
        },
    )?;
    Ok(())
}

/// `berth port CONTAINER [PORT[/PROTO]]`
pub fn port(g: &GlobalOpts, a: PortArgs) -> anyhow::Result<i32> {
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
    let (name, ports) = g.engine().container_ports(&a.container)?;
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
        bail!("No public port '{p}' published for {name}");
    }
    Ok(0)
}

fn host_addr(p: &PortRow) -> String {
    format!(
        "{}:{}",
        super::container::host_ip_text(&p.host_ip),
        p.host_port
    )
}
