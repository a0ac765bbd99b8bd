//! `RUN --mount`: what each mount of a step becomes in the step's container, and what the
//! mounts leave behind (nothing).
//!
//! - `type=cache`: a directory kept between builds in `ROOT/build/cache-mounts/<hash of
//!   id>/data` (see [`CacheMounts`]), its `sharing` enforced with file locks (`shared`: a
//!   shared lock, waiting for a `locked` user; `locked`: an exclusive lock; `private`: the first
//!   instance nobody uses, a new one when all are taken), created with `mode`/`uid`/`gid` and
//!   filled from `from`/`source` the first time.
//! - `type=bind`: the context, a stage or an image mounted as an overlay of our own (writable
//!   on a throwaway upper directory with `rw`: writes are discarded), `source` resolved inside
//!   it, bound at the target.
//! - `type=tmpfs`: a tmpfs of the container (`size`).
//! - `type=secret`: a file with the secret's bytes on the run root (a tmpfs), bound read-only;
//!   or an environment variable (`env=`). Never part of a layer or a cache key.
//! - `type=ssh`: refused.
//!
//! The mount points the runtime makes in the step's root filesystem for targets the image does
//! not have ([`Stubs`]) are removed from the upper directory before it is packed, with the
//! copied-up directories above them when nothing else changed there.
//!
//! Helper mounts live in `RUNROOT/build-mounts/<pid>-…`, unmounted when the step ends; those
//! of a killed build are unmounted by the next build ([`sweep`]).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{self, Mode};
use sha2::{Digest, Sha256};

use super::{BuildError, Result};
use crate::build::dockerfile::mount::{Mount, MountType, Sharing};
use crate::lock::{Lock, Mode as LockMode};
use crate::overlay::{Writable, mount_overlay};
use crate::volumes::{MountKind, MountSpec};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Where a step's helper mounts and secret files go.
fn helpers_dir(runroot: &Path) -> PathBuf {
    runroot.join("build-mounts")
}

fn io_err(what: impl std::fmt::Display) -> impl FnOnce(io::Error) -> BuildError {
    move |e| BuildError::io(what, e)
}

/// The mount points under `dir` (from /proc/self/mountinfo), deepest first.
fn mounts_below(dir: &Path) -> Vec<PathBuf> {
    let Ok(info) = fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    let prefix = dir.as_os_str().as_bytes();
    let mut out: Vec<PathBuf> = info
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|s| PathBuf::from(crate::mountinfo::unescape(s)))
        .filter(|p| {
            let b = p.as_os_str().as_bytes();
            b.starts_with(prefix) && b.get(prefix.len()) == Some(&b'/')
        })
        .collect();
    out.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    out.dedup();
    out
}

/// Unmounts and removes what builds that no longer run left in the helpers directory.
pub fn sweep(runroot: &Path) {
    let dir = helpers_dir(runroot);
    let Ok(rd) = fs::read_dir(&dir) else {
        return;
    };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        for m in mounts_below(&e.path()) {
            let _ = nix::mount::umount2(&m, nix::mount::MntFlags::MNT_DETACH);
        }
        if mounts_below(&e.path()).is_empty() {
            let _ = crate::tmp::remove_any(&e.path());
        }
    }
}

/// What a step's mounts hold while it runs: released (helper mounts unmounted, secret files
/// and throwaway directories removed, cache locks dropped) on drop.
#[derive(Default)]
pub struct Prepared {
    /// The container's mounts.
    pub specs: Vec<MountSpec>,
    /// Secrets given as environment variables (`KEY=VALUE`).
    pub env: Vec<String>,
    /// The mount targets in the container (absolute, clean).
    pub targets: Vec<String>,
    /// Helper overlays (unmounted first).
    helpers: Vec<PathBuf>,
    /// The step's directory in the helpers directory (secret files, mount points).
    dir: Option<PathBuf>,
    /// Throwaway upper directories (temp area).
    scratch: Vec<PathBuf>,
    locks: Vec<Lock>,
}

