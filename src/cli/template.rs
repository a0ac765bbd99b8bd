//! Go's text/template as Docker's `--format` speaks it, on the `gtmpl` crate (Go's parser and
//! executor ported to Rust), with Docker's functions (`json`, `join`, `split`, `lower`,
//! `upper`, `title`, `pad`, `truncate`, `println`) and the `table` header pass.
//!
//! gtmpl differs from Go in three ways that Docker users would see; each action is rewritten
//! before it is parsed (outside string literals, positions kept for error messages):
//! - A printed value goes through `__print N` (N: the action's number), which prints it as
//!   Go's `%v` does (`[a b]`, `map[k:v]`, `<nil>`) and fails on a missing key with Docker's
//!   message, as Docker's `missingkey=error` pass does; tests (`if`, `with`) see a missing key
//!   as false, as Docker's typed pass does.
//! - `range` over a map goes in the order of its keys, as Go's does (`__values`, `__keys`).
//! - A method with arguments on dot (`{{.Label "k"}}` of `ps`) becomes a function call on dot
//!   (`__label . "k"`).

use std::collections::HashMap;
use std::fmt::Write as _;

use gtmpl::{Context, Func, FuncError, Value};
use serde_json::Value as Json;

/// A template failure, with Docker's text (`template parsing error: …`). Docker's CLI exits 1
/// on it.
#[derive(Debug, thiserror::Error)]
#[error("template parsing error: {0}")]
pub struct TemplateError(pub String);

/// What the data is, for the message of a missing field: Docker's `inspect` reads JSON maps
/// ("map has no entry for key"), its list commands read Go types ("can't evaluate field X in
/// type *formatter.ContainerContext").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Map,
    Typed(&'static str),
}

/// A parsed `--format` template.
pub struct GoTemplate {
    source: String,
    /// The original text of each printing action, by number.
    actions: Vec<(usize, String)>,
    tmpl: gtmpl::Template,
    header: gtmpl::Template,
}

const MISSING: &str = "\u{0}missing key";

impl GoTemplate {
    pub fn parse(source: &str) -> Result<GoTemplate, TemplateError> {
        let (text, actions) = rewrite(source)?;
        let mut tmpl = gtmpl::Template::default();
        tmpl.add_funcs(FUNCS);
        tmpl.parse(&text)
            .map_err(|e| TemplateError(parse_message(&e.to_string())))?;
        let mut header = gtmpl::Template::default();
        header.add_funcs(FUNCS);
        header.add_funcs(HEADER_FUNCS);
        header
            .parse(&text)
            .map_err(|e| TemplateError(parse_message(&e.to_string())))?;
        Ok(GoTemplate {
            source: source.to_string(),
            actions,
            tmpl,
            header,
        })
    }

    /// The template as the user wrote it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The template applied to `data`.
    pub fn render(&self, data: &Json, subject: Subject) -> Result<String, TemplateError> {
        self.tmpl
            .render(&Context::from(to_value(data)))
            .map_err(|e| self.exec_error(&e.to_string(), subject))
    }

    /// The header row of a `table` template: each field shows its header (`names`: field →
    /// header), Docker's functions give back their first argument.
    pub fn render_header(&self, names: &[(&str, &str)]) -> String {
        let mut m = HashMap::new();
        for (field, header) in names {
            m.insert(field.to_string(), Value::from(*header));
        }
        m.insert("\u{0}header".into(), Value::Bool(true));
        self.header
            .render(&Context::from(Value::Map(m)))
            .unwrap_or_default()
    }

    fn exec_error(&self, msg: &str, subject: Subject) -> TemplateError {
        if let Some(rest) = msg.split_once(MISSING).map(|(_, r)| r) {
            let n: usize = rest.trim().parse().unwrap_or(usize::MAX);
            if let Some((pos, text)) = self.actions.get(n) {
                let (col, chain) = last_field(*pos, text);
                let key = chain.rsplit('.').next().unwrap_or_default();
                let why = match subject {
                    Subject::Map => format!("map has no entry for key {key:?}"),
                    Subject::Typed(ty) => format!("can't evaluate field {key} in type {ty}"),
                };
                let (line, col) = line_col(&self.source, col);
                return TemplateError(format!(
                    "template: :{line}:{col}: executing \"\" at <{chain}>: {why}"
                ));
            }
        }
        TemplateError(format!("template: :1: {msg}"))
    }
}

