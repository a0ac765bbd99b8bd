//! The whole installation: disk usage, pruning what nothing uses, and removing everything.

use std::collections::BTreeMap;
use std::path::Path;

use super::{Engine, Error, Result};
use crate::filters::Filters;
use crate::images::Removed;
use crate::state::containers::ContainerRow;
use crate::state::images::ImageRow;
use crate::store::Store;
use crate::system::{self, DiskUsage};
use crate::{containers, images, network, volumes};

#[derive(Debug, Clone, Default)]
pub struct SystemPruneOptions {
    /// Every image no container uses, not only dangling ones.
    pub all: bool,
    /// Unused anonymous volumes too.
    pub volumes: bool,
    /// Docker's prune filters: label, label!, until (volumes: the labels only).
    pub filters: Vec<(String, String)>,
}

/// What `system_prune` removed, in Docker's order.
#[derive(Debug, Clone, Default)]
pub struct SystemPruned {
    pub containers: Vec<String>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
    pub images: Vec<Removed>,
    /// Bytes freed on disk.
    pub reclaimed: u64,
}

/// The prune filters of containers, images and networks (Docker's).
pub const PRUNE_FILTERS: &[&str] = &["label", "label!", "until"];

/// Reads a prune's filters: the filters and their `until` (nanoseconds).
pub(crate) fn prune_filters(
    filters: &[(String, String)],
    accepted: &[&str],
) -> Result<(Filters, Option<i64>)> {
    let f = Filters::new(filters);
    let invalid = |e: crate::filters::FilterError| Error::invalid(e.0);
    f.validate(accepted).map_err(invalid)?;
    let until = f.until(crate::clock::now_nanos()).map_err(invalid)?;
    Ok((f, until))
}

/// Does a prune with these filters remove this stopped container?
pub(crate) fn prunes_container(f: &Filters, until: Option<i64>, c: &ContainerRow) -> bool {
    if f.is_empty() {
        return true;
    }
    let labels = crate::containers::Settings::of(c)
        .map(|s| s.labels)
        .unwrap_or_default();
    f.prune_selects(&labels, c.created, until)
}

/// Does a prune with these filters remove this unused image?
pub(crate) fn prunes_image(f: &Filters, until: Option<i64>, store: &Store, img: &ImageRow) -> bool {
    if f.is_empty() {
        return true;
    }
    let labels: BTreeMap<String, String> = images::config(store, &img.id)
        .ok()
        .and_then(|c| serde_json::from_value(c["config"]["Labels"].clone()).ok())
        .unwrap_or_default();
    f.prune_selects(&labels, images::created_ts(img) * 1_000_000_000, until)
}

impl Engine {
    /// Measures images, containers and volumes (walks the writable layers and volumes).
    pub fn system_df(&self) -> Result<DiskUsage> {
        let mut store = self.store()?;
        Ok(system::disk_usage(&mut store)?)
    }

    /// Stopped containers, then (with `volumes`) unused anonymous volumes, then networks no
    /// container uses, then dangling images (every unused one with `all`).
    pub fn system_prune(&self, opts: &SystemPruneOptions) -> Result<SystemPruned> {
        let (f, until) = prune_filters(&opts.filters, PRUNE_FILTERS)?;
        let mut store = self.store()?;
        let mut p = SystemPruned::default();
        let (ids, bytes) = containers::prune(&mut store, &|c| prunes_container(&f, until, c))?;
        p.containers = ids;
        p.reclaimed += bytes;
        if opts.volumes {
            let (names, bytes) = volumes::prune(&mut store, false, |v| {
                f.labels("label", &v.labels) && f.not_labels("label!", &v.labels)
            })?;
            p.volumes = names;
            p.reclaimed += bytes;
        }
        p.networks = network::prune(&mut store, &|n| {
            !f.prune_selects(&n.labels, n.created, until)
        })?;
        drop(store);
        // The build cache goes too (its step images first, so that the images the steps
        // shared are then unused).
        // `until` is in nanoseconds here, the cache's times in seconds. As Docker's, `all`
        // says whether only the dangling cache goes.
        let pruned = self.builder_prune_until(opts.all, until.map(|n| n / 1_000_000_000), None)?;
        p.reclaimed += pruned.space_reclaimed;
        let mut store = self.store()?;
        let (removed, bytes) = images::prune(&mut store, opts.all, &|s, img| {
            prunes_image(&f, until, s, img)
        })?;
        p.images = removed;
        p.reclaimed += bytes;
        Ok(p)
    }

    /// Removes every container (killed), every network with its bridge and firewall rules (the
    /// default one included), then everything mounted below the root and run root, and both
    /// directories.
    pub fn system_reset(&self) -> Result<()> {
        if self.root().exists() {
            let mut store = self.store()?;
            for c in containers::list(&mut store)? {
                containers::lifecycle::remove(&mut store, &c, true)?;
            }
            network::remove_all(&mut store)?;
        }
        for dir in [self.runroot(), self.root()] {
            system::unmount_below(dir);
            crate::tmp::remove_any(dir)
                .map_err(Error::io(format!("removing {}", dir.display())))?;
        }
        Ok(())
    }
}

/// The version berth reports (`version`, `GET /version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The highest Docker Engine API version berth speaks (Docker 28.3's).
pub const API_VERSION: &str = "1.51";
/// The lowest Engine API version a client may ask for.
pub const MIN_API_VERSION: &str = "1.24";

