//! Reading the log: the events of a time window, and (following) those written after, while
//! other processes append and rotate. A follower holds the file it reads open; at the end of
//! it, every [`POLL`] it looks whether the log was rotated (the path names another file), reads
//! what was written to its file before the rotation, and goes on with the new file.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use super::{Event, current, rotated};

/// How often a follower at the end of the log looks for more.
pub const POLL: Duration = Duration::from_millis(100);

/// A time window in nanoseconds since the epoch, both ends included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl Window {
    pub fn contains(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }

    /// Whether the window asks for past events (Docker sends them only when given a bound).
    pub fn wants_history(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    fn ended(&self) -> bool {
        self.until.is_some_and(|u| crate::clock::now_nanos() > u)
    }
}

/// Where a reader's events go. A closure `FnMut(Event) -> bool` is one.
pub trait Sink {
    /// One event; false to stop reading.
    fn event(&mut self, e: Event) -> bool;
    /// Everything written so far was handed over (a moment to flush output); false to stop.
    fn caught_up(&mut self) -> bool {
        true
    }
}

impl<F: FnMut(Event) -> bool> Sink for F {
    fn event(&mut self, e: Event) -> bool {
        self(e)
    }
}

/// The time of a stored line without decoding it: lines start with `{"timeNano":N`.
fn line_time(line: &[u8]) -> Option<i64> {
    let rest = line.strip_prefix(b"{\"timeNano\":")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// Hands `on` the event of one line if it is in the window; false when `on` asks to stop. A
/// line that does not decode (torn by a crash) is skipped.
fn emit(line: &[u8], w: &Window, on: &mut dyn Sink) -> bool {
    if line_time(line).is_some_and(|t| !w.contains(t)) {
        return true;
    }
    match serde_json::from_slice::<Event>(line) {
        Ok(ev) if w.contains(ev.time_nano) => on.event(ev),
        _ => true,
    }
}

/// Hands `on` the complete lines of `buf`, keeping an incomplete last line there; false when
/// `on` asked to stop.
fn deliver(buf: &mut Vec<u8>, w: &Window, on: &mut dyn Sink) -> bool {
    let mut start = 0;
    let mut go = true;
    while let Some(n) = buf[start..].iter().position(|&b| b == b'\n') {
        let line = &buf[start..start + n];
        start += n + 1;
        if !emit(line, w, on) {
            go = false;
            break;
        }
    }
    buf.drain(..start);
    go
}

/// Reads what `f` has past its offset into `buf`; the number of bytes read.
fn read_more(f: &mut File, buf: &mut Vec<u8>) -> io::Result<usize> {
    f.read_to_end(buf)
}

/// The old and current files, opened together under the log's lock (no rotation between).
fn open_pair(dir: &Path) -> io::Result<(Option<File>, File)> {
    let _held = super::lock(dir)?;
    let old = match File::open(rotated(dir)) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    Ok((old, open_current(dir)?))
}

fn open_current(dir: &Path) -> io::Result<File> {
    // Created if missing (a rotation renames it away and the next append makes it again).
    OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(current(dir))
}

/// Whether the log's path now names another file than `f` (it was rotated).
fn rotated_away(f: &File, dir: &Path) -> io::Result<bool> {
    let ours = f.metadata()?;
    match std::fs::metadata(current(dir)) {
        Ok(now) => Ok(now.ino() != ours.ino() || now.dev() != ours.dev()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

/// An open reader of the log of one root (see [`Reader::open`]).
#[derive(Debug)]
pub struct Reader {
    dir: std::path::PathBuf,
    window: Window,
    follow: bool,
    old: Option<File>,
    file: File,
}

impl Reader {
    /// Opens the log of `root` to read the recorded events in `window` if it has a bound
    /// (oldest first), then, with `follow`, the events recorded after.
    pub fn open(root: &Path, window: Window, follow: bool) -> io::Result<Reader> {
        let dir = super::dir(root);
        let (old, mut file) = open_pair(&dir)?;
        if !window.wants_history() {
            file.seek(SeekFrom::End(0))?;
        }
        Ok(Reader {
            dir,
            window,
            follow,
            old,
            file,
        })
    }

    /// Hands `on` each event, and tells it each time it has caught up with the writers, until
    /// the window's end passes, `on` returns false, or `stop()` says so (looked at every
    /// [`POLL`] while nothing comes); without `follow`, until the end of what was recorded.
    pub fn run(self, stop: &dyn Fn() -> bool, on: &mut dyn Sink) -> io::Result<()> {
        let Reader {
            dir,
            window,
            follow,
            old,
            mut file,
        } = self;
        let mut buf = Vec::new();
        if window.wants_history()
            && let Some(mut old) = old
        {
            read_more(&mut old, &mut buf)?;
            if !deliver(&mut buf, &window, on) {
                return Ok(());
            }
            buf.clear();
        }
        loop {
            let n = read_more(&mut file, &mut buf)?;
            if !deliver(&mut buf, &window, on) {
                return Ok(());
            }
            if n > 0 {
                continue;
            }
            if !on.caught_up() || !follow {
                return Ok(());
            }
            if window.ended() || stop() {
                // What was stamped before the end and written since.
                read_more(&mut file, &mut buf)?;
                deliver(&mut buf, &window, on);
                return Ok(());
            }
            if rotated_away(&file, &dir)? {
                // No append goes to the old file once it is renamed (both happen under the
                // lock): read its rest, then the new file from its start.
                read_more(&mut file, &mut buf)?;
                if !deliver(&mut buf, &window, on) {
                    return Ok(());
                }
                buf.clear();
                file = open_current(&dir)?;
                continue;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// [`Reader::open`] and [`Reader::run`] in one.
pub fn read(
    root: &Path,
    window: Window,
    follow: bool,
    stop: &dyn Fn() -> bool,
    on: &mut dyn Sink,
) -> io::Result<()> {
    Reader::open(root, window, follow)?.run(stop, on)
}

#[cfg(test)]
mod tests {
    use super::super::{Type, append, append_within};
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, mpsc};

    fn ids(root: &Path, w: Window) -> Vec<String> {
        let mut out = Vec::new();
        read(root, w, false, &|| false, &mut |e: Event| {
            out.push(e.actor.id);
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn line_times_are_read_without_decoding() {
        assert_eq!(line_time(b"{\"timeNano\":123,\"Type\":\"x\"}"), Some(123));
        assert_eq!(line_time(b"{\"Type\":\"x\"}"), None);
        assert_eq!(line_time(b"{\"timeNano\":"), None);
    }

    #[test]
    fn history_is_read_only_with_a_bound_and_within_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut times = Vec::new();
        for i in 0..5 {
            append(
                dir.path(),
                Event::new(Type::Network, "create", format!("n{i}")),
            )
            .unwrap();
            let text = std::fs::read_to_string(current(&super::super::dir(dir.path()))).unwrap();
            times.push(line_time(text.lines().last().unwrap().as_bytes()).unwrap());
        }
        assert!(ids(dir.path(), Window::default()).is_empty());
        let all = Window {
            since: Some(0),
            until: None,
        };
        assert_eq!(ids(dir.path(), all), ["n0", "n1", "n2", "n3", "n4"]);
        let middle = Window {
            since: Some(times[1]),
            until: Some(times[3]),
        };
        assert_eq!(ids(dir.path(), middle), ["n1", "n2", "n3"]);
        let until = Window {
            since: None,
            until: Some(times[0]),
        };
        assert_eq!(ids(dir.path(), until), ["n0"]);
    }

    #[test]
    fn torn_lines_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        append(dir.path(), Event::new(Type::Volume, "create", "a")).unwrap();
        let path = current(&super::super::dir(dir.path()));
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        std::io::Write::write_all(&mut f, b"{\"timeNano\":5,\"Ty").unwrap();
        append(dir.path(), Event::new(Type::Volume, "create", "b")).unwrap();
        let all = Window {
            since: Some(0),
            until: None,
        };
        assert_eq!(ids(dir.path(), all), ["a"]);
    }

    /// A follower sees what is appended after it started, across rotations, and stops when
    /// asked.
    #[test]
    fn a_follower_survives_rotations_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let ev = |i: usize| Event::new(Type::Image, "tag", format!("i{i:03}"));
        let size = serde_json::to_vec(&ev(0)).unwrap().len() as u64 + 40;
        append_within(&root, ev(999), size * 3).unwrap();
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let follower = {
            let (root, stop) = (root.clone(), stop.clone());
            std::thread::spawn(move || {
                read(
                    &root,
                    Window::default(),
                    true,
                    &|| stop.load(Ordering::SeqCst),
                    &mut |e: Event| tx.send(e.actor.id).is_ok(),
                )
            })
        };
        // The follower starts at the end: wait until it has opened the file, by appending
        // until it sees something.
        let mut first = None;
        for i in 0..50 {
            append_within(&root, ev(900 + i), size * 3).unwrap();
            if let Ok(id) = rx.recv_timeout(POLL * 2) {
                first = Some(id);
                break;
            }
        }
        assert!(first.is_some(), "the follower saw nothing");
        while rx.try_recv().is_ok() {}
        // Three events a file: ten appends rotate three times; appends pace the follower so
        // that it never misses two rotations.
        let mut seen = Vec::new();
        for i in 0..10 {
            append_within(&root, ev(i), size * 3).unwrap();
            seen.push(rx.recv_timeout(Duration::from_secs(5)).unwrap());
        }
        assert_eq!(seen, (0..10).map(|i| ev(i).actor.id).collect::<Vec<_>>());
        stop.store(true, Ordering::SeqCst);
        follower.join().unwrap().unwrap();
    }

    #[test]
    fn a_follower_ends_at_until() {
        let dir = tempfile::tempdir().unwrap();
        let until = crate::clock::now_nanos() + 300_000_000;
        let t0 = std::time::Instant::now();
        read(
            dir.path(),
            Window {
                since: None,
                until: Some(until),
            },
            true,
            &|| false,
            &mut |_: Event| true,
        )
        .unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(250));
    }
}
