//! `/_ping`, `/version`, `/info`, `/system/df`, and what a dockerd outside a swarm answers
//! for swarm and plugins.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking};

/// `GET`/`HEAD /_ping`: `OK`, and the headers clients negotiate with.
pub async fn ping() -> impl IntoResponse {
    let mut h = HeaderMap::new();
    h.insert(
        "Cache-Control",
        HeaderValue::from_static("no-cache, no-store, must-revalidate"),
    );
    h.insert("Pragma", HeaderValue::from_static("no-cache"));
    h.insert("Swarm", HeaderValue::from_static("inactive"));
    h.insert("Builder-Version", HeaderValue::from_static("1"));
    (StatusCode::OK, h, "OK")
}

pub async fn version(State(s): State<AppState>) -> impl IntoResponse {
    Json(s.engine.system_version())
}

pub async fn info(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    let engine = s.engine.clone();
    Ok(Json(blocking(move || engine.system_info()).await?))
}

/// `GET /system/df`: images (with their containers and shared bytes), containers (with their
/// writable layer's size), volumes (with their size and users), as `docker system df` reads it.
pub async fn disk_usage(State(s): State<AppState>) -> ApiResult<impl IntoResponse> {
    use axum::extract::Query;
    let engine = s.engine.clone();
    let du = blocking(move || engine.system_df()).await?;
    let Json(mut images) = super::images::list(State(s.clone()), Query(Default::default())).await?;
    for i in &mut images {
        match du.image_list.iter().find(|u| u.id == i.id) {
            Some(u) => {
                i.containers = u.containers as i64;
                i.shared_size = u.shared as i64;
            }
            None => i.containers = 0,
        }
    }
    let Json(mut containers) = super::containers::list(
        State(s.clone()),
        Query(super::containers::ListQuery::every()),
    )
    .await?;
    for c in &mut containers {
        let usage = du
            .container_list
            .iter()
            .find(|u| Some(&u.row.id) == c.id.as_ref());
        c.size_rw = Some(usage.map_or(0, |u| u.size as i64));
    }
    let engine = s.engine.clone();
    let listed = blocking(move || engine.volume_list(&Default::default())).await?;
    let volumes: Vec<serde_json::Value> = listed
        .into_iter()
        .map(|l| {
            let usage = du.volume_list.iter().find(|u| u.name == l.volume.name);
            let mut v = serde_json::to_value(&l.volume).unwrap_or_default();
            v["UsageData"] = serde_json::json!({
                "Size": usage.map_or(0, |u| u.size as i64),
                "RefCount": usage.map_or(l.containers, |u| u.links) as i64,
            });
            v
        })
        .collect();
    let engine = s.engine.clone();
    let cache = blocking(move || engine.build_cache_list()).await?;
    let builder_size: u64 = cache.iter().map(|c| c.size).sum();
    let build_cache: Vec<serde_json::Value> = cache
        .into_iter()
        .map(|c| {
            let time = |secs: i64| crate::clock::rfc3339_nanos(secs.saturating_mul(1_000_000_000));
            let mut v = serde_json::json!({
                "ID": c.id,
                "Type": c.kind,
                "Description": c.description,
                "InUse": c.in_use,
                "Shared": c.shared,
                "Size": c.size as i64,
                "CreatedAt": time(c.created),
                "LastUsedAt": time(c.last_used),
                "UsageCount": c.usage_count as i64,
            });
            if let Some(p) = c.parent {
                v["Parent"] = serde_json::json!(p);
                v["Parents"] = serde_json::json!([p]);
            }
            v
        })
        .collect();
    Ok(Json(serde_json::json!({
        "LayersSize": du.images.size as i64,
        "Images": images,
        "Containers": containers,
        "Volumes": volumes,
        "BuildCache": build_cache,
        "BuilderSize": builder_size as i64,
    })))
}

/// Swarm endpoints: this engine is not part of a swarm (Docker's words and status).
pub async fn not_a_swarm() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" \
         to connect this node to swarm and try again.",
    )
}

/// `GET /plugins`: none.
pub async fn plugins() -> impl IntoResponse {
    Json(Vec::<serde_json::Value>::new())
}

/// Any path the API does not have.
/// `POST /build`: not served yet (the build executor is to come).
pub async fn unknown(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("page not found: {}", uri.path()))
}
