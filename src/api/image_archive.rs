//! `POST /commit`, `GET /images/{name}/get`, `GET /images/get`, `POST /images/load` and
//! `POST /images/create?fromSrc=-` (import): archives stream between the request or response
//! body and the engine, which reads and writes them on the blocking pool.

use std::io::{self, Read, Write};

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking, images};
use crate::engine::image_archive::{ContainerCommitOptions, ImageImportOptions};

/// Query parameters in order, `+` and `%XX` decoded; repeated keys repeat.
pub(super) fn params(raw: Option<&str>) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < b.len()
                    && b[i + 1].is_ascii_hexdigit()
                    && b[i + 2].is_ascii_hexdigit() =>
                {
                    let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ASCII");
                    out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
                    i += 2;
                }
                c => out.push(c),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    raw.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub(super) fn one(ps: &[(String, String)], key: &str) -> Option<String> {
    ps.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

pub(super) fn all(ps: &[(String, String)], key: &str) -> Vec<String> {
    ps.iter()
        .filter(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

/// `repo` and `tag` as one `REPO[:TAG]`.
fn reference(ps: &[(String, String)]) -> Option<String> {
    let repo = one(ps, "repo")?;
    Some(match one(ps, "tag") {
        Some(t) => format!("{repo}:{t}"),
        None => repo,
    })
}

/// The request body as a blocking `Read` (for the engine on the blocking pool).
pub(super) struct BodyReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    buf: Bytes,
}

impl BodyReader {
    pub(super) fn new(body: Body) -> BodyReader {
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        tokio::spawn(async move {
            let mut s = body.into_data_stream();
            while let Some(chunk) = s.next().await {
                let chunk = chunk.map_err(io::Error::other);
                let failed = chunk.is_err();
                if tx.send(chunk).await.is_err() || failed {
                    break;
                }
            }
        });
        BodyReader {
            rx,
            buf: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.buf.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.buf = b,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        let _ = self.buf.split_to(n);
        Ok(n)
    }
}

/// A blocking `Write` that becomes the response body.
struct BodyWriter(tokio::sync::mpsc::Sender<Bytes>);

impl Write for BodyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `POST /commit?container=&repo=&tag=&comment=&author=&pause=&changes=`.
pub async fn commit(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let ps = params(q.as_deref());
    let container =
        one(&ps, "container").ok_or_else(|| ApiError::bad_request("container is required"))?;
    let o = ContainerCommitOptions {
        container,
        reference: reference(&ps),
        author: one(&ps, "author"),
        comment: one(&ps, "comment"),
        changes: all(&ps, "changes")
            .iter()
            .flat_map(|c| c.lines().map(str::to_string).collect::<Vec<_>>())
            .collect(),
        pause: one(&ps, "pause").is_none_or(|p| super::flag(&Some(p))),
    };
    let engine = s.engine.clone();
    let id = blocking(move || engine.container_commit(&o)).await?;
    Ok((StatusCode::CREATED, Json(json!({"Id": id}))).into_response())
}

/// `GET /images/{name}/get` and `GET /images/get?names=…`: a tar stream.
pub async fn save(s: AppState, names: Vec<String>) -> ApiResult<Response> {
    if names.is_empty() {
        return Err(ApiError::bad_request("no image names given"));
    }
    // Unknown names get their 404 before the stream starts.
    let engine = s.engine.clone();
    let check = names.clone();
    blocking(move || {
        for n in &check {
            engine.image_inspect(n)?;
        }
        Ok(())
    })
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let engine = s.engine.clone();
    tokio::task::spawn_blocking(move || {
        let mut w = io::BufWriter::with_capacity(1 << 20, BodyWriter(tx));
        if let Err(e) = engine.image_save(&names, &mut w) {
            tracing::warn!("image save: {}", crate::error::one_line(&e));
        }
    });
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/x-tar")
        .body(super::channel_body(rx))
        .expect("a valid response"))
}

/// `GET /images/get?names=a&names=b`.
pub async fn save_many(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let names = all(&params(q.as_deref()), "names");
    save(s, names).await
}

/// `POST /images/load?quiet=`: Docker's JSON stream (`{"stream": "Loaded image: …\n"}`).
pub async fn load(State(s): State<AppState>, body: Body) -> ApiResult<Response> {
    let engine = s.engine.clone();
    let loaded = blocking(move || {
        let mut r = BodyReader::new_blocking(body);
        engine.image_load(&mut r)
    })
    .await?;
    let mut out = String::new();
    for l in &loaded {
        let mut line = |text: String| {
            out.push_str(&json!({ "stream": text }).to_string());
            out.push('\n');
        };
        if l.tags.is_empty() {
            line(format!("Loaded image ID: {}\n", l.id));
        }
        for t in &l.tags {
            line(format!("Loaded image: {t}\n"));
        }
    }
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(Body::from(out))
        .expect("a valid response"))
}

impl BodyReader {
    /// [`BodyReader::new`] from a blocking thread: the body is pumped by a task on the
    /// service's runtime.
    fn new_blocking(body: Body) -> BodyReader {
        let handle = tokio::runtime::Handle::current();
        let _guard = handle.enter();
        BodyReader::new(body)
    }
}

/// `POST /images/create`: an import with `fromSrc=-` (the body is the tarball), a pull
/// otherwise.
pub async fn create(
    state: State<AppState>,
    uri: Uri,
    RawQuery(q): RawQuery,
    headers: axum::http::HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let ps = params(q.as_deref());
    let Some(src) = one(&ps, "fromSrc") else {
        let query = Query::try_from_uri(&uri).map_err(|e| ApiError::bad_request(e.to_string()))?;
        return images::create(state, query, headers).await;
    };
    if src != "-" {
        return Err(ApiError::not_implemented(
            "berth imports only from the request body (fromSrc=-), not from a URL",
        ));
    }
    let repo = one(&ps, "repo");
    let o = ImageImportOptions {
        reference: repo.map(|r| match one(&ps, "tag") {
            Some(t) => format!("{r}:{t}"),
            None => r,
        }),
        comment: one(&ps, "message"),
        changes: all(&ps, "changes"),
        source: "-".into(),
    };
    let engine = state.engine.clone();
    let id = blocking(move || {
        let mut r = BodyReader::new_blocking(body);
        engine.image_import(&mut r, &o)
    })
    .await?;
    let line = json!({ "status": id }).to_string() + "\n";
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .body(Body::from(line))
        .expect("a valid response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_repeat_and_decode() {
        let ps = params(Some("names=a%2Fb%3A1&names=c+d&x=&changes=ENV%20A%3D1"));
        assert_eq!(all(&ps, "names"), vec!["a/b:1", "c d"]);
        assert_eq!(one(&ps, "x"), None);
        assert_eq!(one(&ps, "changes").as_deref(), Some("ENV A=1"));
        assert_eq!(params(Some("a=%4")), vec![("a".into(), "%4".into())]);
    }
}
