//! A container's resource usage as Docker's stats report it: CPU, memory, pids and block I/O
//! from its cgroup (v1: the `cpuacct`, `memory`, `pids` and `blkio` hierarchies; v2: the
//! unified one), network counters from its network namespace (`/proc/PID/net/dev`), and the
//! host's CPU time (`/proc/stat`) that CPU % is measured against. Everything is read from
//! files under a cgroup root given by the caller, so that the v2 reading is tested on a tree
//! made for it (the CI host is hybrid v1).

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use bollard_stubs::models::{
    ContainerBlkioStatEntry, ContainerBlkioStats, ContainerCpuStats, ContainerCpuUsage,
    ContainerMemoryStats, ContainerNetworkStats, ContainerPidsStats,
};

/// The kernel's `USER_HZ` (`cpuacct.stat` and `/proc/stat` count in these ticks).
const CLOCK_TICKS: u64 = 100;
const NANOS_PER_TICK: u64 = 1_000_000_000 / CLOCK_TICKS;

/// What a cgroup says of its processes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CgroupStats {
    pub cpu: ContainerCpuUsage,
    pub memory: ContainerMemoryStats,
    pub pids: ContainerPidsStats,
    pub blkio: ContainerBlkioStats,
}

fn read(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok()
}

fn read_u64(p: &Path) -> Option<u64> {
    read(p)?.trim().parse().ok()
}

/// `key value` lines (`memory.stat`, `cpu.stat`, `cpuacct.stat`).
fn key_values(text: &str) -> HashMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(' ')?;
            Some((k.to_string(), v.trim().parse().ok()?))
        })
        .collect()
}

/// A limit file's value: `max` (v2) or an absurd v1 value means none (`None`).
fn limit(text: Option<String>) -> Option<u64> {
    let t = text?;
    let t = t.trim();
    if t == "max" {
        return None;
    }
    t.parse().ok().filter(|v| *v < (1u64 << 62))
}

/// Reads the cgroup `rel` (e.g. `berth/<id>`) under `root` (`/sys/fs/cgroup`): the unified
/// hierarchy if `root` is one (v2: it has `cgroup.controllers`), otherwise the v1 hierarchies
/// below it. `machine_memory` is the limit of a cgroup that has none (Docker's).
pub fn read_cgroup(root: &Path, rel: &Path, machine_memory: u64) -> CgroupStats {
    if root.join("cgroup.controllers").exists() {
        read_v2(&root.join(rel), machine_memory)
    } else {
        read_v1(root, rel, machine_memory)
    }
}

fn read_v1(root: &Path, rel: &Path, machine_memory: u64) -> CgroupStats {
    let mut s = CgroupStats::default();
    let cpuacct = ["cpuacct", "cpu,cpuacct", "cpu"]
        .iter()
        .map(|c| root.join(c).join(rel))
        .find(|d| d.join("cpuacct.usage").exists());
    if let Some(d) = cpuacct {
        let ticks = read(&d.join("cpuacct.stat"))
            .map(|t| key_values(&t))
            .unwrap_or_default();
        s.cpu = ContainerCpuUsage {
            total_usage: read_u64(&d.join("cpuacct.usage")),
            percpu_usage: read(&d.join("cpuacct.usage_percpu")).map(|t| {
                t.split_whitespace()
                    .filter_map(|v| v.parse().ok())
                    .collect()
            }),
            usage_in_kernelmode: ticks.get("system").map(|t| t * NANOS_PER_TICK),
            usage_in_usermode: ticks.get("user").map(|t| t * NANOS_PER_TICK),
        };
    }
    let mem = root.join("memory").join(rel);
    if let Some(usage) = read_u64(&mem.join("memory.usage_in_bytes")) {
        let stats = read(&mem.join("memory.stat"))
            .map(|t| key_values(&t))
            .unwrap_or_default();
        let lim = limit(read(&mem.join("memory.limit_in_bytes")))
            .filter(|l| machine_memory == 0 || *l <= machine_memory)
            .unwrap_or(machine_memory);
        s.memory = ContainerMemoryStats {
            usage: Some(usage),
            max_usage: read_u64(&mem.join("memory.max_usage_in_bytes")),
            failcnt: read_u64(&mem.join("memory.failcnt")),
            limit: Some(lim),
            stats: Some(stats),
            ..Default::default()
        };
    }
    let pids = root.join("pids").join(rel);
    s.pids = ContainerPidsStats {
        current: read_u64(&pids.join("pids.current")),
        limit: Some(limit(read(&pids.join("pids.max"))).unwrap_or(0)),
    };
    let blkio = root.join("blkio").join(rel);
    let entries = [
        "blkio.io_service_bytes_recursive",
        "blkio.throttle.io_service_bytes_recursive",
    ]
    .iter()
    .filter_map(|f| read(&blkio.join(f)))
    .map(|t| blkio_v1(&t))
    .find(|e| !e.is_empty())
    .unwrap_or_default();
    s.blkio = ContainerBlkioStats {
        io_service_bytes_recursive: Some(entries),
        ..Default::default()
    };
    s
}

