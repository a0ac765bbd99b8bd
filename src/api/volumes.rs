//! `/volumes/…`: list, create, inspect, delete, prune.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, filters};
use crate::engine::volumes::{
    VolumeCreateOptions, VolumeFilter, VolumeListOptions, VolumePruneOptions, VolumeRemoveOptions,
};

#[derive(Deserialize, Default)]
pub struct FiltersQuery {
    filters: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<FiltersQuery>,
) -> ApiResult<impl IntoResponse> {
    let filters = filters::parse(q.filters.as_deref())?
        .into_iter()
        .map(|(k, v)| VolumeFilter::parse(&format!("{k}={v}")))
        .collect::<crate::engine::Result<Vec<_>>>()
        .map_err(ApiError::from)?;
    let engine = s.engine.clone();
    let list = blocking(move || engine.volume_list(&VolumeListOptions { filters })).await?;
    let volumes: Vec<_> = list.into_iter().map(|v| v.volume).collect();
    Ok(Json(json!({ "Volumes": volumes, "Warnings": [] })))
}

/// `POST /volumes/create`'s body.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct CreateBody {
    name: Option<String>,
    driver: Option<String>,
    driver_opts: Option<std::collections::BTreeMap<String, String>>,
    labels: Option<std::collections::BTreeMap<String, String>>,
}

pub async fn create(
    State(s): State<AppState>,
    body: Result<Json<CreateBody>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let b = super::error::json_body(body)?;
    let o = VolumeCreateOptions {
        name: b.name.filter(|n| !n.is_empty()),
        driver: b
            .driver
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "local".into()),
        labels: b.labels.unwrap_or_default(),
        options: b.driver_opts.unwrap_or_default(),
    };
    let engine = s.engine.clone();
    let v = blocking(move || engine.volume_create(o)).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let engine = s.engine.clone();
    Ok(Json(blocking(move || engine.volume_inspect(&name)).await?))
}

#[derive(Deserialize, Default)]
pub struct RemoveQuery {
    force: Option<String>,
}

pub async fn remove(
    State(s): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<RemoveQuery>,
) -> ApiResult<StatusCode> {
    let o = VolumeRemoveOptions {
        force: super::flag(&q.force),
    };
    let engine = s.engine.clone();
    blocking(move || engine.volume_remove(&name, &o)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn prune(
    State(s): State<AppState>,
    Query(q): Query<FiltersQuery>,
) -> ApiResult<impl IntoResponse> {
    let filters: Vec<String> = filters::parse(q.filters.as_deref())?
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let o = VolumePruneOptions::from_filters(false, &filters).map_err(ApiError::from)?;
    let engine = s.engine.clone();
    let pruned = blocking(move || engine.volume_prune(&o)).await?;
    Ok(Json(json!({
        "VolumesDeleted": pruned.names,
        "SpaceReclaimed": pruned.reclaimed,
    })))
}
