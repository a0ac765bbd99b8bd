//! `/containers/{id}/exec` and `/exec/{id}/…`: create, start (hijacked: `101 Switching
//! Protocols` with `Upgrade: tcp`, then the raw stream with a tty, Docker's multiplexed 8-byte
//! frames without), resize and inspect an exec.
//!
//! The service is multi-threaded, and the embedded runtime clones the calling process, so an
//! exec never runs here: `start` re-executes berth as a child (`berth exec-child ID`, in its
//! own session) and hands it the upgraded connection itself (fd 3). The child is
//! single-threaded until the process runs; it reads the client's stdin from the connection
//! and writes the process's output to it (framed by [`Framed`]), records the exit code in the
//! exec's state under the run root ([`Engine::exec_run`]) and exits, which closes the
//! connection: the client's stream ends and it reads the exit code with `GET /exec/{id}/json`.
//! The service keeps no copy of the connection, so a client that disconnects ends nothing but
//! its own stream (the process gets EPIPE/SIGPIPE on its next write, as with Docker), and the
//! child ends with the process. The service reaps the children it spawns.
//!
//! With `Detach`, the child runs the process with its output discarded and reports on a pipe
//! (fd 3) once it has started (or why it could not): the answer waits for that.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bollard_stubs::models::{ExecConfig, ExecInspectResponse, ExecStartConfig, ProcessConfig};
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking};
use crate::engine::Engine;
use crate::engine::execs::{ExecCreateOptions, ExecInstance};
use crate::error::{Classify, ErrorKind};
use crate::monitor::client::AttachIo;

/// A terminal size from Docker's `ConsoleSize` ([rows, columns]); none for 0×0.
fn console_size(v: Option<Vec<usize>>) -> ApiResult<Option<(u16, u16)>> {
    match v.as_deref() {
        None | Some([]) => Ok(None),
        Some([0, 0]) => Ok(None),
        Some(&[h, w]) => match (u16::try_from(h), u16::try_from(w)) {
            (Ok(h), Ok(w)) => Ok(Some((h, w))),
            _ => Err(ApiError::bad_request("ConsoleSize out of range")),
        },
        Some(_) => Err(ApiError::bad_request(
            "ConsoleSize must have two elements: height and width",
        )),
    }
}

/// `POST /containers/{id}/exec`.
pub async fn create(
    State(s): State<AppState>,
    Path(container): Path<String>,
    body: Result<Json<ExecConfig>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<impl IntoResponse> {
    let c = super::error::json_body(body)?;
    let args = c.cmd.unwrap_or_default();
    if args.is_empty() {
        return Err(ApiError::bad_request("No exec command specified"));
    }
    let o = ExecCreateOptions {
        args,
        env: c.env.unwrap_or_default(),
        user: c.user.filter(|u| !u.is_empty()),
        workdir: c.working_dir.filter(|w| !w.is_empty()),
        privileged: c.privileged.unwrap_or(false),
        tty: c.tty.unwrap_or(false),
        attach_stdin: c.attach_stdin.unwrap_or(false),
        attach_stdout: c.attach_stdout.unwrap_or(false),
        attach_stderr: c.attach_stderr.unwrap_or(false),
        detach_keys: c.detach_keys.filter(|k| !k.is_empty()),
        console_size: console_size(c.console_size)?,
    };
    let engine = s.engine.clone();
    let id = blocking(move || engine.exec_create(&container, o)).await?;
    // (bollard's IdResponse writes `id`; Docker writes `Id`.)
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "Id": id }))))
}

