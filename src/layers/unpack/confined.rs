//! The confined file system: directories opened with `openat2(2)` beneath the layer directory
//! (never through a symlink, never across a mount), and what is built on them (listing and
//! removing a tree without following symlinks, recognising whiteouts).

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::libc;
use nix::sys::stat::{self, Mode};
use nix::unistd::{self, UnlinkatFlags};

/// Flags for every directory resolution: stay beneath the starting
/// directory, never follow any symlink, never cross a mount.
pub(super) fn resolve_flags() -> ResolveFlag {
    ResolveFlag::RESOLVE_BENEATH
        | ResolveFlag::RESOLVE_NO_SYMLINKS
        | ResolveFlag::RESOLVE_NO_MAGICLINKS
        | ResolveFlag::RESOLVE_NO_XDEV
}

/// Opens the directory `path` (relative, may have several components, or be
/// `.`) beneath `dir`, never following a symlink.
pub(super) fn open_dir_beneath(dir: BorrowedFd<'_>, path: &[u8]) -> nix::Result<OwnedFd> {
    let path: &[u8] = if path.is_empty() { b"." } else { path };
    let how = OpenHow::new()
        // No O_NOFOLLOW: with O_DIRECTORY it turns a final symlink into
        // ENOTDIR; RESOLVE_NO_SYMLINKS already refuses it, with ELOOP.
        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(resolve_flags());
    // EAGAIN means a concurrent rename raced the lookup; retry a few times.
    let mut attempts = 0;
    loop {
        match nix::fcntl::openat2(dir, path, how) {
            Err(Errno::EAGAIN) if attempts < 16 => attempts += 1,
            result => return result,
        }
    }
}

/// Whether `st` describes an overlayfs whiteout (character device 0/0).
pub(super) fn is_whiteout(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0
}

/// Whether `name` in `dir` is an overlayfs whiteout (not following symlinks).
pub(super) fn whiteout_at(dir: BorrowedFd<'_>, name: &[u8]) -> bool {
    stat::fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).is_ok_and(|st| is_whiteout(&st))
}

/// Lists the names in a directory (without `.` and `..`).
pub(crate) fn list_dir(dir: BorrowedFd<'_>) -> nix::Result<Vec<Vec<u8>>> {
    // A fresh descriptor: the directory stream owns (and closes) the one it is given.
    let fd = nix::fcntl::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    for entry in nix::dir::Dir::from_fd(fd)? {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(name);
        }
    }
    Ok(names)
}

/// Removes the directory `name` in `parent` and everything below it, without
/// following symlinks. Iterative, so a deep tree cannot overflow the stack.
pub(super) fn remove_tree(parent: BorrowedFd<'_>, name: &[u8]) -> nix::Result<()> {
    struct Level {
        fd: OwnedFd,
        name: Vec<u8>,
        pending: Vec<Vec<u8>>,
    }
    let open = |dir: BorrowedFd<'_>, name: &[u8]| -> nix::Result<Level> {
        let fd = open_dir_beneath(dir, name)?;
        let pending = list_dir(fd.as_fd())?;
        Ok(Level {
            fd,
            name: name.to_vec(),
            pending,
        })
    };
    let mut stack = vec![open(parent, name)?];
    while let Some(level) = stack.last_mut() {
        match level.pending.pop() {
            Some(child) => {
                match unistd::unlinkat(&level.fd, child.as_slice(), UnlinkatFlags::NoRemoveDir) {
                    Ok(()) | Err(Errno::ENOENT) => {}
                    Err(Errno::EISDIR) => {
                        let next = open(level.fd.as_fd(), &child)?;
                        stack.push(next);
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                // `level` is empty now: remove it from the level above.
                let name = std::mem::take(&mut level.name);
                stack.pop();
                let dir = stack.last().map_or(parent, |l| l.fd.as_fd());
                unistd::unlinkat(dir, name.as_slice(), UnlinkatFlags::RemoveDir)?;
            }
        }
    }
    Ok(())
}
