//! The registry half of a push: a connection authenticated for pull and push of one repository
//! (no mirrors: a push goes to the registry the name names), blob existence checks, cross-
//! repository mounts, blob uploads from a file (one streamed PUT for small blobs, chunked
//! PATCHes for big ones) and the manifest by tag.

use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt;
use oci_client::client::ClientConfig;
use oci_client::errors::OciDistributionError;
use oci_client::{Client, RegistryOperation};
use tokio::io::AsyncReadExt;

use super::auth::{self, Credentials};
use super::{Endpoint, RegistryError, Remote, RemoteOptions, Result, endpoints};
use crate::reference::Reference;

/// Blobs above this size are uploaded in chunks (PATCH with Content-Range), smaller ones in one
/// streamed PUT.
pub const CHUNKED_ABOVE: u64 = 16 << 20;

/// What the upload reports as its bytes leave.
pub type BytesSent = dyn Fn(u64) + Send + Sync;

/// A connection to the registry of a push target, authenticated for pull and push.
pub struct PushRemote {
    remote: Remote,
    /// A second client that uploads in chunks (oci-client decides per client).
    chunked: Client,
}

impl PushRemote {
    /// Connects to the target's registry (HTTP for loopback and insecure registries, as a
    /// pull) and authenticates for pull and push of its repository: `opts.credentials` when
    /// given, else the stored credentials.
    pub async fn connect(target: &Reference, opts: &RemoteOptions) -> Result<PushRemote> {
        let auth_file = opts.auth_file.clone().unwrap_or_else(auth::config_path);
        let mut last_err = None;
        let mut only_registry = opts.clone();
        only_registry.config = only_registry.config.without_mirrors();
        for ep in endpoints(&target.registry, &only_registry) {
            let creds = match &opts.credentials {
                Some(c) => Some(c.clone()),
                None => auth::lookup(&auth_file, &ep.host)?
                    .or(auth::lookup(&auth_file, &target.registry)?),
            };
            match PushRemote::at(target, &ep, creds).await {
                Ok(r) => return Ok(r),
                Err(e) => {
                    tracing::debug!("endpoint {} failed: {e}", ep.host);
                    let unreachable = matches!(&e, RegistryError::Other { detail, .. }
                        if detail.starts_with("cannot reach registry"));
                    last_err = Some(e);
                    if !unreachable {
                        break;
                    }
                }
            }
        }
        Err(last_err.expect("at least one endpoint"))
    }

    async fn at(
        target: &Reference,
        ep: &Endpoint,
        creds: Option<Credentials>,
    ) -> Result<PushRemote> {
        let remote = Remote::new(target, ep, creds);
        let mut config = client_config(ep);
        config.use_monolithic_push = false;
        let chunked = Client::new(config);
        for client in [&remote.client, &chunked] {
            for op in [RegistryOperation::Pull, RegistryOperation::Push] {
                client
                    .auth(&remote.oci_ref, &remote.auth, op)
                    .await
                    .map_err(|e| remote.map_push_err(e))?;
            }
        }
        Ok(PushRemote { remote, chunked })
    }

    /// Whether the repository already holds the blob (`HEAD /v2/…/blobs/<digest>`).
    pub async fn blob_exists(&self, digest: &str) -> Result<bool> {
        let r = &self.remote;
        r.client
            .blob_exists(&r.oci_ref, digest)
            .await
            .map_err(|e| r.map_push_err(e))
    }

    /// Asks the registry to link the blob from `source_path` (another repository of the same
    /// registry) into the target repository. False when the registry would not (it then
    /// expects an upload).
    pub async fn mount_blob(&self, source_path: &str, digest: &str) -> bool {
        let r = &self.remote;
        let source = oci_client::Reference::with_tag(
            r.oci_ref.registry().to_string(),
            source_path.to_string(),
            "latest".into(),
        );
        match r.client.mount_blob(&r.oci_ref, &source, digest).await {
            Ok(()) => true,
            Err(e) => {
                tracing::debug!("mount of {digest} from {source_path} refused: {e}");
                false
            }
        }
    }

