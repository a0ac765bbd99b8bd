//! The event log: what happened to containers, images, networks and volumes, in Docker's event
//! shape, written by the processes that do it (the CLI, the API service, a container's
//! monitor: there is no daemon to collect them) and read by `berth events` and `GET /events`.
//!
//! ```text
//! ROOT/events/events.log     one JSON object per line, oldest first
//! ROOT/events/events.log.1   the previous file, after a rotation
//! ROOT/events/lock           flock: appends and rotations are serialized across processes
//! ```
//!
//! An append takes the lock, stamps the event with the time (so lines are in the order they
//! were written), rotates when the file would grow past [`max_size`] (the old file is kept as
//! `.1`, the one before it dropped), and writes the line with one `write(2)` to a file opened
//! with `O_APPEND`. Recording never fails an operation: [`record`] logs what went wrong. Lines
//! start with their time (`{"timeNano":…`), so a reader skips the lines outside its window
//! without decoding them. Readers never lock for long: [`reader`] follows the file while it is
//! written and across rotations. A leaf: it imports only `clock` and `lock`.

pub mod filter;
pub mod reader;

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use filter::{Filter, FilterError};
pub use reader::{Reader, Sink, Window, read};

/// Rotate when the log would grow past this many bytes (about 15,000 events).
pub const MAX_SIZE: u64 = 4 << 20;

/// The rotation size: [`MAX_SIZE`], or `BERTH_EVENTS_MAX_SIZE` bytes (for tests and small
/// hosts).
pub fn max_size() -> u64 {
    std::env::var("BERTH_EVENTS_MAX_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(MAX_SIZE)
}

/// The directory of the log.
pub fn dir(root: &Path) -> PathBuf {
    root.join("events")
}

fn current(dir: &Path) -> PathBuf {
    dir.join("events.log")
}

fn rotated(dir: &Path) -> PathBuf {
    dir.join("events.log.1")
}

fn lock(dir: &Path) -> io::Result<crate::lock::Lock> {
    fs::create_dir_all(dir)?;
    crate::lock::Lock::file(&dir.join("lock"), crate::lock::Mode::Exclusive)
}

/// What an event is about (Docker's `Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Container,
    Image,
    Network,
    Volume,
}

impl Type {
    pub fn as_str(self) -> &'static str {
        match self {
            Type::Container => "container",
            Type::Image => "image",
            Type::Network => "network",
            Type::Volume => "volume",
        }
    }
}

/// The object of an event: its ID (a container's or network's ID, an image's ID or reference,
/// a volume's name) and attributes (`name`, `image`, `exitCode`, labels, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes", default)]
    pub attributes: BTreeMap<String, String>,
}

/// One event as the log stores it. Its time is set when it is recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
    #[serde(rename = "Type")]
    pub typ: String,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: Actor,
}

impl Event {
    /// An event of `typ` with `action` on the object `id`, without attributes yet.
    pub fn new(typ: Type, action: impl Into<String>, id: impl Into<String>) -> Event {
        Event {
            time_nano: 0,
            typ: typ.as_str().to_string(),
            action: action.into(),
            actor: Actor {
                id: id.into(),
                attributes: BTreeMap::new(),
            },
        }
    }

    /// Adds (or replaces) an attribute.
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Event {
        self.actor.attributes.insert(key.into(), value.into());
        self
    }

    /// Adds attributes (labels); those already set win.
    pub fn attrs<'a>(mut self, more: impl IntoIterator<Item = (&'a String, &'a String)>) -> Event {
        for (k, v) in more {
            self.actor
                .attributes
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        self
    }

    /// The event as the Engine API sends it and `events --format '{{json .}}'` prints it.
    pub fn message(&self) -> Message<'_> {
        // Docker's deprecated fields, still sent for containers and images.
        let legacy = self.typ == "container" || self.typ == "image";
        Message {
            status: legacy.then_some(self.action.as_str()),
            id: legacy.then_some(self.actor.id.as_str()),
            from: (self.typ == "container")
                .then(|| self.actor.attributes.get("image").map(String::as_str))
                .flatten(),
            typ: &self.typ,
            action: &self.action,
            actor: &self.actor,
            scope: "local",
            time: self.time_nano.div_euclid(1_000_000_000),
            time_nano: self.time_nano,
        }
    }
}

/// Docker's event message (`events.Message`).
#[derive(Debug, Serialize)]
pub struct Message<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<&'a str>,
    #[serde(rename = "Type")]
    pub typ: &'a str,
    #[serde(rename = "Action")]
    pub action: &'a str,
    #[serde(rename = "Actor")]
    pub actor: &'a Actor,
    pub scope: &'static str,
    pub time: i64,
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
}

/// Records `ev` in the log of `root`. A failure is logged, never returned: an operation that
/// happened is not undone because its event could not be written.
pub fn record(root: &Path, ev: Event) {
    if let Err(e) = append(root, ev.clone()) {
        tracing::warn!(
            "cannot record the event {} {} {}: {e}",
            ev.typ,
            ev.action,
            ev.actor.id
        );
    }
}

/// Appends `ev`, stamped with the current time, to the log of `root` (rotating it first if it
/// would grow past [`max_size`]).
pub fn append(root: &Path, ev: Event) -> io::Result<()> {
    append_within(root, ev, max_size())
}

