//! Root filesystems: overlay mounts of an image's layer directories.
//!
//! Layer directories are stacked as overlayfs lowerdirs (topmost first). The mount is made with
//! the new mount API, passing each layer with `lowerdir+` (Linux 6.8+), so the number of layers is
//! not bounded by the one-page limit on mount(2) options; older kernels fall back to mount(2)
//! with a `lowerdir=a:b:c` string.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::images::{ImageError, Result};
use crate::lock::{Lock, Mode};
use crate::state::images as rows;
use crate::store::Store;

fn mount_err(what: String) -> impl FnOnce(io::Error) -> ImageError {
    move |e| ImageError::Mount(format!("{what}: {e}"))
}

/// Is `path` a mount point (per /proc/self/mountinfo)?
pub fn is_mount_point(path: &Path) -> bool {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = path.to_string_lossy();
    info.lines().any(|l| {
        l.split(' ')
            .nth(4)
            .map(|m| unescape_mountinfo(m) == want)
            .unwrap_or(false)
    })
}

/// mountinfo escapes space, tab, newline and backslash as octal `\ooo`.
fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn image_mount_path(store: &Store, image_id: &str) -> PathBuf {
    store
        .image_mounts_dir()
        .join(image_id.trim_start_matches("sha256:"))
}

pub fn is_image_mounted(store: &Store, image_id: &str) -> bool {
    is_mount_point(&image_mount_path(store, image_id))
}

/// `berth image mount`: a read-only overlay of the image's layers; returns its path. Mounting a
/// mounted image returns the same path.
pub fn mount_image(store: &Store, image_id: &str) -> Result<PathBuf> {
    let dir = store.image_mounts_dir();
    fs::create_dir_all(&dir).map_err(mount_err(format!("creating {}", dir.display())))?;
    let target = image_mount_path(store, image_id);
    let _lock = Lock::file(&target.with_extension("lock"), Mode::Exclusive)
        .map_err(mount_err(format!("locking {}", target.display())))?;
    if is_mount_point(&target) {
        return Ok(target);
    }
    let lower = image_lowerdirs(store, image_id, true)?;
    fs::create_dir_all(&target).map_err(mount_err(format!("creating {}", target.display())))?;
    if let Err(e) = mount_overlay(&lower, None, &target) {
        let _ = fs::remove_dir(&target);
        return Err(e);
    }
    Ok(target)
}

/// `berth image unmount`. Returns false if the image was not mounted.
pub fn unmount_image(store: &Store, image_id: &str) -> Result<bool> {
    let target = image_mount_path(store, image_id);
    let _lock = Lock::file(&target.with_extension("lock"), Mode::Exclusive)
        .map_err(mount_err(format!("locking {}", target.display())))?;
    let mounted = is_mount_point(&target);
    if mounted {
        nix::mount::umount2(&target, nix::mount::MntFlags::empty())
            .map_err(|e| ImageError::Mount(format!("unmounting {}: {e}", target.display())))?;
    }
    let _ = fs::remove_dir(&target);
    let _ = fs::remove_file(target.with_extension("lock"));
    Ok(mounted)
}

/// Image IDs with a mount under this store's run root.
pub fn mounted_images(store: &Store) -> Vec<String> {
    let Ok(rd) = fs::read_dir(store.image_mounts_dir()) else {
        return Vec::new();
    };
    rd.flatten()
        .filter(|e| is_mount_point(&e.path()))
        .map(|e| format!("sha256:{}", e.file_name().to_string_lossy()))
        .collect()
}

fn cstr(s: &str) -> io::Result<CString> {
    CString::new(s).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in path"))
}

/// The writable layer of an overlay mount.
#[derive(Clone, Copy)]
pub struct Writable<'a> {
    pub upper: &'a Path,
    pub work: &'a Path,
    /// Mount with `volatile`: the overlay never syncs its upper filesystem (not on `syncfs`,
    /// not on unmount). For a layer that is thrown away when the container ends (`--rm`, as
    /// Podman does). The kernel leaves `work/incompat/volatile` in the workdir and refuses to
    /// mount the layer again while it is there: see [`VOLATILE_MARK`].
    pub volatile: bool,
}

/// What a `volatile` overlay leaves in its workdir (`<workdir>/work/incompat/volatile`): the
/// kernel refuses to mount the layer again while it exists, because a crash may have lost
/// writes that were never synced. Remove it only after the overlay was unmounted with the
/// host up all along.
pub const VOLATILE_MARK: &str = "work/incompat/volatile";

