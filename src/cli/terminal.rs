//! This process's terminal as the streams of an attached container (`run`, `start -a`,
//! `attach`) or exec (`exec` without `-d`): stdin, stdout and stderr; raw mode while a process
//! with a terminal reads our stdin; the terminal's size, sent again on SIGWINCH; and signals
//! forwarded to the process (Docker's `--sig-proxy`; always with `exec`).

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{SigSet, Signal};

use crate::engine::Error;
use crate::monitor::client::{AttachIo, Controls, DEFAULT_DETACH_KEYS, parse_detach_keys};

/// Restores the terminal (leaves raw mode) when dropped.
pub struct Session {
    raw: Arc<Mutex<Option<RawMode>>>,
    detached: Arc<AtomicBool>,
}

impl Session {
    /// Whether the user typed the detach keys (the attachment then ended, the container runs
    /// on).
    pub fn detached(&self) -> bool {
        self.detached.load(Ordering::SeqCst)
    }
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
    attach_io_with_keys(stdin, sig_proxy, DEFAULT_DETACH_KEYS.to_vec())
}

/// [`attach_io`] with these detach keys: typed on our stdin while attached to a container
/// with a terminal, they end the attachment (the container runs on), as Docker's do.
pub fn attach_io_with_keys(
    stdin: bool,
    sig_proxy: bool,
    detach_keys: Vec<u8>,
) -> (AttachIo, Session) {
    terminal_io(stdin, Some(detach_keys), move |c: &Controls| {
        forwarded_signals(sig_proxy && !c.tty, c.tty)
    })
}

/// `--detach-keys` as Docker reads it (empty: ctrl-p,ctrl-q).
pub fn detach_keys(s: Option<&str>) -> Result<Vec<u8>, Error> {
    let s = s.unwrap_or("");
    parse_detach_keys(s)
        .ok_or_else(|| Error::invalid(format!("Invalid detach keys ({s}) provided")))
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
    Ok(terminal_io(interactive, None, move |_: &Controls| set))
}

/// Our stdio as an [`AttachIo`]; once attached: raw mode if the process has a terminal and
/// reads our stdin, its size, and the signals `signals` picks forwarded.
fn terminal_io(
    stdin: bool,
    detach_keys: Option<Vec<u8>>,
    signals: impl FnOnce(&Controls) -> SigSet + Send + 'static,
) -> (AttachIo, Session) {
    let raw = Arc::new(Mutex::new(None));
    let slot = raw.clone();
    let detached = Arc::new(AtomicBool::new(false));
    let attached: Arc<Mutex<Option<Controls>>> = Arc::new(Mutex::new(None));
    let input = match detach_keys.filter(|k| !k.is_empty()) {
        Some(keys) => Box::new(DetachKeysReader {
            inner: io::stdin(),
            keys,
            matched: 0,
            out: VecDeque::new(),
            controls: attached.clone(),
            detached: detached.clone(),
        }) as Box<dyn Read + Send>,
        None => Box::new(io::stdin()) as Box<dyn Read + Send>,
    };
    let io = AttachIo {
        stdin: stdin.then_some(input),
        stdout: Box::new(io::stdout()),
        stderr: Box::new(io::stderr()),
        on_attached: Some(Box::new(move |controls: Controls| {
            if let Ok(mut a) = attached.lock() {
                *a = Some(controls.clone());
            }
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
    (io, Session { raw, detached })
}

/// Our stdin, watched for the detach keys while attached to a container with a terminal
/// (Docker's): a partial sequence followed by another byte is passed on as typed; the whole
/// sequence detaches (and is not passed on), and this reader then blocks for good.
struct DetachKeysReader {
    inner: io::Stdin,
    keys: Vec<u8>,
    matched: usize,
    out: VecDeque<u8>,
    controls: Arc<Mutex<Option<Controls>>>,
    detached: Arc<AtomicBool>,
}

impl DetachKeysReader {
    fn detach(&self) -> ! {
        self.detached.store(true, Ordering::SeqCst);
        if let Some(c) = self.controls.lock().ok().and_then(|c| c.clone()) {
            let _ = c.detach();
        }
        loop {
            std::thread::park();
        }
    }
}

impl Read for DetachKeysReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.out.is_empty() {
                let n = buf.len().min(self.out.len());
                for (d, b) in buf.iter_mut().zip(self.out.drain(..n)) {
                    *d = b;
                }
                return Ok(n);
            }
            let mut tmp = [0u8; 4096];
            let n = self.inner.read(&mut tmp)?;
            if n == 0 {
                // A partial sequence at the end is input after all.
                self.out.extend(&self.keys[..self.matched]);
                self.matched = 0;
                if self.out.is_empty() {
                    return Ok(0);
                }
                continue;
            }
            let tty = self
                .controls
                .lock()
                .ok()
                .and_then(|c| c.as_ref().map(|c| c.tty))
                .unwrap_or(false);
            if !tty {
                self.out.extend(&tmp[..n]);
                continue;
            }
            for &b in &tmp[..n] {
                if b != self.keys[self.matched] {
                    self.out.extend(&self.keys[..self.matched]);
                    self.matched = 0;
                    if b != self.keys[0] {
                        self.out.push_back(b);
                        continue;
                    }
                }
                self.matched += 1;
                if self.matched == self.keys.len() {
                    self.detach();
                }
            }
        }
    }
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
