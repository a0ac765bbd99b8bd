//! `exec`: running a process in a running container (`relay.rs`: relaying the caller's
//! streams and controls while attached; `detached.rs`: `exec -d`'s helper).
//!
//! `exec` runs the embedded runtime in the calling process itself (libcontainer's tenant:
//! `setns` into the container's namespaces, joining its cgroup). The exec'd process is a child
//! of the caller, which relays its stdio (pipes, or a pty with `-t`) to the caller's
//! [`AttachIo`], applies the caller's [`Controls`](crate::monitor::client::Controls) (pty size,
//! signals), reaps it and returns its exit code. libcontainer clones the calling process, so
//! the caller must still be single-threaded when it gets here: nothing on the way (store,
//! database, logging) starts a thread but `main`'s cgroup warm-up, which
//! `Engine::container_exec` joins first (`runtime::warmup`), and no thread is started before
//! `Runtime::exec` returns.
//!
//! `exec -d` forks a small helper first (in its own session, stdio on /dev/null) that starts
//! the process, reports the outcome to the CLI, and then stays to reap it: an exec'd process
//! lives in the container's pid namespace, and when the container's init dies the kernel waits
//! until every process of that namespace has been reaped — a zombie left to a host init that
//! does not reap would make the container's monitor wait forever. The helper itself is an
//! orphan in its own session once the CLI exits, like the container monitors.

use std::fs;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use serde_json::Value;

mod detached;
mod relay;

use super::{ContainerError, Paths, Settings, reconcile, runspec};
use crate::error::{Classify, ErrorKind};
use crate::monitor::client::AttachIo;
use crate::runtime::{ExecProcess, Runtime, RuntimeError};
use crate::spec::SpecError;
use crate::state::containers::{ContainerRow, Status};
use crate::store::Store;

/// Why `exec` failed; its [`ErrorKind`] gives Docker's exit code (126: the command cannot be
/// executed, 127: it does not exist, berth's own otherwise).
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("container {0} is not running")]
    NotRunning(String),
    #[error("container {0} is paused, unpause the container before exec")]
    Paused(String),
    #[error("no command specified")]
    NoCommand,
    #[error(
        "exec --privileged is not supported by the embedded runtime yet: the process gets \
         the container's own privileges (create the container with --privileged)"
    )]
    PrivilegedUnsupported,
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A system call of the relay or the helper failed (`what` names it).
    #[error("{what}: {source}")]
    Sys {
        what: &'static str,
        #[source]
        source: nix::errno::Errno,
    },
    #[error("{what}: {source}")]
    Io {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    /// The command was refused by the kernel: `kind` is not found or not executable.
    #[error("exec failed: {message}")]
    Command { kind: ErrorKind, message: String },
    /// The process could not be started for another reason (Docker's 126).
    #[error("exec failed: {0}")]
    Start(#[source] RuntimeError),
    /// The failure the `exec -d` helper reported, with its kind.
    #[error("{message}")]
    Helper { kind: ErrorKind, message: String },
    #[error("the exec helper process ended unexpectedly")]
    HelperVanished,
}

impl Classify for ExecError {
    fn kind(&self) -> ErrorKind {
        match self {
            ExecError::NotRunning(_) | ExecError::Paused(_) => ErrorKind::Conflict,
            ExecError::NoCommand | ExecError::Spec(_) => ErrorKind::InvalidArgument,
            ExecError::PrivilegedUnsupported => ErrorKind::NotImplemented,
            ExecError::Container(e) => e.kind(),
            ExecError::Command { kind, .. } | ExecError::Helper { kind, .. } => *kind,
            ExecError::Start(_) => ErrorKind::CannotExecute,
            ExecError::Runtime(_)
            | ExecError::Sys { .. }
            | ExecError::Io { .. }
            | ExecError::HelperVanished => ErrorKind::Internal,
        }
    }
}

impl ExecError {
    fn sys(what: &'static str) -> impl FnOnce(nix::errno::Errno) -> ExecError {
        move |source| ExecError::Sys { what, source }
    }
}

/// What `berth exec` was asked for (attached or detached is the caller's `AttachIo` or its
/// absence).
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
    /// `-i`: the process's stdin is the caller's (`AttachIo::stdin`); otherwise /dev/null.
    pub interactive: bool,
    /// `-t`: the process gets a pty.
    pub tty: bool,
    /// With `tty`: the pty's size (rows, columns) when the process starts (the caller's
    /// terminal's); later sizes go through the attachment's `Controls`.
    pub console_size: Option<(u16, u16)>,
}

fn env_key(kv: &str) -> &str {
    kv.split_once('=').map(|(k, _)| k).unwrap_or(kv)
}

fn has_env(env: &[String], key: &str) -> bool {
    env.iter().any(|e| env_key(e) == key)
}

/// Docker's refusal for a container that is not running (or paused).
fn not_running(c: &ContainerRow) -> ExecError {
    if c.status == Status::Paused {
        ExecError::Paused(c.id.clone())
    } else {
        ExecError::NotRunning(c.id.clone())
    }
}

