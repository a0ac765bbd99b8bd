//! `update`: new resource limits and restart policy for a created, running, paused or stopped
//! container. The values are merged into the stored settings as dockerd merges them
//! (`UpdateContainer`: 0 or unset means "unchanged", NanoCPUs and period/quota exclude each
//! other, memory above the stored swap needs a new swap), checked as a create checks them, written
//! to the running container's cgroups (v1 or v2) and then recorded in its row; a refusal changes
//! nothing.

use serde_json::Value;

use super::settings::{RestartPolicy, Settings};
use super::{ContainerError, Result, reconcile};
use crate::runtime::{Runtime, RuntimeError};
use crate::state::StateError;
use crate::state::containers::{self as rows, ContainerRow, Status};
use crate::store::Store;

/// What `update` changes; `None` (or, as in Docker's API, 0 / "") leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    /// `--memory`, bytes.
    pub memory: Option<i64>,
    /// `--memory-swap`, bytes of memory plus swap; -1 unlimited.
    pub memory_swap: Option<i64>,
    /// `--memory-reservation`, bytes.
    pub memory_reservation: Option<i64>,
    /// `--cpus`.
    pub cpus: Option<f64>,
    /// `--cpu-shares`.
    pub cpu_shares: Option<u64>,
    /// `--cpu-quota`, microseconds; -1 unlimited.
    pub cpu_quota: Option<i64>,
    /// `--cpu-period`, microseconds.
    pub cpu_period: Option<u64>,
    /// `--cpuset-cpus`.
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`; 0 or -1: unlimited.
    pub pids_limit: Option<i64>,
    /// `--blkio-weight`.
    pub blkio_weight: Option<u16>,
    /// `--restart`.
    pub restart: Option<RestartPolicy>,
}

impl Update {
    /// Whether it changes anything at all (the docker CLI refuses an update without flags).
    pub fn is_empty(&self) -> bool {
        let nz = |v: Option<i64>| v.is_some_and(|v| v != 0);
        !(nz(self.memory)
            || nz(self.memory_swap)
            || nz(self.memory_reservation)
            || self.cpus.is_some_and(|c| c != 0.0)
            || self.cpu_shares.is_some_and(|v| v != 0)
            || nz(self.cpu_quota)
            || self.cpu_period.is_some_and(|v| v != 0)
            || self.cpuset_cpus.as_deref().is_some_and(|s| !s.is_empty())
            || self.cpuset_mems.as_deref().is_some_and(|s| !s.is_empty())
            || self.pids_limit.is_some()
            || self.blkio_weight.is_some_and(|v| v != 0)
            || self.restart.is_some())
    }
}

fn conflict(msg: &str) -> ContainerError {
    ContainerError::UpdateConflict(msg.to_string())
}

/// The settings after `u`, as dockerd's `UpdateContainer` merges a new `HostConfig.Resources`
/// into the stored one.
pub fn merge(had: &Settings, u: &Update) -> Result<Settings> {
    let given_i = |v: Option<i64>| v.filter(|&v| v != 0);
    let given_u = |v: Option<u64>| v.filter(|&v| v != 0);
    let had_cpus = had.cpus.is_some_and(|c| c != 0.0);
    let new_cpus = u.cpus.filter(|&c| c != 0.0);
    if new_cpus.is_some() && had.cpu_period.is_some_and(|p| p > 0) {
        return Err(conflict(
            "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set",
        ));
    }
    if new_cpus.is_some() && had.cpu_quota.is_some_and(|q| q > 0) {
        return Err(conflict(
            "Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set",
        ));
    }
    if u.cpu_period.is_some_and(|p| p > 0) && had_cpus {
        return Err(conflict(
            "Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set",
        ));
    }
    if u.cpu_quota.is_some_and(|q| q > 0) && had_cpus {
        return Err(conflict(
            "Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set",
        ));
    }
    let mut s = had.clone();
    // dockerd stores the swap it worked out at create (twice the memory) and compares with it.
    let stored_swap = match (had.memory.filter(|&m| m > 0), had.memory_swap) {
        (_, Some(sw)) if sw != 0 => sw,
        (Some(m), _) => m.saturating_mul(2),
        _ => 0,
    };
    if s.memory.is_some_and(|m| m > 0) && s.memory_swap.is_none_or(|sw| sw == 0) {
        s.memory_swap = Some(stored_swap);
    }
    if let Some(w) = u.blkio_weight.filter(|&w| w != 0) {
        s.blkio_weight = Some(w);
    }
    if let Some(v) = given_u(u.cpu_shares) {
        s.cpu_shares = Some(v);
    }
    if let Some(c) = new_cpus {
        s.cpus = Some(c);
    }
    if let Some(v) = given_u(u.cpu_period) {
        s.cpu_period = Some(v);
    }
    if let Some(v) = given_i(u.cpu_quota) {
        s.cpu_quota = Some(v);
    }
    if let Some(v) = u.cpuset_cpus.as_deref().filter(|v| !v.is_empty()) {
        s.cpuset_cpus = Some(v.to_string());
    }
    if let Some(v) = u.cpuset_mems.as_deref().filter(|v| !v.is_empty()) {
        s.cpuset_mems = Some(v.to_string());
    }
    if let Some(m) = given_i(u.memory) {
        if m > stored_swap && given_i(u.memory_swap).is_none() {
            return Err(conflict(
                "Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time",
            ));
        }
        s.memory = Some(m);
    }
    if let Some(v) = given_i(u.memory_swap) {
        s.memory_swap = Some(v);
    }
    if let Some(v) = given_i(u.memory_reservation) {
        s.memory_reservation = Some(v);
    }
    if let Some(p) = u.pids_limit {
        s.pids_limit = Some(p);
    }
    if let Some(p) = u.restart {
        if had.auto_remove && p != RestartPolicy::No {
            return Err(conflict(
                "Restart policy cannot be updated because AutoRemove is enabled for the container",
            ));
        }
        s.restart = p;
    }
    Ok(s)
}

/// `berth update`: merges `u` into the container's settings, writes the new limits to its
/// cgroups if it runs, and records them. Returns Docker's warnings (discarded settings).
pub fn update(store: &mut Store, c: &ContainerRow, u: &Update) -> Result<Vec<String>> {
    let c = reconcile(store, c.clone())?;
    let cannot = |e: ContainerError| match e {
        ContainerError::UpdateConflict(m) => {
            ContainerError::UpdateConflict(format!("Cannot update container {}: {m}", c.id))
        }
        ContainerError::Spec(e) => {
            ContainerError::Invalid(format!("Cannot update container {}: {e}", c.id))
        }
        ContainerError::Runtime(m) => {
            ContainerError::Runtime(format!("Cannot update container {}: {m}", c.id))
        }
        e => e,
    };
    let spec_path = super::Paths::new(store, &c.id).spec();
    let runtime_root = store.runroot.join("runtime");
    // Under the database's write lock: a concurrent update, start or exit waits for it.
    let tx = store.db.write()?;
    let now = rows::get(&tx, &c.id)?.ok_or_else(|| ContainerError::NotFound(c.id.clone()))?;
    if now.status == Status::Removing || now.status == Status::Dead {
        return Err(ContainerError::Invalid(format!(
            "container is marked for removal and cannot be \"update\": {}",
            c.id
        )));
    }
    let had = Settings::of(&now)?;
    let new = merge(&had, u).map_err(cannot)?;
    let (resources, warnings) = super::runspec::linux_resources(&new, &c.id)
        .map_err(ContainerError::from)
        .map_err(cannot)?;
    if matches!(
        now.status,
        Status::Running | Status::Paused | Status::Restarting
    ) {
        apply(&spec_path, &runtime_root, &c.id, resources, &new).map_err(cannot)?;
    }
    let json = serde_json::to_string(&new).expect("serializable");
    rows::set_config(&tx, &c.id, &json)?;
    tx.commit().map_err(StateError::from)?;
    super::events::record(&store.root, &c, "update");
    Ok(warnings)
}

/// Writes the new limits to a running container's cgroups. The rest of the spec's resources
/// (the device rules) is written again as it was at start.
fn apply(
    spec_path: &std::path::Path,
    runtime_root: &std::path::Path,
    id: &str,
    mut resources: oci_spec::runtime::LinuxResources,
    s: &Settings,
) -> Result<()> {
    let started: Value = std::fs::read(spec_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if let Some(devices) = started
        .pointer("/linux/resources/devices")
        .and_then(|d| serde_json::from_value(d.clone()).ok())
    {
        resources.set_devices(Some(devices));
    }
    // No limit is "max": written explicitly, since the cgroup may hold an older limit.
    if s.pids_limit.is_some_and(|p| p <= 0) {
        let mut pids = oci_spec::runtime::LinuxPids::default();
        pids.set_limit(-1);
        resources.set_pids(Some(pids));
    }
    let rt = Runtime::new(runtime_root).map_err(|e| ContainerError::Runtime(e.to_string()))?;
    rt.update_resources(id, &resources).map_err(|e| match e {
        RuntimeError::NotFound(_) => ContainerError::NotRunning(id.to_string()),
        e => ContainerError::Runtime(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: i64 = 1 << 20;

    fn set(f: impl FnOnce(&mut Settings)) -> Settings {
        let mut s = Settings::default();
        f(&mut s);
        s
    }

    #[test]
    fn unset_values_leave_settings_alone() {
        let had = set(|s| {
            s.cpu_shares = Some(512);
            s.pids_limit = Some(10);
        });
        let got = merge(
            &had,
            &Update {
                cpu_shares: Some(0),
                memory: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(got, had);
    }

    #[test]
    fn memory_needs_swap_above_the_stored_one() {
        // No limit at create: dockerd's stored swap is 0, so any memory needs a swap too.
        let err = merge(
            &Settings::default(),
            &Update {
                memory: Some(64 * MIB),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("update the memoryswap at the same time")
        );
        let got = merge(
            &Settings::default(),
            &Update {
                memory: Some(64 * MIB),
                memory_swap: Some(-1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!((got.memory, got.memory_swap), (Some(64 * MIB), Some(-1)));
        // `-m 100m` at create: the stored swap is 200m; 150m fits and keeps it.
        let had = set(|s| s.memory = Some(100 * MIB));
        let got = merge(
            &had,
            &Update {
                memory: Some(150 * MIB),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (got.memory, got.memory_swap),
            (Some(150 * MIB), Some(200 * MIB))
        );
        assert!(
            merge(
                &had,
                &Update {
                    memory: Some(300 * MIB),
                    ..Default::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn nano_cpus_and_period_quota_exclude_each_other() {
        let with_cpus = set(|s| s.cpus = Some(1.5));
        for u in [
            Update {
                cpu_period: Some(50_000),
                ..Default::default()
            },
            Update {
                cpu_quota: Some(50_000),
                ..Default::default()
            },
        ] {
            let e = merge(&with_cpus, &u).unwrap_err().to_string();
            assert!(
                e.contains("cannot be updated as NanoCPUs has already been set"),
                "{e}"
            );
        }
        let with_quota = set(|s| s.cpu_quota = Some(50_000));
        let e = merge(
            &with_quota,
            &Update {
                cpus: Some(1.0),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("Nano CPUs cannot be updated as CPU Quota"),
            "{e}"
        );
        let got = merge(
            &with_cpus,
            &Update {
                cpus: Some(0.5),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(got.cpus, Some(0.5));
    }

    #[test]
    fn restart_policy_and_auto_remove() {
        let rm = set(|s| s.auto_remove = true);
        let e = merge(
            &rm,
            &Update {
                restart: Some(RestartPolicy::Always),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("AutoRemove is enabled"), "{e}");
        let got = merge(
            &rm,
            &Update {
                restart: Some(RestartPolicy::No),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(got.restart, RestartPolicy::No);
        let got = merge(
            &Settings::default(),
            &Update {
                restart: Some(RestartPolicy::OnFailure { max_retries: 3 }),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(got.restart, RestartPolicy::OnFailure { max_retries: 3 });
    }

    #[test]
    fn emptiness() {
        assert!(Update::default().is_empty());
        assert!(
            Update {
                memory: Some(0),
                ..Default::default()
            }
            .is_empty()
        );
        assert!(
            !Update {
                pids_limit: Some(-1),
                ..Default::default()
            }
            .is_empty()
        );
    }
}
