//! From a parsed Dockerfile to a [`BuildPlan`]: the global ARGs (before the first FROM) with
//! the build args applied, each stage's base (an image, an earlier stage, or scratch) after
//! substitution, the stage graph (`FROM stage`, `COPY --from`, `RUN --mount=from=`), which
//! stages `--target` needs, and in which order (and which together) they may be built.
//!
//! [`StageScope`] is the ARG and ENV scope of one stage while the executor walks its steps:
//! it expands each instruction the way Docker does (ENV of a line sees the values from
//! before the line; ARG before FROM is only seen in stages that declare it again; a build
//! arg overrides a default; the proxy args reach RUN without an ARG and stay out of history).

use std::collections::BTreeSet;
use std::fmt;

use super::dockerfile::{
    Add, ArgDecl, Copy, Directives, Dockerfile, Instruction, KeyValue, Mount, Source, Step,
    mount::parse_mount,
};
use super::substitute::{self, SubstError};
use crate::error::{Classify, ErrorKind};

/// The proxy variables Docker passes to RUN steps from `--build-arg` without an ARG, and
/// leaves out of the image's history.
pub const PROXY_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// The PATH a stage from `scratch` (or a base without environment) starts with.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A build that cannot be planned or a step that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlanError {
    /// The Dockerfile line, 0 if none.
    pub line: usize,
    pub message: String,
    #[source]
    pub subst: Option<SubstError>,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "dockerfile line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl Classify for PlanError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

fn err(line: usize, message: impl Into<String>) -> PlanError {
    PlanError {
        line,
        message: message.into(),
        subst: None,
    }
}

fn subst_err(line: usize, e: SubstError) -> PlanError {
    PlanError {
        line,
        message: e.to_string(),
        subst: Some(e),
    }
}

/// The platform the build runs on and builds for (the host's: berth builds for it only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn spec(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{}", self.os, self.arch, v),
            None => format!("{}/{}", self.os, self.arch),
        }
    }

    /// The host's, in OCI's names.
    pub fn host() -> Platform {
        let (arch, variant) = match std::env::consts::ARCH {
            "x86_64" => ("amd64", None),
            "aarch64" => ("arm64", None),
            "arm" => ("arm", Some("v7".to_string())),
            "x86" => ("386", None),
            "powerpc64" => ("ppc64le", None),
            other => (other, None),
        };
        Platform {
            os: "linux".into(),
            arch: arch.into(),
            variant,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// `--build-arg NAME=VALUE`, in order (the last of a name wins).
    pub build_args: Vec<(String, String)>,
    /// `--target`: a stage name; the last stage if None.
    pub target: Option<String>,
    pub platform: Platform,
}

/// What a stage starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    Scratch,
    /// An image reference, after substitution of the global ARGs.
    Image(String),
    /// An earlier stage, by index.
    Stage(usize),
}

/// Where `COPY --from` or `RUN --mount=from=` takes files from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromRef {
    Stage(usize),
    Image(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// `AS name`, lowercased.
    pub name: Option<String>,
    pub base: Base,
    /// `--platform`, after substitution.
    pub platform: Option<String>,
    /// The FROM line.
    pub line: usize,
    /// The instructions after FROM, as written (a [`StageScope`] expands them).
    pub steps: Vec<Step>,
    /// Stages this one needs: its base, `COPY --from`, mounts `from=`; sorted.
    pub deps: Vec<usize>,
    /// Images named by `COPY --from` or a mount's `from=`.
    pub images: Vec<String>,
}

impl Stage {
    /// How Docker names a stage in its output: its name, or its index.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.index.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPlan {
    pub directives: Directives,
    /// The global scope: ARGs before the first FROM (value None: declared, not set) and the
    /// platform args (TARGETPLATFORM, BUILDARCH, …).
    pub global_args: Vec<(String, Option<String>)>,
    pub build_args: Vec<(String, String)>,
    pub stages: Vec<Stage>,
    pub target: usize,
    /// The stages the target needs (itself included), each after the stages it needs.
    pub order: Vec<usize>,
    /// Build args no ARG of the built stages (or the global scope) declares; Docker warns.
    pub unused_build_args: Vec<String>,
}

