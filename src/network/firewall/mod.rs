//! The firewall: NAT and filtering for berth's networks, behind one small interface
//! (`Firewall`) so that an nftables backend can follow. The iptables backend keeps every rule in
//! berth's own chains, reached by one jump from each built-in chain it needs; it never flushes
//! or reorders other tools' rules and never changes a policy. The chains go away with their
//! last rule.
//!
//! ```text
//! filter FORWARD      -j BERTH-FORWARD            (inserted first)
//!   BERTH-FORWARD     -j BERTH-ISOLATION-1, then per network: replies in, within, out;
//!                     per published port: new connections in
//!   BERTH-ISOLATION-1 -i BR ! -o BR -j BERTH-ISOLATION-2   (per network)
//!   BERTH-ISOLATION-2 -o BR -j DROP                        (per network)
//! nat PREROUTING, OUTPUT  -m addrtype --dst-type LOCAL -j BERTH-DNAT
//!   BERTH-DNAT        per published port: DNAT to the container
//! nat POSTROUTING     -j BERTH-POSTROUTING
//!   BERTH-POSTROUTING per network: MASQUERADE out of the subnet, from 127/8 into it, and
//!                     hairpin (a container reaching a published port of its own network)
//! ```
//!
//! Dual-stack networks and IPv6 published ports get the same chains and rules in ip6tables
//! (without the 127/8 masquerade: IPv6 has no route_localnet, ports are never published on
//! ::1); each family's chains go away with their own last rule.

use std::net::IpAddr;

use super::ipam::{Subnet, Subnet6};
use super::ports::Proto;

#[cfg(test)]
pub mod fake;
mod iptables;

pub use iptables::Iptables;

#[derive(Debug, thiserror::Error)]
#[error("firewall: {0}")]
pub struct FirewallError(pub String);

pub type Result<T> = std::result::Result<T, FirewallError>;

/// What the rules of one network depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRules {
    pub bridge: String,
    pub subnet: Subnet,
    /// The IPv6 subnet of a dual-stack network: its rules go to ip6tables.
    pub subnet6: Option<Subnet6>,
    pub internal: bool,
}

/// One published port. The container address's family decides iptables or ip6tables.
#[derive(Debug, Clone, PartialEq)]
pub struct PortRule {
    pub bridge: String,
    pub proto: Proto,
    /// None (or an unspecified address): every address of the host in the container address's
    /// family.
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
    pub container_ip: IpAddr,
    pub container_port: u16,
}

pub trait Firewall {
    fn add_network(&self, n: &NetworkRules) -> Result<()>;
    /// Removes a network's rules, and berth's chains when nothing is left in them.
    fn remove_network(&self, n: &NetworkRules) -> Result<()>;
    fn add_ports(&self, ports: &[PortRule]) -> Result<()>;
    fn remove_ports(&self, ports: &[PortRule]) -> Result<()>;
}

/// The firewall of this host.
pub fn backend() -> Result<Box<dyn Firewall>> {
    Ok(Box::new(Iptables::new()?))
}

/// How the network code gets a firewall: `backend` on a host, a fake in unit tests. Called
/// only when there are rules to change (making the iptables backend runs a command).
pub type Backend<'a> = &'a dyn Fn() -> Result<Box<dyn Firewall>>;
