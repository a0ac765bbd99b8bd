//! Docker's inspect data of containers (`inspect`, `GET /containers/{id}/json`: from the row,
//! settings, image config, endpoints and published ports), images and networks, as the Engine
//! API's own types (`bollard_stubs::models`), which serialize to Docker's JSON.

use std::collections::HashMap;

use bollard_stubs::models::{
    ConfigReference, ContainerConfig, ContainerInspectResponse, ContainerState,
    ContainerStateStatusEnum, DriverData, EndpointIpamConfig, EndpointSettings, HostConfig,
    HostConfigLogConfig, ImageConfig, ImageInspect, ImageInspectMetadata, ImageInspectRootFs, Ipam,
    IpamConfig, Mount, MountBindOptions, MountBindOptionsPropagationEnum, MountPoint,
    MountPointTypeEnum, MountTmpfsOptions, MountTypeEnum, MountVolumeOptions, Network,
    NetworkContainer, NetworkSettings, PortBinding, PortMap, ResourcesUlimits, RestartPolicy,
    RestartPolicyNameEnum,
};

use super::Result;
use crate::clock::rfc3339_nanos;
use crate::containers::{self, Paths, Settings};
use crate::network;
use crate::state::containers::{ContainerRow, Status};
use crate::state::networks as rows;
use crate::store::Store;
use crate::volumes::{self, MountKind, MountSpec};

/// The `config` object of an image's OCI config, typed (`Default` if it has none).
pub(super) fn image_config(config: &serde_json::Value) -> ImageConfig {
    config
        .get("config")
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .unwrap_or_default()
}

/// `State.Health`: the state the monitor keeps, for a container with a health check that has
/// run (`unhealthy` once it stopped, as Docker's); `None` otherwise.
fn health_state(
    s: &Settings,
    oci_config: &serde_json::Value,
    c: &ContainerRow,
    paths: &Paths,
) -> Option<bollard_stubs::models::Health> {
    containers::health::probe_of(s, oci_config)?;
    let h = containers::health::read(&paths.dir)?;
    Some(if c.status.is_active() {
        h
    } else {
        containers::health::stopped(h)
    })
}

