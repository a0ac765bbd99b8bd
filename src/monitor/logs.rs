//! Container logs, written by the container's monitor and read by `logs`.
//!
//! Drivers (`--log-driver`, Docker's names): `json-file` (Docker's default) writes Docker's
//! json-file format, one JSON object per line,
//! `{"log":"text\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}`, to
//! `<id>-json.log`; `local` writes the same records to `local-logs/container.log` with Docker's
//! `local` defaults (20 MB files, 5 files, rotated files compressed; Docker's own `local` files are
//! protobuf, a format internal to each engine); `none` keeps nothing and `logs` refuses to read.
//! Files are size-capped and rotated (`max-size`, `max-file`: `x.log`, `x.log.1`, …, gzipped as
//! `x.log.1.gz` with `compress`); readers follow the current file across rotations.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Docker cuts lines longer than this into several records.
const MAX_LINE: usize = 16 * 1024;

/// A logging driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    JsonFile,
    Local,
    None,
}

/// Docker's logging drivers that berth does not have.
const OTHER_DOCKER_DRIVERS: &[&str] = &[
    "awslogs",
    "etwlogs",
    "fluentd",
    "gcplogs",
    "gelf",
    "journald",
    "logentries",
    "splunk",
    "syslog",
];

impl Driver {
    /// A `--log-driver` value ("" is the default, `json-file`).
    pub fn parse(name: &str) -> Result<Driver, String> {
        match name {
            "" | "json-file" => Ok(Driver::JsonFile),
            "local" => Ok(Driver::Local),
            "none" => Ok(Driver::None),
            n if OTHER_DOCKER_DRIVERS.contains(&n) => Err(format!(
                "berth does not support the {n:?} logging driver (it has json-file, local and \
                 none)"
            )),
            n => Err(format!("logger: no log driver named '{n}' is registered")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Driver::JsonFile => "json-file",
            Driver::Local => "local",
            Driver::None => "none",
        }
    }
}

/// A container's logging configuration: the driver and its checked options.
#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    pub driver: Driver,
    /// Rotate when a file would grow past this many bytes (none: never).
    pub max_size: Option<u64>,
    /// How many files to keep, the current one included (1: the file is truncated instead).
    pub max_file: u32,
    /// Gzip rotated files.
    pub compress: bool,
    /// The options as given (json-file's attribute options are read from here).
    pub opts: BTreeMap<String, String>,
}

/// What a record's attributes (`labels`, `env`, `tag` options) are taken from.
pub struct Owner<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub image_id: &'a str,
    pub image_name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    /// The container's environment (the image's and the user's), `K=V`.
    pub env: &'a [String],
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Result<bool, String> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {v:?}: invalid syntax")),
    }
}

/// docker/go-units' `FromHumanSize`: decimal units (`10m` is 10,000,000 bytes).
fn parse_human_size(v: &str) -> Result<i64, String> {
    let bad = || format!("invalid size: '{v}'");
    let t = v.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim_start_matches(' ').to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let unit = unit.strip_suffix('i').unwrap_or(unit);
    let mult: f64 = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "p" => 1e15,
        _ => return Err(bad()),
    };
    if num.is_empty() || num.starts_with('.') || num.ends_with('.') {
        return Err(bad());
    }
    let n: f64 = num.parse().map_err(|_| bad())?;
    let bytes = n * mult;
    if !bytes.is_finite() || bytes >= i64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as i64)
}

