//! `POST /containers/{id}/attach` and `POST /containers/{id}/resize`.
//!
//! Attach answers `101 Switching Protocols` and takes the connection over (hyper's upgrade;
//! the unix socket itself, as a blocking socket). A session then streams the container's
//! output to it (Docker's multiplexed frames without a tty, raw with one) and its input to the
//! container's stdin, through the engine's `container_attach` (a running container) or, for
//! the docker CLI's `run` and `start -a` (attach first, then start), through the start: the
//! session waits here until `POST /start` of the same container takes it
//! ([`start_attached`]), so that no output is lost. A client that goes away (or detaches with
//! its detach keys) ends the session at once, whatever the container does: nothing stays
//! blocked on it.

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use serde::Deserialize;

use super::error::{ApiError, ApiResult};
use super::{AppState, blocking};
use crate::engine::{Attach, Engine, LogStream, LogsOptions};
use crate::monitor::client::{AttachIo, Controls};

use super::flag;

#[derive(Deserialize, Default)]
pub struct AttachQuery {
    stream: Option<String>,
    stdin: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    logs: Option<String>,
    #[serde(rename = "detachKeys")]
    detach_keys: Option<String>,
}

/// What one attach session does.
struct Opts {
    stdin: bool,
    stdout: bool,
    stderr: bool,
    logs: bool,
    stream: bool,
    tty: bool,
    running: bool,
    /// The detach sequence (applies with a tty, as Docker).
    keys: Vec<u8>,
}

/// Docker's `detachKeys` (see [`crate::monitor::client::parse_detach_keys`]).
fn parse_detach_keys(s: &str) -> Result<Vec<u8>, ApiError> {
    crate::monitor::client::parse_detach_keys(s)
        .ok_or_else(|| ApiError::bad_request(format!("Invalid detach keys ({s}) provided")))
}

/// `POST /containers/{id}/attach`.
pub async fn attach(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<AttachQuery>,
    mut req: Request,
) -> ApiResult<Response> {
    let keys = parse_detach_keys(q.detach_keys.as_deref().unwrap_or(""))?;
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("tcp"));
    if !upgrade {
        return Err(ApiError::bad_request(
            "attach needs an upgraded connection (Connection: Upgrade, Upgrade: tcp)",
        ));
    }
    let c = {
        let (engine, id) = (s.engine.clone(), id.clone());
        blocking(move || engine.container_inspect(&id)).await?
    };
    let id = c.id.clone().unwrap_or(id);
    let config = c.config.unwrap_or_default();
    let tty = config.tty.unwrap_or(false);
    let status = c
        .state
        .as_ref()
        .and_then(|s| s.status)
        .map(|s| s.to_string())
        .unwrap_or_default();
    match status.as_str() {
        "paused" => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "You cannot attach to a paused container, unpause it first",
            ));
        }
        "restarting" => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "You cannot attach to a restarting container, wait until it is running",
            ));
        }
        _ => {}
    }
    let o = Opts {
        stdin: flag(&q.stdin) && config.open_stdin.unwrap_or(false),
        stdout: flag(&q.stdout),
        stderr: flag(&q.stderr),
        logs: flag(&q.logs),
        stream: flag(&q.stream),
        tty,
        running: status == "running",
        keys,
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    let engine = s.engine.clone();
    // A client may send its start as soon as it reads this answer, before the session below
    // waits for it: the reservation makes that start wait for the session.
    let reservation = (!o.running && o.stream).then(|| Reservation::new(&id));
    tokio::spawn(async move {
        let Some((sock, early)) = hijacked(on_upgrade, "attach").await else {
            return;
        };
        if sock.set_nonblocking(false).is_err() {
            return;
        }
        let _ =
            tokio::task::spawn_blocking(move || session(engine, id, sock, early, o, reservation))
                .await;
    });
    let media = if tty {
        "application/vnd.docker.raw-stream"
    } else {
        "application/vnd.docker.multiplexed-stream"
    };
    Ok(Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "Upgrade")
        .header(header::UPGRADE, "tcp")
        .header(header::CONTENT_TYPE, media)
        .body(Body::empty())
        .expect("a valid response"))
}

