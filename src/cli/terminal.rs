//! This process's terminal as the streams of an attached container (`run`, `start -a`,
//! `attach`) or exec (`exec` without `-d`): stdin, stdout and stderr; raw mode while a process
//! with a terminal reads our stdin; the terminal's size, sent again on SIGWINCH; and signals
//! forwarded to the process (Docker's `--sig-proxy`; always with `exec`).

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{SigSet, Signal};

use crate::engine::Error;
use crate::monitor::client::{AttachIo, Controls};

/// Restores the terminal (leaves raw mode) when dropped.
pub struct Session {
    raw: Arc<Mutex<Option<RawMode>>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(mut r) = self.raw.lock() {
            r.take();
        }
    }
}

/// The streams for an attachment: our stdin if `stdin`, stdout, stderr; once attached, raw
/// mode and the size for a container with a terminal, and SIGINT/SIGTERM/SIGHUP/SIGQUIT
/// forwarded to it if `sig_proxy` (and it has no terminal: with one, those keys reach it as
/// input).
pub fn attach_io(stdin: bool, sig_proxy: bool) -> (AttachIo, Session) {
    terminal_io(stdin, move |c: &Controls| {
        forwarded_signals(sig_proxy && !c.tty, c.tty)
    })
}

/// The streams for an attached exec with `-i` (`interactive`: our stdin) and `-t` (`tty`);
/// refuses `-it` when our stdin is not a terminal, in Docker's words. SIGINT, SIGTERM, SIGHUP
/// and SIGQUIT are forwarded to the process, with or without a terminal (and SIGWINCH resizes
/// it): they are blocked here already, so that none ends the CLI while the process starts.
pub fn exec_io(interactive: bool, tty: bool) -> Result<(AttachIo, Session), Error> {
    if tty && interactive && !nix::unistd::isatty(io::stdin()).unwrap_or(false) {
        return Err(Error::invalid("the input device is not a TTY"));
    }
    let set = forwarded_signals(true, tty);
    let _ = set.thread_block();
    Ok(terminal_io(interactive, move |_: &Controls| set))
}

/// Our stdio as an [`AttachIo`]; once attached: raw mode if the process has a terminal and
/// reads our stdin, its size, and the signals `signals` picks forwarded.
fn terminal_io(
    stdin: bool,
    signals: impl FnOnce(&Controls) -> SigSet + Send + 'static,
) -> (AttachIo, Session) {
    let raw = Arc::new(Mutex::new(None));
    let slot = raw.clone();
    let io = AttachIo {
        stdin: stdin.then(|| Box::new(io::stdin()) as Box<dyn Read + Send>),
        stdout: Box::new(io::stdout()),
        stderr: Box::new(io::stderr()),
        on_attached: Some(Box::new(move |controls: Controls| {
            if controls.tty
                && controls.stdin
                && let Ok(mut r) = slot.lock()
            {
                *r = RawMode::enable();
            }
            if controls.tty {
                send_winsize(&controls);
            }
            let set = signals(&controls);
            spawn_signal_forwarder(controls, set);
        })),
    };
    (io, Session { raw })
}

/// SIGINT/SIGTERM/SIGHUP/SIGQUIT if `proxy`, SIGWINCH if `tty`.
fn forwarded_signals(proxy: bool, tty: bool) -> SigSet {
    let mut set = SigSet::empty();
    if proxy {
        set.add(Signal::SIGINT);
        set.add(Signal::SIGTERM);
        set.add(Signal::SIGHUP);
        set.add(Signal::SIGQUIT);
    }
    if tty {
        set.add(Signal::SIGWINCH);
    }
    set
}

/// Blocks the signals `set` in this thread, so that every thread started afterwards inherits
/// the mask (or the kernel hands them to one that does not block them: SIGWINCH is then lost,
/// SIGTERM kills the CLI instead of reaching the process), and forwards them from a thread of
/// their own: SIGWINCH as the terminal's new size, the others as signals.
fn spawn_signal_forwarder(controls: Controls, set: SigSet) {
    if set.iter().next().is_none() || set.thread_block().is_err() {
        return;
    }
    std::thread::spawn(move || {
        while let Ok(sig) = set.wait() {
            if sig == Signal::SIGWINCH {
                send_winsize(&controls);
                continue;
            }
            if controls.signal(sig as i32).is_err() {
                break;
            }
        }
    });
}

/// Sends the size of our terminal (see [`size`]).
fn send_winsize(controls: &Controls) {
    if let Some((rows, cols)) = size() {
        let _ = controls.resize(rows, cols);
    }
}

/// The size of our terminal (rows, columns): stdout's, else stdin's; none if neither is one.
pub fn size() -> Option<(u16, u16)> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a `winsize` into the one given, for a terminal on that fd.
    let mut size_of = |fd| unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) } == 0;
    (size_of(libc::STDOUT_FILENO) || size_of(libc::STDIN_FILENO)).then_some((ws.ws_row, ws.ws_col))
}

/// The local terminal (stdin) in raw mode, restored on drop.
struct RawMode(nix::sys::termios::Termios);

impl RawMode {
    fn enable() -> Option<RawMode> {
        use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
        let stdin = io::stdin();
        let old = tcgetattr(&stdin).ok()?;
        let mut raw = old.clone();
        cfmakeraw(&mut raw);
        tcsetattr(&stdin, SetArg::TCSANOW, &raw).ok()?;
        Some(RawMode(old))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ =
            nix::sys::termios::tcsetattr(io::stdin(), nix::sys::termios::SetArg::TCSANOW, &self.0);
    }
}