/// `8:0 Read 4096` lines (the `Total` lines of each device and the file's left out).
fn blkio_v1(text: &str) -> Vec<ContainerBlkioStatEntry> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let dev = f.next()?;
            let op = f.next()?;
            let value: u64 = f.next()?.parse().ok()?;
            let (major, minor) = dev.split_once(':')?;
            Some(ContainerBlkioStatEntry {
                major: major.parse().ok(),
                minor: minor.parse().ok(),
                op: Some(op.to_string()),
                value: Some(value),
            })
        })
        .filter(|e| e.op.as_deref() != Some("Total"))
        .collect()
}

fn read_v2(dir: &Path, machine_memory: u64) -> CgroupStats {
    let mut s = CgroupStats::default();
    if let Some(t) = read(&dir.join("cpu.stat")) {
        let kv = key_values(&t);
        s.cpu = ContainerCpuUsage {
            total_usage: kv.get("usage_usec").map(|u| u * 1000),
            percpu_usage: None,
            usage_in_kernelmode: kv.get("system_usec").map(|u| u * 1000),
            usage_in_usermode: kv.get("user_usec").map(|u| u * 1000),
        };
    }
    if let Some(usage) = read_u64(&dir.join("memory.current")) {
        let stats = read(&dir.join("memory.stat"))
            .map(|t| key_values(&t))
            .unwrap_or_default();
        let lim = limit(read(&dir.join("memory.max")))
            .filter(|l| machine_memory == 0 || *l <= machine_memory)
            .unwrap_or(machine_memory);
        s.memory = ContainerMemoryStats {
            usage: Some(usage),
            limit: Some(lim),
            stats: Some(stats),
            ..Default::default()
        };
    }
    s.pids = ContainerPidsStats {
        current: read_u64(&dir.join("pids.current")),
        limit: Some(limit(read(&dir.join("pids.max"))).unwrap_or(0)),
    };
    let mut entries = Vec::new();
    for l in read(&dir.join("io.stat")).unwrap_or_default().lines() {
        let mut f = l.split_whitespace();
        let Some((major, minor)) = f.next().and_then(|d| d.split_once(':')) else {
            continue;
        };
        for kv in f {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let op = match k {
                "rbytes" => "read",
                "wbytes" => "write",
                _ => continue,
            };
            entries.push(ContainerBlkioStatEntry {
                major: major.parse().ok(),
                minor: minor.parse().ok(),
                op: Some(op.into()),
                value: v.parse().ok(),
            });
        }
    }
    s.blkio = ContainerBlkioStats {
        io_service_bytes_recursive: Some(entries),
        ..Default::default()
    };
    s
}

/// The host's CPU time in nanoseconds (`/proc/stat`'s first line: user … softirq, as Docker
/// sums it) and the number of online CPUs.
pub fn system_cpu(proc_stat: &str) -> Option<u64> {
    let line = proc_stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: u64 = line
        .split_whitespace()
        .skip(1)
        .take(7)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    Some(ticks * NANOS_PER_TICK)
}

