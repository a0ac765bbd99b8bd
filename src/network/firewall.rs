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

use std::net::Ipv4Addr;

use super::ipam::Subnet;
use super::ports::Proto;

#[derive(Debug, thiserror::Error)]
#[error("firewall: {0}")]
pub struct FirewallError(pub String);

pub type Result<T> = std::result::Result<T, FirewallError>;

/// What the rules of one network depend on.
#[derive(Debug, Clone)]
pub struct NetworkRules {
    pub bridge: String,
    pub subnet: Subnet,
    pub internal: bool,
}

/// One published port.
#[derive(Debug, Clone, PartialEq)]
pub struct PortRule {
    pub bridge: String,
    pub proto: Proto,
    /// None: every address of the host.
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub container_ip: Ipv4Addr,
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

pub struct Iptables {
    ipt: iptables::IPTables,
}

fn fw_err(what: &str) -> impl FnOnce(Box<dyn std::error::Error>) -> FirewallError + '_ {
    move |e| FirewallError(format!("{what}: {e}"))
}

impl Iptables {
    pub fn new() -> Result<Iptables> {
        // Only -S (always numeric: no name lookups), -C, -A, -I, -D, -N, -F and -X are used;
        // never -L, which would resolve addresses to names.
        let ipt = iptables::new(false).map_err(fw_err("running iptables"))?;
        Ok(Iptables { ipt })
    }

    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool {
        self.ipt.exists(table, chain, rule).unwrap_or(false)
    }

    fn append(&self, table: &str, chain: &str, rule: &str) -> Result<()> {
        if self.exists(table, chain, rule) {
            return Ok(());
        }
        self.ipt
            .append(table, chain, rule)
            .map_err(fw_err(&format!("-t {table} -A {chain} {rule}")))
    }

    fn delete(&self, table: &str, chain: &str, rule: &str) {
        // Deleting a rule that is not there fails: that is fine (removal is idempotent).
        let _ = self.ipt.delete_all(table, chain, rule);
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
                    .map_err(fw_err(&format!("-t {table} -N {chain}")))?;
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
            r.map_err(fw_err(&format!("-t {table} {chain} {rule}")))?;
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

    fn network_rules(n: &NetworkRules) -> Vec<(&'static str, &'static str, String)> {
        let br = &n.bridge;
        let net = n.subnet;
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
        if n.internal {
            r.push(("filter", FORWARD, format!("-i {br} -j DROP")));
            r.push(("filter", FORWARD, format!("-o {br} -j DROP")));
        } else {
            r.push(("filter", FORWARD, format!("-i {br} ! -o {br} -j ACCEPT")));
            r.push(("nat", POST, format!("-s {net} ! -o {br} -j MASQUERADE")));
        }
        r.push(("nat", POST, format!("-s 127.0.0.0/8 -o {br} -j MASQUERADE")));
        r.push((
            "nat",
            POST,
            format!("-s {net} -d {net} -o {br} -m conntrack --ctstate DNAT -j MASQUERADE"),
        ));
        r
    }

    fn port_rules(p: &PortRule) -> Vec<(&'static str, &'static str, String)> {
        let proto = p.proto;
        let dst = match p.host_ip {
            Some(ip) if ip.is_loopback() => {
                // Only the host itself may use a port published on a loopback address: a
                // packet for 127.0.0.1 that arrives from another interface is not translated
                // (and then dropped as martian) — Docker's moby#45610 hole stays shut.
                format!("-d {ip}/32 -m addrtype --src-type LOCAL ")
            }
            Some(ip) => format!("-d {ip}/32 "),
            None => String::new(),
        };
        vec![
            (
                "nat",
                DNAT,
                format!(
                    "{dst}-p {proto} -m {proto} --dport {} -j DNAT --to-destination {}:{}",
                    p.host_port, p.container_ip, p.container_port
                ),
            ),
            (
                "filter",
                FORWARD,
                format!(
                    "-d {}/32 ! -i {br} -o {br} -p {proto} -m {proto} --dport {} -j ACCEPT",
                    p.container_ip,
                    p.container_port,
                    br = p.bridge
                ),
            ),
        ]
    }
}

impl Firewall for Iptables {
    fn add_network(&self, n: &NetworkRules) -> Result<()> {
        self.ensure_chains()?;
        for (t, c, r) in Iptables::network_rules(n) {
            self.append(t, c, &r)?;
        }
        Ok(())
    }

    fn remove_network(&self, n: &NetworkRules) -> Result<()> {
        for (t, c, r) in Iptables::network_rules(n) {
            self.delete(t, c, &r);
        }
        self.remove_chains_if_empty();
        Ok(())
    }

    fn add_ports(&self, ports: &[PortRule]) -> Result<()> {
        if ports.is_empty() {
            return Ok(());
        }
        self.ensure_chains()?;
        for p in ports {
            for (t, c, r) in Iptables::port_rules(p) {
                self.append(t, c, &r)?;
            }
        }
        Ok(())
    }

    fn remove_ports(&self, ports: &[PortRule]) -> Result<()> {
        for p in ports {
            for (t, c, r) in Iptables::port_rules(p) {
                self.delete(t, c, &r);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_ports_only_match_local_sources() {
        let p = PortRule {
            bridge: "berth0".into(),
            proto: Proto::Tcp,
            host_ip: Some(Ipv4Addr::LOCALHOST),
            host_port: 8080,
            container_ip: Ipv4Addr::new(10, 88, 0, 2),
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
