//! `stats`: samples of containers' resource use, as Docker's `GET /containers/{id}/stats`
//! gives them (`ContainerStatsResponse`), read from their cgroups and network namespaces
//! (`containers::stats`). A sample has no `precpu_stats`: the caller keeps the previous
//! sample (a stream) or takes two (the API's `stream=false`).

use std::path::Path;

use bollard_stubs::models::{
    ContainerBlkioStats, ContainerCpuStats, ContainerCpuUsage, ContainerMemoryStats,
    ContainerPidsStats, ContainerStatsResponse,
};

use super::{Engine, Result};
use crate::clock::{now_nanos, rfc3339_nanos};
use crate::containers::{self, Settings, stats};
use crate::state::containers::{ContainerRow, Status};
use crate::store::Store;

/// Where the cgroup hierarchies are mounted.
const CGROUP_ROOT: &str = "/sys/fs/cgroup";

impl Engine {
    /// One sample of the container `name`; zeros for a container that is not running, as
    /// Docker's.
    pub fn container_stats(&self, name: &str) -> Result<ContainerStatsResponse> {
        let store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(sample(&store, &c, &Host::read()))
    }

    /// One sample of each container named (their order), the store and the host read once:
    /// `stats` of many containers.
    pub fn container_stats_each(
        &self,
        names: &[String],
    ) -> Result<Vec<Result<ContainerStatsResponse>>> {
        let store = self.store()?;
        let host = Host::read();
        Ok(names
            .iter()
            .map(|n| Ok(sample(&store, &self.resolve(&store, n)?, &host)))
            .collect())
    }
}

/// What every sample of a moment shares: the host's CPU time and memory.
struct Host {
    proc_stat: Option<String>,
    memory: u64,
}

impl Host {
    fn read() -> Host {
        Host {
            proc_stat: std::fs::read_to_string("/proc/stat").ok(),
            memory: stats::machine_memory(),
        }
    }
}

/// Docker's sample of a stopped container: its name and ID, zero counters.
fn empty(c: &ContainerRow) -> ContainerStatsResponse {
    let zero_cpu = ContainerCpuStats {
        cpu_usage: Some(ContainerCpuUsage {
            total_usage: Some(0),
            usage_in_kernelmode: Some(0),
            usage_in_usermode: Some(0),
            percpu_usage: None,
        }),
        ..Default::default()
    };
    ContainerStatsResponse {
        name: Some(format!("/{}", c.name)),
        id: Some(c.id.clone()),
        read: Some(rfc3339_nanos(0)),
        preread: Some(rfc3339_nanos(0)),
        pids_stats: Some(ContainerPidsStats::default()),
        blkio_stats: Some(ContainerBlkioStats::default()),
        num_procs: Some(0),
        storage_stats: Some(Default::default()),
        cpu_stats: Some(zero_cpu.clone()),
        precpu_stats: Some(zero_cpu),
        memory_stats: Some(ContainerMemoryStats::default()),
        networks: None,
    }
}

fn sample(_store: &Store, c: &ContainerRow, host: &Host) -> ContainerStatsResponse {
    if !matches!(c.status, Status::Running | Status::Paused) {
        return empty(c);
    }
    let cgroup = containers::cgroups_path(&c.id);
    let rel = Path::new(cgroup.trim_start_matches('/'));
    let cg = stats::read_cgroup(Path::new(CGROUP_ROOT), rel, host.memory);
    let host_network = Settings::of(c).is_ok_and(|s| s.network.is_host());
    let networks = (!host_network && c.pid > 0)
        .then(|| std::fs::read_to_string(format!("/proc/{}/net/dev", c.pid)).ok())
        .flatten()
        .map(|t| stats::net_dev(&t))
        .filter(|n| !n.is_empty());
    ContainerStatsResponse {
        name: Some(format!("/{}", c.name)),
        id: Some(c.id.clone()),
        read: Some(rfc3339_nanos(now_nanos())),
        // No earlier sample: the container's start, when it had used no CPU (`precpu_stats`
        // zero, without the host's time), so that one sample gives the CPU use since then.
        preread: Some(rfc3339_nanos(c.started_at)),
        pids_stats: Some(cg.pids),
        blkio_stats: Some(cg.blkio),
        num_procs: Some(0),
        storage_stats: Some(Default::default()),
        cpu_stats: Some(stats::cpu_stats(cg.cpu, host.proc_stat.as_deref())),
        precpu_stats: Some(ContainerCpuStats {
            cpu_usage: Some(ContainerCpuUsage {
                total_usage: Some(0),
                usage_in_kernelmode: Some(0),
                usage_in_usermode: Some(0),
                percpu_usage: None,
            }),
            ..Default::default()
        }),
        memory_stats: Some(cg.memory),
        networks,
    }
}
