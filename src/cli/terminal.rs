//! This process's terminal as the streams of an attached container (`run`, `start -a`,
//! `attach`): stdin, stdout and stderr; raw mode while a container with a terminal reads our
//! stdin; the terminal's size, sent again on SIGWINCH; and signals forwarded to the container
//! (Docker's `--sig-proxy`).

use std::io::Read;
use std::sync::{Arc, Mutex};

use crate::monitor::client::{AttachIo, Controls, RawMode};

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
    let raw = Arc::new(Mutex::new(None));
    let slot = raw.clone();
    let io = AttachIo {
        stdin: stdin.then(|| Box::new(std::io::stdin()) as Box<dyn Read + Send>),
        stdout: Box::new(std::io::stdout()),
        stderr: Box::new(std::io::stderr()),
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
            let proxy = sig_proxy && !controls.tty;
            spawn_signal_forwarder(controls, proxy);
        })),
    };
    (io, Session { raw })
}

/// Blocks the forwarded signals in this thread, so that every thread started afterwards
/// inherits the mask (or the kernel hands them to one that does not block them: SIGWINCH is
/// then lost, SIGTERM kills the CLI instead of reaching the container), and forwards them from
/// a thread of their own.
fn spawn_signal_forwarder(controls: Controls, proxy: bool) {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    if proxy {
        set.add(Signal::SIGINT);
        set.add(Signal::SIGTERM);
        set.add(Signal::SIGHUP);
        set.add(Signal::SIGQUIT);
    }
    if controls.tty {
        set.add(Signal::SIGWINCH);
    }
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

/// Sends the size of the terminal on our stdout, if it is one.
fn send_winsize(controls: &Controls) {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes a `winsize` into the one given, for a terminal on stdout.
    if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } != 0 {
        return;
    }
    let _ = controls.resize(ws.ws_row, ws.ws_col);
}
