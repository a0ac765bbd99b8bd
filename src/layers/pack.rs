//! The layer packer: a directory in overlay form (a container's upper directory, the changes of
//! a build step) becomes an OCI layer tar stream, the inverse of [`super::unpack`].
//!
//! * overlayfs whiteouts (character devices 0/0, or files marked `trusted.overlay.whiteout`)
//!   become `.wh.NAME` entries; directories marked opaque (`trusted.overlay.opaque=y` or its
//!   `user.` form) get a `.wh..wh..opq` entry right after their own;
//! * owners, modes (with setuid/setgid/sticky), mtimes (seconds) and xattrs (as PAX
//!   `SCHILY.xattr.*` records; overlayfs' own `trusted.overlay.*`/`user.overlay.*` left out)
//!   are kept; hard links (same inode) become link entries to the first name; symlinks keep
//!   their target; sockets are skipped, as Docker does;
//! * names are visited in byte order and nothing depends on the time of packing, so the same
//!   tree gives the same stream (and diffID).
//!
//! The walk never follows a symlink: every directory is opened relative to its parent's
//! descriptor with `O_NOFOLLOW`, so a container that swaps a directory for a symlink while it
//! is packed cannot make the packer read outside the tree.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{AtFlags, OFlag};
use nix::libc;
use nix::sys::stat::{self, FileStat, Mode};
use sha2::{Digest, Sha256};
use tar::{EntryType, Header};
use xattr::FileExt;

/// Why a directory could not be packed.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("packing {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing the layer stream: {0}")]
    Write(#[source] io::Error),
}

type Result<T> = std::result::Result<T, PackError>;

/// Removes the entry `rel` (a relative path such as `etc/hosts`) from the tree `dir` if it is
/// there and is not a directory, leaving its parent's times as they were. Every component is
/// opened relative to the one before without following symlinks, so a tree whose `etc` is a
/// symlink never makes this touch anything outside it (a symlinked parent: nothing to remove,
/// the packer would not enter it either). Returns false, removing nothing, when the entry is
/// a directory.
pub fn remove_entry(dir: &Path, rel: &str) -> io::Result<bool> {
    let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
    let Some((name, parents)) = parts.split_last() else {
        return Ok(true);
    };
    let mut fd: OwnedFd = nix::fcntl::open(
        dir,
        OFlag::O_DIRECTORY | OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    for p in parents {
        match open_at(fd.as_fd(), p.as_bytes(), OFlag::O_DIRECTORY) {
            Ok(Some(next)) => fd = next,
            Ok(None) => return Ok(true),
            // A symlink or a file where a directory would be: the path is not in the tree.
            Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENOTDIR)) => {
                return Ok(true);
            }
            Err(e) => return Err(e),
        }
    }
    let st = match stat::fstatat(fd.as_fd(), *name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(st) => st,
        Err(nix::errno::Errno::ENOENT) => return Ok(true),
        Err(e) => return Err(e.into()),
    };
    if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
        return Ok(false);
    }
    let parent = stat::fstat(fd.as_fd())?;
    nix::unistd::unlinkat(fd.as_fd(), *name, nix::unistd::UnlinkatFlags::NoRemoveDir)?;
    let times = |s: i64, ns: i64| nix::sys::time::TimeSpec::new(s, ns);
    stat::futimens(
        fd.as_fd(),
        &times(parent.st_atime, parent.st_atime_nsec),
        &times(parent.st_mtime, parent.st_mtime_nsec),
    )?;
    Ok(true)
}

/// Writes the tar stream of `dir` (not including `dir` itself) to `out`, and its end-of-archive
/// blocks. Returns the bytes of regular-file content written.
pub fn write_tar(dir: &Path, out: impl Write) -> Result<u64> {
    write_tar_skipping(dir, out, &[], None)
}

