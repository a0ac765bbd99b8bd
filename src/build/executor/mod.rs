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
mod copy;
pub mod export;
mod meta;
pub mod mounts;
mod run;
mod schedule;

pub use self::schedule::build;

use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use self::context::Context;
use super::cache::CacheKeyInput;
use super::dockerfile::{Dockerfile, Instruction, ParseError};
use super::stages::{self, BuildPlan, PlanError, Platform};
use crate::containers::archive::ArchiveError;
use crate::containers::lifecycle::{self, SpawnedMonitor};
use crate::containers::{self, ContainerError, Paths, Settings};
use crate::error::{Classify, ErrorKind};
use crate::images::local::{self, LocalLayer};
use crate::images::{self, ImageError};
use crate::layers::PACKED_MEDIA_TYPE;
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
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// An `ADD <URL>` download.
    #[error(transparent)]
    Remote(#[from] crate::build::remote::RemoteError),
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
            BuildError::Remote(e) => e.kind(),
            _ => ErrorKind::Internal,
        }
    }
}

pub type Result<T> = std::result::Result<T, BuildError>;

/// What the builder reports: text as Docker's classic builder streams it ("Step 1/3 : …",
/// a RUN's output, " ---> …").
pub type Progress = Arc<dyn Fn(&str) + Send + Sync>;

/// Pulls a base image (the engine's pull, with pull's rules); `always` for `--pull`.
pub type Puller<'a> = &'a (dyn Fn(&str, bool) -> Result<()> + Sync);

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
    /// `--secret`s by ID, for `RUN --mount=type=secret` (never in a layer or a cache key).
    pub secrets: BTreeMap<String, Vec<u8>>,
    pub cancel: Arc<AtomicBool>,
    /// Keep the result in the store (a build's result, tagged): false when every `--output`
    /// goes elsewhere and no tag was asked for.
    pub keep: bool,
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
    /// Set when a stage building at the same time failed: this one stops too.
    sibling_failed: Arc<AtomicBool>,
}

fn now_secs() -> i64 {
    crate::images::now_secs()
}

fn short(id: &str) -> String {
    images::short_id(id)
}

impl Builder<'_> {
    fn say(&self, s: &str) {
        (self.progress)(s);
    }

    /// The user cancelled the build or a stage building at the same time failed.
    fn canceled(&self) -> bool {
        self.req.cancel.load(Ordering::SeqCst) || self.sibling_failed.load(Ordering::SeqCst)
    }

    fn check_cancel(&self) -> Result<()> {
        if self.canceled() {
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
                usage_count: 1,
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
        // The step's container is done: its overlay goes, and its upper directory becomes
        // the layer's directory (no second copy unpacked from the blob). With
        // SOURCE_DATE_EPOCH the stream's times are clamped: the layer's directory is then
        // unpacked from the blob, so that it has the same times.
        let paths = Paths::new(self.store, container);
        crate::containers::filesystem::unmount(&paths)?;
        let (upper, skip) = (
            paths.upper(),
            ["etc/hostname", "etc/hosts", "etc/resolv.conf"],
        );
        let layers = &self.store.layers;
        let packed = match self.req.source_date_epoch.map(|t| t.max(0) as u64) {
            Some(max) => layers.pack(&self.store.content, &upper, &skip, Some(max)),
            None => match layers.pack_adopting(&self.store.content, &upper, &skip) {
                Ok(Some(p)) => Ok(p),
                Ok(None) => layers.pack(&self.store.content, &upper, &skip, None),
                Err(e) => Err(e),
            },
        };
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
