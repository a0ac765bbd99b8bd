//! Container commands: `run`, `create`, `start`, `stop`, `kill`, `rm`, `logs`, `wait`,
//! `restart`, `rename`, `container prune`; `ps` in `ps.rs`, the flags in `args.rs`. Each one
//! translates its flags into the engine's options, calls the engine and prints the result.

mod args;
mod health;
mod ps;
mod update;

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;

pub use args::*;
pub use health::HealthArgs;
pub use update::{UpdateArgs, update};

use super::{GlobalOpts, each, format, report, terminal};
use crate::engine::{
    Attach, ContainerRemoveOptions, CreateProgress, LogStream, LogsOptions, RunOutcome,
};

pub fn container_command(g: &GlobalOpts, c: ContainerCommand) -> anyhow::Result<i32> {
    match c {
        ContainerCommand::Run(a) => run(g, a),
        ContainerCommand::Create(a) => create(g, a),
        ContainerCommand::Start(a) => start(g, a),
        ContainerCommand::Stop(a) => stop(g, a),
        ContainerCommand::Restart(a) => restart(g, a),
        ContainerCommand::Kill(a) => kill(g, a),
        ContainerCommand::Rm(a) => rm(g, a),
        ContainerCommand::Ls(a) => ps::ps(g, a),
        ContainerCommand::Logs(a) => logs(g, a),
        ContainerCommand::Wait(a) => wait(g, a),
        ContainerCommand::Rename(a) => rename(g, a),
        ContainerCommand::Prune(a) => prune(g, a),
        ContainerCommand::Exec(a) => super::exec::exec(g, a),
        ContainerCommand::Attach(a) => super::exec::attach(g, a),
        ContainerCommand::Top(a) => super::exec::top(g, a),
        ContainerCommand::Stats(a) => super::stats::stats(g, a),
        ContainerCommand::Pause(a) => super::exec::pause(g, a),
        ContainerCommand::Unpause(a) => super::exec::unpause(g, a),
        ContainerCommand::Inspect(a) => super::inspect::inspect(g, a),
        ContainerCommand::Exists(a) => exists(g, a),
        ContainerCommand::Cp(a) => super::archive::cp(g, a),
        ContainerCommand::Export(a) => super::archive::export(g, a),
        ContainerCommand::Diff(a) => super::archive::diff(g, a),
        ContainerCommand::Update(a) => update(g, a),
        ContainerCommand::Port(a) => super::network::port(g, a),
    }
}

pub use ps::{host_ip_text, ps};

/// What `run`/`create` print of the pull they had to do: Docker's lines, on stderr; the
/// `--cidfile` they write once the container exists.
fn pull_progress(cidfile: Option<std::path::PathBuf>) -> crate::engine::containers::Progress {
    Arc::new(move |p| match p {
        CreateProgress::Created { id } => {
            if let Some(f) = &cidfile
                && let Err(e) = write_cidfile(f, &id)
            {
                eprintln!(
                    "berth: warning: writing the container ID file {}: {e}",
                    f.display()
                );
            }
        }
        CreateProgress::ImageMissing { image } => {
            eprintln!("Unable to find image '{image}' locally")
        }
        CreateProgress::Pull(_) => {}
        CreateProgress::Pulled { digest, name } => {
            eprintln!("Digest: {digest}");
            eprintln!("Status: Downloaded newer image for {name}");
        }
    })
}

/// `--cidfile`: the ID, written to a new file (temp + rename; an existing one is refused
/// before the create).
fn write_cidfile(f: &std::path::Path, id: &str) -> std::io::Result<()> {
    let dir = f
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut t = tempfile::NamedTempFile::new_in(dir)?;
    t.write_all(id.as_bytes())?;
    t.as_file().sync_all()?;
    t.persist_noclobber(f).map_err(|e| e.error)?;
    Ok(())
}

pub fn create(g: &GlobalOpts, a: CreateArgs) -> anyhow::Result<i32> {
    let o = a.options()?;
    let c = g
        .engine()
        .container_create(&o, &pull_progress(a.cidfile.clone()))?;
    println!("{}", c.id);
    Ok(0)
}

