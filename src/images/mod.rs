//! Images as records: finding an image by name, ID or prefix; tags; removal with reference
//! counting of layers and blobs; prune; and the data `images`, `inspect` and `history` show.

pub mod archive;
pub mod local;
pub mod mount;
pub mod pull;
pub mod push;

use std::collections::BTreeSet;
use std::io;

use crate::content::ContentError;
use crate::events::{Event, Type};
use crate::layers::LayerError;
use crate::reference::{Reference, ReferenceError, familiar_repository};
use crate::registry::RegistryError;
use crate::state::StateError;
use crate::state::images::{self as rows, ImageRow, Orphans};
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("No such image: {0}")]
    NotFound(String),
    /// A push of a tag that is not here (Docker's words).
    #[error("An image does not exist locally with the tag: {0}")]
    NoLocalTag(String),
    #[error("image ID prefix {0:?} is ambiguous: it matches several images")]
    Ambiguous(String),
    #[error(
        "conflict: unable to delete {short} (must be forced) - image is referenced in multiple repositories"
    )]
    MultipleRepositories { short: String },
    #[error(
        "conflict: unable to remove {0}: the image is mounted (berth image unmount it first, or use -f)"
    )]
    Mounted(String),
    #[error("{0}")]
    Conflict(String),
    /// Bad input: an archive that is not an image archive, a `--change` Docker does not know.
    #[error("{0}")]
    Invalid(String),
    #[error(
        "conflict: unable to remove repository reference \"{name}\" (must force) - container {container} is using its referenced image"
    )]
    InUse { name: String, container: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Layer(LayerError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{reference}: {detail}")]
    BadImage { reference: String, detail: String },
    #[error("layer {digest} has unsupported media type {media_type:?}")]
    UnsupportedLayer { digest: String, media_type: String },
    #[error("downloading {digest}: {detail}")]
    Download { digest: String, detail: String },
    #[error("async runtime: {0}")]
    Runtime(io::Error),
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        source: io::Error,
    },
    #[error("{what}: {source}")]
    Mount {
        what: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Overlay(#[from] crate::overlay::OverlayError),
}

impl From<rusqlite::Error> for ImageError {
    fn from(e: rusqlite::Error) -> Self {
        ImageError::State(StateError::Sql(e))
    }
}

pub type Result<T> = std::result::Result<T, ImageError>;

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn is_hex(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// How a user named an image.
#[derive(Debug, Clone)]
pub enum Named {
    /// By `repo:tag` (the full tag name).
    Tag(String),
    /// By `repo@digest`.
    Digest(String),
    /// By ID or ID prefix.
    Id,
}

/// Finds an image by tag, `repo@digest`, full ID (`sha256:…` or 64 hex) or unique ID prefix.
pub fn resolve(store: &Store, name: &str) -> Result<(String, Named)> {
    let conn = &store.db.conn;
    let hex = name.strip_prefix("sha256:").unwrap_or(name);
    if hex.len() == 64 && is_hex(hex) {
        let id = format!("sha256:{hex}");
        if rows::get_image(conn, &id)?.is_some() {
            return Ok((id, Named::Id));
        }
        return Err(ImageError::NotFound(name.to_string()));
    }
    if !name.starts_with("sha256:")
        && let Ok(r) = Reference::parse(name)
    {
        if let Some(d) = &r.digest {
            if let Some(id) = rows::image_by_repo_digest(conn, &r.repository(), d)? {
                return Ok((id, Named::Digest(format!("{}@{d}", r.repository()))));
            }
        } else if let Some(t) = rows::get_tag(conn, &r.tagged_name().expect("tag"))? {
            return Ok((t.image_id, Named::Tag(t.name)));
        }
    }
    if is_hex(hex) {
        let ids = rows::images_with_id_prefix(conn, hex)?;
        match ids.len() {
            1 => return Ok((ids[0].clone(), Named::Id)),
            n if n > 1 => return Err(ImageError::Ambiguous(name.to_string())),
            _ => {}
        }
    }
    // Only now report a malformed reference, so ID prefixes are never mistaken for bad names.
    if !name.starts_with("sha256:") {
        Reference::parse(name)?;
    }
    Err(ImageError::NotFound(name.to_string()))
}

/// One line of `berth images`: an image under one of its tags (or `<none>`).
#[derive(Debug, Clone)]
pub struct ImageSummary {
    pub image: ImageRow,
    /// Familiar repository (`redis`), or `<none>`.
    pub repository: String,
    pub tag: String,
    pub digest: Option<String>,
    pub tag_count: usize,
    /// The image it was made from (`commit`, a build step), if recorded: Docker's `ParentId`.
    pub parent: Option<String>,
}

/// Images with one entry per tag, dangling images once as `<none>`; newest first. Untagged
/// images others were made from and build steps' images are intermediate images, listed only
/// with `all` (Docker's `images -a`).
pub fn list(store: &Store, all: bool) -> Result<Vec<ImageSummary>> {
    let conn = &store.db.conn;
    let images = rows::list_images(conn)?;
    let tags = rows::all_tags(conn)?;
    let steps = crate::state::build::step_images(conn)?;
    let parents = rows::all_parents(conn)?;
    let mut out = Vec::new();
    for img in images {
        let mine: Vec<_> = tags.iter().filter(|t| t.image_id == img.id).collect();
        if !all
            && mine.is_empty()
            && (steps.contains(&img.id) || rows::has_children(conn, &img.id)?)
        {
            // A build step's image: the build cache's, not the user's (`builder prune`); an
            // untagged image others were made from: an intermediate image, hidden as Docker's.
            continue;
        }
        let parent = parents.get(&img.id).cloned();
        let digests = rows::repo_digests_of(conn, &img.id)?;
        let digest_for = |repo: &str| {
            digests
                .iter()
                .find(|(r, _)| r == repo)
                .map(|(_, d)| d.clone())
        };
        if mine.is_empty() {
            let (repository, digest) = match digests.first() {
                Some((r, d)) => (familiar_repository(r), Some(d.clone())),
                None => ("<none>".to_string(), None),
            };
            out.push(ImageSummary {
                image: img.clone(),
                repository,
                tag: "<none>".into(),
                digest,
                tag_count: 0,
                parent: parent.clone(),
            });
        }
        for t in &mine {
            out.push(ImageSummary {
                image: img.clone(),
                repository: familiar_repository(&t.repository),
                tag: t.tag.clone(),
                digest: digest_for(&t.repository),
                tag_count: mine.len(),
                parent: parent.clone(),
            });
        }
    }
    out.sort_by(|a, b| {
        created_ts(&b.image)
            .cmp(&created_ts(&a.image))
            .then(a.repository.cmp(&b.repository))
            .then(a.tag.cmp(&b.tag))
    });
    Ok(out)
}

/// Creation time of an image as unix seconds (0 if unknown).
pub fn created_ts(img: &ImageRow) -> i64 {
    img.created
        .as_deref()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// `berth tag SOURCE TARGET`.
pub fn tag(store: &mut Store, source: &str, target: &str) -> Result<()> {
    let target = Reference::parse(target)?;
    if target.digest.is_some() {
        return Err(ImageError::Conflict(format!(
            "refusing to create a tag with a digest reference: {target}"
        )));
    }
    let (id, _) = resolve(store, source)?;
    let tx = store.db.write()?;
    rows::set_tag(
        &tx,
        &target.repository(),
        target.tag.as_deref().expect("parse adds latest"),
        &id,
        now_secs(),
    )?;
    tx.commit().map_err(StateError::from)?;
    crate::events::record(
        &store.root,
        Event::new(Type::Image, "tag", &id)
            .attr("name", crate::reference::familiar_name(&target.to_string())),
    );
    Ok(())
}

/// `berth untag IMAGE [NAME…]` (podman's): removes the given tags of the image, every tag
/// without names; the image stays (dangling if no tag is left). Returns the names untagged.
pub fn untag(store: &mut Store, image: &str, names: &[String]) -> Result<Vec<String>> {
    let (id, _) = resolve(store, image)?;
    let tx = store.db.write()?;
    let tags = rows::tags_of(&tx, &id)?;
    let mut gone = Vec::new();
    if names.is_empty() {
        gone.extend(tags.iter().map(|t| t.name.clone()));
    } else {
        for n in names {
            let r = Reference::parse(n)?;
            let full = r.to_string();
            if !tags.iter().any(|t| t.name == full) {
                return Err(ImageError::NotFound(crate::reference::familiar_name(&full)));
            }
            if !gone.contains(&full) {
                gone.push(full);
            }
        }
    }
    for t in &gone {
        rows::remove_tag(&tx, t)?;
    }
    tx.commit().map_err(StateError::from)?;
    let gone: Vec<String> = gone
        .iter()
        .map(|t| crate::reference::familiar_name(t))
        .collect();
    for n in &gone {
        crate::events::record(
            &store.root,
            Event::new(Type::Image, "untag", &id).attr("name", n),
        );
    }
    Ok(gone)
}

/// A line of `rmi` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    Untagged(String),
    Deleted(String),
}

/// `berth rmi`: untag, and delete the image once nothing names it.
pub fn remove(store: &mut Store, name: &str, force: bool) -> Result<Vec<Removed>> {
    let (id, named) = resolve(store, name)?;
    if mount::is_mounted(store, &id) {
        if !force {
            return Err(ImageError::Mounted(name.to_string()));
        }
        mount::unmount(store, &id)?;
    }
    let mut out = Vec::new();
    let tx = store.db.write()?;
    let tags = rows::tags_of(&tx, &id)?;
    let users = crate::state::containers::image_in_use(&tx, &id)?;
    // Docker: an image other images were made from is never deleted (with -f neither); its
    // last name may go (the image stays, as their parent).
    let parent = rows::has_children(&tx, &id)?;
    let delete_image = match &named {
        Named::Tag(t) => {
            rows::remove_tag(&tx, t)?;
            out.push(Removed::Untagged(crate::reference::familiar_name(t)));
            tags.len() == 1 && !parent
        }
        Named::Digest(_) | Named::Id if parent => {
            return Err(ImageError::Conflict(format!(
                "conflict: unable to delete {} (cannot be forced) - image has dependent child \
                 images",
                short_id(&id)
            )));
        }
        Named::Digest(_) | Named::Id => {
            let repos: BTreeSet<_> = tags.iter().map(|t| t.repository.as_str()).collect();
            if tags.len() > 1 && !force && (repos.len() > 1 || matches!(named, Named::Id)) {
                return Err(ImageError::MultipleRepositories {
                    short: short_id(&id),
                });
            }
            for t in &tags {
                rows::remove_tag(&tx, &t.name)?;
                out.push(Removed::Untagged(crate::reference::familiar_name(&t.name)));
            }
            true
        }
    };
    let mut orphans = Orphans::default();
    if delete_image && !users.is_empty() {
        // Docker: an image used by a container is only untagged, and only with -f.
        if !force {
            return Err(ImageError::InUse {
                name: name.to_string(),
                container: users[0][..12].to_string(),
            });
        }
        tx.commit().map_err(StateError::from)?;
        return Ok(out);
    }
    if delete_image {
        for (repo, digest) in rows::repo_digests_of(&tx, &id)? {
            out.push(Removed::Untagged(format!(
                "{}@{digest}",
                familiar_repository(&repo)
            )));
        }
        orphans = rows::delete_image(&tx, &id)?;
        out.push(Removed::Deleted(id.clone()));
    }
    tx.commit().map_err(StateError::from)?;
    // Docker's events: `untag` per name (the name in `name`), `delete` with the ID as name.
    for r in &out {
        let ev = match r {
            Removed::Untagged(n) => Event::new(Type::Image, "untag", &id).attr("name", n),
            Removed::Deleted(d) => Event::new(Type::Image, "delete", d).attr("name", d),
        };
        crate::events::record(&store.root, ev);
    }
    for l in collect_garbage(store, &orphans)? {
        out.push(Removed::Deleted(l));
    }
    Ok(out)
}

/// One pass of [`prune`] over the images: those selected that nothing uses and no image was
/// made from.
fn prune_pass(
    store: &mut Store,
    all: bool,
    select: &dyn Fn(&Store, &ImageRow) -> bool,
    out: &mut Vec<Removed>,
    reclaimed: &mut u64,
) -> Result<()> {
    let images = rows::list_images(&store.db.conn)?;
    let steps = crate::state::build::step_images(&store.db.conn)?;
    for img in images {
        let tags = rows::tags_of(&store.db.conn, &img.id)?;
        if (!all && !tags.is_empty()) || !select(store, &img) {
            continue;
        }
        if rows::has_children(&store.db.conn, &img.id)? {
            // Docker: its names go (with `all`), the image stays as their parent.
            for t in &tags {
                out.extend(remove(store, &t.name, false)?);
            }
            continue;
        }
        if steps.contains(&img.id) && tags.is_empty() {
            // The build cache's: `builder prune` removes it.
            continue;
        }
        if mount::is_mounted(store, &img.id)
            || !crate::state::containers::image_in_use(&store.db.conn, &img.id)?.is_empty()
        {
            continue;
        }
        let size = img.size.max(0) as u64;
        let removed = remove(store, &img.id, true)?;
        if removed
            .iter()
            .any(|r| matches!(r, Removed::Deleted(d) if *d == img.id))
        {
            *reclaimed += size;
        }
        out.extend(removed);
    }
    Ok(())
}

/// Removes from disk the layers and blobs among `candidates` that nothing references, checking
/// again under the write lock so a concurrent pull that just started using one keeps it.
/// Returns the diffIDs of the removed layers.
fn collect_garbage(store: &mut Store, candidates: &Orphans) -> Result<Vec<String>> {
    if candidates.layers.is_empty() && candidates.blobs.is_empty() {
        return Ok(Vec::new());
    }
    let layers = store.layers.clone();
    let content = store.content.clone();
    let tx = store.db.write()?;
    let mut removed = Vec::new();
    for l in &candidates.layers {
        let used: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM image_layers WHERE diff_id = ?1)",
            [l],
            |r| r.get(0),
        )?;
        if !used {
            layers.remove(l)?;
            removed.push(l.clone());
        }
    }
    for b in &candidates.blobs {
        let used: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM image_blobs WHERE digest = ?1)",
            [b],
            |r| r.get(0),
        )?;
        if !used {
            content.remove(b)?;
        }
    }
    tx.commit().map_err(StateError::from)?;
    Ok(removed)
}

