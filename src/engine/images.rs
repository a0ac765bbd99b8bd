//! Images: pull, list, remove, tag, inspect, history, prune, and read-only mounts of an image's
//! root filesystem.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Engine, Result};
use crate::images::pull::{Progress, PullEvent, PullRequest};
use crate::images::{self, HistoryEntry, ImageError, ImageSummary, Removed};
use crate::reference::{Reference, familiar_name};
use crate::registry::config::{RegistriesConfig, default_path};
use crate::registry::{Platform, RemoteOptions};

/// What `image_pull` fetches.
#[derive(Debug, Clone, Default)]
pub struct ImagePullOptions {
    /// `NAME[:TAG|@DIGEST]`.
    pub reference: String,
    /// `os/arch[/variant]` of a multi-platform image; the host's when `None`.
    pub platform: Option<String>,
    /// Require HTTPS and verified certificates (`Some(false)`: allow plain HTTP and any
    /// certificate); the registry configuration decides when `None`.
    pub tls_verify: Option<bool>,
    /// Credentials to use instead of the stored ones (the Engine API's `X-Registry-Auth`).
    pub credentials: Option<crate::registry::auth::Credentials>,
}

/// The outcome of a pull: what Docker's closing "Digest:" and "Status:" lines say.
#[derive(Debug, Clone)]
pub struct ImagePulled {
    pub image_id: String,
    /// The digest the reference resolved to in the registry.
    pub digest: String,
    /// False when the reference already named this image ("Image is up to date").
    pub changed: bool,
    /// The normalized reference (`docker.io/library/redis:latest`).
    pub reference: String,
    /// Its familiar form (`redis:latest`).
    pub familiar: String,
}

/// Which images `image_list` shows.
/// The filter keys `image_list` knows (Docker's).
pub const LIST_FILTERS: &[&str] = &["before", "dangling", "label", "reference", "since"];

