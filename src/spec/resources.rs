//! Cgroup resources (`--memory`, `--cpus`, …) and rlimits (`--ulimit`), validated as Docker's
//! daemon validates them (`verifyPlatformContainerResources`, go-units' `ParseUlimit`).

use nix::sys::resource::Resource;
use std::str::FromStr;

use oci_spec::runtime::{
    LinuxBlockIo, LinuxCpu, LinuxMemory, LinuxPids, LinuxResources, PosixRlimit,
    PosixRlimitBuilder, PosixRlimitType,
};

use super::{SpecContext, SpecError};

/// Docker's smallest memory limit (and reservation): 6 MiB.
pub const MIN_MEMORY: i64 = 6 * 1024 * 1024;
/// The CFS period `--cpus` uses, in microseconds.
pub const CPU_PERIOD: u64 = 100_000;
/// cgroup v1's bounds on cpu.shares; Docker clamps to them.
const MIN_SHARES: u64 = 2;
const MAX_SHARES: u64 = 262_144;

/// Cgroup limits from the command line; `None` (or Docker's 0) leaves a limit unset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// `--memory`, bytes.
    pub memory: Option<i64>,
    /// `--memory-swap`, bytes of memory *plus* swap; -1 unlimited. Unset with `--memory`: twice
    /// the memory, as Docker does.
    pub memory_swap: Option<i64>,
    /// `--memory-reservation`, bytes (soft limit).
    pub memory_reservation: Option<i64>,
    /// `--cpus`, e.g. 1.5.
    pub cpus: Option<f64>,
    /// `--cpu-shares` (relative weight, 1024 is the default weight).
    pub cpu_shares: Option<u64>,
    /// `--cpu-quota`, microseconds per period; -1 unlimited.
    pub cpu_quota: Option<i64>,
    /// `--cpu-period`, microseconds.
    pub cpu_period: Option<u64>,
    /// `--cpuset-cpus`, e.g. `0-2,4`.
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    pub cpuset_mems: Option<String>,
    /// `--pids-limit`; 0 or negative: unlimited.
    pub pids_limit: Option<i64>,
    /// `--blkio-weight`, 10..=1000.
    pub blkio_weight: Option<u16>,
    /// `--oom-kill-disable` (cgroup v1 only: Docker discards it elsewhere, with a warning).
    pub oom_kill_disable: bool,
}

/// The ulimit names Docker accepts, with their rlimit (Docker leaves out `as`).
/// `--ulimit` names, their OCI types and the resources getrlimit(2) reads.
const ULIMITS: [(&str, PosixRlimitType, Resource); 15] = [
    ("core", PosixRlimitType::RlimitCore, Resource::RLIMIT_CORE),
    ("cpu", PosixRlimitType::RlimitCpu, Resource::RLIMIT_CPU),
    ("data", PosixRlimitType::RlimitData, Resource::RLIMIT_DATA),
    (
        "fsize",
        PosixRlimitType::RlimitFsize,
        Resource::RLIMIT_FSIZE,
    ),
    (
        "locks",
        PosixRlimitType::RlimitLocks,
        Resource::RLIMIT_LOCKS,
    ),
    (
        "memlock",
        PosixRlimitType::RlimitMemlock,
        Resource::RLIMIT_MEMLOCK,
    ),
    (
        "msgqueue",
        PosixRlimitType::RlimitMsgqueue,
        Resource::RLIMIT_MSGQUEUE,
    ),
    ("nice", PosixRlimitType::RlimitNice, Resource::RLIMIT_NICE),
    (
        "nofile",
        PosixRlimitType::RlimitNofile,
        Resource::RLIMIT_NOFILE,
    ),
    (
        "nproc",
        PosixRlimitType::RlimitNproc,
        Resource::RLIMIT_NPROC,
    ),
    ("rss", PosixRlimitType::RlimitRss, Resource::RLIMIT_RSS),
    (
        "rtprio",
        PosixRlimitType::RlimitRtprio,
        Resource::RLIMIT_RTPRIO,
    ),
    (
        "rttime",
        PosixRlimitType::RlimitRttime,
        Resource::RLIMIT_RTTIME,
    ),
    (
        "sigpending",
        PosixRlimitType::RlimitSigpending,
        Resource::RLIMIT_SIGPENDING,
    ),
    (
        "stack",
        PosixRlimitType::RlimitStack,
        Resource::RLIMIT_STACK,
    ),
];