impl BuildPlan {
    /// The needed stages in waves: the stages of a wave need only stages of earlier waves,
    /// so a wave's stages may be built in parallel.
    pub fn waves(&self) -> Vec<Vec<usize>> {
        let mut depth = vec![0usize; self.stages.len()];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for &s in &self.order {
            let d = self.stages[s]
                .deps
                .iter()
                .map(|&p| depth[p] + 1)
                .max()
                .unwrap_or(0);
            depth[s] = d;
            if waves.len() <= d {
                waves.resize(d + 1, Vec::new());
            }
            waves[d].push(s);
        }
        waves
    }

    /// A build arg's value (the last given).
    pub fn build_arg(&self, name: &str) -> Option<&str> {
        self.build_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A fresh scope for stage `index`, over its base's environment (`KEY=VALUE` strings
    /// from the base image's config, or the base stage's result).
    pub fn scope(&self, index: usize, base_env: &[String]) -> StageScope {
        let mut env: Vec<(String, String)> = base_env
            .iter()
            .map(|kv| match kv.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv.clone(), String::new()),
            })
            .collect();
        if !env.iter().any(|(k, _)| k == "PATH") && self.stages[index].base == Base::Scratch {
            env.push(("PATH".into(), DEFAULT_PATH.into()));
        }
        StageScope {
            escape: self.directives.escape,
            state_env: env.clone(),
            config_env: env,
            args: Vec::new(),
            global: self.global_args.clone(),
            build_args: self.build_args.clone(),
            shell: vec!["/bin/sh".into(), "-c".into()],
        }
    }
}

fn platform_args(p: &Platform) -> Vec<(String, Option<String>)> {
    let mut v = Vec::new();
    for prefix in ["BUILD", "TARGET"] {
        v.push((format!("{prefix}PLATFORM"), Some(p.spec())));
        v.push((format!("{prefix}OS"), Some(p.os.clone())));
        v.push((format!("{prefix}ARCH"), Some(p.arch.clone())));
        v.push((
            format!("{prefix}VARIANT"),
            Some(p.variant.clone().unwrap_or_default()),
        ));
    }
    v
}

fn lookup_in(vars: &[(String, Option<String>)], name: &str) -> Option<String> {
    vars.iter()
        .rev()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.clone())
}

/// Plans a build: global ARGs, stage bases, the graph and what the target needs.
pub fn plan(df: &Dockerfile, opts: &PlanOptions) -> Result<BuildPlan, PlanError> {
    let escape = df.directives.escape;
    let given = |name: &str| {
        opts.build_args
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut global = platform_args(&opts.platform);
    let mut declared: BTreeSet<String> = BTreeSet::new();
    let mut stages: Vec<Stage> = Vec::new();
    let mut raw_from: Vec<Vec<(usize, String)>> = Vec::new();
    for step in &df.steps {
        match &step.instruction {
            Instruction::Arg(decls) if stages.is_empty() => {
                for ArgDecl { name, default } in decls {
                    declared.insert(name.clone());
                    let value = match (given(name), default) {
                        (Some(v), _) => Some(v),
                        (None, Some(d)) => {
                            let g = global.clone();
                            let look = move |n: &str| lookup_in(&g, n);
                            Some(
                                substitute::expand(d, escape, &look)
                                    .map_err(|e| subst_err(step.line, e))?,
                            )
                        }
                        (None, None) => None,
                    };
                    global.push((name.clone(), value));
                }
            }
            Instruction::From(from) => {
                let g = global.clone();
                let look = move |n: &str| lookup_in(&g, n);
                let image = substitute::expand(&from.image, escape, &look)
                    .map_err(|e| subst_err(step.line, e))?;
                if image.is_empty() {
                    return Err(err(
                        step.line,
                        format!("base name ({}) should not be blank", from.image),
                    ));
                }
                let platform = match &from.platform {
                    Some(p) => Some(
                        substitute::expand(p, escape, &look)
                            .map_err(|e| subst_err(step.line, e))?,
                    ),
                    None => None,
                };
                if let Some(name) = &from.name
                    && stages.iter().any(|s| s.name.as_ref() == Some(name))
                {
                    return Err(err(step.line, format!("duplicate stage name {name:?}")));
                }
                let lower = image.to_ascii_lowercase();
                let base = if image == "scratch" {
                    Base::Scratch
                } else if let Some(s) = stages.iter().find(|s| s.name.as_ref() == Some(&lower)) {
                    Base::Stage(s.index)
                } else {
                    Base::Image(image)
                };
                stages.push(Stage {
                    index: stages.len(),
                    name: from.name.clone(),
                    base,
                    platform,
                    line: step.line,
                    steps: Vec::new(),
                    deps: Vec::new(),
                    images: Vec::new(),
                });
                raw_from.push(Vec::new());
            }
            other => {
                let Some(stage) = stages.last_mut() else {
                    return Err(err(step.line, "no build stage in current context"));
                };
                let refs = raw_from.last_mut().expect("one per stage");
                collect_from_refs(other, step.line, refs)?;
                stage.steps.push(step.clone());
            }
        }
    }
    if stages.is_empty() {
        return Err(err(0, "dockerfile contains no stages to build"));
    }
    // Resolve COPY --from and mount from= now that every stage is named.
    for (i, refs) in raw_from.iter().enumerate() {
        let mut deps = BTreeSet::new();
        if let Base::Stage(b) = stages[i].base {
            deps.insert(b);
        }
        let mut images = Vec::new();
        for (line, r) in refs {
            match resolve_from(&stages, r, *line)? {
                FromRef::Stage(s) => {
                    deps.insert(s);
                }
                FromRef::Image(img) => {
                    if !images.contains(&img) {
                        images.push(img);
                    }
                }
            }
        }
        stages[i].deps = deps.into_iter().collect();
        stages[i].images = images;
    }
    let target = match &opts.target {
        None => stages.len() - 1,
        Some(t) => {
            let t = t.to_ascii_lowercase();
            stages
                .iter()
                .position(|s| s.name.as_deref() == Some(&t))
                .ok_or_else(|| err(0, format!("target stage {t:?} could not be found")))?
        }
    };
    let order = topological(&stages, target)?;
    for &s in &order {
        for step in &stages[s].steps {
            if let Instruction::Arg(decls) = &step.instruction {
                declared.extend(decls.iter().map(|d| d.name.clone()));
            }
        }
    }
    let mut unused: Vec<String> = opts
        .build_args
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !declared.contains(k) && !PROXY_ARGS.contains(&k.as_str()))
        .collect();
    unused.sort();
    unused.dedup();
    Ok(BuildPlan {
        directives: df.directives.clone(),
        global_args: global,
        build_args: opts.build_args.clone(),
        stages,
        target,
        order,
        unused_build_args: unused,
    })
}

