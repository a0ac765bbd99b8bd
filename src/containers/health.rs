//! Health checks as Docker has them: the configuration (`--health-*` flags, the API's
//! `Healthcheck`, the image's `HEALTHCHECK`, merged field by field as Docker merges them), the
//! rules a probe's result follows (`starting` → `healthy`/`unhealthy`, the failing streak, the
//! start period, the last five results), and the state file the container's monitor keeps
//! (`ROOT/containers/<id>/health.json`: Docker's `State.Health`, written to a temp file, synced
//! and renamed). The probes themselves are run by the monitor (`monitor/health.rs`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard_stubs::models::{Health, HealthConfig, HealthStatusEnum, HealthcheckResult};
use serde_json::Value;

use super::{ContainerError, Result};

/// Docker's defaults (moby `daemon/health.go`).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_START_INTERVAL: Duration = Duration::from_secs(5);
pub const DEFAULT_RETRIES: i64 = 3;
/// How many results `State.Health.Log` keeps.
pub const MAX_LOG_ENTRIES: usize = 5;
/// How much of a probe's output is kept (then `...`).
pub const MAX_OUTPUT: usize = 4096;
/// Docker's smallest non-zero duration of a health check setting.
const MIN_DURATION_NS: i64 = 1_000_000;

/// The file of a container's health state, in its directory.
pub fn state_file(dir: &Path) -> PathBuf {
    dir.join("health.json")
}

/// The image's `HEALTHCHECK` (its config's `config.Healthcheck`).
pub fn of_image(image_config: &Value) -> Option<HealthConfig> {
    image_config
        .pointer("/config/Healthcheck")
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The container's health check as Docker stores it: the user's (flags or API), its unset
/// (zero) fields taken from the image's; the image's alone if the user gave none. Zero fields
/// are left out, as Docker's JSON omits them.
pub fn merged(user: Option<&HealthConfig>, image: Option<&HealthConfig>) -> Option<HealthConfig> {
    let mut m = match (user, image) {
        (None, None) => return None,
        (None, Some(i)) => i.clone(),
        (Some(u), i) => {
            let mut m = u.clone();
            if let Some(i) = i {
                if m.test.as_ref().is_none_or(|t| t.is_empty()) {
                    m.test = i.test.clone();
                }
                let pick = |a: Option<i64>, b: Option<i64>| match a {
                    Some(x) if x != 0 => Some(x),
                    _ => b,
                };
                m.interval = pick(m.interval, i.interval);
                m.timeout = pick(m.timeout, i.timeout);
                m.start_period = pick(m.start_period, i.start_period);
                m.start_interval = pick(m.start_interval, i.start_interval);
                m.retries = pick(m.retries, i.retries);
            }
            m
        }
    };
    let nz = |v: Option<i64>| v.filter(|x| *x != 0);
    m.interval = nz(m.interval);
    m.timeout = nz(m.timeout);
    m.start_period = nz(m.start_period);
    m.start_interval = nz(m.start_interval);
    m.retries = nz(m.retries);
    if m.test.as_ref().is_some_and(|t| t.is_empty()) {
        m.test = None;
    }
    Some(m)
}

/// The container's merged health check (its settings' over its image's).
pub fn of_container(settings: &super::Settings, image_config: &Value) -> Option<HealthConfig> {
    merged(
        settings.healthcheck.as_ref(),
        of_image(image_config).as_ref(),
    )
}

/// The probe the container runs, if any.
pub fn probe_of(settings: &super::Settings, image_config: &Value) -> Option<Probe> {
    probe(
        of_container(settings, image_config).as_ref(),
        &image_shell(image_config),
    )
}

/// Docker's checks of a health check given at create (flags or API), with its messages.
pub fn validate(h: &HealthConfig) -> Result<()> {
    let bad = |m: String| Err(ContainerError::Invalid(m));
    for (name, v) in [
        ("Interval", h.interval),
        ("Timeout", h.timeout),
        ("StartPeriod", h.start_period),
        ("StartInterval", h.start_interval),
    ] {
        let v = v.unwrap_or(0);
        if v < 0 {
            return bad(format!("{name} in Healthcheck cannot be negative"));
        }
        if v != 0 && v < MIN_DURATION_NS {
            return bad(format!("{name} in Healthcheck cannot be less than 1ms"));
        }
    }
    if h.retries.unwrap_or(0) < 0 {
        return bad("Retries in Healthcheck cannot be negative".into());
    }
    if let Some(t) = h.test.as_ref().filter(|t| !t.is_empty()) {
        match t[0].as_str() {
            "NONE" => {}
            "CMD" | "CMD-SHELL" if t.len() >= 2 && !t[1].is_empty() => {}
            "CMD" | "CMD-SHELL" => {
                return bad(format!("Healthcheck {} needs a command", t[0]));
            }
            other => {
                return bad(format!(
                    "unknown Healthcheck test type {other:?} (expected NONE, CMD or CMD-SHELL)"
                ));
            }
        }
    }
    Ok(())
}

/// A health check that runs: its probe and schedule, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The command: `CMD`'s arguments, or the shell and `CMD-SHELL`'s command line.
    pub args: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub start_period: Duration,
    pub start_interval: Duration,
    pub retries: i64,
}

