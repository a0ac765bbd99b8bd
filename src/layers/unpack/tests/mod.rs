//! Tests of the unpacker: real tar streams (built raw, so that malformed ones can be made too)
//! unpacked into temporary directories. This file holds the shared helpers (the tar builder,
//! the test directory); the tests are grouped by topic in the files below.

use super::*;
use std::ffi::{CString, OsStr};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;

use sha2::{Digest, Sha256};

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use tar::{EntryType, Header};

mod compression;
mod entries;
mod escapes;
mod links;
mod metadata;
mod whiteouts;

// -- building tar streams ------------------------------------------------

/// Builds tar streams entry by entry, writing raw header fields so that
/// names `tar::Builder` refuses (`..`, absolute) can be produced too.
struct Tar {
    builder: tar::Builder<Vec<u8>>,
}

struct E<'a> {
    kind: EntryType,
    name: &'a [u8],
    link: &'a [u8],
    data: &'a [u8],
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
    dev: (u32, u32),
}

fn e(kind: EntryType, name: &str) -> E<'_> {
    E {
        kind,
        name: name.as_bytes(),
        link: b"",
        data: b"",
        mode: if kind == EntryType::Directory {
            0o755
        } else {
            0o644
        },
        uid: 0,
        gid: 0,
        mtime: 1_600_000_000,
        dev: (0, 0),
    }
}

impl Tar {
    fn new() -> Self {
        Tar {
            builder: tar::Builder::new(Vec::new()),
        }
    }

    /// GNU long-name ('L') or long-link ('K') extension entry.
    fn gnu_long(&mut self, kind: EntryType, value: &[u8]) {
        let mut data = value.to_vec();
        data.push(0);
        let mut h = Header::new_gnu();
        h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        self.builder.append(&h, data.as_slice()).unwrap();
    }

    /// PAX ('x') extended header applying to the next entry.
    fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (key, value) in records {
            let base = key.len() + value.len() + 3;
            let mut len = base + 1;
            while base + len.to_string().len() != len {
                len = base + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {key}=").as_bytes());
            data.extend_from_slice(value);
            data.push(b'\n');
        }
        let mut h = Header::new_ustar();
        h.set_path("PaxHeaders/entry").unwrap();
        h.set_entry_type(EntryType::XHeader);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        self.builder.append(&h, data.as_slice()).unwrap();
        self
    }

    fn add(&mut self, e: E<'_>) -> &mut Self {
        if e.name.len() > 100 {
            self.gnu_long(EntryType::GNULongName, e.name);
        }
        if e.link.len() > 100 {
            self.gnu_long(EntryType::GNULongLink, e.link);
        }
        let mut h = Header::new_gnu();
        let n = e.name.len().min(100);
        h.as_old_mut().name[..n].copy_from_slice(&e.name[..n]);
        let l = e.link.len().min(100);
        h.as_old_mut().linkname[..l].copy_from_slice(&e.link[..l]);
        h.set_entry_type(e.kind);
        h.set_size(e.data.len() as u64);
        h.set_mode(e.mode);
        h.set_uid(e.uid);
        h.set_gid(e.gid);
        h.set_mtime(e.mtime);
        h.set_device_major(e.dev.0).unwrap();
        h.set_device_minor(e.dev.1).unwrap();
        h.set_cksum();
        self.builder.append(&h, e.data).unwrap();
        self
    }

    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.add(E {
            data,
            ..e(EntryType::Regular, name)
        })
    }

    fn dir(&mut self, name: &str) -> &mut Self {
        self.add(e(EntryType::Directory, name))
    }

    fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(E {
            link: target.as_bytes(),
            ..e(EntryType::Symlink, name)
        })
    }

    fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.add(E {
            link: target.as_bytes(),
            ..e(EntryType::Link, name)
        })
    }

    fn bytes(&mut self) -> Vec<u8> {
        let mut builder = std::mem::replace(&mut self.builder, tar::Builder::new(Vec::new()));
        builder.finish().unwrap();
        builder.into_inner().unwrap()
    }
}

// -- test environment ----------------------------------------------------

/// `<tmp>/dest` (the layer directory) next to `<tmp>/outside`, a sentinel
/// directory holding one file, `keep`, that must never change.
struct Env {
    _tmp: tempfile::TempDir,
    dest: PathBuf,
    outside: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("dest");
        let outside = tmp.path().join("outside");
        fs::create_dir(&dest).unwrap();
        fs::create_dir(&outside).unwrap();
        fs::write(outside.join("keep"), b"keep").unwrap();
        fs::set_permissions(outside.join("keep"), fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o755)).unwrap();
        Env {
            _tmp: tmp,
            dest,
            outside,
        }
    }

    fn unpack(&self, tar: &[u8]) -> Result<Unpacked, UnpackError> {
        unpack(tar, Compression::Plain, &self.dest)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dest.join(rel)
    }

    fn lstat(&self, rel: &str) -> fs::Metadata {
        fs::symlink_metadata(self.path(rel)).unwrap()
    }

    /// The sentinel directory is exactly as created.
    fn assert_outside_untouched(&self) {
        let names: Vec<_> = fs::read_dir(&self.outside)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("keep")]);
        let keep = self.outside.join("keep");
        let md = fs::symlink_metadata(&keep).unwrap();
        assert!(md.file_type().is_file());
        assert_eq!(fs::read(&keep).unwrap(), b"keep");
        assert_eq!(md.mode() & 0o7777, 0o644);
        assert_eq!((md.uid(), md.gid()), (0, 0));
        assert_eq!(md.nlink(), 1);
        let dir = fs::symlink_metadata(&self.outside).unwrap();
        assert_eq!(dir.mode() & 0o7777, 0o755);
        assert_eq!((dir.uid(), dir.gid()), (0, 0));
        assert_eq!(lgetxattr(&self.outside, "trusted.overlay.opaque"), None);
    }

    fn assert_escape(&self, tar: &[u8]) {
        match self.unpack(tar) {
            Err(UnpackError::Escape { .. }) => {}
            other => panic!("expected an Escape error, got {other:?}"),
        }
        self.assert_outside_untouched();
    }
}

fn lgetxattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    let path = CString::new(path.as_os_str().as_bytes()).unwrap();
    let name = CString::new(name).unwrap();
    let mut buf = vec![0u8; 1024];
    // libc's lgetxattr: nix has no wrapper for extended attributes.
    // SAFETY: valid C strings and buffer.
    let n = unsafe {
        libc::lgetxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    if n < 0 {
        return None;
    }
    buf.truncate(n as usize);
    Some(buf)
}

fn sha256_hex(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

/// A unique name in /tmp that must not come into existence.
fn tmp_canary(tag: &str) -> (String, PathBuf) {
    let name = format!("berth-unpack-canary-{}-{tag}", std::process::id());
    let path = Path::new("/tmp").join(&name);
    let _ = fs::remove_file(&path);
    (name, path)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(data, 3).unwrap()
}
