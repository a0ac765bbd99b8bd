//! `events` (also `system events`): the event log, printed as Docker prints it, following new
//! events until Ctrl-C unless `--until` is given. `--since`/`--until` are read as Docker's
//! client reads them (RFC 3339 dates, local dates, Unix seconds, Go durations before now).

use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone};
use clap::Args;
use serde_json::{Map, Value, json};

use super::GlobalOpts;
use super::format::{Format, TemplateError, render_template};
use crate::engine::events::EventsOptions;
use crate::events::{Event, Sink};

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Show all events created since timestamp
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Stream events until this timestamp
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Filter output based on conditions provided (KEY=VALUE: container, image, event, type,
    /// label, network, volume)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template ('{{json .}}', '{{.Action}}', …) or "json"
    #[arg(long)]
    pub format: Option<String>,
}

pub fn events(g: &GlobalOpts, a: EventsArgs) -> anyhow::Result<i32> {
    let now = Local::now();
    let time = |v: &Option<String>| -> anyhow::Result<Option<i64>> {
        v.as_deref().map(|v| parse_time(v, now)).transpose()
    };
    let mut filters = Vec::new();
    for f in &a.filter {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("bad format of filter (expected name=value): {f:?}"))?;
        filters.push((k.to_lowercase(), v.to_string()));
    }
    let o = EventsOptions {
        since: time(&a.since)?,
        until: time(&a.until)?,
        filters,
    };
    let stream = g.engine().system_events(&o)?;
    let mut printer = Printer {
        out: std::io::BufWriter::new(std::io::stdout().lock()),
        format: Format::parse(a.format.as_deref())?,
        failed: None,
        template_failed: None,
    };
    stream.run(&|| false, &mut printer)?;
    if let Some(e) = printer.template_failed {
        return Err(e.into());
    }
    match printer.failed {
        // A closed output (`| head`) ends the command.
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

/// Prints events, buffered: the output is flushed each time the stream has caught up.
struct Printer<W: Write> {
    out: W,
    format: Format,
    failed: Option<std::io::Error>,
    template_failed: Option<TemplateError>,
}

impl<W: Write> Printer<W> {
    fn keep(&mut self, r: std::io::Result<()>) -> bool {
        match r {
            Ok(()) => true,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }
}

impl<W: Write> Sink for Printer<W> {
    fn event(&mut self, e: Event) -> bool {
        let line = match &self.format {
            Format::Table => pretty(&e),
            Format::Json => json_line(&e),
            Format::Template { template, .. } if is_json_of_all(template.source()) => json_line(&e),
            Format::Template { template, .. } => match render_template(template, &go_fields(&e)) {
                Ok(line) => line,
                Err(err) => {
                    self.template_failed = Some(err);
                    return false;
                }
            },
        };
        let r = writeln!(self.out, "{line}");
        self.keep(r)
    }

    fn caught_up(&mut self) -> bool {
        let r = self.out.flush();
        self.keep(r)
    }
}

fn is_json_of_all(template: &str) -> bool {
    template.replace(' ', "") == "{{json.}}"
}

fn json_line(e: &Event) -> String {
    serde_json::to_string(&e.message()).unwrap_or_default()
}

/// Docker's default line: `TIME TYPE ACTION ID (k=v, …)`, the time in the local zone with
/// nanoseconds.
fn pretty(e: &Event) -> String {
    let mut s = format!(
        "{} {} {} {}",
        local_time(e.time_nano),
        e.typ,
        e.action,
        e.actor.id
    );
    if !e.actor.attributes.is_empty() {
        let attrs: Vec<String> = e
            .actor
            .attributes
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        s.push_str(&format!(" ({})", attrs.join(", ")));
    }
    s
}

/// Go's `2006-01-02T15:04:05.000000000Z07:00` in the local zone.
fn local_time(nanos: i64) -> String {
    let t = Local.timestamp_nanos(nanos);
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// The event under the field names a Go template sees (`.Type`, `.Actor.Attributes.name`, …).
fn go_fields(e: &Event) -> Map<String, Value> {
    let m = e.message();
    let v = json!({
        "Status": m.status.unwrap_or(""),
        "ID": m.id.unwrap_or(""),
        "From": m.from.unwrap_or(""),
        "Type": m.typ,
        "Action": m.action,
        "Actor": {"ID": m.actor.id, "Attributes": m.actor.attributes},
        "Scope": m.scope,
        "Time": m.time,
        "TimeNano": m.time_nano,
    });
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// A time as Docker's client reads `--since`/`--until`: a Go duration before `now` (`10m`,
/// `1h30m`), an RFC 3339 time (`2026-12-03T15:04:05Z`, `…+01:00`, fractions), a date or date
/// and time in the local zone (`2026-12-03`, `2026-12-03T15:04`), or Unix seconds (`1733238000`,
/// `1733238000.5`). In nanoseconds since the epoch.
pub fn parse_time(value: &str, now: DateTime<Local>) -> anyhow::Result<i64> {
    let v = value.trim();
    if v != "0"
        && let Some(d) = go_duration(v)
    {
        return Ok(now.timestamp_nanos_opt().unwrap_or(0) - d);
    }
    match parse_date(v) {
        Some(t) => Ok(t),
        // Something like a date that is not one.
        None if v.contains('-') => anyhow::bail!("parsing time {v:?}: not a valid time"),
        None => crate::events::unix_seconds(v)
            .with_context(|| format!("failed to parse value as time or duration: {v:?}")),
    }
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn go_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        rest = &rest[u..];
        total += num * scale;
    }
    let d = total as i64;
    Some(if neg { -d } else { d })
}

/// The date forms of Docker's `GetTimestamp`: with a zone (`Z`, `+hh:mm`, `-hh:mm`) or in the
/// local zone; a time may have no seconds or no minutes.
fn parse_date(v: &str) -> Option<i64> {
    let zoned = v.contains(['z', 'Z', '+']) || v.matches('-').count() == 3;
    let (body, offset) = if zoned { split_offset(v)? } else { (v, None) };
    let naive = match body.split_once('T') {
        Some((_, time)) => {
            let body = match time.matches(':').count() {
                0 => format!("{body}:00"),
                _ => body.to_string(),
            };
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&body, f).ok())?
        }
        None => NaiveDate::parse_from_str(body, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?,
    };
    let t = match offset {
        Some(secs) => chrono::FixedOffset::east_opt(secs)?
            .from_local_datetime(&naive)
            .single()?
            .timestamp_nanos_opt()?,
        None => Local
            .from_local_datetime(&naive)
            .earliest()?
            .timestamp_nanos_opt()?,
    };
    Some(t)
}

/// `…Z` / `…+hh:mm` / `…-hh:mm` → the time and the offset in seconds.
fn split_offset(v: &str) -> Option<(&str, Option<i32>)> {
    if let Some(body) = v.strip_suffix(['Z', 'z']) {
        return Some((body, Some(0)));
    }
    // The sign of an offset comes after the date's own dashes (at 10 or later).
    let i = v.rfind(['+', '-']).filter(|&i| i >= 10)?;
    let (body, off) = v.split_at(i);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let (h, m) = off[1..].split_once(':')?;
    let secs = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    Some((body, Some(sign * secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Local> {
        Local.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    const S: i64 = 1_000_000_000;

    #[test]
    fn durations_are_before_now() {
        assert_eq!(parse_time("10m", now()).unwrap(), (1_800_000_000 - 600) * S);
        assert_eq!(
            parse_time("1h30m", now()).unwrap(),
            (1_800_000_000 - 5400) * S
        );
        assert_eq!(
            parse_time("1.5s", now()).unwrap(),
            1_800_000_000 * S - S * 3 / 2
        );
        assert_eq!(parse_time("-10s", now()).unwrap(), (1_800_000_000 + 10) * S);
        // "0" is a Unix time, not a duration.
        assert_eq!(parse_time("0", now()).unwrap(), 0);
    }

    #[test]
    fn unix_seconds_with_fractions() {
        assert_eq!(parse_time("1733238000", now()).unwrap(), 1_733_238_000 * S);
        assert_eq!(
            parse_time("1733238000.5", now()).unwrap(),
            1_733_238_000 * S + S / 2
        );
        assert_eq!(
            parse_time("1733238000.000000001", now()).unwrap(),
            1_733_238_000 * S + 1
        );
        assert!(parse_time("soon", now()).is_err());
        assert_eq!(
            parse_time("soon", now()).unwrap_err().to_string(),
            "failed to parse value as time or duration: \"soon\""
        );
    }

    #[test]
    fn rfc3339_and_zoned_dates() {
        let t = 1_733_238_245 * S; // 2024-12-03T15:04:05Z
        assert_eq!(parse_time("2024-12-03T15:04:05Z", now()).unwrap(), t);
        assert_eq!(
            parse_time("2024-12-03T15:04:05.25Z", now()).unwrap(),
            t + S / 4
        );
        assert_eq!(parse_time("2024-12-03T16:04:05+01:00", now()).unwrap(), t);
        assert_eq!(parse_time("2024-12-03T14:04:05-01:00", now()).unwrap(), t);
        assert_eq!(parse_time("2024-12-03T15:04Z", now()).unwrap(), t - 5 * S);
        assert_eq!(parse_time("2024-12-03T15Z", now()).unwrap(), t - 245 * S);
        assert!(parse_time("2024-13-03T15:04:05Z", now()).is_err());
    }

    #[test]
    fn local_dates() {
        let local = |s: &str| {
            let n = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").unwrap();
            Local
                .from_local_datetime(&n)
                .earliest()
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap()
        };
        assert_eq!(
            parse_time("2024-12-03", now()).unwrap(),
            local("2024-12-03T00:00:00")
        );
        assert_eq!(
            parse_time("2024-12-03T15:04", now()).unwrap(),
            local("2024-12-03T15:04:00")
        );
        assert_eq!(
            parse_time("2024-12-03T15:04:05", now()).unwrap(),
            local("2024-12-03T15:04:05")
        );
    }

    #[test]
    fn lines_as_docker_prints_them() {
        let mut e = crate::events::Event::new(crate::events::Type::Container, "start", "abc")
            .attr("name", "web")
            .attr("image", "busybox");
        e.time_nano = 1_733_238_245_000_000_001;
        let line = pretty(&e);
        assert!(
            line.ends_with(" container start abc (image=busybox, name=web)"),
            "{line}"
        );
        assert!(line.contains(".000000001"), "{line}");
        let fields = go_fields(&e);
        assert_eq!(
            render_template(
                &crate::cli::template::GoTemplate::parse(
                    "{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.ID}}"
                )
                .unwrap(),
                &fields
            )
            .unwrap(),
            "container start web abc"
        );
        assert!(is_json_of_all("{{ json . }}"));
        let v: Value = serde_json::from_str(&json_line(&e)).unwrap();
        assert_eq!(v["timeNano"], 1_733_238_245_000_000_001i64);
        assert_eq!(v["Actor"]["Attributes"]["name"], "web");
    }
}