/// The resource of an OCI rlimit type.
pub fn resource_of(t: PosixRlimitType) -> Option<Resource> {
    ULIMITS
        .iter()
        .find(|(_, typ, _)| *typ == t)
        .map(|(_, _, r)| *r)
}

/// The hard limit of `r` for this process (`None` if it cannot be read); RLIM_INFINITY is
/// [`UNLIMITED`].
pub fn hard_limit(r: Resource) -> Option<u64> {
    nix::sys::resource::getrlimit(r).ok().map(|(_, hard)| hard)
}

/// `u64::MAX` is RLIM_INFINITY.
pub const UNLIMITED: u64 = u64::MAX;

/// One `--ulimit name=soft[:hard]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: u64,
    pub hard: u64,
}

fn parse_limit(s: &str, whole: &str) -> Result<u64, SpecError> {
    match s.trim() {
        "-1" | "unlimited" => Ok(UNLIMITED),
        v => v
            .parse::<u64>()
            .map_err(|_| SpecError::UlimitFormat(whole.to_string())),
    }
}

impl FromStr for Ulimit {
    type Err = SpecError;

    /// `nofile=1024`, `nofile=1024:2048`, `-1` or `unlimited` for no limit.
    fn from_str(s: &str) -> Result<Self, SpecError> {
        let (name, values) = s
            .split_once('=')
            .ok_or_else(|| SpecError::UlimitFormat(s.to_string()))?;
        if !ULIMITS.iter().any(|(n, _, _)| *n == name) {
            return Err(SpecError::UlimitType(name.to_string()));
        }
        let parts: Vec<&str> = values.split(':').collect();
        let (soft, hard) = match parts.as_slice() {
            [one] => {
                let v = parse_limit(one, s)?;
                (v, v)
            }
            [soft, hard] => (parse_limit(soft, s)?, parse_limit(hard, s)?),
            _ => return Err(SpecError::UlimitFormat(s.to_string())),
        };
        if soft > hard {
            return Err(SpecError::UlimitSoftAboveHard {
                name: name.to_string(),
                soft: show_limit(soft),
                hard: show_limit(hard),
            });
        }
        Ok(Ulimit {
            name: name.to_string(),
            soft,
            hard,
        })
    }
}

fn show_limit(v: u64) -> String {
    if v == UNLIMITED {
        "unlimited".to_string()
    } else {
        v.to_string()
    }
}

/// The hard rlimits of this process: the most a container may be given, since raising a hard
/// limit needs CAP_SYS_RESOURCE in the initial namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRlimits {
    /// (ulimit name, hard limit), for every name Docker accepts.
    hard: Vec<(&'static str, u64)>,
}

impl HostRlimits {
    /// Reads the current hard limits with getrlimit(2).
    pub fn current() -> Self {
        let hard = ULIMITS
            .iter()
            .map(|&(name, _, res)| (name, hard_limit(res).unwrap_or(UNLIMITED)))
            .collect();
        HostRlimits { hard }
    }

    /// No limits at all (for tests and for callers that check elsewhere).
    pub fn unlimited() -> Self {
        HostRlimits {
            hard: ULIMITS.iter().map(|&(n, _, _)| (n, UNLIMITED)).collect(),
        }
    }

    /// The same with one hard limit replaced.
    pub fn with(mut self, name: &str, hard: u64) -> Self {
        if let Some(e) = self.hard.iter_mut().find(|(n, _)| *n == name) {
            e.1 = hard;
        }
        self
    }

    /// The hard limit for a ulimit name.
    pub fn hard(&self, name: &str) -> Option<u64> {
        self.hard.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
    }
}