impl Engine {
    /// Docker's `version` data of the engine (the server side).
    pub fn system_version(&self) -> bollard_stubs::models::SystemVersion {
        use bollard_stubs::models::{
            SystemVersion, SystemVersionComponents, SystemVersionPlatform,
        };
        let uname = nix::sys::utsname::uname().ok();
        let kernel = uname
            .as_ref()
            .map(|u| u.release().to_string_lossy().into_owned())
            .unwrap_or_default();
        let api = API_VERSION.to_string();
        let min_api = MIN_API_VERSION.to_string();
        SystemVersion {
            platform: Some(SystemVersionPlatform {
                name: format!("berth {VERSION}"),
            }),
            components: Some(vec![SystemVersionComponents {
                name: "Engine".into(),
                version: VERSION.into(),
                details: Some(std::collections::HashMap::from([
                    ("ApiVersion".to_string(), api.clone()),
                    ("MinAPIVersion".to_string(), min_api.clone()),
                    ("Os".to_string(), "linux".to_string()),
                    ("Arch".to_string(), go_arch().to_string()),
                    ("KernelVersion".to_string(), kernel.clone()),
                ])),
            }]),
            version: Some(VERSION.into()),
            api_version: Some(api),
            min_api_version: Some(min_api),
            git_commit: Some(String::new()),
            go_version: Some(String::new()),
            os: Some("linux".into()),
            arch: Some(go_arch().into()),
            kernel_version: Some(kernel),
            experimental: None,
            build_time: None,
        }
    }

    /// Docker's `info` data: counts, storage, cgroups, the host.
    pub fn system_info(&self) -> Result<bollard_stubs::models::SystemInfo> {
        use bollard_stubs::models::{
            LocalNodeState, SwarmInfo, SystemInfo, SystemInfoCgroupDriverEnum,
            SystemInfoCgroupVersionEnum,
        };
        let all = self.container_list(&super::ContainerListOptions {
            all: true,
            ..Default::default()
        })?;
        let count = |s: crate::state::containers::Status| {
            all.iter().filter(|c| c.state == s).count() as i64
        };
        use crate::state::containers::Status;
        let running = count(Status::Running) + count(Status::Restarting);
        let paused = count(Status::Paused);
        let images: std::collections::BTreeSet<String> = self
            .image_list(&Default::default())?
            .into_iter()
            .map(|i| i.image.id)
            .collect();
        let uname = nix::sys::utsname::uname().ok();
        let field = |f: fn(&nix::sys::utsname::UtsName) -> &std::ffi::OsStr| {
            uname
                .as_ref()
                .map(|u| f(u).to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
        let mem_total = nix::sys::sysinfo::sysinfo()
            .map(|s| s.ram_total() as i64)
            .unwrap_or(0);
        let ncpu = std::thread::available_parallelism()
            .map(|n| n.get() as i64)
            .unwrap_or(1);
        Ok(SystemInfo {
            id: Some(String::new()),
            containers: Some(all.len() as i64),
            containers_running: Some(running),
            containers_paused: Some(paused),
            containers_stopped: Some(all.len() as i64 - running - paused),
            images: Some(images.len() as i64),
            driver: Some("overlay".into()),
            driver_status: Some(vec![vec!["Backing Filesystem".into(), "extfs".into()]]),
            docker_root_dir: Some(self.root().display().to_string()),
            memory_limit: Some(true),
            swap_limit: Some(true),
            cpu_cfs_period: Some(true),
            cpu_cfs_quota: Some(true),
            cpu_shares: Some(true),
            cpu_set: Some(true),
            pids_limit: Some(true),
            ipv4_forwarding: Some(true),
            debug: Some(false),
            logging_driver: Some("json-file".into()),
            cgroup_driver: Some(SystemInfoCgroupDriverEnum::CGROUPFS),
            cgroup_version: Some(if v2 {
                SystemInfoCgroupVersionEnum::_2
            } else {
                SystemInfoCgroupVersionEnum::_1
            }),
            kernel_version: Some(field(|u| u.release())),
            operating_system: Some(os_release_name()),
            os_type: Some("linux".into()),
            architecture: Some(field(|u| u.machine())),
            ncpu: Some(ncpu),
            mem_total: Some(mem_total),
            index_server_address: Some("https://index.docker.io/v1/".into()),
            name: Some(field(|u| u.nodename())),
            labels: Some(Vec::new()),
            experimental_build: Some(false),
            server_version: Some(VERSION.into()),
            default_runtime: Some("berth".into()),
            swarm: Some(SwarmInfo {
                node_id: Some(String::new()),
                node_addr: Some(String::new()),
                local_node_state: Some(LocalNodeState::INACTIVE),
                control_available: Some(false),
                error: Some(String::new()),
                ..Default::default()
            }),
            live_restore_enabled: Some(true),
            security_options: Some(vec!["name=seccomp,profile=builtin".into()]),
            plugins: Some(bollard_stubs::models::PluginsInfo {
                volume: Some(vec!["local".into()]),
                network: Some(vec!["bridge".into(), "host".into(), "null".into()]),
                authorization: None,
                log: Some(vec!["json-file".into()]),
            }),
            registry_config: Some(bollard_stubs::models::RegistryServiceConfig {
                insecure_registry_cidrs: Some(vec!["127.0.0.0/8".into()]),
                index_configs: None,
                mirrors: None,
            }),
            warnings: Some(Vec::new()),
            ..Default::default()
        })
    }
}

/// This machine's architecture as Docker (Go) names it.
pub fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64le",
        other => other,
    }
}

/// `PRETTY_NAME` of /etc/os-release.
fn os_release_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "Linux".into())
}
