//! The host facts a spec depends on ([`SpecContext`]), probed once per container: rlimits,
//! capabilities, kernel version, hostname, CPUs, cgroup features and hierarchies.

use std::fs;
use std::path::{Path, PathBuf};

use super::HostRlimits;

/// What the spec needs to know about the container and the host.
#[derive(Debug, Clone)]
pub struct SpecContext {
    pub container_id: String,
    /// The container's mounted root filesystem (its passwd/group files are read from it).
    pub rootfs: PathBuf,
    /// e.g. `/berth/<id>`.
    pub cgroups_path: String,
    /// This process's hard rlimits: no rlimit above them is ever emitted.
    pub host_rlimits: HostRlimits,
    /// The highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).
    pub cap_last_cap: u32,
    /// This process's bounding set (CapBnd of /proc/self/status): a container gets no
    /// capability outside it.
    pub own_cap_bounding: u64,
    /// (major, minor) of the running kernel, for seccomp's `minKernel`.
    pub kernel_version: (u32, u32),
    /// The host's hostname (the container's with `--network host`).
    pub host_hostname: String,
    /// CPUs this process may run on (the upper bound of `--cpus`).
    pub host_cpus: u32,
    /// CPUs and memory nodes `--cpuset-cpus/--cpuset-mems` may name (`None`: not checked).
    pub available_cpus: Option<String>,
    pub available_mems: Option<String>,
    /// Whether the memory cgroup accounts swap (else swap limits are dropped, as Docker does).
    pub swap_limit_supported: bool,
    /// Whether the block I/O cgroup has a weight knob (else `--blkio-weight` is dropped).
    pub blkio_weight_supported: bool,
    /// Whether the memory cgroup can disable the OOM killer (v1's `memory.oom_control`).
    pub oom_kill_disable_supported: bool,
    /// Whether the host enforces AppArmor (else `--security-opt apparmor=…` is ignored, as
    /// Docker ignores it).
    pub apparmor_enabled: bool,
    /// Where `--privileged` finds the host's devices (normally /dev).
    pub host_dev: PathBuf,
    /// The container paths of the host's cgroup v1 hierarchies (`/sys/fs/cgroup/memory`, …;
    /// empty on a cgroup v2 host). They are added to the read-only paths: Docker mounts them
    /// read-only, and runtimes that ignore `ro` on the cgroup mount (libcontainer 0.7 does)
    /// would otherwise let the container raise its own limits.
    pub cgroup_v1_mounts: Vec<String>,
}

fn read_trim(p: &str) -> Option<String> {
    fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn first_existing(paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| read_trim(p))
}

impl SpecContext {
    /// Gathers the host facts from this process and the kernel.
    pub fn new(container_id: &str, rootfs: PathBuf, cgroups_path: &str) -> Self {
        let exists = |p: &str| Path::new(p).exists();
        let v2_controllers = read_trim("/sys/fs/cgroup/cgroup.controllers");
        let v2_has = |c: &str| {
            v2_controllers
                .as_deref()
                .is_some_and(|l| l.split_whitespace().any(|x| x == c))
        };
        SpecContext {
            container_id: container_id.to_string(),
            rootfs,
            cgroups_path: cgroups_path.to_string(),
            host_rlimits: HostRlimits::current(),
            cap_last_cap: read_trim("/proc/sys/kernel/cap_last_cap")
                .and_then(|s| s.parse().ok())
                .unwrap_or(40),
            own_cap_bounding: own_cap_bounding(),
            kernel_version: kernel_version(),
            host_hostname: read_trim("/proc/sys/kernel/hostname").unwrap_or_default(),
            host_cpus: host_cpus(),
            available_cpus: first_existing(&[
                "/sys/fs/cgroup/cpuset.cpus.effective",
                "/sys/fs/cgroup/cpuset/cpuset.effective_cpus",
                "/sys/fs/cgroup/cpuset/cpuset.cpus",
                "/sys/devices/system/cpu/online",
            ]),
            available_mems: first_existing(&[
                "/sys/fs/cgroup/cpuset.mems.effective",
                "/sys/fs/cgroup/cpuset/cpuset.effective_mems",
                "/sys/fs/cgroup/cpuset/cpuset.mems",
                "/sys/devices/system/node/online",
            ]),
            swap_limit_supported: exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")
                || v2_has("memory"),
            blkio_weight_supported: exists("/sys/fs/cgroup/blkio/blkio.weight")
                || exists("/sys/fs/cgroup/blkio/blkio.bfq.weight")
                || v2_has("io"),
            oom_kill_disable_supported: exists("/sys/fs/cgroup/memory/memory.oom_control"),
            apparmor_enabled: read_trim("/sys/module/apparmor/parameters/enabled")
                .is_some_and(|v| v.starts_with('Y')),
            host_dev: PathBuf::from("/dev"),
            cgroup_v1_mounts: cgroup_v1_mounts(
                &fs::read_to_string("/proc/self/mountinfo").unwrap_or_default(),
            ),
        }
    }

    /// A context with fixed host facts (2 CPUs, cap_last_cap 40, kernel 6.1, no rlimits).
    pub fn for_tests(container_id: &str, rootfs: PathBuf) -> Self {
        SpecContext {
            container_id: container_id.to_string(),
            rootfs,
            cgroups_path: format!("/berth/{container_id}"),
            host_rlimits: HostRlimits::unlimited(),
            cap_last_cap: 40,
            own_cap_bounding: u64::MAX,
            kernel_version: (6, 1),
            host_hostname: "host.example".to_string(),
            host_cpus: 2,
            available_cpus: Some("0-1".to_string()),
            available_mems: Some("0".to_string()),
            swap_limit_supported: true,
            blkio_weight_supported: true,
            oom_kill_disable_supported: true,
            apparmor_enabled: false,
            host_dev: PathBuf::from("/nonexistent-dev"),
            cgroup_v1_mounts: Vec::new(),
        }
    }
}

/// CapBnd of this process; all ones if unreadable (the kernel then refuses what is missing).
fn own_cap_bounding() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapBnd:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .unwrap_or(u64::MAX)
}

/// The cgroup v1 hierarchies mounted under /sys/fs/cgroup, from a mountinfo text.
pub(super) fn cgroup_v1_mounts(mountinfo: &str) -> Vec<String> {
    let mut out: Vec<String> = mountinfo
        .lines()
        .filter_map(|l| {
            // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL…] - FSTYPE SOURCE SUPER"
            let (pre, post) = l.split_once(" - ")?;
            let mount_point = pre.split(' ').nth(4)?;
            let fstype = post.split(' ').next()?;
            let name = mount_point.strip_prefix("/sys/fs/cgroup/")?;
            (fstype == "cgroup" && !name.is_empty() && !name.contains('/'))
                .then(|| mount_point.to_string())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn kernel_version() -> (u32, u32) {
    let Ok(u) = nix::sys::utsname::uname() else {
        return (0, 0);
    };
    let release = u.release().to_string_lossy();
    let mut it = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|x| x.parse().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn host_cpus() -> u32 {
    use nix::sched::{CpuSet, sched_getaffinity};
    if let Ok(set) = sched_getaffinity(nix::unistd::Pid::from_raw(0)) {
        let n = (0..CpuSet::count())
            .filter(|&i| set.is_set(i).unwrap_or(false))
            .count();
        if n > 0 {
            return n as u32;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}
