//! Helpers of the network tests (`network.rs`, `network_ipv6.rs`): images, redis PING, iptables
//! dumps, free ports, addresses, a peer namespace standing for another host on the LAN.

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::Command;

use super::common::{Berth, image, inspect, wait_until};

pub fn redis(b: &Berth) -> String {
    b.pull("redis:latest");
    image("redis")
}

pub fn debian(b: &Berth) -> String {
    b.pull("debian:bookworm");
    image("debian:bookworm")
}

/// `redis-cli -h HOST -p PORT ping` from the host, with a short timeout.
pub fn redis_ping(host: &str, port: u16) -> String {
    let out = Command::new("timeout")
        .args([
            "5",
            "redis-cli",
            "-h",
            host,
            "-p",
            &port.to_string(),
            "ping",
        ])
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits until redis answers PONG on HOST:PORT.
pub fn wait_pong(host: &str, port: u16) {
    wait_until(20, &format!("PONG from {host}:{port}"), || {
        redis_ping(host, port) == "PONG"
    });
}

pub fn iptables_save() -> String {
    let out = Command::new("iptables-save").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            // Counters change; chain declarations carry them.
            l.split(" [").next().unwrap_or(l).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A free TCP port on the host (bound and released).
pub fn free_port() -> u16 {
    TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One of the host's own non-loopback IPv4 addresses.
pub fn host_address() -> String {
    let out = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "scope", "global"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.contains(" berth") && !l.contains(" br-"))
        .find_map(|l| {
            l.split_whitespace()
                .skip_while(|w| *w != "inet")
                .nth(1)
                .map(|a| a.split('/').next().unwrap().to_string())
        })
        .expect("a global IPv4 address on the host")
}

/// The network's bridge: the name its options give (the default network's, or one asked
/// for), else Docker's `br-` and the first 12 digits of its ID.
pub fn bridge_of(b: &Berth, network: &str) -> String {
    let v = inspect(b, network);
    match v["Options"]["com.docker.network.bridge.name"].as_str() {
        Some(name) => name.to_string(),
        None => format!("br-{}", &v["Id"].as_str().unwrap()[..12]),
    }
}

pub fn container_ip(b: &Berth, name: &str) -> String {
    let v = inspect(b, name);
    v["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

/// The full ID of a container.
pub fn id_of(b: &Berth, name: &str) -> String {
    b.run(&["inspect", "--format", "{{.Id}}", name])
        .ok()
        .stdout
        .trim()
        .to_string()
}

/// A peer network namespace linked to the host by a veth pair, as another machine on a LAN
/// would be. Removed on drop.
pub struct Peer {
    pub ns: String,
    pub host_if: String,
    pub host_ip: String,
    pub peer_ip: String,
}

impl Peer {
    pub fn new(tag: &str, octet: u8) -> Peer {
        let ns = format!("berth-test-{tag}");
        let host_if = format!("bt{tag}h");
        let peer_if = format!("bt{tag}p");
        let host_ip = format!("10.199.{octet}.1");
        let peer_ip = format!("10.199.{octet}.2");
        let sh = |c: &str| {
            let st = Command::new("sh").arg("-c").arg(c).status().unwrap();
            assert!(st.success(), "{c}");
        };
        let _ = Command::new("ip").args(["netns", "del", &ns]).status();
        let _ = Command::new("ip").args(["link", "del", &host_if]).status();
        sh(&format!("ip netns add {ns}"));
        let p = Peer {
            ns: ns.clone(),
            host_if: host_if.clone(),
            host_ip: host_ip.clone(),
            peer_ip: peer_ip.clone(),
        };
        sh(&format!(
            "ip link add {host_if} type veth peer name {peer_if} netns {ns} && \
             ip addr add {host_ip}/24 dev {host_if} && ip link set {host_if} up && \
             ip -n {ns} addr add {peer_ip}/24 dev {peer_if} && ip -n {ns} link set {peer_if} up"
        ));
        // The attacker's side of moby#45610: 127.0.0.1 routed to the host, and replies from
        // 127.0.0.1 accepted. Its own loopback stays down (so 127.0.0.1 is not local there).
        sh(&format!(
            "ip netns exec {ns} sysctl -qw net.ipv4.conf.all.route_localnet=1 \
             net.ipv4.conf.{peer_if}.route_localnet=1 && \
             ip -n {ns} route add 127.0.0.1/32 via {host_ip} dev {peer_if} && \
             ip -n {ns} route add default via {host_ip}"
        ));
        p
    }

    /// `redis-cli ping` from inside the peer namespace.
    pub fn redis_ping(&self, host: &str, port: u16) -> String {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns,
                "timeout",
                "3",
                "redis-cli",
                "-h",
                host,
            ])
            .args(["-p", &port.to_string(), "ping"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host_if])
            .status();
        let _ = Command::new("ip").args(["netns", "del", &self.ns]).status();
    }
}

/// The IPv6 tests that make dual-stack networks run one at a time, so that each can check at
/// its end that ip6tables has no BERTH chain left (only these tests make ip6tables rules).
pub fn v6_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The host's own global IPv6 address (on the interface of the IPv6 default route, else any
/// global one not on a bridge), with its prefix length; None when the host has none.
pub fn host_address6() -> Option<(String, u8)> {
    let out = Command::new("ip")
        .args(["-6", "route", "show", "default"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let dev = text
        .split_whitespace()
        .skip_while(|w| *w != "dev")
        .nth(1)
        .map(str::to_string);
    let mut args = vec!["-6", "-o", "addr", "show", "scope", "global"];
    if let Some(d) = &dev {
        args.extend(["dev", d.as_str()]);
    }
    let out = Command::new("ip").args(&args).output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            !l.contains(" berth")
                && !l.contains(" br-")
                && !l.contains("tentative")
                && !l.contains("dadfailed")
        })
        .find_map(|l| {
            let cidr = l.split_whitespace().skip_while(|w| *w != "inet6").nth(1)?;
            let (a, p) = cidr.split_once('/')?;
            Some((a.to_string(), p.parse().ok()?))
        })
}

/// The host's global IPv6 address; None (after `cannot_run_here`, which fails under
/// BERTH_REQUIRE_ALL=1) when the host has none.
pub fn need_host_v6(test: &str) -> Option<(String, u8)> {
    let a = host_address6();
    if a.is_none() {
        super::common::cannot_run_here(test, "this host has no global IPv6 address");
    }
    a
}

pub fn ip6tables_save() -> String {
    let out = Command::new("ip6tables-save").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('#'))
        // Counters change; chain declarations carry them (rules have `[addr]:port` targets).
        .map(|l| match l.strip_prefix(':') {
            Some(_) => l.split(" [").next().unwrap_or(l).to_string(),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Nothing of berth's is left in ip6tables (called with the v6 lock held, after the test's
/// networks are gone).
pub fn assert_no_berth_ip6tables() {
    let rules = ip6tables_save();
    assert!(!rules.contains("BERTH"), "BERTH chains left:\n{rules}");
}

/// A free TCP port on both 0.0.0.0 and [::].
pub fn free_port_dual() -> u16 {
    loop {
        let p = free_port();
        if TcpListener::bind(("::", p)).is_ok() {
            return p;
        }
    }
}