fn parse_message(msg: &str) -> String {
    // gtmpl: "template: NAME:LINE: what"; Go: "template: :LINE: what".
    match msg.strip_prefix("template: ") {
        Some(rest) => format!("template: {rest}"),
        None => format!("template: :1: {msg}"),
    }
}

/// Line and column (0-based byte in the line, as Go counts) of a byte offset.
fn line_col(s: &str, pos: usize) -> (usize, usize) {
    let before = &s[..pos.min(s.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(pos, |i| pos - i - 1);
    (line, col)
}

/// The last field chain (`.A.B`) of an action and its offset in the source.
fn last_field(pos: usize, text: &str) -> (usize, String) {
    let bytes = text.as_bytes();
    let mut best = (pos, text.trim().to_string());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'`' {
            i = skip_string(bytes, i);
            continue;
        }
        let starts_chain = c == b'.'
            && (i == 0
                || !(bytes[i - 1].is_ascii_alphanumeric()
                    || bytes[i - 1] == b'_'
                    || bytes[i - 1] == b')'));
        if starts_chain {
            let start = i;
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.')
            {
                i += 1;
            }
            if i > start + 1 {
                best = (pos + start, text[start..i].to_string());
            }
            continue;
        }
        i += 1;
    }
    best
}

fn skip_string(b: &[u8], start: usize) -> usize {
    let q = b[start];
    let mut i = start + 1;
    while i < b.len() {
        if q != b'`' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// JSON to gtmpl's values: objects are maps (a missing key is "no value").
pub fn to_value(v: &Json) -> Value {
    match v {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or_default())
            }
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(to_value).collect()),
        Json::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
    }
}

/// gtmpl's values back to JSON (for `json`).
fn to_json(v: &Value) -> Json {
    match v {
        Value::NoValue | Value::Nil | Value::Function(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Json::from(i)
            } else if let Some(u) = n.as_u64() {
                Json::from(u)
            } else {
                Json::from(n.as_f64().unwrap_or_default())
            }
        }
        Value::Array(a) => Json::Array(a.iter().map(to_json).collect()),
        Value::Object(o) | Value::Map(o) => {
            Json::Object(o.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// A value as Go's `%v` prints it.
pub fn go_string(v: &Value) -> String {
    let mut s = String::new();
    write_go(&mut s, v);
    s
}

fn write_go(s: &mut String, v: &Value) {
    match v {
        Value::NoValue => s.push_str("<no value>"),
        Value::Nil => s.push_str("<nil>"),
        Value::Bool(b) => {
            let _ = write!(s, "{b}");
        }
        Value::String(t) => s.push_str(t),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(s, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(s, "{u}");
            } else {
                let f = n.as_f64().unwrap_or_default();
                if f.fract() == 0.0 && f.abs() < 1e21 {
                    let _ = write!(s, "{f:.0}");
                } else {
                    let _ = write!(s, "{f}");
                }
            }
        }
        Value::Function(_) => s.push_str("<func>"),
        Value::Array(a) => {
            s.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                write_go(s, x);
            }
            s.push(']');
        }
        Value::Object(o) | Value::Map(o) => {
            s.push_str("map[");
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                s.push_str(k);
                s.push(':');
                write_go(s, &o[k]);
            }
            s.push(']');
        }
    }
}

fn missing(n: &Value) -> FuncError {
    FuncError::Generic(format!("{MISSING} {}", go_string(n)))
}

fn arg<'a>(args: &'a [Value], i: usize, name: &str) -> Result<&'a Value, FuncError> {
    args.get(i)
        .ok_or_else(|| FuncError::ExactlyXArgs(name.into(), i + 1))
}

fn string_arg(args: &[Value], i: usize, name: &str) -> Result<String, FuncError> {
    match arg(args, i, name)? {
        Value::String(s) => Ok(s.clone()),
        Value::NoValue => Err(FuncError::Generic(format!(
            "{name}: missing argument {}",
            i + 1
        ))),
        v => Ok(go_string(v)),
    }
}

fn int_arg(args: &[Value], i: usize, name: &str) -> Result<i64, FuncError> {
    match arg(args, i, name)? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or(FuncError::UnableToConvertFromValue),
        _ => Err(FuncError::Generic(format!(
            "{name}: argument {} is not an integer",
            i + 1
        ))),
    }
}

const FUNCS: &[(&str, Func)] = &[
    ("__print", print_value as Func),
    ("__values", values as Func),
    ("__keys", keys as Func),
    ("__label", label as Func),
    ("json", json as Func),
    ("join", join as Func),
    ("split", split as Func),
    ("lower", lower as Func),
    ("upper", upper as Func),
    ("title", title as Func),
    ("pad", pad as Func),
    ("truncate", truncate as Func),
    ("println", println as Func),
    ("print", print as Func),
    ("eq", eq as Func),
    ("ne", ne as Func),
];

