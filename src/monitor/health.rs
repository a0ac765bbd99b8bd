//! The monitor's health checks: the schedule of a container's probes, each run by a
//! re-executed berth (`berth container-health-probe ID`: the runtime clones its caller, so the
//! monitor, which must stay single-threaded and responsive, never runs the exec itself), whose
//! JSON result comes back on a pipe that the monitor's poll loop reads. Between probes there
//! is no process and no timer but the poll's timeout. The state (`State.Health`) is written to
//! the container's directory after each result (`containers::health`).

use std::fs;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bollard_stubs::models::{Health, HealthStatusEnum, HealthcheckResult};

use crate::clock::{now_nanos, rfc3339_nanos};
use crate::containers::health::{self, Probe};

/// A probe process while it runs.
struct Running {
    pid: i32,
    out: OwnedFd,
    buf: Vec<u8>,
    start: i64,
    /// Killed if still there then (the probe enforces the timeout itself; this is for a
    /// probe process that hangs).
    kill_at: Instant,
    killed: bool,
}

pub struct HealthChecks {
    probe: Probe,
    root: PathBuf,
    runroot: PathBuf,
    id: String,
    dir: PathBuf,
    started: Instant,
    state: Health,
    next: Instant,
    running: Option<Running>,
}

const MAX_RESULT: usize = 256 * 1024;

impl HealthChecks {
    /// At the container's start: the state is `starting` (the earlier log kept), the first
    /// probe one interval away. `None` without a health check.
    pub fn start(
        probe: Option<Probe>,
        root: &Path,
        runroot: &Path,
        id: &str,
        dir: &Path,
    ) -> Option<HealthChecks> {
        let probe = probe?;
        let state = health::restarted(health::read(dir));
        if let Err(e) = health::write(dir, &state) {
            tracing::warn!("writing the health state: {e}");
        }
        let started = Instant::now();
        let mut h = HealthChecks {
            probe,
            root: root.to_path_buf(),
            runroot: runroot.to_path_buf(),
            id: id.to_string(),
            dir: dir.to_path_buf(),
            started,
            state,
            next: started,
            running: None,
        };
        h.next = started + h.interval();
        Some(h)
    }

    /// Docker's interval: the start interval while starting within the start period.
    fn interval(&self) -> Duration {
        if self.started.elapsed() >= self.probe.start_period {
            return self.probe.interval;
        }
        if health::status(&self.state) == HealthStatusEnum::STARTING {
            self.probe.start_interval
        } else {
            self.probe.interval
        }
    }

    /// The probe's output pipe, while a probe runs.
    pub fn fd(&self) -> Option<BorrowedFd<'_>> {
        self.running.as_ref().map(|r| r.out.as_fd())
    }

    /// How long the poll may wait before [`tick`](Self::tick) has something to do.
    pub fn wait(&self, now: Instant) -> Duration {
        match &self.running {
            Some(r) if !r.killed => r.kill_at.saturating_duration_since(now),
            Some(_) => Duration::from_secs(1),
            None => self.next.saturating_duration_since(now),
        }
    }

    /// Starts a probe that is due; kills one that overstayed.
    pub fn tick(&mut self, now: Instant) {
        match &mut self.running {
            Some(r) if !r.killed && now >= r.kill_at => {
                tracing::warn!("health check probe {} hangs: killed", r.pid);
                kill_child(r.pid);
                r.killed = true;
            }
            Some(_) => {}
            None if now >= self.next => {
                if let Err(e) = self.spawn() {
                    tracing::warn!("starting the health check probe: {e}");
                    let r = HealthcheckResult {
                        start: Some(rfc3339_nanos(now_nanos())),
                        end: Some(rfc3339_nanos(now_nanos())),
                        exit_code: Some(-1),
                        output: Some(format!("starting the health check probe: {e}")),
                    };
                    let _ = self.apply(r);
                }
            }
            None => {}
        }
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let exe = std::env::current_exe()?;
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("monitor.log"))
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null());
        let mut child = Command::new(exe)
            .arg("--root")
            .arg(&self.root)
            .arg("--runroot")
            .arg(&self.runroot)
            .arg("container-health-probe")
            .arg(&self.id)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()?;
        let out: OwnedFd = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no pipe"))?
            .into();
        super::set_nonblock(&out);
        // The monitor's SIGCHLD handling reaps it (`reap::reap_exited` takes every child).
        self.running = Some(Running {
            pid: child.id() as i32,
            out,
            buf: Vec::new(),
            start: now_nanos(),
            kill_at: Instant::now() + self.probe.timeout + crate::engine::health::PROBE_GRACE,
            killed: false,
        });
        Ok(())
    }

    /// Reads the probe's output; at its end, applies the result. Returns the new status if
    /// it changed (Docker's `health_status` event).
    pub fn readable(&mut self) -> Option<HealthStatusEnum> {
        let r = self.running.as_mut()?;
        let mut buf = [0u8; 16 * 1024];
        loop {
            match nix::unistd::read(&r.out, &mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if r.buf.len() < MAX_RESULT {
                        r.buf.extend_from_slice(&buf[..n]);
                    }
                }
                Err(nix::errno::Errno::EAGAIN) => return None,
                Err(nix::errno::Errno::EINTR) => {}
                Err(_) => break,
            }
        }
        let r = self.running.take()?;
        let result = match serde_json::from_slice::<HealthcheckResult>(&r.buf) {
            Ok(res) if !r.killed => res,
            _ => HealthcheckResult {
                start: Some(rfc3339_nanos(r.start)),
                end: Some(rfc3339_nanos(now_nanos())),
                exit_code: Some(-1),
                output: Some(if r.killed {
                    format!(
                        "Health check exceeded timeout ({})",
                        health::go_duration(self.probe.timeout)
                    )
                } else {
                    "the health check probe ended unexpectedly".into()
                }),
            },
        };
        let changed = self.apply(result);
        self.next = Instant::now() + self.interval();
        changed
    }

    fn apply(&mut self, result: HealthcheckResult) -> Option<HealthStatusEnum> {
        let since_start = result
            .start
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .and_then(|t| t.timestamp_nanos_opt())
            .map(|t| {
                let started = now_nanos() - self.started.elapsed().as_nanos() as i64;
                Duration::from_nanos((t - started).max(0) as u64)
            })
            .unwrap_or_else(|| self.started.elapsed());
        let changed = health::apply(&mut self.state, result, &self.probe, since_start);
        if let Err(e) = health::write(&self.dir, &self.state) {
            tracing::warn!("writing the health state: {e}");
        }
        self.next = Instant::now() + self.interval();
        changed
    }

    /// The container stopped: a running probe is killed, the state becomes `unhealthy`.
    pub fn stop(mut self) {
        if let Some(r) = self.running.take() {
            kill_child(r.pid);
        }
        let state = health::stopped(self.state);
        if let Err(e) = health::write(&self.dir, &state) {
            tracing::warn!("writing the health state: {e}");
        }
    }
}

/// Kills our child `pid` unless it has already been reaped (its pid could be another's).
fn kill_child(pid: i32) {
    let mut status = 0;
    // SAFETY: waitpid on our own child, the status written into a local.
    let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    if r == 0 {
        // Still running (not a zombie, not reaped): ours to kill.
        // SAFETY: kill with the pid of our own running child.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
}
