//! The Docker Engine API front end (`berth system service`): Docker's REST API on a unix
//! socket, so that the docker CLI, Compose, the SDKs and Testcontainers drive berth. Like the
//! CLI, it only translates: JSON and query strings → the engine's typed options → an
//! [`Engine`] call (on a blocking thread) → Docker's JSON. It holds no state of its own:
//! containers run under their own monitors, so stopping the service stops no container, and
//! the CLI and the API see the same state at the same moment.
//!
//! - `service.rs`: the socket (path, mode, group, systemd socket activation), the accept loop,
//!   the idle timeout, the API version prefix.
//! - `routes.rs`: the route table.
//! - `error.rs`: engine errors as Docker's `{"message": …}` with its status codes.
//! - one file per noun: `system.rs`, `containers.rs`, `images.rs`, `networks.rs`, `volumes.rs`;
//!   `filters.rs` reads Docker's `filters` query parameter.

mod archive;
mod attach;
mod build;
mod containers;
mod error;
mod events;
pub mod exec;
mod filters;
mod image_archive;
mod images;
mod networks;
mod push;
mod routes;
mod service;
mod stats;
mod system;
mod volumes;

pub use service::{ServiceOptions, serve};

use crate::engine::Engine;

pub use crate::engine::system::{API_VERSION, MIN_API_VERSION};

/// What every handler gets: the engine.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
}

/// A boolean query parameter as Docker reads it (`1`, `true`, `True`, `TRUE`).
pub fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("1" | "true" | "True" | "TRUE"))
}

/// Runs an engine call on the blocking thread pool (engine calls do file, SQLite and process
/// work), and turns its error into Docker's answer.
pub async fn blocking<T, F>(f: F) -> Result<T, error::ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> crate::engine::Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(error::ApiError::from),
        Err(e) => Err(error::ApiError::internal(format!(
            "the request's task failed: {e}"
        ))),
    }
}

/// The receiving end of a tokio channel, bounded or not.
pub trait ChannelReceiver<T>: Send + 'static {
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>>;
}

impl<T: Send + 'static> ChannelReceiver<T> for tokio::sync::mpsc::Receiver<T> {
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
        self.poll_recv(cx)
    }
}

impl<T: Send + 'static> ChannelReceiver<T> for tokio::sync::mpsc::UnboundedReceiver<T> {
    fn poll_next(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
        self.poll_recv(cx)
    }
}

/// The items of `rx` as a stream, as they come; it ends when every sender is gone (the
/// producer finished, or failed after sending its error as an item).
pub fn receiver_stream<T>(
    mut rx: impl ChannelReceiver<T>,
) -> impl futures_util::Stream<Item = T> + Send + 'static {
    futures_util::stream::poll_fn(move |cx| rx.poll_next(cx))
}

/// A streamed response body of the chunks a producer (a blocking task, a follower) sends.
pub fn channel_body<T: Into<bytes::Bytes> + 'static>(
    rx: impl ChannelReceiver<T>,
) -> axum::body::Body {
    axum::body::Body::from_stream(futures_util::StreamExt::map(receiver_stream(rx), |c| {
        Ok::<_, std::io::Error>(c.into())
    }))
}
