//! Files inside a container's root filesystem, reached without ever leaving it.
//!
//! The rootfs is controlled by the image: a symlinked /etc/passwd or working directory must not
//! make berth read or create host files. Paths are opened with `openat2(2)` and
//! `RESOLVE_IN_ROOT`, so the kernel resolves every symlink and `..` as if the rootfs were `/`;
//! where openat2 is missing (kernels before 5.6, or a seccomp filter refusing it) the same
//! resolution is done in user space.

use std::collections::VecDeque;
use std::ffi::{CString, OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// Files larger than this are refused by [`read_in_root`] (passwd and group are never this
/// large).
const MAX_FILE: u64 = 16 << 20;
/// Symlinks followed by the user-space resolution before giving up (the kernel's limit).
const MAX_SYMLINKS: usize = 40;

fn no_openat2(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM))
}

/// Reads the file at `path` (absolute or relative, taken inside `root`) with every symlink and
/// `..` resolved inside `root`. `Ok(None)` when it does not exist. Only regular files are read.
pub fn read_in_root(root: &Path, path: &str) -> io::Result<Option<Vec<u8>>> {
    let file = match open_in_root(root, path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        ));
    }
    if meta.len() > MAX_FILE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "file too large"));
    }
    let mut buf = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE).read_to_end(&mut buf)?;
    Ok(Some(buf))
}

/// Opens `path` read-only inside `root`.
fn open_in_root(root: &Path, path: &str) -> io::Result<File> {
    let root_dir = File::open(root)?;
    // O_NONBLOCK: a FIFO planted as /etc/passwd must not hang the open (it is refused later).
    match openat2_in_root(
        &root_dir,
        path,
        libc::O_RDONLY | libc::O_NOCTTY | libc::O_NONBLOCK,
    ) {
        Err(e) if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM)) => {
            // No openat2 here (old kernel, or a seccomp filter that refuses it).
            let resolved = resolve_in_root_manually(root, path)?;
            OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
                .open(resolved)
        }
        other => other,
    }
}

#[cfg(test)]
thread_local! {
    /// Tests set this to exercise the user-space resolution on kernels that have openat2.
    static NO_OPENAT2: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn openat2_in_root(root_dir: &File, path: &str, flags: i32) -> io::Result<File> {
    #[cfg(test)]
    if NO_OPENAT2.with(|c| c.get()) {
        return Err(io::Error::from_raw_os_error(libc::ENOSYS));
    }
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "." } else { rel };
    let c = CString::new(rel).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: open_how is plain data (all-zero is valid); its fields are set below.
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = (flags | libc::O_CLOEXEC) as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS;
    // SAFETY: valid fd, NUL-terminated path, pointer and size of a live open_how.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_openat2,
            root_dir.as_raw_fd(),
            c.as_ptr(),
            &how as *const libc::open_how,
            std::mem::size_of::<libc::open_how>(),
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the kernel just returned this descriptor to us.
    Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd as i32) }))
}

fn components(p: &Path) -> VecDeque<OsString> {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect()
}

/// User-space RESOLVE_IN_ROOT: walks `path` one component at a time below `root`, reading each
/// symlink and restarting absolute targets at `root`; `..` never climbs above `root`. The result
/// names no symlink except possibly the last component, which the caller opens with
/// `O_NOFOLLOW`. (Unlike openat2 this is open to races with a concurrent writer of the rootfs,
/// which berth does not have while it builds the spec.)
pub fn resolve_in_root_manually(root: &Path, path: &str) -> io::Result<PathBuf> {
    let mut p = root.to_path_buf();
    p.extend(walk_in_root(root, path, false)?);
    Ok(p)
}

