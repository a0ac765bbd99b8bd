//! `berth image mount` / `unmount`: a read-only overlay of an image's layers under the run
//! root (`RUNROOT/image-mounts/<id hex>`), and the layer directories of an image as overlay
//! lowerdirs (which a container's root filesystem stacks too).

use std::fs;
use std::io;
use std::path::PathBuf;

use super::{ImageError, Result};
use crate::lock::{Lock, Mode};
use crate::mountinfo::is_mount_point;
use crate::overlay::mount_overlay;
use crate::state::images as rows;
use crate::store::Store;

fn mount_err(what: String) -> impl FnOnce(io::Error) -> ImageError {
    move |source| ImageError::Mount { what, source }
}

fn mount_path(store: &Store, image_id: &str) -> PathBuf {
    store
        .image_mounts_dir()
        .join(image_id.trim_start_matches("sha256:"))
}

pub fn is_mounted(store: &Store, image_id: &str) -> bool {
    is_mount_point(&mount_path(store, image_id))
}

/// `berth image mount`: a read-only overlay of the image's layers; returns its path. Mounting a
/// mounted image returns the same path.
pub fn mount(store: &Store, image_id: &str) -> Result<PathBuf> {
    let dir = store.image_mounts_dir();
    fs::create_dir_all(&dir).map_err(mount_err(format!("creating {}", dir.display())))?;
    let target = mount_path(store, image_id);
    let _lock = Lock::file(&target.with_extension("lock"), Mode::Exclusive)
        .map_err(mount_err(format!("locking {}", target.display())))?;
    if is_mount_point(&target) {
        return Ok(target);
    }
    let lower = lowerdirs(store, image_id, true)?;
    fs::create_dir_all(&target).map_err(mount_err(format!("creating {}", target.display())))?;
    if let Err(e) = mount_overlay(&lower, None, &target) {
        let _ = fs::remove_dir(&target);
        return Err(e.into());
    }
    Ok(target)
}

/// `berth image unmount`. Returns false if the image was not mounted.
pub fn unmount(store: &Store, image_id: &str) -> Result<bool> {
    let target = mount_path(store, image_id);
    let _lock = Lock::file(&target.with_extension("lock"), Mode::Exclusive)
        .map_err(mount_err(format!("locking {}", target.display())))?;
    let mounted = is_mount_point(&target);
    if mounted {
        nix::mount::umount2(&target, nix::mount::MntFlags::empty())
            .map_err(|e| mount_err(format!("unmounting {}", target.display()))(e.into()))?;
    }
    let _ = fs::remove_dir(&target);
    let _ = fs::remove_file(target.with_extension("lock"));
    Ok(mounted)
}

/// Image IDs with a mount under this store's run root.
pub fn mounted(store: &Store) -> Vec<String> {
    let Ok(rd) = fs::read_dir(store.image_mounts_dir()) else {
        return Vec::new();
    };
    rd.flatten()
        .filter(|e| is_mount_point(&e.path()))
        .map(|e| format!("sha256:{}", e.file_name().to_string_lossy()))
        .collect()
}

/// Lower directories of an image, topmost first, padded to two for lower-only mounts.
pub fn lowerdirs(store: &Store, image_id: &str, pad: bool) -> Result<Vec<PathBuf>> {
    let layers = rows::image_layers(&store.db.conn, image_id)?;
    let mut lower: Vec<PathBuf> = Vec::new();
    for l in layers.iter().rev() {
        // A layer repeated in the image (two steps that made the same changes) is stacked
        // once, at its topmost place: overlayfs refuses a directory twice (ELOOP), and the
        // lower copy adds nothing the upper one does not already show or hide.
        let p = store.layers.path(&l.diff_id)?;
        if !lower.contains(&p) {
            lower.push(p);
        }
    }
    // Without an upper directory overlayfs needs two lowerdirs: pad with an empty one.
    if lower.is_empty() || (pad && lower.len() < 2) {
        lower.push(store.empty_dir());
    }
    Ok(lower)
}
