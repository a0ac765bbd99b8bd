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

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};

use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag};
use nix::libc;
use nix::sys::stat::{self, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{self, Gid, Uid, UnlinkatFlags};
use sha2::{Digest, Sha256};

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
                Extractor::new(root, dest).run(reader)
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

// ---------------------------------------------------------------------------
// Pipeline stages: decompression (calling thread) and hashing
// ---------------------------------------------------------------------------

/// Joins a pipeline thread, passing on its panic if it had one.
fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Size of the decompressed chunks handed to the extraction thread.
const CHUNK_SIZE: usize = 1 << 20;
/// Chunks that may wait in the channel (bounds memory to a few MiB).
const QUEUE_DEPTH: usize = 4;
/// Read buffer for the compressed input.
const INPUT_BUFFER: usize = 256 << 10;

enum Chunk {
    /// A buffer and the number of valid bytes at its start.
    Data(Vec<u8>, usize),
    /// The decompressed stream ended cleanly. Without this message a closed
    /// channel means the reader failed.
    End,
}

/// Wraps the caller's reader to remember its own I/O errors, so they can be
/// told apart from decompression errors (which come back as `io::Error` too).
struct Source<R> {
    inner: R,
    error: Option<io::Error>,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let kind = e.kind();
                    self.error = Some(e);
                    return Err(io::Error::new(kind, "layer blob read failed"));
                }
                ok => return ok,
            }
        }
    }
}

enum Decoder<R: Read> {
    Plain(Source<R>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<Source<R>>>>),
    Zstd(Box<zstd::stream::read::Decoder<'static, BufReader<Source<R>>>>),
}

impl<R: Read> Decoder<R> {
    fn new(reader: R, compression: Compression) -> Result<Self, UnpackError> {
        let source = Source {
            inner: reader,
            error: None,
        };
        Ok(match compression {
            Compression::Plain => Decoder::Plain(source),
            Compression::Gzip => Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(
                BufReader::with_capacity(INPUT_BUFFER, source),
            ))),
            Compression::Zstd => Decoder::Zstd(Box::new(
                zstd::stream::read::Decoder::with_buffer(BufReader::with_capacity(
                    INPUT_BUFFER,
                    source,
                ))
                .map_err(|e| UnpackError::Corrupt(format!("cannot start zstd decoder: {e}")))?,
            )),
        })
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }

    fn take_source_error(&mut self) -> Option<io::Error> {
        match self {
            Decoder::Plain(r) => r.error.take(),
            Decoder::Gzip(r) => r.get_mut().get_mut().error.take(),
            Decoder::Zstd(r) => r.get_mut().get_mut().error.take(),
        }
    }

    /// Fills `buf` as far as possible; a short count means end of stream.
    fn fill(&mut self, buf: &mut [u8], compression: Compression) -> Result<usize, UnpackError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(match self.take_source_error() {
                        Some(source) => UnpackError::Read(source),
                        None => UnpackError::Corrupt(format!(
                            "invalid or truncated {} stream: {e}",
                            compression.name()
                        )),
                    });
                }
            }
        }
        Ok(filled)
    }
}

enum PumpError {
    Failed(UnpackError),
    /// The extraction thread hung up; it has its own error to report.
    ConsumerGone,
}

/// Decompresses the whole blob to EOF and sends it on in chunks.
fn pump<R: Read>(
    mut decoder: Decoder<R>,
    compression: Compression,
    tx: SyncSender<Chunk>,
    recycled: Receiver<Vec<u8>>,
) -> Result<(), PumpError> {
    loop {
        let mut buf = recycled.try_recv().unwrap_or_else(|_| vec![0; CHUNK_SIZE]);
        let n = decoder
            .fill(&mut buf, compression)
            .map_err(PumpError::Failed)?;
        let at_eof = n < buf.len();
        if n > 0 {
            tx.send(Chunk::Data(buf, n))
                .map_err(|_| PumpError::ConsumerGone)?;
        }
        if at_eof {
            return tx.send(Chunk::End).map_err(|_| PumpError::ConsumerGone);
        }
    }
}