/// Docker's container inspect data.
pub fn container(store: &Store, c: &ContainerRow) -> Result<ContainerInspectResponse> {
    let s = Settings::of(c)?;
    let paths = Paths::new(store, &c.id);
    let oci_config = crate::images::config(store, &c.image_id).unwrap_or_default();
    let args = containers::runspec::process_args(&s, &oci_config).unwrap_or_default();
    let img = image_config(&oci_config);
    let cmd = if s.cmd.is_empty() && s.entrypoint.is_none() {
        img.cmd.clone()
    } else {
        Some(s.cmd.clone())
    };
    let entrypoint = s.entrypoint.clone().or_else(|| img.entrypoint.clone());
    let lower = crate::images::mount::lowerdirs(store, &c.image_id, false)
        .map(|l| {
            l.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":")
        })
        .unwrap_or_default();
    let mounts = Mounts::of(&store.root, &s.mounts);
    let mut config_volumes = img.volumes.clone();
    for m in s
        .mounts
        .iter()
        .filter(|m| m.anonymous && m.from_volume_flag)
    {
        let v = config_volumes.get_or_insert_with(Vec::new);
        if !v.contains(&m.target) {
            v.push(m.target.clone());
        }
    }
    Ok(ContainerInspectResponse {
        id: Some(c.id.clone()),
        created: Some(rfc3339_nanos(c.created)),
        path: Some(args.first().cloned().unwrap_or_default()),
        args: Some(args.iter().skip(1).cloned().collect()),
        state: Some(ContainerState {
            status: Some(
                c.status
                    .as_str()
                    .parse()
                    .unwrap_or(ContainerStateStatusEnum::EMPTY),
            ),
            running: Some(matches!(c.status, Status::Running | Status::Paused)),
            paused: Some(c.status == Status::Paused),
            restarting: Some(c.status == Status::Restarting),
            oom_killed: Some(c.oom_killed),
            dead: Some(c.status == Status::Dead),
            pid: Some(c.pid),
            exit_code: Some(c.exit_code),
            error: Some(c.error.clone()),
            started_at: Some(rfc3339_nanos(c.started_at)),
            finished_at: Some(rfc3339_nanos(c.finished_at)),
            health: health_state(&s, &oci_config, c, &paths),
        }),
        image: Some(c.image_id.clone()),
        resolv_conf_path: Some(paths.dir.join("resolv.conf").display().to_string()),
        hostname_path: Some(paths.dir.join("hostname").display().to_string()),
        hosts_path: Some(paths.dir.join("hosts").display().to_string()),
        // Docker gives a path for json-file only.
        log_path: Some(match s.log_config().map(|c| c.driver) {
            Ok(crate::monitor::logs::Driver::JsonFile) => paths.log().display().to_string(),
            _ => String::new(),
        }),
        name: Some(format!("/{}", c.name)),
        restart_count: Some(c.restart_count),
        driver: Some("overlay".into()),
        platform: Some("linux".into()),
        mount_label: Some(String::new()),
        process_label: Some(String::new()),
        app_armor_profile: Some(String::new()),
        exec_ids: None,
        host_config: Some(HostConfig {
            links: links(store, c, &s),
            ..host_config(&s, mounts.binds, mounts.host_config)
        }),
        graph_driver: Some(DriverData {
            name: "overlay".into(),
            data: HashMap::from([
                ("LowerDir".into(), lower),
                ("UpperDir".into(), paths.upper().display().to_string()),
                ("WorkDir".into(), paths.work().display().to_string()),
                ("MergedDir".into(), paths.rootfs().display().to_string()),
            ]),
        }),
        mounts: Some(mounts.points),
        config: Some(ContainerConfig {
            hostname: Some(s.hostname.clone().unwrap_or_else(|| c.id[..12].to_string())),
            domainname: Some(s.domainname.clone().unwrap_or_default()),
            user: Some(s.user.clone().or(img.user.clone()).unwrap_or_default()),
            attach_stdin: Some(s.interactive),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            exposed_ports: Some(s.exposed_ports(&oci_config)).filter(|p| !p.is_empty()),
            tty: Some(s.tty),
            open_stdin: Some(s.interactive),
            stdin_once: Some(false),
            env: Some(containers::runspec::env(&s, &oci_config)),
            cmd,
            healthcheck: containers::health::of_container(&s, &oci_config),
            image: Some(c.image_name.clone()),
            volumes: config_volumes,
            working_dir: Some(
                s.workdir
                    .clone()
                    .or(img.working_dir.clone())
                    .unwrap_or_default(),
            ),
            entrypoint,
            on_build: img.on_build.clone(),
            labels: Some(s.labels.clone().into_iter().collect()),
            stop_signal: s.stop_signal.clone().or(img.stop_signal.clone()),
            stop_timeout: s.stop_timeout,
            shell: img.shell.clone(),
            // dockerd 28 keeps showing the main network's MAC address asked for here
            // (deprecated since API 1.44).
            mac_address: config_mac_address(store, c, &s),
            ..Default::default()
        }),
        network_settings: Some(network_settings(store, c, &s)?),
        ..Default::default()
    })
}

