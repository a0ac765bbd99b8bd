//! `/images/…`: list, inspect, history, tag, delete, prune, and pull (`/images/create`, with
//! Docker's JSON progress stream).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bollard_stubs::models::{
    HistoryResponseItem, ImageDeleteResponseItem, ImagePruneResponse, ImageSummary,
};
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, filters};
use crate::engine::images::{ImagePruneOptions, ImagePullOptions, ImageRemoveOptions};
use crate::images::Removed;
use crate::images::pull::PullEvent;

use super::flag;

/// RFC 3339 as Unix seconds (0 if unknown).
fn unix_seconds(t: Option<&str>) -> i64 {
    t.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    filters: Option<String>,
    all: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<ImageSummary>>> {
    let filters = filters::parse(q.filters.as_deref())?;
    let all = flag(&q.all);
    let engine = s.engine.clone();
    let rows = blocking(move || {
        engine.image_list(&crate::engine::images::ImageListOptions {
            repository: None,
            filters,
            all,
        })
    })
    .await?;
    // One entry per image, with all its tags and digests.
    let mut by_id: BTreeMap<String, ImageSummary> = BTreeMap::new();
    let mut order = Vec::new();
    for r in rows {
        let e = by_id.entry(r.image.id.clone()).or_insert_with(|| {
            order.push(r.image.id.clone());
            ImageSummary {
                id: r.image.id.clone(),
                parent_id: r.parent.clone().unwrap_or_default(),
                created: unix_seconds(r.image.created.as_deref()),
                size: r.image.size,
                shared_size: -1,
                containers: -1,
                ..Default::default()
            }
        });
        if r.repository != "<none>" {
            let tag = format!("{}:{}", r.repository, r.tag);
            if r.tag != "<none>" && !e.repo_tags.contains(&tag) {
                e.repo_tags.push(tag);
            }
            if let Some(d) = &r.digest {
                let digest = format!("{}@{d}", r.repository);
                if !e.repo_digests.contains(&digest) {
                    e.repo_digests.push(digest);
                }
            }
        }
    }
    Ok(Json(
        order
            .into_iter()
            .filter_map(|id| by_id.remove(&id))
            .collect(),
    ))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let engine = s.engine.clone();
    Ok(Json(blocking(move || engine.image_inspect(&name)).await?))
}

pub async fn history(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Vec<HistoryResponseItem>>> {
    let engine = s.engine.clone();
    let entries = blocking(move || engine.image_history(&name)).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|h| HistoryResponseItem {
                id: h.id,
                created: unix_seconds(h.created.as_deref()),
                created_by: h.created_by,
                tags: Vec::new(),
                size: h.size,
                comment: h.comment,
            })
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
pub struct TagQuery {
    repo: Option<String>,
    tag: Option<String>,
}

pub async fn tag(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<TagQuery>,
) -> ApiResult<StatusCode> {
    let repo = q
        .repo
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ApiError::bad_request("repository name is required"))?;
    let target = match q.tag.filter(|t| !t.is_empty()) {
        Some(t) => format!("{repo}:{t}"),
        None => repo,
    };
    let engine = s.engine.clone();
    blocking(move || engine.image_tag(&name, &target)).await?;
    Ok(StatusCode::CREATED)
}

fn removed_items(removed: Vec<Removed>) -> Vec<ImageDeleteResponseItem> {
    removed
        .into_iter()
        .map(|r| match r {
            Removed::Untagged(n) => ImageDeleteResponseItem {
                untagged: Some(n),
                deleted: None,
            },
            Removed::Deleted(id) => ImageDeleteResponseItem {
                untagged: None,
                deleted: Some(id),
            },
        })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct RemoveQuery {
    force: Option<String>,
}

/// `DELETE /images/{name}` (the name may contain slashes).
pub async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<RemoveQuery>,
) -> ApiResult<Json<Vec<ImageDeleteResponseItem>>> {
    let o = ImageRemoveOptions {
        force: flag(&q.force),
    };
    let engine = s.engine.clone();
    let removed = blocking(move || engine.image_remove(&name, &o)).await?;
    Ok(Json(removed_items(removed)))
}

#[derive(Deserialize, Default)]
pub struct PruneQuery {
    filters: Option<String>,
}

pub async fn prune(
    State(s): State<AppState>,
    Query(q): Query<PruneQuery>,
) -> ApiResult<Json<ImagePruneResponse>> {
    let filters = filters::parse(q.filters.as_deref())?;
    let engine = s.engine.clone();
    let pruned = blocking(move || {
        engine.image_prune(&ImagePruneOptions {
            all: false,
            filters,
        })
    })
    .await?;
    Ok(Json(ImagePruneResponse {
        images_deleted: Some(removed_items(pruned.removed)),
        space_reclaimed: Some(pruned.reclaimed as i64),
    }))
}

#[derive(Deserialize, Default)]
pub struct CreateQuery {
    #[serde(rename = "fromImage")]
    from_image: Option<String>,
    #[serde(rename = "fromSrc")]
    from_src: Option<String>,
    tag: Option<String>,
    platform: Option<String>,
}

/// `POST /images/create?fromImage=…&tag=…`: a pull, reported as Docker's JSON lines
/// (`status`, `id`, `progressDetail`; an `error`/`errorDetail` line if it fails midway).
pub async fn create(
    State(s): State<AppState>,
    Query(q): Query<CreateQuery>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    if q.from_src.is_some() {
        // (`image_archive::create` takes the imports.)
        return Err(ApiError::not_implemented(
            "berth imports only from the request body (fromSrc=-)",
        ));
    }
    let image = q
        .from_image
        .filter(|i| !i.is_empty())
        .ok_or_else(|| ApiError::bad_request("fromImage is required"))?;
    let reference = match q.tag.filter(|t| !t.is_empty()) {
        Some(t) if t.starts_with("sha256:") => format!("{image}@{t}"),
        Some(t) => format!("{image}:{t}"),
        None => image,
    };
    let o = ImagePullOptions {
        reference: reference.clone(),
        platform: q.platform.filter(|p| !p.is_empty()),
        tls_verify: None,
        credentials: super::push::registry_auth(&headers)?,
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let engine = s.engine.clone();
    let events = tx.clone();
    let mut pulling = tokio::task::spawn_blocking(move || {
        engine.image_pull(
            &o,
            Arc::new(move |e| {
                let _ = events.send(event_json(&e));
            }),
        )
    });
    // A pull that fails before it has found its image (a bad name, no such image or tag, no
    // registry) gets Docker's status code, as dockerd answers before its first line; once the
    // stream has begun, errors are lines in it. `Pulling from …` comes before the manifest, so
    // it is held back until the next event.
    let mut first = Vec::new();
    let early = loop {
        tokio::select! {
            biased;
            e = rx.recv() => {
                let Some(e) = e else { break None };
                let held = e["status"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("Pulling from "));
                first.push(e);
                if !held {
                    break None;
                }
            }
            r = &mut pulling => break Some(r),
        }
    };
    let finish = |tx: tokio::sync::mpsc::UnboundedSender<serde_json::Value>,
                  r: Result<
        crate::engine::Result<crate::engine::images::ImagePulled>,
        tokio::task::JoinError,
    >| {
        match r {
            Ok(Ok(p)) => {
                let _ = tx.send(json!({"status": format!("Digest: {}", p.digest)}));
                let status = if p.changed {
                    format!("Status: Downloaded newer image for {}", p.familiar)
                } else {
                    format!("Status: Image is up to date for {}", p.familiar)
                };
                let _ = tx.send(json!({ "status": status }));
            }
            Ok(Err(e)) => {
                let msg = crate::error::one_line(&e);
                let _ = tx.send(json!({"errorDetail": {"message": msg}, "error": msg}));
            }
            Err(e) => {
                let _ = tx.send(json!({"error": format!("pull failed: {e}")}));
            }
        }
    };
    match early {
        Some(Ok(Err(e))) => return Err(e.into()),
        Some(r) => finish(tx, r),
        None => {
            tokio::spawn(async move { finish(tx, pulling.await) });
        }
    }
    let line = |v: serde_json::Value| {
        let mut line = v.to_string().into_bytes();
        line.push(b'\n');
        Ok::<_, std::io::Error>(line)
    };
    let rest = futures_util::StreamExt::map(super::receiver_stream(rx), line);
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::iter(first.into_iter().map(line)),
        rest,
    );
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(Body::from_stream(stream))
        .expect("a valid response"))
}

/// A pull event as the JSON line Docker writes for it.
fn event_json(e: &PullEvent) -> serde_json::Value {
    let short = |l: &str| {
        l.trim_start_matches("sha256:")
            .chars()
            .take(12)
            .collect::<String>()
    };
    match e {
        PullEvent::Pulling { tag, repository } => {
            json!({"status": format!("Pulling from {repository}"), "id": tag})
        }
        PullEvent::Resolved { digest } => json!({"status": format!("Resolved {digest}")}),
        PullEvent::LayerQueued { layer, .. } => {
            json!({"status": "Pulling fs layer", "progressDetail": {}, "id": short(layer)})
        }
        PullEvent::LayerExists { layer } => {
            json!({"status": "Already exists", "progressDetail": {}, "id": short(layer)})
        }
        PullEvent::LayerBytes { layer, done } => json!({
            "status": "Downloading",
            "progressDetail": {"current": done},
            "id": short(layer),
        }),
        PullEvent::LayerDownloaded { layer } => {
            json!({"status": "Download complete", "progressDetail": {}, "id": short(layer)})
        }
        PullEvent::LayerComplete { layer } => {
            json!({"status": "Pull complete", "progressDetail": {}, "id": short(layer)})
        }
    }
}
