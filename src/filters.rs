//! Docker's filter grammar, read the same way for the CLI's `--filter KEY=VALUE` and the
//! Engine API's `filters` parameter (`{"key": ["v1", "v2"]}` or `{"key": {"v1": true}}`): a
//! key given several times matches if any of its values does (OR), different keys must all
//! match (AND), except `label`, whose values must all match (Docker's `MatchKVList`). A leaf:
//! it imports nothing of berth but `error`.

use std::collections::BTreeMap;

use crate::error::{Classify, ErrorKind};

/// A filter that cannot be read, with Docker's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

impl Classify for FilterError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

/// Filters as key → values, keys in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pairs: Vec<(String, String)>,
}

impl Filters {
    pub fn new(pairs: &[(String, String)]) -> Filters {
        Filters {
            pairs: pairs.to_vec(),
        }
    }

    /// `--filter` values as the docker CLI reads them: `KEY=VALUE`, the key trimmed and in
    /// lower case (`label!=a` is the key `label!`).
    pub fn parse_cli(args: &[String]) -> Result<Vec<(String, String)>, FilterError> {
        args.iter()
            .map(|f| {
                let (k, v) = f.split_once('=').ok_or_else(|| {
                    FilterError("bad format of filter (expected name=value)".into())
                })?;
                Ok((k.trim().to_lowercase(), v.trim().to_string()))
            })
            .collect()
    }

    /// The Engine API's `filters` parameter.
    pub fn parse_json(text: Option<&str>) -> Result<Vec<(String, String)>, FilterError> {
        let Some(text) = text.filter(|t| !t.is_empty()) else {
            return Ok(Vec::new());
        };
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| FilterError(format!("invalid filter: {e}")))?;
        let Some(map) = v.as_object() else {
            return Err(FilterError("invalid filter: not a JSON object".into()));
        };
        let mut out = Vec::new();
        for (key, values) in map {
            match values {
                serde_json::Value::Array(a) => {
                    for x in a {
                        let s = x.as_str().ok_or_else(|| {
                            FilterError(format!("invalid filter: {key}: not a string"))
                        })?;
                        out.push((key.clone(), s.to_string()));
                    }
                }
                serde_json::Value::Object(o) => {
                    for (x, on) in o {
                        if on.as_bool() == Some(true) {
                            out.push((key.clone(), x.clone()));
                        }
                    }
                }
                _ => {
                    return Err(FilterError(format!(
                        "invalid filter: {key}: not a list of values"
                    )));
                }
            }
        }
        Ok(out)
    }

    /// Docker's `invalid filter 'KEY'` for a key not in `accepted`.
    pub fn validate(&self, accepted: &[&str]) -> Result<(), FilterError> {
        match self
            .pairs
            .iter()
            .find(|(k, _)| !accepted.contains(&k.as_str()))
        {
            Some((k, _)) => Err(FilterError(format!("invalid filter '{k}'"))),
            None => Ok(()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn contains(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    pub fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// True if `key` is absent or `pred` holds for one of its values.
    pub fn any(&self, key: &str, pred: impl Fn(&str) -> bool) -> bool {
        !self.contains(key) || self.values(key).any(pred)
    }

    /// Docker's `Match`: a value is a regular expression found in `s` (an invalid one
    /// matches nothing).
    pub fn regex(&self, key: &str, s: &[&str]) -> bool {
        self.any(key, |v| {
            regex::Regex::new(v).is_ok_and(|re| s.iter().any(|s| re.is_match(s)))
        })
    }

    /// Docker's `MatchKVList`: every `KEY` or `KEY=VALUE` of `key` is in `labels`.
    pub fn labels(&self, key: &str, labels: &BTreeMap<String, String>) -> bool {
        self.values(key).all(|v| label_matches(labels, v))
    }

    /// The prunes' `label!=KEY[=VALUE]`: none of them is in `labels`.
    pub fn not_labels(&self, key: &str, labels: &BTreeMap<String, String>) -> bool {
        !self.values(key).any(|v| label_matches(labels, v))
    }

    /// A boolean filter (`dangling=true`): its value, or Docker's error for another word.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, FilterError> {
        let mut out = None;
        for v in self.values(key) {
            let b = match v.to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return Err(FilterError(format!("invalid filter '{key}={v}'"))),
            };
            out = Some(b);
        }
        Ok(out)
    }

    /// Each value of `key` checked by `ok`; Docker's `invalid filter 'KEY=VALUE'` otherwise.
    pub fn check_values(&self, key: &str, ok: impl Fn(&str) -> bool) -> Result<(), FilterError> {
        match self.values(key).find(|v| !ok(v)) {
            Some(v) => Err(FilterError(format!("invalid filter '{key}={v}'"))),
            None => Ok(()),
        }
    }

    /// Docker's `until` of the prunes: a time (RFC 3339, a date, Unix seconds) or a duration
    /// before `now` (`24h`, `10m`); nanoseconds since the epoch.
    pub fn until(&self, now_nanos: i64) -> Result<Option<i64>, FilterError> {
        let mut out = None;
        for v in self.values("until") {
            let t = timestamp(v, now_nanos)
                .ok_or_else(|| FilterError(format!("invalid filter 'until={v}'")))?;
            out = Some(t);
        }
        Ok(out)
    }
}

impl Filters {
    /// A prune's filters (`label`, `label!`, `until`, with `until` read by [`Filters::until`]):
    /// does this object go?
    pub fn prune_selects(
        &self,
        labels: &BTreeMap<String, String>,
        created_nanos: i64,
        until: Option<i64>,
    ) -> bool {
        self.labels("label", labels)
            && self.not_labels("label!", labels)
            && until.is_none_or(|u| created_nanos < u)
    }
}

/// Does a `KEY` or `KEY=VALUE` label filter match these labels?
pub fn label_matches(labels: &BTreeMap<String, String>, filter: &str) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(filter),
    }
}

