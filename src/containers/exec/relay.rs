//! The attached side of `exec`: a poll loop that relays the caller's streams (an [`AttachIo`])
//! to the process and its output back (pipes, or the pty with `-t`), applies what the caller
//! sends through its [`Controls`] (the pty's size, signals), and reaps the process.
//!
//! The relay reads and writes none of this process's fds 0, 1 and 2 and touches no terminal:
//! a front end passes its terminal (the CLI: `cli/terminal.rs`) or any other streams (a
//! hijacked HTTP connection). The only signal it handles is SIGCHLD, blocked in the calling
//! thread while it runs (and so in the threads it starts) and read from a signalfd, to reap
//! its child.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::waitpid;
use nix::unistd::Pid;

use super::{ExecError, FailureContext, console_path, exec_failure, pipe, quiet, set_nonblock};
use crate::monitor::client::{AttachIo, Controls};
use crate::monitor::protocol::{FrameBuf, Kind};
use crate::runtime::{ConsoleSocket, ExecProcess, Runtime, Stdio};

/// SIGCHLD blocked in this thread until dropped (if it was not blocked already).
struct ChildSignalBlocked {
    was_blocked: bool,
}

impl ChildSignalBlocked {
    fn new() -> Result<ChildSignalBlocked, ExecError> {
        let old = child_signal()
            .thread_swap_mask(SigmaskHow::SIG_BLOCK)
            .map_err(ExecError::sys("sigprocmask"))?;
        Ok(ChildSignalBlocked {
            was_blocked: old.contains(Signal::SIGCHLD),
        })
    }
}

impl Drop for ChildSignalBlocked {
    fn drop(&mut self) {
        if !self.was_blocked {
            let _ = child_signal().thread_unblock();
        }
    }
}

fn child_signal() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGCHLD);
    set
}

/// Where an output of the process goes.
#[derive(Clone, Copy)]
enum Output {
    Stdout,
    Stderr,
}

/// Runs `p` attached to `io` (its stdin only if `interactive`); returns its exit code.
///
/// The runtime clones the calling process: no other thread may exist when this is called. The
/// relay itself starts threads (the one that copies `io.stdin`, and whatever `on_attached`
/// starts) only once the runtime has returned. The stdin thread ends at the input's EOF or
/// error, or at its first write after the relay has returned: an input that never comes (a
/// terminal nobody types on) keeps it, blocked in `read`, until this process exits.
pub(super) fn exec_attached(
    rt: &Runtime,
    id: &str,
    p: ExecProcess,
    run_dir: &Path,
    fctx: &FailureContext,
    interactive: bool,
    mut io: AttachIo,
) -> Result<i32, ExecError> {
    let tty = p.tty;
    // Without input the process's stdin is /dev/null (at EOF), or a pty that gets none.
    if !interactive {
        io.stdin = None;
    }
    let mut stdio = Stdio::default();
    let mut to_child: Option<OwnedFd> = None;
    let mut outs: Vec<(OwnedFd, Output)> = Vec::new();
    let console = if tty {
        Some(ConsoleSocket::bind(console_path(run_dir))?)
    } else {
        if io.stdin.is_some() {
            let (r, w) = pipe()?;
            stdio.stdin = Some(r);
            to_child = Some(w);
        }
        let (out_r, out_w) = pipe()?;
        let (err_r, err_w) = pipe()?;
        stdio.stdout = Some(out_w);
        stdio.stderr = Some(err_w);
        outs.push((out_r, Output::Stdout));
        outs.push((err_r, Output::Stderr));
        None
    };
    // Block SIGCHLD before the process exists, so that its exit is not lost (the runtime
    // gives the process an empty signal mask).
    let _blocked = ChildSignalBlocked::new()?;
    let sfd = SignalFd::with_flags(
        &child_signal(),
        SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC,
    )
    .map_err(ExecError::sys("signalfd"))?;

    let pid = quiet(|| rt.exec(id, p, stdio, console.as_ref().map(|c| c.path())))
        .map_err(|e| exec_failure(e, id, fctx))?;
    // The process runs: from here on, threads may be started, and a failure kills it.
    match Relay::connect(pid, console, to_child, outs, io) {
        Ok(relay) => Ok(relay.run(&sfd)),
        Err(e) => {
            kill_and_reap(pid);
            Err(e)
        }
    }
}