/// `berth image prune`: removes dangling images (all unused images with `all`), then any layer
/// or blob on disk that no image references (leftovers of interrupted commands).
pub fn prune(
    store: &mut Store,
    all: bool,
    select: &dyn Fn(&Store, &ImageRow) -> bool,
) -> Result<(Vec<Removed>, u64)> {
    let mut out = Vec::new();
    let mut reclaimed = 0u64;
    // Images that are parents of others go once their children have gone (untagged parents
    // with their last child, as Docker's prune deletes them): a chain goes in as many passes
    // as it is long.
    loop {
        let before = out.len();
        prune_pass(store, all, select, &mut out, &mut reclaimed)?;
        if out.len() == before {
            break;
        }
    }
    // Everything on disk that no row references.
    let orphans = {
        let conn = &store.db.conn;
        let used_layers: BTreeSet<String> = rows::all_layer_ids(conn)?.into_iter().collect();
        let used_blobs: BTreeSet<String> = rows::all_blob_digests(conn)?.into_iter().collect();
        Orphans {
            layers: store
                .layers
                .list()?
                .into_iter()
                .filter(|l| !used_layers.contains(l))
                .collect(),
            blobs: store
                .content
                .list()?
                .into_iter()
                .filter(|b| !used_blobs.contains(b))
                .collect(),
        }
    };
    collect_garbage(store, &orphans)?;
    store.tmp.sweep_stale();
    Ok((out, reclaimed))
}

