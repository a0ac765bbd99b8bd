//! The build executor: walks a [`BuildPlan`] stage by stage and step by step, as Docker's
//! classic builder does. A RUN step is a container of the current root filesystem, created,
//! started and attached through its monitor exactly like `berth run` (same isolation), its
//! upper directory packed into a layer, then removed; a COPY/ADD step is a container that is
//! never started: the sources go into its root through the confined unpacker (as `cp` does),
//! and its upper directory becomes the layer. Metadata instructions change the config only.
//! Every step that makes a layer records an image (the state after the step) and a build
//! cache entry under its key ([`crate::build::cache`]); the cache's images stay out of
//! `images` until `builder prune` removes them.

pub mod context;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use self::context::{Context, Found};
use super::cache::{CacheKeyInput, SourceDigest};
use super::dockerfile::{
    self, Add, CommandForm, Copy, Dockerfile, Healthcheck, Instruction, ParseError, Run, Source,
};
use super::stages::{self, Base, BuildPlan, FromRef, PlanError, PlanOptions, Platform};
use crate::containers::archive::{ArchiveError, Root};
use crate::containers::lifecycle::{self, SpawnedMonitor, StartMode};
use crate::containers::{self, ContainerError, Paths, Settings};
use crate::error::{Classify, ErrorKind};
use crate::images::local::{self, LocalLayer};
use crate::images::{self, ImageError};
use crate::layers::{ExtractOptions, PACKED_MEDIA_TYPE};
use crate::monitor::client::{AttachIo, Controls};
use crate::reference::Reference;
use crate::state::StateError;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// Docker's message for a RUN that failed.
    #[error("The command '{command}' returned a non-zero code: {code}")]
    RunFailed { command: String, code: i32 },
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotImplemented(String),
    #[error("build canceled")]
    Canceled,
    /// The pull of a base image failed (its message and kind).
    #[error("{message}")]
    Pull { message: String, kind: ErrorKind },
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

impl BuildError {
    pub fn io(what: impl std::fmt::Display, source: io::Error) -> BuildError {
        BuildError::Io {
            what: what.to_string(),
            source,
        }
    }
}

impl From<crate::layers::LayerError> for BuildError {
    fn from(e: crate::layers::LayerError) -> Self {
        BuildError::Image(ImageError::from(e))
    }
}

impl Classify for BuildError {
    fn kind(&self) -> ErrorKind {
        match self {
            BuildError::Parse(_) | BuildError::Plan(_) | BuildError::Invalid(_) => {
                ErrorKind::InvalidArgument
            }
            BuildError::NotImplemented(_) => ErrorKind::NotImplemented,
            BuildError::Pull { kind, .. } => *kind,
            BuildError::Image(e) => e.kind(),
            _ => ErrorKind::Internal,
        }
    }
}

pub type Result<T> = std::result::Result<T, BuildError>;

/// What the builder reports: text as Docker's classic builder streams it ("Step 1/3 : …",
/// a RUN's output, " ---> …").
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// Pulls a base image (the engine's pull, with pull's rules); `always` for `--pull`.
pub type Puller<'a> = &'a dyn Fn(&str, bool) -> Result<()>;

/// One build's inputs, with the context prepared.
pub struct Request {
    pub dockerfile: Dockerfile,
    pub context: Context,
    pub build_args: Vec<(String, String)>,
    pub target: Option<String>,
    pub no_cache: bool,
    pub pull: bool,
    pub labels: Vec<(String, String)>,
    /// `--network` for RUN steps (`bridge`, `none`, `host`).
    pub network: String,
    pub tags: Vec<Reference>,
    /// `SOURCE_DATE_EPOCH`: every time in the image.
    pub source_date_epoch: Option<i64>,
    pub cancel: Arc<AtomicBool>,
}

/// The state of a stage between steps.
#[derive(Clone)]
struct State {
    /// The last recorded image (the root filesystem of a step's container); None: scratch.
    image: Option<String>,
    layers: Vec<LocalLayer>,
    /// The whole image config.
    config: Value,
    /// The cache chain: the key of the last step (or the base image's ID).
    chain: String,
    /// The chain at `image`: equal to `chain` when no step changed the state since.
    image_chain: String,
    /// The last step's image, for its " ---> " line.
    shown: String,
}

struct Builder<'a> {
    store: &'a mut Store,
    req: &'a Request,
    progress: Progress,
    puller: Puller<'a>,
    plan: BuildPlan,
    step: usize,
    total: usize,
    /// Recorded image of each built stage.
    stage_images: BTreeMap<usize, State>,
}

fn now_secs() -> i64 {
    crate::images::now_secs()
}