/// The poll loop of an attached exec.
struct Relay {
    pid: i32,
    tty: bool,
    master: Option<OwnedFd>,
    /// The caller's input, copied into this pipe by a thread, until EOF.
    input: Option<OwnedFd>,
    /// Where the input goes: the process's stdin pipe, or the pty master.
    to_child: Option<OwnedFd>,
    /// Input not yet written to the process.
    pending: Vec<u8>,
    /// The input reached EOF: close the process's stdin (^D for a pty) once `pending` is out.
    eof_pending: bool,
    /// Output sources and where they go.
    outs: Vec<(OwnedFd, Output)>,
    stdout: Box<dyn Write + Send>,
    stderr: Box<dyn Write + Send>,
    /// Our end of the socket pair behind the caller's [`Controls`], until they are all gone.
    controls: Option<UnixStream>,
    frames: FrameBuf,
}

impl Relay {
    /// Takes the pty master (with `-t`), hands the caller its controls and starts copying its
    /// input.
    fn connect(
        pid: i32,
        console: Option<ConsoleSocket>,
        mut to_child: Option<OwnedFd>,
        mut outs: Vec<(OwnedFd, Output)>,
        io: AttachIo,
    ) -> Result<Relay, ExecError> {
        let dup_master = |m: &OwnedFd| {
            m.try_clone().map_err(|source| ExecError::Io {
                what: "duplicate the pty master",
                source,
            })
        };
        let master = match console {
            Some(console) => Some(console.recv_master()?),
            None => None,
        };
        if let Some(m) = &master {
            set_nonblock(m);
            // The pty is both ends: output from it, input to it.
            outs.push((dup_master(m)?, Output::Stdout));
            if io.stdin.is_some() {
                to_child = Some(dup_master(m)?);
            }
        }
        for (fd, _) in &outs {
            set_nonblock(fd);
        }
        if let Some(w) = &to_child {
            set_nonblock(w);
        }
        let controls = match io.on_attached {
            Some(on_attached) => {
                let (ours, theirs) = UnixStream::pair().map_err(|source| ExecError::Io {
                    what: "socketpair",
                    source,
                })?;
                ours.set_nonblocking(true).map_err(|source| ExecError::Io {
                    what: "socketpair",
                    source,
                })?;
                on_attached(
                    Controls::new(theirs, master.is_some(), io.stdin.is_some()).of_process(pid),
                );
                Some(ours)
            }
            None => None,
        };
        let input = io.stdin.map(copy_input).transpose()?;
        Ok(Relay {
            pid,
            tty: master.is_some(),
            master,
            input,
            to_child,
            pending: Vec::new(),
            eof_pending: false,
            outs,
            stdout: io.stdout,
            stderr: io.stderr,
            controls,
            frames: FrameBuf::default(),
        })
    }

