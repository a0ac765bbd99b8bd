//! Safe unpacking of OCI / Docker image layers into a directory that is later
//! used, as is, as an overlayfs lower directory.
//!
//! # Pipeline
//!
//! Three stages connected by small bounded channels of 1 MiB chunks:
//! 1. the calling thread reads the blob and decompresses it (gzip, zstd or
//!    plain) — it stays on the calling thread because the reader need not be
//!    `Send`;
//! 2. a hashing thread computes the SHA-256 of the decompressed stream (the
//!    layer's `diff_id`) and forwards each chunk;
//! 3. an extraction thread parses the tar stream and writes the files.
//!
//! Decompression, hashing and file creation therefore overlap, like in
//! `gzip -dc | tar -x`. Chunk buffers travel back from the extraction thread
//! to the reader through a third channel so they are reused instead of
//! reallocated. A stage that fails drops its channels, which stops the others
//! promptly: a clean end of stream is an explicit message, so a closed channel
//! always means "abort".
//!
//! # Safety model
//!
//! `dest` is opened once; every later file-system operation is relative to a
//! directory descriptor obtained with `openat2(2)` and
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
//! RESOLVE_NO_XDEV`, so the kernel itself refuses any resolution that leaves
//! `dest` or crosses a symlink. Only the final component of an entry is then
//! touched, with `*at()` calls that never follow a symlink there either
//! (`O_NOFOLLOW|O_CREAT|O_EXCL`, `AT_SYMLINK_NOFOLLOW`, `linkat` without
//! `AT_SYMLINK_FOLLOW`, ...). The name-level checks below (no `..`, no
//! absolute names, ...) give clear errors, but even if one were missed, or the
//! tree raced, nothing outside `dest` could be created, written, chowned or
//! chmodded.
//!
//! Policy decisions:
//! * An entry name with a `..` component is refused ([`UnpackError::Escape`]).
//! * An absolute entry name (`/etc/passwd`) is refused too. Docker re-roots
//!   such names under the layer directory; we prefer to refuse them, since no
//!   well-formed layer contains them.
//! * A parent component of an entry that is a symlink (created by an earlier
//!   entry of this layer) is refused, wherever the symlink points.
//! * A hard link's target must be an earlier, non-symlink, non-directory entry
//!   of this layer, named without `..` and not absolute.
//! * A later entry for the same path replaces the earlier one (an existing
//!   directory is kept, and its metadata updated, when the new entry is also a
//!   directory). The replaced entry is removed without following symlinks.
//! * OCI whiteouts become overlayfs whiteouts: `dir/.wh.NAME` becomes the
//!   character device 0/0 `dir/NAME` (unless this layer already has
//!   `dir/NAME`, which then wins: whiteouts only hide lower layers), and
//!   `dir/.wh..wh..opq` sets `trusted.overlay.opaque=y` on `dir`. Other
//!   `.wh..wh.*` names (AUFS metadata) are ignored, together with anything
//!   below them. Whiteouts hide lower layers only, so when this layer has
//!   both `dir/.wh.NAME` and a directory `dir/NAME` (in either order, or
//!   implied by `dir/NAME/child`), `dir/NAME` ends up an opaque directory.
//! * `trusted.overlay.*` xattrs found in the tar stream are dropped: only the
//!   whiteout conversion above may give overlayfs instructions. Other xattrs
//!   are applied; like Docker, failures with `EOPNOTSUPP` or `EPERM` (file
//!   system without xattr support, `user.*` on a symlink, ...) are ignored.
//! * A tar stream must end with an end-of-archive block (a stream cut at an
//!   entry boundary is an error); an entirely empty stream is accepted as an
//!   empty layer. Bytes after the end-of-archive block are read and hashed but
//!   otherwise ignored.
//! * PAX-format sparse files and tar entry types other than files, hard links,
//!   symlinks, devices, FIFOs and directories are [`UnpackError::Unsupported`].
//!
//! Unpacking needs root (or `CAP_CHOWN`, `CAP_FOWNER`, `CAP_MKNOD` and
//! `CAP_SYS_ADMIN` for `trusted.*` xattrs).
//!
//! # Files
//!
//! `pipeline.rs` (the stages and the channel reader), `names.rs` (entry names,
//! whiteout names), `metadata.rs` (owners, modes, times, xattrs), `extract.rs`
//! (the extraction thread), `confined.rs` (the openat2-confined file system
//! calls), `tests/` (by topic).

