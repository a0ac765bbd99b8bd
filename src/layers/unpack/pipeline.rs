//! The pipeline's stages: decompression on the calling thread ([`pump`]), hashing on its own
//! thread ([`hash_stage`]), and the channel reader the extraction thread reads the tar stream
//! from. See the module documentation of [`super`].

use std::cell::Cell;
use std::io::{self, BufReader, Read};
use std::rc::Rc;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use sha2::{Digest, Sha256};

use super::{Compression, UnpackError};

/// Joins a pipeline thread, passing on its panic if it had one.
pub(super) fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    match handle.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Size of the decompressed chunks handed to the extraction thread.
pub(super) const CHUNK_SIZE: usize = 1 << 20;
/// Chunks that may wait in the channel (bounds memory to a few MiB).
pub(super) const QUEUE_DEPTH: usize = 4;
/// Read buffer for the compressed input.
pub(super) const INPUT_BUFFER: usize = 256 << 10;

pub(super) enum Chunk {
    /// A buffer and the number of valid bytes at its start.
    Data(Vec<u8>, usize),
    /// The decompressed stream ended cleanly. Without this message a closed
    /// channel means the reader failed.
    End,
}

/// Wraps the caller's reader to remember its own I/O errors, so they can be
/// told apart from decompression errors (which come back as `io::Error` too).
pub(super) struct Source<R> {
    pub(super) inner: R,
    pub(super) error: Option<io::Error>,
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

pub(super) enum Decoder<R: Read> {
    Plain(Source<R>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<Source<R>>>>),
    Zstd(Box<zstd::stream::read::Decoder<'static, BufReader<Source<R>>>>),
}

impl<R: Read> Decoder<R> {
    pub(super) fn new(reader: R, compression: Compression) -> Result<Self, UnpackError> {
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

    pub(super) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(r) => r.read(buf),
            Decoder::Zstd(r) => r.read(buf),
        }
    }

    pub(super) fn take_source_error(&mut self) -> Option<io::Error> {
        match self {
            Decoder::Plain(r) => r.error.take(),
            Decoder::Gzip(r) => r.get_mut().get_mut().error.take(),
            Decoder::Zstd(r) => r.get_mut().get_mut().error.take(),
        }
    }

    /// Fills `buf` as far as possible; a short count means end of stream.
    pub(super) fn fill(
        &mut self,
        buf: &mut [u8],
        compression: Compression,
    ) -> Result<usize, UnpackError> {
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

pub(super) enum PumpError {
    Failed(UnpackError),
    /// The extraction thread hung up; it has its own error to report.
    ConsumerGone,
}

/// Decompresses the whole blob to EOF and sends it on in chunks.
pub(super) fn pump<R: Read>(
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
pub(super) fn hash_stage(rx: Receiver<Chunk>, tx: SyncSender<Chunk>) -> Option<String> {
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

pub(super) const UPSTREAM_FAILED: &str = "layer stream aborted by the reader";

pub(super) struct ChannelReader {
    pub(super) rx: Receiver<Chunk>,
    pub(super) recycle: Sender<Vec<u8>>,
    /// Current chunk, its valid length and the read position in it.
    pub(super) current: Option<(Vec<u8>, usize)>,
    pub(super) pos: usize,
    pub(super) ended: bool,
    /// Total bytes handed out, shared with the extractor to check for the
    /// end-of-archive block.
    pub(super) consumed: Rc<Cell<u64>>,
}

impl ChannelReader {
    pub(super) fn new(rx: Receiver<Chunk>, recycle: Sender<Vec<u8>>) -> Self {
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
    pub(super) fn refill(&mut self) -> io::Result<bool> {
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
    pub(super) fn drain(&mut self) -> io::Result<()> {
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
