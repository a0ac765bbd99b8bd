//! The network flags of `run`/`create` beyond `-p` and `--network`: `--expose` (with `-P`,
//! inspect and `ps --filter expose=`), `--mac-address`, repeated and advanced `--network`
//! (also through the Engine API with the docker CLI), with real bridges and namespaces.

mod common;
mod network_helpers;

use common::{Berth, assert_no_leftovers, busybox, inspect, wait_until};
use network_helpers::*;

/// A TCP answer from HOST:PORT (busybox `nc` in the container prints a line per connection).
fn tcp_line(addr: &str) -> String {
    use std::io::Read;
    let Ok(mut s) = std::net::TcpStream::connect_timeout(
        &addr.parse().unwrap(),
        std::time::Duration::from_millis(500),
    ) else {
        return String::new();
    };
    s.set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.trim().to_string()
}

#[test]
fn expose_ports_and_ranges_are_exposed_published_by_dash_p_and_filtered() {
    let b = Berth::new();
    let img = busybox(&b);
    let serve = "while true; do echo exposed | nc -l -p 8080; done";
    b.run(&[
        "run",
        "-d",
        "--name",
        "ex",
        "--expose",
        "8080",
        "--expose",
        "7000-7002/udp",
        "-P",
        &img,
        "sh",
        "-c",
        serve,
    ])
    .ok();
    let v = inspect(&b, "ex");
    let keys: Vec<&String> = v["Config"]["ExposedPorts"]
        .as_object()
        .expect("ExposedPorts")
        .keys()
        .collect();
    for k in ["8080/tcp", "7000/udp", "7001/udp", "7002/udp"] {
        assert!(keys.iter().any(|x| *x == k), "{k} not in {keys:?}");
    }
    assert_eq!(keys.len(), 4, "{keys:?}");
    assert_eq!(v["HostConfig"]["PublishAllPorts"], true);
    // -P published every exposed port, the --expose'd ones included.
    let p = b.run(&["port", "ex", "8080/tcp"]).ok();
    let addr = p.stdout.trim().replace("0.0.0.0", "127.0.0.1");
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    wait_until(20, "the exposed port to answer", || {
        tcp_line(&addr) == "exposed"
    });
    let p = b.run(&["port", "ex", "7001/udp"]).ok();
    assert!(p.stdout.trim().starts_with("0.0.0.0:"), "{}", p.stdout);

    // ps --filter expose= sees --expose'd ports; the ports filter matches ranges.
    b.run(&["create", "--name", "plain", &img]).ok();
    b.run(&["create", "--name", "pub", "-p", "9999:9000", &img])
        .ok();
    let names = |f: &str| {
        let mut v: Vec<String> = b
            .run(&["ps", "-a", "--filter", f, "--format", "{{.Names}}"])
            .ok()
            .lines()
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("expose=7001/udp"), ["ex"]);
    assert_eq!(names("expose=8000-8080"), ["ex"]);
    assert_eq!(names("expose=7001"), Vec::<String>::new());
    // A published port is exposed too (Docker adds `-p`'s ports to ExposedPorts).
    assert_eq!(names("expose=9000/tcp"), ["pub"]);
    assert_eq!(
        inspect(&b, "pub")["Config"]["ExposedPorts"],
        serde_json::json!({"9000/tcp": {}})
    );
    assert!(inspect(&b, "plain")["Config"]["ExposedPorts"].is_null());
    let id = inspect(&b, "ex")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "-f", "ex", "plain", "pub"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn bad_expose_values_are_refused_before_anything_is_made() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--expose", "8080:80", &img])
        .fails_with("invalid port format for --expose: 8080:80");
    b.run(&["create", "--expose", "90-80", &img])
        .fails_with("invalid range format for --expose: 90-80");
    b.run(&["create", "--expose", "http", &img])
        .fails_with("invalid range format for --expose: http");
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout.trim(), "");
}