mod confined;
pub(crate) use confined::list_dir;
mod extract;
mod metadata;
mod names;
mod pipeline;
#[cfg(test)]
mod tests;

use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use extract::Extractor;
use pipeline::{ChannelReader, Decoder, PumpError, QUEUE_DEPTH, hash_stage, join, pump};

/// Compression of a layer blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Plain,
    Gzip,
    Zstd,
}

impl Compression {
    /// From an OCI/Docker layer media type (`…tar`, `…tar+gzip`, `…tar+zstd`,
    /// `application/vnd.docker.image.rootfs.diff.tar.gzip`, the foreign and
    /// non-distributable variants). `None` if unknown.
    pub fn from_media_type(media_type: &str) -> Option<Compression> {
        // Ignore media-type parameters (`; foo=bar`) and letter case.
        let base = media_type.split(';').next().unwrap_or("").trim();
        let base = base.to_ascii_lowercase();
        match base.as_str() {
            "application/vnd.oci.image.layer.v1.tar"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar"
            | "application/vnd.docker.image.rootfs.diff.tar"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar" => Some(Compression::Plain),
            "application/vnd.oci.image.layer.v1.tar+gzip"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
            | "application/vnd.docker.image.rootfs.diff.tar.gzip"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => {
                Some(Compression::Gzip)
            }
            "application/vnd.oci.image.layer.v1.tar+zstd"
            | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
            | "application/vnd.docker.image.rootfs.diff.tar.zstd"
            | "application/vnd.docker.image.rootfs.foreign.diff.tar.zstd" => {
                Some(Compression::Zstd)
            }
            _ => None,
        }
    }

    /// From the first bytes of a blob (gzip `1f 8b`, zstd `28 b5 2f fd`, else
    /// plain).
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::Plain
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::Plain => "tar",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }
}

/// Result of a successful [`unpack`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    /// `sha256:<hex>` of the whole uncompressed tar stream, read to EOF.
    pub diff_id: String,
    /// Bytes of regular-file content written.
    pub size: u64,
}

/// Why a layer could not be unpacked.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// Reading the (compressed) layer blob itself failed.
    #[error("failed to read the layer blob: {0}")]
    Read(#[source] io::Error),
    /// A file-system operation in the layer directory failed.
    #[error("failed to unpack {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// An entry would create, modify or resolve through something outside the
    /// layer directory.
    #[error("layer entry {entry:?} would escape the layer directory: {reason}")]
    Escape { entry: String, reason: &'static str },
    /// Truncated or invalid compressed stream or tar stream.
    #[error("corrupt layer: {0}")]
    Corrupt(String),
    /// Valid tar content that this unpacker does not handle.
    #[error("unsupported layer content: {0}")]
    Unsupported(String),
    /// An entry would replace a directory with a non-directory or the reverse, which
    /// [`ExtractOptions::no_overwrite_dir_non_dir`] forbids.
    #[error("{0}")]
    Conflict(String),
}

/// How [`unpack_into`] treats the archive: a layer's rules (the default) or a copy's.
#[derive(Debug, Clone, Copy)]
pub struct ExtractOptions {
    /// OCI whiteouts (`.wh.NAME`, `.wh..wh..opq`) become overlay whiteouts; without, such
    /// names are ordinary files.
    pub whiteouts: bool,
    /// Every entry (and every directory made for one) gets this owner instead of the
    /// archive's.
    pub owner: Option<(u32, u32)>,
    /// Refuse to replace an existing directory with a non-directory, or the reverse.
    pub no_overwrite_dir_non_dir: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            whiteouts: true,
            owner: None,
            no_overwrite_dir_non_dir: false,
        }
    }
}

