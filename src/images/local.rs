//! Images made here rather than pulled (`commit`, `import`, `load`, later `build`): their
//! config and an OCI manifest go into the content store, and the image is recorded with its
//! layers, blobs and tags in one transaction, exactly like a pulled one (without a repo digest:
//! it was never in a registry).

use serde_json::{Value, json};

use super::{ImageError, Result, now_secs};
use crate::content::sha256_digest;
use crate::reference::Reference;
use crate::state::images::{self as rows, ImageRow, LayerRow, NewImage};
use crate::store::Store;

/// A layer of a local image: unpacked in the layer store, its blob in the content store.
#[derive(Debug, Clone)]
pub struct LocalLayer {
    pub diff_id: String,
    pub blob_digest: String,
    pub media_type: String,
    pub blob_size: u64,
    /// Bytes of file content.
    pub size: u64,
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";

/// The time as image configs write it (RFC 3339, nanoseconds, UTC).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Stores `config` (its digest is the image ID) and a manifest for it, then records the image
/// and points each of `tags` at it. Every layer must be in the layer store and every blob in
/// the content store already. Returns the image ID.
pub fn record(
    store: &mut Store,
    config: &Value,
    layers: &[LocalLayer],
    tags: &[Reference],
) -> Result<String> {
    record_child(store, config, layers, tags, None)
}

/// [`record`] of an image made from `parent` (`commit`, a build step): the parent is recorded
/// with it (Docker's `Parent`), unless the image is the parent itself.
pub fn record_child(
    store: &mut Store,
    config: &Value,
    layers: &[LocalLayer],
    tags: &[Reference],
    parent: Option<&str>,
) -> Result<String> {
    let config_bytes = serde_json::to_vec(config).map_err(|e| ImageError::BadImage {
        reference: "config".into(),
        detail: e.to_string(),
    })?;
    let id = sha256_digest(&config_bytes);
    record_config_bytes(store, &config_bytes, &id, layers, tags, parent)?;
    Ok(id)
}

/// [`record`] for a config given as stored bytes (a loaded image keeps its exact config, so
/// its ID stays the same).
pub fn record_config_bytes(
    store: &mut Store,
    config_bytes: &[u8],
    id: &str,
    layers: &[LocalLayer],
    tags: &[Reference],
    parent: Option<&str>,
) -> Result<()> {
    let config: Value = serde_json::from_slice(config_bytes).map_err(|e| ImageError::BadImage {
        reference: id.to_string(),
        detail: format!("image config is not valid JSON: {e}"),
    })?;
    store.content.put(id, config_bytes)?;
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": id, "size": config_bytes.len()},
        "layers": layers.iter().map(|l| json!({
            "mediaType": l.media_type, "digest": l.blob_digest, "size": l.blob_size,
        })).collect::<Vec<_>>(),
    });
    let manifest_bytes = serde_json::to_vec(&manifest).expect("JSON value");
    let manifest_digest = sha256_digest(&manifest_bytes);
    store.content.put(&manifest_digest, &manifest_bytes)?;

    let tx = store.db.write()?;
    for l in layers {
        if !store.layers.contains(&l.diff_id) || !store.content.contains(&l.blob_digest) {
            return Err(ImageError::Conflict(format!(
                "layer {} was removed while the image was being made; try again",
                l.diff_id
            )));
        }
    }
    let s = |k: &str| config.get(k).and_then(Value::as_str).map(str::to_string);
    let image = ImageRow {
        id: id.to_string(),
        manifest_digest: manifest_digest.clone(),
        manifest_media_type: OCI_MANIFEST.into(),
        created: s("created"),
        architecture: s("architecture").unwrap_or_default(),
        os: s("os").unwrap_or_default(),
        size: layers.iter().map(|l| l.size as i64).sum(),
        added: now_secs(),
    };
    let layer_rows: Vec<LayerRow> = layers
        .iter()
        .map(|l| LayerRow {
            diff_id: l.diff_id.clone(),
            blob_digest: l.blob_digest.clone(),
            media_type: l.media_type.clone(),
            size: l.size as i64,
        })
        .collect();
    let mut blobs = vec![id.to_string(), manifest_digest];
    blobs.extend(layers.iter().map(|l| l.blob_digest.clone()));
    rows::insert_image(
        &tx,
        &NewImage {
            image: &image,
            layers: &layer_rows,
            blobs: &blobs,
        },
    )?;
    if let Some(p) = parent.filter(|p| *p != id) {
        rows::set_parent(&tx, id, p)?;
    }
    for t in tags {
        let tag = t.tag.as_deref().unwrap_or("latest");
        rows::set_tag(&tx, &t.repository(), tag, id, now_secs())?;
    }
    tx.commit().map_err(crate::state::StateError::from)?;
    Ok(())
}

