//! Docker's inspect JSON of a container (`inspect`, `GET /containers/{id}/json`), built from
//! its row, settings, image config, endpoints and published ports.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Result;
use crate::clock::rfc3339_nanos;
use crate::containers::{self, Paths, Settings};
use crate::network;
use crate::state::containers::{ContainerRow, Status};
use crate::state::networks as rows;
use crate::store::Store;
use crate::volumes;

/// Docker's container inspect JSON.
pub fn container(store: &Store, c: &ContainerRow) -> Result<Value> {
    let s = Settings::of(c)?;
    let paths = Paths::new(store, &c.id);
    let image_config = crate::images::config(store, &c.image_id).unwrap_or(Value::Null);
    let args = containers::runspec::process_args(&s, &image_config).unwrap_or_default();
    let img_cfg = image_config.get("config").cloned().unwrap_or(Value::Null);
    let cmd = if s.cmd.is_empty() && s.entrypoint.is_none() {
        img_cfg.get("Cmd").cloned().unwrap_or(Value::Null)
    } else {
        json!(s.cmd)
    };
    let entrypoint = match &s.entrypoint {
        Some(e) => json!(e),
        None => img_cfg.get("Entrypoint").cloned().unwrap_or(Value::Null),
    };
    let lower = crate::images::mount::lowerdirs(store, &c.image_id, false)
        .map(|l| {
            l.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":")
        })
        .unwrap_or_default();
    let (mounts, binds, hc_mounts) = mounts_json(&store.root, &s.mounts);
    let mut config_volumes = img_cfg.get("Volumes").cloned().unwrap_or(Value::Null);
    for m in s
        .mounts
        .iter()
        .filter(|m| m.anonymous && m.from_volume_flag)
    {
        if !config_volumes.is_object() {
            config_volumes = json!({});
        }
        config_volumes[&m.target] = json!({});
    }
    Ok(json!({
        "Id": c.id,
        "Created": rfc3339_nanos(c.created),
        "Path": args.first().cloned().unwrap_or_default(),
        "Args": args.iter().skip(1).cloned().collect::<Vec<_>>(),
        "State": {
            "Status": c.status.as_str(),
            "Running": matches!(c.status, Status::Running | Status::Paused),
            "Paused": c.status == Status::Paused,
            "Restarting": c.status == Status::Restarting,
            "OOMKilled": c.oom_killed,
            "Dead": c.status == Status::Dead,
            "Pid": c.pid,
            "ExitCode": c.exit_code,
            "Error": c.error,
            "StartedAt": rfc3339_nanos(c.started_at),
            "FinishedAt": rfc3339_nanos(c.finished_at),
        },
        "Image": c.image_id,
        "ResolvConfPath": paths.dir.join("resolv.conf"),
        "HostnamePath": paths.dir.join("hostname"),
        "HostsPath": paths.dir.join("hosts"),
        "LogPath": paths.log(),
        "Name": format!("/{}", c.name),
        "RestartCount": c.restart_count,
        "Driver": "overlay",
        "Platform": "linux",
        "HostConfig": {
            "AutoRemove": s.auto_remove,
            "RestartPolicy": { "Name": s.restart.name(), "MaximumRetryCount": s.restart.max_retries() },
            "NetworkMode": s.network.shown(),
            "PortBindings": port_bindings(&s),
            "PublishAllPorts": s.publish_all,
            "Dns": s.dns,
            "DnsSearch": s.dns_search,
            "DnsOptions": s.dns_options,
            "ExtraHosts": s.add_hosts,
            "Privileged": s.privileged,
            "CapAdd": s.cap_add,
            "CapDrop": s.cap_drop,
            "SecurityOpt": s.security_opt,
            "ReadonlyRootfs": s.read_only,
            "Memory": s.memory.unwrap_or(0),
            "MemorySwap": s.memory_swap.unwrap_or(0),
            "NanoCpus": s.cpus.map(|c| (c * 1e9) as i64).unwrap_or(0),
            "CpuShares": s.cpu_shares.unwrap_or(0),
            "CpuQuota": s.cpu_quota.unwrap_or(0),
            "CpuPeriod": s.cpu_period.unwrap_or(0),
            "CpusetCpus": s.cpuset_cpus.clone().unwrap_or_default(),
            "PidsLimit": s.pids_limit,
            "BlkioWeight": s.blkio_weight.unwrap_or(0),
            "Init": s.init,
            "Binds": binds,
            "Mounts": hc_mounts,
            "VolumesFrom": if s.volumes_from.is_empty() { Value::Null } else { json!(s.volumes_from) },
            "LogConfig": { "Type": "json-file", "Config": {} },
        },
        "GraphDriver": {
            "Name": "overlay",
            "Data": {
                "LowerDir": lower,
                "UpperDir": paths.upper(),
                "WorkDir": paths.work(),
                "MergedDir": paths.rootfs(),
            }
        },
        "Mounts": mounts,
        "Config": {
            "Hostname": s.hostname.clone().unwrap_or_else(|| c.id[..12].to_string()),
            "User": s.user.clone().or_else(|| img_cfg.get("User").and_then(|u| u.as_str()).map(str::to_string)).unwrap_or_default(),
            "Tty": s.tty,
            "OpenStdin": s.interactive,
            "Env": containers::runspec::env(&s, &image_config),
            "Cmd": cmd,
            "Image": c.image_name,
            "WorkingDir": s.workdir.clone().or_else(|| img_cfg.get("WorkingDir").and_then(|u| u.as_str()).map(str::to_string)).unwrap_or_default(),
            "Entrypoint": entrypoint,
            "Labels": s.labels,
            "StopSignal": s.stop_signal.clone().or_else(|| img_cfg.get("StopSignal").and_then(|u| u.as_str()).map(str::to_string)),
            "StopTimeout": s.stop_timeout,
            "ExposedPorts": img_cfg.get("ExposedPorts").cloned(),
            "Volumes": config_volumes,
        },
        "NetworkSettings": network_settings(store, c, &s)?,
    }))
}