#[test]
fn mac_address_is_the_interfaces_shown_by_inspect_and_kept_across_restarts() {
    let b = Berth::new();
    let img = busybox(&b);
    let mac = "92:d0:c6:0a:29:33";
    b.run(&[
        "create",
        "--name",
        "macd",
        "--mac-address",
        mac,
        &img,
        "sleep",
        "600",
    ])
    .ok();
    // Created: inspect shows the address asked for.
    let v = inspect(&b, "macd");
    assert_eq!(v["Config"]["MacAddress"], mac);
    assert_eq!(
        v["NetworkSettings"]["Networks"]["bridge"]["MacAddress"],
        mac
    );
    for round in 0..2 {
        b.run(&["start", "macd"]).ok();
        let inside = b
            .run(&["exec", "macd", "cat", "/sys/class/net/eth0/address"])
            .ok();
        assert_eq!(inside.stdout.trim(), mac, "start {round}");
        let v = inspect(&b, "macd");
        assert_eq!(v["NetworkSettings"]["MacAddress"], mac);
        assert_eq!(
            v["NetworkSettings"]["Networks"]["bridge"]["MacAddress"],
            mac
        );
        assert_eq!(v["Config"]["MacAddress"], mac);
        // The host's end of the veth is on the bridge; the container's address answers.
        let ip = container_ip(&b, "macd");
        let ping = b
            .run(&["run", "--rm", &img, "ping", "-c", "1", "-W", "5", &ip])
            .ok();
        assert!(
            ping.stdout.contains("1 packets received"),
            "{}",
            ping.stdout
        );
        b.run(&["stop", "-t", "0", "macd"]).ok();
    }
    // Other spellings Docker accepts are kept in a canonical form.
    b.run(&[
        "create",
        "--name",
        "dash",
        "--mac-address",
        "92-D0-C6-0A-29-34",
        &img,
    ])
    .ok();
    assert_eq!(
        inspect(&b, "dash")["NetworkSettings"]["Networks"]["bridge"]["MacAddress"],
        "92:d0:c6:0a:29:34"
    );
    // A container without one gets Docker's 02:42 + its address, and no Config.MacAddress.
    b.run(&["run", "-d", "--name", "plain", &img, "sleep", "600"])
        .ok();
    let v = inspect(&b, "plain");
    assert!(v["Config"]["MacAddress"].is_null(), "{}", v["Config"]);
    let m = v["NetworkSettings"]["MacAddress"].as_str().unwrap();
    assert!(m.starts_with("02:42:"), "{m}");
    let id = inspect(&b, "macd")["Id"].as_str().unwrap().to_string();
    let id2 = inspect(&b, "plain")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "-f", "macd", "dash", "plain"]).ok();
    assert_no_leftovers(&b, &[id, id2]);
}

