//! `RUN --mount=type=bind|cache|tmpfs|secret|ssh,…` as Docker's stable syntax reads it.
//!
//! A mount is read twice: when the Dockerfile is parsed (no variables yet: values with `$` are
//! checked later, `from=` may not use one) and when its step runs, with the step's variables.

#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
}

impl MountType {
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

/// How concurrent builds share a cache mount.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sharing {
    #[default]
    Shared,
    Private,
    Locked,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountType,
    /// Where it is mounted in the step's container (secrets default to /run/secrets/ID).
    pub target: Option<String>,
    /// A path in the context, stage or image (bind, cache), or the secret's ID.
    pub source: Option<String>,
    /// A stage name or index, or an image, bind and cache mounts take their source from.
    pub from: Option<String>,
    pub read_only: bool,
    /// The cache's, secret's or ssh socket's ID.
    pub id: Option<String>,
    pub sharing: Sharing,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// A secret or ssh socket that must be given (the step fails without it).
    pub required: bool,
    /// tmpfs size in bytes.
    pub size: Option<u64>,
    /// A secret exposed as this environment variable instead of (or as well as) a file.
    pub env: Option<String>,
}

impl Mount {
    /// The secret's ID: `id=`, else `source=`, else the target's last component.
    pub fn secret_id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .or(self.source.as_deref())
            .or_else(|| self.target.as_deref().and_then(|t| t.rsplit('/').next()))
            .filter(|s| !s.is_empty())
    }

    /// The path in the container: given, or Docker's default for secrets and ssh sockets.
    pub fn target_path(&self) -> Option<String> {
        match (&self.target, self.kind) {
            (Some(t), _) => Some(t.clone()),
            (None, MountType::Secret) => self.secret_id().map(|id| format!("/run/secrets/{id}")),
            (None, MountType::Ssh) => Some("/run/buildkit/ssh_agent.0".into()),
            (None, _) => None,
        }
    }
}

/// Comma-separated fields; a field may be double-quoted to hold commas.
fn fields(spec: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    if quoted {
        return Err(format!("invalid mount {spec:?}: unterminated quote"));
    }
    out.push(field);
    Ok(out)
}

fn parse_bool(key: &str, value: &str) -> Result<bool, String> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Ok(true),
        "0" | "f" | "false" => Ok(false),
        _ => Err(format!("invalid value for {key}: {value}")),
    }
}