/// Docker's `HostConfig.PortBindings` from the `-p` flags.
fn port_bindings(s: &Settings) -> Value {
    let mut m: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for spec in &s.publish {
        for b in network::ports::parse(spec).unwrap_or_default() {
            let host_port = match b.host_ports {
                (0, 0) => String::new(),
                (a, z) if a == z => a.to_string(),
                (a, z) => format!("{a}-{z}"),
            };
            m.entry(format!("{}/{}", b.container_port, b.proto))
                .or_default()
                .push(json!({
                    "HostIp": b.host_ip.map(|i| i.to_string()).unwrap_or_default(),
                    "HostPort": host_port,
                }));
        }
    }
    json!(m)
}

/// Docker's `NetworkSettings` of a container.
fn network_settings(store: &Store, c: &ContainerRow, s: &Settings) -> Result<Value> {
    let conn = &store.db.conn;
    let running = c.status.is_active();
    let mut ports: BTreeMap<String, Value> = BTreeMap::new();
    if running {
        for p in rows::ports_of(conn, &c.id).unwrap_or_default() {
            let key = format!("{}/{}", p.container_port, p.proto);
            let entry = ports.entry(key).or_insert_with(|| json!([]));
            if let Some(arr) = entry.as_array_mut() {
                arr.push(json!({
                    "HostIp": if p.host_ip.is_empty() { "0.0.0.0".to_string() } else { p.host_ip.clone() },
                    "HostPort": p.host_port.to_string(),
                }));
            }
        }
    }
    let mut networks = Map::new();
    let mut primary: Option<Value> = None;
    for e in rows::endpoints_of(conn, &c.id).unwrap_or_default() {
        let Ok(Some(n)) = rows::network(conn, &e.network_id) else {
            continue;
        };
        let prefix: u64 = n
            .subnet
            .rsplit('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let live = running && e.ip.is_some();
        let prefix6: u64 = n
            .subnet6
            .as_deref()
            .and_then(|s| s.rsplit('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let ip6 = e.ip6.clone().filter(|_| live);
        let v = json!({
            "IPAMConfig": (e.static_ip.is_some() || e.static_ip6.is_some()).then(|| {
                let mut m = Map::new();
                if let Some(ip) = &e.static_ip {
                    m.insert("IPv4Address".into(), json!(ip));
                }
                if let Some(ip) = &e.static_ip6 {
                    m.insert("IPv6Address".into(), json!(ip));
                }
                Value::Object(m)
            }),
            "Links": null,
            "Aliases": e.aliases,
            "NetworkID": n.id,
            "EndpointID": if live { super::networks::endpoint_id(&c.id, &n.id) } else { String::new() },
            "Gateway": if live { n.gateway.clone() } else { String::new() },
            "IPAddress": if live { e.ip.clone().unwrap_or_default() } else { String::new() },
            "IPPrefixLen": if live { prefix } else { 0 },
            "IPv6Gateway": if ip6.is_some() { n.gateway6.clone().unwrap_or_default() } else { String::new() },
            "GlobalIPv6Address": ip6.clone().unwrap_or_default(),
            "GlobalIPv6PrefixLen": if ip6.is_some() { prefix6 } else { 0 },
            "MacAddress": if live { e.mac.clone().unwrap_or_default() } else { String::new() },
        });
        if primary.is_none() {
            primary = Some(v.clone());
        }
        networks.insert(n.name.clone(), v);
    }
    if networks.is_empty() {
        networks.insert(s.network.shown(), json!({}));
    }
    let p = primary.unwrap_or_else(|| json!({}));
    let field = |k: &str| p.get(k).cloned().unwrap_or(json!(""));
    Ok(json!({
        "Bridge": "",
        "SandboxKey": if running && !rows::endpoints_of(conn, &c.id).unwrap_or_default().is_empty() {
            network::netns_path(store, &c.id).display().to_string()
        } else {
            String::new()
        },
        "Ports": ports,
        "Gateway": field("Gateway"),
        "IPAddress": field("IPAddress"),
        "IPPrefixLen": p.get("IPPrefixLen").cloned().unwrap_or(json!(0)),
        "IPv6Gateway": field("IPv6Gateway"),
        "GlobalIPv6Address": field("GlobalIPv6Address"),
        "GlobalIPv6PrefixLen": p.get("GlobalIPv6PrefixLen").cloned().unwrap_or(json!(0)),
        "MacAddress": field("MacAddress"),
        "Networks": networks,
    }))
}

/// A container's `Mounts` array, `HostConfig.Binds` and `HostConfig.Mounts`, in Docker's shape.
fn mounts_json(root: &std::path::Path, mounts: &[volumes::MountSpec]) -> (Value, Value, Value) {
    use volumes::MountKind;
    let mut out = Vec::new();
    let mut binds = Vec::new();
    let mut hc_mounts = Vec::new();
    for m in mounts {
        let (source, name, driver) = match m.kind {
            MountKind::Volume => (
                volumes::data_dir(root, &m.source).display().to_string(),
                Some(m.source.clone()),
                Some("local"),
            ),
            MountKind::Bind => (m.source.clone(), None, None),
            MountKind::Tmpfs => (String::new(), None, None),
        };
        let propagation = match m.kind {
            MountKind::Bind if m.propagation.is_empty() => "rprivate".to_string(),
            _ => m.propagation.clone(),
        };
        let mut o = Map::new();
        o.insert("Type".into(), json!(m.kind.as_str()));
        if let Some(n) = name {
            o.insert("Name".into(), json!(n));
        }
        o.insert("Source".into(), json!(source));
        o.insert("Destination".into(), json!(m.target));
        if let Some(d) = driver {
            o.insert("Driver".into(), json!(d));
        }
        o.insert("Mode".into(), json!(m.mode));
        o.insert("RW".into(), json!(!m.read_only));
        o.insert("Propagation".into(), json!(propagation));
        out.push(Value::Object(o));
        if m.from_volume_flag {
            if !m.anonymous {
                binds.push(if m.mode.is_empty() {
                    format!("{}:{}", m.source, m.target)
                } else {
                    format!("{}:{}:{}", m.source, m.target, m.mode)
                });
            }
            continue;
        }
        if m.from_image {
            continue; // shown in Config.Volumes
        }
        let mut h = Map::new();
        h.insert("Type".into(), json!(m.kind.as_str()));
        if m.kind != MountKind::Tmpfs && !m.anonymous {
            h.insert("Source".into(), json!(m.source));
        }
        h.insert("Target".into(), json!(m.target));
        if m.read_only {
            h.insert("ReadOnly".into(), json!(true));
        }
        match m.kind {
            MountKind::Bind if !m.propagation.is_empty() => {
                h.insert(
                    "BindOptions".into(),
                    json!({ "Propagation": m.propagation }),
                );
            }
            MountKind::Volume if m.nocopy => {
                h.insert("VolumeOptions".into(), json!({ "NoCopy": true }));
            }
            MountKind::Tmpfs if !m.tmpfs_options.is_empty() => {
                let mut t = Map::new();
                for kv in m.tmpfs_options.split(',') {
                    match kv.split_once('=') {
                        Some(("size", v)) => {
                            t.insert("SizeBytes".into(), json!(v.parse::<i64>().unwrap_or(0)));
                        }
                        Some(("mode", v)) => {
                            t.insert("Mode".into(), json!(u32::from_str_radix(v, 8).unwrap_or(0)));
                        }
                        _ => {}
                    }
                }
                h.insert("TmpfsOptions".into(), Value::Object(t));
            }
            _ => {}
        }
        hc_mounts.push(Value::Object(h));
    }
    let nullable = |v: Vec<Value>| {
        if v.is_empty() {
            Value::Null
        } else {
            Value::Array(v)
        }
    };
    let binds: Vec<Value> = binds.into_iter().map(Value::from).collect();
    (Value::Array(out), nullable(binds), nullable(hc_mounts))
}
