//! `/containers/{id}/archive` (HEAD: stat, GET: a tar of a path, PUT: a tar extracted into a
//! directory — `docker cp`), `/containers/{id}/export` and `/containers/{id}/changes`.
//! Tar streams go out as the engine writes them and come in as the client sends them.

use std::io::{self, Read, Write};

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use bollard_stubs::models::{ChangeType, FilesystemChange};
use futures_util::StreamExt;
use serde::Deserialize;

use super::error::{ApiError, ApiResult, required};
use super::{AppState, blocking, flag};
use crate::engine::archive::{ArchivePutOptions, ChangeKind, ContainerArchive, PathStat};

const STAT_HEADER: &str = "X-Docker-Container-Path-Stat";

#[derive(Deserialize, Default)]
pub struct PathQuery {
    path: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct PutQuery {
    path: Option<String>,
    #[serde(rename = "noOverwriteDirNonDir")]
    no_overwrite_dir_non_dir: Option<String>,
    #[serde(rename = "copyUIDGID")]
    copy_uid_gid: Option<String>,
}

/// Docker's stat header: URL-safe base64 of `{name, size, mode, mtime, linkTarget}`.
fn stat_header(st: &PathStat) -> String {
    let json = serde_json::json!({
        "name": st.name,
        "size": st.size,
        "mode": st.mode,
        "mtime": crate::clock::rfc3339_nanos(st.mtime),
        "linkTarget": st.link_target,
    });
    base64::engine::general_purpose::URL_SAFE.encode(json.to_string())
}

pub async fn head(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PathQuery>,
) -> ApiResult<Response> {
    let path = required(q.path, "path")?;
    let engine = s.engine.clone();
    let stat = blocking(move || engine.container_archive_stat(&id, &path)).await?;
    Response::builder()
        .status(StatusCode::OK)
        .header(STAT_HEADER, stat_header(&stat))
        .body(Body::empty())
        .map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn get(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PathQuery>,
) -> ApiResult<Response> {
    let path = required(q.path, "path")?;
    let engine = s.engine.clone();
    let (stat, archive) = blocking(move || engine.container_archive_get(&id, &path)).await?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/x-tar")
        .header(STAT_HEADER, stat_header(&stat))
        .body(stream(archive))
        .map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn export(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let engine = s.engine.clone();
    let archive = blocking(move || engine.container_export(&id)).await?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/x-tar")
        .body(stream(archive))
        .map_err(|e| ApiError::internal(e.to_string()))
}

pub async fn put(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<PutQuery>,
    body: Body,
) -> ApiResult<StatusCode> {
    let path = required(q.path, "path")?;
    let o = ArchivePutOptions {
        no_overwrite_dir_non_dir: flag(&q.no_overwrite_dir_non_dir),
        copy_uid_gid: flag(&q.copy_uid_gid),
    };
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(16);
    let forward = tokio::spawn(async move {
        let mut data = body.into_data_stream();
        let mut open = true;
        while let Some(chunk) = data.next().await {
            if !open {
                // The engine stopped reading (it failed): the rest is read and dropped, so
                // the client gets the answer rather than a broken pipe.
                continue;
            }
            let chunk = chunk.map_err(io::Error::other);
            let failed = chunk.is_err();
            open = tx.send(chunk).await.is_ok();
            if failed {
                break;
            }
        }
    });
    let reader = ChannelReader {
        rx,
        cur: Bytes::new(),
    };
    let engine = s.engine.clone();
    let result = blocking(move || engine.container_archive_put(&id, &path, reader, &o)).await;
    if result.is_err() {
        // Let the client finish sending (for a while) before it gets the error.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), forward).await;
    } else {
        forward.abort();
    }
    result?;
    Ok(StatusCode::OK)
}

pub async fn changes(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<FilesystemChange>>> {
    let engine = s.engine.clone();
    let changes = blocking(move || engine.container_changes(&id)).await?;
    Ok(Json(
        changes
            .into_iter()
            .map(|c| FilesystemChange {
                path: c.path,
                kind: match c.kind {
                    ChangeKind::Modified => ChangeType::_0,
                    ChangeKind::Added => ChangeType::_1,
                    ChangeKind::Deleted => ChangeType::_2,
                },
            })
            .collect(),
    ))
}

/// The archive written on a blocking thread into the response body as it comes; a failure
/// midway aborts the response (the client sees a broken transfer, not a short archive).
fn stream(archive: ContainerArchive) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Vec<u8>>>(16);
    tokio::task::spawn_blocking(move || {
        let mut out = io::BufWriter::with_capacity(64 * 1024, ChannelWriter { tx: tx.clone() });
        let result = archive.write_to(&mut out).and_then(|()| {
            out.flush()
                .map_err(crate::engine::Error::io("sending the archive"))
        });
        if let Err(e) = result {
            tracing::debug!("archive stream stopped: {}", crate::error::one_line(&e));
            let _ = tx.blocking_send(Err(io::Error::other(crate::error::one_line(&e))));
        }
    });
    Body::from_stream(super::receiver_stream(rx))
}

struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<Vec<u8>>>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tx
            .blocking_send(Ok(buf.to_vec()))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The request body as a blocking reader (on the engine's thread).
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    cur: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.cur = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur = self.cur.slice(n..);
        Ok(n)
    }
}