impl LogConfig {
    /// Checks `--log-driver` and `--log-opt`s as Docker does, with its messages.
    pub fn new(driver: &str, opts: &BTreeMap<String, String>) -> Result<LogConfig, String> {
        let driver = Driver::parse(driver)?;
        // Docker's options of every driver (the logging mode and its buffer).
        let common = |k: &str| matches!(k, "mode" | "max-buffer-size");
        if let Some(mode) = opts.get("mode")
            && !matches!(mode.as_str(), "" | "blocking" | "non-blocking")
        {
            return Err(format!("logger: logging mode not supported: {mode}"));
        }
        let mut cfg = LogConfig {
            driver,
            max_size: None,
            max_file: 1,
            compress: false,
            opts: opts.clone(),
        };
        match driver {
            Driver::None if !opts.is_empty() => {
                return Err("invalid logging opts for driver none".into());
            }
            Driver::None => {}
            Driver::JsonFile => {
                for k in opts.keys().filter(|k| !common(k)) {
                    if !matches!(
                        k.as_str(),
                        "max-file"
                            | "max-size"
                            | "compress"
                            | "labels"
                            | "labels-regex"
                            | "env"
                            | "env-regex"
                            | "tag"
                    ) {
                        return Err(format!("unknown log opt '{k}' for json-file log driver"));
                    }
                }
                if let Some(v) = opts.get("max-size") {
                    let n = parse_human_size(v)?;
                    if n <= 0 {
                        return Err("max-size must be a positive number".into());
                    }
                    cfg.max_size = Some(n as u64);
                }
                if let Some(v) = opts.get("max-file") {
                    let n: i64 = v
                        .parse()
                        .map_err(|_| format!("strconv.Atoi: parsing {v:?}: invalid syntax"))?;
                    if n < 1 {
                        return Err("max-file cannot be less than 1".into());
                    }
                    cfg.max_file = u32::try_from(n).unwrap_or(u32::MAX);
                }
                if let Some(v) = opts.get("compress") {
                    cfg.compress = parse_bool(v)?;
                    if cfg.compress && (cfg.max_file == 1 || cfg.max_size.is_none()) {
                        return Err("compress cannot be true when max-file is less than 2 or \
                                    max-size is not set"
                            .into());
                    }
                }
                for k in ["labels-regex", "env-regex"] {
                    if let Some(re) = opts.get(k) {
                        regex::Regex::new(re).map_err(|e| format!("{k}: {e}"))?;
                    }
                }
            }
            Driver::Local => {
                for k in opts.keys().filter(|k| !common(k)) {
                    if !matches!(k.as_str(), "max-file" | "max-size" | "compress") {
                        return Err(format!("unknown log opt '{k}' for log driver local"));
                    }
                }
                cfg.max_size = Some(20 * 1024 * 1024);
                cfg.max_file = 5;
                cfg.compress = true;
                if let Some(v) = opts.get("max-size") {
                    let n = parse_human_size(v)
                        .map_err(|e| format!("invalid value for max-size: {v}: {e}"))?;
                    if n < 0 {
                        return Err("max-size must not be negative".into());
                    }
                    cfg.max_size = (n > 0).then_some(n as u64);
                }
                if let Some(v) = opts.get("max-file") {
                    let n: i64 = v.parse().map_err(|_| {
                        format!(
                            "invalid value for max-file: {v}: strconv.Atoi: parsing {v:?}: \
                             invalid syntax"
                        )
                    })?;
                    if n < 0 {
                        return Err("max-file must not be negative".into());
                    }
                    cfg.max_file = u32::try_from(n).unwrap_or(u32::MAX).max(1);
                }
                if let Some(v) = opts.get("compress") {
                    cfg.compress = parse_bool(v)
                        .map_err(|e| format!("invalid boolean value for compress: {e}"))?;
                }
                if cfg.compress && cfg.max_file <= 1 {
                    return Err("compression cannot be enabled when max file count is 1".into());
                }
            }
        }
        Ok(cfg)
    }

