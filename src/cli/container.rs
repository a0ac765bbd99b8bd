//! Container commands: `run`, `create`, `start`, `stop`, `kill`, `rm`, `ps`, `logs`, `wait`,
//! `restart`, `rename`, `container prune`, and container `inspect`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use super::GlobalOpts;
use super::format;
use crate::containers::lifecycle::{self, StartMode};
use crate::containers::settings::RestartPolicy;
use crate::containers::{self, Paths, Settings};
use crate::monitor::client::AttachOptions;
use crate::monitor::logs;
use crate::spec::parse_size;
use crate::state::containers::{ContainerRow, Status};
use crate::store::Store;

/// Flags shared by `run` and `create` (Docker's names). `-h` is the hostname here, as in
/// Docker: help is `--help` only (the commands disable clap's `-h`).
#[derive(Debug, Args, Clone)]
pub struct CreateArgs {
    /// Print help
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,
    /// Keep STDIN open
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Set environment variables (KEY=VALUE, or KEY to take the host's value)
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    pub user: Option<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "CMD")]
    pub entrypoint: Option<String>,
    /// Container host name
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Set metadata on the container (KEY=VALUE)
    #[arg(short, long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Automatically remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Restart policy: no, on-failure[:max-retries], always, unless-stopped
    #[arg(long, default_value = "no")]
    pub restart: String,
    /// Connect the container to a network: bridge (default), a network's name or ID, none,
    /// host, or container:NAME
    #[arg(long, alias = "net", default_value = "bridge")]
    pub network: String,
    /// Add a network-scoped alias for the container
    #[arg(long, alias = "net-alias", value_name = "ALIAS")]
    pub network_alias: Vec<String>,
    /// IPv4 address (e.g. 172.30.100.104)
    #[arg(long)]
    pub ip: Option<String>,
    /// IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)
    #[arg(long)]
    pub ip6: Option<String>,
    /// Publish a container's port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])
    #[arg(short, long, value_name = "PORTS")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Add a custom host-to-IP mapping (host:ip, ip may be host-gateway)
    #[arg(long, value_name = "HOST:IP")]
    pub add_host: Vec<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long, value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long, alias = "dns-opt", value_name = "OPT")]
    pub dns_option: Vec<String>,
    /// Pull image before running: missing, always, never
    #[arg(long, default_value = "missing", value_parser = ["missing", "always", "never"])]
    pub pull: String,
    /// Give extended privileges to this container
    #[arg(long)]
    pub privileged: bool,
    /// Add Linux capabilities
    #[arg(long, value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long, value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Security options (no-new-privileges, seccomp=unconfined, seccomp=FILE)
    #[arg(long, value_name = "OPT")]
    pub security_opt: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long)]
    pub read_only: bool,
    /// Mount a tmpfs directory (PATH[:OPTIONS])
    #[arg(long, value_name = "PATH")]
    pub tmpfs: Vec<String>,
    /// Bind mount a host path or mount a volume ([SOURCE:]DEST[:ro|rw][,z][,rshared|rslave|rprivate])
    #[arg(short, long = "volume", value_name = "VOLUME")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount (type=bind|volume|tmpfs,source=…,target=…,readonly,…)
    #[arg(long, value_name = "MOUNT")]
    pub mount: Vec<String>,
    /// Mount the volumes of a container (CONTAINER[:ro|rw])
    #[arg(long, value_name = "CONTAINER")]
    pub volumes_from: Vec<String>,
    /// Namespaced kernel parameters (KEY=VALUE)
    #[arg(long, value_name = "KEY=VALUE")]
    pub sysctl: Vec<String>,
    /// Ulimit options (NAME=SOFT[:HARD])
    #[arg(long, value_name = "ULIMIT")]
    pub ulimit: Vec<String>,
    /// Memory limit (e.g. 512m)
    #[arg(short, long)]
    pub memory: Option<String>,
    /// Memory plus swap limit; -1 for unlimited swap
    #[arg(long)]
    pub memory_swap: Option<String>,
    /// Number of CPUs
    #[arg(long)]
    pub cpus: Option<f64>,
    /// CPU shares (relative weight)
    #[arg(short = 'c', long)]
    pub cpu_shares: Option<u64>,
    /// CPU CFS quota (microseconds)
    #[arg(long)]
    pub cpu_quota: Option<i64>,
    /// CPU CFS period (microseconds)
    #[arg(long)]
    pub cpu_period: Option<u64>,
    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long)]
    pub cpuset_cpus: Option<String>,
    /// Tune container pids limit (-1 for unlimited)
    #[arg(long)]
    pub pids_limit: Option<i64>,
    /// Block IO weight (10-1000)
    #[arg(long)]
    pub blkio_weight: Option<u16>,
    /// Signal to stop the container
    #[arg(long)]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) to stop a container
    #[arg(long)]
    pub stop_timeout: Option<i64>,
    /// Log driver options (max-size=10m, max-file=3)
    #[arg(long, value_name = "OPT")]
    pub log_opt: Vec<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Set platform if the image is multi-platform
    #[arg(long)]
    pub platform: Option<String>,
    /// Image to run
    pub image: String,
    /// Command and arguments
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub create: CreateArgs,
    /// Run container in background and print container ID
    #[arg(short, long)]
    pub detach: bool,
    /// Proxy received signals to the process
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL")]
    pub sig_proxy: bool,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    #[arg(required_unless_present = "all", value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Start every stopped container whose restart policy is always, or unless-stopped and not
    /// stopped by the user (run this at boot; see README)
    #[arg(long, conflicts_with_all = ["containers", "attach"])]
    pub all: bool,
    /// Attach STDOUT/STDERR and forward signals
    #[arg(short, long)]
    pub attach: bool,
    /// Attach container's STDIN
    #[arg(short, long)]
    pub interactive: bool,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Seconds to wait before killing the container
    #[arg(short, long)]
    pub time: Option<i64>,
}