/// Runs a build. Returns the ID of the image made (tagged as asked).
pub fn build(
    store: &mut Store,
    req: &Request,
    progress: Progress,
    puller: Puller<'_>,
) -> Result<String> {
    let platform = Platform::host();
    let plan = stages::plan(
        &req.dockerfile,
        &PlanOptions {
            build_args: req.build_args.clone(),
            target: req.target.clone(),
            platform,
        },
    )?;
    let total = plan
        .order
        .iter()
        .map(|i| plan.stages[*i].steps.len() + 1)
        .sum();
    let mut b = Builder {
        store,
        req,
        progress,
        puller,
        plan,
        step: 0,
        total,
        stage_images: BTreeMap::new(),
    };
    let order = b.plan.order.clone();
    for idx in order {
        let state = b.build_stage(idx)?;
        b.stage_images.insert(idx, state);
    }
    let target = b.plan.target;
    let state = b.stage_images.remove(&target).expect("target built");
    let id = b.finish(state)?;
    for w in &b.plan.unused_build_args {
        (b.progress)(&format!(
            "[Warning] One or more build-args [{w}] were not consumed\n"
        ));
    }
    Ok(id)
}

fn short(id: &str) -> String {
    images::short_id(id)
}

impl Builder<'_> {
    fn say(&self, s: &str) {
        (self.progress)(s);
    }

    fn check_cancel(&self) -> Result<()> {
        if self.req.cancel.load(Ordering::SeqCst) {
            return Err(BuildError::Canceled);
        }
        Ok(())
    }

    fn created(&self) -> String {
        match self.req.source_date_epoch {
            Some(t) => chrono::DateTime::from_timestamp(t, 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            None => local::now_rfc3339(),
        }
    }

    fn next_step(&mut self, text: &str) {
        self.step += 1;
        self.say(&format!("Step {}/{} : {}\n", self.step, self.total, text));
    }

    /// The state of an image in the store.
    fn state_of_image(&self, id: &str) -> Result<State> {
        let config = images::config(self.store, id)?;
        let rows = crate::state::images::image_layers(&self.store.db.conn, id)
            .map_err(ImageError::from)?;
        let layers = rows
            .iter()
            .map(|l| LocalLayer {
                diff_id: l.diff_id.clone(),
                blob_digest: l.blob_digest.clone(),
                media_type: l.media_type.clone(),
                blob_size: self
                    .store
                    .content
                    .path(&l.blob_digest)
                    .ok()
                    .and_then(|p| std::fs::metadata(p).ok())
                    .map_or(0, |m| m.len()),
                size: l.size.max(0) as u64,
            })
            .collect();
        Ok(State {
            image: Some(id.to_string()),
            layers,
            config,
            chain: id.to_string(),
            image_chain: id.to_string(),
            shown: id.to_string(),
        })
    }

    /// An image by reference, pulled when missing (or always with `--pull`).
    fn image(&self, reference: &str) -> Result<String> {
        if self.req.pull || images::resolve(self.store, reference).is_err() {
            (self.puller)(reference, self.req.pull)?;
        }
        Ok(images::resolve(self.store, reference)?.0)
    }

    fn scratch(&self) -> State {
        let p = Platform::host();
        let mut config = json!({
            "architecture": p.arch,
            "os": p.os,
            "config": {"Env": [format!("PATH={}", stages::DEFAULT_PATH)]},
            "rootfs": {"type": "layers", "diff_ids": []},
            "history": [],
        });
        if let Some(v) = p.variant {
            config["variant"] = json!(v);
        }
        State {
            image: None,
            layers: Vec::new(),
            config,
            chain: "scratch".into(),
            image_chain: String::new(),
            shown: String::new(),
        }
    }

    fn build_stage(&mut self, idx: usize) -> Result<State> {
        let stage = self.plan.stages[idx].clone();
        self.check_cancel()?;
        let base_text = match &stage.base {
            Base::Scratch => "scratch".to_string(),
            Base::Image(r) => r.clone(),
            Base::Stage(i) => self.plan.stages[*i].display_name(),
        };
        let mut text = format!("FROM {base_text}");
        if let Some(n) = &stage.name {
            text.push_str(&format!(" AS {n}"));
        }
        self.next_step(&text);
        if let Some(p) = &stage.platform {
            let host = Platform::host();
            if p != &host.spec() && p != &format!("{}/{}", host.os, host.arch) {
                return Err(BuildError::Invalid(format!(
                    "platform {p} is not supported: berth builds for the host's platform ({}) only",
                    host.spec()
                )));
            }
        }
        let mut state = match &stage.base {
            Base::Scratch => self.scratch(),
            Base::Image(r) => {
                let id = self.image(r)?;
                self.state_of_image(&id)?
            }
            Base::Stage(i) => self.stage_images[i].clone(),
        };
        if !state.shown.is_empty() {
            self.say(&format!(" ---> {}\n", short(&state.shown)));
        }
        let base_env = env_of(&state.config);
        let mut scope = self.plan.scope(idx, &base_env);
        if let Some(shell) = state.config["config"]["Shell"].as_array() {
            let shell: Vec<String> = shell
                .iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect();
            if !shell.is_empty() {
                scope.set_shell(shell);
            }
        }
        // ONBUILD triggers of the base run first.
        let triggers: Vec<String> = state.config["config"]["OnBuild"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if !triggers.is_empty() {
            state.config["config"]["OnBuild"] = Value::Null;
            for t in triggers {
                let ins = dockerfile::parse_line(&t, self.plan.directives.escape)
                    .map_err(|m| BuildError::Invalid(format!("ONBUILD trigger {t:?}: {m}")))?;
                self.say("# Executing 1 build trigger\n");
                let step = dockerfile::Step {
                    line: stage.line,
                    end_line: stage.line,
                    original: t.clone(),
                    instruction: ins,
                };
                let ins = scope.apply(&step)?;
                self.execute(&mut state, &scope, &step, ins)?;
            }
        }
        for step in &stage.steps {
            self.check_cancel()?;
            self.next_step(&step.original);
            let ins = scope.apply(step)?;
            self.execute(&mut state, &scope, step, ins)?;
        }
        // A stage another stage copies from or builds on needs an image of its own.
        if state.image.is_none() || state.image_chain != state.chain {
            let key = CacheKeyInput {
                parent: state.chain.clone(),
                instruction: Instruction::Maintainer("#stage".into()),
                env: vec![],
                shell: vec![],
                sources: vec![],
            }
            .key();
            match self.cached(&key)? {
                Some(id) => {
                    let s = self.state_of_image(&id)?;
                    state.image = s.image;
                    state.layers = s.layers;
                    state.config = s.config;
                    state.image_chain = key.clone();
                    state.chain = key;
                    state.shown = id;
                }
                None => self.record_step(&mut state, key, "stage", 0)?,
            }
        }
        Ok(state)
    }

    /// The final image: the target's state with `--label`s, tagged.
    fn finish(&mut self, mut state: State) -> Result<String> {
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: Instruction::Label(
                self.req
                    .labels
                    .iter()
                    .map(|(k, v)| dockerfile::KeyValue {
                        key: k.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            ),
            env: vec![],
            shell: vec![],
            sources: vec![],
        }
        .key();
        if !self.req.labels.is_empty() {
            let cfg = config_obj(&mut state.config);
            let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
            if labels.is_null() {
                *labels = json!({});
            }
            for (k, v) in &self.req.labels {
                labels[k] = json!(v);
            }
        }
        let id = match self.cached(&key)? {
            Some(id) => id,
            None => {
                let mut config = state.config.clone();
                config["created"] = json!(self.created());
                let id = local::record_child(
                    self.store,
                    &config,
                    &state.layers,
                    &[],
                    state.image.as_deref(),
                )?;
                self.insert_cache(&key, &id, "result", 0)?;
                id
            }
        };
        let tx = self.store.db.write()?;
        crate::state::build::mark_result(&tx, &id)?;
        for t in &self.req.tags {
            let tag = t.tag.as_deref().unwrap_or("latest");
            crate::state::images::set_tag(&tx, &t.repository(), tag, &id, now_secs())
                .map_err(ImageError::from)?;
        }
        tx.commit().map_err(StateError::from)?;
        self.say(&format!("Successfully built {}\n", short(&id)));
        for t in &self.req.tags {
            self.say(&format!(
                "Successfully tagged {}:{}\n",
                t.familiar_repository(),
                t.tag.as_deref().unwrap_or("latest")
            ));
        }
        Ok(id)
    }

    fn cached(&self, key: &str) -> Result<Option<String>> {
        if self.req.no_cache {
            return Ok(None);
        }
        let id = crate::state::build::lookup(&self.store.db.conn, key, now_secs())?;
        Ok(id.filter(|id| images::config(self.store, id).is_ok()))
    }

    fn insert_cache(&mut self, key: &str, id: &str, what: &str, size: u64) -> Result<()> {
        let now = now_secs();
        let old: Option<String> = {
            use rusqlite::OptionalExtension;
            self.store
                .db
                .conn
                .query_row(
                    "SELECT image_id FROM build_cache WHERE key = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()
                .map_err(StateError::from)?
        };
        crate::state::build::insert(
            &self.store.db.conn,
            &crate::state::build::CacheRow {
                key: key.to_string(),
                image_id: id.to_string(),
                description: what.to_string(),
                size: size as i64,
                created: now,
                last_used: now,
            },
        )?;
        // The step's earlier image (a `--no-cache` build makes a new one): removed unless
        // something else holds it.
        if let Some(old) = old.filter(|o| o != id) {
            let conn = &self.store.db.conn;
            let held = !crate::state::images::tags_of(conn, &old)
                .map_err(ImageError::from)?
                .is_empty()
                || crate::state::build::is_result(conn, &old)?
                || crate::state::build::list(conn)?
                    .iter()
                    .any(|r| r.image_id == old);
            if !held {
                let _ = images::remove(self.store, &old, false);
            }
        }
        Ok(())
    }

    /// Records the state as an image (a step's) under `key`.
    fn record_step(&mut self, state: &mut State, key: String, what: &str, size: u64) -> Result<()> {
        let mut config = state.config.clone();
        config["created"] = json!(self.created());
        let id = local::record_child(
            self.store,
            &config,
            &state.layers,
            &[],
            state.image.as_deref(),
        )?;
        self.insert_cache(&key, &id, what, size)?;
        state.image = Some(id.clone());
        state.image_chain = key.clone();
        state.chain = key;
        state.shown = id;
        Ok(())
    }

    /// Replaces the state with a cached step's image.
    fn use_cached(&mut self, state: &mut State, key: String, id: &str) -> Result<()> {
        let s = self.state_of_image(id)?;
        state.image = s.image;
        state.layers = s.layers;
        state.config = s.config;
        state.image_chain = key.clone();
        state.chain = key;
        state.shown = id.to_string();
        self.say(" ---> Using cache\n");
        self.say(&format!(" ---> {}\n", short(id)));
        Ok(())
    }

    fn history(&self, state: &mut State, created_by: String, empty: bool) {
        let mut h = json!({"created": self.created(), "created_by": created_by});
        if empty {
            h["empty_layer"] = json!(true);
        }
        match state.config["history"].as_array_mut() {
            Some(a) => a.push(h),
            None => state.config["history"] = json!([h]),
        }
    }

    fn execute(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        step: &dockerfile::Step,
        ins: Instruction,
    ) -> Result<()> {
        match &ins {
            Instruction::Run(run) => return self.run(state, scope, run, &ins),
            Instruction::Copy(c) => return self.copy(state, scope, c.clone(), None, &ins),
            Instruction::Add(a) => {
                let c = Copy {
                    sources: a.sources.clone(),
                    dest: a.dest.clone(),
                    from: None,
                    chown: a.chown.clone(),
                    chmod: a.chmod.clone(),
                    link: a.link,
                };
                return self.copy(state, scope, c, Some(a.clone()), &ins);
            }
            _ => {}
        }
        // Metadata: the config changes, a history entry without a layer.
        let cfg = config_obj(&mut state.config);
        let nop = |s: String| format!("/bin/sh -c #(nop) {s}");
        let created_by = match &ins {
            Instruction::Cmd(c) => {
                let v = command(c, scope.shell());
                cfg.insert("Cmd".into(), json!(v));
                nop(format!(" CMD {}", json!(v)))
            }
            Instruction::Entrypoint(c) => {
                let v = command(c, scope.shell());
                cfg.insert("Entrypoint".into(), json!(v));
                // Docker: ENTRYPOINT resets an inherited CMD.
                cfg.insert("Cmd".into(), Value::Null);
                nop(format!(" ENTRYPOINT {}", json!(v)))
            }
            Instruction::Env(kvs) => {
                cfg.insert("Env".into(), json!(scope.config_env()));
                let text: Vec<String> = kvs
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, kv.value))
                    .collect();
                nop(format!(" ENV {}", text.join(" ")))
            }
            Instruction::Arg(decls) => {
                let text: Vec<String> = decls
                    .iter()
                    .map(|d| match &d.default {
                        Some(v) => format!("{}={}", d.name, v),
                        None => d.name.clone(),
                    })
                    .collect();
                nop(format!(" ARG {}", text.join(" ")))
            }
            Instruction::Label(kvs) => {
                let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
                if labels.is_null() {
                    *labels = json!({});
                }
                for kv in kvs {
                    labels[&kv.key] = json!(kv.value);
                }
                let text: Vec<String> = kvs
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, json!(kv.value)))
                    .collect();
                nop(format!(" LABEL {}", text.join(" ")))
            }
            Instruction::Expose(ports) => {
                let e = cfg.entry("ExposedPorts").or_insert_with(|| json!({}));
                if e.is_null() {
                    *e = json!({});
                }
                let mut shown = Vec::new();
                for p in ports {
                    let p = if p.contains('/') {
                        p.clone()
                    } else {
                        format!("{p}/tcp")
                    };
                    e[&p] = json!({});
                    shown.push(p);
                }
                nop(format!(" EXPOSE {}", shown.join(" ")))
            }
            Instruction::Volume(vols) => {
                let e = cfg.entry("Volumes").or_insert_with(|| json!({}));
                if e.is_null() {
                    *e = json!({});
                }
                for v in vols {
                    e[v] = json!({});
                }
                nop(format!(" VOLUME {}", json!(vols)))
            }
            Instruction::User(u) => {
                cfg.insert("User".into(), json!(u));
                nop(format!(" USER {u}"))
            }
            Instruction::Workdir(w) => {
                let cur = cfg
                    .get("WorkingDir")
                    .and_then(Value::as_str)
                    .unwrap_or("/")
                    .to_string();
                let w = if w.starts_with('/') {
                    w.clone()
                } else {
                    format!("{}/{}", cur.trim_end_matches('/'), w)
                };
                let w = format!("/{}", containers::archive::clean(&w).join("/"));
                cfg.insert("WorkingDir".into(), json!(w));
                nop(format!(" WORKDIR {w}"))
            }
            Instruction::Shell(s) => {
                cfg.insert("Shell".into(), json!(s));
                nop(format!(" SHELL {}", json!(s)))
            }
            Instruction::StopSignal(s) => {
                cfg.insert("StopSignal".into(), json!(s));
                nop(format!(" STOPSIGNAL {s}"))
            }
            Instruction::Healthcheck(h) => {
                let v = match h {
                    Healthcheck::None => json!({"Test": ["NONE"]}),
                    Healthcheck::Check {
                        test,
                        interval,
                        timeout,
                        start_period,
                        start_interval,
                        retries,
                    } => {
                        let test = match test {
                            CommandForm::Shell(s) => json!(["CMD-SHELL", s]),
                            CommandForm::Exec(v) => {
                                let mut t = vec!["CMD".to_string()];
                                t.extend(v.iter().cloned());
                                json!(t)
                            }
                        };
                        let mut o = json!({"Test": test});
                        let ns = |d: &std::time::Duration| json!(d.as_nanos() as u64);
                        if let Some(d) = interval {
                            o["Interval"] = ns(d);
                        }
                        if let Some(d) = timeout {
                            o["Timeout"] = ns(d);
                        }
                        if let Some(d) = start_period {
                            o["StartPeriod"] = ns(d);
                        }
                        if let Some(d) = start_interval {
                            o["StartInterval"] = ns(d);
                        }
                        if let Some(r) = retries {
                            o["Retries"] = json!(r);
                        }
                        o
                    }
                };
                cfg.insert("Healthcheck".into(), v.clone());
                nop(format!(" HEALTHCHECK {}", step_rest(&step.original)))
            }
            Instruction::Onbuild(o) => {
                let list = cfg.entry("OnBuild").or_insert_with(|| json!([]));
                if list.is_null() {
                    *list = json!([]);
                }
                if let Some(a) = list.as_array_mut() {
                    a.push(json!(o.expression));
                }
                nop(format!(" ONBUILD {}", o.expression))
            }
            Instruction::Maintainer(m) => {
                state.config["author"] = json!(m);
                nop(format!(" MAINTAINER {m}"))
            }
            Instruction::From(_) | Instruction::Run(_) | Instruction::Copy(_) => unreachable!(),
            Instruction::Add(_) => unreachable!(),
        };
        self.history(state, created_by, true);
        state.chain = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins,
            env: vec![],
            shell: vec![],
            sources: vec![],
        }
        .key();
        Ok(())
    }

    /// A new container of the state's root filesystem (recorded as an image first if it has
    /// none: a stage from scratch).
    fn container(
        &mut self,
        state: &mut State,
        settings: Settings,
        start: bool,
    ) -> Result<(String, Option<SpawnedMonitor>)> {
        if state.image.is_none() {
            let key = CacheKeyInput {
                parent: state.chain.clone(),
                instruction: Instruction::Maintainer("#rootfs".into()),
                env: vec![],
                shell: vec![],
                sources: vec![],
            }
            .key();
            let chain = state.chain.clone();
            let shown = state.shown.clone();
            match self.cached(&key)? {
                Some(id) => state.image = Some(id),
                None => self.record_step(state, key, "scratch", 0)?,
            }
            state.chain = chain;
            state.shown = shown;
        }
        let mut settings = settings;
        settings.image = state.image.clone().expect("recorded");
        let id = crate::names::new_id();
        let monitor = if start {
            Some(SpawnedMonitor::spawn(
                &self.store.root,
                &self.store.runroot,
                &id,
            )?)
        } else {
            None
        };
        match containers::create_with_id(self.store, &settings, None, id.clone()) {
            Ok(_) => Ok((id, monitor)),
            Err(e) => {
                if let Some(m) = monitor {
                    m.abandon(&self.store.root, &self.store.runroot, &id);
                }
                Err(e.into())
            }
        }
    }

    fn remove_container(&mut self, id: &str) {
        if let Ok(c) = containers::resolve(self.store, id) {
            let _ = lifecycle::remove_with_volumes(self.store, &c, true, true);
        }
    }

    /// Packs a container's changes into a layer of the state and records the step.
    fn commit_step(
        &mut self,
        state: &mut State,
        container: &str,
        key: String,
        created_by: String,
        what: &str,
    ) -> Result<()> {
        let packed = self.store.layers.pack(
            &self.store.content,
            &Paths::new(self.store, container).upper(),
            &["etc/hostname", "etc/hosts", "etc/resolv.conf"],
        );
        let packed = packed.map_err(ImageError::from)?;
        let size = packed.size;
        state.layers.push(LocalLayer {
            diff_id: packed.diff_id.clone(),
            blob_digest: packed.blob_digest,
            media_type: PACKED_MEDIA_TYPE.into(),
            blob_size: packed.blob_size,
            size: packed.size,
        });
        let diff_ids: Vec<Value> = state.layers.iter().map(|l| json!(l.diff_id)).collect();
        state.config["rootfs"] = json!({"type": "layers", "diff_ids": diff_ids});
        self.history(state, created_by, false);
        self.record_step(state, key, what, size)
    }

    fn settings(
        &self,
        state: &State,
        scope: &stages::StageScope,
        network: Option<&str>,
    ) -> Result<Settings> {
        let cfg = &state.config["config"];
        let mut s = Settings {
            env: scope.run_env(),
            workdir: Some(
                cfg["WorkingDir"]
                    .as_str()
                    .filter(|w| !w.is_empty())
                    .unwrap_or("/")
                    .to_string(),
            ),
            user: cfg["User"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            ..Settings::default()
        };
        let net = network.unwrap_or(&self.req.network);
        let net = if net.is_empty() || net == "default" {
            "bridge"
        } else {
            net
        };
        s.network = net
            .parse()
            .map_err(|e: crate::network::mode::NetworkModeError| {
                BuildError::Invalid(e.to_string())
            })?;
        s.entrypoint = Some(vec![String::new()]);
        Ok(s)
    }

    fn run(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        run: &Run,
        ins: &Instruction,
    ) -> Result<()> {
        if run.mounts.iter().any(|_| true) {
            return Err(BuildError::NotImplemented(
                "RUN --mount is not supported by berth yet".into(),
            ));
        }
        let argv = match &run.command {
            CommandForm::Exec(v) => v.clone(),
            CommandForm::Shell(s) => {
                let mut script = s.clone();
                let heredoc_only = run.heredocs.len() == 1
                    && s.trim()
                        .trim_start_matches("<<")
                        .trim_start_matches('-')
                        .trim_matches(['"', '\''])
                        == run.heredocs[0].name;
                if heredoc_only {
                    let h = &run.heredocs[0];
                    script = if h.expand {
                        scope.expand_heredoc(&h.content)
                    } else {
                        h.content.clone()
                    };
                } else {
                    for h in &run.heredocs {
                        script.push('\n');
                        script.push_str(&h.content);
                        script.push_str(&h.name);
                    }
                }
                let mut v = scope.shell().to_vec();
                v.push(script);
                v
            }
        };
        let args = scope.args();
        let shown = match &run.command {
            CommandForm::Exec(v) => json!(v).to_string(),
            CommandForm::Shell(_) => argv.join(" "),
        };
        let mut created_by = shown.clone();
        if !args.is_empty() {
            let a: Vec<String> = args.iter().map(|(k, v)| format!("{k}={v}")).collect();
            created_by = format!("|{} {} {}", a.len(), a.join(" "), created_by);
        }
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: scope.run_env(),
            shell: scope.shell().to_vec(),
            sources: vec![],
        }
        .key();
        if let Some(id) = self.cached(&key)? {
            return self.use_cached(state, key, &id);
        }
        let network = run.network.map(|n| match n {
            dockerfile::NetworkMode::Default => "bridge",
            dockerfile::NetworkMode::None => "none",
            dockerfile::NetworkMode::Host => "host",
        });
        let mut settings = self.settings(state, scope, network)?;
        settings.cmd = argv;
        let (id, monitor) = self.container(state, settings, true)?;
        self.say(&format!(" ---> Running in {}\n", &id[..12]));
        let code = self.attach(&id, monitor);
        let code = match code {
            Ok(c) => c,
            Err(e) => {
                self.remove_container(&id);
                return Err(e);
            }
        };
        if self.req.cancel.load(Ordering::SeqCst) {
            self.remove_container(&id);
            return Err(BuildError::Canceled);
        }
        if code != 0 {
            self.remove_container(&id);
            return Err(BuildError::RunFailed {
                command: shown,
                code,
            });
        }
        let r = self.commit_step(state, &id, key, created_by, "RUN");
        self.remove_container(&id);
        self.say(&format!("Removing intermediate container {}\n", &id[..12]));
        r?;
        self.say(&format!(" ---> {}\n", short(&state.shown)));
        Ok(())
    }

    /// Starts container `id` attached, its output going to the progress; kills it when the
    /// build is cancelled. Returns its exit code.
    fn attach(&mut self, id: &str, monitor: Option<SpawnedMonitor>) -> Result<i32> {
        let c = containers::resolve(self.store, id)?;
        let controls: Arc<Mutex<Option<Controls>>> = Arc::new(Mutex::new(None));
        let done = Arc::new(AtomicBool::new(false));
        let watcher = {
            let controls = controls.clone();
            let done = done.clone();
            let cancel = self.req.cancel.clone();
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    if cancel.load(Ordering::SeqCst)
                        && let Some(c) = controls.lock().unwrap().as_ref()
                    {
                        let _ = c.signal(libc::SIGKILL);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
            })
        };
        let out = ProgressWriter(self.progress.clone());
        let io = AttachIo {
            stdin: None,
            stdout: Box::new(out.clone()),
            stderr: Box::new(out),
            on_attached: Some(Box::new(move |c| {
                *controls.lock().unwrap() = Some(c);
            })),
        };
        let r = lifecycle::start_with(self.store, &c, StartMode::Attached(io), monitor);
        done.store(true, Ordering::SeqCst);
        let _ = watcher.join();
        Ok(r?.unwrap_or(0))
    }

    fn copy(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        c: Copy,
        add: Option<Add>,
        ins: &Instruction,
    ) -> Result<()> {
        let keyword = if add.is_some() { "ADD" } else { "COPY" };
        // Where the files come from.
        let from = match &c.from {
            None => None,
            Some(f) => Some(match stages::resolve_from(&self.plan.stages, f, 0)? {
                FromRef::Stage(i) => {
                    let s = self
                        .stage_images
                        .get(&i)
                        .ok_or_else(|| BuildError::Invalid(format!("stage {f} was not built")))?;
                    s.image.clone().expect("a built stage has an image")
                }
                FromRef::Image(r) => self.image(&r)?,
            }),
        };
        let mut paths: Vec<String> = Vec::new();
        let mut heredocs = Vec::new();
        for s in &c.sources {
            match s {
                Source::Path(p) => {
                    if add.is_some() && (p.starts_with("http://") || p.starts_with("https://")) {
                        return Err(BuildError::NotImplemented(format!(
                            "ADD of a URL ({p}) is not supported by berth yet"
                        )));
                    }
                    paths.push(p.clone())
                }
                Source::Heredoc(h) => heredocs.push(h.clone()),
            }
        }
        // Expand the sources and hash them.
        let mut found: Vec<Found> = Vec::new();
        let mut digests = Vec::new();
        if from.is_none() {
            for p in &paths {
                for f in self.req.context.resolve(p)? {
                    digests.push(SourceDigest {
                        path: f.rel.clone(),
                        digest: self.req.context.digest(&f)?,
                    });
                    found.push(f);
                }
            }
        } else {
            for p in &paths {
                digests.push(SourceDigest {
                    path: p.clone(),
                    digest: from.clone().unwrap_or_default(),
                });
            }
        }
        for h in &heredocs {
            digests.push(SourceDigest {
                path: format!("<<{}", h.name),
                digest: crate::content::sha256_digest(h.content.as_bytes()),
            });
        }
        let count = found.len().max(paths.len()) + heredocs.len();
        if (count > 1
            || found
                .iter()
                .any(|_| paths.iter().any(|p| p.contains(['*', '?', '['])) && found.len() > 1))
            && !c.dest.ends_with('/')
        {
            return Err(BuildError::Invalid(format!(
                "When using {keyword} with more than one source file, the destination must be a directory and end with a /"
            )));
        }
        let workdir = state.config["config"]["WorkingDir"]
            .as_str()
            .filter(|w| !w.is_empty())
            .unwrap_or("/")
            .to_string();
        let dest_abs = if c.dest.starts_with('/') {
            c.dest.clone()
        } else {
            format!("{}/{}", workdir.trim_end_matches('/'), c.dest)
        };
        let dest_is_dir_syntax = c.dest.ends_with('/') || c.dest == "." || c.dest.ends_with("/.");
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: vec![],
            shell: vec![],
            sources: digests.clone(),
        }
        .key();
        if let Some(id) = self.cached(&key)? {
            return self.use_cached(state, key, &id);
        }
        let mut settings = self.settings(state, scope, Some("none"))?;
        settings.cmd = vec!["true".into()];
        let (cid, _) = self.container(state, settings, false)?;
        let r = self.copy_into(
            &cid,
            &c,
            add.is_some(),
            from.as_deref(),
            &paths,
            &found,
            &heredocs,
            &dest_abs,
            dest_is_dir_syntax,
        );
        let r = r.and_then(|_| {
            let what: Vec<String> = digests
                .iter()
                .map(|d| {
                    let h = d.digest.trim_start_matches("sha256:");
                    format!(
                        "{}:{}",
                        if d.path.ends_with('/') { "dir" } else { "file" },
                        &h[..h.len().min(64)]
                    )
                })
                .collect();
            let created_by = format!(
                "/bin/sh -c #(nop) {keyword} {} in {} ",
                what.join(" "),
                c.dest
            );
            self.commit_step(state, &cid, key, created_by, keyword)
        });
        self.remove_container(&cid);
        r?;
        self.say(&format!(" ---> {}\n", short(&state.shown)));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_into(
        &mut self,
        cid: &str,
        c: &Copy,
        add: bool,
        from: Option<&str>,
        paths: &[String],
        found: &[Found],
        heredocs: &[dockerfile::Heredoc],
        dest: &str,
        dest_dir_syntax: bool,
    ) -> Result<()> {
        let row = containers::resolve(self.store, cid)?;
        let root = Root::open(self.store, &row, cid, true)?;
        let root_path = std::path::PathBuf::from(format!("/proc/self/fd/{}", root.raw_fd()));
        let owner = match &c.chown {
            Some(spec) => {
                let u = crate::spec::user::resolve(&root_path, spec, &[]).map_err(|e| {
                    BuildError::Invalid(format!(
                        "unable to convert uid/gid chown string to host mapping: {e}"
                    ))
                })?;
                Some((u.uid, u.gid))
            }
            None => Some((0, 0)),
        };
        let chmod = match &c.chmod {
            Some(m) => Some(
                u32::from_str_radix(m, 8)
                    .map_err(|_| BuildError::Invalid(format!("invalid chmod parameter: {m}")))?,
            ),
            None => None,
        };
        let dest_exists_dir = root
            .resolve(dest, true)
            .map(|r| r.is_dir())
            .unwrap_or(false);
        let into_dir = dest_dir_syntax || dest_exists_dir;
        let opts = ExtractOptions {
            whiteouts: false,
            owner: None,
            no_overwrite_dir_non_dir: false,
        };
        let mkdir = |p: &str| {
            crate::spec::inroot::mkdir_all_in_root(&root_path, p)
                .map_err(|e| BuildError::io(format!("creating {p}"), e))
        };
        let parent_of = |p: &str| -> (String, String) {
            let parts = containers::archive::clean(p);
            let name = parts.last().map(|s| s.to_string()).unwrap_or_default();
            let parent = format!("/{}", parts[..parts.len().saturating_sub(1)].join("/"));
            (parent, name)
        };
        // One source (a tree or a file) as a tar stream of its own entries.
        let put = |tar: Vec<u8>, is_dir: bool, base: &str| -> Result<()> {
            let (dir, prefix, drop_top) = if is_dir {
                mkdir(dest)?;
                (dest.to_string(), String::new(), true)
            } else if into_dir {
                mkdir(dest)?;
                (dest.to_string(), base.to_string(), false)
            } else {
                let (parent, name) = parent_of(dest);
                mkdir(&parent)?;
                (parent, name, false)
            };
            // A file's one entry is named `prefix`; a tree's go below the directory.
            let (prefix, single) = if is_dir {
                (prefix, false)
            } else {
                (prefix, true)
            };
            let tar = context::rewrite_tar(&tar, &prefix, drop_top, single, owner, chmod)?;
            root.put(&dir, tar.as_slice(), opts)?;
            Ok(())
        };
        if let Some(image) = from {
            // From another stage or an image: through a container of it, never started.
            let settings = Settings {
                image: image.to_string(),
                entrypoint: Some(vec![String::new()]),
                cmd: vec!["true".into()],
                ..Settings::default()
            };
            let id = crate::names::new_id();
            let src = containers::create_with_id(self.store, &settings, None, id.clone())?;
            let r = (|| -> Result<()> {
                let src_root = Root::open(self.store, &src, &id, false)?;
                for p in paths {
                    let abs = if p.starts_with('/') {
                        p.clone()
                    } else {
                        format!("/{p}")
                    };
                    let r = src_root.resolve(&abs, true).map_err(|_| {
                        BuildError::Invalid(format!("COPY failed: stat {abs}: file does not exist"))
                    })?;
                    let is_dir = r.is_dir();
                    let mut tar = Vec::new();
                    let top: &[u8] = if is_dir { b"." } else { r.name.as_slice() };
                    src_root.write_tar(&r, top, &mut tar)?;
                    let base = String::from_utf8_lossy(&r.name).into_owned();
                    put(tar, is_dir, &base)?;
                }
                Ok(())
            })();
            if let Ok(c) = containers::resolve(self.store, &id) {
                let _ = lifecycle::remove_with_volumes(self.store, &c, true, true);
            }
            r?;
        }
        for f in found {
            let (parent, name) = self.req.context.parent_of(&f.rel)?;
            let base = String::from_utf8_lossy(&name).into_owned();
            let full = self.req.context.dir.join(&f.rel);
            if add && !f.is_dir && context::is_archive(&full) {
                mkdir(dest)?;
                let file = std::fs::File::open(&full).map_err(|e| BuildError::io(&f.rel, e))?;
                let mut o = opts;
                o.owner = c.chown.as_ref().and(owner);
                root.put(dest, file, o)?;
                continue;
            }
            let mut tar = Vec::new();
            let top: &[u8] = if f.is_dir { b"." } else { name.as_slice() };
            crate::containers::archive::tarball::write_tree(
                std::os::fd::AsFd::as_fd(&parent),
                &name,
                top,
                &mut tar,
            )
            .map_err(|e| BuildError::io(&f.rel, e))?;
            put(tar, f.is_dir, &base)?;
        }
        for h in heredocs {
            let mut b = tar::Builder::new(Vec::new());
            let mut header = tar::Header::new_gnu();
            header.set_size(h.content.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut header, &h.name, h.content.as_bytes())
                .map_err(|e| BuildError::io("heredoc", e))?;
            let tar = b.into_inner().map_err(|e| BuildError::io("heredoc", e))?;
            put(tar, false, &h.name)?;
        }
        Ok(())
    }
}

/// A RUN's output as progress text.
#[derive(Clone)]
struct ProgressWriter(Progress);

impl Write for ProgressWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (self.0)(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn config_obj(config: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !config["config"].is_object() {
        config["config"] = json!({});
    }
    config["config"].as_object_mut().expect("object")
}

fn env_of(config: &Value) -> Vec<String> {
    config["config"]["Env"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn command(c: &CommandForm, shell: &[String]) -> Vec<String> {
    match c {
        CommandForm::Exec(v) => v.clone(),
        CommandForm::Shell(s) => {
            let mut v = shell.to_vec();
            v.push(s.clone());
            v
        }
    }
}

/// What follows the keyword of a line.
fn step_rest(original: &str) -> String {
    original
        .trim()
        .split_once(char::is_whitespace)
        .map(|(_, r)| r.trim().to_string())
        .unwrap_or_default()
}
