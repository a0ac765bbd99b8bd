//! The typed instructions and the reading of each one from its line, with Docker's checks and
//! messages. Words that Docker expands (ENV, LABEL, ARG, COPY, …) are kept as written here
//! (quotes and all): [`crate::build::stages::StageScope`] expands them when the step's
//! variables are known.

use std::time::Duration;

use super::flags::{FlagType, Flags};
use super::lexer::{self, Heredoc, RawNode};
use super::mount::{Mount, parse_mount};

/// A command as written: a string for the shell, or an argument vector.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum CommandForm {
    Shell(String),
    Exec(Vec<String>),
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct From {
    /// The base as written (`${IMAGE}`, `scratch`, `build`): expanded with the global ARGs.
    pub image: String,
    /// `AS name`, lowercased.
    pub name: Option<String>,
    /// `--platform=`, as written.
    pub platform: Option<String>,
}

#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Default,
    None,
    Host,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub command: CommandForm,
    /// `--mount` values as written (read again with the step's variables).
    pub mount_specs: Vec<String>,
    /// The mounts as read at parse time (values with variables not read yet).
    pub mounts: Vec<Mount>,
    pub network: Option<NetworkMode>,
    pub heredocs: Vec<Heredoc>,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: String,
    pub default: Option<String>,
}

/// A COPY or ADD source: a path (pattern) in the context, stage or image, or a heredoc's body.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Path(String),
    Heredoc(Heredoc),
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    pub sources: Vec<Source>,
    pub dest: String,
    /// `--from=`: a stage name or index, or an image.
    pub from: Option<String>,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Add {
    pub sources: Vec<Source>,
    pub dest: String,
    pub chown: Option<String>,
    pub chmod: Option<String>,
    pub link: bool,
    /// `--checksum=sha256:…` of a URL source.
    pub checksum: Option<String>,
    pub keep_git_dir: bool,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum Healthcheck {
    /// `HEALTHCHECK NONE`: no check, not even the base image's.
    None,
    Check {
        /// `CMD-SHELL` with one string, or `CMD` with a vector.
        test: CommandForm,
        interval: Option<Duration>,
        timeout: Option<Duration>,
        start_period: Option<Duration>,
        start_interval: Option<Duration>,
        retries: Option<u32>,
    },
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Onbuild {
    /// The trigger as written after `ONBUILD` (what goes into the image's config).
    pub expression: String,
    /// The trigger, read (and checked) now.
    pub trigger: Box<Instruction>,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    From(From),
    Run(Run),
    Cmd(CommandForm),
    Entrypoint(CommandForm),
    Env(Vec<KeyValue>),
    Arg(Vec<ArgDecl>),
    Label(Vec<KeyValue>),
    Expose(Vec<String>),
    Volume(Vec<String>),
    User(String),
    Workdir(String),
    Copy(Copy),
    Add(Add),
    /// Always in JSON form.
    Shell(Vec<String>),
    StopSignal(String),
    Healthcheck(Healthcheck),
    Onbuild(Onbuild),
    /// Deprecated; kept as the image's author.
    Maintainer(String),
}

impl Instruction {
    /// The keyword, upper case.
    pub fn keyword(&self) -> &'static str {
        match self {
            Instruction::From(_) => "FROM",
            Instruction::Run(_) => "RUN",
            Instruction::Cmd(_) => "CMD",
            Instruction::Entrypoint(_) => "ENTRYPOINT",
            Instruction::Env(_) => "ENV",
            Instruction::Arg(_) => "ARG",
            Instruction::Label(_) => "LABEL",
            Instruction::Expose(_) => "EXPOSE",
            Instruction::Volume(_) => "VOLUME",
            Instruction::User(_) => "USER",
            Instruction::Workdir(_) => "WORKDIR",
            Instruction::Copy(_) => "COPY",
            Instruction::Add(_) => "ADD",
            Instruction::Shell(_) => "SHELL",
            Instruction::StopSignal(_) => "STOPSIGNAL",
            Instruction::Healthcheck(_) => "HEALTHCHECK",
            Instruction::Onbuild(_) => "ONBUILD",
            Instruction::Maintainer(_) => "MAINTAINER",
        }
    }
}

fn none(node: &RawNode) -> Result<(), String> {
    Flags::parse(&node.flags, &[]).map(|_| ())
}

fn exactly_one(node: &RawNode, name: &str) -> Result<String, String> {
    none(node)?;
    if node.rest.is_empty() {
        return Err(format!("{name} requires exactly one argument"));
    }
    Ok(node.rest.clone())
}

fn whitespace_words(rest: &str) -> Vec<String> {
    rest.split([' ', '\t', '\x0b', '\x0c', '\r'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// JSON array or whitespace-separated words (COPY, ADD, VOLUME).
fn json_or_words(rest: &str) -> Result<Vec<String>, String> {
    match lexer::json_array(rest) {
        Some(r) => r,
        None => Ok(whitespace_words(rest)),
    }
}

/// JSON array or a string for the shell (RUN, CMD, ENTRYPOINT, SHELL).
fn command_form(rest: &str) -> Result<CommandForm, String> {
    match lexer::json_array(rest) {
        Some(r) => r.map(CommandForm::Exec),
        None => Ok(CommandForm::Shell(rest.to_string())),
    }
}

/// ENV and LABEL: `key value` (one pair, the value the rest of the line) or `k=v …`.
fn name_values(rest: &str, name: &str, escape: char) -> Result<Vec<KeyValue>, String> {
    let words = lexer::words(rest, escape);
    if words.is_empty() {
        return Err(format!("{name} requires at least one argument"));
    }
    if !words[0].contains('=') {
        let mut parts = rest.splitn(2, [' ', '\t', '\x0b', '\x0c', '\r']);
        let key = parts.next().unwrap_or_default();
        let value = parts.next().map(|v| v.trim_start()).unwrap_or_default();
        if value.is_empty() {
            return Err(format!("{name} must have two arguments"));
        }
        return Ok(vec![KeyValue {
            key: key.to_string(),
            value: value.to_string(),
        }]);
    }
    let mut out = Vec::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            ));
        };
        if k.is_empty() {
            return Err(format!("{name} names can not be blank"));
        }
        out.push(KeyValue {
            key: k.to_string(),
            value: v.to_string(),
        });
    }
    Ok(out)
}

