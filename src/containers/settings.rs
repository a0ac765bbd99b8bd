//! A container's settings: what `create`/`run` were asked for, stored as JSON in the
//! container's row, turned into a runtime spec (`crate::spec`) each time the container starts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ContainerError, Result};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    pub image: String,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub auto_remove: bool,
    pub restart: RestartPolicy,
    pub labels: BTreeMap<String, String>,
    /// `--network` (stored as given; rows written before networking existed say "": none).
    pub network: crate::network::NetworkMode,
    /// `--network-alias`
    pub network_aliases: Vec<String>,
    /// `--ip`
    pub ip: Option<String>,
    /// `--ip6`
    pub ip6: Option<String>,
    /// `--mac-address`: the MAC address on the first network.
    pub mac_address: Option<String>,
    /// The networks after the first (`--network` given again; the API's `EndpointsConfig`),
    /// each with its own settings. Only user-defined networks can be combined.
    pub extra_networks: Vec<NetworkAttachment>,
    /// `-p`, as given
    pub publish: Vec<String>,
    /// `-P`
    pub publish_all: bool,
    /// `--expose` (the API's `Config.ExposedPorts`), as `PORT/PROTO` keys, ranges expanded.
    pub expose: Vec<String>,
    /// `--link NAME[:ALIAS]`: as given to create, stored as `ID:ALIAS` (the linked
    /// container's full ID) once created.
    pub links: Vec<String>,
    /// `--add-host name:ip|host-gateway`
    pub add_hosts: Vec<String>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub privileged: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub read_only: bool,
    pub tmpfs: Vec<String>,
    pub sysctls: Vec<String>,
    pub ulimits: Vec<String>,
    pub memory: Option<i64>,
    pub memory_swap: Option<i64>,
    /// `--memory-reservation`, bytes.
    pub memory_reservation: Option<i64>,
    pub cpus: Option<f64>,
    pub cpu_shares: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<u64>,
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`
    pub cpuset_mems: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    /// `--log-driver` ("": Docker's default, `json-file`).
    pub log_driver: String,
    /// `--log-opt`s as given.
    pub log_opts: BTreeMap<String, String>,
    /// `max-size` of rows written before `log_opts` existed (bytes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_max_size: Option<u64>,
    /// `max-file` of rows written before `log_opts` existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_max_file: Option<u32>,
    pub init: bool,
    /// `-v`, `--mount` and `--volumes-from` mounts, and the image's VOLUMEs, resolved at create
    /// (anonymous volumes named).
    pub mounts: Vec<crate::volumes::MountSpec>,
    /// `--volumes-from` as given (for inspect).
    pub volumes_from: Vec<String>,
    /// `--device HOST[:CONTAINER][:PERMS]`, as given.
    pub devices: Vec<String>,
    /// `--device-cgroup-rule`, as given.
    pub device_cgroup_rules: Vec<String>,
    /// `--gpus` (refused: berth has no NVIDIA container toolkit support).
    pub gpus: Option<String>,
    /// `--shm-size`, bytes.
    pub shm_size: Option<u64>,
    /// `--ipc`: "" (private), `private`, `shareable`, `none`, `host`, `container:NAME`.
    pub ipc: String,
    /// `--pid`: "" (private), `host`, `container:NAME`.
    pub pid: String,
    /// `--uts`: "" (private), `host`.
    pub uts: String,
    /// `--cgroupns`: "" (private), `private`, `host`.
    pub cgroupns: String,
    /// `--group-add`.
    pub group_add: Vec<String>,
    /// `--cgroup-parent`.
    pub cgroup_parent: Option<String>,
    /// `--domainname`.
    pub domainname: Option<String>,
    /// `--oom-kill-disable`.
    pub oom_kill_disable: bool,
    /// `--oom-score-adj`.
    pub oom_score_adj: Option<i32>,
    /// `--health-*`, `--no-healthcheck` or the API's `Healthcheck`, as given (merged with the
    /// image's `HEALTHCHECK` where used: `containers::health::merged`).
    pub healthcheck: Option<bollard_stubs::models::HealthConfig>,
}

/// A network a container is attached to at create besides its first one, as `--network
/// name=NET,alias=A,ip=IP,ip6=IP6,mac-address=MAC` gives it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NetworkAttachment {
    /// The network's name or ID.
    pub name: String,
    pub aliases: Vec<String>,
    pub ip: Option<String>,
    pub ip6: Option<String>,
    pub mac_address: Option<String>,
}