#[test]
fn bad_mac_addresses_are_refused_with_dockers_messages() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["create", "--mac-address", "92:d0:c6:0a:29", &img])
        .fails_with("92:d0:c6:0a:29 is not a valid mac address");
    b.run(&["create", "--mac-address", "zz:d0:c6:0a:29:33", &img])
        .fails_with("zz:d0:c6:0a:29:33 is not a valid mac address");
    b.run(&[
        "create",
        "--network",
        "none",
        "--mac-address",
        "92:d0:c6:0a:29:33",
        &img,
    ])
    .fails_with("conflicting options: mac-address and the network mode");
    b.run(&[
        "create",
        "--network",
        "host",
        "--mac-address",
        "92:d0:c6:0a:29:33",
        &img,
    ])
    .fails_with("conflicting options: mac-address and the network mode");
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout.trim(), "");
    // A multicast address, as dockerd: created, then refused by each start (the interface
    // cannot have it), which leaves nothing behind.
    b.run(&[
        "create",
        "--name",
        "mcast",
        "--mac-address",
        "01:00:5E:00:00:01",
        &img,
    ])
    .ok();
    for _ in 0..2 {
        let r = b.run(&["start", "mcast"]);
        assert_ne!(r.code, 0, "{r:?}");
        assert!(
            r.stderr.contains("error setting interface \"veth")
                && r.stderr
                    .contains("MAC to \"01:00:5e:00:00:01\": cannot assign requested address"),
            "{r:?}"
        );
        assert_eq!(inspect(&b, "mcast")["State"]["Status"], "created");
    }
    let id = inspect(&b, "mcast")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "mcast"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn network_connect_mac_address_is_the_interfaces() {
    let b = Berth::new();
    let img = busybox(&b);
    let s = common::Service::start(&b);
    b.run(&["network", "create", "nfm"]).ok();
    b.run(&["network", "create", "nfn"]).ok();
    let mac_on = |name: &str, ifname: &str| {
        b.run(&[
            "exec",
            name,
            "cat",
            &format!("/sys/class/net/{ifname}/address"),
        ])
        .ok()
        .stdout
        .trim()
        .to_string()
    };
    let shown = |name: &str, net: &str| {
        inspect(&b, name)["NetworkSettings"]["Networks"][net]["MacAddress"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };

    // A running container gets its interface with the address at once.
    b.run(&["run", "-d", "--name", "cm", &img, "sleep", "600"])
        .ok();
    b.run(&[
        "network",
        "connect",
        "--mac-address",
        "92:d0:c6:0a:29:51",
        "nfm",
        "cm",
    ])
    .ok();
    assert_eq!(mac_on("cm", "eth1"), "92:d0:c6:0a:29:51");
    assert_eq!(shown("cm", "nfm"), "92:d0:c6:0a:29:51");

    // A created one keeps it for its starts (canonical spelling).
    b.run(&["create", "--name", "cm2", &img, "sleep", "600"])
        .ok();
    b.run(&[
        "network",
        "connect",
        "--mac-address",
        "92:D0:C6:0A:29:52",
        "nfm",
        "cm2",
    ])
    .ok();
    b.run(&["start", "cm2"]).ok();
    assert_eq!(mac_on("cm2", "eth1"), "92:d0:c6:0a:29:52");

    // Through the API: EndpointConfig.MacAddress, API 1.44 and later.
    let (code, body) = s.curl(
        "POST",
        "/v1.44/networks/nfn/connect",
        Some(r#"{"Container":"cm2","EndpointConfig":{"MacAddress":"92:d0:c6:0a:29:53"}}"#),
    );
    assert_eq!(code, 200, "{body}");
    assert_eq!(mac_on("cm2", "eth2"), "92:d0:c6:0a:29:53");
    // Before 1.44, dockerd ignores it: Docker's 02:42 + the address.
    b.run(&["run", "-d", "--name", "cm3", &img, "sleep", "600"])
        .ok();
    let (code, body) = s.curl(
        "POST",
        "/v1.43/networks/nfn/connect",
        Some(r#"{"Container":"cm3","EndpointConfig":{"MacAddress":"92:d0:c6:0a:29:54"}}"#),
    );
    assert_eq!(code, 200, "{body}");
    assert!(
        mac_on("cm3", "eth1").starts_with("02:42:"),
        "{}",
        mac_on("cm3", "eth1")
    );

    // Bad input: one line, nothing connected.
    b.run(&["network", "connect", "--mac-address", "zz", "nfm", "cm3"])
        .fails_with("invalid MAC address zz");
    let (code, body) = s.curl(
        "POST",
        "/v1.51/networks/nfm/connect",
        Some(r#"{"Container":"cm3","EndpointConfig":{"MacAddress":"bad"}}"#),
    );
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid MAC address bad"), "{body}");
    // A multicast address: the running container's interface cannot have it (dockerd's
    // words), and it stays off the network.
    let r = b.run(&[
        "network",
        "connect",
        "--mac-address",
        "01:00:5e:00:00:01",
        "nfm",
        "cm3",
    ]);
    r.fails_with("MAC to \"01:00:5e:00:00:01\": cannot assign requested address");
    assert!(
        inspect(&b, "cm3")["NetworkSettings"]["Networks"]["nfm"].is_null(),
        "{}",
        inspect(&b, "cm3")["NetworkSettings"]["Networks"]
    );
    let r = b.run(&["exec", "cm3", "ls", "/sys/class/net"]).ok();
    assert_eq!(
        r.stdout.split_whitespace().collect::<Vec<_>>(),
        ["eth0", "eth1", "lo"]
    );

    let ids: Vec<String> = ["cm", "cm2", "cm3"]
        .iter()
        .map(|n| inspect(&b, n)["Id"].as_str().unwrap().to_string())
        .collect();
    b.run(&["rm", "-f", "cm", "cm2", "cm3"]).ok();
    b.run(&["network", "rm", "nfm", "nfn"]).ok();
    assert_no_leftovers(&b, &ids);
}

/// The subnet of a network as `A.B.C.` (berth chooses /24s for user networks).
fn prefix24(b: &Berth, network: &str) -> String {
    let v = inspect(b, network);
    let subnet = v["IPAM"]["Config"][0]["Subnet"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(subnet.ends_with(".0/24"), "{subnet}");
    subnet.trim_end_matches("0/24").to_string()
}

/// `nslookup NAME` through the container DNS server of a new container on `network`.
fn lookup(b: &Berth, network: &str, name: &str) -> String {
    b.run(&[
        "run",
        "--rm",
        "--network",
        network,
        &busybox(b),
        "nslookup",
        name,
        "127.0.0.11",
    ])
    .stdout
}

#[test]
fn repeated_and_advanced_network_flags_attach_every_network() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["network", "create", "nfa"]).ok();
    b.run(&["network", "create", "nfb"]).ok();
    let ip_b = format!("{}50", prefix24(&b, "nfb"));
    let mac_b = "92:d0:c6:0a:29:40";
    let adv = format!("name=nfb,alias=bee,alias=bumble,ip={ip_b},mac-address={mac_b}");
    b.run(&[
        "run",
        "-d",
        "--name",
        "multi",
        "--network",
        "nfa",
        "--network-alias",
        "aye",
        "--network",
        &adv,
        &img,
        "sleep",
        "600",
    ])
    .ok();
    let v = inspect(&b, "multi");
    assert_eq!(v["HostConfig"]["NetworkMode"], "nfa");
    let nets = &v["NetworkSettings"]["Networks"];
    assert_eq!(nets.as_object().unwrap().len(), 2, "{nets}");
    assert_eq!(nets["nfb"]["IPAddress"], ip_b.as_str());
    assert_eq!(nets["nfb"]["MacAddress"], mac_b);
    assert_eq!(nets["nfb"]["Aliases"], serde_json::json!(["bee", "bumble"]));
    assert_eq!(nets["nfa"]["Aliases"], serde_json::json!(["aye"]));
    assert_eq!(nets["nfb"]["IPAMConfig"]["IPv4Address"], ip_b.as_str());
    let ip_a = nets["nfa"]["IPAddress"].as_str().unwrap().to_string();
    // Inside: one interface per network, in order, with the MAC address asked for.
    let eth1 = b
        .run(&["exec", "multi", "cat", "/sys/class/net/eth1/address"])
        .ok();
    assert_eq!(eth1.stdout.trim(), mac_b);
    let eth0 = b
        .run(&["exec", "multi", "cat", "/sys/class/net/eth0/address"])
        .ok();
    assert!(eth0.stdout.trim().starts_with("02:42:"), "{}", eth0.stdout);
    // Each network's neighbours find it by its aliases there, at that network's address.
    let on_b = lookup(&b, "nfb", "bumble");
    assert!(on_b.contains(&ip_b), "{on_b}");
    let on_a = lookup(&b, "nfa", "aye");
    assert!(on_a.contains(&ip_a), "{on_a}");
    let ping = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "nfb",
            &img,
            "ping",
            "-c",
            "1",
            "-W",
            "5",
            "bee",
        ])
        .ok();
    assert!(
        ping.stdout.contains("1 packets received"),
        "{}",
        ping.stdout
    );
    // ps --filter network= sees it on both.
    for n in ["nfa", "nfb"] {
        let ps = b
            .run(&[
                "ps",
                "--filter",
                &format!("network={n}"),
                "--format",
                "{{.Names}}",
            ])
            .ok();
        assert_eq!(ps.stdout.trim(), "multi", "{n}");
    }
    let id = inspect(&b, "multi")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "-f", "multi"]).ok();
    b.run(&["network", "rm", "nfa", "nfb"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn network_flags_that_cannot_combine_are_refused_with_dockers_messages() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["network", "create", "nfc"]).ok();
    b.run(&["network", "create", "nfd"]).ok();
    let mixed = "conflicting options: cannot attach both user-defined and non-user-defined \
                 network-modes";
    for (one, two) in [
        ("none", "nfc"),
        ("nfc", "host"),
        ("nfc", "container:other"),
        ("bridge", "nfc"),
    ] {
        b.run(&["create", "--network", one, "--network", two, &img])
            .fails_with(mixed);
    }
    b.run(&["create", "--network", "nfc", "--network", "name=nfc", &img])
        .fails_with("network \"nfc\" is specified multiple times");
    b.run(&[
        "create",
        "--network",
        "name=nfc,alias=x",
        "--network-alias",
        "y",
        &img,
    ])
    .fails_with("conflicting options: cannot specify both --network-alias and per-network alias");
    b.run(&[
        "create",
        "--network",
        "name=nfc,mac-address=92:d0:c6:0a:29:41",
        "--mac-address",
        "92:d0:c6:0a:29:42",
        &img,
    ])
    .fails_with(
        "conflicting options: cannot specify both --mac-address and per-network MAC address",
    );
    b.run(&["create", "--network", "name=nfc,colour=blue", &img])
        .fails_with("invalid field key colour");
    b.run(&["create", "--network", "alias=x,ip=10.0.0.1", &img])
        .fails_with("network name/id is not specified");
    b.run(&["create", "--network", "name=bridge,alias=x", &img])
        .fails_with("network-scoped aliases are only supported for user-defined networks");
    b.run(&[
        "create",
        "--network",
        "nfc",
        "--network",
        "name=nfd,mac-address=xx",
        &img,
    ])
    .fails_with("xx is not a valid mac address");
    b.run(&["create", "--network", "nfc", "--network", "nope", &img])
        .fails_with("network nope not found");
    assert_eq!(b.run(&["ps", "-aq"]).ok().stdout.trim(), "");
    b.run(&["network", "rm", "nfc", "nfd"]).ok();
}

