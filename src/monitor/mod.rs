//! The per-container monitor: berth re-executed (`berth container-monitor ID`), detached from the
//! terminal and the CLI (own session), single-threaded (libcontainer clones the calling process).
//!
//! It mounts the root filesystem, writes the bundle, starts the container through the embedded
//! runtime, then runs a poll loop: container output goes to the json-file log and to attached
//! clients; client input goes to the container; SIGCHLD reaps. When the container's init exits it
//! records the exit code, finish time and OOM kill, applies the restart policy and `--rm`, tells
//! attached clients the exit code, cleans up, and exits.

pub mod client;
mod health;
pub mod logs;
pub mod protocol;

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::unistd::Pid;

use crate::clock::now_nanos;
use crate::containers::{self, Paths, Settings};
use crate::error::{EXIT_BERTH, ErrorKind};
use crate::lock::{Lock, Mode as LockMode};
use crate::runtime::{ConsoleSocket, Runtime, Stdio};
use crate::state::containers as rows;
use crate::store::Store;
use protocol::{Kind, WANT_STDERR, WANT_STDIN, WANT_STDOUT};

/// How long a monitor waits for the client that asked for it to say `Start`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Entry point of `berth container-monitor ID`. Never returns an error to a terminal: failures
/// are recorded on the container and sent to the client.
pub fn main(root: &Path, runroot: &Path, id: &str) -> i32 {
    tracing::debug!("monitor started");
    let r = Pending::new(root, runroot, id).and_then(|mut p| {
        let starter = p.wait_for_start()?;
        tracing::debug!("start requested");
        Monitor::new(p)?.run(starter)
    });
    match r {
        Ok(()) => 0,
        Err(e) => {
            tracing::error!("monitor {id}: {e:#}");
            1
        }
    }
}

struct Client {
    stream: UnixStream,
    frames: protocol::FrameBuf,
    want: u8,
}

struct Running {
    pid: i32,
    stdin: Option<OwnedFd>,
    outputs: Vec<(usize, OwnedFd)>,
    /// The pty master when the container has a terminal.
    pty: Option<OwnedFd>,
}

struct Monitor {
    store: Store,
    id: String,
    paths: Paths,
    settings: Settings,
    runtime: Runtime,
    listener: UnixListener,
    clients: HashMap<RawFd, Client>,
    /// The log (none with `--log-driver none`).
    log: Option<logs::LogWriter>,
    stopped_by_user: bool,
    /// `berth restart` stops the container: it is started again, `--rm` does not remove it.
    restarting: bool,
    /// The container's network while it runs: held port sockets and the DNS server.
    net: crate::network::Attached,
    /// The health checks while the container runs (if it has one).
    health: Option<health::HealthChecks>,
    _lock: Lock,
}

/// A monitor before its `Start`: the CLI may spawn it before the container's row is written
/// (its start-up then overlaps the CLI's `create`), so nothing here reads the row.
struct Pending {
    store: Store,
    id: String,
    paths: Paths,
    runtime: Runtime,
    listener: UnixListener,
    lock: Lock,
}

impl Pending {
    fn new(root: &Path, runroot: &Path, id: &str) -> anyhow::Result<Pending> {
        let store = Store::open(root, runroot)?;
        let paths = Paths::new(&store, id);
        fs::create_dir_all(&paths.run)?;
        // One monitor per container: a second `start` racing with the first stops here.
        let lock = match Lock::file(&paths.run.join("monitor.lock"), LockMode::TryExclusive) {
            Ok(l) => l,
            Err(e) if crate::lock::is_held_elsewhere(&e) => {
                anyhow::bail!("container {id} already has a monitor")
            }
            Err(e) => return Err(e.into()),
        };
        // The container inherits our umask: make it the usual one.
        nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
        let _ = fs::remove_file(paths.socket());
        let listener = UnixListener::bind(paths.socket())?;
        crate::runtime::prepare_monitor_process()?;
        let runtime = Runtime::new(store.runroot.join("runtime"))?;
        // Orphaned processes of the container are reparented to us, and we reap them.
        let _ = nix::sys::prctl::set_child_subreaper(true);
        Ok(Pending {
            store,
            id: id.to_string(),
            paths,
            runtime,
            listener,
            lock,
        })
    }

