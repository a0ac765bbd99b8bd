//! From a container's settings and its image's config to the OCI runtime spec (via `crate::spec`).

use std::path::PathBuf;

use serde_json::Value;

use super::{ContainerError, Paths, Result, Settings};
use crate::spec::{
    self, DeviceMapping, InitConfig, Mount, NetworkMode, NsMode, Resources, RunConfig, SeccompMode,
    ShmMode, SpecContext, Ulimit,
};
use crate::volumes::MountKind;

/// The image config's `config` object (Entrypoint, Cmd, Env, …), or null.
fn image_cfg(image_config: &Value) -> &Value {
    image_config.get("config").unwrap_or(&Value::Null)
}

/// Settings → the spec generator's input (everything except per-start paths).
pub fn run_config(s: &Settings) -> Result<RunConfig> {
    let mut seccomp = SeccompMode::Default;
    let mut no_new_privileges = false;
    let mut unconfined_paths = false;
    let mut apparmor_profile = None;
    for opt in &s.security_opt {
        let (k, v) = opt.split_once(['=', ':']).unwrap_or((opt.as_str(), ""));
        match (k, v) {
            ("no-new-privileges", "" | "true") => no_new_privileges = true,
            ("no-new-privileges", "false") => no_new_privileges = false,
            ("seccomp", "unconfined") => seccomp = SeccompMode::Unconfined,
            ("systempaths", "unconfined") => unconfined_paths = true,
            // SELinux labels: this host has no SELinux (Docker ignores them then too).
            ("label", l)
                if l == "disable"
                    || l == "nested"
                    || ["user:", "role:", "type:", "level:", "filetype:"]
                        .iter()
                        .any(|p| l.starts_with(p)) => {}
            ("apparmor", p) if !p.is_empty() => apparmor_profile = Some(p.to_string()),
            ("seccomp", file) if !file.is_empty() => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    ContainerError::Invalid(format!("opening seccomp profile {file}: {e}"))
                })?;
                let v: Value = serde_json::from_str(&text).map_err(|e| {
                    ContainerError::Invalid(format!("decoding seccomp profile {file}: {e}"))
                })?;
                seccomp = SeccompMode::Profile(v);
            }
            _ => {
                return Err(ContainerError::Invalid(format!(
                    "invalid --security-opt {opt:?} (supported: no-new-privileges, seccomp=unconfined, seccomp=FILE, systempaths=unconfined, apparmor=PROFILE, label=…)"
                )));
            }
        }
    }
    let mut tmpfs = Vec::new();
    for t in &s.tmpfs {
        let (path, opts) = t.split_once(':').unwrap_or((t.as_str(), ""));
        tmpfs.push((path.to_string(), opts.to_string()));
    }
    for m in s.mounts.iter().filter(|m| m.kind == MountKind::Tmpfs) {
        tmpfs.push((m.target.clone(), m.tmpfs_options.clone()));
    }
    let mut sysctls = Vec::new();
    for kv in &s.sysctls {
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            ContainerError::Invalid(format!("invalid sysctl {kv:?}: expected KEY=VALUE"))
        })?;
        sysctls.push((k.to_string(), v.to_string()));
    }
    let ulimits = s
        .ulimits
        .iter()
        .map(|u| u.parse::<Ulimit>())
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let network = if s.network.is_host() {
        NetworkMode::Host
    } else {
        NetworkMode::None
    };
    // `container:NAME` modes are joined at start ([`build`]'s peers).
    let ns = |m: &str| {
        if m == "host" {
            NsMode::Host
        } else {
            NsMode::Private
        }
    };
    let shm = match s.ipc.as_str() {
        "host" => ShmMode::Bind(PathBuf::from("/dev/shm")),
        "none" => ShmMode::None,
        _ => ShmMode::Tmpfs,
    };
    let devices = s
        .devices
        .iter()
        .map(|d| d.parse::<DeviceMapping>())
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RunConfig {
        entrypoint: s.entrypoint.clone(),
        cmd: s.cmd.clone(),
        env: s.env.clone(),
        workdir: s.workdir.clone(),
        user: s.user.clone(),
        hostname: s.hostname.clone(),
        tty: s.tty,
        stdin_open: s.interactive,
        privileged: s.privileged,
        cap_add: s.cap_add.clone(),
        cap_drop: s.cap_drop.clone(),
        no_new_privileges,
        seccomp,
        read_only: s.read_only,
        tmpfs,
        sysctls,
        ulimits,
        resources: resources(s),
        group_add: s.group_add.clone(),
        shm_size: s.shm_size.filter(|n| *n > 0),
        devices,
        device_cgroup_rules: s.device_cgroup_rules.clone(),
        ipc: ns(&s.ipc),
        pid: ns(&s.pid),
        uts: ns(&s.uts),
        cgroupns: ns(&s.cgroupns),
        shm,
        domainname: s.domainname.clone().filter(|d| !d.is_empty()),
        oom_score_adj: s.oom_score_adj,
        unconfined_paths,
        apparmor_profile,
        network,
        labels: s
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        stop_signal: s.stop_signal.clone(),
        init: if s.init { Some(init_config()?) } else { None },
        ..Default::default()
    })
}