impl Settings {
    /// The logging driver and options, checked (rows written before `--log-driver` existed
    /// give their `max-size`/`max-file` in bytes and files).
    pub fn log_opts(&self) -> BTreeMap<String, String> {
        let mut opts = self.log_opts.clone();
        if let Some(n) = self.log_max_size {
            opts.entry("max-size".into()).or_insert(n.to_string());
        }
        if let Some(n) = self.log_max_file {
            opts.entry("max-file".into()).or_insert(n.to_string());
        }
        opts
    }

    /// The logging driver and its checked options.
    pub fn log_config(&self) -> Result<crate::monitor::logs::LogConfig> {
        crate::monitor::logs::LogConfig::new(&self.log_driver, &self.log_opts())
            .map_err(ContainerError::Invalid)
    }

    /// The container whose namespace `--ipc` or `--pid` joins (`container:NAME`).
    pub fn ns_peer(mode: &str) -> Option<&str> {
        mode.strip_prefix("container:")
    }

    /// Docker's `Config.ExposedPorts`: the image's `EXPOSE`s, `--expose` and the container
    /// ports `-p` publishes, as sorted `PORT/PROTO` keys.
    pub fn exposed_ports(&self, image_config: &serde_json::Value) -> Vec<String> {
        let mut keys = std::collections::BTreeSet::new();
        if let Some(e) = image_config
            .pointer("/config/ExposedPorts")
            .and_then(|v| v.as_object())
        {
            for k in e.keys() {
                keys.insert(if k.contains('/') {
                    k.clone()
                } else {
                    format!("{k}/tcp")
                });
            }
        }
        keys.extend(self.expose.iter().cloned());
        for p in &self.publish {
            for b in crate::network::ports::parse(p).unwrap_or_default() {
                keys.insert(format!("{}/{}", b.container_port, b.proto));
            }
        }
        let mut keys: Vec<String> = keys.into_iter().collect();
        keys.sort_by_key(|k| {
            let (p, proto) = k.split_once('/').unwrap_or((k, ""));
            (p.parse::<u32>().unwrap_or(u32::MAX), proto.to_string())
        });
        keys
    }

    /// The containers this one's namespaces need (network, IPC, PID).
    pub fn peers(&self) -> impl Iterator<Item = &str> {
        self.network
            .container()
            .into_iter()
            .chain(Self::ns_peer(&self.ipc))
            .chain(Self::ns_peer(&self.pid))
    }
}

/// Docker's checks of several networks: only user-defined ones combine, each once.
fn validate_networks(s: &Settings) -> Result<()> {
    use crate::network::NetworkMode;
    if s.extra_networks.is_empty() {
        return Ok(());
    }
    let user_defined = |name: &str| matches!(name.parse(), Ok(NetworkMode::Named(_)));
    if !matches!(s.network, NetworkMode::Named(_))
        || s.extra_networks.iter().any(|n| !user_defined(&n.name))
    {
        return Err(ContainerError::Invalid(
            "conflicting options: cannot attach both user-defined and non-user-defined \
             network-modes"
                .into(),
        ));
    }
    let mut seen = vec![s.network.to_string()];
    for n in &s.extra_networks {
        if seen.contains(&n.name) {
            return Err(ContainerError::Invalid(format!(
                "network {:?} is specified multiple times",
                n.name
            )));
        }
        seen.push(n.name.clone());
        if let Some(m) = &n.mac_address {
            crate::network::check_static_mac(m)?;
        }
    }
    Ok(())
}

