//! The build context as COPY/ADD see it: a directory (prepared by the engine: the context's
//! files that `.dockerignore` lets through), its sources resolved inside it without following
//! a symlink out of it, their content hashed for the cache, and their tar streams.

use std::ffi::OsStr;
use std::fs;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;
use sha2::{Digest, Sha256};

use super::BuildError;
use crate::build::dockerignore::ContextFilter;
use crate::build::glob::Pattern;

/// The prepared context directory.
pub struct Context {
    pub dir: PathBuf,
    pub filter: Option<ContextFilter>,
}

/// One source path in the context, after wildcard expansion: its path relative to the root.
#[derive(Debug, Clone)]
pub struct Found {
    pub rel: String,
    pub is_dir: bool,
}

fn clean(p: &str) -> String {
    crate::build::dockerignore::clean(p.trim_start_matches('/'))
}

impl Context {
    fn root(&self) -> Result<OwnedFd, BuildError> {
        nix::fcntl::open(
            &self.dir,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| BuildError::io("opening the build context", e.into()))
    }

    /// Opens `rel` with every symlink resolved inside the context (O_PATH, not followed at the
    /// end).
    fn open_in(&self, rel: &str, follow: bool) -> nix::Result<OwnedFd> {
        let root = self.root().map_err(|_| nix::errno::Errno::EIO)?;
        let mut flags = OFlag::O_PATH | OFlag::O_CLOEXEC;
        if !follow {
            flags |= OFlag::O_NOFOLLOW;
        }
        let how = OpenHow::new()
            .flags(flags)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let p = if rel.is_empty() { "." } else { rel };
        nix::fcntl::openat2(root.as_fd(), p, how)
    }

    /// Every path of the context (relative, sorted), not following links.
    fn all_paths(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        walk(&self.dir, "", &mut out);
        out.sort();
        out
    }

    fn allowed(&self, rel: &str) -> bool {
        self.filter.as_ref().is_none_or(|f| f.copy(rel))
    }

    /// The paths a COPY source names: the path itself, or what its wildcards match. Docker's
    /// message when nothing matches.
    pub fn resolve(&self, source: &str) -> Result<Vec<Found>, BuildError> {
        let rel = clean(source);
        let missing = || {
            BuildError::Invalid(format!(
                "COPY failed: file not found in build context or excluded by .dockerignore: stat {rel}: file does not exist"
            ))
        };
        if rel.contains(['*', '?', '[']) {
            let pattern = Pattern::path(&rel)
                .map_err(|_| BuildError::Invalid(format!("COPY failed: bad pattern {source:?}")))?;
            let found: Vec<Found> = self
                .all_paths()
                .into_iter()
                .filter(|(p, _)| pattern.matches(p) && self.allowed(p))
                .map(|(rel, is_dir)| Found { rel, is_dir })
                .collect();
            if found.is_empty() {
                return Err(missing());
            }
            return Ok(found);
        }
        if rel != "." && !self.allowed(&rel) {
            return Err(missing());
        }
        let fd = self.open_in(if rel == "." { "" } else { &rel }, true);
        let fd = match fd {
            Ok(fd) => fd,
            Err(_) => return Err(missing()),
        };
        let st = nix::sys::stat::fstat(&fd).map_err(|e| BuildError::io(&rel, e.into()))?;
        Ok(vec![Found {
            rel: if rel == "." { String::new() } else { rel },
            is_dir: st.st_mode & libc::S_IFMT == libc::S_IFDIR,
        }])
    }

    /// The directory holding `rel` (resolved in the context) and `rel`'s last name; for the
    /// root itself, the root and `.`.
    pub fn parent_of(&self, rel: &str) -> Result<(OwnedFd, Vec<u8>), BuildError> {
        let (dir, name) = match rel.rsplit_once('/') {
            Some((d, n)) => (d.to_string(), n.as_bytes().to_vec()),
            None if rel.is_empty() => (String::new(), b".".to_vec()),
            None => (String::new(), rel.as_bytes().to_vec()),
        };
        let how = OpenHow::new()
            .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
            .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
        let root = self.root()?;
        let fd = nix::fcntl::openat2(root.as_fd(), if dir.is_empty() { "." } else { &dir }, how)
            .map_err(|e| BuildError::io(&dir, e.into()))?;
        Ok((fd, name))
    }

    /// The content of a found source for the cache key: paths, types, modes, owners, sizes,
    /// bytes and link targets (not times).
    pub fn digest(&self, found: &Found) -> Result<String, BuildError> {
        let mut h = Sha256::new();
        let base = if found.rel.is_empty() {
            self.dir.clone()
        } else {
            // Resolved in the context: the real path below the root.
            let fd = self
                .open_in(&found.rel, true)
                .map_err(|e| BuildError::io(&found.rel, e.into()))?;
            fs::read_link(format!(
                "/proc/self/fd/{}",
                std::os::fd::AsRawFd::as_raw_fd(&fd)
            ))
            .map_err(|e| BuildError::io(&found.rel, e))?
        };
        if !base.starts_with(&self.dir) {
            return Err(BuildError::Invalid(format!(
                "{}: outside the build context",
                found.rel
            )));
        }
        hash_tree(&base, "", &mut h).map_err(|e| BuildError::io(&found.rel, e))?;
        Ok(format!("sha256:{}", hex::encode(h.finalize())))
    }
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, bool)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        out.push((rel.clone(), is_dir));
        if is_dir {
            walk(&e.path(), &rel, out);
        }
    }
}

