//! The flags of the container commands (Docker's names) and their translation into the
//! engine's options.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::cli::flags::{kv_list, load_env, load_lines};
use crate::containers::{RestartPolicy, Settings};
use crate::engine::ContainerCreateOptions;
use crate::spec::parse_size;

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
    /// host, or container:NAME; again for more user-defined networks; advanced form
    /// name=NET[,alias=A][,ip=IP][,ip6=IP][,mac-address=MAC]
    #[arg(long, alias = "net", default_value = "bridge", value_name = "NETWORK")]
    pub network: Vec<String>,
    /// Add a network-scoped alias for the container
    #[arg(long, alias = "net-alias", value_name = "ALIAS")]
    pub network_alias: Vec<String>,
    /// IPv4 address (e.g. 172.30.100.104)
    #[arg(long)]
    pub ip: Option<String>,
    /// IPv6 address on a dual-stack network (e.g. fd12:3456:789a::10)
    #[arg(long)]
    pub ip6: Option<String>,
    /// Container MAC address (e.g. 92:d0:c6:0a:29:33)
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
    /// Publish a container's port(s) to the host ([IP:][HOSTPORT:]PORT[/PROTO])
    #[arg(short, long, value_name = "PORTS")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports
    #[arg(short = 'P', long)]
    pub publish_all: bool,
    /// Add a link to another container (NAME[:ALIAS]; legacy: /etc/hosts entries)
    #[arg(long, value_name = "NAME[:ALIAS]")]
    pub link: Vec<String>,
    /// Expose a port or a range of ports (PORT[-END][/PROTO])
    #[arg(long, value_name = "PORT")]
    pub expose: Vec<String>,
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
    /// MEMs in which to allow execution (0-3, 0,1)
    #[arg(long)]
    pub cpuset_mems: Option<String>,
    /// Memory soft limit
    #[arg(long, value_name = "BYTES")]
    pub memory_reservation: Option<String>,
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
    /// Logging driver for the container (json-file, local, none)
    #[arg(long, value_name = "DRIVER")]
    pub log_driver: Option<String>,
    /// Log driver options (max-size=10m, max-file=3, compress=true, labels, env, tag)
    #[arg(long, value_name = "OPT")]
    pub log_opt: Vec<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Set platform if the image is multi-platform
    #[arg(long)]
    pub platform: Option<String>,
    /// Add a host device to the container (HOST[:CONTAINER][:PERMS])
    #[arg(long, value_name = "DEVICE")]
    pub device: Vec<String>,
    /// Add a rule to the cgroup allowed devices list ('c 1:3 rwm')
    #[arg(long, value_name = "RULE")]
    pub device_cgroup_rule: Vec<String>,
    /// GPU devices to add to the container (needs the NVIDIA container toolkit: refused)
    #[arg(long, value_name = "GPUS")]
    pub gpus: Option<String>,
    /// Size of /dev/shm (e.g. 128m)
    #[arg(long, value_name = "SIZE")]
    pub shm_size: Option<String>,
    /// IPC mode: private, shareable, none, host, container:NAME
    #[arg(long, value_name = "MODE")]
    pub ipc: Option<String>,
    /// PID namespace: host, container:NAME
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,
    /// UTS namespace: host
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,
    /// Cgroup namespace: host, private
    #[arg(long, value_name = "MODE")]
    pub cgroupns: Option<String>,
    /// Add additional groups to join
    #[arg(long, value_name = "GROUP")]
    pub group_add: Vec<String>,
    /// Optional parent cgroup for the container
    #[arg(long, value_name = "PATH")]
    pub cgroup_parent: Option<String>,
    /// Container NIS domain name
    #[arg(long, value_name = "NAME")]
    pub domainname: Option<String>,
    /// Disable OOM Killer
    #[arg(long)]
    pub oom_kill_disable: bool,
    /// Tune host's OOM preferences (-1000 to 1000)
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub oom_score_adj: Option<i32>,
    #[command(flatten)]
    pub health: super::HealthArgs,
    /// Write the container ID to the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Option<std::path::PathBuf>,
    /// Read in a line delimited file of labels
    #[arg(long, value_name = "FILE")]
    pub label_file: Vec<std::path::PathBuf>,
    /// If a container with the same name exists, replace it (podman)
    #[arg(long, requires = "name")]
    pub replace: bool,
    /// Attach to STDIN, STDOUT or STDERR
    #[arg(short = 'a', long = "attach", value_name = "STREAM", value_parser = ["stdin", "stdout", "stderr"])]
    pub attach: Vec<String>,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS")]
    pub detach_keys: Option<String>,
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
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS")]
    pub detach_keys: Option<String>,
}