/// Docker's checks of the namespace, device and cgroup flags.
fn validate_namespaces(s: &Settings) -> Result<()> {
    let bad = |m: String| Err(ContainerError::Invalid(m));
    if s.gpus.is_some() {
        return bad(
            "could not select device driver \"\" with capabilities: [[gpu]] (the NVIDIA \
             container toolkit is not supported)"
                .into(),
        );
    }
    let peer_ok = |m: &str| Settings::ns_peer(m).is_none_or(|n| !n.is_empty());
    if !(matches!(
        s.ipc.as_str(),
        "" | "private" | "shareable" | "none" | "host"
    ) || (s.ipc.starts_with("container:") && peer_ok(&s.ipc)))
    {
        return bad(format!("--ipc: invalid IPC mode {:?}", s.ipc));
    }
    if !(matches!(s.pid.as_str(), "" | "host")
        || (s.pid.starts_with("container:") && peer_ok(&s.pid)))
    {
        return bad(format!("--pid: invalid PID mode {:?}", s.pid));
    }
    if !matches!(s.uts.as_str(), "" | "host") {
        return bad(format!("--uts: invalid UTS mode {:?}", s.uts));
    }
    if !matches!(s.cgroupns.as_str(), "" | "host" | "private") {
        return bad(format!("--cgroupns: invalid CGROUP mode {:?}", s.cgroupns));
    }
    if s.uts == "host" && s.hostname.is_some() {
        return bad("conflicting options: hostname and the UTS mode".into());
    }
    if let Some(p) = &s.cgroup_parent
        && (p.trim_matches('/').is_empty()
            || p.split('/').any(|c| c == ".." || c == ".")
            || p.contains(char::is_whitespace))
    {
        return bad(format!("invalid --cgroup-parent {p:?}"));
    }
    Ok(())
}

/// `--restart no|on-failure[:N]|always|unless-stopped`. Stored in the settings JSON as
/// `{"name": "…", "max_retries": N}` (the form rows have always had).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(into = "StoredRestartPolicy", try_from = "StoredRestartPolicy")]
pub enum RestartPolicy {
    #[default]
    No,
    /// Restart after a non-zero exit, at most `max_retries` times (0: no limit).
    OnFailure {
        max_retries: u32,
    },
    Always,
    UnlessStopped,
}

#[derive(Serialize, Deserialize)]
struct StoredRestartPolicy {
    #[serde(default)]
    name: String,
    #[serde(default)]
    max_retries: u32,
}

impl From<RestartPolicy> for StoredRestartPolicy {
    fn from(p: RestartPolicy) -> Self {
        StoredRestartPolicy {
            name: p.name().to_string(),
            max_retries: p.max_retries(),
        }
    }
}

impl TryFrom<StoredRestartPolicy> for RestartPolicy {
    type Error = String;
    fn try_from(s: StoredRestartPolicy) -> std::result::Result<Self, String> {
        Ok(match s.name.as_str() {
            "" | "no" => RestartPolicy::No,
            "always" => RestartPolicy::Always,
            "unless-stopped" => RestartPolicy::UnlessStopped,
            "on-failure" => RestartPolicy::OnFailure {
                max_retries: s.max_retries,
            },
            other => return Err(format!("unknown restart policy {other:?}")),
        })
    }
}

impl RestartPolicy {
    pub fn parse(s: &str) -> Result<RestartPolicy> {
        let (name, n) = match s.split_once(':') {
            Some((n, c)) => (n, Some(c)),
            None => (s, None),
        };
        let bad = || ContainerError::Invalid(format!("invalid restart policy {s:?}"));
        let max_retries = match (name, n) {
            ("on-failure", Some(c)) => c.parse::<u32>().map_err(|_| bad())?,
            (_, Some(_)) => {
                return Err(ContainerError::Invalid(format!(
                    "invalid restart policy {s:?}: maximum retry count can only be used with 'on-failure'"
                )));
            }
            _ => 0,
        };
        RestartPolicy::try_from(StoredRestartPolicy {
            name: name.to_string(),
            max_retries,
        })
        .map_err(|_| bad())
    }

