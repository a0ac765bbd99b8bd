//! Health checks: one probe of a container's health check, run as an exec in the container.
//! The container's monitor (single-threaded, and the runtime clones its caller) never runs a
//! probe itself: it re-executes berth (`berth container-health-probe ID`, see
//! `monitor/health.rs`), which calls [`Engine::container_health_probe`] and writes the result
//! as JSON on its stdout; the monitor applies it to the container's health state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard_stubs::models::HealthcheckResult;
use serde_json::Value;

use super::{Attach, Engine};
use crate::clock::{now_nanos, rfc3339_nanos};
use crate::containers::Settings;
use crate::containers::exec::ExecOptions;
use crate::containers::health::{self, LimitedOutput};
use crate::monitor::client::AttachIo;

/// A writer into the probe's shared, limited output.
struct Sink(Arc<Mutex<LimitedOutput>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut o) = self.0.lock() {
            o.push(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Engine {
    /// Runs the health check probe of the running container `id` once, as Docker does: an exec
    /// of the probe's command as the container's user in its working directory, stdout and
    /// stderr together (the first 4096 bytes kept), killed (SIGKILL) at the check's timeout.
    /// The result is Docker's: the exit code; -1 with Docker's message after a timeout; -1
    /// with the error if the exec could not run. Call it from a single-threaded process.
    pub fn container_health_probe(&self, id: &str) -> HealthcheckResult {
        let start = now_nanos();
        let failed = |msg: String| HealthcheckResult {
            start: Some(rfc3339_nanos(start)),
            end: Some(rfc3339_nanos(now_nanos())),
            exit_code: Some(-1),
            output: Some(msg),
        };
        let (probe, user, workdir) = match self.probe_setup(id) {
            Ok(Some(p)) => p,
            Ok(None) => return failed(format!("container {id} has no health check")),
            Err(e) => return failed(crate::error::one_line(&e)),
        };
        let out = Arc::new(Mutex::new(LimitedOutput::default()));
        let timed_out = Arc::new(AtomicBool::new(false));
        let timeout = probe.timeout;
        let on_attached = {
            let timed_out = timed_out.clone();
            Box::new(move |controls: crate::monitor::client::Controls| {
                // The process runs (the runtime has cloned us): a thread may start now.
                std::thread::spawn(move || {
                    std::thread::sleep(timeout);
                    timed_out.store(true, Ordering::SeqCst);
                    // The probe and whatever it started (`sh -c 'a; b'` forks): every
                    // process below this one, twice in case one forked meanwhile.
                    for _ in 0..2 {
                        for pid in descendants(std::process::id() as i32) {
                            // SAFETY: kill with a pid read from /proc a moment ago.
                            unsafe { libc::kill(pid, libc::SIGKILL) };
                        }
                    }
                    let _ = controls.signal(libc::SIGKILL);
                });
            })
        };
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(Sink(out.clone())),
            stderr: Box::new(Sink(out.clone())),
            on_attached: Some(on_attached),
        };
        let o = ExecOptions {
            args: probe.args.clone(),
            user,
            workdir,
            ..Default::default()
        };
        let r = self.container_exec(id, o, Attach::Streams(io));
        let text = out.lock().map(|o| o.text()).unwrap_or_default();
        match r {
            _ if timed_out.load(Ordering::SeqCst) => {
                let d = health::go_duration(timeout);
                failed(if text.is_empty() {
                    format!("Health check exceeded timeout ({d})")
                } else {
                    format!("Health check exceeded timeout ({d}): {text}")
                })
            }
            Ok(code) => HealthcheckResult {
                start: Some(rfc3339_nanos(start)),
                end: Some(rfc3339_nanos(now_nanos())),
                exit_code: Some(i64::from(code)),
                output: Some(text),
            },
            Err(e) => failed(crate::error::one_line(&e)),
        }
    }

    /// The probe of container `id`, and the user and working directory it runs with (the
    /// container's).
    #[allow(clippy::type_complexity)]
    fn probe_setup(
        &self,
        id: &str,
    ) -> super::Result<Option<(health::Probe, Option<String>, Option<String>)>> {
        let store = self.store()?;
        let c = crate::containers::resolve(&store, id)?;
        let s = Settings::of(&c)?;
        let image_config = crate::images::config(&store, &c.image_id).unwrap_or(Value::Null);
        let Some(probe) = health::probe_of(&s, &image_config) else {
            return Ok(None);
        };
        let from_image = |k: &str| {
            image_config
                .pointer(&format!("/config/{k}"))
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let user = s
            .user
            .clone()
            .filter(|u| !u.is_empty())
            .or(from_image("User"));
        let workdir = s
            .workdir
            .clone()
            .filter(|w| !w.is_empty())
            .or(from_image("WorkingDir"));
        Ok(Some((probe, user, workdir)))
    }
}

/// Every process below `pid` (`/proc/PID/task/*/children`, recursively).
fn descendants(pid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let Ok(text) = std::fs::read_to_string(t.path().join("children")) else {
                continue;
            };
            for c in text
                .split_whitespace()
                .filter_map(|c| c.parse::<i32>().ok())
            {
                if !out.contains(&c) {
                    out.push(c);
                    todo.push(c);
                }
            }
        }
    }
    out
}

/// How long the monitor lets a probe process live past the check's timeout before it kills it
/// (a probe that cannot even be killed in the container).
pub const PROBE_GRACE: Duration = Duration::from_secs(10);
