//! `/containers/…`: list, create (Docker's `Config` + `HostConfig` + `NetworkingConfig` → the
//! engine's `Settings`), inspect, start, stop, restart, kill, wait, delete, logs, rename,
//! pause, unpause, top, prune.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bollard_stubs::models::{
    ContainerCreateBody, ContainerCreateResponse, ContainerPruneResponse, ContainerSummary,
    ContainerSummaryHostConfig, ContainerSummaryNetworkSettings, ContainerSummaryStateEnum,
    ContainerTopResponse, ContainerUpdateBody, ContainerUpdateResponse, ContainerWaitResponse,
    Port, PortTypeEnum, Resources,
};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, filters};
use crate::containers::{RestartPolicy, Settings};
use crate::engine::containers::{ContainerUpdate, WaitCondition};
use crate::engine::{
    ContainerCreateOptions, ContainerListOptions, ContainerRemoveOptions, LogStream, LogsOptions,
    PullPolicy,
};

use super::flag;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    all: Option<String>,
    limit: Option<i64>,
    filters: Option<String>,
    size: Option<String>,
}

impl ListQuery {
    /// Every container, as `all=1` asks.
    pub fn every() -> ListQuery {
        ListQuery {
            all: Some("1".into()),
            ..Default::default()
        }
    }
}

pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ContainerSummary>>> {
    let o = ContainerListOptions {
        all: flag(&q.all),
        last: q.limit.filter(|n| *n > 0).map(|n| n as usize),
        latest: false,
        filters: filters::parse(q.filters.as_deref())?,
        size: flag(&q.size),
    };
    let engine = s.engine.clone();
    let list = blocking(move || engine.container_list(&o)).await?;
    Ok(Json(list.into_iter().map(summary).collect()))
}

fn summary(c: crate::engine::ContainerSummary) -> ContainerSummary {
    let ports = c
        .ports
        .iter()
        .map(|p| Port {
            ip: p
                .host_ip
                .clone()
                .map(|ip| if ip.is_empty() { "0.0.0.0".into() } else { ip }),
            private_port: p.container_port,
            public_port: p.host_port,
            typ: p.proto.parse::<PortTypeEnum>().ok(),
        })
        .collect();
    ContainerSummary {
        id: Some(c.id),
        names: Some(vec![format!("/{}", c.name)]),
        image: Some(c.image),
        command: Some(shell_join(&c.command)),
        created: Some(c.created / 1_000_000_000),
        ports: Some(ports),
        labels: Some(c.labels.into_iter().collect()),
        state: c.state.as_str().parse::<ContainerSummaryStateEnum>().ok(),
        status: Some(c.status),
        host_config: Some(ContainerSummaryHostConfig {
            network_mode: Some(c.network.clone()),
            annotations: None,
        }),
        network_settings: Some(ContainerSummaryNetworkSettings {
            networks: Some(c.networks),
        }),
        size_rw: c.size.map(|(rw, _)| rw as i64),
        size_root_fs: c.size.map(|(_, root)| root as i64),
        ..Default::default()
    }
}

/// A command line as Docker shows it in lists.
fn shell_join(args: &[String]) -> String {
    args.join(" ")
}

#[derive(Deserialize, Default)]
pub struct CreateQuery {
    name: Option<String>,
    platform: Option<String>,
}

pub async fn create(
    State(s): State<AppState>,
    Query(q): Query<CreateQuery>,
    version: Option<axum::Extension<super::service::ApiVersion>>,
    body: Result<Json<ContainerCreateBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let body = super::error::json_body(body)?;
    let settings = settings(body, super::service::ApiVersion::of(version))?;
    let o = ContainerCreateOptions {
        settings,
        name: q.name.filter(|n| !n.is_empty()),
        // Docker's create never pulls: the client pulls on 404 and creates again.
        pull: PullPolicy::Never,
        platform: q.platform.filter(|p| !p.is_empty()),
        replace: false,
    };
    let engine = s.engine.clone();
    let created = blocking(move || {
        let progress: crate::engine::containers::Progress = Arc::new(|_| {});
        engine.container_create(&o, &progress)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ContainerCreateResponse {
            id: created.id,
            warnings: Vec::new(),
        }),
    ))
}

/// What berth cannot do yet: refused, never ignored when ignoring it changes what runs.
fn unsupported(what: &str) -> ApiError {
    ApiError::bad_request(format!("berth does not support {what} yet"))
}

