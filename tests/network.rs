//! Networking with real bridges, veths, namespaces and iptables: published ports reached from the
//! host (redis PONG, UDP echo, random ports, -P), port conflicts, the 127.0.0.1 hole tested from a
//! network namespace of our own, user networks with name resolution, isolation, --internal,
//! connect/disconnect, concurrent address leases, and that nothing is left behind. IPv6:
//! publishing on the host's own IPv6 address and on [::], dual-stack addresses and AAAA names,
//! the refusals ([::1], IPv6 on IPv4-only networks) and ip6tables cleanup.
//!
//! Traffic goes only to loopback, to this host's own addresses, and to containers and
//! namespaces the tests create.

mod common;

use std::collections::HashSet;
use std::net::{TcpListener, UdpSocket};
use std::process::Command;
use std::time::Duration;

use common::{Berth, Run, assert_no_leftovers, busybox, image, inspect, wait_until};

fn redis(b: &Berth) -> String {
    b.pull("redis:latest");
    image("redis")
}

fn debian(b: &Berth) -> String {
    b.pull("debian:bookworm");
    image("debian:bookworm")
}

/// `redis-cli -h HOST -p PORT ping` from the host, with a short timeout.
fn redis_ping(host: &str, port: u16) -> String {
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
fn wait_pong(host: &str, port: u16) {
    wait_until(20, &format!("PONG from {host}:{port}"), || {
        redis_ping(host, port) == "PONG"
    });
}

fn iptables_save() -> String {
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
fn free_port() -> u16 {
    TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One of the host's own non-loopback IPv4 addresses.
fn host_address() -> String {
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

fn bridge_of(b: &Berth, network: &str) -> String {
    let v = inspect(b, network);
    v["Options"]["com.docker.network.bridge.name"]
        .as_str()
        .unwrap()
        .to_string()
}

fn container_ip(b: &Berth, name: &str) -> String {
    let v = inspect(b, name);
    v["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string()
}

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

/// The full ID of a container.
fn id_of(b: &Berth, name: &str) -> String {
    b.run(&["inspect", "--format", "{{.Id}}", name])
        .ok()
        .stdout
        .trim()
        .to_string()
}

#[test]
fn redis_published_port_answers_pong_from_the_host() {
    let b = Berth::new();
    let img = redis(&b);
    let port = free_port();
    let spec = format!("{port}:6379");
    b.run(&["run", "-d", "--name", "cache", "-p", &spec, &img])
        .ok();
    wait_pong("127.0.0.1", port);
    // The host's own address works too (PREROUTING/OUTPUT DNAT, no proxy process).
    assert_eq!(redis_ping(&host_address(), port), "PONG");

    // ps, port and inspect show the mapping.
    let ps = b.run(&["ps", "--format", "{{.Ports}}"]).ok();
    assert_eq!(ps.stdout.trim(), format!("0.0.0.0:{port}->6379/tcp"));
    let p = b.run(&["port", "cache"]).ok();
    assert_eq!(p.stdout.trim(), format!("6379/tcp -> 0.0.0.0:{port}"));
    let p = b.run(&["port", "cache", "6379"]).ok();
    assert_eq!(p.stdout.trim(), format!("0.0.0.0:{port}"));
    b.run(&["port", "cache", "80"])
        .fails_with("No public port '80'");
    let v = inspect(&b, "cache");
    assert_eq!(
        v["NetworkSettings"]["Ports"]["6379/tcp"][0]["HostPort"],
        port.to_string()
    );
    assert_eq!(
        v["HostConfig"]["PortBindings"]["6379/tcp"][0]["HostPort"],
        port.to_string()
    );
    let ip = v["NetworkSettings"]["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ip.starts_with("10."), "{ip}");
    assert_eq!(v["NetworkSettings"]["Networks"]["bridge"]["IPAddress"], ip);
    // Directly to the container's address, too.
    assert_eq!(redis_ping(&ip, 6379), "PONG");
    let rules = iptables_save();
    assert!(
        rules.contains(&format!("--to-destination {ip}:6379")),
        "no DNAT rule:\n{rules}"
    );

    // A container reaching its own published port through the host (hairpin).
    let gw = v["NetworkSettings"]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    let out = b
        .run(&[
            "exec",
            "cache",
            "timeout",
            "5",
            "redis-cli",
            "-h",
            &gw,
            "-p",
            &port.to_string(),
            "ping",
        ])
        .ok();
    assert_eq!(out.stdout.trim(), "PONG");

    let id = id_of(&b, "cache");
    b.run(&["rm", "-f", "cache"]).ok();
    let rules = iptables_save();
    assert!(
        !rules.contains(&format!("--to-destination {ip}:6379")),
        "DNAT rule left:\n{rules}"
    );
    assert_ne!(redis_ping("127.0.0.1", port), "PONG");
    // The port is free again.
    TcpListener::bind(("0.0.0.0", port)).expect("the published port is released");
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn udp_ports_echo_and_random_ports_and_publish_all() {
    let b = Berth::new();
    let deb = debian(&b);
    let echo = "$s=IO::Socket::INET->new(LocalPort=>5000,Proto=>'udp') or die $!; \
                while($s->recv($m,999)){$s->send(\"echo:$m\")}";
    b.run(&[
        "run",
        "-d",
        "--name",
        "echo",
        "-p",
        "127.0.0.1::5000/udp",
        &deb,
        "perl",
        "-MIO::Socket::INET",
        "-e",
        echo,
    ])
    .ok();
    let p = b.run(&["port", "echo", "5000/udp"]).ok();
    let addr = p.stdout.trim().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut got = String::new();
    wait_until(20, "a UDP echo", || {
        let _ = sock.send_to(b"hello", &addr);
        let mut buf = [0u8; 64];
        match sock.recv_from(&mut buf) {
            Ok((n, _)) => {
                got = String::from_utf8_lossy(&buf[..n]).into_owned();
                true
            }
            Err(_) => false,
        }
    });
    assert_eq!(got, "echo:hello");

    // -P publishes the image's EXPOSE (redis: 6379/tcp) on a random port.
    let img = redis(&b);
    b.run(&["run", "-d", "--name", "all", "-P", &img]).ok();
    let p = b.run(&["port", "all", "6379/tcp"]).ok();
    let port: u16 = p.stdout.trim().rsplit(':').next().unwrap().parse().unwrap();
    assert!(port > 1024);
    wait_pong("127.0.0.1", port);

    // A range maps port by port.
    let base = free_port().min(60000);
    let range = format!("127.0.0.1:{}-{}:7000-7001", base, base + 1);
    let serve = "while true; do echo \"$0\" | nc -l -p \"$0\"; done";
    b.run(&[
        "run",
        "-d",
        "--name",
        "ranged",
        "-p",
        &range,
        &busybox(&b),
        "sh",
        "-c",
        &format!("sh -c '{serve}' 7000 & sh -c '{serve}' 7001 & wait"),
    ])
    .ok();
    let v = inspect(&b, "ranged");
    assert_eq!(
        v["HostConfig"]["PortBindings"]["7001/tcp"][0]["HostPort"],
        (base + 1).to_string()
    );
    let p = b.run(&["port", "ranged"]).ok();
    assert_eq!(p.stdout.lines().count(), 2, "{}", p.stdout);
    let ps = b
        .run(&["ps", "--filter", "name=ranged", "--format", "{{.Ports}}"])
        .ok();
    assert_eq!(
        ps.stdout.trim(),
        format!("127.0.0.1:{}-{}->7000-7001/tcp", base, base + 1)
    );
    for (host, ctr) in [(base, 7000), (base + 1, 7001)] {
        let mut got = String::new();
        wait_until(20, &format!("port {host} to answer"), || {
            use std::io::Read;
            got.clear();
            std::net::TcpStream::connect(("127.0.0.1", host))
                .and_then(|mut c| c.read_to_string(&mut got))
                .is_ok()
                && !got.is_empty()
        });
        assert_eq!(got.trim(), ctr.to_string());
    }
    b.run(&["rm", "-f", "echo", "all", "ranged"]).ok();
}

#[test]
fn taken_ports_are_refused_before_the_container_starts() {
    let b = Berth::new();
    let bb = busybox(&b);
    let port = free_port();
    let spec = format!("{port}:80");
    b.run(&[
        "run", "-d", "--name", "first", "-p", &spec, &bb, "sleep", "60",
    ])
    .ok();
    // Another container asks for the same port: refused, nothing left.
    let r = b.run(&[
        "run", "-d", "--name", "second", "-p", &spec, &bb, "sleep", "60",
    ]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.stderr.contains("port is already allocated"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    let all = b.run(&["ps", "-a", "--format", "{{.Names}}"]).ok();
    assert_eq!(all.stdout.trim(), "first");
    // A host process listening on a port.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let hp = l.local_addr().unwrap().port();
    let r = b.run(&[
        "run",
        "--rm",
        "-p",
        &format!("127.0.0.1:{hp}:80"),
        &bb,
        "true",
    ]);
    assert_eq!(r.code, 125);
    assert!(
        r.stderr.contains("port is already allocated"),
        "{}",
        r.stderr
    );
    // Bad specs are refused before anything exists.
    for bad in ["80/sctp", "1:2:3:4", "70000:80", "[::1]:80:80"] {
        let r = b.run(&["run", "--rm", "-p", bad, &bb, "true"]);
        assert_eq!(r.code, 125, "{bad}: {r:?}");
        assert!(r.stderr.contains("publish"), "{bad}: {}", r.stderr);
    }
    let all = b.run(&["ps", "-aq"]).ok();
    assert_eq!(all.stdout.lines().count(), 1);
    b.run(&["rm", "-f", "first"]).ok();
}

/// A peer network namespace linked to the host by a veth pair, as another machine on a LAN
/// would be. Removed on drop.
struct Peer {
    ns: String,
    host_if: String,
    host_ip: String,
    peer_ip: String,
}

impl Peer {
    fn new(tag: &str, octet: u8) -> Peer {
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
    fn redis_ping(&self, host: &str, port: u16) -> String {
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

#[test]
fn a_port_published_on_localhost_is_not_reachable_from_another_host() {
    let b = Berth::new();
    let img = redis(&b);
    let local = free_port();
    let public = free_port();
    b.run(&[
        "run",
        "-d",
        "--name",
        "lo",
        "-p",
        &format!("127.0.0.1:{local}:6379"),
        &img,
    ])
    .ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "pub",
        "-p",
        &format!("{public}:6379"),
        &img,
    ])
    .ok();
    wait_pong("127.0.0.1", local);
    wait_pong("127.0.0.1", public);
    let peer = Peer::new("lo", 77);
    // Control: the peer reaches the port published on every address, through its veth.
    wait_until(10, "the peer to reach the public port", || {
        peer.redis_ping(&peer.host_ip, public) == "PONG"
    });
    // The hole: the peer sends to 127.0.0.1:local via the host. It must not connect.
    assert_ne!(peer.redis_ping("127.0.0.1", local), "PONG");
    assert_ne!(peer.redis_ping("127.0.0.1", local), "PONG");
    // Nor on the host's veth address.
    assert_ne!(peer.redis_ping(&peer.host_ip, local), "PONG");
    // And the host itself still can.
    assert_eq!(redis_ping("127.0.0.1", local), "PONG");
    let _ = &peer.peer_ip;
    b.run(&["rm", "-f", "lo", "pub"]).ok();
}

#[test]
fn user_networks_resolve_names_and_aliases_and_isolate() {
    let b = Berth::new();
    let deb = debian(&b);
    let bb = busybox(&b);
    b.run(&["network", "create", "--label", "team=a", "front"])
        .ok();
    b.run(&["network", "create", "back"]).ok();
    let ls = b.run(&["network", "ls", "--format", "{{.Name}}"]).ok();
    let names: HashSet<&str> = ls.stdout.lines().collect();
    assert!(
        names.contains("front") && names.contains("back"),
        "{names:?}"
    );
    let ls = b
        .run(&["network", "ls", "-q", "--filter", "label=team=a"])
        .ok();
    assert_eq!(ls.stdout.lines().count(), 1);

    b.run(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "front",
        "--network-alias",
        "www",
        &bb,
        "sh",
        "-c",
        "while true; do echo ok | nc -l -p 8080; done",
    ])
    .ok();
    // Name and alias resolve from another container on the network (glibc resolver).
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "front",
            &deb,
            "getent",
            "hosts",
            "web",
            "www",
        ])
        .ok();
    let web_ip = container_ip(&b, "web");
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(
        out.stdout
            .lines()
            .all(|l| l.starts_with(&format!("{web_ip} "))),
        "{}",
        out.stdout
    );
    // Reachable by name on the same network.
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "front",
            &bb,
            "sh",
            "-c",
            "nc -w 3 web 8080 </dev/null",
        ])
        .ok();
    assert_eq!(out.stdout.trim(), "ok");
    // A container started later is found by one that was already running.
    b.run(&[
        "run",
        "-d",
        "--name",
        "late",
        "--network",
        "front",
        &deb,
        "sleep",
        "60",
    ])
    .ok();
    let out = b.run(&["exec", "late", "getent", "hosts", "late"]).ok();
    assert!(
        out.stdout.contains(&container_ip(&b, "late")),
        "{}",
        out.stdout
    );
    // The default network and other networks do not resolve them (no forwarding of
    // berth's own names), and cannot reach them by address.
    let out = b.run(&[
        "run",
        "--rm",
        "--network",
        "back",
        &bb,
        "sh",
        "-c",
        &format!("nc -w 2 {web_ip} 8080 </dev/null"),
    ]);
    assert_ne!(out.stdout.trim(), "ok", "networks are not isolated");
    let out = b.run(&[
        "run",
        "--rm",
        &bb,
        "sh",
        "-c",
        &format!("nc -w 2 {web_ip} 8080 </dev/null"),
    ]);
    assert_ne!(
        out.stdout.trim(),
        "ok",
        "the default network reaches a user network"
    );

    // network rm refuses while containers are attached, then works.
    let r = b.run(&["network", "rm", "front"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("active endpoints"), "{}", r.stderr);
    let front_bridge = bridge_of(&b, "front");
    assert!(link_exists(&front_bridge));
    b.run(&["rm", "-f", "web", "late"]).ok();
    b.run(&["network", "rm", "front", "back"]).ok();
    assert!(!link_exists(&front_bridge), "bridge {front_bridge} left");
    assert!(
        !iptables_save().contains(&front_bridge),
        "rules for {front_bridge} left"
    );
    let r = b.run(&["network", "inspect", "front"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("network front not found"), "{}", r.stderr);
    // The default network cannot be removed.
    let r = b.run(&["network", "rm", "bridge"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("pre-defined"), "{}", r.stderr);
    assert!(link_exists(&bridge_of(&b, "bridge")));
}

#[test]
fn internal_networks_have_no_outside_access() {
    let b = Berth::new();
    let bb = busybox(&b);
    let peer = Peer::new("in", 78);
    // Something outside berth's networks: a tiny server in the peer namespace.
    let port = 16400;
    let serve = format!(
        "import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('0.0.0.0', {port}))\ns.listen(8)\nwhile True:\n    c, _ = s.accept()\n    \
         c.sendall(b'PONG\\n')\n    c.close()\n"
    );
    let mut server = Command::new("ip")
        .args(["netns", "exec", &peer.ns, "python3", "-c", &serve])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    b.run(&["network", "create", "--internal", "sealed"]).ok();
    b.run(&["network", "create", "open"]).ok();
    let probe = |net: &str| {
        b.run(&[
            "run",
            "--rm",
            "--network",
            net,
            &bb,
            "sh",
            "-c",
            &format!("echo PING | nc -w 2 {} {port}", peer.peer_ip),
        ])
    };
    wait_until(10, "a normal network to reach the peer", || {
        probe("open").stdout.contains("PONG")
    });
    let r = probe("sealed");
    assert!(
        !r.stdout.contains("PONG"),
        "an internal network got out: {r:?}"
    );
    let v = inspect(&b, "sealed");
    assert_eq!(v["Internal"], true);
    let _ = server.kill();
    let _ = server.wait();
    b.run(&["network", "rm", "sealed", "open"]).ok();
}

#[test]
fn connect_and_disconnect_a_running_container() {
    let b = Berth::new();
    let deb = debian(&b);
    b.run(&["network", "create", "one"]).ok();
    b.run(&["network", "create", "--subnet", "10.123.45.0/24", "two"])
        .ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "aa",
        "--network",
        "one",
        &deb,
        "sleep",
        "120",
    ])
    .ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "bb",
        "--network",
        "two",
        "--ip",
        "10.123.45.77",
        &deb,
        "sleep",
        "120",
    ])
    .ok();
    assert_eq!(container_ip(&b, "bb"), "10.123.45.77");
    // a cannot resolve b yet.
    let r = b.run(&["exec", "aa", "getent", "hosts", "bb"]);
    assert_ne!(r.code, 0);
    b.run(&["network", "connect", "--alias", "bee", "two", "aa"])
        .ok();
    let addrs = b.run(&["exec", "aa", "cat", "/proc/net/dev"]).ok();
    assert!(addrs.stdout.contains("eth1:"), "{}", addrs.stdout);
    let r = b.run(&["exec", "aa", "getent", "hosts", "bb"]).ok();
    assert!(r.stdout.starts_with("10.123.45.77"), "{}", r.stdout);
    // b finds a by its alias on network two.
    let r = b.run(&["exec", "bb", "getent", "hosts", "bee"]).ok();
    assert!(r.stdout.starts_with("10.123.45."), "{}", r.stdout);
    let v = inspect(&b, "two");
    assert_eq!(v["Containers"].as_object().unwrap().len(), 2);
    b.run(&["network", "disconnect", "two", "aa"]).ok();
    let addrs = b.run(&["exec", "aa", "cat", "/proc/net/dev"]).ok();
    assert!(!addrs.stdout.contains("eth1:"), "{}", addrs.stdout);
    let r = b.run(&["exec", "aa", "getent", "hosts", "bb"]);
    assert_ne!(r.code, 0);
    b.run(&["network", "disconnect", "two", "aa"])
        .fails_with("not connected");
    // A static address in use is refused at start.
    b.run(&[
        "create",
        "--name",
        "cc",
        "--network",
        "two",
        "--ip",
        "10.123.45.77",
        &deb,
        "true",
    ])
    .ok();
    b.run(&["start", "cc"]).fails_with("10.123.45.77");
    b.run(&[
        "create",
        "--network",
        "two",
        "--ip",
        "10.9.9.9",
        &deb,
        "true",
    ])
    .fails_with("does not belong");
    let ids: Vec<String> = ["aa", "bb"].iter().map(|n| id_of(&b, n)).collect();
    b.run(&["rm", "-f", "aa", "bb", "cc"]).ok();
    b.run(&["network", "rm", "one", "two"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn twenty_concurrent_runs_get_twenty_addresses() {
    let b = Berth::new();
    let bb = busybox(&b);
    b.run(&["network", "create", "crowd"]).ok();
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let mut c = b.command();
            c.args([
                "run",
                "-d",
                "--name",
                &format!("c{i}"),
                "--network",
                "crowd",
                &bb,
            ])
            .args(["sleep", "120"]);
            std::thread::spawn(move || Run::from(c.output().unwrap()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().ok();
    }
    let v = inspect(&b, "crowd");
    let members = v["Containers"].as_object().unwrap();
    assert_eq!(members.len(), 20, "{members:?}");
    let ips: HashSet<&str> = members
        .values()
        .map(|m| m["IPv4Address"].as_str().unwrap())
        .collect();
    assert_eq!(ips.len(), 20, "duplicate addresses: {ips:?}");
    let ids: Vec<String> = b
        .run(&["ps", "-aq", "--no-trunc"])
        .ok()
        .stdout
        .lines()
        .map(str::to_string)
        .collect();
    let mut args = vec!["rm", "-f"];
    args.extend(ids.iter().map(String::as_str));
    b.run(&args).ok();
    let v = inspect(&b, "crowd");
    assert!(v["Containers"].as_object().unwrap().is_empty());
    b.run(&["network", "rm", "crowd"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn dns_hosts_and_network_modes() {
    let b = Berth::new();
    let bb = busybox(&b);
    let out = b
        .run(&[
            "run",
            "--rm",
            "--hostname",
            "box",
            "--add-host",
            "db:10.1.2.3",
            "--add-host",
            "gw:host-gateway",
            "--dns",
            "10.0.0.53",
            "--dns-search",
            "example.test",
            "--dns-option",
            "ndots:2",
            &bb,
            "sh",
            "-c",
            "cat /etc/hosts /etc/resolv.conf; hostname",
        ])
        .ok();
    assert!(out.stdout.contains("10.1.2.3\tdb"), "{}", out.stdout);
    assert!(out.stdout.contains("\tgw"), "{}", out.stdout);
    assert!(out.stdout.contains("\tbox\n"), "{}", out.stdout);
    // berth's DNS server relays to --dns; search and options are the user's.
    assert!(
        out.stdout.contains("nameserver 127.0.0.11"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("search example.test"), "{}", out.stdout);
    assert!(out.stdout.contains("ndots:2"), "{}", out.stdout);
    assert!(out.stdout.trim_end().ends_with("box"));
    // --network none: loopback only; host: the host's interfaces.
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "none",
            &bb,
            "cat",
            "/proc/net/dev",
        ])
        .ok();
    assert!(!out.stdout.contains("eth0"), "{}", out.stdout);
    // container:NAME shares the other container's namespace.
    b.run(&["run", "-d", "--name", "owner", &bb, "sleep", "60"])
        .ok();
    let ip = container_ip(&b, "owner");
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "container:owner",
            &bb,
            "ip",
            "-4",
            "addr",
        ])
        .ok();
    assert!(out.stdout.contains(&ip), "{}", out.stdout);
    // Conflicting or bad flags are refused with one line.
    b.run(&["run", "--rm", "--network", "none", "-p", "80", &bb, "true"])
        .fails_with("conflicting options");
    b.run(&["run", "--rm", "--network", "nosuchnet", &bb, "true"])
        .fails_with("network nosuchnet not found");
    b.run(&["run", "--rm", "--add-host", "bad", &bb, "true"])
        .fails_with("--add-host");
    b.run(&["run", "--rm", "--dns", "not-an-ip", &bb, "true"])
        .fails_with("--dns");
    b.run(&["network", "create", "--subnet", "10.5.0.1/16", "x"])
        .fails_with("host bits");
    b.run(&["network", "create", "bad name"])
        .fails_with("invalid network name");
    b.run(&["network", "create", "--subnet", "10.124.0.0/16", "y"])
        .ok();
    b.run(&["network", "create", "--subnet", "10.124.1.0/24", "z"])
        .fails_with("overlaps");
    b.run(&["network", "create", "y"])
        .fails_with("already exists");
    b.run(&["rm", "-f", "owner"]).ok();
    b.run(&["network", "prune", "-f"]).ok();
    let ls = b.run(&["network", "ls", "--format", "{{.Name}}"]).ok();
    // Docker's pre-defined networks are listed too, and cannot be removed or connected to.
    assert_eq!(
        ls.stdout.lines().collect::<Vec<_>>(),
        ["bridge", "host", "none"]
    );
    b.run(&[
        "run",
        "-d",
        "--name",
        "alone",
        "--network",
        "none",
        &bb,
        "sleep",
        "60",
    ])
    .ok();
    let v = inspect(&b, "none");
    assert_eq!(v["Driver"], "null");
    let members = v["Containers"].as_object().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members.values().next().unwrap()["Name"], "alone");
    assert_eq!(inspect(&b, "host")["Driver"], "host");
    let r = b.run(&["network", "rm", "host"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("pre-defined"), "{}", r.stderr);
    b.run(&["network", "connect", "none", "alone"])
        .fails_with("cannot be disconnected from or connected to the none network");
    b.run(&["rm", "-f", "alone"]).ok();
}

#[test]
fn system_reset_removes_bridges_and_rules() {
    let b = Berth::new();
    let bb = busybox(&b);
    b.run(&["network", "create", "temp"]).ok();
    let port = free_port();
    b.run(&[
        "run",
        "-d",
        "--network",
        "temp",
        "-p",
        &format!("{port}:80"),
        &bb,
        "sleep",
        "60",
    ])
    .ok();
    b.run(&["run", "--rm", &bb, "true"]).ok();
    let bridges = [bridge_of(&b, "temp"), bridge_of(&b, "bridge")];
    let ifindex = |br: &str| std::fs::read_to_string(format!("/sys/class/net/{br}/ifindex")).ok();
    let before: Vec<Option<String>> = bridges.iter().map(|br| ifindex(br)).collect();
    for br in &bridges {
        assert!(link_exists(br));
        assert!(iptables_save().contains(br.as_str()));
    }
    b.run(&["system", "reset", "-f"]).ok();
    for (br, was) in bridges.iter().zip(&before) {
        match ifindex(br) {
            // Gone, and so are its rules.
            None => assert!(
                !iptables_save().contains(br.as_str()),
                "rules for {br} left"
            ),
            // A test running in parallel (another root) may take the freed name at once: then it
            // is a new device.
            now => assert_ne!(&now, was, "{br} left"),
        }
    }
    assert!(!b.root().exists());
}

// ---- IPv6 ----

/// The IPv6 tests that make dual-stack networks run one at a time, so that each can check at
/// its end that ip6tables has no BERTH chain left (only these tests make ip6tables rules).
fn v6_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The host's own global IPv6 address (on the interface of the IPv6 default route, else any
/// global one not on a bridge), with its prefix length; None when the host has none.
fn host_address6() -> Option<(String, u8)> {
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

/// Prints a notice and returns None when the host has no global IPv6 address.
fn need_host_v6(test: &str) -> Option<(String, u8)> {
    let a = host_address6();
    if a.is_none() {
        eprintln!("{test}: skipped: this host has no global IPv6 address");
    }
    a
}

fn ip6tables_save() -> String {
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
fn assert_no_berth_ip6tables() {
    let rules = ip6tables_save();
    assert!(!rules.contains("BERTH"), "BERTH chains left:\n{rules}");
}

/// A free TCP port on both 0.0.0.0 and [::].
fn free_port_dual() -> u16 {
    loop {
        let p = free_port();
        if TcpListener::bind(("::", p)).is_ok() {
            return p;
        }
    }
}

#[test]
fn redis_published_on_the_hosts_ipv6_address_answers_pong() {
    let Some((addr6, _)) = need_host_v6("redis_published_on_the_hosts_ipv6_address_answers_pong")
    else {
        return;
    };
    let guard = v6_lock();
    let b = Berth::new();
    let img = redis(&b);
    b.run(&["network", "create", "--ipv6", "dual"]).ok();
    let net = inspect(&b, "dual");
    assert_eq!(net["EnableIPv6"], true);
    let subnet6 = net["IPAM"]["Config"][1]["Subnet"]
        .as_str()
        .unwrap()
        .to_string();
    let gw6 = net["IPAM"]["Config"][1]["Gateway"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        subnet6.starts_with("fd") && subnet6.ends_with("::/64"),
        "{subnet6}"
    );
    let ls = b
        .run(&[
            "network",
            "ls",
            "--filter",
            "name=dual",
            "--format",
            "{{.IPv6}}",
        ])
        .ok();
    assert_eq!(ls.stdout.trim(), "true");
    let bridge = bridge_of(&b, "dual");

    let port = free_port_dual();
    let both = free_port_dual();
    // The test bed's redis binds 0.0.0.0 only: ask it to listen on IPv6 too.
    b.run(&[
        "run",
        "-d",
        "--name",
        "cache6",
        "--network",
        "dual",
        "-p",
        &format!("[{addr6}]:{port}:6379"),
        "-p",
        &format!("{both}:6379"),
        &img,
        "--protected-mode",
        "no",
        "--bind",
        "0.0.0.0",
        "::",
    ])
    .ok();
    wait_pong(&addr6, port);
    // No address: published on 0.0.0.0 and [::], one port for both.
    assert_eq!(redis_ping(&addr6, both), "PONG");
    assert_eq!(redis_ping("127.0.0.1", both), "PONG");
    assert_eq!(redis_ping(&host_address(), both), "PONG");
    // The IPv6-only publication is not on IPv4.
    assert_ne!(redis_ping("127.0.0.1", port), "PONG");

    let v = inspect(&b, "cache6");
    let ns = &v["NetworkSettings"];
    let ip6 = ns["GlobalIPv6Address"].as_str().unwrap().to_string();
    let prefix = subnet6.trim_end_matches("::/64");
    assert!(ip6.starts_with(prefix), "{ip6} not in {subnet6}");
    assert_eq!(ns["GlobalIPv6PrefixLen"], 64);
    assert_eq!(ns["IPv6Gateway"], gw6.as_str());
    assert_eq!(ns["Networks"]["dual"]["GlobalIPv6Address"], ip6.as_str());
    let net = inspect(&b, "dual");
    let member = net["Containers"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(member["IPv6Address"], format!("{ip6}/64"));
    let hostips: HashSet<String> = ns["Ports"]["6379/tcp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{}",
                p["HostIp"].as_str().unwrap(),
                p["HostPort"].as_str().unwrap()
            )
        })
        .collect();
    let want: HashSet<String> = [
        format!("0.0.0.0:{both}"),
        format!(":::{both}"),
        format!("{addr6}:{port}"),
    ]
    .into_iter()
    .collect();
    assert_eq!(hostips, want);
    let ps = b.run(&["ps", "--format", "{{.Ports}}"]).ok();
    assert_eq!(
        ps.stdout.trim(),
        format!("0.0.0.0:{both}->6379/tcp, [::]:{both}->6379/tcp, [{addr6}]:{port}->6379/tcp")
    );
    let p = b.run(&["port", "cache6", "6379"]).ok();
    assert!(
        p.stdout.contains(&format!("[{addr6}]:{port}")),
        "{}",
        p.stdout
    );
    // The container's own address, from the host.
    assert_eq!(redis_ping(&ip6, 6379), "PONG");
    let rules = ip6tables_save();
    assert!(
        rules.contains(&format!("--to-destination [{ip6}]:6379")),
        "no DNAT rule:\n{rules}"
    );
    assert!(rules.contains(&format!("-s {subnet6} ! -o {bridge} -j MASQUERADE")));
    // The reservation sockets hold the IPv6 ports.
    assert!(TcpListener::bind((addr6.as_str(), port)).is_err());
    assert!(TcpListener::bind(("::", both)).is_err());

    let id = id_of(&b, "cache6");
    b.run(&["rm", "-f", "cache6"]).ok();
    let rules = ip6tables_save();
    assert!(!rules.contains(&ip6), "rules for {ip6} left:\n{rules}");
    assert_ne!(redis_ping(&addr6, port), "PONG");
    TcpListener::bind((addr6.as_str(), port)).expect("the IPv6 port is released");
    TcpListener::bind(("::", both)).expect("the [::] port is released");
    assert_no_leftovers(&b, &[id]);
    b.run(&["network", "rm", "dual"]).ok();
    assert!(!link_exists(&bridge));
    let rules = ip6tables_save();
    assert!(
        !rules.contains(&bridge),
        "rules for {bridge} left:\n{rules}"
    );
    assert!(
        !rules.contains(&subnet6),
        "rules for {subnet6} left:\n{rules}"
    );
    drop(b);
    assert_no_berth_ip6tables();
    drop(guard);
}

#[test]
fn dual_stack_containers_have_ipv6_addresses_and_resolve_each_other() {
    let Some(_) = need_host_v6("dual_stack_containers_have_ipv6_addresses_and_resolve_each_other")
    else {
        return;
    };
    let guard = v6_lock();
    let b = Berth::new();
    let deb = debian(&b);
    let bb = busybox(&b);
    // An explicit subnet per family.
    let subnet6 = format!("fd7e:{:x}:{:x}::/64", std::process::id() & 0xffff, 0xbe27);
    b.run(&[
        "network",
        "create",
        "--ipv6",
        "--subnet",
        "10.126.7.0/24",
        "--subnet",
        &subnet6,
        "--gateway",
        &subnet6.replace("::/64", "::fe"),
        "pair",
    ])
    .ok();
    let net = inspect(&b, "pair");
    assert_eq!(net["IPAM"]["Config"][0]["Subnet"], "10.126.7.0/24");
    assert_eq!(net["IPAM"]["Config"][1]["Subnet"], subnet6.as_str());
    let gw6 = subnet6.replace("::/64", "::fe");
    assert_eq!(net["IPAM"]["Config"][1]["Gateway"], gw6.as_str());
    let bridge = bridge_of(&b, "pair");
    b.run(&[
        "run",
        "-d",
        "--name",
        "alpha",
        "--network",
        "pair",
        &deb,
        "sleep",
        "120",
    ])
    .ok();
    let ip6 = inspect(&b, "alpha")["NetworkSettings"]["GlobalIPv6Address"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(ip6.starts_with(&subnet6.replace("::/64", ":")), "{ip6}");
    // Inside: the address (usable at once: no DAD) and the default route via the gateway.
    let hex: String = ip6
        .parse::<std::net::Ipv6Addr>()
        .unwrap()
        .octets()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let inet6 = b.run(&["exec", "alpha", "cat", "/proc/net/if_inet6"]).ok();
    assert!(inet6.stdout.contains(&hex), "{}", inet6.stdout);
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "pair",
            &bb,
            "sh",
            "-c",
            "ip -6 addr; ip -6 route",
        ])
        .ok();
    assert!(
        out.stdout.contains(&format!("default via {gw6} dev eth0")),
        "{}",
        out.stdout
    );
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("inet6 fd7e:"))
        .unwrap_or_else(|| panic!("no IPv6 address inside:\n{}", out.stdout));
    assert!(!line.contains("tentative"), "{line}");
    // Name resolution over IPv6 (AAAA from berth's DNS server), both ways.
    // --ip6 picks the address.
    let beta_want = subnet6.replace("::/64", "::99");
    b.run(&[
        "run",
        "-d",
        "--name",
        "beta",
        "--network",
        "pair",
        "--ip6",
        &beta_want,
        &deb,
        "sleep",
        "120",
    ])
    .ok();
    let r = b.run(&["exec", "beta", "getent", "ahostsv6", "alpha"]).ok();
    assert!(r.stdout.starts_with(&format!("{ip6} ")), "{}", r.stdout);
    let beta6 = inspect(&b, "beta")["NetworkSettings"]["GlobalIPv6Address"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(beta6, beta_want);
    assert_eq!(
        inspect(&b, "beta")["NetworkSettings"]["Networks"]["pair"]["IPAMConfig"]["IPv6Address"],
        beta_want.as_str()
    );
    // Outside the subnet, or on an IPv4-only network: refused at create.
    b.run(&[
        "create",
        "--network",
        "pair",
        "--ip6",
        "fd99::5",
        &deb,
        "true",
    ])
    .fails_with("does not belong");
    b.run(&["create", "--ip6", &beta_want, &deb, "true"])
        .fails_with("has no IPv6 subnet");
    let r = b.run(&["exec", "alpha", "getent", "ahostsv6", "beta"]).ok();
    assert!(r.stdout.starts_with(&format!("{beta6} ")), "{}", r.stdout);
    // IPv4 still answers A.
    let r = b.run(&["exec", "alpha", "getent", "ahostsv4", "beta"]).ok();
    assert!(r.stdout.starts_with("10.126.7."), "{}", r.stdout);
    // And traffic flows between them over IPv6 (bash's /dev/tcp to a listener in alpha).
    b.run(&[
        "exec",
        "-d",
        "alpha",
        "perl",
        "-MIO::Socket::IP",
        "-e",
        "$s=IO::Socket::IP->new(LocalHost=>'::',LocalPort=>7070,Listen=>5) or die $!; \
         while($c=$s->accept){print $c \"v6ok\\n\"; close $c}",
    ])
    .ok();
    let mut got = String::new();
    wait_until(10, "a TCP answer over IPv6", || {
        let r = b.run(&[
            "exec",
            "beta",
            "bash",
            "-c",
            "exec 3<>/dev/tcp/alpha/7070 && head -1 <&3",
        ]);
        got = r.stdout.trim().to_string();
        got == "v6ok"
    });
    // A running container on the (IPv4) default network joins the dual-stack one.
    b.run(&["run", "-d", "--name", "gamma", &bb, "sleep", "120"])
        .ok();
    let gamma6 = subnet6.replace("::/64", "::77");
    b.run(&["network", "connect", "--ip6", &gamma6, "pair", "gamma"])
        .ok();
    let out = b
        .run(&["exec", "gamma", "ip", "-6", "addr", "show", "eth1"])
        .ok();
    assert!(
        out.stdout.contains(&format!("{gamma6}/64")),
        "{}",
        out.stdout
    );
    let r = b
        .run(&["exec", "alpha", "getent", "ahostsv6", "gamma"])
        .ok();
    assert!(r.stdout.starts_with(&format!("{gamma6} ")), "{}", r.stdout);
    b.run(&["network", "disconnect", "pair", "gamma"]).ok();
    let out = b.run(&["exec", "gamma", "cat", "/proc/net/if_inet6"]).ok();
    assert!(!out.stdout.contains("eth1"), "{}", out.stdout);
    let ids: Vec<String> = ["alpha", "beta", "gamma"]
        .iter()
        .map(|n| id_of(&b, n))
        .collect();
    b.run(&["rm", "-f", "alpha", "beta", "gamma"]).ok();
    assert_no_leftovers(&b, &ids);
    b.run(&["network", "rm", "pair"]).ok();
    let rules = ip6tables_save();
    assert!(
        !rules.contains(&bridge),
        "rules for {bridge} left:\n{rules}"
    );
    drop(b);
    assert_no_berth_ip6tables();
    drop(guard);
}

#[test]
fn ipv6_publishing_and_network_flags_are_checked() {
    let b = Berth::new();
    let bb = busybox(&b);
    // ::1 cannot be translated by the kernel: refused with one line, nothing created.
    let r = b
        .run(&["run", "--rm", "-p", "[::1]:8080:80", &bb, "true"])
        .fails_with("[::1]");
    assert!(r.stderr.contains("route_localnet"), "{}", r.stderr);
    b.run(&["create", "-p", "[::1]::80", &bb, "true"])
        .fails_with("[::1]");
    // A v6 host address on an IPv4-only network.
    b.run(&["network", "create", "v4only"]).ok();
    b.run(&[
        "create",
        "--network",
        "v4only",
        "-p",
        "[fd00::2]:8080:80",
        &bb,
        "true",
    ])
    .fails_with("network v4only has no IPv6 subnet: create it with --ipv6");
    b.run(&["run", "--rm", "-p", "[fd00::2]:8080:80", &bb, "true"])
        .fails_with("network bridge has no IPv6 subnet");
    let all = b.run(&["ps", "-aq"]).ok();
    assert!(all.stdout.trim().is_empty(), "{}", all.stdout);
    for bad in [
        "[fd00::2]:80",
        "[fd00::2:80:80",
        "fd00::2:80:80",
        "[fd00::zz]:1:80",
    ] {
        let r = b.run(&["create", "-p", bad, &bb, "true"]);
        assert_eq!(r.code, 125, "{bad}: {r:?}");
        assert!(r.stderr.contains("publish"), "{bad}: {}", r.stderr);
    }
    // Network flags.
    b.run(&["network", "create", "--subnet", "fd00:1::/64", "x"])
        .fails_with("needs --ipv6");
    b.run(&[
        "network",
        "create",
        "--subnet",
        "10.127.1.0/24",
        "--subnet",
        "10.127.2.0/24",
        "x",
    ])
    .fails_with("once per address family");
    b.run(&[
        "network",
        "create",
        "--ipv6",
        "--subnet",
        "fd00:1::1/64",
        "x",
    ])
    .fails_with("host bits");
    if let Some((addr6, plen)) = host_address6() {
        // The host's own IPv6 prefix is refused.
        let a: std::net::Ipv6Addr = addr6.parse().unwrap();
        let mask = if plen == 0 {
            0
        } else {
            u128::MAX << (128 - plen as u32)
        };
        let net = std::net::Ipv6Addr::from(u128::from(a) & mask);
        if (48..=120).contains(&plen) {
            b.run(&[
                "network",
                "create",
                "--ipv6",
                "--subnet",
                &format!("{net}/{plen}"),
                "x",
            ])
            .fails_with("overlaps the host's route");
        }
    }
    let ls = b.run(&["network", "ls", "--format", "{{.Name}}"]).ok();
    assert!(!ls.stdout.contains('x'), "{}", ls.stdout);
    b.run(&["network", "rm", "v4only"]).ok();
}

#[test]
fn the_default_network_is_dual_stack_when_asked() {
    if need_host_v6("the_default_network_is_dual_stack_when_asked").is_none() {
        return;
    }
    let guard = v6_lock();
    let b = Berth::new();
    let bb = busybox(&b);
    // Without the knob: IPv4 only, as Docker's.
    let out = b
        .run(&["run", "--rm", &bb, "cat", "/proc/net/if_inet6"])
        .ok();
    assert!(
        !out.stdout.lines().any(|l| l.starts_with("fd")),
        "{}",
        out.stdout
    );
    assert_eq!(inspect(&b, "bridge")["EnableIPv6"], false);
    b.run(&["system", "reset", "-f"]).ok();
    // BERTH_DEFAULT_IPV6 when the default network is made.
    let subnet6 = format!("fd7f:{:x}:1::/64", std::process::id() & 0xffff);
    let out = Run::from(
        b.command()
            .env("BERTH_DEFAULT_IPV6", &subnet6)
            .args(["run", "--rm", &bb, "cat", "/proc/net/if_inet6"])
            .output()
            .unwrap(),
    )
    .ok();
    let net6: std::net::Ipv6Addr = subnet6.trim_end_matches("/64").parse().unwrap();
    let hexprefix: String = net6.octets()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(out.stdout.contains(&hexprefix), "{}", out.stdout);
    let v = inspect(&b, "bridge");
    assert_eq!(v["EnableIPv6"], true);
    assert_eq!(v["IPAM"]["Config"][1]["Subnet"], subnet6.as_str());
    let bridge = bridge_of(&b, "bridge");
    b.run(&["system", "reset", "-f"]).ok();
    assert!(!link_exists(&bridge));
    assert!(!ip6tables_save().contains(&bridge));
    drop(b);
    assert_no_berth_ip6tables();
    drop(guard);
}

#[test]
fn outbound_ipv6_from_a_dual_stack_network_is_masqueraded() {
    if need_host_v6("outbound_ipv6_from_a_dual_stack_network_is_masqueraded").is_none() {
        return;
    }
    let guard = v6_lock();
    let b = Berth::new();
    let deb = debian(&b);
    // "Another host" with an IPv6 address, linked to this host by a veth pair.
    let peer = Peer::new("v6", 79);
    let host6 = "fdbe:2779::1";
    let peer6 = "fdbe:2779::2";
    let sh = |c: &str| {
        let st = Command::new("sh").arg("-c").arg(c).status().unwrap();
        assert!(st.success(), "{c}");
    };
    sh(&format!(
        "ip addr add {host6}/64 dev {} nodad && \
         ip -n {ns} addr add {peer6}/64 dev bt{tag}p nodad && \
         ip -n {ns} route add default via {host6}",
        peer.host_if,
        ns = peer.ns,
        tag = "v6"
    ));
    // It tells each client the address the connection came from.
    let port = 16402;
    let serve = format!(
        "import socket\ns = socket.socket(socket.AF_INET6)\n\
         s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
         s.bind(('::', {port}))\ns.listen(8)\nwhile True:\n    c, a = s.accept()\n    \
         c.sendall((a[0] + '\\n').encode())\n    c.close()\n"
    );
    let mut server = Command::new("ip")
        .args(["netns", "exec", &peer.ns, "python3", "-c", &serve])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    b.run(&["network", "create", "--ipv6", "out6"]).ok();
    let mut seen = String::new();
    wait_until(15, "an IPv6 connection out of the network", || {
        let r = b.run(&[
            "run",
            "--rm",
            "--network",
            "out6",
            &deb,
            "bash",
            "-c",
            &format!("exec 3<>/dev/tcp/{peer6}/{port} && head -1 <&3"),
        ]);
        seen = r.stdout.trim().to_string();
        !seen.is_empty()
    });
    // Masqueraded: the peer sees the host's address, not the container's ULA.
    assert_eq!(seen, host6);
    let _ = server.kill();
    let _ = server.wait();
    b.run(&["network", "rm", "out6"]).ok();
    drop(peer);
    drop(b);
    assert_no_berth_ip6tables();
    drop(guard);
}

#[test]
fn a_killed_monitor_leaves_no_network_state() {
    let b = Berth::new();
    let bb = busybox(&b);
    let port = free_port();
    b.run(&[
        "run",
        "-d",
        "--name",
        "doomed",
        "-p",
        &format!("{port}:80"),
        &bb,
        "sleep",
        "300",
    ])
    .ok();
    let id = id_of(&b, "doomed");
    let ip = container_ip(&b, "doomed");
    let netns = b.runroot().join("netns").join(&id);
    assert!(netns.exists());
    assert!(iptables_save().contains(&format!("--to-destination {ip}:80")));
    // SIGKILL the monitor: the reconciler (any command that reads the container) cleans up.
    let pid: i32 = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<i32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| {
                    let c = String::from_utf8_lossy(&c);
                    c.contains("container-monitor") && c.contains(&id)
                })
                .unwrap_or(false)
        })
        .expect("the monitor");
    // SAFETY: killing the test's own container monitor.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    wait_until(10, "the monitor to die", || {
        !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z"))
            .unwrap_or(false)
    });
    let st = b.run(&["ps", "-a", "--format", "{{.Status}}"]).ok();
    assert!(st.stdout.starts_with("Exited"), "{}", st.stdout);
    assert!(!netns.exists(), "netns left");
    assert!(
        !iptables_save().contains(&format!("--to-destination {ip}:80")),
        "DNAT rule left"
    );
    TcpListener::bind(("0.0.0.0", port)).expect("the published port is free again");
    let v = inspect(&b, "doomed");
    assert_eq!(v["NetworkSettings"]["IPAddress"], "");
    // It starts again, with a lease and its port.
    b.run(&["start", "doomed"]).ok();
    assert!(!container_ip(&b, "doomed").is_empty());
    b.run(&["rm", "-f", "doomed"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn a_resolver_on_the_hosts_loopback_serves_containers() {
    // A DNS server on the host's 127.0.0.1:53 (like systemd-resolved's 127.0.0.53): a container
    // cannot reach it itself; berth's DNS server relays to it.
    let server = match UdpSocket::bind("127.0.0.1:53") {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipped: 127.0.0.1:53 is taken on this host ({e})");
            return;
        }
    };
    server
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    let answers = std::thread::spawn(move || {
        let mut n = 0;
        let mut buf = [0u8; 512];
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            let Ok((len, from)) = server.recv_from(&mut buf) else {
                continue;
            };
            let q = &buf[..len];
            // Answer every A query with 10.9.8.7 (and AAAA with nothing).
            let mut i = 12;
            while i < len && q[i] != 0 {
                i += q[i] as usize + 1;
            }
            let end = i + 5;
            if end > len {
                continue;
            }
            let qtype = u16::from_be_bytes([q[i + 1], q[i + 2]]);
            let mut r = q[..end].to_vec();
            r[2] = 0x81;
            r[3] = 0x80;
            if qtype == 1 {
                r[7] = 1;
                r.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 8, 7]);
            }
            let _ = server.send_to(&r, from);
            n += 1;
        }
        n
    });
    let b = Berth::new();
    let deb = debian(&b);
    let out = b
        .run(&[
            "run",
            "--rm",
            "--dns",
            "127.0.0.1",
            &deb,
            "getent",
            "hosts",
            "db.example.test",
        ])
        .ok();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let n = answers.join().unwrap();
    assert!(out.stdout.starts_with("10.9.8.7"), "{}", out.stdout);
    assert!(n > 0, "the host's resolver was never asked");
}