/// The sources and destination of COPY/ADD; heredoc words take their bodies.
fn sources_and_dest(node: &RawNode, name: &str) -> Result<(Vec<Source>, String), String> {
    let args = json_or_words(&node.rest)?;
    if args.len() < 2 {
        return Err(format!(
            "{name} requires at least two arguments, but only one was provided. Destination could not be determined."
        ));
    }
    let (srcs, dest) = args.split_at(args.len() - 1);
    let dest = dest[0].clone();
    if lexer::parse_heredoc(&dest).is_some() && !node.heredocs.is_empty() {
        return Err(format!("{name} cannot accept a heredoc as a destination"));
    }
    let json = lexer::json_array(&node.rest).is_some();
    let mut sources = Vec::new();
    for s in srcs {
        let doc = if json {
            None
        } else {
            lexer::parse_heredoc(s)
                .and_then(|h| node.heredocs.iter().find(|d| d.name == h.name).cloned())
        };
        sources.push(match doc {
            Some(d) => Source::Heredoc(d),
            None => Source::Path(s.clone()),
        });
    }
    Ok((sources, dest))
}

/// A duration as Go's `time.ParseDuration` reads it (`1m30s`, `500ms`, `1.5h`).
pub fn parse_go_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("time: invalid duration {s:?}");
    let body = s.strip_prefix('+').unwrap_or(s);
    if let Some(neg) = body.strip_prefix('-') {
        if !neg.is_empty() && neg.chars().all(|c| c == '0') {
            return Ok(Duration::ZERO);
        }
        return Err(format!("negative duration {s:?}"));
    }
    if body == "0" {
        return Ok(Duration::ZERO);
    }
    if body.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = body;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("time: missing unit in duration {s:?}"))?;
        let (num, tail) = rest.split_at(n);
        if num.is_empty() || num == "." {
            return Err(bad());
        }
        let value: f64 = num.parse().map_err(|_| bad())?;
        let u = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(u);
        let nanos = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(format!("time: unknown unit {unit:?} in duration {s:?}")),
        };
        total += value * nanos;
        rest = tail;
    }
    if total > u64::MAX as f64 {
        return Err(bad());
    }
    Ok(Duration::from_nanos(total as u64))
}

fn interval(flags: &Flags, name: &str) -> Result<Option<Duration>, String> {
    let Some(v) = flags.string(name) else {
        return Ok(None);
    };
    if v.is_empty() {
        return Ok(None);
    }
    let d = parse_go_duration(&v)?;
    if d.is_zero() {
        return Ok(None);
    }
    if d < Duration::from_millis(1) {
        return Err(format!("Interval {name:?} cannot be less than 1ms"));
    }
    Ok(Some(d))
}

