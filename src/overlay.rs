//! Overlay mounts of layer directories: the read-only stack of an image (`image mount`) and a
//! container's writable root filesystem. Knows directories, not images: the caller passes the
//! layer directories (`images::mount::lowerdirs`).
//!
//! Layer directories are stacked as overlayfs lowerdirs (topmost first). The mount is made with
//! the new mount API, passing each layer with `lowerdir+` (Linux 6.8+), so the number of layers is
//! not bounded by the one-page limit on mount(2) options; older kernels fall back to mount(2)
//! with a `lowerdir=a:b:c` string.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::error::{Classify, ErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum OverlayError {
    #[error("mounting overlay at {target}: {source}")]
    Mount {
        target: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("too many layers ({0}) for this kernel's mount options limit (Linux 6.8+ lifts it)")]
    TooManyLayers(usize),
}

impl Classify for OverlayError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

pub type Result<T> = std::result::Result<T, OverlayError>;

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
    let failed = |source: io::Error| OverlayError::Mount {
        target: target.to_path_buf(),
        source,
    };
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
                return Err(OverlayError::TooManyLayers(lower.len()));
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
                r => r.map_err(|e| failed(e.into())),
            }
        }
        Err(e) => Err(failed(e)),
    }
}

const FSCONFIG_SET_FLAG: libc::c_uint = 0;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const FSOPEN_CLOEXEC: libc::c_uint = 1;
const FSMOUNT_CLOEXEC: libc::c_uint = 1;
const MOUNT_ATTR_RDONLY: libc::c_uint = 1;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;

/// A syscall's return value: the error of a negative one, else the value.
fn check(ret: libc::c_long) -> io::Result<libc::c_long> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// A descriptor returned by a syscall that creates one.
fn owned_fd(ret: libc::c_long) -> io::Result<OwnedFd> {
    let fd = check(ret)?;
    let fd = i32::try_from(fd).map_err(|_| io::Error::from_raw_os_error(libc::EBADF))?;
    // SAFETY: `fd` was just returned by the kernel as a new descriptor of this process, owned by
    // nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// fsconfig(2) on `fs_fd`: a command, or a key with a string value (`None`: a flag).
fn fsconfig(
    fs_fd: &OwnedFd,
    cmd: libc::c_uint,
    key: Option<&str>,
    value: Option<&str>,
) -> io::Result<()> {
    let key = key.map(cstr).transpose()?;
    let value = value.map(cstr).transpose()?;
    let ptr = |s: &Option<CString>| s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr());
    // SAFETY: fsconfig takes a descriptor (valid: borrowed from `fs_fd`), two pointers that are
    // NULL or NUL-terminated strings living until the call returns, and an integer; it keeps
    // none of them.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_fsconfig,
            fs_fd.as_raw_fd(),
            cmd,
            ptr(&key),
            ptr(&value),
            0,
        )
    };
    check(ret).map(|_| ())
}

/// The mount with the new mount API (fsopen, fsconfig, fsmount, move_mount); nix does not
/// wrap these calls.
fn mount_overlay_new_api(
    lower: &[PathBuf],
    upper: Option<Writable>,
    target: &Path,
) -> io::Result<()> {
    let fstype = cstr("overlay")?;
    // SAFETY: fsopen takes a NUL-terminated string that lives until it returns, and flags.
    let fs_fd =
        owned_fd(unsafe { libc::syscall(libc::SYS_fsopen, fstype.as_ptr(), FSOPEN_CLOEXEC) })?;
    for l in lower {
        fsconfig(
            &fs_fd,
            FSCONFIG_SET_STRING,
            Some("lowerdir+"),
            Some(&l.to_string_lossy()),
        )?;
    }
    if let Some(u) = upper {
        let (up, work) = (u.upper.to_string_lossy(), u.work.to_string_lossy());
        fsconfig(&fs_fd, FSCONFIG_SET_STRING, Some("upperdir"), Some(&up))?;
        fsconfig(&fs_fd, FSCONFIG_SET_STRING, Some("workdir"), Some(&work))?;
        if u.volatile {
            fsconfig(&fs_fd, FSCONFIG_SET_FLAG, Some("volatile"), None)?;
        }
    }
    fsconfig(&fs_fd, FSCONFIG_CMD_CREATE, None, None)?;
    let attrs = if upper.is_some() {
        0
    } else {
        MOUNT_ATTR_RDONLY
    };
    // SAFETY: fsmount takes a valid descriptor (borrowed from `fs_fd`) and two integers.
    let mnt = owned_fd(unsafe {
        libc::syscall(libc::SYS_fsmount, fs_fd.as_raw_fd(), FSMOUNT_CLOEXEC, attrs)
    })?;
    let empty = cstr("")?;
    let t = cstr(&target.to_string_lossy())?;
    // SAFETY: move_mount takes a valid descriptor (borrowed from `mnt`), AT_FDCWD, two
    // NUL-terminated strings that live until it returns, and flags.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_move_mount,
            mnt.as_raw_fd(),
            empty.as_ptr(),
            libc::AT_FDCWD,
            t.as_ptr(),
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    check(ret).map(|_| ())
}
