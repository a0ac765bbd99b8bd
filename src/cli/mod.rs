//! The command line: argument structs (clap derive) and dispatch. One file per command group;
//! each handler is thin and calls the library core.

pub mod archive;
pub mod auth;
pub mod build;
pub mod build_progress;
pub mod container;
pub mod docs;
pub mod events;
pub mod exec;
pub mod flags;
pub mod format;
pub mod image;
pub mod image_archive;
pub mod inspect;
pub mod network;
pub mod prompt;
pub mod push;
pub mod stats;
pub mod system;
pub mod template;
pub mod terminal;
pub mod version;
pub mod volume;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::Engine;
use crate::error::ErrorKind;
use crate::store::{DEFAULT_ROOT, DEFAULT_RUNROOT, Store};

/// berth: Docker's command line, without a daemon.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    about,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Command,
}

/// Parses the command line. clap builds every subcommand with all its arguments before it
/// parses (about 1 ms for berth's, half of the CLI's own work before `run` spawns the
/// container's monitor). The commands on that path (`run`, `start`, `exec`, and the monitor's
/// own) are first parsed with only their subcommand built; anything that does not parse that
/// way (help, versions, errors, every other command) goes through the full parser, so output
/// and errors stay clap's. The parser is leaked rather than dropped: the process is short, or
/// (the monitor) never parses again.
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os().collect())
}

fn parse_from(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    if let Some(cli) = parse_hot(&args) {
        return Ok(cli);
    }
    let mut cmd = Cli::command();
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
    std::mem::forget(cmd);
    parsed
}

/// [`parse`] with only the subcommand of `args` built, for the commands that start containers
/// (`berth [GLOBAL OPTIONS] run|start|exec|container-monitor …`); `None` otherwise, or if clap
/// has anything to say.
fn parse_hot(args: &[std::ffi::OsString]) -> Option<Cli> {
    use clap::{Args, FromArgMatches};
    let mut i = 1;
    while let Some(a) = args.get(i).and_then(|a| a.to_str()) {
        match a {
            "--root" | "--runroot" | "--log-level" => i += 2,
            _ if ["--root=", "--runroot=", "--log-level="]
                .iter()
                .any(|p| a.starts_with(p)) =>
            {
                i += 1
            }
            _ => break,
        }
    }
    type Build = fn(clap::Command) -> clap::Command;
    let (name, build): (&'static str, Build) = match args.get(i)?.to_str()? {
        "run" => ("run", container::RunArgs::augment_args),
        "start" => ("start", container::StartArgs::augment_args),
        "exec" => ("exec", exec::ExecArgs::augment_args),
        "container-health-probe" => ("container-health-probe", |sub| {
            sub.arg(
                clap::Arg::new("id")
                    .value_name("ID")
                    .required(true)
                    .value_parser(clap::value_parser!(String))
                    .action(clap::ArgAction::Set),
            )
        }),
        "container-monitor" => ("container-monitor", |sub| {
            sub.arg(
                clap::Arg::new("id")
                    .value_name("ID")
                    .required(true)
                    .value_parser(clap::value_parser!(String))
                    .action(clap::ArgAction::Set),
            )
        }),
        _ => return None,
    };
    // As the full parser's `run` (see `Command::Run`): `-h` is the hostname, not help.
    let sub = build(clap::Command::new(name).disable_help_flag(name == "run"));
    let mut cmd = GlobalOpts::augment_args(clap::Command::new("berth"))
        .subcommand(sub)
        .subcommand_required(true);
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .ok()
        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m).ok());
    std::mem::forget(cmd);
    parsed
}

#[derive(Debug, Clone, clap::Args)]
pub struct GlobalOpts {
    /// Directory for persistent data (images, layers, state database)
    #[arg(long, global = true, env = "BERTH_ROOT", value_name = "DIR", default_value = DEFAULT_ROOT)]
    pub root: PathBuf,
    /// Directory for volatile state (mounts, sockets)
    #[arg(long, global = true, env = "BERTH_RUNROOT", value_name = "DIR", default_value = DEFAULT_RUNROOT)]
    pub runroot: PathBuf,
    /// Log level for diagnostics on stderr
    #[arg(long, global = true, value_enum, value_name = "LEVEL", default_value_t = LogLevel::Warn)]
    pub log_level: LogLevel,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl GlobalOpts {
    pub fn open_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.root, &self.runroot)?)
    }

    /// The engine of the root and run root these options name.
    pub fn engine(&self) -> Engine {
        Engine::new(&self.root, &self.runroot)
    }
}

