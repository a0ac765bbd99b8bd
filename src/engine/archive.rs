//! A container's files: `cp` (Docker's path rules, both directions, tar streams), `export`,
//! `diff`, and the Engine API's `archive` (stat, get, put). The file-system work is in
//! `containers::archive` (the root opened once, paths resolved inside it, trees walked through
//! descriptors) and the layer unpacker (archives coming in).
//!
//! Owners: a copy into a container makes its files owned by the container's root (0:0), with
//! `-a` (`copyUIDGID`) by the owners in the archive; a copy out makes them owned by the caller,
//! with `-a` by the owners in the container (Docker's documented `cp` behaviour).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use super::{Engine, Error, Result};
use crate::containers::archive::{self as fsarch, ArchiveError, Resolved, Root, asserts_dir};
pub use crate::containers::archive::{ChangeKind, PathStat};
use crate::layers::ExtractOptions;

/// `PUT /containers/{id}/archive`'s flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArchivePutOptions {
    /// Refuse to replace a directory with a non-directory or the reverse.
    pub no_overwrite_dir_non_dir: bool,
    /// Keep the archive's owners (else the container's root owns the files).
    pub copy_uid_gid: bool,
}

/// One line of `diff`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: String,
}

/// A tar stream of a container's files, ready to be written (the container's root stays open
/// until it is).
pub struct ContainerArchive {
    root: Root,
    what: Option<(Resolved, Vec<u8>)>,
}

impl ContainerArchive {
    /// Writes the tar stream to `out`.
    pub fn write_to(&self, out: impl Write) -> Result<()> {
        match &self.what {
            Some((r, top)) => self.root.write_tar(r, top, out)?,
            None => self.root.export(out)?,
        }
        Ok(())
    }
}

/// One side of `cp`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyEndpoint {
    /// A path on the host.
    Local(PathBuf),
    /// `CONTAINER:PATH`.
    Container { container: String, path: String },
    /// `-`: a tar stream on standard input or output.
    Stream,
}

impl CopyEndpoint {
    /// Docker's reading of a `cp` argument: `-`; an absolute path, or one whose part before the
    /// first `:` starts with `.`, is local; `NAME:PATH` names a container.
    pub fn parse(arg: &str) -> CopyEndpoint {
        if arg == "-" {
            return CopyEndpoint::Stream;
        }
        if arg.starts_with('/') {
            return CopyEndpoint::Local(PathBuf::from(arg));
        }
        match arg.split_once(':') {
            Some((c, p)) if !c.starts_with('.') => CopyEndpoint::Container {
                container: c.to_string(),
                path: p.to_string(),
            },
            _ => CopyEndpoint::Local(PathBuf::from(arg)),
        }
    }
}

/// `cp`'s flags.
#[derive(Debug, Clone, Copy, Default)]
pub struct CopyOptions {
    /// `-a`: keep owners.
    pub archive: bool,
    /// `-L`: copy what a symlink source points to.
    pub follow_link: bool,
}

/// Docker's `SplitPathDirEntry`: the directory and last entry of `path`, lexically; a path
/// ending in `/.` has the entry `.`.
fn split_dir_entry(path: &str) -> (String, String) {
    let abs = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if abs => {}
            c => parts.push(c),
        }
    }
    let base = if path == "." || path.ends_with("/.") {
        ".".to_string()
    } else {
        match parts.pop() {
            Some(b) => b.to_string(),
            None if abs => "/".to_string(),
            None => ".".to_string(),
        }
    };
    let dir = match (abs, parts.is_empty()) {
        (true, _) => format!("/{}", parts.join("/")),
        (false, true) => ".".to_string(),
        (false, false) => parts.join("/"),
    };
    (dir, base)
}

