//! The CLI side of the monitor: spawn it, ask it to start the container, attach to it (stream
//! output, forward stdin, signals and terminal size), and talk to it for stop/kill.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::protocol::{self, Kind};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("starting the container monitor: {0}")]
    Spawn(io::Error),
    #[error("the container monitor did not answer: {0}")]
    NoMonitor(io::Error),
    /// The container failed to start; `code` is Docker's exit code for it.
    #[error("{msg}")]
    Start { code: i32, msg: String },
    #[error("talking to the container monitor: {0}")]
    Io(#[from] io::Error),
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
        Some((Kind::Error, p)) => {
            let (kind, msg) = protocol::parse_error(&p);
            Err(ClientError::Start {
                code: kind.exit_code(),
                msg,
            })
        }
        _ => Err(ClientError::Start {
            code: 125,
            msg: "the container monitor ended unexpectedly (see its monitor.log)".into(),
        }),
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

/// What an attached client forwards.
pub struct AttachOptions {
    pub stdin: bool,
    pub tty: bool,
    /// Forward SIGINT/SIGTERM to the container (Docker's --sig-proxy).
    pub sig_proxy: bool,
}

/// Streams the container's output to our stdout/stderr until it exits; forwards stdin, signals
/// and the terminal size. Returns the container's exit code.
pub fn attach(stream: UnixStream, opts: AttachOptions) -> Result<i32, ClientError> {
    let _raw = if opts.tty && opts.stdin {
        RawMode::enable()
    } else {
        None
    };
    if opts.tty {
        send_winsize(&stream);
    }
    // Before any other thread exists: the signals it forwards must be blocked in every thread,
    // or the kernel hands them to one that does not block them (SIGWINCH is then lost, SIGTERM
    // kills the CLI instead of reaching the container).
    spawn_signal_forwarder(stream.try_clone()?, opts.sig_proxy && !opts.tty, opts.tty);
    if opts.stdin {
        let mut w = stream.try_clone()?;
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            let mut input = io::stdin().lock();
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
    let stdout = io::stdout();
    let stderr = io::stderr();
    loop {
        match protocol::read_frame(&mut r)? {
            Some((Kind::Stdout, d)) => {
                let mut o = stdout.lock();
                o.write_all(&d)?;
                o.flush()?;
            }
            Some((Kind::Stderr, d)) => {
                let mut e = stderr.lock();
                e.write_all(&d)?;
                e.flush()?;
            }
            Some((Kind::Exit, p)) => return Ok(protocol::parse_i32(&p)),
            Some((Kind::Error, p)) => {
                let (kind, msg) = protocol::parse_error(&p);
                return Err(ClientError::Start {
                    code: kind.exit_code(),
                    msg,
                });
            }
            Some(_) => {}
            None => {
                return Err(ClientError::Start {
                    code: 125,
                    msg: "the container monitor went away before the container exited".into(),
                });
            }
        }
    }
}

/// Blocks SIGINT/SIGTERM/SIGWINCH in this process and forwards them from a thread.
fn spawn_signal_forwarder(mut s: UnixStream, proxy: bool, tty: bool) {
    use nix::sys::signal::{SigSet, Signal};
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
    if set.iter().next().is_none() {
        return;
    }
    // Block in this thread before spawning, so every thread inherits the mask.
    if set.thread_block().is_err() {
        return;
    }
    std::thread::spawn(move || {
        while let Ok(sig) = set.wait() {
            if sig == Signal::SIGWINCH {
                send_winsize(&s);
                continue;
            }
            let mut p = (sig as i32).to_be_bytes().to_vec();
            p.push(0);
            if protocol::write_frame(&mut s, Kind::Signal, &p).is_err() {
                break;
            }
        }
    });
}

fn send_winsize(s: &UnixStream) {
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills `ws` for a terminal on stdout.
    if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) } != 0 {
        return;
    }
    let mut p = ws.ws_row.to_be_bytes().to_vec();
    p.extend_from_slice(&ws.ws_col.to_be_bytes());
    let mut s = s;
    let _ = protocol::write_frame(&mut s, Kind::Resize, &p);
}

/// The local terminal (stdin) in raw mode, restored on drop.
pub struct RawMode(nix::sys::termios::Termios);

impl RawMode {
    pub fn enable() -> Option<RawMode> {
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