/// Docker's `RestartPolicy`; `None` when it names none (create: "no"; update: unchanged).
fn restart_policy(
    p: &Option<bollard_stubs::models::RestartPolicy>,
) -> ApiResult<Option<RestartPolicy>> {
    let Some(p) = p else {
        return Ok(None);
    };
    let name = p.name.map(|n| n.to_string()).unwrap_or_default();
    let text = match (name.as_str(), p.maximum_retry_count.unwrap_or(0)) {
        ("", _) => return Ok(None),
        ("no", _) => "no".to_string(),
        ("on-failure", n) if n > 0 => format!("on-failure:{n}"),
        (n, _) => n.to_string(),
    };
    RestartPolicy::parse(&text)
        .map(Some)
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Docker's `Resources`, which both a create's `HostConfig` and an update's body are (the
/// swagger's `allOf`), as the engine's values, as given: 0 or "" is "unset" for an update and
/// "no limit" for a create, a negative value -1 where the engine knows one; shares and the
/// CPU period only when positive. (Its restart policy is the caller's.)
fn resources(body: &impl serde::Serialize) -> ApiResult<ContainerUpdate> {
    let r: Resources = serde_json::to_value(body)
        .and_then(serde_json::from_value)
        .map_err(|e| ApiError::bad_request(format!("Resources: {e}")))?;
    Ok(ContainerUpdate {
        memory: r.memory,
        memory_swap: r.memory_swap,
        memory_reservation: r.memory_reservation,
        cpus: r.nano_cpus.map(|n| n as f64 / 1e9),
        cpu_shares: r.cpu_shares.filter(|&v| v > 0).map(|v| v as u64),
        cpu_quota: r.cpu_quota,
        cpu_period: r.cpu_period.filter(|&v| v > 0).map(|v| v as u64),
        cpuset_cpus: r.cpuset_cpus,
        cpuset_mems: r.cpuset_mems,
        pids_limit: r.pids_limit,
        blkio_weight: r.blkio_weight,
        restart: None,
    })
}

/// Docker's create body as the engine's settings (`version`: the API version asked for).
fn settings(body: ContainerCreateBody, version: super::service::ApiVersion) -> ApiResult<Settings> {
    let image = body
        .image
        .clone()
        .filter(|i| !i.is_empty())
        .ok_or_else(|| ApiError::bad_request("config.Image is required"))?;
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    let hc = body.host_config.clone().unwrap_or_default();
    fn set_list<T>(v: &Option<Vec<T>>) -> bool {
        v.as_ref().is_some_and(|l| !l.is_empty())
    }
    let checks: [(&str, bool); 1] = [(
        "user namespaces (UsernsMode)",
        hc.userns_mode.as_ref().is_some_and(|m| !m.is_empty()),
    )];
    if let Some((what, _)) = checks.iter().find(|(_, set)| *set) {
        return Err(unsupported(what));
    }
    // Checked by the engine (`Settings::log_config`), as the CLI's flags.
    let log_driver = hc
        .log_config
        .as_ref()
        .and_then(|l| l.typ.clone())
        .unwrap_or_default();
    let log_opts: BTreeMap<String, String> = hc
        .log_config
        .as_ref()
        .and_then(|l| l.config.clone())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let restart = restart_policy(&hc.restart_policy)?.unwrap_or(RestartPolicy::No);
    let r = resources(&hc)?;
    let network_mode = match hc.network_mode.as_deref() {
        None | Some("") | Some("default") => "bridge".to_string(),
        Some(m) => m.to_string(),
    };
    let mut publish = Vec::new();
    for (port, bindings) in hc.port_bindings.clone().unwrap_or_default() {
        let (cport, proto) = port.split_once('/').unwrap_or((&port, "tcp"));
        for b in bindings.unwrap_or_default() {
            let ip = b.host_ip.unwrap_or_default();
            let hp = b.host_port.unwrap_or_default();
            let host = match (ip.as_str(), hp.as_str()) {
                ("", "") => String::new(),
                ("", p) => format!("{p}:"),
                (i, p) if i.contains(':') => format!("[{i}]:{p}:"),
                (i, p) => format!("{i}:{p}:"),
            };
            publish.push(format!("{host}{cport}/{proto}"));
        }
    }
    let mut mounts = Vec::new();
    let bad = |e: crate::volumes::VolumeError| ApiError::bad_request(e.to_string());
    for b in hc.binds.clone().unwrap_or_default() {
        mounts.push(crate::volumes::parse_volume_flag(&b).map_err(bad)?);
    }
    for m in hc.mounts.clone().unwrap_or_default() {
        mounts.push(crate::volumes::parse_mount_flag(&mount_flag(&m)?).map_err(bad)?);
    }
    // `Volumes` (Config) are anonymous volumes, for the paths no bind or mount already
    // covers (Compose sends both `Volumes` and the `Binds` of the same paths).
    for target in body.volumes.clone().unwrap_or_default() {
        let anon = crate::volumes::parse_volume_flag(&target).map_err(bad)?;
        if !mounts.iter().any(|m| m.target == anon.target) {
            mounts.push(anon);
        }
    }
    let mut expose = Vec::new();
    for k in body.exposed_ports.clone().unwrap_or_default() {
        for k in crate::network::ports::parse_expose(&k)
            .map_err(|e| ApiError::bad_request(e.to_string()))?
        {
            if !expose.contains(&k) {
                expose.push(k);
            }
        }
    }
    let mut endpoints = body
        .networking_config
        .as_ref()
        .and_then(|n| n.endpoints_config.clone())
        .unwrap_or_default();
    if version < super::service::ApiVersion(1, 44) {
        // Several networks at create came with API 1.44; the container-wide MAC address
        // was the only one before.
        if endpoints.len() > 1 {
            let mut names: Vec<&String> = endpoints.keys().collect();
            names.sort();
            return Err(ApiError::bad_request(format!(
                "Container cannot be created with multiple network endpoints: {}",
                names
                    .iter()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        for e in endpoints.values_mut() {
            e.mac_address = None;
        }
    }
    // The main network's endpoint is the one named as the network mode (or the only one);
    // the others are more networks, in name order.
    let main_key = if endpoints.contains_key(&network_mode) || endpoints.len() != 1 {
        network_mode.clone()
    } else {
        endpoints.keys().next().cloned().unwrap_or_default()
    };
    let endpoint = endpoints.remove(&main_key).unwrap_or_default();
    let mut extra_networks = Vec::new();
    let mut rest: Vec<_> = endpoints.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, e) in rest {
        let ipam = e.ipam_config.unwrap_or_default();
        extra_networks.push(crate::containers::NetworkAttachment {
            name,
            aliases: e.aliases.unwrap_or_default(),
            ip: non_empty(ipam.ipv4_address),
            ip6: non_empty(ipam.ipv6_address),
            mac_address: non_empty(e.mac_address),
        });
    }
    let ipam = endpoint.ipam_config.clone().unwrap_or_default();
    // The container-wide `MacAddress` (deprecated since API 1.44) goes to the main network,
    // as dockerd migrates it.
    let mac_address = match (
        non_empty(endpoint.mac_address.clone()),
        non_empty(body.mac_address.clone()),
    ) {
        (Some(e), Some(c)) if !same_mac(&e, &c) => {
            return Err(ApiError::bad_request(
                "the container-wide MAC address must match the endpoint-specific MAC address \
                 for the main network, or be left empty",
            ));
        }
        (e, c) => e.or(c),
    };
    let map_list = |m: Option<HashMap<String, String>>, sep: &str| -> Vec<String> {
        let mut v: Vec<String> = m
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                if v.is_empty() && sep == ":" {
                    k
                } else {
                    format!("{k}{sep}{v}")
                }
            })
            .collect();
        v.sort();
        v
    };
    let entrypoint = body.entrypoint.clone().map(|e| {
        if e.len() == 1 && e[0].is_empty() {
            Vec::new() // `--entrypoint ""`: none
        } else {
            e
        }
    });
    Ok(Settings {
        image,
        entrypoint,
        cmd: body.cmd.clone().unwrap_or_default(),
        env: body.env.clone().unwrap_or_default(),
        workdir: non_empty(body.working_dir.clone()),
        user: non_empty(body.user.clone()),
        hostname: non_empty(body.hostname.clone()),
        tty: body.tty.unwrap_or(false),
        interactive: body.open_stdin.unwrap_or(false),
        auto_remove: hc.auto_remove.unwrap_or(false),
        restart,
        labels: body
            .labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        network: network_mode
            .parse()
            .map_err(|e: crate::network::NetworkModeError| ApiError::bad_request(e.to_string()))?,
        network_aliases: endpoint.aliases.clone().unwrap_or_default(),
        ip: non_empty(ipam.ipv4_address.clone()),
        ip6: non_empty(ipam.ipv6_address.clone()),
        mac_address,
        extra_networks,
        publish,
        publish_all: hc.publish_all_ports.unwrap_or(false),
        expose,
        links: hc.links.clone().unwrap_or_default(),
        add_hosts: hc.extra_hosts.clone().unwrap_or_default(),
        dns: hc.dns.clone().unwrap_or_default(),
        dns_search: hc.dns_search.clone().unwrap_or_default(),
        dns_options: hc.dns_options.clone().unwrap_or_default(),
        privileged: hc.privileged.unwrap_or(false),
        cap_add: hc.cap_add.clone().unwrap_or_default(),
        cap_drop: hc.cap_drop.clone().unwrap_or_default(),
        security_opt: hc.security_opt.clone().unwrap_or_default(),
        read_only: hc.readonly_rootfs.unwrap_or(false),
        tmpfs: map_list(hc.tmpfs.clone(), ":"),
        sysctls: map_list(hc.sysctls.clone(), "="),
        ulimits: hc
            .ulimits
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                format!(
                    "{}={}:{}",
                    u.name.unwrap_or_default(),
                    u.soft.unwrap_or(0),
                    u.hard.unwrap_or(0)
                )
            })
            .collect(),
        // At create, 0 (and a negative value, but the swap's -1) is no limit.
        memory: r.memory.filter(|m| *m > 0),
        memory_swap: r.memory_swap.filter(|m| *m != 0),
        memory_reservation: r.memory_reservation.filter(|m| *m > 0),
        cpus: r.cpus.filter(|n| *n > 0.0),
        cpu_shares: r.cpu_shares,
        cpu_quota: r.cpu_quota.filter(|n| *n > 0),
        cpu_period: r.cpu_period,
        cpuset_cpus: non_empty(r.cpuset_cpus),
        cpuset_mems: non_empty(r.cpuset_mems),
        pids_limit: r.pids_limit.filter(|n| *n > 0),
        blkio_weight: r.blkio_weight.filter(|n| *n > 0),
        stop_signal: non_empty(body.stop_signal.clone()),
        stop_timeout: body.stop_timeout,
        log_driver,
        log_opts,
        log_max_size: None,
        log_max_file: None,
        init: hc.init.unwrap_or(false),
        mounts,
        volumes_from: hc.volumes_from.clone().unwrap_or_default(),
        devices: hc
            .devices
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let host = d.path_on_host.unwrap_or_default();
                let inside = d.path_in_container.filter(|p| !p.is_empty());
                let perms = d.cgroup_permissions.filter(|p| !p.is_empty());
                format!(
                    "{host}:{}:{}",
                    inside.unwrap_or_else(|| host.clone()),
                    perms.unwrap_or_else(|| "rwm".into())
                )
            })
            .collect(),
        device_cgroup_rules: hc.device_cgroup_rules.clone().unwrap_or_default(),
        // Device requests are GPUs (`--gpus`): refused by the engine with Docker's words.
        gpus: set_list(&hc.device_requests).then(|| "all".to_string()),
        shm_size: hc.shm_size.filter(|n| *n > 0).map(|n| n as u64),
        ipc: hc.ipc_mode.clone().unwrap_or_default(),
        pid: hc.pid_mode.clone().unwrap_or_default(),
        uts: hc.uts_mode.clone().unwrap_or_default(),
        cgroupns: hc.cgroupns_mode.map(|m| m.to_string()).unwrap_or_default(),
        group_add: hc.group_add.clone().unwrap_or_default(),
        cgroup_parent: non_empty(hc.cgroup_parent.clone()),
        domainname: non_empty(body.domainname.clone()),
        oom_kill_disable: hc.oom_kill_disable.unwrap_or(false),
        oom_score_adj: hc
            .oom_score_adj
            .filter(|n| *n != 0)
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        healthcheck: body.healthcheck.clone(),
    })
}

