//! A container's network mode (`--network`), as Docker spells it: the default `bridge`
//! network, a user-defined network by name or ID, `none`, `host`, or `container:NAME`.
//! Stored in the container's settings as the string the user gave, so rows written by any
//! version of berth read back the same.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Classify, ErrorKind};

/// The default network's name (Docker's).
pub const DEFAULT_NETWORK: &str = "bridge";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// The default network (`bridge`; Docker's `default` is the same network and is stored as
    /// given).
    Bridge { spelled_default: bool },
    /// A user-defined network, by name or ID.
    Named(String),
    /// Only loopback. Rows written before networking existed store "" and mean this too.
    #[default]
    None,
    /// The host's namespace.
    Host,
    /// Another container's namespace (its name or ID, as given).
    Container(String),
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NetworkModeError {
    #[error("invalid network mode {0:?}: invalid container format container:<name|id>")]
    EmptyContainer(String),
}

impl Classify for NetworkModeError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidArgument
    }
}

impl NetworkMode {
    /// Does the container get its own namespace with bridge networks (so ports, aliases and
    /// `--ip` make sense)?
    pub fn is_bridged(&self) -> bool {
        matches!(self, NetworkMode::Bridge { .. } | NetworkMode::Named(_))
    }

    pub fn is_host(&self) -> bool {
        *self == NetworkMode::Host
    }

    /// The other container of `container:NAME`.
    pub fn container(&self) -> Option<&str> {
        match self {
            NetworkMode::Container(c) => Some(c),
            _ => None,
        }
    }

    /// The network's name as `inspect`, `ps` and messages show it (`none` for rows that
    /// predate networking).
    pub fn shown(&self) -> String {
        match self {
            NetworkMode::None => "none".into(),
            m => m.to_string(),
        }
    }
}

impl fmt::Display for NetworkMode {
    /// The stored form: what the user gave.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkMode::Bridge {
                spelled_default: true,
            } => f.write_str("default"),
            NetworkMode::Bridge { .. } => f.write_str(DEFAULT_NETWORK),
            NetworkMode::Named(n) => f.write_str(n),
            NetworkMode::None => f.write_str("none"),
            NetworkMode::Host => f.write_str("host"),
            NetworkMode::Container(c) => write!(f, "container:{c}"),
        }
    }
}

impl FromStr for NetworkMode {
    type Err = NetworkModeError;

    fn from_str(s: &str) -> Result<NetworkMode, NetworkModeError> {
        Ok(match s {
            "" | "none" => NetworkMode::None,
            "host" => NetworkMode::Host,
            DEFAULT_NETWORK => NetworkMode::Bridge {
                spelled_default: false,
            },
            "default" => NetworkMode::Bridge {
                spelled_default: true,
            },
            s => match s.strip_prefix("container:") {
                Some("") => return Err(NetworkModeError::EmptyContainer(s.into())),
                Some(c) => NetworkMode::Container(c.into()),
                None => NetworkMode::Named(s.into()),
            },
        })
    }
}

/// Stored as the string itself ("", in rows that predate networking, reads as `None`).
impl Serialize for NetworkMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NetworkMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NetworkMode, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dockers_modes() {
        let p = |s: &str| s.parse::<NetworkMode>().unwrap();
        assert_eq!(
            p("bridge"),
            NetworkMode::Bridge {
                spelled_default: false
            }
        );
        assert_eq!(
            p("default"),
            NetworkMode::Bridge {
                spelled_default: true
            }
        );
        assert_eq!(p("none"), NetworkMode::None);
        assert_eq!(p(""), NetworkMode::None);
        assert_eq!(p("host"), NetworkMode::Host);
        assert_eq!(p("container:web"), NetworkMode::Container("web".into()));
        assert_eq!(p("front-end"), NetworkMode::Named("front-end".into()));
        assert_eq!(
            "container:".parse::<NetworkMode>(),
            Err(NetworkModeError::EmptyContainer("container:".into()))
        );
        assert!(p("bridge").is_bridged() && p("net1").is_bridged());
        assert!(
            !p("host").is_bridged() && !p("none").is_bridged() && !p("container:x").is_bridged()
        );
        assert_eq!(p("").shown(), "none");
    }

    /// Settings JSON written by earlier versions reads back, and every mode the CLI stores is
    /// written as the same string.
    #[test]
    fn stored_strings_round_trip() {
        #[derive(Serialize, Deserialize)]
        struct Row {
            network: NetworkMode,
        }
        for s in [
            "bridge",
            "default",
            "none",
            "host",
            "container:db",
            "my-net",
            "3f2a9c",
        ] {
            let json = format!(r#"{{"network":"{s}"}}"#);
            let row: Row = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&row).unwrap(), json);
        }
        let old: Row = serde_json::from_str(r#"{"network":""}"#).unwrap();
        assert_eq!(old.network, NetworkMode::None);
        assert!(serde_json::from_str::<Row>(r#"{"network":"container:"}"#).is_err());
    }
}