/// A new image name for `commit`/`import`/`load`: `NAME[:TAG]`, never a digest.
pub fn parse_tag(name: &str) -> Result<Reference> {
    let r = Reference::parse(name)?;
    if r.digest.is_some() {
        return Err(ImageError::Invalid(format!(
            "refusing to create a tag with a digest reference: {name}"
        )));
    }
    Ok(r)
}

/// Applies Docker's `--change` instructions (`CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`, `LABEL`,
/// `USER`, `VOLUME`, `WORKDIR`, `ONBUILD`, `STOPSIGNAL`, `HEALTHCHECK`) to an image config's `config` object.
pub fn apply_changes(cfg: &mut serde_json::Map<String, Value>, changes: &[String]) -> Result<()> {
    for change in changes {
        let line = change.trim();
        let (word, rest) = line
            .split_once(|c: char| c.is_whitespace())
            .map(|(w, r)| (w, r.trim()))
            .unwrap_or((line, ""));
        let bad = |why: &str| ImageError::Invalid(format!("{why}: {line}"));
        match word.to_ascii_uppercase().as_str() {
            "CMD" => {
                cfg.insert("Cmd".into(), json!(command_form(rest)));
            }
            "ENTRYPOINT" => {
                cfg.insert("Entrypoint".into(), json!(command_form(rest)));
            }
            "ENV" => {
                let pairs = key_values(rest).ok_or_else(|| bad("ENV needs KEY=VALUE"))?;
                let env = cfg.entry("Env").or_insert_with(|| json!([]));
                let list = env.as_array_mut().ok_or_else(|| bad("bad Env in config"))?;
                for (k, v) in pairs {
                    let prefix = format!("{k}=");
                    list.retain(|e| !e.as_str().is_some_and(|e| e.starts_with(&prefix)));
                    list.push(json!(format!("{k}={v}")));
                }
            }
            "LABEL" => {
                let pairs = key_values(rest).ok_or_else(|| bad("LABEL needs KEY=VALUE"))?;
                let labels = cfg.entry("Labels").or_insert_with(|| json!({}));
                if labels.is_null() {
                    *labels = json!({});
                }
                for (k, v) in pairs {
                    labels[k] = json!(v);
                }
            }
            "EXPOSE" => {
                let ports = cfg.entry("ExposedPorts").or_insert_with(|| json!({}));
                if ports.is_null() {
                    *ports = json!({});
                }
                for p in rest.split_whitespace() {
                    let p = if p.contains('/') {
                        p.to_string()
                    } else {
                        format!("{p}/tcp")
                    };
                    ports[p] = json!({});
                }
            }
            "VOLUME" => {
                let vols = cfg.entry("Volumes").or_insert_with(|| json!({}));
                if vols.is_null() {
                    *vols = json!({});
                }
                let list: Vec<String> = match serde_json::from_str(rest) {
                    Ok(l) => l,
                    Err(_) => rest.split_whitespace().map(str::to_string).collect(),
                };
                for v in list {
                    vols[v] = json!({});
                }
            }
            "USER" => {
                cfg.insert("User".into(), json!(rest));
            }
            "WORKDIR" => {
                cfg.insert("WorkingDir".into(), json!(rest));
            }
            "STOPSIGNAL" => {
                cfg.insert("StopSignal".into(), json!(rest));
            }
            "HEALTHCHECK" => {
                cfg.insert(
                    "Healthcheck".into(),
                    healthcheck(rest).ok_or_else(|| bad("invalid HEALTHCHECK"))?,
                );
            }
            "ONBUILD" => {
                let list = cfg.entry("OnBuild").or_insert_with(|| json!([]));
                if list.is_null() {
                    *list = json!([]);
                }
                if let Some(a) = list.as_array_mut() {
                    a.push(json!(rest));
                }
            }
            _ => {
                return Err(ImageError::Invalid(format!(
                    "{word} is not a valid change command"
                )));
            }
        }
    }
    Ok(())
}

