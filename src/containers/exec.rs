//! Working with a running container: `exec`, `attach`, `top`, `pause` and `unpause`.
//!
//! `exec` runs the embedded runtime in the CLI process itself (libcontainer's tenant: `setns`
//! into the container's namespaces, joining its cgroup). The exec'd process is a child of the
//! CLI, which relays its stdio (pipes, or a pty with `-t`), forwards signals and the terminal
//! size, reaps it and returns its exit code. libcontainer clones the calling process, so the CLI
//! must still be single-threaded when it gets here: nothing on the way (store, database,
//! logging) starts a thread but `main`'s cgroup warm-up, which `cli::exec` joins first
//! (`runtime::warmup`), and no thread is started before `Runtime::exec` returns.
//!
//! `exec -d` forks a small helper first (in its own session, stdio on /dev/null) that starts
//! the process, reports the outcome to the CLI, and then stays to reap it: an exec'd process
//! lives in the container's pid namespace, and when the container's init dies the kernel waits
//! until every process of that namespace has been reaped — a zombie left to a host init that
//! does not reap would make the container's monitor wait forever. The helper itself is an
//! orphan in its own session once the CLI exits, like the container monitors.

use std::fs;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use serde_json::Value;

use super::{ContainerError, Paths, Result, Settings, reconcile, runspec};
use crate::monitor::client::{self, ClientError};
use crate::monitor::protocol::{self, Kind, WANT_STDERR, WANT_STDIN, WANT_STDOUT};
use crate::runtime::{ConsoleSocket, ExecProcess, Runtime, RuntimeError, Stdio};
use crate::state::StateError;
use crate::state::containers::{self as rows, ContainerRow, Status};
use crate::store::Store;

/// A failure with Docker's exit code (125 berth, 126 not executable, 127 not found).
pub type Failure = (i32, String);

fn e125(e: impl std::fmt::Display) -> Failure {
    (125, e.to_string())
}

/// What `berth exec` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    /// The command and its arguments.
    pub args: Vec<String>,
    /// `KEY=VALUE` entries (`-e`, `--env-file`), already expanded; they override the
    /// container's environment.
    pub env: Vec<String>,
    /// `-u user[:group]`, resolved in the container's /etc/passwd and /etc/group.
    pub user: Option<String>,
    /// `-w DIR` (absolute); default: the container's working directory.
    pub workdir: Option<String>,
    pub privileged: bool,
    pub interactive: bool,
    pub tty: bool,
    pub detach: bool,
}

fn env_key(kv: &str) -> &str {
    kv.split_once('=').map(|(k, _)| k).unwrap_or(kv)
}

fn has_env(env: &[String], key: &str) -> bool {
    env.iter().any(|e| env_key(e) == key)
}

/// Docker's refusal for a container that is not running (or paused, for `op`s that need it
/// to run).
fn not_running(c: &ContainerRow, what: &str) -> Failure {
    if c.status == Status::Paused {
        (
            125,
            format!(
                "container {} is paused, unpause the container before {what}",
                c.id
            ),
        )
    } else {
        (125, format!("container {} is not running", c.id))
    }
}