    /// Accepts clients until one sends `Start`; returns it with its attach flags. Without one
    /// in time, the container is marked as failed to start or, if its `create` never
    /// happened (the CLI died first), the directories made for it are removed.
    fn wait_for_start(&mut self) -> anyhow::Result<(UnixStream, u8)> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                if rows::get(&self.store.db.conn, &self.id)?.is_some() {
                    let tx = self.store.db.write()?;
                    rows::set_exited(
                        &tx,
                        &self.id,
                        i64::from(EXIT_BERTH),
                        false,
                        now_nanos(),
                        "not started in time",
                    )?;
                    tx.commit()?;
                } else {
                    let _ = crate::tmp::remove_any(&self.paths.run);
                    let _ = crate::tmp::remove_any(&self.paths.dir);
                }
                anyhow::bail!("no client asked to start the container");
            }
            let fd = self.listener.as_fd();
            let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
            let ms = left.as_millis().min(60_000) as u16;
            poll(&mut fds, PollTimeout::from(ms))?;
            let Ok((mut s, _)) = self.listener.accept() else {
                continue;
            };
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            if let Ok(Some((Kind::Start, p))) = protocol::read_frame(&mut s) {
                s.set_read_timeout(None)?;
                return Ok((s, p.first().copied().unwrap_or(0)));
            }
        }
    }
}

/// The container's log writer, as its driver says (none for `none`), with the attributes its
/// options ask for.
fn open_log(
    store: &Store,
    row: &rows::ContainerRow,
    paths: &Paths,
    settings: &Settings,
) -> anyhow::Result<Option<logs::LogWriter>> {
    let cfg = settings.log_config()?;
    let Some(path) = paths.log_file(cfg.driver) else {
        return Ok(None);
    };
    let env = crate::images::config(store, &row.image_id)
        .map(|image| crate::containers::runspec::env(settings, &image))
        .unwrap_or_else(|_| settings.env.clone());
    let attrs = cfg.attrs(&logs::Owner {
        id: &row.id,
        name: &row.name,
        image_id: &row.image_id,
        image_name: &row.image_name,
        labels: &settings.labels,
        env: &env,
    });
    Ok(Some(logs::LogWriter::open(&path, &cfg, attrs)?))
}

impl Monitor {
    /// The monitor proper, once a client asked for the start: the container's row exists.
    fn new(p: Pending) -> anyhow::Result<Monitor> {
        let Pending {
            store,
            id,
            paths,
            runtime,
            listener,
            lock,
        } = p;
        let row = rows::get(&store.db.conn, &id)?
            .ok_or_else(|| anyhow::anyhow!("no such container {id}"))?;
        let settings: Settings = serde_json::from_str(&row.config)?;
        listener.set_nonblocking(true)?;
        let log = open_log(&store, &row, &paths, &settings)?;
        Ok(Monitor {
            store,
            id,
            paths,
            settings,
            runtime,
            listener,
            clients: HashMap::new(),
            log,
            stopped_by_user: false,
            restarting: false,
            net: Default::default(),
            health: None,
            _lock: lock,
        })
    }

    fn run(mut self, starter: (UnixStream, u8)) -> anyhow::Result<()> {
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        mask.add(Signal::SIGTERM);
        mask.add(Signal::SIGINT);
        mask.add(Signal::SIGHUP);
        mask.add(Signal::SIGPIPE);
        mask.thread_block()?;
        let sfd = SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)?;