/// `HostConfig.Links` as dockerd shows them: `/NAME:/LINKER/ALIAS`.
fn links(store: &Store, c: &ContainerRow, s: &Settings) -> Option<Vec<String>> {
    let out: Vec<String> = s
        .links
        .iter()
        .filter_map(|l| {
            let (id, alias) = l.split_once(':')?;
            let child = crate::state::containers::get(&store.db.conn, id).ok()??;
            Some(format!("/{}:/{}/{alias}", child.name, c.name))
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// `Config.MacAddress`: the MAC address asked for on the main network, if any.
fn config_mac_address(store: &Store, c: &ContainerRow, s: &Settings) -> Option<String> {
    if !s.network.is_bridged() {
        return None;
    }
    rows::endpoints_of(&store.db.conn, &c.id)
        .ok()?
        .into_iter()
        .next()
        .and_then(|e| e.static_mac)
}

/// Docker's `HostConfig` from the stored settings.
fn host_config(s: &Settings, binds: Vec<String>, mounts: Vec<Mount>) -> HostConfig {
    let key_values = |items: &[String]| -> HashMap<String, String> {
        items
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.clone(), String::new()),
            })
            .collect()
    };
    let tmpfs: HashMap<String, String> = s
        .tmpfs
        .iter()
        .map(|t| match t.split_once(':') {
            Some((path, opts)) => (path.to_string(), opts.to_string()),
            None => (t.clone(), String::new()),
        })
        .collect();
    HostConfig {
        auto_remove: Some(s.auto_remove),
        restart_policy: Some(RestartPolicy {
            name: Some(
                s.restart
                    .name()
                    .parse()
                    .unwrap_or(RestartPolicyNameEnum::NO),
            ),
            maximum_retry_count: Some(i64::from(s.restart.max_retries())),
        }),
        network_mode: Some(s.network.shown()),
        port_bindings: Some(port_bindings(s)),
        publish_all_ports: Some(s.publish_all),
        dns: Some(s.dns.clone()),
        dns_search: Some(s.dns_search.clone()),
        dns_options: Some(s.dns_options.clone()),
        extra_hosts: Some(s.add_hosts.clone()),
        privileged: Some(s.privileged),
        cap_add: Some(s.cap_add.clone()),
        cap_drop: Some(s.cap_drop.clone()),
        security_opt: Some(s.security_opt.clone()),
        readonly_rootfs: Some(s.read_only),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        sysctls: (!s.sysctls.is_empty()).then(|| key_values(&s.sysctls)),
        ulimits: Some(s.ulimits.iter().filter_map(|u| ulimit(u)).collect()),
        memory: Some(s.memory.unwrap_or(0)),
        // dockerd stores twice the memory when only the memory was limited.
        memory_swap: Some(match (s.memory, s.memory_swap) {
            (_, Some(sw)) if sw != 0 => sw,
            (Some(m), _) if m > 0 => m.saturating_mul(2),
            _ => 0,
        }),
        memory_reservation: Some(s.memory_reservation.unwrap_or(0)),
        nano_cpus: Some(s.cpus.map(|c| (c * 1e9) as i64).unwrap_or(0)),
        cpu_shares: Some(s.cpu_shares.map(|v| v as i64).unwrap_or(0)),
        cpu_quota: Some(s.cpu_quota.unwrap_or(0)),
        cpu_period: Some(s.cpu_period.map(|v| v as i64).unwrap_or(0)),
        cpuset_cpus: Some(s.cpuset_cpus.clone().unwrap_or_default()),
        cpuset_mems: Some(s.cpuset_mems.clone().unwrap_or_default()),
        pids_limit: s.pids_limit,
        blkio_weight: Some(s.blkio_weight.unwrap_or(0)),
        init: Some(s.init),
        binds: (!binds.is_empty()).then_some(binds),
        mounts: (!mounts.is_empty()).then_some(mounts),
        volumes_from: (!s.volumes_from.is_empty()).then(|| s.volumes_from.clone()),
        log_config: Some(HostConfigLogConfig {
            typ: Some(
                s.log_config()
                    .map(|c| c.driver)
                    .unwrap_or(crate::monitor::logs::Driver::JsonFile)
                    .name()
                    .into(),
            ),
            config: Some(log_config(s)),
        }),
        devices: Some(
            s.devices
                .iter()
                .filter_map(|d| d.parse::<crate::spec::DeviceMapping>().ok())
                .map(|d| bollard_stubs::models::DeviceMapping {
                    path_on_host: Some(d.host),
                    path_in_container: Some(d.container),
                    cgroup_permissions: Some(d.perms),
                })
                .collect(),
        ),
        device_cgroup_rules: (!s.device_cgroup_rules.is_empty())
            .then(|| s.device_cgroup_rules.clone()),
        shm_size: Some(
            s.shm_size
                .map(|n| n as i64)
                .unwrap_or(crate::spec::DEFAULT_SHM_SIZE as i64),
        ),
        ipc_mode: Some(if s.ipc.is_empty() {
            "private".into()
        } else {
            s.ipc.clone()
        }),
        pid_mode: Some(s.pid.clone()),
        uts_mode: Some(s.uts.clone()),
        cgroupns_mode: Some(if s.cgroupns == "host" {
            bollard_stubs::models::HostConfigCgroupnsModeEnum::HOST
        } else {
            bollard_stubs::models::HostConfigCgroupnsModeEnum::PRIVATE
        }),
        group_add: (!s.group_add.is_empty()).then(|| s.group_add.clone()),
        cgroup_parent: Some(s.cgroup_parent.clone().unwrap_or_default()),
        oom_kill_disable: Some(s.oom_kill_disable),
        oom_score_adj: Some(i64::from(s.oom_score_adj.unwrap_or(0))),
        ..Default::default()
    }
}