/// A time as Docker's filters read it (`until`, and `events --since`): RFC 3339, a date and
/// time without a zone (UTC), a date, Unix seconds (with a fraction), or a Go duration before
/// `now`.
pub fn timestamp(v: &str, now_nanos: i64) -> Option<i64> {
    if let Some(d) = go_duration(v) {
        return Some(now_nanos - d);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return t.timestamp_nanos_opt();
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, f) {
            return t.and_utc().timestamp_nanos_opt();
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_nanos_opt();
    }
    let (secs, frac) = v.split_once('.').unwrap_or((v, ""));
    if !secs.is_empty() && secs.bytes().all(|b| b.is_ascii_digit()) {
        let s: i64 = secs.parse().ok()?;
        let mut nanos = 0i64;
        if !frac.is_empty() {
            if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 9 {
                return None;
            }
            nanos = format!("{frac:0<9}").parse().ok()?;
        }
        return s.checked_mul(1_000_000_000)?.checked_add(nanos);
    }
    None
}

/// Go's `time.ParseDuration` for whole units (`1h30m`, `10s`, `1.5h`); nanoseconds.
fn go_duration(v: &str) -> Option<i64> {
    let mut rest = v;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&n| n > 0)?;
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += num * unit;
        rest = &rest[u..];
    }
    Some(total as i64)
}