    /// The attributes every record carries (json-file's `labels`, `labels-regex`, `env`,
    /// `env-regex` and `tag`), as Docker's `ExtraAttributes` and `ParseLogTag`.
    pub fn attrs(&self, who: &Owner) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if self.driver != Driver::JsonFile {
            return out;
        }
        let list = |k: &str| {
            self.opts
                .get(k)
                .map(|v| {
                    v.split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        let regex = |k: &str| self.opts.get(k).and_then(|r| regex::Regex::new(r).ok());
        for l in list("labels") {
            if let Some(v) = who.labels.get(&l) {
                out.insert(l, v.clone());
            }
        }
        if let Some(re) = regex("labels-regex") {
            for (k, v) in who.labels {
                if re.is_match(k) {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        let env: BTreeMap<&str, &str> = who.env.iter().filter_map(|e| e.split_once('=')).collect();
        for e in list("env") {
            if let Some(v) = env.get(e.as_str()) {
                out.insert(e, v.to_string());
            }
        }
        if let Some(re) = regex("env-regex") {
            for (k, v) in &env {
                if re.is_match(k) {
                    out.insert(k.to_string(), v.to_string());
                }
            }
        }
        if let Some(t) = self.opts.get("tag").filter(|t| !t.is_empty()) {
            let short = |s: &str| s.chars().take(12).collect::<String>();
            let image_hex = who.image_id.trim_start_matches("sha256:");
            let tag = t
                .replace("{{.ID}}", &short(who.id))
                .replace("{{.FullID}}", who.id)
                .replace("{{.Name}}", who.name.trim_start_matches('/'))
                .replace("{{.ImageID}}", &short(image_hex))
                .replace("{{.ImageFullID}}", who.image_id)
                .replace("{{.ImageName}}", who.image_name)
                .replace("{{.DaemonName}}", "berth");
            out.insert("tag".into(), tag);
        }
        out
    }
}

#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct Record {
    pub log: String,
    pub stream: String,
    /// Extra attributes of the record (json-file's `attrs`: `--log-opt labels=…,env=…,tag=…`),
    /// shown by `logs --details`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
    pub time: String,
}

pub struct LogWriter {
    path: PathBuf,
    file: File,
    size: u64,
    max_size: Option<u64>,
    max_file: u32,
    compress: bool,
    attrs: BTreeMap<String, String>,
    partial: [Vec<u8>; 2],
    /// The time of the last record written: each record's is later (readers rely on it).
    last_time: Option<chrono::DateTime<chrono::Utc>>,
}

/// The name of rotated file `i` of `path` (`x.log.1`, or `x.log.1.gz` compressed).
fn rotated_name(path: &Path, i: u32, gz: bool) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{i}{}", if gz { ".gz" } else { "" }));
    PathBuf::from(s)
}

/// Gzips `path` into `path.gz` (through a temporary file) and removes `path`.
fn compress_file(path: &Path) -> io::Result<()> {
    let mut gz_name = path.as_os_str().to_owned();
    gz_name.push(".gz");
    let gz_name = PathBuf::from(gz_name);
    let mut tmp = gz_name.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let result = (|| {
        let mut src = File::open(path)?;
        let mut enc =
            flate2::write::GzEncoder::new(File::create(&tmp)?, flate2::Compression::default());
        io::copy(&mut src, &mut enc)?;
        enc.finish()?;
        fs::rename(&tmp, &gz_name)?;
        fs::remove_file(path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

impl LogWriter {
    /// Opens (appends to) the current file of a driver that writes files.
    pub fn open(
        path: &Path,
        cfg: &LogConfig,
        attrs: BTreeMap<String, String>,
    ) -> io::Result<LogWriter> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        Ok(LogWriter {
            path: path.to_path_buf(),
            file,
            size,
            max_size: cfg.max_size,
            max_file: cfg.max_file.max(1),
            compress: cfg.compress,
            attrs,
            partial: [Vec::new(), Vec::new()],
            last_time: None,
        })
    }

    /// Adds output of stream 0 (stdout) or 1 (stderr); complete lines are written at once.
    pub fn write(&mut self, stream: usize, data: &[u8]) -> io::Result<()> {
        self.partial[stream].extend_from_slice(data);
        loop {
            let buf = &self.partial[stream];
            let cut = match buf.iter().position(|&b| b == b'\n') {
                Some(i) => i + 1,
                None if buf.len() >= MAX_LINE => MAX_LINE,
                None => break,
            };
            let line: Vec<u8> = self.partial[stream].drain(..cut).collect();
            self.record(stream, &line)?;
        }
        Ok(())
    }

    /// Writes whatever partial lines are buffered (at the end of the container's output).
    pub fn flush_partial(&mut self) -> io::Result<()> {
        for s in 0..2 {
            if !self.partial[s].is_empty() {
                let line = std::mem::take(&mut self.partial[s]);
                self.record(s, &line)?;
            }
        }
        Ok(())
    }

    fn record(&mut self, stream: usize, line: &[u8]) -> io::Result<()> {
        let rec = Record {
            log: String::from_utf8_lossy(line).into_owned(),
            stream: if stream == 0 { "stdout" } else { "stderr" }.into(),
            attrs: self.attrs.clone(),
            time: self.next_time(),
        };
        let mut bytes = serde_json::to_vec(&rec).expect("serializable");
        bytes.push(b'\n');
        if let Some(max) = self.max_size
            && self.size > 0
            && self.size + bytes.len() as u64 > max
        {
            self.rotate()?;
        }
        self.file.write_all(&bytes)?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    /// Now, or just after the previous record's time if the clock has not moved past it.
    fn next_time(&mut self) -> String {
        let mut now = chrono::Utc::now();
        if let Some(last) = self.last_time
            && now <= last
        {
            now = last + chrono::Duration::nanoseconds(1);
        }
        self.last_time = Some(now);
        now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    }

    fn rotate(&mut self) -> io::Result<()> {
        if self.max_file <= 1 {
            // Docker with max-file=1: the file is truncated.
            self.file.set_len(0)?;
        } else {
            let last = self.max_file - 1;
            let _ = fs::remove_file(rotated_name(&self.path, last, false));
            let _ = fs::remove_file(rotated_name(&self.path, last, true));
            for i in (1..last).rev() {
                for gz in [false, true] {
                    let _ = fs::rename(
                        rotated_name(&self.path, i, gz),
                        rotated_name(&self.path, i + 1, gz),
                    );
                }
            }
            let first = rotated_name(&self.path, 1, false);
            fs::rename(&self.path, &first)?;
            if self.compress
                && let Err(e) = compress_file(&first)
            {
                tracing::warn!("compressing {}: {e}", first.display());
            }
        }
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.size = 0;
        Ok(())
    }
}

/// The rotated files of a container's log, oldest first (`x.log.N`, or `x.log.N.gz`; when a
/// compression left both, the plain one).
pub fn rotated(path: &Path) -> Vec<PathBuf> {
    let mut found: BTreeMap<u32, PathBuf> = BTreeMap::new();
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let prefix = format!("{}.", name.to_string_lossy());
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                let Some(rest) = n.strip_prefix(&prefix) else {
                    continue;
                };
                let (num, gz) = match rest.strip_suffix(".gz") {
                    Some(num) => (num, true),
                    None => (rest, false),
                };
                if let Ok(i) = num.parse::<u32>()
                    && (!gz || !found.contains_key(&i))
                {
                    found.insert(i, e.path());
                }
            }
        }
    }
    found.into_values().rev().collect()
}

/// Every log file of a container, oldest first.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut out = rotated(path);
    out.push(path.to_path_buf());
    out
}

/// The complete lines of `r` as records; `pos` advances past each.
fn parse_lines(r: impl BufRead, pos: &mut u64) -> io::Result<Vec<Record>> {
    let mut r = r;
    let mut out = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = r.read_line(&mut line)?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        *pos += n as u64;
        if let Ok(rec) = serde_json::from_str::<Record>(&line) {
            out.push(rec);
        }
    }
    Ok(out)
}

/// Reads the records of one file from `offset` (a `.gz` file whole); returns them and the
/// offset after the last complete line.
pub fn read_from(path: &Path, offset: u64) -> io::Result<(Vec<Record>, u64)> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), offset)),
        Err(e) => return Err(e),
    };
    if path.extension().is_some_and(|e| e == "gz") {
        let mut pos = 0;
        let recs = parse_lines(BufReader::new(flate2::read::GzDecoder::new(f)), &mut pos)?;
        return Ok((recs, pos));
    }
    let mut pos = offset;
    let recs = read_open(&mut f, &mut pos)?;
    Ok((recs, pos))
}

