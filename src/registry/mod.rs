//! Talking to registries (Distribution API v2) through oci-client: endpoint choice (mirrors,
//! HTTP for loopback and insecure registries), credentials, manifest resolution to one platform,
//! and blob streams.

pub mod auth;
pub mod config;
pub mod login;
pub mod push;

use std::fmt;

use oci_client::client::{ClientConfig, ClientProtocol, SizedStream};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, RegistryOperation};
use oci_spec::image::{ImageIndex, ImageManifest};

use crate::reference::Reference;
use config::{RegistriesConfig, is_loopback};

pub const MT_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const MT_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MT_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MT_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MT_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
const MT_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
const ACCEPT: &[&str] = &[
    MT_OCI_INDEX,
    MT_DOCKER_LIST,
    MT_OCI_MANIFEST,
    MT_DOCKER_MANIFEST,
    MT_SCHEMA1_SIGNED,
    MT_SCHEMA1,
];

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(
        "pull access denied for {reference}: {detail} (wrong or missing credentials? try `berth login {registry}`)"
    )]
    Unauthorized {
        reference: String,
        registry: String,
        detail: String,
    },
    #[error(
        "push access denied to {registry}: {detail} (wrong or missing credentials? try `berth login {registry}`)"
    )]
    PushDenied { registry: String, detail: String },
    #[error("manifest for {0} not found: manifest unknown")]
    NotFound(String),
    #[error(
        "{0} uses a Docker schema 1 manifest, which berth does not support (it was pushed by Docker < 1.10); re-push the image with a current tool"
    )]
    Schema1(String),
    #[error(
        "{reference}: no image for platform {wanted} in the manifest list (available: {available})"
    )]
    NoPlatform {
        reference: String,
        wanted: String,
        available: String,
    },
    /// Docker's 4 MiB bound on manifests, indexes and configs.
    #[error("{reference}: {what} too large: {size} bytes (at most {MAX_MANIFEST_SIZE})")]
    TooLarge {
        reference: String,
        what: &'static str,
        size: u64,
    },
    #[error("{reference}: invalid manifest: {detail}")]
    BadManifest { reference: String, detail: String },
    #[error("{reference}: {detail}")]
    Other { reference: String, detail: String },
    #[error("invalid platform {0:?}: expected os/arch[/variant], e.g. linux/amd64")]
    BadPlatform(String),
    #[error(transparent)]
    Auth(#[from] auth::AuthError),
}

type Result<T> = std::result::Result<T, RegistryError>;

/// The largest manifest, index or image config berth fetches (Docker's bound: 4 MiB); a
/// descriptor that says more is refused before anything is fetched.
pub const MAX_MANIFEST_SIZE: u64 = 4 << 20;

/// A writer into memory that refuses more than [`MAX_MANIFEST_SIZE`] bytes.
#[derive(Default)]
struct Bounded {
    buf: Vec<u8>,
    over: bool,
}

