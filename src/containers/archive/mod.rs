//! A container's files from the outside (`cp`, `export`, `diff`, the API's `archive`):
//! the container's root opened once, every path resolved beneath it, changes read from its
//! writable layer.
//!
//! # Where the files are
//! A running container's root is its overlay, mounted by its monitor: it is opened there (and
//! checked to be an overlay, so a root unmounted meanwhile is never written to). Any other
//! container gets an overlay of its own for the operation, with the container's monitor lock
//! held (so no start mounts the same layer meanwhile): read-only (its writable layer as the top
//! lower layer) to read, writable to write, unmounted when the operation ends or fails (a
//! process killed meanwhile leaves it; the next copy of that container removes it).
//!
//! # Confinement
//! Paths are resolved with `openat2(RESOLVE_IN_ROOT)` from the root's descriptor: a symlink
//! (absolute, or `../../..`) resolves as it would inside the container, never above its root;
//! below the resolved path, trees are walked through descriptors without following any link
//! ([`tarball`]), and archives coming in go through the layer unpacker's confined extraction.
//!
//! # Volumes and binds
//! What a copy sees is the container's own filesystem (image + writable layer), as mounted on
//! the host. The volumes, binds and tmpfs mounted into the container exist only in the
//! container's mount namespace: a path at or below one of their destinations is refused
//! ("not supported") rather than read from or written to the mount point underneath.
//! The files berth bind-mounts at `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf`
//! are likewise read from the container's layer.

pub mod tarball;

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::libc;
use nix::sys::stat::{self, FileStat, Mode};

use super::{ContainerError, Paths, Settings};
use crate::layers::{ExtractOptions, UnpackError};
use crate::lock::{Lock, Mode as LockMode};
use crate::mountinfo::is_mount_point;
use crate::overlay::{Writable, mount_overlay};
use crate::state::containers::ContainerRow;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Docker's message for a path that does not exist.
    #[error("Could not find the file {path} in container {container}")]
    NotFound { path: String, container: String },
    /// A path or an archive that cannot be used as asked.
    #[error("{0}")]
    Invalid(String),
    /// What berth does not do (a path in a volume).
    #[error("{0}")]
    NotSupported(String),
    /// The container is starting or stopping.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

pub type Result<T> = std::result::Result<T, ArchiveError>;

fn io_err(what: impl std::fmt::Display) -> impl FnOnce(io::Error) -> ArchiveError {
    let what = what.to_string();
    move |source| ArchiveError::Io { what, source }
}

fn nix_err(what: impl std::fmt::Display) -> impl FnOnce(Errno) -> ArchiveError {
    let what = what.to_string();
    move |e| ArchiveError::Io {
        what,
        source: e.into(),
    }
}

/// The components of `path` (absolute or not, in the container) after Docker's lexical
/// cleaning: `.` and empty ones dropped, `..` removing the one before (never above `/`).
pub fn clean(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether `path` says it is a directory: it ends with `/` or `/.` (Docker's rule).
pub fn asserts_dir(path: &str) -> bool {
    path.ends_with('/') || path.ends_with("/.") || path == "."
}

/// What `stat` says of a path in a container (Docker's `PathStat`). `mode` is Go's
/// `os.FileMode` (type bits high, permissions low), as Docker's clients decode it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    pub mode: u32,
    /// Nanoseconds since the epoch.
    pub mtime: i64,
    /// For a symlink, the path (in the container) it resolves to.
    pub link_target: String,
}

impl PathStat {
    pub fn is_dir(&self) -> bool {
        self.mode & GO_MODE_DIR != 0
    }
    pub fn is_symlink(&self) -> bool {
        self.mode & GO_MODE_SYMLINK != 0
    }
}

const GO_MODE_DIR: u32 = 1 << 31;
const GO_MODE_SYMLINK: u32 = 1 << 27;

/// Go's `os.FileMode` of a `stat` mode.
pub fn go_mode(st_mode: u32) -> u32 {
    let mut m = st_mode & 0o777;
    m |= match st_mode & libc::S_IFMT {
        libc::S_IFDIR => GO_MODE_DIR,
        libc::S_IFLNK => GO_MODE_SYMLINK,
        libc::S_IFBLK => 1 << 26,
        libc::S_IFCHR => (1 << 26) | (1 << 21),
        libc::S_IFIFO => 1 << 25,
        libc::S_IFSOCK => 1 << 24,
        _ => 0,
    };
    if st_mode & libc::S_ISUID != 0 {
        m |= 1 << 23;
    }
    if st_mode & libc::S_ISGID != 0 {
        m |= 1 << 22;
    }
    if st_mode & libc::S_ISVTX != 0 {
        m |= 1 << 20;
    }
    m
}

/// A container's root, open for one operation.
pub struct Root {
    fd: OwnedFd,
    /// How the container is named in messages.
    container: String,
    /// Destinations of the container's volumes, binds and tmpfs mounts.
    mounts: Vec<String>,
    read_only: bool,
    /// The root is a mount of our own (synced after a write), unmounted when the root is
    /// dropped.
    private: Option<PrivateMount>,
    _lock: Option<Lock>,
}

/// An overlay mounted for one operation: unmounted (and its mount point removed) on drop.
/// It stays attached while in use: `openat2(RESOLVE_IN_ROOT)` answers EAGAIN to every `..`
/// that a symlink leads to in a detached overlay. A process killed meanwhile leaves it
/// mounted; the next copy into or out of the container removes it ([`sweep`]).
struct PrivateMount {
    target: PathBuf,
}

impl Drop for PrivateMount {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.target, nix::mount::MntFlags::MNT_DETACH);
        let _ = fs::remove_dir(&self.target);
    }
}