#[test]
fn docker_cli_attaches_several_networks_through_the_api_from_version_1_44() {
    let b = Berth::new();
    let s = common::Service::start(&b);
    let img = busybox(&b);
    b.run(&["network", "create", "nfe"]).ok();
    b.run(&["network", "create", "nff"]).ok();
    let mac = "92:d0:c6:0a:29:43";
    s.run_docker(&[
        "run",
        "-d",
        "--name",
        "viaapi",
        "--network",
        "nfe",
        "--network",
        &format!("name=nff,alias=eff,mac-address={mac}"),
        "--expose",
        "7070",
        &img,
        "sleep",
        "600",
    ])
    .ok();
    let v = inspect(&b, "viaapi");
    let nets = &v["NetworkSettings"]["Networks"];
    assert_eq!(nets.as_object().unwrap().len(), 2, "{nets}");
    assert_eq!(nets["nff"]["MacAddress"], mac);
    assert_eq!(nets["nff"]["Aliases"], serde_json::json!(["eff"]));
    assert!(
        v["Config"]["ExposedPorts"]["7070/tcp"].is_object(),
        "{}",
        v["Config"]
    );
    let inside = b
        .run(&["exec", "viaapi", "cat", "/sys/class/net/eth1/address"])
        .ok();
    assert_eq!(inside.stdout.trim(), mac);
    // The docker CLI's inspect reads the same.
    let d = s
        .run_docker(&[
            "inspect",
            "--format",
            "{{len .NetworkSettings.Networks}} {{.NetworkSettings.Networks.nff.MacAddress}}",
            "viaapi",
        ])
        .ok();
    assert_eq!(d.stdout.trim(), format!("2 {mac}"));
    // Before API 1.44, one network at create, as dockerd.
    let body = format!(
        r#"{{"Image":"{img}","HostConfig":{{"NetworkMode":"nfe"}},
            "NetworkingConfig":{{"EndpointsConfig":{{"nfe":{{}},"nff":{{}}}}}}}}"#
    );
    let (code, text) = s.curl("POST", "/v1.43/containers/create", Some(&body));
    assert_eq!(code, 400, "{text}");
    assert!(
        text.contains("Container cannot be created with multiple network endpoints: nfe, nff"),
        "{text}"
    );
    // The container-wide MacAddress of older clients goes to the main network.
    let body =
        format!(r#"{{"Image":"{img}","MacAddress":"{mac}","HostConfig":{{"NetworkMode":"nfe"}}}}"#);
    let (code, text) = s.curl("POST", "/v1.41/containers/create?name=old", Some(&body));
    assert_eq!(code, 201, "{text}");
    assert_eq!(
        inspect(&b, "old")["NetworkSettings"]["Networks"]["nfe"]["MacAddress"],
        mac
    );
    let body = format!(
        r#"{{"Image":"{img}","HostConfig":{{"NetworkMode":"nfe"}},
            "NetworkingConfig":{{"EndpointsConfig":{{"nfe":{{"MacAddress":"bad"}}}}}}}}"#
    );
    let (code, text) = s.curl("POST", "/v1.51/containers/create", Some(&body));
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("invalid MAC address bad"), "{text}");
    let id = inspect(&b, "viaapi")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "-f", "viaapi", "old"]).ok();
    b.run(&["network", "rm", "nfe", "nff"]).ok();
    assert_no_leftovers(&b, &[id]);
}