/// The settings' cgroup limits, as the spec generator takes them.
fn resources(s: &Settings) -> Resources {
    Resources {
        memory: s.memory,
        memory_swap: s.memory_swap,
        memory_reservation: s.memory_reservation,
        cpus: s.cpus,
        cpu_shares: s.cpu_shares,
        cpu_quota: s.cpu_quota,
        cpu_period: s.cpu_period,
        cpuset_cpus: s.cpuset_cpus.clone(),
        cpuset_mems: s.cpuset_mems.clone(),
        pids_limit: s.pids_limit,
        blkio_weight: s.blkio_weight,
        oom_kill_disable: s.oom_kill_disable,
    }
}

/// The settings' limits checked and turned into `linux.resources` for the container `id`
/// (without device rules), with Docker's warnings: what `update` writes to the cgroups.
pub fn linux_resources(
    s: &Settings,
    id: &str,
) -> std::result::Result<(oci_spec::runtime::LinuxResources, Vec<String>), spec::SpecError> {
    let ctx = SpecContext::new(id, PathBuf::from("/nonexistent"), &super::cgroups_path(id));
    spec::linux_resources(&resources(s), &ctx)
}

/// Where `--init` puts berth in the container. /dev is the runtime's own tmpfs: the mount point
/// (created by the runtime) needs no /sbin in the image, works with `--read-only`, and leaves no
/// file in the container's writable layer.
pub const INIT_PATH: &str = "/dev/init";

/// `--init`: this berth binary, bind-mounted read-only, runs `berth init -- COMMAND…` as PID 1
/// (src/init.rs). The release binary is statically linked, so it runs in any image.
fn init_config() -> Result<InitConfig> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| {
            ContainerError::Invalid(format!("locating the berth binary for --init: {e}"))
        })?;
    Ok(InitConfig {
        host_path: exe,
        container_path: INIT_PATH.to_string(),
        args: vec!["init".into(), "--".into()],
    })
}

/// Validates settings before the container exists: everything but what needs the rootfs (the
/// user is resolved at start, as Docker does).
pub fn check(s: &Settings, image_config: &Value) -> Result<()> {
    let mut run = run_config(s)?;
    run.user = Some("0:0".into());
    // Bind and volume mounts with placeholder sources: destinations are checked (absolute,
    // not `/`, no duplicates) before the container exists.
    for m in s.mounts.iter().filter(|m| m.kind != MountKind::Tmpfs) {
        run.mounts.push(Mount {
            source: PathBuf::from("/"),
            destination: m.target.clone(),
            read_only: m.read_only,
            options: Vec::new(),
        });
    }
    let scratch = tempfile::tempdir()
        .map_err(|e| ContainerError::Invalid(format!("creating a temp dir: {e}")))?;
    let ctx = SpecContext::new("validate", scratch.path().to_path_buf(), "/berth/validate");
    spec::build(image_cfg(image_config), &run, &ctx)?;
    Ok(())
}

