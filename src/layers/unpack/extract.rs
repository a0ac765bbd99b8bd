//! Extraction, on its own thread: each tar entry created beneath the layer directory through the
//! confined file system calls of [`super::confined`], whiteouts converted to overlay form,
//! metadata applied (directories' at the end).

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::rc::Rc;

use nix::errno::Errno;
use nix::fcntl::AtFlags;
use nix::fcntl::OFlag;
use nix::libc;
use nix::sys::stat::{self, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{self, Gid, Uid, UnlinkatFlags};

use super::confined::{is_whiteout, open_dir_beneath, remove_tree, whiteout_at};
use super::metadata::{Meta, chmod_nofollow, fsetxattr, set_xattrs_at, set_xattrs_fd};
use super::names::{
    OPAQUE_XATTR, RelPath, WHITEOUT_META_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_PREFIX, escape,
    is_within,
};
use super::pipeline::{CHUNK_SIZE, ChannelReader};
use super::{ExtractOptions, UnpackError};

/// Deferred directory metadata, applied once all entries are written (adding
/// children changes a directory's mtime; a read-only mode could block them).
struct DirMeta {
    mode: Mode,
    atime: TimeSpec,
    mtime: TimeSpec,
}

pub(super) struct Extractor<'a> {
    /// `dest`, opened once.
    root: OwnedFd,
    dest: &'a Path,
    /// Parent directory of the previous entry. Consecutive entries usually
    /// share it, which saves an `openat2` per entry. A cached descriptor stays
    /// valid: it was resolved beneath `root` without symlinks and we never
    /// rename; the only removals while it is cached are of its own children.
    parent_cache: Option<(Vec<u8>, OwnedFd)>,
    dirs: HashMap<Vec<u8>, DirMeta>,
    copy_buf: Vec<u8>,
    written: u64,
    opts: ExtractOptions,
}

impl<'a> Extractor<'a> {
    pub(super) fn new(root: OwnedFd, dest: &'a Path, opts: ExtractOptions) -> Self {
        Extractor {
            root,
            dest,
            parent_cache: None,
            dirs: HashMap::new(),
            copy_buf: vec![0; CHUNK_SIZE],
            written: 0,
            opts,
        }
    }

    pub(super) fn run(mut self, reader: ChannelReader) -> Result<u64, UnpackError> {
        let consumed = Rc::clone(&reader.consumed);
        let mut archive = tar::Archive::new(reader);
        {
            let mut entries = archive.entries().map_err(tar_error)?;
            loop {
                let before = consumed.get();
                let Some(entry) = entries.next() else {
                    // The tar crate also ends quietly at EOF on an entry boundary.
                    // Each entry's data was read to its end, so only padding
                    // (< 512 bytes) remained before the next header: having read
                    // 512 more bytes means a zero block was found.
                    let after = consumed.get();
                    if after != 0 && after - before < 512 {
                        return Err(UnpackError::Corrupt(
                            "tar stream ends without an end-of-archive block (truncated?)".into(),
                        ));
                    }
                    break;
                };
                let mut entry = entry.map_err(tar_error)?;
                self.entry(&mut entry)?;
                // Skip whatever the entry did not read (e.g. data of a symlink).
                io::copy(&mut entry, &mut io::sink()).map_err(tar_error)?;
            }
        }
        // Trailing bytes after the end-of-archive block still count for the
        // diff_id, which the reading side computes; let it read them all.
        archive.into_inner().drain().map_err(tar_error)?;
        self.parent_cache = None;
        self.finish_dirs()?;
        Ok(self.written)
    }

