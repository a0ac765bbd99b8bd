//! `-v`/`--volume` and `--mount` as Docker parses them (Linux rules), into [`MountSpec`]s that a
//! container's settings store.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{VolumeError, is_valid_name};

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    Bind,
    #[default]
    Volume,
    Tmpfs,
}

impl MountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MountKind::Bind => "bind",
            MountKind::Volume => "volume",
            MountKind::Tmpfs => "tmpfs",
        }
    }
}

/// One user mount of a container.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct MountSpec {
    pub kind: MountKind,
    /// Host path (bind) or volume name (volume; empty until an anonymous one is named).
    pub source: String,
    /// Absolute path in the container, lexically cleaned.
    pub target: String,
    pub read_only: bool,
    /// Bind propagation (`rprivate` when empty).
    pub propagation: String,
    /// `volume-nocopy` / `:nocopy`: no copy-up of the image's content.
    pub nocopy: bool,
    /// Anonymous volume (`-v /dst`, image VOLUME, `--mount type=volume` without source).
    pub anonymous: bool,
    /// `-v` creates a missing host path; `--mount type=bind` refuses it.
    pub create_host_path: bool,
    /// tmpfs options (`size=…,mode=…`) for `--tmpfs`-style mounts.
    pub tmpfs_options: String,
    /// `z`/`Z` relabeling (accepted; no SELinux here) or `-v`'s mode string, for inspect.
    pub mode: String,
    /// Came from `-v` (HostConfig.Binds) rather than `--mount` (HostConfig.Mounts).
    pub from_volume_flag: bool,
    /// An anonymous volume for one of the image's VOLUMEs (in neither list).
    pub from_image: bool,
    /// `--mount volume-label=K=V`, `volume-opt=K=V`: used when the mount creates the volume.
    pub volume_labels: BTreeMap<String, String>,
    pub volume_options: BTreeMap<String, String>,
}

const PROPAGATIONS: [&str; 6] = [
    "private", "rprivate", "shared", "rshared", "slave", "rslave",
];

fn invalid(spec: &str, why: impl std::fmt::Display) -> VolumeError {
    VolumeError::Invalid(format!("invalid mount config {spec:?}: {why}"))
}

fn clean_target(spec: &str, t: &str) -> Result<String, VolumeError> {
    let clean = crate::spec::clean_abs(t).ok_or_else(|| {
        invalid(
            spec,
            format!("invalid mount path: '{t}' mount path must be absolute"),
        )
    })?;
    if clean == "/" {
        return Err(invalid(
            spec,
            "invalid specification: destination can't be '/'",
        ));
    }
    Ok(clean)
}

/// `-v [SOURCE:]TARGET[:OPTIONS]`: SOURCE an absolute host path (bind) or a volume name;
/// without SOURCE an anonymous volume. OPTIONS: `ro`/`rw`, `z`/`Z`, `nocopy`, a propagation
/// mode, comma-separated.
pub fn parse_volume_flag(spec: &str) -> Result<MountSpec, VolumeError> {
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(invalid(spec, "invalid volume specification"));
    }
    let (source, target, opts) = match parts.as_slice() {
        [t] => ("", *t, ""),
        [s, t] if t.starts_with('/') => (*s, *t, ""),
        [t, o] if t.starts_with('/') && !o.starts_with('/') => ("", *t, *o),
        [s, t, o] => (*s, *t, *o),
        _ => return Err(invalid(spec, "invalid volume specification")),
    };
    if target.is_empty() {
        return Err(invalid(spec, "invalid volume specification"));
    }
    let target = clean_target(spec, target)?;
    let mut m = MountSpec {
        target,
        from_volume_flag: true,
        mode: opts.to_string(),
        ..Default::default()
    };
    if source.is_empty() {
        m.kind = MountKind::Volume;
        m.anonymous = true;
    } else if source.starts_with('/') {
        m.kind = MountKind::Bind;
        m.source = crate::spec::clean_abs(source).unwrap_or_else(|| source.to_string());
        m.create_host_path = true;
    } else {
        if !is_valid_name(source) {
            return Err(VolumeError::BadName(source.to_string()));
        }
        m.kind = MountKind::Volume;
        m.source = source.to_string();
    }
    let (mut rw_seen, mut label_seen) = (false, false);
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" | "rw" => {
                if std::mem::replace(&mut rw_seen, true) {
                    return Err(invalid(spec, format!("invalid mode: {opts}")));
                }
                m.read_only = o == "ro";
            }
            "z" | "Z" => {
                if std::mem::replace(&mut label_seen, true) {
                    return Err(invalid(spec, format!("invalid mode: {opts}")));
                }
            }
            "nocopy" if m.kind == MountKind::Volume => m.nocopy = true,
            "consistent" | "cached" | "delegated" => {}
            p if PROPAGATIONS.contains(&p) && m.kind == MountKind::Bind => {
                if !m.propagation.is_empty() {
                    return Err(invalid(spec, format!("invalid mode: {opts}")));
                }
                m.propagation = p.to_string();
            }
            _ => return Err(invalid(spec, format!("invalid mode: {opts}"))),
        }
    }
    Ok(m)
}

