//! Networking with real bridges, veths, namespaces and iptables: published ports reached from the
//! host (redis PONG, UDP echo, random ports, -P), port conflicts, the 127.0.0.1 hole tested from a
//! network namespace of our own, user networks with name resolution, isolation, --internal,
//! connect/disconnect, concurrent address leases, the DNS server, and that nothing is left
//! behind. IPv6 is in `network_ipv6.rs`.
//!
//! Traffic goes only to loopback, to this host's own addresses, and to containers and
//! namespaces the tests create.

mod common;
mod network_helpers;

use std::collections::HashSet;
use std::net::{TcpListener, UdpSocket};
use std::process::Command;
use std::time::Duration;

use common::{Berth, Run, assert_no_leftovers, busybox, inspect, wait_until};
use network_helpers::*;

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
    // Another container asks for the same port: refused; the container stays Created (as
    // Docker's), with nothing of a start left, and starts once the port is free.
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
    let all = b
        .run(&["ps", "-a", "--format", "{{.Names}} {{.State}}"])
        .ok();
    let mut names: Vec<&str> = all.stdout.lines().collect();
    names.sort();
    assert_eq!(names, ["first running", "second created"], "{}", all.stdout);
    let r = b.run(&["start", "second"]);
    assert_eq!(r.code, 125, "{r:?}");
    b.run(&["rm", "-f", "first"]).ok();
    b.run(&["start", "second"]).ok();
    assert!(common::is_running(&b, "second"));
    b.run(&["rm", "-f", "second"]).ok();
    b.run(&[
        "run", "-d", "--name", "first", "-p", &spec, &bb, "sleep", "60",
    ])
    .ok();
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
    // A DNS server on a loopback address of the host (like systemd-resolved's 127.0.0.53): a
    // container cannot reach it itself; berth's DNS server relays to it. Port 53 of an address
    // of 127/8 that nothing else uses (every one of them is the host's own): one per process, so
    // concurrent runs of this test and a resolver on 127.0.0.1 or .53 do not collide.
    let pid = std::process::id();
    let resolver = format!("127.{}.{}.53", 100 + (pid >> 16) % 100, (pid >> 8) & 0xff);
    let resolver = if UdpSocket::bind((resolver.as_str(), 53)).is_ok() {
        resolver
    } else {
        format!("127.{}.{}.54", 100 + (pid >> 16) % 100, pid & 0xff)
    };
    let server = UdpSocket::bind((resolver.as_str(), 53))
        .unwrap_or_else(|e| panic!("binding {resolver}:53: {e}"));
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
            &resolver,
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

#[test]
fn garbage_sent_to_the_dns_server_leaves_it_answering() {
    let b = Berth::new();
    let deb = debian(&b);
    let bb = busybox(&b);
    b.run(&["network", "create", "garbage"]).ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "web",
        "--network",
        "garbage",
        &bb,
        "sleep",
        "120",
    ])
    .ok();
    let web_ip = container_ip(&b, "web");
    // From inside a container on the network: random datagrams of every size, a short one, a
    // big one, a truncated question and a response, all to 127.0.0.11:53; then a lookup.
    let script = r#"
        d=/dev/udp/127.0.0.11/53
        for i in $(seq 1 200); do head -c $((RANDOM % 700 + 1)) /dev/urandom > $d; done
        head -c 5 /dev/urandom > $d
        head -c 60000 /dev/urandom | dd bs=60000 count=1 iflag=fullblock 2>/dev/null > $d
        printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03we' > $d
        printf '\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x03web\x00\x00\x01\x00\x01' > $d
        printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01' > $d
        getent hosts web
    "#;
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "garbage",
            &deb,
            "bash",
            "-c",
            script,
        ])
        .ok();
    assert!(
        out.stdout.starts_with(&format!("{web_ip} ")),
        "{}",
        out.stdout
    );
    // The web container's own DNS server got none of that; the one that did was served by a
    // monitor that is gone with its container. Do the same to a running container's server
    // and look up from it again.
    b.run(&[
        "run",
        "-d",
        "--name",
        "client",
        "--network",
        "garbage",
        &deb,
        "sleep",
        "120",
    ])
    .ok();
    let garbage = r#"
        d=/dev/udp/127.0.0.11/53
        for i in $(seq 1 200); do head -c $((RANDOM % 700 + 1)) /dev/urandom > $d; done
    "#;
    b.run(&["exec", "client", "bash", "-c", garbage]).ok();
    let out = b.run(&["exec", "client", "getent", "hosts", "web"]).ok();
    assert!(
        out.stdout.starts_with(&format!("{web_ip} ")),
        "{}",
        out.stdout
    );
    let ps = b.run(&["ps", "--format", "{{.Names}}"]).ok();
    assert!(ps.stdout.contains("client"), "{}", ps.stdout);
    let ids = [id_of(&b, "web"), id_of(&b, "client")];
    b.run(&["rm", "-f", "web", "client"]).ok();
    b.run(&["network", "rm", "garbage"]).ok();
    assert_no_leftovers(&b, &ids);
}

/// Docker's pre-defined `bridge` is listed and inspectable before any container used it, and
/// cannot be removed or pruned.
#[test]
fn the_default_bridge_is_listed_from_the_start() {
    let b = Berth::new();
    // Before anything made it too (exit 1, as for Docker's 403).
    let r = b.run(&["network", "rm", "bridge"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("bridge is a pre-defined network and cannot be removed"),
        "{}",
        r.stderr
    );
    let ls = b
        .run(&["network", "ls", "--format", "{{.Name}} {{.Driver}}"])
        .ok();
    assert_eq!(
        ls.stdout.lines().collect::<Vec<_>>(),
        ["bridge bridge", "host host", "none null"]
    );
    let n = b.run(&["network", "inspect", "bridge"]).ok();
    let v: serde_json::Value = serde_json::from_str(&n.stdout).unwrap();
    assert_eq!(v[0]["Name"], "bridge");
    assert_eq!(v[0]["Driver"], "bridge");
    let subnet = v[0]["IPAM"]["Config"][0]["Subnet"].as_str().unwrap();
    let (addr, len) = subnet.split_once('/').unwrap();
    assert!(
        addr.parse::<std::net::Ipv4Addr>().is_ok() && len.parse::<u8>().is_ok(),
        "{subnet}"
    );
    b.run(&["network", "prune", "-f"]).ok();
    let ls = b
        .run(&["network", "ls", "-q", "--filter", "name=bridge"])
        .ok();
    assert_eq!(ls.lines().len(), 1, "{}", ls.stdout);
}
