//! Pushing an image: for each tag, its stored manifest (the bytes whose digest the image
//! reports), its config and its compressed layer blobs go to the registry. Each blob is first
//! checked (`HEAD`): one the repository holds is skipped; one that another repository of the
//! same registry is known to hold (berth recorded it there at a pull or push) is mounted from
//! it; the rest are uploaded from the content store, at most three at a time. The manifest goes
//! last, by tag; its digest is then recorded as a repo digest of the image.

use std::sync::Arc;

use serde_json::Value;

use super::{ImageError, Result};
use crate::reference::{Reference, familiar_name};
use crate::registry::RemoteOptions;
use crate::registry::push::PushRemote;
use crate::state::images as rows;
use crate::store::Store;

/// How many blobs upload at once.
const PARALLEL_UPLOADS: usize = 3;

/// What a push reports while it runs. `layer` is the layer's short ID as Docker shows it in
/// push output (the short diffID).
#[derive(Debug, Clone)]
pub enum PushEvent {
    /// First, once: Docker's "The push refers to repository [NAME]".
    Repository {
        name: String,
    },
    /// A layer is about to be checked (listed top layer first).
    LayerPreparing {
        layer: String,
    },
    LayerBytes {
        layer: String,
        done: u64,
        total: u64,
    },
    /// The repository already holds it.
    LayerExists {
        layer: String,
    },
    /// Linked from another repository of the registry (`from` is its path there).
    LayerMounted {
        layer: String,
        from: String,
    },
    LayerPushed {
        layer: String,
    },
    /// A tag's manifest is in place.
    Pushed {
        tag: String,
        digest: String,
        size: u64,
    },
}

pub type Progress = dyn Fn(PushEvent) + Send + Sync;

pub struct PushRequest {
    /// The repository (`registry/path`, no tag).
    pub repository: Reference,
    /// Tags to push, in order.
    pub tags: Vec<String>,
    pub remote: RemoteOptions,
}

/// One pushed tag: what Docker's closing "TAG: digest: … size: …" line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedTag {
    pub tag: String,
    pub digest: String,
    pub size: u64,
}

/// A blob of the image to bring to the registry.
#[derive(Debug, Clone)]
struct Blob {
    digest: String,
    size: u64,
    /// The short ID shown for a layer; `None` for the config (never shown).
    layer: Option<String>,
    /// Repository paths of the same registry known to hold it.
    mount_from: Vec<String>,
}

/// Everything read from the store for one tag.
struct Plan {
    tag: String,
    image_id: String,
    manifest: Vec<u8>,
    manifest_digest: String,
    media_type: String,
    layers: Vec<Blob>,
    config: Blob,
}

/// The local tags of `repository` (`registry/path`), sorted.
pub fn tags_of_repository(store: &Store, repository: &Reference) -> Result<Vec<String>> {
    let repo = repository.repository();
    Ok(rows::all_tags(&store.db.conn)?
        .into_iter()
        .filter(|t| t.repository == repo)
        .map(|t| t.tag)
        .collect())
}

fn short(digest: &str) -> String {
    digest
        .trim_start_matches("sha256:")
        .chars()
        .take(12)
        .collect()
}

/// Reads what pushing `tag` needs: refused before anything is sent if the tag is not here or
/// the image lacks its manifest.
fn plan(store: &Store, repository: &Reference, tag: &str) -> Result<Plan> {
    let conn = &store.db.conn;
    let repo = repository.repository();
    let no_tag = || ImageError::NoLocalTag(repository.familiar_repository());
    let t = rows::get_tag(conn, &format!("{repo}:{tag}"))?.ok_or_else(no_tag)?;
    let image = rows::get_image(conn, &t.image_id)?.ok_or_else(no_tag)?;
    let bad = |detail: String| ImageError::BadImage {
        reference: familiar_name(&repository.with_tag(tag).to_string()),
        detail,
    };
    if image.manifest_digest.is_empty() || !store.content.contains(&image.manifest_digest) {
        return Err(bad(
            "the image's manifest is not stored, so berth cannot push it".into(),
        ));
    }
    let manifest = store.content.read(&image.manifest_digest)?;
    let v: Value = serde_json::from_slice(&manifest)
        .map_err(|e| bad(format!("its stored manifest is not JSON: {e}")))?;
    let descriptor = |d: &Value| -> Result<(String, u64)> {
        match (
            d.get("digest").and_then(Value::as_str),
            d.get("size").and_then(Value::as_u64),
        ) {
            (Some(digest), Some(size)) => Ok((digest.to_string(), size)),
            _ => Err(bad(format!(
                "a descriptor of its manifest is incomplete: {d}"
            ))),
        }
    };
    let sources = |digest: &str| -> Result<Vec<String>> {
        Ok(rows::repositories_with_blob(conn, digest)?
            .into_iter()
            .filter_map(|r| {
                r.strip_prefix(&format!("{}/", repository.registry))
                    .map(str::to_string)
            })
            .filter(|p| *p != repository.path)
            .collect())
    };
    let (config_digest, config_size) = descriptor(v.get("config").unwrap_or(&Value::Null))?;
    let diff_ids: Vec<String> = rows::image_layers(conn, &image.id)?
        .into_iter()
        .map(|l| l.diff_id)
        .collect();
    let layer_descs = v
        .get("layers")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("its stored manifest lists no layers".into()))?;
    let mut layers = Vec::new();
    for (i, d) in layer_descs.iter().enumerate() {
        let (digest, size) = descriptor(d)?;
        // Docker names a layer by its diffID in push output.
        let id = match diff_ids.get(i) {
            Some(diff) if diff_ids.len() == layer_descs.len() => short(diff),
            _ => short(&digest),
        };
        layers.push(Blob {
            mount_from: sources(&digest)?,
            digest,
            size,
            layer: Some(id),
        });
    }
    Ok(Plan {
        tag: tag.to_string(),
        image_id: image.id.clone(),
        media_type: v
            .get("mediaType")
            .and_then(Value::as_str)
            .unwrap_or(&image.manifest_media_type)
            .to_string(),
        manifest,
        manifest_digest: image.manifest_digest,
        config: Blob {
            mount_from: sources(&config_digest)?,
            digest: config_digest,
            size: config_size,
            layer: None,
        },
        layers,
    })
}

