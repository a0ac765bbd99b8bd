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

use std::cell::OnceCell;
use std::net::IpAddr;

use super::ipam::{Subnet, Subnet6};
use super::ports::Proto;

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

/// A firewall that records the calls made to it and fails the ones it is told to: the seam
/// of the network code's unit tests.
#[cfg(test)]
pub mod fake {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    pub enum Call {
        AddNetwork(NetworkRules),
        RemoveNetwork(NetworkRules),
        AddPorts(Vec<PortRule>),
        RemovePorts(Vec<PortRule>),
    }

    /// Shared by every `Box<dyn Firewall>` it hands out.
    #[derive(Default, Clone)]
    pub struct Recording {
        pub calls: Rc<RefCell<Vec<Call>>>,
        /// Fail the call with this (0-based) number.
        pub fail_at: Rc<RefCell<Option<usize>>>,
    }

    impl Recording {
        pub fn failing_at(n: usize) -> Recording {
            let r = Recording::default();
            *r.fail_at.borrow_mut() = Some(n);
            r
        }

        pub fn calls(&self) -> Vec<Call> {
            self.calls.borrow().clone()
        }

        pub fn boxed(&self) -> Result<Box<dyn Firewall>> {
            Ok(Box::new(self.clone()))
        }

        fn record(&self, c: Call) -> Result<()> {
            let mut calls = self.calls.borrow_mut();
            let n = calls.len();
            calls.push(c);
            if *self.fail_at.borrow() == Some(n) {
                return Err(FirewallError(format!("call {n} failed (as told)")));
            }
            Ok(())
        }
    }

    impl Firewall for Recording {
        fn add_network(&self, n: &NetworkRules) -> Result<()> {
            self.record(Call::AddNetwork(n.clone()))
        }
        fn remove_network(&self, n: &NetworkRules) -> Result<()> {
            self.record(Call::RemoveNetwork(n.clone()))
        }
        fn add_ports(&self, ports: &[PortRule]) -> Result<()> {
            self.record(Call::AddPorts(ports.to_vec()))
        }
        fn remove_ports(&self, ports: &[PortRule]) -> Result<()> {
            self.record(Call::RemovePorts(ports.to_vec()))
        }
    }
}

const FORWARD: &str = "BERTH-FORWARD";
const ISO1: &str = "BERTH-ISOLATION-1";
const ISO2: &str = "BERTH-ISOLATION-2";
const DNAT: &str = "BERTH-DNAT";
const POST: &str = "BERTH-POSTROUTING";

/// (table, built-in chain, jump rule, insert first?)
const JUMPS: &[(&str, &str, &str, bool)] = &[
    ("filter", "FORWARD", "-j BERTH-FORWARD", true),
    (
        "nat",
        "PREROUTING",
        "-m addrtype --dst-type LOCAL -j BERTH-DNAT",
        false,
    ),
    (
        "nat",
        "OUTPUT",
        "-m addrtype --dst-type LOCAL -j BERTH-DNAT",
        false,
    ),
    ("nat", "POSTROUTING", "-j BERTH-POSTROUTING", false),
];

const CHAINS: &[(&str, &str)] = &[
    ("filter", FORWARD),
    ("filter", ISO1),
    ("filter", ISO2),
    ("nat", DNAT),
    ("nat", POST),
];

type Rule = (&'static str, &'static str, String);

/// The iptables backend: the same chains in iptables (IPv4) and, for dual-stack networks and
/// IPv6 ports, in ip6tables.
pub struct Iptables {
    v4: Table,
    /// Made on first use: hosts without IPv6 networks never run ip6tables.
    v6: OnceCell<std::result::Result<Table, String>>,
}

/// One family's command (iptables or ip6tables).
struct Table {
    ipt: iptables::IPTables,
}

fn fw_err(what: &str) -> impl FnOnce(Box<dyn std::error::Error>) -> FirewallError + '_ {
    move |e| FirewallError(format!("{what}: {e}"))
}