/// Hashes a tree's content (never following a symlink).
pub fn hash_tree(path: &Path, rel: &str, h: &mut Sha256) -> io::Result<()> {
    let m = fs::symlink_metadata(path)?;
    h.update(rel.as_bytes());
    h.update(format!("\0{:o}\0{}\0{}\0{}\0", m.mode(), m.uid(), m.gid(), m.len()).as_bytes());
    let ft = m.file_type();
    if ft.is_symlink() {
        h.update(fs::read_link(path)?.as_os_str().as_bytes());
    } else if ft.is_file() {
        let mut f = fs::File::open(path)?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    } else if ft.is_dir() {
        let mut names: Vec<_> = fs::read_dir(path)?
            .flatten()
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for n in names {
            let child = if rel.is_empty() {
                n.to_string_lossy().into_owned()
            } else {
                format!("{rel}/{}", n.to_string_lossy())
            };
            hash_tree(&path.join(&n), &child, h)?;
        }
    }
    h.update(b"\n");
    Ok(())
}

/// Rewrites a tar stream: entries renamed below `prefix` (the stream's own `./` entry dropped
/// when `drop_top`; with `single`, the one entry of a file renamed `prefix`), owners and modes
/// replaced when given.
pub fn rewrite_tar(
    input: &[u8],
    prefix: &str,
    drop_top: bool,
    single: bool,
    owner: Option<(u32, u32)>,
    chmod: Option<u32>,
) -> Result<Vec<u8>, BuildError> {
    let err = |e: io::Error| BuildError::io("rewriting an archive", e);
    let mut out = tar::Builder::new(Vec::new());
    let mut ar = tar::Archive::new(input);
    for entry in ar.entries().map_err(err)? {
        let mut entry = entry.map_err(err)?;
        let path = entry.path_bytes().into_owned();
        let path = String::from_utf8_lossy(&path).into_owned();
        let stripped = path.trim_start_matches("./").trim_end_matches('/');
        if drop_top && (path == "./" || path == "." || stripped.is_empty()) {
            continue;
        }
        let mut name = if single || prefix.is_empty() {
            if single {
                prefix.to_string()
            } else {
                stripped.to_string()
            }
        } else if stripped.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}/{stripped}")
        };
        let mut header = entry.header().clone();
        if let Some((u, g)) = owner {
            header.set_uid(u as u64);
            header.set_gid(g as u64);
        }
        if let Some(m) = chmod
            && !header.entry_type().is_symlink()
        {
            header.set_mode(m);
        }
        let link = entry.link_name_bytes().map(|l| l.into_owned());
        if header.entry_type().is_hard_link()
            && let Some(l) = &link
        {
            {
                let l = String::from_utf8_lossy(l);
                let l = l.trim_start_matches("./");
                let target = if prefix.is_empty() {
                    l.to_string()
                } else {
                    format!("{prefix}/{l}")
                };
                let mut data = Vec::new();
                entry.read_to_end(&mut data).map_err(err)?;
                out.append_link(&mut header, &name, &target).map_err(err)?;
                continue;
            }
        }
        if header.entry_type().is_dir() {
            name.push('/');
        }
        let mut data = Vec::new();
        entry.read_to_end(&mut data).map_err(err)?;
        if header.entry_type().is_symlink() {
            let target = link.unwrap_or_default();
            out.append_link(&mut header, &name, OsStr::from_bytes(&target))
                .map_err(err)?;
        } else {
            out.append_data(&mut header, &name, data.as_slice())
                .map_err(err)?;
        }
    }
    out.into_inner().map_err(err)
}

/// Whether a file's content is a tar archive (plain, gzip or zstd): ADD unpacks those.
pub fn is_archive(path: &Path) -> bool {
    let Ok(f) = fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::new();
    let mut r = io::BufReader::new(f);
    let Ok(buf) = io::BufRead::fill_buf(&mut r) else {
        return false;
    };
    let buf = buf.to_vec();
    let mut dec: Box<dyn Read> = if buf.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::GzDecoder::new(r))
    } else if buf.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        match zstd::Decoder::new(r) {
            Ok(d) => Box::new(d),
            Err(_) => return false,
        }
    } else {
        Box::new(r)
    };
    if dec.by_ref().take(512).read_to_end(&mut head).is_err() || head.len() < 512 {
        return false;
    }
    &head[257..262] == b"ustar"
}
