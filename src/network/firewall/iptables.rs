//! The iptables backend.

use std::cell::OnceCell;
use std::net::IpAddr;

use super::{Firewall, FirewallError, NetworkRules, PortRule, Result};
use crate::network::ipam::Subnet6;

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
    open: Opener,
}

/// Opens one family's command (`true`: IPv6).
type Opener = Box<dyn Fn(bool) -> Result<Box<dyn Command>>>;

type CommandResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// The commands the backend runs in one family's tables: the `iptables` crate on a host, an
/// in-memory table in unit tests. Only -S (always numeric: no name lookups), -C, -A, -I, -D,
/// -N, -F and -X; never -L, which would resolve addresses to names.
pub(super) trait Command {
    /// `iptables` or `ip6tables`, for messages.
    fn name(&self) -> &str;
    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool;
    fn append(&self, table: &str, chain: &str, rule: &str) -> CommandResult;
    fn insert_first(&self, table: &str, chain: &str, rule: &str) -> CommandResult;
    /// Deletes every copy of the rule; one that is not there is no error.
    fn delete(&self, table: &str, chain: &str, rule: &str);
    /// `-S [chain]`: the chain's (or the whole table's) rules; None if that fails (a missing
    /// chain, or a table that cannot be read).
    fn list(&self, table: &str, chain: Option<&str>) -> Option<Vec<String>>;
    fn new_chain(&self, table: &str, chain: &str) -> CommandResult;
    fn flush_chain(&self, table: &str, chain: &str);
    fn delete_chain(&self, table: &str, chain: &str);
}

impl Command for ::iptables::IPTables {
    fn name(&self) -> &str {
        self.cmd
    }
    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool {
        ::iptables::IPTables::exists(self, table, chain, rule).unwrap_or(false)
    }
    fn append(&self, table: &str, chain: &str, rule: &str) -> CommandResult {
        ::iptables::IPTables::append(self, table, chain, rule)
    }
    fn insert_first(&self, table: &str, chain: &str, rule: &str) -> CommandResult {
        self.insert(table, chain, rule, 1)
    }
    fn delete(&self, table: &str, chain: &str, rule: &str) {
        let _ = self.delete_all(table, chain, rule);
    }
    fn list(&self, table: &str, chain: Option<&str>) -> Option<Vec<String>> {
        let args = chain.map_or_else(|| "-S".to_string(), |c| format!("-S {c}"));
        let out = self.execute(table, &args).ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect()
        })
    }
    fn new_chain(&self, table: &str, chain: &str) -> CommandResult {
        ::iptables::IPTables::new_chain(self, table, chain)
    }
    fn flush_chain(&self, table: &str, chain: &str) {
        let _ = ::iptables::IPTables::flush_chain(self, table, chain);
    }
    fn delete_chain(&self, table: &str, chain: &str) {
        let _ = ::iptables::IPTables::delete_chain(self, table, chain);
    }
}

/// One family's tables (iptables or ip6tables).
struct Table {
    ipt: Box<dyn Command>,
}

fn fw_err(what: &str) -> impl FnOnce(Box<dyn std::error::Error>) -> FirewallError + '_ {
    move |e| FirewallError(format!("{what}: {e}"))
}

impl Iptables {
    pub fn new() -> Result<Iptables> {
        Iptables::with(Box::new(|v6| {
            let ipt = ::iptables::new(v6).map_err(fw_err(if v6 {
                "running ip6tables"
            } else {
                "running iptables"
            }))?;
            Ok(Box::new(ipt) as Box<dyn Command>)
        }))
    }

    /// The backend over the commands `open` gives.
    fn with(open: Opener) -> Result<Iptables> {
        Ok(Iptables {
            v4: Table { ipt: open(false)? },
            v6: OnceCell::new(),
            open,
        })
    }