/// One attach session on its (blocking) client socket.
fn session(
    engine: Engine,
    id: String,
    sock: UnixStream,
    early: Vec<u8>,
    o: Opts,
    reservation: Option<Reservation>,
) {
    let sess = Arc::new(Session::new(sock, o.tty));
    if o.logs {
        replay(&engine, &id, &sess, &o);
    }
    if !o.stream {
        sess.close();
        return;
    }
    let io = match sess.attach_io(&o, early) {
        Ok(io) => io,
        Err(e) => {
            tracing::warn!("attach: {e}");
            sess.close();
            return;
        }
    };
    if o.running {
        let watcher = sess.clone();
        std::thread::spawn(move || watcher.watch(|| {}));
        if let Err(e) = engine.container_attach(&id, io)
            && !sess.gone()
        {
            tracing::debug!("attach {id}: {}", crate::error::one_line(&e));
        }
        sess.close();
        return;
    }
    // Not running yet: wait for the start (see `start_attached`).
    let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut p) = PENDING.lock() {
        p.push(Pending {
            container: id.clone(),
            key,
            io,
            sess: sess.clone(),
        });
    }
    drop(reservation);
    sess.watch(|| {
        // Still waiting: is the container still there and not started by another route?
        if !is_pending(key) {
            return;
        }
        match engine.container_inspect(&id) {
            Err(_) => {
                if take_key(key).is_some() {
                    sess.close();
                }
            }
            Ok(c) if c.state.as_ref().and_then(|s| s.running).unwrap_or(false) => {
                if let Some(p) = take_key(key) {
                    let (engine, id) = (engine.clone(), id.clone());
                    std::thread::spawn(move || {
                        let _ = engine.container_attach(&id, p.io);
                        p.sess.close();
                    });
                }
            }
            Ok(_) => {}
        }
    });
    // The client went away: if no start took the session, it ends here.
    if take_key(key).is_some() {
        sess.close();
    }
}

/// `logs=1`: the log so far, in the session's framing.
fn replay(engine: &Engine, id: &str, sess: &Session, o: &Opts) {
    let _ = engine.container_logs(id, &LogsOptions::default(), &mut |r| {
        let (kind, wanted) = match r.stream {
            LogStream::Stderr => (2, o.stderr),
            _ => (1, o.stdout),
        };
        !wanted || sess.send(kind, r.text.as_bytes()).is_ok()
    });
}

/// An attach session waiting for its container's start.
struct Pending {
    container: String,
    key: u64,
    io: AttachIo,
    sess: Arc<Session>,
}

static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

/// Containers whose attach was answered but whose session is not pending yet, by key.
static RESERVED: Mutex<Vec<(u64, String)>> = Mutex::new(Vec::new());

/// An answered attach's claim on its container's next start, until its session is pending
/// (or gone).
struct Reservation(u64);

impl Reservation {
    fn new(container: &str) -> Reservation {
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut r) = RESERVED.lock() {
            r.push((key, container.to_string()));
        }
        Reservation(key)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if let Ok(mut r) = RESERVED.lock() {
            r.retain(|(k, _)| *k != self.0);
        }
    }
}

fn is_reserved(container: &str) -> bool {
    RESERVED
        .lock()
        .map(|r| r.iter().any(|(_, c)| c == container))
        .unwrap_or(false)
}
static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

fn is_pending(key: u64) -> bool {
    PENDING
        .lock()
        .map(|p| p.iter().any(|x| x.key == key))
        .unwrap_or(false)
}

fn take_key(key: u64) -> Option<Pending> {
    let mut p = PENDING.lock().ok()?;
    let i = p.iter().position(|x| x.key == key)?;
    Some(p.remove(i))
}

fn take_for(container: &str) -> Option<Pending> {
    let mut p = PENDING.lock().ok()?;
    let i = p.iter().position(|x| x.container == container)?;
    Some(p.remove(i))
}

/// For `POST /containers/{id}/start`: if an attach session waits for this container, starts
/// it attached to that session (the answer comes once it runs; the session streams until it
/// exits). `None`: no session waits, start it as usual.
pub async fn start_attached(s: &AppState, id: &str) -> Option<ApiResult<StatusCode>> {
    if PENDING.lock().map(|p| p.is_empty()).unwrap_or(true)
        && RESERVED.lock().map(|r| r.is_empty()).unwrap_or(true)
    {
        return None;
    }
    let full = {
        let (engine, id) = (s.engine.clone(), id.to_string());
        blocking(move || engine.container_inspect(&id))
            .await
            .ok()?
            .id?
    };
    // A session still on its way (its attach answered, its socket not yet taken over) is
    // waited for, a few seconds at most.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let Pending { mut io, sess, .. } = loop {
        if let Some(p) = take_for(&full) {
            break p;
        }
        if !is_reserved(&full) || tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let inner = io.on_attached.take();
    io.on_attached = Some(Box::new(move |c| {
        if let Some(f) = inner {
            f(c);
        }
        let _ = tx.send(());
    }));
    let engine = s.engine.clone();
    let task = tokio::task::spawn_blocking(move || {
        let r = engine.container_start(&full, Attach::Streams(io));
        sess.close();
        r
    });
    if rx.await.is_ok() {
        return Some(Ok(StatusCode::NO_CONTENT));
    }
    // It failed before it ran: the start's answer.
    Some(match task.await {
        Ok(Ok(_)) => Ok(StatusCode::NO_CONTENT),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(ApiError::internal(format!("the start's task failed: {e}"))),
    })
}