/// [`write_tar`] without the entries named in `skip` (relative paths, such as `etc/hosts`: the
/// mount points a container's runtime made, which are not the container's changes). With
/// `mtime_max` (`SOURCE_DATE_EPOCH`), no entry is newer than it: later mtimes become it
/// (BuildKit's `rewrite-timestamp`), earlier ones stay.
pub fn write_tar_skipping(
    dir: &Path,
    out: impl Write,
    skip: &[&str],
    mtime_max: Option<u64>,
) -> Result<u64> {
    let io_err = |source: io::Error| PackError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let root = nix::fcntl::open(
        dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| io_err(e.into()))?;
    let mut p = Packer {
        tar: tar::Builder::new(out),
        links: HashMap::new(),
        size: 0,
        root: dir.to_path_buf(),
        skip: skip.iter().map(|s| s.as_bytes().to_vec()).collect(),
        mtime_max,
    };
    p.walk(root.as_fd(), b"")?;
    p.tar.finish().map_err(PackError::Write)?;
    Ok(p.size)
}

/// A writer that hashes (sha256) and counts what passes through it.
pub struct HashWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    written: u64,
}

impl<W: Write> HashWriter<W> {
    pub fn new(inner: W) -> Self {
        HashWriter {
            inner,
            hasher: Sha256::new(),
            written: 0,
        }
    }

    /// `sha256:<hex>` of everything written, the byte count and the inner writer.
    pub fn finish(self) -> (String, u64, W) {
        let digest = format!("sha256:{}", hex::encode(self.hasher.finalize()));
        (digest, self.written, self.inner)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct Packer<W: Write> {
    tar: tar::Builder<W>,
    /// (device, inode) of regular files with several links → the first name written.
    links: HashMap<(u64, u64), Vec<u8>>,
    size: u64,
    root: PathBuf,
    skip: Vec<Vec<u8>>,
    mtime_max: Option<u64>,
}

fn is_overlay_xattr(name: &[u8]) -> bool {
    name.starts_with(b"trusted.overlay.") || name.starts_with(b"user.overlay.")
}

/// The xattrs of an open file or directory, sorted, without overlayfs' own.
fn xattrs_of_file(f: &File) -> io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    let names = match f.list_xattr() {
        Ok(n) => n,
        Err(e) if unsupported(&e) => return Ok(out),
        Err(e) => return Err(e),
    };
    for name in names {
        if is_overlay_xattr(name.as_bytes()) {
            continue;
        }
        match f.get_xattr(&name) {
            Ok(Some(v)) => out.push((name.as_bytes().to_vec(), v)),
            Ok(None) => {}
            Err(e) if unsupported(&e) => {}
            Err(e) => return Err(e),
        }
    }
    out.sort();
    Ok(out)
}

/// The xattrs of an entry that cannot be opened (symlink, device, FIFO), read through the
/// parent's descriptor without following the entry itself.
fn xattrs_at(dir: BorrowedFd<'_>, name: &[u8]) -> io::Result<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut path = format!("/proc/self/fd/{}/", dir.as_raw_fd()).into_bytes();
    path.extend_from_slice(name);
    let path = Path::new(OsStr::from_bytes(&path));
    let mut out = Vec::new();
    let names = match xattr::list(path) {
        Ok(n) => n,
        Err(e) if unsupported(&e) => return Ok(out),
        Err(e) => return Err(e),
    };
    for n in names {
        if is_overlay_xattr(n.as_bytes()) {
            continue;
        }
        if let Ok(Some(v)) = xattr::get(path, &n) {
            out.push((n.as_bytes().to_vec(), v));
        }
    }
    out.sort();
    Ok(out)
}

fn unsupported(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EOPNOTSUPP) | Some(libc::EPERM) | Some(libc::ENODATA)
    )
}

fn overlay_flag(f: &File, name: &str) -> bool {
    ["trusted.overlay.", "user.overlay."].iter().any(|p| {
        matches!(f.get_xattr(format!("{p}{name}")), Ok(Some(v)) if v == b"y" || name == "whiteout")
    })
}