/// Docker's `PrepareArchiveCopy`: given the source's last name (`.` for `dir/.`) and kind,
/// the destination path and what is there (`None`: nothing; `Some(is_dir)`), the directory
/// to extract into and the name the source's top entry gets there.
fn copy_target(
    src_base: &str,
    src_is_dir: bool,
    dst: &str,
    dst_is_dir: Option<bool>,
) -> Result<(String, String)> {
    let (dst_dir, dst_base) = split_dir_entry(dst);
    match dst_is_dir {
        Some(true) => Ok((dst.to_string(), src_base.to_string())),
        Some(false) if src_is_dir => Err(Error::invalid(format!(
            "cannot copy a directory to {dst:?}: it is an existing file (cannot copy directory)"
        ))),
        Some(false) => Ok((dst_dir, dst_base)),
        None if src_is_dir => Ok((dst_dir, dst_base)),
        None if asserts_dir(dst) => Err(Error::NotFound(format!(
            "{dst:?}: no such directory (a file cannot make a new directory)"
        ))),
        None => Ok((dst_dir, dst_base)),
    }
}

/// Runs `write` (producing a tar stream) on a thread and `read` (consuming it) here, through
/// a pipe. The error is the writer's if it failed first, else the reader's.
fn piped(
    write: impl FnOnce(io::PipeWriter) -> Result<()> + Send,
    read: impl FnOnce(io::PipeReader) -> Result<()>,
) -> Result<()> {
    let (reader, writer) = io::pipe().map_err(Error::io("making a pipe"))?;
    std::thread::scope(|s| {
        let w = s.spawn(move || write(writer));
        let r = read(reader);
        let w = w
            .join()
            .unwrap_or_else(|_| Err(Error::invalid("the archiving thread failed")));
        match (w, r) {
            (Err(e), _) if !broken_pipe(&e) => Err(e),
            (_, Err(e)) => Err(e),
            (Err(e), Ok(())) => Err(e),
            (Ok(()), Ok(())) => Ok(()),
        }
    })
}

