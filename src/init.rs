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
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::ptr;

use libc::{c_char, pid_t};
use nix::sys::prctl;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal};
use nix::unistd::{self, ForkResult, Pid};

/// Signals init keeps for itself: the synchronous ones (a fault in init must kill it, not be
/// "forwarded"), and SIGTTIN/SIGTTOU, ignored so init is never stopped by the terminal after it
/// gave the foreground to the command.
const NOT_COLLECTED: [Signal; 9] = [
    Signal::SIGFPE,
    Signal::SIGILL,
    Signal::SIGSEGV,
    Signal::SIGBUS,
    Signal::SIGABRT,
    Signal::SIGTRAP,
    Signal::SIGSYS,
    Signal::SIGTTIN,
    Signal::SIGTTOU,
];

/// What the command inherits: the signal state init found when it started.
struct Saved {
    mask: SigSet,
    ttin: SigAction,
    ttou: SigAction,
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
    if unistd::getpid() != Pid::from_raw(1) {
        let _ = prctl::set_child_subreaper(true);
    }
    // The terminal, if any, is stdin: taken here, as the child must not allocate (std's stdin
    // handle is made on first use).
    let stdin = std::io::stdin();
    // SAFETY: init is single-threaded; the child only makes async-signal-safe calls, then execs
    // or exits.
    match unsafe { unistd::fork() } {
        Err(e) => {
            eprintln!("berth init: fork: {}", std::io::Error::from(e));
            1
        }
        // SAFETY: in the child of fork, and init is single-threaded (exec_child's contract).
        Ok(ForkResult::Child) => unsafe { exec_child(&ptrs, &saved, stdin.as_fd()) },
        Ok(ForkResult::Parent { child }) => supervise(child.as_raw(), &collected),
    }
}

/// Blocks every signal init collects and ignores SIGTTIN/SIGTTOU. Returns the collected set and
/// the state to restore in the command.
fn configure_signals() -> std::io::Result<(SigSet, Saved)> {
    let mut set = SigSet::all();
    for s in NOT_COLLECTED {
        set.remove(s);
    }
    let mask = set.thread_swap_mask(SigmaskHow::SIG_SETMASK)?;
    let ign = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
    // SAFETY: ignoring a signal runs no code of ours.
    let (ttin, ttou) = unsafe {
        (
            signal::sigaction(Signal::SIGTTIN, &ign)?,
            signal::sigaction(Signal::SIGTTOU, &ign)?,
        )
    };
    Ok((set, Saved { mask, ttin, ttou }))
}

/// In the forked child: own process group (the terminal's foreground one, if any), the signal
/// state init started with, then the command. Never returns.
///
/// # Safety
/// Only between fork and exec of a single-threaded process.
unsafe fn exec_child(argv: &[*const c_char], saved: &Saved, stdin: BorrowedFd) -> ! {
    let _ = unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0));
    // Fails with ENOTTY when stdin is no terminal (the usual case): nothing to do then.
    // SIGTTOU is still ignored here, so a background group may take the terminal.
    let _ = unistd::tcsetpgrp(stdin, unistd::getpgrp());
    // SAFETY: the caller guarantees we are between fork and exec of a single-threaded process;
    // the actions restored are the ones init started with, and SIG_DFL runs no code of ours.
    unsafe {
        let _ = signal::sigaction(Signal::SIGTTIN, &saved.ttin);
        let _ = signal::sigaction(Signal::SIGTTOU, &saved.ttou);
        // Rust's runtime ignores SIGPIPE in init; the command gets the default back (as
        // std::process::Command does).
        let _ = signal::signal(Signal::SIGPIPE, SigHandler::SigDfl);
    }
    let _ = saved.mask.thread_set_mask();
    // libc's execvp, not nix's: nix's allocates the argument array, which a forked child must
    // not do (not async-signal-safe); `argv` was built before the fork.
    // SAFETY: `argv` is a null-terminated array of valid C strings (the caller's contract).
    unsafe { libc::execvp(argv[0], argv.as_ptr()) };
    let err = std::io::Error::last_os_error();
    // Docker's (and tini's) codes: 127 not found, 126 not executable.
    let code = match err.raw_os_error() {
        Some(libc::ENOENT | libc::ENOTDIR) => 127,
        Some(libc::EACCES | libc::EPERM | libc::ENOEXEC) => 126,
        _ => 1,
    };
    // SAFETY: argv[0] is a valid C string (the caller's contract).
    let name = unsafe { std::ffi::CStr::from_ptr(argv[0]) }.to_string_lossy();
    let _ = writeln!(std::io::stderr(), "berth init: exec {name}: {err}");
    // libc's _exit: nix has no wrapper for it. Leaves without running init's atexit handlers.
    // SAFETY: ends this (forked) process.
    unsafe { libc::_exit(code) }
}

/// Forwards signals to `child` and reaps every process until `child` exits; returns its code.
fn supervise(child: pid_t, collected: &SigSet) -> i32 {
    let timeout = libc::timespec {
        tv_sec: 1,
        tv_nsec: 0,
    };
    loop {
        // libc's sigtimedwait: nix has no wrapper for it (SigSet::wait has no timeout).
        // SAFETY: sigtimedwait fills `info`; the set and the timeout are valid.
        let sig = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::sigtimedwait(collected.as_ref(), &mut info, &timeout)
        };
        if sig > 0 && sig != libc::SIGCHLD {
            // ESRCH (the command just exited) is harmless: the reaping below notices.
            // libc's kill: `sig` may be a real-time signal, which nix's `Signal` cannot hold.
            // SAFETY: kill with a pid and a signal number.
            unsafe { libc::kill(child, sig) };
        }
        // Reap on every wake-up (SIGCHLD coalesces; the timeout is a safety net).
        if let Some(code) = berth::reap::reap_exited(child) {
            return code;
        }
    }
}