#[derive(Debug, Args)]
pub struct KillArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Signal to send to the container
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long)]
    pub volumes: bool,
}

#[derive(Debug, Args)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Only display container IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show n last created containers (includes all states)
    #[arg(short = 'n', long)]
    pub last: Option<usize>,
    /// Show the latest created container (includes all states)
    #[arg(short, long)]
    pub latest: bool,
    /// Filter output (status=, name=, label=, ancestor=, id=)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Output format: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    pub container: String,
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Show timestamps
    #[arg(short, long)]
    pub timestamps: bool,
    /// Number of lines to show from the end of the logs ("all")
    #[arg(short = 'n', long, default_value = "all")]
    pub tail: String,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    pub container: String,
    pub new_name: String,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContainerCommand {
    /// Create and run a new container from an image
    #[command(disable_help_flag = true)]
    Run(RunArgs),
    /// Create a new container
    #[command(disable_help_flag = true)]
    Create(CreateArgs),
    /// Start one or more stopped containers
    Start(StartArgs),
    /// Stop one or more running containers
    Stop(StopArgs),
    /// Restart one or more containers
    Restart(StopArgs),
    /// Kill one or more running containers
    Kill(KillArgs),
    /// Remove one or more containers
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
    /// List containers
    #[command(visible_aliases = ["list", "ps"])]
    Ls(PsArgs),
    /// Fetch the logs of a container
    Logs(LogsArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(WaitArgs),
    /// Rename a container
    Rename(RenameArgs),
    /// Remove all stopped containers
    Prune(PruneArgs),
    /// Execute a command in a running container
    Exec(super::exec::ExecArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(super::exec::AttachArgs),
    /// Display the running processes of a container
    Top(super::exec::TopArgs),
    /// Pause all processes within one or more containers
    Pause(super::exec::PauseArgs),
    /// Unpause all processes within one or more containers
    Unpause(super::exec::PauseArgs),
    /// Display detailed information on one or more containers
    Inspect(super::image::InspectArgs),
}

pub fn container_command(g: &GlobalOpts, c: ContainerCommand) -> anyhow::Result<i32> {
    match c {
        ContainerCommand::Run(a) => run(g, a),
        ContainerCommand::Create(a) => create(g, a),
        ContainerCommand::Start(a) => start(g, a),
        ContainerCommand::Stop(a) => stop(g, a),
        ContainerCommand::Restart(a) => restart(g, a),
        ContainerCommand::Kill(a) => kill(g, a),
        ContainerCommand::Rm(a) => rm(g, a),
        ContainerCommand::Ls(a) => ps(g, a),
        ContainerCommand::Logs(a) => logs_cmd(g, a),
        ContainerCommand::Wait(a) => wait(g, a),
        ContainerCommand::Rename(a) => rename(g, a),
        ContainerCommand::Prune(a) => prune(g, a),
        ContainerCommand::Exec(a) => super::exec::exec(g, a),
        ContainerCommand::Attach(a) => super::exec::attach(g, a),
        ContainerCommand::Top(a) => super::exec::top(g, a),
        ContainerCommand::Pause(a) => super::exec::pause(g, a),
        ContainerCommand::Unpause(a) => super::exec::unpause(g, a),
        ContainerCommand::Inspect(a) => super::image::inspect(g, a),
    }
}

/// `KEY=VALUE` flags (labels, options) into a map; a bare `KEY` has an empty value.
pub fn kv_list(items: &[String], what: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for i in items {
        let (k, v) = i.split_once('=').unwrap_or((i.as_str(), ""));
        if k.is_empty() {
            bail!("invalid {what} {i:?}: expected KEY=VALUE");
        }
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

/// Docker's env rules: `KEY=VALUE` as is; a bare `KEY` takes the host's value, or is dropped.
fn expand_env(items: &[String], out: &mut Vec<String>) {
    for e in items {
        if e.contains('=') {
            out.push(e.clone());
        } else if let Ok(v) = std::env::var(e) {
            out.push(format!("{e}={v}"));
        }
    }
}

/// `--env-file` files, then `-e` values, expanded with Docker's rules.
pub fn load_env(env: &[String], env_files: &[std::path::PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for f in env_files {
        let text = std::fs::read_to_string(f)
            .with_context(|| format!("reading env file {}", f.display()))?;
        let lines: Vec<String> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        expand_env(&lines, &mut out);
    }
    expand_env(env, &mut out);
    Ok(out)
}

fn settings_from(a: &CreateArgs) -> anyhow::Result<Settings> {
    let env = load_env(&a.env, &a.env_file)?;
    let entrypoint = a.entrypoint.as_ref().map(|e| {
        if e.is_empty() {
            Vec::new()
        } else {
            vec![e.clone()]
        }
    });
    let mut log_max_size = None;
    let mut log_max_file = None;
    for (k, v) in kv_list(&a.log_opt, "--log-opt")? {
        match k.as_str() {
            "max-size" => log_max_size = Some(parse_size(&v)? as u64),
            "max-file" => {
                log_max_file = Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .with_context(|| format!("invalid max-file {v:?}"))?,
                )
            }
            other => bail!("unknown log opt {other:?} (supported: max-size, max-file)"),
        }
    }
    let mut mounts = Vec::new();
    for v in &a.volume {
        mounts.push(crate::volumes::parse_volume_flag(v)?);
    }
    for m in &a.mount {
        mounts.push(crate::volumes::parse_mount_flag(m)?);
    }
    let memory_swap = match a.memory_swap.as_deref() {
        Some("-1") => Some(-1),
        Some(s) => Some(parse_size(s)?),
        None => None,
    };
    Ok(Settings {
        image: a.image.clone(),
        entrypoint,
        cmd: a.command.clone(),
        env,
        workdir: a.workdir.clone(),
        user: a.user.clone(),
        hostname: a.hostname.clone(),
        tty: a.tty,
        interactive: a.interactive,
        auto_remove: a.rm,
        restart: RestartPolicy::parse(&a.restart)?,
        labels: kv_list(&a.label, "label")?,
        network: a.network.clone(),
        network_aliases: a.network_alias.clone(),
        ip: a.ip.clone(),
        ip6: a.ip6.clone(),
        publish: a.publish.clone(),
        publish_all: a.publish_all,
        add_hosts: a.add_host.clone(),
        dns: a.dns.clone(),
        dns_search: a.dns_search.clone(),
        dns_options: a.dns_option.clone(),
        privileged: a.privileged,
        cap_add: a.cap_add.clone(),
        cap_drop: a.cap_drop.clone(),
        security_opt: a.security_opt.clone(),
        read_only: a.read_only,
        tmpfs: a.tmpfs.clone(),
        sysctls: a.sysctl.clone(),
        ulimits: a.ulimit.clone(),
        memory: a.memory.as_deref().map(parse_size).transpose()?,
        memory_swap,
        cpus: a.cpus,
        cpu_shares: a.cpu_shares,
        cpu_quota: a.cpu_quota,
        cpu_period: a.cpu_period,
        cpuset_cpus: a.cpuset_cpus.clone(),
        pids_limit: a.pids_limit,
        blkio_weight: a.blkio_weight,
        stop_signal: a.stop_signal.clone(),
        stop_timeout: a.stop_timeout,
        log_max_size,
        log_max_file,
        init: a.init,
        mounts,
        volumes_from: a.volumes_from.clone(),
    })
}

/// Makes sure the image is present according to `--pull`.
/// Pulls the image if `--pull` asks for it; true if it did.
fn ensure_image(g: &GlobalOpts, store: &mut Store, a: &CreateArgs) -> anyhow::Result<bool> {
    let present = crate::images::resolve(store, &a.image).is_ok();
    let need = match a.pull.as_str() {
        "always" => true,
        "never" => {
            if !present {
                bail!("No such image: {}", a.image);
            }
            false
        }
        _ => !present,
    };
    if need {
        if !a.pull.eq("always") {
            eprintln!("Unable to find image '{}' locally", a.image);
        }
        super::image::pull_quietly(g, store, &a.image, a.platform.as_deref())?;
    }
    Ok(need)
}

fn do_create(g: &GlobalOpts, store: &mut Store, a: &CreateArgs) -> anyhow::Result<ContainerRow> {
    let settings = settings_from(a)?;
    ensure_image(g, store, a)?;
    Ok(containers::create(store, &settings, a.name.as_deref())?)
}

pub fn create(g: &GlobalOpts, a: CreateArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    let c = do_create(g, &mut store, &a)?;
    println!("{}", c.id);
    Ok(0)
}

/// Prints a start failure the way Docker does and returns its exit code.
fn start_failed(code: i32, msg: &str) -> i32 {
    eprintln!("berth: error: {msg}");
    code
}

pub fn run(g: &GlobalOpts, a: RunArgs) -> anyhow::Result<i32> {
    if a.detach && a.create.rm && a.create.restart != "no" {
        bail!("conflicting options: cannot specify both --restart and --rm");
    }
    let settings = settings_from(&a.create)?;
    // The container's monitor starts up (exec, database) while the container is created: it
    // waits for the start, and goes if the container is not created.
    let id = crate::names::new_id();
    let (root, runroot) = (&g.root, &g.runroot);
    let mut monitor = lifecycle::SpawnedMonitor::spawn(root, runroot, &id)?;
    let created = (|| {
        let mut store = g.open_store()?;
        if ensure_image(g, &mut store, &a.create)? {
            // A pull can outlast the monitor's wait for its start: a fresh one.
            monitor.respawn(root, runroot, &id)?;
        }
        let name = a.create.name.as_deref();
        let c = containers::create_with_id(&mut store, &settings, name, id.clone())?;
        anyhow::Ok((store, c))
    })();
    let (mut store, c) = match created {
        Ok(x) => x,
        Err(e) => {
            monitor.abandon(root, runroot, &id);
            return Err(e);
        }
    };
    tracing::debug!("created {}", c.id);
    let mode = if a.detach {
        StartMode::Detached
    } else {
        StartMode::Attached(AttachOptions {
            stdin: a.create.interactive,
            tty: a.create.tty,
            sig_proxy: a.sig_proxy,
        })
    };
    match lifecycle::start_with(&mut store, &c, mode, Some(monitor)) {
        Ok(Some(code)) => Ok(code),
        Ok(None) => {
            println!("{}", c.id);
            Ok(0)
        }
        Err((code, msg)) => {
            // A `run` that fails leaves nothing behind (Docker would keep a "Created" container;
            // `create` + `start` still do).
            if let Ok(c) = containers::resolve(&store, &c.id) {
                let _ = lifecycle::remove_with_volumes(&mut store, &c, true, true);
            }
            Ok(start_failed(code, &msg))
        }
    }
}

pub fn start(g: &GlobalOpts, a: StartArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    if a.all {
        let mut rc = 0;
        for c in containers::list(&mut store)? {
            let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
            let wanted = s.restart.name == "always"
                || (s.restart.name == "unless-stopped" && !c.stopped_by_user);
            if c.status.is_active() || !wanted {
                continue;
            }
            match lifecycle::start(&mut store, &c, StartMode::Detached) {
                Ok(_) => println!("{}", c.name),
                Err((code, msg)) => rc = start_failed(code, &msg),
            }
        }
        return Ok(rc);
    }
    if a.attach && a.containers.len() > 1 {
        bail!("you cannot start and attach multiple containers at once");
    }
    let mut rc = 0;
    for name in &a.containers {
        let c = match containers::resolve(&store, name) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("berth: error: {e}");
                rc = 125;
                continue;
            }
        };
        let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
        let mode = if a.attach {
            StartMode::Attached(AttachOptions {
                stdin: a.interactive && s.interactive,
                tty: s.tty,
                sig_proxy: true,
            })
        } else {
            StartMode::Detached
        };
        if c.status.is_active() && !a.attach {
            println!("{name}");
            continue;
        }
        match lifecycle::start(&mut store, &c, mode) {
            Ok(Some(code)) => return Ok(code),
            Ok(None) => println!("{name}"),
            Err((code, msg)) => rc = start_failed(code, &msg),
        }
    }
    Ok(rc)
}

/// Runs `f` on each named container, printing the name on success (Docker's style).
fn each(
    store: &mut Store,
    names: &[String],
    mut f: impl FnMut(&mut Store, &ContainerRow) -> containers::Result<()>,
) -> i32 {
    let mut rc = 0;
    for name in names {
        let r = containers::resolve(store, name).and_then(|c| f(store, &c));
        match r {
            Ok(()) => println!("{name}"),
            Err(e) => {
                eprintln!("berth: error: {e}");
                rc = 125;
            }
        }
    }
    rc
}

pub fn stop(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    Ok(each(&mut store, &a.containers, |s, c| {
        lifecycle::stop(s, c, a.time)
    }))
}

pub fn restart(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    Ok(each(&mut store, &a.containers, |s, c| {
        lifecycle::restart(s, c, a.time)
    }))
}

pub fn kill(g: &GlobalOpts, a: KillArgs) -> anyhow::Result<i32> {
    let sig = crate::spec::parse_signal(&a.signal)?;
    let mut store = g.open_store()?;
    Ok(each(&mut store, &a.containers, |s, c| {
        lifecycle::kill(s, c, sig)
    }))
}

pub fn rm(g: &GlobalOpts, a: RmArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    Ok(each(&mut store, &a.containers, |s, c| {
        lifecycle::remove_with_volumes(s, c, a.force, a.volumes)
    }))
}

pub fn wait(g: &GlobalOpts, a: WaitArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    let mut rc = 0;
    for name in &a.containers {
        match containers::resolve(&store, name).and_then(|c| lifecycle::wait(&mut store, &c)) {
            Ok(code) => println!("{code}"),
            Err(e) => {
                eprintln!("berth: error: {e}");
                rc = 125;
            }
        }
    }
    Ok(rc)
}

pub fn rename(g: &GlobalOpts, a: RenameArgs) -> anyhow::Result<i32> {
    let mut store = g.open_store()?;
    let c = containers::resolve(&store, &a.container)?;
    if !crate::names::is_valid(&a.new_name) {
        return Err(containers::ContainerError::BadName(a.new_name).into());
    }
    let tx = store.db.write()?;
    if let Some(other) = crate::state::containers::by_name(&tx, &a.new_name)? {
        return Err(containers::ContainerError::NameTaken {
            name: a.new_name,
            id: other.id,
        }
        .into());
    }
    crate::state::containers::rename(&tx, &c.id, &a.new_name)?;
    tx.commit()?;
    Ok(0)
}

pub fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    if !a.force {
        print!(
            "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
        );
        std::io::stdout().flush()?;
        let mut line = String::new();
        if std::io::stdin().read_line(&mut line)? == 0 || !matches!(line.trim(), "y" | "Y" | "yes")
        {
            return Ok(0);
        }
    }
    let mut store = g.open_store()?;
    let (deleted, bytes) = containers::prune(&mut store)?;
    format::print_deleted("Deleted Containers:", &deleted);
    println!(
        "Total reclaimed space: {}",
        format::human_size(bytes as i64)
    );
    Ok(0)
}

/// The command a container runs, as Docker's COMMAND column shows it.
fn command_line(c: &ContainerRow, store: &Store) -> Vec<String> {
    let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
    let image_config = crate::images::config(store, &c.image_id).unwrap_or(Value::Null);
    containers::runspec::process_args(&s, &image_config).unwrap_or_default()
}

fn matches_filters(
    c: &ContainerRow,
    s: &Settings,
    filters: &[(String, String)],
    store: &Store,
) -> bool {
    filters.iter().all(|(k, v)| match k.as_str() {
        "status" => c.status.as_str() == v,
        "name" => c.name.contains(v.as_str()),
        "id" => c.id.starts_with(v.as_str()),
        "label" => match v.split_once('=') {
            Some((lk, lv)) => s.labels.get(lk).is_some_and(|x| x == lv),
            None => s.labels.contains_key(v.as_str()),
        },
        "ancestor" => {
            c.image_name == *v
                || crate::images::resolve(store, v).is_ok_and(|(id, _)| id == c.image_id)
        }
        "exited" => c.status == Status::Exited && c.exit_code.to_string() == *v,
        _ => false,
    })
}

pub fn ps(g: &GlobalOpts, a: PsArgs) -> anyhow::Result<i32> {
    let mut filters = Vec::new();
    for f in &a.filter {
        let (k, v) = f
            .split_once('=')
            .with_context(|| format!("bad filter {f:?}: expected KEY=VALUE"))?;
        if !["status", "name", "id", "label", "ancestor", "exited"].contains(&k) {
            bail!("invalid filter {k:?} (supported: status, name, id, label, ancestor, exited)");
        }
        if k == "status" && Status::parse(v).is_none() {
            bail!("invalid filter 'status={v}'");
        }
        filters.push((k.to_string(), v.to_string()));
    }
    let mut store = g.open_store()?;
    let all = a.all || a.last.is_some() || a.latest;
    let mut list: Vec<ContainerRow> = containers::list(&mut store)?
        .into_iter()
        .filter(|c| all || c.status.is_active() || filters.iter().any(|(k, _)| k == "status"))
        .filter(|c| {
            let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
            matches_filters(c, &s, &filters, &store)
        })
        .collect();
    if a.latest {
        list.truncate(1);
    } else if let Some(n) = a.last {
        list.truncate(n);
    }
    if a.quiet {
        for c in &list {
            println!("{}", if a.no_trunc { &c.id } else { &c.id[..12] });
        }
        return Ok(0);
    }
    let now = crate::clock::now_nanos();
    // The exposed ports of running containers' images (the PORTS column).
    let mut image_configs: std::collections::HashMap<String, Value> = Default::default();
    for c in list.iter().filter(|c| c.status.is_active()) {
        if !image_configs.contains_key(&c.image_id)
            && let Ok(v) = crate::images::config(&store, &c.image_id)
        {
            image_configs.insert(c.image_id.clone(), v);
        }
    }
    let objs: Vec<Map<String, Value>> = list
        .iter()
        .map(|c| {
            let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
            let cmd = command_line(c, &store).join(" ");
            let cmd = if a.no_trunc || cmd.chars().count() <= 20 {
                format!("\"{cmd}\"")
            } else {
                format!("\"{}…\"", cmd.chars().take(19).collect::<String>())
            };
            let mut m = Map::new();
            m.insert("Command".into(), json!(cmd));
            m.insert(
                "CreatedAt".into(),
                json!(format::docker_time(c.created / 1_000_000_000)),
            );
            m.insert(
                "RunningFor".into(),
                json!(format::ago(c.created / 1_000_000_000, now / 1_000_000_000)),
            );
            m.insert(
                "ID".into(),
                json!(if a.no_trunc {
                    c.id.clone()
                } else {
                    c.id[..12].to_string()
                }),
            );
            m.insert("Image".into(), json!(c.image_name));
            m.insert(
                "Labels".into(),
                json!(
                    s.labels
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            );
            m.insert("Names".into(), json!(c.name));
            m.insert(
                "Ports".into(),
                json!(super::network::ports_column(
                    &store,
                    c,
                    image_configs.get(&c.image_id)
                )),
            );
            m.insert("State".into(), json!(c.status.as_str()));
            m.insert("Status".into(), json!(containers::status_line(c, now)));
            m.insert("Networks".into(), json!(s.network));
            m.insert(
                "Mounts".into(),
                json!(
                    s.mounts
                        .iter()
                        .filter(|m| m.kind != crate::volumes::MountKind::Tmpfs)
                        .map(|m| m.source.as_str())
                        .collect::<Vec<_>>()
                        .join(",")
                ),
            );
            m.insert("Size".into(), json!("N/A"));
            m.insert(
                "LocalVolumes".into(),
                json!(
                    s.mounts
                        .iter()
                        .filter(|m| m.kind == crate::volumes::MountKind::Volume)
                        .count()
                        .to_string()
                ),
            );
            m
        })
        .collect();
    format::print_objects(
        a.format.as_deref(),
        objs,
        &[
            ("ID", "CONTAINER ID"),
            ("Image", "IMAGE"),
            ("Command", "COMMAND"),
            ("RunningFor", "CREATED"),
            ("Status", "STATUS"),
            ("Ports", "PORTS"),
            ("Names", "NAMES"),
            ("State", "STATE"),
            ("Labels", "LABELS"),
        ],
        &[
            "ID",
            "Image",
            "Command",
            "RunningFor",
            "Status",
            "Ports",
            "Names",
        ],
    );
    Ok(0)
}

pub fn logs_cmd(g: &GlobalOpts, a: LogsArgs) -> anyhow::Result<i32> {
    let tail: Option<usize> = match a.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().with_context(|| format!("invalid --tail {n:?}"))?),
    };
    let mut store = g.open_store()?;
    let c = containers::resolve(&store, &a.container)?;
    let paths = Paths::new(&store, &c.id);
    let log = paths.log();
    let print = |r: &logs::Record| {
        let line = if a.timestamps {
            format!("{} {}", r.time, r.log)
        } else {
            r.log.clone()
        };
        if r.stream == "stderr" {
            let mut e = std::io::stderr().lock();
            let _ = e.write_all(line.as_bytes());
            let _ = e.flush();
        } else {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(line.as_bytes());
            let _ = o.flush();
        }
    };
    let mut records = Vec::new();
    let files = logs::files(&log);
    let mut offset = 0;
    for f in &files {
        let (recs, off) = logs::read_from(f, 0)?;
        records.extend(recs);
        offset = off;
    }
    if let Some(n) = tail {
        let skip = records.len().saturating_sub(n);
        records.drain(..skip);
    }
    records.iter().for_each(print);
    if !a.follow {
        return Ok(0);
    }
    // Follow: poll the current file until the container stops.
    let mut size = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
    loop {
        let now = std::fs::metadata(&log).map(|m| m.len()).unwrap_or(0);
        if now < size {
            offset = 0; // rotated
        }
        size = now;
        let (recs, off) = logs::read_from(&log, offset)?;
        offset = off;
        recs.iter().for_each(print);
        let active = match crate::state::containers::get(&store.db.conn, &c.id)? {
            Some(row) => containers::reconcile(&mut store, row)?.status.is_active(),
            None => false,
        };
        if !active {
            let (recs, _) = logs::read_from(&log, offset)?;
            recs.iter().for_each(print);
            return Ok(0);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Docker's container inspect JSON.
pub fn inspect_json(store: &Store, c: &ContainerRow) -> Value {
    let s: Settings = serde_json::from_str(&c.config).unwrap_or_default();
    let paths = Paths::new(store, &c.id);
    let image_config = crate::images::config(store, &c.image_id).unwrap_or(Value::Null);
    let args = containers::runspec::process_args(&s, &image_config).unwrap_or_default();
    let img_cfg = image_config.get("config").cloned().unwrap_or(Value::Null);
    let cmd = if s.cmd.is_empty() && s.entrypoint.is_none() {
        img_cfg.get("Cmd").cloned().unwrap_or(Value::Null)
    } else {
        json!(s.cmd)
    };
    let entrypoint = match &s.entrypoint {
        Some(e) => json!(e),
        None => img_cfg.get("Entrypoint").cloned().unwrap_or(Value::Null),
    };
    let lower = crate::images::mount::lowerdirs(store, &c.image_id, false)
        .map(|l| {
            l.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(":")
        })
        .unwrap_or_default();
    let (mounts, binds, hc_mounts) = super::volume::container_mounts_json(&store.root, &s.mounts);
    let mut config_volumes = img_cfg.get("Volumes").cloned().unwrap_or(Value::Null);
    for m in s
        .mounts
        .iter()
        .filter(|m| m.anonymous && m.from_volume_flag)
    {
        if !config_volumes.is_object() {
            config_volumes = json!({});
        }
        config_volumes[&m.target] = json!({});
    }
    json!({
        "Id": c.id,
        "Created": crate::clock::rfc3339_nanos(c.created),
        "Path": args.first().cloned().unwrap_or_default(),
        "Args": args.iter().skip(1).cloned().collect::<Vec<_>>(),
        "State": {
            "Status": c.status.as_str(),
            "Running": matches!(c.status, Status::Running | Status::Paused),
            "Paused": c.status == Status::Paused,
            "Restarting": c.status == Status::Restarting,
            "OOMKilled": c.oom_killed,
            "Dead": c.status == Status::Dead,
            "Pid": c.pid,
            "ExitCode": c.exit_code,
            "Error": c.error,
            "StartedAt": crate::clock::rfc3339_nanos(c.started_at),
            "FinishedAt": crate::clock::rfc3339_nanos(c.finished_at),
        },
        "Image": c.image_id,
        "ResolvConfPath": paths.dir.join("resolv.conf"),
        "HostnamePath": paths.dir.join("hostname"),
        "HostsPath": paths.dir.join("hosts"),
        "LogPath": paths.log(),
        "Name": format!("/{}", c.name),
        "RestartCount": c.restart_count,
        "Driver": "overlay",
        "Platform": "linux",
        "HostConfig": {
            "AutoRemove": s.auto_remove,
            "RestartPolicy": { "Name": s.restart.name, "MaximumRetryCount": s.restart.max_retries },
            "NetworkMode": if s.network.is_empty() { "none" } else { &s.network },
            "PortBindings": super::network::port_bindings(&s),
            "PublishAllPorts": s.publish_all,
            "Dns": s.dns,
            "DnsSearch": s.dns_search,
            "DnsOptions": s.dns_options,
            "ExtraHosts": s.add_hosts,
            "Privileged": s.privileged,
            "CapAdd": s.cap_add,
            "CapDrop": s.cap_drop,
            "SecurityOpt": s.security_opt,
            "ReadonlyRootfs": s.read_only,
            "Memory": s.memory.unwrap_or(0),
            "MemorySwap": s.memory_swap.unwrap_or(0),
            "NanoCpus": s.cpus.map(|c| (c * 1e9) as i64).unwrap_or(0),
            "CpuShares": s.cpu_shares.unwrap_or(0),
            "CpuQuota": s.cpu_quota.unwrap_or(0),
            "CpuPeriod": s.cpu_period.unwrap_or(0),
            "CpusetCpus": s.cpuset_cpus.clone().unwrap_or_default(),
            "PidsLimit": s.pids_limit,
            "BlkioWeight": s.blkio_weight.unwrap_or(0),
            "Init": s.init,
            "Binds": binds,
            "Mounts": hc_mounts,
            "VolumesFrom": if s.volumes_from.is_empty() { Value::Null } else { json!(s.volumes_from) },
            "LogConfig": { "Type": "json-file", "Config": {} },
        },
        "GraphDriver": {
            "Name": "overlay",
            "Data": {
                "LowerDir": lower,
                "UpperDir": paths.upper(),
                "WorkDir": paths.work(),
                "MergedDir": paths.rootfs(),
            }
        },
        "Mounts": mounts,
        "Config": {
            "Hostname": s.hostname.clone().unwrap_or_else(|| c.id[..12].to_string()),
            "User": s.user.clone().or_else(|| img_cfg.get("User").and_then(|u| u.as_str()).map(str::to_string)).unwrap_or_default(),
            "Tty": s.tty,
            "OpenStdin": s.interactive,
            "Env": containers::runspec::env(&s, &image_config),
            "Cmd": cmd,
            "Image": c.image_name,
            "WorkingDir": s.workdir.clone().or_else(|| img_cfg.get("WorkingDir").and_then(|u| u.as_str()).map(str::to_string)).unwrap_or_default(),
            "Entrypoint": entrypoint,
            "Labels": s.labels,
            "StopSignal": s.stop_signal.clone().or_else(|| img_cfg.get("StopSignal").and_then(|u| u.as_str()).map(str::to_string)),
            "StopTimeout": s.stop_timeout,
            "ExposedPorts": img_cfg.get("ExposedPorts").cloned(),
            "Volumes": config_volumes,
        },
        "NetworkSettings": super::network::network_settings(store, c, &s),
    })
}
