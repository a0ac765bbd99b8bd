//! Pulling an image: resolve the manifest, fetch the config, then download the layers in
//! parallel (bounded) while unpacking each one as its bytes arrive. Each compressed blob is
//! hashed as it is written to the temp area and committed by digest; each layer is unpacked into
//! the temp area, checked against its diffID and renamed into the layer store. The image becomes
//! visible in one database transaction once every piece is in place.

use std::io::{self, Read};
use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::{Semaphore, mpsc};

use super::{ImageError, Result, now_secs};
use crate::content::{ContentStore, sha256_digest};
use crate::layers::{Compression, LayerError, LayerStore};
use crate::reference::Reference;
use crate::registry::{Platform, Remote, RemoteOptions, ResolvedManifest};
use crate::state::images::{self as rows, ImageRow, LayerRow, NewImage};
use crate::store::Store;

/// How many layers download at once.
const PARALLEL_LAYERS: usize = 3;

pub struct PullRequest {
    pub reference: Reference,
    pub platform: Platform,
    pub remote: RemoteOptions,
}

/// What a pull reports while it runs, for progress display. `layer` is the short blob digest.
/// `Pulling` comes first, before anything is fetched (Docker's "TAG: Pulling from REPOSITORY"):
/// `tag` is the tag or digest asked for, `repository` the familiar repository.
#[derive(Debug, Clone)]
pub enum PullEvent {
    Pulling { tag: String, repository: String },
    Resolved { digest: String },
    LayerQueued { layer: String, size: u64 },
    LayerExists { layer: String },
    LayerBytes { layer: String, done: u64 },
    LayerDownloaded { layer: String },
    LayerComplete { layer: String },
}

pub type Progress = dyn Fn(PullEvent) + Send + Sync;

#[derive(Debug, Clone)]
pub struct PullOutcome {
    pub image_id: String,
    /// The digest the reference resolved to in the registry.
    pub digest: String,
    /// False when the reference already pointed at this image.
    pub changed: bool,
}

/// Everything downloaded and in place, waiting to be recorded.
struct Fetched {
    resolved: ResolvedManifest,
    config_digest: String,
    config: serde_json::Value,
    layers: Vec<FetchedLayer>,
}

struct FetchedLayer {
    diff_id: String,
    blob_digest: String,
    media_type: String,
    size: Option<u64>,
}

pub fn pull(store: &mut Store, req: &PullRequest, progress: Arc<Progress>) -> Result<PullOutcome> {
    store.tmp.sweep_stale();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ImageError::Runtime)?;
    // A concurrent `rmi` may remove a layer between our check and our commit; then fetch again.
    for _ in 0..3 {
        let fetched = rt.block_on(fetch(&store.content, &store.layers, req, progress.clone()))?;
        if let Some(outcome) = commit(store, &req.reference, &fetched)? {
            // Docker's: the reference as pulled, and its repository as the name.
            let r = &req.reference;
            crate::events::record(
                &store.root,
                crate::events::Event::new(
                    crate::events::Type::Image,
                    "pull",
                    crate::reference::familiar_name(&r.to_string()),
                )
                .attr("name", r.familiar_repository()),
            );
            return Ok(outcome);
        }
    }
    Err(ImageError::Conflict(format!(
        "{}: layers kept disappearing while pulling (a concurrent removal?); try again",
        req.reference
    )))
}