/// The user-space resolution: the components of `path` below `root`, every symlink read and
/// restarted at `root` when absolute, `..` never above `root`. With `missing_ok`, components
/// from the first one that does not exist are taken as they are (`..` lexically).
fn walk_in_root(root: &Path, path: &str, missing_ok: bool) -> io::Result<Vec<OsString>> {
    let mut resolved: Vec<OsString> = Vec::new();
    let mut pending = components(Path::new(path));
    let mut links = 0;
    let mut missing = false;
    while let Some(c) = pending.pop_front() {
        if c.as_os_str() == OsStr::from_bytes(b"..") {
            resolved.pop();
            continue;
        }
        resolved.push(c);
        if missing {
            continue;
        }
        let mut here = root.to_path_buf();
        here.extend(&resolved);
        let meta = match fs::symlink_metadata(&here) {
            Ok(m) => m,
            Err(e) if missing_ok && e.kind() == io::ErrorKind::NotFound => {
                missing = true;
                continue;
            }
            Err(e) => return Err(e),
        };
        if !meta.file_type().is_symlink() {
            continue;
        }
        links += 1;
        if links > MAX_SYMLINKS {
            return Err(io::Error::from_raw_os_error(libc::ELOOP));
        }
        resolved.pop();
        let target = fs::read_link(&here)?;
        if target.is_absolute() {
            resolved.clear();
        }
        let mut next = components(&target);
        next.extend(pending);
        pending = next;
    }
    Ok(resolved)
}