/// `berth exec`: runs a process in the running container `c`; returns its exit code (0 at once
/// with `detach`). The store is closed before the runtime is called.
pub fn exec(
    mut store: Store,
    c: &ContainerRow,
    o: ExecOptions,
) -> std::result::Result<i32, Failure> {
    let c = reconcile(&mut store, c.clone()).map_err(e125)?;
    if c.status != Status::Running {
        return Err(not_running(&c, "exec"));
    }
    if o.args.is_empty() || o.args[0].is_empty() {
        return Err(e125("no command specified"));
    }
    let settings: Settings = serde_json::from_str(&c.config).unwrap_or_default();
    if o.privileged && !settings.privileged {
        return Err(e125(
            "exec --privileged is not supported by the embedded runtime yet: the process gets \
             the container's own privileges (create the container with --privileged)",
        ));
    }
    for kv in &o.env {
        if env_key(kv).is_empty() {
            return Err(e125(crate::spec::SpecError::InvalidEnv(kv.clone())));
        }
    }
    let paths = Paths::new(&store, &c.id);
    let image_config = crate::images::config(&store, &c.image_id).unwrap_or(Value::Null);
    // Docker's exec environment: PATH, HOSTNAME, TERM=xterm with -t, the container's configured
    // environment, then -e. The runtime starts from the container process's environment
    // (which also has HOME and, for a tty container, TERM) and applies ours on top.
    let config_env = runspec::env(&settings, &image_config);
    let mut env = Vec::new();
    if o.tty && !has_env(&config_env, "TERM") {
        env.push("TERM=xterm".to_string());
    }
    let mut p = ExecProcess {
        args: o.args.clone(),
        tty: o.tty,
        ..Default::default()
    };
    if let Some(w) = o.workdir.as_deref().filter(|w| !w.is_empty()) {
        if !w.starts_with('/') {
            return Err(e125(crate::spec::SpecError::InvalidWorkdir(w.to_string())));
        }
        p.cwd = Some(PathBuf::from(w));
    }
    if let Some(u) = o.user.as_deref().filter(|u| !u.is_empty()) {
        let eu = crate::spec::user::resolve(&paths.rootfs(), u, &[]).map_err(e125)?;
        p.uid = Some(eu.uid);
        p.gid = Some(eu.gid);
        p.additional_gids = eu.additional_gids;
        // runc sets HOME from the exec user's passwd entry unless the environment has one; the
        // container process's HOME is its own user's.
        if !has_env(&config_env, "HOME") {
            env.push(format!("HOME={}", eu.home));
        }
    }
    env.extend(o.env.iter().cloned());
    p.env = env;

    let rt = Runtime::new(store.runroot.join("runtime")).map_err(e125)?;
    let id = c.id.clone();
    drop(store);
    crate::runtime::prepare_monitor_process().map_err(e125)?;
    let fctx = FailureContext {
        cwd: p.cwd.clone(),
        rootfs: paths.rootfs(),
    };
    if o.detach {
        exec_detached(&rt, &id, p, &paths.run, &fctx)
    } else {
        exec_attached(&rt, &id, p, &paths.run, &fctx, o.interactive)
    }
}

/// A console socket path for this process (at most 107 bytes), under the container's run dir
/// or, if that is too long, the temp dir.
fn console_path(run_dir: &Path) -> PathBuf {
    let name = format!("exec-{}-console.sock", std::process::id());
    let p = run_dir.join(&name);
    if p.as_os_str().len() < 100 {
        p
    } else {
        std::env::temp_dir().join(format!("berth-{name}"))
    }
}

/// What an exec failure message may need to name.
struct FailureContext {
    cwd: Option<PathBuf>,
    rootfs: PathBuf,
}

/// Why the working directory `cwd` is not usable, judged from the container's root filesystem
/// as the host sees it (mounts made inside the container are not visible there: only a clear
/// "missing" or "not a directory" is reported).
fn cwd_problem(rootfs: &Path, cwd: &Path) -> Option<&'static str> {
    let p = match crate::spec::inroot::resolve_in_root_manually(rootfs, &cwd.to_string_lossy()) {
        Ok(p) => p,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Some("no such file or directory"),
        Err(_) => return None,
    };
    match fs::metadata(&p) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some("no such file or directory"),
        Ok(m) if !m.is_dir() => Some("not a directory"),
        _ => None,
    }
}

/// Runs `f` with libcontainer's logging off: its errors are returned to us (and become one
/// line), and what it logs in the processes it clones would go to the exec'd process's stderr.
/// (The scoped dispatcher is thread-local, so the clones inherit it.)
fn quiet<T>(f: impl FnOnce() -> T) -> T {
    tracing::subscriber::with_default(tracing::subscriber::NoSubscriber::default(), f)
}

