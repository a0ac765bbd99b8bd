//! `/networks/…`: list, inspect, create, delete, connect, disconnect, prune.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use bollard_stubs::models::{
    Network, NetworkConnectRequest, NetworkCreateRequest, NetworkCreateResponse,
    NetworkDisconnectRequest, NetworkPruneResponse,
};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, filters};
use crate::engine::{NetworkConnectOptions, NetworkCreateOptions};

#[derive(Deserialize, Default)]
pub struct FiltersQuery {
    filters: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    Query(q): Query<FiltersQuery>,
) -> ApiResult<Json<Vec<Network>>> {
    let filters = filters::parse(q.filters.as_deref())?;
    let engine = s.engine.clone();
    let list = blocking(move || {
        engine
            .network_list(&filters)?
            .iter()
            .map(|n| engine.network_inspect(&n.id))
            .collect::<crate::engine::Result<Vec<_>>>()
    })
    .await?;
    Ok(Json(list))
}

pub async fn inspect(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let engine = s.engine.clone();
    Ok(Json(blocking(move || engine.network_inspect(&name)).await?))
}

pub async fn create(
    State(s): State<AppState>,
    body: Result<Json<NetworkCreateRequest>, JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let r = super::error::json_body(body)?;
    if r.name.is_empty() {
        return Err(ApiError::bad_request("network name is required"));
    }
    let driver = r
        .driver
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "bridge".into());
    // (`Attachable` matters to swarm's overlay networks only: any container can join a
    // bridge network, so dockerd accepts it there, and so do we; Compose sets it.)
    if r.ingress == Some(true) || r.config_only == Some(true) {
        return Err(ApiError::bad_request(
            "berth does not support swarm networks (Ingress, ConfigOnly)",
        ));
    }
    let mut subnets = Vec::new();
    let mut gateways = Vec::new();
    if let Some(ipam) = &r.ipam {
        if ipam
            .driver
            .as_deref()
            .is_some_and(|d| !d.is_empty() && d != "default")
        {
            return Err(ApiError::bad_request(format!(
                "berth does not support the IPAM driver {:?}",
                ipam.driver.as_deref().unwrap_or_default()
            )));
        }
        for c in ipam.config.clone().unwrap_or_default() {
            if c.ip_range.as_ref().is_some_and(|r| !r.is_empty())
                || c.auxiliary_addresses
                    .as_ref()
                    .is_some_and(|a| !a.is_empty())
            {
                return Err(ApiError::bad_request(
                    "berth does not support IPRange or AuxiliaryAddresses yet",
                ));
            }
            if let Some(s) = c.subnet.filter(|s| !s.is_empty()) {
                subnets.push(s);
            }
            if let Some(g) = c.gateway.filter(|g| !g.is_empty()) {
                gateways.push(g);
            }
        }
    }
    let o = NetworkCreateOptions {
        name: r.name.clone(),
        driver,
        subnets,
        gateways,
        ipv6: r.enable_ipv6.unwrap_or(false),
        internal: r.internal.unwrap_or(false),
        labels: r
            .labels
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect::<BTreeMap<_, _>>(),
        options: r.options.clone().unwrap_or_default().into_iter().collect(),
    };
    let engine = s.engine.clone();
    let n = blocking(move || engine.network_create(&o)).await?;
    Ok((
        StatusCode::CREATED,
        Json(NetworkCreateResponse {
            id: n.id,
            warning: String::new(),
        }),
    ))
}

pub async fn remove(State(s): State<AppState>, Path(name): Path<String>) -> ApiResult<StatusCode> {
    let engine = s.engine.clone();
    blocking(move || engine.network_remove(&name)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn connect(
    State(s): State<AppState>,
    Path(name): Path<String>,
    version: Option<axum::Extension<super::service::ApiVersion>>,
    body: Result<Json<NetworkConnectRequest>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let r = super::error::json_body(body)?;
    let container = super::error::required(r.container, "container")?;
    let endpoint = r.endpoint_config.unwrap_or_default();
    let ipam = endpoint.ipam_config.unwrap_or_default();
    // An endpoint's MAC address came with API 1.44 (as at create); dockerd ignores it before.
    let with_mac = super::service::ApiVersion::of(version) >= super::service::ApiVersion(1, 44);
    let o = NetworkConnectOptions {
        aliases: endpoint.aliases.unwrap_or_default(),
        ip: ipam.ipv4_address.filter(|a| !a.is_empty()),
        ip6: ipam.ipv6_address.filter(|a| !a.is_empty()),
        mac_address: endpoint.mac_address.filter(|m| with_mac && !m.is_empty()),
    };
    let engine = s.engine.clone();
    blocking(move || engine.network_connect(&name, &container, &o)).await?;
    Ok(StatusCode::OK)
}

pub async fn disconnect(
    State(s): State<AppState>,
    Path(name): Path<String>,
    body: Result<Json<NetworkDisconnectRequest>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let r = super::error::json_body(body)?;
    let container = super::error::required(r.container, "container")?;
    let engine = s.engine.clone();
    blocking(move || engine.network_disconnect(&name, &container)).await?;
    Ok(StatusCode::OK)
}

pub async fn prune(
    State(s): State<AppState>,
    Query(q): Query<FiltersQuery>,
) -> ApiResult<Json<NetworkPruneResponse>> {
    let filters = filters::parse(q.filters.as_deref())?;
    let engine = s.engine.clone();
    let names = blocking(move || engine.network_prune(&filters)).await?;
    Ok(Json(NetworkPruneResponse {
        networks_deleted: Some(names),
    }))
}