/// Reports a failure the one way berth reports failures: `berth: error: …` on one line of
/// stderr, with its causes; returns its exit code (Docker's: from the error's kind, 125 for
/// berth's own failures).
pub fn report(e: &anyhow::Error) -> i32 {
    eprintln!("berth: error: {}", one_line(e));
    // Docker's CLI exits 1 on a template that fails.
    if e.chain().any(|c| c.is::<template::TemplateError>()) {
        return 1;
    }
    e.chain()
        .find_map(crate::engine::kind_of)
        .unwrap_or(ErrorKind::Internal)
        .exit_code()
}

/// Runs `f` on each named container, printing the name on success (Docker's style) and
/// reporting each failure; the exit code of the last failure, or 0.
pub fn each(names: &[String], mut f: impl FnMut(&str) -> crate::engine::Result<()>) -> i32 {
    let mut rc = 0;
    for name in names {
        match f(name) {
            Ok(()) => println!("{name}"),
            Err(e) => rc = report(&e.into()),
        }
    }
    rc
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    crate::error::one_line(e.as_ref())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create and run a new container from an image
    #[command(disable_help_flag = true)]
    Run(container::RunArgs),
    /// Create a new container
    #[command(disable_help_flag = true)]
    Create(container::CreateArgs),
    /// Start one or more stopped containers
    Start(container::StartArgs),
    /// Stop one or more running containers
    Stop(container::StopArgs),
    /// Restart one or more containers
    Restart(container::StopArgs),
    /// Kill one or more running containers
    Kill(container::KillArgs),
    /// Remove one or more containers
    Rm(container::RmArgs),
    /// List containers
    Ps(container::PsArgs),
    /// Fetch the logs of a container
    Logs(container::LogsArgs),
    /// Block until one or more containers stop, then print their exit codes
    Wait(container::WaitArgs),
    /// Rename a container
    Rename(container::RenameArgs),
    /// Update configuration of one or more containers
    Update(container::UpdateArgs),
    /// Execute a command in a running container
    Exec(exec::ExecArgs),
    /// Attach local standard input, output, and error streams to a running container
    Attach(exec::AttachArgs),
    /// Display the running processes of a container
    Top(exec::TopArgs),
    /// Pause all processes within one or more containers
    Pause(exec::PauseArgs),
    /// Copy files/folders between a container and the local filesystem
    Cp(archive::CpArgs),
    /// Export a container's filesystem as a tar archive
    Export(archive::ExportArgs),
    /// Inspect changes to files or directories on a container's filesystem
    Diff(archive::DiffArgs),
    /// Unpause all processes within one or more containers
    Unpause(exec::PauseArgs),
    /// Manage containers
    #[command(subcommand)]
    Container(container::ContainerCommand),
    /// Download an image from a registry
    Pull(image::PullArgs),
    /// Upload an image to a registry
    Push(push::PushArgs),
    /// List images
    Images(image::ImagesArgs),
    /// Remove one or more images
    Rmi(image::RmiArgs),
    /// Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
    Tag(image::TagArgs),
    /// Remove names from an image (all of them without NAME); the image stays
    Untag(container::UntagArgs),
    /// Show low-level information on images
    Inspect(inspect::InspectArgs),
    /// Show the history of an image
    History(image::HistoryArgs),
    /// Build an image from a Dockerfile
    Build(build::BuildArgs),
    /// Manage builds
    #[command(subcommand)]
    Builder(build::BuilderCommand),
    /// Create a new image from a container's changes
    Commit(image_archive::CommitArgs),
    /// Save one or more images to a tar archive (streamed to STDOUT by default)
    Save(image_archive::SaveArgs),
    /// Load an image from a tar archive or STDIN
    Load(image_archive::LoadArgs),
    /// Import the contents from a tarball to create a filesystem image
    Import(image_archive::ImportArgs),
    /// Manage images
    #[command(subcommand)]
    Image(image::ImageCommand),
    /// Manage networks
    #[command(subcommand)]
    Network(network::NetworkCommand),
    /// Manage volumes
    #[command(subcommand)]
    Volume(volume::VolumeCommand),
    /// Manage berth (disk usage, prune, reset)
    #[command(subcommand)]
    System(system::SystemCommand),
    /// Display a live stream of container(s) resource usage statistics
    Stats(stats::StatsArgs),
    /// Get real time events from the server
    Events(events::EventsArgs),
    /// Show the berth version information
    Version(version::VersionArgs),
    /// Display system-wide information
    Info(version::InfoArgs),
    /// List port mappings or a specific mapping for the container
    Port(network::PortArgs),
    /// Log in to a registry
    Login(auth::LoginArgs),
    /// Log out from a registry
    Logout(auth::LogoutArgs),
    /// Print a shell completion script
    Completion(docs::CompletionArgs),
    /// The per-container monitor (started by berth itself)
    #[command(hide = true)]
    ContainerMonitor { id: String },
    /// Runs one health check probe of a container (started by its monitor)
    #[command(hide = true)]
    ContainerHealthProbe { id: String },
    /// Runs an exec started through the Engine API (started by the service)
    #[command(hide = true)]
    ExecChild {
        #[arg(long)]
        detach: bool,
        #[arg(long)]
        prefix: bool,
        id: String,
    },
    /// Write man pages into a directory (used by scripts/gen-docs)
    #[command(hide = true)]
    GenerateMan(docs::GenerateManArgs),
}