/// The `--from` values of a step, checked: Docker does not expand variables in them.
fn collect_from_refs(
    ins: &Instruction,
    line: usize,
    refs: &mut Vec<(usize, String)>,
) -> Result<(), PlanError> {
    let mut push = |v: &str| -> Result<(), PlanError> {
        let plain = substitute::expand(v, '\\', &|_| None).ok();
        if plain.as_deref() != Some(v) {
            return Err(err(
                line,
                "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
            ));
        }
        refs.push((line, v.to_string()));
        Ok(())
    };
    match ins {
        Instruction::Copy(Copy { from: Some(f), .. }) => push(f)?,
        Instruction::Run(run) => {
            for m in &run.mounts {
                if let Some(f) = &m.from {
                    push(f)?;
                }
            }
        }
        Instruction::Onbuild(o) => collect_from_refs(&o.trigger, line, &mut Vec::new())?,
        _ => {}
    }
    Ok(())
}

/// A `--from` value: a stage name, a stage index, or an image.
pub fn resolve_from(stages: &[Stage], value: &str, line: usize) -> Result<FromRef, PlanError> {
    if let Ok(i) = value.parse::<usize>() {
        if i >= stages.len() {
            return Err(err(line, format!("invalid stage index {i}")));
        }
        return Ok(FromRef::Stage(i));
    }
    let lower = value.to_ascii_lowercase();
    Ok(
        match stages.iter().find(|s| s.name.as_deref() == Some(&lower)) {
            Some(s) => FromRef::Stage(s.index),
            None => FromRef::Image(value.to_string()),
        },
    )
}

/// The stages `target` needs, each after its dependencies; a cycle is refused.
fn topological(stages: &[Stage], target: usize) -> Result<Vec<usize>, PlanError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        None,
        Visiting,
        Done,
    }
    fn visit(
        s: usize,
        stages: &[Stage],
        marks: &mut [Mark],
        out: &mut Vec<usize>,
    ) -> Result<(), PlanError> {
        match marks[s] {
            Mark::Done => return Ok(()),
            Mark::Visiting => {
                return Err(err(
                    stages[s].line,
                    format!(
                        "circular dependency detected on stage: {}",
                        stages[s].display_name()
                    ),
                ));
            }
            Mark::None => {}
        }
        marks[s] = Mark::Visiting;
        for &d in &stages[s].deps {
            visit(d, stages, marks, out)?;
        }
        marks[s] = Mark::Done;
        out.push(s);
        Ok(())
    }
    let mut marks = vec![Mark::None; stages.len()];
    let mut out = Vec::new();
    visit(target, stages, &mut marks, &mut out)?;
    Ok(out)
}

