//! Container operations: create, run, start, stop, restart, kill, remove, wait, rename, prune,
//! list, logs, pause/unpause, top, exec, attach. The monitor (crate::monitor) runs a started
//! container; these functions are what a front end calls.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::networks::PortSummary;
use super::{Engine, Error, Result};
use crate::containers::exec::ExecOptions;
pub use crate::containers::lifecycle::WaitCondition;
use crate::containers::lifecycle::{self, SpawnedMonitor, StartMode};
use crate::containers::top::TopOutput;
pub use crate::containers::update::Update as ContainerUpdate;
use crate::containers::{self, Paths, RestartPolicy, Settings};
use crate::filters::Filters;
use crate::images::pull::PullEvent;
use crate::monitor::client::AttachIo;
use crate::monitor::logs;
use crate::state::containers::{ContainerRow, Status};
use crate::store::Store;

/// `--pull`: when `create`/`run` pull the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullPolicy {
    /// Pull if the image is not in the store.
    #[default]
    Missing,
    Always,
    Never,
}

impl std::str::FromStr for PullPolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<PullPolicy> {
        match s {
            "missing" => Ok(PullPolicy::Missing),
            "always" => Ok(PullPolicy::Always),
            "never" => Ok(PullPolicy::Never),
            _ => Err(Error::invalid(format!(
                "invalid pull policy {s:?} (missing, always, never)"
            ))),
        }
    }
}

/// What `container_create` is asked for.
#[derive(Debug, Clone, Default)]
pub struct ContainerCreateOptions {
    pub settings: Settings,
    pub name: Option<String>,
    pub pull: PullPolicy,
    /// The platform to pull (`os/arch[/variant]`); the host's if `None`.
    pub platform: Option<String>,
    /// podman's `--replace`: a container of the same name is removed first (as `rm -f`).
    pub replace: bool,
}

/// What `container_create` and `container_run` report while they work: the image pull they
/// had to do.
#[derive(Debug, Clone)]
pub enum CreateProgress {
    /// The image is not in the store: it is pulled (Docker's "Unable to find image … locally").
    ImageMissing { image: String },
    /// Progress of that pull.
    Pull(PullEvent),
    /// The pull is done.
    Pulled { digest: String, name: String },
    /// The container exists (before a `run` starts it).
    Created { id: String },
}

/// A progress callback (called from the operation's threads).
pub type Progress = Arc<dyn Fn(CreateProgress) + Send + Sync>;

/// A created container.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub name: String,
}

/// How `container_run`/`container_start`/`container_exec` connect the caller to the container
/// (or the exec'd process).
pub enum Attach {
    /// Start and return.
    Detached,
    /// Stream the output to these streams until it exits (stdin too if given).
    Streams(AttachIo),
}

/// What a run or an attached start ended with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Started in the background.
    Detached { id: String },
    /// Ran attached and exited with this code.
    Exited { id: String, code: i32 },
}

/// `container_stop_with`'s and `container_restart_with`'s flags.
#[derive(Debug, Clone, Default)]
pub struct ContainerStopOptions {
    /// Seconds before SIGKILL (the container's `--stop-timeout`, else 10).
    pub timeout: Option<i64>,
    /// The signal to stop with (the container's `--stop-signal`, the image's, else SIGTERM).
    pub signal: Option<String>,
}

/// `container_remove`'s flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContainerRemoveOptions {
    /// Kill a running container first.
    pub force: bool,
    /// Remove its anonymous volumes too.
    pub volumes: bool,
}

/// `container_list`'s selection. `filters` are Docker's `KEY=VALUE` filters.
#[derive(Debug, Clone, Default)]
pub struct ContainerListOptions {
    /// Also containers that are not running.
    pub all: bool,
    /// Only the `n` most recently created (any state).
    pub last: Option<usize>,
    /// Only the most recently created (any state).
    pub latest: bool,
    pub filters: Vec<(String, String)>,
    /// Measure each container's writable layer (`ps -s`, the API's `size`).
    pub size: bool,
}

