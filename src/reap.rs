//! Reaping exited children, with Docker's exit codes: the code of a process that exited, 128+N
//! of one that signal N killed. A leaf: it imports nothing of berth.
//!
//! libc's waitpid, not nix's: nix's `WaitStatus` holds a `Signal`, which cannot be a real-time
//! signal, so for a process killed by one it fails with EINVAL after reaping it, and the status
//! is lost (a supervisor would then wait forever for a child that is gone).

use libc::{c_int, pid_t};

/// Reaps every exited child of this process, without blocking; returns the exit code of
/// `child` if it was among them.
pub fn reap_exited(child: pid_t) -> Option<i32> {
    let mut code = None;
    loop {
        let mut status: c_int = 0;
        // SAFETY: waitpid writes the status into a local.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            // 0: children left, none exited; -1: no children (ECHILD) or EINTR.
            return code;
        }
        if pid == child
            && let Some(c) = exit_code(status)
        {
            code = Some(c);
        }
    }
}

/// Docker's exit code for a wait status: the exit status, or 128+N after a death by signal N;
/// `None` for a status that reports no end (stopped, continued).
pub fn exit_code(status: c_int) -> Option<i32> {
    if libc::WIFEXITED(status) {
        Some(libc::WEXITSTATUS(status))
    } else if libc::WIFSIGNALED(status) {
        Some(128 + libc::WTERMSIG(status))
    } else {
        None
    }
}

/// Children handed over by code that does not wait for them (a detached container's
/// monitor), reaped by [`reap_adopted`]: a long-running process (the API service) must not
/// collect zombies; a short one (the CLI) exits first.
static ADOPTED: std::sync::Mutex<Vec<std::process::Child>> = std::sync::Mutex::new(Vec::new());

/// Keeps `child` to be reaped once it exits (reaps those already gone).
pub fn adopt(child: std::process::Child) {
    if let Ok(mut v) = ADOPTED.lock() {
        v.push(child);
        v.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
    }
}

/// Reaps the adopted children that have exited; returns how many are still running.
pub fn reap_adopted() -> usize {
    match ADOPTED.lock() {
        Ok(mut v) => {
            v.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
            v.len()
        }
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_of_wait_statuses() {
        // Raw statuses as the kernel reports them (wait(2)).
        assert_eq!(exit_code(7 << 8), Some(7));
        assert_eq!(exit_code(0), Some(0));
        assert_eq!(exit_code(libc::SIGTERM), Some(143));
        assert_eq!(exit_code(libc::SIGKILL | 0x80), Some(137)); // with a core dump
        // A real-time signal, which nix's `Signal` cannot hold.
        assert_eq!(exit_code(libc::SIGRTMIN()), Some(128 + libc::SIGRTMIN()));
        assert_eq!(exit_code((libc::SIGSTOP << 8) | 0x7f), None); // stopped
        assert_eq!(exit_code(0xffff), None); // continued
    }

    #[test]
    fn a_child_killed_by_a_real_time_signal_is_reaped_with_its_code() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "kill -34 $$"])
            .spawn()
            .unwrap();
        let pid = child.id() as pid_t;
        // Reap that child only: other tests of this process have children too.
        let mut status: c_int = 0;
        // SAFETY: waitpid writes the status into a local.
        let reaped = unsafe { libc::waitpid(pid, &mut status, 0) };
        assert_eq!(reaped, pid);
        assert_eq!(exit_code(status), Some(128 + 34));
        // It is gone: std's own wait now fails (ECHILD).
        assert!(child.try_wait().is_err());
    }
}
