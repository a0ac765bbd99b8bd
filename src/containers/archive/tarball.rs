//! Writing a tree as a tar stream, walked through directory descriptors: every entry is reached
//! with `*at()` calls from its parent's descriptor, no symlink is ever followed (a symlink is
//! written as a symlink), so a tree that changes or holds hostile links is read where it is
//! and nowhere else. Used for `cp` out of a container, `export`, and the host side of `cp`.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag};
use nix::libc;
use nix::sys::stat::{self, FileStat, Mode};

/// Opens `name` in `dir` as a directory to list, never through a symlink.
pub(super) fn open_dir_at(dir: BorrowedFd<'_>, name: &[u8]) -> nix::Result<OwnedFd> {
    nix::fcntl::openat(
        dir,
        OsStr::from_bytes(name),
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

fn list(dir: BorrowedFd<'_>) -> nix::Result<Vec<Vec<u8>>> {
    let fd = open_dir_at(dir, b".")?;
    let mut names = Vec::new();
    for entry in nix::dir::Dir::from_fd(fd)? {
        let name = entry?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn errno(e: Errno) -> io::Error {
    e.into()
}

/// Writes `name` in `parent` (a file, a link, or a directory with everything below it) as a
/// tar stream to `out`, its entries named `top`, `top/child`, …. With `top` empty, the entry
/// must be a directory and only what is below it is written, named `child`, … (an export);
/// with `top` `"."`, the directory's own entry is `./` and the others `./child` (Docker's
/// archive of `dir/.`).
pub fn write_tree(
    parent: BorrowedFd<'_>,
    name: &[u8],
    top: &[u8],
    out: impl Write,
) -> io::Result<()> {
    let mut w = TarWriter {
        out,
        links: HashMap::new(),
    };
    let st = stat::fstatat(
        parent,
        OsStr::from_bytes(name),
        AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .map_err(errno)?;
    let is_dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
    if top.is_empty() && !is_dir {
        return Err(io::Error::other("not a directory"));
    }
    if !top.is_empty() {
        w.entry(parent, name, &st, top)?;
    }
    if is_dir {
        struct Level {
            fd: OwnedFd,
            prefix: Vec<u8>,
            pending: std::vec::IntoIter<Vec<u8>>,
        }
        let prefix = |p: &[u8]| {
            if p.is_empty() {
                Vec::new()
            } else {
                let mut v = p.to_vec();
                v.push(b'/');
                v
            }
        };
        let fd = open_dir_at(parent, name).map_err(errno)?;
        let pending = list(fd.as_fd()).map_err(errno)?.into_iter();
        let mut stack = vec![Level {
            fd,
            prefix: prefix(top),
            pending,
        }];
        while let Some(level) = stack.last_mut() {
            let Some(child) = level.pending.next() else {
                stack.pop();
                continue;
            };
            let st = match stat::fstatat(
                level.fd.as_fd(),
                OsStr::from_bytes(&child),
                AtFlags::AT_SYMLINK_NOFOLLOW,
            ) {
                Ok(st) => st,
                // Removed while we walk (a running container): skip it.
                Err(Errno::ENOENT) => continue,
                Err(e) => return Err(errno(e)),
            };
            let mut path = level.prefix.clone();
            path.extend_from_slice(&child);
            w.entry(level.fd.as_fd(), &child, &st, &path)?;
            if st.st_mode & libc::S_IFMT == libc::S_IFDIR {
                let fd = match open_dir_at(level.fd.as_fd(), &child) {
                    Ok(fd) => fd,
                    Err(Errno::ENOENT) => continue,
                    Err(e) => return Err(errno(e)),
                };
                let pending = list(fd.as_fd()).map_err(errno)?.into_iter();
                stack.push(Level {
                    fd,
                    prefix: prefix(&path),
                    pending,
                });
            }
        }
    }
    // The end-of-archive marker: two zero blocks.
    w.out.write_all(&[0; 1024])?;
    w.out.flush()
}

struct TarWriter<W: Write> {
    out: W,
    /// Files with several links already written: (dev, ino) → their entry name.
    links: HashMap<(u64, u64), Vec<u8>>,
}

impl<W: Write> TarWriter<W> {
    fn entry(
        &mut self,
        parent: BorrowedFd<'_>,
        name: &[u8],
        st: &FileStat,
        path: &[u8],
    ) -> io::Result<()> {
        let mut h = tar::Header::new_gnu();
        h.set_mode(st.st_mode & 0o7777);
        h.set_uid(u64::from(st.st_uid));
        h.set_gid(u64::from(st.st_gid));
        h.set_mtime(st.st_mtime.max(0) as u64);
        h.set_size(0);
        let os_name = OsStr::from_bytes(name);
        match st.st_mode & libc::S_IFMT {
            libc::S_IFREG => {
                if st.st_nlink > 1 {
                    let key = (st.st_dev, st.st_ino);
                    if let Some(first) = self.links.get(&key).cloned() {
                        h.set_entry_type(tar::EntryType::Link);
                        return self.write(h, path, Some(&first), io::empty(), 0);
                    }
                    self.links.insert(key, path.to_vec());
                }
                let fd = nix::fcntl::openat(
                    parent,
                    os_name,
                    OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(errno)?;
                let size = st.st_size.max(0) as u64;
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(size);
                // A file that shrinks while it is read is padded with zeros, one that grows
                // is cut: the header's size is what the stream carries.
                let data = File::from(fd).take(size).chain(io::repeat(0)).take(size);
                self.write(h, path, None, data, size)
            }
            libc::S_IFDIR => {
                h.set_entry_type(tar::EntryType::Directory);
                let mut p = path.to_vec();
                p.push(b'/');
                self.write(h, &p, None, io::empty(), 0)
            }
            libc::S_IFLNK => {
                let target = nix::fcntl::readlinkat(parent, os_name).map_err(errno)?;
                h.set_entry_type(tar::EntryType::Symlink);
                self.write(h, path, Some(target.as_bytes()), io::empty(), 0)
            }
            kind @ (libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO) => {
                h.set_entry_type(match kind {
                    libc::S_IFCHR => tar::EntryType::Char,
                    libc::S_IFBLK => tar::EntryType::Block,
                    _ => tar::EntryType::Fifo,
                });
                // A FIFO's device numbers are 0 (as GNU tar and Go write them): fields left
                // empty are no number to readers (ours included).
                let (major, minor) = if kind == libc::S_IFIFO {
                    (0, 0)
                } else {
                    (
                        stat::major(st.st_rdev) as u32,
                        stat::minor(st.st_rdev) as u32,
                    )
                };
                h.set_device_major(major)?;
                h.set_device_minor(minor)?;
                self.write(h, path, None, io::empty(), 0)
            }
            // Sockets are not archived (as Docker).
            _ => Ok(()),
        }
    }

    /// Writes one entry with its name (and link name) as given: a name longer than the
    /// header's field goes before it in a GNU long-name entry.
    fn write(
        &mut self,
        mut h: tar::Header,
        path: &[u8],
        link: Option<&[u8]>,
        mut data: impl Read,
        size: u64,
    ) -> io::Result<()> {
        if path.len() > 100 {
            self.long(b'L', path)?;
        }
        if let Some(link) = link {
            if link.len() > 100 {
                self.long(b'K', link)?;
            }
            let gnu = h.as_gnu_mut().expect("a GNU header");
            let n = link.len().min(100);
            gnu.linkname[..n].copy_from_slice(&link[..n]);
        }
        {
            let gnu = h.as_gnu_mut().expect("a GNU header");
            let n = path.len().min(100);
            gnu.name[..n].copy_from_slice(&path[..n]);
        }
        h.set_cksum();
        self.out.write_all(h.as_bytes())?;
        let copied = io::copy(&mut data, &mut self.out)?;
        if copied != size {
            return Err(io::Error::other("short read while archiving"));
        }
        self.pad(size)
    }

    /// A GNU `././@LongLink` entry of type `L` (name) or `K` (link name).
    fn long(&mut self, kind: u8, value: &[u8]) -> io::Result<()> {
        let mut h = tar::Header::new_gnu();
        let size = value.len() as u64 + 1;
        h.set_entry_type(tar::EntryType::new(kind));
        h.set_size(size);
        h.set_mode(0o644);
        {
            let gnu = h.as_gnu_mut().expect("a GNU header");
            let n = b"././@LongLink".len();
            gnu.name[..n].copy_from_slice(b"././@LongLink");
        }
        h.set_cksum();
        self.out.write_all(h.as_bytes())?;
        self.out.write_all(value)?;
        self.out.write_all(&[0])?;
        self.pad(size)
    }

    fn pad(&mut self, size: u64) -> io::Result<()> {
        let rem = (size % 512) as usize;
        if rem != 0 {
            self.out.write_all(&[0; 512][..512 - rem])?;
        }
        Ok(())
    }
}

/// Writes a host path as a tar stream (the host side of `cp` into a container), its entries
/// named `top`, `top/…`. With `follow`, a symlink is replaced by what it points to.
pub fn tar_local(
    path: &std::path::Path,
    follow: bool,
    top: &[u8],
    out: impl Write,
) -> io::Result<()> {
    let path = if follow {
        std::fs::canonicalize(path)?
    } else {
        path.to_path_buf()
    };
    let (parent, name) = match (path.parent(), path.file_name()) {
        (Some(p), Some(n)) if p.as_os_str().is_empty() => {
            (std::path::PathBuf::from("."), n.as_bytes().to_vec())
        }
        (Some(p), Some(n)) => (p.to_path_buf(), n.as_bytes().to_vec()),
        _ => (path.clone(), b".".to_vec()),
    };
    let dir = nix::fcntl::open(
        &parent,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(errno)?;
    write_tree(dir.as_fd(), &name, top, out)
}

/// Extracts a tar stream into the host directory `dir` (the host side of `cp` out of a
/// container), through the layer unpacker's confined extraction: nothing is written outside
/// `dir`, whatever links the archive holds.
pub fn extract_local(
    reader: impl Read,
    dir: &std::path::Path,
    opts: crate::layers::ExtractOptions,
) -> super::Result<()> {
    let fd = nix::fcntl::open(
        dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| super::ArchiveError::Io {
        what: dir.display().to_string(),
        source: e.into(),
    })?;
    crate::layers::unpack_into(reader, fd, dir, opts)?;
    Ok(())
}