/// podman's `--all` and `--ignore`, shared by stop, restart, kill, rm, pause and unpause.
#[derive(Debug, Args, Clone, Copy)]
pub struct AllIgnore {
    /// Act on all containers (those the command applies to)
    #[arg(short, long)]
    pub all: bool,
    /// Ignore errors when a specified container is missing
    #[arg(short, long)]
    pub ignore: bool,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "CONTAINER"
    )]
    pub containers: Vec<String>,
    /// Signal to send to the container
    #[arg(short, long)]
    pub signal: Option<String>,
    /// Seconds to wait before killing the container
    #[arg(
        short = 't',
        long = "timeout",
        visible_alias = "time",
        value_name = "SECONDS"
    )]
    pub time: Option<i64>,
    #[command(flatten)]
    pub select: AllIgnore,
}

#[derive(Debug, Args)]
pub struct KillArgs {
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "CONTAINER"
    )]
    pub containers: Vec<String>,
    /// Signal to send to the container
    #[arg(short, long, default_value = "KILL")]
    pub signal: String,
    #[command(flatten)]
    pub select: AllIgnore,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    #[arg(
        required_unless_present = "all",
        conflicts_with = "all",
        value_name = "CONTAINER"
    )]
    pub containers: Vec<String>,
    /// Force the removal of a running container (uses SIGKILL)
    #[arg(short, long)]
    pub force: bool,
    /// Remove anonymous volumes associated with the container
    #[arg(short, long)]
    pub volumes: bool,
    /// Remove the specified link (/LINKER/ALIAS), not the container
    #[arg(short, long)]
    pub link: bool,
    /// Seconds to wait for a running container to stop before killing it (implies --force)
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<i64>,
    #[command(flatten)]
    pub select: AllIgnore,
}

#[derive(Debug, Args)]
pub struct ExistsArgs {
    /// Name or ID
    pub name: String,
}