impl Drop for Prepared {
    fn drop(&mut self) {
        for m in self.helpers.drain(..).rev() {
            let _ = nix::mount::umount2(&m, nix::mount::MntFlags::MNT_DETACH);
        }
        if let Some(d) = self.dir.take() {
            // Never walk into a mount that failed to go.
            if mounts_below(&d).is_empty() {
                let _ = crate::tmp::remove_any(&d);
            }
        }
        for s in self.scratch.drain(..) {
            let _ = crate::tmp::remove_any(&s);
        }
        self.locks.clear();
    }
}

impl Prepared {
    fn dir(&mut self, runroot: &Path) -> Result<PathBuf> {
        if let Some(d) = &self.dir {
            return Ok(d.clone());
        }
        let base = helpers_dir(runroot);
        fs::create_dir_all(&base).map_err(io_err(base.display()))?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let d = base.join(format!("{}-{n}", std::process::id()));
        fs::create_dir(&d).map_err(io_err(d.display()))?;
        fs::set_permissions(&d, fs::Permissions::from_mode(0o700)).map_err(io_err(d.display()))?;
        self.dir = Some(d.clone());
        Ok(d)
    }

    /// Mounts a read-only overlay of `lower` (an image's layers, topmost first) for the
    /// prepared step's life; returns its path.
    pub fn overlay_of(
        &mut self,
        store: &crate::store::Store,
        lower: Vec<PathBuf>,
    ) -> Result<PathBuf> {
        self.overlay(&store.runroot, &store.tmp, &store.empty_dir(), lower, false)
    }

    /// Mounts an overlay of `lower` (topmost first; writable on a throwaway upper if
    /// `writable`) in the step's directory; returns its path.
    fn overlay(
        &mut self,
        runroot: &Path,
        tmp: &crate::tmp::TempArea,
        empty: &Path,
        mut lower: Vec<PathBuf>,
        writable: bool,
    ) -> Result<PathBuf> {
        let dir = self.dir(runroot)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let target = dir.join(format!("tree-{n}"));
        fs::create_dir(&target).map_err(io_err(target.display()))?;
        let r = if writable {
            let s = tmp
                .new_dir("build-mount")
                .map_err(io_err("making a mount's upper directory"))?;
            self.scratch.push(s.clone());
            let (upper, work) = (s.join("upper"), s.join("work"));
            fs::create_dir(&upper).map_err(io_err(upper.display()))?;
            fs::create_dir(&work).map_err(io_err(work.display()))?;
            mount_overlay(
                &lower,
                Some(Writable {
                    upper: &upper,
                    work: &work,
                    volatile: false,
                }),
                &target,
            )
        } else {
            if lower.len() < 2 {
                // Two lowerdirs without an upper one; never the same directory twice.
                if lower.iter().any(|l| l == empty) {
                    let e = dir.join(format!("empty-{n}"));
                    fs::create_dir(&e).map_err(io_err(e.display()))?;
                    lower.push(e);
                } else {
                    lower.push(empty.to_path_buf());
                }
            }
            mount_overlay(&lower, None, &target)
        };
        r.map_err(|e| BuildError::Invalid(format!("RUN --mount: {e}")))?;
        self.helpers.push(target.clone());
        Ok(target)
    }
}

/// Opens `rel` in the tree at `root` with symlinks resolved inside it; returns the real path
/// (below `root`) of what it names.
fn resolve_in(root: &Path, rel: &str, what: &str) -> Result<PathBuf> {
    let dir = nix::fcntl::open(
        root,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| BuildError::io(root.display(), e.into()))?;
    let rel = rel.trim_start_matches('/');
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let fd = nix::fcntl::openat2(dir.as_fd(), if rel.is_empty() { "." } else { rel }, how)
        .map_err(|e| match e {
            Errno::ENOENT | Errno::ENOTDIR => BuildError::Invalid(format!(
                "RUN --mount: {what}: /{rel}: no such file or directory"
            )),
            e => BuildError::io(format!("RUN --mount: {what}: /{rel}"), e.into()),
        })?;
    let real = fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
        .map_err(io_err("RUN --mount: resolving a source"))?;
    let root_real = fs::canonicalize(root).map_err(io_err(root.display()))?;
    if real != root_real && !real.starts_with(&root_real) {
        return Err(BuildError::Invalid(format!(
            "RUN --mount: {what}: /{rel} is outside its tree"
        )));
    }
    Ok(real)
}

