//! `berth init -- COMMAND [ARG...]`: the container's PID 1 with `run --init`, what docker-init
//! (tini) does for Docker. berth's own binary is bind-mounted read-only at `/dev/init` and runs
//! this before anything else in `main` (no argument parser, no logging, no store), so it costs a
//! few hundred microseconds and needs nothing from the image: the release binary is static (see
//! `.cargo/config.toml`), so it starts in images without a libc too.
//!
//! It blocks the signals it collects, forks the command into its own process group (made the
//! terminal's foreground group when there is a terminal, so ^C reaches the command once), then
//! loops on `sigtimedwait`: SIGCHLD reaps every exited process (orphans are reparented to PID 1
//! in the container's PID namespace), any other signal is forwarded to the command. When the
//! command exits, init exits with its code, or 128+N when signal N killed it; the kernel then
//! kills whatever is left in the namespace.

use std::ffi::{CString, OsString};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::ptr;

use libc::{c_char, c_int, pid_t, sigset_t};

/// Signals init keeps for itself: the synchronous ones (a fault in init must kill it, not be
/// "forwarded"), and SIGTTIN/SIGTTOU, ignored so init is never stopped by the terminal after it
/// gave the foreground to the command.
const NOT_COLLECTED: [c_int; 9] = [
    libc::SIGFPE,
    libc::SIGILL,
    libc::SIGSEGV,
    libc::SIGBUS,
    libc::SIGABRT,
    libc::SIGTRAP,
    libc::SIGSYS,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// What the command inherits: the signal state init found when it started.
struct Saved {
    mask: sigset_t,
    ttin: libc::sigaction,
    ttou: libc::sigaction,
}

/// Entry point; `args` are the arguments after `init`. Returns the exit code.
pub fn main(args: &[OsString]) -> i32 {
    let args = match args.first() {
        Some(a) if a == "--" => &args[1..],
        _ => args,
    };
    if args.is_empty() {
        eprintln!("berth init: usage: berth init -- COMMAND [ARG...]");
        return 2;
    }
    let Ok(argv) = args
        .iter()
        .map(|a| CString::new(a.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
    else {
        eprintln!("berth init: an argument contains a NUL byte");
        return 2;
    };
    let mut ptrs: Vec<*const c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    ptrs.push(ptr::null());

    let (collected, saved) = match configure_signals() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("berth init: setting up signals: {e}");
            return 1;
        }
    };
    // Outside a PID namespace of its own (not PID 1), orphans still come to us.
    // SAFETY: getpid and prctl with integer arguments.
    unsafe {
        if libc::getpid() != 1 {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    }
    // SAFETY: init is single-threaded; the child only makes async-signal-safe calls, then execs
    // or exits.
    match unsafe { libc::fork() } {
        -1 => {
            eprintln!("berth init: fork: {}", std::io::Error::last_os_error());
            1
        }
        // SAFETY: in the child of fork, and init is single-threaded (exec_child's contract).
        0 => unsafe { exec_child(&ptrs, &saved) },
        child => supervise(child, &collected),
    }
}

/// Blocks every signal init collects and ignores SIGTTIN/SIGTTOU. Returns the collected set and
/// the state to restore in the command.
fn configure_signals() -> std::io::Result<(sigset_t, Saved)> {
    // SAFETY: plain libc calls on initialized local structures.
    unsafe {
        let mut set: sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for s in NOT_COLLECTED {
            libc::sigdelset(&mut set, s);
        }
        let mut saved = Saved {
            mask: std::mem::zeroed(),
            ttin: std::mem::zeroed(),
            ttou: std::mem::zeroed(),
        };
        if libc::pthread_sigmask(libc::SIG_SETMASK, &set, &mut saved.mask) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut ign: libc::sigaction = std::mem::zeroed();
        ign.sa_sigaction = libc::SIG_IGN;
        libc::sigemptyset(&mut ign.sa_mask);
        if libc::sigaction(libc::SIGTTIN, &ign, &mut saved.ttin) != 0
            || libc::sigaction(libc::SIGTTOU, &ign, &mut saved.ttou) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
        Ok((set, saved))
    }
}

/// In the forked child: own process group (the terminal's foreground one, if any), the signal
/// state init started with, then the command. Never returns.
///
/// # Safety
/// Only between fork and exec of a single-threaded process.
unsafe fn exec_child(argv: &[*const c_char], saved: &Saved) -> ! {
    // SAFETY: the caller guarantees we are between fork and exec of a single-threaded process;
    // `argv` is a null-terminated array of valid C strings and `saved` the signal state init
    // started with.
    unsafe {
        libc::setpgid(0, 0);
        // Fails with ENOTTY when stdin is no terminal (the usual case): nothing to do then.
        // SIGTTOU is still ignored here, so a background group may take the terminal.
        libc::tcsetpgrp(libc::STDIN_FILENO, libc::getpgrp());
        libc::sigaction(libc::SIGTTIN, &saved.ttin, ptr::null_mut());
        libc::sigaction(libc::SIGTTOU, &saved.ttou, ptr::null_mut());
        // Rust's runtime ignores SIGPIPE in init; the command gets the default back (as
        // std::process::Command does).
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::pthread_sigmask(libc::SIG_SETMASK, &saved.mask, ptr::null_mut());
        libc::execvp(argv[0], argv.as_ptr());
        let err = std::io::Error::last_os_error();
        // Docker's (and tini's) codes: 127 not found, 126 not executable.
        let code = match err.raw_os_error() {
            Some(libc::ENOENT | libc::ENOTDIR) => 127,
            Some(libc::EACCES | libc::EPERM | libc::ENOEXEC) => 126,
            _ => 1,
        };
        let name = std::ffi::CStr::from_ptr(argv[0]).to_string_lossy();
        let _ = writeln!(std::io::stderr(), "berth init: exec {name}: {err}");
        libc::_exit(code)
    }
}

/// Forwards signals to `child` and reaps every process until `child` exits; returns its code.
fn supervise(child: pid_t, collected: &sigset_t) -> i32 {
    let timeout = libc::timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    loop {
        // SAFETY: sigtimedwait fills `info`; a null-free set and timeout are valid.
        let sig = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::sigtimedwait(collected, &mut info, &timeout)
        };
        if sig > 0 && sig != libc::SIGCHLD {
            // ESRCH (the command just exited) is harmless: the reaping below notices.
            // SAFETY: kill with a pid and a signal number.
            unsafe { libc::kill(child, sig) };
        }
        // Reap on every wake-up (SIGCHLD coalesces; the timeout is a safety net).
        if let Some(code) = reap_all(child) {
            return code;
        }
    }
}

/// Reaps every exited child; returns the exit code if `child` was among them.
fn reap_all(child: pid_t) -> Option<i32> {
    let mut code = None;
    loop {
        let mut status: c_int = 0;
        // SAFETY: waitpid writes the status into a local.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            // 0: children left, none exited; -1: no children (ECHILD) or EINTR.
            return code;
        }
        if pid == child {
            code = Some(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else if libc::WIFSIGNALED(status) {
                128 + libc::WTERMSIG(status)
            } else {
                continue;
            });
        }
    }
}
