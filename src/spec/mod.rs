//! The OCI runtime spec of a container: `docker run`'s flags and an image's config turned into an
//! [`oci_spec::runtime::Spec`] for the runtime, with Docker's defaults and security settings.
//!
//! Docker's behaviour (moby's daemon plus runc) is the reference. [`build`] reads nothing but the
//! container's own /etc/passwd and /etc/group (confined to the rootfs, see [`user`]) and, for
//! `--privileged`, the host's /dev; every other host fact is gathered once by
//! [`SpecContext::new`], so tests can supply their own.
//!
//! | Part | Module |
//! |---|---|
//! | capabilities (`--cap-add/--cap-drop/--privileged`) | `caps` |
//! | seccomp (default profile, Docker-format profiles) | [`seccomp`] |
//! | `-u user[:group]`, `--group-add` | [`user`] |
//! | reading/creating files confined to the rootfs | [`inroot`] |
//! | cgroup limits, `--ulimit` | `resources` |
//! | mounts, devices, masked paths | `mounts` |
//! | stop signals | `signal` |
//!
//! Where berth departs from Docker it says so next to the code (look for "Docker").

mod caps;
pub mod inroot;
mod mounts;
mod resources;
pub mod seccomp;
mod signal;
pub mod user;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use oci_spec::runtime::{
    Capabilities, LinuxBuilder, LinuxCapabilitiesBuilder, LinuxNamespace, LinuxNamespaceType,
    Process, Root, Spec, UserBuilder,
};
use serde::Deserialize;

pub use caps::{DOCKER_DEFAULT_CAPS, bitmask as capability_bitmask};
pub use mounts::{DEFAULT_SHM_SIZE, MASKED_PATHS, READONLY_PATHS, clean_abs, tmpfs_options};
pub use resources::{HostRlimits, Resources, UNLIMITED, Ulimit, parse_cpuset, parse_size};
pub use signal::parse_signal;

/// `PATH` for images that set none (Docker's default).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Why a spec cannot be built. Each message is one line, meant for the user as is.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("no command specified")]
    NoCommand,
    #[error("invalid image config: {0}")]
    ImageConfig(String),
    #[error("invalid environment variable {0:?}")]
    InvalidEnv(String),
    #[error("the working directory {0:?} is invalid, it needs to be an absolute path")]
    InvalidWorkdir(String),
    #[error("invalid hostname {0:?}: at most 64 characters, no '/' or whitespace")]
    InvalidHostname(String),
    #[error("unable to find user {0}: no matching entries in passwd file")]
    UserNotFound(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    GroupNotFound(String),
    #[error("uids and gids must be in range 0-2147483647")]
    IdRange,
    #[error("reading {path} in the container's root filesystem: {source}")]
    RootfsFile { path: String, source: io::Error },
    #[error("unknown capability: {0:?}")]
    UnknownCapability(String),
    #[error(
        "capability {0} is not available here (unknown to the kernel or outside berth's bounding set)"
    )]
    CapabilityNotSupported(String),
    #[error(
        "sysctl {0:?} is not allowed: only namespaced sysctls (kernel.shm*, kernel.msg*, \
         kernel.sem, fs.mqueue.*, net.*) can be set"
    )]
    SysctlNotAllowed(String),
    #[error("sysctl {0:?} is not allowed with --network host")]
    SysctlHostNetwork(String),
    #[error("invalid ulimit argument: {0}")]
    UlimitFormat(String),
    #[error("invalid ulimit type: {0}")]
    UlimitType(String),
    #[error("ulimit soft limit must be less than or equal to hard limit: {soft} > {hard}")]
    UlimitSoftAboveHard {
        name: String,
        soft: String,
        hard: String,
    },
    #[error(
        "--ulimit {name}: {which} limit {value} is above this process's hard limit {max} \
         (raising it needs CAP_SYS_RESOURCE)"
    )]
    UlimitAboveHost {
        name: String,
        which: &'static str,
        value: String,
        max: String,
    },
    #[error("invalid size: {0:?}")]
    InvalidSize(String),
    /// Docker's own wording (e.g. "Minimum memory limit allowed is 6MB").
    #[error("{0}")]
    Resource(String),
    #[error("seccomp profile: {0}")]
    Seccomp(String),
    #[error("invalid signal: {0}")]
    InvalidSignal(String),
    #[error("invalid --tmpfs {path}: {reason}")]
    InvalidTmpfs { path: String, reason: String },
    #[error("invalid mount {dest}: {reason}")]
    InvalidMount { dest: String, reason: String },
    #[error("invalid network namespace path {0:?}: must be absolute")]
    InvalidNetnsPath(PathBuf),
    #[error("building the runtime spec: {0}")]
    Oci(String),
}

/// `--security-opt seccomp=…`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SeccompMode {
    /// Berth's default profile (Docker's semantics).
    #[default]
    Default,
    /// `seccomp=unconfined`: no filter.
    Unconfined,
    /// A profile in Docker's JSON format (the parsed content of the file).
    Profile(serde_json::Value),
}

/// The container's network namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NetworkMode {
    /// `--network none`: a new namespace with only loopback.
    #[default]
    None,
    /// `--network host`: the host's namespace.
    Host,
    /// A namespace berth's network code prepared (a bind-mounted netns file).
    Path(PathBuf),
}

/// A bind mount (`/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname` that berth generated;
/// volumes later).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Absolute host path.
    pub source: PathBuf,
    /// Absolute path in the container.
    pub destination: String,
    pub read_only: bool,
    /// Extra mount options (`nosuid`, a propagation mode…); `rbind` and, without another
    /// propagation mode, `rprivate` are implied.
    pub options: Vec<String>,
}

/// `--init`: a binary bind-mounted read-only into the container and run as PID 1 in front of
/// the command: args become `[container_path, args…, command…]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitConfig {
    pub host_path: PathBuf,
    /// e.g. `/sbin/docker-init`.
    pub container_path: String,
    /// Placed between the init and the command, e.g. `["--"]`.
    pub args: Vec<String>,
}