impl Iptables {
    pub fn new() -> Result<Iptables> {
        Ok(Iptables {
            v4: Table::new(false)?,
            v6: OnceCell::new(),
        })
    }

    fn v6(&self) -> Result<&Table> {
        self.v6
            .get_or_init(|| Table::new(true).map_err(|e| e.0))
            .as_ref()
            .map_err(|e| FirewallError(format!("IPv6 needs ip6tables: {e}")))
    }

    fn family(&self, ip: IpAddr) -> Result<&Table> {
        match ip {
            IpAddr::V4(_) => Ok(&self.v4),
            IpAddr::V6(_) => self.v6(),
        }
    }

    fn network_rules(n: &NetworkRules) -> Vec<Rule> {
        let br = &n.bridge;
        let net = n.subnet;
        let mut r = Self::common_rules(br, &net.to_string(), n.internal);
        r.push(("nat", POST, format!("-s 127.0.0.0/8 -o {br} -j MASQUERADE")));
        r
    }

    /// The ip6tables rules of a dual-stack network: the IPv4 ones without the loopback
    /// masquerade (IPv6 has no route_localnet: ports are never published on ::1).
    fn network_rules6(n: &NetworkRules, net: Subnet6) -> Vec<Rule> {
        Self::common_rules(&n.bridge, &net.to_string(), n.internal)
    }

    fn common_rules(br: &str, net: &str, internal: bool) -> Vec<Rule> {
        let mut r = vec![
            ("filter", ISO1, format!("-i {br} ! -o {br} -j {ISO2}")),
            ("filter", ISO2, format!("-o {br} -j DROP")),
            (
                "filter",
                FORWARD,
                format!("-o {br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"),
            ),
            ("filter", FORWARD, format!("-i {br} -o {br} -j ACCEPT")),
        ];
        if internal {
            r.push(("filter", FORWARD, format!("-i {br} -j DROP")));
            r.push(("filter", FORWARD, format!("-o {br} -j DROP")));
        } else {
            r.push(("filter", FORWARD, format!("-i {br} ! -o {br} -j ACCEPT")));
            r.push(("nat", POST, format!("-s {net} ! -o {br} -j MASQUERADE")));
        }
        r.push((
            "nat",
            POST,
            format!("-s {net} -d {net} -o {br} -m conntrack --ctstate DNAT -j MASQUERADE"),
        ));
        r
    }

    fn port_rules(p: &PortRule) -> Vec<Rule> {
        let proto = p.proto;
        let (host_len, to) = match p.container_ip {
            IpAddr::V4(ip) => (32, format!("{ip}:{}", p.container_port)),
            IpAddr::V6(ip) => (128, format!("[{ip}]:{}", p.container_port)),
        };
        let dst = match p.host_ip {
            Some(ip) if ip.is_unspecified() => String::new(),
            Some(ip) if ip.is_loopback() => {
                // Only the host itself may use a port published on a loopback address: a
                // packet for 127.0.0.1 that arrives from another interface is not translated
                // (and then dropped as martian) — Docker's moby#45610 hole stays shut.
                format!("-d {ip}/{host_len} -m addrtype --src-type LOCAL ")
            }
            Some(ip) => format!("-d {ip}/{host_len} "),
            None => String::new(),
        };
        vec![
            (
                "nat",
                DNAT,
                format!(
                    "{dst}-p {proto} -m {proto} --dport {} -j DNAT --to-destination {to}",
                    p.host_port
                ),
            ),
            (
                "filter",
                FORWARD,
                format!(
                    "-d {}/{host_len} ! -i {br} -o {br} -p {proto} -m {proto} --dport {} -j ACCEPT",
                    p.container_ip,
                    p.container_port,
                    br = p.bridge
                ),
            ),
        ]
    }
}