/// The client's side of a session: its socket, and the monitor connection's controls once
/// attached.
struct Session {
    sock: UnixStream,
    tty: bool,
    /// Whole frames: stdout and stderr are written by different threads.
    out: Mutex<()>,
    controls: Mutex<Option<Controls>>,
    gone: AtomicBool,
}

impl Session {
    fn new(sock: UnixStream, tty: bool) -> Session {
        Session {
            sock,
            tty,
            out: Mutex::new(()),
            controls: Mutex::new(None),
            gone: AtomicBool::new(false),
        }
    }

    fn gone(&self) -> bool {
        self.gone.load(Ordering::SeqCst)
    }

    /// Output to the client: raw with a tty, else a frame of Docker's (stream 1 stdout, 2
    /// stderr, then the length as u32 BE).
    fn send(&self, kind: u8, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let _g = self.out.lock().map_err(|_| io::Error::other("poisoned"))?;
        let mut w = &self.sock;
        if self.tty {
            return w.write_all(data);
        }
        let mut buf = Vec::with_capacity(8 + data.len());
        buf.extend_from_slice(&[kind, 0, 0, 0]);
        buf.extend_from_slice(&(data.len() as u32).to_be_bytes());
        buf.extend_from_slice(data);
        w.write_all(&buf)
    }

    /// Called when attached: keeps the controls (or, if the client already went away, ends
    /// the attachment at once).
    fn attached(&self, c: Controls) {
        if let Ok(mut g) = self.controls.lock() {
            if self.gone() {
                let _ = c.detach();
            }
            *g = Some(c);
        }
    }

    /// The client went away or detached: the attachment ends (the container runs on).
    fn disconnect(&self) {
        if let Ok(g) = self.controls.lock() {
            self.gone.store(true, Ordering::SeqCst);
            if let Some(c) = g.as_ref() {
                let _ = c.detach();
            }
        }
    }

    /// Ends the session: the client sees the end of the stream.
    fn close(&self) {
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
    }

    /// Whether the client closed its whole connection (not only its sending side) or the
    /// session was closed; waits up to `timeout` for it.
    fn hup(&self, timeout: Duration) -> bool {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut fds = [PollFd::new(self.sock.as_fd(), PollFlags::empty())];
        let t = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
        match poll(&mut fds, t) {
            Ok(n) if n > 0 => fds[0]
                .revents()
                .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLERR)),
            _ => false,
        }
    }

    /// Waits until the connection is closed (by the client or by [`Session::close`]), calling
    /// `tick` every second meanwhile; then ends the attachment.
    fn watch(&self, tick: impl Fn()) {
        while !self.hup(Duration::from_secs(1)) {
            tick();
        }
        self.disconnect();
    }

    fn attach_io(self: &Arc<Self>, o: &Opts, early: Vec<u8>) -> io::Result<AttachIo> {
        let writer = |kind: u8, wanted: bool| -> Box<dyn Write + Send> {
            if wanted {
                Box::new(Output {
                    sess: self.clone(),
                    kind,
                })
            } else {
                Box::new(io::sink())
            }
        };
        let stdin: Option<Box<dyn Read + Send>> = if o.stdin {
            Some(Box::new(Input {
                sock: self.sock.try_clone()?,
                sess: self.clone(),
                raw: early,
                ready: Vec::new(),
                keys: if o.tty { o.keys.clone() } else { Vec::new() },
                matched: 0,
                // The CLI's `run -i` and `start -a -i` go through the start; `attach` does not.
                eof_closes_stdin: !o.tty && !o.running,
                done: false,
            }))
        } else {
            None
        };
        let sess = self.clone();
        Ok(AttachIo {
            stdin,
            stdout: writer(1, o.stdout),
            stderr: writer(2, o.stderr),
            on_attached: Some(Box::new(move |c| sess.attached(c))),
        })
    }
}

