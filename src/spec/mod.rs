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
//! | the host facts ([`SpecContext`]) | `host` |
//! | command, environment, working directory | `process` |
//!
//! Where berth departs from Docker it says so next to the code (look for "Docker").

mod caps;
mod host;
pub mod inroot;
mod mounts;
mod process;
mod resources;
pub mod seccomp;
mod signal;
pub mod user;

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;

use oci_spec::runtime::{
    Capabilities, LinuxBuilder, LinuxCapabilitiesBuilder, LinuxNamespace, LinuxNamespaceType,
    Process, Root, Spec, UserBuilder,
};

pub use caps::{DOCKER_DEFAULT_CAPS, bitmask as capability_bitmask};
pub use host::SpecContext;
pub use mounts::{
    DEFAULT_SHM_SIZE, DeviceMapping, MASKED_PATHS, READONLY_PATHS, clean_abs, device_cgroup_rule,
    tmpfs_options,
};
pub use process::{command, config_env, stop_signal};
use process::{environment, parse_image_config, process_args, stop_signal_of, workdir};
pub use resources::{
    HostRlimits, Resources, UNLIMITED, Ulimit, hard_limit, linux_resources, parse_cpuset,
    parse_size, resource_of,
};
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
    /// `--device`, `--device-cgroup-rule` (Docker's words).
    #[error("{0}")]
    Device(String),
    #[error("Invalid value {0}, range for oom score adj is [-1000, 1000]")]
    OomScoreAdj(i32),
    #[error(
        "--oom-score-adj {0}: a negative value needs CAP_SYS_RESOURCE, which berth does not have here"
    )]
    OomScoreAdjNeedsCap(i32),
    #[error("{dest:?} cannot be mounted because {reason}")]
    KernelFsMount { dest: String, reason: String },
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

/// A namespace of the container besides the network's (`--ipc`, `--pid`, `--uts`,
/// `--cgroupns`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum NsMode {
    /// A new one (Docker's `private`, `shareable`).
    #[default]
    Private,
    /// The host's (none of its own).
    Host,
    /// Another process's (`container:NAME`: `/proc/PID/ns/…`).
    Path(PathBuf),
}

/// The container's /dev/shm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ShmMode {
    /// A tmpfs of `shm_size` bytes.
    #[default]
    Tmpfs,
    /// A bind of this directory (`--ipc host`: the host's /dev/shm).
    Bind(PathBuf),
    /// None (`--ipc none`).
    None,
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
    /// The variables of legacy links (`ALIAS_PORT=…`), known at start: after the defaults,
    /// before (and replaced by) the configured environment, as Docker places them.
    pub link_env: Vec<String>,
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
    /// `--device`.
    pub devices: Vec<DeviceMapping>,
    /// `--device-cgroup-rule`, as given.
    pub device_cgroup_rules: Vec<String>,
    pub ipc: NsMode,
    pub pid: NsMode,
    pub uts: NsMode,
    pub cgroupns: NsMode,
    pub shm: ShmMode,
    /// `--domainname`.
    pub domainname: Option<String>,
    /// `--oom-score-adj`, -1000..=1000.
    pub oom_score_adj: Option<i32>,
    /// `--security-opt systempaths=unconfined`: no masked or read-only paths.
    pub unconfined_paths: bool,
    /// `--security-opt apparmor=PROFILE` (applied where the host enforces AppArmor).
    pub apparmor_profile: Option<String>,
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

fn namespaces(network: &NetworkMode, run: &RunConfig) -> Result<Vec<LinuxNamespace>, SpecError> {
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
    for (typ, mode) in [
        (LinuxNamespaceType::Uts, &run.uts),
        (LinuxNamespaceType::Pid, &run.pid),
        (LinuxNamespaceType::Ipc, &run.ipc),
        (LinuxNamespaceType::Cgroup, &run.cgroupns),
    ] {
        match mode {
            NsMode::Private => out.push(ns(typ, None)),
            NsMode::Host => {}
            NsMode::Path(p) => out.push(ns(typ, Some(p.clone()))),
        }
    }
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
    if let Some(v) = run.oom_score_adj {
        if !(-1000..=1000).contains(&v) {
            return Err(SpecError::OomScoreAdj(v));
        }
        // Lowering it needs CAP_SYS_RESOURCE (the runtime writes it as berth).
        const CAP_SYS_RESOURCE: u32 = 24;
        if v < 0 && ctx.own_cap_bounding & (1 << CAP_SYS_RESOURCE) == 0 {
            return Err(SpecError::OomScoreAdjNeedsCap(v));
        }
        process.set_oom_score_adj(Some(v));
    }
    if let Some(p) = run
        .apparmor_profile
        .as_ref()
        .filter(|_| ctx.apparmor_enabled)
    {
        process.set_apparmor_profile(Some(p.clone()));
    }

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
    let (user_devices, mut rules) = mounts::user_devices(&run.devices)?;
    for r in &run.device_cgroup_rules {
        rules.push(device_cgroup_rule(r)?);
    }
    let mut device_rules = mounts::device_rules(run.privileged);
    device_rules.extend(rules);
    resources.set_devices(Some(device_rules));
    let mut devices = if run.privileged {
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
    for d in user_devices {
        devices.retain(|x| x.path() != d.path());
        devices.push(d);
    }
    let sysctl = sysctls(&run.sysctls, &run.network)?;
    let (masked, readonly) = if run.privileged || run.unconfined_paths {
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
        .namespaces(namespaces(&run.network, run)?)
        .cgroups_path(PathBuf::from(&ctx.cgroups_path))
        .resources(resources)
        .devices(devices)
        .build()
        .map_err(oci)?;
    linux.set_masked_paths(masked);
    linux.set_readonly_paths(readonly);
    linux.set_seccomp(seccomp);
    linux.set_sysctl((!sysctl.is_empty()).then_some(sysctl));

    let mut mounts = mounts::build_mounts(
        run.privileged,
        run.shm_size.unwrap_or(DEFAULT_SHM_SIZE),
        &run.tmpfs,
        &run.mounts,
        run.init.as_ref(),
    )?;
    // `--ipc host|container:|none`: the /dev/shm of the IPC namespace joined, or none.
    if let Some(i) = mounts.iter().position(|m| {
        m.destination() == std::path::Path::new("/dev/shm") && m.typ().as_deref() == Some("tmpfs")
    }) {
        match &run.shm {
            ShmMode::Tmpfs => {}
            ShmMode::None => {
                mounts.remove(i);
            }
            ShmMode::Bind(src) => {
                let m = &mut mounts[i];
                m.set_typ(Some("bind".into()));
                m.set_source(Some(src.clone()));
                m.set_options(Some(vec!["rbind".into(), "rprivate".into()]));
            }
        }
    }
    let mut root = Root::default();
    root.set_path(ctx.rootfs.clone());
    root.set_readonly(Some(run.read_only));
    let annotations: HashMap<String, String> = run.labels.iter().cloned().collect();

    let mut spec = Spec::default();
    spec.set_version(oci_spec::runtime::VERSION.to_string());
    spec.set_root(Some(root));
    spec.set_mounts(Some(mounts));
    spec.set_process(Some(process));
    // Without a UTS namespace of its own the container has the host's names.
    let own_uts = run.uts == NsMode::Private;
    spec.set_hostname(own_uts.then_some(hostname));
    spec.set_domainname(run.domainname.clone().filter(|_| own_uts));
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
mod tests;