#[test]
fn legacy_links_write_hosts_entries_show_in_inspect_and_rm_link_removes_them() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&["run", "-d", "--name", "web", &img, "sleep", "600"])
        .ok();
    let web_ip = container_ip(&b, "web");
    let web_id = inspect(&b, "web")["Id"].as_str().unwrap().to_string();
    // The alias, the linked container's host name (its short ID) and its name.
    let hosts = b
        .run(&["run", "--rm", "--link", "web:db", &img, "cat", "/etc/hosts"])
        .ok();
    let want = format!("{web_ip}\tdb {} web", &web_id[..12]);
    assert!(
        hosts.stdout.lines().any(|l| l == want),
        "{want:?} in\n{}",
        hosts.stdout
    );
    // Without an alias, the name is the alias.
    let hosts = b
        .run(&["run", "--rm", "--link", "web", &img, "cat", "/etc/hosts"])
        .ok();
    let want = format!("{web_ip}\tweb {}", &web_id[..12]);
    assert!(
        hosts.stdout.lines().any(|l| l == want),
        "{want:?} in\n{}",
        hosts.stdout
    );

    b.run(&[
        "run", "-d", "--name", "linker", "--link", "web:db", &img, "sleep", "600",
    ])
    .ok();
    let v = inspect(&b, "linker");
    assert_eq!(
        v["HostConfig"]["Links"],
        serde_json::json!(["/web:/linker/db"])
    );
    let ping = b
        .run(&["exec", "linker", "ping", "-c", "1", "-W", "5", "db"])
        .ok();
    assert!(
        ping.stdout.contains("1 packets received"),
        "{}",
        ping.stdout
    );

    // rm --link removes the link, not a container.
    b.run(&["rm", "--link", "/linker/db"]).ok();
    assert!(inspect(&b, "linker")["HostConfig"]["Links"].is_null());
    assert!(common::is_running(&b, "web"));
    assert!(common::is_running(&b, "linker"));
    b.run(&["rm", "-l", "linker/db"]).fails_with("linker/db");
    b.run(&["rm", "--link", "linker"])
        .fails_with("Conflict, cannot remove the default link name of the container");

    // A missing container, a host-network one, a container that is not running at start.
    b.run(&["create", "--link", "missing:db", &img])
        .fails_with("could not get container for missing");
    b.run(&["create", "--network", "host", "--link", "web", &img])
        .fails_with("conflicting options: host type networking can't be used with links");
    b.run(&["create", "--link", "a:b:c", &img])
        .fails_with("bad format for links: a:b:c");
    b.run(&[
        "create", "--name", "later", "--link", "web:db", &img, "true",
    ])
    .ok();
    b.run(&["stop", "-t", "0", "web"]).ok();
    let r = b.run(&["start", "later"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("Cannot link to a non running container: /web AS /later/db"),
        "{}",
        r.stderr
    );
    let ids: Vec<String> = ["web", "linker", "later"]
        .iter()
        .map(|n| inspect(&b, n)["Id"].as_str().unwrap().to_string())
        .collect();
    b.run(&["rm", "-f", "web", "linker", "later"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn legacy_links_on_the_default_bridge_set_dockers_variables() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run", "-d", "--name", "db", "-e", "FOO=bar", "-e", "HOME=/x", "--expose", "80",
        "--expose", "81", "--expose", "82/udp", "--expose", "443", &img, "sleep", "600",
    ])
    .ok();
    let ip = container_ip(&b, "db");
    let link_vars = |out: &str, prefix: &str| -> Vec<String> {
        let mut v: Vec<String> = out
            .lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_string)
            .collect();
        v.sort();
        v
    };
    // What dockerd 20.10 sets for the same containers (its `env`, sorted).
    let want: Vec<String> = [
        "MY_DB_ENV_FOO=bar",
        "MY_DB_NAME=/lk/my-db",
        "MY_DB_PORT=tcp://IP:80",
        "MY_DB_PORT_443_TCP=tcp://IP:443",
        "MY_DB_PORT_443_TCP_ADDR=IP",
        "MY_DB_PORT_443_TCP_PORT=443",
        "MY_DB_PORT_443_TCP_PROTO=tcp",
        "MY_DB_PORT_80_TCP=tcp://IP:80",
        "MY_DB_PORT_80_TCP_ADDR=IP",
        "MY_DB_PORT_80_TCP_PORT=80",
        "MY_DB_PORT_80_TCP_PORT_START=80",
        "MY_DB_PORT_80_TCP_PROTO=tcp",
        "MY_DB_PORT_80_TCP_START=tcp://IP:80",
        "MY_DB_PORT_80_UDP_END=udp://IP:82",
        "MY_DB_PORT_80_UDP_PORT_END=82",
        "MY_DB_PORT_81_TCP=tcp://IP:81",
        "MY_DB_PORT_81_TCP_ADDR=IP",
        "MY_DB_PORT_81_TCP_PORT=81",
        "MY_DB_PORT_81_TCP_PROTO=tcp",
        "MY_DB_PORT_82_UDP=udp://IP:82",
        "MY_DB_PORT_82_UDP_ADDR=IP",
        "MY_DB_PORT_82_UDP_PORT=82",
        "MY_DB_PORT_82_UDP_PROTO=udp",
    ]
    .iter()
    .map(|l| l.replace("IP", &ip))
    .collect();
    let out = b
        .run(&[
            "run", "--rm", "--name", "lk", "--link", "db:my-db", &img, "env",
        ])
        .ok();
    assert_eq!(link_vars(&out.stdout, "MY_DB_"), want, "{}", out.stdout);

    // The run's own -e wins over a link's variable.
    let out = b
        .run(&[
            "run",
            "--rm",
            "--link",
            "db:my-db",
            "-e",
            "MY_DB_NAME=mine",
            &img,
            "sh",
            "-c",
            "echo $MY_DB_NAME",
        ])
        .ok();
    assert_eq!(out.stdout.trim(), "mine");
    // An exec in the linking container has them too, and they follow a restart.
    b.run(&[
        "run", "-d", "--name", "lk2", "--link", "db", &img, "sleep", "600",
    ])
    .ok();
    let port = || {
        b.run(&["exec", "lk2", "sh", "-c", "echo $DB_PORT"])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(port(), format!("tcp://{ip}:80"));
    b.run(&["restart", "-t", "0", "lk2"]).ok();
    assert_eq!(port(), format!("tcp://{ip}:80"));

    // On a user-defined network a link is a name only: no variables.
    b.run(&["network", "create", "nfl"]).ok();
    b.run(&[
        "run",
        "-d",
        "--name",
        "db2",
        "--network",
        "nfl",
        "--expose",
        "80",
        &img,
        "sleep",
        "600",
    ])
    .ok();
    let out = b
        .run(&[
            "run",
            "--rm",
            "--network",
            "nfl",
            "--link",
            "db2:other",
            &img,
            "env",
        ])
        .ok();
    assert_eq!(link_vars(&out.stdout, "OTHER_"), Vec::<String>::new());

    let ids: Vec<String> = ["db", "lk2", "db2"]
        .iter()
        .map(|n| inspect(&b, n)["Id"].as_str().unwrap().to_string())
        .collect();
    b.run(&["rm", "-f", "db", "lk2", "db2"]).ok();
    b.run(&["network", "rm", "nfl"]).ok();
    assert_no_leftovers(&b, &ids);
}