/// Unpack one layer blob into `dest`, an existing EMPTY directory owned by the
/// caller (the caller renames it into the layer store afterwards, and deletes
/// it on error).
///
/// Blocking (it runs two helper threads and waits for them): from async code,
/// call it inside `spawn_blocking`. The blob is read to EOF on success; on
/// error it returns as soon as the failing stage stops, leaving `dest` in an
/// unspecified state.
pub fn unpack(
    reader: impl Read,
    compression: Compression,
    dest: &Path,
) -> Result<Unpacked, UnpackError> {
    let root = nix::fcntl::open(
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| UnpackError::Io {
        path: dest.to_path_buf(),
        source: e.into(),
    })?;
    unpack_at(reader, compression, root, dest, ExtractOptions::default())
}

/// Unpacks a tar stream (plain, gzip or zstd, recognised by its first bytes) into the
/// directory `dest`, already opened (e.g. resolved inside a container's root), which may
/// have content: an entry replaces what is at its path (a directory is merged). `display` names
/// `dest` in errors. The same confinement as [`unpack`]: nothing is created, written or
/// changed outside `dest`. Blocking, like [`unpack`].
pub fn unpack_into(
    reader: impl Read,
    dest: OwnedFd,
    display: &Path,
    opts: ExtractOptions,
) -> Result<Unpacked, UnpackError> {
    let mut reader = io::BufReader::with_capacity(64 * 1024, reader);
    let head = io::BufRead::fill_buf(&mut reader).map_err(UnpackError::Read)?;
    let compression = Compression::sniff(head);
    unpack_at(reader, compression, dest, display, opts)
}

fn unpack_at(
    reader: impl Read,
    compression: Compression,
    root: OwnedFd,
    dest: &Path,
    opts: ExtractOptions,
) -> Result<Unpacked, UnpackError> {
    let decoder = Decoder::new(reader, compression)?;
    let (raw_tx, raw_rx) = mpsc::sync_channel(QUEUE_DEPTH);
    let (hashed_tx, hashed_rx) = mpsc::sync_channel(QUEUE_DEPTH);
    let (recycle_tx, recycle_rx) = mpsc::channel();

    std::thread::scope(|scope| {
        let spawn_error = |e| UnpackError::Io {
            path: dest.to_path_buf(),
            source: e,
        };
        let hasher = std::thread::Builder::new()
            .name("layer-hash".into())
            .spawn_scoped(scope, move || hash_stage(raw_rx, hashed_tx))
            .map_err(spawn_error)?;
        let extractor = std::thread::Builder::new()
            .name("layer-unpack".into())
            .spawn_scoped(scope, move || {
                let reader = ChannelReader::new(hashed_rx, recycle_tx);
                Extractor::new(root, dest, opts).run(reader)
            })
            .map_err(spawn_error)?;
        // `pump` owns the first sending side: when it returns, for whatever
        // reason, the next stages see the channel close.
        let pumped = pump(decoder, compression, raw_tx, recycle_rx);
        let diff_id = join(hasher);
        let extracted = join(extractor);
        match (pumped, extracted, diff_id) {
            // A read/decompression failure is the root cause of whatever the
            // extractor reported after its input stopped.
            (Err(PumpError::Failed(e)), _, _) => Err(e),
            (_, Err(e), _) => Err(e),
            (Ok(()), Ok(size), Some(diff_id)) => Ok(Unpacked { diff_id, size }),
            // The extractor only succeeds after an explicit end of stream,
            // which the other stages send only when they succeed.
            _ => Err(UnpackError::Corrupt(
                "layer pipeline stopped before the end of the stream".into(),
            )),
        }
    })
}
