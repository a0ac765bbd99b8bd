//! The health check flags of `run` and `create` (Docker's names), in a struct of their own
//! flattened into [`CreateArgs`](super::CreateArgs), and their translation into the API's
//! `HealthConfig` as Docker's CLI builds it.

use anyhow::bail;
use bollard_stubs::models::HealthConfig;
use clap::Args;

#[derive(Debug, Args, Clone, Default)]
pub struct HealthArgs {
    /// Command to run to check health
    #[arg(long, value_name = "STRING")]
    pub health_cmd: Option<String>,
    /// Time between running the check (ms|s|m|h) (default 0s)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub health_interval: Option<String>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long, value_name = "INT", allow_hyphen_values = true)]
    pub health_retries: Option<i64>,
    /// Time between running the check during the start period (ms|s|m|h) (default 0s)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub health_start_interval: Option<String>,
    /// Start period for the container to initialize before starting health-retries countdown
    /// (ms|s|m|h) (default 0s)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub health_start_period: Option<String>,
    /// Maximum time to allow one check to run (ms|s|m|h) (default 0s)
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub health_timeout: Option<String>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long)]
    pub no_healthcheck: bool,
}

/// A Go duration flag in nanoseconds (negative allowed here: the caller refuses it with
/// Docker's message).
fn duration(flag: &str, v: Option<&str>) -> anyhow::Result<i64> {
    let Some(v) = v else { return Ok(0) };
    let (neg, body) = match v.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, v),
    };
    let d = crate::build::dockerfile::instructions::parse_go_duration(body)
        .map_err(|e| anyhow::anyhow!("invalid argument {v:?} for \"--{flag}\" flag: {e}"))?;
    let ns = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    Ok(if neg { -ns } else { ns })
}

impl HealthArgs {
    /// The container's `Healthcheck`: `None` without any health flag.
    pub fn config(&self) -> anyhow::Result<Option<HealthConfig>> {
        let interval = duration("health-interval", self.health_interval.as_deref())?;
        let timeout = duration("health-timeout", self.health_timeout.as_deref())?;
        let start_period = duration("health-start-period", self.health_start_period.as_deref())?;
        let start_interval = duration(
            "health-start-interval",
            self.health_start_interval.as_deref(),
        )?;
        let retries = self.health_retries.unwrap_or(0);
        let cmd = self.health_cmd.clone().unwrap_or_default();
        let any = !cmd.is_empty()
            || interval != 0
            || timeout != 0
            || start_period != 0
            || start_interval != 0
            || retries != 0;
        if self.no_healthcheck {
            if any {
                bail!("--no-healthcheck conflicts with --health-* options");
            }
            return Ok(Some(HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            }));
        }
        if !any {
            return Ok(None);
        }
        for (name, v) in [
            ("interval", interval),
            ("timeout", timeout),
            ("retries", retries),
            ("start-period", start_period),
            ("start-interval", start_interval),
        ] {
            if v < 0 {
                bail!("--health-{name} cannot be negative");
            }
        }
        Ok(Some(HealthConfig {
            test: Some(if cmd.is_empty() {
                Vec::new()
            } else {
                vec!["CMD-SHELL".into(), cmd]
            }),
            interval: Some(interval),
            timeout: Some(timeout),
            start_period: Some(start_period),
            start_interval: Some(start_interval),
            retries: Some(retries),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_as_dockers_cli_builds_them() {
        assert_eq!(HealthArgs::default().config().unwrap(), None);
        let a = HealthArgs {
            health_cmd: Some("true".into()),
            health_interval: Some("1m30s".into()),
            ..Default::default()
        };
        let h = a.config().unwrap().unwrap();
        assert_eq!(h.test, Some(vec!["CMD-SHELL".into(), "true".into()]));
        assert_eq!(h.interval, Some(90_000_000_000));
        let none = HealthArgs {
            no_healthcheck: true,
            ..Default::default()
        };
        assert_eq!(
            none.config().unwrap().unwrap().test,
            Some(vec!["NONE".to_string()])
        );
        let both = HealthArgs {
            no_healthcheck: true,
            health_retries: Some(2),
            ..Default::default()
        };
        assert!(both.config().unwrap_err().to_string().contains("conflicts"));
        let neg = HealthArgs {
            health_timeout: Some("-1s".into()),
            ..Default::default()
        };
        assert_eq!(
            neg.config().unwrap_err().to_string(),
            "--health-timeout cannot be negative"
        );
    }
}