fn healthcheck(node: &RawNode) -> Result<Healthcheck, String> {
    let rest = node.rest.as_str();
    let (kind, cmd) = match rest.find(char::is_whitespace) {
        Some(at) => (&rest[..at], rest[at..].trim_start()),
        None => (rest, ""),
    };
    if kind.is_empty() {
        return Err("HEALTHCHECK requires at least one argument".into());
    }
    let kind = kind.to_ascii_uppercase();
    if kind == "NONE" {
        if !cmd.is_empty() {
            return Err("HEALTHCHECK NONE takes no arguments".into());
        }
        return Ok(Healthcheck::None);
    }
    let flags = Flags::parse(
        &node.flags,
        &[
            ("interval", FlagType::String),
            ("timeout", FlagType::String),
            ("start-period", FlagType::String),
            ("start-interval", FlagType::String),
            ("retries", FlagType::String),
        ],
    )?;
    if kind != "CMD" {
        return Err(format!("unknown type {kind:?} in HEALTHCHECK (try CMD)"));
    }
    let test = command_form(cmd)?;
    let empty = match &test {
        CommandForm::Shell(s) => s.is_empty(),
        CommandForm::Exec(v) => v.is_empty(),
    };
    if empty {
        return Err("missing command after HEALTHCHECK CMD".into());
    }
    let retries = match flags.string("retries") {
        Some(r) if !r.is_empty() => {
            let n: i64 = r
                .parse()
                .map_err(|_| format!("strconv.ParseInt: parsing {r:?}: invalid syntax"))?;
            if n < 0 {
                return Err(format!("--retries cannot be negative ({n})"));
            }
            Some(u32::try_from(n).map_err(|_| format!("--retries out of range ({n})"))?)
        }
        _ => None,
    };
    Ok(Healthcheck::Check {
        test,
        interval: interval(&flags, "interval")?,
        timeout: interval(&flags, "timeout")?,
        start_period: interval(&flags, "start-period")?,
        start_interval: interval(&flags, "start-interval")?,
        retries,
    })
}

/// `FROM image [AS name]`.
fn from(node: &RawNode) -> Result<From, String> {
    let flags = Flags::parse(&node.flags, &[("platform", FlagType::String)])?;
    let args = whitespace_words(&node.rest);
    let name = match args.len() {
        1 => None,
        3 if args[1].eq_ignore_ascii_case("as") => {
            let name = args[2].to_ascii_lowercase();
            if !valid_stage_name(&name) {
                return Err(format!(
                    "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                    args[2]
                ));
            }
            Some(name)
        }
        _ => return Err("FROM requires either one or three arguments".into()),
    };
    Ok(From {
        image: args[0].clone(),
        name,
        platform: flags.string("platform"),
    })
}

/// `^[a-z][a-z0-9-_.]*$`
pub fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

fn run(node: &RawNode) -> Result<Run, String> {
    let flags = Flags::parse(
        &node.flags,
        &[("mount", FlagType::Strings), ("network", FlagType::String)],
    )?;
    if node.rest.is_empty() {
        return Err("RUN requires at least one argument".into());
    }
    let network = match flags.string("network").as_deref() {
        None => None,
        Some("default") => Some(NetworkMode::Default),
        Some("none") => Some(NetworkMode::None),
        Some("host") => Some(NetworkMode::Host),
        Some(other) => return Err(format!("unsupported network mode {other:?}")),
    };
    let mount_specs = flags.strings("mount");
    let mounts = mount_specs
        .iter()
        .map(|s| parse_mount(s, None))
        .collect::<Result<_, _>>()?;
    Ok(Run {
        command: command_form(&node.rest)?,
        mount_specs,
        mounts,
        network,
        heredocs: node.heredocs.clone(),
    })
}

fn arg(node: &RawNode, escape: char) -> Result<Vec<ArgDecl>, String> {
    none(node)?;
    let words = lexer::words(&node.rest, escape);
    if words.is_empty() {
        return Err("ARG requires at least one argument".into());
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some(("", _)) => Err("ARG names can not be blank".to_string()),
            Some((k, v)) => Ok(ArgDecl {
                name: k.to_string(),
                default: Some(v.to_string()),
            }),
            None => Ok(ArgDecl {
                name: w,
                default: None,
            }),
        })
        .collect()
}

fn onbuild(node: &RawNode, escape: char) -> Result<Onbuild, String> {
    none(node)?;
    if node.rest.is_empty() {
        return Err("ONBUILD requires at least one argument".into());
    }
    // The trigger keeps its own flags: read them again from what follows ONBUILD.
    let after = node.original.trim_start();
    let expression = after[after.find(char::is_whitespace).unwrap_or(after.len())..]
        .trim()
        .to_string();
    let (keyword, flags, rest) = lexer::split_command(&expression)?;
    match keyword.to_ascii_uppercase().as_str() {
        "ONBUILD" => return Err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".into()),
        k @ ("MAINTAINER" | "FROM") => {
            return Err(format!("{k} isn't allowed as an ONBUILD trigger"));
        }
        _ => {}
    }
    let inner = RawNode {
        start_line: node.start_line,
        end_line: node.end_line,
        keyword,
        flags,
        rest,
        original: expression.clone(),
        heredocs: Vec::new(),
    };
    Ok(Onbuild {
        expression,
        trigger: Box::new(instruction(&inner, escape)?),
    })
}

