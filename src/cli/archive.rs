//! `cp`, `export`, `diff` (also under `container`): the container's files. Each translates its
//! arguments and calls the engine; the path rules, tar streams and file work are the engine's.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use super::GlobalOpts;
use crate::engine::archive::{ChangeKind, CopyEndpoint, CopyOptions};

#[derive(Debug, Args)]
#[command(
    override_usage = "berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
    after_help = "Use '-' as the source to read a tar archive from stdin and extract it to a \
                  directory destination in a container. Use '-' as the destination to stream \
                  a tar archive of a container source to stdout."
)]
pub struct CpArgs {
    /// Archive mode (copy all uid/gid information)
    #[arg(short, long)]
    pub archive: bool,
    /// Always follow symbol link in SRC_PATH
    #[arg(short = 'L', long)]
    pub follow_link: bool,
    /// Suppress progress output during copy (berth prints none)
    #[arg(short, long)]
    pub quiet: bool,
    #[arg(value_name = "SRC")]
    pub src: String,
    #[arg(value_name = "DEST")]
    pub dest: String,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    pub container: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    pub container: String,
}

pub fn cp(g: &GlobalOpts, a: CpArgs) -> anyhow::Result<i32> {
    let src = CopyEndpoint::parse(&a.src);
    let dst = CopyEndpoint::parse(&a.dest);
    let o = CopyOptions {
        archive: a.archive,
        follow_link: a.follow_link,
    };
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
    g.engine()
        .container_copy(&src, &dst, &o, &mut stdin, &mut stdout)?;
    stdout.flush().context("writing to standard output")?;
    Ok(0)
}

pub fn export(g: &GlobalOpts, a: ExportArgs) -> anyhow::Result<i32> {
    let engine = g.engine();
    match &a.output {
        None => {
            if std::io::stdout().is_terminal() {
                anyhow::bail!(
                    "cowardly refusing to save to a terminal. Use the -o flag or redirect"
                );
            }
            let archive = engine.container_export(&a.container)?;
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
            archive.write_to(&mut out)?;
            out.flush().context("writing to standard output")?;
        }
        Some(path) => {
            let archive = engine.container_export(&a.container)?;
            write_file_atomically(path, |f| Ok(archive.write_to(f)?))?;
        }
    }
    Ok(0)
}

/// Writes `path` through a temp file next to it, synced, renamed into place on success and
/// removed on failure.
fn write_file_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut std::io::BufWriter<&std::fs::File>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".berth-export-")
        .tempfile_in(dir)
        .with_context(|| format!("failed to export container: {}", path.display()))?;
    {
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, tmp.as_file());
        write(&mut w)?;
        w.flush().context("writing the archive")?;
    }
    tmp.as_file().sync_all().context("syncing the archive")?;
    tmp.persist(path)
        .with_context(|| format!("failed to export container: {}", path.display()))?;
    Ok(())
}

pub fn diff(g: &GlobalOpts, a: DiffArgs) -> anyhow::Result<i32> {
    let changes = g.engine().container_changes(&a.container)?;
    let mut out = std::io::stdout().lock();
    for c in changes {
        let k = match c.kind {
            ChangeKind::Added => 'A',
            ChangeKind::Modified => 'C',
            ChangeKind::Deleted => 'D',
        };
        writeln!(out, "{k} {}", c.path)?;
    }
    Ok(0)
}