/// Docker's header functions: each gives back its first argument.
const HEADER_FUNCS: &[(&str, Func)] = &[
    ("json", first as Func),
    ("join", first as Func),
    ("split", first as Func),
    ("lower", first as Func),
    ("upper", first as Func),
    ("title", first as Func),
    ("pad", first as Func),
    ("truncate", first as Func),
    ("__print", print_header as Func),
];

fn first(args: &[Value]) -> Result<Value, FuncError> {
    Ok(args.first().cloned().unwrap_or(Value::NoValue))
}

/// `__print N VALUE`: VALUE as Go prints it; a missing key is an error.
fn print_value(args: &[Value]) -> Result<Value, FuncError> {
    let n = arg(args, 0, "__print")?;
    match args.get(1) {
        Some(Value::NoValue) | None => Err(missing(n)),
        Some(v) => Ok(Value::String(go_string(v))),
    }
}

fn print_header(args: &[Value]) -> Result<Value, FuncError> {
    match args.get(1) {
        Some(Value::NoValue) | None => Ok(Value::from("")),
        Some(v) => Ok(Value::String(go_string(v))),
    }
}

/// A map's values in the order of its keys (Go's `range`); anything else as it is.
fn values(args: &[Value]) -> Result<Value, FuncError> {
    match arg(args, 0, "range")? {
        Value::Map(m) | Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Ok(Value::Array(
                keys.into_iter().map(|k| m[k].clone()).collect(),
            ))
        }
        v => Ok(v.clone()),
    }
}

/// A map's sorted keys, or a list's indexes.
fn keys(args: &[Value]) -> Result<Value, FuncError> {
    match arg(args, 0, "range")? {
        Value::Map(m) | Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Ok(Value::Array(
                keys.into_iter().map(|k| Value::from(k.as_str())).collect(),
            ))
        }
        Value::Array(a) => Ok(Value::Array((0..a.len()).map(Value::from).collect())),
        v => Ok(v.clone()),
    }
}

/// `{{.Label "k"}}` of `ps`: the label's value, "" without it. On the header row, the
/// label's name as Docker heads its column.
fn label(args: &[Value]) -> Result<Value, FuncError> {
    let dot = arg(args, 0, "Label")?;
    let name = string_arg(args, 1, "Label")?;
    let Value::Map(m) = dot else {
        return Err(FuncError::Generic("Label: not a container".into()));
    };
    if m.contains_key("\u{0}header") {
        let last = name.rsplit('.').next().unwrap_or_default();
        return Ok(Value::String(last.replace(['-', '_'], " ").to_uppercase()));
    }
    if let Some(Value::Map(labels)) = m.get("\u{0}labels") {
        return Ok(labels.get(&name).cloned().unwrap_or(Value::from("")));
    }
    let labels = match m.get("Labels") {
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    let found = labels
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    Ok(Value::String(found))
}

fn json(args: &[Value]) -> Result<Value, FuncError> {
    let v = arg(args, 0, "json")?;
    if *v == Value::NoValue {
        return Err(FuncError::Generic("json: missing value".into()));
    }
    Ok(Value::String(to_json(v).to_string()))
}

fn join(args: &[Value]) -> Result<Value, FuncError> {
    let sep = string_arg(args, 1, "join")?;
    match arg(args, 0, "join")? {
        Value::Array(a) => Ok(Value::String(
            a.iter().map(go_string).collect::<Vec<_>>().join(&sep),
        )),
        Value::Nil => Ok(Value::from("")),
        v => Err(FuncError::Generic(format!(
            "wrong type for value; expected []string; got {}",
            go_string(v)
        ))),
    }
}

fn split(args: &[Value]) -> Result<Value, FuncError> {
    let s = string_arg(args, 0, "split")?;
    let sep = string_arg(args, 1, "split")?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::from).collect()
    };
    Ok(Value::Array(parts))
}

fn lower(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(string_arg(args, 0, "lower")?.to_lowercase()))
}

fn upper(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::String(string_arg(args, 0, "upper")?.to_uppercase()))
}

/// Each word's first letter in upper case, the rest kept.
fn title(args: &[Value]) -> Result<Value, FuncError> {
    let s = string_arg(args, 0, "title")?;
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start && c.is_alphanumeric() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !(c.is_alphanumeric() || c == '\'' || c == '_');
    }
    Ok(Value::String(out))
}

