//! Image archives: `save` (Docker 25+'s layout: `manifest.json` and `repositories` for the
//! Docker format, `oci-layout`, `index.json` and `blobs/sha256/…` for OCI), `load` (Docker's old
//! and new archives, podman's docker-archive, OCI archives; plain, gzip or zstd) and the layer
//! of `import`.
//!
//! An archive that comes in is untrusted: it is unpacked into the temp area by the confined
//! layer unpacker (no name escapes, no symlink followed out), the files its manifests name are
//! resolved inside that directory (symlinks followed only within it), every layer goes through
//! the unpacker again into the layer store and is checked against the config's diffID, and the
//! config's digest is the image ID. Everything is checked before anything is stored: a corrupt
//! or truncated archive leaves the store as it was.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::local::{self, LocalLayer};
use super::{ImageError, Named, Result, resolve};
use crate::layers::{Compression, Staged};
use crate::reference::{Reference, familiar_name};
use crate::state::images as rows;
use crate::store::Store;
use crate::tmp::remove_any;

// ---------------------------------------------------------------------------
// save
// ---------------------------------------------------------------------------

/// Writes the images `names` name as one archive. An image named by a tag is saved under each
/// tag it was named by; one named by ID or digest is saved without a tag.
pub fn save(store: &Store, names: &[String], out: &mut dyn Write) -> Result<()> {
    let conn = &store.db.conn;
    // Image ID → its tags (full names), in the order first named.
    let mut order: Vec<String> = Vec::new();
    let mut tags: HashMap<String, Vec<String>> = HashMap::new();
    for n in names {
        let (id, named) = resolve(store, n)?;
        let list = tags.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Vec::new()
        });
        if let Named::Tag(t) = named
            && !list.contains(&t)
        {
            list.push(t);
        }
    }
    let mut tar = tar::Builder::new(out);
    let mut written = std::collections::HashSet::new();
    let mut manifest_json = Vec::new();
    let mut index = Vec::new();
    let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    dir_entry(&mut tar, "blobs/")?;
    dir_entry(&mut tar, "blobs/sha256/")?;
    for id in &order {
        let image = rows::get_image(conn, id)?.ok_or_else(|| ImageError::NotFound(id.clone()))?;
        let layers = rows::image_layers(conn, id)?;
        let mut blobs = vec![id.clone(), image.manifest_digest.clone()];
        for l in &layers {
            if !store.content.contains(&l.blob_digest) {
                return Err(ImageError::Conflict(format!(
                    "cannot save {}: the blob of layer {} is not stored (pull the image again)",
                    super::short_id(id),
                    l.diff_id
                )));
            }
            blobs.push(l.blob_digest.clone());
        }
        for b in blobs {
            if written.insert(b.clone()) {
                let path = store.content.path(&b)?;
                let mut f = File::open(&path).map_err(|source| ImageError::Io {
                    path: path.clone(),
                    source,
                })?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                let mut h = file_header(len);
                tar.append_data(&mut h, blob_path(&b), &mut f)
                    .map_err(write_err)?;
            }
        }
        let names: Vec<String> = tags[id].iter().map(|t| familiar_name(t)).collect();
        manifest_json.push(json!({
            "Config": blob_path(id),
            "RepoTags": if names.is_empty() { Value::Null } else { json!(names) },
            "Layers": layers.iter().map(|l| blob_path(&l.blob_digest)).collect::<Vec<_>>(),
        }));
        let manifest_size = fs::metadata(store.content.path(&image.manifest_digest)?)
            .map(|m| m.len())
            .unwrap_or(0);
        let descriptor = |annotations: Value| {
            json!({
                "mediaType": image.manifest_media_type,
                "digest": image.manifest_digest,
                "size": manifest_size,
                "annotations": annotations,
            })
        };
        if tags[id].is_empty() {
            index.push(descriptor(json!({})));
        }
        for t in &tags[id] {
            let r = Reference::parse(t)?;
            let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
            index.push(descriptor(json!({
                "io.containerd.image.name": t,
                "org.opencontainers.image.ref.name": tag,
            })));
            repositories
                .entry(familiar_name(&r.repository()))
                .or_default()
                .insert(tag, id.trim_start_matches("sha256:").to_string());
        }
    }
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": index,
    });
    for (name, value) in [
        ("index.json", index),
        ("manifest.json", json!(manifest_json)),
        ("oci-layout", json!({"imageLayoutVersion": "1.0.0"})),
        ("repositories", json!(repositories)),
    ] {
        let bytes = serde_json::to_vec(&value).expect("JSON value");
        let mut h = file_header(bytes.len() as u64);
        tar.append_data(&mut h, name, bytes.as_slice())
            .map_err(write_err)?;
    }
    tar.into_inner()
        .map_err(write_err)?
        .flush()
        .map_err(write_err)?;
    Ok(())
}

