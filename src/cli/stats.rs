//! `stats`: containers' resource use as Docker prints it: a table refreshed each second (the
//! screen cleared first on a terminal), or one with `--no-stream`; `--format` as the other
//! lists (`table …`, `json`, templates over Docker's fields).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use bollard_stubs::models::ContainerStatsResponse;
use clap::Args;
use serde_json::{Map, Value, json};

use super::{GlobalOpts, format};
use crate::containers::stats;
use crate::engine::ContainerListOptions;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go
    /// template
    #[arg(long)]
    pub format: Option<String>,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

const NAMES: &[(&str, &str)] = &[
    ("Container", "CONTAINER"),
    ("ID", "CONTAINER ID"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];
const COLUMNS: &[&str] = &[
    "ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDs",
];

pub fn stats(g: &GlobalOpts, a: StatsArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let clear = !a.no_stream && std::io::stdout().is_terminal();
    let mut previous: HashMap<String, ContainerStatsResponse> = HashMap::new();
    loop {
        let t0 = Instant::now();
        let names: Vec<String> = if a.containers.is_empty() {
            engine
                .container_list(&ContainerListOptions {
                    all: a.all,
                    ..Default::default()
                })?
                .into_iter()
                .map(|c| c.id)
                .collect()
        } else {
            a.containers.clone()
        };
        let mut objs = Vec::new();
        for (given, r) in names.iter().zip(engine.container_stats_each(&names)?) {
            let s = r?;
            let id = s.id.clone().unwrap_or_default();
            objs.push(row(given, &s, previous.get(&id), a.no_trunc));
            previous.insert(id, s);
        }
        if clear {
            print!("\x1b[2J\x1b[H");
        }
        format::print_objects(a.format.as_deref(), objs, NAMES, COLUMNS)?;
        if a.no_stream {
            return Ok(0);
        }
        std::thread::sleep(Duration::from_secs(1).saturating_sub(t0.elapsed()));
    }
}

/// Docker's `units.BytesSize`: binary units, `%.4g`.
pub fn bytes_size(v: f64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut v = v.max(0.0);
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    format!("{}{}", g4(v), UNITS[i])
}

/// `%.4g` for values in [0, 1024).
fn g4(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let int_digits = if v >= 1.0 {
        (v.log10().floor() as i32 + 1).max(1)
    } else {
        1
    };
    let decimals = (4 - int_digits).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// CPU % of a sample: against the previous sample of the same container (Docker's), or, for
/// the first, its use since the container started (`preread`, with no host time).
fn cpu_percent(s: &ContainerStatsResponse, prev: Option<&ContainerStatsResponse>) -> f64 {
    let cur = s.cpu_stats.clone().unwrap_or_default();
    if let Some(p) = prev.and_then(|p| p.cpu_stats.as_ref()) {
        return stats::cpu_percent(p, &cur);
    }
    let nanos = |t: &Option<String>| {
        t.as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|t| t.timestamp_nanos_opt())
            .filter(|t| *t > 0)
    };
    let (Some(read), Some(start)) = (nanos(&s.read), nanos(&s.preread)) else {
        return 0.0;
    };
    let used = cur.cpu_usage.and_then(|u| u.total_usage).unwrap_or(0) as f64;
    let wall = (read - start) as f64;
    if wall > 0.0 { used / wall * 100.0 } else { 0.0 }
}

fn row(
    given: &str,
    s: &ContainerStatsResponse,
    prev: Option<&ContainerStatsResponse>,
    no_trunc: bool,
) -> Map<String, Value> {
    let mem = s.memory_stats.clone().unwrap_or_default();
    let used = stats::memory_used(&mem) as f64;
    let limit = mem.limit.unwrap_or(0) as f64;
    let mem_perc = if limit > 0.0 {
        used / limit * 100.0
    } else {
        0.0
    };
    let (rx, tx) = s
        .networks
        .iter()
        .flatten()
        .fold((0u64, 0u64), |(r, t), (_, n)| {
            (r + n.rx_bytes.unwrap_or(0), t + n.tx_bytes.unwrap_or(0))
        });
    let (br, bw) = stats::block_io(&s.blkio_stats.clone().unwrap_or_default());
    let id = s.id.clone().unwrap_or_default();
    let name = s.name.clone().unwrap_or_default();
    let mut m = Map::new();
    m.insert("Container".into(), json!(given));
    m.insert("ID".into(), json!(format::object_id(&id, no_trunc)));
    m.insert("Name".into(), json!(name.trim_start_matches('/')));
    m.insert(
        "CPUPerc".into(),
        json!(format!("{:.2}%", cpu_percent(s, prev))),
    );
    m.insert(
        "MemUsage".into(),
        json!(format!("{} / {}", bytes_size(used), bytes_size(limit))),
    );
    m.insert("MemPerc".into(), json!(format!("{mem_perc:.2}%")));
    m.insert(
        "NetIO".into(),
        json!(format!(
            "{} / {}",
            format::human_size(rx as i64),
            format::human_size(tx as i64)
        )),
    );
    m.insert(
        "BlockIO".into(),
        json!(format!(
            "{} / {}",
            format::human_size(br as i64),
            format::human_size(bw as i64)
        )),
    );
    let pids = s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0);
    m.insert("PIDs".into(), json!(pids.to_string()));
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_docker_prints_them() {
        assert_eq!(bytes_size(0.0), "0B");
        assert_eq!(bytes_size(500.0), "500B");
        assert_eq!(bytes_size(1024.0), "1KiB");
        assert_eq!(bytes_size(1.5 * 1024.0 * 1024.0), "1.5MiB");
        assert_eq!(bytes_size(7.772 * 1024.0 * 1024.0 * 1024.0), "7.772GiB");
        assert_eq!(bytes_size(123_456_789.0), "117.7MiB");
    }
}
