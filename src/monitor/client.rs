//! The client side of the monitor: spawn it, ask it to start the container, attach to it (stream
//! output, forward stdin, signals and terminal size), and talk to it for stop/kill. Also the
//! streams and controls of an attached client ([`AttachIo`], [`Controls`]), which an attached
//! `exec` takes too.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::protocol::{self, Kind};
use crate::error::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("starting the container monitor: {0}")]
    Spawn(#[source] io::Error),
    #[error("the container monitor did not answer: {0}")]
    NoMonitor(#[source] io::Error),
    /// The container failed to start (or to restart); `kind` carries Docker's exit code for it.
    #[error("{msg}")]
    Start { kind: ErrorKind, msg: String },
    /// The monitor ended without a word (before the container started, or before it
    /// reported the container's exit).
    #[error("{0}")]
    Gone(&'static str),
    #[error("talking to the container monitor: {0}")]
    Io(#[from] io::Error),
}

impl ClientError {
    fn from_wire(payload: &[u8]) -> ClientError {
        let (kind, msg) = protocol::parse_error(payload);
        ClientError::Start { kind, msg }
    }
}

/// Spawns `berth container-monitor ID` in its own session, detached from our terminal.
pub fn spawn_monitor(root: &Path, runroot: &Path, id: &str) -> Result<Child, ClientError> {
    let exe = std::env::current_exe().map_err(ClientError::Spawn)?;
    let mut cmd = Command::new(exe);
    cmd.arg("--root")
        .arg(root)
        .arg("--runroot")
        .arg(runroot)
        .arg("container-monitor")
        .arg(id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            nix::unistd::setsid().map_err(io::Error::from)?;
            Ok(())
        });
    }
    cmd.spawn().map_err(ClientError::Spawn)
}

/// Connects to the monitor's socket, waiting for it to appear.
pub fn connect(socket: &Path, timeout: Duration) -> Result<UnixStream, ClientError> {
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_micros(200);
    loop {
        match UnixStream::connect(socket) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline => return Err(ClientError::NoMonitor(e)),
            Err(_) => {
                std::thread::sleep(delay);
                // The monitor binds its socket a few milliseconds after it is spawned: poll
                // often (a failed connect costs microseconds), not up to 20 ms late.
                delay = (delay * 2).min(Duration::from_millis(1));
            }
        }
    }
}

/// Asks the monitor to start the container; returns the connection and the container's pid.
pub fn start(socket: &Path, want: u8) -> Result<(UnixStream, u32), ClientError> {
    let mut s = connect(socket, Duration::from_secs(30))?;
    protocol::write_frame(&mut s, Kind::Start, &[want])?;
    match protocol::read_frame(&mut s)? {
        Some((Kind::Started, p)) if p.len() >= 4 => {
            Ok((s, u32::from_be_bytes([p[0], p[1], p[2], p[3]])))
        }
        Some((Kind::Error, p)) => Err(ClientError::from_wire(&p)),
        _ => Err(ClientError::Gone(
            "the container monitor ended unexpectedly (see its monitor.log)",
        )),
    }
}

/// Sends a signal to the container through its monitor; `flags`: [`protocol::SIGNAL_BY_USER`]
/// (a stop/kill by the user, which disables the restart policy), [`protocol::SIGNAL_RESTARTING`].
pub fn signal(socket: &Path, sig: i32, flags: u8) -> Result<(), ClientError> {
    let mut s = connect(socket, Duration::from_secs(2))?;
    let mut p = sig.to_be_bytes().to_vec();
    p.push(flags);
    protocol::write_frame(&mut s, Kind::Signal, &p)?;
    Ok(())
}

/// The streams of an attached client: whatever the front end has (a terminal, a socket). The
/// same for an attached container (`attach`, `run`, `start -a`: through its monitor) and an
/// attached `exec` (through the exec relay, `containers::exec`).
pub struct AttachIo {
    /// Input for the process's stdin; `None`: stdin is not attached.
    pub stdin: Option<Box<dyn Read + Send>>,
    pub stdout: Box<dyn Write + Send>,
    pub stderr: Box<dyn Write + Send>,
    /// Called once, when attached and before any output, with the controls of this attachment
    /// (the CLI forwards its terminal's size and its signals through them, and puts its
    /// terminal in raw mode).
    pub on_attached: Option<Box<dyn FnOnce(Controls) + Send>>,
}