/// Everything from the command line that shapes the spec (the CLI fills it from docker-run
/// flags).
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// `--entrypoint`: `Some(vec![])` (or `Some(vec!["".into()])`) clears the image's.
    pub entrypoint: Option<Vec<String>>,
    /// Arguments after IMAGE; empty: the image's Cmd (unless `--entrypoint` was given).
    pub cmd: Vec<String>,
    /// `-e`/`--env-file`, `KEY=VALUE`; a bare `KEY` removes the variable.
    pub env: Vec<String>,
    /// `-w`.
    pub workdir: Option<String>,
    /// `-u user[:group]`, names or numbers.
    pub user: Option<String>,
    /// `--group-add`, names or numbers.
    pub group_add: Vec<String>,
    pub hostname: Option<String>,
    pub tty: bool,
    /// `-i` (stdin is the runtime's business: not used by the spec).
    pub stdin_open: bool,
    pub privileged: bool,
    /// Names with or without `CAP_`, any case, or `ALL`.
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub no_new_privileges: bool,
    pub seccomp: SeccompMode,
    /// `--read-only`: the root filesystem mounted read-only.
    pub read_only: bool,
    /// `--tmpfs PATH[:OPTIONS]` as (path, options like `size=64m,mode=1777`).
    pub tmpfs: Vec<(String, String)>,
    /// `--shm-size` in bytes (default 64 MiB).
    pub shm_size: Option<u64>,
    /// `--sysctl`; only namespaced ones are accepted.
    pub sysctls: Vec<(String, String)>,
    pub ulimits: Vec<Ulimit>,
    pub resources: Resources,
    pub network: NetworkMode,
    pub mounts: Vec<Mount>,
    pub init: Option<InitConfig>,
    /// `--label`, written as annotations.
    pub labels: Vec<(String, String)>,
    pub stop_signal: Option<String>,
}

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
fn cgroup_v1_mounts(mountinfo: &str) -> Vec<String> {
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
    // SAFETY: utsname is plain data; uname fills it.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: a pointer to a live utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return (0, 0);
    }
    let release: String = u
        .release
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8 as char)
        .collect();
    let mut it = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|x| x.parse().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn host_cpus() -> u32 {
    // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 is this thread; the size is the set's.
    let ok =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if ok == 0 {
        // SAFETY: the set was filled above.
        let n = unsafe { libc::CPU_COUNT(&set) };
        if n > 0 {
            return n as u32;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// A string list that may also be a single string or null in an image config (Docker's
/// `StrSlice`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
enum StrSlice {
    #[default]
    Null,
    One(String),
    Many(Vec<String>),
}

impl StrSlice {
    fn into_vec(self) -> Option<Vec<String>> {
        match self {
            StrSlice::Null => None,
            StrSlice::One(s) => Some(vec![s]),
            StrSlice::Many(v) => Some(v),
        }
    }
}

/// The parts of an image's `config` object the spec uses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImageConfig {
    #[serde(default)]
    entrypoint: StrSlice,
    #[serde(default)]
    cmd: StrSlice,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    stop_signal: Option<String>,
}

fn parse_image_config(v: &serde_json::Value) -> Result<ImageConfig, SpecError> {
    if v.is_null() {
        return Ok(ImageConfig::default());
    }
    ImageConfig::deserialize(v).map_err(|e| SpecError::ImageConfig(e.to_string()))
}

/// The container's command (entrypoint + cmd, without `--init`), as `docker inspect` shows it
/// in Path/Args and `docker ps` in COMMAND. Errors when there is none.
pub fn command(
    image_config: &serde_json::Value,
    run: &RunConfig,
) -> Result<Vec<String>, SpecError> {
    command_of(&parse_image_config(image_config)?, run)
}

/// The container's configured environment as `docker inspect` shows it in Config.Env: the
/// run's variables, then the image's that the run did not set (no PATH/HOSTNAME/TERM/HOME
/// defaults, which only the process gets).
pub fn config_env(
    image_config: &serde_json::Value,
    run: &RunConfig,
) -> Result<Vec<String>, SpecError> {
    config_env_of(&parse_image_config(image_config)?, run)
}

/// The command: Docker's rules. `--entrypoint` replaces the image's Entrypoint and, unless a
/// command follows the image name, drops the image's Cmd too.
fn command_of(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    let (entrypoint, cmd) = match &run.entrypoint {
        Some(ep) => {
            // `--entrypoint ""` arrives as [""]: it clears.
            let ep: Vec<String> = if ep.iter().all(String::is_empty) {
                Vec::new()
            } else {
                ep.clone()
            };
            (ep, run.cmd.clone())
        }
        None => {
            let cmd = if run.cmd.is_empty() {
                img.cmd.clone().into_vec().unwrap_or_default()
            } else {
                run.cmd.clone()
            };
            (img.entrypoint.clone().into_vec().unwrap_or_default(), cmd)
        }
    };
    let args: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    if args.is_empty() {
        return Err(SpecError::NoCommand);
    }
    Ok(args)
}

/// The process's arguments: the command, behind the init with `--init`.
fn process_args(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    let args = command_of(img, run)?;
    let args = match &run.init {
        Some(init) => std::iter::once(init.container_path.clone())
            .chain(init.args.iter().cloned())
            .chain(args)
            .collect(),
        None => args,
    };
    Ok(args)
}

fn env_key(e: &str) -> &str {
    e.split_once('=').map_or(e, |(k, _)| k)
}

/// Docker's `ReplaceOrAppendEnvValues`: each override replaces the entry with its key in place
/// or is appended; a bare `KEY` removes the entry.
fn replace_or_append(base: &mut Vec<String>, overrides: &[String]) {
    for o in overrides {
        if !o.contains('=') {
            base.retain(|b| env_key(b) != o);
        } else if let Some(slot) = base.iter_mut().find(|b| env_key(b) == env_key(o)) {
            *slot = o.clone();
        } else {
            base.push(o.clone());
        }
    }
}

/// The environment, built as Docker builds it: `PATH` (default), `HOSTNAME`, `TERM=xterm` with a
/// tty, then the run's variables, then the image's that the run did not set; every later
/// setting replaces an earlier one in place. `HOME` from passwd is added when unset (runc does
/// this inside the container).
fn environment(
    img: &ImageConfig,
    run: &RunConfig,
    hostname: &str,
    home: &str,
) -> Result<Vec<String>, SpecError> {
    let config = config_env_of(img, run)?;
    let mut env = vec![
        format!("PATH={DEFAULT_PATH}"),
        format!("HOSTNAME={hostname}"),
    ];
    if run.tty {
        env.push("TERM=xterm".to_string());
    }
    replace_or_append(&mut env, &config);
    if !env.iter().any(|e| env_key(e) == "HOME") {
        env.push(format!("HOME={home}"));
    }
    Ok(env)
}

/// The run's variables (deduplicated, the last one per key winning), then the image's that the
/// run did not set or unset.
fn config_env_of(img: &ImageConfig, run: &RunConfig) -> Result<Vec<String>, SpecError> {
    for e in run.env.iter().chain(img.env.iter().flatten()) {
        if env_key(e).is_empty() || e.contains('\0') {
            return Err(SpecError::InvalidEnv(e.clone()));
        }
    }
    let mut config = Vec::new();
    replace_or_append(&mut config, &run.env);
    let run_keys: Vec<&str> = run.env.iter().map(|e| env_key(e)).collect();
    for e in img.env.iter().flatten() {
        if e.contains('=') && !run_keys.contains(&env_key(e)) {
            replace_or_append(&mut config, std::slice::from_ref(e));
        }
    }
    Ok(config)
}

/// The working directory: `-w`, the image's WorkingDir, or `/`; absolute and cleaned.
fn workdir(img: &ImageConfig, run: &RunConfig) -> Result<String, SpecError> {
    let w = run
        .workdir
        .as_deref()
        .or(img.working_dir.as_deref())
        .filter(|w| !w.is_empty())
        .unwrap_or("/");
    mounts::clean_abs(w).ok_or_else(|| SpecError::InvalidWorkdir(w.to_string()))
}

/// `-h`, else the host's name with `--network host`, else the container ID's first 12
/// characters (Docker's defaults).
fn hostname(run: &RunConfig, ctx: &SpecContext) -> Result<String, SpecError> {
    let h = match (&run.hostname, &run.network) {
        (Some(h), _) if !h.is_empty() => h.clone(),
        (_, NetworkMode::Host) if !ctx.host_hostname.is_empty() => ctx.host_hostname.clone(),
        _ => ctx.container_id.chars().take(12).collect(),
    };
    if h.is_empty() || h.len() > 64 || h.contains('/') || h.chars().any(char::is_whitespace) {
        return Err(SpecError::InvalidHostname(h));
    }
    Ok(h)
}

/// Sysctls of the container's own namespaces only: IPC (`kernel.shm*`, `kernel.msg*`,
/// `kernel.sem`, `fs.mqueue.*`) and network (`net.*`, not with the host's network).
fn sysctls(
    list: &[(String, String)],
    network: &NetworkMode,
) -> Result<HashMap<String, String>, SpecError> {
    let mut out = HashMap::new();
    for (k, v) in list {
        let key = k.trim().replace('/', ".");
        let valid_name = !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid_name {
            return Err(SpecError::SysctlNotAllowed(k.clone()));
        }
        let ipc = key.starts_with("kernel.shm")
            || key.starts_with("kernel.msg")
            || key == "kernel.sem"
            || key.starts_with("fs.mqueue.");
        let net = key.starts_with("net.");
        if net && *network == NetworkMode::Host {
            return Err(SpecError::SysctlHostNetwork(key));
        }
        if !(ipc || net) {
            return Err(SpecError::SysctlNotAllowed(key));
        }
        out.insert(key, v.clone());
    }
    Ok(out)
}

/// The signal that stops the container: `--stop-signal`, the image's StopSignal, or SIGTERM.
pub fn stop_signal(image_config: &serde_json::Value, run: &RunConfig) -> Result<i32, SpecError> {
    let img = parse_image_config(image_config)?;
    stop_signal_of(&img, run)
}

fn stop_signal_of(img: &ImageConfig, run: &RunConfig) -> Result<i32, SpecError> {
    match run
        .stop_signal
        .as_deref()
        .or(img.stop_signal.as_deref())
        .filter(|s| !s.is_empty())
    {
        Some(s) => parse_signal(s),
        None => Ok(libc::SIGTERM),
    }
}

fn namespaces(network: &NetworkMode) -> Result<Vec<LinuxNamespace>, SpecError> {
    let ns = |typ: LinuxNamespaceType, path: Option<PathBuf>| {
        let mut n = LinuxNamespace::default();
        n.set_typ(typ);
        n.set_path(path);
        n
    };
    let mut out = vec![ns(LinuxNamespaceType::Mount, None)];
    match network {
        NetworkMode::None => out.push(ns(LinuxNamespaceType::Network, None)),
        NetworkMode::Path(p) => {
            if !p.is_absolute() {
                return Err(SpecError::InvalidNetnsPath(p.clone()));
            }
            out.push(ns(LinuxNamespaceType::Network, Some(p.clone())));
        }
        NetworkMode::Host => {}
    }
    out.extend([
        ns(LinuxNamespaceType::Uts, None),
        ns(LinuxNamespaceType::Pid, None),
        ns(LinuxNamespaceType::Ipc, None),
        ns(LinuxNamespaceType::Cgroup, None),
    ]);
    Ok(out)
}

/// A built spec with what else the caller needs from the same inputs.
#[derive(Debug, Clone)]
pub struct Built {
    pub spec: Spec,
    /// Settings Docker would accept but discard on this host, with Docker's warning text.
    pub warnings: Vec<String>,
    /// The signal `stop` sends (not part of the spec).
    pub stop_signal: i32,
    /// The resolved user (uid, gid, groups, home).
    pub user: user::ExecUser,
}

/// Builds the runtime spec of a container from the image's config object (`Entrypoint`, `Cmd`,
/// `Env`, `WorkingDir`, `User`, `StopSignal`; null for none) and the run's flags.
pub fn build(
    image_config: &serde_json::Value,
    run: &RunConfig,
    ctx: &SpecContext,
) -> Result<Spec, SpecError> {
    build_detailed(image_config, run, ctx).map(|b| b.spec)
}

fn oci(e: impl std::fmt::Display) -> SpecError {
    SpecError::Oci(e.to_string())
}

/// [`build`], also returning the warnings, the stop signal and the resolved user.
pub fn build_detailed(
    image_config: &serde_json::Value,
    run: &RunConfig,
    ctx: &SpecContext,
) -> Result<Built, SpecError> {
    let img = parse_image_config(image_config)?;
    let args = process_args(&img, run)?;
    let stop_signal = stop_signal_of(&img, run)?;
    let hostname = hostname(run, ctx)?;
    let user_spec = run
        .user
        .as_deref()
        .or(img.user.as_deref())
        .unwrap_or_default();
    let exec_user = user::resolve(&ctx.rootfs, user_spec, &run.group_add)?;
    let env = environment(&img, run, &hostname, &exec_user.home)?;
    let cwd = workdir(&img, run)?;

    // Capabilities: Docker gives the set as bounding, effective and permitted; inheritable and
    // ambient stay empty (written out, so nothing is inherited from berth).
    let available = caps::available_mask(ctx.cap_last_cap, ctx.own_cap_bounding);
    let caps = caps::resolve(run.privileged, &run.cap_add, &run.cap_drop, available)?;
    let cap_set = caps::to_oci(&caps);
    let capabilities = LinuxCapabilitiesBuilder::default()
        .bounding(cap_set.clone())
        .effective(cap_set.clone())
        .permitted(cap_set)
        .inheritable(Capabilities::new())
        .ambient(Capabilities::new())
        .build()
        .map_err(oci)?;

    let rlimits = resources::rlimits(&run.ulimits, &ctx.host_rlimits)?;
    let oci_user = UserBuilder::default()
        .uid(exec_user.uid)
        .gid(exec_user.gid)
        .additional_gids(exec_user.additional_gids.clone())
        .build()
        .map_err(oci)?;
    let mut process = Process::default();
    process.set_terminal(Some(run.tty));
    process.set_user(oci_user);
    process.set_args(Some(args));
    process.set_env(Some(env));
    process.set_cwd(PathBuf::from(cwd));
    process.set_capabilities(Some(capabilities));
    process.set_rlimits((!rlimits.is_empty()).then_some(rlimits));
    // Written only when set, as Docker writes it (`omitempty`). This matters: libcontainer 0.7
    // treats a present `false` like `true` when it decides when to load the seccomp filter, and
    // then loads it after dropping CAP_SYS_ADMIN, which fails.
    process.set_no_new_privileges(run.no_new_privileges.then_some(true));

    // Seccomp, decided against the final bounding set; none at all when privileged.
    let cap_names: Vec<&str> = caps.iter().map(|c| c.name).collect();
    let seccomp = match (&run.seccomp, run.privileged) {
        (_, true) | (SeccompMode::Unconfined, _) => None,
        (SeccompMode::Default, _) => {
            Some(seccomp::default_seccomp(&cap_names, ctx.kernel_version)?)
        }
        (SeccompMode::Profile(p), _) => seccomp::profile_to_oci(p, &cap_names, ctx.kernel_version)?,
    };

    let (mut resources, warnings) = resources::linux_resources(&run.resources, ctx)?;
    resources.set_devices(Some(mounts::device_rules(run.privileged)));
    let devices = if run.privileged {
        let mut d = mounts::host_devices(&ctx.host_dev);
        for def in mounts::default_devices() {
            if !d.iter().any(|x| x.path() == def.path()) {
                d.push(def);
            }
        }
        d
    } else {
        mounts::default_devices()
    };
    let sysctl = sysctls(&run.sysctls, &run.network)?;
    let (masked, readonly) = if run.privileged {
        (None, None)
    } else {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut readonly = v(&READONLY_PATHS);
        if !ctx.cgroup_v1_mounts.is_empty() {
            // The tmpfs holding the hierarchies first, then each hierarchy (a read-only path
            // is made read-only at its top mount only).
            readonly.push("/sys/fs/cgroup".to_string());
            readonly.extend(ctx.cgroup_v1_mounts.iter().cloned());
        }
        (Some(v(&MASKED_PATHS)), Some(readonly))
    };
    let mut linux = LinuxBuilder::default()
        .namespaces(namespaces(&run.network)?)
        .cgroups_path(PathBuf::from(&ctx.cgroups_path))
        .resources(resources)
        .devices(devices)
        .build()
        .map_err(oci)?;
    linux.set_masked_paths(masked);
    linux.set_readonly_paths(readonly);
    linux.set_seccomp(seccomp);
    linux.set_sysctl((!sysctl.is_empty()).then_some(sysctl));

    let mounts = mounts::build_mounts(
        run.privileged,
        run.shm_size.unwrap_or(DEFAULT_SHM_SIZE),
        &run.tmpfs,
        &run.mounts,
        run.init.as_ref(),
    )?;
    let mut root = Root::default();
    root.set_path(ctx.rootfs.clone());
    root.set_readonly(Some(run.read_only));
    let annotations: HashMap<String, String> = run.labels.iter().cloned().collect();

    let mut spec = Spec::default();
    spec.set_version(oci_spec::runtime::VERSION.to_string());
    spec.set_root(Some(root));
    spec.set_mounts(Some(mounts));
    spec.set_process(Some(process));
    spec.set_hostname(Some(hostname));
    spec.set_domainname(None);
    spec.set_hooks(None);
    spec.set_annotations((!annotations.is_empty()).then_some(annotations));
    spec.set_linux(Some(linux));
    Ok(Built {
        spec,
        warnings,
        stop_signal,
        user: exec_user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "4f1e3c2b9a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    fn rootfs() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("etc")).unwrap();
        fs::write(
            d.path().join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/data:/bin/false\n",
        )
        .unwrap();
        fs::write(
            d.path().join("etc/group"),
            "root:x:0:\nwheel:x:10:root\nredis:x:999:\n",
        )
        .unwrap();
        d
    }

    fn image() -> serde_json::Value {
        json!({
            "Entrypoint": ["docker-entrypoint.sh"],
            "Cmd": ["redis-server"],
            "Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "REDIS_VERSION=7.0", "GOSU=1.16"],
            "WorkingDir": "/data",
            "StopSignal": "SIGINT"
        })
    }

    struct T {
        _dir: tempfile::TempDir,
        ctx: SpecContext,
    }

    fn t() -> T {
        let dir = rootfs();
        let ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
        T { _dir: dir, ctx }
    }

    fn spec(img: &serde_json::Value, run: &RunConfig) -> Spec {
        let t = t();
        build(img, run, &t.ctx).unwrap()
    }

    fn err(img: &serde_json::Value, run: &RunConfig) -> String {
        let t = t();
        build(img, run, &t.ctx).unwrap_err().to_string()
    }

    fn args(img: &serde_json::Value, run: &RunConfig) -> Vec<String> {
        spec(img, run)
            .process()
            .as_ref()
            .unwrap()
            .args()
            .clone()
            .unwrap()
    }

    fn env(s: &Spec) -> Vec<String> {
        s.process().as_ref().unwrap().env().clone().unwrap()
    }

    fn sv(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn command_override_rules() {
        let img = image();
        let run = RunConfig::default();
        assert_eq!(args(&img, &run), ["docker-entrypoint.sh", "redis-server"]);
        let run = RunConfig {
            cmd: sv(&["redis-cli", "ping"]),
            ..Default::default()
        };
        assert_eq!(
            args(&img, &run),
            ["docker-entrypoint.sh", "redis-cli", "ping"]
        );
        // --entrypoint drops the image's Cmd…
        let run = RunConfig {
            entrypoint: Some(sv(&["/bin/sh"])),
            ..Default::default()
        };
        assert_eq!(args(&img, &run), ["/bin/sh"]);
        // …unless a command is given.
        let run = RunConfig {
            entrypoint: Some(sv(&["/bin/sh"])),
            cmd: sv(&["-c", "echo hi"]),
            ..Default::default()
        };
        assert_eq!(args(&img, &run), ["/bin/sh", "-c", "echo hi"]);
        // --entrypoint "" clears it.
        let run = RunConfig {
            entrypoint: Some(sv(&[""])),
            cmd: sv(&["env"]),
            ..Default::default()
        };
        assert_eq!(args(&img, &run), ["env"]);
        // Nothing left: error.
        let run = RunConfig {
            entrypoint: Some(vec![]),
            ..Default::default()
        };
        assert_eq!(err(&img, &run), "no command specified");
        assert_eq!(
            err(&json!({}), &RunConfig::default()),
            "no command specified"
        );
        assert_eq!(
            err(&serde_json::Value::Null, &RunConfig::default()),
            "no command specified"
        );
        // A string Cmd (Docker's StrSlice) and a null Entrypoint.
        assert_eq!(
            args(
                &json!({"Entrypoint": null, "Cmd": "sh"}),
                &RunConfig::default()
            ),
            ["sh"]
        );
        // --init goes in front.
        let run = RunConfig {
            init: Some(InitConfig {
                host_path: "/usr/bin/berth".into(),
                container_path: "/sbin/docker-init".into(),
                args: sv(&["--"]),
            }),
            ..Default::default()
        };
        assert_eq!(
            args(&img, &run),
            [
                "/sbin/docker-init",
                "--",
                "docker-entrypoint.sh",
                "redis-server"
            ]
        );
    }

    #[test]
    fn inspect_helpers() {
        let run = RunConfig {
            env: sv(&["GOSU=2", "X=1"]),
            init: Some(InitConfig {
                host_path: "/usr/bin/berth".into(),
                container_path: "/sbin/docker-init".into(),
                args: sv(&["--"]),
            }),
            ..Default::default()
        };
        assert_eq!(
            command(&image(), &run).unwrap(),
            ["docker-entrypoint.sh", "redis-server"]
        );
        assert_eq!(
            config_env(&image(), &run).unwrap(),
            [
                "GOSU=2",
                "X=1",
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "REDIS_VERSION=7.0"
            ]
        );
        assert!(command(&json!({}), &RunConfig::default()).is_err());
    }

    #[test]
    fn environment_merge() {
        let img = image();
        let run = RunConfig {
            env: sv(&["GOSU=2", "FOO=bar", "FOO=baz", "REDIS_VERSION"]),
            tty: true,
            ..Default::default()
        };
        let e = env(&spec(&img, &run));
        assert_eq!(
            e,
            [
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "HOSTNAME=4f1e3c2b9a8d",
                "TERM=xterm",
                "GOSU=2",
                "FOO=baz",
                "HOME=/root",
            ]
        );
        // No PATH in the image: Docker's default; no tty: no TERM; HOSTNAME can be overridden.
        let run = RunConfig {
            env: sv(&["HOSTNAME=mine", "HOME=/tmp"]),
            cmd: sv(&["true"]),
            ..Default::default()
        };
        let e = env(&spec(&json!({"Env": ["A=1"]}), &run));
        assert_eq!(
            e,
            [
                format!("PATH={DEFAULT_PATH}").as_str(),
                "HOSTNAME=mine",
                "HOME=/tmp",
                "A=1"
            ]
        );
        let run = RunConfig {
            env: sv(&["=x"]),
            ..Default::default()
        };
        assert_eq!(err(&img, &run), "invalid environment variable \"=x\"");
    }

    #[test]
    fn user_workdir_and_home() {
        let img = json!({"Cmd": ["redis-server"], "User": "redis", "WorkingDir": "/data/./x/.."});
        let s = spec(&img, &RunConfig::default());
        let p = s.process().as_ref().unwrap();
        assert_eq!((p.user().uid(), p.user().gid()), (999, 999));
        assert_eq!(p.cwd(), Path::new("/data"));
        assert!(env(&s).contains(&"HOME=/data".to_string()));
        // -u overrides the image's User; numeric without passwd entry is fine.
        let run = RunConfig {
            user: Some("1234:5678".into()),
            workdir: Some("/tmp".into()),
            group_add: sv(&["wheel"]),
            ..Default::default()
        };
        let s = spec(&img, &run);
        let p = s.process().as_ref().unwrap();
        assert_eq!((p.user().uid(), p.user().gid()), (1234, 5678));
        assert_eq!(p.user().additional_gids().as_deref(), Some(&[10u32][..]));
        assert_eq!(p.cwd(), Path::new("/tmp"));
        assert!(env(&s).contains(&"HOME=/".to_string()));
        // Root by default, with its groups.
        let s = spec(&image(), &RunConfig::default());
        let u = s.process().as_ref().unwrap().user().clone();
        assert_eq!((u.uid(), u.gid()), (0, 0));
        assert_eq!(u.additional_gids().as_deref(), Some(&[10u32][..]));
        let run = RunConfig {
            user: Some("nobody".into()),
            ..Default::default()
        };
        assert_eq!(
            err(&image(), &run),
            "unable to find user nobody: no matching entries in passwd file"
        );
        let run = RunConfig {
            workdir: Some("data".into()),
            ..Default::default()
        };
        assert!(err(&image(), &run).contains("needs to be an absolute path"));
    }

    #[test]
    fn default_security() {
        let s = spec(&image(), &RunConfig::default());
        let p = s.process().as_ref().unwrap();
        let c = p.capabilities().as_ref().unwrap();
        assert_eq!(
            capability_bitmask(c.bounding().as_ref().unwrap()),
            0xa80425fb
        );
        assert_eq!(c.effective(), c.bounding());
        assert_eq!(c.permitted(), c.bounding());
        assert!(c.inheritable().as_ref().unwrap().is_empty());
        assert!(c.ambient().as_ref().unwrap().is_empty());
        assert_eq!(p.no_new_privileges(), None);
        assert_eq!(p.terminal(), Some(false));
        assert!(p.rlimits().is_none());
        let l = s.linux().as_ref().unwrap();
        assert_eq!(l.masked_paths().as_ref().unwrap().len(), 11);
        assert_eq!(l.readonly_paths().as_ref().unwrap().len(), 5);
        let sc = l.seccomp().as_ref().unwrap();
        let allows = |n: &str| {
            sc.syscalls()
                .as_ref()
                .unwrap()
                .iter()
                .any(|r| r.names().iter().any(|x| x == n) && r.args().is_none())
        };
        assert!(allows("read") && !allows("mount") && !allows("reboot"));
        assert_eq!(l.devices().as_ref().unwrap().len(), 6);
        let rules = l.resources().as_ref().unwrap().devices().as_ref().unwrap();
        assert!(!rules[0].allow());
        assert_eq!(s.root().as_ref().unwrap().readonly(), Some(false));
        assert_eq!(s.hostname().as_deref(), Some("4f1e3c2b9a8d"));
    }

    #[test]
    fn cap_add_opens_seccomp() {
        let run = RunConfig {
            cap_add: sv(&["SYS_ADMIN"]),
            cap_drop: sv(&["NET_RAW"]),
            no_new_privileges: true,
            ..Default::default()
        };
        let s = spec(&image(), &run);
        let p = s.process().as_ref().unwrap();
        let b = capability_bitmask(
            p.capabilities()
                .as_ref()
                .unwrap()
                .bounding()
                .as_ref()
                .unwrap(),
        );
        assert_eq!(b, (0xa80425fb | (1 << 21)) & !(1 << 13));
        assert_eq!(p.no_new_privileges(), Some(true));
        let sc = s.linux().as_ref().unwrap().seccomp().clone().unwrap();
        assert!(
            sc.syscalls()
                .as_ref()
                .unwrap()
                .iter()
                .any(|r| r.names().iter().any(|n| n == "mount"))
        );
        let run = RunConfig {
            cap_add: sv(&["CAP_WHATEVER"]),
            ..Default::default()
        };
        assert_eq!(err(&image(), &run), "unknown capability: \"CAP_WHATEVER\"");
    }

    #[test]
    fn privileged() {
        let run = RunConfig {
            privileged: true,
            ..Default::default()
        };
        let s = spec(&image(), &run);
        let c = s
            .process()
            .as_ref()
            .unwrap()
            .capabilities()
            .clone()
            .unwrap();
        assert_eq!(c.bounding().as_ref().unwrap().len(), 41);
        let l = s.linux().as_ref().unwrap();
        assert!(l.seccomp().is_none());
        assert!(l.masked_paths().is_none() && l.readonly_paths().is_none());
        let rules = l.resources().as_ref().unwrap().devices().clone().unwrap();
        assert_eq!(rules.len(), 1);
        assert!(rules[0].allow() && rules[0].major().is_none());
        let sys = s
            .mounts()
            .as_ref()
            .unwrap()
            .iter()
            .find(|m| m.destination() == Path::new("/sys"))
            .unwrap()
            .clone();
        assert!(!sys.options().as_ref().unwrap().contains(&"ro".to_string()));
        // Privileged ignores a seccomp profile, as Docker does.
        let run = RunConfig {
            privileged: true,
            seccomp: SeccompMode::Profile(json!({"defaultAction": "SCMP_ACT_KILL"})),
            ..Default::default()
        };
        assert!(
            spec(&image(), &run)
                .linux()
                .as_ref()
                .unwrap()
                .seccomp()
                .is_none()
        );
    }

    #[test]
    fn seccomp_modes() {
        let run = RunConfig {
            seccomp: SeccompMode::Unconfined,
            ..Default::default()
        };
        assert!(
            spec(&image(), &run)
                .linux()
                .as_ref()
                .unwrap()
                .seccomp()
                .is_none()
        );
        let run = RunConfig {
            seccomp: SeccompMode::Profile(json!({
                "defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["chmod"], "action": "SCMP_ACT_ERRNO"}]
            })),
            ..Default::default()
        };
        let s = spec(&image(), &run);
        let sc = s.linux().as_ref().unwrap().seccomp().clone().unwrap();
        assert_eq!(sc.syscalls().as_ref().unwrap().len(), 1);
        let run = RunConfig {
            seccomp: SeccompMode::Profile(json!({"defaultAction": 3})),
            ..Default::default()
        };
        assert!(err(&image(), &run).starts_with("seccomp profile: invalid profile"));
    }

    #[test]
    fn namespaces_and_hostname() {
        let types = |s: &Spec| -> Vec<(String, Option<PathBuf>)> {
            s.linux()
                .as_ref()
                .unwrap()
                .namespaces()
                .clone()
                .unwrap()
                .iter()
                .map(|n| (n.typ().to_string(), n.path().clone()))
                .collect()
        };
        let s = spec(&image(), &RunConfig::default());
        let n = types(&s);
        assert_eq!(
            n.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            ["mnt", "net", "uts", "pid", "ipc", "cgroup"]
        );
        assert!(n.iter().all(|(_, p)| p.is_none()));
        let run = RunConfig {
            network: NetworkMode::Path("/run/berth/netns/abc".into()),
            hostname: Some("web".into()),
            ..Default::default()
        };
        let s = spec(&image(), &run);
        assert!(types(&s).contains(&("net".into(), Some("/run/berth/netns/abc".into()))));
        assert_eq!(s.hostname().as_deref(), Some("web"));
        assert!(env(&s).contains(&"HOSTNAME=web".to_string()));
        let run = RunConfig {
            network: NetworkMode::Host,
            ..Default::default()
        };
        let s = spec(&image(), &run);
        assert!(!types(&s).iter().any(|(t, _)| t == "net"));
        assert_eq!(s.hostname().as_deref(), Some("host.example"));
        let run = RunConfig {
            network: NetworkMode::Path("relative".into()),
            ..Default::default()
        };
        assert!(err(&image(), &run).contains("must be absolute"));
        let run = RunConfig {
            hostname: Some("a/b".into()),
            ..Default::default()
        };
        assert!(err(&image(), &run).starts_with("invalid hostname"));
    }

    #[test]
    fn sysctl_rules() {
        let run = RunConfig {
            sysctls: vec![
                ("net.ipv4.ip_unprivileged_port_start".into(), "0".into()),
                ("kernel/shmmax".into(), "1000000".into()),
                ("kernel.sem".into(), "250 32000 100 128".into()),
                ("fs.mqueue.msg_max".into(), "20".into()),
            ],
            ..Default::default()
        };
        let s = spec(&image(), &run);
        let m = s.linux().as_ref().unwrap().sysctl().clone().unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m["kernel.shmmax"], "1000000");
        for bad in [
            "vm.swappiness",
            "kernel.panic",
            "kernel.hostname",
            "fs.file-max",
            "net",
        ] {
            let run = RunConfig {
                sysctls: vec![(bad.into(), "1".into())],
                ..Default::default()
            };
            let e = err(&image(), &run);
            assert!(
                e.starts_with(&format!("sysctl {bad:?} is not allowed")),
                "{e}"
            );
        }
        let run = RunConfig {
            sysctls: vec![("net.ipv4.ip_forward".into(), "1".into())],
            network: NetworkMode::Host,
            ..Default::default()
        };
        assert_eq!(
            err(&image(), &run),
            "sysctl \"net.ipv4.ip_forward\" is not allowed with --network host"
        );
    }

    #[test]
    fn ulimits_are_bounded_by_this_process() {
        let dir = rootfs();
        let mut ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
        ctx.host_rlimits = HostRlimits::unlimited().with("nofile", 20_000);
        let run = RunConfig {
            ulimits: vec!["nofile=1024:20000".parse().unwrap()],
            ..Default::default()
        };
        let s = build(&image(), &run, &ctx).unwrap();
        let r = s.process().as_ref().unwrap().rlimits().clone().unwrap();
        assert_eq!((r[0].soft(), r[0].hard()), (1024, 20_000));
        let run = RunConfig {
            ulimits: vec!["nofile=1048576".parse().unwrap()],
            ..Default::default()
        };
        let e = build(&image(), &run, &ctx).unwrap_err().to_string();
        assert!(
            e.starts_with("--ulimit nofile: soft limit 1048576 is above"),
            "{e}"
        );
        // The real context reads this process's limits.
        let real = SpecContext::new(ID, dir.path().to_path_buf(), "/berth/x");
        let hard = real.host_rlimits.hard("nofile").unwrap();
        assert!(hard > 0);
        assert!(real.cap_last_cap >= 36 && real.kernel_version.0 >= 3 && real.host_cpus >= 1);
    }

    #[test]
    fn stop_signals() {
        assert_eq!(
            stop_signal(&image(), &RunConfig::default()).unwrap(),
            libc::SIGINT
        );
        assert_eq!(
            stop_signal(&json!({}), &RunConfig::default()).unwrap(),
            libc::SIGTERM
        );
        let run = RunConfig {
            stop_signal: Some("9".into()),
            ..Default::default()
        };
        assert_eq!(stop_signal(&image(), &run).unwrap(), 9);
        let t = t();
        let b = build_detailed(&image(), &run, &t.ctx).unwrap();
        assert_eq!(b.stop_signal, 9);
        let run = RunConfig {
            stop_signal: Some("SIGNOPE".into()),
            ..Default::default()
        };
        assert_eq!(err(&image(), &run), "invalid signal: SIGNOPE");
    }

    #[test]
    fn cgroup_v1_hierarchies_are_read_only() {
        let mountinfo = "25 30 0:23 / /sys rw,nosuid - sysfs sysfs rw\n\
            33 25 0:28 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755\n\
            34 33 0:29 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw\n\
            38 33 0:33 / /sys/fs/cgroup/memory rw shared:15 - cgroup cgroup rw,memory\n\
            39 33 0:34 / /sys/fs/cgroup/cpu,cpuacct rw shared:16 - cgroup cgroup rw,cpu,cpuacct\n";
        let m = cgroup_v1_mounts(mountinfo);
        assert_eq!(m, ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory"]);
        let dir = rootfs();
        let mut ctx = SpecContext::for_tests(ID, dir.path().to_path_buf());
        ctx.cgroup_v1_mounts = m;
        let s = build(&image(), &RunConfig::default(), &ctx).unwrap();
        let ro = s
            .linux()
            .as_ref()
            .unwrap()
            .readonly_paths()
            .clone()
            .unwrap();
        assert_eq!(ro.len(), 8);
        assert_eq!(ro[5], "/sys/fs/cgroup");
        assert!(ro.contains(&"/sys/fs/cgroup/memory".to_string()));
        let run = RunConfig {
            privileged: true,
            ..Default::default()
        };
        let s = build(&image(), &run, &ctx).unwrap();
        assert!(s.linux().as_ref().unwrap().readonly_paths().is_none());
    }

    /// The whole spec as JSON: the key paths a runtime reads.
    #[test]
    fn serialized_spec() {
        let run = RunConfig {
            tty: true,
            read_only: true,
            labels: vec![("com.example.team".into(), "infra".into())],
            tmpfs: vec![("/run".into(), "size=64m".into())],
            mounts: vec![Mount {
                source: "/var/lib/berth/containers/x/hosts".into(),
                destination: "/etc/hosts".into(),
                read_only: false,
                options: vec![],
            }],
            resources: Resources {
                cpus: Some(1.5),
                memory: Some(256 << 20),
                pids_limit: Some(64),
                ..Default::default()
            },
            ..Default::default()
        };
        let t = t();
        let s = build(&image(), &run, &t.ctx).unwrap();
        let j = serde_json::to_value(&s).unwrap();
        assert_eq!(j["ociVersion"], oci_spec::runtime::VERSION);
        assert_eq!(j["root"]["path"], t.ctx.rootfs.to_str().unwrap());
        assert_eq!(j["root"]["readonly"], true);
        assert_eq!(j["process"]["terminal"], true);
        assert_eq!(j["process"]["cwd"], "/data");
        assert_eq!(j["process"]["user"]["uid"], 0);
        assert_eq!(
            j["process"]["args"],
            json!(["docker-entrypoint.sh", "redis-server"])
        );
        assert!(
            j["process"]["env"]
                .as_array()
                .unwrap()
                .contains(&json!("TERM=xterm"))
        );
        assert_eq!(
            j["process"]["capabilities"]["bounding"]
                .as_array()
                .unwrap()
                .len(),
            14
        );
        assert!(j["process"].get("noNewPrivileges").is_none());
        assert_eq!(j["hostname"], "4f1e3c2b9a8d");
        assert_eq!(j["annotations"]["com.example.team"], "infra");
        assert_eq!(j["linux"]["cgroupsPath"], format!("/berth/{ID}"));
        assert_eq!(j["linux"]["resources"]["cpu"]["quota"], 150000);
        assert_eq!(j["linux"]["resources"]["cpu"]["period"], 100000);
        assert_eq!(j["linux"]["resources"]["memory"]["limit"], 256 << 20);
        assert_eq!(j["linux"]["resources"]["memory"]["swap"], 512 << 20);
        assert_eq!(j["linux"]["resources"]["pids"]["limit"], 64);
        assert_eq!(j["linux"]["resources"]["devices"][0]["allow"], false);
        assert_eq!(j["linux"]["resources"]["devices"][0]["access"], "rwm");
        assert_eq!(j["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
        assert_eq!(j["linux"]["seccomp"]["defaultErrnoRet"], 1);
        assert_eq!(
            j["linux"]["seccomp"]["architectures"][0],
            "SCMP_ARCH_X86_64"
        );
        assert_eq!(j["linux"]["maskedPaths"][0], "/proc/asound");
        assert_eq!(j["linux"]["readonlyPaths"][3], "/proc/sys");
        assert_eq!(j["linux"]["namespaces"][0]["type"], "mount");
        assert_eq!(j["linux"]["devices"][0]["path"], "/dev/null");
        assert_eq!(j["linux"]["devices"][0]["type"], "c");
        let mounts = j["mounts"].as_array().unwrap();
        let find = |d: &str| {
            mounts
                .iter()
                .find(|m| m["destination"] == d)
                .unwrap()
                .clone()
        };
        assert_eq!(find("/proc")["type"], "proc");
        assert_eq!(find("/dev/pts")["options"].as_array().unwrap().len(), 6);
        assert_eq!(
            find("/run")["options"],
            json!(["noexec", "nosuid", "nodev", "size=64m"])
        );
        assert_eq!(find("/etc/hosts")["type"], "bind");
        assert_eq!(
            find("/etc/hosts")["source"],
            "/var/lib/berth/containers/x/hosts"
        );
        // It round-trips through oci-spec's own reader.
        let back: Spec = serde_json::from_value(j).unwrap();
        assert_eq!(back, s);
    }
}
