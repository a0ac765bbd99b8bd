//! The embedded OCI runtime: a small API over youki's `libcontainer` (cgroupfs driver).
//!
//! It is meant for berth's per-container monitor process and has hard requirements on its
//! caller, because libcontainer `clone(2)`s the calling process (no `exec`) to build the
//! container's intermediate and init processes:
//!
//! * **Single-threaded caller.** [`Runtime::run`] and [`Runtime::exec`] refuse to run when
//!   the process has more than one thread (a clone of a multi-threaded process can deadlock
//!   on a lock another thread held: malloc, tracing, stdio). Never call them from a tokio
//!   worker. The other operations do not clone and may be called from anywhere.
//! * **The caller reaps.** The pid returned by `run`/`exec` is a *child of the caller*
//!   (libcontainer clones the init with `CLONE_PARENT` from its intermediate process). The
//!   caller must `waitpid` it, and must not set `SIGCHLD` to `SIG_IGN` (exit statuses would be
//!   lost). Reap with `waitpid(-1)`, not `waitpid(init)`: a dying init stays in the kernel's
//!   `zap_pid_ns_processes` until every process of its pid namespace is reaped, including
//!   exec'd ones, whose parent is the caller, so waiting for the init alone can deadlock.
//!   (`waitpid(-1)` between calls never meets libcontainer's helpers: they are reaped before
//!   `run`/`exec` return.)
//! * **`run` returns once the start signal is sent**; the init execs the program a moment
//!   later (µs to ~1 ms). libcontainer checks the executable beforehand, so a failure after
//!   that point is rare; it shows as exit status 255. `exec` returns after the execve.
//! * **Logging**: libcontainer logs through `tracing`, also from the cloned processes. In the
//!   container's init, fd 2 is the container's stderr once stdio is set up: a subscriber
//!   writing to stderr puts libcontainer's errors into the container's output. Log to a file
//!   (or install no subscriber), and filter `libcgroups=error`: it warns about every v1
//!   controller the host lacks (hugetlb, perf_event, net_cls, net_prio here) on each call.
//! * **umask**: the container inherits the caller's umask unless the spec sets
//!   `process.user.umask` (runc defaults to 0022; set it in the spec).
//! * **Process-wide side effects on the caller** (all made by libcontainer): it `chdir`s
//!   temporarily into the state directory (so the caller's cwd must exist: call
//!   [`prepare_monitor_process`]), marks the caller non-dumpable (`PR_SET_DUMPABLE=0`, kept),
//!   and writes the spec's `oomScoreAdj` into the caller's own `/proc/self/oom_score_adj`
//!   (this module restores the previous value). It does not touch the caller's umask,
//!   signal mask or signal dispositions, but the container inherits them (see below).
//! * **Caller fds 0, 1, 2 must be open**: libcontainer `fstat`s them in the container's init.
//!   The caller's environment variable `LISTEN_FDS` leaks fds into the container: unset it.
//!
//! What this module adds on top of libcontainer:
//! * The container process starts with an empty signal mask and default dispositions for
//!   every signal (libcontainer would pass the caller's on: a Rust program ignores `SIGPIPE`,
//!   and a monitor that blocks signals for a signalfd would block them in the container).
//! * Stdio that is `None` becomes `/dev/null` (instead of the caller's own fds), and stdio
//!   fds numbered 0..=2 are moved above 2 first (libcontainer's `dup2`+`close` would
//!   otherwise close or clobber them).
//! * Stray helper processes and zombies of a failed `run`/`exec` are reaped, and the channel
//!   sockets libcontainer leaks on those error paths (4 fds per failure) are closed.
//! * A container whose recorded init pid is no longer in the container's cgroup (the pid
//!   was reaped and reused) is reported and treated as stopped, never signalled.
//! * `delete` is idempotent, retries the cgroup removal while processes die, and also
//!   cleans a half-created state directory.
//! * [`ConsoleSocket`]: the listening side of `--console-socket`, receiving the pty master.
//! * The seccomp filter is compiled once per profile and cached, not in every container's
//!   init: [`Runtime::write_bundle`] writes the bundle libcontainer gets (the spec without
//!   `linux.seccomp`, plus `seccomp.bpf`), and berth's executor installs the program right
//!   before `execve`, in `run` and `exec` alike (see [`seccomp`]).
//!
//! State layout (libcontainer's): `STATE_ROOT/<id>/state.json` (status, init pid, bundle,
//! creation time), `youki_config.json` (cgroup path and hooks), `notify.sock` (the start
//! barrier), `console-socket` (symlink to the console socket, tty containers only). The
//! bundle must stay in place until `delete`: `exec` re-reads `BUNDLE/config.json` and
//! `BUNDLE/seccomp.bpf`. Compiled seccomp filters are cached in `STATE_ROOT/.seccomp/`
//! (container ids cannot start with a dot).
//!
//! Cgroups: the spec's `linux.cgroupsPath` is required (e.g. `/berth/<id>`). On cgroup v1
//! (and v1 "hybrid" hosts, where the unified hierarchy is left alone) it is joined below the
//! mount point of every supported v1 controller (`/sys/fs/cgroup/<ctrl>/berth/<id>`);
//! `delete` removes those leaf directories (the parent `/berth` stays, as Docker's `/docker`).