fn parse_bool(spec: &str, key: &str, v: Option<&str>) -> Result<bool, VolumeError> {
    match v.map(str::to_ascii_lowercase).as_deref() {
        None | Some("1") | Some("true") => Ok(true),
        Some("0") | Some("false") => Ok(false),
        Some(other) => Err(invalid(spec, format!("invalid value for {key}: {other}"))),
    }
}

/// `--mount type=bind|volume|tmpfs,source=…,target=…,readonly,bind-propagation=…,
/// volume-nocopy,tmpfs-size=…,tmpfs-mode=…` (Docker's keys and aliases).
pub fn parse_mount_flag(spec: &str) -> Result<MountSpec, VolumeError> {
    let mut kind = MountKind::Volume;
    let mut source = String::new();
    let mut target = String::new();
    let mut m = MountSpec::default();
    let (mut size, mut mode) = (None, None);
    let (mut propagation, mut nocopy) = (None, None);
    for field in spec.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let (k, v) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v)),
            None => (field.to_ascii_lowercase(), None),
        };
        let value = || {
            v.filter(|v| !v.is_empty()).ok_or_else(|| {
                invalid(
                    spec,
                    format!("invalid field '{field}' must be a key=value pair"),
                )
            })
        };
        match k.as_str() {
            "type" => {
                kind = match value()? {
                    "bind" => MountKind::Bind,
                    "volume" => MountKind::Volume,
                    "tmpfs" => MountKind::Tmpfs,
                    t => return Err(invalid(spec, format!("mount type {t:?} is not supported"))),
                }
            }
            "source" | "src" => source = value()?.to_string(),
            "target" | "destination" | "dst" => target = value()?.to_string(),
            "readonly" | "ro" => m.read_only = parse_bool(spec, &k, v)?,
            "bind-propagation" => {
                let p = value()?;
                if !PROPAGATIONS.contains(&p) {
                    return Err(invalid(spec, format!("invalid propagation mode: {p}")));
                }
                propagation = Some(p.to_string());
            }
            "volume-nocopy" => nocopy = Some(parse_bool(spec, &k, v)?),
            "tmpfs-size" => {
                size = Some(crate::spec::parse_size(value()?).map_err(|e| invalid(spec, e))?)
            }
            "tmpfs-mode" => {
                let s = value()?;
                let n = u32::from_str_radix(s, 8)
                    .map_err(|_| invalid(spec, format!("invalid tmpfs-mode {s:?}")))?;
                mode = Some(n);
            }
            "volume-label" | "volume-opt" => {
                let kv = value()?;
                let (lk, lv) = kv.split_once('=').unwrap_or((kv, ""));
                let map = if k == "volume-label" {
                    &mut m.volume_labels
                } else {
                    &mut m.volume_options
                };
                map.insert(lk.to_string(), lv.to_string());
            }
            "volume-driver" if value()? != "local" => {
                return Err(invalid(spec, "only the local volume driver is supported"));
            }
            "consistency" | "bind-nonrecursive" | "volume-driver" => {}
            _ => return Err(invalid(spec, format!("unexpected key '{k}'"))),
        }
    }
    if target.is_empty() {
        return Err(invalid(spec, "target is required"));
    }
    m.target = clean_target(spec, &target)?;
    m.kind = kind;
    match kind {
        MountKind::Bind => {
            if source.is_empty() {
                return Err(invalid(spec, "field Source must not be empty"));
            }
            if !source.starts_with('/') {
                return Err(invalid(
                    spec,
                    format!("invalid mount path: '{source}' mount path must be absolute"),
                ));
            }
            let volume_opts = !m.volume_labels.is_empty() || !m.volume_options.is_empty();
            if nocopy.is_some() || size.is_some() || mode.is_some() || volume_opts {
                return Err(invalid(
                    spec,
                    "only bind options may be given for a bind mount",
                ));
            }
            m.source = crate::spec::clean_abs(&source).unwrap_or(source);
            m.propagation = propagation.unwrap_or_default();
        }
        MountKind::Volume => {
            if propagation.is_some() || size.is_some() || mode.is_some() {
                return Err(invalid(
                    spec,
                    "only volume options may be given for a volume",
                ));
            }
            if source.is_empty() {
                m.anonymous = true;
            } else if !is_valid_name(&source) {
                return Err(VolumeError::BadName(source));
            } else {
                m.source = source;
            }
            m.nocopy = nocopy.unwrap_or(false);
        }
        MountKind::Tmpfs => {
            if !source.is_empty() {
                return Err(invalid(
                    spec,
                    "field Source must not be specified for a tmpfs",
                ));
            }
            let volume_opts = !m.volume_labels.is_empty() || !m.volume_options.is_empty();
            if propagation.is_some() || nocopy.is_some() || volume_opts {
                return Err(invalid(spec, "only tmpfs options may be given for a tmpfs"));
            }
            let mut opts = Vec::new();
            if let Some(s) = size {
                opts.push(format!("size={s}"));
            }
            if let Some(md) = mode {
                opts.push(format!("mode={md:o}"));
            }
            if m.read_only {
                opts.push("ro".into());
            }
            m.tmpfs_options = opts.join(",");
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_flag() {
        let m = parse_volume_flag("/data").unwrap();
        assert!(m.anonymous && m.kind == MountKind::Volume && m.target == "/data");
        let m = parse_volume_flag("/data:ro").unwrap();
        assert!(m.anonymous && m.read_only);
        let m = parse_volume_flag("vol1:/data/./x/").unwrap();
        assert_eq!((m.source.as_str(), m.target.as_str()), ("vol1", "/data/x"));
        assert!(!m.read_only && !m.anonymous);
        let m = parse_volume_flag("vol1:/data:ro,nocopy").unwrap();
        assert!(m.read_only && m.nocopy);
        let m = parse_volume_flag("/host/dir/:/data:ro,z,rshared").unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(m.source, "/host/dir");
        assert_eq!(m.propagation, "rshared");
        assert!(m.read_only && m.create_host_path);
        let m = parse_volume_flag("/h:/c:rw").unwrap();
        assert!(!m.read_only);
        for bad in [
            "",
            "vol:relative",
            "/h:/",
            "/h:/c:ro,rw",
            "/h:/c:bogus",
            "/h:/c:rshared,rslave",
            "vol:/c:rshared",
            "/h:/c:nocopy",
            "a:b:c:d",
            "./rel:/c",
            "-bad:/c",
            "/h:",
        ] {
            assert!(parse_volume_flag(bad).is_err(), "{bad:?} should fail");
        }
        assert!(matches!(
            parse_volume_flag("./rel:/c"),
            Err(VolumeError::BadName(_))
        ));
    }

    #[test]
    fn mount_flag() {
        let m = parse_mount_flag("type=bind,source=/h,target=/c,readonly,bind-propagation=rslave")
            .unwrap();
        assert_eq!(m.kind, MountKind::Bind);
        assert!(m.read_only && !m.create_host_path);
        assert_eq!(
            (m.source.as_str(), m.target.as_str(), m.propagation.as_str()),
            ("/h", "/c", "rslave")
        );
        let m = parse_mount_flag("src=v1,dst=/data,volume-nocopy").unwrap();
        assert_eq!(m.kind, MountKind::Volume);
        assert!(m.nocopy && !m.anonymous);
        let m = parse_mount_flag(
            "source=v2,target=/d,volume-label=a=b,volume-opt=type=tmpfs,volume-opt=device=tmpfs",
        )
        .unwrap();
        assert_eq!(m.volume_labels["a"], "b");
        assert_eq!(m.volume_options["type"], "tmpfs");
        assert_eq!(m.volume_options["device"], "tmpfs");
        let m = parse_mount_flag("type=volume,target=/data,ro=false").unwrap();
        assert!(m.anonymous && !m.read_only);
        let m =
            parse_mount_flag("type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1777").unwrap();
        assert_eq!(m.kind, MountKind::Tmpfs);
        assert_eq!(m.tmpfs_options, format!("size={},mode=1777", 64 << 20));
        for bad in [
            "type=bind,target=/c",
            "type=bind,source=rel,target=/c",
            "type=bind,source=/h,target=/c,volume-nocopy",
            "type=volume,source=v,target=/c,bind-propagation=rshared",
            "type=tmpfs,source=x,target=/c",
            "type=tmpfs,target=/c,tmpfs-mode=999",
            "type=nfs,target=/c",
            "source=v",
            "type=volume,target=/c,bogus=1",
            "type=bind,source=/h,target=/c,bind-propagation=sideways",
            "type=volume,source=bad/name,target=/c",
            "type=volume,target=/c,readonly=maybe",
            "type=bind,source=/h,target=/c,volume-label=a=b",
            "type=volume,target=/c,volume-driver=nfs",
        ] {
            assert!(parse_mount_flag(bad).is_err(), "{bad:?} should fail");
        }
    }
}
