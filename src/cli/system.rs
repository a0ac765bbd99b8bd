//! `berth system …`: the whole store at once.

use std::io::{BufRead, Write};
use std::path::Path;

use clap::{Args, Subcommand};

use super::GlobalOpts;
use crate::containers;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Remove every container, network and image, and berth's kernel state (bridges, firewall
    /// rules): the root and run root directories are deleted
    Reset(ResetArgs),
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

pub fn system_command(g: &GlobalOpts, c: SystemCommand) -> anyhow::Result<i32> {
    match c {
        SystemCommand::Reset(a) => reset(g, a),
    }
}

fn reset(g: &GlobalOpts, a: ResetArgs) -> anyhow::Result<i32> {
    if !a.force {
        eprint!(
            "WARNING! This will remove all containers, networks and images in {} and {}.\n\
             Are you sure you want to continue? [y/N] ",
            g.root.display(),
            g.runroot.display()
        );
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            return Ok(0);
        }
    }
    if g.root.exists() {
        let mut store = g.open_store()?;
        for c in containers::list(&mut store)? {
            containers::lifecycle::remove(&mut store, &c, true)?;
        }
        crate::network::remove_all(&mut store)?;
    }
    for dir in [&g.runroot, &g.root] {
        unmount_below(dir);
        crate::tmp::remove_any(dir)
            .map_err(|e| anyhow::anyhow!("removing {}: {e}", dir.display()))?;
    }
    Ok(0)
}

/// Unmounts everything mounted at or below `dir` (image mounts, leftovers), deepest first.
fn unmount_below(dir: &Path) {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<&str> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| Path::new(m).starts_with(dir))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let _ = nix::mount::umount2(p, nix::mount::MntFlags::MNT_DETACH);
    }
}
