//! Output the way Docker prints it: aligned tables, human sizes and durations, `--format json`
//! and simple Go-template formats (`{{.ID}}`, `{{json .}}`, `table {{.Repository}}\t{{.Tag}}`).

pub use crate::clock::human_duration;
use std::io::Write;

use serde_json::{Map, Value};

/// A container's or network's ID as lists show it: 12 hex digits, or whole with `--no-trunc`.
pub fn object_id(id: &str, no_trunc: bool) -> String {
    if no_trunc {
        id.to_string()
    } else {
        id.chars().take(12).collect()
    }
}

/// Columns separated like Go's tabwriter with padding 3, as Docker's tables are.
pub fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let mut out = std::io::stdout().lock();
    let _ = write_table(&mut out, headers, rows);
}

pub fn write_table(
    w: &mut impl Write,
    headers: &[&str],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let n = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                let pad = widths[i] - c.chars().count() + 3;
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(w, "{}", line(headers.to_vec()))?;
    for r in rows {
        writeln!(w, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// Docker's `units.HumanSizeWithPrecision(size, 3)`: decimal units, 3 significant digits.
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 9] = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
    let mut v = bytes.max(0) as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    format!("{}{}", format_g3(v), UNITS[i])
}

/// `%.3g` for values in [0, 1000).
fn format_g3(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits_before = if v >= 100.0 {
        3
    } else if v >= 10.0 {
        2
    } else {
        1
    };
    let decimals = 3usize.saturating_sub(digits_before);
    let s = format!("{v:.decimals$}");
    // %g drops trailing zeros.
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "1000" { "1e+03".into() } else { s }
}

/// "3 weeks ago", or "N/A" for an unknown time.
pub fn ago(ts: i64, now: i64) -> String {
    if ts <= 0 {
        return "N/A".into();
    }
    format!("{} ago", human_duration(now - ts))
}

/// Docker's `CreatedAt` form: `2024-01-02 03:04:05 +0000 UTC`.
pub fn docker_time(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_default()
}

/// A `--format` value.
#[derive(Debug, Clone)]
pub enum Format {
    Table,
    Json,
    /// A Go-style template; `table` means print a header row first.
    Template {
        template: String,
        table: bool,
    },
}

impl Format {
    pub fn parse(s: Option<&str>) -> Format {
        match s.map(str::trim) {
            None | Some("") | Some("table") => Format::Table,
            Some("json") => Format::Json,
            Some(t) => match t.strip_prefix("table ") {
                Some(rest) => Format::Template {
                    template: rest.to_string(),
                    table: true,
                },
                None => Format::Template {
                    template: t.to_string(),
                    table: false,
                },
            },
        }
    }
}

/// Expands `{{.Field}}`, `{{json .}}`, `{{json .Field}}` and `\t`, `\n` escapes.
pub fn render_template(template: &str, obj: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let expr = rest[start + 2..start + end].trim();
        out.push_str(&eval(expr, obj));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out.replace("\\t", "\t").replace("\\n", "\n")
}

fn lookup<'a>(path: &str, obj: &'a Map<String, Value>) -> Option<&'a Value> {
    let mut parts = path
        .trim_start_matches('.')
        .split('.')
        .filter(|p| !p.is_empty());
    let first = parts.next()?;
    let mut cur = obj.get(first)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    Some(cur)
}

fn eval(expr: &str, obj: &Map<String, Value>) -> String {
    if let Some(arg) = expr.strip_prefix("json ") {
        let arg = arg.trim();
        let v = if arg == "." {
            Some(Value::Object(obj.clone()))
        } else {
            lookup(arg, obj).cloned()
        };
        return v.map(|v| v.to_string()).unwrap_or_else(|| "null".into());
    }
    if expr == "." {
        return Value::Object(obj.clone()).to_string();
    }
    match lookup(expr, obj) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => "<no value>".into(),
        Some(Value::Array(a)) => {
            let items: Vec<String> = a
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    o => o.to_string(),
                })
                .collect();
            format!("[{}]", items.join(" "))
        }
        Some(v) => v.to_string(),
    }
}

/// Header row for a `table` template: the field names, Docker-style upper case.
pub fn template_header(template: &str, headers: &[(&str, &str)]) -> String {
    let mut obj = Map::new();
    for (field, header) in headers {
        obj.insert(field.to_string(), Value::String(header.to_string()));
    }
    render_template(template, &obj)
}

