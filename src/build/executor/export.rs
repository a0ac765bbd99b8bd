//! `--output` (`-o`): where a build's result goes, as Docker's BuildKit exporters name them.
//! `type=image` (the default) keeps it in the store; `type=local,dest=DIR` writes its files
//! into DIR; `type=tar,dest=FILE|-` writes them as one tar; `type=docker,dest=FILE` and
//! `type=oci,dest=FILE` write an archive that `load` reads (the archive of `save`, a Docker
//! archive and an OCI layout at once). The short forms: `-o DIR` (local) and `-o -` (a tar to
//! standard output). The files are those of the final stage's image, exported through a
//! container of it that is never started (as `export`), with their owners, modes and links.

use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use super::{BuildError, Result};
use crate::containers::archive::Root;
use crate::containers::{self, Settings, lifecycle};
use crate::layers::ExtractOptions;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    Image,
    Local,
    Tar,
    Docker,
    Oci,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputDest {
    Path(PathBuf),
    /// `dest=-`: the caller's standard output.
    Stdout,
}

/// One `--output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub kind: OutputKind,
    pub dest: Option<OutputDest>,
    /// `name=`: more tags for `type=image`.
    pub names: Vec<String>,
}

impl Output {
    /// Parses an `--output` value: `type=T,dest=D,name=N` or a short form.
    pub fn parse(spec: &str) -> Result<Output> {
        let bad = |m: String| BuildError::Invalid(format!("invalid output {spec:?}: {m}"));
        if !spec.contains('=') {
            if spec.is_empty() {
                return Err(bad("empty".into()));
            }
            return Ok(if spec == "-" {
                Output {
                    kind: OutputKind::Tar,
                    dest: Some(OutputDest::Stdout),
                    names: vec![],
                }
            } else {
                Output {
                    kind: OutputKind::Local,
                    dest: Some(OutputDest::Path(PathBuf::from(spec))),
                    names: vec![],
                }
            });
        }
        let mut kind = None;
        let mut dest = None;
        let mut names = Vec::new();
        for field in spec.split(',') {
            let (k, v) = field
                .split_once('=')
                .ok_or_else(|| bad(format!("{field:?} is not KEY=VALUE")))?;
            match k.trim() {
                "type" => {
                    kind = Some(match v {
                        "image" => OutputKind::Image,
                        "local" => OutputKind::Local,
                        "tar" => OutputKind::Tar,
                        "docker" => OutputKind::Docker,
                        "oci" => OutputKind::Oci,
                        _ => {
                            return Err(bad(format!(
                                "unsupported type {v:?} (image, local, tar, docker, oci)"
                            )));
                        }
                    })
                }
                "dest" => {
                    dest = Some(if v == "-" {
                        OutputDest::Stdout
                    } else if v.is_empty() {
                        return Err(bad("empty dest".into()));
                    } else {
                        OutputDest::Path(PathBuf::from(v))
                    })
                }
                "name" => names.extend(v.split(';').filter(|n| !n.is_empty()).map(String::from)),
                other => return Err(bad(format!("unsupported attribute {other:?}"))),
            }
        }
        let kind = kind.ok_or_else(|| bad("type is required".into()))?;
        match (kind, &dest) {
            (OutputKind::Image, Some(_)) => {
                return Err(bad("type=image takes no dest".into()));
            }
            (OutputKind::Local, None) => {
                return Err(bad("dest is required for local output".into()));
            }
            (OutputKind::Local, Some(OutputDest::Stdout)) => {
                return Err(bad("a local output needs a directory, not \"-\"".into()));
            }
            (OutputKind::Tar | OutputKind::Oci, None) => {
                return Err(bad("dest is required (a file, or \"-\")".into()));
            }
            _ => {}
        }
        // `type=docker` without dest loads the image: the store.
        let kind = match (kind, &dest) {
            (OutputKind::Docker, None) => OutputKind::Image,
            _ => kind,
        };
        if !names.is_empty() && kind != OutputKind::Image {
            return Err(bad("name= is supported with type=image only".into()));
        }
        Ok(Output { kind, dest, names })
    }

    /// Whether this output keeps the image in the store.
    pub fn is_image(&self) -> bool {
        self.kind == OutputKind::Image
    }
}

/// Writes image `id` to `out`. `names`: what an archive calls it (its tags, or its ID).
/// `stdout`: where `dest=-` goes.
pub fn export(
    store: &mut Store,
    id: &str,
    names: &[String],
    out: &Output,
    stdout: &mut dyn Write,
) -> Result<()> {
    let dest = match &out.dest {
        Some(d) => d,
        None => return Ok(()),
    };
    match out.kind {
        OutputKind::Image => Ok(()),
        OutputKind::Local => {
            let OutputDest::Path(dir) = dest else {
                unreachable!("checked by parse")
            };
            local(store, id, dir)
        }
        OutputKind::Tar => to_dest(store, dest, stdout, &mut |store, w| {
            rootfs_tar(store, id, w)
        }),
        OutputKind::Docker | OutputKind::Oci => to_dest(store, dest, stdout, &mut |store, w| {
            crate::images::archive::save(store, names, w)?;
            Ok(())
        }),
    }
}