/// Unmounts every private mount in a container's run directory (the container is being
/// removed: its run directory goes, and must not be walked into a mount).
pub fn unmount_all(run: &Path) {
    let Ok(entries) = fs::read_dir(run) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with("copy-") {
            let _ = nix::mount::umount2(&e.path(), nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

/// Removes the private mounts that killed processes left in a container's run directory.
fn sweep(run: &Path) {
    let Ok(entries) = fs::read_dir(run) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("copy-")
            .and_then(|r| r.split('-').next())
            .and_then(|p| p.parse::<i64>().ok())
        else {
            continue;
        };
        if !super::pid_alive(pid) {
            let _ = nix::mount::umount2(&e.path(), nix::mount::MntFlags::MNT_DETACH);
            let _ = fs::remove_dir(e.path());
        }
    }
}

/// A path resolved in a container's root: its parent directory, its own name there (`.` for
/// the root itself), its path in the container and its `lstat`.
pub struct Resolved {
    pub parent: OwnedFd,
    pub name: Vec<u8>,
    pub path: String,
    pub stat: FileStat,
}

impl Resolved {
    pub fn is_dir(&self) -> bool {
        self.stat.st_mode & libc::S_IFMT == libc::S_IFDIR
    }
}

static MOUNTS: AtomicU64 = AtomicU64::new(0);

impl Root {
    /// The root's descriptor number (`/proc/self/fd/N` names the root as a path while the
    /// root is open).
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// Opens the root of container `c` (named `name` in messages), writable if `write`.
    pub fn open(store: &Store, c: &ContainerRow, name: &str, write: bool) -> Result<Root> {
        let settings = Settings::of(c)?;
        let paths = Paths::new(store, &c.id);
        let make = |fd: OwnedFd, private: Option<PrivateMount>, lock: Option<Lock>| Root {
            fd,
            container: name.to_string(),
            mounts: settings.mounts.iter().map(|m| m.target.clone()).collect(),
            read_only: settings.read_only,
            private,
            _lock: lock,
        };
        // A monitor starting or stopping the container holds its lock for a moment.
        for _ in 0..100 {
            if let Some(fd) = mounted_root(&paths)? {
                return Ok(make(fd, None, None));
            }
            fs::create_dir_all(&paths.run).map_err(io_err(paths.run.display()))?;
            let lock_path = paths.run.join("monitor.lock");
            match Lock::file(&lock_path, LockMode::TryExclusive) {
                Ok(lock) => {
                    sweep(&paths.run);
                    let (fd, mount) = private_root(store, c, &paths, write)?;
                    return Ok(make(fd, Some(mount), Some(lock)));
                }
                Err(e) if crate::lock::is_held_elsewhere(&e) => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(e) => return Err(io_err(lock_path.display())(e)),
            }
        }
        Err(ArchiveError::Busy(format!(
            "container {name} is starting or stopping: try again"
        )))
    }

    fn how(flags: OFlag) -> OpenHow {
        OpenHow::new().flags(flags | OFlag::O_CLOEXEC).resolve(
            ResolveFlag::RESOLVE_IN_ROOT
                | ResolveFlag::RESOLVE_NO_MAGICLINKS
                | ResolveFlag::RESOLVE_NO_XDEV,
        )
    }

    /// Opens `rel` (components below the root) with symlinks resolved inside the root.
    fn open_in(&self, rel: &[&str], flags: OFlag) -> nix::Result<OwnedFd> {
        let joined = if rel.is_empty() {
            ".".to_string()
        } else {
            rel.join("/")
        };
        let how = Self::how(flags);
        let mut attempts = 0;
        loop {
            match nix::fcntl::openat2(self.fd.as_fd(), joined.as_str(), how) {
                Err(Errno::EAGAIN) if attempts < 16 => attempts += 1,
                r => return r,
            }
        }
    }

    /// The path in the container of a descriptor opened beneath the root.
    fn path_of(&self, fd: BorrowedFd<'_>) -> String {
        let link = |fd: i32| {
            fs::read_link(format!("/proc/self/fd/{fd}"))
                .map(|p| p.as_os_str().as_bytes().to_vec())
                .unwrap_or_default()
        };
        let root = link(self.fd.as_raw_fd());
        let own = link(fd.as_raw_fd());
        let rest = if root == b"/" {
            &own[..]
        } else {
            own.strip_prefix(root.as_slice()).unwrap_or(&own)
        };
        let rest = String::from_utf8_lossy(rest).into_owned();
        if rest.is_empty() { "/".into() } else { rest }
    }

    fn not_found(&self, path: &str) -> ArchiveError {
        ArchiveError::NotFound {
            path: path.to_string(),
            container: self.container.clone(),
        }
    }

    fn lookup_error(&self, path: &str, e: Errno) -> ArchiveError {
        match e {
            Errno::ENOENT => self.not_found(path),
            Errno::ENOTDIR => ArchiveError::Invalid(format!("{path}: not a directory")),
            Errno::ELOOP => {
                ArchiveError::Invalid(format!("{path}: too many levels of symbolic links"))
            }
            Errno::EXDEV => ArchiveError::NotSupported(format!(
                "{path}: crosses a mount point of the container"
            )),
            e => nix_err(path)(e),
        }
    }

    /// Resolves `path` inside the root. Symlinks along the way resolve inside the container;
    /// the last component is followed only if `follow`.
    pub fn resolve(&self, path: &str, follow: bool) -> Result<Resolved> {
        let parts = clean(path);
        if follow && !parts.is_empty() {
            let fd = self
                .open_in(&parts, OFlag::O_PATH)
                .map_err(|e| self.lookup_error(path, e))?;
            let real = self.path_of(fd.as_fd());
            let real = clean(&real)
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
            return self.resolve_parts(path, &real.iter().map(String::as_str).collect::<Vec<_>>());
        }
        self.resolve_parts(path, &parts)
    }

    fn resolve_parts(&self, path: &str, parts: &[&str]) -> Result<Resolved> {
        let (parent_parts, name) = match parts.split_last() {
            Some((name, parent)) => (parent, name.as_bytes().to_vec()),
            None => (&[][..], b".".to_vec()),
        };
        let parent = self
            .open_in(parent_parts, OFlag::O_PATH | OFlag::O_DIRECTORY)
            .map_err(|e| self.lookup_error(path, e))?;
        let stat = stat::fstatat(
            &parent,
            OsStr::from_bytes(&name),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(|e| self.lookup_error(path, e))?;
        let parent_path = self.path_of(parent.as_fd());
        let full = if name == b"." {
            parent_path
        } else if parent_path == "/" {
            format!("/{}", String::from_utf8_lossy(&name))
        } else {
            format!("{parent_path}/{}", String::from_utf8_lossy(&name))
        };
        let r = Resolved {
            parent,
            name,
            path: full,
            stat,
        };
        self.check_not_in_mount(&r.path)?;
        Ok(r)
    }

    fn check_not_in_mount(&self, path: &str) -> Result<()> {
        for m in &self.mounts {
            let inside = path == m
                || path
                    .strip_prefix(m.as_str())
                    .is_some_and(|r| r.starts_with('/'));
            if inside {
                return Err(ArchiveError::NotSupported(format!(
                    "{path} is in a volume or bind mount of container {} ({m}): berth copies \
                     the container's own filesystem only",
                    self.container
                )));
            }
        }
        Ok(())
    }

    /// Docker's `PathStat` of `path` (the last component not followed).
    pub fn stat(&self, path: &str) -> Result<(Resolved, PathStat)> {
        let r = self.resolve(path, asserts_dir(path))?;
        if asserts_dir(path) && !r.is_dir() {
            return Err(ArchiveError::Invalid(format!("{path}: not a directory")));
        }
        let parts = clean(path);
        let name = parts.last().map_or("/".to_string(), |s| s.to_string());
        let mut link_target = String::new();
        if r.stat.st_mode & libc::S_IFMT == libc::S_IFLNK {
            link_target = match self.open_in(&clean(&r.path), OFlag::O_PATH) {
                Ok(fd) => self.path_of(fd.as_fd()),
                // A dangling link: where it points, lexically.
                Err(_) => {
                    let t = nix::fcntl::readlinkat(&r.parent, OsStr::from_bytes(&r.name))
                        .map(|t| t.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let base = if t.starts_with('/') {
                        String::new()
                    } else {
                        let p = clean(&r.path);
                        p[..p.len().saturating_sub(1)].join("/")
                    };
                    format!("/{}", clean(&format!("{base}/{t}")).join("/"))
                }
            };
        }
        let st = &r.stat;
        let stat = PathStat {
            name,
            size: st.st_size,
            mode: go_mode(st.st_mode),
            mtime: st.st_mtime * 1_000_000_000 + st.st_mtime_nsec,
            link_target,
        };
        Ok((r, stat))
    }

    /// Writes the tree at `r` as a tar stream, its entries named `top`, `top/…` (see
    /// [`tarball::write_tree`]).
    pub fn write_tar(&self, r: &Resolved, top: &[u8], out: impl io::Write) -> Result<()> {
        tarball::write_tree(r.parent.as_fd(), &r.name, top, out)
            .map_err(io_err(format!("archiving {}", r.path)))
    }

    /// The whole root as a tar stream (an export).
    pub fn export(&self, out: impl io::Write) -> Result<()> {
        tarball::write_tree(self.fd.as_fd(), b".", b"", out).map_err(io_err("exporting"))
    }

    /// Extracts the tar stream `reader` into the directory `path` (followed if a symlink),
    /// which must exist.
    pub fn put(&self, path: &str, reader: impl Read, opts: ExtractOptions) -> Result<()> {
        if self.read_only {
            return Err(ArchiveError::Invalid(format!(
                "container {} rootfs is marked read-only",
                self.container
            )));
        }
        let r = self.resolve(path, true)?;
        if !r.is_dir() {
            return Err(ArchiveError::Invalid(format!(
                "extraction point is not a directory: {}",
                r.path
            )));
        }
        let dir = tarball::open_dir_at(r.parent.as_fd(), &r.name).map_err(nix_err(&r.path))?;
        crate::layers::unpack_into(reader, dir, Path::new(&r.path), opts)?;
        if self.private.is_some() {
            nix::unistd::syncfs(&self.fd).map_err(nix_err("syncing the container's layer"))?;
        }
        Ok(())
    }
}

/// The monitor's mount of a running container's root, if there is one.
fn mounted_root(paths: &Paths) -> Result<Option<OwnedFd>> {
    let rootfs = paths.rootfs();
    if !is_mount_point(&rootfs) {
        return Ok(None);
    }
    let fd = match nix::fcntl::open(
        &rootfs,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(None),
        Err(e) => return Err(nix_err(rootfs.display())(e)),
    };
    // Unmounted between the check and the open: the bare mount point is not the root.
    let fs = nix::sys::statfs::fstatfs(&fd).map_err(nix_err(rootfs.display()))?;
    if fs.filesystem_type() != nix::sys::statfs::OVERLAYFS_SUPER_MAGIC {
        return Ok(None);
    }
    Ok(Some(fd))
}

/// Mounts the container's overlay privately for one operation: its root and the mount.
fn private_root(
    store: &Store,
    c: &ContainerRow,
    paths: &Paths,
    write: bool,
) -> Result<(OwnedFd, PrivateMount)> {
    let (upper, work) = (paths.upper(), paths.work());
    let mut lower =
        crate::images::mount::lowerdirs(store, &c.image_id, false).map_err(ContainerError::from)?;
    if !write && upper.is_dir() {
        lower.insert(0, upper.clone());
    }
    if !write && lower.len() < 2 {
        lower.push(store.empty_dir());
    }
    if write {
        fs::create_dir_all(&upper).map_err(io_err(upper.display()))?;
        fs::create_dir_all(&work).map_err(io_err(work.display()))?;
    }
    let n = MOUNTS.fetch_add(1, Ordering::Relaxed);
    let target = paths.run.join(format!("copy-{}-{n}", std::process::id()));
    fs::create_dir_all(&target).map_err(io_err(target.display()))?;
    let writable = write.then(|| Writable {
        upper: &upper,
        work: &work,
        volatile: false,
    });
    if let Err(e) = mount_overlay(&lower, writable, &target) {
        let _ = fs::remove_dir(&target);
        return Err(ContainerError::from(e).into());
    }
    let mount = PrivateMount { target };
    let fd = nix::fcntl::open(
        &mount.target,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(nix_err(mount.target.display()))?;
    Ok((fd, mount))
}

/// Mounts a read-only overlay of `lower` at `target`, opens its root and detaches it
/// (MNT_DETACH): the mount lives on through the descriptor only. (Lookups in it never follow
/// symlinks: see [`PrivateMount`].)
fn detached_mount(lower: &[PathBuf], target: &Path) -> Result<OwnedFd> {
    mount_overlay(lower, None, target).map_err(ContainerError::from)?;
    let fd = nix::fcntl::open(
        target,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    );
    let detached = nix::mount::umount2(target, nix::mount::MntFlags::MNT_DETACH);
    let fd = fd.map_err(nix_err(target.display()))?;
    detached.map_err(nix_err(format!("detaching {}", target.display())))?;
    Ok(fd)
}

/// A change in a container's filesystem, as `diff` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Modified,
    Added,
    Deleted,
}

/// The paths that a start makes as mount points (and the container's own mounts): not
/// changes the user made.
const MOUNT_POINTS: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/etc/hosts",
    "/etc/hostname",
    "/etc/resolv.conf",
];

/// The changes of container `c`'s writable layer against its image: each path in the layer is
/// Added (not in the image), Modified (in the image too) or Deleted (a whiteout), in the order
/// of a walk of the tree. The start's mount points are left out, and so are directories
/// listed only because they hold one.
pub fn changes(store: &Store, c: &ContainerRow) -> Result<Vec<(ChangeKind, String)>> {
    let paths = Paths::new(store, &c.id);
    let upper = paths.upper();
    let upper_fd = match nix::fcntl::open(
        &upper,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    ) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => return Ok(Vec::new()),
        Err(e) => return Err(nix_err(upper.display())(e)),
    };
    let settings = Settings::of(c)?;
    let mut skip: Vec<String> = MOUNT_POINTS.iter().map(|s| s.to_string()).collect();
    skip.extend(settings.mounts.iter().map(|m| m.target.clone()));
    if let Ok(text) = fs::read(paths.spec())
        && let Ok(spec) = serde_json::from_slice::<serde_json::Value>(&text)
        && let Some(mounts) = spec.get("mounts").and_then(|m| m.as_array())
    {
        for m in mounts {
            if let Some(d) = m.get("destination").and_then(|d| d.as_str()) {
                skip.push(format!("/{}", clean(d).join("/")));
            }
        }
    }
    let lower =
        crate::images::mount::lowerdirs(store, &c.image_id, true).map_err(ContainerError::from)?;
    let n = MOUNTS.fetch_add(1, Ordering::Relaxed);
    fs::create_dir_all(&paths.run).map_err(io_err(paths.run.display()))?;
    let target = paths.run.join(format!("copy-{}-d{n}", std::process::id()));
    fs::create_dir_all(&target).map_err(io_err(target.display()))?;
    let image = detached_mount(&lower, &target);
    let _ = fs::remove_dir(&target);
    let image = image?;

    let in_image = |rel: &[u8]| -> bool {
        let (parent, name) = match rel.iter().rposition(|&b| b == b'/') {
            Some(i) => (&rel[..i], &rel[i + 1..]),
            None => (&b"."[..], rel),
        };
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS);
        match nix::fcntl::openat2(image.as_fd(), OsStr::from_bytes(parent), how) {
            Ok(dir) => {
                stat::fstatat(&dir, OsStr::from_bytes(name), AtFlags::AT_SYMLINK_NOFOLLOW).is_ok()
            }
            Err(_) => false,
        }
    };
    let skipped = |p: &str| {
        skip.iter().any(|s| {
            p == s
                || p.strip_prefix(s.as_str())
                    .is_some_and(|r| r.starts_with('/'))
        })
    };
    // An ancestor of a skipped path: listed only if something below it is.
    let holds_skipped = |p: &str| {
        skip.iter()
            .any(|s| s.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
    };

    let mut out: Vec<(ChangeKind, String)> = Vec::new();
    // Depth-first, in name order; a directory's entry is kept back until its children are
    // known, when it only holds mount points.
    struct Level {
        fd: OwnedFd,
        rel: Vec<u8>,
        pending: std::vec::IntoIter<Vec<u8>>,
        /// Index in `out` of this directory's own entry, and whether it is provisional.
        entry: Option<(usize, bool)>,
    }
    let list = |fd: BorrowedFd<'_>| -> Result<Vec<Vec<u8>>> {
        let dir = tarball::open_dir_at(fd, b".").map_err(nix_err(upper.display()))?;
        let mut names = Vec::new();
        for e in nix::dir::Dir::from_fd(dir).map_err(nix_err(upper.display()))? {
            let e = e.map_err(nix_err(upper.display()))?;
            let name = e.file_name().to_bytes().to_vec();
            if name != b"." && name != b".." {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    };
    let first = list(upper_fd.as_fd())?;
    let mut stack = vec![Level {
        fd: upper_fd,
        rel: Vec::new(),
        pending: first.into_iter(),
        entry: None,
    }];
    while let Some(level) = stack.last_mut() {
        let Some(name) = level.pending.next() else {
            let done = stack.pop().expect("a level");
            if let Some((i, true)) = done.entry
                && out.len() == i + 1
            {
                // Nothing below it was listed: it was there for a mount point only.
                out.truncate(i);
            }
            continue;
        };
        let mut rel = level.rel.clone();
        if !rel.is_empty() {
            rel.push(b'/');
        }
        rel.extend_from_slice(&name);
        let path = format!("/{}", String::from_utf8_lossy(&rel));
        if skipped(&path) {
            continue;
        }
        let st = match stat::fstatat(
            level.fd.as_fd(),
            OsStr::from_bytes(&name),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        ) {
            Ok(st) => st,
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(nix_err(&path)(e)),
        };
        let whiteout = st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0;
        if whiteout {
            out.push((ChangeKind::Deleted, path));
            continue;
        }
        let kind = if in_image(&rel) {
            ChangeKind::Modified
        } else {
            ChangeKind::Added
        };
        let idx = out.len();
        out.push((kind, path.clone()));
        if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
            let fd = tarball::open_dir_at(level.fd.as_fd(), &name).map_err(nix_err(&path))?;
            let pending = list(fd.as_fd())?.into_iter();
            stack.push(Level {
                fd,
                rel,
                pending,
                entry: Some((idx, holds_skipped(&path))),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_cleaned_as_docker_cleans_them() {
        assert_eq!(clean("/etc/../etc/./passwd"), vec!["etc", "passwd"]);
        assert_eq!(clean("../../.."), Vec::<&str>::new());
        assert_eq!(clean("/"), Vec::<&str>::new());
        assert!(asserts_dir("/tmp/"));
        assert!(asserts_dir("/tmp/."));
        assert!(!asserts_dir("/tmp"));
    }

    #[test]
    fn modes_are_gos() {
        assert_eq!(go_mode(libc::S_IFDIR | 0o755), (1 << 31) | 0o755);
        assert_eq!(go_mode(libc::S_IFLNK | 0o777), (1 << 27) | 0o777);
        assert_eq!(go_mode(libc::S_IFREG | 0o4755), (1 << 23) | 0o755);
        assert_eq!(go_mode(libc::S_IFREG | 0o644), 0o644);
    }
}
