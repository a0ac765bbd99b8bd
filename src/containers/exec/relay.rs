//! The attached side of `exec`: the poll loop that relays our stdin to the process and its
//! output to our stdout/stderr (pipes, or the pty with `-t`), forwards signals and the terminal
//! size, and reaps the process.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::Path;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use super::{
    ExecError, FailureContext, console_path, exec_failure, pipe, quiet, reap_all, set_nonblock,
};
use crate::monitor::client;
use crate::runtime::{ConsoleSocket, ExecProcess, Runtime, Stdio};

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

pub(super) fn exec_attached(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
    interactive: bool,
) -> Result<i32, ExecError> {
    let tty = p.tty;
    if tty && interactive && !nix::unistd::isatty(io::stdin()).unwrap_or(false) {
        return Err(ExecError::NotATty);
    }
    let mut stdio = Stdio::default();
    let mut to_child: Option<OwnedFd> = None;
    let mut outs: Vec<(OwnedFd, RawFd)> = Vec::new();
    let console = if tty {
        Some(ConsoleSocket::bind(console_path(run_dir))?)
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
        .map_err(ExecError::sys("sigprocmask"))?;
    let _mask = MaskGuard(old);
    let sfd = SignalFd::with_flags(&set, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
        .map_err(ExecError::sys("signalfd"))?;

    let pid = quiet(|| rt.exec(id, p, stdio, console.as_ref().map(|c| c.path())))
        .map_err(|e| exec_failure(e, id, fctx))?;
    let mut master = None;
    if let Some(console) = console {
        match console.recv_master() {
            Ok(m) => master = Some(m),
            Err(e) => {
                kill_and_reap(pid);
                return Err(e.into());
            }
        }
    }
    let _raw = if tty && interactive {
        client::RawMode::enable()
    } else {
        None
    };
    if let Some(m) = &master {
        set_nonblock(m);
        copy_winsize(m.as_raw_fd());
        // The pty is both ends: output from it, input to it.
        let dup = m.try_clone().map_err(|source| ExecError::Io {
            what: "duplicate the pty master",
            source,
        })?;
        outs.push((dup, libc::STDOUT_FILENO));
        if interactive {
            to_child = m.try_clone().ok();
        }
    }
    for (fd, _) in &outs {
        set_nonblock(fd);
    }
    if let Some(w) = &to_child {
        set_nonblock(w);
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

/// SIGKILL and reap our child `pid`.
pub(super) fn kill_and_reap(pid: i32) {
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
    // SAFETY: winsize is plain integers: all-zero is valid.
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