use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use libcgroups::common::CgroupManager;
use libcontainer::container::builder::ContainerBuilder;
use libcontainer::container::{Container, ContainerStatus as LcStatus};
use libcontainer::error::LibcontainerError;
use libcontainer::syscall::syscall::SyscallType;
use oci_spec::runtime::{Spec, UserBuilder};

mod caller;
mod cgroups;
mod console;
mod executor;
pub mod seccomp;
pub mod warmup;

use caller::{
    FdSnapshot, OomScoreGuard, children, ensure_caller_stdio_open, ensure_single_threaded,
    reap_child, reap_stray_helpers, tenant_leftovers,
};
use cgroups::{cgroup_manager, delete_stopped, pid_in_cgroup};
use executor::CleanSignalsExecutor;

pub use caller::prepare_monitor_process;
pub use console::ConsoleSocket;
pub use executor::{ExecStatus, command_failure};

use seccomp::{Filter, FilterError};

/// Errors of the embedded runtime. Messages name the container and the operation;
/// libcontainer's own errors are flattened with their whole `source()` chain.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("no such container: {0}")]
    NotFound(String),
    #[error("container {0} already exists")]
    AlreadyExists(String),
    #[error("invalid container id {id:?}: {reason}")]
    InvalidId { id: String, reason: &'static str },
    #[error("cannot {op} container {id}: it is {status}")]
    WrongState {
        id: String,
        op: &'static str,
        status: ContainerStatus,
    },
    #[error("invalid bundle {}: {reason}", path.display())]
    InvalidBundle { path: PathBuf, reason: String },
    #[error("{0}")]
    InvalidArgument(String),
    #[error("the runtime must be called from a single-threaded process (this one has {0} threads)")]
    MultiThreaded(usize),
    #[error("{op} container {id}: {message}")]
    Libcontainer {
        op: &'static str,
        id: String,
        message: String,
    },
    #[error(transparent)]
    Seccomp(#[from] FilterError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
}

type Result<T> = std::result::Result<T, RuntimeError>;

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> RuntimeError {
    let context = context.into();
    move |source| RuntimeError::Io { context, source }
}

/// A container's status as libcontainer records it, corrected for exited/reused init pids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerStatus {
    /// `run` is in progress (state directory exists, init not yet ready).
    Creating,
    /// Created, not started (only seen if a `run` died between create and start).
    Created,
    Running,
    Paused,
    /// The init process has exited (it may still be an unreaped zombie of the monitor).
    Stopped,
}

impl std::fmt::Display for ContainerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Creating => "creating",
            Self::Created => "created",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Stopped => "stopped",
        })
    }
}

impl From<LcStatus> for ContainerStatus {
    fn from(s: LcStatus) -> Self {
        match s {
            LcStatus::Creating => Self::Creating,
            LcStatus::Created => Self::Created,
            LcStatus::Running => Self::Running,
            LcStatus::Paused => Self::Paused,
            LcStatus::Stopped => Self::Stopped,
        }
    }
}