/// What an attached client can do besides streaming: resize the process's terminal and send
/// it signals. Each call is one frame of the monitor protocol (`Resize`, `Signal`) on a
/// socket whose other end is read by the container's monitor (attach) or by the exec relay
/// (one end of a socket pair). Cheap to clone; a call fails once that reader is gone.
#[derive(Clone)]
pub struct Controls {
    stream: std::sync::Arc<UnixStream>,
    /// The process has a terminal.
    pub tty: bool,
    /// Stdin is attached.
    pub stdin: bool,
    /// The attached process's pid on the host, when the caller runs it itself (an exec: the
    /// relay's child); `None` for a container attached through its monitor.
    pub pid: Option<u32>,
}

impl Controls {
    /// Controls that write their frames to `stream`.
    pub(crate) fn new(stream: UnixStream, tty: bool, stdin: bool) -> Controls {
        Controls {
            stream: std::sync::Arc::new(stream),
            tty,
            stdin,
            pid: None,
        }
    }

    /// These controls, for the process `pid` (the exec relay's child).
    pub(crate) fn of_process(mut self, pid: i32) -> Controls {
        self.pid = u32::try_from(pid).ok();
        self
    }

    pub fn resize(&self, rows: u16, cols: u16) -> io::Result<()> {
        let mut p = rows.to_be_bytes().to_vec();
        p.extend_from_slice(&cols.to_be_bytes());
        protocol::write_frame(&mut &*self.stream, Kind::Resize, &p)
    }

    pub fn signal(&self, sig: i32) -> io::Result<()> {
        let mut p = sig.to_be_bytes().to_vec();
        p.push(0);
        protocol::write_frame(&mut &*self.stream, Kind::Signal, &p)
    }

    /// Ends the attachment from the client's side (its client went away, or detached): the
    /// connection is shut down, so the attach returns (with [`ClientError::Gone`]) and sends
    /// nothing more, while the process runs on.
    pub fn detach(&self) -> io::Result<()> {
        self.stream.shutdown(std::net::Shutdown::Both)
    }
}

/// Docker's default detach keys: ctrl-p, ctrl-q.
pub const DEFAULT_DETACH_KEYS: [u8; 2] = [16, 17];

/// Docker's detach keys (`--detach-keys`, `detachKeys`): comma-separated `ctrl-X` (X one of
/// a-z @ [ \ ] ^ _) or single characters; empty: the default. `None` if invalid.
pub fn parse_detach_keys(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() {
        return Some(DEFAULT_DETACH_KEYS.to_vec());
    }
    let mut keys = Vec::new();
    for part in s.split(',') {
        if let Some(c) = part.strip_prefix("ctrl-") {
            let b = match c.as_bytes() {
                [b @ b'a'..=b'z'] => b - b'a' + 1,
                [b'@'] => 0,
                [b @ (b'[' | b'\\' | b']' | b'^' | b'_')] => b - b'[' + 27,
                _ => return None,
            };
            keys.push(b);
        } else if part.len() == 1 {
            keys.push(part.as_bytes()[0]);
        } else {
            return None;
        }
    }
    Some(keys)
}

/// Streams the container's output to `io` until it exits, forwards `io.stdin`; returns the
/// container's exit code. `tty`: the container has a terminal.
pub fn attach(stream: UnixStream, tty: bool, io: AttachIo) -> Result<i32, ClientError> {
    let AttachIo {
        stdin,
        mut stdout,
        mut stderr,
        on_attached,
    } = io;
    if let Some(f) = on_attached {
        f(Controls::new(stream.try_clone()?, tty, stdin.is_some()));
    }
    if let Some(mut input) = stdin {
        let mut w = stream.try_clone()?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                match input.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        let _ = protocol::write_frame(&mut w, Kind::Stdin, &[]);
                        break;
                    }
                    Ok(n) => {
                        if protocol::write_frame(&mut w, Kind::Stdin, &buf[..n]).is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
    let mut r = io::BufReader::new(stream);
    loop {
        match protocol::read_frame(&mut r)? {
            Some((Kind::Stdout, d)) => {
                stdout.write_all(&d)?;
                stdout.flush()?;
            }
            Some((Kind::Stderr, d)) => {
                stderr.write_all(&d)?;
                stderr.flush()?;
            }
            Some((Kind::Exit, p)) => return Ok(protocol::parse_i32(&p)),
            Some((Kind::Error, p)) => return Err(ClientError::from_wire(&p)),
            Some(_) => {}
            None => {
                return Err(ClientError::Gone(
                    "the container monitor went away before the container exited",
                ));
            }
        }
    }
}