/// One `--ulimit` as Docker shows it (`-1` for unlimited).
fn ulimit(flag: &str) -> Option<ResourcesUlimits> {
    let u: crate::spec::Ulimit = flag.parse().ok()?;
    let shown = |v: u64| i64::try_from(v).unwrap_or(-1);
    Some(ResourcesUlimits {
        name: Some(u.name),
        soft: Some(shown(u.soft)),
        hard: Some(shown(u.hard)),
    })
}

/// `HostConfig.LogConfig.Config`: the `--log-opt`s given.
fn log_config(s: &Settings) -> HashMap<String, String> {
    s.log_opts().into_iter().collect()
}

/// Docker's `HostConfig.PortBindings` from the `-p` flags.
fn port_bindings(s: &Settings) -> PortMap {
    let mut m: PortMap = HashMap::new();
    for spec in &s.publish {
        for b in network::ports::parse(spec).unwrap_or_default() {
            let host_port = match b.host_ports {
                (0, 0) => String::new(),
                (a, z) if a == z => a.to_string(),
                (a, z) => format!("{a}-{z}"),
            };
            m.entry(format!("{}/{}", b.container_port, b.proto))
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(PortBinding {
                    host_ip: Some(b.host_ip.map(|i| i.to_string()).unwrap_or_default()),
                    host_port: Some(host_port),
                });
        }
    }
    m
}

/// The prefix length of a `ADDRESS/LEN` subnet (0 if it has none).
fn prefix_len(subnet: Option<&str>) -> i64 {
    subnet
        .and_then(|s| s.rsplit_once('/'))
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(0)
}

/// Docker's `NetworkSettings` of a container.
fn network_settings(store: &Store, c: &ContainerRow, s: &Settings) -> Result<NetworkSettings> {
    let conn = &store.db.conn;
    let running = c.status.is_active();
    let mut ports: PortMap = HashMap::new();
    if running {
        for p in rows::ports_of(conn, &c.id).unwrap_or_default() {
            ports
                .entry(format!("{}/{}", p.container_port, p.proto))
                .or_insert_with(|| Some(Vec::new()))
                .get_or_insert_with(Vec::new)
                .push(PortBinding {
                    host_ip: Some(if p.host_ip.is_empty() {
                        "0.0.0.0".to_string()
                    } else {
                        p.host_ip.clone()
                    }),
                    host_port: Some(p.host_port.to_string()),
                });
        }
    }
    let (networks, primary) = endpoints(store, c, s);
    let has_endpoints = primary.is_some();
    let p = primary.unwrap_or_default();
    let text = |v: &Option<String>| Some(v.clone().unwrap_or_default());
    Ok(NetworkSettings {
        bridge: Some(String::new()),
        sandbox_key: Some(if running && has_endpoints {
            network::netns_path(store, &c.id).display().to_string()
        } else {
            String::new()
        }),
        ports: Some(ports),
        gateway: text(&p.gateway),
        ip_address: text(&p.ip_address),
        ip_prefix_len: Some(p.ip_prefix_len.unwrap_or(0)),
        ipv6_gateway: text(&p.ipv6_gateway),
        global_ipv6_address: text(&p.global_ipv6_address),
        global_ipv6_prefix_len: Some(p.global_ipv6_prefix_len.unwrap_or(0)),
        mac_address: text(&p.mac_address),
        networks: Some(networks),
        ..Default::default()
    })
}