/// `berth exec`: runs a process in the running container `c`, attached to `io` until it exits
/// (returns its exit code), or detached if `io` is `None` (returns 0 once it has started). The
/// store is closed before the runtime is called.
///
/// The runtime clones the calling process: no other thread may exist when this is called
/// (threads are started, if at all, once the process runs: see `relay::exec_attached`).
pub fn exec(
    mut store: Store,
    c: &ContainerRow,
    o: ExecOptions,
    io: Option<AttachIo>,
) -> Result<i32, ExecError> {
    let c = reconcile(&mut store, c.clone())?;
    if c.status != Status::Running {
        return Err(not_running(&c));
    }
    if o.args.is_empty() || o.args[0].is_empty() {
        return Err(ExecError::NoCommand);
    }
    let settings = Settings::of(&c)?;
    if o.privileged && !settings.privileged {
        return Err(ExecError::PrivilegedUnsupported);
    }
    for kv in &o.env {
        if env_key(kv).is_empty() {
            return Err(SpecError::InvalidEnv(kv.clone()).into());
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
        console_size: o.console_size.filter(|_| o.tty),
        ..Default::default()
    };
    if let Some(w) = o.workdir.as_deref().filter(|w| !w.is_empty()) {
        if !w.starts_with('/') {
            return Err(SpecError::InvalidWorkdir(w.to_string()).into());
        }
        p.cwd = Some(PathBuf::from(w));
    }
    if let Some(u) = o.user.as_deref().filter(|u| !u.is_empty()) {
        let eu = crate::spec::user::resolve(&paths.rootfs(), u, &[])?;
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

    let rt = Runtime::new(store.runroot.join("runtime"))?;
    let id = c.id.clone();
    // Docker's exec events name the command in the action and carry the exec's ID.
    let root = store.root.clone();
    let exec_id = crate::names::new_id();
    let command = o.args.join(" ");
    let record = |action: &str, extra: Option<(&str, String)>| {
        let mut attrs = vec![("execID", exec_id.clone())];
        attrs.extend(extra);
        super::events::record_with(&root, &c, action, &attrs);
    };
    record(&format!("exec_create: {command}"), None);
    record(&format!("exec_start: {command}"), None);
    drop(store);
    crate::runtime::prepare_monitor_process()?;
    let fctx = FailureContext {
        cwd: p.cwd.clone(),
        rootfs: paths.rootfs(),
    };
    match io {
        None => detached::exec_detached(&rt, &id, p, &paths.run, &fctx),
        Some(io) => {
            let r = relay::exec_attached(&rt, &id, p, &paths.run, &fctx, o.interactive, io);
            if let Ok(code) = &r {
                record("exec_die", Some(("exitCode", code.to_string())));
            }
            r
        }
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

/// Docker's classification and message for a process that could not be started.
fn exec_failure(e: RuntimeError, id: &str, ctx: &FailureContext) -> ExecError {
    match e {
        RuntimeError::NotFound(_) => ExecError::NotRunning(id.to_string()),
        RuntimeError::WrongState { status, .. } => {
            if status == crate::runtime::ContainerStatus::Paused {
                ExecError::Paused(id.to_string())
            } else {
                ExecError::NotRunning(id.to_string())
            }
        }
        e => {
            let msg = e.to_string();
            if let Some((kind, why)) = crate::runtime::command_failure(&msg) {
                ExecError::Command {
                    kind,
                    message: why.to_string(),
                }
            } else if let Some(cwd) = ctx.cwd.as_deref()
                && let Some(why) = cwd_problem(&ctx.rootfs, cwd)
            {
                ExecError::Command {
                    kind: ErrorKind::CannotExecute,
                    message: format!(
                        "chdir to cwd ({:?}) set in config.json failed: {why}",
                        cwd.display()
                    ),
                }
            } else {
                ExecError::Start(e)
            }
        }
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd), ExecError> {
    nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(ExecError::sys("pipe"))
}

fn set_nonblock(fd: impl AsFd) {
    use nix::fcntl::{FcntlArg, fcntl};
    if let Ok(fl) = fcntl(&fd, FcntlArg::F_GETFL) {
        let _ = fcntl(
            &fd,
            FcntlArg::F_SETFL(OFlag::from_bits_retain(fl) | OFlag::O_NONBLOCK),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{EXIT_BERTH, EXIT_CANNOT_EXECUTE, EXIT_NOT_FOUND};

    #[test]
    fn failures_carry_dockers_exit_codes() {
        let code = |e: ExecError| e.kind().exit_code();
        assert_eq!(code(ExecError::NotRunning("x".into())), EXIT_BERTH);
        assert_eq!(ExecError::Paused("x".into()).kind(), ErrorKind::Conflict);
        assert_eq!(
            code(ExecError::Start(RuntimeError::NotFound("x".into()))),
            EXIT_CANNOT_EXECUTE
        );
        let missing = ExecError::Command {
            kind: ErrorKind::CommandNotFound,
            message: "exec: \"nope\": no such file or directory".into(),
        };
        assert_eq!(
            missing.to_string(),
            "exec failed: exec: \"nope\": no such file or directory"
        );
        assert_eq!(code(missing), EXIT_NOT_FOUND);
        // What the exec -d helper reports crosses the pipe as an exit code and comes back.
        let wire = crate::monitor::protocol::error_payload(ErrorKind::CannotExecute, "m");
        let (kind, message) = crate::monitor::protocol::parse_error(&wire);
        assert_eq!(
            code(ExecError::Helper { kind, message }),
            EXIT_CANNOT_EXECUTE
        );
    }
}
