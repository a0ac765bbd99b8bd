//! Image references with Docker's rules.
//!
//! `redis` is `docker.io/library/redis:latest`; `host:port/ns/name:tag`, `name@sha256:…` and
//! `name:tag@sha256:…` are accepted. The first path component is a registry host when it contains
//! a `.` or a `:`, or is `localhost` (Docker's rule). `index.docker.io` is folded into `docker.io`.

use std::fmt;

/// The registry that short names resolve to.
pub const DEFAULT_REGISTRY: &str = "docker.io";
const MAX_NAME_LEN: usize = 255;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReferenceError {
    #[error("invalid reference format: {0:?} is empty")]
    Empty(String),
    #[error("invalid reference format: repository name {0:?} must be lowercase")]
    Uppercase(String),
    #[error("invalid reference format: {0:?}")]
    Invalid(String),
    #[error("invalid reference format: tag in {0:?} is not valid (up to 128 of [A-Za-z0-9_.-])")]
    BadTag(String),
    #[error("invalid reference format: digest in {0:?} is not valid (want sha256:<64 hex digits>)")]
    BadDigest(String),
    #[error("invalid reference format: repository name in {0:?} is longer than 255 characters")]
    TooLong(String),
}

/// A parsed, normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Registry host, with port if any (`docker.io`, `127.0.0.1:5000`).
    pub registry: String,
    /// Repository path inside the registry (`library/redis`).
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// Parses a reference; a reference with neither tag nor digest gets the tag `latest`.
    pub fn parse(s: &str) -> Result<Reference, ReferenceError> {
        let mut r = Self::parse_name_only(s)?;
        if r.tag.is_none() && r.digest.is_none() {
            r.tag = Some("latest".to_string());
        }
        Ok(r)
    }

    /// Parses a reference without adding a default tag (used for filters like `images redis`).
    pub fn parse_name_only(s: &str) -> Result<Reference, ReferenceError> {
        if s.is_empty() {
            return Err(ReferenceError::Empty(s.to_string()));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => {
                if !is_valid_digest(d) {
                    return Err(ReferenceError::BadDigest(s.to_string()));
                }
                (rest, Some(d.to_string()))
            }
            None => (s, None),
        };
        // A tag follows the last ':' that comes after the last '/'.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let i = last_slash + i;
                let tag = &rest[i + 1..];
                if !is_valid_tag(tag) {
                    return Err(ReferenceError::BadTag(s.to_string()));
                }
                (&rest[..i], Some(tag.to_string()))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(ReferenceError::Invalid(s.to_string()));
        }
        let (registry, path) = split_registry(name);
        let registry = if registry == "index.docker.io" {
            DEFAULT_REGISTRY.to_string()
        } else {
            registry.to_string()
        };
        if !is_valid_registry(&registry) {
            return Err(ReferenceError::Invalid(s.to_string()));
        }
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(ReferenceError::Uppercase(s.to_string()));
        }
        if path.is_empty() || !path.split('/').all(is_valid_path_component) {
            return Err(ReferenceError::Invalid(s.to_string()));
        }
        let path = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        if registry.len() + 1 + path.len() > MAX_NAME_LEN {
            return Err(ReferenceError::TooLong(s.to_string()));
        }
        Ok(Reference {
            registry,
            path,
            tag,
            digest,
        })
    }

    /// `docker.io/library/redis`
    pub fn repository(&self) -> String {
        format!("{}/{}", self.registry, self.path)
    }

    /// The short form Docker prints: `redis`, `user/app`, `127.0.0.1:5000/busybox`.
    pub fn familiar_repository(&self) -> String {
        familiar_repository(&self.repository())
    }

    /// `docker.io/library/redis:latest` (the tag form, without digest), if there is a tag.
    pub fn tagged_name(&self) -> Option<String> {
        self.tag
            .as_ref()
            .map(|t| format!("{}:{}", self.repository(), t))
    }

    /// The same repository with another tag and no digest.
    pub fn with_tag(&self, tag: &str) -> Reference {
        Reference {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.repository())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// Strips `docker.io/library/` and `docker.io/` as Docker does when it prints names.
pub fn familiar_repository(full: &str) -> String {
    if let Some(rest) = full.strip_prefix("docker.io/") {
        rest.strip_prefix("library/")
            .filter(|r| !r.contains('/'))
            .unwrap_or(rest)
            .to_string()
    } else {
        full.to_string()
    }
}

/// Familiar form of a full `repo:tag` name.
pub fn familiar_name(full: &str) -> String {
    match Reference::parse(full) {
        Ok(r) => match (&r.tag, &r.digest) {
            (Some(t), _) => format!("{}:{}", r.familiar_repository(), t),
            (None, Some(d)) => format!("{}@{}", r.familiar_repository(), d),
            _ => r.familiar_repository(),
        },
        Err(_) => full.to_string(),
    }
}

fn split_registry(name: &str) -> (&str, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first, rest)
        }
        _ => (DEFAULT_REGISTRY, name),
    }
}

