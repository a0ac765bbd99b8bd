//! Layer store: each layer unpacked once into `ROOT/layers/sha256/<diffID hex>`, shared by every
//! image that uses it. The directories are in overlayfs form (whiteouts as 0/0 character devices,
//! opaque directories marked with `trusted.overlay.opaque=y`) and stack directly as lowerdirs.
//!
//! A layer is unpacked into a directory in the temp area and renamed into place only after its
//! diffID has been checked and its files synced, so a directory under `layers/` is always
//! complete, even after a power loss.

pub mod pack;
pub mod unpack;

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub use unpack::{Compression, ExtractOptions, UnpackError, Unpacked, unpack_into};

use crate::reference::is_valid_digest;
use crate::tmp::{TempArea, remove_any};

#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("layer store {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Unpack(#[from] UnpackError),
    #[error(
        "layer diffID mismatch: the image config says {expected}, the layer's content is {actual}"
    )]
    DiffIdMismatch { expected: String, actual: String },
    #[error("invalid layer diffID {0:?}")]
    BadDiffId(String),
    #[error(transparent)]
    Pack(#[from] pack::PackError),
    #[error(transparent)]
    Content(#[from] crate::content::ContentError),
}

/// A layer made by [`LayerStore::pack`]: its gzip blob is in the content store, its unpacked
/// form in the layer store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// `sha256:` of the uncompressed tar stream.
    pub diff_id: String,
    /// `sha256:` of the gzip blob.
    pub blob_digest: String,
    pub blob_size: u64,
    /// Bytes of regular-file content.
    pub size: u64,
}

/// The media type of the blobs [`LayerStore::pack`] makes.
pub const PACKED_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

type Result<T> = std::result::Result<T, LayerError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> LayerError + '_ {
    move |source| LayerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone)]
pub struct LayerStore {
    dir: PathBuf,
    tmp: TempArea,
}

impl LayerStore {
    pub fn new(root: &Path, tmp: TempArea) -> Self {
        LayerStore {
            dir: root.join("layers").join("sha256"),
            tmp,
        }
    }

    pub fn path(&self, diff_id: &str) -> Result<PathBuf> {
        if !is_valid_digest(diff_id) {
            return Err(LayerError::BadDiffId(diff_id.to_string()));
        }
        Ok(self.dir.join(&diff_id["sha256:".len()..]))
    }

    pub fn contains(&self, diff_id: &str) -> bool {
        self.path(diff_id).map(|p| p.is_dir()).unwrap_or(false)
    }

    /// Unpacks a layer stream, checks its diffID and moves it into the store.
    /// Returns the number of bytes of file content (the layer's size).
    pub fn unpack(
        &self,
        reader: impl Read,
        compression: Compression,
        expected_diff_id: &str,
    ) -> Result<u64> {
        let staged = self.unpack_staged(reader, compression)?;
        self.commit_staged(staged, expected_diff_id)
    }