/// The spec's rlimits: only those given with `--ulimit` (the last one per name wins), each
/// checked against this process's hard limit.
pub fn rlimits(ulimits: &[Ulimit], host: &HostRlimits) -> Result<Vec<PosixRlimit>, SpecError> {
    let mut out: Vec<(&str, PosixRlimit)> = Vec::new();
    for u in ulimits {
        let &(name, typ, _) = ULIMITS
            .iter()
            .find(|(n, _, _)| *n == u.name)
            .ok_or_else(|| SpecError::UlimitType(u.name.clone()))?;
        if u.soft > u.hard {
            return Err(SpecError::UlimitSoftAboveHard {
                name: u.name.clone(),
                soft: show_limit(u.soft),
                hard: show_limit(u.hard),
            });
        }
        let max = host.hard(name).unwrap_or(UNLIMITED);
        for (which, v) in [("soft", u.soft), ("hard", u.hard)] {
            if v > max {
                return Err(SpecError::UlimitAboveHost {
                    name: name.to_string(),
                    which,
                    value: show_limit(v),
                    max: show_limit(max),
                });
            }
        }
        let rl = PosixRlimitBuilder::default()
            .typ(typ)
            .soft(u.soft)
            .hard(u.hard)
            .build()
            .map_err(|e| SpecError::Oci(e.to_string()))?;
        out.retain(|(n, _)| *n != name);
        out.push((name, rl));
    }
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// Parses a size as Docker's `RAMInBytes` does: `1024`, `64m`, `1.5g`, `512MiB`, `2 GB`
/// (binary multiples, case-insensitive).
pub fn parse_size(s: &str) -> Result<i64, SpecError> {
    let bad = || SpecError::InvalidSize(s.to_string());
    let t = s.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim_start();
    let unit = unit.strip_suffix('b').unwrap_or(unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let mult: f64 = match unit {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024f64.powi(2),
        "g" => 1024f64.powi(3),
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return Err(bad()),
    };
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
        return Err(bad());
    }
    let v: f64 = num.parse().map_err(|_| bad())?;
    let bytes = v * mult;
    if !bytes.is_finite() || bytes >= i64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as i64)
}