fn write_err(e: io::Error) -> ImageError {
    ImageError::Io {
        path: PathBuf::from("<archive output>"),
        source: e,
    }
}

fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", digest.trim_start_matches("sha256:"))
}

fn file_header(len: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_size(len);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    h
}

fn dir_entry<W: Write>(tar: &mut tar::Builder<W>, name: &str) -> Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    h.set_mtime(0);
    h.set_uid(0);
    h.set_gid(0);
    tar.append_data(&mut h, name, io::empty())
        .map_err(write_err)
}

// ---------------------------------------------------------------------------
// load
// ---------------------------------------------------------------------------

/// An image a load stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub id: String,
    /// Familiar names it was tagged with (`busybox:latest`).
    pub tags: Vec<String>,
}

fn invalid(detail: impl std::fmt::Display) -> ImageError {
    ImageError::Invalid(format!("invalid image archive: {detail}"))
}

/// A directory of the temp area, removed with everything in it when dropped.
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = remove_any(&self.0);
    }
}

/// Peeks at the first bytes of `input` to tell its compression.
fn sniffed(input: &mut dyn Read) -> Result<(BufReader<&mut dyn Read>, Compression)> {
    let mut r = BufReader::with_capacity(1 << 20, input);
    let head = r.fill_buf().map_err(invalid)?;
    let c = Compression::sniff(head);
    Ok((r, c))
}

#[derive(Deserialize)]
struct DockerManifest {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "RepoTags", default)]
    repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

/// One image found in an archive, checked, waiting to be stored.
struct Pending {
    config: Vec<u8>,
    id: String,
    tags: Vec<Reference>,
    /// Files of the work directory (indexes into `Load::files`), one per layer.
    layers: Vec<usize>,
}

/// A layer file of the archive, read once however many images use it.
struct LayerFile {
    path: PathBuf,
    digest: String,
    diff_id: String,
    compression: Compression,
    blob_size: u64,
    size: u64,
    staged: Option<Staged>,
}

struct Load<'a> {
    store: &'a Store,
    root: PathBuf,
    files: Vec<LayerFile>,
    by_path: HashMap<PathBuf, usize>,
}

/// Loads every image of an archive. Nothing is stored unless the whole archive is valid.
pub fn load(store: &mut Store, input: &mut dyn Read) -> Result<Vec<Loaded>> {
    store.tmp.sweep_stale();
    let (reader, compression) = sniffed(input)?;
    let work = WorkDir(store.tmp.new_dir("load").map_err(|source| ImageError::Io {
        path: store.tmp.dir().to_path_buf(),
        source,
    })?);
    crate::layers::unpack::unpack(reader, compression, &work.0).map_err(invalid)?;
    let mut l = Load {
        store,
        root: work.0.clone(),
        files: Vec::new(),
        by_path: HashMap::new(),
    };
    let pending = if work.0.join("manifest.json").is_file() {
        l.docker()?
    } else if work.0.join("index.json").is_file() {
        l.oci()?
    } else {
        return Err(invalid("it has neither manifest.json nor index.json"));
    };
    if pending.is_empty() {
        return Err(invalid("it holds no image"));
    }
    // Everything checked: store the layers and blobs, then record the images.
    let Load { files, .. } = l;
    let mut stored = Vec::new();
    for mut f in files {
        if let Some(staged) = f.staged.take() {
            store.layers.commit_staged(staged, &f.diff_id)?;
        }
        store.content.adopt(&f.path, &f.digest)?;
        stored.push(LocalLayer {
            diff_id: f.diff_id,
            blob_digest: f.digest,
            media_type: media_type(f.compression).into(),
            blob_size: f.blob_size,
            size: f.size,
        });
    }
    let mut out = Vec::new();
    for p in pending {
        let layers: Vec<LocalLayer> = p.layers.iter().map(|&i| stored[i].clone()).collect();
        local::record_config_bytes(store, &p.config, &p.id, &layers, &p.tags, None)?;
        out.push(Loaded {
            id: p.id,
            tags: p
                .tags
                .iter()
                .map(|t| familiar_name(&t.to_string()))
                .collect(),
        });
    }
    Ok(out)
}