/// Hashes the decompressed stream while forwarding it. Returns the
/// `sha256:<hex>` digest, or `None` if either neighbour stopped early.
fn hash_stage(rx: Receiver<Chunk>, tx: SyncSender<Chunk>) -> Option<String> {
    let mut hasher = Sha256::new();
    loop {
        match rx.recv().ok()? {
            Chunk::Data(buf, len) => {
                hasher.update(&buf[..len]);
                tx.send(Chunk::Data(buf, len)).ok()?;
            }
            Chunk::End => {
                let digest = format!("sha256:{}", hex::encode(hasher.finalize()));
                tx.send(Chunk::End).ok()?;
                return Some(digest);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Channel -> Read adapter (extraction thread)
// ---------------------------------------------------------------------------

const UPSTREAM_FAILED: &str = "layer stream aborted by the reader";

struct ChannelReader {
    rx: Receiver<Chunk>,
    recycle: Sender<Vec<u8>>,
    /// Current chunk, its valid length and the read position in it.
    current: Option<(Vec<u8>, usize)>,
    pos: usize,
    ended: bool,
    /// Total bytes handed out, shared with the extractor to check for the
    /// end-of-archive block.
    consumed: Rc<Cell<u64>>,
}

impl ChannelReader {
    fn new(rx: Receiver<Chunk>, recycle: Sender<Vec<u8>>) -> Self {
        ChannelReader {
            rx,
            recycle,
            current: None,
            pos: 0,
            ended: false,
            consumed: Rc::new(Cell::new(0)),
        }
    }

    /// Makes sure `current` has unread bytes; `Ok(false)` at end of stream.
    fn refill(&mut self) -> io::Result<bool> {
        loop {
            if let Some((_, len)) = &self.current {
                if self.pos < *len {
                    return Ok(true);
                }
                if let Some((buf, _)) = self.current.take() {
                    // The reader may already be gone; then the buffer is freed.
                    let _ = self.recycle.send(buf);
                }
            }
            if self.ended {
                return Ok(false);
            }
            match self.rx.recv() {
                Ok(Chunk::Data(buf, len)) => {
                    self.current = Some((buf, len));
                    self.pos = 0;
                }
                Ok(Chunk::End) => self.ended = true,
                Err(_) => return Err(io::Error::other(UPSTREAM_FAILED)),
            }
        }
    }

    /// Reads and discards everything up to the end of the stream.
    fn drain(&mut self) -> io::Result<()> {
        while self.refill()? {
            self.pos = self.current.as_ref().map_or(0, |(_, len)| *len);
        }
        Ok(())
    }
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() || !self.refill()? {
            return Ok(0);
        }
        let Some((buf, len)) = &self.current else {
            return Ok(0);
        };
        let n = out.len().min(len - self.pos);
        out[..n].copy_from_slice(&buf[self.pos..self.pos + n]);
        self.pos += n;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// Entry names
// ---------------------------------------------------------------------------

const WHITEOUT_PREFIX: &[u8] = b".wh.";
const WHITEOUT_META_PREFIX: &[u8] = b".wh..wh.";
const WHITEOUT_OPAQUE: &[u8] = b".wh..wh..opq";
const OPAQUE_XATTR: &CStr = c"trusted.overlay.opaque";

/// A normalised path relative to `dest`: components joined by `/`, no `.`,
/// `..` or empty components. The empty path is `dest` itself.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RelPath {
    path: Vec<u8>,
    /// Start of the last component in `path`.
    name_start: usize,
}

impl RelPath {
    fn parse(raw: &[u8], entry: &str) -> Result<RelPath, UnpackError> {
        if raw.contains(&0) {
            return Err(UnpackError::Corrupt(format!(
                "entry name {entry:?} contains a NUL byte"
            )));
        }
        if raw.first() == Some(&b'/') {
            // Docker would re-root absolute names below the layer directory;
            // we refuse them instead: well-formed layers never contain them.
            return Err(escape(entry, "absolute path"));
        }
        let mut path = Vec::with_capacity(raw.len());
        let mut name_start = 0;
        for component in raw.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => return Err(escape(entry, "`..` path component")),
                _ => {
                    if !path.is_empty() {
                        path.push(b'/');
                    }
                    name_start = path.len();
                    path.extend_from_slice(component);
                }
            }
        }
        Ok(RelPath { path, name_start })
    }

    fn is_root(&self) -> bool {
        self.path.is_empty()
    }

    /// The parent directory (empty for entries directly in `dest`).
    fn parent(&self) -> &[u8] {
        &self.path[..self.name_start.saturating_sub(1)]
    }

    /// The last component.
    fn name(&self) -> &[u8] {
        &self.path[self.name_start..]
    }

    /// The same parent with another last component.
    fn sibling(&self, name: &[u8]) -> RelPath {
        let mut path = self.path[..self.name_start].to_vec();
        path.extend_from_slice(name);
        RelPath {
            path,
            name_start: self.name_start,
        }
    }

    fn components(&self) -> impl Iterator<Item = &[u8]> {
        self.path.split(|&b| b == b'/').filter(|c| !c.is_empty())
    }
}

/// Whether the relative path `path` is `prefix` or below it.
fn is_within(path: &[u8], prefix: &[u8]) -> bool {
    prefix.is_empty()
        || (path.starts_with(prefix) && (path.len() == prefix.len() || path[prefix.len()] == b'/'))
}

fn escape(entry: &str, reason: &'static str) -> UnpackError {
    UnpackError::Escape {
        entry: entry.to_owned(),
        reason,
    }
}

// ---------------------------------------------------------------------------
// Entry metadata
// ---------------------------------------------------------------------------

struct Meta {
    mode: Mode,
    uid: Uid,
    gid: Gid,
    atime: TimeSpec,
    mtime: TimeSpec,
    xattrs: Vec<(CString, Vec<u8>)>,
    pax_sparse: bool,
}

impl Meta {
    fn read<R: Read>(entry: &mut tar::Entry<'_, R>, name: &str) -> Result<Meta, UnpackError> {
        let bad = |field: &str, e: io::Error| {
            UnpackError::Corrupt(format!("entry {name:?} has an invalid {field}: {e}"))
        };
        let header = entry.header();
        let mode = header.mode().map_err(|e| bad("mode", e))? & 0o7777;
        // PAX uid/gid records have already been folded into the header.
        let uid = header.uid().map_err(|e| bad("uid", e))?;
        let gid = header.gid().map_err(|e| bad("gid", e))?;
        let mtime = header.mtime().map_err(|e| bad("mtime", e))?;
        let id = |v: u64, field: &str| {
            u32::try_from(v)
                .map_err(|_| UnpackError::Corrupt(format!("entry {name:?} has {field} {v} > 2^32")))
        };
        let mut meta = Meta {
            mode: Mode::from_bits_retain(mode),
            uid: Uid::from_raw(id(uid, "uid")?),
            gid: Gid::from_raw(id(gid, "gid")?),
            atime: TimeSpec::new(0, 0),
            mtime: TimeSpec::new(i64::try_from(mtime).unwrap_or(i64::MAX), 0),
            xattrs: Vec::new(),
            pax_sparse: false,
        };
        let mut atime = None;
        if let Some(extensions) = entry.pax_extensions().map_err(|e| bad("PAX header", e))? {
            for ext in extensions {
                let ext = ext.map_err(|e| bad("PAX record", e))?;
                let key = ext.key_bytes();
                let value = ext.value_bytes();
                if let Some(xattr) = key.strip_prefix(b"SCHILY.xattr.") {
                    // Overlayfs metadata only comes from whiteout conversion.
                    if xattr.starts_with(b"trusted.overlay.") {
                        continue;
                    }
                    let xattr = CString::new(xattr).map_err(|_| {
                        UnpackError::Corrupt(format!("entry {name:?} has an invalid xattr name"))
                    })?;
                    meta.xattrs.push((xattr, value.to_vec()));
                } else if key == b"mtime" {
                    meta.mtime = parse_pax_time(value)
                        .ok_or_else(|| bad("PAX mtime", io::Error::other("bad number")))?;
                } else if key == b"atime" {
                    atime = Some(
                        parse_pax_time(value)
                            .ok_or_else(|| bad("PAX atime", io::Error::other("bad number")))?,
                    );
                } else if key.starts_with(b"GNU.sparse.") {
                    meta.pax_sparse = true;
                }
            }
        }
        meta.atime = atime.unwrap_or(meta.mtime);
        Ok(meta)
    }
}

/// Parses a PAX time (`1700000000`, `1700000000.123456789`, `-1.5`).
fn parse_pax_time(value: &[u8]) -> Option<TimeSpec> {
    let text = std::str::from_utf8(value).ok()?;
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (secs, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = secs.parse().ok()?;
    // Nanoseconds: first nine fractional digits, right-padded with zeros.
    let mut nanos: i64 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + frac.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
    }
    if negative {
        secs = -secs;
        if nanos > 0 {
            secs -= 1;
            nanos = 1_000_000_000 - nanos;
        }
    }
    Some(TimeSpec::new(secs, nanos))
}

// ---------------------------------------------------------------------------
// Extraction (worker thread)
// ---------------------------------------------------------------------------

/// Deferred directory metadata, applied once all entries are written (adding
/// children changes a directory's mtime; a read-only mode could block them).
struct DirMeta {
    mode: Mode,
    atime: TimeSpec,
    mtime: TimeSpec,
}

struct Extractor<'a> {
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
}

/// Flags for every directory resolution: stay beneath the starting
/// directory, never follow any symlink, never cross a mount.
fn resolve_flags() -> ResolveFlag {
    ResolveFlag::RESOLVE_BENEATH
        | ResolveFlag::RESOLVE_NO_SYMLINKS
        | ResolveFlag::RESOLVE_NO_MAGICLINKS
        | ResolveFlag::RESOLVE_NO_XDEV
}

/// Opens the directory `path` (relative, may have several components, or be
/// `.`) beneath `dir`, never following a symlink.
fn open_dir_beneath(dir: BorrowedFd<'_>, path: &[u8]) -> nix::Result<OwnedFd> {
    let path: &[u8] = if path.is_empty() { b"." } else { path };
    let how = OpenHow::new()
        // No O_NOFOLLOW: with O_DIRECTORY it turns a final symlink into
        // ENOTDIR; RESOLVE_NO_SYMLINKS already refuses it, with ELOOP.
        .flags(OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC)
        .resolve(resolve_flags());
    // EAGAIN means a concurrent rename raced the lookup; retry a few times.
    let mut attempts = 0;
    loop {
        match nix::fcntl::openat2(dir, path, how) {
            Err(Errno::EAGAIN) if attempts < 16 => attempts += 1,
            result => return result,
        }
    }
}

impl<'a> Extractor<'a> {
    fn new(root: OwnedFd, dest: &'a Path) -> Self {
        Extractor {
            root,
            dest,
            parent_cache: None,
            dirs: HashMap::new(),
            copy_buf: vec![0; CHUNK_SIZE],
            written: 0,
        }
    }

    fn run(mut self, reader: ChannelReader) -> Result<u64, UnpackError> {
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

        // Whiteouts are recognised by name, whatever their entry type.
        let components: Vec<&[u8]> = rel.components().collect();
        for (i, component) in components.iter().enumerate() {
            if component.starts_with(WHITEOUT_META_PREFIX) {
                if i + 1 == components.len() && *component == WHITEOUT_OPAQUE {
                    return self.opaque(&rel, &name);
                }
                // AUFS metadata (`.wh..wh.plnk`, ...) and anything below it.
                return Ok(());
            }
        }
        let meta = Meta::read(entry, &name)?;
        if rel.name().starts_with(WHITEOUT_PREFIX) {
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
                let major = header.device_major().map_err(bad)?.unwrap_or(0);
                let minor = header.device_minor().map_err(bad)?.unwrap_or(0);
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
        unistd::fchown(&fd, Some(Uid::from_raw(0)), Some(Gid::from_raw(0))).map_err(errno)?;
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
fn tar_error(e: io::Error) -> UnpackError {
    UnpackError::Corrupt(format!("invalid tar stream: {e}"))
}

// ---------------------------------------------------------------------------
// Low-level helpers
// ---------------------------------------------------------------------------

/// Whether `st` describes an overlayfs whiteout (character device 0/0).
fn is_whiteout(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0
}

/// Whether `name` in `dir` is an overlayfs whiteout (not following symlinks).
fn whiteout_at(dir: BorrowedFd<'_>, name: &[u8]) -> bool {
    stat::fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).is_ok_and(|st| is_whiteout(&st))
}

/// Whether an xattr failure is ignored (as Docker does): the file system does
/// not support it, or the kernel refuses this namespace on this file type.
fn xattr_ignorable(e: Errno) -> bool {
    matches!(e, Errno::EOPNOTSUPP | Errno::EPERM)
}

fn fsetxattr(fd: BorrowedFd<'_>, name: &CStr, value: &[u8]) -> nix::Result<()> {
    // SAFETY: valid fd, NUL-terminated name, pointer/length of a live slice.
    let res = unsafe {
        libc::fsetxattr(
            fd.as_raw_fd(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    Errno::result(res).map(drop)
}

fn set_xattrs_fd(fd: BorrowedFd<'_>, xattrs: &[(CString, Vec<u8>)]) -> nix::Result<()> {
    for (name, value) in xattrs {
        match fsetxattr(fd, name, value) {
            Err(e) if xattr_ignorable(e) => {}
            other => other?,
        }
    }
    Ok(())
}

/// Sets xattrs on `name` in `parent` without following a symlink there.
/// There is no `lsetxattrat` before Linux 6.13, so go through the
/// `/proc/self/fd` link of the parent (our own descriptor) and use
/// `lsetxattr` on the final component.
fn set_xattrs_at(
    parent: BorrowedFd<'_>,
    name: &[u8],
    xattrs: &[(CString, Vec<u8>)],
) -> nix::Result<()> {
    let mut path = format!("/proc/self/fd/{}/", parent.as_raw_fd()).into_bytes();
    path.extend_from_slice(name);
    let path = CString::new(path).map_err(|_| Errno::EINVAL)?;
    for (key, value) in xattrs {
        // SAFETY: NUL-terminated path and name, pointer/length of a live slice.
        let res = unsafe {
            libc::lsetxattr(
                path.as_ptr(),
                key.as_ptr(),
                value.as_ptr().cast(),
                value.len(),
                0,
            )
        };
        match Errno::result(res) {
            Err(e) if xattr_ignorable(e) => {}
            other => other.map(drop)?,
        }
    }
    Ok(())
}

/// chmod of `name` in `parent` that refuses to follow a symlink.
fn chmod_nofollow(parent: BorrowedFd<'_>, name: &[u8], mode: Mode) -> nix::Result<()> {
    let cname = CString::new(name).map_err(|_| Errno::EINVAL)?;
    // fchmodat2(2) (Linux 6.6) honours AT_SYMLINK_NOFOLLOW.
    // SAFETY: valid fd and NUL-terminated path.
    let res = unsafe {
        libc::syscall(
            libc::SYS_fchmodat2,
            parent.as_raw_fd(),
            cname.as_ptr(),
            mode.bits(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    match Errno::result(res) {
        Ok(_) => Ok(()),
        Err(Errno::ENOSYS) => {
            // Older kernels: pin the inode with O_PATH, check it is not a
            // symlink, then chmod it through its /proc/self/fd link.
            let fd = nix::fcntl::openat(
                parent,
                name,
                OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            )?;
            if stat::fstat(&fd)?.st_mode & libc::S_IFMT == libc::S_IFLNK {
                return Err(Errno::ELOOP);
            }
            let proc_path = CString::new(format!("/proc/self/fd/{}", fd.as_raw_fd()))
                .map_err(|_| Errno::EINVAL)?;
            // SAFETY: NUL-terminated path.
            Errno::result(unsafe { libc::chmod(proc_path.as_ptr(), mode.bits()) }).map(drop)
        }
        Err(e) => Err(e),
    }
}

/// Lists the names in a directory (without `.` and `..`).
fn list_dir(dir: BorrowedFd<'_>) -> nix::Result<Vec<Vec<u8>>> {
    // A fresh descriptor, since closedir() closes the one it is given.
    let fd = nix::fcntl::openat(
        dir,
        ".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` is an open directory descriptor that we own; on success
    // fdopendir takes ownership of it.
    let stream = unsafe { libc::fdopendir(raw) };
    if stream.is_null() {
        let err = Errno::last();
        // SAFETY: fdopendir failed, so `raw` is still ours to close.
        drop(unsafe { OwnedFd::from_raw_fd(raw) });
        return Err(err);
    }
    let mut names = Vec::new();
    let result = loop {
        Errno::clear();
        // SAFETY: `stream` is a valid, open DIR*.
        let ent = unsafe { libc::readdir64(stream) };
        if ent.is_null() {
            break match Errno::last_raw() {
                0 => Ok(()),
                e => Err(Errno::from_raw(e)),
            };
        }
        // SAFETY: readdir returned a valid dirent with a NUL-terminated name,
        // valid until the next readdir call; we copy it out before that.
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) }.to_bytes();
        if name != b"." && name != b".." {
            names.push(name.to_vec());
        }
    };
    // SAFETY: `stream` is valid and closed exactly once.
    unsafe { libc::closedir(stream) };
    result.map(|()| names)
}

/// Removes the directory `name` in `parent` and everything below it, without
/// following symlinks. Iterative, so a deep tree cannot overflow the stack.
fn remove_tree(parent: BorrowedFd<'_>, name: &[u8]) -> nix::Result<()> {
    struct Level {
        fd: OwnedFd,
        name: Vec<u8>,
        pending: Vec<Vec<u8>>,
    }
    let open = |dir: BorrowedFd<'_>, name: &[u8]| -> nix::Result<Level> {
        let fd = open_dir_beneath(dir, name)?;
        let pending = list_dir(fd.as_fd())?;
        Ok(Level {
            fd,
            name: name.to_vec(),
            pending,
        })
    };
    let mut stack = vec![open(parent, name)?];
    while let Some(level) = stack.last_mut() {
        match level.pending.pop() {
            Some(child) => {
                match unistd::unlinkat(&level.fd, child.as_slice(), UnlinkatFlags::NoRemoveDir) {
                    Ok(()) | Err(Errno::ENOENT) => {}
                    Err(Errno::EISDIR) => {
                        let next = open(level.fd.as_fd(), &child)?;
                        stack.push(next);
                    }
                    Err(e) => return Err(e),
                }
            }
            None => {
                // `level` is empty now: remove it from the level above.
                let name = std::mem::take(&mut level.name);
                stack.pop();
                let dir = stack.last().map_or(parent, |l| l.fd.as_fd());
                unistd::unlinkat(dir, name.as_slice(), UnlinkatFlags::RemoveDir)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    use tar::{EntryType, Header};

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

    // -- compression and diff_id ---------------------------------------------

    #[test]
    fn media_types_and_sniffing() {
        use Compression::*;
        let cases = [
            ("application/vnd.oci.image.layer.v1.tar", Some(Plain)),
            ("application/vnd.oci.image.layer.v1.tar+gzip", Some(Gzip)),
            ("application/vnd.oci.image.layer.v1.tar+zstd", Some(Zstd)),
            (
                "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                Some(Gzip),
            ),
            (
                "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                Some(Zstd),
            ),
            (
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
                Some(Gzip),
            ),
            (
                "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                Some(Gzip),
            ),
            (
                "Application/VND.OCI.image.layer.v1.tar+gzip; foo=bar",
                Some(Gzip),
            ),
            ("application/vnd.oci.image.config.v1+json", None),
            ("application/vnd.oci.image.layer.v1.tar+bzip2", None),
        ];
        for (media_type, expected) in cases {
            assert_eq!(
                Compression::from_media_type(media_type),
                expected,
                "{media_type}"
            );
        }
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8, 0]), Gzip);
        assert_eq!(Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Zstd);
        assert_eq!(Compression::sniff(b"etc/passwd\0"), Plain);
        assert_eq!(Compression::sniff(&[0x1f]), Plain);
        assert_eq!(Compression::sniff(&[]), Plain);
    }

    #[test]
    fn plain_gzip_and_zstd_unpack_with_correct_diff_id() {
        // Larger than one pipeline chunk, with a non-round size.
        let big: Vec<u8> = (0..3 * CHUNK_SIZE + 17).map(|i| (i % 251) as u8).collect();
        let tar = Tar::new()
            .dir("etc/")
            .file("etc/hostname", b"berth\n")
            .file("big.bin", &big)
            .file("empty", b"")
            .bytes();
        let blobs = [
            (Compression::Plain, tar.clone()),
            (Compression::Gzip, gzip(&tar)),
            (Compression::Zstd, zstd(&tar)),
        ];
        for (compression, blob) in blobs {
            let env = Env::new();
            assert_eq!(Compression::sniff(&blob), compression);
            let out = unpack(blob.as_slice(), compression, &env.dest).unwrap();
            assert_eq!(out.diff_id, sha256_hex(&tar), "{compression:?}");
            assert_eq!(out.size, 6 + big.len() as u64);
            assert_eq!(fs::read(env.path("etc/hostname")).unwrap(), b"berth\n");
            assert_eq!(fs::read(env.path("big.bin")).unwrap(), big);
            assert_eq!(env.lstat("empty").len(), 0);
        }
    }

    #[test]
    fn multi_member_gzip_and_multi_frame_zstd() {
        let tar = Tar::new().file("a", b"hello").bytes();
        let (first, second) = tar.split_at(700);
        let mut gz = gzip(first);
        gz.extend(gzip(second));
        let mut zs = zstd(first);
        zs.extend(zstd(second));
        for (compression, blob) in [(Compression::Gzip, gz), (Compression::Zstd, zs)] {
            let env = Env::new();
            let out = unpack(blob.as_slice(), compression, &env.dest).unwrap();
            assert_eq!(out.diff_id, sha256_hex(&tar));
            assert_eq!(fs::read(env.path("a")).unwrap(), b"hello");
        }
    }

    #[test]
    fn diff_id_covers_bytes_after_end_of_archive() {
        let mut tar = Tar::new().file("a", b"x").bytes();
        tar.extend_from_slice(&[0u8; 4096]);
        tar.extend_from_slice(b"trailing bytes that are not tar");
        let env = Env::new();
        let out = unpack(gzip(&tar).as_slice(), Compression::Gzip, &env.dest).unwrap();
        assert_eq!(out.diff_id, sha256_hex(&tar));
    }

    #[test]
    fn empty_stream_is_an_empty_layer() {
        let env = Env::new();
        let out = env.unpack(b"").unwrap();
        assert_eq!(out.diff_id, sha256_hex(b""));
        assert_eq!(out.size, 0);
        let out = unpack(gzip(b"").as_slice(), Compression::Gzip, &env.dest).unwrap();
        assert_eq!(out.diff_id, sha256_hex(b""));
        assert_eq!(fs::read_dir(&env.dest).unwrap().count(), 0);
    }

    #[test]
    fn truncated_or_invalid_streams_are_errors() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let tar = Tar::new().file("a", &data).file("b", b"bee").bytes();
        let gz = gzip(&tar);
        let zs = zstd(&tar);
        let cases: Vec<(&str, Compression, Vec<u8>)> = vec![
            (
                "truncated gzip",
                Compression::Gzip,
                gz[..gz.len() / 2].to_vec(),
            ),
            (
                "gzip without trailer",
                Compression::Gzip,
                gz[..gz.len() - 4].to_vec(),
            ),
            (
                "truncated zstd",
                Compression::Zstd,
                zs[..zs.len() / 2].to_vec(),
            ),
            (
                "zstd missing last byte",
                Compression::Zstd,
                zs[..zs.len() - 1].to_vec(),
            ),
            (
                "gzip of garbage",
                Compression::Gzip,
                b"\x1f\x8bnot really gzip".to_vec(),
            ),
            (
                "zstd of garbage",
                Compression::Zstd,
                b"\x28\xb5\x2f\xfdnope".to_vec(),
            ),
            (
                "gzip with junk after",
                Compression::Gzip,
                [gz.clone(), b"junk".to_vec()].concat(),
            ),
            (
                "tar cut inside data",
                Compression::Plain,
                tar[..100_000].to_vec(),
            ),
            (
                "tar cut inside header",
                Compression::Plain,
                tar[..200].to_vec(),
            ),
            // Cut exactly after the last entry: no end-of-archive block.
            (
                "tar without end block",
                Compression::Plain,
                tar[..tar.len() - 1024].to_vec(),
            ),
            (
                "tar without end, gzip",
                Compression::Gzip,
                gzip(&tar[..tar.len() - 1024]),
            ),
            ("not a tar", Compression::Plain, vec![b'x'; 1024]),
        ];
        for (what, compression, blob) in cases {
            let env = Env::new();
            match unpack(blob.as_slice(), compression, &env.dest) {
                Err(UnpackError::Corrupt(_)) => {}
                other => panic!("{what}: expected Corrupt, got {other:?}"),
            }
        }
    }

    #[test]
    fn reader_errors_are_reported_as_read_errors() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "network down",
                ))
            }
        }
        for compression in [Compression::Plain, Compression::Gzip, Compression::Zstd] {
            let env = Env::new();
            match unpack(Failing, compression, &env.dest) {
                Err(UnpackError::Read(e)) => assert_eq!(e.kind(), io::ErrorKind::ConnectionReset),
                other => panic!("{compression:?}: expected Read, got {other:?}"),
            }
        }
    }

    #[test]
    fn errors_display_clearly() {
        let env = Env::new();
        let tar = Tar::new().add(e(EntryType::Regular, "../x")).bytes();
        let err = env.unpack(&tar).unwrap_err().to_string();
        assert_eq!(
            err,
            "layer entry \"../x\" would escape the layer directory: `..` path component"
        );
    }

    // -- escapes -------------------------------------------------------------

    #[test]
    fn dotdot_names_are_refused() {
        for name in [
            "../escaped",
            "a/../../escaped",
            "./..",
            "a/b/../../../outside/keep",
        ] {
            let env = Env::new();
            env.assert_escape(&Tar::new().dir("a/").file(name, b"pwned").bytes());
            assert!(!env.dest.parent().unwrap().join("escaped").exists());
        }
        // `..` that would stay inside is refused as well: the policy is simple.
        let env = Env::new();
        env.assert_escape(&Tar::new().dir("a/b/").file("a/b/../c", b"x").bytes());
        // A directory entry and a long (GNU) and PAX name.
        let env = Env::new();
        env.assert_escape(&Tar::new().dir("../outside/newdir/").bytes());
        let long = format!("{}../../../../outside/pwned", "a/".repeat(60));
        let env = Env::new();
        env.assert_escape(&Tar::new().file(&long, b"x").bytes());
        let env = Env::new();
        env.assert_escape(
            &Tar::new()
                .pax(&[("path", b"../outside/pwned")])
                .file("harmless", b"x")
                .bytes(),
        );
    }

    #[test]
    fn absolute_names_are_refused() {
        let (_, canary) = tmp_canary("absolute");
        let env = Env::new();
        let name = canary.to_str().unwrap().to_owned();
        env.assert_escape(&Tar::new().file(&name, b"pwned").bytes());
        assert!(!canary.exists());
        let env = Env::new();
        let keep = env.outside.join("keep");
        env.assert_escape(&Tar::new().file(keep.to_str().unwrap(), b"pwned").bytes());
        let env = Env::new();
        env.assert_escape(&Tar::new().dir("/").bytes());
    }

    #[test]
    fn writing_through_an_earlier_symlink_is_refused() {
        let (canary_name, canary) = tmp_canary("symlink");
        let cases = |env: &Env| -> Vec<Vec<u8>> {
            let outside = env.outside.to_str().unwrap().to_owned();
            vec![
                // evil -> /tmp, then evil/<canary>
                Tar::new()
                    .symlink("evil", "/tmp")
                    .file(&format!("evil/{canary_name}"), b"pwned")
                    .bytes(),
                // evil -> ../../.. (relative, climbing out), then evil/tmp/<canary>
                Tar::new()
                    .symlink("evil", "../../..")
                    .file(&format!("evil/tmp/{canary_name}"), b"pwned")
                    .bytes(),
                // relative symlink to the sentinel, new file below it
                Tar::new()
                    .symlink("evil", "../outside")
                    .file("evil/pwned", b"x")
                    .bytes(),
                // absolute symlink to the sentinel, replacing a file there
                Tar::new()
                    .symlink("evil", &outside)
                    .file("evil/keep", b"pwned")
                    .bytes(),
                // nested: a/evil -> ../../outside, then a/evil/sub/x
                Tar::new()
                    .dir("a/")
                    .symlink("a/evil", "../../outside")
                    .file("a/evil/sub/x", b"x")
                    .bytes(),
                // a directory, a symlink, a device, a hard link through it
                Tar::new()
                    .symlink("evil", &outside)
                    .dir("evil/newdir/")
                    .bytes(),
                Tar::new()
                    .symlink("evil", &outside)
                    .symlink("evil/l", "/")
                    .bytes(),
                Tar::new()
                    .symlink("evil", &outside)
                    .add(e(EntryType::Fifo, "evil/fifo"))
                    .bytes(),
                Tar::new()
                    .file("f", b"x")
                    .symlink("evil", &outside)
                    .hardlink("evil/h", "f")
                    .bytes(),
                // whiteout and opaque marker through the symlink
                Tar::new()
                    .symlink("evil", &outside)
                    .file("evil/.wh.keep", b"")
                    .bytes(),
                Tar::new()
                    .symlink("evil", &outside)
                    .file("evil/.wh..wh..opq", b"")
                    .bytes(),
                // symlink to a symlink to outside
                Tar::new()
                    .symlink("one", &outside)
                    .symlink("two", "one")
                    .file("two/pwned", b"x")
                    .bytes(),
                // a directory that later turns into a symlink
                Tar::new()
                    .dir("d/")
                    .file("d/a", b"x")
                    .symlink("d", &outside)
                    .file("d/pwned", b"x")
                    .bytes(),
            ]
        };
        let count = cases(&Env::new()).len();
        for i in 0..count {
            let env = Env::new();
            let tar = cases(&env).swap_remove(i);
            match env.unpack(&tar) {
                Err(UnpackError::Escape { .. }) => {}
                other => panic!("case {i}: expected Escape, got {other:?}"),
            }
            env.assert_outside_untouched();
            assert!(!canary.exists(), "case {i} wrote {}", canary.display());
        }
    }

    #[test]
    fn kernel_refuses_resolution_outside_dest() {
        // The last line of defence, independent of the name checks.
        let env = Env::new();
        fs::create_dir(env.path("real")).unwrap();
        std::os::unix::fs::symlink("../outside", env.path("rel")).unwrap();
        std::os::unix::fs::symlink(&env.outside, env.path("abs")).unwrap();
        std::os::unix::fs::symlink("real", env.path("inside")).unwrap();
        let root = nix::fcntl::open(
            &env.dest,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY,
            Mode::empty(),
        )
        .unwrap();
        let outside = env.outside.to_str().unwrap().as_bytes().to_vec();
        for path in [
            &b".."[..],
            b"../outside",
            b"real/../..",
            &outside,
            b"/",
            b"rel",
            b"abs",
            b"inside",
            b"real/../rel",
            b"/proc/self/root",
        ] {
            let result = open_dir_beneath(root.as_fd(), path);
            assert!(
                matches!(result, Err(Errno::EXDEV | Errno::ELOOP)),
                "{}: {result:?}",
                String::from_utf8_lossy(path)
            );
        }
        assert!(open_dir_beneath(root.as_fd(), b"real").is_ok());
        assert!(open_dir_beneath(root.as_fd(), b"real/..").is_ok());
    }

    #[test]
    fn hard_links_cannot_escape() {
        let env = Env::new();
        let keep = env.outside.join("keep");
        let keep = keep.to_str().unwrap();
        let cases: Vec<(&str, Vec<u8>)> = vec![
            (
                "dotdot",
                Tar::new().hardlink("h", "../outside/keep").bytes(),
            ),
            (
                "dotdot inside",
                Tar::new().file("a", b"x").hardlink("h", "b/../a").bytes(),
            ),
            ("absolute", Tar::new().hardlink("h", keep).bytes()),
            (
                "through a symlink",
                Tar::new()
                    .symlink("evil", "../outside")
                    .hardlink("h", "evil/keep")
                    .bytes(),
            ),
            (
                "to a symlink pointing outside",
                Tar::new().symlink("s", keep).hardlink("h", "s").bytes(),
            ),
            (
                "to a dangling relative symlink",
                Tar::new()
                    .symlink("s", "../outside/keep")
                    .hardlink("h", "s")
                    .bytes(),
            ),
        ];
        for (what, tar) in cases {
            let env = Env::new();
            match env.unpack(&tar) {
                Err(UnpackError::Escape { .. }) => {}
                other => panic!("{what}: expected Escape, got {other:?}"),
            }
            env.assert_outside_untouched();
            assert!(!env.path("h").exists(), "{what}");
        }
        // Targets that are not earlier entries of the layer.
        for tar in [
            Tar::new().hardlink("h", "missing").bytes(),
            Tar::new().hardlink("h", "missing/dir/file").bytes(),
            Tar::new().dir("d/").hardlink("h", "d").bytes(),
            Tar::new().hardlink("h", "./").bytes(),
        ] {
            let env = Env::new();
            match env.unpack(&tar) {
                Err(UnpackError::Corrupt(_)) => {}
                other => panic!("expected Corrupt, got {other:?}"),
            }
            env.assert_outside_untouched();
        }
    }

    #[test]
    fn replaced_symlinks_are_not_followed() {
        let env = Env::new();
        let outside = env.outside.to_str().unwrap().to_owned();
        let keep = format!("{outside}/keep");
        let tar = Tar::new()
            // symlink to the sentinel dir, then a directory entry of that name
            .symlink("d", &outside)
            .add(E {
                mode: 0o777,
                uid: 1234,
                gid: 1234,
                ..e(EntryType::Directory, "d")
            })
            // symlink to the sentinel file, then a file / device / symlink
            .symlink("f", &keep)
            .add(E {
                data: b"mine",
                mode: 0o4777,
                uid: 1234,
                ..e(EntryType::Regular, "f")
            })
            .symlink("c", &keep)
            .add(E {
                mode: 0o666,
                dev: (1, 3),
                ..e(EntryType::Char, "c")
            })
            .symlink("s", &keep)
            .symlink("s", "elsewhere")
            // a file replacing a symlink that points to a missing outside file
            .symlink("n", "../outside/new")
            .file("n", b"x")
            .bytes();
        env.unpack(&tar).unwrap();
        env.assert_outside_untouched();
        assert!(!env.outside.join("new").exists());
        assert!(env.lstat("d").is_dir());
        assert_eq!(env.lstat("d").mode() & 0o7777, 0o777);
        assert_eq!(env.lstat("d").uid(), 1234);
        assert_eq!(fs::read(env.path("f")).unwrap(), b"mine");
        assert_eq!(env.lstat("f").mode() & 0o7777, 0o4777);
        assert!(env.lstat("c").file_type().is_char_device());
        assert_eq!(
            fs::read_link(env.path("s")).unwrap(),
            Path::new("elsewhere")
        );
        assert!(env.lstat("n").is_file());
    }

    #[test]
    fn whiteout_names_cannot_escape() {
        for name in [".wh...", "a/.wh..."] {
            let env = Env::new();
            let result = env.unpack(&Tar::new().dir("a/").file(name, b"").bytes());
            assert!(result.is_err(), "{name}");
            env.assert_outside_untouched();
            assert!(env.dest.exists());
        }
        let env = Env::new();
        env.assert_escape(&Tar::new().file("../.wh.outside", b"").bytes());
        let env = Env::new();
        env.assert_escape(&Tar::new().file("../outside/.wh..wh..opq", b"").bytes());
    }

    #[test]
    fn layer_root_cannot_be_replaced() {
        for tar in [
            Tar::new().file(".", b"").bytes(),
            Tar::new().symlink(".", "/").bytes(),
            Tar::new().hardlink("./", "x").bytes(),
            Tar::new().add(e(EntryType::Fifo, ".")).bytes(),
        ] {
            let env = Env::new();
            assert!(env.unpack(&tar).is_err());
            assert!(fs::symlink_metadata(&env.dest).unwrap().is_dir());
            env.assert_outside_untouched();
        }
    }

    // -- whiteouts -----------------------------------------------------------

    fn assert_whiteout(md: &fs::Metadata) {
        assert!(md.file_type().is_char_device());
        assert_eq!(md.rdev(), 0);
    }

    #[test]
    fn whiteouts_become_overlay_whiteouts() {
        let env = Env::new();
        let tar = Tar::new()
            .dir("d/")
            .file("d/.wh.gone", b"")
            .file(".wh.rootgone", b"")
            .file("deep/er/.wh.x", b"") // parents created implicitly
            .file("d/.wh..wh..opq", b"")
            .file("e/.wh..wh..opq", b"") // `e` not listed: created
            .file(".wh..wh..plnk/123", b"aufs hard link store") // ignored
            .file("d/.wh..wh.aufs", b"") // ignored
            .file("d/mine", b"x")
            .file("d/.wh.mine", b"") // this layer's own file wins
            .file("d/.wh.later", b"")
            .file("d/later", b"x") // and replaces an earlier whiteout
            // Whiteout and directory of the same name in one layer: the
            // directory stays, opaque, whatever the order.
            .file(".wh.w1", b"")
            .dir("w1/")
            .file("w1/f", b"x")
            .file(".wh.w2", b"")
            .file("w2/sub/f", b"x")
            .dir("w3/")
            .file("w3/f", b"x")
            .file(".wh.w3", b"")
            .bytes();
        env.unpack(&tar).unwrap();
        assert_whiteout(&env.lstat("d/gone"));
        assert_whiteout(&env.lstat("rootgone"));
        assert_whiteout(&env.lstat("deep/er/x"));
        for gone in [
            "d/.wh.gone",
            ".wh.rootgone",
            ".wh..wh..plnk",
            "d/.wh..wh.aufs",
        ] {
            assert!(fs::symlink_metadata(env.path(gone)).is_err(), "{gone}");
        }
        assert!(fs::symlink_metadata(env.path("d/.wh..wh..opq")).is_err());
        assert_eq!(
            lgetxattr(&env.path("d"), "trusted.overlay.opaque"),
            Some(b"y".to_vec())
        );
        assert_eq!(
            lgetxattr(&env.path("e"), "trusted.overlay.opaque"),
            Some(b"y".to_vec())
        );
        assert_eq!(lgetxattr(&env.path("deep"), "trusted.overlay.opaque"), None);
        assert!(env.lstat("d/mine").is_file());
        assert!(env.lstat("d/later").is_file());
        for dir in ["w1", "w2", "w3"] {
            assert!(env.lstat(dir).is_dir(), "{dir}");
            assert_eq!(
                lgetxattr(&env.path(dir), "trusted.overlay.opaque"),
                Some(b"y".to_vec()),
                "{dir}"
            );
        }
        assert_eq!(fs::read(env.path("w1/f")).unwrap(), b"x");
        assert_eq!(fs::read(env.path("w2/sub/f")).unwrap(), b"x");
        assert_eq!(fs::read(env.path("w3/f")).unwrap(), b"x");
        assert_eq!(
            lgetxattr(&env.path("w2/sub"), "trusted.overlay.opaque"),
            None
        );
        assert_eq!(env.lstat("w2").mode() & 0o7777, 0o755);
        // A file in the way of a parent is still an error.
        let env = Env::new();
        assert!(
            env.unpack(&Tar::new().file("f", b"x").file("f/g", b"y").bytes())
                .is_err()
        );
        // Opaque marker at the top marks the layer directory itself.
        let env = Env::new();
        env.unpack(&Tar::new().file(".wh..wh..opq", b"").bytes())
            .unwrap();
        assert_eq!(
            lgetxattr(&env.dest, "trusted.overlay.opaque"),
            Some(b"y".to_vec())
        );
    }

    #[test]
    fn overlay_xattrs_from_the_layer_are_dropped() {
        let env = Env::new();
        let tar = Tar::new()
            .pax(&[
                ("SCHILY.xattr.trusted.overlay.redirect", b"/etc"),
                ("SCHILY.xattr.trusted.overlay.opaque", b"y"),
                ("SCHILY.xattr.trusted.berth", b"kept"),
            ])
            .dir("d/")
            .bytes();
        env.unpack(&tar).unwrap();
        assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.redirect"), None);
        assert_eq!(lgetxattr(&env.path("d"), "trusted.overlay.opaque"), None);
        assert_eq!(
            lgetxattr(&env.path("d"), "trusted.berth"),
            Some(b"kept".to_vec())
        );
    }

    // -- content and metadata ------------------------------------------------

    #[test]
    fn hard_links_share_the_inode() {
        let env = Env::new();
        let tar = Tar::new()
            .file("a/f", b"shared")
            .hardlink("b/h", "a/f")
            .hardlink("./c", "./a//f")
            .bytes();
        let out = env.unpack(&tar).unwrap();
        assert_eq!(out.size, 6, "links add no content");
        let f = env.lstat("a/f");
        assert_eq!(env.lstat("b/h").ino(), f.ino());
        assert_eq!(env.lstat("c").ino(), f.ino());
        assert_eq!(f.nlink(), 3);
        assert_eq!(fs::read(env.path("b/h")).unwrap(), b"shared");
    }

    #[test]
    fn long_names_and_link_names() {
        let env = Env::new();
        let gnu_long = format!("{}file.txt", "long-directory-name/".repeat(8));
        let pax_long = format!("{}pax.txt", "pax-directory/".repeat(12));
        let long_target = format!("{}target", "t/".repeat(70));
        let mut tar = Tar::new();
        tar.file(&gnu_long, b"gnu")
            .pax(&[("path", pax_long.as_bytes())])
            .file("short-name-replaced-by-pax", b"pax")
            .symlink("long-symlink", &long_target)
            .pax(&[("linkpath", pax_long.as_bytes())])
            .hardlink("pax-hardlink", "ignored");
        // tar::Builder's own GNU long-name encoding.
        let builder_long = format!("{}builder.txt", "b".repeat(150) + "/");
        let mut h = Header::new_gnu();
        h.set_size(7);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_entry_type(EntryType::Regular);
        tar.builder
            .append_data(&mut h, &builder_long, &b"builder"[..])
            .unwrap();
        env.unpack(&tar.bytes()).unwrap();
        assert_eq!(fs::read(env.path(&gnu_long)).unwrap(), b"gnu");
        assert_eq!(fs::read(env.path(&pax_long)).unwrap(), b"pax");
        assert!(!env.path("short-name-replaced-by-pax").exists());
        assert_eq!(
            fs::read_link(env.path("long-symlink")).unwrap(),
            Path::new(&long_target)
        );
        assert_eq!(env.lstat("pax-hardlink").ino(), env.lstat(&pax_long).ino());
        assert_eq!(fs::read(env.path(&builder_long)).unwrap(), b"builder");
    }

    #[test]
    fn utf8_spaces_and_odd_bytes_in_names() {
        let env = Env::new();
        let tar = Tar::new()
            .file("dir with spaces/ünïcödé 文件.txt", b"utf8")
            .symlink("link → target", "ünïcödé 文件.txt")
            .add(E {
                data: b"latin1",
                ..e(EntryType::Regular, "x")
            })
            .bytes();
        // Rename the last entry to a non-UTF-8 name.
        let mut tar = tar;
        let pos = tar.windows(2).rposition(|w| w == b"x\0").unwrap();
        tar[pos] = 0xe9;
        let mut h = Header::from_byte_slice(&tar[pos..pos + 512]).clone();
        h.set_cksum();
        tar[pos..pos + 512].copy_from_slice(h.as_bytes());
        env.unpack(&tar).unwrap();
        assert_eq!(
            fs::read(env.path("dir with spaces/ünïcödé 文件.txt")).unwrap(),
            b"utf8"
        );
        assert_eq!(
            fs::read_link(env.path("link → target")).unwrap(),
            Path::new("ünïcödé 文件.txt")
        );
        assert_eq!(
            fs::read(env.dest.join(OsStr::from_bytes(&[0xe9]))).unwrap(),
            b"latin1"
        );
    }

    #[test]
    fn symlinks_are_created_verbatim() {
        let env = Env::new();
        let tar = Tar::new()
            .symlink("abs", "/etc/passwd")
            .symlink("rel", "../../../../etc/shadow")
            .symlink("dangling", "does/not/exist")
            .symlink("dir/inner", ".")
            .bytes();
        env.unpack(&tar).unwrap();
        for (name, target) in [
            ("abs", "/etc/passwd"),
            ("rel", "../../../../etc/shadow"),
            ("dangling", "does/not/exist"),
            ("dir/inner", "."),
        ] {
            assert!(env.lstat(name).file_type().is_symlink());
            assert_eq!(fs::read_link(env.path(name)).unwrap(), Path::new(target));
        }
    }

    #[test]
    fn modes_and_ownership() {
        let env = Env::new();
        let tar = Tar::new()
            .add(E {
                data: b"#!/bin/sh\n",
                mode: 0o4755,
                uid: 1000,
                gid: 1000,
                ..e(EntryType::Regular, "bin/suid")
            })
            .add(E {
                data: b"x",
                mode: 0o2711,
                uid: 0,
                gid: 42,
                ..e(EntryType::Regular, "bin/sgid")
            })
            .add(E {
                mode: 0o2775,
                gid: 50,
                ..e(EntryType::Directory, "srv/shared")
            })
            .add(E {
                mode: 0o1777,
                ..e(EntryType::Directory, "tmp")
            })
            .add(E {
                data: b"secret",
                mode: 0o000,
                uid: 65534,
                gid: 65534,
                ..e(EntryType::Regular, "srv/shared/locked")
            })
            .add(E {
                mode: 0o555,
                ..e(EntryType::Directory, "ro")
            })
            .file("ro/inside", b"written after the directory")
            .add(E {
                link: b"target",
                uid: 123,
                gid: 456,
                ..e(EntryType::Symlink, "owned-link")
            })
            .add(E {
                uid: 4_000_000_000,
                gid: 4_000_000_001,
                ..e(EntryType::Regular, "big-ids")
            })
            .bytes();
        env.unpack(&tar).unwrap();
        let check = |rel: &str, mode: u32, uid: u32, gid: u32| {
            let md = env.lstat(rel);
            assert_eq!(md.mode() & 0o7777, mode, "{rel} mode");
            assert_eq!((md.uid(), md.gid()), (uid, gid), "{rel} owner");
        };
        check("bin/suid", 0o4755, 1000, 1000);
        check("bin/sgid", 0o2711, 0, 42);
        check("srv/shared", 0o2775, 0, 50);
        check("tmp", 0o1777, 0, 0);
        check("ro", 0o555, 0, 0);
        // Created inside a setgid directory: still the entry's own group.
        check("srv/shared/locked", 0o000, 65534, 65534);
        check("owned-link", 0o777, 123, 456);
        check("big-ids", 0o644, 4_000_000_000, 4_000_000_001);
        // Implicit parents: 0755, root-owned.
        check("bin", 0o755, 0, 0);
        check("srv", 0o755, 0, 0);
        assert_eq!(
            fs::read(env.path("ro/inside")).unwrap(),
            b"written after the directory"
        );
    }

    #[test]
    fn implicit_parents_ignore_umask_and_setgid() {
        let env = Env::new();
        let tar = Tar::new()
            .add(E {
                mode: 0o2770,
                gid: 77,
                ..e(EntryType::Directory, "g")
            })
            .file("g/implicit/f", b"x")
            .bytes();
        env.unpack(&tar).unwrap();
        let md = env.lstat("g/implicit");
        assert_eq!(md.mode() & 0o7777, 0o755);
        assert_eq!((md.uid(), md.gid()), (0, 0));
    }

    #[test]
    fn xattrs_are_applied() {
        // struct vfs_cap_data, revision 2, effective, CAP_NET_BIND_SERVICE.
        let mut cap = Vec::new();
        cap.extend_from_slice(&0x0200_0001u32.to_le_bytes());
        cap.extend_from_slice(&(1u32 << 10).to_le_bytes());
        cap.extend_from_slice(&[0; 12]);
        let env = Env::new();
        let tar = Tar::new()
            .pax(&[
                ("SCHILY.xattr.user.comment", b"hello world"),
                ("SCHILY.xattr.security.capability", &cap),
                ("SCHILY.xattr.trusted.thing", b"\x00binary\xff"),
            ])
            .add(E {
                data: b"\x7fELF",
                mode: 0o755,
                uid: 1000,
                gid: 1000,
                ..e(EntryType::Regular, "bin/ping")
            })
            .pax(&[("SCHILY.xattr.trusted.dir", b"d")])
            .dir("d/")
            .pax(&[
                ("SCHILY.xattr.trusted.link", b"l"),
                // Not allowed on symlinks by the kernel: ignored, like Docker.
                ("SCHILY.xattr.user.link", b"u"),
            ])
            .symlink("link", "bin/ping")
            .pax(&[("SCHILY.xattr.trusted.fifo", b"f")])
            .add(e(EntryType::Fifo, "fifo"))
            .bytes();
        env.unpack(&tar).unwrap();
        let ping = env.path("bin/ping");
        assert_eq!(
            lgetxattr(&ping, "user.comment"),
            Some(b"hello world".to_vec())
        );
        assert_eq!(lgetxattr(&ping, "security.capability"), Some(cap));
        assert_eq!(
            lgetxattr(&ping, "trusted.thing"),
            Some(b"\x00binary\xff".to_vec())
        );
        assert_eq!(env.lstat("bin/ping").uid(), 1000);
        assert_eq!(
            lgetxattr(&env.path("d"), "trusted.dir"),
            Some(b"d".to_vec())
        );
        assert_eq!(
            lgetxattr(&env.path("link"), "trusted.link"),
            Some(b"l".to_vec())
        );
        assert_eq!(lgetxattr(&env.path("link"), "user.link"), None);
        assert_eq!(
            lgetxattr(&env.path("fifo"), "trusted.fifo"),
            Some(b"f".to_vec())
        );
        // Nothing leaked to the symlink's target.
        assert_eq!(lgetxattr(&ping, "trusted.link"), None);
    }

    #[test]
    fn mtimes_of_files_symlinks_and_directories() {
        let env = Env::new();
        let tar = Tar::new()
            .add(E {
                mtime: 1_200_000_000,
                ..e(EntryType::Directory, "t/")
            })
            .add(E {
                mtime: 1_000_000_000,
                data: b"x",
                ..e(EntryType::Regular, "t/file")
            })
            .add(E {
                mtime: 1_100_000_000,
                link: b"file",
                ..e(EntryType::Symlink, "t/link")
            })
            .add(E {
                mtime: 1_300_000_000,
                ..e(EntryType::Directory, "t/sub/")
            })
            .file("t/sub/later", b"added after the directory entry")
            .pax(&[("mtime", b"1400000000.25"), ("atime", b"1400000001.5")])
            .file("precise", b"x")
            .pax(&[("mtime", b"-1.5")])
            .file("negative", b"x")
            .add(E {
                mtime: 1_500_000_000,
                ..e(EntryType::Fifo, "fifo")
            })
            .bytes();
        env.unpack(&tar).unwrap();
        let mtime = |rel: &str| {
            let md = env.lstat(rel);
            (md.mtime(), md.mtime_nsec())
        };
        assert_eq!(mtime("t"), (1_200_000_000, 0));
        assert_eq!(mtime("t/file"), (1_000_000_000, 0));
        assert_eq!(mtime("t/link"), (1_100_000_000, 0));
        assert_eq!(mtime("t/sub"), (1_300_000_000, 0));
        assert_eq!(mtime("precise"), (1_400_000_000, 250_000_000));
        assert_eq!(env.lstat("precise").atime(), 1_400_000_001);
        assert_eq!(env.lstat("precise").atime_nsec(), 500_000_000);
        assert_eq!(mtime("negative"), (-2, 500_000_000));
        assert_eq!(mtime("fifo"), (1_500_000_000, 0));
        assert_eq!(env.lstat("t/file").atime(), 1_000_000_000);
    }

    #[test]
    fn root_entry_sets_layer_directory_metadata() {
        let env = Env::new();
        let tar = Tar::new()
            .add(E {
                mode: 0o750,
                mtime: 1_234_567_890,
                gid: 5,
                ..e(EntryType::Directory, "./")
            })
            .file("./etc/motd", b"hi")
            .bytes();
        env.unpack(&tar).unwrap();
        let md = fs::metadata(&env.dest).unwrap();
        assert_eq!(md.mode() & 0o7777, 0o750);
        assert_eq!(md.gid(), 5);
        assert_eq!(md.mtime(), 1_234_567_890);
        assert_eq!(fs::read(env.path("etc/motd")).unwrap(), b"hi");
    }

    #[test]
    fn devices_and_fifos() {
        let env = Env::new();
        let tar = Tar::new()
            .add(E {
                mode: 0o666,
                dev: (1, 3),
                ..e(EntryType::Char, "dev/null")
            })
            .add(E {
                mode: 0o660,
                gid: 6,
                dev: (259, 70_000),
                ..e(EntryType::Block, "dev/odd")
            })
            .add(E {
                mode: 0o620,
                ..e(EntryType::Fifo, "run/fifo")
            })
            .bytes();
        env.unpack(&tar).unwrap();
        let null = env.lstat("dev/null");
        assert!(null.file_type().is_char_device());
        assert_eq!((stat::major(null.rdev()), stat::minor(null.rdev())), (1, 3));
        assert_eq!(null.mode() & 0o7777, 0o666);
        let odd = env.lstat("dev/odd");
        assert!(odd.file_type().is_block_device());
        assert_eq!(
            (stat::major(odd.rdev()), stat::minor(odd.rdev())),
            (259, 70_000)
        );
        assert_eq!((odd.mode() & 0o7777, odd.gid()), (0o660, 6));
        let fifo = env.lstat("run/fifo");
        assert!(fifo.file_type().is_fifo());
        assert_eq!(fifo.mode() & 0o7777, 0o620);
    }

    #[test]
    fn later_entries_replace_earlier_ones() {
        let env = Env::new();
        let tar = Tar::new()
            // file replaced by a directory
            .file("r1", b"file")
            .dir("r1/")
            .file("r1/child", b"c")
            // directory (with content) replaced by a file
            .dir("r2/")
            .file("r2/child", b"c")
            .dir("r2/sub/")
            .file("r2/sub/deeper", b"d")
            .symlink("r2/sub/link", "/")
            .file("r2", b"now a file")
            // file replaced by a symlink, symlink by a file
            .file("r3", b"x")
            .symlink("r3", "target")
            .symlink("r4", "target")
            .file("r4", b"now a file")
            // file content replaced
            .file("r5", b"old content that is longer")
            .file("r5", b"new")
            // directory listed twice keeps its children, takes the new mode
            .dir("r6/")
            .file("r6/kept", b"k")
            .add(E {
                mode: 0o700,
                ..e(EntryType::Directory, "r6/")
            })
            // hard link replacing a file
            .file("r7", b"old")
            .file("r7-target", b"target")
            .hardlink("r7", "r7-target")
            .bytes();
        env.unpack(&tar).unwrap();
        assert!(env.lstat("r1").is_dir());
        assert_eq!(fs::read(env.path("r1/child")).unwrap(), b"c");
        assert!(env.lstat("r2").is_file());
        assert_eq!(fs::read(env.path("r2")).unwrap(), b"now a file");
        assert_eq!(fs::read_link(env.path("r3")).unwrap(), Path::new("target"));
        assert_eq!(fs::read(env.path("r4")).unwrap(), b"now a file");
        assert_eq!(fs::read(env.path("r5")).unwrap(), b"new");
        assert_eq!(fs::read(env.path("r6/kept")).unwrap(), b"k");
        assert_eq!(env.lstat("r6").mode() & 0o7777, 0o700);
        assert_eq!(env.lstat("r7").ino(), env.lstat("r7-target").ino());
        env.assert_outside_untouched();
    }

    #[test]
    fn deep_directory_replaced_by_file() {
        let env = Env::new();
        let mut tar = Tar::new();
        let mut path = String::from("top");
        for i in 0..300 {
            path.push_str(&format!("/{i}"));
        }
        tar.file(&format!("{path}/leaf"), b"x").file("top", b"flat");
        env.unpack(&tar.bytes()).unwrap();
        assert_eq!(fs::read(env.path("top")).unwrap(), b"flat");
    }

    #[test]
    fn gnu_sparse_files_are_expanded() {
        let env = Env::new();
        let mut h = Header::new_gnu();
        h.as_old_mut().name[..6].copy_from_slice(b"sparse");
        h.set_entry_type(EntryType::GNUSparse);
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h.set_size(512); // bytes stored in the archive
        let octal = |slot: &mut [u8; 12], v: u64| {
            let text = format!("{v:011o}\0");
            slot.copy_from_slice(text.as_bytes());
        };
        let gnu = h.as_gnu_mut().unwrap();
        octal(&mut gnu.realsize, 8192);
        octal(&mut gnu.sparse[0].offset, 4096);
        octal(&mut gnu.sparse[0].numbytes, 512);
        octal(&mut gnu.sparse[1].offset, 8192); // trailing hole
        octal(&mut gnu.sparse[1].numbytes, 0);
        h.set_cksum();
        let mut tar = Tar::new();
        tar.builder.append(&h, &[b'x'; 512][..]).unwrap();
        let out = env.unpack(&tar.bytes()).unwrap();
        let data = fs::read(env.path("sparse")).unwrap();
        let mut expected = vec![0u8; 8192];
        expected[4096..4608].fill(b'x');
        assert_eq!(data, expected);
        assert_eq!(out.size, 8192);
    }

    #[test]
    fn unsupported_entries_are_reported() {
        let env = Env::new();
        let tar = Tar::new()
            .pax(&[("GNU.sparse.major", b"1"), ("GNU.sparse.minor", b"0")])
            .file("sparse", b"x")
            .bytes();
        assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
        let env = Env::new();
        let tar = Tar::new().add(e(EntryType::new(b'V'), "volume")).bytes();
        assert!(matches!(env.unpack(&tar), Err(UnpackError::Unsupported(_))));
    }

    #[test]
    fn pax_global_headers_and_old_style_directories() {
        let env = Env::new();
        let mut tar = Tar::new();
        let mut h = Header::new_ustar();
        h.set_path("pax_global_header").unwrap();
        h.set_entry_type(EntryType::XGlobalHeader);
        h.set_size(0);
        h.set_cksum();
        tar.builder.append(&h, &b""[..]).unwrap();
        tar.file("old-style-dir/", b"");
        env.unpack(&tar.bytes()).unwrap();
        assert!(env.lstat("old-style-dir").is_dir());
        assert!(!env.path("pax_global_header").exists());
    }
}