pub fn run(g: &GlobalOpts, a: RunArgs) -> anyhow::Result<i32> {
    if a.detach && !a.create.attach.is_empty() {
        anyhow::bail!("Conflicting options: -a and -d");
    }
    let keys = terminal::detach_keys(a.create.detach_keys.as_deref())?;
    let o = a.create.options()?;
    let (attach, session) = if a.detach {
        (Attach::Detached, None)
    } else {
        let (mut io, session) =
            terminal::attach_io_with_keys(o.settings.interactive, a.sig_proxy, keys);
        // `-a`: only the streams named (all without it).
        let streams = &a.create.attach;
        if !streams.is_empty() {
            if !streams.iter().any(|s| s == "stdout") {
                io.stdout = Box::new(std::io::sink());
            }
            if !streams.iter().any(|s| s == "stderr") {
                io.stderr = Box::new(std::io::sink());
            }
        }
        (Attach::Streams(io), Some(session))
    };
    let progress = pull_progress(a.create.cidfile.clone());
    match g.engine().container_run(&o, attach, &progress) {
        Ok(RunOutcome::Exited { code, .. }) => Ok(code),
        Ok(RunOutcome::Detached { id }) => {
            if a.detach {
                println!("{id}");
            }
            Ok(0)
        }
        Err(_) if session.as_ref().is_some_and(|s| s.detached()) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

pub fn start(g: &GlobalOpts, a: StartArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    if a.all {
        let mut rc = 0;
        for (name, r) in engine.container_start_all()? {
            match r {
                Ok(()) => println!("{name}"),
                Err(e) => rc = report(&e.into()),
            }
        }
        return Ok(rc);
    }
    if a.attach && a.containers.len() > 1 {
        anyhow::bail!("you cannot start and attach multiple containers at once");
    }
    let keys = terminal::detach_keys(a.detach_keys.as_deref())?;
    let mut rc = 0;
    for name in &a.containers {
        let mut session = None;
        let r = if a.attach {
            let stdin = a.interactive && engine.container_is_interactive(name)?;
            let (io, s) = terminal::attach_io_with_keys(stdin, true, keys.clone());
            session = Some(s);
            engine.container_start(name, Attach::Streams(io))
        } else {
            engine.container_start(name, Attach::Detached)
        };
        match r {
            Ok(Some(code)) => return Ok(code),
            Ok(None) => println!("{name}"),
            Err(_) if session.as_ref().is_some_and(|s| s.detached()) => return Ok(0),
            Err(e) => rc = report(&e.into()),
        }
    }
    Ok(rc)
}

/// The containers a command with podman's `--all` acts on: those whose state `wanted` accepts
/// (newest first), else the names given.
pub fn selected(
    engine: &crate::engine::Engine,
    names: &[String],
    select: AllIgnore,
    wanted: impl Fn(crate::state::containers::Status) -> bool,
) -> anyhow::Result<Vec<String>> {
    if !select.all {
        return Ok(names.to_vec());
    }
    let list = engine.container_list(&crate::engine::ContainerListOptions {
        all: true,
        ..Default::default()
    })?;
    Ok(list
        .into_iter()
        .filter(|c| wanted(c.state))
        .map(|c| c.name)
        .collect())
}

/// [`each`], with `--ignore`: a container that does not exist is skipped silently.
pub fn each_selected(
    names: &[String],
    select: AllIgnore,
    mut f: impl FnMut(&str) -> crate::engine::Result<()>,
) -> i32 {
    each(names, |n| match f(n) {
        Err(e)
            if select.ignore
                && crate::error::Classify::kind(&e) == crate::error::ErrorKind::NotFound =>
        {
            Ok(())
        }
        r => r,
    })
}

fn stop_options(a: &StopArgs) -> anyhow::Result<crate::engine::ContainerStopOptions> {
    if let Some(s) = &a.signal {
        crate::spec::parse_signal(s)?;
    }
    Ok(crate::engine::ContainerStopOptions {
        timeout: a.time,
        signal: a.signal.clone(),
    })
}

pub fn stop(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let o = stop_options(&a)?;
    let engine = g.engine();
    let names = selected(&engine, &a.containers, a.select, |s| s.is_active())?;
    Ok(each_selected(&names, a.select, |n| {
        engine.container_stop_with(n, &o)
    }))
}

pub fn restart(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let o = stop_options(&a)?;
    let engine = g.engine();
    let names = selected(&engine, &a.containers, a.select, |_| true)?;
    Ok(each_selected(&names, a.select, |n| {
        engine.container_restart_with(n, &o)
    }))
}

pub fn kill(g: &GlobalOpts, a: KillArgs) -> anyhow::Result<i32> {
    crate::spec::parse_signal(&a.signal)?;
    let engine = g.engine();
    let names = selected(&engine, &a.containers, a.select, |s| s.is_active())?;
    Ok(each_selected(&names, a.select, |n| {
        engine.container_kill(n, &a.signal)
    }))
}

pub fn rm(g: &GlobalOpts, a: RmArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let o = ContainerRemoveOptions {
        force: a.force || a.time.is_some(),
        volumes: a.volumes,
    };
    let names = selected(&engine, &a.containers, a.select, |_| true)?;
    Ok(each_selected(&names, a.select, |n| {
        // podman's `rm -t N`: a running container is stopped first (its stop signal, then
        // SIGKILL after N seconds).
        if let Some(t) = a.time {
            match engine.container_stop(n, Some(t)) {
                Ok(()) => {}
                Err(e) if crate::error::Classify::kind(&e) != crate::error::ErrorKind::NotFound => {
                    return Err(e);
                }
                Err(_) => {}
            }
        }
        if a.link {
            return engine.container_remove_link(n);
        }
        engine.container_remove(n, o)
    }))
}

/// `container exists`: exit 0 or 1, no output.
pub fn exists(g: &GlobalOpts, a: ExistsArgs) -> anyhow::Result<i32> {
    Ok(if g.engine().container_exists(&a.name)? {
        0
    } else {
        1
    })
}

pub fn wait(g: &GlobalOpts, a: WaitArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let mut rc = 0;
    for name in &a.containers {
        match engine.container_wait(name) {
            Ok(code) => println!("{code}"),
            Err(e) => rc = report(&e.into()),
        }
    }
    Ok(rc)
}

pub fn rename(g: &GlobalOpts, a: RenameArgs) -> anyhow::Result<i32> {
    g.engine().container_rename(&a.container, &a.new_name)?;
    Ok(0)
}

pub fn prune(g: &GlobalOpts, a: PruneArgs) -> anyhow::Result<i32> {
    if !a.force
        && !super::prompt::confirm(
            "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ",
        )?
    {
        return Ok(0);
    }
    let (deleted, bytes) = g
        .engine()
        .container_prune(&crate::filters::Filters::parse_cli(&a.filter)?)?;
    format::print_deleted("Deleted Containers:", &deleted);
    println!(
        "Total reclaimed space: {}",
        format::human_size(bytes as i64)
    );
    Ok(0)
}

pub fn logs(g: &GlobalOpts, a: LogsArgs) -> anyhow::Result<i32> {
    let tail: Option<usize> = match a.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().with_context(|| format!("invalid --tail {n:?}"))?),
    };
    let now = chrono::Local::now();
    let time = |v: &Option<String>| -> anyhow::Result<Option<i64>> {
        v.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| super::events::parse_time(v, now))
            .transpose()
    };
    let o = LogsOptions {
        follow: a.follow,
        tail,
        since: time(&a.since)?,
        until: time(&a.until)?,
    };
    g.engine().container_logs(&a.container, &o, &mut |r| {
        let mut line = String::new();
        if a.timestamps {
            line.push_str(&r.time);
            line.push(' ');
        }
        if a.details {
            line.push_str(&r.details_prefix());
        }
        line.push_str(&r.text);
        let written = match r.stream {
            LogStream::Stderr => {
                let mut e = std::io::stderr().lock();
                e.write_all(line.as_bytes()).and_then(|_| e.flush())
            }
            LogStream::Stdout => {
                let mut o = std::io::stdout().lock();
                o.write_all(line.as_bytes()).and_then(|_| o.flush())
            }
        };
        written.is_ok()
    })?;
    Ok(0)
}