impl tokio::io::AsyncWrite for Bounded {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        data: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if (self.buf.len() + data.len()) as u64 > MAX_MANIFEST_SIZE {
            self.over = true;
            return std::task::Poll::Ready(Err(std::io::Error::other("blob too large")));
        }
        self.buf.extend_from_slice(data);
        std::task::Poll::Ready(Ok(data.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// An OS/architecture pair in Go's naming (`linux/amd64`, `linux/arm64/v8`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Result<Platform> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || RegistryError::BadPlatform(s.to_string());
        if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        Ok(Platform {
            os: parts[0].to_lowercase(),
            architecture: normalize_arch(parts[1]).to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }

    /// The platform of this machine.
    pub fn host() -> Platform {
        Platform {
            os: "linux".into(),
            architecture: normalize_arch(std::env::consts::ARCH).to_string(),
            variant: None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

fn normalize_arch(a: &str) -> &str {
    match a {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" | "x86" => "386",
        other => other,
    }
}

/// Options for reaching a registry.
#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// `Some(false)`: skip TLS verification and allow plain HTTP for this pull.
    pub tls_verify: Option<bool>,
    pub config: RegistriesConfig,
    /// Docker `config.json` to read credentials from.
    pub auth_file: Option<std::path::PathBuf>,
    /// Credentials to use instead of the stored ones (the Engine API's `X-Registry-Auth`).
    pub credentials: Option<auth::Credentials>,
}

/// One way of reaching a registry: a host and how to speak to it.
#[derive(Debug, Clone)]
struct Endpoint {
    host: String,
    http: bool,
    insecure_tls: bool,
}

fn endpoints(registry: &str, opts: &RemoteOptions) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let mut add = |host: &str| {
        let api_host = if host == "docker.io" {
            "index.docker.io".to_string()
        } else {
            host.to_string()
        };
        if is_loopback(host) {
            out.push(Endpoint {
                host: api_host,
                http: true,
                insecure_tls: false,
            });
        } else if opts.tls_verify == Some(false) || opts.config.is_insecure(host) {
            // Insecure registries: HTTPS without verification first, then plain HTTP.
            out.push(Endpoint {
                host: api_host.clone(),
                http: false,
                insecure_tls: true,
            });
            out.push(Endpoint {
                host: api_host,
                http: true,
                insecure_tls: false,
            });
        } else {
            out.push(Endpoint {
                host: api_host,
                http: false,
                insecure_tls: false,
            });
        }
    };
    for m in opts.config.mirrors_for(registry) {
        add(&m);
    }
    add(registry);
    out
}

/// The oci-client settings for an endpoint.
fn client_config(ep: &Endpoint) -> ClientConfig {
    let protocol = if ep.http {
        ClientProtocol::Http
    } else {
        ClientProtocol::Https
    };
    ClientConfig {
        protocol,
        accept_invalid_certificates: ep.insecure_tls,
        // berth picks the platform itself (see `select_platform`).
        platform_resolver: None,
        connect_timeout: Some(std::time::Duration::from_secs(30)),
        read_timeout: Some(std::time::Duration::from_secs(300)),
        user_agent: concat!("berth/", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    }
}

/// The manifest chosen for one platform, with the index it came from if any.
#[derive(Debug, Clone)]
pub struct ResolvedManifest {
    pub digest: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub manifest: ImageManifest,
    /// `(digest, bytes)` of the manifest list / index the reference named, if it named one.
    pub index: Option<(String, Vec<u8>)>,
}

impl ResolvedManifest {
    /// The digest the reference resolves to in the registry (the index's, for a multi-arch image).
    pub fn repo_digest(&self) -> &str {
        self.index
            .as_ref()
            .map(|i| i.0.as_str())
            .unwrap_or(&self.digest)
    }
}

/// A connection to one registry endpoint, authenticated for one repository.
pub struct Remote {
    client: Client,
    oci_ref: oci_client::Reference,
    auth: RegistryAuth,
    display: String,
    registry: String,
}

impl Remote {
    /// Finds a working endpoint (mirrors first) and resolves `reference` to a single-platform
    /// manifest.
    pub async fn resolve(
        reference: &Reference,
        platform: &Platform,
        opts: &RemoteOptions,
    ) -> Result<(Remote, ResolvedManifest)> {
        let auth_file = opts.auth_file.clone().unwrap_or_else(auth::config_path);
        let mut last_err = None;
        for ep in endpoints(&reference.registry, opts) {
            let creds = match &opts.credentials {
                Some(c) => Some(c.clone()),
                None => auth::lookup(&auth_file, &ep.host)?
                    .or(auth::lookup(&auth_file, &reference.registry)?),
            };
            let remote = Remote::new(reference, &ep, creds);
            match remote.resolve_manifest(platform).await {
                Ok(m) => return Ok((remote, m)),
                Err(e) => {
                    tracing::debug!("endpoint {} failed: {e}", ep.host);
                    let fatal = matches!(
                        e,
                        RegistryError::Schema1(_)
                            | RegistryError::NoPlatform { .. }
                            | RegistryError::BadManifest { .. }
                    );
                    last_err = Some(e);
                    if fatal {
                        break;
                    }
                }
            }
        }
        Err(last_err.expect("at least one endpoint"))
    }

    fn new(reference: &Reference, ep: &Endpoint, creds: Option<auth::Credentials>) -> Remote {
        let config = client_config(ep);
        let tag = reference.tag.clone().unwrap_or_else(|| "latest".into());
        let oci_ref = match &reference.digest {
            Some(d) => oci_client::Reference::with_tag_and_digest(
                ep.host.clone(),
                reference.path.clone(),
                tag,
                d.clone(),
            ),
            None => oci_client::Reference::with_tag(ep.host.clone(), reference.path.clone(), tag),
        };
        let auth = match creds {
            Some(c) => RegistryAuth::Basic(c.username, c.password),
            None => RegistryAuth::Anonymous,
        };
        Remote {
            client: Client::new(config),
            oci_ref,
            auth,
            display: reference.to_string(),
            registry: reference.registry.clone(),
        }
    }

    fn map_err(&self, e: OciDistributionError) -> RegistryError {
        let reference = self.display.clone();
        let registry = self.registry.clone();
        match e {
            OciDistributionError::AuthenticationFailure(detail) => RegistryError::Unauthorized {
                reference,
                registry,
                detail,
            },
            OciDistributionError::UnauthorizedError { .. } => RegistryError::Unauthorized {
                reference,
                registry,
                detail: "authentication required".into(),
            },
            OciDistributionError::RegistryError { envelope, .. } => {
                let codes: Vec<&OciErrorCode> = envelope.errors.iter().map(|e| &e.code).collect();
                if codes
                    .iter()
                    .any(|c| matches!(c, OciErrorCode::Unauthorized | OciErrorCode::Denied))
                {
                    RegistryError::Unauthorized {
                        reference,
                        registry,
                        detail: envelope
                            .errors
                            .iter()
                            .map(|e| e.message.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                    }
                } else if codes.iter().any(|c| {
                    matches!(
                        c,
                        OciErrorCode::ManifestUnknown
                            | OciErrorCode::NameUnknown
                            | OciErrorCode::NotFound
                    )
                }) {
                    RegistryError::NotFound(reference)
                } else {
                    let detail = envelope
                        .errors
                        .iter()
                        .map(|e| format!("{:?}: {}", e.code, e.message))
                        .collect::<Vec<_>>()
                        .join("; ");
                    RegistryError::Other { reference, detail }
                }
            }
            OciDistributionError::ServerError { code: 404, .. }
            | OciDistributionError::ImageManifestNotFoundError(_) => {
                RegistryError::NotFound(reference)
            }
            OciDistributionError::ServerError { code, message, .. } => RegistryError::Other {
                reference,
                detail: format!("registry answered HTTP {code}: {}", message.trim()),
            },
            OciDistributionError::RequestError(e) => RegistryError::Other {
                reference,
                detail: format!(
                    "cannot reach registry {}: {}",
                    self.registry,
                    error_chain(&e)
                ),
            },
            other => RegistryError::Other {
                reference,
                detail: other.to_string(),
            },
        }
    }

    async fn manifest_raw(&self, r: &oci_client::Reference) -> Result<(Vec<u8>, String)> {
        let (bytes, digest) = self
            .client
            .pull_manifest_raw(r, &self.auth, ACCEPT)
            .await
            .map_err(|e| self.map_err(e))?;
        self.check_size("manifest", bytes.len() as u64)?;
        Ok((bytes.to_vec(), digest))
    }

    async fn resolve_manifest(&self, platform: &Platform) -> Result<ResolvedManifest> {
        // Authenticate up front so a wrong password is reported as such.
        self.client
            .auth(&self.oci_ref, &self.auth, RegistryOperation::Pull)
            .await
            .map_err(|e| self.map_err(e))?;
        let (bytes, digest) = self.manifest_raw(&self.oci_ref).await?;
        match classify(&bytes).map_err(|detail| self.bad(detail))? {
            Kind::Schema1 => Err(RegistryError::Schema1(self.display.clone())),
            Kind::Manifest(mt) => Ok(ResolvedManifest {
                manifest: self.parse_manifest(&bytes)?,
                digest,
                media_type: mt,
                bytes,
                index: None,
            }),
            Kind::Index => {
                let index: ImageIndex = serde_json::from_slice(&bytes)
                    .map_err(|e| self.bad(format!("manifest list: {e}")))?;
                let chosen =
                    select_platform(&index, platform).ok_or_else(|| RegistryError::NoPlatform {
                        reference: self.display.clone(),
                        wanted: platform.to_string(),
                        available: platforms_of(&index).join(", "),
                    })?;
                if let Some(d) = index
                    .manifests()
                    .iter()
                    .find(|m| m.digest().to_string() == chosen)
                {
                    self.check_size("manifest", d.size())?;
                }
                let child = self.oci_ref.clone_with_digest(chosen.clone());
                let (mbytes, mdigest) = self.manifest_raw(&child).await?;
                if mdigest != chosen {
                    return Err(self.bad(format!(
                        "manifest {chosen} from the list arrived with digest {mdigest}"
                    )));
                }
                match classify(&mbytes).map_err(|detail| self.bad(detail))? {
                    Kind::Manifest(mt) => Ok(ResolvedManifest {
                        manifest: self.parse_manifest(&mbytes)?,
                        digest: mdigest,
                        media_type: mt,
                        bytes: mbytes,
                        index: Some((digest, bytes)),
                    }),
                    Kind::Schema1 => Err(RegistryError::Schema1(self.display.clone())),
                    Kind::Index => Err(self.bad("a manifest list points at another list".into())),
                }
            }
        }
    }

    fn check_size(&self, what: &'static str, size: u64) -> Result<()> {
        if size > MAX_MANIFEST_SIZE {
            return Err(RegistryError::TooLarge {
                reference: self.display.clone(),
                what,
                size,
            });
        }
        Ok(())
    }

    fn parse_manifest(&self, bytes: &[u8]) -> Result<ImageManifest> {
        serde_json::from_slice(bytes).map_err(|e| self.bad(e.to_string()))
    }

    fn bad(&self, detail: String) -> RegistryError {
        RegistryError::BadManifest {
            reference: self.display.clone(),
            detail,
        }
    }

    /// Fetches a small blob (a config, of `size` bytes as its descriptor says) into memory,
    /// verifying its digest; more than [`MAX_MANIFEST_SIZE`] is refused, before the fetch if
    /// the descriptor says so, else as soon as more arrives.
    pub async fn fetch_small_blob(&self, digest: &str, size: u64) -> Result<Vec<u8>> {
        self.check_size("config", size)?;
        let mut out = Bounded::default();
        let r = self.client.pull_blob(&self.oci_ref, digest, &mut out).await;
        if out.over {
            return Err(RegistryError::TooLarge {
                reference: self.display.clone(),
                what: "config",
                size: out.buf.len() as u64,
            });
        }
        r.map_err(|e| self.map_err(e))?;
        Ok(out.buf)
    }

    /// A stream of a blob's bytes. The caller verifies the digest as it stores them.
    pub async fn blob_stream(&self, digest: &str) -> Result<SizedStream> {
        self.client
            .pull_blob_stream(&self.oci_ref, digest)
            .await
            .map_err(|e| self.map_err(e))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

enum Kind {
    Schema1,
    Manifest(String),
    Index,
}

/// Tells manifests, indexes and schema 1 apart by their content.
fn classify(bytes: &[u8]) -> std::result::Result<Kind, String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    if v.get("schemaVersion").and_then(|s| s.as_i64()) == Some(1) {
        return Ok(Kind::Schema1);
    }
    let mt = v.get("mediaType").and_then(|m| m.as_str()).unwrap_or("");
    match mt {
        MT_DOCKER_LIST | MT_OCI_INDEX => Ok(Kind::Index),
        MT_DOCKER_MANIFEST | MT_OCI_MANIFEST => Ok(Kind::Manifest(mt.to_string())),
        MT_SCHEMA1 | MT_SCHEMA1_SIGNED => Ok(Kind::Schema1),
        "" if v.get("manifests").is_some() => Ok(Kind::Index),
        "" if v.get("layers").is_some() => Ok(Kind::Manifest(MT_OCI_MANIFEST.to_string())),
        other => Err(format!("unsupported manifest media type {other:?}")),
    }
}

/// The digest of the index entry matching `want` (variant matched when both sides give one).
pub fn select_platform(index: &ImageIndex, want: &Platform) -> Option<String> {
    let mut fallback = None;
    for m in index.manifests() {
        let Some(p) = m.platform() else { continue };
        if p.os().to_string() != want.os || p.architecture().to_string() != want.architecture {
            continue;
        }
        match (&want.variant, p.variant()) {
            (Some(w), Some(v)) if w == v => return Some(m.digest().to_string()),
            (Some(_), Some(_)) => continue,
            (None, _) | (Some(_), None) => {
                if fallback.is_none() {
                    fallback = Some(m.digest().to_string());
                }
            }
        }
    }
    fallback
}

fn platforms_of(index: &ImageIndex) -> Vec<String> {
    index
        .manifests()
        .iter()
        .filter_map(|m| m.platform().as_ref())
        .map(|p| {
            let mut s = format!("{}/{}", p.os(), p.architecture());
            if let Some(v) = p.variant() {
                s.push('/');
                s.push_str(v);
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> ImageIndex {
        serde_json::from_str(
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,
             "digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111",
             "platform":{"os":"linux","architecture":"amd64"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1,
             "digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222",
             "platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn picks_the_requested_platform() {
        let i = index();
        let amd = select_platform(&i, &Platform::parse("linux/amd64").unwrap()).unwrap();
        assert!(amd.starts_with("sha256:1111"));
        let arm = select_platform(&i, &Platform::parse("linux/arm64").unwrap()).unwrap();
        assert!(arm.starts_with("sha256:2222"));
        let arm = select_platform(&i, &Platform::parse("linux/aarch64/v8").unwrap()).unwrap();
        assert!(arm.starts_with("sha256:2222"));
        assert!(select_platform(&i, &Platform::parse("linux/s390x").unwrap()).is_none());
        assert!(select_platform(&i, &Platform::parse("linux/arm64/v7").unwrap()).is_none());
        assert_eq!(platforms_of(&i), vec!["linux/amd64", "linux/arm64/v8"]);
    }

    #[test]
    fn platform_parsing() {
        assert_eq!(Platform::host().to_string(), "linux/amd64");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//").is_err());
        assert!(Platform::parse("a/b/c/d").is_err());
    }

    #[test]
    fn classifies_manifests() {
        assert!(matches!(
            classify(br#"{"schemaVersion":1}"#),
            Ok(Kind::Schema1)
        ));
        assert!(matches!(
            classify(br#"{"schemaVersion":2,"manifests":[]}"#),
            Ok(Kind::Index)
        ));
        assert!(matches!(
            classify(br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json"}"#),
            Ok(Kind::Manifest(_))
        ));
        assert!(classify(br#"{"schemaVersion":2,"mediaType":"text/x"}"#).is_err());
        assert!(classify(b"nope").is_err());
    }

    #[test]
    fn loopback_is_plain_http_and_mirrors_come_first() {
        let mut opts = RemoteOptions::default();
        let e = endpoints("127.0.0.1:5000", &opts);
        assert_eq!(e.len(), 1);
        assert!(e[0].http);
        let e = endpoints("docker.io", &opts);
        assert_eq!(e[0].host, "index.docker.io");
        assert!(!e[0].http);
        opts.config = serde_json::from_str(r#"{"registry-mirrors":["127.0.0.1:9"]}"#).unwrap();
        let e = endpoints("docker.io", &opts);
        assert_eq!(e[0].host, "127.0.0.1:9");
        assert_eq!(e[1].host, "index.docker.io");
        opts.tls_verify = Some(false);
        let e = endpoints("reg.example:5000", &opts);
        assert!(e[0].insecure_tls && !e[0].http);
        assert!(e[1].http);
    }
}