/// Pushes the tags of `req` in order. `progress` first gets [`PushEvent::Repository`], once
/// every tag was found and before anything is sent.
pub fn push(
    store: &mut Store,
    req: &PushRequest,
    progress: Arc<Progress>,
) -> Result<Vec<PushedTag>> {
    let plans = req
        .tags
        .iter()
        .map(|t| plan(store, &req.repository, t))
        .collect::<Result<Vec<_>>>()?;
    progress(PushEvent::Repository {
        name: req.repository.repository(),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ImageError::Runtime)?;
    let target = req.repository.with_tag(&req.tags[0]);
    let remote = Arc::new(rt.block_on(PushRemote::connect(&target, &req.remote))?);
    let mut out = Vec::new();
    for plan in plans {
        let pushed = rt.block_on(push_one(
            store,
            &remote,
            &req.repository,
            &plan,
            progress.clone(),
        ))?;
        // The registry now holds the manifest under this digest: the image's repo digest there.
        let tx = store.db.write()?;
        if rows::get_image(&tx, &plan.image_id)?.is_some() {
            rows::add_repo_digest(
                &tx,
                &req.repository.repository(),
                &pushed.digest,
                &plan.image_id,
            )?;
        }
        tx.commit().map_err(crate::state::StateError::from)?;
        progress(PushEvent::Pushed {
            tag: pushed.tag.clone(),
            digest: pushed.digest.clone(),
            size: pushed.size,
        });
        out.push(pushed);
    }
    Ok(out)
}

async fn push_one(
    store: &Store,
    remote: &Arc<PushRemote>,
    repository: &Reference,
    plan: &Plan,
    progress: Arc<Progress>,
) -> Result<PushedTag> {
    for b in plan.layers.iter().rev() {
        progress(PushEvent::LayerPreparing {
            layer: b.layer.clone().expect("a layer"),
        });
    }
    let sem = Arc::new(tokio::sync::Semaphore::new(PARALLEL_UPLOADS));
    let mut tasks = tokio::task::JoinSet::new();
    let mut seen = std::collections::BTreeSet::new();
    for b in plan.layers.iter().rev().chain([&plan.config]) {
        // A blob listed twice (an empty layer) goes once.
        if !seen.insert(b.digest.clone()) {
            if let Some(layer) = &b.layer {
                progress(PushEvent::LayerExists {
                    layer: layer.clone(),
                });
            }
            continue;
        }
        let (remote, sem, progress, blob) =
            (remote.clone(), sem.clone(), progress.clone(), b.clone());
        let path = store.content.path(&b.digest)?;
        let stored = store.content.contains(&b.digest);
        let reference = familiar_name(&repository.with_tag(&plan.tag).to_string());
        tasks.spawn(async move {
            let _permit = sem.acquire_owned().await.expect("semaphore open");
            push_blob(&remote, &blob, stored.then_some(path), &reference, progress).await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        // The first failure stops the others (dropping the JoinSet cancels them).
        joined.map_err(|e| ImageError::Runtime(std::io::Error::other(e)))??;
    }
    let digest = remote
        .push_manifest(&plan.tag, &plan.manifest, &plan.media_type)
        .await?;
    debug_assert_eq!(digest, plan.manifest_digest);
    Ok(PushedTag {
        tag: plan.tag.clone(),
        digest,
        size: plan.manifest.len() as u64,
    })
}

/// Brings one blob into the target repository: already there, mounted, or uploaded.
async fn push_blob(
    remote: &PushRemote,
    b: &Blob,
    stored: Option<std::path::PathBuf>,
    reference: &str,
    progress: Arc<Progress>,
) -> Result<()> {
    let say = |e: fn(String) -> PushEvent| {
        if let Some(l) = &b.layer {
            progress(e(l.clone()));
        }
    };
    if remote.blob_exists(&b.digest).await? {
        say(|layer| PushEvent::LayerExists { layer });
        return Ok(());
    }
    for from in &b.mount_from {
        if remote.mount_blob(from, &b.digest).await {
            if let Some(layer) = &b.layer {
                progress(PushEvent::LayerMounted {
                    layer: layer.clone(),
                    from: from.clone(),
                });
            }
            return Ok(());
        }
    }
    let Some(path) = stored else {
        return Err(ImageError::BadImage {
            reference: reference.to_string(),
            detail: format!(
                "blob {} is not stored here (its layer came with another image) and the registry does not have it",
                b.digest
            ),
        });
    };
    let sent: Arc<crate::registry::push::BytesSent> = match &b.layer {
        Some(layer) => {
            let (layer, total, progress) = (layer.clone(), b.size, progress.clone());
            Arc::new(move |done| {
                progress(PushEvent::LayerBytes {
                    layer: layer.clone(),
                    done,
                    total,
                })
            })
        }
        None => Arc::new(|_| {}),
    };
    remote.upload_blob(&path, &b.digest, b.size, sent).await?;
    say(|layer| PushEvent::LayerPushed { layer });
    Ok(())
}