    fn v6(&self) -> Result<&Table> {
        self.v6
            .get_or_init(|| (self.open)(true).map(|ipt| Table { ipt }).map_err(|e| e.0))
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
    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool {
        self.ipt.exists(table, chain, rule)
    }

    fn append(&self, table: &str, chain: &str, rule: &str) -> Result<()> {
        if self.exists(table, chain, rule) {
            return Ok(());
        }
        self.ipt.append(table, chain, rule).map_err(fw_err(&format!(
            "{} -t {table} -A {chain} {rule}",
            self.ipt.name()
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
        self.ipt.delete(table, chain, rule);
    }

    fn delete_all(&self, rules: &[Rule]) {
        for (t, c, r) in rules {
            self.delete(t, c, r);
        }
    }

    /// The rules of a chain as `iptables -S` prints them; None when the chain does not exist
    /// (or cannot be listed).
    fn list(&self, table: &str, chain: &str) -> Option<Vec<String>> {
        self.ipt.list(table, Some(chain))
    }

    /// Berth's chains and the jumps to them, made when missing.
    fn ensure_chains(&self) -> Result<()> {
        for (table, chain) in CHAINS {
            if self.list(table, chain).is_none() {
                self.ipt.new_chain(table, chain).map_err(fw_err(&format!(
                    "{} -t {table} -N {chain}",
                    self.ipt.name()
                )))?;
            }
        }
        self.append("filter", FORWARD, &format!("-j {ISO1}"))?;
        for (table, chain, rule, first) in JUMPS {
            if self.exists(table, chain, rule) {
                continue;
            }
            let r = if *first {
                self.ipt.insert_first(table, chain, rule)
            } else {
                self.ipt.append(table, chain, rule)
            };
            r.map_err(fw_err(&format!(
                "{} -t {table} {chain} {rule}",
                self.ipt.name()
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
                let all = self.ipt.list(table, None);
                let listed = all.is_some();
                let declared = all
                    .as_ref()
                    .is_some_and(|lines| lines.iter().any(|l| *l == format!("-N {chain}")));
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
            self.ipt.flush_chain(table, chain);
        }
        for (table, chain) in &present {
            self.ipt.delete_chain(table, chain);
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
    use crate::network::ports::Proto;
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

    use super::super::fake::Memory;

    /// The backend over in-memory tables: (backend, IPv4 tables, IPv6 tables).
    fn in_memory() -> (Iptables, Memory, Memory) {
        let (v4, v6) = (Memory::host(), Memory::host());
        let (a, b) = (v4.clone(), v6.clone());
        let fw = Iptables::with(Box::new(move |ipv6| {
            Ok(Box::new(if ipv6 { b.clone() } else { a.clone() }) as Box<dyn Command>)
        }))
        .unwrap();
        (fw, v4, v6)
    }

    fn net(bridge: &str, subnet: &str, subnet6: Option<&str>) -> NetworkRules {
        NetworkRules {
            bridge: bridge.into(),
            subnet: subnet.parse().unwrap(),
            subnet6: subnet6.map(|s| s.parse().unwrap()),
            internal: false,
        }
    }

    /// Berth's user chains of both tables, and the jumps to them, of one family.
    fn berth_state(m: &Memory) -> (Vec<String>, Vec<String>) {
        let t = m.0.borrow();
        let mut chains = t.user_chains("filter");
        chains.extend(t.user_chains("nat"));
        let mut jumps = Vec::new();
        for (table, chain) in [
            ("filter", "FORWARD"),
            ("nat", "PREROUTING"),
            ("nat", "OUTPUT"),
            ("nat", "POSTROUTING"),
        ] {
            for r in t.rules(table, chain).unwrap() {
                if r.contains("-j BERTH-") {
                    jumps.push(format!("{table} {chain} {r}"));
                }
            }
        }
        (chains, jumps)
    }

    #[test]
    fn chains_and_jumps_go_with_the_last_network() {
        let (fw, v4, v6) = in_memory();
        let a = net("br-a", "10.89.1.0/24", None);
        let b = net("br-b", "10.89.2.0/24", None);
        fw.add_network(&a).unwrap();
        fw.add_network(&a).unwrap(); // again: nothing doubled
        fw.add_network(&b).unwrap();
        let port = PortRule {
            bridge: "br-a".into(),
            proto: Proto::Tcp,
            host_ip: None,
            host_port: 8080,
            container_ip: "10.89.1.2".parse().unwrap(),
            container_port: 80,
        };
        fw.add_ports(std::slice::from_ref(&port)).unwrap();
        let (chains, jumps) = berth_state(&v4);
        assert_eq!(chains.len(), 5, "{chains:?}");
        assert_eq!(jumps.len(), 4, "{jumps:?}");
        let forward =
            v4.0.borrow()
                .rules("filter", "BERTH-FORWARD")
                .unwrap()
                .clone();
        let unique: std::collections::BTreeSet<_> = forward.iter().collect();
        assert_eq!(unique.len(), forward.len(), "no rule twice: {forward:?}");
        // ip6tables was never needed.
        assert_eq!(berth_state(&v6), (vec![], vec![]));

        fw.remove_ports(std::slice::from_ref(&port)).unwrap();
        fw.remove_network(&a).unwrap();
        let (chains, jumps) = berth_state(&v4);
        assert_eq!((chains.len(), jumps.len()), (5, 4), "b still needs them");
        assert!(
            !v4.0
                .borrow()
                .chains
                .iter()
                .any(|(_, _, _, r)| r.iter().any(|x| x.contains("br-a"))),
            "a's rules are gone"
        );

        fw.remove_network(&b).unwrap();
        assert_eq!(berth_state(&v4), (vec![], vec![]));
        // Removing again (a crashed undo being redone) is harmless.
        fw.remove_network(&b).unwrap();
        assert_eq!(berth_state(&v4), (vec![], vec![]));
    }

    #[test]
    fn the_forward_jump_comes_before_other_tools_rules() {
        let (fw, v4, _) = in_memory();
        v4.0.borrow_mut()
            .chains
            .iter_mut()
            .find(|(t, c, _, _)| t == "filter" && c == "FORWARD")
            .unwrap()
            .3
            .push("-j DOCKER-USER".into());
        fw.add_network(&net("br-a", "10.89.1.0/24", None)).unwrap();
        let forward = v4.0.borrow().rules("filter", "FORWARD").unwrap().clone();
        assert_eq!(forward, vec!["-j BERTH-FORWARD", "-j DOCKER-USER"]);
        fw.remove_network(&net("br-a", "10.89.1.0/24", None))
            .unwrap();
        let forward = v4.0.borrow().rules("filter", "FORWARD").unwrap().clone();
        assert_eq!(forward, vec!["-j DOCKER-USER"], "other tools' rules stay");
    }

    #[test]
    fn a_rule_berth_did_not_make_keeps_the_chains() {
        let (fw, v4, _) = in_memory();
        let a = net("br-a", "10.89.1.0/24", None);
        fw.add_network(&a).unwrap();
        // Someone added their own rule to berth's chain.
        Command::append(&v4, "filter", "BERTH-FORWARD", "-s 192.0.2.1 -j DROP").unwrap();
        fw.remove_network(&a).unwrap();
        let (chains, jumps) = berth_state(&v4);
        assert_eq!(
            (chains.len(), jumps.len()),
            (5, 4),
            "nothing removed on doubt"
        );
        assert_eq!(
            v4.0.borrow().rules("filter", "BERTH-FORWARD").unwrap(),
            &vec![
                "-j BERTH-ISOLATION-1".to_string(),
                "-s 192.0.2.1 -j DROP".into()
            ]
        );
    }

    #[test]
    fn an_unreadable_table_keeps_the_chains() {
        let (fw, v4, _) = in_memory();
        let a = net("br-a", "10.89.1.0/24", None);
        fw.add_network(&a).unwrap();
        v4.0.borrow_mut().unreadable = true;
        fw.remove_network(&a).unwrap();
        v4.0.borrow_mut().unreadable = false;
        let (chains, jumps) = berth_state(&v4);
        assert_eq!((chains.len(), jumps.len()), (5, 4));
    }

    #[test]
    fn each_family_loses_its_chains_with_its_own_last_rule() {
        let (fw, v4, v6) = in_memory();
        let dual = net("br-d", "10.89.1.0/24", Some("fd11:2233:4455::/64"));
        let v4_only = net("br-a", "10.89.2.0/24", None);
        fw.add_network(&dual).unwrap();
        fw.add_network(&v4_only).unwrap();
        assert_eq!(berth_state(&v6).0.len(), 5);
        let port6 = PortRule {
            bridge: "br-d".into(),
            proto: Proto::Udp,
            host_ip: None,
            host_port: 5353,
            container_ip: "fd11:2233:4455::2".parse().unwrap(),
            container_port: 53,
        };
        fw.add_ports(std::slice::from_ref(&port6)).unwrap();
        assert!(
            v6.0.borrow()
                .rules("nat", "BERTH-DNAT")
                .unwrap()
                .iter()
                .any(|r| r.contains("[fd11:2233:4455::2]:53"))
        );
        fw.remove_ports(std::slice::from_ref(&port6)).unwrap();
        fw.remove_network(&dual).unwrap();
        assert_eq!(berth_state(&v6), (vec![], vec![]));
        assert_eq!(
            berth_state(&v4).0.len(),
            5,
            "the IPv4 network still uses them"
        );
        fw.remove_network(&v4_only).unwrap();
        assert_eq!(berth_state(&v4), (vec![], vec![]));
    }
}