/// The container's endpoints by network name, as inspect and the container list show them
/// (addresses only while it runs), and the first one (the primary, if any).
pub fn endpoints(
    store: &Store,
    c: &ContainerRow,
    s: &Settings,
) -> (HashMap<String, EndpointSettings>, Option<EndpointSettings>) {
    let conn = &store.db.conn;
    let running = c.status.is_active();
    let endpoints = rows::endpoints_of(conn, &c.id).unwrap_or_default();
    let mut networks = HashMap::new();
    let mut primary: Option<EndpointSettings> = None;
    for e in &endpoints {
        let Ok(Some(n)) = rows::network(conn, &e.network_id) else {
            continue;
        };
        let live = running && e.ip.is_some();
        let ip6 = e.ip6.clone().filter(|_| live);
        let shown = |v: &str| if live { v.to_string() } else { String::new() };
        let endpoint = EndpointSettings {
            ipam_config: (e.static_ip.is_some() || e.static_ip6.is_some()).then(|| {
                EndpointIpamConfig {
                    ipv4_address: e.static_ip.clone(),
                    ipv6_address: e.static_ip6.clone(),
                    link_local_ips: None,
                }
            }),
            links: None,
            aliases: Some(e.aliases.clone()),
            network_id: Some(n.id.clone()),
            endpoint_id: Some(shown(&super::networks::endpoint_id(&c.id, &n.id))),
            gateway: Some(shown(&n.gateway)),
            ip_address: Some(shown(e.ip.as_deref().unwrap_or_default())),
            ip_prefix_len: Some(if live { prefix_len(Some(&n.subnet)) } else { 0 }),
            ipv6_gateway: Some(match &ip6 {
                Some(_) => n.gateway6.clone().unwrap_or_default(),
                None => String::new(),
            }),
            global_ipv6_prefix_len: Some(match &ip6 {
                Some(_) => prefix_len(n.subnet6.as_deref()),
                None => 0,
            }),
            global_ipv6_address: Some(ip6.unwrap_or_default()),
            // Running: the interface's; otherwise the one asked for (dockerd's desired MAC).
            mac_address: Some(if live {
                e.mac.clone().unwrap_or_default()
            } else {
                e.static_mac.clone().unwrap_or_default()
            }),
            ..Default::default()
        };
        if primary.is_none() {
            primary = Some(endpoint.clone());
        }
        networks.insert(n.name.clone(), endpoint);
    }
    if networks.is_empty() {
        networks.insert(
            s.network.shown(),
            EndpointSettings {
                aliases: None,
                network_id: Some(String::new()),
                endpoint_id: Some(String::new()),
                gateway: Some(String::new()),
                ip_address: Some(String::new()),
                ip_prefix_len: Some(0),
                ipv6_gateway: Some(String::new()),
                global_ipv6_address: Some(String::new()),
                global_ipv6_prefix_len: Some(0),
                mac_address: Some(String::new()),
                ..Default::default()
            },
        );
    }
    (networks, primary)
}

/// A container's mounts in Docker's three shapes.
struct Mounts {
    /// `Mounts`: every mount as it is in the container.
    points: Vec<MountPoint>,
    /// `HostConfig.Binds`: the named `-v` flags.
    binds: Vec<String>,
    /// `HostConfig.Mounts`: the `--mount` and `--tmpfs` flags.
    host_config: Vec<Mount>,
}