/// The processes (PIDs) of the running containers whose namespaces `--ipc container:` and
/// `--pid container:` join.
#[derive(Debug, Clone, Default)]
pub struct NsPeers {
    pub ipc: Option<i64>,
    pub pid: Option<i64>,
    /// The host directory bound at /dev/shm: the container's own with `--ipc shareable`, the
    /// other container's with `--ipc container:` (None: a tmpfs of the container's own).
    pub shm: Option<PathBuf>,
}

/// What the start's network gives the spec.
#[derive(Debug, Clone, Default)]
pub struct StartNetwork<'a> {
    /// The namespace to join (None: the runtime makes one, or the host's is used).
    pub netns: Option<&'a std::path::Path>,
    /// The legacy links' variables (`links::env`).
    pub link_env: Vec<String>,
}

/// The spec for a start: the rootfs must be mounted (the user is resolved inside it).
/// `volume_mounts`: the container's bind and volume mounts as `volumes::mounts::prepare` made
/// them (destinations resolved inside the rootfs).
pub fn build(
    s: &Settings,
    image_config: &Value,
    id: &str,
    paths: &Paths,
    net: StartNetwork,
    volume_mounts: Vec<Mount>,
    peers: NsPeers,
) -> Result<oci_spec::runtime::Spec> {
    let mut run = run_config(s)?;
    run.link_env = net.link_env;
    let netns = net.netns;
    if let Some(pid) = peers.ipc {
        run.ipc = NsMode::Path(PathBuf::from(format!("/proc/{pid}/ns/ipc")));
    }
    if let Some(shm) = &peers.shm {
        run.shm = ShmMode::Bind(shm.clone());
    }
    if let Some(pid) = peers.pid {
        run.pid = NsMode::Path(PathBuf::from(format!("/proc/{pid}/ns/pid")));
    }
    if let Some(ns) = netns {
        run.network = NetworkMode::Path(ns.to_path_buf());
    }
    run.mounts.extend(volume_mounts);
    for (file, dest) in [
        ("hosts", "/etc/hosts"),
        ("hostname", "/etc/hostname"),
        ("resolv.conf", "/etc/resolv.conf"),
    ] {
        // A user mount at the same place wins (Docker).
        if s.mounts.iter().any(|m| m.target == dest) {
            continue;
        }
        run.mounts.push(Mount {
            source: paths.dir.join(file),
            destination: dest.to_string(),
            read_only: false,
            options: Vec::new(),
        });
    }
    let rootfs: PathBuf = paths.rootfs();
    let ctx = SpecContext::new(
        id,
        rootfs.clone(),
        &super::cgroups_path_in(s.cgroup_parent.as_deref(), id),
    );
    let mut built = spec::build_detailed(image_cfg(image_config), &run, &ctx)?;
    if let Some(p) = crate::volumes::mounts::rootfs_propagation(&s.mounts)
        && let Some(linux) = built.spec.linux_mut()
    {
        linux.set_rootfs_propagation(Some(p.to_string()));
    }
    for w in &built.warnings {
        tracing::warn!("{w}");
    }
    // Docker creates a missing working directory.
    if let Some(p) = built.spec.process().as_ref() {
        let cwd = p.cwd().to_string_lossy().into_owned();
        spec::inroot::mkdir_all_in_root(&rootfs, &cwd).map_err(|e| {
            ContainerError::Invalid(format!("creating the working directory {cwd}: {e}"))
        })?;
    }
    Ok(built.spec)
}

/// The command the container runs (entrypoint + cmd), for `ps` and `inspect`.
pub fn process_args(s: &Settings, image_config: &Value) -> Result<Vec<String>> {
    let run = run_config(s)?;
    Ok(spec::command(image_cfg(image_config), &run)?)
}

/// The environment `inspect` shows.
pub fn env(s: &Settings, image_config: &Value) -> Vec<String> {
    run_config(s)
        .ok()
        .and_then(|run| spec::config_env(image_cfg(image_config), &run).ok())
        .unwrap_or_default()
}