    /// Unpacks a layer stream into the temp area; nothing is visible in the store yet.
    pub fn unpack_staged(&self, reader: impl Read, compression: Compression) -> Result<Staged> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let work = self.tmp.new_dir("layer").map_err(io_err(self.tmp.dir()))?;
        // From here on, dropping `staged` removes the work directory.
        let mut staged = Staged {
            work,
            unpacked: None,
        };
        staged.unpacked = Some(unpack::unpack(reader, compression, &staged.work)?);
        Ok(staged)
    }

    /// Checks a staged layer's diffID and renames it into the store. Returns its size.
    pub fn commit_staged(&self, mut staged: Staged, expected: &str) -> Result<u64> {
        let target = self.path(expected)?;
        let Unpacked { diff_id, size } = staged.unpacked.take().expect("unpacked");
        if diff_id != expected {
            return Err(LayerError::DiffIdMismatch {
                expected: expected.to_string(),
                actual: diff_id,
            });
        }
        // The files must be on disk before the directory is visible in the store (a later pull
        // skips a layer whose directory exists) and before a transaction records the layer:
        // after a power loss, a renamed but unsynced tree can hold empty files.
        sync_filesystem(&staged.work).map_err(io_err(&staged.work))?;
        match fs::rename(&staged.work, &target) {
            Ok(()) => {}
            // Another process stored the same layer first: theirs is as good as ours.
            Err(e) if target.is_dir() => {
                tracing::debug!("layer {expected} already stored by another process: {e}");
            }
            Err(e) => return Err(io_err(&target)(e)),
        }
        let _ = crate::content::sync_dir(&self.dir);
        Ok(size)
    }

    /// Packs the directory `dir` (overlay form: a container's upper directory, a build step's
    /// changes) into a layer: the tar stream is hashed (diffID), gzipped and hashed again
    /// (digest) in one pass into the content store, then unpacked from the stored blob into
    /// the layer store (unless that layer is stored already), both synced before this returns.
    /// The paths in `skip` (relative: `etc/hosts`) are left out; no mtime is later than
    /// `mtime_max` (a build's `SOURCE_DATE_EPOCH`).
    pub fn pack(
        &self,
        content: &crate::content::ContentStore,
        dir: &Path,
        skip: &[&str],
        mtime_max: Option<u64>,
    ) -> Result<Packed> {
        let blob = pack::HashWriter::new(content.writer()?);
        let gz = flate2::write::GzEncoder::new(blob, flate2::Compression::fast());
        let mut tar = pack::HashWriter::new(gz);
        let size = pack::write_tar_skipping(dir, &mut tar, skip, mtime_max)?;
        let (diff_id, _, gz) = tar.finish();
        let blob = gz.finish().map_err(pack::PackError::Write)?;
        let (_, blob_size, writer) = blob.finish();
        let blob_digest = writer.finish()?;
        if !self.contains(&diff_id) {
            let f = io::BufReader::with_capacity(1 << 20, content.open(&blob_digest)?);
            self.unpack(f, Compression::Gzip, &diff_id)?;
        }
        Ok(Packed {
            diff_id,
            blob_digest,
            blob_size,
            size,
        })
    }

    /// [`LayerStore::pack`] for a directory nothing writes to any more (a finished build step's
    /// upper directory, unmounted): the blob is made the same way, and `dir` itself becomes
    /// the layer's directory (renamed into the store after a sync) instead of a second copy
    /// unpacked from the blob. The entries in `skip` are removed from `dir` first (their
    /// parent directories keep their times), so the directory holds exactly what the stream
    /// does. `dir` must be on the store's file system. Returns `None` (nothing packed, `dir`
    /// unchanged) when a `skip` entry is a directory; when the layer is stored already, `dir`
    /// is left where it is for the caller to remove.
    pub fn pack_adopting(
        &self,
        content: &crate::content::ContentStore,
        dir: &Path,
        skip: &[&str],
    ) -> Result<Option<Packed>> {
        for s in skip {
            if !pack::remove_entry(dir, s).map_err(io_err(dir))? {
                return Ok(None);
            }
        }
        let blob = pack::HashWriter::new(content.writer()?);
        let gz = flate2::write::GzEncoder::new(blob, flate2::Compression::fast());
        let mut tar = pack::HashWriter::new(gz);
        let size = pack::write_tar(dir, &mut tar)?;
        let (diff_id, _, gz) = tar.finish();
        let blob = gz.finish().map_err(pack::PackError::Write)?;
        let (_, blob_size, writer) = blob.finish();
        let blob_digest = writer.finish()?;
        if !self.contains(&diff_id) {
            fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
            let target = self.path(&diff_id)?;
            sync_filesystem(dir).map_err(io_err(dir))?;
            match fs::rename(dir, &target) {
                Ok(()) => {}
                Err(e) if target.is_dir() => {
                    tracing::debug!("layer {diff_id} already stored by another process: {e}");
                }
                Err(e) => return Err(io_err(&target)(e)),
            }
            let _ = crate::content::sync_dir(&self.dir);
        }
        Ok(Some(Packed {
            diff_id,
            blob_digest,
            blob_size,
            size,
        }))
    }

    /// Removes a layer directory: renamed out of the store first (atomic), then deleted.
    pub fn remove(&self, diff_id: &str) -> Result<()> {
        let p = self.path(diff_id)?;
        let trash = self.tmp.new_path("trash").map_err(io_err(self.tmp.dir()))?;
        match fs::rename(&p, &trash) {
            Ok(()) => remove_any(&trash).map_err(io_err(&trash)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// diffIDs of every layer directory on disk.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let rd = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(io_err(&self.dir)(e)),
        };
        for e in rd {
            let e = e.map_err(io_err(&self.dir))?;
            let d = format!("sha256:{}", e.file_name().to_string_lossy());
            if is_valid_digest(&d) {
                out.push(d);
            }
        }
        Ok(out)
    }
}

/// Writes out everything of the file system that holds `dir`: one `syncfs(2)` covers every file
/// and directory of a freshly unpacked layer (thousands of them) with one journal commit, where
/// a `fdatasync` per file would commit the journal again and again. It also writes out what
/// other processes left dirty on that file system.
fn sync_filesystem(dir: &Path) -> io::Result<()> {
    let d = fs::File::open(dir)?;
    nix::unistd::syncfs(&d).map_err(io::Error::from)
}

/// A layer unpacked in the temp area, not yet in the store. Dropping it removes the directory.
pub struct Staged {
    work: PathBuf,
    unpacked: Option<Unpacked>,
}

impl Staged {
    /// The diffID and content size of the staged layer.
    pub fn unpacked(&self) -> Option<(String, u64)> {
        self.unpacked.as_ref().map(|u| (u.diff_id.clone(), u.size))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // After a successful rename the path no longer exists and this is a no-op.
        let _ = remove_any(&self.work);
    }
}
