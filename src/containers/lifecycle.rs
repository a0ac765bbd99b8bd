//! Starting, stopping, killing, waiting for and removing containers. The monitor does the work
//! inside; these functions are what the CLI calls.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{ContainerError, Paths, Result, Settings, pid_alive, reconcile};
use crate::monitor::client::{self, AttachIo};
use crate::monitor::protocol::{self, WANT_STDERR, WANT_STDIN, WANT_STDOUT};
use crate::state::containers::{self as rows, ContainerRow};
use crate::store::Store;

/// How `start` connects the caller to the container.
pub enum StartMode {
    /// Start and return (`run -d`, `start`).
    Detached,
    /// Start attached: stream output to these streams until the container exits; returns
    /// its exit code. Stdin is forwarded if `io.stdin` is given.
    Attached(AttachIo),
}

/// A container's monitor spawned ahead of its start (`run`: before the container is created,
/// so that the monitor's start-up overlaps the `create`; it waits for `Start`).
pub struct SpawnedMonitor(std::process::Child);

impl SpawnedMonitor {
    /// Spawns the monitor of container `id` of the store at `root` and `runroot` (absolute
    /// paths: the monitor works from `/`).
    pub fn spawn(root: &Path, runroot: &Path, id: &str) -> Result<SpawnedMonitor> {
        Ok(SpawnedMonitor(client::spawn_monitor(root, runroot, id)?))
    }

    /// For a container that was not created after all: stops the monitor and removes the
    /// directories it made.
    pub fn abandon(mut self, root: &Path, runroot: &Path, id: &str) {
        self.stop(root, runroot, id);
    }

    /// Replaces the monitor with a fresh one (its wait for the start begins again).
    pub fn respawn(&mut self, root: &Path, runroot: &Path, id: &str) -> Result<()> {
        self.stop(root, runroot, id);
        self.0 = client::spawn_monitor(root, runroot, id)?;
        Ok(())
    }

    /// Stops the monitor of a container that exists (its directories stay).
    fn dismiss(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    fn stop(&mut self, root: &Path, runroot: &Path, id: &str) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        let paths = Paths::at(root, runroot, id);
        let _ = crate::tmp::remove_any(&paths.run);
        let _ = crate::tmp::remove_any(&paths.dir);
    }
}

/// Starts a created or stopped container. Returns the exit code when attached. A start that
/// fails is a [`ContainerError::Monitor`] carrying Docker's exit code (125/126/127).
pub fn start(store: &mut Store, c: &ContainerRow, mode: StartMode) -> Result<Option<i32>> {
    start_with(store, c, mode, None)
}

/// [`start`] with a monitor spawned beforehand for this container (else one is spawned).
pub fn start_with(
    store: &mut Store,
    c: &ContainerRow,
    mode: StartMode,
    monitor: Option<SpawnedMonitor>,
) -> Result<Option<i32>> {
    let ready = reconcile(store, c.clone()).and_then(|c| {
        if c.status.is_active() {
            return Err(ContainerError::AlreadyRunning(c.name.clone()));
        }
        let tty = Settings::of(&c)?.tty;
        Ok((c, tty))
    });
    let (c, tty) = match ready {
        Ok(x) => x,
        Err(e) => {
            if let Some(m) = monitor {
                m.dismiss();
            }
            return Err(e);
        }
    };
    let paths = Paths::new(store, &c.id);
    let mut child = match monitor {
        Some(m) => m.0,
        None => client::spawn_monitor(&store.root, &store.runroot, &c.id)?,
    };
    tracing::debug!("monitor spawned");
    let want = match &mode {
        StartMode::Detached => 0,
        StartMode::Attached(io) => {
            super::events::record(&store.root, &c, "attach");
            WANT_STDOUT | WANT_STDERR | if io.stdin.is_some() { WANT_STDIN } else { 0 }
        }
    };
    let (stream, _pid) = match client::start(&paths.socket(), want) {
        Ok(x) => x,
        Err(e @ client::ClientError::Start { .. }) => {
            let _ = child.wait();
            return Err(e.into());
        }
        Err(e) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e.into());
        }
    };
    match mode {
        StartMode::Detached => {
            // The monitor lives on without us: reaped whenever it exits (in a process that
            // outlives it).
            crate::reap::adopt(child);
            Ok(None)
        }
        StartMode::Attached(io) => {
            tracing::debug!("started, attached");
            match client::attach(stream, tty, io) {
                Ok(code) => {
                    tracing::debug!("exit code received");
                    // The monitor exits right after it reported the exit code: reap it.
                    let _ = child.wait();
                    Ok(Some(code))
                }
                Err(e) => {
                    // Detached (`Controls::detach`) or cut off: the container may run on, so
                    // its monitor is reaped whenever it exits rather than waited for here.
                    crate::reap::adopt(child);
                    Err(e.into())
                }
            }
        }
    }
}

/// The signal `stop` sends: --stop-signal, else the image's StopSignal, else SIGTERM.
fn stop_signal(store: &Store, c: &ContainerRow) -> Result<i32> {
    let s = Settings::of(c)?;
    let from_image = crate::images::config(store, &c.image_id)
        .ok()
        .and_then(|v| {
            v.pointer("/config/StopSignal")
                .and_then(|s| s.as_str())
                .map(str::to_string)
        });
    Ok(s.stop_signal
        .or(from_image)
        .and_then(|n| crate::spec::parse_signal(&n).ok())
        .unwrap_or(libc::SIGTERM))
}