        let mut restarts: u32 = 0;
        let mut starter = Some(starter);
        loop {
            let running = match self.start_container() {
                Ok(r) => r,
                Err((code, msg)) => {
                    self.finish_failed(code, &msg, starter.take());
                    return Ok(());
                }
            };
            if let Some((mut s, want)) = starter.take() {
                let _ = protocol::write_frame(
                    &mut s,
                    Kind::Started,
                    &(running.pid as u32).to_be_bytes(),
                );
                if want & (WANT_STDOUT | WANT_STDERR | WANT_STDIN) != 0 {
                    self.add_client(s, want);
                }
            }
            self.health = health::HealthChecks::start(
                self.health_probe(),
                &self.store.root,
                &self.store.runroot,
                &self.id,
                &self.paths.dir,
            );
            let code = self.supervise(running, &sfd)?;
            if let Some(h) = self.health.take() {
                h.stop();
            }
            let oom = self.oom_killed();
            if oom {
                self.record("oom", &[]);
            }
            self.record("die", &[("exitCode", code.to_string())]);
            self.record_volumes("unmount");
            self.cleanup_runtime();
            crate::network::record_endpoints(&self.store, &self.id, "disconnect");
            // `update` may have changed the restart policy and limits meanwhile.
            self.reload_settings();
            let policy = &self.settings.restart;
            if policy.should_restart(code as i64, restarts, self.stopped_by_user) {
                restarts += 1;
                tracing::info!("restarting container {} (exit {code})", self.id);
                {
                    let tx = self.store.db.write()?;
                    rows::set_exited(&tx, &self.id, code as i64, oom, now_nanos(), "")?;
                    rows::bump_restart_count(&tx, &self.id)?;
                    tx.commit()?;
                }
                // Docker's back-off: 100 ms doubling, capped.
                let delay = Duration::from_millis(100u64 << restarts.min(9));
                std::thread::sleep(delay.min(Duration::from_secs(60)));
                continue;
            }
            self.finish(code, oom);
            return Ok(());
        }
    }

    /// Reads the stored settings again (`update` changes them while the container runs); keeps
    /// the ones it has if the row cannot be read.
    fn reload_settings(&mut self) {
        match rows::get(&self.store.db.conn, &self.id) {
            Ok(Some(row)) => match serde_json::from_str(&row.config) {
                Ok(s) => self.settings = s,
                Err(e) => tracing::warn!("container {}: settings unreadable: {e}", self.id),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!("container {}: reading its row: {e}", self.id),
        }
    }

    fn add_client(&mut self, s: UnixStream, want: u8) {
        let _ = s.set_nonblocking(true);
        self.clients.insert(
            s.as_raw_fd(),
            Client {
                stream: s,
                frames: protocol::FrameBuf::default(),
                want,
            },
        );
    }

    /// Mounts the rootfs, writes the bundle and starts the process. Errors carry Docker's
    /// classification (berth's own failure, not executable, not found).
    fn start_container(&mut self) -> Result<Running, (ErrorKind, String)> {
        let internal = |e: &dyn std::fmt::Display| (ErrorKind::Internal, e.to_string());
        let t0 = Instant::now();
        let request = self.network_request().map_err(|e| internal(&e))?;
        self.net =
            crate::network::setup(&mut self.store, &self.id, &request).map_err(|e| internal(&e))?;
        tracing::debug!("network setup: {:?}", t0.elapsed());
        if let Err(e) = containers::filesystem::prepare(
            &self.store,
            &self.id,
            &self.paths,
            &self.settings,
            &self.net,
        ) {
            self.net = Default::default();
            crate::network::teardown(&mut self.store, &self.id);
            return Err(internal(&e));
        }
        let (stdio, ours, console) = self.make_stdio().map_err(|e| internal(&e))?;
        // Another berth's cleanup must not remove the parent cgroups while ours are created.
        let cgroup_lock = containers::cgroup_parent_lock(false);
        let undo = |m: &mut Monitor, e: &crate::runtime::RuntimeError| {
            let _ = m.runtime.delete(&m.id, true);
            let _ = containers::filesystem::unmount(&m.paths);
            m.net = Default::default();
            crate::network::teardown(&mut m.store, &m.id);
            exit_code_for(e)
        };
        let (pid, exec_status) = match self.runtime.run(
            &self.id,
            &self.paths.runtime_bundle(),
            stdio,
            console.as_ref().map(|c| c.path()),
        ) {
            Ok(started) => started,
            Err(e) => return Err(undo(self, &e)),
        };
        drop(cgroup_lock);
        let mut running = ours;
        running.pid = pid;
        if let Some(console) = console {
            match console.recv_master() {
                Ok(master) => running.pty = Some(master),
                Err(e) => tracing::warn!("no pty from the runtime: {e}"),
            }
        }
        if let Ok(tx) = self.store.db.write() {
            let _ = rows::set_running(
                &tx,
                &self.id,
                pid as i64,
                std::process::id() as i64,
                now_nanos(),
            );
            let _ = tx.commit();
        }
        crate::network::record_endpoints(&self.store, &self.id, "connect");
        self.record_volumes("mount");
        self.record("start", &[]);
        // Only now (the command runs meanwhile): a command that cannot be executed fails the
        // start, as with `docker run`, `-d` included.
        if let Err(e) = exec_status.wait() {
            return Err(undo(self, &e));
        }
        Ok(running)
    }

    /// Pipes for the container's stdio (or a console socket for a terminal).
    fn make_stdio(&self) -> anyhow::Result<(Stdio, Running, Option<ConsoleSocket>)> {
        let mut running = Running {
            pid: 0,
            stdin: None,
            outputs: Vec::new(),
            pty: None,
        };
        if self.settings.tty {
            let console = ConsoleSocket::bind(self.paths.run.join("console.sock"))?;
            let stdio = Stdio {
                stdin: None,
                stdout: None,
                stderr: None,
            };
            return Ok((stdio, running, Some(console)));
        }
        let pipe = || nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(io::Error::from);
        let stdin = if self.settings.interactive {
            let (r, w) = pipe()?;
            running.stdin = Some(w);
            r
        } else {
            OwnedFd::from(fs::File::open("/dev/null")?)
        };
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        set_nonblock(&out_r);
        set_nonblock(&err_r);
        running.outputs = vec![(0, out_r), (1, err_r)];
        Ok((
            Stdio {
                stdin: Some(stdin),
                stdout: Some(out_w),
                stderr: Some(err_w),
            },
            running,
            None,
        ))
    }

    /// The poll loop while the container runs. Returns its exit code.
    fn supervise(&mut self, mut r: Running, sfd: &SignalFd) -> anyhow::Result<i32> {
        if let Some(m) = &r.pty {
            set_nonblock(m);
        }
        let mut exit: Option<i32> = None;
        loop {
            // Output sources: pipes, or the pty master.
            let out_fds: Vec<(usize, RawFd)> = match &r.pty {
                Some(m) => vec![(0, m.as_raw_fd())],
                None => r.outputs.iter().map(|(s, f)| (*s, f.as_raw_fd())).collect(),
            };
            if exit.is_some() && out_fds.is_empty() {
                break;
            }
            let client_fds: Vec<RawFd> = self.clients.keys().copied().collect();
            let mut pfds: Vec<PollFd> = Vec::new();
            // SAFETY: every fd below stays open for this turn of the loop (the poll, then the
            // reads of the output fds): their owners close them only after.
            let b = |fd: RawFd| unsafe { BorrowedFd::borrow_raw(fd) };
            pfds.push(PollFd::new(sfd.as_fd(), PollFlags::POLLIN));
            pfds.push(PollFd::new(self.listener.as_fd(), PollFlags::POLLIN));
            for (_, fd) in &out_fds {
                pfds.push(PollFd::new(b(*fd), PollFlags::POLLIN));
            }
            for fd in &client_fds {
                pfds.push(PollFd::new(b(*fd), PollFlags::POLLIN));
            }
            let dns_fds: Vec<RawFd> = self
                .net
                .dns
                .as_ref()
                .map(|d| vec![d.socket.as_raw_fd(), d.relay.as_raw_fd()])
                .unwrap_or_default();
            for fd in &dns_fds {
                pfds.push(PollFd::new(b(*fd), PollFlags::POLLIN));
            }
            let health_fd = self
                .health
                .as_ref()
                .and_then(|h| h.fd())
                .map(|f| f.as_raw_fd());
            if let Some(fd) = health_fd {
                pfds.push(PollFd::new(b(fd), PollFlags::POLLIN));
            }
            // After the init process exited, drain output briefly, then stop.
            let timeout = if exit.is_some() {
                200u16
            } else {
                // Up to the next health check event (rounded up: never a busy loop).
                let h = self.health.as_ref().map(|h| h.wait(Instant::now()));
                h.map(|d| d.as_nanos().div_ceil(1_000_000).min(1000) as u16)
                    .unwrap_or(1000)
            };
            let n = match poll(&mut pfds, PollTimeout::from(timeout)) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            if n == 0 && exit.is_some() {
                break;
            }
            let revents: Vec<PollFlags> = pfds
                .iter()
                .map(|p| p.revents().unwrap_or(PollFlags::empty()))
                .collect();
            drop(pfds);
            if !revents[0].is_empty() {
                while let Ok(Some(si)) = sfd.read_signal() {
                    if si.ssi_signo == Signal::SIGCHLD as u32 {
                        if let Some(code) = crate::reap::reap_exited(r.pid) {
                            exit = Some(code);
                        }
                    } else if si.ssi_signo == Signal::SIGTERM as u32 {
                        // Forward to the container; its exit ends us.
                        let _ = nix::sys::signal::kill(Pid::from_raw(r.pid), Signal::SIGTERM);
                    }
                }
            }
            if !revents[1].is_empty() {
                while let Ok((s, _)) = self.listener.accept() {
                    self.add_client(s, 0);
                }
            }
            let mut closed_outputs = Vec::new();
            for (i, (stream, fd)) in out_fds.iter().enumerate() {
                let ev = revents[2 + i];
                if ev.is_empty() {
                    continue;
                }
                let mut buf = [0u8; 32 * 1024];
                match nix::unistd::read(b(*fd), &mut buf) {
                    Ok(0) => closed_outputs.push(*fd),
                    Ok(n) => self.output(*stream, &buf[..n]),
                    Err(e) if e != nix::errno::Errno::EAGAIN => closed_outputs.push(*fd),
                    Err(_) => {}
                }
            }
            if !closed_outputs.is_empty() {
                if r.pty
                    .as_ref()
                    .is_some_and(|m| closed_outputs.contains(&m.as_raw_fd()))
                {
                    r.pty = None;
                }
                r.outputs
                    .retain(|(_, f)| !closed_outputs.contains(&f.as_raw_fd()));
            }
            let base = 2 + out_fds.len();
            for (i, fd) in client_fds.iter().enumerate() {
                if !revents[base + i].is_empty() {
                    self.client_input(*fd, &mut r);
                }
            }
            let base = base + client_fds.len();
            if (0..dns_fds.len()).any(|i| !revents[base + i].is_empty()) {
                self.serve_dns();
            }
            let base = base + dns_fds.len();
            if health_fd.is_some()
                && !revents[base].is_empty()
                && let Some(status) = self.health.as_mut().and_then(|h| h.readable())
            {
                self.record(&format!("health_status: {status}"), &[]);
            }
            if exit.is_none()
                && let Some(h) = self.health.as_mut()
            {
                h.tick(Instant::now());
            }
        }
        if let Some(log) = self.log.as_mut() {
            let _ = log.flush_partial();
        }
        Ok(exit.unwrap_or(255))
    }

    fn output(&mut self, stream: usize, data: &[u8]) {
        if let Some(log) = self.log.as_mut()
            && let Err(e) = log.write(stream, data)
        {
            tracing::warn!("writing the log: {e}");
        }
        let (kind, flag) = if stream == 0 {
            (Kind::Stdout, WANT_STDOUT)
        } else {
            (Kind::Stderr, WANT_STDERR)
        };
        let mut dead = Vec::new();
        for (fd, c) in self.clients.iter_mut() {
            if c.want & flag != 0 {
                // Attached clients get output in blocking writes: a slow reader slows the
                // container, as with Docker's attach.
                let _ = c.stream.set_nonblocking(false);
                if protocol::write_frame(&mut c.stream, kind, data).is_err() {
                    dead.push(*fd);
                }
                let _ = c.stream.set_nonblocking(true);
            }
        }
        for fd in dead {
            self.clients.remove(&fd);
        }
    }

    fn client_input(&mut self, fd: RawFd, r: &mut Running) {
        let Some(c) = self.clients.get_mut(&fd) else {
            return;
        };
        let mut buf = [0u8; 16 * 1024];
        match c.stream.read(&mut buf) {
            Ok(0) => {
                self.clients.remove(&fd);
                return;
            }
            Ok(n) => c.frames.push(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
            Err(_) => {
                self.clients.remove(&fd);
                return;
            }
        }
        loop {
            let frame = match self.clients.get_mut(&fd).map(|c| c.frames.next_frame()) {
                Some(Ok(Some(f))) => f,
                Some(Ok(None)) | None => break,
                Some(Err(_)) => {
                    self.clients.remove(&fd);
                    break;
                }
            };
            match frame {
                (Kind::Attach, p) => {
                    if let Some(c) = self.clients.get_mut(&fd) {
                        c.want = p.first().copied().unwrap_or(0);
                    }
                }
                (Kind::Stdin, data) => {
                    let target = r
                        .pty
                        .as_ref()
                        .map(|m| m.as_raw_fd())
                        .or(r.stdin.as_ref().map(|s| s.as_raw_fd()));
                    if data.is_empty() {
                        // EOF: close the container's stdin (a terminal gets ^D instead).
                        if r.pty.is_some() {
                            if let Some(t) = target {
                                write_all_fd(t, &[4]);
                            }
                        } else {
                            r.stdin = None;
                        }
                    } else if let Some(t) = target {
                        write_all_fd(t, &data);
                    }
                }
                (Kind::Resize, p) if p.len() >= 4 => {
                    if let Some(m) = &r.pty {
                        let ws = libc::winsize {
                            ws_row: u16::from_be_bytes([p[0], p[1]]),
                            ws_col: u16::from_be_bytes([p[2], p[3]]),
                            ws_xpixel: 0,
                            ws_ypixel: 0,
                        };
                        // libc's ioctl: nix has no wrapper for TIOCSWINSZ.
                        // SAFETY: TIOCSWINSZ with a valid winsize on the pty master.
                        unsafe { libc::ioctl(m.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
                    }
                }
                (Kind::Signal, p) if p.len() >= 4 => {
                    let sig = i32::from_be_bytes([p[0], p[1], p[2], p[3]]);
                    let flags = p.get(4).copied().unwrap_or(0);
                    let user = flags & protocol::SIGNAL_BY_USER != 0;
                    if user {
                        self.stopped_by_user = true;
                    }
                    if flags & protocol::SIGNAL_RESTARTING != 0 {
                        self.restarting = true;
                    }
                    // libc's kill: `sig` may be a real-time signal (`kill -s RTMIN+1`), which
                    // nix's `Signal` cannot hold.
                    // SAFETY: kill with a pid and a signal number; an invalid one fails.
                    unsafe { libc::kill(r.pid, sig) };
                    if user {
                        self.thaw_for(sig);
                    }
                }
                _ => {}
            }
        }
    }

    /// A paused (frozen) container gets a signal only when thawed. As Docker does, SIGKILL and
    /// the stop signal from the user (`stop`, `kill`, `rm -f`) thaw it, and it is recorded as
    /// running again; other signals stay pending until `unpause`.
    fn thaw_for(&mut self, sig: i32) {
        if !matches!(
            self.runtime.state(&self.id),
            Ok(Some(crate::runtime::ContainerStatus::Paused))
        ) {
            return;
        }
        if sig != libc::SIGKILL && sig != self.stop_signal() {
            return;
        }
        if let Err(e) = self.runtime.resume(&self.id) {
            tracing::warn!("thawing container {}: {e}", self.id);
            return;
        }
        if let Ok(tx) = self.store.db.write() {
            if matches!(rows::get(&tx, &self.id), Ok(Some(c)) if c.status == rows::Status::Paused) {
                let _ = rows::set_status(&tx, &self.id, rows::Status::Running);
            }
            let _ = tx.commit();
        }
    }

    /// `--stop-signal`, else the image's StopSignal, else SIGTERM.
    fn stop_signal(&self) -> i32 {
        let from_image = rows::get(&self.store.db.conn, &self.id)
            .ok()
            .flatten()
            .and_then(|c| crate::images::config(&self.store, &c.image_id).ok())
            .and_then(|v| {
                v.pointer("/config/StopSignal")
                    .and_then(|s| s.as_str())
                    .map(str::to_string)
            });
        self.settings
            .stop_signal
            .clone()
            .or(from_image)
            .and_then(|n| crate::spec::parse_signal(&n).ok())
            .unwrap_or(libc::SIGTERM)
    }

    /// Records the event `action` of the container (as its row is now: a rename shows).
    fn record(&self, action: &str, attrs: &[(&str, String)]) {
        match rows::get(&self.store.db.conn, &self.id) {
            Ok(Some(row)) => containers::events::record_with(&self.store.root, &row, action, attrs),
            _ => tracing::warn!("no row to record the event {action} of {}", self.id),
        }
    }

    /// Records Docker's `volume mount` (or `unmount`) of each volume the container uses.
    fn record_volumes(&self, action: &str) {
        use crate::events::{Event, Type};
        let mount = action == "mount";
        for m in &self.settings.mounts {
            if m.kind != crate::volumes::parse::MountKind::Volume || m.source.is_empty() {
                continue;
            }
            let mut ev = Event::new(Type::Volume, action, &m.source)
                .attr("container", &self.id)
                .attr("driver", "local");
            if mount {
                ev = ev
                    .attr("destination", &m.target)
                    .attr("propagation", &m.propagation)
                    .attr("read/write", (!m.read_only).to_string());
            }
            crate::events::record(&self.store.root, ev);
        }
    }

    /// The container's health check probe, if it has one (its settings over its image's).
    fn health_probe(&self) -> Option<crate::containers::health::Probe> {
        let row = rows::get(&self.store.db.conn, &self.id).ok().flatten()?;
        let image_config = crate::images::config(&self.store, &row.image_id).ok()?;
        crate::containers::health::probe_of(&self.settings, &image_config)
    }

    /// Read before the runtime state (and cgroup) is deleted.
    fn oom_killed(&self) -> bool {
        matches!(self.runtime.oom_kills(&self.id), Ok(Some(n)) if n > 0)
    }

    fn cleanup_runtime(&mut self) {
        self.net = Default::default();
        let t0 = Instant::now();
        containers::cleanup_runtime(&mut self.store, &self.id, &self.paths);
        tracing::debug!("cleanup: {:?}", t0.elapsed());
    }

    /// What the container asks of the network (from its settings and image).
    fn network_request(&self) -> anyhow::Result<crate::network::Request> {
        let row = rows::get(&self.store.db.conn, &self.id)?
            .ok_or_else(|| anyhow::anyhow!("no such container {}", self.id))?;
        let image_config = crate::images::config(&self.store, &row.image_id)?;
        // `container:NAME`: resolved here, so that the network code needs no container records.
        let peer = match self.settings.network.container() {
            Some(other) => {
                let c = containers::resolve(&self.store, other)?;
                Some(crate::network::Peer {
                    name: c.name,
                    pid: (c.status.is_active() && c.pid > 0).then_some(c.pid),
                })
            }
            None => None,
        };
        Ok(crate::network::Request {
            mode: self.settings.network.clone(),
            peer,
            publish: containers::settings::publish_bindings(&self.settings, &image_config)?,
            dns_servers: self.settings.dns.clone(),
        })
    }

    /// Answers the DNS queries waiting for the container's DNS server.
    fn serve_dns(&mut self) {
        let store = &self.store;
        let id = self.id.clone();
        if let Some(d) = self.net.dns.as_mut() {
            d.serve(&|name| crate::network::lookup(store, &id, name));
        }
    }

    /// Records the exit, applies --rm, tells the clients, and cleans up.
    fn finish(&mut self, code: i32, oom: bool) {
        // The exit is recorded first: with `--rm` the row then goes (the runtime is already
        // cleaned up), and its removal keeps the exit code for a `wait` of it.
        if let Ok(tx) = self.store.db.write() {
            let _ = rows::set_exited(&tx, &self.id, code as i64, oom, now_nanos(), "");
            if self.stopped_by_user {
                let _ = rows::set_stopped_by_user(&tx, &self.id);
            }
            let _ = tx.commit();
        }
        if self.settings.auto_remove && !self.restarting {
            self.remove_cleaned();
        }
        self.broadcast_exit(Kind::Exit, &protocol::exit_payload(code));
        let _ = fs::remove_file(self.paths.socket());
    }

    /// The container could not start: record why, tell the starter, clean up.
    fn finish_failed(&mut self, kind: ErrorKind, msg: &str, starter: Option<(UnixStream, u8)>) {
        if let Ok(tx) = self.store.db.write() {
            let code = i64::from(kind.exit_code());
            let _ = rows::set_start_failed(&tx, &self.id, code, now_nanos(), msg);
            let _ = tx.commit();
        }
        self.cleanup_runtime();
        self.remove_if_auto();
        if let Some((mut s, _)) = starter {
            let _ = protocol::write_frame(&mut s, Kind::Error, &protocol::error_payload(kind, msg));
        }
        self.broadcast_exit(Kind::Error, &protocol::error_payload(kind, msg));
        let _ = fs::remove_file(self.paths.socket());
    }

    /// Removes the container after `cleanup_runtime`; false if it could not.
    fn remove_cleaned(&mut self) -> bool {
        let r = rows::get(&self.store.db.conn, &self.id)
            .map_err(containers::ContainerError::from)
            .and_then(|row| match row {
                Some(row) => containers::remove_cleaned(&mut self.store, &row, true),
                None => Ok(()),
            });
        if let Err(e) = &r {
            tracing::warn!("removing container {}: {e}", self.id);
        }
        r.is_ok()
    }

    fn remove_if_auto(&mut self) {
        if !self.settings.auto_remove {
            return;
        }
        if let Ok(Some(row)) = rows::get(&self.store.db.conn, &self.id)
            && let Err(e) = containers::remove_stopped_volumes(&mut self.store, &row, true)
        {
            tracing::warn!("removing container {}: {e}", self.id);
        }
    }

    fn broadcast_exit(&mut self, kind: Kind, payload: &[u8]) {
        for (_, mut c) in self.clients.drain() {
            let _ = c.stream.set_nonblocking(false);
            let _ = protocol::write_frame(&mut c.stream, kind, payload);
        }
    }
}

fn set_nonblock(fd: impl AsFd) {
    use nix::fcntl::{FcntlArg, OFlag, fcntl};
    if let Ok(fl) = fcntl(&fd, FcntlArg::F_GETFL) {
        let _ = fcntl(
            &fd,
            FcntlArg::F_SETFL(OFlag::from_bits_retain(fl) | OFlag::O_NONBLOCK),
        );
    }
}

fn write_all_fd(fd: RawFd, mut data: &[u8]) {
    // SAFETY: `fd` is a valid borrowed descriptor for the duration of the call.
    let mut f = std::mem::ManuallyDrop::new(unsafe { fs::File::from_raw_fd(fd) });
    while !data.is_empty() {
        match f.write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => break,
        }
    }
}

/// Docker's classification and message for a process that could not start: the command does
/// not exist, cannot be executed, or berth's own failure.
fn exit_code_for(e: &crate::runtime::RuntimeError) -> (ErrorKind, String) {
    let msg = e.to_string();
    match crate::runtime::command_failure(&msg) {
        Some((kind, why)) => (kind, format!("failed to start the container: {why}")),
        None => (ErrorKind::Internal, msg),
    }
}
