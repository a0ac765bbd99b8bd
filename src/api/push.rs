//! `POST /images/{name}/push` (Docker's JSON progress stream), `POST /auth` (a credential
//! check; the client keeps the credentials) and the `X-Registry-Auth` header that carries a
//! client's credentials into a push or a pull.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ApiResult, json_body};
use crate::engine::auth::LoginOptions;
use crate::engine::push::{ImagePushOptions, ImagePushed, PushEvent};
use crate::registry::auth::Credentials;

/// Docker's `AuthConfig`, the body of `/auth` and the JSON inside `X-Registry-Auth`.
#[derive(Debug, Default, Deserialize)]
pub struct AuthConfig {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// base64 `user:password`, as config.json stores it.
    #[serde(default)]
    auth: String,
    #[serde(default)]
    serveraddress: String,
    #[serde(default)]
    identitytoken: String,
    #[serde(default)]
    registrytoken: String,
}

impl AuthConfig {
    /// The username and password it carries, if any.
    fn credentials(self) -> ApiResult<Option<Credentials>> {
        if !self.identitytoken.is_empty() || !self.registrytoken.is_empty() {
            return Err(ApiError::not_implemented(
                "berth does not support identity or registry tokens in credentials yet; send a username and password",
            ));
        }
        if !self.username.is_empty() {
            return Ok(Some(Credentials {
                username: self.username,
                password: self.password,
            }));
        }
        if self.auth.is_empty() {
            return Ok(None);
        }
        let bad = || ApiError::bad_request("invalid X-Registry-Auth header: bad \"auth\" value");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(self.auth.trim())
            .map_err(|_| bad())?;
        let s = String::from_utf8(raw).map_err(|_| bad())?;
        let (u, p) = s.split_once(':').ok_or_else(bad)?;
        Ok(Some(Credentials {
            username: u.to_string(),
            password: p.to_string(),
        }))
    }
}

/// The credentials of an `X-Registry-Auth` header (base64url of Docker's `AuthConfig` JSON,
/// padded or not); `None` when it is absent or carries none.
pub fn registry_auth(headers: &HeaderMap) -> ApiResult<Option<Credentials>> {
    let Some(v) = headers.get("X-Registry-Auth") else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::bad_request("invalid X-Registry-Auth header: not ASCII"))?
        .trim();
    if v.is_empty() {
        return Ok(None);
    }
    decode_auth(v)?.credentials()
}

/// The credentials of an `X-Registry-Config` header (`POST /build`: base64url of a JSON map from
/// a registry's server key to Docker's `AuthConfig`); entries without usable credentials are
/// left out.
pub fn registry_config(headers: &HeaderMap) -> ApiResult<Vec<(String, Credentials)>> {
    let Some(v) = headers.get("X-Registry-Config") else {
        return Ok(Vec::new());
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::bad_request("invalid X-Registry-Config header: not ASCII"))?
        .trim();
    if v.is_empty() {
        return Ok(Vec::new());
    }
    let raw = lenient_base64(v)
        .map_err(|e| ApiError::bad_request(format!("invalid X-Registry-Config header: {e}")))?;
    let map: std::collections::BTreeMap<String, AuthConfig> = serde_json::from_slice(&raw)
        .map_err(|e| ApiError::bad_request(format!("invalid X-Registry-Config header: {e}")))?;
    let mut out = Vec::new();
    // The docker CLI sends every entry of its config: one berth cannot use (a token) is left
    // out rather than failing a build that may not need it.
    for (server, auth) in map {
        if let Ok(Some(c)) = auth.credentials() {
            out.push((server, c));
        }
    }
    Ok(out)
}

/// Base64 in either alphabet, padded or not (clients differ).
fn lenient_base64(v: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let lenient = |alphabet| {
        GeneralPurpose::new(
            alphabet,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        )
    };
    lenient(&base64::alphabet::URL_SAFE)
        .decode(v)
        .or_else(|_| lenient(&base64::alphabet::STANDARD).decode(v))
}

fn decode_auth(v: &str) -> ApiResult<AuthConfig> {
    let raw = lenient_base64(v)
        .map_err(|e| ApiError::bad_request(format!("invalid X-Registry-Auth header: {e}")))?;
    serde_json::from_slice(&raw)
        .map_err(|e| ApiError::bad_request(format!("invalid X-Registry-Auth header: {e}")))
}

/// `POST /auth`: checks the credentials against the registry, stores nothing.
pub async fn auth(
    State(s): State<AppState>,
    body: Result<axum::Json<AuthConfig>, JsonRejection>,
) -> ApiResult<axum::Json<Value>> {
    let a = json_body(body)?;
    let server = Some(a.serveraddress.clone()).filter(|s| !s.is_empty());
    let Some(creds) = a.credentials()? else {
        return Err(ApiError::bad_request("login: a username is required"));
    };
    let opts = LoginOptions {
        server,
        username: creds.username,
        password: creds.password,
        tls_verify: None,
    };
    let engine = s.engine.clone();
    match tokio::task::spawn_blocking(move || engine.login_check(opts)).await {
        Ok(Ok(_)) => Ok(axum::Json(
            json!({"Status": "Login Succeeded", "IdentityToken": ""}),
        )),
        Ok(Err(
            e @ crate::engine::Error::Login(crate::registry::login::LoginError::Unauthorized(_)),
        )) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            crate::error::one_line(&e),
        )),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(ApiError::internal(format!(
            "the request's task failed: {e}"
        ))),
    }
}