#[derive(Debug, Clone, Default)]
pub struct ImageListOptions {
    /// Only images of this repository (and tag, when one is given).
    pub repository: Option<String>,
    /// Docker's filters: dangling, label, before, since, reference.
    pub filters: Vec<(String, String)>,
    /// Intermediate images too (`images -a`).
    pub all: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImageRemoveOptions {
    /// Remove an image referenced by several repositories, or mounted.
    pub force: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ImagePruneOptions {
    /// Every image no container uses, not only dangling ones.
    pub all: bool,
    /// Docker's prune filters: label, label!, until (`dangling=false` is `all`).
    pub filters: Vec<(String, String)>,
}

/// What a prune removed.
#[derive(Debug, Clone, Default)]
pub struct ImagesPruned {
    /// What was untagged and deleted, in order.
    pub removed: Vec<Removed>,
    /// Bytes freed on disk.
    pub reclaimed: u64,
}

impl Engine {
    /// Pulls an image. `progress` first receives [`PullEvent::Pulling`] (once the request is
    /// valid and the store open), then the per-layer events; it is never called after this
    /// returns.
    pub fn image_pull(
        &self,
        opts: &ImagePullOptions,
        progress: Arc<Progress>,
    ) -> Result<ImagePulled> {
        let reference = Reference::parse(&opts.reference)?;
        let platform = match &opts.platform {
            Some(p) => Platform::parse(p)?,
            None => Platform::host(),
        };
        let config = RegistriesConfig::load(&default_path())?;
        let mut store = self.store()?;
        let req = PullRequest {
            reference: reference.clone(),
            platform,
            remote: RemoteOptions {
                tls_verify: opts.tls_verify,
                config,
                auth_file: None,
                credentials: opts.credentials.clone(),
            },
        };
        progress(PullEvent::Pulling {
            tag: reference
                .tag
                .clone()
                .or(reference.digest.clone())
                .unwrap_or_default(),
            repository: reference.familiar_repository(),
        });
        let outcome = images::pull::pull(&mut store, &req, progress)?;
        Ok(ImagePulled {
            image_id: outcome.image_id,
            digest: outcome.digest,
            changed: outcome.changed,
            familiar: familiar_name(&reference.to_string()),
            reference: reference.to_string(),
        })
    }

    /// Images, one entry per tag (dangling images once, as `<none>`), newest first.
    pub fn image_list(&self, opts: &ImageListOptions) -> Result<Vec<ImageSummary>> {
        let filter = match &opts.repository {
            Some(r) => Some(Reference::parse_name_only(r)?),
            None => None,
        };
        let f = crate::filters::Filters::new(&opts.filters);
        let invalid = |e: crate::filters::FilterError| super::Error::invalid(e.0);
        f.validate(LIST_FILTERS).map_err(invalid)?;
        let dangling = f.boolean("dangling").map_err(invalid)?;
        let store = self.store()?;
        let mut list = images::list(&store, opts.all)?;
        if let Some(f) = &filter {
            list.retain(|s| in_repository(f, s));
        }
        if f.is_empty() {
            return Ok(list);
        }
        let created = |s: &ImageSummary| {
            s.image
                .created
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .and_then(|t| t.timestamp_nanos_opt())
                .unwrap_or(0)
        };
        let time_of = |name: &str| -> Result<i64> {
            let (id, _) = images::resolve(&store, name)?;
            Ok(list
                .iter()
                .find(|s| s.image.id == id)
                .map(created)
                .unwrap_or(0))
        };
        let before: Vec<i64> = f.values("before").map(time_of).collect::<Result<_>>()?;
        let since: Vec<i64> = f.values("since").map(time_of).collect::<Result<_>>()?;
        let mut labels: std::collections::HashMap<String, BTreeMap<String, String>> =
            Default::default();
        if f.contains("label") {
            for s in &list {
                if !labels.contains_key(&s.image.id) {
                    let l = images::config(&store, &s.image.id)
                        .ok()
                        .and_then(|c| serde_json::from_value(c["config"]["Labels"].clone()).ok())
                        .unwrap_or_default();
                    labels.insert(s.image.id.clone(), l);
                }
            }
        }
        let none = BTreeMap::new();
        list.retain(|s| {
            let t = created(s);
            let tagged = s.repository != "<none>" && s.tag != "<none>";
            dangling.is_none_or(|d| d != tagged)
                && before.iter().all(|b| t < *b)
                && since.iter().all(|b| t > *b)
                && f.labels("label", labels.get(&s.image.id).unwrap_or(&none))
                && f.any("reference", |pattern| {
                    tagged
                        && (crate::filters::glob_match(pattern, &s.repository)
                            || crate::filters::glob_match(
                                pattern,
                                &format!("{}:{}", s.repository, s.tag),
                            ))
                })
        });
        Ok(list)
    }

    /// Untags the image `name` names and deletes it once nothing names it.
    pub fn image_remove(&self, name: &str, opts: &ImageRemoveOptions) -> Result<Vec<Removed>> {
        let mut store = self.store()?;
        Ok(images::remove(&mut store, name, opts.force)?)
    }

    /// Tags image `source` as `target` (`NAME[:TAG]`).
    pub fn image_tag(&self, source: &str, target: &str) -> Result<()> {
        let mut store = self.store()?;
        Ok(images::tag(&mut store, source, target)?)
    }

    /// `untag IMAGE [NAME…]`: removes those tags (every tag without names); the image stays.
    pub fn image_untag(&self, image: &str, names: &[String]) -> Result<Vec<String>> {
        let mut store = self.store()?;
        Ok(images::untag(&mut store, image, names)?)
    }

    /// `image exists`.
    pub fn image_exists(&self, name: &str) -> Result<bool> {
        let store = self.store()?;
        super::found(images::resolve(&store, name).map_err(Into::into))
    }

    /// Docker's image inspect data.
    pub fn image_inspect(&self, name: &str) -> Result<bollard_stubs::models::ImageInspect> {
        let store = self.store()?;
        let (id, _) = images::resolve(&store, name)?;
        super::inspect::image(&store, &id)
    }

    /// The image's layers and the steps that made them, newest first.
    pub fn image_history(&self, name: &str) -> Result<Vec<HistoryEntry>> {
        let store = self.store()?;
        let (id, _) = images::resolve(&store, name)?;
        Ok(images::history(&store, &id)?)
    }

    /// Removes dangling images (every unused one with `all`) and leftover files.
    pub fn image_prune(&self, opts: &ImagePruneOptions) -> Result<ImagesPruned> {
        use super::system::{prune_filters, prunes_image};
        let (f, until) = prune_filters(&opts.filters, &["dangling", "label", "label!", "until"])?;
        let all = opts.all
            || f.boolean("dangling")
                .map_err(|e| super::Error::invalid(e.0))?
                == Some(false);
        let f = crate::filters::Filters::new(
            &opts
                .filters
                .iter()
                .filter(|(k, _)| k != "dangling")
                .cloned()
                .collect::<Vec<_>>(),
        );
        let mut store = self.store()?;
        let (removed, reclaimed) =
            images::prune(&mut store, all, &|s, img| prunes_image(&f, until, s, img))?;
        Ok(ImagesPruned { removed, reclaimed })
    }

    /// Mounts the image's root filesystem read-only; returns the mount point.
    pub fn image_mount(&self, name: &str) -> Result<PathBuf> {
        let store = self.store()?;
        let (id, _) = images::resolve(&store, name)?;
        Ok(images::mount::mount(&store, &id)?)
    }

    /// Unmounts what [`Engine::image_mount`] mounted; returns the image's ID.
    pub fn image_unmount(&self, name: &str) -> Result<String> {
        let store = self.store()?;
        let (id, _) = images::resolve(&store, name)?;
        if !images::mount::unmount(&store, &id)? {
            return Err(ImageError::Conflict(format!("image {name} is not mounted")).into());
        }
        Ok(id)
    }
}

/// Whether a listed image belongs to the repository (and tag, when it has one) of `filter`.
fn in_repository(filter: &Reference, s: &ImageSummary) -> bool {
    s.repository == filter.familiar_repository() && filter.tag.as_ref().is_none_or(|t| *t == s.tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::images::ImageRow;

    fn listed(repository: &str, tag: &str) -> ImageSummary {
        ImageSummary {
            image: ImageRow {
                id: "sha256:00".into(),
                manifest_digest: String::new(),
                manifest_media_type: String::new(),
                created: None,
                architecture: "amd64".into(),
                os: "linux".into(),
                size: 0,
                added: 0,
            },
            repository: repository.into(),
            tag: tag.into(),
            digest: None,
            tag_count: 1,
            parent: None,
        }
    }

    #[test]
    fn repository_filter_matches_familiar_names_and_tags() {
        let redis = Reference::parse_name_only("redis").unwrap();
        assert!(in_repository(&redis, &listed("redis", "latest")));
        assert!(in_repository(&redis, &listed("redis", "7")));
        assert!(!in_repository(&redis, &listed("redis-x", "latest")));
        assert!(!in_repository(&redis, &listed("<none>", "<none>")));
        let full = Reference::parse_name_only("docker.io/library/redis:7").unwrap();
        assert!(in_repository(&full, &listed("redis", "7")));
        assert!(!in_repository(&full, &listed("redis", "latest")));
        let local = Reference::parse_name_only("127.0.0.1:5600/busybox").unwrap();
        assert!(in_repository(
            &local,
            &listed("127.0.0.1:5600/busybox", "x")
        ));
        assert!(!in_repository(&local, &listed("busybox", "x")));
    }
}