/// Prints list rows for `--format`: one JSON object per line (`json`), a Go template (with a
/// header row from `names` for `table …`), or the default table of `columns`; `names` maps each
/// field to its column header.
pub fn print_objects(
    format: Option<&str>,
    objs: Vec<Map<String, Value>>,
    names: &[(&str, &str)],
    columns: &[&str],
) {
    match Format::parse(format) {
        Format::Json => objs
            .into_iter()
            .for_each(|o| println!("{}", Value::Object(o))),
        Format::Template { template, table } => {
            if table {
                println!("{}", template_header(&template, names));
            }
            for o in objs {
                println!("{}", render_template(&template, &o));
            }
        }
        Format::Table => {
            let headers: Vec<&str> = columns
                .iter()
                .map(|&c| {
                    names
                        .iter()
                        .find(|(f, _)| *f == c)
                        .map(|(_, h)| *h)
                        .unwrap_or(c)
                })
                .collect();
            let rows: Vec<Vec<String>> = objs
                .iter()
                .map(|o| {
                    columns
                        .iter()
                        .map(|k| o.get(*k).and_then(|v| v.as_str()).unwrap_or("").to_string())
                        .collect()
                })
                .collect();
            print_table(&headers, &rows);
        }
    }
}

/// A prune's "Deleted Containers:"-style list, as Docker prints it (nothing when empty).
pub fn print_deleted(title: &str, items: &[String]) {
    if !items.is_empty() {
        println!("{title}");
        for i in items {
            println!("{i}");
        }
        println!();
    }
}

/// Prints what `inspect` found: a pretty JSON array, one JSON object per line (`json`), or a
/// template per object.
pub fn print_inspected<T: serde::Serialize>(format: Option<&str>, found: Vec<T>) {
    let found: Vec<Value> = found
        .into_iter()
        .map(|f| serde_json::to_value(f).expect("inspect data serialize to JSON"))
        .collect();
    match Format::parse(format) {
        Format::Table => print_json_pretty(&Value::Array(found)),
        Format::Json => {
            for f in &found {
                println!("{f}");
            }
        }
        Format::Template { template, .. } => {
            for f in &found {
                let obj = f.as_object().cloned().unwrap_or_default();
                println!("{}", render_template(&template, &obj));
            }
        }
    }
}

/// Prints JSON indented with four spaces, as `docker inspect` does.
pub fn print_json_pretty(v: &Value) {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("serializable");
    println!("{}", String::from_utf8_lossy(&buf));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_docker() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(999), "999B");
        assert_eq!(human_size(1000), "1kB");
        assert_eq!(human_size(4256), "4.26kB");
        assert_eq!(human_size(113_400_000), "113MB");
        assert_eq!(human_size(1_234_567), "1.23MB");
        assert_eq!(human_size(12_340_000), "12.3MB");
        assert_eq!(human_size(2_000_000_000), "2GB");
    }

    #[test]
    fn durations_like_docker() {
        assert_eq!(human_duration(0), "Less than a second");
        assert_eq!(human_duration(1), "1 second");
        assert_eq!(human_duration(59), "59 seconds");
        assert_eq!(human_duration(60), "About a minute");
        assert_eq!(human_duration(120), "2 minutes");
        assert_eq!(human_duration(3600), "About an hour");
        assert_eq!(human_duration(5 * 3600), "5 hours");
        assert_eq!(human_duration(3 * 86400), "3 days");
        assert_eq!(human_duration(21 * 86400), "3 weeks");
        assert_eq!(human_duration(90 * 86400), "3 months");
        assert_eq!(human_duration(800 * 86400), "2 years");
    }

    #[test]
    fn tables_pad_with_three_spaces() {
        let mut out = Vec::new();
        write_table(&mut out, &["A", "BB"], &[vec!["xxxx".into(), "y".into()]]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A      BB\nxxxx   y\n");
    }

    #[test]
    fn templates() {
        let mut m = Map::new();
        m.insert("ID".into(), Value::String("abc".into()));
        m.insert("Size".into(), serde_json::json!(5));
        m.insert("Config".into(), serde_json::json!({"Cmd": ["sh", "-c"]}));
        assert_eq!(render_template("{{.ID}}:{{ .Size }}", &m), "abc:5");
        assert_eq!(render_template("{{.Config.Cmd}}", &m), "[sh -c]");
        assert_eq!(
            render_template("{{json .Config.Cmd}}", &m),
            r#"["sh","-c"]"#
        );
        assert_eq!(render_template("{{.Nope}}", &m), "<no value>");
        assert_eq!(render_template(r"{{.ID}}\t{{.Size}}", &m), "abc\t5");
        assert!(matches!(Format::parse(Some("json")), Format::Json));
        assert!(matches!(
            Format::parse(Some("table {{.ID}}")),
            Format::Template { table: true, .. }
        ));
    }
}