    fn run(mut self, sfd: &SignalFd) -> i32 {
        let mut exit: Option<i32> = None;
        let mut idle_since: Option<Instant> = None;
        loop {
            if exit.is_some() && self.outs.is_empty() {
                break;
            }
            let ready = match self.poll(sfd, exit.is_none()) {
                Ok(ready) => ready,
                Err(Errno::EINTR) => continue,
                Err(_) => break,
            };
            if ready.signals {
                let mut any = false;
                while let Ok(Some(_)) = sfd.read_signal() {
                    any = true;
                }
                if any && let Some(code) = crate::reap::reap_exited(self.pid) {
                    exit = Some(code);
                }
            }
            // The caller's controls first: a resize it sent before some input applies before
            // that input reaches the process.
            if ready.controls && exit.is_none() {
                self.read_controls();
            }
            if ready.input {
                self.read_input();
            }
            if ready.child {
                self.write_child();
            }
            if self.pending.is_empty() && self.eof_pending {
                self.eof_pending = false;
                if self.tty {
                    if let Some(w) = &self.to_child {
                        let _ = nix::unistd::write(w, &[4]);
                    }
                } else {
                    self.to_child = None;
                }
            }
            let active = self.copy_outputs(&ready.outs);
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

    /// Waits for something to do. While the process runs: SIGCHLD, the caller's controls and
    /// input (when no input is pending), the process's stdin (when input is), its output.
    /// Once it has exited, what is left of its output, for at most 50 ms (a background
    /// process may keep the pipes open).
    fn poll(&self, sfd: &SignalFd, running: bool) -> nix::Result<Ready> {
        fn add<'a>(
            pfds: &mut Vec<PollFd<'a>>,
            fd: Option<BorrowedFd<'a>>,
            flags: PollFlags,
        ) -> Option<usize> {
            pfds.push(PollFd::new(fd?, flags));
            Some(pfds.len() - 1)
        }
        let read_input = running && self.pending.is_empty() && self.to_child.is_some();
        let write_child = running && !self.pending.is_empty();
        let mut pfds = vec![PollFd::new(sfd.as_fd(), PollFlags::POLLIN)];
        let controls = add(
            &mut pfds,
            self.controls.as_ref().filter(|_| running).map(AsFd::as_fd),
            PollFlags::POLLIN,
        );
        let input = add(
            &mut pfds,
            self.input.as_ref().filter(|_| read_input).map(AsFd::as_fd),
            PollFlags::POLLIN,
        );
        let child = add(
            &mut pfds,
            self.to_child
                .as_ref()
                .filter(|_| write_child)
                .map(AsFd::as_fd),
            PollFlags::POLLOUT,
        );
        let outs: Vec<Option<usize>> = self
            .outs
            .iter()
            .map(|(fd, _)| add(&mut pfds, Some(fd.as_fd()), PollFlags::POLLIN))
            .collect();
        let timeout = if running {
            PollTimeout::NONE
        } else {
            PollTimeout::from(50u16)
        };
        poll(&mut pfds, timeout)?;
        let ready =
            |i: Option<usize>| i.is_some_and(|i| pfds[i].revents().is_some_and(|r| !r.is_empty()));
        Ok(Ready {
            signals: ready(Some(0)),
            controls: ready(controls),
            input: ready(input),
            child: ready(child),
            outs: outs.into_iter().map(ready).collect(),
        })
    }

    /// Applies the frames the caller sent through its [`Controls`]: `Resize` sets the pty's
    /// size, `Signal` goes to the process. Stops listening once every `Controls` is dropped
    /// (or the peer breaks the protocol).
    fn read_controls(&mut self) {
        let Some(mut s) = self.controls.as_ref() else {
            return;
        };
        let mut open = true;
        let mut buf = [0u8; 512];
        loop {
            match s.read(&mut buf) {
                Ok(0) => {
                    open = false;
                    break;
                }
                Ok(n) => self.frames.push(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    open = false;
                    break;
                }
            }
        }
        loop {
            match self.frames.next_frame() {
                Ok(Some((Kind::Resize, p))) if p.len() >= 4 => {
                    if let Some(m) = &self.master {
                        let rows = u16::from_be_bytes([p[0], p[1]]);
                        let cols = u16::from_be_bytes([p[2], p[3]]);
                        set_winsize(m, rows, cols);
                    }
                }
                Ok(Some((Kind::Signal, p))) if p.len() >= 4 => {
                    // Signals nix does not name (real-time ones) are not forwarded.
                    if let Ok(sig) = Signal::try_from(i32::from_be_bytes([p[0], p[1], p[2], p[3]]))
                    {
                        // Our unreaped child: its pid cannot have been reused.
                        let _ = nix::sys::signal::kill(Pid::from_raw(self.pid), sig);
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    open = false;
                    break;
                }
            }
        }
        if !open {
            self.controls = None;
        }
    }

    fn read_input(&mut self) {
        let Some(fd) = &self.input else {
            return;
        };
        let mut buf = [0u8; 32 * 1024];
        match nix::unistd::read(fd, &mut buf) {
            Ok(0) => self.input_ended(),
            Ok(n) => {
                self.pending.extend_from_slice(&buf[..n]);
                self.write_child();
            }
            Err(Errno::EAGAIN | Errno::EINTR) => {}
            Err(_) => self.input_ended(),
        }
    }

    fn input_ended(&mut self) {
        self.input = None;
        self.eof_pending = true;
    }

    fn write_child(&mut self) {
        let Some(w) = &self.to_child else {
            self.pending.clear();
            return;
        };
        while !self.pending.is_empty() {
            match nix::unistd::write(w, &self.pending) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(Errno::EAGAIN) => return,
                Err(Errno::EINTR) => {}
                Err(_) => {
                    // The process closed its stdin: drop the input.
                    self.pending.clear();
                    self.to_child = None;
                    self.input = None;
                    return;
                }
            }
        }
    }

    /// Copies what the process wrote to the caller's streams; true if there was any. A source
    /// at EOF (or EIO: a pty whose last slave fd closed) is dropped, and so is one whose
    /// stream failed: its reader is gone (`berth exec … | head -1`), and the process gets
    /// EPIPE/SIGPIPE as in a shell pipeline.
    fn copy_outputs(&mut self, ready: &[bool]) -> bool {
        let mut active = false;
        let mut closed = Vec::new();
        let mut buf = [0u8; 32 * 1024];
        for (i, (fd, out)) in self.outs.iter().enumerate() {
            if !ready[i] {
                continue;
            }
            match nix::unistd::read(fd, &mut buf) {
                Ok(0) => closed.push(i),
                Ok(n) => {
                    active = true;
                    let w = match out {
                        Output::Stdout => &mut self.stdout,
                        Output::Stderr => &mut self.stderr,
                    };
                    if !write_out(w.as_mut(), &buf[..n]) {
                        closed.push(i);
                    }
                }
                Err(Errno::EAGAIN | Errno::EINTR) => {}
                Err(_) => closed.push(i),
            }
        }
        for i in closed.into_iter().rev() {
            self.outs.remove(i);
        }
        active
    }
}

/// What a poll found ready.
struct Ready {
    signals: bool,
    controls: bool,
    input: bool,
    child: bool,
    /// One per output source, in order.
    outs: Vec<bool>,
}

/// Copies `input` into a pipe from a thread of its own; returns the pipe's read end. The
/// thread ends at the input's EOF or error (closing the pipe: EOF for the relay), or when the
/// relay has closed the pipe.
fn copy_input(mut input: Box<dyn Read + Send>) -> Result<OwnedFd, ExecError> {
    let (r, w) = pipe()?;
    std::thread::Builder::new()
        .name("exec-stdin".into())
        .spawn(move || {
            let mut w = std::fs::File::from(w);
            let mut buf = [0u8; 32 * 1024];
            loop {
                match input.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if w.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        })
        .map_err(|source| ExecError::Io {
            what: "start the thread that copies stdin",
            source,
        })?;
    set_nonblock(&r);
    Ok(r)
}

/// SIGKILL and reap our child `pid`.
pub(super) fn kill_and_reap(pid: i32) {
    let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
    while let Err(Errno::EINTR) = waitpid(Pid::from_raw(pid), None) {}
}

/// Writes all of `data` to a stream of the caller and flushes it; false if the stream failed
/// (its reader is gone: the data is dropped). A stream that would block (a non-blocking file
/// description shared with another process) is tried again a moment later.
fn write_out(w: &mut dyn Write, mut data: &[u8]) -> bool {
    fn again(e: &io::Error) -> bool {
        match e.kind() {
            io::ErrorKind::Interrupted => true,
            io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(1));
                true
            }
            _ => false,
        }
    }
    while !data.is_empty() {
        match w.write(data) {
            Ok(0) => return false,
            Ok(n) => data = &data[n..],
            Err(e) if again(&e) => {}
            Err(_) => return false,
        }
    }
    loop {
        match w.flush() {
            Ok(()) => return true,
            Err(e) if again(&e) => {}
            Err(_) => return false,
        }
    }
}