/// The container path of a mount's target (relative targets are below the working
/// directory, as BuildKit reads them).
pub fn target_of(m: &Mount, workdir: &str) -> Result<String> {
    let t = m.target_path().filter(|t| !t.is_empty()).ok_or_else(|| {
        BuildError::Invalid(format!(
            "mount target must be specified for {} mount",
            m.kind.as_str()
        ))
    })?;
    let abs = if t.starts_with('/') {
        t
    } else {
        format!("{}/{t}", workdir.trim_end_matches('/'))
    };
    let clean = crate::spec::clean_abs(&abs)
        .ok_or_else(|| BuildError::Invalid(format!("invalid mount target {abs:?}")))?;
    if clean == "/" {
        return Err(BuildError::Invalid(
            "RUN --mount: the target can't be the root directory".into(),
        ));
    }
    Ok(clean)
}

/// Where a bind or cache mount takes its files from: the context, or an image (a stage's or
/// a named one) by ID.
pub enum MountSource<'a> {
    Context(&'a Path),
    Image(String),
}

/// What preparing a step's mounts needs from the store and the build.
pub struct Env<'a> {
    pub store: &'a crate::store::Store,
    pub secrets: &'a BTreeMap<String, Vec<u8>>,
    pub workdir: String,
    pub cancel: &'a std::sync::atomic::AtomicBool,
}