#[test]
fn ipc_container_shares_the_shareable_donors_dev_shm() {
    let b = Berth::new();
    let img = busybox(&b);
    b.run(&[
        "run",
        "-d",
        "--name",
        "donor",
        "--ipc",
        "shareable",
        "--shm-size",
        "8m",
        &img,
        "sh",
        "-c",
        "echo from-donor > /dev/shm/marker; echo ready; exec sleep 600",
    ])
    .ok();
    wait_until(10, "the donor to be ready", || {
        b.run(&["logs", "donor"]).stdout.contains("ready")
    });
    assert_eq!(inspect(&b, "donor")["HostConfig"]["IpcMode"], "shareable");
    // The joiner sees the donor's file, and what it writes the donor sees.
    let r = b
        .run(&[
            "run",
            "--rm",
            "--ipc",
            "container:donor",
            &img,
            "sh",
            "-c",
            "cat /dev/shm/marker; echo from-joiner > /dev/shm/back; df -k /dev/shm | tail -1",
        ])
        .ok();
    assert!(r.stdout.contains("from-donor"), "{}", r.stdout);
    // --shm-size of the donor: 8 MiB.
    assert!(r.stdout.contains(" 8192 "), "{}", r.stdout);
    let back = b.run(&["exec", "donor", "cat", "/dev/shm/back"]).ok();
    assert_eq!(back.stdout.trim(), "from-joiner");
    // A private (default) container cannot be joined for IPC; nor a stopped shareable one.
    b.run(&["run", "-d", "--name", "private", &img, "sleep", "600"])
        .ok();
    let r = b.run(&["run", "--rm", "--ipc", "container:private", &img, "true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.stderr.contains(
            "container private: non-shareable IPC (hint: use IpcMode:shareable for the donor container)"
        ),
        "{}",
        r.stderr
    );
    let id = inspect(&b, "donor")["Id"].as_str().unwrap().to_string();
    let shm = b.runroot().join("containers").join(&id[..16]).join("shm");
    assert!(shm.exists(), "{}", shm.display());
    b.run(&["stop", "-t", "0", "donor"]).ok();
    // Stopped: its /dev/shm is unmounted (by the monitor's cleanup).
    wait_until(10, "the donor's /dev/shm to go", || !shm.exists());
    let r = b.run(&["run", "--rm", "--ipc", "container:donor", &img, "true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.stderr.contains("non running container: donor"),
        "{}",
        r.stderr
    );
    // --shm-size still sizes a private /dev/shm.
    let r = b
        .run(&[
            "run",
            "--rm",
            "--shm-size",
            "4m",
            &img,
            "sh",
            "-c",
            "df -k /dev/shm | tail -1",
        ])
        .ok();
    assert!(r.stdout.contains(" 4096 "), "{}", r.stdout);
    let id2 = inspect(&b, "private")["Id"].as_str().unwrap().to_string();
    b.run(&["rm", "-f", "donor", "private"]).ok();
    assert_no_leftovers(&b, &[id, id2]);
}
