//! Checking credentials against a registry before `berth login` stores them, as Docker does:
//! `GET /v2/`, then answer its challenge (HTTP Basic, or a bearer token from the realm).

use reqwest::StatusCode;

use super::auth::Credentials;
use super::config::{RegistriesConfig, is_loopback};

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("login to {0} failed: unauthorized: incorrect username or password")]
    Unauthorized(String),
    #[error("cannot reach registry {registry}: {detail}")]
    Unreachable { registry: String, detail: String },
    #[error("registry {registry}: {detail}")]
    Protocol { registry: String, detail: String },
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
