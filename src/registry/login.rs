//! Checking credentials against a registry before `berth login` stores them, as Docker does:
//! `GET /v2/`, then answer its challenge (HTTP Basic, or a bearer token from the realm).

use reqwest::StatusCode;

use super::auth::{AuthError, Credentials};
use super::config::{RegistriesConfig, is_loopback};
use crate::reference::DEFAULT_REGISTRY;

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("login to {0} failed: unauthorized: incorrect username or password")]
    Unauthorized(String),
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable { registry: String, detail: String },
    #[error("registry {registry}: {detail}")]
    Protocol { registry: String, detail: String },
    /// Reading or writing the stored credentials (Docker's config.json).
    #[error(transparent)]
    Credentials(#[from] AuthError),
}

/// The registry host a user names in `login`/`logout`: `https://host:port/v1/` or `host:port` →
/// `host:port`; Docker Hub's spellings (and none) → `docker.io`.
pub fn registry_host(server: Option<&str>) -> String {
    let s = server.unwrap_or(DEFAULT_REGISTRY);
    let s = s
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let s = s.split('/').next().unwrap_or(s);
    match s {
        "index.docker.io" | "registry-1.docker.io" => DEFAULT_REGISTRY.to_string(),
        other => other.to_string(),
    }
}

/// Parses `Bearer realm="…",service="…"` (or `Basic realm="…"`) into the scheme and parameters.
pub fn parse_challenge(h: &str) -> (String, Vec<(String, String)>) {
    let h = h.trim();
    let (scheme, rest) = h.split_once(' ').unwrap_or((h, ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((k, after)) = rest.split_once('=') else {
            break;
        };
        let k = k.trim().trim_start_matches(',').trim().to_lowercase();
        let after = after.trim_start();
        let (v, remaining) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (&q[..end], &q[end + 1..]),
                None => (q, ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        params.push((k, v.to_string()));
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    (scheme.to_lowercase(), params)
}

/// Verifies `creds` against `registry` (a host such as `127.0.0.1:5601` or `docker.io`).
pub async fn verify(
    registry: &str,
    creds: &Credentials,
    tls_verify: Option<bool>,
    config: &RegistriesConfig,
) -> Result<(), LoginError> {
    let host = if registry == "docker.io" {
        "index.docker.io"
    } else {
        registry
    };
    let insecure = tls_verify == Some(false) || config.is_insecure(registry);
    let schemes: &[&str] = if is_loopback(registry) {
        &["http"]
    } else if insecure {
        &["https", "http"]
    } else {
        &["https"]
    };
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(insecure)
        .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| LoginError::Protocol {
            registry: registry.into(),
            detail: e.to_string(),
        })?;
    let mut last = None;
    for scheme in schemes {
        match verify_at(&client, &format!("{scheme}://{host}"), registry, creds).await {
            Err(e @ LoginError::Unreachable { .. }) => last = Some(e),
            other => return other,
        }
    }
    Err(last.expect("one scheme at least"))
}

async fn verify_at(
    client: &reqwest::Client,
    base: &str,
    registry: &str,
    creds: &Credentials,
) -> Result<(), LoginError> {
    let unreachable = |e: reqwest::Error| LoginError::Unreachable {
        registry: registry.into(),
        detail: e.to_string(),
    };
    let res = client
        .get(format!("{base}/v2/"))
        .send()
        .await
        .map_err(unreachable)?;
    if res.status() == StatusCode::OK {
        return Ok(());
    }
    if res.status() != StatusCode::UNAUTHORIZED {
        return Err(LoginError::Protocol {
            registry: registry.into(),
            detail: format!("GET /v2/ answered HTTP {}", res.status()),
        });
    }
    let challenge = res
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (scheme, params) = parse_challenge(&challenge);
    let param = |k: &str| {
        params
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
    };
    let res = match scheme.as_str() {
        "basic" => client
            .get(format!("{base}/v2/"))
            .basic_auth(&creds.username, Some(&creds.password))
            .send()
            .await
            .map_err(unreachable)?,
        "bearer" => {
            let realm = param("realm").ok_or_else(|| LoginError::Protocol {
                registry: registry.into(),
                detail: "bearer challenge without realm".into(),
            })?;
            let mut query = vec![
                ("account".to_string(), creds.username.clone()),
                ("client_id".to_string(), "berth".to_string()),
            ];
            if let Some(s) = param("service") {
                query.push(("service".into(), s));
            }
            client
                .get(realm)
                .query(&query)
                .basic_auth(&creds.username, Some(&creds.password))
                .send()
                .await
                .map_err(unreachable)?
        }
        other => {
            return Err(LoginError::Protocol {
                registry: registry.into(),
                detail: format!("unsupported authentication scheme {other:?}"),
            });
        }
    };
    match res.status() {
        s if s.is_success() => Ok(()),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            Err(LoginError::Unauthorized(registry.into()))
        }
        s => Err(LoginError::Protocol {
            registry: registry.into(),
            detail: format!("authentication answered HTTP {s}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_spellings() {
        assert_eq!(registry_host(None), "docker.io");
        assert_eq!(
            registry_host(Some("https://index.docker.io/v1/")),
            "docker.io"
        );
        assert_eq!(registry_host(Some("registry-1.docker.io")), "docker.io");
        assert_eq!(registry_host(Some("127.0.0.1:5601")), "127.0.0.1:5601");
        assert_eq!(
            registry_host(Some("http://r.example:5000/")),
            "r.example:5000"
        );
    }

    #[test]
    fn parses_bearer_and_basic_challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="http://127.0.0.1:5603/token",service="berth-test",scope="repository:a:pull""#,
        );
        assert_eq!(s, "bearer");
        assert_eq!(p[0], ("realm".into(), "http://127.0.0.1:5603/token".into()));
        assert_eq!(p[1], ("service".into(), "berth-test".into()));
        assert_eq!(p[2].1, "repository:a:pull");
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!(s, "basic");
        assert_eq!(p[0].1, "Registry Realm");
    }
}