pub fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// The stored config JSON of an image.
pub fn config(store: &Store, id: &str) -> Result<serde_json::Value> {
    let bytes = store.content.read(id)?;
    serde_json::from_slice(&bytes).map_err(|e| ImageError::BadImage {
        reference: id.to_string(),
        detail: format!("stored config is not valid JSON: {e}"),
    })
}

pub fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// One row of `berth history`, newest first.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The image ID for the top entry, `<missing>` below it (as Docker shows pulled images).
    pub id: String,
    pub created: Option<String>,
    pub created_by: String,
    pub size: i64,
    pub comment: String,
}

pub fn history(store: &Store, id: &str) -> Result<Vec<HistoryEntry>> {
    let cfg = config(store, id)?;
    let layers = rows::image_layers(&store.db.conn, id)?;
    let mut sizes = layers.iter().map(|l| l.size);
    let mut out = Vec::new();
    let entries = cfg
        .get("history")
        .and_then(|h| h.as_array())
        .cloned()
        .unwrap_or_default();
    if entries.is_empty() {
        // No history in the config: one entry per layer.
        for l in &layers {
            out.push(HistoryEntry {
                id: "<missing>".into(),
                created: None,
                created_by: String::new(),
                size: l.size,
                comment: String::new(),
            });
        }
    }
    for h in entries {
        let empty = h
            .get("empty_layer")
            .and_then(|e| e.as_bool())
            .unwrap_or(false);
        let s = |k: &str| h.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        out.push(HistoryEntry {
            id: "<missing>".into(),
            created: h
                .get("created")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            created_by: s("created_by"),
            size: if empty { 0 } else { sizes.next().unwrap_or(0) },
            comment: s("comment"),
        });
    }
    out.reverse();
    if let Some(first) = out.first_mut() {
        first.id = id.to_string();
    }
    Ok(out)
}
