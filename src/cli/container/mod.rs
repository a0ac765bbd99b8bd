//! Container commands: `run`, `create`, `start`, `stop`, `kill`, `rm`, `logs`, `wait`,
//! `restart`, `rename`, `container prune`; `ps` in `ps.rs`, the flags in `args.rs`. Each one
//! translates its flags into the engine's options, calls the engine and prints the result.

mod args;
mod health;
mod ps;

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;

pub use args::*;
pub use health::HealthArgs;

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
        ContainerCommand::Cp(a) => super::archive::cp(g, a),
        ContainerCommand::Export(a) => super::archive::export(g, a),
        ContainerCommand::Diff(a) => super::archive::diff(g, a),
    }
}

pub use ps::{host_ip_text, ps};

/// What `run`/`create` print of the pull they had to do: Docker's lines, on stderr.
fn pull_progress() -> crate::engine::containers::Progress {
    Arc::new(|p| match p {
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

pub fn create(g: &GlobalOpts, a: CreateArgs) -> anyhow::Result<i32> {
    let o = a.options()?;
    let c = g.engine().container_create(&o, &pull_progress())?;
    println!("{}", c.id);
    Ok(0)
}

pub fn run(g: &GlobalOpts, a: RunArgs) -> anyhow::Result<i32> {
    let o = a.create.options()?;
    let (attach, _session) = if a.detach {
        (Attach::Detached, None)
    } else {
        let (io, session) = terminal::attach_io(a.create.interactive, a.sig_proxy);
        (Attach::Streams(io), Some(session))
    };
    match g.engine().container_run(&o, attach, &pull_progress()) {
        Ok(RunOutcome::Exited { code, .. }) => Ok(code),
        Ok(RunOutcome::Detached { id }) => {
            println!("{id}");
            Ok(0)
        }
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
    let mut rc = 0;
    for name in &a.containers {
        let r = if a.attach {
            let stdin = a.interactive && engine.container_is_interactive(name)?;
            let (io, _session) = terminal::attach_io(stdin, true);
            engine.container_start(name, Attach::Streams(io))
        } else {
            engine.container_start(name, Attach::Detached)
        };
        match r {
            Ok(Some(code)) => return Ok(code),
            Ok(None) => println!("{name}"),
            Err(e) => rc = report(&e.into()),
        }
    }
    Ok(rc)
}

pub fn stop(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    Ok(each(&a.containers, |n| engine.container_stop(n, a.time)))
}

pub fn restart(g: &GlobalOpts, a: StopArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    Ok(each(&a.containers, |n| engine.container_restart(n, a.time)))
}

pub fn kill(g: &GlobalOpts, a: KillArgs) -> anyhow::Result<i32> {
    crate::spec::parse_signal(&a.signal)?;
    let engine = g.engine();
    Ok(each(&a.containers, |n| engine.container_kill(n, &a.signal)))
}

pub fn rm(g: &GlobalOpts, a: RmArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    let o = ContainerRemoveOptions {
        force: a.force,
        volumes: a.volumes,
    };
    Ok(each(&a.containers, |n| engine.container_remove(n, o)))
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
    let (deleted, bytes) = g.engine().container_prune()?;
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
    let o = LogsOptions {
        follow: a.follow,
        tail,
        since: None,
        until: None,
    };
    g.engine().container_logs(&a.container, &o, &mut |r| {
        let line = if a.timestamps {
            format!("{} {}", r.time, r.text)
        } else {
            r.text
        };
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