/// Mounts an overlay of `lower` (topmost first) at `target`: read-only without `upper`, else
/// writable.
pub fn mount_overlay(lower: &[PathBuf], upper: Option<Writable>, target: &Path) -> Result<()> {
    match mount_overlay_new_api(lower, upper, target) {
        Ok(()) => Ok(()),
        // ENOSYS: no new mount API; EINVAL: no `lowerdir+` (Linux < 6.8).
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL)) => {
            tracing::debug!("new mount API unavailable ({e}); using mount(2)");
            let mut opts = format!(
                "lowerdir={}",
                lower
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(":")
            );
            if let Some(u) = upper {
                opts.push_str(&format!(
                    ",upperdir={},workdir={}",
                    u.upper.display(),
                    u.work.display()
                ));
                if u.volatile {
                    opts.push_str(",volatile");
                }
            }
            if opts.len() >= 4096 {
                return Err(ImageError::Mount(format!(
                    "too many layers ({}) for this kernel's mount options limit (Linux 6.8+ lifts it)",
                    lower.len()
                )));
            }
            let flags = if upper.is_some() {
                nix::mount::MsFlags::empty()
            } else {
                nix::mount::MsFlags::MS_RDONLY
            };
            match nix::mount::mount(
                Some("overlay"),
                target,
                Some("overlay"),
                flags,
                Some(opts.as_str()),
            ) {
                // Linux < 5.10 has no `volatile`: an ordinary mount then.
                Err(nix::errno::Errno::EINVAL) if upper.is_some_and(|u| u.volatile) => {
                    let upper = upper.map(|u| Writable {
                        volatile: false,
                        ..u
                    });
                    mount_overlay(lower, upper, target)
                }
                r => r.map_err(|e| {
                    ImageError::Mount(format!("mounting overlay at {}: {e}", target.display()))
                }),
            }
        }
        Err(e) => Err(ImageError::Mount(format!(
            "mounting overlay at {}: {e}",
            target.display()
        ))),
    }
}

/// Lower directories of an image, topmost first, padded to two for lower-only mounts.
pub fn image_lowerdirs(store: &Store, image_id: &str, pad: bool) -> Result<Vec<PathBuf>> {
    let layers = rows::image_layers(&store.db.conn, image_id)?;
    let mut lower: Vec<PathBuf> = Vec::new();
    for l in layers.iter().rev() {
        lower.push(store.layers.path(&l.diff_id)?);
    }
    // Without an upper directory overlayfs needs two lowerdirs: pad with an empty one.
    if lower.is_empty() || (pad && lower.len() < 2) {
        lower.push(store.empty_dir());
    }
    Ok(lower)
}

const FSCONFIG_SET_FLAG: libc::c_uint = 0;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;
const MOUNT_ATTR_RDONLY: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;

fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

fn mount_overlay_new_api(
    lower: &[PathBuf],
    upper: Option<Writable>,
    target: &Path,
) -> io::Result<()> {
    let fstype = cstr("overlay")?;
    // SAFETY: raw syscalls with valid NUL-terminated strings; returned fds are owned below.
    unsafe {
        let fs_fd = check(libc::syscall(
            libc::SYS_fsopen,
            fstype.as_ptr(),
            1, /* CLOEXEC */
        ))?;
        let fs_fd = OwnedFd::from_raw_fd(fs_fd as i32);
        let set = |key: &str, val: &str| -> io::Result<()> {
            let (k, v) = (cstr(key)?, cstr(val)?);
            check(libc::syscall(
                libc::SYS_fsconfig,
                fs_fd.as_raw_fd(),
                FSCONFIG_SET_STRING,
                k.as_ptr(),
                v.as_ptr(),
                0,
            ))
            .map(|_| ())
        };
        for l in lower {
            set("lowerdir+", &l.to_string_lossy())?;
        }
        if let Some(u) = upper {
            set("upperdir", &u.upper.to_string_lossy())?;
            set("workdir", &u.work.to_string_lossy())?;
            if u.volatile {
                let k = cstr("volatile")?;
                check(libc::syscall(
                    libc::SYS_fsconfig,
                    fs_fd.as_raw_fd(),
                    FSCONFIG_SET_FLAG,
                    k.as_ptr(),
                    std::ptr::null::<libc::c_char>(),
                    0,
                ))?;
            }
        }
        check(libc::syscall(
            libc::SYS_fsconfig,
            fs_fd.as_raw_fd(),
            FSCONFIG_CMD_CREATE,
            std::ptr::null::<libc::c_char>(),
            std::ptr::null::<libc::c_char>(),
            0,
        ))?;
        let mnt = check(libc::syscall(
            libc::SYS_fsmount,
            fs_fd.as_raw_fd(),
            FSMOUNT_CLOEXEC,
            if upper.is_some() {
                0
            } else {
                MOUNT_ATTR_RDONLY
            },
        ))?;
        let mnt = OwnedFd::from_raw_fd(mnt as i32);
        let empty = cstr("")?;
        let t = cstr(&target.to_string_lossy())?;
        check(libc::syscall(
            libc::SYS_move_mount,
            mnt.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            t.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_unescaping() {
        assert_eq!(unescape_mountinfo(r"/a\040b\134c"), r"/a b\c");
        assert_eq!(unescape_mountinfo("/plain"), "/plain");
        assert_eq!(unescape_mountinfo(r"/x\04"), r"/x\04");
    }
}