/// The filter keys `container_list` knows (Docker's).
pub const LIST_FILTERS: &[&str] = &[
    "ancestor", "before", "exited", "expose", "health", "id", "is-task", "label", "name",
    "network", "publish", "since", "status", "volume",
];

/// One container as `ps` lists it.
#[derive(Debug, Clone)]
pub struct ContainerSummary {
    pub id: String,
    pub name: String,
    /// The image as the user named it.
    pub image: String,
    /// The command and arguments it runs (entrypoint + cmd).
    pub command: Vec<String>,
    /// Creation time, nanoseconds since the epoch.
    pub created: i64,
    pub state: Status,
    /// Docker's status line ("Up 5 minutes", "Exited (0) 2 hours ago").
    pub status: String,
    /// Published ports (while running) and the image's exposed ports that are not published.
    pub ports: Vec<PortSummary>,
    pub labels: BTreeMap<String, String>,
    /// `--network` as given.
    pub network: String,
    /// Its endpoints by network name (as inspect shows them).
    pub networks: std::collections::HashMap<String, bollard_stubs::models::EndpointSettings>,
    /// Sources of its bind and volume mounts.
    pub mounts: Vec<String>,
    /// How many volumes it mounts.
    pub local_volumes: usize,
    /// With `size`: bytes in its writable layer, and that plus its image (Docker's `SizeRw`,
    /// `SizeRootFs`).
    pub size: Option<(u64, u64)>,
}

/// `container_logs`'s options.
#[derive(Debug, Clone, Default)]
pub struct LogsOptions {
    /// Keep streaming until the container stops.
    pub follow: bool,
    /// Only the last `n` records.
    pub tail: Option<usize>,
    /// Only records at or after this time (nanoseconds since the epoch).
    pub since: Option<i64>,
    /// Only records at or before this time (nanoseconds since the epoch).
    pub until: Option<i64>,
}

/// Which stream a log record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One record of a container's log.
#[derive(Debug, Clone)]
pub struct LogRecord {
    pub stream: LogStream,
    /// RFC 3339 with nanoseconds, as Docker's json-file writes it.
    pub time: String,
    /// The text, with its newline if it had one.
    pub text: String,
    /// The record's extra attributes (`logs --details`), sorted by name.
    pub attrs: Vec<(String, String)>,
}

impl LogRecord {
    /// What `--details` puts before the text: the attributes as `k=v` pairs joined by commas
    /// (query-escaped, as Docker writes them) and a space, which is there even without any.
    pub fn details_prefix(&self) -> String {
        let esc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_string(),
                    b => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        let pairs: Vec<String> = self
            .attrs
            .iter()
            .map(|(k, v)| format!("{}={}", esc(k), esc(v)))
            .collect();
        format!("{} ", pairs.join(","))
    }
}

/// One container's result of an operation on several (`stop a b c`).
pub type EachResult<T> = Vec<(String, Result<T>)>;

impl Engine {
    pub(super) fn resolve(&self, store: &Store, name: &str) -> Result<ContainerRow> {
        Ok(containers::resolve(store, name)?)
    }

    /// Pulls `image` if `pull` asks for it; true if it did.
    fn ensure_image(
        &self,
        store: &Store,
        o: &ContainerCreateOptions,
        progress: &Progress,
    ) -> Result<bool> {
        let image = &o.settings.image;
        let present = crate::images::resolve(store, image).is_ok();
        let need = match o.pull {
            PullPolicy::Always => true,
            PullPolicy::Never if !present => {
                return Err(crate::images::ImageError::NotFound(image.clone()).into());
            }
            PullPolicy::Never => false,
            PullPolicy::Missing => !present,
        };
        if need {
            if o.pull != PullPolicy::Always {
                progress(CreateProgress::ImageMissing {
                    image: image.clone(),
                });
            }
            let p = progress.clone();
            let pulled = self.image_pull(
                &super::images::ImagePullOptions {
                    reference: image.clone(),
                    platform: o.platform.clone(),
                    tls_verify: None,
                    credentials: None,
                },
                Arc::new(move |e| p(CreateProgress::Pull(e))),
            )?;
            progress(CreateProgress::Pulled {
                digest: pulled.digest,
                name: pulled.familiar,
            });
        }
        Ok(need)
    }