/// The stdio of a container process. Each fd is consumed (closed in the caller once the
/// process has it). `None` means `/dev/null`. With a terminal, all three must be `None`:
/// the process gets the pty slave, and the master arrives on the console socket.
#[derive(Debug, Default)]
pub struct Stdio {
    pub stdin: Option<OwnedFd>,
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
}

/// A process to start in a running container (`docker exec`). Unset fields are taken from
/// the container's own `process` in `BUNDLE/config.json` (user, cwd, capabilities, rlimits,
/// `noNewPrivileges`, apparmor, ...); `env` entries override the container's by name.
#[derive(Debug, Clone, Default)]
pub struct ExecProcess {
    pub args: Vec<String>,
    pub env: Vec<String>,
    pub cwd: Option<PathBuf>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Replaces the container's additional gids when non-empty or when `uid` is set.
    pub additional_gids: Vec<u32>,
    /// Allocate a pty: requires a console socket and `Stdio::default()`.
    pub tty: bool,
    /// The pty's first size (rows, columns), set before the process runs (OCI's
    /// `process.consoleSize`, applied by the executor: libcontainer opens the pty without one).
    pub console_size: Option<(u16, u16)>,
}

/// `process.consoleSize` for a pty of `size` (rows, columns); none without a pty or a size.
fn console_box(tty: bool, size: Option<(u16, u16)>) -> Option<oci_spec::runtime::Box> {
    let (rows, cols) = size.filter(|&(r, c)| tty && r > 0 && c > 0)?;
    oci_spec::runtime::BoxBuilder::default()
        .height(rows)
        .width(cols)
        .build()
        .ok()
}

/// Handle on libcontainer's state directory (e.g. `RUNROOT/runtime`).
#[derive(Debug, Clone)]
pub struct Runtime {
    state_root: PathBuf,
}

