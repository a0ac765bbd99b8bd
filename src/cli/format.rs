//! Output the way Docker prints it: aligned tables, human sizes and durations, `--format json`
//! and Go templates (`cli/template.rs`: `{{.ID}}`, `{{json .}}`, `table {{.Repository}}\t{{.Tag}}`).

pub use super::template::{GoTemplate, Subject, TemplateError, tabwrite};
pub use crate::clock::human_duration;
use std::io::Write;
use std::rc::Rc;

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
    write_rows(w, Some(headers), rows)
}

/// A table with or without its header row (`--noheading`).
fn write_rows(
    w: &mut impl Write,
    headers: Option<&[&str]>,
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let n = rows
        .first()
        .map_or(0, Vec::len)
        .max(headers.map_or(0, <[&str]>::len));
    let mut widths: Vec<usize> = vec![0; n];
    for (i, h) in headers.unwrap_or_default().iter().enumerate() {
        widths[i] = h.chars().count();
    }
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
                // Go's tabwriter as Docker sets it: minimum cell width 10, padding 3.
                let pad = (widths[i] + 3).max(10) - c.chars().count();
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s.trim_end().to_string()
    };
    if let Some(headers) = headers {
        writeln!(w, "{}", line(headers.to_vec()))?;
    }
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
#[derive(Clone)]
pub enum Format {
    Table,
    Json,
    /// A Go template; `table` means print a header row first and align the columns.
    Template {
        template: Rc<GoTemplate>,
        table: bool,
    },
}

impl Format {
    /// Docker's `--format` forms: none or `table` (the default table), `json` (one JSON object
    /// per line), `table TEMPLATE`, or a template. `\t` and `\n` in a list's template are a tab
    /// and a newline, as Docker's formatter reads them.
    pub fn parse(s: Option<&str>) -> Result<Format, TemplateError> {
        Ok(match s {
            None => Format::Table,
            Some(t) => match t.trim() {
                "" | "table" => Format::Table,
                "json" => Format::Json,
                _ => {
                    let (template, table) = match t.trim_start().strip_prefix("table") {
                        Some(rest) if rest.starts_with([' ', '\t', '\n']) => (rest.trim(), true),
                        _ => (t, false),
                    };
                    let template = template.replace("\\t", "\t").replace("\\n", "\n");
                    Format::Template {
                        template: Rc::new(GoTemplate::parse(&template)?),
                        table,
                    }
                }
            },
        })
    }
}

/// A template applied to one object of a list (for `events`).
pub fn render_template(
    template: &GoTemplate,
    obj: &Map<String, Value>,
) -> Result<String, TemplateError> {
    template.render(&Value::Object(obj.clone()), Subject::Map)
}

/// Prints list rows for `--format`: one JSON object per line (`json`), a Go template (with a
/// header row from `names` for `table …`, columns aligned as Docker's tabwriter does), or the
/// default table of `columns`; `names` maps each field to its column header. `subject` names
/// the Go type Docker's template reads, for the message of a missing field.
pub fn print_objects(
    format: Option<&str>,
    objs: Vec<Map<String, Value>>,
    names: &[(&str, &str)],
    columns: &[&str],
) -> anyhow::Result<()> {
    print_list(
        format,
        objs,
        names,
        columns,
        &ListOptions {
            subject: Subject::Map,
            no_heading: false,
        },
    )
}

/// How `print_list` prints.
pub struct ListOptions {
    pub subject: Subject,
    /// Podman's `--noheading`: no header row.
    pub no_heading: bool,
}

pub fn print_list(
    format: Option<&str>,
    objs: Vec<Map<String, Value>>,
    names: &[(&str, &str)],
    columns: &[&str],
    o: &ListOptions,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match Format::parse(format)? {
        Format::Json => {
            for obj in objs {
                writeln!(out, "{}", Value::Object(obj))?;
            }
        }
        Format::Template { template, table } => {
            let mut text = String::new();
            if table && !o.no_heading {
                text.push_str(&template.render_header(names));
                text.push('\n');
            }
            for obj in objs {
                text.push_str(&template.render(&Value::Object(obj), o.subject)?);
                text.push('\n');
            }
            if table {
                text = tabwrite(&text);
            }
            out.write_all(text.as_bytes())?;
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
                .map(|obj| {
                    columns
                        .iter()
                        .map(|k| {
                            obj.get(*k)
                                .and_then(|v| v.as_str())
                                .unwrap_or("")
                                .to_string()
                        })
                        .collect()
                })
                .collect();
            write_rows(&mut out, (!o.no_heading).then_some(&headers[..]), &rows)?;
        }
    }
    Ok(())
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
/// template per object (a missing field fails as Docker's does).
pub fn print_inspected<T: serde::Serialize>(
    format: Option<&str>,
    found: Vec<T>,
) -> anyhow::Result<()> {
    let found: Vec<Value> = found
        .into_iter()
        .map(|f| serde_json::to_value(f).expect("inspect data serialize to JSON"))
        .collect();
    // Docker's inspect reads its template as given (no `\t` escapes).
    let format = match format {
        Some(t) if !matches!(t.trim(), "" | "json" | "table") => {
            let (template, _) = (t, false);
            Format::Template {
                template: Rc::new(GoTemplate::parse(template)?),
                table: false,
            }
        }
        other => Format::parse(other)?,
    };
    match format {
        Format::Table => print_json_pretty(&Value::Array(found)),
        Format::Json => {
            for f in &found {
                println!("{f}");
            }
        }
        Format::Template { template, .. } => {
            let mut out = String::new();
            for f in &found {
                out.push_str(&template.render(f, Subject::Map)?);
                out.push('\n');
            }
            std::io::stdout().lock().write_all(out.as_bytes())?;
        }
    }
    Ok(())
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
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "A         BB\nxxxx      y\n"
        );
    }

    #[test]
    fn formats() {
        assert!(matches!(Format::parse(Some("json")), Ok(Format::Json)));
        assert!(matches!(Format::parse(Some("table")), Ok(Format::Table)));
        assert!(matches!(
            Format::parse(Some("table {{.ID}}")),
            Ok(Format::Template { table: true, .. })
        ));
        assert!(matches!(
            Format::parse(Some("{{.ID}}")),
            Ok(Format::Template { table: false, .. })
        ));
        assert!(Format::parse(Some("{{.ID")).is_err());
        let mut m = Map::new();
        m.insert("ID".into(), Value::String("abc".into()));
        let Ok(Format::Template { template, .. }) = Format::parse(Some(r"{{.ID}}\t{{.ID}}")) else {
            panic!()
        };
        assert_eq!(render_template(&template, &m).unwrap(), "abc\tabc");
    }
}