fn is_valid_registry(host: &str) -> bool {
    let (h, port) = match host.rsplit_once(':') {
        // An IPv6 literal in brackets may itself contain ':'.
        Some((h, p)) if !h.is_empty() && !p.contains(']') => (h, Some(p)),
        _ => (host, None),
    };
    if let Some(p) = port
        && p.parse::<u16>().is_err()
    {
        return false;
    }
    if h.starts_with('[') && h.ends_with(']') {
        return h[1..h.len() - 1].parse::<std::net::Ipv6Addr>().is_ok();
    }
    !h.is_empty()
        && h.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !is_alnum(b[0]) || !is_alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if is_alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: ".", "_", "__" or one or more "-".
        let start = i;
        while i < b.len() && !is_alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[\w][\w.-]{0,127}`
pub fn is_valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'-')
}

/// Only sha256 digests are accepted (they name files in the store, so this check matters).
pub fn is_valid_digest(d: &str) -> bool {
    match d.strip_prefix("sha256:") {
        Some(hex) => {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn p(s: &str) -> Reference {
        Reference::parse(s).unwrap()
    }

    #[test]
    fn short_names_default_to_docker_hub_library_latest() {
        let r = p("redis");
        assert_eq!(r.to_string(), "docker.io/library/redis:latest");
        assert_eq!(r.familiar_repository(), "redis");
        assert_eq!(p("user/app:1.0").to_string(), "docker.io/user/app:1.0");
        assert_eq!(p("user/app").familiar_repository(), "user/app");
        assert_eq!(
            p("index.docker.io/library/redis").to_string(),
            "docker.io/library/redis:latest"
        );
        assert_eq!(
            p("docker.io/redis:7").to_string(),
            "docker.io/library/redis:7"
        );
    }

    #[test]
    fn registry_hosts_with_ports_and_nesting() {
        let r = p("127.0.0.1:5000/ns/name:tag");
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.path, "ns/name");
        assert_eq!(r.tag.as_deref(), Some("tag"));
        assert_eq!(r.familiar_repository(), "127.0.0.1:5000/ns/name");
        assert_eq!(p("localhost/x").registry, "localhost");
        assert_eq!(p("localhost:5000/x").registry, "localhost:5000");
        assert_eq!(p("quay.io/a/b/c").path, "a/b/c");
        // Without a dot, colon or "localhost" the first component is a namespace.
        assert_eq!(p("myhost/x").registry, "docker.io");
    }

    #[test]
    fn digests_and_tag_plus_digest() {
        let r = p(&format!("busybox@{D}"));
        assert_eq!(r.tag, None);
        assert_eq!(r.digest.as_deref(), Some(D));
        let r = p(&format!("127.0.0.1:5000/busybox:1@{D}"));
        assert_eq!(r.tag.as_deref(), Some("1"));
        assert_eq!(r.digest.as_deref(), Some(D));
        assert_eq!(r.to_string(), format!("127.0.0.1:5000/busybox:1@{D}"));
    }

    #[test]
    fn invalid_references_are_refused() {
        for bad in [
            "",
            "Redis",
            "redis:",
            "redis:-x",
            "redis@sha256:abc",
            "redis@md5:0123",
            "a//b",
            "-a",
            "a-",
            "a..b",
            "a___b",
            "host:99999/x",
            ":tag",
            "UPPER/x",
            "redis:tag with space",
        ] {
            assert!(Reference::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        let long = "a".repeat(300);
        assert!(matches!(
            Reference::parse(&long),
            Err(ReferenceError::TooLong(_))
        ));
        assert!(matches!(
            Reference::parse("Redis"),
            Err(ReferenceError::Uppercase(_))
        ));
    }

    #[test]
    fn separators_follow_docker_grammar() {
        for good in ["a.b", "a_b", "a__b", "a-b", "a---b", "a0/b-c.d_e"] {
            assert!(Reference::parse(good).is_ok(), "{good:?} should be valid");
        }
    }

    #[test]
    fn familiar_names() {
        assert_eq!(
            familiar_name("docker.io/library/redis:latest"),
            "redis:latest"
        );
        assert_eq!(familiar_name("docker.io/u/app:1"), "u/app:1");
        assert_eq!(
            familiar_name("127.0.0.1:5600/busybox:latest"),
            "127.0.0.1:5600/busybox:latest"
        );
    }

    #[test]
    fn digest_validation() {
        assert!(is_valid_digest(D));
        assert!(!is_valid_digest("sha256:../../etc/passwd"));
        assert!(!is_valid_digest(&D.to_uppercase()));
    }
}
