//! `GET /containers/{id}/stats`: Docker's stats JSON (`ContainerStatsResponse`), a sample a
//! second while streaming (each with the previous one's CPU figures as `precpu_stats`), or
//! one: with `stream=false`, two samples a second apart (so that `precpu_stats` gives CPU %,
//! as dockerd's), or the first with `one-shot=true`.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use bollard_stubs::models::ContainerStatsResponse;
use serde::Deserialize;

use super::error::ApiResult;
use super::{AppState, blocking};
use crate::engine::Engine;

#[derive(Deserialize, Default)]
pub struct StatsQuery {
    stream: Option<String>,
    #[serde(rename = "one-shot")]
    one_shot: Option<String>,
}

fn truthy(v: &Option<String>, default: bool) -> bool {
    match v.as_deref() {
        None | Some("") => default,
        Some(v) => matches!(v, "1" | "true" | "True" | "TRUE"),
    }
}

const INTERVAL: Duration = Duration::from_secs(1);

/// The next sample, with `prev`'s CPU figures and time as its "pre" ones.
fn next(
    engine: &Engine,
    id: &str,
    prev: Option<&ContainerStatsResponse>,
) -> crate::engine::Result<ContainerStatsResponse> {
    let mut s = engine.container_stats(id)?;
    if let Some(p) = prev {
        s.precpu_stats = p.cpu_stats.clone();
        s.preread = p.read.clone();
    }
    Ok(s)
}

fn json_line(s: &ContainerStatsResponse) -> Vec<u8> {
    let mut v = serde_json::to_vec(s).unwrap_or_default();
    v.push(b'\n');
    v
}

pub async fn stats(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<StatsQuery>,
) -> ApiResult<Response> {
    let stream = truthy(&q.stream, true);
    let one_shot = truthy(&q.one_shot, false);
    let engine = st.engine.clone();
    // A missing container gets its status before any byte.
    let (engine, id, first) = blocking(move || {
        let s = engine.container_stats(&id)?;
        Ok::<_, crate::engine::Error>((engine, id, s))
    })
    .await?;
    let response = |body: Body| {
        Response::builder()
            .status(StatusCode::OK)
            .header("Content-Type", "application/json")
            .body(body)
            .expect("a valid response")
    };
    if !stream {
        let running = first.read.as_deref() != Some("0001-01-01T00:00:00Z");
        let s = if one_shot || !running {
            first
        } else {
            tokio::time::sleep(INTERVAL).await;
            blocking(move || next(&engine, &id, Some(&first))).await?
        };
        return Ok(response(Body::from(json_line(&s))));
    }
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    tokio::task::spawn_blocking(move || {
        let mut prev = first;
        if tx.blocking_send(json_line(&prev)).is_err() {
            return;
        }
        loop {
            std::thread::sleep(INTERVAL);
            if tx.is_closed() {
                return;
            }
            let Ok(s) = next(&engine, &id, Some(&prev)) else {
                return;
            };
            if tx.blocking_send(json_line(&s)).is_err() {
                return;
            }
            prev = s;
        }
    });
    Ok(response(super::channel_body(rx)))
}
