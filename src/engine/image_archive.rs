//! Images made from containers and archives: `commit`, `save`, `load`, `import`.

use std::io::{Read, Write};

use serde_json::{Value, json};

use super::{Engine, Result};
use crate::containers::{self, Paths, settings::Settings};
use crate::images::archive::{self, Loaded};
use crate::images::local::{self, LocalLayer};
use crate::images::{self, ImageError};
use crate::layers::PACKED_MEDIA_TYPE;
use crate::state::containers::Status;

/// What `container_commit` makes.
#[derive(Debug, Clone, Default)]
pub struct ContainerCommitOptions {
    /// The container (name, ID or ID prefix).
    pub container: String,
    /// `REPO[:TAG]` for the new image; none leaves it untagged.
    pub reference: Option<String>,
    /// `-a`
    pub author: Option<String>,
    /// `-m`
    pub comment: Option<String>,
    /// `-c`: Dockerfile instructions applied to the config.
    pub changes: Vec<String>,
    /// Freeze a running container while its changes are packed (Docker's default).
    pub pause: bool,
}

/// What `image_import` makes of a root filesystem tarball.
#[derive(Debug, Clone, Default)]
pub struct ImageImportOptions {
    pub reference: Option<String>,
    /// `-m`
    pub comment: Option<String>,
    /// `-c`
    pub changes: Vec<String>,
    /// Where the tarball came from, for the history entry (`-`, a file, a URL).
    pub source: String,
}

impl Engine {
    /// A new image from a container's changes on top of its image. Returns the image ID.
    pub fn container_commit(&self, opts: &ContainerCommitOptions) -> Result<String> {
        let tag = opts
            .reference
            .as_deref()
            .map(local::parse_tag)
            .transpose()?;
        for c in &opts.changes {
            // Refuse a bad change before any work.
            local::apply_changes(&mut serde_json::Map::new(), std::slice::from_ref(c))?;
        }
        let mut store = self.store()?;
        let c = containers::resolve(&store, &opts.container)?;
        let c = containers::reconcile(&mut store, c)?;
        let paused = opts.pause && c.status == Status::Running && {
            containers::pause::pause(&mut store, &c)?;
            true
        };
        // The mount points of the files berth generates are not the container's changes
        // (Docker keeps them in a layer of their own that commit leaves out).
        let packed = store.layers.pack(
            &store.content,
            &Paths::new(&store, &c.id).upper(),
            &["etc/hostname", "etc/hosts", "etc/resolv.conf"],
            None,
        );
        if paused {
            // The container goes on even when the commit failed.
            let _ = containers::pause::unpause(&mut store, &c);
        }
        let packed = packed.map_err(ImageError::from)?;

        let base = images::config(&store, &c.image_id)?;
        let base_layers = crate::state::images::image_layers(&store.db.conn, &c.image_id)
            .map_err(ImageError::from)?;
        let settings = Settings::of(&c)?;
        let mut config = base.clone();
        let mut cfg = base
            .get("config")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        container_config(&mut cfg, &settings);
        local::apply_changes(&mut cfg, &opts.changes)?;
        let created = local::now_rfc3339();
        let mut diff_ids: Vec<Value> = base_layers.iter().map(|l| json!(l.diff_id)).collect();
        diff_ids.push(json!(packed.diff_id));
        let mut history = base
            .get("history")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut entry = json!({
            "created": created,
            "created_by": command_line(&settings, &cfg),
        });
        if let Some(a) = &opts.author {
            entry["author"] = json!(a);
            config["author"] = json!(a);
        }
        if let Some(m) = &opts.comment {
            entry["comment"] = json!(m);
            config["comment"] = json!(m);
        }
        history.push(entry);
        config["config"] = Value::Object(cfg);
        config["created"] = json!(created);
        config["container"] = json!(c.id);
        config["history"] = json!(history);
        config["rootfs"] = json!({"type": "layers", "diff_ids": diff_ids});

        let mut layers: Vec<LocalLayer> = base_layers
            .iter()
            .map(|l| LocalLayer {
                diff_id: l.diff_id.clone(),
                blob_digest: l.blob_digest.clone(),
                media_type: l.media_type.clone(),
                blob_size: blob_size(&store, &l.blob_digest),
                size: l.size.max(0) as u64,
            })
            .collect();
        layers.push(LocalLayer {
            diff_id: packed.diff_id,
            blob_digest: packed.blob_digest,
            media_type: PACKED_MEDIA_TYPE.into(),
            blob_size: packed.blob_size,
            size: packed.size,
        });
        let tags: Vec<_> = tag.into_iter().collect();
        let id = local::record_child(&mut store, &config, &layers, &tags, Some(&c.image_id))?;
        containers::events::record_with(&store.root, &c, "commit", &[("imageID", id.clone())]);
        Ok(id)
    }