impl Table {
    fn new(v6: bool) -> Result<Table> {
        // Only -S (always numeric: no name lookups), -C, -A, -I, -D, -N, -F and -X are used;
        // never -L, which would resolve addresses to names.
        let ipt = iptables::new(v6).map_err(fw_err(if v6 {
            "running ip6tables"
        } else {
            "running iptables"
        }))?;
        Ok(Table { ipt })
    }

    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool {
        self.ipt.exists(table, chain, rule).unwrap_or(false)
    }

    fn append(&self, table: &str, chain: &str, rule: &str) -> Result<()> {
        if self.exists(table, chain, rule) {
            return Ok(());
        }
        self.ipt.append(table, chain, rule).map_err(fw_err(&format!(
            "{} -t {table} -A {chain} {rule}",
            self.ipt.cmd
        )))
    }

    fn append_all(&self, rules: &[Rule]) -> Result<()> {
        for (t, c, r) in rules {
            self.append(t, c, r)?;
        }
        Ok(())
    }

    fn delete(&self, table: &str, chain: &str, rule: &str) {
        // Deleting a rule that is not there fails: that is fine (removal is idempotent).
        let _ = self.ipt.delete_all(table, chain, rule);
    }

    fn delete_all(&self, rules: &[Rule]) {
        for (t, c, r) in rules {
            self.delete(t, c, r);
        }
    }

    /// The rules of a chain as `iptables -S` prints them; None when the chain does not exist
    /// (or cannot be listed).
    fn list(&self, table: &str, chain: &str) -> Option<Vec<String>> {
        let out = self.ipt.execute(table, &format!("-S {chain}")).ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
    }

    /// Berth's chains and the jumps to them, made when missing.
    fn ensure_chains(&self) -> Result<()> {
        for (table, chain) in CHAINS {
            if self.list(table, chain).is_none() {
                self.ipt
                    .new_chain(table, chain)
                    .map_err(fw_err(&format!("{} -t {table} -N {chain}", self.ipt.cmd)))?;
            }
        }
        self.append("filter", FORWARD, &format!("-j {ISO1}"))?;
        for (table, chain, rule, first) in JUMPS {
            if self.exists(table, chain, rule) {
                continue;
            }
            let r = if *first {
                self.ipt.insert(table, chain, rule, 1)
            } else {
                self.ipt.append(table, chain, rule)
            };
            r.map_err(fw_err(&format!(
                "{} -t {table} {chain} {rule}",
                self.ipt.cmd
            )))?;
        }
        Ok(())
    }

    /// Removes berth's jumps and chains once no rule is left in them. A chain that cannot be
    /// listed counts as busy: nothing is removed on doubt.
    fn remove_chains_if_empty(&self) {
        let mut present = Vec::new();
        for (table, chain) in CHAINS {
            let Some(rules) = self.list(table, chain) else {
                // Missing (fine) or unreadable: `-S` fails the same way for both, so look
                // again with the whole table.
                let all = self.ipt.execute(table, "-S").ok();
                let listed = all.as_ref().is_some_and(|o| o.status.success());
                let declared = all.as_ref().is_some_and(|o| {
                    String::from_utf8_lossy(&o.stdout)
                        .lines()
                        .any(|l| l == format!("-N {chain}"))
                });
                if !listed || declared {
                    return;
                }
                continue;
            };
            let busy = rules
                .iter()
                .any(|r| r.starts_with("-A ") && !r.ends_with(&format!("-j {ISO1}")));
            if busy {
                return;
            }
            present.push((*table, *chain));
        }
        for (table, chain, rule, _) in JUMPS {
            self.delete(table, chain, rule);
        }
        for (table, chain) in &present {
            let _ = self.ipt.flush_chain(table, chain);
        }
        for (table, chain) in &present {
            let _ = self.ipt.delete_chain(table, chain);
        }
    }
}

impl Firewall for Iptables {
    fn add_network(&self, n: &NetworkRules) -> Result<()> {
        self.v4.ensure_chains()?;
        self.v4.append_all(&Iptables::network_rules(n))?;
        if let Some(s6) = n.subnet6 {
            let v6 = self.v6()?;
            v6.ensure_chains()?;
            v6.append_all(&Iptables::network_rules6(n, s6))?;
        }
        Ok(())
    }