/// Do two MAC addresses name the same one (spelled alike or not)?
fn same_mac(a: &str, b: &str) -> bool {
    use crate::network::link::parse_mac;
    match (parse_mac(a), parse_mac(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// A `HostConfig.Mounts` entry as the `--mount` flag that means the same.
fn mount_flag(m: &bollard_stubs::models::Mount) -> ApiResult<String> {
    use bollard_stubs::models::MountTypeEnum;
    let typ = match m.typ {
        Some(MountTypeEnum::BIND) => "bind",
        Some(MountTypeEnum::VOLUME) => "volume",
        Some(MountTypeEnum::TMPFS) => "tmpfs",
        Some(t) => return Err(unsupported(&format!("{t} mounts"))),
        None => return Err(ApiError::bad_request("mount type is required")),
    };
    let target = m
        .target
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::bad_request("mount target is required"))?;
    let mut parts = vec![format!("type={typ}"), format!("target={target}")];
    if let Some(src) = m.source.clone().filter(|s| !s.is_empty()) {
        parts.push(format!("source={src}"));
    }
    if m.read_only == Some(true) {
        parts.push("readonly".into());
    }
    if let Some(p) = m.bind_options.as_ref().and_then(|b| b.propagation) {
        parts.push(format!("bind-propagation={p}"));
    }
    if let Some(v) = &m.volume_options {
        if v.no_copy == Some(true) {
            parts.push("volume-nocopy".into());
        }
        for (k, val) in v.labels.clone().unwrap_or_default() {
            parts.push(format!("volume-label={k}={val}"));
        }
    }
    if let Some(t) = &m.tmpfs_options {
        if let Some(size) = t.size_bytes.filter(|s| *s > 0) {
            parts.push(format!("tmpfs-size={size}"));
        }
        if let Some(mode) = t.mode.filter(|m| *m > 0) {
            parts.push(format!("tmpfs-mode={mode:o}"));
        }
    }
    Ok(parts.join(","))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let engine = s.engine.clone();
    Ok(Json(blocking(move || engine.container_inspect(&id)).await?))
}

/// Whether the container runs (for Docker's 304 on start/stop with nothing to do).
async fn running(s: &AppState, id: &str) -> ApiResult<bool> {
    let engine = s.engine.clone();
    let id = id.to_string();
    let c = blocking(move || engine.container_inspect(&id)).await?;
    Ok(c.state.and_then(|s| s.running).unwrap_or(false))
}

pub async fn start(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if running(&s, &id).await? {
        return Ok(StatusCode::NOT_MODIFIED);
    }
    // An attach session waiting for this start (the docker CLI's `run`, `start -a`).
    if let Some(r) = super::attach::start_attached(&s, &id).await {
        return r;
    }
    let engine = s.engine.clone();
    blocking(move || engine.container_start(&id, crate::engine::Attach::Detached)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct StopQuery {
    t: Option<i64>,
    signal: Option<String>,
}

pub async fn stop(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<StopQuery>,
) -> ApiResult<StatusCode> {
    let o = crate::engine::ContainerStopOptions {
        timeout: q.t,
        signal: q.signal.filter(|s| !s.is_empty()),
    };
    if let Some(sig) = &o.signal {
        crate::spec::parse_signal(sig).map_err(|e| ApiError::bad_request(e.to_string()))?;
    }
    if !running(&s, &id).await? {
        return Ok(StatusCode::NOT_MODIFIED);
    }
    let engine = s.engine.clone();
    blocking(move || engine.container_stop_with(&id, &o)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn restart(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<StopQuery>,
) -> ApiResult<StatusCode> {
    let o = crate::engine::ContainerStopOptions {
        timeout: q.t,
        signal: q.signal.filter(|s| !s.is_empty()),
    };
    let engine = s.engine.clone();
    blocking(move || engine.container_restart_with(&id, &o)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct KillQuery {
    signal: Option<String>,
}

pub async fn kill(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<KillQuery>,
) -> ApiResult<StatusCode> {
    let signal = q
        .signal
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "KILL".into());
    // SIGKILL, as dockerd does, answers once the container has stopped (for at most 10 s).
    let wait = matches!(
        signal
            .trim_start_matches("SIG")
            .to_ascii_uppercase()
            .as_str(),
        "KILL" | "9"
    );
    let engine = s.engine.clone();
    blocking(move || {
        engine.container_kill(&id, &signal)?;
        if wait {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            // Stopped, removed meanwhile, or out of time: the kill itself has succeeded.
            let _ = engine.container_wait_for(&id, WaitCondition::NotRunning, &|| {
                std::time::Instant::now() >= deadline
            });
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets its flag when dropped.
struct SetOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Deserialize, Default)]
pub struct WaitQuery {
    condition: Option<String>,
}

/// `POST /containers/{id}/wait`: the status line and headers go out at once (the docker CLI
/// waits for them before it starts the container), the body when the condition holds.
pub async fn wait(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<WaitQuery>,
) -> ApiResult<Response> {
    let condition = match q.condition.as_deref() {
        None | Some("") | Some("not-running") => WaitCondition::NotRunning,
        Some("next-exit") => WaitCondition::NextExit,
        Some("removed") => WaitCondition::Removed,
        Some(c) => return Err(ApiError::bad_request(format!("invalid condition: {c:?}"))),
    };
    // No such container: Docker's 404, before the stream begins.
    let c = {
        let (engine, id) = (s.engine.clone(), id.clone());
        blocking(move || engine.container_inspect(&id)).await?
    };
    let id = c.id.unwrap_or(id);
    // Set when the response body is dropped (its client went away): the waiting thread stops.
    let gone = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let guard = SetOnDrop(gone.clone());
    let engine = s.engine.clone();
    let waiting = tokio::task::spawn_blocking(move || {
        engine.container_wait_for(&id, condition, &|| {
            gone.load(std::sync::atomic::Ordering::Relaxed)
        })
    });
    let body = futures_util::stream::once(async move {
        let _guard = guard;
        let answer = match waiting.await {
            Ok(Ok(code)) => ContainerWaitResponse {
                status_code: code,
                error: None,
            },
            Ok(Err(e)) => ContainerWaitResponse {
                status_code: -1,
                error: Some(bollard_stubs::models::ContainerWaitExitError {
                    message: Some(crate::error::one_line(&e)),
                }),
            },
            Err(e) => ContainerWaitResponse {
                status_code: -1,
                error: Some(bollard_stubs::models::ContainerWaitExitError {
                    message: Some(e.to_string()),
                }),
            },
        };
        let mut line = serde_json::to_vec(&answer).unwrap_or_default();
        line.push(b'\n');
        Ok::<_, std::io::Error>(line)
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(Body::from_stream(body))
        .expect("a valid response"))
}

#[derive(Deserialize, Default)]
pub struct RemoveQuery {
    v: Option<String>,
    force: Option<String>,
    link: Option<String>,
}

pub async fn remove(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RemoveQuery>,
) -> ApiResult<StatusCode> {
    if flag(&q.link) {
        let engine = s.engine.clone();
        blocking(move || engine.container_remove_link(&id)).await?;
        return Ok(StatusCode::NO_CONTENT);
    }
    let o = ContainerRemoveOptions {
        force: flag(&q.force),
        volumes: flag(&q.v),
    };
    let engine = s.engine.clone();
    blocking(move || engine.container_remove(&id, o)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct LogsQuery {
    follow: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    since: Option<String>,
    until: Option<String>,
    timestamps: Option<String>,
    tail: Option<String>,
    details: Option<String>,
}

/// Unix seconds (with an optional fraction) as nanoseconds; `0`/empty: none.
fn unix_time(v: &Option<String>) -> ApiResult<Option<i64>> {
    let Some(v) = v.as_deref().filter(|v| !v.is_empty() && *v != "0") else {
        return Ok(None);
    };
    let secs: f64 = v
        .parse()
        .map_err(|_| ApiError::bad_request(format!("invalid time {v:?}")))?;
    Ok(Some((secs * 1e9) as i64))
}

pub async fn logs(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LogsQuery>,
) -> ApiResult<Response> {
    let (want_out, want_err) = (flag(&q.stdout), flag(&q.stderr));
    if !want_out && !want_err {
        return Err(ApiError::bad_request(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    let tail = match q.tail.as_deref() {
        None | Some("") | Some("all") => None,
        Some(n) => Some(
            n.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("invalid tail {n:?}")))?,
        ),
    };
    let o = LogsOptions {
        follow: flag(&q.follow),
        tail,
        since: unix_time(&q.since)?,
        until: unix_time(&q.until)?,
    };
    let timestamps = flag(&q.timestamps);
    let details = flag(&q.details);
    let engine = s.engine.clone();
    let tty = {
        let (engine, id) = (engine.clone(), id.clone());
        let c = blocking(move || {
            engine.container_logs_check(&id)?;
            engine.container_inspect(&id)
        })
        .await?;
        c.config.and_then(|c| c.tty).unwrap_or(false)
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    // A client that went away while the container is quiet ends the following too.
    let closed = tx.clone();
    let task = tokio::task::spawn_blocking(move || {
        let cancelled = || closed.is_closed();
        engine.container_logs_cancellable(
            &id,
            &o,
            &mut |r| {
                let wanted = match r.stream {
                    LogStream::Stdout => want_out,
                    LogStream::Stderr => want_err,
                };
                if !wanted {
                    return true;
                }
                let mut text = Vec::new();
                if timestamps {
                    text.extend_from_slice(r.time.as_bytes());
                    text.push(b' ');
                }
                if details {
                    text.extend_from_slice(r.details_prefix().as_bytes());
                }
                text.extend_from_slice(r.text.as_bytes());
                let frame = if tty { text } else { frame(r.stream, &text) };
                // A client that went away stops the reading.
                tx.blocking_send(frame).is_ok()
            },
            &cancelled,
        )
    });
    // Errors before the first byte (a container that vanished) still get a status.
    drop(task);
    let content_type = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", content_type)
        .body(super::channel_body(rx))
        .expect("a valid response"))
}

/// One frame of Docker's multiplexed stream: stream, three zero bytes, length, payload.
pub fn frame(stream: LogStream, payload: &[u8]) -> Vec<u8> {
    let kind = match stream {
        LogStream::Stdout => 1u8,
        LogStream::Stderr => 2u8,
    };
    let mut out = Vec::with_capacity(8 + payload.len());
    out.extend_from_slice(&[kind, 0, 0, 0]);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

#[derive(Deserialize, Default)]
pub struct RenameQuery {
    name: Option<String>,
}

pub async fn rename(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<RenameQuery>,
) -> ApiResult<StatusCode> {
    let name = q
        .name
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::bad_request("name is required"))?;
    let engine = s.engine.clone();
    blocking(move || engine.container_rename(&id, &name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /containers/{id}/update`: the resources dockerd updates (0 or absent: unchanged) and
/// the restart policy.
pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<ContainerUpdateBody>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<Json<ContainerUpdateResponse>> {
    let b = super::error::json_body(body)?;
    if b.cpu_realtime_period.is_some_and(|v| v != 0)
        || b.cpu_realtime_runtime.is_some_and(|v| v != 0)
    {
        return Err(unsupported(
            "real-time CPU scheduling (CpuRealtimePeriod/Runtime)",
        ));
    }
    let u = ContainerUpdate {
        restart: restart_policy(&b.restart_policy)?,
        ..resources(&b)?
    };
    let engine = s.engine.clone();
    let warnings = blocking(move || engine.container_update(&id, &u)).await?;
    Ok(Json(ContainerUpdateResponse {
        warnings: Some(warnings),
    }))
}

pub async fn pause(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let engine = s.engine.clone();
    blocking(move || engine.container_pause(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unpause(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    let engine = s.engine.clone();
    blocking(move || engine.container_unpause(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, Default)]
pub struct TopQuery {
    ps_args: Option<String>,
}

pub async fn top(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<TopQuery>,
) -> ApiResult<Json<ContainerTopResponse>> {
    let args: Vec<String> = q
        .ps_args
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let engine = s.engine.clone();
    let top = blocking(move || engine.container_top(&id, &args)).await?;
    Ok(Json(ContainerTopResponse {
        titles: Some(top.titles),
        processes: Some(top.processes),
    }))
}

#[derive(Deserialize, Default)]
pub struct PruneQuery {
    filters: Option<String>,
}

pub async fn prune(
    State(s): State<AppState>,
    Query(q): Query<PruneQuery>,
) -> ApiResult<Json<ContainerPruneResponse>> {
    let filters = filters::parse(q.filters.as_deref())?;
    let engine = s.engine.clone();
    let (removed, reclaimed) = blocking(move || engine.container_prune(&filters)).await?;
    Ok(Json(ContainerPruneResponse {
        containers_deleted: Some(removed),
        space_reclaimed: Some(reclaimed as i64),
    }))
}
