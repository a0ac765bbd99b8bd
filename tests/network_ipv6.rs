//! IPv6 networking with real bridges, veths, namespaces and ip6tables: publishing on the host's
//! own IPv6 address and on [::], dual-stack addresses and AAAA names, the default network made
//! dual-stack, outbound IPv6 masquerading, the refusals ([::1], IPv6 on IPv4-only networks) and
//! ip6tables cleanup.
//!
//! Traffic goes only to loopback, to this host's own addresses, and to containers and
//! namespaces the tests create.

mod common;
mod network_helpers;

use std::collections::HashSet;
use std::net::TcpListener;
use std::process::Command;

use common::{Berth, Run, assert_no_leftovers, busybox, inspect, wait_until};
use network_helpers::*;

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