/// Runs a parsed command; returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let g = &cli.global;
    match cli.command {
        Command::Run(a) => container::run(g, a),
        Command::Create(a) => container::create(g, a),
        Command::Start(a) => container::start(g, a),
        Command::Stop(a) => container::stop(g, a),
        Command::Restart(a) => container::restart(g, a),
        Command::Kill(a) => container::kill(g, a),
        Command::Rm(a) => container::rm(g, a),
        Command::Ps(a) => container::ps(g, a),
        Command::Logs(a) => container::logs(g, a),
        Command::Wait(a) => container::wait(g, a),
        Command::Rename(a) => container::rename(g, a),
        Command::Update(a) => container::update(g, a),
        Command::Exec(a) => exec::exec(g, a),
        Command::Attach(a) => exec::attach(g, a),
        Command::Top(a) => exec::top(g, a),
        Command::Pause(a) => exec::pause(g, a),
        Command::Unpause(a) => exec::unpause(g, a),
        Command::Cp(a) => archive::cp(g, a),
        Command::Export(a) => archive::export(g, a),
        Command::Diff(a) => archive::diff(g, a),
        Command::Container(c) => container::container_command(g, c),
        Command::ContainerMonitor { id } => Ok(crate::monitor::main(&g.root, &g.runroot, &id)),
        Command::ContainerHealthProbe { id } => {
            let r = g.engine().container_health_probe(&id);
            println!("{}", serde_json::to_string(&r)?);
            Ok(0)
        }
        Command::ExecChild { detach, prefix, id } => Ok(crate::api::exec::child_main(
            &g.engine(),
            &id,
            detach,
            prefix,
        )),
        Command::Pull(a) => image::pull(g, a),
        Command::Push(a) => push::push(g, a),
        Command::Images(a) => image::images(g, a),
        Command::Rmi(a) => image::rmi(g, a),
        Command::Tag(a) => image::tag(g, a),
        Command::Untag(a) => image::untag(g, a),
        Command::Inspect(a) => inspect::inspect(g, a),
        Command::History(a) => image::history(g, a),
        Command::Build(a) => build::build(g, a),
        Command::Builder(c) => build::builder_command(g, c),
        Command::Commit(a) => image_archive::commit(g, a),
        Command::Save(a) => image_archive::save(g, a),
        Command::Load(a) => image_archive::load(g, a),
        Command::Import(a) => image_archive::import(g, a),
        Command::Image(c) => image::image_command(g, c),
        Command::Network(c) => network::network_command(g, c),
        Command::Port(a) => network::port(g, a),
        Command::Volume(c) => volume::volume_command(g, c),
        Command::System(c) => system::system_command(g, c),
        Command::Events(a) => events::events(g, a),
        Command::Stats(a) => stats::stats(g, a),
        Command::Version(a) => version::version(g, a),
        Command::Info(a) => version::info(g, a),
        Command::Login(a) => auth::login(g, a),
        Command::Logout(a) => auth::logout(g, a),
        Command::Completion(a) => docs::completion(a),
        Command::GenerateMan(a) => docs::generate_man(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn argv(line: &str) -> Vec<std::ffi::OsString> {
        std::iter::once("berth")
            .chain(line.split_whitespace())
            .map(Into::into)
            .collect()
    }

    /// One report for every failure: the exit code comes from the error's kind, wherever it
    /// is in the chain of causes.
    #[test]
    fn exit_codes_come_from_the_errors_kind() {
        use crate::containers::ContainerError;
        use crate::monitor::client::ClientError;
        let not_found = anyhow::Error::from(ContainerError::NotFound("x".into()));
        assert_eq!(report(&not_found), crate::error::EXIT_BERTH);
        let missing_cmd = anyhow::Error::from(crate::engine::Error::from(ContainerError::Monitor(
            ClientError::Start {
                kind: ErrorKind::CommandNotFound,
                msg: "exec: \"nope\": executable file not found in $PATH".into(),
            },
        )));
        assert_eq!(report(&missing_cmd), 127);
        let wrapped = missing_cmd.context("starting the container");
        assert_eq!(report(&wrapped), 127);
        let plain = anyhow::anyhow!("something else");
        assert_eq!(report(&plain), crate::error::EXIT_BERTH);
    }

    /// clap's own consistency checks (which a debug build runs on first use, and panics on),
    /// and `--help` of every command and subcommand.
    #[test]
    fn every_command_is_consistent_and_has_help() {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        cli.build();
        cli.clone().debug_assert();
        fn walk(cmd: &clap::Command, path: &mut Vec<String>) {
            let mut argv: Vec<String> = std::iter::once("berth".to_string())
                .chain(path.iter().cloned())
                .collect();
            argv.push("--help".into());
            let err = Cli::command().try_get_matches_from(&argv).unwrap_err();
            assert_eq!(
                err.kind(),
                clap::error::ErrorKind::DisplayHelp,
                "{}",
                argv.join(" ")
            );
            // clap's own `help` subcommands take command names, not flags.
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                path.push(sub.get_name().to_string());
                walk(sub, path);
                path.pop();
            }
        }
        walk(&cli, &mut Vec::new());
        // `-h` of `run`/`create` is the hostname, as Docker's.
        let c = Cli::try_parse_from(argv("create -h box img")).unwrap();
        assert!(format!("{c:?}").contains("hostname: Some(\"box\")"));
    }

    /// The fast path parses exactly as the full parser, or not at all.
    #[test]
    fn hot_commands_parse_as_the_full_parser_does() {
        for line in [
            "run --rm busybox true",
            "--root /r --runroot=/rr --log-level debug run -d -p 8080:80 -v v:/d --name x -e A=1 \
             --memory 64m --cap-add NET_ADMIN -it img sh -c hi",
            "run --network none --restart on-failure:3 --init -u 1:2 -w /tmp img",
            "run img ls -l --color",
            "run --root /r img",
            "start -a -i c1",
            "start --all",
            "exec -it -e X=1 -u root -w / c1 sh -c 'a b'",
            "exec -d c1 sleep 1",
            "container-monitor 0123abcd",
            "container-health-probe 0123abcd",
            "--log-level=trace container-monitor abc",
        ] {
            let args = argv(line);
            let hot = parse_hot(&args).unwrap_or_else(|| panic!("not parsed fast: {line}"));
            let full = Cli::try_parse_from(&args).unwrap();
            assert_eq!(format!("{hot:?}"), format!("{full:?}"), "{line}");
        }
        // Help, versions, mistakes and other commands: the full parser's.
        for line in [
            "run --help",
            "run -h",
            "run --version",
            "run",
            "run --no-such-flag img",
            "exec",
            "ps -a",
            "container run img",
            "--root",
            "",
        ] {
            assert!(parse_hot(&argv(line)).is_none(), "{line}");
        }
    }
}
