//! `build` (also `image build`) and `builder prune`.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Subcommand};

use super::GlobalOpts;
use crate::engine::build::{BuildContext, BuildOptions, Output, OutputDest};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Name and optionally a tag in the "name:tag" format
    #[arg(short, long = "tag", value_name = "NAME")]
    pub tag: Vec<String>,
    /// Name of the Dockerfile (default: "PATH/Dockerfile"; "-" reads it from STDIN)
    #[arg(short, long = "file", value_name = "FILE")]
    pub file: Option<String>,
    /// Set build-time variables
    #[arg(long = "build-arg", value_name = "NAME[=VALUE]")]
    pub build_arg: Vec<String>,
    /// Set the target build stage to build
    #[arg(long)]
    pub target: Option<String>,
    /// Do not use cache when building the image
    #[arg(long)]
    pub no_cache: bool,
    /// Always attempt to pull a newer version of the image
    #[arg(long)]
    pub pull: bool,
    /// Set metadata for an image
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Set platform if server is multi-platform capable (the host's only)
    #[arg(long)]
    pub platform: Option<String>,
    /// Secret to expose to the build (format: "id=mysecret[,src=/local/secret]" or
    /// "id=mysecret,env=VAR")
    #[arg(long = "secret", value_name = "stringArray")]
    pub secret: Vec<String>,
    /// Suppress the build output and print image ID on success
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the image ID to the file
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<PathBuf>,
    /// Set the networking mode for the RUN instructions during build (bridge, none, host)
    #[arg(long, default_value = "default")]
    pub network: String,
    /// Set type of progress output (auto, plain, tty, quiet)
    #[arg(long, default_value = "auto", value_parser = ["auto", "plain", "tty", "quiet"])]
    pub progress: String,
    /// Output destination (format: "type=local,dest=path"; types: image, local, tar, docker, oci)
    #[arg(short, long = "output", value_name = "PATH")]
    pub output: Vec<String>,
    /// Remove intermediate containers after a successful build (always)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true, value_name = "BOOL")]
    pub rm: bool,
    /// Always remove intermediate containers (always)
    #[arg(long)]
    pub force_rm: bool,
    /// Build context: a directory, a URL (a Git repository, REPO.git#REF:DIR; an archive or a
    /// Dockerfile over HTTP(S)), or "-" for a tar archive (or a Dockerfile) on STDIN
    #[arg(value_name = "PATH | URL | -")]
    pub context: String,
}

#[derive(Debug, Subcommand)]
pub enum BuilderCommand {
    /// Build an image from a Dockerfile
    Build(Box<BuildArgs>),
    /// Remove build cache
    Prune(BuilderPruneArgs),
}

#[derive(Debug, Args)]
pub struct BuilderPruneArgs {
    /// Remove all unused build cache, not just dangling ones
    #[arg(short, long)]
    pub all: bool,
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
    /// Provide filter values (e.g. "until=24h")
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Amount of disk space to keep for cache (deprecated: --reserved-space)
    #[arg(long, value_name = "BYTES")]
    pub keep_storage: Option<String>,
    /// Amount of disk space always allowed to keep for cache
    #[arg(long, value_name = "BYTES")]
    pub reserved_space: Option<String>,
    /// Maximum amount of disk space allowed to keep for cache
    #[arg(long, value_name = "BYTES")]
    pub max_used_space: Option<String>,
    /// Target amount of free disk space after pruning
    #[arg(long, value_name = "BYTES")]
    pub min_free_space: Option<String>,
}