fn dur(ns: Option<i64>, default: Duration) -> Duration {
    match ns {
        Some(n) if n > 0 => Duration::from_nanos(n as u64),
        _ => default,
    }
}

/// The probe of a merged health check; `None` without one, or with `NONE`. `shell` is the
/// image's `SHELL` (Docker's default `/bin/sh -c` if empty).
pub fn probe(h: Option<&HealthConfig>, shell: &[String]) -> Option<Probe> {
    let h = h?;
    let test = h.test.as_ref()?;
    let args = match test.first()?.as_str() {
        "CMD" => test[1..].to_vec(),
        "CMD-SHELL" => {
            let mut a: Vec<String> = if shell.is_empty() {
                vec!["/bin/sh".into(), "-c".into()]
            } else {
                shell.to_vec()
            };
            a.push(test[1..].join(" "));
            a
        }
        _ => return None,
    };
    if args.first().is_none_or(|a| a.is_empty()) {
        return None;
    }
    Some(Probe {
        args,
        interval: dur(h.interval, DEFAULT_INTERVAL),
        timeout: dur(h.timeout, DEFAULT_TIMEOUT),
        start_period: dur(h.start_period, Duration::ZERO),
        start_interval: dur(h.start_interval, DEFAULT_START_INTERVAL),
        retries: h.retries.filter(|r| *r > 0).unwrap_or(DEFAULT_RETRIES),
    })
}

/// The image's `SHELL` (config `config.Shell`).
pub fn image_shell(image_config: &Value) -> Vec<String> {
    image_config
        .pointer("/config/Shell")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A probe's output as Docker keeps it: the first [`MAX_OUTPUT`] bytes, then `...` if there
/// was more.
#[derive(Debug, Default, Clone)]
pub struct LimitedOutput {
    buf: Vec<u8>,
    truncated: bool,
}

impl LimitedOutput {
    pub fn push(&mut self, data: &[u8]) {
        let keep = MAX_OUTPUT.saturating_sub(self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..keep]);
        if keep < data.len() {
            self.truncated = true;
        }
    }

    pub fn text(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.buf).into_owned();
        if self.truncated {
            s.push_str("...");
        }
        s
    }
}

/// Go's `time.Duration.String()` (`30s`, `1m30s`, `500ms`, `1.5s`), as Docker's timeout
/// message prints it.
pub fn go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".into();
    }
    let frac = |v: u128, unit: u128| -> String {
        let whole = v / unit;
        let rest = v % unit;
        if rest == 0 {
            whole.to_string()
        } else {
            let digits = unit.ilog10() as usize;
            let f = format!("{rest:0digits$}");
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    };
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return format!("{}µs", frac(ns, 1_000));
    }
    if ns < 1_000_000_000 {
        return format!("{}ms", frac(ns, 1_000_000));
    }
    let secs_total = ns / 1_000_000_000;
    let sub = ns % 1_000_000_000;
    let h = secs_total / 3600;
    let m = (secs_total % 3600) / 60;
    let s = secs_total % 60;
    let sec = frac(s * 1_000_000_000 + sub, 1_000_000_000);
    match (h, m) {
        (0, 0) => format!("{sec}s"),
        (0, m) => format!("{m}m{sec}s"),
        (h, m) => format!("{h}h{m}m{sec}s"),
    }
}