impl Mounts {
    fn of(root: &std::path::Path, specs: &[MountSpec]) -> Mounts {
        let mut out = Mounts {
            points: Vec::new(),
            binds: Vec::new(),
            host_config: Vec::new(),
        };
        for m in specs {
            out.points.push(mount_point(root, m));
            if m.from_volume_flag {
                if !m.anonymous {
                    out.binds.push(if m.mode.is_empty() {
                        format!("{}:{}", m.source, m.target)
                    } else {
                        format!("{}:{}:{}", m.source, m.target, m.mode)
                    });
                }
            } else if !m.from_image {
                // (an image's volumes are shown in Config.Volumes)
                out.host_config.push(host_config_mount(m));
            }
        }
        out
    }
}

/// One entry of `Mounts`.
fn mount_point(root: &std::path::Path, m: &MountSpec) -> MountPoint {
    let (typ, source, name, driver) = match m.kind {
        MountKind::Volume => (
            MountPointTypeEnum::VOLUME,
            volumes::data_dir(root, &m.source).display().to_string(),
            Some(m.source.clone()),
            Some("local".to_string()),
        ),
        MountKind::Bind => (MountPointTypeEnum::BIND, m.source.clone(), None, None),
        MountKind::Tmpfs => (MountPointTypeEnum::TMPFS, String::new(), None, None),
    };
    let propagation = match m.kind {
        MountKind::Bind if m.propagation.is_empty() => "rprivate".to_string(),
        _ => m.propagation.clone(),
    };
    MountPoint {
        typ: Some(typ),
        name,
        source: Some(source),
        destination: Some(m.target.clone()),
        driver,
        mode: Some(m.mode.clone()),
        rw: Some(!m.read_only),
        propagation: Some(propagation),
    }
}

/// One entry of `HostConfig.Mounts`.
fn host_config_mount(m: &MountSpec) -> Mount {
    let typ = match m.kind {
        MountKind::Volume => MountTypeEnum::VOLUME,
        MountKind::Bind => MountTypeEnum::BIND,
        MountKind::Tmpfs => MountTypeEnum::TMPFS,
    };
    let mut h = Mount {
        typ: Some(typ),
        source: (m.kind != MountKind::Tmpfs && !m.anonymous).then(|| m.source.clone()),
        target: Some(m.target.clone()),
        read_only: m.read_only.then_some(true),
        ..Default::default()
    };
    match m.kind {
        MountKind::Bind if !m.propagation.is_empty() => {
            h.bind_options = Some(MountBindOptions {
                propagation: m
                    .propagation
                    .parse::<MountBindOptionsPropagationEnum>()
                    .ok(),
                ..Default::default()
            });
        }
        MountKind::Volume if m.nocopy => {
            h.volume_options = Some(MountVolumeOptions {
                no_copy: Some(true),
                ..Default::default()
            });
        }
        MountKind::Tmpfs if !m.tmpfs_options.is_empty() => {
            let mut t = MountTmpfsOptions::default();
            for kv in m.tmpfs_options.split(',') {
                match kv.split_once('=') {
                    Some(("size", v)) => t.size_bytes = v.parse().ok(),
                    Some(("mode", v)) => t.mode = i64::from_str_radix(v, 8).ok(),
                    _ => {}
                }
            }
            h.tmpfs_options = Some(t);
        }
        _ => {}
    }
    h
}