/// `GET /exec/{id}/json`.
pub async fn inspect(
    State(s): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ExecInspectResponse>> {
    let engine = s.engine.clone();
    let e = blocking(move || engine.exec_inspect(&id)).await?;
    Ok(Json(inspect_response(e)))
}

fn inspect_response(e: ExecInstance) -> ExecInspectResponse {
    let o = e.options;
    ExecInspectResponse {
        can_remove: Some(false),
        detach_keys: Some(o.detach_keys.unwrap_or_default()),
        id: Some(e.id),
        running: Some(e.running),
        exit_code: e.exit_code.map(i64::from),
        process_config: Some(ProcessConfig {
            privileged: Some(o.privileged),
            user: Some(o.user.unwrap_or_default()),
            tty: Some(o.tty),
            entrypoint: o.args.first().cloned(),
            arguments: Some(o.args.iter().skip(1).cloned().collect()),
        }),
        open_stdin: Some(o.attach_stdin),
        open_stderr: Some(o.attach_stderr),
        open_stdout: Some(o.attach_stdout),
        container_id: Some(e.container_id),
        pid: Some(e.pid.map(i64::from).unwrap_or(0)),
    }
}

#[derive(Deserialize)]
pub struct ResizeQuery {
    h: Option<String>,
    w: Option<String>,
}

/// `POST /exec/{id}/resize?h=&w=`.
pub async fn resize(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ResizeQuery>,
) -> ApiResult<StatusCode> {
    let dim = |v: Option<String>, what: &str| {
        v.unwrap_or_default()
            .parse::<u16>()
            .map_err(|_| ApiError::bad_request(format!("invalid {what} (h, w must be numbers)")))
    };
    let rows = dim(q.h, "height")?;
    let cols = dim(q.w, "width")?;
    let engine = s.engine.clone();
    blocking(move || engine.exec_resize(&id, rows, cols)).await?;
    Ok(StatusCode::OK)
}

/// The largest start body read (it is a few fields).
const MAX_START_BODY: usize = 64 * 1024;

/// `POST /exec/{id}/start`.
pub async fn start(
    State(s): State<AppState>,
    Path(id): Path<String>,
    mut req: Request,
) -> Response {
    match start_inner(s, id, &mut req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn start_inner(s: AppState, id: String, req: &mut Request) -> ApiResult<Response> {
    let upgrade = wants_upgrade(req);
    let on_upgrade = hyper::upgrade::on(&mut *req);
    let body = std::mem::take(req.body_mut());
    let bytes = axum::body::to_bytes(body, MAX_START_BODY)
        .await
        .map_err(|e| ApiError::bad_request(format!("reading the request body: {e}")))?;
    let start: ExecStartConfig = if bytes.iter().all(u8::is_ascii_whitespace) {
        ExecStartConfig::default()
    } else {
        serde_json::from_slice(&bytes).map_err(|e| ApiError::bad_request(e.to_string()))?
    };
    let detach = start.detach.unwrap_or(false);
    if !detach && !upgrade {
        return Err(ApiError::bad_request(
            "an attached exec start needs an upgraded connection (Connection: Upgrade, \
             Upgrade: tcp)",
        ));
    }
    let size = console_size(start.console_size)?;
    let engine = s.engine.clone();
    let claim_id = id.clone();
    let e = blocking(move || engine.exec_claim(&claim_id, size)).await?;
    if detach {
        let engine = s.engine.clone();
        blocking(move || start_detached(&engine, &id)).await?;
        return Ok(StatusCode::OK.into_response());
    }
    let engine = s.engine.clone();
    tokio::spawn(async move {
        let what = format!("exec {id}");
        let Some((stream, prefix)) = super::attach::hijacked(on_upgrade, &what).await else {
            return;
        };
        let r = tokio::task::spawn_blocking(move || spawn_attached(&engine, &id, stream, prefix));
        if let Ok(Err(err)) = r.await {
            tracing::warn!("exec child: {err}");
        }
    });
    let content_type = if e.options.tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    Ok(Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONNECTION, "Upgrade")
        .header(header::UPGRADE, "tcp")
        .body(Body::empty())
        .unwrap_or_default())
}

/// The client asked for `Connection: Upgrade` with `Upgrade: tcp`.
fn wants_upgrade(req: &Request) -> bool {
    let has = |name, want: &str| {
        req.headers().get_all(name).iter().any(|v| {
            v.to_str()
                .map(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(want)))
                .unwrap_or(false)
        })
    };
    has(header::CONNECTION, "upgrade") && has(header::UPGRADE, "tcp")
}

/// `fd` duplicated to a number of 10 or more (close-on-exec), so that moving it to 3 or 4
/// in the child cannot overwrite another.
fn high_fd(fd: impl AsFd) -> io::Result<OwnedFd> {
    use nix::fcntl::{FcntlArg, fcntl};
    let n = fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(10)).map_err(io::Error::from)?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// `berth exec-child [ARGS] ID` with `fds` moved to 3, 4, … (stdio on /dev/null, its own
/// session); adopted, to be reaped when it exits.
fn spawn_child(engine: &Engine, id: &str, args: &[&str], fds: Vec<OwnedFd>) -> io::Result<()> {
    let exe = std::env::current_exe()?;
    let fds = fds.iter().map(high_fd).collect::<io::Result<Vec<_>>>()?;
    let raw: Vec<i32> = fds.iter().map(|f| f.as_raw_fd()).collect();
    let mut cmd = Command::new(exe);
    cmd.arg("--root")
        .arg(engine.root())
        .arg("--runroot")
        .arg(engine.runroot())
        .arg("exec-child")
        .args(args)
        .arg(id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid and dup2 are async-signal-safe; the fds are ours (at 10 or above, so
    // each dup2 writes over nothing the next one reads).
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            for (i, fd) in raw.iter().enumerate() {
                let target = 3 + i as i32;
                let borrowed = std::os::fd::BorrowedFd::borrow_raw(*fd);
                let dup = nix::unistd::dup2_raw(borrowed, target).map_err(io::Error::from)?;
                // Owned by the process image that comes next.
                std::mem::forget(dup);
            }
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    drop(fds);
    crate::reap::adopt(child);
    Ok(())
}

/// Hands the upgraded connection (and what the client sent after its request, if anything)
/// to an exec child.
fn spawn_attached(
    engine: &Engine,
    id: &str,
    stream: UnixStream,
    prefix: Vec<u8>,
) -> io::Result<()> {
    stream.set_nonblocking(false)?;
    let conn = OwnedFd::from(stream);
    if prefix.is_empty() {
        return spawn_child(engine, id, &[], vec![conn]);
    }
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from)?;
    spawn_child(engine, id, &["--prefix"], vec![conn, r])?;
    std::thread::spawn(move || {
        let mut w = std::fs::File::from(w);
        let _ = w.write_all(&prefix);
    });
    Ok(())
}

/// Starts a detached exec through a child; returns once the process runs (or why it could
/// not start).
fn start_detached(engine: &Engine, id: &str) -> crate::engine::Result<()> {
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| crate::engine::Error::io("pipe")(e.into()))?;
    spawn_child(engine, id, &["--detach"], vec![w])
        .map_err(crate::engine::Error::io("start the exec child"))?;
    let mut report = Vec::new();
    let _ = std::fs::File::from(r).read_to_end(&mut report);
    match report.split_first() {
        Some((b'S', _)) => Ok(()),
        Some((b'E', p)) => {
            let (kind, message) = crate::monitor::protocol::parse_error(p);
            Err(crate::engine::Error::Exec(
                crate::containers::exec::ExecError::Helper { kind, message },
            ))
        }
        _ => Err(crate::engine::Error::Exec(
            crate::containers::exec::ExecError::HelperVanished,
        )),
    }
}

/// Docker's stream of one output without a terminal: each write one frame (stream type, three
/// zero bytes, the length as a big-endian u32, the data).
struct Framed {
    conn: UnixStream,
    stream: u8,
}

impl Write for Framed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(u32::MAX as usize);
        let mut frame = Vec::with_capacity(8 + n);
        frame.extend_from_slice(&[self.stream, 0, 0, 0]);
        frame.extend_from_slice(&(n as u32).to_be_bytes());
        frame.extend_from_slice(&buf[..n]);
        self.conn.write_all(&frame)?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The exec child (`berth exec-child ID`): runs the claimed exec `id` on the connection at fd
/// 3 (preceded by the bytes on fd 4 with `prefix`), or detached (`detach`: reports on fd 3).
/// Its exit status is the process's exit code.
pub fn child_main(engine: &Engine, id: &str, detach: bool, prefix: bool) -> i32 {
    // SAFETY: the service passed fd 3 (and 4 with `prefix`) to this process, which owns them.
    let fd3 = unsafe { OwnedFd::from_raw_fd(3) };
    let prefix = prefix.then(|| {
        // SAFETY: as above.
        unsafe { OwnedFd::from_raw_fd(4) }
    });
    // Not for the exec'd process.
    for fd in std::iter::once(&fd3).chain(prefix.iter()) {
        let _ = nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        );
    }
    if detach {
        return child_detached(engine, id, std::fs::File::from(fd3));
    }
    let conn = UnixStream::from(fd3);
    match child_attached(engine, id, conn, prefix) {
        Ok(code) => code,
        Err(e) => e.kind().exit_code(),
    }
}

