//! The route table: Docker's paths (without the version prefix, which the service strips).

use axum::Router;
use axum::routing::{delete, get, post};

use super::{
    AppState, archive, attach, build, containers, events, exec, image_archive, images, networks,
    push, stats, system, volumes,
};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/_ping", get(system::ping).head(system::ping))
        .route("/version", get(system::version))
        .route("/info", get(system::info))
        .route("/system/df", get(system::disk_usage))
        .route("/build", post(build::build))
        .route("/build/prune", post(build::prune))
        .route("/events", get(events::events))
        .route("/plugins", get(system::plugins))
        .route("/swarm", get(system::not_a_swarm))
        .route("/nodes", get(system::not_a_swarm))
        .route("/services", get(system::not_a_swarm))
        .route("/tasks", get(system::not_a_swarm))
        .route("/secrets", get(system::not_a_swarm))
        .route("/configs", get(system::not_a_swarm))
        .route("/auth", post(push::auth))
        // containers
        .route("/containers/json", get(containers::list))
        .route("/containers/create", post(containers::create))
        .route("/containers/prune", post(containers::prune))
        .route("/containers/{id}/json", get(containers::inspect))
        .route("/containers/{id}/start", post(containers::start))
        .route("/containers/{id}/stop", post(containers::stop))
        .route("/containers/{id}/restart", post(containers::restart))
        .route("/containers/{id}/kill", post(containers::kill))
        .route("/containers/{id}/wait", post(containers::wait))
        .route("/containers/{id}/logs", get(containers::logs))
        .route("/containers/{id}/rename", post(containers::rename))
        .route("/containers/{id}/update", post(containers::update))
        .route("/containers/{id}/pause", post(containers::pause))
        .route("/containers/{id}/unpause", post(containers::unpause))
        .route("/containers/{id}/top", get(containers::top))
        .route("/containers/{id}/stats", get(stats::stats))
        .route("/containers/{id}", delete(containers::remove))
        .route("/containers/{id}/attach", post(attach::attach))
        .route("/containers/{id}/resize", post(attach::resize))
        .route("/containers/{id}/exec", post(exec::create))
        .route("/exec/{id}/start", post(exec::start))
        .route("/exec/{id}/resize", post(exec::resize))
        .route("/exec/{id}/json", get(exec::inspect))
        .route(
            "/containers/{id}/archive",
            get(archive::get).head(archive::head).put(archive::put),
        )
        .route("/containers/{id}/export", get(archive::export))
        .route("/containers/{id}/changes", get(archive::changes))
        .route("/commit", post(image_archive::commit))
        // images
        .route("/images/json", get(images::list))
        .route("/images/create", post(image_archive::create))
        .route("/images/get", get(image_archive::save_many))
        .route("/images/load", post(image_archive::load))
        .route("/images/prune", post(images::prune))
        .route(
            "/images/{*rest}",
            get(image_get).post(image_post).delete(images::remove),
        )
        // networks
        .route("/networks", get(networks::list))
        .route("/networks/create", post(networks::create))
        .route("/networks/prune", post(networks::prune))
        .route(
            "/networks/{id}",
            get(networks::inspect).delete(networks::remove),
        )
        .route("/networks/{id}/connect", post(networks::connect))
        .route("/networks/{id}/disconnect", post(networks::disconnect))
        // volumes
        .route("/volumes", get(volumes::list))
        .route("/volumes/create", post(volumes::create))
        .route("/volumes/prune", post(volumes::prune))
        .route(
            "/volumes/{name}",
            get(volumes::inspect).delete(volumes::remove),
        )
        .fallback(system::unknown)
        .with_state(state)
}

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

/// `GET /images/{name}/json|history`: image names contain slashes (`reg:5000/app/x`), so the
/// last segment says which.
async fn image_get(state: State<AppState>, Path(rest): Path<String>) -> Response {
    if let Some(name) = rest.strip_suffix("/json") {
        return into(images::inspect(state, Path(name.to_string())).await);
    }
    if let Some(name) = rest.strip_suffix("/get") {
        return into(image_archive::save(state.0, vec![name.to_string()]).await);
    }
    if let Some(name) = rest.strip_suffix("/history") {
        return into(images::history(state, Path(name.to_string())).await);
    }
    system::unknown(format!("/images/{rest}").parse().unwrap_or_default())
        .await
        .into_response()
}

/// `POST /images/{name}/tag|push`.
async fn image_post(
    state: State<AppState>,
    Path(rest): Path<String>,
    q: Query<images::TagQuery>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    if let Some(name) = rest.strip_suffix("/tag") {
        return into(images::tag(state, Path(name.to_string()), q).await);
    }
    if let Some(name) = rest.strip_suffix("/push") {
        let q = match Query::try_from_uri(&uri) {
            Ok(q) => q,
            Err(e) => return super::error::ApiError::bad_request(e.body_text()).into_response(),
        };
        return into(push::push(state, Path(name.to_string()), q, headers).await);
    }
    system::unknown(format!("/images/{rest}").parse().unwrap_or_default())
        .await
        .into_response()
}

fn into<T: IntoResponse>(r: super::error::ApiResult<T>) -> Response {
    match r {
        Ok(x) => x.into_response(),
        Err(e) => e.into_response(),
    }
}
