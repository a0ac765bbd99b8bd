//! Docker's event filters: `container`, `image`, `event`, `type`, `label`, `network`, `volume`,
//! `scope`, `daemon`. Values of one key are OR'ed, keys AND'ed, labels all required. A
//! `container`/`network`/`volume` value matches the object's ID or name, whole or as a prefix;
//! `image` matches an image's ID or name (a container's image), with or without its tag;
//! `event` matches the action (`exec_start` also matches `exec_start: sh -c …`).

use std::collections::BTreeMap;

use super::Event;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("invalid filter '{0}'")]
    UnknownKey(String),
}

/// Keys Docker accepts (those for swarm objects match nothing here: berth has none).
const KEYS: &[&str] = &[
    "config",
    "container",
    "daemon",
    "event",
    "image",
    "label",
    "network",
    "node",
    "plugin",
    "scope",
    "secret",
    "service",
    "type",
    "volume",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    by_key: BTreeMap<String, Vec<String>>,
}

impl Filter {
    /// The filter of `(key, value)` pairs; an unknown key is refused as Docker refuses it.
    pub fn new(pairs: &[(String, String)]) -> Result<Filter, FilterError> {
        let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            if !KEYS.contains(&k.as_str()) {
                return Err(FilterError::UnknownKey(k.clone()));
            }
            by_key.entry(k.clone()).or_default().push(v.clone());
        }
        Ok(Filter { by_key })
    }

    fn values(&self, key: &str) -> Option<&[String]> {
        self.by_key.get(key).map(Vec::as_slice)
    }

    /// Any value of `key` equals `s` (or the key is not filtered on).
    fn exact(&self, key: &str, s: &str) -> bool {
        self.values(key).is_none_or(|vs| vs.iter().any(|v| v == s))
    }

    /// Any value of `key` equals `s` or is a prefix of it.
    fn fuzzy(&self, key: &str, s: &str) -> bool {
        self.values(key)
            .is_none_or(|vs| vs.iter().any(|v| s.starts_with(v.as_str())))
    }

    fn by_id_or_name(&self, key: &str, e: &Event) -> bool {
        let name = e.actor.attributes.get("name").map_or("", String::as_str);
        self.fuzzy(key, &e.actor.id) || (!name.is_empty() && self.fuzzy(key, name))
    }

    fn event(&self, e: &Event) -> bool {
        let Some(vs) = self.values("event") else {
            return true;
        };
        // `exec_start: sh -c …`, `health_status: healthy`: the bare action matches too.
        let bare = e.action.split(':').next().unwrap_or("");
        vs.iter().any(|v| *v == e.action || *v == bare)
    }

    fn image(&self, e: &Event) -> bool {
        let attr = if e.typ == "image" { "name" } else { "image" };
        let name = e.actor.attributes.get(attr).map_or("", String::as_str);
        [e.actor.id.as_str(), name]
            .into_iter()
            .filter(|s| !s.is_empty())
            .any(|s| self.exact("image", s) || self.exact("image", strip_tag(s)))
    }

    fn labels(&self, e: &Event) -> bool {
        self.values("label").is_none_or(|vs| {
            vs.iter().all(|l| match l.split_once('=') {
                Some((k, v)) => e.actor.attributes.get(k).is_some_and(|a| a == v),
                None => e.actor.attributes.contains_key(l),
            })
        })
    }

    pub fn matches(&self, e: &Event) -> bool {
        let daemon = self
            .values("daemon")
            .is_none_or(|vs| vs.iter().any(|v| v == "berth"));
        let swarm = ["config", "node", "plugin", "secret", "service"]
            .iter()
            .all(|k| self.values(k).is_none());
        self.event(e)
            && self.exact("type", &e.typ)
            && self.exact("scope", "local")
            && daemon
            && swarm
            && self.by_id_or_name("container", e)
            && self.by_id_or_name("network", e)
            && self.by_id_or_name("volume", e)
            && self.image(e)
            && self.labels(e)
    }
}

/// `name:tag` → `name` (a registry port is not a tag; a digest goes too).
fn strip_tag(s: &str) -> &str {
    let s = s.split('@').next().unwrap_or(s);
    match s.rfind(':') {
        Some(i) if !s[i..].contains('/') => &s[..i],
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Type;
    use super::*;

    fn f(pairs: &[(&str, &str)]) -> Filter {
        let p: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Filter::new(&p).unwrap()
    }

    fn start() -> Event {
        Event::new(Type::Container, "start", "0123456789abcdef")
            .attr("name", "web")
            .attr("image", "127.0.0.1:5600/busybox:latest")
            .attr("tier", "front")
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = Filter::new(&[("colour".into(), "red".into())]).unwrap_err();
        assert_eq!(e.to_string(), "invalid filter 'colour'");
    }

    #[test]
    fn containers_by_id_prefix_or_name() {
        assert!(f(&[]).matches(&start()));
        assert!(f(&[("container", "web")]).matches(&start()));
        assert!(f(&[("container", "0123")]).matches(&start()));
        assert!(f(&[("container", "db"), ("container", "web")]).matches(&start()));
        assert!(!f(&[("container", "db")]).matches(&start()));
        // Other kinds of objects are not containers.
        let net = Event::new(Type::Network, "create", "ffff").attr("name", "n1");
        assert!(!f(&[("container", "web")]).matches(&net));
        assert!(f(&[("network", "n1")]).matches(&net));
        assert!(!f(&[("network", "n1")]).matches(&start()));
    }

    #[test]
    fn keys_are_anded_values_ored() {
        assert!(f(&[("type", "container"), ("event", "start")]).matches(&start()));
        assert!(!f(&[("type", "container"), ("event", "die")]).matches(&start()));
        assert!(f(&[("event", "die"), ("event", "start")]).matches(&start()));
        assert!(!f(&[("type", "image")]).matches(&start()));
        assert!(f(&[("scope", "local")]).matches(&start()));
        assert!(!f(&[("scope", "swarm")]).matches(&start()));
        assert!(!f(&[("service", "x")]).matches(&start()));
    }

    #[test]
    fn events_with_details_match_their_bare_action() {
        let exec = Event::new(Type::Container, "exec_start: sh -c true", "c");
        assert!(f(&[("event", "exec_start")]).matches(&exec));
        assert!(f(&[("event", "exec_start: sh -c true")]).matches(&exec));
        assert!(!f(&[("event", "exec_create")]).matches(&exec));
    }

    #[test]
    fn images_by_name_with_or_without_tag_and_by_id() {
        assert!(f(&[("image", "127.0.0.1:5600/busybox")]).matches(&start()));
        assert!(f(&[("image", "127.0.0.1:5600/busybox:latest")]).matches(&start()));
        assert!(!f(&[("image", "busybox")]).matches(&start()));
        let tag = Event::new(Type::Image, "tag", "sha256:abcd").attr("name", "me/x:1");
        assert!(f(&[("image", "me/x")]).matches(&tag));
        assert!(f(&[("image", "sha256:abcd")]).matches(&tag));
        assert_eq!(
            strip_tag("127.0.0.1:5600/busybox"),
            "127.0.0.1:5600/busybox"
        );
        assert_eq!(strip_tag("a/b:1@sha256:00"), "a/b");
    }

    #[test]
    fn labels_are_all_required() {
        assert!(f(&[("label", "tier")]).matches(&start()));
        assert!(f(&[("label", "tier=front")]).matches(&start()));
        assert!(!f(&[("label", "tier=back")]).matches(&start()));
        assert!(!f(&[("label", "tier=front"), ("label", "x")]).matches(&start()));
    }
}