/// `path` joined to `root` with every symlink and `..` resolved inside `root`, as runc's
/// `SecureJoin` does: components that do not exist (yet) are appended as they are. The result
/// is always `root` or below it, and names no symlink except through components missing now.
/// The returned path is relative to `root` and starts with `/` (`/` for the root itself).
pub fn secure_join(root: &Path, path: &str) -> io::Result<String> {
    let mut out = String::new();
    for c in walk_in_root(root, path, true)? {
        out.push('/');
        out.push_str(&c.to_string_lossy());
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

/// Creates directory `path` and its missing parents inside `root` (mode 0755, owned by the
/// caller, i.e. root), as Docker creates a missing working directory. Existing directories,
/// including symlinks to directories inside the root, are fine; a non-directory in the way is
/// an error.
pub fn mkdir_all_in_root(root: &Path, path: &str) -> io::Result<()> {
    let root_dir = File::open(root)?;
    // Lexically cleaned first (`/a/b/../c` is `/a/c`), as Docker cleans the working directory.
    let mut parts: Vec<OsString> = Vec::new();
    for c in components(Path::new(path)) {
        if c.as_os_str() == OsStr::from_bytes(b"..") {
            parts.pop();
        } else {
            parts.push(c);
        }
    }
    let mut prefix = PathBuf::from("/");
    for part in parts {
        let parent = prefix.clone();
        prefix.push(&part);
        let here = prefix.to_string_lossy().into_owned();
        match open_dir_in_root(&root_dir, root, &here) {
            Ok(()) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let made = match openat2_in_root(
            &root_dir,
            &parent.to_string_lossy(),
            libc::O_PATH | libc::O_DIRECTORY,
        ) {
            Ok(parent_fd) => nix::sys::stat::mkdirat(
                &parent_fd,
                part.as_os_str(),
                nix::sys::stat::Mode::from_bits_truncate(0o755),
            )
            .map_err(io::Error::from),
            Err(e) if no_openat2(&e) => {
                let p = resolve_in_root_manually(root, &parent.to_string_lossy())?;
                fs::DirBuilder::new().mode(0o755).create(p.join(&part))
            }
            Err(e) => Err(e),
        };
        match made {
            Ok(()) => {}
            // Created meanwhile, or a symlink whose target is missing: check what is there.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                open_dir_in_root(&root_dir, root, &here)?
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Succeeds if `path` resolves (inside the root) to a directory.
fn open_dir_in_root(root_dir: &File, root: &Path, path: &str) -> io::Result<()> {
    match openat2_in_root(root_dir, path, libc::O_PATH | libc::O_DIRECTORY) {
        Ok(_) => Ok(()),
        Err(e) if no_openat2(&e) => {
            let p = resolve_in_root_manually(root, path)?;
            if fs::symlink_metadata(&p)?.is_dir() {
                Ok(())
            } else {
                Err(io::Error::from_raw_os_error(libc::ENOTDIR))
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// Runs `f` with openat2 and again with the user-space fallback.
    fn both(f: impl Fn()) {
        f();
        NO_OPENAT2.with(|c| c.set(true));
        f();
        NO_OPENAT2.with(|c| c.set(false));
    }

    #[test]
    fn reads_inside_and_refuses_escapes() {
        both(reads_inside_and_refuses_escapes_once);
    }

    #[test]
    fn mkdir_stays_inside() {
        both(mkdir_stays_inside_once);
    }

    fn reads_inside_and_refuses_escapes_once() {
        let outside = tempfile::tempdir().unwrap();
        let host = outside.path().join("secret");
        fs::write(&host, "host").unwrap();
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/real"), "inside").unwrap();
        symlink("/etc/real", d.path().join("etc/abs")).unwrap();
        symlink("../../../../../../etc/real", d.path().join("etc/rel")).unwrap();
        symlink(&host, d.path().join("etc/out")).unwrap();
        let depth = d.path().components().count() + 2;
        let climb = format!("{}{}", "../".repeat(depth), host.display());
        symlink(&climb, d.path().join("etc/climb")).unwrap();
        let read = |p: &str| {
            read_in_root(d.path(), p)
                .unwrap()
                .map(|b| String::from_utf8(b).unwrap())
        };
        assert_eq!(read("/etc/real").as_deref(), Some("inside"));
        assert_eq!(read("etc/abs").as_deref(), Some("inside"));
        assert_eq!(read("/etc/rel").as_deref(), Some("inside"));
        assert_eq!(read("/etc/out"), None);
        assert_eq!(read("/etc/climb"), None);
        assert_eq!(read("/../../etc/real").as_deref(), Some("inside"));
        // The user-space resolution agrees.
        let m = |p: &str| resolve_in_root_manually(d.path(), p);
        assert_eq!(m("/etc/abs").unwrap(), d.path().join("etc/real"));
        assert_eq!(m("/etc/rel").unwrap(), d.path().join("etc/real"));
        assert!(m("/etc/out").is_err() && m("/etc/climb").is_err());
        assert_eq!(m("/../etc/real").unwrap(), d.path().join("etc/real"));
        // Loops fail cleanly.
        symlink("/loop2", d.path().join("loop1")).unwrap();
        symlink("/loop1", d.path().join("loop2")).unwrap();
        assert!(read_in_root(d.path(), "/loop1").is_err());
        assert!(m("/loop1").is_err());
    }

    #[test]
    fn secure_join_stays_inside() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("etc/sub")).unwrap();
        symlink("/etc", d.path().join("data")).unwrap();
        symlink("../../../../..", d.path().join("up")).unwrap();
        symlink("/etc/sub/../../nowhere/x", d.path().join("dangling")).unwrap();
        let j = |p: &str| secure_join(d.path(), p).unwrap();
        assert_eq!(j("/data"), "/etc");
        assert_eq!(j("/data/sub/new/dir"), "/etc/sub/new/dir");
        assert_eq!(j("/up"), "/");
        assert_eq!(j("/up/etc"), "/etc");
        assert_eq!(j("/dangling"), "/nowhere/x");
        assert_eq!(j("/../../x/../y"), "/y");
        symlink("/l2", d.path().join("l1")).unwrap();
        symlink("/l1", d.path().join("l2")).unwrap();
        assert!(secure_join(d.path(), "/l1").is_err());
    }

    fn mkdir_stays_inside_once() {
        let outside = tempfile::tempdir().unwrap();
        let d = tempfile::tempdir().unwrap();
        mkdir_all_in_root(d.path(), "/a/b/../c/d").unwrap();
        assert!(d.path().join("a/c/d").is_dir());
        mkdir_all_in_root(d.path(), "/a/c/d").unwrap();
        // A symlink to a directory inside the root is followed inside the root.
        fs::create_dir(d.path().join("real")).unwrap();
        symlink("/real", d.path().join("link")).unwrap();
        mkdir_all_in_root(d.path(), "/link/x").unwrap();
        assert!(d.path().join("real/x").is_dir());
        // A symlink pointing out of the root never creates anything outside.
        symlink(outside.path(), d.path().join("out")).unwrap();
        assert!(mkdir_all_in_root(d.path(), "/out/evil").is_err());
        assert!(!outside.path().join("evil").exists());
        // A file in the way.
        fs::write(d.path().join("file"), "").unwrap();
        assert!(mkdir_all_in_root(d.path(), "/file/x").is_err());
    }
}