/// The variables of one stage while its steps are walked, and the expansion of each step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageScope {
    escape: char,
    /// The environment of RUN steps and of substitution: the base's, then ARGs and ENVs in
    /// the order they were met (Docker's build state).
    state_env: Vec<(String, String)>,
    /// The image config's environment: the base's and ENVs only.
    config_env: Vec<(String, String)>,
    /// ARGs declared in this stage, with their values (None: declared, not set).
    args: Vec<(String, Option<String>)>,
    global: Vec<(String, Option<String>)>,
    build_args: Vec<(String, String)>,
    shell: Vec<String>,
}

fn set(vars: &mut Vec<(String, String)>, key: &str, value: &str) {
    match vars.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_string(),
        None => vars.push((key.to_string(), value.to_string())),
    }
}

impl StageScope {
    /// A variable as substitution sees it now.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.state_env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Expands one word with the stage's variables.
    pub fn expand(&self, word: &str) -> Result<String, SubstError> {
        substitute::expand(word, self.escape, &|n| self.lookup(n))
    }

    /// The image config's `Env` (`KEY=VALUE`).
    pub fn config_env(&self) -> Vec<String> {
        self.config_env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The environment of a RUN step: the build state's, and the proxy build args (which
    /// need no ARG).
    pub fn run_env(&self) -> Vec<String> {
        let mut env = self.state_env.clone();
        for p in PROXY_ARGS {
            if env.iter().any(|(k, _)| k == p) {
                continue;
            }
            if let Some((_, v)) = self.build_args.iter().rev().find(|(k, _)| k == p) {
                env.push((p.to_string(), v.clone()));
            }
        }
        env.into_iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    /// The ARGs with a value in this stage (`|N K=V` of RUN's history, part of its cache key).
    pub fn args(&self) -> Vec<(String, String)> {
        self.args
            .iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
            .collect()
    }

    /// The shell of shell-form commands (`SHELL`, `/bin/sh -c` by default).
    pub fn shell(&self) -> &[String] {
        &self.shell
    }

    /// Sets the shell a base image's config names.
    pub fn set_shell(&mut self, shell: Vec<String>) {
        self.shell = shell;
    }

    /// Expands a step as Docker does and applies what it declares (ENV, ARG, SHELL) to the
    /// scope. Instructions whose words Docker does not expand (RUN's command, CMD,
    /// ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD, MAINTAINER) come back as they are, but
    /// RUN's mounts are read again with the step's variables.
    pub fn apply(&mut self, step: &Step) -> Result<Instruction, PlanError> {
        let line = step.line;
        let x = |s: &StageScope, w: &str| s.expand(w).map_err(|e| subst_err(line, e));
        let xo = |s: &StageScope, w: &Option<String>| -> Result<Option<String>, PlanError> {
            w.as_deref().map(|w| x(s, w)).transpose()
        };
        Ok(match &step.instruction {
            Instruction::Env(kvs) => {
                // Every pair of the line sees the values from before the line.
                let mut out = Vec::with_capacity(kvs.len());
                for kv in kvs {
                    out.push(KeyValue {
                        key: x(self, &kv.key)?,
                        value: x(self, &kv.value)?,
                    });
                }
                for kv in &out {
                    set(&mut self.state_env, &kv.key, &kv.value);
                    set(&mut self.config_env, &kv.key, &kv.value);
                }
                Instruction::Env(out)
            }
            Instruction::Arg(decls) => {
                let mut out = Vec::with_capacity(decls.len());
                for d in decls {
                    let given = self
                        .build_args
                        .iter()
                        .rev()
                        .find(|(k, _)| *k == d.name)
                        .map(|(_, v)| v.clone());
                    let value = match (given, &d.default) {
                        (Some(v), _) => Some(v),
                        (None, Some(def)) => Some(x(self, def)?),
                        (None, None) => lookup_in(&self.global, &d.name),
                    };
                    if let Some(v) = &value {
                        set(&mut self.state_env, &d.name, v);
                    }
                    self.args.retain(|(k, _)| *k != d.name);
                    self.args.push((d.name.clone(), value.clone()));
                    out.push(ArgDecl {
                        name: d.name.clone(),
                        default: value,
                    });
                }
                Instruction::Arg(out)
            }
            Instruction::Label(kvs) => Instruction::Label(
                kvs.iter()
                    .map(|kv| {
                        Ok(KeyValue {
                            key: x(self, &kv.key)?,
                            value: x(self, &kv.value)?,
                        })
                    })
                    .collect::<Result<_, PlanError>>()?,
            ),
            Instruction::Expose(ports) => {
                let mut out = Vec::new();
                for p in ports {
                    out.extend(x(self, p)?.split_whitespace().map(str::to_string));
                }
                Instruction::Expose(out)
            }
            Instruction::Volume(v) => {
                let out = v
                    .iter()
                    .map(|p| x(self, p))
                    .collect::<Result<Vec<_>, _>>()?;
                if out.iter().any(|p| p.trim().is_empty()) {
                    return Err(err(line, "VOLUME specified can not be an empty string"));
                }
                Instruction::Volume(out)
            }
            Instruction::User(u) => Instruction::User(x(self, u)?),
            Instruction::Workdir(w) => Instruction::Workdir(x(self, w)?),
            Instruction::StopSignal(s) => Instruction::StopSignal(x(self, s)?),
            Instruction::Copy(c) => Instruction::Copy(Copy {
                sources: self.sources(&c.sources, line)?,
                dest: x(self, &c.dest)?,
                from: c.from.clone(),
                chown: xo(self, &c.chown)?,
                chmod: xo(self, &c.chmod)?,
                link: c.link,
            }),
            Instruction::Add(a) => Instruction::Add(Add {
                sources: self.sources(&a.sources, line)?,
                dest: x(self, &a.dest)?,
                chown: xo(self, &a.chown)?,
                chmod: xo(self, &a.chmod)?,
                link: a.link,
                checksum: xo(self, &a.checksum)?,
                keep_git_dir: a.keep_git_dir,
            }),
            Instruction::Run(r) => {
                let mut run = r.clone();
                run.mounts = r
                    .mount_specs
                    .iter()
                    .map(|spec| {
                        let mut f = |v: &str| self.expand(v).map_err(|e| e.to_string());
                        parse_mount(spec, Some(&mut f)).map_err(|m| err(line, m))
                    })
                    .collect::<Result<Vec<Mount>, _>>()?;
                Instruction::Run(run)
            }
            Instruction::Shell(s) => {
                self.shell = s.clone();
                Instruction::Shell(s.clone())
            }
            other => other.clone(),
        })
    }

    fn sources(&self, sources: &[Source], line: usize) -> Result<Vec<Source>, PlanError> {
        sources
            .iter()
            .map(|s| match s {
                Source::Path(p) => self
                    .expand(p)
                    .map(Source::Path)
                    .map_err(|e| subst_err(line, e)),
                Source::Heredoc(h) => {
                    let mut h = h.clone();
                    if h.expand {
                        h.content = self.expand_heredoc(&h.content);
                    }
                    Ok(Source::Heredoc(h))
                }
            })
            .collect()
    }

    /// A heredoc body with an unquoted delimiter: `$V`, `${V}` (and its modifiers) expanded,
    /// `\$` and `\\` escaped; quotes are text.
    pub fn expand_heredoc(&self, body: &str) -> String {
        let mut out = String::new();
        let mut rest = body;
        while let Some(i) = rest.find(['$', '\\']) {
            out.push_str(&rest[..i]);
            let tail = &rest[i..];
            if let Some(t) = tail.strip_prefix('\\') {
                match t.chars().next() {
                    Some(c @ ('$' | '\\')) => {
                        out.push(c);
                        rest = &t[1..];
                    }
                    _ => {
                        out.push('\\');
                        rest = t;
                    }
                }
                continue;
            }
            // One `$` expression: `${…}` up to its brace, or `$NAME`.
            let end = if tail[1..].starts_with('{') {
                tail.find('}').map(|e| e + 1).unwrap_or(tail.len())
            } else {
                1 + tail[1..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len() - 1)
            };
            let expr = &tail[..end];
            match self.expand(expr) {
                Ok(v) => out.push_str(&v),
                Err(_) => out.push_str(expr),
            }
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests;