    /// Docker's name of the policy (`HostConfig.RestartPolicy.Name`).
    pub fn name(self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::OnFailure { .. } => "on-failure",
            RestartPolicy::Always => "always",
            RestartPolicy::UnlessStopped => "unless-stopped",
        }
    }

    /// Docker's `MaximumRetryCount` (0 but for `on-failure:N`).
    pub fn max_retries(self) -> u32 {
        match self {
            RestartPolicy::OnFailure { max_retries } => max_retries,
            _ => 0,
        }
    }

    /// Should a process that exited with `code` be restarted, after `restarts` restarts so far?
    /// `stopped_by_user`: `berth stop`/`kill` ended it.
    pub fn should_restart(self, code: i64, restarts: u32, stopped_by_user: bool) -> bool {
        if stopped_by_user {
            return false;
        }
        match self {
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure { max_retries } => {
                code != 0 && (max_retries == 0 || restarts < max_retries)
            }
            RestartPolicy::No => false,
        }
    }

    /// Does `start --all` (at boot) bring the container back? `always`, and `unless-stopped`
    /// unless the user stopped it.
    pub fn starts_at_boot(self, stopped_by_user: bool) -> bool {
        match self {
            RestartPolicy::Always => true,
            RestartPolicy::UnlessStopped => !stopped_by_user,
            _ => false,
        }
    }
}

impl Settings {
    /// The settings stored in a container's row. A row whose settings do not parse is an
    /// error that names the container, never silently default settings.
    pub fn of(c: &crate::state::containers::ContainerRow) -> Result<Settings> {
        serde_json::from_str(&c.config).map_err(|source| ContainerError::BadSettings {
            id: c.id.clone(),
            source,
        })
    }
}

/// Checks what can be checked before the container exists (the spec is built again at start).
pub fn validate(s: &Settings, image_config: &serde_json::Value) -> Result<()> {
    if s.auto_remove && s.restart != RestartPolicy::No {
        return Err(ContainerError::Invalid(
            "conflicting options: cannot specify both --restart and --rm".into(),
        ));
    }
    if !s.network.is_bridged() {
        let what = if !s.publish.is_empty() || s.publish_all {
            Some("published ports")
        } else if !s.network_aliases.is_empty() {
            Some("network-scoped aliases")
        } else if s.ip.is_some() {
            Some("--ip")
        } else if s.ip6.is_some() {
            Some("--ip6")
        } else if s.mac_address.is_some() {
            Some("mac-address")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(ContainerError::Invalid(format!(
                "conflicting options: {what} and the network mode {:?}",
                s.network.shown()
            )));
        }
    }
    validate_networks(s)?;
    for l in &s.links {
        parse_link(l)?;
    }
    if !s.links.is_empty() && !s.network.is_bridged() {
        return Err(ContainerError::Invalid(if s.network.is_host() {
            "conflicting options: host type networking can't be used with links. This would \
             result in undefined behavior"
                .into()
        } else {
            format!(
                "conflicting options: links and the network mode {:?}",
                s.network.shown()
            )
        }));
    }
    validate_namespaces(s)?;
    s.log_config()?;
    if s.network.container().is_some()
        && (s.hostname.is_some() || !s.dns.is_empty() || !s.add_hosts.is_empty())
    {
        return Err(ContainerError::Invalid(
            "conflicting options: --hostname, --dns and --add-host cannot be used with --network container:".into(),
        ));
    }
    if let Some(m) = &s.mac_address {
        crate::network::check_static_mac(m)?;
    }
    for p in &s.publish {
        crate::network::ports::parse(p)?;
    }
    for e in &s.expose {
        crate::network::ports::parse_expose(e)?;
    }
    for h in &s.add_hosts {
        parse_add_host(h)?;
    }
    for d in &s.dns {
        d.parse::<std::net::IpAddr>().map_err(|_| {
            ContainerError::Invalid(format!("invalid --dns {d:?}: not an IP address"))
        })?;
    }
    super::runspec::check(s, image_config)
}

/// `--link NAME[:ALIAS]` (or inspect's `/NAME:/LINKER/ALIAS`) as (name, alias), Docker's rules.
pub fn parse_link(l: &str) -> Result<(String, String)> {
    if l.is_empty() {
        return Err(ContainerError::Invalid(
            "empty string specified for links".into(),
        ));
    }
    let parts: Vec<&str> = l.split(':').collect();
    match parts[..] {
        [name] => Ok((name.to_string(), name.to_string())),
        [name, alias] if name.starts_with('/') => Ok((
            name[1..].to_string(),
            alias.rsplit('/').next().unwrap_or(alias).to_string(),
        )),
        [name, alias] if !name.is_empty() && !alias.is_empty() => {
            Ok((name.to_string(), alias.to_string()))
        }
        _ => Err(ContainerError::Invalid(format!(
            "bad format for links: {l}"
        ))),
    }
}