/// Docker's exit code and message for a process that could not be started.
fn exec_failure(e: RuntimeError, id: &str, ctx: &FailureContext) -> Failure {
    match e {
        RuntimeError::NotFound(_) => (125, format!("container {id} is not running")),
        RuntimeError::WrongState { status, .. } => {
            if status == crate::runtime::ContainerStatus::Paused {
                (
                    125,
                    format!("container {id} is paused, unpause the container before exec"),
                )
            } else {
                (125, format!("container {id} is not running"))
            }
        }
        e => {
            let msg = e.to_string();
            if let Some((code, why)) = crate::runtime::command_failure(&msg) {
                (code, format!("exec failed: {why}"))
            } else if let Some(cwd) = ctx.cwd.as_deref()
                && let Some(why) = cwd_problem(&ctx.rootfs, cwd)
            {
                (
                    126,
                    format!(
                        "exec failed: chdir to cwd ({:?}) set in config.json failed: {why}",
                        cwd.display()
                    ),
                )
            } else {
                (126, format!("exec failed: {msg}"))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// exec, attached

fn pipe() -> std::result::Result<(OwnedFd, OwnedFd), Failure> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| e125(format!("pipe: {e}")))
}

fn set_nonblock(fd: RawFd) {
    // SAFETY: fcntl on a valid fd.
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
    }
}

/// The signals the relay handles (blocked, read from a signalfd).
fn relay_signals() -> SigSet {
    let mut set = SigSet::empty();
    for s in [
        Signal::SIGCHLD,
        Signal::SIGINT,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGQUIT,
        Signal::SIGWINCH,
    ] {
        set.add(s);
    }
    set
}

/// Restores the signal mask on drop.
struct MaskGuard(SigSet);

impl Drop for MaskGuard {
    fn drop(&mut self) {
        let _ = self.0.thread_set_mask();
    }
}

fn exec_attached(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
    interactive: bool,
) -> std::result::Result<i32, Failure> {
    let tty = p.tty;
    if tty && interactive && !nix::unistd::isatty(io::stdin()).unwrap_or(false) {
        return Err(e125("the input device is not a TTY"));
    }
    let mut stdio = Stdio::default();
    let mut to_child: Option<OwnedFd> = None;
    let mut outs: Vec<(OwnedFd, RawFd)> = Vec::new();
    let console = if tty {
        Some(ConsoleSocket::bind(console_path(run_dir)).map_err(e125)?)
    } else {
        if interactive {
            let (r, w) = pipe()?;
            stdio.stdin = Some(r);
            to_child = Some(w);
        }
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        stdio.stdout = Some(out_w);
        stdio.stderr = Some(err_w);
        outs.push((out_r, libc::STDOUT_FILENO));
        outs.push((err_r, libc::STDERR_FILENO));
        None
    };
    // Block the signals we relay before the process exists (the runtime gives the process an
    // empty mask and default dispositions), so none is lost or kills us in between.
    let set = relay_signals();
    let old = set
        .thread_swap_mask(SigmaskHow::SIG_BLOCK)
        .map_err(|e| e125(format!("sigprocmask: {e}")))?;
    let _mask = MaskGuard(old);
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
        .map_err(|e| e125(format!("signalfd: {e}")))?;

    let pid = quiet(|| rt.exec(id, p, stdio, console.as_ref().map(|c| c.path())))
        .map_err(|e| exec_failure(e, id, fctx))?;
    let mut master = None;
    if let Some(console) = console {
        match console.recv_master() {
            Ok(m) => master = Some(m),
            Err(e) => {
                kill_and_reap(pid);
                return Err(e125(e));
            }
        }
    }
    let _raw = if tty && interactive {
        client::RawMode::enable()
    } else {
        None
    };
    if let Some(m) = &master {
        set_nonblock(m.as_raw_fd());
        copy_winsize(m.as_raw_fd());
        // The pty is both ends: output from it, input to it.
        let dup = m
            .try_clone()
            .map_err(|e| e125(format!("duplicate the pty master: {e}")))?;
        outs.push((dup, libc::STDOUT_FILENO));
        if interactive {
            to_child = m.try_clone().ok();
        }
    }
    for (fd, _) in &outs {
        set_nonblock(fd.as_raw_fd());
    }
    if let Some(w) = &to_child {
        set_nonblock(w.as_raw_fd());
    }
    let relay = Relay {
        pid,
        tty,
        master: master.as_ref().map(|m| m.as_raw_fd()),
        stdin_open: interactive,
        to_child,
        pending: Vec::new(),
        eof_pending: false,
        outs,
    };
    Ok(relay.run(&sfd))
}

/// The poll loop of an attached exec.
struct Relay {
    pid: i32,
    tty: bool,
    master: Option<RawFd>,
    /// Our stdin is still to be read (`-i`, no EOF yet).
    stdin_open: bool,
    /// Where our stdin goes: the stdin pipe, or the pty master.
    to_child: Option<OwnedFd>,
    /// Input read from our stdin, not yet written to the process.
    pending: Vec<u8>,
    /// Our stdin reached EOF: close the process's stdin (^D for a pty) once `pending` is out.
    eof_pending: bool,
    /// Output sources and where they go (our fd 1 or 2).
    outs: Vec<(OwnedFd, RawFd)>,
}

impl Relay {
    fn run(mut self, sfd: &SignalFd) -> i32 {
        let mut exit: Option<i32> = None;
        let mut idle_since: Option<Instant> = None;
        loop {
            if exit.is_some() && self.outs.is_empty() {
                break;
            }
            let read_stdin = exit.is_none()
                && self.stdin_open
                && self.pending.is_empty()
                && self.to_child.is_some();
            let write_child = exit.is_none() && !self.pending.is_empty() && self.to_child.is_some();
            // SAFETY: every fd below stays open for the duration of the poll call.
            let b = |fd: RawFd| unsafe { BorrowedFd::borrow_raw(fd) };
            let mut pfds = vec![PollFd::new(sfd.as_fd(), PollFlags::POLLIN)];
            let stdin_idx = read_stdin.then(|| {
                pfds.push(PollFd::new(b(libc::STDIN_FILENO), PollFlags::POLLIN));
                pfds.len() - 1
            });
            let child_idx = match (&self.to_child, write_child) {
                (Some(w), true) => {
                    pfds.push(PollFd::new(b(w.as_raw_fd()), PollFlags::POLLOUT));
                    Some(pfds.len() - 1)
                }
                _ => None,
            };
            let outs_base = pfds.len();
            for (fd, _) in &self.outs {
                pfds.push(PollFd::new(b(fd.as_raw_fd()), PollFlags::POLLIN));
            }
            // Once the process has exited, drain what is left of its output, then stop when it
            // has been quiet for a moment (a background process may keep the pipes open).
            let timeout = if exit.is_some() {
                PollTimeout::from(50u16)
            } else {
                PollTimeout::NONE
            };
            match poll(&mut pfds, timeout) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => break,
            }
            let revents: Vec<PollFlags> = pfds
                .iter()
                .map(|p| p.revents().unwrap_or(PollFlags::empty()))
                .collect();
            drop(pfds);
            let mut active = false;
            if !revents[0].is_empty() {
                while let Ok(Some(si)) = sfd.read_signal() {
                    let signo = si.ssi_signo as i32;
                    if signo == libc::SIGCHLD {
                        if let Some(code) = reap_all(self.pid) {
                            exit = Some(code);
                        }
                    } else if signo == libc::SIGWINCH {
                        if let Some(m) = self.master {
                            copy_winsize(m);
                        }
                    } else if exit.is_none() {
                        // SAFETY: our unreaped child: its pid cannot have been reused.
                        unsafe { libc::kill(self.pid, signo) };
                    }
                }
            }
            if let Some(i) = stdin_idx
                && !revents[i].is_empty()
            {
                self.read_stdin();
            }
            if let Some(i) = child_idx
                && !revents[i].is_empty()
            {
                self.write_child();
            }
            if self.pending.is_empty() && self.eof_pending {
                self.eof_pending = false;
                if self.tty {
                    if let Some(w) = &self.to_child {
                        write_fd(w.as_raw_fd(), &[4]);
                    }
                } else {
                    self.to_child = None;
                }
            }
            let mut closed = Vec::new();
            for (i, (fd, target)) in self.outs.iter().enumerate() {
                if revents[outs_base + i].is_empty() {
                    continue;
                }
                let mut buf = [0u8; 32 * 1024];
                // SAFETY: reading into a stack buffer from a valid fd.
                let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
                if n > 0 {
                    active = true;
                    if !write_all_blocking(*target, &buf[..n as usize]) {
                        // Our reader is gone (`berth exec … | head -1`): close this stream,
                        // so that the process gets EPIPE/SIGPIPE as in a shell pipeline.
                        closed.push(i);
                    }
                } else if n == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::EAGAIN)
                {
                    // EOF, or EIO from a pty whose last slave fd closed.
                    closed.push(i);
                }
            }
            for i in closed.into_iter().rev() {
                self.outs.remove(i);
            }
            if exit.is_some() {
                if active {
                    idle_since = None;
                } else {
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= Duration::from_millis(200) {
                        break;
                    }
                }
            }
        }
        exit.unwrap_or(255)
    }

    fn read_stdin(&mut self) {
        let mut buf = [0u8; 32 * 1024];
        // SAFETY: reading into a stack buffer from fd 0 (poll said it is readable).
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        if n > 0 {
            self.pending.extend_from_slice(&buf[..n as usize]);
            self.write_child();
        } else if n == 0
            || !matches!(
                io::Error::last_os_error().raw_os_error(),
                Some(libc::EAGAIN | libc::EINTR)
            )
        {
            self.stdin_open = false;
            self.eof_pending = true;
        }
    }

    fn write_child(&mut self) {
        let Some(w) = &self.to_child else {
            self.pending.clear();
            return;
        };
        while !self.pending.is_empty() {
            // SAFETY: writing from our buffer to a valid (non-blocking) fd.
            let n = unsafe {
                libc::write(
                    w.as_raw_fd(),
                    self.pending.as_ptr().cast(),
                    self.pending.len(),
                )
            };
            if n > 0 {
                self.pending.drain(..n as usize);
            } else {
                match io::Error::last_os_error().raw_os_error() {
                    Some(libc::EAGAIN) => return,
                    Some(libc::EINTR) => continue,
                    _ => {
                        // The process closed its stdin: drop the input.
                        self.pending.clear();
                        self.to_child = None;
                        self.stdin_open = false;
                        return;
                    }
                }
            }
        }
    }
}