impl Env<'_> {
    fn tree(&self, p: &mut Prepared, source: &MountSource<'_>, writable: bool) -> Result<PathBuf> {
        let lower = match source {
            MountSource::Context(dir) => vec![dir.to_path_buf()],
            MountSource::Image(id) => crate::images::mount::lowerdirs(self.store, id, false)?,
        };
        p.overlay(
            &self.store.runroot,
            &self.store.tmp,
            &self.store.empty_dir(),
            lower,
            writable,
        )
    }

    /// Prepares `mounts` (expanded, with the source of each bind or cache mount).
    pub fn prepare(&self, mounts: &[(Mount, Option<MountSource<'_>>)]) -> Result<Prepared> {
        let mut p = Prepared::default();
        for (m, source) in mounts {
            match m.kind {
                MountType::Ssh => return Err(ssh_refused()),
                MountType::Secret => self.secret(&mut p, m)?,
                MountType::Tmpfs => {
                    let target = target_of(m, &self.workdir)?;
                    let mut opts = vec!["exec".to_string()];
                    if let Some(s) = m.size {
                        opts.push(format!("size={s}"));
                    }
                    p.specs.push(MountSpec {
                        kind: MountKind::Tmpfs,
                        target: target.clone(),
                        tmpfs_options: opts.join(","),
                        ..MountSpec::default()
                    });
                    p.targets.push(target);
                }
                MountType::Bind => {
                    let target = target_of(m, &self.workdir)?;
                    let source = source.as_ref().ok_or_else(|| {
                        BuildError::Invalid("RUN --mount=type=bind: no source".into())
                    })?;
                    let tree = self.tree(&mut p, source, !m.read_only)?;
                    let src = resolve_in(&tree, m.source.as_deref().unwrap_or("/"), "bind source")?;
                    p.specs.push(MountSpec {
                        kind: MountKind::Bind,
                        source: src.to_string_lossy().into_owned(),
                        target: target.clone(),
                        read_only: m.read_only,
                        ..MountSpec::default()
                    });
                    p.targets.push(target);
                }
                MountType::Cache => {
                    let target = target_of(m, &self.workdir)?;
                    let id = m.id.clone().unwrap_or_else(|| target.clone());
                    let caches = CacheMounts::new(&self.store.root);
                    let fill = |data: &Path| -> Result<()> {
                        if let Some(source) = source.as_ref().filter(|_| m.from.is_some()) {
                            let mut tmp = Prepared::default();
                            let tree = self.tree(&mut tmp, source, false)?;
                            let src = resolve_in(
                                &tree,
                                m.source.as_deref().unwrap_or("/"),
                                "cache source",
                            )?;
                            copy_tree(&src, data)?;
                        }
                        Ok(())
                    };
                    let (data, lock) = caches.acquire(
                        &id,
                        m.sharing,
                        (
                            m.mode.unwrap_or(0o755),
                            m.uid.unwrap_or(0),
                            m.gid.unwrap_or(0),
                        ),
                        &fill,
                        self.cancel,
                    )?;
                    p.locks.push(lock);
                    p.specs.push(MountSpec {
                        kind: MountKind::Bind,
                        source: data.to_string_lossy().into_owned(),
                        target: target.clone(),
                        read_only: m.read_only,
                        ..MountSpec::default()
                    });
                    p.targets.push(target);
                }
            }
        }
        Ok(p)
    }

    fn secret(&self, p: &mut Prepared, m: &Mount) -> Result<()> {
        let id = m
            .secret_id()
            .ok_or_else(|| BuildError::Invalid("invalid secret mount: no id".into()))?;
        let Some(value) = self.secrets.get(id) else {
            if m.required {
                return Err(BuildError::Invalid(format!(
                    "secret {id} not found: it is required by RUN --mount=type=secret (give it with --secret id={id},src=PATH)"
                )));
            }
            return Ok(());
        };
        if let Some(var) = &m.env {
            p.env
                .push(format!("{var}={}", String::from_utf8_lossy(value)));
            if m.target.is_none() {
                return Ok(());
            }
        }
        let target = target_of(m, &self.workdir)?;
        let dir = p.dir(&self.store.runroot)?;
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let file = dir.join(format!("secret-{n}"));
        {
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&file)
                .map_err(io_err(file.display()))?;
            f.write_all(value).map_err(io_err(file.display()))?;
        }
        std::os::unix::fs::chown(&file, Some(m.uid.unwrap_or(0)), Some(m.gid.unwrap_or(0)))
            .map_err(io_err(file.display()))?;
        fs::set_permissions(&file, fs::Permissions::from_mode(m.mode.unwrap_or(0o400)))
            .map_err(io_err(file.display()))?;
        p.specs.push(MountSpec {
            kind: MountKind::Bind,
            source: file.to_string_lossy().into_owned(),
            target: target.clone(),
            read_only: true,
            ..MountSpec::default()
        });
        p.targets.push(target);
        Ok(())
    }
}

pub fn ssh_refused() -> BuildError {
    BuildError::NotImplemented(
        "RUN --mount=type=ssh is not supported by berth (no SSH agent forwarding)".into(),
    )
}

/// Copies the tree (or file) at `src` into the directory `dest` (its contents, for a
/// directory), through a tar stream and the confined unpacker.
fn copy_tree(src: &Path, dest: &Path) -> Result<()> {
    let parent = src.parent().unwrap_or(Path::new("/"));
    let name = src
        .file_name()
        .map(|n| n.as_bytes().to_vec())
        .unwrap_or_else(|| b".".to_vec());
    let pfd = nix::fcntl::open(
        parent,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| BuildError::io(parent.display(), e.into()))?;
    let is_dir = src.is_dir();
    let mut tar = tempfile::tempfile().map_err(io_err("copying a cache mount's source"))?;
    let top: &[u8] = if is_dir { b"." } else { &name };
    crate::containers::archive::tarball::write_tree(pfd.as_fd(), &name, top, &mut tar)
        .map_err(io_err(src.display()))?;
    io::Seek::rewind(&mut tar).map_err(io_err("copying a cache mount's source"))?;
    let dfd = nix::fcntl::open(
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| BuildError::io(dest.display(), e.into()))?;
    crate::layers::unpack_into(
        tar,
        dfd,
        dest,
        crate::layers::ExtractOptions {
            whiteouts: false,
            owner: None,
            no_overwrite_dir_non_dir: false,
        },
    )
    .map_err(crate::containers::archive::ArchiveError::from)?;
    Ok(())
}

