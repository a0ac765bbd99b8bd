//! The service: its socket, the accept loop with the idle timeout, and the API version prefix
//! every path may carry (`/v1.43/containers/json`).

use std::convert::Infallible;
use std::os::fd::FromRawFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener as StdUnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{HeaderValue, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::UnixListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use super::error::ApiError;
use super::{API_VERSION, AppState, MIN_API_VERSION};
use crate::engine::Engine;

/// `berth system service`'s options.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// `unix:///path` or a path; `None`: `$RUNROOT/berth.sock`.
    pub uri: Option<String>,
    /// Exit after this long without a connection; `None`: never.
    pub idle: Option<Duration>,
    /// The group that may use the socket (mode 0660).
    pub group: Option<String>,
}

/// Where the socket of `uri` is.
fn socket_path(engine: &Engine, uri: Option<&str>) -> anyhow::Result<PathBuf> {
    let Some(uri) = uri else {
        return Ok(engine.runroot().join("berth.sock"));
    };
    if let Some(path) = uri.strip_prefix("unix://") {
        if !path.starts_with('/') {
            bail!("invalid service URI {uri:?}: the socket path must be absolute (unix:///path)");
        }
        return Ok(PathBuf::from(path));
    }
    if uri.contains("://") {
        bail!("invalid service URI {uri:?}: only unix:// sockets are served (no TCP listener)");
    }
    if !uri.starts_with('/') {
        bail!("invalid service URI {uri:?}: the socket path must be absolute");
    }
    Ok(PathBuf::from(uri))
}

/// The listening socket systemd passed (socket activation), if any.
fn activated_socket() -> anyhow::Result<Option<StdUnixListener>> {
    let pid_matches = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        == Some(std::process::id());
    let fds: u32 = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if !pid_matches || fds == 0 {
        return Ok(None);
    }
    // SAFETY: sd_listen_fds(3): with LISTEN_PID naming this process, fd 3 onwards are sockets
    // systemd passed to it; nothing else in this process has taken fd 3 over.
    let listener = unsafe { StdUnixListener::from_raw_fd(3) };
    // Not for the processes we start.
    // SAFETY: the process is still single-threaded here (before the runtime is built).
    unsafe {
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    listener
        .local_addr()
        .context("LISTEN_FDS: fd 3 is not a unix socket")?;
    Ok(Some(listener))
}

/// Binds the socket at `path`, mode 0660 (root and `group`); a socket left by a service that
/// is gone is replaced, one that answers is not.
fn bind(path: &Path, group: Option<&str>) -> anyhow::Result<StdUnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            bail!("{} is in use by another service", path.display());
        }
        std::fs::remove_file(path).with_context(|| format!("remove {}", path.display()))?;
    }
    let gid = match group {
        Some(g) => Some(group_id(g)?),
        None => None,
    };
    // The socket is made with the mode the umask leaves: never wider than 0660, even for
    // the moment before the chmod.
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o117));
    let bound = StdUnixListener::bind(path);
    nix::sys::stat::umask(old);
    let listener = bound.with_context(|| format!("listen on {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("chmod {}", path.display()))?;
    if let Some(gid) = gid {
        nix::unistd::chown(path, None, Some(gid))
            .with_context(|| format!("chown {}", path.display()))?;
    }
    Ok(listener)
}

/// The ID of group `name` (or a number), from /etc/group: the binary is static, and glibc's
/// NSS lookups (`getgrnam`) cannot work in a static binary.
fn group_id(name: &str) -> anyhow::Result<nix::unistd::Gid> {
    if let Ok(n) = name.parse::<u32>() {
        return Ok(nix::unistd::Gid::from_raw(n));
    }
    let text = std::fs::read_to_string("/etc/group").context("read /etc/group")?;
    group_in(&text, name)
        .map(nix::unistd::Gid::from_raw)
        .with_context(|| format!("no group {name:?} in /etc/group"))
}

/// `name`'s ID in the text of /etc/group (`name:x:GID:members`).
fn group_in(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        f.nth(1)?.trim().parse().ok()
    })
}