/// One PAX extended header record: `LEN key=value\n`, LEN counting itself.
fn pax_record(key: &[u8], value: &[u8]) -> Vec<u8> {
    let rest = key.len() + value.len() + 3;
    let mut len = rest + 1;
    while len != rest + len.to_string().len() {
        len = rest + len.to_string().len();
    }
    let mut r = format!("{len} ").into_bytes();
    r.extend_from_slice(key);
    r.push(b'=');
    r.extend_from_slice(value);
    r.push(b'\n');
    r
}

fn base_header(st: &FileStat, kind: EntryType) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(st.st_mode & 0o7777);
    h.set_uid(st.st_uid.into());
    h.set_gid(st.st_gid.into());
    h.set_mtime(st.st_mtime.max(0) as u64);
    h.set_size(0);
    h
}

impl<W: Write> Packer<W> {
    /// An entry's header, its mtime no later than `mtime_max`.
    fn header(&self, st: &FileStat, kind: EntryType) -> Header {
        let mut h = base_header(st, kind);
        if let Some(max) = self.mtime_max
            && h.mtime().is_ok_and(|t| t > max)
        {
            h.set_mtime(max);
        }
        h
    }

    fn err(&self, name: &[u8], source: io::Error) -> PackError {
        PackError::Io {
            path: self.root.join(OsStr::from_bytes(name)),
            source,
        }
    }

    fn pax(&mut self, name: &[u8], xattrs: &[(Vec<u8>, Vec<u8>)]) -> Result<()> {
        if xattrs.is_empty() {
            return Ok(());
        }
        let mut data = Vec::new();
        for (k, v) in xattrs {
            let mut key = b"SCHILY.xattr.".to_vec();
            key.extend_from_slice(k);
            data.extend(pax_record(&key, v));
        }
        let mut h = Header::new_ustar();
        h.set_entry_type(EntryType::XHeader);
        let base = name.rsplit(|c| *c == b'/').find(|s| !s.is_empty());
        let mut pax_name = b"PaxHeaders.0/".to_vec();
        pax_name.extend_from_slice(base.unwrap_or(b"x"));
        pax_name.truncate(99);
        h.as_old_mut().name[..pax_name.len()].copy_from_slice(&pax_name);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_cksum();
        self.tar
            .append(&h, data.as_slice())
            .map_err(PackError::Write)
    }

    fn entry(&mut self, h: &mut Header, name: &[u8], data: impl Read) -> Result<()> {
        self.tar
            .append_data(h, Path::new(OsStr::from_bytes(name)), data)
            .map_err(PackError::Write)
    }

    fn whiteout(&mut self, prefix: &[u8], name: &[u8], st: &FileStat) -> Result<()> {
        let mut wh = prefix.to_vec();
        wh.extend_from_slice(b".wh.");
        wh.extend_from_slice(name);
        let mut h = self.header(st, EntryType::Regular);
        h.set_mode(0o600);
        self.entry(&mut h, &wh, io::empty())
    }