/// Reaps every exited child; returns the exit code if `pid` was among them.
fn reap_all(pid: i32) -> Option<i32> {
    let mut code = None;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(p, c)) if p.as_raw() == pid => code = Some(c),
            Ok(WaitStatus::Signaled(p, s, _)) if p.as_raw() == pid => code = Some(128 + s as i32),
            Ok(WaitStatus::StillAlive) | Err(_) => break,
            Ok(_) => {}
        }
    }
    code
}

/// SIGKILL and reap our child `pid`.
fn kill_and_reap(pid: i32) {
    let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
    while let Err(nix::errno::Errno::EINTR) = waitpid(Pid::from_raw(pid), None) {}
}

fn write_fd(fd: RawFd, data: &[u8]) {
    // SAFETY: writing from a slice to a valid fd.
    unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
}

/// Writes everything to our own stdout/stderr (which may be non-blocking if shared). False if
/// the reader is gone (the data is dropped).
fn write_all_blocking(fd: RawFd, mut data: &[u8]) -> bool {
    while !data.is_empty() {
        // SAFETY: writing from a slice to a valid fd.
        let n = unsafe { libc::write(fd, data.as_ptr().cast(), data.len()) };
        if n > 0 {
            data = &data[n as usize..];
            continue;
        }
        match io::Error::last_os_error().raw_os_error() {
            Some(libc::EINTR) => {}
            Some(libc::EAGAIN) => {
                // SAFETY: `fd` stays open for the call.
                let b = unsafe { BorrowedFd::borrow_raw(fd) };
                let _ = poll(
                    &mut [PollFd::new(b, PollFlags::POLLOUT)],
                    PollTimeout::from(1000u16),
                );
            }
            _ => return false,
        }
    }
    true
}