    fn remove_network(&self, n: &NetworkRules) -> Result<()> {
        self.v4.delete_all(&Iptables::network_rules(n));
        self.v4.remove_chains_if_empty();
        if let Some(s6) = n.subnet6 {
            let v6 = self.v6()?;
            v6.delete_all(&Iptables::network_rules6(n, s6));
            v6.remove_chains_if_empty();
        }
        Ok(())
    }

    fn add_ports(&self, ports: &[PortRule]) -> Result<()> {
        let mut ready = [false, false];
        for p in ports {
            let t = self.family(p.container_ip)?;
            let i = p.container_ip.is_ipv6() as usize;
            if !ready[i] {
                t.ensure_chains()?;
                ready[i] = true;
            }
            t.append_all(&Iptables::port_rules(p))?;
        }
        Ok(())
    }

    fn remove_ports(&self, ports: &[PortRule]) -> Result<()> {
        for p in ports {
            self.family(p.container_ip)?
                .delete_all(&Iptables::port_rules(p));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn ipv6_rules_mirror_ipv4() {
        let p = PortRule {
            bridge: "br-x".into(),
            proto: Proto::Tcp,
            host_ip: Some("fd00::2".parse().unwrap()),
            host_port: 8080,
            container_ip: "fd11:2233:4455::2".parse().unwrap(),
            container_port: 80,
        };
        let r = Iptables::port_rules(&p);
        assert_eq!(
            r[0].2,
            "-d fd00::2/128 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [fd11:2233:4455::2]:80"
        );
        assert_eq!(
            r[1].2,
            "-d fd11:2233:4455::2/128 ! -i br-x -o br-x -p tcp -m tcp --dport 80 -j ACCEPT"
        );
        let any = PortRule {
            host_ip: Some("::".parse().unwrap()),
            ..p
        };
        assert!(Iptables::port_rules(&any)[0].2.starts_with("-p tcp"));
        let n = NetworkRules {
            bridge: "br-x".into(),
            subnet: "10.89.1.0/24".parse().unwrap(),
            subnet6: Some("fd11:2233:4455::/64".parse().unwrap()),
            internal: false,
        };
        let r6 = Iptables::network_rules6(&n, n.subnet6.unwrap());
        assert!(
            r6.iter()
                .any(|(_, _, x)| x == "-s fd11:2233:4455::/64 ! -o br-x -j MASQUERADE")
        );
        assert!(!r6.iter().any(|(_, _, x)| x.contains("127.0.0.0/8")));
        assert_eq!(r6.len() + 1, Iptables::network_rules(&n).len());
    }

    #[test]
    fn loopback_ports_only_match_local_sources() {
        let p = PortRule {
            bridge: "berth0".into(),
            proto: Proto::Tcp,
            host_ip: Some(Ipv4Addr::LOCALHOST.into()),
            host_port: 8080,
            container_ip: Ipv4Addr::new(10, 88, 0, 2).into(),
            container_port: 80,
        };
        let r = Iptables::port_rules(&p);
        assert_eq!(
            r[0].2,
            "-d 127.0.0.1/32 -m addrtype --src-type LOCAL -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.88.0.2:80"
        );
        let any = PortRule {
            host_ip: None,
            proto: Proto::Udp,
            ..p
        };
        assert!(
            Iptables::port_rules(&any)[0]
                .2
                .starts_with("-p udp -m udp --dport 8080")
        );
    }

    #[test]
    fn internal_networks_have_no_way_out() {
        let n = NetworkRules {
            bridge: "br-x".into(),
            subnet: "10.89.1.0/24".parse().unwrap(),
            subnet6: None,
            internal: true,
        };
        let r = Iptables::network_rules(&n);
        assert!(r.iter().any(|(_, _, x)| x == "-i br-x -j DROP"));
        assert!(
            !r.iter()
                .any(|(_, _, x)| x.contains("! -o br-x -j MASQUERADE"))
        );
    }
}