#[derive(Debug, Args)]
pub struct UntagArgs {
    /// Image (name, ID or ID prefix)
    pub image: String,
    /// Tags to remove (all of the image's without any)
    pub names: Vec<String>,
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
    /// Filter output (Docker's: ancestor, before, exited, expose, health, id, is-task,
    /// label, name (a regular expression), network, publish, since, status, volume)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Output format: table, json, or a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
    /// Print no header row (podman's spelling)
    #[arg(long, alias = "noheading")]
    pub no_heading: bool,
    /// Sort by created, id, image, names, runningfor or status (podman's; default: newest
    /// first)
    #[arg(long, value_parser = ["created", "id", "image", "names", "runningfor", "status"])]
    pub sort: Option<String>,
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
    /// Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42
    /// minutes)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for
    /// 42 minutes)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Show extra details provided to logs
    #[arg(long)]
    pub details: bool,
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
    /// Provide filter values (label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME)
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
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
    Exec(crate::cli::exec::ExecArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(crate::cli::exec::AttachArgs),
    /// Display the running processes of a container
    Top(crate::cli::exec::TopArgs),
    /// Display a live stream of container(s) resource usage statistics
    Stats(crate::cli::stats::StatsArgs),
    /// Pause all processes within one or more containers
    Pause(crate::cli::exec::PauseArgs),
    /// Unpause all processes within one or more containers
    Unpause(crate::cli::exec::PauseArgs),
    /// Display detailed information on one or more containers
    Inspect(crate::cli::inspect::InspectArgs),
    /// Exit 0 if the container exists, 1 if not
    Exists(ExistsArgs),
    /// Copy files/folders between a container and the local filesystem
    Cp(crate::cli::archive::CpArgs),
    /// Export a container's filesystem as a tar archive
    Export(crate::cli::archive::ExportArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(crate::cli::archive::DiffArgs),
    /// Update configuration of one or more containers
    Update(super::UpdateArgs),
    /// List port mappings or a specific mapping for the container
    Port(crate::cli::network::PortArgs),
}

impl CreateArgs {
    /// The engine's options for these flags.
    pub fn options(&self) -> anyhow::Result<ContainerCreateOptions> {
        if let Some(f) = &self.cidfile
            && f.exists()
        {
            bail!(
                "Container ID file found, make sure the other container isn't running or delete {}",
                f.display()
            );
        }
        Ok(ContainerCreateOptions {
            settings: self.settings()?,
            name: self.name.clone(),
            pull: self.pull.parse()?,
            platform: self.platform.clone(),
            replace: self.replace,
        })
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        let a = self;
        let env = load_env(&a.env, &a.env_file)?;
        let entrypoint = a.entrypoint.as_ref().map(|e| {
            if e.is_empty() {
                Vec::new()
            } else {
                vec![e.clone()]
            }
        });
        let log_opts = kv_list(&a.log_opt, "--log-opt")?;
        let mut mounts = Vec::new();
        for v in &a.volume {
            mounts.push(crate::volumes::parse_volume_flag(v)?);
        }
        for m in &a.mount {
            mounts.push(crate::volumes::parse_mount_flag(m)?);
        }
        let nets = networks(a)?;
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
            interactive: a.interactive || a.attach.iter().any(|s| s == "stdin"),
            auto_remove: a.rm,
            restart: RestartPolicy::parse(&a.restart)?,
            labels: kv_list(&load_lines(&a.label_file, &a.label)?, "label")?,
            network: nets.first.name.parse()?,
            network_aliases: nets.first.aliases,
            ip: nets.first.ip,
            ip6: nets.first.ip6,
            mac_address: nets.first.mac_address,
            extra_networks: nets.rest,
            publish: a.publish.clone(),
            publish_all: a.publish_all,
            expose: expose_keys(&a.expose)?,
            links: a.link.clone(),
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
            memory_reservation: a
                .memory_reservation
                .as_deref()
                .map(parse_size)
                .transpose()?,
            cpus: a.cpus,
            cpu_shares: a.cpu_shares,
            cpu_quota: a.cpu_quota,
            cpu_period: a.cpu_period,
            cpuset_cpus: a.cpuset_cpus.clone(),
            cpuset_mems: a.cpuset_mems.clone(),
            pids_limit: a.pids_limit,
            blkio_weight: a.blkio_weight,
            stop_signal: a.stop_signal.clone(),
            stop_timeout: a.stop_timeout,
            log_driver: a.log_driver.clone().unwrap_or_default(),
            log_opts,
            log_max_size: None,
            log_max_file: None,
            init: a.init,
            mounts,
            volumes_from: a.volumes_from.clone(),
            devices: a.device.clone(),
            device_cgroup_rules: a.device_cgroup_rule.clone(),
            gpus: a.gpus.clone(),
            shm_size: a
                .shm_size
                .as_deref()
                .map(|v| parse_size(v).map(|n| n.max(0) as u64))
                .transpose()?,
            ipc: a.ipc.clone().unwrap_or_default(),
            pid: a.pid.clone().unwrap_or_default(),
            uts: a.uts.clone().unwrap_or_default(),
            cgroupns: a.cgroupns.clone().unwrap_or_default(),
            group_add: a.group_add.clone(),
            cgroup_parent: a.cgroup_parent.clone().filter(|p| !p.is_empty()),
            domainname: a.domainname.clone(),
            oom_kill_disable: a.oom_kill_disable,
            oom_score_adj: a.oom_score_adj,
            healthcheck: a.health.config()?,
        })
    }
}