type Writer<'a> = dyn FnMut(&mut Store, &mut dyn Write) -> Result<()> + 'a;

/// Runs `write` into a file (a temporary one renamed over `dest` when complete) or stdout.
fn to_dest(
    store: &mut Store,
    dest: &OutputDest,
    stdout: &mut dyn Write,
    write: &mut Writer<'_>,
) -> Result<()> {
    match dest {
        OutputDest::Stdout => {
            write(store, stdout)?;
            stdout
                .flush()
                .map_err(|e| BuildError::io("writing the output", e))
        }
        OutputDest::Path(path) => {
            let name = path
                .file_name()
                .ok_or_else(|| BuildError::Invalid(format!("invalid dest {}", path.display())))?;
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{}.", name.to_string_lossy()))
                .tempfile_in(&parent)
                .map_err(|e| BuildError::io(format!("creating {}", path.display()), e))?;
            {
                let mut w = io::BufWriter::new(tmp.as_file_mut());
                write(store, &mut w)?;
                w.flush()
                    .map_err(|e| BuildError::io(format!("writing {}", path.display()), e))?;
            }
            tmp.as_file()
                .sync_all()
                .map_err(|e| BuildError::io(format!("writing {}", path.display()), e))?;
            let f = tmp
                .persist(path)
                .map_err(|e| BuildError::io(format!("writing {}", path.display()), e.error))?;
            // A file as the user's umask makes it, not tempfile's 0600.
            let mode = 0o666 & !current_umask();
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(mode))
                .map_err(|e| BuildError::io(format!("writing {}", path.display()), e))?;
            Ok(())
        }
    }
}

fn current_umask() -> u32 {
    // SAFETY: umask only swaps the process's mask; it is set back at once.
    let old = unsafe { libc::umask(0o022) };
    // SAFETY: as above, the mask read is put back.
    unsafe { libc::umask(old) };
    old
}

/// The image's whole file tree as a tar stream, through a container of it never started.
fn rootfs_tar(store: &mut Store, id: &str, out: &mut dyn Write) -> Result<()> {
    let settings = Settings {
        image: id.to_string(),
        entrypoint: Some(vec![String::new()]),
        cmd: vec!["true".into()],
        ..Settings::default()
    };
    let cid = crate::names::new_id();
    let row = containers::create_with_id(store, &settings, None, cid.clone())?;
    let r = Root::open(store, &row, &cid, false).and_then(|root| root.export(out));
    if let Ok(c) = containers::resolve(store, &cid) {
        let _ = lifecycle::remove_with_volumes(store, &c, true, true);
    }
    r?;
    Ok(())
}

/// The image's files into directory `dir` (made if missing), by the confined unpacker.
fn local(store: &mut Store, id: &str, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| BuildError::io(format!("creating {}", dir.display()), e))?;
    let mut tar = tempfile::tempfile_in(store.tmp.dir())
        .map_err(|e| BuildError::io("making the output archive", e))?;
    {
        let mut w = io::BufWriter::new(&mut tar);
        rootfs_tar(store, id, &mut w)?;
        w.flush()
            .map_err(|e| BuildError::io("making the output archive", e))?;
    }
    io::Seek::rewind(&mut tar).map_err(|e| BuildError::io("reading the output archive", e))?;
    let fd: OwnedFd = nix::fcntl::open(
        dir,
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_DIRECTORY,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(|e| BuildError::io(format!("opening {}", dir.display()), e.into()))?;
    crate::layers::unpack_into(
        tar,
        fd,
        dir,
        ExtractOptions {
            whiteouts: false,
            owner: None,
            no_overwrite_dir_non_dir: false,
        },
    )
    .map_err(crate::containers::archive::ArchiveError::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_forms() {
        let o = Output::parse("type=local,dest=out").unwrap();
        assert_eq!(o.kind, OutputKind::Local);
        assert_eq!(o.dest, Some(OutputDest::Path("out".into())));
        assert_eq!(Output::parse("out").unwrap(), o);
        let t = Output::parse("-").unwrap();
        assert_eq!(
            (t.kind, t.dest),
            (OutputKind::Tar, Some(OutputDest::Stdout))
        );
        assert_eq!(
            Output::parse("type=tar,dest=-").unwrap().dest,
            Some(OutputDest::Stdout)
        );
        assert_eq!(
            Output::parse("type=docker").unwrap().kind,
            OutputKind::Image
        );
        assert_eq!(
            Output::parse("type=oci,dest=a.tar").unwrap().kind,
            OutputKind::Oci
        );
        assert_eq!(
            Output::parse("type=image,name=a:1;b").unwrap().names,
            ["a:1", "b"]
        );
        for bad in [
            "",
            "type=local",
            "type=tar",
            "type=local,dest=-",
            "type=image,dest=x",
            "type=registry",
            "dest=x",
            "type=tar,dest=x,compression=zstd",
            "type=local,dest=x,name=a",
        ] {
            assert!(Output::parse(bad).is_err(), "{bad}");
        }
    }
}