    fn entry<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>) -> Result<(), UnpackError> {
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            return Ok(());
        }
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8_lossy(&raw).into_owned();
        let rel = RelPath::parse(&raw, &name)?;

        // Whiteouts are recognised by name, whatever their entry type (in layers; a copy
        // into a container takes such names literally).
        let components: Vec<&[u8]> = rel.components().collect();
        for (i, component) in components.iter().enumerate() {
            if self.opts.whiteouts && component.starts_with(WHITEOUT_META_PREFIX) {
                if i + 1 == components.len() && *component == WHITEOUT_OPAQUE {
                    return self.opaque(&rel, &name);
                }
                // AUFS metadata (`.wh..wh.plnk`, ...) and anything below it.
                return Ok(());
            }
        }
        let mut meta = Meta::read(entry, &name)?;
        if let Some((uid, gid)) = self.opts.owner {
            meta.uid = Uid::from_raw(uid);
            meta.gid = Gid::from_raw(gid);
        }
        if self.opts.whiteouts && rel.name().starts_with(WHITEOUT_PREFIX) {
            return self.whiteout(&rel, &name, &meta);
        }
        if meta.pax_sparse {
            return Err(UnpackError::Unsupported(format!(
                "entry {name:?} is a PAX sparse file"
            )));
        }

        use tar::EntryType;
        let is_dir = match kind {
            EntryType::Directory => true,
            // Old tar: a regular file whose name ends with `/` is a directory.
            EntryType::Regular => raw.ends_with(b"/"),
            _ => false,
        };
        if rel.is_root() && !is_dir {
            return Err(escape(
                &name,
                "a non-directory would replace the layer directory",
            ));
        }
        if is_dir {
            return self.directory(&rel, &name, &meta);
        }
        match kind {
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                // For GNU sparse files this is the expanded size; the
                // reader yields the holes as zeros.
                let expected = entry.size();
                self.regular(&rel, &name, &meta, entry, expected)
            }
            EntryType::Symlink => {
                let target = entry.link_name_bytes().ok_or_else(|| {
                    UnpackError::Corrupt(format!("symlink {name:?} has no target"))
                })?;
                self.symlink(&rel, &name, &meta, &target)
            }
            EntryType::Link => {
                let target = entry.link_name_bytes().ok_or_else(|| {
                    UnpackError::Corrupt(format!("hard link {name:?} has no target"))
                })?;
                self.hard_link(&rel, &name, &target)
            }
            EntryType::Char | EntryType::Block | EntryType::Fifo => {
                let header = entry.header();
                let bad = |e| UnpackError::Corrupt(format!("entry {name:?}: {e}"));
                // A FIFO has no device: its fields are not read (some writers leave them empty).
                let (major, minor) = if kind == EntryType::Fifo {
                    (0, 0)
                } else {
                    (
                        header.device_major().map_err(bad)?.unwrap_or(0),
                        header.device_minor().map_err(bad)?.unwrap_or(0),
                    )
                };
                let sflag = match kind {
                    EntryType::Char => SFlag::S_IFCHR,
                    EntryType::Block => SFlag::S_IFBLK,
                    _ => SFlag::S_IFIFO,
                };
                let dev = stat::makedev(u64::from(major), u64::from(minor));
                self.special(&rel, &name, &meta, sflag, dev)
            }
            other => Err(UnpackError::Unsupported(format!(
                "entry {name:?} has tar entry type {:?}",
                char::from(other.as_byte())
            ))),
        }
    }

    // -- directory resolution ------------------------------------------------

    fn io_error(&self, rel: &[u8], errno: Errno) -> UnpackError {
        UnpackError::Io {
            path: self.dest.join(OsStr::from_bytes(rel)),
            source: errno.into(),
        }
    }

    /// Maps a failed resolution beneath `dest` to a clear error.
    fn resolve_error(&self, rel: &[u8], entry: &str, errno: Errno) -> UnpackError {
        match errno {
            Errno::ELOOP => escape(entry, "a path component is a symbolic link"),
            Errno::EXDEV => escape(entry, "path resolution left the layer directory"),
            _ => self.io_error(rel, errno),
        }
    }

    /// Takes the descriptor of directory `parent` (relative to `dest`) from
    /// the cache or opens it, creating missing directories (mode 0755, owned
    /// by root). Give it back with [`Self::put_parent`].
    fn take_parent(
        &mut self,
        parent: &[u8],
        entry: &str,
    ) -> Result<(Vec<u8>, OwnedFd), UnpackError> {
        if let Some((key, fd)) = self.parent_cache.take()
            && key == parent
        {
            return Ok((key, fd));
        }
        let fd = match open_dir_beneath(self.root.as_fd(), parent) {
            Ok(fd) => fd,
            // Something is missing, or not a directory (maybe a whiteout
            // from this layer): walk the path and fix what can be fixed.
            Err(Errno::ENOENT | Errno::ENOTDIR) => self.create_parents(parent, entry)?,
            Err(e) => return Err(self.resolve_error(parent, entry, e)),
        };
        Ok((parent.to_vec(), fd))
    }

    fn put_parent(&mut self, key: Vec<u8>, fd: OwnedFd) {
        self.parent_cache = Some((key, fd));
    }

    /// Walks `parent` one component at a time, creating what is missing.
    fn create_parents(&self, parent: &[u8], entry: &str) -> Result<OwnedFd, UnpackError> {
        let mut current: Option<OwnedFd> = None;
        let mut done = 0; // length of `parent` resolved so far
        for component in parent.split(|&b| b == b'/') {
            let end = done + component.len();
            let here = &parent[..end];
            let dir = current.as_ref().map_or(self.root.as_fd(), |fd| fd.as_fd());
            let next = match open_dir_beneath(dir, component) {
                Ok(fd) => fd,
                Err(Errno::ENOENT) => self.implicit_dir(dir, component, here, entry, false)?,
                // A whiteout from this layer, then an entry below that name:
                // the whiteout becomes an opaque directory.
                Err(Errno::ENOTDIR) if whiteout_at(dir, component) => {
                    unistd::unlinkat(dir, component, UnlinkatFlags::NoRemoveDir)
                        .map_err(|e| self.io_error(here, e))?;
                    self.implicit_dir(dir, component, here, entry, true)?
                }
                Err(e) => return Err(self.resolve_error(here, entry, e)),
            };
            current = Some(next);
            done = end + 1;
        }
        match current {
            Some(fd) => Ok(fd),
            None => open_dir_beneath(self.root.as_fd(), b".").map_err(|e| self.io_error(b"", e)),
        }
    }

    /// Creates a directory that the layer does not list (mode 0755, owned by
    /// root) and opens it.
    fn implicit_dir(
        &self,
        dir: BorrowedFd<'_>,
        name: &[u8],
        rel: &[u8],
        entry: &str,
        opaque: bool,
    ) -> Result<OwnedFd, UnpackError> {
        match stat::mkdirat(dir, name, Mode::from_bits_retain(0o755)) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(self.io_error(rel, e)),
        }
        let fd = open_dir_beneath(dir, name).map_err(|e| self.resolve_error(rel, entry, e))?;
        let errno = |e| self.io_error(rel, e);
        // Explicit owner and mode: the umask or a setgid parent must not leak
        // into implicit directories.
        let (uid, gid) = self.opts.owner.unwrap_or((0, 0));
        unistd::fchown(&fd, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid))).map_err(errno)?;
        stat::fchmod(&fd, Mode::from_bits_retain(0o755)).map_err(errno)?;
        if opaque {
            fsetxattr(fd.as_fd(), OPAQUE_XATTR, b"y").map_err(errno)?;
        }
        Ok(fd)
    }

    /// Runs `f` with the (possibly created) parent directory of `rel`.
    fn with_parent<T>(
        &mut self,
        rel: &RelPath,
        entry: &str,
        f: impl FnOnce(&mut Self, BorrowedFd<'_>) -> Result<T, UnpackError>,
    ) -> Result<T, UnpackError> {
        let (key, parent) = self.take_parent(rel.parent(), entry)?;
        let result = f(self, parent.as_fd());
        self.put_parent(key, parent);
        result
    }

    // -- replacement ---------------------------------------------------------

    /// Removes whatever an earlier entry left at `rel` (a directory with its
    /// contents), without following symlinks.
    fn remove_existing(
        &mut self,
        parent: BorrowedFd<'_>,
        rel: &RelPath,
    ) -> Result<(), UnpackError> {
        let name = rel.name();
        match unistd::unlinkat(parent, name, UnlinkatFlags::NoRemoveDir) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(Errno::EISDIR) => {
                remove_tree(parent, name).map_err(|e| self.io_error(&rel.path, e))?
            }
            Err(e) => return Err(self.io_error(&rel.path, e)),
        }
        // Forget deferred metadata of directories that no longer exist.
        self.dirs.retain(|path, _| !is_within(path, &rel.path));
        Ok(())
    }

    /// Runs the creating `*at()` call `create`; if the name is taken by an
    /// earlier entry, removes that and tries once more.
    fn create_replacing<T>(
        &mut self,
        parent: BorrowedFd<'_>,
        rel: &RelPath,
        create: impl Fn() -> nix::Result<T>,
    ) -> Result<T, UnpackError> {
        match create() {
            Err(Errno::EEXIST) => {
                if self.opts.no_overwrite_dir_non_dir
                    && stat::fstatat(parent, rel.name(), AtFlags::AT_SYMLINK_NOFOLLOW)
                        .is_ok_and(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
                {
                    return Err(UnpackError::Conflict(format!(
                        "cannot overwrite directory {:?} with non-directory",
                        String::from_utf8_lossy(&rel.path)
                    )));
                }
                self.remove_existing(parent, rel)?;
                create().map_err(|e| self.io_error(&rel.path, e))
            }
            result => result.map_err(|e| self.io_error(&rel.path, e)),
        }
    }

    // -- entry kinds ---------------------------------------------------------

    fn regular<R: Read>(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        meta: &Meta,
        data: &mut tar::Entry<'_, R>,
        expected: u64,
    ) -> Result<(), UnpackError> {
        self.with_parent(rel, entry_name, |this, parent| {
            let fd = this.create_replacing(parent, rel, || {
                nix::fcntl::openat(
                    parent,
                    rel.name(),
                    OFlag::O_WRONLY
                        | OFlag::O_CREAT
                        | OFlag::O_EXCL
                        | OFlag::O_NOFOLLOW
                        | OFlag::O_CLOEXEC,
                    Mode::from_bits_retain(0o600),
                )
            })?;
            let mut file = File::from(fd);
            let io_err = |e: io::Error| UnpackError::Io {
                path: this.dest.join(OsStr::from_bytes(&rel.path)),
                source: e,
            };
            // Copy through a large buffer: one write per small file.
            let mut total: u64 = 0;
            loop {
                let mut filled = 0;
                while filled < this.copy_buf.len() {
                    match data.read(&mut this.copy_buf[filled..]) {
                        Ok(0) => break,
                        Ok(n) => filled += n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(tar_error(e)),
                    }
                }
                if filled == 0 {
                    break;
                }
                file.write_all(&this.copy_buf[..filled]).map_err(io_err)?;
                total += filled as u64;
            }
            if total != expected {
                return Err(UnpackError::Corrupt(format!(
                    "entry {entry_name:?} is truncated ({total} of {expected} bytes)"
                )));
            }
            this.written += total;
            let errno = |e: Errno| this.io_error(&rel.path, e);
            // chown before chmod: chown clears setuid/setgid (and
            // security.capability, hence xattrs in between).
            unistd::fchown(&file, Some(meta.uid), Some(meta.gid)).map_err(errno)?;
            set_xattrs_fd(file.as_fd(), &meta.xattrs).map_err(errno)?;
            stat::fchmod(&file, meta.mode).map_err(errno)?;
            stat::futimens(&file, &meta.atime, &meta.mtime).map_err(errno)?;
            Ok(())
        })
    }

    fn directory(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        meta: &Meta,
    ) -> Result<(), UnpackError> {
        if rel.is_root() {
            // `./`: metadata for the layer directory itself.
            let root = self.root.as_fd();
            let errno = |e| self.io_error(b"", e);
            unistd::fchown(root, Some(meta.uid), Some(meta.gid)).map_err(errno)?;
            set_xattrs_fd(root, &meta.xattrs).map_err(errno)?;
        } else {
            self.with_parent(rel, entry_name, |this, parent| {
                let name = rel.name();
                let mut opaque = false;
                // Created private; the real mode is set at the end.
                match stat::mkdirat(parent, name, Mode::from_bits_retain(0o700)) {
                    Ok(()) => {}
                    Err(Errno::EEXIST) => {
                        let st = stat::fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW)
                            .map_err(|e| this.io_error(&rel.path, e))?;
                        // An existing directory is kept (merged); anything
                        // else (file, symlink, ...) is replaced.
                        if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
                            if this.opts.no_overwrite_dir_non_dir {
                                return Err(UnpackError::Conflict(format!(
                                    "cannot overwrite non-directory {:?} with directory",
                                    String::from_utf8_lossy(&rel.path)
                                )));
                            }
                            // Replacing this layer's whiteout: the directory
                            // must still hide the lower layers' content.
                            opaque = is_whiteout(&st);
                            this.remove_existing(parent, rel)?;
                            stat::mkdirat(parent, name, Mode::from_bits_retain(0o700))
                                .map_err(|e| this.io_error(&rel.path, e))?;
                        }
                    }
                    Err(e) => return Err(this.io_error(&rel.path, e)),
                }
                let errno = |e| this.io_error(&rel.path, e);
                unistd::fchownat(
                    parent,
                    name,
                    Some(meta.uid),
                    Some(meta.gid),
                    AtFlags::AT_SYMLINK_NOFOLLOW,
                )
                .map_err(errno)?;
                if opaque || !meta.xattrs.is_empty() {
                    let dir = open_dir_beneath(parent, name)
                        .map_err(|e| this.resolve_error(&rel.path, entry_name, e))?;
                    set_xattrs_fd(dir.as_fd(), &meta.xattrs).map_err(errno)?;
                    if opaque {
                        fsetxattr(dir.as_fd(), OPAQUE_XATTR, b"y").map_err(errno)?;
                    }
                }
                Ok(())
            })?;
        }
        self.dirs.insert(
            rel.path.clone(),
            DirMeta {
                mode: meta.mode,
                atime: meta.atime,
                mtime: meta.mtime,
            },
        );
        Ok(())
    }

    fn symlink(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        meta: &Meta,
        target: &[u8],
    ) -> Result<(), UnpackError> {
        self.with_parent(rel, entry_name, |this, parent| {
            let name = rel.name();
            // The target is stored verbatim and never resolved here.
            this.create_replacing(parent, rel, || unistd::symlinkat(target, parent, name))?;
            this.finish_at(parent, rel, meta, false)
        })
    }

    fn special(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        meta: &Meta,
        kind: SFlag,
        dev: libc::dev_t,
    ) -> Result<(), UnpackError> {
        self.with_parent(rel, entry_name, |this, parent| {
            let name = rel.name();
            this.create_replacing(parent, rel, || {
                stat::mknodat(parent, name, kind, Mode::from_bits_retain(0o600), dev)
            })?;
            this.finish_at(parent, rel, meta, true)
        })
    }

    /// Owner, xattrs, mode and times of a symlink or special file, by name,
    /// never following a symlink.
    fn finish_at(
        &self,
        parent: BorrowedFd<'_>,
        rel: &RelPath,
        meta: &Meta,
        chmod: bool,
    ) -> Result<(), UnpackError> {
        let name = rel.name();
        let errno = |e| self.io_error(&rel.path, e);
        unistd::fchownat(
            parent,
            name,
            Some(meta.uid),
            Some(meta.gid),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(errno)?;
        if !meta.xattrs.is_empty() {
            set_xattrs_at(parent, name, &meta.xattrs).map_err(errno)?;
        }
        if chmod {
            chmod_nofollow(parent, name, meta.mode).map_err(errno)?;
        }
        stat::utimensat(
            parent,
            name,
            &meta.atime,
            &meta.mtime,
            UtimensatFlags::NoFollowSymlink,
        )
        .map_err(errno)
    }

    fn hard_link(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        raw_target: &[u8],
    ) -> Result<(), UnpackError> {
        let target_name = String::from_utf8_lossy(raw_target).into_owned();
        let bad_target = |reason: &str| {
            UnpackError::Corrupt(format!(
                "hard link {entry_name:?} -> {target_name:?}: {reason}"
            ))
        };
        if raw_target.first() == Some(&b'/') {
            return Err(escape(entry_name, "hard link to an absolute path"));
        }
        if raw_target.split(|&b| b == b'/').any(|c| c == b"..") {
            return Err(escape(entry_name, "hard link target has a `..` component"));
        }
        let target = RelPath::parse(raw_target, entry_name)?;
        if target.is_root() {
            return Err(bad_target("target is the layer directory"));
        }
        let target_dir = match open_dir_beneath(self.root.as_fd(), target.parent()) {
            Ok(fd) => fd,
            Err(Errno::ENOENT | Errno::ENOTDIR) => {
                return Err(bad_target("target is not an earlier entry of this layer"));
            }
            Err(Errno::ELOOP) => {
                return Err(escape(
                    entry_name,
                    "hard link target resolves through a symbolic link",
                ));
            }
            Err(e) => return Err(self.resolve_error(target.parent(), entry_name, e)),
        };
        match stat::fstatat(&target_dir, target.name(), AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(st) => match st.st_mode & libc::S_IFMT {
                libc::S_IFLNK => {
                    return Err(escape(entry_name, "hard link target is a symbolic link"));
                }
                libc::S_IFDIR => return Err(bad_target("target is a directory")),
                _ => {}
            },
            Err(Errno::ENOENT) => {
                return Err(bad_target("target is not an earlier entry of this layer"));
            }
            Err(e) => return Err(self.io_error(&target.path, e)),
        }
        if target == *rel {
            return Ok(()); // an existing file linked to itself: nothing to do
        }
        self.with_parent(rel, entry_name, |this, parent| {
            // Without AT_SYMLINK_FOLLOW, linkat never dereferences the
            // target, so even a raced symlink would only be linked itself.
            this.create_replacing(parent, rel, || {
                unistd::linkat(
                    &target_dir,
                    target.name(),
                    parent,
                    rel.name(),
                    AtFlags::empty(),
                )
            })
            .map(drop)
        })
    }

    /// `dir/.wh.NAME`: character device 0/0 `dir/NAME`.
    fn whiteout(
        &mut self,
        rel: &RelPath,
        entry_name: &str,
        meta: &Meta,
    ) -> Result<(), UnpackError> {
        let hidden = &rel.name()[WHITEOUT_PREFIX.len()..];
        match hidden {
            b"" | b"." => {
                return Err(UnpackError::Corrupt(format!(
                    "invalid whiteout entry {entry_name:?}"
                )));
            }
            b".." => return Err(escape(entry_name, "whiteout of `..`")),
            _ => {}
        }
        let target = rel.sibling(hidden);
        self.with_parent(&target, entry_name, |this, parent| {
            let errno = |e| this.io_error(&target.path, e);
            match stat::mknodat(parent, hidden, SFlag::S_IFCHR, Mode::empty(), 0) {
                Ok(()) => {}
                // This layer has its own `NAME`, which wins: whiteouts only
                // hide lower layers. A directory must still hide what lower
                // layers have below it, so it becomes opaque.
                Err(Errno::EEXIST) => {
                    let st = stat::fstatat(parent, hidden, AtFlags::AT_SYMLINK_NOFOLLOW)
                        .map_err(errno)?;
                    if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                        let dir = open_dir_beneath(parent, hidden)
                            .map_err(|e| this.resolve_error(&target.path, entry_name, e))?;
                        fsetxattr(dir.as_fd(), OPAQUE_XATTR, b"y").map_err(errno)?;
                    }
                    return Ok(());
                }
                Err(e) => return Err(errno(e)),
            }
            unistd::fchownat(
                parent,
                hidden,
                Some(meta.uid),
                Some(meta.gid),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            )
            .map_err(|e| this.io_error(&target.path, e))
        })
    }

    /// `dir/.wh..wh..opq`: mark `dir` opaque.
    fn opaque(&mut self, rel: &RelPath, entry_name: &str) -> Result<(), UnpackError> {
        // The "parent" of the marker is the directory to mark; it is created
        // if the layer did not list it.
        self.with_parent(rel, entry_name, |this, dir| {
            fsetxattr(dir, OPAQUE_XATTR, b"y").map_err(|e| this.io_error(rel.parent(), e))
        })
    }

    /// Applies deferred directory modes and times.
    fn finish_dirs(&mut self) -> Result<(), UnpackError> {
        for (path, meta) in std::mem::take(&mut self.dirs) {
            let dir = open_dir_beneath(self.root.as_fd(), &path)
                .map_err(|e| self.resolve_error(&path, &String::from_utf8_lossy(&path), e))?;
            let errno = |e| self.io_error(&path, e);
            stat::fchmod(&dir, meta.mode).map_err(errno)?;
            stat::futimens(&dir, &meta.atime, &meta.mtime).map_err(errno)?;
        }
        Ok(())
    }
}

/// Maps an error from the tar reader. If the reading side failed, the caller
/// reports its error instead of this one.
pub(super) fn tar_error(e: io::Error) -> UnpackError {
    UnpackError::Corrupt(format!("invalid tar stream: {e}"))
}
