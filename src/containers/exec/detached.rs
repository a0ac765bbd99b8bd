//! `exec -d`: a forked helper starts the process, reports the outcome to the CLI, and stays to
//! reap it.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{WaitStatus, waitpid};

use super::{ExecError, FailureContext, console_path, exec_failure, pipe, quiet, set_nonblock};
use crate::error::Classify;
use crate::monitor::protocol;
use crate::runtime::{ConsoleSocket, ExecProcess, Runtime, Stdio};

/// `exec -d`: a forked helper starts the process and stays to reap it (an unreaped process of
/// the container's PID namespace would keep its init from finishing); we wait only for the
/// helper's report that the start worked.
pub(super) fn exec_detached(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
) -> Result<i32, ExecError> {
    let (r, w) = pipe()?;
    // SAFETY: this process is single-threaded (the runtime needs that too), so the child may
    // run arbitrary code; it leaves with _exit, running no destructors of the parent's state.
    match unsafe { nix::unistd::fork() } {
        Err(e) => Err(ExecError::sys("fork")(e)),
        Ok(nix::unistd::ForkResult::Child) => {
            drop(r);
            let code = detached_helper(rt, id, p, run_dir, fctx, w);
            // libc's _exit: nix has no wrapper for it.
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
                        let (kind, message) = protocol::parse_error(&report[1..]);
                        Err(ExecError::Helper { kind, message })
                    } else {
                        Err(ExecError::HelperVanished)
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
        let _ = nix::unistd::dup2_stdin(&null);
        let _ = nix::unistd::dup2_stdout(&null);
        let _ = nix::unistd::dup2_stderr(&null);
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
    let fail = |report: &mut fs::File, e: ExecError| {
        let mut payload = vec![1u8];
        payload.extend_from_slice(&protocol::error_payload(e.kind(), &e.to_string()));
        let _ = report.write_all(&payload);
        1
    };
    let console = if tty {
        match ConsoleSocket::bind(console_path(run_dir)) {
            Ok(c) => Some(c),
            Err(e) => return fail(&mut report, e.into()),
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
        set_nonblock(m);
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
        if crate::reap::reap_exited(pid).is_some() {
            break;
        }
        if master_ready && let Some(m) = &master {
            let mut buf = [0u8; 16 * 1024];
            match nix::unistd::read(m, &mut buf) {
                Ok(0) => master = None,
                Err(e) if e != nix::errno::Errno::EAGAIN => master = None,
                _ => {}
            }
        }
    }
    0
}
