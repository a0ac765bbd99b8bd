//! Host-wide figures and clean-up under `system`: disk usage of images, containers and volumes
//! (`system df`), and unmounting everything below a directory (`system reset`). The operations
//! themselves are the engine's (`engine/system.rs`).

use std::collections::{BTreeMap, HashSet};

use crate::containers::{self, ContainerError};
use crate::state::containers::ContainerRow;
use crate::state::images as irows;
use crate::store::Store;
use crate::volumes::{self, copy::disk_usage as tree_size};

/// One line of `system df`.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub total: usize,
    pub active: usize,
    pub size: u64,
    pub reclaimable: u64,
}

#[derive(Debug, Clone)]
pub struct ImageUsage {
    pub id: String,
    pub size: u64,
    /// Bytes of its layers that other images use too (Docker's `SharedSize`).
    pub shared: u64,
    pub containers: usize,
}

#[derive(Debug, Clone)]
pub struct ContainerUsage {
    pub row: ContainerRow,
    /// Bytes in the writable layer.
    pub size: u64,
    pub volumes: usize,
}

#[derive(Debug, Clone)]
pub struct VolumeUsage {
    pub name: String,
    pub links: usize,
    pub size: u64,
}

#[derive(Debug, Clone, Default)]
pub struct DiskUsage {
    pub images: Usage,
    pub containers: Usage,
    pub volumes: Usage,
    pub image_list: Vec<ImageUsage>,
    pub container_list: Vec<ContainerUsage>,
    pub volume_list: Vec<VolumeUsage>,
}

/// Measures everything (walks the writable layers and volumes).
pub fn disk_usage(store: &mut Store) -> Result<DiskUsage, ContainerError> {
    let mut du = DiskUsage::default();
    let all = containers::list(store)?;
    let conn = &store.db.conn;
    // Images: layers shared by several images count once.
    let mut used_by: BTreeMap<String, usize> = BTreeMap::new();
    for c in &all {
        *used_by.entry(c.image_id.clone()).or_default() += 1;
    }
    let mut all_layers: BTreeMap<String, u64> = BTreeMap::new();
    let mut active_layers: HashSet<String> = HashSet::new();
    let images = irows::list_images(conn)?
        .into_iter()
        .map(|img| {
            let layers = irows::image_layers(conn, &img.id)?;
            Ok((img, layers))
        })
        .collect::<Result<Vec<_>, ContainerError>>()?;
    let mut images_of_layer: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, layers) in &images {
        let distinct: HashSet<&str> = layers.iter().map(|l| l.diff_id.as_str()).collect();
        for d in distinct {
            *images_of_layer.entry(d).or_default() += 1;
        }
    }
    for (img, layers) in &images {
        let n = used_by.get(&img.id).copied().unwrap_or(0);
        for l in layers {
            all_layers.insert(l.diff_id.clone(), l.size.max(0) as u64);
            if n > 0 {
                active_layers.insert(l.diff_id.clone());
            }
        }
        du.images.total += 1;
        if n > 0 {
            du.images.active += 1;
        }
        let shared = layers
            .iter()
            .filter(|l| images_of_layer.get(l.diff_id.as_str()).copied() > Some(1))
            .map(|l| l.size.max(0) as u64)
            .sum();
        du.image_list.push(ImageUsage {
            id: img.id.clone(),
            size: img.size.max(0) as u64,
            shared,
            containers: n,
        });
    }
    du.images.size = all_layers.values().sum();
    du.images.reclaimable = all_layers
        .iter()
        .filter(|(d, _)| !active_layers.contains(*d))
        .map(|(_, s)| s)
        .sum();
    // Containers: their writable layers.
    for c in all {
        let size = tree_size(&containers::Paths::new(store, &c.id).upper());
        du.containers.total += 1;
        du.containers.size += size;
        if c.status.is_active() {
            du.containers.active += 1;
        } else {
            du.containers.reclaimable += size;
        }
        let volumes = crate::state::volumes::of_container(&store.db.conn, &c.id)?.len();
        du.container_list.push(ContainerUsage {
            row: c,
            size,
            volumes,
        });
    }
    // Volumes.
    let refs = volumes::ref_counts(store)?;
    for v in volumes::list(store)? {
        let size = tree_size(&volumes::data_dir(&store.root, &v.name));
        let links = refs.get(&v.name).copied().unwrap_or(0);
        du.volumes.total += 1;
        du.volumes.size += size;
        if links > 0 {
            du.volumes.active += 1;
        } else {
            du.volumes.reclaimable += size;
        }
        du.volume_list.push(VolumeUsage {
            name: v.name,
            links,
            size,
        });
    }
    Ok(du)
}

/// Unmounts everything mounted at or below `dir` (image mounts, volume mounts, leftovers),
/// deepest first.
pub fn unmount_below(dir: &std::path::Path) {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return;
    };
    let mut points: Vec<&str> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|m| std::path::Path::new(m).starts_with(dir))
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in points {
        let _ = nix::mount::umount2(p, nix::mount::MntFlags::MNT_DETACH);
    }
}
