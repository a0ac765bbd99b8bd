//! Container logs in Docker's json-file format: one JSON object per line,
//! `{"log":"text\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}`, size-capped and
//! rotated (`--log-opt max-size=…,max-file=…`: `x-json.log`, `x-json.log.1`, …).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Docker cuts lines longer than this into several records.
const MAX_LINE: usize = 16 * 1024;

#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct Record {
    pub log: String,
    pub stream: String,
    /// Extra attributes of the record (json-file's `attrs`: `--log-opt labels=…,env=…`), shown
    /// by `logs --details`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attrs: std::collections::BTreeMap<String, String>,
    pub time: String,
}

pub struct LogWriter {
    path: PathBuf,
    file: File,
    size: u64,
    max_size: Option<u64>,
    max_file: u32,
    partial: [Vec<u8>; 2],
}

fn now_rfc3339_nanos() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

impl LogWriter {
    pub fn open(
        path: &Path,
        max_size: Option<u64>,
        max_file: Option<u32>,
    ) -> io::Result<LogWriter> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        Ok(LogWriter {
            path: path.to_path_buf(),
            file,
            size,
            max_size,
            max_file: max_file.unwrap_or(1).max(1),
            partial: [Vec::new(), Vec::new()],
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
            attrs: Default::default(),
            time: now_rfc3339_nanos(),
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

    fn rotate(&mut self) -> io::Result<()> {
        let name = |i: u32| {
            if i == 0 {
                self.path.clone()
            } else {
                PathBuf::from(format!("{}.{i}", self.path.display()))
            }
        };
        if self.max_file <= 1 {
            // Docker with max-file=1: the file is truncated.
            self.file.set_len(0)?;
        } else {
            let _ = fs::remove_file(name(self.max_file - 1));
            for i in (0..self.max_file - 1).rev() {
                let _ = fs::rename(name(i), name(i + 1));
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

/// Every log file of a container, oldest first.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut rotated: Vec<(u32, PathBuf)> = Vec::new();
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let prefix = format!("{}.", name.to_string_lossy());
        if let Ok(rd) = fs::read_dir(dir) {
            for e in rd.flatten() {
                let n = e.file_name().to_string_lossy().into_owned();
                if let Some(i) = n.strip_prefix(&prefix).and_then(|s| s.parse::<u32>().ok()) {
                    rotated.push((i, e.path()));
                }
            }
        }
    }
    rotated.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out: Vec<PathBuf> = rotated.into_iter().map(|(_, p)| p).collect();
    out.push(path.to_path_buf());
    out
}

/// Reads the records of one file from `offset`; returns them and the offset after the last
/// complete line.
pub fn read_from(path: &Path, offset: u64) -> io::Result<(Vec<Record>, u64)> {
    use std::io::Seek;
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), offset)),
        Err(e) => return Err(e),
    };
    f.seek(io::SeekFrom::Start(offset))?;
    let mut r = BufReader::new(f);
    let mut out = Vec::new();
    let mut pos = offset;
    let mut line = String::new();
    loop {
        line.clear();
        let n = r.read_line(&mut line)?;
        if n == 0 || !line.ends_with('\n') {
            break;
        }
        pos += n as u64;
        if let Ok(rec) = serde_json::from_str::<Record>(&line) {
            out.push(rec);
        }
    }
    Ok((out, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_records_and_partials_wait_for_newline() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c-json.log");
        let mut w = LogWriter::open(&p, None, None).unwrap();
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
        let mut w = LogWriter::open(&p, Some(300), Some(3)).unwrap();
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
