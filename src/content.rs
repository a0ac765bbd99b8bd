//! Content store: blobs named by their sha256 digest under `ROOT/blobs/sha256/<hex>`.
//!
//! Writes go to a temp file in the store's temp area, are hashed while written, fsynced, and
//! renamed into place only when the digest matches, so a visible blob is always complete.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::reference::is_valid_digest;
use crate::tmp::TempArea;

#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error("blob {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("blob digest mismatch: expected {expected}, got {actual}")]
    DigestMismatch { expected: String, actual: String },
    #[error("blob size mismatch for {digest}: expected {expected} bytes, got {actual}")]
    SizeMismatch {
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("invalid digest {0:?}: only sha256:<64 hex> is supported")]
    BadDigest(String),
}

type Result<T> = std::result::Result<T, ContentError>;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ContentError + '_ {
    move |source| ContentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `sha256:<hex>` of a byte slice.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

#[derive(Debug, Clone)]
pub struct ContentStore {
    dir: PathBuf,
    tmp: TempArea,
}

impl ContentStore {
    pub fn new(root: &Path, tmp: TempArea) -> Self {
        ContentStore {
            dir: root.join("blobs").join("sha256"),
            tmp,
        }
    }

    pub fn path(&self, digest: &str) -> Result<PathBuf> {
        if !is_valid_digest(digest) {
            return Err(ContentError::BadDigest(digest.to_string()));
        }
        Ok(self.dir.join(&digest["sha256:".len()..]))
    }

    pub fn contains(&self, digest: &str) -> bool {
        self.path(digest).map(|p| p.is_file()).unwrap_or(false)
    }

    pub fn read(&self, digest: &str) -> Result<Vec<u8>> {
        let p = self.path(digest)?;
        fs::read(&p).map_err(io_err(&p))
    }

    pub fn open(&self, digest: &str) -> Result<File> {
        let p = self.path(digest)?;
        File::open(&p).map_err(io_err(&p))
    }

    /// Stores a small blob held in memory (manifests, configs).
    pub fn put(&self, expected: &str, bytes: &[u8]) -> Result<()> {
        if self.contains(expected) {
            return Ok(());
        }
        let mut w = self.writer()?;
        w.write_all(bytes).map_err(io_err(&self.dir))?;
        w.commit(expected, Some(bytes.len() as u64))
    }

    /// A writer for a new blob; nothing is visible until [`BlobWriter::commit`].
    pub fn writer(&self) -> Result<BlobWriter> {
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        let path = self.tmp.new_path("blob").map_err(io_err(&self.dir))?;
        let file = File::create(&path).map_err(io_err(&path))?;
        Ok(BlobWriter {
            file: Some(io::BufWriter::with_capacity(1 << 20, file)),
            hasher: Sha256::new(),
            written: 0,
            path,
            dir: self.dir.clone(),
        })
    }

    /// Moves a complete file of the temp area into the store as blob `digest` (already
    /// computed by the caller as the file was read): synced, renamed, the directory synced.
    /// `path` must be on the store's file system.
    pub fn adopt(&self, path: &Path, digest: &str) -> Result<()> {
        let dest = self.path(digest)?;
        fs::create_dir_all(&self.dir).map_err(io_err(&self.dir))?;
        if dest.is_file() {
            return Ok(());
        }
        File::open(path)
            .and_then(|f| f.sync_all())
            .map_err(io_err(path))?;
        fs::rename(path, &dest).map_err(io_err(&dest))?;
        sync_dir(&self.dir).map_err(io_err(&self.dir))
    }

    /// Removes a blob; a missing blob is not an error.
    pub fn remove(&self, digest: &str) -> Result<()> {
        let p = self.path(digest)?;
        match fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(&p)(e)),
            _ => Ok(()),
        }
    }

    /// Digests of every blob on disk.
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

/// A blob being written: hashed as it goes, committed by digest.
pub struct BlobWriter {
    file: Option<io::BufWriter<File>>,
    hasher: Sha256,
    written: u64,
    path: PathBuf,
    dir: PathBuf,
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let f = self.file.as_mut().expect("write after commit");
        let n = f.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl BlobWriter {
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Commits the blob under the digest of what was written; returns it.
    pub fn finish(self) -> Result<String> {
        let digest = format!("sha256:{}", hex::encode(self.hasher.clone().finalize()));
        self.commit(&digest, None)?;
        Ok(digest)
    }

    /// Verifies digest (and size, if known), fsyncs and renames the blob into place.
    pub fn commit(mut self, expected: &str, expected_size: Option<u64>) -> Result<()> {
        let actual = format!(
            "sha256:{}",
            hex::encode(std::mem::take(&mut self.hasher).finalize())
        );
        if let Some(size) = expected_size
            && size != self.written
        {
            return Err(ContentError::SizeMismatch {
                digest: expected.to_string(),
                expected: size,
                actual: self.written,
            });
        }
        if actual != expected {
            return Err(ContentError::DigestMismatch {
                expected: expected.to_string(),
                actual,
            });
        }
        let file = self
            .file
            .take()
            .expect("commit twice")
            .into_inner()
            .map_err(|e| io_err(&self.path)(e.into_error()))?;
        file.sync_all().map_err(io_err(&self.path))?;
        drop(file);
        let dest = self.dir.join(&expected["sha256:".len()..]);
        fs::rename(&self.path, &dest).map_err(io_err(&dest))?;
        sync_dir(&self.dir).map_err(io_err(&self.dir))?;
        Ok(())
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        // Not committed: remove the temp file (a no-op after a successful rename).
        if self.file.is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// fsync a directory so a rename into it is durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, ContentStore) {
        let d = tempfile::tempdir().unwrap();
        let tmp = TempArea::new(d.path()).unwrap();
        let s = ContentStore::new(d.path(), tmp);
        (d, s)
    }

    #[test]
    fn put_read_remove() {
        let (_d, s) = store();
        let dg = sha256_digest(b"hello");
        s.put(&dg, b"hello").unwrap();
        assert!(s.contains(&dg));
        assert_eq!(s.read(&dg).unwrap(), b"hello");
        assert_eq!(s.list().unwrap(), vec![dg.clone()]);
        s.remove(&dg).unwrap();
        assert!(!s.contains(&dg));
        s.remove(&dg).unwrap();
    }

    #[test]
    fn mismatched_digest_is_refused_and_leaves_nothing() {
        let (d, s) = store();
        let wrong = sha256_digest(b"other");
        let err = s.put(&wrong, b"hello").unwrap_err();
        assert!(matches!(err, ContentError::DigestMismatch { .. }));
        assert!(!s.contains(&wrong));
        let leftovers: Vec<_> = fs::read_dir(d.path().join("tmp")).unwrap().collect();
        assert!(leftovers.is_empty(), "temp file left: {leftovers:?}");
    }

    #[test]
    fn size_mismatch_is_refused() {
        let (_d, s) = store();
        let dg = sha256_digest(b"hello");
        let mut w = s.writer().unwrap();
        w.write_all(b"hello").unwrap();
        assert!(matches!(
            w.commit(&dg, Some(4)),
            Err(ContentError::SizeMismatch { .. })
        ));
    }

    #[test]
    fn digest_must_be_sha256_hex() {
        let (_d, s) = store();
        assert!(s.path("sha256:../../x").is_err());
    }
}
