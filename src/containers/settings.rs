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
    /// `-p`, as given
    pub publish: Vec<String>,
    /// `-P`
    pub publish_all: bool,
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
    pub cpus: Option<f64>,
    pub cpu_shares: Option<u64>,
    pub cpu_quota: Option<i64>,
    pub cpu_period: Option<u64>,
    pub cpuset_cpus: Option<String>,
    pub pids_limit: Option<i64>,
    pub blkio_weight: Option<u16>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub log_max_size: Option<u64>,
    pub log_max_file: Option<u32>,
    pub init: bool,
    /// `-v`, `--mount` and `--volumes-from` mounts, and the image's VOLUMEs, resolved at create
    /// (anonymous volumes named).
    pub mounts: Vec<crate::volumes::MountSpec>,
    /// `--volumes-from` as given (for inspect).
    pub volumes_from: Vec<String>,
}

/// `--restart no|on-failure[:N]|always|unless-stopped`
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RestartPolicy {
    pub name: String,
    pub max_retries: u32,
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
        match name {
            "" | "no" | "always" | "unless-stopped" | "on-failure" => Ok(RestartPolicy {
                name: if name.is_empty() { "no" } else { name }.to_string(),
                max_retries,
            }),
            _ => Err(bad()),
        }
    }

    /// Should a process that exited with `code` be restarted, after `restarts` restarts so far?
    /// `stopped_by_user`: `berth stop`/`kill` ended it.
    pub fn should_restart(&self, code: i64, restarts: u32, stopped_by_user: bool) -> bool {
        if stopped_by_user {
            return false;
        }
        match self.name.as_str() {
            "always" | "unless-stopped" => true,
            "on-failure" => code != 0 && (self.max_retries == 0 || restarts < self.max_retries),
            _ => false,
        }
    }
}

/// Checks what can be checked before the container exists (the spec is built again at start).
pub fn validate(s: &Settings, image_config: &serde_json::Value) -> Result<()> {
    if s.auto_remove && s.restart.name != "no" && !s.restart.name.is_empty() {
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
    if s.network.container().is_some()
        && (s.hostname.is_some() || !s.dns.is_empty() || !s.add_hosts.is_empty())
    {
        return Err(ContainerError::Invalid(
            "conflicting options: --hostname, --dns and --add-host cannot be used with --network container:".into(),
        ));
    }
    for p in &s.publish {
        crate::network::ports::parse(p).map_err(|e| ContainerError::Invalid(e.to_string()))?;
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

/// The bindings `-p` and `-P` ask for (`-P`: every port the image exposes).
pub fn publish_bindings(
    s: &Settings,
    image_config: &serde_json::Value,
) -> Result<Vec<crate::network::ports::Binding>> {
    let mut out = Vec::new();
    for p in &s.publish {
        out.extend(
            crate::network::ports::parse(p).map_err(|e| ContainerError::Invalid(e.to_string()))?,
        );
    }
    if s.publish_all
        && let Some(exposed) = image_config
            .pointer("/config/ExposedPorts")
            .and_then(|v| v.as_object())
    {
        for k in exposed.keys() {
            if let Some(b) = crate::network::ports::exposed(k)
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
        assert_eq!(RestartPolicy::parse("no").unwrap().name, "no");
        let p = RestartPolicy::parse("on-failure:3").unwrap();
        assert_eq!(p.max_retries, 3);
        assert!(p.should_restart(1, 2, false));
        assert!(!p.should_restart(1, 3, false));
        assert!(!p.should_restart(0, 0, false));
        assert!(RestartPolicy::parse("always:2").is_err());
        assert!(RestartPolicy::parse("sometimes").is_err());
        let a = RestartPolicy::parse("always").unwrap();
        assert!(a.should_restart(0, 100, false));
        assert!(!a.should_restart(0, 0, true));
    }
}
