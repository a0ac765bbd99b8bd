//! Volumes: create, list, inspect, remove, prune.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::{Engine, Error, Result};
use crate::state::volumes::VolumeRow;
use crate::volumes::{self, VolumeError};

/// Docker's volume object, as `volume inspect` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    /// Unix seconds; RFC 3339 in JSON.
    #[serde(rename = "CreatedAt", serialize_with = "rfc3339")]
    pub created: i64,
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    pub mountpoint: PathBuf,
    pub name: String,
    /// The local driver's mount options (`null` when there are none).
    pub options: Option<BTreeMap<String, String>>,
    pub scope: String,
}

fn rfc3339<S: serde::Serializer>(secs: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&crate::images::rfc3339(*secs))
}

impl Volume {
    fn new(engine: &Engine, v: VolumeRow) -> Volume {
        Volume {
            created: v.created,
            mountpoint: volumes::data_dir(engine.root(), &v.name),
            driver: v.driver,
            labels: v.labels,
            name: v.name,
            options: (!v.options.is_empty()).then_some(v.options),
            scope: "local".into(),
        }
    }
}

/// A volume of `volume_list`, with the number of containers that use it.
#[derive(Debug, Clone)]
pub struct ListedVolume {
    pub volume: Volume,
    pub containers: usize,
}

#[derive(Debug, Clone)]
pub struct VolumeCreateOptions {
    /// `None`: an anonymous volume with a random 64-hex name.
    pub name: Option<String>,
    /// Only `local` is supported.
    pub driver: String,
    pub labels: BTreeMap<String, String>,
    /// The local driver's options (`type`, `device`, `o`).
    pub options: BTreeMap<String, String>,
}

impl Default for VolumeCreateOptions {
    fn default() -> Self {
        VolumeCreateOptions {
            name: None,
            driver: "local".into(),
            labels: BTreeMap::new(),
            options: BTreeMap::new(),
        }
    }
}

/// One filter of `volume ls` (Docker's `--filter KEY=VALUE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeFilter {
    /// `dangling=true|false`: used by no container, or used by one.
    Dangling(bool),
    /// `label=KEY` or `label=KEY=VALUE`.
    Label(String),
    /// `name=…`: a regular expression found in the name.
    Name(String),
    /// `driver=…`.
    Driver(String),
}

impl VolumeFilter {
    pub fn parse(f: &str) -> Result<VolumeFilter> {
        let (k, v) = f
            .split_once('=')
            .ok_or_else(|| Error::invalid("bad format of filter (expected name=value)"))?;
        Ok(match k {
            "dangling" => match v {
                "true" | "1" => VolumeFilter::Dangling(true),
                "false" | "0" => VolumeFilter::Dangling(false),
                _ => return Err(Error::invalid(format!("invalid filter 'dangling={v}'"))),
            },
            "label" => VolumeFilter::Label(v.into()),
            "name" => VolumeFilter::Name(v.into()),
            "driver" => VolumeFilter::Driver(v.into()),
            _ => return Err(Error::invalid(format!("invalid filter '{k}'"))),
        })
    }