/// The CPU stats of a sample: the cgroup's usage with the host's time and CPUs.
pub fn cpu_stats(cpu: ContainerCpuUsage, proc_stat: Option<&str>) -> ContainerCpuStats {
    // SAFETY: sysconf only reads a system value.
    let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    ContainerCpuStats {
        cpu_usage: Some(cpu),
        system_cpu_usage: proc_stat.and_then(system_cpu),
        online_cpus: u32::try_from(online).ok(),
        throttling_data: None,
    }
}

/// The interfaces of a `/proc/PID/net/dev` but `lo`, as Docker's `networks`.
pub fn net_dev(text: &str) -> HashMap<String, ContainerNetworkStats> {
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (name, rest) = l.split_once(':')?;
            let name = name.trim();
            if name == "lo" {
                return None;
            }
            let f: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            if f.len() < 12 {
                return None;
            }
            Some((
                name.to_string(),
                ContainerNetworkStats {
                    rx_bytes: Some(f[0]),
                    rx_packets: Some(f[1]),
                    rx_errors: Some(f[2]),
                    rx_dropped: Some(f[3]),
                    tx_bytes: Some(f[8]),
                    tx_packets: Some(f[9]),
                    tx_errors: Some(f[10]),
                    tx_dropped: Some(f[11]),
                    ..Default::default()
                },
            ))
        })
        .collect()
}

/// The host's memory (`MemTotal` of `/proc/meminfo`), in bytes.
pub fn machine_memory() -> u64 {
    read(Path::new("/proc/meminfo"))
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Docker 28's memory use (its CLI's `calculateMemUsageUnixNoCache`): usage minus the
/// inactive file cache (`total_inactive_file` on v1, `inactive_file` on v2).
pub fn memory_used(m: &ContainerMemoryStats) -> u64 {
    let usage = m.usage.unwrap_or(0);
    let stats = m.stats.as_ref();
    if let Some(v) = stats.and_then(|s| s.get("total_inactive_file"))
        && *v < usage
    {
        return usage - v;
    }
    match stats.and_then(|s| s.get("inactive_file")) {
        Some(v) if *v < usage => usage - v,
        _ => usage,
    }
}

/// Docker's CPU %: the container's share of the host's CPU time between two samples, times
/// the number of CPUs.
pub fn cpu_percent(pre: &ContainerCpuStats, cur: &ContainerCpuStats) -> f64 {
    let total = |c: &ContainerCpuStats| c.cpu_usage.as_ref().and_then(|u| u.total_usage);
    let cpu_delta = total(cur).unwrap_or(0) as f64 - total(pre).unwrap_or(0) as f64;
    let sys_delta =
        cur.system_cpu_usage.unwrap_or(0) as f64 - pre.system_cpu_usage.unwrap_or(0) as f64;
    let mut cpus = cur.online_cpus.unwrap_or(0) as f64;
    if cpus == 0.0 {
        cpus = cur
            .cpu_usage
            .as_ref()
            .and_then(|u| u.percpu_usage.as_ref())
            .map(|p| p.len() as f64)
            .unwrap_or(0.0);
    }
    if sys_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / sys_delta * cpus * 100.0
    } else {
        0.0
    }
}