/// `["a", "b"]` (exec form) or a shell command line (`/bin/sh -c …`).
/// `HEALTHCHECK NONE` or `HEALTHCHECK [--interval=D …] CMD command` as the config's
/// `Healthcheck` (durations in nanoseconds).
fn healthcheck(rest: &str) -> Option<Value> {
    if rest.eq_ignore_ascii_case("NONE") {
        return Some(json!({"Test": ["NONE"]}));
    }
    let mut h = serde_json::Map::new();
    let mut rest = rest;
    while let Some(flag) = rest.strip_prefix("--") {
        let (f, tail) = flag.split_once(char::is_whitespace)?;
        let (k, v) = f.split_once('=')?;
        let key = match k {
            "interval" => "Interval",
            "timeout" => "Timeout",
            "start-period" => "StartPeriod",
            "start-interval" => "StartInterval",
            "retries" => "Retries",
            _ => return None,
        };
        let n: i64 = if key == "Retries" {
            v.parse().ok()?
        } else {
            let d = crate::build::dockerfile::instructions::parse_go_duration(v).ok()?;
            i64::try_from(d.as_nanos()).ok()?
        };
        h.insert(key.into(), json!(n));
        rest = tail.trim_start();
    }
    let (word, cmd) = rest.split_once(char::is_whitespace)?;
    if !word.eq_ignore_ascii_case("CMD") {
        return None;
    }
    let cmd = cmd.trim();
    let test = match serde_json::from_str::<Vec<String>>(cmd) {
        Ok(v) => std::iter::once("CMD".to_string())
            .chain(v)
            .collect::<Vec<_>>(),
        Err(_) => vec!["CMD-SHELL".into(), cmd.into()],
    };
    h.insert("Test".into(), json!(test));
    Some(Value::Object(h))
}

fn command_form(rest: &str) -> Vec<String> {
    match serde_json::from_str::<Vec<String>>(rest) {
        Ok(v) => v,
        Err(_) => vec!["/bin/sh".into(), "-c".into(), rest.into()],
    }
}

/// `K=V K2="V 2"` or the old `K V` form.
fn key_values(rest: &str) -> Option<Vec<(String, String)>> {
    if rest.is_empty() {
        return None;
    }
    if !rest.split_whitespace().next()?.contains('=') {
        let (k, v) = rest.split_once(char::is_whitespace)?;
        return Some(vec![(k.to_string(), v.trim().to_string())]);
    }
    let mut out = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let mut word = String::new();
        let mut quote = None;
        for c in chars.by_ref() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, c) if c.is_whitespace() => break,
                (_, c) => word.push(c),
            }
        }
        let (k, v) = word.split_once('=')?;
        out.push((k.to_string(), v.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_edit_the_config_as_docker_does() {
        let mut cfg = serde_json::Map::new();
        cfg.insert("Env".into(), json!(["PATH=/bin", "A=1"]));
        apply_changes(
            &mut cfg,
            &[
                "CMD [\"echo\", \"hi\"]".into(),
                "ENTRYPOINT /start --x".into(),
                "ENV A=2 B=\"two words\"".into(),
                "ENV C three".into(),
                "LABEL a=b".into(),
                "EXPOSE 80 53/udp".into(),
                "VOLUME /data".into(),
                "user nobody".into(),
                "WORKDIR /srv".into(),
                "STOPSIGNAL SIGINT".into(),
                "ONBUILD RUN true".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            Value::Object(cfg),
            json!({
                "Cmd": ["echo", "hi"],
                "Entrypoint": ["/bin/sh", "-c", "/start --x"],
                "Env": ["PATH=/bin", "A=2", "B=two words", "C=three"],
                "Labels": {"a": "b"},
                "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
                "Volumes": {"/data": {}},
                "User": "nobody",
                "WorkingDir": "/srv",
                "StopSignal": "SIGINT",
                "OnBuild": ["RUN true"],
            })
        );
    }

    #[test]
    fn unknown_changes_are_refused() {
        let mut cfg = serde_json::Map::new();
        let e = apply_changes(&mut cfg, &["RUN true".into()]).unwrap_err();
        assert_eq!(e.to_string(), "RUN is not a valid change command");
        assert!(apply_changes(&mut cfg, &["ENV".into()]).is_err());
    }
}