fn media_type(c: Compression) -> &'static str {
    match c {
        Compression::Plain => "application/vnd.oci.image.layer.v1.tar",
        Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
        Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
    }
}

fn diff_ids(config: &Value) -> Vec<String> {
    config
        .pointer("/rootfs/diff_ids")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Load<'_> {
    /// Resolves `name` (as an archive's manifest gives it) inside the work directory: `..` may
    /// not leave it, symlinks are followed only within it, the result is a regular file.
    fn resolve(&self, name: &str) -> Result<PathBuf> {
        let mut parts: Vec<std::ffi::OsString> = Vec::new();
        let mut hops = 0;
        let mut pending: std::collections::VecDeque<std::ffi::OsString> = Default::default();
        let p = Path::new(name);
        if p.is_absolute() {
            return Err(invalid(format!("{name:?} is an absolute path")));
        }
        pending.extend(p.components().map(|c| c.as_os_str().to_owned()));
        while let Some(c) = pending.pop_front() {
            if c == "." || c.is_empty() || c == "/" {
                continue;
            }
            if c == ".." {
                if parts.pop().is_none() {
                    return Err(invalid(format!("{name:?} leads outside the archive")));
                }
                continue;
            }
            parts.push(c);
            let here: PathBuf = parts.iter().collect();
            let full = self.root.join(&here);
            let meta = fs::symlink_metadata(&full)
                .map_err(|_| invalid(format!("{name:?} is not in the archive")))?;
            if meta.file_type().is_symlink() {
                hops += 1;
                if hops > 16 {
                    return Err(invalid(format!("{name:?}: too many symlinks")));
                }
                let target = fs::read_link(&full).map_err(invalid)?;
                if target.is_absolute() {
                    return Err(invalid(format!("{name:?} is a symlink out of the archive")));
                }
                parts.pop();
                for c in target.components().rev() {
                    pending.push_front(c.as_os_str().to_owned());
                }
            }
        }
        let full = self.root.join(parts.iter().collect::<PathBuf>());
        if !fs::symlink_metadata(&full).is_ok_and(|m| m.is_file()) {
            return Err(invalid(format!("{name:?} is not a file in the archive")));
        }
        Ok(full)
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        let p = self.resolve(name)?;
        fs::read(&p).map_err(|source| ImageError::Io { path: p, source })
    }

    fn config(&self, bytes: &[u8]) -> Result<(String, Value)> {
        let v: Value = serde_json::from_slice(bytes)
            .map_err(|e| invalid(format!("an image config is not valid JSON: {e}")))?;
        Ok((crate::content::sha256_digest(bytes), v))
    }

    /// Reads a layer file (once): its digest, and, unless the layer store has it, the layer
    /// unpacked into the temp area and checked against `diff_id`.
    fn layer(&mut self, name: &str, diff_id: &str) -> Result<usize> {
        let path = self.resolve(name)?;
        if let Some(&i) = self.by_path.get(&path) {
            if self.files[i].diff_id != diff_id {
                return Err(invalid(format!(
                    "{name} is the layer of two different diffIDs"
                )));
            }
            return Ok(i);
        }
        let f = File::open(&path).map_err(|source| ImageError::Io {
            path: path.clone(),
            source,
        })?;
        let mut head = [0u8; 4];
        let n = (&f).read(&mut head).unwrap_or(0);
        let compression = Compression::sniff(&head[..n]);
        let f = File::open(&path).map_err(|source| ImageError::Io {
            path: path.clone(),
            source,
        })?;
        let mut hashing = HashReader {
            inner: BufReader::with_capacity(1 << 20, f),
            hasher: Sha256::new(),
            read: 0,
        };
        let have = self.store.layers.contains(diff_id);
        let mut staged = None;
        let size;
        if have {
            io::copy(&mut hashing, &mut io::sink()).map_err(|source| ImageError::Io {
                path: path.clone(),
                source,
            })?;
            size = rows_layer_size(self.store, diff_id);
        } else {
            let s = self
                .store
                .layers
                .unpack_staged(&mut hashing, compression)
                .map_err(|e| invalid(format!("layer {name}: {e}")))?;
            io::copy(&mut hashing, &mut io::sink()).map_err(|source| ImageError::Io {
                path: path.clone(),
                source,
            })?;
            let (actual, sz) = s.unpacked().expect("unpacked");
            if actual != diff_id {
                return Err(invalid(format!(
                    "layer {name} has diffID {actual}, its config says {diff_id}"
                )));
            }
            size = sz;
            staged = Some(s);
        }
        let digest = format!("sha256:{}", hex::encode(hashing.hasher.finalize()));
        self.files.push(LayerFile {
            path: path.clone(),
            digest,
            diff_id: diff_id.to_string(),
            compression,
            blob_size: hashing.read,
            size,
            staged,
        });
        self.by_path.insert(path, self.files.len() - 1);
        Ok(self.files.len() - 1)
    }

    fn image(
        &mut self,
        config: Vec<u8>,
        layers: &[String],
        tags: Vec<Reference>,
    ) -> Result<Pending> {
        let (id, cfg) = self.config(&config)?;
        let ids = diff_ids(&cfg);
        if ids.len() != layers.len() {
            return Err(invalid(format!(
                "image {id}: {} layers but {} diffIDs in its config",
                layers.len(),
                ids.len()
            )));
        }
        let mut idx = Vec::new();
        for (name, diff_id) in layers.iter().zip(&ids) {
            idx.push(self.layer(name, diff_id)?);
        }
        Ok(Pending {
            config,
            id,
            tags,
            layers: idx,
        })
    }

    /// Docker's archives (old and new) and podman's docker-archive: `manifest.json`.
    fn docker(&mut self) -> Result<Vec<Pending>> {
        let list: Vec<DockerManifest> = serde_json::from_slice(&self.read("manifest.json")?)
            .map_err(|e| invalid(format!("manifest.json: {e}")))?;
        let mut out = Vec::new();
        for m in list {
            let tags = m
                .repo_tags
                .unwrap_or_default()
                .iter()
                .map(|t| local::parse_tag(t))
                .collect::<Result<Vec<_>>>()?;
            let config = self.read(&m.config)?;
            out.push(self.image(config, &m.layers, tags)?);
        }
        Ok(out)
    }

    /// Reads a blob of an OCI layout by descriptor, checking its digest.
    fn blob(&self, desc: &Value) -> Result<(String, Vec<u8>)> {
        let digest = desc
            .get("digest")
            .and_then(Value::as_str)
            .filter(|d| crate::reference::is_valid_digest(d))
            .ok_or_else(|| invalid("a descriptor without a valid sha256 digest"))?;
        let bytes = self.read(&blob_path(digest))?;
        if crate::content::sha256_digest(&bytes) != digest {
            return Err(invalid(format!("blob {digest} does not match its digest")));
        }
        Ok((digest.to_string(), bytes))
    }

    /// OCI archives (`index.json`), podman's oci-archive and Docker's own without manifest.json.
    fn oci(&mut self) -> Result<Vec<Pending>> {
        let index: Value = serde_json::from_slice(&self.read("index.json")?)
            .map_err(|e| invalid(format!("index.json: {e}")))?;
        let mut out = Vec::new();
        let host = crate::registry::Platform::host();
        for desc in index
            .get("manifests")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
        {
            let ann = |k: &str| {
                desc.pointer(&format!("/annotations/{}", k.replace('/', "~1")))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            let name = ann("io.containerd.image.name").or_else(|| {
                ann("org.opencontainers.image.ref.name").filter(|n| n.contains(['/', ':']))
            });
            let tags = name
                .map(|n| local::parse_tag(&n))
                .transpose()?
                .into_iter()
                .collect();
            let (_, mut bytes) = self.blob(&desc)?;
            let mut manifest: Value = serde_json::from_slice(&bytes)
                .map_err(|e| invalid(format!("a manifest is not valid JSON: {e}")))?;
            // An index: the host's platform.
            if let Some(list) = manifest.get("manifests").and_then(Value::as_array) {
                let pick = list
                    .iter()
                    .find(|m| {
                        m.pointer("/platform/architecture").and_then(Value::as_str)
                            == Some(host.architecture.as_str())
                    })
                    .cloned()
                    .ok_or_else(|| invalid("no manifest for this platform"))?;
                (_, bytes) = self.blob(&pick)?;
                manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| invalid(format!("a manifest is not valid JSON: {e}")))?;
            }
            let config_desc = manifest
                .get("config")
                .ok_or_else(|| invalid("a manifest without config"))?;
            let (_, config) = self.blob(config_desc)?;
            let layers: Vec<String> = manifest
                .get("layers")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|d| {
                    d.get("digest")
                        .and_then(Value::as_str)
                        .filter(|d| crate::reference::is_valid_digest(d))
                        .map(blob_path)
                        .ok_or_else(|| invalid("a layer descriptor without a valid digest"))
                })
                .collect::<Result<_>>()?;
            out.push(self.image(config, &layers, tags)?);
        }
        Ok(out)
    }
}