fn read_open(f: &mut File, pos: &mut u64) -> io::Result<Vec<Record>> {
    f.seek(io::SeekFrom::Start(*pos))?;
    parse_lines(BufReader::new(Read::by_ref(f)), pos)
}

/// Reads the current file of a log as it grows. It keeps the file open, so a rotation (the
/// file renamed, maybe compressed and removed) loses nothing: what was written to the old file
/// is read to its end, then the files rotated since (several rotations may happen between two
/// polls), then the new current file. Records come out once each, in order: a writer's times
/// strictly increase, and only records after the last one returned are returned.
pub struct Follower {
    path: PathBuf,
    file: Option<(File, u64)>,
    offset: u64,
    /// The time of the last record returned.
    last: Option<String>,
}

impl Follower {
    /// Opens the current file now (if it exists), so that rotations from here on are seen.
    pub fn open(path: &Path) -> Follower {
        let mut f = Follower {
            path: path.to_path_buf(),
            file: None,
            offset: 0,
            last: None,
        };
        f.reopen();
        f
    }

    fn reopen(&mut self) {
        self.offset = 0;
        self.file = File::open(&self.path)
            .and_then(|f| {
                let ino = f.metadata()?.ino();
                Ok((f, ino))
            })
            .ok();
    }

    /// The inode of the file being read.
    pub fn inode(&self) -> Option<u64> {
        self.file.as_ref().map(|(_, ino)| *ino)
    }