/// `pad S PREFIX SUFFIX`: spaces around a non-empty string.
fn pad(args: &[Value]) -> Result<Value, FuncError> {
    let s = string_arg(args, 0, "pad")?;
    if s.is_empty() {
        return Ok(Value::String(s));
    }
    let before = int_arg(args, 1, "pad")?.max(0) as usize;
    let after = int_arg(args, 2, "pad")?.max(0) as usize;
    Ok(Value::String(format!(
        "{}{s}{}",
        " ".repeat(before),
        " ".repeat(after)
    )))
}

/// `truncate S N`: the first N characters.
fn truncate(args: &[Value]) -> Result<Value, FuncError> {
    let s = string_arg(args, 0, "truncate")?;
    let n = int_arg(args, 1, "truncate")?.max(0) as usize;
    Ok(Value::String(s.chars().take(n).collect()))
}

/// Go's `fmt.Sprintln`: operands separated by spaces, a newline at the end.
fn println(args: &[Value]) -> Result<Value, FuncError> {
    let mut s: Vec<String> = Vec::with_capacity(args.len());
    for a in args {
        if *a == Value::NoValue {
            return Err(FuncError::Generic("println: missing value".into()));
        }
        s.push(go_string(a));
    }
    Ok(Value::String(s.join(" ") + "\n"))
}

/// Go's `fmt.Sprint`: a space between operands when neither is a string.
fn print(args: &[Value]) -> Result<Value, FuncError> {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && !matches!(a, Value::String(_)) && !matches!(args[i - 1], Value::String(_)) {
            out.push(' ');
        }
        write_go(&mut out, a);
    }
    Ok(Value::String(out))
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        _ => a == b,
    }
}

/// Go's `eq`: the first argument equals any of the others.
fn eq(args: &[Value]) -> Result<Value, FuncError> {
    if args.len() < 2 {
        return Err(FuncError::AtLeastXArgs("eq".into(), 2));
    }
    Ok(Value::Bool(args[1..].iter().any(|x| same(&args[0], x))))
}

fn ne(args: &[Value]) -> Result<Value, FuncError> {
    if args.len() != 2 {
        return Err(FuncError::ExactlyXArgs("ne".into(), 2));
    }
    Ok(Value::Bool(!same(&args[0], &args[1])))
}

/// Rewrites the actions of `source` as the module's comment says; the rewritten text and,
/// by number, each printing action's position and original text.
fn rewrite(source: &str) -> Result<(String, Vec<(usize, String)>), TemplateError> {
    let mut out = String::with_capacity(source.len() + 32);
    let mut actions = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut range_n = 0;
    while let Some(off) = source[i..].find("{{") {
        let open = i + off;
        out.push_str(&source[i..open]);
        // Find the closing braces outside string literals.
        let mut j = open + 2;
        let mut close = None;
        while j < bytes.len() {
            match bytes[j] {
                b'"' | b'`' | b'\'' => j = skip_string(bytes, j),
                b'}' if bytes.get(j + 1) == Some(&b'}') => {
                    close = Some(j);
                    break;
                }
                _ => j += 1,
            }
        }
        let Some(close) = close else {
            return Err(TemplateError(format!(
                "template: :{}: unclosed action",
                line_col(source, open).0
            )));
        };
        let mut inner = &source[open + 2..close];
        let mut left = "";
        let mut right = "";
        if let Some(r) = inner.strip_prefix("- ") {
            left = "- ";
            inner = r;
        }
        if let Some(r) = inner.strip_suffix(" -") {
            right = " -";
            inner = r;
        }
        let body_pos = open + 2 + left.len();
        let trimmed = inner.trim();
        let word = trimmed
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or_default();
        let body = rewrite_methods(inner);
        let new = if trimmed.starts_with("/*") {
            inner.to_string()
        } else {
            match word {
                "if" | "with" | "else" | "end" | "define" | "template" | "block" | "break"
                | "continue" => body,
                "range" => {
                    let rest = body.trim_start().strip_prefix("range").unwrap_or_default();
                    range_n += 1;
                    rewrite_range(rest, range_n, left, right)
                }
                _ if is_declaration(trimmed) => body,
                _ => {
                    let n = actions.len();
                    actions.push((body_pos, inner.to_string()));
                    format!("{body} | __print {n}")
                }
            }
        };
        if new.starts_with("{{") {
            out.push_str(&new);
            i = close + 2;
            continue;
        }
        out.push_str("{{");
        out.push_str(left);
        out.push_str(&new);
        if !new.ends_with("}}") {
            out.push_str(right);
            out.push_str("}}");
        }
        i = close + 2;
    }
    out.push_str(&source[i..]);
    Ok((out, actions))
}

