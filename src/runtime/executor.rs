//! berth's executor, run in the container's init (and an exec'd process) right before the
//! command: the signal state inherited through clone(2) is reset, the seccomp filter installed,
//! PATH searched as runc does, and a failed execve's error, marked with Docker's 126/127, written
//! to a close-on-exec pipe that [`Runtime::run`](super::Runtime::run) returns as an [`ExecStatus`].

use std::fs;
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use libcontainer::workload::{Executor, ExecutorError, ExecutorValidationError};
use nix::sys::signal::{SigSet, SigmaskHow, sigprocmask};
use oci_spec::runtime::Spec;

use super::caller::reap_child;
use super::seccomp::{self, Filter};
use super::{Result, RuntimeError};
use crate::error::ErrorKind;

/// libcontainer's default executor (execvp with the spec's PATH), preceded by a reset of
/// the signal state the container process inherited from the caller through clone(2), and by
/// the installation of the container's seccomp filter.
#[derive(Clone)]
pub(super) struct CleanSignalsExecutor {
    /// The compiled filter of the bundle (`seccomp.bpf`): installed last, right before execve,
    /// then the capability lent for it is dropped (see [`seccomp`]).
    pub(super) filter: Option<Filter>,
    /// Where the error of a failed execve goes (`run`); close-on-exec.
    pub(super) exec_status: Option<RawFd>,
}

/// Whether the container's command was executed, from [`Runtime::run`]: its init runs the
/// command after `start`, when libcontainer no longer listens for its errors.
pub struct ExecStatus {
    pub(super) pipe: OwnedFd,
    pub(super) pid: i32,
    pub(super) id: String,
}

impl ExecStatus {
    /// Waits until the init has executed the command (a millisecond or two after `start`).
    /// If it could not, the init is reaped and the error says why (see [`command_failure`]
    /// for Docker's exit code): the container is then stopped, and needs a `delete`.
    pub fn wait(self) -> Result<()> {
        let mut msg = Vec::new();
        // EOF: the execve closed the pipe (close-on-exec), or the init died before it.
        let _ = io::Read::read_to_end(&mut fs::File::from(self.pipe), &mut msg);
        if msg.is_empty() {
            return Ok(());
        }
        reap_child(self.pid);
        Err(RuntimeError::Libcontainer {
            op: "start",
            id: self.id,
            message: String::from_utf8_lossy(&msg).into_owned(),
        })
    }
}

/// Gives the process's pty (its stdin, with `process.terminal`) the spec's `consoleSize`
/// before it runs: libcontainer opens the pty with no size (0 × 0), and a size the caller sets
/// once it holds the master may come after the process has read it.
fn apply_console_size(spec: &Spec) {
    let Some(p) = spec.process() else { return };
    let Some(size) = p.console_size().filter(|_| p.terminal() == Some(true)) else {
        return;
    };
    let ws = libc::winsize {
        ws_row: u16::try_from(size.height()).unwrap_or(u16::MAX),
        ws_col: u16::try_from(size.width()).unwrap_or(u16::MAX),
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads a `winsize` from the pointer, which outlives the call; fd 0 is
    // the pty slave libcontainer made the process's stdin (a failure leaves the size as is).
    unsafe { libc::ioctl(0, libc::TIOCSWINSZ, &ws) };
}

impl Executor for CleanSignalsExecutor {
    fn exec(&self, spec: &Spec) -> std::result::Result<(), ExecutorError> {
        // libc's signal: the loop covers the real-time signals, which nix's `Signal` cannot
        // hold.
        // SAFETY: SIG_DFL runs no code of ours; the container init is single-threaded, right
        // before execve.
        unsafe {
            for sig in 1..libc::SIGRTMAX() {
                if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                    libc::signal(sig, libc::SIG_DFL);
                }
            }
        }
        let _ = sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None);
        apply_console_size(spec);
        if let Some(f) = &self.filter {
            f.install()
                .map_err(|e| ExecutorError::Other(format!("installing the seccomp filter: {e}")))?;
            seccomp::drop_caps_outside_bounding()
                .map_err(|e| ExecutorError::Other(format!("dropping capabilities: {e}")))?;
        }
        // libcontainer's default executor, with the execve error kept (its own says only
        // "failed to execute workload").
        let args = command_args(spec).ok_or(ExecutorError::InvalidArg)?;
        let argv = args
            .iter()
            .map(|a| std::ffi::CString::new(a.as_bytes()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| ExecutorError::InvalidArg)?;
        // Not execvp: it runs a file without a known format with /bin/sh; Docker (runc)
        // reports "exec format error". The PATH is the environment libcontainer set from the
        // spec.
        let path = look_path(&args[0]);
        let Err(errno) = nix::unistd::execv(&path, &argv);
        let message = exec_error_message(&args[0], errno);
        if let Some(fd) = self.exec_status {
            // SAFETY: the pipe the monitor created for it, open in this process until execve
            // (close-on-exec).
            let pipe = unsafe { BorrowedFd::borrow_raw(fd) };
            let _ = nix::unistd::write(pipe, message.as_bytes());
        }
        Err(ExecutorError::Other(message))
    }

    fn validate(&self, spec: &Spec) -> std::result::Result<(), ExecutorValidationError> {
        use ExecutorValidationError::ArgValidationError;
        let arg0 = command_args(spec).map(|a| a[0].clone()).unwrap_or_default();
        // libcontainer 0.7's messages for a command it did not find in PATH, or found without
        // an execute bit: marked with Docker's exit codes for the monitor and `exec`.
        libcontainer::workload::default::get_executor()
            .validate(spec)
            .map_err(|e| match e {
                // A path (with a slash) is not searched for: runc says the file is missing.
                ArgValidationError(m) if m.contains("not found in $PATH") && arg0.contains('/') => {
                    ArgValidationError(format!(
                        "{NOT_FOUND_MARK} exec: {arg0:?}: stat {arg0}: no such file or directory"
                    ))
                }
                ArgValidationError(m) if m.contains("not found in $PATH") => ArgValidationError(
                    format!("{NOT_FOUND_MARK} exec: {arg0:?}: executable file not found in $PATH"),
                ),
                ArgValidationError(m) if m.contains("does not have correct permissions") => {
                    ArgValidationError(format!(
                        "{CANNOT_INVOKE_MARK} exec: {arg0:?}: permission denied"
                    ))
                }
                e => e,
            })
    }
}