    /// `--replace`: removes the container named `o.name`, if any.
    fn replace_named(&self, store: &mut Store, o: &ContainerCreateOptions) -> Result<()> {
        let Some(name) = o.name.as_deref().filter(|_| o.replace) else {
            return Ok(());
        };
        if let Some(c) = crate::state::containers::by_name(&store.db.conn, name)? {
            lifecycle::remove_with_volumes(store, &c, true, false)?;
            self.exec_forget_container(&c.id);
        }
        Ok(())
    }

    /// `create`: a new container (pulling its image as `o.pull` says).
    pub fn container_create(
        &self,
        o: &ContainerCreateOptions,
        progress: &Progress,
    ) -> Result<Created> {
        let mut store = self.store()?;
        self.ensure_image(&store, o, progress)?;
        self.replace_named(&mut store, o)?;
        let c = containers::create(&mut store, &o.settings, o.name.as_deref())?;
        progress(CreateProgress::Created { id: c.id.clone() });
        Ok(Created {
            id: c.id,
            name: c.name,
        })
    }

    /// `run`: create and start. The container's monitor is spawned first, so that its start-up
    /// overlaps the create; a run that fails leaves nothing behind (no container, monitor or
    /// directory).
    pub fn container_run(
        &self,
        o: &ContainerCreateOptions,
        attach: Attach,
        progress: &Progress,
    ) -> Result<RunOutcome> {
        if matches!(attach, Attach::Detached)
            && o.settings.auto_remove
            && o.settings.restart != RestartPolicy::No
        {
            return Err(Error::invalid(
                "conflicting options: cannot specify both --restart and --rm",
            ));
        }
        let id = crate::names::new_id();
        let (root, runroot) = (self.root(), self.runroot());
        let mut monitor = SpawnedMonitor::spawn(root, runroot, &id)?;
        let created = (|| {
            let mut store = self.store()?;
            if self.ensure_image(&store, o, progress)? {
                // A pull can outlast the monitor's wait for its start: a fresh one.
                monitor.respawn(root, runroot, &id)?;
            }
            self.replace_named(&mut store, o)?;
            let name = o.name.as_deref();
            let c = containers::create_with_id(&mut store, &o.settings, name, id.clone())?;
            progress(CreateProgress::Created { id: c.id.clone() });
            Ok::<_, Error>((store, c))
        })();
        let (mut store, c) = match created {
            Ok(x) => x,
            Err(e) => {
                monitor.abandon(root, runroot, &id);
                return Err(e);
            }
        };
        tracing::debug!("created {}", c.id);
        let mode = match attach {
            Attach::Detached => StartMode::Detached,
            Attach::Streams(io) => StartMode::Attached(io),
        };
        match lifecycle::start_with(&mut store, &c, mode, Some(monitor)) {
            Ok(Some(code)) => Ok(RunOutcome::Exited { id: c.id, code }),
            Ok(None) => Ok(RunOutcome::Detached { id: c.id }),
            // Detached by the user (the detach keys) while attached: it runs on.
            Err(_)
                if containers::resolve(&store, &c.id)
                    .and_then(|c| containers::reconcile(&mut store, c))
                    .is_ok_and(|c| c.status.is_active()) =>
            {
                Ok(RunOutcome::Detached { id: c.id })
            }
            Err(e) => {
                // A `run` whose start fails keeps the container as "Created" (Docker's), for a
                // `start` to retry; with `--rm` it goes.
                if o.settings.auto_remove
                    && let Ok(c) = containers::resolve(&store, &c.id)
                {
                    let _ = lifecycle::remove_with_volumes(&mut store, &c, true, true);
                }
                Err(e.into())
            }
        }
    }