    /// Uploads the blob in `file` (`size` bytes, already verified against `digest` when it was
    /// stored); the registry checks the digest again before it accepts it.
    pub async fn upload_blob(
        &self,
        file: &Path,
        digest: &str,
        size: u64,
        sent: Arc<BytesSent>,
    ) -> Result<()> {
        let r = &self.remote;
        if size > CHUNKED_ABOVE {
            let stream = self.file_stream(file, digest, sent.clone()).await?;
            match self
                .chunked
                .push_blob_stream(&r.oci_ref, stream, digest, Some(size))
                .await
            {
                // A registry that does not follow the chunked protocol gets the blob whole.
                Err(OciDistributionError::SpecViolationError(v)) => {
                    tracing::debug!("chunked upload of {digest} refused ({v}): one PUT instead");
                }
                res => return res.map(|_| ()).map_err(|e| r.map_push_err(e)),
            }
        }
        let stream = self.file_stream(file, digest, sent).await?;
        r.client
            .push_blob_stream(&r.oci_ref, stream, digest, Some(size))
            .await
            .map(|_| ())
            .map_err(|e| r.map_push_err(e))
    }

    /// The blob file as a stream of 1 MiB chunks, reporting the bytes read so far.
    async fn file_stream(
        &self,
        file: &Path,
        digest: &str,
        sent: Arc<BytesSent>,
    ) -> Result<futures_util::stream::BoxStream<'static, oci_client::errors::Result<bytes::Bytes>>>
    {
        let f = tokio::fs::File::open(file).await.map_err(|e| {
            self.remote
                .push_failed(format!("reading blob {digest} ({}): {e}", file.display()))
        })?;
        Ok(
            futures_util::stream::unfold((f, 0u64), move |(mut f, done)| {
                let sent = sent.clone();
                async move {
                    let mut buf = bytes::BytesMut::with_capacity(1 << 20);
                    match f.read_buf(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            let done = done + n as u64;
                            sent(done);
                            Some((Ok(buf.freeze()), (f, done)))
                        }
                        Err(e) => Some((Err(OciDistributionError::IoError(e)), (f, done))),
                    }
                }
            })
            .boxed(),
        )
    }

    /// Puts the manifest under `tag` of the target repository. Returns its digest.
    pub async fn push_manifest(&self, tag: &str, bytes: &[u8], media_type: &str) -> Result<String> {
        let r = &self.remote;
        let tagged = oci_client::Reference::with_tag(
            r.oci_ref.registry().to_string(),
            r.oci_ref.repository().to_string(),
            tag.to_string(),
        );
        let content_type = media_type
            .parse()
            .map_err(|_| r.push_failed(format!("invalid manifest media type {media_type:?}")))?;
        r.client
            .push_manifest_raw(&tagged, bytes.to_vec(), content_type)
            .await
            .map_err(|e| r.map_push_err(e))?;
        Ok(crate::content::sha256_digest(bytes))
    }
}

/// The client settings of an endpoint; monolithic uploads (one PUT) unless changed.
fn client_config(ep: &Endpoint) -> ClientConfig {
    let mut c = super::client_config(ep);
    c.use_monolithic_push = true;
    c
}

impl Remote {
    fn push_failed(&self, detail: String) -> RegistryError {
        RegistryError::Other {
            reference: self.display.clone(),
            detail,
        }
    }

    /// A registry error of a push: denials read as Docker's "denied: …".
    fn map_push_err(&self, e: OciDistributionError) -> RegistryError {
        if let OciDistributionError::RequestError(re) = &e
            && let Some(code @ (reqwest::StatusCode::UNAUTHORIZED | reqwest::StatusCode::FORBIDDEN)) =
                re.status()
        {
            return RegistryError::PushDenied {
                registry: self.registry.clone(),
                detail: format!("the registry answered {code}"),
            };
        }
        match self.map_err(e) {
            RegistryError::Unauthorized { detail, .. } => RegistryError::PushDenied {
                registry: self.registry.clone(),
                detail,
            },
            RegistryError::NotFound(reference) => RegistryError::Other {
                reference,
                detail: "the registry answered 404 (does it accept pushes?)".into(),
            },
            other => other,
        }
    }
}