/// Serves the Engine API until `idle` passes without a connection, or SIGINT/SIGTERM.
pub fn serve(engine: Engine, o: ServiceOptions) -> anyhow::Result<()> {
    let (listener, owned_path) = match activated_socket()? {
        Some(l) => (l, None),
        None => {
            let path = socket_path(&engine, o.uri.as_deref())?;
            (bind(&path, o.group.as_deref())?, Some(path))
        }
    };
    listener.set_nonblocking(true).context("listen")?;
    // glibc gives every thread that allocates an arena of its own and keeps what is freed in
    // it: the blocking pool's threads would leave the idle service holding the memory of its
    // busiest moment. Two arenas are plenty for a front end that mostly waits.
    // SAFETY: mallopt only sets an allocator parameter; no thread allocates concurrently yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    code_pages_on_demand();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the service's runtime")?;
    let state_hold = engine.hold_state_open()?;
    let result = runtime.block_on(run(listener, AppState { engine }, o.idle));
    drop(state_hold);
    // Connections still open (a `logs -f`, an attach) end with the runtime.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some(path) = owned_path {
        let _ = std::fs::remove_file(path);
    }
    result
}

/// Maps the service's own code and read-only data page by page as it runs: the kernel
/// otherwise maps up to 16 neighbouring pages of the executable with each page fault
/// ("fault-around"), and a long-running front end that runs a small part of a large binary
/// ends up holding most of it in its RSS. `MADV_RANDOM` turns that off for these mappings
/// only; the pages stay shared with every other berth process through the page cache.
fn code_pages_on_demand() {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
        return;
    };
    let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
        return;
    };
    for l in maps.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if f.len() < 6 || Path::new(f[5]) != exe || f[1].contains('w') {
            continue;
        }
        let Some((a, b)) = f[0].split_once('-') else {
            continue;
        };
        let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16)) else {
            continue;
        };
        // SAFETY: the range is one of this process's own mappings, read from /proc/self/maps;
        // MADV_RANDOM is advice on how to read it in and changes no content.
        unsafe {
            libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_RANDOM);
        }
    }
}

/// Once idle, takes the executable's code and read-only data out of the service's page tables
/// (`MADV_DONTNEED`): the pages stay in the page cache, shared with every other berth process,
/// and the next request maps back (a minor fault each) only what it runs. Only mappings that
/// hold no private copy of a page (`Anonymous: 0 kB` in smaps: never written, so nothing of
/// them can be lost) are released: relocated read-only data (RELRO) holds private pages and
/// stays.
fn release_code_pages() {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
        return;
    };
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    for (a, b) in clean_read_only_mappings(&smaps, &exe) {
        // SAFETY: the range is one of this process's own read-only mappings of its executable,
        // with no private (anonymous) page: dropping its page table entries loses nothing, the
        // next access reads the same bytes from the page cache.
        unsafe {
            libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_DONTNEED);
        }
    }
}

/// The address ranges of `smaps` that map `exe` read-only with no anonymous (copied) page.
fn clean_read_only_mappings(smaps: &str, exe: &Path) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for l in smaps.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        // A mapping's header: "start-end perms offset dev inode [path]".
        if let Some((a, b)) = f.first().and_then(|r| r.split_once('-'))
            && let (Ok(a), Ok(b)) = (usize::from_str_radix(a, 16), usize::from_str_radix(b, 16))
            && f.len() >= 5
        {
            current =
                (f.len() == 6 && Path::new(f[5]) == exe && f[1].len() == 4 && !f[1].contains('w'))
                    .then_some((a, b));
            continue;
        }
        if f.first() == Some(&"Anonymous:")
            && let Some(range) = current.take()
            && f.get(1) == Some(&"0")
        {
            out.push(range);
        }
    }
    out
}