/// Bytes read and written (Docker's CLI: the entries whose op starts with r/R and w/W).
pub fn block_io(b: &ContainerBlkioStats) -> (u64, u64) {
    let mut r = 0;
    let mut w = 0;
    for e in b.io_service_bytes_recursive.iter().flatten() {
        match e.op.as_deref().and_then(|o| o.chars().next()) {
            Some('r' | 'R') => r += e.value.unwrap_or(0),
            Some('w' | 'W') => w += e.value.unwrap_or(0),
            _ => {}
        }
    }
    (r, w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for (p, text) in files {
            let p = d.path().join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        d
    }

    /// A pure cgroup v2 host (the CI host is hybrid: this tree stands for one).
    #[test]
    fn cgroup_v2() {
        let d = tree(&[
            ("cgroup.controllers", "cpu io memory pids\n"),
            (
                "berth/c/cpu.stat",
                "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n",
            ),
            ("berth/c/memory.current", "10485760\n"),
            ("berth/c/memory.max", "max\n"),
            ("berth/c/memory.stat", "anon 4096\ninactive_file 1048576\n"),
            ("berth/c/pids.current", "3\n"),
            ("berth/c/pids.max", "100\n"),
            (
                "berth/c/io.stat",
                "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n",
            ),
        ]);
        let s = read_cgroup(d.path(), Path::new("berth/c"), 1 << 30);
        assert_eq!(s.cpu.total_usage, Some(2_500_000));
        assert_eq!(s.cpu.usage_in_usermode, Some(2_000_000));
        assert_eq!(s.memory.usage, Some(10 << 20));
        assert_eq!(
            s.memory.limit,
            Some(1 << 30),
            "no limit: the machine's memory"
        );
        assert_eq!(memory_used(&s.memory), (10 << 20) - (1 << 20));
        assert_eq!(s.pids.current, Some(3));
        assert_eq!(s.pids.limit, Some(100));
        assert_eq!(block_io(&s.blkio), (4096, 8192));
    }

    #[test]
    fn cgroup_v1() {
        let d = tree(&[
            ("cpuacct/berth/c/cpuacct.usage", "5000000\n"),
            ("cpuacct/berth/c/cpuacct.usage_percpu", "3000000 2000000\n"),
            ("cpuacct/berth/c/cpuacct.stat", "user 3\nsystem 1\n"),
            ("memory/berth/c/memory.usage_in_bytes", "2097152\n"),
            (
                "memory/berth/c/memory.limit_in_bytes",
                "9223372036854771712\n",
            ),
            ("memory/berth/c/memory.max_usage_in_bytes", "3000000\n"),
            ("memory/berth/c/memory.failcnt", "0\n"),
            (
                "memory/berth/c/memory.stat",
                "cache 100\ntotal_inactive_file 1048576\n",
            ),
            ("pids/berth/c/pids.current", "2\n"),
            ("pids/berth/c/pids.max", "max\n"),
            (
                "blkio/berth/c/blkio.throttle.io_service_bytes_recursive",
                "8:0 Read 100\n8:0 Write 200\n8:0 Sync 300\n8:0 Total 300\nTotal 300\n",
            ),
        ]);
        let s = read_cgroup(d.path(), Path::new("berth/c"), 1 << 30);
        assert_eq!(s.cpu.total_usage, Some(5_000_000));
        assert_eq!(s.cpu.percpu_usage, Some(vec![3_000_000, 2_000_000]));
        assert_eq!(s.cpu.usage_in_usermode, Some(30_000_000));
        assert_eq!(s.memory.limit, Some(1 << 30));
        assert_eq!(memory_used(&s.memory), 1 << 20);
        assert_eq!(s.pids.limit, Some(0));
        assert_eq!(block_io(&s.blkio), (100, 200));
    }

    #[test]
    fn host_cpu_network_and_percent() {
        let stat = "cpu  100 0 50 800 10 0 5 7 0 0\ncpu0 1 2 3\n";
        assert_eq!(system_cpu(stat), Some(965 * NANOS_PER_TICK));
        let dev = "Inter-|   Receive  |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n    lo: 10 1 0 0 0 0 0 0 10 1 0 0 0 0 0 0\n  eth0: 1500 10 0 1 0 0 0 0 700 5 0 0 0 0 0 0\n";
        let n = net_dev(dev);
        assert_eq!(n.len(), 1);
        assert_eq!(n["eth0"].rx_bytes, Some(1500));
        assert_eq!(n["eth0"].tx_bytes, Some(700));
        assert_eq!(n["eth0"].rx_dropped, Some(1));
        let at = |cpu: u64, sys: u64| ContainerCpuStats {
            cpu_usage: Some(ContainerCpuUsage {
                total_usage: Some(cpu),
                ..Default::default()
            }),
            system_cpu_usage: Some(sys),
            online_cpus: Some(2),
            throttling_data: None,
        };
        // Half of one CPU's time on a 2-CPU host: 50 %.
        let p = cpu_percent(&at(0, 0), &at(500, 2000));
        assert!((p - 50.0).abs() < 1e-9, "{p}");
        assert_eq!(cpu_percent(&at(5, 5), &at(5, 5)), 0.0);
    }
}
