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
pub async fn build() -> ApiError {
    ApiError::not_implemented(
        "berth cannot build images through the Engine API yet (berth's build is in progress)",
    )
}

pub async fn unknown(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("page not found: {}", uri.path()))
}