fn broken_pipe(e: &Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<io::Error>()
            && io.kind() == io::ErrorKind::BrokenPipe
        {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Where a local destination is: `None` if nothing is there (its parent must exist),
/// `Some(is_dir)` (a symlink followed) otherwise.
fn local_dest(dst: &Path) -> Result<Option<bool>> {
    match fs::metadata(dst) {
        Ok(m) => Ok(Some(m.is_dir())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(dst).is_ok() {
                // A dangling symlink: replaced by what is copied.
                return Ok(None);
            }
            let (dir, _) = split_dir_entry(&dst.to_string_lossy());
            fs::metadata(&dir).map_err(Error::io(format!("lstat {dir}")))?;
            Ok(None)
        }
        Err(e) => Err(Error::io(format!("lstat {}", dst.display()))(e)),
    }
}

impl Engine {
    fn open_root(&self, name: &str, write: bool) -> Result<Root> {
        let store = self.store()?;
        let c = crate::containers::resolve(&store, name)?;
        Ok(Root::open(&store, &c, name, write)?)
    }

    /// `HEAD /containers/{id}/archive`: what is at `path` in the container.
    pub fn container_archive_stat(&self, name: &str, path: &str) -> Result<PathStat> {
        let root = self.open_root(name, false)?;
        Ok(root.stat(path)?.1)
    }

    /// `GET /containers/{id}/archive`: what is at `path` and a tar stream of it, its entries
    /// named after the path's last component (`.` for `dir/.`, whose entries are `./…`).
    pub fn container_archive_get(
        &self,
        name: &str,
        path: &str,
    ) -> Result<(PathStat, ContainerArchive)> {
        let root = self.open_root(name, false)?;
        let (r, stat) = root.stat(path)?;
        let (_, base) = split_dir_entry(path);
        let top = if base == "/" { ".".into() } else { base };
        Ok((
            stat,
            ContainerArchive {
                root,
                what: Some((r, top.into_bytes())),
            },
        ))
    }

    /// `PUT /containers/{id}/archive`: extracts a tar stream (plain, gzip or zstd) into the
    /// existing directory `path` of the container, through the confined unpacker.
    pub fn container_archive_put(
        &self,
        name: &str,
        path: &str,
        reader: impl Read,
        o: &ArchivePutOptions,
    ) -> Result<()> {
        let root = self.open_root(name, true)?;
        let opts = ExtractOptions {
            whiteouts: false,
            owner: (!o.copy_uid_gid).then_some((0, 0)),
            no_overwrite_dir_non_dir: o.no_overwrite_dir_non_dir,
        };
        Ok(root.put(path, reader, opts)?)
    }

    /// `export`: the container's whole filesystem as a tar stream.
    pub fn container_export(&self, name: &str) -> Result<ContainerArchive> {
        let root = self.open_root(name, false)?;
        Ok(ContainerArchive { root, what: None })
    }

    /// `diff`: the changes of the container's filesystem against its image.
    pub fn container_changes(&self, name: &str) -> Result<Vec<Change>> {
        let store = self.store()?;
        let c = crate::containers::resolve(&store, name)?;
        Ok(fsarch::changes(&store, &c)?
            .into_iter()
            .map(|(kind, path)| Change { kind, path })
            .collect())
    }

    /// `cp SRC DST`, one side a container (Docker's path rules); `-` reads a tar stream from
    /// `stdin` or writes one to `stdout`.
    pub fn container_copy(
        &self,
        src: &CopyEndpoint,
        dst: &CopyEndpoint,
        o: &CopyOptions,
        stdin: &mut dyn Read,
        stdout: &mut dyn Write,
    ) -> Result<()> {
        use CopyEndpoint::*;
        match (src, dst) {
            (Container { .. }, Container { .. }) => Err(Error::invalid(
                "copying between containers is not supported",
            )),
            (Container { container, path }, _) => self.copy_out(container, path, dst, o, stdout),
            (_, Container { container, path }) => self.copy_in(src, container, path, o, stdin),
            _ => Err(Error::invalid("must specify at least one container source")),
        }
    }

    fn copy_out(
        &self,
        container: &str,
        path: &str,
        dst: &CopyEndpoint,
        o: &CopyOptions,
        stdout: &mut dyn Write,
    ) -> Result<()> {
        if path.is_empty() {
            return Err(Error::invalid("path cannot be empty"));
        }
        let root = self.open_root(container, false)?;
        let (mut src_path, mut src_base) = (path.to_string(), split_dir_entry(path).1);
        if o.follow_link {
            let (_, st) = root.stat(path)?;
            if st.is_symlink() {
                src_path = st.link_target;
            }
        }
        let (r, st) = root.stat(&src_path)?;
        if src_base == "/" {
            src_base = ".".into();
        }
        let dest = match dst {
            CopyEndpoint::Stream => {
                return Ok(root.write_tar(&r, src_base.as_bytes(), stdout)?);
            }
            CopyEndpoint::Local(d) => d,
            CopyEndpoint::Container { .. } => unreachable!("checked by container_copy"),
        };
        let dst_str = dest.to_string_lossy().into_owned();
        let (dir, top) = copy_target(&src_base, st.is_dir(), &dst_str, local_dest(dest)?)?;
        let owner = if o.archive {
            None
        } else {
            Some((
                nix::unistd::geteuid().as_raw(),
                nix::unistd::getegid().as_raw(),
            ))
        };
        let opts = ExtractOptions {
            whiteouts: false,
            owner,
            no_overwrite_dir_non_dir: true,
        };
        piped(
            |w| Ok(root.write_tar(&r, top.as_bytes(), w)?),
            |reader| {
                Ok(fsarch::tarball::extract_local(
                    reader,
                    Path::new(&dir),
                    opts,
                )?)
            },
        )
    }

    fn copy_in(
        &self,
        src: &CopyEndpoint,
        container: &str,
        path: &str,
        o: &CopyOptions,
        stdin: &mut dyn Read,
    ) -> Result<()> {
        if path.is_empty() {
            return Err(Error::invalid("path cannot be empty"));
        }
        let root = self.open_root(container, true)?;
        // A destination that is a symlink is followed (Docker's rule).
        let what_is = |p: &str| -> Result<Option<PathStat>> {
            match root.stat(p) {
                Ok((_, st)) => Ok(Some(st)),
                Err(ArchiveError::NotFound { .. }) => Ok(None),
                Err(e) => Err(e.into()),
            }
        };
        let mut dst_path = path.to_string();
        let mut dst = what_is(path)?;
        if let Some(st) = &dst
            && st.is_symlink()
        {
            dst_path = st.link_target.clone();
            dst = what_is(&dst_path)?;
        }
        let dst_is_dir = dst.as_ref().map(PathStat::is_dir);
        let opts = ExtractOptions {
            whiteouts: false,
            owner: (!o.archive).then_some((0, 0)),
            no_overwrite_dir_non_dir: true,
        };
        let local = match src {
            CopyEndpoint::Stream => {
                if dst_is_dir != Some(true) {
                    return Err(Error::invalid(format!(
                        "destination \"{container}:{path}\" must be a directory"
                    )));
                }
                return Ok(root.put(&dst_path, stdin, opts)?);
            }
            CopyEndpoint::Local(p) => p,
            CopyEndpoint::Container { .. } => unreachable!("checked by container_copy"),
        };
        let src_str = local.to_string_lossy().into_owned();
        let meta = if o.follow_link {
            fs::metadata(local)
        } else {
            fs::symlink_metadata(local)
        }
        .map_err(Error::io(format!("lstat {src_str}")))?;
        let (_, src_base) = split_dir_entry(&src_str);
        let src_base = if src_base == "/" {
            ".".into()
        } else {
            src_base
        };
        let (dir, top) = copy_target(&src_base, meta.is_dir(), &dst_path, dst_is_dir)?;
        let follow = o.follow_link;
        piped(
            |w| {
                fsarch::tarball::tar_local(local, follow, top.as_bytes(), w)
                    .map_err(Error::io(format!("archiving {src_str}")))
            },
            |reader| Ok(root.put(&dir, reader, opts)?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp_arguments_are_read_as_docker_reads_them() {
        assert_eq!(CopyEndpoint::parse("-"), CopyEndpoint::Stream);
        assert_eq!(
            CopyEndpoint::parse("/a:b"),
            CopyEndpoint::Local("/a:b".into())
        );
        assert_eq!(
            CopyEndpoint::parse("./a:b"),
            CopyEndpoint::Local("./a:b".into())
        );
        assert_eq!(
            CopyEndpoint::parse("file"),
            CopyEndpoint::Local("file".into())
        );
        assert_eq!(
            CopyEndpoint::parse("c1:/etc/passwd"),
            CopyEndpoint::Container {
                container: "c1".into(),
                path: "/etc/passwd".into()
            }
        );
    }

    #[test]
    fn paths_split_as_dockers() {
        let s = |p: &str| {
            let (a, b) = split_dir_entry(p);
            (a, b)
        };
        assert_eq!(s("/etc/passwd"), ("/etc".into(), "passwd".into()));
        assert_eq!(s("/etc/"), ("/".into(), "etc".into()));
        assert_eq!(s("/etc/."), ("/etc".into(), ".".into()));
        assert_eq!(s("dir"), (".".into(), "dir".into()));
        assert_eq!(s("a/b/"), ("a".into(), "b".into()));
        assert_eq!(s("/"), ("/".into(), "/".into()));
    }

    #[test]
    fn copy_targets_follow_dockers_rules() {
        // Into an existing directory: under its own name, or its content for `dir/.`.
        assert_eq!(
            copy_target("f", false, "/tmp", Some(true)).unwrap(),
            ("/tmp".into(), "f".into())
        );
        assert_eq!(
            copy_target(".", true, "/tmp", Some(true)).unwrap(),
            ("/tmp".into(), ".".into())
        );
        // Onto an existing file: a file replaces it, a directory cannot.
        assert_eq!(
            copy_target("f", false, "/tmp/g", Some(false)).unwrap(),
            ("/tmp".into(), "g".into())
        );
        assert!(copy_target("d", true, "/tmp/g", Some(false)).is_err());
        // To a new name: a directory or a file takes it; a file cannot make a directory.
        assert_eq!(
            copy_target("d", true, "/tmp/new", None).unwrap(),
            ("/tmp".into(), "new".into())
        );
        assert_eq!(
            copy_target("d", true, "/tmp/new/", None).unwrap(),
            ("/tmp".into(), "new".into())
        );
        assert_eq!(
            copy_target("f", false, "/tmp/new", None).unwrap(),
            ("/tmp".into(), "new".into())
        );
        assert!(copy_target("f", false, "/tmp/new/", None).is_err());
    }
}
