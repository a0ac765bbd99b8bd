//! `ps`: the engine's container list as Docker prints it (table, `-q`, json, templates).

use serde_json::{Map, Value, json};

use super::PsArgs;
use crate::cli::{GlobalOpts, format};
use crate::engine::ContainerListOptions;
use crate::engine::networks::PortSummary;

pub fn ps(g: &GlobalOpts, a: PsArgs) -> anyhow::Result<i32> {
    let filters = crate::filters::Filters::parse_cli(&a.filter)?;
    // A template that names `.Size` measures too, as Docker's does.
    let size = a.size || a.format.as_deref().is_some_and(|f| f.contains(".Size"));
    let mut list = g.engine().container_list(&ContainerListOptions {
        all: a.all,
        last: a.last,
        latest: a.latest,
        filters,
        size,
    })?;
    match a.sort.as_deref() {
        // Podman's orders: oldest first for times, alphabetical for the rest.
        Some("created") | Some("runningfor") => list.sort_by_key(|c| c.created),
        Some("id") => list.sort_by(|x, y| x.id.cmp(&y.id)),
        Some("image") => list.sort_by(|x, y| x.image.cmp(&y.image)),
        Some("names") => list.sort_by(|x, y| x.name.cmp(&y.name)),
        Some("status") => list.sort_by(|x, y| x.status.cmp(&y.status)),
        _ => {}
    }
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
            m.insert(
                "Size".into(),
                json!(match c.size {
                    Some((rw, root)) => format!(
                        "{} (virtual {})",
                        format::human_size(rw as i64),
                        format::human_size(root as i64)
                    ),
                    None => "N/A".into(),
                }),
            );
            m.insert("LocalVolumes".into(), json!(c.local_volumes.to_string()));
            m
        })
        .collect();
    let mut columns = vec![
        "ID",
        "Image",
        "Command",
        "RunningFor",
        "Status",
        "Ports",
        "Names",
    ];
    if a.size {
        columns.push("Size");
    }
    format::print_list(
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
            ("Size", "SIZE"),
            ("CreatedAt", "CREATED AT"),
            ("Mounts", "MOUNTS"),
            ("Networks", "NETWORKS"),
            ("LocalVolumes", "LOCAL VOLUMES"),
        ],
        &columns,
        &format::ListOptions {
            subject: format::Subject::Typed("*formatter.ContainerContext"),
            no_heading: a.no_heading,
        },
    )?;
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