/// Parses a cpuset list (`0-3,5`) into its members.
pub fn parse_cpuset(s: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in s.trim().split(',') {
        let part = part.trim();
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b || b - a > 1 << 16 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

fn check_cpuset(
    requested: &str,
    available: Option<&str>,
    what: &'static str,
) -> Result<(), SpecError> {
    let req = parse_cpuset(requested).ok_or_else(|| {
        SpecError::Resource(format!("Invalid value {requested} for cpuset {what}"))
    })?;
    if let Some(avail) = available
        && let Some(have) = parse_cpuset(avail)
        && let Some(_missing) = req.iter().find(|c| !have.contains(c))
    {
        let noun = if what == "cpus" {
            "CPUs"
        } else {
            "memory nodes"
        };
        return Err(SpecError::Resource(format!(
            "Requested {noun} are not available - requested {requested}, available: {}",
            avail.trim()
        )));
    }
    Ok(())
}

fn set(v: Option<i64>) -> Option<i64> {
    v.filter(|&x| x != 0)
}

/// Validates the limits and turns them into `linux.resources` (without the device rules, which
/// the caller adds). Returns the warnings Docker would print for discarded settings.
pub fn linux_resources(
    r: &Resources,
    ctx: &SpecContext,
) -> Result<(LinuxResources, Vec<String>), SpecError> {
    let err = |m: &str| Err(SpecError::Resource(m.to_string()));
    let mut warnings = Vec::new();
    let mut res = LinuxResources::default();

    // Memory.
    let memory = set(r.memory);
    let mut swap = set(r.memory_swap);
    let reservation = set(r.memory_reservation);
    if let Some(m) = memory {
        if m < 0 {
            return err("Invalid memory limit: it must be positive");
        }
        if m < MIN_MEMORY {
            return err("Minimum memory limit allowed is 6MB");
        }
    }
    if let Some(s) = swap {
        if s < -1 {
            return err("Invalid memory swap limit: use -1 for unlimited swap");
        }
        if s > 0 {
            match memory {
                None => {
                    return err(
                        "You should always set the Memory limit when using Memoryswap limit, see usage",
                    );
                }
                Some(m) if s < m => {
                    return err(
                        "Minimum memoryswap limit should be larger than memory limit, see usage",
                    );
                }
                _ => {}
            }
        }
    }
    if let Some(v) = reservation {
        if v < MIN_MEMORY {
            return err("Minimum memory reservation allowed is 6MB");
        }
        if let Some(m) = memory
            && v > m
        {
            return err(
                "Minimum memory limit can not be less than memory reservation limit, see usage",
            );
        }
    }
    if let Some(m) = memory
        && swap.is_none()
    {
        // Docker's default: as much swap as memory.
        swap = Some(m.saturating_mul(2));
    }
    if swap.is_some() && !ctx.swap_limit_supported {
        if r.memory_swap.is_some_and(|s| s != 0) {
            warnings.push(
                "Your kernel does not support swap limit capabilities or the cgroup is not \
                 mounted. Memory limited without swap."
                    .to_string(),
            );
        }
        swap = None;
    }
    let mut oom_kill_disable = r.oom_kill_disable;
    if oom_kill_disable && !ctx.oom_kill_disable_supported {
        warnings.push(
            "Your kernel does not support OomKillDisable. OomKillDisable discarded.".to_string(),
        );
        oom_kill_disable = false;
    }
    if oom_kill_disable && memory.is_none() {
        warnings.push(
            "OOM killer is disabled for the container, but no memory limit is set, this can \
             result in the system running out of resources."
                .to_string(),
        );
    }
    if memory.is_some() || swap.is_some() || reservation.is_some() || oom_kill_disable {
        let mut mem = LinuxMemory::default();
        mem.set_limit(memory);
        mem.set_swap(swap);
        mem.set_reservation(reservation);
        mem.set_disable_oom_killer(oom_kill_disable.then_some(true));
        res.set_memory(Some(mem));
    }

    // CPU.
    let mut cpu = LinuxCpu::default();
    let mut cpu_set = false;
    let period = r.cpu_period.filter(|&p| p != 0);
    let quota = set(r.cpu_quota);
    if let Some(c) = r.cpus.filter(|&c| c != 0.0) {
        if period.is_some() {
            return err("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if quota.is_some() {
            return err("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        }
        let n = ctx.host_cpus.max(1);
        if !c.is_finite() || !(0.01..=n as f64).contains(&c) {
            return Err(SpecError::Resource(format!(
                "Range of CPUs is from 0.01 to {n}.00, as there are only {n} CPUs available"
            )));
        }
        // Docker: NanoCPUs = cpus * 1e9, quota = NanoCPUs * period / 1e9.
        let nano = (c * 1e9).round() as i64;
        cpu.set_period(Some(CPU_PERIOD));
        cpu.set_quota(Some(nano * CPU_PERIOD as i64 / 1_000_000_000));
        cpu_set = true;
    }
    if let Some(p) = period {
        if !(1000..=1_000_000).contains(&p) {
            return err(
                "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
            );
        }
        cpu.set_period(Some(p));
        cpu_set = true;
    }
    if let Some(q) = quota {
        if q > 0 && q < 1000 {
            return err("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
        if q < -1 {
            return err("Invalid CPU cfs quota: use -1 for unlimited");
        }
        cpu.set_quota(Some(q));
        cpu_set = true;
    }
    if let Some(s) = r.cpu_shares.filter(|&s| s != 0) {
        let clamped = s.clamp(MIN_SHARES, MAX_SHARES);
        if clamped != s {
            warnings.push(format!(
                "Changed CPU shares from {s} to {clamped}: the allowed range is \
                 {MIN_SHARES} to {MAX_SHARES}"
            ));
        }
        cpu.set_shares(Some(clamped));
        cpu_set = true;
    }
    if let Some(c) = r.cpuset_cpus.as_deref().filter(|s| !s.trim().is_empty()) {
        check_cpuset(c, ctx.available_cpus.as_deref(), "cpus")?;
        cpu.set_cpus(Some(c.trim().to_string()));
        cpu_set = true;
    }
    if let Some(m) = r.cpuset_mems.as_deref().filter(|s| !s.trim().is_empty()) {
        check_cpuset(m, ctx.available_mems.as_deref(), "mems")?;
        cpu.set_mems(Some(m.trim().to_string()));
        cpu_set = true;
    }
    if cpu_set {
        res.set_cpu(Some(cpu));
    }

    // Pids: 0 or negative means unlimited, so no limit is written.
    if let Some(p) = r.pids_limit.filter(|&p| p > 0) {
        let mut pids = LinuxPids::default();
        pids.set_limit(p);
        res.set_pids(Some(pids));
    }

    // Block I/O weight.
    if let Some(w) = r.blkio_weight.filter(|&w| w != 0) {
        if !(10..=1000).contains(&w) {
            return err("Range of blkio weight is from 10 to 1000");
        }
        if ctx.blkio_weight_supported {
            let mut b = LinuxBlockIo::default();
            b.set_weight(Some(w));
            res.set_block_io(Some(b));
        } else {
            warnings.push(
                "Your kernel does not support Block I/O weight or the cgroup is not mounted. \
                 Weight discarded."
                    .to_string(),
            );
        }
    }
    Ok((res, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn ctx() -> SpecContext {
        SpecContext::for_tests("0123456789abcdef", PathBuf::from("/nonexistent"))
    }

    fn build(r: Resources) -> Result<LinuxResources, SpecError> {
        linux_resources(&r, &ctx()).map(|(r, _)| r)
    }

    fn msg(r: Resources) -> String {
        build(r).unwrap_err().to_string()
    }

    #[test]
    fn cpus_to_quota() {
        let r = build(Resources {
            cpus: Some(1.5),
            ..Default::default()
        })
        .unwrap();
        let cpu = r.cpu().as_ref().unwrap();
        assert_eq!(cpu.quota(), Some(150_000));
        assert_eq!(cpu.period(), Some(100_000));
        let r = build(Resources {
            cpus: Some(0.01),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.cpu().as_ref().unwrap().quota(), Some(1000));
    }

    #[test]
    fn cpus_validation() {
        let m = msg(Resources {
            cpus: Some(3.0),
            ..Default::default()
        });
        assert_eq!(
            m,
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        assert!(
            msg(Resources {
                cpus: Some(1.0),
                cpu_period: Some(50_000),
                ..Default::default()
            })
            .contains("Conflicting options")
        );
        assert!(
            msg(Resources {
                cpu_quota: Some(500),
                ..Default::default()
            })
            .contains("less than 1ms")
        );
        assert!(
            msg(Resources {
                cpu_period: Some(100),
                ..Default::default()
            })
            .contains("cfs period")
        );
    }

    #[test]
    fn shares_cpuset_quota() {
        let r = build(Resources {
            cpu_shares: Some(512),
            cpu_quota: Some(50_000),
            cpu_period: Some(100_000),
            cpuset_cpus: Some("0-1".into()),
            cpuset_mems: Some("0".into()),
            ..Default::default()
        })
        .unwrap();
        let c = r.cpu().as_ref().unwrap();
        assert_eq!(
            (c.shares(), c.quota(), c.period()),
            (Some(512), Some(50_000), Some(100_000))
        );
        assert_eq!(c.cpus().as_deref(), Some("0-1"));
        assert_eq!(c.mems().as_deref(), Some("0"));
        let m = msg(Resources {
            cpuset_cpus: Some("0-7".into()),
            ..Default::default()
        });
        assert_eq!(
            m,
            "Requested CPUs are not available - requested 0-7, available: 0-1"
        );
        assert!(
            msg(Resources {
                cpuset_cpus: Some("1-0".into()),
                ..Default::default()
            })
            .contains("Invalid value")
        );
        // Shares are clamped, with a warning.
        let (r, w) = linux_resources(
            &Resources {
                cpu_shares: Some(1),
                ..Default::default()
            },
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.cpu().as_ref().unwrap().shares(), Some(2));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn memory_rules() {
        let mb = 1024 * 1024;
        assert_eq!(
            msg(Resources {
                memory: Some(4 * mb),
                ..Default::default()
            }),
            "Minimum memory limit allowed is 6MB"
        );
        // Default swap: twice the memory (memory + as much swap).
        let r = build(Resources {
            memory: Some(64 * mb),
            ..Default::default()
        })
        .unwrap();
        let m = r.memory().unwrap();
        assert_eq!((m.limit(), m.swap()), (Some(64 * mb), Some(128 * mb)));
        let r = build(Resources {
            memory: Some(64 * mb),
            memory_swap: Some(-1),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.memory().unwrap().swap(), Some(-1));
        let r = build(Resources {
            memory: Some(64 * mb),
            memory_swap: Some(100 * mb),
            memory_reservation: Some(32 * mb),
            ..Default::default()
        })
        .unwrap();
        let m = r.memory().unwrap();
        assert_eq!((m.swap(), m.reservation()), (Some(100 * mb), Some(32 * mb)));
        assert!(
            msg(Resources {
                memory: Some(64 * mb),
                memory_swap: Some(32 * mb),
                ..Default::default()
            })
            .starts_with("Minimum memoryswap limit")
        );
        assert!(
            msg(Resources {
                memory_swap: Some(64 * mb),
                ..Default::default()
            })
            .starts_with("You should always set the Memory limit")
        );
        assert!(
            msg(Resources {
                memory: Some(64 * mb),
                memory_reservation: Some(128 * mb),
                ..Default::default()
            })
            .contains("reservation")
        );
        // No swap accounting: swap dropped, with a warning when it was asked for.
        let mut c = ctx();
        c.swap_limit_supported = false;
        let (r, w) = linux_resources(
            &Resources {
                memory: Some(64 * mb),
                memory_swap: Some(128 * mb),
                ..Default::default()
            },
            &c,
        )
        .unwrap();
        assert_eq!(r.memory().unwrap().swap(), None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn pids_and_blkio() {
        let r = build(Resources {
            pids_limit: Some(100),
            blkio_weight: Some(500),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(r.pids().unwrap().limit(), 100);
        assert_eq!(r.block_io().as_ref().unwrap().weight(), Some(500));
        let r = build(Resources {
            pids_limit: Some(-1),
            ..Default::default()
        })
        .unwrap();
        assert!(r.pids().is_none());
        assert_eq!(
            msg(Resources {
                blkio_weight: Some(5),
                ..Default::default()
            }),
            "Range of blkio weight is from 10 to 1000"
        );
        let mut c = ctx();
        c.blkio_weight_supported = false;
        let (r, w) = linux_resources(
            &Resources {
                blkio_weight: Some(500),
                ..Default::default()
            },
            &c,
        )
        .unwrap();
        assert!(r.block_io().is_none());
        assert!(w[0].contains("Weight discarded"));
    }

    #[test]
    fn ulimit_parsing() {
        let u: Ulimit = "nofile=1024:2048".parse().unwrap();
        assert_eq!((u.soft, u.hard), (1024, 2048));
        let u: Ulimit = "nproc=512".parse().unwrap();
        assert_eq!((u.soft, u.hard), (512, 512));
        let u: Ulimit = "core=-1".parse().unwrap();
        assert_eq!(u.hard, UNLIMITED);
        assert_eq!(
            "foo=1".parse::<Ulimit>().unwrap_err().to_string(),
            "invalid ulimit type: foo"
        );
        assert_eq!(
            "nofile=2048:1024"
                .parse::<Ulimit>()
                .unwrap_err()
                .to_string(),
            "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024"
        );
        assert!("nofile".parse::<Ulimit>().is_err());
        assert!("nofile=1:2:3".parse::<Ulimit>().is_err());
        assert!("nofile=x".parse::<Ulimit>().is_err());
    }

    #[test]
    fn ulimits_against_host_hard_limit() {
        let host = HostRlimits::unlimited().with("nofile", 20_000);
        let ok = rlimits(
            &[
                "nofile=1024:20000".parse().unwrap(),
                "nproc=10".parse().unwrap(),
            ],
            &host,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].typ(), PosixRlimitType::RlimitNofile);
        let e = rlimits(&["nofile=1024:65536".parse().unwrap()], &host).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--ulimit nofile: hard limit 65536 is above this process's hard limit 20000 \
             (raising it needs CAP_SYS_RESOURCE)"
        );
        let e = rlimits(&["nofile=unlimited".parse().unwrap()], &host).unwrap_err();
        assert!(e.to_string().contains("soft limit unlimited"), "{e}");
        // The last one per name wins.
        let r = rlimits(
            &["nofile=10".parse().unwrap(), "nofile=20".parse().unwrap()],
            &host,
        )
        .unwrap();
        assert_eq!((r.len(), r[0].soft()), (1, 20));
        // The real process limits are read.
        let cur = HostRlimits::current();
        assert!(cur.hard("nofile").unwrap() > 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1024").unwrap(), 1024);
        assert_eq!(parse_size("64m").unwrap(), 64 << 20);
        assert_eq!(parse_size("64MB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1.5g").unwrap(), 3 << 29);
        assert_eq!(parse_size("2 GiB").unwrap(), 2 << 30);
        assert_eq!(parse_size("10k").unwrap(), 10240);
        for bad in ["", "m", "12x", "1..2m", "-5m", ".5m"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
