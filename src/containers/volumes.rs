//! A container's mounts at create: `--volumes-from` and the image's VOLUMEs added to the
//! user's `-v`/`--mount`, anonymous volumes named, and (inside the create transaction) missing
//! volumes made and recorded as used by the container.

use std::collections::HashSet;
use std::path::PathBuf;

use rusqlite::Connection;
use serde_json::Value;

use super::{ContainerError, Result, Settings};
use crate::state::volumes as vrows;
use crate::store::Store;
use crate::tmp::TempArea;
use crate::volumes::{self, MountKind, MountSpec};

/// The full mount list: the user's mounts, then `--volumes-from` mounts at destinations the
/// user did not take, then anonymous volumes for the image's VOLUMEs nobody covered.
pub fn resolve_mounts(store: &Store, s: &Settings, image_config: &Value) -> Result<Vec<MountSpec>> {
    let mut out: Vec<MountSpec> = s.mounts.clone();
    for m in &out {
        if m.kind == MountKind::Bind
            && !m.create_host_path
            && !std::path::Path::new(&m.source).exists()
        {
            return Err(ContainerError::Invalid(format!(
                "invalid mount config for type \"bind\": bind source path does not exist: {}",
                m.source
            )));
        }
    }
    let mut taken: HashSet<String> = out.iter().map(|m| m.target.clone()).collect();
    taken.extend(s.tmpfs.iter().map(|t| {
        let p = t.split_once(':').map(|(p, _)| p).unwrap_or(t);
        crate::spec::clean_abs(p).unwrap_or_else(|| p.to_string())
    }));
    for from in &s.volumes_from {
        let (name, mode) = match from.rsplit_once(':') {
            Some((n, m)) if m == "ro" || m == "rw" => (n, Some(m)),
            Some(_) => {
                return Err(ContainerError::Invalid(format!(
                    "invalid --volumes-from {from:?}: mode must be ro or rw"
                )));
            }
            None => (from.as_str(), None),
        };
        let other = super::resolve(store, name)?;
        let os = Settings::of(&other)?;
        for m in os.mounts.into_iter().filter(|m| m.kind != MountKind::Tmpfs) {
            if !taken.insert(m.target.clone()) {
                continue;
            }
            let mut m = m;
            if let Some(mode) = mode {
                m.read_only = mode == "ro";
            }
            out.push(m);
        }
    }
    if let Some(vols) = image_config
        .pointer("/config/Volumes")
        .and_then(Value::as_object)
    {
        let mut paths: Vec<&String> = vols.keys().collect();
        paths.sort();
        for p in paths {
            let Some(target) = crate::spec::clean_abs(p).filter(|t| t != "/") else {
                continue;
            };
            if taken.insert(target.clone()) {
                out.push(MountSpec {
                    kind: MountKind::Volume,
                    target,
                    anonymous: true,
                    from_image: true,
                    ..Default::default()
                });
            }
        }
    }
    for m in &mut out {
        if m.kind == MountKind::Volume && m.anonymous && m.source.is_empty() {
            m.source = volumes::anonymous_name();
        }
    }
    Ok(out)
}

/// Inside the create transaction: makes missing volumes and records that container `id` uses
/// them. Directories made are pushed to `made` (removed by the caller on failure).
pub fn record(
    conn: &Connection,
    root: &std::path::Path,
    tmp: &TempArea,
    id: &str,
    mounts: &[MountSpec],
    made: &mut Vec<PathBuf>,
) -> Result<()> {
    for m in mounts.iter().filter(|m| m.kind == MountKind::Volume) {
        volumes::create_in_tx(
            conn,
            root,
            tmp,
            &m.source,
            m.anonymous,
            m.volume_labels.clone(),
            m.volume_options.clone(),
            made,
        )?;
        vrows::add_ref(conn, id, &m.source)?;
    }
    Ok(())
}