    /// After a rotation: the new current file, and before it what the rotated files hold after
    /// the last record returned (newest files first, until one starts at or before it).
    fn switch(&mut self, out: &mut Vec<Record>) -> io::Result<()> {
        self.reopen();
        if let Some(last) = self.last.clone() {
            let current = self.inode();
            let mut newer: Vec<Vec<Record>> = Vec::new();
            for p in rotated(&self.path).iter().rev() {
                if current.is_some() && fs::metadata(p).ok().map(|m| m.ino()) == current {
                    continue;
                }
                let (recs, _) = read_from(p, 0)?;
                let done = recs.first().is_some_and(|r| r.time <= last);
                newer.push(recs);
                if done {
                    break;
                }
            }
            out.extend(newer.into_iter().rev().flatten());
        }
        if let Some((f, _)) = self.file.as_mut() {
            out.extend(read_open(f, &mut self.offset)?);
        }
        Ok(())
    }

    /// The records written since the last call.
    pub fn poll(&mut self) -> io::Result<Vec<Record>> {
        let mut out = Vec::new();
        match self.file.as_mut() {
            None => self.switch(&mut out)?,
            Some((f, ino)) => {
                let ino = *ino;
                out.extend(read_open(f, &mut self.offset)?);
                match fs::metadata(&self.path) {
                    Ok(m) if m.ino() == ino => {
                        if m.len() < self.offset {
                            // Truncated (max-file=1): read it again from its start.
                            self.offset = 0;
                            out.extend(read_open(f, &mut self.offset)?);
                        }
                    }
                    Ok(_) => {
                        // Rotated: the writer is done with the old file.
                        out.extend(read_open(f, &mut self.offset)?);
                        self.switch(&mut out)?;
                    }
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {
                        // Between the rename and the new file: the next poll switches.
                        out.extend(read_open(f, &mut self.offset)?);
                        self.file = None;
                        self.offset = 0;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        out.retain(|r| {
            let new = self.last.as_ref().is_none_or(|l| r.time > *l);
            if new {
                self.last = Some(r.time.clone());
            }
            new
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(o: &[(&str, &str)]) -> BTreeMap<String, String> {
        o.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn cfg(o: &[(&str, &str)]) -> LogConfig {
        LogConfig::new("json-file", &opts(o)).unwrap()
    }

    #[test]
    fn drivers_and_options_are_checked_as_docker_does() {
        let err = |d: &str, o: &[(&str, &str)]| LogConfig::new(d, &opts(o)).unwrap_err();
        let default = LogConfig::new("", &opts(&[])).unwrap();
        assert_eq!((default.driver, default.max_size), (Driver::JsonFile, None));
        assert_eq!(
            err("foo", &[]),
            "logger: no log driver named 'foo' is registered"
        );
        assert!(err("syslog", &[]).contains("does not support the \"syslog\" logging driver"));
        assert_eq!(
            err("json-file", &[("foo", "1")]),
            "unknown log opt 'foo' for json-file log driver"
        );
        assert_eq!(
            err("local", &[("labels", "a")]),
            "unknown log opt 'labels' for log driver local"
        );
        assert_eq!(
            err("json-file", &[("max-file", "0")]),
            "max-file cannot be less than 1"
        );
        assert_eq!(
            err("json-file", &[("max-size", "0")]),
            "max-size must be a positive number"
        );
        assert_eq!(
            err("json-file", &[("compress", "true"), ("max-file", "3")]),
            "compress cannot be true when max-file is less than 2 or max-size is not set"
        );
        assert_eq!(
            err("local", &[("max-file", "1")]),
            "compression cannot be enabled when max file count is 1"
        );
        assert_eq!(
            err("json-file", &[("mode", "fast")]),
            "logger: logging mode not supported: fast"
        );
        let j = cfg(&[
            ("max-size", "10m"),
            ("max-file", "3"),
            ("compress", "1"),
            ("tag", "x"),
        ]);
        assert_eq!(
            (j.max_size, j.max_file, j.compress),
            (Some(10_000_000), 3, true)
        );
        let l = LogConfig::new("local", &opts(&[])).unwrap();
        assert_eq!(
            (l.max_size, l.max_file, l.compress),
            (Some(20 << 20), 5, true)
        );
        let n = LogConfig::new("none", &opts(&[])).unwrap();
        assert_eq!(n.driver, Driver::None);
    }

    #[test]
    fn attributes_from_labels_env_and_tag() {
        let c = cfg(&[
            ("labels", "a,missing"),
            ("env-regex", "^X"),
            ("env", "HOME"),
            ("tag", "{{.Name}}/{{.ID}}/{{.ImageName}}"),
        ]);
        let labels = opts(&[("a", "1"), ("b", "2")]);
        let env = ["HOME=/root".to_string(), "XA=9".into(), "Y=0".into()];
        let who = Owner {
            id: "0123456789abcdef0123",
            name: "web",
            image_id: "sha256:feedbeef",
            image_name: "busybox",
            labels: &labels,
            env: &env,
        };
        assert_eq!(
            c.attrs(&who),
            opts(&[
                ("a", "1"),
                ("HOME", "/root"),
                ("XA", "9"),
                ("tag", "web/0123456789ab/busybox")
            ])
        );
    }

    #[test]
    fn compressed_rotation_and_a_follower_lose_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c-json.log");
        // About two records a file: polls every five lines see several rotations at once.
        let c = cfg(&[("max-size", "200"), ("max-file", "5"), ("compress", "true")]);
        let mut w = LogWriter::open(&p, &c, opts(&[("tag", "t")])).unwrap();
        let mut follower = Follower::open(&p);
        let mut followed = Vec::new();
        for i in 0..60 {
            w.write(0, format!("line {i}\n").as_bytes()).unwrap();
            if i % 5 == 0 {
                followed.extend(follower.poll().unwrap());
            }
        }
        followed.extend(follower.poll().unwrap());
        let nums = |recs: &[Record]| -> Vec<u32> {
            recs.iter()
                .map(|r| r.log.trim().trim_start_matches("line ").parse().unwrap())
                .collect()
        };
        assert_eq!(nums(&followed), (0..60).collect::<Vec<_>>());
        assert!(followed.iter().all(|r| r.attrs["tag"] == "t"));
        let names: Vec<String> = files(&p)
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "c-json.log.4.gz",
                "c-json.log.3.gz",
                "c-json.log.2.gz",
                "c-json.log.1.gz",
                "c-json.log"
            ]
        );
        let all: Vec<Record> = files(&p)
            .iter()
            .flat_map(|f| read_from(f, 0).unwrap().0)
            .collect();
        let got = nums(&all);
        assert_eq!(*got.last().unwrap(), 59);
        assert!(got.windows(2).all(|w| w[1] == w[0] + 1), "{got:?}");
    }

    #[test]
    fn lines_are_records_and_partials_wait_for_newline() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c-json.log");
        let mut w = LogWriter::open(&p, &cfg(&[]), Default::default()).unwrap();
        w.write(0, b"hel").unwrap();
        w.write(1, b"err\n").unwrap();
        w.write(0, b"lo\nworld").unwrap();
        w.flush_partial().unwrap();
        let (recs, _) = read_from(&p, 0).unwrap();
        let got: Vec<(&str, &str)> = recs
            .iter()
            .map(|r| (r.stream.as_str(), r.log.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("stderr", "err\n"),
                ("stdout", "hello\n"),
                ("stdout", "world")
            ]
        );
        assert!(recs[0].time.ends_with('Z'));
    }

    #[test]
    fn rotation_keeps_max_file_files_under_max_size() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c-json.log");
        let mut w = LogWriter::open(
            &p,
            &cfg(&[("max-size", "300"), ("max-file", "3")]),
            Default::default(),
        )
        .unwrap();
        for i in 0..40 {
            w.write(0, format!("line {i}\n").as_bytes()).unwrap();
        }
        let fs_ = files(&p);
        assert_eq!(fs_.len(), 3, "{fs_:?}");
        for f in &fs_ {
            assert!(fs::metadata(f).unwrap().len() <= 300);
        }
        // The newest line is in the current file, and order is preserved across files.
        let all: Vec<String> = fs_
            .iter()
            .flat_map(|f| read_from(f, 0).unwrap().0)
            .map(|r| r.log)
            .collect();
        assert_eq!(all.last().unwrap(), "line 39\n");
        let nums: Vec<u32> = all
            .iter()
            .map(|l| l.trim().trim_start_matches("line ").parse().unwrap())
            .collect();
        assert!(nums.windows(2).all(|w| w[1] == w[0] + 1));
    }
}