/// Sets the pty's size (a size of 0 x 0, from a caller without a terminal, is ignored).
fn set_winsize(master: &OwnedFd, rows: u16, cols: u16) {
    if rows == 0 && cols == 0 {
        return;
    }
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads a `winsize` from the pointer, which outlives the call; the fd
    // is open (borrowed from `master`).
    unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that refuses the first `busy` calls as `WouldBlock`, then takes at most `max`
    /// bytes a call, or fails every call with `fail`.
    struct Stream {
        busy: usize,
        max: usize,
        fail: Option<io::ErrorKind>,
        got: Vec<u8>,
    }

    impl Write for Stream {
        fn write(&mut self, data: &[u8]) -> io::Result<usize> {
            if let Some(kind) = self.fail {
                return Err(kind.into());
            }
            if self.busy > 0 {
                self.busy -= 1;
                return Err(io::ErrorKind::WouldBlock.into());
            }
            let n = data.len().min(self.max);
            self.got.extend_from_slice(&data[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_is_written_whole_through_short_and_blocked_writes() {
        let mut s = Stream {
            busy: 2,
            max: 3,
            fail: None,
            got: Vec::new(),
        };
        assert!(write_out(&mut s, b"hello, world"));
        assert_eq!(s.got, b"hello, world");
    }

    #[test]
    fn a_failed_stream_is_reported_so_the_relay_closes_it() {
        for kind in [io::ErrorKind::BrokenPipe, io::ErrorKind::Other] {
            let mut s = Stream {
                busy: 0,
                max: usize::MAX,
                fail: Some(kind),
                got: Vec::new(),
            };
            assert!(!write_out(&mut s, b"data"), "{kind:?}");
        }
    }
}