async fn run(
    listener: StdUnixListener,
    state: AppState,
    idle: Option<Duration>,
) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listener = UnixListener::from_std(listener).context("listen")?;
    let router = super::routes::router(state);
    let active = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(Notify::new());
    let mut term = signal(SignalKind::terminate()).context("SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("SIGINT")?;
    // The monitors of the containers this service started are its children: reap them. And
    // once no connection has been open for a second, give the memory freed since back to the
    // system (the idle service's RSS is then what it needs, not what its last burst took).
    let served = Arc::new(AtomicUsize::new(0));
    {
        let (active, served) = (active.clone(), served.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            // usize::MAX: the first idle second also releases what starting up took.
            let mut trimmed_at = usize::MAX;
            loop {
                tick.tick().await;
                crate::reap::reap_adopted();
                let now = served.load(Ordering::SeqCst);
                if now != trimmed_at && active.load(Ordering::SeqCst) == 0 {
                    trimmed_at = now;
                    // SAFETY: malloc_trim is thread-safe (it takes each arena's lock).
                    unsafe {
                        libc::malloc_trim(0);
                    }
                    release_code_pages();
                }
            }
        });
    }
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    continue;
                }
            },
            _ = idle_for(idle, &active, &closed) => return Ok(()),
            _ = term.recv() => return Ok(()),
            _ = int.recv() => return Ok(()),
        };
        active.fetch_add(1, Ordering::SeqCst);
        let router = router.clone();
        let (active, closed, served) = (active.clone(), closed.clone(), served.clone());
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let router = router.clone();
                async move { Ok::<_, Infallible>(handle(router, req).await) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .with_upgrades();
            if let Err(e) = conn.await {
                tracing::debug!("connection: {e}");
            }
            served.fetch_add(1, Ordering::SeqCst);
            active.fetch_sub(1, Ordering::SeqCst);
            closed.notify_one();
        });
    }
}

/// Returns once `idle` has passed with no connection open (never without `idle`).
async fn idle_for(idle: Option<Duration>, active: &AtomicUsize, closed: &Notify) {
    let Some(idle) = idle else {
        return std::future::pending().await;
    };
    loop {
        if active.load(Ordering::SeqCst) == 0 {
            tokio::select! {
                _ = tokio::time::sleep(idle) => {
                    if active.load(Ordering::SeqCst) == 0 {
                        return;
                    }
                }
                _ = closed.notified() => {}
            }
        } else {
            closed.notified().await;
        }
    }
}

/// One request: the version prefix checked and stripped, routed, Docker's headers added.
async fn handle(router: axum::Router, req: Request<hyper::body::Incoming>) -> Response<Body> {
    let (mut parts, body) = req.into_parts();
    parts
        .extensions
        .insert(ApiVersion::of_path(parts.uri.path()));
    let mut response = match strip_version(parts.uri.path()) {
        Err(e) => axum::response::IntoResponse::into_response(e),
        Ok(stripped) => {
            if let Some(path) = stripped {
                let query = parts
                    .uri
                    .query()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default();
                if let Ok(uri) = format!("{path}{query}").parse() {
                    parts.uri = uri;
                }
            }
            let req = Request::from_parts(parts, Body::new(body));
            match router.oneshot(req).await {
                Ok(r) => as_docker_error(r).await,
                Err(never) => match never {},
            }
        }
    };
    let h = response.headers_mut();
    h.insert("Api-Version", HeaderValue::from_static(API_VERSION));
    h.insert("Docker-Experimental", HeaderValue::from_static("false"));
    h.insert("Ostype", HeaderValue::from_static("linux"));
    h.insert(
        "Server",
        HeaderValue::from_static(concat!("Berth/", env!("CARGO_PKG_VERSION"), " (linux)")),
    );
    response
}

/// An error answer that is not Docker's `{"message": …}` (axum's own: a query string that does
/// not parse, a method the path does not have) made into one, so that every client can print it.
async fn as_docker_error(r: Response<Body>) -> Response<Body> {
    let status = r.status();
    let json = r
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return r;
    }
    let text = match axum::body::to_bytes(r.into_body(), 64 << 10).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    axum::response::IntoResponse::into_response(ApiError::new(status, message))
}

/// The API version a request asked for (its `/vX.Y` prefix; without one, the newest), for
/// handlers whose behaviour depends on it (`Option<Extension<ApiVersion>>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(pub u32, pub u32);

impl ApiVersion {
    fn of_path(path: &str) -> ApiVersion {
        let newest = parse_version(API_VERSION).expect("a version");
        let (a, b) = path
            .strip_prefix("/v")
            .map(|r| r.split('/').next().unwrap_or(r))
            .and_then(parse_version)
            .unwrap_or(newest);
        ApiVersion(a, b)
    }

    /// The version of a request (the newest when the service did not record one).
    pub fn of(v: Option<axum::Extension<ApiVersion>>) -> ApiVersion {
        v.map(|axum::Extension(v)| v)
            .unwrap_or_else(|| ApiVersion::of_path("/"))
    }
}