fn rows_layer_size(store: &Store, diff_id: &str) -> u64 {
    store
        .db
        .conn
        .query_row(
            "SELECT size FROM layers WHERE diff_id = ?1",
            [diff_id],
            |r| r.get::<_, i64>(0),
        )
        .map(|s| s.max(0) as u64)
        .unwrap_or(0)
}

/// Hashes (sha256) and counts what is read through it.
struct HashReader<R> {
    inner: R,
    hasher: Sha256,
    read: u64,
}

impl<R: Read> Read for HashReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

// ---------------------------------------------------------------------------
// import
// ---------------------------------------------------------------------------

/// Reads a root filesystem tarball (plain, gzip or zstd) into the layer store and, as it is
/// read, into the content store as the layer's blob.
pub fn import_layer(store: &Store, input: &mut dyn Read) -> Result<LocalLayer> {
    store.tmp.sweep_stale();
    let (reader, compression) = sniffed(input)?;
    let mut blob = store.content.writer()?;
    let mut tee = Tee {
        inner: reader,
        sink: &mut blob,
    };
    let staged = store
        .layers
        .unpack_staged(&mut tee, compression)
        .map_err(invalid)?;
    io::copy(&mut tee, &mut io::sink()).map_err(invalid)?;
    let blob_size = blob.written();
    if blob_size == 0 {
        return Err(ImageError::Invalid("the archive to import is empty".into()));
    }
    let (diff_id, size) = staged.unpacked().expect("unpacked");
    let blob_digest = blob.finish()?;
    store.layers.commit_staged(staged, &diff_id)?;
    Ok(LocalLayer {
        diff_id,
        blob_digest,
        media_type: media_type(compression).into(),
        blob_size,
        size,
    })
}

/// Copies what is read into `sink` as it passes.
struct Tee<'a, R, W> {
    inner: R,
    sink: &'a mut W,
}

impl<R: Read, W: Write> Read for Tee<'_, R, W> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sink.write_all(&buf[..n])?;
        Ok(n)
    }
}