    /// `start`: starts a created or stopped container. Attached, returns its exit code; a
    /// container that is already running is left as it is (`None`), unless attaching.
    pub fn container_start(&self, name: &str, attach: Attach) -> Result<Option<i32>> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        let mode = match attach {
            Attach::Detached if c.status.is_active() => return Ok(None),
            Attach::Detached => StartMode::Detached,
            Attach::Streams(io) => StartMode::Attached(io),
        };
        Ok(lifecycle::start(&mut store, &c, mode)?)
    }

    /// Whether `start -a` of this container attaches stdin when asked (`-i`): only if it was
    /// created with `-i`.
    pub fn container_is_interactive(&self, name: &str) -> Result<bool> {
        let store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(Settings::of(&c)?.interactive)
    }

    /// `start --all` (at boot): starts every stopped container whose restart policy brings it
    /// back; returns each one's name and result.
    pub fn container_start_all(&self) -> Result<EachResult<()>> {
        let mut store = self.store()?;
        let mut out = Vec::new();
        for c in containers::list(&mut store)? {
            let wanted = match Settings::of(&c) {
                Ok(s) => s.restart.starts_at_boot(c.stopped_by_user),
                Err(e) => {
                    out.push((c.name.clone(), Err(e.into())));
                    continue;
                }
            };
            if c.status.is_active() || !wanted {
                continue;
            }
            let r = lifecycle::start(&mut store, &c, StartMode::Detached);
            out.push((c.name.clone(), r.map(|_| ()).map_err(Error::from)));
        }
        Ok(out)
    }

    /// `stop`: the stop signal, then SIGKILL after `timeout` seconds (the container's
    /// `--stop-timeout`, else 10).
    pub fn container_stop(&self, name: &str, timeout: Option<i64>) -> Result<()> {
        self.container_stop_with(
            name,
            &ContainerStopOptions {
                timeout,
                signal: None,
            },
        )
    }

    /// `stop -s SIGNAL -t SECONDS`.
    pub fn container_stop_with(&self, name: &str, o: &ContainerStopOptions) -> Result<()> {
        let sig = o
            .signal
            .as_deref()
            .map(crate::spec::parse_signal)
            .transpose()?;
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(lifecycle::stop(&mut store, &c, o.timeout, sig)?)
    }

    /// `restart`: stop, then a detached start.
    pub fn container_restart(&self, name: &str, timeout: Option<i64>) -> Result<()> {
        self.container_restart_with(
            name,
            &ContainerStopOptions {
                timeout,
                signal: None,
            },
        )
    }

    /// `restart -s SIGNAL -t SECONDS`.
    pub fn container_restart_with(&self, name: &str, o: &ContainerStopOptions) -> Result<()> {
        let sig = o
            .signal
            .as_deref()
            .map(crate::spec::parse_signal)
            .transpose()?;
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(lifecycle::restart(&mut store, &c, o.timeout, sig)?)
    }

    /// `container exists`: whether `name` names a container.
    pub fn container_exists(&self, name: &str) -> Result<bool> {
        let store = self.store()?;
        super::found(containers::resolve(&store, name).map_err(Error::from))
    }

    /// `kill -s SIGNAL` (a name, `SIGNAME` or a number).
    pub fn container_kill(&self, name: &str, signal: &str) -> Result<()> {
        let sig = crate::spec::parse_signal(signal)?;
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(lifecycle::kill(&mut store, &c, sig)?)
    }

    /// `rm [-f] [-v]`.
    pub fn container_remove(&self, name: &str, o: ContainerRemoveOptions) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        lifecycle::remove_with_volumes(&mut store, &c, o.force, o.volumes)?;
        self.exec_forget_container(&c.id);
        Ok(())
    }

    /// `rm --link /LINKER/ALIAS`: removes a legacy link, not a container.
    pub fn container_remove_link(&self, name: &str) -> Result<()> {
        let mut store = self.store()?;
        Ok(containers::remove_link(&mut store, name)?)
    }

    /// `wait`: blocks until the container stops; its exit code.
    pub fn container_wait(&self, name: &str) -> Result<i64> {
        self.container_wait_for(name, WaitCondition::NotRunning, &|| false)
    }

    /// `wait` for `condition` (Docker's `not-running`, `next-exit`, `removed`); returns early
    /// with -1 once `cancelled()` (its caller went away).
    pub fn container_wait_for(
        &self,
        name: &str,
        condition: WaitCondition,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<i64> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(lifecycle::wait_for(&mut store, &c, condition, cancelled)?)
    }

    /// `rename`.
    pub fn container_rename(&self, name: &str, new_name: &str) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(containers::rename(&mut store, &c, new_name)?)
    }

    /// `container prune`: removes every stopped container; their IDs and the bytes freed.
    pub fn container_prune(&self, filters: &[(String, String)]) -> Result<(Vec<String>, u64)> {
        use super::system::{PRUNE_FILTERS, prune_filters, prunes_container};
        let (f, until) = prune_filters(filters, PRUNE_FILTERS)?;
        let mut store = self.store()?;
        Ok(containers::prune(&mut store, &|c| {
            prunes_container(&f, until, c)
        })?)
    }

    /// `pause`.
    pub fn container_pause(&self, name: &str) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::pause::pause(&mut store, &c)?)
    }

    /// `unpause`.
    pub fn container_unpause(&self, name: &str) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::pause::unpause(&mut store, &c)?)
    }

    /// `update`: new limits and restart policy (applied at once to a running container).
    /// Returns Docker's warnings.
    pub fn container_update(&self, name: &str, u: &ContainerUpdate) -> Result<Vec<String>> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::update::update(&mut store, &c, u)?)
    }

    /// `top`: the container's processes as `ps` (with `ps_args`) shows them.
    pub fn container_top(&self, name: &str, ps_args: &[String]) -> Result<TopOutput> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::top::top(&mut store, &c, ps_args)?)
    }

    /// `exec`: runs a process in the running container, attached to the caller's streams
    /// until it exits (its exit code; `Controls` resize its pty and signal it), or detached
    /// (0 once it has started). The runtime clones the calling process: call it from a process
    /// with one thread (this joins the CLI's cgroup warm-up first); the attached exec starts
    /// its threads (stdin copy, `on_attached`'s) only once the process runs.
    pub fn container_exec(&self, name: &str, o: ExecOptions, attach: Attach) -> Result<i32> {
        let store = self.store()?;
        let c = self.resolve(&store, name)?;
        crate::runtime::warmup::wait_early();
        let io = match attach {
            Attach::Detached => None,
            Attach::Streams(io) => Some(io),
        };
        Ok(crate::containers::exec::exec(store, &c, o, io)?)
    }

    /// `attach`: streams the running container's output (and `io.stdin` if it was created
    /// with `-i`) until it exits; its exit code.
    pub fn container_attach(&self, name: &str, io: AttachIo) -> Result<i32> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::attach::attach(&mut store, &c, io)?)
    }

    /// `resize`: the running container's terminal gets `rows` × `cols` (from any caller, with
    /// or without an attach session).
    pub fn container_resize(&self, name: &str, rows: u16, cols: u16) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        Ok(crate::containers::attach::resize(
            &mut store, &c, rows, cols,
        )?)
    }

    /// `ps`: the containers `o` selects, newest first.
    pub fn container_list(&self, o: &ContainerListOptions) -> Result<Vec<ContainerSummary>> {
        let f = Filters::new(&o.filters);
        let invalid = |e: crate::filters::FilterError| Error::invalid(e.0);
        f.validate(LIST_FILTERS).map_err(invalid)?;
        f.check_values("status", |v| Status::parse(v).is_some())
            .map_err(invalid)?;
        f.check_values("exited", |v| v.parse::<i64>().is_ok())
            .map_err(invalid)?;
        // (dockerd's own message for this key)
        if let Some(v) = f
            .values("health")
            .find(|v| !containers::health::valid_filter(v))
        {
            return Err(Error::invalid(format!(
                "Unrecognised filter value for health: {v}"
            )));
        }
        f.check_values("publish", crate::filters::valid_port)
            .map_err(invalid)?;
        f.check_values("expose", crate::filters::valid_port)
            .map_err(invalid)?;
        f.boolean("is-task").map_err(invalid)?;
        let mut store = self.store()?;
        // `before` and `since` name containers: their creation times bound the list.
        let mut before = None;
        for v in f.values("before") {
            before = Some(self.resolve(&store, v)?.created);
        }
        let mut since = None;
        for v in f.values("since") {
            since = Some(self.resolve(&store, v)?.created);
        }
        let mut ancestors = Vec::new();
        for v in f.values("ancestor") {
            if let Ok((id, _)) = crate::images::resolve(&store, v) {
                ancestors.push(id);
            }
        }
        let all = o.all || o.last.is_some() || o.latest;
        let mut list = Vec::new();
        for c in containers::list(&mut store)? {
            if !(all || c.status.is_active() || f.contains("status")) {
                continue;
            }
            if before.is_some_and(|t| c.created >= t) || since.is_some_and(|t| c.created <= t) {
                continue;
            }
            let s = Settings::of(&c)?;
            if matches_filters(&c, &s, &f, &ancestors, &store) {
                list.push((c, s));
            }
        }
        if o.latest {
            list.truncate(1);
        } else if let Some(n) = o.last {
            list.truncate(n);
        }
        let now = crate::clock::now_nanos();
        let mut image_configs: std::collections::HashMap<String, Value> = Default::default();
        let mut out = Vec::with_capacity(list.len());
        for (c, s) in list {
            if !image_configs.contains_key(&c.image_id)
                && let Ok(v) = crate::images::config(&store, &c.image_id)
            {
                image_configs.insert(c.image_id.clone(), v);
            }
            let image_config = image_configs.get(&c.image_id);
            let command =
                containers::runspec::process_args(&s, image_config.unwrap_or(&Value::Null))
                    .unwrap_or_default();
            let ports = if c.status.is_active() {
                let exposed = s.exposed_ports(image_config.unwrap_or(&Value::Null));
                super::networks::port_summaries(&store, &c.id, &exposed)?
            } else {
                Vec::new()
            };
            let networks = super::inspect::endpoints(&store, &c, &s).0;
            let size = o.size.then(|| {
                let rw = crate::volumes::copy::disk_usage(&Paths::new(&store, &c.id).upper());
                let image = crate::state::images::get_image(&store.db.conn, &c.image_id)
                    .ok()
                    .flatten()
                    .map_or(0, |i| i.size.max(0) as u64);
                (rw, rw + image)
            });
            out.push(ContainerSummary {
                size,
                networks,
                status: status_with_health(&store, &c, now),
                command,
                ports,
                labels: s.labels.clone(),
                network: s.network.to_string(),
                mounts: s
                    .mounts
                    .iter()
                    .filter(|m| m.kind != crate::volumes::MountKind::Tmpfs)
                    .map(|m| m.source.clone())
                    .collect(),
                local_volumes: s
                    .mounts
                    .iter()
                    .filter(|m| m.kind == crate::volumes::MountKind::Volume)
                    .count(),
                id: c.id,
                name: c.name,
                image: c.image_name,
                created: c.created,
                state: c.status,
            });
        }
        Ok(out)
    }

    /// `logs`: hands each record to `sink` (which returns false to stop: its reader went
    /// away), following the log until the container stops if `o.follow`.
    pub fn container_logs(
        &self,
        name: &str,
        o: &LogsOptions,
        sink: &mut dyn FnMut(LogRecord) -> bool,
    ) -> Result<()> {
        self.container_logs_cancellable(name, o, sink, &|| false)
    }

    /// Fails as [`Engine::container_logs`] would before its first record: no such container,
    /// or a logging driver that keeps nothing to read (`none`).
    pub fn container_logs_check(&self, name: &str) -> Result<()> {
        let store = self.store()?;
        let c = self.resolve(&store, name)?;
        log_file(&store, &c).map(|_| ())
    }

    /// [`Engine::container_logs`] that also ends, while following a quiet container, once
    /// `cancelled` says so (a client of the API that went away).
    pub fn container_logs_cancellable(
        &self,
        name: &str,
        o: &LogsOptions,
        sink: &mut dyn FnMut(LogRecord) -> bool,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<()> {
        let mut store = self.store()?;
        let c = self.resolve(&store, name)?;
        let log = log_file(&store, &c)?;
        let io_err = |e: std::io::Error| Error::io(format!("reading {}", log.display()))(e);
        // The current file is opened first: a rotation while the older files are read is seen
        // by the follower (and the file it has open is not read twice).
        let mut follower = logs::Follower::open(&log);
        let mut records = Vec::new();
        for f in logs::rotated(&log) {
            use std::os::unix::fs::MetadataExt;
            if follower.inode().is_some()
                && std::fs::metadata(&f).ok().map(|m| m.ino()) == follower.inode()
            {
                continue;
            }
            let (recs, _) =
                logs::read_from(&f, 0).map_err(Error::io(format!("reading {}", f.display())))?;
            records.extend(recs);
        }
        records.extend(follower.poll().map_err(io_err)?);
        let wanted = |r: &logs::Record| in_window(&r.time, o.since, o.until);
        records.retain(wanted);
        if let Some(n) = o.tail {
            let skip = records.len().saturating_sub(n);
            records.drain(..skip);
        }
        let mut emit = |recs: Vec<logs::Record>| -> bool {
            recs.into_iter().filter(wanted).all(|r| sink(log_record(r)))
        };
        if !emit(records) || !o.follow {
            return Ok(());
        }
        // Follow: poll the current file (across rotations) until the container stops (or
        // `until` has passed).
        loop {
            let recs = follower.poll().map_err(io_err)?;
            if !emit(recs) || cancelled() {
                return Ok(());
            }
            let active = match crate::state::containers::get(&store.db.conn, &c.id)? {
                Some(row) => containers::reconcile(&mut store, row)?.status.is_active(),
                None => false,
            };
            let over = o.until.is_some_and(|u| crate::clock::now_nanos() >= u);
            if !active || over {
                emit(follower.poll().map_err(io_err)?);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `inspect` of a container: Docker's JSON.
    pub fn container_inspect(
        &self,
        name: &str,
    ) -> Result<bollard_stubs::models::ContainerInspectResponse> {
        let store = self.store()?;
        let c = self.resolve(&store, name)?;
        super::inspect::container(&store, &c)
    }
}

/// The current log file of a container, as its logging driver says; Docker's error for a
/// driver that keeps none.
fn log_file(store: &Store, c: &ContainerRow) -> Result<std::path::PathBuf> {
    let driver = Settings::of(c)?.log_config()?.driver;
    Paths::new(store, &c.id).log_file(driver).ok_or_else(|| {
        Error::NotImplemented("configured logging driver does not support reading".into())
    })
}

fn log_record(r: logs::Record) -> LogRecord {
    LogRecord {
        stream: if r.stream == "stderr" {
            LogStream::Stderr
        } else {
            LogStream::Stdout
        },
        time: r.time,
        text: r.log,
        attrs: r.attrs.into_iter().collect(),
    }
}

/// Is a record written at `time` (RFC 3339) inside [since, until]?
fn in_window(time: &str, since: Option<i64>, until: Option<i64>) -> bool {
    if since.is_none() && until.is_none() {
        return true;
    }
    let Some(t) = chrono::DateTime::parse_from_rfc3339(time)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
    else {
        return true;
    };
    // Both ends included, as dockerd reads them.
    since.is_none_or(|s| t >= s) && until.is_none_or(|u| t <= u)
}

/// Docker's `ps` filters (`before`/`since` are applied by the caller): values of a key are
/// OR'ed, keys AND'ed.
fn matches_filters(
    c: &ContainerRow,
    s: &Settings,
    f: &Filters,
    ancestors: &[String],
    store: &Store,
) -> bool {
    if f.is_empty() {
        return true;
    }
    let slash = format!("/{}", c.name);
    f.any("status", |v| c.status.as_str() == v)
        && f.regex("name", &[&c.name, &slash])
        && f.any("id", |v| c.id.starts_with(v))
        && f.labels("label", &s.labels)
        && f.any("exited", |v| {
            c.status == Status::Exited && v.parse::<i64>() == Ok(c.exit_code)
        })
        && f.any("health", |v| health_matches(store, c, v))
        && f.any("is-task", |v| matches!(v, "false" | "0"))
        && (!f.contains("ancestor") || {
            // The image or any image of its parent chain (Docker: the image's descendants).
            let lineage = crate::state::images::lineage(&store.db.conn, &c.image_id)
                .unwrap_or_else(|_| vec![c.image_id.clone()]);
            f.values("ancestor").any(|v| c.image_name == v)
                || lineage.iter().any(|id| ancestors.contains(id))
        })
        && f.any("volume", |v| {
            s.mounts.iter().any(|m| {
                (m.kind == crate::volumes::MountKind::Volume && m.source == v) || m.target == v
            })
        })
        && (!f.contains("network") || {
            let nets = super::inspect::endpoints(store, c, s).0;
            f.values("network").any(|v| {
                nets.iter().any(|(name, e)| {
                    name == v
                        || (!v.is_empty()
                            && e.network_id.as_deref().is_some_and(|id| id.starts_with(v)))
                })
            })
        })
        && (!f.contains("publish") || {
            let published = published_ports(s);
            f.values("publish").any(|v| {
                published
                    .iter()
                    .any(|(p, proto)| crate::filters::port_matches(v, *p, proto))
            })
        })
        && (!f.contains("expose") || {
            let cfg = crate::images::config(store, &c.image_id).unwrap_or_default();
            let mut ports = Vec::new();
            for k in s.exposed_ports(&cfg) {
                let (p, proto) = k.split_once('/').unwrap_or((&k, "tcp"));
                if let Ok(p) = p.parse() {
                    ports.push((p, proto.to_string()));
                }
            }
            f.values("expose").any(|v| {
                ports
                    .iter()
                    .any(|(p, proto)| crate::filters::port_matches(v, *p, proto))
            })
        })
}

/// The container ports `-p` publishes (`[IP:][HOST:]PORT[-END][/PROTO]`), as port and
/// protocol.
fn published_ports(s: &Settings) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    for spec in &s.publish {
        let (spec, proto) = spec.rsplit_once('/').unwrap_or((spec, "tcp"));
        let last = spec.rsplit(':').next().unwrap_or(spec);
        let (a, b) = last.split_once('-').unwrap_or((last, last));
        if let (Ok(a), Ok(b)) = (a.parse::<u16>(), b.parse::<u16>()) {
            for p in a..=b {
                out.push((p, proto.to_string()));
            }
        }
    }
    out
}

/// `ps --filter health=…`: the container's health status (`none` without a health state;
/// `unhealthy` once stopped, as Docker's).
fn health_matches(store: &Store, c: &ContainerRow, want: &str) -> bool {
    let dir = Paths::new(store, &c.id).dir;
    let status = containers::health::filter_status(&dir);
    let status = if status != "none" && !c.status.is_active() {
        "unhealthy".to_string()
    } else {
        status
    };
    status == want
}

/// Docker's status line, with the health of a running container that has one: `Up 5
/// minutes (healthy)`, `(unhealthy)`, `(health: starting)`.
fn status_with_health(store: &Store, c: &ContainerRow, now: i64) -> String {
    let line = containers::status_line(c, now);
    if c.status != Status::Running {
        return line;
    }
    match containers::health::read(&Paths::new(store, &c.id).dir) {
        Some(h) => match containers::health::status(&h) {
            bollard_stubs::models::HealthStatusEnum::STARTING => {
                format!("{line} (health: starting)")
            }
            s => format!("{line} ({s})"),
        },
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_window() {
        let t = "2026-12-03T08:00:00.5Z";
        let at = chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap();
        assert!(in_window(t, None, None));
        assert!(in_window(t, Some(at), None));
        assert!(!in_window(t, Some(at + 1), None));
        // Both ends included, as dockerd's `since` and `until`.
        assert!(in_window(t, None, Some(at)));
        assert!(!in_window(t, None, Some(at - 1)));
    }

    #[test]
    fn pull_policies() {
        assert_eq!("always".parse::<PullPolicy>().unwrap(), PullPolicy::Always);
        assert!("sometimes".parse::<PullPolicy>().is_err());
    }
}