#[derive(Deserialize, Default)]
pub struct PushQuery {
    tag: Option<String>,
}

/// `POST /images/{name}/push?tag=`: without a tag (and none in the name), every tag of the
/// repository, as dockerd does. Errors found before anything is sent (a bad name, no such
/// tag) are Docker's status codes; later ones are `errorDetail` lines of the stream.
pub async fn push(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<PushQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let credentials = registry_auth(&headers)?;
    let (name, all_tags) = match q.tag.filter(|t| !t.is_empty()) {
        Some(t) => (format!("{name}:{t}"), false),
        None => {
            let tagged = crate::reference::Reference::parse_name_only(&name)
                .map(|r| r.tag.is_some())
                .unwrap_or(false);
            (name, !tagged)
        }
    };
    let o = ImagePushOptions {
        name,
        all_tags,
        tls_verify: None,
        credentials,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
    let engine = s.engine.clone();
    let events = tx.clone();
    let mut pushing = tokio::task::spawn_blocking(move || {
        engine.image_push(
            &o,
            Arc::new(move |e| {
                for line in event_json(&e) {
                    let _ = events.send(line);
                }
            }),
        )
    });
    // The first event comes once every tag was found: until then a failure is an HTTP status.
    let mut first = None;
    let early = tokio::select! {
        biased;
        e = rx.recv() => { first = e; None }
        r = &mut pushing => Some(r),
    };
    let finish =
        |tx: tokio::sync::mpsc::UnboundedSender<Value>,
         r: Result<crate::engine::Result<ImagePushed>, tokio::task::JoinError>| {
            let msg = match r {
                Ok(Ok(_)) => return,
                Ok(Err(e)) => crate::error::one_line(&e),
                Err(e) => format!("push failed: {e}"),
            };
            let _ = tx.send(json!({"errorDetail": {"message": msg}, "error": msg}));
        };
    match early {
        Some(Ok(Err(e))) => return Err(e.into()),
        Some(r) => finish(tx, r),
        None => {
            tokio::spawn(async move { finish(tx, pushing.await) });
        }
    }
    let line = |v: Value| {
        let mut line = v.to_string().into_bytes();
        line.push(b'\n');
        Ok::<_, std::io::Error>(line)
    };
    let rest = futures_util::StreamExt::map(super::receiver_stream(rx), line);
    let stream = futures_util::StreamExt::chain(futures_util::stream::iter(first.map(line)), rest);
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(Body::from_stream(stream))
        .expect("a valid response"))
}

/// A push event as the JSON lines dockerd writes for it.
fn event_json(e: &PushEvent) -> Vec<Value> {
    let layer = |status: &str, id: &str| json!({"status": status, "progressDetail": {}, "id": id});
    match e {
        PushEvent::Repository { name } => {
            vec![json!({"status": format!("The push refers to repository [{name}]")})]
        }
        PushEvent::LayerPreparing { layer: l } => vec![layer("Preparing", l)],
        PushEvent::LayerBytes {
            layer: l,
            done,
            total,
        } => vec![json!({
            "status": "Pushing",
            "progressDetail": {"current": done, "total": total},
            "id": l,
        })],
        PushEvent::LayerExists { layer: l } => vec![layer("Layer already exists", l)],
        PushEvent::LayerMounted { layer: l, from } => {
            vec![layer(&format!("Mounted from {from}"), l)]
        }
        PushEvent::LayerPushed { layer: l } => vec![layer("Pushed", l)],
        PushEvent::Pushed { tag, digest, size } => vec![
            json!({"status": format!("{tag}: digest: {digest} size: {size}")}),
            json!({"progressDetail": {}, "aux": {"Tag": tag, "Digest": digest, "Size": size}}),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("X-Registry-Auth", v.parse().unwrap());
        h
    }

    #[test]
    fn registry_auth_header_spellings() {
        let b64 = |s: &str, e: &base64::engine::GeneralPurpose| e.encode(s);
        use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
        let body = r#"{"username":"u?>","password":"p~~?","serveraddress":"127.0.0.1:5601"}"#;
        for e in [&URL_SAFE, &URL_SAFE_NO_PAD, &STANDARD] {
            let c = registry_auth(&header(&b64(body, e))).unwrap().unwrap();
            assert_eq!((c.username.as_str(), c.password.as_str()), ("u?>", "p~~?"));
        }
        let auth = STANDARD.encode("a:b:c");
        let c = registry_auth(&header(&b64(&format!(r#"{{"auth":"{auth}"}}"#), &URL_SAFE)))
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("a", "b:c"));
        assert!(registry_auth(&HeaderMap::new()).unwrap().is_none());
        assert!(
            registry_auth(&header(&b64("{}", &URL_SAFE)))
                .unwrap()
                .is_none()
        );
        let e = registry_auth(&header("!!notbase64")).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e = registry_auth(&header(&b64("[1]", &URL_SAFE))).unwrap_err();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn push_events_as_dockerd_writes_them() {
        let v = event_json(&PushEvent::Pushed {
            tag: "latest".into(),
            digest: "sha256:ab".into(),
            size: 528,
        });
        assert_eq!(v[0]["status"], "latest: digest: sha256:ab size: 528");
        assert_eq!(v[1]["aux"]["Size"], 528);
        let v = event_json(&PushEvent::LayerMounted {
            layer: "0123456789ab".into(),
            from: "busybox".into(),
        });
        assert_eq!(v[0]["status"], "Mounted from busybox");
        assert_eq!(v[0]["id"], "0123456789ab");
    }
}