    /// Writes the images `names` name (each under the tags it was named by; an ID saves the
    /// image untagged) as one Docker/OCI archive to `out`.
    pub fn image_save(&self, names: &[String], out: &mut dyn Write) -> Result<()> {
        let store = self.store()?;
        archive::save(&store, names, out)?;
        for n in names {
            record(&store, "save", n, n);
        }
        Ok(())
    }

    /// Loads every image of a Docker, podman or OCI archive (plain, gzip or zstd).
    pub fn image_load(&self, input: &mut dyn Read) -> Result<Vec<Loaded>> {
        let mut store = self.store()?;
        let loaded = archive::load(&mut store, input)?;
        for l in &loaded {
            record(&store, "load", &l.id, &l.id);
        }
        Ok(loaded)
    }

    /// A one-layer image from a root filesystem tarball (plain, gzip or zstd). Returns its ID.
    pub fn image_import(&self, input: &mut dyn Read, opts: &ImageImportOptions) -> Result<String> {
        let tag = opts
            .reference
            .as_deref()
            .map(local::parse_tag)
            .transpose()?;
        let mut cfg = serde_json::Map::new();
        local::apply_changes(&mut cfg, &opts.changes)?;
        let mut store = self.store()?;
        let layer = archive::import_layer(&store, input)?;
        let created = local::now_rfc3339();
        let platform = crate::registry::Platform::host();
        let mut entry = json!({"created": created, "created_by": "", "comment": format!("Imported from {}", opts.source)});
        if let Some(m) = &opts.comment {
            entry["comment"] = json!(m);
        }
        let mut config = json!({
            "architecture": platform.architecture,
            "os": platform.os,
            "created": created,
            "config": Value::Object(cfg),
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]},
            "history": [entry],
        });
        if let Some(m) = &opts.comment {
            config["comment"] = json!(m);
        }
        let tags: Vec<_> = tag.into_iter().collect();
        let id = local::record(&mut store, &config, &[layer], &tags)?;
        record(&store, "import", &id, &id);
        Ok(id)
    }
}

/// Records an image event (`name`: Docker's `name` attribute).
fn record(store: &crate::store::Store, action: &str, id: &str, name: &str) {
    use crate::events::{Event, Type};
    crate::events::record(
        &store.root,
        Event::new(Type::Image, action, id).attr("name", name),
    );
}

fn blob_size(store: &crate::store::Store, digest: &str) -> u64 {
    store
        .content
        .path(digest)
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len())
}

/// The container's own settings over its image's config, as Docker's commit keeps them.
fn container_config(cfg: &mut serde_json::Map<String, Value>, s: &Settings) {
    if let Some(ep) = &s.entrypoint {
        cfg.insert("Entrypoint".into(), json!(ep));
    }
    if !s.cmd.is_empty() {
        cfg.insert("Cmd".into(), json!(s.cmd));
    }
    if !s.env.is_empty() {
        let mut env: Vec<String> = cfg
            .get("Env")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for e in &s.env {
            let key = e.split('=').next().unwrap_or(e);
            env.retain(|x| x.split('=').next() != Some(key));
            env.push(e.clone());
        }
        cfg.insert("Env".into(), json!(env));
    }
    if let Some(w) = &s.workdir {
        cfg.insert("WorkingDir".into(), json!(w));
    }
    if let Some(u) = &s.user {
        cfg.insert("User".into(), json!(u));
    }
    if !s.labels.is_empty() {
        let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
        if labels.is_null() {
            *labels = json!({});
        }
        for (k, v) in &s.labels {
            labels[k] = json!(v);
        }
    }
    if let Some(sig) = &s.stop_signal {
        cfg.insert("StopSignal".into(), json!(sig));
    }
}

/// The container's command as Docker's history shows it.
fn command_line(s: &Settings, cfg: &serde_json::Map<String, Value>) -> String {
    let words = |k: &str| -> Vec<String> {
        cfg.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut all = s.entrypoint.clone().unwrap_or_else(|| words("Entrypoint"));
    all.extend(if s.cmd.is_empty() {
        words("Cmd")
    } else {
        s.cmd.clone()
    });
    all.join(" ")
}
