//! Fakes of the firewall for unit tests.

use std::cell::RefCell;
use std::rc::Rc;

use super::{Firewall, FirewallError, NetworkRules, PortRule, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    AddNetwork(NetworkRules),
    RemoveNetwork(NetworkRules),
    AddPorts(Vec<PortRule>),
    RemovePorts(Vec<PortRule>),
}

/// A firewall that records the calls made to it and fails the ones it is told to: the seam
/// of the network code's unit tests. Shared by every `Box<dyn Firewall>` it hands out.
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

/// One family's iptables tables in memory, for the iptables backend's unit tests: built-in
/// chains to start with, `-N`/`-A`/`-I`/`-D`/`-F`/`-X` and `-S` as iptables does them.
#[derive(Debug, Default)]
pub struct Tables {
    /// (table, chain, built-in, rules).
    pub chains: Vec<(String, String, bool, Vec<String>)>,
    /// Every `-S` fails (a table that cannot be read).
    pub unreadable: bool,
}

impl Tables {
    /// The built-in chains berth jumps from, empty.
    pub fn host() -> Tables {
        let builtin = [
            ("filter", "FORWARD"),
            ("nat", "PREROUTING"),
            ("nat", "OUTPUT"),
            ("nat", "POSTROUTING"),
        ];
        Tables {
            chains: builtin
                .iter()
                .map(|(t, c)| (t.to_string(), c.to_string(), true, Vec::new()))
                .collect(),
            unreadable: false,
        }
    }

    /// The rules of a chain; None if it does not exist.
    pub fn rules(&self, table: &str, chain: &str) -> Option<&Vec<String>> {
        self.chains
            .iter()
            .find(|(t, c, _, _)| t == table && c == chain)
            .map(|(_, _, _, r)| r)
    }

    fn rules_mut(&mut self, table: &str, chain: &str) -> Option<&mut Vec<String>> {
        self.chains
            .iter_mut()
            .find(|(t, c, _, _)| t == table && c == chain)
            .map(|(_, _, _, r)| r)
    }

    /// The user-defined chains of a table.
    pub fn user_chains(&self, table: &str) -> Vec<String> {
        self.chains
            .iter()
            .filter(|(t, _, builtin, _)| t == table && !builtin)
            .map(|(_, c, _, _)| c.clone())
            .collect()
    }
}

/// A [`super::iptables::Command`] over shared in-memory [`Tables`].
#[derive(Clone)]
pub struct Memory(pub Rc<RefCell<Tables>>);

impl Memory {
    pub fn host() -> Memory {
        Memory(Rc::new(RefCell::new(Tables::host())))
    }

    /// `-A` (or `-I … 1` when `first`): fails on a chain that does not exist.
    fn add(
        &self,
        table: &str,
        chain: &str,
        rule: &str,
        first: bool,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let mut t = self.0.borrow_mut();
        let rules = t
            .rules_mut(table, chain)
            .ok_or_else(|| missing(table, chain))?;
        let at = if first { 0 } else { rules.len() };
        rules.insert(at, rule.to_string());
        Ok(())
    }
}

fn missing(table: &str, chain: &str) -> Box<dyn std::error::Error> {
    format!("iptables: No chain/target/match by that name ({table} {chain})").into()
}

impl super::iptables::Command for Memory {
    fn name(&self) -> &str {
        "iptables"
    }
    fn exists(&self, table: &str, chain: &str, rule: &str) -> bool {
        self.0
            .borrow()
            .rules(table, chain)
            .is_some_and(|r| r.iter().any(|x| x == rule))
    }
    fn append(
        &self,
        table: &str,
        chain: &str,
        rule: &str,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        self.add(table, chain, rule, false)
    }
    fn insert_first(
        &self,
        table: &str,
        chain: &str,
        rule: &str,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        self.add(table, chain, rule, true)
    }
    fn delete(&self, table: &str, chain: &str, rule: &str) {
        if let Some(rules) = self.0.borrow_mut().rules_mut(table, chain) {
            rules.retain(|x| x != rule);
        }
    }
    fn list(&self, table: &str, chain: Option<&str>) -> Option<Vec<String>> {
        let t = self.0.borrow();
        if t.unreadable {
            return None;
        }
        let chosen: Vec<_> = t
            .chains
            .iter()
            .filter(|(tb, c, _, _)| tb == table && chain.is_none_or(|want| want == c))
            .collect();
        if chain.is_some() && chosen.is_empty() {
            return None;
        }
        let mut out: Vec<String> = chosen
            .iter()
            .map(|(_, c, builtin, _)| {
                if *builtin {
                    format!("-P {c} ACCEPT")
                } else {
                    format!("-N {c}")
                }
            })
            .collect();
        for (_, c, _, rules) in &chosen {
            out.extend(rules.iter().map(|r| format!("-A {c} {r}")));
        }
        Some(out)
    }
    fn new_chain(
        &self,
        table: &str,
        chain: &str,
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let mut t = self.0.borrow_mut();
        if t.rules(table, chain).is_some() {
            return Err(format!("iptables: Chain already exists ({chain})").into());
        }
        t.chains
            .push((table.to_string(), chain.to_string(), false, Vec::new()));
        Ok(())
    }
    fn flush_chain(&self, table: &str, chain: &str) {
        if let Some(rules) = self.0.borrow_mut().rules_mut(table, chain) {
            rules.clear();
        }
    }
    fn delete_chain(&self, table: &str, chain: &str) {
        let mut t = self.0.borrow_mut();
        // -X refuses a chain that still has rules or that a rule jumps to.
        let referenced = t.chains.iter().any(|(tb, _, _, r)| {
            tb == table && r.iter().any(|x| x.ends_with(&format!("-j {chain}")))
        });
        if referenced || t.rules(table, chain).is_none_or(|r| !r.is_empty()) {
            return;
        }
        t.chains
            .retain(|(tb, c, builtin, _)| !(tb == table && c == chain && !builtin));
    }
}
