//! What the runtime needs of the process that calls it, and what it cleans up there after a
//! failure: fds 0-2 open, one thread, no inherited `LISTEN_FDS`, `SIGCHLD` not ignored; the
//! stray helpers, leaked fds and `oom_score_adj` libcontainer leaves behind.

use std::collections::HashSet;
use std::fs;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

use nix::errno::Errno;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{self, Pid};

use super::{Result, RuntimeError, io_err};

/// Puts the calling process in the shape libcontainer needs; call once at the start of the
/// monitor: cwd `/` (libcontainer `chdir`s back to the cwd, which must exist), fds 0..=2 open
/// (to `/dev/null` if closed), no `LISTEN_FDS`/`LISTEN_PID` (they would make libcontainer
/// pass fds into containers), and `SIGCHLD` not ignored (exit statuses would be lost).
pub fn prepare_monitor_process() -> Result<()> {
    std::env::set_current_dir("/").map_err(io_err("chdir /"))?;
    for fd in 0..3 {
        // libc's fcntl: nix's needs a borrowed, hence open, descriptor.
        // SAFETY: F_GETFD only queries the descriptor number; a closed one fails with EBADF.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
            let null = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")
                .map_err(io_err("open /dev/null"))?;
            if null.as_raw_fd() != fd {
                // Onto a stdio slot that is closed (checked above): no descriptor anyone owns
                // is replaced.
                let dup2 = match fd {
                    0 => unistd::dup2_stdin(&null),
                    1 => unistd::dup2_stdout(&null),
                    _ => unistd::dup2_stderr(&null),
                };
                dup2.map_err(|e| io_err(format!("dup2 /dev/null to fd {fd}"))(e.into()))?;
            } else {
                std::mem::forget(null); // it landed on the free stdio slot: keep it
            }
        }
    }
    // SAFETY: the monitor is single-threaded when it calls this (no concurrent getenv).
    unsafe {
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    // libc's sigaction for the query: nix's cannot read a disposition without setting one.
    // SAFETY: sigaction is plain data (integers, a handler address, a mask): all-zero is a
    // valid value, overwritten by the query below.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a query (null new action) into a valid, writable sigaction.
    if unsafe { libc::sigaction(libc::SIGCHLD, std::ptr::null(), &mut old) } == 0
        && old.sa_sigaction == libc::SIG_IGN
    {
        let dfl = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
        // SAFETY: installs the default disposition, which runs no code of ours.
        let _ = unsafe { signal::sigaction(Signal::SIGCHLD, &dfl) };
    }
    Ok(())
}

pub(super) fn ensure_single_threaded() -> Result<()> {
    let status =
        fs::read_to_string("/proc/self/status").map_err(io_err("read /proc/self/status"))?;
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(1);
    if threads > 1 {
        return Err(RuntimeError::MultiThreaded(threads));
    }
    Ok(())
}

pub(super) fn ensure_caller_stdio_open() -> Result<()> {
    for fd in 0..3 {
        // libc's fcntl: nix's needs a borrowed, hence open, descriptor.
        // SAFETY: F_GETFD only queries the descriptor number; a closed one fails with EBADF.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1 {
            return Err(RuntimeError::InvalidArgument(format!(
                "fd {fd} of the calling process is closed; libcontainer needs fds 0-2 open \
                 (call prepare_monitor_process)"
            )));
        }
    }
    Ok(())
}

/// This process's children (pids). The caller is single-threaded, so `/proc/self/task/<pid>`
/// lists them all.
pub(super) fn children() -> HashSet<i32> {
    let me = std::process::id();
    fs::read_to_string(format!("/proc/{me}/task/{me}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// Reaps the children that appeared during a failed create or exec and are libcontainer
/// helpers (comm `youki:[1:INTER]` / `youki:[2:INIT]`: processes that never exec'd). Older
/// children are left alone: the container's own init is also named `youki:[2:INIT]` for a
/// moment after `run` returns. Unreaped children's pids cannot have been reused.
pub(super) fn reap_stray_helpers(before: &HashSet<i32>) {
    for pid in children().difference(before) {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.starts_with("youki:[") {
            reap_child(*pid);
        }
    }
}

/// SIGKILL and reap a child that is known to be ours and unreaped.
pub(super) fn reap_child(pid: i32) {
    let pid = Pid::from_raw(pid);
    // `pid` is our unreaped child, so it cannot have been reused.
    if let Ok(WaitStatus::StillAlive) = waitpid(pid, Some(WaitPidFlag::WNOHANG)) {
        let _ = signal::kill(pid, Signal::SIGKILL);
        while waitpid(pid, None) == Err(Errno::EINTR) {}
    }
}

/// The caller's open fds, by identity. libcontainer leaks its channel sockets (4 per failed
/// create/exec) when it fails half-way; a successful call leaves nothing. Since the caller is
/// single-threaded, every fd that appears during a failed call is such garbage.
pub(super) struct FdSnapshot(HashSet<(RawFd, u64, u64)>);

impl FdSnapshot {
    pub(super) fn take() -> Self {
        let fds: Vec<RawFd> = fs::read_dir("/proc/self/fd")
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        FdSnapshot(
            fds.into_iter()
                .filter_map(|fd| {
                    // libc's fstat: nix's needs a borrowed, hence open, descriptor, and this
                    // one may have been closed since it was listed (the listing's own is).
                    // SAFETY: stat is plain integers: all-zero is valid, and fstat fills it.
                    let mut st: libc::stat = unsafe { std::mem::zeroed() };
                    // SAFETY: fstat on a number; a closed one just fails.
                    (unsafe { libc::fstat(fd, &mut st) } == 0).then_some((fd, st.st_dev, st.st_ino))
                })
                .collect(),
        )
    }

    pub(super) fn close_new(&self) {
        for (fd, _, _) in Self::take().0.difference(&self.0) {
            // libc's close: a bare number nothing owns (nix's close takes an owned fd).
            // SAFETY: the fd appeared during the failed call and nothing owns it.
            unsafe { libc::close(*fd) };
        }
    }
}

pub(super) fn tenant_leftovers(dir: &Path) -> HashSet<std::ffi::OsString> {
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with("tenant-"))
        .collect()
}

/// Restores the caller's `oom_score_adj`, which libcontainer overwrites with the spec's
/// `process.oomScoreAdj` (so that the children inherit it).
pub(super) struct OomScoreGuard(Option<String>);

impl OomScoreGuard {
    pub(super) fn save() -> Self {
        OomScoreGuard(fs::read_to_string("/proc/self/oom_score_adj").ok())
    }
}

impl Drop for OomScoreGuard {
    fn drop(&mut self) {
        if let Some(v) = &self.0
            && fs::read_to_string("/proc/self/oom_score_adj")
                .ok()
                .as_deref()
                != Some(v)
        {
            let _ = fs::write("/proc/self/oom_score_adj", v.trim());
        }
    }
}