fn append_within(root: &Path, mut ev: Event, limit: u64) -> io::Result<()> {
    let dir = dir(root);
    let _held = lock(&dir)?;
    ev.time_nano = crate::clock::now_nanos();
    let mut line = serde_json::to_vec(&ev).map_err(io::Error::other)?;
    line.push(b'\n');
    let path = current(&dir);
    let open = || OpenOptions::new().append(true).create(true).open(&path);
    let mut f = open()?;
    let len = f.metadata()?.len();
    if len > 0 && len + line.len() as u64 > limit {
        fs::rename(&path, rotated(&dir))?;
        f = open()?;
    }
    // One write of the whole line: with O_APPEND and the lock, lines never interleave.
    f.write_all(&line)
}

/// `SECONDS[.FRACTION]` (what Docker's client sends the daemon) in nanoseconds.
pub fn unix_seconds(v: &str) -> Option<i64> {
    let (secs, frac) = v.split_once('.').unwrap_or((v, ""));
    if secs.is_empty()
        || !secs.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
    {
        return None;
    }
    let s: i64 = secs.parse().ok()?;
    let n: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    s.checked_mul(1_000_000_000)?.checked_add(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_lines_start_with_their_time_and_messages_are_dockers() {
        let dir = tempfile::tempdir().unwrap();
        let ev = Event::new(Type::Container, "die", "abc")
            .attr("exitCode", "3")
            .attr("image", "busybox")
            .attr("name", "web");
        append(dir.path(), ev).unwrap();
        let text = fs::read_to_string(current(&dir.path().join("events"))).unwrap();
        assert!(text.starts_with("{\"timeNano\":"), "{text}");
        assert!(text.ends_with("}\n"));
        let back: Event = serde_json::from_str(text.trim()).unwrap();
        assert!(back.time_nano > 0);
        let m = serde_json::to_value(back.message()).unwrap();
        assert_eq!(m["status"], "die");
        assert_eq!(m["id"], "abc");
        assert_eq!(m["from"], "busybox");
        assert_eq!(m["Type"], "container");
        assert_eq!(m["Action"], "die");
        assert_eq!(m["Actor"]["ID"], "abc");
        assert_eq!(m["Actor"]["Attributes"]["exitCode"], "3");
        assert_eq!(m["scope"], "local");
        assert_eq!(m["time"], back.time_nano / 1_000_000_000);
        assert_eq!(m["timeNano"], back.time_nano);
        // Networks and volumes have no legacy fields.
        let n = Event::new(Type::Network, "create", "n1");
        let m = serde_json::to_value(n.message()).unwrap();
        assert!(m.get("status").is_none() && m.get("id").is_none());
    }

    #[test]
    fn unix_seconds_as_docker_sends_them() {
        assert_eq!(unix_seconds("12"), Some(12_000_000_000));
        assert_eq!(unix_seconds("12.5"), Some(12_500_000_000));
        assert_eq!(unix_seconds("12.000000001"), Some(12_000_000_001));
        assert_eq!(unix_seconds("12.0000000001"), None);
        assert_eq!(unix_seconds("-1"), None);
        assert_eq!(unix_seconds(""), None);
        assert_eq!(unix_seconds("1e3"), None);
    }

    #[test]
    fn labels_do_not_override_attributes() {
        let labels: BTreeMap<String, String> = [
            ("name".to_string(), "x".to_string()),
            ("a".into(), "1".into()),
        ]
        .into();
        let ev = Event::new(Type::Container, "start", "id")
            .attr("name", "web")
            .attrs(&labels);
        assert_eq!(ev.actor.attributes["name"], "web");
        assert_eq!(ev.actor.attributes["a"], "1");
    }

    #[test]
    fn appends_from_many_threads_are_whole_lines_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let root = root.clone();
                std::thread::spawn(move || {
                    for i in 0..200 {
                        append(
                            &root,
                            Event::new(Type::Volume, "create", format!("v{t}-{i}"))
                                .attr("driver", "local"),
                        )
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = fs::read_to_string(current(&dir.path().join("events"))).unwrap();
        let mut times = Vec::new();
        for line in text.lines() {
            let ev: Event = serde_json::from_str(line).unwrap();
            times.push(ev.time_nano);
        }
        assert_eq!(times.len(), 800);
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "in order");
    }

    #[test]
    fn rotation_keeps_one_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events");
        let ev = |i: usize| Event::new(Type::Image, "tag", format!("sha256:{i:064}"));
        let mut stamped = ev(0);
        stamped.time_nano = crate::clock::now_nanos();
        let size = serde_json::to_vec(&stamped).unwrap().len() as u64 + 1;
        for i in 0..10 {
            append_within(dir.path(), ev(i), size * 4).unwrap();
        }
        let ids = |p: PathBuf| -> Vec<String> {
            fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Event>(l).unwrap().actor.id)
                .collect()
        };
        // 10 events, 4 a file: 0-3 dropped, 4-7 in the old file, 8-9 in the current one.
        assert_eq!(
            ids(rotated(&events)),
            (4..8).map(|i| ev(i).actor.id).collect::<Vec<_>>()
        );
        assert_eq!(
            ids(current(&events)),
            (8..10).map(|i| ev(i).actor.id).collect::<Vec<_>>()
        );
    }
}