    fn walk(&mut self, dir: BorrowedFd<'_>, prefix: &[u8]) -> Result<()> {
        let mut names = super::unpack::list_dir(dir).map_err(|e| self.err(prefix, e.into()))?;
        names.sort();
        for name in names {
            let mut path = prefix.to_vec();
            path.extend_from_slice(&name);
            if self.skip.contains(&path) {
                continue;
            }
            let st = match stat::fstatat(dir, name.as_slice(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                // Removed while we walk (a running container): not part of the layer.
                Err(nix::errno::Errno::ENOENT) => continue,
                Err(e) => return Err(self.err(&path, e.into())),
            };
            match st.st_mode & libc::S_IFMT {
                libc::S_IFCHR if st.st_rdev == 0 => self.whiteout(prefix, &name, &st)?,
                libc::S_IFDIR => {
                    let Some(fd) =
                        open_at(dir, &name, OFlag::O_DIRECTORY).map_err(|e| self.err(&path, e))?
                    else {
                        continue;
                    };
                    let f = File::from(fd);
                    let xattrs = xattrs_of_file(&f).map_err(|e| self.err(&path, e))?;
                    let opaque = overlay_flag(&f, "opaque");
                    let st = stat::fstat(&f).map_err(|e| self.err(&path, e.into()))?;
                    let mut dname = path.clone();
                    dname.push(b'/');
                    self.pax(&dname, &xattrs)?;
                    let mut h = self.header(&st, EntryType::Directory);
                    self.entry(&mut h, &dname, io::empty())?;
                    if opaque {
                        let mut opq = dname.clone();
                        opq.extend_from_slice(b".wh..wh..opq");
                        let mut h = self.header(&st, EntryType::Regular);
                        h.set_mode(0o600);
                        self.entry(&mut h, &opq, io::empty())?;
                    }
                    self.walk(f.as_fd(), &dname)?;
                }
                libc::S_IFREG => {
                    let Some(fd) =
                        open_at(dir, &name, OFlag::O_NOATIME).map_err(|e| self.err(&path, e))?
                    else {
                        continue;
                    };
                    let f = File::from(fd);
                    let st = stat::fstat(&f).map_err(|e| self.err(&path, e.into()))?;
                    if st.st_size == 0 && overlay_flag(&f, "whiteout") {
                        self.whiteout(prefix, &name, &st)?;
                        continue;
                    }
                    if st.st_nlink > 1 {
                        let key = (st.st_dev, st.st_ino);
                        if let Some(first) = self.links.get(&key).cloned() {
                            let mut h = self.header(&st, EntryType::Link);
                            self.tar
                                .append_link(
                                    &mut h,
                                    Path::new(OsStr::from_bytes(&path)),
                                    Path::new(OsStr::from_bytes(&first)),
                                )
                                .map_err(PackError::Write)?;
                            continue;
                        }
                        self.links.insert(key, path.clone());
                    }
                    let xattrs = xattrs_of_file(&f).map_err(|e| self.err(&path, e))?;
                    self.pax(&path, &xattrs)?;
                    let size = st.st_size.max(0) as u64;
                    let mut h = self.header(&st, EntryType::Regular);
                    h.set_size(size);
                    // Exactly `size` bytes even if the file changes meanwhile: cut what grew,
                    // pad what shrank.
                    let data = (&f).take(size).chain(io::repeat(0)).take(size);
                    if let Err(e) =
                        self.tar
                            .append_data(&mut h, Path::new(OsStr::from_bytes(&path)), data)
                    {
                        return Err(self.err(&path, e));
                    }
                    self.size += size;
                }
                libc::S_IFLNK => {
                    let target = match nix::fcntl::readlinkat(dir, name.as_slice()) {
                        Ok(t) => t,
                        Err(nix::errno::Errno::ENOENT) => continue,
                        Err(e) => return Err(self.err(&path, e.into())),
                    };
                    let xattrs = xattrs_at(dir, &name).map_err(|e| self.err(&path, e))?;
                    self.pax(&path, &xattrs)?;
                    let mut h = self.header(&st, EntryType::Symlink);
                    self.tar
                        .append_link(&mut h, Path::new(OsStr::from_bytes(&path)), &target)
                        .map_err(PackError::Write)?;
                }
                kind @ (libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO) => {
                    let xattrs = xattrs_at(dir, &name).map_err(|e| self.err(&path, e))?;
                    self.pax(&path, &xattrs)?;
                    let t = match kind {
                        libc::S_IFCHR => EntryType::Char,
                        libc::S_IFBLK => EntryType::Block,
                        _ => EntryType::Fifo,
                    };
                    let mut h = self.header(&st, t);
                    let (major, minor) = (libc::major(st.st_rdev), libc::minor(st.st_rdev));
                    h.set_device_major(major).map_err(PackError::Write)?;
                    h.set_device_minor(minor).map_err(PackError::Write)?;
                    self.entry(&mut h, &path, io::empty())?;
                }
                // Sockets (and anything else) are not part of an image, as with Docker.
                _ => {}
            }
        }
        Ok(())
    }
}

/// Opens `name` in `dir` without following a symlink; `None` if it vanished meanwhile.
fn open_at(dir: BorrowedFd<'_>, name: &[u8], extra: OFlag) -> io::Result<Option<OwnedFd>> {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC | extra;
    match nix::fcntl::openat(dir, name, flags, Mode::empty()) {
        Ok(fd) => Ok(Some(fd)),
        Err(nix::errno::Errno::ENOENT) => Ok(None),
        // O_NOATIME is refused for files the caller does not own (without CAP_FOWNER).
        Err(nix::errno::Errno::EPERM) if extra.contains(OFlag::O_NOATIME) => {
            open_at(dir, name, extra - OFlag::O_NOATIME)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};

    /// An upper directory with every kind of entry the packer handles.
    fn upper() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fs::create_dir_all(p.join("etc/conf.d")).unwrap();
        fs::write(p.join("etc/hello"), b"hello\n").unwrap();
        nix::unistd::chown(&p.join("etc/hello"), Some(1000.into()), Some(1001.into())).unwrap();
        fs::set_permissions(p.join("etc/hello"), fs::Permissions::from_mode(0o4755)).unwrap();
        fs::hard_link(p.join("etc/hello"), p.join("etc/hello2")).unwrap();
        symlink("../etc/hello", p.join("etc/link")).unwrap();
        xattr::set(p.join("etc/hello"), "user.note", b"kept").unwrap();
        // A whiteout and an opaque directory, as overlayfs leaves them.
        stat::mknod(&p.join("etc/gone"), stat::SFlag::S_IFCHR, Mode::empty(), 0).unwrap();
        xattr::set(p.join("etc/conf.d"), "trusted.overlay.opaque", b"y").unwrap();
        fs::write(p.join("etc/conf.d/new"), b"n").unwrap();
        nix::unistd::mkfifo(&p.join("fifo"), Mode::from_bits_truncate(0o600)).unwrap();
        std::os::unix::net::UnixListener::bind(p.join("sock")).unwrap();
        d
    }

    fn entries(tar: &[u8]) -> Vec<(String, EntryType, Vec<u8>)> {
        let mut a = tar::Archive::new(tar);
        a.entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
                let kind = e.header().entry_type();
                let link = e
                    .link_name_bytes()
                    .map(|l| l.into_owned())
                    .unwrap_or_default();
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                let data = if link.is_empty() { data } else { link };
                (name, kind, data)
            })
            .collect()
    }

    #[test]
    fn overlay_form_becomes_oci_form() {
        let d = upper();
        let mut out = Vec::new();
        let size = write_tar(d.path(), &mut out).unwrap();
        assert_eq!(size, 7);
        let got: Vec<_> = entries(&out)
            .into_iter()
            .map(|(n, k, data)| (n, k, String::from_utf8_lossy(&data).into_owned()))
            .collect();
        let want = [
            ("etc/", EntryType::Directory, ""),
            ("etc/conf.d/", EntryType::Directory, ""),
            ("etc/conf.d/.wh..wh..opq", EntryType::Regular, ""),
            ("etc/conf.d/new", EntryType::Regular, "n"),
            ("etc/.wh.gone", EntryType::Regular, ""),
            ("etc/hello", EntryType::Regular, "hello\n"),
            ("etc/hello2", EntryType::Link, "etc/hello"),
            ("etc/link", EntryType::Symlink, "../etc/hello"),
            ("fifo", EntryType::Fifo, ""),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(n, k, d)| (n.to_string(), *k, d.to_string()))
            .collect();
        assert_eq!(got, want);
        // Metadata and xattrs of the file.
        let mut a = tar::Archive::new(out.as_slice());
        let mut e = a
            .entries()
            .unwrap()
            .map(|e| e.unwrap())
            .find(|e| &*e.path_bytes() == b"etc/hello")
            .unwrap();
        let h = e.header().clone();
        assert_eq!(h.mode().unwrap(), 0o4755);
        assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (1000, 1001));
        let pax: Vec<_> = e
            .pax_extensions()
            .unwrap()
            .unwrap()
            .map(|x| x.unwrap())
            .map(|x| (x.key().unwrap().to_string(), x.value_bytes().to_vec()))
            .collect();
        assert_eq!(
            pax,
            vec![("SCHILY.xattr.user.note".into(), b"kept".to_vec())]
        );
    }

    #[test]
    fn the_same_tree_packs_to_the_same_bytes() {
        let d = upper();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_tar(d.path(), &mut a).unwrap();
        write_tar(d.path(), &mut b).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn packed_then_unpacked_gives_the_overlay_form_back() {
        let d = upper();
        let mut out = Vec::new();
        write_tar(d.path(), &mut out).unwrap();
        let back = tempfile::tempdir().unwrap();
        crate::layers::unpack::unpack(
            out.as_slice(),
            crate::layers::Compression::Plain,
            back.path(),
        )
        .unwrap();
        let b = back.path();
        let gone = fs::symlink_metadata(b.join("etc/gone")).unwrap();
        assert_eq!(
            (gone.mode() & libc::S_IFMT, gone.rdev()),
            (libc::S_IFCHR, 0)
        );
        assert_eq!(
            xattr::get(b.join("etc/conf.d"), "trusted.overlay.opaque").unwrap(),
            Some(b"y".to_vec())
        );
        let hello = fs::metadata(b.join("etc/hello")).unwrap();
        assert_eq!(
            hello.ino(),
            fs::metadata(b.join("etc/hello2")).unwrap().ino()
        );
        assert_eq!(
            (hello.uid(), hello.gid(), hello.mode() & 0o7777),
            (1000, 1001, 0o4755)
        );
        assert_eq!(
            xattr::get(b.join("etc/hello"), "user.note").unwrap(),
            Some(b"kept".to_vec())
        );
        assert_eq!(
            fs::read_link(b.join("etc/link")).unwrap(),
            Path::new("../etc/hello")
        );
        // And packing that again gives the same stream.
        let mut again = Vec::new();
        write_tar(b, &mut again).unwrap();
        assert_eq!(entries(&again), entries(&out));
        let mut skipped = Vec::new();
        write_tar_skipping(b, &mut skipped, &["etc/hello2", "fifo"], None).unwrap();
        let names: Vec<_> = entries(&skipped).into_iter().map(|e| e.0).collect();
        assert!(!names.contains(&"etc/hello2".to_string()) && !names.contains(&"fifo".into()));
        assert!(names.contains(&"etc/hello".to_string()));
    }

    #[test]
    fn mtimes_later_than_the_maximum_are_clamped() {
        let d = upper();
        let old = d.path().join("old");
        fs::write(&old, b"o").unwrap();
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1000))
            .unwrap();
        let mut out = Vec::new();
        write_tar_skipping(d.path(), &mut out, &[], Some(5000)).unwrap();
        let mut ar = tar::Archive::new(out.as_slice());
        let mut seen = 0;
        for e in ar.entries().unwrap() {
            let e = e.unwrap();
            let t = e.header().mtime().unwrap();
            let want = if e.path().unwrap() == Path::new("old") {
                1000
            } else {
                5000
            };
            assert_eq!(t, want, "{:?}", e.path());
            seen += 1;
        }
        assert!(seen > 2);
    }

    #[test]
    fn pax_records_count_their_own_length() {
        for (k, v) in [("a", "b".repeat(3)), ("SCHILY.xattr.x", "y".repeat(90))] {
            let r = pax_record(k.as_bytes(), v.as_bytes());
            let (len, _) = std::str::from_utf8(&r).unwrap().split_once(' ').unwrap();
            assert_eq!(len.parse::<usize>().unwrap(), r.len());
        }
    }

    #[test]
    fn store_pack_records_blob_and_layer() {
        let d = upper();
        let root = tempfile::tempdir().unwrap();
        let tmp = crate::tmp::TempArea::new(root.path()).unwrap();
        let content = crate::content::ContentStore::new(root.path(), tmp.clone());
        let layers = crate::layers::LayerStore::new(root.path(), tmp);
        let packed = layers.pack(&content, d.path(), &[], None).unwrap();
        let mut plain = Vec::new();
        write_tar(d.path(), &mut plain).unwrap();
        assert_eq!(packed.diff_id, crate::content::sha256_digest(&plain));
        let blob = content.read(&packed.blob_digest).unwrap();
        assert_eq!(blob.len() as u64, packed.blob_size);
        assert_eq!(crate::content::sha256_digest(&blob), packed.blob_digest);
        assert!(layers.contains(&packed.diff_id));
        assert_eq!(packed.size, 7);
        // Packing the same tree again reuses both.
        assert_eq!(layers.pack(&content, d.path(), &[], None).unwrap(), packed);
    }

    #[test]
    fn adopting_pack_moves_the_tree_that_the_stream_describes() {
        let d = upper();
        fs::create_dir_all(d.path().join("etc")).unwrap();
        fs::write(d.path().join("etc/hosts"), "stub").unwrap();
        let etc_mtime = fs::metadata(d.path().join("etc")).unwrap().mtime();
        let root = tempfile::tempdir().unwrap();
        let tmp = crate::tmp::TempArea::new(root.path()).unwrap();
        let content = crate::content::ContentStore::new(root.path(), tmp.clone());
        let layers = crate::layers::LayerStore::new(root.path(), tmp);
        // What the copying pack makes of the same tree, with the same entry skipped.
        let other = tempfile::tempdir().unwrap();
        let tmp2 = crate::tmp::TempArea::new(other.path()).unwrap();
        let content2 = crate::content::ContentStore::new(other.path(), tmp2.clone());
        let copied = crate::layers::LayerStore::new(other.path(), tmp2)
            .pack(&content2, d.path(), &["etc/hosts"], None)
            .unwrap();
        let work = root.path().join("work");
        fs::rename(d.path(), &work).unwrap();
        let packed = layers
            .pack_adopting(&content, &work, &["etc/hosts"])
            .unwrap()
            .expect("adopted");
        assert_eq!(packed, copied);
        assert!(!work.exists(), "the directory itself became the layer");
        let dir = layers.path(&packed.diff_id).unwrap();
        assert!(!dir.join("etc/hosts").exists());
        assert_eq!(fs::metadata(dir.join("etc")).unwrap().mtime(), etc_mtime);
        let mut again = Vec::new();
        write_tar(&dir, &mut again).unwrap();
        assert_eq!(crate::content::sha256_digest(&again), packed.diff_id);
    }

    #[test]
    fn removing_an_entry_never_follows_a_symlink_out_of_the_tree() {
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("hosts"), "host's").unwrap();
        let d = tempfile::tempdir().unwrap();
        symlink(outside.path(), d.path().join("etc")).unwrap();
        assert!(remove_entry(d.path(), "etc/hosts").unwrap());
        assert!(outside.path().join("hosts").exists());
        // A directory at the path is not removed: the caller packs by copying instead.
        fs::create_dir_all(d.path().join("a/b")).unwrap();
        assert!(!remove_entry(d.path(), "a/b").unwrap());
        assert!(d.path().join("a/b").is_dir());
        assert!(remove_entry(d.path(), "a/missing").unwrap());
    }
}
