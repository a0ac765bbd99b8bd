//! Registry settings file: insecure registries and mirrors.
//!
//! `$BERTH_REGISTRIES_CONF`, default `/etc/berth/registries.json`, in the spirit of Docker's
//! `daemon.json`:
//! ```json
//! { "insecure-registries": ["myregistry:5000"],
//!   "registry-mirrors": { "docker.io": ["mirror.local:5000"] } }
//! ```
//! `registry-mirrors` may also be a plain list, meaning mirrors of docker.io (as in Docker).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("registries config {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("registries config {path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistriesConfig {
    #[serde(default, rename = "insecure-registries")]
    pub insecure_registries: Vec<String>,
    #[serde(default, rename = "registry-mirrors")]
    mirrors: Mirrors,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Mirrors {
    List(Vec<String>),
    Map(BTreeMap<String, Vec<String>>),
}

impl Default for Mirrors {
    fn default() -> Self {
        Mirrors::Map(BTreeMap::new())
    }
}

pub fn default_path() -> PathBuf {
    std::env::var_os("BERTH_REGISTRIES_CONF")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/berth/registries.json"))
}

impl RegistriesConfig {
    /// Loads the file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<RegistriesConfig, ConfigError> {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).map_err(|source| ConfigError::Json {
                path: path.to_path_buf(),
                source,
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(RegistriesConfig::default()),
            Err(source) => Err(ConfigError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub fn is_insecure(&self, registry: &str) -> bool {
        self.insecure_registries.iter().any(|r| {
            r.trim_start_matches("http://")
                .trim_start_matches("https://")
                .trim_end_matches('/')
                == registry
        })
    }

    /// Mirror hosts to try before `registry` itself.
    pub fn mirrors_for(&self, registry: &str) -> Vec<String> {
        let list = match &self.mirrors {
            Mirrors::List(l) if registry == "docker.io" => l.clone(),
            Mirrors::List(_) => Vec::new(),
            Mirrors::Map(m) => m.get(registry).cloned().unwrap_or_default(),
        };
        list.into_iter()
            .map(|m| {
                m.trim_start_matches("http://")
                    .trim_start_matches("https://")
                    .trim_end_matches('/')
                    .to_string()
            })
            .collect()
    }

    /// The same settings without mirrors (a push goes to the registry itself).
    pub fn without_mirrors(&self) -> RegistriesConfig {
        RegistriesConfig {
            insecure_registries: self.insecure_registries.clone(),
            mirrors: Mirrors::default(),
        }
    }
}

/// Registries on `localhost` and 127.0.0.0/8 (and ::1) speak plain HTTP by default, as in Docker.
pub fn is_loopback(registry: &str) -> bool {
    let host = match registry.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => registry,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("localhost"));
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("127.0.0.1:5600"));
        assert!(is_loopback("127.9.9.9"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("docker.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }

    #[test]
    fn parses_lists_and_maps_of_mirrors() {
        let c: RegistriesConfig = serde_json::from_str(
            r#"{"insecure-registries":["http://reg:5000/"],"registry-mirrors":["https://m:1"]}"#,
        )
        .unwrap();
        assert!(c.is_insecure("reg:5000"));
        assert_eq!(c.mirrors_for("docker.io"), vec!["m:1"]);
        assert!(c.mirrors_for("quay.io").is_empty());
        let c: RegistriesConfig =
            serde_json::from_str(r#"{"registry-mirrors":{"quay.io":["q:1"]}}"#).unwrap();
        assert_eq!(c.mirrors_for("quay.io"), vec!["q:1"]);
        assert!(serde_json::from_str::<RegistriesConfig>(r#"{"typo":1}"#).is_err());
    }
}
