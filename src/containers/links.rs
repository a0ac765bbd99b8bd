//! The environment of legacy links (`--link NAME:ALIAS` on the default bridge network): the
//! linked container's address, exposed ports, name and configured environment as variables
//! named after the alias, as dockerd's `daemon/links` writes them. On user-defined networks a
//! link is only a name (in /etc/hosts and the DNS server), without variables.

use super::settings::Settings;
use super::{ContainerError, Result};
use crate::network::Attached;
use crate::state::containers::{self as rows, ContainerRow};
use crate::store::Store;

/// A port as `PORT/PROTO` split in two.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Port {
    number: u32,
    proto: String,
}

/// The variables of one link: `name` is the link's full name (`/linking/alias`), `ip` the linked
/// container's address on the default network, `exposed` its `PORT/PROTO` keys, `env` its
/// configured environment (`KEY=VALUE`).
pub fn env(name: &str, ip: &str, exposed: &[String], env: &[String]) -> Vec<String> {
    let alias = name
        .rsplit('/')
        .next()
        .unwrap_or(name)
        .to_uppercase()
        .replace('-', "_");
    let mut ports: Vec<Port> = exposed
        .iter()
        .filter_map(|k| {
            let (p, proto) = k.split_once('/').unwrap_or((k, "tcp"));
            Some(Port {
                number: p.parse().ok()?,
                proto: proto.to_string(),
            })
        })
        .collect();
    // By number; at the same number, tcp first.
    ports.sort_by(|a, b| {
        a.number
            .cmp(&b.number)
            .then_with(|| (b.proto == "tcp").cmp(&(a.proto == "tcp")))
    });
    let url = |p: &Port| format!("{}://{ip}:{}", p.proto, p.number);
    let key = |p: &Port| format!("{alias}_PORT_{}_{}", p.number, p.proto.to_uppercase());
    let mut out = Vec::new();
    if let Some(first) = ports.first() {
        out.push(format!("{alias}_PORT={}", url(first)));
    }
    // Runs of consecutive numbers (whatever their protocols) also get a range, named after the
    // first port (and, for its end, the last port's protocol), as dockerd names them.
    let mut i = 0;
    while i < ports.len() {
        let j = last_consecutive(&ports, i);
        if j > i {
            let (p, q) = (&ports[i], &ports[j]);
            let k = key(p);
            out.push(format!("{k}_START={}", url(p)));
            out.push(format!("{k}_ADDR={ip}"));
            out.push(format!("{k}_PROTO={}", p.proto));
            out.push(format!("{k}_PORT_START={}", p.number));
            let end = format!("{alias}_PORT_{}_{}", p.number, q.proto.to_uppercase());
            out.push(format!("{end}_END={}", url(q)));
            out.push(format!("{end}_PORT_END={}", q.number));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    for p in &ports {
        let k = key(p);
        out.push(format!("{k}={}", url(p)));
        out.push(format!("{k}_ADDR={ip}"));
        out.push(format!("{k}_PORT={}", p.number));
        out.push(format!("{k}_PROTO={}", p.proto));
    }
    out.push(format!("{alias}_NAME={name}"));
    for kv in env {
        let Some((k, v)) = kv.split_once('=') else {
            continue;
        };
        // (variables a build sets, of no use to the linking container)
        if k == "HOME" || k == "PATH" {
            continue;
        }
        out.push(format!("{alias}_ENV_{k}={v}"));
    }
    out
}

/// The index of the last port of the run of consecutive numbers that starts at `i`.
fn last_consecutive(ports: &[Port], i: usize) -> usize {
    let start = ports[i].number as usize;
    for (j, p) in ports.iter().enumerate().skip(i + 1) {
        // (at most one more than the port before, counted by position: dockerd's rule)
        if p.number as usize > start + (j - i) {
            return j - 1;
        }
    }
    ports.len() - 1
}

/// The links' variables for the start of `row`: none unless it is on the default bridge
/// network; each linked container must be running (checked with /etc/hosts) and on that
/// network too.
pub fn start_env(
    store: &Store,
    row: &ContainerRow,
    settings: &Settings,
    net: &Attached,
) -> Result<Vec<String>> {
    let Some(bridge) = net
        .joined
        .iter()
        .find(|j| j.network.name == crate::network::DEFAULT_NETWORK)
    else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for l in &settings.links {
        let (id, alias) = l.split_once(':').unwrap_or((l, l));
        let Some(child) = rows::get(&store.db.conn, id)? else {
            continue; // (the hosts file reports it)
        };
        let ip = crate::state::networks::endpoints_of(&store.db.conn, &child.id)?
            .into_iter()
            .find(|e| e.network_id == bridge.network.id)
            .and_then(|e| e.ip)
            .ok_or_else(|| {
                ContainerError::Invalid(format!(
                    "container {} not attached to default bridge network",
                    child.id
                ))
            })?;
        let s = Settings::of(&child)?;
        let image_config =
            crate::images::config(store, &child.image_id).unwrap_or(serde_json::Value::Null);
        out.extend(env(
            &format!("/{}/{alias}", row.name),
            &ip,
            &s.exposed_ports(&image_config),
            &super::runspec::env(&s, &image_config),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn variables_are_dockerds_with_ranges_of_consecutive_ports() {
        let got = env(
            "/lk/my-db",
            "172.17.0.2",
            &sv(&["443/tcp", "82/udp", "80/tcp", "81/tcp"]),
            &sv(&["FOO=bar", "HOME=/x", "PATH=/bin", "EMPTY=", "NOVALUE"]),
        );
        let want = sv(&[
            "MY_DB_PORT=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP_START=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP_ADDR=172.17.0.2",
            "MY_DB_PORT_80_TCP_PROTO=tcp",
            "MY_DB_PORT_80_TCP_PORT_START=80",
            "MY_DB_PORT_80_UDP_END=udp://172.17.0.2:82",
            "MY_DB_PORT_80_UDP_PORT_END=82",
            "MY_DB_PORT_80_TCP=tcp://172.17.0.2:80",
            "MY_DB_PORT_80_TCP_ADDR=172.17.0.2",
            "MY_DB_PORT_80_TCP_PORT=80",
            "MY_DB_PORT_80_TCP_PROTO=tcp",
            "MY_DB_PORT_81_TCP=tcp://172.17.0.2:81",
            "MY_DB_PORT_81_TCP_ADDR=172.17.0.2",
            "MY_DB_PORT_81_TCP_PORT=81",
            "MY_DB_PORT_81_TCP_PROTO=tcp",
            "MY_DB_PORT_82_UDP=udp://172.17.0.2:82",
            "MY_DB_PORT_82_UDP_ADDR=172.17.0.2",
            "MY_DB_PORT_82_UDP_PORT=82",
            "MY_DB_PORT_82_UDP_PROTO=udp",
            "MY_DB_PORT_443_TCP=tcp://172.17.0.2:443",
            "MY_DB_PORT_443_TCP_ADDR=172.17.0.2",
            "MY_DB_PORT_443_TCP_PORT=443",
            "MY_DB_PORT_443_TCP_PROTO=tcp",
            "MY_DB_NAME=/lk/my-db",
            "MY_DB_ENV_FOO=bar",
            "MY_DB_ENV_EMPTY=",
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn without_ports_only_the_name_and_environment() {
        assert_eq!(
            env("/a/web", "10.0.0.2", &[], &sv(&["X=1"])),
            sv(&["WEB_NAME=/a/web", "WEB_ENV_X=1"])
        );
        // tcp before udp at the same number, and both a range.
        let got = env("/a/d", "10.0.0.2", &sv(&["53/udp", "53/tcp"]), &[]);
        assert_eq!(got[0], "D_PORT=tcp://10.0.0.2:53");
        assert_eq!(got[1], "D_PORT_53_TCP_START=tcp://10.0.0.2:53");
        assert_eq!(got[5], "D_PORT_53_UDP_END=udp://10.0.0.2:53");
    }
}