/// `range PIPE`, `range $v := PIPE`, `range $k, $v := PIPE` in key order.
fn rewrite_range(rest: &str, n: usize, left: &str, right: &str) -> String {
    let (decl, pipe) = match rest.split_once(":=") {
        Some((d, p)) if d.trim().starts_with('$') => (Some(d.trim()), p.trim()),
        _ => (None, rest.trim()),
    };
    match decl.map(|d| d.split(',').map(str::trim).collect::<Vec<_>>()) {
        None => format!(" range __values ({pipe}) "),
        Some(vars) if vars.len() == 1 => {
            format!(" range {} := __values ({pipe}) ", vars[0])
        }
        Some(vars) => {
            // The keys are taken before the range: inside it, dot is an element.
            let (idx, keys) = (format!("$__i{n}"), format!("$__k{n}"));
            format!(
                "{{{{{left}{keys} := __keys ({pipe})}}}}{{{{range {idx}, {} := __values ({pipe})}}}}\
                 {{{{{} := index {keys} {idx}{right}}}}}",
                vars[1], vars[0]
            )
        }
    }
}

fn is_declaration(s: &str) -> bool {
    s.starts_with('$')
        && s.split_once('=').is_some_and(|(l, _)| {
            let l = l.trim_end_matches(':').trim();
            l.split(',').all(|v| {
                let v = v.trim();
                v.starts_with('$') && v[1..].chars().all(|c| c.is_alphanumeric() || c == '_')
            })
        })
}

/// `.Label ARGS` (a method of dot with arguments) → `__label . ARGS`.
fn rewrite_methods(inner: &str) -> String {
    let bytes = inner.as_bytes();
    let mut out = String::with_capacity(inner.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'`' || c == b'\'' {
            let end = skip_string(bytes, i);
            out.push_str(&inner[i..end]);
            i = end;
            continue;
        }
        if inner[i..].starts_with(".Label")
            && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'(')
            && bytes.get(i + 6).is_some_and(|b| b.is_ascii_whitespace())
        {
            out.push_str("__label .");
            i += 6;
            continue;
        }
        out.push(c as char);
        i += 1;
    }
    // Bytes pushed one by one as chars would break UTF-8: rebuild from the original slices
    // when the action has non-ASCII text.
    if inner.is_ascii() {
        out
    } else {
        inner.replace(".Label ", "__label . ")
    }
}