/// The status of a health state.
pub fn status(h: &Health) -> HealthStatusEnum {
    h.status.unwrap_or(HealthStatusEnum::STARTING)
}

/// Docker's rules for one probe's result (`handleProbeResult`): logged (the last five kept);
/// exit 0 makes the container healthy and clears the streak; any other result counts against
/// it unless the container is still starting within its start period; `retries` failures in
/// a row make it unhealthy. `since_start` is the time from the container's start to the
/// probe's. Returns the new status if it changed.
pub fn apply(
    h: &mut Health,
    result: HealthcheckResult,
    probe: &Probe,
    since_start: Duration,
) -> Option<HealthStatusEnum> {
    let old = status(h);
    let ok = result.exit_code == Some(0);
    let log = h.log.get_or_insert_with(Vec::new);
    log.push(result);
    if log.len() > MAX_LOG_ENTRIES {
        let extra = log.len() - MAX_LOG_ENTRIES;
        log.drain(..extra);
    }
    if ok {
        h.failing_streak = Some(0);
        h.status = Some(HealthStatusEnum::HEALTHY);
    } else {
        let in_start_period = old == HealthStatusEnum::STARTING && since_start < probe.start_period;
        if !in_start_period {
            let streak = h.failing_streak.unwrap_or(0) + 1;
            h.failing_streak = Some(streak);
            if streak >= probe.retries {
                h.status = Some(HealthStatusEnum::UNHEALTHY);
            }
        }
    }
    let new = status(h);
    (new != old).then_some(new)
}

/// The state a start begins with: `starting`, no failures, the earlier log kept (Docker's
/// `initHealthMonitor`).
pub fn restarted(old: Option<Health>) -> Health {
    let mut h = old.unwrap_or_default();
    h.status = Some(HealthStatusEnum::STARTING);
    h.failing_streak = Some(0);
    h.log.get_or_insert_with(Vec::new);
    h
}

/// The state once the container stopped: `unhealthy` (Docker's, "for compatibility").
pub fn stopped(mut h: Health) -> Health {
    h.status = Some(HealthStatusEnum::UNHEALTHY);
    h
}

/// Reads the health state in `dir` (the container's directory); `None` if there is none.
pub fn read(dir: &Path) -> Option<Health> {
    let data = fs::read(state_file(dir)).ok()?;
    serde_json::from_slice(&data).ok()
}

/// Writes the health state into `dir`: temp file, synced, renamed.
pub fn write(dir: &Path, h: &Health) -> std::io::Result<()> {
    let file = state_file(dir);
    let tmp = dir.join(format!(".health.json.{}.tmp", std::process::id()));
    let data = serde_json::to_vec(h).map_err(std::io::Error::other)?;
    let r = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&data)?;
        f.sync_all()?;
        fs::rename(&tmp, &file)
    })();
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// What `ps --filter health=` compares: `none` without a health state.
pub fn filter_status(dir: &Path) -> String {
    read(dir)
        .map(|h| status(&h).to_string())
        .unwrap_or_else(|| "none".into())
}