impl Runtime {
    /// Opens (creating it, mode 0700) the state directory.
    pub fn new(state_root: impl Into<PathBuf>) -> Result<Runtime> {
        let state_root = state_root.into();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&state_root)
            .map_err(io_err(format!(
                "create runtime state dir {}",
                state_root.display()
            )))?;
        let state_root = fs::canonicalize(&state_root).map_err(io_err(format!(
            "resolve runtime state dir {}",
            state_root.display()
        )))?;
        Ok(Runtime { state_root })
    }

    /// The (canonical) state directory.
    pub fn state_root(&self) -> &Path {
        &self.state_root
    }

    /// Writes the bundle to hand to [`Runtime::run`] for `spec` (an OCI spec as runc would
    /// take it): `BUNDLE/config.json` and, when the spec has a seccomp profile, its compiled
    /// filter `BUNDLE/seccomp.bpf` (see [`seccomp`]). The directory must exist.
    pub fn write_bundle(&self, spec: &Spec, bundle: &Path) -> Result<()> {
        Ok(seccomp::write_bundle(
            spec,
            bundle,
            &self.state_root.join(".seccomp"),
        )?)
    }

    /// Creates and starts the container described by `BUNDLE/config.json`.
    ///
    /// `process.terminal` must be true exactly when `console_socket` is given (then `stdio`
    /// must be empty; see [`ConsoleSocket`]). The spec must have `linux.cgroupsPath` and
    /// rlimits within the caller's hard limits. Returns the init pid, a child of the caller,
    /// which the caller must reap. On error nothing is left: no state, cgroup or process.
    pub fn run(
        &self,
        id: &str,
        bundle: &Path,
        stdio: Stdio,
        console_socket: Option<&Path>,
    ) -> Result<(i32, ExecStatus)> {
        check_id(id)?;
        ensure_single_threaded()?;
        ensure_caller_stdio_open()?;
        let spec = load_bundle_spec(bundle)?;
        let terminal = spec
            .process()
            .as_ref()
            .and_then(|p| p.terminal())
            .unwrap_or(false);
        check_terminal(terminal, &stdio, console_socket)?;
        if self.state_root.join(id).exists() {
            return Err(RuntimeError::AlreadyExists(id.to_owned()));
        }
        let filter = Filter::from_bundle(bundle)?;
        let stdio = prepare_stdio(stdio, terminal)?;
        // The init writes why its execve failed here (it runs after `start`, where libcontainer
        // no longer listens); a successful execve closes it (close-on-exec).
        let (status_r, status_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
            .map_err(|e| io_err("pipe")(io::Error::from(e)))?;

        let fds = FdSnapshot::take();
        let kids = children();
        let oom_guard = OomScoreGuard::save();
        let lc = |e: LibcontainerError| lc_err("create", id, e);
        let built = (|| {
            let builder = self
                .builder(
                    id,
                    stdio,
                    console_socket,
                    CleanSignalsExecutor {
                        filter,
                        exec_status: Some(status_w.as_raw_fd()),
                    },
                )
                .map_err(lc)?;
            builder
                .as_init(bundle)
                .with_systemd(false)
                .with_detach(true)
                .build()
                .map_err(|e| match e {
                    LibcontainerError::Exist => RuntimeError::AlreadyExists(id.to_owned()),
                    e => lc(e),
                })
        })();
        drop(oom_guard);
        let mut container = match built {
            Ok(c) => c,
            Err(e) => {
                reap_stray_helpers(&kids);
                fds.close_new();
                return Err(e);
            }
        };
        let Some(pid) = container.pid() else {
            let _ = container.delete(true);
            reap_stray_helpers(&kids);
            fds.close_new();
            return Err(RuntimeError::Libcontainer {
                op: "create",
                id: id.to_owned(),
                message: "libcontainer recorded no init pid".into(),
            });
        };
        if let Err(e) = apply_oom_kill_disable(&spec) {
            let _ = container.delete(true);
            reap_child(pid.as_raw());
            fds.close_new();
            return Err(io_err("disabling the OOM killer (memory.oom_control)")(e));
        }
        if let Err(e) = container.start() {
            let _ = container.delete(true);
            reap_child(pid.as_raw());
            fds.close_new();
            return Err(lc_err("start", id, e));
        }
        drop(status_w);
        Ok((
            pid.as_raw(),
            ExecStatus {
                pipe: status_r,
                pid: pid.as_raw(),
                id: id.to_owned(),
            },
        ))
    }

    /// Starts a process inside a running container (libcontainer's tenant builder, i.e.
    /// `setns` into the init's namespaces and joining its cgroup). Returns its pid (a child
    /// of the caller, which the caller must reap). `p.tty` requires a console socket.
    pub fn exec(
        &self,
        id: &str,
        p: ExecProcess,
        stdio: Stdio,
        console_socket: Option<&Path>,
    ) -> Result<i32> {
        check_id(id)?;
        ensure_single_threaded()?;
        ensure_caller_stdio_open()?;
        if p.args.is_empty() {
            return Err(RuntimeError::InvalidArgument(
                "exec: no command given".into(),
            ));
        }
        if let Some(cwd) = &p.cwd
            && cwd.is_relative()
        {
            return Err(RuntimeError::InvalidArgument(format!(
                "exec: working directory {} is not absolute",
                cwd.display()
            )));
        }
        check_terminal(p.tty, &stdio, console_socket)?;
        let container = self
            .load(id)?
            .ok_or_else(|| RuntimeError::NotFound(id.to_owned()))?;
        let status = ContainerStatus::from(container.status());
        if status != ContainerStatus::Running {
            return Err(RuntimeError::WrongState {
                id: id.to_owned(),
                op: "exec in",
                status,
            });
        }

        // The process: the container's own, with the overrides.
        let bundle = container.bundle().clone();
        let spec = load_bundle_spec(&bundle)?;
        // The container's filter, installed by the executor as in `run` (the process keeps
        // the container's capabilities, including the one lent for that).
        // (libcontainer reports the tenant's execve error itself.)
        let executor = CleanSignalsExecutor {
            filter: Filter::from_bundle(&bundle)?,
            exec_status: None,
        };
        if executor.filter.is_none() && spec.linux().as_ref().is_some_and(|l| l.seccomp().is_some())
        {
            // A bundle written before filters were compiled: libcontainer's tenant path would
            // run the process without the container's filter.
            return Err(RuntimeError::InvalidBundle {
                path: bundle,
                reason: "it has a seccomp profile but no compiled filter (written by an older \
                         berth): restart the container to exec into it"
                    .into(),
            });
        }
        let mut process = spec.process().clone().unwrap_or_default();
        let mut env: Vec<String> = process.env().clone().unwrap_or_default();
        for kv in &p.env {
            let key = kv.split('=').next().unwrap_or("");
            env.retain(|e| e.split('=').next().unwrap_or("") != key);
            env.push(kv.clone());
        }
        let base_user = process.user().clone();
        let mut user = UserBuilder::default()
            .uid(p.uid.unwrap_or(base_user.uid()))
            .gid(p.gid.unwrap_or(base_user.gid()));
        if let Some(umask) = base_user.umask() {
            user = user.umask(umask);
        }
        if !p.additional_gids.is_empty() || p.uid.is_some() {
            user = user.additional_gids(p.additional_gids.clone());
        } else if let Some(g) = base_user.additional_gids() {
            user = user.additional_gids(g.clone());
        }
        let user = user
            .build()
            .map_err(|e| RuntimeError::InvalidArgument(format!("exec: {e}")))?;
        process
            .set_args(Some(p.args.clone()))
            .set_env(Some(env))
            .set_user(user)
            .set_terminal(Some(p.tty))
            .set_console_size(console_box(p.tty, p.console_size));
        if let Some(cwd) = p.cwd {
            process.set_cwd(cwd);
        }

        let dir = self.state_root.join(id);
        let process_json = dir.join(format!("exec-{}.json", unique_suffix()));
        let json = serde_json::to_vec(&process).map_err(|e| {
            RuntimeError::InvalidArgument(format!("exec: cannot encode the process: {e}"))
        })?;
        fs::write(&process_json, json)
            .map_err(io_err(format!("write {}", process_json.display())))?;
        // One exec of a container at a time from here to the cleanup below: every exec (a
        // user's, a health probe) makes its notify socket in this directory, and the leftovers
        // removed below must be this exec's own, not the socket of one still starting.
        let _one_at_a_time = crate::lock::Lock::existing(&dir, crate::lock::Mode::Exclusive)
            .map_err(io_err(format!("lock {}", dir.display())))?;
        let before = tenant_leftovers(&dir);
        let stdio = prepare_stdio(stdio, p.tty)?;

        let fds = FdSnapshot::take();
        let kids = children();
        let oom_guard = OomScoreGuard::save();
        let lc = |e: LibcontainerError| lc_err("exec in", id, e);
        let result = (|| {
            let builder = self
                .builder(id, stdio, console_socket, executor)
                .map_err(lc)?;
            builder
                .as_tenant()
                .with_process(Some(&process_json))
                .with_detach(true)
                .build()
                .map_err(lc)
        })();
        drop(oom_guard);
        let _ = fs::remove_file(&process_json);
        // libcontainer leaves a notify socket (and a console-socket symlink) per exec.
        for leftover in tenant_leftovers(&dir).difference(&before) {
            let _ = fs::remove_file(dir.join(leftover));
        }
        match result {
            Ok(pid) => Ok(pid.as_raw()),
            Err(e) => {
                reap_stray_helpers(&kids);
                fds.close_new();
                Err(e)
            }
        }
    }

    /// Sends `signal` to the init process, or with `all` to every process of the container's
    /// cgroup (the cgroup is frozen meanwhile, and thawed after: a paused container is
    /// resumed by `all`, and by `SIGKILL`). Signals nix does not name (real-time signals, 0)
    /// are sent directly. Killing a stopped container is `WrongState` (except with `all`).
    pub fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        check_id(id)?;
        let mut c = self
            .load(id)?
            .ok_or_else(|| RuntimeError::NotFound(id.to_owned()))?;
        let before = c.status();
        match libcontainer::signal::Signal::try_from(signal) {
            Ok(sig) => c.kill(sig, all).map_err(|e| match e {
                LibcontainerError::IncorrectStatus(s) => RuntimeError::WrongState {
                    id: id.to_owned(),
                    op: "kill",
                    status: s.into(),
                },
                e => lc_err("kill", id, e),
            })?,
            Err(_) => self.kill_raw(&c, id, signal, all)?,
        }
        // libcontainer records "stopped" after any signal; keep a frozen container "paused"
        // so that `resume` still works (only SIGKILL or `all` thaws it).
        if before == LcStatus::Paused && !all && signal != libc::SIGKILL {
            c.set_status(LcStatus::Paused)
                .save()
                .map_err(|e| lc_err("kill", id, e))?;
        }
        Ok(())
    }

    fn kill_raw(&self, c: &Container, id: &str, signal: i32, all: bool) -> Result<()> {
        let pids: Vec<i32> = if all {
            let path = c.spec().map_err(|e| lc_err("kill", id, e))?.cgroup_path;
            let manager = cgroup_manager(&path, id).map_err(|m| lc_msg("kill", id, m))?;
            manager
                .get_all_pids()
                .map_err(|e| lc_msg("kill", id, chain(&e)))?
                .into_iter()
                .map(|p| p.as_raw())
                .collect()
        } else {
            if !matches!(
                c.status(),
                LcStatus::Created | LcStatus::Running | LcStatus::Paused
            ) {
                let status = c.status().into();
                return Err(RuntimeError::WrongState {
                    id: id.to_owned(),
                    op: "kill",
                    status,
                });
            }
            c.pid().map(|p| p.as_raw()).into_iter().collect()
        };
        for pid in pids {
            // SAFETY: kill with plain integers; the pid was checked to be in the container's
            // cgroup. (Any signal number is allowed here, which nix's `Signal` cannot carry.)
            if unsafe { libc::kill(pid, signal) } != 0 {
                let err = io::Error::last_os_error();
                if err.raw_os_error() != Some(libc::ESRCH) {
                    return Err(io_err(format!("kill {pid} (container {id})"))(err));
                }
            }
        }
        Ok(())
    }

    /// Freezes every process of the container (freezer cgroup).
    pub fn pause(&self, id: &str) -> Result<()> {
        check_id(id)?;
        let mut c = self
            .load(id)?
            .ok_or_else(|| RuntimeError::NotFound(id.to_owned()))?;
        c.pause().map_err(|e| status_or_lc(e, "pause", id))
    }

    /// Thaws a paused container.
    pub fn resume(&self, id: &str) -> Result<()> {
        check_id(id)?;
        let mut c = self
            .load(id)?
            .ok_or_else(|| RuntimeError::NotFound(id.to_owned()))?;
        c.resume().map_err(|e| status_or_lc(e, "resume", id))
    }

    /// Removes libcontainer's state and the container's cgroup directories in every
    /// controller. A running or paused container needs `force` (it is then SIGKILLed, and
    /// its init stays a zombie of the caller until reaped); a created one is always killed.
    /// A missing container is `Ok`.
    pub fn delete(&self, id: &str, force: bool) -> Result<()> {
        check_id(id)?;
        let dir = self.state_root.join(id);
        if !dir.exists() {
            return Ok(());
        }
        let mut c = match self.load(id) {
            Ok(Some(c)) => c,
            Ok(None) => return Ok(()),
            // A state dir without a readable state.json: a `run` died half-way.
            Err(_) => return self.delete_broken(id, &dir),
        };
        if c.status() == LcStatus::Stopped && delete_stopped(&c, &dir) {
            return Ok(());
        }
        // Processes in a dying cgroup take a moment to go; libcontainer retries only ~0.1 s.
        let mut attempt = 0;
        loop {
            match c.delete(force) {
                Ok(()) => return Ok(()),
                Err(LibcontainerError::IncorrectStatus(s)) => {
                    return Err(RuntimeError::WrongState {
                        id: id.to_owned(),
                        op: "delete",
                        status: s.into(),
                    });
                }
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    tracing::debug!(id, error = %chain(&e), "delete: retrying");
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(lc_err("delete", id, e)),
            }
        }
    }

    fn delete_broken(&self, id: &str, dir: &Path) -> Result<()> {
        let cgroup_path = fs::read(dir.join("youki_config.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.get("cgroup_path")?.as_str().map(PathBuf::from));
        if let Some(cgroup_path) = cgroup_path {
            let manager = cgroup_manager(&cgroup_path, id).map_err(|m| lc_msg("delete", id, m))?;
            manager
                .remove()
                .map_err(|e| lc_msg("delete", id, chain(&e)))?;
        }
        fs::remove_dir_all(dir).map_err(io_err(format!("remove {}", dir.display())))
    }

    /// The container's status, or `None` if it does not exist.
    pub fn state(&self, id: &str) -> Result<Option<ContainerStatus>> {
        check_id(id)?;
        Ok(self.load(id)?.map(|c| c.status().into()))
    }

    /// The init pid libcontainer recorded (`None` if the container does not exist or has
    /// stopped).
    pub fn pid(&self, id: &str) -> Result<Option<i32>> {
        check_id(id)?;
        Ok(self.load(id)?.and_then(|c| match c.status() {
            LcStatus::Stopped => None,
            _ => c.pid().map(|p| p.as_raw()),
        }))
    }

    /// Loads the container, treating a recorded init pid that is no longer in the
    /// container's cgroup as stopped (it exited, was reaped, and the pid was reused).
    fn load(&self, id: &str) -> Result<Option<Container>> {
        let dir = self.state_root.join(id);
        if !dir.exists() {
            return Ok(None);
        }
        let mut c = Container::load(dir).map_err(|e| lc_err("load", id, e))?;
        if matches!(
            c.status(),
            LcStatus::Created | LcStatus::Running | LcStatus::Paused
        ) {
            let ours = match (c.pid(), c.spec()) {
                (Some(pid), Ok(cfg)) => pid_in_cgroup(pid.as_raw(), &cfg.cgroup_path),
                _ => false,
            };
            if !ours {
                // Forget the pid: libcontainer's own refresh would call any live pid "running".
                c.state.pid = None;
                c.set_status(LcStatus::Stopped)
                    .save()
                    .map_err(|e| lc_err("load", id, e))?;
            }
        }
        Ok(Some(c))
    }

    fn builder(
        &self,
        id: &str,
        stdio: [OwnedFd; 3],
        console_socket: Option<&Path>,
        executor: CleanSignalsExecutor,
    ) -> std::result::Result<ContainerBuilder, LibcontainerError> {
        let [stdin, stdout, stderr] = stdio;
        Ok(ContainerBuilder::new(id.to_owned(), SyscallType::default())
            .with_executor(executor)
            .with_root_path(&self.state_root)?
            .with_console_socket(console_socket)
            .validate_id()?
            .with_stdin(stdin)
            .with_stdout(stdout)
            .with_stderr(stderr))
    }
}

fn check_id(id: &str) -> Result<()> {
    let bad = |reason| {
        Err(RuntimeError::InvalidId {
            id: id.to_owned(),
            reason,
        })
    };
    if id.is_empty() {
        return bad("empty");
    }
    if id.starts_with('.') {
        return bad("must not start with a dot");
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+-.".contains(c))
    {
        return bad("only letters, digits and _ + - . are allowed");
    }
    Ok(())
}

fn load_bundle_spec(bundle: &Path) -> Result<Spec> {
    let bad = |reason: String| RuntimeError::InvalidBundle {
        path: bundle.to_owned(),
        reason,
    };
    let spec =
        Spec::load(bundle.join("config.json")).map_err(|e| bad(format!("config.json: {e}")))?;
    let process = spec
        .process()
        .as_ref()
        .ok_or_else(|| bad("no process".into()))?;
    if process.args().as_ref().is_none_or(|a| a.is_empty()) {
        return Err(bad("process.args is empty".into()));
    }
    let linux = spec
        .linux()
        .as_ref()
        .ok_or_else(|| bad("no linux section".into()))?;
    // Without it libcontainer would use the systemd-style ":youki:<id>", which the cgroupfs
    // driver takes as a directory name.
    if linux.cgroups_path().is_none() {
        return Err(bad("linux.cgroupsPath is required".into()));
    }
    // Raising a hard limit needs CAP_SYS_RESOURCE; libcontainer's error would only say EPERM.
    if !has_cap_sys_resource() {
        for r in process.rlimits().iter().flatten() {
            if let Some(hard) = crate::spec::resource_of(r.typ()).and_then(crate::spec::hard_limit)
                && hard != crate::spec::UNLIMITED
                && r.hard() > hard
            {
                return Err(bad(format!(
                    "rlimit {:?} hard {} exceeds this process's hard limit {} \
                     (raising it needs CAP_SYS_RESOURCE)",
                    r.typ(),
                    r.hard(),
                    hard
                )));
            }
            if r.soft() > r.hard() {
                return Err(bad(format!(
                    "rlimit {:?}: soft {} > hard {}",
                    r.typ(),
                    r.soft(),
                    r.hard()
                )));
            }
        }
    }
    Ok(spec)
}

fn has_cap_sys_resource() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .is_some_and(|caps| caps & (1u64 << 24) != 0) // bit 24: CAP_SYS_RESOURCE
}

fn check_terminal(terminal: bool, stdio: &Stdio, console_socket: Option<&Path>) -> Result<()> {
    match (terminal, console_socket.is_some()) {
        (true, false) => Err(RuntimeError::InvalidArgument(
            "a terminal process needs a console socket".into(),
        )),
        (false, true) => Err(RuntimeError::InvalidArgument(
            "a console socket is only for a terminal process (process.terminal)".into(),
        )),
        (true, true)
            if stdio.stdin.is_some() || stdio.stdout.is_some() || stdio.stderr.is_some() =>
        {
            Err(RuntimeError::InvalidArgument(
                "a terminal process takes its stdio from the pty: pass Stdio::default()".into(),
            ))
        }
        _ => Ok(()),
    }
}

/// The three fds to hand to libcontainer: `/dev/null` for `None`, and each moved to a
/// number above 2, because the container's init does `dup2(fd, n); close(fd)`, which would
/// close (or clobber) an fd that already is 0, 1 or 2. With a terminal the fds are unused
/// by libcontainer (the pty slave replaces them): `/dev/null` all three.
fn prepare_stdio(stdio: Stdio, terminal: bool) -> Result<[OwnedFd; 3]> {
    let one = |fd: Option<OwnedFd>, write: bool| -> Result<OwnedFd> {
        let fd = match fd {
            Some(fd) if !terminal => fd,
            _ => fs::OpenOptions::new()
                .read(!write)
                .write(write)
                .open("/dev/null")
                .map_err(io_err("open /dev/null"))?
                .into(),
        };
        if fd.as_raw_fd() > 2 {
            return Ok(fd);
        }
        let new = nix::fcntl::fcntl(&fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(3))
            .map_err(|e| io_err("duplicate a stdio fd")(e.into()))?;
        // SAFETY: fcntl just returned this new fd.
        Ok(unsafe { OwnedFd::from_raw_fd(new) })
    };
    Ok([
        one(stdio.stdin, false)?,
        one(stdio.stdout, true)?,
        one(stdio.stderr, true)?,
    ])
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn status_or_lc(e: LibcontainerError, op: &'static str, id: &str) -> RuntimeError {
    match e {
        LibcontainerError::IncorrectStatus(s) => RuntimeError::WrongState {
            id: id.to_owned(),
            op,
            status: s.into(),
        },
        e => lc_err(op, id, e),
    }
}

fn lc_err(op: &'static str, id: &str, e: LibcontainerError) -> RuntimeError {
    lc_msg(op, id, chain(&e))
}

fn lc_msg(op: &'static str, id: &str, message: String) -> RuntimeError {
    RuntimeError::Libcontainer {
        op,
        id: id.to_owned(),
        message,
    }
}

/// An error and its sources, joined by ": " (libcontainer's top-level messages are often
/// just "io error" or "syscall error").
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let msg = s.to_string();
        if parts.last() != Some(&msg) {
            parts.push(msg);
        }
        cur = s.source();
    }
    parts.join(": ")
}

/// `linux.resources.memory.disableOOMKiller` (`--oom-kill-disable`), which libcontainer 0.7
/// ignores: cgroup v1's `memory.oom_control` of the created container, written before its
/// start (the spec builder drops the setting where there is no such file).
fn apply_oom_kill_disable(spec: &Spec) -> io::Result<()> {
    let Some(linux) = spec.linux() else {
        return Ok(());
    };
    let disable = linux
        .resources()
        .as_ref()
        .and_then(|r| r.memory().as_ref())
        .and_then(|m| m.disable_oom_killer())
        .unwrap_or(false);
    let Some(cg) = linux.cgroups_path().as_ref().filter(|_| disable) else {
        return Ok(());
    };
    let rel = cg.strip_prefix("/").unwrap_or(cg);
    fs::write(
        Path::new("/sys/fs/cgroup/memory")
            .join(rel)
            .join("memory.oom_control"),
        "1",
    )
}