struct Output {
    sess: Arc<Session>,
    kind: u8,
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sess.send(self.kind, buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The client's connection once the upgrade is done (`101` sent): the service's unix socket
/// taken back from hyper, as a blocking std socket, and what the client sent after its request
/// (already read by hyper); none (logged) if the upgrade failed.
pub(super) async fn hijacked(
    on_upgrade: hyper::upgrade::OnUpgrade,
    what: &str,
) -> Option<(UnixStream, Vec<u8>)> {
    let upgraded = match on_upgrade.await {
        Ok(u) => u,
        Err(e) => {
            tracing::debug!("{what}: the upgrade failed: {e}");
            return None;
        }
    };
    // The service serves each connection on its tokio unix socket: take it back.
    let Ok(parts) = upgraded.downcast::<TokioIo<tokio::net::UnixStream>>() else {
        tracing::warn!("{what}: the connection is not a unix socket");
        return None;
    };
    let early = parts.read_buf.to_vec();
    match parts.io.into_inner().into_std() {
        Ok(s) => Some((s, early)),
        Err(e) => {
            tracing::warn!("{what}: {e}");
            None
        }
    }
}

/// The client's input for the container's stdin: the bytes that came with the request first,
/// then the socket; the detach keys (with a tty) end the session.
struct Input {
    sock: UnixStream,
    sess: Arc<Session>,
    /// Read from the client, not yet looked at.
    raw: Vec<u8>,
    /// Ready for the container.
    ready: Vec<u8>,
    keys: Vec<u8>,
    /// How much of `keys` the last bytes matched (held back meanwhile).
    matched: usize,
    /// The client's end of input closes the container's stdin (`run -i`: Docker's
    /// StdinOnce); else it ends the session and the container's stdin stays open.
    eof_closes_stdin: bool,
    done: bool,
}

impl Input {
    /// Moves `raw` to `ready`, holding back a partial detach sequence; true: detached.
    fn scan(&mut self) -> bool {
        let raw = std::mem::take(&mut self.raw);
        if self.keys.is_empty() {
            self.ready.extend_from_slice(&raw);
            return false;
        }
        for b in raw {
            if b == self.keys[self.matched] {
                self.matched += 1;
                if self.matched == self.keys.len() {
                    return true;
                }
                continue;
            }
            self.ready.extend_from_slice(&self.keys[..self.matched]);
            if b == self.keys[0] {
                self.matched = 1;
            } else {
                self.matched = 0;
                self.ready.push(b);
            }
        }
        false
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.ready.is_empty() {
                let n = buf.len().min(self.ready.len());
                buf[..n].copy_from_slice(&self.ready[..n]);
                self.ready.drain(..n);
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.raw.is_empty() {
                let mut b = [0u8; 16 * 1024];
                let n = (&self.sock).read(&mut b).unwrap_or(0);
                if n == 0 {
                    // The client closed its input: the container's stdin gets EOF (`run -i`),
                    // else, or if the client is gone altogether, the session ends (Docker).
                    self.done = true;
                    if !self.eof_closes_stdin || self.sess.hup(Duration::ZERO) {
                        self.sess.disconnect();
                        self.sess.close();
                    }
                    continue;
                }
                self.raw.extend_from_slice(&b[..n]);
            }
            if self.scan() {
                self.done = true;
                self.sess.disconnect();
                self.sess.close();
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ResizeQuery {
    h: Option<String>,
    w: Option<String>,
}

/// `POST /containers/{id}/resize?h=&w=`: from any connection, before or during an attach.
pub async fn resize(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ResizeQuery>,
) -> ApiResult<StatusCode> {
    let size = |v: &Option<String>| -> ApiResult<u16> {
        let v = v.as_deref().unwrap_or("0");
        v.parse()
            .map_err(|_| ApiError::bad_request(format!("invalid terminal size {v:?}")))
    };
    let (h, w) = (size(&q.h)?, size(&q.w)?);
    let engine = s.engine.clone();
    blocking(move || engine.container_resize(&id, h, w)).await?;
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detach_keys_as_docker_writes_them() {
        assert_eq!(parse_detach_keys("").unwrap(), vec![16, 17]);
        assert_eq!(parse_detach_keys("ctrl-a,x").unwrap(), vec![1, b'x']);
        assert_eq!(
            parse_detach_keys("ctrl-@,ctrl-[,ctrl-_").unwrap(),
            vec![0, 27, 31]
        );
        assert!(parse_detach_keys("ctrl-1").is_err());
        assert!(parse_detach_keys("ab").is_err());
    }

    #[test]
    fn a_partial_detach_sequence_is_held_back_then_passed_on() {
        let (a, _b) = UnixStream::pair().unwrap();
        let sess = Arc::new(Session::new(a.try_clone().unwrap(), true));
        let mut i = Input {
            sock: a,
            sess,
            raw: b"ab\x10".to_vec(),
            ready: Vec::new(),
            keys: vec![16, 17],
            matched: 0,
            eof_closes_stdin: false,
            done: false,
        };
        assert!(!i.scan());
        assert_eq!(i.ready, b"ab");
        i.raw = b"\x10c".to_vec();
        assert!(!i.scan());
        assert_eq!(i.ready, b"ab\x10\x10c");
        i.raw = b"\x10\x11rest".to_vec();
        assert!(i.scan());
    }
}