/// Copies our terminal's size (stdout's, else stdin's) to the pty.
fn copy_winsize(master: RawFd) {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills `ws`; TIOCSWINSZ reads it.
    unsafe {
        if libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) != 0
            && libc::ioctl(libc::STDIN_FILENO, libc::TIOCGWINSZ, &mut ws) != 0
        {
            return;
        }
        if ws.ws_row == 0 && ws.ws_col == 0 {
            return;
        }
        libc::ioctl(master, libc::TIOCSWINSZ, &ws);
    }
}

// ---------------------------------------------------------------------------------------------
// exec -d

/// `exec -d`: a forked helper starts the process and stays to reap it (an unreaped process of
/// the container's PID namespace would keep its init from finishing); we wait only for the
/// helper's report that the start worked.
fn exec_detached(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
) -> std::result::Result<i32, Failure> {
    let (r, w) = pipe()?;
    // SAFETY: this process is single-threaded (the runtime needs that too), so the child may
    // run arbitrary code; it leaves with _exit, running no destructors of the parent's state.
    match unsafe { nix::unistd::fork() } {
        Err(e) => Err(e125(format!("fork: {e}"))),
        Ok(nix::unistd::ForkResult::Child) => {
            drop(r);
            let code = detached_helper(rt, id, p, run_dir, fctx, w);
            // SAFETY: leaving the forked child without running the parent's atexit handlers.
            unsafe { libc::_exit(code) }
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            drop(w);
            let mut report = Vec::new();
            let _ = fs::File::from(r).read_to_end(&mut report);
            match report.first() {
                Some(0) => Ok(0),
                _ => {
                    // The helper exits after a failure: reap it.
                    let _ = waitpid(child, None);
                    if report.len() >= 5 {
                        Err(protocol::parse_error(&report[1..]))
                    } else {
                        Err(e125("the exec helper process ended unexpectedly"))
                    }
                }
            }
        }
    }
}