/// The `ps --filter health=` values Docker knows.
pub fn valid_filter(v: &str) -> bool {
    matches!(v, "starting" | "healthy" | "unhealthy" | "none")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(test: &[&str]) -> HealthConfig {
        HealthConfig {
            test: Some(test.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    fn result(code: i64) -> HealthcheckResult {
        HealthcheckResult {
            exit_code: Some(code),
            output: Some(String::new()),
            ..Default::default()
        }
    }

    #[test]
    fn flags_override_the_image_field_by_field() {
        let image = HealthConfig {
            test: Some(vec!["CMD".into(), "true".into()]),
            interval: Some(5_000_000_000),
            retries: Some(7),
            ..Default::default()
        };
        let user = HealthConfig {
            test: Some(vec![]),
            interval: Some(0),
            timeout: Some(2_000_000_000),
            ..Default::default()
        };
        let m = merged(Some(&user), Some(&image)).unwrap();
        assert_eq!(m.test, image.test);
        assert_eq!(m.interval, Some(5_000_000_000));
        assert_eq!(m.timeout, Some(2_000_000_000));
        assert_eq!(m.retries, Some(7));
        assert_eq!(m.start_period, None);
        // NONE disables the image's.
        let none = merged(Some(&cfg(&["NONE"])), Some(&image)).unwrap();
        assert_eq!(probe(Some(&none), &[]), None);
        assert_eq!(merged(None, None), None);
        assert_eq!(merged(None, Some(&image)).unwrap().test, image.test);
    }

    #[test]
    fn probes_and_defaults() {
        let p = probe(Some(&cfg(&["CMD-SHELL", "exit 1"])), &[]).unwrap();
        assert_eq!(p.args, ["/bin/sh", "-c", "exit 1"]);
        assert_eq!(p.interval, DEFAULT_INTERVAL);
        assert_eq!(p.timeout, DEFAULT_TIMEOUT);
        assert_eq!(p.retries, 3);
        let shell = vec!["/bin/bash".to_string(), "-ec".to_string()];
        let p = probe(Some(&cfg(&["CMD-SHELL", "x"])), &shell).unwrap();
        assert_eq!(p.args, ["/bin/bash", "-ec", "x"]);
        let p = probe(Some(&cfg(&["CMD", "cat", "/f"])), &[]).unwrap();
        assert_eq!(p.args, ["cat", "/f"]);
        assert_eq!(probe(Some(&cfg(&[])), &[]), None);
    }

    #[test]
    fn validation_uses_dockers_messages() {
        let mut h = cfg(&["CMD", "true"]);
        h.interval = Some(10);
        let e = validate(&h).unwrap_err().to_string();
        assert!(
            e.contains("Interval in Healthcheck cannot be less than 1ms"),
            "{e}"
        );
        h.interval = None;
        h.retries = Some(-1);
        assert!(validate(&h).is_err());
        assert!(validate(&cfg(&["BOGUS", "x"])).is_err());
        assert!(validate(&cfg(&["NONE"])).is_ok());
        assert!(validate(&cfg(&[])).is_ok());
    }

    #[test]
    fn results_follow_dockers_rules() {
        let p = Probe {
            args: vec!["x".into()],
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(1),
            start_period: Duration::from_secs(10),
            start_interval: Duration::from_secs(1),
            retries: 2,
        };
        let mut h = restarted(None);
        // Failures inside the start period while starting do not count.
        assert_eq!(apply(&mut h, result(1), &p, Duration::from_secs(1)), None);
        assert_eq!(h.failing_streak, Some(0));
        assert_eq!(
            apply(&mut h, result(1), &p, Duration::from_secs(11)),
            None,
            "one failure of two"
        );
        assert_eq!(
            apply(&mut h, result(1), &p, Duration::from_secs(12)),
            Some(HealthStatusEnum::UNHEALTHY)
        );
        assert_eq!(
            apply(&mut h, result(0), &p, Duration::from_secs(13)),
            Some(HealthStatusEnum::HEALTHY)
        );
        assert_eq!(h.failing_streak, Some(0));
        for i in 0..10 {
            apply(&mut h, result(0), &p, Duration::from_secs(14 + i));
        }
        assert_eq!(h.log.as_ref().unwrap().len(), MAX_LOG_ENTRIES);
        // A start keeps the log, resets the rest; a stop makes it unhealthy.
        let h2 = restarted(Some(h.clone()));
        assert_eq!(h2.status, Some(HealthStatusEnum::STARTING));
        assert_eq!(h2.log.as_ref().unwrap().len(), MAX_LOG_ENTRIES);
        assert_eq!(stopped(h2).status, Some(HealthStatusEnum::UNHEALTHY));
    }

    #[test]
    fn output_is_truncated_as_docker_does() {
        let mut o = LimitedOutput::default();
        o.push(&[b'a'; 4000]);
        o.push(&[b'b'; 200]);
        let t = o.text();
        assert_eq!(t.len(), MAX_OUTPUT + 3);
        assert!(t.ends_with("bbb..."));
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(Duration::from_secs(30)), "30s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(3600)), "1h0m0s");
    }

    #[test]
    fn state_file_round_trip() {
        let dir = std::env::temp_dir().join(format!("berth-health-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert!(read(&dir).is_none());
        assert_eq!(filter_status(&dir), "none");
        let h = restarted(None);
        write(&dir, &h).unwrap();
        assert_eq!(read(&dir), Some(h));
        assert_eq!(filter_status(&dir), "starting");
        fs::remove_dir_all(&dir).unwrap();
    }
}
