//! `GET /events`: the event log as a stream of JSON objects, one a line; past events when
//! `since` or `until` is given, then new ones until `until` passes or the client goes away.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, filters};
use crate::engine::events::EventsOptions;

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    since: Option<String>,
    until: Option<String>,
    filters: Option<String>,
}

/// `SECONDS[.NANOSECONDS]` as Docker's clients send it; empty: none.
fn time(v: &Option<String>) -> ApiResult<Option<i64>> {
    match v.as_deref().filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => crate::events::unix_seconds(v)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(format!("invalid timestamp {v:?}"))),
    }
}

pub async fn events(
    State(s): State<AppState>,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Response> {
    let o = EventsOptions {
        since: time(&q.since)?,
        until: time(&q.until)?,
        filters: filters::parse(q.filters.as_deref())?,
    };
    let engine = s.engine.clone();
    // Bad options and an unreadable log get a status before the stream starts.
    let stream = blocking(move || engine.system_events(&o)).await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
    // A client that went away while nothing happens ends the following too.
    let closed = tx.clone();
    tokio::task::spawn_blocking(move || {
        let cancelled = || closed.is_closed();
        let r = stream.run(&cancelled, &mut |e: crate::events::Event| {
            let mut line = serde_json::to_vec(&e.message()).unwrap_or_default();
            line.push(b'\n');
            tx.blocking_send(line).is_ok()
        });
        if let Err(e) = r {
            tracing::warn!("events: {}", crate::error::one_line(&e));
        }
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(super::channel_body(rx))
        .expect("a valid response"))
}