/// `--add-host NAME:IP` (IP may be `host-gateway`); IPv6 addresses may be in brackets.
pub fn parse_add_host(h: &str) -> Result<(String, String)> {
    let bad = || ContainerError::Invalid(format!("invalid --add-host {h:?}: expected NAME:IP"));
    let (name, ip) = h.split_once([':', '=']).ok_or_else(bad)?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    if name.is_empty() {
        return Err(bad());
    }
    if ip != "host-gateway" && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(bad());
    }
    Ok((name.to_string(), ip.to_string()))
}

/// The bindings `-p` and `-P` ask for (`-P`: every exposed port, the image's and `--expose`'s).
pub fn publish_bindings(
    s: &Settings,
    image_config: &serde_json::Value,
) -> Result<Vec<crate::network::ports::Binding>> {
    let mut out = Vec::new();
    for p in &s.publish {
        out.extend(crate::network::ports::parse(p)?);
    }
    if s.publish_all {
        for k in s.exposed_ports(image_config) {
            if let Some(b) = crate::network::ports::exposed(&k)
                && !out
                    .iter()
                    .any(|o| o.container_port == b.container_port && o.proto == b.proto)
            {
                out.push(b);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_policies() {
        assert_eq!(RestartPolicy::parse("no").unwrap(), RestartPolicy::No);
        assert_eq!(RestartPolicy::parse("").unwrap(), RestartPolicy::No);
        let p = RestartPolicy::parse("on-failure:3").unwrap();
        assert_eq!(p, RestartPolicy::OnFailure { max_retries: 3 });
        assert_eq!((p.name(), p.max_retries()), ("on-failure", 3));
        assert!(p.should_restart(1, 2, false));
        assert!(!p.should_restart(1, 3, false));
        assert!(!p.should_restart(0, 0, false));
        assert!(RestartPolicy::parse("always:2").is_err());
        assert!(RestartPolicy::parse("sometimes").is_err());
        let a = RestartPolicy::parse("always").unwrap();
        assert!(a.should_restart(0, 100, false));
        assert!(!a.should_restart(0, 0, true));
    }

    /// Rows written by earlier versions keep parsing, and the stored form does not change.
    #[test]
    fn restart_policy_keeps_its_stored_form() {
        for (json, p) in [
            (r#"{"name":"no","max_retries":0}"#, RestartPolicy::No),
            (r#"{"name":"","max_retries":0}"#, RestartPolicy::No),
            (
                r#"{"name":"always","max_retries":0}"#,
                RestartPolicy::Always,
            ),
            (
                r#"{"name":"unless-stopped","max_retries":0}"#,
                RestartPolicy::UnlessStopped,
            ),
            (
                r#"{"name":"on-failure","max_retries":5}"#,
                RestartPolicy::OnFailure { max_retries: 5 },
            ),
        ] {
            assert_eq!(serde_json::from_str::<RestartPolicy>(json).unwrap(), p);
        }
        assert_eq!(
            serde_json::to_string(&RestartPolicy::OnFailure { max_retries: 2 }).unwrap(),
            r#"{"name":"on-failure","max_retries":2}"#
        );
        assert!(serde_json::from_str::<RestartPolicy>(r#"{"name":"sometimes"}"#).is_err());
        let s: Settings =
            serde_json::from_str(r#"{"image":"x","restart":{"name":"always"}}"#).unwrap();
        assert_eq!(s.restart, RestartPolicy::Always);
    }

    #[test]
    fn unreadable_settings_are_an_error_naming_the_container() {
        let row = crate::state::containers::ContainerRow {
            id: "abc".into(),
            config: "{not json".into(),
            ..Default::default()
        };
        let e = Settings::of(&row).unwrap_err().to_string();
        assert!(e.contains("container abc") && e.contains("settings"), "{e}");
    }
}