/// Docker's `path.Match` glob of the `reference` filter: `*` (not across `/`), `?`,
/// `[…]` classes.
pub fn glob_match(pattern: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len())
                .take_while(|&i| i == 0 || s[i - 1] != '/')
                .any(|i| go(&p[1..], &s[i..])),
            Some('?') => s.first().is_some_and(|&c| c != '/') && go(&p[1..], &s[1..]),
            Some('[') => {
                let Some(end) = p.iter().position(|&c| c == ']') else {
                    return false;
                };
                let Some(&c) = s.first() else { return false };
                let class = &p[1..end];
                let (neg, class) = match class.first() {
                    Some('^') | Some('!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != neg && go(&p[end + 1..], &s[1..])
            }
            Some('\\') if p.len() > 1 => s.first() == Some(&p[1]) && go(&p[2..], &s[1..]),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

/// A `publish`/`expose` filter value (`80`, `80/udp`, `8000-8080/tcp`): does it name this
/// container port?
pub fn port_matches(filter: &str, port: u16, proto: &str) -> bool {
    let (ports, p) = filter.split_once('/').unwrap_or((filter, "tcp"));
    if p != proto {
        return false;
    }
    match ports.split_once('-') {
        Some((a, b)) => match (a.parse::<u16>(), b.parse::<u16>()) {
            (Ok(a), Ok(b)) => a <= port && port <= b,
            _ => false,
        },
        None => ports.parse::<u16>() == Ok(port),
    }
}

/// Is this a valid `publish`/`expose` value?
pub fn valid_port(filter: &str) -> bool {
    let (ports, p) = filter.split_once('/').unwrap_or((filter, "tcp"));
    matches!(p, "tcp" | "udp" | "sctp")
        && match ports.split_once('-') {
            Some((a, b)) => a.parse::<u16>().is_ok() && b.parse::<u16>().is_ok(),
            None => ports.parse::<u16>().is_ok(),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Filters {
        Filters::new(
            &pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn grammar() {
        assert_eq!(
            Filters::parse_cli(&["Label = a=b".into(), "name=x".into()]).unwrap(),
            vec![("label".into(), "a=b".into()), ("name".into(), "x".into())]
        );
        assert_eq!(
            Filters::parse_cli(&["nope".into()]).unwrap_err().0,
            "bad format of filter (expected name=value)"
        );
        assert_eq!(
            Filters::parse_json(Some(r#"{"label":["a=b","c"],"status":{"running":true}}"#))
                .unwrap(),
            vec![
                ("label".into(), "a=b".into()),
                ("label".into(), "c".into()),
                ("status".into(), "running".into())
            ]
        );
        assert!(Filters::parse_json(Some("[1]")).is_err());
        assert_eq!(
            f(&[("name", "a"), ("x", "b")])
                .validate(&["name"])
                .unwrap_err()
                .0,
            "invalid filter 'x'"
        );
    }

    #[test]
    fn or_within_a_key_and_across_keys() {
        let fs = f(&[
            ("name", "^web$"),
            ("name", "db"),
            ("label", "a"),
            ("label", "b=1"),
        ]);
        assert!(fs.regex("name", &["web"]));
        assert!(fs.regex("name", &["mydb2"]));
        assert!(!fs.regex("name", &["webby"]));
        assert!(f(&[]).regex("name", &["x"]));
        let mut labels = BTreeMap::new();
        labels.insert("a".to_string(), "0".to_string());
        assert!(!fs.labels("label", &labels));
        labels.insert("b".to_string(), "1".to_string());
        assert!(fs.labels("label", &labels));
        assert!(!f(&[("label!", "a")]).not_labels("label!", &labels));
        assert!(f(&[("label!", "c")]).not_labels("label!", &labels));
        assert_eq!(
            f(&[("dangling", "true")]).boolean("dangling"),
            Ok(Some(true))
        );
        assert_eq!(
            f(&[("dangling", "yes")]).boolean("dangling").unwrap_err().0,
            "invalid filter 'dangling=yes'"
        );
    }

    #[test]
    fn times_globs_ports() {
        let now = 1_000_000 * 1_000_000_000i64;
        assert_eq!(timestamp("10m", now), Some(now - 600_000_000_000));
        assert_eq!(timestamp("1h30m", now), Some(now - 5_400_000_000_000));
        assert_eq!(
            timestamp("1700000000", now),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            timestamp("1700000000.5", now),
            Some(1_700_000_000_500_000_000)
        );
        assert_eq!(
            timestamp("2023-11-14T22:13:20Z", now),
            Some(1_700_000_000_000_000_000)
        );
        assert_eq!(
            timestamp("2023-11-14", now),
            Some(1_699_920_000_000_000_000)
        );
        assert_eq!(timestamp("soon", now), None);
        assert!(glob_match("busy*", "busybox:latest"));
        assert!(glob_match("*:latest", "busybox:latest"));
        assert!(!glob_match("*", "library/busybox"));
        assert!(glob_match("localhost:5000/*", "localhost:5000/busybox"));
        assert!(glob_match("b?sy[a-z]ox", "busybox"));
        assert!(port_matches("80", 80, "tcp"));
        assert!(!port_matches("80", 80, "udp"));
        assert!(port_matches("8000-8080/tcp", 8001, "tcp"));
        assert!(valid_port("53/udp") && !valid_port("x") && !valid_port("80/xyz"));
    }
}