async fn fetch(
    content: &ContentStore,
    layers: &LayerStore,
    req: &PullRequest,
    progress: Arc<Progress>,
) -> Result<Fetched> {
    let (remote, resolved) = Remote::resolve(&req.reference, &req.platform, &req.remote).await?;
    progress(PullEvent::Resolved {
        digest: resolved.repo_digest().to_string(),
    });
    let remote = Arc::new(remote);
    let manifest = &resolved.manifest;

    // The config: small, fetched whole, verified by digest.
    let config_digest = manifest.config().digest().to_string();
    let config_bytes = if content.contains(&config_digest) {
        content.read(&config_digest)?
    } else {
        let size = manifest.config().size();
        let b = remote.fetch_small_blob(&config_digest, size).await?;
        content.put(&config_digest, &b)?;
        b
    };
    let config: serde_json::Value =
        serde_json::from_slice(&config_bytes).map_err(|e| ImageError::BadImage {
            reference: req.reference.to_string(),
            detail: format!("image config is not valid JSON: {e}"),
        })?;
    let diff_ids: Vec<String> = config
        .pointer("/rootfs/diff_ids")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if diff_ids.len() != manifest.layers().len() {
        return Err(ImageError::BadImage {
            reference: req.reference.to_string(),
            detail: format!(
                "the manifest lists {} layers but the config lists {} diffIDs",
                manifest.layers().len(),
                diff_ids.len()
            ),
        });
    }

    let sem = Arc::new(Semaphore::new(PARALLEL_LAYERS));
    let mut tasks = tokio::task::JoinSet::new();
    for (idx, (desc, diff_id)) in manifest.layers().iter().zip(diff_ids).enumerate() {
        let job = LayerJob {
            blob_digest: desc.digest().to_string(),
            media_type: desc.media_type().to_string(),
            size: desc.size(),
            diff_id,
        };
        progress(PullEvent::LayerQueued {
            layer: short(&job.blob_digest),
            size: job.size,
        });
        let (remote, sem, content, layers, progress) = (
            remote.clone(),
            sem.clone(),
            content.clone(),
            layers.clone(),
            progress.clone(),
        );
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await.expect("semaphore open");
            let r = fetch_layer(&remote, &content, &layers, &job, &*progress).await;
            (idx, job, r)
        });
    }
    let mut out: Vec<Option<FetchedLayer>> = (0..manifest.layers().len()).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (idx, job, r) = joined.map_err(|e| ImageError::Runtime(io::Error::other(e)))?;
        // The first failure aborts the others (dropping the JoinSet cancels them).
        let size = r?;
        out[idx] = Some(FetchedLayer {
            diff_id: job.diff_id,
            blob_digest: job.blob_digest,
            media_type: job.media_type,
            size,
        });
    }
    Ok(Fetched {
        resolved,
        config_digest,
        config,
        layers: out.into_iter().map(|l| l.expect("every layer")).collect(),
    })
}

struct LayerJob {
    blob_digest: String,
    media_type: String,
    size: u64,
    diff_id: String,
}

fn short(digest: &str) -> String {
    digest
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect()
}

/// Brings one layer into the layer store. Returns its size when it was unpacked now.
async fn fetch_layer(
    remote: &Remote,
    content: &ContentStore,
    layers: &LayerStore,
    job: &LayerJob,
    progress: &Progress,
) -> Result<Option<u64>> {
    let id = short(&job.blob_digest);
    if layers.contains(&job.diff_id) {
        progress(PullEvent::LayerExists { layer: id });
        return Ok(None);
    }
    let compression = Compression::from_media_type(&job.media_type).ok_or_else(|| {
        ImageError::UnsupportedLayer {
            digest: job.blob_digest.clone(),
            media_type: job.media_type.clone(),
        }
    })?;

    // The blob is already here (an earlier, interrupted pull): unpack from disk.
    if content.contains(&job.blob_digest) {
        tracing::info!(
            "blob {} already present: not downloading it again",
            job.blob_digest
        );
        progress(PullEvent::LayerDownloaded { layer: id.clone() });
        let (content, layers, blob, diff_id) = (
            content.clone(),
            layers.clone(),
            job.blob_digest.clone(),
            job.diff_id.clone(),
        );
        let size = tokio::task::spawn_blocking(move || -> Result<u64> {
            let f = io::BufReader::with_capacity(1 << 20, content.open(&blob)?);
            Ok(layers.unpack(f, compression, &diff_id)?)
        })
        .await
        .map_err(|e| ImageError::Runtime(io::Error::other(e)))??;
        progress(PullEvent::LayerComplete { layer: id });
        return Ok(Some(size));
    }

    // Download and unpack at once: chunks go to a blocking thread that writes the blob file and
    // feeds the unpacker. The blob is committed only if its digest and size match; the layer
    // only if, in addition, its diffID matches.
    let mut stream = remote.blob_stream(&job.blob_digest).await?;
    let (tx, rx) = mpsc::channel::<bytes::Bytes>(64);
    let mut writer = content.writer()?;
    let (layers2, blob, diff_id, size) = (
        layers.clone(),
        job.blob_digest.clone(),
        job.diff_id.clone(),
        job.size,
    );
    let worker = tokio::task::spawn_blocking(move || -> Result<u64> {
        let mut reader = TeeReader {
            rx,
            buf: bytes::Bytes::new(),
            sink: &mut writer,
        };
        let unpacked = layers2.unpack_staged(&mut reader, compression);
        // Whatever the unpacker left unread still belongs to the blob.
        let drained = io::copy(&mut reader, &mut io::sink());
        let staged = unpacked?;
        drained.map_err(|e| ImageError::Download {
            digest: blob.clone(),
            detail: e.to_string(),
        })?;
        writer.commit(&blob, Some(size))?;
        Ok(layers2.commit_staged(staged, &diff_id)?)
    });
    let mut done = 0u64;
    let mut send_failed = false;
    let mut download_err = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => {
                done += c.len() as u64;
                if tx.send(c).await.is_err() {
                    // The unpacker stopped early: its error says why.
                    send_failed = true;
                    break;
                }
                progress(PullEvent::LayerBytes {
                    layer: id.clone(),
                    done,
                });
            }
            Err(e) => {
                download_err = Some(e.to_string());
                break;
            }
        }
    }
    drop(tx);
    let result = worker
        .await
        .map_err(|e| ImageError::Runtime(io::Error::other(e)))?;
    if let Some(detail) = download_err
        && !send_failed
    {
        // Prefer the network error over the unpacker's "truncated stream" that follows from it.
        return Err(ImageError::Download {
            digest: job.blob_digest.clone(),
            detail,
        });
    }
    let size = result?;
    progress(PullEvent::LayerDownloaded { layer: id.clone() });
    progress(PullEvent::LayerComplete { layer: id });
    Ok(Some(size))
}

