//! Network namespaces as files: a new namespace is bind-mounted on a file in the run root (like
//! `ip netns add`), so it outlives the process that made it and the runtime can join it by path.

use std::fs;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;

use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sched::{CloneFlags, setns, unshare};

fn nix_io(e: nix::errno::Errno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// The calling thread's network namespace, to come back to.
fn current() -> io::Result<OwnedFd> {
    Ok(OwnedFd::from(fs::File::open("/proc/thread-self/ns/net")?))
}

/// Makes a new network namespace and binds it at `path`. The calling thread stays where it was.
pub fn create(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::File::create(path)?;
    let orig = current()?;
    let made = (|| -> io::Result<()> {
        unshare(CloneFlags::CLONE_NEWNET).map_err(nix_io)?;
        mount(
            Some("/proc/thread-self/ns/net"),
            path,
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(nix_io)
    })();
    setns(orig.as_fd(), CloneFlags::CLONE_NEWNET).map_err(nix_io)?;
    if made.is_err() {
        let _ = fs::remove_file(path);
    }
    made
}

/// Unbinds and deletes a namespace file (the namespace ends with its last user). Idempotent.
pub fn remove(path: &Path) -> io::Result<()> {
    match umount2(path, MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => {}
        Err(e) => return Err(nix_io(e)),
    }
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Runs `f` with the calling thread in the namespace at `path`, then returns to the original
/// one. Sockets made in `f` stay in the namespace they were made in.
pub fn enter<T>(path: &Path, f: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    let target = fs::File::open(path)?;
    let orig = current()?;
    setns(target.as_fd(), CloneFlags::CLONE_NEWNET).map_err(nix_io)?;
    let r = f();
    setns(orig.as_fd(), CloneFlags::CLONE_NEWNET).map_err(nix_io)?;
    r
}