/// The forked helper of `exec -d`: starts the process, reports to the CLI through `report`
/// (one 0 byte, or 1 and an error payload), then reaps the process (draining its pty, if any).
fn detached_helper(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
    report: OwnedFd,
) -> i32 {
    let _ = nix::unistd::setsid();
    if let Ok(null) = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        for fd in 0..3 {
            // SAFETY: dup2 onto the stdio slots.
            unsafe { libc::dup2(null.as_raw_fd(), fd) };
        }
    }
    let mut report = fs::File::from(report);
    let tty = p.tty;
    let set = {
        let mut s = SigSet::empty();
        s.add(Signal::SIGCHLD);
        s
    };
    let _ = set.thread_block();
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC).ok();
    let fail = |report: &mut fs::File, (code, msg): Failure| {
        let mut payload = vec![1u8];
        payload.extend_from_slice(&protocol::error_payload(code, &msg));
        let _ = report.write_all(&payload);
        1
    };
    let console = if tty {
        match ConsoleSocket::bind(console_path(run_dir)) {
            Ok(c) => Some(c),
            Err(e) => return fail(&mut report, e125(e)),
        }
    } else {
        None
    };
    let pid = match quiet(|| rt.exec(id, p, Stdio::default(), console.as_ref().map(|c| c.path()))) {
        Ok(pid) => pid,
        Err(e) => return fail(&mut report, exec_failure(e, id, fctx)),
    };
    let master = console.as_ref().and_then(|c| c.recv_master().ok());
    drop(console);
    let _ = report.write_all(&[0]);
    drop(report);
    // Nobody reads the pty of a detached process: drain it, so that it never blocks on output.
    let mut master = master;
    if let Some(m) = &master {
        set_nonblock(m.as_raw_fd());
    }
    loop {
        let Some(sfd) = &sfd else {
            // No signalfd: just wait.
            match waitpid(None, None) {
                Ok(WaitStatus::Exited(p, _)) | Ok(WaitStatus::Signaled(p, _, _))
                    if p.as_raw() == pid =>
                {
                    break;
                }
                Err(nix::errno::Errno::EINTR) | Ok(_) => continue,
                Err(_) => break,
            }
        };
        let mut pfds = vec![PollFd::new(sfd.as_fd(), PollFlags::POLLIN)];
        if let Some(m) = &master {
            pfds.push(PollFd::new(m.as_fd(), PollFlags::POLLIN));
        }
        if poll(&mut pfds, PollTimeout::from(1000u16)).is_err() {
            continue;
        }
        let master_ready = pfds
            .get(1)
            .and_then(|p| p.revents())
            .is_some_and(|r| !r.is_empty());
        drop(pfds);
        while let Ok(Some(_)) = sfd.read_signal() {}
        if reap_all(pid).is_some() {
            break;
        }
        if master_ready && let Some(m) = &master {
            let mut buf = [0u8; 16 * 1024];
            // SAFETY: reading into a stack buffer from a valid fd.
            let n = unsafe { libc::read(m.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n == 0 || (n < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EAGAIN))
            {
                master = None;
            }
        }
    }
    0
}

// ---------------------------------------------------------------------------------------------
// attach