/// Reads one instruction. The error is Docker's text (without the line, which the caller adds).
pub(crate) fn instruction(node: &RawNode, escape: char) -> Result<Instruction, String> {
    let kw = node.keyword.to_ascii_lowercase();
    Ok(match kw.as_str() {
        "from" => Instruction::From(from(node)?),
        "run" => Instruction::Run(run(node)?),
        "cmd" | "entrypoint" => {
            none(node)?;
            let form = command_form(&node.rest)?;
            if kw == "cmd" {
                Instruction::Cmd(form)
            } else {
                Instruction::Entrypoint(form)
            }
        }
        "env" => {
            none(node)?;
            Instruction::Env(name_values(&node.rest, "ENV", escape)?)
        }
        "label" => {
            none(node)?;
            Instruction::Label(name_values(&node.rest, "LABEL", escape)?)
        }
        "arg" => Instruction::Arg(arg(node, escape)?),
        "expose" => {
            none(node)?;
            let ports = whitespace_words(&node.rest);
            if ports.is_empty() {
                return Err("EXPOSE requires at least one argument".into());
            }
            Instruction::Expose(ports)
        }
        "volume" => {
            none(node)?;
            let v = json_or_words(&node.rest)?;
            if v.is_empty() {
                return Err("VOLUME requires at least one argument".into());
            }
            if v.iter().any(|p| p.trim().is_empty()) {
                return Err("VOLUME specified can not be an empty string".into());
            }
            Instruction::Volume(v)
        }
        "user" => Instruction::User(exactly_one(node, "USER")?),
        "workdir" => Instruction::Workdir(exactly_one(node, "WORKDIR")?),
        "stopsignal" => Instruction::StopSignal(exactly_one(node, "STOPSIGNAL")?),
        "maintainer" => Instruction::Maintainer(exactly_one(node, "MAINTAINER")?),
        "copy" => {
            let f = Flags::parse(
                &node.flags,
                &[
                    ("from", FlagType::String),
                    ("chown", FlagType::String),
                    ("chmod", FlagType::String),
                    ("link", FlagType::Bool),
                ],
            )?;
            let (sources, dest) = sources_and_dest(node, "COPY")?;
            Instruction::Copy(Copy {
                sources,
                dest,
                from: f.string("from"),
                chown: f.string("chown"),
                chmod: f.string("chmod"),
                link: f.bool("link"),
            })
        }
        "add" => {
            let f = Flags::parse(
                &node.flags,
                &[
                    ("chown", FlagType::String),
                    ("chmod", FlagType::String),
                    ("link", FlagType::Bool),
                    ("checksum", FlagType::String),
                    ("keep-git-dir", FlagType::Bool),
                ],
            )?;
            let (sources, dest) = sources_and_dest(node, "ADD")?;
            Instruction::Add(Add {
                sources,
                dest,
                chown: f.string("chown"),
                chmod: f.string("chmod"),
                link: f.bool("link"),
                checksum: f.string("checksum"),
                keep_git_dir: f.bool("keep-git-dir"),
            })
        }
        "shell" => {
            none(node)?;
            match lexer::json_array(&node.rest) {
                Some(Ok(v)) if v.is_empty() => {
                    return Err("SHELL requires at least one argument".into());
                }
                Some(r) => Instruction::Shell(r?),
                None => return Err("SHELL requires the arguments to be in JSON form".into()),
            }
        }
        "healthcheck" => Instruction::Healthcheck(healthcheck(node)?),
        "onbuild" => Instruction::Onbuild(onbuild(node, escape)?),
        _ => {
            return Err(format!(
                "unknown instruction: {}",
                node.keyword.to_ascii_uppercase()
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_go_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_go_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_go_duration("0"), Ok(Duration::ZERO));
        assert!(parse_go_duration("10").is_err());
        assert!(parse_go_duration("1d").is_err());
        assert!(parse_go_duration("").is_err());
        assert!(parse_go_duration("-1s").is_err());
    }

    #[test]
    fn stage_names() {
        assert!(valid_stage_name("build-1.x_y"));
        assert!(!valid_stage_name("1build"));
        assert!(!valid_stage_name("a/b"));
        assert!(!valid_stage_name(""));
    }
}