/// The cache mounts kept in `ROOT/build/cache-mounts`: a directory per ID (named by the ID's
/// hash) with `id` (the ID; its mtime is the last use), `data` (the mount) and `data-N`
/// (more instances for `sharing=private`), and a lock file per instance.
pub struct CacheMounts {
    pub dir: PathBuf,
}

/// One cache mount as `system df` and `builder prune` see it.
#[derive(Debug, Clone)]
pub struct CacheMountInfo {
    pub id: String,
    pub path: PathBuf,
    pub size: u64,
    pub last_used: i64,
}

fn dir_size(p: &Path) -> u64 {
    let Ok(m) = fs::symlink_metadata(p) else {
        return 0;
    };
    let mut n = m.len();
    if m.is_dir()
        && let Ok(rd) = fs::read_dir(p)
    {
        for e in rd.flatten() {
            n += dir_size(&e.path());
        }
    }
    n
}

impl CacheMounts {
    pub fn new(root: &Path) -> CacheMounts {
        CacheMounts {
            dir: root.join("build").join("cache-mounts"),
        }
    }

    fn entry(&self, id: &str) -> PathBuf {
        let h = hex::encode(Sha256::digest(id.as_bytes()));
        self.dir.join(&h[..32])
    }

    /// An instance of cache `id` for one step, locked as `sharing` asks: made (owned, with
    /// its mode, and filled by `fill`) when it is new.
    fn acquire(
        &self,
        id: &str,
        sharing: Sharing,
        (mode, uid, gid): (u32, u32, u32),
        fill: &dyn Fn(&Path) -> Result<()>,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<(PathBuf, Lock)> {
        let entry = self.entry(id);
        fs::create_dir_all(&entry).map_err(io_err(entry.display()))?;
        let id_file = entry.join("id");
        if !id_file.exists() {
            let tmp = entry.join(format!(".id-{}", std::process::id()));
            fs::write(&tmp, id).map_err(io_err(tmp.display()))?;
            fs::rename(&tmp, &id_file).map_err(io_err(id_file.display()))?;
        }
        // Last used: now.
        if let Ok(f) = fs::OpenOptions::new().append(true).open(&id_file) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        let lock_of = |n: usize| {
            entry.join(if n == 0 {
                "data.lock".to_string()
            } else {
                format!("data-{n}.lock")
            })
        };
        let data_of = |n: usize| {
            entry.join(if n == 0 {
                "data".to_string()
            } else {
                format!("data-{n}")
            })
        };
        let wait = |path: &Path, mode: LockMode| -> Result<Lock> {
            let try_mode = match mode {
                LockMode::Shared => LockMode::TryShared,
                _ => LockMode::TryExclusive,
            };
            loop {
                match Lock::file(path, try_mode) {
                    Ok(l) => return Ok(l),
                    Err(e) if crate::lock::is_held_elsewhere(&e) => {
                        if cancel.load(Ordering::SeqCst) {
                            return Err(BuildError::Canceled);
                        }
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    Err(e) => return Err(BuildError::io(path.display(), e)),
                }
            }
        };
        let (n, lock) = match sharing {
            Sharing::Shared => (0, wait(&lock_of(0), LockMode::Shared)?),
            Sharing::Locked => (0, wait(&lock_of(0), LockMode::Exclusive)?),
            Sharing::Private => {
                let mut n = 0;
                loop {
                    match Lock::file(&lock_of(n), LockMode::TryExclusive) {
                        Ok(l) => break (n, l),
                        Err(e) if crate::lock::is_held_elsewhere(&e) => n += 1,
                        Err(e) => return Err(BuildError::io(lock_of(n).display(), e)),
                    }
                }
            }
        };
        let data = data_of(n);
        if !data.is_dir() {
            // Made aside and renamed: a concurrent step sees it whole or not at all.
            let tmp = entry.join(format!(
                ".new-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            fs::create_dir(&tmp).map_err(io_err(tmp.display()))?;
            let r = fill(&tmp).and_then(|_| {
                std::os::unix::fs::chown(&tmp, Some(uid), Some(gid))
                    .map_err(io_err(tmp.display()))?;
                fs::set_permissions(&tmp, fs::Permissions::from_mode(mode))
                    .map_err(io_err(tmp.display()))
            });
            if let Err(e) = r {
                let _ = crate::tmp::remove_any(&tmp);
                return Err(e);
            }
            if fs::rename(&tmp, &data).is_err() {
                let _ = crate::tmp::remove_any(&tmp);
                if !data.is_dir() {
                    return Err(BuildError::Invalid(format!(
                        "cache mount {id}: could not make {}",
                        data.display()
                    )));
                }
            }
        }
        Ok((data, lock))
    }

    /// Every cache mount.
    pub fn list(&self) -> Vec<CacheMountInfo> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let path = e.path();
            let Ok(id) = fs::read_to_string(path.join("id")) else {
                continue;
            };
            let last_used = fs::metadata(path.join("id"))
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs() as i64);
            let size = fs::read_dir(&path)
                .map(|rd| {
                    rd.flatten()
                        .filter(|e| e.file_name().to_string_lossy().starts_with("data"))
                        .filter(|e| e.path().is_dir())
                        .map(|e| dir_size(&e.path()))
                        .sum()
                })
                .unwrap_or(0);
            out.push(CacheMountInfo {
                id,
                path,
                size,
                last_used,
            });
        }
        out.sort_by(|a, b| a.last_used.cmp(&b.last_used).then(a.id.cmp(&b.id)));
        out
    }

    /// Removes one cache mount unless a step uses it now. Returns whether it went.
    pub fn remove(&self, info: &CacheMountInfo, tmp: &crate::tmp::TempArea) -> io::Result<bool> {
        let mut locks = Vec::new();
        if let Ok(rd) = fs::read_dir(&info.path) {
            for e in rd.flatten() {
                if e.file_name().to_string_lossy().ends_with(".lock") {
                    match Lock::existing(&e.path(), LockMode::TryExclusive) {
                        Ok(l) => locks.push(l),
                        Err(e) if crate::lock::is_held_elsewhere(&e) => return Ok(false),
                        Err(_) => {}
                    }
                }
            }
        }
        let aside = tmp.new_path("cache-mount")?;
        fs::rename(&info.path, &aside)?;
        drop(locks);
        crate::tmp::remove_any(&aside)?;
        Ok(true)
    }
}

/// The mount points a step's mounts need that the image does not have: made by the runtime in
/// the container's upper directory, removed from there before it is packed.
#[derive(Debug, Default)]
pub struct Stubs {
    /// Paths (below the root, real: no symlink) made for mounts.
    made: Vec<String>,
    /// The existing directories above them (path, mode, uid, gid), copied up when a mount
    /// point is made in them.
    parents: Vec<(String, u32, u32, u32)>,
}

impl Stubs {
    /// Finds, in the image's tree mounted at `root`, which parts of each target are missing.
    pub fn find(root: &Path, targets: &[String]) -> Result<Stubs> {
        let dir = nix::fcntl::open(
            root,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| BuildError::io(root.display(), e.into()))?;
        let root_real = fs::canonicalize(root).map_err(io_err(root.display()))?;
        let how = OpenHow::new()
            .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let mut stubs = Stubs::default();
        for t in targets {
            let parts: Vec<&str> = t.split('/').filter(|s| !s.is_empty()).collect();
            // The real path of the deepest existing prefix.
            let mut real: Vec<String> = Vec::new();
            let mut missing_from = None;
            for i in 1..=parts.len() {
                let prefix = parts[..i].join("/");
                match nix::fcntl::openat2(dir.as_fd(), prefix.as_str(), how) {
                    Ok(fd) => {
                        let p = fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd()))
                            .map_err(io_err("resolving a mount target"))?;
                        let rel = p.strip_prefix(&root_real).unwrap_or(Path::new(""));
                        real = rel
                            .components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect();
                    }
                    Err(_) => {
                        missing_from = Some(i - 1);
                        break;
                    }
                }
            }
            let Some(from) = missing_from else {
                continue;
            };
            // The existing directories above (the root excluded), as the image has them.
            for j in 1..=real.len() {
                let p = real[..j].join("/");
                if stubs.parents.iter().any(|(q, ..)| q == &p) {
                    continue;
                }
                if let Ok(st) = stat::fstatat(&dir, p.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                    stubs
                        .parents
                        .push((p, st.st_mode & 0o7777, st.st_uid, st.st_gid));
                }
            }
            let mut path = real.clone();
            for part in &parts[from..] {
                path.push(part.to_string());
                let p = path.join("/");
                if !stubs.made.contains(&p) {
                    stubs.made.push(p);
                }
            }
        }
        Ok(stubs)
    }

    /// Removes the mount points from the upper directory `upper` (empty directories and
    /// empty files only), then the copied-up directories above them that are empty, not
    /// opaque and as the image has them.
    pub fn remove(&self, upper: &Path) {
        let Ok(dir) = nix::fcntl::open(
            upper,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ) else {
            return;
        };
        let mut made = self.made.clone();
        made.sort_by_key(|p| std::cmp::Reverse(p.matches('/').count()));
        for p in &made {
            remove_stub(dir.as_fd(), p, None);
        }
        let mut parents = self.parents.clone();
        parents.sort_by_key(|(p, ..)| std::cmp::Reverse(p.matches('/').count()));
        for (p, mode, uid, gid) in &parents {
            remove_stub(dir.as_fd(), p, Some((*mode, *uid, *gid)));
        }
    }
}

