//! The whole installation: disk usage, pruning what nothing uses, and removing everything.

use super::{Engine, Error, Result};
use crate::images::Removed;
use crate::system::{self, DiskUsage};
use crate::{containers, images, network, volumes};

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemPruneOptions {
    /// Every image no container uses, not only dangling ones.
    pub all: bool,
    /// Unused anonymous volumes too.
    pub volumes: bool,
}

/// What `system_prune` removed, in Docker's order.
#[derive(Debug, Clone, Default)]
pub struct SystemPruned {
    pub containers: Vec<String>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
    pub images: Vec<Removed>,
    /// Bytes freed on disk.
    pub reclaimed: u64,
}

impl Engine {
    /// Measures images, containers and volumes (walks the writable layers and volumes).
    pub fn system_df(&self) -> Result<DiskUsage> {
        let mut store = self.store()?;
        Ok(system::disk_usage(&mut store)?)
    }

    /// Stopped containers, then (with `volumes`) unused anonymous volumes, then networks no
    /// container uses, then dangling images (every unused one with `all`).
    pub fn system_prune(&self, opts: &SystemPruneOptions) -> Result<SystemPruned> {
        let mut store = self.store()?;
        let mut p = SystemPruned::default();
        let (ids, bytes) = containers::prune(&mut store)?;
        p.containers = ids;
        p.reclaimed += bytes;
        if opts.volumes {
            let (names, bytes) = volumes::prune(&mut store, false, |_| true)?;
            p.volumes = names;
            p.reclaimed += bytes;
        }
        p.networks = network::prune(&mut store, &|_| false)?;
        let (removed, bytes) = images::prune(&mut store, opts.all)?;
        p.images = removed;
        p.reclaimed += bytes;
        Ok(p)
    }

    /// Removes every container (killed), every network with its bridge and firewall rules (the
    /// default one included), then everything mounted below the root and run root, and both
    /// directories.
    pub fn system_reset(&self) -> Result<()> {
        if self.root().exists() {
            let mut store = self.store()?;
            for c in containers::list(&mut store)? {
                containers::lifecycle::remove(&mut store, &c, true)?;
            }
            network::remove_all(&mut store)?;
        }
        for dir in [self.runroot(), self.root()] {
            system::unmount_below(dir);
            crate::tmp::remove_any(dir)
                .map_err(Error::io(format!("removing {}", dir.display())))?;
        }
        Ok(())
    }
}