/// Reads chunks from the download channel, copying each into the blob file as it passes.
struct TeeReader<'a, W: io::Write> {
    rx: mpsc::Receiver<bytes::Bytes>,
    buf: bytes::Bytes,
    sink: &'a mut W,
}

impl<W: io::Write> Read for TeeReader<'_, W> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.buf.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => {
                    self.sink.write_all(&chunk)?;
                    self.buf = chunk;
                }
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        let _ = self.buf.split_to(n);
        Ok(n)
    }
}

/// Records the image, its tag and repo digest in one transaction, after checking that every
/// layer and blob it needs is still on disk. `None` means something vanished: fetch again.
fn commit(store: &mut Store, reference: &Reference, f: &Fetched) -> Result<Option<PullOutcome>> {
    let image_id = f.config_digest.clone();
    let m = &f.resolved;
    let content = store.content.clone();
    let layer_store = store.layers.clone();

    // Blobs to keep alive with the image. Manifests go into the content store first.
    let mut blobs = vec![m.digest.clone(), f.config_digest.clone()];
    content.put(&m.digest, &m.bytes)?;
    if let Some((d, b)) = &m.index {
        content.put(d, b)?;
        blobs.push(d.clone());
    }
    debug_assert_eq!(sha256_digest(&m.bytes), m.digest);

    let tx = store.db.write()?;
    let mut layer_rows = Vec::new();
    for l in &f.layers {
        if !layer_store.contains(&l.diff_id) {
            return Ok(None);
        }
        let size = match l.size {
            Some(s) => s as i64,
            None => match tx.query_row(
                "SELECT size FROM layers WHERE diff_id = ?1",
                [&l.diff_id],
                |r| r.get::<_, i64>(0),
            ) {
                Ok(s) => s,
                Err(_) => dir_size(&layer_store.path(&l.diff_id)?) as i64,
            },
        };
        if content.contains(&l.blob_digest) {
            blobs.push(l.blob_digest.clone());
        }
        layer_rows.push(LayerRow {
            diff_id: l.diff_id.clone(),
            blob_digest: l.blob_digest.clone(),
            media_type: l.media_type.clone(),
            size,
        });
    }
    if !blobs.iter().all(|b| content.contains(b)) {
        return Ok(None);
    }
    let cfg = &f.config;
    let image = ImageRow {
        id: image_id.clone(),
        manifest_digest: m.digest.clone(),
        manifest_media_type: m.media_type.clone(),
        created: cfg
            .get("created")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        architecture: cfg
            .get("architecture")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        os: cfg
            .get("os")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
        size: layer_rows.iter().map(|l| l.size).sum(),
        added: now_secs(),
    };
    rows::insert_image(
        &tx,
        &NewImage {
            image: &image,
            layers: &layer_rows,
            blobs: &blobs,
        },
    )?;
    let repository = reference.repository();
    let mut changed = true;
    if let Some(tag) = &reference.tag {
        let name = format!("{repository}:{tag}");
        changed = rows::get_tag(&tx, &name)?.map(|t| t.image_id) != Some(image_id.clone());
        if changed {
            rows::set_tag(&tx, &repository, tag, &image_id, now_secs())?;
        }
    }
    rows::add_repo_digest(&tx, &repository, m.repo_digest(), &image_id)?;
    tx.commit().map_err(crate::state::StateError::from)?;
    Ok(Some(PullOutcome {
        image_id,
        digest: m.repo_digest().to_string(),
        changed,
    }))
}

/// Bytes of regular-file content under `dir` (for layers stored by an interrupted pull).
fn dir_size(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

impl From<LayerError> for ImageError {
    fn from(e: LayerError) -> Self {
        ImageError::Layer(e)
    }
}