    fn matches(&self, v: &VolumeRow, used: bool) -> bool {
        match self {
            VolumeFilter::Dangling(d) => *d != used,
            VolumeFilter::Label(l) => label_matches(&v.labels, l),
            VolumeFilter::Name(n) => regex::Regex::new(n).is_ok_and(|re| re.is_match(&v.name)),
            VolumeFilter::Driver(d) => v.driver == *d,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct VolumeListOptions {
    /// Every filter must match.
    pub filters: Vec<VolumeFilter>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct VolumeRemoveOptions {
    /// A missing volume is no error (a volume in use still is).
    pub force: bool,
}

/// What `volume_prune` removes: unused anonymous volumes (every unused one with `all`) whose
/// labels match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumePruneOptions {
    pub all: bool,
    /// `(true, L)`: must match `label=L`; `(false, L)`: must not (`label!=L`).
    pub labels: Vec<(bool, String)>,
}

impl VolumePruneOptions {
    /// From `--all` and Docker's prune filters (`label=…`, `label!=…`, `all=true`).
    pub fn from_filters(all: bool, filters: &[String]) -> Result<VolumePruneOptions> {
        let mut o = VolumePruneOptions {
            all,
            labels: Vec::new(),
        };
        for f in filters {
            match f.split_once('=') {
                Some(("label", v)) => o.labels.push((true, v.to_string())),
                Some(("label!", v)) => o.labels.push((false, v.to_string())),
                Some(("all", "true" | "1")) => o.all = true,
                Some((k, _)) => return Err(Error::invalid(format!("invalid filter '{k}'"))),
                None => return Err(Error::invalid("bad format of filter (expected name=value)")),
            }
        }
        Ok(o)
    }
}

/// What a prune removed.
#[derive(Debug, Clone, Default)]
pub struct VolumesPruned {
    pub names: Vec<String>,
    /// Bytes freed on disk.
    pub reclaimed: u64,
}

/// Docker's `label=KEY` / `label=KEY=VALUE` match.
fn label_matches(labels: &BTreeMap<String, String>, spec: &str) -> bool {
    match spec.split_once('=') {
        Some((k, v)) => labels.get(k).is_some_and(|x| x == v),
        None => labels.contains_key(spec),
    }
}

impl Engine {
    /// Creates a volume; an existing volume of that name is returned as it is (Docker).
    pub fn volume_create(&self, opts: VolumeCreateOptions) -> Result<Volume> {
        if opts.driver != "local" {
            return Err(Error::invalid(format!(
                "volume driver {:?} is not supported (only local)",
                opts.driver
            )));
        }
        let mut store = self.store()?;
        let v = volumes::create(&mut store, opts.name.as_deref(), opts.labels, opts.options)?;
        Ok(Volume::new(self, v))
    }

    /// Volumes matching every filter, by name.
    pub fn volume_list(&self, opts: &VolumeListOptions) -> Result<Vec<ListedVolume>> {
        let store = self.store()?;
        let used = volumes::ref_counts(&store)?;
        Ok(volumes::list(&store)?
            .into_iter()
            .filter(|v| {
                let in_use = used.contains_key(&v.name);
                // Docker's grammar: the values of one key are OR'ed, except labels.
                opts.filters.iter().all(|f| match f {
                    VolumeFilter::Label(_) => f.matches(v, in_use),
                    _ => opts
                        .filters
                        .iter()
                        .filter(|g| std::mem::discriminant(*g) == std::mem::discriminant(f))
                        .any(|g| g.matches(v, in_use)),
                })
            })
            .map(|v| ListedVolume {
                containers: used.get(&v.name).copied().unwrap_or(0),
                volume: Volume::new(self, v),
            })
            .collect())
    }

    pub fn volume_inspect(&self, name: &str) -> Result<Volume> {
        let store = self.store()?;
        Ok(Volume::new(self, volumes::get(&store, name)?))
    }

    /// `volume exists`.
    pub fn volume_exists(&self, name: &str) -> Result<bool> {
        let store = self.store()?;
        super::found(volumes::get(&store, name).map_err(Into::into))
    }

    /// Removes a volume no container uses.
    pub fn volume_remove(&self, name: &str, opts: &VolumeRemoveOptions) -> Result<()> {
        let mut store = self.store()?;
        if !volumes::remove(&mut store, name)? && !opts.force {
            return Err(VolumeError::NotFound(name.to_string()).into());
        }
        Ok(())
    }

    pub fn volume_prune(&self, opts: &VolumePruneOptions) -> Result<VolumesPruned> {
        let mut store = self.store()?;
        let (names, reclaimed) = volumes::prune(&mut store, opts.all, |v| {
            opts.labels
                .iter()
                .all(|(want, l)| label_matches(&v.labels, l) == *want)
        })?;
        Ok(VolumesPruned { names, reclaimed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, labels: &[(&str, &str)]) -> VolumeRow {
        VolumeRow {
            name: name.into(),
            driver: "local".into(),
            created: 0,
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            options: BTreeMap::new(),
            anonymous: false,
        }
    }

    #[test]
    fn list_filters_parse_and_match_as_docker() {
        let v = row("data-1", &[("app", "web"), ("tier", "")]);
        let m = |f: &str, used| VolumeFilter::parse(f).unwrap().matches(&v, used);
        assert!(m("dangling=true", false));
        assert!(!m("dangling=1", true));
        assert!(m("dangling=false", true));
        assert!(m("label=app", false));
        assert!(m("label=app=web", false));
        assert!(!m("label=app=db", false));
        assert!(m("label=tier=", false));
        assert!(!m("label=other", false));
        assert!(m("name=ta-", false));
        assert!(!m("name=x", false));
        assert!(m("name=^data-[0-9]$", false));
        assert!(!m("name=^ata", false));
        assert!(m("driver=local", false));
        for (bad, msg) in [
            ("dangling", "bad format of filter (expected name=value)"),
            ("dangling=yes", "invalid filter 'dangling=yes'"),
            ("size=1", "invalid filter 'size'"),
        ] {
            let e = VolumeFilter::parse(bad).unwrap_err();
            assert_eq!(e.to_string(), msg);
            assert!(matches!(e, Error::InvalidArgument(_)));
        }
    }

    #[test]
    fn prune_filters() {
        let o = VolumePruneOptions::from_filters(
            false,
            &["label=a=1".into(), "label!=b".into(), "all=1".into()],
        )
        .unwrap();
        assert_eq!(
            o,
            VolumePruneOptions {
                all: true,
                labels: vec![(true, "a=1".into()), (false, "b".into())],
            }
        );
        assert!(!VolumePruneOptions::from_filters(false, &[]).unwrap().all);
        for (bad, msg) in [
            ("all=false", "invalid filter 'all'"),
            ("name=x", "invalid filter 'name'"),
            ("label", "bad format of filter (expected name=value)"),
        ] {
            assert_eq!(
                VolumePruneOptions::from_filters(false, &[bad.into()])
                    .unwrap_err()
                    .to_string(),
                msg
            );
        }
    }

    #[test]
    fn inspect_object_is_dockers() {
        let engine = Engine::new("/var/lib/berth".as_ref(), "/run/berth".as_ref());
        let mut r = row("v", &[("k", "x")]);
        r.created = 86400;
        let j = serde_json::to_value(Volume::new(&engine, r.clone())).unwrap();
        assert_eq!(
            j,
            serde_json::json!({
                "CreatedAt": crate::images::rfc3339(86400),
                "Driver": "local",
                "Labels": {"k": "x"},
                "Mountpoint": "/var/lib/berth/volumes/v/_data",
                "Name": "v",
                "Options": null,
                "Scope": "local",
            })
        );
        r.options.insert("type".into(), "tmpfs".into());
        let j = serde_json::to_value(Volume::new(&engine, r)).unwrap();
        assert_eq!(j["Options"], serde_json::json!({"type": "tmpfs"}));
    }
}
