//! The `berth` binary: parse the command line, run it, and turn any error into one line on
//! stderr and Docker's exit code (`cli::report`).

mod init;

use berth::cli::{self, LogLevel};

fn main() {
    // `berth init -- CMD`: the container's PID 1 with `run --init` (see src/init.rs). Checked
    // before anything else: no argument parser, no logging, nothing but the init loop.
    {
        let mut args = std::env::args_os();
        if args.nth(1).is_some_and(|a| a == "init") {
            let rest: Vec<std::ffi::OsString> = args.collect();
            std::process::exit(init::main(&rest));
        }
    }
    berth::runtime::warmup::start_early_for(std::env::args_os().skip(1));
    let mut cli = match cli::parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    let _ = e.print();
                    std::process::exit(0);
                }
                _ => {
                    // clap's message spans several lines (usage, tips): keep the first.
                    let text = e.render().to_string();
                    let first = text.lines().next().unwrap_or("invalid arguments");
                    let first = first.strip_prefix("error: ").unwrap_or(first);
                    let e = berth::engine::Error::invalid(format!("{first} (see 'berth --help')"));
                    std::process::exit(cli::report(&e.into()));
                }
            }
        }
    };
    // Relative --root/--runroot are taken from the working directory, once: the monitor, a
    // process of its own, works from `/`.
    for p in [&mut cli.global.root, &mut cli.global.runroot] {
        if let Ok(abs) = std::path::absolute(&*p) {
            *p = abs;
        }
    }
    // The monitor logs into its container's monitor.log, opened by path: libcontainer logs from
    // the cloned container processes too, and fd 2 there is the container's own stderr. (The
    // CLI may spawn the monitor before `create` made the container's directory.)
    let monitor_log = match &cli.command {
        cli::Command::ContainerMonitor { id } => {
            let _ = std::env::set_current_dir("/");
            let dir = cli.global.root.join("containers").join(id);
            let _ = std::fs::create_dir_all(&dir);
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("monitor.log"))
                .ok()
        }
        _ => None,
    };
    init_logging(cli.global.log_level, monitor_log);
    // Listing commands end quietly when their reader goes away (`berth ps | head`), like other
    // Unix tools. Commands that talk to a monitor keep SIGPIPE ignored (a dead peer is an
    // error to report, not a reason to die).
    if matches!(
        cli.command,
        cli::Command::Ps(_)
            | cli::Command::Stats(_)
            | cli::Command::Images(_)
            | cli::Command::Inspect(_)
            | cli::Command::History(_)
            | cli::Command::Network(_)
            | cli::Command::Port(_)
            | cli::Command::Logs(_)
    ) {
        use nix::sys::signal::{SigHandler, Signal, signal};
        // SAFETY: restoring the default disposition of a signal (no handler is installed).
        let _ = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) };
    }
    // One TLS backend for every HTTPS client in the process (oci-client, login).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let code = cli::run(cli).unwrap_or_else(|e| cli::report(&e));
    std::process::exit(code);
}

fn init_logging(level: LogLevel, file: Option<std::fs::File>) {
    let level = match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("BERTH_LOG").unwrap_or_else(|_| {
            tracing_subscriber::EnvFilter::new(format!(
                "berth={level},libcontainer=error,libcgroups=error"
            ))
        })
    };
    match file {
        Some(f) => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::sync::Mutex::new(f))
            .with_ansi(false)
            .init(),
        None => tracing_subscriber::fmt()
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .with_target(false)
            .init(),
    }
}