/// The file `execve` should run for `name`: itself if it has a slash, else the first
/// executable regular file of that name in the directories of $PATH (as runc, Go's LookPath);
/// `name` itself when none is (execve then fails with ENOENT).
fn look_path(name: &str) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    let found = (!name.contains('/'))
        .then(|| std::env::var_os("PATH"))
        .flatten()
        .and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| {
                    if dir.as_os_str().is_empty() {
                        PathBuf::from(".").join(name)
                    } else {
                        dir.join(name)
                    }
                })
                .find(|p| {
                    fs::metadata(p)
                        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                })
        });
    let bytes = match &found {
        Some(p) => p.as_os_str().as_bytes(),
        None => name.as_bytes(),
    };
    std::ffi::CString::new(bytes).unwrap_or_default()
}

fn command_args(spec: &Spec) -> Option<&Vec<String>> {
    spec.process()
        .as_ref()
        .and_then(|p| p.args().as_ref())
        .filter(|a| !a.is_empty())
}

/// Marks, in a runtime error, a container command that could not be started: not found
/// (Docker's exit code 127), or found but not executable (126). See [`command_failure`].
/// (The marks name the exit codes of [`ErrorKind::CommandNotFound`] and
/// [`ErrorKind::CannotExecute`].)
const NOT_FOUND_MARK: &str = "[exit 127]";

const CANNOT_INVOKE_MARK: &str = "[exit 126]";

/// The error of the container command's execve, marked for [`command_failure`].
fn exec_error_message(arg0: &str, errno: nix::errno::Errno) -> String {
    use nix::errno::Errno;
    let desc = errno.desc().to_lowercase();
    match errno {
        Errno::ENOENT => format!("{NOT_FOUND_MARK} exec: {arg0:?}: {desc}"),
        Errno::EACCES | Errno::ENOEXEC => format!("{CANNOT_INVOKE_MARK} exec: {arg0:?}: {desc}"),
        _ => format!("exec: {arg0:?}: {desc}"),
    }
}

/// Docker's exit code and the message for an error of `run`/`start`/`exec` that says the
/// container's command could not be started: 127 (not found), 126 (not executable); `None` for
/// every other failure.
pub fn command_failure(message: &str) -> Option<(ErrorKind, &str)> {
    [
        (NOT_FOUND_MARK, ErrorKind::CommandNotFound),
        (CANNOT_INVOKE_MARK, ErrorKind::CannotExecute),
    ]
    .into_iter()
    .find_map(|(mark, kind)| {
        let at = message.find(mark)?;
        // (libcontainer passes a tenant's error on with the NUL of its buffer.)
        let why = &message[at + mark.len()..];
        Some((
            kind,
            why.trim_matches(|c: char| c.is_whitespace() || c == '\0'),
        ))
    })
}

#[cfg(test)]
mod command_failure_tests {
    use super::*;

    #[test]
    fn marked_messages_give_dockers_codes() {
        let m = exec_error_message("/x", nix::errno::Errno::ENOENT);
        let wrapped = format!("error in executing process : {m}\0");
        assert_eq!(
            command_failure(&wrapped),
            Some((
                ErrorKind::CommandNotFound,
                "exec: \"/x\": no such file or directory"
            ))
        );
        let m = exec_error_message("/x", nix::errno::Errno::ENOEXEC);
        assert_eq!(
            command_failure(&m),
            Some((ErrorKind::CannotExecute, "exec: \"/x\": exec format error"))
        );
        let m = exec_error_message("/x", nix::errno::Errno::EACCES);
        assert_eq!(
            command_failure(&m).map(|c| c.0),
            Some(ErrorKind::CannotExecute)
        );
        // Other failures, even of files that do not exist, are berth's own.
        assert_eq!(
            command_failure(&exec_error_message("/x", nix::errno::Errno::E2BIG)),
            None
        );
        assert_eq!(
            command_failure(
                "failed to open /sys/fs/cgroup/x/memory.max: No such file or directory"
            ),
            None
        );
    }
}