/// Removes `rel` below `dir` (never following a symlink): an empty file or empty directory;
/// with `same`, only a directory with that mode and owner and no opaque mark.
fn remove_stub(dir: BorrowedFd<'_>, rel: &str, same: Option<(u32, u32, u32)>) {
    let (parent, name) = match rel.rsplit_once('/') {
        Some((p, n)) => (p, n),
        None => (".", rel),
    };
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(
            ResolveFlag::RESOLVE_BENEATH
                | ResolveFlag::RESOLVE_NO_SYMLINKS
                | ResolveFlag::RESOLVE_NO_MAGICLINKS,
        );
    let Ok(pfd) = nix::fcntl::openat2(dir, parent, how) else {
        return;
    };
    let name = OsStr::new(name);
    let Ok(st) = stat::fstatat(&pfd, name, AtFlags::AT_SYMLINK_NOFOLLOW) else {
        return;
    };
    let kind = st.st_mode & libc::S_IFMT;
    match same {
        None if kind == libc::S_IFREG && st.st_size == 0 => {
            let _ = nix::unistd::unlinkat(&pfd, name, nix::unistd::UnlinkatFlags::NoRemoveDir);
        }
        None if kind == libc::S_IFDIR => {
            let _ = nix::unistd::unlinkat(&pfd, name, nix::unistd::UnlinkatFlags::RemoveDir);
        }
        Some((mode, uid, gid))
            if kind == libc::S_IFDIR
                && st.st_mode & 0o7777 == mode
                && st.st_uid == uid
                && st.st_gid == gid =>
        {
            // An opaque directory hides the image's: keep it.
            let Ok(fd) = nix::fcntl::openat(
                &pfd,
                name,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) else {
                return;
            };
            for attr in [c"trusted.overlay.opaque", c"user.overlay.opaque"] {
                // SAFETY: a valid descriptor and NUL-terminated name; a NULL buffer of size 0
                // asks for the size only.
                let n = unsafe {
                    libc::fgetxattr(fd.as_raw_fd(), attr.as_ptr(), std::ptr::null_mut(), 0)
                };
                if n >= 0 {
                    return;
                }
            }
            drop(fd);
            let _ = nix::unistd::unlinkat(&pfd, name, nix::unistd::UnlinkatFlags::RemoveDir);
        }
        _ => {}
    }
}