pub fn builder_command(g: &GlobalOpts, c: BuilderCommand) -> anyhow::Result<i32> {
    match c {
        BuilderCommand::Build(a) => build(g, *a),
        BuilderCommand::Prune(a) => prune(g, a),
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Ctrl-C (and SIGTERM) cancel the build: the running step's container is killed and
/// everything the build made for it removed before the command exits.
fn cancel_on_signals() -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let handler = nix::sys::signal::SigHandler::Handler(on_signal);
    let action = nix::sys::signal::SigAction::new(
        handler,
        nix::sys::signal::SaFlags::SA_RESTART,
        nix::sys::signal::SigSet::empty(),
    );
    for sig in [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGTERM,
    ] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        let _ = unsafe { nix::sys::signal::sigaction(sig, &action) };
    }
    let c = cancel.clone();
    std::thread::spawn(move || {
        loop {
            if INTERRUPTED.load(Ordering::SeqCst) {
                c.store(true, Ordering::SeqCst);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    cancel
}

fn key_value(s: &str) -> (String, String) {
    match s.split_once('=') {
        Some((k, v)) => (k.to_string(), v.to_string()),
        None => (s.to_string(), std::env::var(s).unwrap_or_default()),
    }
}

pub fn build(g: &GlobalOpts, a: BuildArgs) -> anyhow::Result<i32> {
    let mut stdin_used = false;
    let mut dockerfile_content = None;
    let mut dockerfile = None;
    if let Some(f) = &a.file {
        if f == "-" {
            if a.context == "-" {
                anyhow::bail!(
                    "invalid argument: can't use stdin for both build context and dockerfile"
                );
            }
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            dockerfile_content = Some(buf);
            stdin_used = true;
        } else if crate::build::remote::is_remote(&a.context) {
            // The Dockerfile's path inside the remote context.
            dockerfile = Some(f.clone());
        } else if a.context != "-" {
            // -f is relative to the current directory; inside the context it names the
            // Dockerfile's path there (for its .dockerignore).
            let ctx = std::path::absolute(&a.context)?;
            let path = std::path::absolute(f)?;
            match path.strip_prefix(&ctx) {
                Ok(rel) => dockerfile = Some(rel.to_string_lossy().into_owned()),
                Err(_) => {
                    dockerfile_content = Some(std::fs::read(&path).map_err(|e| {
                        anyhow::anyhow!("unable to prepare context: unable to read {f}: {e}")
                    })?)
                }
            }
        } else {
            dockerfile = Some(f.clone());
        }
    }
    let context = if a.context == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf)?;
        let _ = stdin_used;
        if crate::build::remote::looks_like_archive(&buf) {
            BuildContext::Tar(Box::new(std::io::Cursor::new(buf)))
        } else {
            // A Dockerfile on STDIN: no context.
            dockerfile_content = Some(buf);
            BuildContext::Tar(Box::new(std::io::Cursor::new(empty_tar())))
        }
    } else if crate::build::remote::is_remote(&a.context) {
        BuildContext::Remote(a.context.clone())
    } else {
        BuildContext::Dir(PathBuf::from(&a.context))
    };
    let mut build_args: Vec<(String, String)> = a.build_arg.iter().map(|s| key_value(s)).collect();
    let source_date_epoch = build_args
        .iter()
        .rev()
        .find(|(k, _)| k == "SOURCE_DATE_EPOCH")
        .map(|(_, v)| v.clone())
        .or_else(|| std::env::var("SOURCE_DATE_EPOCH").ok())
        .map(|v| {
            v.trim()
                .parse::<i64>()
                .map_err(|_| anyhow::anyhow!("invalid SOURCE_DATE_EPOCH: {v:?}"))
        })
        .transpose()?;
    build_args.retain(|(k, _)| k != "SOURCE_DATE_EPOCH" || source_date_epoch.is_none());
    let outputs = a
        .output
        .iter()
        .map(|o| Output::parse(o))
        .collect::<Result<Vec<_>, _>>()?;
    let to_stdout = outputs.iter().any(|o| o.dest == Some(OutputDest::Stdout));
    if to_stdout && std::io::stdout().is_terminal() {
        anyhow::bail!("refusing to write the output to a terminal: redirect it or give dest=FILE");
    }
    let quiet = a.quiet || a.progress == "quiet";
    // `tty` (and `auto` on a terminal): a live view per step; `plain`: the classic text.
    let tty = !quiet
        && !to_stdout
        && matches!(a.progress.as_str(), "tty" | "auto")
        && std::io::stdout().is_terminal();
    let view = tty.then(|| Arc::new(super::build_progress::TtyView::new()));
    let shown = view.clone();
    // With the result on standard output, the progress goes to standard error.
    let progress: crate::engine::build::BuildProgress = Arc::new(move |s: &str| {
        if quiet {
            return;
        }
        if let Some(v) = &shown {
            v.feed(s);
        } else if to_stdout {
            let mut out = std::io::stderr().lock();
            let _ = out.write_all(s.as_bytes());
        } else {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(s.as_bytes());
            let _ = out.flush();
        }
    });
    let mut secrets = Vec::new();
    for s in &a.secret {
        match crate::engine::build::read_secret(s) {
            Ok(v) => secrets.push(v),
            Err(e) => {
                // As Docker's builder: a secret that cannot be read fails the build (exit 1).
                super::report(&e.into());
                return Ok(1);
            }
        }
    }
    let opts = BuildOptions {
        context,
        dockerfile,
        dockerfile_content,
        tags: a.tag,
        build_args,
        target: a.target,
        no_cache: a.no_cache,
        pull: a.pull,
        labels: a.label.iter().map(|s| key_value(s)).collect(),
        platform: a.platform,
        network: Some(a.network),
        source_date_epoch,
        secrets,
        cancel: cancel_on_signals(),
        registry_credentials: Vec::new(),
        outputs,
        output_stdout: if to_stdout {
            Some(Box::new(std::io::stdout()))
        } else {
            None
        },
    };
    let r = g.engine().image_build(opts, progress);
    if let Some(v) = &view {
        v.finish(r.is_ok());
    }
    match r {
        Ok(r) => {
            if a.quiet && !to_stdout {
                println!("{}", r.id);
            }
            if let Some(f) = &a.iidfile {
                std::fs::write(f, &r.id)?;
            }
            Ok(0)
        }
        Err(e) => {
            // Docker's build fails with exit code 1, whatever the cause.
            super::report(&e.into());
            Ok(1)
        }
    }
}

fn empty_tar() -> Vec<u8> {
    vec![0u8; 1024]
}

pub fn prune(g: &GlobalOpts, a: BuilderPruneArgs) -> anyhow::Result<i32> {
    let filters = crate::filters::Filters::parse_cli(&a.filter)?;
    let size = |v: &Option<String>| -> anyhow::Result<Option<u64>> {
        v.as_deref()
            .map(|s| crate::spec::parse_size(s).map(|n| n.max(0) as u64))
            .transpose()
            .map_err(Into::into)
    };
    let opts = crate::engine::build::BuilderPruneOptions {
        all: a.all,
        filters,
        keep_storage: size(&a.keep_storage)?,
        reserved_space: size(&a.reserved_space)?,
        max_used_space: size(&a.max_used_space)?,
        min_free_space: size(&a.min_free_space)?,
    };
    if !a.force {
        let msg = if a.all {
            "WARNING! This will remove all build cache. Are you sure you want to continue?"
        } else {
            "WARNING! This will remove all dangling build cache. Are you sure you want to continue?"
        };
        if !super::prompt::confirm(msg)? {
            return Ok(0);
        }
    }
    let pruned = g.engine().builder_prune(&opts)?;
    if !pruned.caches_deleted.is_empty() {
        println!("Deleted build cache objects:");
        for id in &pruned.caches_deleted {
            println!("{id}");
        }
        println!();
    }
    println!(
        "Total reclaimed space: {}",
        super::format::human_size(pruned.space_reclaimed as i64)
    );
    Ok(0)
}