fn child_detached(engine: &Engine, id: &str, report: std::fs::File) -> i32 {
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(report)));
    let on_started = {
        let slot = slot.clone();
        Box::new(move || {
            if let Ok(mut r) = slot.lock()
                && let Some(mut f) = r.take()
            {
                let _ = f.write_all(b"S");
            }
        })
    };
    let io = AttachIo {
        stdin: None,
        stdout: Box::new(io::sink()),
        stderr: Box::new(io::sink()),
        on_attached: None,
    };
    match engine.exec_run(id, io, on_started) {
        Ok(code) => code,
        Err(e) => {
            if let Ok(mut r) = slot.lock()
                && let Some(mut f) = r.take()
            {
                let mut p = vec![b'E'];
                p.extend(crate::monitor::protocol::error_payload(
                    e.kind(),
                    &crate::error::one_line(&e),
                ));
                let _ = f.write_all(&p);
            }
            e.kind().exit_code()
        }
    }
}

fn child_attached(
    engine: &Engine,
    id: &str,
    conn: UnixStream,
    prefix: Option<OwnedFd>,
) -> crate::engine::Result<i32> {
    let e = engine.exec_inspect(id)?;
    let o = &e.options;
    let clone = |c: &UnixStream| {
        c.try_clone()
            .map_err(crate::engine::Error::io("the exec connection"))
    };
    let output = |want: bool, stream: u8| -> crate::engine::Result<Box<dyn Write + Send>> {
        Ok(if !want {
            Box::new(io::sink())
        } else if o.tty {
            Box::new(clone(&conn)?)
        } else {
            Box::new(Framed {
                conn: clone(&conn)?,
                stream,
            })
        })
    };
    let stdin: Option<Box<dyn Read + Send>> = if o.attach_stdin {
        let input = clone(&conn)?;
        Some(match prefix {
            Some(p) => Box::new(std::fs::File::from(p).chain(input)),
            None => Box::new(input),
        })
    } else {
        None
    };
    let io = AttachIo {
        stdin,
        stdout: output(o.attach_stdout, 1)?,
        // With a terminal, stderr is the terminal too.
        stderr: output(o.attach_stderr || o.tty, 2)?,
        on_attached: None,
    };
    let mut errors = output(true, 1)?;
    match engine.exec_run(id, io, Box::new(|| {})) {
        Ok(code) => Ok(code),
        Err(err) => {
            // Docker writes why the process could not start into the stream (the client
            // reads the exit code with an inspect).
            let mut msg = crate::error::one_line(&err);
            if matches!(
                err.kind(),
                ErrorKind::CannotExecute | ErrorKind::CommandNotFound
            ) {
                msg = format!("OCI runtime exec failed: {msg}");
            }
            let _ = errors.write_all(format!("{msg}\r\n").as_bytes());
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_framed_as_docker_multiplexes_it() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let mut err = Framed { conn: a, stream: 2 };
        assert_eq!(err.write(b"oops\n").unwrap(), 5);
        assert_eq!(err.write(b"").unwrap(), 0);
        drop(err);
        let mut got = Vec::new();
        b.read_to_end(&mut got).unwrap();
        assert_eq!(got, b"\x02\x00\x00\x00\x00\x00\x00\x05oops\n");
    }

    #[test]
    fn console_sizes() {
        assert_eq!(console_size(None).unwrap(), None);
        assert_eq!(console_size(Some(vec![0, 0])).unwrap(), None);
        assert_eq!(console_size(Some(vec![33, 101])).unwrap(), Some((33, 101)));
        assert_eq!(console_size(Some(vec![70_000, 1])).unwrap_err().status, 400);
        assert_eq!(console_size(Some(vec![1, 2, 3])).unwrap_err().status, 400);
    }

    #[test]
    fn an_attached_start_needs_an_upgrade_to_tcp() {
        let req = |conn: &str, up: &str| {
            axum::http::Request::builder()
                .header(header::CONNECTION, conn)
                .header(header::UPGRADE, up)
                .body(Body::empty())
                .unwrap()
        };
        assert!(wants_upgrade(&req("Upgrade", "tcp")));
        assert!(wants_upgrade(&req("keep-alive, upgrade", "TCP")));
        assert!(!wants_upgrade(&req("keep-alive", "tcp")));
        assert!(!wants_upgrade(&req("Upgrade", "h2c")));
    }
}