/// `berth attach`: streams the running container's output to `io` (and `io.stdin` to it if
/// it was created with `-i`) until it exits; returns its exit code.
pub fn attach(
    store: &mut Store,
    c: &ContainerRow,
    mut io: client::AttachIo,
) -> std::result::Result<i32, Failure> {
    let c = reconcile(store, c.clone()).map_err(e125)?;
    match c.status {
        Status::Running => {}
        Status::Paused => {
            return Err(e125(
                "You cannot attach to a paused container, unpause it first",
            ));
        }
        Status::Restarting => {
            return Err(e125(
                "You cannot attach to a restarting container, wait until it is running",
            ));
        }
        _ => {
            return Err(e125(
                "You cannot attach to a stopped container, start it first",
            ));
        }
    }
    let s = Settings::of(&c).map_err(e125)?;
    if !s.interactive {
        io.stdin = None;
    }
    let want = WANT_STDOUT | WANT_STDERR | if io.stdin.is_some() { WANT_STDIN } else { 0 };
    let paths = Paths::new(store, &c.id);
    let result = client::connect(&paths.socket(), Duration::from_secs(2)).and_then(|mut stream| {
        protocol::write_frame(&mut stream, Kind::Attach, &[want])?;
        client::attach(stream, s.tty, io)
    });
    match result {
        Ok(code) => Ok(code),
        // The monitor reported an error (a restart that failed): that is the answer.
        Err(ClientError::Start { kind, msg }) => Err((kind.exit_code(), msg)),
        // The container ended around the time we connected (the monitor was finishing, or had
        // removed its socket): its recorded exit code is the answer.
        Err(e) => {
            let now = rows::get(&store.db.conn, &c.id).map_err(e125)?;
            match now {
                Some(now) => {
                    let now = reconcile(store, now).map_err(e125)?;
                    if now.status.is_active() {
                        Err(e125(e))
                    } else {
                        Ok(now.exit_code as i32)
                    }
                }
                // Removed (--rm) meanwhile: its code went with it.
                None => Ok(0),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// top

/// The pids (host pid namespace) of every process in the container's cgroup, sorted.
pub fn container_pids(store: &Store, id: &str) -> Result<Vec<i32>> {
    let rt = Runtime::new(store.runroot.join("runtime"))
        .map_err(|e| ContainerError::Runtime(e.to_string()))?;
    let cgroup = rt
        .cgroup_path(id)
        .ok()
        .flatten()
        .unwrap_or_else(|| PathBuf::from(super::cgroups_path(id)));
    let rel = cgroup.strip_prefix("/").unwrap_or(&cgroup).to_path_buf();
    let base = Path::new("/sys/fs/cgroup");
    let candidates = [
        base.join("pids").join(&rel),
        base.join("memory").join(&rel),
        base.join("freezer").join(&rel),
        base.join(&rel),
        base.join("unified").join(&rel),
    ];
    for dir in candidates {
        if let Ok(text) = fs::read_to_string(dir.join("cgroup.procs")) {
            let mut pids: Vec<i32> = text
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect();
            pids.sort_unstable();
            pids.dedup();
            return Ok(pids);
        }
    }
    Err(ContainerError::Runtime(format!(
        "cannot find the cgroup of container {id} ({})",
        cgroup.display()
    )))
}

/// `ps` output of a container's processes: titles and rows, as Docker's top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopOutput {
    pub titles: Vec<String>,
    pub processes: Vec<Vec<String>>,
}

/// Docker refuses `ps` options that rename a column to `PID` (the pid column must be found).
fn validate_ps_args(args: &[String]) -> Result<()> {
    // Docker's check, on the arguments joined by spaces: `\s+([^\s]*)=\s*(PID[^\s]*)`.
    for a in args.iter().skip(1) {
        if let Some(i) = a.rfind("=PID") {
            let (k, v) = (&a[..i], &a[i + 1..]);
            if k != "pid" {
                return Err(ContainerError::Invalid(format!(
                    "specifying \"{k}={v}\" is not allowed"
                )));
            }
        }
    }
    Ok(())
}

/// `berth top`: runs the host's `ps` with `ps_args` (default `-ef`) and keeps the rows of the
/// container's processes (Docker's rules: the column titled PID decides; thread rows with `-`
/// follow their process).
pub fn top(store: &mut Store, c: &ContainerRow, ps_args: &[String]) -> Result<TopOutput> {
    let c = reconcile(store, c.clone())?;
    if !matches!(c.status, Status::Running | Status::Paused) {
        return Err(ContainerError::NotRunning(c.id.clone()));
    }
    let mut args: Vec<String> = ps_args.to_vec();
    if args.is_empty() {
        args.push("-ef".to_string());
    }
    validate_ps_args(&args)?;
    let pids = container_pids(store, &c.id)?;
    let pid_list = pids
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let run = |extra: Option<String>| {
        let mut cmd = std::process::Command::new("ps");
        cmd.args(&args);
        if let Some(e) = extra {
            cmd.arg(e);
        }
        cmd.stdin(std::process::Stdio::null()).output()
    };
    let mut out = if pids.is_empty() {
        None
    } else {
        run(Some(format!("-q{pid_list}")))
            .ok()
            .filter(|o| o.status.success())
    };
    if out.is_none() {
        // Some options (such as f) cannot be combined with -q: list everything, then filter.
        let o = run(None).map_err(|e| ContainerError::Runtime(format!("ps: {e}")))?;
        if !o.status.success() {
            let err = String::from_utf8_lossy(&o.stderr);
            let line = err.lines().next().unwrap_or("").trim();
            return Err(ContainerError::Runtime(if line.is_empty() {
                format!("ps: {}", o.status)
            } else {
                format!("ps: {line}")
            }));
        }
        out = Some(o);
    }
    let out = out.expect("set above");
    parse_ps_output(&String::from_utf8_lossy(&out.stdout), &pids)
}

fn parse_ps_output(output: &str, pids: &[i32]) -> Result<TopOutput> {
    let mut lines = output.split('\n');
    let titles: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split_ascii_whitespace()
        .map(str::to_string)
        .collect();
    let pid_index = titles
        .iter()
        .position(|t| t == "PID")
        .ok_or_else(|| ContainerError::Runtime("Couldn't find PID field in ps output".into()))?;
    let mut processes = Vec::new();
    let mut previous_contained = false;
    let push = |processes: &mut Vec<Vec<String>>, fields: &[&str]| {
        let n = titles.len();
        let mut row: Vec<String> = fields
            .iter()
            .take(n.saturating_sub(1))
            .map(|s| s.to_string())
            .collect();
        if fields.len() >= n {
            row.push(fields[n - 1..].join(" "));
        }
        processes.push(row);
    };
    for line in lines {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_ascii_whitespace().collect();
        let Some(f) = fields.get(pid_index) else {
            continue;
        };
        if *f == "-" {
            if previous_contained {
                push(&mut processes, &fields);
            }
            continue;
        }
        let p: i32 = f
            .parse()
            .map_err(|e| ContainerError::Runtime(format!("Unexpected pid '{f}': {e}")))?;
        previous_contained = pids.contains(&p);
        if previous_contained {
            push(&mut processes, &fields);
        }
    }
    Ok(TopOutput { titles, processes })
}

// ---------------------------------------------------------------------------------------------
// pause, unpause

fn runtime_err(e: RuntimeError) -> ContainerError {
    ContainerError::Runtime(e.to_string())
}

/// `berth pause`: freezes every process of the container (freezer cgroup) and records it.
pub fn pause(store: &mut Store, c: &ContainerRow) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    let rt = Runtime::new(store.runroot.join("runtime")).map_err(runtime_err)?;
    // Under the database's write lock, so that the monitor cannot record an exit in between.
    let tx = store.db.write()?;
    let now = rows::get(&tx, &c.id)?.ok_or_else(|| ContainerError::NotFound(c.id.clone()))?;
    match now.status {
        Status::Running => {}
        Status::Paused => {
            return Err(ContainerError::Invalid(format!(
                "cannot pause container {}: container is already paused",
                c.id
            )));
        }
        _ => return Err(ContainerError::NotRunning(c.id.clone())),
    }
    rt.pause(&c.id).map_err(|e| match e {
        RuntimeError::NotFound(_) | RuntimeError::WrongState { .. } => {
            ContainerError::NotRunning(c.id.clone())
        }
        e => runtime_err(e),
    })?;
    rows::set_status(&tx, &c.id, Status::Paused)?;
    if let Err(e) = tx.commit() {
        let _ = rt.resume(&c.id);
        return Err(StateError::from(e).into());
    }
    Ok(())
}

/// `berth unpause`: thaws a paused container and records it as running again.
pub fn unpause(store: &mut Store, c: &ContainerRow) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    let rt = Runtime::new(store.runroot.join("runtime")).map_err(runtime_err)?;
    let tx = store.db.write()?;
    let now = rows::get(&tx, &c.id)?.ok_or_else(|| ContainerError::NotFound(c.id.clone()))?;
    if now.status != Status::Paused {
        return Err(ContainerError::Invalid(format!(
            "Container {} is not paused",
            c.id
        )));
    }
    match rt.resume(&c.id) {
        Ok(()) => {}
        // Thawed meanwhile (the monitor does it for stop/kill): record it anyway.
        Err(RuntimeError::WrongState {
            status: crate::runtime::ContainerStatus::Running,
            ..
        }) => {}
        Err(e) => return Err(runtime_err(e)),
    }
    rows::set_status(&tx, &c.id, Status::Running)?;
    tx.commit().map_err(StateError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ps_output_is_filtered_by_the_pid_column() {
        let out = "UID          PID    PPID  C STIME TTY          TIME CMD\n\
                   root           1       0  0 10:00 ?        00:00:01 /sbin/init splash\n\
                   root        4242    4200  0 10:01 ?        00:00:00 sh -c sleep 300\n\
                   root        4243    4242  0 10:01 ?        00:00:00 sleep 300\n";
        let t = parse_ps_output(out, &[4242, 4243]).unwrap();
        assert_eq!(t.titles.len(), 8);
        assert_eq!(t.processes.len(), 2);
        assert_eq!(t.processes[0][1], "4242");
        assert_eq!(t.processes[0][7], "sh -c sleep 300");
        assert!(parse_ps_output("USER CMD\n", &[]).is_err());
    }

    #[test]
    fn ps_args_renaming_a_column_to_pid_are_refused() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(validate_ps_args(&v(&["-o", "comm=PID"])).is_err());
        assert!(validate_ps_args(&v(&["-o", "pid=PID,comm"])).is_ok());
        assert!(validate_ps_args(&v(&["aux"])).is_ok());
    }
}