/// Waits until the container is no longer active (its monitor gone or the row says so).
fn wait_inactive(store: &mut Store, id: &str, timeout: Duration) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        let Some(c) = rows::get(&store.db.conn, id)? else {
            return Ok(true);
        };
        let c = reconcile(store, c)?;
        if !c.status.is_active() {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `berth stop`: the stop signal (`signal`, else the container's), then SIGKILL after
/// `timeout` seconds.
pub fn stop(
    store: &mut Store,
    c: &ContainerRow,
    timeout: Option<i64>,
    signal: Option<i32>,
) -> Result<()> {
    stop_with(store, c, timeout, signal, protocol::SIGNAL_BY_USER)
}

/// `berth restart`: [`stop`] (a `--rm` container is kept, as Docker does), then a detached
/// start.
pub fn restart(
    store: &mut Store,
    c: &ContainerRow,
    timeout: Option<i64>,
    signal: Option<i32>,
) -> Result<()> {
    stop_with(
        store,
        c,
        timeout,
        signal,
        protocol::SIGNAL_BY_USER | protocol::SIGNAL_RESTARTING,
    )?;
    let c = super::resolve(store, &c.id)?;
    start(store, &c, StartMode::Detached)?;
    super::events::record(&store.root, &c, "restart");
    Ok(())
}

fn stop_with(
    store: &mut Store,
    c: &ContainerRow,
    timeout: Option<i64>,
    signal: Option<i32>,
    flags: u8,
) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    if !c.status.is_active() {
        return Ok(());
    }
    let paths = Paths::new(store, &c.id);
    let t = timeout
        .or(Settings::of(&c)?.stop_timeout)
        .unwrap_or(10)
        .max(0) as u64;
    let sig = match signal {
        Some(s) => s,
        None => stop_signal(store, &c)?,
    };
    client::signal(&paths.socket(), sig, flags)?;
    super::events::record_with(&store.root, &c, "kill", &[("signal", sig.to_string())]);
    if !wait_inactive(store, &c.id, Duration::from_secs(t))? {
        client::signal(&paths.socket(), libc::SIGKILL, flags)?;
        super::events::record_with(&store.root, &c, "kill", &[("signal", "9".into())]);
        if !wait_inactive(store, &c.id, Duration::from_secs(30))? {
            return Err(ContainerError::Runtime(format!(
                "container {} did not stop after SIGKILL",
                c.name
            )));
        }
    }
    super::events::record(&store.root, &c, "stop");
    Ok(())
}

/// `berth kill -s SIGNAL`.
pub fn kill(store: &mut Store, c: &ContainerRow, sig: i32) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    if !c.status.is_active() {
        return Err(ContainerError::Invalid(format!(
            "cannot kill container: {}: container {} is not running",
            c.name, c.id
        )));
    }
    let paths = Paths::new(store, &c.id);
    client::signal(&paths.socket(), sig, protocol::SIGNAL_BY_USER)?;
    super::events::record_with(&store.root, &c, "kill", &[("signal", sig.to_string())]);
    Ok(())
}

/// `berth wait`: blocks until the container stops; returns its exit code.
pub fn wait(store: &mut Store, c: &ContainerRow) -> Result<i64> {
    wait_for(store, c, WaitCondition::NotRunning, &|| false)
}

/// What a `wait` waits for (Docker's `condition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WaitCondition {
    /// The container is not running (one never started: once it has run and stopped).
    #[default]
    NotRunning,
    /// The container's next exit from now.
    NextExit,
    /// The container's removal.
    Removed,
}

/// Blocks until `condition` holds (or `cancelled()`: `Ok(-1)`); the container's exit code
/// (that of a removed container is kept for a while after its removal).
pub fn wait_for(
    store: &mut Store,
    c: &ContainerRow,
    condition: WaitCondition,
    cancelled: &dyn Fn() -> bool,
) -> Result<i64> {
    let finished_before = c.finished_at;
    loop {
        let Some(now) = rows::get(&store.db.conn, &c.id)? else {
            return Ok(rows::removed_exit(&store.db.conn, &c.id)?.unwrap_or(0));
        };
        let now = reconcile(store, now)?;
        // A created container whose start failed (it has an error) is not running either.
        let stopped = !now.status.is_active()
            && (now.status != rows::Status::Created || !now.error.is_empty());
        let done = match condition {
            WaitCondition::NotRunning => stopped,
            WaitCondition::NextExit => stopped && now.finished_at != finished_before,
            WaitCondition::Removed => false,
        };
        if done {
            return Ok(now.exit_code);
        }
        if cancelled() {
            return Ok(-1);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `berth rm [-f]`.
pub fn remove(store: &mut Store, c: &ContainerRow, force: bool) -> Result<()> {
    remove_with_volumes(store, c, force, false)
}

/// `berth rm [-f] [-v]`: with `volumes`, the container's anonymous volumes go too.
pub fn remove_with_volumes(
    store: &mut Store,
    c: &ContainerRow,
    force: bool,
    volumes: bool,
) -> Result<()> {
    let c = reconcile(store, c.clone())?;
    if c.status.is_active() {
        if !force {
            return Err(ContainerError::Running(c.name.clone()));
        }
        let paths = Paths::new(store, &c.id);
        super::events::record_with(&store.root, &c, "kill", &[("signal", "9".into())]);
        if client::signal(&paths.socket(), libc::SIGKILL, protocol::SIGNAL_BY_USER).is_err()
            && pid_alive(c.pid)
        {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(c.pid as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        // The monitor records the exit and cleans up; wait for it to be gone.
        let deadline = Instant::now() + Duration::from_secs(30);
        while super::monitor_alive(c.monitor_pid, &c.id) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    match rows::get(&store.db.conn, &c.id)? {
        Some(now) => super::remove_stopped_volumes(store, &now, volumes),
        None => Ok(()),
    }
}