/// `(major, minor)` of `1.43`.
pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The path without its `/vX.Y` prefix (`None`: it has none); an error for a version berth
/// does not speak, in Docker's words.
fn strip_version(path: &str) -> Result<Option<String>, ApiError> {
    let Some(rest) = path.strip_prefix("/v") else {
        return Ok(None);
    };
    let (version, tail) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let Some(asked) = parse_version(version) else {
        return Ok(None); // e.g. /volumes: not a version
    };
    let min = parse_version(MIN_API_VERSION).expect("a version");
    let max = parse_version(API_VERSION).expect("a version");
    if asked < min {
        return Err(ApiError::bad_request(format!(
            "client version {version} is too old. Minimum supported API version is \
             {MIN_API_VERSION}, please upgrade your client to a newer version"
        )));
    }
    if asked > max {
        return Err(ApiError::bad_request(format!(
            "client version {version} is too new. Maximum supported API version is {API_VERSION}"
        )));
    }
    Ok(Some(tail.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn clean_read_only_mappings_of_the_executable_only() {
        let smaps = "\
1000-3000 r--p 00000000 fe:00 1 /usr/bin/berth
Rss:                   8 kB
Anonymous:             0 kB
3000-9000 r-xp 00002000 fe:00 1 /usr/bin/berth
Anonymous:             0 kB
9000-a000 r--p 00008000 fe:00 1 /usr/bin/berth
Anonymous:             4 kB
a000-b000 rw-p 00009000 fe:00 1 /usr/bin/berth
Anonymous:             0 kB
b000-c000 r-xp 00000000 fe:00 2 /usr/lib/other.so
Anonymous:             0 kB
c000-d000 rw-p 00000000 00:00 0
Anonymous:             4 kB
d000-e000 r-xp 00000000 fe:00 1 /usr/bin/berth (deleted)
Anonymous:             0 kB
";
        assert_eq!(
            super::clean_read_only_mappings(smaps, std::path::Path::new("/usr/bin/berth")),
            vec![(0x1000, 0x3000), (0x3000, 0x9000)]
        );
    }

    use super::*;

    #[test]
    fn api_versions_of_paths() {
        assert_eq!(
            ApiVersion::of_path("/v1.43/containers/create"),
            ApiVersion(1, 43)
        );
        assert!(ApiVersion::of_path("/containers/create") >= ApiVersion(1, 44));
    }

    #[test]
    fn version_prefixes() {
        assert_eq!(strip_version("/_ping").unwrap(), None);
        assert_eq!(strip_version("/volumes/x").unwrap(), None);
        assert_eq!(
            strip_version("/v1.43/containers/json").unwrap().as_deref(),
            Some("/containers/json")
        );
        assert_eq!(
            strip_version("/v1.24/_ping").unwrap().as_deref(),
            Some("/_ping")
        );
        assert_eq!(strip_version("/v1.51").unwrap().as_deref(), Some("/"));
        let old = strip_version("/v1.12/info").unwrap_err();
        assert_eq!(old.status, 400);
        assert!(old.message.contains("too old"), "{}", old.message);
        let new = strip_version("/v1.99/info").unwrap_err();
        assert!(
            new.message
                .contains("Maximum supported API version is 1.51")
        );
    }

    #[test]
    fn groups_from_etc_group() {
        let text = "root:x:0:\ndaemon:x:1:\ndocker:x:998:alice,bob\n";
        assert_eq!(group_in(text, "docker"), Some(998));
        assert_eq!(group_in(text, "daemon"), Some(1));
        assert_eq!(group_in(text, "dock"), None);
        assert_eq!(group_in(text, "x"), None);
    }

    #[test]
    fn socket_uris() {
        let e = Engine::new(Path::new("/r"), Path::new("/run/b"));
        assert_eq!(
            socket_path(&e, None).unwrap(),
            Path::new("/run/b/berth.sock")
        );
        assert_eq!(
            socket_path(&e, Some("unix:///tmp/x.sock")).unwrap(),
            Path::new("/tmp/x.sock")
        );
        assert!(socket_path(&e, Some("tcp://0.0.0.0:2375")).is_err());
        assert!(socket_path(&e, Some("unix://rel.sock")).is_err());
    }
}
