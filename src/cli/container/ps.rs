//! `ps`: the engine's container list as Docker prints it (table, `-q`, json, templates).

use anyhow::Context;
use serde_json::{Map, Value, json};

use super::PsArgs;
use crate::cli::{GlobalOpts, format};
use crate::engine::ContainerListOptions;
use crate::engine::networks::PortSummary;

pub fn ps(g: &GlobalOpts, a: PsArgs) -> anyhow::Result<i32> {
    let mut filters = Vec::new();
    for f in &a.filter {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("bad filter {f:?}: expected KEY=VALUE"))?;
        filters.push((k.to_string(), v.to_string()));
    }
    let list = g.engine().container_list(&ContainerListOptions {
        all: a.all,
        last: a.last,
        latest: a.latest,
        filters,
    })?;
    let id = |id: &str| format::object_id(id, a.no_trunc);
    if a.quiet {
        for c in &list {
            println!("{}", id(&c.id));
        }
        return Ok(0);
    }
    let now = crate::clock::now_nanos() / 1_000_000_000;
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(|c| {
            let cmd = c.command.join(" ");
            let cmd = if a.no_trunc || cmd.chars().count() <= 20 {
                format!("\"{cmd}\"")
            } else {
                format!("\"{}…\"", cmd.chars().take(19).collect::<String>())
            };
            let labels: Vec<String> = c.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut m = Map::new();
            m.insert("Command".into(), json!(cmd));
            m.insert(
                "CreatedAt".into(),
                json!(format::docker_time(c.created / 1_000_000_000)),
            );
            m.insert(
                "RunningFor".into(),
                json!(format::ago(c.created / 1_000_000_000, now)),
            );
            m.insert("ID".into(), json!(id(&c.id)));
            m.insert("Image".into(), json!(c.image));
            m.insert("Labels".into(), json!(labels.join(",")));
            m.insert("Names".into(), json!(c.name));
            m.insert("Ports".into(), json!(ports_column(&c.ports)));
            m.insert("State".into(), json!(c.state.as_str()));
            m.insert("Status".into(), json!(c.status));
            m.insert("Networks".into(), json!(c.network));
            m.insert("Mounts".into(), json!(c.mounts.join(",")));
            m.insert("Size".into(), json!("N/A"));
            m.insert("LocalVolumes".into(), json!(c.local_volumes.to_string()));
            m
        })
        .collect();
    format::print_objects(
        a.format.as_deref(),
        objs,
        &[
            ("ID", "CONTAINER ID"),
            ("Image", "IMAGE"),
            ("Command", "COMMAND"),
            ("RunningFor", "CREATED"),
            ("Status", "STATUS"),
            ("Ports", "PORTS"),
            ("Names", "NAMES"),
            ("State", "STATE"),
            ("Labels", "LABELS"),
        ],
        &[
            "ID",
            "Image",
            "Command",
            "RunningFor",
            "Status",
            "Ports",
            "Names",
        ],
    );
    Ok(0)
}

/// A published port's host address as `port` and `ps` print it: `0.0.0.0` for every IPv4
/// address, IPv6 ones in brackets (`[::]`, `[fd00::2]`).
pub fn host_ip_text(ip: &str) -> String {
    if ip.is_empty() {
        "0.0.0.0".into()
    } else if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

/// `ps`'s PORTS column: published ports (consecutive ones as ranges; IPv4 addresses first,
/// then IPv6 ones, as Docker's `0.0.0.0:80->80/tcp, [::]:80->80/tcp`), then the exposed ports
/// that are not published.
fn ports_column(ports: &[PortSummary]) -> String {
    let mut published: Vec<(&str, u16, &PortSummary)> = ports
        .iter()
        .filter_map(|p| Some((p.host_ip.as_deref()?, p.host_port?, p)))
        .collect();
    published.sort_by(|(ip_a, _, a), (ip_b, _, b)| {
        (ip_a.contains(':'), ip_a, a.container_port, &a.proto).cmp(&(
            ip_b.contains(':'),
            ip_b,
            b.container_port,
            &b.proto,
        ))
    });
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < published.len() {
        let (ip, host_port, p) = published[i];
        let mut j = i;
        while j + 1 < published.len() {
            let (q_ip, q_host, q) = published[j + 1];
            let (_, prev_host, prev) = published[j];
            if q.proto == p.proto
                && q_ip == ip
                && q.container_port == prev.container_port + 1
                && q_host == prev_host + 1
            {
                j += 1;
            } else {
                break;
            }
        }
        let (_, last_host, last) = published[j];
        let ip = host_ip_text(ip);
        if j == i {
            parts.push(format!(
                "{ip}:{host_port}->{}/{}",
                p.container_port, p.proto
            ));
        } else {
            parts.push(format!(
                "{ip}:{host_port}-{last_host}->{}-{}/{}",
                p.container_port, last.container_port, p.proto
            ));
        }
        i = j + 1;
    }
    for p in ports.iter().filter(|p| p.host_port.is_none()) {
        parts.push(format!("{}/{}", p.container_port, p.proto));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(ip: Option<&str>, host: Option<u16>, c: u16) -> PortSummary {
        PortSummary {
            host_ip: ip.map(str::to_string),
            host_port: host,
            container_port: c,
            proto: "tcp".into(),
        }
    }

    #[test]
    fn ports_column_as_docker_prints_it() {
        let ports = [
            port(Some("::"), Some(80), 80),
            port(Some(""), Some(9001), 9001),
            port(Some(""), Some(9000), 9000),
            port(Some(""), Some(80), 80),
            port(None, None, 6379),
        ];
        assert_eq!(
            ports_column(&ports),
            "0.0.0.0:80->80/tcp, 0.0.0.0:9000-9001->9000-9001/tcp, [::]:80->80/tcp, 6379/tcp"
        );
    }
}