/// Go's tabwriter as Docker's tables use it (minimum width 10, padding 3, spaces): cells
/// ended by a tab are aligned in columns; the last cell of a line is not padded.
pub fn tabwrite(text: &str) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<usize> = Vec::new();
    for cells in &lines {
        for (i, c) in cells.iter().enumerate().take(cells.len().saturating_sub(1)) {
            let w = (c.chars().count() + 3).max(10);
            if widths.len() <= i {
                widths.resize(i + 1, 0);
            }
            widths[i] = widths[i].max(w);
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    for (n, cells) in lines.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let last = cells.len() - 1;
        for (i, c) in cells.iter().enumerate() {
            out.push_str(c);
            if i < last {
                let pad = widths[i] - c.chars().count();
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(t: &str, data: Json) -> Result<String, TemplateError> {
        GoTemplate::parse(t)?.render(&data, Subject::Map)
    }

    fn ok(t: &str, data: Json) -> String {
        render(t, data).unwrap()
    }

    #[test]
    fn fields_and_go_printing() {
        let d = json!({"ID": "abc", "N": 5, "F": 1.5, "L": ["a", "b"], "M": {"b": 2, "a": 1},
                       "Z": null, "T": true});
        assert_eq!(ok("{{.ID}}:{{ .N }}", d.clone()), "abc:5");
        assert_eq!(
            ok("{{.L}} {{.M}} {{.Z}} {{.T}} {{.F}}", d.clone()),
            "[a b] map[a:1 b:2] <nil> true 1.5"
        );
        assert_eq!(
            ok("{{json .L}}|{{json .}}", json!({"L": ["x"]})),
            r#"["x"]|{"L":["x"]}"#
        );
    }

    #[test]
    fn control_structures() {
        let d = json!({"Nets": {"b": {"IP": "2"}, "a": {"IP": "1"}}, "L": ["x", "y"], "E": "",
                       "Code": 0, "S": {"H": null}});
        assert_eq!(ok("{{range .Nets}}{{.IP}}{{end}}", d.clone()), "12");
        assert_eq!(
            ok(
                "{{range $k, $v := .Nets}}{{$k}}={{$v.IP}};{{end}}",
                d.clone()
            ),
            "a=1;b=2;"
        );
        assert_eq!(
            ok("{{range $i, $v := .L}}{{$i}}{{$v}}{{end}}", d.clone()),
            "0x1y"
        );
        assert_eq!(ok("{{range $v := .L}}{{$v}}{{end}}", d.clone()), "xy");
        assert_eq!(ok("{{if .E}}yes{{else}}no{{end}}", d.clone()), "no");
        assert_eq!(ok("{{if eq .Code 0}}zero{{end}}", d.clone()), "zero");
        assert_eq!(ok("{{with .Nets.a}}{{.IP}}{{end}}", d.clone()), "1");
        assert_eq!(
            ok("{{if .S.Health}}h{{else}}none{{end}}", d.clone()),
            "none"
        );
        assert_eq!(
            ok(
                "{{index .L 1}} {{len .L}} {{printf \"%s-%d\" .E 3}}",
                d.clone()
            ),
            "y 2 -3"
        );
        assert_eq!(ok("{{- .E -}} x {{- .E }}", d.clone()), "x");
        assert_eq!(ok("{{$x := .L}}{{index $x 0}}", d), "x");
    }

    #[test]
    fn docker_functions() {
        let d = json!({"S": "Hello world-x", "L": ["a", "b"], "E": ""});
        assert_eq!(ok("{{join .L \", \"}}", d.clone()), "a, b");
        assert_eq!(ok("{{split \"a:b\" \":\"}}", d.clone()), "[a b]");
        assert_eq!(
            ok("{{lower .S}} {{upper .S}}", d.clone()),
            "hello world-x HELLO WORLD-X"
        );
        assert_eq!(ok("{{title \"hello world\"}}", d.clone()), "Hello World");
        assert_eq!(
            ok("[{{pad .S 1 2}}][{{pad .E 1 2}}]", d.clone()),
            "[ Hello world-x  ][]"
        );
        assert_eq!(
            ok("{{truncate .S 5}}|{{truncate .S 50}}", d.clone()),
            "Hello|Hello world-x"
        );
        assert_eq!(ok("{{println .S 3}}", d.clone()), "Hello world-x 3\n");
        assert_eq!(ok("{{.S | upper}}", d), "HELLO WORLD-X");
    }

    #[test]
    fn label_method() {
        let d = json!({"Labels": "a=1,b.c=2"});
        assert_eq!(ok("{{.Label \"b.c\"}}|{{.Label \"x\"}}", d), "2|");
        let t = GoTemplate::parse("{{.ID}}\t{{.Label \"com.x-y\"}}").unwrap();
        assert_eq!(
            t.render_header(&[("ID", "CONTAINER ID")]),
            "CONTAINER ID\tX Y"
        );
    }

    #[test]
    fn missing_fields_fail_as_docker() {
        let e = render("{{.Nope}}", json!({"A": 1})).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#
        );
        let e = render("x {{.A.Nope}}", json!({"A": {}})).unwrap_err();
        assert!(
            e.to_string()
                .contains(r#":1:4: executing "" at <.A.Nope>: map has no entry for key "Nope""#),
            "{e}"
        );
        let e = GoTemplate::parse("{{.Nope}}")
            .unwrap()
            .render(&json!({}), Subject::Typed("*formatter.ContainerContext"))
            .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("can't evaluate field Nope in type *formatter.ContainerContext")
        );
        assert!(GoTemplate::parse("{{.A").is_err());
        assert!(render("{{nofunc .A}}", json!({"A": 1})).is_err());
    }

    #[test]
    fn headers_and_tabwriter() {
        let t = GoTemplate::parse("{{.ID}}\t{{upper .Names}}").unwrap();
        assert_eq!(
            t.render_header(&[("ID", "CONTAINER ID"), ("Names", "NAMES")]),
            "CONTAINER ID\tNAMES"
        );
        assert_eq!(tabwrite("A\tBB\nxxxx\ty"), "A         BB\nxxxx      y");
        assert_eq!(
            tabwrite("CONTAINER ID\tNAMES\nabc\tweb"),
            "CONTAINER ID   NAMES\nabc            web"
        );
    }
}