/// `--expose` values as `ExposedPorts` keys, ranges expanded, each once.
fn expose_keys(values: &[String]) -> anyhow::Result<Vec<String>> {
    let mut keys = Vec::new();
    for v in values {
        for k in crate::network::ports::parse_expose(v)? {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    Ok(keys)
}

/// The networks of `--network` (repeated, simple or advanced form) with `--network-alias`,
/// `--ip`, `--ip6` and `--mac-address` applied to the first, as Docker's CLI does.
struct Networks {
    first: crate::containers::NetworkAttachment,
    rest: Vec<crate::containers::NetworkAttachment>,
}

fn networks(a: &CreateArgs) -> anyhow::Result<Networks> {
    let mut all = Vec::new();
    for v in &a.network {
        all.push(network_attachment(v)?);
    }
    let mut all = all.into_iter();
    let mut first = all
        .next()
        .unwrap_or_else(|| crate::containers::NetworkAttachment {
            name: crate::network::DEFAULT_NETWORK.into(),
            ..Default::default()
        });
    let conflict = |what: &str| -> anyhow::Error {
        anyhow::anyhow!("conflicting options: cannot specify both {what}")
    };
    if !a.network_alias.is_empty() {
        if !first.aliases.is_empty() {
            return Err(conflict("--network-alias and per-network alias"));
        }
        first.aliases = a.network_alias.clone();
    }
    if let Some(ip) = &a.ip {
        if first.ip.is_some() {
            return Err(conflict("--ip and per-network IPv4 address"));
        }
        first.ip = Some(ip.clone());
    }
    if let Some(ip) = &a.ip6 {
        if first.ip6.is_some() {
            return Err(conflict("--ip6 and per-network IPv6 address"));
        }
        first.ip6 = Some(ip.clone());
    }
    if let Some(m) = a.mac_address.as_deref().filter(|m| !m.is_empty()) {
        if first.mac_address.is_some() {
            return Err(conflict("--mac-address and per-network MAC address"));
        }
        first.mac_address = Some(m.to_string());
    }
    let mut rest: Vec<_> = all.collect();
    for n in std::iter::once(&mut first).chain(rest.iter_mut()) {
        if let Some(m) = &mut n.mac_address {
            if crate::network::link::parse_mac(m).is_none() {
                bail!("{m} is not a valid mac address");
            }
            *m = m.trim().to_string();
        }
    }
    Ok(Networks { first, rest })
}

/// One `--network` value: a name, or Docker's advanced form (`name=NET,alias=A,…`).
fn network_attachment(v: &str) -> anyhow::Result<crate::containers::NetworkAttachment> {
    let mut n = crate::containers::NetworkAttachment::default();
    // Docker's test for the advanced form: `\w+=\w+` anywhere in the value.
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let advanced = v
        .char_indices()
        .any(|(i, c)| c == '=' && word(v[..i].chars().last()) && word(v[i + 1..].chars().next()));
    if !advanced {
        n.name = v.to_string();
        return Ok(n);
    }
    for field in v.split(',') {
        let Some((key, val)) = field.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            bail!("invalid field {field}");
        };
        let val = val.trim().to_string();
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => n.name = val,
            "alias" => n.aliases.push(val),
            "ip" => {
                val.parse::<std::net::IpAddr>()
                    .with_context(|| format!("ParseAddr({val:?}): invalid IP address"))?;
                n.ip = Some(val);
            }
            "ip6" => {
                val.parse::<std::net::IpAddr>()
                    .with_context(|| format!("ParseAddr({val:?}): invalid IP address"))?;
                n.ip6 = Some(val);
            }
            "mac-address" => n.mac_address = Some(val),
            k @ ("link-local-ip" | "driver-opt" | "gw-priority") => {
                bail!("--network {k}=…: berth does not support it")
            }
            k => bail!("invalid field key {k}"),
        }
    }
    if n.name.is_empty() {
        bail!("network name/id is not specified");
    }
    let user_defined = matches!(n.name.parse(), Ok(crate::network::NetworkMode::Named(_)));
    if !user_defined && !n.aliases.is_empty() {
        bail!("network-scoped aliases are only supported for user-defined networks");
    }
    Ok(n)
}
