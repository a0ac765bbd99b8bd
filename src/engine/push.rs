//! `image_push`: an image's tags to their registry, with progress as [`PushEvent`]s.

use std::sync::Arc;

use super::{Engine, Error, Result};
use crate::images::ImageError;
use crate::images::push::{self as push, Progress, PushRequest, PushedTag};
use crate::reference::Reference;
use crate::registry::RemoteOptions;
use crate::registry::auth::Credentials;
use crate::registry::config::{RegistriesConfig, default_path};

pub use crate::images::push::PushEvent;

/// What `image_push` sends.
#[derive(Debug, Clone, Default)]
pub struct ImagePushOptions {
    /// `NAME[:TAG]`; the tag `latest` when none is given (unless `all_tags`).
    pub name: String,
    /// Every local tag of the repository (`NAME` then has no tag).
    pub all_tags: bool,
    /// Require HTTPS and verified certificates (`Some(false)`: allow plain HTTP and any
    /// certificate); the registry configuration decides when `None`.
    pub tls_verify: Option<bool>,
    /// Credentials to use instead of the stored ones (the Engine API's `X-Registry-Auth`).
    pub credentials: Option<Credentials>,
}

/// What a push did.
#[derive(Debug, Clone)]
pub struct ImagePushed {
    /// The repository pushed to (`127.0.0.1:5000/app`, `docker.io/library/redis`).
    pub repository: String,
    /// Each tag pushed, in order, with the digest and size of its manifest.
    pub tags: Vec<PushedTag>,
}

/// The repository and tags a push names, checked before anything is opened.
fn target(opts: &ImagePushOptions) -> Result<(Reference, Option<String>)> {
    let r = Reference::parse_name_only(&opts.name)?;
    if r.digest.is_some() {
        return Err(Error::invalid(format!(
            "cannot push a digest reference: {}",
            opts.name
        )));
    }
    if opts.all_tags && r.tag.is_some() {
        return Err(Error::invalid("tag can't be used with --all-tags/-a"));
    }
    let tag = match (&r.tag, opts.all_tags) {
        (_, true) => None,
        (Some(t), false) => Some(t.clone()),
        (None, false) => Some("latest".to_string()),
    };
    let repository = Reference {
        tag: None,
        digest: None,
        ..r
    };
    Ok((repository, tag))
}

impl Engine {
    /// Pushes an image's tag (every tag of its repository with `all_tags`) to its registry.
    /// `progress` first receives [`PushEvent::Repository`], once every tag was found here;
    /// it is never called after this returns.
    pub fn image_push(
        &self,
        opts: &ImagePushOptions,
        progress: Arc<Progress>,
    ) -> Result<ImagePushed> {
        let (repository, tag) = target(opts)?;
        let config = RegistriesConfig::load(&default_path())?;
        let mut store = self.store()?;
        let tags = match tag {
            Some(t) => vec![t],
            None => push::tags_of_repository(&store, &repository)?,
        };
        if tags.is_empty() {
            return Err(ImageError::NoLocalTag(repository.familiar_repository()).into());
        }
        let req = PushRequest {
            repository: repository.clone(),
            tags,
            remote: RemoteOptions {
                tls_verify: opts.tls_verify,
                config,
                auth_file: None,
                credentials: opts.credentials.clone(),
            },
        };
        let tags = push::push(&mut store, &req, progress)?;
        let familiar = repository.familiar_repository();
        for t in &tags {
            use crate::events::{Event, Type};
            let ev = Event::new(Type::Image, "push", format!("{familiar}:{}", t.tag))
                .attr("name", familiar.clone());
            crate::events::record(&store.root, ev);
        }
        Ok(ImagePushed {
            repository: repository.repository(),
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, all_tags: bool) -> Result<(Reference, Option<String>)> {
        target(&ImagePushOptions {
            name: name.into(),
            all_tags,
            ..Default::default()
        })
    }

    #[test]
    fn names_tags_and_refusals() {
        let (r, tag) = t("127.0.0.1:5000/app", false).unwrap();
        assert_eq!(r.repository(), "127.0.0.1:5000/app");
        assert_eq!(tag.as_deref(), Some("latest"));
        let (r, tag) = t("app:1", false).unwrap();
        assert_eq!(r.repository(), "docker.io/library/app");
        assert_eq!(tag.as_deref(), Some("1"));
        assert_eq!(t("app", true).unwrap().1, None);
        let e = t("app:1", true).unwrap_err();
        assert_eq!(e.to_string(), "tag can't be used with --all-tags/-a");
        let e = t(&format!("app@sha256:{}", "a".repeat(64)), false).unwrap_err();
        assert!(e.to_string().starts_with("cannot push a digest reference"));
        assert!(matches!(t("App", false), Err(Error::Reference(_))));
    }
}