/// A size as `--mount=type=tmpfs,size=` takes it: bytes, or with a k/m/g suffix.
fn parse_size(value: &str) -> Result<u64, String> {
    let v = value.trim().to_ascii_lowercase();
    let v = v.strip_suffix('b').unwrap_or(&v);
    let (digits, unit) = match v.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => v.split_at(i),
        None => (v, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("invalid size: {value}"))?;
    let mult: u64 = match unit {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => return Err(format!("invalid size: {value}")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("invalid size: {value}"))
}

/// Expands a value of a mount with the step's variables.
pub type Expand<'a> = &'a mut dyn FnMut(&str) -> Result<String, String>;

/// Parses one `--mount` value. Without `expand` (at parse time), values naming a variable are
/// left for later; with it, every value is expanded first.
pub fn parse_mount(spec: &str, mut expand: Option<Expand<'_>>) -> Result<Mount, String> {
    let fields = fields(spec)?;
    let mut m = Mount {
        kind: MountType::Bind,
        target: None,
        source: None,
        from: None,
        read_only: true,
        id: None,
        sharing: Sharing::Shared,
        mode: None,
        uid: None,
        gid: None,
        required: false,
        size: None,
        env: None,
    };
    // The type first: what other keys mean depends on it.
    for f in &fields {
        if let Some((k, v)) = f.split_once('=')
            && k.eq_ignore_ascii_case("type")
        {
            m.kind = match v.to_ascii_lowercase().as_str() {
                "bind" => MountType::Bind,
                "cache" => MountType::Cache,
                "tmpfs" => MountType::Tmpfs,
                "secret" => MountType::Secret,
                "ssh" => MountType::Ssh,
                _ => return Err(format!("unsupported mount type {v:?}")),
            };
        }
    }
    let mut ro_auto = true;
    let mut sharing_set = false;
    for field in &fields {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let Some((key, value)) = field.split_once('=') else {
            match field.to_ascii_lowercase().as_str() {
                "readonly" | "ro" => {
                    m.read_only = true;
                    ro_auto = false;
                }
                "readwrite" | "rw" => {
                    m.read_only = false;
                    ro_auto = false;
                }
                "required" if matches!(m.kind, MountType::Secret | MountType::Ssh) => {
                    m.required = true
                }
                "required" => {
                    return Err(format!(
                        "unexpected key 'required' for mount type '{}'",
                        m.kind.as_str()
                    ));
                }
                _ => return Err(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let key = key.to_ascii_lowercase();
        let value = match expand.as_mut() {
            Some(f) => f(value)?,
            None if key == "from" && value.contains(['$', '{', '}']) => {
                return Err(
                    "'from' doesn't support variable expansion, define alias stage instead".into(),
                );
            }
            None if value.contains('$') => {
                check_key(&key, field)?;
                continue;
            }
            None => value.to_string(),
        };
        match key.as_str() {
            "type" => {}
            "target" | "dst" | "destination" => m.target = Some(value),
            "src" | "source" => m.source = Some(value),
            "from" => m.from = Some(value),
            "readonly" | "ro" => {
                m.read_only = parse_bool(&key, &value)?;
                ro_auto = false;
            }
            "readwrite" | "rw" => {
                m.read_only = !parse_bool(&key, &value)?;
                ro_auto = false;
            }
            "required" => {
                if !matches!(m.kind, MountType::Secret | MountType::Ssh) {
                    return Err(format!(
                        "unexpected key 'required' for mount type '{}'",
                        m.kind.as_str()
                    ));
                }
                m.required = parse_bool(&key, &value)?;
            }
            "id" => m.id = Some(value),
            "sharing" => {
                if m.kind != MountType::Cache {
                    return Err(format!(
                        "invalid cache sharing set for {} mount",
                        m.kind.as_str()
                    ));
                }
                sharing_set = true;
                m.sharing = match value.to_ascii_lowercase().as_str() {
                    "shared" => Sharing::Shared,
                    "private" => Sharing::Private,
                    "locked" => Sharing::Locked,
                    _ => return Err(format!("unsupported sharing value {value:?}")),
                };
            }
            "mode" => {
                m.mode = Some(
                    u32::from_str_radix(&value, 8)
                        .map_err(|_| format!("invalid value {value} for mode"))?,
                )
            }
            "uid" => {
                m.uid = Some(
                    value
                        .parse()
                        .map_err(|_| format!("invalid value {value} for uid"))?,
                )
            }
            "gid" => {
                m.gid = Some(
                    value
                        .parse()
                        .map_err(|_| format!("invalid value {value} for gid"))?,
                )
            }
            "size" => {
                if m.kind != MountType::Tmpfs {
                    return Err(format!(
                        "unexpected key 'size' for mount type '{}'",
                        m.kind.as_str()
                    ));
                }
                m.size = Some(parse_size(&value)?);
            }
            "env" => {
                if m.kind != MountType::Secret {
                    return Err(format!(
                        "unexpected key 'env' for mount type '{}'",
                        m.kind.as_str()
                    ));
                }
                m.env = Some(value);
            }
            _ => return Err(format!("unexpected key '{key}' in '{field}'")),
        }
    }
    let file_info_allowed = matches!(
        m.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        for (name, set) in [
            ("mode", m.mode.is_some()),
            ("uid", m.uid.is_some()),
            ("gid", m.gid.is_some()),
        ] {
            if set {
                return Err(format!(
                    "{name} not allowed for {:?} type mounts",
                    m.kind.as_str()
                ));
            }
        }
    }
    if ro_auto {
        m.read_only = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if sharing_set && m.kind != MountType::Cache {
        return Err(format!(
            "invalid cache sharing set for {} mount",
            m.kind.as_str()
        ));
    }
    if m.kind == MountType::Secret {
        if m.from.is_some() {
            return Err("secret mount should not have a from".into());
        }
        if m.source.is_some() && m.id.is_some() {
            return Err("both source and id can't be set".into());
        }
        if expand.is_some() && m.source.is_none() && m.target.is_none() && m.id.is_none() {
            return Err("invalid secret mount. one of source, target required".into());
        }
    }
    if expand.is_some()
        && matches!(
            m.kind,
            MountType::Bind | MountType::Cache | MountType::Tmpfs
        )
        && m.target.as_deref().is_none_or(str::is_empty)
    {
        return Err(format!(
            "mount target must be specified for {} mount",
            m.kind.as_str()
        ));
    }
    Ok(m)
}

fn check_key(key: &str, field: &str) -> Result<(), String> {
    match key {
        "type" | "target" | "dst" | "destination" | "src" | "source" | "readonly" | "ro"
        | "readwrite" | "rw" | "required" | "id" | "sharing" | "mode" | "uid" | "gid" | "size"
        | "env" => Ok(()),
        _ => Err(format!("unexpected key '{key}' in '{field}'")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now(spec: &str) -> Result<Mount, String> {
        let mut id = |v: &str| Ok::<_, String>(v.replace("$X", "x"));
        parse_mount(spec, Some(&mut id))
    }

    #[test]
    fn kinds_and_defaults() {
        let m = now("type=cache,target=/root/.cache,sharing=locked,id=$X").unwrap();
        assert_eq!(m.kind, MountType::Cache);
        assert!(!m.read_only);
        assert_eq!(m.sharing, Sharing::Locked);
        assert_eq!(m.id.as_deref(), Some("x"));
        let b = now("target=/src,from=build,source=/out").unwrap();
        assert_eq!(b.kind, MountType::Bind);
        assert!(b.read_only);
        assert!(!now("type=bind,target=/s,rw").unwrap().read_only);
        let s = now("type=secret,id=tok,required").unwrap();
        assert!(s.required);
        assert_eq!(s.target_path().as_deref(), Some("/run/secrets/tok"));
        let s = now("type=secret,target=/etc/pass").unwrap();
        assert_eq!(s.secret_id(), Some("pass"));
        let t = now("type=tmpfs,target=/t,size=64m").unwrap();
        assert_eq!(t.size, Some(64 << 20));
        let c = now("type=cache,dst=/c,mode=0755,uid=1000").unwrap();
        assert_eq!((c.mode, c.uid), (Some(0o755), Some(1000)));
        let q = now("type=bind,\"target=/a,b\"").unwrap();
        assert_eq!(q.target.as_deref(), Some("/a,b"));
    }

    #[test]
    fn refusals() {
        let e = |s: &str| now(s).unwrap_err();
        assert_eq!(e("type=nfs,target=/x"), "unsupported mount type \"nfs\"");
        assert_eq!(
            e("type=bind,target=/x,sharing=locked"),
            "invalid cache sharing set for bind mount"
        );
        assert_eq!(
            e("type=bind,target=/x,mode=0700"),
            "mode not allowed for \"bind\" type mounts"
        );
        assert_eq!(
            e("type=bind,target=/x,foo=1"),
            "unexpected key 'foo' in 'foo=1'"
        );
        assert_eq!(
            e("type=bind,target=/x,bogus"),
            "invalid field 'bogus' must be a key=value pair"
        );
        assert_eq!(
            e("type=cache"),
            "mount target must be specified for cache mount"
        );
        assert_eq!(
            e("type=secret"),
            "invalid secret mount. one of source, target required"
        );
        assert_eq!(
            e("type=secret,id=a,from=b"),
            "secret mount should not have a from"
        );
        assert_eq!(
            e("type=bind,target=/x,required"),
            "unexpected key 'required' for mount type 'bind'"
        );
    }

    #[test]
    fn parse_time_leaves_variables_for_later() {
        let m = parse_mount("type=cache,target=$DIR,mode=$M", None).unwrap();
        assert_eq!(m.target, None);
        assert!(parse_mount("type=bind,target=/x,from=$STAGE", None).is_err());
        assert!(parse_mount("type=bind,nope=$X", None).is_err());
    }
}