/// Docker's image inspect data.
pub fn image(store: &Store, id: &str) -> Result<ImageInspect> {
    use crate::state::images as image_rows;
    let conn = &store.db.conn;
    let img = image_rows::get_image(conn, id)?
        .ok_or_else(|| crate::images::ImageError::NotFound(id.to_string()))?;
    let cfg = crate::images::config(store, id)?;
    let tags = image_rows::tags_of(conn, id)?;
    let digests: Vec<String> = image_rows::repo_digests_of(conn, id)?
        .iter()
        .map(|(r, d)| format!("{}@{d}", crate::reference::familiar_repository(r)))
        .collect();
    let layers = image_rows::image_layers(conn, id)?;
    let lower: Vec<String> = layers
        .iter()
        .rev()
        .filter_map(|l| store.layers.path(&l.diff_id).ok())
        .map(|p| p.display().to_string())
        .collect();
    let text = |k: &str| {
        Some(
            cfg.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string(),
        )
    };
    let last_tag = tags.iter().map(|t| t.tagged_at).max();
    Ok(ImageInspect {
        id: Some(img.id.clone()),
        repo_tags: Some(
            tags.iter()
                .map(|t| crate::reference::familiar_name(&t.name))
                .collect(),
        ),
        repo_digests: Some(digests),
        parent: Some(image_rows::parent_of(conn, id)?.unwrap_or_default()),
        comment: text("comment"),
        created: Some(img.created.clone().unwrap_or_default()),
        docker_version: text("docker_version"),
        author: text("author"),
        config: Some(image_config(&cfg)),
        architecture: Some(img.architecture.clone()),
        variant: cfg
            .get("variant")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        os: Some(img.os.clone()),
        size: Some(img.size),
        virtual_size: Some(img.size),
        graph_driver: Some(DriverData {
            name: "overlay".into(),
            data: HashMap::from([("LowerDir".into(), lower.join(":"))]),
        }),
        root_fs: Some(ImageInspectRootFs {
            typ: "layers".into(),
            layers: Some(layers.iter().map(|l| l.diff_id.clone()).collect()),
        }),
        metadata: Some(ImageInspectMetadata {
            // Go's zero time for an image never tagged, as dockerd (the docker CLI parses it).
            last_tag_time: Some(
                last_tag
                    .map(crate::images::rfc3339)
                    .unwrap_or_else(|| "0001-01-01T00:00:00Z".into()),
            ),
        }),
        ..Default::default()
    })
}

