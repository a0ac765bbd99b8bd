//! `update`: new resource limits and restart policy for one or more containers (Docker's flags).

use anyhow::bail;
use clap::Args;

use super::{GlobalOpts, each};
use crate::containers::RestartPolicy;
use crate::engine::containers::ContainerUpdate;
use crate::spec::parse_size;

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Block IO (relative weight), between 10 and 1000, or 0 to disable
    #[arg(long)]
    pub blkio_weight: Option<u16>,
    /// Limit CPU CFS (Completely Fair Scheduler) period
    #[arg(long)]
    pub cpu_period: Option<u64>,
    /// Limit CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, allow_hyphen_values = true)]
    pub cpu_quota: Option<i64>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<u64>,
    /// Number of CPUs
    #[arg(long)]
    pub cpus: Option<f64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long)]
    pub cpuset_cpus: Option<String>,
    /// MEMs in which to allow execution (0-3, 0,1)
    #[arg(long)]
    pub cpuset_mems: Option<String>,
    /// Memory limit
    #[arg(short = 'm', long, value_name = "BYTES")]
    pub memory: Option<String>,
    /// Memory soft limit
    #[arg(long, value_name = "BYTES")]
    pub memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: -1 to enable unlimited swap
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,
    /// Tune container pids limit (-1 for unlimited)
    #[arg(long, allow_hyphen_values = true)]
    pub pids_limit: Option<i64>,
    /// Restart policy to apply when a container exits
    #[arg(long)]
    pub restart: Option<String>,
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

impl UpdateArgs {
    fn update(&self) -> anyhow::Result<ContainerUpdate> {
        let size = |v: &Option<String>| -> anyhow::Result<Option<i64>> {
            Ok(match v.as_deref() {
                None => None,
                Some("-1") => Some(-1),
                Some(s) => Some(parse_size(s)?),
            })
        };
        Ok(ContainerUpdate {
            memory: size(&self.memory)?,
            memory_swap: size(&self.memory_swap)?,
            memory_reservation: size(&self.memory_reservation)?,
            cpus: self.cpus,
            cpu_shares: self.cpu_shares,
            cpu_quota: self.cpu_quota,
            cpu_period: self.cpu_period,
            cpuset_cpus: self.cpuset_cpus.clone(),
            cpuset_mems: self.cpuset_mems.clone(),
            pids_limit: self.pids_limit,
            blkio_weight: self.blkio_weight,
            restart: self
                .restart
                .as_deref()
                .map(RestartPolicy::parse)
                .transpose()?,
        })
    }
}

pub fn update(g: &GlobalOpts, a: UpdateArgs) -> anyhow::Result<i32> {
    let u = a.update()?;
    if u.is_empty() {
        bail!("you must provide one or more flags when using this command");
    }
    let engine = g.engine();
    Ok(each(&a.containers, |n| {
        for w in engine.container_update(n, &u)? {
            eprintln!("WARNING: {w}");
        }
        Ok(())
    }))
}
