//! `POST /build`: Docker's classic builder (what `DOCKER_BUILDKIT=0 docker build`, docker-py and
//! Compose 1.29 call). The body is the context as a tar stream (plain, gzip or zstd), unpacked
//! by the engine's confined unpacker; the answer is Docker's JSON message stream
//! (`{"stream": "Step 1/3 : …\n"}`, `{"aux": {"ID": "sha256:…"}}`, and on failure
//! `{"errorDetail": {"message": …}, "error": …}` with status 200, as dockerd). The build runs on
//! the blocking pool: its RUN steps are containers under their own monitors, never clones of
//! this multi-threaded process. A client that goes away cancels the build.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::image_archive::{BodyReader, all, one, params};
use crate::engine::build::{BuildContext, BuildOptions, BuildProgress};

/// A JSON object parameter (`buildargs`, `labels`): `{"k": "v"}`; a null value (a build arg
/// named without a value) is left out.
fn object(ps: &[(String, String)], key: &str) -> ApiResult<Vec<(String, String)>> {
    let Some(text) = one(ps, key) else {
        return Ok(Vec::new());
    };
    let v: serde_json::Map<String, Value> = serde_json::from_str(&text)
        .map_err(|e| ApiError::bad_request(format!("invalid {key}: {e}")))?;
    let mut out = Vec::new();
    for (k, v) in v {
        match v {
            Value::String(s) => out.push((k, s)),
            Value::Null => {}
            other => out.push((k, other.to_string())),
        }
    }
    Ok(out)
}

fn is_set(ps: &[(String, String)], key: &str) -> bool {
    super::flag(&one(ps, key))
}

pub async fn build(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let ps = params(q.as_deref());
    let registry_credentials = super::push::registry_config(&headers)?;
    // `remote`: a Git repository or an HTTP(S) URL the engine fetches; the body is not read.
    // (BuildKit's "client-session" is no URL: the classic builder has no session.)
    let remote = one(&ps, "remote").filter(|r| !r.is_empty());
    if let Some(r) = &remote
        && !crate::build::remote::is_remote(r)
    {
        return Err(ApiError::bad_request(format!(
            "unable to prepare context: remote {r:?} is not a Git or HTTP(S) URL"
        )));
    }
    let mut build_args = object(&ps, "buildargs")?;
    let source_date_epoch = match build_args
        .iter()
        .rev()
        .find(|(k, _)| k == "SOURCE_DATE_EPOCH")
        .map(|(_, v)| v.trim().to_string())
    {
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid SOURCE_DATE_EPOCH: {v:?}")))?,
        ),
        None => None,
    };
    build_args.retain(|(k, _)| k != "SOURCE_DATE_EPOCH");
    let quiet = is_set(&ps, "q");
    let cancel = Arc::new(AtomicBool::new(false));
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    let line = |v: Value| {
        let mut l = serde_json::to_vec(&v).unwrap_or_default();
        l.push(b'\n');
        l
    };
    let progress: BuildProgress = {
        let tx = tx.clone();
        Arc::new(move |text: &str| {
            if !quiet {
                let _ = tx.blocking_send(line(json!({ "stream": text })));
            }
        })
    };
    let opts = BuildOptions {
        context: match remote {
            Some(url) => BuildContext::Remote(url),
            None => BuildContext::Tar(Box::new(BodyReader::new(body))),
        },
        dockerfile: one(&ps, "dockerfile"),
        dockerfile_content: None,
        tags: all(&ps, "t"),
        build_args,
        target: one(&ps, "target"),
        no_cache: is_set(&ps, "nocache"),
        pull: is_set(&ps, "pull"),
        labels: object(&ps, "labels")?,
        platform: one(&ps, "platform"),
        network: one(&ps, "networkmode").filter(|m| m != "default"),
        source_date_epoch,
        secrets: Vec::new(),
        cancel: cancel.clone(),
        registry_credentials,
        outputs: Vec::new(),
        output_stdout: None,
    };
    // The client's hang-up cancels the build (its step's container is removed). The watcher
    // holds a sender: it is stopped when the build ends, so that the stream can end.
    let watcher = {
        let (tx, cancel) = (tx.clone(), cancel.clone());
        tokio::spawn(async move {
            tx.closed().await;
            cancel.store(true, Ordering::SeqCst);
        })
    };
    let engine = s.engine.clone();
    tokio::task::spawn_blocking(move || {
        let result = engine.image_build(opts, progress);
        watcher.abort();
        let msg = match result {
            Ok(r) => {
                let mut out = line(json!({ "aux": { "ID": r.id } }));
                if quiet {
                    out.extend(line(json!({ "stream": format!("{}\n", r.id) })));
                }
                out
            }
            Err(e) => {
                let m = crate::error::one_line(&e);
                line(json!({ "errorDetail": { "message": m }, "error": m }))
            }
        };
        let _ = tx.blocking_send(msg);
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(super::channel_body(rx))
        .expect("a valid response"))
}

#[derive(serde::Deserialize, Default)]
pub struct PruneQuery {
    all: Option<String>,
    filters: Option<String>,
    #[serde(rename = "keep-storage")]
    keep_storage: Option<i64>,
    #[serde(rename = "reserved-space")]
    reserved_space: Option<i64>,
    #[serde(rename = "max-used-space")]
    max_used_space: Option<i64>,
    #[serde(rename = "min-free-space")]
    min_free_space: Option<i64>,
}

/// `POST /build/prune`: `all`, `filters` (`until`), `keep-storage`, `reserved-space`,
/// `max-used-space`, `min-free-space`.
pub async fn prune(
    State(s): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<PruneQuery>,
) -> ApiResult<axum::Json<bollard_stubs::models::BuildPruneResponse>> {
    let opts = crate::engine::build::BuilderPruneOptions {
        all: q
            .all
            .as_deref()
            .is_some_and(|v| !matches!(v, "" | "0" | "no" | "false" | "none")),
        filters: super::filters::parse(q.filters.as_deref())?,
        keep_storage: q.keep_storage.map(|n| n.max(0) as u64),
        reserved_space: q.reserved_space.map(|n| n.max(0) as u64),
        max_used_space: q.max_used_space.map(|n| n.max(0) as u64),
        min_free_space: q.min_free_space.map(|n| n.max(0) as u64),
    };
    let engine = s.engine.clone();
    let pruned = super::blocking(move || engine.builder_prune(&opts)).await?;
    Ok(axum::Json(bollard_stubs::models::BuildPruneResponse {
        caches_deleted: Some(pruned.caches_deleted),
        space_reclaimed: Some(pruned.space_reclaimed as i64),
    }))
}