/// Docker's network inspect data.
pub fn network(store: &Store, n: &rows::NetworkRow) -> Result<Network> {
    let prefix = n.subnet.rsplit('/').next().unwrap_or("");
    let prefix6 = n
        .subnet6
        .as_deref()
        .and_then(|s| s.rsplit('/').next())
        .unwrap_or("");
    let member = |c: &ContainerRow, mac: &str, ip4: String, ip6: String| NetworkContainer {
        name: Some(c.name.clone()),
        endpoint_id: Some(super::networks::endpoint_id(&c.id, &n.id)),
        mac_address: Some(mac.to_string()),
        ipv4_address: Some(ip4),
        ipv6_address: Some(ip6),
    };
    let mut members = HashMap::new();
    if network::is_pseudo(n) {
        // host/none: the running containers in that mode (no endpoints, no addresses).
        for c in crate::state::containers::list(&store.db.conn)? {
            let s = Settings::of(&c)?;
            if s.network.shown() == n.name && c.status.is_active() {
                members.insert(c.id.clone(), member(&c, "", String::new(), String::new()));
            }
        }
    }
    for e in rows::endpoints_in(&store.db.conn, &n.id)? {
        let Some(ip) = &e.ip else { continue };
        let Some(c) = crate::state::containers::get(&store.db.conn, &e.container_id)? else {
            continue;
        };
        let ip6 = e.ip6.as_ref().map(|ip6| format!("{ip6}/{prefix6}"));
        members.insert(
            c.id.clone(),
            member(
                &c,
                e.mac.as_deref().unwrap_or_default(),
                format!("{ip}/{prefix}"),
                ip6.unwrap_or_default(),
            ),
        );
    }
    let mut options: HashMap<String, String> = n.options.clone().into_iter().collect();
    let mut ipam_config = Vec::new();
    if !network::is_pseudo(n) {
        // Docker shows the options a network was created with: the bridge's name only for
        // the default network (its daemon's settings) or when asked for. (Compose recreates
        // a network whose options differ from its file's.)
        if n.name == "bridge" {
            options.insert("com.docker.network.bridge.name".into(), n.bridge.clone());
        }
        ipam_config.push(IpamConfig {
            subnet: Some(n.subnet.clone()),
            gateway: Some(n.gateway.clone()),
            ..Default::default()
        });
    }
    if let Some(s6) = &n.subnet6 {
        ipam_config.push(IpamConfig {
            subnet: Some(s6.clone()),
            gateway: Some(n.gateway6.clone().unwrap_or_default()),
            ..Default::default()
        });
    }
    Ok(Network {
        name: Some(n.name.clone()),
        id: Some(n.id.clone()),
        created: Some(rfc3339_nanos(n.created)),
        scope: Some("local".into()),
        driver: Some(n.driver.clone()),
        enable_ipv4: Some(true),
        enable_ipv6: Some(n.subnet6.is_some()),
        ipam: Some(Ipam {
            driver: Some("default".into()),
            options: Some(HashMap::new()),
            config: Some(ipam_config),
        }),
        internal: Some(n.internal),
        attachable: Some(false),
        ingress: Some(false),
        config_from: Some(ConfigReference {
            network: Some(String::new()),
        }),
        config_only: Some(false),
        containers: Some(members),
        options: Some(options),
        labels: Some(n.labels.clone().into_iter().collect()),
        peers: None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn host_config_serializes_to_dockers_names() {
        let s = Settings {
            publish: vec!["127.0.0.1:8080:80".into(), "53/udp".into()],
            tmpfs: vec!["/run:size=1m".into(), "/tmp".into()],
            sysctls: vec!["net.ipv4.ip_forward=1".into()],
            ulimits: vec!["nofile=100:200".into(), "core=-1".into()],
            log_max_size: Some(1024),
            restart: crate::containers::RestartPolicy::OnFailure { max_retries: 3 },
            ..Default::default()
        };
        let hc = serde_json::to_value(host_config(&s, Vec::new(), Vec::new())).unwrap();
        assert_eq!(
            hc["PortBindings"],
            json!({
                "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
                "53/udp": [{"HostIp": "", "HostPort": ""}],
            })
        );
        assert_eq!(hc["Tmpfs"], json!({"/run": "size=1m", "/tmp": ""}));
        assert_eq!(hc["Sysctls"], json!({"net.ipv4.ip_forward": "1"}));
        assert_eq!(
            hc["Ulimits"],
            json!([
                {"Name": "nofile", "Soft": 100, "Hard": 200},
                {"Name": "core", "Soft": -1, "Hard": -1},
            ])
        );
        assert_eq!(
            hc["RestartPolicy"],
            json!({"Name": "on-failure", "MaximumRetryCount": 3})
        );
        assert_eq!(
            hc["LogConfig"],
            json!({"Type": "json-file", "Config": {"max-size": "1024"}})
        );
        // Nothing given: Docker's null, not an empty object.
        assert!(hc.get("Binds").is_none() && hc.get("VolumesFrom").is_none());
    }

    #[test]
    fn mounts_in_dockers_three_shapes() {
        let root = std::path::Path::new("/r");
        let specs = vec![
            MountSpec {
                kind: MountKind::Volume,
                source: "data".into(),
                target: "/data".into(),
                mode: "ro".into(),
                read_only: true,
                from_volume_flag: true,
                ..Default::default()
            },
            MountSpec {
                kind: MountKind::Bind,
                source: "/src".into(),
                target: "/dst".into(),
                propagation: "rshared".into(),
                ..Default::default()
            },
            MountSpec {
                kind: MountKind::Tmpfs,
                target: "/t".into(),
                tmpfs_options: "size=4096,mode=1777".into(),
                ..Default::default()
            },
        ];
        let m = Mounts::of(root, &specs);
        assert_eq!(m.binds, vec!["data:/data:ro".to_string()]);
        let points = serde_json::to_value(&m.points).unwrap();
        assert_eq!(points[0]["Source"], json!("/r/volumes/data/_data"));
        assert_eq!(points[0]["RW"], json!(false));
        assert_eq!(points[1]["Type"], json!("bind"));
        assert_eq!(points[1]["Propagation"], json!("rshared"));
        let hc = serde_json::to_value(&m.host_config).unwrap();
        assert_eq!(
            hc,
            json!([
                {"Type": "bind", "Source": "/src", "Target": "/dst",
                 "BindOptions": {"Propagation": "rshared"}},
                {"Type": "tmpfs", "Target": "/t",
                 "TmpfsOptions": {"SizeBytes": 4096, "Mode": 1023}},
            ])
        );
    }
}
