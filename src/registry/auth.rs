//! Registry credentials in Docker's `config.json` (`$DOCKER_CONFIG/config.json`, default
//! `~/.docker/config.json`): read for pulls, written by `berth login`, removed by `berth logout`.
//! Other keys of the file are preserved untouched.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value};

/// The key Docker uses for Docker Hub in `auths`.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: not valid JSON: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: credentials for {server} are not valid base64 user:password")]
    BadAuth { path: PathBuf, server: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Location of the Docker client config file.
pub fn config_path() -> PathBuf {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
        return PathBuf::from(dir).join("config.json");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".docker").join("config.json")
}

/// The `auths` key for a registry host, as Docker writes it.
pub fn server_key(registry: &str) -> String {
    if registry == "docker.io" || registry == "index.docker.io" {
        DOCKER_HUB_KEY.to_string()
    } else {
        registry.to_string()
    }
}

/// The credentials given for `registry` in a client's map of server keys (the Engine API's
/// `X-Registry-Config`: `https://index.docker.io/v1/`, `host:port`, `https://host:port/v2/`…).
pub fn credentials_for<'a>(
    given: &'a [(String, Credentials)],
    registry: &str,
) -> Option<&'a Credentials> {
    let want = normalize_key(registry);
    given
        .iter()
        .find(|(k, _)| normalize_key(k) == want)
        .map(|(_, c)| c)
}

/// `https://host:port/v1/` → `host:port`, so keys written by other tools match too.
fn normalize_key(key: &str) -> &str {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let k = k.split('/').next().unwrap_or(k);
    if k == "index.docker.io" || k == "registry-1.docker.io" {
        "docker.io"
    } else {
        k
    }
}

fn read_config(path: &Path) -> Result<Map<String, Value>, AuthError> {
    match fs::read(path) {
        Ok(b) if b.iter().all(|c| c.is_ascii_whitespace()) => Ok(Map::new()),
        Ok(b) => match serde_json::from_slice::<Value>(&b) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Ok(Map::new()),
            Err(source) => Err(AuthError::Json {
                path: path.to_path_buf(),
                source,
            }),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Map::new()),
        Err(source) => Err(AuthError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Credentials stored for `registry` (a host such as `docker.io` or `127.0.0.1:5000`), if any.
pub fn lookup(path: &Path, registry: &str) -> Result<Option<Credentials>, AuthError> {
    let cfg = read_config(path)?;
    let Some(Value::Object(auths)) = cfg.get("auths") else {
        return Ok(None);
    };
    let want = normalize_key(registry);
    for (key, entry) in auths {
        if normalize_key(key) != want {
            continue;
        }
        let bad = || AuthError::BadAuth {
            path: path.to_path_buf(),
            server: key.clone(),
        };
        if let Some(a) = entry.get("auth").and_then(Value::as_str) {
            if a.is_empty() {
                continue;
            }
            let raw = B64.decode(a.trim()).map_err(|_| bad())?;
            let s = String::from_utf8(raw).map_err(|_| bad())?;
            let (u, p) = s.split_once(':').ok_or_else(bad)?;
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
        if let (Some(u), Some(p)) = (
            entry.get("username").and_then(Value::as_str),
            entry.get("password").and_then(Value::as_str),
        ) {
            return Ok(Some(Credentials {
                username: u.to_string(),
                password: p.to_string(),
            }));
        }
    }
    Ok(None)
}

/// Stores credentials for `registry`, keeping everything else in the file.
pub fn store(path: &Path, registry: &str, creds: &Credentials) -> Result<(), AuthError> {
    let mut cfg = read_config(path)?;
    let auths = cfg
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    if !auths.is_object() {
        *auths = Value::Object(Map::new());
    }
    let auths = auths.as_object_mut().expect("object");
    let want = normalize_key(registry).to_string();
    auths.retain(|k, _| normalize_key(k) != want);
    let token = B64.encode(format!("{}:{}", creds.username, creds.password));
    auths.insert(server_key(registry), serde_json::json!({ "auth": token }));
    write_config(path, &cfg)
}

/// Removes credentials for `registry`. Returns whether there were any.
pub fn remove(path: &Path, registry: &str) -> Result<bool, AuthError> {
    let mut cfg = read_config(path)?;
    let want = normalize_key(registry).to_string();
    let Some(Value::Object(auths)) = cfg.get_mut("auths") else {
        return Ok(false);
    };
    let before = auths.len();
    auths.retain(|k, _| normalize_key(k) != want);
    if auths.len() == before {
        return Ok(false);
    }
    write_config(path, &cfg)?;
    Ok(true)
}

/// Writes the file atomically (temp file in the same directory, fsync, rename), mode 0600.
fn write_config(path: &Path, cfg: &Map<String, Value>) -> Result<(), AuthError> {
    use std::os::unix::fs::OpenOptionsExt;
    let io_err = |source| AuthError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io_err)?;
    let tmp = dir.join(format!(".config.json.{}.tmp", std::process::id()));
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)
        .map_err(io_err)?;
    let mut body = serde_json::to_vec_pretty(cfg).expect("serializable");
    body.push(b'\n');
    let res = f
        .write_all(&body)
        .and_then(|_| f.sync_all())
        .and_then(|_| fs::rename(&tmp, path));
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res.map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lookup_remove_roundtrip_keeps_other_keys() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        fs::write(
            &p,
            r#"{"credsStore":"x","auths":{"other:1":{"auth":"YTpi"}}}"#,
        )
        .unwrap();
        let c = Credentials {
            username: "u".into(),
            password: "p:w".into(),
        };
        store(&p, "127.0.0.1:5601", &c).unwrap();
        assert_eq!(lookup(&p, "127.0.0.1:5601").unwrap(), Some(c));
        assert_eq!(
            lookup(&p, "other:1").unwrap().unwrap().username,
            "a",
            "other entries kept"
        );
        let v: Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
        assert_eq!(v["credsStore"], "x");
        assert!(remove(&p, "127.0.0.1:5601").unwrap());
        assert!(!remove(&p, "127.0.0.1:5601").unwrap());
        assert_eq!(lookup(&p, "127.0.0.1:5601").unwrap(), None);
    }

    #[test]
    fn docker_hub_keys_match_every_spelling() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        fs::write(
            &p,
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}"#,
        )
        .unwrap();
        assert_eq!(lookup(&p, "docker.io").unwrap().unwrap().password, "p");
        assert_eq!(server_key("docker.io"), DOCKER_HUB_KEY);
    }

    #[test]
    fn missing_file_means_no_credentials_and_bad_json_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config.json");
        assert_eq!(lookup(&p, "x").unwrap(), None);
        fs::write(&p, "{not json").unwrap();
        assert!(matches!(lookup(&p, "x"), Err(AuthError::Json { .. })));
    }
}
